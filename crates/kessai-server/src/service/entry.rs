//! What identifies a bank entry across files, and what it says: an entry whose identity was
//! seen before is a duplicate only when it says the same; with other content it is a conflict,
//! recorded on its own (never skipped) and listed with the earlier record for the operator.
//!
//! Any format takes part by giving each entry an identity (a string, stable when the bank
//! reports the same entry again) and an [`EntryContent`].

use super::credit::CreditInput;
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

/// How long after an upgrade an entry may still repeat a record of the rule before migration 9
/// (camt entries known by account and `NtryRef`, no content kept): long enough for the day's
/// statement, or one after a long weekend, to repeat what intraday notices reported before.
pub(crate) const UPGRADE_WINDOW_MS: i64 = 7 * 24 * 60 * 60 * 1000;

/// The credit a camt entry was recorded as before migration 9, if it was one. The old identity
/// cannot be trusted (banks number `NtryRef` anew in each document, issue 7 A1), so the entry is
/// compared with what the old records kept: the same amount and account, recorded within
/// [`UPGRADE_WINDOW_MS`] without content (only the old rule made such records), and a text
/// that begins with this entry's payer name and remittance (the old text went on with the
/// entry's additional information, which the bank words differently intraday and at end of
/// day). Records made since carry their content and are found by identity alone.
pub(crate) async fn seen_before_upgrade(
    tx: &mut Tx,
    input: &CreditInput,
    now_ms: i64,
) -> AppResult<Option<CreditRecord>> {
    let Some(payer_text) = input.before_upgrade.as_deref() else {
        return Ok(None);
    };
    let identity = input.bank_ref.trim();
    if tx.credit_by_ref(identity).await?.is_some() {
        // Known by its identity: the usual comparison applies.
        return Ok(None);
    }
    let since = now_ms - UPGRADE_WINDOW_MS;
    let account = input.account_number.as_deref();
    let candidates = tx
        .credits_before_contents(input.amount_yen, account, since)
        .await?;
    let Some(old) = candidates
        .into_iter()
        .find(|old| same_payer_text(&old.reference, payer_text))
    else {
        return Ok(None);
    };
    // The old record takes the entry's identity and content: it stands for this entry only
    // (a second payment with the same text is new money), and a later report of the entry is
    // known by its identity.
    let content = input.fingerprint();
    if !tx.adopt_identity(&old.id, identity, &content).await? {
        return Err(super::bank_answers::busy());
    }
    Ok(Some(CreditRecord {
        bank_ref: identity.to_string(),
        content: Some(content),
        ..old
    }))
}

/// Whether an old record's text is `payer_text`, or it followed by more words.
fn same_payer_text(old: &str, payer_text: &str) -> bool {
    old.strip_prefix(payer_text)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
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
    fn old_texts_compare_by_their_payer_part() {
        assert!(same_payer_text("K7M4QX9PT2 振込 intraday", "K7M4QX9PT2"));
        assert!(same_payer_text("ﾔﾏﾀﾞ K7M4QX9PT2", "ﾔﾏﾀﾞ K7M4QX9PT2"));
        assert!(!same_payer_text("K7M4QX9PT2X", "K7M4QX9PT2"));
        assert!(!same_payer_text("ﾔﾏﾀﾞ", "ﾔﾏﾀﾞ K7M4QX9PT2"));
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
