//! Correcting a registration after a mismatch, in place: the same deal ID, authenticated with
//! it and its password like every other step of the party; the corrected registration is
//! validated as a new one and compared again.

use super::pairing;
use super::register::{prepare, RegistrationInput};
use super::transact::IdempotencyKey;
use crate::error::{AppError, AppResult};
use crate::transact_idempotent;
use crate::App;
use axum::http::StatusCode;
use kessai_store::Registration;

/// Amends the registration of a party already signed in (the login runs first, before the
/// body is read).
pub async fn amend_as(
    app: &App,
    reg: &Registration,
    input: &RegistrationInput,
    key: Option<&IdempotencyKey>,
) -> AppResult<(StatusCode, String)> {
    if reg.deal_id.is_some() {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            "the deal is already agreed: its registration can no longer change",
        ));
    }
    let (valid, hash) = prepare(app, reg.role, input).await?;
    transact_idempotent!(*app, key, StatusCode::OK, |tx| pairing::amend_in(
        app,
        tx,
        &reg.public_id,
        &valid,
        &hash
    )
    .await)
}
