//! Registrations through the API: compared after normalization, input normalized before it is
//! checked, and a mismatched registration corrected in place (same deal ID) instead of
//! registered again.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{Db, TestServer, BUYER_PW, SELLER_PW};

on_both_databases!(
    registrations_match_after_normalization,
    full_width_digits_and_kana_are_taken_as_typed,
    a_mismatched_registration_is_amended_in_place,
    amending_needs_the_password_and_an_open_registration
);

async fn amend(s: &TestServer, id: &str, password: &str, body: &Value) -> support::Reply {
    s.send(
        s.request(Method::POST, &format!("/v1/registrations/{id}/amend"))
            .basic_auth(id, Some(password))
            .json(body),
    )
    .await
}

async fn registrations_match_after_normalization(db: Db) {
    let s = support::spawn(db).await;
    let mut buyer = support::registration("buyer", "norm", 12_800);
    buyer["item"] = json!("中古カメラ Nikon F3");
    buyer["seller_name"] = json!("鈴木花子");
    let mut seller = support::registration("seller", "norm", 12_800);
    seller["item"] = json!("中古ｶﾒﾗ  Ｎｉｋｏｎ　Ｆ３ ");
    seller["seller_name"] = json!("鈴木 花子");
    seller["buyer_name"] = json!("山田\u{3000}太郎");
    seller["buyer_email"] = json!("ＢＵＹＥＲ.norm@example.jp");
    assert_eq!(
        s.register("buyer", &buyer).await.ok()["status"],
        "waiting_for_counterpart"
    );
    assert_eq!(s.register("seller", &seller).await.ok()["status"], "agreed");
}

async fn full_width_digits_and_kana_are_taken_as_typed(db: Db) {
    let s = support::spawn(db).await;
    let mut buyer = support::registration("buyer", "wide", 5_000);
    buyer["bank_account"]["bank_code"] = json!("０００５");
    buyer["bank_account"]["branch_code"] = json!("１２３");
    buyer["bank_account"]["account_number"] = json!("７６５４３２１");
    buyer["bank_account"]["holder_name"] = json!("ヤマダ　タロウ");
    let id = s.register("buyer", &buyer).await.str("deal_id");
    s.register("seller", &support::registration("seller", "wide", 5_000))
        .await
        .ok();
    s.credit("wide-1", 5_000, &id).await.ok();
    s.operator(
        Method::POST,
        &format!("/v1/operator/deals/{id}/refund"),
        None,
    )
    .await
    .ok();
    let refund = &s.instructions(&id).await[0]["bank_account"];
    assert_eq!(
        (
            refund["bank_code"].as_str(),
            refund["branch_code"].as_str(),
            refund["account_number"].as_str(),
            refund["holder_name"].as_str()
        ),
        (Some("0005"), Some("123"), Some("7654321"), Some("ﾔﾏﾀﾞ ﾀﾛｳ"))
    );

    // A kanji holder name is asked for in katakana, and English names the field as people do.
    let mut kanji = support::registration("buyer", "kanji", 5_000);
    kanji["bank_account"]["holder_name"] = json!("山田太郎");
    let r = s.register("buyer", &kanji).await;
    r.assert_error(422, "invalid_field", Some("bank_account.holder_name"));
    assert_eq!(
        r.body["error"]["message"],
        "Account holder: enter in katakana (山 cannot be used)"
    );
    let mut short = support::registration("buyer", "short", 5_000);
    short["bank_account"]["bank_code"] = json!("５");
    let r = s.register("buyer", &short).await;
    r.assert_error(422, "invalid_field", Some("bank_account.bank_code"));
    assert_eq!(r.body["error"]["message"], "Bank code: must be 4 digits");
}

async fn a_mismatched_registration_is_amended_in_place(db: Db) {
    let s = support::spawn(db).await;
    let buyer = s
        .register("buyer", &support::registration("buyer", "amend", 10_000))
        .await
        .str("deal_id");
    let mut wrong = support::registration("seller", "amend", 12_000);
    let seller = s.register("seller", &wrong).await;
    assert_eq!(seller.ok()["status"], "mismatch");
    let seller = seller.str("deal_id");
    let view = s.view(&seller, SELLER_PW).await;
    assert_eq!(view.ok()["mismatched_fields"], json!(["price_yen"]));

    // Still wrong: compared again, still a mismatch, both told again.
    wrong["price_yen"] = json!(11_000);
    let again = amend(&s, &seller, SELLER_PW, &wrong).await;
    assert_eq!(again.ok()["status"], "mismatch");
    assert_eq!(again.body["deal_id"], seller.as_str(), "the same deal ID");
    let told = |id: String| {
        let s = &s;
        async move {
            s.app
                .store
                .emails_for(&id)
                .await
                .unwrap()
                .iter()
                .filter(|m| m.subject.contains("一致しません"))
                .count()
        }
    };
    assert_eq!(
        (told(buyer.clone()).await, told(seller.clone()).await),
        (2, 2)
    );

    let fixed = amend(
        &s,
        &seller,
        SELLER_PW,
        &support::registration("seller", "amend", 10_000),
    )
    .await;
    assert_eq!(fixed.ok()["status"], "agreed");
    assert_eq!(fixed.body["deal_id"], seller.as_str());
    assert_eq!(
        s.view(&buyer, BUYER_PW).await.ok()["status"],
        "awaiting_payment"
    );
    let timeline: Vec<String> = s.view(&seller, SELLER_PW).await.body["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert!(timeline.contains(&"amended".to_string()), "{timeline:?}");
    assert_eq!(
        s.credit("amend-1", 10_000, &buyer).await.ok()["deal_state"],
        "funded"
    );
    s.assert_books_sound().await;
}

async fn amending_needs_the_password_and_an_open_registration(db: Db) {
    let s = support::spawn(db).await;
    let (buyer, _) = s.agreed_deal("closed", 3_000).await;
    let body = support::registration("buyer", "closed", 3_000);
    amend(&s, &buyer, "not-the-password", &body)
        .await
        .assert_error(401, "wrong_password", Some("password"));
    let before = s.snapshot().await;
    amend(&s, &buyer, BUYER_PW, &body)
        .await
        .assert_error(409, "wrong_state", None);
    assert_eq!(
        s.snapshot().await,
        before,
        "an agreed registration stays as it is"
    );

    let open = s
        .register("buyer", &support::registration("buyer", "open", 3_000))
        .await
        .str("deal_id");
    let mut bad = support::registration("buyer", "open", 3_000);
    bad["item"] = json!(" ");
    amend(&s, &open, BUYER_PW, &bad)
        .await
        .assert_error(422, "invalid_field", Some("item"));
}
