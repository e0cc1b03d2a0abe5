//! Signing in once per visit: registering or `POST /v1/deals/{id}/session` gives a bearer
//! token; the token works for its own deal ID only, until it expires, is revoked, or the
//! password changes.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{Db, Reply, TestServer, BUYER_PW, SELLER_PW};

on_both_databases!(
    a_registration_signs_its_party_in,
    a_session_is_opened_with_the_password_only,
    a_session_ends_when_revoked_or_expired,
    a_new_password_ends_the_old_sessions
);

async fn with_token(s: &TestServer, method: Method, path: &str, token: &str) -> Reply {
    s.send(s.request(method, path).bearer_auth(token)).await
}

/// A deal step with a session's token instead of the password.
async fn step(s: &TestServer, id: &str, what: &str, token: &str) -> Reply {
    let path = format!("/v1/deals/{id}/{what}");
    s.send(
        s.request(Method::POST, &path)
            .bearer_auth(token)
            .json(&json!({})),
    )
    .await
}

async fn sign_in(s: &TestServer, id: &str, password: &str) -> Reply {
    s.send(
        s.request(Method::POST, &format!("/v1/deals/{id}/session"))
            .basic_auth(id, Some(password)),
    )
    .await
}

fn token(reply: &Value) -> String {
    reply["session"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no session in {reply}"))
        .to_string()
}

async fn a_registration_signs_its_party_in(db: Db) {
    let s = support::spawn(db).await;
    let buyer = s
        .register("buyer", &support::registration("buyer", "sess", 9_000))
        .await;
    let buyer_token = token(buyer.ok());
    assert!(buyer.body["session"]["expires_at"].is_string());
    let seller = s
        .register("seller", &support::registration("seller", "sess", 9_000))
        .await;
    let seller_token = token(seller.ok());
    let (buyer_id, seller_id) = (buyer.str("deal_id"), seller.str("deal_id"));

    let view = with_token(
        &s,
        Method::GET,
        &format!("/v1/deals/{buyer_id}"),
        &buyer_token,
    )
    .await;
    assert_eq!(view.ok()["role"], "buyer");
    // A token is good for its own deal ID only.
    with_token(
        &s,
        Method::GET,
        &format!("/v1/deals/{seller_id}"),
        &buyer_token,
    )
    .await
    .assert_error(401, "invalid_session", None);

    // The whole deal with tokens: no password after registering.
    s.credit("sess-pay", 9_000, &buyer_id).await.ok();
    let ship = step(&s, &seller_id, "shipment", &seller_token).await;
    assert_eq!(ship.ok()["status"], "shipped");
    let receipt = step(&s, &buyer_id, "receipt", &buyer_token).await;
    assert_eq!(receipt.ok()["status"], "completed");
    s.assert_books_sound().await;
}

async fn a_session_is_opened_with_the_password_only(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("sess-open", 5_000).await;
    let opened = sign_in(&s, &buyer, BUYER_PW).await;
    assert_eq!(opened.status, 201, "{}", opened.body);
    let fresh = opened.str("token");
    let view = with_token(&s, Method::GET, &format!("/v1/deals/{buyer}"), &fresh).await;
    assert_eq!(view.ok()["role"], "buyer");

    sign_in(&s, &buyer, "not-the-password").await.assert_error(
        401,
        "wrong_password",
        Some("password"),
    );
    // A token cannot open a session of its own (it would never expire).
    with_token(
        &s,
        Method::POST,
        &format!("/v1/deals/{buyer}/session"),
        &fresh,
    )
    .await
    .assert_error(401, "wrong_password", Some("password"));
    // An unknown token is refused, and says so.
    with_token(&s, Method::GET, &format!("/v1/deals/{buyer}"), "0123abcd")
        .await
        .assert_error(401, "invalid_session", None);
}

async fn a_session_ends_when_revoked_or_expired(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("sess-end", 5_000).await;
    let first = sign_in(&s, &buyer, BUYER_PW).await.str("token");
    let second = sign_in(&s, &buyer, BUYER_PW).await.str("token");
    let path = format!("/v1/deals/{buyer}");
    let session = format!("/v1/deals/{buyer}/session");

    let out = with_token(&s, Method::DELETE, &session, &first).await;
    assert_eq!(out.status, 204, "{}", out.body);
    with_token(&s, Method::GET, &path, &first)
        .await
        .assert_error(401, "invalid_session", None);
    with_token(&s, Method::DELETE, &session, &first)
        .await
        .assert_error(401, "invalid_session", None);
    // Signing out ends that session only.
    with_token(&s, Method::GET, &path, &second).await.ok();
    // Nor can the seller's path end the buyer's session.
    with_token(
        &s,
        Method::DELETE,
        &format!("/v1/deals/{seller}/session"),
        &second,
    )
    .await
    .assert_error(401, "invalid_session", None);

    // 30 minutes later the token is dead; the password still works.
    s.operator(
        Method::POST,
        "/v1/operator/clock",
        Some(json!({ "advance_ms": 30 * 60 * 1000 + 1 })),
    )
    .await
    .ok();
    with_token(&s, Method::GET, &path, &second)
        .await
        .assert_error(401, "invalid_session", None);
    s.view(&buyer, BUYER_PW).await.ok();
}

async fn a_new_password_ends_the_old_sessions(db: Db) {
    let s = support::spawn(db).await;
    s.register("buyer", &support::registration("buyer", "sess-pw", 10_000))
        .await
        .ok();
    let wrong = support::registration("seller", "sess-pw", 12_000);
    let seller = s.register("seller", &wrong).await;
    assert_eq!(seller.ok()["status"], "mismatch");
    let (id, old_token) = (seller.str("deal_id"), token(&seller.body));

    let mut fixed = support::registration("seller", "sess-pw", 10_000);
    fixed["password"] = "a-new-seller-password".into();
    let amended = s
        .send(
            s.request(Method::POST, &format!("/v1/registrations/{id}/amend"))
                .bearer_auth(&old_token)
                .json(&fixed),
        )
        .await;
    assert_eq!(amended.ok()["status"], "agreed");
    with_token(&s, Method::GET, &format!("/v1/deals/{id}"), &old_token)
        .await
        .assert_error(401, "invalid_session", None);
    s.view(&id, SELLER_PW)
        .await
        .assert_error(401, "wrong_password", Some("password"));
    s.view(&id, "a-new-seller-password").await.ok();
}
