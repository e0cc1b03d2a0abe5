//! Server-rendered pages, Japanese first with an English switch (`?lang=en`, kept in a cookie).
//! Every form carries a CSRF token that must equal the one in the visitor's cookie.

mod account_form;
mod amend;
pub mod barcode;
mod checkout;
mod contract_page;
mod csrf;
mod deal;
mod deal_page;
mod errors;
mod layout;
mod merchant_dashboard;
mod not_found;
mod operator;
mod register;
mod settlement_page;
mod suspense;
mod suspense_return;

use crate::App;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub use not_found::fallback;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(layout::home))
        .route(
            "/register/{role}",
            get(register::form_page).post(register::submit),
        )
        // The answer to a correction switches language here: the deal sign-in, where the
        // correction form of a mismatched deal is.
        .route("/register/amend", get(deal::login_form).post(amend::submit))
        .route("/deal", get(deal::login_form).post(deal::open))
        .route("/contract/{id}", get(contract_page::show))
        .route("/checkout/{id}", get(checkout::show))
        .route(
            "/checkout/{id}/card",
            axum::routing::post(checkout::pay_by_card),
        )
        .route(
            "/checkout/{id}/konbini",
            axum::routing::post(checkout::pay_at_konbini),
        )
        .route("/checkout/{id}/slip.png", get(checkout::slip_png))
        .route("/merchant", get(merchant_dashboard::sign_in_form))
        .route(
            "/merchant/sign-in",
            axum::routing::post(merchant_dashboard::sign_in),
        )
        .route(
            "/merchant/sign-out",
            axum::routing::post(merchant_dashboard::sign_out),
        )
        .route("/merchant/orders", get(merchant_dashboard::list))
        .route("/merchant/orders.csv", get(merchant_dashboard::csv))
        .route("/merchant/orders/{id}", get(merchant_dashboard::detail))
        .route("/settlements/{site}/{seller}", get(settlement_page::show))
        .route(
            "/settlements/{site}/{seller}/csv",
            get(settlement_page::csv),
        )
        .route("/deal/shipment", axum::routing::post(deal::ship))
        .route("/deal/receipt", axum::routing::post(deal::receipt))
        .route("/deal/sign-out", axum::routing::post(deal::sign_out))
        .route("/operator", get(operator::login_form))
        .route("/operator/login", axum::routing::post(operator::login))
        .route("/operator/suspense", get(suspense::suspense))
        .route(
            "/operator/suspense/assign",
            axum::routing::post(suspense::assign),
        )
        .route(
            "/operator/suspense/return",
            get(suspense_return::return_form).post(suspense_return::return_credit),
        )
        .route(
            "/operator/claims/write-off",
            axum::routing::post(suspense::write_off),
        )
        .route(
            "/operator/claims/recover",
            axum::routing::post(suspense::recover),
        )
}
