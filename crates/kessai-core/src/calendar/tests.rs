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
        Friday, Monday, Thursday, Tuesday, Sunday, Monday, Thursday, Monday, Tuesday, Wednesday,
        Monday, Wednesday, Monday, Thursday, Monday, Wednesday, Tuesday,
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
        if !all.contains_key(&d) && national.contains_key(&before) && national.contains_key(&after)
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
