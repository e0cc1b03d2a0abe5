//! Delivers webhook events. Events are leased before they are posted, so several server
//! instances can run this worker against one database without posting an event twice at
//! once; a crash after posting but before recording posts it again with the same
//! `Kessai-Event-Id`, which is how a receiver recognizes a repeat (at least once, as email).

use super::signature::{self, EVENT_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::App;
use futures_util::StreamExt;
use kessai_store::{AttemptOutcome, SiteRecord, WebhookEvent};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

/// Events claimed at once.
const BATCH: i64 = 64;
/// Posts under way at once (one per contract): a slow receiver is waited on by several at a
/// time.
const IN_FLIGHT: usize = 8;
/// How long a claimed event belongs to its worker.
const LEASE_MS: i64 = 30_000;
/// The longest one post may take; a worker starts a post only if it can finish within its
/// lease, so no event is posted by a worker whose lease has run out.
const SEND_TIMEOUT_MS: i64 = 10_000;
/// What is kept of a receiver's answer to a failed post, for the delivery log.
const ANSWER_KEPT: usize = 200;

/// After attempt `attempts` failed: 10 s, doubling, at most 6 hours. With
/// `kessai_store::WEBHOOK_MAX_ATTEMPTS` (16) an event is tried for about a day and a half.
pub fn retry_delay_ms(attempts: i64) -> i64 {
    (10_000i64 << (attempts - 1).clamp(0, 11)).min(6 * 3_600_000)
}

/// The HTTP client webhooks are posted with: https to the public roots (webpki's) and the
/// authorities in `extra_ca_pem`, no redirects (a signed request goes where the site said,
/// nowhere else), and the post's own timeout.
pub fn client(extra_ca_pem: Option<&[u8]>) -> anyhow::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .use_rustls_tls()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_millis(SEND_TIMEOUT_MS as u64))
        .user_agent(concat!("Kessai-Webhooks/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = extra_ca_pem {
        for ca in reqwest::Certificate::from_pem_bundle(pem)? {
            builder = builder.add_root_certificate(ca);
        }
    }
    Ok(builder.build()?)
}

enum Outcome {
    Delivered(i64),
    Failed(Option<i64>, String),
    /// Not started: too little lease was left to finish it.
    Released,
}

/// Posts one batch of due events; returns how many were claimed.
pub async fn deliver_batch(
    app: &Arc<App>,
    client: &reqwest::Client,
    owner: &str,
) -> anyhow::Result<usize> {
    let now = app.clock.now().0;
    let lease_until = now + LEASE_MS;
    let mut events = app
        .store
        .claim_webhooks(owner, now, lease_until, BATCH)
        .await?;
    // In the order the changes were made, as far as one batch goes (IDs begin with a
    // time-ordered UUID): a contract's accepted before its debit requested.
    events.sort_unstable_by(|a, b| (a.created_at_ms, &a.id).cmp(&(b.created_at_ms, &b.id)));
    let mut sites: HashMap<String, Option<SiteRecord>> = HashMap::new();
    for e in &events {
        if !sites.contains_key(&e.site_id) {
            sites.insert(e.site_id.clone(), app.store.site(&e.site_id).await?);
        }
    }
    // One contract's events are posted one after another, in order; contracts side by side.
    let mut by_contract: Vec<Vec<&WebhookEvent>> = vec![];
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for e in &events {
        let group = *group_of.entry(&e.contract_id).or_insert_with(|| {
            by_contract.push(vec![]);
            by_contract.len() - 1
        });
        by_contract[group].push(e);
    }
    // The futures are made before they go into the stream (see `mail::worker`).
    let posts: Vec<_> = by_contract
        .iter()
        .map(|group| post_in_order(app, client, group, &sites, lease_until))
        .collect();
    let outcomes: Vec<Vec<Outcome>> = futures_util::stream::iter(posts)
        .buffered(IN_FLIGHT)
        .collect()
        .await;
    let mut released = vec![];
    let done = by_contract
        .iter()
        .flatten()
        .zip(outcomes.into_iter().flatten());
    for (e, outcome) in done {
        let at = app.clock.now().0;
        let recorded = match &outcome {
            Outcome::Released => {
                released.push(e.id.as_str());
                continue;
            }
            Outcome::Delivered(status) => AttemptOutcome::Delivered {
                http_status: *status,
            },
            Outcome::Failed(status, error) => {
                tracing::warn!(event = %e.id, "webhook not delivered: {error}");
                AttemptOutcome::Failed {
                    http_status: *status,
                    error,
                    retry_at_ms: (e.attempts < e.give_up_at)
                        .then(|| at + retry_delay_ms(e.attempts)),
                }
            }
        };
        app.store
            .record_webhook_attempt(&e.id, owner, e.attempts, at, &recorded)
            .await?;
    }
    app.store.release_webhooks(&released, owner).await?;
    Ok(events.len())
}

/// One contract's events, posted one after another.
async fn post_in_order(
    app: &App,
    client: &reqwest::Client,
    events: &[&WebhookEvent],
    sites: &HashMap<String, Option<SiteRecord>>,
    lease_until: i64,
) -> Vec<Outcome> {
    let mut outcomes = Vec::with_capacity(events.len());
    for e in events {
        let site = sites[&e.site_id].as_ref();
        outcomes.push(post(app, client, e, site, lease_until).await);
    }
    outcomes
}

/// One post, started only if it can finish within the lease.
async fn post(
    app: &App,
    client: &reqwest::Client,
    e: &WebhookEvent,
    site: Option<&SiteRecord>,
    lease_until: i64,
) -> Outcome {
    let now = app.clock.now();
    if now.0 + SEND_TIMEOUT_MS > lease_until {
        return Outcome::Released;
    }
    let (Some(url), Some(secret)) = (
        site.and_then(|s| s.webhook_url.as_deref()),
        site.and_then(|s| s.webhook_secret.as_deref()),
    ) else {
        return Outcome::Failed(None, "the site has no webhook URL any more".into());
    };
    let body = super::body(e);
    let timestamp = now.0.div_euclid(1000);
    let request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(TIMESTAMP_HEADER, timestamp.to_string())
        .header(SIGNATURE_HEADER, signature::sign(secret, timestamp, &body))
        .header(EVENT_HEADER, &e.id)
        .body(body);
    match request.send().await {
        Ok(answer) => {
            let status = i64::from(answer.status().as_u16());
            if answer.status().is_success() {
                return Outcome::Delivered(status);
            }
            let text = answer.text().await.unwrap_or_default();
            let kept: String = text.chars().take(ANSWER_KEPT).collect();
            Outcome::Failed(Some(status), format!("HTTP {status}: {kept}"))
        }
        Err(e) => Outcome::Failed(None, describe(&e)),
    }
}

/// A failed request in words, with its causes (reqwest's own text leaves them out).
fn describe(e: &reqwest::Error) -> String {
    let mut text = if e.is_timeout() {
        format!("no answer within {SEND_TIMEOUT_MS} ms")
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

pub async fn run(app: Arc<App>) {
    let client = match client(app.config.webhook_ca_pem.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            tracing::error!("webhook worker cannot start: {e}");
            return;
        }
    };
    let owner = kessai_store::new_internal_id();
    loop {
        match deliver_batch(&app, &client, &owner).await {
            Ok(n) if n as i64 == BATCH => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("webhook worker: {e}"),
        }
        tokio::time::sleep(app.config.mail_interval).await;
    }
}
