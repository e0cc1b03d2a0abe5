//! String lengths, enforced from the OpenAPI document itself: a request type declares
//! `#[schema(max_length = N)]` on each string field, and the body extractor refuses a longer
//! value (`422 invalid_field`, naming the field) by walking the document's schema for the type.
//! What is documented is exactly what is enforced.

use crate::error::{AppError, AppResult};
use serde_json::Value;

/// Checks every string in `value` against the `maxLength` of the schema `schema_name` (a
/// component of `/openapi.json`), following `$ref`s, nested objects and arrays.
pub fn check_lengths(schema_name: &str, value: &Value) -> AppResult<()> {
    let schemas = &super::openapi::document_json()["components"]["schemas"];
    walk(schemas, &schemas[schema_name], value, "")
}

fn walk(schemas: &Value, schema: &Value, value: &Value, path: &str) -> AppResult<()> {
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.rsplit('/').next().unwrap_or_default();
        return walk(schemas, &schemas[name], value, path);
    }
    for combined in ["allOf", "oneOf", "anyOf"] {
        for part in schema[combined].as_array().into_iter().flatten() {
            walk(schemas, part, value, path)?;
        }
    }
    match value {
        Value::String(s) => {
            if let Some(max) = schema["maxLength"].as_u64() {
                if s.chars().count() as u64 > max {
                    return Err(AppError::invalid(
                        path,
                        format!("{path} is longer than {max} characters"),
                    ));
                }
            }
        }
        Value::Object(fields) => {
            for (name, v) in fields {
                let sub = &schema["properties"][name];
                if !sub.is_null() {
                    let at = if path.is_empty() {
                        name.clone()
                    } else {
                        format!("{path}.{name}")
                    };
                    walk(schemas, sub, v, &at)?;
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(schemas, &schema["items"], v, &format!("{path}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The request-body string fields of the document that have no `maxLength`, as
/// `Schema.field` (every one must have one: see the test).
pub fn unbounded_request_strings(doc: &Value) -> Vec<String> {
    let schemas = &doc["components"]["schemas"];
    let mut bodies = vec![];
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            for content in op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flat_map(|c| c.values())
            {
                if let Some(r) = content["schema"]["$ref"].as_str() {
                    bodies.push(r.rsplit('/').next().unwrap_or_default().to_string());
                }
            }
        }
    }
    let mut out = vec![];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = bodies.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let props = schemas[&name]["properties"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (field, s) in props {
            if let Some(r) = s["$ref"].as_str() {
                bodies.push(r.rsplit('/').next().unwrap_or_default().to_string());
            }
            let is_string = s["type"] == "string"
                || s["type"]
                    .as_array()
                    .is_some_and(|t| t.contains(&Value::from("string")));
            if is_string && s["maxLength"].is_null() {
                out.push(format!("{name}.{field}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_request_string_has_a_maximum_length() {
        let doc = super::super::openapi::document_json();
        assert_eq!(super::unbounded_request_strings(doc), Vec::<String>::new());
    }
}
