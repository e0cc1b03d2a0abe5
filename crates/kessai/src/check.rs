//! `kessai migrate` and `kessai check`: database commands.

use crate::options::DbArgs;
use kessai_store::Store;
use std::process::ExitCode;

pub async fn migrate(args: DbArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&args.db).await?;
    let applied = store.migrate().await?;
    if applied.is_empty() {
        println!("schema is up to date");
    }
    for name in applied {
        println!("applied: {name}");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn check(args: DbArgs) -> anyhow::Result<ExitCode> {
    let store = Store::connect(&args.db).await?;
    store.migrate().await?;
    let violations = store.check().await?;
    let counts = store.deal_counts().await?;
    let summary: Vec<String> = counts.iter().map(|(s, n)| format!("{s}={n}")).collect();
    if violations.is_empty() {
        println!(
            "check: ok ({} deals: {})",
            counts.iter().map(|(_, n)| n).sum::<i64>(),
            summary.join(" ")
        );
        return Ok(ExitCode::SUCCESS);
    }
    for v in &violations {
        println!("violation: {v}");
    }
    println!("check: {} violation(s)", violations.len());
    Ok(ExitCode::FAILURE)
}
