//! Importing the bank's files: the format is detected, the whole file is checked before
//! anything is applied, and it is applied exactly once — the same file again is recognized by
//! its content, and a record seen in an earlier file by its bank identity.

use super::bank_answers::{apply_answer, AnswerOutcome, AnswerTarget};
use super::credit::{apply_credit, CreditInput};
use super::suspense::{apply_reversal, ReversalOutcome};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::instruction::BankAnswer;
use kessai_formats::detect::{detect, Detected};
use kessai_formats::iso_notification::{self, NotificationEntry};
use kessai_formats::iso_statement;
use kessai_formats::iso_status::{self, TxStatus};
use kessai_formats::zengin::{self, notice::incoming_transfers, FileKind};
use kessai_store::NewBankFile;
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
    /// reference, corrections (訂正), reversed debits.
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

/// What one file holds, whatever its format.
struct Parsed {
    format: String,
    credits: Vec<Incoming>,
    answers: Vec<Answer>,
}

/// The bank's word about one of Kessai's own transfers.
struct Answer {
    identity: String,
    target: AnswerTarget,
    answer: BankAnswer,
    /// Money that came back: if no instruction of Kessai's is found, it is still money in the
    /// bank, and is booked as an incoming credit (to suspense) instead of being lost.
    money_back: Option<CreditInput>,
}

/// One incoming credit from any format, ready to be applied.
struct Incoming {
    bank_ref: String,
    /// The operator's account the money arrived in.
    account_number: String,
    amount_yen: i64,
    /// Everything the payer wrote that may quote a deal: transferor name and EDI.
    reference: String,
    /// 振込依頼人コード, where the format carries it.
    transferor_code: Option<String>,
    effect: Effect,
}

impl Incoming {
    /// The record as the credit service takes it.
    fn input(&self) -> CreditInput {
        CreditInput {
            bank_ref: self.bank_ref.clone(),
            amount_yen: self.amount_yen,
            reference: self.reference.clone(),
            account_number: Some(self.account_number.clone()),
            transferor_code: self.transferor_code.clone(),
        }
    }
}

/// What an incoming record does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Effect {
    /// Money arrived.
    Credit,
    /// The bank took back money it had reported arriving.
    Reversal,
    /// Only listed for the operator.
    ListOnly,
}

fn invalid_file(message: impl Into<String>) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", message).with_field("file")
}

/// A Zengin statement: its deposits are incoming money, reconciled like notices, except a
/// deposit whose 摘要 marks one of Kessai's own transfers coming back (its EDI quotes the
/// payee). A withdrawal quoting a payee completes that transfer; other withdrawals and
/// corrections are listed for the operator, not applied.
fn statement(file: &zengin::ZenginFile) -> Parsed {
    let mut parsed = Parsed {
        format: "zengin-03".into(),
        credits: vec![],
        answers: vec![],
    };
    for (account, e) in zengin::statement::statement_entries(file) {
        if e.is_return() && !e.edi.is_empty() {
            // One of Kessai's own transfers came back (振込不能・組戻し): quoting the same EDI.
            parsed.answers.push(Answer {
                identity: e.identity(&account),
                target: AnswerTarget::Payee {
                    public_id: e.edi.clone(),
                    amount_yen: e.amount_yen as i64,
                },
                answer: BankAnswer::Returned {
                    reason: format!("振込不能・組戻し ({})", e.description),
                },
                money_back: Some(
                    Incoming {
                        bank_ref: e.identity(&account),
                        account_number: format!("{:0>7}", account.account_number),
                        amount_yen: e.amount_yen as i64,
                        reference: format!("{} {}", e.description, e.edi),
                        transferor_code: None,
                        effect: Effect::Credit,
                    }
                    .input(),
                ),
            });
            continue;
        }
        if !e.deposit && !e.edi.is_empty() && e.kind != 19 {
            // A withdrawal quoting a payee's deal ID: one of Kessai's own transfers left.
            let target = AnswerTarget::Payee {
                public_id: e.edi.clone(),
                amount_yen: e.amount_yen as i64,
            };
            parsed.answers.push(Answer {
                identity: e.identity(&account),
                target,
                answer: BankAnswer::Settled,
                money_back: None,
            });
            continue;
        }
        parsed.credits.push(Incoming {
            transferor_code: Some(e.transferor_code.clone()),
            bank_ref: e.identity(&account),
            account_number: format!("{:0>7}", account.account_number),
            amount_yen: e.amount_yen as i64,
            reference: format!("{} {}", e.transferor_name, e.edi)
                .trim()
                .to_string(),
            // 訂正 (19) corrects an earlier entry; like withdrawals, it is for the operator to read.
            effect: if e.deposit && e.kind != 19 {
                Effect::Credit
            } else {
                Effect::ListOnly
            },
        });
    }
    parsed
}

/// Parses the file completely: any problem rejects it whole, naming the record and field.
fn read(bytes: &[u8]) -> AppResult<Parsed> {
    let kind = detect(bytes);
    if kind == Detected::Zengin {
        let file = zengin::parse(bytes)
            .map_err(|e| invalid_file(format!("Zengin file rejected, nothing applied: {e}")))?;
        if file.kind == FileKind::Statement {
            return Ok(statement(&file));
        }
        if file.kind != FileKind::Notice {
            return Err(invalid_file(format!(
                "a Zengin type {} file is not an incoming-transfer notice (01) or a statement (03)",
                file.kind.type_code()
            )));
        }
        let credits = incoming_transfers(&file)
            .into_iter()
            .map(|t| Incoming {
                transferor_code: Some(t.transferor_code.clone()),
                account_number: t.account_number.clone(),
                bank_ref: t.identity(),
                amount_yen: t.amount_yen as i64,
                reference: format!("{} {}", t.transferor_name, t.edi)
                    .trim()
                    .to_string(),
                effect: if t.cancelled {
                    Effect::Reversal
                } else {
                    Effect::Credit
                },
            })
            .collect();
        return Ok(Parsed {
            format: "zengin-01".into(),
            credits,
            answers: vec![],
        });
    }
    if kind == Detected::Pain002 {
        let report = iso_status::read_pain_002(bytes)
            .map_err(|e| invalid_file(format!("pain.002 rejected, nothing applied: {e}")))?;
        let answers = report
            .transactions
            .iter()
            .map(|t| Answer {
                identity: format!(
                    "pain002:{}:{}:{:?}",
                    report.original_message_id, t.end_to_end_id, t.status
                ),
                target: AnswerTarget::EndToEnd(t.end_to_end_id.clone()),
                answer: match t.status {
                    TxStatus::Accepted | TxStatus::Pending => BankAnswer::Accepted,
                    TxStatus::Settled => BankAnswer::Settled,
                    TxStatus::Rejected => BankAnswer::Rejected {
                        reason: [t.reason_code.as_deref(), t.reason_text.as_deref()]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" "),
                    },
                },
                money_back: None,
            })
            .collect();
        return Ok(Parsed {
            format: "pain.002.001.11".into(),
            credits: vec![],
            answers,
        });
    }
    if kind == Detected::Camt054 {
        let n = iso_notification::read_camt_054(bytes)
            .map_err(|e| invalid_file(format!("camt.054 rejected, nothing applied: {e}")))?;
        let entries = n.entries.iter().map(|e| (e.identity(&n), e));
        return Ok(camt_entries("camt.054.001.08", &n.account_number, entries));
    }
    if kind == Detected::Camt053 {
        let st = iso_statement::read_camt_053(bytes)
            .map_err(|e| invalid_file(format!("camt.053 rejected, nothing applied: {e}")))?;
        // The same identity as camt.054's: an entry reported intraday and at end of day applies once.
        let entries = st.entries.iter().map(|e| (st.entry_identity(e), e));
        return Ok(camt_entries("camt.053.001.08", &st.account_number, entries));
    }
    Err(invalid_file("the file format is not recognized (expected Zengin 01 or 03, pain.002.001.11, camt.053.001.08 or camt.054.001.08)"))
}

/// Entries of a camt.053 or camt.054: credits are incoming money; a debit carrying Kessai's
/// own end-to-end reference says that transfer left the account; a credit carrying it (often
/// reversing that debit, `RvslInd`) says the transfer came back.
fn camt_entries<'a>(
    format: &str,
    account_number: &str,
    entries: impl Iterator<Item = (String, &'a NotificationEntry)>,
) -> Parsed {
    let mut parsed = Parsed {
        format: format.into(),
        credits: vec![],
        answers: vec![],
    };
    for (identity, e) in entries {
        let reference = [
            e.debtor_name.as_deref(),
            e.remittance.as_deref(),
            e.additional_info.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let incoming = |effect| Incoming {
            transferor_code: None,
            account_number: account_number.to_string(),
            bank_ref: identity.clone(),
            amount_yen: e.amount_yen as i64,
            reference: reference.clone(),
            effect,
        };
        // Kessai's own reference: the instruction's ID, as written in its pain.001.
        let ours = e
            .end_to_end_id
            .as_deref()
            .filter(|id| super::bank_answers::instruction_id(id).is_some());
        match (e.credit, e.reversal) {
            (true, _) => match ours {
                // One of Kessai's transfers came back; if no instruction of ours has this
                // reference after all, it is money in like any other.
                Some(e2e) => parsed.answers.push(Answer {
                    identity: identity.clone(),
                    target: AnswerTarget::EndToEnd(e2e.to_string()),
                    answer: BankAnswer::Returned {
                        reason: format!(
                            "returned by the bank {}",
                            e.additional_info.as_deref().unwrap_or_default()
                        )
                        .trim_end()
                        .to_string(),
                    },
                    money_back: Some(incoming(Effect::Credit).input()),
                }),
                // Money in; a reversed credit with no reference of ours is money in all the same.
                None => parsed.credits.push(incoming(Effect::Credit)),
            },
            // The bank took back money it had reported arriving.
            (false, true) => parsed.credits.push(incoming(Effect::Reversal)),
            (false, false) => {
                if let Some(e2e) = &e.end_to_end_id {
                    parsed.answers.push(Answer {
                        identity,
                        target: AnswerTarget::EndToEnd(e2e.clone()),
                        answer: BankAnswer::Settled,
                        money_back: None,
                    });
                }
            }
        }
    }
    parsed
}

pub async fn import(app: &App, name: &str, bytes: &[u8]) -> AppResult<ImportSummary> {
    let Parsed {
        format,
        credits,
        answers,
    } = read(bytes)?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let summary = ImportSummary {
        name: name.to_string(),
        format: format.clone(),
        records: credits.len() + answers.len(),
        matched: 0,
        unmatched: 0,
        duplicates: 0,
        cancellations: 0,
        already_imported_at_ms: None,
        reversals_applied: 0,
        reversals_listed: 0,
        answers_applied: 0,
        answers_duplicate: 0,
        answers_ignored: 0,
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
            let outcome = apply_answer(app, tx, &a.identity, &a.target, &a.answer).await?;
            match (outcome, &a.money_back) {
                (AnswerOutcome::Applied, _) => s.answers_applied += 1,
                (AnswerOutcome::Duplicate, _) => s.answers_duplicate += 1,
                (AnswerOutcome::Unknown, Some(input)) => {
                    s.count(&apply_credit(app, tx, input).await?);
                }
                (AnswerOutcome::Unknown | AnswerOutcome::Stale, _) => s.answers_ignored += 1,
            }
        }
        let file = NewBankFile {
            sha256: &sha256,
            format: &format,
            name,
            records: (credits.len() + answers.len()) as i64,
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
