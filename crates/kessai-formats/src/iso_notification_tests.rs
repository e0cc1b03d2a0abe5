//! Tests of [`crate::iso_notification`]: round trips through the official schema, and what the reader
//! refuses.

use super::*;

const XSD: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/xsd/moov.camt.054.001.08.xsd"
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

fn notification() -> Notification {
    Notification {
        message_id: "BANK-CAMT054-20261124-0001".into(),
        created_at: "2026-11-24T15:00:00+09:00".into(),
        notification_id: "NTF-20261124-0001".into(),
        account_number: "1234567".into(),
        bank_code: Some("0005".into()),
        branch_code: Some("123".into()),
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
    let n = notification();
    let xml = write_camt_054(&n);
    assert_valid(&xml);
    let text = String::from_utf8(xml.clone()).unwrap();
    assert!(text.contains("<Amt Ccy=\"JPY\">50128</Amt>"));
    assert!(text.contains("<MmbId>0005123</MmbId>"));
    assert!(text.contains("<Sts>\n          <Cd>BOOK</Cd>"));
    assert!(text.contains("<Cd>RCDT</Cd>") && text.contains("<Cd>ICDT</Cd>"));
    let back = read_camt_054(&xml).unwrap();
    assert_eq!(back, n);
    assert_eq!(
        back.entries[2].end_to_end_id.as_deref(),
        Some("01a1-payout")
    );
}

#[test]
fn round_trip_of_edge_cases() {
    // A reversal, a remittance over 140 characters (split over several Ustrd), no details,
    // no entries at all.
    let mut n = notification();
    let long: String = "K7M4QX9PT2 ﾀﾅｶ ".repeat(20);
    assert!(long.chars().count() > 280);
    n.entries = vec![
        NotificationEntry {
            reversal: true,
            remittance: Some(long),
            ..entry("RV-1", 50_128, false)
        },
        entry("CR-0", 0, true),
    ];
    let xml = write_camt_054(&n);
    assert_valid(&xml);
    assert_eq!(String::from_utf8_lossy(&xml).matches("<Ustrd>").count(), 3);
    assert_eq!(read_camt_054(&xml).unwrap(), n);
    n.entries.clear();
    let xml = write_camt_054(&n);
    assert_valid(&xml);
    assert_eq!(read_camt_054(&xml).unwrap(), n);
}

#[test]
fn reads_a_bank_document_with_prefixes_and_elements_it_does_not_use() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- from the bank -->
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
 <c:BkToCstmrDbtCdtNtfctn>
  <c:GrpHdr><c:MsgId>M1</c:MsgId><c:CreDtTm>2026-11-24T15:00:00+09:00</c:CreDtTm>
   <c:AddtlInf>intraday</c:AddtlInf></c:GrpHdr>
  <c:Ntfctn>
   <c:Id>N1</c:Id>
   <c:Acct><c:Id><c:Othr><c:Id>7654321</c:Id></c:Othr></c:Id><c:Ccy>JPY</c:Ccy>
<c:Svcr><c:FinInstnId><c:ClrSysMmbId><c:MmbId>0009001</c:MmbId></c:ClrSysMmbId>
 <c:Nm>SMBC</c:Nm></c:FinInstnId></c:Svcr></c:Acct>
   <c:Ntry>
<c:NtryRef>R1</c:NtryRef><c:Amt Ccy="JPY"> 0012000 </c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd>
<c:RvslInd>false</c:RvslInd>
<c:Sts><c:Cd>BOOK</c:Cd></c:Sts><c:BookgDt><c:DtTm>2026-11-24T10:30:00+09:00</c:DtTm></c:BookgDt>
<c:ValDt><c:Dt>2026-11-24</c:Dt></c:ValDt><c:AcctSvcrRef>X</c:AcctSvcrRef>
<c:BkTxCd><c:Prtry><c:Cd>01</c:Cd></c:Prtry></c:BkTxCd>
<c:NtryDtls><c:TxDtls>
 <c:Refs><c:EndToEndId>NOTPROVIDED</c:EndToEndId></c:Refs>
 <c:Amt Ccy="JPY">12000</c:Amt>
 <c:RltdPties><c:Dbtr><c:Pty><c:Nm>ｽｽﾞｷ ｲﾁﾛｳ</c:Nm></c:Pty></c:Dbtr>
  <c:Cdtr><c:Pty><c:Nm>ｹﾂｻｲ</c:Nm></c:Pty></c:Cdtr></c:RltdPties>
 <c:RmtInf><c:Ustrd>K7M4QX9PT2</c:Ustrd><c:Ustrd><![CDATA[ & more]]></c:Ustrd></c:RmtInf>
</c:TxDtls></c:NtryDtls>
   </c:Ntry>
  </c:Ntfctn>
 </c:BkToCstmrDbtCdtNtfctn>
</c:Document>
"#;
    assert_valid(xml.as_bytes());
    let n = read_camt_054(xml.as_bytes()).unwrap();
    assert_eq!(
        (n.bank_code.as_deref(), n.branch_code.as_deref()),
        (Some("0009"), Some("001"))
    );
    assert_eq!(n.account_number, "7654321");
    let e = &n.entries[0];
    assert_eq!(e.amount_yen, 12_000);
    assert_eq!(e.booking_date.as_deref(), Some("2026-11-24"));
    assert!(e.credit && !e.reversal);
    assert_eq!(e.debtor_name.as_deref(), Some("ｽｽﾞｷ ｲﾁﾛｳ"));
    assert_eq!(e.remittance.as_deref(), Some("K7M4QX9PT2 & more"));
    assert_eq!(e.end_to_end_id.as_deref(), Some("NOTPROVIDED"));
    assert_eq!(n.entry_identities()[0], "camt:7654321:svcr:X");
}

/// The written document with the first `from` replaced by `to` (which must occur).
fn altered(from: &str, to: &str) -> Vec<u8> {
    edited(&[(from, to)])
}

fn edited(edits: &[(&str, &str)]) -> Vec<u8> {
    let mut text = String::from_utf8(write_camt_054(&notification())).unwrap();
    for (from, to) in edits {
        assert!(text.contains(from), "{from:?} not in the document");
        text = text.replacen(from, to, 1);
    }
    text.into_bytes()
}

/// The written document cut just before `marker`.
fn truncated_before(marker: &str) -> Vec<u8> {
    let text = String::from_utf8(write_camt_054(&notification())).unwrap();
    let at = text.find(marker).expect("marker in the document");
    text.as_bytes()[..at].to_vec()
}

#[test]
fn malformed_documents_are_rejected_with_path_and_reason() {
    let amt1 = "<Amt Ccy=\"JPY\">50128</Amt>";
    let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
        (
            "wrong namespace",
            altered(
                CAMT_054_NS,
                "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
            ),
            "/Document",
            "expected Document in namespace",
        ),
        (
            "no namespace",
            altered(&format!(" xmlns=\"{CAMT_054_NS}\""), ""),
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
                ("<BkToCstmrDbtCdtNtfctn>", "<BkToCstmrStmt>"),
                ("</BkToCstmrDbtCdtNtfctn>", "</BkToCstmrStmt>"),
            ]),
            "/Document/BkToCstmrStmt",
            "expected BkToCstmrDbtCdtNtfctn",
        ),
        (
            "missing MsgId",
            altered("<MsgId>BANK-CAMT054-20261124-0001</MsgId>", ""),
            "GrpHdr/MsgId",
            "missing",
        ),
        (
            "empty MsgId",
            altered("<MsgId>BANK-CAMT054-20261124-0001</MsgId>", "<MsgId/>"),
            "GrpHdr/MsgId",
            "empty",
        ),
        (
            "missing Ntfctn Id",
            altered("<Id>NTF-20261124-0001</Id>", ""),
            "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Id",
            "missing",
        ),
        (
            "missing account",
            altered("<Id>1234567</Id>", ""),
            "Ntfctn/Acct/Id",
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
            "two notifications",
            altered("</Ntfctn>", "</Ntfctn><Ntfctn></Ntfctn>"),
            "BkToCstmrDbtCdtNtfctn/Ntfctn[2]",
            "more than one Ntfctn",
        ),
        (
            "entry without Amt",
            altered(amt1, ""),
            "Ntry[1]/Amt",
            "missing",
        ),
        (
            "entry without CdtDbtInd",
            altered("<CdtDbtInd>DBIT</CdtDbtInd>", ""),
            "Ntry[3]/CdtDbtInd",
            "missing",
        ),
        (
            "unknown CdtDbtInd",
            altered("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>CRED</CdtDbtInd>"),
            "Ntry[1]/CdtDbtInd",
            "expected CRDT or DBIT",
        ),
        (
            "JPY with decimals",
            altered(amt1, "<Amt Ccy=\"JPY\">50128.00</Amt>"),
            "Ntry[1]/Amt",
            "JPY amounts have no decimals",
        ),
        (
            "other currency",
            altered(amt1, "<Amt Ccy=\"USD\">50128</Amt>"),
            "Ntry[1]/Amt",
            "currency \"USD\", expected JPY",
        ),
        (
            "no currency",
            altered(amt1, "<Amt>50128</Amt>"),
            "Ntry[1]/Amt",
            "without Ccy",
        ),
        (
            "negative amount",
            altered(amt1, "<Amt Ccy=\"JPY\">-50128</Amt>"),
            "Ntry[1]/Amt",
            "negative amount",
        ),
        (
            "non-numeric amount",
            altered(amt1, "<Amt Ccy=\"JPY\">5O128</Amt>"),
            "Ntry[1]/Amt",
            "not a whole number of yen",
        ),
        (
            "empty amount",
            altered(amt1, "<Amt Ccy=\"JPY\"/>"),
            "Ntry[1]/Amt",
            "empty amount",
        ),
        (
            "amount beyond u64",
            altered(amt1, "<Amt Ccy=\"JPY\">99999999999999999999</Amt>"),
            "Ntry[1]/Amt",
            "too large",
        ),
        (
            "two amounts",
            altered(amt1, &format!("{amt1}{amt1}")),
            "Ntry[1]/Amt",
            "more than once",
        ),
        (
            "duplicate NtryRef",
            altered(
                "<NtryRef>CR-20261124-000002</NtryRef>",
                "<NtryRef>CR-20261124-000001</NtryRef>",
            ),
            "Ntry[2]/NtryRef",
            "duplicate entry reference \"CR-20261124-000001\" (first in Ntry[1])",
        ),
        (
            "pending entry",
            altered("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>"),
            "Ntry[1]/Sts",
            "only booked entries",
        ),
        (
            "bad booking date",
            altered("<Dt>2026-11-24</Dt>", "<Dt>24.11.2026</Dt>"),
            "Ntry[1]/BookgDt/Dt",
            "not an ISO date",
        ),
        (
            "bad reversal indicator",
            altered("<Sts>", "<RvslInd>yes</RvslInd><Sts>"),
            "Ntry[1]/RvslInd",
            "expected true or false",
        ),
        (
            "batch booking",
            altered("</TxDtls>", "</TxDtls><TxDtls/>"),
            "Ntry[1]/NtryDtls/TxDtls",
            "more than one transaction",
        ),
        (
            "truncated document",
            truncated_before("<AddtlNtryInf>"),
            "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry[2]",
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
        match read_camt_054(&xml) {
            Ok(_) => panic!("{name}: accepted"),
            Err(e) => assert!(
                e.path.contains(path) && e.reason.contains(reason),
                "{name}: got {e}, expected path containing {path:?} and reason {reason:?}"
            ),
        }
    }
}

#[test]
fn jpy_amounts_with_decimals_are_rejected() {
    for amount in ["1000.00", "1000.0", "1000.5", "0.5", ".5", "1000."] {
        let xml = altered(
            "<Amt Ccy=\"JPY\">12000</Amt>",
            &format!("<Amt Ccy=\"JPY\">{amount}</Amt>"),
        );
        let err = read_camt_054(&xml).unwrap_err();
        assert!(err.path.ends_with("/Ntry[2]/Amt"), "{amount}: {err}");
        assert!(
            err.reason.contains("JPY amounts have no decimals"),
            "{amount}: {err}"
        );
    }
    // The writer never writes decimals.
    let text = String::from_utf8(write_camt_054(&notification())).unwrap();
    assert!(!text.contains(".0<") && text.contains(">12000</Amt>"));
}

#[test]
fn the_number_of_entries_is_limited() {
    let xml = write_camt_054(&notification());
    assert_eq!(read_with_limit(&xml, 3).unwrap().entries.len(), 3);
    let err = read_with_limit(&xml, 2).unwrap_err();
    assert!(err.path.ends_with("/Ntfctn/Ntry[3]"), "{err}");
    assert_eq!(err.reason, "more than 2 entries");
}

#[test]
fn an_invalid_document_is_caught_by_the_schema_check() {
    // The check itself must be able to fail: an entry without a status is invalid.
    let xml = altered("<Sts>\n          <Cd>BOOK</Cd>\n        </Sts>", "");
    crate::iso_xml::test_support::assert_invalid(&xml, XSD);
}
