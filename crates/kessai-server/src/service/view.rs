//! What a party sees of its deal: only its own registration and the shared deal, never the
//! other party's account, address or password state.

use crate::error::AppResult;
use crate::i18n::format_jst;
use crate::App;
use kessai_core::{Millis, Party};
use kessai_store::Registration;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub at_ms: i64,
    /// The same instant in Japan time, for people.
    pub at: String,
    pub event: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PaymentDetails {
    pub amount_yen: i64,
    pub remaining_yen: i64,
    /// The operator's collection account.
    pub pay_to: String,
    /// Quote this in the transfer (before your name).
    pub reference: String,
    /// The 振込依頼人コード to give the bank, where it lets you: matches the payment by number.
    pub payer_code: Option<String>,
    pub pay_by: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DealView {
    pub deal_id: String,
    pub role: String,
    /// `waiting_for_counterpart`, `mismatch`, or the deal's state: `awaiting_payment`, `funded`,
    /// `shipped`, `completed`, `refunded`, `cancelled`.
    pub status: String,
    pub mismatched_fields: Vec<String>,
    pub item: String,
    pub price_yen: i64,
    pub received_yen: i64,
    pub excess_yen: i64,
    /// The seller's view only: the operator's fee and what the seller receives.
    pub fee_yen: Option<i64>,
    pub payout_yen: Option<i64>,
    pub pay_by: Option<String>,
    pub ship_by: Option<String>,
    pub tracking_number: Option<String>,
    /// The buyer's view only, while money is due.
    pub payment: Option<PaymentDetails>,
    pub timeline: Vec<TimelineEntry>,
}

pub async fn deal_view(app: &App, reg: &Registration) -> AppResult<DealView> {
    let record = match &reg.deal_id {
        Some(id) => app.store.deal(id).await?,
        None => None,
    };
    let events = app
        .store
        .timeline(reg.public_id.as_str(), reg.deal_id.as_deref())
        .await?;
    // Each party sees its own money leave: payout events only the seller, refund events only the buyer.
    let hidden = match reg.role {
        Party::Buyer => "payout_",
        Party::Seller => "refund_",
    };
    let timeline = events
        .into_iter()
        .filter(|e| !e.event.starts_with(hidden))
        .map(|e| TimelineEntry {
            at: format_jst(Millis(e.at_ms)),
            at_ms: e.at_ms,
            event: e.event,
            detail: e.detail,
        })
        .collect();
    let mut view = DealView {
        deal_id: reg.public_id.to_string(),
        role: reg.role.as_str().into(),
        status: if reg.mismatch.is_empty() {
            "waiting_for_counterpart".into()
        } else {
            "mismatch".into()
        },
        mismatched_fields: reg.mismatch.clone(),
        item: reg.terms.item.clone(),
        price_yen: reg.terms.price.0,
        received_yen: 0,
        excess_yen: 0,
        fee_yen: None,
        payout_yen: None,
        pay_by: None,
        ship_by: None,
        tracking_number: None,
        payment: None,
        timeline,
    };
    if let Some(r) = record {
        let d = &r.deal;
        view.status = d.state.as_str().into();
        view.received_yen = d.received.0;
        view.excess_yen = d.excess().0;
        view.pay_by = Some(format_jst(d.pay_by));
        view.ship_by = d.ship_by.map(format_jst);
        view.tracking_number = d.tracking.clone();
        match reg.role {
            Party::Seller => {
                view.fee_yen = Some(d.fee.0);
                view.payout_yen = Some(d.payout().0);
            }
            Party::Buyer if d.state == kessai_core::DealState::AwaitingPayment => {
                let mut a = app.config.collection_account().clone();
                if let Some(number) = app.store.virtual_account_of(&r.id).await? {
                    a.account_number = number;
                }
                view.payment = Some(PaymentDetails {
                    amount_yen: d.price.0,
                    remaining_yen: d.remaining().0,
                    pay_to: format!(
                        "{}-{} {} {}",
                        a.bank_code, a.branch_code, a.account_number, a.holder_name
                    ),
                    reference: reg.public_id.to_string(),
                    payer_code: app.store.payer_code_of(&r.id).await?,
                    pay_by: format_jst(d.pay_by),
                });
            }
            Party::Buyer => {}
        }
    }
    Ok(view)
}
