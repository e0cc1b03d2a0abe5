//! `kessai migrate`, `kessai check` and `kessai bank credit`: database commands.

use crate::options::DbArgs;
use clap::Args;
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

#[derive(Args)]
pub struct CreditArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// The bank's identity of the record (applied once).
    #[arg(long)]
    pub bank_ref: String,
    #[arg(long)]
    pub amount: i64,
    /// The transferor's text: name and the buyer's deal ID.
    #[arg(long)]
    pub reference: String,
}

/// Applies a credit directly to the database, through the same service as the API.
pub async fn credit(args: CreditArgs) -> anyhow::Result<ExitCode> {
    let config = kessai_server::config::Config::new(
        &args.db.db,
        kessai_server::config::MailTransport::Directory("mail".into()),
    );
    let input = kessai_server::service::credit::CreditInput {
        bank_ref: args.bank_ref,
        amount_yen: args.amount,
        reference: args.reference,
    };
    match kessai_server::offline::credit(config, &input).await {
        Ok(result) => {
            println!("{}", serde_json::to_string_pretty(&result)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("kessai: {} ({})", e.message, e.code);
            Ok(ExitCode::FAILURE)
        }
    }
}
