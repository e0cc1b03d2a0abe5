//! Reading a bank file, whatever its format, into what it means for Kessai: incoming credits
//! (and the bank's reversals of them) and answers about Kessai's own transfers. Pure: nothing
//! is looked up or applied here; a file that does not parse is rejected whole.

mod zengin;

use crate::error::{AppError, AppResult};
use crate::service::bank_answers::{instruction_id, AnswerTarget};
use crate::service::credit::CreditInput;
use axum::http::StatusCode;

use crate::service::entry::{Direction, EntryContent};
use kessai_core::instruction::BankAnswer;
use kessai_formats::detect::{detect, Detected};
use kessai_formats::iso_notification::{self, NotificationEntry};
use kessai_formats::iso_statement;
use kessai_formats::iso_status::{self, TxStatus};

/// What one file holds, whatever its format.
pub(super) struct Parsed {
    pub(super) format: String,
    pub(super) credits: Vec<Incoming>,
    pub(super) answers: Vec<Answer>,
    /// What the file says it holds: every entry (credits and answers), and their amounts'
    /// total (from its trailers where the format has them).
    pub(super) entries: i64,
    pub(super) total_yen: i64,
    /// The operator's accounts the file is about: each must be one Kessai holds.
    pub(super) accounts: Vec<AccountRef>,
}

/// An account as a file names it; bank and branch where the format gives them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct AccountRef {
    pub(super) bank_code: Option<String>,
    pub(super) branch_code: Option<String>,
    pub(super) account_number: String,
}

impl Parsed {
    /// A file whose entries are all in `credits` and `answers`, totalled from them (for
    /// formats without trailer totals).
    pub(super) fn totalled(format: &str, credits: Vec<Incoming>, answers: Vec<Answer>) -> Parsed {
        let total_yen = credits.iter().map(|c| c.amount_yen).sum::<i64>()
            + answers.iter().map(|a| a.content.amount_yen).sum::<i64>();
        Parsed {
            format: format.into(),
            entries: (credits.len() + answers.len()) as i64,
            total_yen,
            credits,
            answers,
            accounts: vec![],
        }
    }
}

/// The bank's word about one of Kessai's own transfers.
pub(super) struct Answer {
    /// 1-based, in file order (counting every entry, credits too).
    pub(super) position: i64,
    pub(super) identity: String,
    /// What the entry says; a second entry with the same identity and other content is a
    /// conflict, not a duplicate.
    pub(super) content: EntryContent,
    pub(super) target: AnswerTarget,
    pub(super) answer: BankAnswer,
    /// Money that came back: if no instruction of Kessai's is found, it is still money in the
    /// bank, and is booked as an incoming credit (to suspense) instead of being lost.
    pub(super) money_back: Option<CreditInput>,
}

/// One incoming credit from any format, ready to be applied.
pub(super) struct Incoming {
    /// 1-based, in file order (counting every entry, answers too).
    pub(super) position: i64,
    /// The entry's identity across files.
    pub(super) bank_ref: String,
    /// What the entry says: compared when its identity was seen before.
    pub(super) content: EntryContent,
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
            content: Some(self.content.clone()),
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

/// Parses the file completely: any problem rejects it whole, naming the record and field.
pub(super) fn read(bytes: &[u8]) -> AppResult<Parsed> {
    let kind = detect(bytes);
    if kind == Detected::Zengin {
        return zengin::read(bytes);
    }
    if kind == Detected::Pain002 {
        let report = iso_status::read_pain_002(bytes)
            .map_err(|e| invalid_file(format!("pain.002 rejected, nothing applied: {e}")))?;
        let answers = report
            .transactions
            .iter()
            .zip(1..)
            .map(|(t, position)| Answer {
                position,
                identity: format!(
                    "pain002:{}:{}:{:?}",
                    report.original_message_id, t.end_to_end_id, t.status
                ),
                // A status report carries no amount or date: its status and reason are what it says.
                content: EntryContent {
                    amount_yen: 0,
                    booking_date: String::new(),
                    direction: Direction::Out,
                    counterparty: format!(
                        "{:?} {} {}",
                        t.status,
                        t.reason_code.as_deref().unwrap_or_default(),
                        t.reason_text.as_deref().unwrap_or_default()
                    ),
                },
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
        return Ok(Parsed::totalled("pain.002.001.11", vec![], answers));
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
    let (mut credits, mut answers) = (vec![], vec![]);
    for ((identity, e), position) in entries.zip(1..) {
        let reference = [
            e.debtor_name.as_deref(),
            e.remittance.as_deref(),
            e.additional_info.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let content = EntryContent {
            amount_yen: e.amount_yen as i64,
            booking_date: e.booking_date.clone(),
            direction: match (e.credit, e.reversal) {
                (true, _) => Direction::In,
                (false, true) => Direction::Reversal,
                (false, false) => Direction::Out,
            },
            counterparty: [e.debtor_name.as_deref(), e.end_to_end_id.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" "),
        };
        let incoming = |effect| Incoming {
            position,
            content: content.clone(),
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
                Some(e2e) => answers.push(Answer {
                    position,
                    identity: identity.clone(),
                    content: content.clone(),
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
                None => credits.push(incoming(Effect::Credit)),
            },
            // The bank took back money it had reported arriving.
            (false, true) => credits.push(incoming(Effect::Reversal)),
            (false, false) => match &e.end_to_end_id {
                Some(e2e) => answers.push(Answer {
                    position,
                    identity,
                    content,
                    target: AnswerTarget::EndToEnd(e2e.clone()),
                    answer: BankAnswer::Settled,
                    money_back: None,
                }),
                // Money left without Kessai's reference: listed for the operator.
                None => credits.push(incoming(Effect::ListOnly)),
            },
        }
    }
    Parsed::totalled(format, credits, answers)
}
