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
        (Completed, BankAnswer::Returned { .. }) => {
            Ok((Rejected, returned_money(Completed, purpose, amount, false)))
        }
        (Rejected, BankAnswer::Returned { .. }) => Ok((status, vec![])),
        (other, _) => Err(InstructionError::NotOutstanding(other)),
    }
}

/// The journals of a transfer that came back, given the instruction's status before (`was`)
/// and whether a notice had already booked the deposit as an unmatched credit
/// (`booked_as_credit`). Completed, the money is owed again: from the bank, or from the suspense
/// list where the notice put it. Not yet completed, the withdrawal was never booked and the
/// bank's −X +X nets to nothing: only a deposit the notice booked leaves the books again.
pub fn returned_money(
    was: InstructionStatus,
    purpose: InstructionPurpose,
    amount: Yen,
    booked_as_credit: bool,
) -> Vec<Journal> {
    let came_in = if booked_as_credit {
        AccountKind::UnmatchedReceipts
    } else {
        AccountKind::BankClearing
    };
    match (was, booked_as_credit) {
        (InstructionStatus::Completed, _) => vec![Journal::transfer(
            JournalKind::Returned,
            came_in,
            purpose.owed_from(),
            amount,
        )],
        (_, true) => vec![crate::suspense::reverse_unmatched(amount)],
        (_, false) => vec![],
    }
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

    #[test]
    fn returned_money_table() {
        let money = |was, booked| {
            returned_money(was, InstructionPurpose::Refund, Yen(500), booked)
                .iter()
                .map(|j| {
                    j.lines
                        .iter()
                        .map(|l| (l.account, l.amount_yen))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        use AccountKind::*;
        assert_eq!(
            money(Completed, false),
            vec![vec![(BankClearing, 500), (RefundDue, -500)]]
        );
        assert_eq!(
            money(Completed, true),
            vec![vec![(UnmatchedReceipts, 500), (RefundDue, -500)]]
        );
        assert_eq!(
            money(Sent, true),
            vec![vec![(UnmatchedReceipts, 500), (BankClearing, -500)]]
        );
        assert!(money(Accepted, false).is_empty());
    }
}
