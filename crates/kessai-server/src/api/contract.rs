//! A site's contracts (its API key as `Authorization: Bearer`): one, many at once, read back.

use super::body::{read_limited, unsupported, JsonBody};
use super::extract::Site;
use super::page;
use crate::error::AppResult;
use crate::service::contract::{
    self, read_upload, BulkAnswer, ContractView, LineAnswer, UploadFormat,
};
use crate::App;
use axum::extract::{Path, Query, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::Json;
use kessai_core::contract::ContractInput;
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// The largest bulk upload (100,000 contracts of up to ~1 KiB each).
pub const MAX_BULK_BYTES: usize = 128 * 1024 * 1024;

/// Hand Kessai one sales contract. `201` when stored now; `200` with the same contract ID when
/// the site sent this number with the same content before; `409 contract_conflict` when the
/// number is stored with other content.
#[utoipa::path(post, path = "/v1/contracts", request_body = ContractInput,
    responses((status = 201, body = LineAnswer), (status = 200, body = LineAnswer)),
    security(("site_key" = [])))]
pub async fn submit(
    State(app): State<Arc<App>>,
    Site(site): Site,
    body: JsonBody<ContractInput>,
) -> AppResult<(StatusCode, Json<LineAnswer>)> {
    let (status, answer) = contract::submit_one(&app, &site, body.value).await?;
    Ok((status, Json(answer)))
}

/// Hand Kessai up to 100,000 contracts at once: JSON lines (`application/x-ndjson`, one
/// contract object per line) or CSV with a header row (`text/csv`), in UTF-8 or with
/// `charset=shift_jis`. Every line is answered: accepted, replayed, or rejected naming the
/// field and reason; a bad line never stops the good ones. A body that cannot be read whole
/// (wrong encoding, a header that is not the layout, no lines or too many) stores nothing.
#[utoipa::path(post, path = "/v1/contracts/bulk",
    request_body(content((Vec<u8> = "application/x-ndjson"), (Vec<u8> = "text/csv"))),
    responses((status = 200, body = BulkAnswer)), security(("site_key" = [])))]
pub async fn bulk(
    State(app): State<Arc<App>>,
    Site(site): Site,
    request: Request,
) -> AppResult<Json<BulkAnswer>> {
    let declared = request
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let mut parts = declared.split(';');
    let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let format = match essence.as_str() {
        "application/x-ndjson" | "application/jsonl" | "application/json-lines" => {
            UploadFormat::JsonLines
        }
        "text/csv" => UploadFormat::Csv,
        _ => return Err(unsupported("application/x-ndjson or text/csv")),
    };
    let charset = parts.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().to_string())
    });
    let body = read_limited(request, MAX_BULK_BYTES).await?;
    let lines = read_upload(format, charset.as_deref(), &body)?;
    drop(body);
    Ok(Json(contract::submit(&app, &site, lines).await?))
}

/// One of the site's contracts; another site's is not found.
#[utoipa::path(get, path = "/v1/contracts/{contract_id}", params(("contract_id" = String, Path)),
    responses((status = 200, body = ContractView)), security(("site_key" = [])))]
pub async fn show(
    State(app): State<Arc<App>>,
    Site(site): Site,
    Path(contract_id): Path<String>,
) -> AppResult<Json<ContractView>> {
    let c = contract::find(&app, &site, &contract_id).await?;
    Ok(Json(contract::view_in_full(&app, &site, &c).await?))
}

#[derive(Serialize, ToSchema)]
pub struct ContractList {
    pub contracts: Vec<ContractView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<String>,
}

/// The site's contracts, oldest first, a page at a time: `limit` (1 to 1,000, default 100)
/// after the cursor `after`.
#[utoipa::path(get, path = "/v1/contracts",
    params(("after" = Option<String>, Query, max_length = 64, description = "next_after of the page before"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000)),
    responses((status = 200, body = ContractList)), security(("site_key" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Site(site): Site,
    Query(q): Query<page::PageQuery>,
) -> AppResult<Json<ContractList>> {
    let limit = page::limit(q.limit)?;
    let mut rows = app
        .store
        .contracts_of_site(&site.id, q.after.as_deref(), limit + 1)
        .await?;
    let next_after = page::next(&mut rows, limit, |c| c.id.clone());
    let contracts = rows.iter().map(contract::view).collect::<AppResult<_>>()?;
    Ok(Json(ContractList {
        contracts,
        next_after,
    }))
}
