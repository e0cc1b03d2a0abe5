//! Lists a page at a time: `limit` (1 to 1,000, default 100) rows after a cursor, the cursor
//! of the next page given only when there is one (one row more is read to know).

use crate::error::{AppError, AppResult};
use axum::http::StatusCode;
use serde::Deserialize;

/// A list's query: the cursor (`next_after` of the page before) and the page's size.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub after: Option<String>,
    pub limit: Option<i64>,
}

/// The page's size from the query, checked; read `limit + 1` rows and pass them to [`next`].
pub fn limit(asked: Option<i64>) -> AppResult<i64> {
    let limit = asked.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(AppError::new(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "limit must be 1 to 1000",
        ));
    }
    Ok(limit)
}

/// Cuts `rows` (read with `limit + 1`) to the page; the cursor of the next page, by `key` of
/// the page's last row, when there are more.
pub fn next<T>(rows: &mut Vec<T>, limit: i64, key: impl Fn(&T) -> String) -> Option<String> {
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(key)
    } else {
        None
    }
}
