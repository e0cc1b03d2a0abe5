use super::*;

fn sjis(text: &str) -> Vec<u8> {
    SHIFT_JIS.encode(text).0.into_owned()
}

#[test]
fn instructions_read_back_as_written_in_shift_jis_with_crlf() {
    let rows = vec![Instruction {
        reference: "KS0000000001".into(),
        ship_date: "2026/12/03".into(),
        recipient_name: "株式会社 買手".into(),
        recipient_address: "東京都千代田区丸の内1-1-1".into(),
        sender_name: "売手商店".into(),
        sender_address: "大阪府大阪市北区梅田2-2-2".into(),
        goods_name: "工作機械".into(),
        goods_model: "KX-200, 改".into(),
        quantity: 2,
    }];
    let bytes = write_instructions(&rows).unwrap();
    assert!(bytes.windows(2).any(|w| w == b"\r\n"));
    assert!(std::str::from_utf8(&bytes).is_err(), "Shift_JIS, not UTF-8");
    assert_eq!(read_instructions(&bytes).unwrap(), rows);
}

#[test]
fn a_notice_written_by_hand_is_read() {
    let text = "お客様管理番号,送り状番号,出荷日\r\nKS0000000001,4012-3456-7890,2026/12/04\r\nKS0000000002,401234567891,2026/12/04\r\n";
    let notices = read_notices(&sjis(text)).unwrap();
    assert_eq!(notices.len(), 2);
    assert_eq!(notices[0].tracking_number, "4012-3456-7890");
    assert_eq!(notices[1].shipped_on, "2026/12/04");
}

#[test]
fn a_notice_that_is_not_the_layout_is_refused_naming_row_and_column() {
    let cases = [
        ("管理番号,送り状番号,出荷日\r\n", 1, None),
        (
            "お客様管理番号,送り状番号,出荷日\r\nKS1,ABC,2026/12/04\r\n",
            2,
            Some("送り状番号"),
        ),
        (
            "お客様管理番号,送り状番号,出荷日\r\nKS1,4012,2026/02/30\r\n",
            2,
            Some("出荷日"),
        ),
        ("お客様管理番号,送り状番号,出荷日\r\nKS1,4012\r\n", 2, None),
        ("", 1, None),
    ];
    for (text, row, column) in cases {
        let e = read_notices(&sjis(text)).unwrap_err();
        assert_eq!((e.row, e.column), (row, column), "{text}: {e}");
    }
    assert_eq!(read_notices(b"\x82").unwrap_err().row, 0);
}

#[test]
fn text_shift_jis_cannot_carry_is_refused_when_writing() {
    assert!(encodable("髙橋 ﾀﾛｳ ①"));
    assert!(!encodable("😀"));
    let e = write_notices(&[Notice {
        reference: "KS😀".into(),
        tracking_number: "1".into(),
        shipped_on: "2026/12/04".into(),
    }])
    .unwrap_err();
    assert_eq!((e.row, e.column), (2, Some("お客様管理番号")));
}
