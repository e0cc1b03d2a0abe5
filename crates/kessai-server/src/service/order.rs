//! Orders of the payment agency (seed 003): a merchant creates one (its number unique per
//! merchant: the same number with the same content is a replay answered as before, with other
//! content a conflict), Kessai answers with its ID and the checkout page's address on Kessai's
//! own site, and every later move goes through [`transition`] — the core's state machine, one
//! row moved only from the status it was read in, one timeline entry per move.

use crate::error::{AppError, AppResult};
use crate::service::contract::page_link;
use crate::service::merchant::{self, Merchant};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::order::{self, IllegalMove, Method, Order, OrderEvent, OrderInput, OrderStatus};
use kessai_store::{OrderEventRecord, OrderFilter, OrderRecord};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

const DAY_MS: i64 = 86_400_000;
/// Orders per page of a list, at most.
pub const MAX_PAGE: i64 = 500;

/// An order as the merchant (and the dashboard) sees it: never any payment data.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    pub number: String,
    pub status: String,
    /// The method that paid or holds it, once the buyer picked one.
    pub method: Option<String>,
    pub amount_yen: i64,
    pub refunded_yen: i64,
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<order::OrderItem>,
    pub acceptance_required: bool,
    pub protection_days: Option<u32>,
    /// ISO 8601, JST.
    pub expires_at: String,
    pub created_at: String,
    /// Where the merchant sends the buyer to pay (Kessai's page).
    pub checkout_url: String,
}

/// One entry of an order's timeline.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct OrderStep {
    pub at: String,
    pub kind: String,
    pub from: Option<String>,
    pub to: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// An order with its timeline.
#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: OrderView,
    pub timeline: Vec<OrderStep>,
}

pub fn order_not_found() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "order_not_found",
        "no order of this merchant has this ID",
    )
    .with_field("order_id")
}

impl From<IllegalMove> for AppError {
    fn from(e: IllegalMove) -> AppError {
        AppError::new(StatusCode::CONFLICT, "illegal_transition", e.to_string())
    }
}

/// The page the buyer pays on, absolute; its token proves the link came from Kessai.
pub async fn checkout_url(app: &App, order_id: &str) -> AppResult<String> {
    let token = page_link::token_for(app, &checkout_subject(order_id)).await?;
    let base = app.config.public_url.trim_end_matches('/');
    Ok(format!("{base}/checkout/{order_id}?t={token}"))
}

pub fn checkout_subject(order_id: &str) -> String {
    format!("checkout:{order_id}")
}

fn body_of(r: &OrderRecord) -> AppResult<Order> {
    serde_json::from_str(&r.body).map_err(AppError::internal)
}

pub async fn view(app: &App, r: &OrderRecord) -> AppResult<OrderView> {
    let o = body_of(r)?;
    Ok(OrderView {
        id: r.id.clone(),
        number: r.number.clone(),
        status: r.status.clone(),
        method: r.method.clone(),
        amount_yen: r.amount_yen,
        refunded_yen: r.refunded_yen,
        items: o.items,
        acceptance_required: o.acceptance_required,
        protection_days: o.protection_days,
        expires_at: crate::i18n::format_iso_jst(kessai_core::Millis(r.expires_at_ms)),
        created_at: crate::i18n::format_iso_jst(kessai_core::Millis(r.created_at_ms)),
        checkout_url: checkout_url(app, &r.id).await?,
    })
}

fn step(e: &OrderEventRecord) -> OrderStep {
    OrderStep {
        at: crate::i18n::format_iso_jst(kessai_core::Millis(e.at_ms)),
        kind: e.kind.clone(),
        from: e.from_status.clone(),
        to: e.to_status.clone(),
        detail: serde_json::from_str(&e.detail_json).unwrap_or(serde_json::Value::Null),
    }
}

/// Creates an order, or answers a replay of the same one; `true` when it is new.
pub async fn create(app: &App, m: &Merchant, input: &OrderInput) -> AppResult<(OrderView, bool)> {
    merchant::auth::may_take_orders(app, m)?;
    let order = Order::parse(input).map_err(|errors| {
        AppError::invalid(
            &errors[0].field,
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    // The canonical form a replay is compared by.
    let body = serde_json::to_string(&order).map_err(AppError::internal)?;
    let sha256 = hex::encode(Sha256::digest(body.as_bytes()));
    let now = app.clock.now().0;
    let record = OrderRecord {
        id: kessai_store::new_internal_id(),
        merchant_id: m.record.id.clone(),
        number: order.number.clone(),
        content_sha256: sha256,
        body,
        amount_yen: order.amount.0,
        status: if order.acceptance_required {
            OrderStatus::AwaitingAcceptance
        } else {
            OrderStatus::Unpaid
        }
        .as_str()
        .to_string(),
        method: None,
        refunded_yen: 0,
        expires_at_ms: now + i64::from(order.expires_in_days) * DAY_MS,
        created_at_ms: now,
        updated_at_ms: now,
    };
    let (stored, new) = transact!(*app, |tx| {
        if tx.insert_order(&record).await? {
            return Ok((record.clone(), true));
        }
        let existing = tx
            .order_by_number(&record.merchant_id, &record.number)
            .await?
            .ok_or_else(|| AppError::busy("the order number was taken at the same moment"))?;
        Ok((existing, false))
    })?;
    if !new && stored.content_sha256 != record.content_sha256 {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "order_number_conflict",
            format!(
                "order number {} was used before for another order",
                record.number
            ),
        )
        .with_field("number"));
    }
    Ok((view(app, &stored).await?, new))
}

/// The merchant's order with this ID (another merchant's is not found).
pub async fn find(app: &App, m: &Merchant, order_id: &str) -> AppResult<OrderRecord> {
    app.store
        .order(order_id)
        .await?
        .filter(|o| o.merchant_id == m.record.id)
        .ok_or_else(order_not_found)
}

pub async fn detail(app: &App, r: &OrderRecord) -> AppResult<OrderDetail> {
    let timeline = app.store.order_events(&r.id).await?;
    Ok(OrderDetail {
        order: view(app, r).await?,
        timeline: timeline.iter().map(step).collect(),
    })
}

/// A list's `after`: `created_at_ms.id` of the previous page's last order.
pub fn parse_cursor(after: Option<&str>) -> AppResult<Option<(i64, &str)>> {
    match after.filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(a) => a
            .split_once('.')
            .and_then(|(ms, id)| Some((ms.parse::<i64>().ok()?, id)))
            .map(Some)
            .ok_or_else(|| AppError::invalid("after", "after must be a list's next")),
    }
}

/// The `after` of the page following `rows`, a full page of `limit`; none after the last.
pub fn next_cursor(rows: &[OrderRecord], limit: i64) -> Option<String> {
    match rows.last() {
        Some(last) if rows.len() as i64 == limit => {
            Some(format!("{}.{}", last.created_at_ms, last.id))
        }
        _ => None,
    }
}

/// A page of the merchant's orders, newest first, and the `after` of the next page.
pub async fn list(
    app: &App,
    m: &Merchant,
    filter: &OrderFilter<'_>,
    limit: i64,
) -> AppResult<(Vec<OrderView>, Option<String>)> {
    if let Some(s) = filter.status {
        if OrderStatus::parse(s).is_none() {
            return Err(AppError::invalid(
                "status",
                format!("no order status is {s}"),
            ));
        }
    }
    if let Some(mth) = filter.method {
        if Method::parse(mth).is_none() {
            return Err(AppError::invalid("method", format!("no method is {mth}")));
        }
    }
    let limit = limit.clamp(1, MAX_PAGE);
    let rows = app.store.orders(&m.record.id, filter, limit).await?;
    let mut views = Vec::with_capacity(rows.len());
    for r in &rows {
        views.push(view(app, r).await?);
    }
    Ok((views, next_cursor(&rows, limit)))
}

/// Moves an order by `event` inside `tx`, from the status it has now; the new record. The
/// caller books the money the move stands for in the same transaction.
pub async fn transition(
    tx: &mut kessai_store::Tx,
    order_id: &str,
    event: OrderEvent,
    method: Option<Method>,
    detail: &serde_json::Value,
    now_ms: i64,
) -> AppResult<OrderRecord> {
    let mut r = tx
        .order_for_update(order_id)
        .await?
        .ok_or_else(order_not_found)?;
    let from = OrderStatus::parse(&r.status)
        .ok_or_else(|| AppError::internal(format!("order {} is {}", r.id, r.status)))?;
    let to = order::next(from, event)?;
    let refunded = match event {
        OrderEvent::Refund { rest } => r.amount_yen - rest.0,
        _ => r.refunded_yen,
    };
    let moved = tx
        .move_order(
            &r.id,
            event.as_str(),
            from.as_str(),
            to.as_str(),
            method.map(Method::as_str),
            refunded,
            &detail.to_string(),
            now_ms,
        )
        .await?;
    if !moved {
        return Err(AppError::busy("the order moved at the same moment"));
    }
    r.status = to.as_str().to_string();
    if let Some(m) = method {
        r.method = Some(m.as_str().to_string());
    }
    r.refunded_yen = refunded;
    r.updated_at_ms = now_ms;
    Ok(r)
}

/// The merchant confirms its stock: the buyer may now pay.
pub async fn accept(app: &App, m: &Merchant, order_id: &str) -> AppResult<OrderView> {
    let r = find(app, m, order_id).await?;
    let now = app.clock.now().0;
    let moved = transact!(*app, |tx| transition(
        tx,
        &r.id,
        OrderEvent::Accept,
        None,
        &serde_json::json!({}),
        now
    )
    .await)?;
    view(app, &moved).await
}

/// The merchant cancels an order: one no one has paid, or one whose card authorization is
/// released (voided) at the processor first.
pub async fn cancel(app: &App, m: &Merchant, order_id: &str) -> AppResult<OrderView> {
    let r = find(app, m, order_id).await?;
    if r.status == OrderStatus::Authorized.as_str() {
        let moved = crate::service::payment::card::Card.void(app, &r).await?;
        return view(app, &moved).await;
    }
    let now = app.clock.now().0;
    let moved = transact!(*app, |tx| transition(
        tx,
        &r.id,
        OrderEvent::Cancel,
        None,
        &serde_json::json!({"by": "merchant"}),
        now
    )
    .await)?;
    view(app, &moved).await
}

/// The merchant ships: a card authorization is captured (the other methods are paid already).
pub async fn capture(app: &App, m: &Merchant, order_id: &str) -> AppResult<OrderView> {
    let r = find(app, m, order_id).await?;
    let moved = crate::service::payment::card::Card.capture(app, &r).await?;
    view(app, &moved).await
}

/// Gives `amount_yen` of a paid order back to the buyer, by the method that paid it.
pub async fn refund(
    app: &App,
    m: &Merchant,
    order_id: &str,
    amount_yen: i64,
) -> AppResult<OrderView> {
    let r = find(app, m, order_id).await?;
    let moved = match r.method.as_deref().and_then(Method::parse) {
        Some(Method::Card) => {
            crate::service::payment::card::Card
                .refund(app, &r, amount_yen)
                .await?
        }
        _ => {
            return Err(AppError::new(
                StatusCode::CONFLICT,
                "illegal_transition",
                format!("the order is {}: nothing paid by card to refund", r.status),
            ))
        }
    };
    view(app, &moved).await
}

/// Rows a CSV download holds at most (the API pages through more).
pub const MAX_CSV_ROWS: i64 = 100_000;

/// The merchant's orders matching `filter` as a CSV Excel in Japan opens (Shift_JIS, or UTF-8
/// with a BOM), newest first: number, Kessai's ID, status, method, amounts, dates (JST).
pub async fn csv(
    app: &App,
    m: &Merchant,
    filter: &OrderFilter<'_>,
    charset: kessai_formats::spreadsheet_csv::Charset,
) -> AppResult<Vec<u8>> {
    let rows = app
        .store
        .orders(&m.record.id, filter, MAX_CSV_ROWS + 1)
        .await?;
    if rows.len() as i64 > MAX_CSV_ROWS {
        return Err(AppError::invalid(
            "status",
            format!("more than {MAX_CSV_ROWS} orders: narrow the filter, or page through the API"),
        ));
    }
    let header = [
        "注文番号",
        "決済ID",
        "状況",
        "決済方法",
        "金額",
        "返金額",
        "受付日時",
        "支払期限",
    ];
    let lang = crate::i18n::Lang::Ja;
    let lines = rows.iter().map(|r| {
        vec![
            r.number.clone(),
            r.id.clone(),
            crate::words::order_status(lang, &r.status).to_string(),
            r.method
                .as_deref()
                .map(|x| crate::words::method_name(lang, x).to_string())
                .unwrap_or_default(),
            r.amount_yen.to_string(),
            r.refunded_yen.to_string(),
            crate::i18n::format_jst(kessai_core::Millis(r.created_at_ms)),
            crate::i18n::format_jst(kessai_core::Millis(r.expires_at_ms)),
        ]
    });
    kessai_formats::spreadsheet_csv::write(&header, lines, charset).map_err(|u| {
        AppError::invalid(
            "charset",
            format!(
                "row {}, {}: a character Shift_JIS cannot carry; download as UTF-8",
                u.row, u.column
            ),
        )
    })
}
