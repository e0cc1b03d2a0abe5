//! CSRF protection by double submit: a random token in a `SameSite=Strict` cookie and in a
//! hidden form field; a POST whose two copies differ is refused.

use crate::i18n::Lang;
use crate::secrets::random_token;
use axum::http::HeaderMap;

pub const COOKIE: &str = "kessai_csrf";
pub const LANG_COOKIE: &str = "kessai_lang";

pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let raw = headers
        .get_all("cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join("; ");
    raw.split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The visitor's token, or a new one with the `Set-Cookie` value that installs it.
pub fn token(headers: &HeaderMap) -> (String, Option<String>) {
    match cookie(headers, COOKIE).filter(|t| t.len() == 48) {
        Some(t) => (t, None),
        None => {
            let t = random_token();
            let set = format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict");
            (t, Some(set))
        }
    }
}

pub fn verify(headers: &HeaderMap, submitted: &str) -> bool {
    cookie(headers, COOKIE)
        .is_some_and(|c| !c.is_empty() && crate::secrets::same_secret(submitted, &c))
}

/// The page language: `?lang=` wins and is remembered; else the cookie; else Japanese.
pub fn lang(headers: &HeaderMap, query: Option<&str>) -> (Lang, Option<String>) {
    match query {
        Some(q) => {
            let lang = Lang::parse(Some(q));
            (
                lang,
                Some(format!(
                    "{LANG_COOKIE}={}; Path=/; SameSite=Lax",
                    lang.code()
                )),
            )
        }
        None => (Lang::parse(cookie(headers, LANG_COOKIE).as_deref()), None),
    }
}
