//! Buyer and seller endpoints: register, view, report shipment, confirm receipt.

use super::body::{JsonBody, NoBody, OptionalJsonBody};
use super::extract::{idempotency_key, DealLogin};
use super::json_response;
use crate::error::{AppError, AppResult};
use crate::service::auth::require_role;
use crate::service::deal_ops;
use crate::service::register::{
    register as register_party, RegistrationInput, RegistrationOutcome,
};
use crate::service::view::{deal_view, DealView};
use crate::transact_idempotent;
use crate::App;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use kessai_core::{DealCommand, Party};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

fn role(path: &str) -> AppResult<Party> {
    Party::parse(path).ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "unknown_role",
            "register as buyer or seller",
        )
        .with_field("role")
    })
}

/// Register one side of a deal. When the other side's registration already exists and matches,
/// the deal is agreed at once and the buyer is emailed how to pay.
#[utoipa::path(post, path = "/v1/registrations/{role}", request_body = RegistrationInput,
    params(("role" = String, Path, description = "buyer or seller"), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 201, body = RegistrationOutcome), (status = 422, body = super::ErrorBody)))]
pub async fn register(
    State(app): State<Arc<App>>,
    Path(role_name): Path<String>,
    headers: HeaderMap,
    body: JsonBody<RegistrationInput>,
) -> AppResult<Response> {
    let role = role(&role_name)?;
    let input = body.value;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/registrations/{role_name}"),
        &body.raw,
    )?;
    let (status, body) = register_party(&app, role, &input, key.as_ref()).await?;
    Ok(json_response(status, body))
}

/// The deal as this party sees it. Credentials: HTTP Basic with the deal ID and password.
#[utoipa::path(get, path = "/v1/deals/{deal_id}", params(("deal_id" = String, Path)),
    responses((status = 200, body = DealView), (status = 401, body = super::ErrorBody), (status = 404, body = super::ErrorBody)),
    security(("deal_basic" = [])))]
pub async fn view(
    State(app): State<Arc<App>>,
    DealLogin { reg, .. }: DealLogin,
) -> AppResult<Json<DealView>> {
    Ok(Json(deal_view(&app, &reg).await?))
}

/// What a step did. GET the deal for the whole view.
#[derive(Serialize, ToSchema)]
pub struct StepResult {
    pub deal_id: String,
    /// The deal's state after the step.
    pub status: String,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ShipmentInput {
    /// The carrier's tracking number, if there is one.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub tracking_number: Option<String>,
}

/// The seller reports shipment. The buyer is emailed.
#[utoipa::path(post, path = "/v1/deals/{deal_id}/shipment", request_body = ShipmentInput,
    params(("deal_id" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 200, body = StepResult), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)),
    security(("deal_basic" = [])))]
pub async fn ship(
    State(app): State<Arc<App>>,
    login: DealLogin,
    headers: HeaderMap,
    body: OptionalJsonBody<ShipmentInput>,
) -> AppResult<Response> {
    let tracking = body
        .value
        .unwrap_or_default()
        .tracking_number
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty());
    step(
        &app,
        login,
        &headers,
        &body.raw,
        "shipment",
        Party::Seller,
        "report shipment",
        DealCommand::Ship { tracking },
    )
    .await
}

/// The buyer confirms receipt. The seller's payout (less the fee) and any overpayment refund
/// are instructed, and both parties are emailed.
#[utoipa::path(post, path = "/v1/deals/{deal_id}/receipt",
    params(("deal_id" = String, Path), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 200, body = StepResult), (status = 403, body = super::ErrorBody), (status = 409, body = super::ErrorBody)),
    security(("deal_basic" = [])))]
pub async fn receipt(
    State(app): State<Arc<App>>,
    login: DealLogin,
    headers: HeaderMap,
    body: NoBody,
) -> AppResult<Response> {
    step(
        &app,
        login,
        &headers,
        &body.raw,
        "receipt",
        Party::Buyer,
        "confirm receipt",
        DealCommand::ConfirmReceipt,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn step(
    app: &App,
    DealLogin { deal_id, reg }: DealLogin,
    headers: &HeaderMap,
    body: &[u8],
    name: &str,
    role: Party,
    what: &str,
    command: DealCommand,
) -> AppResult<Response> {
    let key = idempotency_key(headers, format!("POST /v1/deals/{deal_id}/{name}"), body)?;
    require_role(&reg, role, what)?;
    let id = deal_ops::agreed_deal_id(&reg)?.to_string();
    let (status, body) = transact_idempotent!(*app, key.as_ref(), StatusCode::OK, |tx| {
        deal_ops::apply(app, tx, &id, &command)
            .await
            .map(|record| StepResult {
                deal_id: reg.public_id.to_string(),
                status: record.deal.state.as_str().into(),
            })
    })?;
    Ok(json_response(status, body))
}
