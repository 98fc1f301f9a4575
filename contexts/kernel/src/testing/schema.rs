//! A checker for the subset of JSON Schema the published language's committed schemas use,
//! so examples and real messages are tested against the schemas without a validator
//! dependency; and helpers that check a [`PublishedMessage`]'s committed schema and examples.
//!
//! Keywords: `$schema`, `$id`, `$defs`, local `$ref`, `title`, `description`, `type` (a name
//! or a list), `enum`, `const`, `format` (`uuid`, `email`, `date`, `date-time`), `minimum`,
//! `maximum`, `minLength`, `maxLength`, `pattern` (only the patterns in [`PATTERNS`], each
//! checked by an equivalent predicate), `items`, `minItems`, `maxItems`, `uniqueItems`,
//! `required`, `properties`, `additionalProperties`.
//!
//! It is stricter than a general validator in two ways:
//! - a keyword, format or pattern it does not know is a violation, so no rule in a schema
//!   goes unchecked and a schema cannot silently outgrow the checker;
//! - an object schema with `properties` allows no other field unless `additionalProperties`
//!   says so (`true`, or a schema the extra fields must satisfy), so examples and messages
//!   carry only documented fields.
//!
//! Like any validator it checks a subschema only where an instance reaches it: examples that
//! leave an optional field out leave its subschema unchecked.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::context::{ContextDescriptor, PublishedMessage};

/// The keywords this checker knows; any other is a violation.
const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$defs",
    "$ref",
    "title",
    "description",
    "type",
    "enum",
    "const",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "properties",
    "additionalProperties",
];

/// Whether a string has a shape (matches a pattern, is of a format).
pub type Predicate = fn(&str) -> bool;

/// A regular expression a schema may use, a predicate equivalent to it, and what a string
/// matching it is (for the violation).
pub type Pattern = (&'static str, Predicate, &'static str);

/// The patterns the schemas use. A new pattern needs its predicate here (and a test).
pub const PATTERNS: &[Pattern] = &[
    ("^97[89][0-9]{10}$", is_isbn13, "an ISBN-13"),
    ("^[0-9]{5}(-[0-9]{4})?$", is_zip_code, "a ZIP code"),
    ("^[0-9]{4}-(0[1-9]|1[0-2])$", is_year_month, "a year-month"),
];

/// The formats the schemas use, each checked by its predicate.
pub const FORMATS: &[(&str, Predicate)] =
    &[("uuid", is_uuid), ("email", is_email), ("date", is_date), ("date-time", is_date_time)];

/// How deep schemas may nest (through `$ref` too) before the checker gives up: a `$ref`
/// cycle must not overflow the stack.
const MAX_DEPTH: usize = 64;

/// Every way `instance` breaks `schema`, as `path: problem` lines (`$` is the root,
/// `$.field` a field, `$[i]` an item); empty when it satisfies the schema.
pub fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(schema, schema, instance, "$", 0, &mut found);
    found
}

/// Checks committed examples against a committed schema: the schema is a JSON object, there
/// is at least one example, and every example is JSON that satisfies the schema. The error
/// lists every problem, one a line, prefixed with `name`.
pub fn check_examples(name: &str, schema: &str, examples: &[&str]) -> Result<(), String> {
    let schema = parse_schema(name, schema)?;
    if examples.is_empty() {
        return Err(format!("{name}: no example is committed"));
    }
    let mut problems = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        match serde_json::from_str::<Value>(example) {
            Ok(instance) => {
                problems.extend(violations(&schema, &instance).into_iter().map(|v| format!("{name} example {i}: {v}")))
            }
            Err(e) => problems.push(format!("{name} example {i} is not JSON: {e}")),
        }
    }
    joined(problems)
}

/// Checks a published message's committed schema and examples: the schema is a JSON object
/// whose `$id` ends in `/<name>.v<version>.json` (so the right file is embedded), every
/// personal-data field is a property of it, and [`check_examples`] holds.
pub fn check_published(message: &PublishedMessage) -> Result<(), String> {
    let name = message.name;
    let schema = parse_schema(name, message.schema)?;
    let mut problems = Vec::new();
    let file = format!("/{name}.v{}.json", message.version);
    match schema.get("$id").and_then(Value::as_str) {
        Some(id) if id.ends_with(&file) => {}
        Some(id) => problems.push(format!("{name}: the schema's $id `{id}` does not end in `{file}`")),
        None => problems.push(format!("{name}: the schema has no $id")),
    }
    for field in message.personal_data {
        if schema.get("properties").and_then(|p| p.get(*field)).is_none() {
            problems.push(format!("{name}: personal-data field `{field}` is not a property of the schema"));
        }
    }
    if let Err(e) = check_examples(name, message.schema, message.examples) {
        problems.push(e);
    }
    joined(problems)
}

/// [`check_published`] for every message `context` publishes, and that each schema's `$id`
/// is `/schemas/<context>/<name>.v<version>.json`.
pub fn check_context(context: &ContextDescriptor) -> Result<(), String> {
    let mut problems = Vec::new();
    for message in context.publishes {
        let id = format!("/schemas/{}/{}.v{}.json", context.name, message.name, message.version);
        match serde_json::from_str::<Value>(message.schema) {
            Ok(schema) if schema.get("$id").and_then(Value::as_str) != Some(id.as_str()) => {
                problems.push(format!("{}: the schema's $id is not `{id}`", message.name))
            }
            _ => {}
        }
        if let Err(e) = check_published(message) {
            problems.push(e);
        }
    }
    joined(problems)
}

/// Checks that every example decodes into `T` (from its text, as a consumer reads it, and from
/// its parsed JSON) and that re-encoding gives back the same JSON: a misspelled or extra
/// field in an example would be dropped by the DTO, and caught here. There must be at least
/// one example.
pub fn check_round_trip<T: DeserializeOwned + Serialize>(name: &str, examples: &[&str]) -> Result<(), String> {
    if examples.is_empty() {
        return Err(format!("{name}: no example is committed"));
    }
    let mut problems = Vec::new();
    for (i, example) in examples.iter().enumerate() {
        let json: Value = match serde_json::from_str(example) {
            Ok(json) => json,
            Err(e) => {
                problems.push(format!("{name} example {i} is not JSON: {e}"));
                continue;
            }
        };
        // Decoded both from the text (as a consumer reads a payload) and from the parsed value.
        let decoded = serde_json::from_str::<T>(example).and_then(|a| Ok([a, serde_json::from_value(json.clone())?]));
        let encoded = decoded.map(|dtos| dtos.map(|dto| serde_json::to_value(&dto)));
        match encoded {
            Err(e) => problems.push(format!("{name} example {i} does not decode into the DTO: {e}\n{example}")),
            Ok([Err(e), _] | [_, Err(e)]) => problems.push(format!("{name} example {i}: the DTO does not encode: {e}")),
            Ok([Ok(again), _] | [_, Ok(again)]) if again != json => problems.push(format!(
                "{name} example {i}: the DTO does not give back the example (a field it drops or changes)\n\
                 example: {json}\nDTO:     {again}"
            )),
            Ok(_) => {}
        }
    }
    joined(problems)
}

/// [`check_published`], and [`check_round_trip`] of the message's examples through its DTO `T`.
pub fn check_published_as<T: DeserializeOwned + Serialize>(message: &PublishedMessage) -> Result<(), String> {
    let problems: Vec<String> = [check_published(message), check_round_trip::<T>(message.name, message.examples)]
        .into_iter()
        .filter_map(Result::err)
        .collect();
    joined(problems)
}

fn parse_schema(name: &str, schema: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(schema) {
        Ok(schema) if schema.is_object() => Ok(schema),
        Ok(_) => Err(format!("{name}: the schema is not a JSON object")),
        Err(e) => Err(format!("{name}: the schema is not JSON: {e}")),
    }
}

fn joined(problems: Vec<String>) -> Result<(), String> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn check(root: &Value, schema: &Value, instance: &Value, path: &str, depth: usize, found: &mut Vec<String>) {
    let mut fail = |why: String| found.push(format!("{path}: {why}"));
    if depth > MAX_DEPTH {
        return fail(format!("the schema nests deeper than {MAX_DEPTH} levels (a $ref cycle?)"));
    }
    let Some(schema) = schema.as_object() else { return fail(format!("the schema here is not an object: {schema}")) };
    for keyword in schema.keys().filter(|k| !KEYWORDS.contains(&k.as_str())) {
        fail(format!("keyword `{keyword}` is unknown to this checker"));
    }
    if let Some(reference) = schema.get("$ref") {
        let target = reference.as_str().and_then(|r| r.strip_prefix('#')).and_then(|pointer| root.pointer(pointer));
        match target {
            Some(target) => check(root, target, instance, path, depth + 1, found),
            None => found.push(format!("{path}: unresolvable $ref {reference}")),
        }
    }
    let mut fail = |why: String| found.push(format!("{path}: {why}"));
    if let Some(rule) = schema.get("type") {
        let types: Vec<&Value> = match rule {
            Value::Array(types) => types.iter().collect(),
            single => vec![single],
        };
        let mut matches = false;
        for json_type in types {
            match json_type.as_str().and_then(|t| has_type(instance, t)) {
                Some(is) => matches |= is,
                None => return fail(format!("unknown type {json_type}")),
            }
        }
        if !matches {
            // The other keywords would only repeat this.
            return fail(format!("{instance} is not of type {rule}"));
        }
    }
    if let Some(rule) = schema.get("enum") {
        match rule.as_array() {
            Some(options) if options.contains(instance) => {}
            Some(_) => fail(format!("{instance} is not one of {rule}")),
            None => fail(format!("bad enum {rule}: not a list")),
        }
    }
    if let Some(rule) = schema.get("const") {
        if rule != instance {
            fail(format!("{instance} is not {rule}"));
        }
    }
    if let Some(rule) = schema.get("format") {
        match FORMATS.iter().find(|(name, _)| Some(*name) == rule.as_str()) {
            None => fail(format!("format {rule} is unknown to this checker")),
            Some((name, is)) => {
                if let Some(s) = instance.as_str().filter(|s| !is(s)) {
                    fail(format!("`{s}` is not a valid {name}"));
                }
            }
        }
    }
    for (keyword, below) in [("minimum", true), ("maximum", false)] {
        let Some(rule) = schema.get(keyword) else { continue };
        let Some(bound) = rule.as_f64() else {
            fail(format!("bad {keyword} {rule}: not a number"));
            continue;
        };
        if instance.as_f64().is_some_and(|n| if below { n < bound } else { n > bound }) {
            fail(format!("{instance} breaks {keyword} {bound}"));
        }
    }
    for (keyword, below) in [("minLength", true), ("maxLength", false)] {
        let Some(bound) = bound(schema, keyword, &mut fail) else { continue };
        if let Some(s) = instance.as_str() {
            let len = s.chars().count() as u64;
            if (below && len < bound) || (!below && len > bound) {
                fail(format!("`{s}` has {len} characters: breaks {keyword} {bound}"));
            }
        }
    }
    if let Some(rule) = schema.get("pattern") {
        match PATTERNS.iter().find(|(pattern, _, _)| Some(*pattern) == rule.as_str()) {
            None => fail(format!("pattern {rule} is unknown to this checker: add its predicate to PATTERNS")),
            Some((_, matches, what)) => {
                if let Some(s) = instance.as_str().filter(|s| !matches(s)) {
                    fail(format!("`{s}` is not {what} (does not match {rule})"));
                }
            }
        }
    }
    for (keyword, below) in [("minItems", true), ("maxItems", false)] {
        let Some(bound) = bound(schema, keyword, &mut fail) else { continue };
        if let Some(items) = instance.as_array() {
            let len = items.len() as u64;
            if (below && len < bound) || (!below && len > bound) {
                fail(format!("{len} items break {keyword} {bound}"));
            }
        }
    }
    match (schema.get("uniqueItems"), instance.as_array()) {
        (Some(Value::Bool(true)), Some(items)) => {
            for (i, item) in items.iter().enumerate().filter(|(i, item)| items[..*i].contains(item)) {
                fail(format!("item {i} repeats {item}: items must be unique"));
            }
        }
        (Some(Value::Bool(_)) | None, _) => {}
        (Some(rule), _) => fail(format!("bad uniqueItems {rule}: not a boolean")),
    }
    if let (Some(rule), Some(items)) = (schema.get("items"), instance.as_array()) {
        for (i, item) in items.iter().enumerate() {
            check(root, rule, item, &format!("{path}[{i}]"), depth + 1, found);
        }
    }
    let Some(object) = instance.as_object() else { return };
    let mut fail = |why: String| found.push(format!("{path}: {why}"));
    if let Some(rule) = schema.get("required") {
        match rule.as_array().map(|fields| fields.iter().map(Value::as_str).collect::<Option<Vec<_>>>()) {
            Some(Some(fields)) => {
                for field in fields.into_iter().filter(|field| !object.contains_key(*field)) {
                    fail(format!("missing required field `{field}`"));
                }
            }
            _ => fail(format!("bad required {rule}: not a list of names")),
        }
    }
    let properties = schema.get("properties");
    let additional = schema.get("additionalProperties");
    if properties.is_none() && additional.is_none() {
        return;
    }
    let properties = match properties.map(Value::as_object) {
        Some(None) => return fail("bad properties: not an object".to_owned()),
        Some(Some(properties)) => Some(properties),
        None => None,
    };
    for (field, value) in object {
        let field_path = format!("{path}.{field}");
        match (properties.and_then(|p| p.get(field)), additional) {
            (Some(property), _) => check(root, property, value, &field_path, depth + 1, found),
            (None, None | Some(Value::Bool(false))) => {
                found.push(format!("{path}: field `{field}` is not declared in the schema"))
            }
            (None, Some(Value::Bool(true))) => {}
            (None, Some(extra)) => check(root, extra, value, &field_path, depth + 1, found),
        }
    }
}

/// A non-negative integer bound `keyword` of `schema`, if it has one; a bad one is a violation.
fn bound(schema: &serde_json::Map<String, Value>, keyword: &str, fail: &mut impl FnMut(String)) -> Option<u64> {
    let rule = schema.get(keyword)?;
    let bound = rule.as_u64();
    if bound.is_none() {
        fail(format!("bad {keyword} {rule}: not a non-negative integer"));
    }
    bound
}

/// Whether `instance` is of the JSON type `json_type`; `None` when the type is unknown.
fn has_type(instance: &Value, json_type: &str) -> Option<bool> {
    Some(match json_type {
        "object" => instance.is_object(),
        "array" => instance.is_array(),
        "string" => instance.is_string(),
        "boolean" => instance.is_boolean(),
        "null" => instance.is_null(),
        "number" => instance.is_number(),
        "integer" => instance.is_i64() || instance.is_u64(),
        _ => return None,
    })
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// `^97[89][0-9]{10}$`
fn is_isbn13(s: &str) -> bool {
    digits(s, 13) && (s.starts_with("978") || s.starts_with("979"))
}

/// `^[0-9]{5}(-[0-9]{4})?$`
fn is_zip_code(s: &str) -> bool {
    match s.split_once('-') {
        None => digits(s, 5),
        Some((zip, plus4)) => digits(zip, 5) && digits(plus4, 4),
    }
}

/// `^[0-9]{4}-(0[1-9]|1[0-2])$`
fn is_year_month(s: &str) -> bool {
    match s.split_once('-') {
        Some((year, month)) => digits(year, 4) && digits(month, 2) && (1..=12).contains(&two_digits(month)),
        None => false,
    }
}

fn two_digits(s: &str) -> u32 {
    s.bytes().fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

/// A hyphenated UUID (RFC 9562's string form): 8-4-4-4-12 hex digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `local@domain`, both parts present, one `@`, no whitespace: the shape, not deliverability.
fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && !domain.is_empty() && !domain.contains('@') && !s.chars().any(char::is_whitespace)
        }
        None => false,
    }
}

/// RFC 3339 `full-date`: `YYYY-MM-DD`, a real day of a real month.
fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let [year, month, day] = parts[..] else { return false };
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return false;
    }
    let (year, month, day) = (year.parse::<u32>().unwrap_or(0), two_digits(month), two_digits(day));
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// RFC 3339 `date-time`: `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`.
fn is_date_time(s: &str) -> bool {
    let Some((date, time)) = s.split_once(['T', 't']) else { return false };
    let clock = |t: &str, seconds: bool| {
        let parts: Vec<&str> = t.split(':').collect();
        let limits: &[u32] = if seconds { &[23, 59, 60] } else { &[23, 59] };
        parts.len() == limits.len() && parts.iter().zip(limits).all(|(p, max)| digits(p, 2) && two_digits(p) <= *max)
    };
    let (time, offset) = match time.strip_suffix(['Z', 'z']) {
        Some(time) => (time, None),
        None => match time.rfind(['+', '-']) {
            Some(at) => (&time[..at], Some(&time[at + 1..])),
            None => return false,
        },
    };
    let time = match time.split_once('.') {
        Some((time, fraction)) if !fraction.is_empty() && fraction.bytes().all(|b| b.is_ascii_digit()) => time,
        Some(_) => return false,
        None => time,
    };
    is_date(date) && clock(time, true) && offset.is_none_or(|offset| clock(offset, false))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;
    use crate::message::MessageKind;

    fn only(schema: Value, instance: Value) -> Vec<String> {
        violations(&schema, &instance)
    }

    #[test]
    fn a_valid_instance_has_no_violation() {
        let schema = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "/schemas/test/thing.v1.json",
            "title": "thing", "description": "a thing",
            "type": "object",
            "required": ["id", "zip", "n", "tags"],
            "properties": {
                "id": { "type": "string", "format": "uuid" },
                "zip": { "type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$" },
                "n": { "type": "integer", "minimum": 1, "maximum": 3 },
                "tags": { "type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": { "enum": ["a", "b"] } },
                "currency": { "const": "USD" },
                "note": { "type": ["string", "null"], "minLength": 1, "maxLength": 4 },
                "price": { "$ref": "#/$defs/money" }
            },
            "additionalProperties": false,
            "$defs": { "money": { "type": "object", "required": ["cents"], "properties": { "cents": { "type": "integer" } } } }
        });
        let good = json!({
            "id": "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "zip": "75201-1234", "n": 3, "tags": ["a", "b"],
            "currency": "USD", "note": null, "price": { "cents": 1999 }
        });
        assert_eq!(violations(&schema, &good), Vec::<String>::new());
        assert_eq!(
            violations(
                &schema,
                &json!({ "id": "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "zip": "60611", "n": 1, "tags": ["b"], "note": "abcd" })
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn it_finds_every_violation_with_its_path() {
        let schema = json!({
            "type": "object",
            "required": ["zip", "n", "b"],
            "properties": {
                "zip": { "type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$" },
                "n": { "type": "integer", "minimum": 1 },
                "b": { "enum": ["x"] },
                "tags": { "type": "array", "uniqueItems": true, "items": { "enum": ["a", "b"] } }
            }
        });
        let bad = json!({ "zip": "7520", "n": 0, "tags": ["a", "a", "c"], "extra": true });
        let mut found = violations(&schema, &bad);
        found.sort();
        assert_eq!(
            found,
            [
                "$.n: 0 breaks minimum 1",
                "$.tags: item 1 repeats \"a\": items must be unique",
                "$.tags[2]: \"c\" is not one of [\"a\",\"b\"]",
                "$.zip: `7520` is not a ZIP code (does not match \"^[0-9]{5}(-[0-9]{4})?$\")",
                "$: field `extra` is not declared in the schema",
                "$: missing required field `b`",
            ]
        );
    }

    #[test]
    fn it_refuses_keywords_formats_patterns_and_types_it_does_not_know() {
        assert_eq!(only(json!({ "oneOf": [] }), json!(1)), ["$: keyword `oneOf` is unknown to this checker"]);
        assert_eq!(
            only(json!({ "format": "ipv4" }), json!("1.2.3.4")),
            ["$: format \"ipv4\" is unknown to this checker"]
        );
        assert_eq!(
            only(json!({ "pattern": "^a+$" }), json!("aaa")),
            ["$: pattern \"^a+$\" is unknown to this checker: add its predicate to PATTERNS"]
        );
        assert_eq!(only(json!({ "type": "decimal" }), json!(1)), ["$: unknown type \"decimal\""]);
        assert_eq!(only(json!({ "$ref": "#/$defs/nowhere" }), json!(1)), ["$: unresolvable $ref \"#/$defs/nowhere\""]);
        assert_eq!(only(json!({ "items": 3 }), json!([1])), ["$[0]: the schema here is not an object: 3"]);
        assert_eq!(only(json!({ "minLength": -1 }), json!("a")), ["$: bad minLength -1: not a non-negative integer"]);
        // Nested keywords are checked wherever the instance reaches them.
        let nested = json!({ "properties": { "a": { "items": { "contains": {} } } } });
        assert_eq!(only(nested, json!({ "a": [1] })), ["$.a[0]: keyword `contains` is unknown to this checker"]);
    }

    #[test]
    fn it_refuses_undeclared_fields_unless_additional_properties_allow_them() {
        let declared = json!({ "type": "object", "properties": { "a": { "type": "integer" } } });
        assert_eq!(only(declared.clone(), json!({ "a": 1, "b": 2 })), ["$: field `b` is not declared in the schema"]);
        let mut closed = declared.clone();
        closed["additionalProperties"] = json!(false);
        assert_eq!(only(closed, json!({ "a": 1, "b": 2 })), ["$: field `b` is not declared in the schema"]);
        let mut open = declared.clone();
        open["additionalProperties"] = json!(true);
        assert_eq!(only(open, json!({ "a": 1, "b": 2 })), Vec::<String>::new());
        let map = json!({ "type": "object", "additionalProperties": { "type": "integer", "minimum": 0 } });
        assert_eq!(only(map.clone(), json!({ "dallas": 1, "chicago": 0 })), Vec::<String>::new());
        assert_eq!(only(map, json!({ "dallas": -1 })), ["$.dallas: -1 breaks minimum 0"]);
        // A schema that says nothing about fields constrains none.
        assert_eq!(only(json!({ "type": "object" }), json!({ "a": 1 })), Vec::<String>::new());
    }

    #[test]
    fn a_type_mismatch_is_reported_once() {
        let schema = json!({ "type": "string", "minLength": 3, "pattern": "^97[89][0-9]{10}$" });
        assert_eq!(only(schema.clone(), json!(12)), ["$: 12 is not of type \"string\""]);
        assert_eq!(only(json!({ "type": "integer" }), json!(1.5)), ["$: 1.5 is not of type \"integer\""]);
        assert_eq!(
            only(json!({ "type": ["integer", "null"] }), json!("1")),
            ["$: \"1\" is not of type [\"integer\",\"null\"]"]
        );
    }

    #[test]
    fn bounds_on_numbers_strings_and_arrays() {
        let number = json!({ "minimum": 1, "maximum": 2.5 });
        assert_eq!(only(number.clone(), json!(3)), ["$: 3 breaks maximum 2.5"]);
        assert_eq!(only(number, json!(0.5)), ["$: 0.5 breaks minimum 1"]);
        let string = json!({ "minLength": 2, "maxLength": 3 });
        assert_eq!(only(string.clone(), json!("é")), ["$: `é` has 1 characters: breaks minLength 2"]);
        assert_eq!(only(string.clone(), json!("ééé")), Vec::<String>::new(), "characters, not bytes");
        assert_eq!(only(string, json!("abcd")), ["$: `abcd` has 4 characters: breaks maxLength 3"]);
        let array = json!({ "minItems": 1, "maxItems": 2 });
        assert_eq!(only(array.clone(), json!([])), ["$: 0 items break minItems 1"]);
        assert_eq!(only(array, json!([1, 2, 3])), ["$: 3 items break maxItems 2"]);
    }

    #[test]
    fn refs_resolve_from_the_root_and_cycles_end() {
        let schema = json!({
            "properties": { "a": { "$ref": "#/$defs/positive" } },
            "$defs": { "positive": { "type": "integer", "minimum": 1 } }
        });
        assert_eq!(only(schema, json!({ "a": 0 })), ["$.a: 0 breaks minimum 1"]);
        let cycle = json!({ "$ref": "#" });
        let found = only(cycle, json!(1));
        assert_eq!(found, ["$: the schema nests deeper than 64 levels (a $ref cycle?)"]);
    }

    #[test]
    fn the_patterns_match_what_their_expressions_match() {
        let is = |pattern: &str, s: &str| only(json!({ "pattern": pattern }), json!(s)).is_empty();
        let isbn = "^97[89][0-9]{10}$";
        assert!(is(isbn, "9780306406157") && is(isbn, "9791234567896"));
        for bad in ["978030640615", "97803064061577", "9770306406157", "978030640615X", ""] {
            assert!(!is(isbn, bad), "{bad}");
        }
        let zip = "^[0-9]{5}(-[0-9]{4})?$";
        assert!(is(zip, "75201") && is(zip, "60611-3502"));
        for bad in ["7520", "752011", "75201-", "75201-123", "75201-12345", "7520a", "75201 1234", "-75201"] {
            assert!(!is(zip, bad), "{bad}");
        }
        let month = "^[0-9]{4}-(0[1-9]|1[0-2])$";
        assert!(is(month, "2026-01") && is(month, "2026-12"));
        for bad in ["2026-00", "2026-13", "2026-1", "26-03", "2026-03-01", "2026/03", "20a6-03"] {
            assert!(!is(month, bad), "{bad}");
        }
    }

    #[test]
    fn the_formats_check_the_shape_of_strings_only() {
        let is = |format: &str, s: &str| only(json!({ "format": format }), json!(s)).is_empty();
        assert!(
            is("uuid", "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b") && is("uuid", "6F1C2A8E-3B4D-4E5F-8A9B-0C1D2E3F4A5B")
        );
        for bad in [
            "6f1c2a8e3b4d4e5f8a9b0c1d2e3f4a5b",
            "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5",
            "{6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b}",
            "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5g",
        ] {
            assert!(!is("uuid", bad), "{bad}");
        }
        assert!(is("email", "ada@example.com"));
        for bad in ["ada.example.com", "@example.com", "ada@", "a@b@c", "ada @example.com"] {
            assert!(!is("email", bad), "{bad}");
        }
        assert!(is("date", "2026-03-01") && is("date", "2024-02-29"));
        for bad in ["2026-02-29", "2026-13-01", "2026-04-31", "2026-3-1", "2026-03-01T00:00:00Z"] {
            assert!(!is("date", bad), "{bad}");
        }
        for good in [
            "2026-03-01T00:00:00Z",
            "2026-03-01T23:59:60.123456Z",
            "2026-03-01t10:00:00+05:30",
            "2026-03-01T10:00:00-08:00",
        ] {
            assert!(is("date-time", good), "{good}");
        }
        for bad in [
            "2026-03-01",
            "2026-03-01T24:00:00Z",
            "2026-03-01T10:00Z",
            "2026-03-01T10:00:00",
            "2026-03-01T10:00:00.Z",
            "2026-03-01T10:00:00+0530",
        ] {
            assert!(!is("date-time", bad), "{bad}");
        }
        assert_eq!(
            only(json!({ "format": "uuid" }), json!(7)),
            Vec::<String>::new(),
            "a format constrains strings only"
        );
        assert_eq!(only(json!({ "format": "uuid" }), json!("x")), ["$: `x` is not a valid uuid"]);
    }

    const SCHEMA: &str = r#"{
        "$id": "/schemas/test/thing.v2.json",
        "type": "object",
        "required": ["name"],
        "properties": { "name": { "type": "string", "minLength": 1 }, "n": { "type": "integer" } },
        "additionalProperties": false
    }"#;

    static THING: PublishedMessage = PublishedMessage {
        name: "thing",
        kind: MessageKind::DomainEvent,
        version: 2,
        schema: SCHEMA,
        examples: &[r#"{ "name": "a" }"#, r#"{ "name": "b", "n": 2 }"#],
        personal_data: &["name"],
    };

    static CONTEXT: ContextDescriptor = ContextDescriptor {
        name: "test",
        purpose: "tests",
        publishes: &[&THING],
        consumes: &[],
        sends: &[],
        upstreams: &[],
    };

    #[derive(Serialize, Deserialize)]
    struct ThingV2 {
        name: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        n: Option<i64>,
    }

    #[derive(Serialize, Deserialize)]
    struct NameOnly {
        name: String,
    }

    fn thing(schema: &'static str, examples: &'static [&'static str]) -> PublishedMessage {
        PublishedMessage { schema, examples, ..THING }
    }

    #[test]
    fn a_published_message_with_a_matching_schema_and_examples_passes() {
        assert_eq!(check_published(&THING), Ok(()));
        assert_eq!(check_published_as::<ThingV2>(&THING), Ok(()));
        assert_eq!(check_context(&CONTEXT), Ok(()));
        assert_eq!(
            check_context(&ContextDescriptor { name: "other", ..CONTEXT }),
            Err("thing: the schema's $id is not `/schemas/other/thing.v2.json`".into())
        );
    }

    #[test]
    fn a_published_message_whose_examples_break_the_schema_fails_naming_each() {
        let message = thing(SCHEMA, &[r#"{ "name": "" }"#, r#"{ "name": "b", "x": 1 }"#, "{ nope"]);
        let error = check_published(&message).unwrap_err();
        let lines: Vec<&str> = error.lines().collect();
        assert_eq!(lines[0], "thing example 0: $.name: `` has 0 characters: breaks minLength 1");
        assert_eq!(lines[1], "thing example 1: $: field `x` is not declared in the schema");
        assert!(lines[2].starts_with("thing example 2 is not JSON: "), "{error}");
        assert_eq!(check_published(&thing(SCHEMA, &[])), Err("thing: no example is committed".into()));
    }

    #[test]
    fn a_published_message_with_a_wrong_schema_fails() {
        assert!(check_published(&thing("{", &[])).unwrap_err().starts_with("thing: the schema is not JSON: "));
        assert_eq!(check_published(&thing("[]", &[])), Err("thing: the schema is not a JSON object".into()));
        let wrong_file = r#"{ "$id": "/schemas/test/thing.v1.json", "additionalProperties": true }"#;
        assert_eq!(
            check_published(&thing(wrong_file, &["{}"])),
            Err("thing: the schema's $id `/schemas/test/thing.v1.json` does not end in `/thing.v2.json`\n\
                 thing: personal-data field `name` is not a property of the schema"
                .into())
        );
        assert_eq!(
            check_published(&thing(r#"{ "type": "object" }"#, &["{}"])),
            Err("thing: the schema has no $id\n\
            thing: personal-data field `name` is not a property of the schema"
                .into())
        );
    }

    #[test]
    fn an_example_the_dto_does_not_give_back_fails_the_round_trip() {
        let error = check_published_as::<NameOnly>(&THING).unwrap_err();
        assert!(error.starts_with("thing example 1: the DTO does not give back the example"), "{error}");
        assert_eq!(error.lines().count(), 3, "{error}");
        let error = check_round_trip::<ThingV2>("thing", &[r#"{ "name": 1 }"#]).unwrap_err();
        assert!(error.starts_with("thing example 0 does not decode into the DTO: invalid type"), "{error}");
        assert_eq!(check_round_trip::<ThingV2>("thing", &[]), Err("thing: no example is committed".into()));
    }

    #[test]
    fn check_examples_checks_a_schema_and_examples_outside_a_published_message() {
        assert_eq!(check_examples("document", SCHEMA, &[r#"{ "name": "a" }"#]), Ok(()));
        assert_eq!(
            check_examples("document", SCHEMA, &["{}"]),
            Err("document example 0: $: missing required field `name`".into())
        );
    }
}
