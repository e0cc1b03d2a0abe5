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

/// Keys per `IN (…)` list (well inside both databases' parameter limits).
const KEYS_PER_STATEMENT: usize = 300;

/// `$first, …` for `n` parameters.
fn places(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Tx {
    /// The slips with these payment numbers, by number: a chunk of an agent's file read in a
    /// few statements instead of one per payment.
    pub async fn konbini_slips_by_numbers(
        &mut self,
        numbers: &[&str],
    ) -> Result<std::collections::HashMap<String, KonbiniSlip>> {
        let mut found = std::collections::HashMap::with_capacity(numbers.len());
        for chunk in numbers.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "SELECT {COLUMNS} FROM konbini_slips WHERE payment_number IN ({})",
                places(1, chunk.len())
            );
            let mut q = query(&sql);
            for n in chunk {
                q = q.bind(*n);
            }
            for row in q.fetch_all(self.conn()).await? {
                let slip = from_row(&row)?;
                found.insert(slip.payment_number.clone(), slip);
            }
        }
        Ok(found)
    }

    /// Which of these store payments were recorded before.
    pub async fn konbini_payments_seen_in(
        &mut self,
        identities: &[&str],
    ) -> Result<std::collections::HashSet<String>> {
        let mut seen = std::collections::HashSet::new();
        for chunk in identities.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "SELECT identity FROM konbini_payments WHERE identity IN ({})",
                places(1, chunk.len())
            );
            let mut q = query(&sql);
            for i in chunk {
                q = q.bind(*i);
            }
            for row in q.fetch_all(self.conn()).await? {
                seen.insert(get::<String>(&row, "identity")?);
            }
        }
        Ok(seen)
    }

    /// Records store payments in multi-row inserts; how many were new.
    pub async fn insert_konbini_payments(
        &mut self,
        payments: &[NewKonbiniPayment<'_>],
        now_ms: i64,
    ) -> Result<u64> {
        let mut rows = crate::bulk::Rows::new(
            "konbini_payments",
            &[
                "identity",
                "file_id",
                "slip_id",
                "kind",
                "payment_number",
                "amount_yen",
                "paid_at",
                "outcome",
                "at_ms",
            ],
        );
        for p in payments {
            rows.push([
                p.identity.into(),
                p.file_id.into(),
                crate::bulk::Val::OptText(p.slip_id.map(str::to_string)),
                p.kind.into(),
                p.payment_number.into(),
                p.amount_yen.into(),
                p.paid_at.into(),
                p.outcome.into(),
                now_ms.into(),
            ]);
        }
        rows.write_new(self).await
    }

    /// Sets these slips' status, a few statements for many.
    pub async fn set_konbini_slips_status(&mut self, ids: &[&str], status: &str) -> Result<()> {
        for chunk in ids.chunks(KEYS_PER_STATEMENT) {
            let sql = format!(
                "UPDATE konbini_slips SET status = $1 WHERE id IN ({})",
                places(2, chunk.len())
            );
            let mut q = query(&sql).bind(status);
            for id in chunk {
                q = q.bind(*id);
            }
            q.execute(self.conn()).await?;
        }
        Ok(())
    }
}
