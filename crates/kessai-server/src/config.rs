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
        }
    }
}

impl Config {
    /// Whether Kessai holds this account, so that a bank file about it may be applied: the
    /// collection account, and the numbers of the virtual-account range at the collection
    /// account's bank and branch. Numbers compare without their zero padding (Zengin 03 pads
    /// to 10 digits); `None` for the bank or branch matches any (a format that names the
    /// account by number only).
    pub fn holds_account(
        &self,
        bank_code: Option<&str>,
        branch_code: Option<&str>,
        account_number: &str,
    ) -> bool {
        let c = &self.collection_account;
        let at = |given: Option<&str>, ours: &str| given.is_none_or(|g| g.trim() == ours);
        if !(at(bank_code, &c.bank_code) && at(branch_code, &c.branch_code)) {
            return false;
        }
        let number = account_number.trim().trim_start_matches('0');
        if number == c.account_number.trim_start_matches('0') {
            return true;
        }
        let virtual_number = number.parse::<i64>().ok();
        matches!((self.virtual_accounts, virtual_number), (Some((low, high)), Some(n)) if (low..=high).contains(&n))
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collection_account_and_the_virtual_range_are_held() {
        let mut config = Config::new("sqlite::memory:", MailTransport::Directory("m".into()));
        config.virtual_accounts = Some((9_000_000, 9_000_009));
        let held = |bank, branch, number| config.holds_account(bank, branch, number);
        assert!(held(Some("0001"), Some("001"), "1234567"));
        assert!(
            held(Some("0001"), Some("001"), "0001234567"),
            "03 pads to 10 digits"
        );
        assert!(held(None, None, "1234567"));
        assert!(held(Some("0001"), Some("001"), "9000009"));
        assert!(!held(Some("0001"), Some("001"), "9000010"));
        assert!(!held(Some("0005"), Some("009"), "7654321"));
        assert!(!held(Some("0005"), Some("001"), "1234567"), "another bank");
        assert!(
            !held(Some("0001"), Some("002"), "1234567"),
            "another branch"
        );
        assert!(!held(None, None, "7654321"));
    }
}
