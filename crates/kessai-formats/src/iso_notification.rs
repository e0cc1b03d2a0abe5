//! ISO 20022 camt.054.001.08 (BankToCustomerDebitCreditNotification): the operator's bank
//! notifies credits (incoming transfers from buyers) and debits on the operator's account.
//! Kessai reads it; Kessai's bank simulator writes it. The ISO counterpart of the Zengin
//! 振込入金通知 ([`crate::zengin::notice::IncomingTransfer`]).
//!
//! What is written (and validates against `moov.camt.054.001.08.xsd`, checked by the tests with
//! xmllint):
//!
//! - one `Ntfctn` per document, for one account: `Acct/Id/Othr/Id` is the account number,
//!   `Acct/Svcr/FinInstnId/ClrSysMmbId` the bank and branch as in pain.001 (`ClrSysId/Cd`
//!   `JPZGN`, `MmbId` = 4-digit bank code + 3-digit branch code) when they are known;
//! - per entry, what is given of `NtryRef`, `BookgDt/Dt`, `ValDt/Dt`, `AcctSvcrRef`;
//! - every entry is booked: `<Sts><Cd>BOOK</Cd></Sts>` (001.08 makes `Sts` a choice, no longer a
//!   bare code);
//! - `BkTxCd` uses the ISO external codes `Domn/Cd` PMNT with `Fmly/Cd` RCDT (received credit
//!   transfers) or ICDT (issued credit transfers) and `SubFmlyCd` DMCT (domestic credit
//!   transfer). The family is that of the original operation: a reversal of an incoming credit
//!   is a DBIT entry with `RvslInd` true and still RCDT. Readers ignore `BkTxCd`;
//! - transaction details (`NtryDtls/TxDtls`) only when the entry has any: `Refs` (`InstrId`,
//!   `EndToEndId`, `UETR`, `TxId`), `RltdPties/Dbtr/Pty/Nm`, `RmtInf/Ustrd`. A remittance longer than 140 characters is split
//!   over several `Ustrd` (the schema's continuation), which the reader concatenates again.
//!
//! The writer does not shorten anything: identifiers must fit `Max35Text` (account number
//! `Max34Text`), names and remittance lines 140 characters, `AddtlNtryInf` 500, and empty
//! optional texts are left out (the reader never returns `Some("")`).
//!
//! The reader is streaming (`quick_xml::NsReader`, namespace-aware, so prefixed documents are
//! read too) and takes every document the schema allows — whatever the schema makes optional
//! may be absent (`Svcr`, `NtryRef`, `BookgDt`, all details), the account is `Othr/Id` or
//! `IBAN` — and is strict about the rest: anything that would make Kessai book the wrong money
//! rejects the whole document with the element path and a reason. Besides the malformed cases
//! (wrong root or namespace, missing required elements, a date that is no real day or an
//! amount anywhere that is not whole JPY (`iso_values.rs`), a text longer than the
//! schema allows, a `NtryRef` or `AcctSvcrRef` twice), it also rejects an account currency
//! other than JPY, more than one `Ntfctn` (one account per document), entries that are not
//! booked (`Sts` other than BOOK: a pending credit must not count as paid), entries whose
//! details carry more than one transaction (a batch booking would credit one deal with the
//! sum), and more than [`MAX_ENTRIES`] entries. Elements it does not use are skipped.

use quick_xml::events::BytesStart;
use quick_xml::name::ResolveResult;

use crate::iso_camt::{check_root, read_camt, reject, AccountDraft, AcctCtx, CamtParser};
use crate::iso_camt_entry::{Entries, EntryCtx};
use crate::iso_values::max_text;
use crate::iso_xml::{in_namespace, local_name, non_empty, once, Frames, PathStyle, Xml};

pub const CAMT_054_NS: &str = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08";

/// The reader rejects notifications with more entries than this.
pub const MAX_ENTRIES: usize = 1_000_000;

/// One booked entry on the account. What the schema makes optional is an `Option`; the reader
/// never returns `Some("")`. Identity and content: [`crate::iso_identity`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NotificationEntry {
    /// `Ntry/NtryRef`: unique within one message only (banks number entries 1..n per
    /// document), so it does not identify the entry across documents.
    pub entry_reference: Option<String>,
    /// `Ntry/AcctSvcrRef` (or, without it, the one transaction's `TxDtls/Refs/AcctSvcrRef`):
    /// the bank's own reference for the entry, the same in camt.054 and camt.053.
    pub account_servicer_reference: Option<String>,
    /// `Ntry/Amt Ccy="JPY"`, no decimals.
    pub amount_yen: u64,
    /// `CdtDbtInd`: CRDT (true) or DBIT, the direction of this entry on the account. Per ISO, a
    /// reversal of an earlier credit is DBIT with `reversal` set.
    pub credit: bool,
    /// `BookgDt/Dt`, ISO date (`2026-11-24`); from `BookgDt/DtTm`, its date as written.
    pub booking_date: Option<String>,
    /// `ValDt/Dt` (or the date of `ValDt/DtTm`).
    pub value_date: Option<String>,
    /// `RvslInd`: the entry reverses an earlier one.
    pub reversal: bool,
    /// `NtryDtls/TxDtls/Refs/InstrId`.
    pub instruction_id: Option<String>,
    /// `NtryDtls/TxDtls/Refs/EndToEndId`; for debits Kessai's own transfer (pain.001).
    pub end_to_end_id: Option<String>,
    /// `NtryDtls/TxDtls/Refs/UETR`.
    pub uetr: Option<String>,
    /// `NtryDtls/TxDtls/Refs/TxId`.
    pub transaction_id: Option<String>,
    /// `NtryDtls/TxDtls/RltdPties/Dbtr/Pty/Nm`: the payer of a credit (payers may put a
    /// reference before their name, as in Zengin).
    pub debtor_name: Option<String>,
    /// `NtryDtls/TxDtls/RmtInf/Ustrd` (several `Ustrd` concatenated); may quote a deal ID.
    pub remittance: Option<String>,
    /// `AddtlNtryInf`.
    pub additional_info: Option<String>,
}

/// One camt.054 document: the entries of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`, ISO date-time, e.g. `2026-11-24T15:00:00+09:00`.
    pub created_at: String,
    /// `Ntfctn/Id`.
    pub notification_id: String,
    /// `Ntfctn/Acct/Id/Othr/Id`, or `Ntfctn/Acct/Id/IBAN`.
    pub account_number: String,
    /// `Ntfctn/Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId`: 4 digits bank + 3 digits branch, when
    /// the bank gives it (the schema makes `Svcr` optional: `None` then, and the account is
    /// known by its number alone).
    pub bank_code: Option<String>,
    pub branch_code: Option<String>,
    pub entries: Vec<NotificationEntry>,
}

/// Why a camt.054 document was rejected: the element path (e.g.
/// `/Document/BkToCstmrDbtCdtNtfctn/Ntfctn/Ntry[2]/Amt`) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct IsoError {
    pub path: String,
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Writer

/// Writes one camt.054.001.08 document: one notification for the account with its entries.
pub fn write_camt_054(n: &Notification) -> Vec<u8> {
    let mut x = Xml::document(CAMT_054_NS);
    x.open("BkToCstmrDbtCdtNtfctn");
    x.open("GrpHdr");
    x.leaf("MsgId", &n.message_id);
    x.leaf("CreDtTm", &n.created_at);
    x.close("GrpHdr");
    x.open("Ntfctn");
    x.leaf("Id", &n.notification_id);
    x.leaf("CreDtTm", &n.created_at);
    x.camt_account(&n.account_number, &n.bank_code, &n.branch_code);
    for e in &n.entries {
        x.entry(e);
    }
    x.close("Ntfctn");
    x.close("BkToCstmrDbtCdtNtfctn");
    x.finish()
}

// ---------------------------------------------------------------------------------------------
// Reader

/// Where an element sits, decided when it opens from its parent's context and its name. Only
/// the elements Kessai reads have a context; everything else (and everything below it) is
/// `Skip`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Skip,
    Document,
    Message,
    GrpHdr,
    MsgId,
    CreDtTm,
    Ntfctn,
    NtfctnId,
    Acct(AcctCtx),
    Entry(EntryCtx),
}

fn child(parent: Ctx, name: &str) -> Ctx {
    use Ctx::*;
    match (parent, name) {
        (Document, "BkToCstmrDbtCdtNtfctn") => Message,
        (Message, "GrpHdr") => GrpHdr,
        (GrpHdr, "MsgId") => MsgId,
        (GrpHdr, "CreDtTm") => CreDtTm,
        (Message, "Ntfctn") => Ntfctn,
        (Ntfctn, "Id") => NtfctnId,
        (Ntfctn, "Acct") => Acct(AcctCtx::Acct),
        (Acct(a), _) => a.child(name).map_or(Skip, Acct),
        (Ntfctn, "Ntry") => Entry(EntryCtx::Ntry),
        (Entry(e), _) => e.child(name).map_or(Skip, Entry),
        _ => Skip,
    }
}

struct Parser {
    /// The open elements; entries are counted (`Ntry[3]`).
    frames: Frames<Ctx>,
    text: String,
    notifications: usize,
    message_id: Option<String>,
    created_at: Option<String>,
    notification_id: Option<String>,
    account: AccountDraft,
    entries: Entries,
}

impl Parser {
    fn new(max_entries: usize) -> Self {
        Parser {
            frames: Frames::new(PathStyle::Rooted),
            text: String::new(),
            notifications: 0,
            message_id: None,
            created_at: None,
            notification_id: None,
            account: AccountDraft::default(),
            entries: Entries::new(max_entries),
        }
    }

    /// Takes the text of an element Kessai reads; `Err` is the reason for rejecting it. (The
    /// date-times were checked by `TypedLeaves`.)
    fn end_leaf(&mut self, ctx: Ctx, text: String) -> Result<(), String> {
        match ctx {
            Ctx::MsgId => once(&mut self.message_id, max_text(non_empty(text)?, 35)?),
            Ctx::CreDtTm => once(&mut self.created_at, text.trim().to_string()),
            Ctx::NtfctnId => once(&mut self.notification_id, max_text(non_empty(text)?, 35)?),
            Ctx::Acct(a) => self.account.leaf(a, text),
            Ctx::Entry(e) => self.entries.leaf(e, text),
            _ => Ok(()),
        }
    }

    fn end_notification(&self) -> Result<(), IsoError> {
        let path = self.frames.path();
        if self.notification_id.is_none() {
            return reject(format!("{path}/Id"), "missing");
        }
        self.account.check(&path)
    }

    fn end_document(&self) -> Result<(), IsoError> {
        let message = "/Document/BkToCstmrDbtCdtNtfctn";
        if self.message_id.is_none() {
            return reject(format!("{message}/GrpHdr/MsgId"), "missing");
        }
        if self.created_at.is_none() {
            return reject(format!("{message}/GrpHdr/CreDtTm"), "missing");
        }
        if self.notifications == 0 {
            return reject(format!("{message}/Ntfctn"), "missing");
        }
        Ok(())
    }
}

impl CamtParser for Parser {
    type Ctx = Ctx;
    type Output = Notification;
    const NAMESPACE: &'static str = CAMT_054_NS;

    fn frames(&self) -> &Frames<Ctx> {
        &self.frames
    }

    fn text(&mut self) -> &mut String {
        &mut self.text
    }

    fn start(&mut self, ns: &ResolveResult, e: &BytesStart) -> Result<(), IsoError> {
        let name = local_name(e);
        self.text.clear();
        let Some(parent) = self.frames.top() else {
            check_root(&self.frames, ns, &name, CAMT_054_NS)?;
            self.frames.push(name, None, Ctx::Document);
            return Ok(());
        };
        let ctx = if in_namespace(ns, CAMT_054_NS) {
            child(parent, &name)
        } else {
            Ctx::Skip
        };
        let mut index = None;
        match ctx {
            Ctx::Skip if parent == Ctx::Document => {
                return reject(
                    self.frames.path_to(&name),
                    "expected BkToCstmrDbtCdtNtfctn (camt.054 debit/credit notification)",
                );
            }
            Ctx::Ntfctn => {
                self.notifications += 1;
                if self.notifications > 1 {
                    return reject(
                        self.frames
                            .path_to(&format!("Ntfctn[{}]", self.notifications)),
                        "more than one Ntfctn: Kessai reads one account per document",
                    );
                }
            }
            Ctx::Entry(entry) => index = self.entries.start(entry, &self.frames, &name)?,
            _ => {}
        }
        self.frames.push(name, index, ctx);
        Ok(())
    }

    /// The innermost element closes: takes its text, checks it, pops it.
    fn end(&mut self) -> Result<(), IsoError> {
        let ctx = self.frames.top().expect("an open element");
        let text = std::mem::take(&mut self.text);
        match ctx {
            Ctx::Ntfctn => self.end_notification()?,
            Ctx::Entry(EntryCtx::Ntry) => {
                let frames = &self.frames;
                self.entries.end_entry(|child| frames.path_to(child))?
            }
            Ctx::Document => self.end_document()?,
            // The element's path is only built when it is rejected.
            _ => self
                .end_leaf(ctx, text)
                .or_else(|reason| reject(self.frames.path(), reason))?,
        }
        self.frames.pop();
        Ok(())
    }

    fn finish(self) -> Result<Notification, IsoError> {
        let (account_number, bank_code, branch_code) = self.account.into_parts();
        Ok(Notification {
            message_id: self.message_id.expect("checked at Document"),
            created_at: self.created_at.expect("checked at Document"),
            notification_id: self.notification_id.expect("checked at Ntfctn"),
            account_number,
            bank_code,
            branch_code,
            entries: self.entries.list,
        })
    }
}

/// Reads one camt.054.001.08 document. Any problem rejects the whole document.
pub fn read_camt_054(xml: &[u8]) -> Result<Notification, IsoError> {
    read_with_limit(xml, MAX_ENTRIES)
}

fn read_with_limit(xml: &[u8], max_entries: usize) -> Result<Notification, IsoError> {
    read_camt(xml, Parser::new(max_entries))
}

#[cfg(test)]
#[path = "iso_notification_tests.rs"]
mod tests;
