//! A site's settlement list (its API key): JSON a page at a time, or one CSV for a spreadsheet.

use super::extract::Site;
use super::page;
use crate::error::{AppError, AppResult};
use crate::service::settlement_list::{self, Seller, SettlementView};
use crate::App;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use kessai_formats::spreadsheet_csv::Charset;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettlementQuery {
    pub after: Option<String>,
    pub limit: Option<i64>,
    pub seller_account: Option<String>,
    pub format: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SettlementList {
    pub settlements: Vec<SettlementView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<String>,
    /// With `seller_account`: the seller's own settlement list as a page (Japanese, with an
    /// English switch and the CSV download), a signed link for the site to hand the seller.
    pub seller_page_url: Option<String>,
}

/// The site's contracts whose sellers are paid or being paid, in contract order: site,
/// contract number, the debit's day, the settlement's day, the amount, the fee and what the
/// seller gets — for one seller with `seller_account` (`BANK-BRANCH-NUMBER`, the account the
/// seller is paid into). `format=csv` gives the whole list as one CSV in Shift_JIS,
/// `format=csv_utf8` in UTF-8 with a BOM (both open in Excel), with a Japanese header row.
#[utoipa::path(get, path = "/v1/settlements",
    params(("after" = Option<String>, Query, max_length = 64, description = "next_after of the page before"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000),
           ("seller_account" = Option<String>, Query, description = "BANK-BRANCH-NUMBER"),
           ("format" = Option<String>, Query, description = "json (default), csv (Shift_JIS) or csv_utf8")),
    responses((status = 200, content((SettlementList = "application/json"), (String = "text/csv")))),
    security(("site_key" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Site(site): Site,
    Query(q): Query<SettlementQuery>,
) -> AppResult<Response> {
    let seller = q.seller_account.as_deref().map(Seller::parse).transpose()?;
    let charset = match q.format.as_deref().unwrap_or("json") {
        "json" => None,
        "csv" => Some(Charset::ShiftJis),
        "csv_utf8" => Some(Charset::Utf8WithBom),
        _ => {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "format is json, csv or csv_utf8",
            ))
        }
    };
    let Some(charset) = charset else {
        let limit = page::limit(q.limit)?;
        let (settlements, next_after) = settlement_list::page(
            &app,
            &site,
            seller.as_ref(),
            q.after.as_deref(),
            limit as usize,
        )
        .await?;
        let seller_page_url = match &seller {
            Some(seller) => {
                let text = seller.as_text();
                let url = crate::service::contract::page_link::seller_url(&app, &site.id, &text);
                Some(url.await?)
            }
            None => None,
        };
        return Ok(Json(SettlementList {
            settlements,
            next_after,
            seller_page_url,
        })
        .into_response());
    };
    let bytes = settlement_list::csv(&app, &site, seller.as_ref(), charset).await?;
    let content_type = match charset {
        Charset::ShiftJis => "text/csv; charset=Shift_JIS",
        Charset::Utf8WithBom => "text/csv; charset=utf-8",
    };
    let disposition = format!("attachment; filename=\"settlements-{}.csv\"", site.id);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
