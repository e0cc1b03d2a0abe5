//! Incoming transfers as reported by the bank, each applied exactly once by its `bank_ref`.

use crate::db::{query, query_scalar, Row};
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
    /// The bank took back a credit that was still on the suspense list: both leave the books.
    ReversedUnmatched,
    /// The bank took a payment back after the money had moved on (or from no known payment): a
    /// claim on the payer, listed for the operator to recover or write off.
    ReversalClaim,
    /// One of Kessai's own transfers came back: the deposit is recorded under its bank identity
    /// so that a notice listing the same deposit is not booked as money in a second time.
    TransferReturned,
}

impl CreditOutcome {
    fn as_str(self) -> &'static str {
        match self {
            CreditOutcome::Matched => "matched",
            CreditOutcome::Unmatched => "unmatched",
            CreditOutcome::Reversed => "reversed",
            CreditOutcome::ReversedUnmatched => "reversed_unmatched",
            CreditOutcome::ReversalClaim => "reversal_claim",
            CreditOutcome::TransferReturned => "transfer_returned",
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
    /// What settled it already, for a record that is settled as it is recorded.
    pub resolved_by: Option<&'a str>,
    /// The operator's account the money arrived in, and the payer's 振込依頼人コード, as the
    /// bank reported them: a reversal is matched to its original by them too.
    pub account_number: Option<&'a str>,
    pub transferor_code: Option<&'a str>,
    /// What the bank's entry said, canonically: a later record with the same identity is a
    /// duplicate only if it says the same.
    pub content: Option<&'a str>,
    /// The earlier credit whose identity this record repeats with other content.
    pub conflict_of: Option<&'a str>,
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
    /// What settled it: the return instruction, the reversal that took it back, or the credit
    /// that recovered a claim.
    pub resolved_by: Option<String>,
    /// What the bank's entry said (amount, date, direction, counterparty); none for credits
    /// recorded before it was kept.
    pub content: Option<String>,
    /// A conflict: the earlier credit whose identity this record repeats with other content.
    pub conflict_of: Option<String>,
    /// That earlier credit, where a list shows both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conflict_with: Option<Box<CreditRecord>>,
}

/// What is still owed on the claim `c` (a `bank_credits` row aliased `c`): its amount less the
/// suspense credits that recovered part of it.
pub(crate) const CLAIM_REMAINING: &str =
    "CAST(c.amount_yen - COALESCE((SELECT SUM(r.amount_yen) FROM bank_credits r \
     WHERE r.outcome = 'recovered_claim' AND r.resolved_by = c.id), 0) AS BIGINT)";

/// An open reversal claim and what the payer still owes on it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ClaimRecord {
    #[serde(flatten)]
    pub credit: CreditRecord,
    pub remaining_yen: i64,
}

/// The columns `credit_from_row` reads.
pub(crate) const CREDIT_COLUMNS: &str =
    "id, bank_ref, amount_yen, reference, deal_id, outcome, received_at_ms, resolved_by, content, conflict_of";

pub(crate) fn credit_from_row(r: &Row) -> Result<CreditRecord> {
    Ok(CreditRecord {
        id: get(r, "id")?,
        bank_ref: get(r, "bank_ref")?,
        amount_yen: get(r, "amount_yen")?,
        reference: get(r, "reference")?,
        deal_id: get(r, "deal_id")?,
        outcome: get(r, "outcome")?,
        received_at_ms: get(r, "received_at_ms")?,
        resolved_by: get(r, "resolved_by")?,
        content: get(r, "content")?,
        conflict_of: get(r, "conflict_of")?,
        conflict_with: None,
    })
}

impl Tx {
    /// Records a credit and returns its ID; none when a credit with this `bank_ref` was
    /// already recorded.
    pub async fn insert_credit(&mut self, c: &NewCredit<'_>) -> Result<Option<String>> {
        let mut recorded = self
            .insert_new_credits(std::slice::from_ref(c), None)
            .await?;
        Ok(recorded.pop().flatten())
    }

    /// Records many credits at once, each linked to the bank file `file_id` when one is given
    /// (a credit recorded otherwise is linked when its file's entries are written), skipping
    /// those whose `bank_ref` is recorded already (for the caller to look up): the ID of each
    /// credit recorded, none for each skipped, in order.
    pub async fn insert_new_credits(
        &mut self,
        credits: &[NewCredit<'_>],
        file_id: Option<&str>,
    ) -> Result<Vec<Option<String>>> {
        let ids: Vec<String> = credits.iter().map(|_| new_internal_id()).collect();
        let mut rows = crate::bulk::Rows::new(
            "bank_credits",
            &[
                "id",
                "bank_ref",
                "amount_yen",
                "reference",
                "deal_id",
                "outcome",
                "received_at_ms",
                "resolved_by",
                "account_number",
                "transferor_code",
                "content",
                "conflict_of",
                "file_id",
            ],
        );
        for (c, id) in credits.iter().zip(&ids) {
            rows.push([
                id.as_str().into(),
                c.bank_ref.into(),
                c.amount_yen.into(),
                c.reference.into(),
                c.deal_id.into(),
                c.outcome.as_str().into(),
                c.now_ms.into(),
                c.resolved_by.into(),
                c.account_number.into(),
                c.transferor_code.into(),
                c.content.into(),
                c.conflict_of.into(),
                file_id.into(),
            ]);
        }
        let recorded = rows.write_new_returning(self, "id").await?;
        let recorded: std::collections::HashSet<String> = recorded
            .iter()
            .map(|r| get(r, "id"))
            .collect::<Result<_>>()?;
        Ok(ids
            .into_iter()
            .map(|id| recorded.contains(&id).then_some(id))
            .collect())
    }

    pub async fn credit_by_ref(&mut self, bank_ref: &str) -> Result<Option<CreditRecord>> {
        let sql = format!("SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE bank_ref = $1");
        let row = query(&sql)
            .bind(bank_ref)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(credit_from_row).transpose()
    }
}

impl Tx {
    pub async fn credit_by_id(&mut self, id: &str) -> Result<Option<CreditRecord>> {
        let sql = format!("SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(credit_from_row).transpose()
    }

    /// Takes an unmatched credit off the suspense list for a deal; `false` if it was no longer there.
    pub async fn assign_credit(&mut self, id: &str, deal_id: &str) -> Result<bool> {
        let done = query("UPDATE bank_credits SET outcome = 'assigned', deal_id = $1 WHERE id = $2 AND outcome = 'unmatched'")
            .bind(deal_id)
            .bind(id)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Tx {
    /// Moves a credit from outcome `from` to `to`, noting what settled it; `false` if it was no
    /// longer in `from` (someone else acted first).
    pub async fn settle_credit(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        resolved_by: &str,
    ) -> Result<bool> {
        let done = query(
            "UPDATE bank_credits SET outcome = $1, resolved_by = $2 WHERE id = $3 AND outcome = $4",
        )
        .bind(to)
        .bind(resolved_by)
        .bind(id)
        .bind(from)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The payment a bank reversal takes back: the latest credit with this amount and text,
    /// into the same account from the same payer code, that is still as it was booked (matched
    /// to a deal, assigned to one, or on the suspense list).
    pub async fn original_credit(
        &mut self,
        amount_yen: i64,
        reference: &str,
        account_number: Option<&str>,
        transferor_code: Option<&str>,
    ) -> Result<Option<CreditRecord>> {
        let sql = format!(
            "SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE outcome IN ('matched', 'assigned', 'unmatched') \
             AND amount_yen = $1 AND reference = $2 AND COALESCE(account_number, '') = $3 \
             AND COALESCE(transferor_code, '') = $4 ORDER BY received_at_ms DESC, id DESC LIMIT 1"
        );
        let row = query(&sql)
            .bind(amount_yen)
            .bind(reference)
            .bind(account_number.unwrap_or(""))
            .bind(transferor_code.unwrap_or(""))
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(credit_from_row).transpose()
    }
}

impl Tx {
    /// Whether the rule before migration 9 recorded camt credits since `since_ms` (its records
    /// have no content and a `camt054:` reference): one look per imported file, so that the
    /// entry-by-entry look below runs only in the days after an upgrade.
    pub async fn camt_credits_before_contents_since(&mut self, since_ms: i64) -> Result<bool> {
        let found: Option<i64> = query_scalar(
            "SELECT 1 FROM bank_credits WHERE content IS NULL AND bank_ref LIKE 'camt054:%' \
             AND received_at_ms >= $1 LIMIT 1",
        )
        .bind(since_ms)
        .fetch_optional(self.conn())
        .await?;
        Ok(found.is_some())
    }

    /// The camt payments (money in, not reversals) the rule before migration 9 recorded since
    /// `since_ms` with this amount into this account, earliest first (at most 100: the days after an upgrade hold few).
    pub async fn credits_before_contents(
        &mut self,
        amount_yen: i64,
        account_number: Option<&str>,
        since_ms: i64,
    ) -> Result<Vec<CreditRecord>> {
        let sql = format!(
            "SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE content IS NULL \
             AND outcome IN ('matched', 'assigned', 'unmatched') \
             AND bank_ref LIKE 'camt054:%' AND received_at_ms >= $1 AND amount_yen = $2 \
             AND COALESCE(account_number, '') = $3 ORDER BY received_at_ms, id LIMIT 100"
        );
        let rows = query(&sql)
            .bind(since_ms)
            .bind(amount_yen)
            .bind(account_number.unwrap_or(""))
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(credit_from_row).collect()
    }

    /// Gives a credit recorded by the rule before migration 9 (no content) the identity and
    /// content of the entry it turned out to be; false if another transaction did first.
    pub async fn adopt_identity(
        &mut self,
        id: &str,
        bank_ref: &str,
        content: &str,
    ) -> Result<bool> {
        let done = query(
            "UPDATE bank_credits SET bank_ref = $1, content = $2 WHERE id = $3 AND content IS NULL",
        )
        .bind(bank_ref)
        .bind(content)
        .bind(id)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// What is still owed on the claim `id`, with the claim's row locked against a concurrent
    /// recovery (PostgreSQL; SQLite has one writer anyway).
    pub async fn claim_remaining(&mut self, id: &str) -> Result<i64> {
        query("UPDATE bank_credits SET outcome = outcome WHERE id = $1")
            .bind(id)
            .execute(self.conn())
            .await?;
        let sql = format!("SELECT {CLAIM_REMAINING} FROM bank_credits c WHERE c.id = $1");
        query_scalar(&sql).bind(id).fetch_one(self.conn()).await
    }
}

impl Store {
    /// One credit, read outside any transaction (for pages).
    pub async fn credit_by_id(&self, id: &str) -> Result<Option<CreditRecord>> {
        let sql = format!("SELECT {CREDIT_COLUMNS} FROM bank_credits WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(credit_from_row).transpose()
    }

    pub async fn unmatched_credit_count(&self) -> Result<i64> {
        query_scalar("SELECT COUNT(*) FROM bank_credits WHERE outcome = 'unmatched'")
            .fetch_one(self.reader())
            .await
    }
}
