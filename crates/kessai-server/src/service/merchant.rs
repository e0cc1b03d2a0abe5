//! Merchants of the payment agency (seed 003, 加盟店): onboarded once by the operator with
//! their payout account, the methods they take and the fee of each, and the period their
//! contract runs. A merchant reaches only its own orders, with its API key (shown once,
//! stored as a digest) and every request signed with its signing secret (HMAC-SHA256 over
//! `timestamp.body`, the same scheme as Kessai's webhooks, so one function serves both ways).

pub mod auth;
pub mod session;

use super::api_key::{self, digest, in_range};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::contract::AccountInput;
use kessai_core::order::{LatePayment, Method};
use kessai_core::{BankAccount, FeeRule};
use kessai_store::MerchantRecord;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::Date;
use utoipa::ToSchema;

/// API keys of merchants start with this (a site's with `kssk_`).
pub const KEY_PREFIX: &str = "kssm_";

/// A fee rule as the operator types it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeeInput {
    /// 1/100 of a percent of the order's amount.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10000)]
    pub rate_bp: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000000)]
    pub fixed_yen: i64,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MerchantInput {
    /// 2 to 32 characters: lower-case letters, digits and `-`.
    #[schema(min_length = 2, max_length = 32)]
    pub id: String,
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// Where order status changes are posted (http or https), signed.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub webhook_url: Option<String>,
    /// Where the merchant's settled orders are paid.
    pub payout_account: AccountInput,
    /// `bank_transfer`, `konbini`, `card`: at least one.
    pub methods: Vec<String>,
    /// The fee of each method, taken from the merchant's payout (a method not named: none).
    #[serde(default)]
    pub fees: BTreeMap<String, FeeInput>,
    /// The first and last day (JST, `YYYY-MM-DD`) of the merchant's contract with Kessai;
    /// `valid_from` defaults to today.
    #[serde(default)]
    #[schema(max_length = 10)]
    pub valid_from: Option<String>,
    #[schema(max_length = 10)]
    pub valid_until: String,
    /// `accept` (default) or `refund`: money for an order that arrives after its expiry.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub late_payment: Option<String>,
    /// `on_shipment` (default: the merchant captures when it ships) or `immediate`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub card_capture: Option<String>,
}

/// When a card authorization is captured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CardCapture {
    OnShipment,
    Immediate,
}

impl CardCapture {
    pub fn as_str(self) -> &'static str {
        match self {
            CardCapture::OnShipment => "on_shipment",
            CardCapture::Immediate => "immediate",
        }
    }

    pub fn parse(s: &str) -> Option<CardCapture> {
        [CardCapture::OnShipment, CardCapture::Immediate]
            .into_iter()
            .find(|c| c.as_str() == s.trim())
    }
}

/// A merchant as the operator sees it (never its key or secret).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantView {
    pub id: String,
    pub name: String,
    pub webhook_url: Option<String>,
    #[schema(value_type = Object)]
    pub payout_account: BankAccount,
    pub methods: Vec<String>,
    #[schema(value_type = Object)]
    pub fees: BTreeMap<String, FeeRule>,
    pub valid_from: String,
    pub valid_until: String,
    /// `active` or `suspended`.
    pub status: String,
    pub late_payment: String,
    pub card_capture: String,
}

/// A new merchant, or a new key: the key and the signing secret are shown this once.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct MerchantKey {
    pub merchant: MerchantView,
    /// Send as `Authorization: Bearer <api_key>`. Not stored: keep it.
    pub api_key: String,
    /// Signs every request (`Kessai-Timestamp`, `Kessai-Signature: v1=HMAC-SHA256(secret,
    /// timestamp + "." + body)`) and every webhook Kessai sends. Shown with a new merchant only.
    pub signing_secret: Option<String>,
}

/// The merchant's record in the form an order needs it.
pub struct Merchant {
    pub record: MerchantRecord,
    pub payout_account: BankAccount,
    pub methods: Vec<Method>,
    pub fees: BTreeMap<Method, FeeRule>,
    pub late_payment: LatePayment,
    pub card_capture: CardCapture,
}

impl Merchant {
    pub fn of(record: MerchantRecord) -> AppResult<Merchant> {
        let corrupt = |what: &str| AppError::internal(format!("merchant {}: {what}", record.id));
        let payout_account =
            serde_json::from_str(&record.payout_account_json).map_err(|_| corrupt("account"))?;
        let methods = record
            .methods
            .iter()
            .map(|m| Method::parse(m).ok_or_else(|| corrupt("method")))
            .collect::<AppResult<_>>()?;
        let fees: BTreeMap<String, FeeRule> =
            serde_json::from_str(&record.fees_json).map_err(|_| corrupt("fees"))?;
        let fees = fees
            .into_iter()
            .map(|(m, f)| Ok((Method::parse(&m).ok_or_else(|| corrupt("fee"))?, f)))
            .collect::<AppResult<_>>()?;
        Ok(Merchant {
            late_payment: LatePayment::parse(&record.late_payment)
                .ok_or_else(|| corrupt("late_payment"))?,
            card_capture: CardCapture::parse(&record.card_capture)
                .ok_or_else(|| corrupt("card_capture"))?,
            record,
            payout_account,
            methods,
            fees,
        })
    }

    /// The fee the merchant pays on `amount` taken by `method`.
    pub fn fee(&self, method: Method, amount: kessai_core::Yen) -> kessai_core::Yen {
        self.fees
            .get(&method)
            .map_or(kessai_core::Yen(0), |rule| rule.fee_for(amount))
    }
}

pub fn view(m: &Merchant) -> MerchantView {
    let r = &m.record;
    MerchantView {
        id: r.id.clone(),
        name: r.name.clone(),
        webhook_url: r.webhook_url.clone(),
        payout_account: m.payout_account.clone(),
        methods: r.methods.clone(),
        fees: m
            .fees
            .iter()
            .map(|(k, v)| (k.as_str().to_string(), *v))
            .collect(),
        valid_from: r.valid_from.clone(),
        valid_until: r.valid_until.clone(),
        status: r.status.clone(),
        late_payment: r.late_payment.clone(),
        card_capture: r.card_capture.clone(),
    }
}

fn date(field: &str, s: &str) -> AppResult<Date> {
    kessai_core::contract::parse_date(s.trim())
        .ok_or_else(|| AppError::invalid(field, format!("{field} must be a date, YYYY-MM-DD")))
}

/// Checks a merchant's input (its account against the bank master); the record to store.
fn checked(
    app: &App,
    input: &MerchantInput,
    key_sha256: String,
    now: i64,
) -> AppResult<MerchantRecord> {
    let id = api_key::checked_id(&input.id)?;
    let name = api_key::checked_name(&input.name)?;
    let webhook_url = api_key::webhook_url(input.webhook_url.as_deref())?;
    let mut errors = vec![];
    let account =
        kessai_core::contract::account(&mut errors, "payout_account", &input.payout_account);
    let account = match (account, errors.first()) {
        (Some(a), None) => a,
        (_, Some(e)) => return Err(AppError::invalid(&e.field, e.to_string())),
        (None, None) => return Err(AppError::invalid("payout_account", "a bank account")),
    };
    if let Some(master) = &app.config.bank_master {
        if let Err(e) = master.check(&account.bank_code, &account.branch_code) {
            return Err(AppError::invalid(
                &format!("payout_account.{}", e.field()),
                e.to_string(),
            ));
        }
    }
    let mut methods: Vec<Method> = vec![];
    for m in &input.methods {
        let method = Method::parse(m).ok_or_else(|| {
            AppError::invalid(
                "methods",
                format!("methods: {m} is not bank_transfer, konbini or card"),
            )
        })?;
        if !methods.contains(&method) {
            methods.push(method);
        }
    }
    if methods.is_empty() {
        return Err(AppError::invalid(
            "methods",
            "methods must name at least one of bank_transfer, konbini, card",
        ));
    }
    let mut fees = BTreeMap::new();
    for (m, fee) in &input.fees {
        let method = Method::parse(m)
            .filter(|method| methods.contains(method))
            .ok_or_else(|| {
                AppError::invalid(
                    "fees",
                    format!("fees: {m} is not one of the merchant's methods"),
                )
            })?;
        in_range("fees.rate_bp", fee.rate_bp, 10_000)?;
        in_range("fees.fixed_yen", fee.fixed_yen, 1_000_000)?;
        let rule = FeeRule {
            rate_basis_points: u32::try_from(fee.rate_bp).map_err(AppError::internal)?,
            fixed_yen: fee.fixed_yen,
        };
        fees.insert(method.as_str().to_string(), rule);
    }
    let today = crate::i18n::date_jst(app.clock.now());
    let valid_from = match &input.valid_from {
        Some(d) => date("valid_from", d)?,
        None => today,
    };
    let valid_until = date("valid_until", &input.valid_until)?;
    if valid_until < valid_from {
        return Err(AppError::invalid(
            "valid_until",
            "valid_until must not be before valid_from",
        ));
    }
    let late_payment = match input.late_payment.as_deref() {
        None => LatePayment::default(),
        Some(s) => LatePayment::parse(s).ok_or_else(|| {
            AppError::invalid("late_payment", "late_payment must be accept or refund")
        })?,
    };
    let card_capture = match input.card_capture.as_deref() {
        None => CardCapture::OnShipment,
        Some(s) => CardCapture::parse(s).ok_or_else(|| {
            AppError::invalid(
                "card_capture",
                "card_capture must be on_shipment or immediate",
            )
        })?,
    };
    Ok(MerchantRecord {
        id: id.to_string(),
        name: name.to_string(),
        api_key_sha256: key_sha256,
        key_created_at_ms: now,
        signing_secret: crate::secrets::random_token(),
        webhook_url,
        payout_account_json: serde_json::to_string(&account).map_err(AppError::internal)?,
        methods: methods.iter().map(|m| m.as_str().to_string()).collect(),
        fees_json: serde_json::to_string(&fees).map_err(AppError::internal)?,
        valid_from: valid_from.to_string(),
        valid_until: valid_until.to_string(),
        status: ACTIVE.to_string(),
        late_payment: late_payment.as_str().to_string(),
        card_capture: card_capture.as_str().to_string(),
        created_at_ms: now,
    })
}

pub const ACTIVE: &str = "active";
pub const SUSPENDED: &str = "suspended";

/// Onboards a merchant; its key and signing secret are in the answer only.
pub async fn create(app: &App, input: &MerchantInput) -> AppResult<MerchantKey> {
    let key = api_key::new_key(KEY_PREFIX);
    let record = checked(app, input, digest(&key), app.clock.now().0)?;
    let created = transact!(*app, |tx| Ok(tx.insert_merchant(&record).await?))?;
    if !created {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "merchant_exists",
            format!("a merchant with the ID {} exists already", record.id),
        )
        .with_field("id"));
    }
    let secret = record.signing_secret.clone();
    Ok(MerchantKey {
        merchant: view(&Merchant::of(record)?),
        api_key: key,
        signing_secret: Some(secret),
    })
}

pub fn merchant_not_found() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "merchant_not_found",
        "no merchant has this ID",
    )
    .with_field("merchant_id")
}

pub async fn find(app: &App, merchant_id: &str) -> AppResult<Merchant> {
    Merchant::of(
        app.store
            .merchant(merchant_id)
            .await?
            .ok_or_else(merchant_not_found)?,
    )
}

pub async fn list(app: &App) -> AppResult<Vec<MerchantView>> {
    let mut all = vec![];
    for r in app.store.merchants().await? {
        all.push(view(&Merchant::of(r)?));
    }
    Ok(all)
}

/// Replaces a merchant's key: the old one stops working at once.
pub async fn rotate_key(app: &App, merchant_id: &str) -> AppResult<MerchantKey> {
    let key = api_key::new_key(KEY_PREFIX);
    let hash = digest(&key);
    let now = app.clock.now().0;
    let found = transact!(*app, |tx| Ok(tx
        .rotate_merchant_key(merchant_id, &hash, now)
        .await?))?;
    if !found {
        return Err(merchant_not_found());
    }
    Ok(MerchantKey {
        merchant: view(&find(app, merchant_id).await?),
        api_key: key,
        signing_secret: None,
    })
}

/// Suspends a merchant (no new orders; its orders already paid go on) or makes it active again.
pub async fn set_status(app: &App, merchant_id: &str, active: bool) -> AppResult<MerchantView> {
    let status = if active { ACTIVE } else { SUSPENDED };
    let found = transact!(*app, |tx| Ok(tx
        .set_merchant_status(merchant_id, status)
        .await?))?;
    if !found {
        return Err(merchant_not_found());
    }
    Ok(view(&find(app, merchant_id).await?))
}
