//! Imported bank files, identified by their content.

use crate::db::{query, Row};
use crate::{get, new_internal_id, Result, Store, Tx};

#[derive(Clone, Debug, serde::Serialize)]
pub struct BankFileRecord {
    pub id: String,
    pub sha256: String,
    pub format: String,
    pub name: String,
    pub records: i64,
    pub applied: i64,
    pub duplicates: i64,
    pub imported_at_ms: i64,
    /// What the file says it holds: entries and their total (none for files imported before
    /// this was kept).
    pub entries: Option<i64>,
    pub total_yen: Option<i64>,
}

/// An entry of an imported file that was listed for the operator, not applied: a debit Kessai
/// did not send, a statement withdrawal without Kessai's reference, a correction (訂正).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ListedEntry {
    /// The file's name as imported, when, and the entry's place in it.
    pub file_name: String,
    pub imported_at_ms: i64,
    pub position: i64,
    /// The entry's identity across files, and what it says (`out|1500|2026-11-29|…`).
    pub identity: String,
    pub content: String,
    pub amount_yen: i64,
}

pub struct NewBankFile<'a> {
    pub sha256: &'a str,
    pub format: &'a str,
    pub name: &'a str,
    pub records: i64,
    pub applied: i64,
    pub duplicates: i64,
    pub now_ms: i64,
    /// The entries the file holds and their total, from its trailers where it has them.
    pub entries: i64,
    pub total_yen: i64,
}

fn from_row(r: &Row) -> Result<BankFileRecord> {
    Ok(BankFileRecord {
        id: get(r, "id")?,
        sha256: get(r, "sha256")?,
        format: get(r, "format")?,
        name: get(r, "name")?,
        records: get(r, "records")?,
        applied: get(r, "applied")?,
        duplicates: get(r, "duplicates")?,
        imported_at_ms: get(r, "imported_at_ms")?,
        entries: get(r, "entries")?,
        total_yen: get(r, "total_yen")?,
    })
}

const COLUMNS: &str =
    "id, sha256, format, name, records, applied, duplicates, imported_at_ms, entries, total_yen";

impl Tx {
    pub async fn bank_file_by_hash(&mut self, sha256: &str) -> Result<Option<BankFileRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM bank_files WHERE sha256 = $1");
        let row = query(&sql).bind(sha256).fetch_optional(self.conn()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Records the file; `None` when a file with the same content was recorded first.
    pub async fn insert_bank_file(&mut self, f: &NewBankFile<'_>) -> Result<Option<String>> {
        let id = new_internal_id();
        let done = query(
            "INSERT INTO bank_files (id, sha256, format, name, records, applied, duplicates, imported_at_ms, entries, total_yen) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&id)
        .bind(f.sha256)
        .bind(f.format)
        .bind(f.name)
        .bind(f.records)
        .bind(f.applied)
        .bind(f.duplicates)
        .bind(f.now_ms)
        .bind(f.entries)
        .bind(f.total_yen)
        .execute(self.conn())
        .await?;
        Ok((done.rows_affected() == 1).then_some(id))
    }

    /// Sets what a file did, once all its entries are applied.
    pub async fn set_bank_file_counts(
        &mut self,
        file_id: &str,
        applied: i64,
        duplicates: i64,
    ) -> Result<()> {
        query("UPDATE bank_files SET applied = $1, duplicates = $2 WHERE id = $3")
            .bind(applied)
            .bind(duplicates)
            .bind(file_id)
            .execute(self.conn())
            .await?;
        Ok(())
    }

    /// Marks the credits with these IDs, first seen in this file, as its own; in chunks, not
    /// a statement per credit.
    pub async fn link_credits_to_file(&mut self, credit_ids: &[&str], file_id: &str) -> Result<()> {
        for chunk in credit_ids.chunks(100) {
            let places: Vec<String> = (2..chunk.len() + 2).map(|i| format!("${i}")).collect();
            let sql = format!(
                "UPDATE bank_credits SET file_id = $1 WHERE file_id IS NULL AND id IN ({})",
                places.join(", ")
            );
            let mut q = query(&sql).bind(file_id);
            for r in chunk {
                q = q.bind(*r);
            }
            q.execute(self.conn()).await?;
        }
        Ok(())
    }
}

impl Store {
    pub async fn bank_files(&self, limit: i64) -> Result<Vec<BankFileRecord>> {
        let sql =
            format!("SELECT {COLUMNS} FROM bank_files ORDER BY imported_at_ms DESC, id LIMIT $1");
        let rows = query(&sql).bind(limit).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }

    /// Open reversal claims (payments the bank took back after the money had moved on), with
    /// what is still owed on each, for the operator, oldest first.
    pub async fn reversal_claims(&self, limit: i64) -> Result<Vec<crate::ClaimRecord>> {
        let sql = format!(
            "SELECT {}, {} AS remaining_yen FROM bank_credits c WHERE outcome = 'reversal_claim' \
             ORDER BY received_at_ms, id LIMIT $1",
            crate::credits::CREDIT_COLUMNS,
            crate::credits::CLAIM_REMAINING
        );
        let rows = query(&sql).bind(limit).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                Ok(crate::ClaimRecord {
                    credit: crate::credits::credit_from_row(r)?,
                    remaining_yen: get(r, "remaining_yen")?,
                })
            })
            .collect()
    }

    /// Entries listed for the operator and not applied, newest file first.
    pub async fn listed_entries(&self, limit: i64) -> Result<Vec<ListedEntry>> {
        let sql =
            "SELECT f.name, f.imported_at_ms, e.position, e.identity, e.content, e.amount_yen \
                   FROM bank_entries e JOIN bank_files f ON f.id = e.file_id \
                   WHERE e.outcome = 'listed' \
                   ORDER BY f.imported_at_ms DESC, f.id, e.position LIMIT $1";
        let rows = query(sql).bind(limit).fetch_all(self.reader()).await?;
        rows.iter()
            .map(|r| {
                Ok(ListedEntry {
                    file_name: get(r, "name")?,
                    imported_at_ms: get(r, "imported_at_ms")?,
                    position: get(r, "position")?,
                    identity: get(r, "identity")?,
                    content: get(r, "content")?,
                    amount_yen: get(r, "amount_yen")?,
                })
            })
            .collect()
    }

    /// Credits that matched no single deal (the suspense list), oldest first. A conflict (an
    /// entry whose identity the bank had used for other content) comes with that earlier record.
    pub async fn unmatched_credits(&self, limit: i64) -> Result<Vec<crate::CreditRecord>> {
        let sql = format!(
            "SELECT {} FROM bank_credits WHERE outcome = 'unmatched' ORDER BY received_at_ms, id LIMIT $1",
            crate::credits::CREDIT_COLUMNS
        );
        let rows = query(&sql).bind(limit).fetch_all(self.reader()).await?;
        let mut credits = rows
            .iter()
            .map(crate::credits::credit_from_row)
            .collect::<Result<Vec<_>>>()?;
        for c in &mut credits {
            if let Some(earlier) = &c.conflict_of {
                c.conflict_with = self.credit_by_id(earlier).await?.map(Box::new);
            }
        }
        Ok(credits)
    }
}
