//! How a webhook proves it comes from Kessai: an HMAC-SHA256, keyed with the site's webhook
//! secret, over `<timestamp>.<body>` — the timestamp (Unix seconds) in its own header, so that
//! a receiver can refuse an old request replayed by someone who recorded it.
//!
//! Headers: `Kessai-Timestamp: 1764720000` and `Kessai-Signature: v1=<64 hex digits>`.
//! [`verify`] is what a receiver does (the tests' receiver uses it).

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const TIMESTAMP_HEADER: &str = "kessai-timestamp";
pub const SIGNATURE_HEADER: &str = "kessai-signature";
pub const EVENT_HEADER: &str = "kessai-event-id";

/// How old a request a receiver should still accept, in seconds (also how far ahead, for
/// clocks that differ).
pub const TOLERANCE_S: i64 = 300;

/// The `Kessai-Signature` header's value for `body` sent at `timestamp_s`.
pub fn sign(secret: &str, timestamp_s: i64, body: &[u8]) -> String {
    format!(
        "v1={}",
        hex::encode(mac(secret, timestamp_s, body).finalize().into_bytes())
    )
}

fn mac(secret: &str, timestamp_s: i64, body: &[u8]) -> Hmac<Sha256> {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(timestamp_s.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Why a receiver refuses a request.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("the timestamp header is missing or not a whole number of seconds")]
    BadTimestamp,
    #[error("the request is {0} s away from now, more than {TOLERANCE_S} s")]
    TooOld(i64),
    #[error("the signature header is missing or not v1=<hex>")]
    BadSignature,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks a request as a receiver should: the timestamp within [`TOLERANCE_S`] of `now_s`, and
/// the signature over that timestamp and the exact body, compared in constant time.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_s: i64,
) -> Result<(), Refused> {
    let timestamp_s: i64 = timestamp
        .and_then(|t| t.trim().parse().ok())
        .ok_or(Refused::BadTimestamp)?;
    let away = (now_s - timestamp_s).abs();
    if away > TOLERANCE_S {
        return Err(Refused::TooOld(away));
    }
    let given = signature
        .and_then(|s| s.trim().strip_prefix("v1="))
        .and_then(|h| hex::decode(h).ok())
        .ok_or(Refused::BadSignature)?;
    mac(secret, timestamp_s, body)
        .verify_slice(&given)
        .map_err(|_| Refused::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value a receiver computes with any HMAC library: here Python's
    /// `hmac.new(b"Jefe", b'1764720000.{"a":1}', hashlib.sha256).hexdigest()`.
    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        assert_eq!(
            sign("Jefe", 1_764_720_000, br#"{"a":1}"#),
            "v1=4d96cb999e909b740f30a378f103ba3adc0a5805378585520edc3b9248c61d1c"
        );
    }

    #[test]
    fn a_receiver_accepts_the_request_as_sent_and_nothing_else() {
        let body = br#"{"type":"contract.status_changed"}"#;
        let now = 1_764_720_000;
        let sig = sign("s3cret", now, body);
        let ts = now.to_string();
        assert_eq!(
            verify("s3cret", Some(&ts), Some(&sig), body, now + 10),
            Ok(())
        );
        assert_eq!(
            verify("s3cret", Some(&ts), Some(&sig), b"{}", now),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify("other", Some(&ts), Some(&sig), body, now),
            Err(Refused::Mismatch)
        );
        // The same signature with another timestamp: the timestamp is signed too.
        let later = (now + 1).to_string();
        assert_eq!(
            verify("s3cret", Some(&later), Some(&sig), body, now),
            Err(Refused::Mismatch)
        );
        assert_eq!(
            verify("s3cret", Some(&ts), Some(&sig), body, now + TOLERANCE_S + 1),
            Err(Refused::TooOld(TOLERANCE_S + 1))
        );
        assert_eq!(
            verify("s3cret", None, Some(&sig), body, now),
            Err(Refused::BadTimestamp)
        );
        assert_eq!(
            verify("s3cret", Some(&ts), Some("sha256=00"), body, now),
            Err(Refused::BadSignature)
        );
    }
}
