//! What a request body must be (issue 7, B2): declared as JSON, without unknown fields, every
//! string within its documented length. Nothing a refused request carries changes the database.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{Db, SELLER_PW};

on_both_databases!(
    bodies_must_be_declared_json,
    unknown_fields_are_refused_by_name,
    strings_have_their_documented_maximum
);

async fn bodies_must_be_declared_json(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("ctype", 1_000).await;
    let credit = support::credit_body("shape-1", 1_000, &buyer).to_string();
    let registration = support::registration("buyer", "ctype2", 1_000).to_string();
    let shipment = json!({ "tracking_number": "1" }).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        Some("application/xml"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let with = |r: reqwest::RequestBuilder, body: &str| {
            let r = r.body(body.to_string());
            match content_type {
                Some(t) => r.header("content-type", t),
                None => r,
            }
        };
        let requests = [
            with(
                s.request(Method::POST, "/v1/operator/bank-credits")
                    .bearer_auth(&s.token),
                &credit,
            ),
            with(
                s.request(Method::POST, "/v1/registrations/buyer"),
                &registration,
            ),
            with(
                s.request(Method::POST, &format!("/v1/deals/{seller}/shipment"))
                    .basic_auth(&seller, Some(SELLER_PW)),
                &shipment,
            ),
        ];
        for request in requests {
            s.refuse(request, 415, "unsupported_media_type", Some("Content-Type"))
                .await;
        }
    }
    // JSON with its charset is JSON.
    let paid = s
        .send(
            s.request(Method::POST, "/v1/operator/bank-credits")
                .bearer_auth(&s.token)
                .header("content-type", "application/json; charset=UTF-8")
                .body(credit),
        )
        .await;
    assert_eq!(paid.ok()["deal_state"], "funded");
    // A bank file is bytes, not a form.
    let form = s
        .request(Method::POST, "/v1/operator/bank-files")
        .bearer_auth(&s.token)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("a=b");
    s.refuse(form, 415, "unsupported_media_type", Some("Content-Type"))
        .await;
}

async fn unknown_fields_are_refused_by_name(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("unknown", 1_000).await;
    let (other_buyer, _) = s.agreed_deal("unknown2", 1_000).await;
    let mut credit = support::credit_body("shape-1", 1_000, &buyer);
    credit["deal_id"] = json!(other_buyer);
    s.refuse(
        s.request(Method::POST, "/v1/operator/bank-credits")
            .bearer_auth(&s.token)
            .json(&credit),
        422,
        "unknown_field",
        Some("deal_id"),
    )
    .await;
    for (field, value) in [("status", json!("agreed")), ("received_yen", json!(1_000))] {
        let mut reg = support::registration("buyer", "unknown3", 1_000);
        reg[field] = value;
        s.refuse(
            s.request(Method::POST, "/v1/registrations/buyer")
                .json(&reg),
            422,
            "unknown_field",
            Some(field),
        )
        .await;
    }
    let mut reg = support::registration("seller", "unknown3", 1_000);
    reg["bank_account"]["branch_name"] = json!("本店");
    s.refuse(
        s.request(Method::POST, "/v1/registrations/seller")
            .json(&reg),
        422,
        "unknown_field",
        Some("bank_account.branch_name"),
    )
    .await;
    s.credit("unknown-pay", 1_000, &buyer).await.ok();
    let ship = s
        .request(Method::POST, &format!("/v1/deals/{seller}/shipment"))
        .basic_auth(&seller, Some(SELLER_PW))
        .json(&json!({ "tracking": "1" }));
    s.refuse(ship, 422, "unknown_field", Some("tracking")).await;
    let receipt = s
        .request(Method::POST, &format!("/v1/deals/{buyer}/receipt"))
        .basic_auth(&buyer, Some(support::BUYER_PW))
        .json(&json!({ "confirm": true }));
    s.refuse(receipt, 422, "unknown_field", Some("confirm"))
        .await;
}

/// Every string of the schema `name` with a `maxLength`, as (JSON pointer, field name as the
/// API names it, limit), nested objects followed.
fn bounded_strings(doc: &Value, name: &str, prefix: &str) -> Vec<(String, String, u64)> {
    let schemas = &doc["components"]["schemas"];
    let mut out = vec![];
    for (field, schema) in schemas[name]["properties"].as_object().unwrap() {
        let target = schema["$ref"]
            .as_str()
            .or_else(|| schema["allOf"][0]["$ref"].as_str());
        let dotted = if prefix.is_empty() {
            field.clone()
        } else {
            format!("{prefix}.{field}")
        };
        if let Some(r) = target {
            out.extend(bounded_strings(doc, r.rsplit('/').next().unwrap(), &dotted));
        } else if let Some(max) = schema["maxLength"].as_u64() {
            out.push((format!("/{}", dotted.replace('.', "/")), dotted, max));
        }
    }
    out
}

async fn strings_have_their_documented_maximum(db: Db) {
    let s = support::spawn(db).await;
    let doc = s
        .send(s.request(Method::GET, "/openapi.json"))
        .await
        .ok()
        .clone();
    let cases = [
        (
            "RegistrationInput",
            "/v1/registrations/buyer",
            support::registration("buyer", "len", 1_000),
        ),
        (
            "CreditInput",
            "/v1/operator/bank-credits",
            support::credit_body("shape-1", 1_000, "x"),
        ),
    ];
    let mut checked = 0;
    for (schema, path, valid) in cases {
        for (pointer, field, max) in bounded_strings(&doc, schema, "") {
            let mut body = valid.clone();
            let (parent, name) = pointer.rsplit_once('/').unwrap();
            body.pointer_mut(parent).unwrap()[name] = json!("９".repeat(max as usize + 1));
            let refused = s
                .refuse(
                    s.request(Method::POST, path)
                        .bearer_auth(&s.token)
                        .json(&body),
                    422,
                    "invalid_field",
                    Some(&field),
                )
                .await;
            // Refused for its length, not for its shape (bank codes, emails, kana names have
            // their own rules too).
            let message = refused.body["error"]["message"]
                .as_str()
                .unwrap_or_default();
            assert!(
                message.contains(&format!("longer than {max} characters")),
                "{field}: {}",
                refused.body
            );
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} bounded fields");
    // At the limit is not too long: a 140-character reference is applied (to suspense).
    let at_limit = s.credit("len-ok", 1_000, &"ｱ".repeat(140)).await;
    assert_eq!(at_limit.ok()["outcome"], "unmatched");
    // The shipment's tracking number, and a reference of 60,000 characters, refused by name.
    let (buyer, seller) = s.agreed_deal("len2", 1_000).await;
    s.credit("len2-pay", 1_000, &buyer).await.ok();
    let long = s
        .request(Method::POST, &format!("/v1/deals/{seller}/shipment"))
        .basic_auth(&seller, Some(SELLER_PW))
        .json(&json!({ "tracking_number": "9".repeat(65) }));
    s.refuse(long, 422, "invalid_field", Some("tracking_number"))
        .await;
    let huge = s
        .request(Method::POST, "/v1/operator/bank-credits")
        .bearer_auth(&s.token)
        .json(&support::credit_body("shape-1", 1_000, &"x".repeat(60_000)));
    s.refuse(huge, 422, "invalid_field", Some("reference"))
        .await;
}
