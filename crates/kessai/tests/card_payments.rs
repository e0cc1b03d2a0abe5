//! Paying an order by card (issue 10, seed 003) through Kessai's checkout page and the card
//! processor simulator on loopback: authorization, capture when the merchant ships, void
//! before, full and partial refunds after; every conventional decline answered and the order
//! left payable; the books balanced (`kessai check`); and the card number and security code
//! found nowhere in the database or the logs afterwards.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::browser::{csrf_of, Browser};
use support::orders::{
    assert_books_balance, balance, checkout_path, create_order, merchant, merchant_body,
    merchant_with, order, signed,
};
use support::{Db, Options, TestServer};

on_both_databases!(
    a_card_is_authorized_captured_on_shipment_and_refunded_in_parts,
    every_decline_leaves_the_order_payable_and_another_card_pays_it,
    an_authorization_is_voided_when_the_merchant_cancels,
    a_merchant_capturing_at_once_is_paid_on_authorization,
    bad_card_input_is_answered_next_to_its_field_and_asks_no_processor,
    two_cards_at_once_hold_the_money_once,
    the_card_number_and_security_code_are_stored_and_logged_nowhere
);

async fn card_server(db: Db) -> TestServer {
    support::spawn_with(
        db,
        Options {
            card: true,
            ..Options::default()
        },
    )
    .await
}

/// Opens the checkout page and pays with this card; the page shown after.
async fn pay(s: &TestServer, order: &Value, number: &str, expiry: &str, cvc: &str) -> String {
    let browser = Browser::new(&s.base);
    let path = checkout_path(order);
    let (status, page) = browser.get(&path).await;
    assert_eq!(status.as_u16(), 200, "{page}");
    assert!(page.contains("autocomplete=\"cc-number\""), "{page}");
    let token = path.split("?t=").nth(1).unwrap();
    let id = order["id"].as_str().unwrap();
    let (status, page) = browser
        .post(
            &format!("/checkout/{id}/card"),
            &[
                ("t", token),
                ("csrf", &csrf_of(&page)),
                ("number", number),
                ("expiry", expiry),
                ("cvc", cvc),
            ],
        )
        .await;
    assert!(
        status.is_success() || status.as_u16() == 422,
        "{status}: {page}"
    );
    page
}

fn next_year() -> String {
    let year = time::OffsetDateTime::now_utc().year() + 1;
    format!("12/{}", year % 100)
}

async fn order_json(s: &TestServer, m: &support::orders::Merchant, id: &str) -> Value {
    signed(s, m, Method::GET, &format!("/v1/orders/{id}"), None)
        .await
        .ok()
        .clone()
}

async fn a_card_is_authorized_captured_on_shipment_and_refunded_in_parts(db: Db) {
    let s = card_server(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("C-1")).await;
    let id = o["id"].as_str().unwrap();
    let page = pay(&s, &o, "4242 4242 4242 4242", &next_year(), "123").await;
    assert!(page.contains("VISA ****4242"), "{page}");
    let shown = order_json(&s, &m, id).await;
    assert_eq!(shown["status"], "authorized");
    assert_eq!(shown["method"], "card");
    assert_eq!(
        balance(&s, "card_receivable").await,
        0,
        "a hold moves no money"
    );

    // Refunding before capture is an illegal move; the merchant ships and captures.
    signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/refunds"),
        Some(&json!({"amount_yen": 100})),
    )
    .await
    .assert_error(409, "illegal_transition", None);
    let captured = signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/capture"),
        None,
    )
    .await;
    assert_eq!(captured.ok()["status"], "paid");
    assert_eq!(balance(&s, "card_receivable").await, 3300);
    assert_eq!(
        balance(&s, &format!("held:{id}")).await,
        -3300,
        "held for the merchant"
    );
    signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/capture"),
        None,
    )
    .await
    .assert_error(409, "illegal_transition", None);

    // A part back, then more than is left is refused, then the rest.
    let refunds = format!("/v1/orders/{id}/refunds");
    let part = signed(
        &s,
        &m,
        Method::POST,
        &refunds,
        Some(&json!({"amount_yen": 1000})),
    )
    .await;
    assert_eq!(part.ok()["status"], "paid");
    assert_eq!(part.body["refunded_yen"], 1000);
    signed(
        &s,
        &m,
        Method::POST,
        &refunds,
        Some(&json!({"amount_yen": 2301})),
    )
    .await
    .assert_error(422, "invalid_field", Some("amount_yen"));
    let rest = signed(
        &s,
        &m,
        Method::POST,
        &refunds,
        Some(&json!({"amount_yen": 2300})),
    )
    .await;
    assert_eq!(rest.ok()["status"], "refunded");
    assert_eq!(balance(&s, "card_receivable").await, 0);
    assert_eq!(balance(&s, &format!("held:{id}")).await, 0);
    let kinds: Vec<String> = order_json(&s, &m, id).await["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kinds,
        ["created", "authorize", "capture", "refund", "refund"]
    );
    assert_books_balance(&s).await;
    // `kessai check` catches an order whose record and books part: a refund forgotten.
    sqlx::query("UPDATE card_payments SET refunded_yen = 1000 WHERE order_id = $1")
        .bind(id)
        .execute(s.app.store.pool())
        .await
        .unwrap();
    let found: Vec<String> = s
        .app
        .store
        .check()
        .await
        .unwrap()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        [format!(
            "order {id} (refunded): its methods took 2300 but its hold holds 0"
        )]
    );
}

async fn every_decline_leaves_the_order_payable_and_another_card_pays_it(db: Db) {
    let s = card_server(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("D-1")).await;
    let id = o["id"].as_str().unwrap();
    for (number, words) in [
        (
            "4000000000000002",
            "カード会社によりお取引が承認されませんでした",
        ),
        ("4000000000000069", "有効期限が切れています"),
        ("4000000000000127", "セキュリティコードが正しくありません"),
        ("4000000000000119", "通信でエラー"),
    ] {
        let page = pay(&s, &o, number, &next_year(), "123").await;
        assert!(
            page.contains("data-testid=\"declined\""),
            "{number}: {page}"
        );
        assert!(page.contains(words), "{number}: {page}");
        assert!(
            page.contains("別のカード"),
            "another way is offered: {page}"
        );
        let shown = order_json(&s, &m, id).await;
        assert_eq!(shown["status"], "declined", "{number}");
    }
    let page = pay(&s, &o, "5555555555554444", &next_year(), "321").await;
    assert!(page.contains("MASTERCARD ****4444"), "{page}");
    assert_eq!(order_json(&s, &m, id).await["status"], "authorized");
    let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM card_payments")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 5, "every attempt recorded once");
    // Paid: the page offers no form any more.
    let again = Browser::new(&s.base).get(&checkout_path(&o)).await.1;
    assert!(!again.contains("cc-number"), "{again}");
    assert_books_balance(&s).await;
}

async fn an_authorization_is_voided_when_the_merchant_cancels(db: Db) {
    let s = card_server(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("V-1")).await;
    let id = o["id"].as_str().unwrap();
    pay(&s, &o, "4242424242424242", &next_year(), "123").await;
    let cancelled = signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/cancel"),
        None,
    )
    .await;
    assert_eq!(cancelled.ok()["status"], "cancelled");
    let status: String = sqlx::query_scalar("SELECT status FROM card_payments WHERE order_id = $1")
        .bind(id)
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert_eq!(status, "voided");
    signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/capture"),
        None,
    )
    .await
    .assert_error(409, "illegal_transition", None);
    assert_eq!(balance(&s, "card_receivable").await, 0);
    assert_books_balance(&s).await;
}

async fn a_merchant_capturing_at_once_is_paid_on_authorization(db: Db) {
    let s = card_server(db).await;
    let m = merchant_with(
        &s,
        merchant_body("shop-now", json!({"card_capture": "immediate"})),
    )
    .await;
    let o = create_order(&s, &m, &order("I-1")).await;
    pay(&s, &o, "3530111333300000", &next_year(), "123").await;
    let shown = order_json(&s, &m, o["id"].as_str().unwrap()).await;
    assert_eq!(shown["status"], "paid");
    assert_eq!(balance(&s, "card_receivable").await, 3300);
    assert_books_balance(&s).await;
}

async fn bad_card_input_is_answered_next_to_its_field_and_asks_no_processor(db: Db) {
    let s = card_server(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("B-1")).await;
    let page = pay(&s, &o, "4242424242424241", "13/99", "12").await;
    assert_eq!(page.matches("class=\"field-error\"").count(), 3, "{page}");
    assert!(page.contains("カード番号を確認してください"), "{page}");
    assert!(
        !page.contains("4242424242424241"),
        "the number is not put back into the page"
    );
    let expired = pay(&s, &o, "4242424242424242", "01/20", "123").await;
    assert!(expired.contains("有効期限が過ぎています"), "{expired}");
    let attempts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM card_payments")
        .fetch_one(s.app.store.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 0, "nothing was sent to the processor");
    assert_eq!(
        order_json(&s, &m, o["id"].as_str().unwrap()).await["status"],
        "unpaid"
    );
    // A wrong link is the plain 404 page.
    let (status, _) = Browser::new(&s.base)
        .get(&format!("/checkout/{}?t=00", o["id"].as_str().unwrap()))
        .await;
    assert_eq!(status.as_u16(), 404);
}

/// `needle` in `haystack` with no letter or digit either side (a random hex or base64 run
/// that merely contains it does not count).
fn stands_alone(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).enumerate().any(|(i, w)| {
        w == needle
            && (i == 0 || !haystack[i - 1].is_ascii_alphanumeric())
            && haystack
                .get(i + needle.len())
                .is_none_or(|b| !b.is_ascii_alphanumeric())
    })
}

/// The database's bytes as stored: the SQLite file and its WAL (every page, free ones too).
fn stored_bytes(s: &TestServer) -> Vec<u8> {
    let path = s.db_url.trim_start_matches("sqlite://").to_string();
    let mut all = std::fs::read(&path).unwrap();
    all.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    all
}

/// Every value of every row of every table, as text (binary pages could hold any three bytes
/// by chance; a value holding the code is what must not exist).
async fn stored_text(s: &TestServer, db: Db) -> Vec<u8> {
    let pool = s.app.store.pool();
    let tables_sql = match db {
        Db::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        Db::Postgres => {
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    let tables: Vec<String> = sqlx::query_scalar(tables_sql)
        .fetch_all(pool)
        .await
        .unwrap();
    let mut all = vec![];
    for t in tables {
        let row_sql = match db {
            Db::Sqlite => {
                let columns: Vec<String> =
                    sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{t}')"))
                        .fetch_all(pool)
                        .await
                        .unwrap();
                let cells: Vec<String> = columns
                    .iter()
                    .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                    .collect();
                format!("SELECT {} FROM \"{t}\"", cells.join(" || '|' || "))
            }
            Db::Postgres => format!("SELECT row_to_json(t)::text FROM {t} t"),
        };
        let rows: Vec<String> = sqlx::query_scalar(&row_sql).fetch_all(pool).await.unwrap();
        for r in rows {
            all.extend(r.into_bytes());
            all.push(b'\n');
        }
    }
    all
}

async fn the_card_number_and_security_code_are_stored_and_logged_nowhere(db: Db) {
    let logs = support::logs::capture();
    let s = card_server(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("P-1")).await;
    let id = o["id"].as_str().unwrap();
    let (pan, cvc) = ("4012888888881881", "987");
    pay(&s, &o, pan, &next_year(), cvc).await;
    signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/capture"),
        None,
    )
    .await
    .ok();
    let declined = create_order(&s, &m, &order("P-2")).await;
    pay(&s, &declined, "4000000000000002", &next_year(), cvc).await;
    let mut stored = stored_text(&s, db).await;
    if db == Db::Sqlite {
        // The file itself for the number: sixteen digits do not occur by chance.
        stored.extend(stored_bytes(&s));
    }
    for needle in [pan.as_bytes(), &pan.as_bytes()[4..12], b"4000000000000002"] {
        assert!(
            !stored.windows(needle.len()).any(|w| w == needle),
            "the database holds {}",
            String::from_utf8_lossy(needle)
        );
    }
    let values = stored_text(&s, db).await;
    assert!(
        !stands_alone(&values, cvc.as_bytes()),
        "the database holds the security code"
    );
    assert!(
        !values.windows(3).any(|w| w.eq_ignore_ascii_case(b"cvc")),
        "a cvc field is stored"
    );
    // What the merchant and the dashboard see: the brand and last four digits only.
    let row: (String, String, String) =
        sqlx::query_as("SELECT brand, last4, pan_sealed FROM card_payments WHERE order_id = $1")
            .bind(id)
            .fetch_one(s.app.store.pool())
            .await
            .unwrap();
    assert_eq!((row.0.as_str(), row.1.as_str()), ("visa", "1881"));
    assert_eq!(
        kessai_server::service::payment::seal::open(&support::CARD_KEY, &row.2).as_deref(),
        Some(pan),
        "sealed, and only the operator's key opens it"
    );
    let merchant_view = order_json(&s, &m, id).await.to_string();
    assert!(!merchant_view.contains(pan) && !merchant_view.contains(&pan[4..12]));
    let logged = logs.text();
    assert!(!logged.is_empty(), "the logs were captured");
    assert!(
        !logged.contains(pan) && !logged.contains("4000000000000002"),
        "{logged}"
    );
    // The code leaks only as a form field or a JSON key beside its value, both named cvc (a
    // bare 987 can be any timing in a log line).
    assert!(
        !logged.to_ascii_lowercase().contains("cvc"),
        "the logs name the security code: {logged}"
    );
}

async fn two_cards_at_once_hold_the_money_once(db: Db) {
    use kessai_server::service::payment::card::{Card, CardInput};
    use kessai_server::service::payment::PaymentMethod;
    let s = card_server(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("R-1")).await;
    let id = o["id"].as_str().unwrap();
    let merchant = kessai_server::service::merchant::find(&s.app, "shop-1")
        .await
        .unwrap();
    let record = s.app.store.order(id).await.unwrap().unwrap();
    let card = |number: &str| CardInput {
        number: number.into(),
        expiry: next_year(),
        cvc: "123".into(),
    };
    let (a, b) = (card("4242424242424242"), card("5555555555554444"));
    // Two submissions of the checkout form at the same moment (two tabs, a double click).
    let (first, second) = tokio::join!(
        Card.pay(&s.app, &merchant, &record, &a),
        Card.pay(&s.app, &merchant, &record, &b)
    );
    assert!(
        first.is_ok() != second.is_ok(),
        "exactly one moves the order: {first:?} {second:?}"
    );
    let attempts: Vec<String> =
        sqlx::query_scalar("SELECT status FROM card_payments WHERE order_id = $1 ORDER BY status")
            .bind(id)
            .fetch_all(s.app.store.pool())
            .await
            .unwrap();
    // The loser either saw the order authorized before asking (no attempt), or got an
    // authorization that was voided at once: never a second hold, never a pending attempt.
    assert!(
        attempts == ["authorized"] || attempts == ["authorized", "voided"],
        "{attempts:?}"
    );
    assert_eq!(order_json(&s, &m, id).await["status"], "authorized");
    assert_books_balance(&s).await;
}
