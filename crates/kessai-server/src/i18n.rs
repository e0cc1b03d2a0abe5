//! Language choice and the shared formatting of dates for people (Japan time).

use kessai_core::Millis;
use time::macros::{format_description, offset};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Ja,
    En,
}

impl Lang {
    /// Japanese unless English is asked for.
    pub fn parse(s: Option<&str>) -> Lang {
        match s {
            Some("en") => Lang::En,
            _ => Lang::Ja,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Picks the Japanese or English text.
    pub fn t<'a>(self, ja: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ja => ja,
            Lang::En => en,
        }
    }
}

/// `2026-11-21 13:05 JST`
pub fn format_jst(at: Millis) -> String {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let jst = utc.to_offset(offset!(+9));
    let f = format_description!("[year]-[month]-[day] [hour]:[minute]");
    format!("{} JST", jst.format(f).unwrap_or_default())
}

/// The calendar date in Japan at this instant.
pub fn date_jst(at: Millis) -> time::Date {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    utc.to_offset(offset!(+9)).date()
}

/// `2026-11-21T13:00:00+09:00`: an ISO 8601 time in Japan, for bank messages.
pub fn format_iso_jst(at: Millis) -> String {
    let utc = OffsetDateTime::from_unix_timestamp_nanos(i128::from(at.0) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let f = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+09:00");
    utc.to_offset(offset!(+9)).format(f).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_japan_time() {
        // 2026-11-21T04:00:00Z is 13:00 in Tokyo.
        assert_eq!(
            format_jst(Millis(1_795_233_600_000)),
            "2026-11-21 13:00 JST"
        );
    }
}
