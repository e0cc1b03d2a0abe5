//! `kessai sim bank ...`: the bank simulator from the command line. Its state lives in a JSON
//! file, so a sequence of commands under one seed repeats exactly. `kessai sim carrier`: the
//! carrier, which needs no state (its tracking numbers come from the seed).

use clap::{Args, Subcommand};
use kessai_sim::bank::{AccountRef, BankState};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum SimCommand {
    /// The operator's bank: reads Kessai's transfer files, answers them, reports credits.
    Bank {
        #[command(subcommand)]
        command: BankSim,
    },
    /// The carrier: answers every delivery instruction file in --in with a shipping notice in
    /// --out (the same name, `.notice.csv`), once.
    Carrier(CarrierArgs),
    /// The card processor over HTTP on --listen: authorization, capture, void and refund, with
    /// the conventional test numbers (4000000000000002 declines, …0069 expired, …0127 wrong CVC,
    /// …0119 processing error).
    Card(CardArgs),
    /// The convenience stores and their collection agent: take a payment by barcode or number,
    /// write the agent's preliminary or confirmed report.
    Konbini {
        #[command(subcommand)]
        command: KonbiniSim,
    },
}

#[derive(Subcommand)]
pub enum KonbiniSim {
    /// A store takes a payment (by the slip's barcode, or by its number and amount).
    Pay(KonbiniPayArgs),
    /// The agent writes its next report into --out (nothing to report: no file).
    Report(KonbiniReportArgs),
}

#[derive(Args)]
pub struct KonbiniPayArgs {
    /// The agent's state (JSON), made on first use.
    #[arg(long)]
    pub state: PathBuf,
    /// The slip's 44 barcode digits (AI 91 first).
    #[arg(long, required_unless_present = "number", conflicts_with = "number")]
    pub barcode: Option<String>,
    /// The payment number typed at the store's terminal ...
    #[arg(long, requires = "amount")]
    pub number: Option<String>,
    /// ... and the amount the terminal showed.
    #[arg(long)]
    pub amount: Option<i64>,
    /// When (YYYYMMDDHHMMSS, JST; default now).
    #[arg(long)]
    pub at: Option<String>,
    #[arg(long, default_value = "SEJ")]
    pub chain: String,
    #[arg(long, default_value = "000001")]
    pub store: String,
}

#[derive(Args)]
pub struct KonbiniReportArgs {
    #[arg(long)]
    pub state: PathBuf,
    /// preliminary (速報) or confirmed (確報).
    #[arg(long)]
    pub kind: String,
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct CardArgs {
    /// The address to listen on (loopback; port 0 for any free one). The address is printed.
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
}

#[derive(Args)]
pub struct CarrierArgs {
    /// Where Kessai's delivery instructions are (kessai-delivery-*.csv).
    #[arg(long = "in", required_unless_present = "listen", requires = "outbox")]
    pub inbox: Option<PathBuf>,
    #[arg(long = "out", requires = "inbox")]
    pub outbox: Option<PathBuf>,
    /// Serve the carrier's shipping system over HTTP instead, on this address (loopback):
    /// `POST /v1/shipments` with an instruction file answers with its shipping notice.
    #[arg(long, conflicts_with = "inbox")]
    pub listen: Option<std::net::SocketAddr>,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

/// Answers each instruction file not answered yet; returns the notices written.
fn carrier(inbox: &Path, outbox: &Path, seed: u64) -> anyhow::Result<ExitCode> {
    std::fs::create_dir_all(outbox)?;
    let mut names: Vec<PathBuf> = std::fs::read_dir(inbox)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("kessai-delivery-") && n.ends_with(".csv"))
        })
        .collect();
    names.sort();
    for path in names {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let notice = outbox.join(format!("{stem}.notice.csv"));
        if notice.exists() {
            continue;
        }
        let bytes = kessai_sim::carrier::ship(&std::fs::read(&path)?, seed)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        std::fs::write(&notice, bytes)?;
        println!("{}", notice.display());
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Subcommand)]
pub enum BankSim {
    /// Opens a new simulated bank.
    Init(InitArgs),
    /// A party transfers money into the operator's account.
    Transfer(TransferArgs),
    /// Answers every new file in the inbox and writes the bank's files to the outbox.
    Run(RunArgs),
}

#[derive(Args)]
pub struct InitArgs {
    #[arg(long)]
    pub state: PathBuf,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Share of outbound transfers rejected, 0.0 to 1.0. (With --files zengin, rejected
    /// transfers leave and come straight back, as Zengin transfers do.)
    #[arg(long, default_value_t = 0.0)]
    pub reject_rate: f64,
    /// Share of settled ISO transfers that the payee's bank sends back afterwards (a camt
    /// credit reversing the debit), 0.0 to 1.0.
    #[arg(long, default_value_t = 0.0)]
    pub return_rate: f64,
    #[arg(long, default_value = "0001")]
    pub operator_bank: String,
    #[arg(long, default_value = "001")]
    pub operator_branch: String,
    #[arg(long, default_value = "1234567")]
    pub operator_account: String,
    /// Which files the bank reports in: iso (camt.054 notices, camt.053 statements) or zengin
    /// (01 notices, 03 statements).
    #[arg(long, default_value = "iso")]
    pub files: String,
    /// Another account of the operator's, BANK-BRANCH-NUMBER (a collection account at another
    /// bank: its debits, sweeps and statement are the simulator's too). Repeatable.
    #[arg(long = "collection-account")]
    pub collection_accounts: Vec<String>,
}

#[derive(Args)]
pub struct TransferArgs {
    #[arg(long)]
    pub state: PathBuf,
    /// The payer's name as the bank shows it (half-width kana).
    #[arg(long)]
    pub from: String,
    #[arg(long)]
    pub amount: u64,
    /// What the payer quotes (the buyer's deal ID).
    #[arg(long, default_value = "")]
    pub reference: String,
}

#[derive(Args)]
pub struct RunArgs {
    #[arg(long)]
    pub state: PathBuf,
    /// Where Kessai writes its outbound files.
    #[arg(long)]
    pub inbox: PathBuf,
    /// Where the bank's answers and notifications are written.
    #[arg(long)]
    pub outbox: PathBuf,
    /// The bank's business date (YYYY-MM-DD).
    #[arg(long, default_value = "2026-11-24")]
    pub date: String,
}

fn load(path: &Path) -> anyhow::Result<BankState> {
    Ok(serde_json::from_slice(&std::fs::read(path)?)?)
}

fn save(path: &Path, state: &BankState) -> anyhow::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)?;
    std::fs::rename(tmp, path)?;
    Ok(())
}

pub async fn run(command: SimCommand) -> anyhow::Result<ExitCode> {
    let command = match command {
        SimCommand::Bank { command } => command,
        SimCommand::Card(args) => return card(args.listen).await,
        SimCommand::Konbini { command } => return konbini(command),
        SimCommand::Carrier(args) => {
            return match (&args.listen, &args.inbox, &args.outbox) {
                (Some(listen), _, _) => crate::carrier_http::serve(*listen, args.seed).await,
                (None, Some(inbox), Some(outbox)) => carrier(inbox, outbox, args.seed),
                _ => anyhow::bail!("give --in and --out, or --listen"),
            };
        }
    };
    match command {
        BankSim::Init(a) => {
            let operator = AccountRef {
                bank_code: a.operator_bank,
                branch_code: a.operator_branch,
                account_number: a.operator_account,
                name: "ｹﾂｻｲ".into(),
            };
            let per_mille = (a.reject_rate.clamp(0.0, 1.0) * 1000.0).round() as u32;
            let mut state = BankState::new(a.seed, per_mille, operator);
            state.return_per_mille = (a.return_rate.clamp(0.0, 1.0) * 1000.0).round() as u32;
            state.zengin_files = match a.files.as_str() {
                "zengin" => true,
                "iso" => false,
                other => anyhow::bail!("--files is iso or zengin, not {other}"),
            };
            for text in &a.collection_accounts {
                let parts: Vec<&str> = text.split('-').collect();
                let [bank, branch, number] = parts.as_slice() else {
                    anyhow::bail!("--collection-account is BANK-BRANCH-NUMBER, not {text}");
                };
                state.open_account(AccountRef {
                    bank_code: bank.to_string(),
                    branch_code: branch.to_string(),
                    account_number: number.to_string(),
                    name: "ｹﾂｻｲ".into(),
                });
            }
            save(&a.state, &state)?;
            println!(
                "simulated bank opened: seed {}, {per_mille}‰ of transfers rejected",
                a.seed
            );
        }
        BankSim::Transfer(a) => {
            let mut state = load(&a.state)?;
            state.transfer_in(&a.from, a.amount, &a.reference)?;
            save(&a.state, &state)?;
            println!(
                "{} sent ¥{} to the operator ({})",
                a.from, a.amount, a.reference
            );
        }
        BankSim::Run(a) => {
            let mut state = load(&a.state)?;
            let written = run_bank(&mut state, &a.inbox, &a.outbox, &a.date)?;
            save(&a.state, &state)?;
            for name in &written {
                println!("wrote {}", a.outbox.join(name).display());
            }
            if written.is_empty() {
                println!("nothing new");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One business day at the bank: answer new transfer files, then report incoming credits.
pub fn run_bank(
    state: &mut BankState,
    inbox: &Path,
    outbox: &Path,
    date: &str,
) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(outbox)?;
    let created_at = format!("{date}T09:00:00+09:00");
    let mut names: Vec<PathBuf> = std::fs::read_dir(inbox)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    let mut written = vec![];
    let mut out = |(name, bytes): (String, Vec<u8>)| -> anyhow::Result<()> {
        std::fs::write(outbox.join(&name), bytes)?;
        written.push(name);
        Ok(())
    };
    for path in &names {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = std::fs::read(path)?;
        // Credit transfers come as pain.001; direct-debit requests as pain.008 or Zengin 91.
        let pain_008 = bytes
            .windows(b"pain.008".len())
            .take(400)
            .any(|w| w == b"pain.008");
        let answers = if name.ends_with(".xml") && pain_008 {
            state.process_debit_batch(&name, &bytes, &created_at)?
        } else if name.ends_with(".xml") {
            state.process_outbound(&name, &bytes, &created_at, date)?
        } else if bytes.get(1..3) == Some(b"91") {
            state.process_debit_request(&name, &bytes)?
        } else if bytes.get(1..3) == Some(b"21") {
            state.process_zengin_transfers(&name, &bytes, date)?
        } else {
            vec![]
        };
        for file in answers {
            out(file)?;
        }
    }
    if let Some(file) = state.credit_notification(&created_at, date) {
        out(file)?;
    }
    for file in state.end_of_day_statements(&format!("{date}T17:00:00+09:00"), date) {
        out(file)?;
    }
    Ok(written)
}

/// Serves the card processor until stopped, judging expiry by today's month (JST).
async fn card(listen: std::net::SocketAddr) -> anyhow::Result<ExitCode> {
    let today = kessai_server::i18n::date_jst(kessai_core::Millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as i64,
    ));
    let processor =
        kessai_sim::card::Processor::new(today.year() as u32, u32::from(u8::from(today.month())));
    let addr = kessai_sim::card::spawn(listen, processor).await?;
    println!("card processor listening on http://{addr}");
    tokio::signal::ctrl_c().await?;
    Ok(ExitCode::SUCCESS)
}

fn now_jst() -> anyhow::Result<time::PrimitiveDateTime> {
    let now = time::OffsetDateTime::now_utc().to_offset(time::macros::offset!(+9));
    Ok(time::PrimitiveDateTime::new(now.date(), now.time()))
}

/// The stores and the agent, their state kept in a JSON file between commands.
fn konbini(command: KonbiniSim) -> anyhow::Result<ExitCode> {
    use kessai_formats::konbini::ReportKind;
    use kessai_sim::konbini::Agent;
    let state_path = match &command {
        KonbiniSim::Pay(a) => a.state.clone(),
        KonbiniSim::Report(a) => a.state.clone(),
    };
    let mut agent: Agent = match std::fs::read(&state_path) {
        Ok(bytes) => serde_json::from_slice(&bytes)?,
        Err(_) => Agent::new("KSN01"),
    };
    match command {
        KonbiniSim::Pay(a) => {
            let at = match a.at.as_deref() {
                Some(s) => time::PrimitiveDateTime::parse(
                    s,
                    time::macros::format_description!("[year][month][day][hour][minute][second]"),
                )
                .map_err(|_| anyhow::anyhow!("--at must be YYYYMMDDHHMMSS"))?,
                None => now_jst()?,
            };
            let taken = match (&a.barcode, &a.number, a.amount) {
                (Some(b), _, _) => agent.pay_by_barcode(b, at, &a.chain, &a.store),
                (None, Some(n), Some(amount)) => {
                    agent.pay_by_number(n, amount, at, &a.chain, &a.store)
                }
                _ => Err("give --barcode, or --number and --amount".into()),
            };
            if let Err(e) = taken {
                eprintln!("kessai sim konbini: {e}");
                return Ok(ExitCode::FAILURE);
            }
            println!("paid: {} payments taken so far", agent.payments.len());
        }
        KonbiniSim::Report(a) => {
            let kind = match a.kind.as_str() {
                "preliminary" => ReportKind::Preliminary,
                "confirmed" => ReportKind::Confirmed,
                other => anyhow::bail!("--kind must be preliminary or confirmed, not {other}"),
            };
            match agent.report(kind, now_jst()?) {
                Some((name, bytes)) => {
                    std::fs::create_dir_all(&a.out)?;
                    std::fs::write(a.out.join(&name), bytes)?;
                    println!("{}", a.out.join(&name).display());
                }
                None => println!("nothing to report"),
            }
        }
    }
    std::fs::write(&state_path, serde_json::to_vec_pretty(&agent)?)?;
    Ok(ExitCode::SUCCESS)
}
