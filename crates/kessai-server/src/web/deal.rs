//! The deal page: opened with the deal ID and password, showing the status, a dated timeline,
//! and the one form this party can use next (ship or confirm receipt).

use super::csrf;
use super::layout::{error_box, page_at, respond, LangQuery};
use super::register::describe_error;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::service::auth::{login, require_role};
use crate::service::deal_ops;
use crate::service::view::{deal_view, DealView};
use crate::transact;
use crate::App;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Form;
use kessai_core::{DealCommand, Party, Yen};
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize, Default)]
pub struct DealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    deal_id: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    tracking_number: String,
}

fn login_page(lang: Lang, token: &str, deal_id: &str, error: Option<&AppError>) -> Markup {
    let body = html! {
        @if let Some(e) = error { (error_box(&describe_error(lang, e))) }
        form method="post" action="/deal" {
            input type="hidden" name="csrf" value=(token);
            label for="deal_id" { (lang.t("取引ID", "Deal ID")) }
            input id="deal_id" name="deal_id" type="text" value=(deal_id) autocomplete="username" required;
            label for="password" { (lang.t("パスワード", "Password")) }
            input id="password" name="password" type="password" autocomplete="current-password" required;
            button type="submit" { (lang.t("開く", "Open")) }
        }
    };
    // Also shown in answer to the shipment and receipt forms, whose addresses take POST only:
    // the language switch leads to the deal sign-in.
    page_at(lang, lang.t("取引を開く", "Open a deal"), body, "/deal")
}

pub async fn login_form(headers: HeaderMap, Query(q): Query<LangQuery>) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let (token, csrf_cookie) = csrf::token(&headers);
    respond(
        StatusCode::OK,
        &[lang_cookie, csrf_cookie],
        login_page(lang, &token, "", None),
    )
}

fn status_text(lang: Lang, status: &str) -> &'static str {
    match status {
        "waiting_for_counterpart" => lang.t("相手方の登録待ち", "Waiting for the other party"),
        "mismatch" => lang.t("登録内容が不一致", "Registrations differ"),
        "awaiting_payment" => lang.t("入金待ち", "Awaiting payment"),
        "funded" => lang.t("入金済・発送待ち", "Paid, awaiting shipment"),
        "shipped" => lang.t("発送済・受取待ち", "Shipped, awaiting receipt"),
        "completed" => lang.t("完了（送金指示済）", "Completed (payout instructed)"),
        "refunded" => lang.t("返金済", "Refunded"),
        "cancelled" => lang.t("取消", "Cancelled"),
        _ => "?",
    }
}

fn event_text(lang: Lang, event: &str) -> &str {
    match event {
        "registered" => lang.t("登録", "Registered"),
        "mismatch" => lang.t("不一致", "Mismatch"),
        "agreed" => lang.t("取引成立", "Agreed"),
        "paid_short" => lang.t("一部入金", "Partly paid"),
        "funded" => lang.t("入金確認", "Paid in full"),
        "paid_extra" => lang.t("追加入金", "Further payment"),
        "shipped" => lang.t("発送", "Shipped"),
        "completed" => lang.t("受取確認・送金指示", "Receipt confirmed, payout instructed"),
        "refunded" => lang.t("返金", "Refunded"),
        "cancelled" => lang.t("取消", "Cancelled"),
        "late_payment_returned" => lang.t("終了後の入金を返金", "Late payment returned"),
        other => other,
    }
}

fn deal_page(lang: Lang, token: &str, v: &DealView, notice: Option<Markup>) -> Markup {
    let role = if v.role == "buyer" {
        lang.t("買主", "Buyer")
    } else {
        lang.t("売主", "Seller")
    };
    let action = |path: &str, label: &str, extra: Markup| {
        html! {
            form method="post" action=(path) {
                input type="hidden" name="csrf" value=(token);
                input type="hidden" name="deal_id" value=(v.deal_id);
                (extra)
                label for="password" { (lang.t("パスワード（確認のため再入力）", "Password (again, to confirm)")) }
                input id="password" name="password" type="password" required;
                button type="submit" { (label) }
            }
        }
    };
    let body = html! {
        @if let Some(n) = notice { (n) }
        table {
            tr { th { (lang.t("取引ID", "Deal ID")) } td.id { (v.deal_id) } }
            tr { th { (lang.t("立場", "Role")) } td { (role) } }
            tr { th { (lang.t("状態", "Status")) } td data-testid="status" data-status=(v.status) { (status_text(lang, &v.status)) } }
            tr { th { (lang.t("商品", "Item")) } td { (v.item) } }
            tr { th { (lang.t("代金", "Price")) } td { (Yen(v.price_yen)) } }
            tr { th { (lang.t("入金額", "Received")) } td { (Yen(v.received_yen)) } }
            @if let Some(fee) = v.fee_yen { tr { th { (lang.t("手数料", "Fee")) } td { (Yen(fee)) } } }
            @if let Some(p) = v.payout_yen { tr { th { (lang.t("受取額", "Payout")) } td { (Yen(p)) } } }
            @if let (Some(d), "funded") = (&v.ship_by, v.status.as_str()) { tr { th { (lang.t("発送期限", "Ship by")) } td { (d) } } }
            @if let Some(t) = &v.tracking_number { tr { th { (lang.t("追跡番号", "Tracking number")) } td { (t) } } }
        }
        @if !v.mismatched_fields.is_empty() {
            p.error { (lang.t("一致しない項目", "Fields that differ")) ": " (v.mismatched_fields.join(", ")) }
        }
        @if let Some(p) = &v.payment {
            h2 { (lang.t("お支払い方法", "How to pay")) }
            p { (lang.t("お支払い残額", "Still to pay")) ": " strong { (Yen(p.remaining_yen)) } }
            p { (lang.t("振込先", "Pay to")) ": " (p.pay_to) }
            p { (lang.t("振込依頼人名の前に参照番号を入れてください", "Put this reference before your name")) ": " strong.id { (p.reference) } }
            p { (lang.t("お支払い期限", "Pay by")) ": " (p.pay_by) }
        }
        @if v.role == "seller" && v.status == "funded" {
            h2 { (lang.t("発送を報告する", "Report shipment")) }
            (action("/deal/shipment", lang.t("発送を報告", "Report shipment"), html! {
                label for="tracking_number" { (lang.t("追跡番号（任意）", "Tracking number (optional)")) }
                input id="tracking_number" name="tracking_number" type="text";
            }))
        }
        @if v.role == "buyer" && v.status == "shipped" {
            h2 { (lang.t("受取を確認する", "Confirm receipt")) }
            p { (lang.t("受取を確認すると、売主へ代金が送金されます。", "Confirming receipt pays the seller.")) }
            (action("/deal/receipt", lang.t("受け取りました", "I received it"), html! {}))
        }
        h2 { (lang.t("経過", "Timeline")) }
        table data-testid="timeline" {
            thead { tr { th style="width:12rem" { (lang.t("日時", "When")) } th { (lang.t("出来事", "What happened")) } } }
            tbody { @for e in &v.timeline { tr { td { (e.at) } td { (event_text(lang, &e.event)) } } } }
        }
    };
    // A deal is shown only in answer to a POST with its password; switching the language leads
    // to the sign-in in that language.
    page_at(lang, lang.t("取引", "Deal"), body, "/deal")
}

/// Checks the CSRF token and the credentials; on failure, the login page with the reason.
async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    f: &DealForm,
) -> Result<kessai_store::Registration, Response> {
    let (lang, _) = csrf::lang(headers, None);
    let (token, csrf_cookie) = csrf::token(headers);
    let error = if !csrf::verify(headers, &f.csrf) {
        AppError::new(
            StatusCode::FORBIDDEN,
            "csrf",
            lang.t(
                "フォームの有効期限が切れました。もう一度送信してください。",
                "The form expired. Please submit it again.",
            ),
        )
    } else {
        match login(app, &f.deal_id, &f.password).await {
            Ok(reg) => return Ok(reg),
            Err(e) => e,
        }
    };
    Err(respond(
        error.status,
        &[csrf_cookie],
        login_page(lang, &token, &f.deal_id, Some(&error)),
    ))
}

async fn show(
    app: &App,
    headers: &HeaderMap,
    reg: &kessai_store::Registration,
    status: StatusCode,
    notice: Option<Markup>,
) -> Response {
    let (lang, _) = csrf::lang(headers, None);
    let (token, csrf_cookie) = csrf::token(headers);
    match deal_view(app, reg).await {
        Ok(v) => respond(status, &[csrf_cookie], deal_page(lang, &token, &v, notice)),
        Err(e) => respond(
            e.status,
            &[csrf_cookie],
            login_page(lang, &token, "", Some(&e)),
        ),
    }
}

pub async fn open(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    match authenticate(&app, &headers, &f).await {
        Ok(reg) => show(&app, &headers, &reg, StatusCode::OK, None).await,
        Err(page) => page,
    }
}

async fn step(
    app: &App,
    headers: &HeaderMap,
    f: &DealForm,
    role: Party,
    what: &str,
    command: DealCommand,
) -> Response {
    let (lang, _) = csrf::lang(headers, None);
    let reg = match authenticate(app, headers, f).await {
        Ok(reg) => reg,
        Err(page) => return page,
    };
    let result = match require_role(&reg, role, what)
        .and_then(|_| deal_ops::agreed_deal_id(&reg).map(str::to_string))
    {
        Ok(id) => transact!(*app, |tx| deal_ops::apply(app, tx, &id, &command).await),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => {
            let done = html! { p.ok role="status" { (lang.t("受け付けました。相手方にメールでお知らせしました。", "Done. The other party has been emailed.")) } };
            show(app, headers, &reg, StatusCode::OK, Some(done)).await
        }
        Err(e) => {
            show(
                app,
                headers,
                &reg,
                e.status,
                Some(error_box(&describe_error(lang, &e))),
            )
            .await
        }
    }
}

pub async fn ship(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    let tracking = Some(f.tracking_number.trim().to_string()).filter(|t| !t.is_empty());
    step(
        &app,
        &headers,
        &f,
        Party::Seller,
        "report shipment",
        DealCommand::Ship { tracking },
    )
    .await
}

pub async fn receipt(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(f): Form<DealForm>,
) -> Response {
    step(
        &app,
        &headers,
        &f,
        Party::Buyer,
        "confirm receipt",
        DealCommand::ConfirmReceipt,
    )
    .await
}
