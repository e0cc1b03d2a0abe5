//! What sites and merchants share as API clients: an ID the operator picks, an API key shown
//! once and stored as its SHA-256 (keys are 192 random bits, so a fast digest is as safe as a
//! slow hash and costs one indexed read per request), and an http(s) URL for webhooks.

use sha2::{Digest, Sha256};

/// The SHA-256 a key is stored and looked up by.
pub fn digest(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new key starting with `prefix`, so that one pasted in the wrong place is recognizable.
pub fn new_key(prefix: &str) -> String {
    format!("{prefix}{}", crate::secrets::random_token())
}

/// 2 to 32 lower-case letters, digits and `-`, starting with a letter or digit.
pub fn valid_id(id: &str) -> bool {
    let b = id.as_bytes();
    (2..=32).contains(&b.len())
        && b[0].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

pub fn is_http_url(url: &str) -> bool {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty()
            && !r.starts_with('/')
            && !r.chars().any(|c| c.is_whitespace() || c.is_control())
    })
}

/// The webhook URL as given: none, or an http(s) URL of at most 2,000 characters.
pub fn webhook_url(given: Option<&str>) -> crate::error::AppResult<Option<String>> {
    match given.map(str::trim) {
        None | Some("") => Ok(None),
        Some(url) if url.len() <= 2000 && is_http_url(url) => Ok(Some(url.to_string())),
        Some(_) => Err(crate::error::AppError::invalid(
            "webhook_url",
            "webhook_url must be an http:// or https:// URL (at most 2000 characters)",
        )),
    }
}

/// The client's ID as given, trimmed, when valid ([`valid_id`]).
pub fn checked_id(id: &str) -> crate::error::AppResult<&str> {
    let id = id.trim();
    if valid_id(id) {
        Ok(id)
    } else {
        Err(crate::error::AppError::invalid(
            "id",
            "id must be 2 to 32 lower-case letters, digits or '-', starting with a letter or digit",
        ))
    }
}

/// A display name: required, at most 100 characters, no control characters.
pub fn checked_name(name: &str) -> crate::error::AppResult<&str> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(crate::error::AppError::invalid(
            "name",
            "name is required (at most 100 characters)",
        ));
    }
    Ok(name)
}

/// A whole number from 0 to `max` for `field`.
pub fn in_range(field: &str, value: i64, max: i64) -> crate::error::AppResult<()> {
    if (0..=max).contains(&value) {
        Ok(())
    } else {
        Err(crate::error::AppError::invalid(
            field,
            format!("{field} must be from 0 to {max}"),
        ))
    }
}
