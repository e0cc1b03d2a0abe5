//! Reading a bank file, whatever its format, into what it means for Kessai: incoming credits
//! (and the bank's reversals of them) and answers about Kessai's own transfers. Pure: nothing
//! is looked up or applied here; a file that does not parse is rejected whole.

mod zengin;

use crate::error::{AppError, AppResult};
use crate::service::bank_answers::{instruction_id, AnswerTarget};
use crate::service::credit::CreditInput;
use axum::http::StatusCode;
use kessai_core::contract::DebitOutcome;

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
    /// Results of Kessai's direct debits (Zengin 91 result files).
    pub(super) debits: Vec<DebitEntry>,
    /// What the file says it holds: every entry (credits and answers), and their amounts'
    /// total (from its trailers where the format has them).
    pub(super) entries: i64,
    pub(super) total_yen: i64,
    /// The operator's accounts the file is about: each must be one Kessai holds.
    pub(super) accounts: Vec<AccountRef>,
    /// A direct-debit result file names the account the debits paid into, which with no
    /// pooling is the seller's: then only its bank must be one of the operator's.
    pub(super) accounts_may_be_sellers: bool,
    /// The closing balance a statement gave for each account it covers.
    pub(super) balances: Vec<(AccountRef, i64)>,
    /// Records that name nothing Kessai can act on and carry no money (a pain.002 status
    /// without the original end-to-end ID, or without any status): counted, not applied.
    pub(super) ignored: usize,
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
            debits: vec![],
            accounts: vec![],
            accounts_may_be_sellers: false,
            balances: vec![],
            ignored: 0,
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
    /// Boxed: most answers bring no money back, and a statement of a million answers would
    /// otherwise carry a whole `CreditInput`'s room in each.
    pub(super) money_back: Option<Box<CreditInput>>,
    /// Money left the account (a debit entry): if it answers no instruction of Kessai's, it is
    /// listed for the operator like any other withdrawal.
    pub(super) withdrawal: bool,
    /// The day the bank booked it (`YYYY-MM-DD`), where the file says: a camt `BookgDt`, a
    /// Zengin 勘定日; a status report has none. Kept apart from `content`, which for camt
    /// leaves dates out on purpose.
    pub(super) booked_on: Option<String>,
}

/// The buyer's bank's result of one of Kessai's direct debits.
pub(super) struct DebitEntry {
    /// 1-based, in file order.
    pub(super) position: i64,
    pub(super) identity: String,
    /// What the entry says (amount, date, the debit's number and result): a second entry with
    /// the same identity and other content contradicts the first.
    pub(super) content: EntryContent,
    /// The debit's number as Kessai requested it (顧客番号); `None` when it is not one.
    pub(super) reference: Option<i64>,
    /// What the entry says was debited; a status report says no amount (0, and not checked).
    pub(super) amount_yen: i64,
    pub(super) states_amount: bool,
    pub(super) outcome: kessai_core::contract::DebitOutcome,
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
    /// camt: the payer's name and remittance, which records of the rule before migration 9
    /// are compared by (`entry::seen_before_upgrade`).
    pub(super) payer_text: Option<String>,
    /// The day the bank booked it (`YYYY-MM-DD`), where the file says.
    pub(super) booked_on: Option<String>,
    /// When the entry says it is the sum a direct-debit request collected: the bank of the
    /// operator's account it was paid into (`debit_collection::recognize`).
    pub(super) collection_at: Option<String>,
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
            before_upgrade: None,
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
pub(super) fn read(bytes: Vec<u8>) -> AppResult<Parsed> {
    let kind = detect(&bytes);
    if kind == Detected::Zengin {
        return zengin::read(bytes);
    }
    let bytes = bytes.as_slice();
    if kind == Detected::Pain002 {
        let report = iso_status::read_pain_002(bytes)
            .map_err(|e| invalid_file(format!("pain.002 rejected, nothing applied: {e}")))?;
        return Ok(status_report(&report));
    }
    if kind == Detected::Camt054 {
        let n = iso_notification::read_camt_054(bytes)
            .map_err(|e| invalid_file(format!("camt.054 rejected, nothing applied: {e}")))?;
        let account = AccountRef {
            bank_code: n.bank_code.clone(),
            branch_code: n.branch_code.clone(),
            account_number: n.account_number.clone(),
        };
        let entries = n.entry_identities().into_iter().zip(&n.entries);
        return Ok(camt_entries("camt.054.001.08", account, entries));
    }
    if kind == Detected::Camt053 {
        let st = iso_statement::read_camt_053(bytes)
            .map_err(|e| invalid_file(format!("camt.053 rejected, nothing applied: {e}")))?;
        let account = AccountRef {
            bank_code: st.bank_code.clone(),
            branch_code: st.branch_code.clone(),
            account_number: st.account_number.clone(),
        };
        // The same identities as camt.054's: an entry reported intraday and at end of day
        // applies once.
        let entries = st.entry_identities().into_iter().zip(&st.entries);
        let mut parsed = camt_entries("camt.053.001.08", account.clone(), entries);
        parsed.balances = st
            .closing_balance_yen
            .map(|b| (account, b))
            .into_iter()
            .collect();
        return Ok(parsed);
    }
    Err(invalid_file("the file format is not recognized (expected Zengin 01 or 03, pain.002.001.11, camt.053.001.08 or camt.054.001.08)"))
}

/// Entries of a camt.053 or camt.054: credits are incoming money; a debit carrying Kessai's
/// own end-to-end reference says that transfer left the account; a credit carrying it (often
/// reversing that debit, `RvslInd`) says the transfer came back.
fn camt_entries<'a>(
    format: &str,
    account: AccountRef,
    entries: impl Iterator<Item = (String, &'a NotificationEntry)>,
) -> Parsed {
    let account_number = account.account_number.as_str();
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
        // What must agree when the bank reports one entry again: its amount and direction.
        // Entries known by the bank's own reference (`AcctSvcrRef`) are described in less
        // detail in one report than in another (a camt.053 often drops the parties or the
        // booking time a camt.054 gave), so the parties and dates are not compared: they would
        // make one entry look like two. A composite identity holds all of them already.
        let content = EntryContent {
            amount_yen: e.amount_yen as i64,
            booking_date: String::new(),
            direction: match (e.credit, e.reversal) {
                (true, _) => Direction::In,
                (false, true) => Direction::Reversal,
                (false, false) => Direction::Out,
            },
            counterparty: String::new(),
        };
        let payer_text = [e.debtor_name.as_deref(), e.remittance.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let incoming = |effect| Incoming {
            payer_text: Some(payer_text.clone()),
            position,
            content: content.clone(),
            transferor_code: None,
            account_number: account_number.to_string(),
            bank_ref: identity.clone(),
            amount_yen: e.amount_yen as i64,
            reference: reference.clone(),
            effect,
            booked_on: e.booking_date.clone(),
            collection_at: None,
        };
        // Kessai's own reference: the instruction's ID, as written in its pain.001.
        let ours = e
            .end_to_end_id
            .as_deref()
            .filter(|id| instruction_id(id).is_some());
        // Swept money arriving in the main account quotes the sweep's end-to-end ID too, as
        // the operator's own transfer; unless it reverses one, it is money in (for
        // `sweep::report::arrival`), not a transfer of Kessai's coming back.
        let swept_in = e.credit
            && !e.reversal
            && kessai_core::sweep::quoted_reference(e.remittance.as_deref().unwrap_or(""))
                .is_some();
        let ours = ours.filter(|_| !swept_in);
        match (e.credit, e.reversal) {
            // The sum a direct-debit request collected, paid into this account.
            (true, false) if ours.is_none() && is_debit_collection(e) => credits.push(Incoming {
                collection_at: account.bank_code.clone(),
                ..incoming(Effect::Credit)
            }),
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
                    money_back: Some(Box::new(incoming(Effect::Credit).input())),
                    withdrawal: false,
                    booked_on: e.booking_date.clone(),
                }),
                // Money in; a reversed credit with no reference of ours is money in all the same.
                None => credits.push(incoming(Effect::Credit)),
            },
            // The bank took back money it had reported arriving.
            (false, true) => credits.push(incoming(Effect::Reversal)),
            (false, false) => match ours {
                // One of Kessai's transfers left the account.
                Some(e2e) => answers.push(Answer {
                    position,
                    identity,
                    content,
                    target: AnswerTarget::EndToEnd(e2e.to_string()),
                    answer: BankAnswer::Settled,
                    money_back: None,
                    withdrawal: true,
                    booked_on: e.booking_date.clone(),
                }),
                // Money left that Kessai did not send: listed for the operator, never dropped.
                None => credits.push(incoming(Effect::ListOnly)),
            },
        }
    }
    Parsed {
        accounts: vec![account],
        ..Parsed::totalled(format, credits, answers)
    }
}

/// A camt credit that says it is a direct-debit request's collected sum: its additional
/// information carries a 口座振替 word (as a Zengin 摘要 does) or says so in English.
fn is_debit_collection(e: &NotificationEntry) -> bool {
    use kessai_formats::zengin::statement::COLLECTION_MARKERS;
    let info = e.additional_info.as_deref().unwrap_or_default();
    e.debtor_name.is_none()
        && (COLLECTION_MARKERS.iter().any(|m| info.contains(m))
            || info
                .to_ascii_uppercase()
                .contains("DIRECT DEBIT COLLECTION"))
}

/// A pain.002: one answer per transaction status. A status naming no end-to-end ID, or giving
/// no status Kessai acts on, is counted as ignored (it carries no money).
fn status_report(report: &iso_status::StatusReport) -> Parsed {
    let mut answers = vec![];
    let mut debits = vec![];
    let mut ignored = 0;
    for t in &report.transactions {
        let (Some(e2e), Some(status)) = (&t.end_to_end_id, t.status) else {
            ignored += 1;
            continue;
        };
        let reason = [t.reason_code.as_deref(), t.reason_text.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        let position = (answers.len() + debits.len() + ignored + 1) as i64;
        // Kessai's own direct debits are numbered `KD…` (`debit_run::end_to_end_id`).
        if let Some(reference) = e2e.strip_prefix("KD").and_then(|n| n.parse::<i64>().ok()) {
            match debit_outcome(status, t.reason_code.as_deref()) {
                Some(outcome) => debits.push(DebitEntry {
                    position,
                    identity: t.identity(report),
                    content: EntryContent {
                        amount_yen: 0,
                        booking_date: String::new(),
                        direction: Direction::In,
                        counterparty: format!("{status:?} {reason}"),
                    },
                    reference: Some(reference),
                    amount_yen: 0,
                    states_amount: false,
                    outcome,
                }),
                // Accepted or pending: not yet an answer to act on.
                None => ignored += 1,
            }
            continue;
        }
        answers.push(Answer {
            position,
            identity: t.identity(report),
            // A status report carries no amount or date: its status and reason are what it says.
            content: EntryContent {
                amount_yen: 0,
                booking_date: String::new(),
                direction: Direction::Out,
                counterparty: format!("{status:?} {reason}"),
            },
            target: AnswerTarget::EndToEnd(e2e.clone()),
            answer: match status {
                TxStatus::Accepted | TxStatus::Pending => BankAnswer::Accepted,
                TxStatus::Settled => BankAnswer::Settled,
                TxStatus::Rejected => BankAnswer::Rejected { reason },
            },
            money_back: None,
            withdrawal: false,
            booked_on: None,
        });
    }
    let mut parsed = Parsed {
        ignored,
        ..Parsed::totalled("pain.002.001.11", vec![], answers)
    };
    parsed.entries += debits.len() as i64;
    parsed.debits = debits;
    parsed
}

/// What a status report says of one of Kessai's direct debits: settled is debited; a rejection
/// by its ISO reason code; accepted or pending is no result yet.
fn debit_outcome(status: TxStatus, reason: Option<&str>) -> Option<DebitOutcome> {
    Some(match status {
        TxStatus::Settled => DebitOutcome::Debited,
        TxStatus::Accepted | TxStatus::Pending => return None,
        TxStatus::Rejected => match reason {
            Some("AM04") => DebitOutcome::InsufficientFunds,
            Some("AC01" | "AC04" | "AC03") => DebitOutcome::NoAccount,
            Some("AC06" | "MS02" | "MD06") => DebitOutcome::StoppedByPayer,
            Some("MD01" | "MD02") => DebitOutcome::NoAgreement,
            Some("MS03") => DebitOutcome::StoppedByCollector,
            _ => DebitOutcome::Other,
        },
    })
}
