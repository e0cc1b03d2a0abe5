//! Paying an order at a convenience store (issue 10, seed 003): the slip on Kessai's page (its
//! GS1-128 barcode drawn as a PNG that a scanner — zbarimg — reads back), the stores and the
//! collection agent played by the simulator (`kessai_sim::konbini`), and the agent's files
//! imported once per file and once per payment: a preliminary report shows the slip paid, the
//! confirmed one pays the order and books what the agent owes. Late payments are kept (taken,
//! or held to be given back, as the merchant chose), unknown numbers are kept for the operator,
//! a malformed file changes nothing, and `kessai check` holds throughout.

mod support;

use kessai_formats::konbini::{self as format, ReportKind};
use kessai_sim::konbini::Agent;
use reqwest::Method;
use serde_json::{json, Value};
use support::browser::{csrf_of, Browser};
use support::contracts::post_file;
use support::orders::{
    assert_books_balance, balance, checkout_path, create_order, merchant, merchant_body,
    merchant_with, now_jst, order, signed,
};
use support::{Db, TestServer};

on_both_databases!(
    a_slip_is_issued_scanned_reported_and_confirmed_once,
    a_late_payment_is_taken_or_held_to_give_back_never_lost,
    unknown_numbers_and_malformed_files_change_no_order
);

/// Asks for the slip on the checkout page; the page then, and the slip's row.
async fn issue_slip(s: &TestServer, order: &Value) -> (String, kessai_store::KonbiniSlip) {
    let browser = Browser::new(&s.base);
    let path = checkout_path(order);
    let (_, page) = browser.get(&path).await;
    assert!(page.contains("data-testid=\"method-konbini\""), "{page}");
    let token = path.split("?t=").nth(1).unwrap().to_string();
    let id = order["id"].as_str().unwrap();
    let (status, page) = browser
        .post(
            &format!("/checkout/{id}/konbini"),
            &[("t", token.as_str()), ("csrf", &csrf_of(&page))],
        )
        .await;
    assert_eq!(status.as_u16(), 200, "{page}");
    let slip = s
        .app
        .store
        .konbini_slip_of(id)
        .await
        .unwrap()
        .expect("a slip");
    (page, slip)
}

async fn import(s: &TestServer, name: &str, bytes: Vec<u8>) -> Value {
    let r = post_file(s, "/v1/operator/konbini-files", name, bytes).await;
    r.ok().clone()
}

async fn status_of(s: &TestServer, m: &support::orders::Merchant, id: &str) -> Value {
    signed(s, m, Method::GET, &format!("/v1/orders/{id}"), None)
        .await
        .ok()
        .clone()
}

async fn a_slip_is_issued_scanned_reported_and_confirmed_once(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("K-1")).await;
    let id = o["id"].as_str().unwrap();
    let (page, slip) = issue_slip(&s, &o).await;
    assert!(page.contains(&slip.payment_number), "{page}");
    assert_eq!(slip.payment_number.len(), 11);
    assert_eq!(
        format::read_barcode(&slip.barcode).unwrap().amount_yen,
        3300
    );
    // The buyer is emailed the slip: the number, amount, last moment and the page.
    let (to, body): (String, String) =
        sqlx::query_as("SELECT to_addr, body FROM outbox_emails WHERE deal_ref = $1")
            .bind(id)
            .fetch_one(s.app.store.pool())
            .await
            .unwrap();
    assert_eq!(to, "buyer@example.jp");
    assert!(
        body.contains(&slip.payment_number) && body.contains("¥3,300"),
        "{body}"
    );
    assert!(body.contains(&checkout_path(&o)), "{body}");
    // The barcode as drawn is what a scanner reads.
    let path = checkout_path(&o);
    let token = path.split("?t=").nth(1).unwrap();
    let png = reqwest::get(format!("{}/checkout/{id}/slip.png?t={token}", s.base))
        .await
        .unwrap();
    assert_eq!(png.headers()["content-type"], "image/png");
    let file = s.dir.path().join("slip.png");
    std::fs::write(&file, png.bytes().await.unwrap()).unwrap();
    let scanned = std::process::Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&file)
        .output()
        .expect("zbarimg (zbar-tools, installed by test.sh)");
    let scanned = String::from_utf8_lossy(&scanned.stdout).trim().to_string();
    assert!(
        scanned.ends_with(&slip.barcode),
        "scanned {scanned}, drawn {}",
        slip.barcode
    );
    let wrong_link = reqwest::get(format!("{}/checkout/{id}/slip.png?t=00", s.base))
        .await
        .unwrap();
    assert_eq!(wrong_link.status().as_u16(), 404);

    // The store scans what the scanner read; the agent reports, then confirms.
    let mut agent = Agent::new("KSN01");
    agent
        .pay_by_barcode(&scanned[scanned.len() - 44..], now_jst(), "SEJ", "001234")
        .unwrap();
    let (name, preliminary) = agent.report(ReportKind::Preliminary, now_jst()).unwrap();
    let r = import(&s, &name, preliminary).await;
    assert_eq!(
        (r["kind"].as_str(), r["reported"].as_i64()),
        (Some("preliminary"), Some(1))
    );
    assert_eq!(
        status_of(&s, &m, id).await["status"],
        "unpaid",
        "a preliminary report moves no money"
    );
    assert_eq!(balance(&s, "konbini_receivable").await, 0);
    let (name, confirmed) = agent.report(ReportKind::Confirmed, now_jst()).unwrap();
    let r = import(&s, &name, confirmed.clone()).await;
    assert_eq!(r["applied"], 1, "{r}");
    let shown = status_of(&s, &m, id).await;
    assert_eq!(
        (shown["status"].as_str(), shown["method"].as_str()),
        (Some("paid"), Some("konbini"))
    );
    assert_eq!(balance(&s, "konbini_receivable").await, 3300);
    assert_eq!(balance(&s, &format!("held:{id}")).await, -3300);
    // The same file again, and the same payment in another file: nothing moves twice.
    let again = import(&s, &name, confirmed.clone()).await;
    assert_eq!(again["duplicate_file"], true);
    // Another file (a blank line more: other bytes) that carries the same payment.
    let resent = String::from_utf8(confirmed)
        .unwrap()
        .replace("\nT,", "\n\nT,");
    let other = import(&s, "resent.csv", resent.into_bytes()).await;
    assert_eq!(
        (
            other["duplicate_file"].as_bool(),
            other["duplicates"].as_i64()
        ),
        (Some(false), Some(1))
    );
    assert_eq!(balance(&s, "konbini_receivable").await, 3300);
    let page = Browser::new(&s.base).get(&path).await.1;
    assert!(page.contains("data-testid=\"slip-paid\""), "{page}");
    let kinds: Vec<String> = shown["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["created", "konbini_slip_issued", "pay"]);
    assert_books_balance(&s).await;
}

async fn a_late_payment_is_taken_or_held_to_give_back_never_lost(db: Db) {
    let s = support::spawn(db).await;
    let taker = merchant(&s, "shop-accept").await;
    let giver = merchant_with(
        &s,
        merchant_body("shop-refund", json!({"late_payment": "refund"})),
    )
    .await;
    let mut body = order("L-1");
    body["expires_in_days"] = json!(1);
    let (a, b) = (
        create_order(&s, &taker, &body).await,
        create_order(&s, &giver, &body).await,
    );
    let (_, slip_a) = issue_slip(&s, &a).await;
    let (_, slip_b) = issue_slip(&s, &b).await;
    // Two days on, the scheduler expires both orders; the stores take the slips anyway.
    s.advance_days(2).await;
    s.run_scheduler().await;
    for o in [(&taker, &a), (&giver, &b)] {
        assert_eq!(
            status_of(&s, o.0, o.1["id"].as_str().unwrap()).await["status"],
            "expired"
        );
    }
    let mut agent = Agent::new("KSN01");
    agent
        .pay_by_barcode(&slip_a.barcode, now_jst(), "FM", "77")
        .unwrap();
    agent
        .pay_by_number(&slip_b.payment_number, 3300, now_jst(), "LAW", "78")
        .unwrap();
    let (name, confirmed) = agent.report(ReportKind::Confirmed, now_jst()).unwrap();
    let r = import(&s, &name, confirmed).await;
    assert_eq!(
        (r["late_accepted"].as_i64(), r["late_refund_due"].as_i64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let taken = status_of(&s, &taker, a["id"].as_str().unwrap()).await;
    assert_eq!(taken["status"], "paid");
    let held = status_of(&s, &giver, b["id"].as_str().unwrap()).await;
    assert_eq!(held["status"], "expired");
    assert!(
        held["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "late_payment_refund_due"),
        "{held}"
    );
    assert_eq!(
        balance(&s, "konbini_receivable").await,
        6600,
        "both payments are in the books"
    );
    assert_books_balance(&s).await;
}

async fn unknown_numbers_and_malformed_files_change_no_order(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let o = create_order(&s, &m, &order("U-1")).await;
    issue_slip(&s, &o).await;
    let mut agent = Agent::new("KSN01");
    agent
        .pay_by_number("99999999999", 3300, now_jst(), "SEJ", "1")
        .unwrap();
    let (name, confirmed) = agent.report(ReportKind::Confirmed, now_jst()).unwrap();
    let r = import(&s, &name, confirmed.clone()).await;
    assert_eq!(r["unknown"], 1, "{r}");
    assert_eq!(
        status_of(&s, &m, o["id"].as_str().unwrap()).await["status"],
        "unpaid"
    );
    assert_eq!(
        balance(&s, "konbini_receivable").await,
        0,
        "kept for the operator, not booked"
    );
    let broken = String::from_utf8(confirmed)
        .unwrap()
        .replace("T,1,3300", "T,1,3301");
    s.refuse(
        s.request(Method::POST, "/v1/operator/konbini-files?name=broken.csv")
            .bearer_auth(&s.token)
            .header("content-type", "text/csv")
            .body(broken),
        422,
        "invalid_file",
        None,
    )
    .await;
    assert_books_balance(&s).await;
}
