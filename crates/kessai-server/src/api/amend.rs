//! Correcting one's registration after a mismatch, in place (same deal ID).

use super::body::JsonBody;
use super::extract::{idempotency_key, DealLogin};
use super::json_response;
use crate::error::AppResult;
use crate::service::amend::amend_as;
use crate::service::register::{RegistrationInput, RegistrationOutcome};
use crate::App;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use std::sync::Arc;

/// Correct a registration that has not matched (yet), keeping its deal ID. The body is a whole
/// registration, as for `POST /v1/registrations/{role}`, validated the same way; its `password`
/// becomes the password from now on (send the same one to keep it). The registration is then
/// compared with the other side's again: `agreed`, `mismatch` or `waiting_for_counterpart`.
/// Credentials: HTTP Basic with the deal ID and its current password.
#[utoipa::path(post, path = "/v1/registrations/{deal_id}/amend", request_body = RegistrationInput,
    params(("deal_id" = String, Path, description = "the party's own deal ID"), ("Idempotency-Key" = Option<String>, Header, min_length = 1, max_length = 255, description = "1 to 255 visible characters: a repeat with the same key and body returns the stored answer")),
    responses((status = 200, body = RegistrationOutcome, description = "amended and compared again")),
    security(("deal_basic" = [])))]
pub async fn amend(
    State(app): State<Arc<App>>,
    // The login runs before the body is read (see `body`).
    DealLogin { deal_id, reg }: DealLogin,
    headers: HeaderMap,
    body: JsonBody<RegistrationInput>,
) -> AppResult<Response> {
    let key = idempotency_key(
        &headers,
        format!("POST /v1/registrations/{deal_id}/amend"),
        &body.raw,
    )?;
    let (status, body) = amend_as(&app, &reg, &body.value, key.as_ref()).await?;
    Ok(json_response(status, body))
}
