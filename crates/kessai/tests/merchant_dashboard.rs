//! The merchant dashboard (issue 10, seed 003): signed in with the merchant's ID and API key,
//! every order of every method in one table, filtered and searched, one order with its
//! timeline, the list as a CSV Excel in Japan opens (Shift_JIS, or UTF-8 with a BOM); another
//! merchant's order is not found, and a rotated key ends the sessions made with the old one.

mod support;

use reqwest::Method;
use support::browser::{csrf_of, Browser};
use support::orders::{create_order, merchant, order, signed};
use support::Db;

on_both_databases!(a_merchant_sees_its_orders_in_one_table_and_as_csv);

async fn sign_in(b: &Browser, id: &str, key: &str) -> (u16, String) {
    let (_, page) = b.get("/merchant").await;
    let (status, page) = b
        .post(
            "/merchant/sign-in",
            &[
                ("csrf", &csrf_of(&page)),
                ("merchant_id", id),
                ("api_key", key),
            ],
        )
        .await;
    (status.as_u16(), page)
}

async fn a_merchant_sees_its_orders_in_one_table_and_as_csv(db: Db) {
    let s = support::spawn(db).await;
    let m = merchant(&s, "shop-1").await;
    let other = merchant(&s, "shop-2").await;
    let a = create_order(&s, &m, &order("DASH-1")).await;
    // A second apart, so that "newest first" has one answer.
    s.operator(
        Method::POST,
        "/v1/operator/clock",
        Some(serde_json::json!({"advance_ms": 1000})),
    )
    .await
    .ok();
    let b_order = create_order(&s, &m, &order("DASH-2")).await;
    let theirs = create_order(&s, &other, &order("THEIRS-1")).await;
    let cancel = format!("/v1/orders/{}/cancel", b_order["id"].as_str().unwrap());
    signed(&s, &m, Method::POST, &cancel, None).await.ok();

    let browser = Browser::new(&s.base);
    let (status, page) = browser.get("/merchant/orders").await;
    assert!(
        page.contains("name=\"api_key\""),
        "not signed in: the sign-in form ({status})"
    );
    let (status, page) = sign_in(&browser, "shop-1", "kssm_wrong").await;
    assert_eq!(status, 401, "{page}");
    assert!(page.contains("APIキーが違います"), "{page}");
    let (status, page) = sign_in(&browser, "shop-1", &m.key).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("DASH-1") && page.contains("DASH-2"), "{page}");
    assert!(
        !page.contains("THEIRS-1"),
        "another merchant's order listed"
    );
    assert!(
        page.contains("キャンセル済み") && page.contains("お支払い待ち"),
        "{page}"
    );

    let (_, cancelled) = browser.get("/merchant/orders?status=cancelled").await;
    assert!(
        cancelled.contains("DASH-2") && !cancelled.contains("DASH-1"),
        "{cancelled}"
    );
    let (_, found) = browser.get("/merchant/orders?q=DASH-1").await;
    assert!(
        found.contains("DASH-1") && !found.contains("DASH-2"),
        "{found}"
    );

    let r = browser
        .http
        .get(format!("{}/merchant/orders.csv", s.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "text/csv; charset=Shift_JIS");
    let bytes = r.bytes().await.unwrap();
    let (text, _, bad) = encoding_rs::SHIFT_JIS.decode(&bytes);
    assert!(!bad, "Shift_JIS as Excel reads it");
    let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("注文番号,決済ID,状況,決済方法,金額"),
        "{}",
        lines[0]
    );
    assert_eq!(
        lines.len(),
        3,
        "a header and the merchant's two orders: {text}"
    );
    assert!(
        lines[1].starts_with("DASH-2,") && lines[1].contains("キャンセル済み"),
        "newest first: {text}"
    );
    let utf8 = browser
        .http
        .get(format!(
            "{}/merchant/orders.csv?charset=utf8&status=unpaid",
            s.base
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(utf8.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
    let utf8 = String::from_utf8(utf8[3..].to_vec()).unwrap();
    assert!(
        utf8.contains("DASH-1") && !utf8.contains("DASH-2"),
        "{utf8}"
    );

    let id = a["id"].as_str().unwrap();
    let (status, detail) = browser.get(&format!("/merchant/orders/{id}")).await;
    assert_eq!(status.as_u16(), 200);
    assert!(
        detail.contains("data-testid=\"timeline\"") && detail.contains("created"),
        "{detail}"
    );
    let (status, _) = browser
        .get(&format!(
            "/merchant/orders/{}",
            theirs["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        status.as_u16(),
        404,
        "another merchant's order is not found"
    );

    // A new key ends the session made with the old one.
    s.operator(Method::POST, "/v1/operator/merchants/shop-1/api-key", None)
        .await
        .ok();
    let (_, page) = browser.get("/merchant/orders").await;
    assert!(
        page.contains("name=\"api_key\""),
        "signed out by the rotation: {page}"
    );
}
