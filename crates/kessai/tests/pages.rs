//! The web pages over HTTP: language switch, CSRF protection, registration and deal steps.
//! (The browser test in e2e/ clicks the same pages in Chromium.)

mod support;

use reqwest::Client;
use support::browser::{csrf_of, deal_id_of, Browser};
use support::Db;

on_both_databases!(
    pages_register_and_run_a_deal,
    operator_assigns_suspense_money_on_a_page,
    operator_returns_money_and_writes_off_claims_on_pages
);

fn form<'a>(csrf: &'a str, role: &str, fields: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("csrf", csrf),
        ("item", "ギター"),
        ("price_yen", "7000"),
        ("buyer_name", "山田 太郎"),
        ("buyer_email", "web.buyer@example.jp"),
        ("seller_name", "佐藤 花子"),
        ("seller_email", "web.seller@example.jp"),
        ("shipping_address", "東京都"),
        ("bank_code", "0001"),
        ("branch_code", "001"),
        ("account_type", "ordinary"),
        ("account_number", "1234567"),
        ("holder_name", "ﾔﾏﾀﾞ"),
        (
            "password",
            if role == "buyer" {
                support::BUYER_PW
            } else {
                support::SELLER_PW
            },
        ),
    ];
    for (k, val) in fields {
        v.retain(|(name, _)| name != k);
        v.push((k, val));
    }
    v
}

async fn pages_register_and_run_a_deal(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);

    let (status, home) = b.get("/").await;
    assert_eq!(status, 200);
    assert!(home.contains("<html lang=\"ja\">") && home.contains("買主として登録"));
    let (_, english) = b.get("/?lang=en").await;
    assert!(english.contains("<html lang=\"en\">") && english.contains("Register as buyer"));
    let (_, remembered) = b.get("/register/buyer").await;
    assert!(
        remembered.contains("Register a deal as the buyer"),
        "the language choice is remembered"
    );
    let (_, japanese) = b.get("/register/buyer?lang=ja").await;
    let csrf = csrf_of(&japanese);

    // A form without the right token is refused and changes nothing.
    let before = s.snapshot().await;
    let (status, page) = b
        .post("/register/buyer", &form("wrong-token", "buyer", &[]))
        .await;
    assert_eq!(status, 403);
    assert!(page.contains("class=\"error\""));
    assert_eq!(s.snapshot().await, before);
    // Invalid input: the form comes back with the problem named, the input kept.
    let (status, page) = b
        .post(
            "/register/buyer",
            &form(&csrf, "buyer", &[("password", "short")]),
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("password") && page.contains("value=\"ギター\""));

    let (status, page) = b.post("/register/buyer", &form(&csrf, "buyer", &[])).await;
    assert_eq!(status, 201, "{page}");
    let buyer = deal_id_of(&page);
    let (status, page) = b
        .post("/register/seller", &form(&csrf, "seller", &[]))
        .await;
    assert_eq!(status, 201);
    let seller = deal_id_of(&page);
    assert!(page.contains("取引が成立しました"));

    // The deal page: login errors are shown on the login form.
    let (status, page) = b
        .post(
            "/deal",
            &[
                ("csrf", &csrf),
                ("deal_id", &buyer),
                ("password", "wrong-pass"),
            ],
        )
        .await;
    assert_eq!(status, 401);
    assert!(
        page.contains("パスワードが違います"),
        "the login error is in Japanese"
    );
    let (status, page) = b
        .post(
            "/deal",
            &[
                ("csrf", &csrf),
                ("deal_id", &buyer),
                ("password", support::BUYER_PW),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("data-status=\"awaiting_payment\"") && page.contains(&buyer));

    s.credit("web-1", 7_000, &buyer).await.ok();
    let (_, page) = b
        .post(
            "/deal",
            &[
                ("csrf", &csrf),
                ("deal_id", &seller),
                ("password", support::SELLER_PW),
            ],
        )
        .await;
    assert!(page.contains("data-status=\"funded\"") && page.contains("action=\"/deal/shipment\""));
    // A wrong CSRF token on each step form is refused and changes nothing.
    let wrong = "0".repeat(48);
    let before = s.snapshot().await;
    for (path, id, pw) in [
        ("/deal/shipment", &seller, support::SELLER_PW),
        ("/deal/receipt", &buyer, support::BUYER_PW),
    ] {
        let (status, _) = b
            .post(
                path,
                &[("csrf", wrong.as_str()), ("deal_id", id), ("password", pw)],
            )
            .await;
        assert_eq!(status, 403, "{path}");
    }
    assert_eq!(s.snapshot().await, before);
    let (status, page) = b
        .post(
            "/deal/shipment",
            &[
                ("csrf", &csrf),
                ("deal_id", &seller),
                ("password", support::SELLER_PW),
                ("tracking_number", "T-99"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("data-status=\"shipped\"") && page.contains("T-99"));
    // The answer to a POST switches language on the deal sign-in, not on the POST-only form
    // address (which would answer 405).
    assert!(page.contains("href=\"/deal?lang=en\""), "{page}");
    let (status, english) = b.get("/deal?lang=en").await;
    assert_eq!(status, 200);
    assert!(english.contains("Open a deal"), "{english}");
    b.get("/deal?lang=ja").await;
    // The buyer cannot use the seller's form, and a forged post without the token is refused.
    let (status, _) = b
        .post(
            "/deal/shipment",
            &[
                ("csrf", &csrf),
                ("deal_id", &buyer),
                ("password", support::BUYER_PW),
            ],
        )
        .await;
    assert_eq!(status, 403);
    let forged = Client::new()
        .post(format!("{}/deal/receipt", s.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("deal_id", &buyer),
            ("password", support::BUYER_PW),
        ]);
    assert_eq!(
        forged.send().await.unwrap().status(),
        403,
        "no cookie, no step"
    );
    let (status, page) = b
        .post(
            "/deal/receipt",
            &[
                ("csrf", &csrf),
                ("deal_id", &buyer),
                ("password", support::BUYER_PW),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("data-status=\"completed\""));
    assert_eq!(
        page.matches("<tr><td>").count(),
        5,
        "timeline rows: registered, agreed, funded, shipped, completed"
    );
    s.assert_books_sound().await;
}

async fn operator_assigns_suspense_money_on_a_page(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    let (buyer, _) = s.agreed_deal("op-page", 4_200).await;
    s.credit("op-unmatched", 4_200, "ﾅﾏｴﾀﾞｹ").await.ok();

    let (status, page) = b.get("/operator/suspense").await;
    assert_eq!(status, 401, "signed out: the sign-in form");
    let csrf = csrf_of(&page);
    let (status, _) = b
        .post(
            "/operator/login",
            &[("csrf", &csrf), ("operator_token", "guess")],
        )
        .await;
    assert_eq!(status, 401);
    let (status, page) = b
        .post(
            "/operator/login",
            &[("csrf", &csrf), ("operator_token", &s.token)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("ﾅﾏｴﾀﾞｹ") && page.contains("¥4,200"), "{page}");
    let credit = first_on_suspense(&s, "credits").await;

    // A wrong CSRF token with the operator's cookie is refused.
    let (status, _) = b
        .post(
            "/operator/suspense/assign",
            &[
                ("csrf", "0".repeat(48).as_str()),
                ("credit_id", &credit),
                ("deal_id", &buyer),
            ],
        )
        .await;
    assert_eq!(status, 403);
    // Without the operator's cookie the same form is refused.
    let forged = Client::new()
        .post(format!("{}/operator/suspense/assign", s.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("credit_id", &credit),
            ("deal_id", &buyer),
        ]);
    assert_eq!(forged.send().await.unwrap().status(), 403);
    let (status, page) = b
        .post(
            "/operator/suspense/assign",
            &[("csrf", &csrf), ("credit_id", &credit), ("deal_id", &buyer)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("data-status=\"funded\"") && !page.contains("ﾅﾏｴﾀﾞｹ"),
        "assigned and gone from the list: {page}"
    );
    assert!(
        page.contains("入金済・発送待ち") && !page.contains("→ funded"),
        "the deal's state in words: {page}"
    );
    assert_eq!(
        s.view(&buyer, support::BUYER_PW).await.ok()["status"],
        "funded"
    );
    s.assert_books_sound().await;
}

async fn operator_returns_money_and_writes_off_claims_on_pages(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    s.credit("op-return", 2_500, "ﾀﾅｶ ｲﾁﾛｳ").await.ok();
    let (_, page) = b.get("/operator").await;
    let csrf = csrf_of(&page);
    b.post(
        "/operator/login",
        &[("csrf", &csrf), ("operator_token", &s.token)],
    )
    .await;
    let credit = first_on_suspense(&s, "credits").await;
    let (status, page) = b
        .get(&format!("/operator/suspense/return?credit_id={credit}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("¥2,500") && page.contains("name=\"bank_code\""),
        "{page}"
    );
    let form = |bank_code: &str| {
        [
            ("csrf", csrf.clone()),
            ("credit_id", credit.clone()),
            ("bank_code", bank_code.to_string()),
            ("branch_code", "123".to_string()),
            ("account_type", "ordinary".to_string()),
            ("account_number", "7654321".to_string()),
            ("holder_name", "たなか いちろう".to_string()),
        ]
    };
    // Each operator form refuses a wrong CSRF token, even with the operator's cookie.
    let wrong = "0".repeat(48);
    for path in [
        "/operator/suspense/return",
        "/operator/claims/write-off",
        "/operator/claims/recover",
    ] {
        let mut forged = form("0005");
        forged[0].1 = wrong.clone();
        let (status, _) = b.post(path, &as_pairs(&forged)).await;
        assert_eq!(status, 403, "{path}");
    }
    // A mistyped bank code: the form again, filled in, naming the field.
    let bad = form("12");
    let (status, page) = b.post("/operator/suspense/return", &as_pairs(&bad)).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("銀行コード") && page.contains("value=\"7654321\""),
        "{page}"
    );
    let good = form("0005");
    let (status, page) = b.post("/operator/suspense/return", &as_pairs(&good)).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("返金を指図しました") && page.contains("¥2,500"),
        "{page}"
    );
    // The answer to a POST switches language on the list it shows, not on the form address.
    assert!(
        page.contains("href=\"/operator/suspense?lang=en\""),
        "{page}"
    );
    let (status, page) = b.get("/operator/suspense?lang=en").await;
    assert_eq!(status, 200);
    assert!(page.contains("Unmatched money: 0 / ¥0"), "{page}");
    b.get("/operator/suspense?lang=ja").await;
    let returns = s
        .operator(reqwest::Method::GET, "/v1/operator/instructions", None)
        .await;
    let account = &returns.ok()["instructions"][0]["bank_account"];
    assert_eq!(
        account["holder_name"], "ﾀﾅｶ ｲﾁﾛｳ",
        "normalized to bank kana"
    );

    // A claim, written off from the page.
    let (buyer, seller) = s.agreed_deal("op-claim", 6_000).await;
    s.credit("op-claim-pay", 6_000, &buyer).await.ok();
    s.ship(&seller).await.ok();
    support::bank::reverse(&s, "op-claim-back", 6_000, &buyer).await;
    let (_, page) = b.get("/operator/suspense").await;
    assert!(
        page.contains("data-testid=\"claims-total\"") && page.contains("¥6,000"),
        "{page}"
    );
    let claim = first_on_suspense(&s, "claims").await;
    let (status, page) = b
        .post(
            "/operator/claims/write-off",
            &[("csrf", &csrf), ("claim_id", &claim)],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("償却しました"), "{page}");

    // A conflict (a bank reference repeated with other content) shows the earlier record.
    s.credit("op-conflict", 1_000, "ﾀﾅｶ").await.ok();
    s.credit("op-conflict", 1_500, "ﾀﾅｶ").await.ok();
    let (_, page) = b.get("/operator/suspense?lang=en").await;
    assert!(
        page.contains("Conflict: the bank reported this entry before as ¥1,000"),
        "{page}"
    );
    s.assert_books_sound().await;
}

fn as_pairs<'a>(form: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The ID of the oldest entry in one of the suspense lists (`credits` or `claims`).
async fn first_on_suspense(s: &support::TestServer, list: &str) -> String {
    s.operator(reqwest::Method::GET, "/v1/operator/suspense", None)
        .await
        .ok()[list][0]["id"]
        .as_str()
        .unwrap()
        .to_string()
}
