//! Marketplace sites (seed 001): onboarded by the operator, each with an API key that reaches
//! its own contracts only. The key is shown once, when made, and stored as its SHA-256: keys
//! are 192 random bits, so a fast digest is as safe as a slow hash and costs one indexed read
//! per request.

use super::api_key::{self, digest, in_range};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_store::SiteRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// API keys start with this, so that one pasted in the wrong place is recognizable.
pub const KEY_PREFIX: &str = "kssk_";
pub const MAX_LEAD_DAYS: i64 = 30;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SiteInput {
    /// 2 to 32 characters: lower-case letters, digits and `-`, starting with a letter or digit.
    #[schema(min_length = 2, max_length = 32, pattern = "^[a-z0-9][a-z0-9-]{1,31}$")]
    pub id: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Where status changes are posted (http or https).
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub webhook_url: Option<String>,
    /// The bank code of the operator's account the site's money is concentrated in: one of
    /// the operator's configured banks.
    #[schema(min_length = 4, max_length = 4)]
    pub main_bank: String,
    /// The operator's banks whose collection accounts the site's buyers are debited into (the
    /// main bank is one of them unless listed otherwise). Empty: the main bank alone.
    #[serde(default)]
    pub collection_banks: Vec<String>,
    /// The fee on each contract, taken from the seller's payout: a rate in basis points
    /// (1/100 of a percent) plus a fixed amount.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000)]
    pub fee_rate_bp: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub fee_fixed_yen: i64,
    /// Business days from acceptance to the debit, from the debit to the delivery
    /// instruction, from the instruction to the shipment, and from shipment to the payout:
    /// for the planned dates a contract shows (`kessai_core::contract::plan`).
    #[serde(default = "two")]
    #[schema(minimum = 0, maximum = 30)]
    pub debit_lead_days: i64,
    #[serde(default = "one")]
    #[schema(minimum = 0, maximum = 30)]
    pub delivery_lead_days: i64,
    #[serde(default = "two")]
    #[schema(minimum = 0, maximum = 30)]
    pub shipping_lead_days: i64,
    #[serde(default = "two")]
    #[schema(minimum = 0, maximum = 30)]
    pub payout_lead_days: i64,
    /// Instruct the carrier only once the seller is paid (default: once the buyer is debited,
    /// or at once for a bill).
    #[serde(default)]
    pub delivery_after_payout: bool,
}

fn one() -> i64 {
    1
}
fn two() -> i64 {
    2
}

/// A site as the operator sees it (never its key).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SiteView {
    pub id: String,
    pub name: String,
    pub webhook_url: Option<String>,
    pub main_bank: String,
    pub collection_banks: Vec<String>,
    pub fee_rate_bp: i64,
    pub fee_fixed_yen: i64,
    pub debit_lead_days: i64,
    pub delivery_lead_days: i64,
    pub shipping_lead_days: i64,
    pub payout_lead_days: i64,
    pub delivery_after_payout: bool,
}

/// A new site, or a new key: the key and webhook secret are shown this once.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct SiteKey {
    pub site: SiteView,
    /// Send as `Authorization: Bearer <api_key>` on `/v1/contracts`. Not stored: keep it.
    pub api_key: String,
    /// The key webhooks are signed with (HMAC-SHA256), when the site has a webhook URL.
    pub webhook_secret: Option<String>,
}

pub fn view(s: &SiteRecord) -> SiteView {
    SiteView {
        id: s.id.clone(),
        name: s.name.clone(),
        webhook_url: s.webhook_url.clone(),
        main_bank: s.main_bank.clone(),
        collection_banks: s.collection_banks.clone(),
        fee_rate_bp: s.fee_rate_bp,
        fee_fixed_yen: s.fee_fixed_yen,
        debit_lead_days: s.debit_lead_days,
        delivery_lead_days: s.delivery_lead_days,
        shipping_lead_days: s.shipping_lead_days,
        payout_lead_days: s.payout_lead_days,
        delivery_after_payout: s.delivery_after_payout,
    }
}

/// Checks a site's input against the operator's configuration; the record to store.
fn checked(app: &App, input: &SiteInput, key_sha256: String, now: i64) -> AppResult<SiteRecord> {
    let id = api_key::checked_id(&input.id)?;
    let name = api_key::checked_name(&input.name)?;
    let webhook_url = api_key::webhook_url(input.webhook_url.as_deref())?;
    let configured: Vec<&str> = app
        .config
        .banks
        .iter()
        .map(|b| b.account.bank_code.as_str())
        .collect();
    let operator_bank = |field: &str, code: &str| -> AppResult<String> {
        let code = code.trim();
        if configured.contains(&code) {
            Ok(code.to_string())
        } else {
            Err(AppError::invalid(
                field,
                format!(
                    "{field}: {code} is not one of the operator's banks ({})",
                    configured.join(", ")
                ),
            ))
        }
    };
    let main_bank = operator_bank("main_bank", &input.main_bank)?;
    let mut collection_banks = vec![];
    for code in &input.collection_banks {
        let code = operator_bank("collection_banks", code)?;
        if !collection_banks.contains(&code) {
            collection_banks.push(code);
        }
    }
    if collection_banks.is_empty() {
        collection_banks.push(main_bank.clone());
    }
    in_range("fee_rate_bp", input.fee_rate_bp, 10_000)?;
    in_range("fee_fixed_yen", input.fee_fixed_yen, 1_000_000)?;
    in_range("debit_lead_days", input.debit_lead_days, MAX_LEAD_DAYS)?;
    in_range(
        "delivery_lead_days",
        input.delivery_lead_days,
        MAX_LEAD_DAYS,
    )?;
    in_range(
        "shipping_lead_days",
        input.shipping_lead_days,
        MAX_LEAD_DAYS,
    )?;
    in_range("payout_lead_days", input.payout_lead_days, MAX_LEAD_DAYS)?;
    Ok(SiteRecord {
        id: id.to_string(),
        name: name.to_string(),
        api_key_sha256: key_sha256,
        key_created_at_ms: now,
        webhook_secret: webhook_url.as_ref().map(|_| crate::secrets::random_token()),
        webhook_url,
        main_bank,
        collection_banks,
        fee_rate_bp: input.fee_rate_bp,
        fee_fixed_yen: input.fee_fixed_yen,
        debit_lead_days: input.debit_lead_days,
        delivery_lead_days: input.delivery_lead_days,
        shipping_lead_days: input.shipping_lead_days,
        payout_lead_days: input.payout_lead_days,
        delivery_after_payout: input.delivery_after_payout,
        created_at_ms: now,
    })
}

/// Onboards a site; its key and webhook secret are in the answer only.
pub async fn create(app: &App, input: &SiteInput) -> AppResult<SiteKey> {
    let key = api_key::new_key(KEY_PREFIX);
    let site = checked(app, input, digest(&key), app.clock.now().0)?;
    let created = transact!(*app, |tx| Ok(tx.insert_site(&site).await?))?;
    if !created {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "site_exists",
            format!("a site with the ID {} exists already", site.id),
        )
        .with_field("id"));
    }
    Ok(SiteKey {
        site: view(&site),
        api_key: key,
        webhook_secret: site.webhook_secret,
    })
}

pub fn site_not_found() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "site_not_found",
        "no site has this ID",
    )
    .with_field("site_id")
}

pub async fn find(app: &App, site_id: &str) -> AppResult<SiteRecord> {
    app.store.site(site_id).await?.ok_or_else(site_not_found)
}

/// Replaces a site's key: the old one stops working at once.
pub async fn rotate_key(app: &App, site_id: &str) -> AppResult<SiteKey> {
    let key = api_key::new_key(KEY_PREFIX);
    let hash = digest(&key);
    let now = app.clock.now().0;
    let found = transact!(*app, |tx| Ok(tx
        .rotate_site_key(site_id, &hash, now)
        .await?))?;
    if !found {
        return Err(site_not_found());
    }
    let site = find(app, site_id).await?;
    Ok(SiteKey {
        site: view(&site),
        api_key: key,
        webhook_secret: None,
    })
}

/// The site whose key is the request's bearer token (`key`).
pub async fn authenticate(app: &App, key: Option<&str>) -> AppResult<SiteRecord> {
    let denied = || {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_api_key",
            "send the site's API key as Authorization: Bearer <key>",
        )
    };
    let key = key.ok_or_else(denied)?;
    if !key.starts_with(KEY_PREFIX) {
        return Err(denied());
    }
    app.store
        .site_by_key(&digest(key))
        .await?
        .ok_or_else(denied)
}
