//! Operator endpoints for marketplace sites: onboard one, read it, rotate its API key.

use super::body::{JsonBody, NoBody};
use super::extract::Operator;
use crate::error::AppResult;
use crate::service::site::{self, SiteInput, SiteKey, SiteView};
use crate::App;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use std::sync::Arc;

/// Onboard a marketplace site. The answer holds its API key (and webhook secret) this once:
/// Kessai keeps only a digest of the key.
#[utoipa::path(post, path = "/v1/operator/sites", request_body = SiteInput,
    responses((status = 201, body = SiteKey)), security(("operator_bearer" = [])))]
pub async fn create(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<SiteInput>,
) -> AppResult<(StatusCode, Json<SiteKey>)> {
    Ok((
        StatusCode::CREATED,
        Json(site::create(&app, &body.value).await?),
    ))
}

/// A site as onboarded (never its key).
#[utoipa::path(get, path = "/v1/operator/sites/{site_id}", params(("site_id" = String, Path)),
    responses((status = 200, body = SiteView)), security(("operator_bearer" = [])))]
pub async fn show(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(site_id): Path<String>,
) -> AppResult<Json<SiteView>> {
    Ok(Json(site::view(&site::find(&app, &site_id).await?)))
}

/// A new API key for the site; the old one stops working at once.
#[utoipa::path(post, path = "/v1/operator/sites/{site_id}/api-key", params(("site_id" = String, Path)),
    responses((status = 200, body = SiteKey)), security(("operator_bearer" = [])))]
pub async fn rotate_key(
    State(app): State<Arc<App>>,
    _: Operator,
    Path(site_id): Path<String>,
    _: NoBody,
) -> AppResult<Json<SiteKey>> {
    Ok(Json(site::rotate_key(&app, &site_id).await?))
}
