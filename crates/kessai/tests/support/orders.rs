//! Merchants and their signed requests, for the payment agency's tests.

use super::{Reply, TestServer};
use kessai_server::webhook::signature::{sign, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use reqwest::Method;
use serde_json::{json, Value};

/// A merchant as the operator onboarded it: its ID, API key and signing secret.
#[derive(Clone, Debug)]
pub struct Merchant {
    pub id: String,
    pub key: String,
    pub secret: String,
}

/// The body of a merchant taking every method, valid for a year from the server's today;
/// `extra` replaces fields.
pub fn merchant_body(id: &str, extra: Value) -> Value {
    let mut body = json!({
        "id": id,
        "name": "テスト商店",
        "payout_account": super::contracts::account("0005", "123", "7000123", "ﾃｽﾄｼﾖｳﾃﾝ"),
        "methods": ["bank_transfer", "konbini", "card"],
        "fees": {"card": {"rate_bp": 360}, "konbini": {"fixed_yen": 150}},
        "valid_until": "2099-12-31",
    });
    for (k, v) in extra.as_object().expect("an object") {
        body[k] = v.clone();
    }
    body
}

pub async fn merchant_with(s: &TestServer, body: Value) -> Merchant {
    let r = s
        .operator(Method::POST, "/v1/operator/merchants", Some(body))
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    Merchant {
        id: r.body["merchant"]["id"].as_str().unwrap().to_string(),
        key: r.str("api_key"),
        secret: r.body["signing_secret"].as_str().unwrap().to_string(),
    }
}

pub async fn merchant(s: &TestServer, id: &str) -> Merchant {
    merchant_with(s, merchant_body(id, json!({}))).await
}

/// The server's clock, in Unix seconds (tests run on its test clock).
pub fn now_s(s: &TestServer) -> i64 {
    s.app.clock.now().0 / 1000
}

/// A request as the merchant sends it: its key, and the body signed at `timestamp_s`.
pub fn signed_request(
    s: &TestServer,
    m: &Merchant,
    method: Method,
    path: &str,
    body: &[u8],
    timestamp_s: i64,
) -> reqwest::RequestBuilder {
    let mut r = s
        .request(method, path)
        .bearer_auth(&m.key)
        .header(TIMESTAMP_HEADER, timestamp_s.to_string())
        .header(SIGNATURE_HEADER, sign(&m.secret, timestamp_s, body));
    if !body.is_empty() {
        r = r
            .header("content-type", "application/json")
            .body(body.to_vec());
    }
    r
}

/// Sends a signed request now.
pub async fn signed(
    s: &TestServer,
    m: &Merchant,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> Reply {
    let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
    s.send(signed_request(s, m, method, path, &bytes, now_s(s)))
        .await
}

/// An order of two items, ¥3,300 in all.
pub fn order(number: &str) -> Value {
    json!({
        "number": number,
        "amount_yen": 3300,
        "items": [
            {"name": "Tシャツ", "quantity": 2, "unit_price_yen": 1500},
            {"name": "送料", "quantity": 1, "unit_price_yen": 300}
        ],
        "buyer_email": "buyer@example.jp",
    })
}

/// Creates an order; its JSON.
pub async fn create_order(s: &TestServer, m: &Merchant, body: &Value) -> Value {
    let r = signed(s, m, Method::POST, "/v1/orders", Some(body)).await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    r.body
}

/// The checkout page's path (with its token) from an order's `checkout_url`.
pub fn checkout_path(order: &Value) -> String {
    let url = order["checkout_url"].as_str().unwrap();
    url[url.find("/checkout/").unwrap()..].to_string()
}

/// An account's balance (debits less credits) in the books.
pub async fn balance(s: &TestServer, account: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(
        "SELECT CAST(debits_yen - credits_yen AS BIGINT) FROM accounts WHERE id = $1",
    )
    .bind(account)
    .fetch_optional(s.app.store.pool())
    .await
    .unwrap()
    .unwrap_or(0)
}

pub async fn assert_books_balance(s: &TestServer) {
    let violations = s.app.store.check().await.unwrap();
    assert!(violations.is_empty(), "{violations:?}");
}

/// Now in Japan, as a store's till stamps a payment.
pub fn now_jst() -> time::PrimitiveDateTime {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9));
    time::PrimitiveDateTime::new(now.date(), now.time())
}
