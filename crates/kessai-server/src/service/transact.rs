//! Running a step in one transaction: retry on a concurrent update, and honour
//! `Idempotency-Key` by storing the response in the same transaction as the change.
//!
//! These are macros rather than functions taking async closures: a closure over `&mut Tx` needs
//! a higher-ranked `Send` bound that the compiler cannot yet prove for axum handlers.

use crate::error::{AppError, AppResult};
use crate::App;
use axum::http::StatusCode;
use kessai_store::{StoredResponse, Tx};
use serde::Serialize;

/// A concurrent update is retried this many times before the client is told to retry.
pub const MAX_ATTEMPTS: u32 = 8;

/// Runs `$body` (an expression of type `AppResult<T>` that may use `$tx` and `?`) in a
/// transaction and commits it. A `busy` error (another transaction changed the same deal
/// first) rolls back and reruns `$body` on fresh data.
#[macro_export]
macro_rules! transact {
    ($app:expr, |$tx:ident| $body:expr) => {{
        let app_ref: &$crate::App = &$app;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let mut guard = match app_ref.store.begin().await {
                Ok(guard) => guard,
                Err(e) => break Err($crate::error::AppError::from(e)),
            };
            let result: $crate::error::AppResult<_> = async {
                let $tx: &mut kessai_store::Tx = &mut guard;
                let value: $crate::error::AppResult<_> = $body;
                value
            }
            .await;
            match result {
                Ok(value) => match guard.commit().await {
                    Ok(()) => break Ok(value),
                    Err(e) => break Err($crate::error::AppError::from(e)),
                },
                Err(e) if e.code == "busy" && attempt < $crate::service::transact::MAX_ATTEMPTS => {
                    drop(guard);
                    tokio::time::sleep(std::time::Duration::from_millis(u64::from(attempt) * 3))
                        .await;
                }
                Err(e) => break Err(e),
            }
        }
    }};
}

/// Like [`transact!`], answering with `(status, json body)`. With an idempotency key, the key
/// is claimed first in the transaction ([`replay`]): a repeat of the same request returns the
/// stored response without running `$body` — also one that arrives while the first is still
/// running, which waits for it — and the same key with a different body is refused.
#[macro_export]
macro_rules! transact_idempotent {
    ($app:expr, $key:expr, $status:expr, |$tx:ident| $body:expr) => {{
        let key: Option<&$crate::service::transact::IdempotencyKey> = $key;
        $crate::transact!($app, |outer_tx| {
            match $crate::service::transact::replay(&$app, outer_tx, key).await {
                Err(e) => Err(e),
                Ok(Some(stored)) => Ok(stored),
                Ok(None) => {
                    let value = {
                        let $tx: &mut kessai_store::Tx = &mut *outer_tx;
                        $body
                    };
                    match value {
                        Ok(value) => {
                            $crate::service::transact::remember(outer_tx, key, $status, &value)
                                .await
                        }
                        Err(e) => Err(e),
                    }
                }
            }
        })
    }};
}

/// The identity of a request under an `Idempotency-Key`.
pub struct IdempotencyKey {
    /// Method, path and principal: the same key under another endpoint is another request.
    pub scope: String,
    pub key: String,
    /// SHA-256 of the request body.
    pub request_hash: String,
}

/// Claims the key, or returns the stored answer to an earlier request with it.
pub async fn replay(
    app: &App,
    tx: &mut Tx,
    key: Option<&IdempotencyKey>,
) -> AppResult<Option<(StatusCode, String)>> {
    let Some(k) = key else { return Ok(None) };
    let now = app.clock.now().0;
    let Some(stored) = tx
        .claim_idempotency_key(&k.scope, &k.key, &k.request_hash, now)
        .await?
    else {
        return Ok(None);
    };
    if stored.request_hash != k.request_hash {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request",
        )
        .with_field("Idempotency-Key"));
    }
    if stored.status_code == kessai_store::IDEMPOTENCY_CLAIMED {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "idempotency_key_in_use",
            "a request with this Idempotency-Key is in progress; retry",
        )
        .with_field("Idempotency-Key"));
    }
    Ok(Some((
        StatusCode::from_u16(stored.status_code).unwrap_or(StatusCode::OK),
        stored.body,
    )))
}

/// Serializes the answer and, with a key, stores it under the claim in the same transaction.
pub async fn remember<T: Serialize>(
    tx: &mut Tx,
    key: Option<&IdempotencyKey>,
    status: StatusCode,
    value: &T,
) -> AppResult<(StatusCode, String)> {
    let body = serde_json::to_string(value).map_err(AppError::internal)?;
    if let Some(k) = key {
        let stored = StoredResponse {
            request_hash: k.request_hash.clone(),
            status_code: status.as_u16(),
            body: body.clone(),
        };
        tx.store_idempotent_response(&k.scope, &k.key, &stored)
            .await?;
    }
    Ok((status, body))
}
