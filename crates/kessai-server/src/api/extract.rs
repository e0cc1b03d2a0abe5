//! Reading requests: JSON bodies with errors in our format, idempotency keys, deal credentials
//! (HTTP Basic: the deal ID as user name) and the operator's bearer token.

use crate::error::{AppError, AppResult};
use crate::service::transact::IdempotencyKey;
use crate::App;
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

pub const MAX_KEY_CHARS: usize = 255;

pub fn json<T: DeserializeOwned>(body: &[u8]) -> AppResult<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let message = format!("the request body is not valid: {inner}");
        // A missing field is reported at its parent; serde names it between backticks.
        let field = if inner.to_string().starts_with("missing field") {
            let name = inner
                .to_string()
                .split('`')
                .nth(1)
                .unwrap_or_default()
                .to_string();
            if path == "." {
                name
            } else {
                format!("{path}.{name}")
            }
        } else {
            path
        };
        let err = AppError::new(StatusCode::BAD_REQUEST, "invalid_json", message);
        if field.is_empty() || field == "." {
            err
        } else {
            err.with_field(field)
        }
    })
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

pub fn require_operator(app: &App, headers: &HeaderMap) -> AppResult<()> {
    let denied = || {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "operator endpoints need Authorization: Bearer <operator token>",
        )
    };
    let expected = app.config.operator_token.as_deref().ok_or_else(denied)?;
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(denied)?;
    if !crate::secrets::same_secret(given.trim(), expected) {
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
