//! The bank and branch master (the public zengin-code dataset), loaded from a directory given at
//! run time: `banks.json` and `branches/NNNN.json`. It tells whether a bank or branch code
//! exists, and gives the half-width kana names Zengin files carry.

use kessai_core::kana;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Deserialize)]
struct Entry {
    code: String,
    name: String,
    kana: String,
}

#[derive(Clone, Debug)]
pub struct Branch {
    pub name: String,
    /// Half-width kana, as in Zengin records.
    pub kana: String,
}

#[derive(Clone, Debug)]
pub struct Bank {
    pub name: String,
    pub kana: String,
    pub branches: HashMap<String, Branch>,
}

#[derive(Clone, Debug, Default)]
pub struct BankMaster {
    banks: HashMap<String, Bank>,
}

/// Why an account's bank or branch was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnknownCode {
    #[error("no bank has code {0} in the bank master")]
    Bank(String),
    #[error("bank {0} has no branch {1} in the bank master")]
    Branch(String, String),
}

impl UnknownCode {
    pub fn field(&self) -> &'static str {
        match self {
            UnknownCode::Bank(_) => "bank_code",
            UnknownCode::Branch(..) => "branch_code",
        }
    }
}

impl BankMaster {
    pub fn load(dir: &Path) -> anyhow::Result<BankMaster> {
        let read = |p: &Path| -> anyhow::Result<HashMap<String, Entry>> {
            let bytes = std::fs::read(p)
                .map_err(|e| anyhow::anyhow!("bank master {}: {e}", p.display()))?;
            serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("bank master {}: {e}", p.display()))
        };
        let mut banks = HashMap::new();
        for (code, bank) in read(&dir.join("banks.json"))? {
            let branch_file = dir.join("branches").join(format!("{code}.json"));
            let branches = if branch_file.exists() {
                read(&branch_file)?
            } else {
                HashMap::new()
            };
            let branches = branches
                .into_values()
                .map(|b| {
                    (
                        b.code,
                        Branch {
                            kana: kana::normalize(&b.kana),
                            name: b.name,
                        },
                    )
                })
                .collect();
            banks.insert(
                bank.code,
                Bank {
                    kana: kana::normalize(&bank.kana),
                    name: bank.name,
                    branches,
                },
            );
        }
        anyhow::ensure!(!banks.is_empty(), "bank master {}: no banks", dir.display());
        Ok(BankMaster { banks })
    }

    pub fn bank(&self, code: &str) -> Option<&Bank> {
        self.banks.get(code)
    }

    /// Checks that the bank and its branch exist.
    pub fn check(
        &self,
        bank_code: &str,
        branch_code: &str,
    ) -> Result<(&Bank, &Branch), UnknownCode> {
        let bank = self
            .banks
            .get(bank_code)
            .ok_or_else(|| UnknownCode::Bank(bank_code.into()))?;
        let branch = bank
            .branches
            .get(branch_code)
            .ok_or_else(|| UnknownCode::Branch(bank_code.into(), branch_code.into()))?;
        Ok((bank, branch))
    }

    /// The names a Zengin record carries (15 half-width characters each), or blanks if unknown.
    pub fn zengin_names(&self, bank_code: &str, branch_code: &str) -> (String, String) {
        let cut = |s: &str| s.chars().take(15).collect::<String>();
        match self.check(bank_code, branch_code) {
            Ok((bank, branch)) => (cut(&bank.kana), cut(&branch.kana)),
            Err(_) => (String::new(), String::new()),
        }
    }

    pub fn len(&self) -> usize {
        self.banks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.banks.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/zengin-code"
    );

    #[test]
    fn loads_the_public_dataset_and_answers_by_code() {
        let master = BankMaster::load(Path::new(DATA)).unwrap();
        assert!(master.len() > 1000, "{} banks", master.len());
        let (bank, branch) = master.check("0001", "001").unwrap();
        assert_eq!(
            (bank.name.as_str(), bank.kana.as_str(), branch.kana.as_str()),
            ("みずほ", "ﾐｽﾞﾎ", "ﾄｳｷﾖｳ")
        );
        assert_eq!(master.zengin_names("0005", "123").0, "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ");
        let cases = [
            ("9998", "001", "no bank has code 9998"),
            ("0001", "998", "bank 0001 has no branch 998"),
        ];
        for (bank, branch, message) in cases {
            assert!(master
                .check(bank, branch)
                .unwrap_err()
                .to_string()
                .contains(message));
        }
        assert!(BankMaster::load(Path::new("/nonexistent")).is_err());
    }
}
