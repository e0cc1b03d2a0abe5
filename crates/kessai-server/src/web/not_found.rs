//! The page for an address that does not exist: a real page, in the visitor's language, with
//! a way home. (Addresses under `/v1` answer in JSON instead.)

use super::csrf;
use super::layout::{page, respond};
use crate::i18n::Lang;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::html;

pub fn page_for(lang: Lang) -> Response {
    let body = html! {
        p { (lang.t("お探しのページはありません。アドレスをご確認ください。", "There is no page at this address. Please check it.")) }
        p { a href="/" data-testid="home-link" { (lang.t("トップページへ", "Go to the home page")) } }
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

/// The fallback of the whole server.
pub async fn fallback(uri: Uri, headers: HeaderMap) -> Response {
    if uri.path() == "/v1" || uri.path().starts_with("/v1/") {
        return crate::error::AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "no endpoint has this address; see /openapi.json",
        )
        .into_response();
    }
    let query_lang = uri.query().and_then(|q| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix("lang="))
            .map(str::to_string)
    });
    let (lang, _) = csrf::lang(&headers, query_lang.as_deref());
    page_for(lang)
}
