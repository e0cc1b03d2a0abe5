//! `kessai demo`: plays buyer, seller and bank through the HTTP API for three deals — one clean,
//! one underpaid then topped up, one never shipped and refunded — then a marketplace day and a
//! shop's orders by card and at convenience stores, printing each step and each email, and ends
//! with the ledger check.
//!
//! By default it starts its own server on a temporary database. With `--server` it drives an
//! existing one instead (the crash test does this while killing and restarting the server).

mod market;
mod shop;

use crate::client::{str_field, Api, Party, SignIn};
use clap::Args;
use kessai_server::config::{Config, MailTransport};
use kessai_sim::bank::{AccountRef, BankState};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct DemoArgs {
    /// Drive this running server instead of starting one (needs --operator-token and --test-clock on it).
    #[arg(long)]
    pub server: Option<String>,
    #[arg(long, env = "KESSAI_OPERATOR_TOKEN")]
    pub operator_token: Option<String>,
    /// Database for the demo's own server (default: a temporary SQLite file).
    #[arg(long)]
    pub db: Option<String>,
    /// Tag added to the demo's email addresses, so that repeated runs on one database stay apart.
    #[arg(long, default_value = "")]
    pub tag: String,
    /// Pause between steps, in milliseconds (for watching, and for the crash test's timing).
    #[arg(long, default_value_t = 0)]
    pub pace_ms: u64,
    /// With --server: the directory that server writes its bank files to (its --bank-out).
    #[arg(long)]
    pub bank_out: Option<PathBuf>,
}

/// The operator's account at the simulated bank: the demo bank's collection account.
fn operator_account() -> AccountRef {
    let account = kessai_server::config::demo_bank().account;
    AccountRef {
        bank_code: account.bank_code,
        branch_code: account.branch_code,
        account_number: account.account_number,
        name: account.holder_name,
    }
}

/// The simulated bank: the demo bank's account, and the collection account at 0005.
fn simulated_banks() -> BankState {
    let mut bank = BankState::new(42, 0, operator_account());
    let collection = kessai_server::config::demo_collection_bank().account;
    bank.open_account(AccountRef {
        bank_code: collection.bank_code,
        branch_code: collection.branch_code,
        account_number: collection.account_number,
        name: collection.holder_name,
    });
    bank
}

struct Demo {
    api: Api,
    app: Option<Arc<kessai_server::App>>,
    printed: HashSet<String>,
    /// Every party ID seen so far: after each step, new emails to any of them are printed.
    parties: Vec<String>,
    ship_days: u32,
    pace: Duration,
    /// The operator's bank, simulated: money moves only through its files.
    bank: BankState,
    /// Where the server writes its outbound files, and where the bank's answers go.
    bank_out: PathBuf,
    bank_in: PathBuf,
    uploaded: HashSet<PathBuf>,
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let workdir = tempfile::tempdir()?;
    let (base, token, app, bank_out) = match &args.server {
        Some(url) => {
            let token = args
                .operator_token
                .clone()
                .ok_or_else(|| anyhow::anyhow!("--server needs --operator-token"))?;
            let bank_out = args.bank_out.clone().ok_or_else(|| {
                anyhow::anyhow!("--server needs --bank-out (that server's bank file directory)")
            })?;
            (url.clone(), token, None, bank_out)
        }
        None => {
            let db = args.db.clone().unwrap_or_else(|| {
                format!("sqlite://{}", workdir.path().join("kessai.db").display())
            });
            let mut config =
                Config::new(&db, MailTransport::Directory(workdir.path().join("mail")));
            config.listen = "127.0.0.1:0".parse()?;
            config.operator_token = Some(kessai_server::secrets::random_token());
            config.test_clock = true;
            config.mail_interval = Duration::from_millis(50);
            // The demo runs the desk's runs and deadlines itself, each step printed; the
            // scheduler's own pass (every business day) would race it.
            config.scheduler_interval = Duration::from_secs(24 * 3600);
            config.bank_out_dir = workdir.path().join("bank-out");
            // The demo's operator banks at the simulated bank, configured as an operator would.
            config.banks = vec![
                kessai_server::config::demo_bank(),
                kessai_server::config::demo_collection_bank(),
            ];
            // The card processor, simulated on loopback, and a key of this run's own for the
            // card numbers it seals.
            let today = kessai_server::i18n::date_jst(kessai_core::Millis(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)?
                    .as_millis() as i64,
            ));
            let processor = kessai_sim::card::Processor::new(
                today.year() as u32,
                u32::from(u8::from(today.month())),
            );
            let card = kessai_sim::card::spawn("127.0.0.1:0".parse()?, processor).await?;
            config.card_processor_url = Some(format!("http://{card}"));
            config.card_data_key =
                Some(kessai_server::service::payment::seal::parse_key(&format!(
                    "{}{}",
                    kessai_server::secrets::random_token(),
                    &kessai_server::secrets::random_token()[..16]
                ))?);
            let bank_out = config.bank_out_dir.clone();
            let token = config.operator_token.clone().unwrap_or_default();
            let running = kessai_server::start(config).await?;
            println!("demo server on http://{} (database {db})", running.addr);
            (
                format!("http://{}", running.addr),
                token,
                Some(running.app),
                bank_out,
            )
        }
    };
    let mut demo = Demo {
        api: Api::new(&base, &token),
        app,
        printed: HashSet::new(),
        parties: vec![],
        ship_days: 7,
        pace: Duration::from_millis(args.pace_ms),
        bank: simulated_banks(),
        bank_out,
        bank_in: workdir.path().join("from-bank"),
        uploaded: HashSet::new(),
    };
    let tag = if args.tag.is_empty() {
        String::new()
    } else {
        format!("+{}", args.tag)
    };

    println!("\n=== Deal 1: a clean deal ===");
    let (buyer, seller) = demo
        .agree(
            "中古ギター Fender Stratocaster",
            52_000,
            &format!("taro{tag}@example.jp"),
            &format!("hanako{tag}@example.jp"),
        )
        .await?;
    demo.pay(52_000, "ﾔﾏﾀﾞ ﾀﾛｳ", &buyer).await?;
    demo.ship(&seller, Some("1234-5678-9012")).await?;
    demo.confirm(&buyer).await?;

    println!("\n=== Deal 2: underpaid, then topped up (and a little over) ===");
    let (buyer2, seller2) = demo
        .agree(
            "カメラ Nikon F3",
            30_000,
            &format!("jiro{tag}@example.jp"),
            &format!("yoko{tag}@example.jp"),
        )
        .await?;
    demo.pay(20_000, "ｽｽﾞｷ ｼﾞﾛｳ", &format!("ｽｽﾞｷ ｼﾞﾛｳ {buyer2}"))
        .await?;
    demo.pay(12_000, "ｽｽﾞｷ ｼﾞﾛｳ", &buyer2.to_lowercase()).await?;
    demo.ship(&seller2, None).await?;
    demo.confirm(&buyer2).await?;

    println!("\n=== Deal 3: paid but never shipped: refunded at the deadline ===");
    let (buyer3, _seller3) = demo
        .agree(
            "腕時計 Seiko",
            18_000,
            &format!("saburo{tag}@example.jp"),
            &format!("keiko{tag}@example.jp"),
        )
        .await?;
    demo.pay(18_000, "ｻﾄｳ ｻﾌﾞﾛｳ", &format!("{buyer3} ｻﾄｳ"))
        .await?;
    demo.expire(&buyer3).await?;

    println!("\n=== A stray payment with no deal ID: returned to its payer ===");
    demo.pay(4_800, "ﾀｶﾊｼ ｼﾛｳ", "").await?;
    demo.return_stray("ﾀｶﾊｼ ｼﾛｳ").await?;
    demo.settle().await?;
    // On its own server only: a server driven from outside may be restarted under it (the
    // crash test), and the desk's day is not what that test is about.
    if demo.app.is_some() {
        demo.market_day().await?;
        demo.shop_day().await?;
    }

    demo.finish().await
}

const BUYER_PASSWORD: &str = "buyer-secret-1";
const SELLER_PASSWORD: &str = "seller-secret-1";

impl Demo {
    async fn agree(
        &mut self,
        item: &str,
        price_yen: i64,
        buyer_email: &str,
        seller_email: &str,
    ) -> anyhow::Result<(String, String)> {
        let mut p = Party {
            item,
            price_yen,
            buyer: ("山田 太郎", buyer_email),
            seller: ("佐藤 花子", seller_email),
            password: BUYER_PASSWORD,
        };
        let b = self.api.register("buyer", &p).await?;
        let buyer = str_field(&b, "deal_id")?.to_string();
        self.parties.push(buyer.clone());
        println!(
            "buyer registers \"{item}\" for ¥{price_yen} → deal ID {buyer} ({})",
            str_field(&b, "status")?
        );
        self.emails().await?;
        p.password = SELLER_PASSWORD;
        tokio::time::sleep(self.pace).await;
        let s = self.api.register("seller", &p).await?;
        let seller = str_field(&s, "deal_id")?.to_string();
        self.parties.push(seller.clone());
        println!(
            "seller registers the same deal → deal ID {seller} ({})",
            str_field(&s, "status")?
        );
        self.emails().await?;
        Ok((buyer, seller))
    }

    /// The buyer transfers money at the bank, quoting `reference`; the bank notifies Kessai.
    async fn pay(&mut self, amount: i64, payer: &str, reference: &str) -> anyhow::Result<()> {
        tokio::time::sleep(self.pace).await;
        self.bank.transfer_in(payer, amount as u64, reference)?;
        println!("{payer} transfers ¥{amount} at the bank quoting \"{reference}\"");
        self.bank_day().await?;
        self.emails().await
    }

    /// A day at the bank: it answers Kessai's new files and reports the credits it received; Kessai
    /// imports every file the bank wrote. (A repeated upload after a server restart is recognized.)
    async fn bank_day(&mut self) -> anyhow::Result<()> {
        // The bank's day is the server's (a fixed day for a server driven from outside).
        let date = match &self.app {
            Some(app) => kessai_server::i18n::date_jst(app.clock.now()).to_string(),
            None => "2026-11-24".to_string(),
        };
        let written = crate::sim::run_bank(&mut self.bank, &self.bank_out, &self.bank_in, &date)?;
        for name in written {
            let path = self.bank_in.join(&name);
            if !self.uploaded.insert(path.clone()) {
                continue;
            }
            let s = self.api.upload(&name, std::fs::read(&path)?).await?;
            println!(
                "  bank file {name} ({}) imported: {} credit(s) matched, {} to suspense, {} answer(s) applied, {} already applied earlier",
                s["format"].as_str().unwrap_or("?"),
                s["matched"],
                s["unmatched"],
                s["answers_applied"],
                s["duplicates"].as_i64().unwrap_or(0) + s["answers_duplicate"].as_i64().unwrap_or(0)
            );
            if s["debits_applied"].as_i64().unwrap_or(0) > 0 {
                println!(
                    "    direct-debit results applied to contracts: {}",
                    s["debits_applied"]
                );
            }
        }
        Ok(())
    }

    /// The operator finds the newest suspense credit from `payer` and sends it back to the
    /// payer's account (which the payer gave when asking where the money went).
    async fn return_stray(&mut self, payer: &str) -> anyhow::Result<()> {
        tokio::time::sleep(self.pace).await;
        let list = self
            .api
            .operator(Method::GET, "/v1/operator/suspense", None)
            .await?;
        let credits = list["credits"].as_array().cloned().unwrap_or_default();
        let credit = credits
            .iter()
            .rev()
            .find(|c| c["reference"].as_str().is_some_and(|r| r.contains(payer)))
            .ok_or_else(|| anyhow::anyhow!("no suspense credit from {payer}: {list}"))?;
        let id = crate::client::str_field(credit, "id")?.to_string();
        println!(
            "  operator sees ¥{} from {payer} on the suspense list (no deal ID): returns it",
            credit["amount_yen"]
        );
        let account = json!({ "bank_code": "0005", "branch_code": "123", "account_type": "ordinary", "account_number": "7654321", "holder_name": payer });
        let r = self
            .api
            .operator_once(
                &format!("/v1/operator/suspense/{id}/return"),
                account,
                &format!("demo-return-{id}"),
            )
            .await?;
        println!(
            "  return instruction {} ({}), quoting {}",
            r["instruction_id"].as_str().unwrap_or("?"),
            r["status"].as_str().unwrap_or("?"),
            r["payee_ref"].as_str().unwrap_or("?")
        );
        Ok(())
    }

    /// The operator exports pending payouts and refunds; the bank settles them.
    async fn settle(&mut self) -> anyhow::Result<()> {
        let r = self
            .api
            .operator(
                Method::POST,
                "/v1/operator/bank-exports",
                Some(json!({ "format": "iso20022" })),
            )
            .await?;
        for f in r["files"].as_array().cloned().unwrap_or_default() {
            println!(
                "  operator exports {} ({} instruction(s), ¥{})",
                f["file_name"].as_str().unwrap_or("?"),
                f["records"],
                f["total_yen"]
            );
        }
        self.bank_day().await
    }

    async fn ship(&mut self, seller: &str, tracking: Option<&str>) -> anyhow::Result<()> {
        tokio::time::sleep(self.pace).await;
        let r = self
            .api
            .step(
                seller,
                SignIn::Password(SELLER_PASSWORD),
                "shipment",
                json!({ "tracking_number": tracking }),
            )
            .await?;
        println!(
            "seller reports shipment (tracking {}) → {}",
            tracking.unwrap_or("none"),
            str_field(&r, "status")?
        );
        self.emails().await
    }

    async fn confirm(&mut self, buyer: &str) -> anyhow::Result<()> {
        tokio::time::sleep(self.pace).await;
        let r = self
            .api
            .step(
                buyer,
                SignIn::Password(BUYER_PASSWORD),
                "receipt",
                json!({}),
            )
            .await?;
        println!("buyer confirms receipt → {}", str_field(&r, "status")?);
        self.settle().await?;
        self.instructions(buyer).await?;
        self.emails().await
    }

    async fn expire(&mut self, buyer: &str) -> anyhow::Result<()> {
        tokio::time::sleep(self.pace).await;
        let advance_ms = i64::from(self.ship_days + 1) * 86_400_000;
        println!("{} days pass with no shipment…", self.ship_days + 1);
        // The test clock lives in the server's memory: if the server restarted in between, the
        // deadline has not passed for it yet, so time is moved again (a bounded number of times).
        for _ in 0..5 {
            self.api
                .operator(
                    Method::POST,
                    "/v1/operator/clock",
                    Some(json!({ "advance_ms": advance_ms })),
                )
                .await?;
            let r = self
                .api
                .operator(Method::POST, "/v1/operator/scheduler/run", None)
                .await?;
            let view = self.api.view(buyer, BUYER_PASSWORD).await?;
            let status = str_field(&view, "status")?.to_string();
            println!(
                "scheduler runs ({} deadline(s) fired) → deal {buyer} is {status}",
                r["changed"]
            );
            if status == "refunded" {
                break;
            }
        }
        self.settle().await?;
        self.instructions(buyer).await?;
        self.emails().await
    }

    async fn instructions(&self, deal: &str) -> anyhow::Result<()> {
        let list = self
            .api
            .operator(
                Method::GET,
                &format!("/v1/operator/instructions?deal_id={deal}"),
                None,
            )
            .await?;
        for i in list["instructions"].as_array().cloned().unwrap_or_default() {
            let account = &i["bank_account"];
            println!(
                "  bank instruction: {} ¥{} to the {} ({}-{} {}), {}",
                i["purpose"].as_str().unwrap_or("?"),
                i["amount_yen"],
                i["party"].as_str().unwrap_or("?"),
                account["bank_code"].as_str().unwrap_or("?"),
                account["branch_code"].as_str().unwrap_or("?"),
                account["account_number"].as_str().unwrap_or("?"),
                i["status"].as_str().unwrap_or("?")
            );
        }
        Ok(())
    }

    /// Prints emails not yet printed (only when the demo runs its own server).
    async fn emails(&mut self) -> anyhow::Result<()> {
        let Some(app) = &self.app else { return Ok(()) };
        for party in &self.parties {
            for e in app.store.emails_for(party).await? {
                if self.printed.insert(e.id.clone()) {
                    println!("  ✉ to {}: {}", e.to, e.subject);
                    for line in e.body.lines().filter(|l| !l.is_empty()) {
                        println!("  │ {line}");
                    }
                }
            }
        }
        Ok(())
    }

    async fn finish(&mut self) -> anyhow::Result<ExitCode> {
        if let Some(app) = &self.app {
            for _ in 0..200 {
                if app.store.outbox_counts().await?.0 == 0 {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let (pending, sent) = app.store.outbox_counts().await?;
            println!("\nemails delivered: {sent}, still pending: {pending}");
        }
        let check: Value = self
            .api
            .operator(Method::GET, "/v1/operator/check", None)
            .await?;
        if check["ok"].as_bool() == Some(true) {
            println!(
                "ledger check: ok — every journal balances and every deal's money is accounted for"
            );
            Ok(ExitCode::SUCCESS)
        } else {
            println!("ledger check FAILED: {}", check["violations"]);
            Ok(ExitCode::FAILURE)
        }
    }
}
