//! Tests of [`crate::iso_statement`]: round trips through the official schema, and what the reader
//! refuses.

use super::*;

const XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/xsd/moov.camt.053.001.08.xsd"
);

fn assert_valid(xml: &[u8]) {
    crate::iso_xml::test_support::assert_valid(xml, XSD);
}

fn entry(reference: &str, yen: u64, credit: bool) -> NotificationEntry {
    NotificationEntry {
        entry_reference: Some(reference.into()),
        amount_yen: yen,
        credit,
        booking_date: Some("2026-11-24".into()),
        ..NotificationEntry::default()
    }
}

/// 100,000 + 50,128 + 12,000 − 48,000 = 114,128.
fn statement() -> Statement {
    Statement {
        message_id: "BANK-CAMT053-20261124-0001".into(),
        created_at: "2026-11-24T23:59:00+09:00".into(),
        statement_id: "STM-20261124-0001".into(),
        account_number: "1234567".into(),
        bank_code: Some("0005".into()),
        branch_code: Some("123".into()),
        opening_balance_yen: Some(100_000),
        closing_balance_yen: Some(114_128),
        date: "2026-11-24".into(),
        entries: vec![
            NotificationEntry {
                debtor_name: Some("ｻﾄｳ ﾊﾅｺ".into()),
                remittance: Some("K7M4QX9PT2".into()),
                ..entry("CR-20261124-000001", 50_128, true)
            },
            NotificationEntry {
                debtor_name: Some("K3N8RW2XH5 ﾔﾏﾀﾞ ﾀﾛｳ".into()),
                additional_info: Some("振込 & <入金>".into()),
                ..entry("CR-20261124-000002", 12_000, true)
            },
            NotificationEntry {
                end_to_end_id: Some("01a1-payout".into()),
                ..entry("DB-20261124-000001", 48_000, false)
            },
        ],
    }
}

#[test]
fn round_trip_validates_against_the_official_schema() {
    let s = statement();
    let xml = write_camt_053(&s);
    assert_valid(&xml);
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains("<Cd>OPBD</Cd>") && text.contains("<Cd>CLBD</Cd>"));
    assert!(text.contains("<Amt Ccy=\"JPY\">100000</Amt>"));
    assert!(text.contains("<Amt Ccy=\"JPY\">114128</Amt>"));
    assert!(text.contains("<MmbId>0005123</MmbId>"));
    assert!(text.find("OPBD") < text.find("CLBD"));
    assert!(text.find("CLBD") < text.find("<Ntry>"));
    let back = read_camt_053(&xml).unwrap();
    assert_eq!(back, s);
    assert_eq!(
        back.entries[2].end_to_end_id.as_deref(),
        Some("01a1-payout")
    );
}

#[test]
fn negative_zero_and_empty_statements_round_trip() {
    // An overdrawn account: −5,000 + 3,000 − 0 = −2,000, balances written DBIT.
    let mut s = statement();
    s.opening_balance_yen = Some(-5_000);
    s.closing_balance_yen = Some(-2_000);
    s.entries = vec![entry("CR-1", 3_000, true)];
    let xml = write_camt_053(&s);
    assert_valid(&xml);
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains("<Amt Ccy=\"JPY\">5000</Amt>\n        <CdtDbtInd>DBIT</CdtDbtInd>"));
    assert!(text.contains("<Amt Ccy=\"JPY\">2000</Amt>\n        <CdtDbtInd>DBIT</CdtDbtInd>"));
    assert_eq!(read_camt_053(&xml).unwrap(), s);

    // From overdrawn to zero (written CRDT), with a reversal (DBIT, subtracts) and a long
    // remittance: −2,000 + 52,128 − 50,128 + 0 = 0.
    s.opening_balance_yen = Some(-2_000);
    s.closing_balance_yen = Some(0);
    s.entries = vec![
        entry("CR-2", 52_128, true),
        NotificationEntry {
            reversal: true,
            remittance: Some("K7M4QX9PT2 ﾀﾅｶ ".repeat(20)),
            ..entry("RV-1", 50_128, false)
        },
        entry("CR-0", 0, true),
    ];
    let xml = write_camt_053(&s);
    assert_valid(&xml);
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains("<Amt Ccy=\"JPY\">0</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>"));
    assert_eq!(read_camt_053(&xml).unwrap(), s);

    // A day without entries.
    s.entries.clear();
    s.opening_balance_yen = Some(7);
    s.closing_balance_yen = Some(7);
    let xml = write_camt_053(&s);
    assert_valid(&xml);
    assert_eq!(read_camt_053(&xml).unwrap(), s);
}

#[test]
fn reads_a_bank_statement_with_prefixes_and_elements_it_does_not_use() {
    // Opening dated the previous day, several balance types, a summary, a single page, a
    // booking date-time: read, and the balances still add up (−1,000 + 12,000 = 11,000).
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- from the bank -->
<s:Document xmlns:s="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <s:BkToCstmrStmt>
  <s:GrpHdr><s:MsgId>M1</s:MsgId><s:CreDtTm>2026-11-25T01:00:00+09:00</s:CreDtTm>
   <s:MsgPgntn><s:PgNb>1</s:PgNb><s:LastPgInd>true</s:LastPgInd></s:MsgPgntn></s:GrpHdr>
  <s:Stmt>
   <s:Id>S1</s:Id>
   <s:StmtPgntn><s:PgNb>1</s:PgNb><s:LastPgInd>1</s:LastPgInd></s:StmtPgntn>
   <s:ElctrncSeqNb>328</s:ElctrncSeqNb>
   <s:FrToDt><s:FrDtTm>2026-11-24T00:00:00+09:00</s:FrDtTm><s:ToDtTm>2026-11-24T23:59:59+09:00</s:ToDtTm></s:FrToDt>
   <s:Acct><s:Id><s:Othr><s:Id>7654321</s:Id></s:Othr></s:Id><s:Ccy>JPY</s:Ccy>
<s:Svcr><s:FinInstnId><s:ClrSysMmbId><s:MmbId>0009001</s:MmbId></s:ClrSysMmbId>
 <s:Nm>SMBC</s:Nm></s:FinInstnId></s:Svcr></s:Acct>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>PRCD</s:Cd></s:CdOrPrtry></s:Tp>
<s:Amt Ccy="JPY">1000</s:Amt><s:CdtDbtInd>DBIT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-23</s:Dt></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>OPBD</s:Cd></s:CdOrPrtry></s:Tp>
<s:Amt Ccy="JPY">1000</s:Amt><s:CdtDbtInd>DBIT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-23</s:Dt></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Prtry>ZENGIN-ZANDAKA</s:Prtry></s:CdOrPrtry></s:Tp>
<s:Amt Ccy="JPY">5</s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-24</s:Dt></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>CLBD</s:Cd></s:CdOrPrtry><s:SubTp><s:Cd>OPBD</s:Cd></s:SubTp></s:Tp>
<s:Amt Ccy="JPY"> 11000 </s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd>
<s:Dt><s:DtTm>2026-11-24T23:59:59+09:00</s:DtTm></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>CLAV</s:Cd></s:CdOrPrtry></s:Tp>
<s:Amt Ccy="JPY">11000</s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-24</s:Dt></s:Dt></s:Bal>
   <s:TxsSummry><s:TtlNtries><s:NbOfNtries>1</s:NbOfNtries></s:TtlNtries></s:TxsSummry>
   <s:Ntry>
<s:NtryRef>R1</s:NtryRef><s:Amt Ccy="JPY">12000</s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd>
<s:Sts><s:Cd>BOOK</s:Cd></s:Sts><s:BookgDt><s:DtTm>2026-11-24T10:30:00+09:00</s:DtTm></s:BookgDt>
<s:AcctSvcrRef>X</s:AcctSvcrRef>
<s:BkTxCd><s:Prtry><s:Cd>01</s:Cd></s:Prtry></s:BkTxCd>
<s:NtryDtls><s:TxDtls>
 <s:RltdPties><s:Dbtr><s:Pty><s:Nm>ｽｽﾞｷ ｲﾁﾛｳ</s:Nm></s:Pty></s:Dbtr></s:RltdPties>
 <s:RmtInf><s:Ustrd>K7M4QX9PT2</s:Ustrd><s:Ustrd><![CDATA[ & more]]></s:Ustrd></s:RmtInf>
</s:TxDtls></s:NtryDtls>
   </s:Ntry>
   <s:AddtlStmtInf>end of day</s:AddtlStmtInf>
  </s:Stmt>
 </s:BkToCstmrStmt>
</s:Document>
"#;
    assert_valid(xml.as_bytes());
    let s = read_camt_053(xml.as_bytes()).unwrap();
    assert_eq!(
        (s.bank_code.as_deref(), s.branch_code.as_deref()),
        (Some("0009"), Some("001"))
    );
    assert_eq!(s.account_number, "7654321");
    assert_eq!(
        (s.opening_balance_yen, s.closing_balance_yen),
        (Some(-1_000), Some(11_000))
    );
    assert_eq!(s.date, "2026-11-24");
    let e = &s.entries[0];
    assert_eq!((e.amount_yen, e.credit), (12_000, true));
    assert_eq!(e.booking_date.as_deref(), Some("2026-11-24"));
    assert_eq!(e.debtor_name.as_deref(), Some("ｽｽﾞｷ ｲﾁﾛｳ"));
    assert_eq!(e.remittance.as_deref(), Some("K7M4QX9PT2 & more"));
    assert_eq!(s.entry_identities()[0], "camt:7654321:svcr:X");
}

#[test]
fn a_statement_that_does_not_add_up_is_rejected_naming_the_closing_balance() {
    let cases: Vec<(&str, Statement, &str)> = vec![
        (
            "closing one yen too high",
            Statement {
                closing_balance_yen: Some(114_129),
                ..statement()
            },
            "the closing balance (CLBD) 114129 does not add up: opening 100000 + credits 62128 - debits 48000 = 114128",
        ),
        (
            "closing with the wrong sign",
            Statement {
                closing_balance_yen: Some(-114_128),
                ..statement()
            },
            "the closing balance (CLBD) -114128 does not add up",
        ),
        (
            "a debit counted as a credit",
            Statement {
                closing_balance_yen: Some(210_128),
                ..statement()
            },
            "= 114128",
        ),
        (
            "an entry missing",
            Statement {
                entries: statement().entries[..2].to_vec(),
                ..statement()
            },
            "opening 100000 + credits 62128 - debits 0 = 162128",
        ),
    ];
    for (name, s, reason) in cases {
        // The schema does not check sums: the document is valid, the reader refuses it.
        let xml = write_camt_053(&s);
        assert_valid(&xml);
        let err = read_camt_053(&xml).unwrap_err();
        assert_eq!(
            err.path, "/Document/BkToCstmrStmt/Stmt/Bal[2]",
            "{name}: {err}"
        );
        assert!(err.reason.contains(reason), "{name}: {err}");
    }
    // The closing balance is named wherever it stands.
    let mut text = String::from_utf8(write_camt_053(&statement())).unwrap();
    text = text
        .replace("<Cd>OPBD</Cd>", "<Cd>SWAP</Cd>")
        .replace("<Cd>CLBD</Cd>", "<Cd>OPBD</Cd>")
        .replace("<Cd>SWAP</Cd>", "<Cd>CLBD</Cd>");
    assert!(text.find("CLBD") < text.find("OPBD"));
    let err = read_camt_053(text.as_bytes()).unwrap_err();
    assert_eq!(err.path, "/Document/BkToCstmrStmt/Stmt/Bal[1]", "{err}");
    assert!(
        err.reason.contains("closing balance (CLBD) 100000"),
        "{err}"
    );
}

/// The written document with the first `from` replaced by `to` (which must occur).
fn altered(from: &str, to: &str) -> Vec<u8> {
    edited(&[(from, to)])
}

fn edited(edits: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from_utf8(write_camt_053(&statement())).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in the document");
        text = text.replacen(from, to, 1);
    }
    text.into_bytes()
}

/// The written document cut just before `marker`.
fn truncated_before(marker: &str) -> Vec<u8> {
    let text = String::from_utf8(write_camt_053(&statement())).unwrap();
    let at = text.find(marker).expect("marker in the document");
    text.as_bytes()[..at].to_vec()
}

#[test]
fn malformed_documents_are_rejected_with_path_and_reason() {
    let amt1 = "<Amt Ccy=\"JPY\">50128</Amt>";
    let opbd = "<Amt Ccy=\"JPY\">100000</Amt>";
    let bal_dt = "<Dt>\n          <Dt>2026-11-24</Dt>\n        </Dt>";
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "wrong namespace",
            altered(CAMT_053_NS, crate::iso_notification::CAMT_054_NS),
            "/Document",
            "expected Document in namespace",
        ),
        (
            "no namespace",
            altered(&format!(" xmlns=\"{CAMT_053_NS}\""), ""),
            "/Document",
            "no namespace",
        ),
        (
            "wrong root",
            edited(&[("<Document", "<Doc"), ("</Document>", "</Doc>")]),
            "/Doc",
            "expected Document",
        ),
        (
            "another message",
            edited(&[
                ("<BkToCstmrStmt>", "<BkToCstmrDbtCdtNtfctn>"),
                ("</BkToCstmrStmt>", "</BkToCstmrDbtCdtNtfctn>"),
            ]),
            "/Document/BkToCstmrDbtCdtNtfctn",
            "expected BkToCstmrStmt",
        ),
        (
            "missing MsgId",
            altered("<MsgId>BANK-CAMT053-20261124-0001</MsgId>", ""),
            "GrpHdr/MsgId",
            "missing",
        ),
        (
            "empty MsgId",
            altered("<MsgId>BANK-CAMT053-20261124-0001</MsgId>", "<MsgId/>"),
            "GrpHdr/MsgId",
            "empty",
        ),
        (
            "missing Stmt Id",
            altered("<Id>STM-20261124-0001</Id>", ""),
            "/Document/BkToCstmrStmt/Stmt/Id",
            "missing",
        ),
        (
            "missing Stmt",
            edited(&[("<Stmt>", "<Rpt>"), ("</Stmt>", "</Rpt>")]),
            "/Document/BkToCstmrStmt/Stmt",
            "missing",
        ),
        (
            "two statements",
            altered("</Stmt>", "</Stmt><Stmt></Stmt>"),
            "BkToCstmrStmt/Stmt[2]",
            "more than one Stmt",
        ),
        (
            "not the last page of the statement",
            altered(
                "<Id>STM-20261124-0001</Id>",
                "<Id>STM-20261124-0001</Id><StmtPgntn><PgNb>1</PgNb><LastPgInd>false</LastPgInd></StmtPgntn>",
            ),
            "Stmt/StmtPgntn/LastPgInd",
            "not the last page",
        ),
        (
            "not the last page of the message",
            altered(
                "</GrpHdr>",
                "<MsgPgntn><PgNb>1</PgNb><LastPgInd>0</LastPgInd></MsgPgntn></GrpHdr>",
            ),
            "GrpHdr/MsgPgntn/LastPgInd",
            "not the last page",
        ),
        (
            "missing account",
            altered("<Id>1234567</Id>", ""),
            "Stmt/Acct/Id",
            "missing",
        ),
        (
            "bank code not 4+3 digits",
            altered("<MmbId>0005123</MmbId>", "<MmbId>BOJPJPJT</MmbId>"),
            "ClrSysMmbId/MmbId",
            "4-digit bank and 3-digit branch",
        ),
        (
            "other clearing system",
            altered("<Cd>JPZGN</Cd>", "<Cd>USABA</Cd>"),
            "ClrSysId/Cd",
            "expected JPZGN",
        ),
        (
            "two opening balances",
            altered("<Cd>CLBD</Cd>", "<Cd>OPBD</Cd>"),
            "Stmt/Bal[2]",
            "more than one opening booked balance (OPBD) (first in Bal[1])",
        ),
        (
            "balance without type",
            altered("<Cd>OPBD</Cd>", ""),
            "Stmt/Bal[1]/Tp/CdOrPrtry/Cd",
            "missing",
        ),
        (
            "balance without amount",
            altered(opbd, ""),
            "Stmt/Bal[1]/Amt",
            "missing",
        ),
        (
            "balance with decimals",
            altered(opbd, "<Amt Ccy=\"JPY\">100000.00</Amt>"),
            "Stmt/Bal[1]/Amt",
            "JPY amounts have no decimals",
        ),
        (
            "balance in another currency",
            altered(opbd, "<Amt Ccy=\"USD\">100000</Amt>"),
            "Stmt/Bal[1]/Amt",
            "currency \"USD\", expected JPY",
        ),
        (
            "balance without currency",
            altered(opbd, "<Amt>100000</Amt>"),
            "Stmt/Bal[1]/Amt",
            "without Ccy",
        ),
        (
            "negative balance amount",
            altered(opbd, "<Amt Ccy=\"JPY\">-100000</Amt>"),
            "Stmt/Bal[1]/Amt",
            "a negative balance is written as DBIT",
        ),
        (
            "balance beyond i64",
            altered(opbd, "<Amt Ccy=\"JPY\">9223372036854775808</Amt>"),
            "Stmt/Bal[1]/Amt",
            "too large",
        ),
        (
            "balance without CdtDbtInd",
            altered("<CdtDbtInd>CRDT</CdtDbtInd>", ""),
            "Stmt/Bal[1]/CdtDbtInd",
            "missing",
        ),
        (
            "balance with unknown CdtDbtInd",
            altered("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>+</CdtDbtInd>"),
            "Stmt/Bal[1]/CdtDbtInd",
            "expected CRDT or DBIT",
        ),
        (
            "balance without date",
            altered(bal_dt, ""),
            "Stmt/Bal[1]/Dt",
            "missing",
        ),
        (
            "balance with a bad date",
            altered("<Dt>2026-11-24</Dt>", "<Dt>2026/11/24</Dt>"),
            "Stmt/Bal[1]/Dt/Dt",
            "not an ISO date",
        ),
        (
            "opening after closing",
            altered("<Dt>2026-11-24</Dt>", "<Dt>2026-11-25</Dt>"),
            "Stmt/Bal[1]/Dt",
            "the opening balance is dated 2026-11-25, after the closing balance (2026-11-24)",
        ),
        (
            "entry with decimals",
            altered(amt1, "<Amt Ccy=\"JPY\">50128.00</Amt>"),
            "Stmt/Ntry[1]/Amt",
            "JPY amounts have no decimals",
        ),
        (
            "entry in another currency",
            altered(amt1, "<Amt Ccy=\"EUR\">50128</Amt>"),
            "Stmt/Ntry[1]/Amt",
            "currency \"EUR\", expected JPY",
        ),
        (
            "entry without CdtDbtInd",
            altered("<CdtDbtInd>DBIT</CdtDbtInd>", ""),
            "Stmt/Ntry[3]/CdtDbtInd",
            "missing",
        ),
        (
            "duplicate NtryRef",
            altered(
                "<NtryRef>CR-20261124-000002</NtryRef>",
                "<NtryRef>CR-20261124-000001</NtryRef>",
            ),
            "Stmt/Ntry[2]/NtryRef",
            "duplicate entry reference \"CR-20261124-000001\" (first in Ntry[1])",
        ),
        (
            "pending entry",
            altered("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>"),
            "Stmt/Ntry[1]/Sts",
            "only booked entries",
        ),
        (
            "bad reversal indicator",
            altered("<Sts>", "<RvslInd>yes</RvslInd><Sts>"),
            "Stmt/Ntry[1]/RvslInd",
            "expected true or false",
        ),
        (
            "batch booking",
            altered("</TxDtls>", "</TxDtls><TxDtls/>"),
            "Stmt/Ntry[1]/NtryDtls/TxDtls",
            "more than one transaction",
        ),
        (
            "truncated document",
            truncated_before("<AddtlNtryInf>"),
            "/Document/BkToCstmrStmt/Stmt/Ntry[2]",
            "ends inside",
        ),
        (
            "not well-formed",
            altered("</NtryRef>", "</NtryReff>"),
            "Ntry[1]/NtryRef",
            "malformed XML",
        ),
        (
            "unclosed",
            altered("</Document>", ""),
            "/Document",
            "ends inside",
        ),
        (
            "second root",
            altered("</Document>", "</Document><Document/>"),
            "/Document",
            "second root",
        ),
        ("empty input", Vec::new(), "/", "no root element"),
    ];
    for (name, xml, path, reason) in cases {
        match read_camt_053(&xml) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => assert!(
                e.path.contains(path) && e.reason.contains(reason),
                "{name}: got {e}, expected path containing {path:?} and reason {reason:?}"
            ),
        }
    }
}

#[test]
fn the_number_of_entries_is_limited() {
    let xml = write_camt_053(&statement());
    assert_eq!(read_with_limit(&xml, 3).unwrap().entries.len(), 3);
    let err = read_with_limit(&xml, 2).unwrap_err();
    assert!(err.path.ends_with("/Stmt/Ntry[3]"), "{err}");
    assert_eq!(err.reason, "more than 2 entries");
}

#[test]
fn an_invalid_document_is_caught_by_the_schema_check() {
    // The check itself must be able to fail: a balance without a type is invalid.
    let xml = altered(
        "<Tp>\n          <CdOrPrtry>\n            <Cd>OPBD</Cd>\n          </CdOrPrtry>\n        </Tp>",
        "",
    );
    crate::iso_xml::test_support::assert_invalid(&xml, XSD);
}
