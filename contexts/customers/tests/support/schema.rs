//! A small checker for the JSON-schema keywords this crate's hand-written schemas use, so
//! the committed schemas are tested against the examples and against what the context really
//! publishes (there is no JSON-schema validator dependency).
//!
//! It is strict in two ways a general validator is not: a keyword it does not know is an
//! error (so no rule in a schema goes unchecked), and an instance field the schema does not
//! declare is an error (so examples and messages carry only documented fields).

use serde_json::Value;

/// A regular expression a schema uses, and a predicate equivalent to it.
type Pattern = (&'static str, fn(&str) -> bool);

/// Patterns the schemas use, each checked by its equivalent predicate.
const PATTERNS: &[Pattern] = &[
    ("^[0-9]{5}(-[0-9]{4})?$", |s| {
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        match s.split_once('-') {
            None => digits(s, 5),
            Some((zip, four)) => digits(zip, 5) && digits(four, 4),
        }
    }),
    ("^[0-9]{4}-(0[1-9]|1[0-2])$", |s| {
        let b = s.as_bytes();
        b.len() == 7
            && b[..4].iter().all(u8::is_ascii_digit)
            && b[4] == b'-'
            && matches!(&s[5..], "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12")
    }),
];

/// Checks `instance` against `schema`, returning every violation found, with its path.
pub fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(schema, instance, "$", &mut found);
    found
}

fn check(schema: &Value, instance: &Value, path: &str, found: &mut Vec<String>) {
    let Some(schema) = schema.as_object() else {
        found.push(format!("{path}: the schema here is not an object"));
        return;
    };
    for (keyword, rule) in schema {
        check_keyword(keyword, rule, instance, path, found);
    }
}

fn check_keyword(keyword: &str, rule: &Value, instance: &Value, path: &str, found: &mut Vec<String>) {
    let mut fail = |why: String| found.push(format!("{path}: {why}"));
    match keyword {
        "$schema" | "$id" | "title" | "description" => {}
        "type" => {
            let types: Vec<&str> = match rule {
                Value::String(t) => vec![t.as_str()],
                Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                _ => return fail(format!("bad `type` {rule}")),
            };
            if !types.iter().any(|t| has_type(instance, t)) {
                fail(format!("{instance} is not of type {rule}"));
            }
        }
        "enum" => {
            if !rule.as_array().is_some_and(|options| options.contains(instance)) {
                fail(format!("{instance} is not one of {rule}"));
            }
        }
        "const" if rule != instance => fail(format!("{instance} is not {rule}")),
        "const" => {}
        "format" => match (rule.as_str(), instance.as_str()) {
            (Some("uuid"), Some(s)) if uuid::Uuid::parse_str(s).is_err() => fail(format!("`{s}` is not a UUID")),
            (Some("email"), Some(s)) if !s.contains('@') => fail(format!("`{s}` is not an email")),
            (Some("uuid" | "email"), _) => {}
            _ => fail(format!("unknown format {rule}")),
        },
        "pattern" => {
            let Some(pattern) = rule.as_str() else { return fail(format!("bad pattern {rule}")) };
            let Some((_, matches)) = PATTERNS.iter().find(|(p, _)| *p == pattern) else {
                return fail(format!("pattern {pattern} is unknown to this checker: add its predicate"));
            };
            if let Some(s) = instance.as_str() {
                if !matches(s) {
                    fail(format!("`{s}` does not match {pattern}"));
                }
            }
        }
        "minLength" | "maxLength" => {
            if let (Some(s), Some(bound)) = (instance.as_str(), rule.as_u64()) {
                let len = s.chars().count() as u64;
                if (keyword == "minLength" && len < bound) || (keyword == "maxLength" && len > bound) {
                    fail(format!("length {len} breaks {keyword} {bound}"));
                }
            }
        }
        "minimum" | "maximum" => {
            if let (Some(n), Some(bound)) = (instance.as_f64(), rule.as_f64()) {
                if (keyword == "minimum" && n < bound) || (keyword == "maximum" && n > bound) {
                    fail(format!("{n} breaks {keyword} {bound}"));
                }
            }
        }
        "required" => {
            if let Some(object) = instance.as_object() {
                for field in rule.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    if !object.contains_key(field) {
                        fail(format!("missing required field `{field}`"));
                    }
                }
            }
        }
        "properties" => {
            let (Some(object), Some(properties)) = (instance.as_object(), rule.as_object()) else { return };
            for (field, value) in object {
                match properties.get(field) {
                    Some(property) => check(property, value, &format!("{path}.{field}"), found),
                    None => found.push(format!("{path}: field `{field}` is not declared in the schema")),
                }
            }
        }
        "items" => {
            for (i, item) in instance.as_array().into_iter().flatten().enumerate() {
                check(rule, item, &format!("{path}[{i}]"), found);
            }
        }
        "minItems" | "maxItems" => {
            if let (Some(items), Some(bound)) = (instance.as_array(), rule.as_u64()) {
                let len = items.len() as u64;
                if (keyword == "minItems" && len < bound) || (keyword == "maxItems" && len > bound) {
                    fail(format!("{len} items break {keyword} {bound}"));
                }
            }
        }
        "uniqueItems" => {
            if let (Some(items), Some(true)) = (instance.as_array(), rule.as_bool()) {
                if items.iter().enumerate().any(|(i, a)| items[..i].contains(a)) {
                    fail("items are not unique".to_owned());
                }
            }
        }
        other => fail(format!("keyword `{other}` is unknown to this checker")),
    }
}

fn has_type(instance: &Value, json_type: &str) -> bool {
    match json_type {
        "object" => instance.is_object(),
        "array" => instance.is_array(),
        "string" => instance.is_string(),
        "boolean" => instance.is_boolean(),
        "null" => instance.is_null(),
        "number" => instance.is_number(),
        "integer" => instance.is_i64() || instance.is_u64(),
        _ => false,
    }
}

#[test]
fn the_checker_catches_what_it_claims_to() {
    let schema = serde_json::json!({
        "type": "object",
        "required": ["zip", "n"],
        "properties": {
            "zip": { "type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$" },
            "n": { "type": "integer", "minimum": 1 },
            "tags": { "type": "array", "uniqueItems": true, "items": { "enum": ["a", "b"] } }
        }
    });
    assert!(violations(&schema, &serde_json::json!({ "zip": "75201-1234", "n": 1, "tags": ["a"] })).is_empty());
    let bad = serde_json::json!({ "zip": "7520", "n": 0, "tags": ["a", "a", "c"], "extra": true });
    let found = violations(&schema, &bad);
    assert_eq!(found.len(), 5, "{found:#?}");
    assert!(violations(&serde_json::json!({ "oneOf": [] }), &bad)[0].contains("unknown to this checker"));
}
