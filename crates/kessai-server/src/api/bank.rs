//! Operator endpoints for bank files: import what the bank sent, export what it should pay,
//! and correct a rejected instruction. (Money that matched no deal: `suspense.rs`.)

use super::body::{read_limited, unsupported, JsonBody};
use super::extract::Operator;
use crate::error::{AppError, AppResult};
use crate::service::bank_export::{self, ExportFormat, ExportedFile};
use crate::service::bank_import::{self, ImportSummary};
use crate::App;
use axum::extract::{Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The largest bank file accepted over HTTP (a million 200-byte records).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

/// The Content-Types a bank file may be sent as: its bytes as they are (Zengin files are
/// fixed-width text, ISO 20022 files XML). The format is told from the bytes, not the type.
pub const UPLOAD_TYPES: [&str; 4] = [
    "application/octet-stream",
    "application/xml",
    "text/xml",
    "text/plain",
];

/// The longest file name kept with an import.
pub const MAX_NAME_CHARS: usize = 255;

#[derive(Deserialize)]
pub struct FileName {
    pub name: Option<String>,
}

/// An uploaded file: its name (from `?name=`, at most [`MAX_NAME_CHARS`]) and its bytes, of a
/// declared type among `types` and at most `max_bytes` long.
pub async fn read_file(
    request: Request,
    q: FileName,
    types: &[&str],
    max_bytes: usize,
) -> AppResult<(String, axum::body::Bytes)> {
    let declared = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
    if !declared.is_some_and(|t| types.contains(&t.as_str())) {
        return Err(unsupported(&types.join(", ")));
    }
    let name = q.name.unwrap_or_else(|| "upload".into());
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::invalid(
            "name",
            format!("name is longer than {MAX_NAME_CHARS} characters"),
        ));
    }
    Ok((name, read_limited(request, max_bytes).await?))
}

/// Import a file from the bank (body: the file's bytes, sent as `application/octet-stream`,
/// `application/xml`, `text/xml` or `text/plain`; at most 256 MiB). Zengin type 01 and 03,
/// pain.002.001.11, camt.053.001.08 and camt.054.001.08 are recognized. The same file, or a
/// record seen before, is applied once.
#[utoipa::path(post, path = "/v1/operator/bank-files",
    params(("name" = Option<String>, Query, max_length = 255, description = "the file's name, kept with the import (at most 255 characters)")),
    request_body(content(
        (Vec<u8> = "application/octet-stream"), (Vec<u8> = "application/xml"),
        (Vec<u8> = "text/xml"), (Vec<u8> = "text/plain"))),
    responses((status = 200, body = ImportSummary)), security(("operator_bearer" = [])))]
pub async fn import(
    State(app): State<Arc<App>>,
    _: Operator,
    Query(q): Query<FileName>,
    request: Request,
) -> AppResult<Json<ImportSummary>> {
    let (name, body) = read_file(request, q, &UPLOAD_TYPES, MAX_UPLOAD_BYTES).await?;
    Ok(Json(
        bank_import::import(&app, &name, Vec::from(body)).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExportInput {
    /// `zengin` or `iso20022`.
    #[schema(max_length = 16, pattern = "^(zengin|iso20022)$")]
    pub format: String,
    /// Value date `YYYY-MM-DD` (a bank holiday moves to the next business day); default today.
    #[schema(max_length = 10, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ExportResult {
    /// Files written to the server's bank output directory.
    pub files: Vec<ExportedFile>,
}

/// Write every pending payout and refund into bank files.
#[utoipa::path(post, path = "/v1/operator/bank-exports", request_body = ExportInput, responses((status = 200, body = ExportResult)), security(("operator_bearer" = [])))]
pub async fn export(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<ExportInput>,
) -> AppResult<Json<ExportResult>> {
    let input = body.value;
    let format = ExportFormat::parse(&input.format)
        .ok_or_else(|| AppError::invalid("format", "the format is zengin or iso20022"))?;
    let date = match input.date {
        Some(d) => crate::service::field_error::date_field(&d)?,
        None => crate::i18n::date_jst(app.clock.now()),
    };
    let files = bank_export::export(&app, format, date, &app.config.bank_out_dir).await?;
    Ok(Json(ExportResult { files }))
}

#[derive(Serialize, ToSchema)]
pub struct CorrectResult {
    pub instruction_id: String,
    pub status: String,
}

/// Correct the account of a rejected payout or refund; it goes out with the next export.
#[utoipa::path(post, path = "/v1/operator/instructions/{id}/correct", params(("id" = String, Path)), request_body = crate::service::register::BankAccountInput,
    responses((status = 200, body = CorrectResult), (status = 409, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn correct(
    State(app): State<Arc<App>>,
    _: Operator,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: JsonBody<crate::service::register::BankAccountInput>,
) -> AppResult<Json<CorrectResult>> {
    let account = body.value.to_account(app.config.bank_master.as_deref())?;
    let corrected = crate::transact!(*app, |tx| Ok(tx.correct_instruction(&id, &account).await?))?;
    if !corrected {
        return Err(AppError::new(
            axum::http::StatusCode::CONFLICT,
            "wrong_state",
            "only a rejected instruction can be corrected",
        ));
    }
    Ok(Json(CorrectResult {
        instruction_id: id,
        status: "pending".into(),
    }))
}
