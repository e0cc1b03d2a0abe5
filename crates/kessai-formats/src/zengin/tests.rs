//! Golden files (byte-exact), round trips, and malformed variants rejected whole.
//! `KESSAI_BLESS=1 cargo test -p kessai-formats` rewrites the golden files after a deliberate
//! change; review the diff before committing it.

use super::notice::{incoming_transfers, notice_file, IncomingTransfer, NoticeAccount};
use super::transfer::{transfer_file, transfers, Transfer, TransferHeader};
use super::*;

const GOLDEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden");

fn golden(name: &str, bytes: &[u8]) {
    let path = format!("{GOLDEN}/{name}");
    if std::env::var("KESSAI_BLESS").is_ok() {
        std::fs::write(&path, bytes).unwrap();
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("{path} missing: run with KESSAI_BLESS=1 once"));
    assert!(expected == bytes, "{name} differs from its golden file");
}

fn header() -> TransferHeader {
    TransferHeader {
        requester_code: "1234567890".into(),
        requester_name: "ｹﾂｻｲ ｴｽｸﾛ-(ｶ".into(),
        value_date_mmdd: "1124".into(),
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        branch_name: "ﾄｳｷﾖｳｴｲｷﾞﾖｳﾌﾞ".into(),
        account_type: 1,
        account_number: "1234567".into(),
    }
}

fn payouts() -> Vec<Transfer> {
    vec![
        Transfer {
            bank_code: "0005".into(),
            bank_name: "ﾐﾂﾋﾞｼUFJ".into(),
            branch_code: "123".into(),
            branch_name: "ｼﾌﾞﾔ".into(),
            account_type: 1,
            account_number: "7654321".into(),
            payee_name: "ｻﾄｳ ﾊﾅｺ".into(),
            amount_yen: 50_128,
            edi: Some("K7M4QX9PT2".into()),
        },
        Transfer {
            bank_code: "0009".into(),
            bank_name: "ﾐﾂｲｽﾐﾄﾓ".into(),
            branch_code: "456".into(),
            branch_name: "ｳﾒﾀﾞ".into(),
            account_type: 2,
            account_number: "0000042".into(),
            payee_name: "ﾔﾏﾀﾞ ﾀﾛｳ".into(),
            amount_yen: 2_000,
            edi: None,
        },
    ]
}

fn transfer_bytes(crlf: bool) -> Vec<u8> {
    write(&transfer_file(&header(), &payouts(), crlf).unwrap())
}

/// A two-account incoming-transfer notice.
fn notice_bytes(crlf: bool) -> Vec<u8> {
    let account = |number: &str| NoticeAccount {
        bank_code: "0001".into(),
        bank_name: "ﾐｽﾞﾎ".into(),
        branch_code: "001".into(),
        account_type: 1,
        account_number: number.into(),
        account_name: "ｹﾂｻｲ ｴｽｸﾛ-".into(),
        date_yymmdd: "081124".into(),
    };
    let credit = |no: &str, amount: u64, name: &str, cancelled: bool| IncomingTransfer {
        bank_code: String::new(),
        branch_code: String::new(),
        account_number: String::new(),
        inquiry_number: no.into(),
        booking_date: "081124".into(),
        amount_yen: amount,
        transferor_code: "0000000000".into(),
        transferor_name: name.into(),
        edi: String::new(),
        cancelled,
    };
    let groups = vec![
        (
            account("1234567"),
            vec![
                credit("000001", 52_000, "K7M4QX9PT2 ﾔﾏﾀﾞ ﾀﾛｳ", false),
                credit("000002", 20_000, "ｽｽﾞｷ ｼﾞﾛｳ", false),
            ],
        ),
        (
            account("7777777"),
            vec![credit("000001", 1_500, "ﾀﾅｶ", true)],
        ),
    ];
    write(&notice_file(&groups, crlf).unwrap())
}

#[test]
fn transfer_file_matches_golden_and_round_trips() {
    for (crlf, name) in [
        (true, "transfer_21_crlf.dat"),
        (false, "transfer_21_nosep.dat"),
    ] {
        let bytes = transfer_bytes(crlf);
        assert_eq!(
            bytes.len(),
            5 * (120 + if crlf { 2 } else { 0 }),
            "header, two transfers, trailer, end"
        );
        golden(name, &bytes);
        let parsed = parse(&bytes).unwrap();
        assert_eq!(parsed.crlf, crlf);
        assert_eq!(write(&parsed), bytes, "byte-exact round trip");
        assert_eq!(transfers(&parsed), payouts());
    }
}

#[test]
fn notice_file_with_two_accounts_round_trips() {
    for (crlf, name) in [(true, "notice_01_crlf.dat"), (false, "notice_01_nosep.dat")] {
        let bytes = notice_bytes(crlf);
        golden(name, &bytes);
        let parsed = parse(&bytes).unwrap();
        assert_eq!(write(&parsed), bytes);
        let credits = incoming_transfers(&parsed);
        let summary: Vec<(&str, u64, &str, bool)> = credits
            .iter()
            .map(|c| {
                (
                    c.account_number.as_str(),
                    c.amount_yen,
                    c.transferor_name.as_str(),
                    c.cancelled,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("1234567", 52_000, "K7M4QX9PT2 ﾔﾏﾀﾞ ﾀﾛｳ", false),
                ("1234567", 20_000, "ｽｽﾞｷ ｼﾞﾛｳ", false),
                ("7777777", 1_500, "ﾀﾅｶ", true)
            ]
        );
        assert_ne!(
            credits[0].identity(),
            credits[2].identity(),
            "照会番号 repeats across accounts; the identity does not"
        );
    }
}

#[test]
fn a_trailing_eof_mark_is_accepted() {
    let mut bytes = transfer_bytes(true);
    bytes.push(0x1A);
    assert_eq!(parse(&bytes).unwrap().groups[0].data.len(), 2);
}

/// Each malformed variant is rejected whole, naming the record and the field.
#[test]
fn malformed_files_are_rejected_with_record_and_field() {
    type Mutation = fn(&mut Vec<u8>);
    /// The byte offset of a 1-based position in a 1-based record of the CRLF transfer file.
    fn at(record: usize, position: usize) -> usize {
        (record - 1) * 122 + position - 1
    }
    let cases: Vec<(&str, Mutation, usize, Option<&str>, &str)> = vec![
        (
            "short last record",
            |b| b.truncate(b.len() - 5),
            5,
            None,
            "is 117 bytes long",
        ),
        (
            "letter in an amount",
            |b| b[at(2, 86)] = b'X',
            2,
            Some("振込金額"),
            "not a number",
        ),
        (
            "trailer count off",
            |b| b[at(4, 7)] = b'3',
            4,
            Some("合計件数"),
            "says 3 but the group has 2",
        ),
        (
            "trailer amount off",
            |b| b[at(4, 19)] = b'9',
            4,
            Some("合計金額"),
            "add up to 52128",
        ),
        (
            "LF only",
            |b| b.retain(|&x| x != b'\r'),
            1,
            None,
            "lone LF or CR",
        ),
        (
            "CR missing after record 2",
            |b| b[at(2, 121)] = b' ',
            2,
            None,
            "CRLF",
        ),
        (
            "no end record",
            |b| b.truncate(b.len() - 122),
            4,
            None,
            "no end record",
        ),
        (
            "record after the end",
            |b| {
                let extra = b[..122].to_vec();
                b.extend(extra)
            },
            6,
            Some("データ区分"),
            "after the end record",
        ),
        (
            "data before any header",
            |b| b.drain(..122).for_each(drop),
            1,
            Some("データ区分"),
            "a Zengin file starts with a header",
        ),
        (
            "unknown record kind",
            |b| b[at(2, 1)] = b'5',
            2,
            Some("データ区分"),
            "not 1, 2, 8 or 9",
        ),
        (
            "Shift_JIS double-byte character",
            |b| {
                b[at(2, 51)] = 0x83;
                b[at(2, 52)] = 0x41
            },
            2,
            Some("受取人名"),
            "not a JIS X 0201 character",
        ),
        (
            "EBCDIC declared",
            |b| b[3] = b'1',
            1,
            Some("コード区分"),
            "EBCDIC",
        ),
        (
            "unknown file type",
            |b| b[2] = b'7',
            1,
            Some("種別コード"),
            "not 21, 91, 01 or 03",
        ),
    ];
    for (name, mutate, record, field, reason) in cases {
        let mut bytes = transfer_bytes(true);
        mutate(&mut bytes);
        let e = parse(&bytes).expect_err(name);
        assert_eq!((e.record, e.field), (record, field), "{name}: {e}");
        assert!(e.reason.contains(reason), "{name}: {e}");
    }
}

#[test]
fn values_that_do_not_fit_are_refused_when_building() {
    let mut long = payouts();
    long[0].payee_name = "ｱ".repeat(31);
    let e = transfer_file(&header(), &long, true).unwrap_err();
    assert_eq!((e.record, e.field), (2, Some("受取人名")));
    let mut kanji = payouts();
    kanji[1].payee_name = "山田".into();
    let e = transfer_file(&header(), &kanji, true).unwrap_err();
    assert_eq!((e.record, e.field), (3, Some("受取人名")));
    assert!(e.reason.contains("'山'"));
}
