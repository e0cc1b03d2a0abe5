//! Agreed deals: the row that holds a deal's state, guarded by an optimistic version.

use crate::db::{query, query_scalar, Row};
use crate::{corrupt, get, Result, Store, StoreError, Tx};
use kessai_core::{AccountKind, Deal, DealId, DealState, Millis, Yen};

#[derive(Clone, Debug)]
pub struct DealRecord {
    pub id: String,
    pub buyer_id: DealId,
    pub seller_id: DealId,
    pub item: String,
    pub deal: Deal,
    pub version: i64,
    pub created_at_ms: i64,
}

const COLUMNS: &str = "id, buyer_id, seller_id, item, state, price_yen, fee_yen, received_yen, pay_by_ms, ship_by_ms, \
                       ship_days, tracking, version, created_at_ms";

fn from_row(row: &Row) -> Result<DealRecord> {
    let id: String = get(row, "id")?;
    let state: String = get(row, "state")?;
    let parse_id = |col: &str| -> Result<DealId> {
        let s: String = get(row, col)?;
        DealId::parse(&s).map_err(|e| corrupt(format!("deal {id} {col}: {e}")))
    };
    let ship_days: i64 = get(row, "ship_days")?;
    Ok(DealRecord {
        buyer_id: parse_id("buyer_id")?,
        seller_id: parse_id("seller_id")?,
        item: get(row, "item")?,
        deal: Deal {
            state: DealState::parse(&state)
                .ok_or_else(|| corrupt(format!("deal {id} state {state}")))?,
            price: Yen(get(row, "price_yen")?),
            fee: Yen(get(row, "fee_yen")?),
            received: Yen(get(row, "received_yen")?),
            pay_by: Millis(get(row, "pay_by_ms")?),
            ship_by: get::<Option<i64>>(row, "ship_by_ms")?.map(Millis),
            ship_days: u32::try_from(ship_days)
                .map_err(|_| corrupt(format!("deal {id} ship_days")))?,
            tracking: get(row, "tracking")?,
        },
        version: get(row, "version")?,
        created_at_ms: get(row, "created_at_ms")?,
        id,
    })
}

/// The ledger account ID of a deal-scoped account.
pub fn deal_account(kind: AccountKind, deal_id: &str) -> String {
    debug_assert!(kind.is_per_deal());
    format!("{}:{deal_id}", kind.as_str())
}

impl Tx {
    /// Creates the deal row and its three ledger accounts.
    pub async fn insert_deal(&mut self, r: &DealRecord, now_ms: i64) -> Result<()> {
        let d = &r.deal;
        query(
            "INSERT INTO deals (id, buyer_id, seller_id, item, state, price_yen, fee_yen, received_yen, pay_by_ms, \
             ship_by_ms, ship_days, tracking, version, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)",
        )
        .bind(&r.id)
        .bind(r.buyer_id.as_str())
        .bind(r.seller_id.as_str())
        .bind(&r.item)
        .bind(d.state.as_str())
        .bind(d.price.0)
        .bind(d.fee.0)
        .bind(d.received.0)
        .bind(d.pay_by.0)
        .bind(d.ship_by.map(|m| m.0))
        .bind(i64::from(d.ship_days))
        .bind(d.tracking.as_deref())
        .bind(r.version)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        for kind in [
            AccountKind::Held,
            AccountKind::PayoutDue,
            AccountKind::RefundDue,
        ] {
            query("INSERT INTO accounts (id, kind, deal_id, currency) VALUES ($1, $2, $3, 'JPY')")
                .bind(deal_account(kind, &r.id))
                .bind(kind.as_str())
                .bind(&r.id)
                .execute(self.conn())
                .await?;
        }
        Ok(())
    }

    pub async fn deal(&mut self, id: &str) -> Result<Option<DealRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM deals WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.conn()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Writes the deal's new state if nobody changed it since `expected_version` was read.
    pub async fn update_deal(
        &mut self,
        id: &str,
        expected_version: i64,
        d: &Deal,
        now_ms: i64,
    ) -> Result<()> {
        let done = query(
            "UPDATE deals SET state = $1, received_yen = $2, ship_by_ms = $3, tracking = $4, version = version + 1, \
             updated_at_ms = $5 WHERE id = $6 AND version = $7",
        )
        .bind(d.state.as_str())
        .bind(d.received.0)
        .bind(d.ship_by.map(|m| m.0))
        .bind(d.tracking.as_deref())
        .bind(now_ms)
        .bind(id)
        .bind(expected_version)
        .execute(self.conn())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict(format!("deal {id}")));
        }
        Ok(())
    }
}

impl Store {
    pub async fn deal(&self, id: &str) -> Result<Option<DealRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM deals WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Deals whose payment or shipping deadline has passed at `now`, at most `limit` of them.
    pub async fn deals_due(&self, now: Millis, limit: i64) -> Result<Vec<String>> {
        let ids = query_scalar(
            "SELECT id FROM deals WHERE (state = 'awaiting_payment' AND pay_by_ms <= $1) \
             OR (state = 'funded' AND ship_by_ms <= $1) ORDER BY id LIMIT $2",
        )
        .bind(now.0)
        .bind(limit)
        .fetch_all(self.reader())
        .await?;
        Ok(ids)
    }

    /// How many deals are in each state (for the operator and the demo).
    pub async fn deal_counts(&self) -> Result<Vec<(String, i64)>> {
        let rows = query("SELECT state, COUNT(*) AS n FROM deals GROUP BY state ORDER BY state")
            .fetch_all(self.reader())
            .await?;
        rows.iter()
            .map(|r| Ok((get(r, "state")?, get(r, "n")?)))
            .collect()
    }
}
