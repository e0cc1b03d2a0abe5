//! Passwords (argon2id), random public IDs and tokens: everything drawn from the OS CSPRNG.

mod argon;

pub use argon::{hash_password, hash_with, verify_password, Memory};
use kessai_core::deal_id::{ALPHABET, RANDOM_CHARS};
use kessai_core::DealId;
use rand::rngs::OsRng;
use rand::Rng;

pub fn new_deal_id() -> DealId {
    let mut rng = OsRng;
    let mut indices = [0u8; RANDOM_CHARS];
    for i in indices.iter_mut() {
        *i = rng.gen_range(0..ALPHABET.len() as u8);
    }
    DealId::from_indices(indices)
}

/// A URL-safe random token (CSRF tokens, generated operator tokens).
pub fn random_token() -> String {
    let bytes: [u8; 24] = OsRng.gen();
    hex::encode(bytes)
}

/// Whether two secrets (tokens) are equal, in time that does not depend on where they differ:
/// their SHA-256 digests are compared in constant time.
pub fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    use subtle::ConstantTimeEq;
    Sha256::digest(given.as_bytes())
        .ct_eq(&Sha256::digest(expected.as_bytes()))
        .into()
}
