//! A seller's settlement list at one site (seed 001 figure 9, 清算情報), reached by the signed
//! link the site hands the seller (`page_link::seller_url`): site, contract number, debit
//! day, settlement day and amounts, with the CSV download Excel in Japan opens (Shift_JIS, or
//! UTF-8 with a BOM). Japanese first, English by the switch; a wrong link is the 404 page.

use super::csrf;
use super::errors::error_page;
use super::layout::{page_at, respond};
use super::not_found::page_for;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::service::contract::page_link;
use crate::service::settlement_list::{self, Seller, SettlementView};
use crate::App;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kessai_formats::spreadsheet_csv::Charset;
use kessai_store::SiteRecord;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

/// Rows a page shows (the CSV has them all).
const PAGE_ROWS: usize = 500;

#[derive(Deserialize)]
pub struct SellerQuery {
    pub t: Option<String>,
    pub lang: Option<String>,
    /// For the CSV: `utf8` (UTF-8 with a BOM); Shift_JIS otherwise.
    pub charset: Option<String>,
}

/// The site and seller a link names, when its token is right.
async fn opened(
    app: &App,
    site_id: &str,
    seller: &str,
    token: &str,
) -> AppResult<Option<(SiteRecord, Seller)>> {
    let Ok(parsed) = Seller::parse(seller) else {
        return Ok(None);
    };
    if !page_link::verify_seller(app, site_id, &parsed.as_text(), token).await? {
        return Ok(None);
    }
    Ok(app.store.site(site_id).await?.map(|site| (site, parsed)))
}

/// As [`opened`], or the page to answer with instead: 404 for a wrong link, the error's.
async fn opened_or_page(
    app: &App,
    lang: Lang,
    site_id: &str,
    seller: &str,
    token: &str,
) -> Result<(SiteRecord, Seller), Response> {
    match opened(app, site_id, seller, token).await {
        Ok(Some(found)) => Ok(found),
        Ok(None) => Err(page_for(lang)),
        Err(e) => Err(error_page(lang, &e)),
    }
}

fn table(lang: Lang, rows: &[SettlementView]) -> Markup {
    let day = |d: &Option<String>| d.clone().unwrap_or_else(|| "—".into());
    let yen = |y: Option<i64>| {
        y.map(|y| kessai_core::Yen(y).to_string())
            .unwrap_or_else(|| "—".into())
    };
    html! {
        table data-testid="settlements" {
            tr {
                th { (lang.t("サイト", "Site")) }
                th { (lang.t("契約番号", "Contract number")) }
                th { (lang.t("振替実行日", "Debited on")) }
                th { (lang.t("清算完了日", "Settled on")) }
                th { (lang.t("契約金額", "Amount")) }
                th { (lang.t("手数料", "Fee")) }
                th { (lang.t("清算金額", "Paid to you")) }
            }
            @for r in rows {
                tr data-number=(r.number) {
                    td { (r.site_id) }
                    td { (r.number) }
                    td { (day(&r.debited_on)) }
                    td { (day(&r.paid_on)) }
                    td { (kessai_core::Yen(r.amount_yen)) }
                    td { (yen(r.fee_yen)) }
                    td { (yen(r.paid_yen)) }
                }
            }
        }
    }
}

pub async fn show(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((site_id, seller)): Path<(String, String)>,
    Query(q): Query<SellerQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let token = q.t.clone().unwrap_or_default();
    let (site, parsed) = match opened_or_page(&app, lang, &site_id, &seller, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let rows = settlement_list::page(&app, &site, Some(&parsed), None, PAGE_ROWS).await;
    let (rows, more) = match rows {
        Ok(found) => found,
        Err(e) => return error_page(lang, &e),
    };
    let here = format!("/settlements/{site_id}/{seller}?t={token}");
    let csv = format!("/settlements/{site_id}/{seller}/csv?t={token}");
    let body = html! {
        p { (lang.t("振込先口座: ", "Paid into account: ")) (parsed.as_text()) }
        @if rows.is_empty() {
            p { (lang.t("清算はまだありません。", "Nothing has been settled yet.")) }
        } @else {
            (table(lang, &rows))
        }
        @if more.is_some() {
            p { (lang.t("契約順で先頭の500件を表示しています。すべてはCSVでご覧ください。",
                        "The first 500 in contract order are shown; the CSV has them all.")) }
        }
        p {
            a href=(csv) data-testid="csv-sjis" { (lang.t("CSVをダウンロード（Shift_JIS）", "Download CSV (Shift_JIS)")) }
            " · "
            a href=(format!("{csv}&charset=utf8")) data-testid="csv-utf8" { (lang.t("CSV（UTF-8）", "CSV (UTF-8)")) }
        }
    };
    let title = lang.t("清算一覧", "Settlements");
    respond(
        StatusCode::OK,
        &[lang_cookie],
        page_at(lang, title, body, &here),
    )
}

pub async fn csv(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((site_id, seller)): Path<(String, String)>,
    Query(q): Query<SellerQuery>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, q.lang.as_deref());
    let token = q.t.clone().unwrap_or_default();
    let (site, parsed) = match opened_or_page(&app, lang, &site_id, &seller, &token).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let (charset, content_type) = match q.charset.as_deref() {
        Some("utf8") => (Charset::Utf8WithBom, "text/csv; charset=utf-8"),
        _ => (Charset::ShiftJis, "text/csv; charset=Shift_JIS"),
    };
    match settlement_list::csv(&app, &site, Some(&parsed), charset).await {
        Ok(bytes) => {
            let disposition = format!("attachment; filename=\"settlements-{site_id}.csv\"");
            (
                [
                    (header::CONTENT_TYPE, content_type.to_string()),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => error_page(lang, &e),
    }
}
