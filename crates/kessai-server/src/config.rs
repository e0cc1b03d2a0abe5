//! Everything an operator can set. The CLI fills this in; tests build it directly.

use crate::bank_master::BankMaster;
use kessai_core::{BankAccount, FeeRule};
pub use kessai_formats::zengin::transfer::Designation;
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

/// What one HTTP client may hold of the server.
#[derive(Clone, Copy, Debug)]
pub struct HttpLimits {
    /// A request's head (request line and headers) must arrive within this, from the moment
    /// the server waits for it (also between requests on a kept-alive connection).
    pub header_read_timeout: Duration,
    /// A connection on which no byte moves either way for this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            // Well below the usual 1,024 open files, leaving room for the database and files.
            max_connections: 512,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub http: HttpLimits,
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
    /// The operator's banks, one collection account at each; the first is the main one
    /// (payment instructions quote it, payouts leave from it). None configured: Kessai refuses
    /// to start ([`Config::check`]).
    pub banks: Vec<OperatorBank>,
    /// Where outbound bank files are written.
    pub bank_out_dir: PathBuf,
    /// When set, the scheduler writes pending payouts and refunds into bank files of this
    /// format on every business day, by itself.
    pub auto_export: Option<crate::service::bank_export::ExportFormat>,
    /// A range of account numbers at the operator's bank and branch, one per deal: a payment
    /// into a deal's own number matches it without any reference.
    pub virtual_accounts: Option<(i64, i64)>,
    /// The bank and branch master: when loaded, accounts must name a real bank and branch.
    pub bank_master: Option<std::sync::Arc<BankMaster>>,
    /// Certificate authorities (PEM) trusted for https webhook URLs besides the public ones
    /// (webpki's roots): a site's private CA, or a test's.
    pub webhook_ca_pem: Option<Vec<u8>>,
    pub password_cost: PasswordCost,
    /// Wrong passwords in a row before a deal's login locks, and for how long.
    pub max_login_failures: i64,
    pub login_lock: Duration,
    /// How long a sign-in (a bearer token from registration or `POST …/session`) lasts.
    pub session_ttl: Duration,
    pub scheduler_interval: Duration,
    pub mail_interval: Duration,
    /// Lets `POST /v1/operator/clock` move time forward: for tests and demos only.
    pub test_clock: bool,
    /// Where people reach this server: the links in emails start with it.
    pub public_url: String,
    /// Start the outbox and scheduler workers (off for some tests and the bench's measured server).
    pub workers: bool,
    /// The card processor's API (`kessai sim card` on loopback in tests and demos). None: the
    /// checkout page offers no card.
    pub card_processor_url: Option<String>,
    /// The AES-256-GCM key that seals stored card numbers (32 bytes). Kept apart from the
    /// database (a flag or environment variable), as PCI DSS 3.5.1 asks.
    pub card_data_key: Option<[u8; 32]>,
    /// The 企業識別コード a konbini slip's barcode carries (6 digits, from the collection agent's
    /// contract).
    pub konbini_company_code: String,
}

impl Config {
    pub fn new(database_url: &str, mail: MailTransport) -> Config {
        Config {
            listen: "127.0.0.1:7480".parse().expect("valid address"),
            http: HttpLimits::default(),
            database_url: database_url.to_string(),
            mail,
            mail_from: "Kessai <kessai@localhost>".into(),
            operator_token: None,
            fee: FeeRule::default(),
            pay_days: 7,
            ship_days: 7,
            banks: vec![],
            bank_out_dir: PathBuf::from("bank-out"),
            bank_master: None,
            webhook_ca_pem: None,
            auto_export: None,
            virtual_accounts: None,
            password_cost: PasswordCost::default(),
            max_login_failures: 5,
            login_lock: Duration::from_secs(15 * 60),
            session_ttl: Duration::from_secs(30 * 60),
            scheduler_interval: Duration::from_secs(1),
            mail_interval: Duration::from_millis(200),
            test_clock: false,
            workers: true,
            public_url: DEFAULT_PUBLIC_URL.into(),
            card_processor_url: None,
            card_data_key: None,
            konbini_company_code: "912345".into(),
        }
    }
}

/// One bank the operator uses: its collection account there and what its transfer files say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperatorBank {
    /// The collection account. Its holder name is the operator's name as this bank holds it
    /// (kana), which is also the 振込依頼人名 of transfer files.
    pub account: BankAccount,
    /// 振込依頼人コード: the operator's 10-digit code at this bank.
    pub requester_code: String,
    /// 振込指定区分 of the transfers sent through this bank.
    pub designation: Designation,
    /// The file the direct debits of buyers at this bank are requested in.
    pub debit_format: DebitFormat,
}

/// How a bank takes direct-debit requests (口座振替).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DebitFormat {
    /// Zengin type 91.
    #[default]
    Zengin,
    /// ISO 20022 pain.008.001.08.
    Iso20022,
}

impl DebitFormat {
    pub fn parse(s: &str) -> Option<DebitFormat> {
        match s {
            "zengin" => Some(DebitFormat::Zengin),
            "iso20022" => Some(DebitFormat::Iso20022),
            _ => None,
        }
    }
}

/// Why Kessai will not start with this configuration.
pub const NO_BANK: &str = "no collection account is configured: give --bank-config FILE \
(KESSAI_BANK_CONFIG), or --collection-account BANK-BRANCH-NUMBER with --requester-code and \
--requester-name (see README, Configuration)";

impl Config {
    /// The operator's account a debit collected at `bank_code` pays into: the main account, or
    /// the collection account there; `None` when the operator has no account at that bank.
    pub fn collected_into(&self, bank_code: &str) -> Option<kessai_core::contract::PaidInto> {
        use kessai_core::contract::PaidInto;
        if bank_code == self.main_bank().account.bank_code {
            Some(PaidInto::Main)
        } else {
            self.banks
                .iter()
                .any(|b| b.account.bank_code == bank_code)
                .then(|| PaidInto::Collection(bank_code.to_string()))
        }
    }

    /// The main bank: payment instructions quote its account and payouts leave from it.
    pub fn main_bank(&self) -> &OperatorBank {
        self.banks
            .first()
            .expect("Config::check ran before the App was built")
    }

    /// The main collection account.
    pub fn collection_account(&self) -> &BankAccount {
        &self.main_bank().account
    }

    /// Whether money into this account is the operator's: one of its collection accounts, or a
    /// virtual account number at the main bank and branch. An unknown bank or branch (None)
    /// matches by the account number alone.
    pub fn holds_account(
        &self,
        bank_code: Option<&str>,
        branch_code: Option<&str>,
        account_number: &str,
    ) -> bool {
        // Numbers compare without their zero padding (Zengin 03 pads to 10 digits).
        let number = account_number.trim().trim_start_matches('0');
        let at = |a: &BankAccount| {
            bank_code.is_none_or(|b| b.trim() == a.bank_code)
                && branch_code.is_none_or(|b| b.trim() == a.branch_code)
        };
        let collection = self.banks.iter().any(|b| {
            at(&b.account)
                && !number.is_empty()
                && b.account.account_number.trim_start_matches('0') == number
        });
        let virtual_account = self.virtual_accounts.is_some_and(|(first, last)| {
            self.banks.first().is_some_and(|main| at(&main.account))
                && number.parse::<i64>().is_ok_and(|n| first <= n && n <= last)
        });
        collection || virtual_account
    }

    /// Refuses a configuration Kessai cannot run on: no collection account, two accounts at
    /// one bank, a requester code that is not 10 digits, or (with a bank master) a bank or
    /// branch the master does not know.
    pub fn check(&self) -> anyhow::Result<()> {
        anyhow::ensure!(!self.banks.is_empty(), NO_BANK);
        if let Some(pem) = &self.webhook_ca_pem {
            // The worker would fail at its start, out of sight: refuse to start instead.
            crate::webhook::worker::client(Some(pem)).map_err(|e| {
                anyhow::anyhow!("--webhook-ca: not a PEM file of certificates: {e}")
            })?;
        }
        for (i, bank) in self.banks.iter().enumerate() {
            let a = &bank.account;
            let name = format!(
                "the collection account {}-{} {}",
                a.bank_code, a.branch_code, a.account_number
            );
            anyhow::ensure!(
                bank.requester_code.len() == 10
                    && bank.requester_code.bytes().all(|b| b.is_ascii_digit()),
                "{name}: the requester code (振込依頼人コード) must be 10 digits, not {:?}",
                bank.requester_code
            );
            anyhow::ensure!(
                self.banks[..i]
                    .iter()
                    .all(|b| b.account.bank_code != a.bank_code),
                "{name}: a second collection account at bank {} (one per bank)",
                a.bank_code
            );
            if let Some(master) = &self.bank_master {
                master
                    .check(&a.bank_code, &a.branch_code)
                    .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
            }
        }
        Ok(())
    }
}

/// The address of a server on its default listen address.
pub const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:7480";

/// The operator bank of the demo and the simulator (and of tests): 0001-001 1234567 at the
/// simulated bank. Never a default of a real server.
pub fn demo_bank() -> OperatorBank {
    OperatorBank {
        account: BankAccount::parse(
            "0001",
            "001",
            kessai_core::AccountType::Ordinary,
            "1234567",
            "ｹﾂｻｲ ｴｽｸﾛ-",
        )
        .expect("valid demo account"),
        requester_code: "0000000001".into(),
        designation: Designation::Telegraphic,
        debit_format: DebitFormat::Zengin,
    }
}

/// A collection account at bank 0005 beside the demo bank (the main one), for the demo and
/// the benchmarks' marketplace day: buyers at 0005 are debited into it and it is swept.
pub fn demo_collection_bank() -> OperatorBank {
    OperatorBank {
        account: BankAccount::parse(
            "0005",
            "123",
            kessai_core::AccountType::Ordinary,
            "7000001",
            "ｹﾂｻｲ",
        )
        .expect("valid demo account"),
        requester_code: "0000000005".into(),
        designation: Designation::Telegraphic,
        debit_format: DebitFormat::Zengin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_holds_its_collection_accounts_and_virtual_accounts_at_the_main_bank() {
        let mut config = Config::new("sqlite://x", MailTransport::Directory("mail".into()));
        assert!(
            !config.holds_account(None, None, "1234567"),
            "no banks: nothing"
        );
        let mut second = demo_bank();
        second.account.bank_code = "0005".into();
        second.account.branch_code = "123".into();
        second.account.account_number = "0000042".into();
        config.banks = vec![demo_bank(), second];
        config.virtual_accounts = Some((9_000_000, 9_000_009));
        let cases = [
            (Some("0001"), Some("001"), "1234567", true),
            (None, None, "1234567", true),
            (Some("0001"), None, "1234567", true),
            (Some("0005"), Some("123"), "42", true),
            (Some("0005"), Some("123"), "1234567", false),
            (Some("0001"), Some("002"), "1234567", false),
            (Some("0001"), Some("001"), "7654321", false),
            (Some("0001"), Some("001"), "9000009", true),
            (None, None, "9000000", true),
            (Some("0001"), Some("001"), "9000010", false),
            (Some("0005"), Some("123"), "9000001", false),
            (None, None, "x", false),
            (None, None, "", false),
            (Some("0001"), Some("001"), "0001234567", true),
        ];
        for (bank, branch, number, held) in cases {
            assert_eq!(
                config.holds_account(bank, branch, number),
                held,
                "{bank:?} {branch:?} {number}"
            );
        }
    }
}
