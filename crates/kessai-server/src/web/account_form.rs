//! Form fields, each with its own error next to it, and the bank-account fields shared by every
//! form that takes an account (registration, the operator's return of suspense money).

use crate::i18n::Lang;
use crate::service::field_error::FieldError;
use crate::service::register::BankAccountInput;
use kessai_core::AccountType;
use maud::{html, Markup};
use serde::Deserialize;

/// The field errors of one form submission, in the page's language.
#[derive(Clone, Copy)]
pub struct Problems<'a> {
    pub lang: Lang,
    pub errors: &'a [FieldError],
}

impl<'a> Problems<'a> {
    pub fn none(lang: Lang) -> Problems<'a> {
        Problems { lang, errors: &[] }
    }

    /// The reason for the control named `name`, if it has one.
    fn of(&self, name: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|e| e.input_name() == name)
            .map(|e| e.reason(self.lang))
    }

    /// Every problem at once, above the form, each a link to its field.
    pub fn summary(&self) -> Markup {
        html! {
            @if !self.errors.is_empty() {
                div.error role="alert" data-testid="field-errors" {
                    p { (self.lang.t("入力内容を確認してください。", "Please check these fields.")) }
                    ul { @for e in self.errors { li { a href=(format!("#{}", e.input_name())) { (e.describe(self.lang)) } } } }
                }
            }
        }
    }

    /// A control's error, next to it, which the control points at (`aria-describedby`).
    fn below(&self, name: &str) -> Markup {
        html! {
            @if let Some(reason) = self.of(name) {
                p.field-error id=(format!("{name}-error")) data-field=(name) { (reason) }
            }
        }
    }
}

/// A labelled, required input whose id is its name, with its error below it.
pub fn field(label: &str, name: &str, kind: &str, value: &str, p: &Problems) -> Markup {
    let invalid = p.of(name).is_some();
    html! {
        label for=(name) { (label) }
        input id=(name) name=(name) type=(kind) value=(value) required
            aria-invalid=[invalid.then_some("true")]
            aria-describedby=[invalid.then(|| format!("{name}-error"))];
        (p.below(name))
    }
}

/// A labelled text area, with its error below it.
pub fn text_area(label: &str, name: &str, value: &str, p: &Problems) -> Markup {
    let invalid = p.of(name).is_some();
    html! {
        label for=(name) { (label) }
        textarea id=(name) name=(name) required
            aria-invalid=[invalid.then_some("true")]
            aria-describedby=[invalid.then(|| format!("{name}-error"))] { (value) }
        (p.below(name))
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
    pub fn fieldset(&self, legend: &str, p: &Problems) -> Markup {
        let lang = p.lang;
        html! {
            fieldset {
                legend { (legend) }
                (field(lang.t("銀行コード（4桁）", "Bank code (4 digits)"), "bank_code", "text", &self.bank_code, p))
                (field(lang.t("支店コード（3桁）", "Branch code (3 digits)"), "branch_code", "text", &self.branch_code, p))
                label for="account_type" { (lang.t("預金種目", "Account type")) }
                select id="account_type" name="account_type" {
                    @for (value, ja, en) in [("ordinary", "普通", "Ordinary"), ("current", "当座", "Current"), ("savings", "貯蓄", "Savings")] {
                        option value=(value) selected[self.account_type == value] { (lang.t(ja, en)) }
                    }
                }
                (field(lang.t("口座番号（7桁まで）", "Account number (up to 7 digits)"), "account_number", "text", &self.account_number, p))
                (field(lang.t("口座名義（カナ）", "Account holder (kana)"), "holder_name", "text", &self.holder_name, p))
            }
        }
    }

    pub fn from_account(a: &kessai_core::BankAccount) -> AccountForm {
        AccountForm {
            bank_code: a.bank_code.clone(),
            branch_code: a.branch_code.clone(),
            account_type: a.account_type.as_str().into(),
            account_number: a.account_number.clone(),
            holder_name: a.holder_name.clone(),
        }
    }

    pub fn to_input(&self) -> BankAccountInput {
        BankAccountInput {
            bank_code: self.bank_code.clone(),
            branch_code: self.branch_code.clone(),
            account_type: AccountType::parse(&self.account_type).unwrap_or(AccountType::Ordinary),
            account_number: self.account_number.clone(),
            holder_name: self.holder_name.clone(),
        }
    }
}
