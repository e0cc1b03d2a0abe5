//! Steps run from the command line against the database, without a listening server. Their
//! emails wait in the outbox for the next server's worker.

use crate::clock::Clock;
use crate::config::Config;
use crate::error::AppResult;
use crate::service::credit::{apply_credit, CreditInput, CreditResult};
use crate::{transact, App};
use kessai_store::Store;

pub async fn open(config: Config) -> anyhow::Result<App> {
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    Ok(App {
        store,
        clock: Clock::new(false),
        config,
    })
}

pub async fn import(
    config: Config,
    name: &str,
    bytes: &[u8],
) -> AppResult<crate::service::bank_import::ImportSummary> {
    let app = open(config).await?;
    let result = crate::service::bank_import::import(&app, name, bytes).await;
    app.store.close().await;
    result
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
    let date = time::Date::parse(
        date,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| AppError::invalid("date", "the date is written YYYY-MM-DD"))?;
    let app = open(config).await?;
    let result = bank_export::export(&app, format, date, out).await;
    app.store.close().await;
    result
}

pub async fn credit(config: Config, input: &CreditInput) -> AppResult<CreditResult> {
    let app = open(config).await?;
    let result = transact!(app, |tx| apply_credit(&app, tx, input).await);
    app.store.close().await;
    result
}

/// `kessai bank assign`: a suspense credit to a deal.
pub async fn assign(config: Config, credit_id: &str, deal_id: &str) -> AppResult<CreditResult> {
    let app = open(config).await?;
    let result = transact!(app, |tx| crate::service::credit::assign_credit(
        &app, tx, credit_id, deal_id
    )
    .await);
    app.store.close().await;
    result
}
