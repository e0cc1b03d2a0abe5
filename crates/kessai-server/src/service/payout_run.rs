//! The payout run (seed 001, steps 6–7): every pooled contract whose buyer was debited and
//! which may be paid — shipped, or regardless of shipment where its terms say so, or at once
//! for a site that ships only after the payout — has its hold posted once (to the seller less
//! the site's fee, `kessai_core::contract::payout`) and the seller's part instructed as a
//! transfer from the operator's main account. The transfers are payment instructions like the
//! escrow's payouts: the same export writes them into Zengin 21 or pain.001 files, and the
//! bank's answers (status reports, statements) settle them and record the day the seller was
//! paid on the contract.

use super::bank_export::{self, ExportFormat, ExportedFile};
use crate::config::DebitFormat;
use crate::error::{AppError, AppResult};
use crate::{transact, App};
use kessai_core::contract::payout::{self, Payout};
use kessai_core::contract::Contract;
use kessai_core::Yen;
use kessai_store::NewContractPayout;
use std::path::Path;
use time::Date;

/// Contracts posted per transaction.
const PER_TRANSACTION: i64 = 10_000;

/// The reference a seller's transfer quotes (Zengin EDI, 20 characters at most; ISO
/// remittance): `PAY` and the last 16 hex digits of the contract ID (random in a UUIDv7).
pub fn payee_reference(contract_id: &str) -> String {
    let hex: String = contract_id.chars().filter(|c| *c != '-').collect();
    format!(
        "PAY{}",
        hex[hex.len().saturating_sub(16)..].to_ascii_uppercase()
    )
}

/// The file standard of the operator's main bank, which the payouts leave from (the setting
/// that also says how the bank takes direct debits), unless the operator set one for every
/// export (`--auto-export`).
pub fn format(app: &App) -> ExportFormat {
    app.config
        .auto_export
        .unwrap_or(match app.config.main_bank().debit_format {
            DebitFormat::Zengin => ExportFormat::Zengin,
            DebitFormat::Iso20022 => ExportFormat::Iso20022,
        })
}

/// What one run did.
#[derive(Clone, Debug, Default, serde::Serialize, utoipa::ToSchema)]
pub struct PayoutRun {
    /// Contracts whose payout was posted now.
    pub contracts: usize,
    /// Transfers instructed to sellers (a contract whose fee took everything has none).
    pub transfers: usize,
    pub paid_yen: i64,
    pub fees_yen: i64,
    /// The bank files written (every pending payout and refund, value date `date` or the next
    /// business day).
    pub files: Vec<ExportedFile>,
}

/// Pays every contract that may be paid, then exports the transfers (with every other pending
/// payout and refund) into files in `out`.
pub async fn run(app: &App, date: Date, out: &Path) -> AppResult<PayoutRun> {
    let mut done = pay(app, date).await?;
    done.files = bank_export::export(app, format(app), date, out).await?;
    Ok(done)
}

/// Posts every payable contract's payout and instructs the sellers' transfers, pending until
/// an export takes them (the scheduler's, with `--auto-export`, or [`run`]'s).
pub async fn pay(app: &App, date: Date) -> AppResult<PayoutRun> {
    let mut done = PayoutRun::default();
    // Each batch starts after the last contract of the one before (in ID order).
    let mut after = String::new();
    loop {
        let step = transact!(*app, |tx| {
            let ready = tx.contracts_to_pay(&after, PER_TRANSACTION).await?;
            let Some(last) = ready.last() else {
                return Ok(None);
            };
            let last = last.id.clone();
            let now = app.clock.now().0;
            let mut step = PayoutRun {
                contracts: ready.len(),
                ..PayoutRun::default()
            };
            let mut sellers = Vec::with_capacity(ready.len());
            let mut by_fee = vec![];
            for c in &ready {
                let p = Payout::of(Yen(c.amount_yen), c.fee);
                let journal_id = tx
                    .post_journal(Some(&c.id), &p.journal, "payout_run", now)
                    .await?;
                step.fees_yen += p.fee.0;
                if p.to_seller.is_positive() {
                    let contract: Contract =
                        serde_json::from_str(&c.body).map_err(AppError::internal)?;
                    step.paid_yen += p.to_seller.0;
                    sellers.push((c, journal_id, p.to_seller, contract.seller.account));
                } else {
                    by_fee.push(c.id.as_str());
                }
            }
            let ids: Vec<String> = sellers
                .iter()
                .map(|_| kessai_store::new_internal_id())
                .collect();
            let refs: Vec<String> = sellers.iter().map(|s| payee_reference(&s.0.id)).collect();
            let rows: Vec<NewContractPayout> = sellers
                .iter()
                .zip(ids.iter().zip(&refs))
                .map(
                    |((c, journal_id, amount, account), (id, payee_ref))| NewContractPayout {
                        id,
                        contract_id: &c.id,
                        journal_id,
                        amount_yen: amount.0,
                        account,
                        payee_ref,
                    },
                )
                .collect();
            let inserted = tx.insert_contract_payouts(&rows, now).await?;
            let instructed: Vec<&str> = sellers.iter().map(|s| s.0.id.as_str()).collect();
            let moved = tx
                .move_payouts(&instructed, payout::WAITING, payout::INSTRUCTED, now)
                .await?;
            let paid = tx
                .contracts_paid_without_transfer(&by_fee, &date.to_string(), now)
                .await?;
            if inserted != rows.len() as u64
                || moved != instructed.len() as u64
                || paid != by_fee.len() as u64
            {
                return Err(AppError::busy(
                    "another payout run took some of these contracts",
                ));
            }
            step.transfers = rows.len();
            Ok(Some((step, last)))
        })?;
        let Some((step, last)) = step else { break };
        after = last;
        done.contracts += step.contracts;
        done.transfers += step.transfers;
        done.paid_yen += step.paid_yen;
        done.fees_yen += step.fees_yen;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    #[test]
    fn payee_references_fit_a_zengin_edi_field() {
        let r = super::payee_reference("01a1fc67-dd93-729b-b96d-b58ee0ff2e1a");
        assert_eq!(r, "PAYB96DB58EE0FF2E1A");
        assert!(r.len() <= 20 && r.is_ascii());
    }
}
