//! Steps on an agreed deal: ship, confirm receipt, deadlines, operator refund. Each loads the
//! deal, lets the core decide, and saves the transition with its journals, instructions,
//! timeline event and emails in the caller's transaction.

use super::notify::{notify_with, Extras};
use crate::error::{AppError, AppResult};
use crate::App;
use axum::http::StatusCode;
use kessai_core::{DealCommand, NoticeKind, Party, Transition};
use kessai_store::{DealRecord, Registration, Tx};

/// Both parties of a deal, as registered.
pub struct Parties {
    pub buyer: Registration,
    pub seller: Registration,
}

impl Parties {
    pub fn get(&self, party: Party) -> &Registration {
        match party {
            Party::Buyer => &self.buyer,
            Party::Seller => &self.seller,
        }
    }
}

pub async fn load(tx: &mut Tx, deal_id: &str) -> AppResult<(DealRecord, Parties)> {
    let record = tx.deal(deal_id).await?.ok_or_else(AppError::not_found)?;
    let buyer = tx
        .registration(&record.buyer_id)
        .await?
        .ok_or_else(|| AppError::internal("buyer registration missing"))?;
    let seller = tx
        .registration(&record.seller_id)
        .await?
        .ok_or_else(|| AppError::internal("seller registration missing"))?;
    Ok((record, Parties { buyer, seller }))
}

pub fn agreed_deal_id(reg: &Registration) -> AppResult<&str> {
    reg.deal_id.as_deref().ok_or_else(|| {
        AppError::new(
            StatusCode::CONFLICT,
            "not_agreed",
            "the deal is not agreed yet: the other party's registration has not matched",
        )
    })
}

/// Applies one command to one deal and saves everything it caused.
pub async fn apply(
    app: &App,
    tx: &mut Tx,
    deal_id: &str,
    command: &DealCommand,
) -> AppResult<DealRecord> {
    let (record, parties) = load(tx, deal_id).await?;
    let now = app.clock.now();
    let transition = record.deal.apply(command, now)?;
    save(app, tx, &record, &parties, &transition, command).await?;
    Ok(DealRecord {
        deal: transition.deal,
        version: record.version + 1,
        ..record
    })
}

async fn save(
    app: &App,
    tx: &mut Tx,
    record: &DealRecord,
    parties: &Parties,
    t: &Transition,
    command: &DealCommand,
) -> AppResult<()> {
    let now = app.clock.now().0;
    tx.update_deal(&record.id, record.version, &t.deal, now)
        .await?;
    let mut journal_ids = Vec::with_capacity(t.journals.len());
    for journal in &t.journals {
        journal_ids.push(
            tx.post_journal(Some(&record.id), journal, command.name(), now)
                .await?,
        );
    }
    for instruction in &t.instructions {
        // The instruction points at the journal that made the money due.
        let at = t.journal_of(instruction);
        let account = &parties.get(instruction.to).bank_account;
        tx.insert_instruction(&record.id, &journal_ids[at], instruction, account, now)
            .await?;
    }
    let mut detail = serde_json::json!({ "received_yen": t.deal.received.0 });
    if let DealCommand::Pay { amount } = command {
        detail["amount_yen"] = amount.0.into();
    }
    if let Some(tracking) = &t.deal.tracking {
        detail["tracking"] = tracking.clone().into();
    }
    tx.add_event(Some(&record.id), None, now, t.event, &detail)
        .await?;
    for n in &t.notices {
        // The seller learns where to ship only once the money is held.
        let ship_to = matches!(n.kind, NoticeKind::ShipRequested { .. }).then_some(&parties.buyer);
        let extras = Extras {
            payment_reference: Some(parties.buyer.public_id.as_str()),
            pay_to: None,
            ship_to,
        };
        notify_with(app, tx, parties.get(n.to), &n.kind, &extras).await?;
    }
    Ok(())
}
