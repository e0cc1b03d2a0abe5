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
mod tests;
