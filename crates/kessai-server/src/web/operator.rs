//! The operator's pages: sign in with the operator token, then the suspense list (money that
//! matched no deal) with a form to assign each credit to a deal.

use super::csrf;
use super::layout::{error_box, page, respond, LangQuery};
use super::register::describe_error;
use crate::error::AppError;
use crate::i18n::{format_jst, Lang};
use crate::App;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::{Millis, Yen};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

const COOKIE: &str = "kessai_operator";

/// Whether the request carries the operator token (compared in constant time).
fn signed_in(app: &App, headers: &HeaderMap) -> bool {
    match (&app.config.operator_token, csrf::cookie(headers, COOKIE)) {
        (Some(expected), Some(given)) => crate::secrets::same_secret(&given, expected),
        _ => false,
    }
}

fn login_page(lang: Lang, token: &str, error: Option<&str>) -> Markup {
    let body = html! {
        @if let Some(e) = error { (error_box(e)) }
        form method="post" action="/operator/login" {
            input type="hidden" name="csrf" value=(token);
            label for="operator_token" { (lang.t("運営者トークン", "Operator token")) }
            input id="operator_token" name="operator_token" type="password" autocomplete="current-password" required;
            button type="submit" { (lang.t("サインイン", "Sign in")) }
        }
    };
    page(lang, lang.t("運営者サインイン", "Operator sign-in"), body)
}

#[derive(Deserialize, Default)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    operator_token: String,
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let (token, csrf_cookie) = csrf::token(&headers);
    respond(
        StatusCode::OK,
        &[lang_cookie, csrf_cookie],
        login_page(lang, &token, None),
    )
}

pub async fn login(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, None);
    let (token, csrf_cookie) = csrf::token(&headers);
    let valid = app
        .config
        .operator_token
        .as_deref()
        .is_some_and(|t| crate::secrets::same_secret(f.operator_token.trim(), t));
    if !csrf::verify(&headers, &f.csrf) || !valid {
        let message = lang.t("トークンが違います。", "Wrong token.");
        return respond(
            StatusCode::UNAUTHORIZED,
            &[csrf_cookie],
            login_page(lang, &token, Some(message)),
        );
    }
    let session = format!(
        "{COOKIE}={}; Path=/operator; HttpOnly; SameSite=Strict",
        f.operator_token.trim()
    );
    let mut response = suspense_page(&app, lang, &token, None).await;
    if let Ok(v) = session.parse() {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, v);
    }
    response
}

async fn suspense_page(app: &App, lang: Lang, token: &str, notice: Option<Markup>) -> Response {
    let credits = match app.store.unmatched_credits(1_000).await {
        Ok(c) => c,
        Err(e) => {
            return respond(
                StatusCode::INTERNAL_SERVER_ERROR,
                &[],
                page(lang, "Kessai", error_box(&AppError::from(e).message)),
            )
        }
    };
    let total: i64 = credits.iter().map(|c| c.amount_yen).sum();
    let body = html! {
        @if let Some(n) = notice { (n) }
        p data-testid="suspense-total" { (lang.t("未照合の入金", "Unmatched money")) ": " (credits.len()) " / " (Yen(total)) }
        table data-testid="suspense" {
            thead { tr {
                th { (lang.t("受付日時", "Received")) } th { (lang.t("金額", "Amount")) }
                th { (lang.t("振込依頼人", "Transferor")) } th { (lang.t("取引に割り当てる", "Assign to a deal")) }
            } }
            tbody {
                @for c in &credits {
                    tr {
                        td { (format_jst(Millis(c.received_at_ms))) }
                        td { (Yen(c.amount_yen)) }
                        td { (c.reference) }
                        td {
                            form method="post" action="/operator/suspense/assign" {
                                input type="hidden" name="csrf" value=(token);
                                input type="hidden" name="credit_id" value=(c.id);
                                input name="deal_id" type="text" placeholder=(lang.t("買主の取引ID", "Buyer's deal ID")) required;
                                button type="submit" { (lang.t("割り当て", "Assign")) }
                            }
                        }
                    }
                }
            }
        }
    };
    respond(
        StatusCode::OK,
        &[],
        page(
            lang,
            lang.t("未照合の入金（サスペンス）", "Suspense: unmatched money"),
            body,
        ),
    )
}

pub async fn suspense(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let (token, csrf_cookie) = csrf::token(&headers);
    if !signed_in(&app, &headers) {
        return respond(
            StatusCode::UNAUTHORIZED,
            &[lang_cookie, csrf_cookie],
            login_page(lang, &token, None),
        );
    }
    let mut response = suspense_page(&app, lang, &token, None).await;
    for c in [lang_cookie, csrf_cookie].into_iter().flatten() {
        if let Ok(v) = c.parse() {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, v);
        }
    }
    response
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credit_id: String,
    #[serde(default)]
    deal_id: String,
}

pub async fn assign(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<AssignForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, None);
    let (token, _) = csrf::token(&headers);
    if !signed_in(&app, &headers) || !csrf::verify(&headers, &f.csrf) {
        return respond(
            StatusCode::FORBIDDEN,
            &[],
            login_page(
                lang,
                &token,
                Some(lang.t("もう一度サインインしてください。", "Please sign in again.")),
            ),
        );
    }
    let result = crate::transact!(*app, |tx| crate::service::credit::assign_credit(
        &app,
        tx,
        &f.credit_id,
        &f.deal_id
    )
    .await);
    let notice = match result {
        Ok(r) => {
            html! { p.ok role="status" { (lang.t("割り当てました", "Assigned")) ": " (r.deal_id.unwrap_or_default()) " → " (r.deal_state.unwrap_or_default()) } }
        }
        Err(e) => error_box(&describe_error(lang, &e)),
    };
    suspense_page(&app, lang, &token, Some(notice)).await
}
