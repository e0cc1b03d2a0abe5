//! The buyer's bank's results of Kessai's direct debits (seed 001, step 4): a debited contract's
//! money is in the operator's account it was debited into and held for the contract (a
//! balanced journal) — or, with no pooling, in the seller's own account, which settles the
//! contract on the debit's day with nothing in Kessai's books; a failed debit says why, for the site, the buyer and the seller. Each result is
//! applied once: a debit answered before is a duplicate when the result is the same, and
//! listed for the operator when it contradicts the first.
//!
//! A file's results are applied a chunk at a time: the chunk's debits are read in one
//! statement, judged in order in memory (a debit named twice in one chunk sees its first
//! result), and the answers and the contracts' moves written in a few statements. One
//! statement per result was three round trips to PostgreSQL each (ARCHITECTURE.md).

use crate::error::{AppError, AppResult};
use crate::App;
use kessai_core::contract::{debit, DebitOutcome, PaidInto};
use kessai_core::Yen;
use kessai_store::Tx;
use std::collections::BTreeMap;

/// One result as the bank's file gives it: the debit's number (where the record carries one),
/// the amount where the format states it (a Zengin 91 record does; an ISO status report does
/// not), and what the bank did.
pub struct DebitResult {
    pub reference: Option<i64>,
    pub amount_yen: Option<i64>,
    pub outcome: DebitOutcome,
}

/// What one result did.
pub struct DebitApplied {
    pub outcome: Applied,
    pub contract_id: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Applied {
    /// The contract moved: debited, or failed.
    Applied,
    /// The same result was applied before.
    Duplicate,
    /// No debit of Kessai's has this number or amount, or the result contradicts the one
    /// applied: not applied.
    Ignored,
}

/// Applies these results, in their order; what each did.
pub async fn apply_all(
    app: &App,
    tx: &mut Tx,
    results: &[DebitResult],
) -> AppResult<Vec<DebitApplied>> {
    let references: Vec<i64> = results.iter().filter_map(|r| r.reference).collect();
    let mut items = tx.debit_items(&references).await?;
    let now = app.clock.now().0;
    let mut done = Vec::with_capacity(results.len());
    let mut answers: Vec<(i64, &'static str)> = vec![];
    // The contracts to move, by the debit state each result leads to.
    let mut moves: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    // Contracts debited straight into their sellers' accounts, by the debit's day.
    let mut paid_direct: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in results {
        let Some(item) = r.reference.and_then(|n| items.get_mut(&n)) else {
            done.push(DebitApplied {
                outcome: Applied::Ignored,
                contract_id: None,
            });
            continue;
        };
        let contract_id = Some(item.contract_id.clone());
        if r.amount_yen.is_some_and(|a| a != item.amount_yen) {
            tracing::warn!(
                debit = item.reference,
                "a debit result names another amount: listed, not applied"
            );
            done.push(DebitApplied {
                outcome: Applied::Ignored,
                contract_id,
            });
            continue;
        }
        if let Some(earlier) = &item.result {
            let same = earlier == r.outcome.as_str();
            done.push(DebitApplied {
                outcome: if same {
                    Applied::Duplicate
                } else {
                    Applied::Ignored
                },
                contract_id,
            });
            continue;
        }
        // A later record of this chunk naming the same debit sees this result.
        item.result = Some(r.outcome.as_str().to_string());
        answers.push((item.reference, r.outcome.as_str()));
        moves
            .entry(r.outcome.debit_state())
            .or_default()
            .push(item.contract_id.clone());
        let into = PaidInto::parse(&item.paid_into).ok_or_else(|| {
            AppError::internal(format!(
                "debit {} pays into {}",
                item.reference, item.paid_into
            ))
        })?;
        if let Some(journal) = r.outcome.journal(Yen(item.amount_yen), &into) {
            let owner = Some(item.contract_id.as_str());
            tx.post_journal_at(owner, into.collection_bank(), &journal, "direct_debit", now)
                .await?;
        } else if into == PaidInto::Seller && r.outcome == DebitOutcome::Debited {
            // No pooling: the seller has the money the day the buyer's bank debited it.
            paid_direct
                .entry(item.debit_date.clone())
                .or_default()
                .push(item.contract_id.clone());
        }
        done.push(DebitApplied {
            outcome: Applied::Applied,
            contract_id,
        });
    }
    let busy = || AppError::busy("a debit was answered at the same moment");
    if tx.answer_debits(&answers, now).await? != answers.len() as u64 {
        return Err(busy());
    }
    for (state, ids) in &moves {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        if tx.move_debits(&ids, debit::REQUESTED, state, now).await? != ids.len() as u64 {
            return Err(busy());
        }
    }
    for (day, ids) in &paid_direct {
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        if tx.contracts_paid_without_transfer(&ids, day, now).await? != ids.len() as u64 {
            return Err(busy());
        }
    }
    Ok(done)
}
