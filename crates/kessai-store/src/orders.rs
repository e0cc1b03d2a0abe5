//! Orders of the payment agency: one row per order whatever the method, moved only from the
//! status it was read in (a concurrent move makes the second one fail, never both apply), and
//! a timeline row for every move.

use crate::db::{query, Row};
use crate::deals::deal_account;
use crate::{get, new_internal_id, Result, Store, Tx};
use kessai_core::AccountKind;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: String,
    pub merchant_id: String,
    pub number: String,
    pub content_sha256: String,
    /// The canonical JSON of `kessai_core::order::Order`.
    pub body: String,
    pub amount_yen: i64,
    pub status: String,
    pub method: Option<String>,
    pub refunded_yen: i64,
    pub expires_at_ms: i64,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

/// One entry of an order's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderEventRecord {
    pub at_ms: i64,
    pub kind: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub detail_json: String,
}

const COLUMNS: &str = "id, merchant_id, number, content_sha256, body, amount_yen, status, method, \
    refunded_yen, expires_at_ms, created_at_ms, updated_at_ms";

fn from_row(row: &Row) -> Result<OrderRecord> {
    Ok(OrderRecord {
        id: get(row, "id")?,
        merchant_id: get(row, "merchant_id")?,
        number: get(row, "number")?,
        content_sha256: get(row, "content_sha256")?,
        body: get(row, "body")?,
        amount_yen: get(row, "amount_yen")?,
        status: get(row, "status")?,
        method: get(row, "method")?,
        refunded_yen: get(row, "refunded_yen")?,
        expires_at_ms: get(row, "expires_at_ms")?,
        created_at_ms: get(row, "created_at_ms")?,
        updated_at_ms: get(row, "updated_at_ms")?,
    })
}

/// Which orders a list shows.
#[derive(Clone, Debug, Default)]
pub struct OrderFilter<'a> {
    pub status: Option<&'a str>,
    pub method: Option<&'a str>,
    /// The order number contains this (case as typed).
    pub number_contains: Option<&'a str>,
    /// Newest first, from before this order's `(created_at_ms, id)` (the previous page's last).
    pub before: Option<(i64, &'a str)>,
}

impl Tx {
    /// Stores a new order with its first timeline entry; `false` when the merchant used the
    /// number already (the caller compares the stored content).
    pub async fn insert_order(&mut self, o: &OrderRecord) -> Result<bool> {
        let sql = format!(
            "INSERT INTO orders ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             ON CONFLICT (merchant_id, number) DO NOTHING"
        );
        let done = query(&sql)
            .bind(&o.id)
            .bind(&o.merchant_id)
            .bind(&o.number)
            .bind(&o.content_sha256)
            .bind(&o.body)
            .bind(o.amount_yen)
            .bind(&o.status)
            .bind(o.method.clone())
            .bind(o.refunded_yen)
            .bind(o.expires_at_ms)
            .bind(o.created_at_ms)
            .bind(o.updated_at_ms)
            .execute(self.conn())
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        // The order's hold: what it took, held for the merchant (the escrow's own account kind).
        query("INSERT INTO accounts (id, kind, deal_id, currency) VALUES ($1, $2, $3, 'JPY')")
            .bind(deal_account(AccountKind::Held, &o.id))
            .bind(AccountKind::Held.as_str())
            .bind(&o.id)
            .execute(self.conn())
            .await?;
        self.add_order_event(&o.id, "created", None, &o.status, "{}", o.created_at_ms)
            .await?;
        Ok(true)
    }

    /// The order of this merchant with this number, read inside the transaction.
    pub async fn order_by_number(
        &mut self,
        merchant_id: &str,
        number: &str,
    ) -> Result<Option<OrderRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM orders WHERE merchant_id = $1 AND number = $2");
        let row = query(&sql)
            .bind(merchant_id)
            .bind(number)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// An order read inside the transaction, to be moved.
    pub async fn order_for_update(&mut self, id: &str) -> Result<Option<OrderRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM orders WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Moves an order from `from` to `to` (with the method that moved it, where one did, and
    /// what has been refunded so far) and records the move on its timeline; `false` when the
    /// order was no longer in `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_order(
        &mut self,
        id: &str,
        kind: &str,
        from: &str,
        to: &str,
        method: Option<&str>,
        refunded_yen: i64,
        detail_json: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let done = query(
            "UPDATE orders SET status = $3, method = COALESCE($4, method), refunded_yen = $5, \
             updated_at_ms = $6 WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(method)
        .bind(refunded_yen)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        self.add_order_event(id, kind, Some(from), to, detail_json, now_ms)
            .await?;
        Ok(true)
    }

    /// Adds a timeline entry for something that happened to the order without moving it (a
    /// slip issued, a late payment owed back).
    pub async fn add_order_event(
        &mut self,
        order_id: &str,
        kind: &str,
        from: Option<&str>,
        to: &str,
        detail_json: &str,
        now_ms: i64,
    ) -> Result<()> {
        query(
            "INSERT INTO order_events (id, order_id, at_ms, kind, from_status, to_status, detail_json) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_internal_id())
        .bind(order_id)
        .bind(now_ms)
        .bind(kind)
        .bind(from)
        .bind(to)
        .bind(detail_json)
        .execute(self.conn())
        .await?;
        Ok(())
    }
}

impl Store {
    /// Orders past their expiry that no one paid: at most `limit`.
    pub async fn orders_due(&self, now_ms: i64, limit: i64) -> Result<Vec<String>> {
        let rows = query(
            "SELECT id FROM orders WHERE status IN ('awaiting_acceptance', 'unpaid', 'declined') \
             AND expires_at_ms <= $1 ORDER BY expires_at_ms LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        rows.iter().map(|r| get(r, "id")).collect()
    }

    pub async fn order(&self, id: &str) -> Result<Option<OrderRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM orders WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// A merchant's orders, newest first, at most `limit`.
    pub async fn orders(
        &self,
        merchant_id: &str,
        filter: &OrderFilter<'_>,
        limit: i64,
    ) -> Result<Vec<OrderRecord>> {
        let (before_ms, before_id) = match filter.before {
            Some((ms, id)) => (Some(ms), Some(id)),
            None => (None, None),
        };
        // LIKE with the typed text's own wildcards escaped: the same in both databases.
        let contains = filter.number_contains.map(|t| {
            let escaped = t
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
        let sql = format!(
            "SELECT {COLUMNS} FROM orders WHERE merchant_id = $1 \
             AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR method = $3) \
             AND ($4 IS NULL OR number LIKE $4 ESCAPE '\\') \
             AND ($5 IS NULL OR created_at_ms < $5 OR (created_at_ms = $5 AND id < $6)) \
             ORDER BY created_at_ms DESC, id DESC LIMIT $7"
        );
        let rows = query(&sql)
            .bind(merchant_id)
            .bind(filter.status)
            .bind(filter.method)
            .bind(contains)
            .bind(before_ms)
            .bind(before_id)
            .bind(limit)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// An order's timeline, oldest first.
    pub async fn order_events(&self, order_id: &str) -> Result<Vec<OrderEventRecord>> {
        let rows = query(
            "SELECT at_ms, kind, from_status, to_status, detail_json FROM order_events \
             WHERE order_id = $1 ORDER BY at_ms, id",
        )
        .bind(order_id)
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OrderEventRecord {
                    at_ms: get(r, "at_ms")?,
                    kind: get(r, "kind")?,
                    from_status: get(r, "from_status")?,
                    to_status: get(r, "to_status")?,
                    detail_json: get(r, "detail_json")?,
                })
            })
            .collect()
    }
}

/// One timeline entry to write, for [`Tx::add_order_events`].
pub struct NewOrderEvent<'a> {
    pub order_id: &'a str,
    pub kind: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub detail_json: String,
}

impl Tx {
    /// Orders read inside the transaction to be moved, by ID.
    pub async fn orders_for_update_in(
        &mut self,
        ids: &[&str],
    ) -> Result<std::collections::HashMap<String, OrderRecord>> {
        let mut found = std::collections::HashMap::with_capacity(ids.len());
        for chunk in ids.chunks(300) {
            let places: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT {COLUMNS} FROM orders WHERE id IN ({})",
                places.join(", ")
            );
            let mut q = query(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            for row in q.fetch_all(self.conn()).await? {
                let r = from_row(&row)?;
                found.insert(r.id.clone(), r);
            }
        }
        Ok(found)
    }

    /// Moves these orders from `from` to `to` (paid by `method`) in a few statements; how many
    /// were still in `from`. The caller writes their timeline entries.
    pub async fn move_orders(
        &mut self,
        ids: &[&str],
        from: &str,
        to: &str,
        method: Option<&str>,
        now_ms: i64,
    ) -> Result<u64> {
        let mut moved = 0;
        for chunk in ids.chunks(300) {
            let places: Vec<String> = (5..chunk.len() + 5).map(|i| format!("${i}")).collect();
            let sql = format!(
                // `status || ''` keeps SQLite off the status index, which it would walk through
                // every unpaid order for each chunk: the rows are found by primary key.
                "UPDATE orders SET status = $2, method = COALESCE($3, method), updated_at_ms = $4 \
                 WHERE id IN ({}) AND status || '' = $1",
                places.join(", ")
            );
            let mut q = query(&sql).bind(from).bind(to).bind(method).bind(now_ms);
            for id in chunk {
                q = q.bind(*id);
            }
            moved += q.execute(self.conn()).await?.rows_affected();
        }
        Ok(moved)
    }

    /// Writes timeline entries in multi-row inserts.
    pub async fn add_order_events(
        &mut self,
        events: &[NewOrderEvent<'_>],
        now_ms: i64,
    ) -> Result<()> {
        let mut rows = crate::bulk::Rows::new(
            "order_events",
            &[
                "id",
                "order_id",
                "at_ms",
                "kind",
                "from_status",
                "to_status",
                "detail_json",
            ],
        );
        for e in events {
            rows.push([
                new_internal_id().into(),
                e.order_id.into(),
                now_ms.into(),
                e.kind.into(),
                crate::bulk::Val::OptText(e.from.map(str::to_string)),
                e.to.into(),
                e.detail_json.as_str().into(),
            ]);
        }
        rows.write(self).await
    }
}
