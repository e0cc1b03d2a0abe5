//! Webhook events to the sites: one per change of a contract's status, written in the
//! transaction that changed it (so an event exists exactly when its change does), delivered
//! by the webhook worker under a lease as the email outbox is, with every attempt logged.

use crate::db::{query, Row};
use crate::{get, Result, Store, Tx};

/// Contract IDs per statement when events are recorded.
const IDS_PER_INSERT: usize = 500;

/// Attempts after which an event is given up (`failed`) until the site replays it.
pub const MAX_ATTEMPTS: i64 = 16;

/// One event, with the contract's tracks as its change left them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WebhookEvent {
    pub id: String,
    pub site_id: String,
    pub contract_id: String,
    pub number: String,
    pub debit_state: String,
    pub delivery_state: String,
    pub payout_state: String,
    pub paid_on: Option<String>,
    pub created_at_ms: i64,
    /// `pending`, `delivered` or `failed` (given up after [`MAX_ATTEMPTS`]).
    pub status: String,
    pub attempts: i64,
    /// The attempt after which it is given up, unless delivered.
    pub give_up_at: i64,
    pub last_error: Option<String>,
    pub delivered_at_ms: Option<i64>,
}

const COLUMNS: &str = "id, site_id, contract_id, number, debit_state, delivery_state, \
     payout_state, paid_on, created_at_ms, status, attempts, give_up_at, last_error, delivered_at_ms";

fn from_row(r: &Row) -> Result<WebhookEvent> {
    Ok(WebhookEvent {
        id: get(r, "id")?,
        site_id: get(r, "site_id")?,
        contract_id: get(r, "contract_id")?,
        number: get(r, "number")?,
        debit_state: get(r, "debit_state")?,
        delivery_state: get(r, "delivery_state")?,
        payout_state: get(r, "payout_state")?,
        paid_on: get(r, "paid_on")?,
        created_at_ms: get(r, "created_at_ms")?,
        status: get(r, "status")?,
        attempts: get(r, "attempts")?,
        give_up_at: get(r, "give_up_at")?,
        last_error: get(r, "last_error")?,
        delivered_at_ms: get(r, "delivered_at_ms")?,
    })
}

/// One delivery attempt, as the log shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct WebhookAttempt {
    pub attempt: i64,
    pub at_ms: i64,
    /// What the receiver answered, when it answered.
    pub http_status: Option<i64>,
    /// Why the attempt did not succeed (none for a 2xx).
    pub error: Option<String>,
}

/// What one attempt came to, for [`Store::record_webhook_attempt`].
pub enum AttemptOutcome<'a> {
    /// The receiver answered 2xx.
    Delivered { http_status: i64 },
    /// Not delivered; tried again at `retry_at_ms`, or given up when that is none.
    Failed {
        http_status: Option<i64>,
        error: &'a str,
        retry_at_ms: Option<i64>,
    },
}

/// One prefix per statement: an event's ID is it and the contract's, unique because a contract
/// is named once in a statement. The whole time-ordered UUID: its first 20 hex digits are the
/// same for every UUID of one millisecond (the counter that orders them lies further on), and a
/// contract can change twice in one millisecond (paid, then the transfer came back, in one
/// statement) — `kessai bench settlement --webhooks` found that.
fn event_prefix() -> String {
    format!("whe_{}_", crate::new_internal_id().replace('-', ""))
}

impl Tx {
    /// Records a status-change event for each of these contracts whose site takes webhooks,
    /// with the contract's tracks as they are now, in this transaction (after the change).
    pub(crate) async fn contracts_changed(&mut self, ids: &[&str], now_ms: i64) -> Result<()> {
        for chunk in ids.chunks(IDS_PER_INSERT) {
            let prefix = event_prefix();
            let places: Vec<String> = (3..chunk.len() + 3).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO webhook_events (id, site_id, contract_id, number, debit_state, \
                 delivery_state, payout_state, paid_on, created_at_ms, status, attempts, \
                 give_up_at, next_attempt_ms, lease_until_ms) \
                 SELECT $1 || c.id, c.site_id, c.id, c.number, c.debit_state, c.delivery_state, \
                 c.payout_state, c.paid_on, $2, 'pending', 0, {MAX_ATTEMPTS}, $2, 0 \
                 FROM contracts c JOIN sites s ON s.id = c.site_id \
                 WHERE s.webhook_url IS NOT NULL AND c.id IN ({})",
                places.join(", ")
            );
            let mut q = query(&sql).bind(prefix.as_str()).bind(now_ms);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(self.conn()).await?;
            // The same change told to the parties that gave an email address.
            let sql = format!(
                "INSERT INTO contract_notices (id, contract_id, debit_state, delivery_state, \
                 payout_state, paid_on, created_at_ms) \
                 SELECT $1 || c.id, c.id, c.debit_state, c.delivery_state, c.payout_state, \
                 c.paid_on, $2 FROM contracts c WHERE c.party_emails > 0 AND c.id IN ({})",
                places.join(", ")
            );
            let mut q = query(&sql).bind(prefix.as_str()).bind(now_ms);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(self.conn()).await?;
        }
        Ok(())
    }
}

impl Store {
    /// Leases up to `limit` due events to `owner` until `lease_until_ms`.
    pub async fn claim_webhooks(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> Result<Vec<WebhookEvent>> {
        let rows = self
            .claim_leased(
                "webhook_events",
                COLUMNS,
                owner,
                now_ms,
                lease_until_ms,
                limit,
            )
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Gives claimed but unsent events back at once (their worker ran short of lease).
    pub async fn release_webhooks(&self, ids: &[&str], owner: &str) -> Result<()> {
        self.update_leased(
            "UPDATE webhook_events SET lease_until_ms = $1 WHERE status = 'pending' \
             AND lease_owner = $2 AND id IN",
            ids,
            owner,
            0,
        )
        .await
    }

    /// Logs attempt number `attempt` of the event `id` (leased by `owner`) and moves the
    /// event on: delivered, due again, or given up. Nothing changes when the lease was lost.
    pub async fn record_webhook_attempt(
        &self,
        id: &str,
        owner: &str,
        attempt: i64,
        at_ms: i64,
        outcome: &AttemptOutcome<'_>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let (http_status, error) = match outcome {
            AttemptOutcome::Delivered { http_status } => (Some(*http_status), None),
            AttemptOutcome::Failed {
                http_status, error, ..
            } => (*http_status, Some(*error)),
        };
        let moved = match outcome {
            AttemptOutcome::Delivered { .. } => {
                query(
                    "UPDATE webhook_events SET status = 'delivered', delivered_at_ms = $1, \
                     last_error = NULL, lease_until_ms = 0 WHERE id = $2 AND lease_owner = $3",
                )
                .bind(at_ms)
                .bind(id)
                .bind(owner)
                .execute(tx.conn())
                .await?
            }
            AttemptOutcome::Failed {
                error, retry_at_ms, ..
            } => {
                let (status, next) = match retry_at_ms {
                    Some(at) => ("pending", *at),
                    None => ("failed", at_ms),
                };
                query(
                    "UPDATE webhook_events SET status = $1, next_attempt_ms = $2, last_error = $3, \
                     lease_until_ms = 0 WHERE id = $4 AND lease_owner = $5",
                )
                .bind(status)
                .bind(next)
                .bind(*error)
                .bind(id)
                .bind(owner)
                .execute(tx.conn())
                .await?
            }
        };
        if moved.rows_affected() == 1 {
            query(
                "INSERT INTO webhook_attempts (event_id, attempt, at_ms, http_status, error) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(attempt)
            .bind(at_ms)
            .bind(http_status)
            .bind(error)
            .execute(tx.conn())
            .await?;
        }
        tx.commit().await
    }

    /// A site's events, oldest first (by ID), after the event `after` if one is given.
    pub async fn webhook_events_of_site(
        &self,
        site_id: &str,
        after: Option<&str>,
        limit: i64,
    ) -> Result<Vec<WebhookEvent>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM webhook_events WHERE site_id = $1 AND id > $2 \
             ORDER BY id LIMIT $3"
        );
        let rows = query(&sql)
            .bind(site_id)
            .bind(after.unwrap_or(""))
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// How many events the site has.
    pub async fn webhook_event_count(&self, site_id: &str) -> Result<i64> {
        let row = query("SELECT COUNT(*) AS n FROM webhook_events WHERE site_id = $1")
            .bind(site_id)
            .fetch_one(self.reader())
            .await?;
        get(&row, "n")
    }

    /// One of a site's events (none for another site's).
    pub async fn webhook_event(&self, site_id: &str, id: &str) -> Result<Option<WebhookEvent>> {
        let sql = format!("SELECT {COLUMNS} FROM webhook_events WHERE id = $1 AND site_id = $2");
        let row = query(&sql)
            .bind(id)
            .bind(site_id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The event's attempts, first first.
    pub async fn webhook_attempts(&self, event_id: &str) -> Result<Vec<WebhookAttempt>> {
        let rows = query(
            "SELECT attempt, at_ms, http_status, error FROM webhook_attempts \
             WHERE event_id = $1 ORDER BY attempt",
        )
        .bind(event_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(WebhookAttempt {
                    attempt: get(r, "attempt")?,
                    at_ms: get(r, "at_ms")?,
                    http_status: get(r, "http_status")?,
                    error: get(r, "error")?,
                })
            })
            .collect()
    }

    /// Sends one of a site's events again, now, whatever became of it, with
    /// [`MAX_ATTEMPTS`] more attempts before it is given up; false when the site has no such
    /// event.
    pub async fn replay_webhook(&self, site_id: &str, id: &str, now_ms: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let sql = format!(
            "UPDATE webhook_events SET status = 'pending', next_attempt_ms = $1, \
             give_up_at = attempts + {MAX_ATTEMPTS} WHERE id = $2 AND site_id = $3"
        );
        let done = query(&sql)
            .bind(now_ms)
            .bind(id)
            .bind(site_id)
            .execute(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn prefixes_made_in_one_millisecond_differ_and_sort_in_order() {
        let prefixes: Vec<String> = (0..100_000).map(|_| super::event_prefix()).collect();
        let mut sorted = prefixes.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), prefixes.len(), "a prefix repeated");
        assert_eq!(
            sorted, prefixes,
            "prefixes are not in the order they were made"
        );
    }
}
