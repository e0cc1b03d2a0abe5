//! Which deal an incoming credit is for: by virtual account, payer code or the quoted deal ID
//! (the rules are `kessai_core::reconcile`; this looks the candidates up).

use crate::error::AppResult;
use crate::App;
use kessai_core::reconcile::{match_reference, Match};
use kessai_core::{DealId, Party, Yen};
use kessai_store::Tx;

use super::CreditInput;

/// Whether money quoting a closed deal is most likely that deal's refund coming back (it
/// bounced: 振込不能): the deal is closed and a refund of exactly this amount went to the bank.
/// Taken as a late payment, it would be refunded again by itself, to the account that just
/// refused it; on the suspense list, the statement's return (or the operator) settles it.
pub(super) async fn refund_coming_back(tx: &mut Tx, deal_id: &str, amount: Yen) -> AppResult<bool> {
    let closed = tx
        .deal(deal_id)
        .await?
        .is_some_and(|d| d.deal.state.is_closed());
    Ok(closed && tx.refund_sent(deal_id, amount.0).await?)
}

/// The deal an incoming transfer is for: by the deal's virtual account, else by its payer code,
/// else by the buyer's deal ID quoted in the reference.
pub(crate) async fn find_deal(
    app: &App,
    tx: &mut Tx,
    input: &CreditInput,
) -> AppResult<Option<String>> {
    // Money into the collection account itself is not a virtual-account payment: no lookup.
    let collection = &app.config.collection_account().account_number;
    let into_virtual = input
        .account_number
        .as_deref()
        .filter(|n| n.trim_start_matches('0') != collection.trim_start_matches('0'));
    if let Some(number) = into_virtual {
        if let Some(deal) = tx.deal_by_virtual_account(number).await? {
            return Ok(Some(deal));
        }
    }
    if let Some(code) = input
        .transferor_code
        .as_deref()
        .filter(|c| !c.trim_start_matches('0').is_empty())
    {
        if let Some(deal) = tx.deal_by_payer_code(code).await? {
            return Ok(Some(deal));
        }
    }
    match_deal(tx, &input.reference).await
}

/// The one agreed deal whose buyer ID the reference quotes, if exactly one does (the matching
/// rules are `kessai_core::reconcile`; this only looks the quoted IDs up).
async fn match_deal(tx: &mut Tx, reference: &str) -> AppResult<Option<String>> {
    let mut known = std::collections::HashMap::new();
    for id in DealId::find_in(reference) {
        if let Some(reg) = tx.registration(&id).await? {
            if let (Party::Buyer, Some(deal)) = (reg.role, reg.deal_id) {
                known.insert(id, deal);
            }
        }
    }
    Ok(
        match match_reference(&[reference], |id| known.get(id).cloned()) {
            Match::One(deal) => Some(deal),
            Match::None | Match::Ambiguous(_) => None,
        },
    )
}
