//! The auction escrow deal (PRODUCT.md §1, seed 000 figure 2) as a pure state machine.
//!
//! ```text
//!  AwaitingPayment ──pay (total ≥ price)──▶ Funded ──ship──▶ Shipped ──confirm receipt──▶ Completed
//!     │   ▲ pay (short): remainder requested   │                                     (payout, fee,
//!     │   └────────────────────────────────────┘                                      overpayment back)
//!     └─ pay-by deadline / operator ─▶ Cancelled       Funded ─ ship-by deadline / operator ─▶ Refunded
//! ```
//!
//! [`Deal::apply`] takes a command and the current time and returns a [`Transition`]: the new
//! deal, the journals, the outbound instructions and the notices, or a typed [`DealError`] that
//! changes nothing.

use crate::ledger::{AccountKind as A, Journal, JournalKind};
use crate::money::Yen;
use crate::notice::{Notice, NoticeKind as N, Party, RefundReason};
use crate::time::Millis;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DealState {
    AwaitingPayment,
    Funded,
    Shipped,
    Completed,
    Refunded,
    Cancelled,
}

impl DealState {
    pub const ALL: [DealState; 6] = [
        DealState::AwaitingPayment,
        DealState::Funded,
        DealState::Shipped,
        DealState::Completed,
        DealState::Refunded,
        DealState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DealState::AwaitingPayment => "awaiting_payment",
            DealState::Funded => "funded",
            DealState::Shipped => "shipped",
            DealState::Completed => "completed",
            DealState::Refunded => "refunded",
            DealState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<DealState> {
        DealState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A closed deal holds no money; anything that arrives later goes straight back.
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            DealState::Completed | DealState::Refunded | DealState::Cancelled
        )
    }
}

/// The money-relevant state of one agreed deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deal {
    pub state: DealState,
    pub price: Yen,
    /// The operator's fee, fixed when the deal was agreed.
    pub fee: Yen,
    /// Everything collected for this deal so far, including overpayment.
    pub received: Yen,
    /// Full payment must arrive by then, or the deal is cancelled.
    pub pay_by: Millis,
    /// Set when funded: the seller must ship by then, or the buyer is refunded.
    pub ship_by: Option<Millis>,
    /// How long the seller has to ship once the money is held.
    pub ship_days: u32,
    pub tracking: Option<String>,
}

/// Something a party, the bank, the operator or the scheduler asks of a deal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "snake_case")]
pub enum DealCommand {
    /// Money arrived at the operator's bank quoting this deal.
    Pay { amount: Yen },
    /// The operator assigns money from the suspense list (unmatched receipts) to this deal.
    AssignFromSuspense { amount: Yen },
    /// The bank took back a payment it had reported (取消, a reversal). Possible only while the
    /// money is still held: then the deal may fall back to waiting for payment.
    ReversePayment { amount: Yen },
    /// The seller reports shipment.
    Ship { tracking: Option<String> },
    /// The buyer confirms receipt.
    ConfirmReceipt,
    /// The scheduler checks the deadlines at the current time.
    Expire,
    /// The operator ends a deal that has not shipped, refunding the buyer.
    OperatorRefund,
}

impl DealCommand {
    pub fn name(&self) -> &'static str {
        match self {
            DealCommand::Pay { .. } => "pay",
            DealCommand::AssignFromSuspense { .. } => "assign_from_suspense",
            DealCommand::ReversePayment { .. } => "reverse_payment",
            DealCommand::Ship { .. } => "ship",
            DealCommand::ConfirmReceipt => "confirm_receipt",
            DealCommand::Expire => "expire",
            DealCommand::OperatorRefund => "operator_refund",
        }
    }
}

/// Money that must leave the operator's bank: recorded as a pending bank instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instruction {
    pub to: Party,
    pub amount: Yen,
    pub purpose: InstructionPurpose,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstructionPurpose {
    Payout,
    Refund,
    /// Money from the suspense list going back to whoever sent it (no deal).
    Return,
}

impl InstructionPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            InstructionPurpose::Payout => "payout",
            InstructionPurpose::Refund => "refund",
            InstructionPurpose::Return => "return",
        }
    }

    pub fn parse(s: &str) -> Option<InstructionPurpose> {
        [Self::Payout, Self::Refund, Self::Return]
            .into_iter()
            .find(|p| p.as_str() == s)
    }

    /// The liability an unfinished instruction of this purpose is owed from.
    pub fn owed_from(self) -> crate::ledger::AccountKind {
        use crate::ledger::AccountKind;
        match self {
            InstructionPurpose::Payout => AccountKind::PayoutDue,
            InstructionPurpose::Refund => AccountKind::RefundDue,
            InstructionPurpose::Return => AccountKind::ReturnDue,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub deal: Deal,
    /// A short machine name for the deal's timeline ("paid", "funded", "shipped", ...).
    pub event: &'static str,
    pub journals: Vec<Journal>,
    pub instructions: Vec<Instruction>,
    pub notices: Vec<Notice>,
}

impl Transition {
    /// The position in [`Transition::journals`] of the journal that made `instruction`'s money
    /// due (the last one crediting the account it is owed from): the instruction points at it.
    pub fn journal_of(&self, instruction: &Instruction) -> usize {
        let owed = instruction.purpose.owed_from();
        self.journals
            .iter()
            .rposition(|j| j.credited(owed) > 0)
            .expect("an instruction always has its journal")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DealError {
    #[error("this step is not possible while the deal is {}", .state.as_str())]
    WrongState {
        state: DealState,
        command: &'static str,
    },
    #[error("no deadline has passed")]
    NothingDue,
    #[error("the amount would overflow")]
    Overflow,
    #[error("the tracking number is too long (at most 64 characters)")]
    TrackingTooLong,
    #[error("the deal holds {held} but the reversal is for {amount}")]
    ReversalExceedsHeld { held: Yen, amount: Yen },
}

pub const MAX_TRACKING_CHARS: usize = 64;

fn notice(to: Party, kind: N) -> Notice {
    Notice { to, kind }
}

impl Deal {
    /// A newly agreed deal, waiting for the buyer's money.
    pub fn agreed(price: Yen, fee: Yen, now: Millis, pay_days: u32, ship_days: u32) -> Deal {
        assert!(
            price.is_positive() && fee.0 >= 0 && fee <= price,
            "fee must be within the price"
        );
        Deal {
            state: DealState::AwaitingPayment,
            price,
            fee,
            received: Yen::ZERO,
            pay_by: now.plus_days(pay_days),
            ship_by: None,
            ship_days,
            tracking: None,
        }
    }

    /// What the seller is paid on completion: the price less the operator's fee.
    pub fn payout(&self) -> Yen {
        self.price
            .checked_sub(self.fee)
            .expect("fee ≤ price, checked at agreement")
    }

    /// Money collected beyond the price.
    pub fn excess(&self) -> Yen {
        self.received.saturating_sub(self.price)
    }

    /// What the buyer still owes before the deal is funded.
    pub fn remaining(&self) -> Yen {
        self.price.saturating_sub(self.received)
    }

    /// The money in escrow right now (what the deal's `Held` account must show).
    pub fn held(&self) -> Yen {
        if self.state.is_closed() {
            Yen::ZERO
        } else {
            self.received
        }
    }

    pub fn apply(&self, command: &DealCommand, now: Millis) -> Result<Transition, DealError> {
        let wrong_state = || DealError::WrongState {
            state: self.state,
            command: command.name(),
        };
        let transition = match (self.state, command) {
            (state, DealCommand::Pay { amount }) if state.is_closed() => {
                self.return_late(*amount, A::BankClearing)?
            }
            (_, DealCommand::Pay { amount }) => self.collect(*amount, A::BankClearing, now)?,
            (state, DealCommand::AssignFromSuspense { amount }) if state.is_closed() => {
                self.return_late(*amount, A::UnmatchedReceipts)?
            }
            (_, DealCommand::AssignFromSuspense { amount }) => {
                self.collect(*amount, A::UnmatchedReceipts, now)?
            }
            (
                DealState::AwaitingPayment | DealState::Funded,
                DealCommand::ReversePayment { amount },
            ) => self.reverse(*amount)?,
            (DealState::Funded, DealCommand::Ship { tracking }) => self.ship(tracking.clone())?,
            (DealState::Shipped, DealCommand::ConfirmReceipt) => self.release(),
            (DealState::AwaitingPayment, DealCommand::Expire) if now >= self.pay_by => {
                self.void(DealState::Cancelled, RefundReason::NotPaid)
            }
            (DealState::Funded, DealCommand::Expire) if self.ship_by.is_some_and(|d| now >= d) => {
                self.void(DealState::Refunded, RefundReason::NotShipped)
            }
            (_, DealCommand::Expire) => return Err(DealError::NothingDue),
            (DealState::AwaitingPayment, DealCommand::OperatorRefund) => {
                self.void(DealState::Cancelled, RefundReason::Operator)
            }
            (DealState::Funded, DealCommand::OperatorRefund) => {
                self.void(DealState::Refunded, RefundReason::Operator)
            }
            _ => return Err(wrong_state()),
        };
        debug_assert_eq!(
            self.received.0 + incoming(&transition),
            transition.deal.received.0
        );
        Ok(transition)
    }

    /// The deal with `amount` more received, and the journal that moves it from `source` (the
    /// bank, or the suspense list) into the deal's hold: the first half of every payment.
    fn receive(&self, amount: Yen, source: A) -> Result<(Deal, Journal), DealError> {
        assert!(amount.is_positive());
        let mut deal = self.clone();
        deal.received = self
            .received
            .checked_add(amount)
            .ok_or(DealError::Overflow)?;
        Ok((
            deal,
            Journal::transfer(JournalKind::Collect, source, A::Held, amount),
        ))
    }

    fn collect(&self, amount: Yen, source: A, now: Millis) -> Result<Transition, DealError> {
        let (mut deal, collect) = self.receive(amount, source)?;
        let journals = vec![collect];
        let (event, notices) = match self.state {
            DealState::AwaitingPayment if deal.received < deal.price => (
                "paid_short",
                vec![notice(
                    Party::Buyer,
                    N::RemainderRequested {
                        received: deal.received,
                        remaining: deal.remaining(),
                    },
                )],
            ),
            DealState::AwaitingPayment => {
                deal.state = DealState::Funded;
                let ship_by = now.plus_days(deal.ship_days);
                deal.ship_by = Some(ship_by);
                (
                    "funded",
                    vec![
                        notice(
                            Party::Buyer,
                            N::Funded {
                                excess: deal.excess(),
                            },
                        ),
                        notice(Party::Seller, N::ShipRequested { ship_by }),
                    ],
                )
            }
            // Already funded: more money only adds to the overpayment returned at the end.
            _ => (
                "paid_extra",
                vec![notice(
                    Party::Buyer,
                    N::Funded {
                        excess: deal.excess(),
                    },
                )],
            ),
        };
        Ok(Transition {
            deal,
            event,
            journals,
            instructions: vec![],
            notices,
        })
    }

    fn return_late(&self, amount: Yen, source: A) -> Result<Transition, DealError> {
        let (deal, collect) = self.receive(amount, source)?;
        let journals = vec![
            collect,
            Journal::transfer(JournalKind::ReturnLate, A::Held, A::RefundDue, amount),
        ];
        let instructions = vec![Instruction {
            to: Party::Buyer,
            amount,
            purpose: InstructionPurpose::Refund,
        }];
        let notices = vec![notice(
            Party::Buyer,
            N::RefundInstructed {
                amount,
                reason: RefundReason::LatePayment,
            },
        )];
        Ok(Transition {
            deal,
            event: "late_payment_returned",
            journals,
            instructions,
            notices,
        })
    }

    /// Undoes a collection the bank reversed: the money goes back out of the hold.
    fn reverse(&self, amount: Yen) -> Result<Transition, DealError> {
        assert!(amount.is_positive());
        if amount > self.received {
            return Err(DealError::ReversalExceedsHeld {
                held: self.received,
                amount,
            });
        }
        let mut deal = self.clone();
        deal.received = self
            .received
            .checked_sub(amount)
            .ok_or(DealError::Overflow)?;
        let journals = vec![Journal::transfer(
            JournalKind::Reverse,
            A::Held,
            A::BankClearing,
            amount,
        )];
        let mut notices = vec![];
        if deal.received < deal.price {
            deal.state = DealState::AwaitingPayment;
            deal.ship_by = None;
            notices.push(notice(
                Party::Buyer,
                N::RemainderRequested {
                    received: deal.received,
                    remaining: deal.remaining(),
                },
            ));
            if self.state == DealState::Funded {
                notices.push(notice(Party::Seller, N::PaymentReversed));
            }
        }
        Ok(Transition {
            deal,
            event: "payment_reversed",
            journals,
            instructions: vec![],
            notices,
        })
    }

    fn ship(&self, tracking: Option<String>) -> Result<Transition, DealError> {
        if tracking
            .as_ref()
            .is_some_and(|t| t.chars().count() > MAX_TRACKING_CHARS)
        {
            return Err(DealError::TrackingTooLong);
        }
        let mut deal = self.clone();
        deal.state = DealState::Shipped;
        deal.tracking = tracking.clone();
        let notices = vec![notice(Party::Buyer, N::Shipped { tracking })];
        Ok(Transition {
            deal,
            event: "shipped",
            journals: vec![],
            instructions: vec![],
            notices,
        })
    }

    /// Posts the hold: price less fee to the seller, the fee to the operator, any excess back.
    fn release(&self) -> Transition {
        let mut deal = self.clone();
        deal.state = DealState::Completed;
        let payout = self.payout();
        let excess = self.excess();
        let journal = Journal::new(
            JournalKind::Release,
            &[
                (A::Held, self.received.0),
                (A::PayoutDue, -payout.0),
                (A::FeesEarned, -self.fee.0),
                (A::RefundDue, -excess.0),
            ],
        );
        let mut instructions = vec![];
        let mut notices = vec![
            notice(
                Party::Seller,
                N::PayoutInstructed {
                    amount: payout,
                    fee: self.fee,
                },
            ),
            notice(Party::Buyer, N::Completed),
        ];
        if payout.is_positive() {
            instructions.push(Instruction {
                to: Party::Seller,
                amount: payout,
                purpose: InstructionPurpose::Payout,
            });
        }
        if excess.is_positive() {
            instructions.push(Instruction {
                to: Party::Buyer,
                amount: excess,
                purpose: InstructionPurpose::Refund,
            });
            notices.push(notice(
                Party::Buyer,
                N::RefundInstructed {
                    amount: excess,
                    reason: RefundReason::Overpayment,
                },
            ));
        }
        Transition {
            deal,
            event: "completed",
            journals: vec![journal],
            instructions,
            notices,
        }
    }

    /// Voids the hold: everything received goes back to the buyer.
    fn void(&self, state: DealState, reason: RefundReason) -> Transition {
        let mut deal = self.clone();
        deal.state = state;
        let amount = self.received;
        let mut journals = vec![];
        let mut instructions = vec![];
        let mut notices = vec![
            notice(Party::Buyer, N::Cancelled { reason }),
            notice(Party::Seller, N::Cancelled { reason }),
        ];
        if amount.is_positive() {
            journals.push(Journal::transfer(
                JournalKind::Void,
                A::Held,
                A::RefundDue,
                amount,
            ));
            instructions.push(Instruction {
                to: Party::Buyer,
                amount,
                purpose: InstructionPurpose::Refund,
            });
            notices.push(notice(Party::Buyer, N::RefundInstructed { amount, reason }));
        }
        let event = if state == DealState::Refunded {
            "refunded"
        } else {
            "cancelled"
        };
        Transition {
            deal,
            event,
            journals,
            instructions,
            notices,
        }
    }
}

/// Money a transition brings into the deal (from the bank or the suspense list), less what a
/// reversal takes back.
fn incoming(t: &Transition) -> i64 {
    let collected: i64 = t
        .journals
        .iter()
        .filter(|j| j.kind == JournalKind::Collect)
        .map(|j| j.credited(A::Held))
        .sum();
    let reversed: i64 = t
        .journals
        .iter()
        .filter(|j| j.kind == JournalKind::Reverse)
        .map(|j| j.debited(A::Held))
        .sum();
    collected - reversed
}

#[cfg(test)]
mod tests;
