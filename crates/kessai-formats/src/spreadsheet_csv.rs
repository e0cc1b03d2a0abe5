//! CSV as spreadsheet programs in Japan open it: CRLF line ends, and Shift_JIS (Windows-31J,
//! what Excel assumes for a `.csv` without a BOM) or UTF-8 with a byte-order mark (which Excel
//! reads as UTF-8). Carrier files and settlement lists are written this way.

use encoding_rs::SHIFT_JIS;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    ShiftJis,
    Utf8WithBom,
}

/// A value Shift_JIS cannot carry: its row (1-based, the header being row 1) and column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unencodable {
    pub row: usize,
    pub column: &'static str,
}

/// Whether Shift_JIS (Windows-31J) can carry this text.
pub fn encodable(text: &str) -> bool {
    !SHIFT_JIS.encode(text).2
}

/// The header and rows as CSV bytes in `charset`.
pub fn write(
    header: &[&'static str],
    rows: impl Iterator<Item = Vec<String>>,
    charset: Charset,
) -> Result<Vec<u8>, Unencodable> {
    let mut out = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(vec![]);
    // Writing into a Vec cannot fail.
    out.write_record(header).expect("CSV into memory");
    for (i, row) in rows.enumerate() {
        if charset == Charset::ShiftJis {
            if let Some((k, _)) = row.iter().enumerate().find(|(_, v)| !encodable(v)) {
                return Err(Unencodable {
                    row: i + 2,
                    column: header[k],
                });
            }
        }
        out.write_record(&row).expect("CSV into memory");
    }
    let bytes = out.into_inner().expect("CSV into memory");
    Ok(match charset {
        Charset::ShiftJis => {
            let text = String::from_utf8(bytes).expect("the writer was given UTF-8");
            SHIFT_JIS.encode(&text).0.into_owned()
        }
        Charset::Utf8WithBom => [b"\xEF\xBB\xBF".as_slice(), &bytes].concat(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_and_utf8_with_a_bom_as_excel_reads_them() {
        let rows = || vec![vec!["清算".to_string(), "1,000".to_string()]].into_iter();
        let sjis = write(&["項目", "金額"], rows(), Charset::ShiftJis).unwrap();
        // 項目 in Shift_JIS is 8D 80 96 DA; the comma-holding value is quoted; CRLF ends lines.
        assert!(sjis.starts_with(&[0x8D, 0x80, 0x96, 0xDA, b',']));
        assert!(sjis.ends_with(b"\"1,000\"\r\n"));
        let utf8 = write(&["項目", "金額"], rows(), Charset::Utf8WithBom).unwrap();
        assert_eq!(
            String::from_utf8(utf8).unwrap(),
            "\u{feff}項目,金額\r\n清算,\"1,000\"\r\n"
        );
    }

    #[test]
    fn a_value_shift_jis_cannot_carry_is_named() {
        let rows = vec![vec!["ok".to_string()], vec!["🍣".to_string()]].into_iter();
        assert_eq!(
            write(&["名前"], rows, Charset::ShiftJis),
            Err(Unencodable {
                row: 3,
                column: "名前"
            })
        );
    }
}
