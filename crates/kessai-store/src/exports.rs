//! Outbound bank files and the instructions they carry.

use crate::db::{query, query_scalar};
use crate::{get, Result, Store, Tx};
use base64::Engine;

/// A pending instruction with what a bank file needs: the payee's account and public deal ID.
#[derive(Clone, Debug)]
pub struct PendingInstruction {
    pub id: String,
    pub purpose: String,
    pub party: String,
    pub amount_yen: i64,
    pub bank_account: kessai_core::BankAccount,
    /// What the transfer quotes to the payee: their own deal ID, or the reference of a
    /// return or a contract's payout.
    pub public_id: String,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct ExportRecord {
    pub id: String,
    pub format: String,
    pub value_date: String,
    pub file_name: String,
    pub records: i64,
    pub total_yen: i64,
    pub created_at_ms: i64,
    #[serde(skip)]
    pub content: Vec<u8>,
}

pub struct NewExport<'a> {
    pub id: &'a str,
    pub format: &'a str,
    pub value_date: &'a str,
    pub file_name: &'a str,
    pub content: &'a [u8],
    pub records: i64,
    pub total_yen: i64,
    pub now_ms: i64,
}

impl Tx {
    /// Pending instructions, oldest first, at most `limit`.
    pub async fn pending_instructions(&mut self, limit: i64) -> Result<Vec<PendingInstruction>> {
        let rows = query(
            "SELECT i.id, i.purpose, i.party, i.amount_yen, i.bank_account_json, \
             COALESCE(i.payee_ref, CASE WHEN i.party = 'buyer' THEN d.buyer_id ELSE d.seller_id END) AS public_id \
             FROM payment_instructions i LEFT JOIN deals d ON d.id = i.deal_id \
             WHERE i.status = 'pending' ORDER BY i.created_at_ms, i.id LIMIT $1",
        )
        .bind(limit)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| {
                let account: String = get(r, "bank_account_json")?;
                Ok(PendingInstruction {
                    id: get(r, "id")?,
                    purpose: get(r, "purpose")?,
                    party: get(r, "party")?,
                    amount_yen: get(r, "amount_yen")?,
                    bank_account: serde_json::from_str(&account)
                        .map_err(|e| crate::corrupt(format!("instruction account: {e}")))?,
                    public_id: get(r, "public_id")?,
                })
            })
            .collect()
    }

    pub async fn insert_export(&mut self, e: &NewExport<'_>) -> Result<()> {
        query(
            "INSERT INTO bank_exports (id, format, value_date, file_name, content_b64, records, total_yen, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(e.id)
        .bind(e.format)
        .bind(e.value_date)
        .bind(e.file_name)
        .bind(base64::engine::general_purpose::STANDARD.encode(e.content))
        .bind(e.records)
        .bind(e.total_yen)
        .bind(e.now_ms)
        .execute(self.conn())
        .await?;
        Ok(())
    }

    /// Marks these instructions as carried by an export, 300 per statement; returns how many
    /// were still pending (fewer when another export took some first).
    pub async fn mark_instructions_sent(
        &mut self,
        instruction_ids: &[&str],
        export_id: &str,
    ) -> Result<u64> {
        let mut marked = 0;
        for chunk in instruction_ids.chunks(300) {
            let places: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            // `status || ''`: SQLite otherwise walked the status index through every pending
            // instruction for each chunk of 300 (an export of 100,000 after a payout run of
            // 200,000 took 12.4 s to mark them); by primary key each row is then checked.
            let sql = format!(
                "UPDATE payment_instructions SET status = 'sent', export_id = $1 \
                 WHERE id IN ({}) AND status || '' = 'pending'",
                places.join(", ")
            );
            let mut q = query(&sql).bind(export_id);
            for id in chunk {
                q = q.bind(*id);
            }
            marked += q.execute(self.conn()).await?.rows_affected();
        }
        Ok(marked)
    }
}

impl Store {
    /// Exports whose file has not yet been written to disk.
    pub async fn unwritten_exports(&self) -> Result<Vec<ExportRecord>> {
        let rows = query(
            "SELECT id, format, value_date, file_name, content_b64, records, total_yen, created_at_ms FROM bank_exports \
             WHERE written_at_ms IS NULL ORDER BY created_at_ms, id",
        )
        .fetch_all(self.reader())
        .await?;
        rows.iter()
            .map(|r| {
                let b64: String = get(r, "content_b64")?;
                Ok(ExportRecord {
                    id: get(r, "id")?,
                    format: get(r, "format")?,
                    value_date: get(r, "value_date")?,
                    file_name: get(r, "file_name")?,
                    records: get(r, "records")?,
                    total_yen: get(r, "total_yen")?,
                    created_at_ms: get(r, "created_at_ms")?,
                    content: base64::engine::general_purpose::STANDARD
                        .decode(b64)
                        .map_err(|e| crate::corrupt(format!("export content: {e}")))?,
                })
            })
            .collect()
    }

    /// Claims an export as written; `false` when another run claimed it first.
    pub async fn mark_export_written(&self, id: &str, now_ms: i64) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = query(
            "UPDATE bank_exports SET written_at_ms = $1 WHERE id = $2 AND written_at_ms IS NULL",
        )
        .bind(now_ms)
        .bind(id)
        .execute(tx.conn())
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// The file names of exports already claimed as written.
    pub async fn written_export_names(&self) -> Result<Vec<String>> {
        query_scalar("SELECT file_name FROM bank_exports WHERE written_at_ms IS NOT NULL")
            .fetch_all(self.reader())
            .await
    }
}
