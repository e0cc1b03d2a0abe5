//! Outbound bank instructions (payouts and refunds), pending until a bank file takes them.

use crate::{get, new_internal_id, Result, Store, Tx};
use kessai_core::{BankAccount, Instruction};

#[derive(Clone, Debug, serde::Serialize)]
pub struct InstructionRecord {
    pub id: String,
    pub deal_id: String,
    pub purpose: String,
    pub party: String,
    pub amount_yen: i64,
    pub bank_account: serde_json::Value,
    pub status: String,
    pub created_at_ms: i64,
}

impl Tx {
    pub async fn insert_instruction(
        &mut self,
        deal_id: &str,
        journal_id: &str,
        instruction: &Instruction,
        account: &BankAccount,
        now_ms: i64,
    ) -> Result<String> {
        let id = new_internal_id();
        sqlx::query(
            "INSERT INTO payment_instructions (id, deal_id, journal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8)",
        )
        .bind(&id)
        .bind(deal_id)
        .bind(journal_id)
        .bind(instruction.purpose.as_str())
        .bind(instruction.to.as_str())
        .bind(instruction.amount.0)
        .bind(serde_json::to_string(account).expect("account serializes"))
        .bind(now_ms)
        .execute(self.conn())
        .await?;
        Ok(id)
    }
}

impl Store {
    /// Instructions, optionally of one deal, oldest first.
    pub async fn instructions(
        &self,
        deal_id: Option<&str>,
        limit: i64,
    ) -> Result<Vec<InstructionRecord>> {
        let rows = sqlx::query(
            "SELECT id, deal_id, purpose, party, amount_yen, bank_account_json, status, created_at_ms FROM payment_instructions \
             WHERE ($1 = '' OR deal_id = $1) ORDER BY created_at_ms, id LIMIT $2",
        )
        .bind(deal_id.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let account: String = get(r, "bank_account_json")?;
                Ok(InstructionRecord {
                    id: get(r, "id")?,
                    deal_id: get(r, "deal_id")?,
                    purpose: get(r, "purpose")?,
                    party: get(r, "party")?,
                    amount_yen: get(r, "amount_yen")?,
                    bank_account: serde_json::from_str(&account).unwrap_or(serde_json::Value::Null),
                    status: get(r, "status")?,
                    created_at_ms: get(r, "created_at_ms")?,
                })
            })
            .collect()
    }
}
