//! A bulk upload's body read into contracts: JSON lines (one contract object per line) or
//! CSV with a header row (the columns of [`CSV_COLUMNS`]), in UTF-8 (with or without a BOM,
//! as Excel writes it) or Shift_JIS. A body that cannot be read as a whole — bytes that are
//! not the declared encoding, a CSV header that is not the layout, no lines or too many — is
//! refused whole; a line that is not a contract is answered for that line alone.

use super::{Line, LineProblem};
use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use kessai_core::contract::{AccountInput, ContractInput, GoodsInput, PartyInput};

pub const MAX_CONTRACTS_PER_UPLOAD: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadFormat {
    JsonLines,
    Csv,
}

/// The CSV layout: a header row naming these columns, in any order. `goods_model`,
/// `due_date`, `payout`, `pooling` and the parties' emails may be left out.
pub const CSV_COLUMNS: [&str; 24] = [
    "number",
    "amount_yen",
    "buyer_name",
    "buyer_address",
    "buyer_bank_code",
    "buyer_branch_code",
    "buyer_account_type",
    "buyer_account_number",
    "buyer_holder_name",
    "seller_name",
    "seller_address",
    "seller_bank_code",
    "seller_branch_code",
    "seller_account_type",
    "seller_account_number",
    "seller_holder_name",
    "goods_name",
    "goods_model",
    "goods_quantity",
    "due_date",
    "payout",
    "pooling",
    "buyer_email",
    "seller_email",
];
const OPTIONAL_COLUMNS: [&str; 6] = [
    "goods_model",
    "due_date",
    "payout",
    "pooling",
    "buyer_email",
    "seller_email",
];

pub fn invalid_upload(message: impl Into<String>) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_upload", message).with_field("body")
}

/// The body as text in its declared charset (`utf-8` when none is given).
fn decode(charset: Option<&str>, bytes: &[u8]) -> AppResult<String> {
    let charset = charset.map(|c| c.trim().trim_matches('"').to_ascii_lowercase());
    match charset.as_deref() {
        None | Some("utf-8") | Some("utf8") => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            String::from_utf8(bytes.to_vec()).map_err(|e| {
                invalid_upload(format!(
                    "the body is not UTF-8 (byte {}); a Shift_JIS file is sent with charset=shift_jis: nothing stored",
                    e.utf8_error().valid_up_to()
                ))
            })
        }
        Some("shift_jis" | "shift-jis" | "sjis" | "x-sjis" | "windows-31j" | "cp932") => {
            encoding_rs::SHIFT_JIS
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(|text| text.into_owned())
                .ok_or_else(|| invalid_upload("the body is not Shift_JIS text: nothing stored"))
        }
        Some(other) => Err(AppError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("charset {other} is not read: send utf-8 or shift_jis"),
        )),
    }
}

/// Reads the body into its lines, each a contract or the reason it is not one.
pub fn read_upload(
    format: UploadFormat,
    charset: Option<&str>,
    bytes: &[u8],
) -> AppResult<Vec<Line>> {
    let text = decode(charset, bytes)?;
    let lines = match format {
        UploadFormat::JsonLines => json_lines(&text),
        UploadFormat::Csv => csv_rows(&text)?,
    };
    if lines.is_empty() {
        return Err(invalid_upload("the body holds no contracts"));
    }
    if lines.len() > MAX_CONTRACTS_PER_UPLOAD {
        return Err(invalid_upload(format!(
            "the body holds {} contracts; at most {MAX_CONTRACTS_PER_UPLOAD} are taken in one request: nothing stored",
            lines.len()
        )));
    }
    Ok(lines)
}

fn json_lines(text: &str) -> Vec<Line> {
    text.split('\n')
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, json_line(l.trim_end_matches('\r'))))
        .collect()
}

fn json_line(line: &str) -> Result<ContractInput, LineProblem> {
    let mut de = serde_json::Deserializer::from_str(line);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        LineProblem {
            code: "invalid_line",
            field: (path != ".").then_some(path),
            reason: e.into_inner().to_string(),
        }
    })
}

fn csv_rows(text: &str) -> AppResult<Vec<Line>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| invalid_upload(format!("the CSV header cannot be read: {e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let known = &CSV_COLUMNS[..];
    if let Some(unknown) = header.iter().find(|h| !known.contains(&h.as_str())) {
        return Err(invalid_upload(format!(
            "the CSV header names column '{unknown}', which is not one of {}: nothing stored",
            known.join(", ")
        )));
    }
    let missing: Vec<&str> = known
        .iter()
        .filter(|c| !OPTIONAL_COLUMNS.contains(c) && !header.iter().any(|h| h == *c))
        .copied()
        .collect();
    if !missing.is_empty() {
        return Err(invalid_upload(format!(
            "the CSV header lacks the columns {}: nothing stored",
            missing.join(", ")
        )));
    }
    let at = |name: &str| header.iter().position(|h| h == name);
    let columns: Vec<Option<usize>> = known.iter().map(|c| at(c)).collect();
    let mut lines = vec![];
    for (i, record) in reader.records().enumerate() {
        let row = i + 1;
        lines.push((
            row,
            match record {
                Ok(r) => csv_contract(&r, &columns),
                Err(e) => Err(LineProblem {
                    code: "invalid_line",
                    field: None,
                    reason: format!("the row cannot be read: {e}"),
                }),
            },
        ));
    }
    Ok(lines)
}

fn csv_contract(
    r: &csv::StringRecord,
    columns: &[Option<usize>],
) -> Result<ContractInput, LineProblem> {
    let cell = |name: &str| -> String {
        let k = CSV_COLUMNS
            .iter()
            .position(|c| *c == name)
            .expect("a column");
        columns[k]
            .and_then(|i| r.get(i))
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let whole = |name: &str, what: &str| -> Result<i64, LineProblem> {
        let v = kessai_core::text::digits(&cell(name));
        v.parse().map_err(|_| LineProblem {
            code: "invalid_field",
            field: Some(name.to_string()),
            reason: format!("{name}: must be {what}"),
        })
    };
    let party = |who: &str| PartyInput {
        name: cell(&format!("{who}_name")),
        address: cell(&format!("{who}_address")),
        account: AccountInput {
            bank_code: cell(&format!("{who}_bank_code")),
            branch_code: cell(&format!("{who}_branch_code")),
            account_type: cell(&format!("{who}_account_type")),
            account_number: cell(&format!("{who}_account_number")),
            holder_name: cell(&format!("{who}_holder_name")),
        },
        email: Some(cell(&format!("{who}_email"))).filter(|v| !v.is_empty()),
    };
    let optional = |name: &str| Some(cell(name)).filter(|v| !v.is_empty());
    Ok(ContractInput {
        number: cell("number"),
        amount_yen: whole("amount_yen", "a whole number of yen")?,
        buyer: party("buyer"),
        seller: party("seller"),
        goods: GoodsInput {
            name: cell("goods_name"),
            model: cell("goods_model"),
            quantity: whole("goods_quantity", "a whole number")?,
        },
        due_date: optional("due_date"),
        payout: optional("payout"),
        pooling: optional("pooling"),
    })
}

#[cfg(test)]
mod tests;
