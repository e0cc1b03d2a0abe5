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

/// Hashing at once on more threads than there are cores only makes each hash slower: every
/// hash walks its own 19 MiB, and 32 of them at once thrash the caches (measured: 39 % of the
/// machine's hashing ceiling with 32 at once). So hashes queue for one permit per core.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    PERMITS.get_or_init(|| {
        tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    })
}

/// Runs one argon2 computation on a blocking thread (it is deliberately slow and must not
/// stall the runtime), when a core is free for it.
async fn on_a_free_core<T: Send + 'static>(
    work: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let _permit = hashing_permits().acquire().await?;
    tokio::task::spawn_blocking(work).await?
}

pub async fn hash_password(password: String, cost: PasswordCost) -> anyhow::Result<String> {
    on_a_free_core(move || hash_on_this_thread(&password, cost)).await
}

/// Hashes here and now (the benchmark's measure of what one core can hash).
pub fn hash_on_this_thread(password: &str, cost: PasswordCost) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    hasher(cost)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("argon2: {e}"))
}

/// Verifies against the stored hash, whose own parameters decide the cost.
pub async fn verify_password(password: String, hash: String) -> anyhow::Result<bool> {
    on_a_free_core(move || {
        let parsed = PasswordHash::new(&hash).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        Ok(Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
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
