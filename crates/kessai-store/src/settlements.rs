//! A site's settlements (seed 001 figure 9, 清算情報): each contract whose seller's payout was
//! made or is on its way, with the day the buyer was debited, the day the seller was paid and
//! what the seller got.

use crate::db::query;
use crate::{get, Result, Store};

/// One contract's settlement.
#[derive(Clone, Debug)]
pub struct SettlementRecord {
    pub contract_id: String,
    pub number: String,
    /// The contract as stored (its canonical JSON: the seller's account is in it).
    pub body: String,
    pub amount_yen: i64,
    /// `instructed` (the transfer is with the bank) or `paid`.
    pub payout_state: String,
    pub debited_on: Option<String>,
    pub paid_on: Option<String>,
    /// What the seller got: the transfer's amount (the contract's less the fee); all of it
    /// when the buyer was debited straight into the seller's account; nothing when the fee
    /// took everything.
    pub paid_yen: Option<i64>,
}

impl Store {
    /// The site's contracts whose payout was made or instructed, in contract ID order, `limit`
    /// after the ID `after`.
    pub async fn settlements_of_site(
        &self,
        site_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<SettlementRecord>> {
        let rows = query(
            "SELECT c.id, c.number, c.body, c.amount_yen, c.payout_state, c.paid_on, \
             (SELECT MAX(d.debit_date) FROM debit_items d \
              WHERE d.contract_id = c.id AND d.result = 'debited') AS debited_on, \
             COALESCE((SELECT p.amount_yen FROM payment_instructions p WHERE p.contract_id = c.id), \
                 CASE WHEN c.pooling = 'direct' THEN c.amount_yen WHEN c.payout_state = 'paid' THEN 0 END) AS paid_yen \
             FROM contracts c WHERE c.site_id = $1 AND c.id > $2 AND c.payout_state <> 'waiting' \
             ORDER BY c.id LIMIT $3",
        )
        .bind(site_id)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SettlementRecord {
                    contract_id: get(r, "id")?,
                    number: get(r, "number")?,
                    body: get(r, "body")?,
                    amount_yen: get(r, "amount_yen")?,
                    payout_state: get(r, "payout_state")?,
                    debited_on: get(r, "debited_on")?,
                    paid_on: get(r, "paid_on")?,
                    paid_yen: get(r, "paid_yen")?,
                })
            })
            .collect()
    }
}
