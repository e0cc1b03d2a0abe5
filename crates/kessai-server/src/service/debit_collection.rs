//! The sum a direct-debit request collected, as the statement of the account it was paid
//! into shows it: banks book a 口座振替 request's takings as one deposit (摘要 ｺｳｻﾞﾌﾘｶｴ and
//! the like, no payer code). Its debits were booked one by one from the bank's result file
//! (`debit_results`), so that deposit is the same money again, not money in: booked as a
//! credit, it would sit on the suspense list and count twice with `kessai check` green.
//!
//! Recognized by the account it was paid into (main, or a collection account), its day and its
//! amount: the debited total of exactly one request of that day not claimed before; recorded
//! once by its entry identity (`bank_answers`, answer `debit_collection`, naming the request's
//! file). A deposit that matches no request — the result file not imported yet, another sum —
//! stays money in, on the suspense list for the operator, as before.

use super::credit::CreditInput;
use super::entry::seen_answer;
use crate::error::AppResult;
use crate::App;
use kessai_store::Tx;

/// What became of a deposit that says it is a request's collected sum.
pub enum Recognized {
    /// The request file (its export ID) whose sum it is, recorded now.
    Collected(String),
    /// This entry was recognized before.
    Duplicate,
}

/// The request `credit` (a deposit into the operator's account at `bank_code`, booked on
/// `booked_on`) is the collected sum of, if any.
pub async fn recognize(
    app: &App,
    tx: &mut Tx,
    credit: &CreditInput,
    bank_code: &str,
    booked_on: Option<&str>,
) -> AppResult<Option<Recognized>> {
    let Some(day) = booked_on else {
        return Ok(None);
    };
    let Some(into) = app.config.collected_into(bank_code) else {
        return Ok(None);
    };
    if tx.credit_by_ref(&credit.bank_ref).await?.is_some() {
        // Booked as money in before (its request was not known then): it stays what it was.
        return Ok(None);
    }
    let fingerprint = credit.fingerprint();
    let Some(key) = seen_answer(tx, &credit.bank_ref, &fingerprint).await? else {
        return Ok(Some(Recognized::Duplicate));
    };
    let request = tx
        .debit_request_collected(&into.to_stored(), day, credit.amount_yen)
        .await?;
    let Some(export_id) = request else {
        return Ok(None);
    };
    let now = app.clock.now().0;
    let recorded = tx
        .record_bank_answer(
            &key.identity,
            &fingerprint,
            Some(&export_id),
            "debit_collection",
            now,
        )
        .await?;
    Ok(Some(if recorded {
        Recognized::Collected(export_id)
    } else {
        Recognized::Duplicate
    }))
}
