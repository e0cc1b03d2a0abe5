//! The operator's page for returning a suspense credit to its payer: the payer's account
//! in a form, refilled with the error when the account is mistyped.

use super::account_form::{AccountForm, Problems};
use super::errors::describe_error;
use super::layout::{error_box, page, page_at, respond};
use super::suspense::{failed, guard, page_for, visit};
use crate::i18n::{format_jst, Lang};
use crate::service::suspense;
use crate::App;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::{Millis, Yen};
use kessai_store::CreditRecord;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct CreditQuery {
    #[serde(default)]
    credit_id: String,
    lang: Option<String>,
}

fn return_page(
    lang: Lang,
    token: &str,
    credit: &CreditRecord,
    f: &AccountForm,
    error: Option<&str>,
    p: &Problems,
) -> Markup {
    let body = html! {
        @if let Some(e) = error { (error_box(e)) }
        (p.summary())
        p data-testid="return-credit" {
            (Yen(credit.amount_yen)) " — " (credit.reference) " (" (format_jst(Millis(credit.received_at_ms))) ")"
        }
        form method="post" action="/operator/suspense/return" {
            input type="hidden" name="csrf" value=(token);
            input type="hidden" name="credit_id" value=(credit.id);
            (f.fieldset(lang.t("返金先の口座（振込人の口座）", "Account to return it to (the payer's)"), p))
            button type="submit" { (lang.t("返金する", "Return the money")) }
        }
        p { a href="/operator/suspense" { (lang.t("一覧に戻る", "Back to the list")) } }
    };
    page_at(
        lang,
        lang.t("振込人への返金", "Return to the payer"),
        body,
        &format!("/operator/suspense/return?credit_id={}", credit.id),
    )
}

async fn credit_or_page(app: &App, lang: Lang, id: &str) -> Result<CreditRecord, Box<Response>> {
    let found = app
        .store
        .credit_by_id(id)
        .await
        .map_err(|e| Box::new(failed(lang, e)))?;
    found.ok_or_else(|| {
        Box::new(respond(
            StatusCode::NOT_FOUND,
            &[],
            page(
                lang,
                "Kessai",
                error_box(lang.t("この入金はありません。", "No credit has this ID.")),
            ),
        ))
    })
}

pub async fn return_form(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<CreditQuery>,
) -> Response {
    let v = match visit(&app, &headers, q.lang.as_deref()) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    match credit_or_page(&app, v.lang, &q.credit_id).await {
        Ok(credit) => respond(
            StatusCode::OK,
            &v.cookies,
            return_page(
                v.lang,
                &v.token,
                &credit,
                &AccountForm::default(),
                None,
                &Problems::none(v.lang),
            ),
        ),
        Err(page) => *page,
    }
}

#[derive(Deserialize, Default)]
pub struct ReturnForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credit_id: String,
    #[serde(flatten)]
    account: AccountForm,
}

pub async fn return_credit(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<ReturnForm>,
) -> Response {
    let (lang, token) = match guard(&app, &headers, &f.csrf) {
        Ok(ok) => ok,
        Err(page) => return *page,
    };
    let account = f
        .account
        .to_input()
        .check(app.config.bank_master.as_deref());
    let (result, errors) = match account {
        Ok(account) => (
            crate::transact!(*app, |tx| suspense::return_credit(
                &app,
                tx,
                &f.credit_id,
                &account
            )
            .await),
            vec![],
        ),
        Err(e) => (Err(crate::service::field_error::first(&e)), e),
    };
    match result {
        Ok(r) => {
            let notice = html! { p.ok role="status" { (lang.t("返金を指図しました", "Return instructed")) ": " (Yen(r.amount_yen)) " (" (r.payee_ref) ")" } };
            page_for(&app, lang, &token, Some(notice)).await
        }
        // A mistyped account: the same form again, filled in, with the error on top.
        Err(e) => match credit_or_page(&app, lang, &f.credit_id).await {
            Ok(credit) => respond(
                e.status,
                &[],
                return_page(
                    lang,
                    &token,
                    &credit,
                    &f.account,
                    errors
                        .is_empty()
                        .then(|| describe_error(lang, &e))
                        .as_deref(),
                    &Problems {
                        lang,
                        errors: &errors,
                    },
                ),
            ),
            Err(page) => *page,
        },
    }
}
