//! The card processor (カード会社・アクワイアラ) as an HTTP server on loopback, with the test
//! numbers card processors conventionally use (`standards/cards.md`): it answers
//! authorization, capture, void and refund the way a processor's API does, so Kessai's card
//! method talks to it over a real socket.
//!
//! - `POST /v1/authorizations` `{pan, exp_month, exp_year, cvc, amount_yen, reference}` →
//!   `201 {id, status: "authorized", token, brand, last4}`; a decline is `402 {status:
//!   "declined", code}` with `card_declined` (4000000000000002), `expired_card`
//!   (4000000000000069, or an expiry in the past), `incorrect_cvc` (4000000000000127, or a CVC
//!   of the wrong length); `4000000000000119` is `503 {code: "processing_error"}`; a number
//!   that fails Luhn is `422 {code: "invalid_number"}`.
//! - `POST /v1/authorizations/{id}/capture` `{amount_yen}` (at most the authorized amount) →
//!   `200 {status: "captured", captured_yen}`.
//! - `POST /v1/authorizations/{id}/void` → `200 {status: "voided"}` (before capture only).
//! - `POST /v1/authorizations/{id}/refunds` `{amount_yen}` → `200 {refund_id, refunded_yen}`
//!   (at most what was captured, in one or several refunds).
//!
//! Every POST may carry `Idempotency-Key`: the same key answers the first answer again, so a
//! client that lost an answer (a crash, a timeout) retries without charging twice. A wrong
//! move (capture after void, refund beyond the capture) is `409 {code: "invalid_state"}`.
//! The simulator keeps only the last four digits and its token of each card.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

pub use kessai_formats::card::{brand, luhn};

/// The numbers that do not approve, and what they answer.
pub const DECLINED: &str = "4000000000000002";
pub const EXPIRED: &str = "4000000000000069";
pub const WRONG_CVC: &str = "4000000000000127";
pub const PROCESSING_ERROR: &str = "4000000000000119";

#[derive(Deserialize)]
struct AuthorizeRequest {
    pan: String,
    exp_month: u32,
    exp_year: u32,
    cvc: String,
    amount_yen: i64,
    #[serde(default)]
    reference: String,
}

#[derive(Deserialize)]
struct AmountRequest {
    amount_yen: i64,
}

#[derive(Clone, Debug, Serialize)]
struct Authorization {
    id: String,
    reference: String,
    token: String,
    brand: &'static str,
    last4: String,
    amount_yen: i64,
    captured_yen: i64,
    refunded_yen: i64,
    status: &'static str,
}

/// The processor's books: its authorizations, its tokens (by card number, so the same card
/// gets the same token), and the answers given per idempotency key.
#[derive(Default)]
pub struct Processor {
    authorizations: HashMap<String, Authorization>,
    tokens: HashMap<String, String>,
    answers: HashMap<String, (StatusCode, Value)>,
    next: u64,
    /// The day the processor judges expiry by, `(year, month)`.
    today: (u32, u32),
}

type Shared = Arc<Mutex<Processor>>;
type Answer = (StatusCode, Json<Value>);

fn refuse(status: StatusCode, code: &str, message: &str) -> (StatusCode, Value) {
    (
        status,
        json!({"status": "declined", "code": code, "message": message}),
    )
}

impl Processor {
    /// A processor that judges expiry as of `year`/`month`.
    pub fn new(year: u32, month: u32) -> Processor {
        Processor {
            today: (year, month),
            ..Processor::default()
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}_{:012}", self.next)
    }

    fn authorize(&mut self, r: &AuthorizeRequest) -> (StatusCode, Value) {
        let pan: String = r.pan.chars().filter(|c| !c.is_whitespace()).collect();
        if !luhn(&pan) {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"status": "error", "code": "invalid_number", "message": "the card number is not valid"}),
            );
        }
        if r.amount_yen <= 0 {
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"status": "error", "code": "invalid_amount", "message": "amount_yen must be positive"}),
            );
        }
        let cvc_len = if brand(&pan) == "amex" { 4 } else { 3 };
        let past = (r.exp_year, r.exp_month) < self.today || !(1..=12).contains(&r.exp_month);
        match pan.as_str() {
            PROCESSING_ERROR => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"status": "error", "code": "processing_error", "message": "the issuer could not be reached"}),
                )
            }
            DECLINED => {
                return refuse(
                    StatusCode::PAYMENT_REQUIRED,
                    "card_declined",
                    "the card was declined",
                )
            }
            EXPIRED => {
                return refuse(
                    StatusCode::PAYMENT_REQUIRED,
                    "expired_card",
                    "the card has expired",
                )
            }
            WRONG_CVC => {
                return refuse(
                    StatusCode::PAYMENT_REQUIRED,
                    "incorrect_cvc",
                    "the security code is wrong",
                )
            }
            _ if past => {
                return refuse(
                    StatusCode::PAYMENT_REQUIRED,
                    "expired_card",
                    "the card has expired",
                )
            }
            _ if r.cvc.len() != cvc_len || !r.cvc.bytes().all(|b| b.is_ascii_digit()) => {
                return refuse(
                    StatusCode::PAYMENT_REQUIRED,
                    "incorrect_cvc",
                    "the security code is wrong",
                )
            }
            _ => {}
        }
        let token = match self.tokens.get(&pan) {
            Some(t) => t.clone(),
            None => {
                let t = self.id("tok");
                self.tokens.insert(pan.clone(), t.clone());
                t
            }
        };
        let a = Authorization {
            id: self.id("auth"),
            reference: r.reference.clone(),
            token,
            brand: brand(&pan),
            last4: pan[pan.len() - 4..].to_string(),
            amount_yen: r.amount_yen,
            captured_yen: 0,
            refunded_yen: 0,
            status: "authorized",
        };
        let answer = serde_json::to_value(&a).expect("an authorization serializes");
        self.authorizations.insert(a.id.clone(), a);
        (StatusCode::CREATED, answer)
    }

    fn capture(&mut self, id: &str, amount: i64) -> (StatusCode, Value) {
        let Some(a) = self.authorizations.get_mut(id) else {
            return not_found();
        };
        if a.status != "authorized" || amount <= 0 || amount > a.amount_yen {
            return invalid_state(a.status);
        }
        a.status = "captured";
        a.captured_yen = amount;
        (
            StatusCode::OK,
            json!({"id": id, "status": "captured", "captured_yen": amount}),
        )
    }

    fn void(&mut self, id: &str) -> (StatusCode, Value) {
        let Some(a) = self.authorizations.get_mut(id) else {
            return not_found();
        };
        if a.status != "authorized" {
            return invalid_state(a.status);
        }
        a.status = "voided";
        (StatusCode::OK, json!({"id": id, "status": "voided"}))
    }

    fn refund(&mut self, id: &str, amount: i64) -> (StatusCode, Value) {
        let Some(a) = self.authorizations.get_mut(id) else {
            return not_found();
        };
        if a.status != "captured" || amount <= 0 || a.refunded_yen + amount > a.captured_yen {
            return invalid_state(a.status);
        }
        a.refunded_yen += amount;
        let refunded = a.refunded_yen;
        let refund_id = self.id("re");
        (
            StatusCode::OK,
            json!({"id": id, "refund_id": refund_id, "refunded_yen": refunded, "amount_yen": amount}),
        )
    }

    /// The answer already given under this idempotency key, or `run`'s (then remembered).
    fn once(
        &mut self,
        key: Option<String>,
        run: impl FnOnce(&mut Processor) -> (StatusCode, Value),
    ) -> Answer {
        if let Some(k) = &key {
            if let Some((status, body)) = self.answers.get(k) {
                return (*status, Json(body.clone()));
            }
        }
        let (status, body) = run(self);
        if let Some(k) = key {
            self.answers.insert(k, (status, body.clone()));
        }
        (status, Json(body))
    }
}

fn not_found() -> (StatusCode, Value) {
    (
        StatusCode::NOT_FOUND,
        json!({"status": "error", "code": "not_found", "message": "no such authorization"}),
    )
}

fn invalid_state(status: &str) -> (StatusCode, Value) {
    (
        StatusCode::CONFLICT,
        json!({"status": "error", "code": "invalid_state", "message": format!("the authorization is {status}, or the amount is beyond it")}),
    )
}

fn key_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

async fn authorize(
    State(p): State<Shared>,
    headers: HeaderMap,
    Json(r): Json<AuthorizeRequest>,
) -> Answer {
    let mut p = p.lock().expect("the processor's lock");
    p.once(key_of(&headers), |p| p.authorize(&r))
}

async fn capture(
    State(p): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(r): Json<AmountRequest>,
) -> Answer {
    let mut p = p.lock().expect("the processor's lock");
    p.once(key_of(&headers), |p| p.capture(&id, r.amount_yen))
}

async fn void(State(p): State<Shared>, Path(id): Path<String>, headers: HeaderMap) -> Answer {
    let mut p = p.lock().expect("the processor's lock");
    p.once(key_of(&headers), |p| p.void(&id))
}

async fn refund(
    State(p): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Json(r): Json<AmountRequest>,
) -> Answer {
    let mut p = p.lock().expect("the processor's lock");
    p.once(key_of(&headers), |p| p.refund(&id, r.amount_yen))
}

/// The processor's routes.
pub fn router(processor: Processor) -> Router {
    Router::new()
        .route("/v1/authorizations", post(authorize))
        .route("/v1/authorizations/{id}/capture", post(capture))
        .route("/v1/authorizations/{id}/void", post(void))
        .route("/v1/authorizations/{id}/refunds", post(refund))
        .with_state(Arc::new(Mutex::new(processor)))
}

/// A processor listening on `addr` (port 0: any free one), served on the current runtime;
/// the address it listens on.
pub async fn spawn(addr: SocketAddr, processor: Processor) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, router(processor)).await;
    });
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(pan: &str, cvc: &str, year: u32) -> AuthorizeRequest {
        AuthorizeRequest {
            pan: pan.into(),
            exp_month: 12,
            exp_year: year,
            cvc: cvc.into(),
            amount_yen: 5_000,
            reference: "o-1".into(),
        }
    }

    #[test]
    fn each_test_number_answers_as_processors_do() {
        let mut p = Processor::new(2026, 12);
        let (status, ok) = p.authorize(&request("4242 4242 4242 4242", "123", 2030));
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(ok["last4"], "4242");
        assert_eq!(ok["brand"], "visa");
        let codes = [
            (DECLINED, "123", 2030, "card_declined"),
            (EXPIRED, "123", 2030, "expired_card"),
            (WRONG_CVC, "123", 2030, "incorrect_cvc"),
            ("4242424242424242", "123", 2025, "expired_card"),
            ("4242424242424242", "12", 2030, "incorrect_cvc"),
            ("378282246310005", "123", 2030, "incorrect_cvc"),
        ];
        for (pan, cvc, year, code) in codes {
            let (status, body) = p.authorize(&request(pan, cvc, year));
            assert_eq!(status, StatusCode::PAYMENT_REQUIRED, "{pan}");
            assert_eq!(body["code"], code, "{pan}");
        }
        let (status, body) = p.authorize(&request(PROCESSING_ERROR, "123", 2030));
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(body["code"], "processing_error");
        let (status, _) = p.authorize(&request("4242424242424241", "123", 2030));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    #[test]
    fn capture_void_and_refund_follow_the_authorization() {
        let mut p = Processor::new(2026, 12);
        let (_, a) = p.authorize(&request("4242424242424242", "123", 2030));
        let id = a["id"].as_str().unwrap().to_string();
        assert_eq!(
            p.refund(&id, 100).0,
            StatusCode::CONFLICT,
            "nothing captured yet"
        );
        assert_eq!(
            p.capture(&id, 5_001).0,
            StatusCode::CONFLICT,
            "beyond the hold"
        );
        assert_eq!(p.capture(&id, 5_000).0, StatusCode::OK);
        assert_eq!(
            p.void(&id).0,
            StatusCode::CONFLICT,
            "captured: too late to void"
        );
        assert_eq!(p.refund(&id, 2_000).1["refunded_yen"], 2_000);
        assert_eq!(p.refund(&id, 3_000).1["refunded_yen"], 5_000);
        assert_eq!(p.refund(&id, 1).0, StatusCode::CONFLICT);
        let (_, b) = p.authorize(&request("4242424242424242", "123", 2030));
        assert_eq!(b["token"], a["token"], "the same card, the same token");
        let b = b["id"].as_str().unwrap();
        assert_eq!(p.void(b).0, StatusCode::OK);
        assert_eq!(p.capture(b, 5_000).0, StatusCode::CONFLICT);
    }

    #[test]
    fn a_retried_request_gets_the_first_answer_and_charges_once() {
        let mut p = Processor::new(2026, 12);
        let (_, a) = p.authorize(&request("4242424242424242", "123", 2030));
        let id = a["id"].as_str().unwrap().to_string();
        let first = p.once(Some("k1".into()), |p| p.refund_after_capture(&id));
        let again = p.once(Some("k1".into()), |p| p.refund_after_capture(&id));
        assert_eq!(first.1 .0, again.1 .0);
        assert_eq!(p.authorizations[&id].captured_yen, 5_000, "captured once");
    }

    impl Processor {
        fn refund_after_capture(&mut self, id: &str) -> (StatusCode, Value) {
            self.capture(id, 5_000)
        }
    }
}
