//! Direct debits of marketplace contracts: which contracts are due on a date, the debits
//! requested in each bank file, and the contracts' move to `debit_requested`.

use crate::bulk::Rows;
use crate::contracts::{from_row, ContractRecord, COLUMNS};
use crate::db::{query, query_scalar, Row};
use crate::{get, Result, Store, Tx};

/// One debit about to be requested.
pub struct NewDebit<'a> {
    pub reference: i64,
    pub contract_id: &'a str,
    pub amount_yen: i64,
}

/// A requested debit as stored, with the bank's result once it answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DebitItem {
    pub reference: i64,
    pub contract_id: String,
    pub bank_code: String,
    pub debit_date: String,
    pub amount_yen: i64,
    pub result: Option<String>,
    /// The account it pays into (`kessai_core::contract::PaidInto`, as stored).
    pub paid_into: String,
}

const ITEM_COLUMNS: &str = "ref, contract_id, bank_code, debit_date, amount_yen, result, paid_into";

fn item_from_row(r: &Row) -> Result<DebitItem> {
    Ok(DebitItem {
        reference: get(r, "ref")?,
        contract_id: get(r, "contract_id")?,
        bank_code: get(r, "bank_code")?,
        debit_date: get(r, "debit_date")?,
        amount_yen: get(r, "amount_yen")?,
        result: get(r, "result")?,
        paid_into: get(r, "paid_into")?,
    })
}

impl Store {
    /// The debits requested for a contract, oldest first.
    pub async fn debits_of_contract(&self, contract_id: &str) -> Result<Vec<DebitItem>> {
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM debit_items WHERE contract_id = $1 ORDER BY ref");
        let rows = query(&sql)
            .bind(contract_id)
            .fetch_all(self.reader())
            .await?;
        rows.iter().map(item_from_row).collect()
    }
}

/// Contracts moved per statement.
const IDS_PER_UPDATE: usize = 300;

impl Tx {
    /// Accepted contracts with this `pooling` due on `date` (no due date, or due on or
    /// before it) whose buyers bank at the first bank that has any, at most `limit`, in
    /// acceptance order.
    pub async fn due_contracts_of_one_bank(
        &mut self,
        date: &str,
        pooling: &str,
        limit: i64,
    ) -> Result<Vec<ContractRecord>> {
        const DUE: &str = "debit_state = 'not_requested' AND (due_date IS NULL OR due_date <= $1) AND pooling = $2";
        let bank: Option<String> = query_scalar(&format!(
            "SELECT MIN(buyer_bank_code) FROM contracts WHERE {DUE}"
        ))
        .bind(date)
        .bind(pooling)
        .fetch_optional(self.conn())
        .await?
        .flatten();
        let Some(bank) = bank else {
            return Ok(vec![]);
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM contracts WHERE {DUE} AND buyer_bank_code = $3 ORDER BY id LIMIT $4"
        );
        let rows = query(&sql)
            .bind(date)
            .bind(pooling)
            .bind(bank)
            .bind(limit)
            .fetch_all(self.conn())
            .await?;
        rows.iter().map(from_row).collect()
    }

    /// The request file (export ID) whose debits paid into `paid_into` on `debit_date` total
    /// `amount_yen` and that no deposit was recognized as before; the first by ID when several do.
    pub async fn debit_request_collected(
        &mut self,
        paid_into: &str,
        debit_date: &str,
        amount_yen: i64,
    ) -> Result<Option<String>> {
        query_scalar(
            "SELECT d.export_id FROM debit_items d WHERE d.paid_into = $1 AND d.debit_date = $2 \
             AND d.result = 'debited' AND NOT EXISTS (SELECT 1 FROM bank_answers a \
             WHERE a.instruction_id = d.export_id AND a.answer = 'debit_collection') \
             GROUP BY d.export_id HAVING SUM(d.amount_yen) = $3 ORDER BY d.export_id LIMIT 1",
        )
        .bind(paid_into)
        .bind(debit_date)
        .bind(amount_yen)
        .fetch_optional(self.conn())
        .await
    }

    /// The highest debit reference used so far (0 for none).
    pub async fn last_debit_reference(&mut self) -> Result<i64> {
        query_scalar("SELECT COALESCE(MAX(ref), 0) FROM debit_items")
            .fetch_one(self.conn())
            .await
    }

    /// Records the debits of one request file; returns how many were new (a reference taken
    /// meanwhile by a concurrent run is skipped, and the caller retries).
    pub async fn insert_debits(
        &mut self,
        export_id: &str,
        bank_code: &str,
        debit_date: &str,
        paid_into: &str,
        debits: &[NewDebit<'_>],
    ) -> Result<u64> {
        let mut rows = Rows::new(
            "debit_items",
            &[
                "ref",
                "export_id",
                "contract_id",
                "bank_code",
                "debit_date",
                "amount_yen",
                "paid_into",
            ],
        );
        for d in debits {
            rows.push([
                d.reference.into(),
                export_id.into(),
                d.contract_id.into(),
                bank_code.into(),
                debit_date.into(),
                d.amount_yen.into(),
                paid_into.into(),
            ]);
        }
        rows.write_new(self).await
    }

    /// The debits with these references (unknown ones are absent), a few statements for a
    /// whole chunk of a result file.
    pub async fn debit_items(
        &mut self,
        references: &[i64],
    ) -> Result<std::collections::HashMap<i64, DebitItem>> {
        let select = format!("SELECT {ITEM_COLUMNS} FROM debit_items WHERE ref IN");
        crate::bulk::keyed_map(self, &select, references, item_from_row, |i| i.reference).await
    }

    /// Records the bank's results (reference, result) of debits not answered before; returns
    /// how many were recorded (fewer when another transaction answered some first).
    pub async fn answer_debits(&mut self, results: &[(i64, &str)], now_ms: i64) -> Result<u64> {
        let mut done = 0;
        for chunk in results.chunks(IDS_PER_UPDATE) {
            let values: Vec<String> = (0..chunk.len())
                .map(|i| format!("(${}, ${})", 2 * i + 2, 2 * i + 3))
                .collect();
            // VALUES columns are column1.. on both databases.
            let sql = format!(
                "UPDATE debit_items SET result = r.column2, answered_at_ms = $1 \
                 FROM (VALUES {}) AS r \
                 WHERE debit_items.ref = r.column1 AND debit_items.result IS NULL",
                values.join(", ")
            );
            let mut q = query(&sql).bind(now_ms);
            for (reference, result) in chunk {
                q = q.bind(*reference).bind(*result);
            }
            done += q.execute(self.conn()).await?.rows_affected();
        }
        Ok(done)
    }

    /// Moves these contracts' debits from state `from` to `to`, each move a webhook event for
    /// its site; returns how many moved (fewer when another transaction moved some first).
    pub async fn move_debits(
        &mut self,
        ids: &[&str],
        from: &str,
        to: &str,
        now_ms: i64,
    ) -> Result<u64> {
        self.move_contracts("debit_state", ids, from, to, now_ms)
            .await
    }

    /// Moves these contracts' deliveries from state `from` to `to`, as [`Tx::move_debits`].
    pub async fn move_deliveries(
        &mut self,
        ids: &[&str],
        from: &str,
        to: &str,
        now_ms: i64,
    ) -> Result<u64> {
        self.move_contracts("delivery_state", ids, from, to, now_ms)
            .await
    }

    pub(crate) async fn move_contracts(
        &mut self,
        track: &'static str,
        ids: &[&str],
        from: &str,
        to: &str,
        now_ms: i64,
    ) -> Result<u64> {
        let mut moved = 0;
        for chunk in ids.chunks(IDS_PER_UPDATE) {
            let places: Vec<String> = (3..chunk.len() + 3).map(|i| format!("${i}")).collect();
            // `{track} || ''` keeps SQLite off the track's index: it chose contracts_to_deliver
            // and scanned every waiting contract for each chunk (a delivery run of 100,000
            // at 6,396 contracts/s). Looked up by primary key, each row is then checked.
            let sql = format!(
                "UPDATE contracts SET {track} = $2 WHERE id IN ({}) AND {track} || '' = $1 \
                 RETURNING id",
                places.join(", ")
            );
            let mut q = query(&sql).bind(from).bind(to);
            for id in chunk {
                q = q.bind(*id);
            }
            let rows = q.fetch_all(self.conn()).await?;
            let changed: Vec<String> = rows.iter().map(|r| get(r, "id")).collect::<Result<_>>()?;
            let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
            self.contracts_changed(&changed, now_ms).await?;
            moved += changed.len() as u64;
        }
        Ok(moved)
    }
}
