//! `kessai merchant`: onboard a merchant of the payment agency, suspend or reactivate one,
//! rotate its API key, list them. The key and signing secret are printed once; Kessai keeps
//! only the key's digest.

use crate::options::OperatorArgs;
use clap::{Args, Subcommand};
use kessai_core::contract::AccountInput;
use kessai_server::service::merchant::{self, FeeInput, MerchantInput, MerchantKey};
use std::collections::BTreeMap;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum MerchantCommand {
    /// Onboard a merchant; prints its API key and signing secret this once.
    Create(Box<CreateArgs>),
    /// Give a merchant a new API key; the old one stops working at once.
    RotateKey(IdArgs),
    /// Suspend a merchant: no new orders until it is activated again.
    Suspend(IdArgs),
    /// Make a suspended merchant active again.
    Activate(IdArgs),
    /// The merchants, one per line.
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
    /// Where order status changes are posted (signed).
    #[arg(long)]
    pub webhook_url: Option<String>,
    /// The payout account: BANK-BRANCH-NUMBER (ordinary), e.g. 0005-123-7654321.
    #[arg(long)]
    pub payout_account: String,
    /// The payout account's holder, in kana as the bank holds it.
    #[arg(long)]
    pub payout_holder: String,
    /// A method the merchant takes: bank_transfer, konbini or card (repeat for several).
    #[arg(long = "method", required = true)]
    pub methods: Vec<String>,
    /// A method's fee, METHOD=RATE_BP[+FIXED_YEN], e.g. card=360 or konbini=0+150 (repeat).
    #[arg(long = "fee")]
    pub fees: Vec<String>,
    /// The contract's first day (YYYY-MM-DD, default today) ...
    #[arg(long)]
    pub valid_from: Option<String>,
    /// ... and its last.
    #[arg(long)]
    pub valid_until: String,
    /// Money for an order after its expiry: accept (default) or refund.
    #[arg(long)]
    pub late_payment: Option<String>,
    /// When a card authorization is captured: on_shipment (default) or immediate.
    #[arg(long)]
    pub card_capture: Option<String>,
}

#[derive(Args)]
pub struct IdArgs {
    #[command(flatten)]
    pub operator: OperatorArgs,
    #[arg(long)]
    pub id: String,
}

pub async fn run(command: MerchantCommand) -> anyhow::Result<ExitCode> {
    let operator = match &command {
        MerchantCommand::Create(a) => &a.operator,
        MerchantCommand::RotateKey(a)
        | MerchantCommand::Suspend(a)
        | MerchantCommand::Activate(a) => &a.operator,
        MerchantCommand::List(o) => o,
    };
    let app = kessai_server::offline::open(operator.config()?).await?;
    let result = match &command {
        MerchantCommand::Create(a) => match input(a) {
            Ok(input) => merchant::create(&app, &input).await.map(|k| print_key(&k)),
            Err(e) => Err(kessai_server::error::AppError::invalid("fee", e)),
        },
        MerchantCommand::RotateKey(a) => merchant::rotate_key(&app, &a.id)
            .await
            .map(|k| print_key(&k)),
        MerchantCommand::Suspend(a) => merchant::set_status(&app, &a.id, false)
            .await
            .map(|m| println!("merchant {} is {}", m.id, m.status)),
        MerchantCommand::Activate(a) => merchant::set_status(&app, &a.id, true)
            .await
            .map(|m| println!("merchant {} is {}", m.id, m.status)),
        MerchantCommand::List(_) => merchant::list(&app).await.map(|all| {
            for m in all {
                println!(
                    "{}\t{}\t{}\t{}\tvalid {} to {}",
                    m.id,
                    m.name,
                    m.status,
                    m.methods.join(","),
                    m.valid_from,
                    m.valid_until
                );
            }
        }),
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

/// `METHOD=RATE_BP[+FIXED_YEN]`.
fn fee(s: &str) -> Result<(String, FeeInput), String> {
    let bad =
        || format!("--fee {s}: write METHOD=RATE_BP[+FIXED_YEN], e.g. card=360 or konbini=0+150");
    let (method, rule) = s.split_once('=').ok_or_else(bad)?;
    let (rate, fixed) = rule.split_once('+').unwrap_or((rule, "0"));
    Ok((
        method.trim().to_string(),
        FeeInput {
            rate_bp: rate.trim().parse().map_err(|_| bad())?,
            fixed_yen: fixed.trim().parse().map_err(|_| bad())?,
        },
    ))
}

fn input(a: &CreateArgs) -> Result<MerchantInput, String> {
    let mut parts = a.payout_account.splitn(3, '-');
    let (bank, branch, number) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let fees: BTreeMap<String, FeeInput> =
        a.fees.iter().map(|f| fee(f)).collect::<Result<_, _>>()?;
    Ok(MerchantInput {
        id: a.id.clone(),
        name: a.name.clone(),
        webhook_url: a.webhook_url.clone(),
        payout_account: AccountInput {
            bank_code: bank.into(),
            branch_code: branch.into(),
            account_type: "ordinary".into(),
            account_number: number.into(),
            holder_name: a.payout_holder.clone(),
        },
        methods: a.methods.clone(),
        fees,
        valid_from: a.valid_from.clone(),
        valid_until: a.valid_until.clone(),
        late_payment: a.late_payment.clone(),
        card_capture: a.card_capture.clone(),
    })
}

fn print_key(k: &MerchantKey) {
    println!("merchant {} ({})", k.merchant.id, k.merchant.name);
    println!("api key (shown once): {}", k.api_key);
    if let Some(secret) = &k.signing_secret {
        println!("signing secret (shown once): {secret}");
    }
}
