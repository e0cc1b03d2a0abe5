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
    /// Instruct the carrier once for every contract whose goods may go (debited, or a bill):
    /// one CSV file (Shift_JIS), written to --out.
    Delivery(RunArgs),
    /// Pay every contract that may be paid (debited, and shipped unless its terms say
    /// regardless): its hold to the seller less the site's fee, one transfer each from the main
    /// account, exported (with every other pending payout and refund) as Zengin 21 or pain.001.
    Payout(RunArgs),
    /// Sweep each collection account's balance to the main account: one transfer from each
    /// (Zengin 21 or pain.001, as that bank takes debits), unless one is on its way.
    Sweep(RunArgs),
}

#[derive(Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub operator: OperatorArgs,
    /// The business day of the run, YYYY-MM-DD.
    #[arg(long)]
    pub date: String,
    /// Where the files are written.
    #[arg(long, default_value = "bank-out")]
    pub out: PathBuf,
}

pub async fn run(command: RunCommand) -> anyhow::Result<ExitCode> {
    let (a, files) = match command {
        RunCommand::Payout(a) => {
            let run = kessai_server::offline::payout_run(a.operator.config()?, &a.date, &a.out);
            return match run.await {
                Ok(run) => {
                    println!(
                        "paid {} contracts: {} transfers, {} yen to sellers, {} yen in fees",
                        run.contracts, run.transfers, run.paid_yen, run.fees_yen
                    );
                    print_files(&run.files, "no bank file: nothing pending");
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => refused(e),
            };
        }
        RunCommand::Debit(a) => {
            let files = kessai_server::offline::debit_run(a.operator.config()?, &a.date, &a.out);
            (
                "nothing to request: no accepted contract is due",
                files.await,
            )
        }
        RunCommand::Sweep(a) => {
            let files = kessai_server::offline::sweep_run(a.operator.config()?, &a.date, &a.out);
            (
                "nothing to sweep: no collection account holds money, or its sweep is on its way",
                files.await,
            )
        }
        RunCommand::Delivery(a) => {
            let files = kessai_server::offline::delivery_run(a.operator.config()?, &a.date, &a.out);
            (
                "nothing to instruct: no contract's goods may go",
                files.await,
            )
        }
    };
    match files {
        Ok(files) => {
            print_files(&files, a);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => refused(e),
    }
}
