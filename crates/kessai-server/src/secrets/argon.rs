//! Password hashing (argon2id) on dedicated threads, one per core, each with its own memory.
//!
//! argon2 is deliberately slow (19 MiB walked twice per hash in production), so it must never
//! run on the async runtime or inside a write transaction. It used to run on tokio's blocking
//! threads behind one permit per core, and a hash's end passed the core on through the
//! runtime: the finished task had to be polled to drop its permit, the next waiter polled to
//! take it, and a blocking thread woken to start. On this 2-core VM that left the cores idle
//! 9 % of the time while 30 registrations waited (`/proc/stat` during `kessai bench lifecycle`).
//! Here each hashing thread takes the next job itself as soon as one is done. Each thread also
//! keeps its argon2 memory: allocating and zeroing 19 MiB per hash was 6.6 % of the samples
//! (`memset` and page faults), and argon2 overwrites every block before it reads it, so the
//! memory needs no clearing between hashes.

use crate::config::PasswordCost;
use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::rngs::OsRng;
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};

/// One thread's argon2 memory, grown to the largest cost it has hashed at.
#[derive(Default)]
pub struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        let n = params.block_count();
        if self.0.len() < n {
            self.0.resize(n, Block::default());
        }
        &mut self.0[..n]
    }
}

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// The queue the hashing threads take jobs from, started on first use.
fn queue() -> &'static mpsc::Sender<Job> {
    static QUEUE: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (send, receive) = mpsc::channel::<Job>();
        let receive = std::sync::Arc::new(Mutex::new(receive));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        for n in 0..cores {
            let receive = receive.clone();
            std::thread::Builder::new()
                .name(format!("kessai-argon2-{n}"))
                .spawn(move || {
                    let mut memory = Memory::default();
                    loop {
                        // The lock is held only while waiting for a job, never while hashing.
                        let job = receive.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(mpsc::RecvError) => return,
                        }
                    }
                })
                .expect("a hashing thread starts");
        }
        send
    })
}

/// Runs `work` on a hashing thread and waits for it without holding the runtime.
async fn on_a_hashing_thread<T: Send + 'static>(
    work: impl FnOnce(&mut Memory) -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let (answer, answered) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move |memory| {
        // A panic in argon2 becomes this caller's error; the thread lives on.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(memory)))
            .unwrap_or_else(|_| Err(anyhow::anyhow!("argon2 panicked")));
        let _ = answer.send(result);
    });
    queue()
        .send(job)
        .map_err(|_| anyhow::anyhow!("no hashing thread is running"))?;
    answered
        .await
        .map_err(|_| anyhow::anyhow!("the hashing thread dropped the job"))?
}

pub async fn hash_password(password: String, cost: PasswordCost) -> anyhow::Result<String> {
    on_a_hashing_thread(move |memory| hash_with(memory, &password, cost)).await
}

/// Hashes with this thread's `memory` (the benchmark's measure of what one core can hash runs
/// the same code as the server).
pub fn hash_with(
    memory: &mut Memory,
    password: &str,
    cost: PasswordCost,
) -> anyhow::Result<String> {
    let params = Params::new(cost.memory_kib, cost.iterations, 1, None)
        .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
    let salt = SaltString::generate(&mut OsRng);
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(argon)?,
        salt: Some(salt.as_salt()),
        hash: None,
    };
    let output = output_of(memory, &hash, password, Params::DEFAULT_OUTPUT_LEN)?;
    Ok(PasswordHash {
        hash: Some(output),
        ..hash
    }
    .to_string())
}

/// Verifies against the stored hash, whose own parameters decide the cost. The comparison
/// of outputs is constant-time (`Output`'s equality).
pub async fn verify_password(password: String, stored: String) -> anyhow::Result<bool> {
    on_a_hashing_thread(move |memory| {
        let parsed = PasswordHash::new(&stored).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let Some(expected) = parsed.hash else {
            return Ok(false);
        };
        let computed = output_of(memory, &parsed, &password, expected.len())?;
        Ok(computed == expected)
    })
    .await
}

/// The output argon2 gives for `password` under `hash`'s algorithm, version, parameters and
/// salt, computed in `memory`.
fn output_of(
    memory: &mut Memory,
    hash: &PasswordHash<'_>,
    password: &str,
    len: usize,
) -> anyhow::Result<Output> {
    let algorithm = Algorithm::try_from(hash.algorithm).map_err(argon)?;
    let version = match hash.version {
        Some(v) => Version::try_from(v).map_err(|e| anyhow::anyhow!("argon2: {e}"))?,
        None => Version::default(),
    };
    let params = Params::try_from(hash).map_err(argon)?;
    let salt = hash
        .salt
        .ok_or_else(|| anyhow::anyhow!("stored hash without a salt"))?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(argon)?;
    let hasher = Argon2::new(algorithm, version, params.clone());
    Output::init_with(len, |out| {
        hasher
            .hash_password_into_with_memory(
                password.as_bytes(),
                salt_bytes,
                out,
                memory.blocks(&params),
            )
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })
    .map_err(argon)
}

fn argon(e: argon2::password_hash::Error) -> anyhow::Error {
    anyhow::anyhow!("argon2: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    const COST: PasswordCost = PasswordCost {
        memory_kib: 256,
        iterations: 2,
    };

    #[test]
    fn reused_memory_gives_the_hash_argon2_itself_verifies() {
        let mut memory = Memory::default();
        // The memory is dirty from other hashes, at another cost too, before each one.
        hash_with(
            &mut memory,
            "other",
            PasswordCost {
                memory_kib: 512,
                iterations: 1,
            },
        )
        .unwrap();
        for password in ["correct horse", "パスワード", ""] {
            let stored = hash_with(&mut memory, password, COST).unwrap();
            let parsed = PasswordHash::new(&stored).unwrap();
            assert!(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok());
            assert!(Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err());
            assert!(
                stored.starts_with("$argon2id$v=19$m=256,t=2,p=1$"),
                "{stored}"
            );
        }
    }

    #[tokio::test]
    async fn verify_accepts_the_password_and_refuses_others_and_library_hashes() {
        let stored = hash_password("s3cret".into(), COST).await.unwrap();
        assert!(verify_password("s3cret".into(), stored.clone())
            .await
            .unwrap());
        assert!(!verify_password("s3cret ".into(), stored).await.unwrap());
        // A hash the argon2 crate wrote (as stored before this module) verifies too.
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let params = Params::new(COST.memory_kib, COST.iterations, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"old", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("old".into(), theirs.clone()).await.unwrap());
        assert!(!verify_password("new".into(), theirs).await.unwrap());
        assert!(verify_password("x".into(), "not a hash".into())
            .await
            .is_err());
    }
}
