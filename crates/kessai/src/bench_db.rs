//! `kessai bench fill` and `kessai bench check`: volume in the database, and the time
//! `kessai check` takes on it.

use clap::Args;
use kessai_store::Store;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct FillArgs {
    /// Database to fill (migrated first).
    #[arg(long)]
    pub db: String,
    #[arg(long, default_value_t = 10_000)]
    pub deals: usize,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Database (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    /// Deals to write first with `bench fill` (0: check the database as it is).
    #[arg(long, default_value_t = 0)]
    pub deals: usize,
}

pub async fn filled(db: &str, deals: usize) -> anyhow::Result<Store> {
    let store = Store::connect(db).await?;
    store.migrate().await?;
    if deals > 0 {
        let started = Instant::now();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?;
        let summary = store.fill(deals, now.as_millis() as i64).await?;
        let seconds = started.elapsed().as_secs_f64();
        println!("backend: {}", store.backend_name());
        println!("deals: {}", summary.deals);
        println!("rows: {}", summary.rows);
        println!("fill_seconds: {seconds:.2}");
        println!("fill_deals_per_s: {:.0}", summary.deals as f64 / seconds);
    }
    Ok(store)
}

pub async fn fill(args: FillArgs) -> anyhow::Result<ExitCode> {
    filled(&args.db, args.deals).await?;
    Ok(ExitCode::SUCCESS)
}

pub async fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = args
        .db
        .unwrap_or_else(|| workdir.path().join("check.db").display().to_string());
    let store = filled(&db, args.deals).await?;
    let started = Instant::now();
    let violations = store.check().await?;
    let seconds = started.elapsed().as_secs_f64();
    let deals: i64 = store.deal_counts().await?.iter().map(|(_, n)| n).sum();
    println!("checked_deals: {deals}");
    println!("violations: {}", violations.len());
    println!("peak memory: {:.0} MiB", crate::bench_support::peak_mib());
    println!("check_seconds: {seconds:.2}");
    Ok(if violations.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
