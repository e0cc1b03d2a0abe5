//! Stored responses for `Idempotency-Key`, written in the same transaction as the change.

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
        let row = sqlx::query("SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE scope = $1 AND idem_key = $2")
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

    /// Stores the response; `false` when a concurrent request with the same key stored first.
    pub async fn store_idempotent_response(
        &mut self,
        scope: &str,
        key: &str,
        r: &StoredResponse,
        now_ms: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status_code, response_body, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (scope, idem_key) DO NOTHING",
        )
        .bind(scope)
        .bind(key)
        .bind(&r.request_hash)
        .bind(i64::from(r.status_code))
        .bind(&r.body)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
