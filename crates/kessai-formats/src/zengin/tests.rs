//! Golden files (byte-exact), round trips, and malformed variants rejected whole.
//! `KESSAI_BLESS=1 cargo test -p kessai-formats` rewrites the golden files after a deliberate
//! change; review the diff before committing it.

use super::charset::{decode_byte, encode_char};
use super::notice::{incoming_transfers, notice_file, IncomingTransfer, NoticeAccount};
use super::transfer::{transfer_file, transfers, Designation, Transfer, TransferHeader};
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
        designation: Designation::Telegraphic,
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

/// The same transfer file in EBCDIC (CCSID 290).
fn transfer_ebcdic_bytes(crlf: bool) -> Vec<u8> {
    let file = transfer_file(&header(), &payouts(), crlf).unwrap();
    write(&file.with_code_set(CodeSet::Ebcdic))
}

/// A two-account incoming-transfer notice.
pub(super) fn notice_bytes(crlf: bool) -> Vec<u8> {
    write(&notice(crlf))
}

fn notice(crlf: bool) -> ZenginFile {
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
    notice_file(&groups, crlf).unwrap()
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
            "a data record (type 2) before the header",
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
            "EBCDIC declared in a JIS file",
            |b| b[3] = b'1',
            1,
            Some("コード区分"),
            "says 1, CCSID 290 (EBCDIC kana), but the file is JIS X 0201",
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
fn every_data_record_carries_the_configured_transfer_designation() {
    for (designation, digit) in [
        (Designation::Telegraphic, b'7'),
        (Designation::Document, b'8'),
    ] {
        let header = TransferHeader {
            designation,
            ..header()
        };
        let bytes = write(&transfer_file(&header, &payouts(), true).unwrap());
        let records: Vec<&[u8]> = bytes.chunks(122).collect();
        for data in &records[1..3] {
            assert_eq!(data[0], b'2', "a data record");
            assert_eq!(data[111], digit, "振込指定区分 at position 112");
        }
        let parsed = parse(&bytes).unwrap();
        assert!(parsed
            .data_records()
            .all(|r| Designation::from_code(r.number("振込指定区分") as u8) == Some(designation)));
    }
    assert_eq!(Designation::from_code(0), None);
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

#[test]
fn ebcdic_transfer_file_matches_golden_and_round_trips() {
    let bytes = transfer_ebcdic_bytes(false);
    assert_eq!(bytes.len(), 5 * 120, "fixed-length records, no separator");
    golden("transfer_21_ebcdic.dat", &bytes);
    assert_eq!(
        bytes[..4],
        [0xF1, 0xF2, 0xF1, 0xF1],
        "データ区分 1, 種別コード 21, コード区分 1, in EBCDIC"
    );
    let parsed = parse(&bytes).unwrap();
    assert_eq!((parsed.code_set, parsed.crlf), (CodeSet::Ebcdic, false));
    assert_eq!(write(&parsed), bytes, "byte-exact round trip");
    assert_eq!(transfers(&parsed), payouts());

    // The same records as the JIS file; only the header's コード区分 differs.
    let jis_bytes = transfer_bytes(false);
    let jis = parse(&jis_bytes).unwrap();
    assert_eq!(parsed.groups[0].data, jis.groups[0].data);
    assert_eq!(parsed.groups[0].trailer, jis.groups[0].trailer);
    assert_eq!(parsed.end, jis.end);
    assert_eq!(parsed.groups[0].header.get("コード区分"), "1");
    assert_eq!(parsed.clone().with_code_set(CodeSet::Jis), jis);
    assert_eq!(write(&parsed.with_code_set(CodeSet::Jis)), jis_bytes);

    // Byte by byte, the EBCDIC file is the JIS file transcoded, except コード区分 (position 4).
    for (i, (&j, &e)) in jis_bytes.iter().zip(&bytes).enumerate() {
        let c = decode_byte(CodeSet::Jis, j).unwrap();
        let c = if i == 3 { '1' } else { c };
        assert_eq!(Some(e), encode_char(CodeSet::Ebcdic, c), "byte {i} ({c})");
    }
}

#[test]
fn setting_the_code_set_is_enough_to_write_ebcdic() {
    let mut file = transfer_file(&header(), &payouts(), false).unwrap();
    file.code_set = CodeSet::Ebcdic;
    assert_eq!(file.groups[0].header.get("コード区分"), "0");
    assert_eq!(
        write(&file),
        transfer_ebcdic_bytes(false),
        "write takes コード区分 from code_set"
    );
    let file = file.with_code_set(CodeSet::Ebcdic);
    assert_eq!(file.groups[0].header.get("コード区分"), "1");
    assert_eq!(write(&file), transfer_ebcdic_bytes(false));
}

#[test]
fn ebcdic_notice_with_two_accounts_round_trips() {
    let jis = notice(true);
    let bytes = write(&jis.clone().with_code_set(CodeSet::Ebcdic));
    let parsed = parse(&bytes).unwrap();
    assert_eq!((parsed.code_set, parsed.crlf), (CodeSet::Ebcdic, true));
    assert_eq!(write(&parsed), bytes);
    assert_eq!(incoming_transfers(&parsed), incoming_transfers(&jis));
    assert_eq!(parsed.with_code_set(CodeSet::Jis), jis);

    // Every header of the file must declare the same code set.
    let mut mixed = bytes.clone();
    let second_header = 4 * 202; // header, two credits, trailer, then the second header
    assert_eq!(
        mixed[second_header..second_header + 4],
        [0xF1, 0xF0, 0xF1, 0xF1]
    );
    mixed[second_header + 3] = 0xF0;
    let e = parse(&mixed).unwrap_err();
    assert_eq!((e.record, e.field), (5, Some("種別コード")), "{e}");
    assert!(e.reason.contains("コード区分"), "{e}");
}

/// Records of an EBCDIC file are separated by nothing (what banks send) or by CR LF in EBCDIC,
/// 0x0D 0x25; ASCII CR LF, a lone CR or LF, or NL (0x15) is refused.
#[test]
fn ebcdic_record_separators() {
    let nosep = transfer_ebcdic_bytes(false);
    let with = |separator: &[u8]| -> Vec<u8> {
        nosep
            .chunks(120)
            .flat_map(|r| [r, separator].concat())
            .collect()
    };
    let bytes = transfer_ebcdic_bytes(true);
    assert_eq!(bytes, with(&[0x0D, 0x25]));
    let parsed = parse(&bytes).unwrap();
    assert!(parsed.crlf);
    assert_eq!(write(&parsed), bytes, "byte-exact round trip");
    assert_eq!(transfers(&parsed), payouts());

    for (name, separator, found) in [
        ("ASCII CR LF", &[0x0D, 0x0A][..], "ends with 0x0d 0x0a"),
        ("EBCDIC NL", &[0x15], "ends with 0x15 0xf2"),
        ("lone EBCDIC LF", &[0x25], "ends with 0x25 0xf2"),
        ("lone CR", &[0x0D], "ends with 0x0d 0xf2"),
        ("lone ASCII LF", &[0x0A], "ends with 0x0a 0xf2"),
    ] {
        let e = parse(&with(separator)).expect_err(name);
        assert_eq!((e.record, e.field), (1, None), "{name}: {e}");
        assert!(e.reason.contains(found), "{name}: {e}");
        assert!(
            e.reason.contains("(0x0d 0x25) or by nothing"),
            "{name}: {e}"
        );
    }
    let mut broken = bytes.clone();
    broken[2 * 122 - 1] = 0x0A; // record 2 ends with 0x0D 0x0A
    let e = parse(&broken).unwrap_err();
    assert_eq!((e.record, e.field), (2, None), "{e}");
    assert!(e.reason.contains("CRLF"), "{e}");
}

/// Malformed EBCDIC files are rejected whole, naming the record and the field.
#[test]
fn malformed_ebcdic_files_are_rejected_with_record_and_field() {
    type Mutation = fn(&mut Vec<u8>);
    /// The byte offset of a 1-based position in a 1-based record of the EBCDIC transfer file.
    fn at(record: usize, position: usize) -> usize {
        (record - 1) * 120 + position - 1
    }
    let cases: Vec<(&str, Mutation, usize, Option<&str>, &str)> = vec![
        (
            "£ (in CCSID 290, not in Zengin) in a name",
            |b| b[at(2, 51)] = 0x4A,
            2,
            Some("受取人名"),
            "byte 0x4a at position 51 is not a CCSID 290 (EBCDIC kana) character",
        ),
        (
            "JIS ｱ (0xB1, ¢ in CCSID 290) in a name",
            |b| b[at(2, 52)] = 0xB1,
            2,
            Some("受取人名"),
            "byte 0xb1 at position 52",
        ),
        (
            "control byte in a bank name",
            |b| b[at(3, 6)] = 0x3F,
            3,
            Some("被仕向銀行名"),
            "byte 0x3f at position 6",
        ),
        (
            "ASCII digit in an amount",
            |b| b[at(2, 86)] = b'5',
            2,
            Some("振込金額"),
            "byte 0x35 at position 86",
        ),
        (
            "letter in an amount",
            |b| b[at(2, 86)] = 0xE7,
            2,
            Some("振込金額"),
            "'00000X0128' is not a number",
        ),
        (
            "trailer count off",
            |b| b[at(4, 7)] = 0xF3,
            4,
            Some("合計件数"),
            "says 3 but the group has 2",
        ),
        (
            "trailer amount off",
            |b| b[at(4, 19)] = 0xF9,
            4,
            Some("合計金額"),
            "says 52129 but the records add up to 52128",
        ),
        (
            "unknown record kind",
            |b| b[at(2, 1)] = 0xF5,
            2,
            Some("データ区分"),
            "'5' is not 1, 2, 8 or 9",
        ),
        (
            "JIS record kind in an EBCDIC file",
            |b| b[at(3, 1)] = b'2',
            3,
            Some("データ区分"),
            "'<0x32>' is not 1, 2, 8 or 9",
        ),
        (
            "JIS declared in an EBCDIC file",
            |b| b[3] = 0xF0,
            1,
            Some("コード区分"),
            "says 0, JIS X 0201, but the file is CCSID 290 (EBCDIC kana)",
        ),
        (
            "ASCII コード区分",
            |b| b[3] = b'1',
            1,
            Some("コード区分"),
            "'<0x31>' is not 0 or 1",
        ),
        (
            "unknown file type",
            |b| b[2] = 0xF7,
            1,
            Some("種別コード"),
            "'27' is not 21, 91, 01 or 03",
        ),
        (
            "short last record",
            |b| b.truncate(b.len() - 5),
            5,
            None,
            "is 115 bytes long",
        ),
        (
            "no end record",
            |b| b.truncate(b.len() - 120),
            4,
            None,
            "no end record",
        ),
        (
            "data before any header",
            |b| b.drain(..120).for_each(drop),
            1,
            Some("データ区分"),
            "a data record (type 2) before the header",
        ),
    ];
    for (name, mutate, record, field, reason) in cases {
        let mut bytes = transfer_ebcdic_bytes(false);
        mutate(&mut bytes);
        let e = parse(&bytes).expect_err(name);
        assert_eq!((e.record, e.field), (record, field), "{name}: {e}");
        assert!(e.reason.contains(reason), "{name}: {e}");
    }
}

/// The same change of characters fails the same way in both code sets: same record, same
/// field, same reason.
#[test]
fn malformed_files_fail_the_same_way_in_both_code_sets() {
    let cases: &[(usize, usize, char)] = &[
        (1, 2, '7'),  // 種別コード 71
        (1, 4, '2'),  // コード区分 2
        (1, 5, 'A'),  // 振込依頼人コード not a number
        (2, 1, '5'),  // データ区分
        (2, 43, 'X'), // 預金種目
        (2, 86, 'X'), // 振込金額
        (3, 90, '1'), // 振込金額 off by 1: the trailer amount no longer adds up
        (4, 7, '3'),  // 合計件数
        (4, 19, '9'), // 合計金額
        (5, 1, '8'),  // a second trailer where the end record belongs
        (5, 1, '2'),  // a data record where the end record belongs
    ];
    for &(record, position, c) in cases {
        let errors: Vec<ZenginError> = [
            (CodeSet::Jis, transfer_bytes(false)),
            (CodeSet::Ebcdic, transfer_ebcdic_bytes(false)),
        ]
        .into_iter()
        .map(|(code_set, mut bytes)| {
            bytes[(record - 1) * 120 + position - 1] = encode_char(code_set, c).unwrap();
            parse(&bytes).expect_err("malformed")
        })
        .collect();
        assert_eq!(
            errors[0], errors[1],
            "record {record} position {position} = {c}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any names from the Zengin repertoire survive EBCDIC and come back as the JIS file.
    #[test]
    fn ebcdic_round_trips_any_zengin_names(
        names in proptest::collection::vec("[ ()\\-.0-9A-Zｦ-ﾟ]{1,30}", 1..5),
        crlf: bool,
    ) {
        let payees: Vec<Transfer> = names
            .iter()
            .zip(payouts().into_iter().cycle())
            .map(|(name, t)| Transfer { payee_name: name.trim_end().to_string(), ..t })
            .collect();
        let file = transfer_file(&header(), &payees, crlf).unwrap();
        let jis = write(&file);
        let ebcdic = write(&file.with_code_set(CodeSet::Ebcdic));
        let parsed = parse(&ebcdic).unwrap();
        proptest::prop_assert_eq!(parsed.code_set, CodeSet::Ebcdic);
        proptest::prop_assert_eq!(&write(&parsed), &ebcdic);
        proptest::prop_assert_eq!(transfers(&parsed), transfers(&parse(&jis).unwrap()));
        proptest::prop_assert_eq!(write(&parsed.with_code_set(CodeSet::Jis)), jis);
    }
}

#[test]
fn statement_deposits_that_give_a_transfer_back_are_told_by_their_description() {
    use super::statement::{StatementEntry, RETURN_DESCRIPTION};
    let entry = |deposit: bool, kind: u8, description: &str| StatementEntry {
        inquiry_number: "00000001".into(),
        booking_date: "081124".into(),
        deposit,
        kind,
        amount_yen: 1_000,
        transferor_code: String::new(),
        transferor_name: String::new(),
        description: description.into(),
        edi: "ABCDE23456".into(),
    };
    let table = [
        (entry(true, 11, RETURN_DESCRIPTION), true),
        (entry(true, 11, "ｸﾐﾓﾄﾞｼ"), true),
        (entry(true, 18, "ﾍﾝｷﾔｸ ﾌﾞﾝ"), true),
        (entry(true, 11, ""), false), // an ordinary incoming transfer
        (entry(false, 14, RETURN_DESCRIPTION), false), // a withdrawal is never a return
        (entry(true, 19, RETURN_DESCRIPTION), false), // a correction is for the operator
        (entry(true, 11, "ﾌﾘｺﾐ"), false),
    ];
    for (e, expected) in table {
        assert_eq!(e.is_return(), expected, "{e:?}");
    }
}
