//! The bank-account fields shared by every form that takes an account (registration, the
//! operator's return of suspense money): one place for their labels and their parsing.

use crate::i18n::Lang;
use crate::service::register::BankAccountInput;
use kessai_core::AccountType;
use maud::{html, Markup};
use serde::Deserialize;

/// A labelled, required input whose id is its name.
pub fn field(label: &str, name: &str, kind: &str, value: &str) -> Markup {
    html! {
        label for=(name) { (label) }
        input id=(name) name=(name) type=(kind) value=(value) required;
    }
}

#[derive(Deserialize, Default, Clone)]
pub struct AccountForm {
    #[serde(default)]
    pub bank_code: String,
    #[serde(default)]
    pub branch_code: String,
    #[serde(default)]
    pub account_type: String,
    #[serde(default)]
    pub account_number: String,
    #[serde(default)]
    pub holder_name: String,
}

impl AccountForm {
    pub fn fieldset(&self, lang: Lang, legend: &str) -> Markup {
        html! {
            fieldset {
                legend { (legend) }
                (field(lang.t("銀行コード（4桁）", "Bank code (4 digits)"), "bank_code", "text", &self.bank_code))
                (field(lang.t("支店コード（3桁）", "Branch code (3 digits)"), "branch_code", "text", &self.branch_code))
                label for="account_type" { (lang.t("預金種目", "Account type")) }
                select id="account_type" name="account_type" {
                    @for (value, ja, en) in [("ordinary", "普通", "Ordinary"), ("current", "当座", "Current"), ("savings", "貯蓄", "Savings")] {
                        option value=(value) selected[self.account_type == value] { (lang.t(ja, en)) }
                    }
                }
                (field(lang.t("口座番号（7桁まで）", "Account number (up to 7 digits)"), "account_number", "text", &self.account_number))
                (field(lang.t("口座名義（カナ）", "Account holder (kana)"), "holder_name", "text", &self.holder_name))
            }
        }
    }

    pub fn to_input(&self) -> BankAccountInput {
        BankAccountInput {
            bank_code: self.bank_code.trim().into(),
            branch_code: self.branch_code.trim().into(),
            account_type: match self.account_type.as_str() {
                "current" => AccountType::Current,
                "savings" => AccountType::Savings,
                _ => AccountType::Ordinary,
            },
            account_number: self.account_number.trim().into(),
            holder_name: self.holder_name.clone(),
        }
    }
}
