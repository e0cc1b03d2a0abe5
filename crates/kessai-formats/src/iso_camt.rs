//! What camt.054 and camt.053 share: the entry (`Ntry`) writer, the account (`Acct`) reader
//! and checks, the root element check, and the event loop of their readers (which checks every
//! date and amount of the document, [`TypedLeaves`]). Entries are read in
//! [`crate::iso_camt_entry`].

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::iso_notification::{IsoError, NotificationEntry};
use crate::iso_values::{max_text, TypedLeaves};
use crate::iso_xml::{in_namespace, non_empty, once, Frames, Xml};

impl Xml {
    /// One camt `Ntry` (camt.054 and camt.053 write entries alike), elements in the schema's
    /// order; what is `None` is left out.
    pub(crate) fn entry(&mut self, e: &NotificationEntry) {
        self.open("Ntry");
        self.optional_leaf("NtryRef", &e.entry_reference);
        self.amount("Amt", e.amount_yen);
        self.leaf("CdtDbtInd", if e.credit { "CRDT" } else { "DBIT" });
        if e.reversal {
            self.leaf("RvslInd", "true");
        }
        self.open("Sts");
        self.leaf("Cd", "BOOK");
        self.close("Sts");
        for (name, date) in [("BookgDt", &e.booking_date), ("ValDt", &e.value_date)] {
            if let Some(date) = present(date) {
                self.open(name);
                self.leaf("Dt", date);
                self.close(name);
            }
        }
        self.optional_leaf("AcctSvcrRef", &e.account_servicer_reference);
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
        let refs = [
            ("InstrId", &e.instruction_id),
            ("EndToEndId", &e.end_to_end_id),
            ("UETR", &e.uetr),
            ("TxId", &e.transaction_id),
        ];
        let any_ref = refs.iter().any(|(_, v)| present(v).is_some());
        let debtor = present(&e.debtor_name);
        let remittance = present(&e.remittance);
        if any_ref || debtor.is_some() || remittance.is_some() {
            self.open("NtryDtls");
            self.open("TxDtls");
            if any_ref {
                self.open("Refs");
                for (name, value) in refs {
                    self.optional_leaf(name, value);
                }
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
        self.optional_leaf("AddtlNtryInf", &e.additional_info);
        self.close("Ntry");
    }

    fn optional_leaf(&mut self, name: &str, value: &Option<String>) {
        if let Some(v) = present(value) {
            self.leaf(name, v);
        }
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

/// A camt refusal at `path`.
pub(crate) fn reject<T>(path: String, reason: impl Into<String>) -> Result<T, IsoError> {
    Err(IsoError {
        path,
        reason: reason.into(),
    })
}

/// An element of the account block (`Ntfctn/Acct`, `Stmt/Acct`) that Kessai reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AcctCtx {
    Acct,
    Id,
    Iban,
    Othr,
    Number,
    Ccy,
    Svcr,
    FinInstnId,
    ClrSysMmbId,
    ClrSysId,
    ClrSysCd,
    MmbId,
}

impl AcctCtx {
    /// The context of the child `name`; `None` for elements Kessai does not read.
    pub(crate) fn child(self, name: &str) -> Option<AcctCtx> {
        use AcctCtx::*;
        Some(match (self, name) {
            (Acct, "Id") => Id,
            (Id, "IBAN") => Iban,
            (Id, "Othr") => Othr,
            (Othr, "Id") => Number,
            (Acct, "Ccy") => Ccy,
            (Acct, "Svcr") => Svcr,
            (Svcr, "FinInstnId") => FinInstnId,
            (FinInstnId, "ClrSysMmbId") => ClrSysMmbId,
            (ClrSysMmbId, "ClrSysId") => ClrSysId,
            (ClrSysId, "Cd") => ClrSysCd,
            (ClrSysMmbId, "MmbId") => MmbId,
            _ => return None,
        })
    }
}

/// The account a camt document reports on (`Ntfctn/Acct` or `Stmt/Acct`), as read.
#[derive(Default)]
pub(crate) struct AccountDraft {
    /// `Acct/Id/Othr/Id` or `Acct/Id/IBAN`.
    number: Option<String>,
    /// `Acct/Svcr/FinInstnId/ClrSysMmbId/ClrSysId/Cd`.
    clearing_system: Option<String>,
    /// `Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId`.
    member_id: Option<String>,
}

/// An `IBAN2007Identifier`: `[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}`.
fn iban(text: &str) -> Result<String, String> {
    let t = text.trim();
    let b = t.as_bytes();
    let shaped = (5..=34).contains(&b.len())
        && b[..2].iter().all(u8::is_ascii_uppercase)
        && b[2..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_alphanumeric);
    if !shaped {
        return Err(format!("{t:?} is not an IBAN"));
    }
    Ok(t.to_string())
}

impl AccountDraft {
    /// Takes the text of an element of the account; `Err` is the reason for rejecting it.
    pub(crate) fn leaf(&mut self, ctx: AcctCtx, text: String) -> Result<(), String> {
        match ctx {
            AcctCtx::Number => once(
                &mut self.number,
                max_text(non_empty(text)?, 34)?.trim().to_string(),
            ),
            AcctCtx::Iban => once(&mut self.number, iban(&text)?),
            AcctCtx::Ccy => match text.trim() {
                "JPY" => Ok(()),
                other => Err(format!(
                    "account currency {other:?}: Kessai holds JPY accounts only"
                )),
            },
            AcctCtx::ClrSysCd => once(&mut self.clearing_system, text.trim().to_string()),
            AcctCtx::MmbId => once(&mut self.member_id, max_text(text, 35)?.trim().to_string()),
            _ => Ok(()),
        }
    }

    /// Checks the account of the `Ntfctn` or `Stmt` at `path`: a number (`Othr/Id` or `IBAN`)
    /// is needed; the servicer is optional, and when given as a Zengin member ID it is the
    /// 4-digit bank and 3-digit branch code.
    pub(crate) fn check(&self, path: &str) -> Result<(), IsoError> {
        if self.number.is_none() {
            return reject(
                format!("{path}/Acct/Id"),
                "missing: the account number (Othr/Id or IBAN) is needed",
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
            None => Ok(()),
            Some(id) if id.len() == 7 && id.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            Some(id) => reject(
                format!("{member}/MmbId"),
                format!("{id:?}: expected 4-digit bank and 3-digit branch code"),
            ),
        }
    }

    /// The account number, and the bank and branch codes when the document gives them, once
    /// [`check`](Self::check) passed.
    pub(crate) fn into_parts(self) -> (String, Option<String>, Option<String>) {
        let number = self.number.expect("checked with the account");
        match self.member_id {
            Some(m) => (number, Some(m[..4].to_string()), Some(m[4..].to_string())),
            None => (number, None, None),
        }
    }
}

/// Checks an element that opens outside any other: it must be the document's only root, and
/// `Document` in `namespace` (camt readers read one message version each).
pub(crate) fn check_root<C: Copy>(
    frames: &Frames<C>,
    ns: &ResolveResult,
    name: &str,
    namespace: &str,
) -> Result<(), IsoError> {
    if frames.root_seen() {
        return reject(format!("/{name}"), "a second root element");
    }
    let found = match ns {
        ResolveResult::Bound(n) => String::from_utf8_lossy(n.as_ref()).into_owned(),
        _ => "no namespace".into(),
    };
    if name != "Document" || !in_namespace(ns, namespace) {
        return reject(
            format!("/{name}"),
            format!("expected Document in namespace {namespace}, found {name} in {found}"),
        );
    }
    Ok(())
}

/// A camt reader's state, fed by [`read_camt`]. The reader keeps its open elements in a
/// [`Frames`] (paths in the `/Document/…` form) and the text of the element being read;
/// `read_camt` uses both for errors it finds itself.
pub(crate) trait CamtParser {
    type Ctx: Copy;
    type Output;
    /// The message's namespace, e.g. `urn:iso:std:iso:20022:tech:xsd:camt.054.001.08`.
    const NAMESPACE: &'static str;
    /// The open elements.
    fn frames(&self) -> &Frames<Self::Ctx>;
    /// The text of the element being read.
    fn text(&mut self) -> &mut String;
    fn start(&mut self, ns: &ResolveResult, e: &BytesStart) -> Result<(), IsoError>;
    /// The innermost open element closes.
    fn end(&mut self) -> Result<(), IsoError>;
    /// The result, once the whole document is read (its root element opened and closed).
    fn finish(self) -> Result<Self::Output, IsoError>;
}

/// Reads a camt document event by event into `p`.
pub(crate) fn read_camt<P: CamtParser>(xml: &[u8], mut p: P) -> Result<P::Output, IsoError> {
    let mut reader = NsReader::from_reader(xml);
    let mut leaves = TypedLeaves::default();
    loop {
        let (ns, event) = match reader.read_resolved_event() {
            Ok(v) => v,
            Err(err) => {
                let path = if p.frames().is_empty() {
                    "/".into()
                } else {
                    p.frames().path()
                };
                return reject(
                    path,
                    format!("malformed XML at byte {}: {err}", reader.error_position()),
                );
            }
        };
        match event {
            Event::Start(e) => {
                p.start(&ns, &e)?;
                leaves
                    .open(&e, in_namespace(&ns, P::NAMESPACE))
                    .or_else(|reason| reject(p.frames().path(), reason))?;
            }
            Event::Empty(e) => {
                p.start(&ns, &e)?;
                leaves
                    .open(&e, in_namespace(&ns, P::NAMESPACE))
                    .and_then(|()| leaves.close())
                    .or_else(|reason| reject(p.frames().path(), reason))?;
                p.end()?;
            }
            Event::End(_) => {
                leaves
                    .close()
                    .or_else(|reason| reject(p.frames().path(), reason))?;
                p.end()?;
            }
            Event::Text(t) => {
                let text = t.unescape().map_err(|err| IsoError {
                    path: p.frames().path(),
                    reason: format!("malformed text: {err}"),
                })?;
                if p.frames().is_empty() {
                    if !text.trim().is_empty() {
                        return reject("/".into(), "text outside the root element");
                    }
                } else {
                    leaves.text(&text);
                    p.text().push_str(&text);
                }
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|err| IsoError {
                    path: p.frames().path(),
                    reason: format!("malformed CDATA: {err}"),
                })?;
                leaves.text(&text);
                p.text().push_str(&text);
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !p.frames().is_empty() {
        return reject(p.frames().path(), "the document ends inside this element");
    }
    if !p.frames().root_seen() {
        return reject("/".into(), "no root element");
    }
    p.finish()
}
