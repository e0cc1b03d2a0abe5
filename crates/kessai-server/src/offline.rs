//! Steps run from the command line against the database, without a listening server. Their
//! emails wait in the outbox for the next server's worker.

use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppResult;
use crate::service::credit::{self, apply_credit, CreditInput, CreditResult};
use crate::service::field_error::date_field;
use crate::service::register::BankAccountInput;
use crate::service::suspense;
use crate::{transact, App};
use kessai_store::Store;

pub async fn open(config: Config) -> anyhow::Result<App> {
    config.check()?;
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(App {
        store,
        clock: Clock::new(false),
        config,
    })
}

/// Opens the store, runs `step` on it, and closes it whatever the step answered.
async fn with_app<T>(config: Config, step: impl AsyncFnOnce(&App) -> AppResult<T>) -> AppResult<T> {
    let app = open(config).await?;
    let result = step(&app).await;
    app.store.close().await;
    result
}

pub async fn import(
    config: Config,
    name: &str,
    bytes: Vec<u8>,
) -> AppResult<crate::service::bank_import::ImportSummary> {
    with_app(config, async |app| {
        crate::service::bank_import::import(app, name, bytes).await
    })
    .await
}

/// `kessai bank export`: format `zengin` or `iso20022`, date `YYYY-MM-DD`.
pub async fn export(
    config: Config,
    format: &str,
    date: &str,
    out: &std::path::Path,
) -> AppResult<Vec<crate::service::bank_export::ExportedFile>> {
    use crate::error::AppError;
    use crate::service::bank_export::{self, ExportFormat};
    let format = ExportFormat::parse(format)
        .ok_or_else(|| AppError::invalid("format", "the format is zengin or iso20022"))?;
    let date = date_field(date)?;
    with_app(config, async |app| {
        bank_export::export(app, format, date, out).await
    })
    .await
}

type Files = AppResult<Vec<crate::service::bank_export::ExportedFile>>;

/// One of the settlement desk's runs for `date` (`YYYY-MM-DD`), its files into `out`.
async fn files_run(
    config: Config,
    date: &str,
    out: &std::path::Path,
    run: impl AsyncFnOnce(&App, time::Date, &std::path::Path) -> Files,
) -> Files {
    let date = date_field(date)?;
    with_app(config, async |app| run(app, date, out).await).await
}

/// `kessai run debit`: the debit run for `date` (`YYYY-MM-DD`), files into `out`.
pub async fn debit_run(config: Config, date: &str, out: &std::path::Path) -> Files {
    files_run(config, date, out, crate::service::debit_run::run).await
}

/// `kessai run sweep --date D`: a transfer from each collection account holding money to
/// the main account.
pub async fn sweep_run(config: Config, date: &str, out: &std::path::Path) -> Files {
    files_run(config, date, out, crate::service::sweep::run).await
}

/// `kessai run delivery --date D`: the carrier's instruction file for every contract whose
/// goods may go.
pub async fn delivery_run(config: Config, date: &str, out: &std::path::Path) -> Files {
    files_run(config, date, out, crate::service::delivery_run::run).await
}

/// `kessai run payout --date D`: every contract that may be paid, its seller's transfer
/// exported into a bank file with every other pending payout and refund.
pub async fn payout_run(
    config: Config,
    date: &str,
    out: &std::path::Path,
) -> AppResult<crate::service::payout_run::PayoutRun> {
    let date = date_field(date)?;
    with_app(config, async |app| {
        crate::service::payout_run::run(app, date, out).await
    })
    .await
}

/// `kessai carrier import FILE`: the carrier's shipping notice, each delivery shipped once.
pub async fn carrier_import(
    config: Config,
    name: &str,
    bytes: &[u8],
) -> AppResult<crate::service::carrier_import::CarrierImportSummary> {
    with_app(config, async |app| {
        crate::service::carrier_import::import(app, name, bytes).await
    })
    .await
}

/// Imports a collection agent's payment file (`kessai konbini import`).
pub async fn konbini_import(
    config: Config,
    name: &str,
    bytes: &[u8],
) -> AppResult<crate::service::payment::konbini::KonbiniImport> {
    with_app(config, async |app| {
        crate::service::payment::konbini::Konbini
            .import(app, name, bytes)
            .await
    })
    .await
}

/// Runs one service step in a transaction on a freshly opened store, then closes it.
macro_rules! offline_step {
    ($config:expr, |$app:ident, $tx:ident| $body:expr) => {{
        let $app = open($config).await?;
        let result = transact!($app, |$tx| $body);
        $app.store.close().await;
        result
    }};
}

pub async fn credit(config: Config, input: &CreditInput) -> AppResult<CreditResult> {
    offline_step!(config, |app, tx| apply_credit(&app, tx, input).await)
}

/// `kessai bank assign`: a suspense credit to a deal.
pub async fn assign(config: Config, credit_id: &str, deal_id: &str) -> AppResult<CreditResult> {
    offline_step!(config, |app, tx| credit::assign_credit(
        &app, tx, credit_id, deal_id
    )
    .await)
}

/// `kessai bank return`: a suspense credit back to the account it came from.
pub async fn return_credit(
    config: Config,
    credit_id: &str,
    account: &BankAccountInput,
) -> AppResult<suspense::ReturnResult> {
    let account = account.to_account(config.bank_master.as_deref())?;
    offline_step!(config, |app, tx| suspense::return_credit(
        &app, tx, credit_id, &account
    )
    .await)
}

/// `kessai bank write-off`: give up an open reversal claim.
pub async fn write_off(config: Config, claim_id: &str) -> AppResult<suspense::ClaimResult> {
    offline_step!(config, |app, tx| suspense::write_off(&app, tx, claim_id)
        .await)
}

/// `kessai bank recover`: settle a reversal claim with the suspense credit the payer sent.
pub async fn recover(
    config: Config,
    claim_id: &str,
    credit_id: &str,
) -> AppResult<suspense::ClaimResult> {
    offline_step!(config, |app, tx| suspense::recover(
        &app, tx, claim_id, credit_id
    )
    .await)
}
