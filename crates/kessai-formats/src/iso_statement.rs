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
mod tests {
    use super::*;

    const XSD: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/standards/iso20022/moov.camt.053.001.08.xsd"
    );

    fn assert_valid(xml: &[u8]) {
        crate::iso_xml::test_support::assert_valid(xml, XSD);
    }

    fn entry(reference: &str, yen: u64, credit: bool) -> NotificationEntry {
        NotificationEntry {
            entry_reference: Some(reference.into()),
            amount_yen: yen,
            credit,
            booking_date: Some("2026-11-24".into()),
            ..NotificationEntry::default()
        }
    }

    /// 100,000 + 50,128 + 12,000 − 48,000 = 114,128.
    fn statement() -> Statement {
        Statement {
            message_id: "BANK-CAMT053-20261124-0001".into(),
            created_at: "2026-11-24T23:59:00+09:00".into(),
            statement_id: "STM-20261124-0001".into(),
            account_number: "1234567".into(),
            bank_code: Some("0005".into()),
            branch_code: Some("123".into()),
            opening_balance_yen: Some(100_000),
            closing_balance_yen: Some(114_128),
            date: "2026-11-24".into(),
            entries: vec![
                NotificationEntry {
                    debtor_name: Some("ｻﾄｳ ﾊﾅｺ".into()),
                    remittance: Some("K7M4QX9PT2".into()),
                    ..entry("CR-20261124-000001", 50_128, true)
                },
                NotificationEntry {
                    debtor_name: Some("K3N8RW2XH5 ﾔﾏﾀﾞ ﾀﾛｳ".into()),
                    additional_info: Some("振込 & <入金>".into()),
                    ..entry("CR-20261124-000002", 12_000, true)
                },
                NotificationEntry {
                    end_to_end_id: Some("01a1-payout".into()),
                    ..entry("DB-20261124-000001", 48_000, false)
                },
            ],
        }
    }

    #[test]
    fn round_trip_validates_against_the_official_schema() {
        let s = statement();
        let xml = write_camt_053(&s);
        assert_valid(&xml);
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains("<Cd>OPBD</Cd>") && text.contains("<Cd>CLBD</Cd>"));
        assert!(text.contains("<Amt Ccy=\"JPY\">100000</Amt>"));
        assert!(text.contains("<Amt Ccy=\"JPY\">114128</Amt>"));
        assert!(text.contains("<MmbId>0005123</MmbId>"));
        assert!(text.find("OPBD") < text.find("CLBD"));
        assert!(text.find("CLBD") < text.find("<Ntry>"));
        let back = read_camt_053(&xml).unwrap();
        assert_eq!(back, s);
        assert_eq!(
            back.entries[2].end_to_end_id.as_deref(),
            Some("01a1-payout")
        );
    }

    #[test]
    fn negative_zero_and_empty_statements_round_trip() {
        // An overdrawn account: −5,000 + 3,000 − 0 = −2,000, balances written DBIT.
        let mut s = statement();
        s.opening_balance_yen = Some(-5_000);
        s.closing_balance_yen = Some(-2_000);
        s.entries = vec![entry("CR-1", 3_000, true)];
        let xml = write_camt_053(&s);
        assert_valid(&xml);
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains("<Amt Ccy=\"JPY\">5000</Amt>\n        <CdtDbtInd>DBIT</CdtDbtInd>"));
        assert!(text.contains("<Amt Ccy=\"JPY\">2000</Amt>\n        <CdtDbtInd>DBIT</CdtDbtInd>"));
        assert_eq!(read_camt_053(&xml).unwrap(), s);

        // From overdrawn to zero (written CRDT), with a reversal (DBIT, subtracts) and a long
        // remittance: −2,000 + 52,128 − 50,128 + 0 = 0.
        s.opening_balance_yen = Some(-2_000);
        s.closing_balance_yen = Some(0);
        s.entries = vec![
            entry("CR-2", 52_128, true),
            NotificationEntry {
                reversal: true,
                remittance: Some("K7M4QX9PT2 ﾀﾅｶ ".repeat(20)),
                ..entry("RV-1", 50_128, false)
            },
            entry("CR-0", 0, true),
        ];
        let xml = write_camt_053(&s);
        assert_valid(&xml);
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains("<Amt Ccy=\"JPY\">0</Amt>\n        <CdtDbtInd>CRDT</CdtDbtInd>"));
        assert_eq!(read_camt_053(&xml).unwrap(), s);

        // A day without entries.
        s.entries.clear();
        s.opening_balance_yen = Some(7);
        s.closing_balance_yen = Some(7);
        let xml = write_camt_053(&s);
        assert_valid(&xml);
        assert_eq!(read_camt_053(&xml).unwrap(), s);
    }

    #[test]
    fn reads_a_bank_statement_with_prefixes_and_elements_it_does_not_use() {
        // Opening dated the previous day, several balance types, a summary, a single page, a
        // booking date-time: read, and the balances still add up (−1,000 + 12,000 = 11,000).
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- from the bank -->
<s:Document xmlns:s="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <s:BkToCstmrStmt>
  <s:GrpHdr><s:MsgId>M1</s:MsgId><s:CreDtTm>2026-11-25T01:00:00+09:00</s:CreDtTm>
   <s:MsgPgntn><s:PgNb>1</s:PgNb><s:LastPgInd>true</s:LastPgInd></s:MsgPgntn></s:GrpHdr>
  <s:Stmt>
   <s:Id>S1</s:Id>
   <s:StmtPgntn><s:PgNb>1</s:PgNb><s:LastPgInd>1</s:LastPgInd></s:StmtPgntn>
   <s:ElctrncSeqNb>328</s:ElctrncSeqNb>
   <s:FrToDt><s:FrDtTm>2026-11-24T00:00:00+09:00</s:FrDtTm><s:ToDtTm>2026-11-24T23:59:59+09:00</s:ToDtTm></s:FrToDt>
   <s:Acct><s:Id><s:Othr><s:Id>7654321</s:Id></s:Othr></s:Id><s:Ccy>JPY</s:Ccy>
    <s:Svcr><s:FinInstnId><s:ClrSysMmbId><s:MmbId>0009001</s:MmbId></s:ClrSysMmbId>
     <s:Nm>SMBC</s:Nm></s:FinInstnId></s:Svcr></s:Acct>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>PRCD</s:Cd></s:CdOrPrtry></s:Tp>
    <s:Amt Ccy="JPY">1000</s:Amt><s:CdtDbtInd>DBIT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-23</s:Dt></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>OPBD</s:Cd></s:CdOrPrtry></s:Tp>
    <s:Amt Ccy="JPY">1000</s:Amt><s:CdtDbtInd>DBIT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-23</s:Dt></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Prtry>ZENGIN-ZANDAKA</s:Prtry></s:CdOrPrtry></s:Tp>
    <s:Amt Ccy="JPY">5</s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-24</s:Dt></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>CLBD</s:Cd></s:CdOrPrtry><s:SubTp><s:Cd>OPBD</s:Cd></s:SubTp></s:Tp>
    <s:Amt Ccy="JPY"> 11000 </s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd>
    <s:Dt><s:DtTm>2026-11-24T23:59:59+09:00</s:DtTm></s:Dt></s:Bal>
   <s:Bal><s:Tp><s:CdOrPrtry><s:Cd>CLAV</s:Cd></s:CdOrPrtry></s:Tp>
    <s:Amt Ccy="JPY">11000</s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd><s:Dt><s:Dt>2026-11-24</s:Dt></s:Dt></s:Bal>
   <s:TxsSummry><s:TtlNtries><s:NbOfNtries>1</s:NbOfNtries></s:TtlNtries></s:TxsSummry>
   <s:Ntry>
    <s:NtryRef>R1</s:NtryRef><s:Amt Ccy="JPY">12000</s:Amt><s:CdtDbtInd>CRDT</s:CdtDbtInd>
    <s:Sts><s:Cd>BOOK</s:Cd></s:Sts><s:BookgDt><s:DtTm>2026-11-24T10:30:00+09:00</s:DtTm></s:BookgDt>
    <s:AcctSvcrRef>X</s:AcctSvcrRef>
    <s:BkTxCd><s:Prtry><s:Cd>01</s:Cd></s:Prtry></s:BkTxCd>
    <s:NtryDtls><s:TxDtls>
     <s:RltdPties><s:Dbtr><s:Pty><s:Nm>ｽｽﾞｷ ｲﾁﾛｳ</s:Nm></s:Pty></s:Dbtr></s:RltdPties>
     <s:RmtInf><s:Ustrd>K7M4QX9PT2</s:Ustrd><s:Ustrd><![CDATA[ & more]]></s:Ustrd></s:RmtInf>
    </s:TxDtls></s:NtryDtls>
   </s:Ntry>
   <s:AddtlStmtInf>end of day</s:AddtlStmtInf>
  </s:Stmt>
 </s:BkToCstmrStmt>
</s:Document>
"#;
        assert_valid(xml.as_bytes());
        let s = read_camt_053(xml.as_bytes()).unwrap();
        assert_eq!(
            (s.bank_code.as_deref(), s.branch_code.as_deref()),
            (Some("0009"), Some("001"))
        );
        assert_eq!(s.account_number, "7654321");
        assert_eq!(
            (s.opening_balance_yen, s.closing_balance_yen),
            (Some(-1_000), Some(11_000))
        );
        assert_eq!(s.date, "2026-11-24");
        let e = &s.entries[0];
        assert_eq!((e.amount_yen, e.credit), (12_000, true));
        assert_eq!(e.booking_date.as_deref(), Some("2026-11-24"));
        assert_eq!(e.debtor_name.as_deref(), Some("ｽｽﾞｷ ｲﾁﾛｳ"));
        assert_eq!(e.remittance.as_deref(), Some("K7M4QX9PT2 & more"));
        assert_eq!(s.entry_identities()[0], "camt:7654321:svcr:X");
    }

    #[test]
    fn a_statement_that_does_not_add_up_is_rejected_naming_the_closing_balance() {
        let cases: Vec<(&str, Statement, &str)> = vec![
            (
                "closing one yen too high",
                Statement {
                    closing_balance_yen: Some(114_129),
                    ..statement()
                },
                "the closing balance (CLBD) 114129 does not add up: opening 100000 + credits 62128 - debits 48000 = 114128",
            ),
            (
                "closing with the wrong sign",
                Statement {
                    closing_balance_yen: Some(-114_128),
                    ..statement()
                },
                "the closing balance (CLBD) -114128 does not add up",
            ),
            (
                "a debit counted as a credit",
                Statement {
                    closing_balance_yen: Some(210_128),
                    ..statement()
                },
                "= 114128",
            ),
            (
                "an entry missing",
                Statement {
                    entries: statement().entries[..2].to_vec(),
                    ..statement()
                },
                "opening 100000 + credits 62128 - debits 0 = 162128",
            ),
        ];
        for (name, s, reason) in cases {
            // The schema does not check sums: the document is valid, the reader refuses it.
            let xml = write_camt_053(&s);
            assert_valid(&xml);
            let err = read_camt_053(&xml).unwrap_err();
            assert_eq!(
                err.path, "/Document/BkToCstmrStmt/Stmt/Bal[2]",
                "{name}: {err}"
            );
            assert!(err.reason.contains(reason), "{name}: {err}");
        }
        // The closing balance is named wherever it stands.
        let mut text = String::from_utf8(write_camt_053(&statement())).unwrap();
        text = text
            .replace("<Cd>OPBD</Cd>", "<Cd>SWAP</Cd>")
            .replace("<Cd>CLBD</Cd>", "<Cd>OPBD</Cd>")
            .replace("<Cd>SWAP</Cd>", "<Cd>CLBD</Cd>");
        assert!(text.find("CLBD") < text.find("OPBD"));
        let err = read_camt_053(text.as_bytes()).unwrap_err();
        assert_eq!(err.path, "/Document/BkToCstmrStmt/Stmt/Bal[1]", "{err}");
        assert!(
            err.reason.contains("closing balance (CLBD) 100000"),
            "{err}"
        );
    }

    /// The written document with the first `from` replaced by `to` (which must occur).
    fn altered(from: &str, to: &str) -> Vec<u8> {
        edited(&[(from, to)])
    }

    fn edited(edits: &[(&str, &str)]) -> Vec<u8> {
        let mut text = String::from_utf8(write_camt_053(&statement())).unwrap();
        for (from, to) in edits {
            assert!(text.contains(from), "{from:?} not in the document");
            text = text.replacen(from, to, 1);
        }
        text.into_bytes()
    }

    /// The written document cut just before `marker`.
    fn truncated_before(marker: &str) -> Vec<u8> {
        let text = String::from_utf8(write_camt_053(&statement())).unwrap();
        let at = text.find(marker).expect("marker in the document");
        text.as_bytes()[..at].to_vec()
    }

    #[test]
    fn malformed_documents_are_rejected_with_path_and_reason() {
        let amt1 = "<Amt Ccy=\"JPY\">50128</Amt>";
        let opbd = "<Amt Ccy=\"JPY\">100000</Amt>";
        let bal_dt = "<Dt>\n          <Dt>2026-11-24</Dt>\n        </Dt>";
        let cases: Vec<(&str, Vec<u8>, &str, &str)> = vec![
            (
                "wrong namespace",
                altered(CAMT_053_NS, crate::iso_notification::CAMT_054_NS),
                "/Document",
                "expected Document in namespace",
            ),
            (
                "no namespace",
                altered(&format!(" xmlns=\"{CAMT_053_NS}\""), ""),
                "/Document",
                "no namespace",
            ),
            (
                "wrong root",
                edited(&[("<Document", "<Doc"), ("</Document>", "</Doc>")]),
                "/Doc",
                "expected Document",
            ),
            (
                "another message",
                edited(&[
                    ("<BkToCstmrStmt>", "<BkToCstmrDbtCdtNtfctn>"),
                    ("</BkToCstmrStmt>", "</BkToCstmrDbtCdtNtfctn>"),
                ]),
                "/Document/BkToCstmrDbtCdtNtfctn",
                "expected BkToCstmrStmt",
            ),
            (
                "missing MsgId",
                altered("<MsgId>BANK-CAMT053-20261124-0001</MsgId>", ""),
                "GrpHdr/MsgId",
                "missing",
            ),
            (
                "empty MsgId",
                altered("<MsgId>BANK-CAMT053-20261124-0001</MsgId>", "<MsgId/>"),
                "GrpHdr/MsgId",
                "empty",
            ),
            (
                "missing Stmt Id",
                altered("<Id>STM-20261124-0001</Id>", ""),
                "/Document/BkToCstmrStmt/Stmt/Id",
                "missing",
            ),
            (
                "missing Stmt",
                edited(&[("<Stmt>", "<Rpt>"), ("</Stmt>", "</Rpt>")]),
                "/Document/BkToCstmrStmt/Stmt",
                "missing",
            ),
            (
                "two statements",
                altered("</Stmt>", "</Stmt><Stmt></Stmt>"),
                "BkToCstmrStmt/Stmt[2]",
                "more than one Stmt",
            ),
            (
                "not the last page of the statement",
                altered(
                    "<Id>STM-20261124-0001</Id>",
                    "<Id>STM-20261124-0001</Id><StmtPgntn><PgNb>1</PgNb><LastPgInd>false</LastPgInd></StmtPgntn>",
                ),
                "Stmt/StmtPgntn/LastPgInd",
                "not the last page",
            ),
            (
                "not the last page of the message",
                altered(
                    "</GrpHdr>",
                    "<MsgPgntn><PgNb>1</PgNb><LastPgInd>0</LastPgInd></MsgPgntn></GrpHdr>",
                ),
                "GrpHdr/MsgPgntn/LastPgInd",
                "not the last page",
            ),
            (
                "missing account",
                altered("<Id>1234567</Id>", ""),
                "Stmt/Acct/Id",
                "missing",
            ),
            (
                "bank code not 4+3 digits",
                altered("<MmbId>0005123</MmbId>", "<MmbId>BOJPJPJT</MmbId>"),
                "ClrSysMmbId/MmbId",
                "4-digit bank and 3-digit branch",
            ),
            (
                "other clearing system",
                altered("<Cd>JPZGN</Cd>", "<Cd>USABA</Cd>"),
                "ClrSysId/Cd",
                "expected JPZGN",
            ),
            (
                "two opening balances",
                altered("<Cd>CLBD</Cd>", "<Cd>OPBD</Cd>"),
                "Stmt/Bal[2]",
                "more than one opening booked balance (OPBD) (first in Bal[1])",
            ),
            (
                "balance without type",
                altered("<Cd>OPBD</Cd>", ""),
                "Stmt/Bal[1]/Tp/CdOrPrtry/Cd",
                "missing",
            ),
            (
                "balance without amount",
                altered(opbd, ""),
                "Stmt/Bal[1]/Amt",
                "missing",
            ),
            (
                "balance with decimals",
                altered(opbd, "<Amt Ccy=\"JPY\">100000.00</Amt>"),
                "Stmt/Bal[1]/Amt",
                "JPY amounts have no decimals",
            ),
            (
                "balance in another currency",
                altered(opbd, "<Amt Ccy=\"USD\">100000</Amt>"),
                "Stmt/Bal[1]/Amt",
                "currency \"USD\", expected JPY",
            ),
            (
                "balance without currency",
                altered(opbd, "<Amt>100000</Amt>"),
                "Stmt/Bal[1]/Amt",
                "without Ccy",
            ),
            (
                "negative balance amount",
                altered(opbd, "<Amt Ccy=\"JPY\">-100000</Amt>"),
                "Stmt/Bal[1]/Amt",
                "a negative balance is written as DBIT",
            ),
            (
                "balance beyond i64",
                altered(opbd, "<Amt Ccy=\"JPY\">9223372036854775808</Amt>"),
                "Stmt/Bal[1]/Amt",
                "too large",
            ),
            (
                "balance without CdtDbtInd",
                altered("<CdtDbtInd>CRDT</CdtDbtInd>", ""),
                "Stmt/Bal[1]/CdtDbtInd",
                "missing",
            ),
            (
                "balance with unknown CdtDbtInd",
                altered("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>+</CdtDbtInd>"),
                "Stmt/Bal[1]/CdtDbtInd",
                "expected CRDT or DBIT",
            ),
            (
                "balance without date",
                altered(bal_dt, ""),
                "Stmt/Bal[1]/Dt",
                "missing",
            ),
            (
                "balance with a bad date",
                altered("<Dt>2026-11-24</Dt>", "<Dt>2026/11/24</Dt>"),
                "Stmt/Bal[1]/Dt/Dt",
                "not an ISO date",
            ),
            (
                "opening after closing",
                altered("<Dt>2026-11-24</Dt>", "<Dt>2026-11-25</Dt>"),
                "Stmt/Bal[1]/Dt",
                "the opening balance is dated 2026-11-25, after the closing balance (2026-11-24)",
            ),
            (
                "entry with decimals",
                altered(amt1, "<Amt Ccy=\"JPY\">50128.00</Amt>"),
                "Stmt/Ntry[1]/Amt",
                "JPY amounts have no decimals",
            ),
            (
                "entry in another currency",
                altered(amt1, "<Amt Ccy=\"EUR\">50128</Amt>"),
                "Stmt/Ntry[1]/Amt",
                "currency \"EUR\", expected JPY",
            ),
            (
                "entry without CdtDbtInd",
                altered("<CdtDbtInd>DBIT</CdtDbtInd>", ""),
                "Stmt/Ntry[3]/CdtDbtInd",
                "missing",
            ),
            (
                "duplicate NtryRef",
                altered(
                    "<NtryRef>CR-20261124-000002</NtryRef>",
                    "<NtryRef>CR-20261124-000001</NtryRef>",
                ),
                "Stmt/Ntry[2]/NtryRef",
                "duplicate entry reference \"CR-20261124-000001\" (first in Ntry[1])",
            ),
            (
                "pending entry",
                altered("<Cd>BOOK</Cd>", "<Cd>PDNG</Cd>"),
                "Stmt/Ntry[1]/Sts",
                "only booked entries",
            ),
            (
                "bad reversal indicator",
                altered("<Sts>", "<RvslInd>yes</RvslInd><Sts>"),
                "Stmt/Ntry[1]/RvslInd",
                "expected true or false",
            ),
            (
                "batch booking",
                altered("</TxDtls>", "</TxDtls><TxDtls/>"),
                "Stmt/Ntry[1]/NtryDtls/TxDtls",
                "more than one transaction",
            ),
            (
                "truncated document",
                truncated_before("<AddtlNtryInf>"),
                "/Document/BkToCstmrStmt/Stmt/Ntry[2]",
                "ends inside",
            ),
            (
                "not well-formed",
                altered("</NtryRef>", "</NtryReff>"),
                "Ntry[1]/NtryRef",
                "malformed XML",
            ),
            (
                "unclosed",
                altered("</Document>", ""),
                "/Document",
                "ends inside",
            ),
            (
                "second root",
                altered("</Document>", "</Document><Document/>"),
                "/Document",
                "second root",
            ),
            ("empty input", Vec::new(), "/", "no root element"),
        ];
        for (name, xml, path, reason) in cases {
            match read_camt_053(&xml) {
                Ok(_) => panic!("{name}: accepted"),
                Err(e) => assert!(
                    e.path.contains(path) && e.reason.contains(reason),
                    "{name}: got {e}, expected path containing {path:?} and reason {reason:?}"
                ),
            }
        }
    }

    #[test]
    fn the_number_of_entries_is_limited() {
        let xml = write_camt_053(&statement());
        assert_eq!(read_with_limit(&xml, 3).unwrap().entries.len(), 3);
        let err = read_with_limit(&xml, 2).unwrap_err();
        assert!(err.path.ends_with("/Stmt/Ntry[3]"), "{err}");
        assert_eq!(err.reason, "more than 2 entries");
    }

    #[test]
    fn an_invalid_document_is_caught_by_the_schema_check() {
        // The check itself must be able to fail: a balance without a type is invalid.
        let xml = altered(
            "<Tp>\n          <CdOrPrtry>\n            <Cd>OPBD</Cd>\n          </CdOrPrtry>\n        </Tp>",
            "",
        );
        let result = std::panic::catch_unwind(|| assert_valid(&xml));
        assert!(result.is_err(), "a balance without Tp must fail validation");
    }
}
