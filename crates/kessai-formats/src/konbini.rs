//! Convenience-store payments (コンビニ収納代行): the GS1-128 barcode data of a payment slip
//! (`standards/konbini-gs1-128.md`: AI 91, 42 digits, modulus-10 check digit with weights 3
//! and 1) and the collection agent's payment file, in which the agent reports what the stores
//! took: a preliminary report (速報) on the day, the confirmed one (確報) later.
//!
//! The agent's file (UTF-8 CSV, one record per line; agents' layouts differ, this is the one
//! Kessai and its simulator share, kept as data below):
//!
//! ```text
//! H,<agent code>,<1 速報 | 2 確報>,<created YYYYMMDDHHMMSS>,<file number>
//! D,<record no>,<barcode data (44 digits) or empty>,<payment number>,<amount>,<paid at YYYYMMDDHHMMSS>,<chain>,<store>
//! T,<records>,<total yen>
//! ```

use std::fmt::Write as _;
use time::{Date, Month, PrimitiveDateTime, Time};

/// The most one slip carries: the barcode's amount field has 6 digits.
pub const MAX_SLIP_YEN: i64 = 999_999;

/// Why slip data could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlipError {
    #[error("the company code must be 6 digits")]
    Company,
    #[error("the reference must be at most 21 digits")]
    Reference,
    #[error("the amount must be from 1 to 999,999 yen")]
    Amount,
    #[error("the reissue count must be 0 to 9")]
    Reissue,
}

/// The check digit of `digits` (the 43 digits before it, `91` included): weights 3 and 1
/// alternating from the rightmost digit, 3 first; (10 − sum mod 10) mod 10.
pub fn check_digit(digits: &str) -> u8 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// The 44 digits of a slip's barcode (AI `91` first).
pub fn barcode_data(
    company: &str,
    reference: &str,
    reissue: u8,
    due: Date,
    stamp: bool,
    amount_yen: i64,
) -> Result<String, SlipError> {
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if company.len() != 6 || !digits(company) {
        return Err(SlipError::Company);
    }
    if reference.len() > 21 || !digits(reference) {
        return Err(SlipError::Reference);
    }
    if reissue > 9 {
        return Err(SlipError::Reissue);
    }
    if !(1..=MAX_SLIP_YEN).contains(&amount_yen) {
        return Err(SlipError::Amount);
    }
    let mut data = String::with_capacity(44);
    write!(
        data,
        "91{company}{reference:0>21}{reissue}{:02}{:02}{:02}{}{amount_yen:06}",
        due.year() % 100,
        u8::from(due.month()),
        due.day(),
        u8::from(stamp)
    )
    .expect("writing to a String");
    let check = check_digit(&data);
    data.push(char::from(b'0' + check));
    Ok(data)
}

/// What a slip's barcode says, read back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlipData {
    pub company: String,
    pub reference: String,
    pub reissue: u8,
    pub due: Date,
    pub stamp: bool,
    pub amount_yen: i64,
}

/// Reads 44 digits of barcode data, the check digit verified.
pub fn read_barcode(data: &str) -> Option<SlipData> {
    if data.len() != 44 || !data.bytes().all(|b| b.is_ascii_digit()) || !data.starts_with("91") {
        return None;
    }
    if check_digit(&data[..43]) != data.as_bytes()[43] - b'0' {
        return None;
    }
    let n = |r: std::ops::Range<usize>| data[r].parse::<u32>().ok();
    let month = Month::try_from(n(32..34)? as u8).ok()?;
    let due = Date::from_calendar_date(2000 + n(30..32)? as i32, month, n(34..36)? as u8).ok()?;
    Some(SlipData {
        company: data[2..8].to_string(),
        reference: data[8..29].to_string(),
        reissue: data.as_bytes()[29] - b'0',
        due,
        stamp: &data[36..37] == "1",
        amount_yen: i64::from(n(37..43)?),
    })
}

/// Which report a payment file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// 速報: what the stores took today, not yet final.
    Preliminary,
    /// 確報: final; the agent remits this.
    Confirmed,
}

impl ReportKind {
    pub fn code(self) -> &'static str {
        match self {
            ReportKind::Preliminary => "1",
            ReportKind::Confirmed => "2",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Preliminary => "preliminary",
            ReportKind::Confirmed => "confirmed",
        }
    }
}

/// One payment a store took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorePayment {
    pub record_no: u32,
    /// The barcode the store scanned, when it scanned one (a payment by number has none).
    pub barcode: Option<String>,
    pub payment_number: String,
    pub amount_yen: i64,
    pub paid_at: PrimitiveDateTime,
    pub chain: String,
    pub store: String,
}

/// An agent's payment file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentFile {
    pub agent: String,
    pub kind: ReportKind,
    pub created_at: PrimitiveDateTime,
    pub file_no: u32,
    pub payments: Vec<StorePayment>,
}

const STAMP: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year][month][day][hour][minute][second]");

fn stamp(at: PrimitiveDateTime) -> String {
    at.format(STAMP).expect("a date formats")
}

/// The file's bytes.
pub fn write(file: &PaymentFile) -> Vec<u8> {
    let mut out = format!(
        "H,{},{},{},{}\n",
        file.agent,
        file.kind.code(),
        stamp(file.created_at),
        file.file_no
    );
    for p in &file.payments {
        let _ = writeln!(
            out,
            "D,{},{},{},{},{},{},{}",
            p.record_no,
            p.barcode.as_deref().unwrap_or(""),
            p.payment_number,
            p.amount_yen,
            stamp(p.paid_at),
            p.chain,
            p.store
        );
    }
    let total: i64 = file.payments.iter().map(|p| p.amount_yen).sum();
    let _ = writeln!(out, "T,{},{total}", file.payments.len());
    out.into_bytes()
}

/// Why a payment file was refused (whole: nothing of it is applied).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("line {0}: {1}")]
    Line(usize, String),
    #[error("the trailer counts {counted} records totalling {total} yen, the file holds {records} totalling {sum} yen")]
    Trailer {
        counted: usize,
        total: i64,
        records: usize,
        sum: i64,
    },
    #[error("the file has no header line (H,...)")]
    NoHeader,
    #[error("the file has no trailer line (T,...)")]
    NoTrailer,
}

fn at(s: &str) -> Option<PrimitiveDateTime> {
    PrimitiveDateTime::parse(s, STAMP).ok()
}

/// Reads an agent's payment file; any malformed line, or a trailer that disagrees, refuses it.
pub fn read(bytes: &[u8]) -> Result<PaymentFile, FileError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| FileError::Line(1, "the file is not UTF-8".into()))?;
    let mut header = None;
    let mut payments = vec![];
    let mut trailer = None;
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let bad = |why: &str| FileError::Line(n, why.to_string());
        let f: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        match f.first().copied() {
            Some("H") if header.is_none() && f.len() == 5 => {
                let kind = match f[2] {
                    "1" => ReportKind::Preliminary,
                    "2" => ReportKind::Confirmed,
                    _ => return Err(bad("the report kind must be 1 (速報) or 2 (確報)")),
                };
                header = Some((
                    f[1].to_string(),
                    kind,
                    at(f[3]).ok_or_else(|| bad("the creation time must be YYYYMMDDHHMMSS"))?,
                    f[4].parse()
                        .map_err(|_| bad("the file number must be a number"))?,
                ));
            }
            Some("D") if header.is_some() && trailer.is_none() && f.len() == 8 => {
                let barcode = (!f[2].is_empty()).then(|| f[2].to_string());
                if barcode
                    .as_deref()
                    .is_some_and(|b| read_barcode(b).is_none())
                {
                    return Err(bad(
                        "the barcode data is not 44 digits with a valid check digit",
                    ));
                }
                let amount: i64 = f[4]
                    .parse()
                    .map_err(|_| bad("the amount must be a number"))?;
                if !(1..=MAX_SLIP_YEN).contains(&amount) {
                    return Err(bad("the amount must be from 1 to 999999"));
                }
                if f[3].is_empty() || !f[3].bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("the payment number must be digits"));
                }
                payments.push(StorePayment {
                    record_no: f[1]
                        .parse()
                        .map_err(|_| bad("the record number must be a number"))?,
                    barcode,
                    payment_number: f[3].to_string(),
                    amount_yen: amount,
                    paid_at: at(f[5])
                        .ok_or_else(|| bad("the payment time must be YYYYMMDDHHMMSS"))?,
                    chain: f[6].to_string(),
                    store: f[7].to_string(),
                });
            }
            Some("T") if header.is_some() && trailer.is_none() && f.len() == 3 => {
                trailer = Some((
                    f[1].parse::<usize>()
                        .map_err(|_| bad("the record count must be a number"))?,
                    f[2].parse::<i64>()
                        .map_err(|_| bad("the total must be a number"))?,
                ));
            }
            _ if line.trim().is_empty() => {}
            _ => {
                return Err(bad(
                    "not a header (H), data (D) or trailer (T) line of this file",
                ))
            }
        }
    }
    let (agent, kind, created_at, file_no) = header.ok_or(FileError::NoHeader)?;
    let (counted, total) = trailer.ok_or(FileError::NoTrailer)?;
    let sum: i64 = payments.iter().map(|p| p.amount_yen).sum();
    if counted != payments.len() || total != sum {
        return Err(FileError::Trailer {
            counted,
            total,
            records: payments.len(),
            sum,
        });
    }
    Ok(PaymentFile {
        agent,
        kind,
        created_at,
        file_no,
        payments,
    })
}

/// A time of day for tests and the simulator: `hh:mm:ss` on `day`.
pub fn on(day: Date, h: u8, m: u8, s: u8) -> PrimitiveDateTime {
    PrimitiveDateTime::new(day, Time::from_hms(h, m, s).expect("a time of day"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_published_example_has_check_digit_3() {
        assert_eq!(
            check_digit("9191234501234567890123456789010103310123000"),
            3
        );
    }

    #[test]
    fn slip_data_is_44_digits_that_read_back() {
        let d = barcode_data(
            "912345",
            "12345678901",
            0,
            date!(2026 - 12 - 11),
            false,
            3300,
        )
        .unwrap();
        assert_eq!(d.len(), 44);
        assert!(d.starts_with("91912345"));
        assert_eq!(&d[30..36], "261211");
        assert_eq!(&d[37..43], "003300");
        let back = read_barcode(&d).unwrap();
        assert_eq!(back.reference, "000000000012345678901");
        assert_eq!(back.due, date!(2026 - 12 - 11));
        assert_eq!(back.amount_yen, 3300);
        let mut wrong = d.clone().into_bytes();
        wrong[40] = if wrong[40] == b'9' {
            b'0'
        } else {
            wrong[40] + 1
        };
        assert_eq!(
            read_barcode(std::str::from_utf8(&wrong).unwrap()),
            None,
            "a misread digit fails the check"
        );
        assert_eq!(
            barcode_data("91234", "1", 0, date!(2026 - 12 - 11), false, 1),
            Err(SlipError::Company)
        );
        assert_eq!(
            barcode_data("912345", "1", 0, date!(2026 - 12 - 11), false, 1_000_000),
            Err(SlipError::Amount)
        );
    }

    #[test]
    fn a_payment_file_reads_back_what_was_written_and_a_bad_one_is_refused_whole() {
        let day = date!(2026 - 12 - 04);
        let barcode = barcode_data("912345", "777", 0, day, false, 3300).unwrap();
        let file = PaymentFile {
            agent: "KSN01".into(),
            kind: ReportKind::Confirmed,
            created_at: on(day, 23, 0, 0),
            file_no: 7,
            payments: vec![
                StorePayment {
                    record_no: 1,
                    barcode: Some(barcode),
                    payment_number: "00000000777".into(),
                    amount_yen: 3300,
                    paid_at: on(day, 10, 15, 0),
                    chain: "SEJ".into(),
                    store: "001234".into(),
                },
                StorePayment {
                    record_no: 2,
                    barcode: None,
                    payment_number: "00000000778".into(),
                    amount_yen: 500,
                    paid_at: on(day, 11, 0, 0),
                    chain: "LAW".into(),
                    store: "009".into(),
                },
            ],
        };
        let bytes = write(&file);
        assert_eq!(read(&bytes).unwrap(), file);
        let text = String::from_utf8(bytes).unwrap();
        let short = text.replace("T,2,3800", "T,2,3700");
        assert!(matches!(
            read(short.as_bytes()),
            Err(FileError::Trailer { .. })
        ));
        let garbled = text.replace(",500,", ",5x0,");
        assert_eq!(
            read(garbled.as_bytes()),
            Err(FileError::Line(3, "the amount must be a number".into()))
        );
        assert_eq!(
            read(b"D,1\n"),
            Err(FileError::Line(
                1,
                "not a header (H), data (D) or trailer (T) line of this file".into()
            ))
        );
    }
}
