//! Paying a contract's seller (seed 001, step 7): the contract's whole hold is posted once, to
//! the seller less the site's fee, and the seller's part leaves the operator's main account
//! by bank transfer. The hold is resolved by this one journal (a `Release`), so the store's
//! unique resolution per owner makes a second payout of the same contract impossible.

use crate::fees::FeeRule;
use crate::ledger::{AccountKind as A, Journal, JournalKind};
use crate::money::Yen;

/// A contract's payout track: waiting until it may be paid, instructed to the bank, paid
/// once the bank confirms the transfer (or at once when the fee took it all).
pub const WAITING: &str = "waiting";
pub const INSTRUCTED: &str = "instructed";
pub const PAID: &str = "paid";

/// What paying one contract moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Payout {
    /// The operator's fee, kept out of the hold.
    pub fee: Yen,
    /// What the seller is sent; zero when the fee took it all (no transfer is made).
    pub to_seller: Yen,
    /// Held → owed to the seller and earned as fees.
    pub journal: Journal,
}

impl Payout {
    /// The payout of a contract debited for `amount`, under the site's fee rule.
    pub fn of(amount: Yen, rule: FeeRule) -> Payout {
        let fee = rule.fee_for(amount);
        let to_seller = Yen(amount.0 - fee.0);
        let journal = Journal::new(
            JournalKind::Release,
            &[
                (A::Held, amount.0),
                (A::PayoutDue, -to_seller.0),
                (A::FeesEarned, -fee.0),
            ],
        );
        Payout {
            fee,
            to_seller,
            journal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_hold_goes_to_the_seller_and_the_fee() {
        let rule = FeeRule {
            rate_basis_points: 360,
            fixed_yen: 100,
        };
        for amount in [1, 99, 100, 2_778, 10_000, 9_999_999_999] {
            let p = Payout::of(Yen(amount), rule);
            assert_eq!(p.fee.0 + p.to_seller.0, amount, "{amount}");
            assert!(p.to_seller.0 >= 0 && p.fee.0 >= 0);
            assert_eq!(p.journal.validate(), Ok(()));
            let held: i64 = p
                .journal
                .lines
                .iter()
                .filter(|l| l.account == A::Held)
                .map(|l| l.amount_yen)
                .sum();
            assert_eq!(held, amount, "the hold is emptied exactly");
        }
        let small = Payout::of(Yen(50), rule);
        assert_eq!((small.fee, small.to_seller), (Yen(50), Yen(0)));
        assert!(
            small
                .journal
                .lines
                .iter()
                .all(|l| l.account != A::PayoutDue),
            "a zero line is left out"
        );
        assert_eq!(Payout::of(Yen(10_000), rule).to_seller, Yen(9_540));
    }
}
