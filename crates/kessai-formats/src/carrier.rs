//! The carrier's files (seed 001, figures 7–8): delivery instructions Kessai sends, and the
//! shipping notices the carrier returns. Both are CSV in the shape Japanese carriers' shipping
//! systems import and export: Shift_JIS (Windows-31J), CRLF, a header row of Japanese column
//! names, dates as `YYYY/MM/DD`. Each row is known by the お客様管理番号 Kessai gave it.

use encoding_rs::SHIFT_JIS;

/// The instruction file's columns, in order.
pub const INSTRUCTION_COLUMNS: [&str; 9] = [
    "お客様管理番号",
    "出荷予定日",
    "お届け先名",
    "お届け先住所",
    "ご依頼主名",
    "ご依頼主住所",
    "品名",
    "型番",
    "個数",
];

/// The shipping notice's columns, in order.
pub const NOTICE_COLUMNS: [&str; 3] = ["お客様管理番号", "送り状番号", "出荷日"];

/// One delivery: from the seller (ご依頼主) to the buyer (お届け先).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    pub reference: String,
    /// `YYYY/MM/DD`.
    pub ship_date: String,
    pub recipient_name: String,
    pub recipient_address: String,
    pub sender_name: String,
    pub sender_address: String,
    pub goods_name: String,
    pub goods_model: String,
    pub quantity: u32,
}

/// The carrier's word that one delivery left: its tracking number (送り状番号) and the day.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub reference: String,
    pub tracking_number: String,
    /// `YYYY/MM/DD`.
    pub shipped_on: String,
}

/// Why a carrier file was refused: the row (1 = the header) and column, and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}{}: {reason}", column.map(|c| format!(", column {c}")).unwrap_or_default())]
pub struct CarrierError {
    pub row: usize,
    pub column: Option<&'static str>,
    pub reason: String,
}

fn error(row: usize, column: Option<&'static str>, reason: impl Into<String>) -> CarrierError {
    CarrierError {
        row,
        column,
        reason: reason.into(),
    }
}

/// Whether Shift_JIS (Windows-31J) can carry this text: a carrier file cannot hold anything else.
pub fn encodable(text: &str) -> bool {
    crate::spreadsheet_csv::encodable(text)
}

fn write(
    header: &[&'static str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, CarrierError> {
    crate::spreadsheet_csv::write(header, rows, crate::spreadsheet_csv::Charset::ShiftJis).map_err(
        |e| {
            error(
                e.row,
                Some(e.column),
                "holds a character Shift_JIS cannot carry",
            )
        },
    )
}

pub fn write_instructions(rows: &[Instruction]) -> Result<Vec<u8>, CarrierError> {
    write(
        &INSTRUCTION_COLUMNS,
        rows.iter().map(|r| {
            vec![
                r.reference.clone(),
                r.ship_date.clone(),
                r.recipient_name.clone(),
                r.recipient_address.clone(),
                r.sender_name.clone(),
                r.sender_address.clone(),
                r.goods_name.clone(),
                r.goods_model.clone(),
                r.quantity.to_string(),
            ]
        }),
    )
}

pub fn write_notices(rows: &[Notice]) -> Result<Vec<u8>, CarrierError> {
    write(
        &NOTICE_COLUMNS,
        rows.iter().map(|r| {
            vec![
                r.reference.clone(),
                r.tracking_number.clone(),
                r.shipped_on.clone(),
            ]
        }),
    )
}

/// The rows of a carrier CSV whose header is exactly `header`, each with as many cells.
fn read(bytes: &[u8], header: &[&'static str]) -> Result<Vec<Vec<String>>, CarrierError> {
    let text = SHIFT_JIS
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or_else(|| error(0, None, "the file is not Shift_JIS text"))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = vec![];
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| error(i + 1, None, e.to_string()))?;
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_string()).collect();
        if i == 0 {
            if cells != header {
                return Err(error(
                    1,
                    None,
                    format!("the header must be {}", header.join(",")),
                ));
            }
            continue;
        }
        if cells.len() != header.len() {
            return Err(error(
                i + 1,
                None,
                format!(
                    "{} cells where the header has {}",
                    cells.len(),
                    header.len()
                ),
            ));
        }
        rows.push(cells);
    }
    if rows.is_empty() && reader.position().line() == 1 {
        return Err(error(1, None, "the file has no header"));
    }
    Ok(rows)
}

/// `YYYY/MM/DD` of a real day.
fn date(row: usize, column: &'static str, s: &str) -> Result<String, CarrierError> {
    let b = s.as_bytes();
    let number = |r: std::ops::Range<usize>| s.get(r).and_then(|p| p.parse::<u32>().ok());
    let ok = b.len() == 10
        && b[4] == b'/'
        && b[7] == b'/'
        && matches!(
            (number(0..4), number(5..7), number(8..10)),
            (Some(y), Some(m), Some(d)) if crate::days::exists(y, m, d)
        );
    if ok {
        Ok(s.to_string())
    } else {
        Err(error(
            row,
            Some(column),
            format!("'{s}' is not a date YYYY/MM/DD"),
        ))
    }
}

pub fn read_instructions(bytes: &[u8]) -> Result<Vec<Instruction>, CarrierError> {
    read(bytes, &INSTRUCTION_COLUMNS)?
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let row = i + 2;
            Ok(Instruction {
                ship_date: date(row, "出荷予定日", &c[1])?,
                quantity: c[8]
                    .parse()
                    .map_err(|_| error(row, Some("個数"), format!("'{}' is not a number", c[8])))?,
                reference: c[0].clone(),
                recipient_name: c[2].clone(),
                recipient_address: c[3].clone(),
                sender_name: c[4].clone(),
                sender_address: c[5].clone(),
                goods_name: c[6].clone(),
                goods_model: c[7].clone(),
            })
        })
        .collect()
}

pub fn read_notices(bytes: &[u8]) -> Result<Vec<Notice>, CarrierError> {
    read(bytes, &NOTICE_COLUMNS)?
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            let row = i + 2;
            if c[0].is_empty() {
                return Err(error(row, Some("お客様管理番号"), "is empty"));
            }
            if c[1].is_empty() || !c[1].chars().all(|ch| ch.is_ascii_digit() || ch == '-') {
                return Err(error(
                    row,
                    Some("送り状番号"),
                    format!("'{}' is not a tracking number", c[1]),
                ));
            }
            Ok(Notice {
                shipped_on: date(row, "出荷日", &c[2])?,
                reference: c[0].clone(),
                tracking_number: c[1].clone(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
