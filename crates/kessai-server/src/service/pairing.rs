//! Matching a registration with the other side's (seed 000, 5003–5004): a new registration or
//! an amended one is compared with the open registrations under its pairing key; a mismatch
//! marks both and tells both parties, a match creates the deal and tells the buyer how to pay.

use super::notify::notify;
use super::register::{RegistrationOutcome, ValidRegistration};
use crate::error::{AppError, AppResult};
use crate::secrets;
use crate::App;
use axum::http::StatusCode;
use kessai_core::matching::{best_candidate, Terms};
use kessai_core::{Deal, DealId, NoticeKind, Party};
use kessai_store::{DealRecord, NewRegistration, Registration, Tx};

pub async fn register_in(
    app: &App,
    tx: &mut Tx,
    role: Party,
    v: &ValidRegistration,
    hash: &str,
) -> AppResult<RegistrationOutcome> {
    let now = app.clock.now();
    tx.lock_pairing(&v.terms.pairing_key()).await?;
    let id = insert_with_fresh_id(tx, role, v, hash, now.0).await?;
    let mine = load(tx, &id).await?;
    event(
        app,
        tx,
        &id,
        "registered",
        serde_json::json!({ "role": role.as_str() }),
    )
    .await?;
    notify(app, tx, &mine, &NoticeKind::Registered).await?;
    pair(app, tx, mine).await
}

/// Replaces a registration that has not matched with its corrected version and compares it
/// again. A registration already in a deal cannot change.
pub async fn amend_in(
    app: &App,
    tx: &mut Tx,
    id: &DealId,
    v: &ValidRegistration,
    hash: &str,
) -> AppResult<RegistrationOutcome> {
    let before = load(tx, id).await?;
    // Both keys, in one order, so two amendments cannot wait for each other.
    let mut keys = [before.terms.pairing_key(), v.terms.pairing_key()];
    keys.sort();
    for key in keys.iter() {
        tx.lock_pairing(key).await?;
    }
    let new = new_registration(id, before.role, v, hash, before.created_at_ms);
    if !tx.amend_registration(&new).await? {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            "the deal is already agreed: its registration can no longer change",
        ));
    }
    // The password may have changed: no sign-in made with the old one lives on.
    tx.revoke_sessions_of(id, app.clock.now().0).await?;
    let mine = load(tx, id).await?;
    event(
        app,
        tx,
        id,
        "amended",
        serde_json::json!({ "role": mine.role.as_str() }),
    )
    .await?;
    pair(app, tx, mine).await
}

async fn load(tx: &mut Tx, id: &DealId) -> AppResult<Registration> {
    tx.registration(id)
        .await?
        .ok_or_else(|| AppError::internal("registration vanished"))
}

async fn event(
    app: &App,
    tx: &mut Tx,
    id: &DealId,
    name: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    tx.add_event(None, Some(id.as_str()), app.clock.now().0, name, &detail)
        .await?;
    Ok(())
}

/// Compares `mine` with the other side's open registrations: waiting, mismatch or agreed.
async fn pair(app: &App, tx: &mut Tx, mine: Registration) -> AppResult<RegistrationOutcome> {
    let candidates: Vec<(DealId, Terms)> = tx
        .open_registrations(&mine.terms.pairing_key(), mine.role.other())
        .await?
        .into_iter()
        .map(|r| (r.public_id, r.terms))
        .collect();
    let (status, fields) = match best_candidate(&mine.terms, &candidates) {
        None => {
            tx.set_mismatch(&mine.public_id, &[]).await?;
            ("waiting_for_counterpart", vec![])
        }
        Some((other_id, fields)) if !fields.is_empty() => {
            let other = load(tx, other_id).await?;
            let names: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
            let kind = NoticeKind::Mismatch {
                fields: names.clone(),
                registered_by: mine.role,
            };
            // Either side may be the one to correct: both are marked and both are told.
            for r in [&mine, &other] {
                tx.set_mismatch(&r.public_id, &fields).await?;
                let detail =
                    serde_json::json!({ "fields": fields, "registered_by": mine.role.as_str() });
                event(app, tx, &r.public_id, "mismatch", detail).await?;
                notify(app, tx, r, &kind).await?;
            }
            ("mismatch", names)
        }
        Some((other_id, _)) => {
            let other = load(tx, other_id).await?;
            let role = mine.role;
            let id = mine.public_id.clone();
            agree(app, tx, mine, other).await?;
            return Ok(outcome(&id, role, "agreed", vec![]));
        }
    };
    Ok(outcome(&mine.public_id, mine.role, status, fields))
}

fn outcome(id: &DealId, role: Party, status: &str, fields: Vec<String>) -> RegistrationOutcome {
    RegistrationOutcome {
        deal_id: id.to_string(),
        role: role.as_str().into(),
        status: status.into(),
        mismatched_fields: fields,
        session: None,
    }
}

fn new_registration<'a>(
    id: &'a DealId,
    role: Party,
    v: &'a ValidRegistration,
    hash: &'a str,
    now_ms: i64,
) -> NewRegistration<'a> {
    NewRegistration {
        public_id: id,
        role,
        terms: &v.terms,
        lang: &v.lang,
        shipping_address: v.shipping_address.as_deref(),
        bank_account: &v.bank_account,
        password_hash: hash,
        now_ms,
    }
}

async fn insert_with_fresh_id(
    tx: &mut Tx,
    role: Party,
    v: &ValidRegistration,
    hash: &str,
    now_ms: i64,
) -> AppResult<DealId> {
    // 44 random bits: a collision is rare, but it is checked, not assumed away.
    for _ in 0..8 {
        let id = secrets::new_deal_id();
        if tx
            .insert_registration(&new_registration(&id, role, v, hash, now_ms))
            .await?
        {
            return Ok(id);
        }
    }
    Err(AppError::internal("could not draw a free deal ID"))
}
/// Both sides match: create the deal, tell both, and tell the buyer how to pay.
async fn agree(app: &App, tx: &mut Tx, a: Registration, b: Registration) -> AppResult<()> {
    let now = app.clock.now();
    let (buyer, seller) = if a.role == Party::Buyer {
        (a, b)
    } else {
        (b, a)
    };
    let price = buyer.terms.price;
    let fee = app.config.fee.fee_for(price);
    let record = DealRecord {
        id: kessai_store::new_internal_id(),
        buyer_id: buyer.public_id.clone(),
        seller_id: seller.public_id.clone(),
        item: buyer.terms.item.clone(),
        deal: Deal::agreed(price, fee, now, app.config.pay_days, app.config.ship_days),
        version: 0,
        created_at_ms: now.0,
    };
    for r in [&buyer, &seller] {
        if !tx.claim_registration(&r.public_id, &record.id).await? {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "busy",
                "the counterpart was matched at the same moment",
            ));
        }
    }
    tx.insert_deal(&record, now.0).await?;
    let detail = serde_json::json!({ "price_yen": price.0, "pay_by_ms": record.deal.pay_by.0 });
    tx.add_event(Some(&record.id), None, now.0, "agreed", &detail)
        .await?;
    let reference = buyer.public_id.as_str();
    notify(app, tx, &buyer, &NoticeKind::Agreed).await?;
    notify(app, tx, &seller, &NoticeKind::Agreed).await?;
    // The buyer pays into the deal's own account when the operator uses virtual accounts.
    let mut pay_to = app.config.collection_account().clone();
    if let Some((first, last)) = app.config.virtual_accounts {
        match tx
            .allocate_virtual_account(&record.id, first, last, now.0)
            .await?
        {
            Some(number) => pay_to.account_number = number,
            None => tracing::warn!(
                "virtual accounts {first}-{last} are used up; deal {} is paid by reference",
                record.id
            ),
        }
    }
    let payer_code = tx.allocate_payer_code(&record.id).await?;
    let pay = NoticeKind::PaymentInstructions {
        amount: price,
        pay_by: record.deal.pay_by,
        payer_code: Some(payer_code),
    };
    let extras = super::notify::Extras {
        payment_reference: Some(reference),
        pay_to: Some(&pay_to),
        ship_to: None,
    };
    super::notify::notify_with(app, tx, &buyer, &pay, &extras).await?;
    Ok(())
}
