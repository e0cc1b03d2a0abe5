//! Webhooks to a site (issue 9, seed 001 step 8): every change of a contract's status is
//! posted to the site's URL — a real HTTP receiver on loopback here, which checks each request
//! as a site should (`kessai_server::webhook::signature::verify`) — signed over
//! `timestamp.body`, retried with backoff while the receiver fails, given up after 16 attempts,
//! logged attempt by attempt, and replayed on request with the same ID and body.

mod support;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use kessai_server::webhook::signature::{verify, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use kessai_server::webhook::worker::{client, deliver_batch, retry_delay_ms};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use support::contracts::{
    accept, answer_debits, business_day, contract, get, operator_run, post_file, settle, ship_all,
    zengin_bank,
};
use support::{Db, TestServer};

on_both_databases!(
    every_status_change_reaches_the_site_signed,
    a_failing_receiver_is_tried_again_later_then_given_up_until_replayed,
    a_site_sees_only_its_own_events,
    https_receivers_are_verified,
    a_payout_paid_and_returned_in_one_statement_is_two_events
);

/// What the receiver got: each request's event ID header, body, and whether it verified.
#[derive(Default)]
struct Received {
    /// Answer 500 to this many requests first.
    fail_first: usize,
    requests: Vec<(String, Value, Result<(), String>)>,
}

type Receiver = Arc<Mutex<Received>>;

async fn receive(
    State((received, secret)): State<(Receiver, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now_s = time::OffsetDateTime::now_utc().unix_timestamp();
    let checked = verify(
        &secret,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        &body,
        now_s,
    )
    .map_err(|e| e.to_string());
    let mut r = received.lock().unwrap();
    let event = header(EVENT_HEADER).unwrap_or("").to_string();
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    r.requests.push((event, value, checked));
    if r.fail_first > 0 {
        r.fail_first -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::NO_CONTENT
}

/// A site whose webhook URL is a receiver on loopback; its API key and what it receives.
async fn site_with_receiver(s: &TestServer, id: &str, fail_first: usize) -> (String, Receiver) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let r = s
        .operator(
            Method::POST,
            "/v1/operator/sites",
            Some(json!({"id": id, "name": "通知先", "main_bank": "0001",
                        "webhook_url": url, "fee_rate_bp": 300})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let secret = r.str("webhook_secret");
    let received = Arc::new(Mutex::new(Received {
        fail_first,
        ..Received::default()
    }));
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .with_state((received.clone(), secret));
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (r.str("api_key"), received)
}

/// Runs the webhook worker until nothing due is left; how many events it claimed.
async fn deliver(s: &TestServer) -> usize {
    let http = client(None).unwrap();
    let mut claimed = 0;
    loop {
        let n = deliver_batch(&s.app, &http, "test-worker").await.unwrap();
        if n == 0 {
            return claimed;
        }
        claimed += n;
    }
}

/// The statuses received since `from`, each request verified.
fn statuses(received: &Receiver, from: usize) -> Vec<String> {
    let r = received.lock().unwrap();
    r.requests[from..]
        .iter()
        .map(|(id, body, checked)| {
            assert_eq!(checked, &Ok(()), "{body}");
            assert_eq!(body["id"].as_str(), Some(id.as_str()), "{body}");
            assert_eq!(body["type"], "contract.status_changed");
            body["contract"]["status"].as_str().unwrap().to_string()
        })
        .collect()
}

/// The statuses received since the `seen` first requests; `seen` moves past them.
fn news(received: &Receiver, seen: &mut usize) -> Vec<String> {
    let got = statuses(received, *seen);
    *seen += got.len();
    got
}

async fn every_status_change_reaches_the_site_signed(db: Db) {
    let s = support::spawn(db).await;
    let (key, received) = site_with_receiver(&s, "hooked", 0).await;
    let day = business_day(&s, 1);
    let ids = accept(&s, &key, &[contract("H-1", 10_000)]).await;
    assert_eq!(deliver(&s).await, 1);
    assert_eq!(statuses(&received, 0), ["accepted"]);
    {
        let r = received.lock().unwrap();
        let c = &r.requests[0].1["contract"];
        assert_eq!(
            (c["contract_id"].as_str(), c["number"].as_str()),
            (Some(ids[0].as_str()), Some("H-1"))
        );
    }
    let mut seen = 1;
    let debit_files = operator_run(&s, "debit", &day).await;
    deliver(&s).await;
    assert_eq!(news(&received, &mut seen), ["debit_requested"]);
    answer_debits(&s, &debit_files, 0).await;
    deliver(&s).await;
    assert_eq!(news(&received, &mut seen), ["debited"]);
    ship_all(&s, &operator_run(&s, "delivery", &day).await).await;
    deliver(&s).await;
    assert_eq!(
        news(&received, &mut seen),
        ["delivery_instructed", "shipped"]
    );
    let files = operator_run(&s, "payout", &day).await;
    deliver(&s).await;
    assert_eq!(news(&received, &mut seen), ["payout_instructed"]);
    let mut bank = zengin_bank();
    let (name, statement) = settle(&mut bank, &s, &[&files[0]], &day);
    post_file(&s, "/v1/operator/bank-files", &name, statement.clone())
        .await
        .ok();
    deliver(&s).await;
    assert_eq!(news(&received, &mut seen), ["paid"]);
    {
        let r = received.lock().unwrap();
        let last = &r.requests.last().unwrap().1["contract"];
        assert_eq!(last["paid_on"].as_str(), Some(day.as_str()), "{last}");
    }
    // The statement again, or a run again, changes no status: nothing more is sent.
    post_file(&s, "/v1/operator/bank-files", "again.txt", statement)
        .await
        .ok();
    operator_run(&s, "debit", &day).await;
    assert_eq!(deliver(&s).await, 0);
    // The delivery log says each was delivered at the first attempt.
    let list = get(&s, Some(&key), "/v1/webhooks").await;
    let events = list.ok()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 7);
    for e in &events {
        assert_eq!(
            (e["delivery"].as_str(), e["attempts"].as_i64()),
            (Some("delivered"), Some(1)),
            "{e}"
        );
    }
    s.assert_books_sound().await;
}

async fn a_failing_receiver_is_tried_again_later_then_given_up_until_replayed(db: Db) {
    let s = support::spawn(db).await;
    let (key, received) = site_with_receiver(&s, "flaky", 2).await;
    accept(&s, &key, &[contract("F-1", 1_000)]).await;
    assert_eq!(deliver(&s).await, 1, "the first attempt fails (500)");
    assert_eq!(deliver(&s).await, 0, "not due again yet");
    let advance = |ms: i64| {
        let s = &s;
        async move {
            s.operator(
                Method::POST,
                "/v1/operator/clock",
                Some(json!({ "advance_ms": ms })),
            )
            .await
            .ok();
        }
    };
    advance(retry_delay_ms(1)).await;
    assert_eq!(deliver(&s).await, 1, "the second attempt fails too");
    advance(retry_delay_ms(1)).await;
    assert_eq!(deliver(&s).await, 0, "the second wait is longer");
    advance(retry_delay_ms(2) - retry_delay_ms(1)).await;
    assert_eq!(deliver(&s).await, 1, "the third is delivered");
    let list = get(&s, Some(&key), "/v1/webhooks").await;
    let event_id = list.ok()["events"][0]["event_id"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = get(&s, Some(&key), &format!("/v1/webhooks/{event_id}")).await;
    let shown = shown.ok().clone();
    let log: Vec<Option<i64>> = shown["log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["http_status"].as_i64())
        .collect();
    assert_eq!(log, [Some(500), Some(500), Some(204)], "{shown}");
    assert_eq!(shown["delivery"], "delivered");
    // Every attempt carried the same event and body; the body the log shows is that body.
    {
        let r = received.lock().unwrap();
        assert_eq!(r.requests.len(), 3);
        assert!(r
            .requests
            .iter()
            .all(|(id, body, ok)| id == &event_id && body == &r.requests[0].1 && ok.is_ok()));
        let logged: Value = serde_json::from_str(shown["body"].as_str().unwrap()).unwrap();
        assert_eq!(logged, r.requests[0].1);
    }

    // A receiver that never answers well: given up after 16 attempts, then replayed.
    received.lock().unwrap().fail_first = usize::MAX;
    accept(&s, &key, &[contract("F-2", 2_000)]).await;
    let mut attempts = 0;
    loop {
        let n = deliver(&s).await;
        attempts += n;
        if n == 0 {
            break;
        }
        advance(retry_delay_ms(attempts as i64)).await;
    }
    assert_eq!(attempts, 16);
    let list = get(&s, Some(&key), "/v1/webhooks").await;
    let failed = list.ok()["events"][1].clone();
    assert_eq!(
        (failed["delivery"].as_str(), failed["attempts"].as_i64()),
        (Some("failed"), Some(16)),
        "{failed}"
    );
    assert!(
        failed["last_error"]
            .as_str()
            .unwrap()
            .starts_with("HTTP 500"),
        "{failed}"
    );
    received.lock().unwrap().fail_first = 0;
    let id = failed["event_id"].as_str().unwrap();
    let r = s
        .send(
            s.request(Method::POST, &format!("/v1/webhooks/{id}/replay"))
                .bearer_auth(&key),
        )
        .await;
    assert_eq!(r.status.as_u16(), 202, "{}", r.body);
    assert_eq!(r.body["delivery"], "pending");
    assert_eq!(deliver(&s).await, 1);
    let shown = get(&s, Some(&key), &format!("/v1/webhooks/{id}")).await;
    let shown = shown.ok().clone();
    assert_eq!(
        (shown["delivery"].as_str(), shown["attempts"].as_i64()),
        (Some("delivered"), Some(17))
    );
    assert_eq!(shown["log"].as_array().unwrap().len(), 17);
    // A replay of a delivered event sends it once more, with the same ID.
    let before = received.lock().unwrap().requests.len();
    s.send(
        s.request(Method::POST, &format!("/v1/webhooks/{id}/replay"))
            .bearer_auth(&key),
    )
    .await;
    assert_eq!(deliver(&s).await, 1);
    let r = received.lock().unwrap();
    assert_eq!(r.requests.len(), before + 1);
    assert_eq!(r.requests.last().unwrap().0, id);
}

async fn a_site_sees_only_its_own_events(db: Db) {
    let s = support::spawn(db).await;
    let (key, _received) = site_with_receiver(&s, "mine", 0).await;
    let other = support::contracts::site(&s, "theirs").await;
    accept(&s, &key, &[contract("M-1", 1_000), contract("M-2", 2_000)]).await;
    accept(&s, &other, &[contract("T-1", 3_000)]).await;
    deliver(&s).await;
    // Pages: one at a time, by cursor.
    let first = get(&s, Some(&key), "/v1/webhooks?limit=1").await;
    let first = first.ok().clone();
    assert_eq!(first["events"].as_array().unwrap().len(), 1);
    let after = first["next_after"].as_str().unwrap();
    let second = get(
        &s,
        Some(&key),
        &format!("/v1/webhooks?limit=1&after={after}"),
    )
    .await;
    let second = second.ok().clone();
    assert_eq!(second["events"].as_array().unwrap().len(), 1);
    assert!(second["next_after"].is_null(), "{second}");
    let numbers: Vec<&str> = [&first, &second]
        .iter()
        .map(|p| p["events"][0]["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), 2);
    assert_ne!(numbers[0], numbers[1]);
    let id = first["events"][0]["event_id"].as_str().unwrap();
    for path in [format!("/v1/webhooks/{id}")] {
        assert_eq!(get(&s, Some(&other), &path).await.status.as_u16(), 404);
        assert_eq!(get(&s, None, &path).await.status.as_u16(), 401);
    }
    let replay = format!("/v1/webhooks/{id}/replay");
    let r = s
        .send(s.request(Method::POST, &replay).bearer_auth(&other))
        .await;
    assert_eq!(r.status.as_u16(), 404, "{}", r.body);
    let r = s.send(s.request(Method::POST, &replay)).await;
    assert_eq!(r.status.as_u16(), 401, "{}", r.body);
    // The other site's list holds its own event only (its URL is a closed port: pending).
    let theirs = get(&s, Some(&other), "/v1/webhooks").await;
    let theirs = theirs.ok()["events"].as_array().unwrap().clone();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["number"], "T-1");
    assert_eq!(
        get(&s, Some(&key), "/v1/webhooks?limit=0")
            .await
            .status
            .as_u16(),
        400
    );
}

/// An https receiver on loopback, its certificate issued by the test CA
/// (`fixtures/tls`: a CA, and a certificate for 127.0.0.1 that it signed).
async fn https_receiver(s: &TestServer, id: &str) -> (String, Receiver) {
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/tls");
    let certs: Vec<CertificateDer> = CertificateDer::pem_file_iter(format!("{dir}/cert.pem"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(format!("{dir}/key.pem")).unwrap();
    let provider = std::sync::Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("https://{}/hooks", listener.local_addr().unwrap());
    let r = s
        .operator(
            Method::POST,
            "/v1/operator/sites",
            Some(json!({"id": id, "name": "暗号化", "main_bank": "0001", "webhook_url": url})),
        )
        .await;
    assert_eq!(r.status.as_u16(), 201, "{}", r.body);
    let received: Receiver = Arc::default();
    let app = axum::Router::new()
        .route("/hooks", axum::routing::post(receive))
        .with_state((received.clone(), r.str("webhook_secret")));
    tokio::spawn(async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let (acceptor, app) = (acceptor.clone(), app.clone());
            tokio::spawn(async move {
                // A client that does not trust the certificate ends the handshake.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = hyper_util::service::TowerToHyperService::new(app);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    (r.str("api_key"), received)
}

/// An https webhook URL: delivered when its certificate's authority is trusted (here the test
/// CA, as `--webhook-ca` gives it), refused — and logged why — when it is not.
async fn https_receivers_are_verified(db: Db) {
    let s = support::spawn(db).await;
    let (key, received) = https_receiver(&s, "tls-site").await;
    accept(&s, &key, &[contract("TLS-1", 1_000)]).await;
    // The public roots only: the test CA is unknown, the handshake fails.
    let public_only = client(None).unwrap();
    assert_eq!(deliver_batch(&s.app, &public_only, "w").await.unwrap(), 1);
    assert!(received.lock().unwrap().requests.is_empty());
    let list = get(&s, Some(&key), "/v1/webhooks").await;
    let event = list.ok()["events"][0].clone();
    assert_eq!(event["delivery"], "pending");
    let error = event["last_error"].as_str().unwrap().to_lowercase();
    assert!(error.contains("certificate"), "{event}");
    // Trusting the test CA: delivered, and verified by the receiver.
    let ca = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tls/ca.pem"
    ))
    .unwrap();
    let trusting = client(Some(&ca)).unwrap();
    s.operator(
        Method::POST,
        "/v1/operator/clock",
        Some(json!({ "advance_ms": retry_delay_ms(1) })),
    )
    .await
    .ok();
    assert_eq!(deliver_batch(&s.app, &trusting, "w").await.unwrap(), 1);
    assert_eq!(statuses(&received, 0), ["accepted"]);
}

/// The bank's statement books the seller's transfer and its return together: the contract is
/// paid and owed again in one transaction — two events, both sent, in order. (That the two get
/// distinct IDs even within one millisecond is the store's unit test: here they rarely fall in
/// one.)
async fn a_payout_paid_and_returned_in_one_statement_is_two_events(db: Db) {
    let s = support::spawn(db).await;
    let (key, received) = site_with_receiver(&s, "returns", 0).await;
    let day = business_day(&s, 1);
    let mut c = contract("R-1", 9_000);
    c["payout"] = json!("regardless");
    accept(&s, &key, &[c]).await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    let files = operator_run(&s, "payout", &day).await;
    deliver(&s).await;
    let mut seen = 0;
    assert_eq!(
        news(&received, &mut seen),
        [
            "accepted",
            "debit_requested",
            "debited",
            "payout_instructed"
        ]
    );
    // A bank at which every transfer comes back (the payee's account refuses it).
    let mut bank = zengin_bank();
    bank.reject_per_mille = 1000;
    let (name, statement) = settle(&mut bank, &s, &[&files[0]], &day);
    post_file(&s, "/v1/operator/bank-files", &name, statement)
        .await
        .ok();
    deliver(&s).await;
    assert_eq!(news(&received, &mut seen), ["paid", "payout_instructed"]);
}
