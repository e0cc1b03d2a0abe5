//! Stored responses for `Idempotency-Key`, written in the same transaction as the change.

use crate::db::query;
use crate::{get, Result, Tx};

#[derive(Clone, Debug)]
pub struct StoredResponse {
    pub request_hash: String,
    pub status_code: u16,
    pub body: String,
}

impl Tx {
    pub async fn idempotent_response(
        &mut self,
        scope: &str,
        key: &str,
    ) -> Result<Option<StoredResponse>> {
        let row = query("SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE scope = $1 AND idem_key = $2")
            .bind(scope)
            .bind(key)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref()
            .map(|r| {
                let code: i64 = get(r, "status_code")?;
                Ok(StoredResponse {
                    request_hash: get(r, "request_hash")?,
                    status_code: u16::try_from(code).unwrap_or(500),
                    body: get(r, "response_body")?,
                })
            })
            .transpose()
    }

    /// Claims the key for this transaction, or returns the answer stored under it. The claim is
    /// a row written first in the transaction: a concurrent request with the same key waits on
    /// it (PostgreSQL's unique index; SQLite's single writer) until this transaction commits —
    /// then it finds the stored answer — or rolls back, and then it claims the key itself.
    pub async fn claim_idempotency_key(
        &mut self,
        scope: &str,
        key: &str,
        request_hash: &str,
        now_ms: i64,
    ) -> Result<Option<StoredResponse>> {
        let claimed = query(
            "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status_code, response_body, created_at_ms) \
             VALUES ($1, $2, $3, $4, '', $5) ON CONFLICT (scope, idem_key) DO NOTHING",
        )
        .bind(scope)
        .bind(key)
        .bind(request_hash)
        .bind(i64::from(CLAIMED))
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        if claimed.rows_affected() == 1 {
            return Ok(None);
        }
        self.idempotent_response(scope, key).await
    }

    /// Stores the answer under a key this transaction claimed.
    pub async fn store_idempotent_response(
        &mut self,
        scope: &str,
        key: &str,
        r: &StoredResponse,
    ) -> Result<()> {
        query(
            "UPDATE idempotency_keys SET status_code = $3, response_body = $4 \
             WHERE scope = $1 AND idem_key = $2",
        )
        .bind(scope)
        .bind(key)
        .bind(i64::from(r.status_code))
        .bind(&r.body)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

/// The status of a claimed key whose answer is not stored yet (never seen committed).
pub const CLAIMED: u16 = 0;
