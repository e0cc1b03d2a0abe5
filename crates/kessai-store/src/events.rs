//! The dated timeline of a deal and of each registration.

use crate::db::query;
use crate::{get, new_internal_id, Result, Store, Tx};

#[derive(Clone, Debug, serde::Serialize)]
pub struct EventRecord {
    pub at_ms: i64,
    pub event: String,
    pub detail: serde_json::Value,
}

impl Tx {
    pub async fn add_event(
        &mut self,
        deal_id: Option<&str>,
        public_id: Option<&str>,
        at_ms: i64,
        event: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        query(
            "INSERT INTO deal_events (id, deal_id, public_id, at_ms, event, detail_json) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_internal_id())
        .bind(deal_id)
        .bind(public_id)
        .bind(at_ms)
        .bind(event)
        .bind(detail.to_string())
        .execute(self.conn())
        .await?;
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
