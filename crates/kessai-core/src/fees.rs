//! The operator's fee on a deal, taken from the seller's payout.

use crate::money::Yen;
use serde::{Deserialize, Serialize};

/// `fee = min(price, fixed + price × rate)`, with the rate in basis points (1/100 of a percent)
/// and the product rounded down to the yen, as is usual for fees charged to a seller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeRule {
    pub rate_basis_points: u32,
    pub fixed_yen: i64,
}

impl Default for FeeRule {
    /// 3.6% with no fixed part: a common escrow rate in Japan.
    fn default() -> Self {
        FeeRule {
            rate_basis_points: 360,
            fixed_yen: 0,
        }
    }
}

impl FeeRule {
    pub fn fee_for(&self, price: Yen) -> Yen {
        debug_assert!(price.0 >= 0);
        // i128: price ≤ 10^10 and rate ≤ 2^32, so the product cannot overflow.
        let proportional =
            (i128::from(price.0) * i128::from(self.rate_basis_points) / 10_000) as i64;
        let fee = proportional.saturating_add(self.fixed_yen.max(0));
        Yen(fee.min(price.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fee_table() {
        // (rate bp, fixed, price, fee)
        let cases = [
            (360, 0, 10_000, 360),
            (360, 0, 999, 35), // 35.964 rounds down
            (0, 0, 5_000, 0),
            (500, 100, 1_000, 150),
            (0, 500, 300, 300), // never more than the price
            (10_000, 0, 7, 7),
        ];
        for (bp, fixed, price, fee) in cases {
            let rule = FeeRule {
                rate_basis_points: bp,
                fixed_yen: fixed,
            };
            assert_eq!(
                rule.fee_for(Yen(price)),
                Yen(fee),
                "bp={bp} fixed={fixed} price={price}"
            );
        }
    }
}
