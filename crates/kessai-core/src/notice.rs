//! What the core asks to tell people. The shell renders each notice as an email (ja/en).

use crate::money::Yen;
use crate::time::Millis;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Buyer,
    Seller,
}

impl Party {
    pub fn as_str(self) -> &'static str {
        match self {
            Party::Buyer => "buyer",
            Party::Seller => "seller",
        }
    }

    pub fn parse(s: &str) -> Option<Party> {
        match s {
            "buyer" => Some(Party::Buyer),
            "seller" => Some(Party::Seller),
            _ => None,
        }
    }

    pub fn other(self) -> Party {
        match self {
            Party::Buyer => Party::Seller,
            Party::Seller => Party::Buyer,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub to: Party,
    pub kind: NoticeKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NoticeKind {
    /// The party's own registration was received; their ID is in the email's context.
    Registered,
    /// The two registrations differ in these fields; nothing proceeds until one is amended.
    /// Both parties are told; `registered_by` is the party whose registration (or amendment)
    /// was just compared.
    Mismatch {
        fields: Vec<String>,
        registered_by: Party,
    },
    /// Both registrations match.
    Agreed,
    /// How to pay: amount, deadline, and the 振込依頼人コード to give the bank; the reference
    /// (the buyer's ID) is in the email's context.
    PaymentInstructions {
        amount: Yen,
        pay_by: Millis,
        #[serde(default)]
        payer_code: Option<String>,
    },
    /// A payment arrived but the total is short.
    RemainderRequested { received: Yen, remaining: Yen },
    /// The deal is fully paid; `excess` is any overpayment, returned after receipt.
    Funded { excess: Yen },
    /// Money is held: ship by the deadline.
    ShipRequested { ship_by: Millis },
    /// The bank took the buyer's payment back: the seller must not ship yet.
    PaymentReversed,
    /// The seller reported shipment.
    Shipped { tracking: Option<String> },
    /// The payout to the seller was instructed.
    PayoutInstructed { amount: Yen, fee: Yen },
    /// The buyer confirmed receipt; the deal is complete.
    Completed,
    /// Money goes back to the buyer.
    RefundInstructed { amount: Yen, reason: RefundReason },
    /// The deal ended without a payout.
    Cancelled { reason: RefundReason },
    /// The bank has paid a payout or refund instructed earlier: the money has left.
    TransferCompleted {
        purpose: crate::deal::InstructionPurpose,
        amount: Yen,
    },
    /// The bank could not pay a payout or refund (or it came back); the operator corrects the
    /// account and it goes out again.
    TransferFailed {
        purpose: crate::deal::InstructionPurpose,
        amount: Yen,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundReason {
    /// Paid more than the price; the rest goes back once the deal completes.
    Overpayment,
    /// The seller did not ship by the deadline.
    NotShipped,
    /// The buyer did not pay in full by the deadline.
    NotPaid,
    /// The operator ended the deal.
    Operator,
    /// Money arrived after the deal had ended.
    LatePayment,
}
