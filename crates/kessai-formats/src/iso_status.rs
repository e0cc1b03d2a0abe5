//! ISO 20022 pain.002.001.11 (CustomerPaymentStatusReport): the bank's answer to a pain.001
//! Kessai sent, one status per transaction, keyed by the transaction's `EndToEndId`.
//!
//! [`read_pain_002`] is what production uses. [`write_pain_002`] exists for tests and bank
//! simulators; its output validates against the official schema `moov.pain.002.001.11.xsd` in
//! `tests/xsd` (checked by the test suite with xmllint).
//!
//! Only version .11 is read. Version .10 has the same shape for the elements read here, but
//! accepting it would be a guess about banks we have not seen; add its namespace (and a sample
//! from the bank) when a bank actually sends it.
//!
//! The reader is not a schema validator: it reads the elements it needs, checks what Kessai
//! relies on (see [`read_pain_002`]) and skips every other element, so a bank's optional extras
//! (`StsId`, `OrgnlTxRef`, `NbOfTxsPerSts`, supplementary data, …) do not matter.

use std::collections::HashMap;

use quick_xml::events::BytesStart;
use quick_xml::name::ResolveResult;

use crate::iso_pain::{read_pain, PainParser};
use crate::iso_values::max_text;
use crate::iso_xml::{Frames, PathStyle, Xml};

pub const PAIN_002_NS: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.11";

/// [`read_pain_002`] refuses a report with more transactions than this.
pub const MAX_TRANSACTIONS: usize = 1_000_000;

/// `AddtlInf` is `Max105Text`, counted in characters.
const ADDTL_INF_MAX_CHARS: usize = 105;

/// A transaction's status as Kessai acts on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxStatus {
    /// Accepted but not settled yet: `ACCP` (customer profile checked), `ACTC` (technical
    /// validation passed), `ACSP` (settlement in process). Written as `ACCP`.
    Accepted,
    /// Settled: `ACSC` (debtor's account debited), `ACCC` (creditor's account credited).
    /// Written as `ACSC`.
    Settled,
    /// `RJCT`: the bank will not execute the transaction; the reason code says why.
    Rejected,
    /// `PDNG`: the bank holds the transaction for further checks.
    Pending,
}

/// Every ISO code the reader maps, in the order the documentation lists them.
const STATUS_CODES: [(&str, TxStatus); 7] = [
    ("ACCP", TxStatus::Accepted),
    ("ACTC", TxStatus::Accepted),
    ("ACSP", TxStatus::Accepted),
    ("ACSC", TxStatus::Settled),
    ("ACCC", TxStatus::Settled),
    ("RJCT", TxStatus::Rejected),
    ("PDNG", TxStatus::Pending),
];

impl TxStatus {
    /// The `TxSts` code the writer uses.
    pub fn code(self) -> &'static str {
        match self {
            TxStatus::Accepted => "ACCP",
            TxStatus::Settled => "ACSC",
            TxStatus::Rejected => "RJCT",
            TxStatus::Pending => "PDNG",
        }
    }

    /// The status an ISO `TxSts` code stands for; `None` for codes Kessai does not act on
    /// (`ACWC`, `RCVD`, `CANC`, …) and for lower case.
    pub fn from_code(code: &str) -> Option<TxStatus> {
        STATUS_CODES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(_, status)| status)
    }
}

/// One transaction's status (`TxInfAndSts`). The schema makes every element of it optional.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionStatus {
    /// The `EndToEndId` of the pain.001 transaction (`OrgnlEndToEndId`); `None` when the bank
    /// names the transaction otherwise (the answer then identifies no instruction).
    pub end_to_end_id: Option<String>,
    /// `TxSts`; without it, the status of its payment information block (`PmtInfSts`) or of
    /// the group (`GrpSts`) applies to it, as the standard reports statuses at the highest
    /// level they hold for. `None` when no level gives a status Kessai acts on.
    pub status: Option<TxStatus>,
    /// ISO external status reason code, e.g. `AC01` (wrong account number), `AC04` (account
    /// closed), `AM04` (insufficient funds). Written as `StsRsnInf/Rsn/Cd` (at most 4
    /// characters); read from the first `StsRsnInf/Rsn` in the transaction, `Cd` or `Prtry`.
    pub reason_code: Option<String>,
    /// Free text (`StsRsnInf/AddtlInf`). The reader joins every `AddtlInf` of the transaction
    /// with a space; the writer splits text longer than 105 characters at spaces into several
    /// `AddtlInf` (a word longer than 105 characters is cut, and reads back with a space).
    pub reason_text: Option<String>,
}

/// A pain.002 report: which pain.001 it answers and the status of each transaction listed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusReport {
    /// The report's own `MsgId`.
    pub message_id: String,
    /// ISO date-time with offset, e.g. `2026-11-24T10:15:00+09:00`.
    pub created_at: String,
    /// `MsgId` of the pain.001 this report answers.
    pub original_message_id: String,
    /// Message name of the original, e.g. `pain.001.001.09`.
    pub original_message_name: String,
    pub transactions: Vec<TransactionStatus>,
}

/// Why a pain.002 document was refused: the element path (1-based indices on repeated blocks,
/// e.g. `Document/CstmrPmtStsRpt/OrgnlPmtInfAndSts[1]/TxInfAndSts[3]/TxSts`; `/` outside the
/// root element) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct IsoError {
    pub path: String,
    pub reason: String,
}

/// Writes one pain.002.001.11 document: the original group, and one original payment
/// information block (`OrgnlPmtInfId` = the original message ID, as Kessai's pain.001 sets
/// `PmtInfId` = `MsgId`) with one `TxInfAndSts` per transaction.
///
/// Like the pain.001 writer it does not check its input: IDs must be 1 to 35 characters and
/// reason codes 1 to 4, or the output will not validate.
pub fn write_pain_002(report: &StatusReport) -> Vec<u8> {
    let mut x = Xml::document(PAIN_002_NS);
    x.open("CstmrPmtStsRpt");
    x.open("GrpHdr");
    x.leaf("MsgId", &report.message_id);
    x.leaf("CreDtTm", &report.created_at);
    x.close("GrpHdr");
    x.open("OrgnlGrpInfAndSts");
    x.leaf("OrgnlMsgId", &report.original_message_id);
    x.leaf("OrgnlMsgNmId", &report.original_message_name);
    x.close("OrgnlGrpInfAndSts");
    x.open("OrgnlPmtInfAndSts");
    x.leaf("OrgnlPmtInfId", &report.original_message_id);
    for t in &report.transactions {
        x.open("TxInfAndSts");
        if let Some(id) = &t.end_to_end_id {
            x.leaf("OrgnlEndToEndId", id);
        }
        if let Some(status) = t.status {
            x.leaf("TxSts", status.code());
        }
        let lines = t
            .reason_text
            .as_deref()
            .map(split_addtl_inf)
            .unwrap_or_default();
        if t.reason_code.is_some() || !lines.is_empty() {
            x.open("StsRsnInf");
            if let Some(code) = &t.reason_code {
                x.open("Rsn");
                x.leaf("Cd", code);
                x.close("Rsn");
            }
            for line in lines {
                x.leaf("AddtlInf", line);
            }
            x.close("StsRsnInf");
        }
        x.close("TxInfAndSts");
    }
    x.close("OrgnlPmtInfAndSts");
    x.close("CstmrPmtStsRpt");
    x.finish()
}

/// Splits free text into `AddtlInf` lines of at most 105 characters, breaking at the last
/// space that fits (the space is dropped; the reader joins lines with one). Without such a
/// space the line is cut at 105 characters.
fn split_addtl_inf(text: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        // Byte offset of the first character that does not fit on this line.
        let Some((limit, _)) = rest.char_indices().nth(ADDTL_INF_MAX_CHARS) else {
            lines.push(rest);
            break;
        };
        // A space at byte `b` breaks the line if the line before it is not empty (b >= 1),
        // fits (b <= limit), and something follows it (b <= len - 2). Spaces are ASCII, so
        // every such `b` is a character boundary.
        let bytes = rest.as_bytes();
        let last = limit.min(bytes.len() - 2);
        match bytes[1..=last].iter().rposition(|&b| b == b' ') {
            Some(p) => {
                lines.push(&rest[..=p]);
                rest = &rest[p + 2..];
            }
            None => {
                lines.push(&rest[..limit]);
                rest = &rest[limit..];
            }
        }
    }
    lines
}

/// Reads a pain.002.001.11 status report (with or without namespace prefixes).
///
/// The whole document is refused, with the element path and the reason, if it is not
/// well-formed UTF-8 XML, has a DOCTYPE, its root is not `Document` in the pain.002.001.11
/// namespace, or if:
/// - `MsgId`, `CreDtTm`, `OrgnlMsgId` or `OrgnlMsgNmId` is missing or empty;
/// - an identifier is longer than the schema allows (`Max35Text`, `AddtlInf` `Max105Text`),
///   a date-time is not a real one, or an amount anywhere is not whole JPY;
/// - a `TxInfAndSts` has `OrgnlEndToEndId` or `TxSts` twice (either may be absent: without
///   `TxSts` the block's or group's status applies, see [`TransactionStatus::status`]);
/// - a `TxSts` code is not one of ACCP, ACTC, ACSP, ACSC, ACCC, RJCT, PDNG (see [`TxStatus`]);
/// - an `OrgnlEndToEndId` appears twice anywhere in the report;
/// - the group status (`GrpSts`) or a payment information status (`PmtInfSts`) is `RJCT`:
///   that rejects every transaction of the scope, listed or not, which a list of
///   per-transaction statuses cannot say, so the report needs a person;
/// - it lists more than [`MAX_TRANSACTIONS`] transactions.
///
/// Other group or payment information statuses (`ACTC`, `PART`, …) are not reported: only the
/// transactions listed are. A report with none listed (a bare technical acknowledgement) reads
/// as an empty list.
///
/// Memory use is proportional to the input, and this function does not limit it: the caller
/// bounds the input size before reading. For scale, [`MAX_TRANSACTIONS`] rejected transactions
/// with a reason code and a short text are about 270 MB of indented XML and read in about
/// 3 seconds (release build); real bank reports are far smaller.
pub fn read_pain_002(xml: &[u8]) -> Result<StatusReport, IsoError> {
    read_with_limit(xml, MAX_TRANSACTIONS)
}

fn read_with_limit(xml: &[u8], max_transactions: usize) -> Result<StatusReport, IsoError> {
    read_pain(xml, Parser::new(max_transactions))
}

/// What an open element is, decided from its parent's kind and its own name (elements outside
/// the pain.002.001.11 namespace are always `Other`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Document,
    Report,
    GrpHdr,
    OrgnlGrp,
    PmtInf,
    Tx,
    Reason,
    Rsn,
    Leaf(Leaf),
    Other,
}

/// The elements whose text the reader keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leaf {
    MsgId,
    CreDtTm,
    OrgnlMsgId,
    OrgnlMsgNmId,
    GrpSts,
    PmtInfSts,
    EndToEndId,
    TxSts,
    ReasonCode,
    AddtlInf,
}

fn child_kind(parent: Kind, name: &str) -> Kind {
    match (parent, name) {
        (Kind::Document, "CstmrPmtStsRpt") => Kind::Report,
        (Kind::Report, "GrpHdr") => Kind::GrpHdr,
        (Kind::Report, "OrgnlGrpInfAndSts") => Kind::OrgnlGrp,
        (Kind::Report, "OrgnlPmtInfAndSts") => Kind::PmtInf,
        (Kind::GrpHdr, "MsgId") => Kind::Leaf(Leaf::MsgId),
        (Kind::GrpHdr, "CreDtTm") => Kind::Leaf(Leaf::CreDtTm),
        (Kind::OrgnlGrp, "OrgnlMsgId") => Kind::Leaf(Leaf::OrgnlMsgId),
        (Kind::OrgnlGrp, "OrgnlMsgNmId") => Kind::Leaf(Leaf::OrgnlMsgNmId),
        (Kind::OrgnlGrp, "GrpSts") => Kind::Leaf(Leaf::GrpSts),
        (Kind::PmtInf, "PmtInfSts") => Kind::Leaf(Leaf::PmtInfSts),
        (Kind::PmtInf, "TxInfAndSts") => Kind::Tx,
        (Kind::Tx, "OrgnlEndToEndId") => Kind::Leaf(Leaf::EndToEndId),
        (Kind::Tx, "TxSts") => Kind::Leaf(Leaf::TxSts),
        (Kind::Tx, "StsRsnInf") => Kind::Reason,
        (Kind::Reason, "Rsn") => Kind::Rsn,
        (Kind::Reason, "AddtlInf") => Kind::Leaf(Leaf::AddtlInf),
        (Kind::Rsn, "Cd" | "Prtry") => Kind::Leaf(Leaf::ReasonCode),
        _ => Kind::Other,
    }
}

#[derive(Default)]
struct TxFields {
    end_to_end_id: Option<String>,
    status: Option<TxStatus>,
    reason_code: Option<String>,
    lines: Vec<String>,
}

struct Parser {
    max_transactions: usize,
    /// The open elements; `OrgnlPmtInfAndSts` and `TxInfAndSts` (within its block) are counted
    /// (1-based).
    frames: Frames<Kind>,
    report_seen: bool,
    /// Text of the leaf being read.
    text: String,
    message_id: Option<String>,
    created_at: Option<String>,
    original_message_id: Option<String>,
    original_message_name: Option<String>,
    /// `OrgnlPmtInfAndSts` blocks opened so far, and `TxInfAndSts` in the current block.
    blocks: usize,
    block_transactions: usize,
    /// The status of the whole group (`GrpSts`) and of the current block (`PmtInfSts`), for
    /// the transactions that give none.
    group_status: Option<TxStatus>,
    block_status: Option<TxStatus>,
    tx: Option<TxFields>,
    transactions: Vec<TransactionStatus>,
    /// Where each end-to-end ID was first seen: (block, transaction), 1-based.
    seen: HashMap<String, (usize, usize)>,
}

impl Parser {
    fn new(max_transactions: usize) -> Parser {
        Parser {
            max_transactions,
            frames: Frames::new(PathStyle::Bare),
            report_seen: false,
            text: String::new(),
            message_id: None,
            created_at: None,
            original_message_id: None,
            original_message_name: None,
            blocks: 0,
            block_transactions: 0,
            group_status: None,
            block_status: None,
            tx: None,
            transactions: Vec::new(),
            seen: HashMap::new(),
        }
    }

    fn tx_mut(&mut self) -> &mut TxFields {
        self.tx
            .as_mut()
            .expect("a transaction leaf is inside TxInfAndSts")
    }

    fn set_once(
        &mut self,
        slot: fn(&mut Parser) -> &mut Option<String>,
        value: String,
    ) -> Result<(), IsoError> {
        if slot(self).is_some() {
            return Err(self.fail("appears more than once"));
        }
        *slot(self) = Some(value);
        Ok(())
    }

    fn leaf(&mut self, leaf: Leaf) -> Result<(), IsoError> {
        let value = std::mem::take(&mut self.text);
        if value.is_empty() {
            return Err(self.fail("is empty"));
        }
        // Identifiers and proprietary reasons are `Max35Text`, `AddtlInf` `Max105Text`;
        // statuses are checked as codes.
        let max = match leaf {
            Leaf::AddtlInf => Some(ADDTL_INF_MAX_CHARS),
            Leaf::GrpSts | Leaf::PmtInfSts | Leaf::TxSts => None,
            _ => Some(35),
        };
        let value = match max {
            Some(max) => max_text(value, max).map_err(|reason| self.fail(reason))?,
            None => value,
        };
        match leaf {
            Leaf::MsgId => self.set_once(|p| &mut p.message_id, value)?,
            Leaf::CreDtTm => self.set_once(|p| &mut p.created_at, value)?,
            Leaf::OrgnlMsgId => self.set_once(|p| &mut p.original_message_id, value)?,
            Leaf::OrgnlMsgNmId => self.set_once(|p| &mut p.original_message_name, value)?,
            Leaf::GrpSts | Leaf::PmtInfSts if value == "RJCT" => {
                let scope = match leaf {
                    Leaf::GrpSts => "the whole original message",
                    _ => "the whole payment information block",
                };
                return Err(self.fail(format!(
                    "the bank rejected {scope} (RJCT), including transactions it may not \
                     list; this reader reports per-transaction statuses only"
                )));
            }
            Leaf::GrpSts => self.group_status = TxStatus::from_code(&value),
            Leaf::PmtInfSts => self.block_status = TxStatus::from_code(&value),
            Leaf::EndToEndId => {
                self.set_once(|p| &mut p.tx_mut().end_to_end_id, value.clone())?;
                if let Some((block, tx)) = self.seen.get(&value) {
                    return Err(self.fail(format!(
                        "duplicate OrgnlEndToEndId {value:?}, first at \
                         OrgnlPmtInfAndSts[{block}]/TxInfAndSts[{tx}]"
                    )));
                }
                self.seen
                    .insert(value, (self.blocks, self.block_transactions));
            }
            Leaf::TxSts => {
                let Some(status) = TxStatus::from_code(&value) else {
                    let known: Vec<&str> = STATUS_CODES.iter().map(|(c, _)| *c).collect();
                    return Err(self.fail(format!(
                        "unknown transaction status code {value:?} (known: {})",
                        known.join(", ")
                    )));
                };
                if self.tx_mut().status.is_some() {
                    return Err(self.fail("appears more than once"));
                }
                self.tx_mut().status = Some(status);
            }
            Leaf::ReasonCode => {
                self.tx_mut().reason_code.get_or_insert(value);
            }
            Leaf::AddtlInf => self.tx_mut().lines.push(value),
        }
        Ok(())
    }

    fn finish_transaction(&mut self) -> Result<(), IsoError> {
        let tx = self.tx.take().expect("opened with TxInfAndSts");
        self.transactions.push(TransactionStatus {
            end_to_end_id: tx.end_to_end_id,
            status: tx.status.or(self.block_status).or(self.group_status),
            reason_code: tx.reason_code,
            reason_text: (!tx.lines.is_empty()).then(|| tx.lines.join(" ")),
        });
        Ok(())
    }
}

impl PainParser for Parser {
    type Kind = Kind;
    type Output = StatusReport;
    type Error = IsoError;
    const NAMESPACE: &'static str = PAIN_002_NS;

    fn error(path: String, reason: String) -> IsoError {
        IsoError { path, reason }
    }

    fn frames(&self) -> &Frames<Kind> {
        &self.frames
    }

    fn capturing(&self) -> bool {
        matches!(self.frames.top(), Some(Kind::Leaf(_)))
    }

    fn text(&mut self) -> &mut String {
        &mut self.text
    }

    fn start(&mut self, ns: &ResolveResult, e: &BytesStart) -> Result<(), IsoError> {
        let (name, ours) = self.open(ns, e)?;
        let kind = match self.frames.top() {
            None => Kind::Document,
            Some(parent) if ours => child_kind(parent, &name),
            Some(_) => Kind::Other,
        };
        let index = match kind {
            Kind::PmtInf => {
                self.blocks += 1;
                self.block_transactions = 0;
                self.block_status = None;
                Some(self.blocks)
            }
            Kind::Tx => {
                self.block_transactions += 1;
                Some(self.block_transactions)
            }
            _ => None,
        };
        self.frames.push(name, index, kind);
        self.check_attributes(e)?;
        match kind {
            Kind::Report => self.report_seen = true,
            Kind::Tx => {
                if self.transactions.len() >= self.max_transactions {
                    return Err(self.fail(format!(
                        "more than {} transactions in one report",
                        self.max_transactions
                    )));
                }
                self.tx = Some(TxFields::default());
            }
            Kind::Leaf(_) => self.text.clear(),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), IsoError> {
        let Some(kind) = self.frames.top() else {
            return Err(self.fail("not well-formed XML: an end tag without a start tag"));
        };
        match kind {
            Kind::Leaf(leaf) => self.leaf(leaf)?,
            Kind::Tx => self.finish_transaction()?,
            _ => {}
        }
        self.frames.pop();
        Ok(())
    }

    fn finish(mut self) -> Result<StatusReport, IsoError> {
        let missing = |path: &str| IsoError {
            path: format!("Document/CstmrPmtStsRpt{path}"),
            reason: "missing".into(),
        };
        if !self.report_seen {
            return Err(IsoError {
                path: "Document/CstmrPmtStsRpt".into(),
                reason: format!("missing (in namespace {PAIN_002_NS})"),
            });
        }
        Ok(StatusReport {
            message_id: self
                .message_id
                .take()
                .ok_or_else(|| missing("/GrpHdr/MsgId"))?,
            created_at: self
                .created_at
                .take()
                .ok_or_else(|| missing("/GrpHdr/CreDtTm"))?,
            original_message_id: self
                .original_message_id
                .take()
                .ok_or_else(|| missing("/OrgnlGrpInfAndSts/OrgnlMsgId"))?,
            original_message_name: self
                .original_message_name
                .take()
                .ok_or_else(|| missing("/OrgnlGrpInfAndSts/OrgnlMsgNmId"))?,
            transactions: self.transactions,
        })
    }
}

#[cfg(test)]
#[path = "iso_status_tests.rs"]
mod tests;
