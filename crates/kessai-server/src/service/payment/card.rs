//! Paying an order by card (seed 003, クレジットカード決済): the card is typed on Kessai's own
//! page only; Kessai checks it (Luhn, expiry, security code), records the attempt, asks the
//! card processor for an authorization (a hold at the issuer), and moves the order —
//! authorized, or declined and payable another way. The merchant captures when it ships (or
//! Kessai at once, per the merchant), voids before capture, refunds in full or in parts after.
//!
//! Every call to the processor carries an `Idempotency-Key` derived from Kessai's own record
//! (the attempt's ID; `capture:`/`void:`/`refund:` and the state the call starts from), so a
//! call repeated after a crash or a lost answer gets the first answer and moves no money
//! twice. Kept: the processor's token, brand, last four digits, and the number sealed
//! ([`super::seal`]); the security code goes to the processor in memory and nowhere else — no
//! row, no log line, no error message carries it.

use super::{seal, Attempt, PaymentMethod};
use crate::error::{AppError, AppResult};
use crate::service::merchant::{CardCapture, Merchant};
use crate::service::order::transition;
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::order::{self, Method, OrderEvent, OrderStatus};
use kessai_core::Yen;
use kessai_store::{CardAnswer, CardPaymentRecord, OrderRecord};
use serde_json::{json, Value};
use std::sync::OnceLock;

/// What the buyer types.
pub struct CardInput {
    pub number: String,
    /// `MM/YY` (or `MM/YYYY`).
    pub expiry: String,
    pub cvc: String,
}

/// A card as checked: digits only, expiry as (year, month).
struct CheckedCard {
    pan: String,
    exp_year: u32,
    exp_month: u32,
}

/// A field the buyer must correct, and why (the page words it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardFieldError {
    pub field: &'static str,
    pub code: &'static str,
}

/// Checks what the buyer typed against today's month (JST); every field at fault.
fn check(input: &CardInput, today: time::Date) -> Result<CheckedCard, Vec<CardFieldError>> {
    let mut errors = vec![];
    let pan: String = input
        .number
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if !kessai_formats::card::luhn(&pan) {
        errors.push(CardFieldError {
            field: "number",
            code: "invalid_number",
        });
    }
    let expiry = input.expiry.trim().split_once('/').and_then(|(m, y)| {
        let month: u32 = m.trim().parse().ok()?;
        let year: u32 = y.trim().parse().ok()?;
        let year = if year < 100 { 2000 + year } else { year };
        (1..=12).contains(&month).then_some((year, month))
    });
    let now = (today.year() as u32, u32::from(u8::from(today.month())));
    let (exp_year, exp_month) = match expiry {
        Some(e) if e >= now => e,
        Some(_) => {
            errors.push(CardFieldError {
                field: "expiry",
                code: "expired",
            });
            (0, 0)
        }
        None => {
            errors.push(CardFieldError {
                field: "expiry",
                code: "invalid_expiry",
            });
            (0, 0)
        }
    };
    let cvc = input.cvc.trim();
    let cvc_len = if kessai_formats::card::brand(&pan) == "amex" {
        4
    } else {
        3
    };
    if cvc.len() != cvc_len || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        errors.push(CardFieldError {
            field: "cvc",
            code: "invalid_cvc",
        });
    }
    if errors.is_empty() {
        Ok(CheckedCard {
            pan,
            exp_year,
            exp_month,
        })
    } else {
        Err(errors)
    }
}

/// The buyer's input had fields to correct.
#[derive(Debug)]
pub struct CardRefused(pub Vec<CardFieldError>);

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client")
    })
}

fn not_configured() -> AppError {
    AppError::new(
        StatusCode::CONFLICT,
        "method_unavailable",
        "card payments are not set up on this server",
    )
}

/// One call to the processor: its status and JSON answer, or `None` when no answer came
/// (refused connection, timeout).
async fn call(app: &App, path: &str, key: &str, body: &Value) -> AppResult<Option<(u16, Value)>> {
    let base = app
        .config
        .card_processor_url
        .as_deref()
        .ok_or_else(not_configured)?;
    let sent = client()
        .post(format!("{base}{path}"))
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await;
    let response = match sent {
        Ok(r) => r,
        Err(e) => {
            // reqwest's error names the URL only, never the body.
            tracing::warn!(%path, "the card processor did not answer: {e}");
            return Ok(None);
        }
    };
    let status = response.status().as_u16();
    let answer = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok(Some((status, answer)))
}

fn wrong_state(status: &str) -> AppError {
    AppError::new(
        StatusCode::CONFLICT,
        "illegal_transition",
        format!("the order is {status}: no card authorization to move"),
    )
}

fn processor_failed(what: &str) -> AppError {
    AppError::new(
        StatusCode::BAD_GATEWAY,
        "processor_unavailable",
        format!("the card processor did not {what}; nothing changed, try again"),
    )
}

pub struct Card;

/// The order's card attempt in `status` (the authorization that holds or took the money).
async fn attempt_in(app: &App, order: &OrderRecord, status: &str) -> AppResult<CardPaymentRecord> {
    app.store
        .card_payments(&order.id)
        .await?
        .into_iter()
        .find(|c| c.status == status)
        .ok_or_else(|| wrong_state(&order.status))
}

impl Card {
    /// Checks the buyer's card; the problems to show next to the fields, if any.
    pub fn check(&self, input: &CardInput, app: &App) -> Result<(), CardRefused> {
        check(input, crate::i18n::date_jst(app.clock.now()))
            .map(|_| ())
            .map_err(CardRefused)
    }

    /// Captures the order's authorization (売上確定): the processor moves the money, and the
    /// books hold it for the merchant.
    pub async fn capture(&self, app: &App, order: &OrderRecord) -> AppResult<OrderRecord> {
        let hold = attempt_in(app, order, "authorized").await?;
        let auth = hold.processor_id.clone().unwrap_or_default();
        let key = format!("capture:{}", hold.id);
        let answer = call(
            app,
            &format!("/v1/authorizations/{auth}/capture"),
            &key,
            &json!({ "amount_yen": hold.amount_yen }),
        )
        .await?;
        match answer {
            Some((200, _)) => {}
            _ => return Err(processor_failed("capture the authorization")),
        }
        let now = app.clock.now().0;
        transact!(*app, |tx| {
            if !tx
                .move_card_payment(&hold.id, "authorized", "captured", hold.amount_yen, 0, now)
                .await?
            {
                return Err(AppError::busy("the authorization moved at the same moment"));
            }
            let moved = transition(
                tx,
                &order.id,
                OrderEvent::Capture,
                Some(Method::Card),
                &json!({ "captured_yen": hold.amount_yen }),
                now,
            )
            .await?;
            tx.post_journal(
                Some(&order.id),
                &order::card_captured(Yen(hold.amount_yen)),
                "card_capture",
                now,
            )
            .await?;
            Ok(moved)
        })
    }

    /// Releases the order's authorization before capture; the order is cancelled.
    pub async fn void(&self, app: &App, order: &OrderRecord) -> AppResult<OrderRecord> {
        let hold = attempt_in(app, order, "authorized").await?;
        let auth = hold.processor_id.clone().unwrap_or_default();
        let answer = call(
            app,
            &format!("/v1/authorizations/{auth}/void"),
            &format!("void:{}", hold.id),
            &json!({}),
        )
        .await?;
        if !matches!(answer, Some((200, _))) {
            return Err(processor_failed("void the authorization"));
        }
        let now = app.clock.now().0;
        transact!(*app, |tx| {
            if !tx
                .move_card_payment(&hold.id, "authorized", "voided", 0, 0, now)
                .await?
            {
                return Err(AppError::busy("the authorization moved at the same moment"));
            }
            transition(
                tx,
                &order.id,
                OrderEvent::Void,
                None,
                &json!({ "by": "merchant" }),
                now,
            )
            .await
        })
    }
}

impl Card {
    /// Gives back `amount_yen` of what the capture took, through the processor.
    pub async fn refund(
        &self,
        app: &App,
        order: &OrderRecord,
        amount_yen: i64,
    ) -> AppResult<OrderRecord> {
        let hold = attempt_in(app, order, "captured").await?;
        let left = hold.captured_yen - hold.refunded_yen;
        if amount_yen <= 0 || amount_yen > left {
            return Err(AppError::invalid(
                "amount_yen",
                format!("amount_yen must be from 1 to {left} (what is captured and not refunded)"),
            ));
        }
        let auth = hold.processor_id.clone().unwrap_or_default();
        // The key names the refund by where it starts: a retry of this one is the same call,
        // the next refund (after this one is recorded) another.
        let key = format!("refund:{}:{}", hold.id, hold.refunded_yen);
        let answer = call(
            app,
            &format!("/v1/authorizations/{auth}/refunds"),
            &key,
            &json!({ "amount_yen": amount_yen }),
        )
        .await?;
        if !matches!(answer, Some((200, _))) {
            return Err(processor_failed("refund"));
        }
        let now = app.clock.now().0;
        let refunded = hold.refunded_yen + amount_yen;
        transact!(*app, |tx| {
            if !tx
                .move_card_payment(
                    &hold.id,
                    "captured",
                    "captured",
                    hold.captured_yen,
                    refunded,
                    now,
                )
                .await?
            {
                return Err(AppError::busy("the card payment moved at the same moment"));
            }
            let rest = Yen(order.amount_yen - refunded);
            let moved = transition(
                tx,
                &order.id,
                OrderEvent::Refund { rest },
                None,
                &json!({ "refunded_yen": amount_yen }),
                now,
            )
            .await?;
            tx.post_journal(
                Some(&order.id),
                &order::card_refunded(Yen(amount_yen)),
                "card_refund",
                now,
            )
            .await?;
            Ok(moved)
        })
    }

    /// Closes an attempt whose answer could not move its order: voids its authorization, if
    /// it got one, and records the answer alone. Best effort: a failure is logged, and the
    /// attempt stays `pending` for the operator.
    async fn close_unused(
        &self,
        app: &App,
        attempt_id: &str,
        status: &str,
        processor_id: Option<&str>,
        code: Option<&str>,
    ) {
        let mut closed = status;
        if status == "authorized" {
            let auth = processor_id.unwrap_or_default();
            let voided = call(
                app,
                &format!("/v1/authorizations/{auth}/void"),
                &format!("void:{attempt_id}"),
                &json!({}),
            )
            .await;
            closed = match voided {
                Ok(Some((200, _))) => "voided",
                _ => {
                    tracing::error!(attempt = %attempt_id, "an unused authorization could not be voided");
                    return;
                }
            };
        }
        let now = app.clock.now().0;
        let answer = CardAnswer {
            status: closed,
            processor_id,
            token: None,
            decline_code: code,
        };
        let recorded = transact!(*app, |tx| Ok(tx
            .answer_card_payment(attempt_id, &answer, now)
            .await?));
        if let Err(e) = recorded {
            tracing::error!(attempt = %attempt_id, "an unused card attempt was not closed: {}", e.message);
        }
    }
}

impl PaymentMethod for Card {
    type Input = CardInput;

    async fn pay(
        &self,
        app: &App,
        merchant: &Merchant,
        order: &OrderRecord,
        input: &CardInput,
    ) -> AppResult<Attempt> {
        let key = app.config.card_data_key.ok_or_else(not_configured)?;
        if !merchant.methods.contains(&Method::Card) {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "method_unavailable",
                "this shop does not take cards",
            ));
        }
        let status = OrderStatus::parse(&order.status)
            .ok_or_else(|| AppError::internal(format!("order status {}", order.status)))?;
        if !status.payable() {
            return Err(wrong_state(&order.status));
        }
        let card = check(input, crate::i18n::date_jst(app.clock.now())).map_err(|errors| {
            AppError::invalid(errors[0].field, format!("card: {}", errors[0].code))
        })?;
        let now = app.clock.now().0;
        let attempt = CardPaymentRecord {
            id: kessai_store::new_internal_id(),
            order_id: order.id.clone(),
            status: "pending".into(),
            amount_yen: order.amount_yen,
            processor_id: None,
            token: None,
            brand: kessai_formats::card::brand(&card.pan).into(),
            last4: card.pan[card.pan.len() - 4..].to_string(),
            pan_sealed: seal::seal(&key, &card.pan),
            decline_code: None,
            captured_yen: 0,
            refunded_yen: 0,
            created_at_ms: now,
            updated_at_ms: now,
        };
        // Recorded before the processor is asked: an answer lost to a crash leaves the attempt
        // pending under its ID, which is the call's idempotency key.
        transact!(*app, |tx| Ok(tx.insert_card_payment(&attempt).await?))?;
        let answer = call(
            app,
            "/v1/authorizations",
            &attempt.id,
            &json!({
                "pan": card.pan,
                "exp_month": card.exp_month,
                "exp_year": card.exp_year,
                "cvc": input.cvc.trim(),
                "amount_yen": order.amount_yen,
                "reference": order.id,
            }),
        )
        .await?;
        let (status, code, processor_id, token) = match &answer {
            Some((201, a)) => (
                "authorized",
                None,
                a["id"].as_str().map(str::to_string),
                a["token"].as_str().map(str::to_string),
            ),
            Some((402, a)) => (
                "declined",
                Some(a["code"].as_str().unwrap_or("card_declined").to_string()),
                None,
                None,
            ),
            Some((_, a)) => (
                "error",
                Some(a["code"].as_str().unwrap_or("processing_error").to_string()),
                None,
                None,
            ),
            None => ("error", Some("processing_error".to_string()), None, None),
        };
        let now = app.clock.now().0;
        let moved = transact!(*app, |tx| {
            let recorded = CardAnswer {
                status,
                processor_id: processor_id.as_deref(),
                token: token.as_deref(),
                decline_code: code.as_deref(),
            };
            if !tx.answer_card_payment(&attempt.id, &recorded, now).await? {
                return Err(AppError::busy(
                    "the card attempt was answered at the same moment",
                ));
            }
            let (event, detail) = match status {
                "authorized" => (
                    OrderEvent::Authorize,
                    json!({ "brand": attempt.brand, "last4": attempt.last4 }),
                ),
                _ => (
                    OrderEvent::Decline,
                    json!({ "code": code, "brand": attempt.brand, "last4": attempt.last4 }),
                ),
            };
            transition(tx, &order.id, event, Some(Method::Card), &detail, now).await
        });
        let moved = match moved {
            Ok(moved) => moved,
            Err(e) => {
                // The order moved on while the processor answered (another attempt won, a
                // cancel): the attempt is closed with its answer, and an authorization it got
                // is released at once rather than left to lapse at the issuer.
                self.close_unused(
                    app,
                    &attempt.id,
                    status,
                    processor_id.as_deref(),
                    code.as_deref(),
                )
                .await;
                return Err(e);
            }
        };
        if status != "authorized" {
            return Ok(Attempt::Refused {
                code: code.unwrap_or_default(),
            });
        }
        let moved = match merchant.card_capture {
            CardCapture::Immediate => self.capture(app, &moved).await?,
            CardCapture::OnShipment => moved,
        };
        Ok(Attempt::Accepted {
            status: moved.status,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(number: &str, expiry: &str, cvc: &str) -> CardInput {
        CardInput {
            number: number.into(),
            expiry: expiry.into(),
            cvc: cvc.into(),
        }
    }

    #[test]
    fn a_card_is_checked_field_by_field_before_any_processor_call() {
        let today = time::macros::date!(2026 - 12 - 04);
        let ok = check(&input("4242 4242 4242 4242", "12/26", "123"), today).unwrap();
        assert_eq!(
            (ok.pan.as_str(), ok.exp_year, ok.exp_month),
            ("4242424242424242", 2026, 12)
        );
        assert!(check(&input("3782-822463-10005", "01/2030", "1234"), today).is_ok());
        let fields = |i: CardInput| -> Vec<&'static str> {
            check(&i, today)
                .err()
                .unwrap()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(input("4242424242424241", "11/26", "12")),
            ["number", "expiry", "cvc"]
        );
        assert_eq!(
            fields(input("4242424242424242", "13/27", "123")),
            ["expiry"]
        );
        assert_eq!(fields(input("378282246310005", "12/27", "123")), ["cvc"]);
    }
}
