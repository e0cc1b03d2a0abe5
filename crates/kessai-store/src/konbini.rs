//! Konbini slips of orders and the collection agent's payment files: a slip per order issued
//! once, each file imported once (by digest), each store payment recorded once (by identity).

use crate::db::{query, Row};
use crate::{get, Result, Store, Tx};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KonbiniSlip {
    pub id: String,
    pub order_id: String,
    pub payment_number: String,
    pub barcode: String,
    pub amount_yen: i64,
    /// `YYYY-MM-DD`, JST: payable until 23:59:59 that day.
    pub due_date: String,
    pub status: String,
    pub created_at_ms: i64,
}

const COLUMNS: &str =
    "id, order_id, payment_number, barcode, amount_yen, due_date, status, created_at_ms";

fn from_row(row: &Row) -> Result<KonbiniSlip> {
    Ok(KonbiniSlip {
        id: get(row, "id")?,
        order_id: get(row, "order_id")?,
        payment_number: get(row, "payment_number")?,
        barcode: get(row, "barcode")?,
        amount_yen: get(row, "amount_yen")?,
        due_date: get(row, "due_date")?,
        status: get(row, "status")?,
        created_at_ms: get(row, "created_at_ms")?,
    })
}

/// One store payment as recorded.
pub struct NewKonbiniPayment<'a> {
    pub identity: &'a str,
    pub file_id: &'a str,
    pub slip_id: Option<&'a str>,
    pub kind: &'a str,
    pub payment_number: &'a str,
    pub amount_yen: i64,
    pub paid_at: &'a str,
    pub outcome: &'a str,
}

impl Tx {
    /// Stores a slip; `false` when its payment number or barcode is taken (draw another).
    pub async fn insert_konbini_slip(&mut self, s: &KonbiniSlip) -> Result<bool> {
        let sql = format!(
            "INSERT INTO konbini_slips ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT DO NOTHING"
        );
        let done = query(&sql)
            .bind(&s.id)
            .bind(&s.order_id)
            .bind(&s.payment_number)
            .bind(&s.barcode)
            .bind(s.amount_yen)
            .bind(&s.due_date)
            .bind(&s.status)
            .bind(s.created_at_ms)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn konbini_slip_by_number(&mut self, number: &str) -> Result<Option<KonbiniSlip>> {
        let sql = format!("SELECT {COLUMNS} FROM konbini_slips WHERE payment_number = $1");
        let row = query(&sql).bind(number).fetch_optional(self.conn()).await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn set_konbini_slip_status(&mut self, id: &str, status: &str) -> Result<()> {
        query("UPDATE konbini_slips SET status = $2 WHERE id = $1")
            .bind(id)
            .bind(status)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Records an agent's file; `false` when the same bytes were imported before.
    #[allow(clippy::too_many_arguments)]
    pub async fn insert_konbini_file(
        &mut self,
        id: &str,
        sha256: &str,
        name: &str,
        agent: &str,
        kind: &str,
        records: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let done = query(
            "INSERT INTO konbini_files (id, sha256, name, agent, kind, records, imported_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(id)
        .bind(sha256)
        .bind(name)
        .bind(agent)
        .bind(kind)
        .bind(records)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Whether a store payment with this identity was recorded.
    pub async fn konbini_payment_seen(&mut self, identity: &str) -> Result<bool> {
        let row = query("SELECT identity FROM konbini_payments WHERE identity = $1")
            .bind(identity)
            .fetch_optional(self.conn())
            .await?;
        Ok(row.is_some())
    }

    /// Records a store payment once; `false` when its identity was recorded before.
    pub async fn insert_konbini_payment(
        &mut self,
        p: &NewKonbiniPayment<'_>,
        now_ms: i64,
    ) -> Result<bool> {
        let done = query(
            "INSERT INTO konbini_payments (identity, file_id, slip_id, kind, payment_number, \
             amount_yen, paid_at, outcome, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (identity) DO NOTHING",
        )
        .bind(p.identity)
        .bind(p.file_id)
        .bind(p.slip_id)
        .bind(p.kind)
        .bind(p.payment_number)
        .bind(p.amount_yen)
        .bind(p.paid_at)
        .bind(p.outcome)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    /// The order's slip, if one was issued.
    pub async fn konbini_slip_of(&self, order_id: &str) -> Result<Option<KonbiniSlip>> {
        let sql = format!("SELECT {COLUMNS} FROM konbini_slips WHERE order_id = $1");
        let row = query(&sql)
            .bind(order_id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }
}

/// An order with its slip, for [`Tx::fill_konbini_orders`].
pub struct FilledSlip<'a> {
    pub order_id: &'a str,
    pub number: &'a str,
    pub amount_yen: i64,
    pub payment_number: &'a str,
    pub barcode: &'a str,
    pub due_date: &'a str,
}

impl Tx {
    /// Writes unpaid orders of `merchant_id`, each with its hold account and an issued slip, in
    /// multi-row inserts: volume for `kessai bench konbini-import` (no timeline rows, no body
    /// beyond the amount's one item).
    pub async fn fill_konbini_orders(
        &mut self,
        merchant_id: &str,
        slips: &[FilledSlip<'_>],
        expires_at_ms: i64,
        now_ms: i64,
    ) -> Result<()> {
        use crate::bulk::Rows;
        let mut orders = Rows::new(
            "orders",
            &[
                "id",
                "merchant_id",
                "number",
                "content_sha256",
                "body",
                "amount_yen",
                "status",
                "expires_at_ms",
                "created_at_ms",
                "updated_at_ms",
            ],
        );
        let mut accounts = Rows::new("accounts", &["id", "kind", "deal_id", "currency"]);
        let mut rows = Rows::new(
            "konbini_slips",
            &[
                "id",
                "order_id",
                "payment_number",
                "barcode",
                "amount_yen",
                "due_date",
                "status",
                "created_at_ms",
            ],
        );
        for s in slips {
            let body = format!(
                r#"{{"number":"{}","amount":{},"items":[{{"name":"bench","quantity":1,"unit_price":{}}}],"buyer_email":null,"buyer_name":null,"acceptance_required":false,"protection_days":null,"expires_in_days":7}}"#,
                s.number, s.amount_yen, s.amount_yen
            );
            orders.push([
                s.order_id.into(),
                merchant_id.into(),
                s.number.into(),
                "bench".into(),
                body.into(),
                s.amount_yen.into(),
                "unpaid".into(),
                expires_at_ms.into(),
                now_ms.into(),
                now_ms.into(),
            ]);
            accounts.push([
                crate::deals::deal_account(kessai_core::AccountKind::Held, s.order_id).into(),
                "held".into(),
                s.order_id.into(),
                "JPY".into(),
            ]);
            rows.push([
                crate::new_internal_id().into(),
                s.order_id.into(),
                s.payment_number.into(),
                s.barcode.into(),
                s.amount_yen.into(),
                s.due_date.into(),
                "issued".into(),
                now_ms.into(),
            ]);
        }
        orders.write(self).await?;
        accounts.write(self).await?;
        rows.write(self).await
    }
}
