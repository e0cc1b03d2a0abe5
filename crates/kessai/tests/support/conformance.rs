//! Every answer a test sees under `/v1` is checked against `/openapi.json`: the operation
//! (path template and method) must list its status, and an error body must have the documented
//! shape with a code the operation lists for that status. An unknown path or method must be
//! `404 not_found` / `405 method_not_allowed` in the same shape.

use super::Reply;
use serde_json::Value;

/// The document's path template matching `path` (`{name}` matches one segment), preferring
/// the one with fewer parameters (a fixed segment wins).
fn template<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .filter(|t| {
            let parts: Vec<&str> = t.split('/').collect();
            parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p == s || (p.starts_with('{') && p.ends_with('}')))
        })
        .min_by_key(|t| t.matches('{').count())
        .map(String::as_str)
}

pub fn assert_documented(doc: &Value, method: &str, path: &str, reply: &Reply) {
    let status = reply.status.as_u16();
    let error = &reply.body["error"];
    if status >= 400 {
        assert!(
            error["code"].is_string()
                && error["message"].is_string()
                && error.get("field").is_some(),
            "{method} {path} answered {status} outside the error shape: {}",
            reply.body
        );
    }
    let method = method.to_ascii_lowercase();
    let Some(template) = template(doc, path) else {
        assert_eq!(
            (status, error["code"].as_str()),
            (404, Some("not_found")),
            "{method} {path}"
        );
        return;
    };
    let operation = &doc["paths"][template][&method];
    if operation.is_null() {
        assert_eq!(
            (status, error["code"].as_str()),
            (405, Some("method_not_allowed")),
            "{method} {path}"
        );
        return;
    }
    let response = &operation["responses"][status.to_string()];
    assert!(
        !response.is_null(),
        "{method} {template} answered {status}, which /openapi.json does not list: {}",
        reply.body
    );
    if status >= 400 {
        let codes = &response["content"]["application/json"]["schema"]["properties"]["error"]
            ["properties"]["code"]["enum"];
        assert!(
            codes.as_array().is_some_and(|c| c.contains(&error["code"])),
            "{method} {template} answered {status} {}, a code /openapi.json does not list there ({codes})",
            error["code"]
        );
    }
}
