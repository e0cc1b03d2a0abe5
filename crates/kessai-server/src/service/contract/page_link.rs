//! The links to a contract's progress page, for its site to hand to the buyer and the seller
//! (neither signs in to Kessai), and to a seller's settlement list at a site: the page's
//! address carries the HMAC-SHA256 of what it shows (the contract ID; the site and the
//! seller's account) under a key the database keeps (`page_keys`), so a link cannot be
//! guessed from what it names, any instance can check it, and nothing per link is stored.
//! The pages only show; they change nothing.

use crate::error::AppResult;
use crate::App;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PURPOSE: &str = "contract_page";

/// A link's token: the first 128 bits of the MAC of what the page shows, in hex.
fn mac_under(key: &str, what: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(what.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

fn token_under(key: &str, contract_id: &str) -> String {
    mac_under(key, &format!("contract-page:{contract_id}"))
}

fn seller_token_under(key: &str, site_id: &str, seller: &str) -> String {
    mac_under(key, &format!("settlements:{site_id}:{seller}"))
}

/// The seller's settlement list at a site (`seller`: `BANK-BRANCH-NUMBER`), absolute.
pub async fn seller_url(app: &App, site_id: &str, seller: &str) -> AppResult<String> {
    let token = seller_token_under(&key(app).await?, site_id, seller);
    let base = app.config.public_url.trim_end_matches('/');
    Ok(format!("{base}/settlements/{site_id}/{seller}?t={token}"))
}

/// Whether `token` is the settlement list link's for this site and seller.
pub async fn verify_seller(app: &App, site_id: &str, seller: &str, token: &str) -> AppResult<bool> {
    let expected = seller_token_under(&key(app).await?, site_id, seller);
    Ok(crate::secrets::same_secret(token, &expected))
}

/// The signing key (made by the first caller). Read it before a transaction that needs links:
/// the first call writes the key in a transaction of its own, which on SQLite would wait for
/// the enclosing one.
pub async fn key(app: &App) -> AppResult<String> {
    let fresh = format!(
        "{}{}",
        crate::secrets::random_token(),
        crate::secrets::random_token()
    );
    Ok(app.store.page_key(PURPOSE, &fresh).await?)
}

/// The page's address, absolute (the server's public URL).
pub async fn url(app: &App, contract_id: &str) -> AppResult<String> {
    Ok(url_under(app, &key(app).await?, contract_id))
}

/// The page's address under a key already read ([`key`]).
pub fn url_under(app: &App, key: &str, contract_id: &str) -> String {
    let token = token_under(key, contract_id);
    let base = app.config.public_url.trim_end_matches('/');
    format!("{base}/contract/{contract_id}?t={token}")
}

/// Whether `token` is the link's for this contract (compared in constant time).
pub async fn verify(app: &App, contract_id: &str, token: &str) -> AppResult<bool> {
    let expected = token_under(&key(app).await?, contract_id);
    Ok(crate::secrets::same_secret(token, &expected))
}

/// The token of another page that shows `what` (`checkout:<order ID>`), under the same key.
pub async fn token_for(app: &App, what: &str) -> AppResult<String> {
    Ok(mac_under(&key(app).await?, what))
}

/// Whether `token` is [`token_for`]'s for `what` (compared in constant time).
pub async fn verify_token(app: &App, what: &str, token: &str) -> AppResult<bool> {
    Ok(crate::secrets::same_secret(
        token,
        &token_for(app, what).await?,
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_differ_by_contract_and_key() {
        let a = super::token_under("k1", "c1");
        assert_eq!(a.len(), 32);
        assert_eq!(a, super::token_under("k1", "c1"));
        assert_ne!(a, super::token_under("k1", "c2"));
        assert_ne!(a, super::token_under("k2", "c1"));
        let s = super::seller_token_under("k1", "mk", "0005-123-7654321");
        assert_ne!(s, super::seller_token_under("k1", "mk", "0005-123-7654322"));
        assert_ne!(
            s,
            super::seller_token_under("k1", "mk2", "0005-123-7654321")
        );
        assert_ne!(s, a);
    }
}
