//! Sign-in sessions. A party signs in once per visit, with its deal ID and password (or by
//! registering, which proves the same), and gets a short-lived bearer token: later calls cost
//! one indexed read instead of an argon2 verification and two login-counter writes.

use crate::error::{AppError, AppResult};
use crate::transact;
use crate::App;
use axum::http::StatusCode;
use kessai_core::DealId;
use kessai_store::Registration;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

/// A new session's bearer token.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionGrant {
    /// Send as `Authorization: Bearer <token>` on this deal's endpoints instead of the password.
    pub token: String,
    /// When the token stops working (RFC 3339, UTC).
    pub expires_at: String,
}

fn digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Opens a session for a party whose password was just checked (or just set).
pub async fn open(app: &App, party: &DealId) -> AppResult<SessionGrant> {
    let token = crate::secrets::random_token();
    let now = app.clock.now().0;
    let expires = now + app.config.session_ttl.as_millis() as i64;
    let hash = digest(&token);
    transact!(*app, |tx| Ok(tx
        .insert_session(&hash, party, now, expires)
        .await?))?;
    Ok(SessionGrant {
        token,
        expires_at: rfc3339(expires),
    })
}

pub fn rfc3339(ms: i64) -> String {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

fn invalid() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_session",
        "this bearer token is unknown, expired or revoked: sign in again with the deal ID and password",
    )
}

/// The party a live session's token signs in, whatever its deal ID.
pub async fn party(app: &App, token: &str) -> AppResult<Registration> {
    app.store
        .session_party(&digest(token), app.clock.now().0)
        .await?
        .ok_or_else(invalid)
}

/// The party a bearer token signs in, for the deal ID of the path.
pub async fn authenticate(app: &App, path_id: &str, token: &str) -> AppResult<Registration> {
    let id = DealId::parse(path_id)?;
    let reg = party(app, token).await?;
    if reg.public_id != id {
        // Another deal's token: as unknown as a wrong one.
        return Err(invalid());
    }
    Ok(reg)
}

/// Ends a session at once.
pub async fn revoke(app: &App, token: &str) -> AppResult<()> {
    let now = app.clock.now().0;
    let hash = digest(token);
    transact!(*app, |tx| Ok(tx.revoke_session(&hash, now).await?))?;
    Ok(())
}
