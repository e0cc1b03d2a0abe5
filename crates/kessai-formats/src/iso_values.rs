//! The values the ISO 20022 schemas type, checked wherever they appear: real dates
//! (`ISODate`, `ISODateTime`), amounts in JPY (whole yen, the schemas' decimal), and the
//! `MaxNText` lengths. [`TypedLeaves`] applies the date and amount checks to every element of a
//! document, also in the parts a reader otherwise skips.

use quick_xml::events::BytesStart;

use crate::iso_xml::{local_name, parse_yen};

/// An `xs:date` (`YYYY-MM-DD`) that is a real day of the Gregorian calendar, as the ISODate
/// of the schemas (an optional time zone after it is allowed, as in `xs:date`).
pub(crate) fn iso_date(text: &str) -> Result<String, String> {
    let t = text.trim();
    let (date, zone) = t.split_at(t.len().min(10));
    if !real_date(date) || !time_zone(zone) {
        return Err(format!("{t:?} is not an ISO date (YYYY-MM-DD, a real day)"));
    }
    Ok(date.to_string())
}

/// An `xs:dateTime` (`YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm]`) on a real day at a real time, as the
/// ISODateTime of the schemas; returns its date part.
pub(crate) fn iso_date_time(text: &str) -> Result<String, String> {
    let t = text.trim();
    let refuse =
        || format!("{t:?} is not an ISO date-time (YYYY-MM-DDThh:mm:ss, a real day and time)");
    let (date, rest) = t.split_at(t.len().min(10));
    let Some(time) = rest.strip_prefix('T') else {
        return Err(refuse());
    };
    let b = time.as_bytes();
    let two = |i: usize, max: u32| -> bool {
        b.len() >= i + 2
            && b[i..i + 2].iter().all(u8::is_ascii_digit)
            && u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0') <= max
    };
    let clock =
        b.len() >= 8 && two(0, 23) && b[2] == b':' && two(3, 59) && b[5] == b':' && two(6, 59);
    if !real_date(date) || !clock {
        return Err(refuse());
    }
    let mut zone = &time[8..];
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(refuse());
        }
        zone = &fraction[digits..];
    }
    if !time_zone(zone) {
        return Err(refuse());
    }
    Ok(date.to_string())
}

/// `YYYY-MM-DD` naming a day that exists.
fn real_date(date: &str) -> bool {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = &date[range];
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    crate::days::exists(year, month, day)
}

/// Nothing, `Z`, or `±hh:mm` (at most 14:00).
fn time_zone(zone: &str) -> bool {
    let b = zone.as_bytes();
    match b.first() {
        None => true,
        Some(b'Z') => b.len() == 1,
        Some(b'+' | b'-') => {
            b.len() == 6
                && b[3] == b':'
                && [1, 2, 4, 5].iter().all(|&i| b[i].is_ascii_digit())
                && zone[1..3].parse::<u32>().is_ok_and(|h| h <= 14)
                && zone[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
        }
        Some(_) => false,
    }
}

/// A text of at most `max` characters, as the schema's `Max{max}Text` counts them.
pub(crate) fn max_text(text: String, max: usize) -> Result<String, String> {
    let chars = text.chars().count();
    if chars > max {
        return Err(format!(
            "{chars} characters, longer than the {max} the standard allows (Max{max}Text)"
        ));
    }
    Ok(text)
}

/// What the schemas say a leaf element holds, for the checks every element of that type gets
/// wherever it sits — also in the parts of a document a reader skips.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LeafType {
    Date,
    DateTime,
    /// An amount with its currency (`Ccy` attribute): JPY, whole yen.
    Amount,
}

/// Elements of type ISODate in camt.053/.054.001.08 and pain.002.001.11 (the same name is
/// never another simple type there; `Dt` is also a choice of `Dt`/`DtTm`, which has children).
const DATE_ELEMENTS: &[&str] = &[
    "ActlDt",
    "BirthDt",
    "Dt",
    "DtOfSgntr",
    "EndDt",
    "FnlColltnDt",
    "FnlPmtDt",
    "FrDt",
    "FrstColltnDt",
    "FrstPmtDt",
    "IntrBkSttlmDt",
    "OrgnlFnlColltnDt",
    "ReqdColltnDt",
    "RltdDt",
    "StartDt",
    "ToDt",
    "TradActvtyCtrctlSttlmDt",
    "TradDt",
    "VldtnDt",
    "Yr",
];

/// Elements of type ISODateTime there.
const DATE_TIME_ELEMENTS: &[&str] = &[
    "AccptncDtTm",
    "CreDtTm",
    "DtOfVrfctn",
    "DtTm",
    "FrDtTm",
    "OrgnlCreDtTm",
    "QtnDt",
    "ToDtTm",
    "TxDtTm",
];

/// Elements whose type is a currency amount (`…CurrencyAndAmount`, `Ccy` required) there. `Amt`
/// is one everywhere except under `TtlNetNtry` (a plain decimal with a direction).
const AMOUNT_ELEMENTS: &[&str] = &[
    "Amt",
    "CdtNoteAmt",
    "ChrgsAmt",
    "ConfdAmt",
    "DuePyblAmt",
    "InstdAmt",
    "IntrBkSttlmAmt",
    "NoteDnmtn",
    "Pric",
    "RmtdAmt",
    "TaxblBaseAmt",
    "TtlAmt",
    "TtlChrgsAndTaxAmt",
    "TtlIntrstAndTaxAmt",
    "TtlTaxAmt",
    "TtlTaxblBaseAmt",
];

fn leaf_type(name: &str, parent: Option<&str>) -> Option<LeafType> {
    if DATE_ELEMENTS.contains(&name) {
        Some(LeafType::Date)
    } else if DATE_TIME_ELEMENTS.contains(&name) {
        Some(LeafType::DateTime)
    } else if AMOUNT_ELEMENTS.contains(&name) && !(name == "Amt" && parent == Some("TtlNetNtry")) {
        Some(LeafType::Amount)
    } else {
        None
    }
}

struct OpenLeaf {
    name: String,
    kind: Option<LeafType>,
    /// The `Ccy` attribute, if any (every element carrying one is an amount).
    currency: Option<String>,
    children: bool,
}

/// Checks every date, date-time and amount of a document, whichever reader reads it: the
/// readers' loops feed it every element of the message's namespace (`open`, `text`, `close`).
/// Dates must be real days, amounts JPY in whole yen (the schemas' decimal, no fraction).
#[derive(Default)]
pub(crate) struct TypedLeaves {
    stack: Vec<OpenLeaf>,
    text: String,
}

impl TypedLeaves {
    /// An element opens; `ours` is whether it is in the message's namespace. `Err` is why its
    /// attributes are refused.
    pub(crate) fn open(&mut self, e: &BytesStart, ours: bool) -> Result<(), String> {
        let name = local_name(e);
        let parent = self.stack.last_mut();
        let parent_name = parent.as_ref().map(|p| p.name.clone());
        if let Some(p) = parent {
            p.children = true;
        }
        let (kind, currency) = if ours {
            let currency = match e.try_get_attribute("Ccy") {
                Ok(Some(a)) => Some(
                    a.unescape_value()
                        .map(|c| c.into_owned())
                        .map_err(|err| format!("malformed Ccy: {err}"))?,
                ),
                Ok(None) => None,
                Err(err) => return Err(format!("malformed attributes: {err}")),
            };
            (leaf_type(&name, parent_name.as_deref()), currency)
        } else {
            (None, None)
        };
        self.text.clear();
        self.stack.push(OpenLeaf {
            name,
            kind,
            currency,
            children: false,
        });
        Ok(())
    }

    /// Text inside the innermost open element.
    pub(crate) fn text(&mut self, text: &str) {
        if let Some(top) = self.stack.last() {
            if top.kind.is_some() || top.currency.is_some() {
                self.text.push_str(text);
            }
        }
    }

    /// The innermost element closes; `Err` is why its value is refused.
    pub(crate) fn close(&mut self) -> Result<(), String> {
        let Some(top) = self.stack.pop() else {
            return Ok(());
        };
        let text = std::mem::take(&mut self.text);
        if top.children {
            return Ok(());
        }
        let kind = top
            .kind
            .or(top.currency.is_some().then_some(LeafType::Amount));
        match kind {
            None => Ok(()),
            Some(LeafType::Date) => iso_date(&text).map(drop),
            Some(LeafType::DateTime) => iso_date_time(&text).map(drop),
            Some(LeafType::Amount) => jpy(top.currency.as_deref(), &text).map(drop),
        }
    }
}

/// Whole yen in `JPY` from an amount's currency (`Ccy`) and text.
pub(crate) fn jpy(currency: Option<&str>, text: &str) -> Result<u64, String> {
    match currency {
        None => return Err("amount without Ccy (its currency), expected JPY".into()),
        Some("JPY") => {}
        Some(other) => return Err(format!("currency {other:?}, expected JPY")),
    }
    parse_yen(text)
}
