//! The email outbox: rows written in the transaction that caused them, delivered by workers
//! that claim rows with a lease so two instances never send the same email at once.

use crate::bulk::{Rows, MAX_PENDING_ROWS};
use crate::db::{query, query_scalar, Row};
use crate::{get, new_internal_id, Result, Store, Tx};

pub struct NewEmail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub deal_ref: Option<&'a str>,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct OutboxEmail {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub deal_ref: Option<String>,
    pub attempts: i64,
    pub created_at_ms: i64,
}

fn from_row(r: &Row) -> Result<OutboxEmail> {
    Ok(OutboxEmail {
        id: get(r, "id")?,
        to: get(r, "to_addr")?,
        subject: get(r, "subject")?,
        body: get(r, "body")?,
        deal_ref: get(r, "deal_ref")?,
        attempts: get(r, "attempts")?,
        created_at_ms: get(r, "created_at_ms")?,
    })
}

/// The columns of an email written by [`Tx::enqueue_email`].
const EMAIL_COLUMNS: &[&str] = &[
    "id",
    "to_addr",
    "subject",
    "body",
    "deal_ref",
    "status",
    "next_attempt_ms",
    "created_at_ms",
];

pub(crate) fn pending_emails() -> Rows {
    Rows::new("outbox_emails", EMAIL_COLUMNS)
}

impl Tx {
    /// Puts an email in the outbox; it is written with the transaction and sent after it commits.
    pub async fn enqueue_email(&mut self, e: &NewEmail<'_>, now_ms: i64) -> Result<String> {
        let id = new_internal_id();
        self.pending_emails.push([
            id.as_str().into(),
            e.to.into(),
            e.subject.into(),
            e.body.into(),
            e.deal_ref.into(),
            "pending".into(),
            now_ms.into(),
            now_ms.into(),
        ]);
        if self.pending_emails.len() >= MAX_PENDING_ROWS {
            self.pending_emails.take().write(self).await?;
        }
        Ok(id)
    }
}

impl Store {
    /// Leases up to `limit` due emails to `owner` until `lease_until_ms`.
    pub async fn claim_emails(
        &self,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> Result<Vec<OutboxEmail>> {
        let rows = self
            .claim_leased(
                "outbox_emails",
                "id, to_addr, subject, body, deal_ref, attempts, created_at_ms",
                owner,
                now_ms,
                lease_until_ms,
                limit,
            )
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// Leases to `owner` until `lease_until_ms` up to `limit` pending rows of `table` (an
    /// outbox: `status`, `next_attempt_ms`, `lease_owner`, `lease_until_ms`, `attempts`) that
    /// are due at `now_ms` and not leased, counting the attempt; returns their `returning`.
    pub(crate) async fn claim_leased(
        &self,
        table: &str,
        returning: &str,
        owner: &str,
        now_ms: i64,
        lease_until_ms: i64,
        limit: i64,
    ) -> Result<Vec<crate::Row>> {
        let mut tx = self.begin().await?;
        // The inner SELECT picks the first due candidates by the `outbox_emails_due` index, so a
        // claim costs the same with a million waiting as with a thousand. On PostgreSQL, rows
        // another instance is claiming are skipped (SKIP LOCKED), never taken twice. SQLite has
        // one writer, so nobody can claim in between; there the outer statement must find
        // the rows by primary key only: a repeated `status = 'pending'` there made SQLite walk
        // every pending row of the index (EXPLAIN QUERY PLAN), at 1M pending 4x slower.
        let lock = match self.backend {
            crate::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            crate::Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE {table} SET lease_owner = $1, lease_until_ms = $2, attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM {table} WHERE status = 'pending' AND next_attempt_ms <= $3 \
                          AND lease_until_ms <= $3 ORDER BY next_attempt_ms LIMIT $4 {lock}) \
             RETURNING {returning}"
        );
        let rows = query(&sql)
            .bind(owner)
            .bind(lease_until_ms)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(tx.conn())
            .await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Records the emails a worker delivered, in one transaction.
    pub async fn mark_emails_sent(&self, ids: &[&str], owner: &str, now_ms: i64) -> Result<()> {
        self.update_leased(
            "UPDATE outbox_emails SET status = 'sent', sent_at_ms = $1, last_error = NULL \
             WHERE lease_owner = $2 AND id IN",
            ids,
            owner,
            now_ms,
        )
        .await
    }

    /// Gives claimed but unsent emails back at once (their worker ran short of lease).
    pub async fn release_emails(&self, ids: &[&str], owner: &str) -> Result<()> {
        self.update_leased(
            "UPDATE outbox_emails SET lease_until_ms = $1 WHERE status = 'pending' \
             AND lease_owner = $2 AND id IN",
            ids,
            owner,
            0,
        )
        .await
    }

    /// Runs `head ($3, $4, …)` over `ids` with `$1 = value` and `$2 = owner`, in one transaction.
    pub(crate) async fn update_leased(
        &self,
        head: &str,
        ids: &[&str],
        owner: &str,
        value: i64,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let places: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 3)).collect();
        let sql = format!("{head} ({})", places.join(", "));
        let mut tx = self.begin().await?;
        let mut update = query(&sql).bind(value).bind(owner);
        for id in ids {
            update = update.bind(*id);
        }
        update.execute(tx.conn()).await?;
        tx.commit().await
    }

    /// Gives the email back for a later attempt, with the reason kept for the operator.
    pub async fn mark_email_failed(&self, id: &str, error: &str, retry_at_ms: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        query("UPDATE outbox_emails SET last_error = $1, next_attempt_ms = $2, lease_until_ms = 0 WHERE id = $3")
            .bind(error)
            .bind(retry_at_ms)
            .bind(id)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// Emails about one deal reference (a public ID), oldest first.
    pub async fn emails_for(&self, deal_ref: &str) -> Result<Vec<OutboxEmail>> {
        let rows = query(
            "SELECT id, to_addr, subject, body, deal_ref, attempts, created_at_ms FROM outbox_emails WHERE deal_ref = $1 \
             ORDER BY created_at_ms, id",
        )
        .bind(deal_ref)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// How many emails have been sent.
    pub async fn emails_sent(&self) -> Result<i64> {
        query_scalar("SELECT COUNT(*) FROM outbox_emails WHERE status = 'sent'")
            .fetch_one(self.reader())
            .await
    }

    /// (pending, sent) counts.
    pub async fn outbox_counts(&self) -> Result<(i64, i64)> {
        let pending = query_scalar("SELECT COUNT(*) FROM outbox_emails WHERE status = 'pending'")
            .fetch_one(self.reader())
            .await?;
        Ok((pending, self.emails_sent().await?))
    }
}
