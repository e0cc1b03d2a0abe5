//! The page frame (title, language switch) and the home page.

use super::csrf;
use crate::i18n::Lang;
use axum::extract::Query;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct LangQuery {
    pub lang: Option<String>,
}

const STYLE: &str = "body{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}\
label{display:block;margin:.6rem 0 .2rem;font-weight:600}input,select,textarea{width:100%;padding:.4rem;box-sizing:border-box;font:inherit}\
button{margin-top:1rem;padding:.5rem 1.2rem}.error{background:#fde8e8;border:1px solid #d33;padding:.6rem}.ok{background:#e8f6ea;border:1px solid #3a3;padding:.6rem}\
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3rem;text-align:left}.id{font-size:1.6rem;font-family:monospace;letter-spacing:.1em}\
nav a{margin-right:1rem}.field-error{color:#b00;margin:.2rem 0 0;font-size:.9rem}[aria-invalid=true]{border:2px solid #d33}\
.slip img{max-width:100%;height:auto;image-rendering:pixelated}.barcode-text{font-family:monospace;letter-spacing:.05em}\
@media print{nav,form{display:none}body{color:#000;background:#fff}.slip{border:1px solid #000;padding:1rem}}";

pub fn page(lang: Lang, title: &str, body: Markup) -> Markup {
    page_at(lang, title, body, "")
}

/// A page whose language switch leads to `here` (a GET address showing the same thing), for
/// pages that answer a POST: switching there must not land on an empty form or a 404.
pub fn page_at(lang: Lang, title: &str, body: Markup, here: &str) -> Markup {
    let joiner = if here.contains('?') { '&' } else { '?' };
    let switch = match lang {
        Lang::Ja => html! { a href=(format!("{here}{joiner}lang=en")) lang="en" { "English" } },
        Lang::En => html! { a href=(format!("{here}{joiner}lang=ja")) lang="ja" { "日本語" } },
    };
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " | Kessai" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                nav {
                    a href="/" { "Kessai" }
                    a href="/register/buyer" { (lang.t("買主として登録", "Register as buyer")) }
                    a href="/register/seller" { (lang.t("売主として登録", "Register as seller")) }
                    a href="/deal" { (lang.t("取引を開く", "Open a deal")) }
                    (switch)
                }
                h1 { (title) }
                (body)
            }
        }
    }
}

/// An HTML response, installing any cookies the page needs.
pub fn respond(status: StatusCode, cookies: &[Option<String>], markup: Markup) -> Response {
    let mut response = (status, axum::response::Html(markup.into_string())).into_response();
    for c in cookies.iter().flatten() {
        if let Ok(v) = c.parse() {
            response.headers_mut().append(SET_COOKIE, v);
        }
    }
    response
}

pub fn error_box(message: &str) -> Markup {
    html! { p.error role="alert" { (message) } }
}

pub async fn home(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let body = html! {
        p { (lang.t(
            "Kessaiは買主と売主の間に立ち、代金を預かって、商品の受取が確認されてから売主へ支払います。アカウントは不要です。取引IDとパスワードだけで利用できます。",
            "Kessai stands between buyer and seller: it holds the buyer's money and pays the seller once the buyer confirms receipt. No account needed: a deal ID and a password are all you use."
        )) }
        ol {
            li { (lang.t("買主と売主がそれぞれ取引を登録します。", "The buyer and the seller each register the deal.")) }
            li { (lang.t("内容が一致すると、買主にお支払い方法をお知らせします。", "When both match, the buyer is told how to pay.")) }
            li { (lang.t("入金を確認したら、売主が発送します。", "Once the money is in, the seller ships.")) }
            li { (lang.t("買主が受取を確認すると、売主へ送金します。", "When the buyer confirms receipt, the seller is paid.")) }
        }
    };
    respond(
        StatusCode::OK,
        &[lang_cookie],
        page(lang, lang.t("エスクロー決済", "Escrow payments"), body),
    )
}
