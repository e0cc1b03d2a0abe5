//! What camt.054 and camt.053 share: the entry (`Ntry`) writer and reader, the account
//! (`Acct`) checks, the root element check, and the event loop of their readers.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use crate::iso_notification::{IsoError, NotificationEntry};
use crate::iso_xml::{in_namespace, parse_yen, Frames, Xml};

impl Xml {
    /// One camt `Ntry` (camt.054 and camt.053 write entries alike).
    pub(crate) fn entry(&mut self, e: &NotificationEntry) {
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

/// A camt refusal at `path`.
pub(crate) fn reject<T>(path: String, reason: impl Into<String>) -> Result<T, IsoError> {
    Err(IsoError {
        path,
        reason: reason.into(),
    })
}

/// An entry's values as read, checked when `Ntry` closes.
#[derive(Default)]
pub(crate) struct EntryDraft {
    pub(crate) reference: Option<String>,
    pub(crate) currency: Option<String>,
    pub(crate) amount: Option<u64>,
    pub(crate) credit: Option<bool>,
    pub(crate) reversal: Option<bool>,
    pub(crate) status: Option<String>,
    pub(crate) booking_date: Option<String>,
    pub(crate) transactions: usize,
    pub(crate) end_to_end_id: Option<String>,
    pub(crate) debtor_name: Option<String>,
    pub(crate) remittance: Option<String>,
    pub(crate) additional_info: Option<String>,
}

impl EntryDraft {
    /// The entry, or why it is refused; `path_to` names a child of the `Ntry` element.
    pub(crate) fn finish(
        self,
        path_to: impl Fn(&str) -> String,
    ) -> Result<NotificationEntry, IsoError> {
        let d = self;
        let Some(entry_reference) = d.reference else {
            return reject(
                path_to("NtryRef"),
                "missing: the entry reference identifies the entry",
            );
        };
        let Some(amount_yen) = d.amount else {
            return reject(path_to("Amt"), "missing");
        };
        let Some(credit) = d.credit else {
            return reject(path_to("CdtDbtInd"), "missing");
        };
        match d.status.as_deref() {
            None => return reject(path_to("Sts"), "missing"),
            Some("BOOK") => {}
            Some(other) => {
                return reject(
                    path_to("Sts"),
                    format!("status {other:?}: only booked entries (BOOK) are accepted"),
                )
            }
        }
        let Some(booking_date) = d.booking_date else {
            return reject(path_to("BookgDt"), "missing");
        };
        Ok(NotificationEntry {
            entry_reference,
            amount_yen,
            credit,
            booking_date,
            reversal: d.reversal.unwrap_or(false),
            end_to_end_id: d.end_to_end_id,
            debtor_name: d.debtor_name,
            remittance: d.remittance,
            additional_info: d.additional_info,
        })
    }
}

/// The `Ccy` attribute of an amount.
pub(crate) fn currency(e: &BytesStart) -> Result<String, String> {
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
pub(crate) fn jpy(currency: Option<&str>, text: &str) -> Result<u64, String> {
    let currency = currency.unwrap_or_default();
    if currency != "JPY" {
        return Err(format!("currency {currency:?}, expected JPY"));
    }
    parse_yen(text)
}

/// The account a camt document reports on (`Ntfctn/Acct` or `Stmt/Acct`), as read.
#[derive(Default)]
pub(crate) struct AccountDraft {
    /// `Acct/Id/Othr/Id`.
    pub(crate) number: Option<String>,
    /// `Acct/Svcr/FinInstnId/ClrSysMmbId/ClrSysId/Cd`.
    pub(crate) clearing_system: Option<String>,
    /// `Acct/Svcr/FinInstnId/ClrSysMmbId/MmbId`.
    pub(crate) member_id: Option<String>,
}

impl AccountDraft {
    /// Checks the account of the `Ntfctn` or `Stmt` at `path`: a number and a Zengin member ID
    /// (4-digit bank and 3-digit branch code) are needed to know whose money it is.
    pub(crate) fn check(&self, path: &str) -> Result<(), IsoError> {
        if self.number.is_none() {
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
            None => reject(
                format!("{member}/MmbId"),
                "missing: the bank and branch code identify the account",
            ),
            Some(id) if id.len() == 7 && id.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
            Some(id) => reject(
                format!("{member}/MmbId"),
                format!("{id:?}: expected 4-digit bank and 3-digit branch code"),
            ),
        }
    }

    /// The account number, bank code and branch code, once [`check`](Self::check) passed.
    pub(crate) fn into_parts(self) -> (String, String, String) {
        let member = self.member_id.expect("checked with the account");
        let number = self.number.expect("checked with the account");
        (number, member[..4].to_string(), member[4..].to_string())
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
            Event::Start(e) => p.start(&ns, &e)?,
            Event::Empty(e) => {
                p.start(&ns, &e)?;
                p.end()?;
            }
            Event::End(_) => p.end()?,
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
                    p.text().push_str(&text);
                }
            }
            Event::CData(c) => {
                let text = c.decode().map_err(|err| IsoError {
                    path: p.frames().path(),
                    reason: format!("malformed CDATA: {err}"),
                })?;
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
