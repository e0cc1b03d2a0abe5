//! A merchant signed in to its dashboard: it signs in with its ID and API key (what it already
//! holds; no password of its own), and its browser keeps a cookie of the merchant ID, an expiry
//! and the MAC of both under the database's page key together with the time the key was made —
//! so a rotated key ends every session made with the old one, and nothing per session is stored.

use super::{digest, find, Merchant};
use crate::error::AppResult;
use crate::service::contract::page_link;
use crate::App;

pub const COOKIE: &str = "kessai_merchant";
/// How long a dashboard sign-in lasts.
const SESSION_MS: i64 = 8 * 3_600_000;

fn subject(merchant_id: &str, expires_ms: i64, key_created_at_ms: i64) -> String {
    format!("merchant-session:{merchant_id}:{expires_ms}:{key_created_at_ms}")
}

/// Checks the ID and key; the cookie's value for a signed-in merchant.
pub async fn sign_in(app: &App, merchant_id: &str, api_key: &str) -> AppResult<Option<String>> {
    let Some(record) = app.store.merchant(merchant_id.trim()).await? else {
        return Ok(None);
    };
    if !crate::secrets::same_secret(&digest(api_key.trim()), &record.api_key_sha256) {
        tracing::warn!(merchant = %record.id, "a dashboard sign-in with a wrong key");
        return Ok(None);
    }
    let expires = app.clock.now().0 + SESSION_MS;
    let mac =
        page_link::token_for(app, &subject(&record.id, expires, record.key_created_at_ms)).await?;
    Ok(Some(format!("{}.{expires}.{mac}", record.id)))
}

/// The merchant a cookie's value signs in, while it lasts and its key is the one it was made with.
pub async fn merchant_of(app: &App, cookie: &str) -> AppResult<Option<Merchant>> {
    let mut parts = cookie.splitn(3, '.');
    let (Some(id), Some(expires), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let Ok(expires) = expires.parse::<i64>() else {
        return Ok(None);
    };
    if expires <= app.clock.now().0 {
        return Ok(None);
    }
    let Ok(m) = find(app, id).await else {
        return Ok(None);
    };
    let ok = page_link::verify_token(app, &subject(id, expires, m.record.key_created_at_ms), mac)
        .await?;
    Ok(ok.then_some(m))
}
