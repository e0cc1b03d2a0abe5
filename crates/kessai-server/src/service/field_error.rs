//! A field a person got wrong and why, as data: the page shows every one next to its field in
//! the page's language; the API answers the first as `invalid_field` naming the field.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::words::field_label;
use kessai_core::bank_account::{AccountProblem, BankAccountError};
use kessai_core::kana::KanaError;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Required,
    TooLong(usize),
    NotEmail,
    SameEmails,
    Price,
    PasswordShort(usize),
    Account(AccountProblem),
    UnknownBank,
    UnknownBranch,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The request field: `item`, `bank_account.bank_code`, …
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> FieldError {
        FieldError {
            field: field.into(),
            problem,
        }
    }

    /// An account's error, under `prefix` (`bank_account`).
    pub fn account(prefix: &str, e: BankAccountError) -> FieldError {
        let problem = match e.problem {
            AccountProblem::Name(KanaError::Empty) => Problem::Required,
            p => Problem::Account(p),
        };
        FieldError::new(format!("{prefix}.{}", e.field), problem)
    }

    /// The form control's name: the last part of the field.
    pub fn input_name(&self) -> &str {
        self.field.rsplit('.').next().unwrap_or(&self.field)
    }

    /// What is wrong, in `lang`, without the field's name.
    pub fn reason(&self, lang: Lang) -> String {
        let ja = lang == Lang::Ja;
        let pick = |j: String, e: String| if ja { j } else { e };
        match &self.problem {
            Problem::Required => lang.t("入力してください", "required").into(),
            Problem::TooLong(n) => pick(
                format!("{n}文字以内で入力してください"),
                format!("at most {n} characters"),
            ),
            Problem::NotEmail => lang
                .t(
                    "メールアドレスを正しく入力してください",
                    "not an email address",
                )
                .into(),
            Problem::SameEmails => lang
                .t(
                    "買主と異なるメールアドレスを入力してください",
                    "must differ from the buyer's email",
                )
                .into(),
            Problem::Price => lang
                .t(
                    "1円から100億円までの整数で入力してください",
                    "a whole number of yen from 1 to 10,000,000,000",
                )
                .into(),
            Problem::PasswordShort(n) => pick(
                format!("{n}文字以上で入力してください"),
                format!("at least {n} characters"),
            ),
            Problem::Account(AccountProblem::Digits(n)) => pick(
                format!("{n}桁の数字で入力してください"),
                format!("must be {n} digits"),
            ),
            Problem::Account(AccountProblem::UpToDigits(n)) => pick(
                format!("{n}桁までの数字で入力してください"),
                format!("up to {n} digits"),
            ),
            Problem::Account(AccountProblem::Name(k)) => kana_reason(lang, k),
            Problem::UnknownBank => lang
                .t("この銀行コードの銀行はありません", "no bank has this code")
                .into(),
            Problem::UnknownBranch => lang
                .t(
                    "この銀行にこの支店コードの支店はありません",
                    "this bank has no branch with this code",
                )
                .into(),
        }
    }

    /// `Label: reason`, for a person.
    pub fn describe(&self, lang: Lang) -> String {
        format!("{}: {}", field_label(lang, &self.field), self.reason(lang))
    }

    /// The API's answer: `invalid_field`, the field, and the English description.
    pub fn to_app_error(&self) -> AppError {
        AppError::invalid(&self.field, self.describe(Lang::En))
    }
}

fn kana_reason(lang: Lang, e: &KanaError) -> String {
    match e {
        KanaError::Empty => lang.t("入力してください", "required").into(),
        KanaError::Character { ch, .. } if ch.is_alphanumeric() => match lang {
            Lang::Ja => format!("カナで入力してください（「{ch}」は使えません）"),
            Lang::En => format!("enter in katakana ({ch} cannot be used)"),
        },
        KanaError::Character { ch, .. } => match lang {
            Lang::Ja => format!("「{ch}」は使えません（カナ・英数字・スペースと ( ) - . のみ）"),
            Lang::En => format!("{ch} cannot be used: kana, A-Z, 0-9, space and ( ) - . only"),
        },
        KanaError::TooLong { max, got } => match lang {
            Lang::Ja => {
                format!("{max}文字以内で入力してください（濁点・半濁点も1文字、いま{got}文字）")
            }
            Lang::En => {
                format!("at most {max} characters (ﾞ and ﾟ count as one each); this has {got}")
            }
        },
    }
}

/// The first error as the API's answer.
pub fn first(errors: &[FieldError]) -> AppError {
    errors
        .first()
        .map(FieldError::to_app_error)
        .unwrap_or_else(|| AppError::internal("an empty list of field errors"))
}

/// A request's `date` (`YYYY-MM-DD`, a real date), or the answer naming it.
pub fn date_field(given: &str) -> crate::error::AppResult<time::Date> {
    kessai_core::contract::parse_date(given)
        .ok_or_else(|| AppError::invalid("date", "the date is written YYYY-MM-DD"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use kessai_core::{AccountType, BankAccount};

    fn holder_error(name: &str) -> FieldError {
        let e = BankAccount::parse("0001", "001", AccountType::Ordinary, "1", name).unwrap_err();
        FieldError::account("bank_account", e)
    }

    #[test]
    fn a_kanji_holder_is_asked_for_katakana() {
        let e = holder_error("山田太郎");
        assert_eq!(
            e.reason(Lang::Ja),
            "カナで入力してください（「山」は使えません）"
        );
        assert_eq!(
            e.describe(Lang::En),
            "Account holder: enter in katakana (山 cannot be used)"
        );
        assert_eq!(e.input_name(), "holder_name");
        assert_eq!(holder_error(" ").problem, Problem::Required);
    }

    #[test]
    fn english_names_fields_as_people_do() {
        let e = FieldError::new(
            "bank_account.bank_code",
            Problem::Account(AccountProblem::Digits(4)),
        );
        assert_eq!(e.to_app_error().message, "Bank code: must be 4 digits");
        assert_eq!(
            e.to_app_error().field.as_deref(),
            Some("bank_account.bank_code")
        );
    }
}
