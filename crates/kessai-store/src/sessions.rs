//! Sign-in sessions: a bearer token stands for a party's deal ID and password until it expires
//! or is revoked. Only the token's SHA-256 is stored, so a copy of the database signs nobody in.

use crate::db::query;
use crate::registrations::{from_row, COLUMNS};
use crate::{Registration, Result, Store, Tx};
use kessai_core::DealId;

impl Tx {
    pub async fn insert_session(
        &mut self,
        token_sha256: &str,
        party: &DealId,
        now_ms: i64,
        expires_at_ms: i64,
    ) -> Result<()> {
        query(
            "INSERT INTO sessions (token_sha256, public_id, created_at_ms, expires_at_ms) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_sha256)
        .bind(party.as_str())
        .bind(now_ms)
        .bind(expires_at_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Revokes one session; `false` when it was not live.
    pub async fn revoke_session(&mut self, token_sha256: &str, now_ms: i64) -> Result<bool> {
        let done = query(
            "UPDATE sessions SET revoked_at_ms = $2 WHERE token_sha256 = $1 AND revoked_at_ms IS NULL",
        )
        .bind(token_sha256)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revokes every session of a party (its password changed).
    pub async fn revoke_sessions_of(&mut self, party: &DealId, now_ms: i64) -> Result<()> {
        query(
            "UPDATE sessions SET revoked_at_ms = $2 WHERE public_id = $1 AND revoked_at_ms IS NULL",
        )
        .bind(party.as_str())
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// The registration a live session (not expired at `now_ms`, not revoked) stands for.
    pub async fn session_party(
        &self,
        token_sha256: &str,
        now_ms: i64,
    ) -> Result<Option<Registration>> {
        let columns: Vec<String> = COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
        let sql = format!(
            "SELECT {} FROM sessions s JOIN registrations r ON r.public_id = s.public_id \
             WHERE s.token_sha256 = $1 AND s.expires_at_ms > $2 AND s.revoked_at_ms IS NULL",
            columns.join(", ")
        );
        let row = query(&sql)
            .bind(token_sha256)
            .bind(now_ms)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}
