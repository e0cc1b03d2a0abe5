//! Reading a bank file, whatever its format, into what it means for Kessai: incoming credits
//! (and the bank's reversals of them) and answers about Kessai's own transfers. Pure: nothing
//! is looked up or applied here; a file that does not parse is rejected whole.

use crate::error::{AppError, AppResult};
use crate::service::bank_answers::{instruction_id, AnswerTarget};
use crate::service::credit::CreditInput;
use axum::http::StatusCode;
use kessai_core::instruction::BankAnswer;
use kessai_formats::detect::{detect, Detected};
use kessai_formats::iso_notification::{self, NotificationEntry};
use kessai_formats::iso_statement;
use kessai_formats::iso_status::{self, TxStatus};
use kessai_formats::zengin::{self, notice::incoming_transfers, FileKind};

/// What one file holds, whatever its format.
pub(super) struct Parsed {
    pub(super) format: String,
    pub(super) credits: Vec<Incoming>,
    pub(super) answers: Vec<Answer>,
    /// The accounts the file reports on (bank, branch, number), where the importer checks them
    /// (ISO 20022: one per document; the bank and branch are `None` when the file leaves them
    /// out).
    pub(super) accounts: Vec<(Option<String>, Option<String>, String)>,
    /// Records that name nothing Kessai can act on (a pain.002 status without the original
    /// end-to-end ID, or without any status): counted, not applied.
    pub(super) ignored: usize,
}

/// The bank's word about one of Kessai's own transfers.
pub(super) struct Answer {
    pub(super) identity: String,
    pub(super) target: AnswerTarget,
    pub(super) answer: BankAnswer,
    /// Money that came back: if no instruction of Kessai's is found, it is still money in the
    /// bank, and is booked as an incoming credit (to suspense) instead of being lost.
    pub(super) money_back: Option<CreditInput>,
    /// Money left the account (a debit entry): if it answers no instruction of Kessai's, it is
    /// listed for the operator like any other withdrawal.
    pub(super) withdrawal: bool,
}

/// One incoming credit from any format, ready to be applied.
pub(super) struct Incoming {
    pub(super) bank_ref: String,
    /// The operator's account the money arrived in.
    pub(super) account_number: String,
    pub(super) amount_yen: i64,
    /// Everything the payer wrote that may quote a deal: transferor name and EDI.
    pub(super) reference: String,
    /// 振込依頼人コード, where the format carries it.
    pub(super) transferor_code: Option<String>,
    pub(super) effect: Effect,
}

impl Incoming {
    /// The record as the credit service takes it.
    pub(super) fn input(&self) -> CreditInput {
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
pub(super) enum Effect {
    /// Money arrived.
    Credit,
    /// The bank took back money it had reported arriving.
    Reversal,
    /// Only listed for the operator.
    ListOnly,
}

pub(super) fn invalid_file(message: impl Into<String>) -> AppError {
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
        ignored: 0,
        accounts: vec![],
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
                withdrawal: false,
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
                withdrawal: false,
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
pub(super) fn read(bytes: &[u8]) -> AppResult<Parsed> {
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
            ignored: 0,
            accounts: vec![],
        });
    }
    if kind == Detected::Pain002 {
        let report = iso_status::read_pain_002(bytes)
            .map_err(|e| invalid_file(format!("pain.002 rejected, nothing applied: {e}")))?;
        return Ok(status_report(&report));
    }
    if kind == Detected::Camt054 {
        let n = iso_notification::read_camt_054(bytes)
            .map_err(|e| invalid_file(format!("camt.054 rejected, nothing applied: {e}")))?;
        let entries = n.entry_identities().into_iter().zip(&n.entries);
        let mut parsed = camt_entries("camt.054.001.08", &n.account_number, entries);
        parsed.accounts = vec![(n.bank_code, n.branch_code, n.account_number)];
        return Ok(parsed);
    }
    if kind == Detected::Camt053 {
        let st = iso_statement::read_camt_053(bytes)
            .map_err(|e| invalid_file(format!("camt.053 rejected, nothing applied: {e}")))?;
        // The same identities as camt.054's: an entry reported intraday and at end of day
        // applies once.
        let entries = st.entry_identities().into_iter().zip(&st.entries);
        let mut parsed = camt_entries("camt.053.001.08", &st.account_number, entries);
        parsed.accounts = vec![(st.bank_code, st.branch_code, st.account_number)];
        return Ok(parsed);
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
        ignored: 0,
        accounts: vec![],
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
            .filter(|id| instruction_id(id).is_some());
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
                    withdrawal: false,
                }),
                // Money in; a reversed credit with no reference of ours is money in all the same.
                None => parsed.credits.push(incoming(Effect::Credit)),
            },
            // The bank took back money it had reported arriving.
            (false, true) => parsed.credits.push(incoming(Effect::Reversal)),
            (false, false) => match ours {
                // One of Kessai's transfers left the account.
                Some(e2e) => parsed.answers.push(Answer {
                    identity,
                    target: AnswerTarget::EndToEnd(e2e.to_string()),
                    answer: BankAnswer::Settled,
                    money_back: None,
                    withdrawal: true,
                }),
                // Money left that Kessai did not send: listed for the operator, never dropped.
                None => parsed.credits.push(incoming(Effect::ListOnly)),
            },
        }
    }
    parsed
}

/// A pain.002: one answer per transaction status. A status naming no end-to-end ID, or giving
/// no status Kessai acts on, is counted as ignored.
fn status_report(report: &iso_status::StatusReport) -> Parsed {
    let mut parsed = Parsed {
        format: "pain.002.001.11".into(),
        credits: vec![],
        answers: vec![],
        ignored: 0,
        accounts: vec![],
    };
    for t in &report.transactions {
        let (Some(e2e), Some(status)) = (&t.end_to_end_id, t.status) else {
            parsed.ignored += 1;
            continue;
        };
        parsed.answers.push(Answer {
            identity: t.identity(report),
            target: AnswerTarget::EndToEnd(e2e.clone()),
            answer: match status {
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
            withdrawal: false,
        });
    }
    parsed
}
