//! A marketplace contract's progress page (seed 001 figure 8), for the buyer and the seller,
//! reached by the signed link the site hands them (`service::contract::page_link`): each step
//! planned and done — acceptance, debit, delivery instruction, shipment, settlement — with a
//! warning when the buyer's bank did not debit. Japanese first, English by the switch. A
//! wrong or missing link is the ordinary 404 page: it does not say whether the contract exists.

use super::csrf;
use super::layout::{page_at, respond};
use super::not_found::page_for;
use crate::i18n::Lang;
use crate::service::contract::{page_link, view_in_full, ContractView};
use crate::App;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct PageQuery {
    pub t: Option<String>,
    pub lang: Option<String>,
}

fn step_words(lang: Lang, step: &str) -> &'static str {
    match step {
        "acceptance" => lang.t("受付", "Acceptance"),
        "debit" => lang.t("口座振替", "Debit"),
        "delivery_instruction" => lang.t("配送指示", "Delivery instruction"),
        "shipment" => lang.t("発送", "Shipment"),
        "settlement" => lang.t("清算（売主への支払）", "Settlement (the seller paid)"),
        _ => lang.t("その他", "Other"),
    }
}

/// Why the buyer's bank did not debit.
fn reason_words(lang: Lang, reason: Option<&str>) -> &'static str {
    match reason {
        Some("insufficient_funds") => lang.t("残高不足", "insufficient funds"),
        Some("no_account") => lang.t("口座なし（解約・番号相違）", "no such account"),
        Some("stopped_by_payer") => {
            lang.t("預金者の申出による停止", "stopped by the account holder")
        }
        Some("no_agreement") => lang.t("口座振替の依頼書なし", "no direct-debit agreement"),
        Some("stopped_by_collector") => {
            lang.t("委託者の申出による停止", "stopped by the collector")
        }
        _ => lang.t("その他の理由", "another reason"),
    }
}

fn body(lang: Lang, v: &ContractView) -> Markup {
    let text = |path: &[&str]| {
        let mut at = &v.contract;
        for p in path {
            at = &at[*p];
        }
        at.as_str().unwrap_or_default().to_string()
    };
    html! {
        @if let Some(w) = &v.warning {
            p.error role="alert" data-testid="warning" {
                (lang.t("買主の口座から引き落とせませんでした：", "The buyer's bank did not debit the amount: "))
                (reason_words(lang, w.reason.as_deref()))
            }
        }
        table {
            tr { th { (lang.t("契約番号", "Contract number")) } td data-testid="number" { (v.number) } }
            tr { th { (lang.t("状況", "Status")) } td data-testid="status" { (crate::words::contract_status(lang, &v.status)) } }
            tr { th { (lang.t("金額", "Amount")) } td { (kessai_core::Yen(v.amount_yen)) } }
            tr { th { (lang.t("商品", "Goods")) } td { (text(&["goods", "name"])) " " (text(&["goods", "model"])) } }
            tr { th { (lang.t("買主", "Buyer")) } td { (text(&["buyer", "name"])) } }
            tr { th { (lang.t("売主", "Seller")) } td { (text(&["seller", "name"])) } }
            @if let Some(d) = &v.delivery {
                @if let Some(t) = &d.tracking_number {
                    tr { th { (lang.t("追跡番号", "Tracking number")) } td { (t) } }
                }
            }
        }
        h2 { (lang.t("進捗", "Progress")) }
        table data-testid="schedule" {
            tr {
                th { (lang.t("手続", "Step")) }
                th { (lang.t("予定日", "Planned")) }
                th { (lang.t("実施日", "Done")) }
            }
            @for s in &v.schedule {
                tr data-step=(s.step) {
                    td { (step_words(lang, &s.step)) }
                    td { (s.planned) }
                    td { (s.actual.as_deref().unwrap_or("—")) }
                }
            }
        }
        p { (lang.t(
            "予定日は販売サイトの標準日数から計算した目安です。手続が済むと実施日が入ります。",
            "Planned days follow the site's standard lead times; each step shows its day once done."
        )) }
    }
}

pub async fn show(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let token = q.t.unwrap_or_default();
    let view = match page_link::verify(&app, &id, &token).await {
        Ok(true) => load(&app, &id).await,
        Ok(false) => Ok(None),
        Err(e) => Err(e),
    };
    match view {
        Ok(Some(v)) => {
            let here = format!("/contract/{id}?t={token}");
            let title = lang.t("取引の進捗", "Contract progress");
            respond(
                StatusCode::OK,
                &[lang_cookie],
                page_at(lang, title, body(lang, &v), &here),
            )
        }
        Ok(None) => page_for(lang),
        Err(e) => super::errors::error_page(lang, &e),
    }
}

async fn load(app: &App, id: &str) -> crate::error::AppResult<Option<ContractView>> {
    let Some(c) = app.store.contract_by_id(id).await? else {
        return Ok(None);
    };
    let Some(site) = app.store.site(&c.site_id).await? else {
        return Ok(None);
    };
    view_in_full(app, &site, &c).await.map(Some)
}
