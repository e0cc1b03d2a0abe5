//! An order a merchant (加盟店) takes through Kessai's payment agency (seed 003, 決済代行): one
//! state machine for every payment method, so the dashboard shows every order in one table
//! and no method can move an order somewhere the others cannot.
//!
//! ```text
//! awaiting_acceptance ──accept──▶ unpaid ──authorize (card)──▶ authorized ──capture──▶ paid ──settle──▶ settled
//!        │                          │  ╲──pay (transfer, konbini)──────────────────────▶ paid
//!        └──cancel──▶ cancelled ◀───┤   ╲─decline─▶ declined (the buyer may pick another method)
//!                                   └──expire──▶ expired ──late payment──▶ paid, or held to give back
//! authorized ──void──▶ cancelled;  paid ──refund (all)──▶ refunded (a part: stays paid)
//! ```
//!
//! The money behind each move (a card authorization is a hold at the processor; a capture, a
//! konbini remittance or a transfer is money the operator holds for the merchant) is the
//! shell's to book; this module only says which moves are legal, as typed errors otherwise.

pub mod input;

use crate::money::Yen;
use serde::{Deserialize, Serialize};

pub use input::{Order, OrderInput, OrderItem, OrderItemInput};

/// How the buyer pays. The methods sit behind one trait in the server; this is their name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 銀行振込: the buyer transfers to the operator's account quoting the order's reference.
    BankTransfer,
    /// コンビニ払い: a slip paid at a convenience store, reported by the collection agent.
    Konbini,
    /// クレジットカード: authorized by the card processor, captured when the merchant ships.
    Card,
}

impl Method {
    pub const ALL: [Method; 3] = [Method::BankTransfer, Method::Konbini, Method::Card];

    pub fn as_str(self) -> &'static str {
        match self {
            Method::BankTransfer => "bank_transfer",
            Method::Konbini => "konbini",
            Method::Card => "card",
        }
    }

    pub fn parse(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.as_str() == s.trim())
    }
}

/// Where an order stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// The merchant confirms its stock before the buyer is asked to pay (受注確認).
    AwaitingAcceptance,
    Unpaid,
    /// A card authorization holds the amount at the processor; nothing is captured yet.
    Authorized,
    /// The money is Kessai's to pay to the merchant (captured, remitted or transferred).
    Paid,
    /// Paid out to the merchant.
    Settled,
    /// The last card attempt was declined; another method may still pay.
    Declined,
    /// Not paid by its expiry. A payment that arrives later is never lost (see [`arrival`]).
    Expired,
    Cancelled,
    Refunded,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 9] = [
        OrderStatus::AwaitingAcceptance,
        OrderStatus::Unpaid,
        OrderStatus::Authorized,
        OrderStatus::Paid,
        OrderStatus::Settled,
        OrderStatus::Declined,
        OrderStatus::Expired,
        OrderStatus::Cancelled,
        OrderStatus::Refunded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::AwaitingAcceptance => "awaiting_acceptance",
            OrderStatus::Unpaid => "unpaid",
            OrderStatus::Authorized => "authorized",
            OrderStatus::Paid => "paid",
            OrderStatus::Settled => "settled",
            OrderStatus::Declined => "declined",
            OrderStatus::Expired => "expired",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether the buyer may still pay (pick a method, retry after a decline).
    pub fn payable(self) -> bool {
        matches!(self, OrderStatus::Unpaid | OrderStatus::Declined)
    }

    /// No move leaves this status (a late payment on an expired order is handled apart).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Settled | OrderStatus::Cancelled | OrderStatus::Refunded
        )
    }
}

/// What happens to an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderEvent {
    /// The merchant confirmed its stock.
    Accept,
    /// The card processor authorized the amount.
    Authorize,
    /// The card processor declined.
    Decline,
    /// The money arrived (a bank transfer or a konbini payment) before the expiry.
    Pay,
    /// The money arrived after the expiry and the merchant takes late payments.
    PayLate,
    /// The authorization was captured (売上確定).
    Capture,
    /// The authorization was released before capture.
    Void,
    Expire,
    Cancel,
    /// Money back to the buyer; `rest` is what stays paid after it (zero: all of it).
    Refund {
        rest: Yen,
    },
    /// Paid out to the merchant.
    Settle,
}

impl OrderEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderEvent::Accept => "accept",
            OrderEvent::Authorize => "authorize",
            OrderEvent::Decline => "decline",
            OrderEvent::Pay => "pay",
            OrderEvent::PayLate => "pay_late",
            OrderEvent::Capture => "capture",
            OrderEvent::Void => "void",
            OrderEvent::Expire => "expire",
            OrderEvent::Cancel => "cancel",
            OrderEvent::Refund { .. } => "refund",
            OrderEvent::Settle => "settle",
        }
    }
}

/// A move the state machine refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("an order that is {} cannot {}", from.as_str(), event.as_str())]
pub struct IllegalMove {
    pub from: OrderStatus,
    pub event: OrderEvent,
}

/// The status `event` moves an order in `from` to.
pub fn next(from: OrderStatus, event: OrderEvent) -> Result<OrderStatus, IllegalMove> {
    use OrderEvent as E;
    use OrderStatus as S;
    let to = match (from, event) {
        (S::AwaitingAcceptance, E::Accept) => S::Unpaid,
        (S::Unpaid | S::Declined, E::Authorize) => S::Authorized,
        (S::Unpaid | S::Declined, E::Decline) => S::Declined,
        (S::Unpaid | S::Declined, E::Pay) => S::Paid,
        (S::AwaitingAcceptance | S::Unpaid | S::Declined, E::Expire) => S::Expired,
        (S::Expired, E::PayLate) => S::Paid,
        (S::AwaitingAcceptance | S::Unpaid | S::Declined, E::Cancel) => S::Cancelled,
        (S::Authorized, E::Capture) => S::Paid,
        (S::Authorized, E::Void) => S::Cancelled,
        (S::Paid, E::Refund { rest }) if rest.0 == 0 => S::Refunded,
        (S::Paid, E::Refund { rest }) if rest.is_positive() => S::Paid,
        (S::Paid, E::Settle) => S::Settled,
        _ => return Err(IllegalMove { from, event }),
    };
    Ok(to)
}

/// What a merchant wants done with money that arrives for an order after its expiry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LatePayment {
    /// The order is paid after all (the goods can still go).
    #[default]
    Accept,
    /// The money goes back to the buyer; the order stays expired.
    Refund,
}

impl LatePayment {
    pub fn as_str(self) -> &'static str {
        match self {
            LatePayment::Accept => "accept",
            LatePayment::Refund => "refund",
        }
    }

    pub fn parse(s: &str) -> Option<LatePayment> {
        [LatePayment::Accept, LatePayment::Refund]
            .into_iter()
            .find(|p| p.as_str() == s.trim())
    }
}

/// What money that arrives for an order does, by the order's status and the merchant's policy.
/// Money is never dropped: whatever the answer, it is booked on the order's hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arrival {
    /// It pays the order (`event` moves it: `Pay` in time, `PayLate` after the expiry).
    Pays(OrderEvent),
    /// Paid after the expiry, and the merchant gives late money back: the order stays expired.
    LateToGiveBack,
    /// The order was paid by something else, or cancelled: the money goes back.
    TwiceToGiveBack,
}

pub fn arrival(status: OrderStatus, policy: LatePayment) -> Arrival {
    match (status, policy) {
        (s, _) if s.payable() => Arrival::Pays(OrderEvent::Pay),
        (OrderStatus::Expired, LatePayment::Accept) => Arrival::Pays(OrderEvent::PayLate),
        (OrderStatus::Expired, LatePayment::Refund) => Arrival::LateToGiveBack,
        _ => Arrival::TwiceToGiveBack,
    }
}

/// A card capture in the books: the processor owes the amount (`card_receivable`), held for
/// the order's merchant (the order's `held` account, the escrow's own hold).
pub fn card_captured(amount: Yen) -> crate::Journal {
    crate::Journal::transfer(
        crate::JournalKind::CardCapture,
        crate::AccountKind::CardReceivable,
        crate::AccountKind::Held,
        amount,
    )
}

/// Captured card money back to the buyer: out of the order's hold, netted against what the
/// processor owes.
pub fn card_refunded(amount: Yen) -> crate::Journal {
    crate::Journal::transfer(
        crate::JournalKind::CardRefund,
        crate::AccountKind::Held,
        crate::AccountKind::CardReceivable,
        amount,
    )
}

/// A konbini payment the collection agent confirmed: the agent owes it (until it remits to
/// the operator's bank), held for the order.
pub fn konbini_paid(amount: Yen) -> crate::Journal {
    crate::Journal::transfer(
        crate::JournalKind::KonbiniPaid,
        crate::AccountKind::KonbiniReceivable,
        crate::AccountKind::Held,
        amount,
    )
}

#[cfg(test)]
mod tests;
