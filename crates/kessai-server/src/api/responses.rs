//! Which errors each endpoint can answer, declared once here and written into `/openapi.json`:
//! each error status of an operation gets a response whose schema lists its codes as an enum.
//! The integration tests check every response they see against the document, and a unit test
//! here that every operation has a row (a new endpoint adds one, naming its groups and codes).

use serde_json::{json, Value};

/// (HTTP status, stable code) pairs.
pub type Codes = &'static [(u16, &'static str)];

/// Every endpoint.
pub const ALWAYS: Codes = &[(500, "internal")];
/// Endpoints that write (a concurrent update retried too often).
pub const WRITES: Codes = &[(409, "busy")];
/// A JSON request body (`super::body`).
pub const JSON_BODY: Codes = &[
    (400, "invalid_json"),
    (400, "invalid_request"),
    (413, "body_too_large"),
    (415, "unsupported_media_type"),
    (422, "unknown_field"),
    (422, "invalid_field"),
];
/// The operator's bearer token.
pub const OPERATOR: Codes = &[(401, "unauthorized")];
/// A site's API key.
pub const SITE_KEY: Codes = &[(401, "invalid_api_key")];
/// A merchant's API key and request signature.
pub const MERCHANT_SIGNED: Codes = &[
    (401, "invalid_api_key"),
    (401, "invalid_signature"),
    (401, "stale_request"),
    (400, "invalid_request"),
    (413, "body_too_large"),
    (415, "unsupported_media_type"),
];
/// A merchant's order in the path, moved by a step.
pub const ORDER_STEP: Codes = &[(404, "order_not_found"), (409, "illegal_transition")];
/// A step that calls the card processor.
pub const PROCESSOR: Codes = &[(502, "processor_unavailable"), (409, "method_unavailable")];
/// A deal ID in the path.
pub const DEAL_ID: Codes = &[(400, "invalid_deal_id"), (404, "deal_not_found")];
/// A party's login (HTTP Basic with the path's deal ID).
pub const DEAL_PASSWORD: Codes = &[
    (400, "invalid_deal_id"),
    (404, "deal_not_found"),
    (401, "wrong_password"),
    (429, "login_locked"),
];
/// A session's bearer token for the path's deal ID.
pub const DEAL_SESSION: Codes = &[(400, "invalid_deal_id"), (401, "invalid_session")];
/// Either of the two.
pub const DEAL_LOGIN: Codes = &[
    (400, "invalid_deal_id"),
    (404, "deal_not_found"),
    (401, "wrong_password"),
    (401, "invalid_session"),
    (429, "login_locked"),
];
/// `Idempotency-Key` (a malformed key is `invalid_field`).
pub const IDEMPOTENT: Codes = &[
    (422, "invalid_field"),
    (422, "idempotency_key_reused"),
    (409, "idempotency_key_in_use"),
];
/// A step of a deal that may not be possible now.
pub const DEAL_STEP: Codes = &[
    (409, "wrong_state"),
    (409, "not_agreed"),
    (403, "wrong_party"),
];
/// An upload's Content-Type and size, and its file name (bank files).
pub const UPLOAD: Codes = &[
    (400, "invalid_request"),
    (413, "body_too_large"),
    (415, "unsupported_media_type"),
    (422, "invalid_field"),
];

/// Method, path (as in the document) and the groups of errors it can answer.
#[rustfmt::skip]
pub const ENDPOINTS: &[(&str, &str, &[Codes])] = &[
    ("post", "/v1/registrations/{role}", &[JSON_BODY, IDEMPOTENT, WRITES, &[(404, "unknown_role")]]),
    ("post", "/v1/registrations/{deal_id}/amend",
        &[DEAL_LOGIN, JSON_BODY, IDEMPOTENT, WRITES, &[(409, "wrong_state")]]),
    ("get", "/v1/deals/{deal_id}", &[DEAL_LOGIN, WRITES]),
    ("post", "/v1/deals/{deal_id}/session", &[DEAL_PASSWORD, JSON_BODY, WRITES]),
    ("delete", "/v1/deals/{deal_id}/session", &[DEAL_SESSION, WRITES]),
    ("post", "/v1/deals/{deal_id}/shipment", &[DEAL_LOGIN, JSON_BODY, IDEMPOTENT, WRITES, DEAL_STEP]),
    ("post", "/v1/deals/{deal_id}/receipt", &[DEAL_LOGIN, JSON_BODY, IDEMPOTENT, WRITES, DEAL_STEP]),
    ("post", "/v1/operator/bank-credits", &[OPERATOR, JSON_BODY, IDEMPOTENT, WRITES, &[(409, "wrong_state")]]),
    ("post", "/v1/operator/deals/{deal_id}/refund",
        &[OPERATOR, DEAL_ID, JSON_BODY, IDEMPOTENT, WRITES, &[(409, "wrong_state"), (409, "not_agreed")]]),
    ("post", "/v1/operator/scheduler/run", &[OPERATOR, JSON_BODY, WRITES]),
    ("post", "/v1/operator/clock", &[OPERATOR, JSON_BODY, &[(403, "clock_fixed")]]),
    ("get", "/v1/operator/instructions", &[OPERATOR, DEAL_ID, &[(400, "invalid_request"), (409, "not_agreed")]]),
    ("get", "/v1/operator/check", &[OPERATOR]),
    ("post", "/v1/operator/bank-files", &[OPERATOR, UPLOAD, WRITES, &[(422, "invalid_file")]]),
    ("post", "/v1/operator/bank-exports", &[OPERATOR, JSON_BODY, WRITES, &[(422, "export_failed")]]),
    ("get", "/v1/operator/suspense", &[OPERATOR]),
    ("post", "/v1/operator/instructions/{id}/correct", &[OPERATOR, JSON_BODY, WRITES, &[(409, "wrong_state")]]),
    ("post", "/v1/operator/suspense/{credit_id}/assign",
        &[OPERATOR, JSON_BODY, DEAL_ID, WRITES,
          &[(404, "credit_not_found"), (409, "wrong_state"), (409, "not_agreed"), (422, "wrong_party")]]),
    ("post", "/v1/operator/suspense/{credit_id}/return",
        &[OPERATOR, JSON_BODY, IDEMPOTENT, WRITES, &[(404, "credit_not_found"), (409, "wrong_state")]]),
    ("post", "/v1/operator/claims/{claim_id}/write-off",
        &[OPERATOR, JSON_BODY, IDEMPOTENT, WRITES, &[(404, "credit_not_found"), (409, "wrong_state")]]),
    ("post", "/v1/operator/sites", &[OPERATOR, JSON_BODY, WRITES, &[(409, "site_exists")]]),
    ("get", "/v1/operator/sites/{site_id}", &[OPERATOR, &[(404, "site_not_found")]]),
    ("post", "/v1/operator/sites/{site_id}/api-key", &[OPERATOR, JSON_BODY, WRITES, &[(404, "site_not_found")]]),
    ("post", "/v1/operator/merchants", &[OPERATOR, JSON_BODY, WRITES, &[(409, "merchant_exists")]]),
    ("get", "/v1/operator/merchants", &[OPERATOR]),
    ("get", "/v1/operator/merchants/{merchant_id}", &[OPERATOR, &[(404, "merchant_not_found")]]),
    ("post", "/v1/operator/merchants/{merchant_id}/api-key", &[OPERATOR, JSON_BODY, WRITES, &[(404, "merchant_not_found")]]),
    ("post", "/v1/operator/merchants/{merchant_id}/suspend", &[OPERATOR, JSON_BODY, WRITES, &[(404, "merchant_not_found")]]),
    ("post", "/v1/operator/merchants/{merchant_id}/activate", &[OPERATOR, JSON_BODY, WRITES, &[(404, "merchant_not_found")]]),
    ("post", "/v1/orders", &[MERCHANT_SIGNED, JSON_BODY, WRITES,
        &[(409, "order_number_conflict"), (403, "merchant_suspended"), (403, "merchant_not_yet_valid"), (403, "merchant_expired")]]),
    ("get", "/v1/orders", &[MERCHANT_SIGNED, &[(422, "invalid_field")]]),
    ("get", "/v1/orders/{order_id}", &[MERCHANT_SIGNED, &[(404, "order_not_found")]]),
    ("post", "/v1/orders/{order_id}/accept", &[MERCHANT_SIGNED, WRITES, ORDER_STEP]),
    ("post", "/v1/orders/{order_id}/cancel", &[MERCHANT_SIGNED, WRITES, ORDER_STEP, PROCESSOR]),
    ("post", "/v1/orders/{order_id}/capture", &[MERCHANT_SIGNED, WRITES, ORDER_STEP, PROCESSOR]),
    ("post", "/v1/orders/{order_id}/refunds", &[MERCHANT_SIGNED, JSON_BODY, WRITES, ORDER_STEP, PROCESSOR]),
    ("post", "/v1/operator/runs/debit", &[OPERATOR, JSON_BODY, WRITES, &[(422, "export_failed")]]),
    ("post", "/v1/operator/runs/delivery", &[OPERATOR, JSON_BODY, WRITES]),
    ("post", "/v1/operator/runs/sweep", &[OPERATOR, JSON_BODY, WRITES]),
    ("get", "/v1/operator/sweeps", &[OPERATOR]),
    ("post", "/v1/operator/runs/payout", &[OPERATOR, JSON_BODY, WRITES]),
    ("post", "/v1/operator/carrier-files", &[OPERATOR, UPLOAD, WRITES, &[(422, "invalid_file")]]),
    ("post", "/v1/operator/konbini-files", &[OPERATOR, UPLOAD, WRITES, &[(422, "invalid_file")]]),
    ("post", "/v1/contracts", &[SITE_KEY, JSON_BODY, WRITES, &[(409, "contract_conflict")]]),
    ("get", "/v1/contracts", &[SITE_KEY, &[(400, "invalid_request")]]),
    ("post", "/v1/contracts/bulk", &[SITE_KEY, UPLOAD, WRITES, &[(422, "invalid_upload")]]),
    ("get", "/v1/contracts/{contract_id}", &[SITE_KEY, &[(404, "contract_not_found")]]),
    ("get", "/v1/settlements", &[SITE_KEY, &[(400, "invalid_request"), (422, "invalid_field")]]),
    ("get", "/v1/webhooks", &[SITE_KEY, &[(400, "invalid_request")]]),
    ("get", "/v1/webhooks/{event_id}", &[SITE_KEY, &[(404, "event_not_found")]]),
    ("post", "/v1/webhooks/{event_id}/replay", &[SITE_KEY, WRITES, &[(404, "event_not_found")]]),
    ("post", "/v1/operator/claims/{claim_id}/recover",
        &[OPERATOR, JSON_BODY, IDEMPOTENT, WRITES,
          &[(404, "credit_not_found"), (409, "wrong_state"), (422, "amount_exceeds_claim")]]),
];

/// The error codes `method path` declares for `status`, sorted (none for an unknown endpoint).
pub fn declared(method: &str, path: &str, status: u16) -> Vec<&'static str> {
    let mut codes: Vec<&str> = ENDPOINTS
        .iter()
        .filter(|(m, p, _)| *m == method && *p == path)
        .flat_map(|(_, _, groups)| groups.iter().chain([&ALWAYS]))
        .flat_map(|codes| codes.iter())
        .filter(|(s, _)| *s == status)
        .map(|(_, c)| *c)
        .collect();
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// Writes each endpoint's error responses into the document (replacing any the annotations
/// gave), one per status, its `code` an enum of the declared codes.
/// A row whose operation is not in the document is skipped (the unit test below names it).
pub fn document_errors(doc: &mut Value) {
    for (method, path, groups) in ENDPOINTS {
        let Some(op) = doc.pointer_mut(&operation_pointer(method, path)) else {
            continue;
        };
        let mut statuses: Vec<u16> = groups
            .iter()
            .chain([&ALWAYS])
            .flat_map(|c| c.iter().map(|(s, _)| *s))
            .collect();
        statuses.sort_unstable();
        statuses.dedup();
        for status in statuses {
            let codes = declared(method, path, status);
            op["responses"][status.to_string()] = error_response(&codes);
        }
    }
}

/// The JSON pointer of an operation in the document (`/` in a path is `~1`).
fn operation_pointer(method: &str, path: &str) -> String {
    format!(
        "/paths/{}/{method}",
        path.replace('~', "~0").replace('/', "~1")
    )
}

fn error_response(codes: &[&str]) -> Value {
    let list: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    json!({
        "description": format!("An error: {}.", list.join(", ")),
        "content": { "application/json": { "schema": {
            "type": "object",
            "required": ["error"],
            "properties": { "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": { "type": "string", "enum": codes },
                    "message": { "type": "string" },
                    "field": { "type": ["string", "null"] }
                }
            }}
        }}}
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_operation_declares_its_errors() {
        let doc = super::super::openapi::document_json();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                assert!(
                    super::ENDPOINTS
                        .iter()
                        .any(|(m, p, _)| m == method && p == path),
                    "{method} {path}: add its row to api::responses::ENDPOINTS"
                );
            }
        }
        for (method, path, _) in super::ENDPOINTS {
            assert!(
                doc.pointer(&super::operation_pointer(method, path))
                    .is_some(),
                "{method} {path} has a row in ENDPOINTS but is not in the document"
            );
        }
    }
}
