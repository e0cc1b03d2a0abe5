//! Every entry of every imported bank file with what became of it, and the invariant that
//! reads them back: each entry of a file is accounted for, and they add up to the file's totals.

use crate::bulk::Rows;
use crate::db::{query, query_scalar, Row};
use crate::{get, Result, Store, Tx};
use kessai_core::check::Violation;

/// What became of one entry of a bank file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryOutcome {
    /// A credit matched to a deal.
    Matched,
    /// A credit on the suspense list.
    Suspense,
    /// A credit whose identity the bank had used for other content: on the suspense list as a
    /// credit of its own, beside the earlier one.
    Conflict,
    /// The same identity and content as an earlier entry: nothing applied.
    Duplicate,
    /// A reversal (取消) undone in the deal that held the money, or taken off the suspense list.
    ReversalApplied,
    /// A reversal after the money had moved on: a claim on the payer.
    ReversalClaim,
    /// Listed for the operator, not applied (a withdrawal without Kessai's reference, a 訂正).
    Listed,
    /// An answer that moved one of Kessai's instructions.
    AnswerApplied,
    /// An answer applied before, or repeating the instruction's status.
    AnswerDuplicate,
    /// An answer about no known instruction, or too late to change it.
    AnswerIgnored,
    /// A transfer came back whose deposit was used already: for the operator.
    AnswerForOperator,
    /// A direct-debit result that moved one of Kessai's debits (debited, or failed and why).
    DebitApplied,
    /// A debit result applied before.
    DebitDuplicate,
    /// A debit result about no debit of Kessai's, or contradicting the one applied: for the
    /// operator.
    DebitIgnored,
}

impl EntryOutcome {
    pub const ALL: [EntryOutcome; 14] = [
        EntryOutcome::Matched,
        EntryOutcome::Suspense,
        EntryOutcome::Conflict,
        EntryOutcome::Duplicate,
        EntryOutcome::ReversalApplied,
        EntryOutcome::ReversalClaim,
        EntryOutcome::Listed,
        EntryOutcome::AnswerApplied,
        EntryOutcome::AnswerDuplicate,
        EntryOutcome::AnswerIgnored,
        EntryOutcome::AnswerForOperator,
        EntryOutcome::DebitApplied,
        EntryOutcome::DebitDuplicate,
        EntryOutcome::DebitIgnored,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntryOutcome::Matched => "matched",
            EntryOutcome::Suspense => "suspense",
            EntryOutcome::Conflict => "conflict",
            EntryOutcome::Duplicate => "duplicate",
            EntryOutcome::ReversalApplied => "reversal_applied",
            EntryOutcome::ReversalClaim => "reversal_claim",
            EntryOutcome::Listed => "listed",
            EntryOutcome::AnswerApplied => "answer_applied",
            EntryOutcome::AnswerDuplicate => "answer_duplicate",
            EntryOutcome::AnswerIgnored => "answer_ignored",
            EntryOutcome::AnswerForOperator => "answer_for_operator",
            EntryOutcome::DebitApplied => "debit_applied",
            EntryOutcome::DebitDuplicate => "debit_duplicate",
            EntryOutcome::DebitIgnored => "debit_ignored",
        }
    }

    /// Whether the entry is (or, for a duplicate, repeats) a credit, which it names: that
    /// credit must exist with the entry's amount and content.
    pub fn is_credit(self) -> bool {
        matches!(
            self,
            EntryOutcome::Matched
                | EntryOutcome::Suspense
                | EntryOutcome::Conflict
                | EntryOutcome::Duplicate
                | EntryOutcome::ReversalApplied
                | EntryOutcome::ReversalClaim
        )
    }
}

/// One entry of a file, about to be recorded.
pub struct NewEntry<'a> {
    /// 1-based, in file order.
    pub position: i64,
    pub identity: &'a str,
    pub content: &'a str,
    pub amount_yen: i64,
    pub outcome: EntryOutcome,
    pub credit_id: Option<&'a str>,
    pub instruction_id: Option<&'a str>,
}

impl Tx {
    /// Records the entries of the file `file_id`, in multi-row statements.
    pub async fn insert_entries(&mut self, file_id: &str, entries: &[NewEntry<'_>]) -> Result<()> {
        let mut rows = Rows::new(
            "bank_entries",
            &[
                "file_id",
                "position",
                "identity",
                "content",
                "amount_yen",
                "outcome",
                "credit_id",
                "instruction_id",
            ],
        );
        for e in entries {
            rows.push([
                file_id.into(),
                e.position.into(),
                e.identity.into(),
                e.content.into(),
                e.amount_yen.into(),
                e.outcome.as_str().into(),
                e.credit_id.map(str::to_string).into(),
                e.instruction_id.map(str::to_string).into(),
            ]);
        }
        rows.write(self).await
    }
}

/// The outcomes `which` selects, quoted for SQL.
fn quoted(which: impl Fn(EntryOutcome) -> bool) -> String {
    EntryOutcome::ALL
        .into_iter()
        .filter(|o| which(*o))
        .map(|o| format!("'{}'", o.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Per imported file: its entries are all recorded and add up to what the file says; each
    /// entry's outcome is known; an entry that is (or repeats) a credit names one that exists
    /// with the same amount and content; no credit is claimed as new by two entries. Each
    /// query reads the entries once (joins on keys, no per-row subqueries).
    pub(crate) async fn entries_against_files(&self) -> Result<Vec<Violation>> {
        let mut found = self.file_totals().await?;
        let sql = format!(
            "SELECT f.name, e.file_id, e.position, e.identity, e.outcome, e.amount_yen, e.content, \
             c.id AS credit, c.amount_yen AS credit_amount, c.content AS credit_content \
             FROM bank_entries e JOIN bank_files f ON f.id = e.file_id \
             LEFT JOIN bank_credits c ON c.id = e.credit_id \
             WHERE e.outcome NOT IN ({all}) \
             OR (e.outcome = 'answer_applied' AND e.instruction_id IS NULL) \
             OR (e.outcome IN ({credit}) AND (c.id IS NULL OR c.amount_yen <> e.amount_yen \
                 OR COALESCE(c.content, e.content) <> e.content)) \
             ORDER BY e.file_id, e.position",
            credit = quoted(EntryOutcome::is_credit),
            all = quoted(|_| true),
        );
        for r in query(&sql).fetch_all(self.scan_reader()).await? {
            let outcome: String = get(&r, "outcome")?;
            let content: String = get(&r, "content")?;
            let credit: Option<String> = get(&r, "credit")?;
            let known = EntryOutcome::ALL.iter().any(|o| o.as_str() == outcome);
            let reason = if !known {
                format!("its outcome '{outcome}' is not one Kessai records")
            } else if outcome == "answer_applied" {
                "recorded as an applied answer without its instruction".to_string()
            } else if let Some(id) = credit {
                let amount: i64 = get(&r, "credit_amount")?;
                let other: Option<String> = get(&r, "credit_content")?;
                format!(
                    "recorded as {outcome} of credit {id}, which says '{}' (¥{amount}), but the entry says '{content}'",
                    other.unwrap_or_default()
                )
            } else {
                format!("recorded as {outcome}, but no such credit exists: the money is not in the books")
            };
            found.push(entry_violation(&r, reason)?);
        }
        let sql = format!(
            "SELECT f.name, e.file_id, e.position, e.identity, e.credit_id FROM bank_entries e \
             JOIN bank_files f ON f.id = e.file_id \
             JOIN (SELECT credit_id FROM bank_entries WHERE outcome IN ({}) AND outcome <> 'duplicate' \
                   GROUP BY credit_id HAVING COUNT(*) > 1) twice ON twice.credit_id = e.credit_id \
             WHERE e.outcome <> 'duplicate' ORDER BY e.credit_id, e.file_id, e.position",
            quoted(EntryOutcome::is_credit)
        );
        for r in query(&sql).fetch_all(self.scan_reader()).await? {
            let credit: String = get(&r, "credit_id")?;
            let reason = format!("credit {credit} is claimed as new by more than one entry");
            found.push(entry_violation(&r, reason)?);
        }
        Ok(found)
    }

    /// Files whose recorded entries differ in number or total from what the file says, with
    /// the positions missing.
    async fn file_totals(&self) -> Result<Vec<Violation>> {
        let rows = query(
            "SELECT f.id, f.name, f.entries, f.total_yen, COUNT(e.position) AS n, \
             CAST(COALESCE(SUM(e.amount_yen), 0) AS BIGINT) AS total \
             FROM bank_files f LEFT JOIN bank_entries e ON e.file_id = f.id \
             WHERE f.entries IS NOT NULL GROUP BY f.id, f.name, f.entries, f.total_yen \
             HAVING COUNT(e.position) <> f.entries OR CAST(COALESCE(SUM(e.amount_yen), 0) AS BIGINT) <> f.total_yen \
             ORDER BY f.id",
        )
        .fetch_all(self.scan_reader())
        .await?;
        let mut found = vec![];
        for r in rows {
            let (id, name): (String, String) = (get(&r, "id")?, get(&r, "name")?);
            let entries: i64 = get(&r, "entries")?;
            let positions: Vec<i64> = query_scalar(
                "SELECT position FROM bank_entries WHERE file_id = $1 ORDER BY position",
            )
            .bind(&id)
            .fetch_all(self.scan_reader())
            .await?;
            let missing: Vec<i64> = (1..=entries)
                .filter(|p| positions.binary_search(p).is_err())
                .take(20)
                .collect();
            found.push(Violation::FileUnaccounted {
                file: format!("{name} ({id})"),
                entries,
                total_yen: get(&r, "total_yen")?,
                accounted: get(&r, "n")?,
                accounted_yen: get(&r, "total")?,
                missing,
            });
        }
        Ok(found)
    }
}

fn entry_violation(r: &Row, reason: String) -> Result<Violation> {
    let (name, id): (String, String) = (get(r, "name")?, get(r, "file_id")?);
    Ok(Violation::EntryUnaccounted {
        file: format!("{name} ({id})"),
        entry: get(r, "position")?,
        identity: get(r, "identity")?,
        reason,
    })
}
