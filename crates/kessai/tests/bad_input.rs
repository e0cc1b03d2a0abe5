//! Every step with bad input: a clear error with a stable code and field, and nothing changed
//! (deals, ledger, outbox, instructions, credits, timeline all identical), on both databases.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Db, Reply, TestServer, BUYER_PW, SELLER_PW};

on_both_databases!(
    party_steps_with_bad_input_change_nothing,
    registration_errors_name_the_field,
    credit_errors_and_replays_change_nothing,
    idempotency_keys_replay_or_refuse,
    wrong_passwords_lock_the_login,
    operator_endpoints_need_the_token
);

/// Runs `request`, checks the error, and checks that nothing in the database moved.
async fn refused(
    s: &TestServer,
    reply: impl std::future::Future<Output = Reply>,
    status: u16,
    code: &str,
    field: Option<&str>,
) {
    s.refuse_reply(reply, status, code, field).await;
}

async fn party_steps_with_bad_input_change_nothing(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("bad", 8_000).await;
    let unknown = kessai_core::DealId::from_indices([1, 2, 3, 4, 5, 6, 7, 8, 9]).to_string();
    let mut typo = buyer.clone().into_bytes();
    typo[3] = if typo[3] == b'A' { b'B' } else { b'A' };
    let typo = String::from_utf8(typo).unwrap();

    // Unknown and mistyped IDs.
    refused(
        &s,
        s.view(&unknown, BUYER_PW),
        404,
        "deal_not_found",
        Some("deal_id"),
    )
    .await;
    refused(
        &s,
        s.view(&typo, BUYER_PW),
        400,
        "invalid_deal_id",
        Some("deal_id"),
    )
    .await;
    refused(
        &s,
        s.view("short", BUYER_PW),
        400,
        "invalid_deal_id",
        Some("deal_id"),
    )
    .await;
    // Before payment: no shipping, no receipt.
    refused(&s, s.ship(&seller), 409, "wrong_state", None).await;
    refused(&s, s.receipt(&buyer), 409, "wrong_state", None).await;
    s.credit("bad-1", 8_000, &buyer).await.ok();
    // The other party's ID: each step belongs to one party.
    refused(
        &s,
        s.step(&buyer, BUYER_PW, "shipment", json!({}), None),
        403,
        "wrong_party",
        Some("deal_id"),
    )
    .await;
    refused(
        &s,
        s.step(&seller, SELLER_PW, "receipt", json!({}), None),
        403,
        "wrong_party",
        Some("deal_id"),
    )
    .await;
    // The right ID with the other party's password.
    let before = s.snapshot().await;
    s.step(&seller, BUYER_PW, "shipment", json!({}), None)
        .await
        .assert_error(401, "wrong_password", Some("password"));
    // (the failed-login counter is the only thing a wrong password may move)
    assert_eq!(s.snapshot().await, before);
    // Receipt before shipment, an over-long tracking number, a malformed body.
    refused(&s, s.receipt(&buyer), 409, "wrong_state", None).await;
    let long = json!({ "tracking_number": "9".repeat(65) });
    refused(
        &s,
        s.step(&seller, SELLER_PW, "shipment", long, None),
        422,
        "invalid_field",
        Some("tracking_number"),
    )
    .await;
    let bad_json = s
        .request(Method::POST, &format!("/v1/deals/{seller}/shipment"))
        .basic_auth(&seller, Some(SELLER_PW))
        .header("content-type", "application/json")
        .body("{not json");
    refused(&s, s.send(bad_json), 400, "invalid_json", None).await;
    // Missing credentials, and credentials for another ID than the path's.
    refused(
        &s,
        s.send(s.request(Method::GET, &format!("/v1/deals/{buyer}"))),
        401,
        "wrong_password",
        Some("password"),
    )
    .await;
    let crossed = s
        .request(Method::GET, &format!("/v1/deals/{buyer}"))
        .basic_auth(&seller, Some(SELLER_PW));
    refused(&s, s.send(crossed), 400, "invalid_deal_id", Some("deal_id")).await;

    // A replayed step without a key is refused by the state machine.
    s.ship(&seller).await.ok();
    refused(&s, s.ship(&seller), 409, "wrong_state", None).await;
    s.receipt(&buyer).await.ok();
    refused(&s, s.receipt(&buyer), 409, "wrong_state", None).await;
    assert_eq!(
        s.instructions(&buyer).await.len(),
        1,
        "one payout, however often receipt is confirmed"
    );
    s.assert_books_sound().await;
}

async fn registration_errors_name_the_field(db: Db) {
    let s = support::spawn(db).await;
    let cases: Vec<(&str, serde_json::Value, u16, &str, &str)> = vec![
        ("price_yen", json!(0), 422, "invalid_field", "price_yen"),
        ("price_yen", json!(-5), 422, "invalid_field", "price_yen"),
        (
            "price_yen",
            json!(10_000_000_001i64),
            422,
            "invalid_field",
            "price_yen",
        ),
        ("price_yen", json!("1000"), 400, "invalid_json", "price_yen"),
        (
            "buyer_email",
            json!("not-an-email"),
            422,
            "invalid_field",
            "buyer_email",
        ),
        (
            "seller_email",
            json!("buyer.reg@example.jp"),
            422,
            "invalid_field",
            "seller_email",
        ),
        ("item", json!("   "), 422, "invalid_field", "item"),
        ("password", json!("short"), 422, "invalid_field", "password"),
        (
            "shipping_address",
            json!(""),
            422,
            "invalid_field",
            "shipping_address",
        ),
    ];
    for (field, value, status, code, expected_field) in cases {
        let mut body = support::registration("buyer", "reg", 1_000);
        body[field] = value;
        refused(
            &s,
            s.register("buyer", &body),
            status,
            code,
            Some(expected_field),
        )
        .await;
    }
    // Wrong shapes, a bank and a branch the bank master does not know, a kanji holder name.
    let accounts = [
        ("bank_code", "12"),
        ("branch_code", "1234"),
        ("account_number", "12345678"),
        ("holder_name", ""),
        ("bank_code", "9998"),
        ("branch_code", "998"),
        ("holder_name", "山田"),
    ];
    for (field, value) in accounts {
        let mut body = support::registration("seller", "reg", 1_000);
        body["bank_account"][field] = json!(value);
        refused(
            &s,
            s.register("seller", &body),
            422,
            "invalid_field",
            Some(&format!("bank_account.{field}")),
        )
        .await;
    }
    let mut missing = support::registration("buyer", "reg", 1_000);
    missing.as_object_mut().unwrap().remove("item");
    refused(
        &s,
        s.register("buyer", &missing),
        400,
        "invalid_json",
        Some("item"),
    )
    .await;
    refused(
        &s,
        s.register("courier", &support::registration("buyer", "reg", 1_000)),
        404,
        "unknown_role",
        Some("role"),
    )
    .await;
}

async fn credit_errors_and_replays_change_nothing(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("cred", 5_000).await;
    refused(
        &s,
        s.credit("c-0", 0, &buyer),
        422,
        "invalid_field",
        Some("amount_yen"),
    )
    .await;
    refused(
        &s,
        s.credit("c-0", -100, &buyer),
        422,
        "invalid_field",
        Some("amount_yen"),
    )
    .await;
    refused(
        &s,
        s.credit("", 100, &buyer),
        422,
        "invalid_field",
        Some("bank_ref"),
    )
    .await;
    let first = s.credit("c-1", 2_000, &buyer).await;
    assert_eq!(first.ok()["duplicate"], false);
    // The bank reports the same record again: recognized, nothing applied.
    let before = s.snapshot().await;
    let again = s.credit("c-1", 2_000, &buyer).await;
    assert_eq!(again.ok()["duplicate"], true);
    assert_eq!(again.body["received_yen"], 2_000);
    assert_eq!(s.snapshot().await, before);
    s.assert_books_sound().await;
}

async fn idempotency_keys_replay_or_refuse(db: Db) {
    let s = support::spawn(db).await;
    // Registration: the same key and body returns the same deal ID, once.
    let body = support::registration("buyer", "idem", 3_000);
    let send = |b: serde_json::Value| {
        s.send(
            s.request(Method::POST, "/v1/registrations/buyer")
                .header("Idempotency-Key", "reg-key-1")
                .json(&b),
        )
    };
    let mut first = send(body.clone()).await;
    let before = s.snapshot().await;
    let mut second = send(body.clone()).await;
    // The repeat carries the same password, so it is signed in too, with a session of its own
    // (tokens are never stored, so never replayed); the rest is the stored answer.
    let (first_session, second_session) =
        (first.body["session"].take(), second.body["session"].take());
    assert_ne!(first_session["token"], second_session["token"]);
    assert!(second_session["token"].is_string(), "{second_session}");
    assert_eq!((second.status, &second.body), (first.status, &first.body));
    assert_eq!(s.snapshot().await, before);
    let mut other = body.clone();
    other["price_yen"] = json!(3_001);
    refused(
        &s,
        send(other),
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    )
    .await;

    let buyer = first.str("deal_id");
    s.register("seller", &support::registration("seller", "idem", 3_000))
        .await
        .ok();
    s.credit("idem-pay", 3_000, &buyer).await.ok();
    let seller_view = s
        .app
        .store
        .registration(&kessai_core::DealId::parse(&buyer).unwrap())
        .await
        .unwrap()
        .unwrap();
    let deal = s
        .app
        .store
        .deal(seller_view.deal_id.as_deref().unwrap())
        .await
        .unwrap()
        .unwrap();
    let seller = deal.seller_id.to_string();

    // A step: the replay returns the stored answer instead of a wrong_state error.
    let ship = |tracking: &str| {
        s.step(
            &seller,
            SELLER_PW,
            "shipment",
            json!({ "tracking_number": tracking }),
            Some("ship-key"),
        )
    };
    let shipped = ship("T-1").await;
    assert_eq!(shipped.ok()["status"], "shipped");
    let before = s.snapshot().await;
    let replay = ship("T-1").await;
    assert_eq!(
        (replay.status, &replay.body),
        (shipped.status, &shipped.body)
    );
    assert_eq!(s.snapshot().await, before);
    refused(
        &s,
        ship("T-2"),
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    )
    .await;
    // The same key on another endpoint is another request.
    let r = s
        .step(&buyer, BUYER_PW, "receipt", json!({}), Some("ship-key"))
        .await;
    assert_eq!(r.ok()["status"], "completed");

    // Operator credit with a key.
    let key_credit = |amount: i64| {
        let b = json!({ "bank_ref": "idem-late", "amount_yen": amount, "reference": buyer });
        s.send(
            s.request(Method::POST, "/v1/operator/bank-credits")
                .bearer_auth(&s.token)
                .header("Idempotency-Key", "credit-key")
                .json(&b),
        )
    };
    let c1 = key_credit(100).await;
    assert_eq!((c1.status, &c1.body), {
        let c2 = key_credit(100).await;
        (c2.status, &c2.body.clone())
    });
    refused(
        &s,
        key_credit(101),
        422,
        "idempotency_key_reused",
        Some("Idempotency-Key"),
    )
    .await;
    let over = s
        .send(
            s.request(Method::POST, "/v1/registrations/buyer")
                .header("Idempotency-Key", "k".repeat(256))
                .json(&body),
        )
        .await;
    over.assert_error(422, "invalid_field", Some("Idempotency-Key"));
    s.assert_books_sound().await;
}

async fn wrong_passwords_lock_the_login(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("lock", 2_000).await;
    for attempt in 1..=4 {
        let r = s.view(&buyer, "wrong-password").await;
        r.assert_error(401, "wrong_password", Some("password"));
        assert!(
            r.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{} attempt", 5 - attempt)),
            "{}",
            r.body
        );
    }
    s.view(&buyer, "wrong-password")
        .await
        .assert_error(401, "wrong_password", Some("password"));
    // Locked: even the right password is refused for a while.
    s.view(&buyer, BUYER_PW)
        .await
        .assert_error(429, "login_locked", Some("password"));
    s.advance_days(1).await;
    assert_eq!(
        s.view(&buyer, BUYER_PW).await.ok()["deal_id"],
        buyer.as_str()
    );
    // A success resets the count: four more failures do not lock.
    for _ in 0..4 {
        s.view(&buyer, "nope-nope")
            .await
            .assert_error(401, "wrong_password", None);
    }
    s.view(&buyer, BUYER_PW).await.ok();
}

async fn operator_endpoints_need_the_token(db: Db) {
    let s = support::spawn(db).await;
    let body = json!({ "bank_ref": "x", "amount_yen": 1, "reference": "x" });
    refused(
        &s,
        s.send(
            s.request(Method::POST, "/v1/operator/bank-credits")
                .json(&body),
        ),
        401,
        "unauthorized",
        None,
    )
    .await;
    let wrong = s
        .request(Method::POST, "/v1/operator/bank-credits")
        .bearer_auth("guess")
        .json(&body);
    refused(&s, s.send(wrong), 401, "unauthorized", None).await;
    refused(
        &s,
        s.send(s.request(Method::GET, "/v1/operator/check")),
        401,
        "unauthorized",
        None,
    )
    .await;
    // Every operator endpoint the OpenAPI document lists refuses a request without the token,
    // and changes nothing.
    let doc = s.send(s.request(Method::GET, "/openapi.json")).await;
    let mut operator_paths = 0;
    for (path, item) in doc.ok()["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x.get("operator_bearer").is_some()))
            {
                operator_paths += 1;
                let concrete = path
                    .replace("{deal_id}", "ABCDEFGHJK")
                    .replace("{id}", "x")
                    .replace("{credit_id}", "x");
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                refused(
                    &s,
                    s.send(s.request(m, &concrete).json(&json!({}))),
                    401,
                    "unauthorized",
                    None,
                )
                .await;
            }
        }
    }
    assert!(
        operator_paths >= 11,
        "operator endpoints in the OpenAPI document: {operator_paths}"
    );
    let openapi = s.send(s.request(Method::GET, "/openapi.json")).await;
    let paths = openapi.ok()["paths"].as_object().unwrap();
    for p in [
        "/v1/registrations/{role}",
        "/v1/deals/{deal_id}",
        "/v1/deals/{deal_id}/shipment",
        "/v1/deals/{deal_id}/receipt",
        "/v1/operator/bank-credits",
    ] {
        assert!(paths.contains_key(p), "openapi lacks {p}");
    }
    assert!(openapi.body["components"]["schemas"]["RegistrationInput"].is_object());
}
