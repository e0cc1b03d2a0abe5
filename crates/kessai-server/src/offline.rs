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

pub async fn credit(config: Config, input: &CreditInput) -> AppResult<CreditResult> {
    let app = open(config).await?;
    let result = transact!(app, |tx| apply_credit(&app, tx, input).await);
    app.store.close().await;
    result
}
