//! Matching an incoming transfer to a deal by what the payer wrote (消し込み). The payer quotes
//! the buyer's deal ID somewhere in the transferor name or the EDI field, with spaces, hyphens,
//! full-width letters, or a name before or after it; the check character rejects near-misses.

use crate::deal_id::DealId;

/// What a reference points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match<T> {
    /// Exactly one open deal: apply the payment to it.
    One(T),
    /// No deal ID of a known deal: to suspense.
    None,
    /// Several deals quoted: to suspense, for the operator to decide.
    Ambiguous(Vec<T>),
}

/// Finds the deals quoted in `texts` (transferor name, EDI, ...). `lookup` turns a deal ID into
/// the deal it identifies, if any; IDs that identify nothing are ignored.
pub fn match_reference<T: PartialEq + Clone>(
    texts: &[&str],
    mut lookup: impl FnMut(&DealId) -> Option<T>,
) -> Match<T> {
    let mut found: Vec<T> = Vec::new();
    for text in texts {
        for id in DealId::find_in(text) {
            if let Some(deal) = lookup(&id) {
                if !found.contains(&deal) {
                    found.push(deal);
                }
            }
        }
    }
    match found.len() {
        0 => Match::None,
        1 => Match::One(found.remove(0)),
        _ => Match::Ambiguous(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn reference_table() {
        let a = DealId::from_indices([0, 1, 2, 3, 4, 5, 6, 7, 8]);
        let b = DealId::from_indices([9, 8, 7, 6, 5, 4, 3, 2, 1]);
        let deals: HashMap<DealId, &str> =
            [(a.clone(), "A"), (b.clone(), "B")].into_iter().collect();
        let (sa, sb) = (a.to_string(), b.to_string());
        let full_width: String = sa
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
            .collect();
        let cases: Vec<(Vec<String>, Match<&str>)> = vec![
            (vec![format!("ﾔﾏﾀﾞ ﾀﾛｳ {sa}")], Match::One("A")),
            (vec![format!("{sa}ﾔﾏﾀﾞ")], Match::One("A")),
            (vec![format!("{} {}", &sa[..4], &sa[4..])], Match::One("A")),
            (vec![format!("{}-{}", &sa[..5], &sa[5..])], Match::One("A")),
            (vec![full_width], Match::One("A")),
            (vec![sa.to_lowercase()], Match::One("A")),
            (vec!["ﾔﾏﾀﾞ".into(), sb.clone()], Match::One("B")),
            (vec![format!("{sa} {sa}")], Match::One("A")),
            (vec![format!("{sa} {sb}")], Match::Ambiguous(vec!["A", "B"])),
            (vec!["ﾀﾅｶ ｲﾁﾛｳ".into()], Match::None),
            // A valid-looking ID of no deal, and a near-miss whose check character fails.
            (vec![DealId::from_indices([3; 9]).to_string()], Match::None),
            (
                vec![format!(
                    "{}{}",
                    &sa[..9],
                    if sa.ends_with('2') { '3' } else { '2' }
                )],
                Match::None,
            ),
        ];
        for (texts, expected) in cases {
            let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
            assert_eq!(
                match_reference(&refs, |id| deals.get(id).copied()),
                expected,
                "{texts:?}"
            );
        }
    }
}
