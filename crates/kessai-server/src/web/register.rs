//! The registration pages: one form per role; the result shows the new deal ID.

use super::account_form::{field, AccountForm};
use super::csrf;
use super::layout::{error_box, page, respond, LangQuery};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::register::{register, RegistrationInput, RegistrationOutcome};
use crate::App;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::Party;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default, Clone)]
pub struct RegistrationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    price_yen: String,
    #[serde(default)]
    buyer_name: String,
    #[serde(default)]
    buyer_email: String,
    #[serde(default)]
    seller_name: String,
    #[serde(default)]
    seller_email: String,
    #[serde(default)]
    shipping_address: String,
    #[serde(flatten)]
    account: AccountForm,
    #[serde(default)]
    password: String,
}

fn role_of(path: &str) -> Option<Party> {
    Party::parse(path)
}

fn title(lang: Lang, role: Party) -> &'static str {
    match role {
        Party::Buyer => lang.t("買主として取引を登録", "Register a deal as the buyer"),
        Party::Seller => lang.t("売主として取引を登録", "Register a deal as the seller"),
    }
}

fn form_page(
    lang: Lang,
    role: Party,
    token: &str,
    f: &RegistrationForm,
    error: Option<&AppError>,
) -> Markup {
    let account_label = match role {
        Party::Buyer => lang.t("返金先口座", "Refund account"),
        Party::Seller => lang.t("受取口座", "Payout account"),
    };
    let body = html! {
        @if let Some(e) = error { (error_box(&describe_error(lang, e))) }
        form method="post" action=(format!("/register/{}", role.as_str())) {
            input type="hidden" name="csrf" value=(token);
            (field(lang.t("商品名", "Item"), "item", "text", &f.item))
            (field(lang.t("代金（円）", "Price (yen)"), "price_yen", "number", &f.price_yen))
            (field(lang.t("買主の氏名", "Buyer's name"), "buyer_name", "text", &f.buyer_name))
            (field(lang.t("買主のメールアドレス", "Buyer's email"), "buyer_email", "email", &f.buyer_email))
            (field(lang.t("売主の氏名", "Seller's name"), "seller_name", "text", &f.seller_name))
            (field(lang.t("売主のメールアドレス", "Seller's email"), "seller_email", "email", &f.seller_email))
            @if role == Party::Buyer {
                label for="shipping_address" { (lang.t("お届け先住所", "Shipping address")) }
                textarea id="shipping_address" name="shipping_address" required { (f.shipping_address) }
            }
            (f.account.fieldset(lang, account_label))
            label for="password" { (lang.t("パスワード（8文字以上）", "Password (8 characters or more)")) }
            input id="password" name="password" type="password" autocomplete="new-password" required;
            button type="submit" { (lang.t("登録する", "Register")) }
        }
    };
    page(lang, title(lang, role), body)
}

/// A field's label and, in Japanese, what it must hold (the English text comes from the API).
fn field_text(lang: Lang, field: &str) -> (&str, Option<&'static str>) {
    let table: [(&str, &str, &str, &str); 14] = [
        ("item", "商品名", "Item", "入力してください（200文字まで）"),
        (
            "price_yen",
            "代金",
            "Price",
            "1円から100億円までの整数で入力してください",
        ),
        (
            "buyer_name",
            "買主の氏名",
            "Buyer's name",
            "入力してください（200文字まで）",
        ),
        (
            "buyer_email",
            "買主のメールアドレス",
            "Buyer's email",
            "メールアドレスを正しく入力してください",
        ),
        (
            "seller_name",
            "売主の氏名",
            "Seller's name",
            "入力してください（200文字まで）",
        ),
        (
            "seller_email",
            "売主のメールアドレス",
            "Seller's email",
            "買主と異なるメールアドレスを正しく入力してください",
        ),
        (
            "shipping_address",
            "お届け先住所",
            "Shipping address",
            "入力してください（200文字まで）",
        ),
        (
            "bank_account.bank_code",
            "銀行コード",
            "Bank code",
            "4桁の数字で入力してください",
        ),
        (
            "bank_account.branch_code",
            "支店コード",
            "Branch code",
            "3桁の数字で入力してください",
        ),
        (
            "bank_account.account_number",
            "口座番号",
            "Account number",
            "7桁までの数字で入力してください",
        ),
        (
            "bank_account.holder_name",
            "口座名義",
            "Account holder",
            "1〜30文字で入力してください",
        ),
        (
            "password",
            "パスワード",
            "Password",
            "8文字以上で入力してください",
        ),
        (
            "deal_id",
            "取引ID",
            "Deal ID",
            "正しい取引IDを入力してください",
        ),
        (
            "tracking_number",
            "追跡番号",
            "Tracking number",
            "64文字までで入力してください",
        ),
    ];
    match table.iter().find(|(f, ..)| *f == field) {
        Some((_, ja, en, rule)) => (lang.t(ja, en), Some(*rule)),
        None => (field, None),
    }
}

/// The error for a person: in Japanese by its stable code (the API's English message is the
/// fallback and the English text), with an invalid field named by its label.
pub fn describe_error(lang: Lang, e: &AppError) -> String {
    let ja = match e.code {
        "invalid_deal_id" => Some("取引IDが正しくありません（入力間違いの可能性があります）"),
        "deal_not_found" => Some("この取引IDの取引はありません"),
        "wrong_password" => {
            Some("パスワードが違います（5回続けて間違えると一時的にロックされます）")
        }
        "login_locked" => Some("パスワードの誤りが続いたため、しばらくログインできません"),
        "wrong_party" => Some("この操作は相手方の取引IDでのみ行えます"),
        "not_agreed" => Some("まだ取引が成立していません"),
        "wrong_state" => Some("現在の取引状態ではこの操作はできません"),
        "csrf" => Some("フォームの有効期限が切れました。もう一度送信してください。"),
        _ => None,
    };
    let message = match (lang, ja) {
        (Lang::Ja, Some(text)) => text.to_string(),
        _ => e.message.clone(),
    };
    match (&e.field, lang) {
        (Some(f), Lang::Ja) if e.code == "invalid_field" => match field_text(lang, f) {
            (label, Some(rule)) => format!("{label}: {rule}"),
            (label, None) => format!("{label}: {message}"),
        },
        (Some(f), Lang::En) if e.code == "invalid_field" => {
            format!("{}: {message}", field_text(lang, f).0)
        }
        _ => message,
    }
}

pub async fn form(
    headers: HeaderMap,
    Path(role): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let Some(role) = role_of(&role) else {
        return not_found(lang);
    };
    let (token, csrf_cookie) = csrf::token(&headers);
    respond(
        StatusCode::OK,
        &[lang_cookie, csrf_cookie],
        form_page(lang, role, &token, &RegistrationForm::default(), None),
    )
}

fn not_found(lang: Lang) -> Response {
    let body = html! {
        p { (lang.t("お探しのページはありません。", "There is no such page.")) " " a href="/" { (lang.t("トップへ", "Go to the home page")) } }
    };
    respond(
        StatusCode::NOT_FOUND,
        &[],
        page(
            lang,
            lang.t("ページが見つかりません", "Page not found"),
            body,
        ),
    )
}

fn to_input(f: &RegistrationForm, lang: Lang) -> Result<RegistrationInput, AppError> {
    let price_yen =
        f.price_yen.trim().parse().map_err(|_| {
            AppError::invalid("price_yen", "price_yen must be a whole number of yen")
        })?;
    Ok(RegistrationInput {
        item: f.item.clone(),
        price_yen,
        buyer_name: f.buyer_name.clone(),
        buyer_email: f.buyer_email.clone(),
        seller_name: f.seller_name.clone(),
        seller_email: f.seller_email.clone(),
        shipping_address: Some(f.shipping_address.clone()),
        bank_account: f.account.to_input(),
        password: f.password.clone(),
        lang: Some(lang.code().into()),
    })
}

pub async fn submit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(role): Path<String>,
    Form(f): Form<RegistrationForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, None);
    let Some(role) = role_of(&role) else {
        return not_found(lang);
    };
    let (token, csrf_cookie) = csrf::token(&headers);
    if !csrf::verify(&headers, &f.csrf) {
        let e = AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            lang.t(
                "フォームの有効期限が切れました。もう一度送信してください。",
                "The form expired. Please submit it again.",
            ),
        );
        return respond(
            StatusCode::FORBIDDEN,
            &[csrf_cookie],
            form_page(lang, role, &token, &f, Some(&e)),
        );
    }
    let outcome = match to_input(&f, lang) {
        Ok(input) => register(&app, role, &input, None).await,
        Err(e) => Err(e),
    };
    let outcome: Result<RegistrationOutcome, AppError> =
        outcome.and_then(|(_, body)| serde_json::from_str(&body).map_err(AppError::internal));
    match outcome {
        Ok(o) => respond(
            StatusCode::CREATED,
            &[csrf_cookie],
            registered_page(lang, &o),
        ),
        Err(e) => respond(
            e.status,
            &[csrf_cookie],
            form_page(lang, role, &token, &f, Some(&e)),
        ),
    }
}

fn registered_page(lang: Lang, o: &RegistrationOutcome) -> Markup {
    let status = match o.status.as_str() {
        "agreed" => lang.t("相手方の登録と一致し、取引が成立しました。詳細をメールでお送りしました。", "Your registration matches the other party's: the deal is agreed. Details are on their way by email."),
        "mismatch" => lang.t("相手方の登録と一致しない項目があります。取引は進みません。", "Some fields differ from the other party's registration. The deal does not proceed."),
        _ => lang.t("相手方の登録を待っています。", "Waiting for the other party to register."),
    };
    let body = html! {
        p.ok { (lang.t("登録を受け付けました。この取引IDを控えてください。", "Registration received. Keep this deal ID.")) }
        p { (lang.t("あなたの取引ID", "Your deal ID")) ": " span.id data-testid="deal-id" { (o.deal_id) } }
        p data-testid="status" { (status) }
        @if !o.mismatched_fields.is_empty() {
            p.error { (lang.t("一致しない項目", "Fields that differ")) ": " (o.mismatched_fields.join(", ")) }
        }
        p { a href="/deal" { (lang.t("取引ページを開く", "Open the deal page")) } }
    };
    page(lang, lang.t("登録完了", "Registered"), body)
}
