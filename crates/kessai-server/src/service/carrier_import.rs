//! The carrier's shipping notices (seed 001, step 6): each row names a delivery by its
//! お客様管理番号 and gives the tracking number and the day it left; the contract is then
//! shipped. A file is applied once (by its content), a row once (a repeat with the same
//! tracking number is a duplicate; with another, a conflict for the operator, never applied),
//! and a malformed file is refused whole, naming the row and column.

use super::delivery_run::parse_reference;
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::contract::delivery;
use kessai_formats::carrier;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NoticeOutcome {
    /// The data row, from 1 (the header not counted).
    pub row: usize,
    pub reference: String,
    /// `shipped` (applied now), `duplicate` (applied before), `conflict` (this delivery was
    /// reported shipped under another tracking number: not applied) or `unknown` (no delivery
    /// of Kessai's has this number).
    pub outcome: &'static str,
    pub contract_id: Option<String>,
    pub tracking_number: String,
    /// `YYYY-MM-DD`.
    pub shipped_on: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CarrierImportSummary {
    pub name: String,
    pub records: usize,
    pub shipped: usize,
    pub duplicates: usize,
    pub conflicts: usize,
    pub unknown: usize,
    /// Set when this very file was imported before: nothing was applied now.
    pub already_imported_at_ms: Option<i64>,
    pub outcomes: Vec<NoticeOutcome>,
}

fn invalid_file(message: String) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_file", message).with_field("file")
}

/// Notices handled together: their deliveries read, their notices recorded and their contracts
/// moved in a few statements.
const NOTICES_PER_PASS: usize = 1_000;

pub async fn import(app: &App, name: &str, bytes: &[u8]) -> AppResult<CarrierImportSummary> {
    let notices = carrier::read_notices(bytes)
        .map_err(|e| invalid_file(format!("shipping notice rejected, nothing applied: {e}")))?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    let now = app.clock.now().0;
    transact!(*app, |tx| {
        let mut s = CarrierImportSummary {
            name: name.to_string(),
            records: notices.len(),
            shipped: 0,
            duplicates: 0,
            conflicts: 0,
            unknown: 0,
            already_imported_at_ms: None,
            outcomes: Vec::with_capacity(notices.len()),
        };
        let records = notices.len() as i64;
        if let Some(at) = tx.insert_carrier_file(&sha256, name, records, now).await? {
            s.already_imported_at_ms = Some(at);
            return Ok(s);
        }
        // A chunk at a time: its deliveries read in one pass, its notices recorded and its
        // contracts moved in one pass (three round trips a row made PostgreSQL slow).
        for (c, chunk) in notices.chunks(NOTICES_PER_PASS).enumerate() {
            let refs: Vec<i64> = chunk
                .iter()
                .filter_map(|n| parse_reference(&n.reference))
                .collect();
            let mut known = tx.deliveries(&refs).await?;
            let mut shipping: Vec<(i64, String, String)> = vec![];
            let mut shipped_ids: Vec<String> = vec![];
            for (k, n) in chunk.iter().enumerate() {
                let shipped_on = n.shipped_on.replace('/', "-");
                let found = parse_reference(&n.reference).and_then(|r| known.get_mut(&r));
                let (outcome, contract_id) = match found {
                    None => ("unknown", None),
                    Some(d) => match &d.tracking_number {
                        Some(t) if *t == n.tracking_number => {
                            ("duplicate", Some(d.contract_id.clone()))
                        }
                        Some(_) => ("conflict", Some(d.contract_id.clone())),
                        None => {
                            // A later row of this file for the same delivery sees it shipped.
                            d.tracking_number = Some(n.tracking_number.clone());
                            shipping.push((
                                d.reference,
                                n.tracking_number.clone(),
                                shipped_on.clone(),
                            ));
                            shipped_ids.push(d.contract_id.clone());
                            ("shipped", Some(d.contract_id.clone()))
                        }
                    },
                };
                *match outcome {
                    "shipped" => &mut s.shipped,
                    "duplicate" => &mut s.duplicates,
                    "conflict" => &mut s.conflicts,
                    _ => &mut s.unknown,
                } += 1;
                s.outcomes.push(NoticeOutcome {
                    row: c * NOTICES_PER_PASS + k + 1,
                    reference: n.reference.clone(),
                    outcome,
                    contract_id,
                    tracking_number: n.tracking_number.clone(),
                    shipped_on,
                });
            }
            let notices: Vec<(i64, &str, &str)> = shipping
                .iter()
                .map(|(r, t, d)| (*r, t.as_str(), d.as_str()))
                .collect();
            let noticed = tx.notice_deliveries(&notices, now).await?;
            let ids: Vec<&str> = shipped_ids.iter().map(String::as_str).collect();
            let moved = tx
                .move_deliveries(&ids, delivery::INSTRUCTED, delivery::SHIPPED, now)
                .await?;
            if noticed != ids.len() as u64 || moved != ids.len() as u64 {
                return Err(AppError::busy("a delivery changed at the same moment"));
            }
        }
        Ok(s)
    })
}
