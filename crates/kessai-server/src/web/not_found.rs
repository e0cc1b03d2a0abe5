//! The page for an address that does not exist: a real page, in the visitor's language, with
//! a way home. (Addresses under `/v1` answer in JSON instead.)

use super::csrf;
use super::layout::{page, respond, LangQuery};
use crate::i18n::Lang;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
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

/// The fallback of the pages (`/v1` has its own, in the error shape: `api::fallback`).
pub async fn fallback(headers: HeaderMap, q: Result<Query<LangQuery>, QueryRejection>) -> Response {
    let query_lang = q.ok().and_then(|Query(q)| q.lang);
    let (lang, _) = csrf::lang(&headers, query_lang.as_deref());
    page_for(lang)
}
