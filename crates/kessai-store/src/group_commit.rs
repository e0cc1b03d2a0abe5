//! Group commit for SQLite: many write transactions, one fsync.
//!
//! SQLite has one writer, and with `synchronous=FULL` every COMMIT waits for the disk. So the
//! writers queue for one dedicated connection; each runs inside a SAVEPOINT of an outer
//! transaction that stays open while more writers are waiting, and the last writer of a busy
//! moment COMMITs for all of them. Nobody's `commit()` returns before the COMMIT that made its
//! changes durable has returned, so a caller never answers a client about data that a crash
//! could still lose. A writer that fails or is dropped rolls back to its savepoint, leaving the
//! others' work intact.

use crate::db_sqlite::LiteConn;
use crate::{Result, StoreError};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

/// A batch never grows past this many transactions, so a reply waits for at most this many.
const MAX_BATCH: usize = 256;
/// A writer whose commit was deferred checks after this long that someone did commit it.
const FLUSH_CHECK: Duration = Duration::from_millis(2);

pub struct Writer {
    state: Arc<Mutex<State>>,
    /// Writers queued for the lock: while any are, a commit can be left to the last of them.
    waiting: Arc<AtomicUsize>,
}

pub struct State {
    /// The writer's own rusqlite connection (see `db`): statements run on it in the task
    /// that holds the turn, with no thread hop. COMMIT's fsync runs there too: the lock is held
    /// through it in any case, and the other runtime threads keep serving.
    conn: LiteConn,
    batch_open: bool,
    /// Increases with every COMMIT; a deferred writer compares it to know its batch is done.
    batch_seq: u64,
    batch_len: usize,
    pending: Vec<oneshot::Sender<std::result::Result<(), String>>>,
}

/// Counts a queued writer, also when its future is dropped while it waits.
struct Queued(Arc<AtomicUsize>);

impl Queued {
    fn new(waiting: &Arc<AtomicUsize>) -> Queued {
        waiting.fetch_add(1, Ordering::SeqCst);
        Queued(waiting.clone())
    }
}

impl Drop for Queued {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One writer's turn on the connection, inside its savepoint.
pub struct Turn {
    guard: Option<OwnedMutexGuard<State>>,
    waiting: Arc<AtomicUsize>,
    state: Arc<Mutex<State>>,
}

impl Writer {
    pub fn new(conn: LiteConn) -> Writer {
        let state = State {
            conn,
            batch_open: false,
            batch_seq: 0,
            batch_len: 0,
            pending: vec![],
        };
        Writer {
            state: Arc::new(Mutex::new(state)),
            waiting: Arc::new(AtomicUsize::new(0)),
        }
    }

    pub async fn begin(&self) -> Result<Turn> {
        let mut guard = {
            let _queued = Queued::new(&self.waiting);
            self.state.clone().lock_owned().await
        };
        if !guard.batch_open {
            guard.conn.execute_batch("BEGIN IMMEDIATE")?;
            guard.batch_open = true;
        }
        guard.conn.execute_batch("SAVEPOINT kessai_tx")?;
        Ok(Turn {
            guard: Some(guard),
            waiting: self.waiting.clone(),
            state: self.state.clone(),
        })
    }
}

/// COMMITs the open batch and tells every writer in it how it went.
fn flush(state: &mut State) {
    if !state.batch_open {
        return;
    }
    let result = state
        .conn
        .execute_batch("COMMIT")
        .map_err(|e| e.to_string());
    if result.is_err() {
        // A failed COMMIT leaves SQLite's transaction open; end it so the next batch starts clean.
        let _ = state.conn.execute_batch("ROLLBACK");
    }
    state.batch_open = false;
    state.batch_seq += 1;
    state.batch_len = 0;
    for reply in state.pending.drain(..) {
        let _ = reply.send(result.clone());
    }
}

impl Turn {
    pub fn conn(&mut self) -> &mut LiteConn {
        &mut self.guard.as_mut().expect("turn is live").conn
    }

    /// Makes this writer's changes part of the batch and returns once the batch is on disk.
    pub async fn commit(mut self) -> Result<()> {
        let mut guard = self.guard.take().expect("turn is live");
        if let Err(e) = guard.conn.execute_batch("RELEASE SAVEPOINT kessai_tx") {
            rollback_turn(guard, &self.waiting);
            return Err(e.into());
        }
        let (reply, done) = oneshot::channel();
        guard.pending.push(reply);
        guard.batch_len += 1;
        let my_batch = guard.batch_seq;
        if self.waiting.load(Ordering::SeqCst) == 0 || guard.batch_len >= MAX_BATCH {
            flush(&mut guard);
        }
        drop(guard);
        let mut done = done;
        loop {
            match tokio::time::timeout(FLUSH_CHECK, &mut done).await {
                Ok(Ok(Ok(()))) => return Ok(()),
                Ok(Ok(Err(message))) => return Err(StoreError::CommitFailed(message)),
                Ok(Err(_)) => return Err(StoreError::CommitFailed("the writer went away".into())),
                // Whoever was queued has not committed yet (it may have been cancelled): take a
                // turn and commit the batch ourselves if it is still the one we are in.
                Err(_) => {
                    let mut guard = {
                        let _queued = Queued::new(&self.waiting);
                        self.state.clone().lock_owned().await
                    };
                    if guard.batch_seq == my_batch && self.waiting.load(Ordering::SeqCst) == 0 {
                        flush(&mut guard);
                    }
                }
            }
        }
    }
}

fn rollback_turn(mut guard: OwnedMutexGuard<State>, waiting: &AtomicUsize) {
    let _ = guard.conn.execute_batch("ROLLBACK TO SAVEPOINT kessai_tx");
    let _ = guard.conn.execute_batch("RELEASE SAVEPOINT kessai_tx");
    if waiting.load(Ordering::SeqCst) == 0 {
        flush(&mut guard);
    }
}

impl Drop for Turn {
    /// A turn dropped without `commit` undoes its own changes only, at once.
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            rollback_turn(guard, &self.waiting);
        }
    }
}
