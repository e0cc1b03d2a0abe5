//! `kessai bench lifecycle`: full auction deals through the HTTP API, with throughput and
//! per-call latency. A program that prints figures, never a test that fails on a slow machine.

use crate::bench_support;
use crate::client::{str_field, Api, Party, SignIn};
use clap::{Args, Subcommand};
use hdrhistogram::Histogram;
use kessai_server::config::PasswordCost;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

#[derive(Subcommand)]
pub enum BenchCommand {
    /// N full deals: register ×2, pay, ship, confirm receipt.
    Lifecycle(LifecycleArgs),
    /// N incoming transfers matched against N open deals and paid into them (in memory: the
    /// matching and amount rules that `bank import` runs, without the database).
    Reconcile(RecordsArgs),
    /// N payouts written as a Zengin type 21 file and as ISO 20022 pain.001.
    Export(RecordsArgs),
    /// One Zengin 01 file of N incoming transfers imported into the database in one transaction
    /// (each record through the whole credit path: identity check, journal, accounts, file link).
    Import(ImportArgs),
    /// N deals in every state written straight into the database (core transitions, bulk
    /// inserts), for figures that need volume.
    Fill(crate::bench_db::FillArgs),
    /// The time `kessai check` takes, on a database as it is or after filling it.
    Check(crate::bench_db::CheckArgs),
    /// Emails/s the worker delivers with N emails waiting (into a directory, or over SMTP).
    Outbox(crate::bench_mail::OutboxArgs),
    /// `GET /v1/deals/{id}` latency and the process's memory with N deals stored.
    Read(crate::bench_read::ReadArgs),
    /// One marketplace day for N contracts through the settlement desk, stage by stage.
    Settlement(crate::bench_settlement::SettlementArgs),
    /// The rows of that day written by the database itself in set-based SQL, stage by stage:
    /// what bounds `bench settlement` with Kessai's schema.
    Floor(crate::bench_floor::FloorArgs),
    /// One collection agent's confirmed payment file of N store payments imported (N orders
    /// and their slips written first).
    KonbiniImport(crate::bench_konbini::KonbiniImportArgs),
    /// N orders per method through the API, the checkout page and the simulators: orders/s per
    /// method and each call's p50/p99.
    Checkout(crate::bench_checkout::CheckoutArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// At most 999,999: a Zengin trailer counts records in 6 digits.
    #[arg(long, default_value_t = 100_000)]
    pub records: usize,
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    /// Import this file instead of writing one (the bench runs itself with this, so that the
    /// import's peak memory is measured apart from the writing's).
    #[arg(long, hide = true)]
    pub file: Option<std::path::PathBuf>,
}

#[derive(Args)]
pub struct RecordsArgs {
    #[arg(long, default_value_t = 1_000_000)]
    pub records: usize,
}

#[derive(Args)]
pub struct LifecycleArgs {
    #[arg(long, default_value_t = 1000)]
    pub deals: usize,
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// argon2id memory in KiB. The default is the production setting (OWASP, 19 MiB).
    #[arg(long, default_value_t = 19_456)]
    pub argon2_memory_kib: u32,
    #[arg(long, default_value_t = 2)]
    pub argon2_iterations: u32,
    /// Hold the deals' emails in the outbox until the last deal is done, then deliver them: the
    /// deal path alone, as when the mail server and its load are on another machine.
    #[arg(long)]
    pub email_after: bool,
}

const CALLS: [&str; 5] = [
    "register_buyer",
    "register_seller",
    "bank_credit",
    "shipment",
    "receipt",
];

pub async fn run(command: BenchCommand) -> anyhow::Result<ExitCode> {
    match command {
        BenchCommand::Lifecycle(args) => lifecycle(args).await,
        BenchCommand::Reconcile(args) => Ok(crate::bench_files::reconcile(args.records)),
        BenchCommand::Export(args) => Ok(crate::bench_files::export(args.records)),
        BenchCommand::Import(args) => crate::bench_import::import(args).await,
        BenchCommand::Fill(args) => crate::bench_db::fill(args).await,
        BenchCommand::Check(args) => crate::bench_db::check(args).await,
        BenchCommand::Outbox(args) => crate::bench_mail::outbox(args).await,
        BenchCommand::Read(args) => crate::bench_read::read(args).await,
        BenchCommand::Settlement(args) => crate::bench_settlement::settlement(args).await,
        BenchCommand::Floor(args) => crate::bench_floor::floor(args).await,
        BenchCommand::KonbiniImport(args) => crate::bench_konbini::konbini_import(args).await,
        BenchCommand::Checkout(args) => crate::bench_checkout::checkout_bench(args).await,
    }
}

async fn lifecycle(args: LifecycleArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = bench_support::database(args.db.as_deref(), workdir.path());
    // Email goes over SMTP, as in production, to a mail server on loopback.
    let smtp = kessai_sim::smtp::SmtpServer::start();
    let mut config = bench_support::server_config(&db, bench_support::smtp_to(&smtp))?;
    config.operator_token = Some(kessai_server::secrets::random_token());
    config.password_cost = config_cost(&args);
    config.workers = !args.email_after;
    let token = config.operator_token.clone().unwrap_or_default();
    let running = kessai_server::start(config).await?;
    let api = Api::new(&format!("http://{}", running.addr), &token);
    let run_tag = kessai_server::secrets::random_token()[..8].to_string();
    println!(
        "bench lifecycle: {} deals, concurrency {}, database {}, argon2id m={} KiB t={}",
        args.deals,
        args.concurrency,
        running.app.store.backend_name(),
        args.argon2_memory_kib,
        args.argon2_iterations
    );

    let histograms: Arc<Vec<Mutex<Histogram<u64>>>> = Arc::new(
        CALLS
            .iter()
            .map(|_| Mutex::new(Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram")))
            .collect(),
    );
    let started = Instant::now();
    let recorded = histograms.clone();
    bench_support::in_parallel(args.concurrency, args.deals, move |n| {
        let (api, histograms, tag) = (api.clone(), recorded.clone(), run_tag.clone());
        async move { one_deal(&api, &histograms, &tag, n).await }
    })
    .await?;
    let elapsed = started.elapsed();
    // The deals are done when their calls are answered; their emails leave through the outbox
    // after. Both figures are printed, so that a backlog is never hidden.
    let (pending, _) = running.app.store.outbox_counts().await?;
    if args.email_after {
        tokio::spawn(kessai_server::mail::worker::run(running.app.clone()));
    }
    let drained = loop {
        let (left, sent) = running.app.store.outbox_counts().await?;
        if left == 0 || started.elapsed() > elapsed + Duration::from_secs(300) {
            break (left, sent);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let with_email = started.elapsed();
    running.handle.abort();
    let violations = running.app.store.check().await?;
    println!(
        "{:<16} {:>8} {:>10} {:>10} {:>10}",
        "call", "count", "p50 ms", "p99 ms", "max ms"
    );
    for (name, h) in CALLS.iter().zip(histograms.iter()) {
        let h = h.lock().await;
        let ms = |us: u64| us as f64 / 1000.0;
        println!(
            "{name:<16} {:>8} {:>10.2} {:>10.2} {:>10.2}",
            h.len(),
            ms(h.value_at_quantile(0.5)),
            ms(h.value_at_quantile(0.99)),
            ms(h.max())
        );
    }
    println!(
        "elapsed: {:.2} s; ledger check: {}",
        elapsed.as_secs_f64(),
        if violations.is_empty() {
            "ok"
        } else {
            "FAILED"
        }
    );
    println!(
        "emails: {pending} waiting when the last deal was done, {} sent and {} waiting {:.2} s after the start",
        drained.1,
        drained.0,
        with_email.as_secs_f64()
    );
    println!("emails received by the mail server: {}", smtp.count());
    println!(
        "deals/s with every email delivered: {:.1}",
        args.deals as f64 / with_email.as_secs_f64()
    );
    let ceiling = argon2_ceiling(config_cost(&args))?;
    println!(
        "argon2 ceiling: {ceiling:.0} hashes/s on {} cores, {HASHES_PER_DEAL} per deal: {:.1} deals/s",
        cores(),
        ceiling / HASHES_PER_DEAL as f64
    );
    println!(
        "of the ceiling: {:.0} %",
        100.0 * args.deals as f64 / elapsed.as_secs_f64() / (ceiling / HASHES_PER_DEAL as f64)
    );
    println!("deals/s: {:.1}", args.deals as f64 / elapsed.as_secs_f64());
    Ok(if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Passwords hashed per deal: each party's, once, at registration. Later calls carry the
/// session token the registration gave, so nothing is verified.
const HASHES_PER_DEAL: usize = 2;

fn config_cost(args: &LifecycleArgs) -> PasswordCost {
    PasswordCost {
        memory_kib: args.argon2_memory_kib,
        iterations: args.argon2_iterations,
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Hashes per second with every core hashing and nothing else running: the most deals/s
/// could be if hashing were all a deal cost.
fn argon2_ceiling(cost: PasswordCost) -> anyhow::Result<f64> {
    let window = Duration::from_secs(2);
    let started = Instant::now();
    let threads: Vec<_> = (0..cores())
        .map(|_| {
            std::thread::spawn(move || -> anyhow::Result<usize> {
                let (mut n, mut memory) = (0, kessai_server::secrets::Memory::default());
                while started.elapsed() < window {
                    kessai_server::secrets::hash_with(&mut memory, "bench-password", cost)?;
                    n += 1;
                }
                Ok(n)
            })
        })
        .collect();
    let mut hashes = 0;
    for t in threads {
        hashes += t
            .join()
            .map_err(|_| anyhow::anyhow!("a hashing thread panicked"))??;
    }
    Ok(hashes as f64 / started.elapsed().as_secs_f64())
}

async fn timed<T>(
    h: &Mutex<Histogram<u64>>,
    f: impl std::future::Future<Output = anyhow::Result<T>>,
) -> anyhow::Result<T> {
    let start = Instant::now();
    let value = f.await?;
    let us = start.elapsed().max(Duration::from_micros(1)).as_micros() as u64;
    h.lock().await.saturating_record(us);
    Ok(value)
}

async fn one_deal(
    api: &Api,
    h: &[Mutex<Histogram<u64>>],
    tag: &str,
    n: usize,
) -> anyhow::Result<()> {
    let buyer_email = format!("b{n}.{tag}@bench.example");
    let seller_email = format!("s{n}.{tag}@bench.example");
    let price = 1_000 + (n as i64 % 50_000);
    let party = Party {
        item: "bench item",
        price_yen: price,
        buyer: ("Buyer", &buyer_email),
        seller: ("Seller", &seller_email),
        password: "bench-password",
    };
    // Each party signs in once, by registering: its later calls carry the session's token.
    let b = timed(&h[0], api.register("buyer", &party)).await?;
    let buyer = str_field(&b, "deal_id")?.to_string();
    let buyer_token = str_field(&b["session"], "token")?.to_string();
    let s = timed(&h[1], api.register("seller", &party)).await?;
    let seller = str_field(&s, "deal_id")?.to_string();
    let seller_token = str_field(&s["session"], "token")?.to_string();
    timed(
        &h[2],
        api.credit(&format!("bench-{tag}-{n}"), price, &buyer),
    )
    .await?;
    timed(
        &h[3],
        api.step(
            &seller,
            SignIn::Session(&seller_token),
            "shipment",
            serde_json::json!({}),
        ),
    )
    .await?;
    timed(
        &h[4],
        api.step(
            &buyer,
            SignIn::Session(&buyer_token),
            "receipt",
            serde_json::json!({}),
        ),
    )
    .await?;
    Ok(())
}
