//! Amounts of money: integer yen, never floats, checked arithmetic.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The only currency Kessai moves today. Kept explicit so that ledger rows and files carry it.
pub const CURRENCY: &str = "JPY";

/// The largest amount a single deal may carry (¥10 billion). Keeps every sum far from overflow.
pub const MAX_DEAL_YEN: i64 = 10_000_000_000;

/// An amount of Japanese yen. Yen have no minor unit, so the integer is the amount.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Yen(pub i64);

impl Yen {
    pub const ZERO: Yen = Yen(0);

    /// A positive amount no larger than [`MAX_DEAL_YEN`]: what a price or a payment may be.
    pub fn positive(value: i64) -> Option<Yen> {
        (1..=MAX_DEAL_YEN).contains(&value).then_some(Yen(value))
    }

    pub fn checked_add(self, other: Yen) -> Option<Yen> {
        self.0.checked_add(other.0).map(Yen)
    }

    pub fn checked_sub(self, other: Yen) -> Option<Yen> {
        self.0.checked_sub(other.0).map(Yen)
    }

    /// `self - other`, or zero when `other` is larger.
    pub fn saturating_sub(self, other: Yen) -> Yen {
        Yen((self.0 - other.0).max(0))
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl fmt::Display for Yen {
    /// `¥1,234,567`: the way amounts are shown to people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.0.unsigned_abs().to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}¥{grouped}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_groups_thousands() {
        let cases = [
            (0, "¥0"),
            (999, "¥999"),
            (1000, "¥1,000"),
            (1234567, "¥1,234,567"),
            (-5000, "-¥5,000"),
        ];
        for (value, shown) in cases {
            assert_eq!(Yen(value).to_string(), shown);
        }
    }

    #[test]
    fn positive_bounds() {
        assert_eq!(Yen::positive(0), None);
        assert_eq!(Yen::positive(-1), None);
        assert_eq!(Yen::positive(1), Some(Yen(1)));
        assert_eq!(Yen::positive(MAX_DEAL_YEN + 1), None);
    }
}
