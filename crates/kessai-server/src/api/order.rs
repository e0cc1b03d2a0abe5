//! A merchant's endpoints: create an order, read one with its timeline, list them, accept or
//! cancel one. Every request is signed ([`SignedMerchant`]): the API key as the bearer token,
//! and `Kessai-Timestamp` / `Kessai-Signature` over the exact body (empty for a GET).

use super::body::{parse, read_json_bytes};
use crate::error::{AppError, AppResult};
use crate::service::merchant::auth::{authenticate, Signed};
use crate::service::merchant::Merchant;
use crate::service::order::{self, OrderDetail, OrderView};
use crate::webhook::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::App;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::StatusCode;
use axum::Json;
use kessai_core::order::OrderInput;
use kessai_store::OrderFilter;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

/// A merchant whose request was signed, and the request's body (JSON, or empty).
pub struct SignedMerchant {
    pub merchant: Merchant,
    pub body: axum::body::Bytes,
}

impl FromRequest<Arc<App>> for SignedMerchant {
    type Rejection = AppError;

    async fn from_request(req: Request, app: &Arc<App>) -> AppResult<Self> {
        let (bearer, timestamp, signature) = {
            let headers = req.headers();
            let header = |name: &str| {
                headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            (
                super::extract::bearer(headers).map(str::to_string),
                header(TIMESTAMP_HEADER),
                header(SIGNATURE_HEADER),
            )
        };
        let body = read_json_bytes(req).await?;
        let merchant = authenticate(
            app,
            &Signed {
                bearer: bearer.as_deref(),
                timestamp: timestamp.as_deref(),
                signature: signature.as_deref(),
                body: &body,
            },
        )
        .await?;
        Ok(SignedMerchant { merchant, body })
    }
}

/// Create an order. The answer carries Kessai's order ID and the checkout page to send the
/// buyer to. The same order number with the same content answers the same order (200), with
/// other content `409 order_number_conflict`.
#[utoipa::path(post, path = "/v1/orders", request_body = OrderInput,
    responses((status = 201, body = OrderView), (status = 200, body = OrderView)),
    security(("merchant_signed" = [])))]
pub async fn create(
    State(app): State<Arc<App>>,
    signed: SignedMerchant,
) -> AppResult<(StatusCode, Json<OrderView>)> {
    let input: OrderInput = parse(&signed.body)?;
    let (view, new) = order::create(&app, &signed.merchant, &input).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(view)))
}

/// One order with its timeline.
#[utoipa::path(get, path = "/v1/orders/{order_id}", params(("order_id" = String, Path)),
    responses((status = 200, body = OrderDetail)), security(("merchant_signed" = [])))]
pub async fn show(
    State(app): State<Arc<App>>,
    Path(order_id): Path<String>,
    signed: SignedMerchant,
) -> AppResult<Json<OrderDetail>> {
    let r = order::find(&app, &signed.merchant, &order_id).await?;
    Ok(Json(order::detail(&app, &r).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only orders in this status.
    pub status: Option<String>,
    /// Only orders paid (or held) by this method.
    pub method: Option<String>,
    /// Only orders whose number contains this.
    pub q: Option<String>,
    /// At most this many (default 100, at most 500).
    pub limit: Option<i64>,
    /// The `next` of the previous page.
    pub after: Option<String>,
}

/// A page of orders, newest first.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct OrderPage {
    pub orders: Vec<OrderView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next: Option<String>,
}

/// The merchant's orders across every method, newest first, filtered and paginated.
#[utoipa::path(get, path = "/v1/orders", params(ListQuery),
    responses((status = 200, body = OrderPage)), security(("merchant_signed" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Query(q): Query<ListQuery>,
    signed: SignedMerchant,
) -> AppResult<Json<OrderPage>> {
    let filter = OrderFilter {
        status: q.status.as_deref().filter(|s| !s.is_empty()),
        method: q.method.as_deref().filter(|s| !s.is_empty()),
        number_contains: q.q.as_deref().filter(|s| !s.is_empty()),
        before: order::parse_cursor(q.after.as_deref())?,
    };
    let limit = q.limit.unwrap_or(100);
    let (orders, next) = order::list(&app, &signed.merchant, &filter, limit).await?;
    Ok(Json(OrderPage { orders, next }))
}

/// The merchant confirms its stock: the buyer is asked to pay.
#[utoipa::path(post, path = "/v1/orders/{order_id}/accept", params(("order_id" = String, Path)),
    responses((status = 200, body = OrderView)), security(("merchant_signed" = [])))]
pub async fn accept(
    State(app): State<Arc<App>>,
    Path(order_id): Path<String>,
    signed: SignedMerchant,
) -> AppResult<Json<OrderView>> {
    Ok(Json(
        order::accept(&app, &signed.merchant, &order_id).await?,
    ))
}

/// Cancel an order no one has paid.
#[utoipa::path(post, path = "/v1/orders/{order_id}/cancel", params(("order_id" = String, Path)),
    responses((status = 200, body = OrderView)), security(("merchant_signed" = [])))]
pub async fn cancel(
    State(app): State<Arc<App>>,
    Path(order_id): Path<String>,
    signed: SignedMerchant,
) -> AppResult<Json<OrderView>> {
    Ok(Json(
        order::cancel(&app, &signed.merchant, &order_id).await?,
    ))
}

/// The merchant ships: capture the card authorization (売上確定).
#[utoipa::path(post, path = "/v1/orders/{order_id}/capture", params(("order_id" = String, Path)),
    responses((status = 200, body = OrderView)), security(("merchant_signed" = [])))]
pub async fn capture(
    State(app): State<Arc<App>>,
    Path(order_id): Path<String>,
    signed: SignedMerchant,
) -> AppResult<Json<OrderView>> {
    Ok(Json(
        order::capture(&app, &signed.merchant, &order_id).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundInput {
    /// What to give back: all or part of what was captured and not refunded yet.
    #[schema(minimum = 1)]
    pub amount_yen: i64,
}

/// Give all or part of a paid order back to the buyer, by the method that paid it.
#[utoipa::path(post, path = "/v1/orders/{order_id}/refunds", params(("order_id" = String, Path)),
    request_body = RefundInput,
    responses((status = 200, body = OrderView)), security(("merchant_signed" = [])))]
pub async fn refund(
    State(app): State<Arc<App>>,
    Path(order_id): Path<String>,
    signed: SignedMerchant,
) -> AppResult<Json<OrderView>> {
    let input: RefundInput = parse(&signed.body)?;
    Ok(Json(
        order::refund(&app, &signed.merchant, &order_id, input.amount_yen).await?,
    ))
}
