//! An error for a person: in Japanese by its stable code (the API's English message is the
//! English text). Field errors of a form are shown field by field (`account_form::Problems`).

use crate::error::AppError;
use crate::i18n::Lang;

/// A whole page for an error a page's handler met, with the error's status.
pub fn error_page(lang: Lang, e: &AppError) -> axum::response::Response {
    let body = super::layout::error_box(&describe_error(lang, e));
    let page = super::layout::page(lang, lang.t("エラー", "Error"), body);
    super::layout::respond(e.status, &[], page)
}

pub fn describe_error(lang: Lang, e: &AppError) -> String {
    let ja = match e.code {
        "invalid_deal_id" => Some("取引IDが正しくありません（入力間違いの可能性があります）"),
        "deal_not_found" => Some("この取引IDの取引はありません"),
        "wrong_password" => {
            Some("パスワードが違います（5回続けて間違えると一時的にロックされます）")
        }
        "login_locked" => Some("パスワードの誤りが続いたため、しばらくログインできません"),
        "invalid_session" => {
            Some("サインインの有効期限が切れました。取引IDとパスワードでもう一度開いてください")
        }
        "wrong_party" => Some("この操作は相手方の取引IDでのみ行えます"),
        "not_agreed" => Some("まだ取引が成立していません"),
        "wrong_state" => Some("現在の取引状態ではこの操作はできません"),
        "csrf" => Some("フォームの有効期限が切れました。もう一度送信してください。"),
        "invalid_field" if lang == Lang::Ja && e.field.as_deref() == Some("tracking_number") => {
            let most = kessai_core::deal::MAX_TRACKING_CHARS;
            return format!("追跡番号: {most}文字以内で入力してください");
        }
        _ => None,
    };
    match (lang, ja) {
        (Lang::Ja, Some(text)) => text.to_string(),
        _ => e.message.clone(),
    }
}

/// The error a form shows when its CSRF token does not match the visitor's cookie.
pub fn csrf_error(lang: Lang) -> AppError {
    AppError::new(
        axum::http::StatusCode::FORBIDDEN,
        "csrf",
        lang.t(
            "フォームの有効期限が切れました。もう一度送信してください。",
            "The form expired. Please submit it again.",
        ),
    )
}
