//! An outbound bank instruction (payout or refund) after it was created: the bank's answers
//! move it along, and the money leaves the ledger only when the bank says it left the account.
//!
//! ```text
//! pending ──export──▶ sent ──accepted──▶ accepted ──settled──▶ completed
//!    ▲                  │                    │                     │
//!    └──── corrected ── rejected ◀──rejected─┘                     │
//!                          ▲───────────── returned (振込不能) ──────┘
//! ```
//!
//! A Zengin transfer the payee's bank cannot credit comes back as a deposit some time after it
//! left (振込不能・組戻し): the instruction is rejected again and the money is owed once more.

use crate::deal::InstructionPurpose;
use crate::ledger::{AccountKind, Journal, JournalKind};
use crate::money::Yen;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstructionStatus {
    Pending,
    Sent,
    Accepted,
    Completed,
    Rejected,
}

impl InstructionStatus {
    pub const ALL: [InstructionStatus; 5] = [
        InstructionStatus::Pending,
        InstructionStatus::Sent,
        InstructionStatus::Accepted,
        InstructionStatus::Completed,
        InstructionStatus::Rejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InstructionStatus::Pending => "pending",
            InstructionStatus::Sent => "sent",
            InstructionStatus::Accepted => "accepted",
            InstructionStatus::Completed => "completed",
            InstructionStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<InstructionStatus> {
        InstructionStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What the bank said about an instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BankAnswer {
    /// Taken for processing.
    Accepted,
    /// The money left the operator's account.
    Settled,
    /// Refused, with the bank's reason (e.g. `AC01 incorrect account number`).
    Rejected { reason: String },
    /// The money came back after it had left (振込不能 / 組戻し), with the bank's reason.
    Returned { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstructionError {
    #[error("the instruction is {}: the bank's answer does not apply", .0.as_str())]
    NotOutstanding(InstructionStatus),
    #[error("only a rejected instruction can be corrected and sent again; this one is {}", .0.as_str())]
    NotRejected(InstructionStatus),
}

/// The new status and the journals an answer causes. An answer that repeats the current
/// status changes nothing (banks repeat themselves).
pub fn answer(
    status: InstructionStatus,
    purpose: InstructionPurpose,
    amount: Yen,
    answer: &BankAnswer,
) -> Result<(InstructionStatus, Vec<Journal>), InstructionError> {
    use InstructionStatus::*;
    let owed = purpose.owed_from();
    match (status, answer) {
        (Accepted, BankAnswer::Accepted)
        | (Completed, BankAnswer::Settled)
        | (Rejected, BankAnswer::Rejected { .. }) => Ok((status, vec![])),
        (Sent, BankAnswer::Accepted) => Ok((Accepted, vec![])),
        (Sent | Accepted, BankAnswer::Settled) => Ok((
            Completed,
            vec![Journal::transfer(
                JournalKind::Settle,
                owed,
                AccountKind::BankClearing,
                amount,
            )],
        )),
        (Sent | Accepted, BankAnswer::Rejected { .. } | BankAnswer::Returned { .. }) => {
            Ok((Rejected, vec![]))
        }
        // It had left and is back: owed again, until corrected and sent once more.
        (Completed, BankAnswer::Returned { .. }) => Ok((
            Rejected,
            vec![Journal::transfer(
                JournalKind::Returned,
                AccountKind::BankClearing,
                owed,
                amount,
            )],
        )),
        (Rejected, BankAnswer::Returned { .. }) => Ok((status, vec![])),
        (other, _) => Err(InstructionError::NotOutstanding(other)),
    }
}

/// The journal of a return (`BankAnswer::Returned` on a completed instruction) whose money was
/// first booked as an unmatched credit, because a notice listed the deposit before the
/// statement said what it was: the money moves from the suspense list to what is owed again,
/// instead of into the bank a second time.
pub fn returned_from_suspense(purpose: InstructionPurpose, amount: Yen) -> Journal {
    Journal::transfer(
        JournalKind::Returned,
        AccountKind::UnmatchedReceipts,
        purpose.owed_from(),
        amount,
    )
}

/// After the operator corrected the account, a rejected instruction goes out again.
pub fn resend(status: InstructionStatus) -> Result<InstructionStatus, InstructionError> {
    match status {
        InstructionStatus::Rejected => Ok(InstructionStatus::Pending),
        other => Err(InstructionError::NotRejected(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use InstructionStatus::*;

    #[test]
    fn answer_table() {
        let rejected = BankAnswer::Rejected {
            reason: "AC01".into(),
        };
        let returned = BankAnswer::Returned {
            reason: "振込不能".into(),
        };
        let answers = [
            BankAnswer::Accepted,
            BankAnswer::Settled,
            rejected,
            returned,
        ];
        #[rustfmt::skip]
        let table: [(InstructionStatus, [Option<InstructionStatus>; 4]); 5] = [
            //          accepted         settled          rejected        returned
            (Pending,   [None,           None,            None,           None]),
            (Sent,      [Some(Accepted), Some(Completed), Some(Rejected), Some(Rejected)]),
            (Accepted,  [Some(Accepted), Some(Completed), Some(Rejected), Some(Rejected)]),
            (Completed, [None,           Some(Completed), None,           Some(Rejected)]),
            (Rejected,  [None,           None,            Some(Rejected), Some(Rejected)]),
        ];
        for (from, row) in table {
            for (a, expected) in answers.iter().zip(row) {
                let got = answer(from, InstructionPurpose::Payout, Yen(100), a)
                    .ok()
                    .map(|(s, _)| s);
                assert_eq!(got, expected, "{from:?} × {a:?}");
            }
        }
    }

    #[test]
    fn money_leaves_the_ledger_once_when_settled() {
        let (s, journals) = answer(
            Sent,
            InstructionPurpose::Refund,
            Yen(700),
            &BankAnswer::Settled,
        )
        .unwrap();
        assert_eq!(s, Completed);
        assert_eq!(journals.len(), 1);
        assert_eq!(journals[0].debited(AccountKind::RefundDue), 700);
        assert_eq!(journals[0].credited(AccountKind::BankClearing), 700);
        let (_, again) = answer(
            Completed,
            InstructionPurpose::Refund,
            Yen(700),
            &BankAnswer::Settled,
        )
        .unwrap();
        assert!(again.is_empty(), "a repeated settlement posts nothing");
        assert_eq!(resend(Rejected), Ok(Pending));
        assert_eq!(
            resend(Completed),
            Err(InstructionError::NotRejected(Completed))
        );
    }

    #[test]
    fn a_returned_transfer_is_owed_again() {
        let returned = BankAnswer::Returned {
            reason: "振込不能".into(),
        };
        let (s, journals) =
            answer(Completed, InstructionPurpose::Payout, Yen(900), &returned).unwrap();
        assert_eq!(s, Rejected);
        assert_eq!(journals.len(), 1);
        assert_eq!(journals[0].debited(AccountKind::BankClearing), 900);
        assert_eq!(journals[0].credited(AccountKind::PayoutDue), 900);
        // Before the withdrawal was reported: nothing had left the books, nothing comes back.
        let (s, journals) = answer(Sent, InstructionPurpose::Payout, Yen(900), &returned).unwrap();
        assert_eq!((s, journals.len()), (Rejected, 0));
        // The same return read again changes nothing.
        let (s, journals) =
            answer(Rejected, InstructionPurpose::Payout, Yen(900), &returned).unwrap();
        assert_eq!((s, journals.len()), (Rejected, 0));
    }
}
