//! The money a returned transfer brings back. A 01 notice and a 03 statement (or a camt.054
//! and a camt.053) can both list the deposit under one bank identity, in either order; the
//! deposit is booked once whichever comes first, and the books follow the bank.

use super::{busy, AnswerOutcome};
use crate::error::AppResult;
use crate::service::credit::CreditInput;
use kessai_core::instruction::BankAnswer;
use kessai_store::{CreditOutcome, CreditRecord, InstructionState, NewCredit, Tx};

/// Records where an applied return's deposit stands: a notice's credit still on the suspense
/// list is marked as this return; otherwise the deposit is recorded under its identity, so that
/// a notice listing it later is recognized instead of booked as money in a second time. (The
/// journals are `instruction::returned_money`.)
pub(super) async fn record_deposit(
    tx: &mut Tx,
    identity: &str,
    state: &InstructionState,
    money: &CreditInput,
    booked_first: Option<&CreditRecord>,
    now_ms: i64,
) -> AppResult<()> {
    match booked_first {
        Some(credit) => {
            if !tx
                .settle_credit(&credit.id, "unmatched", "transfer_returned", &state.id)
                .await?
            {
                return Err(busy());
            }
        }
        None => {
            let content = money.fingerprint();
            let record = NewCredit {
                bank_ref: identity,
                amount_yen: money.amount_yen,
                reference: &money.reference,
                deal_id: None,
                outcome: CreditOutcome::TransferReturned,
                now_ms,
                resolved_by: Some(&state.id),
                account_number: money.account_number.as_deref(),
                transferor_code: money.transferor_code.as_deref(),
                content: Some(&content),
                conflict_of: None,
            };
            tx.insert_credit(&record).await?.ok_or_else(busy)?;
        }
    }
    Ok(())
}

/// A transfer came back whose deposit a notice booked first and someone already used (matched
/// to a deal, assigned, returned): the money is in the books once. The instruction stays as it
/// is; the answer is recorded, and the deal's timeline tells the operator the payee was not
/// paid.
pub(super) async fn used_before(
    tx: &mut Tx,
    (identity, content): (&str, &str),
    state: &InstructionState,
    credit: &CreditRecord,
    answer: &BankAnswer,
    now_ms: i64,
) -> AppResult<AnswerOutcome> {
    if !tx
        .record_bank_answer(
            identity,
            content,
            Some(&state.id),
            "returned_unresolved",
            now_ms,
        )
        .await?
    {
        return Ok(AnswerOutcome::Duplicate);
    }
    let reason = match answer {
        BankAnswer::Returned { reason } => reason.as_str(),
        _ => "",
    };
    let detail = serde_json::json!({
        "amount_yen": state.amount_yen,
        "reason": reason,
        "credit_id": credit.id,
        "credit_outcome": credit.outcome,
    });
    let event = format!("{}_came_back_unresolved", state.purpose.as_str());
    tx.add_event(state.deal_id.as_deref(), None, now_ms, &event, &detail)
        .await?;
    Ok(AnswerOutcome::ForOperator)
}
