//! Deal IDs: what a buyer or seller types to reach a deal and quotes in a bank transfer.
//!
//! Ten characters from an alphabet with no look-alikes (no 0/O, 1/I/L, U), nine of them random
//! (≈44 bits) and a Luhn mod 30 check character, so a mistyped ID is caught before any lookup.
//! The core does not draw randomness: the shell passes nine indices drawn from a CSPRNG.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const RANDOM_CHARS: usize = 9;
pub const LEN: usize = RANDOM_CHARS + 1;

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DealId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DealIdError {
    #[error("a deal ID has {LEN} characters; this one has {0}")]
    Length(usize),
    #[error("'{0}' cannot appear in a deal ID")]
    Character(char),
    #[error("the check character does not match: the ID was probably mistyped")]
    Check,
}

fn index_of(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == c)
}

/// Luhn mod N over the alphabet indices: catches every single-character error and most
/// transpositions of neighbours.
fn check_index(indices: &[usize]) -> usize {
    let n = ALPHABET.len();
    let mut factor = 2;
    let mut sum = 0;
    for &code in indices.iter().rev() {
        let addend = factor * code;
        factor = if factor == 2 { 1 } else { 2 };
        sum += addend / n + addend % n;
    }
    (n - sum % n) % n
}

impl DealId {
    /// Builds an ID from nine indices into [`ALPHABET`], each below 30, drawn uniformly by the caller.
    pub fn from_indices(indices: [u8; RANDOM_CHARS]) -> DealId {
        let idx: Vec<usize> = indices
            .iter()
            .map(|&i| usize::from(i) % ALPHABET.len())
            .collect();
        let mut s: String = idx.iter().map(|&i| ALPHABET[i] as char).collect();
        s.push(ALPHABET[check_index(&idx)] as char);
        DealId(s)
    }

    /// Accepts what people type: lower case, spaces, hyphens and full-width forms are tolerated.
    pub fn parse(input: &str) -> Result<DealId, DealIdError> {
        let cleaned: String = input
            .chars()
            .map(fold_full_width)
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let count = cleaned.chars().count();
        if count != LEN {
            return Err(DealIdError::Length(count));
        }
        let mut idx = Vec::with_capacity(LEN);
        for c in cleaned.chars() {
            let i = u8::try_from(c)
                .ok()
                .and_then(index_of)
                .ok_or(DealIdError::Character(c))?;
            idx.push(i);
        }
        if check_index(&idx[..RANDOM_CHARS]) != idx[RANDOM_CHARS] {
            return Err(DealIdError::Check);
        }
        Ok(DealId(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Finds the deal IDs written anywhere inside free text, such as a bank transferor name,
    /// each once, in the order they first appear.
    ///
    /// Linear in the text: one pass folds it (spaces and hyphens dropped, full width and case
    /// tolerated) to alphabet indices, and every run of [`LEN`] indices is checked in constant
    /// time; a set remembers what was found. (A list searched for each find made a text with
    /// many valid-looking IDs quadratic: about a second per MB of free text.)
    pub fn find_in(text: &str) -> Vec<DealId> {
        let folded: Vec<Option<usize>> = text
            .chars()
            .map(fold_full_width)
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| u8::try_from(c.to_ascii_uppercase()).ok().and_then(index_of))
            .collect();
        let mut found = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // How many alphabet characters end at the current position.
        let mut run = 0;
        let mut window = [0usize; LEN];
        for (end, index) in folded.iter().enumerate() {
            let Some(index) = *index else {
                run = 0;
                continue;
            };
            run += 1;
            if run < LEN {
                continue;
            }
            for (slot, i) in window.iter_mut().zip(&folded[end + 1 - LEN..=end]) {
                *slot = i.expect("inside a run of alphabet characters");
            }
            if check_index(&window[..RANDOM_CHARS]) == index && seen.insert(window) {
                found.push(DealId(
                    window.iter().map(|&i| ALPHABET[i] as char).collect(),
                ));
            }
        }
        found
    }
}

/// Full-width ASCII (U+FF01..U+FF5E) to its half-width form.
fn fold_full_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

impl fmt::Display for DealId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for DealId {
    type Error = DealIdError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        DealId::parse(&s)
    }
}

impl From<DealId> for String {
    fn from(id: DealId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> DealId {
        DealId::from_indices([0, 5, 10, 15, 20, 25, 29, 3, 7])
    }

    #[test]
    fn round_trips_through_what_people_type() {
        let id = sample();
        let s = id.as_str();
        let typed = [
            s.to_string(),
            s.to_lowercase(),
            format!("{}-{}-{}", &s[..3], &s[3..6], &s[6..]),
            format!(" {} {} ", &s[..5], &s[5..]),
            s.chars()
                .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap())
                .collect(),
        ];
        for t in typed {
            assert_eq!(DealId::parse(&t), Ok(id.clone()), "input {t:?}");
        }
    }

    #[test]
    fn rejects_with_reasons() {
        assert_eq!(DealId::parse("ABC"), Err(DealIdError::Length(3)));
        assert_eq!(
            DealId::parse("0BCDEFGHJK"),
            Err(DealIdError::Character('0'))
        );
        assert_eq!(
            DealId::parse("OBCDEFGHJK"),
            Err(DealIdError::Character('O'))
        );
    }

    #[test]
    fn found_inside_transferor_names() {
        let id = sample();
        for text in [
            format!("ﾔﾏﾀﾞ ﾀﾛｳ {id}"),
            format!("{id} ﾔﾏﾀﾞ"),
            format!("ｶ)ﾃｽﾄ{}", id.as_str().to_lowercase()),
        ] {
            assert_eq!(DealId::find_in(&text), vec![id.clone()], "text {text:?}");
        }
        assert!(DealId::find_in("ﾔﾏﾀﾞ ﾀﾛｳ").is_empty());
    }

    /// The IDs quoted in a text, the slow and obvious way: every window of the folded text
    /// parsed, first occurrences kept.
    fn find_by_parsing_every_window(text: &str) -> Vec<DealId> {
        let folded: Vec<char> = text
            .chars()
            .map(fold_full_width)
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        let mut found: Vec<DealId> = Vec::new();
        for window in folded.windows(LEN) {
            if let Ok(id) = DealId::parse(&window.iter().collect::<String>()) {
                if !found.contains(&id) {
                    found.push(id);
                }
            }
        }
        found
    }

    #[test]
    fn finds_what_parsing_every_window_finds() {
        let a = sample().to_string();
        let b = DealId::from_indices([9, 8, 7, 6, 5, 4, 3, 2, 1]).to_string();
        let texts = [
            format!("{a}{b}{a}"),
            format!("{}-{} ｶ)ﾃｽﾄ {}", &a[..3], &a[3..], b.to_lowercase()),
            format!("{}０{}", &a[..5], &a[5..]),
            "2345678ABCDEFGHJKMNPQRSTVWXYZ23456789".repeat(3),
            String::new(),
            a[..9].to_string(),
        ];
        for text in texts {
            assert_eq!(
                DealId::find_in(&text),
                find_by_parsing_every_window(&text),
                "{text:?}"
            );
        }
    }

    /// 4 MB of free text made of 400,000 distinct IDs back to back: every one is found, once. Searching a list of the IDs found so far for each new one (as `find_in` once
    /// did) takes about n²/2 = 8·10¹⁰ comparisons here — hours; the set makes it one pass.
    #[test]
    fn a_4_mb_text_full_of_ids_is_read_in_one_pass() {
        let planted: Vec<DealId> = (0..400_000u32)
            .map(|n| {
                let mut digits = [0u8; RANDOM_CHARS];
                let mut rest = n;
                for d in digits.iter_mut().rev() {
                    *d = (rest % 30) as u8;
                    rest /= 30;
                }
                DealId::from_indices(digits)
            })
            .collect();
        let text: String = planted.iter().map(DealId::as_str).collect();
        assert_eq!(text.len(), 4_000_000);
        let found = DealId::find_in(&text);
        let distinct: std::collections::HashSet<&DealId> = found.iter().collect();
        assert_eq!(distinct.len(), found.len(), "each ID once");
        // Windows across two IDs may spell more valid IDs; the planted ones are all there.
        assert!(planted.iter().all(|id| distinct.contains(id)));
        assert_eq!(found[0], planted[0]);
    }

    proptest! {
        #[test]
        fn every_single_character_error_is_caught(indices in prop::array::uniform9(0u8..30), pos in 0usize..LEN, replacement in 0usize..30) {
            let id = DealId::from_indices(indices);
            let mut chars: Vec<u8> = id.as_str().bytes().collect();
            prop_assume!(chars[pos] != ALPHABET[replacement]);
            chars[pos] = ALPHABET[replacement];
            let typo = String::from_utf8(chars).unwrap();
            prop_assert_eq!(DealId::parse(&typo), Err(DealIdError::Check));
        }

        #[test]
        fn generated_ids_parse(indices in prop::array::uniform9(0u8..30)) {
            let id = DealId::from_indices(indices);
            prop_assert_eq!(DealId::parse(id.as_str()), Ok(id));
        }
    }
}
