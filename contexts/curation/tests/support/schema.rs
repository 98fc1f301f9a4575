//! A checker for the subset of JSON Schema the committed schemas use (`type`, `required`,
//! `properties`, `additionalProperties`, `items`, local `$ref`, `enum`, `minimum`, `maximum`,
//! `minItems`, `maxItems`, `minLength`, `maxLength`, `uniqueItems`, and `pattern` for the
//! ISBN-13 shape only), so that examples and real messages are checked against the schemas
//! without a validator dependency. A keyword it does not know fails the check, so a schema
//! cannot silently outgrow it.

use serde_json::Value;

const KNOWN: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "format",
    "type",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "enum",
    "minimum",
    "maximum",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "uniqueItems",
    "pattern",
];

/// Every way `value` breaks `schema`, as `path: problem` lines.
pub fn violations(schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(schema, schema, value, "$", &mut found);
    found
}

fn check(root: &Value, schema: &Value, value: &Value, path: &str, found: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        found.push(format!("{path}: schema is not an object"));
        return;
    };
    for keyword in schema.keys() {
        if !KNOWN.contains(&keyword.as_str()) {
            found.push(format!("{path}: the checker does not know `{keyword}`"));
        }
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let target = reference.strip_prefix("#/").map(|p| p.split('/').fold(root, |v, key| &v[key]));
        match target {
            Some(target) if !target.is_null() => check(root, target, value, path, found),
            _ => found.push(format!("{path}: unresolvable $ref {reference}")),
        }
    }
    if let Some(kind) = schema.get("type").and_then(Value::as_str) {
        let ok = match kind {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            other => {
                found.push(format!("{path}: unknown type {other}"));
                true
            }
        };
        if !ok {
            found.push(format!("{path}: expected {kind}, found {value}"));
            return;
        }
    }
    if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            found.push(format!("{path}: {value} is not one of {options:?}"));
        }
    }
    if let Some(n) = value.as_f64() {
        if schema.get("minimum").and_then(Value::as_f64).is_some_and(|min| n < min) {
            found.push(format!("{path}: {n} is below the minimum"));
        }
        if schema.get("maximum").and_then(Value::as_f64).is_some_and(|max| n > max) {
            found.push(format!("{path}: {n} is above the maximum"));
        }
    }
    if let Some(s) = value.as_str() {
        let chars = s.chars().count() as u64;
        if schema.get("minLength").and_then(Value::as_u64).is_some_and(|min| chars < min) {
            found.push(format!("{path}: `{s}` is shorter than minLength"));
        }
        if schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| chars > max) {
            found.push(format!("{path}: `{s}` is longer than maxLength"));
        }
        if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
            match pattern {
                "^97[89][0-9]{10}$" => {
                    let ok = s.len() == 13
                        && (s.starts_with("978") || s.starts_with("979"))
                        && s.bytes().all(|b| b.is_ascii_digit());
                    if !ok {
                        found.push(format!("{path}: `{s}` is not an ISBN-13"));
                    }
                }
                other => found.push(format!("{path}: the checker does not know the pattern {other}")),
            }
        }
    }
    if let Some(items) = value.as_array() {
        let n = items.len() as u64;
        if schema.get("minItems").and_then(Value::as_u64).is_some_and(|min| n < min) {
            found.push(format!("{path}: fewer than minItems"));
        }
        if schema.get("maxItems").and_then(Value::as_u64).is_some_and(|max| n > max) {
            found.push(format!("{path}: more than maxItems"));
        }
        if schema.get("uniqueItems").and_then(Value::as_bool) == Some(true) {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    found.push(format!("{path}[{i}]: duplicate item {item}"));
                }
            }
        }
        if let Some(item_schema) = schema.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(root, item_schema, item, &format!("{path}[{i}]"), found);
            }
        }
    }
    if let Some(object) = value.as_object() {
        let properties = schema.get("properties").and_then(Value::as_object);
        for required in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !object.contains_key(name) {
                found.push(format!("{path}: missing required `{name}`"));
            }
        }
        for (name, field) in object {
            let field_path = format!("{path}.{name}");
            match (properties.and_then(|p| p.get(name)), schema.get("additionalProperties")) {
                (Some(field_schema), _) => check(root, field_schema, field, &field_path, found),
                (None, Some(Value::Bool(false))) => found.push(format!("{field_path}: not in the schema")),
                (None, Some(extra)) if extra.is_object() => check(root, extra, field, &field_path, found),
                (None, _) => {}
            }
        }
    }
}

#[test]
fn the_checker_finds_what_it_should() {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["a", "b"],
        "properties": { "a": { "type": "integer", "minimum": 1 }, "b": { "enum": ["x"] } },
        "additionalProperties": false
    });
    assert!(violations(&schema, &serde_json::json!({ "a": 1, "b": "x" })).is_empty());
    let found = violations(&schema, &serde_json::json!({ "a": 0, "c": true }));
    assert_eq!(found, ["$: missing required `b`", "$.a: 0 is below the minimum", "$.c: not in the schema"]);
}
