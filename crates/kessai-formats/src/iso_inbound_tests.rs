//! The inbound ISO 20022 readers (camt.054, camt.053, pain.002) on documents written by hand
//! from the schemas: what the schemas make optional may be absent, every date and amount is
//! checked wherever it is, texts have the standard's lengths, and entries have identities that
//! survive being reported again.

use crate::iso_notification::{read_camt_054, Notification};
use crate::iso_statement::read_camt_053;
use crate::iso_status::{read_pain_002, TxStatus};
use crate::iso_xml::test_support::assert_valid;

const XSD_054: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/xsd/moov.camt.054.001.08.xsd"
);
const XSD_053: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/xsd/moov.camt.053.001.08.xsd"
);
const XSD_002: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/xsd/moov.pain.002.001.11.xsd"
);

const OTHR: &str = "<Acct><Id><Othr><Id>1234567</Id></Othr></Id></Acct>";
const NTRY_PATH: &str = "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry[1]";

/// A camt.054 with one notification for `account` (an `Acct` element) and `entries`.
fn camt054(message_id: &str, account: &str, entries: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<GrpHdr><MsgId>{message_id}</MsgId><CreDtTm>2026-11-24T15:00:00+09:00</CreDtTm></GrpHdr>
<Ntfctn><Id>{message_id}</Id>{account}{entries}</Ntfctn>
</BkToCstmrDbtCdtNtfctn></Document>
"#
    )
}

/// An entry with only what the schema requires, plus `before` (after `Sts`, in the schema's
/// order: `BookgDt`, `ValDt`, `AcctSvcrRef`) and `after` (after `BkTxCd`: `NtryDtls`, …).
fn ntry(yen: &str, before: &str, after: &str) -> String {
    format!(
        "<Ntry><Amt Ccy=\"JPY\">{yen}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>\
         {before}<BkTxCd/>{after}</Ntry>"
    )
}

fn read_valid_054(xml: &str) -> Notification {
    assert_valid(xml.as_bytes(), XSD_054);
    read_camt_054(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}\n{xml}"))
}

#[test]
fn a_minimal_notification_is_read_and_the_account_is_known_by_its_number_alone() {
    let n = read_valid_054(&camt054("M1", OTHR, &ntry("90000", "", "")));
    assert_eq!(n.account_number, "1234567");
    assert_eq!((n.bank_code, n.branch_code), (None, None));
    let e = &n.entries[0];
    assert_eq!((e.amount_yen, e.credit), (90_000, true));
    assert_eq!((&e.entry_reference, &e.booking_date), (&None, &None));
    // No entries at all is a valid notification too.
    assert!(read_valid_054(&camt054("M2", OTHR, "")).entries.is_empty());
}

#[test]
fn the_account_may_be_identified_in_each_way_the_schema_permits() {
    let svcr = |member: &str| {
        format!(
            "<Acct><Id><Othr><Id>1234567</Id></Othr></Id><Svcr><FinInstnId>{member}</FinInstnId>\
             </Svcr></Acct>"
        )
    };
    let cases = [
        (OTHR.to_string(), "1234567", None),
        (
            "<Acct><Id><IBAN>GB82WEST12345698765432</IBAN></Id></Acct>".to_string(),
            "GB82WEST12345698765432",
            None,
        ),
        (
            svcr("<ClrSysMmbId><MmbId>0001001</MmbId></ClrSysMmbId>"),
            "1234567",
            Some(("0001", "001")),
        ),
        (
            svcr("<ClrSysMmbId><ClrSysId><Cd>JPZGN</Cd></ClrSysId><MmbId>0001001</MmbId></ClrSysMmbId>"),
            "1234567",
            Some(("0001", "001")),
        ),
        // A servicer named by BIC only: the account is known by its number.
        (svcr("<BICFI>MHCBJPJT</BICFI>"), "1234567", None),
    ];
    for (account, number, bank) in cases {
        let n = read_valid_054(&camt054("M1", &account, ""));
        assert_eq!(n.account_number, number, "{account}");
        let got = n.bank_code.as_deref().zip(n.branch_code.as_deref());
        assert_eq!(got, bank, "{account}");
    }
    let bad = camt054("M1", "<Acct><Id><IBAN>1234567</IBAN></Id></Acct>", "");
    let e = read_camt_054(bad.as_bytes()).unwrap_err();
    assert!(
        e.path.ends_with("/Ntfctn/Acct/Id/IBAN") && e.reason.contains("not an IBAN"),
        "{e}"
    );
    let usd = camt054(
        "M1",
        "<Acct><Id><Othr><Id>1</Id></Othr></Id><Ccy>USD</Ccy></Acct>",
        "",
    );
    let e = read_camt_054(usd.as_bytes()).unwrap_err();
    assert!(
        e.path.ends_with("/Acct/Ccy") && e.reason.contains("JPY accounts only"),
        "{e}"
    );
}

#[test]
fn a_minimal_statement_and_one_with_a_single_balance_are_read() {
    let statement = |balances: &str, entries: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>S1</MsgId><CreDtTm>2026-11-24T23:59:00+09:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id>{OTHR}{balances}{entries}</Stmt></BkToCstmrStmt></Document>
"#
        )
    };
    let bal = |code: &str, yen: &str, date: &str| {
        format!(
            "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"JPY\">{yen}</Amt>\
             <CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{date}</Dt></Dt></Bal>"
        )
    };
    // Only a closing balance; only an interim one (dated later than nothing else).
    for (balances, date, closing) in [
        (
            bal("CLBD", "90000", "2026-11-24"),
            "2026-11-24",
            Some(90_000),
        ),
        (bal("ITBD", "5", "2026-11-23"), "2026-11-23", None),
    ] {
        let xml = statement(&balances, &ntry("90000", "", ""));
        assert_valid(xml.as_bytes(), XSD_053);
        let s = read_camt_053(xml.as_bytes()).unwrap();
        assert_eq!((s.date.as_str(), s.closing_balance_yen), (date, closing));
        assert_eq!((s.opening_balance_yen, s.entries.len()), (None, 1));
        assert_eq!(
            (s.bank_code.as_deref(), s.account_number.as_str()),
            (None, "1234567")
        );
    }
    // With both, the statement must still add up.
    let both = format!(
        "{}{}",
        bal("OPBD", "0", "2026-11-24"),
        bal("CLBD", "1", "2026-11-24")
    );
    let xml = statement(&both, &ntry("90000", "", ""));
    assert_valid(xml.as_bytes(), XSD_053);
    let e = read_camt_053(xml.as_bytes()).unwrap_err();
    assert!(e.reason.contains("does not add up"), "{e}");
}

#[test]
fn a_minimal_status_report_and_transactions_without_their_optional_elements_are_read() {
    let report = |blocks: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-11-24T10:15:00+09:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>KESSAI-1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
</OrgnlGrpInfAndSts>{blocks}</CstmrPmtStsRpt></Document>
"#
        )
    };
    let minimal = report("");
    assert_valid(minimal.as_bytes(), XSD_002);
    assert!(read_pain_002(minimal.as_bytes())
        .unwrap()
        .transactions
        .is_empty());

    // Without TxSts the block's status applies; without any identifier the status is kept
    // but names no transfer.
    let xml = report(
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>P1</OrgnlPmtInfId><PmtInfSts>ACSC</PmtInfSts>\
         <TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId></TxInfAndSts>\
         <TxInfAndSts/>\
         <TxInfAndSts><OrgnlEndToEndId>E2</OrgnlEndToEndId><TxSts>RJCT</TxSts></TxInfAndSts>\
         </OrgnlPmtInfAndSts>\
         <OrgnlPmtInfAndSts><OrgnlPmtInfId>P2</OrgnlPmtInfId>\
         <TxInfAndSts><OrgnlEndToEndId>E3</OrgnlEndToEndId></TxInfAndSts></OrgnlPmtInfAndSts>",
    );
    assert_valid(xml.as_bytes(), XSD_002);
    let r = read_pain_002(xml.as_bytes()).unwrap();
    let got: Vec<_> = r
        .transactions
        .iter()
        .map(|t| (t.end_to_end_id.as_deref(), t.status, t.identity(&r)))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("E1"),
                Some(TxStatus::Settled),
                "pain002:KESSAI-1:E1:Settled".into()
            ),
            (
                None,
                Some(TxStatus::Settled),
                "pain002:KESSAI-1:-:Settled".into()
            ),
            (
                Some("E2"),
                Some(TxStatus::Rejected),
                "pain002:KESSAI-1:E2:Rejected".into()
            ),
            // The next block has no status of its own: nothing to act on.
            (Some("E3"), None, "pain002:KESSAI-1:E3:-".into()),
        ]
    );
}

/// `edit` applied to a valid notification whose entry has details and amounts at every level.
fn detailed(edit: impl Fn(String) -> String) -> Vec<u8> {
    let entry = ntry(
        "12000",
        "<BookgDt><Dt>2026-11-24</Dt></BookgDt><ValDt><Dt>2026-11-24</Dt></ValDt>",
        "<AmtDtls><InstdAmt><Amt Ccy=\"JPY\">12000</Amt></InstdAmt>\
         <TxAmt><Amt Ccy=\"JPY\">12000</Amt></TxAmt></AmtDtls>\
         <NtryDtls><TxDtls><Refs><EndToEndId>E2E</EndToEndId></Refs>\
         <Amt Ccy=\"JPY\">12000</Amt>\
         <AmtDtls><InstdAmt><Amt Ccy=\"JPY\">12000</Amt></InstdAmt></AmtDtls>\
         <RltdPties><Dbtr><Pty><Nm>ﾔﾏﾀﾞ</Nm></Pty></Dbtr></RltdPties>\
         <RmtInf><Ustrd>K7M4QX9PT2</Ustrd></RmtInf></TxDtls></NtryDtls>\
         <AddtlNtryInf>info</AddtlNtryInf>",
    );
    let xml = camt054("M1", OTHR, &entry);
    assert_valid(xml.as_bytes(), XSD_054);
    edit(xml).into_bytes()
}

/// The `n`-th (1-based) occurrence of `from` replaced by `to`.
fn nth(xml: String, from: &str, n: usize, to: &str) -> String {
    let at = xml.match_indices(from).nth(n - 1).expect("occurrence").0;
    format!("{}{to}{}", &xml[..at], &xml[at + from.len()..])
}

#[test]
fn every_date_must_be_a_real_day() {
    assert!(read_camt_054(&detailed(|x| x)).is_ok());
    let booked = format!("{NTRY_PATH}/BookgDt/Dt");
    let value = format!("{NTRY_PATH}/ValDt/Dt");
    for (date, element, occurrence) in [
        ("x", &value, 2),
        ("", &value, 2),
        ("2026-02-30", &value, 2),
        ("2026-13-01", &booked, 1),
        ("2026-11-24x", &booked, 1),
        ("24.11.2026", &booked, 1),
    ] {
        let xml = detailed(|x| {
            nth(
                x,
                "<Dt>2026-11-24</Dt>",
                occurrence,
                &format!("<Dt>{date}</Dt>"),
            )
        });
        let e = read_camt_054(&xml).unwrap_err();
        assert!(
            e.path == *element && e.reason.contains("not an ISO date"),
            "{date:?}: {e}"
        );
    }
    for (time, ok) in [
        ("2026-11-24T10:30:00+09:00", true),
        ("2028-02-29T23:59:59.5Z", true),
        ("2026-11-24T24:00:00", false),
        ("2026-02-29T10:00:00", false),
        ("2026-11-24", false),
        ("2026-11-24T10:30", false),
    ] {
        let xml = detailed(|x| nth(x, "<Dt>2026-11-24</Dt>", 1, &format!("<DtTm>{time}</DtTm>")));
        let read = read_camt_054(&xml);
        assert_eq!(read.is_ok(), ok, "{time}: {read:?}");
        if let Ok(n) = read {
            assert_eq!(n.entries[0].booking_date.as_deref(), Some(&time[..10]));
        }
    }
    let xml = detailed(|x| x.replacen("2026-11-24T15:00:00+09:00", "2026-11-31T15:00:00+09:00", 1));
    let e = read_camt_054(&xml).unwrap_err();
    assert!(e.path.ends_with("/GrpHdr/CreDtTm"), "{e}");
}

#[test]
fn every_amount_at_every_level_is_jpy_in_whole_yen() {
    let amt = "<Amt Ccy=\"JPY\">12000</Amt>";
    let places = [
        (1, format!("{NTRY_PATH}/Amt")),
        (2, format!("{NTRY_PATH}/AmtDtls/InstdAmt/Amt")),
        (3, format!("{NTRY_PATH}/AmtDtls/TxAmt/Amt")),
        (4, format!("{NTRY_PATH}/NtryDtls/TxDtls/Amt")),
        (
            5,
            format!("{NTRY_PATH}/NtryDtls/TxDtls/AmtDtls/InstdAmt/Amt"),
        ),
    ];
    let bad = [
        (
            "<Amt Ccy=\"USD\">12000</Amt>",
            "currency \"USD\", expected JPY",
        ),
        (
            "<Amt Ccy=\"jpy\">12000</Amt>",
            "currency \"jpy\", expected JPY",
        ),
        ("<Amt>12000</Amt>", "without Ccy"),
        ("<Amt Ccy=\"JPY\">0x10</Amt>", "not a whole number of yen"),
        ("<Amt Ccy=\"JPY\">１２</Amt>", "not a whole number of yen"),
        ("<Amt Ccy=\"JPY\">12000.5</Amt>", "no decimals"),
        ("<Amt Ccy=\"JPY\">-1</Amt>", "negative"),
        ("<Amt Ccy=\"JPY\"></Amt>", "empty amount"),
    ];
    for (occurrence, path) in &places {
        for (replacement, reason) in bad {
            let xml = detailed(|x| nth(x, amt, *occurrence, replacement));
            let e = read_camt_054(&xml).unwrap_err();
            assert!(
                e.path == *path && e.reason.contains(reason),
                "{replacement} at {path}: {e}"
            );
        }
    }
    // In a status report too, where the reader otherwise skips the element.
    let xml = r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-11-24T10:15:00+09:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>K</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>P</OrgnlPmtInfId><TxInfAndSts>
<OrgnlEndToEndId>E</OrgnlEndToEndId><TxSts>ACSC</TxSts>
<OrgnlTxRef><Amt><InstdAmt Ccy="USD">10</InstdAmt></Amt></OrgnlTxRef>
</TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"#;
    assert_valid(xml.as_bytes(), XSD_002);
    let e = read_pain_002(xml.as_bytes()).unwrap_err();
    assert!(
        e.path.ends_with("TxInfAndSts[1]/OrgnlTxRef/Amt/InstdAmt") && e.reason.contains("USD"),
        "{e}"
    );
}

#[test]
fn texts_longer_than_the_standard_allows_are_refused_naming_the_element() {
    let long = |n: usize| "ｱ".repeat(n);
    // (what is replaced, the element written instead and what follows it, its path, its limit)
    let cases = [
        (
            "<EndToEndId>E2E</EndToEndId>",
            "EndToEndId",
            "",
            "TxDtls/Refs/EndToEndId",
            35,
        ),
        ("<Nm>ﾔﾏﾀﾞ</Nm>", "Nm", "", "Dbtr/Pty/Nm", 140),
        (
            "<Ustrd>K7M4QX9PT2</Ustrd>",
            "Ustrd",
            "",
            "RmtInf/Ustrd",
            140,
        ),
        (
            "<AddtlNtryInf>info</AddtlNtryInf>",
            "AddtlNtryInf",
            "",
            "Ntry[1]/AddtlNtryInf",
            500,
        ),
        ("<MsgId>M1</MsgId>", "MsgId", "", "GrpHdr/MsgId", 35),
        ("<Id>1234567</Id>", "Id", "", "Acct/Id/Othr/Id", 34),
        (
            "<BkTxCd/>",
            "AcctSvcrRef",
            "<BkTxCd/>",
            "Ntry[1]/AcctSvcrRef",
            35,
        ),
    ];
    for (from, tag, rest, path, max) in cases {
        let text = |n: usize| format!("<{tag}>{}</{tag}>{rest}", long(n));
        // At the limit the text is read.
        let at_limit = text(max);
        let to = text(max + 1);
        assert!(
            read_camt_054(&detailed(|x| x.replacen(from, &at_limit, 1))).is_ok(),
            "{path}"
        );
        let e = read_camt_054(&detailed(|x| x.replacen(from, &to, 1))).unwrap_err();
        assert!(
            e.path.ends_with(path) && e.reason.contains(&format!("the {max} the standard allows")),
            "{path}: {e}"
        );
    }
    // Many Ustrd lines, each within 140 characters, make one long remittance.
    let lines = format!("<Ustrd>{}</Ustrd>", long(140)).repeat(100);
    let n = read_camt_054(&detailed(|x| {
        x.replacen("<Ustrd>K7M4QX9PT2</Ustrd>", &lines, 1)
    }))
    .unwrap();
    assert_eq!(
        n.entries[0].remittance.as_ref().map(|r| r.chars().count()),
        Some(14_000)
    );
}

#[test]
fn status_report_texts_have_the_standard_lengths() {
    let report = |tx: &str| {
        format!(
            r#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.11"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2026-11-24T10:15:00+09:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>K</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>
</OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>P</OrgnlPmtInfId>
<TxInfAndSts>{tx}</TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>"#
        )
    };
    let e2e = |n: usize| format!("<OrgnlEndToEndId>{}</OrgnlEndToEndId>", "E".repeat(n));
    let info = |n: usize| {
        format!(
            "<OrgnlEndToEndId>E</OrgnlEndToEndId><TxSts>RJCT</TxSts>\
             <StsRsnInf><AddtlInf>{}</AddtlInf></StsRsnInf>",
            "ｱ".repeat(n)
        )
    };
    for (ok, bad, path, max) in [
        (e2e(35), e2e(36), "TxInfAndSts[1]/OrgnlEndToEndId", 35),
        (
            info(105),
            info(106),
            "TxInfAndSts[1]/StsRsnInf/AddtlInf",
            105,
        ),
    ] {
        let xml = report(&ok);
        assert_valid(xml.as_bytes(), XSD_002);
        assert!(read_pain_002(xml.as_bytes()).is_ok(), "{path}");
        let e = read_pain_002(report(&bad).as_bytes()).unwrap_err();
        assert!(
            e.path.ends_with(path) && e.reason.contains(&format!("the {max} the standard")),
            "{e}"
        );
    }
}
