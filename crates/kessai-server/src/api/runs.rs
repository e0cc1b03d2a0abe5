//! Operator endpoints for the settlement desk's runs (seed 001), on demand; the scheduler
//! runs them on business days by itself.

use super::body::JsonBody;
use super::extract::Operator;
use crate::error::AppResult;
use crate::service::bank_export::ExportedFile;
use crate::service::payout_run::{self, PayoutRun};
use crate::service::{debit_run, delivery_run};
use crate::App;
use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// The business day of the run, `YYYY-MM-DD`; default today.
    #[schema(max_length = 10, pattern = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    pub date: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RunResult {
    /// Files written to the server's bank output directory now.
    pub files: Vec<ExportedFile>,
}

/// The run's date: the one given, or today (JST).
pub fn run_date(app: &App, given: Option<&str>) -> AppResult<time::Date> {
    match given {
        Some(d) => crate::service::field_error::date_field(d),
        None => Ok(crate::i18n::date_jst(app.clock.now())),
    }
}

/// The debit run: every accepted contract due on the date, one direct-debit request file per
/// buyer bank (Zengin 91 or pain.008, as the bank is configured). A contract is requested once.
#[utoipa::path(post, path = "/v1/operator/runs/debit", request_body = RunInput,
    responses((status = 200, body = RunResult)), security(("operator_bearer" = [])))]
pub async fn debit(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<RunInput>,
) -> AppResult<Json<RunResult>> {
    let date = run_date(&app, body.value.date.as_deref())?;
    let files = debit_run::run(&app, date, &app.config.bank_out_dir).await?;
    Ok(Json(RunResult { files }))
}

/// The delivery run: every contract whose goods may go (debited, or a bill) is instructed to
/// the carrier once, in one CSV (Shift_JIS) for the date's shipments.
#[utoipa::path(post, path = "/v1/operator/runs/delivery", request_body = RunInput,
    responses((status = 200, body = RunResult)), security(("operator_bearer" = [])))]
pub async fn delivery(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<RunInput>,
) -> AppResult<Json<RunResult>> {
    let date = run_date(&app, body.value.date.as_deref())?;
    let files = delivery_run::run(&app, date, &app.config.bank_out_dir).await?;
    Ok(Json(RunResult { files }))
}

/// The sweep run: each collection account's balance (what the ledger holds at that bank)
/// moves to the main account, one transfer from each, unless a sweep of it is on its way.
#[utoipa::path(post, path = "/v1/operator/runs/sweep", request_body = RunInput,
    responses((status = 200, body = RunResult)), security(("operator_bearer" = [])))]
pub async fn sweep(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<RunInput>,
) -> AppResult<Json<RunResult>> {
    let date = run_date(&app, body.value.date.as_deref())?;
    let files = crate::service::sweep::run(&app, date, &app.config.bank_out_dir).await?;
    Ok(Json(RunResult { files }))
}

/// A sweep as the operator reads it: from which collection bank, how much, where it stands
/// (`instructed`, `withdrawn`, `arrived`, `completed`, `failed`), the days each bank reported
/// it, and beside the withdrawal the collection account's closing balance by its bank's
/// statement and by the ledger (`kessai check` compares them).
#[derive(Serialize, ToSchema)]
pub struct SweepView {
    pub sweep_id: String,
    /// What the transfer quotes (Zengin EDI, ISO remittance): `SW` and 16 hex digits.
    pub reference: String,
    pub bank_code: String,
    pub amount_yen: i64,
    pub status: String,
    pub value_date: String,
    pub withdrawn_on: Option<String>,
    pub arrived_on: Option<String>,
    pub reason: Option<String>,
    pub bank_balance_yen: Option<i64>,
    pub ledger_balance_yen: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct SweepList {
    /// Newest first, at most 200.
    pub sweeps: Vec<SweepView>,
}

/// The sweeps, newest first (the last 200).
#[utoipa::path(get, path = "/v1/operator/sweeps",
    responses((status = 200, body = SweepList)), security(("operator_bearer" = [])))]
pub async fn sweeps(State(app): State<Arc<App>>, _: Operator) -> AppResult<Json<SweepList>> {
    let sweeps = app
        .store
        .sweeps(200)
        .await?
        .into_iter()
        .map(|s| SweepView {
            sweep_id: s.id,
            reference: s.reference,
            bank_code: s.bank_code,
            amount_yen: s.amount_yen,
            status: s.status,
            value_date: s.value_date,
            withdrawn_on: s.withdrawn_on,
            arrived_on: s.arrived_on,
            reason: s.reason,
            bank_balance_yen: s.bank_balance_yen,
            ledger_balance_yen: s.ledger_balance_yen,
        })
        .collect();
    Ok(Json(SweepList { sweeps }))
}

/// The payout run: every contract that may be paid (debited, and shipped unless its terms say
/// regardless) has its hold posted once, to the seller less the site's fee; the transfers are
/// exported, with every other pending payout and refund, from the main account.
#[utoipa::path(post, path = "/v1/operator/runs/payout", request_body = RunInput,
    responses((status = 200, body = PayoutRun)), security(("operator_bearer" = [])))]
pub async fn payout(
    State(app): State<Arc<App>>,
    _: Operator,
    body: JsonBody<RunInput>,
) -> AppResult<Json<PayoutRun>> {
    let date = run_date(&app, body.value.date.as_deref())?;
    Ok(Json(
        payout_run::run(&app, date, &app.config.bank_out_dir).await?,
    ))
}
