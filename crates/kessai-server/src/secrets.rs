//! Passwords (argon2id), random public IDs and tokens: everything drawn from the OS CSPRNG.

use crate::config::PasswordCost;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use kessai_core::deal_id::{ALPHABET, RANDOM_CHARS};
use kessai_core::DealId;
use rand::rngs::OsRng;
use rand::Rng;

fn hasher(cost: PasswordCost) -> Argon2<'static> {
    let params =
        Params::new(cost.memory_kib, cost.iterations, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes on a blocking thread: argon2 is deliberately slow and must not stall the runtime.
pub async fn hash_password(password: String, cost: PasswordCost) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        hasher(cost)
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| anyhow::anyhow!("argon2: {e}"))
    })
    .await?
}

/// Verifies against the stored hash, whose own parameters decide the cost.
pub async fn verify_password(password: String, hash: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await?
}

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
