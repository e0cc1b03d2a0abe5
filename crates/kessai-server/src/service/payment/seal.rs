//! Card numbers at rest: sealed with AES-256-GCM under the operator's key (configured apart
//! from the database), a fresh 96-bit nonce each time, stored as base64 of nonce + ciphertext.
//! Nothing else of a card is kept but the processor's token, the brand and the last four
//! digits (PCI DSS 3.4.1, 3.5.1); the security code is never sealed or stored at all.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use rand::RngCore;

const NONCE_BYTES: usize = 12;

/// The key from 64 hex digits.
pub fn parse_key(hex_key: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = hex::decode(hex_key.trim())
        .map_err(|_| anyhow::anyhow!("the card key must be 64 hex digits"))?;
    bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("the card key must be 64 hex digits (32 bytes)"))
}

/// `pan` sealed under `key`.
pub fn seal(key: &[u8; 32], pan: &str) -> String {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_BYTES];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let sealed = cipher
        .encrypt(Nonce::from_slice(&nonce), pan.as_bytes())
        .expect("AES-GCM seals any message this short");
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    base64::engine::general_purpose::STANDARD.encode(out)
}

/// The number sealed in `sealed`, when `key` sealed it (for the operator's tools only: no page
/// or answer shows more than the last four digits).
pub fn open(key: &[u8; 32], sealed: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(sealed)
        .ok()?;
    if bytes.len() <= NONCE_BYTES {
        return None;
    }
    let (nonce, body) = bytes.split_at(NONCE_BYTES);
    let plain = Aes256Gcm::new(key.into())
        .decrypt(Nonce::from_slice(nonce), body)
        .ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_number_opens_only_under_its_key_and_never_shows_itself() {
        let key = [7u8; 32];
        let a = seal(&key, "4242424242424242");
        let b = seal(&key, "4242424242424242");
        assert_ne!(a, b, "a fresh nonce each time");
        assert!(!a.contains("4242"));
        assert_eq!(open(&key, &a).as_deref(), Some("4242424242424242"));
        assert_eq!(open(&[8u8; 32], &a), None, "another key");
        let mut tampered = base64::engine::general_purpose::STANDARD
            .decode(&a)
            .unwrap();
        *tampered.last_mut().unwrap() ^= 1;
        let tampered = base64::engine::general_purpose::STANDARD.encode(tampered);
        assert_eq!(
            open(&key, &tampered),
            None,
            "GCM refuses an altered ciphertext"
        );
        assert!(parse_key(&"ab".repeat(32)).is_ok());
        assert!(parse_key("abcd").is_err());
    }
}
