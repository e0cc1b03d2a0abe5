//! ISO 20022 camt.053.001.08 (BankToCustomerStatement): the operator's bank reports the
//! end-of-day statement of the operator's account — the opening and closing booked balances and
//! every entry booked in between (credits from buyers, debits for Kessai's payouts). Kessai reads
//! it; Kessai's bank simulator writes it. The entries are exactly those of a camt.054
//! notification ([`crate::iso_notification`]) and use its [`NotificationEntry`].
//!
//! What is written (and validates against `moov.camt.053.001.08.xsd`, checked by the tests with
//! xmllint):
//!
//! - one `Stmt` per document, for one account, identified as in camt.054: `Acct/Id/Othr/Id` is
//!   the account number, `Acct/Svcr/FinInstnId/ClrSysMmbId` the bank and branch (`ClrSysId/Cd`
//!   `JPZGN`, `MmbId` = 4-digit bank code + 3-digit branch code) when known;
//! - the balances given (usually two), `Bal/Tp/CdOrPrtry/Cd` OPBD (opening booked) then CLBD (closing booked), each
//!   with `Amt Ccy="JPY"` (no decimals), `CdtDbtInd` and `Dt/Dt` (the statement date). The
//!   schema's amounts are never negative: a negative balance (overdraft) is written as its
//!   absolute value with `CdtDbtInd` DBIT; zero is CRDT;
//! - the entries, written as camt.054 writes them (booked, `BkTxCd` PMNT/RCDT or ICDT/DMCT,
//!   transaction details only when there are any).
//!
//! The writer checks nothing: identifiers must fit `Max35Text`, balances at most 18 digits, and
//! a statement that does not add up is written as given (the reader rejects it).
//!
//! The reader is streaming (`quick_xml::NsReader`, namespace-aware) and, as the camt.054
//! reader, takes what the schema allows (the account as camt.054's; one balance of any type at
//! least) and is strict about the rest: anything that would make Kessai book the wrong money
//! rejects the whole document with the element path and a reason. Besides the malformed cases it
//! rejects
//!
//! - more than one `Stmt` (one account per document), and a paginated statement or message
//!   whose page is not the last (`StmtPgntn` / `MsgPgntn` with `LastPgInd` false): Kessai reads a
//!   statement whole;
//! - a statement with more than one OPBD or CLBD balance; other balance types (ITBD, CLAV,
//!   PRCD, proprietary ones…) are checked like any balance (JPY, whole yen) and otherwise
//!   ignored. The statement's `date` is the closing balance's (without one, the latest balance
//!   date); the opening balance's date may be earlier (some banks date it the previous business
//!   day) but not later;
//! - with both an OPBD and a CLBD, a statement that does not add up: opening + credits − debits
//!   must equal closing, where an
//!   entry counts by its `CdtDbtInd` (a reversal of a credit is a DBIT entry and subtracts). The
//!   error names the closing balance (`…/Stmt/Bal[2]`);
//! - as in camt.054: dates, amounts and lengths, entries that are not booked, entries with more
//!   than one transaction, duplicate `NtryRef` or `AcctSvcrRef`, more than [`MAX_ENTRIES`]
//!   entries.
//!
//! `TxsSummry` and everything else Kessai does not use is skipped.
//!
//! # Identity: one entry, reported intraday and at end of day, applies once
//!
//! A bank that sends both camt.054 (intraday) and camt.053 (end of day) reports the same booked
//! entry twice, usually under another `NtryRef` (entries are numbered per document).
//! [`Statement::entry_identities`] gives it the same identity as
//! [`Notification::entry_identities`](crate::iso_notification::Notification::entry_identities)
//! — by `AcctSvcrRef`, else by what the entry says ([`crate::iso_identity`]) — so a caller that
//! records applied entries by identity (as the bank import does with `bank_ref`) skips the
//! statement's copy of an entry already applied from a notification, and vice versa.

use quick_xml::events::BytesStart;
use quick_xml::name::ResolveResult;

use crate::iso_camt::{check_root, read_camt, reject, AccountDraft, AcctCtx, CamtParser};
use crate::iso_camt_entry::{Entries, EntryCtx};
pub use crate::iso_notification::IsoError;
use crate::iso_notification::NotificationEntry;
use crate::iso_values::{iso_date, iso_date_time, max_text};
use crate::iso_xml::{
    in_namespace, local_name, non_empty, once, parse_bool, parse_direction, parse_yen, Frames,
    PathStyle, Xml,
};

pub const CAMT_053_NS: &str = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08";

/// The reader rejects statements with more entries than this.
pub const MAX_ENTRIES: usize = 1_000_000;

/// One camt.053 document: the end-of-day statement of one account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// `GrpHdr/MsgId`.
    pub message_id: String,
    /// `GrpHdr/CreDtTm`, ISO date-time, e.g. `2026-11-24T23:59:00+09:00`.
    pub created_at: String,
    /// `Stmt/Id`.
    pub statement_id: String,
    /// `Stmt/Acct/Id/Othr/Id`, or `Stmt/Acct/Id/IBAN`.
    pub account_number: String,
    /// `Stmt/Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId`: 4 digits bank + 3 digits branch, when
    /// given (`Svcr` is optional).
    pub bank_code: Option<String>,
    pub branch_code: Option<String>,
    /// The opening booked balance (OPBD); negative when written
    /// DBIT. The schema needs one balance of any type, so either may be absent.
    pub opening_balance_yen: Option<i64>,
    /// The CLBD balance; negative when written DBIT.
    pub closing_balance_yen: Option<i64>,
    /// ISO date (`2026-11-24`) of the statement: the closing balance's `Dt`, else the latest
    /// balance date.
    pub date: String,
    pub entries: Vec<NotificationEntry>,
}

/// The sums of the entries' credits and debits, in yen.
fn movements(entries: &[NotificationEntry]) -> (i128, i128) {
    let mut credits = 0i128;
    let mut debits = 0i128;
    for e in entries {
        if e.credit {
            credits += i128::from(e.amount_yen);
        } else {
            debits += i128::from(e.amount_yen);
        }
    }
    (credits, debits)
}

// ---------------------------------------------------------------------------------------------
// Writer (entries are written by `iso_xml`, as for camt.054)

/// One `Bal`: a booked balance of `yen` (negative: DBIT) on `date`.
fn balance(x: &mut Xml, code: &str, yen: i64, date: &str) {
    x.open("Bal");
    x.open("Tp");
    x.open("CdOrPrtry");
    x.leaf("Cd", code);
    x.close("CdOrPrtry");
    x.close("Tp");
    x.amount("Amt", yen.unsigned_abs());
    x.leaf("CdtDbtInd", if yen < 0 { "DBIT" } else { "CRDT" });
    x.open("Dt");
    x.leaf("Dt", date);
    x.close("Dt");
    x.close("Bal");
}

/// Writes one camt.053.001.08 document: one statement for the account, its opening and closing
/// booked balances and its entries.
pub fn write_camt_053(s: &Statement) -> Vec<u8> {
    let mut x = Xml::document(CAMT_053_NS);
    x.open("BkToCstmrStmt");
    x.open("GrpHdr");
    x.leaf("MsgId", &s.message_id);
    x.leaf("CreDtTm", &s.created_at);
    x.close("GrpHdr");
    x.open("Stmt");
    x.leaf("Id", &s.statement_id);
    x.leaf("CreDtTm", &s.created_at);
    x.camt_account(&s.account_number, &s.bank_code, &s.branch_code);
    if let Some(yen) = s.opening_balance_yen {
        balance(&mut x, "OPBD", yen, &s.date);
    }
    if let Some(yen) = s.closing_balance_yen {
        balance(&mut x, "CLBD", yen, &s.date);
    }
    for e in &s.entries {
        x.entry(e);
    }
    x.close("Stmt");
    x.close("BkToCstmrStmt");
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
    /// `GrpHdr/MsgPgntn` or `Stmt/StmtPgntn`.
    Pgntn,
    LastPgInd,
    Stmt,
    StmtId,
    Acct(AcctCtx),
    Bal,
    BalTp,
    BalCdOrPrtry,
    BalTpCd,
    BalTpPrtry,
    BalAmt,
    BalCdtDbtInd,
    BalDt,
    /// `Dt` (`time` false) or `DtTm`.
    BalDate {
        time: bool,
    },
    Entry(EntryCtx),
}

fn child(parent: Ctx, name: &str) -> Ctx {
    use Ctx::*;
    match (parent, name) {
        (Document, "BkToCstmrStmt") => Message,
        (Message, "GrpHdr") => GrpHdr,
        (GrpHdr, "MsgId") => MsgId,
        (GrpHdr, "CreDtTm") => CreDtTm,
        (GrpHdr, "MsgPgntn") | (Stmt, "StmtPgntn") => Pgntn,
        (Pgntn, "LastPgInd") => LastPgInd,
        (Message, "Stmt") => Stmt,
        (Stmt, "Id") => StmtId,
        (Stmt, "Acct") => Acct(AcctCtx::Acct),
        (Acct(a), _) => a.child(name).map_or(Skip, Acct),
        (Stmt, "Bal") => Bal,
        (Bal, "Tp") => BalTp,
        (BalTp, "CdOrPrtry") => BalCdOrPrtry,
        (BalCdOrPrtry, "Cd") => BalTpCd,
        (BalCdOrPrtry, "Prtry") => BalTpPrtry,
        (Bal, "Amt") => BalAmt,
        (Bal, "CdtDbtInd") => BalCdtDbtInd,
        (Bal, "Dt") => BalDt,
        (BalDt, "Dt") => BalDate { time: false },
        (BalDt, "DtTm") => BalDate { time: true },
        (Stmt, "Ntry") => Entry(EntryCtx::Ntry),
        (Entry(e), _) => e.child(name).map_or(Skip, Entry),
        _ => Skip,
    }
}

#[derive(Default)]
struct BalanceDraft {
    /// `Tp/CdOrPrtry/Cd`; a proprietary type is kept as `None` with `proprietary` set.
    code: Option<String>,
    proprietary: bool,
    amount: Option<u64>,
    credit: Option<bool>,
    date: Option<String>,
}

/// A booked balance Kessai uses: its signed amount, date and `Bal[n]` index.
struct Balance {
    yen: i64,
    date: String,
    index: usize,
}

struct Parser {
    /// The open elements; balances and entries are counted (`Bal[2]`, `Ntry[3]`).
    frames: Frames<Ctx>,
    text: String,
    statements: usize,
    message_id: Option<String>,
    created_at: Option<String>,
    statement_id: Option<String>,
    account: AccountDraft,
    balances: usize,
    balance: Option<BalanceDraft>,
    opening: Option<Balance>,
    closing: Option<Balance>,
    /// The latest date of any balance.
    latest: Option<String>,
    entries: Entries,
}

fn signed(yen: u64, credit: bool) -> i128 {
    if credit {
        i128::from(yen)
    } else {
        -i128::from(yen)
    }
}

impl Parser {
    fn new(max_entries: usize) -> Self {
        Parser {
            frames: Frames::new(PathStyle::Rooted),
            text: String::new(),
            statements: 0,
            message_id: None,
            created_at: None,
            statement_id: None,
            account: AccountDraft::default(),
            balances: 0,
            balance: None,
            opening: None,
            closing: None,
            latest: None,
            entries: Entries::new(max_entries),
        }
    }

    fn balance(&mut self) -> &mut BalanceDraft {
        self.balance.as_mut().expect("inside a balance")
    }

    /// Takes the text of an element Kessai reads; `Err` is the reason for rejecting it. (Dates
    /// and amounts were checked by `TypedLeaves`.)
    fn end_leaf(&mut self, ctx: Ctx, text: String) -> Result<(), String> {
        match ctx {
            Ctx::MsgId => once(&mut self.message_id, max_text(non_empty(text)?, 35)?),
            Ctx::CreDtTm => once(&mut self.created_at, text.trim().to_string()),
            Ctx::LastPgInd => {
                if parse_bool(&text)? {
                    Ok(())
                } else {
                    Err(
                        "not the last page: Kessai reads a statement whole, not page by page"
                            .into(),
                    )
                }
            }
            Ctx::StmtId => once(&mut self.statement_id, max_text(non_empty(text)?, 35)?),
            Ctx::Acct(a) => self.account.leaf(a, text),
            Ctx::BalTpCd => once(
                &mut self.balance().code,
                max_text(non_empty(text)?, 4)?.trim().to_string(),
            ),
            Ctx::BalTpPrtry => {
                self.balance().proprietary = true;
                Ok(())
            }
            Ctx::BalAmt => {
                let yen = parse_yen(&text)?;
                if i64::try_from(yen).is_err() {
                    return Err(format!("amount too large: {yen}"));
                }
                once(&mut self.balance().amount, yen)
            }
            Ctx::BalCdtDbtInd => once(&mut self.balance().credit, parse_direction(&text)?),
            Ctx::BalDate { time } => {
                let date = if time {
                    iso_date_time(&text)?
                } else {
                    iso_date(&text)?
                };
                once(&mut self.balance().date, date)
            }
            Ctx::Entry(e) => self.entries.leaf(e, text),
            _ => Ok(()),
        }
    }

    fn end_balance(&mut self) -> Result<(), IsoError> {
        let d = self.balance.take().expect("inside a balance");
        let code = match (d.code, d.proprietary) {
            (Some(code), _) => Some(code),
            (None, true) => None,
            (None, false) => {
                return reject(
                    self.frames.path_to("Tp/CdOrPrtry/Cd"),
                    "missing: the balance type (OPBD, CLBD…) is needed",
                )
            }
        };
        let Some(amount) = d.amount else {
            return reject(self.frames.path_to("Amt"), "missing");
        };
        let Some(credit) = d.credit else {
            return reject(self.frames.path_to("CdtDbtInd"), "missing");
        };
        let Some(date) = d.date else {
            return reject(self.frames.path_to("Dt"), "missing");
        };
        let yen = i64::try_from(signed(amount, credit)).expect("checked at Amt");
        if self.latest.as_ref().is_none_or(|latest| *latest < date) {
            self.latest = Some(date.clone());
        }
        let balance = Balance {
            yen,
            date,
            index: self.balances,
        };
        let (slot, name) = match code.as_deref() {
            Some("OPBD") => (&mut self.opening, "opening booked balance (OPBD)"),
            Some("CLBD") => (&mut self.closing, "closing booked balance (CLBD)"),
            // Other balance types are not used.
            _ => return Ok(()),
        };
        if let Some(first) = slot {
            let first = first.index;
            return reject(
                self.frames.path(),
                format!("more than one {name} (first in Bal[{first}])"),
            );
        }
        *slot = Some(balance);
        Ok(())
    }

    fn end_statement(&self) -> Result<(), IsoError> {
        let path = self.frames.path();
        if self.statement_id.is_none() {
            return reject(format!("{path}/Id"), "missing");
        }
        self.account.check(&path)?;
        if self.balances == 0 {
            return reject(format!("{path}/Bal"), "missing");
        }
        // Without both an opening and a closing balance there is nothing to add up.
        let (Some(opening), Some(closing)) = (&self.opening, &self.closing) else {
            return Ok(());
        };
        if opening.date > closing.date {
            return reject(
                format!("{path}/Bal[{}]/Dt", opening.index),
                format!(
                    "the opening balance is dated {}, after the closing balance ({})",
                    opening.date, closing.date
                ),
            );
        }
        let (credits, debits) = movements(&self.entries.list);
        let expected = i128::from(opening.yen) + credits - debits;
        if expected != i128::from(closing.yen) {
            return reject(
                format!("{path}/Bal[{}]", closing.index),
                format!(
                    "the closing balance (CLBD) {} does not add up: opening {} + credits {credits} \
                     - debits {debits} = {expected}",
                    closing.yen, opening.yen
                ),
            );
        }
        Ok(())
    }

    fn end_document(&self) -> Result<(), IsoError> {
        let message = "/Document/BkToCstmrStmt";
        if self.message_id.is_none() {
            return reject(format!("{message}/GrpHdr/MsgId"), "missing");
        }
        if self.created_at.is_none() {
            return reject(format!("{message}/GrpHdr/CreDtTm"), "missing");
        }
        if self.statements == 0 {
            return reject(format!("{message}/Stmt"), "missing");
        }
        Ok(())
    }
}

impl CamtParser for Parser {
    type Ctx = Ctx;
    type Output = Statement;
    const NAMESPACE: &'static str = CAMT_053_NS;

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
            check_root(&self.frames, ns, &name, CAMT_053_NS)?;
            self.frames.push(name, None, Ctx::Document);
            return Ok(());
        };
        let ctx = if in_namespace(ns, CAMT_053_NS) {
            child(parent, &name)
        } else {
            Ctx::Skip
        };
        let mut index = None;
        match ctx {
            Ctx::Skip if parent == Ctx::Document => {
                return reject(
                    self.frames.path_to(&name),
                    "expected BkToCstmrStmt (camt.053 bank-to-customer statement)",
                );
            }
            Ctx::Stmt => {
                self.statements += 1;
                if self.statements > 1 {
                    return reject(
                        self.frames.path_to(&format!("Stmt[{}]", self.statements)),
                        "more than one Stmt: Kessai reads one account per document",
                    );
                }
            }
            Ctx::Bal => {
                self.balances += 1;
                index = Some(self.balances);
                self.balance = Some(BalanceDraft::default());
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
            Ctx::Stmt => self.end_statement()?,
            Ctx::Bal => self.end_balance()?,
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

    fn finish(self) -> Result<Statement, IsoError> {
        let (account_number, bank_code, branch_code) = self.account.into_parts();
        let date = match &self.closing {
            Some(closing) => closing.date.clone(),
            None => self.latest.expect("a balance, checked at Stmt"),
        };
        Ok(Statement {
            message_id: self.message_id.expect("checked at Document"),
            created_at: self.created_at.expect("checked at Document"),
            statement_id: self.statement_id.expect("checked at Stmt"),
            account_number,
            bank_code,
            branch_code,
            opening_balance_yen: self.opening.map(|b| b.yen),
            closing_balance_yen: self.closing.map(|b| b.yen),
            date,
            entries: self.entries.list,
        })
    }
}

/// Reads one camt.053.001.08 document. Any problem, including balances that do not add up,
/// rejects the whole document.
pub fn read_camt_053(xml: &[u8]) -> Result<Statement, IsoError> {
    read_with_limit(xml, MAX_ENTRIES)
}

fn read_with_limit(xml: &[u8], max_entries: usize) -> Result<Statement, IsoError> {
    read_camt(xml, Parser::new(max_entries))
}

#[cfg(test)]
#[path = "iso_statement_tests.rs"]
mod tests;
