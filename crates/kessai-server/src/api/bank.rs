//! Operator endpoints for bank files: import what the bank sent, export what it should pay,
//! and see the money that matched no deal.

use super::extract::{idempotency_key, json, require_operator};
use super::json_response;
use crate::error::{AppError, AppResult};
use crate::service::bank_export::{self, ExportFormat, ExportedFile};
use crate::service::bank_import::{self, ImportSummary};
use crate::service::suspense::{self, ClaimResult, ReturnResult};
use crate::{transact_idempotent, App};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
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
pub struct SuspenseList {
    #[schema(value_type = Vec<Object>)]
    pub credits: Vec<kessai_store::CreditRecord>,
    pub total_yen: i64,
    /// Payments the bank took back after the money had moved on, each with `remaining_yen`
    /// still owed by its payer.
    #[schema(value_type = Vec<Object>)]
    pub claims: Vec<kessai_store::ClaimRecord>,
    /// What the payers still owe on all open claims.
    pub claims_total_yen: i64,
}

/// Incoming money that matched no single deal, and open reversal claims, oldest first.
#[utoipa::path(get, path = "/v1/operator/suspense", responses((status = 200, body = SuspenseList)), security(("operator_bearer" = [])))]
pub async fn suspense(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
) -> AppResult<Json<SuspenseList>> {
    require_operator(&app, &headers)?;
    let credits = app.store.unmatched_credits(10_000).await?;
    let total_yen = credits.iter().map(|c| c.amount_yen).sum();
    let claims = app.store.reversal_claims(10_000).await?;
    let claims_total_yen = claims.iter().map(|c| c.remaining_yen).sum();
    Ok(Json(SuspenseList {
        credits,
        total_yen,
        claims,
        claims_total_yen,
    }))
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

#[derive(Deserialize, ToSchema)]
pub struct AssignInput {
    /// The buyer's deal ID.
    pub deal_id: String,
}

/// Assign a credit from the suspense list to a deal; the deal's amount rules apply.
#[utoipa::path(post, path = "/v1/operator/suspense/{credit_id}/assign", params(("credit_id" = String, Path)), request_body = AssignInput,
    responses((status = 200, body = crate::service::credit::CreditResult), (status = 409, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn assign(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    axum::extract::Path(credit_id): axum::extract::Path<String>,
    body: Bytes,
) -> AppResult<Json<crate::service::credit::CreditResult>> {
    require_operator(&app, &headers)?;
    let input: AssignInput = json(&body)?;
    let result = crate::transact!(*app, |tx| crate::service::credit::assign_credit(
        &app,
        tx,
        &credit_id,
        &input.deal_id
    )
    .await)?;
    Ok(Json(result))
}

/// Return a credit from the suspense list to the account it came from (body: that account).
/// It leaves with the next bank export; the bank's answers complete or reject it.
#[utoipa::path(post, path = "/v1/operator/suspense/{credit_id}/return", params(("credit_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = crate::service::register::BankAccountInput,
    responses((status = 200, body = ReturnResult), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn return_credit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    axum::extract::Path(credit_id): axum::extract::Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    require_operator(&app, &headers)?;
    let a: crate::service::register::BankAccountInput = json(&body)?;
    let account = a.to_account(app.config.bank_master.as_deref())?;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/suspense/{credit_id}/return"),
        &body,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        suspense::return_credit(&app, tx, &credit_id, &account).await
    })?;
    Ok(json_response(status, body))
}

/// Write off an open reversal claim.
#[utoipa::path(post, path = "/v1/operator/claims/{claim_id}/write-off", params(("claim_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = ClaimResult), (status = 409, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn write_off(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    axum::extract::Path(claim_id): axum::extract::Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    require_operator(&app, &headers)?;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/claims/{claim_id}/write-off"),
        &body,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        suspense::write_off(&app, tx, &claim_id).await
    })?;
    Ok(json_response(status, body))
}

#[derive(Deserialize, ToSchema)]
pub struct RecoverInput {
    /// The suspense credit that carried the payer's money back (same amount as the claim).
    pub credit_id: String,
}

/// Settle an open reversal claim with the suspense credit the payer sent.
#[utoipa::path(post, path = "/v1/operator/claims/{claim_id}/recover", params(("claim_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = RecoverInput,
    responses((status = 200, body = ClaimResult), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn recover(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    axum::extract::Path(claim_id): axum::extract::Path<String>,
    body: Bytes,
) -> AppResult<Response> {
    require_operator(&app, &headers)?;
    let input: RecoverInput = json(&body)?;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/claims/{claim_id}/recover"),
        &body,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        suspense::recover(&app, tx, &claim_id, &input.credit_id).await
    })?;
    Ok(json_response(status, body))
}
