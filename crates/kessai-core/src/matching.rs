//! Matching a buyer's and a seller's registrations of the same deal, field by field
//! (seed 000 step 5003: a mismatch tells the party which fields differ; nothing proceeds).

use crate::money::Yen;
use serde::{Deserialize, Serialize};

/// The terms both parties must state identically.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terms {
    pub item: String,
    pub price: Yen,
    pub buyer_name: String,
    pub buyer_email: String,
    pub seller_name: String,
    pub seller_email: String,
}

/// The field names used in mismatch messages and API errors.
pub const FIELDS: [&str; 6] = [
    "item",
    "price_yen",
    "buyer_name",
    "buyer_email",
    "seller_name",
    "seller_email",
];

/// Folds what people type differently without meaning anything different (see `text.rs`:
/// NFKC, spaces, a space between Japanese characters).
pub fn normalize_text(s: &str) -> String {
    crate::text::comparable(s)
}

/// An address as compared and paired: NFKC, trimmed, lower case.
pub fn normalize_email(s: &str) -> String {
    crate::text::normalize(s).to_lowercase()
}

impl Terms {
    pub fn normalized(&self) -> Terms {
        Terms {
            item: normalize_text(&self.item),
            price: self.price,
            buyer_name: normalize_text(&self.buyer_name),
            buyer_email: normalize_email(&self.buyer_email),
            seller_name: normalize_text(&self.seller_name),
            seller_email: normalize_email(&self.seller_email),
        }
    }

    /// The fields in which two registrations differ, in [`FIELDS`] order. Empty means agreed.
    pub fn mismatched_fields(&self, other: &Terms) -> Vec<&'static str> {
        let (a, b) = (self.normalized(), other.normalized());
        let same = [
            a.item == b.item,
            a.price == b.price,
            a.buyer_name == b.buyer_name,
            a.buyer_email == b.buyer_email,
            a.seller_name == b.seller_name,
            a.seller_email == b.seller_email,
        ];
        FIELDS
            .iter()
            .zip(same)
            .filter(|(_, same)| !same)
            .map(|(f, _)| *f)
            .collect()
    }

    /// The key under which the counterpart's registration is looked up: both parties' addresses.
    pub fn pairing_key(&self) -> String {
        format!(
            "{}\n{}",
            normalize_email(&self.buyer_email),
            normalize_email(&self.seller_email)
        )
    }
}

/// Picks the counterpart registration that agrees, or else the one closest to agreeing (for the
/// mismatch message). Candidates are in registration order; the earliest wins ties.
pub fn best_candidate<'a, K>(
    mine: &Terms,
    candidates: &'a [(K, Terms)],
) -> Option<(&'a K, Vec<&'static str>)> {
    candidates
        .iter()
        .map(|(key, terms)| (key, mine.mismatched_fields(terms)))
        .min_by_key(|(_, fields)| fields.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> Terms {
        Terms {
            item: "ギター Fender".into(),
            price: Yen(50_000),
            buyer_name: "山田 太郎".into(),
            buyer_email: "taro@example.jp".into(),
            seller_name: "佐藤 花子".into(),
            seller_email: "hanako@example.jp".into(),
        }
    }

    #[test]
    fn mismatch_table() {
        type Mutation = fn(&mut Terms);
        let cases: Vec<(Mutation, Vec<&str>)> = vec![
            (|_| {}, vec![]),
            (|t| t.item = "  ギター\u{3000}Fender ".into(), vec![]),
            (|t| t.buyer_email = "TARO@example.jp".into(), vec![]),
            (|t| t.item = "ｷﾞﾀｰ Ｆｅｎｄｅｒ".into(), vec![]),
            (|t| t.buyer_name = "山田太郎".into(), vec![]),
            (|t| t.seller_name = "佐藤\u{3000}花子".into(), vec![]),
            (|t| t.item = "ギター Fend er".into(), vec!["item"]),
            (|t| t.price = Yen(49_999), vec!["price_yen"]),
            (|t| t.item = "ベース".into(), vec!["item"]),
            (
                |t| {
                    t.seller_name = "佐藤".into();
                    t.price = Yen(1)
                },
                vec!["price_yen", "seller_name"],
            ),
        ];
        for (mutate, expected) in cases {
            let mut other = terms();
            mutate(&mut other);
            assert_eq!(terms().mismatched_fields(&other), expected, "{other:?}");
        }
    }

    #[test]
    fn closest_candidate_wins() {
        let mut far = terms();
        far.price = Yen(1);
        far.item = "x".into();
        let mut near = terms();
        near.price = Yen(2);
        let candidates = vec![(1, far), (2, near), (3, terms())];
        assert_eq!(best_candidate(&terms(), &candidates), Some((&3, vec![])));
        assert_eq!(
            best_candidate(&terms(), &candidates[..2]),
            Some((&2, vec!["price_yen"]))
        );
    }
}
