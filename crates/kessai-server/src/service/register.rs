//! Registering one side of a deal and matching it with the other side (seed 000, 5001–5004).

use super::field_error::{first, FieldError, Problem};
use super::pairing;
use super::transact::IdempotencyKey;
use crate::bank_master::UnknownCode;
use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::transact_idempotent;
use crate::App;
use axum::http::StatusCode;
use kessai_core::matching::Terms;
use kessai_core::text::normalize;
use kessai_core::{AccountType, BankAccount, Party, Yen};
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
        self.check(master).map_err(|e| first(&e))
    }

    /// Like [`BankAccountInput::to_account`], every error as data.
    pub fn check(
        &self,
        master: Option<&crate::bank_master::BankMaster>,
    ) -> Result<BankAccount, Vec<FieldError>> {
        let account = BankAccount::parse_all(
            &self.bank_code,
            &self.branch_code,
            self.account_type,
            &self.account_number,
            &self.holder_name,
        )
        .map_err(|all| {
            all.into_iter()
                .map(|e| FieldError::account("bank_account", e))
                .collect::<Vec<_>>()
        })?;
        if let Some(master) = master {
            master
                .check(&account.bank_code, &account.branch_code)
                .map_err(|e| {
                    let problem = match e {
                        UnknownCode::Bank(_) => Problem::UnknownBank,
                        UnknownCode::Branch(..) => Problem::UnknownBranch,
                    };
                    vec![FieldError::new(
                        format!("bank_account.{}", e.field()),
                        problem,
                    )]
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
    /// A sign-in for this party, so that its next calls need no password (`POST
    /// /v1/registrations/{role}` only; a repeat under the same Idempotency-Key gets a new one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<super::session::SessionGrant>,
}

/// A registration whose fields are all valid.
pub struct ValidRegistration {
    pub terms: Terms,
    pub shipping_address: Option<String>,
    pub bank_account: BankAccount,
    pub password: String,
    pub lang: String,
}

/// Free text as stored: NFKC, spaces collapsed, not empty, at most [`MAX_TEXT_CHARS`].
fn text(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let v = normalize(value);
    if v.is_empty() {
        errors.push(FieldError::new(field, Problem::Required));
    } else if v.chars().count() > MAX_TEXT_CHARS {
        errors.push(FieldError::new(field, Problem::TooLong(MAX_TEXT_CHARS)));
    }
    v
}

fn email(field: &str, value: &str, errors: &mut Vec<FieldError>) -> String {
    let before = errors.len();
    let v = text(field, value, errors);
    let valid = v.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && domain.contains('.') && !v.contains(' ')
    });
    if errors.len() == before && (!valid || v.parse::<lettre::Address>().is_err()) {
        errors.push(FieldError::new(field, Problem::NotEmail));
    }
    v
}

/// Checks every field after normalizing it (`kessai_core::text`) and reports every problem.
pub fn validate(
    role: Party,
    input: &RegistrationInput,
    master: Option<&crate::bank_master::BankMaster>,
) -> Result<ValidRegistration, Vec<FieldError>> {
    let mut errors = vec![];
    let price = Yen::positive(input.price_yen);
    if price.is_none() {
        errors.push(FieldError::new("price_yen", Problem::Price));
    }
    let item = text("item", &input.item, &mut errors);
    let buyer_name = text("buyer_name", &input.buyer_name, &mut errors);
    let buyer_email = email("buyer_email", &input.buyer_email, &mut errors);
    let seller_name = text("seller_name", &input.seller_name, &mut errors);
    let seller_email = email("seller_email", &input.seller_email, &mut errors);
    if !buyer_email.is_empty() && buyer_email.eq_ignore_ascii_case(&seller_email) {
        errors.push(FieldError::new("seller_email", Problem::SameEmails));
    }
    let shipping_address = match role {
        Party::Buyer => Some(text(
            "shipping_address",
            input.shipping_address.as_deref().unwrap_or(""),
            &mut errors,
        )),
        Party::Seller => None,
    };
    let bank_account = input
        .bank_account
        .check(master)
        .map_err(|e| errors.extend(e))
        .ok();
    if input.password.chars().count() < MIN_PASSWORD_CHARS {
        errors.push(FieldError::new(
            "password",
            Problem::PasswordShort(MIN_PASSWORD_CHARS),
        ));
    }
    let lang = crate::i18n::Lang::parse(input.lang.as_deref())
        .code()
        .to_string();
    match (price, bank_account) {
        (Some(price), Some(bank_account)) if errors.is_empty() => Ok(ValidRegistration {
            terms: Terms {
                item,
                price,
                buyer_name,
                buyer_email,
                seller_name,
                seller_email,
            },
            shipping_address,
            bank_account,
            password: input.password.clone(),
            lang,
        }),
        _ => Err(errors),
    }
}

/// Validates (the first problem is the API's answer) and hashes the password, before any
/// transaction so the slow hash never holds a database lock.
pub async fn prepare(
    app: &App,
    role: Party,
    input: &RegistrationInput,
) -> AppResult<(ValidRegistration, String)> {
    let valid = validate(role, input, app.config.bank_master.as_deref()).map_err(|e| first(&e))?;
    let hash = secrets::hash_password(valid.password.clone(), app.config.password_cost).await?;
    Ok((valid, hash))
}

/// Registers one side and tries to match it.
/// With an idempotency key, a repeat of the same registration returns the first response.
pub async fn register(
    app: &App,
    role: Party,
    input: &RegistrationInput,
    key: Option<&IdempotencyKey>,
) -> AppResult<(StatusCode, String)> {
    let (valid, hash) = prepare(app, role, input).await?;
    let (status, body) =
        transact_idempotent!(*app, key, StatusCode::CREATED, |tx| pairing::register_in(
            app, tx, role, &valid, &hash
        )
        .await)?;
    with_session(app, status, body).await
}

/// Adds a session to a registration's answer. The session is not part of the stored answer
/// (the token is never stored), so a repeat of the request, which carries the same password,
/// gets a session of its own.
async fn with_session(
    app: &App,
    status: StatusCode,
    body: String,
) -> AppResult<(StatusCode, String)> {
    if status != StatusCode::CREATED {
        return Ok((status, body));
    }
    let mut outcome: serde_json::Value = serde_json::from_str(&body).map_err(AppError::internal)?;
    let id = outcome["deal_id"].as_str().unwrap_or_default();
    let id = kessai_core::DealId::parse(id).map_err(AppError::internal)?;
    let grant = super::session::open(app, &id).await?;
    outcome["session"] = serde_json::to_value(grant).map_err(AppError::internal)?;
    Ok((status, outcome.to_string()))
}
