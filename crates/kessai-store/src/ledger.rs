//! Posting journals: append the journal and its lines, move the cached balances, and refuse
//! any write that would drive a holding account below zero.

use crate::db::query;
use crate::deals::deal_account;
use crate::{get, new_internal_id, Result, StoreError, Tx};
use kessai_core::money::CURRENCY;
use kessai_core::{AccountKind, Journal};

fn account_id(kind: AccountKind, deal_id: Option<&str>, bank: Option<&str>) -> String {
    if kind.is_per_bank() {
        let bank = bank.unwrap_or_else(|| panic!("{} needs a bank", kind.as_str()));
        return collection_account(bank);
    }
    match (kind.is_per_deal(), deal_id) {
        (true, Some(deal)) => deal_account(kind, deal),
        (true, None) => panic!("{} needs a deal", kind.as_str()),
        (false, _) => kind.as_str().to_string(),
    }
}

/// The ledger account of the operator's collection account at `bank_code`.
pub fn collection_account(bank_code: &str) -> String {
    format!("{}:{bank_code}", AccountKind::CollectionBank.as_str())
}

/// A journal posted in this transaction and not yet written: journals are written in batches
/// (multi-row inserts) when the transaction commits, or earlier when something must refer to
/// them (an instruction's `journal_id`), instead of two statements per journal.
pub(crate) struct PendingJournal {
    id: String,
    deal_id: Option<String>,
    kind: &'static str,
    resolution: Option<&'static str>,
    cause: String,
    at_ms: i64,
    /// (account ID, signed amount) in line order.
    lines: Vec<(String, i64)>,
}

/// Journals buffered before a flush is forced (bounds memory and statement size).
const MAX_PENDING_JOURNALS: usize = 1_000;
/// Rows per multi-row INSERT: 7 parameters per journal, 4 per line, well inside the
/// parameter limits of SQLite (32,766) and PostgreSQL (65,535).
const JOURNALS_PER_INSERT: usize = 50;
const LINES_PER_INSERT: usize = 100;
/// Accounts updated by one statement at commit (three parameters each).
const ACCOUNTS_PER_UPDATE: usize = 300;

impl Tx {
    /// Appends one balanced journal; returns its ID. The rows are written by
    /// [`Tx::flush_journals`] (at commit at the latest) and the accounts' cached balances by
    /// [`Tx::apply_account_deltas`] at commit, both inside this transaction.
    pub async fn post_journal(
        &mut self,
        deal_id: Option<&str>,
        journal: &Journal,
        cause: &str,
        at_ms: i64,
    ) -> Result<String> {
        self.post_journal_at(deal_id, None, journal, cause, at_ms)
            .await
    }

    /// As [`Tx::post_journal`], for a journal that names the operator's collection account
    /// at `bank` (its `CollectionBank` lines); that account is opened on first use.
    pub async fn post_journal_at(
        &mut self,
        deal_id: Option<&str>,
        bank: Option<&str>,
        journal: &Journal,
        cause: &str,
        at_ms: i64,
    ) -> Result<String> {
        // Assert before writing: the core must never hand the store an unbalanced journal.
        journal
            .validate()
            .map_err(|e| StoreError::LedgerGuard(e.to_string()))?;
        if let Some(bank) = bank {
            self.open_collection_account(bank).await?;
        }
        let id = new_internal_id();
        let mut lines = Vec::with_capacity(journal.lines.len());
        for line in &journal.lines {
            let account = account_id(line.account, deal_id, bank);
            let delta = self
                .account_deltas
                .entry(account.clone())
                .or_insert(AccountDelta {
                    debits_yen: 0,
                    credits_yen: 0,
                    holding: line.account.is_holding(),
                });
            if line.amount_yen > 0 {
                delta.debits_yen += line.amount_yen;
            } else {
                delta.credits_yen -= line.amount_yen;
            }
            lines.push((account, line.amount_yen));
        }
        self.pending_journals.push(PendingJournal {
            id: id.clone(),
            deal_id: deal_id.map(str::to_string),
            kind: journal.kind.as_str(),
            resolution: journal.kind.resolves_hold().then_some("hold"),
            cause: cause.to_string(),
            at_ms,
            lines,
        });
        if self.pending_journals.len() >= MAX_PENDING_JOURNALS {
            self.flush_journals().await?;
        }
        Ok(id)
    }

    /// Writes the buffered journals and their lines, a few statements for many journals.
    pub(crate) async fn flush_journals(&mut self) -> Result<()> {
        let pending = std::mem::take(&mut self.pending_journals);
        for chunk in pending.chunks(JOURNALS_PER_INSERT) {
            let mut sql = String::from(
                "INSERT INTO journals (id, deal_id, kind, resolution, currency, cause, at_ms) VALUES ",
            );
            for i in 0..chunk.len() {
                let p = i * 7;
                let places: Vec<String> = (1..=7).map(|k| format!("${}", p + k)).collect();
                sql.push_str(if i > 0 { ", (" } else { "(" });
                sql.push_str(&places.join(", "));
                sql.push(')');
            }
            let mut insert = query(&sql);
            for j in chunk {
                insert = insert
                    .bind(j.id.clone())
                    .bind(j.deal_id.clone())
                    .bind(j.kind)
                    .bind(j.resolution)
                    .bind(CURRENCY)
                    .bind(j.cause.clone())
                    .bind(j.at_ms);
            }
            insert.execute(self.conn()).await?;
        }
        let lines: Vec<(&str, i64, &str, i64)> = pending
            .iter()
            .flat_map(|j| {
                j.lines
                    .iter()
                    .enumerate()
                    .map(move |(n, (account, amount))| {
                        (j.id.as_str(), n as i64, account.as_str(), *amount)
                    })
            })
            .collect();
        for chunk in lines.chunks(LINES_PER_INSERT) {
            let mut sql = String::from(
                "INSERT INTO journal_lines (journal_id, line_no, account_id, amount_yen) VALUES ",
            );
            for i in 0..chunk.len() {
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
            let mut insert = query(&sql);
            for (journal, line_no, account, amount) in chunk {
                insert = insert
                    .bind(journal.to_string())
                    .bind(*line_no)
                    .bind(account.to_string())
                    .bind(*amount);
            }
            insert.execute(self.conn()).await?;
        }
        Ok(())
    }
}

impl Tx {
    /// Opens the ledger account of a collection bank unless it exists (once per transaction).
    async fn open_collection_account(&mut self, bank: &str) -> Result<()> {
        let id = collection_account(bank);
        if self.account_deltas.contains_key(&id) {
            return Ok(());
        }
        query(
            "INSERT INTO accounts (id, kind, currency) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&id)
        .bind(AccountKind::CollectionBank.as_str())
        .bind(CURRENCY)
        .execute(self.conn())
        .await?;
        self.account_deltas.insert(
            id,
            AccountDelta {
                debits_yen: 0,
                credits_yen: 0,
                holding: false,
            },
        );
        Ok(())
    }

    /// An account's balance (debits − credits) as this transaction leaves it so far: the
    /// stored balance plus what the journals posted in this transaction add. 0 when the
    /// account does not exist.
    pub async fn account_balance(&mut self, id: &str) -> Result<i64> {
        let stored: Option<i64> =
            crate::db::query_scalar("SELECT debits_yen - credits_yen FROM accounts WHERE id = $1")
                .bind(id)
                .fetch_optional(self.conn())
                .await?;
        let pending = self
            .account_deltas
            .get(id)
            .map_or(0, |d| d.debits_yen - d.credits_yen);
        Ok(stored.unwrap_or(0) + pending)
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
        let deltas: Vec<(String, AccountDelta)> = std::mem::take(&mut self.account_deltas)
            .into_iter()
            .filter(|(_, d)| d.debits_yen != 0 || d.credits_yen != 0)
            .collect();
        // Many accounts per statement, listed in id order (the BTreeMap's). PostgreSQL locks
        // them in that order when it walks the VALUES rows into the primary key, its plan for
        // a short list; the order is not promised, and a deadlock fails the transaction as a
        // conflict, which reruns the step (`StoreError::Conflict`). One statement per account
        // made a large SQLite transaction quadratic: each statement's end truncated the
        // savepoint's in-memory sub-journal by walking it from its start (100,000 debit
        // results at 262 records/s, 68% of the time in memjrnlTruncate).
        for chunk in deltas.chunks(ACCOUNTS_PER_UPDATE) {
            let mut values = String::new();
            for i in 0..chunk.len() {
                let p = i * 3;
                if i > 0 {
                    values.push_str(", ");
                }
                values.push_str(&format!("(${}, ${}, ${})", p + 1, p + 2, p + 3));
            }
            // VALUES columns are column1.. on both databases.
            let sql = format!(
                "UPDATE accounts SET debits_yen = accounts.debits_yen + d.column2, \
                 credits_yen = accounts.credits_yen + d.column3 \
                 FROM (VALUES {values}) AS d WHERE accounts.id = d.column1 \
                 RETURNING accounts.id AS id, accounts.debits_yen - accounts.credits_yen AS balance"
            );
            let mut update = query(&sql);
            for (account, d) in chunk {
                update = update
                    .bind(account.as_str())
                    .bind(d.debits_yen)
                    .bind(d.credits_yen);
            }
            let rows = update.fetch_all(self.conn()).await?;
            let mut balances = std::collections::HashMap::with_capacity(rows.len());
            for row in &rows {
                let id: String = get(row, "id")?;
                let balance: i64 = get(row, "balance")?;
                balances.insert(id, balance);
            }
            for (account, d) in chunk {
                let balance = *balances
                    .get(account)
                    .ok_or_else(|| StoreError::LedgerGuard(format!("no account {account}")))?;
                // Assert after writing: a holding account is credit-normal and never goes
                // negative.
                if d.holding && balance > 0 {
                    return Err(StoreError::LedgerGuard(format!(
                        "{account} would hold {}",
                        -balance
                    )));
                }
            }
        }
        Ok(())
    }
}
