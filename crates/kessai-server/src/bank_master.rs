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

/// A bank of the npm package's single file, its branches inside it.
#[derive(Deserialize)]
struct NestedBank {
    #[serde(flatten)]
    bank: Entry,
    #[serde(default)]
    branches: HashMap<String, Entry>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, strip: bool) -> anyhow::Result<T> {
    let at = |e: &dyn std::fmt::Display| anyhow::anyhow!("bank master {}: {e}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| at(&e))?;
    // The npm package's file is JSON assigned to `module.exports`.
    let json = match text.trim().strip_prefix("module.exports =") {
        Some(rest) if strip => rest.trim_end_matches(|c: char| c == ';' || c.is_whitespace()),
        _ => text.as_str(),
    };
    serde_json::from_str(json).map_err(|e| at(&e))
}

impl BankMaster {
    /// Loads the master from a zengin-code source-data directory (`banks.json` and
    /// `branches/NNNN.json`), or from the npm package `zengin-code` (its directory, or its
    /// `lib/zengin-data.js`: every bank with its branches in one file).
    pub fn load(path: &Path) -> anyhow::Result<BankMaster> {
        let source_data = path.join("banks.json");
        let banks: Vec<(Entry, HashMap<String, Entry>)> = if source_data.exists() {
            let mut banks = vec![];
            for (code, bank) in read_json::<HashMap<String, Entry>>(&source_data, false)? {
                let file = path.join("branches").join(format!("{code}.json"));
                let branches = if file.exists() {
                    read_json(&file, false)?
                } else {
                    HashMap::new()
                };
                banks.push((bank, branches));
            }
            banks
        } else {
            let file = if path.is_dir() {
                path.join("lib").join("zengin-data.js")
            } else {
                path.to_path_buf()
            };
            read_json::<HashMap<String, NestedBank>>(&file, true)?
                .into_values()
                .map(|b| (b.bank, b.branches))
                .collect()
        };
        let banks: HashMap<String, Bank> = banks
            .into_iter()
            .map(|(bank, branches)| {
                let branches = branches
                    .into_values()
                    .map(|b| {
                        let branch = Branch {
                            kana: kana::normalize(&b.kana),
                            name: b.name,
                        };
                        (b.code, branch)
                    })
                    .collect();
                let bank_value = Bank {
                    kana: kana::normalize(&bank.kana),
                    name: bank.name,
                    branches,
                };
                (bank.code, bank_value)
            })
            .collect();
        anyhow::ensure!(
            !banks.is_empty(),
            "bank master {}: no banks",
            path.display()
        );
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

    const BANKS: &str = r#"{"0001": {"code": "0001", "name": "みずほ", "kana": "ミズホ", "hira": "みずほ"},
        "0005": {"code": "0005", "name": "三菱ＵＦＪ", "kana": "ミツビシユ－エフジエイ"}}"#;
    const BRANCHES: &str =
        r#"{"001": {"code": "001", "name": "東京営業部", "kana": "トウキヨウ"}}"#;

    fn answers(master: &BankMaster) {
        assert_eq!(master.len(), 2);
        let (bank, branch) = master.check("0001", "001").unwrap();
        assert_eq!(
            (bank.name.as_str(), bank.kana.as_str(), branch.kana.as_str()),
            ("みずほ", "ﾐｽﾞﾎ", "ﾄｳｷﾖｳ")
        );
        assert_eq!(master.bank("0005").unwrap().kana, "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ");
        let cases = [
            ("9998", "001", "no bank has code 9998"),
            ("0001", "998", "bank 0001 has no branch 998"),
            ("0005", "001", "bank 0005 has no branch 001"),
        ];
        for (bank, branch, message) in cases {
            let e = master.check(bank, branch).unwrap_err().to_string();
            assert!(e.contains(message), "{e}");
        }
    }

    #[test]
    fn loads_the_source_data_layout_and_the_npm_package_alike() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("source-data");
        std::fs::create_dir_all(source.join("branches")).unwrap();
        std::fs::write(source.join("banks.json"), BANKS).unwrap();
        std::fs::write(source.join("branches/0001.json"), BRANCHES).unwrap();
        answers(&BankMaster::load(&source).unwrap());

        // The npm package: lib/zengin-data.js assigns every bank, its branches inside, to
        // module.exports.
        let nested = BANKS.replacen(
            r#""hira": "みずほ""#,
            &format!(r#""branches": {BRANCHES}"#),
            1,
        );
        let package = dir.path().join("package");
        std::fs::create_dir_all(package.join("lib")).unwrap();
        let js = package.join("lib/zengin-data.js");
        std::fs::write(&js, format!("module.exports = {nested};\n")).unwrap();
        answers(&BankMaster::load(&package).unwrap());
        answers(&BankMaster::load(&js).unwrap());

        std::fs::write(&js, "module.exports = {};").unwrap();
        let empty = BankMaster::load(&package).unwrap_err().to_string();
        assert!(empty.contains("no banks"), "{empty}");
        assert!(BankMaster::load(Path::new("/nonexistent")).is_err());
    }
}
