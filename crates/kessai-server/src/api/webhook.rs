//! A site's webhooks (its API key as `Authorization: Bearer`): the delivery log, one event
//! with its attempts and the exact body sent, and a replay. Another site's events are not
//! found.

use super::extract::Site;
use super::page;
use crate::error::{AppError, AppResult};
use crate::service::session::rfc3339;
use crate::App;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use kessai_store::{WebhookAttempt, WebhookEvent};
use serde::Serialize;
use std::sync::Arc;
use utoipa::ToSchema;

/// One event and how its delivery stands.
#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    /// Also sent as the `Kessai-Event-Id` header: a receiver that sees an ID again has it.
    pub event_id: String,
    /// `contract.status_changed`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub created_at: String,
    pub contract_id: String,
    pub number: String,
    /// The contract's status the change left (as `GET /v1/contracts/{id}` says it).
    pub contract_status: &'static str,
    /// `pending` (to be sent, or sent again after a failure), `delivered`, `failed` (given up
    /// after 16 attempts; a replay sends it again).
    pub delivery: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub delivered_at: Option<String>,
    /// Every attempt, first first (on one event's own page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log: Option<Vec<AttemptView>>,
    /// The request body as posted, byte for byte (on one event's own page only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptView {
    pub attempt: i64,
    pub at: String,
    pub http_status: Option<i64>,
    pub error: Option<String>,
}

fn view(e: &WebhookEvent) -> WebhookView {
    WebhookView {
        event_id: e.id.clone(),
        kind: crate::webhook::STATUS_CHANGED,
        created_at: rfc3339(e.created_at_ms),
        contract_id: e.contract_id.clone(),
        number: e.number.clone(),
        contract_status: kessai_core::contract::status(
            &e.debit_state,
            &e.delivery_state,
            &e.payout_state,
        ),
        delivery: e.status.clone(),
        attempts: e.attempts,
        last_error: e.last_error.clone(),
        delivered_at: e.delivered_at_ms.map(rfc3339),
        log: None,
        body: None,
    }
}

fn attempt_view(a: &WebhookAttempt) -> AttemptView {
    AttemptView {
        attempt: a.attempt,
        at: rfc3339(a.at_ms),
        http_status: a.http_status,
        error: a.error.clone(),
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub events: Vec<WebhookView>,
    /// Pass as `after` for the next page; absent on the last.
    pub next_after: Option<String>,
}

/// The site's webhook events, oldest first, a page at a time: `limit` (1 to 1,000, default
/// 100) after the cursor `after`.
#[utoipa::path(get, path = "/v1/webhooks",
    params(("after" = Option<String>, Query, max_length = 200, description = "next_after of the page before"),
           ("limit" = Option<i64>, Query, minimum = 1, maximum = 1000)),
    responses((status = 200, body = WebhookList)), security(("site_key" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Site(site): Site,
    Query(q): Query<page::PageQuery>,
) -> AppResult<Json<WebhookList>> {
    let limit = page::limit(q.limit)?;
    let mut rows = app
        .store
        .webhook_events_of_site(&site.id, q.after.as_deref(), limit + 1)
        .await?;
    let next_after = page::next(&mut rows, limit, |e| e.id.clone());
    Ok(Json(WebhookList {
        events: rows.iter().map(view).collect(),
        next_after,
    }))
}

async fn find(app: &App, site_id: &str, event_id: &str) -> AppResult<WebhookEvent> {
    app.store
        .webhook_event(site_id, event_id)
        .await?
        .ok_or_else(|| {
            AppError::new(
                StatusCode::NOT_FOUND,
                "event_not_found",
                "no webhook event of this site has this ID",
            )
        })
}

/// One event: how its delivery stands, every attempt, and the body as posted.
#[utoipa::path(get, path = "/v1/webhooks/{event_id}", params(("event_id" = String, Path)),
    responses((status = 200, body = WebhookView)), security(("site_key" = [])))]
pub async fn show(
    State(app): State<Arc<App>>,
    Site(site): Site,
    Path(event_id): Path<String>,
) -> AppResult<Json<WebhookView>> {
    let e = find(&app, &site.id, &event_id).await?;
    let log = app.store.webhook_attempts(&e.id).await?;
    let mut v = view(&e);
    v.log = Some(log.iter().map(attempt_view).collect());
    v.body = Some(String::from_utf8(crate::webhook::body(&e)).map_err(AppError::internal)?);
    Ok(Json(v))
}

/// Sends an event again now, with the same ID and body (signed anew, with a new timestamp),
/// whatever became of it before: `202`, and the event as it stands.
#[utoipa::path(post, path = "/v1/webhooks/{event_id}/replay", params(("event_id" = String, Path)),
    responses((status = 202, body = WebhookView)), security(("site_key" = [])))]
pub async fn replay(
    State(app): State<Arc<App>>,
    Site(site): Site,
    Path(event_id): Path<String>,
) -> AppResult<(StatusCode, Json<WebhookView>)> {
    find(&app, &site.id, &event_id).await?;
    app.store
        .replay_webhook(&site.id, &event_id, app.clock.now().0)
        .await?;
    let e = find(&app, &site.id, &event_id).await?;
    Ok((StatusCode::ACCEPTED, Json(view(&e))))
}
