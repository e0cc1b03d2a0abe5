//! A contract's progress as its site, buyer and seller read it (seed 001 figure 8): each step's
//! planned day (`kessai_core::contract::plan`, from the site's lead times) beside the day it
//! happened, and a warning when the buyer's bank did not debit.

use crate::error::{AppError, AppResult};
use kessai_core::contract::plan::{plan, Actual, LeadTimes, Terms};
use kessai_core::contract::{debit, Contract, PayoutWhen, Pooling};
use kessai_store::{ContractRecord, DebitItem, DeliveryRecord, SiteRecord};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::ToSchema;

/// One step: `acceptance`, `debit`, `delivery_instruction`, `shipment` or `settlement`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StepView {
    pub step: String,
    /// The day the site's lead times plan for it (`YYYY-MM-DD`, a business day), from the
    /// day the step before happened once it has.
    pub planned: String,
    /// The day it happened, once it has.
    pub actual: Option<String>,
}

/// Why the contract cannot go on as planned.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Warning {
    /// `debit_failed`.
    pub code: String,
    /// The buyer's bank's reason (`insufficient_funds`, `no_account`, `stopped_by_payer`,
    /// `no_agreement`, `stopped_by_collector`, `other`).
    pub reason: Option<String>,
    pub message: String,
}

fn day(text: &str) -> AppResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, format).map_err(|e| AppError::internal(format!("a stored day {text}: {e}")))
}

fn day_of(text: Option<&str>) -> AppResult<Option<Date>> {
    text.map(day).transpose()
}

/// The steps of `c`, planned and done, and its warning if any.
pub fn schedule(
    c: &ContractRecord,
    site: &SiteRecord,
    debits: &[DebitItem],
    delivery: Option<&DeliveryRecord>,
) -> AppResult<(Vec<StepView>, Option<Warning>)> {
    let contract: Contract = serde_json::from_str(&c.body).map_err(AppError::internal)?;
    let accepted = crate::i18n::date_jst(kessai_core::Millis(c.created_at_ms));
    let debited = debits
        .iter()
        .rev()
        .find(|d| d.result.as_deref() == Some(debit::DEBITED));
    let lead = |days: i64| u32::try_from(days).unwrap_or(0);
    let mut actual = Actual {
        debit: day_of(debited.map(|d| d.debit_date.as_str()))?,
        delivery_instruction: day_of(delivery.map(|d| d.ship_date.as_str()))?,
        shipment: day_of(delivery.and_then(|d| d.shipped_on.as_deref()))?,
        settlement: day_of(c.paid_on.as_deref())?,
    };
    // Debited straight into the seller's account: settled by the debit itself.
    if contract.pooling == Pooling::Direct {
        actual.settlement = actual.settlement.or(actual.debit);
    }
    let terms = Terms {
        due: day_of(c.due_date.as_deref())?,
        pay_regardless: contract.payout == PayoutWhen::Regardless,
        ship_after_payout: site.delivery_after_payout,
        direct: contract.pooling == Pooling::Direct,
    };
    let lead_times = LeadTimes {
        debit: lead(site.debit_lead_days),
        delivery: lead(site.delivery_lead_days),
        shipping: lead(site.shipping_lead_days),
        payout: lead(site.payout_lead_days),
    };
    let planned = plan(accepted, terms, lead_times, actual).map_err(AppError::internal)?;
    let step = |name: &str, planned: Date, actual: Option<Date>| StepView {
        step: name.to_string(),
        planned: planned.to_string(),
        actual: actual.map(|d| d.to_string()),
    };
    let steps = vec![
        step("acceptance", accepted, Some(accepted)),
        step("debit", planned.debit, actual.debit),
        step(
            "delivery_instruction",
            planned.delivery_instruction,
            actual.delivery_instruction,
        ),
        step("shipment", planned.shipment, actual.shipment),
        step("settlement", planned.settlement, actual.settlement),
    ];
    let warning = (c.debit_state == debit::FAILED).then(|| {
        let reason = debits.iter().rev().find_map(|d| d.result.clone());
        Warning {
            code: "debit_failed".into(),
            message: format!(
                "the buyer's bank did not debit the amount ({}): the contract cannot be settled until it is",
                reason.as_deref().unwrap_or("no reason given")
            ),
            reason,
        }
    });
    Ok((steps, warning))
}
