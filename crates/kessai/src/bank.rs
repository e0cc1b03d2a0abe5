//! `kessai bank ...`: the operator's bank, from the command line. Each command runs the same
//! service as the server, in one transaction against the database; emails it causes wait in
//! the outbox for the next running server.

use crate::options::DbArgs;
use clap::{Args, Subcommand};
use kessai_server::config::{Config, MailTransport};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum BankCommand {
    /// Record one incoming transfer, as the operator API does.
    Credit(CreditArgs),
    /// Import a file from the bank (Zengin type 01 notice). Applied exactly once.
    Import(ImportArgs),
    /// List incoming money that matched no single deal.
    Suspense(DbArgs),
}

pub async fn run(command: BankCommand) -> anyhow::Result<ExitCode> {
    match command {
        BankCommand::Credit(args) => credit(args).await,
        BankCommand::Import(args) => import(args).await,
        BankCommand::Suspense(args) => suspense(args).await,
    }
}

fn config(db: &DbArgs) -> Config {
    Config::new(&db.db, MailTransport::Directory("mail".into()))
}

/// Prints a service error for a person and turns it into exit code 1.
fn refused(e: kessai_server::error::AppError) -> anyhow::Result<ExitCode> {
    eprintln!("kessai: {} ({})", e.message, e.code);
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

async fn credit(args: CreditArgs) -> anyhow::Result<ExitCode> {
    let input = kessai_server::service::credit::CreditInput {
        bank_ref: args.bank_ref,
        amount_yen: args.amount,
        reference: args.reference,
    };
    match kessai_server::offline::credit(config(&args.db), &input).await {
        Ok(result) => {
            println!("{}", serde_json::to_string_pretty(&result)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: DbArgs,
    pub file: PathBuf,
}

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.file)?;
    let name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match kessai_server::offline::import(config(&args.db), &name, &bytes).await {
        Ok(s) => {
            if let Some(at) = s.already_imported_at_ms {
                println!(
                    "{name}: this file was already imported ({}); nothing applied",
                    kessai_server::i18n::format_jst(kessai_core::Millis(at))
                );
            } else {
                println!(
                    "{name}: {} {} records: {} matched, {} to suspense, {} already applied earlier (skipped), {} cancellations (not applied)",
                    s.format, s.records, s.matched, s.unmatched, s.duplicates, s.cancellations
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

async fn suspense(args: DbArgs) -> anyhow::Result<ExitCode> {
    let store = kessai_store::Store::connect(&args.db).await?;
    store.migrate().await?;
    let credits = store.unmatched_credits(10_000).await?;
    println!(
        "{:<24} {:>12}  {:<22} reference",
        "received", "amount", "bank ref"
    );
    for c in &credits {
        println!(
            "{:<24} {:>12}  {:<22} {}",
            kessai_server::i18n::format_jst(kessai_core::Millis(c.received_at_ms)),
            kessai_core::Yen(c.amount_yen).to_string(),
            c.bank_ref,
            c.reference
        );
    }
    let total: i64 = credits.iter().map(|c| c.amount_yen).sum();
    println!(
        "{} unmatched credit(s), {} in suspense",
        credits.len(),
        kessai_core::Yen(total)
    );
    Ok(ExitCode::SUCCESS)
}
