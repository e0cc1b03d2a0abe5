//! The registration form's errors and the correction of a mismatch, on the pages: every field
//! error at once, next to its field, with the true reason in the page's language; full-width
//! input accepted; a mismatch says what differs and what to do, and offers the registration
//! in a form to correct, in place.

mod support;

use support::browser::{csrf_of, deal_id_of, Browser};
use support::{Db, BUYER_PW, SELLER_PW};

on_both_databases!(
    every_field_error_is_shown_at_once_next_to_its_field,
    a_mismatch_is_corrected_on_the_page
);

fn registration<'a>(csrf: &'a str, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut v = vec![
        ("csrf", csrf),
        ("item", "中古カメラ Nikon F3"),
        ("price_yen", "9000"),
        ("buyer_name", "山田 太郎"),
        ("buyer_email", "forms.buyer@example.jp"),
        ("seller_name", "佐藤 花子"),
        ("seller_email", "forms.seller@example.jp"),
        ("shipping_address", "東京都千代田区丸の内1-1-1"),
        ("bank_code", "0005"),
        ("branch_code", "123"),
        ("account_type", "ordinary"),
        ("account_number", "7654321"),
        ("holder_name", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("password", BUYER_PW),
    ];
    for (k, val) in changes {
        v.retain(|(name, _)| name != k);
        v.push((k, val));
    }
    v
}

/// The error shown under the control `name`.
fn error_of(page: &str, name: &str) -> String {
    let marker = format!("id=\"{name}-error\" data-field=\"{name}\">");
    let at = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no error for {name}: {page}"))
        + marker.len();
    page[at..].split('<').next().unwrap().to_string()
}

async fn every_field_error_is_shown_at_once_next_to_its_field(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    let (_, form) = b.get("/register/buyer?lang=ja").await;
    let csrf = csrf_of(&form);
    let wrong = [
        ("item", " "),
        ("price_yen", "九千"),
        ("bank_code", "12"),
        ("holder_name", "山田太郎"),
        ("password", "short"),
    ];
    let (status, page) = b
        .post("/register/buyer", &registration(&csrf, &wrong))
        .await;
    assert_eq!(status, 422);
    assert_eq!(error_of(&page, "item"), "入力してください");
    assert_eq!(
        error_of(&page, "price_yen"),
        "1円から100億円までの整数で入力してください"
    );
    assert_eq!(error_of(&page, "bank_code"), "4桁の数字で入力してください");
    assert_eq!(
        error_of(&page, "holder_name"),
        "カナで入力してください（「山」は使えません）"
    );
    assert_eq!(error_of(&page, "password"), "8文字以上で入力してください");
    assert!(
        page.contains("aria-describedby=\"holder_name-error\""),
        "{page}"
    );
    assert!(
        page.contains("value=\"山田太郎\""),
        "the input comes back as typed"
    );

    // In English, with the words a person reads: no internal names.
    b.get("/register/buyer?lang=en").await;
    let (_, page) = b
        .post("/register/buyer", &registration(&csrf, &wrong))
        .await;
    assert_eq!(error_of(&page, "bank_code"), "must be 4 digits");
    assert_eq!(
        error_of(&page, "holder_name"),
        "enter in katakana (山 cannot be used)"
    );
    assert!(page.contains("Bank code: must be 4 digits"), "{page}");
    assert!(
        !page.contains("bank_account.") && !page.contains("price_yen:"),
        "{page}"
    );

    // Full-width digits, as a Japanese input method types them, are taken.
    let wide = [
        ("bank_code", "０００５"),
        ("branch_code", "１２３"),
        ("account_number", "７６５４３２１"),
        ("price_yen", "９，０００"),
        ("holder_name", "ヤマダ　タロウ"),
    ];
    let (status, page) = b.post("/register/buyer", &registration(&csrf, &wide)).await;
    assert_eq!(status, 201, "{page}");
}

async fn a_mismatch_is_corrected_on_the_page(db: Db) {
    let s = support::spawn(db).await;
    let b = Browser::new(&s.base);
    let (_, form) = b.get("/register/buyer?lang=ja").await;
    let csrf = csrf_of(&form);
    let (_, page) = b.post("/register/buyer", &registration(&csrf, &[])).await;
    let buyer = deal_id_of(&page);
    let seller_form = [
        ("price_yen", "9900"),
        ("account_number", "1234567"),
        ("holder_name", "ｻﾄｳ ﾊﾅｺ"),
        ("password", SELLER_PW),
    ];
    let (status, page) = b
        .post("/register/seller", &registration(&csrf, &seller_form))
        .await;
    assert_eq!(status, 201);
    let seller = deal_id_of(&page);
    // Not a green "registered" box: what differs, in words, and what to do.
    assert!(
        !page.contains("class=\"ok\"") && !page.contains("登録完了"),
        "{page}"
    );
    assert!(
        page.contains("data-status=\"mismatch\"")
            && page.contains("一致しない項目: <strong>代金</strong>"),
        "{page}"
    );
    assert!(
        page.contains("次にすること") && !page.contains("price_yen</"),
        "{page}"
    );
    assert!(
        page.contains("action=\"/register/amend\"") && page.contains("value=\"9900\""),
        "{page}"
    );
    assert!(
        page.contains(&format!("name=\"deal_id\" value=\"{seller}\"")),
        "{page}"
    );

    // The buyer's deal page offers its own registration to correct, filled in.
    let (_, buyer_page) = b.open_deal(&buyer, BUYER_PW).await;
    assert!(
        buyer_page.contains("data-testid=\"amend-form\"")
            && buyer_page.contains("東京都千代田区丸の内1-1-1</textarea>"),
        "{buyer_page}"
    );

    // A wrong password changes nothing; the right one corrects the seller's price in place.
    let mut fix = seller_form.to_vec();
    fix.retain(|(k, _)| *k != "price_yen" && *k != "password");
    fix.extend([
        ("price_yen", "9000"),
        ("deal_id", seller.as_str()),
        ("password", "wrong-password"),
    ]);
    let before = s.snapshot().await;
    let (status, _) = b.post("/register/amend", &registration(&csrf, &fix)).await;
    assert_eq!(status, 401);
    assert_eq!(s.snapshot().await, before);
    fix.retain(|(k, _)| *k != "password");
    fix.push(("password", SELLER_PW));
    let (status, page) = b.post("/register/amend", &registration(&csrf, &fix)).await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("取引が成立しました") && deal_id_of(&page) == seller,
        "{page}"
    );
    assert_eq!(
        s.view(&buyer, BUYER_PW).await.ok()["status"],
        "awaiting_payment"
    );
    // Its language switch leads to a page, not to an address that takes POST only.
    assert!(page.contains("href=\"?lang=en\""), "{page}");
    let (status, english) = b.get("/register/amend?lang=en").await;
    assert_eq!(status, 200);
    assert!(english.contains("Open a deal"), "{english}");
}
