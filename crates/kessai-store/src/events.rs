//! The dated timeline of a deal and of each registration.

use crate::bulk::{Rows, MAX_PENDING_ROWS};
use crate::db::query;
use crate::{get, new_internal_id, Result, Store, Tx};

#[derive(Clone, Debug, serde::Serialize)]
pub struct EventRecord {
    pub at_ms: i64,
    pub event: String,
    pub detail: serde_json::Value,
}

/// An empty set of `deal_events` rows (a transaction's events, the bulk fill's).
pub(crate) fn pending_events() -> Rows {
    Rows::new(
        "deal_events",
        &[
            "id",
            "deal_id",
            "public_id",
            "at_ms",
            "event",
            "detail_json",
        ],
    )
}

impl Tx {
    /// Adds to a timeline; written with the transaction (see `bulk::MAX_PENDING_ROWS`).
    pub async fn add_event(
        &mut self,
        deal_id: Option<&str>,
        public_id: Option<&str>,
        at_ms: i64,
        event: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.pending_events.push([
            new_internal_id().into(),
            deal_id.into(),
            public_id.into(),
            at_ms.into(),
            event.into(),
            detail.to_string().into(),
        ]);
        if self.pending_events.len() >= MAX_PENDING_ROWS {
            self.pending_events.take().write(self).await?;
        }
        Ok(())
    }
}

impl Store {
    /// What one party may see: its own registration's events and, once matched, the deal's.
    pub async fn timeline(
        &self,
        public_id: &str,
        deal_id: Option<&str>,
    ) -> Result<Vec<EventRecord>> {
        let rows = query(
            "SELECT at_ms, event, detail_json FROM deal_events WHERE public_id = $1 OR (deal_id IS NOT NULL AND deal_id = $2) \
             ORDER BY at_ms, id LIMIT 500",
        )
        .bind(public_id)
        .bind(deal_id.unwrap_or(""))
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|row| {
                let detail: String = get(row, "detail_json")?;
                Ok(EventRecord {
                    at_ms: get(row, "at_ms")?,
                    event: get(row, "event")?,
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }
}
