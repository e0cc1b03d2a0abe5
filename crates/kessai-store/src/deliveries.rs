//! Deliveries of marketplace contracts: which contracts are ready for the carrier, the
//! deliveries instructed in each carrier file, the carrier's shipping notices.

use crate::bulk::Rows;
use crate::contracts::{from_row, ContractRecord};
use crate::db::{query, query_scalar, Row};
use crate::{get, new_internal_id, Result, Store, StoreError, Tx};

/// One delivery about to be instructed.
pub struct NewDelivery<'a> {
    pub reference: i64,
    pub contract_id: &'a str,
}

/// A delivery as stored, with the carrier's notice once it came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    pub reference: i64,
    pub contract_id: String,
    pub ship_date: String,
    pub tracking_number: Option<String>,
    pub shipped_on: Option<String>,
}

const COLUMNS: &str = "ref, contract_id, ship_date, tracking_number, shipped_on";

/// Parameters in one statement of a batch (well inside both databases' limits).
const REFS_PER_STATEMENT: usize = 900;

fn delivery_from_row(r: &Row) -> Result<DeliveryRecord> {
    Ok(DeliveryRecord {
        reference: get(r, "ref")?,
        contract_id: get(r, "contract_id")?,
        ship_date: get(r, "ship_date")?,
        tracking_number: get(r, "tracking_number")?,
        shipped_on: get(r, "shipped_on")?,
    })
}

impl Tx {
    /// Contracts waiting for the carrier whose goods may go now: debited, or a bill (which
    /// ships before its debit) — and paid, for a site that ships only once the seller is paid;
    /// at most `limit`, in acceptance order.
    pub async fn contracts_to_deliver(&mut self, limit: i64) -> Result<Vec<ContractRecord>> {
        let columns: Vec<String> = crate::contracts::COLUMNS
            .split(',')
            .map(|c| format!("c.{}", c.trim()))
            .collect();
        let sql = format!(
            "SELECT {} FROM contracts c JOIN sites s ON s.id = c.site_id \
             WHERE c.delivery_state = 'waiting' AND (c.debit_state = 'debited' OR c.due_date IS NOT NULL) \
             AND (s.delivery_after_payout = 0 OR c.payout_state = 'paid') ORDER BY c.id LIMIT $1",
            columns.join(", ")
        );
        let rows = query(&sql).bind(limit).fetch_all(self.conn()).await?;
        rows.iter().map(from_row).collect()
    }

    /// The highest delivery reference used so far (0 for none).
    pub async fn last_delivery_reference(&mut self) -> Result<i64> {
        query_scalar("SELECT COALESCE(MAX(ref), 0) FROM deliveries")
            .fetch_one(self.conn())
            .await
    }

    /// Records the deliveries of one carrier file; returns how many were new.
    pub async fn insert_deliveries(
        &mut self,
        export_id: &str,
        ship_date: &str,
        deliveries: &[NewDelivery<'_>],
    ) -> Result<u64> {
        let mut rows = Rows::new(
            "deliveries",
            &["ref", "export_id", "contract_id", "ship_date"],
        );
        for d in deliveries {
            rows.push([
                d.reference.into(),
                export_id.into(),
                d.contract_id.into(),
                ship_date.into(),
            ]);
        }
        rows.write_new(self).await
    }

    /// The deliveries with these references (unknown ones are absent), a few statements for
    /// a whole chunk of a notice file.
    pub async fn deliveries(
        &mut self,
        references: &[i64],
    ) -> Result<std::collections::HashMap<i64, DeliveryRecord>> {
        let select = format!("SELECT {COLUMNS} FROM deliveries WHERE ref IN");
        crate::bulk::keyed_map(self, &select, references, delivery_from_row, |d| {
            d.reference
        })
        .await
    }

    /// Records the carrier's notices (reference, tracking number, shipped on) for deliveries
    /// not noticed before; returns how many were recorded (fewer when another transaction
    /// recorded some first).
    pub async fn notice_deliveries(
        &mut self,
        notices: &[(i64, &str, &str)],
        now_ms: i64,
    ) -> Result<u64> {
        let mut done = 0;
        for chunk in notices.chunks(REFS_PER_STATEMENT / 3) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${}, ${})", 3 * i + 2, 3 * i + 3, 3 * i + 4))
                .collect();
            // VALUES columns are column1.. on both databases.
            let sql = format!(
                "UPDATE deliveries SET tracking_number = n.column2, shipped_on = n.column3, \
                 notice_at_ms = $1 FROM (VALUES {}) AS n \
                 WHERE deliveries.ref = n.column1 AND deliveries.tracking_number IS NULL",
                values.join(", ")
            );
            let mut q = query(&sql).bind(now_ms);
            for (reference, tracking, shipped_on) in chunk {
                q = q.bind(*reference).bind(*tracking).bind(*shipped_on);
            }
            done += q.execute(self.conn()).await?.rows_affected();
        }
        Ok(done)
    }

    /// Records a carrier file by its content; `None` when that content was imported before
    /// (with when).
    pub async fn insert_carrier_file(
        &mut self,
        sha256: &str,
        name: &str,
        records: i64,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        let earlier: Option<i64> =
            query_scalar("SELECT imported_at_ms FROM carrier_files WHERE sha256 = $1")
                .bind(sha256)
                .fetch_optional(self.conn())
                .await?;
        if earlier.is_some() {
            return Ok(earlier);
        }
        let done = query(
            "INSERT INTO carrier_files (id, sha256, name, records, imported_at_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(new_internal_id())
        .bind(sha256)
        .bind(name)
        .bind(records)
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        if done.rows_affected() == 0 {
            // The same file imported at this moment by another request: rerun, and see it.
            return Err(StoreError::Conflict("carrier file".into()));
        }
        Ok(None)
    }
}

impl Store {
    pub async fn delivery_of_contract(&self, contract_id: &str) -> Result<Option<DeliveryRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM deliveries WHERE contract_id = $1");
        let row = query(&sql)
            .bind(contract_id)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(delivery_from_row).transpose()
    }
}
