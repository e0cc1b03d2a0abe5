//! Payouts of marketplace contracts: which contracts may be paid, their transfers to the
//! sellers (payment instructions owned by the contract, exported as the escrow's are), and
//! each contract's payout track.

use crate::bulk::Rows;
use crate::db::query;
use crate::{get, Result, Tx};
use kessai_core::contract::payout;
use kessai_core::{BankAccount, FeeRule};

/// A debited contract that may be paid now, with what its payout needs.
pub struct PayableContract {
    pub id: String,
    /// The canonical JSON of `kessai_core::contract::Contract` (the seller's account).
    pub body: String,
    pub amount_yen: i64,
    /// The site's fee rule.
    pub fee: FeeRule,
}

/// One seller's transfer about to be instructed.
pub struct NewContractPayout<'a> {
    pub id: &'a str,
    pub contract_id: &'a str,
    pub journal_id: &'a str,
    pub amount_yen: i64,
    pub account: &'a BankAccount,
    /// What the transfer quotes (Zengin EDI, ISO remittance), so the bank's answer finds it.
    pub payee_ref: &'a str,
}

impl Tx {
    /// Pooled contracts whose buyer was debited and whose payout waits, which may be paid now:
    /// shipped, or `regardless` of shipment by their terms, or of a site that ships only once
    /// the seller is paid (waiting for the shipment there would wait for ever); at most
    /// `limit`, in acceptance order.
    ///
    /// A run reads them in ID order from `after` (the last ID of its previous batch), along
    /// the primary key, so that over a whole run each contract is read once: through the
    /// track's index (`|| ''` keeps SQLite off it) every batch would gather and sort all the
    /// waiting contracts again. A contract that becomes payable behind `after` during a run
    /// is paid by the next run. (The run's superlinear cost at 200,000 was mostly the export;
    /// this took its payout half from 24.6 to 21.5 s: ARCHITECTURE.md.)
    pub async fn contracts_to_pay(
        &mut self,
        after: &str,
        limit: i64,
    ) -> Result<Vec<PayableContract>> {
        let rows = query(
            "SELECT c.id, c.body, c.amount_yen, s.fee_rate_bp, s.fee_fixed_yen \
             FROM contracts c JOIN sites s ON s.id = c.site_id \
             WHERE c.id > $2 AND c.payout_state || '' = 'waiting' \
             AND c.debit_state || '' = 'debited' AND c.pooling = 'pooled' \
             AND (c.delivery_state = 'shipped' OR c.payout_when = 'regardless' OR s.delivery_after_payout = 1) \
             ORDER BY c.id LIMIT $1",
        )
        .bind(limit)
        .bind(after)
        .fetch_all(self.conn())
        .await?;
        rows.iter()
            .map(|r| {
                let rate: i64 = get(r, "fee_rate_bp")?;
                Ok(PayableContract {
                    id: get(r, "id")?,
                    body: get(r, "body")?,
                    amount_yen: get(r, "amount_yen")?,
                    fee: FeeRule {
                        rate_basis_points: u32::try_from(rate)
                            .map_err(|_| crate::corrupt(format!("fee rate {rate}")))?,
                        fixed_yen: get(r, "fee_fixed_yen")?,
                    },
                })
            })
            .collect()
    }

    /// Instructs the sellers' transfers in multi-row inserts; returns how many were new (a
    /// contract paid meanwhile by a concurrent run is skipped: one payout per contract is a
    /// unique index).
    pub async fn insert_contract_payouts(
        &mut self,
        payouts: &[NewContractPayout<'_>],
        now_ms: i64,
    ) -> Result<u64> {
        // The instructions refer to their journals: those must be written first.
        self.flush_journals().await?;
        let mut rows = Rows::new(
            "payment_instructions",
            &[
                "id",
                "contract_id",
                "journal_id",
                "purpose",
                "party",
                "amount_yen",
                "bank_account_json",
                "status",
                "payee_ref",
                "created_at_ms",
            ],
        );
        for p in payouts {
            rows.push([
                p.id.into(),
                p.contract_id.into(),
                p.journal_id.into(),
                "payout".into(),
                "seller".into(),
                p.amount_yen.into(),
                serde_json::to_string(p.account)
                    .expect("account serializes")
                    .into(),
                "pending".into(),
                p.payee_ref.into(),
                now_ms.into(),
            ]);
        }
        rows.write_new(self).await
    }

    /// Moves these contracts' payouts from state `from` to `to`, as [`Tx::move_debits`].
    pub async fn move_payouts(
        &mut self,
        ids: &[&str],
        from: &str,
        to: &str,
        now_ms: i64,
    ) -> Result<u64> {
        self.move_contracts("payout_state", ids, from, to, now_ms)
            .await
    }

    /// Records what the bank did with a contract's payout: paid on `paid_on`, or (`None`: the
    /// transfer was refused or came back) owed again and instructed until it is corrected.
    pub async fn contract_payout_answered(
        &mut self,
        contract_id: &str,
        paid_on: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let state = if paid_on.is_some() {
            payout::PAID
        } else {
            payout::INSTRUCTED
        };
        // Only a change is an event: a refused transfer leaves the payout instructed.
        let changed = query(
            "UPDATE contracts SET payout_state = $2, paid_on = $3 WHERE id = $1 \
             AND NOT (payout_state = $2 AND paid_on IS NOT DISTINCT FROM $3)",
        )
        .bind(contract_id)
        .bind(state)
        .bind(paid_on)
        .execute(self.conn())
        .await?;
        if changed.rows_affected() == 1 {
            self.contracts_changed(&[contract_id], now_ms).await?;
        }
        Ok(())
    }

    /// Marks contracts paid on `day` with nothing for Kessai to send — the fee took the whole
    /// amount, or the buyer was debited straight into the seller's account; returns how many
    /// were still waiting.
    pub async fn contracts_paid_without_transfer(
        &mut self,
        ids: &[&str],
        day: &str,
        now_ms: i64,
    ) -> Result<u64> {
        let mut paid = vec![];
        for id in ids {
            let done = query(
                "UPDATE contracts SET payout_state = $2, paid_on = $3 WHERE id = $1 AND payout_state = $4",
            )
            .bind(*id)
            .bind(payout::PAID)
            .bind(day)
            .bind(payout::WAITING)
            .execute(self.conn())
            .await?;
            if done.rows_affected() == 1 {
                paid.push(*id);
            }
        }
        self.contracts_changed(&paid, now_ms).await?;
        Ok(paid.len() as u64)
    }
}
