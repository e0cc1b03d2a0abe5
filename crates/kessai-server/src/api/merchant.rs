//! Operator endpoints for the payment agency's merchants: onboard one, list and read them,
//! suspend or reactivate one, rotate its API key.

use super::body::{JsonBody, NoBody};
use super::extract::Operator;
use crate::error::AppResult;
use crate::service::merchant::{self, MerchantInput, MerchantKey, MerchantView};
use crate::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use std::sync::Arc;

/// Onboard a merchant. The answer holds its API key and signing secret this once: Kessai
/// keeps only a digest of the key.
#[utoipa::path(post, path = "/v1/operator/merchants", request_body = MerchantInput,
    responses((status = 201, body = MerchantKey)), security(("operator_bearer" = [])))]
pub async fn create(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<MerchantInput>,
) -> AppResult<(StatusCode, Json<MerchantKey>)> {
    Ok((
        StatusCode::CREATED,
        Json(merchant::create(&app, &body.value).await?),
    ))
}

/// Every merchant (never a key or secret).
#[utoipa::path(get, path = "/v1/operator/merchants",
    responses((status = 200, body = Vec<MerchantView>)), security(("operator_bearer" = [])))]
pub async fn list(State(app): State<Arc<App>>, _: Operator) -> AppResult<Json<Vec<MerchantView>>> {
    Ok(Json(merchant::list(&app).await?))
}

/// A merchant as onboarded.
#[utoipa::path(get, path = "/v1/operator/merchants/{merchant_id}", params(("merchant_id" = String, Path)),
    responses((status = 200, body = MerchantView)), security(("operator_bearer" = [])))]
pub async fn show(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(merchant_id): Path<String>,
) -> AppResult<Json<MerchantView>> {
    Ok(Json(merchant::view(
        &merchant::find(&app, &merchant_id).await?,
    )))
}

/// A new API key for the merchant; the old one stops working at once.
#[utoipa::path(post, path = "/v1/operator/merchants/{merchant_id}/api-key", params(("merchant_id" = String, Path)),
    responses((status = 200, body = MerchantKey)), security(("operator_bearer" = [])))]
pub async fn rotate_key(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(merchant_id): Path<String>,
    _: NoBody,
) -> AppResult<Json<MerchantKey>> {
    Ok(Json(merchant::rotate_key(&app, &merchant_id).await?))
}

/// Suspend a merchant: it can take no new order until reactivated.
#[utoipa::path(post, path = "/v1/operator/merchants/{merchant_id}/suspend", params(("merchant_id" = String, Path)),
    responses((status = 200, body = MerchantView)), security(("operator_bearer" = [])))]
pub async fn suspend(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(merchant_id): Path<String>,
    _: NoBody,
) -> AppResult<Json<MerchantView>> {
    Ok(Json(merchant::set_status(&app, &merchant_id, false).await?))
}

/// Make a suspended merchant active again.
#[utoipa::path(post, path = "/v1/operator/merchants/{merchant_id}/activate", params(("merchant_id" = String, Path)),
    responses((status = 200, body = MerchantView)), security(("operator_bearer" = [])))]
pub async fn activate(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(merchant_id): Path<String>,
    _: NoBody,
) -> AppResult<Json<MerchantView>> {
    Ok(Json(merchant::set_status(&app, &merchant_id, true).await?))
}
