//! Reading requests: idempotency keys, deal credentials (HTTP Basic: the deal ID as user name)
//! and the operator's bearer token. The credentials are extractors from the request's head
//! ([`Operator`], [`DealLogin`]): a handler lists them before its body (`super::body`), so a
//! request without them is refused before a byte of its body is read.

use crate::error::{AppError, AppResult};
use crate::service::auth::login;
use crate::service::transact::IdempotencyKey;
use crate::App;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use kessai_store::Registration;
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub const MAX_KEY_CHARS: usize = 255;

/// The operator's bearer token was given.
pub struct Operator;

impl FromRequestParts<Arc<App>> for Operator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> AppResult<Self> {
        require_operator(app, &parts.headers)?;
        Ok(Operator)
    }
}

/// A marketplace site, by its API key as the bearer token.
pub struct Site(pub kessai_store::SiteRecord);

impl FromRequestParts<Arc<App>> for Site {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> AppResult<Self> {
        let site = crate::service::site::authenticate(app, bearer(&parts.headers)).await?;
        Ok(Site(site))
    }
}

/// A party signed in for the deal ID of the path (`{deal_id}`): with a session's bearer token,
/// or with HTTP Basic (the deal ID and its password).
pub struct DealLogin {
    /// The deal ID as the path gave it.
    pub deal_id: String,
    pub reg: Registration,
}

impl FromRequestParts<Arc<App>> for DealLogin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, app: &Arc<App>) -> AppResult<Self> {
        let Path(deal_id) = Path::<String>::from_request_parts(parts, app)
            .await
            .map_err(|e| {
                AppError::new(StatusCode::BAD_REQUEST, "invalid_deal_id", e.body_text())
                    .with_field("deal_id")
            })?;
        if let Some(token) = bearer(&parts.headers) {
            let reg = crate::service::session::authenticate(app, &deal_id, token).await?;
            return Ok(DealLogin { deal_id, reg });
        }
        let password = deal_credentials(&parts.headers, &deal_id)?;
        let reg = login(app, &deal_id, &password).await?;
        Ok(DealLogin { deal_id, reg })
    }
}

pub fn idempotency_key(
    headers: &HeaderMap,
    scope: String,
    body: &[u8],
) -> AppResult<Option<IdempotencyKey>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > MAX_KEY_CHARS {
        return Err(AppError::invalid(
            "Idempotency-Key",
            format!("Idempotency-Key must be 1 to {MAX_KEY_CHARS} visible characters"),
        ));
    }
    Ok(Some(IdempotencyKey {
        scope,
        key: key.to_string(),
        request_hash: hex::encode(Sha256::digest(body)),
    }))
}

/// The deal ID and password from `Authorization: Basic`.
pub fn deal_credentials(headers: &HeaderMap, path_id: &str) -> AppResult<String> {
    let missing = || {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "wrong_password",
            "send the deal ID and password as HTTP Basic credentials",
        )
        .with_field("password")
    };
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(missing)?;
    let encoded = value.strip_prefix("Basic ").ok_or_else(missing)?;
    let decoded = base64_decode(encoded.trim()).ok_or_else(missing)?;
    let (user, password) = decoded.split_once(':').ok_or_else(missing)?;
    if kessai_core::DealId::parse(user).ok() != kessai_core::DealId::parse(path_id).ok() {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_deal_id",
            "the user name must be the deal ID in the path",
        )
        .with_field("deal_id"));
    }
    Ok(password.to_string())
}

/// The token of `Authorization: Bearer <token>`, if that is the scheme given.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

pub fn require_operator(app: &App, headers: &HeaderMap) -> AppResult<()> {
    let denied = || {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "operator endpoints need Authorization: Bearer <operator token>",
        )
    };
    let expected = app.config.operator_token.as_deref().ok_or_else(denied)?;
    let given = bearer(headers).ok_or_else(denied)?;
    if !crate::secrets::same_secret(given, expected) {
        return Err(denied());
    }
    Ok(())
}

fn base64_decode(input: &str) -> Option<String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(input)
        .ok()?;
    String::from_utf8(bytes).ok()
}
