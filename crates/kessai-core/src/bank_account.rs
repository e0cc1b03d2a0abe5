//! A Japanese bank account as a typed value: parsed once at the edge, trusted inside. The
//! holder name is stored the way banks write it (half-width kana, see `kana.rs`), so it goes into
//! a Zengin file unchanged. (Checking codes against the bank master comes with bank files.)

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountType {
    /// 普通
    Ordinary,
    /// 当座
    Current,
    /// 貯蓄
    Savings,
}

impl AccountType {
    /// The name in the API: `ordinary`, `current`, `savings`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountType::Ordinary => "ordinary",
            AccountType::Current => "current",
            AccountType::Savings => "savings",
        }
    }

    pub fn parse(s: &str) -> Option<AccountType> {
        [
            AccountType::Ordinary,
            AccountType::Current,
            AccountType::Savings,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }

    /// 預金種目 as Zengin records and Kessai's ISO messages carry it.
    pub fn zengin_code(self) -> u8 {
        match self {
            AccountType::Ordinary => 1,
            AccountType::Current => 2,
            AccountType::Savings => 4,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankAccount {
    pub bank_code: String,
    pub branch_code: String,
    pub account_type: AccountType,
    pub account_number: String,
    pub holder_name: String,
}

/// Which field is wrong and why, for API errors and pages (`field` = `<prefix>.<name>`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct BankAccountError {
    pub field: &'static str,
    pub problem: AccountProblem,
}

/// Why a field of an account was refused, so that each reader can say it in its own words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountProblem {
    #[error("must be {0} digits")]
    Digits(usize),
    #[error("must be up to {0} digits")]
    UpToDigits(usize),
    #[error("{0}")]
    Name(crate::kana::KanaError),
}

/// The width of 受取人名 in a Zengin transfer record.
pub const HOLDER_NAME_CHARS: usize = 30;

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

impl BankAccount {
    /// Codes and number are read after NFKC (０００１ as typed with a Japanese input method is
    /// 0001), the holder name as `kana.rs` folds it. The first problem; [`BankAccount::parse_all`]
    /// for every one.
    pub fn parse(
        bank_code: &str,
        branch_code: &str,
        account_type: AccountType,
        account_number: &str,
        holder_name: &str,
    ) -> Result<BankAccount, BankAccountError> {
        Self::parse_all(
            bank_code,
            branch_code,
            account_type,
            account_number,
            holder_name,
        )
        .map_err(|mut all| all.remove(0))
    }

    /// Like [`BankAccount::parse`], reporting the problem of every field, in field order.
    pub fn parse_all(
        bank_code: &str,
        branch_code: &str,
        account_type: AccountType,
        account_number: &str,
        holder_name: &str,
    ) -> Result<BankAccount, Vec<BankAccountError>> {
        let mut errors = vec![];
        let mut check = |ok: bool, field, problem| {
            if !ok {
                errors.push(BankAccountError { field, problem });
            }
        };
        let (bank_code, branch_code) = (
            crate::text::digits(bank_code),
            crate::text::digits(branch_code),
        );
        check(
            digits(&bank_code, 4),
            "bank_code",
            AccountProblem::Digits(4),
        );
        check(
            digits(&branch_code, 3),
            "branch_code",
            AccountProblem::Digits(3),
        );
        // Shorter numbers are written with leading zeros, as banks do.
        let number = format!("{:0>7}", crate::text::digits(account_number));
        check(
            digits(&number, 7),
            "account_number",
            AccountProblem::UpToDigits(7),
        );
        let holder = crate::kana::KanaName::parse(holder_name, HOLDER_NAME_CHARS).map_err(|e| {
            errors.push(BankAccountError {
                field: "holder_name",
                problem: AccountProblem::Name(e),
            })
        });
        match holder {
            Ok(holder) if errors.is_empty() => Ok(BankAccount {
                bank_code,
                branch_code,
                account_type,
                account_number: number,
                holder_name: holder.as_str().to_string(),
            }),
            _ => Err(errors),
        }
    }

    /// The account with all but the last three digits hidden, for pages and emails.
    pub fn masked(&self) -> String {
        format!(
            "{}-{} {}",
            self.bank_code,
            self.branch_code,
            self.masked_number()
        )
    }

    /// The account number with all but its last three digits hidden: `****321`.
    pub fn masked_number(&self) -> String {
        format!("****{}", self.account_number.get(4..).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let ok =
            BankAccount::parse("0001", "001", AccountType::Ordinary, "12345", "ﾔﾏﾀﾞ ﾀﾛｳ").unwrap();
        assert_eq!(ok.account_number, "0012345");
        assert_eq!(ok.masked(), "0001-001 ****345");
        let wide = BankAccount::parse(
            "０００１",
            " ００１",
            AccountType::Ordinary,
            "１２３４５",
            "ﾔﾏﾀﾞ",
        )
        .unwrap();
        assert_eq!(
            (
                wide.bank_code.as_str(),
                wide.branch_code.as_str(),
                wide.account_number.as_str()
            ),
            ("0001", "001", "0012345"),
            "full-width digits, as a Japanese input method types them"
        );
        let bad = [
            ("001", "001", "1", "A", "bank_code"),
            ("0001", "01", "1", "A", "branch_code"),
            ("0001", "001", "12345678", "A", "account_number"),
            ("0001", "001", "12a", "A", "account_number"),
            ("0001", "001", "1", " ", "holder_name"),
            ("0001", "001", "1", "山田", "holder_name"),
        ];
        let all = BankAccount::parse_all("1", "2", AccountType::Ordinary, "x", "山").unwrap_err();
        let fields: Vec<&str> = all.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            ["bank_code", "branch_code", "account_number", "holder_name"]
        );
        for (bank, branch, number, holder, field) in bad {
            let e = BankAccount::parse(bank, branch, AccountType::Ordinary, number, holder)
                .unwrap_err();
            assert_eq!(e.field, field);
        }
    }
}
