//! What a request must look like (issue 7, B2 and D3): bodies declared as JSON, no unknown
//! fields, every string within its documented length, bodies within the endpoint's limit and read
//! only after the credentials, and every refusal in the documented error shape. Nothing a refused
//! request carries changes the database.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{Db, Reply, TestServer, SELLER_PW};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_databases!(
    bodies_must_be_declared_json,
    unknown_fields_are_refused_by_name,
    strings_have_their_documented_maximum,
    every_error_comes_in_the_documented_shape,
    credentials_are_checked_before_the_body_is_read
);

/// Sends `request`, checks the error and that nothing in the database moved.
async fn refused(
    s: &TestServer,
    request: reqwest::RequestBuilder,
    status: u16,
    code: &str,
    field: Option<&str>,
) -> Reply {
    let before = s.snapshot().await;
    let r = s.send(request).await;
    r.assert_error(status, code, field);
    assert_eq!(
        s.snapshot().await,
        before,
        "a refused request ({code}) changed the database"
    );
    r
}

fn credit_body(reference: &str) -> Value {
    json!({ "bank_ref": "shape-1", "amount_yen": 1_000, "reference": reference })
}

async fn bodies_must_be_declared_json(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("ctype", 1_000).await;
    let credit = credit_body(&buyer).to_string();
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
            refused(
                &s,
                request,
                415,
                "unsupported_media_type",
                Some("Content-Type"),
            )
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
    refused(
        &s,
        form,
        415,
        "unsupported_media_type",
        Some("Content-Type"),
    )
    .await;
}

async fn unknown_fields_are_refused_by_name(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("unknown", 1_000).await;
    let (other_buyer, _) = s.agreed_deal("unknown2", 1_000).await;
    let mut credit = credit_body(&buyer);
    credit["deal_id"] = json!(other_buyer);
    refused(
        &s,
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
        refused(
            &s,
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
    refused(
        &s,
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
    refused(&s, ship, 422, "unknown_field", Some("tracking")).await;
    let receipt = s
        .request(Method::POST, &format!("/v1/deals/{buyer}/receipt"))
        .basic_auth(&buyer, Some(support::BUYER_PW))
        .json(&json!({ "confirm": true }));
    refused(&s, receipt, 422, "unknown_field", Some("confirm")).await;
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
        ("CreditInput", "/v1/operator/bank-credits", credit_body("x")),
    ];
    let mut checked = 0;
    for (schema, path, valid) in cases {
        for (pointer, field, max) in bounded_strings(&doc, schema, "") {
            let mut body = valid.clone();
            let (parent, name) = pointer.rsplit_once('/').unwrap();
            body.pointer_mut(parent).unwrap()[name] = json!("９".repeat(max as usize + 1));
            refused(
                &s,
                s.request(Method::POST, path)
                    .bearer_auth(&s.token)
                    .json(&body),
                422,
                "invalid_field",
                Some(&field),
            )
            .await;
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} bounded fields");
    // At the limit is not too long: a 140-character reference is applied (to suspense).
    let at_limit = s.credit("len-ok", 1_000, &"ｱ".repeat(140)).await;
    assert_eq!(at_limit.ok()["outcome"], "unmatched");
    // The shipment's tracking number, and a 1 MB reference, refused by name.
    let (buyer, seller) = s.agreed_deal("len2", 1_000).await;
    s.credit("len2-pay", 1_000, &buyer).await.ok();
    let long = s
        .request(Method::POST, &format!("/v1/deals/{seller}/shipment"))
        .basic_auth(&seller, Some(SELLER_PW))
        .json(&json!({ "tracking_number": "9".repeat(65) }));
    refused(&s, long, 422, "invalid_field", Some("tracking_number")).await;
    let huge = s
        .request(Method::POST, "/v1/operator/bank-credits")
        .bearer_auth(&s.token)
        .json(&credit_body(&"x".repeat(60_000)));
    refused(&s, huge, 422, "invalid_field", Some("reference")).await;
}

async fn every_error_comes_in_the_documented_shape(db: Db) {
    let s = support::spawn(db).await;
    let credits = || {
        s.request(Method::POST, "/v1/operator/bank-credits")
            .bearer_auth(&s.token)
    };
    // Too large for a JSON endpoint (64 KiB), whether or not the length is declared.
    let big = credit_body(&"x".repeat(70_000)).to_string();
    refused(
        &s,
        credits()
            .header("content-type", "application/json")
            .body(big.clone()),
        413,
        "body_too_large",
        None,
    )
    .await;
    // Sent in chunks with no length declared: refused once the limit is passed.
    let addr = s.base.trim_start_matches("http://");
    let mut chunked = format!("POST /v1/operator/bank-credits HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n", s.token);
    for piece in big.as_bytes().chunks(8192) {
        chunked += &format!(
            "{:x}\r\n{}\r\n",
            piece.len(),
            String::from_utf8_lossy(piece)
        );
    }
    chunked += "0\r\n\r\n";
    let answer = raw(addr, chunked.as_bytes()).await;
    assert!(
        answer.starts_with("HTTP/1.1 413") && answer.contains("\"body_too_large\""),
        "{answer}"
    );
    // A truncated body names where it ends and the field being read.
    let r = refused(
        &s,
        credits()
            .header("content-type", "application/json")
            .body(r#"{"bank_ref": "abc"#),
        400,
        "invalid_json",
        Some("bank_ref"),
    )
    .await;
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 1 column"),
        "{}",
        r.body
    );
    let r = refused(
        &s,
        credits()
            .header("content-type", "application/json")
            .body("{\n \"bank_ref\": \"a\",\n \"amount_yen\": 1,,\n}"),
        400,
        "invalid_json",
        None,
    )
    .await;
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("line 3"),
        "{}",
        r.body
    );
    // Wrong method, unknown route under /v1.
    let r = refused(
        &s,
        s.request(Method::DELETE, "/v1/operator/bank-credits")
            .bearer_auth(&s.token),
        405,
        "method_not_allowed",
        None,
    )
    .await;
    assert_eq!(r.status, 405);
    refused(
        &s,
        s.request(Method::GET, "/v1/no/such/thing"),
        404,
        "not_found",
        None,
    )
    .await;
    refused(&s, s.request(Method::POST, "/v1"), 404, "not_found", None).await;
    // The clock only moves forward; an unknown role.
    refused(
        &s,
        s.request(Method::POST, "/v1/operator/clock")
            .bearer_auth(&s.token)
            .json(&json!({ "advance_ms": -1 })),
        422,
        "invalid_field",
        Some("advance_ms"),
    )
    .await;
    refused(
        &s,
        s.request(Method::POST, "/v1/registrations/courier")
            .json(&support::registration("buyer", "r", 1_000)),
        404,
        "unknown_role",
        Some("role"),
    )
    .await;
    // A query string the endpoint cannot read.
    refused(
        &s,
        s.request(Method::GET, "/v1/operator/instructions?deal_id=a&deal_id=b")
            .bearer_auth(&s.token),
        400,
        "invalid_request",
        None,
    )
    .await;
}

/// Sends raw bytes on a new connection; what came back within 10 s (the test fails if nothing).
async fn raw(addr: &str, request: &[u8]) -> String {
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    // The server may answer and close before all is written.
    let _ = conn.write_all(request).await;
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), conn.read(&mut answer))
        .await
        .expect("an answer within 10 s")
        .unwrap();
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

async fn credentials_are_checked_before_the_body_is_read(db: Db) {
    let s = support::spawn(db).await;
    let addr = s.base.trim_start_matches("http://").to_string();
    // A 256 MiB upload without a token: the 401 arrives after the first MiB, while the client
    // has most of its body still to send.
    for path in ["/v1/operator/bank-files", "/v1/operator/bank-credits"] {
        let mut request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n", 256u64 << 20).into_bytes();
        request.extend(vec![b'0'; 1 << 20]);
        let answer = raw(&addr, &request).await;
        assert!(
            answer.starts_with("HTTP/1.1 401") && answer.contains("\"unauthorized\""),
            "{path}: {answer}"
        );
    }
}

#[test]
#[should_panic(expected = "does not list")]
fn an_undocumented_answer_fails_the_conformance_check() {
    let reply = Reply {
        status: reqwest::StatusCode::CONFLICT,
        body: json!({ "error": { "code": "made_up", "message": "m", "field": null } }),
    };
    support::conformance::assert_documented("POST", "/v1/operator/bank-credits", &reply);
}
