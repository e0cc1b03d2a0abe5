//! Marketplace sites: who they are, the hash of their API key, where their webhooks go, the
//! operator's banks they use, their fees and lead times.

use crate::db::{query, Row};
use crate::{get, Result, Store, Tx};

/// A site as stored (its key only as a hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteRecord {
    pub id: String,
    pub name: String,
    pub api_key_sha256: String,
    pub key_created_at_ms: i64,
    pub webhook_url: Option<String>,
    pub webhook_secret: Option<String>,
    pub main_bank: String,
    pub collection_banks: Vec<String>,
    pub fee_rate_bp: i64,
    pub fee_fixed_yen: i64,
    pub debit_lead_days: i64,
    pub delivery_lead_days: i64,
    pub shipping_lead_days: i64,
    pub payout_lead_days: i64,
    /// The goods go to the carrier only once the seller is paid.
    pub delivery_after_payout: bool,
    pub created_at_ms: i64,
}

const COLUMNS: &str = "id, name, api_key_sha256, key_created_at_ms, webhook_url, webhook_secret, \
    main_bank, collection_banks, fee_rate_bp, fee_fixed_yen, debit_lead_days, delivery_lead_days, \
    payout_lead_days, delivery_after_payout, created_at_ms, shipping_lead_days";

fn from_row(row: &Row) -> Result<SiteRecord> {
    let banks: String = get(row, "collection_banks")?;
    Ok(SiteRecord {
        id: get(row, "id")?,
        name: get(row, "name")?,
        api_key_sha256: get(row, "api_key_sha256")?,
        key_created_at_ms: get(row, "key_created_at_ms")?,
        webhook_url: get(row, "webhook_url")?,
        webhook_secret: get(row, "webhook_secret")?,
        main_bank: get(row, "main_bank")?,
        collection_banks: banks
            .split(',')
            .filter(|b| !b.is_empty())
            .map(str::to_string)
            .collect(),
        fee_rate_bp: get(row, "fee_rate_bp")?,
        fee_fixed_yen: get(row, "fee_fixed_yen")?,
        debit_lead_days: get(row, "debit_lead_days")?,
        delivery_lead_days: get(row, "delivery_lead_days")?,
        payout_lead_days: get(row, "payout_lead_days")?,
        shipping_lead_days: get(row, "shipping_lead_days")?,
        delivery_after_payout: get::<i64>(row, "delivery_after_payout")? == 1,
        created_at_ms: get(row, "created_at_ms")?,
    })
}

impl Tx {
    /// Adds a site; `false` when its ID is taken.
    pub async fn insert_site(&mut self, s: &SiteRecord) -> Result<bool> {
        let sql = format!(
            "INSERT INTO sites ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
             ON CONFLICT (id) DO NOTHING"
        );
        let done = query(&sql)
            .bind(&s.id)
            .bind(&s.name)
            .bind(&s.api_key_sha256)
            .bind(s.key_created_at_ms)
            .bind(s.webhook_url.clone())
            .bind(s.webhook_secret.clone())
            .bind(&s.main_bank)
            .bind(s.collection_banks.join(","))
            .bind(s.fee_rate_bp)
            .bind(s.fee_fixed_yen)
            .bind(s.debit_lead_days)
            .bind(s.delivery_lead_days)
            .bind(s.payout_lead_days)
            .bind(i64::from(s.delivery_after_payout))
            .bind(s.created_at_ms)
            .bind(s.shipping_lead_days)
            .execute(self.conn())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces a site's API key (the old one stops working at once); `false` if no such site.
    pub async fn rotate_site_key(
        &mut self,
        site_id: &str,
        api_key_sha256: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let done =
            query("UPDATE sites SET api_key_sha256 = $2, key_created_at_ms = $3 WHERE id = $1")
                .bind(site_id)
                .bind(api_key_sha256)
                .bind(now_ms)
                .execute(self.conn())
                .await?;
        Ok(done.rows_affected() == 1)
    }
}

impl Store {
    pub async fn site(&self, id: &str) -> Result<Option<SiteRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sites WHERE id = $1");
        let row = query(&sql).bind(id).fetch_optional(self.reader()).await?;
        row.as_ref().map(from_row).transpose()
    }

    /// The site whose API key has this SHA-256.
    pub async fn site_by_key(&self, api_key_sha256: &str) -> Result<Option<SiteRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sites WHERE api_key_sha256 = $1");
        let row = query(&sql)
            .bind(api_key_sha256)
            .fetch_optional(self.reader())
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    pub async fn sites(&self) -> Result<Vec<SiteRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sites ORDER BY id");
        let rows = query(&sql).fetch_all(self.reader()).await?;
        rows.iter().map(from_row).collect()
    }
}
