//! Money no deal holds, and what the operator decides about it: a suspense credit is returned
//! to whoever sent it; a payment the bank took back is undone where it still sits, and
//! otherwise becomes a claim on the payer that is recovered or written off. The journals are
//! `kessai_core::suspense`; this loads, checks the state and records.

use super::credit::{find_deal, record, validate, CreditInput, NewRecord};
use super::deal_ops;
use super::entry::{seen_credit, Seen};
use crate::error::{AppError, AppResult};
use crate::App;
use axum::http::StatusCode;
use kessai_core::{suspense, BankAccount, DealCommand, Yen};
use kessai_store::{CreditOutcome, CreditRecord, NewReturn, Tx};
use serde::Serialize;
use utoipa::ToSchema;

/// Outcomes of a credit once the operator or the bank has settled it.
pub mod outcome {
    pub const UNMATCHED: &str = "unmatched";
    /// Sent back to its payer by a return instruction.
    pub const RETURNED: &str = "returned";
    /// The bank took it back before anyone used it.
    pub const REVERSED_BY_BANK: &str = "reversed_by_bank";
    /// It paid an open reversal claim.
    pub const RECOVERED_CLAIM: &str = "recovered_claim";
    pub const CLAIM: &str = "reversal_claim";
    pub const CLAIM_WRITTEN_OFF: &str = "claim_written_off";
    pub const CLAIM_RECOVERED: &str = "claim_recovered";
}

fn busy() -> AppError {
    AppError::new(
        StatusCode::CONFLICT,
        "busy",
        "the credit changed at the same moment",
    )
}

/// The credit `id`, which must have outcome `expected` (else 404 / 409 naming what it is).
async fn credit_in(tx: &mut Tx, id: &str, expected: &str, field: &str) -> AppResult<CreditRecord> {
    let credit = tx.credit_by_id(id).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "credit_not_found",
            "no credit has this ID",
        )
        .with_field(field)
    })?;
    if credit.outcome != expected {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            format!(
                "this credit is {}; only a credit that is {expected} can be used here",
                credit.outcome
            ),
        )
        .with_field(field));
    }
    Ok(credit)
}

fn amount_of(credit: &CreditRecord) -> AppResult<Yen> {
    Yen::positive(credit.amount_yen)
        .ok_or_else(|| AppError::internal("a stored credit without a positive amount"))
}

/// What the return transfer quotes (Zengin EDI, ISO remittance) so the bank's answer finds the
/// instruction again: `RTN` and the end of the credit's ID, 15 ASCII characters.
fn return_reference(credit_id: &str) -> String {
    let hex: String = credit_id.chars().filter(|c| *c != '-').collect();
    format!("RTN{}", hex[hex.len() - 12..].to_ascii_uppercase())
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReturnResult {
    pub credit_id: String,
    pub instruction_id: String,
    pub amount_yen: i64,
    /// What the transfer quotes to the payer's bank.
    pub payee_ref: String,
    /// `pending`: it leaves with the next bank export.
    pub status: String,
}

/// The operator sends a suspense credit back to the account it came from. The money moves
/// from unmatched receipts to `return_due` and a return instruction waits for the next export;
/// the bank's answers complete it like any payout (or reject it, to be corrected).
pub async fn return_credit(
    app: &App,
    tx: &mut Tx,
    credit_id: &str,
    account: &BankAccount,
) -> AppResult<ReturnResult> {
    let credit = credit_in(tx, credit_id, outcome::UNMATCHED, "credit_id").await?;
    let amount = amount_of(&credit)?;
    let now = app.clock.now().0;
    let journal_id = tx
        .post_journal(
            None,
            &suspense::return_to_payer(amount),
            "operator_return",
            now,
        )
        .await?;
    let payee_ref = return_reference(&credit.id);
    let instruction_id = tx
        .insert_return_instruction(&NewReturn {
            credit_id: &credit.id,
            journal_id: &journal_id,
            amount_yen: amount.0,
            account,
            payee_ref: &payee_ref,
            now_ms: now,
        })
        .await?
        .ok_or_else(busy)?;
    if !tx
        .settle_credit(
            &credit.id,
            outcome::UNMATCHED,
            outcome::RETURNED,
            &instruction_id,
        )
        .await?
    {
        return Err(busy());
    }
    let detail = serde_json::json!({ "credit_id": credit.id, "amount_yen": amount.0, "instruction_id": instruction_id });
    tx.add_event(None, None, now, "suspense_returned", &detail)
        .await?;
    Ok(ReturnResult {
        credit_id: credit.id,
        instruction_id,
        amount_yen: amount.0,
        payee_ref,
        status: "pending".into(),
    })
}

/// What became of a reversal the bank reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReversalOutcome {
    /// Undone in the deal that held the money, or taken off the suspense list.
    Applied,
    /// Reported before: nothing changed now.
    Duplicate,
    /// The money had moved on (or was never known): a claim on the payer, for the operator.
    Claimed,
    /// The bank used this reversal's identity before for other content: recorded on its own as
    /// a claim for the operator (the books follow the bank), touching no deal.
    Conflict,
}

/// A reversal as recorded.
pub struct ReversalEntry {
    pub outcome: ReversalOutcome,
    /// The credit that records it (the earlier one, for a duplicate).
    pub credit_id: String,
    /// For a conflict: the earlier credit whose identity it repeats.
    pub conflict_of: Option<String>,
}

/// The bank took back a payment it had reported (a 取消 record, a camt reversal). The money is
/// followed from the original credit (same amount and text, the latest still as booked), else
/// found by the usual matching; the books follow the bank in every case: the deal that still
/// holds the money gives it up; a credit still on the suspense list leaves it; otherwise the
/// payer owes it (a reversal claim). Returns the credit that records it.
pub async fn apply_reversal_entry(
    app: &App,
    tx: &mut Tx,
    input: &CreditInput,
) -> AppResult<ReversalEntry> {
    let entry = |outcome, credit_id, conflict_of| ReversalEntry {
        outcome,
        credit_id,
        conflict_of,
    };
    let amount = validate(input)?;
    let bank_ref = input.bank_ref.trim();
    let now = app.clock.now().0;
    let fingerprint = input.fingerprint();
    match seen_credit(tx, bank_ref, &fingerprint, amount.0).await? {
        Seen::New => {}
        Seen::Same(earlier) => return Ok(entry(ReversalOutcome::Duplicate, earlier.id, None)),
        Seen::Conflict { earlier, key } => {
            let journal = suspense::reversal_claim(amount);
            tx.post_journal(None, &journal, "bank_reversal", now)
                .await?;
            let conflict = CreditInput {
                bank_ref: key,
                ..input.clone()
            };
            let how = NewRecord {
                amount,
                deal_id: None,
                outcome: CreditOutcome::ReversalClaim,
                now_ms: now,
                conflict_of: Some(&earlier.id),
            };
            let id = record(tx, &conflict, &how).await?;
            return Ok(entry(ReversalOutcome::Conflict, id, Some(earlier.id)));
        }
    }
    let code = input
        .transferor_code
        .as_deref()
        .filter(|c| !c.trim_start_matches('0').is_empty());
    let original = tx
        .original_credit(
            amount.0,
            &input.reference,
            input.account_number.as_deref(),
            code,
        )
        .await?;
    let deal_id = match &original {
        Some(c) => c.deal_id.clone(),
        None => find_deal(app, tx, input).await?,
    };
    let still_in_suspense = original
        .as_ref()
        .is_some_and(|c| c.outcome == outcome::UNMATCHED);
    let mut taken = CreditOutcome::ReversalClaim;
    if still_in_suspense {
        let journal = suspense::reverse_unmatched(amount);
        tx.post_journal(None, &journal, "bank_reversal", now)
            .await?;
        taken = CreditOutcome::ReversedUnmatched;
    } else if let Some(id) = &deal_id {
        // Try the deal; a reversal it cannot take (shipped, closed, too large) is a claim.
        let (record, _) = deal_ops::load(tx, id).await?;
        let reversal = DealCommand::ReversePayment { amount };
        if record.deal.apply(&reversal, app.clock.now()).is_ok() {
            deal_ops::apply(app, tx, id, &reversal).await?;
            taken = CreditOutcome::Reversed;
        }
    }
    if taken == CreditOutcome::ReversalClaim {
        let journal = suspense::reversal_claim(amount);
        tx.post_journal(deal_id.as_deref(), &journal, "bank_reversal", now)
            .await?;
    }
    let how = NewRecord {
        amount,
        deal_id: deal_id.as_deref(),
        outcome: taken,
        now_ms: now,
        conflict_of: None,
    };
    let reversal_id = record(tx, input, &how).await?;
    // The original is marked, so that another reversal of the same amount and text takes the
    // next payment, not this one again.
    if let Some(c) = &original {
        if !tx
            .settle_credit(&c.id, &c.outcome, outcome::REVERSED_BY_BANK, &reversal_id)
            .await?
        {
            return Err(busy());
        }
    }
    let outcome = match taken {
        CreditOutcome::ReversalClaim => ReversalOutcome::Claimed,
        _ => ReversalOutcome::Applied,
    };
    Ok(entry(outcome, reversal_id, None))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClaimResult {
    pub claim_id: String,
    pub amount_yen: i64,
    /// `claim_written_off`, `claim_recovered`, or `reversal_claim` while part is still owed.
    pub outcome: String,
    /// The suspense credit that paid (part of) it, when recovered.
    pub recovered_by: Option<String>,
    /// What the payer still owes on the claim.
    pub remaining_yen: i64,
}

/// The operator gives up an open reversal claim: what is still owed on it moves to
/// `written_off`.
pub async fn write_off(app: &App, tx: &mut Tx, claim_id: &str) -> AppResult<ClaimResult> {
    let claim = credit_in(tx, claim_id, outcome::CLAIM, "claim_id").await?;
    let owed = Yen::positive(tx.claim_remaining(&claim.id).await?)
        .ok_or_else(|| AppError::internal("an open claim with nothing owed"))?;
    let now = app.clock.now().0;
    let journal = tx
        .post_journal(
            claim.deal_id.as_deref(),
            &suspense::write_off(owed),
            "operator_write_off",
            now,
        )
        .await?;
    if !tx
        .settle_credit(
            &claim.id,
            outcome::CLAIM,
            outcome::CLAIM_WRITTEN_OFF,
            &journal,
        )
        .await?
    {
        return Err(busy());
    }
    Ok(ClaimResult {
        claim_id: claim.id,
        amount_yen: owed.0,
        outcome: outcome::CLAIM_WRITTEN_OFF.into(),
        recovered_by: None,
        remaining_yen: 0,
    })
}

/// The payer paid (part of) a reversal claim back: the operator names the suspense credit that
/// carried the money. A credit of at most what is still owed settles that much; the claim
/// closes when nothing is owed. (A larger credit is refused: a credit is not split.)
pub async fn recover(
    app: &App,
    tx: &mut Tx,
    claim_id: &str,
    credit_id: &str,
) -> AppResult<ClaimResult> {
    let claim = credit_in(tx, claim_id, outcome::CLAIM, "claim_id").await?;
    let credit = credit_in(tx, credit_id, outcome::UNMATCHED, "credit_id").await?;
    let owed = tx.claim_remaining(&claim.id).await?;
    if credit.amount_yen > owed {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "amount_exceeds_claim",
            format!(
                "the credit is {} but only {} is still owed on the claim; a credit is not split",
                Yen(credit.amount_yen),
                Yen(owed)
            ),
        )
        .with_field("credit_id"));
    }
    let amount = amount_of(&credit)?;
    let now = app.clock.now().0;
    tx.post_journal(
        claim.deal_id.as_deref(),
        &suspense::recover_claim(amount),
        "operator_recover",
        now,
    )
    .await?;
    if !tx
        .settle_credit(
            &credit.id,
            outcome::UNMATCHED,
            outcome::RECOVERED_CLAIM,
            &claim.id,
        )
        .await?
    {
        return Err(busy());
    }
    let remaining = owed - amount.0;
    let closed = remaining == 0;
    if closed
        && !tx
            .settle_credit(
                &claim.id,
                outcome::CLAIM,
                outcome::CLAIM_RECOVERED,
                &credit.id,
            )
            .await?
    {
        return Err(busy());
    }
    Ok(ClaimResult {
        claim_id: claim.id,
        amount_yen: amount.0,
        outcome: if closed {
            outcome::CLAIM_RECOVERED
        } else {
            outcome::CLAIM
        }
        .into(),
        recovered_by: Some(credit.id),
        remaining_yen: remaining,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn return_references_fit_a_zengin_edi_field() {
        let r = super::return_reference("01a1fc67-dd93-729b-b96d-b58ee0ff2e1a");
        assert_eq!(r, "RTNB58EE0FF2E1A");
        assert!(r.len() <= 20 && r.is_ascii());
    }
}
