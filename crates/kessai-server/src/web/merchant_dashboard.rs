//! The merchant's dashboard (seed 003): every order across every method in one table —
//! status, method, amounts, dates — filtered by status and method and searched by number, a
//! page at a time; one order's detail with its timeline; and the list as a CSV Excel in Japan
//! opens (Shift_JIS or UTF-8 with a BOM). The merchant signs in with its ID and API key
//! (`service::merchant::session`); no page shows any card data but brand and last four.

use super::csrf;
use super::errors::{csrf_error, error_page};
use super::layout::{error_box, page_at, respond};
use crate::i18n::Lang;
use crate::service::merchant::{session, Merchant};
use crate::service::order;
use crate::App;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kessai_formats::spreadsheet_csv::Charset;
use kessai_store::{OrderFilter, OrderRecord};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

const PAGE: i64 = 50;

#[derive(Deserialize)]
pub struct LangQuery {
    pub lang: Option<String>,
}

#[derive(Deserialize)]
pub struct SignInForm {
    pub csrf: String,
    pub merchant_id: String,
    pub api_key: String,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    pub lang: Option<String>,
    pub status: Option<String>,
    pub method: Option<String>,
    pub q: Option<String>,
    /// `created_at_ms.id` of the previous page's last order.
    pub after: Option<String>,
    /// `sjis` (default) or `utf8`, for the CSV.
    pub charset: Option<String>,
}

fn sign_in_page(lang: Lang, csrf: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error { (error_box(e)) }
        form method="post" action=(format!("/merchant/sign-in?lang={}", lang.code())) {
            input type="hidden" name="csrf" value=(csrf);
            label for="merchant_id" { (lang.t("加盟店ID", "Merchant ID")) }
            input id="merchant_id" name="merchant_id" autocomplete="username" required;
            label for="api_key" { (lang.t("APIキー", "API key")) }
            input id="api_key" name="api_key" type="password" autocomplete="current-password" required;
            button type="submit" { (lang.t("ログイン", "Sign in")) }
        }
    }
}

pub async fn sign_in_form(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let (token, csrf_cookie) = csrf::token(&headers);
    let title = lang.t("加盟店ダッシュボード", "Merchant dashboard");
    respond(
        StatusCode::OK,
        &[lang_cookie, csrf_cookie],
        page_at(lang, title, sign_in_page(lang, &token, None), "/merchant"),
    )
}

pub async fn sign_in(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
    Form(f): Form<SignInForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, q.lang.as_deref());
    if !csrf::verify(&headers, &f.csrf) {
        return error_page(lang, &csrf_error(lang));
    }
    match session::sign_in(&app, &f.merchant_id, &f.api_key).await {
        Ok(Some(value)) => {
            let cookie = format!(
                "{}={value}; Path=/merchant; HttpOnly; SameSite=Strict",
                session::COOKIE
            );
            let mut r = (
                StatusCode::SEE_OTHER,
                [(header::LOCATION, "/merchant/orders")],
            )
                .into_response();
            if let Ok(v) = cookie.parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Ok(None) => {
            let title = lang.t("加盟店ダッシュボード", "Merchant dashboard");
            let wrong = lang.t(
                "加盟店IDまたはAPIキーが違います。",
                "The merchant ID or API key is wrong.",
            );
            respond(
                StatusCode::UNAUTHORIZED,
                &[],
                page_at(
                    lang,
                    title,
                    sign_in_page(lang, &f.csrf, Some(wrong)),
                    "/merchant",
                ),
            )
        }
        Err(e) => error_page(lang, &e),
    }
}

pub async fn sign_out() -> Response {
    let clear = format!(
        "{}=; Path=/merchant; Max-Age=0; HttpOnly; SameSite=Strict",
        session::COOKIE
    );
    let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, "/merchant")]).into_response();
    if let Ok(v) = clear.parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

/// The signed-in merchant, or the answer that sends the browser to sign in.
async fn signed_in(app: &App, headers: &HeaderMap, lang: Lang) -> Result<Merchant, Response> {
    let cookie = csrf::cookie(headers, session::COOKIE).unwrap_or_default();
    match session::merchant_of(app, &cookie).await {
        Ok(Some(m)) => Ok(m),
        Ok(None) => Err((
            StatusCode::SEE_OTHER,
            [(header::LOCATION, format!("/merchant?lang={}", lang.code()))],
        )
            .into_response()),
        Err(e) => Err(error_page(lang, &e)),
    }
}

fn filter_of(q: &ListQuery) -> crate::error::AppResult<OrderFilter<'_>> {
    Ok(OrderFilter {
        status: q.status.as_deref().filter(|s| !s.is_empty()),
        method: q.method.as_deref().filter(|s| !s.is_empty()),
        number_contains: q.q.as_deref().filter(|s| !s.is_empty()),
        before: order::parse_cursor(q.after.as_deref())?,
    })
}

fn query_string(q: &ListQuery) -> String {
    let mut parts = vec![];
    for (k, v) in [("status", &q.status), ("method", &q.method), ("q", &q.q)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", urlencoding(v)));
        }
    }
    parts.join("&")
}

/// Percent-encodes a query value (letters, digits and `-_.~` as they are).
fn urlencoding(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn list_page(
    lang: Lang,
    m: &Merchant,
    q: &ListQuery,
    rows: &[OrderRecord],
    next: Option<String>,
) -> Markup {
    let selected = |field: &Option<String>, v: &str| field.as_deref() == Some(v);
    let filters = query_string(q);
    html! {
        p { (lang.t("加盟店：", "Merchant: ")) strong data-testid="merchant" { (m.record.name) } " (" (m.record.id) ")" }
        form method="get" action="/merchant/orders" role="search" {
            label for="status" { (lang.t("状況", "Status")) }
            select id="status" name="status" {
                option value="" { (lang.t("すべて", "All")) }
                @for s in kessai_core::order::OrderStatus::ALL {
                    option value=(s.as_str()) selected[selected(&q.status, s.as_str())] { (crate::words::order_status(lang, s.as_str())) }
                }
            }
            label for="method" { (lang.t("決済方法", "Method")) }
            select id="method" name="method" {
                option value="" { (lang.t("すべて", "All")) }
                @for mth in kessai_core::order::Method::ALL {
                    option value=(mth.as_str()) selected[selected(&q.method, mth.as_str())] { (crate::words::method_name(lang, mth.as_str())) }
                }
            }
            label for="q" { (lang.t("注文番号で検索", "Search by order number")) }
            input id="q" name="q" value=(q.q.as_deref().unwrap_or("")) autocomplete="off";
            button type="submit" { (lang.t("絞り込む", "Filter")) }
        }
        p {
            a href=(format!("/merchant/orders.csv?{filters}")) data-testid="csv-sjis" { (lang.t("CSVをダウンロード（Shift_JIS）", "Download CSV (Shift_JIS)")) }
            " / "
            a href=(format!("/merchant/orders.csv?{filters}&charset=utf8")) data-testid="csv-utf8" { (lang.t("CSV（UTF-8）", "CSV (UTF-8)")) }
        }
        table data-testid="orders" {
            tr {
                th { (lang.t("注文番号", "Order number")) }
                th { (lang.t("状況", "Status")) }
                th { (lang.t("決済方法", "Method")) }
                th { (lang.t("金額", "Amount")) }
                th { (lang.t("返金額", "Refunded")) }
                th { (lang.t("受付日時", "Created")) }
            }
            @for r in rows {
                tr data-order=(r.id) {
                    td { a href=(format!("/merchant/orders/{}", r.id)) { (r.number) } }
                    td { (crate::words::order_status(lang, &r.status)) }
                    td { (r.method.as_deref().map(|x| crate::words::method_name(lang, x)).unwrap_or("—")) }
                    td { (kessai_core::Yen(r.amount_yen)) }
                    td { (kessai_core::Yen(r.refunded_yen)) }
                    td { (crate::i18n::format_jst(kessai_core::Millis(r.created_at_ms))) }
                }
            }
        }
        @if rows.is_empty() {
            p data-testid="no-orders" { (lang.t("該当する注文はありません。", "No orders match.")) }
        }
        @if let Some(n) = next {
            p { a href=(format!("/merchant/orders?{filters}&after={n}")) rel="next" data-testid="next" { (lang.t("次のページ", "Next page")) } }
        }
        form method="post" action="/merchant/sign-out" { button type="submit" { (lang.t("ログアウト", "Sign out")) } }
    }
}

pub async fn list(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let m = match signed_in(&app, &headers, lang).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let filter = match filter_of(&q) {
        Ok(filter) => filter,
        Err(e) => return error_page(lang, &e),
    };
    let rows = match app.store.orders(&m.record.id, &filter, PAGE).await {
        Ok(rows) => rows,
        Err(e) => return error_page(lang, &e.into()),
    };
    let next = order::next_cursor(&rows, PAGE);
    let title = lang.t("注文一覧", "Orders");
    let here = format!("/merchant/orders?{}", query_string(&q));
    respond(
        StatusCode::OK,
        &[lang_cookie],
        page_at(lang, title, list_page(lang, &m, &q, &rows, next), &here),
    )
}

pub async fn csv(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, q.lang.as_deref());
    let m = match signed_in(&app, &headers, lang).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let filter = OrderFilter {
        before: None,
        ..filter_of(&q).unwrap_or_default()
    };
    let (charset, content_type) = match q.charset.as_deref() {
        Some("utf8") => (Charset::Utf8WithBom, "text/csv; charset=utf-8"),
        _ => (Charset::ShiftJis, "text/csv; charset=Shift_JIS"),
    };
    match order::csv(&app, &m, &filter, charset).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"orders-{}.csv\"", m.record.id),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(lang, &e),
    }
}

fn detail_page(
    lang: Lang,
    d: &order::OrderDetail,
    cards: &[kessai_store::CardPaymentRecord],
) -> Markup {
    let o = &d.order;
    html! {
        table {
            tr { th { (lang.t("注文番号", "Order number")) } td data-testid="number" { (o.number) } }
            tr { th { (lang.t("決済ID", "Payment ID")) } td { (o.id) } }
            tr { th { (lang.t("状況", "Status")) } td data-testid="status" { (crate::words::order_status(lang, &o.status)) } }
            tr { th { (lang.t("決済方法", "Method")) } td { (o.method.as_deref().map(|x| crate::words::method_name(lang, x)).unwrap_or("—")) } }
            tr { th { (lang.t("金額", "Amount")) } td { (kessai_core::Yen(o.amount_yen)) } }
            tr { th { (lang.t("返金額", "Refunded")) } td { (kessai_core::Yen(o.refunded_yen)) } }
            @for c in cards.iter().filter(|c| matches!(c.status.as_str(), "authorized" | "captured" | "voided")) {
                tr { th { (lang.t("カード", "Card")) } td data-testid="card" { (c.brand.to_uppercase()) " ****" (c.last4) } }
            }
        }
        h2 { (lang.t("経過", "Timeline")) }
        table data-testid="timeline" {
            tr { th { (lang.t("日時", "When")) } th { (lang.t("出来事", "What")) } th { (lang.t("状況", "Status")) } }
            @for s in &d.timeline {
                tr { td { (s.at) } td { (s.kind) } td { (crate::words::order_status(lang, &s.to)) } }
            }
        }
        p { a href="/merchant/orders" { (lang.t("注文一覧へ戻る", "Back to the orders")) } }
    }
}

pub async fn detail(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let m = match signed_in(&app, &headers, lang).await {
        Ok(m) => m,
        Err(r) => return r,
    };
    let found = async {
        let r = order::find(&app, &m, &id).await?;
        let d = order::detail(&app, &r).await?;
        let cards = app.store.card_payments(&r.id).await?;
        Ok::<_, crate::error::AppError>((d, cards))
    }
    .await;
    match found {
        Ok((d, cards)) => {
            let title = lang.t("注文の詳細", "Order");
            respond(
                StatusCode::OK,
                &[lang_cookie],
                page_at(
                    lang,
                    title,
                    detail_page(lang, &d, &cards),
                    &format!("/merchant/orders/{id}"),
                ),
            )
        }
        Err(e) if e.code == "order_not_found" => super::not_found::page_for(lang),
        Err(e) => error_page(lang, &e),
    }
}
