//! Exporting pending payouts and refunds as bank files. Each instruction lands in exactly one
//! file: the file's bytes are stored and the instructions marked sent in one transaction, and
//! the file reaches the disk afterwards (again after a crash, from the stored bytes).

use crate::config::OperatorBank;
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::{calendar, BankAccount};
use kessai_formats::iso20022::{self, CreditTransfer, CreditTransferBatch};
use kessai_formats::zengin::{self, transfer};
use kessai_store::{NewExport, PendingInstruction};
use serde::Serialize;
use std::path::Path;
use time::Date;

/// At most this many instructions per file; more make several files. (Zengin's trailer holds
/// at most 999,999 records.)
pub const MAX_PER_FILE: i64 = 100_000;
/// A file's total stays below this: Zengin's 合計金額 has 12 digits.
pub const MAX_FILE_TOTAL_YEN: i64 = 999_999_999_999;

/// The largest single transfer a Zengin record holds (振込金額 has 10 digits).
pub const MAX_TRANSFER_YEN: i64 = 9_999_999_999;

/// The longest run of `items` whose total fits one file. An instruction larger than one
/// transfer can carry is left out (and logged for the operator) instead of blocking the rest.
fn fitting(items: Vec<PendingInstruction>) -> Vec<PendingInstruction> {
    let (items, too_large): (Vec<_>, Vec<_>) = items
        .into_iter()
        .partition(|i| i.amount_yen <= MAX_TRANSFER_YEN);
    for i in &too_large {
        tracing::error!(instruction = %i.id, amount_yen = i.amount_yen, "larger than one bank transfer: not exported; split it by hand");
    }
    let mut total = 0i64;
    let take = items.iter().take_while(|i| {
        total += i.amount_yen;
        total <= MAX_FILE_TOTAL_YEN
    });
    let n = take.count().max(1);
    items.into_iter().take(n).collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Zengin,
    Iso20022,
}

impl ExportFormat {
    pub fn parse(s: &str) -> Option<ExportFormat> {
        match s {
            "zengin" => Some(ExportFormat::Zengin),
            "iso20022" => Some(ExportFormat::Iso20022),
            _ => None,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            ExportFormat::Zengin => "zengin-21",
            ExportFormat::Iso20022 => "pain.001.001.09",
        }
    }

    pub(crate) fn extension(self) -> &'static str {
        match self {
            ExportFormat::Zengin => "txt",
            ExportFormat::Iso20022 => "xml",
        }
    }
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ExportedFile {
    pub file_name: String,
    pub format: String,
    pub value_date: String,
    pub records: i64,
    pub total_yen: i64,
}

fn file_error(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "export_failed",
        format!("the bank file could not be built: {e}"),
    )
}

/// Bank and branch names for a Zengin record, from the bank master when one is loaded.
fn names(app: &App, bank_code: &str, branch_code: &str) -> (String, String) {
    app.config
        .bank_master
        .as_ref()
        .map(|m| m.zengin_names(bank_code, branch_code))
        .unwrap_or_default()
}

fn iso_account(a: &BankAccount) -> iso20022::Account {
    iso20022::Account {
        bank_code: a.bank_code.clone(),
        branch_code: a.branch_code.clone(),
        account_type: a.account_type.zengin_code(),
        account_number: a.account_number.clone(),
        holder_name: a.holder_name.clone(),
    }
}

/// The file's bytes for these instructions, paid from the operator's account at `bank` on
/// `value_date`, under that bank's requester code and 振込指定区分 (payouts and refunds leave
/// from the main bank; a sweep from a collection bank).
pub(crate) fn render(
    app: &App,
    bank: &OperatorBank,
    format: ExportFormat,
    export_id: &str,
    value_date: Date,
    items: &[PendingInstruction],
) -> AppResult<Vec<u8>> {
    let from = &bank.account;
    match format {
        ExportFormat::Zengin => {
            let (from_bank, from_branch) = names(app, &from.bank_code, &from.branch_code);
            let header = transfer::TransferHeader {
                requester_code: bank.requester_code.clone(),
                requester_name: from.holder_name.clone(),
                value_date_mmdd: format!(
                    "{:02}{:02}",
                    u8::from(value_date.month()),
                    value_date.day()
                ),
                bank_code: from.bank_code.clone(),
                bank_name: from_bank,
                branch_code: from.branch_code.clone(),
                branch_name: from_branch,
                account_type: from.account_type.zengin_code(),
                account_number: from.account_number.clone(),
                designation: bank.designation,
            };
            let transfers: Vec<transfer::Transfer> = items
                .iter()
                .map(|i| {
                    let (bank_name, branch_name) =
                        names(app, &i.bank_account.bank_code, &i.bank_account.branch_code);
                    transfer::Transfer {
                        bank_code: i.bank_account.bank_code.clone(),
                        bank_name,
                        branch_code: i.bank_account.branch_code.clone(),
                        branch_name,
                        account_type: i.bank_account.account_type.zengin_code(),
                        account_number: i.bank_account.account_number.clone(),
                        payee_name: i.bank_account.holder_name.clone(),
                        amount_yen: i.amount_yen as u64,
                        edi: Some(i.public_id.clone()),
                    }
                })
                .collect();
            let file = transfer::transfer_file(&header, &transfers, true).map_err(file_error)?;
            Ok(zengin::write(&file))
        }
        ExportFormat::Iso20022 => {
            let batch = CreditTransferBatch {
                message_id: format!("KESSAI-{}", &export_id.replace('-', "")[..28]),
                created_at: crate::i18n::format_iso_jst(app.clock.now()),
                execution_date: value_date.to_string(),
                debtor: iso_account(from),
                transfers: items
                    .iter()
                    .map(|i| CreditTransfer {
                        end_to_end_id: i.id.replace('-', ""),
                        amount_yen: i.amount_yen as u64,
                        creditor: iso_account(&i.bank_account),
                        remittance: i.public_id.clone(),
                    })
                    .collect(),
            };
            Ok(iso20022::write_pain_001(&batch))
        }
    }
}

/// Builds files for every pending instruction (value date: `date` or the next business day),
/// then writes every stored file not yet on disk into `out`.
pub async fn export(
    app: &App,
    format: ExportFormat,
    date: Date,
    out: &Path,
) -> AppResult<Vec<ExportedFile>> {
    let value_date = calendar::business_day_on_or_after(date)
        .map_err(|e| AppError::invalid("date", e.to_string()))?;
    loop {
        let made = transact!(*app, |tx| {
            let items = fitting(tx.pending_instructions(MAX_PER_FILE).await?);
            if items.is_empty() {
                return Ok(false);
            }
            let id = kessai_store::new_internal_id();
            let bytes = render(app, app.config.main_bank(), format, &id, value_date, &items)?;
            let file_name = format!(
                "kessai-{}-{value_date}-{}.{}",
                format.name(),
                &id[id.len() - 12..],
                format.extension()
            );
            let total: i64 = items.iter().map(|i| i.amount_yen).sum();
            let export = NewExport {
                id: &id,
                format: format.name(),
                value_date: &value_date.to_string(),
                file_name: &file_name,
                content: &bytes,
                records: items.len() as i64,
                total_yen: total,
                now_ms: app.clock.now().0,
            };
            tx.insert_export(&export).await?;
            let ids: Vec<&str> = items.iter().map(|i| i.id.as_str()).collect();
            if tx.mark_instructions_sent(&ids, &id).await? != ids.len() as u64 {
                return Err(AppError::new(
                    StatusCode::CONFLICT,
                    "busy",
                    "another export took some of these instructions",
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

/// Writes stored files that are not on disk yet, so that each file appears once however runs
/// crash or race: the bytes go to a hidden temporary name, the export is claimed in the
/// database, and only the run that won the claim renames the file into place (a run that lost
/// deletes its copy). A temporary file left by a crash after the claim is renamed by the next run.
pub async fn write_pending_files(app: &App, out: &Path) -> AppResult<Vec<ExportedFile>> {
    // One writer at a time in this process: the scheduler's runs and an operator's request
    // both come here, and two of them shared `.NAME.tmp` (the loser removed, or the recovery
    // renamed, the winner's file: a 500 in the crash test, and a bank file made visible while
    // still being written).
    let _turn = WRITING.lock().await;
    let io = AppError::internal;
    tokio::fs::create_dir_all(out).await.map_err(io)?;
    let tmp_of = |name: &str| out.join(format!(".{name}.tmp"));
    // Finish what a crashed run had claimed but not yet made visible.
    for name in app.store.written_export_names().await? {
        let tmp = tmp_of(&name);
        if tokio::fs::try_exists(&tmp).await.unwrap_or(false) {
            gone_is_fine(tokio::fs::rename(&tmp, out.join(&name)).await).map_err(io)?;
        }
    }
    let mut written = vec![];
    for e in app.store.unwritten_exports().await? {
        let tmp = tmp_of(&e.file_name);
        tokio::fs::write(&tmp, &e.content).await.map_err(io)?;
        if app
            .store
            .mark_export_written(&e.id, app.clock.now().0)
            .await?
        {
            tokio::fs::rename(&tmp, out.join(&e.file_name))
                .await
                .map_err(io)?;
            written.push(ExportedFile {
                file_name: e.file_name,
                format: e.format,
                value_date: e.value_date,
                records: e.records,
                total_yen: e.total_yen,
            });
        } else {
            // Another process (a command run beside the server) claimed it first.
            gone_is_fine(tokio::fs::remove_file(&tmp).await).map_err(io)?;
        }
    }
    Ok(written)
}

/// Serializes [`write_pending_files`] within the process.
static WRITING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A file another process already moved or removed is what this step wanted anyway.
fn gone_is_fine(r: std::io::Result<()>) -> std::io::Result<()> {
    match r {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(amount_yen: i64) -> PendingInstruction {
        PendingInstruction {
            id: amount_yen.to_string(),
            purpose: "payout".into(),
            party: "seller".into(),
            amount_yen,
            bank_account: crate::config::demo_bank().account,
            public_id: "X".into(),
        }
    }

    #[test]
    fn a_file_total_never_overflows_the_zengin_trailer() {
        let items: Vec<_> = (0..150).map(|_| item(MAX_TRANSFER_YEN)).collect();
        assert_eq!(
            fitting(items).len(),
            100,
            "100 of the largest transfers fit 12 digits, 101 would not"
        );
        assert_eq!(fitting(vec![item(5), item(7)]).len(), 2);
        assert!(fitting(vec![]).is_empty());
        let kept: Vec<i64> = fitting(vec![item(MAX_TRANSFER_YEN + 1), item(5)])
            .iter()
            .map(|i| i.amount_yen)
            .collect();
        assert_eq!(
            kept,
            [5],
            "one oversized instruction does not block the others"
        );
    }
}
