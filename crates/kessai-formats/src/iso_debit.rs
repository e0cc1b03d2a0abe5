//! ISO 20022 pain.008.001.08 (CustomerDirectDebitInitiation): the settlement desk's daily direct
//! debits. One document per buyer's bank; each transaction debits one buyer's account for one
//! contract, into the operator's collection account (the creditor).
//!
//! [`write_pain_008`] is what production uses; its output validates against the official schema
//! `sepaxml.pain.008.001.08.xsd` in `tests/xsd` (checked by the test suite with
//! xmllint). [`read_pain_008`] is for the bank simulator.
//!
//! Japanese conventions as in [`crate::iso20022`]: banks by Zengin clearing member ID (`JPZGN`,
//! 4-digit bank + 3-digit branch code), the account type as its Zengin code in `Tp/Prtry`, yen
//! amounts without decimals.
//!
//! Choices where the schema leaves room:
//! - **One-off collections** (`PmtTpInf/SeqTp` = `OOFF`, written once for the whole `PmtInf`):
//!   the mandate is the buyer's debit agreement for one contract, and a contract is collected
//!   once. `FRST`/`RCUR`/`FNAL` describe a standing mandate collected again and again; if
//!   mandates ever become buyer-level standing agreements, `RCUR` is the code to write (and the
//!   reader's duplicate-mandate check must go).
//! - **No local instrument** (`LclInstrm` is optional): its codes (`CORE`, `B2B`, …) are SEPA
//!   schemes, and no ISO code exists for a Japanese 口座振替. If a bank's implementation guide
//!   asks for one, it goes into `PmtTpInf` before `SeqTp`, as `Prtry` with the bank's value.
//! - **Creditor scheme ID** (`CdtrSchmeId`): the schema types it as `Max35Text` (1 to 35
//!   characters, no pattern), so the SEPA form `CC00ZZZ…` means nothing here; Kessai writes the
//!   collector ID the bank assigned (委託者コード). It is written once, in `PmtInf`, as
//!   `Id/PrvtId/Othr/Id` — where the SEPA guidelines, the most widely implemented convention,
//!   put it — without a scheme name (it is not `SEPA`). The reader also accepts `OrgId/Othr/Id`.
//! - No `ChrgBr` (optional; charges follow the collection agreement with the bank), and
//!   `PmtInfId` = `MsgId`, as in Kessai's pain.001.

use std::collections::HashMap;

use quick_xml::events::BytesStart;
use quick_xml::name::ResolveResult;

use crate::iso20022::Account;
use crate::iso_pain::{read_pain, PainParser};
use crate::iso_xml::{once, Frames, PathStyle, Xml, CLEARING_SYSTEM};

pub const PAIN_008_NS: &str = "urn:iso:std:iso:20022:tech:xsd:pain.008.001.08";

/// `PmtTpInf/SeqTp`: every collection is one-off (see the module documentation).
pub const SEQUENCE_TYPE: &str = "OOFF";

/// [`read_pain_008`] refuses a document with more transactions than this.
pub const MAX_TRANSACTIONS: usize = 1_000_000;

/// One collection: a buyer's account debited for one contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectDebit {
    /// Unique per collection; the bank's status report (pain.002) refers to it.
    pub end_to_end_id: String,
    pub amount_yen: u64,
    /// The buyer's account (`DbtrAcct`), bank branch (`DbtrAgt`) and name (`Dbtr/Nm`).
    pub debtor: Account,
    /// `MndtId`: the buyer's debit agreement, e.g. the contract ID.
    pub mandate_id: String,
    /// `DtOfSgntr`: when the buyer signed it, ISO date, e.g. `2026-11-02`.
    pub mandate_signed: String,
    /// Unstructured remittance text (`RmtInf/Ustrd`, up to 140 characters); empty for none.
    pub remittance: String,
}

/// One pain.008 document: one creditor, one collection date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectDebitBatch {
    pub message_id: String,
    /// ISO date-time, e.g. `2026-11-24T09:00:00+09:00`.
    pub created_at: String,
    /// `ReqdColltnDt`, ISO date, e.g. `2026-11-26`.
    pub collection_date: String,
    /// The operator's collection account.
    pub creditor: Account,
    /// `CdtrSchmeId`: the collector ID the bank assigned to the operator (1 to 35 characters).
    pub creditor_scheme_id: String,
    pub debits: Vec<DirectDebit>,
}

/// Why a pain.008 document was refused: the element path (1-based indices on repeated blocks,
/// e.g. `Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[3]/InstdAmt`; `/` outside the root
/// element) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct IsoError {
    pub path: String,
    pub reason: String,
}

/// Writes one pain.008.001.08 document: one payment information block (the creditor, the
/// collection date, `SeqTp` `OOFF`, the creditor scheme ID) with one `DrctDbtTxInf` per debit.
///
/// Like the pain.001 writer it does not check its input; the output validates only if there is
/// at least one debit, IDs are 1 to 35 characters, names and remittance text 1 to 140 (an empty
/// remittance is left out), dates are ISO dates and `created_at` an ISO date-time.
pub fn write_pain_008(batch: &DirectDebitBatch) -> Vec<u8> {
    let mut x = Xml::document(PAIN_008_NS);
    x.open("CstmrDrctDbtInitn");
    let count = batch.debits.len().to_string();
    let total: u64 = batch.debits.iter().map(|d| d.amount_yen).sum();
    x.open("GrpHdr");
    x.leaf("MsgId", &batch.message_id);
    x.leaf("CreDtTm", &batch.created_at);
    x.leaf("NbOfTxs", &count);
    x.leaf("CtrlSum", &total.to_string());
    x.party("InitgPty", &batch.creditor.holder_name);
    x.close("GrpHdr");
    x.open("PmtInf");
    x.leaf("PmtInfId", &batch.message_id);
    x.leaf("PmtMtd", "DD");
    x.leaf("NbOfTxs", &count);
    x.leaf("CtrlSum", &total.to_string());
    x.open("PmtTpInf");
    x.leaf("SeqTp", SEQUENCE_TYPE);
    x.close("PmtTpInf");
    x.leaf("ReqdColltnDt", &batch.collection_date);
    x.party("Cdtr", &batch.creditor.holder_name);
    x.account("CdtrAcct", &batch.creditor);
    x.agent("CdtrAgt", &batch.creditor);
    x.open("CdtrSchmeId");
    x.open("Id");
    x.open("PrvtId");
    x.open("Othr");
    x.leaf("Id", &batch.creditor_scheme_id);
    x.close("Othr");
    x.close("PrvtId");
    x.close("Id");
    x.close("CdtrSchmeId");
    for d in &batch.debits {
        x.open("DrctDbtTxInf");
        x.open("PmtId");
        x.leaf("EndToEndId", &d.end_to_end_id);
        x.close("PmtId");
        x.amount("InstdAmt", d.amount_yen);
        x.open("DrctDbtTx");
        x.open("MndtRltdInf");
        x.leaf("MndtId", &d.mandate_id);
        x.leaf("DtOfSgntr", &d.mandate_signed);
        x.close("MndtRltdInf");
        x.close("DrctDbtTx");
        x.agent("DbtrAgt", &d.debtor);
        x.party("Dbtr", &d.debtor.holder_name);
        x.account("DbtrAcct", &d.debtor);
        if !d.remittance.is_empty() {
            x.open("RmtInf");
            x.leaf("Ustrd", &d.remittance);
            x.close("RmtInf");
        }
        x.close("DrctDbtTxInf");
    }
    x.close("PmtInf");
    x.close("CstmrDrctDbtInitn");
    x.finish()
}

/// Reads a pain.008.001.08 (with or without namespace prefixes), as the buyer's bank would.
///
/// The reader is not a schema validator: it reads the elements [`DirectDebitBatch`] holds, checks
/// what collecting money relies on, and skips every other element (`InitgPty`, `PmtInfId`,
/// `InstrId`, `ChrgBr`, `LclInstrm`, `UltmtDbtr`, supplementary data, …). The whole document is
/// refused, with the element path and the reason, if it is not well-formed UTF-8 XML, has a
/// DOCTYPE, its root is not `Document` in the pain.008.001.08 namespace, or if:
/// - `MsgId`, `CreDtTm` or the group's `NbOfTxs` is missing, or any element read is empty or
///   appears twice where one is expected;
/// - there is no `PmtInf`, or more than one (a batch has one creditor and one collection date;
///   Kessai writes one block), or a `PmtInf` without `DrctDbtTxInf`;
/// - `PmtMtd` is not `DD`, or a `SeqTp` (block or transaction) is not `OOFF`;
/// - `NbOfTxs` or `CtrlSum` (group or block; `CtrlSum` is optional) disagrees with the
///   transactions, or is not a whole number;
/// - `ReqdColltnDt` or a `DtOfSgntr` is missing or not a `YYYY-MM-DD` date (a time zone suffix,
///   which the schema allows, is refused), or a mandate is signed after the collection date;
/// - the creditor or a debtor lacks a name, account number, account type or bank; an account
///   number is not 7 digits; an account type is not a Zengin code (1, 2, 4); a bank is not named
///   by `ClrSysId/Cd` `JPZGN` and a 7-digit `MmbId`;
/// - `CdtrSchmeId` (`Id/PrvtId/Othr/Id` or `Id/OrgId/Othr/Id`) is missing from `PmtInf`, or a
///   transaction carries a different one;
/// - a transaction has no `EndToEndId`, `InstdAmt`, `MndtId` or `DtOfSgntr`; an amount is not a
///   whole positive number of yen with `Ccy="JPY"`; the amounts overflow;
/// - an `EndToEndId` or a `MndtId` appears twice (one-off mandates: one collection each);
/// - it has more than [`MAX_TRANSACTIONS`] transactions.
///
/// Element order and text lengths are the schema's business and not checked. Memory use is
/// proportional to the input: the caller bounds the input size before reading.
pub fn read_pain_008(xml: &[u8]) -> Result<DirectDebitBatch, IsoError> {
    read_with_limit(xml, MAX_TRANSACTIONS)
}

fn read_with_limit(xml: &[u8], max_transactions: usize) -> Result<DirectDebitBatch, IsoError> {
    read_pain(xml, Parser::new(max_transactions))
}

/// What an open element is, decided from its path below `Document` (elements outside the
/// pain.008.001.08 namespace, and everything inside them, are `Other`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Document,
    Initiation,
    PmtInf,
    Tx,
    Leaf(Field),
    Other,
}

/// The elements whose text the reader keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    MsgId,
    CreDtTm,
    GroupCount,
    GroupSum,
    PmtMtd,
    BlockCount,
    BlockSum,
    SeqTp,
    CollectionDate,
    SchemeId,
    Creditor(Part),
    EndToEndId,
    Amount,
    MandateId,
    MandateSigned,
    TxSchemeId,
    Debtor(Part),
    Remittance,
}

/// The pieces of an [`Account`] and where they sit, relative to the party's elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    /// `{Party}/Nm`
    Name,
    /// `{Party}Acct/Id/Othr/Id`
    Number,
    /// `{Party}Acct/Tp/Prtry`
    Type,
    /// `{Party}Agt/FinInstnId/ClrSysMmbId/ClrSysId/Cd`
    ClearingSystem,
    /// `{Party}Agt/FinInstnId/ClrSysMmbId/MmbId`
    Member,
}

impl Part {
    const ALL: [Part; 5] = [
        Part::Name,
        Part::Number,
        Part::Type,
        Part::ClearingSystem,
        Part::Member,
    ];

    fn path(self, party: &str) -> String {
        match self {
            Part::Name => format!("{party}/Nm"),
            Part::Number => format!("{party}Acct/Id/Othr/Id"),
            Part::Type => format!("{party}Acct/Tp/Prtry"),
            Part::ClearingSystem => format!("{party}Agt/FinInstnId/ClrSysMmbId/ClrSysId/Cd"),
            Part::Member => format!("{party}Agt/FinInstnId/ClrSysMmbId/MmbId"),
        }
    }
}

/// `path` is below `Document`, ending with the element being classified.
fn classify(path: &[&str]) -> Role {
    use Field::*;
    let leaf = |field: Option<Field>| field.map_or(Role::Other, Role::Leaf);
    match path {
        ["CstmrDrctDbtInitn"] => Role::Initiation,
        ["CstmrDrctDbtInitn", "GrpHdr", name] => leaf(match *name {
            "MsgId" => Some(MsgId),
            "CreDtTm" => Some(CreDtTm),
            "NbOfTxs" => Some(GroupCount),
            "CtrlSum" => Some(GroupSum),
            _ => None,
        }),
        ["CstmrDrctDbtInitn", "PmtInf"] => Role::PmtInf,
        ["CstmrDrctDbtInitn", "PmtInf", "DrctDbtTxInf"] => Role::Tx,
        ["CstmrDrctDbtInitn", "PmtInf", "DrctDbtTxInf", rest @ ..] => leaf(match rest {
            ["PmtId", "EndToEndId"] => Some(EndToEndId),
            ["InstdAmt"] => Some(Amount),
            ["PmtTpInf", "SeqTp"] => Some(SeqTp),
            ["DrctDbtTx", "MndtRltdInf", "MndtId"] => Some(MandateId),
            ["DrctDbtTx", "MndtRltdInf", "DtOfSgntr"] => Some(MandateSigned),
            ["DrctDbtTx", "CdtrSchmeId", "Id", "PrvtId" | "OrgId", "Othr", "Id"] => {
                Some(TxSchemeId)
            }
            ["RmtInf", "Ustrd"] => Some(Remittance),
            _ => account_part(rest, "Dbtr").map(Debtor),
        }),
        ["CstmrDrctDbtInitn", "PmtInf", rest @ ..] => leaf(match rest {
            ["PmtMtd"] => Some(PmtMtd),
            ["NbOfTxs"] => Some(BlockCount),
            ["CtrlSum"] => Some(BlockSum),
            ["PmtTpInf", "SeqTp"] => Some(SeqTp),
            ["ReqdColltnDt"] => Some(CollectionDate),
            ["CdtrSchmeId", "Id", "PrvtId" | "OrgId", "Othr", "Id"] => Some(SchemeId),
            _ => account_part(rest, "Cdtr").map(Creditor),
        }),
        _ => Role::Other,
    }
}

fn account_part(path: &[&str], party: &str) -> Option<Part> {
    let (first, rest) = path.split_first()?;
    match (first.strip_prefix(party)?, rest) {
        ("", ["Nm"]) => Some(Part::Name),
        ("Acct", ["Id", "Othr", "Id"]) => Some(Part::Number),
        ("Acct", ["Tp", "Prtry"]) => Some(Part::Type),
        ("Agt", ["FinInstnId", "ClrSysMmbId", "ClrSysId", "Cd"]) => Some(Part::ClearingSystem),
        ("Agt", ["FinInstnId", "ClrSysMmbId", "MmbId"]) => Some(Part::Member),
        _ => None,
    }
}

/// Deepest path below `Document` that [`classify`] can match is 9 elements.
const MAX_CLASSIFIED_DEPTH: usize = 12;

/// An open element as the reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Place {
    role: Role,
    /// In the pain.008.001.08 namespace, as are all its ancestors.
    ours: bool,
}

#[derive(Default)]
struct AccountFields {
    name: Option<String>,
    number: Option<String>,
    account_type: Option<u8>,
    clearing_system: Option<String>,
    member: Option<(String, String)>,
}

impl AccountFields {
    fn is_set(&self, part: Part) -> bool {
        match part {
            Part::Name => self.name.is_some(),
            Part::Number => self.number.is_some(),
            Part::Type => self.account_type.is_some(),
            Part::ClearingSystem => self.clearing_system.is_some(),
            Part::Member => self.member.is_some(),
        }
    }

    /// Checks the value and keeps it; the error is the reason.
    fn set(&mut self, part: Part, value: String) -> Result<(), String> {
        match part {
            Part::Name => once(&mut self.name, value),
            Part::Number => {
                if !digits(&value, 7) {
                    return Err(format!("{value:?} is not a 7-digit account number"));
                }
                once(&mut self.number, value)
            }
            Part::Type => {
                let code = match value.as_str() {
                    "1" => 1,
                    "2" => 2,
                    "4" => 4,
                    _ => {
                        return Err(format!(
                            "account type {value:?} is not a Zengin code (1 普通, 2 当座, 4 貯蓄)"
                        ))
                    }
                };
                once(&mut self.account_type, code)
            }
            Part::ClearingSystem => {
                if value != CLEARING_SYSTEM {
                    return Err(format!(
                        "clearing system {value:?}: only {CLEARING_SYSTEM} (Zengin) member IDs \
                         are read"
                    ));
                }
                once(&mut self.clearing_system, value)
            }
            Part::Member => {
                if !digits(&value, 7) {
                    return Err(format!(
                        "{value:?} is not a 4-digit bank code and 3-digit branch code"
                    ));
                }
                let (bank, branch) = value.split_at(4);
                once(&mut self.member, (bank.to_string(), branch.to_string()))
            }
        }
    }

    /// The account, or the first missing part.
    fn into_account(self) -> Result<Account, Part> {
        if let Some(&missing) = Part::ALL.iter().find(|&&part| !self.is_set(part)) {
            return Err(missing);
        }
        let (bank_code, branch_code) = self.member.expect("checked above");
        Ok(Account {
            bank_code,
            branch_code,
            account_type: self.account_type.expect("checked above"),
            account_number: self.number.expect("checked above"),
            holder_name: self.name.expect("checked above"),
        })
    }
}

#[derive(Default)]
struct BlockFields {
    method: Option<String>,
    count: Option<u64>,
    sum: Option<u64>,
    collection_date: Option<String>,
    scheme_id: Option<String>,
    creditor: AccountFields,
    /// Transactions (1-based) carrying their own `CdtrSchmeId`, checked when the block ends.
    tx_scheme_ids: Vec<(usize, String)>,
}

#[derive(Default)]
struct TxFields {
    end_to_end_id: Option<String>,
    amount: Option<u64>,
    mandate_id: Option<String>,
    mandate_signed: Option<String>,
    scheme_id: Option<String>,
    debtor: AccountFields,
    remittance: Option<String>,
}

/// What a finished `PmtInf` gave.
struct Block {
    collection_date: String,
    creditor: Account,
    scheme_id: String,
}

struct Parser {
    max_transactions: usize,
    /// The open elements; `PmtInf` and `DrctDbtTxInf` are counted (1-based).
    frames: Frames<Place>,
    initiation_seen: bool,
    /// Text of the leaf being read.
    text: String,
    message_id: Option<String>,
    created_at: Option<String>,
    count: Option<u64>,
    sum: Option<u64>,
    /// `PmtInf` opened so far; only the first is read.
    blocks: usize,
    block: Option<BlockFields>,
    finished_block: Option<Block>,
    tx: Option<TxFields>,
    debits: Vec<DirectDebit>,
    total: u64,
    /// Where each end-to-end ID and mandate ID was first seen: `DrctDbtTxInf[n]`, 1-based.
    end_to_end_ids: HashMap<String, usize>,
    mandate_ids: HashMap<String, usize>,
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `Max15NumericText`: 1 to 15 digits.
fn count(value: &str) -> Result<u64, String> {
    if value.is_empty() || value.len() > 15 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{value:?} is not a number of transactions"));
    }
    Ok(value.parse().expect("at most 15 digits"))
}

/// A whole number of yen (`xs:decimal` collapses surrounding whitespace).
fn yen(value: &str) -> Result<u64, String> {
    let v = value.trim_matches(|c: char| c.is_ascii_whitespace());
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{value:?} is not a whole number of yen"));
    }
    v.parse()
        .map_err(|_| format!("{value:?} yen is more than this reader can add up"))
}

/// A `YYYY-MM-DD` calendar date. Surrounding whitespace is dropped, as the XML Schema rules
/// for `xs:date` say (xmllint refuses it nevertheless; Kessai writes none).
fn date(value: &str) -> Result<String, String> {
    let v = value.trim_matches(|c: char| c.is_ascii_whitespace());
    let b = v.as_bytes();
    let shape = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit());
    let valid = shape && {
        let number = |r: std::ops::Range<usize>| v[r].parse::<u32>().expect("digits");
        crate::days::exists(number(0..4), number(5..7), number(8..10))
    };
    if !valid {
        return Err(format!("{value:?} is not a date (YYYY-MM-DD)"));
    }
    Ok(v.to_string())
}

impl Parser {
    fn new(max_transactions: usize) -> Parser {
        Parser {
            max_transactions,
            frames: Frames::new(PathStyle::Bare),
            initiation_seen: false,
            text: String::new(),
            message_id: None,
            created_at: None,
            count: None,
            sum: None,
            blocks: 0,
            block: None,
            finished_block: None,
            tx: None,
            debits: Vec::new(),
            total: 0,
            end_to_end_ids: HashMap::new(),
            mandate_ids: HashMap::new(),
        }
    }

    fn block_mut(&mut self) -> &mut BlockFields {
        self.block.as_mut().expect("a block leaf is inside PmtInf")
    }

    fn tx_mut(&mut self) -> &mut TxFields {
        self.tx
            .as_mut()
            .expect("a transaction leaf is inside DrctDbtTxInf")
    }

    fn check_currency(&self, e: &BytesStart) -> Result<(), IsoError> {
        let currency = e
            .try_get_attribute("Ccy")
            .map_err(|err| self.fail(format!("not well-formed XML: {err}")))?;
        let Some(currency) = currency else {
            return Err(self.fail("no Ccy attribute"));
        };
        let currency = currency
            .unescape_value()
            .map_err(|err| self.fail(format!("not well-formed XML: {err}")))?;
        if currency != "JPY" {
            return Err(self.fail(format!("currency {currency:?}: only JPY is read")));
        }
        Ok(())
    }

    fn leaf(&mut self, field: Field) -> Result<(), IsoError> {
        let value = std::mem::take(&mut self.text);
        if value.is_empty() {
            return Err(self.fail("is empty"));
        }
        let tx_number = self.debits.len() + 1;
        let result = match field {
            Field::MsgId => once(&mut self.message_id, value),
            Field::CreDtTm => once(&mut self.created_at, value),
            Field::GroupCount => count(&value).and_then(|n| once(&mut self.count, n)),
            Field::GroupSum => yen(&value).and_then(|n| once(&mut self.sum, n)),
            Field::PmtMtd if value != "DD" => Err(format!(
                "payment method {value:?}, expected DD (direct debit)"
            )),
            Field::PmtMtd => once(&mut self.block_mut().method, value),
            Field::BlockCount => count(&value).and_then(|n| once(&mut self.block_mut().count, n)),
            Field::BlockSum => yen(&value).and_then(|n| once(&mut self.block_mut().sum, n)),
            Field::SeqTp if value != SEQUENCE_TYPE => Err(format!(
                "sequence type {value:?}: only one-off collections ({SEQUENCE_TYPE}) are read"
            )),
            Field::SeqTp => Ok(()),
            Field::CollectionDate => {
                date(&value).and_then(|d| once(&mut self.block_mut().collection_date, d))
            }
            Field::SchemeId => once(&mut self.block_mut().scheme_id, value),
            Field::Creditor(part) => self.block_mut().creditor.set(part, value),
            Field::EndToEndId => match self.end_to_end_ids.get(&value) {
                Some(first) => Err(format!(
                    "duplicate EndToEndId {value:?}, first at DrctDbtTxInf[{first}]"
                )),
                None => once(&mut self.tx_mut().end_to_end_id, value.clone()).map(|()| {
                    self.end_to_end_ids.insert(value, tx_number);
                }),
            },
            Field::Amount => match yen(&value) {
                Ok(0) => Err("a debit of 0 yen".into()),
                Ok(n) => once(&mut self.tx_mut().amount, n),
                Err(e) => Err(e),
            },
            Field::MandateId => match self.mandate_ids.get(&value) {
                Some(first) => Err(format!(
                    "mandate {value:?} is collected twice, first at DrctDbtTxInf[{first}] \
                     (one-off mandates: one collection each)"
                )),
                None => once(&mut self.tx_mut().mandate_id, value.clone()).map(|()| {
                    self.mandate_ids.insert(value, tx_number);
                }),
            },
            Field::MandateSigned => {
                date(&value).and_then(|d| once(&mut self.tx_mut().mandate_signed, d))
            }
            Field::TxSchemeId => once(&mut self.tx_mut().scheme_id, value),
            Field::Debtor(part) => self.tx_mut().debtor.set(part, value),
            Field::Remittance => once(&mut self.tx_mut().remittance, value),
        };
        result.map_err(|reason| self.fail(reason))
    }

    fn finish_transaction(&mut self) -> Result<(), IsoError> {
        let tx = self.tx.take().expect("opened with DrctDbtTxInf");
        let missing = |child: &str| Err(self.fail_child(child, "missing"));
        let Some(end_to_end_id) = tx.end_to_end_id else {
            return missing("PmtId/EndToEndId");
        };
        let Some(amount_yen) = tx.amount else {
            return missing("InstdAmt");
        };
        let Some(mandate_id) = tx.mandate_id else {
            return missing("DrctDbtTx/MndtRltdInf/MndtId");
        };
        let Some(mandate_signed) = tx.mandate_signed else {
            return missing("DrctDbtTx/MndtRltdInf/DtOfSgntr");
        };
        let debtor = match tx.debtor.into_account() {
            Ok(account) => account,
            Err(part) => return missing(&part.path("Dbtr")),
        };
        let Some(total) = self.total.checked_add(amount_yen) else {
            return Err(self.fail_child(
                "InstdAmt",
                format!("the amounts add up to more than {} yen", u64::MAX),
            ));
        };
        self.total = total;
        if let Some(scheme_id) = tx.scheme_id {
            let n = self.debits.len() + 1;
            self.block_mut().tx_scheme_ids.push((n, scheme_id));
        }
        self.debits.push(DirectDebit {
            end_to_end_id,
            amount_yen,
            debtor,
            mandate_id,
            mandate_signed,
            remittance: tx.remittance.unwrap_or_default(),
        });
        Ok(())
    }

    fn finish_block(&mut self) -> Result<(), IsoError> {
        let block = self.block.take().expect("opened with PmtInf");
        let missing = |child: &str, reason: &str| Err(self.fail_child(child, reason));
        if block.method.is_none() {
            return missing("PmtMtd", "missing");
        }
        let Some(collection_date) = block.collection_date else {
            return missing("ReqdColltnDt", "missing");
        };
        let creditor = match block.creditor.into_account() {
            Ok(account) => account,
            Err(part) => return missing(&part.path("Cdtr"), "missing"),
        };
        let Some(scheme_id) = block.scheme_id else {
            return missing(
                "CdtrSchmeId",
                "missing (the creditor scheme ID, as Id/PrvtId/Othr/Id or Id/OrgId/Othr/Id)",
            );
        };
        if self.debits.is_empty() {
            return missing(
                "DrctDbtTxInf",
                "missing: a PmtInf has at least one transaction",
            );
        }
        let n = self.debits.len() as u64;
        if let Some(declared) = block.count.filter(|&c| c != n) {
            return missing(
                "NbOfTxs",
                &format!("says {declared} but the block has {n} transactions"),
            );
        }
        if let Some(declared) = block.sum.filter(|&s| s != self.total) {
            return missing(
                "CtrlSum",
                &format!(
                    "says {declared} but the transactions add up to {}",
                    self.total
                ),
            );
        }
        for (n, id) in &block.tx_scheme_ids {
            if *id != scheme_id {
                return missing(
                    &format!("DrctDbtTxInf[{n}]/DrctDbtTx/CdtrSchmeId"),
                    &format!("{id:?} differs from the block's creditor scheme ID {scheme_id:?}"),
                );
            }
        }
        // ISO dates of one shape compare as strings.
        if let Some((i, d)) = self
            .debits
            .iter()
            .enumerate()
            .find(|(_, d)| d.mandate_signed > collection_date)
        {
            return missing(
                &format!("DrctDbtTxInf[{}]/DrctDbtTx/MndtRltdInf/DtOfSgntr", i + 1),
                &format!(
                    "the mandate is signed on {}, after the collection date {collection_date}",
                    d.mandate_signed
                ),
            );
        }
        self.finished_block = Some(Block {
            collection_date,
            creditor,
            scheme_id,
        });
        Ok(())
    }
}

impl PainParser for Parser {
    type Kind = Place;
    type Output = DirectDebitBatch;
    type Error = IsoError;
    const NAMESPACE: &'static str = PAIN_008_NS;

    fn error(path: String, reason: String) -> IsoError {
        IsoError { path, reason }
    }

    fn frames(&self) -> &Frames<Place> {
        &self.frames
    }

    fn capturing(&self) -> bool {
        matches!(
            self.frames.top(),
            Some(Place {
                role: Role::Leaf(_),
                ..
            })
        )
    }

    fn text(&mut self) -> &mut String {
        &mut self.text
    }

    fn start(&mut self, ns: &ResolveResult, e: &BytesStart) -> Result<(), IsoError> {
        let (name, in_namespace) = self.open(ns, e)?;
        let (role, ours) = match self.frames.top() {
            None => (Role::Document, true),
            Some(parent) if parent.ours && in_namespace => {
                let depth = self.frames.len();
                let role = if depth > MAX_CLASSIFIED_DEPTH {
                    Role::Other
                } else {
                    let mut names = [""; MAX_CLASSIFIED_DEPTH];
                    for (slot, frame) in names.iter_mut().zip(self.frames.iter().skip(1)) {
                        *slot = &frame.name;
                    }
                    names[depth - 1] = &name;
                    classify(&names[..depth])
                };
                (role, true)
            }
            Some(_) => (Role::Other, false),
        };
        let index = match role {
            Role::PmtInf => {
                self.blocks += 1;
                Some(self.blocks)
            }
            Role::Tx => Some(self.debits.len() + 1),
            _ => None,
        };
        self.frames.push(name, index, Place { role, ours });
        self.check_attributes(e)?;
        match role {
            Role::Initiation => self.initiation_seen = true,
            Role::PmtInf => {
                if self.blocks > 1 {
                    return Err(self.fail(
                        "a second PmtInf: a batch has one creditor and one collection date \
                         (Kessai writes one PmtInf per document)",
                    ));
                }
                self.block = Some(BlockFields::default());
            }
            Role::Tx => {
                if self.debits.len() >= self.max_transactions {
                    return Err(self.fail(format!(
                        "more than {} transactions in one document",
                        self.max_transactions
                    )));
                }
                self.tx = Some(TxFields::default());
            }
            Role::Leaf(Field::Amount) => {
                self.check_currency(e)?;
                self.text.clear();
            }
            Role::Leaf(_) => self.text.clear(),
            _ => {}
        }
        Ok(())
    }

    fn end(&mut self) -> Result<(), IsoError> {
        let Some(role) = self.frames.top().map(|place| place.role) else {
            return Err(self.fail("not well-formed XML: an end tag without a start tag"));
        };
        match role {
            Role::Leaf(field) => self.leaf(field)?,
            Role::Tx => self.finish_transaction()?,
            Role::PmtInf => self.finish_block()?,
            _ => {}
        }
        self.frames.pop();
        Ok(())
    }

    fn finish(mut self) -> Result<DirectDebitBatch, IsoError> {
        let at = |path: &str, reason: String| IsoError {
            path: format!("Document/CstmrDrctDbtInitn{path}"),
            reason,
        };
        if !self.initiation_seen {
            return Err(at("", format!("missing (in namespace {PAIN_008_NS})")));
        }
        let message_id = self
            .message_id
            .take()
            .ok_or_else(|| at("/GrpHdr/MsgId", "missing".into()))?;
        let created_at = self
            .created_at
            .take()
            .ok_or_else(|| at("/GrpHdr/CreDtTm", "missing".into()))?;
        let declared = self
            .count
            .ok_or_else(|| at("/GrpHdr/NbOfTxs", "missing".into()))?;
        let Some(block) = self.finished_block.take() else {
            return Err(at("/PmtInf", "missing".into()));
        };
        let n = self.debits.len() as u64;
        if declared != n {
            return Err(at(
                "/GrpHdr/NbOfTxs",
                format!("says {declared} but the document has {n} transactions"),
            ));
        }
        if let Some(declared) = self.sum.filter(|&s| s != self.total) {
            return Err(at(
                "/GrpHdr/CtrlSum",
                format!(
                    "says {declared} but the transactions add up to {}",
                    self.total
                ),
            ));
        }
        Ok(DirectDebitBatch {
            message_id,
            created_at,
            collection_date: block.collection_date,
            creditor: block.creditor,
            creditor_scheme_id: block.scheme_id,
            debits: self.debits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const XSD: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/xsd/sepaxml.pain.008.001.08.xsd"
    );

    fn assert_valid(xml: &[u8]) {
        crate::iso_xml::test_support::assert_valid(xml, XSD);
    }

    fn account(bank: &str, account_type: u8, number: &str, name: &str) -> Account {
        Account {
            bank_code: bank.into(),
            branch_code: "123".into(),
            account_type,
            account_number: number.into(),
            holder_name: name.into(),
        }
    }

    fn debit(id: &str, yen: u64, number: &str, name: &str, remittance: &str) -> DirectDebit {
        DirectDebit {
            end_to_end_id: format!("{id}-debit"),
            amount_yen: yen,
            debtor: account("0009", 1, number, name),
            mandate_id: id.into(),
            mandate_signed: "2026-11-02".into(),
            remittance: remittance.into(),
        }
    }

    fn batch() -> DirectDebitBatch {
        let mut current = debit("01b2", 2_000, "0000042", "ﾔﾏﾀﾞ ﾀﾛｳ", "");
        current.debtor.account_type = 2;
        current.mandate_signed = "2026-11-26".into();
        DirectDebitBatch {
            message_id: "KESSAI-DD-20261124-0009".into(),
            created_at: "2026-11-24T09:00:00+09:00".into(),
            collection_date: "2026-11-26".into(),
            creditor: Account {
                bank_code: "0001".into(),
                branch_code: "001".into(),
                account_type: 1,
                account_number: "1234567".into(),
                holder_name: "ｹﾂｻｲ ｴｽｸﾛ-".into(),
            },
            creditor_scheme_id: "1234567890".into(),
            debits: vec![
                debit("01a1", 50_128, "7654321", "ｻﾄｳ ﾊﾅｺ", "K7M4QX9PT2 ｹｲﾔｸ 01a1"),
                current,
                debit("01c3", 136_000, "1111111", "ｽｽﾞｷ ｲﾁﾛｳ", "A&B <escrow>"),
            ],
        }
    }

    /// The same document with every element in the `d:` prefix.
    fn prefixed(xml: &str) -> String {
        let mut out = String::new();
        let mut chars = xml.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == '<' {
                if chars.peek() == Some(&'/') {
                    out.push(chars.next().unwrap());
                }
                if chars.peek().is_some_and(|c| c.is_ascii_uppercase()) {
                    out.push_str("d:");
                }
            }
        }
        out.replace(
            &format!("xmlns=\"{PAIN_008_NS}\""),
            &format!("xmlns:d=\"{PAIN_008_NS}\""),
        )
    }

    /// `s` with the `n`-th (1-based) occurrence of `from` replaced.
    fn replace_nth(s: &str, from: &str, to: &str, n: usize) -> String {
        let (at, _) = s.match_indices(from).nth(n - 1).expect("occurrence");
        format!("{}{to}{}", &s[..at], &s[at + from.len()..])
    }

    #[test]
    fn pain_008_validates_against_the_official_schema() {
        let xml = write_pain_008(&batch());
        assert_valid(&xml);
        // One line per element; compared without the indentation.
        let text: String = std::str::from_utf8(&xml)
            .unwrap()
            .lines()
            .map(str::trim)
            .collect();
        for expected in [
            "<NbOfTxs>3</NbOfTxs>",
            "<CtrlSum>188128</CtrlSum>",
            "<PmtMtd>DD</PmtMtd>",
            "<SeqTp>OOFF</SeqTp>",
            "<ReqdColltnDt>2026-11-26</ReqdColltnDt>",
            "<InstdAmt Ccy=\"JPY\">50128</InstdAmt>",
            "<MndtId>01a1</MndtId>",
            "<DtOfSgntr>2026-11-02</DtOfSgntr>",
            "<MmbId>0001001</MmbId>",
            "<MmbId>0009123</MmbId>",
            "<Prtry>2</Prtry>",
            "<PmtTpInf><SeqTp>OOFF</SeqTp></PmtTpInf><ReqdColltnDt>2026-11-26</ReqdColltnDt>",
            "<CdtrSchmeId><Id><PrvtId><Othr><Id>1234567890</Id></Othr></PrvtId></Id></CdtrSchmeId>",
            "<DrctDbtTx><MndtRltdInf><MndtId>01b2</MndtId><DtOfSgntr>2026-11-26</DtOfSgntr>",
            "A&amp;B &lt;escrow&gt;",
        ] {
            assert!(text.contains(expected), "{expected}\n{text}");
        }
        // The empty remittance is left out.
        assert_eq!(text.matches("<RmtInf>").count(), 2);
    }

    #[test]
    fn pain_008_reads_back_what_was_written() {
        let b = batch();
        let xml = write_pain_008(&b);
        assert_eq!(read_pain_008(&xml).unwrap(), b);
        let one = DirectDebitBatch {
            debits: vec![b.debits[0].clone()],
            ..b.clone()
        };
        let xml = write_pain_008(&one);
        assert_valid(&xml);
        assert_eq!(read_pain_008(&xml).unwrap(), one);
        // Prefixed elements are the same document.
        let xml = prefixed(std::str::from_utf8(&write_pain_008(&b)).unwrap());
        assert!(xml.contains("<d:SeqTp>OOFF</d:SeqTp>"), "{xml}");
        assert_valid(xml.as_bytes());
        assert_eq!(read_pain_008(xml.as_bytes()).unwrap(), b);
    }

    /// A document as another client might write it: optional elements Kessai does not write,
    /// `OrgId` for the scheme ID, a per-transaction scheme ID, a foreign-namespace extension.
    const CLIENT_SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.08">
  <CstmrDrctDbtInitn>
    <GrpHdr>
      <MsgId>DD-0001</MsgId>
      <CreDtTm>2026-11-24T09:00:00.000+09:00</CreDtTm>
      <NbOfTxs>1</NbOfTxs>
      <CtrlSum> 12000 </CtrlSum>
      <InitgPty><Nm>KESSAI</Nm></InitgPty>
    </GrpHdr>
    <PmtInf>
      <PmtInfId>DD-0001-A</PmtInfId>
      <PmtMtd>DD</PmtMtd>
      <BtchBookg>true</BtchBookg>
      <PmtTpInf>
        <LclInstrm><Prtry>KOFURI</Prtry></LclInstrm>
        <SeqTp>OOFF</SeqTp>
      </PmtTpInf>
      <ReqdColltnDt>2026-11-26</ReqdColltnDt>
      <Cdtr><Nm>ｹﾂｻｲ ｴｽｸﾛ-</Nm></Cdtr>
      <CdtrAcct>
        <Id><Othr><Id>1234567</Id></Othr></Id>
        <Tp><Prtry>1</Prtry></Tp>
      </CdtrAcct>
      <CdtrAgt>
        <FinInstnId>
          <ClrSysMmbId><ClrSysId><Cd>JPZGN</Cd></ClrSysId><MmbId>0001001</MmbId></ClrSysMmbId>
          <Nm>MIZUHO BANK</Nm>
        </FinInstnId>
      </CdtrAgt>
      <ChrgBr>SLEV</ChrgBr>
      <CdtrSchmeId><Id><OrgId><Othr><Id>1234567890</Id></Othr></OrgId></Id></CdtrSchmeId>
      <DrctDbtTxInf>
        <PmtId><InstrId>I-1</InstrId><EndToEndId>E2E-1</EndToEndId></PmtId>
        <InstdAmt Ccy="JPY">12000</InstdAmt>
        <DrctDbtTx>
          <MndtRltdInf><MndtId>C-1</MndtId><DtOfSgntr>2026-11-01</DtOfSgntr></MndtRltdInf>
          <CdtrSchmeId><Id><PrvtId><Othr><Id>1234567890</Id></Othr></PrvtId></Id></CdtrSchmeId>
        </DrctDbtTx>
        <DbtrAgt>
          <FinInstnId><ClrSysMmbId><ClrSysId><Cd>JPZGN</Cd></ClrSysId><MmbId>0009123</MmbId></ClrSysMmbId></FinInstnId>
        </DbtrAgt>
        <Dbtr><Nm>ｻﾄｳ ﾊﾅｺ</Nm></Dbtr>
        <DbtrAcct>
          <Id><Othr><Id>7654321</Id></Othr></Id>
          <Tp><Prtry>4</Prtry></Tp>
          <Ccy>JPY</Ccy>
        </DbtrAcct>
        <UltmtDbtr><Nm>ｻﾄｳ ﾀﾛｳ</Nm></UltmtDbtr>
        <RmtInf><Ustrd><![CDATA[R&D]]></Ustrd></RmtInf>
        <SplmtryData>
          <Envlp><x:Ext xmlns:x="urn:example:ext"><x:MsgId>ignored</x:MsgId></x:Ext></Envlp>
        </SplmtryData>
      </DrctDbtTxInf>
    </PmtInf>
  </CstmrDrctDbtInitn>
</Document>
"#;

    #[test]
    fn another_clients_document_reads() {
        assert_valid(CLIENT_SAMPLE.as_bytes());
        let b = read_pain_008(CLIENT_SAMPLE.as_bytes()).unwrap();
        assert_eq!(b.message_id, "DD-0001");
        assert_eq!(b.collection_date, "2026-11-26");
        assert_eq!(b.creditor_scheme_id, "1234567890");
        let mut creditor = account("0001", 1, "1234567", "ｹﾂｻｲ ｴｽｸﾛ-");
        creditor.branch_code = "001".into();
        assert_eq!(b.creditor, creditor);
        assert_eq!(
            b.debits,
            vec![DirectDebit {
                end_to_end_id: "E2E-1".into(),
                amount_yen: 12_000,
                debtor: account("0009", 4, "7654321", "ｻﾄｳ ﾊﾅｺ"),
                mandate_id: "C-1".into(),
                mandate_signed: "2026-11-01".into(),
                remittance: "R&D".into(),
            }]
        );
    }

    #[test]
    fn the_schema_check_can_fail() {
        // An empty end-to-end ID is invalid (Max35Text has at least one character).
        let mut b = batch();
        b.debits[0].end_to_end_id = String::new();
        let xml = write_pain_008(&b);
        crate::iso_xml::test_support::assert_invalid(&xml, XSD);
        // So is a document without transactions (DrctDbtTxInf: minOccurs 1).
        let xml = write_pain_008(&DirectDebitBatch {
            debits: vec![],
            ..batch()
        });
        crate::iso_xml::test_support::assert_invalid(&xml, XSD);
        // The reader refuses both too.
        let e = read_pain_008(&write_pain_008(&b)).unwrap_err();
        assert!(e.path.ends_with("DrctDbtTxInf[1]/PmtId/EndToEndId"), "{e}");
    }

    #[test]
    fn malformed_documents_are_refused_with_path_and_reason() {
        let xml = String::from_utf8(write_pain_008(&batch())).unwrap();
        let initn = "Document/CstmrDrctDbtInitn";
        let pmt = "Document/CstmrDrctDbtInitn/PmtInf[1]";
        let tx = |n: usize, rest: &str| format!("{pmt}/DrctDbtTxInf[{n}]{rest}");
        let second_block = format!(
            "</PmtInf><PmtInf>{}</PmtInf>",
            xml.split("<PmtInf>")
                .nth(1)
                .unwrap()
                .split("</PmtInf>")
                .next()
                .unwrap()
        );
        let cases: Vec<(&str, String, String, &str)> =
            vec![
            // (what, document, path fragment, reason fragment)
            ("empty", "".into(), "/".into(), "no root element"),
            ("not XML", "%PDF-1.7".into(), "/".into(), "text outside the root"),
            (
                "truncated",
                xml[..xml.len() / 2].into(),
                pmt.into(),
                "not well-formed",
            ),
            (
                "unclosed root",
                xml.replace("</Document>", ""),
                "Document".into(),
                "ends inside",
            ),
            (
                "mismatched end tag",
                xml.replace("</MsgId>", "</MsgID>"),
                format!("{initn}/GrpHdr/MsgId"),
                "not well-formed",
            ),
            (
                "DOCTYPE",
                xml.replace("<Document", "<!DOCTYPE Document>\n<Document"),
                "/".into(),
                "DOCTYPE",
            ),
            (
                "Shift_JIS",
                xml.replace("UTF-8", "Shift_JIS"),
                "/".into(),
                "\"Shift_JIS\" is not supported",
            ),
            (
                "wrong root",
                xml.replace("Document", "Dokument"),
                "Dokument".into(),
                "expected <Document>",
            ),
            (
                "pain.008 version 02",
                xml.replace("pain.008.001.08", "pain.008.001.02"),
                "Document".into(),
                "only pain.008.001.08",
            ),
            (
                "no namespace",
                xml.replace(&format!(" xmlns=\"{PAIN_008_NS}\""), ""),
                "Document".into(),
                "no namespace",
            ),
            (
                "children outside the namespace",
                xml.replace("<CstmrDrctDbtInitn>", "<CstmrDrctDbtInitn xmlns=\"\">"),
                initn.into(),
                "missing",
            ),
            (
                "undeclared prefix",
                xml.replace("<GrpHdr>", "<GrpHdr><x:Extra/>"),
                format!("{initn}/GrpHdr/Extra"),
                "undeclared namespace prefix \"x\"",
            ),
            (
                "a second root",
                xml.clone() + "<Document/>",
                "/".into(),
                "after the root element",
            ),
            (
                "missing MsgId",
                xml.replace("<MsgId>KESSAI-DD-20261124-0009</MsgId>", ""),
                format!("{initn}/GrpHdr/MsgId"),
                "missing",
            ),
            (
                "empty MsgId",
                xml.replace("<MsgId>KESSAI-DD-20261124-0009</MsgId>", "<MsgId/>"),
                format!("{initn}/GrpHdr/MsgId"),
                "is empty",
            ),
            (
                "two MsgId",
                xml.replace("<MsgId>", "<MsgId>A</MsgId><MsgId>"),
                format!("{initn}/GrpHdr/MsgId"),
                "more than once",
            ),
            (
                "missing CreDtTm",
                xml.replace("<CreDtTm>2026-11-24T09:00:00+09:00</CreDtTm>", ""),
                format!("{initn}/GrpHdr/CreDtTm"),
                "missing",
            ),
            (
                "group NbOfTxs disagrees",
                replace_nth(&xml, "<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>4</NbOfTxs>", 1),
                format!("{initn}/GrpHdr/NbOfTxs"),
                "says 4 but the document has 3 transactions",
            ),
            (
                "group NbOfTxs not a number",
                replace_nth(&xml, "<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>3x</NbOfTxs>", 1),
                format!("{initn}/GrpHdr/NbOfTxs"),
                "not a number of transactions",
            ),
            (
                "group CtrlSum disagrees",
                replace_nth(&xml, "<CtrlSum>188128</CtrlSum>", "<CtrlSum>188129</CtrlSum>", 1),
                format!("{initn}/GrpHdr/CtrlSum"),
                "says 188129 but the transactions add up to 188128",
            ),
            (
                "group CtrlSum with decimals",
                replace_nth(&xml, "<CtrlSum>188128</CtrlSum>", "<CtrlSum>188128.00</CtrlSum>", 1),
                format!("{initn}/GrpHdr/CtrlSum"),
                "not a whole number of yen",
            ),
            (
                "block NbOfTxs disagrees",
                replace_nth(&xml, "<NbOfTxs>3</NbOfTxs>", "<NbOfTxs>2</NbOfTxs>", 2),
                format!("{pmt}/NbOfTxs"),
                "says 2 but the block has 3 transactions",
            ),
            (
                "block CtrlSum disagrees",
                replace_nth(&xml, "<CtrlSum>188128</CtrlSum>", "<CtrlSum>1</CtrlSum>", 2),
                format!("{pmt}/CtrlSum"),
                "says 1 but the transactions add up to 188128",
            ),
            (
                "a second PmtInf",
                xml.replace("</PmtInf>", &second_block),
                format!("{initn}/PmtInf[2]"),
                "a second PmtInf",
            ),
            (
                "no PmtInf",
                format!(
                    "{}</GrpHdr></CstmrDrctDbtInitn></Document>",
                    xml.split("</GrpHdr>").next().unwrap()
                ),
                format!("{initn}/PmtInf"),
                "missing",
            ),
            (
                "no transactions",
                format!(
                    "{}</PmtInf></CstmrDrctDbtInitn></Document>",
                    xml.split("<DrctDbtTxInf>").next().unwrap()
                ),
                format!("{pmt}/DrctDbtTxInf"),
                "at least one transaction",
            ),
            (
                "credit transfer",
                xml.replace("<PmtMtd>DD</PmtMtd>", "<PmtMtd>TRF</PmtMtd>"),
                format!("{pmt}/PmtMtd"),
                "expected DD",
            ),
            (
                "missing PmtMtd",
                xml.replace("<PmtMtd>DD</PmtMtd>", ""),
                format!("{pmt}/PmtMtd"),
                "missing",
            ),
            (
                "recurring",
                xml.replace("<SeqTp>OOFF</SeqTp>", "<SeqTp>RCUR</SeqTp>"),
                format!("{pmt}/PmtTpInf/SeqTp"),
                "only one-off collections (OOFF)",
            ),
            (
                "recurring per transaction",
                xml.replace(
                    "<InstdAmt Ccy=\"JPY\">2000</InstdAmt>",
                    "<PmtTpInf><SeqTp>FRST</SeqTp></PmtTpInf><InstdAmt Ccy=\"JPY\">2000</InstdAmt>",
                ),
                tx(2, "/PmtTpInf/SeqTp"),
                "sequence type \"FRST\"",
            ),
            (
                "missing collection date",
                xml.replace("<ReqdColltnDt>2026-11-26</ReqdColltnDt>", ""),
                format!("{pmt}/ReqdColltnDt"),
                "missing",
            ),
            (
                "collection date with a time zone",
                xml.replace("<ReqdColltnDt>2026-11-26<", "<ReqdColltnDt>2026-11-26+09:00<"),
                format!("{pmt}/ReqdColltnDt"),
                "not a date (YYYY-MM-DD)",
            ),
            (
                "missing creditor name",
                replace_nth(&xml, "<Nm>ｹﾂｻｲ ｴｽｸﾛ-</Nm>", "", 2),
                format!("{pmt}/Cdtr/Nm"),
                "missing",
            ),
            (
                "missing creditor scheme ID",
                xml.replace("<PrvtId>", "<Other>").replace("</PrvtId>", "</Other>"),
                format!("{pmt}/CdtrSchmeId"),
                "missing (the creditor scheme ID",
            ),
            (
                "another scheme ID in a transaction",
                xml.replace(
                    "<DbtrAgt>",
                    "<DrctDbtTx><CdtrSchmeId><Id><OrgId><Othr><Id>999</Id></Othr></OrgId></Id>\
                     </CdtrSchmeId></DrctDbtTx><DbtrAgt>",
                ),
                tx(1, "/DrctDbtTx/CdtrSchmeId"),
                "\"999\" differs from the block's creditor scheme ID \"1234567890\"",
            ),
            (
                "missing EndToEndId",
                xml.replace("<EndToEndId>01b2-debit</EndToEndId>", ""),
                tx(2, "/PmtId/EndToEndId"),
                "missing",
            ),
            (
                "duplicate EndToEndId",
                xml.replace("<EndToEndId>01c3-debit<", "<EndToEndId>01a1-debit<"),
                tx(3, "/PmtId/EndToEndId"),
                "duplicate EndToEndId \"01a1-debit\", first at DrctDbtTxInf[1]",
            ),
            (
                "missing amount",
                xml.replace("<InstdAmt Ccy=\"JPY\">2000</InstdAmt>", ""),
                tx(2, "/InstdAmt"),
                "missing",
            ),
            (
                "amount with decimals",
                xml.replace(">50128<", ">50128.5<"),
                tx(1, "/InstdAmt"),
                "JPY amounts have no decimals: \"50128.5\"",
            ),
            (
                "negative amount",
                xml.replace(">50128<", ">-50128<"),
                tx(1, "/InstdAmt"),
                "negative amount",
            ),
            (
                "zero amount",
                xml.replace(">2000<", ">0<"),
                tx(2, "/InstdAmt"),
                "a debit of 0 yen",
            ),
            (
                "euro",
                xml.replace("Ccy=\"JPY\">2000", "Ccy=\"EUR\">2000"),
                tx(2, "/InstdAmt"),
                "currency \"EUR\": only JPY is read",
            ),
            (
                "no currency",
                xml.replace(" Ccy=\"JPY\">2000", ">2000"),
                tx(2, "/InstdAmt"),
                "no Ccy attribute",
            ),
            (
                "amounts overflow",
                xml.replace(">50128<", ">18446744073709551615<"),
                tx(2, "/InstdAmt"),
                "add up to more than",
            ),
            (
                "amount too large",
                xml.replace(">50128<", ">18446744073709551616<"),
                tx(1, "/InstdAmt"),
                "amount too large",
            ),
            (
                "missing mandate",
                xml.replace("<MndtId>01c3</MndtId>", ""),
                tx(3, "/DrctDbtTx/MndtRltdInf/MndtId"),
                "missing",
            ),
            (
                "mandate collected twice",
                xml.replace("<MndtId>01c3</MndtId>", "<MndtId>01a1</MndtId>"),
                tx(3, "/DrctDbtTx/MndtRltdInf/MndtId"),
                "mandate \"01a1\" is collected twice, first at DrctDbtTxInf[1]",
            ),
            (
                "missing signature date",
                xml.replace("<DtOfSgntr>2026-11-26</DtOfSgntr>", ""),
                tx(2, "/DrctDbtTx/MndtRltdInf/DtOfSgntr"),
                "missing",
            ),
            (
                "no such day",
                xml.replace("<DtOfSgntr>2026-11-26<", "<DtOfSgntr>2026-02-29<"),
                tx(2, "/DrctDbtTx/MndtRltdInf/DtOfSgntr"),
                "\"2026-02-29\" is not an ISO date",
            ),
            (
                "signed after the collection date",
                xml.replace("<DtOfSgntr>2026-11-26<", "<DtOfSgntr>2026-11-27<"),
                tx(2, "/DrctDbtTx/MndtRltdInf/DtOfSgntr"),
                "signed on 2026-11-27, after the collection date 2026-11-26",
            ),
            (
                "short member ID",
                xml.replace("<MmbId>0009123</MmbId>", "<MmbId>55</MmbId>"),
                tx(1, "/DbtrAgt/FinInstnId/ClrSysMmbId/MmbId"),
                "\"55\" is not a 4-digit bank code and 3-digit branch code",
            ),
            (
                "another clearing system",
                replace_nth(&xml, "<Cd>JPZGN</Cd>", "<Cd>USABA</Cd>", 3),
                tx(2, "/DbtrAgt/FinInstnId/ClrSysMmbId/ClrSysId/Cd"),
                "only JPZGN (Zengin)",
            ),
            (
                "missing clearing system",
                replace_nth(&xml, "<Cd>JPZGN</Cd>", "", 2),
                tx(1, "/DbtrAgt/FinInstnId/ClrSysMmbId/ClrSysId/Cd"),
                "missing",
            ),
            (
                "unknown account type",
                xml.replace("<Prtry>2</Prtry>", "<Prtry>3</Prtry>"),
                tx(2, "/DbtrAcct/Tp/Prtry"),
                "account type \"3\" is not a Zengin code",
            ),
            (
                "missing account type",
                replace_nth(
                    &replace_nth(&xml, "<Prtry>", "<Other>", 4),
                    "</Prtry>",
                    "</Other>",
                    4,
                ),
                tx(3, "/DbtrAcct/Tp/Prtry"),
                "missing",
            ),
            (
                "short account number",
                xml.replace("<Id>7654321</Id>", "<Id>54321</Id>"),
                tx(1, "/DbtrAcct/Id/Othr/Id"),
                "\"54321\" is not a 7-digit account number",
            ),
            (
                "missing debtor name",
                xml.replace("<Nm>ｽｽﾞｷ ｲﾁﾛｳ</Nm>", ""),
                tx(3, "/Dbtr/Nm"),
                "missing",
            ),
            (
                "two remittance lines",
                xml.replace("<Ustrd>", "<Ustrd>a</Ustrd><Ustrd>"),
                tx(1, "/RmtInf/Ustrd"),
                "more than once",
            ),
        ];
        for (what, doc, path, reason) in cases {
            let e = read_pain_008(doc.as_bytes()).expect_err(what);
            assert!(
                e.path.contains(&path) && e.reason.contains(reason),
                "{what}: expected path containing {path:?} and reason containing {reason:?}, got {e}"
            );
        }
    }

    #[test]
    fn the_transaction_limit_is_enforced() {
        let mut b = batch();
        b.debits.push(debit("01d4", 1, "2222222", "ﾀﾅｶ ｼﾞﾛｳ", ""));
        let xml = write_pain_008(&b);
        assert_eq!(read_with_limit(&xml, 4).unwrap().debits.len(), 4);
        let e = read_with_limit(&xml, 3).unwrap_err();
        assert_eq!(
            e.path,
            "Document/CstmrDrctDbtInitn/PmtInf[1]/DrctDbtTxInf[4]"
        );
        assert_eq!(e.reason, "more than 3 transactions in one document");
    }

    #[test]
    fn dates() {
        for ok in ["2026-11-26", "2024-02-29", "2000-02-29", " 2026-01-31\n"] {
            assert!(date(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "2026-1-26",
            "2026/11/26",
            "2026-13-01",
            "2026-00-10",
            "2026-04-31",
            "1900-02-29",
            "2026-11-26Z",
            "２０２６-11-26",
            "20261126",
        ] {
            assert!(date(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Round trip without xmllint, for IDs and texts with markup characters and Japanese.
        #[test]
        fn write_then_read_is_identity(
            debits in proptest::collection::vec(
                (
                    "[A-Za-z0-9&<>'\"-]{1,35}",
                    1..=u32::MAX as u64,
                    prop_oneof![Just(1u8), Just(2), Just(4)],
                    "[0-9]{7}",
                    "[ｱ-ﾝ ]{0,9}[ｱ-ﾝ]",
                    "[a-zA-Zぁ-ん&<>\" ]{0,140}",
                ),
                1..8,
            )
        ) {
            let mut seen = std::collections::HashSet::new();
            let debits = debits
                .into_iter()
                .filter(|(id, ..)| seen.insert(id.clone()))
                .map(|(id, yen, account_type, number, name, remittance)| DirectDebit {
                    end_to_end_id: format!("e-{id}"),
                    amount_yen: yen,
                    debtor: account("0005", account_type, &number, &name),
                    mandate_id: id,
                    mandate_signed: "2026-10-01".into(),
                    remittance,
                })
                .collect();
            let b = DirectDebitBatch { debits, ..batch() };
            prop_assert_eq!(read_pain_008(&write_pain_008(&b)).unwrap(), b);
        }

        /// Whatever arrives, the reader answers Ok or Err; it does not panic.
        #[test]
        fn the_reader_never_panics(cut in 0..4000usize, junk in "[<>/&;a-zA-Z \"=:]{0,12}") {
            let mut doc = CLIENT_SAMPLE.to_string();
            let mut at = cut.min(doc.len());
            while !doc.is_char_boundary(at) {
                at -= 1;
            }
            doc.insert_str(at, &junk);
            let _ = read_pain_008(doc.as_bytes());
            let _ = read_pain_008(&doc.as_bytes()[..at]);
        }
    }
}
