//! The buyer's checkout page on Kessai's own site (seed 003): the order's items and amount, the
//! shop's name, and the form of each method the shop takes that Kessai can run here. The card
//! is typed on this page only: the number and security code go from the buyer to Kessai to the
//! processor, and are never put back into a page (a form shown again after a mistake asks for
//! them again). Reached by the signed link the merchant got with the order
//! (`service::order::checkout_url`); a wrong link is the ordinary 404 page.

use super::csrf;
use super::errors::csrf_error;
use super::layout::{page_at, respond};
use super::not_found::page_for;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::service::contract::page_link;
use crate::service::merchant::{self, Merchant};
use crate::service::order::checkout_subject;
use crate::service::payment::card::{Card, CardFieldError, CardInput};
use crate::service::payment::konbini::Konbini;
use crate::service::payment::{Attempt, PaymentMethod};
use crate::App;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use kessai_core::order::{Method, Order, OrderStatus};
use kessai_store::OrderRecord;
use maud::{html, Markup};
use serde::Deserialize;
use std::sync::Arc;

#[derive(Deserialize)]
pub struct CheckoutQuery {
    pub t: Option<String>,
    pub lang: Option<String>,
}

#[derive(Deserialize)]
pub struct CardForm {
    pub t: String,
    pub csrf: String,
    pub number: String,
    pub expiry: String,
    pub cvc: String,
}

fn decline_words(lang: Lang, code: &str) -> &'static str {
    match code {
        "card_declined" => lang.t(
            "カード会社によりお取引が承認されませんでした。",
            "The card issuer declined the payment.",
        ),
        "expired_card" => lang.t("カードの有効期限が切れています。", "The card has expired."),
        "incorrect_cvc" => lang.t(
            "セキュリティコードが正しくありません。",
            "The security code is wrong.",
        ),
        _ => lang.t(
            "カード会社との通信でエラーが起きました。時間をおいてお試しください。",
            "The card processor could not be reached. Please try again later.",
        ),
    }
}

fn field_words(lang: Lang, e: &CardFieldError) -> &'static str {
    match e.code {
        "invalid_number" => lang.t("カード番号を確認してください", "check the card number"),
        "expired" => lang.t("有効期限が過ぎています", "the card has expired"),
        "invalid_expiry" => lang.t(
            "有効期限を MM/YY の形で入力してください",
            "enter the expiry as MM/YY",
        ),
        _ => lang.t(
            "セキュリティコード（3桁、AMEXは4桁）を入力してください",
            "enter the 3-digit security code (4 for AMEX)",
        ),
    }
}

struct Shown<'a> {
    order: &'a OrderRecord,
    merchant: &'a Merchant,
    token: &'a str,
    csrf: &'a str,
    errors: &'a [CardFieldError],
    declined: Option<String>,
    last_card: Option<String>,
    slip: Option<kessai_store::KonbiniSlip>,
}

fn konbini_available(m: &Merchant, order: &OrderRecord) -> bool {
    m.methods.contains(&Method::Konbini)
        && order.amount_yen <= kessai_formats::konbini::MAX_SLIP_YEN
}

/// The slip: the barcode the till scans, the number for a store's terminal, amount and expiry.
fn slip_box(lang: Lang, slip: &kessai_store::KonbiniSlip, token: &str) -> Markup {
    html! {
        section.slip data-testid="konbini-slip" {
            h2 { (lang.t("コンビニ払込票", "Convenience-store payment slip")) }
            p { (lang.t(
                "コンビニのレジでバーコードを読み取ってもらうか、店頭端末に払込番号を入力してお支払いください。",
                "At the till, have the barcode scanned, or enter the payment number at the store's terminal."
            )) }
            img src=(format!("/checkout/{}/slip.png?t={token}", slip.order_id))
                alt=(lang.t("払込票のバーコード（GS1-128）", "The slip's barcode (GS1-128)"))
                width="400" data-testid="barcode";
            p.barcode-text { "(91)" (slip.barcode[2..]) }
            table {
                tr { th { (lang.t("払込番号", "Payment number")) } td data-testid="payment-number" { (slip.payment_number) } }
                tr { th { (lang.t("金額", "Amount")) } td { (kessai_core::Yen(slip.amount_yen)) } }
                tr { th { (lang.t("お支払い期限", "Pay by")) } td data-testid="due" { (slip.due_date) " 23:59:59 JST" } }
            }
            @if slip.status != "issued" {
                p.ok data-testid="slip-paid" { (lang.t("お支払いを確認しました。", "Your payment was received.")) }
            }
        }
    }
}

fn card_available(app: &App, m: &Merchant) -> bool {
    app.config.card_processor_url.is_some()
        && app.config.card_data_key.is_some()
        && m.methods.contains(&Method::Card)
}

fn body(app: &App, lang: Lang, s: &Shown<'_>) -> AppResult<Markup> {
    let order: Order =
        serde_json::from_str(&s.order.body).map_err(crate::error::AppError::internal)?;
    let status = OrderStatus::parse(&s.order.status);
    let payable = status.is_some_and(OrderStatus::payable);
    let error_of = |field: &str| s.errors.iter().find(|e| e.field == field);
    Ok(html! {
        p { (lang.t("お支払い先：", "Paying: ")) strong data-testid="merchant" { (s.merchant.record.name) } }
        table data-testid="items" {
            tr { th { (lang.t("商品", "Item")) } th { (lang.t("数量", "Qty")) } th { (lang.t("単価", "Unit price")) } }
            @for i in &order.items {
                tr { td { (i.name) } td { (i.quantity) } td { (i.unit_price) } }
            }
            tr { th colspan="2" { (lang.t("合計", "Total")) } td data-testid="amount" { strong { (order.amount) } } }
        }
        p { (lang.t("注文番号：", "Order number: ")) (s.order.number) " / "
            (lang.t("状況：", "Status: ")) span data-testid="status" { (crate::words::order_status(lang, &s.order.status)) } }
        @if let Some(code) = &s.declined {
            p.error role="alert" data-testid="declined" {
                (decline_words(lang, code)) " "
                (lang.t("別のカード、または別のお支払い方法をお選びください。", "Please use another card or another way to pay."))
            }
        }
        @if let Some(card) = &s.last_card {
            @if !payable {
                p data-testid="card-used" { (lang.t("ご利用のカード：", "Card: ")) (card) }
            }
        }
        @if let Some(slip) = &s.slip {
            (slip_box(lang, slip, s.token))
        }
        @if payable && s.slip.is_none() {
            h2 { (lang.t("お支払い方法", "How to pay")) }
            @if konbini_available(s.merchant, s.order) {
                section data-testid="method-konbini" {
                    h3 { (lang.t("コンビニ払い", "Pay at a convenience store")) }
                    form method="post" action=(format!("/checkout/{}/konbini?lang={}", s.order.id, lang.code())) {
                        input type="hidden" name="t" value=(s.token);
                        input type="hidden" name="csrf" value=(s.csrf);
                        button type="submit" { (lang.t("払込票を表示する", "Show the payment slip")) }
                    }
                }
            }
            @if card_available(app, s.merchant) {
                section data-testid="method-card" {
                    h3 { (lang.t("クレジットカード", "Credit card")) }
                    p { (lang.t(
                        "カード情報はKessaiだけが受け取り、ショップには渡りません。",
                        "Your card details go to Kessai only, never to the shop."
                    )) }
                    form method="post" action=(format!("/checkout/{}/card?lang={}", s.order.id, lang.code())) {
                        input type="hidden" name="t" value=(s.token);
                        input type="hidden" name="csrf" value=(s.csrf);
                        label for="number" { (lang.t("カード番号", "Card number")) }
                        input id="number" name="number" inputmode="numeric" autocomplete="cc-number"
                            maxlength="23" required aria-invalid=[error_of("number").map(|_| "true")];
                        @if let Some(e) = error_of("number") { p.field-error { (field_words(lang, e)) } }
                        label for="expiry" { (lang.t("有効期限（MM/YY）", "Expiry (MM/YY)")) }
                        input id="expiry" name="expiry" inputmode="numeric" autocomplete="cc-exp"
                            placeholder="MM/YY" maxlength="7" required aria-invalid=[error_of("expiry").map(|_| "true")];
                        @if let Some(e) = error_of("expiry") { p.field-error { (field_words(lang, e)) } }
                        label for="cvc" { (lang.t("セキュリティコード", "Security code")) }
                        input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc"
                            maxlength="4" required aria-invalid=[error_of("cvc").map(|_| "true")];
                        @if let Some(e) = error_of("cvc") { p.field-error { (field_words(lang, e)) } }
                        button type="submit" { (order.amount) " " (lang.t("を支払う", "— pay")) }
                    }
                }
            }
            @if !card_available(app, s.merchant) && !konbini_available(s.merchant, s.order) {
                p data-testid="no-method" { (lang.t(
                    "現在ご利用いただけるお支払い方法がありません。ショップにお問い合わせください。",
                    "No way to pay is available right now. Please contact the shop."
                )) }
            }
        }
    })
}

async fn load(app: &App, id: &str, token: &str) -> AppResult<Option<(OrderRecord, Merchant)>> {
    if !page_link::verify_token(app, &checkout_subject(id), token).await? {
        return Ok(None);
    }
    let Some(order) = app.store.order(id).await? else {
        return Ok(None);
    };
    let m = merchant::find(app, &order.merchant_id).await?;
    Ok(Some((order, m)))
}

/// The last card attempt's decline code (when the order is declined) and the card shown as
/// brand and last four digits.
async fn last_attempt(
    app: &App,
    order: &OrderRecord,
) -> AppResult<(Option<String>, Option<String>)> {
    let attempts = app.store.card_payments(&order.id).await?;
    let Some(last) = attempts.last() else {
        return Ok((None, None));
    };
    let declined = (order.status == "declined")
        .then(|| last.decline_code.clone())
        .flatten();
    let card = attempts
        .iter()
        .rev()
        .find(|a| matches!(a.status.as_str(), "authorized" | "captured"))
        .map(|a| format!("{} ****{}", a.brand.to_uppercase(), a.last4));
    Ok((declined, card))
}

#[allow(clippy::too_many_arguments)]
async fn render(
    app: &App,
    lang: Lang,
    status: StatusCode,
    cookies: &[Option<String>],
    order: &OrderRecord,
    m: &Merchant,
    token: &str,
    csrf: &str,
    errors: &[CardFieldError],
) -> Response {
    let (declined, last_card) = match last_attempt(app, order).await {
        Ok(found) => found,
        Err(e) => return super::errors::error_page(lang, &e),
    };
    let slip = match app.store.konbini_slip_of(&order.id).await {
        Ok(slip) => slip,
        Err(e) => return super::errors::error_page(lang, &e.into()),
    };
    let shown = Shown {
        order,
        merchant: m,
        token,
        csrf,
        errors,
        declined,
        last_card,
        slip,
    };
    let here = format!("/checkout/{}?t={token}", order.id);
    let title = lang.t("お支払い", "Checkout");
    match body(app, lang, &shown) {
        Ok(b) => respond(status, cookies, page_at(lang, title, b, &here)),
        Err(e) => super::errors::error_page(lang, &e),
    }
}

pub async fn show(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CheckoutQuery>,
) -> Response {
    let (lang, lang_cookie) = csrf::lang(&headers, q.lang.as_deref());
    let token = q.t.unwrap_or_default();
    match load(&app, &id, &token).await {
        Ok(Some((order, m))) => {
            let (csrf_token, csrf_cookie) = csrf::token(&headers);
            render(
                &app,
                lang,
                StatusCode::OK,
                &[lang_cookie, csrf_cookie],
                &order,
                &m,
                &token,
                &csrf_token,
                &[],
            )
            .await
        }
        Ok(None) => page_for(lang),
        Err(e) => super::errors::error_page(lang, &e),
    }
}

/// A form posted on the checkout page: the order and merchant its link opens, once its CSRF
/// copies agree; otherwise the page to answer with.
async fn posted(
    app: &App,
    headers: &HeaderMap,
    lang: Lang,
    id: &str,
    token: &str,
    csrf_token: &str,
) -> Result<(OrderRecord, Merchant), Response> {
    let found = match load(app, id, token).await {
        Ok(Some(found)) => found,
        Ok(None) => return Err(page_for(lang)),
        Err(e) => return Err(super::errors::error_page(lang, &e)),
    };
    if !csrf::verify(headers, csrf_token) {
        return Err(super::errors::error_page(lang, &csrf_error(lang)));
    }
    Ok(found)
}

/// After a payment step: back to the checkout page, which shows where the order stands.
fn back_to_page(order: &OrderRecord, token: &str, lang: Lang) -> Response {
    let to = format!("/checkout/{}?t={token}&lang={}", order.id, lang.code());
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

pub async fn pay_by_card(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CheckoutQuery>,
    Form(f): Form<CardForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, q.lang.as_deref());
    let (order, m) = match posted(&app, &headers, lang, &id, &f.t, &f.csrf).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    let input = CardInput {
        number: f.number,
        expiry: f.expiry,
        cvc: f.cvc,
    };
    if let Err(refused) = Card.check(&input, &app) {
        return render(
            &app,
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            &[],
            &order,
            &m,
            &f.t,
            &f.csrf,
            &refused.0,
        )
        .await;
    }
    match Card.pay(&app, &m, &order, &input).await {
        Ok(Attempt::Accepted { .. } | Attempt::Refused { .. }) => back_to_page(&order, &f.t, lang),
        Err(e) => super::errors::error_page(lang, &e),
    }
}

#[derive(Deserialize)]
pub struct SlipForm {
    pub t: String,
    pub csrf: String,
}

/// The buyer chose the konbini: the slip is issued (once) and shown.
pub async fn pay_at_konbini(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CheckoutQuery>,
    Form(f): Form<SlipForm>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, q.lang.as_deref());
    let (order, m) = match posted(&app, &headers, lang, &id, &f.t, &f.csrf).await {
        Ok(found) => found,
        Err(page) => return page,
    };
    match Konbini.pay(&app, &m, &order, &()).await {
        Ok(_) => back_to_page(&order, &f.t, lang),
        Err(e) => super::errors::error_page(lang, &e),
    }
}

/// The slip's barcode as a PNG (behind the same link as the page).
pub async fn slip_png(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<CheckoutQuery>,
) -> Response {
    let (lang, _) = csrf::lang(&headers, q.lang.as_deref());
    let token = q.t.unwrap_or_default();
    let slip = match load(&app, &id, &token).await {
        Ok(Some(_)) => app.store.konbini_slip_of(&id).await,
        Ok(None) => return page_for(lang),
        Err(e) => return super::errors::error_page(lang, &e),
    };
    match slip {
        Ok(Some(slip)) => match super::barcode::gs1_128_png(&slip.barcode) {
            Ok(png) => (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "image/png"),
                    (header::CACHE_CONTROL, "private, max-age=86400"),
                ],
                png,
            )
                .into_response(),
            Err(e) => super::errors::error_page(lang, &crate::error::AppError::internal(e)),
        },
        Ok(None) => page_for(lang),
        Err(e) => super::errors::error_page(lang, &e.into()),
    }
}
