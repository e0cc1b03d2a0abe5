//! Whole files with dates that do not exist, and what a file says it holds.

use super::parse;
use super::tests::notice_bytes;

#[test]
fn the_trailers_total_every_record() {
    // Two groups: ¥52,000 and ¥20,000, then ¥1,500 (a 取消 counts in 件数 and 合計金額 too).
    assert_eq!(parse(&notice_bytes(false)).unwrap().totals(), (3, 73_500));
}

/// Dates that do not exist are refused, naming the record and the field: a 勘定日 of month 13
/// in a data record, a 作成日 of day 32 in the header, a 29 February of a common year.
#[test]
fn impossible_dates_are_refused() {
    let mut month_13 = notice_bytes(false);
    month_13[200 + 7..200 + 13].copy_from_slice(b"991399"); // record 2, 勘定日 at 8-13
    let e = parse(&month_13).unwrap_err();
    assert_eq!((e.record, e.field), (2, Some("勘定日")), "{e}");
    assert!(e.reason.contains("no month 13"), "{e}");
    let mut day_32 = notice_bytes(false);
    day_32[4..10].copy_from_slice(b"081132"); // record 1, 作成日 at 5-10
    let e = parse(&day_32).unwrap_err();
    assert_eq!((e.record, e.field), (1, Some("作成日")), "{e}");
    let mut not_leap = notice_bytes(false);
    not_leap[16..22].copy_from_slice(b"080229"); // 勘定日至: 2026-02-29
    assert_eq!(parse(&not_leap).unwrap_err().field, Some("勘定日至"));
}
