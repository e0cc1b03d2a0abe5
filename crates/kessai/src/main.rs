//! `kessai`: the command line. Each subcommand lives in its own module.

mod bank;
mod bank_options;
mod bench;
mod bench_checkout;
mod bench_db;
mod bench_files;
mod bench_floor;
mod bench_import;
mod bench_konbini;
mod bench_mail;
mod bench_progress;
mod bench_read;
mod bench_settlement;
mod bench_support;
mod carrier;
mod carrier_http;
mod check;
mod client;
mod demo;
mod konbini;
mod merchant;
mod merchant_client;
mod options;
mod run;
mod serve;
mod sim;
mod site;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "kessai", version, about = "Escrow and payment agency server")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the API, the web pages, the email worker and the scheduler.
    Serve(options::ServeArgs),
    /// Apply database migrations and exit.
    Migrate(options::DbArgs),
    /// Verify every ledger invariant; exits 1 naming each violation.
    Check(options::DbArgs),
    /// Operations on the operator's bank: credits, file imports, the suspense list.
    Bank {
        #[command(subcommand)]
        command: bank::BankCommand,
    },
    /// The carrier's files: import a shipping notice.
    Carrier {
        #[command(subcommand)]
        command: carrier::CarrierCommand,
    },
    /// Marketplace sites: onboard one, rotate its API key, list them.
    Site {
        #[command(subcommand)]
        command: site::SiteCommand,
    },
    /// The collection agent's konbini payment files: import one.
    Konbini {
        #[command(subcommand)]
        command: konbini::KonbiniCommand,
    },
    /// Merchants of the payment agency: onboard one, suspend it, rotate its API key, list them.
    Merchant {
        #[command(subcommand)]
        command: merchant::MerchantCommand,
    },
    /// The settlement desk's runs, on demand.
    Run {
        #[command(subcommand)]
        command: run::RunCommand,
    },
    /// Play buyer, seller and bank for three deals against a temporary server.
    Demo(demo::DemoArgs),
    /// Partner simulators: stand-ins that speak the partners' files.
    Sim {
        #[command(subcommand)]
        command: sim::SimCommand,
    },
    /// Print throughput and latency figures.
    Bench {
        #[command(subcommand)]
        command: bench::BenchCommand,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("KESSAI_LOG")
                .unwrap_or_else(|_| "warn,kessai=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => serve::run(args).await,
            Command::Migrate(args) => check::migrate(args).await,
            Command::Check(args) => check::check(args).await,
            Command::Bank { command } => bank::run(command).await,
            Command::Carrier { command } => carrier::run(command).await,
            Command::Site { command } => site::run(command).await,
            Command::Merchant { command } => merchant::run(command).await,
            Command::Konbini { command } => konbini::run(command).await,
            Command::Run { command } => run::run(command).await,
            Command::Demo(args) => demo::run(args).await,
            Command::Bench { command } => bench::run(command).await,
            Command::Sim { command } => sim::run(command).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kessai: {e:#}");
            ExitCode::FAILURE
        }
    }
}
