//! Operator endpoint for the collection agent's payment files (コンビニ収納代行): preliminary
//! and confirmed reports in.

use super::bank::{read_file, FileName};
use super::extract::Operator;
use crate::error::AppResult;
use crate::service::payment::konbini::{Konbini, KonbiniImport};
use crate::App;
use axum::extract::{Query, Request, State};
use axum::Json;
use std::sync::Arc;

/// The largest payment file accepted (a million records).
pub const MAX_PAYMENT_FILE_BYTES: usize = 160 * 1024 * 1024;

const TYPES: [&str; 3] = ["text/csv", "application/octet-stream", "text/plain"];

/// Import a collection agent's payment file (H/D/T lines, `kessai_formats::konbini`): a
/// preliminary report marks slips seen paid, a confirmed one pays the orders; each file and
/// each payment once.
#[utoipa::path(post, path = "/v1/operator/konbini-files",
    params(("name" = Option<String>, Query, max_length = 255, description = "the file's name, kept with the import (at most 255 characters)")),
    request_body(content((Vec<u8> = "text/csv"), (Vec<u8> = "application/octet-stream"), (Vec<u8> = "text/plain"))),
    responses((status = 200, body = KonbiniImport)), security(("operator_bearer" = [])))]
pub async fn import(
    State(app): State<Arc<App>>,
    _: Operator,
    Query(q): Query<FileName>,
    request: Request,
) -> AppResult<Json<KonbiniImport>> {
    let (name, body) = read_file(request, q, &TYPES, MAX_PAYMENT_FILE_BYTES).await?;
    Ok(Json(Konbini.import(&app, &name, &body).await?))
}
