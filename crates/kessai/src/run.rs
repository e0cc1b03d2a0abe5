//! `kessai run`: the settlement desk's runs on demand (the scheduler runs them on business
//! days by itself).

use crate::bank::{print_files, refused};
use crate::options::OperatorArgs;
use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum RunCommand {
    /// Request the debit of every accepted contract due on the date: one file per buyer bank
    /// (Zengin 91 or pain.008, as the bank is configured).
    Debit(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub operator: OperatorArgs,
    /// The business day of the run, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// Where the bank files are written.
    #[arg(long, default_value = "bank-out")]
    pub out: PathBuf,
}

pub async fn run(command: RunCommand) -> anyhow::Result<ExitCode> {
    match command {
        RunCommand::Debit(a) => {
            let config = a.operator.config()?;
            match kessai_server::offline::debit_run(config, &a.date, &a.out).await {
                Ok(files) => {
                    print_files(&files, "nothing to request: no accepted contract is due");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            }
        }
    }
}
