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
            let mut merchants = std::collections::HashMap::new();
            for chunk in file.payments.chunks(CHUNK) {
                apply_chunk(
                    app,
                    tx,
                    &file,
                    &file_id,
                    chunk,
                    &mut merchants,
                    &mut done,
                    now,
                )
                .await?;
            }
            Ok(done)
        })
    }
}

/// Payments applied per chunk: the chunk's slips, earlier records and orders are read in a few
/// statements, judged in file order in memory (a slip paid twice in one chunk sees its first
/// payment), and written back in a few more — one statement per payment was several round
/// trips each.
const CHUNK: usize = 1_000;

/// What the chunk does to one order: a move of the state machine, or a timeline entry alone.
struct Change {
    order_id: String,
    kind: &'static str,
    from: OrderStatus,
    to: OrderStatus,
    moves: bool,
    detail: String,
}

/// Applies one chunk of an agent's file inside the import's transaction, counting into `done`.
#[allow(clippy::too_many_arguments)]
async fn apply_chunk(
    app: &App,
    tx: &mut kessai_store::Tx,
    file: &format::PaymentFile,
    file_id: &str,
    chunk: &[format::StorePayment],
    merchants: &mut std::collections::HashMap<String, Merchant>,
    done: &mut KonbiniImport,
    now: i64,
) -> AppResult<()> {
    let numbers: Vec<Option<String>> = chunk.iter().map(slip_number).collect();
    let paid_at: Vec<String> = chunk.iter().map(|p| p.paid_at.to_string()).collect();
    let identities: Vec<String> = chunk
        .iter()
        .zip(&paid_at)
        .map(|(p, at)| {
            format!(
                "{}:{}:{}:{at}",
                file.agent,
                file.kind.code(),
                p.payment_number
            )
        })
        .collect();
    let wanted: Vec<&str> = numbers.iter().flatten().map(String::as_str).collect();
    let mut slips = tx.konbini_slips_by_numbers(&wanted).await?;
    let ids: Vec<&str> = identities.iter().map(String::as_str).collect();
    let mut seen = tx.konbini_payments_seen_in(&ids).await?;
    let mut orders = if file.kind == ReportKind::Confirmed {
        let order_ids: Vec<&str> = slips.values().map(|s| s.order_id.as_str()).collect();
        tx.orders_for_update_in(&order_ids).await?
    } else {
        std::collections::HashMap::new()
    };
    let mut recorded = Vec::with_capacity(chunk.len());
    let mut changes: Vec<Change> = vec![];
    let (mut reported_slips, mut paid_slips) = (vec![], vec![]);
    for (k, p) in chunk.iter().enumerate() {
        if !seen.insert(identities[k].clone()) {
            // Recorded by an earlier file, or earlier in this one: nothing moves again.
            done.duplicates += 1;
            continue;
        }
        let slip = numbers[k].as_ref().and_then(|n| slips.get_mut(n));
        let (outcome, slip_id) = match slip {
            None => ("unknown", None),
            Some(s) if s.amount_yen != p.amount_yen => ("amount_differs", Some(s.id.clone())),
            Some(s) if file.kind == ReportKind::Preliminary => {
                if s.status == "issued" {
                    s.status = "reported".into();
                    reported_slips.push(s.id.clone());
                }
                ("reported", Some(s.id.clone()))
            }
            Some(s) => {
                let order = orders
                    .get_mut(&s.order_id)
                    .ok_or_else(|| AppError::internal(format!("slip {} has no order", s.id)))?;
                let status = OrderStatus::parse(&order.status)
                    .ok_or_else(|| AppError::internal(format!("order status {}", order.status)))?;
                if !merchants.contains_key(&order.merchant_id) {
                    // Read beside the transaction: a merchant's setting, which this import does
                    // not change.
                    let m = crate::service::merchant::find(app, &order.merchant_id).await?;
                    merchants.insert(order.merchant_id.clone(), m);
                }
                let policy = merchants[&order.merchant_id].late_payment;
                let detail =
                    json!({ "payment_number": s.payment_number, "amount_yen": s.amount_yen })
                        .to_string();
                let (outcome, kind, to) = match order::arrival(status, policy) {
                    order::Arrival::Pays(event) => {
                        let outcome = if event == OrderEvent::Pay {
                            "applied"
                        } else {
                            "late_accepted"
                        };
                        (outcome, event.as_str(), Some(order::next(status, event)?))
                    }
                    order::Arrival::LateToGiveBack => {
                        ("late_refund_due", "late_payment_refund_due", None)
                    }
                    order::Arrival::TwiceToGiveBack => {
                        ("paid_twice", "paid_twice_refund_due", None)
                    }
                };
                let (moves, to) = (to.is_some(), to.unwrap_or(status));
                order.status = to.as_str().to_string();
                changes.push(Change {
                    order_id: order.id.clone(),
                    kind,
                    from: status,
                    to,
                    moves,
                    detail,
                });
                // Whatever became of the order, the agent owes the money and the order holds it.
                tx.post_journal(
                    Some(&order.id),
                    &order::konbini_paid(Yen(s.amount_yen)),
                    "konbini_paid",
                    now,
                )
                .await?;
                if s.status != "paid" {
                    s.status = "paid".into();
                    paid_slips.push(s.id.clone());
                }
                (outcome, Some(s.id.clone()))
            }
        };
        match outcome {
            "applied" => done.applied += 1,
            "reported" => done.reported += 1,
            "late_accepted" => done.late_accepted += 1,
            "late_refund_due" => done.late_refund_due += 1,
            "paid_twice" => done.paid_twice += 1,
            _ => done.unknown += 1,
        }
        recorded.push((k, outcome, slip_id));
    }
    let rows: Vec<NewKonbiniPayment<'_>> = recorded
        .iter()
        .map(|(k, outcome, slip_id)| NewKonbiniPayment {
            identity: &identities[*k],
            file_id,
            slip_id: slip_id.as_deref(),
            kind: file.kind.as_str(),
            payment_number: &chunk[*k].payment_number,
            amount_yen: chunk[*k].amount_yen,
            paid_at: &paid_at[*k],
            outcome,
        })
        .collect();
    if tx.insert_konbini_payments(&rows, now).await? != rows.len() as u64 {
        return Err(AppError::busy(
            "a store payment was recorded at the same moment",
        ));
    }
    // The orders' moves, grouped by what they move from and to (an order moves once a chunk:
    // a second payment of it finds it paid and is held to give back).
    let mut groups: std::collections::BTreeMap<(&str, &str), Vec<&str>> = Default::default();
    for c in changes.iter().filter(|c| c.moves) {
        groups
            .entry((c.from.as_str(), c.to.as_str()))
            .or_default()
            .push(c.order_id.as_str());
    }
    for ((from, to), ids) in &groups {
        let moved = tx
            .move_orders(ids, from, to, Some(Method::Konbini.as_str()), now)
            .await?;
        if moved != ids.len() as u64 {
            return Err(AppError::busy("an order moved at the same moment"));
        }
    }
    let events: Vec<kessai_store::NewOrderEvent<'_>> = changes
        .iter()
        .map(|c| kessai_store::NewOrderEvent {
            order_id: &c.order_id,
            kind: c.kind,
            from: Some(c.from.as_str()),
            to: c.to.as_str(),
            detail_json: c.detail.clone(),
        })
        .collect();
    tx.add_order_events(&events, now).await?;
    let reported: Vec<&str> = reported_slips.iter().map(String::as_str).collect();
    tx.set_konbini_slips_status(&reported, "reported").await?;
    let paid: Vec<&str> = paid_slips.iter().map(String::as_str).collect();
    tx.set_konbini_slips_status(&paid, "paid").await?;
    Ok(())
}

/// The slip by email (Japanese, then English): where and how to pay, the number, the amount
/// and the last moment, and the page with the barcode.
fn slip_email(m: &Merchant, slip: &KonbiniSlip, page: &str) -> (String, String) {
    let amount = Yen(slip.amount_yen);
    let subject = format!(
        "【{}】コンビニでのお支払い方法 / How to pay at a convenience store",
        m.record.name
    );
    let body = format!(
        "{shop}でのご注文のお支払い方法です。\n\
         お近くのコンビニのレジで払込票のバーコードを読み取ってもらうか、店頭端末に払込番号を入力してください。\n\n\
         払込番号: {number}\n金額: {amount}\nお支払い期限: {due} 23:59:59 (日本時間)\n払込票（バーコード）: {page}\n\n\
         期限を過ぎたお支払いの扱いはショップの定めによります。\n\n\
         ---\n\
         How to pay for your order at {shop}: at any convenience store, have the slip's barcode scanned \
         at the till, or enter the payment number at the store's terminal.\n\n\
         Payment number: {number}\nAmount: {amount}\nPay by: {due} 23:59:59 JST\nThe slip (barcode): {page}\n",
        shop = m.record.name,
        number = slip.payment_number,
        due = slip.due_date,
    );
    (subject, body)
}

impl PaymentMethod for Konbini {
    /// Nothing: the buyer only asks for the slip.
    type Input = ();

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
        // Read before the transaction: its first use writes the page key (`page_link::key`).
        let page = crate::service::order::checkout_url(app, &order.id).await?;
        let buyer: kessai_core::order::Order =
            serde_json::from_str(&order.body).map_err(AppError::internal)?;
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
                if let Some(to) = &buyer.buyer_email {
                    let (subject, body) = slip_email(merchant, &slip, &page);
                    let email = kessai_store::NewEmail {
                        to,
                        subject: &subject,
                        body: &body,
                        deal_ref: Some(&order.id),
                    };
                    tx.enqueue_email(&email, now).await?;
                }
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
}
