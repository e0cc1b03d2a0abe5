//! Command-line options shared by several subcommands, and their translation into a `Config`.

use crate::bank_options::BankArgs;
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

/// A command that acts as the operator on the database: the database and the operator's banks.
#[derive(Args, Clone)]
pub struct OperatorArgs {
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub bank: BankArgs,
}

impl OperatorArgs {
    /// The configuration of a command run without a server; its emails wait in the outbox.
    pub fn config(&self) -> anyhow::Result<Config> {
        let mut config = Config::new(&self.db.db, MailTransport::Directory("mail".into()));
        self.bank.apply(&mut config)?;
        // Here rather than only in `offline::open`, so that the reason reaches the operator.
        config.check()?;
        Ok(config)
    }
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
    #[command(flatten)]
    pub bank: BankArgs,
    /// On business days, write pending payouts and refunds as bank files by itself:
    /// zengin or iso20022.
    #[arg(long, env = "KESSAI_AUTO_EXPORT")]
    pub auto_export: Option<String>,
    /// Where outbound bank files (payouts, refunds) are written.
    #[arg(long, env = "KESSAI_BANK_OUT", default_value = "bank-out")]
    pub bank_out: PathBuf,
    /// Seconds a client has to send a request's head (also between requests).
    #[arg(long, env = "KESSAI_HEADER_TIMEOUT_SECS", default_value_t = 10)]
    pub header_timeout_secs: u64,
    /// Seconds without a byte either way after which a connection is closed.
    #[arg(long, env = "KESSAI_IDLE_TIMEOUT_SECS", default_value_t = 60)]
    pub idle_timeout_secs: u64,
    /// Connections served at once; more wait until one closes.
    #[arg(long, env = "KESSAI_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Where people reach this server (scheme, host, port, any path prefix): every email links
    /// to the deal page under it.
    #[arg(long, env = "KESSAI_PUBLIC_URL", default_value = kessai_server::config::DEFAULT_PUBLIC_URL)]
    pub public_url: String,
    /// How often the scheduler looks for passed deadlines, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    pub scheduler_interval_ms: u64,
    /// A PEM file of certificate authorities trusted for https webhook URLs besides the public
    /// ones (a site's private CA).
    #[arg(long, env = "KESSAI_WEBHOOK_CA")]
    pub webhook_ca: Option<PathBuf>,
    /// The card processor's API base URL (e.g. `kessai sim card`'s); without it the checkout
    /// page offers no card.
    #[arg(long, env = "KESSAI_CARD_PROCESSOR")]
    pub card_processor: Option<String>,
    /// The key that seals stored card numbers: 64 hex digits (AES-256-GCM). Needed with
    /// --card-processor; keep it out of the database's backups.
    #[arg(long, env = "KESSAI_CARD_KEY", hide_env_values = true)]
    pub card_key: Option<String>,
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
        anyhow::ensure!(
            self.max_connections > 0,
            "--max-connections must be at least 1"
        );
        config.http = kessai_server::config::HttpLimits {
            header_read_timeout: Duration::from_secs(self.header_timeout_secs),
            idle_timeout: Duration::from_secs(self.idle_timeout_secs),
            max_connections: self.max_connections,
        };
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
        self.bank.apply(&mut config)?;
        config.scheduler_interval = Duration::from_millis(self.scheduler_interval_ms);
        config.public_url = self.public_url.trim_end_matches('/').to_string();
        if let Some(path) = &self.webhook_ca {
            let pem = std::fs::read(path)
                .map_err(|e| anyhow::anyhow!("--webhook-ca {}: {e}", path.display()))?;
            config.webhook_ca_pem = Some(pem);
        }
        if let Some(url) = &self.card_processor {
            let hex_key = self.card_key.as_deref().ok_or_else(|| {
                anyhow::anyhow!("--card-processor needs --card-key (64 hex digits)")
            })?;
            config.card_processor_url = Some(url.trim_end_matches('/').to_string());
            config.card_data_key = Some(kessai_server::service::payment::seal::parse_key(hex_key)?);
        }
        Ok(config)
    }
}
