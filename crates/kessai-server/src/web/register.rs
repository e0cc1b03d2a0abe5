//! The registration pages: one form per role; the result shows the new deal ID, or — when the
//! other side's registration differs — what differs, what to do, and the form to correct it.

use super::account_form::{field, text_area, AccountForm, Problems};
use super::csrf;
use super::errors::{csrf_error, describe_error};
use super::layout::{error_box, page, respond, LangQuery};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::field_error::FieldError;
use crate::service::register::{register, validate, RegistrationInput, RegistrationOutcome};
use crate::words;
use crate::App;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::Party;
use kessai_store::Registration;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default, Clone)]
pub struct RegistrationForm {
    #[serde(default)]
    pub csrf: String,
    /// Only when amending: the registration's own deal ID.
    #[serde(default)]
    pub deal_id: String,
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
    pub shipping_address: String,
    #[serde(flatten)]
    account: AccountForm,
    #[serde(default)]
    pub password: String,
}

impl RegistrationForm {
    /// A stored registration, to be corrected.
    pub fn from_registration(r: &Registration) -> RegistrationForm {
        RegistrationForm {
            deal_id: r.public_id.to_string(),
            item: r.terms.item.clone(),
            price_yen: r.terms.price.0.to_string(),
            buyer_name: r.terms.buyer_name.clone(),
            buyer_email: r.terms.buyer_email.clone(),
            seller_name: r.terms.seller_name.clone(),
            seller_email: r.terms.seller_email.clone(),
            shipping_address: r.shipping_address.clone().unwrap_or_default(),
            account: AccountForm::from_account(&r.bank_account),
            ..RegistrationForm::default()
        }
    }

    /// The API's input; a price that is not a whole number becomes 0, which validation names.
    pub fn to_input(&self, lang: Lang) -> RegistrationInput {
        let price = kessai_core::text::digits(&self.price_yen).replace(',', "");
        RegistrationInput {
            item: self.item.clone(),
            price_yen: price.parse().unwrap_or(0),
            buyer_name: self.buyer_name.clone(),
            buyer_email: self.buyer_email.clone(),
            seller_name: self.seller_name.clone(),
            seller_email: self.seller_email.clone(),
            shipping_address: Some(self.shipping_address.clone()),
            bank_account: self.account.to_input(),
            password: self.password.clone(),
            lang: Some(lang.code().into()),
        }
    }
}

fn title(lang: Lang, role: Party) -> &'static str {
    match role {
        Party::Buyer => lang.t("買主として取引を登録", "Register a deal as the buyer"),
        Party::Seller => lang.t("売主として取引を登録", "Register a deal as the seller"),
    }
}

/// The registration form: new (`f.deal_id` empty) or correcting the registration `f.deal_id`.
pub fn form(role: Party, token: &str, f: &RegistrationForm, p: &Problems) -> Markup {
    let lang = p.lang;
    let account_label = match role {
        Party::Buyer => lang.t("返金先口座", "Refund account"),
        Party::Seller => lang.t("受取口座", "Payout account"),
    };
    let amending = !f.deal_id.is_empty();
    let action = if amending {
        "/register/amend".to_string()
    } else {
        format!("/register/{}", role.as_str())
    };
    html! {
        (p.summary())
        form method="post" action=(action) data-testid=[amending.then_some("amend-form")] {
            input type="hidden" name="csrf" value=(token);
            @if amending { input type="hidden" name="deal_id" value=(f.deal_id); }
            (field(lang.t("商品名", "Item"), "item", "text", &f.item, p))
            (field(lang.t("代金（円）", "Price (yen)"), "price_yen", "text", &f.price_yen, p))
            (field(lang.t("買主の氏名", "Buyer's name"), "buyer_name", "text", &f.buyer_name, p))
            (field(lang.t("買主のメールアドレス", "Buyer's email"), "buyer_email", "email", &f.buyer_email, p))
            (field(lang.t("売主の氏名", "Seller's name"), "seller_name", "text", &f.seller_name, p))
            (field(lang.t("売主のメールアドレス", "Seller's email"), "seller_email", "email", &f.seller_email, p))
            @if role == Party::Buyer {
                (text_area(lang.t("お届け先住所", "Shipping address"), "shipping_address", &f.shipping_address, p))
            }
            (f.account.fieldset(account_label, p))
            @if amending {
                (field(lang.t("パスワード（登録時のもの）", "Password (the one you registered with)"), "password", "password", "", p))
                button type="submit" { (lang.t("訂正して照合する", "Correct and compare again")) }
            } @else {
                (field(lang.t("パスワード（8文字以上）", "Password (8 characters or more)"), "password", "password", "", p))
                button type="submit" { (lang.t("登録する", "Register")) }
            }
        }
    }
}

pub async fn form_page(
    headers: HeaderMap,
    Path(role): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let Some(role) = Party::parse(&role) else {
        return super::not_found::page_for(lang);
    };
    let (token, csrf_cookie) = csrf::token(&headers);
    let body = form(
        role,
        &token,
        &RegistrationForm::default(),
        &Problems::none(lang),
    );
    respond(
        StatusCode::OK,
        &[lang_cookie, csrf_cookie],
        page(lang, title(lang, role), body),
    )
}

pub async fn submit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(role): Path<String>,
    Form(mut f): Form<RegistrationForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, None);
    let Some(role) = Party::parse(&role) else {
        return super::not_found::page_for(lang);
    };
    f.deal_id.clear();
    let (token, csrf_cookie) = csrf::token(&headers);
    let again = |status: StatusCode, error: Option<&AppError>, errors: &[FieldError]| {
        let p = Problems { lang, errors };
        let body = html! { @if let Some(e) = error { (error_box(&describe_error(lang, e))) } (form(role, &token, &f, &p)) };
        respond(
            status,
            std::slice::from_ref(&csrf_cookie),
            page(lang, title(lang, role), body),
        )
    };
    if !csrf::verify(&headers, &f.csrf) {
        return again(StatusCode::FORBIDDEN, Some(&csrf_error(lang)), &[]);
    }
    let input = f.to_input(lang);
    if let Err(errors) = validate(role, &input, app.config.bank_master.as_deref()) {
        return again(StatusCode::UNPROCESSABLE_ENTITY, None, &errors);
    }
    let outcome = register(&app, role, &input, None)
        .await
        .and_then(|(_, body)| serde_json::from_str(&body).map_err(AppError::internal));
    match outcome {
        Ok(o) => respond(
            StatusCode::CREATED,
            std::slice::from_ref(&csrf_cookie),
            outcome_page(lang, &token, role, &o, &f),
        ),
        Err(e) => again(e.status, Some(&e), &[]),
    }
}

/// After registering or correcting: the deal ID and where the deal stands; on a mismatch,
/// which fields differ, what to do, and the registration in a form to correct it.
pub fn outcome_page(
    lang: Lang,
    token: &str,
    role: Party,
    o: &RegistrationOutcome,
    f: &RegistrationForm,
) -> Markup {
    let mut again = f.clone();
    again.deal_id = o.deal_id.clone();
    let body = html! {
        p { (lang.t("あなたの取引ID", "Your deal ID")) ": " span.id data-testid="deal-id" { (o.deal_id) } }
        @match o.status.as_str() {
            "mismatch" => {
                (mismatch_notice(lang, role, &o.mismatched_fields))
                (form(role, token, &again, &Problems::none(lang)))
            }
            status => {
                p.ok role="status" data-testid="status" data-status=(status) {
                    @if status == "agreed" {
                        (lang.t("相手方の登録と一致し、取引が成立しました。詳細をメールでお送りしました。", "Your registration matches the other party's: the deal is agreed. Details are on their way by email."))
                    } @else {
                        (lang.t("登録を受け付けました。この取引IDを控えてください。相手方の登録を待っています。", "Registration received. Keep this deal ID. Waiting for the other party to register."))
                    }
                }
                p { a href=(format!("/deal?deal_id={}", o.deal_id)) { (lang.t("取引ページを開く", "Open the deal page")) } }
            }
        }
    };
    let title = match o.status.as_str() {
        "mismatch" => lang.t("登録内容が一致しません", "The registrations differ"),
        _ => lang.t("登録を受け付けました", "Registered"),
    };
    page(lang, title, body)
}

/// What differs and what to do next, for either party.
pub fn mismatch_notice(lang: Lang, role: Party, fields: &[String]) -> Markup {
    let other = words::party(lang, role.other());
    html! {
        div.error role="alert" data-testid="status" data-status="mismatch" {
            p { (lang.t("相手方の登録と一致しない項目があります。一致するまで取引は進みません。", "Some fields differ from the other party's registration. Nothing proceeds until they match.")) }
            p data-testid="mismatched-fields" { (lang.t("一致しない項目", "Fields that differ")) ": " strong { (words::field_list(lang, fields)) } }
            p { (match lang {
                Lang::Ja => format!("次にすること: 下のフォームであなたの登録内容を確認し、誤りがあれば訂正してください（取引IDは変わりません）。あなたの内容が正しければ、{other}に訂正を依頼してください。"),
                Lang::En => format!("What to do next: check your registration in the form below and correct it if it is wrong (your deal ID stays the same). If yours is right, ask {other} to correct theirs."),
            }) }
        }
    }
}
