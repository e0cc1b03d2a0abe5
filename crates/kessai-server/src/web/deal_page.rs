//! What the deal page shows: the status in words that tell the money truth (a payout or refund
//! instructed is not one completed), the timeline, how to pay (the collection account with bank
//! and branch names and 預金種目), where to ship (the seller, once paid), any overpayment and
//! what happens to it, and on a mismatch the form to correct the registration.

use super::account_form::Problems;
use super::register::{form, mismatch_notice, RegistrationForm};
use crate::i18n::Lang;
use crate::service::view::{DealView, MoneyOut, PaymentDetails};
use crate::words;
use kessai_core::{AccountType, BankAccount, Party, Yen};
use kessai_store::Registration;
use maud::{html, Markup};

/// The status, refined by what the bank has done with this party's money.
fn status_text(lang: Lang, v: &DealView) -> &'static str {
    let done = |purpose: &str| {
        let mine: Vec<&MoneyOut> = v
            .money_out
            .iter()
            .filter(|m| m.purpose == purpose)
            .collect();
        !mine.is_empty() && mine.iter().all(|m| m.status == "completed")
    };
    match (v.status.as_str(), v.role.as_str()) {
        ("completed", "seller") if done("payout") => {
            lang.t("完了（送金済）", "Completed (paid out)")
        }
        ("completed", "seller") => lang.t(
            "完了（送金手続き中）",
            "Completed (payout instructed, not yet paid)",
        ),
        ("refunded" | "cancelled", "buyer") if done("refund") => {
            lang.t("返金済（取引終了）", "Refunded (deal ended)")
        }
        ("refunded", "buyer") => lang.t(
            "返金手続き中（取引終了）",
            "Refund instructed, not yet paid (deal ended)",
        ),
        (status, _) => words::status(lang, status),
    }
}

fn money_status(lang: Lang, status: &str) -> &'static str {
    match status {
        "pending" => lang.t(
            "指示済（銀行への送信待ち）",
            "Instructed (not yet sent to the bank)",
        ),
        "sent" => lang.t("銀行へ送信済", "Sent to the bank"),
        "accepted" => lang.t(
            "銀行が受付済（振込待ち）",
            "Accepted by the bank (not yet paid)",
        ),
        "completed" => lang.t("振込完了", "Paid"),
        "rejected" => lang.t(
            "振込できず（運営者が口座を確認します）",
            "Could not be paid (the operator checks the account)",
        ),
        _ => lang.t("不明", "Unknown"),
    }
}

fn money_out(lang: Lang, v: &DealView) -> Markup {
    html! {
        @if !v.money_out.is_empty() {
            h2 { (lang.t("送金・返金", "Money to you")) }
            table data-testid="money-out" {
                thead { tr { th { (lang.t("内容", "What")) } th { (lang.t("金額", "Amount")) } th { (lang.t("振込先", "To")) } th { (lang.t("状況", "Status")) } } }
                tbody { @for m in &v.money_out {
                    tr data-status=(m.status) {
                        td { (if m.purpose == "payout" { lang.t("代金の送金", "Payout") } else { lang.t("返金", "Refund") }) }
                        td { (Yen(m.amount_yen)) }
                        td { (m.to_account) }
                        td { (money_status(lang, &m.status)) }
                    }
                } }
            }
        }
    }
}

fn payment(lang: Lang, p: &PaymentDetails) -> Markup {
    let a = &p.account;
    let bank = a
        .bank_name
        .as_deref()
        .map(|n| format!("{n}（{}）", a.bank_code))
        .unwrap_or_else(|| a.bank_code.clone());
    let branch = a
        .branch_name
        .as_deref()
        .map(|n| format!("{n}（{}）", a.branch_code))
        .unwrap_or_else(|| a.branch_code.clone());
    let kind = AccountType::parse(&a.account_type).map_or("", |t| words::account_type(lang, t));
    html! {
        h2 { (lang.t("お支払い方法", "How to pay")) }
        p { (lang.t("お支払い残額", "Still to pay")) ": " strong { (Yen(p.remaining_yen)) } }
        table data-testid="pay-to" {
            tr { th { (lang.t("銀行", "Bank")) } td { (bank) } }
            tr { th { (lang.t("支店", "Branch")) } td { (branch) } }
            tr { th { (lang.t("預金種目", "Account type")) } td { (kind) } }
            tr { th { (lang.t("口座番号", "Account number")) } td { (a.account_number) } }
            tr { th { (lang.t("口座名義", "Account holder")) } td { (a.holder_name) } }
        }
        p { (lang.t("振込依頼人名の前に参照番号を入れてください", "Put this reference before your name")) ": " strong.id { (p.reference) } }
        @if let Some(code) = &p.payer_code {
            p { (lang.t("振込依頼人コード（銀行で指定できる場合）", "Transferor code (where your bank lets you give one)")) ": " (code) }
        }
        p { (lang.t("お支払い期限", "Pay by")) ": " (p.pay_by) }
    }
}

/// The overpayment and its fate, while no refund of it has been instructed yet.
fn overpayment(
    lang: Lang,
    v: &DealView,
    own: &BankAccount,
    master: Option<&crate::bank_master::BankMaster>,
) -> Markup {
    let pending_refund = v.money_out.iter().any(|m| m.purpose == "refund");
    html! {
        @if v.role == "buyer" && v.excess_yen > 0 && !pending_refund {
            p data-testid="overpayment" {
                (lang.t("過入金", "Overpaid")) ": " strong { (Yen(v.excess_yen)) } " — "
                (lang.t("取引の終了時に返金先口座へ返金します", "returned when the deal ends, to your refund account"))
                " (" (words::account_masked(lang, own, master)) ")"
            }
        }
    }
}

pub struct DealPage<'a> {
    pub lang: Lang,
    pub token: &'a str,
    pub view: &'a DealView,
    pub reg: &'a Registration,
    pub master: Option<&'a crate::bank_master::BankMaster>,
}

/// Everything above the step forms.
pub fn facts(d: &DealPage) -> Markup {
    let (lang, v) = (d.lang, d.view);
    let role = if v.role == "buyer" {
        lang.t("買主", "Buyer")
    } else {
        lang.t("売主", "Seller")
    };
    html! {
        table {
            tr { th { (lang.t("取引ID", "Deal ID")) } td.id { (v.deal_id) } }
            tr { th { (lang.t("立場", "Role")) } td { (role) } }
            tr { th { (lang.t("状態", "Status")) } td data-testid="status" data-status=(v.status) { (status_text(lang, v)) } }
            tr { th { (lang.t("商品", "Item")) } td { (v.item) } }
            tr { th { (lang.t("代金", "Price")) } td { (Yen(v.price_yen)) } }
            tr { th { (lang.t("入金額", "Received")) } td { (Yen(v.received_yen)) } }
            @if let Some(fee) = v.fee_yen { tr { th { (lang.t("手数料", "Fee")) } td { (Yen(fee)) } } }
            @if let Some(p) = v.payout_yen { tr { th { (lang.t("受取額", "Payout")) } td { (Yen(p)) } } }
            @if let (Some(d), "funded") = (&v.ship_by, v.status.as_str()) { tr { th { (lang.t("発送期限", "Ship by")) } td { (d) } } }
            @if let Some(t) = &v.tracking_number { tr { th { (lang.t("追跡番号", "Tracking number")) } td { (t) } } }
        }
        @if let Some(s) = &v.ship_to {
            h2 { (lang.t("お届け先", "Ship to")) }
            p data-testid="ship-to" { (s.name) br; @for line in s.shipping_address.lines() { (line) br; } }
        }
        (overpayment(lang, v, &d.reg.bank_account, d.master))
        (money_out(lang, v))
        @if let Some(p) = &v.payment { (payment(lang, p)) }
        @if v.status == "mismatch" {
            (mismatch_notice(lang, d.reg.role, &v.mismatched_fields))
            h2 { (lang.t("登録内容の訂正", "Correct your registration")) }
            (form(d.reg.role, d.token, &RegistrationForm::from_registration(d.reg), &Problems::none(lang)))
        }
    }
}

pub fn timeline(lang: Lang, v: &DealView) -> Markup {
    html! {
        h2 { (lang.t("経過", "Timeline")) }
        table data-testid="timeline" {
            thead { tr { th style="width:12rem" { (lang.t("日時", "When")) } th { (lang.t("出来事", "What happened")) } } }
            tbody { @for e in &v.timeline { tr { td { (e.at) } td { (words::event(lang, &e.event)) } } } }
        }
    }
}

/// Whether this party has a step to take on the page now.
pub fn step_of(v: &DealView) -> Option<Party> {
    match (v.role.as_str(), v.status.as_str()) {
        ("seller", "funded") => Some(Party::Seller),
        ("buyer", "shipped") => Some(Party::Buyer),
        _ => None,
    }
}
