//! Operator endpoints for money no deal holds: the suspense list and open reversal claims;
//! assigning a credit to a deal, returning it to its payer, and recovering or writing off a
//! claim.

use super::body::{JsonBody, NoBody};
use super::extract::{idempotency_key, Operator};
use super::json_response;
use crate::error::AppResult;
use crate::service::suspense::{self, ClaimResult, ReturnResult};
use crate::{transact_idempotent, App};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

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
    /// Entries of imported files listed for the operator, not applied (a debit Kessai did not
    /// send, a withdrawal without Kessai's reference, a correction), newest file first.
    #[schema(value_type = Vec<Object>)]
    pub listed: Vec<kessai_store::ListedEntry>,
}

/// Incoming money that matched no single deal and open reversal claims, oldest first; and the
/// entries of bank files listed for the operator but not applied.
#[utoipa::path(get, path = "/v1/operator/suspense", responses((status = 200, body = SuspenseList)), security(("operator_bearer" = [])))]
pub async fn suspense(State(app): State<Arc<App>>, _: Operator) -> AppResult<Json<SuspenseList>> {
    let credits = app.store.unmatched_credits(10_000).await?;
    let total_yen = credits.iter().map(|c| c.amount_yen).sum();
    let claims = app.store.reversal_claims(10_000).await?;
    let claims_total_yen = claims.iter().map(|c| c.remaining_yen).sum();
    let listed = app.store.listed_entries(10_000).await?;
    Ok(Json(SuspenseList {
        credits,
        total_yen,
        claims,
        claims_total_yen,
        listed,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignInput {
    /// The buyer's deal ID.
    #[schema(max_length = 32)]
    pub deal_id: String,
}

/// Assign a credit from the suspense list to a deal; the deal's amount rules apply.
#[utoipa::path(post, path = "/v1/operator/suspense/{credit_id}/assign", params(("credit_id" = String, Path)), request_body = AssignInput,
    responses((status = 200, body = crate::service::credit::CreditResult), (status = 409, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn assign(
    State(app): State<Arc<App>>,
    _: Operator,
    axum::extract::Path(credit_id): axum::extract::Path<String>,
    body: JsonBody<AssignInput>,
) -> AppResult<Json<crate::service::credit::CreditResult>> {
    let input = body.value;
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
#[utoipa::path(post, path = "/v1/operator/suspense/{credit_id}/return", params(("credit_id" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    request_body = crate::service::register::BankAccountInput,
    responses((status = 200, body = ReturnResult), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn return_credit(
    State(app): State<Arc<App>>,
    _: Operator,
    headers: HeaderMap,
    axum::extract::Path(credit_id): axum::extract::Path<String>,
    body: JsonBody<crate::service::register::BankAccountInput>,
) -> AppResult<Response> {
    let account = body.value.to_account(app.config.bank_master.as_deref())?;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/suspense/{credit_id}/return"),
        &body.raw,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        suspense::return_credit(&app, tx, &credit_id, &account).await
    })?;
    Ok(json_response(status, body))
}

/// Write off an open reversal claim.
#[utoipa::path(post, path = "/v1/operator/claims/{claim_id}/write-off", params(("claim_id" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 200, body = ClaimResult), (status = 409, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn write_off(
    State(app): State<Arc<App>>,
    _: Operator,
    headers: HeaderMap,
    axum::extract::Path(claim_id): axum::extract::Path<String>,
    body: NoBody,
) -> AppResult<Response> {
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/claims/{claim_id}/write-off"),
        &body.raw,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        suspense::write_off(&app, tx, &claim_id).await
    })?;
    Ok(json_response(status, body))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoverInput {
    /// The suspense credit that carried the payer's money back (at most what is still owed).
    #[schema(max_length = 64)]
    pub credit_id: String,
}

/// Settle (part of) an open reversal claim with the suspense credit the payer sent.
#[utoipa::path(post, path = "/v1/operator/claims/{claim_id}/recover", params(("claim_id" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    request_body = RecoverInput,
    responses((status = 200, body = ClaimResult), (status = 409, body = super::ErrorBody), (status = 422, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn recover(
    State(app): State<Arc<App>>,
    _: Operator,
    headers: HeaderMap,
    axum::extract::Path(claim_id): axum::extract::Path<String>,
    body: JsonBody<RecoverInput>,
) -> AppResult<Response> {
    let input = body.value;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/claims/{claim_id}/recover"),
        &body.raw,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        suspense::recover(&app, tx, &claim_id, &input.credit_id).await
    })?;
    Ok(json_response(status, body))
}
