//! An order as the merchant sends it, read once into a checked value; its canonical JSON is what
//! a repeat of the same order number is compared by (the same content is a replay, other
//! content a conflict).

use crate::contract::{is_email, optional_text, problem, text, ContractFieldError as FieldError};
use crate::money::Yen;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A konbini slip carries at most ¥300,000 (the agents' usual cap), and a card or transfer
/// order here at most the largest amount a Zengin record carries.
pub const MAX_ORDER_YEN: i64 = 9_999_999_999;
pub const MAX_ITEMS: usize = 100;
pub const MAX_NUMBER_CHARS: usize = 50;
pub const MAX_ITEM_CHARS: usize = 100;
pub const MAX_PROTECTION_DAYS: u32 = 30;
pub const MAX_EXPIRY_DAYS: u32 = 60;
/// Days an unpaid order waits for the buyer unless the merchant says otherwise.
pub const DEFAULT_EXPIRY_DAYS: u32 = 7;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderItemInput {
    #[schema(max_length = 100)]
    pub name: String,
    #[schema(minimum = 1, maximum = 1000000)]
    pub quantity: i64,
    #[schema(minimum = 0)]
    pub unit_price_yen: i64,
}

/// An order as the merchant sends it (`POST /v1/orders`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderInput {
    /// The merchant's own order number, unique per merchant.
    #[schema(max_length = 50)]
    pub number: String,
    /// What the buyer pays: the items' total.
    #[schema(minimum = 1, maximum = 9999999999i64)]
    pub amount_yen: i64,
    pub items: Vec<OrderItemInput>,
    /// Where Kessai emails the buyer (payment instructions, receipts); optional.
    #[serde(default)]
    #[schema(max_length = 254)]
    pub buyer_email: Option<String>,
    #[serde(default)]
    #[schema(max_length = 60)]
    pub buyer_name: Option<String>,
    /// The merchant confirms its stock (`POST /v1/orders/{id}/accept`) before the buyer is
    /// asked to pay.
    #[serde(default)]
    pub acceptance_required: bool,
    /// Buyer protection: after payment the buyer has this many days to accept or ask for a
    /// return; silence releases the money to the merchant. Absent: no protection.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 30)]
    pub protection_days: Option<u32>,
    /// Days the buyer has to pay (default 7).
    #[serde(default)]
    #[schema(minimum = 1, maximum = 60)]
    pub expires_in_days: Option<u32>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    pub name: String,
    pub quantity: u32,
    pub unit_price: Yen,
}

/// A checked order. Field order is the canonical form's order: do not reorder.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub number: String,
    pub amount: Yen,
    pub items: Vec<OrderItem>,
    pub buyer_email: Option<String>,
    pub buyer_name: Option<String>,
    pub acceptance_required: bool,
    pub protection_days: Option<u32>,
    pub expires_in_days: u32,
}

impl Order {
    /// Checks every field and reports every problem, in field order.
    pub fn parse(input: &OrderInput) -> Result<Order, Vec<FieldError>> {
        let mut errors = vec![];
        let number = text(&mut errors, "number", &input.number, MAX_NUMBER_CHARS);
        if number
            .as_deref()
            .is_some_and(|n| !n.chars().all(|c| c.is_ascii_graphic()))
        {
            errors.push(problem(
                "number",
                "must be ASCII letters, digits and signs (no spaces)",
            ));
        }
        let amount = match Yen::positive(input.amount_yen) {
            Some(yen) if yen.0 <= MAX_ORDER_YEN => Some(yen),
            _ => {
                errors.push(problem(
                    "amount_yen",
                    format!("must be a whole number of yen from 1 to {MAX_ORDER_YEN}"),
                ));
                None
            }
        };
        if input.items.is_empty() || input.items.len() > MAX_ITEMS {
            errors.push(problem(
                "items",
                format!("must list 1 to {MAX_ITEMS} items"),
            ));
        }
        let mut items = Vec::with_capacity(input.items.len());
        let mut total: Option<i64> = Some(0);
        for (i, item) in input.items.iter().enumerate() {
            let field = |f: &str| format!("items[{i}].{f}");
            let name = text(&mut errors, &field("name"), &item.name, MAX_ITEM_CHARS);
            let quantity = u32::try_from(item.quantity)
                .ok()
                .filter(|q| (1..=1_000_000).contains(q));
            if quantity.is_none() {
                errors.push(problem(&field("quantity"), "must be from 1 to 1000000"));
            }
            if !(0..=MAX_ORDER_YEN).contains(&item.unit_price_yen) {
                errors.push(problem(
                    &field("unit_price_yen"),
                    format!("must be from 0 to {MAX_ORDER_YEN}"),
                ));
            }
            total = match (total, quantity) {
                (Some(t), Some(q)) => i64::from(q)
                    .checked_mul(item.unit_price_yen)
                    .and_then(|line| t.checked_add(line)),
                _ => None,
            };
            if let (Some(name), Some(quantity)) = (name, quantity) {
                items.push(OrderItem {
                    name,
                    quantity,
                    unit_price: Yen(item.unit_price_yen),
                });
            }
        }
        if let (Some(amount), Some(total)) = (amount, total) {
            if !input.items.is_empty() && total != amount.0 {
                errors.push(problem(
                    "amount_yen",
                    format!("must be the items' total ({total} yen)"),
                ));
            }
        }
        let buyer_email = input
            .buyer_email
            .as_deref()
            .and_then(|e| optional_text(&mut errors, "buyer_email", e, 254))
            .filter(|e| !e.is_empty());
        if buyer_email.as_deref().is_some_and(|e| !is_email(e)) {
            errors.push(problem("buyer_email", "must be an email address"));
        }
        let buyer_name = input
            .buyer_name
            .as_deref()
            .and_then(|n| optional_text(&mut errors, "buyer_name", n, 60))
            .filter(|n| !n.is_empty());
        if input
            .protection_days
            .is_some_and(|d| !(1..=MAX_PROTECTION_DAYS).contains(&d))
        {
            errors.push(problem(
                "protection_days",
                format!("must be from 1 to {MAX_PROTECTION_DAYS}"),
            ));
        }
        let expires_in_days = input.expires_in_days.unwrap_or(DEFAULT_EXPIRY_DAYS);
        if !(1..=MAX_EXPIRY_DAYS).contains(&expires_in_days) {
            errors.push(problem(
                "expires_in_days",
                format!("must be from 1 to {MAX_EXPIRY_DAYS}"),
            ));
        }
        match (number, amount) {
            (Some(number), Some(amount)) if errors.is_empty() => Ok(Order {
                number,
                amount,
                items,
                buyer_email,
                buyer_name,
                acceptance_required: input.acceptance_required,
                protection_days: input.protection_days,
                expires_in_days,
            }),
            _ => Err(errors),
        }
    }
}
