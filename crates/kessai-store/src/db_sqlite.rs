//! Statements on the SQLite writer's connection, run by rusqlite in the calling task.
//!
//! Each statement is prepared once per connection and kept in rusqlite's statement cache, so
//! a repeated statement costs a lookup, the binds and the step: a few microseconds.

use crate::db::{Cell, Row, Val};
use crate::{Result, StoreError};
use rusqlite::types::ValueRef;
use rusqlite::{CachedStatement, Connection};
use std::collections::HashMap;
use std::sync::Arc;

/// Statements kept prepared per connection: more than the store has, so none is re-prepared.
pub(crate) const STATEMENT_CACHE: usize = 512;

/// The writer's connection, and for each statement which value each of its parameters takes.
/// SQLite finds a parameter's name by a linear scan (`sqlite3_bind_parameter_name`), so asking
/// for every name on every execution is quadratic in a statement's width: 27 % of a bank
/// import's time with 400-parameter inserts. The answer is kept per statement instead.
pub(crate) struct LiteConn {
    conn: Connection,
    numbers: HashMap<String, Arc<[usize]>>,
}

impl std::ops::Deref for LiteConn {
    type Target = Connection;
    fn deref(&self) -> &Connection {
        &self.conn
    }
}

/// The writer's settings after WAL mode (why each: in [`open_writer`]); `kessai bench floor`
/// runs its SQL under the same.
pub const WRITER_SETTINGS: &str = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; \
    PRAGMA temp_store=FILE; PRAGMA cache_size=-65536;";

/// Opens the writer's connection with the settings every write relies on.
pub(crate) fn open_writer(path: &str) -> Result<LiteConn> {
    let conn = Connection::open(path)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    // journal_mode answers with a row, so it is read rather than executed.
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Corrupt(format!(
            "SQLite refused WAL mode (journal_mode is {mode})"
        )));
    }
    // Each write transaction is a SAVEPOINT inside a shared batch (see `group_commit`), and
    // SQLite keeps a savepoint's undo pages in a sub-journal. temp_store=FILE keeps it in one
    // block of memory up to 64 KiB, then in a temporary file (never synced). temp_store=MEMORY
    // instead keeps a list of 1 KiB chunks that the end of every statement walks from its
    // start, so a large transaction grew quadratically: 100,000 debit results imported at
    // 3,450 records/s, a third of the time in memjrnlTruncate, against 17,600/s for 30,000
    // with FILE (`kessai bench settlement`). A deal's transactions measured the same either
    // way within this machine's noise (ARCHITECTURE.md, "Performance"). A larger spill size
    // (SQLITE_CONFIG_STMTJRNL_SPILL, 1 or 4 MiB) failed large runs with SQLITE_FULL.
    // The larger page cache keeps a batch's dirty pages from spilling into the WAL before
    // COMMIT.
    conn.execute_batch(WRITER_SETTINGS)?;
    Ok(LiteConn {
        conn,
        numbers: HashMap::new(),
    })
}

/// Connections for reads outside a write transaction, run by rusqlite in the calling task.
///
/// A point read (a deal, a session, a timeline) costs tens of microseconds in SQLite; through
/// sqlx's SQLite driver each one also went to a worker thread and back, and a deal's page is
/// five to seven such reads. Long scans (`kessai check`) still use sqlx's pool, so that a read of
/// a million rows never holds a runtime thread (see `Store::scan_reader`). In WAL mode a reader
/// sees the last commit and never waits for the writer.
pub(crate) struct Readers {
    path: String,
    idle: std::sync::Mutex<Vec<LiteConn>>,
}

/// Idle reader connections kept open: more than the runtime has threads, so a read rarely
/// opens one.
const IDLE_READERS: usize = 8;

impl Readers {
    pub(crate) fn new(path: &str) -> Readers {
        Readers {
            path: path.to_string(),
            idle: std::sync::Mutex::new(vec![]),
        }
    }

    /// Runs `read` on an idle connection (opened if none is), then keeps the connection.
    pub(crate) fn with<T>(&self, read: impl FnOnce(&mut LiteConn) -> Result<T>) -> Result<T> {
        // A panic while holding the lock leaves only a list of connections, each whole.
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match idle {
            Some(conn) => conn,
            None => open_reader(&self.path)?,
        };
        let answer = read(&mut conn);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < IDLE_READERS {
            idle.push(conn);
        }
        answer
    }
}

/// A connection that can only read (`query_only`): a statement that would write fails.
fn open_reader(path: &str) -> Result<LiteConn> {
    let conn = Connection::open(path)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA query_only=1;")?;
    Ok(LiteConn {
        conn,
        numbers: HashMap::new(),
    })
}

/// Binds `$N` parameters by their number, wherever and however often they appear.
fn prepared<'c>(lite: &'c mut LiteConn, sql: &str, vals: &[Val]) -> Result<CachedStatement<'c>> {
    let mut stmt = lite.conn.prepare_cached(sql)?;
    let numbers = match lite.numbers.get(sql) {
        Some(numbers) => numbers.clone(),
        None => {
            let numbers: Arc<[usize]> = (1..=stmt.parameter_count())
                .map(|index| {
                    let name = stmt.parameter_name(index).unwrap_or("");
                    name.strip_prefix('$')
                        .and_then(|n| n.parse().ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| {
                            StoreError::Corrupt(format!("parameter {name:?} in {sql:?}"))
                        })
                })
                .collect::<Result<_>>()?;
            if lite.numbers.len() >= STATEMENT_CACHE {
                lite.numbers.clear();
            }
            lite.numbers.insert(sql.to_string(), numbers.clone());
            numbers
        }
    };
    for (i, number) in numbers.iter().enumerate() {
        let val = vals
            .get(number - 1)
            .ok_or_else(|| StoreError::Corrupt(format!("no value for ${number} in {sql:?}")))?;
        let index = i + 1;
        match val {
            Val::Text(s) => stmt.raw_bind_parameter(index, s)?,
            Val::OptText(s) => stmt.raw_bind_parameter(index, s)?,
            Val::Int(n) => stmt.raw_bind_parameter(index, n)?,
            Val::OptInt(n) => stmt.raw_bind_parameter(index, n)?,
        }
    }
    Ok(stmt)
}

pub(crate) fn execute(lite: &mut LiteConn, sql: &str, vals: &[Val]) -> Result<u64> {
    let mut stmt = prepared(lite, sql, vals)?;
    // raw_execute refuses a statement that returns rows; RETURNING through execute is read out,
    // and each row returned is a row changed.
    if stmt.column_count() > 0 {
        let mut rows = stmt.raw_query();
        let mut returned = 0;
        while rows.next()?.is_some() {
            returned += 1;
        }
        return Ok(returned);
    }
    Ok(stmt.raw_execute()? as u64)
}

pub(crate) fn for_each(
    lite: &mut LiteConn,
    sql: &str,
    vals: &[Val],
    mut each: impl FnMut(Row) -> Result<()>,
) -> Result<()> {
    let mut stmt = prepared(lite, sql, vals)?;
    let names: Arc<[String]> = stmt.column_names().iter().map(|s| s.to_string()).collect();
    let width = names.len();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next()? {
        let mut cells = Vec::with_capacity(width);
        for i in 0..width {
            cells.push(match row.get_ref(i)? {
                ValueRef::Null => Cell::Null,
                ValueRef::Integer(n) => Cell::Int(n),
                ValueRef::Real(x) => Cell::Real(x),
                ValueRef::Text(t) => Cell::Text(
                    std::str::from_utf8(t)
                        .map_err(|e| StoreError::Corrupt(format!("text column {i}: {e}")))?
                        .to_string(),
                ),
                ValueRef::Blob(b) => Cell::Blob(b.to_vec()),
            });
        }
        each(Row::new(names.clone(), cells))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{execute, for_each, open_writer, Readers};
    use crate::db::{Cell, Val};

    fn read_n(readers: &Readers) -> Vec<Cell> {
        let mut cells = vec![];
        readers
            .with(|conn| {
                for_each(conn, "SELECT n FROM t ORDER BY n", &[], |row| {
                    cells.push(row.first()?.clone());
                    Ok(())
                })
            })
            .unwrap();
        cells
    }

    #[test]
    fn a_reader_sees_the_last_commit_and_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        let path = path.to_str().unwrap();
        let mut writer = open_writer(path).unwrap();
        writer
            .execute_batch("CREATE TABLE t (n BIGINT); INSERT INTO t VALUES (1);")
            .unwrap();
        let readers = Readers::new(path);
        assert_eq!(read_n(&readers), vec![Cell::Int(1)]);
        // Uncommitted work is not seen; once committed it is, on the same kept connection.
        writer.execute_batch("BEGIN").unwrap();
        execute(&mut writer, "INSERT INTO t VALUES ($1)", &[Val::Int(2)]).unwrap();
        assert_eq!(read_n(&readers), vec![Cell::Int(1)]);
        writer.execute_batch("COMMIT").unwrap();
        assert_eq!(read_n(&readers), vec![Cell::Int(1), Cell::Int(2)]);
        let refused = readers.with(|conn| execute(conn, "DELETE FROM t", &[]));
        assert!(refused.is_err(), "a reader wrote: {refused:?}");
        assert_eq!(read_n(&readers), vec![Cell::Int(1), Cell::Int(2)]);
    }
}
