//! The seller learns the buyer's name and shipping address once the deal is funded — in its
//! API view, its "please ship" email and its deal page — and not a moment before.

mod support;

use support::browser::Browser;
use support::{Db, TestServer, SELLER_PW};

on_both_databases!(seller_sees_where_to_ship_only_once_funded);

const ADDRESS: &str = "東京都千代田区丸の内1-1-1";

/// The seller's emails that give the address: (subject, body).
async fn seller_mail_mentioning_address(s: &TestServer, seller: &str) -> Vec<(String, String)> {
    s.app
        .store
        .emails_for(seller)
        .await
        .unwrap()
        .into_iter()
        .filter(|m| m.body.contains(ADDRESS))
        .map(|m| (m.subject, m.body))
        .collect()
}

async fn seller_sees_where_to_ship_only_once_funded(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    let (buyer, seller) = s.agreed_deal("ship-to", 8_000).await;

    // Agreed, paid in part: still the buyer's private data.
    s.credit("ship-to-1", 3_000, &buyer).await.ok();
    let view = s.view(&seller, SELLER_PW).await;
    assert_eq!(view.ok()["status"], "awaiting_payment");
    assert!(view.body["ship_to"].is_null(), "{}", view.body);
    assert!(!view.body.to_string().contains(ADDRESS));
    let (_, page) = b.open_deal(&seller, SELLER_PW).await;
    assert!(
        !page.contains(ADDRESS) && !page.contains("data-testid=\"ship-to\""),
        "{page}"
    );
    assert_eq!(
        seller_mail_mentioning_address(&s, &seller).await,
        Vec::<(String, String)>::new()
    );

    // Funded: the view, the email asking to ship and the page all say where to.
    s.credit("ship-to-2", 5_000, &buyer).await.ok();
    let view = s.view(&seller, SELLER_PW).await;
    assert_eq!(view.ok()["status"], "funded");
    assert_eq!(view.body["ship_to"]["name"], "山田 太郎");
    assert_eq!(view.body["ship_to"]["shipping_address"], ADDRESS);
    let mails = seller_mail_mentioning_address(&s, &seller).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(mails[0].0.contains("商品を発送してください"), "{mails:?}");
    assert!(
        mails[0].1.contains("山田 太郎"),
        "the buyer's name: {mails:?}"
    );
    let (_, page) = b.open_deal(&seller, SELLER_PW).await;
    assert!(
        page.contains("data-testid=\"ship-to\"")
            && page.contains(ADDRESS)
            && page.contains("山田 太郎"),
        "{page}"
    );

    // Still there after shipping, for the seller only.
    s.ship(&seller).await.ok();
    assert_eq!(
        s.view(&seller, SELLER_PW).await.ok()["ship_to"]["shipping_address"],
        ADDRESS
    );
    let buyer_view = s.view(&buyer, support::BUYER_PW).await;
    assert!(buyer_view.ok()["ship_to"].is_null());
}
