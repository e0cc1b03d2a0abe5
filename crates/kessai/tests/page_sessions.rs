//! The deal pages sign a party in once per visit: opening the deal with its password sets a
//! session cookie, the step forms then need no password, and signing out ends the session.

mod support;

use support::browser::{csrf_of, Browser};
use support::{Db, SELLER_PW};

on_both_databases!(a_deal_page_visit_signs_in_once_and_signs_out);

async fn a_deal_page_visit_signs_in_once_and_signs_out(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("page-sess", 6_000).await;
    s.credit("page-sess-pay", 6_000, &buyer).await.ok();

    let b = Browser::new(&s.base);
    let (_, login) = b.get("/deal").await;
    let csrf = csrf_of(&login);
    let opened = b
        .http
        .post(format!("{}/deal", s.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("deal_id", &seller),
            ("password", SELLER_PW),
        ])
        .send()
        .await
        .unwrap();
    let cookie = opened
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("kessai_deal="))
        .expect("opening the deal sets the session cookie")
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/deal", "Max-Age=1800"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let page = opened.text().await.unwrap();
    assert!(page.contains("action=\"/deal/shipment\""), "{page}");
    assert!(
        !page.contains("type=\"password\""),
        "a signed-in page asks for no password: {page}"
    );

    // The step form without a password: the cookie signs it.
    let (status, page) = b
        .post(
            "/deal/shipment",
            &[
                ("csrf", &csrf),
                ("deal_id", &seller),
                ("tracking_number", "T-1"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("data-status=\"shipped\""), "{page}");

    // The seller's cookie does not sign the buyer in.
    let (status, _) = b
        .post("/deal/receipt", &[("csrf", &csrf), ("deal_id", &buyer)])
        .await;
    assert_eq!(status, 401);

    // Signed out, the cookie no longer works, even if a copy of it is sent again.
    let token = cookie
        .trim_start_matches("kessai_deal=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (status, _) = b.post("/deal/sign-out", &[("csrf", &csrf)]).await;
    assert_eq!(status, 200);
    let replayed = b
        .http
        .post(format!("{}/deal/shipment", s.base))
        .header("cookie", format!("kessai_csrf={csrf}; kessai_deal={token}"))
        .form(&[("csrf", csrf.as_str()), ("deal_id", &seller)])
        .send()
        .await
        .unwrap();
    assert_eq!(replayed.status(), 401);
    let html = replayed.text().await.unwrap();
    assert!(html.contains("サインインの有効期限が切れました"), "{html}");
    s.assert_books_sound().await;
}
