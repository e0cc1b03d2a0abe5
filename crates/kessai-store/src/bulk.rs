//! Multi-row inserts of many rows at once, for writers that produce whole tables' worth of
//! rows (the bulk fill): a few statements for thousands of rows instead of one each.

use crate::db::query;
use crate::{Result, Tx};

pub(crate) use crate::db::Val;

/// At most this many parameters per statement: SQLite finds a parameter by a linear scan of
/// the names, so very wide statements cost more per row, not less (see ARCHITECTURE.md).
const PARAMS_PER_INSERT: usize = 400;

/// Rows a transaction holds before writing them in multi-row inserts (its emails and timeline
/// events: a deal step has several of each): written at commit, or when this many wait.
pub(crate) const MAX_PENDING_ROWS: usize = 200;

/// Keys looked up per statement by [`keyed`].
const KEYS_PER_SELECT: usize = 900;

/// The rows of `select` (a statement ending in `WHERE key IN`) for each of `keys`, a few
/// statements for a whole chunk of a file instead of one per record; rows in no order.
pub(crate) async fn keyed(tx: &mut Tx, select: &str, keys: &[i64]) -> Result<Vec<crate::Row>> {
    let mut rows = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(KEYS_PER_SELECT) {
        let places: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!("{select} ({})", places.join(", "));
        let q = query(&sql).bind_all(chunk.iter().map(|k| Val::Int(*k)));
        rows.extend(q.fetch_all(tx.conn()).await?);
    }
    Ok(rows)
}

/// The records of `select` (see [`keyed`]) decoded by `decode`, by the key `key_of` gives.
pub(crate) async fn keyed_map<T>(
    tx: &mut Tx,
    select: &str,
    keys: &[i64],
    decode: impl Fn(&crate::Row) -> Result<T>,
    key_of: impl Fn(&T) -> i64,
) -> Result<std::collections::HashMap<i64, T>> {
    let rows = keyed(tx, select, keys).await?;
    let mut found = std::collections::HashMap::with_capacity(rows.len());
    for row in &rows {
        let record = decode(row)?;
        found.insert(key_of(&record), record);
    }
    Ok(found)
}

/// Rows for one table, written by [`Rows::write`].
pub(crate) struct Rows {
    table: &'static str,
    columns: &'static [&'static str],
    values: Vec<Val>,
}

impl Rows {
    pub(crate) fn new(table: &'static str, columns: &'static [&'static str]) -> Rows {
        Rows {
            table,
            columns,
            values: vec![],
        }
    }

    pub(crate) fn push<const N: usize>(&mut self, row: [Val; N]) {
        assert_eq!(N, self.columns.len(), "a row of {}", self.table);
        self.values.extend(row);
    }

    /// The rows pushed so far, leaving this empty for more of the same table.
    pub(crate) fn take(&mut self) -> Rows {
        Rows {
            table: self.table,
            columns: self.columns,
            values: std::mem::take(&mut self.values),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// Inserts every row pushed so far, and forgets them.
    pub(crate) async fn write(&mut self, tx: &mut Tx) -> Result<()> {
        self.write_with(tx, "").await.map(|_| ())
    }

    /// Inserts every row pushed so far except those a unique key already holds (they are
    /// skipped, not errors), and forgets them; returns how many were inserted.
    pub(crate) async fn write_new(&mut self, tx: &mut Tx) -> Result<u64> {
        self.write_with(tx, " ON CONFLICT DO NOTHING").await
    }

    /// Like [`Rows::write_new`], returning the `column` of each row inserted (in no order).
    pub(crate) async fn write_new_returning(
        &mut self,
        tx: &mut Tx,
        column: &str,
    ) -> Result<Vec<crate::Row>> {
        let suffix = format!(" ON CONFLICT DO NOTHING RETURNING {column}");
        let mut rows = Vec::with_capacity(self.len());
        for (sql, chunk) in self.statements(&suffix) {
            let q = query(&sql).bind_all(chunk);
            rows.extend(q.fetch_all(tx.conn()).await?);
        }
        Ok(rows)
    }

    async fn write_with(&mut self, tx: &mut Tx, suffix: &str) -> Result<u64> {
        let mut inserted = 0;
        for (sql, chunk) in self.statements(suffix) {
            inserted += query(&sql)
                .bind_all(chunk)
                .execute(tx.conn())
                .await?
                .rows_affected();
        }
        Ok(inserted)
    }

    /// The multi-row inserts of every row pushed so far (each statement with its values, at
    /// most [`PARAMS_PER_INSERT`] of them), forgetting the rows.
    fn statements(&mut self, suffix: &str) -> Vec<(String, Vec<Val>)> {
        let width = self.columns.len();
        let per_insert = (PARAMS_PER_INSERT / width).max(1);
        let values = std::mem::take(&mut self.values);
        let mut statements = Vec::with_capacity(values.len() / (per_insert * width) + 1);
        let mut values = values.into_iter();
        loop {
            let chunk: Vec<Val> = values.by_ref().take(per_insert * width).collect();
            if chunk.is_empty() {
                break;
            }
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            );
            for row in 0..chunk.len() / width {
                let places: Vec<String> = (1..=width)
                    .map(|k| format!("${}", row * width + k))
                    .collect();
                sql.push_str(if row > 0 { ", (" } else { "(" });
                sql.push_str(&places.join(", "));
                sql.push(')');
            }
            sql.push_str(suffix);
            statements.push((sql, chunk));
        }
        statements
    }
}
