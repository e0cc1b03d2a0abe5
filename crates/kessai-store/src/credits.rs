//! Incoming transfers as reported by the bank, each applied exactly once by its `bank_ref`.

use crate::{get, new_internal_id, Result, Store, Tx};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CreditOutcome {
    /// Matched to a deal; the deal's rules applied.
    Matched,
    /// No deal found: held in unmatched receipts for the operator.
    Unmatched,
    /// The bank took a reported payment back, and the deal still held it: undone.
    Reversed,
    /// The bank took a payment back that could not be undone (no deal, or the money had moved
    /// on): listed for the operator.
    ReversalUnapplied,
}

impl CreditOutcome {
    fn as_str(self) -> &'static str {
        match self {
            CreditOutcome::Matched => "matched",
            CreditOutcome::Unmatched => "unmatched",
            CreditOutcome::Reversed => "reversed",
            CreditOutcome::ReversalUnapplied => "reversal_unapplied",
        }
    }
}

/// An incoming transfer as the bank reported it, about to be recorded.
pub struct NewCredit<'a> {
    pub bank_ref: &'a str,
    pub amount_yen: i64,
    pub reference: &'a str,
    pub deal_id: Option<&'a str>,
    pub outcome: CreditOutcome,
    pub now_ms: i64,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct CreditRecord {
    pub id: String,
    pub bank_ref: String,
    pub amount_yen: i64,
    pub reference: String,
    pub deal_id: Option<String>,
    pub outcome: String,
    pub received_at_ms: i64,
}

pub(crate) fn credit_from_row(r: &sqlx::any::AnyRow) -> Result<CreditRecord> {
    Ok(CreditRecord {
        id: get(r, "id")?,
        bank_ref: get(r, "bank_ref")?,
        amount_yen: get(r, "amount_yen")?,
        reference: get(r, "reference")?,
        deal_id: get(r, "deal_id")?,
        outcome: get(r, "outcome")?,
        received_at_ms: get(r, "received_at_ms")?,
    })
}

impl Tx {
    /// Records a credit; `false` when a credit with this `bank_ref` was already recorded.
    pub async fn insert_credit(&mut self, c: &NewCredit<'_>) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO bank_credits (id, bank_ref, amount_yen, reference, deal_id, outcome, received_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (bank_ref) DO NOTHING",
        )
        .bind(new_internal_id())
        .bind(c.bank_ref)
        .bind(c.amount_yen)
        .bind(c.reference)
        .bind(c.deal_id)
        .bind(c.outcome.as_str())
        .bind(c.now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn credit_by_ref(&mut self, bank_ref: &str) -> Result<Option<CreditRecord>> {
        let row = sqlx::query(
            "SELECT id, bank_ref, amount_yen, reference, deal_id, outcome, received_at_ms FROM bank_credits WHERE bank_ref = $1",
        )
        .bind(bank_ref)
        .fetch_optional(self.conn())
        .await?;
        row.as_ref().map(credit_from_row).transpose()
    }
}

impl Tx {
    pub async fn credit_by_id(&mut self, id: &str) -> Result<Option<CreditRecord>> {
        let row = sqlx::query("SELECT id, bank_ref, amount_yen, reference, deal_id, outcome, received_at_ms FROM bank_credits WHERE id = $1")
            .bind(id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(credit_from_row).transpose()
    }

    /// Takes an unmatched credit off the suspense list for a deal; `false` if it was no longer there.
    pub async fn assign_credit(&mut self, id: &str, deal_id: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE bank_credits SET outcome = 'assigned', deal_id = $1 WHERE id = $2 AND outcome = 'unmatched'")
            .bind(deal_id)
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    pub async fn unmatched_credit_count(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM bank_credits WHERE outcome = 'unmatched'")
                .fetch_one(&self.pool)
                .await?,
        )
    }
}
