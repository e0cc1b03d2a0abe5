//! Dates in Zengin fields: 和暦 YYMMDD in types 01 and 03 (read in the current era, 令和, whose
//! year 1 is 2019), MMDD in the headers of types 21 and 91. A field of a date kind must hold a
//! date that exists.

use super::layout::Kind;
use crate::days::days_in_month;

/// Why `text` (digits) is not a date of `kind`; `Ok` for fields that are not dates.
pub(super) fn check(kind: Kind, text: &str) -> Result<(), String> {
    let digits = |range: std::ops::Range<usize>| -> u32 {
        text.get(range).and_then(|s| s.parse().ok()).unwrap_or(0)
    };
    let (year, month, day, form) = match kind {
        Kind::N | Kind::C => return Ok(()),
        Kind::YmdOrZero if text.bytes().all(|b| b == b'0') => return Ok(()),
        Kind::Ymd | Kind::YmdOrZero => (
            Some(2018 + digits(0..2)),
            digits(2..4),
            digits(4..6),
            "a 和暦 date YYMMDD",
        ),
        Kind::Md => (None, digits(0..2), digits(2..4), "a date MMDD"),
    };
    let Some(days) = days_in_month(year, month) else {
        return Err(format!("'{text}' is not {form}: there is no month {month}"));
    };
    if !(1..=days).contains(&day) {
        return Err(format!(
            "'{text}' is not {form}: month {month} has no day {day}"
        ));
    }
    Ok(())
}

/// A 和暦 YYMMDD date of types 01 and 03 (勘定日) as `YYYY-MM-DD`, if it is a date that exists.
pub fn iso_of_era_date(yymmdd: &str) -> Option<String> {
    if yymmdd.len() != 6 || !yymmdd.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    check(Kind::Ymd, yymmdd).ok()?;
    let part = |r: std::ops::Range<usize>| yymmdd[r].parse::<u32>().unwrap_or(0);
    Some(format!(
        "{:04}-{:02}-{:02}",
        2018 + part(0..2),
        part(2..4),
        part(4..6)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn era_dates_read_as_iso_days() {
        assert_eq!(iso_of_era_date("081203").as_deref(), Some("2026-12-03"));
        assert_eq!(iso_of_era_date("100229").as_deref(), Some("2028-02-29"));
        for bad in ["080229", "0812", "08120a", "", "0812031"] {
            assert_eq!(iso_of_era_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates_that_do_not_exist_are_refused() {
        for (kind, text, ok) in [
            (Kind::Ymd, "081124", true),
            (Kind::Ymd, "991399", false),
            (Kind::Ymd, "080229", false), // 2026 is not a leap year
            (Kind::Ymd, "100229", true),  // 2028 is
            (Kind::Ymd, "080431", false),
            (Kind::Ymd, "081100", false),
            (Kind::Ymd, "000000", false),
            (Kind::YmdOrZero, "000000", true),
            (Kind::YmdOrZero, "081332", false),
            (Kind::Md, "1124", true),
            (Kind::Md, "0229", true),
            (Kind::Md, "0230", false),
            (Kind::Md, "1301", false),
            (Kind::N, "991399", true),
        ] {
            assert_eq!(
                check(kind, text).is_ok(),
                ok,
                "{kind:?} {text}: {:?}",
                check(kind, text)
            );
        }
        assert_eq!(
            check(Kind::Ymd, "991399").unwrap_err(),
            "'991399' is not a 和暦 date YYMMDD: there is no month 13"
        );
    }
}
