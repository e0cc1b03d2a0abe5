//! The words people read for Kessai's names: field labels, deal states and timeline events,
//! in Japanese and English, shared by pages and emails so that no message shows an API name.

use crate::bank_master::BankMaster;
use crate::i18n::Lang;
use kessai_core::{AccountType, BankAccount};

/// A request field as a person calls it; `bank_account.bank_code` and `bank_code` alike.
pub fn field_label(lang: Lang, field: &str) -> &str {
    let name = field.strip_prefix("bank_account.").unwrap_or(field);
    let (ja, en) = match name {
        "item" => ("商品名", "Item"),
        "price_yen" => ("代金", "Price"),
        "buyer_name" => ("買主の氏名", "Buyer's name"),
        "buyer_email" => ("買主のメールアドレス", "Buyer's email"),
        "seller_name" => ("売主の氏名", "Seller's name"),
        "seller_email" => ("売主のメールアドレス", "Seller's email"),
        "shipping_address" => ("お届け先住所", "Shipping address"),
        "bank_code" => ("銀行コード", "Bank code"),
        "branch_code" => ("支店コード", "Branch code"),
        "account_type" => ("預金種目", "Account type"),
        "account_number" => ("口座番号", "Account number"),
        "holder_name" => ("口座名義", "Account holder"),
        "password" => ("パスワード", "Password"),
        "deal_id" => ("取引ID", "Deal ID"),
        "tracking_number" => ("追跡番号", "Tracking number"),
        _ => return field,
    };
    lang.t(ja, en)
}

/// Several fields by their labels, in the language's list style.
pub fn field_list(lang: Lang, fields: &[String]) -> String {
    let labels: Vec<&str> = fields.iter().map(|f| field_label(lang, f)).collect();
    labels.join(lang.t("、", ", "))
}

pub fn account_type(lang: Lang, t: AccountType) -> &'static str {
    match t {
        AccountType::Ordinary => lang.t("普通", "ordinary"),
        AccountType::Current => lang.t("当座", "current"),
        AccountType::Savings => lang.t("貯蓄", "savings"),
    }
}

/// A deal's or registration's status (`DealView::status`).
pub fn status(lang: Lang, status: &str) -> &'static str {
    match status {
        "waiting_for_counterpart" => lang.t("相手方の登録待ち", "Waiting for the other party"),
        "mismatch" => lang.t("登録内容が不一致", "Registrations differ"),
        "awaiting_payment" => lang.t("入金待ち", "Awaiting payment"),
        "funded" => lang.t("入金済・発送待ち", "Paid, awaiting shipment"),
        "shipped" => lang.t("発送済・受取待ち", "Shipped, awaiting receipt"),
        "completed" => lang.t("完了", "Completed"),
        "refunded" => lang.t("返金（取引終了）", "Refund (deal ended)"),
        "cancelled" => lang.t("取消", "Cancelled"),
        _ => lang.t("不明", "Unknown"),
    }
}

/// What a marketplace contract's status (`kessai_core::contract::status`) means, in words.
pub fn contract_status(lang: Lang, status: &str) -> &'static str {
    match status {
        "accepted" => lang.t("受付済・口座振替待ち", "Accepted, awaiting the debit"),
        "debit_requested" => lang.t("口座振替を依頼済", "Debit requested from the buyer's bank"),
        "debited" => lang.t("口座振替済", "Debited"),
        "debit_failed" => lang.t("口座振替不能", "The debit failed"),
        "delivery_instructed" => lang.t("配送指示済", "Delivery instructed"),
        "shipped" => lang.t("発送済", "Shipped"),
        "payout_instructed" => lang.t("売主へ振込手続中", "Payment to the seller on its way"),
        "paid" => lang.t("清算完了", "Settled: the seller is paid"),
        _ => lang.t("不明", "Unknown"),
    }
}

/// A timeline event (`TimelineEntry::event`).
pub fn event(lang: Lang, event: &str) -> &str {
    match event {
        "registered" => lang.t("登録", "Registered"),
        "amended" => lang.t("登録内容を訂正", "Registration corrected"),
        "mismatch" => lang.t("不一致", "Mismatch"),
        "agreed" => lang.t("取引成立", "Agreed"),
        "paid_short" => lang.t("一部入金", "Partly paid"),
        "funded" => lang.t("入金確認", "Paid in full"),
        "paid_extra" => lang.t("追加入金", "Further payment"),
        "shipped" => lang.t("発送", "Shipped"),
        "completed" => lang.t("受取確認・送金指示", "Receipt confirmed, payout instructed"),
        "refunded" => lang.t("返金指示", "Refund instructed"),
        "cancelled" => lang.t("取消", "Cancelled"),
        "late_payment_returned" => {
            lang.t("終了後の入金の返金指示", "Late payment: return instructed")
        }
        "payment_reversed" => lang.t("入金の取消（銀行）", "Payment reversed by the bank"),
        "payout_sent" | "refund_sent" => lang.t("銀行へ振込を依頼", "Transfer sent to the bank"),
        "payout_accepted" | "refund_accepted" => {
            lang.t("銀行が振込を受付", "Bank accepted the transfer")
        }
        "payout_completed" => lang.t("送金完了", "Payout completed"),
        "refund_completed" => lang.t("返金完了", "Refund completed"),
        "payout_rejected" | "refund_rejected" => lang.t(
            "振込できず（口座の確認が必要）",
            "Transfer failed (the account needs checking)",
        ),
        "payout_came_back_unresolved" | "refund_came_back_unresolved" => lang.t(
            "振込が戻りました（運営者が確認中）",
            "Transfer came back (the operator is checking)",
        ),
        other => other,
    }
}

/// The other party of `role`, as a person says it.
pub fn party(lang: Lang, role: kessai_core::Party) -> &'static str {
    match role {
        kessai_core::Party::Buyer => lang.t("買主", "the buyer"),
        kessai_core::Party::Seller => lang.t("売主", "the seller"),
    }
}

/// The bank's and branch's names from the bank master, when it is loaded and knows them.
fn names<'m>(master: Option<&'m BankMaster>, a: &BankAccount) -> Option<(&'m str, &'m str)> {
    let (bank, branch) = master?.check(&a.bank_code, &a.branch_code).ok()?;
    Some((bank.name.as_str(), branch.name.as_str()))
}

fn bank_and_branch(lang: Lang, a: &BankAccount, master: Option<&BankMaster>) -> String {
    match (names(master, a), lang) {
        (Some((bank, branch)), Lang::Ja) => {
            format!("{bank}（{}） {branch}（{}）", a.bank_code, a.branch_code)
        }
        (Some((bank, branch)), Lang::En) => {
            format!(
                "{bank} (bank {}), {branch} (branch {})",
                a.bank_code, a.branch_code
            )
        }
        (None, Lang::Ja) => format!("銀行 {} 支店 {}", a.bank_code, a.branch_code),
        (None, Lang::En) => format!("bank {}, branch {}", a.bank_code, a.branch_code),
    }
}

/// An account to pay into, in full: bank and branch (names from the master), 預金種目, number
/// and holder. `みずほ（0001） 東京営業部（001） 普通 1234567 ｹﾂｻｲ ｴｽｸﾛ-`
pub fn account(lang: Lang, a: &BankAccount, master: Option<&BankMaster>) -> String {
    format!(
        "{} {} {} {}",
        bank_and_branch(lang, a, master),
        account_type(lang, a.account_type),
        a.account_number,
        a.holder_name
    )
}

/// A party's own account, the number masked: where its payout or refund goes.
pub fn account_masked(lang: Lang, a: &BankAccount, master: Option<&BankMaster>) -> String {
    format!(
        "{} {} {}",
        bank_and_branch(lang, a, master),
        account_type(lang, a.account_type),
        a.masked_number()
    )
}

/// An order's status as the buyer and the merchant read it.
pub fn order_status(lang: Lang, s: &str) -> &'static str {
    match s {
        "awaiting_acceptance" => {
            lang.t("ショップの受注確認待ち", "Waiting for the shop to confirm")
        }
        "unpaid" => lang.t("お支払い待ち", "Waiting for payment"),
        "authorized" => lang.t("カードのご利用を承認済み", "Card authorized"),
        "paid" => lang.t("お支払い済み", "Paid"),
        "settled" => lang.t("お支払い済み（精算済み）", "Paid (settled)"),
        "declined" => lang.t("カードがご利用になれませんでした", "The card was declined"),
        "expired" => lang.t("お支払い期限切れ", "Expired"),
        "cancelled" => lang.t("キャンセル済み", "Cancelled"),
        "refunded" => lang.t("返金済み", "Refunded"),
        _ => lang.t("その他", "Other"),
    }
}

/// A payment method's name.
pub fn method_name(lang: Lang, m: &str) -> &'static str {
    match m {
        "card" => lang.t("クレジットカード", "Card"),
        "konbini" => lang.t("コンビニ払い", "Konbini"),
        "bank_transfer" => lang.t("銀行振込", "Bank transfer"),
        _ => lang.t("—", "—"),
    }
}
