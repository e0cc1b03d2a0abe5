//! Everything an operator can set. The CLI fills this in; tests build it directly.

use kessai_core::{BankAccount, FeeRule};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub enum MailTransport {
    /// Deliver over SMTP (plain, as to a local relay).
    Smtp { host: String, port: u16 },
    /// Write each email as an `.eml` file named by its outbox ID.
    Directory(PathBuf),
}

/// argon2id cost. The default is OWASP's recommendation (19 MiB, 2 passes).
#[derive(Clone, Copy, Debug)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        PasswordCost {
            memory_kib: 19_456,
            iterations: 2,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    pub mail: MailTransport,
    pub mail_from: String,
    /// Bearer token for `/v1/operator/*`. None disables the operator API.
    pub operator_token: Option<String>,
    pub fee: FeeRule,
    /// Days the buyer has to pay in full once the deal is agreed.
    pub pay_days: u32,
    /// Days the seller has to ship once the money is held.
    pub ship_days: u32,
    /// The operator's collection account, quoted in payment instructions; payouts leave from it.
    pub collection_account: BankAccount,
    /// 振込依頼人コード: the operator's 10-digit code at its bank, in Zengin transfer files.
    pub bank_requester_code: String,
    /// Where outbound bank files are written.
    pub bank_out_dir: PathBuf,
    /// When set, the scheduler writes pending payouts and refunds into bank files of this
    /// format on every business day, by itself.
    pub auto_export: Option<crate::service::bank_export::ExportFormat>,
    /// A range of account numbers at the operator's bank and branch, one per deal: a payment
    /// into a deal's own number matches it without any reference.
    pub virtual_accounts: Option<(i64, i64)>,
    /// The bank and branch master: when loaded, accounts must name a real bank and branch.
    pub bank_master: Option<std::sync::Arc<crate::bank_master::BankMaster>>,
    pub password_cost: PasswordCost,
    /// Wrong passwords in a row before a deal's login locks, and for how long.
    pub max_login_failures: i64,
    pub login_lock: Duration,
    pub scheduler_interval: Duration,
    pub mail_interval: Duration,
    /// Lets `POST /v1/operator/clock` move time forward: for tests and demos only.
    pub test_clock: bool,
    /// Where people reach this server: the links in emails start with it.
    pub public_url: String,
    /// Start the outbox and scheduler workers (off for some tests and the bench's measured server).
    pub workers: bool,
}

impl Config {
    pub fn new(database_url: &str, mail: MailTransport) -> Config {
        Config {
            listen: "127.0.0.1:7480".parse().expect("valid address"),
            database_url: database_url.to_string(),
            mail,
            mail_from: "Kessai <kessai@localhost>".into(),
            operator_token: None,
            fee: FeeRule::default(),
            pay_days: 7,
            ship_days: 7,
            collection_account: default_collection_account(),
            bank_requester_code: "0000000001".into(),
            bank_out_dir: PathBuf::from("bank-out"),
            bank_master: None,
            auto_export: None,
            virtual_accounts: None,
            password_cost: PasswordCost::default(),
            max_login_failures: 5,
            login_lock: Duration::from_secs(15 * 60),
            scheduler_interval: Duration::from_secs(1),
            mail_interval: Duration::from_millis(200),
            test_clock: false,
            workers: true,
            public_url: DEFAULT_PUBLIC_URL.into(),
        }
    }
}

/// The address of a server on its default listen address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:7480";

pub fn default_collection_account() -> BankAccount {
    BankAccount::parse(
        "0001",
        "001",
        kessai_core::AccountType::Ordinary,
        "1234567",
        "ｹﾂｻｲ ｴｽｸﾛ-",
    )
    .expect("valid default account")
}
