//! Every refusal in the documented error shape (issue 7, B2, B4 and D3): bodies within the
//! endpoint's limit, read only after the credentials; malformed JSON named by position and
//! field; unknown routes and methods; and the check that every answer the suite sees is one
//! `/openapi.json` lists.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Db, Reply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

on_both_databases!(
    every_error_comes_in_the_documented_shape,
    credentials_are_checked_before_the_body_is_read,
    assigning_suspense_money_answers_as_documented
);

async fn every_error_comes_in_the_documented_shape(db: Db) {
    let s = support::spawn(db).await;
    let credits = || {
        s.request(Method::POST, "/v1/operator/bank-credits")
            .bearer_auth(&s.token)
    };
    // Too large for a JSON endpoint (64 KiB), whether or not the length is declared.
    let big = support::credit_body("shape-1", 1_000, &"x".repeat(70_000)).to_string();
    s.refuse(
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
    // Malformed JSON: the message names the line and column, `field` the deepest field known
    // (never a placeholder): (path, body, field, where).
    let cases = [
        (
            "/v1/operator/bank-credits",
            r#"{"bank_ref": "abc"#,
            Some("bank_ref"),
            "line 1 column",
        ),
        (
            "/v1/operator/bank-credits",
            "{\n \"bank_ref\": \"a\",\n \"amount_yen\": 1,,\n}",
            None,
            "line 3",
        ),
        (
            "/v1/registrations/seller",
            r#"{"item": "x", "bank_account": {"bank_code": "00"#,
            Some("bank_account.bank_code"),
            "line 1",
        ),
    ];
    for (path, body, field, at) in cases {
        let request = s
            .request(Method::POST, path)
            .bearer_auth(&s.token)
            .header("content-type", "application/json")
            .body(body);
        let r = s.refuse(request, 400, "invalid_json", field).await;
        let message = r.body["error"]["message"].as_str().unwrap();
        assert!(message.contains(at), "{}", r.body);
        assert_ne!(r.body["error"]["field"], "?", "{}", r.body);
    }
    // Wrong method, unknown route under /v1.
    let r = s
        .refuse(
            s.request(Method::DELETE, "/v1/operator/bank-credits")
                .bearer_auth(&s.token),
            405,
            "method_not_allowed",
            None,
        )
        .await;
    assert_eq!(r.status, 405);
    s.refuse(
        s.request(Method::GET, "/v1/no/such/thing"),
        404,
        "not_found",
        None,
    )
    .await;
    s.refuse(s.request(Method::POST, "/v1"), 404, "not_found", None)
        .await;
    // The clock only moves forward; an unknown role.
    s.refuse(
        s.request(Method::POST, "/v1/operator/clock")
            .bearer_auth(&s.token)
            .json(&json!({ "advance_ms": -1 })),
        422,
        "invalid_field",
        Some("advance_ms"),
    )
    .await;
    s.refuse(
        s.request(Method::POST, "/v1/registrations/courier")
            .json(&support::registration("buyer", "r", 1_000)),
        404,
        "unknown_role",
        Some("role"),
    )
    .await;
    // A query string the endpoint cannot read.
    s.refuse(
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
    // A party's steps and amendment: a wrong password is answered while the declared body has
    // not arrived at all (only its first byte was sent), so the login came first.
    let (buyer, seller) = s.agreed_deal("before-body", 1_000).await;
    for (id, step) in [
        (&seller, "deals/{id}/shipment"),
        (&buyer, "deals/{id}/receipt"),
        (&buyer, "registrations/{id}/amend"),
    ] {
        let path = format!("/v1/{}", step.replace("{id}", id));
        let auth = base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            format!("{id}:wrong-password"),
        );
        let request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Basic {auth}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{");
        let answer = raw(&addr, request.as_bytes()).await;
        assert!(
            answer.starts_with("HTTP/1.1 401") && answer.contains("\"wrong_password\""),
            "{path}: {answer}"
        );
    }
}

/// Each refusal of an assignment, checked against the document by `send` (no other test
/// assigns through the API).
async fn assigning_suspense_money_answers_as_documented(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("assign", 1_000).await;
    let credit = s.credit("assign-1", 1_000, "no deal ID here").await;
    assert_eq!(credit.ok()["outcome"], "unmatched");
    let suspense = s.operator(Method::GET, "/v1/operator/suspense", None).await;
    let id = suspense.ok()["credits"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let assign = |credit: &str, deal: &str| {
        s.request(
            Method::POST,
            &format!("/v1/operator/suspense/{credit}/assign"),
        )
        .bearer_auth(&s.token)
        .json(&json!({ "deal_id": deal }))
    };
    s.refuse(
        assign("no-such-credit", &buyer),
        404,
        "credit_not_found",
        Some("credit_id"),
    )
    .await;
    s.refuse(assign(&id, &seller), 422, "wrong_party", Some("deal_id"))
        .await;
    s.refuse(
        assign(&id, "not-an-id"),
        400,
        "invalid_deal_id",
        Some("deal_id"),
    )
    .await;
    assert_eq!(
        s.send(assign(&id, &buyer)).await.ok()["deal_state"],
        "funded"
    );
    s.refuse(assign(&id, &buyer), 409, "wrong_state", None)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[should_panic(expected = "does not list")]
async fn an_undocumented_answer_fails_the_conformance_check() {
    let s = support::spawn(Db::Sqlite).await;
    let reply = Reply {
        status: reqwest::StatusCode::CONFLICT,
        body: json!({ "error": { "code": "made_up", "message": "m", "field": null } }),
    };
    support::conformance::assert_documented(
        s.document().await,
        "POST",
        "/v1/operator/bank-credits",
        &reply,
    );
}
