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

/// What an incoming transfer can be matched to a deal by, each a lookup. None at all: the
/// transfer goes to the suspense list without asking the database.
pub(crate) struct MatchKeys<'a> {
    /// The operator's account it arrived in, when that is a deal's virtual account (money into
    /// the collection account itself is not a virtual-account payment).
    virtual_account: Option<&'a str>,
    /// The payer's 振込依頼人コード, when the bank sent one.
    payer_code: Option<&'a str>,
    /// The deal IDs its reference quotes.
    quoted: Vec<DealId>,
}

impl<'a> MatchKeys<'a> {
    pub(crate) fn of(app: &App, input: &'a CreditInput) -> MatchKeys<'a> {
        let collection = &app.config.collection_account().account_number;
        let virtual_account = input
            .account_number
            .as_deref()
            .filter(|n| n.trim_start_matches('0') != collection.trim_start_matches('0'));
        let payer_code = input
            .transferor_code
            .as_deref()
            .filter(|c| !c.trim_start_matches('0').is_empty());
        MatchKeys {
            virtual_account,
            payer_code,
            quoted: DealId::find_in(&input.reference),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.virtual_account.is_none() && self.payer_code.is_none() && self.quoted.is_empty()
    }
}

/// The deal an incoming transfer is for: by the deal's virtual account, else by its payer code,
/// else by the buyer's deal ID quoted in the reference.
pub(crate) async fn find_deal(
    app: &App,
    tx: &mut Tx,
    input: &CreditInput,
) -> AppResult<Option<String>> {
    let keys = MatchKeys::of(app, input);
    if let Some(number) = keys.virtual_account {
        if let Some(deal) = tx.deal_by_virtual_account(number).await? {
            return Ok(Some(deal));
        }
    }
    if let Some(code) = keys.payer_code {
        if let Some(deal) = tx.deal_by_payer_code(code).await? {
            return Ok(Some(deal));
        }
    }
    match_deal(tx, &input.reference, keys.quoted).await
}

/// The one agreed deal whose buyer ID the reference quotes, if exactly one does (the matching
/// rules are `kessai_core::reconcile`; this only looks the `quoted` IDs up).
async fn match_deal(
    tx: &mut Tx,
    reference: &str,
    quoted: Vec<DealId>,
) -> AppResult<Option<String>> {
    let mut known = std::collections::HashMap::new();
    for id in quoted {
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
