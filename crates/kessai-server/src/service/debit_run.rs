//! The debit run (seed 001, step 3): contracts accepted and due — no due date, or a due date
//! on or before the run's date (a bill due on a holiday is debited on the next business
//! day's run) — grouped by the buyer's bank into one direct-debit request per bank, sent to
//! the operator's collection account at that bank (or, where it has none, its main bank):
//! Zengin 91 or pain.008, as that operator bank is configured. Each contract is requested once: the
//! file is stored and the contracts move to `debit_requested` in one transaction, and the file
//! reaches the disk afterwards (again after a crash), as payout files do (`bank_export`).

use super::bank_export::{write_pending_files, ExportedFile};
use crate::config::{DebitFormat, OperatorBank};
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::contract::{debit, Contract, PaidInto, Pooling};
use kessai_core::{calendar, BankAccount};
use kessai_formats::iso20022::Account as IsoAccount;
use kessai_formats::iso_debit::{self, DirectDebit, DirectDebitBatch};
use kessai_formats::zengin::{self, debit as zengin_debit};
use kessai_store::{ContractRecord, NewDebit, NewExport, Tx};
use std::collections::BTreeMap;
use std::path::Path;
use time::Date;

/// Contracts per request file (Zengin's trailer counts at most 999,999 records).
pub const MAX_PER_FILE: i64 = 100_000;

/// One contract in a request: its debit reference, the contract and its buyer's account.
struct Item {
    reference: i64,
    record: ContractRecord,
    contract: Contract,
}

fn file_error(e: impl std::fmt::Display) -> AppError {
    AppError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "export_failed",
        format!("the debit file could not be built: {e}"),
    )
}

fn iso_account(a: &BankAccount) -> IsoAccount {
    IsoAccount {
        bank_code: a.bank_code.clone(),
        branch_code: a.branch_code.clone(),
        account_type: a.account_type.zengin_code(),
        account_number: a.account_number.clone(),
        holder_name: a.holder_name.clone(),
    }
}

fn names(app: &App, a: &BankAccount) -> (String, String) {
    app.config
        .bank_master
        .as_ref()
        .map(|m| m.zengin_names(&a.bank_code, &a.branch_code))
        .unwrap_or_default()
}

/// The request file's bytes: the buyers' accounts debited into `to` on `date`, requested
/// through the operator's `bank` under its collector code.
fn render(
    app: &App,
    bank: &OperatorBank,
    to: &BankAccount,
    id: &str,
    date: Date,
    items: &[Item],
) -> AppResult<Vec<u8>> {
    match bank.debit_format {
        DebitFormat::Zengin => {
            let (bank_name, branch_name) = names(app, to);
            let header = zengin_debit::DebitHeader {
                collector_code: bank.requester_code.clone(),
                collector_name: to.holder_name.clone(),
                debit_date_mmdd: format!("{:02}{:02}", u8::from(date.month()), date.day()),
                bank_code: to.bank_code.clone(),
                bank_name,
                branch_code: to.branch_code.clone(),
                branch_name,
                account_type: to.account_type.zengin_code(),
                account_number: to.account_number.clone(),
            };
            let debits: Vec<zengin_debit::Debit> = items
                .iter()
                .map(|i| {
                    let a = &i.contract.buyer.account;
                    let (bank_name, branch_name) = names(app, a);
                    zengin_debit::Debit {
                        bank_code: a.bank_code.clone(),
                        bank_name,
                        branch_code: a.branch_code.clone(),
                        branch_name,
                        account_type: a.account_type.zengin_code(),
                        account_number: a.account_number.clone(),
                        payer_name: a.holder_name.clone(),
                        amount_yen: i.record.amount_yen as u64,
                        customer_number: i.reference.to_string(),
                        result: zengin_debit::DebitResult::Debited,
                    }
                })
                .collect();
            let file =
                zengin_debit::debit_file(&header, &debits, false, true).map_err(file_error)?;
            Ok(zengin::write(&file))
        }
        DebitFormat::Iso20022 => {
            let batch = DirectDebitBatch {
                message_id: format!("KESSAI-D{}", &id.replace('-', "")[..27]),
                created_at: crate::i18n::format_iso_jst(app.clock.now()),
                collection_date: date.to_string(),
                creditor: iso_account(to),
                creditor_scheme_id: bank.requester_code.clone(),
                debits: items
                    .iter()
                    .map(|i| DirectDebit {
                        end_to_end_id: end_to_end_id(i.reference),
                        amount_yen: i.record.amount_yen as u64,
                        debtor: iso_account(&i.contract.buyer.account),
                        mandate_id: i.record.id.replace('-', ""),
                        mandate_signed: crate::i18n::date_jst(kessai_core::Millis(
                            i.record.created_at_ms,
                        ))
                        .to_string(),
                        remittance: i.contract.number.clone(),
                    })
                    .collect(),
            };
            Ok(iso_debit::write_pain_008(&batch))
        }
    }
}

/// The operator's bank a request for buyers at `buyer_bank` goes to: the operator's own
/// collection account there, else the main bank, which collects from other banks' accounts
/// (a 91 record names the buyer's bank, 引落銀行, apart from the collector's, 取引銀行).
fn collecting_bank<'a>(app: &'a App, buyer_bank: &str) -> &'a OperatorBank {
    app.config
        .banks
        .iter()
        .find(|b| b.account.bank_code == buyer_bank)
        .unwrap_or_else(|| app.config.main_bank())
}

/// The ISO `EndToEndId` of a debit: its reference, as the bank's status report returns it.
pub fn end_to_end_id(reference: i64) -> String {
    format!("KD{reference:018}")
}

fn format_name(f: DebitFormat) -> (&'static str, &'static str) {
    match f {
        DebitFormat::Zengin => ("zengin-91", "txt"),
        DebitFormat::Iso20022 => ("pain.008.001.08", "xml"),
    }
}

/// Refuses a run's `date` that is not a bank business day, or is past: `rule` says why the
/// day must be a business day, `what` names what is requested for it.
pub(crate) fn today_or_later_business_day(
    app: &App,
    date: Date,
    rule: &str,
    what: &str,
) -> AppResult<()> {
    let business =
        calendar::is_business_day(date).map_err(|e| AppError::invalid("date", e.to_string()))?;
    if !business {
        return Err(AppError::invalid(
            "date",
            format!("{date} is not a bank business day: {rule}"),
        ));
    }
    let today = crate::i18n::date_jst(app.clock.now());
    if date < today {
        return Err(AppError::invalid(
            "date",
            format!(
                "{date} is past: {what} is requested for today ({today}) or a later business day"
            ),
        ));
    }
    Ok(())
}

/// Requests every due contract's debit on `date` (a business day), one file per buyer bank
/// (more when a bank has more than [`MAX_PER_FILE`]), then writes the stored files not yet
/// on disk into `out`.
pub async fn run(app: &App, date: Date, out: &Path) -> AppResult<Vec<ExportedFile>> {
    today_or_later_business_day(app, date, "banks debit on business days only", "a debit")?;
    let day = date.to_string();
    for pooling in [Pooling::Pooled, Pooling::Direct] {
        while request_one_bank(app, date, &day, pooling).await? {}
    }
    write_pending_files(app, out).await
}

/// Requests the debits of up to [`MAX_PER_FILE`] due contracts of one buyer bank with this
/// pooling, in one transaction: pooled ones in one file into the operator's account; direct
/// ones in one file per seller, into the seller's account. False when none was due.
async fn request_one_bank(app: &App, date: Date, day: &str, pooling: Pooling) -> AppResult<bool> {
    transact!(*app, |tx| {
        let due = tx
            .due_contracts_of_one_bank(day, pooling.as_str(), MAX_PER_FILE)
            .await?;
        let Some(first) = due.first() else {
            return Ok(false);
        };
        let bank_code = first.buyer_bank_code.clone();
        let bank = collecting_bank(app, &bank_code);
        let mut next = tx.last_debit_reference().await? + 1;
        // Grouped by the account the money goes to: one group when pooled.
        let mut groups: BTreeMap<String, (BankAccount, Vec<Item>)> = BTreeMap::new();
        for record in due {
            let contract: Contract =
                serde_json::from_str(&record.body).map_err(AppError::internal)?;
            let to = match pooling {
                Pooling::Pooled => bank.account.clone(),
                Pooling::Direct => contract.seller.account.clone(),
            };
            let item = Item {
                reference: next,
                record,
                contract,
            };
            next += 1;
            let key = format!(
                "{}-{}-{}-{}",
                to.bank_code,
                to.branch_code,
                to.account_type.zengin_code(),
                to.account_number
            );
            groups
                .entry(key)
                .or_insert_with(|| (to, vec![]))
                .1
                .push(item);
        }
        let paid_into = match pooling {
            Pooling::Direct => PaidInto::Seller,
            Pooling::Pooled => app
                .config
                .collected_into(&bank.account.bank_code)
                .ok_or_else(|| AppError::internal("the collecting bank is not configured"))?,
        };
        for (to, items) in groups.values() {
            let file = Request {
                bank,
                to,
                paid_into: &paid_into,
                buyer_bank: &bank_code,
            };
            file.store(app, tx, date, items).await?;
        }
        Ok(true)
    })
}

/// One request file: through the operator's `bank`, into `to`, for buyers at `buyer_bank`.
struct Request<'a> {
    bank: &'a OperatorBank,
    to: &'a BankAccount,
    paid_into: &'a PaidInto,
    buyer_bank: &'a str,
}

impl Request<'_> {
    /// Stores the file and its debits, and moves the contracts to requested.
    async fn store(&self, app: &App, tx: &mut Tx, date: Date, items: &[Item]) -> AppResult<()> {
        let day = date.to_string();
        let id = kessai_store::new_internal_id();
        let bytes = render(app, self.bank, self.to, &id, date, items)?;
        let (format, extension) = format_name(self.bank.debit_format);
        let file_name = format!(
            "kessai-{format}-{}-{day}-{}.{extension}",
            self.buyer_bank,
            &id[id.len() - 12..]
        );
        let total: i64 = items.iter().map(|i| i.record.amount_yen).sum();
        let export = NewExport {
            id: &id,
            format,
            value_date: &day,
            file_name: &file_name,
            content: &bytes,
            records: items.len() as i64,
            total_yen: total,
            now_ms: app.clock.now().0,
        };
        tx.insert_export(&export).await?;
        let debits: Vec<NewDebit> = items
            .iter()
            .map(|i| NewDebit {
                reference: i.reference,
                contract_id: &i.record.id,
                amount_yen: i.record.amount_yen,
            })
            .collect();
        let ids: Vec<&str> = items.iter().map(|i| i.record.id.as_str()).collect();
        let paid_into = self.paid_into.to_stored();
        let inserted = tx
            .insert_debits(&id, self.buyer_bank, &day, &paid_into, &debits)
            .await?;
        let moved = tx
            .move_debits(
                &ids,
                debit::NOT_REQUESTED,
                debit::REQUESTED,
                app.clock.now().0,
            )
            .await?;
        if inserted != items.len() as u64 || moved != items.len() as u64 {
            return Err(AppError::busy(
                "another debit run took some of these contracts",
            ));
        }
        Ok(())
    }
}
