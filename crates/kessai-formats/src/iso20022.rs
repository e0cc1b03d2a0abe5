//! ISO 20022 messages Kessai writes: pain.001.001.09 (credit transfers: payouts, refunds).
//! Every message validates against the official schema in `tests/xsd`
//! (checked by the test suite with xmllint).
//!
//! Japanese specifics: banks are identified by the Zengin clearing system (`JPZGN`) with the
//! 4-digit bank and 3-digit branch code as member ID; the account type travels as its Zengin
//! code (1 普通, 2 当座, 4 貯蓄) in `Tp/Prtry`; yen amounts have no decimals.

use crate::iso_xml::Xml;

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

/// Writes one pain.001.001.09 document: one payment information block from the debtor account.
pub fn write_pain_001(batch: &CreditTransferBatch) -> Vec<u8> {
    let mut x = Xml::document(PAIN_001_NS);
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
    x.finish()
}

/// Why a pain.001 document was refused: the element path and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct Pain001Error {
    pub path: String,
    pub reason: String,
}

/// At most this many transactions are read from one document.
pub const MAX_TRANSACTIONS: usize = 1_000_000;

/// Reads a pain.001.001.09 written by Kessai (or any bank client using the same Japanese
/// conventions): group header, debtor, and every credit transfer. Checks NbOfTxs and CtrlSum.
pub fn read_pain_001(xml: &[u8]) -> Result<CreditTransferBatch, Pain001Error> {
    use quick_xml::events::Event as E;
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let fail = |path: &[String], reason: String| Pain001Error {
        path: path.join("/"),
        reason,
    };
    let mut path: Vec<String> = vec![];
    let mut batch = CreditTransferBatch {
        message_id: String::new(),
        created_at: String::new(),
        execution_date: String::new(),
        debtor: Account {
            bank_code: String::new(),
            branch_code: String::new(),
            account_type: 1,
            account_number: String::new(),
            holder_name: String::new(),
        },
        transfers: vec![],
    };
    let (mut declared_count, mut declared_sum): (Option<u64>, Option<u64>) = (None, None);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Err(e) => return Err(fail(&path, format!("not well-formed XML: {e}"))),
            Ok(E::Eof) if !path.is_empty() => {
                return Err(fail(
                    &path,
                    "not well-formed XML: the document ends inside this element".into(),
                ))
            }
            Ok(E::Eof) => break,
            Ok(E::Start(start)) => {
                let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
                if path.is_empty() {
                    let ns = start
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"xmlns")
                        .map(|a| String::from_utf8_lossy(&a.value).into_owned());
                    if name != "Document" || ns.as_deref() != Some(PAIN_001_NS) {
                        return Err(fail(
                            &[name],
                            format!("not a pain.001.001.09 document (namespace {ns:?})"),
                        ));
                    }
                }
                if name == "CdtTrfTxInf" {
                    if batch.transfers.len() >= MAX_TRANSACTIONS {
                        return Err(fail(
                            &path,
                            format!("more than {MAX_TRANSACTIONS} transactions"),
                        ));
                    }
                    batch.transfers.push(CreditTransfer {
                        end_to_end_id: String::new(),
                        amount_yen: 0,
                        creditor: Account {
                            bank_code: String::new(),
                            branch_code: String::new(),
                            account_type: 1,
                            account_number: String::new(),
                            holder_name: String::new(),
                        },
                        remittance: String::new(),
                    });
                }
                path.push(name);
            }
            Ok(E::End(_)) => {
                if path.last().map(String::as_str) == Some("CdtTrfTxInf") {
                    let t = batch.transfers.last().expect("opened above");
                    if t.end_to_end_id.is_empty() || t.amount_yen == 0 {
                        return Err(fail(
                            &path,
                            "a transaction without EndToEndId or amount".into(),
                        ));
                    }
                }
                path.pop();
            }
            Ok(E::Text(text)) => {
                let value = text
                    .unescape()
                    .map_err(|e| fail(&path, e.to_string()))?
                    .into_owned();
                let joined = path.join("/");
                let tail = joined
                    .strip_prefix("Document/CstmrCdtTrfInitn/")
                    .unwrap_or("");
                let number = |v: &str| {
                    v.parse::<u64>()
                        .map_err(|_| fail(&path, format!("'{v}' is not a whole number of yen")))
                };
                match tail {
                    "GrpHdr/MsgId" => batch.message_id = value,
                    "GrpHdr/CreDtTm" => batch.created_at = value,
                    "GrpHdr/NbOfTxs" => declared_count = Some(number(&value)?),
                    "GrpHdr/CtrlSum" => declared_sum = Some(number(&value)?),
                    "PmtInf/ReqdExctnDt/Dt" => batch.execution_date = value,
                    "PmtInf/Dbtr/Nm" => batch.debtor.holder_name = value,
                    "PmtInf/DbtrAcct/Id/Othr/Id" => batch.debtor.account_number = value,
                    "PmtInf/DbtrAgt/FinInstnId/ClrSysMmbId/MmbId" => {
                        split_member(&mut batch.debtor, &value).map_err(|r| fail(&path, r))?
                    }
                    t if t.starts_with("PmtInf/CdtTrfTxInf/") => {
                        let tx = batch.transfers.last_mut().expect("inside a transaction");
                        match &t["PmtInf/CdtTrfTxInf/".len()..] {
                            "PmtId/EndToEndId" => tx.end_to_end_id = value,
                            "Amt/InstdAmt" => tx.amount_yen = number(&value)?,
                            "CdtrAgt/FinInstnId/ClrSysMmbId/MmbId" => {
                                split_member(&mut tx.creditor, &value)
                                    .map_err(|r| fail(&path, r))?
                            }
                            "Cdtr/Nm" => tx.creditor.holder_name = value,
                            "CdtrAcct/Id/Othr/Id" => tx.creditor.account_number = value,
                            "CdtrAcct/Tp/Prtry" => {
                                tx.creditor.account_type = value.parse().unwrap_or(1)
                            }
                            "RmtInf/Ustrd" => tx.remittance = value,
                            _ => {}
                        }
                    }
                    _ => {}
                }
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    let root = [
        "Document".to_string(),
        "CstmrCdtTrfInitn".to_string(),
        "GrpHdr".to_string(),
    ];
    if batch.message_id.is_empty() {
        return Err(fail(&root, "no MsgId".into()));
    }
    let sum: u64 = batch.transfers.iter().map(|t| t.amount_yen).sum();
    if declared_count != Some(batch.transfers.len() as u64) {
        return Err(fail(
            &root,
            format!(
                "NbOfTxs says {declared_count:?} but the document has {}",
                batch.transfers.len()
            ),
        ));
    }
    if declared_sum.is_some_and(|d| d != sum) {
        return Err(fail(
            &root,
            format!("CtrlSum says {declared_sum:?} but the transactions add up to {sum}"),
        ));
    }
    Ok(batch)
}

/// `MmbId` holds the 4-digit bank code and the 3-digit branch code.
fn split_member(account: &mut Account, member_id: &str) -> Result<(), String> {
    if member_id.len() != 7 || !member_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{member_id}' is not a 4-digit bank code and 3-digit branch code"
        ));
    }
    account.bank_code = member_id[..4].to_string();
    account.branch_code = member_id[4..].to_string();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iso_xml::test_support::assert_valid;

    const XSD: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/xsd/sepaxml.pain.001.001.09.xsd"
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
    fn pain_001_reads_back_what_was_written() {
        let b = batch();
        assert_eq!(read_pain_001(&write_pain_001(&b)).unwrap(), b);
    }

    #[test]
    fn malformed_pain_001_is_refused_with_the_path() {
        let xml = String::from_utf8(write_pain_001(&batch())).unwrap();
        let cases = [
            // The first CtrlSum and NbOfTxs are the group header's.
            (
                xml.replacen("<CtrlSum>52128</CtrlSum>", "<CtrlSum>52129</CtrlSum>", 1),
                "CtrlSum says",
            ),
            (
                xml.replacen("<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>", 1),
                "NbOfTxs says",
            ),
            (xml.replace(">50128<", ">50128.5<"), "not a whole number"),
            (
                xml.replace("pain.001.001.09", "pain.001.001.03"),
                "not a pain.001.001.09",
            ),
            (
                xml.replace("<MmbId>0005123</MmbId>", "<MmbId>55</MmbId>"),
                "bank code",
            ),
            (xml.replace("</Document>", ""), "not well-formed"),
        ];
        for (doc, reason) in cases {
            let e = read_pain_001(doc.as_bytes()).expect_err(reason);
            assert!(e.to_string().contains(reason), "{reason}: {e}");
        }
    }

    #[test]
    fn an_invalid_document_is_caught_by_the_schema_check() {
        // The check itself must be able to fail: a transfer without an end-to-end ID is invalid.
        let mut b = batch();
        b.transfers[0].end_to_end_id = String::new();
        let xml = write_pain_001(&b);
        crate::iso_xml::test_support::assert_invalid(&xml, XSD);
    }
}
