//! The payment agency's intake (issue 10, seed 003): merchants onboarded by the operator, and
//! their orders — signed requests only (an altered, stale or unsigned one refused and nothing
//! changed), one number stored once, a merchant that is suspended or outside its contract
//! refused with a stable code, one merchant never reaching another's orders, and the state
//! machine's illegal moves refused as typed errors.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::orders::{
    create_order, merchant, merchant_body, merchant_with, now_s, order, signed, signed_request,
};
use support::Db;

on_both_databases!(
    a_merchant_is_onboarded_suspended_and_its_key_rotated,
    a_bad_merchant_is_refused_and_changes_nothing,
    an_order_is_stored_once_and_a_replay_answers_it,
    an_unsigned_altered_or_stale_request_is_refused,
    a_merchant_outside_its_contract_cannot_take_orders,
    one_merchants_key_never_reaches_another_merchants_orders,
    an_order_awaiting_acceptance_moves_only_as_the_machine_allows,
    orders_are_listed_filtered_and_a_page_at_a_time
);

async fn a_merchant_is_onboarded_suspended_and_its_key_rotated(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    assert!(m.key.starts_with("kssm_") && m.key.len() > 40);
    assert!(m.secret.len() >= 32);
    let stored: String =
        sqlx::query_scalar("SELECT api_key_sha256 FROM merchants WHERE id = 'shop-1'")
            .fetch_one(s.app.store.pool())
            .await
            .unwrap();
    assert!(
        !stored.contains(&m.key[5..]),
        "the key itself is not stored"
    );
    let shown = s
        .operator(Method::GET, "/v1/operator/merchants/shop-1", None)
        .await;
    let shown = shown.ok();
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["fees"]["card"]["rate_basis_points"], 360);
    assert_eq!(shown["payout_account"]["bank_code"], "0005");
    assert!(shown.get("api_key").is_none() && shown.get("signing_secret").is_none());
    let all = s
        .operator(Method::GET, "/v1/operator/merchants", None)
        .await;
    assert_eq!(all.ok().as_array().unwrap().len(), 1);

    // Suspended: no new order, with a stable code; active again: orders resume.
    s.operator(Method::POST, "/v1/operator/merchants/shop-1/suspend", None)
        .await
        .ok();
    let body = order("S-1");
    let bytes = body.to_string().into_bytes();
    s.refuse(
        signed_request(&s, &m, Method::POST, "/v1/orders", &bytes, now_s(&s)),
        403,
        "merchant_suspended",
        None,
    )
    .await;
    s.operator(Method::POST, "/v1/operator/merchants/shop-1/activate", None)
        .await
        .ok();
    create_order(&s, &m, &body).await;

    // A new key: the old one stops at once.
    let rotated = s
        .operator(Method::POST, "/v1/operator/merchants/shop-1/api-key", None)
        .await;
    let new_key = rotated.str("api_key");
    assert_ne!(new_key, m.key);
    assert!(
        rotated.body["signing_secret"].is_null(),
        "the secret stays as it was"
    );
    let old = signed(&s, &m, Method::GET, "/v1/orders", None).await;
    old.assert_error(401, "invalid_api_key", None);
    let renewed = support::orders::Merchant { key: new_key, ..m };
    assert!(signed(&s, &renewed, Method::GET, "/v1/orders", None)
        .await
        .status
        .is_success());
    s.operator(Method::POST, "/v1/operator/merchants/nobody/suspend", None)
        .await
        .assert_error(404, "merchant_not_found", Some("merchant_id"));
}

async fn a_bad_merchant_is_refused_and_changes_nothing(db: Db) {
    let s = support::spawn(db).await;
    merchant(&s, "shop-1").await;
    let cases: [(Value, u16, &str, &str); 8] = [
        (json!({"id": "Shop_1"}), 422, "invalid_field", "id"),
        (json!({"methods": []}), 422, "invalid_field", "methods"),
        (
            json!({"methods": ["cash"]}),
            422,
            "invalid_field",
            "methods",
        ),
        (
            json!({"fees": {"konbini": {"rate_bp": 10001}}}),
            422,
            "invalid_field",
            "fees.rate_bp",
        ),
        (
            json!({"methods": ["card"], "fees": {"konbini": {"fixed_yen": 100}}}),
            422,
            "invalid_field",
            "fees",
        ),
        (
            json!({"valid_from": "2030-01-02", "valid_until": "2030-01-01"}),
            422,
            "invalid_field",
            "valid_until",
        ),
        (
            json!({"payout_account": support::contracts::account("9999", "123", "7000123", "ﾃｽﾄ")}),
            422,
            "invalid_field",
            "payout_account.bank_code",
        ),
        (json!({"id": "shop-1"}), 409, "merchant_exists", "id"),
    ];
    for (extra, status, code, field) in cases {
        let body = merchant_body("shop-2", extra);
        s.refuse(
            s.request(Method::POST, "/v1/operator/merchants")
                .bearer_auth(&s.token)
                .json(&body),
            status,
            code,
            Some(field),
        )
        .await;
    }
    s.refuse(
        s.request(Method::POST, "/v1/operator/merchants")
            .json(&merchant_body("shop-3", json!({}))),
        401,
        "unauthorized",
        None,
    )
    .await;
}

async fn an_order_is_stored_once_and_a_replay_answers_it(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let created = create_order(&s, &m, &order("A-1")).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["status"], "unpaid");
    assert_eq!(created["amount_yen"], 3300);
    assert!(created["method"].is_null());
    let url = created["checkout_url"].as_str().unwrap();
    assert!(
        url.contains(&format!("/checkout/{id}?t=")),
        "the buyer pays on Kessai's page: {url}"
    );
    // The same number and content: the same order, 200.
    let again = signed(&s, &m, Method::POST, "/v1/orders", Some(&order("A-1"))).await;
    assert_eq!(again.status.as_u16(), 200, "{}", again.body);
    assert_eq!(again.body["id"], id);
    // The same number, other content: a conflict, nothing stored.
    let mut other = order("A-1");
    other["items"][0]["quantity"] = json!(3);
    other["amount_yen"] = json!(4800);
    let bytes = other.to_string().into_bytes();
    s.refuse(
        signed_request(&s, &m, Method::POST, "/v1/orders", &bytes, now_s(&s)),
        409,
        "order_number_conflict",
        Some("number"),
    )
    .await;
    // Fields at fault are named; nothing is stored.
    for (change, field) in [
        (json!({"amount_yen": 3000}), "amount_yen"),
        (json!({"items": []}), "items"),
        (json!({"number": ""}), "number"),
        (json!({"buyer_email": "nobody"}), "buyer_email"),
        (json!({"protection_days": 0}), "protection_days"),
    ] {
        let mut bad = order("A-2");
        for (k, v) in change.as_object().unwrap() {
            bad[k] = v.clone();
        }
        let bytes = bad.to_string().into_bytes();
        s.refuse(
            signed_request(&s, &m, Method::POST, "/v1/orders", &bytes, now_s(&s)),
            422,
            "invalid_field",
            Some(field),
        )
        .await;
    }
    let detail = signed(&s, &m, Method::GET, &format!("/v1/orders/{id}"), None).await;
    let timeline = detail.ok()["timeline"].as_array().unwrap().clone();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0]["kind"], "created");
    assert_eq!(timeline[0]["to"], "unpaid");
}

async fn an_unsigned_altered_or_stale_request_is_refused(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let body = order("B-1").to_string().into_bytes();
    let now = now_s(&s);
    // No key at all.
    s.refuse(
        s.request(Method::POST, "/v1/orders")
            .header("content-type", "application/json")
            .body(body.clone()),
        401,
        "invalid_api_key",
        None,
    )
    .await;
    // The key but no signature.
    s.refuse(
        s.request(Method::POST, "/v1/orders")
            .bearer_auth(&m.key)
            .header("content-type", "application/json")
            .body(body.clone()),
        401,
        "invalid_signature",
        None,
    )
    .await;
    // Signed, then altered on the way (the amount and an item's price changed).
    let altered = String::from_utf8(body.clone())
        .unwrap()
        .replace("3300", "330")
        .replace("1500", "150");
    let sig = kessai_server::webhook::signature::sign(&m.secret, now, &body);
    s.refuse(
        s.request(Method::POST, "/v1/orders")
            .bearer_auth(&m.key)
            .header("kessai-timestamp", now.to_string())
            .header("kessai-signature", sig)
            .header("content-type", "application/json")
            .body(altered),
        401,
        "invalid_signature",
        None,
    )
    .await;
    // Signed with another secret.
    let wrong = support::orders::Merchant {
        secret: "not-the-secret".into(),
        ..m.clone()
    };
    s.refuse(
        signed_request(&s, &wrong, Method::POST, "/v1/orders", &body, now),
        401,
        "invalid_signature",
        None,
    )
    .await;
    // Recorded and replayed ten minutes later.
    s.refuse(
        signed_request(&s, &m, Method::POST, "/v1/orders", &body, now - 600),
        401,
        "stale_request",
        None,
    )
    .await;
    // Properly signed: taken.
    let ok = s
        .send(signed_request(
            &s,
            &m,
            Method::POST,
            "/v1/orders",
            &body,
            now,
        ))
        .await;
    assert_eq!(ok.status.as_u16(), 201, "{}", ok.body);
}

async fn a_merchant_outside_its_contract_cannot_take_orders(db: Db) {
    let s = support::spawn(db).await;
    let today = support::contracts::today(&s);
    let yesterday = (today - time::Duration::days(1)).to_string();
    let tomorrow = (today + time::Duration::days(1)).to_string();
    let ended = merchant_with(
        &s,
        merchant_body(
            "ended",
            json!({"valid_from": "2020-01-01", "valid_until": yesterday}),
        ),
    )
    .await;
    let later = merchant_with(
        &s,
        merchant_body(
            "later",
            json!({"valid_from": tomorrow, "valid_until": "2099-12-31"}),
        ),
    )
    .await;
    let today_only = merchant_with(
        &s,
        merchant_body(
            "today",
            json!({"valid_from": today.to_string(), "valid_until": today.to_string()}),
        ),
    )
    .await;
    let body = order("C-1").to_string().into_bytes();
    for (m, code) in [
        (&ended, "merchant_expired"),
        (&later, "merchant_not_yet_valid"),
    ] {
        s.refuse(
            signed_request(&s, m, Method::POST, "/v1/orders", &body, now_s(&s)),
            403,
            code,
            None,
        )
        .await;
    }
    create_order(&s, &today_only, &order("C-1")).await;
}

async fn one_merchants_key_never_reaches_another_merchants_orders(db: Db) {
    let s = support::spawn(db).await;
    let a = merchant(&s, "shop-a").await;
    let b = merchant(&s, "shop-b").await;
    let theirs = create_order(&s, &a, &order("X-1")).await;
    let id = theirs["id"].as_str().unwrap();
    for path in [
        format!("/v1/orders/{id}"),
        format!("/v1/orders/{id}/accept"),
        format!("/v1/orders/{id}/cancel"),
    ] {
        let method = if path.ends_with(id) {
            Method::GET
        } else {
            Method::POST
        };
        signed(&s, &b, method.clone(), &path, None)
            .await
            .assert_error(404, "order_not_found", Some("order_id"));
        let r = s.send(s.request(method, &path)).await;
        r.assert_error(401, "invalid_api_key", None);
    }
    let listed = signed(&s, &b, Method::GET, "/v1/orders", None).await;
    assert_eq!(listed.ok()["orders"], json!([]));
    // The same number at another merchant is another order.
    let own = create_order(&s, &b, &order("X-1")).await;
    assert_ne!(own["id"], theirs["id"]);
    let still = signed(&s, &a, Method::GET, &format!("/v1/orders/{id}"), None).await;
    assert_eq!(still.ok()["status"], "unpaid");
}

async fn an_order_awaiting_acceptance_moves_only_as_the_machine_allows(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let mut body = order("D-1");
    body["acceptance_required"] = json!(true);
    let created = create_order(&s, &m, &body).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["status"], "awaiting_acceptance");
    let accepted = signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/accept"),
        None,
    )
    .await;
    assert_eq!(accepted.ok()["status"], "unpaid");
    // Accepting twice is an illegal move, refused whole.
    let path = format!("/v1/orders/{id}/accept");
    s.refuse(
        signed_request(&s, &m, Method::POST, &path, b"", now_s(&s)),
        409,
        "illegal_transition",
        None,
    )
    .await;
    let cancelled = signed(
        &s,
        &m,
        Method::POST,
        &format!("/v1/orders/{id}/cancel"),
        None,
    )
    .await;
    assert_eq!(cancelled.ok()["status"], "cancelled");
    let path = format!("/v1/orders/{id}/cancel");
    let again = s
        .refuse(
            signed_request(&s, &m, Method::POST, &path, b"", now_s(&s)),
            409,
            "illegal_transition",
            None,
        )
        .await;
    assert!(
        again.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cancelled"),
        "{}",
        again.body
    );
    let detail = signed(&s, &m, Method::GET, &format!("/v1/orders/{id}"), None).await;
    let kinds: Vec<&str> = detail.ok()["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "accept", "cancel"]);
}

async fn orders_are_listed_filtered_and_a_page_at_a_time(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let mut ids = vec![];
    for i in 0..5 {
        let o = create_order(&s, &m, &order(&format!("L-{i}"))).await;
        ids.push(o["id"].as_str().unwrap().to_string());
        // A second apart, so that "newest first" has one answer.
        s.operator(
            Method::POST,
            "/v1/operator/clock",
            Some(json!({"advance_ms": 1000})),
        )
        .await
        .ok();
    }
    let cancel = format!("/v1/orders/{}/cancel", ids[1]);
    signed(&s, &m, Method::POST, &cancel, None).await.ok();
    let mut seen = vec![];
    let mut path = "/v1/orders?limit=2".to_string();
    loop {
        let page = signed(&s, &m, Method::GET, &path, None).await;
        let page = page.ok().clone();
        for o in page["orders"].as_array().unwrap() {
            seen.push(o["id"].as_str().unwrap().to_string());
        }
        match page["next"].as_str() {
            Some(next) => path = format!("/v1/orders?limit=2&after={next}"),
            None => break,
        }
    }
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(seen, newest_first, "every order once, newest first");
    let cancelled = signed(&s, &m, Method::GET, "/v1/orders?status=cancelled", None).await;
    let listed = cancelled.ok()["orders"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], ids[1].as_str());
    let found = signed(&s, &m, Method::GET, "/v1/orders?q=L-3", None).await;
    assert_eq!(found.ok()["orders"].as_array().unwrap().len(), 1);
    let wildcard = signed(&s, &m, Method::GET, "/v1/orders?q=%25", None).await;
    assert_eq!(wildcard.ok()["orders"], json!([]), "a % typed is a %");
    signed(&s, &m, Method::GET, "/v1/orders?status=lost", None)
        .await
        .assert_error(422, "invalid_field", Some("status"));
}
