//! The bank's answers about Kessai's own transfers (status reports, debits on the statement):
//! each answer is applied once, moves the instruction's status, and when the money has left
//! the account, posts the journal that takes it out of the ledger.

mod news;
mod returns;

use super::credit::CreditInput;
use super::entry::seen_answer;
use crate::error::{AppError, AppResult};
use crate::App;
use kessai_core::instruction::{self, BankAnswer, InstructionError, InstructionStatus};
use kessai_store::Tx;
use serde::Serialize;

/// What happened to one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerOutcome {
    Applied,
    /// This answer (same identity) was applied before.
    Duplicate,
    /// No instruction has this reference: kept for the operator, nothing changed.
    Unknown,
    /// The instruction had moved on (e.g. "accepted" after "completed"): nothing changed.
    Stale,
    /// A transfer came back whose deposit a notice had already booked and someone had used
    /// (matched to a deal, assigned): the money is in the books once; the instruction stays as
    /// it was and an event on the deal tells the operator.
    ForOperator,
}

/// How an answer names the instruction it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnswerTarget {
    /// The end-to-end ID Kessai wrote in the ISO transfer.
    EndToEnd(String),
    /// The payee's deal ID (the EDI of a Zengin transfer) and the amount.
    Payee { public_id: String, amount_yen: i64 },
}

/// The instruction ID Kessai put in the transfer (its UUID without hyphens) back to the row ID.
pub(crate) fn instruction_id(end_to_end_id: &str) -> Option<String> {
    uuid::Uuid::parse_str(end_to_end_id.trim())
        .ok()
        .map(|u| u.hyphenated().to_string())
}

/// What the bank said, in a word: `accepted`, `settled`, `rejected`, `returned`.
pub(crate) fn answer_name(a: &BankAnswer) -> &'static str {
    match a {
        BankAnswer::Accepted => "accepted",
        BankAnswer::Settled => "settled",
        BankAnswer::Rejected { .. } => "rejected",
        BankAnswer::Returned { .. } => "returned",
    }
}

/// What became of one answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerResult {
    pub outcome: AnswerOutcome,
    /// The instruction it is about, where one was found.
    pub instruction_id: Option<String>,
    /// The instruction's status after an applied answer (`completed`, `rejected`, ...).
    pub status: Option<String>,
    /// Set when the bank had used the answer's identity before for other content: that
    /// identity. The answer was not skipped; it is recorded under its own key.
    pub conflict_of: Option<String>,
}

/// One answer from a bank file: its identity in the file, what it says (the canonical
/// [`super::entry::EntryContent`] fingerprint), the instruction `target` names, the answer, and
/// `money`: what a `Returned` answer brought back into the account (its amount and text,
/// under the same identity).
pub struct AnswerEntry<'a> {
    pub identity: &'a str,
    pub content: &'a str,
    pub target: &'a AnswerTarget,
    pub answer: &'a BankAnswer,
    pub money: Option<&'a CreditInput>,
    /// What left the account, for an answer that is a debit entry: it must be what the
    /// instruction sent, or the entry is not that transfer's (listed for the operator).
    pub withdrawn_yen: Option<i64>,
    /// The day the bank booked it (`YYYY-MM-DD`), where the answer says (a statement's or
    /// notification's entry does; a status report does not).
    pub booked_on: Option<&'a str>,
}

/// Applies one answer, once: an identity seen before with the same content is a duplicate;
/// with other content it is applied under a key of its own and reported as a conflict.
pub async fn apply_answer(app: &App, tx: &mut Tx, a: &AnswerEntry<'_>) -> AppResult<AnswerResult> {
    let Some(key) = seen_answer(tx, a.identity, a.content).await? else {
        return Ok(AnswerResult {
            outcome: AnswerOutcome::Duplicate,
            instruction_id: None,
            status: None,
            conflict_of: None,
        });
    };
    let entry = AnswerEntry {
        identity: &key.identity,
        ..*a
    };
    let (outcome, instruction_id, applied) = match answer_once(app, tx, &entry).await? {
        Found::Instruction(outcome, id, status) => (outcome, id, status.map(|s| s.as_str())),
        Found::Sweep(done) => {
            return Ok(AnswerResult {
                outcome: done.outcome,
                instruction_id: done.sweep.map(|s| s.id),
                status: done.status.map(str::to_string),
                conflict_of: key.conflict_of,
            });
        }
    };
    Ok(AnswerResult {
        outcome,
        instruction_id,
        // The status an applied answer moved the instruction to.
        status: applied.map(str::to_string),
        conflict_of: key.conflict_of,
    })
}

/// What an answer was about: one of the instructions (with its outcome, ID and the status
/// an applied answer moved it to), or a sweep.
enum Found {
    Instruction(AnswerOutcome, Option<String>, Option<InstructionStatus>),
    Sweep(Box<super::sweep::report::SweepAnswer>),
}

impl Found {
    fn outcome(outcome: AnswerOutcome, id: Option<String>) -> AppResult<Found> {
        Ok(Found::Instruction(outcome, id, None))
    }
}

/// Applies an answer not recorded before; with the instruction it is about and, when the
/// answer applied, the status it moved the instruction to.
async fn answer_once(app: &App, tx: &mut Tx, a: &AnswerEntry<'_>) -> AppResult<Found> {
    let AnswerEntry {
        identity,
        content,
        target,
        answer,
        money,
        withdrawn_yen,
        booked_on,
    } = *a;
    let now = app.clock.now().0;
    let came_back = matches!(answer, BankAnswer::Returned { .. });
    // The lookup by payee reads the instruction's state with it: one round trip, not two.
    let state = match target {
        AnswerTarget::EndToEnd(e2e) => match instruction_id(e2e) {
            Some(id) => tx.instruction_state(&id).await?,
            None => None,
        },
        AnswerTarget::Payee {
            public_id,
            amount_yen,
        } => {
            tx.instruction_for_payee(public_id, *amount_yen, came_back)
                .await?
        }
    };
    let Some(state) = state else {
        // None of the instructions: a sweep's, if it names one.
        let report = super::sweep::report::Report {
            identity,
            content,
            answer,
            withdrawn_yen,
            booked_on,
        };
        let done = super::sweep::report::answer(app, tx, target, &report).await?;
        return Ok(Found::Sweep(Box::new(done)));
    };
    let found = Some(state.id.clone());
    if withdrawn_yen.is_some_and(|yen| yen != state.amount_yen) {
        // The bank took another amount than the transfer sent: not this transfer's settlement.
        return Found::outcome(AnswerOutcome::Unknown, found);
    }
    // What a return brought back, and whether a notice booked that deposit first.
    let deposit = match (came_back, money) {
        (false, _) => None,
        (true, Some(m)) if m.amount_yen == state.amount_yen => {
            Some((m, tx.credit_by_ref(identity).await?))
        }
        // Not the amount that left (charges deducted, or not this transfer): the ledger
        // follows the bank by booking what arrived as money in, for the operator.
        (true, _) => return Found::outcome(AnswerOutcome::Unknown, found),
    };
    if let Some((_, Some(credit))) = &deposit {
        if credit.outcome != "unmatched" || credit.amount_yen != state.amount_yen {
            let outcome =
                returns::used_before(tx, (identity, content), &state, credit, answer, now).await?;
            return Found::outcome(outcome, found);
        }
    }
    let amount = kessai_core::Yen(state.amount_yen);
    let (status, journals) = match instruction::answer(state.status, state.purpose, amount, answer)
    {
        Ok(next) => next,
        Err(InstructionError::NotOutstanding(_) | InstructionError::NotRejected(_)) => {
            return Found::outcome(AnswerOutcome::Stale, found)
        }
    };
    if status == state.status {
        return Found::outcome(AnswerOutcome::Duplicate, found);
    }
    // Recorded only now that it applies: an answer about no known instruction, or one that came
    // too late, stays available for a later file instead of being used up.
    if !tx
        .record_bank_answer(identity, content, Some(&state.id), answer_name(answer), now)
        .await?
    {
        return Found::outcome(AnswerOutcome::Duplicate, found);
    }
    let reason = match answer {
        BankAnswer::Rejected { reason } | BankAnswer::Returned { reason } => Some(reason.as_str()),
        _ => None,
    };
    if !tx
        .set_instruction_status(&state.id, state.status.as_str(), status.as_str(), reason)
        .await?
    {
        return Err(busy());
    }
    let journals = match &deposit {
        Some((money, booked_first)) => {
            let booked = booked_first.as_ref();
            returns::record_deposit(tx, identity, &state, money, booked, now).await?;
            instruction::returned_money(state.status, state.purpose, amount, booked.is_some())
        }
        None => journals,
    };
    for journal in &journals {
        tx.post_journal(state.owner(), journal, "bank_answer", now)
            .await?;
    }
    if let Some(contract_id) = &state.contract_id {
        // The contract's payout track follows its transfer: paid on the day the bank booked
        // it (the day the answer arrived, in Japan, when the answer does not say), owed again
        // when it was refused or came back.
        let today = crate::i18n::date_jst(app.clock.now()).to_string();
        let day = booked_on.unwrap_or(today.as_str());
        let paid_on = (status == InstructionStatus::Completed).then_some(day);
        tx.contract_payout_answered(contract_id, paid_on, now)
            .await?;
    }
    let what = state.purpose.as_str();
    let detail = serde_json::json!({ "amount_yen": state.amount_yen, "reason": reason });
    tx.add_event(
        state.deal_id.as_deref(),
        None,
        now,
        &format!("{what}_{}", status.as_str()),
        &detail,
    )
    .await?;
    news::tell(app, tx, &state, status).await?;
    Ok(Found::Instruction(
        AnswerOutcome::Applied,
        found,
        Some(status),
    ))
}

pub(crate) fn busy() -> AppError {
    AppError::new(
        axum::http::StatusCode::CONFLICT,
        "busy",
        "the instruction changed at the same moment",
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn end_to_end_ids_map_back_to_instruction_ids() {
        let id = "01a1fc67-dd93-729b-b96d-b58ee0ff2e1a";
        assert_eq!(
            super::instruction_id(&id.replace('-', "")).as_deref(),
            Some(id)
        );
        assert_eq!(super::instruction_id("not-a-uuid"), None);
    }
}
