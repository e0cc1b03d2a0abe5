//! A bank with its own accounts and balances — standing in, too, for the other banks where
//! the operator keeps collection accounts (`other_accounts`): a transfer between two of the
//! operator's accounts leaves one and arrives in the other, each on its own statement. It reads the operator's outbound credit transfers
//! (pain.001), settles or rejects each (at a configurable rate, decided by a seeded generator so
//! runs repeat exactly), answers with a status report (pain.002) and a debit notification
//! (camt.054), and reports the parties' own transfers into the operator's account as credit
//! notifications (camt.054).

use kessai_formats::iso_notification::NotificationEntry;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

mod accounts;
mod iso;
mod iso_debit;
mod zengin;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{0}: not a file the bank accepts: {1}")]
    BadFile(String, String),
    #[error("a transfer needs a positive amount")]
    Amount,
}

/// An account at the simulated bank, by bank, branch and number.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub bank_code: String,
    pub branch_code: String,
    pub account_number: String,
    pub name: String,
}

impl AccountRef {
    pub(crate) fn key(&self) -> String {
        format!(
            "{}-{}-{}",
            self.bank_code, self.branch_code, self.account_number
        )
    }
}

/// A party's transfer into the operator's account, reported with the next notification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingCredit {
    pub payer_name: String,
    pub amount_yen: u64,
    pub remittance: String,
}

/// Everything the bank remembers between runs (kept as JSON by the CLI).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankState {
    pub seed: u64,
    /// How many random draws were made: the generator's position.
    pub draws: u64,
    /// Outbound transfers rejected, per thousand.
    pub reject_per_mille: u32,
    /// ISO transfers that settle and then come back from the payee's bank, per thousand of
    /// those that settled. (Zengin transfers come back at the reject rate: that is how a Zengin
    /// transfer fails.)
    #[serde(default)]
    pub return_per_mille: u32,
    pub operator: AccountRef,
    pub balances: BTreeMap<String, i64>,
    pub pending_credits: Vec<PendingCredit>,
    /// Names of the operator's files already processed: each is answered once.
    pub processed: BTreeSet<String>,
    /// Numbers the bank's own messages and entries.
    pub sequence: u64,
    /// Today's entries on the operator's account, repeated in the end-of-day statement.
    #[serde(default)]
    pub day_entries: Vec<DayEntry>,
    /// Report in Zengin files (01 notices, 03 statements) instead of ISO (camt.054, camt.053).
    #[serde(default)]
    pub zengin_files: bool,
    /// The operator's accounts besides `operator` (its collection accounts at other banks),
    /// each with its own statement.
    #[serde(default)]
    pub other_accounts: Vec<AccountRef>,
}

/// An entry as the bank keeps it until the statement (a serializable copy of the ISO entry).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayEntry {
    /// The bank's own reference for the entry (`AcctSvcrRef`).
    pub entry_reference: String,
    pub amount_yen: u64,
    pub credit: bool,
    pub booking_date: String,
    pub end_to_end_id: Option<String>,
    pub debtor_name: Option<String>,
    pub remittance: Option<String>,
    /// A deposit giving back one of the operator's own transfers (振込不能): the statement's
    /// 摘要 says so.
    #[serde(default)]
    pub returned_transfer: bool,
    /// The operator's account it is on (`bank-branch-number`); none for the main one.
    #[serde(default)]
    pub account: Option<String>,
    /// The sum a direct-debit request collected into the account, as one deposit: the
    /// statement's 摘要 (a camt entry's additional information) says 口座振替.
    #[serde(default)]
    pub collection: bool,
}

impl DayEntry {
    fn from_entry(e: &NotificationEntry) -> DayEntry {
        DayEntry {
            entry_reference: e.account_servicer_reference.clone().unwrap_or_default(),
            amount_yen: e.amount_yen,
            credit: e.credit,
            booking_date: e.booking_date.clone().unwrap_or_default(),
            end_to_end_id: e.end_to_end_id.clone(),
            debtor_name: e.debtor_name.clone(),
            remittance: e.remittance.clone(),
            returned_transfer: e.credit && e.reversal,
            account: None,
            collection: false,
        }
    }

    fn to_entry(&self) -> NotificationEntry {
        NotificationEntry {
            account_servicer_reference: Some(self.entry_reference.clone()),
            amount_yen: self.amount_yen,
            credit: self.credit,
            booking_date: Some(self.booking_date.clone()),
            // A returned transfer reverses the operator's debit, with the bank's reason.
            reversal: self.returned_transfer,
            end_to_end_id: self.end_to_end_id.clone(),
            debtor_name: self.debtor_name.clone(),
            remittance: self.remittance.clone(),
            additional_info: if self.collection {
                Some(format!("DIRECT DEBIT COLLECTION {COLLECTION_DESCRIPTION}"))
            } else {
                self.returned_transfer.then(|| RETURN_REASON.to_string())
            },
            ..NotificationEntry::default()
        }
    }
}

use kessai_formats::zengin::statement::COLLECTION_DESCRIPTION;

impl BankState {
    /// A direct-debit request's takings into the operator's account `into` (its key), as the
    /// one deposit banks book for them, for that account's statement; nothing for a seller's
    /// account (no pooling) or a request that collected nothing.
    pub(super) fn book_collection(&mut self, into: &str, amount_yen: u64, booking_date: &str) {
        let Some(account) = std::iter::once(&self.operator)
            .chain(&self.other_accounts)
            .find(|a| a.key() == into)
            .cloned()
        else {
            return;
        };
        if amount_yen == 0 {
            return;
        }
        let r = self.next();
        let entry = DayEntry {
            entry_reference: r.to_string(),
            amount_yen,
            credit: true,
            booking_date: booking_date.into(),
            account: self.entry_account(&account),
            collection: true,
            ..DayEntry::default()
        };
        self.day_entries.push(entry);
    }
}

/// Why the simulated payee's bank sends an ISO transfer back.
pub const RETURN_REASON: &str = "AC04 closed account";

/// A file the bank produces: name and bytes.
pub type OutFile = (String, Vec<u8>);

/// SplitMix64: a tiny, well-known generator; with the seed and the draw count it gives the same
/// decisions on every run.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl BankState {
    pub fn new(seed: u64, reject_per_mille: u32, operator: AccountRef) -> BankState {
        BankState {
            seed,
            draws: 0,
            reject_per_mille: reject_per_mille.min(1000),
            return_per_mille: 0,
            operator,
            balances: BTreeMap::new(),
            pending_credits: vec![],
            processed: BTreeSet::new(),
            sequence: 0,
            day_entries: vec![],
            zengin_files: false,
            other_accounts: vec![],
        }
    }

    fn draw(&mut self) -> u64 {
        self.draws += 1;
        splitmix64(self.seed ^ self.draws.wrapping_mul(0xA24B_AED4_963E_E407))
    }

    fn next(&mut self) -> u64 {
        self.sequence += 1;
        self.sequence
    }

    /// A party sends money to the operator's account (e.g. a buyer paying, quoting a deal ID).
    pub fn transfer_in(
        &mut self,
        payer_name: &str,
        amount_yen: u64,
        remittance: &str,
    ) -> Result<(), SimError> {
        if amount_yen == 0 {
            return Err(SimError::Amount);
        }
        *self.balances.entry(self.operator.key()).or_default() += amount_yen as i64;
        self.pending_credits.push(PendingCredit {
            payer_name: payer_name.into(),
            amount_yen,
            remittance: remittance.into(),
        });
        Ok(())
    }

    pub fn balance(&self, bank_code: &str, branch_code: &str, account_number: &str) -> i64 {
        self.balances
            .get(&format!("{bank_code}-{branch_code}-{account_number}"))
            .copied()
            .unwrap_or(0)
    }
}
fn account_key(a: &kessai_formats::iso20022::Account) -> String {
    format!("{}-{}-{}", a.bank_code, a.branch_code, a.account_number)
}
