//! Deadlines fire on their own: unpaid deals are cancelled after the pay-by date and unshipped
//! deals refunded after the ship-by date. Work is found by query, so a restart or a second
//! instance simply picks up what is due; the deal's version check stops a double application.

use crate::error::AppResult;
use crate::service::deal_ops;
use crate::transact;
use crate::App;
use kessai_core::DealCommand;
use std::sync::Arc;

/// At most this many deals per pass, so one pass never holds the database for long.
const BATCH: i64 = 500;

/// Applies every due deadline; returns how many deals changed.
pub async fn run_once(app: &App) -> AppResult<usize> {
    let mut changed = 0;
    loop {
        let due = app.store.deals_due(app.clock.now(), BATCH).await?;
        let batch_len = due.len();
        let before = changed;
        for id in due {
            let result = transact!(*app, |tx| deal_ops::apply(
                app,
                tx,
                &id,
                &DealCommand::Expire
            )
            .await);
            match result {
                Ok(_) => changed += 1,
                // Another instance or a payment got there first: nothing is due any more.
                Err(e) if e.code == "wrong_state" => {}
                // One deal that cannot be processed must not stop the deadlines of all others.
                Err(e) => tracing::error!(deal = %id, "deadline not applied: {}", e.message),
            }
        }
        if (batch_len as i64) < BATCH || changed == before {
            return Ok(changed + expire_orders(app).await?);
        }
    }
}

/// Orders past their expiry that no one paid move to expired; returns how many.
pub async fn expire_orders(app: &App) -> AppResult<usize> {
    let mut changed = 0;
    loop {
        let now = app.clock.now().0;
        let due = app.store.orders_due(now, BATCH).await?;
        let (found, before) = (due.len(), changed);
        for id in due {
            let done = transact!(*app, |tx| crate::service::order::transition(
                tx,
                &id,
                kessai_core::order::OrderEvent::Expire,
                None,
                &serde_json::json!({}),
                now
            )
            .await);
            match done {
                Ok(_) => changed += 1,
                // Paid at the same moment: nothing to expire.
                Err(e) if e.code == "illegal_transition" || e.code == "busy" => {}
                Err(e) => tracing::error!(order = %id, "expiry not applied: {}", e.message),
            }
        }
        if (found as i64) < BATCH || changed == before {
            return Ok(changed);
        }
    }
}

/// On a business day, writes every pending payout and refund into bank files (value date: that
/// day); on a weekend or bank holiday, does nothing. Returns the files written.
pub async fn export_due(
    app: &App,
    today: time::Date,
) -> AppResult<Vec<crate::service::bank_export::ExportedFile>> {
    let Some(format) = app.config.auto_export else {
        return Ok(vec![]);
    };
    if !kessai_core::calendar::is_business_day(today).unwrap_or(false) {
        return Ok(vec![]);
    }
    crate::service::bank_export::export(app, format, today, &app.config.bank_out_dir).await
}

type Files = AppResult<Vec<crate::service::bank_export::ExportedFile>>;

/// The run `run` for `today` if it is a business day; on a weekend or bank holiday, nothing.
async fn on_business_day(
    app: &App,
    today: time::Date,
    run: impl AsyncFnOnce(&App, time::Date, &std::path::Path) -> Files,
) -> Files {
    if !kessai_core::calendar::is_business_day(today).unwrap_or(false) {
        return Ok(vec![]);
    }
    run(app, today, &app.config.bank_out_dir).await
}

/// On a business day, requests the debit of every marketplace contract due that day (the
/// debit run, `service::debit_run`).
pub async fn debit_due(app: &App, today: time::Date) -> Files {
    on_business_day(app, today, crate::service::debit_run::run).await
}

/// On a business day, instructs the carrier for every contract whose goods may go (the
/// delivery run, `service::delivery_run`).
pub async fn deliver_due(app: &App, today: time::Date) -> Files {
    on_business_day(app, today, crate::service::delivery_run::run).await
}

/// On a business day, sweeps each collection account's balance to the main account (the
/// sweep run, `service::sweep`).
pub async fn sweep_due(app: &App, today: time::Date) -> Files {
    on_business_day(app, today, crate::service::sweep::run).await
}

/// On a business day, pays every contract that may be paid (the payout run,
/// `service::payout_run`): the transfers wait for the export, as the escrow's payouts do (the
/// scheduler's own with `--auto-export`, or the operator's).
pub async fn pay_due(app: &App, today: time::Date) -> AppResult<()> {
    if !kessai_core::calendar::is_business_day(today).unwrap_or(false) {
        return Ok(());
    }
    crate::service::payout_run::pay(app, today).await?;
    Ok(())
}

pub async fn run(app: Arc<App>) {
    loop {
        if let Err(e) = run_once(&app).await {
            tracing::warn!("scheduler: {}", e.message);
        }
        let today = crate::i18n::date_jst(app.clock.now());
        if let Err(e) = pay_due(&app, today).await {
            tracing::warn!("scheduler payout run: {}", e.message);
        }
        if let Err(e) = export_due(&app, today).await {
            tracing::warn!("scheduler export: {}", e.message);
        }
        if let Err(e) = debit_due(&app, today).await {
            tracing::warn!("scheduler debit run: {}", e.message);
        }
        if let Err(e) = deliver_due(&app, today).await {
            tracing::warn!("scheduler delivery run: {}", e.message);
        }
        if let Err(e) = sweep_due(&app, today).await {
            tracing::warn!("scheduler sweep run: {}", e.message);
        }
        tokio::time::sleep(app.config.scheduler_interval).await;
    }
}
