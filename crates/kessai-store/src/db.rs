//! One way to run a statement on either backend: `query(sql).bind(..).fetch_all(db)`.
//!
//! PostgreSQL statements go through sqlx. SQLite writes go through rusqlite on the writer's own
//! connection, in the calling task: sqlx's SQLite driver sends every statement to a worker
//! thread and back over channels, and at ~100 statements a deal those thread hops were most of
//! the write path's time (ARCHITECTURE.md, "The write path"). SQLite's short reads outside a
//! transaction run on rusqlite reader connections in the calling task too (`Db::LiteRead`);
//! only whole-table scans (`kessai check`) use sqlx's pool, whose worker threads keep them off
//! the runtime.
//!
//! Rows come back as [`Row`]: owned values by column name, the same whichever driver read them,
//! so each repository decodes a row once.

use crate::{Result, StoreError};
use futures_util::TryStreamExt;
use sqlx::any::AnyTypeInfoKind;
use sqlx::{AnyConnection, AnyPool, Column, Executor, Row as _, ValueRef as _};
use std::sync::Arc;

/// One bound parameter. The kind of a NULL is kept: PostgreSQL types every parameter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Val {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    OptInt(Option<i64>),
}

impl From<&str> for Val {
    fn from(s: &str) -> Val {
        Val::Text(s.to_string())
    }
}

impl From<&String> for Val {
    fn from(s: &String) -> Val {
        Val::Text(s.clone())
    }
}

impl From<String> for Val {
    fn from(s: String) -> Val {
        Val::Text(s)
    }
}

impl From<i64> for Val {
    fn from(n: i64) -> Val {
        Val::Int(n)
    }
}

impl From<Option<String>> for Val {
    fn from(s: Option<String>) -> Val {
        Val::OptText(s)
    }
}

impl From<Option<&str>> for Val {
    fn from(s: Option<&str>) -> Val {
        Val::OptText(s.map(str::to_string))
    }
}

impl From<Option<i64>> for Val {
    fn from(n: Option<i64>) -> Val {
        Val::OptInt(n)
    }
}

/// A value read from a row.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// A row read by either driver: values by position, names shared by the rows of one result.
#[derive(Clone, Debug)]
pub struct Row {
    names: Arc<[String]>,
    cells: Vec<Cell>,
}

impl Row {
    fn cell(&self, column: &str) -> Result<&Cell> {
        self.names
            .iter()
            .position(|n| n == column)
            .map(|i| &self.cells[i])
            .ok_or_else(|| StoreError::Corrupt(format!("no column {column:?} in the result")))
    }

    pub(crate) fn first(&self) -> Result<&Cell> {
        self.cells
            .first()
            .ok_or_else(|| StoreError::Corrupt("a result without columns".into()))
    }
}

/// A Rust value a [`Cell`] can be read as.
pub(crate) trait FromCell: Sized {
    fn from_cell(cell: &Cell) -> Option<Self>;
}

impl FromCell for i64 {
    fn from_cell(cell: &Cell) -> Option<i64> {
        match cell {
            Cell::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: &Cell) -> Option<String> {
        match cell {
            Cell::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: &Cell) -> Option<Option<T>> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

fn decode<T: FromCell>(cell: &Cell, column: &str) -> Result<T> {
    T::from_cell(cell).ok_or_else(|| {
        StoreError::Corrupt(format!(
            "column {column:?} holds {cell:?}, not a {}",
            std::any::type_name::<T>()
        ))
    })
}

/// The value of one column.
pub(crate) fn get<T: FromCell>(row: &Row, column: &str) -> Result<T> {
    decode(row.cell(column)?, column)
}

/// Where a statement runs.
pub(crate) enum Db<'a> {
    /// A PostgreSQL transaction's connection.
    Conn(&'a mut AnyConnection),
    /// Any connection of the pool (reads outside a transaction, on either backend).
    Pool(&'a AnyPool),
    /// SQLite reads outside a transaction, on a reader connection in the calling task.
    LiteRead(&'a crate::db_sqlite::Readers),
    /// The SQLite writer's connection, inside its transaction. Mutable, so that a future
    /// holding it is `Send` (a rusqlite connection is not `Sync`).
    Lite(&'a mut crate::db_sqlite::LiteConn),
}

/// What a statement changed.
pub(crate) struct Done(u64);

impl Done {
    pub(crate) fn rows_affected(&self) -> u64 {
        self.0
    }
}

/// A statement with its parameters (`$1`, `$2`, … on both backends).
#[must_use]
pub(crate) struct Query<'q> {
    sql: &'q str,
    vals: Vec<Val>,
}

pub(crate) fn query(sql: &str) -> Query<'_> {
    Query { sql, vals: vec![] }
}

/// A statement whose first column is the answer.
#[must_use]
pub(crate) struct Scalar<'q, T> {
    query: Query<'q>,
    _t: std::marker::PhantomData<T>,
}

pub(crate) fn query_scalar<T: FromCell>(sql: &str) -> Scalar<'_, T> {
    Scalar {
        query: query(sql),
        _t: std::marker::PhantomData,
    }
}

impl<'q> Query<'q> {
    pub(crate) fn bind(mut self, value: impl Into<Val>) -> Query<'q> {
        self.vals.push(value.into());
        self
    }

    pub(crate) fn bind_all(mut self, values: impl IntoIterator<Item = Val>) -> Query<'q> {
        self.vals.extend(values);
        self
    }

    pub(crate) async fn execute(self, db: Db<'_>) -> Result<Done> {
        match db {
            Db::Lite(conn) => crate::db_sqlite::execute(conn, self.sql, &self.vals).map(Done),
            Db::LiteRead(readers) => readers
                .with(|conn| crate::db_sqlite::execute(conn, self.sql, &self.vals))
                .map(Done),
            Db::Conn(conn) => Ok(Done(self.sqlx().execute(conn).await?.rows_affected())),
            Db::Pool(pool) => Ok(Done(self.sqlx().execute(pool).await?.rows_affected())),
        }
    }

    pub(crate) async fn fetch_all(self, db: Db<'_>) -> Result<Vec<Row>> {
        let mut rows = vec![];
        self.for_each(db, |row| {
            rows.push(row);
            Ok(())
        })
        .await?;
        Ok(rows)
    }

    pub(crate) async fn fetch_optional(self, db: Db<'_>) -> Result<Option<Row>> {
        Ok(self.fetch_all(db).await?.into_iter().next())
    }

    pub(crate) async fn fetch_one(self, db: Db<'_>) -> Result<Row> {
        self.fetch_optional(db)
            .await?
            .ok_or_else(|| StoreError::Database(sqlx::Error::RowNotFound))
    }

    /// Hands each row to `each` as it is read, so that a result of millions of rows is never
    /// held in memory at once.
    pub(crate) async fn for_each(
        self,
        db: Db<'_>,
        mut each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        match db {
            Db::Lite(conn) => crate::db_sqlite::for_each(conn, self.sql, &self.vals, each),
            Db::LiteRead(readers) => {
                readers.with(|conn| crate::db_sqlite::for_each(conn, self.sql, &self.vals, each))
            }
            Db::Conn(conn) => {
                let mut names = None;
                let mut rows = self.sqlx().fetch(conn);
                while let Some(row) = rows.try_next().await? {
                    each(from_sqlx(&row, &mut names)?)?;
                }
                Ok(())
            }
            Db::Pool(pool) => {
                let mut names = None;
                let mut rows = self.sqlx().fetch(pool);
                while let Some(row) = rows.try_next().await? {
                    each(from_sqlx(&row, &mut names)?)?;
                }
                Ok(())
            }
        }
    }

    fn sqlx(&self) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut q = sqlx::query(self.sql);
        for v in &self.vals {
            q = match v {
                Val::Text(s) => q.bind(s.clone()),
                Val::OptText(s) => q.bind(s.clone()),
                Val::Int(n) => q.bind(*n),
                Val::OptInt(n) => q.bind(*n),
            };
        }
        q
    }
}

impl<'q, T: FromCell> Scalar<'q, T> {
    pub(crate) fn bind(mut self, value: impl Into<Val>) -> Scalar<'q, T> {
        self.query = self.query.bind(value);
        self
    }

    pub(crate) async fn fetch_all(self, db: Db<'_>) -> Result<Vec<T>> {
        let rows = self.query.fetch_all(db).await?;
        rows.iter().map(|r| decode(r.first()?, "1")).collect()
    }

    pub(crate) async fn fetch_optional(self, db: Db<'_>) -> Result<Option<T>> {
        match self.query.fetch_optional(db).await? {
            Some(r) => Ok(Some(decode(r.first()?, "1")?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn fetch_one(self, db: Db<'_>) -> Result<T> {
        let r = self.query.fetch_one(db).await?;
        decode(r.first()?, "1")
    }
}

/// Runs statements without parameters, several separated by `;` (migrations).
pub(crate) async fn execute_batch(db: Db<'_>, sql: &str) -> Result<()> {
    match db {
        Db::Lite(conn) => conn.execute_batch(sql).map_err(StoreError::from),
        Db::LiteRead(readers) => {
            readers.with(|conn| conn.execute_batch(sql).map_err(StoreError::from))
        }
        Db::Conn(conn) => conn.execute(sql).await.map(|_| ()).map_err(Into::into),
        Db::Pool(pool) => pool.execute(sql).await.map(|_| ()).map_err(Into::into),
    }
}

/// Copies a sqlx row into a [`Row`]; the column names are read once per result.
fn from_sqlx(row: &sqlx::any::AnyRow, names: &mut Option<Arc<[String]>>) -> Result<Row> {
    let names = names
        .get_or_insert_with(|| row.columns().iter().map(|c| c.name().to_string()).collect())
        .clone();
    let mut cells = Vec::with_capacity(names.len());
    for i in 0..names.len() {
        let raw = row.try_get_raw(i)?;
        if raw.is_null() {
            cells.push(Cell::Null);
            continue;
        }
        let kind = raw.type_info().kind();
        drop(raw);
        cells.push(match kind {
            AnyTypeInfoKind::Null => Cell::Null,
            AnyTypeInfoKind::Bool => Cell::Int(i64::from(row.try_get::<bool, _>(i)?)),
            AnyTypeInfoKind::SmallInt => Cell::Int(i64::from(row.try_get::<i16, _>(i)?)),
            AnyTypeInfoKind::Integer => Cell::Int(i64::from(row.try_get::<i32, _>(i)?)),
            AnyTypeInfoKind::BigInt => Cell::Int(row.try_get::<i64, _>(i)?),
            AnyTypeInfoKind::Real => Cell::Real(f64::from(row.try_get::<f32, _>(i)?)),
            AnyTypeInfoKind::Double => Cell::Real(row.try_get::<f64, _>(i)?),
            AnyTypeInfoKind::Text => Cell::Text(row.try_get::<String, _>(i)?),
            AnyTypeInfoKind::Blob => Cell::Blob(row.try_get::<Vec<u8>, _>(i)?),
        });
    }
    Ok(Row { names, cells })
}

impl Row {
    pub(crate) fn new(names: Arc<[String]>, cells: Vec<Cell>) -> Row {
        Row { names, cells }
    }
}
