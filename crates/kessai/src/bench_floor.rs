//! `kessai bench floor --contracts N`: the rows one marketplace day writes, written by the
//! database itself in set-based SQL (`bench_floor/day.*.sql`) on Kessai's own schema and
//! settings, each stage timed. No application code runs, no file is read or written: this is
//! what `kessai bench settlement` could reach at best with this schema, and so what bounds it.

use crate::bench_support::peak_mib;
use clap::Args;
use kessai_store::Store;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args)]
pub struct FloorArgs {
    #[arg(long, default_value_t = 100_000)]
    pub contracts: usize,
    /// Database (default: a temporary SQLite file). A PostgreSQL database must be empty.
    #[arg(long)]
    pub db: Option<String>,
}

const SQLITE: &str = include_str!("bench_floor/day.sqlite.sql");
const POSTGRES: &str = include_str!("bench_floor/day.postgres.sql");

/// The script's setup and stages (name, statements), with N filled in.
fn stages(script: &str, n: usize) -> Vec<(String, Vec<String>)> {
    let script = script.replace("{N}", &n.to_string());
    let mut stages = vec![("setup".to_string(), String::new())];
    for line in script.lines() {
        if let Some(name) = line.strip_prefix("-- stage: ") {
            stages.push((name.trim().to_string(), String::new()));
        } else if !line.starts_with("--") {
            let text = &mut stages.last_mut().expect("the setup").1;
            text.push_str(line);
            text.push('\n');
        }
    }
    stages
        .into_iter()
        .map(|(name, text)| {
            let statements = text
                .split(";\n")
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            (name, statements)
        })
        .collect()
}

pub async fn floor(args: FloorArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let db = crate::bench_support::database(args.db.as_deref(), workdir.path());
    let store = Store::connect(&db).await?;
    store.migrate().await?;
    let sqlite = store.backend_name() == "sqlite";
    println!(
        "bench floor: {} contracts, database {}",
        args.contracts,
        store.backend_name()
    );
    let mut conn = store.pool().acquire().await?;
    if sqlite {
        sqlx::raw_sql("PRAGMA journal_mode=WAL")
            .execute(&mut *conn)
            .await?;
        sqlx::raw_sql(kessai_store::SQLITE_WRITER_SETTINGS)
            .execute(&mut *conn)
            .await?;
    }
    let mut total = 0.0;
    for (name, statements) in stages(if sqlite { SQLITE } else { POSTGRES }, args.contracts) {
        let started = Instant::now();
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await?;
        for statement in &statements {
            sqlx::raw_sql(statement)
                .execute(&mut *conn)
                .await
                .map_err(|e| anyhow::anyhow!("{name}: {e}: {statement}"))?;
        }
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await?;
        let s = started.elapsed().as_secs_f64();
        if name != "setup" {
            total += s;
            println!(
                "{name}: {} contracts in {s:.2} s, {:.0} contracts/s (peak {:.0} MiB)",
                args.contracts,
                args.contracts as f64 / s.max(1e-9),
                peak_mib()
            );
        }
    }
    drop(conn);
    store.close().await;
    println!("total_s: {total:.2}");
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_scripts_have_the_same_stages_and_a_statement_in_each() {
        let names = |script| {
            super::stages(script, 10)
                .into_iter()
                .map(|(name, statements)| {
                    assert!(!statements.is_empty(), "{name} is empty");
                    assert!(statements.iter().all(|s| !s.contains("{N}")));
                    name
                })
                .collect::<Vec<_>>()
        };
        let sqlite = names(super::SQLITE);
        assert_eq!(sqlite, names(super::POSTGRES));
        assert_eq!(
            sqlite,
            [
                "setup",
                "upload",
                "debit-run",
                "bank-results",
                "delivery-run",
                "notices",
                "payout-run",
                "bank-confirmation"
            ]
        );
    }
}
