use super::*;

const HEADER: &str = "number,amount_yen,buyer_name,buyer_address,buyer_bank_code,buyer_branch_code,buyer_account_type,buyer_account_number,buyer_holder_name,seller_name,seller_address,seller_bank_code,seller_branch_code,seller_account_type,seller_account_number,seller_holder_name,goods_name,goods_model,goods_quantity,due_date";

fn row(number: &str, amount: &str) -> String {
    format!("{number},{amount},山田商店,東京都千代田区1-1,0001,001,ordinary,1234567,ﾔﾏﾀﾞｼﾖｳﾃﾝ,佐藤工業,大阪府大阪市2-2,0005,123,current,7654321,ｻﾄｳｺｳｷﾞﾖｳ,旋盤,\"L-1, 改\",1,")
}

#[test]
fn csv_in_shift_jis_reads_as_in_utf8() {
    let text = format!("{HEADER}\r\n{}\r\n", row("A-1", "10000"));
    let (sjis, _, lossy) = encoding_rs::SHIFT_JIS.encode(&text);
    assert!(!lossy);
    let from_sjis = read_upload(UploadFormat::Csv, Some("Shift_JIS"), &sjis).unwrap();
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let from_utf8 = read_upload(UploadFormat::Csv, None, &with_bom).unwrap();
    assert_eq!(from_sjis, from_utf8);
    let c = from_sjis[0].1.as_ref().unwrap();
    assert_eq!(c.buyer.name, "山田商店");
    assert_eq!(c.goods.model, "L-1, 改");
    assert_eq!(c.seller.account.account_type, "current");
    assert_eq!(c.due_date, None);
}

#[test]
fn a_bad_row_is_answered_alone() {
    let text = format!(
        "{HEADER}\n{}\n{}\nA-3,1\n",
        row("A-1", "10000"),
        row("A-2", "ten")
    );
    let lines = read_upload(UploadFormat::Csv, None, text.as_bytes()).unwrap();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].1.is_ok());
    let bad = lines[1].1.as_ref().unwrap_err();
    assert_eq!((lines[1].0, bad.field.as_deref()), (2, Some("amount_yen")));
    assert_eq!(lines[2].1.as_ref().unwrap_err().code, "invalid_line");
}

#[test]
fn a_body_that_is_not_the_layout_is_refused_whole() {
    let wrong_column = format!("{HEADER},colour\n{},red\n", row("A-1", "1"));
    let missing = "number,amount_yen\nA-1,1\n";
    let cases: [(UploadFormat, Option<&str>, &[u8]); 5] = [
        (UploadFormat::Csv, None, wrong_column.as_bytes()),
        (UploadFormat::Csv, None, missing.as_bytes()),
        // Shift_JIS bytes (山) declared as UTF-8.
        (UploadFormat::JsonLines, None, b"{\"number\":\"\x8eR\"}\n"),
        (UploadFormat::JsonLines, None, b"\n\n"),
        (UploadFormat::Csv, Some("shift_jis"), b"\x81"),
    ];
    for (format, charset, body) in cases {
        let e = read_upload(format, charset, body).unwrap_err();
        assert_eq!(e.code, "invalid_upload", "{e:?}");
    }
    let e = read_upload(UploadFormat::Csv, Some("euc-jp"), b"x").unwrap_err();
    assert_eq!(e.code, "unsupported_media_type");
}

#[test]
fn json_lines_name_the_field_a_line_gets_wrong() {
    let body = "{\"number\":\"A-1\",\"amount_yen\":\"12\"}\n\nnot json\n";
    let lines = read_upload(UploadFormat::JsonLines, None, body.as_bytes()).unwrap();
    assert_eq!(lines.len(), 2, "blank lines are skipped");
    let first = lines[0].1.as_ref().unwrap_err();
    assert_eq!(
        (lines[0].0, first.field.as_deref()),
        (1, Some("amount_yen"))
    );
    assert_eq!(lines[1].0, 3, "lines keep their number in the body");
}

#[test]
fn more_than_the_limit_is_refused_whole() {
    let body = "{}\n".repeat(MAX_CONTRACTS_PER_UPLOAD + 1);
    let e = read_upload(UploadFormat::JsonLines, None, body.as_bytes()).unwrap_err();
    assert_eq!(e.code, "invalid_upload");
    assert!(e.message.contains("at most 100000"), "{}", e.message);
}
