//! Webhooks to the sites: every change of a contract's status is an event (recorded by the
//! store in the transaction that made the change), posted to the site's webhook URL as JSON,
//! signed (`signature.rs`), retried with backoff until delivered or given up, each attempt
//! logged, and replayable by the site (`api/webhook.rs`).

pub mod signature;
pub mod worker;

use kessai_store::WebhookEvent;
use serde::Serialize;

/// The request body of an event. Rendered from the event's stored columns, so every attempt
/// and every replay sends the same bytes.
#[derive(Serialize)]
struct Body<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    created_at: String,
    site_id: &'a str,
    contract: ContractState<'a>,
}

/// The contract as the change left it: a receiver may get events out of order (a retry
/// overtakes nothing, but a later change may be delivered first), and each carries the whole
/// state, so the furthest status wins.
#[derive(Serialize)]
struct ContractState<'a> {
    contract_id: &'a str,
    number: &'a str,
    /// The furthest step of the three tracks (`kessai_core::contract::status`).
    status: &'static str,
    debit_state: &'a str,
    delivery_state: &'a str,
    payout_state: &'a str,
    paid_on: Option<&'a str>,
}

/// The event type every status change is sent as.
pub const STATUS_CHANGED: &str = "contract.status_changed";

pub fn body(e: &WebhookEvent) -> Vec<u8> {
    let body = Body {
        id: &e.id,
        kind: STATUS_CHANGED,
        created_at: crate::service::session::rfc3339(e.created_at_ms),
        site_id: &e.site_id,
        contract: ContractState {
            contract_id: &e.contract_id,
            number: &e.number,
            status: kessai_core::contract::status(
                &e.debit_state,
                &e.delivery_state,
                &e.payout_state,
            ),
            debit_state: &e.debit_state,
            delivery_state: &e.delivery_state,
            payout_state: &e.payout_state,
            paid_on: e.paid_on.as_deref(),
        },
    };
    serde_json::to_vec(&body).expect("a webhook body serializes")
}
