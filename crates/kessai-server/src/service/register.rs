//! Registering one side of a deal and matching it with the other side (seed 000, 5001–5004).

use super::notify::notify;
use super::transact::IdempotencyKey;
use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::transact_idempotent;
use crate::App;
use axum::http::StatusCode;
use kessai_core::matching::{best_candidate, Terms};
use kessai_core::{AccountType, BankAccount, Deal, DealId, NoticeKind, Party, Yen};
use kessai_store::{DealRecord, NewRegistration, Registration, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MIN_PASSWORD_CHARS: usize = 8;
const MAX_TEXT_CHARS: usize = 200;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountInput {
    /// 4 digits.
    #[schema(max_length = 4)]
    pub bank_code: String,
    /// 3 digits.
    #[schema(max_length = 3)]
    pub branch_code: String,
    /// `ordinary` (普通), `current` (当座) or `savings` (貯蓄).
    #[schema(value_type = String, example = "ordinary", max_length = 8, pattern = "^(ordinary|current|savings)$")]
    pub account_type: AccountType,
    /// Up to 7 digits.
    #[schema(max_length = 7)]
    pub account_number: String,
    /// As the bank holds it, in kana (a Zengin 受取人名: at most 30 characters).
    #[schema(max_length = 30)]
    pub holder_name: String,
}

impl BankAccountInput {
    /// The typed account, its errors named by field (`bank_account.*`); with a bank master,
    /// the bank and branch must exist in it.
    pub fn to_account(
        &self,
        master: Option<&crate::bank_master::BankMaster>,
    ) -> AppResult<BankAccount> {
        let account = BankAccount::parse(
            &self.bank_code,
            &self.branch_code,
            self.account_type,
            &self.account_number,
            &self.holder_name,
        )
        .map_err(|e| {
            AppError::invalid(
                &format!("bank_account.{}", e.field),
                format!("bank_account.{e}"),
            )
        })?;
        if let Some(master) = master {
            master
                .check(&account.bank_code, &account.branch_code)
                .map_err(|e| {
                    AppError::invalid(
                        &format!("bank_account.{}", e.field()),
                        format!("bank_account.{}: {e}", e.field()),
                    )
                })?;
        }
        Ok(account)
    }
}

/// One party's registration. The buyer gives a shipping address and a refund account; the seller
/// a payout account. Both state the same item, price and parties.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    #[schema(max_length = 200)]
    pub item: String,
    #[schema(minimum = 1, maximum = 10_000_000_000_i64)]
    pub price_yen: i64,
    #[schema(max_length = 200)]
    pub buyer_name: String,
    #[schema(max_length = 200)]
    pub buyer_email: String,
    #[schema(max_length = 200)]
    pub seller_name: String,
    #[schema(max_length = 200)]
    pub seller_email: String,
    /// Buyer only.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub shipping_address: Option<String>,
    /// The buyer's refund account or the seller's payout account.
    pub bank_account: BankAccountInput,
    /// At least 8 characters; needed with the deal ID for every later step.
    #[schema(min_length = 8, max_length = 256)]
    pub password: String,
    /// `ja` (default) or `en`: the language of this party's emails.
    #[serde(default)]
    #[schema(max_length = 8)]
    pub lang: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct RegistrationOutcome {
    /// This party's deal ID. The buyer quotes it when paying.
    pub deal_id: String,
    pub role: String,
    /// `waiting_for_counterpart`, `mismatch` or `agreed`.
    pub status: String,
    /// When `mismatch`: the fields that differ from the other party's registration.
    pub mismatched_fields: Vec<String>,
}

/// A registration whose fields are all valid.
pub struct ValidRegistration {
    pub terms: Terms,
    pub shipping_address: Option<String>,
    pub bank_account: BankAccount,
    pub password: String,
    pub lang: String,
}

fn text(field: &str, value: &str) -> AppResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("{field} is required")));
    }
    if v.chars().count() > MAX_TEXT_CHARS {
        return Err(AppError::invalid(
            field,
            format!("{field} is longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(v.to_string())
}

fn email(field: &str, value: &str) -> AppResult<String> {
    let v = text(field, value)?;
    let valid = v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !v.contains(' ')
    });
    if !valid || v.parse::<lettre::Address>().is_err() {
        return Err(AppError::invalid(
            field,
            format!("{field} is not an email address"),
        ));
    }
    Ok(v)
}

pub fn validate(
    role: Party,
    input: &RegistrationInput,
    master: Option<&crate::bank_master::BankMaster>,
) -> AppResult<ValidRegistration> {
    let price = Yen::positive(input.price_yen).ok_or_else(|| {
        AppError::invalid(
            "price_yen",
            "price_yen must be a whole number of yen from 1 to 10,000,000,000",
        )
    })?;
    let terms = Terms {
        item: text("item", &input.item)?,
        price,
        buyer_name: text("buyer_name", &input.buyer_name)?,
        buyer_email: email("buyer_email", &input.buyer_email)?,
        seller_name: text("seller_name", &input.seller_name)?,
        seller_email: email("seller_email", &input.seller_email)?,
    };
    if terms.buyer_email.eq_ignore_ascii_case(&terms.seller_email) {
        return Err(AppError::invalid(
            "seller_email",
            "the buyer and the seller must have different email addresses",
        ));
    }
    let shipping_address = match role {
        Party::Buyer => Some(text(
            "shipping_address",
            input.shipping_address.as_deref().unwrap_or(""),
        )?),
        Party::Seller => None,
    };
    let bank_account = input.bank_account.to_account(master)?;
    if input.password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AppError::invalid(
            "password",
            format!("the password needs at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    let lang = crate::i18n::Lang::parse(input.lang.as_deref())
        .code()
        .to_string();
    Ok(ValidRegistration {
        terms,
        shipping_address,
        bank_account,
        password: input.password.clone(),
        lang,
    })
}

/// Registers one side and tries to match it. The password is hashed before the transaction so
/// the slow hash never holds a database lock.
/// With an idempotency key, a repeat of the same registration returns the first response.
pub async fn register(
    app: &App,
    role: Party,
    input: &RegistrationInput,
    key: Option<&IdempotencyKey>,
) -> AppResult<(StatusCode, String)> {
    let valid = validate(role, input, app.config.bank_master.as_deref())?;
    let hash = secrets::hash_password(valid.password.clone(), app.config.password_cost).await?;
    transact_idempotent!(*app, key, StatusCode::CREATED, |tx| register_in(
        app, tx, role, &valid, &hash
    )
    .await)
}

async fn register_in(
    app: &App,
    tx: &mut Tx,
    role: Party,
    v: &ValidRegistration,
    hash: &str,
) -> AppResult<RegistrationOutcome> {
    let now = app.clock.now();
    let key = v.terms.pairing_key();
    tx.lock_pairing(&key).await?;
    let id = insert_with_fresh_id(tx, role, v, hash, now.0).await?;
    let mine = tx
        .registration(&id)
        .await?
        .ok_or_else(|| AppError::internal("registration vanished"))?;
    tx.add_event(
        None,
        Some(id.as_str()),
        now.0,
        "registered",
        &serde_json::json!({ "role": role.as_str() }),
    )
    .await?;
    notify(app, tx, &mine, &NoticeKind::Registered, None).await?;

    let candidates: Vec<(DealId, Terms)> = tx
        .open_registrations(&key, role.other())
        .await?
        .into_iter()
        .map(|r| (r.public_id, r.terms))
        .collect();
    let (status, fields) = match best_candidate(&v.terms, &candidates) {
        None => ("waiting_for_counterpart", vec![]),
        Some((_, fields)) if !fields.is_empty() => {
            tx.set_mismatch(&id, &fields).await?;
            tx.add_event(
                None,
                Some(id.as_str()),
                now.0,
                "mismatch",
                &serde_json::json!({ "fields": fields }),
            )
            .await?;
            let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            notify(
                app,
                tx,
                &mine,
                &NoticeKind::Mismatch {
                    fields: names.clone(),
                },
                None,
            )
            .await?;
            ("mismatch", names)
        }
        Some((other_id, _)) => {
            let other = tx
                .registration(other_id)
                .await?
                .ok_or_else(|| AppError::internal("candidate vanished"))?;
            agree(app, tx, mine, other).await?;
            ("agreed", vec![])
        }
    };
    Ok(RegistrationOutcome {
        deal_id: id.to_string(),
        role: role.as_str().into(),
        status: status.into(),
        mismatched_fields: fields,
    })
}

async fn insert_with_fresh_id(
    tx: &mut Tx,
    role: Party,
    v: &ValidRegistration,
    hash: &str,
    now_ms: i64,
) -> AppResult<DealId> {
    // 44 random bits: a collision is rare, but it is checked, not assumed away.
    for _ in 0..8 {
        let id = secrets::new_deal_id();
        let new = NewRegistration {
            public_id: &id,
            role,
            terms: &v.terms,
            lang: &v.lang,
            shipping_address: v.shipping_address.as_deref(),
            bank_account: &v.bank_account,
            password_hash: hash,
            now_ms,
        };
        if tx.insert_registration(&new).await? {
            return Ok(id);
        }
    }
    Err(AppError::internal("could not draw a free deal ID"))
}

/// Both sides match: create the deal, tell both, and tell the buyer how to pay.
async fn agree(app: &App, tx: &mut Tx, a: Registration, b: Registration) -> AppResult<()> {
    let now = app.clock.now();
    let (buyer, seller) = if a.role == Party::Buyer {
        (a, b)
    } else {
        (b, a)
    };
    let price = buyer.terms.price;
    let fee = app.config.fee.fee_for(price);
    let record = DealRecord {
        id: kessai_store::new_internal_id(),
        buyer_id: buyer.public_id.clone(),
        seller_id: seller.public_id.clone(),
        item: buyer.terms.item.clone(),
        deal: Deal::agreed(price, fee, now, app.config.pay_days, app.config.ship_days),
        version: 0,
        created_at_ms: now.0,
    };
    for r in [&buyer, &seller] {
        if !tx.claim_registration(&r.public_id, &record.id).await? {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "busy",
                "the counterpart was matched at the same moment",
            ));
        }
    }
    tx.insert_deal(&record, now.0).await?;
    let detail = serde_json::json!({ "price_yen": price.0, "pay_by_ms": record.deal.pay_by.0 });
    tx.add_event(Some(&record.id), None, now.0, "agreed", &detail)
        .await?;
    let reference = buyer.public_id.as_str();
    notify(app, tx, &buyer, &NoticeKind::Agreed, None).await?;
    notify(app, tx, &seller, &NoticeKind::Agreed, None).await?;
    // The buyer pays into the deal's own account when the operator uses virtual accounts.
    let mut pay_to = app.config.collection_account.clone();
    if let Some((first, last)) = app.config.virtual_accounts {
        match tx
            .allocate_virtual_account(&record.id, first, last, now.0)
            .await?
        {
            Some(number) => pay_to.account_number = number,
            None => tracing::warn!(
                "virtual accounts {first}-{last} are used up; deal {} is paid by reference",
                record.id
            ),
        }
    }
    let payer_code = tx.allocate_payer_code(&record.id).await?;
    let pay = NoticeKind::PaymentInstructions {
        amount: price,
        pay_by: record.deal.pay_by,
        payer_code: Some(payer_code),
    };
    super::notify::notify_paying_to(app, tx, &buyer, &pay, Some(reference), &pay_to).await?;
    Ok(())
}
