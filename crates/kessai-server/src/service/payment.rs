//! The ways a buyer pays an order. Each method sits behind [`PaymentMethod`]: it takes what
//! the buyer submitted on Kessai's checkout page, moves the order through the one state
//! machine (`kessai_core::order`) and books the money in the same transactions; so a debit
//! card, a direct debit or cash on delivery is one more implementation, not another flow.
//! Built so far: the card ([`card::Card`]) and the konbini slip ([`konbini::Konbini`]); the
//! bank transfer is next.

pub mod card;
pub mod konbini;
pub mod seal;

use crate::error::AppResult;
use crate::service::merchant::Merchant;
use crate::App;
use kessai_store::OrderRecord;

/// What the buyer's attempt came to, for the page to say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// The money is held (card authorization) or paid; the order moved.
    Accepted { status: String },
    /// Refused (a decline, a processing error): the order may still be paid another way.
    Refused { code: String },
}

/// A way to pay. `pay` runs the whole attempt (the partner's answer included) and leaves the
/// order moved or, refused, payable by another method. What a method does afterwards (a
/// card's capture, void and refund) is its own: the methods differ there.
#[allow(async_fn_in_trait)]
pub trait PaymentMethod {
    /// What the buyer submits for this method.
    type Input;

    async fn pay(
        &self,
        app: &App,
        merchant: &Merchant,
        order: &OrderRecord,
        input: &Self::Input,
    ) -> AppResult<Attempt>;
}
