//! Which days exist: the one Gregorian rule every date field of every format is checked by.

/// The days of `month` (1–12) in `year`; with no year (a Zengin MMDD field), February has 29,
/// as the 29th can exist. None for a month that is not one.
pub(crate) fn days_in_month(year: Option<u32>, month: u32) -> Option<u32> {
    // `%` rather than `is_multiple_of`: that needs Rust 1.87, and the workspace builds on 1.85.
    #[allow(clippy::manual_is_multiple_of)]
    let leap = |y: u32| y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if year.is_none_or(leap) => Some(29),
        2 => Some(28),
        _ => None,
    }
}

/// Whether `year`-`month`-`day` names a day that exists.
pub(crate) fn exists(year: u32, month: u32, day: u32) -> bool {
    year > 0 && days_in_month(Some(year), month).is_some_and(|days| (1..=days).contains(&day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_gregorian_rule() {
        assert!(exists(2024, 2, 29) && exists(2000, 2, 29));
        assert!(!exists(2026, 2, 29) && !exists(1900, 2, 29));
        assert!(!exists(2026, 2, 30) && !exists(2026, 13, 1) && !exists(2026, 4, 31));
        assert!(!exists(2026, 1, 0) && !exists(0, 1, 1));
        assert_eq!(days_in_month(None, 2), Some(29));
    }
}
