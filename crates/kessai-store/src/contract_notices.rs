//! Notices of a contract's changes for its parties' emails (recorded by
//! `Tx::contracts_changed`), taken once each by the worker that writes the emails.

use crate::db::query;
use crate::{get, Result, Tx};

/// One change of a contract, with the contract as it is now.
#[derive(Clone, Debug)]
pub struct ContractNotice {
    pub id: String,
    pub contract_id: String,
    pub number: String,
    /// The contract's canonical JSON (the parties' names and emails are in it).
    pub body: String,
    pub amount_yen: i64,
    /// The tracks as the change left them.
    pub debit_state: String,
    pub delivery_state: String,
    pub payout_state: String,
    pub paid_on: Option<String>,
}

impl Tx {
    /// Up to `limit` notices not yet taken, oldest first.
    pub async fn contract_notices_due(&mut self, limit: i64) -> Result<Vec<ContractNotice>> {
        let rows = query(
            "SELECT n.id, n.contract_id, c.number, c.body, c.amount_yen, n.debit_state, \
             n.delivery_state, n.payout_state, n.paid_on FROM contract_notices n \
             JOIN contracts c ON c.id = n.contract_id WHERE n.done_at_ms IS NULL \
             ORDER BY n.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContractNotice {
                    id: get(r, "id")?,
                    contract_id: get(r, "contract_id")?,
                    number: get(r, "number")?,
                    body: get(r, "body")?,
                    amount_yen: get(r, "amount_yen")?,
                    debit_state: get(r, "debit_state")?,
                    delivery_state: get(r, "delivery_state")?,
                    payout_state: get(r, "payout_state")?,
                    paid_on: get(r, "paid_on")?,
                })
            })
            .collect()
    }

    /// Takes a notice; false when another worker took it first.
    pub async fn take_contract_notice(&mut self, id: &str, now_ms: i64) -> Result<bool> {
        let done = query(
            "UPDATE contract_notices SET done_at_ms = $2 WHERE id = $1 AND done_at_ms IS NULL",
        )
        .bind(id)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
