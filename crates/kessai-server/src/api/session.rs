//! Signing in and out: `POST /v1/deals/{deal_id}/session` trades the deal ID and password
//! (HTTP Basic) for a bearer token; `DELETE` ends the session the token belongs to.

use super::body::NoBody;
use super::extract::{bearer, deal_credentials};
use crate::error::{AppError, AppResult};
use crate::service::auth::login;
use crate::service::session::{self, SessionGrant};
use crate::App;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use std::sync::Arc;

/// Sign in: the deal ID and password as HTTP Basic credentials give a bearer token, good for
/// this deal's endpoints until it expires or is revoked.
#[utoipa::path(post, path = "/v1/deals/{deal_id}/session", params(("deal_id" = String, Path)),
    responses((status = 201, body = SessionGrant)),
    security(("deal_basic" = [])))]
pub async fn sign_in(
    State(app): State<Arc<App>>,
    Path(deal_id): Path<String>,
    headers: HeaderMap,
    _: NoBody,
) -> AppResult<(StatusCode, Json<SessionGrant>)> {
    // Only the password opens a session: a token cannot extend itself.
    let password = deal_credentials(&headers, &deal_id)?;
    let reg = login(&app, &deal_id, &password).await?;
    let grant = session::open(&app, &reg.public_id).await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

/// Sign out: the bearer token of the request stops working at once.
#[utoipa::path(delete, path = "/v1/deals/{deal_id}/session", params(("deal_id" = String, Path)),
    responses((status = 204)),
    security(("deal_bearer" = [])))]
pub async fn sign_out(
    State(app): State<Arc<App>>,
    Path(deal_id): Path<String>,
    headers: HeaderMap,
) -> AppResult<StatusCode> {
    let token = bearer(&headers).ok_or_else(|| {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_session",
            "send the session's token as Authorization: Bearer <token>",
        )
    })?;
    session::authenticate(&app, &deal_id, token).await?;
    session::revoke(&app, token).await?;
    Ok(StatusCode::NO_CONTENT)
}
