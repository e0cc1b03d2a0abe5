//! What identifies a bank entry across files, and what it says: an entry whose identity was
//! seen before is a duplicate only when it says the same; with other content it is a conflict,
//! recorded on its own (never skipped) and listed with the earlier record for the operator.
//!
//! Any format takes part by giving each entry an identity (a string, stable when the bank
//! reports the same entry again) and an [`EntryContent`].

use crate::error::AppResult;
use kessai_store::{CreditRecord, Tx};
use sha2::{Digest, Sha256};

/// Which way the money went, as the entry says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Money arrived.
    In,
    /// Money left.
    Out,
    /// The bank took back money it had reported arriving (取消, a reversed credit).
    Reversal,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
            Direction::Reversal => "reversal",
        }
    }
}

/// What an entry says, the part that must be equal for two reports of one entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryContent {
    pub amount_yen: i64,
    /// The booking date as the format writes it (Zengin 勘定日 in era YYMMDD, ISO YYYY-MM-DD);
    /// empty where there is none.
    pub booking_date: String,
    pub direction: Direction,
    /// Who paid or was paid, as the bank names them (payer code and name, a payee's
    /// reference); compared with runs of spaces collapsed.
    pub counterparty: String,
}

impl EntryContent {
    /// The canonical text stored and compared: `in|52000|081124|ﾔﾏﾀﾞ ﾀﾛｳ`.
    pub fn fingerprint(&self) -> String {
        let counterparty = self.counterparty.split_whitespace().collect::<Vec<_>>();
        format!(
            "{}|{}|{}|{}",
            self.direction.as_str(),
            self.amount_yen,
            self.booking_date.trim(),
            counterparty.join(" ")
        )
    }
}

/// Whether a stored record says the same as an entry's `fingerprint`. A record stored before
/// contents were kept is compared by its amount alone.
fn same(stored: Option<&str>, stored_amount: i64, fingerprint: &str, amount_yen: i64) -> bool {
    match stored {
        Some(s) => s == fingerprint,
        None => stored_amount == amount_yen,
    }
}

/// The key a conflicting entry is recorded under: its identity and a digest of its content, so
/// that the same conflicting entry reported once more is recognized as a duplicate of itself.
pub(crate) fn conflict_key(identity: &str, fingerprint: &str) -> String {
    let digest = hex::encode(Sha256::digest(fingerprint.as_bytes()));
    format!("{identity}#{}", &digest[..12])
}

/// What is known of a credit entry's identity.
pub(crate) enum Seen {
    New,
    /// Recorded before with the same content: this credit.
    Same(CreditRecord),
    /// Recorded before (`earlier`) with other content, and not yet as this conflict: record
    /// the entry under `key`.
    Conflict {
        earlier: CreditRecord,
        key: String,
    },
}

/// Looks up the credit entry `identity` saying `fingerprint` (amount `amount_yen`).
pub(crate) async fn seen_credit(
    tx: &mut Tx,
    identity: &str,
    fingerprint: &str,
    amount_yen: i64,
) -> AppResult<Seen> {
    let Some(earlier) = tx.credit_by_ref(identity).await? else {
        return Ok(Seen::New);
    };
    if same(
        earlier.content.as_deref(),
        earlier.amount_yen,
        fingerprint,
        amount_yen,
    ) {
        return Ok(Seen::Same(earlier));
    }
    let key = conflict_key(identity, fingerprint);
    Ok(match tx.credit_by_ref(&key).await? {
        Some(conflict) => Seen::Same(conflict),
        None => Seen::Conflict { earlier, key },
    })
}

/// What is known of an answer's identity: the identity to record it under, or none when it
/// was recorded before with the same content (a duplicate).
pub(crate) struct AnswerKey {
    pub(crate) identity: String,
    /// Set when the bank used the identity before for other content: that identity.
    pub(crate) conflict_of: Option<String>,
}

pub(crate) async fn seen_answer(
    tx: &mut Tx,
    identity: &str,
    fingerprint: &str,
) -> AppResult<Option<AnswerKey>> {
    match tx.bank_answer_content(identity).await? {
        None => Ok(Some(AnswerKey {
            identity: identity.to_string(),
            conflict_of: None,
        })),
        // Recorded before contents were kept: as before, the same answer.
        Some(None) => Ok(None),
        Some(Some(stored)) if stored == fingerprint => Ok(None),
        Some(Some(_)) => {
            let key = conflict_key(identity, fingerprint);
            Ok(match tx.bank_answer_content(&key).await? {
                Some(_) => None,
                None => Some(AnswerKey {
                    identity: key,
                    conflict_of: Some(identity.to_string()),
                }),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(amount: i64, date: &str, who: &str) -> EntryContent {
        EntryContent {
            amount_yen: amount,
            booking_date: date.into(),
            direction: Direction::In,
            counterparty: who.into(),
        }
    }

    #[test]
    fn fingerprints_differ_in_each_part_and_ignore_spacing() {
        let base = content(52_000, "081124", "0000012345 ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(base.fingerprint(), "in|52000|081124|0000012345 ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(
            content(52_000, "081124", "0000012345  ﾔﾏﾀﾞ ﾀﾛｳ ").fingerprint(),
            base.fingerprint()
        );
        let others = [
            content(90_000, "081124", "0000012345 ﾔﾏﾀﾞ ﾀﾛｳ"),
            content(52_000, "081125", "0000012345 ﾔﾏﾀﾞ ﾀﾛｳ"),
            content(52_000, "081124", "ｽｽﾞｷ"),
            EntryContent {
                direction: Direction::Out,
                ..base.clone()
            },
        ];
        for other in others {
            assert_ne!(other.fingerprint(), base.fingerprint(), "{other:?}");
        }
    }

    #[test]
    fn old_records_compare_by_amount_and_conflict_keys_are_stable() {
        assert!(same(None, 500, "in|500|x|y", 500));
        assert!(!same(None, 500, "in|900|x|y", 900));
        assert!(!same(Some("in|500|x|y"), 500, "in|500|x|z", 500));
        let key = conflict_key("zengin:0001:001:1234567:081124:1", "in|90000|081124|x");
        assert_eq!(
            key,
            conflict_key("zengin:0001:001:1234567:081124:1", "in|90000|081124|x")
        );
        assert!(key.starts_with("zengin:0001:001:1234567:081124:1#") && key.len() <= 100);
    }
}
