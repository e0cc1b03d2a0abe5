//! What identifies an ISO 20022 entry or answer across files, and what its content is — so that
//! the same entry reported again (camt.054 intraday, camt.053 at end of day, a file sent twice)
//! applies once (what content is compared under one identity is the importer's:
//! `kessai-server/src/service/entry.rs`). ARCHITECTURE.md ("Entry identity") says why, from the standard.
//!
//! - **camt entries**: `NtryRef` is only unique within one message, so it is never part of the
//!   identity. An entry is `camt:<account>:svcr:<AcctSvcrRef>` when the bank gives its own
//!   reference (`Ntry/AcctSvcrRef`, or the one transaction's `Refs/AcctSvcrRef`); otherwise
//!   `camt:<account>:composite:<digest>#<n>`, the digest of everything that describes the
//!   money — account, booking date (the document's date when absent), value date, amount,
//!   direction, reversal, the transaction references, payer and remittance — and `n` counting
//!   equal entries within the document (two identical entries in one file are two entries).
//! - **pain.002 answers**: `pain002:<OrgnlMsgId>:<OrgnlEndToEndId>:<status>` — the original
//!   message and transaction, and the status reported (accepted, then settled, are two
//!   answers).

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::iso_notification::{Notification, NotificationEntry};
use crate::iso_statement::Statement;
use crate::iso_status::{StatusReport, TransactionStatus};

/// Everything an entry says about the money: the composite identity of an entry without the
/// bank's own reference is a digest of it.
struct EntryContent {
    amount_yen: u64,
    credit: bool,
    reversal: bool,
    booking_date: Option<String>,
    value_date: Option<String>,
    /// The transaction references given, by element name (`InstrId`, `EndToEndId`, `UETR`,
    /// `TxId`), in that order.
    references: Vec<(&'static str, String)>,
    debtor_name: Option<String>,
    remittance: Option<String>,
}

impl EntryContent {
    /// Every field, unambiguously separated (a field cannot contain the separator's meaning:
    /// each is length-prefixed).
    fn canonical(&self) -> String {
        let mut out = String::new();
        let mut field = |name: &str, value: &str| {
            out.push_str(&format!("{name}={}:{value};", value.len()));
        };
        field("amount", &self.amount_yen.to_string());
        field("direction", if self.credit { "CRDT" } else { "DBIT" });
        field("reversal", if self.reversal { "true" } else { "false" });
        field("booked", self.booking_date.as_deref().unwrap_or("-"));
        field("value", self.value_date.as_deref().unwrap_or("-"));
        for (name, value) in &self.references {
            field(name, value);
        }
        field("debtor", self.debtor_name.as_deref().unwrap_or("-"));
        field("remittance", self.remittance.as_deref().unwrap_or("-"));
        out
    }
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl NotificationEntry {
    /// What the entry says about the money (see [`EntryContent`]).
    fn content(&self) -> EntryContent {
        let references = [
            ("InstrId", &self.instruction_id),
            ("EndToEndId", &self.end_to_end_id),
            ("UETR", &self.uetr),
            ("TxId", &self.transaction_id),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.clone().map(|v| (name, v)))
        .collect();
        EntryContent {
            amount_yen: self.amount_yen,
            credit: self.credit,
            reversal: self.reversal,
            booking_date: self.booking_date.clone(),
            value_date: self.value_date.clone(),
            references,
            debtor_name: self.debtor_name.clone(),
            remittance: self.remittance.clone(),
        }
    }
}

/// The identities of a camt document's entries, in order (see the module documentation).
/// `document_date` stands for the booking date of an entry that has none.
pub fn entry_identities(
    account_number: &str,
    document_date: &str,
    entries: &[NotificationEntry],
) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    entries
        .iter()
        .map(|e| {
            if let Some(r) = &e.account_servicer_reference {
                return format!("camt:{account_number}:svcr:{r}");
            }
            let mut content = e.content();
            if content.booking_date.is_none() {
                content.booking_date = Some(document_date.to_string());
            }
            let key = digest(&format!("{account_number};{}", content.canonical()));
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            format!("camt:{account_number}:composite:{}#{n}", &key[..32])
        })
        .collect()
}

/// The date part of an ISO date-time as written (`2026-11-24T15:00:00+09:00` → `2026-11-24`).
fn date_of(date_time: &str) -> &str {
    date_time.get(..10).unwrap_or(date_time)
}

impl Notification {
    /// The identities of the entries, in order; an entry without a booking date counts as
    /// booked on the notification's creation date.
    pub fn entry_identities(&self) -> Vec<String> {
        entry_identities(
            &self.account_number,
            date_of(&self.created_at),
            &self.entries,
        )
    }
}

impl Statement {
    /// The identities of the entries, in order — equal to those of the same entries in a
    /// camt.054 ([`Notification::entry_identities`]), so an entry reported intraday and at
    /// end of day applies once. An entry without a booking date counts as booked on the
    /// statement's date.
    pub fn entry_identities(&self) -> Vec<String> {
        entry_identities(&self.account_number, &self.date, &self.entries)
    }
}

impl TransactionStatus {
    /// The answer's identity: the original message (`OrgnlGrpInfAndSts/OrgnlMsgId`) and
    /// end-to-end ID (`OrgnlEndToEndId`), and the status.
    pub fn identity(&self, report: &StatusReport) -> String {
        let message = &report.original_message_id;
        let transaction = self.end_to_end_id.as_deref().unwrap_or("-");
        // The status as `TxStatus` names it (`Accepted`…), as identities were always stored.
        let status = self.status.map_or("-".to_string(), |s| format!("{s:?}"));
        format!("pain002:{message}:{transaction}:{status}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ntry_ref: &str, svcr: Option<&str>, yen: u64) -> NotificationEntry {
        NotificationEntry {
            entry_reference: Some(ntry_ref.into()),
            account_servicer_reference: svcr.map(Into::into),
            amount_yen: yen,
            credit: true,
            booking_date: Some("2026-11-24".into()),
            remittance: Some("K7M4QX9PT2".into()),
            ..NotificationEntry::default()
        }
    }

    #[test]
    fn the_entry_reference_never_identifies_an_entry_across_documents() {
        // Two notifications number their entries 1..n: NtryRef 2 in both, other money.
        let morning = entry_identities("1234567", "2026-11-24", &[entry("2", Some("B-1"), 50_000)]);
        let evening = entry_identities("1234567", "2026-11-24", &[entry("2", Some("B-7"), 90_000)]);
        assert_eq!(morning, ["camt:1234567:svcr:B-1"]);
        assert_ne!(morning, evening);
        // Without AcctSvcrRef, the composite differs with the money.
        let a = entry_identities("1234567", "2026-11-24", &[entry("2", None, 50_000)]);
        let b = entry_identities("1234567", "2026-11-24", &[entry("2", None, 90_000)]);
        assert_ne!(a, b);
    }

    #[test]
    fn one_entry_in_a_notification_and_a_statement_has_one_identity() {
        // The same booked entry, numbered differently in each document.
        for svcr in [Some("B-1"), None] {
            let intraday = entry_identities("1234567", "2026-11-24", &[entry("7", svcr, 90_000)]);
            let statement = [entry("1", None, 1_000), entry("2", svcr, 90_000)];
            let end_of_day = entry_identities("1234567", "2026-11-24", &statement);
            assert_eq!(end_of_day[1], intraday[0], "{svcr:?}");
            assert_ne!(end_of_day[0], intraday[0]);
        }
        // An entry without a booking date counts as booked on the document's date.
        let mut undated = entry("1", None, 90_000);
        undated.booking_date = None;
        assert_eq!(
            entry_identities("1234567", "2026-11-24", &[undated.clone()]),
            entry_identities("1234567", "2026-11-24", &[entry("9", None, 90_000)])
        );
        assert_ne!(
            entry_identities("1234567", "2026-11-25", &[undated]),
            entry_identities("1234567", "2026-11-24", &[entry("9", None, 90_000)])
        );
    }

    #[test]
    fn the_composite_counts_equal_entries_and_changes_with_every_field() {
        let base = entry("1", None, 90_000);
        let ids = entry_identities("1234567", "2026-11-24", &[base.clone(), base.clone()]);
        assert!(ids[0].ends_with("#1") && ids[1].ends_with("#2"), "{ids:?}");
        assert_eq!(ids[0][..ids[0].len() - 2], ids[1][..ids[1].len() - 2]);
        let variants = [
            NotificationEntry {
                credit: false,
                ..base.clone()
            },
            NotificationEntry {
                reversal: true,
                ..base.clone()
            },
            NotificationEntry {
                booking_date: Some("2026-11-25".into()),
                ..base.clone()
            },
            NotificationEntry {
                value_date: Some("2026-11-25".into()),
                ..base.clone()
            },
            NotificationEntry {
                end_to_end_id: Some("E".into()),
                ..base.clone()
            },
            NotificationEntry {
                transaction_id: Some("T".into()),
                ..base.clone()
            },
            NotificationEntry {
                instruction_id: Some("I".into()),
                ..base.clone()
            },
            NotificationEntry {
                debtor_name: Some("ﾔﾏﾀﾞ".into()),
                ..base.clone()
            },
            NotificationEntry {
                remittance: None,
                ..base.clone()
            },
        ];
        let key = |e: &NotificationEntry| {
            entry_identities("1234567", "2026-11-24", std::slice::from_ref(e))
        };
        for v in &variants {
            assert_ne!(key(v), key(&base), "{v:?}");
        }
        assert_ne!(
            entry_identities("7654321", "2026-11-24", std::slice::from_ref(&base)),
            key(&base)
        );
        // The entry's own number and free text are not content.
        let renumbered = NotificationEntry {
            entry_reference: Some("99".into()),
            additional_info: Some("振込".into()),
            ..base.clone()
        };
        assert_eq!(key(&renumbered), key(&base));
    }
}
