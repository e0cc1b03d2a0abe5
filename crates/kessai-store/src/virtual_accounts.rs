//! Virtual collection accounts: one account number per deal from a configured range.

use crate::db::{query, query_scalar};
use crate::{Result, Store, Tx};

impl Tx {
    /// Gives the deal the next number of `first..=last` (7 digits); `None` when the range is used up.
    pub async fn allocate_virtual_account(
        &mut self,
        deal_id: &str,
        first: i64,
        last: i64,
        now_ms: i64,
    ) -> Result<Option<String>> {
        query("INSERT INTO counters (name, next_value) VALUES ('virtual_account', $1) ON CONFLICT (name) DO NOTHING")
            .bind(first)
            .execute(self.conn())
            .await?;
        let number: i64 = query_scalar("UPDATE counters SET next_value = next_value + 1 WHERE name = 'virtual_account' RETURNING next_value - 1")
            .fetch_one(self.conn())
            .await?;
        if number > last {
            return Ok(None);
        }
        let account = format!("{number:07}");
        query("INSERT INTO virtual_accounts (account_number, deal_id, created_at_ms) VALUES ($1, $2, $3)")
            .bind(&account)
            .bind(deal_id)
            .bind(now_ms)
            .execute(self.conn())
            .await?;
        Ok(Some(account))
    }

    /// Gives the deal the next 振込依頼人コード (10 digits, from 1000000001).
    pub async fn allocate_payer_code(&mut self, deal_id: &str) -> Result<String> {
        query("INSERT INTO counters (name, next_value) VALUES ('payer_code', 1000000001) ON CONFLICT (name) DO NOTHING")
            .execute(self.conn())
            .await?;
        let number: i64 = query_scalar("UPDATE counters SET next_value = next_value + 1 WHERE name = 'payer_code' RETURNING next_value - 1")
            .fetch_one(self.conn())
            .await?;
        let code = format!("{number:010}");
        query("INSERT INTO payer_codes (code, deal_id) VALUES ($1, $2)")
            .bind(&code)
            .bind(deal_id)
            .execute(self.conn())
            .await?;
        Ok(code)
    }

    pub async fn deal_by_payer_code(&mut self, code: &str) -> Result<Option<String>> {
        query_scalar("SELECT deal_id FROM payer_codes WHERE code = $1")
            .bind(code)
            .fetch_optional(self.conn())
            .await
    }

    pub async fn deal_by_virtual_account(
        &mut self,
        account_number: &str,
    ) -> Result<Option<String>> {
        query_scalar("SELECT deal_id FROM virtual_accounts WHERE account_number = $1")
            .bind(account_number)
            .fetch_optional(self.conn())
            .await
    }
}

impl Store {
    pub async fn payer_code_of(&self, deal_id: &str) -> Result<Option<String>> {
        query_scalar("SELECT code FROM payer_codes WHERE deal_id = $1")
            .bind(deal_id)
            .fetch_optional(self.reader())
            .await
    }

    /// A named number kept across restarts (e.g. the test clock's offset).
    pub async fn counter(&self, name: &str) -> Result<Option<i64>> {
        query_scalar("SELECT next_value FROM counters WHERE name = $1")
            .bind(name)
            .fetch_optional(self.reader())
            .await
    }

    pub async fn set_counter(&self, name: &str, value: i64) -> Result<()> {
        let mut tx = self.begin().await?;
        query("INSERT INTO counters (name, next_value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET next_value = $2")
            .bind(name)
            .bind(value)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    pub async fn virtual_account_of(&self, deal_id: &str) -> Result<Option<String>> {
        query_scalar("SELECT account_number FROM virtual_accounts WHERE deal_id = $1")
            .bind(deal_id)
            .fetch_optional(self.reader())
            .await
    }
}
