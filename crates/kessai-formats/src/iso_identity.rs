//! What identifies an ISO 20022 entry or answer across files, and what its content is — so that
//! the same entry reported again (camt.054 intraday, camt.053 at end of day, a file sent twice)
//! applies once, and an identity that comes back with other content is seen as a conflict
//! instead of being skipped. ARCHITECTURE.md ("Entry identity") says why, from the standard.
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
use std::fmt;

use sha2::{Digest, Sha256};

use crate::iso_notification::{Notification, NotificationEntry};
use crate::iso_statement::Statement;
use crate::iso_status::{StatusReport, TransactionStatus};

/// What an entry says about the money, for telling a repeat from a conflict: equal content
/// under one identity is the same entry reported again; other content is not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryContent {
    pub amount_yen: u64,
    pub credit: bool,
    pub reversal: bool,
    pub booking_date: Option<String>,
    pub value_date: Option<String>,
    /// The transaction references given, by element name (`InstrId`, `EndToEndId`, `UETR`,
    /// `TxId`), in that order.
    pub references: Vec<(&'static str, String)>,
    pub debtor_name: Option<String>,
    pub remittance: Option<String>,
}

impl EntryContent {
    /// A SHA-256 (hex) of the content: equal for equal content.
    pub fn digest(&self) -> String {
        digest(&self.canonical())
    }

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

/// One line for the operator: direction, amount, dates, references, payer, and the start of
/// the remittance.
impl fmt::Display for EntryContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let direction = if self.credit { "CRDT" } else { "DBIT" };
        write!(f, "{direction} {} JPY", self.amount_yen)?;
        if self.reversal {
            f.write_str(" (reversal)")?;
        }
        for (name, value) in [("booked", &self.booking_date), ("value", &self.value_date)] {
            if let Some(date) = value {
                write!(f, ", {name} {date}")?;
            }
        }
        for (name, value) in &self.references {
            write!(f, ", {name} {value}")?;
        }
        if let Some(name) = &self.debtor_name {
            write!(f, ", payer {name}")?;
        }
        if let Some(text) = &self.remittance {
            let shown: String = text.chars().take(70).collect();
            let more = if shown.len() < text.len() { "…" } else { "" };
            write!(f, ", remittance {shown}{more}")?;
        }
        Ok(())
    }
}

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

impl NotificationEntry {
    /// What the entry says about the money (see [`EntryContent`]).
    pub fn content(&self) -> EntryContent {
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

    /// `self.content().digest()`: equal for the same entry reported again.
    pub fn content_digest(&self) -> String {
        self.content().digest()
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
    /// The answer's identity: the original message and end-to-end ID (the transaction's own
    /// `OrgnlGrpInf/OrgnlMsgId` if it gives one, else the report's), and the status.
    pub fn identity(&self, report: &StatusReport) -> String {
        let message = self
            .original_message_id
            .as_deref()
            .unwrap_or(&report.original_message_id);
        let transaction = self.end_to_end_id.as_deref().unwrap_or("-");
        // The status as `TxStatus` names it (`Accepted`…), as identities were always stored.
        let status = self.status.map_or("-".to_string(), |s| format!("{s:?}"));
        format!("pain002:{message}:{transaction}:{status}")
    }

    /// A SHA-256 (hex) of what the answer says: status, reason code and text.
    pub fn content_digest(&self) -> String {
        digest(&format!(
            "{:?};{:?};{:?}",
            self.status.map(|s| s.code()),
            self.reason_code,
            self.reason_text
        ))
    }
}
