//! The buyer's bank's results of Kessai's direct debits (seed 001, step 4): a debited contract's
//! money is in the operator's collection account and held for the contract (a balanced
//! journal); a failed debit says why, for the site, the buyer and the seller. Each result is
//! applied once: a debit answered before is a duplicate when the result is the same, and
//! listed for the operator when it contradicts the first.

use crate::error::{AppError, AppResult};
use crate::App;
use kessai_core::contract::{debit, DebitOutcome};
use kessai_core::Yen;
use kessai_store::Tx;

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

/// Applies the result `outcome` of the debit numbered `reference`, for `amount_yen` where the
/// result says an amount (a Zengin 91 record does; an ISO status report does not).
pub async fn apply(
    app: &App,
    tx: &mut Tx,
    reference: Option<i64>,
    amount_yen: Option<i64>,
    outcome: DebitOutcome,
) -> AppResult<DebitApplied> {
    let ignored = |contract_id| DebitApplied {
        outcome: Applied::Ignored,
        contract_id,
    };
    let found = match reference {
        Some(r) => tx.debit_item(r).await?,
        None => None,
    };
    let Some(item) = found else {
        return Ok(ignored(None));
    };
    if amount_yen.is_some_and(|a| a != item.amount_yen) {
        tracing::warn!(
            debit = item.reference,
            "a debit result names another amount: listed, not applied"
        );
        return Ok(ignored(Some(item.contract_id)));
    }
    if let Some(earlier) = &item.result {
        let same = earlier == outcome.as_str();
        return Ok(DebitApplied {
            outcome: if same {
                Applied::Duplicate
            } else {
                Applied::Ignored
            },
            contract_id: Some(item.contract_id),
        });
    }
    let now = app.clock.now().0;
    if !tx
        .answer_debit(item.reference, outcome.as_str(), now)
        .await?
    {
        return Err(AppError::busy("the debit was answered at the same moment"));
    }
    let id = item.contract_id.as_str();
    let moved = tx
        .move_debits(&[id], debit::REQUESTED, outcome.debit_state())
        .await?;
    if moved != 1 {
        return Err(AppError::busy("the debit was answered at the same moment"));
    }
    if let Some(journal) = outcome.journal(Yen(item.amount_yen)) {
        tx.post_journal(Some(id), &journal, "direct_debit", now)
            .await?;
    }
    Ok(DebitApplied {
        outcome: Applied::Applied,
        contract_id: Some(item.contract_id),
    })
}
