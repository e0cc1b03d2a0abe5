//! Kessai's persistence: one schema for SQLite (the default) and PostgreSQL, and the
//! repositories the server uses inside a transaction. This is the only crate that knows SQL.
//!
//! Both backends go through sqlx's `Any` driver with `$N` placeholders, so every statement is
//! written once. Integers are `BIGINT`, times are Unix milliseconds, money is integer yen.

mod bank_entries;
mod bank_files;
mod bulk;
mod card_payments;
mod check;
mod contract_notices;
mod contracts;
mod credits;
mod db;
mod db_sqlite;
mod deals;
mod debits;
mod deliveries;
mod events;
mod exports;
mod fill;
mod group_commit;
mod idempotency;
mod instructions;
mod konbini;
mod ledger;
mod merchants;
mod migrations;
mod orders;
mod outbox;
mod payouts;
mod registrations;
mod sessions;
mod settlements;
mod sites;
mod sweeps;
mod virtual_accounts;
mod webhooks;

pub use bank_entries::{EntryOutcome, NewEntry};
pub use bank_files::{BankFileRecord, ListedEntry, NewBankFile};
pub use card_payments::{CardAnswer, CardPaymentRecord};
pub use contract_notices::ContractNotice;
pub use contracts::{ContractRecord, NewContract, StoredNumber};
pub use credits::{ClaimRecord, CreditOutcome, CreditRecord, NewCredit};
pub use db::Row;
pub use db_sqlite::WRITER_SETTINGS as SQLITE_WRITER_SETTINGS;
pub use deals::DealRecord;
pub use debits::{DebitItem, NewDebit};
pub use deliveries::{DeliveryRecord, NewDelivery};
pub use events::EventRecord;
pub use exports::{ExportRecord, NewExport, PendingInstruction};
pub use fill::FillSummary;
pub use idempotency::{StoredResponse, CLAIMED as IDEMPOTENCY_CLAIMED};
pub use instructions::{InstructionRecord, InstructionState, NewReturn};
pub use konbini::{FilledSlip, KonbiniSlip, NewKonbiniPayment};
pub use ledger::collection_account;
pub use merchants::MerchantRecord;
pub use orders::{NewOrderEvent, OrderEventRecord, OrderFilter, OrderRecord};
pub use outbox::{NewEmail, OutboxEmail};
pub use payouts::{NewContractPayout, PayableContract};
pub use registrations::{NewRegistration, Registration};
pub use settlements::SettlementRecord;
pub use sites::SiteRecord;
pub use sweeps::{NewSweep, SweepRecord};
pub use webhooks::{
    AttemptOutcome, WebhookAttempt, WebhookEvent, MAX_ATTEMPTS as WEBHOOK_MAX_ATTEMPTS,
};

pub(crate) use db::{get, Db};
use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, Executor, Transaction};
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(sqlx::Error),
    #[error("database: {0}")]
    Sqlite(rusqlite::Error),
    /// Another transaction changed the same row first; the caller retries the whole command.
    #[error("concurrent update of {0}; retry")]
    Conflict(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH (a file) or postgres://...")]
    Url(String),
    /// The COMMIT that was to make this transaction durable failed; nothing of it was kept.
    #[error("commit failed: {0}")]
    CommitFailed(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A write would have driven a holding account below zero: refused, nothing written.
    #[error("ledger guard: {0}")]
    LedgerGuard(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    /// A PostgreSQL deadlock (40P01) or serialization failure (40001) is a race another
    /// transaction won: the caller retries the whole step, as for a version conflict.
    fn from(e: sqlx::Error) -> StoreError {
        let code = e
            .as_database_error()
            .and_then(|d| d.code())
            .map(|c| c.into_owned());
        match code.as_deref() {
            Some("40P01" | "40001") => StoreError::Conflict(format!("database: {e}")),
            _ => StoreError::Database(e),
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(e)
    }
}

/// A handle on the database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite allows one writer at a time: writers queue for one connection and share
    /// commits (see `group_commit`), instead of spinning in SQLite's busy handler.
    /// PostgreSQL needs no such queue: rows are guarded by version checks and row locks.
    writer: Option<Arc<group_commit::Writer>>,
    /// SQLite's connections for reads outside a transaction (`db_sqlite::Readers`).
    readers: Option<Arc<db_sqlite::Readers>>,
}

/// One write transaction. Dropping it without [`Tx::commit`] rolls everything back.
pub struct Tx {
    inner: TxInner,
    backend: Backend,
    /// Balance changes of the journals posted in this transaction, applied once at commit: one
    /// UPDATE per account in a fixed (sorted) order, so that a hot account is not rewritten per
    /// journal and two transactions always lock accounts in the same order.
    account_deltas: std::collections::BTreeMap<String, ledger::AccountDelta>,
    /// Journals posted but not yet written (see `ledger::PendingJournal`).
    pending_journals: Vec<ledger::PendingJournal>,
    /// Emails enqueued and timeline events added but not yet written (`bulk::MAX_PENDING_ROWS`).
    pending_emails: bulk::Rows,
    pending_events: bulk::Rows,
}

enum TxInner {
    Postgres(Transaction<'static, sqlx::Any>),
    Sqlite(group_commit::Turn),
}

/// The file of a normalized SQLite URL, for the writer's own connection: sqlx's URL carries
/// `mode=rwc`, which the pool applies (creating the file) before the writer opens it.
fn sqlite_path(url: &str) -> &str {
    let path = url.strip_prefix("sqlite://").unwrap_or(url);
    path.split('?').next().unwrap_or(path)
}

/// Turns what a user typed into the URL sqlx needs: a bare path means SQLite.
pub fn normalize_url(url: &str) -> Result<(String, Backend)> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok((url.to_string(), Backend::Postgres));
    }
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    // An in-memory database exists once per connection: the writer and the readers would each
    // see their own, so a write would be invisible to every read.
    if path.contains("://")
        || path.is_empty()
        || path.contains(":memory:")
        || path.contains("mode=memory")
    {
        return Err(StoreError::Url(url.to_string()));
    }
    let sep = if path.contains('?') { '&' } else { '?' };
    let with_mode = if path.contains("mode=") {
        path.to_string()
    } else {
        format!("{path}{sep}mode=rwc")
    };
    Ok((format!("sqlite://{with_mode}"), Backend::Sqlite))
}

impl Store {
    /// Opens the database. SQLite runs in WAL mode with `synchronous=FULL`: a commit that returned
    /// is on disk.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (url, backend) = normalize_url(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(30));
        let pool = match backend {
            Backend::Sqlite => {
                options
                    .max_connections(5)
                    // A file does not drop its connections as a server may: no ping (a hop to
                    // sqlx's worker thread and back) before every read.
                    .test_before_acquire(false)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA journal_mode=WAL",
                                "PRAGMA synchronous=FULL",
                                "PRAGMA busy_timeout=10000",
                                "PRAGMA foreign_keys=ON",
                            ] {
                                conn.execute(pragma).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
            Backend::Postgres => {
                options
                    .max_connections(16)
                    // No parallel plans. Every statement of Kessai's is a lookup by key or a
                    // short batch, but a generic plan made before the planner has statistics
                    // (a table filled minutes ago) can estimate hundreds of rows and go
                    // parallel: starting the workers made a withdrawal's one-row lookup take
                    // 10-17 ms instead of 0.05 (`kessai bench settlement`, 100,000 payouts).
                    // `kessai check`'s scans already run side by side on the pool's connections.
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("SET max_parallel_workers_per_gather = 0")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?
            }
        };
        let (writer, readers) = match backend {
            Backend::Sqlite => (
                Some(Arc::new(group_commit::Writer::new(db_sqlite::open_writer(
                    sqlite_path(&url),
                )?))),
                Some(Arc::new(db_sqlite::Readers::new(sqlite_path(&url)))),
            ),
            Backend::Postgres => (None, None),
        };
        Ok(Store {
            pool,
            backend,
            writer,
            readers,
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Where a short read outside a transaction runs: a SQLite reader connection in the calling
    /// task, or PostgreSQL's pool.
    fn reader(&self) -> Db<'_> {
        match &self.readers {
            Some(readers) => Db::LiteRead(readers),
            None => Db::Pool(&self.pool),
        }
    }

    /// Where a scan of the whole database runs (`kessai check`): sqlx's pool on either backend,
    /// whose SQLite worker threads keep a read of millions of rows off the runtime's threads and
    /// let several such reads run side by side.
    fn scan_reader(&self) -> Db<'_> {
        Db::Pool(&self.pool)
    }

    pub async fn begin(&self) -> Result<Tx> {
        let inner = match &self.writer {
            Some(writer) => TxInner::Sqlite(writer.begin().await?),
            None => TxInner::Postgres(self.pool.begin().await?),
        };
        Ok(Tx {
            inner,
            backend: self.backend,
            account_deltas: Default::default(),
            pending_journals: vec![],
            pending_emails: outbox::pending_emails(),
            pending_events: events::pending_events(),
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Tx {
    /// Returns once the transaction is durable.
    pub async fn commit(mut self) -> Result<()> {
        // Emails and events refer to rows already written (deals, registrations); journals
        // are flushed after them as before.
        self.pending_emails.take().write(&mut self).await?;
        self.pending_events.take().write(&mut self).await?;
        self.flush_journals().await?;
        self.apply_account_deltas().await?;
        match self.inner {
            TxInner::Postgres(tx) => Ok(tx.commit().await?),
            TxInner::Sqlite(turn) => turn.commit().await,
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn conn(&mut self) -> Db<'_> {
        match &mut self.inner {
            TxInner::Postgres(tx) => Db::Conn(tx),
            TxInner::Sqlite(turn) => Db::Lite(turn.conn()),
        }
    }
}

/// A new time-ordered internal ID (UUIDv7): public IDs come from `kessai_core::DealId` instead.
pub fn new_internal_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
    StoreError::Corrupt(what.into())
}

impl Store {
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[cfg(test)]
mod url_tests {
    use super::{normalize_url, Backend};

    #[test]
    fn a_bare_path_is_sqlite_and_memory_is_refused() {
        let (url, backend) = normalize_url("data/kessai.db").unwrap();
        assert_eq!(
            (url.as_str(), backend),
            ("sqlite://data/kessai.db?mode=rwc", Backend::Sqlite)
        );
        assert_eq!(super::sqlite_path(&url), "data/kessai.db");
        for url in [
            "sqlite::memory:",
            ":memory:",
            "sqlite://x.db?mode=memory",
            "mysql://h/db",
        ] {
            assert!(normalize_url(url).is_err(), "{url}");
        }
    }
}
