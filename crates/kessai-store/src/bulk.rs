//! Multi-row inserts of many rows at once, for writers that produce whole tables' worth of
//! rows (the bulk fill): a few statements for thousands of rows instead of one each.

use crate::{Result, Tx};

/// One column value. Binding by kind keeps every statement valid on both backends.
#[derive(Clone, Debug)]
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

impl From<Option<i64>> for Val {
    fn from(n: Option<i64>) -> Val {
        Val::OptInt(n)
    }
}

/// At most this many parameters per statement: SQLite finds a parameter by a linear scan of
/// the names, so very wide statements cost more per row, not less (see ARCHITECTURE.md).
const PARAMS_PER_INSERT: usize = 400;

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

    pub(crate) fn len(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    /// Inserts every row pushed so far, and forgets them.
    pub(crate) async fn write(&mut self, tx: &mut Tx) -> Result<()> {
        let width = self.columns.len();
        let per_insert = (PARAMS_PER_INSERT / width).max(1);
        let values = std::mem::take(&mut self.values);
        for chunk in values.chunks(per_insert * width) {
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
            let mut insert = sqlx::query(&sql);
            for v in chunk {
                insert = match v {
                    Val::Text(s) => insert.bind(s.clone()),
                    Val::OptText(s) => insert.bind(s.clone()),
                    Val::Int(n) => insert.bind(*n),
                    Val::OptInt(n) => insert.bind(*n),
                };
            }
            insert.execute(tx.conn()).await?;
        }
        Ok(())
    }
}
