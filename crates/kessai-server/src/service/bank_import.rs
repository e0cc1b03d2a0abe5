//! Importing the bank's files: the format is detected, the whole file is checked before
//! anything is applied, and it is applied exactly once — the same file again is recognized by
//! its content, and a record seen in an earlier file by its bank identity.

mod read;

use super::bank_answers::{apply_answer, AnswerOutcome};
use super::credit::{apply_credit, apply_credit_to, Matching};
use super::suspense::{apply_reversal, ReversalOutcome};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_store::NewBankFile;
use read::{read, Effect, Parsed};
use serde::Serialize;
use sha2::{Digest, Sha256};

#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct ImportSummary {
    pub name: String,
    pub format: String,
    pub records: usize,
    /// Applied now and matched to a deal.
    pub matched: usize,
    /// Applied now to the suspense list (no single deal fits).
    pub unmatched: usize,
    /// Records already applied from an earlier file: skipped.
    pub duplicates: usize,
    /// Records listed for the operator but not applied: statement withdrawals without Kessai's
    /// reference, and corrections (訂正).
    pub cancellations: usize,
    /// Payments the bank took back (取消, reversals), undone in the deals that held them or
    /// taken off the suspense list.
    pub reversals_applied: usize,
    /// Payments the bank took back after the money had moved on: reversal claims on the
    /// payer, for the operator to recover or write off.
    pub reversals_listed: usize,
    /// Answers about Kessai's own transfers (status reports, debits): applied now.
    pub answers_applied: usize,
    /// Answers applied before, or repeating the instruction's status: skipped.
    pub answers_duplicate: usize,
    /// Answers about no known instruction, or that came too late to change it: not applied.
    pub answers_ignored: usize,
    /// Transfers that came back after a notice had booked their deposit and it was used (say,
    /// matched to a deal): the money is in the books once; the deal's timeline tells the
    /// operator the payee was not paid.
    pub returns_for_operator: usize,
    /// Set when this very file was imported before: nothing was applied now.
    pub already_imported_at_ms: Option<i64>,
}

impl ImportSummary {
    /// Counts one applied credit.
    fn count(&mut self, result: &super::credit::CreditResult) {
        match (result.duplicate, result.outcome.as_str()) {
            (true, _) => self.duplicates += 1,
            (false, "matched") => self.matched += 1,
            _ => self.unmatched += 1,
        }
    }
}

pub async fn import(app: &App, name: &str, bytes: &[u8]) -> AppResult<ImportSummary> {
    let Parsed {
        format,
        credits,
        answers,
        ignored,
        accounts,
    } = read(bytes)?;
    // Money in an account Kessai does not hold is not Kessai's to book: the file is refused.
    for (bank, branch, number) in &accounts {
        if !app
            .config
            .holds_account(bank.as_deref(), branch.as_deref(), number)
        {
            let bank = match (bank, branch) {
                (Some(b), Some(r)) => format!("{b}-{r} "),
                _ => String::new(),
            };
            return Err(read::invalid_file(format!(
                "the file reports on account {bank}{number}, which is not a collection account \
                 Kessai is configured to hold: nothing applied"
            )));
        }
    }
    let sha256 = hex::encode(Sha256::digest(bytes));
    let summary = ImportSummary {
        name: name.to_string(),
        format: format.clone(),
        records: credits.len() + answers.len() + ignored,
        matched: 0,
        unmatched: 0,
        duplicates: 0,
        cancellations: 0,
        already_imported_at_ms: None,
        reversals_applied: 0,
        reversals_listed: 0,
        answers_applied: 0,
        answers_duplicate: 0,
        answers_ignored: ignored,
        returns_for_operator: 0,
    };
    // One transaction for the whole file: it is applied entirely or not at all.
    transact!(*app, |tx| {
        let mut s = summary.clone();
        if let Some(earlier) = tx.bank_file_by_hash(&sha256).await? {
            s.already_imported_at_ms = Some(earlier.imported_at_ms);
            return Ok(s);
        }
        for c in &credits {
            let input = c.input();
            match c.effect {
                Effect::ListOnly => {
                    s.cancellations += 1;
                    continue;
                }
                Effect::Reversal => {
                    match apply_reversal(app, tx, &input).await? {
                        ReversalOutcome::Applied => s.reversals_applied += 1,
                        ReversalOutcome::Claimed => s.reversals_listed += 1,
                        ReversalOutcome::Duplicate => s.duplicates += 1,
                    }
                    continue;
                }
                Effect::Credit => {}
            }
            s.count(&apply_credit(app, tx, &input).await?);
        }
        for a in &answers {
            let money = a.money_back.as_ref();
            let outcome = apply_answer(app, tx, &a.identity, &a.target, &a.answer, money).await?;
            match (outcome, &a.money_back) {
                (AnswerOutcome::Applied, _) => s.answers_applied += 1,
                (AnswerOutcome::Duplicate, _) => s.answers_duplicate += 1,
                (AnswerOutcome::Unknown, Some(input)) => {
                    let credit = apply_credit_to(app, tx, input, Matching::SuspenseOnly).await?;
                    s.count(&credit);
                }
                // A debit that answers none of Kessai's transfers is a withdrawal to list.
                (AnswerOutcome::Unknown, None) if a.withdrawal => s.cancellations += 1,
                (AnswerOutcome::Unknown | AnswerOutcome::Stale, _) => s.answers_ignored += 1,
                (AnswerOutcome::ForOperator, _) => s.returns_for_operator += 1,
            }
        }
        let file = NewBankFile {
            sha256: &sha256,
            format: &format,
            name,
            records: (credits.len() + answers.len() + ignored) as i64,
            applied: (s.matched + s.unmatched) as i64,
            duplicates: s.duplicates as i64,
            now_ms: app.clock.now().0,
        };
        match tx.insert_bank_file(&file).await? {
            Some(file_id) => {
                let refs: Vec<&str> = credits
                    .iter()
                    .filter(|c| c.effect != Effect::ListOnly)
                    .map(|c| c.bank_ref.as_str())
                    .chain(
                        answers
                            .iter()
                            .filter_map(|a| a.money_back.as_ref())
                            .map(|m| m.bank_ref.as_str()),
                    )
                    .collect();
                tx.link_credits_to_file(&refs, &file_id).await?;
            }
            None => {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    "busy",
                    "the same file is being imported",
                ))
            }
        }
        Ok(s)
    })
}
