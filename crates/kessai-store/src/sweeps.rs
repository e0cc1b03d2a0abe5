//! Sweeps of the operator's collection accounts into its main account (`kessai_core::sweep`):
//! the rows the sweep run writes, the banks' reports moving them, and the balances the
//! collection bank's statement gave beside the ledger's.

use crate::db::{query, Row};
use crate::{get, Result, Store, Tx};

/// A sweep as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepRecord {
    pub id: String,
    pub reference: String,
    /// The collection bank swept.
    pub bank_code: String,
    pub amount_yen: i64,
    pub status: String,
    pub export_id: String,
    pub value_date: String,
    pub created_at_ms: i64,
    pub withdrawn_on: Option<String>,
    pub arrived_on: Option<String>,
    pub reason: Option<String>,
    /// The collection account's closing balance on the statement that reported the withdrawal.
    pub bank_balance_yen: Option<i64>,
    /// The ledger's balance of that account once that statement was applied.
    pub ledger_balance_yen: Option<i64>,
}

const COLUMNS: &str = "id, reference, bank_code, amount_yen, status, export_id, value_date, \
    created_at_ms, withdrawn_on, arrived_on, reason, bank_balance_yen, ledger_balance_yen";

fn from_row(r: &Row) -> Result<SweepRecord> {
    Ok(SweepRecord {
        id: get(r, "id")?,
        reference: get(r, "reference")?,
        bank_code: get(r, "bank_code")?,
        amount_yen: get(r, "amount_yen")?,
        status: get(r, "status")?,
        export_id: get(r, "export_id")?,
        value_date: get(r, "value_date")?,
        created_at_ms: get(r, "created_at_ms")?,
        withdrawn_on: get(r, "withdrawn_on")?,
        arrived_on: get(r, "arrived_on")?,
        reason: get(r, "reason")?,
        bank_balance_yen: get(r, "bank_balance_yen")?,
        ledger_balance_yen: get(r, "ledger_balance_yen")?,
    })
}

/// A sweep about to be instructed.
pub struct NewSweep<'a> {
    pub id: &'a str,
    pub reference: &'a str,
    pub bank_code: &'a str,
    pub amount_yen: i64,
    pub export_id: &'a str,
    pub value_date: &'a str,
    pub now_ms: i64,
}

impl Store {
    /// Every sweep, newest first, at most `limit`.
    pub async fn sweeps(&self, limit: i64) -> Result<Vec<SweepRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sweeps ORDER BY created_at_ms DESC, id LIMIT $1");
        let rows = query(&sql).bind(limit).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }
}

impl Tx {
    /// Records a sweep; false when the bank already has one open (a concurrent run).
    pub async fn insert_sweep(&mut self, s: &NewSweep<'_>) -> Result<bool> {
        let done = query(
            "INSERT INTO sweeps (id, reference, bank_code, amount_yen, status, export_id, value_date, created_at_ms) \
             VALUES ($1, $2, $3, $4, 'instructed', $5, $6, $7) ON CONFLICT DO NOTHING",
        )
        .bind(s.id)
        .bind(s.reference)
        .bind(s.bank_code)
        .bind(s.amount_yen)
        .bind(s.export_id)
        .bind(s.value_date)
        .bind(s.now_ms)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The collection banks that have a sweep whose money has not left in the books yet.
    pub async fn banks_with_open_sweeps(&mut self) -> Result<Vec<String>> {
        crate::db::query_scalar(
            "SELECT bank_code FROM sweeps WHERE status IN ('instructed', 'arrived') ORDER BY bank_code",
        )
        .fetch_all(self.conn())
        .await
    }

    /// The sweep with this ID, or quoting this reference.
    pub async fn sweep(&mut self, id_or_reference: &str) -> Result<Option<SweepRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sweeps WHERE id = $1 OR reference = $1");
        let row = query(&sql)
            .bind(id_or_reference)
            .fetch_optional(self.conn())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Moves a sweep from `from` to `to`, setting the day a bank reported it (withdrawn or
    /// arrived, whichever `to` records) and the reason of a failure; false when it had moved.
    pub async fn move_sweep(
        &mut self,
        id: &str,
        from: &str,
        to: &str,
        withdrawn_on: Option<&str>,
        arrived_on: Option<&str>,
        reason: Option<&str>,
    ) -> Result<bool> {
        let done = query(
            "UPDATE sweeps SET status = $3, withdrawn_on = COALESCE($4, withdrawn_on), \
             arrived_on = COALESCE($5, arrived_on), reason = COALESCE($6, reason) \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from)
        .bind(to)
        .bind(withdrawn_on)
        .bind(arrived_on)
        .bind(reason)
        .execute(self.conn())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The sweeps of this collection bank whose money has left in the books and that no
    /// statement has balanced yet.
    pub async fn sweeps_to_balance(&mut self, bank_code: &str) -> Result<Vec<String>> {
        crate::db::query_scalar(
            "SELECT id FROM sweeps WHERE bank_code = $1 AND status IN ('withdrawn', 'completed') \
             AND bank_balance_yen IS NULL ORDER BY created_at_ms, id",
        )
        .bind(bank_code)
        .fetch_all(self.conn())
        .await
    }

    /// The balances beside a sweep's withdrawal: what the bank's statement said the
    /// collection account held at its close, and what the ledger says.
    pub async fn record_sweep_balances(
        &mut self,
        id: &str,
        bank_balance_yen: i64,
        ledger_balance_yen: i64,
    ) -> Result<()> {
        query("UPDATE sweeps SET bank_balance_yen = $2, ledger_balance_yen = $3 WHERE id = $1")
            .bind(id)
            .bind(bank_balance_yen)
            .bind(ledger_balance_yen)
            .execute(self.conn())
            .await?;
        Ok(())
    }
}
