//! The banks' reports about a sweep, each applied once (by its identity in the bank's file, as
//! every answer is): the collection bank's — its status report or the statement's withdrawal
//! quoting the sweep (left), a refusal, the transfer coming back — and the main bank's
//! statement deposit quoting it (arrived). `kessai_core::sweep::report` decides what each
//! moves; the statement that shows the withdrawal also gives the collection account's closing
//! balance, kept beside the ledger's for `kessai check`.

use crate::error::AppResult;
use crate::service::bank_answers::{answer_name, instruction_id, AnswerOutcome, AnswerTarget};
use crate::service::credit::CreditInput;
use crate::service::entry::seen_answer;
use crate::App;
use kessai_core::instruction::BankAnswer;
use kessai_core::sweep::{self, SweepReport, SweepStatus};
use kessai_core::Yen;
use kessai_store::{SweepRecord, Tx};

/// What one report did: the outcome, the sweep it named, and its status after it applied.
pub struct SweepAnswer {
    pub outcome: AnswerOutcome,
    pub sweep: Option<SweepRecord>,
    pub status: Option<&'static str>,
}

impl SweepAnswer {
    fn unknown(sweep: Option<SweepRecord>) -> SweepAnswer {
        SweepAnswer {
            outcome: AnswerOutcome::Unknown,
            sweep,
            status: None,
        }
    }

    fn without_change(outcome: AnswerOutcome, sweep: SweepRecord) -> SweepAnswer {
        SweepAnswer {
            outcome,
            sweep: Some(sweep),
            status: None,
        }
    }
}

/// The sweep an answer about one of Kessai's transfers names: its end-to-end ID (the sweep's
/// ID), or the EDI quoting its reference.
async fn named_sweep(tx: &mut Tx, target: &AnswerTarget) -> AppResult<Option<SweepRecord>> {
    let key = match target {
        AnswerTarget::EndToEnd(e2e) => instruction_id(e2e),
        AnswerTarget::Payee { public_id, .. } => sweep::quoted_reference(public_id),
    };
    Ok(match key {
        Some(key) => tx.sweep(&key).await?,
        None => None,
    })
}

/// One report about a sweep, as the bank import hands it over.
pub struct Report<'a> {
    /// The entry's identity, already told apart from a conflicting earlier one.
    pub identity: &'a str,
    pub content: &'a str,
    pub answer: &'a BankAnswer,
    /// What left the account, for a withdrawal: it must be the sweep's amount.
    pub withdrawn_yen: Option<i64>,
    pub booked_on: Option<&'a str>,
}

/// Applies a collection bank's answer about a transfer that is no payout, refund or return of
/// Kessai's: a sweep's, if it names one; `Unknown` otherwise.
pub async fn answer(
    app: &App,
    tx: &mut Tx,
    target: &AnswerTarget,
    r: &Report<'_>,
) -> AppResult<SweepAnswer> {
    let Some(found) = named_sweep(tx, target).await? else {
        return Ok(SweepAnswer::unknown(None));
    };
    if r.withdrawn_yen.is_some_and(|yen| yen != found.amount_yen) {
        return Ok(SweepAnswer::unknown(Some(found)));
    }
    let report = match r.answer {
        BankAnswer::Accepted => {
            // Taken for processing: nothing moves until it leaves.
            return Ok(SweepAnswer::without_change(AnswerOutcome::Duplicate, found));
        }
        BankAnswer::Settled => SweepReport::Withdrawn,
        BankAnswer::Rejected { .. } => SweepReport::Refused,
        BankAnswer::Returned { .. } => {
            if tx.credit_by_ref(r.identity).await?.is_some() {
                // A notice booked the money coming back as a credit already: it is in the books
                // once, on the suspense list; the operator settles it.
                return Ok(SweepAnswer::without_change(
                    AnswerOutcome::ForOperator,
                    found,
                ));
            }
            SweepReport::Returned
        }
    };
    apply(app, tx, found, report, r).await
}

/// The main bank's deposit quoting a sweep's reference, if `credit` is one: the swept money
/// arrived. `None` when the credit names no sweep or brings another amount (then it is money
/// in like any other).
pub async fn arrival(
    app: &App,
    tx: &mut Tx,
    credit: &CreditInput,
    booked_on: Option<&str>,
) -> AppResult<Option<SweepAnswer>> {
    let Some(reference) = sweep::quoted_reference(&credit.reference) else {
        return Ok(None);
    };
    // Only the main account receives a sweep (money coming back to a collection account
    // is a return, reported as such).
    let main = &app.config.main_bank().account.account_number;
    let into = credit.account_number.as_deref().unwrap_or_default();
    if into.trim_start_matches('0') != main.trim_start_matches('0') {
        return Ok(None);
    }
    let Some(found) = tx.sweep(&reference).await? else {
        return Ok(None);
    };
    if found.amount_yen != credit.amount_yen {
        return Ok(None);
    }
    let fingerprint = credit.fingerprint();
    let Some(key) = seen_answer(tx, &credit.bank_ref, &fingerprint).await? else {
        return Ok(Some(SweepAnswer::without_change(
            AnswerOutcome::Duplicate,
            found,
        )));
    };
    let report = Report {
        identity: &key.identity,
        content: &fingerprint,
        answer: &BankAnswer::Settled,
        withdrawn_yen: None,
        booked_on,
    };
    apply(app, tx, found, SweepReport::Arrived, &report)
        .await
        .map(Some)
}

async fn apply(
    app: &App,
    tx: &mut Tx,
    found: SweepRecord,
    report: SweepReport,
    r: &Report<'_>,
) -> AppResult<SweepAnswer> {
    let status = SweepStatus::parse(&found.status).ok_or_else(|| {
        crate::error::AppError::internal(format!("sweep {} is {}", found.id, found.status))
    })?;
    let (next, journals) = match sweep::report(status, report, Yen(found.amount_yen)) {
        Ok(next) => next,
        Err(_) => return Ok(SweepAnswer::without_change(AnswerOutcome::Stale, found)),
    };
    if next == status {
        return Ok(SweepAnswer::without_change(AnswerOutcome::Duplicate, found));
    }
    let now = app.clock.now().0;
    let name = match report {
        SweepReport::Arrived => "arrived",
        _ => answer_name(r.answer),
    };
    if !tx
        .record_bank_answer(r.identity, r.content, Some(&found.id), name, now)
        .await?
    {
        return Ok(SweepAnswer::without_change(AnswerOutcome::Duplicate, found));
    }
    let today = crate::i18n::date_jst(app.clock.now()).to_string();
    let day = r.booked_on.unwrap_or(today.as_str());
    let (withdrawn_on, arrived_on) = match report {
        SweepReport::Withdrawn => (Some(day), None),
        SweepReport::Arrived => (None, Some(day)),
        SweepReport::Refused | SweepReport::Returned => (None, None),
    };
    let reason = match r.answer {
        BankAnswer::Rejected { reason } | BankAnswer::Returned { reason } => Some(reason.as_str()),
        _ => None,
    };
    let moved = tx
        .move_sweep(
            &found.id,
            status.as_str(),
            next.as_str(),
            withdrawn_on,
            arrived_on,
            reason,
        )
        .await?;
    if !moved {
        return Err(crate::service::bank_answers::busy());
    }
    for journal in &journals {
        tx.post_journal_at(None, Some(&found.bank_code), journal, "sweep", now)
            .await?;
    }
    tracing::info!(
        sweep = found.reference,
        status = next.as_str(),
        "sweep reported"
    );
    Ok(SweepAnswer {
        outcome: AnswerOutcome::Applied,
        sweep: Some(found),
        status: Some(next.as_str()),
    })
}
