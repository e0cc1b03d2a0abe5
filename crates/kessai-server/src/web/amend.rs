//! Correcting a registration on a page after a mismatch: the form comes prefilled (from the
//! registration page's answer or the deal page), signed with the deal ID and password.

use super::account_form::Problems;
use super::csrf;
use super::errors::{csrf_error, describe_error};
use super::layout::{error_box, page, respond};
use super::register::{form, outcome_page, RegistrationForm};
use crate::error::AppError;
use crate::service::amend::amend_as;
use crate::service::auth::login;
use crate::service::field_error::FieldError;
use crate::service::register::validate;
use crate::App;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::Party;
use maud::html;
use std::sync::Arc;

pub async fn submit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<RegistrationForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, None);
    let (token, csrf_cookie) = csrf::token(&headers);
    let title = lang.t("登録内容の訂正", "Correct your registration");
    // Until the password is checked, the form's own fields say which role it was.
    let guessed = if f.shipping_address.trim().is_empty() {
        Party::Seller
    } else {
        Party::Buyer
    };
    let again = |role, status, error: Option<&AppError>, errors: &[FieldError]| {
        let p = Problems { lang, errors };
        let body = html! { @if let Some(e) = error { (error_box(&describe_error(lang, e))) } (form(role, &token, &f, &p)) };
        respond(
            status,
            std::slice::from_ref(&csrf_cookie),
            page(lang, title, body),
        )
    };
    if !csrf::verify(&headers, &f.csrf) {
        return again(guessed, StatusCode::FORBIDDEN, Some(&csrf_error(lang)), &[]);
    }
    let reg = match login(&app, &f.deal_id, &f.password).await {
        Ok(reg) => reg,
        Err(e) => return again(guessed, e.status, Some(&e), &[]),
    };
    let input = f.to_input(lang);
    if let Err(errors) = validate(reg.role, &input, app.config.bank_master.as_deref()) {
        return again(reg.role, StatusCode::UNPROCESSABLE_ENTITY, None, &errors);
    }
    let outcome = amend_as(&app, &reg, &input, None)
        .await
        .and_then(|(_, body)| serde_json::from_str(&body).map_err(AppError::internal));
    match outcome {
        Ok(o) => respond(
            StatusCode::OK,
            std::slice::from_ref(&csrf_cookie),
            outcome_page(lang, &token, reg.role, &o, &f),
        ),
        Err(e) => again(reg.role, e.status, Some(&e), &[]),
    }
}
