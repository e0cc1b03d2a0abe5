//! Emails to a contract's buyer and seller at each step (issue 9, seed 001: "the same facts go
//! out by email"): one email per party that gave an address, per change of the contract,
//! written once into the outbox with the link to its progress page; a party without an
//! address gets none, and a contract without any records no notice at all.

mod support;

use kessai_server::service::contract::notices::deliver_due;
use serde_json::json;
use support::contracts::{
    accept, answer_debits, business_day, contract, operator_run, ship_all, shown, site,
};
use support::Db;

on_both_databases!(each_step_is_emailed_once_to_each_party_that_gave_an_address);

async fn each_step_is_emailed_once_to_each_party_that_gave_an_address(db: Db) {
    let s = support::spawn(db).await;
    let key = site(&s, "mk").await;
    let day = business_day(&s, 1);
    let mut told = contract("E-1", 6_000);
    told["payout"] = json!("regardless");
    told["buyer"]["email"] = json!("kaite@example.jp");
    told["seller"]["email"] = json!("urite@example.jp");
    let mut half = contract("E-2", 7_000);
    half["seller"]["email"] = json!("urite@example.jp");
    let silent = contract("E-3", 8_000);
    let ids = accept(&s, &key, &[told, half, silent]).await;
    answer_debits(&s, &operator_run(&s, "debit", &day).await, 0).await;
    ship_all(&s, &operator_run(&s, "delivery", &day).await).await;
    // Taken twice: the second pass finds nothing left.
    assert!(deliver_due(&s.app).await.unwrap() > 0);
    assert_eq!(deliver_due(&s.app).await.unwrap(), 0);

    let emails = s.app.store.emails_for(&ids[0]).await.unwrap();
    // accepted, debit requested, debited, delivery instructed, shipped: to each of two.
    let to = |who: &str| emails.iter().filter(|e| e.to == who).count();
    assert_eq!(
        (to("kaite@example.jp"), to("urite@example.jp")),
        (5, 5),
        "{emails:#?}"
    );
    let shipped = emails
        .iter()
        .find(|e| e.to == "kaite@example.jp" && e.subject.contains("発送済"))
        .unwrap_or_else(|| panic!("{emails:#?}"));
    assert!(shipped.subject.contains("E-1") && shipped.subject.contains("Shipped"));
    let page = shown(&s, &key, &ids[0]).await["page_url"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(shipped.body.contains(&page), "{}", shipped.body);
    assert!(
        shipped.body.contains("株式会社 買手 様"),
        "{}",
        shipped.body
    );

    let half = s.app.store.emails_for(&ids[1]).await.unwrap();
    assert!(!half.is_empty() && half.iter().all(|e| e.to == "urite@example.jp"));
    assert!(s.app.store.emails_for(&ids[2]).await.unwrap().is_empty());
    s.assert_books_sound().await;
}
