//! The operator's suspense pages: money that matched no deal, each credit with a form to
//! assign it to a deal or a link to return it to its payer; and open reversal claims, each
//! recovered by a suspense credit or written off.

use super::csrf;
use super::errors::describe_error;
use super::layout::{error_box, page, page_at, respond, LangQuery};
use super::operator::{login_page, signed_in};
use crate::error::{AppError, AppResult};
use crate::i18n::{format_jst, Lang};
use crate::service::{credit, suspense};
use crate::App;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::{Millis, Yen};
use kessai_store::{ClaimRecord, CreditRecord};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

pub(super) fn failed(lang: Lang, e: impl Into<AppError>) -> Response {
    respond(
        StatusCode::INTERNAL_SERVER_ERROR,
        &[],
        page(lang, "Kessai", error_box(&e.into().message)),
    )
}

/// A table of credits (or claims), each row with its amount as `amount` shows it and the
/// operator's `action` forms.
fn credits_table<T>(
    lang: Lang,
    rows: &[T],
    testid: &str,
    credit: impl Fn(&T) -> &CreditRecord,
    amount: impl Fn(&T) -> Markup,
    action: impl Fn(&T) -> Markup,
) -> Markup {
    html! {
        table data-testid=(testid) {
            thead { tr {
                th { (lang.t("受付日時", "Received")) } th { (lang.t("金額", "Amount")) }
                th { (lang.t("振込依頼人", "Transferor")) } th { (lang.t("処理", "Action")) }
            } }
            tbody {
                @if rows.is_empty() {
                    tr { td colspan="4" { (lang.t("ありません", "None")) } }
                }
                @for row in rows {
                    tr {
                        td { (format_jst(Millis(credit(row).received_at_ms))) }
                        td { (amount(row)) }
                        td {
                            (credit(row).reference)
                            @if let Some(e) = &credit(row).conflict_with {
                                br;
                                span data-testid="conflict" {
                                    (lang.t("競合: 銀行は同じ明細を先に別の内容で報告しています — ", "Conflict: the bank reported this entry before as "))
                                    (Yen(e.amount_yen)) " (" (format_jst(Millis(e.received_at_ms))) ", " (e.reference) ")"
                                }
                            }
                        }
                        td { (action(row)) }
                    }
                }
            }
        }
    }
}

/// What a claim's payer still owes, with the claim's amount when part was repaid.
fn owed_of(c: &ClaimRecord) -> Markup {
    html! {
        (Yen(c.remaining_yen))
        @if c.remaining_yen != c.credit.amount_yen { " / " (Yen(c.credit.amount_yen)) }
    }
}

/// The suspense page for a signed-in operator, with `notice` (what the last action did) on top.
pub(super) async fn page_for(
    app: &App,
    lang: Lang,
    token: &str,
    notice: Option<Markup>,
) -> Response {
    let (credits, claims, listed) = match (
        app.store.unmatched_credits(1_000).await,
        app.store.reversal_claims(1_000).await,
        app.store.listed_entries(1_000).await,
    ) {
        (Ok(c), Ok(k), Ok(l)) => (c, k, l),
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return failed(lang, e),
    };
    let total: i64 = credits.iter().map(|c| c.amount_yen).sum();
    let claimed: i64 = claims.iter().map(|c| c.remaining_yen).sum();
    let assign_or_return = |c: &CreditRecord| {
        html! {
            form method="post" action="/operator/suspense/assign" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="credit_id" value=(c.id);
                input name="deal_id" type="text" aria-label=(lang.t("買主の取引ID", "Buyer's deal ID")) placeholder=(lang.t("買主の取引ID", "Buyer's deal ID")) required;
                button type="submit" { (lang.t("割り当て", "Assign")) }
            }
            a href=(format!("/operator/suspense/return?credit_id={}", c.id)) data-testid="return-link" { (lang.t("振込人に返金", "Return to payer")) }
        }
    };
    let recover_or_write_off = |c: &ClaimRecord| {
        html! {
            form method="post" action="/operator/claims/recover" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="claim_id" value=(c.credit.id);
                select name="credit_id" aria-label=(lang.t("回収に充てる入金", "Credit that repays it")) {
                    @for m in credits.iter().filter(|m| m.amount_yen <= c.remaining_yen) {
                        option value=(m.id) { (format_jst(Millis(m.received_at_ms))) " " (m.reference) }
                    }
                }
                button type="submit" { (lang.t("回収済みにする", "Recovered")) }
            }
            form method="post" action="/operator/claims/write-off" {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="claim_id" value=(c.credit.id);
                button type="submit" { (lang.t("償却する", "Write off")) }
            }
        }
    };
    let body = html! {
        @if let Some(n) = notice { (n) }
        p data-testid="suspense-total" { (lang.t("未照合の入金", "Unmatched money")) ": " (credits.len()) " / " (Yen(total)) }
        (credits_table(lang, &credits, "suspense", |c| c, |c| html! { (Yen(c.amount_yen)) }, assign_or_return))
        h2 { (lang.t("取り消された入金（振込人への請求）", "Reversal claims")) }
        p data-testid="claims-total" {
            (lang.t("資金移動後に銀行が取り消した入金（振込人への請求）", "Payments the bank took back after the money moved on (owed by the payer)"))
            ": " (claims.len()) " / " (Yen(claimed))
        }
        (credits_table(lang, &claims, "claims", |c| &c.credit, owed_of, recover_or_write_off))
        h2 { (lang.t("記帳しなかった明細（確認用）", "Entries listed, not applied")) }
        p {
            (lang.t("決済が送っていない出金や訂正など、銀行ファイルにあって記帳しなかった明細",
                "Entries of bank files that were not booked: debits Kessai did not send, corrections"))
            ": " (listed.len())
        }
        @if !listed.is_empty() {
            table data-testid="listed" {
                tr {
                    th { (lang.t("取込日時", "Imported")) }
                    th { (lang.t("ファイル", "File")) }
                    th { (lang.t("金額", "Amount")) }
                    th { (lang.t("内容", "What it says")) }
                }
                @for e in &listed {
                    tr {
                        td { (format_jst(Millis(e.imported_at_ms))) }
                        td { (e.file_name) " #" (e.position) }
                        td { (Yen(e.amount_yen)) }
                        td { (e.content) }
                    }
                }
            }
        }
    };
    respond(
        StatusCode::OK,
        &[],
        page_at(
            lang,
            lang.t("未照合の入金（サスペンス）", "Suspense: unmatched money"),
            body,
            "/operator/suspense",
        ),
    )
}

/// A signed-in operator's page visit: its language, form token and the cookies to set.
pub(super) struct Visit {
    pub(super) lang: Lang,
    pub(super) token: String,
    pub(super) cookies: [Option<String>; 2],
}

/// The visit of a signed-in operator, or the sign-in page to answer with.
pub(super) fn visit(
    app: &App,
    headers: &HeaderMap,
    lang_query: Option<&str>,
) -> Result<Visit, Box<Response>> {
    let (lang, lang_cookie) = csrf::lang(headers, lang_query);
    let (token, csrf_cookie) = csrf::token(headers);
    let cookies = [lang_cookie, csrf_cookie];
    if !signed_in(app, headers) {
        return Err(Box::new(respond(
            StatusCode::UNAUTHORIZED,
            &cookies,
            login_page(lang, &token, None),
        )));
    }
    Ok(Visit {
        lang,
        token,
        cookies,
    })
}

pub async fn suspense(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Query(q): Query<LangQuery>,
) -> Response {
    let v = match visit(&app, &headers, q.lang.as_deref()) {
        Ok(v) => v,
        Err(page) => return *page,
    };
    let mut response = page_for(&app, v.lang, &v.token, None).await;
    for c in v.cookies.into_iter().flatten() {
        if let Ok(value) = c.parse() {
            response
                .headers_mut()
                .append(axum::http::header::SET_COOKIE, value);
        }
    }
    response
}

/// The language and form token of a signed-in operator's POST with a valid CSRF token, or
/// the sign-in page to answer with.
pub(super) fn guard(
    app: &App,
    headers: &HeaderMap,
    form_csrf: &str,
) -> Result<(Lang, String), Box<Response>> {
    let (lang, _) = csrf::lang(headers, None);
    let (token, _) = csrf::token(headers);
    if signed_in(app, headers) && csrf::verify(headers, form_csrf) {
        return Ok((lang, token));
    }
    Err(Box::new(respond(
        StatusCode::FORBIDDEN,
        &[],
        login_page(
            lang,
            &token,
            Some(lang.t("もう一度サインインしてください。", "Please sign in again.")),
        ),
    )))
}

/// The suspense page again, topped by what the action did.
async fn after<T>(
    app: &App,
    lang: Lang,
    token: &str,
    result: AppResult<T>,
    done: impl FnOnce(T) -> Markup,
) -> Response {
    let notice = match result {
        Ok(r) => html! { p.ok role="status" { (done(r)) } },
        Err(e) => error_box(&describe_error(lang, &e)),
    };
    page_for(app, lang, token, Some(notice)).await
}

/// A signed-in operator's form action: checks the sign-in and the CSRF token, runs `$step` in
/// a transaction, and shows the suspense page topped by `$done` (the result is `$r`) or by
/// the error.
macro_rules! operator_action {
    ($app:ident, $headers:ident, $csrf:expr, |$tx:ident| $step:expr, |$lang:ident, $r:ident| $done:expr) => {{
        let ($lang, token) = match guard(&$app, &$headers, $csrf) {
            Ok(ok) => ok,
            Err(page) => return *page,
        };
        let result = crate::transact!(*$app, |$tx| $step);
        after(&$app, $lang, &token, result, |$r| $done).await
    }};
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credit_id: String,
    #[serde(default)]
    deal_id: String,
}

pub async fn assign(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<AssignForm>,
) -> Response {
    operator_action!(
        app,
        headers,
        &f.csrf,
        |tx| credit::assign_credit(&app, tx, &f.credit_id, &f.deal_id).await,
        |lang, r| html! {
            (lang.t("割り当てました", "Assigned")) ": " (r.deal_id.unwrap_or_default()) " — "
            (lang.t("取引の状態", "the deal is now")) ": "
            span data-testid="deal-state" data-status=(r.deal_state.as_deref().unwrap_or_default()) { (crate::words::status(lang, r.deal_state.as_deref().unwrap_or_default())) }
        }
    )
}

#[derive(Deserialize, Default)]
pub struct ClaimForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    claim_id: String,
    #[serde(default)]
    credit_id: String,
}

pub async fn write_off(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<ClaimForm>,
) -> Response {
    operator_action!(
        app,
        headers,
        &f.csrf,
        |tx| suspense::write_off(&app, tx, &f.claim_id).await,
        |lang, r| html! { (lang.t("償却しました", "Written off")) ": " (Yen(r.amount_yen)) }
    )
}

pub async fn recover(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<ClaimForm>,
) -> Response {
    operator_action!(
        app,
        headers,
        &f.csrf,
        |tx| suspense::recover(&app, tx, &f.claim_id, &f.credit_id).await,
        |lang, r| html! {
            (lang.t("回収しました", "Recovered")) ": " (Yen(r.amount_yen))
            @if r.remaining_yen > 0 { " (" (lang.t("残り", "still owed")) " " (Yen(r.remaining_yen)) ")" }
        }
    )
}
