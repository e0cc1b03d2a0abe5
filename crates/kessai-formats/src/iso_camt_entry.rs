//! Reading camt entries (`Ntry`), as camt.054 and camt.053 share them: which elements of an
//! entry Kessai reads ([`EntryCtx`]), their checks (the schema's lengths, one value each), and
//! the checks when an entry closes. Dates and amounts are checked for the whole document by
//! [`crate::iso_values::TypedLeaves`]; here they are only taken.

use std::collections::HashMap;

use crate::iso_camt::reject;
use crate::iso_notification::{IsoError, NotificationEntry};
use crate::iso_values::{iso_date, iso_date_time, max_text};
use crate::iso_xml::{non_empty, once, optional, parse_bool, parse_direction, parse_yen, Frames};

/// An element of an entry that Kessai reads, decided from its parent's context and its name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryCtx {
    Ntry,
    NtryRef,
    Amt,
    CdtDbtInd,
    RvslInd,
    Sts,
    StsCode,
    /// `BookgDt` or `ValDt` (`value` set for the latter).
    DateChoice {
        value: bool,
    },
    /// Its `Dt` (`time` false) or `DtTm`.
    Date {
        value: bool,
        time: bool,
    },
    AcctSvcrRef,
    NtryDtls,
    TxDtls,
    Refs,
    Ref(Reference),
    RltdPties,
    Dbtr,
    DbtrPty,
    DbtrNm,
    RmtInf,
    Ustrd,
    AddtlNtryInf,
}

/// The transaction references (`TxDtls/Refs`) Kessai keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reference {
    AcctSvcrRef,
    InstrId,
    EndToEndId,
    Uetr,
    TxId,
}

impl EntryCtx {
    /// The context of the child `name`; `None` for elements Kessai does not read.
    pub(crate) fn child(self, name: &str) -> Option<EntryCtx> {
        use EntryCtx::*;
        Some(match (self, name) {
            (Ntry, "NtryRef") => NtryRef,
            (Ntry, "Amt") => Amt,
            (Ntry, "CdtDbtInd") => CdtDbtInd,
            (Ntry, "RvslInd") => RvslInd,
            (Ntry, "Sts") => Sts,
            (Sts, "Cd") | (Sts, "Prtry") => StsCode,
            (Ntry, "BookgDt") => DateChoice { value: false },
            (Ntry, "ValDt") => DateChoice { value: true },
            (DateChoice { value }, "Dt") => Date { value, time: false },
            (DateChoice { value }, "DtTm") => Date { value, time: true },
            (Ntry, "AcctSvcrRef") => AcctSvcrRef,
            (Ntry, "NtryDtls") => NtryDtls,
            (NtryDtls, "TxDtls") => TxDtls,
            (TxDtls, "Refs") => Refs,
            (Refs, "AcctSvcrRef") => Ref(Reference::AcctSvcrRef),
            (Refs, "InstrId") => Ref(Reference::InstrId),
            (Refs, "EndToEndId") => Ref(Reference::EndToEndId),
            (Refs, "UETR") => Ref(Reference::Uetr),
            (Refs, "TxId") => Ref(Reference::TxId),
            (TxDtls, "RltdPties") => RltdPties,
            (RltdPties, "Dbtr") => Dbtr,
            (Dbtr, "Pty") => DbtrPty,
            (DbtrPty, "Nm") => DbtrNm,
            (TxDtls, "RmtInf") => RmtInf,
            (RmtInf, "Ustrd") => Ustrd,
            (Ntry, "AddtlNtryInf") => AddtlNtryInf,
            _ => return None,
        })
    }
}

/// An entry's values as read, checked when `Ntry` closes.
#[derive(Default)]
struct EntryDraft {
    reference: Option<String>,
    servicer_reference: Option<String>,
    /// `TxDtls/Refs/AcctSvcrRef`, used when the entry itself has none.
    transaction_servicer_reference: Option<String>,
    amount: Option<u64>,
    credit: Option<bool>,
    reversal: Option<bool>,
    status: Option<String>,
    booking_date: Option<String>,
    value_date: Option<String>,
    transactions: usize,
    instruction_id: Option<String>,
    end_to_end_id: Option<String>,
    uetr: Option<String>,
    transaction_id: Option<String>,
    debtor_name: Option<String>,
    remittance: Option<String>,
    additional_info: Option<String>,
}

/// The entries of one camt document, as they are read.
pub(crate) struct Entries {
    max: usize,
    pub(crate) list: Vec<NotificationEntry>,
    /// Where each `NtryRef` was first seen (it is unique within a message).
    references: HashMap<String, usize>,
    /// Where each `AcctSvcrRef` was first seen (the bank's reference is unique, and is the
    /// entry's identity).
    servicer_references: HashMap<String, usize>,
    draft: Option<EntryDraft>,
}

/// An optional text of at most `max` characters: empty is absent.
fn optional_max(text: String, max: usize) -> Result<Option<String>, String> {
    Ok(optional(max_text(text, max)?))
}

/// Sets an optional identifier (`Max35Text`) once, if it is not empty.
fn id_once(slot: &mut Option<String>, text: String) -> Result<(), String> {
    match optional_max(text, 35)? {
        Some(v) => once(slot, v.trim().to_string()),
        None => Ok(()),
    }
}

/// A UUIDv4 (`UUIDv4Identifier`), lower case as the schema's pattern has it.
fn uetr(text: &str) -> Result<String, String> {
    let t = text.trim();
    let b = t.as_bytes();
    let hex = |c: &u8| c.is_ascii_digit() || (b'a'..=b'f').contains(c);
    let shaped = b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                *c == b'-'
            } else {
                hex(c)
            }
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b');
    if !shaped {
        return Err(format!("{t:?} is not a UUIDv4 (UETR)"));
    }
    Ok(t.to_string())
}

impl Entries {
    pub(crate) fn new(max: usize) -> Self {
        Entries {
            max,
            list: Vec::new(),
            references: HashMap::new(),
            servicer_references: HashMap::new(),
            draft: None,
        }
    }

    fn draft(&mut self) -> &mut EntryDraft {
        self.draft.as_mut().expect("inside an entry")
    }

    /// An element of an entry, `name`, opens inside the innermost of `frames`. Returns the
    /// entry's index for `Ntry`.
    pub(crate) fn start<C: Copy>(
        &mut self,
        ctx: EntryCtx,
        frames: &Frames<C>,
        name: &str,
    ) -> Result<Option<usize>, IsoError> {
        let next = self.list.len() + 1;
        let path = || match ctx {
            EntryCtx::Ntry => frames.path_to(&format!("{name}[{next}]")),
            _ => frames.path_to(name),
        };
        match ctx {
            EntryCtx::Ntry => {
                let n = self.list.len() + 1;
                if n > self.max {
                    return reject(path(), format!("more than {} entries", self.max));
                }
                self.draft = Some(EntryDraft::default());
                Ok(Some(n))
            }
            EntryCtx::TxDtls => {
                let draft = self.draft();
                draft.transactions += 1;
                if draft.transactions > 1 {
                    return reject(
                        path(),
                        "more than one transaction in the entry: Kessai needs one transfer per entry",
                    );
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// Takes the text of an element of the entry; `Err` is the reason for rejecting it.
    pub(crate) fn leaf(&mut self, ctx: EntryCtx, text: String) -> Result<(), String> {
        let d = self.draft();
        match ctx {
            EntryCtx::NtryRef => {
                let reference = max_text(non_empty(text)?, 35)?;
                let index = self.list.len() + 1;
                if let Some(first) = self.references.get(&reference) {
                    return Err(format!(
                        "duplicate entry reference {reference:?} (first in Ntry[{first}])"
                    ));
                }
                once(&mut self.draft().reference, reference.clone())?;
                self.references.insert(reference, index);
                Ok(())
            }
            // The currency and format were checked by `TypedLeaves`.
            EntryCtx::Amt => once(&mut d.amount, parse_yen(&text)?),
            EntryCtx::CdtDbtInd => once(&mut d.credit, parse_direction(&text)?),
            EntryCtx::RvslInd => once(&mut d.reversal, parse_bool(&text)?),
            EntryCtx::StsCode => once(&mut d.status, max_text(text, 35)?.trim().to_string()),
            EntryCtx::Date { value, time } => {
                let date = if time {
                    iso_date_time(&text)?
                } else {
                    iso_date(&text)?
                };
                let slot = if value {
                    &mut d.value_date
                } else {
                    &mut d.booking_date
                };
                once(slot, date)
            }
            EntryCtx::AcctSvcrRef => id_once(&mut d.servicer_reference, text),
            EntryCtx::Ref(r) => match r {
                Reference::AcctSvcrRef => id_once(&mut d.transaction_servicer_reference, text),
                Reference::InstrId => id_once(&mut d.instruction_id, text),
                Reference::EndToEndId => id_once(&mut d.end_to_end_id, text),
                Reference::TxId => id_once(&mut d.transaction_id, text),
                Reference::Uetr => once(&mut d.uetr, uetr(&text)?),
            },
            EntryCtx::DbtrNm => match optional_max(text, 140)? {
                Some(name) => once(&mut d.debtor_name, name),
                None => Ok(()),
            },
            // Several Ustrd (each Max140Text) continue one another.
            EntryCtx::Ustrd => {
                let line = max_text(text, 140)?;
                if !line.is_empty() {
                    d.remittance.get_or_insert_with(String::new).push_str(&line);
                }
                Ok(())
            }
            EntryCtx::AddtlNtryInf => match optional_max(text, 500)? {
                Some(info) => once(&mut d.additional_info, info),
                None => Ok(()),
            },
            _ => Ok(()),
        }
    }

    /// The entry closes: checked and kept, or why it is refused; `path_to` names a child of
    /// the `Ntry` element.
    pub(crate) fn end_entry(&mut self, path_to: impl Fn(&str) -> String) -> Result<(), IsoError> {
        let d = self.draft.take().expect("inside an entry");
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
        let index = self.list.len() + 1;
        let servicer_reference = d.servicer_reference.or(d.transaction_servicer_reference);
        if let Some(r) = &servicer_reference {
            if let Some(first) = self.servicer_references.insert(r.clone(), index) {
                return reject(
                    path_to("AcctSvcrRef"),
                    format!("duplicate account servicer reference {r:?} (first in Ntry[{first}])"),
                );
            }
        }
        self.list.push(NotificationEntry {
            entry_reference: d.reference,
            account_servicer_reference: servicer_reference,
            amount_yen,
            credit,
            booking_date: d.booking_date,
            value_date: d.value_date,
            reversal: d.reversal.unwrap_or(false),
            instruction_id: d.instruction_id,
            end_to_end_id: d.end_to_end_id,
            uetr: d.uetr,
            transaction_id: d.transaction_id,
            debtor_name: d.debtor_name,
            remittance: d.remittance,
            additional_info: d.additional_info,
        });
        Ok(())
    }
}
