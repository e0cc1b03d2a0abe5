//! What a party sees of its deal: only its own registration and the shared deal, never the
//! other party's account or password state — and the buyer's name and shipping address only to
//! the seller, once the money is held (the seller needs them to ship; before, they are the
//! buyer's private data).

use crate::error::AppResult;
use crate::i18n::format_jst;
use crate::App;
use kessai_core::{BankAccount, DealState, Millis, Party};
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

/// An account to pay into, with the bank's and branch's names when the bank master is loaded.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub bank_code: String,
    pub bank_name: Option<String>,
    pub branch_code: String,
    pub branch_name: Option<String>,
    /// 預金種目: `ordinary` (普通), `current` (当座) or `savings` (貯蓄).
    pub account_type: String,
    pub account_number: String,
    pub holder_name: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PaymentDetails {
    pub amount_yen: i64,
    pub remaining_yen: i64,
    /// The operator's collection account (or the deal's own virtual account), in one line.
    pub pay_to: String,
    /// The same account, field by field.
    pub account: AccountView,
    /// Quote this in the transfer (before your name).
    pub reference: String,
    /// The 振込依頼人コード to give the bank, where it lets you: matches the payment by number.
    pub payer_code: Option<String>,
    pub pay_by: String,
}

/// Money on its way to this party: a payout (seller) or a refund (buyer).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MoneyOut {
    /// `payout` or `refund`.
    pub purpose: String,
    pub amount_yen: i64,
    /// `pending` (instructed, not yet sent to the bank), `sent`, `accepted`, `completed`
    /// (the money has left), or `rejected` (the bank could not pay it; the operator corrects it).
    pub status: String,
    /// This party's own account, the number masked: `0005-123 ****321`.
    pub to_account: String,
}

/// The buyer as the seller ships to it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ShipTo {
    pub name: String,
    pub shipping_address: String,
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
    /// The seller's view only, once the deal is funded: where to ship.
    pub ship_to: Option<ShipTo>,
    /// This party's payouts or refunds, instructed or done.
    pub money_out: Vec<MoneyOut>,
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
        ship_to: None,
        money_out: vec![],
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
        view.money_out = money_out(app, &r.id, reg.role).await?;
        match reg.role {
            Party::Seller => {
                view.fee_yen = Some(d.fee.0);
                view.payout_yen = Some(d.payout().0);
                if matches!(
                    d.state,
                    DealState::Funded | DealState::Shipped | DealState::Completed
                ) {
                    view.ship_to = ship_to(app, &r.buyer_id).await?;
                }
            }
            Party::Buyer if d.state == DealState::AwaitingPayment => {
                let mut a = app.config.collection_account().clone();
                if let Some(number) = app.store.virtual_account_of(&r.id).await? {
                    a.account_number = number;
                }
                let master = app.config.bank_master.as_deref();
                view.payment = Some(PaymentDetails {
                    amount_yen: d.price.0,
                    remaining_yen: d.remaining().0,
                    pay_to: crate::words::account(crate::i18n::Lang::Ja, &a, master),
                    account: account_view(&a, master),
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

fn account_view(a: &BankAccount, master: Option<&crate::bank_master::BankMaster>) -> AccountView {
    let names = master.and_then(|m| m.check(&a.bank_code, &a.branch_code).ok());
    AccountView {
        bank_code: a.bank_code.clone(),
        bank_name: names.map(|(bank, _)| bank.name.clone()),
        branch_code: a.branch_code.clone(),
        branch_name: names.map(|(_, branch)| branch.name.clone()),
        account_type: a.account_type.as_str().into(),
        account_number: a.account_number.clone(),
        holder_name: a.holder_name.clone(),
    }
}

async fn ship_to(app: &App, buyer_id: &kessai_core::DealId) -> AppResult<Option<ShipTo>> {
    Ok(app.store.registration(buyer_id).await?.map(|b| ShipTo {
        name: b.terms.buyer_name,
        shipping_address: b.shipping_address.unwrap_or_default(),
    }))
}

/// The deal's instructions paying this party, each with where it goes (masked).
async fn money_out(app: &App, deal_id: &str, role: Party) -> AppResult<Vec<MoneyOut>> {
    let instructions = app.store.instructions(Some(deal_id), None, 100).await?;
    Ok(instructions
        .into_iter()
        .filter(|i| i.party == role.as_str())
        .map(|i| MoneyOut {
            to_account: serde_json::from_value::<BankAccount>(i.bank_account)
                .map(|a| a.masked())
                .unwrap_or_default(),
            purpose: i.purpose,
            amount_yen: i.amount_yen,
            status: i.status,
        })
        .collect())
}
