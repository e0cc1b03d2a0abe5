//! Command-line options shared by several subcommands, and their translation into a `Config`.

use clap::Args;
use kessai_server::config::{Config, MailTransport, PasswordCost};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args, Clone)]
pub struct DbArgs {
    /// sqlite://PATH (default) or postgres://USER@HOST/DB.
    #[arg(long = "db", env = "KESSAI_DB", default_value = "sqlite://kessai.db")]
    pub db: String,
}

#[derive(Args, Clone)]
pub struct ServeArgs {
    #[arg(long, env = "KESSAI_LISTEN", default_value = "127.0.0.1:7480")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub db: DbArgs,
    /// Deliver email to this SMTP server (host:port). Without it, emails are written to --mail-dir.
    #[arg(long, env = "KESSAI_SMTP")]
    pub smtp: Option<String>,
    #[arg(long, env = "KESSAI_MAIL_DIR", default_value = "mail")]
    pub mail_dir: PathBuf,
    #[arg(
        long,
        env = "KESSAI_MAIL_FROM",
        default_value = "Kessai <kessai@localhost>"
    )]
    pub mail_from: String,
    /// Bearer token for the operator API. Without it the operator API is closed.
    #[arg(long, env = "KESSAI_OPERATOR_TOKEN")]
    pub operator_token: Option<String>,
    /// The operator's fee in basis points of the price (360 = 3.6%).
    #[arg(long, default_value_t = 360)]
    pub fee_basis_points: u32,
    /// A fixed part of the fee, in yen.
    #[arg(long, default_value_t = 0)]
    pub fee_fixed_yen: i64,
    #[arg(long, default_value_t = 7)]
    pub pay_days: u32,
    #[arg(long, default_value_t = 7)]
    pub ship_days: u32,
    /// argon2id memory in KiB (OWASP: 19456).
    #[arg(long, default_value_t = 19_456)]
    pub argon2_memory_kib: u32,
    #[arg(long, default_value_t = 2)]
    pub argon2_iterations: u32,
    /// Let POST /v1/operator/clock move time forward (tests and demos only).
    #[arg(long)]
    pub test_clock: bool,
    /// The bank and branch master (a zengin-code directory: banks.json, branches/). When set,
    /// accounts must name a real bank and branch, and bank files carry their kana names.
    #[arg(long, env = "KESSAI_BANK_MASTER")]
    pub bank_master: Option<PathBuf>,
    /// Give each deal its own collection account number from this range (e.g. 9000000-9099999)
    /// at the operator's bank and branch.
    #[arg(long, env = "KESSAI_VIRTUAL_ACCOUNTS")]
    pub virtual_accounts: Option<String>,
    /// On business days, write pending payouts and refunds as bank files by itself:
    /// zengin or iso20022.
    #[arg(long, env = "KESSAI_AUTO_EXPORT")]
    pub auto_export: Option<String>,
    /// Where outbound bank files (payouts, refunds) are written.
    #[arg(long, env = "KESSAI_BANK_OUT", default_value = "bank-out")]
    pub bank_out: PathBuf,
    /// Where people reach this server (scheme, host, port, any path prefix): every email links
    /// to the deal page under it.
    #[arg(long, env = "KESSAI_PUBLIC_URL", default_value = kessai_server::config::DEFAULT_PUBLIC_URL)]
    pub public_url: String,
    /// How often the scheduler looks for passed deadlines, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub scheduler_interval_ms: u64,
}

impl ServeArgs {
    pub fn config(&self) -> anyhow::Result<Config> {
        let mail = match &self.smtp {
            Some(hostport) => {
                let (host, port) = hostport
                    .rsplit_once(':')
                    .ok_or_else(|| anyhow::anyhow!("--smtp needs HOST:PORT"))?;
                MailTransport::Smtp {
                    host: host.to_string(),
                    port: port.parse()?,
                }
            }
            None => MailTransport::Directory(self.mail_dir.clone()),
        };
        let mut config = Config::new(&self.db.db, mail);
        config.listen = self.listen;
        config.mail_from = self.mail_from.clone();
        config.operator_token = self.operator_token.clone();
        config.fee = kessai_core::FeeRule {
            rate_basis_points: self.fee_basis_points,
            fixed_yen: self.fee_fixed_yen,
        };
        config.pay_days = self.pay_days;
        config.ship_days = self.ship_days;
        config.password_cost = PasswordCost {
            memory_kib: self.argon2_memory_kib,
            iterations: self.argon2_iterations,
        };
        config.test_clock = self.test_clock;
        config.bank_out_dir = self.bank_out.clone();
        if let Some(format) = &self.auto_export {
            let parsed = kessai_server::service::bank_export::ExportFormat::parse(format);
            config.auto_export =
                Some(parsed.ok_or_else(|| anyhow::anyhow!("--auto-export is zengin or iso20022"))?);
        }
        if let Some(range) = &self.virtual_accounts {
            let (first, last) = range.split_once('-').ok_or_else(|| {
                anyhow::anyhow!("--virtual-accounts FIRST-LAST, e.g. 9000000-9099999")
            })?;
            let (first, last): (i64, i64) = (first.trim().parse()?, last.trim().parse()?);
            anyhow::ensure!(
                0 < first && first <= last && last <= 9_999_999,
                "--virtual-accounts: a range of 7-digit account numbers"
            );
            config.virtual_accounts = Some((first, last));
        }
        if let Some(dir) = &self.bank_master {
            config.bank_master = Some(std::sync::Arc::new(
                kessai_server::bank_master::BankMaster::load(dir)?,
            ));
        }
        config.scheduler_interval = Duration::from_millis(self.scheduler_interval_ms);
        config.public_url = self.public_url.trim_end_matches('/').to_string();
        Ok(config)
    }
}
