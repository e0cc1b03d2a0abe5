//! The operator's several accounts: which one a file names, and the entries of each.

use super::{AccountRef, BankState, DayEntry};

impl BankState {
    /// Opens another account of the operator's (a collection account at another bank).
    pub fn open_account(&mut self, account: AccountRef) {
        if account != self.operator && !self.other_accounts.contains(&account) {
            self.other_accounts.push(account);
        }
    }

    /// The operator's account with this bank, branch and number, if it is one.
    pub(super) fn operator_account(
        &self,
        bank_code: &str,
        branch_code: &str,
        account_number: &str,
    ) -> Option<&AccountRef> {
        let number = account_number.trim_start_matches('0');
        std::iter::once(&self.operator)
            .chain(&self.other_accounts)
            .find(|a| {
                a.bank_code == bank_code
                    && a.branch_code == branch_code
                    && a.account_number.trim_start_matches('0') == number
            })
    }

    /// The operator's account a transfer from `from` is paid into, when it is another of the
    /// operator's (a sweep). A payee naming the very account the transfer leaves from is
    /// taken as an outside party's, as the simulator always did.
    pub(super) fn other_operator_account(
        &self,
        from: &AccountRef,
        bank_code: &str,
        branch_code: &str,
        account_number: &str,
    ) -> Option<AccountRef> {
        self.operator_account(bank_code, branch_code, account_number)
            .filter(|a| *a != from)
            .cloned()
    }

    /// The key an entry on `account` carries: none for the main account.
    pub(super) fn entry_account(&self, account: &AccountRef) -> Option<String> {
        (account != &self.operator).then(|| account.key())
    }

    /// The operator's accounts with their entries of the day, taken (main first).
    pub(super) fn take_day_entries(&mut self) -> Vec<(AccountRef, Vec<DayEntry>)> {
        let entries = std::mem::take(&mut self.day_entries);
        let accounts: Vec<AccountRef> = std::iter::once(self.operator.clone())
            .chain(self.other_accounts.iter().cloned())
            .collect();
        accounts
            .into_iter()
            .map(|a| {
                let key = self.entry_account(&a);
                let of: Vec<DayEntry> = entries
                    .iter()
                    .filter(|e| e.account == key)
                    .cloned()
                    .collect();
                (a, of)
            })
            .filter(|(_, of)| !of.is_empty())
            .collect()
    }

    /// Adds to an account's balance (negative takes away).
    pub(super) fn add(&mut self, key: String, yen: i64) {
        *self.balances.entry(key).or_default() += yen;
    }
}

/// What a day's entries add to the account: deposits less withdrawals.
pub(super) fn net_of(entries: &[DayEntry]) -> i64 {
    entries
        .iter()
        .map(|e| {
            let yen = e.amount_yen as i64;
            if e.credit {
                yen
            } else {
                -yen
            }
        })
        .sum()
}
