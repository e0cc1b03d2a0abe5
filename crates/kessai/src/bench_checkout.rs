//! `kessai bench checkout --orders N`: orders of a merchant taken through the real HTTP API and
//! checkout page, by every method, with the simulators on loopback: **card** — the signed order,
//! the checkout page, the card form (the processor's authorization), the signed capture;
//! **konbini** — the signed order, the page, the slip, a store paying it, and the collection
//! agent's confirmed file of all of them imported at the end. Each method's orders/s and each
//! call's p50/p99; the last line `min_orders/s: X` is the slowest method.

use crate::merchant_client::{checkout, MerchantClient};
use clap::Args;
use hdrhistogram::Histogram;
use kessai_formats::konbini::ReportKind;
use reqwest::Method;
use serde_json::{json, Value};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Instant;

#[derive(Args)]
pub struct CheckoutArgs {
    #[arg(long, default_value_t = 2000)]
    pub orders: usize,
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
}

/// Each call's latency in microseconds, by call.
#[derive(Default)]
struct Calls(std::collections::BTreeMap<&'static str, Histogram<u64>>);

impl Calls {
    fn record(&mut self, call: &'static str, started: Instant) {
        let us = started.elapsed().as_micros() as u64;
        self.0
            .entry(call)
            .or_insert_with(|| Histogram::new(3).expect("a histogram"))
            .record(us.max(1))
            .expect("a latency fits");
    }

    fn print(&self) {
        for (call, h) in &self.0 {
            println!(
                "  {call}: p50 {:.2} ms, p99 {:.2} ms ({} calls)",
                h.value_at_quantile(0.5) as f64 / 1000.0,
                h.value_at_quantile(0.99) as f64 / 1000.0,
                h.len()
            );
        }
    }
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn body(method: &str, i: usize) -> Value {
    json!({"number": format!("{method}-{i:08}"), "amount_yen": 1_000 + i % 50_000,
           "items": [{"name": "品物", "quantity": 1, "unit_price_yen": 1_000 + i % 50_000}]})
}

pub async fn checkout_bench(args: CheckoutArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = crate::bench_support::database(args.db.as_deref(), workdir.path());
    let mut config = crate::bench_support::server_config(
        &db,
        kessai_server::config::MailTransport::Directory(workdir.path().join("mail")),
    )?;
    config.operator_token = Some(kessai_server::secrets::random_token());
    config.workers = false;
    let today = kessai_server::i18n::date_jst(kessai_core::Millis(now_s() * 1000));
    let processor =
        kessai_sim::card::Processor::new(today.year() as u32, u32::from(u8::from(today.month())));
    let card = kessai_sim::card::spawn("127.0.0.1:0".parse()?, processor).await?;
    config.card_processor_url = Some(format!("http://{card}"));
    config.card_data_key = Some([0x42; 32]);
    let token = config.operator_token.clone().unwrap_or_default();
    let running = kessai_server::start(config).await?;
    let base = format!("http://{}", running.addr);
    let api = crate::client::Api::new(&base, &token);
    println!(
        "bench checkout: {} orders per method, concurrency {}, database {}",
        args.orders,
        args.concurrency,
        running.app.store.backend_name()
    );
    let created = api
        .operator_expecting(
            Method::POST,
            "/v1/operator/merchants",
            Some(json!({
                "id": "bench-shop", "name": "Bench",
                "payout_account": {"bank_code": "0005", "branch_code": "123", "account_type": "ordinary",
                                   "account_number": "7000444", "holder_name": "ﾍﾞﾝﾁ"},
                "methods": ["card", "konbini"], "card_capture": "on_shipment", "valid_until": "2099-12-31",
            })),
            reqwest::StatusCode::CREATED,
        )
        .await?;
    let m = Arc::new(MerchantClient::from_created(&base, &created)?);
    let next_year = format!("12/{}", (today.year() + 1) % 100);
    let mut slowest = f64::INFINITY;

    // Card: order, page and form (authorization), capture.
    let calls = Arc::new(Mutex::new(Calls::default()));
    let started = Instant::now();
    {
        let (m, calls, base, next_year) =
            (m.clone(), calls.clone(), base.clone(), next_year.clone());
        crate::bench_support::in_parallel(args.concurrency, args.orders, move |i| {
            let (m, calls, base, next_year) =
                (m.clone(), calls.clone(), base.clone(), next_year.clone());
            async move {
                let t = Instant::now();
                let o = m
                    .send(Method::POST, "/v1/orders", Some(&body("CARD", i)), now_s())
                    .await?;
                calls.lock().expect("calls").record("create order", t);
                let t = Instant::now();
                checkout(
                    &base,
                    &o,
                    "card",
                    &[
                        ("number", "4242424242424242"),
                        ("expiry", &next_year),
                        ("cvc", "123"),
                    ],
                )
                .await?;
                calls
                    .lock()
                    .expect("calls")
                    .record("checkout page + card form", t);
                let t = Instant::now();
                let id = o["id"].as_str().unwrap_or_default();
                m.send(
                    Method::POST,
                    &format!("/v1/orders/{id}/capture"),
                    None,
                    now_s(),
                )
                .await?;
                calls.lock().expect("calls").record("capture", t);
                Ok(())
            }
        })
        .await?;
    }
    let s = started.elapsed().as_secs_f64();
    let rate = args.orders as f64 / s;
    slowest = slowest.min(rate);
    println!(
        "card: {} orders in {s:.2} s, {rate:.0} orders/s",
        args.orders
    );
    calls.lock().expect("calls").print();

    // Konbini: order, page and slip, a store paying it; then the agent's file of them all.
    let calls = Arc::new(Mutex::new(Calls::default()));
    let agent = Arc::new(Mutex::new(kessai_sim::konbini::Agent::new("BENCH")));
    let started = Instant::now();
    {
        let (m, calls, base, agent, app) = (
            m.clone(),
            calls.clone(),
            base.clone(),
            agent.clone(),
            running.app.clone(),
        );
        crate::bench_support::in_parallel(args.concurrency, args.orders, move |i| {
            let (m, calls, base, agent, app) = (
                m.clone(),
                calls.clone(),
                base.clone(),
                agent.clone(),
                app.clone(),
            );
            async move {
                let t = Instant::now();
                let o = m
                    .send(
                        Method::POST,
                        "/v1/orders",
                        Some(&body("KONBINI", i)),
                        now_s(),
                    )
                    .await?;
                calls.lock().expect("calls").record("create order", t);
                let t = Instant::now();
                checkout(&base, &o, "konbini", &[]).await?;
                calls
                    .lock()
                    .expect("calls")
                    .record("checkout page + slip", t);
                let id = o["id"].as_str().unwrap_or_default();
                let slip = app
                    .store
                    .konbini_slip_of(id)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("no slip for {id}"))?;
                let at = kessai_formats::konbini::on(today, 12, 0, 0);
                agent
                    .lock()
                    .expect("the agent")
                    .pay_by_barcode(&slip.barcode, at, "SEJ", "1")
                    .map_err(anyhow::Error::msg)?;
                Ok(())
            }
        })
        .await?;
    }
    let t = Instant::now();
    let (name, bytes) = agent
        .lock()
        .expect("the agent")
        .report(
            ReportKind::Confirmed,
            kessai_formats::konbini::on(today, 23, 0, 0),
        )
        .ok_or_else(|| anyhow::anyhow!("nothing paid"))?;
    let imported = api
        .upload_to("/v1/operator/konbini-files", &name, bytes)
        .await?;
    calls
        .lock()
        .expect("calls")
        .record("agent's file import (all orders)", t);
    let s = started.elapsed().as_secs_f64();
    let rate = args.orders as f64 / s;
    slowest = slowest.min(rate);
    println!(
        "konbini: {} orders in {s:.2} s, {rate:.0} orders/s ({} paid by the agent's file)",
        args.orders, imported["applied"]
    );
    calls.lock().expect("calls").print();
    let violations = running.app.store.check().await?;
    println!(
        "ledger check: {}",
        if violations.is_empty() {
            "ok"
        } else {
            "FAILED"
        }
    );
    println!("min_orders/s: {slowest:.0}");
    Ok(
        if violations.is_empty() && imported["applied"] == args.orders {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        },
    )
}
