//! Who is asking: a merchant's request carries its API key (`Authorization: Bearer kssm_…`) and
//! is signed over its exact body with the merchant's signing secret, so a request altered on
//! the way, or recorded and sent again minutes later, is refused — and logged.

use super::{Merchant, KEY_PREFIX};
use crate::error::{AppError, AppResult};
use crate::webhook::signature::{self, Refused};
use crate::App;
use axum::http::StatusCode;

/// What a merchant's request brings to be checked.
pub struct Signed<'a> {
    pub bearer: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

fn denied() -> AppError {
    AppError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_api_key",
        "send the merchant's API key as Authorization: Bearer <key>",
    )
}

/// The merchant whose key and signature the request carries.
pub async fn authenticate(app: &App, request: &Signed<'_>) -> AppResult<Merchant> {
    let key = request
        .bearer
        .filter(|k| k.starts_with(KEY_PREFIX))
        .ok_or_else(denied)?;
    let record = app
        .store
        .merchant_by_key(&super::digest(key))
        .await?
        .ok_or_else(denied)?;
    let now_s = app.clock.now().0.div_euclid(1000);
    if let Err(why) = signature::verify(
        &record.signing_secret,
        request.timestamp,
        request.signature,
        request.body,
        now_s,
    ) {
        tracing::warn!(merchant = %record.id, %why, "a merchant request was refused: signature");
        let code = match why {
            Refused::TooOld(_) => "stale_request",
            _ => "invalid_signature",
        };
        return Err(AppError::new(
            StatusCode::UNAUTHORIZED,
            code,
            format!(
                "{why}: sign each request with the merchant's signing secret \
                 (Kessai-Timestamp: Unix seconds; Kessai-Signature: v1=HMAC-SHA256 of timestamp.body)"
            ),
        ));
    }
    Merchant::of(record)
}

/// Refuses a merchant that may not take new orders now: suspended, or outside its contract's
/// validity (JST days). Orders it already has go on.
pub fn may_take_orders(app: &App, m: &Merchant) -> AppResult<()> {
    if m.record.status != super::ACTIVE {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "merchant_suspended",
            "the merchant is suspended: it cannot take new orders",
        ));
    }
    let today = crate::i18n::date_jst(app.clock.now()).to_string();
    if today < m.record.valid_from {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "merchant_not_yet_valid",
            format!(
                "the merchant's contract starts on {}: no orders before",
                m.record.valid_from
            ),
        ));
    }
    if today > m.record.valid_until {
        return Err(AppError::new(
            StatusCode::FORBIDDEN,
            "merchant_expired",
            format!(
                "the merchant's contract ended on {}: it cannot take new orders",
                m.record.valid_until
            ),
        ));
    }
    Ok(())
}
