//! The operator's banks and the bank master, as `kessai serve` and every `kessai bank` command
//! take them: one set of options, flattened into each command, so that they all read the same
//! flags and environment.

use clap::Args;
use kessai_core::{AccountType, BankAccount};
use kessai_server::bank_master::BankMaster;
use kessai_server::config::{Config, DebitFormat, Designation, OperatorBank};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Args, Clone, Default)]
pub struct BankArgs {
    /// The bank and branch master (a zengin-code directory: banks.json, branches/). When set,
    /// accounts must name a real bank and branch, and bank files carry their kana names.
    #[arg(long, env = "KESSAI_BANK_MASTER")]
    pub bank_master: Option<PathBuf>,
    /// The operator's banks, a TOML file of [[bank]] tables (see README). Instead of the
    /// --collection-account flags.
    #[arg(long, env = "KESSAI_BANK_CONFIG")]
    pub bank_config: Option<PathBuf>,
    /// The operator's (main) collection account: BANK-BRANCH-NUMBER, e.g. 0001-001-1234567.
    #[arg(long, env = "KESSAI_COLLECTION_ACCOUNT")]
    pub collection_account: Option<String>,
    /// ordinary (普通), current (当座) or savings (貯蓄): the collection account's type.
    #[arg(long, env = "KESSAI_ACCOUNT_TYPE", default_value = "ordinary")]
    pub account_type: String,
    /// 振込依頼人コード: the operator's 10-digit code at that bank.
    #[arg(long, env = "KESSAI_REQUESTER_CODE")]
    pub requester_code: Option<String>,
    /// The operator's name as the bank holds it (kana): the collection account's holder and
    /// the 振込依頼人名 of transfer files.
    #[arg(long, env = "KESSAI_REQUESTER_NAME")]
    pub requester_name: Option<String>,
    /// 振込指定区分 of transfers: 7 (telegraphic) or 8 (document).
    #[arg(long, env = "KESSAI_TRANSFER_DESIGNATION", default_value_t = 7)]
    pub transfer_designation: u8,
    /// Give each deal its own collection account number from this range (e.g. 9000000-9099999)
    /// at the main bank and branch.
    #[arg(long, env = "KESSAI_VIRTUAL_ACCOUNTS")]
    pub virtual_accounts: Option<String>,
}

/// One `[[bank]]` table of the bank configuration file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BankEntry {
    bank_code: String,
    branch_code: String,
    #[serde(default = "ordinary")]
    account_type: String,
    account_number: String,
    requester_code: String,
    requester_name: String,
    #[serde(default = "telegraphic")]
    transfer_designation: u8,
    /// How buyers at this bank are debited: `zengin` (type 91, default) or `iso20022` (pain.008).
    #[serde(default)]
    debit_format: Option<String>,
    /// The bank payouts leave from (default: the first).
    #[serde(default)]
    main: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BankFile {
    bank: Vec<BankEntry>,
}

fn ordinary() -> String {
    "ordinary".into()
}

fn telegraphic() -> u8 {
    7
}

impl BankEntry {
    fn operator_bank(&self) -> anyhow::Result<OperatorBank> {
        let account_type: AccountType =
            serde_json::from_value(serde_json::Value::String(self.account_type.clone()))
                .map_err(|_| anyhow::anyhow!("the account type is ordinary, current or savings"))?;
        let account = BankAccount::parse(
            &self.bank_code,
            &self.branch_code,
            account_type,
            &self.account_number,
            &self.requester_name,
        )
        .map_err(|e| match e.field {
            "holder_name" => anyhow::anyhow!("requester_name: {}", e.problem),
            field => anyhow::anyhow!("{field}: {}", e.problem),
        })?;
        let designation = Designation::from_code(self.transfer_designation).ok_or_else(|| {
            anyhow::anyhow!(
                "transfer_designation (振込指定区分) is 7 (telegraphic) or 8 (document), not {}",
                self.transfer_designation
            )
        })?;
        let debit_format = match self.debit_format.as_deref() {
            None => DebitFormat::default(),
            Some(f) => DebitFormat::parse(f)
                .ok_or_else(|| anyhow::anyhow!("debit_format is zengin or iso20022, not {f}"))?,
        };
        Ok(OperatorBank {
            account,
            requester_code: self.requester_code.clone(),
            designation,
            debit_format,
        })
    }
}

/// The banks of a configuration file, the main one first.
fn banks_from_file(path: &Path) -> anyhow::Result<Vec<OperatorBank>> {
    let at = |e: &dyn std::fmt::Display| anyhow::anyhow!("bank config {}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
    let file: BankFile = toml::from_str(&text).map_err(|e| at(&e))?;
    let mut banks = vec![];
    for (i, entry) in file.bank.iter().enumerate() {
        let bank = entry
            .operator_bank()
            .map_err(|e| at(&format!("bank {}: {e}", i + 1)))?;
        banks.push((entry.main, bank));
    }
    anyhow::ensure!(
        banks.iter().filter(|(main, _)| *main).count() <= 1,
        "bank config {}: more than one bank says main = true",
        path.display()
    );
    // A stable sort keeps the others in file order behind the main bank.
    banks.sort_by_key(|(main, _)| !main);
    Ok(banks.into_iter().map(|(_, bank)| bank).collect())
}

impl BankArgs {
    /// The one bank given by flags.
    fn bank_from_flags(&self, account: &str) -> anyhow::Result<OperatorBank> {
        let parts: Vec<&str> = account.split('-').collect();
        let [bank_code, branch_code, account_number] = parts[..] else {
            anyhow::bail!("--collection-account is BANK-BRANCH-NUMBER, e.g. 0001-001-1234567");
        };
        let needed = |value: &Option<String>, flag: &str| {
            value.clone().ok_or_else(|| {
                anyhow::anyhow!("--collection-account needs {flag} as well (see README)")
            })
        };
        let entry = BankEntry {
            bank_code: bank_code.into(),
            branch_code: branch_code.into(),
            account_type: self.account_type.clone(),
            account_number: account_number.into(),
            requester_code: needed(&self.requester_code, "--requester-code")?,
            requester_name: needed(&self.requester_name, "--requester-name")?,
            transfer_designation: self.transfer_designation,
            debit_format: None,
            main: true,
        };
        entry
            .operator_bank()
            .map_err(|e| anyhow::anyhow!("--collection-account: {e}"))
    }

    /// Sets the banks, the virtual accounts and the bank master of `config`. Whether the
    /// result can run is [`Config::check`]'s to say, when the server or the command starts.
    pub fn apply(&self, config: &mut Config) -> anyhow::Result<()> {
        config.banks = match (&self.bank_config, &self.collection_account) {
            (Some(_), Some(_)) => anyhow::bail!(
                "give the operator's banks either as --bank-config or as --collection-account, not both"
            ),
            (Some(path), None) => banks_from_file(path)?,
            (None, Some(account)) => vec![self.bank_from_flags(account)?],
            (None, None) => vec![],
        };
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
            config.bank_master = Some(std::sync::Arc::new(BankMaster::load(dir)?));
        }
        Ok(())
    }
}
