//! The JSON API under `/v1`. Errors are `{"error":{"code","message","field"}}` with stable
//! codes; `/openapi.json` is generated from this code. The POSTs that create or move money —
//! registrations, shipment, receipt, bank credits, operator refunds — honour `Idempotency-Key`;
//! the others are idempotent by nature (a bank file by its content, an export or assignment by
//! the state it changes, the scheduler and clock by design).

mod amend;
mod bank;
pub mod body;
mod carrier;
mod contract;
mod extract;
mod fallback;
mod konbini;
pub mod limits;
mod merchant;
pub mod openapi;
mod operator;
mod order;
mod page;
mod party;
pub mod responses;
mod runs;
mod session;
mod settlement;
mod site;
mod suspense;
mod webhook;

use crate::error::AppError;
use crate::App;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Json, Router};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .route("/healthz", get(|| async { "ok" }))
        .route("/v1/registrations/{role}", post(party::register))
        .route("/v1/registrations/{deal_id}/amend", post(amend::amend))
        .route("/v1/deals/{deal_id}", get(party::view))
        .route(
            "/v1/deals/{deal_id}/session",
            post(session::sign_in).delete(session::sign_out),
        )
        .route("/v1/deals/{deal_id}/shipment", post(party::ship))
        .route("/v1/deals/{deal_id}/receipt", post(party::receipt))
        .route("/v1/operator/bank-credits", post(operator::credit))
        .route(
            "/v1/operator/deals/{deal_id}/refund",
            post(operator::refund),
        )
        .route("/v1/operator/scheduler/run", post(operator::run_scheduler))
        .route("/v1/operator/clock", post(operator::advance_clock))
        .route("/v1/operator/instructions", get(operator::instructions))
        .route("/v1/operator/check", get(operator::check))
        .route("/v1/operator/bank-files", post(bank::import))
        .route("/v1/operator/bank-exports", post(bank::export))
        .route("/v1/operator/suspense", get(suspense::suspense))
        .route(
            "/v1/operator/instructions/{id}/correct",
            post(bank::correct),
        )
        .route(
            "/v1/operator/suspense/{credit_id}/assign",
            post(suspense::assign),
        )
        .route(
            "/v1/operator/suspense/{credit_id}/return",
            post(suspense::return_credit),
        )
        .route(
            "/v1/operator/claims/{claim_id}/write-off",
            post(suspense::write_off),
        )
        .route(
            "/v1/operator/claims/{claim_id}/recover",
            post(suspense::recover),
        )
        .route("/v1/operator/sites", post(site::create))
        .route("/v1/operator/sites/{site_id}", get(site::show))
        .route(
            "/v1/operator/sites/{site_id}/api-key",
            post(site::rotate_key),
        )
        .route(
            "/v1/operator/merchants",
            post(merchant::create).get(merchant::list),
        )
        .route("/v1/operator/merchants/{merchant_id}", get(merchant::show))
        .route(
            "/v1/operator/merchants/{merchant_id}/api-key",
            post(merchant::rotate_key),
        )
        .route(
            "/v1/operator/merchants/{merchant_id}/suspend",
            post(merchant::suspend),
        )
        .route(
            "/v1/operator/merchants/{merchant_id}/activate",
            post(merchant::activate),
        )
        .route("/v1/orders", post(order::create).get(order::list))
        .route("/v1/orders/{order_id}", get(order::show))
        .route("/v1/orders/{order_id}/accept", post(order::accept))
        .route("/v1/orders/{order_id}/cancel", post(order::cancel))
        .route("/v1/orders/{order_id}/capture", post(order::capture))
        .route("/v1/orders/{order_id}/refunds", post(order::refund))
        .route("/v1/operator/runs/debit", post(runs::debit))
        .route("/v1/operator/runs/delivery", post(runs::delivery))
        .route("/v1/operator/runs/sweep", post(runs::sweep))
        .route("/v1/operator/sweeps", get(runs::sweeps))
        .route("/v1/operator/runs/payout", post(runs::payout))
        .route("/v1/operator/carrier-files", post(carrier::import))
        .route("/v1/operator/konbini-files", post(konbini::import))
        .route("/v1/contracts", post(contract::submit).get(contract::list))
        .route("/v1/contracts/bulk", post(contract::bulk))
        .route("/v1/contracts/{contract_id}", get(contract::show))
        .route("/v1/settlements", get(settlement::list))
        .route("/v1/webhooks", get(webhook::list))
        .route("/v1/webhooks/{event_id}", get(webhook::show))
        .route("/v1/webhooks/{event_id}/replay", post(webhook::replay))
        .route("/v1", any(fallback::not_found))
        .route("/v1/", any(fallback::not_found))
        .route("/v1/{*rest}", any(fallback::not_found))
        .method_not_allowed_fallback(fallback::method_not_allowed)
        .layer(axum::middleware::from_fn(fallback::errors_as_json))
}

#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs. Each operation's responses list the codes it can answer
    /// (`api::responses`); under `/v1` an unknown path is `not_found` and another method
    /// `method_not_allowed`.
    pub code: String,
    /// For people.
    pub message: String,
    /// The request field at fault, when there is one.
    pub field: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.into(),
                message: self.message,
                field: self.field,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

/// A JSON body already serialized (by the idempotency layer, which must store exactly it).
pub(crate) fn json_response(status: StatusCode, body: String) -> Response {
    (status, [(CONTENT_TYPE, "application/json")], body).into_response()
}
