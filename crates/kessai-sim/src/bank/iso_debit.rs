//! The bank's answer to the operator's direct-debit requests in ISO 20022: a pain.008 is
//! answered with a status report (pain.002), each collection settled (`ACSC`) or rejected with
//! the reason code banks use (AM04 insufficient funds, AC04 closed account, MD01 no mandate,
//! MS02 refused by the debtor), decided by the seeded draw at the reject rate. The collected
//! money moves from each buyer's account into the operator's.

use super::{account_key, BankState, OutFile, SimError};
use kessai_formats::iso_debit::read_pain_008;
use kessai_formats::iso_status::{write_pain_002, StatusReport, TransactionStatus, TxStatus};

const REASONS: [(&str, &str); 4] = [
    ("AM04", "insufficient funds"),
    ("AC04", "closed account number"),
    ("MD01", "no mandate"),
    ("MS02", "refused by the debtor"),
];

impl BankState {
    /// Answers a pain.008 once; a file already processed is answered with nothing.
    pub fn process_debit_batch(
        &mut self,
        name: &str,
        bytes: &[u8],
        created_at: &str,
    ) -> Result<Vec<OutFile>, SimError> {
        if self.processed.contains(name) {
            return Ok(vec![]);
        }
        let batch =
            read_pain_008(bytes).map_err(|e| SimError::BadFile(name.into(), e.to_string()))?;
        // Into the creditor account: one of the operator's, or with no pooling the seller's.
        let c = &batch.creditor;
        let into = self
            .operator_account(&c.bank_code, &c.branch_code, &c.account_number)
            .map_or_else(|| account_key(c), |a| a.key());
        let mut statuses = vec![];
        let mut collected = 0;
        for d in &batch.debits {
            let draw = self.draw();
            let status = if draw % 1000 < u64::from(self.reject_per_mille) {
                let (code, text) = REASONS[(draw / 1000 % 4) as usize];
                TransactionStatus {
                    end_to_end_id: Some(d.end_to_end_id.clone()),
                    status: Some(TxStatus::Rejected),
                    reason_code: Some(code.into()),
                    reason_text: Some(text.into()),
                }
            } else {
                *self.balances.entry(account_key(&d.debtor)).or_default() -= d.amount_yen as i64;
                self.add(into.clone(), d.amount_yen as i64);
                collected += d.amount_yen;
                TransactionStatus {
                    end_to_end_id: Some(d.end_to_end_id.clone()),
                    status: Some(TxStatus::Settled),
                    reason_code: None,
                    reason_text: None,
                }
            };
            statuses.push(status);
        }
        self.book_collection(&into, collected, &batch.collection_date);
        let seq = self.next();
        let report = StatusReport {
            message_id: format!("SIMBANK-STS-{seq:06}"),
            created_at: created_at.into(),
            original_message_id: batch.message_id.clone(),
            original_message_name: "pain.008.001.08".into(),
            transactions: statuses,
        };
        self.processed.insert(name.to_string());
        Ok(vec![(
            format!("{seq:06}-pain.002.xml"),
            write_pain_002(&report),
        )])
    }
}
