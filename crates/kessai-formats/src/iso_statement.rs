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
//!   `JPZGN`, `MmbId` = 4-digit bank code + 3-digit branch code);
//! - two balances, `Bal/Tp/CdOrPrtry/Cd` OPBD (opening booked) then CLBD (closing booked), each
//!   with `Amt Ccy="JPY"` (no decimals), `CdtDbtInd` and `Dt/Dt` (the statement date). The
//!   schema's amounts are never negative: a negative balance (overdraft) is written as its
//!   absolute value with `CdtDbtInd` DBIT; zero is CRDT;
//! - the entries, written as camt.054 writes them (booked, `BkTxCd` PMNT/RCDT or ICDT/DMCT,
//!   transaction details only when there are any).
//!
//! The writer checks nothing: identifiers must fit `Max35Text`, balances at most 18 digits, and
//! a statement that does not add up is written as given (the reader rejects it).
//!
//! The reader is streaming (`quick_xml::NsReader`, namespace-aware) and strict, as the camt.054
//! reader: anything that would make Kessai book the wrong money rejects the whole document with
//! the element path and a reason. Besides the malformed cases it rejects
//!
//! - more than one `Stmt` (one account per document), and a paginated statement or message
//!   whose page is not the last (`StmtPgntn` / `MsgPgntn` with `LastPgInd` false): Kessai reads a
//!   statement whole;
//! - a statement without exactly one OPBD and one CLBD balance; other balance types (ITBD, CLAV,
//!   PRCD, proprietary ones…) are checked like any balance (JPY, whole yen) and otherwise
//!   ignored. The statement's `date` is the closing balance's; the opening balance's date may be
//!   earlier (some banks date it the previous business day) but not later;
//! - a statement that does not add up: opening + credits − debits must equal closing, where an
//!   entry counts by its `CdtDbtInd` (a reversal of a credit is a DBIT entry and subtracts). The
//!   error names the closing balance (`…/Stmt/Bal[2]`);
//! - as in camt.054: entries that are not booked, entries with more than one transaction,
//!   duplicate `NtryRef`, more than [`MAX_ENTRIES`] entries.
//!
//! `TxsSummry` and everything else Kessai does not use is skipped.
//!
//! # Identity: one entry, reported intraday and at end of day, applies once
//!
//! A bank that sends both camt.054 (intraday) and camt.053 (end of day) reports the same booked
//! entry twice, under the same `NtryRef`. [`Statement::entry_identity`] is therefore *the same
//! string* as [`NotificationEntry::identity`] for that entry —
//! `camt054:<bank><branch>:<account>:<NtryRef>` — so a caller that records applied entries by
//! identity (as the bank import does with `bank_ref`) skips the statement's copy of an entry
//! already applied from a notification, and vice versa. The `camt054` prefix is kept (rather
//! than a neutral `camt:`) so identities already stored from camt.054 files keep matching.

use std::collections::HashMap;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::{NsReader, Writer};

pub use crate::iso_notification::IsoError;
use crate::iso_notification::NotificationEntry;

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
    /// `Stmt/Acct/Id/Othr/Id`.
    pub account_number: String,
    /// `Stmt/Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId`: 4 digits bank + 3 digits branch.
    pub bank_code: String,
    pub branch_code: String,
    /// The OPBD balance; negative when written DBIT.
    pub opening_balance_yen: i64,
    /// The CLBD balance; negative when written DBIT.
    pub closing_balance_yen: i64,
    /// ISO date (`2026-11-24`) of the balances: the closing balance's `Dt`.
    pub date: String,
    pub entries: Vec<NotificationEntry>,
}

impl Statement {
    /// The entry's identity across documents *and across camt.053 and camt.054*:
    /// `camt054:<bank><branch>:<account>:<entry_reference>`, equal to
    /// [`NotificationEntry::identity`] for the same account and `NtryRef`, so an entry reported
    /// both intraday (camt.054) and in the statement applies once.
    pub fn entry_identity(&self, e: &NotificationEntry) -> String {
        format!(
            "camt054:{}{}:{}:{}",
            self.bank_code, self.branch_code, self.account_number, e.entry_reference
        )
    }

    /// The sum of the entries' credits and debits, in yen.
    fn movements(&self) -> (i128, i128) {
        movements(&self.entries)
    }
}

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
// Writer (the entry part as in iso_notification.rs, whose writer is private)

struct Xml {
    w: Writer<Vec<u8>>,
}

impl Xml {
    fn event(&mut self, event: Event<'_>) {
        self.w.write_event(event).expect("writing to memory");
    }

    fn open(&mut self, name: &str) {
        self.event(Event::Start(BytesStart::new(name)));
    }

    fn close(&mut self, name: &str) {
        self.event(Event::End(BytesEnd::new(name)));
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        self.event(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    fn amount(&mut self, name: &str, yen: u64) {
        let mut start = BytesStart::new(name);
        start.push_attribute(("Ccy", "JPY"));
        self.event(Event::Start(start));
        self.event(Event::Text(BytesText::new(&yen.to_string())));
        self.close(name);
    }

    fn balance(&mut self, code: &str, yen: i64, date: &str) {
        self.open("Bal");
        self.open("Tp");
        self.open("CdOrPrtry");
        self.leaf("Cd", code);
        self.close("CdOrPrtry");
        self.close("Tp");
        self.amount("Amt", yen.unsigned_abs());
        self.leaf("CdtDbtInd", if yen < 0 { "DBIT" } else { "CRDT" });
        self.open("Dt");
        self.leaf("Dt", date);
        self.close("Dt");
        self.close("Bal");
    }

    fn entry(&mut self, e: &NotificationEntry) {
        self.open("Ntry");
        self.leaf("NtryRef", &e.entry_reference);
        self.amount("Amt", e.amount_yen);
        self.leaf("CdtDbtInd", if e.credit { "CRDT" } else { "DBIT" });
        if e.reversal {
            self.leaf("RvslInd", "true");
        }
        self.open("Sts");
        self.leaf("Cd", "BOOK");
        self.close("Sts");
        self.open("BookgDt");
        self.leaf("Dt", &e.booking_date);
        self.close("BookgDt");
        // The family of the original operation: a reversed credit is still a received one.
        let received = e.credit != e.reversal;
        self.open("BkTxCd");
        self.open("Domn");
        self.leaf("Cd", "PMNT");
        self.open("Fmly");
        self.leaf("Cd", if received { "RCDT" } else { "ICDT" });
        self.leaf("SubFmlyCd", "DMCT");
        self.close("Fmly");
        self.close("Domn");
        self.close("BkTxCd");
        let e2e = present(&e.end_to_end_id);
        let debtor = present(&e.debtor_name);
        let remittance = present(&e.remittance);
        if e2e.is_some() || debtor.is_some() || remittance.is_some() {
            self.open("NtryDtls");
            self.open("TxDtls");
            if let Some(id) = e2e {
                self.open("Refs");
                self.leaf("EndToEndId", id);
                self.close("Refs");
            }
            if let Some(name) = debtor {
                self.open("RltdPties");
                self.open("Dbtr");
                self.open("Pty");
                self.leaf("Nm", name);
                self.close("Pty");
                self.close("Dbtr");
                self.close("RltdPties");
            }
            if let Some(text) = remittance {
                self.open("RmtInf");
                for line in chunks_140(text) {
                    self.leaf("Ustrd", &line);
                }
                self.close("RmtInf");
            }
            self.close("TxDtls");
            self.close("NtryDtls");
        }
        if let Some(info) = present(&e.additional_info) {
            self.leaf("AddtlNtryInf", info);
        }
        self.close("Ntry");
    }
}

fn present(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

/// `Max140Text` pieces of `text`, in characters (as the schema counts).
fn chunks_140(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(140).map(|c| c.iter().collect()).collect()
}

/// Writes one camt.053.001.08 document: one statement for the account, its opening and closing
/// booked balances and its entries.
pub fn write_camt_053(s: &Statement) -> Vec<u8> {
    let mut x = Xml {
        w: Writer::new_with_indent(Vec::new(), b' ', 2),
    };
    x.event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let mut doc = BytesStart::new("Document");
    doc.push_attribute(("xmlns", CAMT_053_NS));
    x.event(Event::Start(doc));
    x.open("BkToCstmrStmt");
    x.open("GrpHdr");
    x.leaf("MsgId", &s.message_id);
    x.leaf("CreDtTm", &s.created_at);
    x.close("GrpHdr");
    x.open("Stmt");
    x.leaf("Id", &s.statement_id);
    x.leaf("CreDtTm", &s.created_at);
    x.open("Acct");
    x.open("Id");
    x.open("Othr");
    x.leaf("Id", &s.account_number);
    x.close("Othr");
    x.close("Id");
    x.leaf("Ccy", "JPY");
    x.open("Svcr");
    x.open("FinInstnId");
    x.open("ClrSysMmbId");
    x.open("ClrSysId");
    x.leaf("Cd", "JPZGN");
    x.close("ClrSysId");
    x.leaf("MmbId", &format!("{}{}", s.bank_code, s.branch_code));
    x.close("ClrSysMmbId");
    x.close("FinInstnId");
    x.close("Svcr");
    x.close("Acct");
    x.balance("OPBD", s.opening_balance_yen, &s.date);
    x.balance("CLBD", s.closing_balance_yen, &s.date);
    for e in &s.entries {
        x.entry(e);
    }
    x.close("Stmt");
    x.close("BkToCstmrStmt");
    x.close("Document");
    let mut out = x.w.into_inner();
    out.push(b'\n');
    out
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
    Acct,
    AcctId,
    AcctOthr,
    AcctNumber,
    Svcr,
    FinInstnId,
    ClrSysMmbId,
    ClrSysId,
    ClrSysCd,
    MmbId,
    Bal,
    BalTp,
    BalCdOrPrtry,
    BalTpCd,
    BalTpPrtry,
    BalAmt,
    BalCdtDbtInd,
    BalDt,
    BalDate,
    Ntry,
    NtryRef,
    Amt,
    CdtDbtInd,
    RvslInd,
    Sts,
    StsCode,
    BookgDt,
    BookgDate,
    NtryDtls,
    TxDtls,
    Refs,
    EndToEndId,
    RltdPties,
    Dbtr,
    DbtrPty,
    DbtrNm,
    RmtInf,
    Ustrd,
    AddtlNtryInf,
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
        (Stmt, "Acct") => Acct,
        (Acct, "Id") => AcctId,
        (AcctId, "Othr") => AcctOthr,
        (AcctOthr, "Id") => AcctNumber,
        (Acct, "Svcr") => Svcr,
        (Svcr, "FinInstnId") => FinInstnId,
        (FinInstnId, "ClrSysMmbId") => ClrSysMmbId,
        (ClrSysMmbId, "ClrSysId") => ClrSysId,
        (ClrSysId, "Cd") => ClrSysCd,
        (ClrSysMmbId, "MmbId") => MmbId,
        (Stmt, "Bal") => Bal,
        (Bal, "Tp") => BalTp,
        (BalTp, "CdOrPrtry") => BalCdOrPrtry,
        (BalCdOrPrtry, "Cd") => BalTpCd,
        (BalCdOrPrtry, "Prtry") => BalTpPrtry,
        (Bal, "Amt") => BalAmt,
        (Bal, "CdtDbtInd") => BalCdtDbtInd,
        (Bal, "Dt") => BalDt,
        (BalDt, "Dt") | (BalDt, "DtTm") => BalDate,
        (Stmt, "Ntry") => Ntry,
        (Ntry, "NtryRef") => NtryRef,
        (Ntry, "Amt") => Amt,
        (Ntry, "CdtDbtInd") => CdtDbtInd,
        (Ntry, "RvslInd") => RvslInd,
        (Ntry, "Sts") => Sts,
        (Sts, "Cd") | (Sts, "Prtry") => StsCode,
        (Ntry, "BookgDt") => BookgDt,
        (BookgDt, "Dt") | (BookgDt, "DtTm") => BookgDate,
        (Ntry, "NtryDtls") => NtryDtls,
        (NtryDtls, "TxDtls") => TxDtls,
        (TxDtls, "Refs") => Refs,
        (Refs, "EndToEndId") => EndToEndId,
        (TxDtls, "RltdPties") => RltdPties,
        (RltdPties, "Dbtr") => Dbtr,
        (Dbtr, "Pty") => DbtrPty,
        (DbtrPty, "Nm") => DbtrNm,
        (TxDtls, "RmtInf") => RmtInf,
        (RmtInf, "Ustrd") => Ustrd,
        (Ntry, "AddtlNtryInf") => AddtlNtryInf,
        _ => Skip,
    }
}

struct Frame {
    ctx: Ctx,
    /// The element's name as shown in error paths (`Ntry[3]`, `Bal[2]`).
    label: String,
}

#[derive(Default)]
struct EntryDraft {
    reference: Option<String>,
    currency: Option<String>,
    amount: Option<u64>,
    credit: Option<bool>,
    reversal: Option<bool>,
    status: Option<String>,
    booking_date: Option<String>,
    transactions: usize,
    end_to_end_id: Option<String>,
    debtor_name: Option<String>,
    remittance: Option<String>,
    additional_info: Option<String>,
}

#[derive(Default)]
struct BalanceDraft {
    /// `Tp/CdOrPrtry/Cd`; a proprietary type is kept as `None` with `proprietary` set.
    code: Option<String>,
    proprietary: bool,
    currency: Option<String>,
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
    max_entries: usize,
    stack: Vec<Frame>,
    text: String,
    root_seen: bool,
    statements: usize,
    message_id: Option<String>,
    created_at: Option<String>,
    statement_id: Option<String>,
    account_number: Option<String>,
    clearing_system: Option<String>,
    member_id: Option<String>,
    balances: usize,
    balance: Option<BalanceDraft>,
    opening: Option<Balance>,
    closing: Option<Balance>,
    entries: Vec<NotificationEntry>,
    references: HashMap<String, usize>,
    entry: Option<EntryDraft>,
}

fn reject<T>(path: String, reason: impl Into<String>) -> Result<T, IsoError> {
    Err(IsoError {
        path,
        reason: reason.into(),
    })
}

/// Sets a value that the schema allows once.
fn once<T>(slot: &mut Option<T>, value: T) -> Result<(), String> {
    if slot.is_some() {
        return Err("appears more than once".into());
    }
    *slot = Some(value);
    Ok(())
}

/// A non-empty text (identifiers are `Max35Text`, at least one character).
fn non_empty(text: String) -> Result<String, String> {
    if text.trim().is_empty() {
        return Err("empty".into());
    }
    Ok(text)
}

fn optional(text: String) -> Option<String> {
    Some(text).filter(|t| !t.is_empty())
}

/// A whole, non-negative number of yen as written in `Amt` (xs:decimal, whitespace collapsed).
fn parse_yen(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty amount".into());
    }
    if t.starts_with('-') {
        return Err(format!("negative amount {t:?}"));
    }
    if t.contains('.') {
        return Err(format!("JPY amounts have no decimals: {t:?}"));
    }
    if !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("not a whole number of yen: {t:?}"));
    }
    t.parse::<u64>()
        .map_err(|_| format!("amount too large: {t:?}"))
}

/// `CRDT` (true) or `DBIT`.
fn parse_direction(text: &str) -> Result<bool, String> {
    match text.trim() {
        "CRDT" => Ok(true),
        "DBIT" => Ok(false),
        other => Err(format!("{other:?}, expected CRDT or DBIT")),
    }
}

/// `xs:boolean`.
fn parse_bool(text: &str) -> Result<bool, String> {
    match text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(format!("{other:?}, expected true or false")),
    }
}

/// The date part of an `xs:date` or `xs:dateTime` (`YYYY-MM-DD…`).
fn iso_date(text: &str) -> Option<String> {
    let t = text.trim();
    let b = t.as_bytes();
    let shaped = b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b.len() == 10 || matches!(b[10], b'T' | b'Z' | b'+' | b'-'));
    shaped.then(|| t[..10].to_string())
}

/// The `Ccy` attribute of an amount.
fn currency(e: &BytesStart) -> Result<String, String> {
    match e.try_get_attribute("Ccy") {
        Ok(Some(a)) => a
            .unescape_value()
            .map(|c| c.into_owned())
            .map_err(|err| format!("malformed Ccy: {err}")),
        Ok(None) => Err("amount without Ccy".to_string()),
        Err(err) => Err(format!("malformed attributes: {err}")),
    }
}

/// Whole yen in `JPY` from an amount's currency and text.
fn jpy(currency: Option<&str>, text: &str) -> Result<u64, String> {
    let currency = currency.unwrap_or_default();
    if currency != "JPY" {
        return Err(format!("currency {currency:?}, expected JPY"));
    }
    parse_yen(text)
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
            max_entries,
            stack: Vec::new(),
            text: String::new(),
            root_seen: false,
            statements: 0,
            message_id: None,
            created_at: None,
            statement_id: None,
            account_number: None,
            clearing_system: None,
            member_id: None,
            balances: 0,
            balance: None,
            opening: None,
            closing: None,
            entries: Vec::new(),
            references: HashMap::new(),
            entry: None,
        }
    }

    fn path(&self) -> String {
        let mut p = String::new();
        for f in &self.stack {
            p.push('/');
            p.push_str(&f.label);
        }
        p
    }

    fn path_to(&self, child: &str) -> String {
        format!("{}/{child}", self.path())
    }

    fn entry(&mut self) -> &mut EntryDraft {
        self.entry.as_mut().expect("inside an entry")
    }

    fn balance(&mut self) -> &mut BalanceDraft {
        self.balance.as_mut().expect("inside a balance")
    }

    fn start(&mut self, ns: &ResolveResult, e: &BytesStart) -> Result<(), IsoError> {
        let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        self.text.clear();
        let in_ns = matches!(ns, ResolveResult::Bound(n) if n.as_ref() == CAMT_053_NS.as_bytes());
        let Some(parent) = self.stack.last().map(|f| f.ctx) else {
            if self.root_seen {
                return reject(format!("/{local}"), "a second root element");
            }
            self.root_seen = true;
            let found = match ns {
                ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
                _ => "no namespace".into(),
            };
            if local != "Document" || !in_ns {
                return reject(
                    format!("/{local}"),
                    format!(
                        "expected Document in namespace {CAMT_053_NS}, found {local} in {found}"
                    ),
                );
            }
            self.stack.push(Frame {
                ctx: Ctx::Document,
                label: local,
            });
            return Ok(());
        };
        let ctx = if in_ns {
            child(parent, &local)
        } else {
            Ctx::Skip
        };
        let mut label = local.clone();
        match ctx {
            Ctx::Skip if parent == Ctx::Document => {
                return reject(
                    self.path_to(&local),
                    "expected BkToCstmrStmt (camt.053 bank-to-customer statement)",
                );
            }
            Ctx::Stmt => {
                self.statements += 1;
                if self.statements > 1 {
                    return reject(
                        self.path_to(&format!("Stmt[{}]", self.statements)),
                        "more than one Stmt: Kessai reads one account per document",
                    );
                }
            }
            Ctx::Bal => {
                self.balances += 1;
                label = format!("Bal[{}]", self.balances);
                self.balance = Some(BalanceDraft::default());
            }
            Ctx::BalAmt => {
                currency(e)
                    .and_then(|c| once(&mut self.balance().currency, c))
                    .or_else(|reason| reject(self.path_to(&label), reason))?;
            }
            Ctx::Ntry => {
                let index = self.entries.len() + 1;
                label = format!("Ntry[{index}]");
                if index > self.max_entries {
                    return reject(
                        self.path_to(&label),
                        format!("more than {} entries", self.max_entries),
                    );
                }
                self.entry = Some(EntryDraft::default());
            }
            Ctx::Amt => {
                currency(e)
                    .and_then(|c| once(&mut self.entry().currency, c))
                    .or_else(|reason| reject(self.path_to(&label), reason))?;
            }
            Ctx::TxDtls => {
                let draft = self.entry();
                draft.transactions += 1;
                if draft.transactions > 1 {
                    return reject(
                        self.path_to(&label),
                        "more than one transaction in the entry: Kessai needs one transfer per entry",
                    );
                }
            }
            _ => {}
        }
        self.stack.push(Frame { ctx, label });
        Ok(())
    }

    /// The element on top of the stack closes: takes its text, checks it, pops it.
    fn end(&mut self) -> Result<(), IsoError> {
        let ctx = self.stack.last().expect("an open element").ctx;
        let text = std::mem::take(&mut self.text);
        match ctx {
            Ctx::Stmt => self.end_statement()?,
            Ctx::Bal => self.end_balance()?,
            Ctx::Ntry => self.end_entry()?,
            Ctx::Document => self.end_document()?,
            // The element's path is only built when it is rejected.
            _ => self
                .end_leaf(ctx, text)
                .or_else(|reason| reject(self.path(), reason))?,
        }
        self.stack.pop();
        Ok(())
    }

    /// Takes the text of an element Kessai reads; `Err` is the reason for rejecting it.
    fn end_leaf(&mut self, ctx: Ctx, text: String) -> Result<(), String> {
        match ctx {
            Ctx::MsgId => once(&mut self.message_id, non_empty(text)?),
            Ctx::CreDtTm => once(&mut self.created_at, non_empty(text)?),
            Ctx::LastPgInd => {
                if parse_bool(&text)? {
                    Ok(())
                } else {
                    Err("not the last page: Kessai reads a statement whole, not page by page"
                        .into())
                }
            }
            Ctx::StmtId => once(&mut self.statement_id, non_empty(text)?),
            Ctx::AcctNumber => once(&mut self.account_number, non_empty(text)?),
            Ctx::ClrSysCd => once(&mut self.clearing_system, text.trim().to_string()),
            Ctx::MmbId => once(&mut self.member_id, text.trim().to_string()),
            Ctx::BalTpCd => once(&mut self.balance().code, non_empty(text)?.trim().to_string()),
            Ctx::BalTpPrtry => {
                self.balance().proprietary = true;
                Ok(())
            }
            Ctx::BalAmt => {
                let yen = jpy(self.balance().currency.as_deref(), &text).map_err(|reason| {
                    if reason.starts_with("negative") {
                        format!("{reason}: a negative balance is written as DBIT")
                    } else {
                        reason
                    }
                })?;
                if i64::try_from(yen).is_err() {
                    return Err(format!("amount too large: {yen}"));
                }
                once(&mut self.balance().amount, yen)
            }
            Ctx::BalCdtDbtInd => once(&mut self.balance().credit, parse_direction(&text)?),
            Ctx::BalDate => {
                let date = iso_date(&text).ok_or_else(|| format!("{text:?} is not an ISO date"))?;
                once(&mut self.balance().date, date)
            }
            Ctx::NtryRef => {
                let reference = non_empty(text)?;
                let index = self.entries.len() + 1;
                if let Some(first) = self.references.get(&reference) {
                    return Err(format!(
                        "duplicate entry reference {reference:?} (first in Ntry[{first}])"
                    ));
                }
                once(&mut self.entry().reference, reference.clone())?;
                self.references.insert(reference, index);
                Ok(())
            }
            Ctx::Amt => {
                let yen = jpy(self.entry().currency.as_deref(), &text)?;
                once(&mut self.entry().amount, yen)
            }
            Ctx::CdtDbtInd => once(&mut self.entry().credit, parse_direction(&text)?),
            Ctx::RvslInd => once(&mut self.entry().reversal, parse_bool(&text)?),
            Ctx::StsCode => once(&mut self.entry().status, text.trim().to_string()),
            Ctx::BookgDate => {
                let date = iso_date(&text).ok_or_else(|| format!("{text:?} is not an ISO date"))?;
                once(&mut self.entry().booking_date, date)
            }
            Ctx::EndToEndId => match optional(text) {
                Some(id) => once(&mut self.entry().end_to_end_id, id),
                None => Ok(()),
            },
            Ctx::DbtrNm => match optional(text) {
                Some(name) => once(&mut self.entry().debtor_name, name),
                None => Ok(()),
            },
            // Several Ustrd continue one another.
            Ctx::Ustrd => {
                if !text.is_empty() {
                    self.entry()
                        .remittance
                        .get_or_insert_with(String::new)
                        .push_str(&text);
                }
                Ok(())
            }
            Ctx::AddtlNtryInf => match optional(text) {
                Some(info) => once(&mut self.entry().additional_info, info),
                None => Ok(()),
            },
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
                    self.path_to("Tp/CdOrPrtry/Cd"),
                    "missing: the balance type (OPBD, CLBD…) is needed",
                )
            }
        };
        let Some(amount) = d.amount else {
            return reject(self.path_to("Amt"), "missing");
        };
        let Some(credit) = d.credit else {
            return reject(self.path_to("CdtDbtInd"), "missing");
        };
        let Some(date) = d.date else {
            return reject(self.path_to("Dt"), "missing");
        };
        let yen = i64::try_from(signed(amount, credit)).expect("checked at Amt");
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
                self.path(),
                format!("more than one {name} (first in Bal[{first}])"),
            );
        }
        *slot = Some(balance);
        Ok(())
    }

    fn end_entry(&mut self) -> Result<(), IsoError> {
        let d = self.entry.take().expect("inside an entry");
        let Some(entry_reference) = d.reference else {
            return reject(
                self.path_to("NtryRef"),
                "missing: the entry reference identifies the entry",
            );
        };
        let Some(amount_yen) = d.amount else {
            return reject(self.path_to("Amt"), "missing");
        };
        let Some(credit) = d.credit else {
            return reject(self.path_to("CdtDbtInd"), "missing");
        };
        match d.status.as_deref() {
            None => return reject(self.path_to("Sts"), "missing"),
            Some("BOOK") => {}
            Some(other) => {
                return reject(
                    self.path_to("Sts"),
                    format!("status {other:?}: only booked entries (BOOK) are accepted"),
                )
            }
        }
        let Some(booking_date) = d.booking_date else {
            return reject(self.path_to("BookgDt"), "missing");
        };
        self.entries.push(NotificationEntry {
            entry_reference,
            amount_yen,
            credit,
            booking_date,
            reversal: d.reversal.unwrap_or(false),
            end_to_end_id: d.end_to_end_id,
            debtor_name: d.debtor_name,
            remittance: d.remittance,
            additional_info: d.additional_info,
        });
        Ok(())
    }

    fn end_statement(&self) -> Result<(), IsoError> {
        let path = self.path();
        if self.statement_id.is_none() {
            return reject(format!("{path}/Id"), "missing");
        }
        if self.account_number.is_none() {
            return reject(
                format!("{path}/Acct/Id/Othr/Id"),
                "missing: the account number (Othr/Id) is needed",
            );
        }
        let member = format!("{path}/Acct/Svcr/FinInstnId/ClrSysMmbId");
        match self.clearing_system.as_deref() {
            None | Some("JPZGN") => {}
            Some(other) => {
                return reject(
                    format!("{member}/ClrSysId/Cd"),
                    format!("clearing system {other:?}, expected JPZGN"),
                )
            }
        }
        match self.member_id.as_deref() {
            None => {
                return reject(
                    format!("{member}/MmbId"),
                    "missing: the bank and branch code identify the account",
                )
            }
            Some(id) if id.len() == 7 && id.bytes().all(|b| b.is_ascii_digit()) => {}
            Some(id) => {
                return reject(
                    format!("{member}/MmbId"),
                    format!("{id:?}: expected 4-digit bank and 3-digit branch code"),
                )
            }
        }
        let Some(opening) = &self.opening else {
            return reject(
                format!("{path}/Bal"),
                "missing the opening booked balance (OPBD)",
            );
        };
        let Some(closing) = &self.closing else {
            return reject(
                format!("{path}/Bal"),
                "missing the closing booked balance (CLBD)",
            );
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
        let (credits, debits) = movements(&self.entries);
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

    fn finish(self) -> Result<Statement, IsoError> {
        if !self.stack.is_empty() {
            return reject(self.path(), "the document ends inside this element");
        }
        if !self.root_seen {
            return reject("/".into(), "no root element");
        }
        let member = self.member_id.expect("checked at Stmt");
        let opening = self.opening.expect("checked at Stmt");
        let closing = self.closing.expect("checked at Stmt");
        let statement = Statement {
            message_id: self.message_id.expect("checked at Document"),
            created_at: self.created_at.expect("checked at Document"),
            statement_id: self.statement_id.expect("checked at Stmt"),
            account_number: self.account_number.expect("checked at Stmt"),
            bank_code: member[..4].to_string(),
            branch_code: member[4..].to_string(),
            opening_balance_yen: opening.yen,
            closing_balance_yen: closing.yen,
            date: closing.date,
            entries: self.entries,
        };
        debug_assert_eq!(
            {
                let (c, d) = statement.movements();
                i128::from(statement.opening_balance_yen) + c - d
            },
            i128::from(statement.closing_balance_yen)
        );
        Ok(statement)
    }
}

/// Reads one camt.053.001.08 document. Any problem, including balances that do not add up,
/// rejects the whole document.
pub fn read_camt_053(xml: &[u8]) -> Result<Statement, IsoError> {
    read_with_limit(xml, MAX_ENTRIES)
}

fn read_with_limit(xml: &[u8], max_entries: usize) -> Result<Statement, IsoError> {
    let mut reader = NsReader::from_reader(xml);
    let mut p = Parser::new(max_entries);
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(v) => v,
            Err(err) => {
                let path = if p.stack.is_empty() {
                    "/".into()
                } else {
                    p.path()
                };
                return reject(
                    path,
                    format!("malformed XML at byte {}: {err}", reader.error_position()),
                );
            }
        };
        match event {
            Event::Start(e) => p.start(&ns, &e)?,
            Event::Empty(e) => {
                p.start(&ns, &e)?;
                p.end()?;
            }
            Event::End(_) => p.end()?,
            Event::Text(t) => {
                let text = t.unescape().map_err(|err| IsoError {
                    path: p.path(),
                    reason: format!("malformed text: {err}"),
                })?;
                if p.stack.is_empty() {
                    if !text.trim().is_empty() {
                        return reject("/".into(), "text outside the root element");
                    }
                } else {
                    p.text.push_str(&text);
                }
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|err| IsoError {
                    path: p.path(),
                    reason: format!("malformed CDATA: {err}"),
                })?;
                p.text.push_str(&text);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    p.finish()
}
