//! The deal page: opened with the deal ID and password, showing the status, a dated timeline,
//! and the one form this party can use next (ship or confirm receipt).
//!
//! Opening the page signs the party in for the visit: a session (`service::session`) whose token
//! is kept in an HttpOnly, `SameSite=Strict` cookie for `/deal`. The step forms then need no
//! password, and "Sign out" ends the session. A form that does carry a password is checked
//! with it, as before.

use super::csrf;
use super::deal_page::{self, DealPage};
use super::errors::describe_error;
use super::layout::{error_box, page_at, respond};
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::auth::{login, require_role};
use crate::service::deal_ops;
use crate::service::session;
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

/// The cookie that holds a party's session token on the deal pages.
const SESSION_COOKIE: &str = "kessai_deal";

fn session_cookie(token: &str, max_age_s: u64) -> String {
    format!("{SESSION_COOKIE}={token}; Path=/deal; HttpOnly; SameSite=Strict; Max-Age={max_age_s}")
}

fn deal_page(d: &DealPage, notice: Option<Markup>) -> Markup {
    let (lang, token, v) = (d.lang, d.token, d.view);
    let action = |path: &str, label: &str, extra: Markup| {
        html! {
            form method="post" action=(path) {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="deal_id" value=(v.deal_id);
                (extra)
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
        form method="post" action="/deal/sign-out" {
            input type="hidden" name="csrf" value=(token);
            button type="submit" { (lang.t("サインアウト", "Sign out")) }
        }
    };
    // A deal is shown only in answer to a POST with its password; switching the language leads
    // to the sign-in in that language.
    page_at(lang, lang.t("取引", "Deal"), body, "/deal")
}

/// A party signed in on a page, and the cookie to set if this request signed it in.
struct SignedIn {
    reg: kessai_store::Registration,
    cookie: Option<String>,
}

/// Checks the CSRF token and the credentials: the password when the form has one (which opens
/// a session), else the session cookie. On failure, the login page with the reason.
async fn authenticate(app: &App, headers: &HeaderMap, f: &DealForm) -> Result<SignedIn, Response> {
    let (lang, _) = csrf::lang(headers, None);
    let (token, csrf_cookie) = csrf::token(headers);
    let error = if !csrf::verify(headers, &f.csrf) {
        super::errors::csrf_error(lang)
    } else {
        match sign_in(app, headers, f).await {
            Ok(signed_in) => return Ok(signed_in),
            Err(e) => e,
        }
    };
    Err(respond(
        error.status,
        &[csrf_cookie],
        login_page(lang, &token, &f.deal_id, Some(&error)),
    ))
}

async fn sign_in(app: &App, headers: &HeaderMap, f: &DealForm) -> Result<SignedIn, AppError> {
    if f.password.is_empty() {
        if let Some(token) = csrf::cookie(headers, SESSION_COOKIE) {
            let reg = session::authenticate(app, &f.deal_id, &token).await?;
            return Ok(SignedIn { reg, cookie: None });
        }
    }
    let reg = login(app, &f.deal_id, &f.password).await?;
    let grant = session::open(app, &reg.public_id).await?;
    let cookie = Some(session_cookie(
        &grant.token,
        app.config.session_ttl.as_secs(),
    ));
    Ok(SignedIn { reg, cookie })
}

async fn show(
    app: &App,
    headers: &HeaderMap,
    signed_in: &SignedIn,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let reg = &signed_in.reg;
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
            respond(
                status,
                &[csrf_cookie, signed_in.cookie.clone()],
                deal_page(&d, notice),
            )
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
        Ok(signed_in) => show(&app, &headers, &signed_in, StatusCode::OK, None).await,
        Err(page) => page,
    }
}

/// Ends the page's session: its token stops working and the cookie is cleared.
pub async fn sign_out(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, None);
    let (token, csrf_cookie) = csrf::token(&headers);
    if !csrf::verify(&headers, &f.csrf) {
        let error = super::errors::csrf_error(lang);
        return respond(
            error.status,
            &[csrf_cookie],
            login_page(lang, &token, "", Some(&error)),
        );
    }
    if let Some(session_token) = csrf::cookie(&headers, SESSION_COOKIE) {
        if let Err(e) = session::revoke(&app, &session_token).await {
            return respond(
                e.status,
                &[csrf_cookie],
                login_page(lang, &token, "", Some(&e)),
            );
        }
    }
    respond(
        StatusCode::OK,
        &[csrf_cookie, Some(session_cookie("", 0))],
        login_page(lang, &token, "", None),
    )
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
    let signed_in = match authenticate(app, headers, f).await {
        Ok(signed_in) => signed_in,
        Err(page) => return page,
    };
    let reg = &signed_in.reg;
    let result = match require_role(reg, role, what)
        .and_then(|_| deal_ops::agreed_deal_id(reg).map(str::to_string))
    {
        Ok(id) => transact!(*app, |tx| deal_ops::apply(app, tx, &id, &command).await),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            let done = html! { p.ok role="status" { (lang.t("受け付けました。相手方にメールでお知らせしました。", "Done. The other party has been emailed.")) } };
            show(app, headers, &signed_in, StatusCode::OK, Some(done)).await
        }
        Err(e) => {
            show(
                app,
                headers,
                &signed_in,
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
