//! The link to a contract's progress page, for its site to hand to the buyer and the seller
//! (neither signs in to Kessai): the page's address carries the HMAC-SHA256 of the contract ID
//! under a key the database keeps (`page_keys`), so the link cannot be guessed from the ID,
//! any instance can check it, and nothing per contract is stored. The page only shows; it
//! changes nothing.

use crate::error::AppResult;
use crate::App;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PURPOSE: &str = "contract_page";

/// The link's token: the first 128 bits of the MAC, in hex.
fn token_under(key: &str, contract_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(b"contract-page:");
    mac.update(contract_id.as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
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

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_differ_by_contract_and_key() {
        let a = super::token_under("k1", "c1");
        assert_eq!(a.len(), 32);
        assert_eq!(a, super::token_under("k1", "c1"));
        assert_ne!(a, super::token_under("k1", "c2"));
        assert_ne!(a, super::token_under("k2", "c1"));
    }
}
