//! ISO 20022 messages Kessai writes: pain.001.001.09 (credit transfers: payouts, refunds).
//! Every message validates against the official schema in `shared/standards/iso20022`
//! (checked by the test suite with xmllint).
//!
//! Japanese specifics: banks are identified by the Zengin clearing system (`JPZGN`) with the
//! 4-digit bank and 3-digit branch code as member ID; the account type travels as its Zengin
//! code (1 普通, 2 当座, 4 貯蓄) in `Tp/Prtry`; yen amounts have no decimals.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

pub const PAIN_001_NS: &str = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

/// An account at a Japanese bank, as the messages carry it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub bank_code: String,
    pub branch_code: String,
    /// Zengin 預金種目: 1 普通, 2 当座, 4 貯蓄.
    pub account_type: u8,
    pub account_number: String,
    pub holder_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditTransfer {
    /// Unique per instruction; the bank's status report (pain.002) refers to it.
    pub end_to_end_id: String,
    pub amount_yen: u64,
    pub creditor: Account,
    /// Unstructured remittance text (up to 140 characters).
    pub remittance: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreditTransferBatch {
    pub message_id: String,
    /// ISO date-time, e.g. `2026-11-24T09:00:00+09:00`.
    pub created_at: String,
    /// ISO date of execution, e.g. `2026-11-24`.
    pub execution_date: String,
    pub debtor: Account,
    pub transfers: Vec<CreditTransfer>,
}

struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    fn open(&mut self, name: &str) {
        self.w
            .write_event(Event::Start(BytesStart::new(name)))
            .expect("writing to memory");
    }

    fn close(&mut self, name: &str) {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .expect("writing to memory");
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        self.w
            .write_event(Event::Text(BytesText::new(text)))
            .expect("writing to memory");
        self.close(name);
    }

    fn amount(&mut self, name: &str, yen: u64) {
        let mut start = BytesStart::new(name);
        start.push_attribute(("Ccy", "JPY"));
        self.w
            .write_event(Event::Start(start))
            .expect("writing to memory");
        self.w
            .write_event(Event::Text(BytesText::new(&yen.to_string())))
            .expect("writing to memory");
        self.close(name);
    }

    /// `<X><FinInstnId><ClrSysMmbId>…` — a Japanese bank branch.
    fn agent(&mut self, name: &str, a: &Account) {
        self.open(name);
        self.open("FinInstnId");
        self.open("ClrSysMmbId");
        self.open("ClrSysId");
        self.leaf("Cd", "JPZGN");
        self.close("ClrSysId");
        self.leaf("MmbId", &format!("{}{}", a.bank_code, a.branch_code));
        self.close("ClrSysMmbId");
        self.close("FinInstnId");
        self.close(name);
    }

    fn account(&mut self, name: &str, a: &Account) {
        self.open(name);
        self.open("Id");
        self.open("Othr");
        self.leaf("Id", &a.account_number);
        self.close("Othr");
        self.close("Id");
        self.open("Tp");
        self.leaf("Prtry", &a.account_type.to_string());
        self.close("Tp");
        self.leaf("Ccy", "JPY");
        self.close(name);
    }

    fn party(&mut self, name: &str, holder: &str) {
        self.open(name);
        self.leaf("Nm", holder);
        self.close(name);
    }
}

/// Writes one pain.001.001.09 document: one payment information block from the debtor account.
pub fn write_pain_001(batch: &CreditTransferBatch) -> Vec<u8> {
    let mut x = Xml {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
    };
    x.w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .expect("writing to memory");
    let mut doc = BytesStart::new("Document");
    doc.push_attribute(("xmlns", PAIN_001_NS));
    x.w.write_event(Event::Start(doc))
        .expect("writing to memory");
    x.open("CstmrCdtTrfInitn");
    let count = batch.transfers.len().to_string();
    let total: u64 = batch.transfers.iter().map(|t| t.amount_yen).sum();
    x.open("GrpHdr");
    x.leaf("MsgId", &batch.message_id);
    x.leaf("CreDtTm", &batch.created_at);
    x.leaf("NbOfTxs", &count);
    x.leaf("CtrlSum", &total.to_string());
    x.party("InitgPty", &batch.debtor.holder_name);
    x.close("GrpHdr");
    x.open("PmtInf");
    x.leaf("PmtInfId", &batch.message_id);
    x.leaf("PmtMtd", "TRF");
    x.leaf("NbOfTxs", &count);
    x.leaf("CtrlSum", &total.to_string());
    x.open("ReqdExctnDt");
    x.leaf("Dt", &batch.execution_date);
    x.close("ReqdExctnDt");
    x.party("Dbtr", &batch.debtor.holder_name);
    x.account("DbtrAcct", &batch.debtor);
    x.agent("DbtrAgt", &batch.debtor);
    for t in &batch.transfers {
        x.open("CdtTrfTxInf");
        x.open("PmtId");
        x.leaf("EndToEndId", &t.end_to_end_id);
        x.close("PmtId");
        x.open("Amt");
        x.amount("InstdAmt", t.amount_yen);
        x.close("Amt");
        x.agent("CdtrAgt", &t.creditor);
        x.party("Cdtr", &t.creditor.holder_name);
        x.account("CdtrAcct", &t.creditor);
        if !t.remittance.is_empty() {
            x.open("RmtInf");
            x.leaf("Ustrd", &t.remittance);
            x.close("RmtInf");
        }
        x.close("CdtTrfTxInf");
    }
    x.close("PmtInf");
    x.close("CstmrCdtTrfInitn");
    x.close("Document");
    let mut out = x.w.into_inner();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    const XSD: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/standards/iso20022/sepaxml.pain.001.001.09.xsd"
    );

    pub fn account(number: &str, name: &str) -> Account {
        Account {
            bank_code: "0005".into(),
            branch_code: "123".into(),
            account_type: 1,
            account_number: number.into(),
            holder_name: name.into(),
        }
    }

    fn batch() -> CreditTransferBatch {
        CreditTransferBatch {
            message_id: "KESSAI-20261124-0001".into(),
            created_at: "2026-11-24T09:00:00+09:00".into(),
            execution_date: "2026-11-24".into(),
            debtor: account("1234567", "ｹﾂｻｲ ｴｽｸﾛ-"),
            transfers: vec![
                CreditTransfer {
                    end_to_end_id: "01a1-payout".into(),
                    amount_yen: 50_128,
                    creditor: account("7654321", "ｻﾄｳ ﾊﾅｺ"),
                    remittance: "K7M4QX9PT2".into(),
                },
                CreditTransfer {
                    end_to_end_id: "01a1-refund".into(),
                    amount_yen: 2_000,
                    creditor: account("0000042", "ﾔﾏﾀﾞ ﾀﾛｳ"),
                    remittance: String::new(),
                },
            ],
        }
    }

    /// Validates with xmllint against the official schema; the whole suite needs xmllint
    /// (`bash test.sh` installs it).
    pub fn assert_valid(xml: &[u8], xsd: &str) {
        let dir = std::env::temp_dir().join(format!("kessai-xsd-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.xml", xml.len()));
        std::fs::write(&path, xml).unwrap();
        let out = Command::new("xmllint")
            .args(["--noout", "--schema", xsd])
            .arg(&path)
            .output()
            .expect("xmllint is needed to validate ISO 20022 output: run the tests with `bash test.sh`, which installs it");
        assert!(
            out.status.success(),
            "schema validation failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn pain_001_validates_against_the_official_schema() {
        let xml = write_pain_001(&batch());
        assert_valid(&xml, XSD);
        let text = String::from_utf8(xml).unwrap();
        assert!(
            text.contains("<CtrlSum>52128</CtrlSum>")
                && text.contains("<InstdAmt Ccy=\"JPY\">50128</InstdAmt>")
        );
        assert!(text.contains("<MmbId>0005123</MmbId>"));
    }

    #[test]
    fn an_invalid_document_is_caught_by_the_schema_check() {
        // The check itself must be able to fail: a transfer without an end-to-end ID is invalid.
        let mut b = batch();
        b.transfers[0].end_to_end_id = String::new();
        let xml = write_pain_001(&b);
        let result = std::panic::catch_unwind(|| assert_valid(&xml, XSD));
        assert!(result.is_err(), "an empty EndToEndId must fail validation");
    }
}
