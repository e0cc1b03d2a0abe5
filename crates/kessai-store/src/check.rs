//! `kessai check`: read every figure the invariants need and let the core judge them.

use crate::db::{query, query_scalar, Row};
use crate::{corrupt, get, Result, Store};
use kessai_core::check::{
    check_accounts, check_deal, check_order, AccountFigures, DealFigures, OrderFigures, Violation,
};
use kessai_core::{AccountKind, DealState};

impl Store {
    /// Every invariant violation in the database; empty means the books are sound.
    pub async fn check(&self) -> Result<Vec<Violation>> {
        // Independent reads, each one pass over its tables, run side by side on the pool's
        // connections (SQLite in WAL mode lets readers run together), and streamed: each row
        // is judged as it arrives, so memory does not grow with the books.
        let (
            journals,
            accounts,
            deals,
            instructions,
            lists,
            entries,
            contracts,
            collection,
            orders,
        ) = tokio::try_join!(
            self.unbalanced_journals(),
            self.account_violations(),
            self.deal_violations(),
            self.instructions_against_ledger(),
            self.lists_against_ledger(),
            self.entries_against_files(),
            self.contract_violations(),
            self.collection_account_violations(),
            self.order_violations(),
        )?;
        Ok([
            journals,
            accounts,
            deals,
            instructions,
            lists,
            entries,
            contracts,
            collection,
            orders,
        ]
        .concat())
    }

    /// Runs `sql` and judges each row as it arrives with `judge`: the rows are streamed, never
    /// all held at once.
    async fn judged(
        &self,
        sql: &str,
        mut judge: impl FnMut(&Row) -> Result<Vec<Violation>>,
    ) -> Result<Vec<Violation>> {
        let mut found = vec![];
        query(sql)
            .for_each(self.scan_reader(), |row| {
                found.extend(judge(&row)?);
                Ok(())
            })
            .await?;
        Ok(found)
    }

    async fn unbalanced_journals(&self) -> Result<Vec<Violation>> {
        let mut found = vec![];
        let rows = query(
            "SELECT j.id, CAST(COALESCE(SUM(l.amount_yen), 0) AS BIGINT) AS total, COUNT(l.line_no) AS lines \
             FROM journals j LEFT JOIN journal_lines l ON l.journal_id = j.id GROUP BY j.id \
             HAVING COALESCE(SUM(l.amount_yen), 0) <> 0 OR COUNT(l.line_no) < 2",
        )
        .fetch_all(self.scan_reader())
        .await?;
        for r in rows {
            found.push(Violation::UnbalancedJournal {
                journal: get(&r, "id")?,
                sum_yen: get(&r, "total")?,
            });
        }
        let rows = query("SELECT id, currency FROM journals WHERE currency <> 'JPY'")
            .fetch_all(self.scan_reader())
            .await?;
        for r in rows {
            found.push(Violation::ForeignCurrency {
                journal: get(&r, "id")?,
                currency: get(&r, "currency")?,
            });
        }
        Ok(found)
    }

    /// Every payout, refund or return the ledger owes has exactly one unfinished instruction,
    /// and no more: per deal or contract and purpose (and for returns of suspense money, which have no
    /// deal), the instructions not yet completed add up to the balance owed.
    async fn instructions_against_ledger(&self) -> Result<Vec<Violation>> {
        // One pass over the instructions, grouped, joined to the accounts: not a scan of the
        // instructions per account (quadratic). Returns of suspense money have no deal: the
        // empty key stands for "no deal" on both sides (deal IDs are never empty).
        let sql = "SELECT a.deal_id AS deal, a.kind AS kind, a.credits_yen - a.debits_yen AS owed, \
             CAST(COALESCE(o.total, 0) AS BIGINT) AS outstanding \
             FROM accounts a LEFT JOIN (SELECT COALESCE(deal_id, contract_id, '') AS deal_key, purpose, SUM(amount_yen) AS total \
                 FROM payment_instructions WHERE status <> 'completed' GROUP BY COALESCE(deal_id, contract_id, ''), purpose) o \
             ON o.deal_key = COALESCE(a.deal_id, '') \
             AND o.purpose = CASE a.kind WHEN 'payout_due' THEN 'payout' WHEN 'refund_due' THEN 'refund' ELSE 'return' END \
             WHERE a.kind IN ('payout_due', 'refund_due', 'return_due') ORDER BY a.deal_id, a.kind";
        self.judged(sql, |r| {
            let (owed, outstanding): (i64, i64) = (get(r, "owed")?, get(r, "outstanding")?);
            if owed == outstanding {
                return Ok(vec![]);
            }
            let kind: String = get(r, "kind")?;
            let deal: Option<String> = get(r, "deal")?;
            Ok(vec![Violation::InstructionsDisagree {
                deal: deal.unwrap_or_else(|| "(suspense)".into()),
                purpose: kind.trim_end_matches("_due").to_string(),
                outstanding_yen: outstanding,
                owed_yen: owed,
            }])
        })
        .await
    }

    /// The suspense list (credits still `unmatched`) adds up to `unmatched_receipts`, and the
    /// open reversal claims to `reversal_claims`: nothing sits in those accounts that the
    /// operator cannot see and act on, and nothing listed is missing from the books.
    async fn lists_against_ledger(&self) -> Result<Vec<Violation>> {
        let mut found = vec![];
        for (account, outcome, sign) in [
            ("unmatched_receipts", "unmatched", -1i64),
            ("reversal_claims", "reversal_claim", 1),
        ] {
            let ledger: i64 =
                query_scalar("SELECT debits_yen - credits_yen FROM accounts WHERE id = $1")
                    .bind(account)
                    .fetch_one(self.scan_reader())
                    .await?;
            // A claim is listed with what is still owed on it.
            let owed = match outcome {
                "reversal_claim" => crate::credits::CLAIM_REMAINING,
                _ => "c.amount_yen",
            };
            let sql = format!(
                "SELECT CAST(COALESCE(SUM(owed), 0) AS BIGINT) FROM \
                 (SELECT {owed} AS owed FROM bank_credits c WHERE c.outcome = $1) listed"
            );
            let listed: i64 = query_scalar(&sql)
                .bind(outcome)
                .fetch_one(self.scan_reader())
                .await?;
            if listed != sign * ledger {
                found.push(Violation::ListDisagrees {
                    account: account.into(),
                    listed_yen: listed,
                    ledger_yen: sign * ledger,
                });
            }
        }
        Ok(found)
    }

    async fn account_violations(&self) -> Result<Vec<Violation>> {
        let sql = "SELECT a.id, a.kind, a.debits_yen - a.credits_yen AS cached, \
             CAST(COALESCE(SUM(l.amount_yen), 0) AS BIGINT) AS summed \
             FROM accounts a LEFT JOIN journal_lines l ON l.account_id = a.id \
             GROUP BY a.id ORDER BY a.id";
        self.judged(sql, |r| {
            let kind: String = get(r, "kind")?;
            let figures = AccountFigures {
                account: get(r, "id")?,
                kind: AccountKind::parse(&kind)
                    .ok_or_else(|| corrupt(format!("account kind {kind}")))?,
                cached_balance_yen: get(r, "cached")?,
                lines_balance_yen: get(r, "summed")?,
            };
            Ok(check_accounts(&[figures]))
        })
        .await
    }

    /// Per marketplace contract: what its buyer's bank debited into the operator's accounts
    /// is what it holds plus what its payout released (to the seller and as the fee: the
    /// credits of its `release` journal); what was debited straight into the seller's
    /// account (no pooling) settled the contract and is nowhere in the books. Grouped passes
    /// joined, not a lookup per contract.
    async fn contract_violations(&self) -> Result<Vec<Violation>> {
        let sql = "SELECT c.id, c.payout_state, CAST(COALESCE(d.debited, 0) AS BIGINT) AS debited, \
             CAST(COALESCE(d.direct, 0) AS BIGINT) AS direct, \
             CAST(COALESCE(a.credits_yen - a.debits_yen, 0) AS BIGINT) AS held, \
             CAST(COALESCE(r.released, 0) AS BIGINT) AS released \
             FROM contracts c \
             LEFT JOIN (SELECT contract_id, \
                 SUM(CASE WHEN paid_into = 'seller' THEN 0 ELSE amount_yen END) AS debited, \
                 SUM(CASE WHEN paid_into = 'seller' THEN amount_yen ELSE 0 END) AS direct \
                 FROM debit_items WHERE result = 'debited' GROUP BY contract_id) d ON d.contract_id = c.id \
             LEFT JOIN accounts a ON a.id = 'held:' || c.id \
             LEFT JOIN (SELECT j.deal_id AS owner, SUM(-l.amount_yen) AS released \
                 FROM journals j JOIN journal_lines l ON l.journal_id = j.id \
                 WHERE j.kind = 'release' AND l.amount_yen < 0 GROUP BY j.deal_id) r ON r.owner = c.id \
             ORDER BY c.id";
        self.judged(sql, |r| {
            let (debited, direct): (i64, i64) = (get(r, "debited")?, get(r, "direct")?);
            let (held, released): (i64, i64) = (get(r, "held")?, get(r, "released")?);
            let payout_state: String = get(r, "payout_state")?;
            let mut found = vec![];
            if debited != held + released {
                found.push(Violation::ContractUnaccounted {
                    contract: get(r, "id")?,
                    debited_yen: debited,
                    held_yen: held,
                    released_yen: released,
                });
            }
            if direct > 0 && (payout_state != "paid" || debited + held + released > 0) {
                found.push(Violation::DirectContractUnsettled {
                    contract: get(r, "id")?,
                    debited_yen: direct,
                    payout_state,
                    in_books_yen: debited + held + released,
                });
            }
            Ok(found)
        })
        .await
    }

    /// Per order: what its methods took (card captures less refunds, confirmed konbini
    /// payments) against its hold, read
    /// from the hold's journal lines, and its status against both (`check_order`).
    async fn order_violations(&self) -> Result<Vec<Violation>> {
        let sql = "SELECT o.id, o.status, CAST(COALESCE(c.taken, 0) AS BIGINT) AS taken, \
             CAST(COALESCE(h.held, 0) AS BIGINT) AS held FROM orders o \
             LEFT JOIN (SELECT order_id, SUM(taken) AS taken FROM ( \
                 SELECT order_id, captured_yen - refunded_yen AS taken FROM card_payments \
                 UNION ALL SELECT s.order_id, p.amount_yen FROM konbini_payments p \
                 JOIN konbini_slips s ON s.id = p.slip_id \
                 WHERE p.outcome IN ('applied', 'late_accepted', 'late_refund_due', 'paid_twice') \
                 ) m GROUP BY order_id) c ON c.order_id = o.id \
             LEFT JOIN (SELECT j.deal_id AS owner, SUM(-l.amount_yen) AS held \
                 FROM journals j JOIN journal_lines l ON l.journal_id = j.id \
                 WHERE l.account_id = 'held:' || j.deal_id \
                 GROUP BY j.deal_id) h ON h.owner = o.id \
             ORDER BY o.id";
        self.judged(sql, |r| {
            Ok(check_order(&OrderFigures {
                order: get(r, "id")?,
                status: get(r, "status")?,
                taken_yen: get(r, "taken")?,
                held_yen: get(r, "held")?,
            }))
        })
        .await
    }

    /// After each sweep the collection bank reported, its statement's closing balance is the
    /// ledger's balance of that account.
    async fn collection_account_violations(&self) -> Result<Vec<Violation>> {
        let sql = "SELECT id, bank_code, bank_balance_yen, ledger_balance_yen FROM sweeps \
             WHERE bank_balance_yen IS NOT NULL ORDER BY created_at_ms, id";
        self.judged(sql, |r| {
            let (bank, ledger): (i64, i64) =
                (get(r, "bank_balance_yen")?, get(r, "ledger_balance_yen")?);
            Ok(if bank == ledger {
                vec![]
            } else {
                vec![Violation::CollectionAccountDisagrees {
                    bank_code: get(r, "bank_code")?,
                    sweep: get(r, "id")?,
                    bank_yen: bank,
                    ledger_yen: ledger,
                }]
            })
        })
        .await
    }

    async fn deal_violations(&self) -> Result<Vec<Violation>> {
        // Every figure comes from journal lines attributed to the deal, not from cached balances.
        // Collected is net of what the bank took back (reverse journals debit the hold). Paid out
        // and refunded count what the hold gave; a transfer the bank returned owes it again
        // without giving it twice.
        let sql = "SELECT d.id, d.state, d.received_yen, \
             CAST(COALESCE(SUM(CASE WHEN a.kind = 'held' AND (l.amount_yen < 0 OR j.kind = 'reverse') THEN -l.amount_yen ELSE 0 END), 0) AS BIGINT) AS collected, \
             CAST(COALESCE(SUM(CASE WHEN a.kind = 'held' THEN -l.amount_yen ELSE 0 END), 0) AS BIGINT) AS held, \
             CAST(COALESCE(SUM(CASE WHEN a.kind = 'payout_due' AND l.amount_yen < 0 AND j.kind <> 'returned' THEN -l.amount_yen ELSE 0 END), 0) AS BIGINT) AS paid_out, \
             CAST(COALESCE(SUM(CASE WHEN a.kind = 'refund_due' AND l.amount_yen < 0 AND j.kind <> 'returned' THEN -l.amount_yen ELSE 0 END), 0) AS BIGINT) AS refunded, \
             CAST(COALESCE(SUM(CASE WHEN a.kind = 'fees_earned' THEN -l.amount_yen ELSE 0 END), 0) AS BIGINT) AS fees \
             FROM deals d LEFT JOIN journals j ON j.deal_id = d.id LEFT JOIN journal_lines l ON l.journal_id = j.id \
             LEFT JOIN accounts a ON a.id = l.account_id \
             GROUP BY d.id ORDER BY d.id";
        self.judged(sql, |r| {
            let state: String = get(r, "state")?;
            let figures = DealFigures {
                deal: get(r, "id")?,
                state: DealState::parse(&state)
                    .ok_or_else(|| corrupt(format!("deal state {state}")))?,
                received_yen: get(r, "received_yen")?,
                collected_yen: get(r, "collected")?,
                held_yen: get(r, "held")?,
                paid_out_yen: get(r, "paid_out")?,
                refunded_yen: get(r, "refunded")?,
                fees_yen: get(r, "fees")?,
            };
            Ok(check_deal(&figures))
        })
        .await
    }
}
