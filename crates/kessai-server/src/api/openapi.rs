//! `/openapi.json`, generated from the handlers' annotations and the request/response types.

use super::{
    amend, bank, carrier, contract, konbini, merchant, operator, order, party, runs, session,
    settlement, site, suspense, webhook,
};
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(title = "Kessai", description = "Escrow and payment agency: the auction escrow flow, the marketplace settlement desk and the payment agency's merchants and orders."),
    paths(party::register, amend::amend, party::view, session::sign_in, session::sign_out, party::ship, party::receipt, operator::credit, operator::refund,
          operator::run_scheduler, operator::advance_clock, operator::instructions, operator::check,
          bank::import, bank::export, bank::correct, suspense::suspense, suspense::assign, suspense::return_credit,
          suspense::write_off, suspense::recover, site::create, site::show, site::rotate_key,
          contract::submit, contract::bulk, contract::show, contract::list, runs::debit,
          runs::delivery, runs::sweep, runs::sweeps, runs::payout, carrier::import, webhook::list, webhook::show,
          webhook::replay, settlement::list, merchant::create, merchant::list, merchant::show,
          merchant::rotate_key, merchant::suspend, merchant::activate, order::create, order::show,
          order::list, order::accept, order::cancel, order::capture, order::refund,
          konbini::import),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "deal_basic",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Basic)),
        );
        components.add_security_scheme(
            "deal_bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "site_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "merchant_signed",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "operator_bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The document as served: utoipa's, with each endpoint's error responses
/// (`super::responses`). Built once.
pub fn document_json() -> &'static serde_json::Value {
    static DOC: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).expect("the document serializes");
        super::responses::document_errors(&mut doc);
        doc
    })
}

pub async fn document() -> Json<&'static serde_json::Value> {
    Json(document_json())
}
