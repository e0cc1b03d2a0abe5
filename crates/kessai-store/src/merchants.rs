//! Merchants of the payment agency (seed 003): who they are, the hash of their API key, the
//! secret their requests and Kessai's webhooks are signed with, where they are paid, the
//! methods they take with the fee of each, and the period their contract with Kessai runs.

use crate::db::{query, Row};
use crate::{get, Result, Store, Tx};

/// A merchant as stored (its key only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerchantRecord {
    pub id: String,
    pub name: String,
    pub api_key_sha256: String,
    pub key_created_at_ms: i64,
    pub signing_secret: String,
    pub webhook_url: Option<String>,
    pub payout_account_json: String,
    /// Method names, in the merchant's order (`kessai_core::order::Method::as_str`).
    pub methods: Vec<String>,
    pub fees_json: String,
    pub valid_from: String,
    pub valid_until: String,
    pub status: String,
    pub late_payment: String,
    pub card_capture: String,
    pub created_at_ms: i64,
}

const COLUMNS: &str = "id, name, api_key_sha256, key_created_at_ms, signing_secret, webhook_url, \
    payout_account_json, methods, fees_json, valid_from, valid_until, status, late_payment, \
    card_capture, created_at_ms";

fn from_row(row: &Row) -> Result<MerchantRecord> {
    let methods: String = get(row, "methods")?;
    Ok(MerchantRecord {
        id: get(row, "id")?,
        name: get(row, "name")?,
        api_key_sha256: get(row, "api_key_sha256")?,
        key_created_at_ms: get(row, "key_created_at_ms")?,
        signing_secret: get(row, "signing_secret")?,
        webhook_url: get(row, "webhook_url")?,
        payout_account_json: get(row, "payout_account_json")?,
        methods: methods
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
        fees_json: get(row, "fees_json")?,
        valid_from: get(row, "valid_from")?,
        valid_until: get(row, "valid_until")?,
        status: get(row, "status")?,
        late_payment: get(row, "late_payment")?,
        card_capture: get(row, "card_capture")?,
        created_at_ms: get(row, "created_at_ms")?,
    })
}

impl Tx {
    /// Adds a merchant; `false` when its ID is taken.
    pub async fn insert_merchant(&mut self, m: &MerchantRecord) -> Result<bool> {
        let sql = format!(
            "INSERT INTO merchants ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (id) DO NOTHING"
        );
        let done = query(&sql)
            .bind(&m.id)
            .bind(&m.name)
            .bind(&m.api_key_sha256)
            .bind(m.key_created_at_ms)
            .bind(&m.signing_secret)
            .bind(m.webhook_url.clone())
            .bind(&m.payout_account_json)
            .bind(m.methods.join(","))
            .bind(&m.fees_json)
            .bind(&m.valid_from)
            .bind(&m.valid_until)
            .bind(&m.status)
            .bind(&m.late_payment)
            .bind(&m.card_capture)
            .bind(m.created_at_ms)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces a merchant's API key (the old one stops working at once); `false` if no such
    /// merchant.
    pub async fn rotate_merchant_key(
        &mut self,
        merchant_id: &str,
        api_key_sha256: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let done =
            query("UPDATE merchants SET api_key_sha256 = $2, key_created_at_ms = $3 WHERE id = $1")
                .bind(merchant_id)
                .bind(api_key_sha256)
                .bind(now_ms)
                .execute(self.conn())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Sets a merchant `active` or `suspended`; `false` if no such merchant.
    pub async fn set_merchant_status(&mut self, merchant_id: &str, status: &str) -> Result<bool> {
        let done = query("UPDATE merchants SET status = $2 WHERE id = $1")
            .bind(merchant_id)
            .bind(status)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    pub async fn merchant(&self, id: &str) -> Result<Option<MerchantRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM merchants WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The merchant whose API key has this SHA-256.
    pub async fn merchant_by_key(&self, api_key_sha256: &str) -> Result<Option<MerchantRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM merchants WHERE api_key_sha256 = $1");
        let row = query(&sql)
            .bind(api_key_sha256)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn merchants(&self) -> Result<Vec<MerchantRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM merchants ORDER BY id");
        let rows = query(&sql).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }
}
