//! The Japanese bank calendar: which dates banks are closed on, and counting in business days.
//!
//! National holidays are computed from the rules of the 祝日法 (国民の祝日に関する法律) as it
//! stands today rather than read from a list, so the calendar needs no yearly data update. It
//! covers [`FIRST_YEAR`]..=[`LAST_YEAR`] and refuses other years with [`YearOutOfRange`]:
//! 2019–2021 moved or added holidays by special laws (the enthronement, the Tokyo Olympics) that
//! no rule reproduces, and the equinox formula is only an approximation fitted to 1980–2099.
//! A wrong payout date is worse than an error, so the calendar does not guess outside them.
//!
//! If the law changes (a holiday is added or moved), this file must change with it.

// `::time` is the crate; `crate::time` (Kessai's own `Millis`) is unrelated.
use ::time::{Date, Month, Weekday};

/// The first year the calendar answers for (2021 still had the Olympic holiday moves).
pub const FIRST_YEAR: i32 = 2022;
/// The last year the calendar answers for (the end of the equinox formula's fitted range).
pub const LAST_YEAR: i32 = 2099;

/// The name of a substitute holiday for a national holiday that fell on a Sunday (祝日法 第3条第2項).
pub const SUBSTITUTE_HOLIDAY: &str = "振替休日";
/// The name of a day made a holiday by lying between two national holidays (祝日法 第3条第3項).
pub const CITIZENS_HOLIDAY: &str = "国民の休日";

/// The longest run of consecutive national holidays (5/3–5/5). A substitute holiday is found by
/// walking back over such a run, so the walk needs no more steps than this. Checked by a test
/// over every supported year.
const LONGEST_NATIONAL_HOLIDAY_RUN_DAYS: usize = 3;

/// The longest run of consecutive bank holidays (e.g. 2024-12-31 Tue to 2025-01-05 Sun), so a
/// business day is always found within this many days plus one. Checked by a test over every
/// supported year.
const LONGEST_BANK_HOLIDAY_RUN_DAYS: usize = 6;

/// A date whose year the calendar does not cover (see [`FIRST_YEAR`] and [`LAST_YEAR`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "year {year} is outside the bank calendar's years {}..={}",
    FIRST_YEAR,
    LAST_YEAR
)]
pub struct YearOutOfRange {
    pub year: i32,
}

/// How the date of one national holiday is fixed each year.
#[derive(Clone, Copy)]
enum Rule {
    Fixed(Month, u8),
    /// The n-th Monday of the month (the "Happy Monday" holidays).
    NthMonday(Month, u8),
    /// 春分日 and 秋分日 are announced each February for the following year from astronomical
    /// calculation; a formula fitted to 1980–2099 stands in for the announcement (see
    /// `equinox_day`), and a test holds it to the announced days of 2022–2027.
    VernalEquinox,
    AutumnalEquinox,
}

/// The national holidays of 祝日法 第2条, in calendar order.
const NATIONAL_HOLIDAYS: [(Rule, &str); 16] = [
    (Rule::Fixed(Month::January, 1), "元日"),
    (Rule::NthMonday(Month::January, 2), "成人の日"),
    (Rule::Fixed(Month::February, 11), "建国記念の日"),
    (Rule::Fixed(Month::February, 23), "天皇誕生日"),
    (Rule::VernalEquinox, "春分の日"),
    (Rule::Fixed(Month::April, 29), "昭和の日"),
    (Rule::Fixed(Month::May, 3), "憲法記念日"),
    (Rule::Fixed(Month::May, 4), "みどりの日"),
    (Rule::Fixed(Month::May, 5), "こどもの日"),
    (Rule::NthMonday(Month::July, 3), "海の日"),
    (Rule::Fixed(Month::August, 11), "山の日"),
    (Rule::NthMonday(Month::September, 3), "敬老の日"),
    (Rule::AutumnalEquinox, "秋分の日"),
    (Rule::NthMonday(Month::October, 2), "スポーツの日"),
    (Rule::Fixed(Month::November, 3), "文化の日"),
    (Rule::Fixed(Month::November, 23), "勤労感謝の日"),
];

impl Rule {
    fn matches(self, date: Date) -> bool {
        match self {
            Rule::Fixed(month, day) => date.month() == month && date.day() == day,
            Rule::NthMonday(month, n) => {
                // Days 1–7 hold the first Monday, 8–14 the second, and so on.
                date.month() == month
                    && date.weekday() == Weekday::Monday
                    && (date.day() - 1) / 7 + 1 == n
            }
            Rule::VernalEquinox => {
                date.month() == Month::March
                    && i64::from(date.day()) == equinox_day(date.year(), 20_843_100)
            }
            Rule::AutumnalEquinox => {
                date.month() == Month::September
                    && i64::from(date.day()) == equinox_day(date.year(), 23_248_800)
            }
        }
    }
}

/// Day of the month of an equinox by the usual approximation
/// `int(base + 0.242194 × (Y − 1980) − int((Y − 1980) / 4))` (base 20.8431 for March, 23.2488
/// for September), in integer millionths of a day so no float rounding can move a holiday.
/// Only meaningful for 1980–2099; elsewhere it returns some number that is merely harmless to
/// compare against.
fn equinox_day(year: i32, base_micro_days: i64) -> i64 {
    let years_since_1980 = i64::from(year) - 1980;
    // The year's drift of 0.242194 days, undone by the leap day every fourth year.
    (base_micro_days + 242_194 * years_since_1980).div_euclid(1_000_000)
        - years_since_1980.div_euclid(4)
}

/// The name of the national holiday proper (祝日法 第2条) on `date`, without substitute or
/// citizens' holidays. Works for any date; only meaningful inside the calendar's years.
fn national_holiday_name(date: Date) -> Option<&'static str> {
    NATIONAL_HOLIDAYS
        .iter()
        .find(|(rule, _)| rule.matches(date))
        .map(|&(_, name)| name)
}

fn is_national_holiday(date: Date) -> bool {
    national_holiday_name(date).is_some()
}

fn check_year(date: Date) -> Result<(), YearOutOfRange> {
    if (FIRST_YEAR..=LAST_YEAR).contains(&date.year()) {
        Ok(())
    } else {
        Err(YearOutOfRange { year: date.year() })
    }
}

/// The next calendar day. `Date::MAX` has none; its year is out of range anyway.
fn following_day(date: Date) -> Result<Date, YearOutOfRange> {
    date.next_day().ok_or(YearOutOfRange { year: date.year() })
}

/// The Japanese name of the holiday on `date` under the 祝日法: a national holiday's own name,
/// [`SUBSTITUTE_HOLIDAY`] or [`CITIZENS_HOLIDAY`]; `None` on other days, including the bank-only
/// closures 12/31, 1/2 and 1/3.
pub fn holiday_name(date: Date) -> Result<Option<&'static str>, YearOutOfRange> {
    check_year(date)?;
    if let Some(name) = national_holiday_name(date) {
        return Ok(Some(name));
    }
    // 振替休日: a national holiday on a Sunday makes the nearest following day that is not
    // itself a national holiday a holiday. So this date is one if the unbroken run of national
    // holidays just before it contains a Sunday (5/3 on a Sunday gives 5/6, past 5/4 and 5/5).
    let mut earlier = date;
    for _ in 0..LONGEST_NATIONAL_HOLIDAY_RUN_DAYS {
        match earlier.previous_day() {
            Some(day) if is_national_holiday(day) => earlier = day,
            _ => break,
        }
        if earlier.weekday() == Weekday::Sunday {
            return Ok(Some(SUBSTITUTE_HOLIDAY));
        }
    }
    // 国民の休日: a day between two national holidays. The current law (since 2007) no longer
    // excludes Sundays; under today's holiday rules such a day is always a Tuesday in September.
    let between_national_holidays = date.previous_day().is_some_and(is_national_holiday)
        && date.next_day().is_some_and(is_national_holiday);
    Ok(between_national_holidays.then_some(CITIZENS_HOLIDAY))
}

/// Whether banks are closed on `date`: Saturdays, Sundays, every holiday under the 祝日法
/// (including substitute and citizens' holidays) and 12/31–1/3 (銀行法施行令 第5条).
pub fn is_bank_holiday(date: Date) -> Result<bool, YearOutOfRange> {
    // Checked first so a weekend outside the range is an error like any other date there.
    check_year(date)?;
    let weekend = matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday);
    let year_end_closure = matches!(
        (date.month(), date.day()),
        (Month::December, 31) | (Month::January, 1..=3)
    );
    Ok(weekend || year_end_closure || holiday_name(date)?.is_some())
}

/// Whether banks are open on `date`: the opposite of [`is_bank_holiday`].
pub fn is_business_day(date: Date) -> Result<bool, YearOutOfRange> {
    Ok(!is_bank_holiday(date)?)
}

/// `date` itself if it is a business day, otherwise the first business day after it.
/// Fails if that day would fall after [`LAST_YEAR`].
pub fn business_day_on_or_after(date: Date) -> Result<Date, YearOutOfRange> {
    let mut day = date;
    for _ in 0..=LONGEST_BANK_HOLIDAY_RUN_DAYS {
        if is_business_day(day)? {
            return Ok(day);
        }
        day = following_day(day)?;
    }
    unreachable!(
        "no business day within {} days of {date}; LONGEST_BANK_HOLIDAY_RUN_DAYS is wrong",
        LONGEST_BANK_HOLIDAY_RUN_DAYS + 1
    )
}

/// The `days`-th business day after `date`, counting only days after it: from a Friday, 1 gives
/// the next Monday if that is a business day; from a Saturday, also that Monday.
/// With `days == 0` the result is [`business_day_on_or_after`]`(date)`, so the result is always
/// a business day. Fails if the date or the result falls outside the calendar's years.
pub fn add_business_days(date: Date, days: u32) -> Result<Date, YearOutOfRange> {
    check_year(date)?;
    if days == 0 {
        return business_day_on_or_after(date);
    }
    let mut day = date;
    // Each step moves at least one day forward, so a huge `days` ends in an error at the end of
    // LAST_YEAR after at most about 28,000 steps rather than running on.
    for _ in 0..days {
        day = business_day_on_or_after(following_day(day)?)?;
    }
    Ok(day)
}

/// Every holiday under the 祝日法 in `year`, in date order, with its name (see [`holiday_name`]).
/// The bank-only closures 12/31, 1/2 and 1/3 are not included.
pub fn holidays_in(year: i32) -> Result<Vec<(Date, &'static str)>, YearOutOfRange> {
    let january_1 =
        Date::from_calendar_date(year, Month::January, 1).map_err(|_| YearOutOfRange { year })?;
    check_year(january_1)?;
    let mut holidays = Vec::with_capacity(NATIONAL_HOLIDAYS.len() + 4);
    let mut day = january_1;
    // 366 steps cover a leap year; the year check ends the walk at 12/31.
    for _ in 0..366 {
        if day.year() != year {
            break;
        }
        if let Some(name) = holiday_name(day)? {
            holidays.push((day, name));
        }
        day = following_day(day)?;
    }
    Ok(holidays)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::time::macros::date;
    use std::collections::BTreeMap;

    /// 内閣府「国民の祝日について」, 2026.
    const OFFICIAL_2026: [(Date, &str); 18] = [
        (date!(2026 - 01 - 01), "元日"),
        (date!(2026 - 01 - 12), "成人の日"),
        (date!(2026 - 02 - 11), "建国記念の日"),
        (date!(2026 - 02 - 23), "天皇誕生日"),
        (date!(2026 - 03 - 20), "春分の日"),
        (date!(2026 - 04 - 29), "昭和の日"),
        (date!(2026 - 05 - 03), "憲法記念日"),
        (date!(2026 - 05 - 04), "みどりの日"),
        (date!(2026 - 05 - 05), "こどもの日"),
        (date!(2026 - 05 - 06), "振替休日"),
        (date!(2026 - 07 - 20), "海の日"),
        (date!(2026 - 08 - 11), "山の日"),
        (date!(2026 - 09 - 21), "敬老の日"),
        (date!(2026 - 09 - 22), "国民の休日"),
        (date!(2026 - 09 - 23), "秋分の日"),
        (date!(2026 - 10 - 12), "スポーツの日"),
        (date!(2026 - 11 - 03), "文化の日"),
        (date!(2026 - 11 - 23), "勤労感謝の日"),
    ];

    /// 2027, derived by hand from the rules (the weekdays in the comments are checked below).
    const OFFICIAL_2027: [(Date, &str); 17] = [
        (date!(2027 - 01 - 01), "元日"),         // Fri
        (date!(2027 - 01 - 11), "成人の日"),     // 2nd Mon
        (date!(2027 - 02 - 11), "建国記念の日"), // Thu
        (date!(2027 - 02 - 23), "天皇誕生日"),   // Tue
        (date!(2027 - 03 - 21), "春分の日"),     // Sun
        (date!(2027 - 03 - 22), "振替休日"),     // Mon
        (date!(2027 - 04 - 29), "昭和の日"),     // Thu
        (date!(2027 - 05 - 03), "憲法記念日"),   // Mon
        (date!(2027 - 05 - 04), "みどりの日"),   // Tue
        (date!(2027 - 05 - 05), "こどもの日"),   // Wed
        (date!(2027 - 07 - 19), "海の日"),       // 3rd Mon
        (date!(2027 - 08 - 11), "山の日"),       // Wed
        (date!(2027 - 09 - 20), "敬老の日"),     // 3rd Mon
        (date!(2027 - 09 - 23), "秋分の日"),     // Thu; 9/21–22 are not between two holidays
        (date!(2027 - 10 - 11), "スポーツの日"), // 2nd Mon
        (date!(2027 - 11 - 03), "文化の日"),     // Wed
        (date!(2027 - 11 - 23), "勤労感謝の日"), // Tue
    ];

    #[test]
    fn holidays_in_matches_official_lists() {
        let cases: [(i32, &[(Date, &str)]); 2] = [(2026, &OFFICIAL_2026), (2027, &OFFICIAL_2027)];
        for (year, official) in cases {
            assert_eq!(holidays_in(year).unwrap(), official, "year {year}");
        }
    }

    #[test]
    fn official_2027_weekdays_are_as_commented() {
        // Guards the hand-derived table itself: the weekdays it was derived from.
        use Weekday::*;
        let weekdays = [
            Friday, Monday, Thursday, Tuesday, Sunday, Monday, Thursday, Monday, Tuesday,
            Wednesday, Monday, Wednesday, Monday, Thursday, Monday, Wednesday, Tuesday,
        ];
        for ((date, name), weekday) in OFFICIAL_2027.iter().zip(weekdays) {
            assert_eq!(date.weekday(), weekday, "{date} {name}");
        }
    }

    #[test]
    fn equinox_days_match_cabinet_announcements() {
        // (year, 春分の日, 秋分の日) as announced in the 官報.
        let cases = [
            (2022, date!(2022 - 03 - 21), date!(2022 - 09 - 23)),
            (2023, date!(2023 - 03 - 21), date!(2023 - 09 - 23)),
            (2024, date!(2024 - 03 - 20), date!(2024 - 09 - 22)),
            (2025, date!(2025 - 03 - 20), date!(2025 - 09 - 23)),
            (2026, date!(2026 - 03 - 20), date!(2026 - 09 - 23)),
            (2027, date!(2027 - 03 - 21), date!(2027 - 09 - 23)),
        ];
        for (year, vernal, autumnal) in cases {
            let holidays = holidays_in(year).unwrap();
            let find = |name| holidays.iter().find(|&&(_, n)| n == name).map(|&(d, _)| d);
            assert_eq!(find("春分の日"), Some(vernal), "year {year}");
            assert_eq!(find("秋分の日"), Some(autumnal), "year {year}");
        }
    }

    #[test]
    fn holiday_names_of_single_dates() {
        let cases = [
            // Substitute holidays after 1/1, 2/11, 2/23, 9/22, 11/3 and 11/23 on a Sunday.
            (date!(2023 - 01 - 02), Some("振替休日")),
            (date!(2024 - 02 - 12), Some("振替休日")),
            (date!(2025 - 02 - 24), Some("振替休日")),
            (date!(2024 - 09 - 23), Some("振替休日")),
            (date!(2024 - 11 - 04), Some("振替休日")),
            (date!(2025 - 11 - 24), Some("振替休日")),
            // 5/4 on a Sunday: the substitute skips 5/5, itself a holiday.
            (date!(2025 - 05 - 04), Some("みどりの日")),
            (date!(2025 - 05 - 05), Some("こどもの日")),
            (date!(2025 - 05 - 06), Some("振替休日")),
            // A Saturday holiday gets no substitute.
            (date!(2026 - 01 - 03), None),
            (date!(2027 - 09 - 25), None),
            // Citizens' holidays (Silver Week) and a September without one.
            (date!(2032 - 09 - 21), Some("国民の休日")),
            (date!(2099 - 09 - 22), Some("国民の休日")),
            (date!(2027 - 09 - 21), None),
            (date!(2027 - 09 - 22), None),
            // Bank-only closures are not holidays under the 祝日法.
            (date!(2026 - 12 - 31), None),
            (date!(2027 - 01 - 02), None),
            // Range ends.
            (date!(2022 - 01 - 01), Some("元日")),
            (date!(2099 - 11 - 23), Some("勤労感謝の日")),
            (date!(2099 - 12 - 31), None),
        ];
        for (date, name) in cases {
            assert_eq!(holiday_name(date), Ok(name), "{date}");
        }
    }

    #[test]
    fn bank_holidays() {
        // (date, bank holiday?)
        let cases = [
            (date!(2026 - 12 - 30), false), // Wed
            (date!(2026 - 12 - 31), true),  // Thu, year-end closure
            (date!(2027 - 01 - 01), true),  // 元日
            (date!(2027 - 01 - 02), true),  // Sat
            (date!(2027 - 01 - 04), false), // Mon
            (date!(2025 - 01 - 02), true),  // Thu, year-start closure
            (date!(2025 - 01 - 03), true),  // Fri, year-start closure
            (date!(2026 - 05 - 06), true),  // 振替休日
            (date!(2026 - 09 - 22), true),  // 国民の休日
            (date!(2026 - 05 - 09), true),  // Sat
            (date!(2026 - 05 - 10), true),  // Sun
            (date!(2026 - 05 - 07), false), // Thu
        ];
        for (date, bank_holiday) in cases {
            assert_eq!(is_bank_holiday(date), Ok(bank_holiday), "{date}");
            assert_eq!(is_business_day(date), Ok(!bank_holiday), "{date}");
        }
    }

    #[test]
    fn business_day_on_or_after_table() {
        // (date, first business day on or after it)
        let cases = [
            (date!(2026 - 12 - 30), date!(2026 - 12 - 30)), // already one
            (date!(2026 - 12 - 31), date!(2027 - 01 - 04)), // year end
            (date!(2024 - 12 - 31), date!(2025 - 01 - 06)), // the longest run: six days
            (date!(2026 - 05 - 02), date!(2026 - 05 - 07)), // Golden Week
            (date!(2026 - 09 - 19), date!(2026 - 09 - 24)), // Silver Week
            (date!(2026 - 03 - 21), date!(2026 - 03 - 23)), // Sat after 春分の日
            (date!(2027 - 03 - 21), date!(2027 - 03 - 23)), // 春分の日 Sun + 振替休日 Mon
        ];
        for (date, expected) in cases {
            assert_eq!(business_day_on_or_after(date), Ok(expected), "{date}");
        }
    }

    #[test]
    fn add_business_days_table() {
        // (date, days, result)
        let cases = [
            // Zero days rolls forward to a business day, so the result always is one.
            (date!(2026 - 12 - 28), 0, date!(2026 - 12 - 28)),
            (date!(2026 - 12 - 31), 0, date!(2027 - 01 - 04)),
            // Year end: 12/31–1/3 closed, then the weekend.
            (date!(2026 - 12 - 30), 1, date!(2027 - 01 - 04)),
            (date!(2026 - 12 - 29), 2, date!(2027 - 01 - 04)),
            (date!(2026 - 12 - 30), 3, date!(2027 - 01 - 06)),
            (date!(2027 - 01 - 01), 1, date!(2027 - 01 - 04)),
            // Golden Week 2026: 5/2 Sat to 5/6 Wed (振替休日) closed.
            (date!(2026 - 05 - 01), 1, date!(2026 - 05 - 07)),
            (date!(2026 - 04 - 28), 2, date!(2026 - 05 - 01)), // skips 4/29 昭和の日
            (date!(2026 - 04 - 30), 5, date!(2026 - 05 - 12)),
            // Weekends: Friday and Saturday both lead to Monday.
            (date!(2026 - 06 - 05), 1, date!(2026 - 06 - 08)),
            (date!(2026 - 06 - 06), 1, date!(2026 - 06 - 08)),
            (date!(2026 - 06 - 07), 1, date!(2026 - 06 - 08)),
            (date!(2026 - 06 - 08), 5, date!(2026 - 06 - 15)),
            (date!(2026 - 06 - 01), 10, date!(2026 - 06 - 15)),
            // The last business day of the range.
            (date!(2099 - 12 - 29), 1, date!(2099 - 12 - 30)),
        ];
        for (date, days, expected) in cases {
            assert_eq!(
                add_business_days(date, days),
                Ok(expected),
                "{date} + {days}"
            );
        }
    }

    #[test]
    fn dates_outside_the_range_are_errors_not_guesses() {
        let out_2021 = Err(YearOutOfRange { year: 2021 });
        let out_2100 = Err(YearOutOfRange { year: 2100 });
        // (what, result, expected error)
        let cases = [
            (
                "holiday 2021",
                holiday_name(date!(2021 - 12 - 31)).map(|_| ()),
                out_2021,
            ),
            (
                "holiday 2100",
                holiday_name(date!(2100 - 01 - 01)).map(|_| ()),
                out_2100,
            ),
            // A Saturday: the weekend is not answered outside the range either.
            (
                "bank 2100 Sat",
                is_bank_holiday(date!(2100 - 01 - 02)).map(|_| ()),
                out_2100,
            ),
            (
                "business 2021",
                is_business_day(date!(2021 - 06 - 01)).map(|_| ()),
                out_2021,
            ),
            (
                "on-or-after 2099-12-31",
                business_day_on_or_after(date!(2099 - 12 - 31)).map(|_| ()),
                out_2100,
            ),
            (
                "add from 2021",
                add_business_days(date!(2021 - 12 - 31), 1).map(|_| ()),
                out_2021,
            ),
            (
                "add past 2099",
                add_business_days(date!(2099 - 12 - 30), 1).map(|_| ()),
                out_2100,
            ),
            (
                "add u32::MAX",
                add_business_days(date!(2026 - 01 - 05), u32::MAX).map(|_| ()),
                out_2100,
            ),
            ("holidays_in 2021", holidays_in(2021).map(|_| ()), out_2021),
            ("holidays_in 2100", holidays_in(2100).map(|_| ()), out_2100),
            // The extremes of `Date` are refused without panicking.
            (
                "Date::MIN",
                is_business_day(Date::MIN).map(|_| ()),
                Err(YearOutOfRange {
                    year: Date::MIN.year(),
                }),
            ),
            (
                "Date::MAX",
                add_business_days(Date::MAX, 1).map(|_| ()),
                Err(YearOutOfRange {
                    year: Date::MAX.year(),
                }),
            ),
            (
                "holidays_in i32::MAX",
                holidays_in(i32::MAX).map(|_| ()),
                Err(YearOutOfRange { year: i32::MAX }),
            ),
        ];
        for (what, result, expected) in cases {
            assert_eq!(result, expected, "{what}");
        }
    }

    /// An independent, forward formulation of 祝日法 第3条 for one year, as the consistency test's
    /// reference: place the national holidays, push each Sunday one forward past any holidays,
    /// then fill single gaps between national holidays.
    fn reference_holidays(year: i32) -> BTreeMap<Date, &'static str> {
        let mut days = Vec::new();
        let mut day = Date::from_calendar_date(year, Month::January, 1).unwrap();
        while day.year() == year {
            days.push(day);
            day = day.next_day().unwrap();
        }
        let national: BTreeMap<Date, &str> = days
            .iter()
            .filter_map(|&d| national_holiday_name(d).map(|name| (d, name)))
            .collect();
        let mut all = national.clone();
        for &d in national.keys().filter(|d| d.weekday() == Weekday::Sunday) {
            let mut substitute = d.next_day().unwrap();
            while national.contains_key(&substitute) {
                substitute = substitute.next_day().unwrap();
            }
            all.insert(substitute, SUBSTITUTE_HOLIDAY);
        }
        for &d in &days {
            let before = d.previous_day().unwrap();
            let after = d.next_day().unwrap();
            if !all.contains_key(&d)
                && national.contains_key(&before)
                && national.contains_key(&after)
            {
                all.insert(d, CITIZENS_HOLIDAY);
            }
        }
        all
    }

    #[test]
    fn every_day_2022_to_2099_is_classified_consistently() {
        let mut longest_national_run = 0;
        let mut longest_bank_run = 0;
        let (mut national_run, mut bank_run) = (0, 0);
        for year in FIRST_YEAR..=LAST_YEAR {
            let holidays = holidays_in(year).unwrap();
            let reference: Vec<_> = reference_holidays(year).into_iter().collect();
            assert_eq!(holidays, reference, "year {year}");

            // Each national holiday exactly once a year, and nothing else unnamed.
            for (_, name) in NATIONAL_HOLIDAYS {
                let count = holidays.iter().filter(|&&(_, n)| n == name).count();
                assert_eq!(count, 1, "{name} in {year}");
            }

            for &(date, name) in &holidays {
                let before = date.previous_day().unwrap();
                let after = date.next_day().unwrap();
                match name {
                    SUBSTITUTE_HOLIDAY => {
                        // Follows an unbroken run of national holidays that includes a Sunday.
                        assert!(date.weekday() != Weekday::Sunday, "{date}");
                        let mut d = before;
                        while is_national_holiday(d) && d.weekday() != Weekday::Sunday {
                            d = d.previous_day().unwrap();
                        }
                        assert!(is_national_holiday(d), "{date}: no Sunday holiday before");
                    }
                    CITIZENS_HOLIDAY => {
                        assert!(is_national_holiday(before) && is_national_holiday(after));
                        // So the brief's "not a Sunday" condition never matters in range.
                        assert!(date.weekday() != Weekday::Sunday, "{date}");
                    }
                    _ => assert_eq!(national_holiday_name(date), Some(name), "{date}"),
                }
            }

            let mut day = Date::from_calendar_date(year, Month::January, 1).unwrap();
            while day.year() == year {
                let name = holiday_name(day).unwrap();
                assert_eq!(
                    name,
                    holidays.iter().find(|&&(d, _)| d == day).map(|&(_, n)| n),
                    "{day}"
                );
                let weekend = matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday);
                let closure = matches!((day.month() as u8, day.day()), (12, 31) | (1, 1..=3));
                let bank_holiday = weekend || closure || name.is_some();
                assert_eq!(is_bank_holiday(day), Ok(bank_holiday), "{day}");
                assert_eq!(is_business_day(day), Ok(!bank_holiday), "{day}");

                // The next business day is one, and every day before it is closed.
                // From 2099-12-30 on, the next business day after lies past the range.
                if day < date!(2099 - 12 - 30) {
                    let next = business_day_on_or_after(day).unwrap();
                    assert!(next >= day && is_business_day(next).unwrap(), "{day}");
                    let mut d = day;
                    while d < next {
                        assert!(is_bank_holiday(d).unwrap(), "{day}..{next}");
                        d = d.next_day().unwrap();
                    }
                    let plus_one = add_business_days(day, 1).unwrap();
                    assert!(
                        plus_one > day && is_business_day(plus_one).unwrap(),
                        "{day}"
                    );
                }

                national_run = if is_national_holiday(day) {
                    national_run + 1
                } else {
                    0
                };
                bank_run = if bank_holiday { bank_run + 1 } else { 0 };
                longest_national_run = longest_national_run.max(national_run);
                longest_bank_run = longest_bank_run.max(bank_run);
                day = day.next_day().unwrap();
            }
        }
        assert_eq!(longest_national_run, LONGEST_NATIONAL_HOLIDAY_RUN_DAYS);
        assert_eq!(longest_bank_run, LONGEST_BANK_HOLIDAY_RUN_DAYS);
    }
}
