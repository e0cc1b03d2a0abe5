//! `kessai bank ...`: the operator's bank, from the command line. Each command runs the same
//! service as the server, in one transaction against the database; emails it causes wait in
//! the outbox for the next running server.

use crate::options::{DbArgs, OperatorArgs};
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum BankCommand {
    /// Record one incoming transfer, as the operator API does.
    Credit(CreditArgs),
    /// Import a bank file (Zengin 01 or 03, pain.002, camt.053 or camt.054). Applied exactly once.
    Import(ImportArgs),
    /// Write pending payouts and refunds as bank files (one per 100,000 instructions), dated
    /// the given day or the next business day. Each instruction is exported once.
    Export(ExportArgs),
    /// List incoming money that matched no single deal.
    Suspense(DbArgs),
    /// Assign a credit from the suspense list to a deal (by the buyer's deal ID).
    Assign(AssignArgs),
    /// Send a credit from the suspense list back to the account it came from; it leaves with
    /// the next export.
    Return(ReturnArgs),
    /// Give up an open reversal claim (a payment the bank took back after it was passed on).
    WriteOff(ClaimArgs),
    /// Settle an open reversal claim with the suspense credit the payer sent back.
    Recover(RecoverArgs),
}

#[derive(Args)]
pub struct ReturnArgs {
    #[command(flatten)]
    pub db: OperatorArgs,
    /// The credit's ID, as `kessai bank suspense` lists it.
    #[arg(long)]
    pub credit: String,
    /// The payer's bank code (4 digits).
    #[arg(long)]
    pub bank_code: String,
    /// The payer's branch code (3 digits).
    #[arg(long)]
    pub branch_code: String,
    /// ordinary (普通), current (当座) or savings (貯蓄).
    #[arg(long, default_value = "ordinary")]
    pub account_type: String,
    #[arg(long)]
    pub account_number: String,
    /// The holder's name as the bank holds it, in kana.
    #[arg(long)]
    pub holder_name: String,
}

#[derive(Args)]
pub struct ClaimArgs {
    #[command(flatten)]
    pub db: OperatorArgs,
    /// The claim's ID, as `kessai bank suspense` lists it.
    #[arg(long)]
    pub claim: String,
}

#[derive(Args)]
pub struct RecoverArgs {
    #[command(flatten)]
    pub claim: ClaimArgs,
    /// The suspense credit that carried the payer's money (same amount as the claim).
    #[arg(long)]
    pub credit: String,
}

#[derive(Args)]
pub struct AssignArgs {
    #[command(flatten)]
    pub db: OperatorArgs,
    /// The credit's ID, as `kessai bank suspense` lists it.
    #[arg(long)]
    pub credit: String,
    /// The buyer's deal ID.
    #[arg(long)]
    pub deal: String,
}

pub async fn run(command: BankCommand) -> anyhow::Result<ExitCode> {
    match command {
        BankCommand::Credit(args) => credit(args).await,
        BankCommand::Import(args) => import(args).await,
        BankCommand::Export(args) => export(args).await,
        BankCommand::Suspense(args) => suspense(args).await,
        BankCommand::Assign(args) => printed(
            kessai_server::offline::assign(args.db.config()?, &args.credit, &args.deal).await,
        ),
        BankCommand::Return(args) => {
            let account_type =
                serde_json::from_value(serde_json::Value::String(args.account_type.clone()))
                    .map_err(|_| {
                        anyhow::anyhow!("--account-type is ordinary, current or savings")
                    })?;
            let account = kessai_server::service::register::BankAccountInput {
                bank_code: args.bank_code,
                branch_code: args.branch_code,
                account_type,
                account_number: args.account_number,
                holder_name: args.holder_name,
            };
            printed(
                kessai_server::offline::return_credit(args.db.config()?, &args.credit, &account)
                    .await,
            )
        }
        BankCommand::WriteOff(args) => {
            printed(kessai_server::offline::write_off(args.db.config()?, &args.claim).await)
        }
        BankCommand::Recover(args) => printed(
            kessai_server::offline::recover(
                args.claim.db.config()?,
                &args.claim.claim,
                &args.credit,
            )
            .await,
        ),
    }
}

/// Prints a step's result as JSON, or its error for a person (exit code 1).
fn printed<T: serde::Serialize>(
    result: Result<T, kessai_server::error::AppError>,
) -> anyhow::Result<ExitCode> {
    match result {
        Ok(r) => {
            println!("{}", serde_json::to_string_pretty(&r)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// Prints a service error for a person and turns it into exit code 1.
pub fn refused(e: kessai_server::error::AppError) -> anyhow::Result<ExitCode> {
    eprintln!("kessai: {} ({})", e.message, e.code);
    Ok(ExitCode::FAILURE)
}

#[derive(Args)]
pub struct CreditArgs {
    #[command(flatten)]
    pub db: OperatorArgs,
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
        account_number: None,
        transferor_code: None,
        content: None,
        before_upgrade: None,
    };
    printed(kessai_server::offline::credit(args.db.config()?, &input).await)
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub db: OperatorArgs,
    pub file: PathBuf,
}

impl ImportArgs {
    /// The file's name (as it is kept with the import) and its bytes.
    pub fn read(&self) -> std::io::Result<(String, Vec<u8>)> {
        let bytes = std::fs::read(&self.file)?;
        let name = self
            .file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok((name, bytes))
    }
}

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let (name, bytes) = args.read()?;
    match kessai_server::offline::import(args.db.config()?, &name, bytes).await {
        Ok(s) => {
            println!("{}", s.text());
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub db: OperatorArgs,
    /// zengin (総合振込, type 21) or iso20022 (pain.001.001.09).
    #[arg(long, default_value = "zengin")]
    pub format: String,
    /// Value date, YYYY-MM-DD; a bank holiday moves to the next business day.
    #[arg(long)]
    pub date: String,
    #[arg(long, default_value = "bank-out")]
    pub out: PathBuf,
}

async fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    match kessai_server::offline::export(args.db.config()?, &args.format, &args.date, &args.out)
        .await
    {
        Ok(files) => {
            print_files(&files, "nothing to export: no pending instructions");
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}

/// A line per bank file written, or `none` when there was none.
pub fn print_files(files: &[kessai_server::service::bank_export::ExportedFile], none: &str) {
    for f in files {
        println!(
            "{}: {} records, {} for {} ({})",
            f.file_name,
            f.records,
            kessai_core::Yen(f.total_yen),
            f.value_date,
            f.format
        );
    }
    if files.is_empty() {
        println!("{none}");
    }
}

async fn suspense(args: DbArgs) -> anyhow::Result<ExitCode> {
    let store = kessai_store::Store::connect(&args.db).await?;
    store.migrate().await?;
    let credits = store.unmatched_credits(10_000).await?;
    print_credits(&credits);
    println!(
        "{} unmatched credit(s), {} in suspense",
        credits.len(),
        kessai_core::Yen(credits.iter().map(|c| c.amount_yen).sum())
    );
    let claims = store.reversal_claims(10_000).await?;
    if !claims.is_empty() {
        println!();
        let owed: Vec<kessai_store::CreditRecord> = claims
            .iter()
            .map(|c| kessai_store::CreditRecord {
                amount_yen: c.remaining_yen,
                ..c.credit.clone()
            })
            .collect();
        print_credits(&owed);
        println!(
            "{} reversal claim(s), {} still owed by payers (kessai bank recover / write-off)",
            claims.len(),
            kessai_core::Yen(claims.iter().map(|c| c.remaining_yen).sum())
        );
    }
    let listed = store.listed_entries(10_000).await?;
    if !listed.is_empty() {
        println!();
        for e in &listed {
            println!(
                "{:<24} {:>12}  {} entry {}: {} ({})",
                kessai_server::i18n::format_jst(kessai_core::Millis(e.imported_at_ms)),
                kessai_core::Yen(e.amount_yen).to_string(),
                e.file_name,
                e.position,
                e.identity,
                e.content
            );
        }
        println!(
            "{} entr(ies) of bank files listed, not applied (debits Kessai did not send, corrections)",
            listed.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn print_credits(credits: &[kessai_store::CreditRecord]) {
    println!(
        "{:<36}  {:<24} {:>12}  {:<22} reference",
        "id", "received", "amount", "bank ref"
    );
    for c in credits {
        println!(
            "{:<36}  {:<24} {:>12}  {:<22} {}",
            c.id,
            kessai_server::i18n::format_jst(kessai_core::Millis(c.received_at_ms)),
            kessai_core::Yen(c.amount_yen).to_string(),
            c.bank_ref,
            c.reference
        );
        if let Some(e) = &c.conflict_with {
            println!(
                "{:<36}  conflict: the bank reported {} before as {} ({}, {}), credit {} ({})",
                "",
                e.bank_ref,
                kessai_core::Yen(e.amount_yen),
                kessai_server::i18n::format_jst(kessai_core::Millis(e.received_at_ms)),
                e.content.as_deref().unwrap_or(&e.reference),
                e.id,
                e.outcome
            );
        }
    }
}
