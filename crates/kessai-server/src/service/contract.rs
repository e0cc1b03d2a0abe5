//! A site's sales contracts (seed 001), one by one or up to 100,000 in one request. Each is
//! checked alone (a bad one never loses the good ones) and stored once: the site's contract
//! number is unique per site, and a repeat with the same content is a replay that answers the
//! same contract ID, while a repeat with other content is a conflict and changes nothing.

pub mod notices;
pub mod page_link;
mod schedule;
mod upload;

use crate::error::{AppError, AppResult};
use crate::{transact, App};
use axum::http::StatusCode;
use kessai_core::contract::{Contract, ContractInput};
use kessai_store::{ContractRecord, NewContract, SiteRecord};
use schedule::schedule;
pub use schedule::{StepView, Warning};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
pub use upload::{read_upload, UploadFormat, MAX_CONTRACTS_PER_UPLOAD};
use utoipa::ToSchema;

/// What became of one contract of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LineAnswer {
    /// The line (JSON lines) or data row (CSV, the header not counted) it came from, from 1.
    pub line: usize,
    /// The site's contract number, when the line gave one.
    pub number: Option<String>,
    /// `accepted` (stored now), `replayed` (stored before with the same content: nothing
    /// changed) or `rejected`.
    pub outcome: String,
    /// Kessai's ID for the contract (accepted or replayed).
    pub contract_id: Option<String>,
    /// Why a line was rejected: `invalid_field`, `invalid_line` (not a contract at all) or
    /// `contract_conflict` (the number is stored with other content).
    pub code: Option<String>,
    pub field: Option<String>,
    pub reason: Option<String>,
}

/// The answer to a bulk upload: counts, then one answer per line in line order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BulkAnswer {
    pub accepted: usize,
    pub replayed: usize,
    pub rejected: usize,
    pub lines: Vec<LineAnswer>,
}

/// A line of a request, read or refused.
pub type Line = (usize, Result<ContractInput, LineProblem>);

/// Why a line is not a contract.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineProblem {
    pub code: &'static str,
    pub field: Option<String>,
    pub reason: String,
}

/// A contract as a site reads it back.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct ContractView {
    pub contract_id: String,
    pub site_id: String,
    pub number: String,
    /// Where it stands: `accepted`, `debit_requested`, `debited`, `debit_failed`,
    /// `delivery_instructed`, `shipped`, `payout_instructed`, `paid` (the furthest of its
    /// three tracks).
    pub status: String,
    /// The debit track: `not_requested`, `requested`, `debited`, `failed`.
    pub debit_state: String,
    /// The delivery track: `waiting`, `instructed`, `shipped`.
    pub delivery_state: String,
    /// The payout track: `waiting`, `instructed` (the transfer to the seller is with the
    /// bank), `paid`.
    pub payout_state: String,
    /// The day the bank confirmed the seller's payout (`YYYY-MM-DD`).
    pub paid_on: Option<String>,
    pub amount_yen: i64,
    /// When it was accepted (RFC 3339, UTC).
    pub accepted_at: String,
    /// The contract as Kessai holds it (normalized).
    #[schema(value_type = Object)]
    pub contract: serde_json::Value,
    /// Its direct debits, oldest first: the date requested for and, once the buyer's bank
    /// answered, the result (`debited`, or why not: `insufficient_funds`, `no_account`,
    /// `stopped_by_payer`, `no_agreement`, `stopped_by_collector`, `other`).
    pub debits: Vec<DebitView>,
    /// Its delivery, once instructed to the carrier: the planned day and, once shipped, the
    /// tracking number and the day it left.
    pub delivery: Option<DeliveryView>,
    /// Its progress, step by step, planned and done (on the contract's own page only).
    pub schedule: Vec<StepView>,
    /// Set when it cannot go on as planned: the buyer's bank did not debit.
    pub warning: Option<Warning>,
    /// Its progress page for the buyer and the seller (Japanese, with an English switch): a
    /// signed link that shows and changes nothing (on the contract's own page only).
    pub page_url: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryView {
    pub ship_date: String,
    pub tracking_number: Option<String>,
    pub shipped_on: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct DebitView {
    pub date: String,
    pub amount_yen: i64,
    pub result: Option<String>,
}

/// A contract with its debits, delivery and progress, as the site reads it.
pub async fn view_in_full(
    app: &App,
    site: &SiteRecord,
    c: &ContractRecord,
) -> AppResult<ContractView> {
    let mut v = view(c)?;
    let debits = app.store.debits_of_contract(&c.id).await?;
    let delivery = app.store.delivery_of_contract(&c.id).await?;
    (v.schedule, v.warning) = schedule(c, site, &debits, delivery.as_ref())?;
    v.page_url = Some(page_link::url(app, &c.id).await?);
    v.debits = debits
        .into_iter()
        .map(|d| DebitView {
            date: d.debit_date,
            amount_yen: d.amount_yen,
            result: d.result,
        })
        .collect();
    v.delivery = delivery.map(|d| DeliveryView {
        ship_date: d.ship_date,
        tracking_number: d.tracking_number,
        shipped_on: d.shipped_on,
    });
    Ok(v)
}

/// A contract as listed (its debits and delivery are on its own page).
pub fn view(c: &ContractRecord) -> AppResult<ContractView> {
    Ok(ContractView {
        debits: vec![],
        delivery: None,
        schedule: vec![],
        page_url: None,
        warning: None,
        contract_id: c.id.clone(),
        site_id: c.site_id.clone(),
        number: c.number.clone(),
        status: kessai_core::contract::status(&c.debit_state, &c.delivery_state, &c.payout_state)
            .to_string(),
        debit_state: c.debit_state.clone(),
        delivery_state: c.delivery_state.clone(),
        payout_state: c.payout_state.clone(),
        paid_on: c.paid_on.clone(),
        amount_yen: c.amount_yen,
        accepted_at: crate::service::session::rfc3339(c.created_at_ms),
        contract: serde_json::from_str(&c.body).map_err(AppError::internal)?,
    })
}

fn rejected(line: usize, number: Option<String>, p: LineProblem) -> LineAnswer {
    LineAnswer {
        line,
        number,
        outcome: "rejected".into(),
        contract_id: None,
        code: Some(p.code.into()),
        field: p.field,
        reason: Some(p.reason),
    }
}

/// A line checked: the contract in canonical form, ready to store.
struct Checked {
    line: usize,
    contract: Contract,
    body: String,
    sha256: String,
}

/// Checks one contract: every field, then both accounts against the bank master.
fn check(app: &App, input: &ContractInput) -> Result<Contract, LineProblem> {
    let contract = Contract::parse(input).map_err(|errors| {
        let first = &errors[0];
        LineProblem {
            code: "invalid_field",
            field: Some(first.field.clone()),
            reason: errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        }
    })?;
    // The carrier's files are Shift_JIS: what goes on a delivery slip must fit.
    for (field, text) in [
        ("buyer.name", &contract.buyer.name),
        ("buyer.address", &contract.buyer.address),
        ("seller.name", &contract.seller.name),
        ("seller.address", &contract.seller.address),
        ("goods.name", &contract.goods.name),
        ("goods.model", &contract.goods.model),
    ] {
        if !kessai_formats::carrier::encodable(text) {
            return Err(LineProblem {
                code: "invalid_field",
                field: Some(field.into()),
                reason: format!(
                    "{field}: holds a character a delivery slip cannot carry (Shift_JIS)"
                ),
            });
        }
    }
    if let Some(master) = &app.config.bank_master {
        for (who, party) in [("buyer", &contract.buyer), ("seller", &contract.seller)] {
            let a = &party.account;
            if let Err(e) = master.check(&a.bank_code, &a.branch_code) {
                return Err(LineProblem {
                    code: "invalid_field",
                    field: Some(format!("{who}.account.{}", e.field())),
                    reason: e.to_string(),
                });
            }
        }
    }
    Ok(contract)
}

/// Stores every good line of a request in one transaction and answers each line.
pub async fn submit(app: &App, site: &SiteRecord, lines: Vec<Line>) -> AppResult<BulkAnswer> {
    let mut answers: Vec<Option<LineAnswer>> = vec![None; lines.len()];
    let mut good: Vec<(usize, Checked)> = vec![];
    for (i, (line, read)) in lines.into_iter().enumerate() {
        let input = match read {
            Ok(input) => input,
            Err(p) => {
                answers[i] = Some(rejected(line, None, p));
                continue;
            }
        };
        match check(app, &input) {
            Ok(contract) => {
                let body = serde_json::to_string(&contract).map_err(AppError::internal)?;
                let sha256 = hex::encode(Sha256::digest(body.as_bytes()));
                let checked = Checked {
                    line,
                    contract,
                    body,
                    sha256,
                };
                good.push((i, checked));
            }
            Err(p) => {
                let number = Some(input.number.trim().to_string()).filter(|n| !n.is_empty());
                answers[i] = Some(rejected(line, number, p));
            }
        }
    }
    let now = app.clock.now().0;
    let stored = transact!(*app, |tx| store(tx, site, &good, now).await)?;
    for (i, answer) in stored {
        answers[i] = Some(answer);
    }
    let lines: Vec<LineAnswer> = answers.into_iter().flatten().collect();
    let count = |o: &str| lines.iter().filter(|l| l.outcome == o).count();
    Ok(BulkAnswer {
        accepted: count("accepted"),
        replayed: count("replayed"),
        rejected: count("rejected"),
        lines,
    })
}

/// Classifies each checked contract against what the site has stored (and against the lines
/// before it), and inserts the new ones. A number stored meanwhile by a concurrent request
/// makes the insert fall short: `busy`, and the transaction reruns on fresh data.
async fn store(
    tx: &mut kessai_store::Tx,
    site: &SiteRecord,
    good: &[(usize, Checked)],
    now: i64,
) -> AppResult<Vec<(usize, LineAnswer)>> {
    let numbers: Vec<&str> = good
        .iter()
        .map(|(_, c)| c.contract.number.as_str())
        .collect();
    let mut known = tx.stored_numbers(&site.id, &numbers).await?;
    let mut answers = vec![];
    let mut new_ids: Vec<(usize, String)> = vec![];
    for (k, (i, c)) in good.iter().enumerate() {
        let answer = |outcome: &str, id: Option<String>| LineAnswer {
            line: c.line,
            number: Some(c.contract.number.clone()),
            outcome: outcome.into(),
            contract_id: id,
            code: None,
            field: None,
            reason: None,
        };
        match known.get(&c.contract.number) {
            Some(earlier) if earlier.content_sha256 == c.sha256 => {
                answers.push((*i, answer("replayed", Some(earlier.id.clone()))));
            }
            Some(earlier) => {
                let problem = LineProblem {
                    code: "contract_conflict",
                    field: Some("number".into()),
                    reason: format!(
                        "contract number {} is stored already (contract {}) with other content",
                        c.contract.number, earlier.id
                    ),
                };
                answers.push((
                    *i,
                    rejected(c.line, Some(c.contract.number.clone()), problem),
                ));
            }
            None => {
                let id = kessai_store::new_internal_id();
                known.insert(
                    c.contract.number.clone(),
                    kessai_store::StoredNumber {
                        id: id.clone(),
                        content_sha256: c.sha256.clone(),
                    },
                );
                answers.push((*i, answer("accepted", Some(id.clone()))));
                new_ids.push((k, id));
            }
        }
    }
    let rows: Vec<NewContract> = new_ids
        .iter()
        .map(|(k, id)| {
            let c = &good[*k].1;
            NewContract {
                id,
                number: &c.contract.number,
                content_sha256: &c.sha256,
                body: &c.body,
                amount_yen: c.contract.amount.0,
                buyer_bank_code: &c.contract.buyer.account.bank_code,
                due_date: c.contract.due_date.as_deref(),
                payout_when: c.contract.payout.as_str(),
                pooling: c.contract.pooling.as_str(),
                party_emails: [&c.contract.buyer, &c.contract.seller]
                    .iter()
                    .filter(|p| p.email.is_some())
                    .count() as i64,
            }
        })
        .collect();
    let inserted = tx.insert_contracts(&site.id, &rows, now).await?;
    if inserted != rows.len() as u64 {
        return Err(AppError::busy(
            "another request stored some of these contract numbers meanwhile",
        ));
    }
    Ok(answers)
}

/// One contract: `201` when stored now, `200` for a replay, an error otherwise.
pub async fn submit_one(
    app: &App,
    site: &SiteRecord,
    input: ContractInput,
) -> AppResult<(StatusCode, LineAnswer)> {
    let answer = submit(app, site, vec![(1, Ok(input))]).await?;
    let line = answer
        .lines
        .into_iter()
        .next()
        .ok_or_else(|| AppError::internal("a contract request answered no line"))?;
    match line.outcome.as_str() {
        "accepted" => Ok((StatusCode::CREATED, line)),
        "replayed" => Ok((StatusCode::OK, line)),
        _ => {
            let code = match line.code.as_deref() {
                Some("contract_conflict") => "contract_conflict",
                _ => "invalid_field",
            };
            let status = if code == "contract_conflict" {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let mut e = AppError::new(status, code, line.reason.unwrap_or_default());
            e.field = line.field;
            Err(e)
        }
    }
}

/// A contract of this site; another site's is not found.
pub async fn find(app: &App, site: &SiteRecord, id: &str) -> AppResult<ContractRecord> {
    app.store
        .contract(&site.id, id)
        .await?
        .ok_or_else(contract_not_found)
}

pub fn contract_not_found() -> AppError {
    AppError::new(
        StatusCode::NOT_FOUND,
        "contract_not_found",
        "this site has no contract with this ID",
    )
    .with_field("contract_id")
}
