//! Posting journals: append the journal and its lines, move the cached balances, and refuse
//! any write that would drive a holding account below zero.

use crate::deals::deal_account;
use crate::{get, new_internal_id, Result, StoreError, Tx};
use kessai_core::money::CURRENCY;
use kessai_core::{AccountKind, Journal};

fn account_id(kind: AccountKind, deal_id: Option<&str>) -> String {
    match (kind.is_per_deal(), deal_id) {
        (true, Some(deal)) => deal_account(kind, deal),
        (true, None) => panic!("{} needs a deal", kind.as_str()),
        (false, _) => kind.as_str().to_string(),
    }
}

impl Tx {
    /// Appends one balanced journal; returns its ID.
    pub async fn post_journal(
        &mut self,
        deal_id: Option<&str>,
        journal: &Journal,
        cause: &str,
        at_ms: i64,
    ) -> Result<String> {
        // Assert before writing: the core must never hand the store an unbalanced journal.
        journal
            .validate()
            .map_err(|e| StoreError::LedgerGuard(e.to_string()))?;
        let id = new_internal_id();
        let resolution = journal.kind.resolves_hold().then_some("hold");
        sqlx::query(
            "INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&id)
        .bind(deal_id)
        .bind(journal.kind.as_str())
        .bind(resolution)
        .bind(CURRENCY)
        .bind(cause)
        .bind(at_ms)
        .execute(self.conn())
        .await?;
        // All lines in one statement.
        let mut sql = String::from(
            "INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) VALUES ",
        );
        for i in 0..journal.lines.len() {
            let p = i * 4;
            sql.push_str(&format!(
                "{}(${}, ${}, ${}, ${})",
                if i > 0 { ", " } else { "" },
                p + 1,
                p + 2,
                p + 3,
                p + 4
            ));
        }
        let mut insert = sqlx::query(&sql);
        for (line_no, line) in journal.lines.iter().enumerate() {
            let account = account_id(line.account, deal_id);
            insert = insert
                .bind(id.clone())
                .bind(line_no as i64)
                .bind(account.clone())
                .bind(line.amount_yen);
            let delta = self.account_deltas.entry(account).or_insert(AccountDelta {
                debits_yen: 0,
                credits_yen: 0,
                holding: line.account.is_holding(),
            });
            if line.amount_yen > 0 {
                delta.debits_yen += line.amount_yen;
            } else {
                delta.credits_yen -= line.amount_yen;
            }
        }
        insert.execute(self.conn()).await?;
        Ok(id)
    }
}

/// What a transaction's journals add to one account's cached totals.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AccountDelta {
    debits_yen: i64,
    credits_yen: i64,
    holding: bool,
}

impl Tx {
    /// Applies the accumulated balance changes, and refuses (failing the commit, so nothing is
    /// written) if a holding account would go below zero or an account does not exist.
    pub(crate) async fn apply_account_deltas(&mut self) -> Result<()> {
        let deltas = std::mem::take(&mut self.account_deltas);
        for (account, d) in deltas {
            if d.debits_yen == 0 && d.credits_yen == 0 {
                continue;
            }
            let row = sqlx::query(
                "UPDATE accounts SET debits_yen = debits_yen + $1, credits_yen = credits_yen + $2 WHERE id = $3 \
                 RETURNING debits_yen - credits_yen AS balance",
            )
            .bind(d.debits_yen)
            .bind(d.credits_yen)
            .bind(&account)
            .fetch_optional(self.conn())
            .await?
            .ok_or_else(|| StoreError::LedgerGuard(format!("no account {account}")))?;
            // Assert after writing: a holding account is credit-normal and never goes negative.
            let balance: i64 = get(&row, "balance")?;
            if d.holding && balance > 0 {
                return Err(StoreError::LedgerGuard(format!(
                    "{account} would hold {}",
                    -balance
                )));
            }
        }
        Ok(())
    }
}
