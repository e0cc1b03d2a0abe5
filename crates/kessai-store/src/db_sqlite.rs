//! Statements on the SQLite writer's connection, run by rusqlite in the calling task.
//!
//! Each statement is prepared once per connection and kept in rusqlite's statement cache, so
//! a repeated statement costs a lookup, the binds and the step: a few microseconds.

use crate::db::{Cell, Row, Val};
use crate::{Result, StoreError};
use rusqlite::types::ValueRef;
use rusqlite::{CachedStatement, Connection};
use std::sync::Arc;

/// Statements kept prepared per connection: more than the store has, so none is re-prepared.
pub(crate) const STATEMENT_CACHE: usize = 512;

/// Opens the writer's connection with the settings every write relies on.
pub(crate) fn open_writer(path: &str) -> Result<Connection> {
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
    // SQLite keeps a savepoint's undo pages in a sub-journal: in memory, not a temporary file
    // written on every first change of a page. The larger page cache keeps a batch's dirty
    // pages from spilling into the WAL before COMMIT.
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; \
         PRAGMA cache_size=-65536;",
    )?;
    Ok(conn)
}

/// Binds `$N` parameters by their number, wherever and however often they appear.
fn prepared<'c>(conn: &'c Connection, sql: &str, vals: &[Val]) -> Result<CachedStatement<'c>> {
    let mut stmt = conn.prepare_cached(sql)?;
    for index in 1..=stmt.parameter_count() {
        let name = stmt.parameter_name(index).unwrap_or("");
        let number: usize = name
            .strip_prefix('$')
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| StoreError::Corrupt(format!("parameter {name:?} in {sql:?}")))?;
        let val = vals
            .get(number - 1)
            .ok_or_else(|| StoreError::Corrupt(format!("no value for ${number} in {sql:?}")))?;
        match val {
            Val::Text(s) => stmt.raw_bind_parameter(index, s)?,
            Val::OptText(s) => stmt.raw_bind_parameter(index, s)?,
            Val::Int(n) => stmt.raw_bind_parameter(index, n)?,
            Val::OptInt(n) => stmt.raw_bind_parameter(index, n)?,
        }
    }
    Ok(stmt)
}

pub(crate) fn execute(conn: &Connection, sql: &str, vals: &[Val]) -> Result<u64> {
    let mut stmt = prepared(conn, sql, vals)?;
    // raw_execute refuses a statement that returns rows; RETURNING through execute is read out.
    if stmt.column_count() > 0 {
        let mut rows = stmt.raw_query();
        while rows.next()?.is_some() {}
        return Ok(conn.changes());
    }
    Ok(stmt.raw_execute()? as u64)
}

pub(crate) fn for_each(
    conn: &Connection,
    sql: &str,
    vals: &[Val],
    mut each: impl FnMut(Row) -> Result<()>,
) -> Result<()> {
    let mut stmt = prepared(conn, sql, vals)?;
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
