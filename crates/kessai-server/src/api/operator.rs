//! Operator endpoints (bearer token): bank credits until bank files arrive, refunds, deadlines,
//! the test clock, pending instructions and the ledger check.

use super::body::{JsonBody, NoBody};
use super::extract::{idempotency_key, Operator};
use super::json_response;
use crate::clock::ClockRefusal;
use crate::error::{AppError, AppResult};
use crate::service::credit::{apply_credit, CreditInput, CreditResult};
use crate::service::deal_ops;
use crate::transact_idempotent;
use crate::App;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use kessai_core::{DealCommand, DealId};
use kessai_store::InstructionRecord;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// Report an incoming transfer at the operator's bank. Matched by the buyer's deal ID in the
/// reference; applied once per `bank_ref`; otherwise kept as an unmatched receipt.
#[utoipa::path(post, path = "/v1/operator/bank-credits", request_body = CreditInput,
    params(("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 200, body = CreditResult), (status = 401, body = super::ErrorBody), (status = 422, body = super::ErrorBody)),
    security(("operator_bearer" = [])))]
pub async fn credit(
    State(app): State<Arc<App>>,
    _: Operator,
    headers: HeaderMap,
    body: JsonBody<CreditInput>,
) -> AppResult<Response> {
    let input = body.value;
    crate::service::credit::validate(&input)?;
    let key = idempotency_key(&headers, "POST /v1/operator/bank-credits".into(), &body.raw)?;
    let (status, body) =
        transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| apply_credit(
            &app, tx, &input
        )
        .await)?;
    Ok(json_response(status, body))
}

#[derive(Serialize, ToSchema)]
pub struct RefundResult {
    pub deal_id: String,
    pub status: String,
}

/// End a deal that has not shipped and refund the buyer whatever was paid.
#[utoipa::path(post, path = "/v1/operator/deals/{deal_id}/refund", params(("deal_id" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 200, body = RefundResult), (status = 409, body = super::ErrorBody)), security(("operator_bearer" = [])))]
pub async fn refund(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(deal_id): Path<String>,
    headers: HeaderMap,
    body: NoBody,
) -> AppResult<Response> {
    let id = DealId::parse(&deal_id)?;
    let reg = app
        .store
        .registration(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    let internal = deal_ops::agreed_deal_id(&reg)?.to_string();
    let key = idempotency_key(
        &headers,
        format!("POST /v1/operator/deals/{deal_id}/refund"),
        &body.raw,
    )?;
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        deal_ops::apply(&app, tx, &internal, &DealCommand::OperatorRefund)
            .await
            .map(|record| RefundResult {
                deal_id: id.to_string(),
                status: record.deal.state.as_str().into(),
            })
    })?;
    Ok(json_response(status, body))
}

#[derive(Serialize, ToSchema)]
pub struct SchedulerResult {
    /// Deals whose deadline fired in this pass.
    pub changed: usize,
}

/// Apply every due deadline now (the scheduler also does this on its own).
#[utoipa::path(post, path = "/v1/operator/scheduler/run", responses((status = 200, body = SchedulerResult)), security(("operator_bearer" = [])))]
pub async fn run_scheduler(
    State(app): State<Arc<App>>,
    _: Operator,
    _: NoBody,
) -> AppResult<Json<SchedulerResult>> {
    Ok(Json(SchedulerResult {
        changed: crate::scheduler::run_once(&app).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockInput {
    /// How far to move, in milliseconds: 0 or more (time only moves forward), and at most a
    /// hundred years ahead of the wall clock in all.
    #[schema(minimum = 0, maximum = 3_162_240_000_000_i64)]
    pub advance_ms: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ClockResult {
    pub now_ms: i64,
}

/// Move the server's clock forward (only with `--test-clock`): how tests reach deadlines.
#[utoipa::path(post, path = "/v1/operator/clock", request_body = ClockInput, responses((status = 200, body = ClockResult)), security(("operator_bearer" = [])))]
pub async fn advance_clock(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<ClockInput>,
) -> AppResult<Json<ClockResult>> {
    let advance_ms = body.value.advance_ms;
    if advance_ms < 0 {
        return Err(AppError::invalid(
            "advance_ms",
            "advance_ms must be 0 or more: time only moves forward",
        ));
    }
    let now = app.clock.advance(advance_ms).map_err(|r| match r {
        ClockRefusal::Fixed => AppError::new(StatusCode::FORBIDDEN, "clock_fixed", r.to_string()),
        ClockRefusal::Backwards | ClockRefusal::TooFar => {
            AppError::invalid("advance_ms", r.to_string())
        }
    })?;
    // Kept across restarts: see `crate::start`.
    app.store
        .set_counter(crate::TEST_CLOCK_OFFSET, app.clock.offset_ms())
        .await?;
    Ok(Json(ClockResult { now_ms: now.0 }))
}

#[derive(Deserialize)]
pub struct InstructionQuery {
    pub deal_id: Option<String>,
    /// The `next_after` of the page before.
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// A page size when none is asked for, and the most one page holds.
const PAGE: i64 = 1_000;
const MAX_PAGE: i64 = 10_000;

#[derive(Serialize, ToSchema)]
pub struct InstructionList {
    #[schema(value_type = Vec<Object>)]
    pub instructions: Vec<InstructionRecord>,
    /// When more follow: pass as `after` for the next page.
    pub next_after: Option<String>,
}

fn bad_query(message: &str) -> AppError {
    AppError::new(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        message.to_string(),
    )
}

/// A cursor is the creation time and ID of the last instruction listed: `<ms>.<id>`.
fn parse_cursor(text: &str) -> AppResult<(i64, &str)> {
    let (ms, id) = text
        .split_once('.')
        .ok_or_else(|| bad_query("after must be the next_after of an earlier page"))?;
    let ms = ms
        .parse()
        .map_err(|_| bad_query("after must be the next_after of an earlier page"))?;
    Ok((ms, id))
}

/// Outbound payouts and refunds, oldest first (optionally of one deal, by either party's ID),
/// a page at a time: `limit` (1 to 10,000, default 1,000) after the cursor `after`.
#[utoipa::path(get, path = "/v1/operator/instructions", params(("deal_id" = Option<String>, Query),
    ("after" = Option<String>, Query, description = "next_after of the page before"),
    ("limit" = Option<i64>, Query, minimum = 1, maximum = 10000)),
    responses((status = 200, body = InstructionList)), security(("operator_bearer" = [])))]
pub async fn instructions(
    State(app): State<Arc<App>>,
    _: Operator,
    Query(q): Query<InstructionQuery>,
) -> AppResult<Json<InstructionList>> {
    let internal = match q.deal_id {
        Some(public) => {
            let reg = app
                .store
                .registration(&DealId::parse(&public)?)
                .await?
                .ok_or_else(AppError::not_found)?;
            Some(deal_ops::agreed_deal_id(&reg)?.to_string())
        }
        None => None,
    };
    let limit = q.limit.unwrap_or(PAGE);
    if !(1..=MAX_PAGE).contains(&limit) {
        return Err(bad_query("limit must be 1 to 10000"));
    }
    let after = q.after.as_deref().map(parse_cursor).transpose()?;
    // One more than asked for tells whether another page follows.
    let mut instructions = app
        .store
        .instructions(internal.as_deref(), after, limit + 1)
        .await?;
    let next_after = if instructions.len() as i64 > limit {
        instructions.truncate(limit as usize);
        instructions
            .last()
            .map(|i| format!("{}.{}", i.created_at_ms, i.id))
    } else {
        None
    };
    Ok(Json(InstructionList {
        instructions,
        next_after,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct CheckResult {
    pub ok: bool,
    pub violations: Vec<String>,
}

/// Every ledger invariant, checked now over the whole database.
#[utoipa::path(get, path = "/v1/operator/check", responses((status = 200, body = CheckResult)), security(("operator_bearer" = [])))]
pub async fn check(State(app): State<Arc<App>>, _: Operator) -> AppResult<Json<CheckResult>> {
    let violations: Vec<String> = app
        .store
        .check()
        .await?
        .iter()
        .map(|v| v.to_string())
        .collect();
    Ok(Json(CheckResult {
        ok: violations.is_empty(),
        violations,
    }))
}
