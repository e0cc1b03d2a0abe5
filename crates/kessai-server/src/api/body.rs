//! Request bodies. A JSON endpoint takes only `application/json` (a `charset` of UTF-8 allowed):
//! anything else is `415 unsupported_media_type`, so a page elsewhere cannot post to the API with
//! a "simple" cross-site request. Bodies are read up to a per-endpoint limit (`413
//! body_too_large`), and only after the request's credentials were checked: the extractors here
//! come last in a handler, after [`super::extract::Operator`] or [`super::extract::DealLogin`].
//!
//! A body is checked in three steps: JSON syntax (`400 invalid_json` naming line, column and the
//! field being read), shape (`400 invalid_json` for a wrong type or a missing field, `422
//! unknown_field` for a field the endpoint does not know: every request type denies unknown
//! fields), and the documented `maxLength` of every string, read from `/openapi.json` itself
//! (`422 invalid_field`), so the documented limit and the enforced one cannot differ.

use super::limits::check_lengths;
use crate::error::{AppError, AppResult};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

/// The largest JSON body any endpoint takes.
pub const MAX_JSON_BYTES: usize = 64 * 1024;

/// A JSON body of type `T` and its bytes (which the idempotency layer hashes).
pub struct JsonBody<T> {
    pub value: T,
    pub raw: Bytes,
}

/// A JSON body that may also be left out (empty): `None` then.
pub struct OptionalJsonBody<T> {
    pub value: Option<T>,
    pub raw: Bytes,
}

/// An endpoint that takes no body: empty, or `{}` as JSON.
pub type NoBody = OptionalJsonBody<Empty>;

/// The body of an endpoint that takes none.
#[derive(serde::Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

impl<S: Send + Sync, T: DeserializeOwned + ToSchema> FromRequest<S> for JsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> AppResult<Self> {
        let raw = read_json_bytes(req).await?;
        if raw.is_empty() {
            return Err(AppError::new(
                StatusCode::BAD_REQUEST,
                "invalid_json",
                "the request body is empty: send a JSON object",
            ));
        }
        Ok(JsonBody {
            value: parse(&raw)?,
            raw,
        })
    }
}

impl<S: Send + Sync, T: DeserializeOwned + ToSchema> FromRequest<S> for OptionalJsonBody<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, _: &S) -> AppResult<Self> {
        let raw = read_json_bytes(req).await?;
        let value = if raw.is_empty() {
            None
        } else {
            Some(parse(&raw)?)
        };
        Ok(OptionalJsonBody { value, raw })
    }
}

/// Refuses a declared type other than JSON, then reads the body up to [`MAX_JSON_BYTES`]. An
/// empty body needs no Content-Type (for endpoints where the body is optional).
pub(super) async fn read_json_bytes(req: Request) -> AppResult<Bytes> {
    let declared = req.headers().get(CONTENT_TYPE).cloned();
    if declared
        .as_ref()
        .is_some_and(|v| !is_json(v.to_str().unwrap_or("")))
    {
        return Err(unsupported("application/json"));
    }
    let bytes = read_limited(req, MAX_JSON_BYTES).await?;
    if declared.is_none() && !bytes.is_empty() {
        return Err(unsupported("application/json"));
    }
    Ok(bytes)
}

/// Reads a body of at most `limit` bytes; a longer one is `413 body_too_large` (at once when its
/// Content-Length says so, without reading it).
pub async fn read_limited(req: Request, limit: usize) -> AppResult<Bytes> {
    if declared_length(req.headers()).is_some_and(|n| n > limit as u64) {
        return Err(too_large(limit));
    }
    axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|e| {
            let inner = e.into_inner();
            if inner
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some()
            {
                too_large(limit)
            } else {
                AppError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    format!("the request body could not be read: {inner}"),
                )
            }
        })
}

fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// `application/json`, optionally with `charset=utf-8` (any case, any spacing).
fn is_json(content_type: &str) -> bool {
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        && parts.all(|p| {
            let (name, value) = p.split_once('=').unwrap_or((p, ""));
            name.trim().eq_ignore_ascii_case("charset")
                && value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
}

/// `415 unsupported_media_type`, naming what the endpoint takes.
pub fn unsupported(takes: &str) -> AppError {
    AppError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        format!("this endpoint takes a body of Content-Type {takes}"),
    )
    .with_field("Content-Type")
}

fn too_large(limit: usize) -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body is larger than this endpoint takes ({limit} bytes)"),
    )
}

/// Parses the JSON, checks the lengths against `T`'s documented schema, then the shape
/// against `T` (so that a too-long value is named even where the type would also refuse it).
pub fn parse<T: DeserializeOwned + ToSchema>(body: &[u8]) -> AppResult<T> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let tree: serde_json::Value = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| shape_error(&e.path().to_string(), e.into_inner()))?;
    de.end().map_err(|e| shape_error("", e))?;
    check_lengths(&T::name(), &tree)?;
    serde_path_to_error::deserialize(tree)
        .map_err(|e| shape_error(&e.path().to_string(), e.into_inner()))
}

/// The error of a body that is not JSON or not of the endpoint's shape, naming the field at
/// `path` (serde_json's message names the line and column).
fn shape_error(path: &str, inner: serde_json::Error) -> AppError {
    // The path up to the last segment serde_path_to_error could name (`?` where it could not).
    let known: Vec<&str> = path.split('.').take_while(|s| *s != "?").collect();
    let joined = known.join(".");
    let path = joined.as_str();
    let text = inner.to_string();
    let at = |name: &str| match (path, name) {
        (".", n) | ("", n) => n.to_string(),
        (p, "") => p.to_string(),
        (p, n) => format!("{p}.{n}"),
    };
    // serde names a missing or unknown field between backticks, at its parent's path.
    let named = text.split('`').nth(1).unwrap_or_default();
    let (status, code, field) = if text.starts_with("unknown field") {
        // (serde_path_to_error has already stepped into it)
        let field = if path.rsplit('.').next() == Some(named) {
            path.to_string()
        } else {
            at(named)
        };
        (StatusCode::UNPROCESSABLE_ENTITY, "unknown_field", field)
    } else if text.starts_with("missing field") {
        (StatusCode::BAD_REQUEST, "invalid_json", at(named))
    } else {
        (StatusCode::BAD_REQUEST, "invalid_json", at(""))
    };
    let message = match inner.classify() {
        serde_json::error::Category::Eof => format!("the request body ends too early: {text}"),
        serde_json::error::Category::Syntax => format!("the request body is not JSON: {text}"),
        _ if code == "unknown_field" => format!("`{field}` is not a field of this request: {text}"),
        _ => format!("the request body is not valid: {text}"),
    };
    let err = AppError::new(status, code, message);
    if field.is_empty() {
        err
    } else {
        err.with_field(field)
    }
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn only_json_is_json() {
        for ok in [
            "application/json",
            "Application/JSON; charset=UTF-8",
            "application/json;charset=\"utf-8\"",
        ] {
            assert!(is_json(ok), "{ok}");
        }
        for bad in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/xml",
            "",
            "application/json; charset=latin1",
            "application/jsonx",
        ] {
            assert!(!is_json(bad), "{bad}");
        }
    }
}
