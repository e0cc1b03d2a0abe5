//! The delivery run (seed 001, step 5): contracts whose goods may go — debited, or a bill,
//! which ships without waiting for its debit; not those of a site that waits for the payout —
//! are instructed to the carrier once, in one CSV per run (`kessai_formats::carrier`): from the
//! seller to the buyer. The file is stored with the contracts' move to `instructed` and
//! written after the commit, as bank files are (`bank_export::write_pending_files`).

use super::bank_export::{write_pending_files, ExportedFile};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use kessai_core::contract::{delivery, Contract};
use kessai_formats::carrier::{self, Instruction};
use kessai_store::{NewDelivery, NewExport};
use std::path::Path;
use time::Date;

/// Deliveries per carrier file.
pub const MAX_PER_FILE: i64 = 100_000;

pub const FORMAT: &str = "carrier-csv";

/// A delivery's お客様管理番号 in the carrier's files.
pub fn reference_text(reference: i64) -> String {
    format!("KS{reference:010}")
}

/// The reference a carrier file quotes, if it is one of Kessai's.
pub fn parse_reference(text: &str) -> Option<i64> {
    text.strip_prefix("KS")
        .filter(|n| n.len() == 10)
        .and_then(|n| n.parse().ok())
}

/// `YYYY/MM/DD`, as carriers write dates.
pub fn carrier_date(d: Date) -> String {
    format!("{:04}/{:02}/{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Instructs every contract whose goods may go, to ship on `date`, then writes the stored
/// files not yet on disk into `out`.
pub async fn run(app: &App, date: Date, out: &Path) -> AppResult<Vec<ExportedFile>> {
    let day = date.to_string();
    loop {
        let made = transact!(*app, |tx| {
            let ready = tx.contracts_to_deliver(MAX_PER_FILE).await?;
            if ready.is_empty() {
                return Ok(false);
            }
            let last = tx.last_delivery_reference().await?;
            let mut rows = Vec::with_capacity(ready.len());
            for (k, record) in ready.iter().enumerate() {
                let c: Contract = serde_json::from_str(&record.body).map_err(AppError::internal)?;
                rows.push(Instruction {
                    reference: reference_text(last + 1 + k as i64),
                    ship_date: carrier_date(date),
                    recipient_name: c.buyer.name,
                    recipient_address: c.buyer.address,
                    sender_name: c.seller.name,
                    sender_address: c.seller.address,
                    goods_name: c.goods.name,
                    goods_model: c.goods.model,
                    quantity: c.goods.quantity,
                });
            }
            // Contracts are checked to be Shift_JIS text when accepted (`contract::check`).
            let bytes = carrier::write_instructions(&rows).map_err(AppError::internal)?;
            let id = kessai_store::new_internal_id();
            let file_name = format!("kessai-delivery-{day}-{}.csv", &id[id.len() - 12..]);
            let export = NewExport {
                id: &id,
                format: FORMAT,
                value_date: &day,
                file_name: &file_name,
                content: &bytes,
                records: ready.len() as i64,
                total_yen: 0,
                now_ms: app.clock.now().0,
            };
            tx.insert_export(&export).await?;
            let deliveries: Vec<NewDelivery> = ready
                .iter()
                .enumerate()
                .map(|(k, r)| NewDelivery {
                    reference: last + 1 + k as i64,
                    contract_id: &r.id,
                })
                .collect();
            let ids: Vec<&str> = ready.iter().map(|r| r.id.as_str()).collect();
            let inserted = tx.insert_deliveries(&id, &day, &deliveries).await?;
            let moved = tx
                .move_deliveries(
                    &ids,
                    delivery::WAITING,
                    delivery::INSTRUCTED,
                    app.clock.now().0,
                )
                .await?;
            if inserted != ready.len() as u64 || moved != ready.len() as u64 {
                return Err(AppError::busy(
                    "another delivery run took some of these contracts",
                ));
            }
            Ok(true)
        })?;
        if !made {
            break;
        }
    }
    write_pending_files(app, out).await
}
