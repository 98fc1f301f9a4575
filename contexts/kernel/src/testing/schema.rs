//! JSON Schema checks of the published language's committed schemas, examples and messages,
//! through the `jsonschema` crate (draft 2020-12, formats asserted), and helpers that check a
//! [`PublishedMessage`]'s committed schema and examples.
//!
//! Our schemas keep to a small subset of JSON Schema: `$schema`, `$id`, `$defs`, local `$ref`,
//! `title`, `description`, `type`, `enum`, `const`, `format` (`uuid`, `email`, `date`,
//! `date-time`), `minimum`, `maximum`, `minLength`, `maxLength`, `pattern` (those in
//! [`PATTERNS`]), `items`, `minItems`, `maxItems`, `uniqueItems`, `required`, `properties`,
//! `additionalProperties`. Beside the validator, a small walk makes the project stricter than
//! JSON Schema in two ways:
//! - a keyword, format, pattern or type name outside the subset, a keyword with a value of the
//!   wrong shape, an unresolvable `$ref` or a `$ref` cycle is a violation (a general validator
//!   ignores unknown keywords and formats), so no rule in a schema goes unchecked unnoticed;
//! - an object schema with `properties` allows no other field unless `additionalProperties`
//!   says so (`true`, or a schema the extra fields must satisfy), so examples and messages
//!   carry only documented fields ([`undeclared_fields_refused`]).
//!
//! The walk follows the instance, as the validator does: it checks a subschema only where an
//! instance reaches it, so examples that leave an optional field out leave its subschema
//! unchecked by the walk (the validator still checks the whole schema's shape when it builds).

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::{Location, LocationSegment};
use jsonschema::ValidationError;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::context::{ContextDescriptor, PublishedMessage};

/// The keywords of the subset; any other is a violation.
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

/// A regular expression a schema may use, and the predicate a string matching it satisfies
/// (what it is, for the violation).
pub type Pattern = (&'static str, &'static str);

/// The patterns the schemas use. A new one needs its entry here, so every message about a
/// mismatch says what the string should have been.
pub const PATTERNS: &[Pattern] = &[
    ("^97[89][0-9]{10}$", "an ISBN-13"),
    ("^[0-9]{5}(-[0-9]{4})?$", "a ZIP code"),
    ("^[0-9]{4}-(0[1-9]|1[0-2])$", "a year-month"),
];

/// The formats the schemas use; the validator asserts each.
pub const FORMATS: &[&str] = &["uuid", "email", "date", "date-time"];

/// The JSON types a `type` may name.
const TYPES: &[&str] = &["object", "array", "string", "boolean", "null", "number", "integer"];

/// How deep schemas may nest (through `$ref` too) before the walk gives up: a `$ref` cycle
/// that consumes no instance must not overflow the stack.
const MAX_DEPTH: usize = 64;

/// Every way `instance` breaks `schema`, as `path: problem` lines (`$` is the root,
/// `$.field` a field, `$[i]` an item); empty when it satisfies the schema. A schema outside
/// the subset gives only its own problems: validating against it would mean little.
pub fn violations(schema: &Value, instance: &Value) -> Vec<String> {
    let mut found = Vec::new();
    walk(schema, schema, instance, "$", 0, &mut found);
    if !found.is_empty() {
        return found;
    }
    let validator = match jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&undeclared_fields_refused(schema))
    {
        Ok(validator) => validator,
        Err(e) => return vec![format!("$: the schema is not valid: {e}")],
    };
    let errors: Vec<_> = validator.iter_errors(instance).collect();
    // A value of the wrong type gets that one line: the other keywords would only repeat it.
    let mistyped: Vec<String> = errors
        .iter()
        .filter(|e| matches!(e.kind(), ValidationErrorKind::Type { .. }))
        .map(|e| e.instance_path().as_str().to_owned())
        .collect();
    for error in &errors {
        let at = error.instance_path().as_str();
        if mistyped.iter().any(|m| m == at) && !matches!(error.kind(), ValidationErrorKind::Type { .. }) {
            continue;
        }
        let path = dotted(error.instance_path());
        found.extend(describe(schema, error).into_iter().map(|why| format!("{path}: {why}")));
    }
    found
}

/// `schema` with `additionalProperties: false` added to every object schema that has
/// `properties` and says nothing of other fields: the project's reading of such a schema
/// (only documented fields), which plain JSON Schema reads as "any other field goes".
pub fn undeclared_fields_refused(schema: &Value) -> Value {
    let mut schema = schema.clone();
    close(&mut schema);
    schema
}

fn close(schema: &mut Value) {
    let Some(object) = schema.as_object_mut() else { return };
    if object.contains_key("properties") && !object.contains_key("additionalProperties") {
        object.insert("additionalProperties".to_owned(), Value::Bool(false));
    }
    for (keyword, below) in object.iter_mut() {
        match keyword.as_str() {
            // Keywords whose value is a schema.
            "additionalProperties"
            | "items"
            | "not"
            | "if"
            | "then"
            | "else"
            | "contains"
            | "propertyNames"
            | "unevaluatedItems"
            | "unevaluatedProperties" => close(below),
            // Keywords whose value is a list of schemas.
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => below.as_array_mut().into_iter().flatten().for_each(close),
            // Keywords whose value maps names to schemas.
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas" => {
                below.as_object_mut().into_iter().flat_map(|m| m.values_mut()).for_each(close)
            }
            _ => {}
        }
    }
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

/// The strictness walk: every problem of the schema itself (outside the subset, a keyword's
/// value of the wrong shape, a `$ref` that resolves nowhere or loops) where `instance` reaches.
fn walk(root: &Value, schema: &Value, instance: &Value, path: &str, depth: usize, found: &mut Vec<String>) {
    let mut fail = |why: String| found.push(format!("{path}: {why}"));
    if depth > MAX_DEPTH {
        return fail(format!("the schema nests deeper than {MAX_DEPTH} levels (a $ref cycle?)"));
    }
    let Some(schema) = schema.as_object() else { return fail(format!("the schema here is not an object: {schema}")) };
    for keyword in schema.keys().filter(|k| !KEYWORDS.contains(&k.as_str())) {
        fail(format!("keyword `{keyword}` is unknown to this checker"));
    }
    for (keyword, rule) in schema {
        if let Some(why) = misshapen(keyword, rule) {
            fail(why);
        }
    }
    if let Some(reference) = schema.get("$ref") {
        let target = reference.as_str().and_then(|r| r.strip_prefix('#')).and_then(|pointer| root.pointer(pointer));
        match target {
            Some(target) => walk(root, target, instance, path, depth + 1, found),
            None => found.push(format!("{path}: unresolvable $ref {reference}")),
        }
    }
    if let (Some(rule), Some(items)) = (schema.get("items"), instance.as_array()) {
        for (i, item) in items.iter().enumerate() {
            walk(root, rule, item, &format!("{path}[{i}]"), depth + 1, found);
        }
    }
    let Some(object) = instance.as_object() else { return };
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties").filter(|a| !a.is_boolean());
    for (field, value) in object {
        let field_path = format!("{path}.{field}");
        if let Some(below) = properties.and_then(|p| p.get(field)).or(additional) {
            walk(root, below, value, &field_path, depth + 1, found);
        }
    }
}

/// What is wrong with the value of `keyword`, if anything: a name outside the subset, or a
/// value of the wrong shape.
fn misshapen(keyword: &str, rule: &Value) -> Option<String> {
    let known = |names: &[&str]| rule.as_str().is_some_and(|name| names.contains(&name));
    match keyword {
        "type" => match rule {
            Value::Array(types) => types.iter().find(|t| !t.as_str().is_some_and(|t| TYPES.contains(&t))),
            single => Some(single).filter(|_| !known(TYPES)),
        }
        .map(|t| format!("unknown type {t}")),
        "format" if !known(FORMATS) => Some(format!("format {rule} is unknown to this checker")),
        "pattern" if !rule.as_str().is_some_and(|r| PATTERNS.iter().any(|(p, _)| *p == r)) => {
            Some(format!("pattern {rule} is unknown to this checker: add its predicate to PATTERNS"))
        }
        "enum" if !rule.is_array() => Some(format!("bad enum {rule}: not a list")),
        "minimum" | "maximum" if !rule.is_number() => Some(format!("bad {keyword} {rule}: not a number")),
        "minLength" | "maxLength" | "minItems" | "maxItems" if !rule.is_u64() => {
            Some(format!("bad {keyword} {rule}: not a non-negative integer"))
        }
        "uniqueItems" if !rule.is_boolean() => Some(format!("bad uniqueItems {rule}: not a boolean")),
        "required" if !rule.as_array().is_some_and(|names| names.iter().all(Value::is_string)) => {
            Some(format!("bad required {rule}: not a list of names"))
        }
        "properties" if !rule.is_object() => Some("bad properties: not an object".to_owned()),
        _ => None,
    }
}

/// An instance location as the violations write it: `$`, `$.field`, `$[i]`.
fn dotted(location: &Location) -> String {
    let mut path = String::from("$");
    for segment in location.iter() {
        match segment {
            LocationSegment::Property(field) => path.push_str(&format!(".{field}")),
            LocationSegment::Index(i) => path.push_str(&format!("[{i}]")),
        }
    }
    path
}

/// The validator's error in the words of the violations (one line per repeated item).
fn describe(schema: &Value, error: &ValidationError<'_>) -> Vec<String> {
    let instance = error.instance().as_ref();
    let one = |why: String| vec![why];
    match error.kind() {
        ValidationErrorKind::Type { kind } => {
            // The rule as the schema writes it (the validator keeps a list of types as a set).
            let written = match error.absolute_keyword_location() {
                Some(uri) => uri.fragment().and_then(|pointer| schema.pointer(pointer.as_str())),
                None => {
                    Some(error.schema_path().as_str()).filter(|p| !p.contains("$ref")).and_then(|p| schema.pointer(p))
                }
            };
            let rule = written.cloned().unwrap_or_else(|| match kind {
                TypeKind::Single(t) => Value::from(t.to_string()),
                TypeKind::Multiple(ts) => ts.iter().map(|t| Value::from(t.to_string())).collect(),
            });
            one(format!("{instance} is not of type {rule}"))
        }
        ValidationErrorKind::Enum { options } => one(format!("{instance} is not one of {options}")),
        ValidationErrorKind::Constant { expected_value } => one(format!("{instance} is not {expected_value}")),
        ValidationErrorKind::Format { format } => one(format!("`{}` is not a valid {format}", text(instance))),
        ValidationErrorKind::Minimum { limit } => one(format!("{instance} breaks minimum {limit}")),
        ValidationErrorKind::Maximum { limit } => one(format!("{instance} breaks maximum {limit}")),
        ValidationErrorKind::MinLength { limit } => one(length(instance, "minLength", *limit)),
        ValidationErrorKind::MaxLength { limit } => one(length(instance, "maxLength", *limit)),
        ValidationErrorKind::Pattern { pattern } => {
            let what = PATTERNS.iter().find(|(p, _)| p == pattern).map_or("what it should be", |(_, what)| what);
            one(format!("`{}` is not {what} (does not match {})", text(instance), Value::from(pattern.as_str())))
        }
        ValidationErrorKind::MinItems { limit } => one(format!("{} items break minItems {limit}", count(instance))),
        ValidationErrorKind::MaxItems { limit } => one(format!("{} items break maxItems {limit}", count(instance))),
        ValidationErrorKind::UniqueItems => {
            let items = instance.as_array().map(Vec::as_slice).unwrap_or_default();
            let repeats = items.iter().enumerate().filter(|(i, item)| items[..*i].contains(item));
            repeats.map(|(i, item)| format!("item {i} repeats {item}: items must be unique")).collect()
        }
        ValidationErrorKind::Required { property } => one(format!("missing required field `{}`", text(property))),
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            unexpected.iter().map(|field| format!("field `{field}` is not declared in the schema")).collect()
        }
        _ => one(error.to_string()),
    }
}

fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}

fn count(instance: &Value) -> usize {
    instance.as_array().map_or(0, Vec::len)
}

fn length(instance: &Value, keyword: &str, limit: u64) -> String {
    let s = text(instance);
    format!("`{s}` has {} characters: breaks {keyword} {limit}", s.chars().count())
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
    fn a_keyword_with_a_value_of_the_wrong_shape_is_a_violation_and_nothing_is_validated_against_it() {
        for (schema, why) in [
            (json!({ "enum": "a" }), "bad enum \"a\": not a list"),
            (json!({ "maximum": "3" }), "bad maximum \"3\": not a number"),
            (json!({ "maxItems": 1.5 }), "bad maxItems 1.5: not a non-negative integer"),
            (json!({ "uniqueItems": "yes" }), "bad uniqueItems \"yes\": not a boolean"),
            (json!({ "required": ["a", 1] }), "bad required [\"a\",1]: not a list of names"),
            (json!({ "properties": [] }), "bad properties: not an object"),
            (json!({ "type": ["string", "text"] }), "unknown type \"text\""),
            (json!({ "format": 3 }), "format 3 is unknown to this checker"),
        ] {
            assert_eq!(only(schema.clone(), json!(["a"])), [format!("$: {why}")], "{schema}");
        }
        // With one problem in the schema, the instance's own faults are not reported.
        assert_eq!(
            only(json!({ "type": "string", "title": 1, "x-note": "" }), json!(1)),
            ["$: keyword `x-note` is unknown to this checker"]
        );
    }

    #[test]
    fn undeclared_fields_are_refused_in_every_subschema_but_not_inside_values() {
        let schema = json!({
            "properties": {
                "list": { "items": { "properties": { "a": {} } } },
                "map": { "type": "object", "additionalProperties": { "properties": { "b": {} } } },
                "ref": { "$ref": "#/$defs/c" },
                "fixed": { "const": { "properties": {} } }
            },
            "$defs": { "c": { "properties": { "c": {} } } }
        });
        let closed = undeclared_fields_refused(&schema);
        for pointer in ["", "/properties/list/items", "/properties/map/additionalProperties", "/$defs/c"] {
            assert_eq!(closed.pointer(&format!("{pointer}/additionalProperties")), Some(&json!(false)), "{pointer}");
        }
        assert_eq!(closed.pointer("/properties/map/additionalProperties/properties"), Some(&json!({ "b": {} })));
        assert_eq!(closed["properties"]["fixed"], json!({ "const": { "properties": {} } }), "a value is not a schema");
        let mut found = only(
            schema,
            json!({ "list": [{ "a": 1, "x": 1 }], "map": { "k": { "y": 1 } }, "ref": { "z": 1 }, "fixed": { "properties": {} } }),
        );
        found.sort();
        assert_eq!(
            found,
            [
                "$.list[0]: field `x` is not declared in the schema",
                "$.map.k: field `y` is not declared in the schema",
                "$.ref: field `z` is not declared in the schema",
            ]
        );
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
