//! Paying an order at a convenience store (seed 003, コンビニ払い): Kessai issues a slip — a
//! payment number for stores without a scanner and the GS1-128 barcode (AI 91) for the till,
//! the amount and the expiry (23:59:59 JST of the order's last day) — and the collection
//! agent reports what the stores took in its payment files: a preliminary report (速報) marks
//! the slip seen paid, the confirmed one (確報) pays the order and books the money the agent
//! now owes. Each file is imported once (its digest) and each payment once (agent, report,
//! payment number and time paid). A payment after the expiry is never lost: taken as paid or
//! held to be given back, as the merchant chose; a payment for an order already paid, or a
//! number no slip has, is kept and shown.

use super::{Attempt, PaymentMethod};
use crate::error::{AppError, AppResult};
use crate::service::merchant::Merchant;
use crate::service::order::transition;
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::order::{self, Method, OrderEvent, OrderStatus};
use kessai_core::Yen;
use kessai_formats::konbini::{self as format, ReportKind};
use kessai_store::{KonbiniSlip, NewKonbiniPayment, OrderRecord};
use rand::Rng;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

/// Digits of a payment number (stores without a scanner take it at the till's terminal).
const NUMBER_DIGITS: usize = 11;

/// What one import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KonbiniImport {
    /// The same file was imported before: nothing was applied again.
    pub duplicate_file: bool,
    pub kind: String,
    pub records: usize,
    /// Orders paid by a confirmed payment before their expiry.
    pub applied: usize,
    /// Preliminary reports recorded (the slip shown paid, nothing booked yet).
    pub reported: usize,
    pub late_accepted: usize,
    /// Paid after the expiry by a merchant that gives late money back: held to be refunded.
    pub late_refund_due: usize,
    /// Paid for an order paid or cancelled already: held to be given back.
    pub paid_twice: usize,
    /// A number no slip has, or another amount than the slip's: kept for the operator.
    pub unknown: usize,
    /// Payments recorded before (another file carried them too).
    pub duplicates: usize,
}

pub struct Konbini;

fn payment_number() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..NUMBER_DIGITS)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// The slip's payment number a store payment names: from the scanned barcode's reference
/// when there is one, else the number typed; agents drop leading zeros, so both are read as
/// numbers and written back at the slip's width.
fn slip_number(p: &format::StorePayment) -> Option<String> {
    let from_barcode = p
        .barcode
        .as_deref()
        .and_then(format::read_barcode)
        .map(|b| b.reference);
    let digits = from_barcode.as_deref().unwrap_or(&p.payment_number);
    let significant = digits.trim_start_matches('0');
    (significant.len() <= NUMBER_DIGITS).then(|| format!("{significant:0>NUMBER_DIGITS$}"))
}

impl Konbini {
    /// Reads and applies a collection agent's payment file.
    pub async fn import(&self, app: &App, name: &str, bytes: &[u8]) -> AppResult<KonbiniImport> {
        let file = format::read(bytes).map_err(|e| {
            AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_file",
                format!("not a collection agent's payment file: {e}"),
            )
        })?;
        let sha256 = hex::encode(Sha256::digest(bytes));
        let now = app.clock.now().0;
        let file_id = kessai_store::new_internal_id();
        transact!(*app, |tx| {
            let mut done = KonbiniImport {
                kind: file.kind.as_str().into(),
                records: file.payments.len(),
                ..KonbiniImport::default()
            };
            if !tx
                .insert_konbini_file(
                    &file_id,
                    &sha256,
                    name,
                    &file.agent,
                    file.kind.as_str(),
                    file.payments.len() as i64,
                    now,
                )
                .await?
            {
                done.duplicate_file = true;
                return Ok(done);
            }
            for p in &file.payments {
                let paid_at = p.paid_at.to_string();
                let identity = format!(
                    "{}:{}:{}:{paid_at}",
                    file.agent,
                    file.kind.code(),
                    p.payment_number
                );
                let slip = match slip_number(p) {
                    Some(number) => tx.konbini_slip_by_number(&number).await?,
                    None => None,
                };
                let (outcome, slip_id) = match &slip {
                    Some(s) if s.amount_yen == p.amount_yen => (
                        apply(app, tx, s, file.kind, now, &identity).await?,
                        Some(s.id.as_str()),
                    ),
                    Some(s) => ("amount_differs", Some(s.id.as_str())),
                    None => ("unknown", None),
                };
                let recorded = NewKonbiniPayment {
                    identity: &identity,
                    file_id: &file_id,
                    slip_id,
                    kind: file.kind.as_str(),
                    payment_number: &p.payment_number,
                    amount_yen: p.amount_yen,
                    paid_at: &paid_at,
                    outcome,
                };
                if !tx.insert_konbini_payment(&recorded, now).await? {
                    // Seen in an earlier file: `apply` moved nothing for it (it checks first).
                    done.duplicates += 1;
                    continue;
                }
                match outcome {
                    "applied" => done.applied += 1,
                    "reported" => done.reported += 1,
                    "late_accepted" => done.late_accepted += 1,
                    "late_refund_due" => done.late_refund_due += 1,
                    "paid_twice" => done.paid_twice += 1,
                    "duplicate" => done.duplicates += 1,
                    _ => done.unknown += 1,
                }
            }
            Ok(done)
        })
    }
}

/// What a reported payment does to its slip's order, inside the import's transaction; the
/// outcome recorded. A payment recorded before (same identity) does nothing: `duplicate`.
async fn apply(
    app: &App,
    tx: &mut kessai_store::Tx,
    slip: &KonbiniSlip,
    kind: ReportKind,
    now: i64,
    identity: &str,
) -> AppResult<&'static str> {
    if tx.konbini_payment_seen(identity).await? {
        return Ok("duplicate");
    }
    if kind == ReportKind::Preliminary {
        if slip.status == "issued" {
            tx.set_konbini_slip_status(&slip.id, "reported").await?;
        }
        return Ok("reported");
    }
    let order = tx
        .order_for_update(&slip.order_id)
        .await?
        .ok_or_else(|| AppError::internal(format!("slip {} has no order", slip.id)))?;
    let status = OrderStatus::parse(&order.status)
        .ok_or_else(|| AppError::internal(format!("order status {}", order.status)))?;
    // Read beside the transaction: a merchant's setting, not something this import changes.
    let merchant = crate::service::merchant::find(app, &order.merchant_id).await?;
    let (next, give_back) = order::late_payment(status, merchant.late_payment);
    let detail = json!({ "payment_number": slip.payment_number, "amount_yen": slip.amount_yen });
    let outcome = match (status, next, give_back) {
        (s, OrderStatus::Paid, false) if s.payable() => {
            transition(
                tx,
                &order.id,
                OrderEvent::Pay,
                Some(Method::Konbini),
                &detail,
                now,
            )
            .await?;
            "applied"
        }
        (OrderStatus::Expired, OrderStatus::Paid, false) => {
            transition(
                tx,
                &order.id,
                OrderEvent::PayLate,
                Some(Method::Konbini),
                &detail,
                now,
            )
            .await?;
            "late_accepted"
        }
        (OrderStatus::Expired, _, true) => {
            tx.add_order_event(
                &order.id,
                "late_payment_refund_due",
                Some(status.as_str()),
                status.as_str(),
                &detail.to_string(),
                now,
            )
            .await?;
            "late_refund_due"
        }
        _ => {
            tx.add_order_event(
                &order.id,
                "paid_twice_refund_due",
                Some(status.as_str()),
                status.as_str(),
                &detail.to_string(),
                now,
            )
            .await?;
            "paid_twice"
        }
    };
    // Whatever became of the order, the agent owes the money and the order holds it.
    tx.post_journal(
        Some(&order.id),
        &order::konbini_paid(Yen(slip.amount_yen)),
        "konbini_paid",
        now,
    )
    .await?;
    tx.set_konbini_slip_status(&slip.id, "paid").await?;
    Ok(outcome)
}

impl PaymentMethod for Konbini {
    /// Nothing: the buyer only asks for the slip.
    type Input = ();

    fn method(&self) -> Method {
        Method::Konbini
    }

    /// Issues the order's slip (once: asked again, the same slip).
    async fn pay(
        &self,
        app: &App,
        merchant: &Merchant,
        order: &OrderRecord,
        _: &(),
    ) -> AppResult<Attempt> {
        if !merchant.methods.contains(&Method::Konbini) {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "method_unavailable",
                "this shop does not take konbini payments",
            ));
        }
        if app.store.konbini_slip_of(&order.id).await?.is_some() {
            return Ok(Attempt::Accepted {
                status: order.status.clone(),
            });
        }
        let status = OrderStatus::parse(&order.status)
            .ok_or_else(|| AppError::internal(format!("order status {}", order.status)))?;
        if !status.payable() {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "illegal_transition",
                format!("the order is {}: no slip can be issued", order.status),
            ));
        }
        if order.amount_yen > format::MAX_SLIP_YEN {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "method_unavailable",
                "a konbini slip carries at most ¥999,999: choose another way to pay",
            ));
        }
        let due = crate::i18n::date_jst(kessai_core::Millis(order.expires_at_ms));
        let now = app.clock.now().0;
        for _ in 0..8 {
            let number = payment_number();
            let barcode = format::barcode_data(
                &app.config.konbini_company_code,
                &number,
                0,
                due,
                false,
                order.amount_yen,
            )
            .map_err(AppError::internal)?;
            let slip = KonbiniSlip {
                id: kessai_store::new_internal_id(),
                order_id: order.id.clone(),
                payment_number: number,
                barcode,
                amount_yen: order.amount_yen,
                due_date: due.to_string(),
                status: "issued".into(),
                created_at_ms: now,
            };
            let stored = transact!(*app, |tx| {
                if !tx.insert_konbini_slip(&slip).await? {
                    return Ok(false);
                }
                let detail =
                    json!({ "payment_number": slip.payment_number, "due_date": slip.due_date });
                tx.add_order_event(
                    &order.id,
                    "konbini_slip_issued",
                    Some(&order.status),
                    &order.status,
                    &detail.to_string(),
                    now,
                )
                .await?;
                Ok(true)
            })?;
            if stored {
                return Ok(Attempt::Accepted {
                    status: order.status.clone(),
                });
            }
        }
        Err(AppError::busy(
            "no free payment number was drawn; try again",
        ))
    }

    async fn refund(
        &self,
        _app: &App,
        _merchant: &Merchant,
        order: &OrderRecord,
        _amount_yen: i64,
    ) -> AppResult<OrderRecord> {
        Err(AppError::new(
            StatusCode::CONFLICT,
            "method_unavailable",
            format!(
                "order {}: a konbini payment goes back by bank transfer to the buyer, which is not built yet",
                order.id
            ),
        ))
    }
}
