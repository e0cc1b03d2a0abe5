//! Correcting a registration after a mismatch, in place: the same deal ID, authenticated with
//! it and its password like every other step of the party; the corrected registration is
//! validated as a new one and compared again.

use super::auth::login;
use super::pairing;
use super::register::{prepare, RegistrationInput};
use super::transact::IdempotencyKey;
use crate::error::{AppError, AppResult};
use crate::transact_idempotent;
use crate::App;
use axum::http::StatusCode;
use kessai_store::Registration;

pub async fn amend(
    app: &App,
    deal_id: &str,
    password: &str,
    input: &RegistrationInput,
    key: Option<&IdempotencyKey>,
) -> AppResult<(StatusCode, String)> {
    let reg = login(app, deal_id, password).await?;
    amend_as(app, &reg, input, key).await
}

/// [`amend`] for a party already signed in.
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
