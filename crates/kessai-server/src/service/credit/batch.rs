//! Credits that no deal can claim, recorded many per statement: a bank file is mostly such
//! records (transfers quoting no deal, into the collection account itself), and one round
//! trip per record bounds an import on PostgreSQL at the loopback's latency (about 160 µs
//! here, so some 6,000 records/s whatever the statement costs).
//!
//! A batch does exactly what [`apply_credit`](super::apply_credit) does for each of its
//! records in file order, when each finds its bank reference new: none of them can affect
//! another (distinct references, no deal), so the order within the batch does not matter.
//! A record whose reference is recorded already is handed back, to be applied one by one,
//! where a duplicate is told from a conflict.

use super::matching::MatchKeys;
use super::{new_credit, validate, CreditInput, CreditResult, NewRecord};
use crate::error::AppResult;
use crate::App;
use kessai_store::{CreditOutcome, Tx};

/// Whether `input` can be recorded in a batch: it goes to the suspense list without a lookup
/// (no virtual account, payer code or quoted deal ID), it may not repeat a record of the rule
/// before migration 9, and its reference has no `#` — the mark of a conflict's key
/// (`entry::conflict_key`), which another record of the file may be recorded under before it.
pub(crate) fn batchable(app: &App, input: &CreditInput) -> bool {
    input.before_upgrade.is_none()
        && !input.bank_ref.contains('#')
        && validate(input).is_ok()
        && MatchKeys::of(app, input).is_empty()
}

/// Records `inputs` — each [`batchable`], their trimmed bank references distinct — on the
/// suspense list, linked to the bank file `file_id`, with their journals. The result of each
/// recorded now; none for each whose reference was recorded before, left for
/// [`apply_credit`](super::apply_credit).
pub(crate) async fn record_unmatched(
    app: &App,
    tx: &mut Tx,
    inputs: &[CreditInput],
    file_id: &str,
) -> AppResult<Vec<Option<CreditResult>>> {
    let now = app.clock.now().0;
    let mut amounts = Vec::with_capacity(inputs.len());
    for input in inputs {
        amounts.push(validate(input)?);
    }
    let contents: Vec<String> = inputs.iter().map(CreditInput::fingerprint).collect();
    let credits: Vec<_> = inputs
        .iter()
        .zip(&amounts)
        .zip(&contents)
        .map(|((input, amount), content)| {
            let how = NewRecord {
                amount: *amount,
                deal_id: None,
                outcome: CreditOutcome::Unmatched,
                now_ms: now,
                conflict_of: None,
            };
            new_credit(input, &how, content)
        })
        .collect();
    let recorded = tx.insert_new_credits(&credits, Some(file_id)).await?;
    let mut results = Vec::with_capacity(inputs.len());
    for ((input, amount), id) in inputs.iter().zip(amounts).zip(recorded) {
        results.push(match id {
            Some(id) => {
                let journal = kessai_core::suspense::receive_unmatched(amount);
                tx.post_journal(None, &journal, "bank_credit", now).await?;
                let mut result = CreditResult::new(input.bank_ref.trim(), "unmatched");
                result.credit_id = Some(id);
                Some(result)
            }
            None => None,
        });
    }
    Ok(results)
}
