//! Operator endpoints for bank files: import what the bank sent, export what it should pay,
//! and correct a rejected instruction. (Money that matched no deal: `suspense.rs`.)

use super::extract::{json, require_operator};
use crate::error::{AppError, AppResult};
use crate::service::bank_export::{self, ExportFormat, ExportedFile};
use crate::service::bank_import::{self, ImportSummary};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// The largest bank file accepted over HTTP (a million 200-byte records).
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

#[derive(Deserialize)]
pub struct FileName {
    pub name: Option<String>,
}

/// Import a file from the bank (body: the file's bytes). Zengin type 01, pain.002.001.11 and
/// camt.054.001.08 are recognized. The same file, or a record seen before, is applied once.
#[utoipa::path(post, path = "/v1/operator/bank-files", params(("name" = Option<String>, Query)), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = ImportSummary), (status = 422, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn import(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<FileName>,
    body: Bytes,
) -> AppResult<Json<ImportSummary>> {
    require_operator(&app, &headers)?;
    let name = q.name.unwrap_or_else(|| "upload".into());
    Ok(Json(bank_import::import(&app, &name, &body).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ExportInput {
    /// `zengin` or `iso20022`.
    pub format: String,
    /// Value date `YYYY-MM-DD` (a bank holiday moves to the next business day); default today.
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
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Json<ExportResult>> {
    require_operator(&app, &headers)?;
    let input: ExportInput = json(&body)?;
    let format = ExportFormat::parse(&input.format)
        .ok_or_else(|| AppError::invalid("format", "the format is zengin or iso20022"))?;
    let date = match input.date {
        Some(d) => time::Date::parse(
            &d,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| AppError::invalid("date", "the date is written YYYY-MM-DD"))?,
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
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Bytes,
) -> AppResult<Json<CorrectResult>> {
    require_operator(&app, &headers)?;
    let a: crate::service::register::BankAccountInput = json(&body)?;
    let account = a.to_account(app.config.bank_master.as_deref())?;
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
