//! Kessai's server: the HTTP API under `/v1`, the web pages, the email outbox worker and the
//! deadline scheduler, around the pure core (`kessai-core`) and the store (`kessai-store`).

pub mod api;
pub mod bank_master;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod i18n;
pub mod mail;
pub mod offline;
pub mod scheduler;
pub mod secrets;
pub mod service;
pub mod web;
pub mod webhook;
pub mod words;

use axum::Router;
use clock::Clock;
use config::Config;
use kessai_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// Where a test clock's offset is kept.
pub const TEST_CLOCK_OFFSET: &str = "test_clock_offset_ms";

/// Everything a request handler or worker needs.
pub struct App {
    pub store: Store,
    pub config: Config,
    pub clock: Clock,
}

/// The whole HTTP surface: API, OpenAPI document and pages.
pub fn app(state: Arc<App>) -> Router {
    Router::new()
        .merge(api::router())
        .merge(web::router())
        .fallback(web::fallback)
        .with_state(state)
}

/// A server that is listening: its address and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub app: Arc<App>,
    pub handle: tokio::task::JoinHandle<()>,
}

/// Connects, migrates, binds and starts serving (and the workers, unless disabled).
pub async fn start(config: Config) -> anyhow::Result<Running> {
    config.check()?;
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    // A test clock keeps its offset across restarts, so that deadlines, leases and retries set
    // in moved time stay consistent when a test kills and restarts the server.
    let offset = if config.test_clock {
        store.counter(TEST_CLOCK_OFFSET).await?.unwrap_or(0)
    } else {
        0
    };
    let state = Arc::new(App {
        store,
        clock: Clock::with_offset(config.test_clock, offset),
        config,
    });
    if state.config.workers {
        tokio::spawn(mail::worker::run(state.clone()));
        tokio::spawn(webhook::worker::run(state.clone()));
        tokio::spawn(service::contract::notices::run(state.clone()));
        tokio::spawn(scheduler::run(state.clone()));
    }
    let router = app(state.clone());
    let handle = tokio::spawn(http::serve(listener, router, state.config.http));
    Ok(Running {
        addr,
        app: state,
        handle,
    })
}
