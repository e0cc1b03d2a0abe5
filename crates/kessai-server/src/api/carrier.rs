//! Operator endpoint for the carrier's files: shipping notices in.

use super::bank::{read_file, FileName};
use super::extract::Operator;
use crate::error::AppResult;
use crate::service::carrier_import::{self, CarrierImportSummary};
use crate::App;
use axum::extract::{Query, Request, State};
use axum::Json;
use std::sync::Arc;

/// The largest shipping notice accepted (a million rows).
pub const MAX_NOTICE_BYTES: usize = 64 * 1024 * 1024;

const TYPES: [&str; 3] = ["text/csv", "application/octet-stream", "text/plain"];

/// Import the carrier's shipping notice (its CSV as it is: Shift_JIS, a header row, then
/// お客様管理番号, 送り状番号, 出荷日): each delivery it names is shipped, once.
#[utoipa::path(post, path = "/v1/operator/carrier-files",
    params(("name" = Option<String>, Query, max_length = 255, description = "the file's name, kept with the import (at most 255 characters)")),
    request_body(content((Vec<u8> = "text/csv"), (Vec<u8> = "application/octet-stream"), (Vec<u8> = "text/plain"))),
    responses((status = 200, body = CarrierImportSummary)), security(("operator_bearer" = [])))]
pub async fn import(
    State(app): State<Arc<App>>,
    _: Operator,
    Query(q): Query<FileName>,
    request: Request,
) -> AppResult<Json<CarrierImportSummary>> {
    let (name, body) = read_file(request, q, &TYPES, MAX_NOTICE_BYTES).await?;
    Ok(Json(carrier_import::import(&app, &name, &body).await?))
}
