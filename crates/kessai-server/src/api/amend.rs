//! Correcting one's registration after a mismatch, in place (same deal ID).

use super::extract::{deal_credentials, idempotency_key, json};
use super::json_response;
use crate::error::AppResult;
use crate::service::amend::amend as amend_registration;
use crate::service::register::{RegistrationInput, RegistrationOutcome};
use crate::App;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use std::sync::Arc;

/// Correct a registration that has not matched (yet), keeping its deal ID. The body is a whole
/// registration, as for `POST /v1/registrations/{role}`, validated the same way; its `password`
/// becomes the password from now on (send the same one to keep it). The registration is then
/// compared with the other side's again: `agreed`, `mismatch` or `waiting_for_counterpart`.
/// Credentials: HTTP Basic with the deal ID and its current password.
#[utoipa::path(post, path = "/v1/registrations/{deal_id}/amend", request_body = RegistrationInput,
    params(("deal_id" = String, Path, description = "the party's own deal ID"), ("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 200, body = RegistrationOutcome, description = "amended and compared again"),
        (status = 400, body = super::ErrorBody, description = "`invalid_json`, `invalid_deal_id`"),
        (status = 401, body = super::ErrorBody, description = "`wrong_password`"),
        (status = 404, body = super::ErrorBody, description = "`deal_not_found`"),
        (status = 409, body = super::ErrorBody, description = "`wrong_state` (already agreed), `idempotency_key_reused`, `busy`"),
        (status = 422, body = super::ErrorBody, description = "`invalid_field`"),
        (status = 429, body = super::ErrorBody, description = "`login_locked`")),
    security(("deal_basic" = [])))]
pub async fn amend(
    State(app): State<Arc<App>>,
    Path(deal_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> AppResult<Response> {
    let password = deal_credentials(&headers, &deal_id)?;
    let input: RegistrationInput = json(&body)?;
    let key = idempotency_key(
        &headers,
        format!("POST /v1/registrations/{deal_id}/amend"),
        &body,
    )?;
    let (status, body) =
        amend_registration(&app, &deal_id, &password, &input, key.as_ref()).await?;
    Ok(json_response(status, body))
}
