//! Pages and emails tell the money truth: a payout or refund instructed is not one paid, each
//! says how much and to which account (masked); an overpayment and its return are on the
//! buyer's page; the collection account carries bank and branch names and 預金種目; an unknown
//! address gets a real page.

mod support;

use reqwest::Method;
use support::bank::{import_all, sim_init, sim_run};
use support::browser::Browser;
use support::{Db, TestServer, BUYER_PW, SELLER_PW};

on_both_databases!(
    payment_page_names_the_bank_branch_and_account_type,
    instructed_is_not_paid_until_the_bank_says_so,
    a_refund_instructed_is_not_shown_as_refunded,
    unknown_addresses_get_a_real_page
);

async fn mail_with(s: &TestServer, id: &str, subject: &str) -> String {
    let mails = s.app.store.emails_for(id).await.unwrap();
    let found = mails.iter().find(|m| m.subject.contains(subject));
    found
        .unwrap_or_else(|| panic!("no {subject} in {mails:?}"))
        .body
        .clone()
}

async fn payment_page_names_the_bank_branch_and_account_type(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("pay-to", 2_000).await;
    let view = s.view(&buyer, BUYER_PW).await;
    let account = &view.ok()["payment"]["account"];
    assert_eq!(
        (
            account["bank_name"].as_str(),
            account["branch_name"].as_str(),
            account["account_type"].as_str()
        ),
        (Some("みずほ"), Some("東京営業部"), Some("ordinary"))
    );
    let (_, page) = Browser::new(&s.base).open_deal(&buyer, BUYER_PW).await;
    for expected in [
        "みずほ（0001）",
        "東京営業部（001）",
        "<td>普通</td>",
        "1234567",
        "ｹﾂｻｲ ｴｽｸﾛ-",
    ] {
        assert!(page.contains(expected), "{expected} missing: {page}");
    }
    let mail = mail_with(&s, &buyer, "お支払いのご案内").await;
    assert!(
        mail.contains("振込先: みずほ（0001） 東京営業部（001） 普通 1234567 ｹﾂｻｲ ｴｽｸﾛ-"),
        "{mail}"
    );
}

async fn instructed_is_not_paid_until_the_bank_says_so(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    let (buyer, seller) = s.agreed_deal("truth", 4_000).await;
    s.credit("truth-1", 4_500, &buyer).await.ok();
    // The overpayment, and what happens to it, on the buyer's page.
    let (_, page) = b.open_deal(&buyer, BUYER_PW).await;
    assert!(
        page.contains("data-testid=\"overpayment\"") && page.contains("¥500"),
        "{page}"
    );
    assert!(
        page.contains("取引の終了時に返金先口座へ返金します") && page.contains("****321"),
        "{page}"
    );

    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let (_, page) = b.open_deal(&seller, SELLER_PW).await;
    assert!(
        page.contains("完了（送金手続き中）") && !page.contains("完了（送金済）"),
        "{page}"
    );
    assert!(
        page.contains("data-status=\"pending\"")
            && page.contains("¥3,856")
            && page.contains("0005-123 ****567"),
        "{page}"
    );
    let (_, page) = b.open_deal(&buyer, BUYER_PW).await;
    assert!(
        page.contains("data-testid=\"money-out\"")
            && page.contains("¥500")
            && !page.contains("data-testid=\"overpayment\""),
        "{page}"
    );
    let mail = mail_with(&s, &seller, "代金の送金を指示しました").await;
    assert!(
        mail.contains("送金先: 三菱ＵＦＪ（0005） 横浜中山（123） 普通 ****567")
            && mail.contains("数営業日"),
        "{mail}"
    );

    // The bank pays both transfers: now the pages say paid.
    let state = s.dir.path().join("bank.json");
    let (bank_out, inbox) = (
        s.dir.path().join("bank-out"),
        s.dir.path().join("from-bank"),
    );
    sim_init(&state, 3, "0");
    s.export("iso20022", "2026-11-24").await.ok();
    sim_run(state.to_str().unwrap(), &bank_out, &inbox);
    import_all(&s, &inbox, &mut vec![]).await;
    let view = s.view(&seller, SELLER_PW).await;
    assert_eq!(
        view.ok()["money_out"][0]["status"],
        "completed",
        "{}",
        view.body
    );
    let (_, page) = b.open_deal(&seller, SELLER_PW).await;
    assert!(
        page.contains("完了（送金済）") && page.contains("振込完了"),
        "{page}"
    );
    // ... and so do the emails: each party hears that its money has been paid, and where to.
    let paid = mail_with(&s, &seller, "代金の送金が完了しました").await;
    assert!(
        paid.contains("金額: ¥3,856") && paid.contains("****567"),
        "{paid}"
    );
    let refunded = mail_with(&s, &buyer, "返金が完了しました").await;
    assert!(
        refunded.contains("金額: ¥500") && refunded.contains("****321"),
        "{refunded}"
    );
    s.assert_books_sound().await;
}

async fn a_refund_instructed_is_not_shown_as_refunded(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("refund-truth", 9_000).await;
    s.credit("rt-1", 9_000, &buyer).await.ok();
    s.operator(
        Method::POST,
        &format!("/v1/operator/deals/{seller}/refund"),
        None,
    )
    .await
    .ok();
    let (_, page) = Browser::new(&s.base).open_deal(&buyer, BUYER_PW).await;
    assert!(page.contains("data-status=\"refunded\""), "{page}");
    assert!(
        page.contains("返金手続き中") && !page.contains("返金済"),
        "{page}"
    );
    assert!(
        page.contains("¥9,000") && page.contains("0005-123 ****321"),
        "{page}"
    );
    let mail = mail_with(&s, &buyer, "返金を指示しました").await;
    assert!(
        mail.contains("返金先: 三菱ＵＦＪ（0005） 横浜中山（123） 普通 ****321"),
        "{mail}"
    );
}

async fn unknown_addresses_get_a_real_page(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    for (path, lang, words) in [
        ("/no/such/page", "ja", "ページが見つかりません"),
        ("/nope?lang=en", "en", "Page not found"),
    ] {
        let r = b
            .http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let html = r.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{lang}\">")) && html.contains(words),
            "{html}"
        );
        assert!(
            html.contains("href=\"/\" data-testid=\"home-link\""),
            "{html}"
        );
    }
    let api = s.send(s.request(Method::GET, "/v1/no-such-endpoint")).await;
    api.assert_error(404, "not_found", None);
}
