//! The deal page: opened with the deal ID and password, showing the status, a dated timeline,
//! and the one form this party can use next (ship or confirm receipt).

use super::csrf;
use super::deal_page::{self, DealPage};
use super::errors::describe_error;
use super::layout::{error_box, page_at, respond};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::auth::{login, require_role};
use crate::service::deal_ops;
use crate::service::view::deal_view;
use crate::transact;
use crate::App;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::{DealCommand, Party};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct DealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    deal_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    tracking_number: String,
}

fn login_page(lang: Lang, token: &str, deal_id: &str, error: Option<&AppError>) -> Markup {
    let body = html! {
        @if let Some(e) = error { (error_box(&describe_error(lang, e))) }
        form method="post" action="/deal" {
            input type="hidden" name="csrf" value=(token);
            label for="deal_id" { (lang.t("取引ID", "Deal ID")) }
            input id="deal_id" name="deal_id" type="text" value=(deal_id) autocomplete="username" required;
            label for="password" { (lang.t("パスワード", "Password")) }
            input id="password" name="password" type="password" autocomplete="current-password" required;
            button type="submit" { (lang.t("開く", "Open")) }
        }
    };
    // Also shown in answer to the shipment and receipt forms, whose addresses take POST only:
    // the language switch leads to the deal sign-in.
    page_at(lang, lang.t("取引を開く", "Open a deal"), body, "/deal")
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    lang: Option<String>,
    /// Filled in by the links in emails.
    #[serde(default)]
    deal_id: String,
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<LoginQuery>) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let (token, csrf_cookie) = csrf::token(&headers);
    let deal_id: String = q
        .deal_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(16)
        .collect();
    respond(
        StatusCode::OK,
        &[lang_cookie, csrf_cookie],
        login_page(lang, &token, &deal_id, None),
    )
}

fn deal_page(d: &DealPage, notice: Option<Markup>) -> Markup {
    let (lang, token, v) = (d.lang, d.token, d.view);
    let action = |path: &str, label: &str, extra: Markup| {
        html! {
            form method="post" action=(path) {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="deal_id" value=(v.deal_id);
                (extra)
                label for="password" { (lang.t("パスワード（確認のため再入力）", "Password (again, to confirm)")) }
                input id="password" name="password" type="password" required;
                button type="submit" { (label) }
            }
        }
    };
    let body = html! {
        @if let Some(n) = notice { (n) }
        (deal_page::facts(d))
        @match deal_page::step_of(v) {
            Some(Party::Seller) => {
                h2 { (lang.t("発送を報告する", "Report shipment")) }
                (action("/deal/shipment", lang.t("発送を報告", "Report shipment"), html! {
                    label for="tracking_number" { (lang.t("追跡番号（任意）", "Tracking number (optional)")) }
                    input id="tracking_number" name="tracking_number" type="text";
                }))
            }
            Some(Party::Buyer) => {
                h2 { (lang.t("受取を確認する", "Confirm receipt")) }
                p { (lang.t("受取を確認すると、売主へ代金が送金されます。", "Confirming receipt pays the seller.")) }
                (action("/deal/receipt", lang.t("受け取りました", "I received it"), html! {}))
            }
            None => {}
        }
        (deal_page::timeline(lang, v))
    };
    // A deal is shown only in answer to a POST with its password; switching the language leads
    // to the sign-in in that language.
    page_at(lang, lang.t("取引", "Deal"), body, "/deal")
}

/// Checks the CSRF token and the credentials; on failure, the login page with the reason.
async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    f: &DealForm,
) -> Result<kessai_store::Registration, Response> {
    let (lang, _) = csrf::lang(headers, None);
    let (token, csrf_cookie) = csrf::token(headers);
    let error = if !csrf::verify(headers, &f.csrf) {
        super::errors::csrf_error(lang)
    } else {
        match login(app, &f.deal_id, &f.password).await {
            Ok(reg) => return Ok(reg),
            Err(e) => e,
        }
    };
    Err(respond(
        error.status,
        &[csrf_cookie],
        login_page(lang, &token, &f.deal_id, Some(&error)),
    ))
}

async fn show(
    app: &App,
    headers: &HeaderMap,
    reg: &kessai_store::Registration,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let (lang, _) = csrf::lang(headers, None);
    let (token, csrf_cookie) = csrf::token(headers);
    match deal_view(app, reg).await {
        Ok(v) => {
            let d = DealPage {
                lang,
                token: &token,
                view: &v,
                reg,
                master: app.config.bank_master.as_deref(),
            };
            respond(status, &[csrf_cookie], deal_page(&d, notice))
        }
        Err(e) => respond(
            e.status,
            &[csrf_cookie],
            login_page(lang, &token, "", Some(&e)),
        ),
    }
}

pub async fn open(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    match authenticate(&app, &headers, &f).await {
        Ok(reg) => show(&app, &headers, &reg, StatusCode::OK, None).await,
        Err(page) => page,
    }
}

async fn step(
    app: &App,
    headers: &HeaderMap,
    f: &DealForm,
    role: Party,
    what: &str,
    command: DealCommand,
) -> Response {
    let (lang, _) = csrf::lang(headers, None);
    let reg = match authenticate(app, headers, f).await {
        Ok(reg) => reg,
        Err(page) => return page,
    };
    let result = match require_role(&reg, role, what)
        .and_then(|_| deal_ops::agreed_deal_id(&reg).map(str::to_string))
    {
        Ok(id) => transact!(*app, |tx| deal_ops::apply(app, tx, &id, &command).await),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            let done = html! { p.ok role="status" { (lang.t("受け付けました。相手方にメールでお知らせしました。", "Done. The other party has been emailed.")) } };
            show(app, headers, &reg, StatusCode::OK, Some(done)).await
        }
        Err(e) => {
            show(
                app,
                headers,
                &reg,
                e.status,
                Some(error_box(&describe_error(lang, &e))),
            )
            .await
        }
    }
}

pub async fn ship(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    let tracking = Some(f.tracking_number.trim().to_string()).filter(|t| !t.is_empty());
    step(
        &app,
        &headers,
        &f,
        Party::Seller,
        "report shipment",
        DealCommand::Ship { tracking },
    )
    .await
}

pub async fn receipt(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    step(
        &app,
        &headers,
        &f,
        Party::Buyer,
        "confirm receipt",
        DealCommand::ConfirmReceipt,
    )
    .await
}
