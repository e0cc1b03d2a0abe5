//! The operator's sign-in: the operator token, kept in a cookie for the operator's pages
//! (`suspense.rs`).

use super::csrf;
use super::layout::{error_box, page, respond, LangQuery};
use crate::i18n::Lang;
use crate::App;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

const COOKIE: &str = "kessai_operator";

/// Whether the request carries the operator token (compared in constant time).
pub(super) fn signed_in(app: &App, headers: &HeaderMap) -> bool {
    match (&app.config.operator_token, csrf::cookie(headers, COOKIE)) {
        (Some(expected), Some(given)) => crate::secrets::same_secret(&given, expected),
        _ => false,
    }
}

pub(super) fn login_page(lang: Lang, token: &str, error: Option<&str>) -> Markup {
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
    let mut response = super::suspense::page_for(&app, lang, &token, None).await;
    if let Ok(v) = session.parse() {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, v);
    }
    response
}
