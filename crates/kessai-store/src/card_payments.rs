//! Card payments of orders: each attempt recorded before the processor is asked (so an answer
//! lost to a crash is asked for again under the same attempt ID), then its answer. Only the
//! processor's token, brand, last four digits and the sealed card number are kept.

use crate::db::{query, Row};
use crate::{get, Result, Store, Tx};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardPaymentRecord {
    pub id: String,
    pub order_id: String,
    pub status: String,
    pub amount_yen: i64,
    pub processor_id: Option<String>,
    pub token: Option<String>,
    pub brand: String,
    pub last4: String,
    pub pan_sealed: String,
    pub decline_code: Option<String>,
    pub captured_yen: i64,
    pub refunded_yen: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

const COLUMNS: &str = "id, order_id, status, amount_yen, processor_id, token, brand, last4, \
    pan_sealed, decline_code, captured_yen, refunded_yen, created_at_ms, updated_at_ms";

fn from_row(row: &Row) -> Result<CardPaymentRecord> {
    Ok(CardPaymentRecord {
        id: get(row, "id")?,
        order_id: get(row, "order_id")?,
        status: get(row, "status")?,
        amount_yen: get(row, "amount_yen")?,
        processor_id: get(row, "processor_id")?,
        token: get(row, "token")?,
        brand: get(row, "brand")?,
        last4: get(row, "last4")?,
        pan_sealed: get(row, "pan_sealed")?,
        decline_code: get(row, "decline_code")?,
        captured_yen: get(row, "captured_yen")?,
        refunded_yen: get(row, "refunded_yen")?,
        created_at_ms: get(row, "created_at_ms")?,
        updated_at_ms: get(row, "updated_at_ms")?,
    })
}

/// What the processor answered about an attempt.
pub struct CardAnswer<'a> {
    pub status: &'a str,
    pub processor_id: Option<&'a str>,
    pub token: Option<&'a str>,
    pub decline_code: Option<&'a str>,
}

impl Tx {
    pub async fn insert_card_payment(&mut self, c: &CardPaymentRecord) -> Result<()> {
        let sql = format!(
            "INSERT INTO card_payments ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        );
        query(&sql)
            .bind(&c.id)
            .bind(&c.order_id)
            .bind(&c.status)
            .bind(c.amount_yen)
            .bind(c.processor_id.clone())
            .bind(c.token.clone())
            .bind(&c.brand)
            .bind(&c.last4)
            .bind(&c.pan_sealed)
            .bind(c.decline_code.clone())
            .bind(c.captured_yen)
            .bind(c.refunded_yen)
            .bind(c.created_at_ms)
            .bind(c.updated_at_ms)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records the processor's answer to a pending attempt; `false` when it was answered before.
    pub async fn answer_card_payment(
        &mut self,
        id: &str,
        a: &CardAnswer<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        let done = query(
            "UPDATE card_payments SET status = $2, processor_id = $3, token = $4, decline_code = $5, \
             updated_at_ms = $6 WHERE id = $1 AND status = 'pending'",
        )
        .bind(id)
        .bind(a.status)
        .bind(a.processor_id)
        .bind(a.token)
        .bind(a.decline_code)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Moves an authorization from `from` to `to` with its captured and refunded totals;
    /// `false` when it was no longer in `from`.
    pub async fn move_card_payment(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        captured_yen: i64,
        refunded_yen: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let done = query(
            "UPDATE card_payments SET status = $3, captured_yen = $4, refunded_yen = $5, \
             updated_at_ms = $6 WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(captured_yen)
        .bind(refunded_yen)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The order's authorization that holds money (authorized or captured), if any.
    pub async fn card_hold_of(&mut self, order_id: &str) -> Result<Option<CardPaymentRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM card_payments WHERE order_id = $1 \
             AND status IN ('authorized', 'captured')"
        );
        let row = query(&sql)
            .bind(order_id)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}

impl Store {
    /// Every card attempt of an order, oldest first.
    pub async fn card_payments(&self, order_id: &str) -> Result<Vec<CardPaymentRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM card_payments WHERE order_id = $1 ORDER BY created_at_ms, id"
        );
        let rows = query(&sql).bind(order_id).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }
}
