//! Incoming bank transfers: matched to a deal (`matching.rs`), applied exactly once by the
//! bank's reference for the record and its content (`entry.rs`; the same reference with other
//! content is a conflict on the suspense list), and kept as unmatched receipts when no single
//! deal fits.

mod batch;
mod matching;

use super::deal_ops;
use super::entry::{seen_before_upgrade, seen_credit, Direction, EntryContent, Seen};
use crate::error::{AppError, AppResult};
use crate::App;
pub(crate) use batch::{batchable, record_unmatched};
use kessai_core::{DealCommand, DealId, Party, Yen};
use kessai_store::{CreditOutcome, NewCredit, Tx};
pub(crate) use matching::find_deal;
use matching::refund_coming_back;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditInput {
    /// The bank's identity of this record; the same reference is applied only once.
    #[schema(min_length = 1, max_length = 100)]
    pub bank_ref: String,
    #[schema(minimum = 1)]
    pub amount_yen: i64,
    /// What the transferor wrote: their name and, ideally, the buyer's deal ID. At most 140
    /// characters, what an ISO 20022 `Ustrd` carries (a Zengin name and EDI are shorter).
    #[schema(max_length = 140)]
    pub reference: String,
    /// The operator's account the money arrived in: a deal's virtual account matches it alone.
    #[serde(default)]
    #[schema(max_length = 7)]
    pub account_number: Option<String>,
    /// The 振込依頼人コード the payer's bank sent: a deal's payer code matches it alone.
    #[serde(default)]
    #[schema(max_length = 10)]
    pub transferor_code: Option<String>,
    /// What the bank's entry says, from a bank file; for a credit posted by the operator, its
    /// amount and reference.
    #[serde(skip)]
    pub content: Option<EntryContent>,
    /// Set for a camt entry while records of the rule before migration 9 (camt entries known
    /// by `NtryRef`, without content) are recent: the entry may repeat one of them, and this
    /// is the payer's name and remittance it is compared by (`entry::seen_before_upgrade`).
    #[serde(skip)]
    pub before_upgrade: Option<String>,
}

impl CreditInput {
    /// The canonical content a repeated `bank_ref` is compared by.
    pub fn fingerprint(&self) -> String {
        match &self.content {
            Some(c) => c.fingerprint(),
            None => EntryContent {
                amount_yen: self.amount_yen,
                booking_date: String::new(),
                direction: Direction::In,
                counterparty: self.reference.clone(),
            }
            .fingerprint(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreditResult {
    pub bank_ref: String,
    /// `matched` or `unmatched` when applied now; for a repeated bank reference, what became of
    /// the credit since (`assigned`, `returned`, `transfer_returned`, `reversal_claim`, ...).
    pub outcome: String,
    /// True when this bank_ref had already been applied with the same content: nothing
    /// changed now.
    pub duplicate: bool,
    /// A conflict: the bank reference was recorded before with other content (amount, date,
    /// direction or counterparty). This record is not skipped: it is on the suspense list as a
    /// credit of its own, and this is the ID of the earlier credit it conflicts with.
    pub conflict_of: Option<String>,
    /// The credit this result is about (the earlier one, for a duplicate).
    #[serde(skip)]
    pub credit_id: Option<String>,
    /// The buyer's deal ID the credit was matched to.
    pub deal_id: Option<String>,
    pub deal_state: Option<String>,
    pub received_yen: Option<i64>,
    pub remaining_yen: Option<i64>,
    pub excess_yen: Option<i64>,
}

impl CreditResult {
    /// A result saying only what became of the credit, about no deal.
    fn new(bank_ref: &str, outcome: &str) -> CreditResult {
        CreditResult {
            bank_ref: bank_ref.to_string(),
            outcome: outcome.to_string(),
            duplicate: false,
            conflict_of: None,
            credit_id: None,
            deal_id: None,
            deal_state: None,
            received_yen: None,
            remaining_yen: None,
            excess_yen: None,
        }
    }
}

pub fn validate(input: &CreditInput) -> AppResult<Yen> {
    let bank_ref = input.bank_ref.trim();
    if bank_ref.is_empty() || bank_ref.len() > 100 {
        return Err(AppError::invalid(
            "bank_ref",
            "bank_ref is required (at most 100 characters)",
        ));
    }
    Yen::positive(input.amount_yen).ok_or_else(|| {
        AppError::invalid(
            "amount_yen",
            "amount_yen must be a positive whole number of yen",
        )
    })
}

/// Where an incoming credit may go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Matching {
    /// To the deal it quotes, else the suspense list.
    Deals,
    /// Only the suspense list: money that came back from one of Kessai's own transfers quotes
    /// a deal ID (a refund's EDI) but is not a payment into that deal.
    SuspenseOnly,
}

pub async fn apply_credit(app: &App, tx: &mut Tx, input: &CreditInput) -> AppResult<CreditResult> {
    apply_credit_to(app, tx, input, Matching::Deals).await
}

pub async fn apply_credit_to(
    app: &App,
    tx: &mut Tx,
    input: &CreditInput,
    matching: Matching,
) -> AppResult<CreditResult> {
    let amount = validate(input)?;
    let bank_ref = input.bank_ref.trim();
    let now = app.clock.now().0;
    if let Some(earlier) = seen_before_upgrade(tx, input, now).await? {
        return duplicate_of(tx, bank_ref, earlier).await;
    }
    let deal_id = match matching {
        Matching::Deals => match find_deal(app, tx, input).await? {
            Some(deal) if refund_coming_back(tx, &deal, amount).await? => None,
            found => found,
        },
        Matching::SuspenseOnly => None,
    };
    let outcome = if deal_id.is_some() {
        CreditOutcome::Matched
    } else {
        CreditOutcome::Unmatched
    };
    // Insert first: the unique bank reference decides whether this record is new, in one
    // statement instead of a lookup and an insert.
    let fingerprint = input.fingerprint();
    let recorded = NewRecord {
        amount,
        deal_id: deal_id.as_deref(),
        outcome,
        now_ms: now,
        conflict_of: None,
    };
    let credit_id = match record_once(tx, input, &recorded).await? {
        Some(id) => id,
        None => match seen_credit(tx, bank_ref, &fingerprint, amount.0).await? {
            Seen::New => return Err(busy()),
            Seen::Same(existing) => return duplicate_of(tx, bank_ref, existing).await,
            Seen::Conflict { earlier, key } => {
                // The bank used this identity before for other content: a record of its own,
                // on the suspense list for the operator, beside the earlier one.
                let conflict = CreditInput {
                    bank_ref: key,
                    ..input.clone()
                };
                let recorded = NewRecord {
                    deal_id: None,
                    outcome: CreditOutcome::Unmatched,
                    conflict_of: Some(&earlier.id),
                    ..recorded
                };
                let id = record(tx, &conflict, &recorded).await?;
                let journal = kessai_core::suspense::receive_unmatched(amount);
                tx.post_journal(None, &journal, "bank_credit", now).await?;
                let mut result = describe(tx, bank_ref, "unmatched", None).await?;
                result.conflict_of = Some(earlier.id);
                result.credit_id = Some(id);
                return Ok(result);
            }
        },
    };
    match &deal_id {
        Some(id) => {
            deal_ops::apply(app, tx, id, &DealCommand::Pay { amount }).await?;
        }
        None => {
            let journal = kessai_core::suspense::receive_unmatched(amount);
            tx.post_journal(None, &journal, "bank_credit", now).await?;
        }
    }
    let outcome = if deal_id.is_some() {
        "matched"
    } else {
        "unmatched"
    };
    let mut result = describe(tx, bank_ref, outcome, deal_id.as_deref()).await?;
    result.credit_id = Some(credit_id);
    Ok(result)
}

fn busy() -> AppError {
    AppError::new(
        axum::http::StatusCode::CONFLICT,
        "busy",
        "the same bank record is being applied",
    )
}

/// How a credit is recorded.
#[derive(Clone, Copy)]
pub(crate) struct NewRecord<'a> {
    pub(crate) amount: Yen,
    pub(crate) deal_id: Option<&'a str>,
    pub(crate) outcome: CreditOutcome,
    pub(crate) now_ms: i64,
    /// The earlier credit a conflicting record repeats the identity of.
    pub(crate) conflict_of: Option<&'a str>,
}

/// Records the bank's record `input` as `how`, with its content; returns the credit's ID, or
/// none when a credit with the same bank reference was recorded before.
pub(crate) async fn record_once(
    tx: &mut Tx,
    input: &CreditInput,
    how: &NewRecord<'_>,
) -> AppResult<Option<String>> {
    let content = input.fingerprint();
    Ok(tx.insert_credit(&new_credit(input, how, &content)).await?)
}

/// The credit row for the bank's record `input`, recorded as `how` with its `content`.
fn new_credit<'a>(input: &'a CreditInput, how: &NewRecord<'a>, content: &'a str) -> NewCredit<'a> {
    NewCredit {
        bank_ref: input.bank_ref.trim(),
        amount_yen: how.amount.0,
        reference: &input.reference,
        deal_id: how.deal_id,
        outcome: how.outcome,
        now_ms: how.now_ms,
        resolved_by: None,
        account_number: input.account_number.as_deref(),
        transferor_code: input
            .transferor_code
            .as_deref()
            .filter(|c| !c.trim_start_matches('0').is_empty()),
        content: Some(content),
        conflict_of: how.conflict_of,
    }
}

/// Like [`record_once`], for a record already known to be new: a concurrent transaction
/// recording the same bank reference makes this one retry.
pub(crate) async fn record(
    tx: &mut Tx,
    input: &CreditInput,
    how: &NewRecord<'_>,
) -> AppResult<String> {
    record_once(tx, input, how).await?.ok_or_else(busy)
}

/// The answer for an entry recorded before as `earlier`: nothing applied now.
async fn duplicate_of(
    tx: &mut Tx,
    bank_ref: &str,
    earlier: kessai_store::CreditRecord,
) -> AppResult<CreditResult> {
    let mut result = describe(tx, bank_ref, &earlier.outcome, earlier.deal_id.as_deref()).await?;
    result.duplicate = true;
    result.credit_id = Some(earlier.id);
    Ok(result)
}

async fn describe(
    tx: &mut Tx,
    bank_ref: &str,
    outcome: &str,
    deal_id: Option<&str>,
) -> AppResult<CreditResult> {
    let mut result = CreditResult::new(bank_ref, outcome);
    if let Some(id) = deal_id {
        if let Some(record) = tx.deal(id).await? {
            result.deal_id = Some(record.buyer_id.to_string());
            result.deal_state = Some(record.deal.state.as_str().to_string());
            result.received_yen = Some(record.deal.received.0);
            result.remaining_yen = Some(record.deal.remaining().0);
            result.excess_yen = Some(record.deal.excess().0);
        }
    }
    Ok(result)
}

/// The operator assigns a credit from the suspense list to a deal (by the buyer's deal ID):
/// the money moves from unmatched receipts into the deal, and the deal's amount rules apply.
pub async fn assign_credit(
    app: &App,
    tx: &mut Tx,
    credit_id: &str,
    deal_public_id: &str,
) -> AppResult<CreditResult> {
    use axum::http::StatusCode;
    let credit = tx.credit_by_id(credit_id).await?.ok_or_else(|| {
        AppError::new(
            StatusCode::NOT_FOUND,
            "credit_not_found",
            "no credit has this ID",
        )
        .with_field("credit_id")
    })?;
    if credit.outcome != "unmatched" {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            format!(
                "this credit is {}, not on the suspense list",
                credit.outcome
            ),
        ));
    }
    let id = DealId::parse(deal_public_id)?;
    let reg = tx
        .registration(&id)
        .await?
        .ok_or_else(AppError::not_found)?;
    if reg.role != Party::Buyer {
        return Err(AppError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wrong_party",
            "money is assigned to a deal by the buyer's deal ID",
        )
        .with_field("deal_id"));
    }
    let deal = deal_ops::agreed_deal_id(&reg)?.to_string();
    if !tx.assign_credit(credit_id, &deal).await? {
        return Err(AppError::new(
            StatusCode::CONFLICT,
            "busy",
            "the credit was assigned at the same moment",
        ));
    }
    let amount = Yen::positive(credit.amount_yen)
        .ok_or_else(|| AppError::internal("a stored credit without a positive amount"))?;
    deal_ops::apply(app, tx, &deal, &DealCommand::AssignFromSuspense { amount }).await?;
    let mut result = describe(tx, &credit.bank_ref, "assigned", Some(&deal)).await?;
    result.credit_id = Some(credit.id);
    Ok(result)
}
