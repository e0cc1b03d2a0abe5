//! The auction escrow flow through the HTTP API, on SQLite and on PostgreSQL: every step, its
//! emails, its ledger entries and bank instructions, and `kessai check` after each.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Db, TestServer, BUYER_PW, SELLER_PW};

on_both_databases!(
    clean_deal_pays_seller_less_fee,
    underpaid_then_topped_up_and_overpaid,
    unshipped_deal_refunded_by_scheduler,
    unpaid_deal_cancelled_and_partial_payment_refunded,
    mismatch_names_fields_then_corrected_registration_agrees,
    late_payment_after_completion_is_returned,
    operator_refund_before_shipment,
    credits_without_a_single_deal_are_unmatched
);

fn payment_ref(buyer: &str) -> String {
    format!("ﾔﾏﾀﾞ ﾀﾛｳ {buyer}")
}

async fn emails_to(s: &TestServer, id: &str) -> Vec<String> {
    s.app
        .store
        .emails_for(id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.subject)
        .collect()
}

async fn clean_deal_pays_seller_less_fee(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("clean", 10_000).await;
    let view = s.view(&buyer, BUYER_PW).await;
    assert_eq!(view.ok()["status"], "awaiting_payment");
    assert_eq!(view.body["payment"]["reference"], buyer.as_str());
    assert_eq!(view.body["payment"]["amount_yen"], 10_000);
    assert!(
        view.body["fee_yen"].is_null(),
        "the buyer does not see the seller's fee"
    );

    let paid = s.credit("ref-1", 10_000, &payment_ref(&buyer)).await;
    assert_eq!(paid.ok()["outcome"], "matched");
    assert_eq!(paid.body["deal_state"], "funded");
    s.assert_books_sound().await;

    assert_eq!(s.ship(&seller).await.ok()["status"], "shipped");
    assert_eq!(s.receipt(&buyer).await.ok()["status"], "completed");
    s.assert_books_sound().await;

    let seller_view = s.view(&seller, SELLER_PW).await;
    assert_eq!(seller_view.ok()["fee_yen"], 360);
    assert_eq!(seller_view.body["payout_yen"], 9_640);
    assert_eq!(seller_view.body["tracking_number"], "1234-5678");
    let events: Vec<&str> = seller_view.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["registered", "agreed", "funded", "shipped", "completed"]
    );

    let instructions = s.instructions(&buyer).await;
    assert_eq!(instructions.len(), 1);
    assert_eq!(instructions[0]["purpose"], "payout");
    assert_eq!(instructions[0]["amount_yen"], 9_640);
    assert_eq!(instructions[0]["bank_account"]["account_number"], "1234567");
    assert_eq!(instructions[0]["status"], "pending");

    let buyer_mail = emails_to(&s, &buyer).await;
    let seller_mail = emails_to(&s, &seller).await;
    for expected in [
        "登録を受け付けました",
        "取引が成立しました",
        "お支払いのご案内",
        "ご入金を確認しました",
        "商品が発送されました",
        "取引が完了しました",
    ] {
        assert!(
            buyer_mail.iter().any(|m| m.contains(expected)),
            "buyer lacks {expected}: {buyer_mail:?}"
        );
    }
    for expected in [
        "登録を受け付けました",
        "取引が成立しました",
        "商品を発送してください",
        "代金の送金を指示しました",
    ] {
        assert!(
            seller_mail.iter().any(|m| m.contains(expected)),
            "seller lacks {expected}: {seller_mail:?}"
        );
    }
}

async fn underpaid_then_topped_up_and_overpaid(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("short", 30_000).await;
    let first = s.credit("short-1", 20_000, &payment_ref(&buyer)).await;
    assert_eq!(first.ok()["deal_state"], "awaiting_payment");
    assert_eq!(first.body["remaining_yen"], 10_000);
    assert!(emails_to(&s, &buyer)
        .await
        .iter()
        .any(|m| m.contains("ご入金が不足しています")));
    assert_eq!(
        s.ship(&seller).await.status,
        409,
        "no shipping before the money is in"
    );

    let second = s.credit("short-2", 12_000, &buyer.to_lowercase()).await;
    assert_eq!(second.ok()["deal_state"], "funded");
    assert_eq!(second.body["excess_yen"], 2_000);
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let mut got: Vec<(String, i64)> = s
        .instructions(&buyer)
        .await
        .iter()
        .map(|i| {
            (
                i["purpose"].as_str().unwrap().into(),
                i["amount_yen"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("payout".to_string(), 28_920),
            ("refund".to_string(), 2_000)
        ]
    );
    s.assert_books_sound().await;
}

async fn unshipped_deal_refunded_by_scheduler(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("unshipped", 18_000).await;
    s.credit("unshipped-1", 18_000, &payment_ref(&buyer))
        .await
        .ok();
    s.advance_days(6).await;
    assert_eq!(s.run_scheduler().await, 0, "not due yet");
    s.advance_days(2).await;
    assert_eq!(s.run_scheduler().await, 1);
    assert_eq!(s.view(&buyer, BUYER_PW).await.ok()["status"], "refunded");
    assert_eq!(s.run_scheduler().await, 0, "a deadline fires once");
    let refunds = s.instructions(&buyer).await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(
        (
            refunds[0]["purpose"].as_str(),
            refunds[0]["amount_yen"].as_i64()
        ),
        (Some("refund"), Some(18_000))
    );
    assert_eq!(refunds[0]["bank_account"]["account_number"], "7654321");
    assert_eq!(s.ship(&seller).await.status, 409, "too late to ship");
    assert!(emails_to(&s, &seller)
        .await
        .iter()
        .any(|m| m.contains("取引は終了しました")));
    s.assert_books_sound().await;
}

async fn unpaid_deal_cancelled_and_partial_payment_refunded(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("unpaid", 5_000).await;
    s.credit("unpaid-1", 3_000, &payment_ref(&buyer)).await.ok();
    s.advance_days(8).await;
    assert_eq!(s.run_scheduler().await, 1);
    assert_eq!(s.view(&buyer, BUYER_PW).await.ok()["status"], "cancelled");
    let refunds = s.instructions(&buyer).await;
    assert_eq!(refunds.len(), 1);
    assert_eq!(refunds[0]["amount_yen"], 3_000);
    s.assert_books_sound().await;
}

async fn mismatch_names_fields_then_corrected_registration_agrees(db: Db) {
    let s = support::spawn(db).await;
    let buyer = s
        .register("buyer", &support::registration("buyer", "mm", 10_000))
        .await;
    let buyer_id = buyer.str("deal_id");
    let mut wrong = support::registration("seller", "mm", 12_000);
    wrong["item"] = json!("別の商品");
    let seller = s.register("seller", &wrong).await;
    assert_eq!(seller.ok()["status"], "mismatch");
    assert_eq!(
        seller.body["mismatched_fields"],
        json!(["item", "price_yen"])
    );
    let seller_id = seller.str("deal_id");
    // Both parties hear of it, the fields named as people call them, with what to do next.
    for (id, whose) in [
        (&seller_id, "あなたの登録内容が買主の登録と"),
        (&buyer_id, "売主が登録した内容が"),
    ] {
        let mail = s.app.store.emails_for(id).await.unwrap();
        assert!(
            mail.iter().any(|m| m.subject.contains("一致しません")
                && m.body.contains("一致しない項目: 商品名、代金")
                && m.body.contains(whose)
                && m.body.contains("次にすること")
                && !m.body.contains("price_yen")),
            "{mail:?}"
        );
    }
    assert_eq!(s.view(&buyer_id, BUYER_PW).await.ok()["status"], "mismatch");
    // Nothing proceeds on a mismatch: no deal, no money can be matched.
    let credit = s.credit("mm-1", 10_000, &buyer_id).await;
    assert_eq!(credit.ok()["outcome"], "unmatched");

    let fixed = s
        .register("seller", &support::registration("seller", "mm", 10_000))
        .await;
    assert_eq!(fixed.ok()["status"], "agreed");
    assert_eq!(
        s.view(&buyer_id, BUYER_PW).await.ok()["status"],
        "awaiting_payment"
    );
    s.assert_books_sound().await;
}

async fn late_payment_after_completion_is_returned(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("late", 4_000).await;
    s.credit("late-1", 4_000, &buyer).await.ok();
    s.ship(&seller).await.ok();
    s.receipt(&buyer).await.ok();
    let late = s.credit("late-2", 1_500, &buyer).await;
    assert_eq!(late.ok()["deal_state"], "completed");
    let refunds: Vec<i64> = s
        .instructions(&buyer)
        .await
        .iter()
        .filter(|i| i["purpose"] == "refund")
        .map(|i| i["amount_yen"].as_i64().unwrap())
        .collect();
    assert_eq!(refunds, [1_500]);
    s.assert_books_sound().await;
}

async fn operator_refund_before_shipment(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, seller) = s.agreed_deal("oprefund", 9_000).await;
    s.credit("op-1", 9_000, &buyer).await.ok();
    let r = s
        .operator(
            Method::POST,
            &format!("/v1/operator/deals/{seller}/refund"),
            None,
        )
        .await;
    assert_eq!(r.ok()["status"], "refunded");
    let again = s
        .operator(
            Method::POST,
            &format!("/v1/operator/deals/{seller}/refund"),
            None,
        )
        .await;
    again.assert_error(409, "wrong_state", None);
    assert_eq!(s.instructions(&buyer).await.len(), 1);
    s.assert_books_sound().await;
}

async fn credits_without_a_single_deal_are_unmatched(db: Db) {
    let s = support::spawn(db).await;
    let (a, _) = s.agreed_deal("amb-a", 1_000).await;
    let (b, _) = s.agreed_deal("amb-b", 1_000).await;
    for (bank_ref, reference) in [
        ("u-1", "ﾀﾅｶ ｲﾁﾛｳ".to_string()),
        ("u-2", format!("{a} {b}")),
        ("u-3", "ABCDEFGHJK".into()),
    ] {
        let r = s.credit(bank_ref, 1_000, &reference).await;
        assert_eq!(r.ok()["outcome"], "unmatched", "{reference}");
        assert!(r.body["deal_id"].is_null());
    }
    assert_eq!(s.app.store.unmatched_credit_count().await.unwrap(), 3);
    assert_eq!(s.view(&a, BUYER_PW).await.ok()["received_yen"], 0);
    s.assert_books_sound().await;
}
