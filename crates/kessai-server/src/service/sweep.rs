//! The sweep run (seed 001: the debited money concentrated before the sellers are paid): the
//! operator's balance in each collection account — what the ledger holds at that bank, up to
//! what one transfer carries (`sweep::MAX_SWEEP_YEN`; the rest on the next runs) — moves to
//! the main account, one transfer per collection account, written from that account in the
//! bank's own standard (Zengin 21 or pain.001, as it takes debits). The file and the sweep are
//! stored in one transaction and the file reaches the disk after it, as every outgoing file
//! does (`bank_export::write_pending_files`). The banks' reports move the sweep and the ledger
//! (`report.rs`); until the collection bank reports the money gone, no second sweep of that
//! bank starts, so a run repeated or killed half-way sweeps nothing twice.

pub mod report;

use super::bank_export::{self, write_pending_files, ExportFormat, ExportedFile};
use super::debit_run::today_or_later_business_day;
use crate::config::{DebitFormat, OperatorBank};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use kessai_core::sweep;
use kessai_store::{NewExport, NewSweep, PendingInstruction};
use std::path::Path;
use time::Date;

/// The file standard a collection bank takes transfers in: the one it takes debits in.
fn format_of(bank: &OperatorBank) -> ExportFormat {
    match bank.debit_format {
        DebitFormat::Zengin => ExportFormat::Zengin,
        DebitFormat::Iso20022 => ExportFormat::Iso20022,
    }
}

/// Sweeps every collection account that holds money and has no sweep on its way, for value
/// date `date` (today or a later business day), then writes the stored files not yet on
/// disk into `out`. Returns the files written.
pub async fn run(app: &App, date: Date, out: &Path) -> AppResult<Vec<ExportedFile>> {
    today_or_later_business_day(app, date, "banks transfer on business days only", "a sweep")?;
    let main = app.config.main_bank();
    for bank in &app.config.banks {
        if bank.account.bank_code == main.account.bank_code {
            continue;
        }
        sweep_bank(app, bank, date).await?;
    }
    write_pending_files(app, out).await
}

/// One collection account's sweep, if it holds money and none is on its way.
async fn sweep_bank(app: &App, bank: &OperatorBank, date: Date) -> AppResult<()> {
    let code = bank.account.bank_code.as_str();
    transact!(*app, |tx| {
        if tx.banks_with_open_sweeps().await?.iter().any(|b| b == code) {
            return Ok(());
        }
        let balance = tx
            .account_balance(&kessai_store::collection_account(code))
            .await?;
        let Some(kessai_core::Yen(held)) = sweep::amount(balance) else {
            return Ok(());
        };
        let id = kessai_store::new_internal_id();
        let reference = sweep::reference(&id);
        let main = app.config.main_bank();
        // The transfer as the export writes any: to the main account, quoting the reference.
        let transfer = PendingInstruction {
            id: id.clone(),
            purpose: "sweep".into(),
            party: "operator".into(),
            amount_yen: held,
            bank_account: main.account.clone(),
            public_id: reference.clone(),
        };
        let format = format_of(bank);
        let export_id = kessai_store::new_internal_id();
        let bytes = bank_export::render(app, bank, format, &export_id, date, &[transfer])?;
        let day = date.to_string();
        let file_name = format!(
            "kessai-sweep-{}-{code}-{day}-{}.{}",
            format.name(),
            &export_id[export_id.len() - 12..],
            format.extension()
        );
        let now = app.clock.now().0;
        tx.insert_export(&NewExport {
            id: &export_id,
            format: format.name(),
            value_date: &day,
            file_name: &file_name,
            content: &bytes,
            records: 1,
            total_yen: held,
            now_ms: now,
        })
        .await?;
        let stored = tx
            .insert_sweep(&NewSweep {
                id: &id,
                reference: &reference,
                bank_code: code,
                amount_yen: held,
                export_id: &export_id,
                value_date: &day,
                now_ms: now,
            })
            .await?;
        if !stored {
            return Err(AppError::busy("another sweep run swept this bank first"));
        }
        tracing::info!(
            bank = code,
            amount_yen = held,
            reference,
            "sweep instructed"
        );
        Ok(())
    })
}
