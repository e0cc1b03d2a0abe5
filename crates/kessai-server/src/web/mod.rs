//! Server-rendered pages, Japanese first with an English switch (`?lang=en`, kept in a cookie).
//! Every form carries a CSRF token that must equal the one in the visitor's cookie.

mod csrf;
mod deal;
mod layout;
mod operator;
mod register;

use crate::App;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(layout::home))
        .route(
            "/register/{role}",
            get(register::form).post(register::submit),
        )
        .route("/deal", get(deal::login_form).post(deal::open))
        .route("/deal/shipment", axum::routing::post(deal::ship))
        .route("/deal/receipt", axum::routing::post(deal::receipt))
        .route("/operator", get(operator::login_form))
        .route("/operator/login", axum::routing::post(operator::login))
        .route("/operator/suspense", get(operator::suspense))
        .route(
            "/operator/suspense/assign",
            axum::routing::post(operator::assign),
        )
}
