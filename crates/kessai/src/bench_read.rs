//! `kessai bench read`: `GET /v1/deals/{id}` latency with N deals stored, and the process's
//! memory while it serves them. Parties are sampled across the whole table and signed in with
//! sessions, so the figure is the read, not argon2.

use crate::bench_support::{self, peak_mib, rss_mib};
use clap::Args;
use hdrhistogram::Histogram;
use kessai_server::config::MailTransport;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Args)]
pub struct ReadArgs {
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    /// Deals to write first with `bench fill` (0: read the database as it is).
    #[arg(long, default_value_t = 100_000)]
    pub deals: usize,
    #[arg(long, default_value_t = 20_000)]
    pub requests: usize,
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Parties signed in and read in turn.
    #[arg(long, default_value_t = 2_000)]
    pub parties: usize,
}

pub async fn read(args: ReadArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = bench_support::database(args.db.as_deref(), workdir.path());
    let store = crate::bench_db::filled(&db, args.deals).await?;
    let parties = store.sample_parties(args.parties).await?;
    store.close().await;
    anyhow::ensure!(!parties.is_empty(), "no agreed deals to read");

    let mail = MailTransport::Directory(workdir.path().join("mail"));
    let mut config = bench_support::server_config(&db, mail)?;
    config.workers = false;
    let running = kessai_server::start(config).await?;
    let mut tokens = vec![];
    for id in &parties {
        let grant = kessai_server::service::session::open(&running.app, id).await?;
        tokens.push((id.as_str().to_string(), grant.token));
    }
    let stored = running
        .app
        .store
        .deal_counts()
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum::<i64>();
    println!(
        "bench read: {stored} deals stored, {} parties, {} requests at concurrency {}, database {}",
        tokens.len(),
        args.requests,
        args.concurrency,
        running.app.store.backend_name()
    );
    let base = format!("http://{}", running.addr);
    let http = reqwest::Client::new();
    let tokens = Arc::new(tokens);
    // Each party's page is read once before the timed reads: the first read of a deal may wait
    // for the disk (a filled file of millions of deals need not be in the OS's cache), and that
    // is shown apart, so the timed figure is the serving of pages whose data is in memory.
    let first = timed_reads(&http, &base, &tokens, args.concurrency, tokens.len()).await?;
    println!(
        "first read of each party (the disk, where the file is not cached): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(first.value_at_quantile(0.5)),
        ms(first.value_at_quantile(0.99)),
        ms(first.max())
    );
    let rss_before = rss_mib();
    let started = Instant::now();
    let h = timed_reads(&http, &base, &tokens, args.concurrency, args.requests).await?;
    let seconds = started.elapsed().as_secs_f64();
    running.handle.abort();
    println!("reads/s: {:.0}", args.requests as f64 / seconds);
    println!(
        "memory (server and client in one process): {rss_before:.0} MiB before the reads, {:.0} MiB after, {:.0} MiB peak",
        rss_mib(),
        peak_mib()
    );
    println!(
        "GET /v1/deals/{{id}}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(h.value_at_quantile(0.5)),
        ms(h.value_at_quantile(0.99)),
        ms(h.max())
    );
    println!("p99 ms: {:.2}", ms(h.value_at_quantile(0.99)));
    Ok(ExitCode::SUCCESS)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// `requests` reads of the parties' deals in turn, `concurrency` at once; their latencies.
async fn timed_reads(
    http: &reqwest::Client,
    base: &str,
    tokens: &Arc<Vec<(String, String)>>,
    concurrency: usize,
    requests: usize,
) -> anyhow::Result<Histogram<u64>> {
    let histogram = Arc::new(tokio::sync::Mutex::new(Histogram::<u64>::new_with_bounds(
        1, 60_000_000, 3,
    )?));
    let recorded = histogram.clone();
    let (http, base, tokens) = (http.clone(), base.to_string(), tokens.clone());
    bench_support::in_parallel(concurrency, requests, move |n| {
        let (http, base, tokens, histogram) =
            (http.clone(), base.clone(), tokens.clone(), recorded.clone());
        async move {
            let (id, token) = &tokens[n % tokens.len()];
            let at = Instant::now();
            let reply = http
                .get(format!("{base}/v1/deals/{id}"))
                .bearer_auth(token)
                .send()
                .await?;
            anyhow::ensure!(reply.status().is_success(), "GET {id}: {}", reply.status());
            reply.bytes().await?;
            let us = at.elapsed().max(Duration::from_micros(1)).as_micros() as u64;
            histogram.lock().await.saturating_record(us);
            Ok(())
        }
    })
    .await?;
    let h = histogram.lock().await.clone();
    Ok(h)
}
