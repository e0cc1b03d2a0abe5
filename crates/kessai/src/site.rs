//! `kessai site`: onboard a marketplace site, rotate its API key, list the sites. The key is
//! printed once; Kessai keeps only its digest.

use crate::options::OperatorArgs;
use clap::{Args, Subcommand};
use kessai_server::service::site::{self, SiteInput, SiteKey};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum SiteCommand {
    /// Onboard a site; prints its API key (and webhook secret) this once.
    Create(CreateArgs),
    /// Give a site a new API key; the old one stops working at once.
    RotateKey(RotateArgs),
    /// The sites, one per line.
    List(OperatorArgs),
}

#[derive(Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub operator: OperatorArgs,
    /// 2 to 32 lower-case letters, digits or '-'.
    #[arg(long)]
    pub id: String,
    #[arg(long)]
    pub name: String,
    /// Where status changes are posted.
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// The bank code of the operator's account the site's money is concentrated in.
    #[arg(long)]
    pub main_bank: String,
    /// A bank whose collection account the site's buyers are debited into (repeat for
    /// several; default: the main bank).
    #[arg(long = "collection-bank")]
    pub collection_banks: Vec<String>,
    /// The fee per contract: a rate in basis points ...
    #[arg(long, default_value_t = 0)]
    pub fee_rate_bp: i64,
    /// ... plus a fixed amount in yen.
    #[arg(long, default_value_t = 0)]
    pub fee_fixed_yen: i64,
    /// Business days from acceptance to the debit.
    #[arg(long, default_value_t = 2)]
    pub debit_lead_days: i64,
    /// Business days from the debit to the delivery instruction.
    #[arg(long, default_value_t = 1)]
    pub delivery_lead_days: i64,
    /// Business days from the delivery instruction to the shipment.
    #[arg(long, default_value_t = 2)]
    pub shipping_lead_days: i64,
    /// Business days from shipment to the payout.
    #[arg(long, default_value_t = 2)]
    pub payout_lead_days: i64,
    /// Instruct the carrier only once the seller is paid.
    #[arg(long)]
    pub delivery_after_payout: bool,
}

#[derive(Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub operator: OperatorArgs,
    #[arg(long)]
    pub id: String,
}

pub async fn run(command: SiteCommand) -> anyhow::Result<ExitCode> {
    let operator = match &command {
        SiteCommand::Create(a) => &a.operator,
        SiteCommand::RotateKey(a) => &a.operator,
        SiteCommand::List(o) => o,
    };
    let app = kessai_server::offline::open(operator.config()?).await?;
    let result = match &command {
        SiteCommand::Create(a) => site::create(&app, &input(a)).await.map(|k| print_key(&k)),
        SiteCommand::RotateKey(a) => site::rotate_key(&app, &a.id).await.map(|k| print_key(&k)),
        SiteCommand::List(_) => app.store.sites().await.map(print_sites).map_err(Into::into),
    };
    app.store.close().await;
    match result {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => {
            eprintln!("kessai: {}", e.message);
            Ok(ExitCode::FAILURE)
        }
    }
}

fn print_sites(sites: Vec<kessai_store::SiteRecord>) {
    for s in sites {
        println!(
            "{}\t{}\tmain bank {}\tcollection banks {}",
            s.id,
            s.name,
            s.main_bank,
            s.collection_banks.join(",")
        );
    }
}

fn input(a: &CreateArgs) -> SiteInput {
    SiteInput {
        id: a.id.clone(),
        name: a.name.clone(),
        webhook_url: a.webhook_url.clone(),
        main_bank: a.main_bank.clone(),
        collection_banks: a.collection_banks.clone(),
        fee_rate_bp: a.fee_rate_bp,
        fee_fixed_yen: a.fee_fixed_yen,
        debit_lead_days: a.debit_lead_days,
        delivery_lead_days: a.delivery_lead_days,
        shipping_lead_days: a.shipping_lead_days,
        payout_lead_days: a.payout_lead_days,
        delivery_after_payout: a.delivery_after_payout,
    }
}

fn print_key(k: &SiteKey) {
    println!("site {} ({})", k.site.id, k.site.name);
    println!("api key (shown once): {}", k.api_key);
    if let Some(secret) = &k.webhook_secret {
        println!("webhook secret (shown once): {secret}");
    }
}
