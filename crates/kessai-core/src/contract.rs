//! A sales contract a marketplace site hands to Kessai (seed 001, 電子決済管理): who sells
//! what to whom, for how much, between which bank accounts, and on what terms. The site's
//! input is read once, here, into a typed value whose every field is checked and normalized
//! (NFKC, half-width kana for account holders); its canonical form is what a repeat of the
//! same contract number is compared by.

use crate::bank_account::{AccountType, BankAccount};
use crate::ledger::{AccountKind, Journal, JournalKind, Line};
use crate::money::Yen;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// The most a Zengin record can carry (金額 is 10 digits).
pub const MAX_AMOUNT_YEN: i64 = 9_999_999_999;
pub const MAX_NUMBER_CHARS: usize = 50;
pub const MAX_NAME_CHARS: usize = 60;
pub const MAX_ADDRESS_CHARS: usize = 200;
pub const MAX_GOODS_CHARS: usize = 100;
pub const MAX_QUANTITY: u32 = 1_000_000;

/// When the seller is paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PayoutWhen {
    /// Once the carrier reports the goods shipped.
    #[default]
    AfterShipment,
    /// Once the buyer's money is in, shipped or not.
    Regardless,
}

/// Where the buyer's money goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Debited into the operator's collection account, swept, and paid out to the seller.
    #[default]
    Pooled,
    /// Debited from the buyer straight into the seller's account, with no pooling.
    Direct,
}

impl PayoutWhen {
    pub fn as_str(self) -> &'static str {
        match self {
            PayoutWhen::AfterShipment => "after_shipment",
            PayoutWhen::Regardless => "regardless",
        }
    }
}

impl Pooling {
    pub fn as_str(self) -> &'static str {
        match self {
            Pooling::Pooled => "pooled",
            Pooling::Direct => "direct",
        }
    }
}

/// An account as the site writes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    #[schema(max_length = 8)]
    pub bank_code: String,
    #[schema(max_length = 8)]
    pub branch_code: String,
    /// `ordinary` (普通), `current` (当座) or `savings` (貯蓄).
    #[schema(max_length = 10)]
    pub account_type: String,
    #[schema(max_length = 16)]
    pub account_number: String,
    /// As the bank holds it: katakana (full- or half-width), written half-width.
    #[schema(max_length = 60)]
    pub holder_name: String,
}

/// The buyer or the seller as the site writes them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    #[schema(max_length = 60)]
    pub name: String,
    #[schema(max_length = 200)]
    pub address: String,
    pub account: AccountInput,
    /// Where Kessai emails this party at each step of the contract (optional).
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoodsInput {
    #[schema(max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub model: String,
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: i64,
}

/// A contract as the site sends it (one JSON object, one JSON line, or one CSV row).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContractInput {
    /// The site's own number for the contract, unique per site.
    #[schema(max_length = 50)]
    pub number: String,
    #[schema(minimum = 1, maximum = 9999999999i64)]
    pub amount_yen: i64,
    pub buyer: PartyInput,
    pub seller: PartyInput,
    pub goods: GoodsInput,
    /// For a bill (手形): the buyer is debited on this date (the next business day when it is
    /// a bank holiday) and the goods ship without waiting. `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(max_length = 10)]
    pub due_date: Option<String>,
    /// `after_shipment` (default) or `regardless`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub payout: Option<String>,
    /// `pooled` (default) or `direct`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub pooling: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContractParty {
    pub name: String,
    pub address: String,
    pub account: BankAccount,
    /// Left out of the canonical form when absent, so that contracts stored before parties
    /// had emails keep their digest (a replay of one is still a replay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goods {
    pub name: String,
    pub model: String,
    pub quantity: u32,
}

/// A checked contract. Field order is the canonical form's order: do not reorder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contract {
    pub number: String,
    pub amount: Yen,
    pub buyer: ContractParty,
    pub seller: ContractParty,
    pub goods: Goods,
    /// `YYYY-MM-DD`, a real date ([`Contract::due`] as a date).
    pub due_date: Option<String>,
    pub payout: PayoutWhen,
    pub pooling: Pooling,
}

/// One field at fault: its path in the input (`buyer.account.bank_code`) and why.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ContractFieldError {
    pub field: String,
    pub reason: String,
}

impl Contract {
    /// Checks every field and reports every problem, in field order.
    pub fn parse(input: &ContractInput) -> Result<Contract, Vec<ContractFieldError>> {
        let mut errors = vec![];
        let number = text(&mut errors, "number", &input.number, MAX_NUMBER_CHARS);
        let amount = match Yen::positive(input.amount_yen) {
            Some(yen) if yen.0 <= MAX_AMOUNT_YEN => Some(yen),
            _ => {
                errors.push(problem(
                    "amount_yen",
                    format!("must be a whole number of yen from 1 to {MAX_AMOUNT_YEN}"),
                ));
                None
            }
        };
        let buyer = party(&mut errors, "buyer", &input.buyer);
        let seller = party(&mut errors, "seller", &input.seller);
        let goods_name = text(
            &mut errors,
            "goods.name",
            &input.goods.name,
            MAX_GOODS_CHARS,
        );
        let model = optional_text(
            &mut errors,
            "goods.model",
            &input.goods.model,
            MAX_GOODS_CHARS,
        );
        let quantity = match u32::try_from(input.goods.quantity) {
            Ok(q) if (1..=MAX_QUANTITY).contains(&q) => Some(q),
            _ => {
                errors.push(problem(
                    "goods.quantity",
                    format!("must be a whole number from 1 to {MAX_QUANTITY}"),
                ));
                None
            }
        };
        let due_date = match input.due_date.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(s) => match parse_date(s) {
                Some(d) => Some(Some(format_date(d))),
                None => {
                    errors.push(problem("due_date", "must be a date as YYYY-MM-DD"));
                    None
                }
            },
        };
        let payout = choice(
            &mut errors,
            "payout",
            input.payout.as_deref(),
            &[PayoutWhen::AfterShipment, PayoutWhen::Regardless],
            PayoutWhen::as_str,
        );
        let pooling = choice(
            &mut errors,
            "pooling",
            input.pooling.as_deref(),
            &[Pooling::Pooled, Pooling::Direct],
            Pooling::as_str,
        );
        // Debited straight into the seller's account, the seller has the money at the debit:
        // a payout after shipment cannot be kept to, so it is refused, and the default is
        // regardless.
        let given_payout = input
            .payout
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let payout = match (payout, pooling) {
            (Some(_), Some(Pooling::Direct)) if given_payout.is_none() => {
                Some(PayoutWhen::Regardless)
            }
            (Some(PayoutWhen::AfterShipment), Some(Pooling::Direct)) => {
                errors.push(problem(
                    "payout",
                    "must be regardless when pooling is direct: the seller is paid by the debit itself",
                ));
                None
            }
            (payout, _) => payout,
        };
        match (
            number, amount, buyer, seller, goods_name, model, quantity, due_date, payout, pooling,
        ) {
            (
                Some(number),
                Some(amount),
                Some(buyer),
                Some(seller),
                Some(name),
                Some(model),
                Some(quantity),
                Some(due_date),
                Some(payout),
                Some(pooling),
            ) if errors.is_empty() => Ok(Contract {
                number,
                amount,
                buyer,
                seller,
                goods: Goods {
                    name,
                    model,
                    quantity,
                },
                due_date,
                payout,
                pooling,
            }),
            _ => Err(errors),
        }
    }
}

pub(crate) fn problem(field: &str, reason: impl Into<String>) -> ContractFieldError {
    ContractFieldError {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// A required text of at most `max` characters, NFKC-normalized and trimmed, with no control
/// characters (a CSV cell or JSON string may carry any).
pub(crate) fn text(
    errors: &mut Vec<ContractFieldError>,
    field: &str,
    s: &str,
    max: usize,
) -> Option<String> {
    match optional_text(errors, field, s, max)? {
        t if t.is_empty() => {
            errors.push(problem(field, "is required"));
            None
        }
        t => Some(t),
    }
}

pub(crate) fn optional_text(
    errors: &mut Vec<ContractFieldError>,
    field: &str,
    s: &str,
    max: usize,
) -> Option<String> {
    let t = crate::text::normalize(s).trim().to_string();
    if t.chars().any(char::is_control) {
        errors.push(problem(field, "must not contain control characters"));
        return None;
    }
    if t.chars().count() > max {
        errors.push(problem(field, format!("must be at most {max} characters")));
        return None;
    }
    Some(t)
}

fn choice<T: Copy + Default>(
    errors: &mut Vec<ContractFieldError>,
    field: &str,
    given: Option<&str>,
    all: &[T],
    name: fn(T) -> &'static str,
) -> Option<T> {
    match given.map(str::trim) {
        None | Some("") => Some(T::default()),
        Some(s) => match all.iter().copied().find(|t| name(*t) == s) {
            Some(t) => Some(t),
            None => {
                let names: Vec<&str> = all.iter().map(|t| name(*t)).collect();
                errors.push(problem(field, format!("must be {}", names.join(" or "))));
                None
            }
        },
    }
}

/// A bank account as typed, every field checked; problems are reported under `prefix`
/// (`seller.account.branch_code`).
pub fn account(
    errors: &mut Vec<ContractFieldError>,
    prefix: &str,
    a: &AccountInput,
) -> Option<BankAccount> {
    let Some(account_type) = AccountType::parse(a.account_type.trim()) else {
        errors.push(problem(
            &format!("{prefix}.account_type"),
            "must be ordinary, current or savings",
        ));
        return None;
    };
    BankAccount::parse_all(
        &a.bank_code,
        &a.branch_code,
        account_type,
        &a.account_number,
        &a.holder_name,
    )
    .map_err(|all| {
        for e in all {
            errors.push(problem(
                &format!("{prefix}.{}", e.field),
                e.problem.to_string(),
            ));
        }
    })
    .ok()
}

fn party(
    errors: &mut Vec<ContractFieldError>,
    prefix: &str,
    p: &PartyInput,
) -> Option<ContractParty> {
    let name = text(errors, &format!("{prefix}.name"), &p.name, MAX_NAME_CHARS);
    let address = text(
        errors,
        &format!("{prefix}.address"),
        &p.address,
        MAX_ADDRESS_CHARS,
    );
    let account = account(errors, &format!("{prefix}.account"), &p.account);
    let email = match p.email.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(e) if is_email(e) => Some(Some(e.to_string())),
        Some(_) => {
            errors.push(problem(
                &format!("{prefix}.email"),
                "must be an email address (name@example.jp), at most 254 characters",
            ));
            None
        }
    };
    Some(ContractParty {
        name: name?,
        address: address?,
        account: account?,
        email: email?,
    })
}

/// A plausible email address: one `@` with something before it and a dotted domain after,
/// no spaces or control characters, at most 254 characters (RFC 5321's path limit).
pub(crate) fn is_email(s: &str) -> bool {
    s.len() <= 254
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.split('.').count() >= 2
                && domain.split('.').all(|part| !part.is_empty())
        })
}

const DATE: &[time::format_description::BorrowedFormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

/// `YYYY-MM-DD`, a real date.
pub fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, DATE).ok()
}

pub fn format_date(d: Date) -> String {
    d.format(DATE).expect("a date formats")
}

impl Contract {
    /// The due date of a bill, as a date.
    pub fn due(&self) -> Option<Date> {
        self.due_date.as_deref().and_then(parse_date)
    }
}

/// A contract's debit track: requested once, then debited or failed (the bank's reason is
/// kept with the debit).
pub mod debit {
    pub const NOT_REQUESTED: &str = "not_requested";
    pub const REQUESTED: &str = "requested";
    pub const DEBITED: &str = "debited";
    pub const FAILED: &str = "failed";
}

pub mod payout;
pub mod plan;

/// A contract's delivery track: instructed to the carrier once, then shipped. A bill (a
/// contract with a due date) ships without waiting for its debit.
pub mod delivery {
    pub const WAITING: &str = "waiting";
    pub const INSTRUCTED: &str = "instructed";
    pub const SHIPPED: &str = "shipped";
}

/// The one word a site reads for where a contract stands: the furthest step of its tracks.
pub fn status(debit_state: &str, delivery_state: &str, payout_state: &str) -> &'static str {
    match (debit_state, delivery_state) {
        _ if payout_state == payout::PAID => "paid",
        _ if payout_state == payout::INSTRUCTED => "payout_instructed",
        (_, delivery::SHIPPED) => "shipped",
        (_, delivery::INSTRUCTED) => "delivery_instructed",
        (debit::FAILED, _) => "debit_failed",
        (debit::DEBITED, _) => "debited",
        (debit::REQUESTED, _) => "debit_requested",
        _ => "accepted",
    }
}

/// What the buyer's bank did with a contract's direct debit (Zengin 振替結果コード, or the
/// reason of an ISO status report).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DebitOutcome {
    Debited,
    InsufficientFunds,
    NoAccount,
    StoppedByPayer,
    NoAgreement,
    StoppedByCollector,
    Other,
}

impl DebitOutcome {
    pub const ALL: [DebitOutcome; 7] = [
        DebitOutcome::Debited,
        DebitOutcome::InsufficientFunds,
        DebitOutcome::NoAccount,
        DebitOutcome::StoppedByPayer,
        DebitOutcome::NoAgreement,
        DebitOutcome::StoppedByCollector,
        DebitOutcome::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DebitOutcome::Debited => "debited",
            DebitOutcome::InsufficientFunds => "insufficient_funds",
            DebitOutcome::NoAccount => "no_account",
            DebitOutcome::StoppedByPayer => "stopped_by_payer",
            DebitOutcome::NoAgreement => "no_agreement",
            DebitOutcome::StoppedByCollector => "stopped_by_collector",
            DebitOutcome::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<DebitOutcome> {
        DebitOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }

    /// The contract's debit state once its bank answered.
    pub fn debit_state(self) -> &'static str {
        match self {
            DebitOutcome::Debited => debit::DEBITED,
            _ => debit::FAILED,
        }
    }

    /// The journal the answer posts: a debited contract's money is in the operator's account
    /// it was debited into and held for the contract; a failed debit moved no money, and
    /// neither did one debited straight into the seller's account (Kessai never held it).
    pub fn journal(self, amount: Yen, into: &PaidInto) -> Option<Journal> {
        let bank = match into {
            PaidInto::Main => AccountKind::BankClearing,
            PaidInto::Collection(_) => AccountKind::CollectionBank,
            PaidInto::Seller => return None,
        };
        (self == DebitOutcome::Debited).then(|| Journal {
            kind: JournalKind::Collect,
            lines: vec![
                Line {
                    account: bank,
                    amount_yen: amount.0,
                },
                Line {
                    account: AccountKind::Held,
                    amount_yen: -amount.0,
                },
            ],
        })
    }
}

/// The account a direct debit pays into: the operator's main account, its collection account
/// at another bank (swept to the main one later), or — with no pooling — the seller's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PaidInto {
    Main,
    /// The operator's collection account at this bank (its code).
    Collection(String),
    Seller,
}

impl PaidInto {
    /// As stored: `main`, `collection:<bank code>`, `seller`.
    pub fn to_stored(&self) -> String {
        match self {
            PaidInto::Main => "main".into(),
            PaidInto::Collection(code) => format!("collection:{code}"),
            PaidInto::Seller => "seller".into(),
        }
    }

    pub fn parse(s: &str) -> Option<PaidInto> {
        match s {
            "main" => Some(PaidInto::Main),
            "seller" => Some(PaidInto::Seller),
            _ => s
                .strip_prefix("collection:")
                .filter(|c| c.len() == 4 && c.bytes().all(|b| b.is_ascii_digit()))
                .map(|c| PaidInto::Collection(c.into())),
        }
    }

    /// The operator bank whose ledger account the journal names, where it is a collection one.
    pub fn collection_bank(&self) -> Option<&str> {
        match self {
            PaidInto::Collection(code) => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
