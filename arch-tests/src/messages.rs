//! The messages each hosted context declares, as plain data the message-level rules read.
//!
//! For the real workspace the model comes from `bookbox::contexts::descriptors()` (the
//! same declarations the runtime routes by); for a fixture it comes from the fixture's
//! `descriptors.json`, whose consumers decode by listing the fields they require.

use std::fs;
use std::path::Path;

use kernel::context::{ContextDescriptor, Relationship};
use kernel::MessageKind;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// How a consumer turns a payload into its own model of the message.
#[derive(Clone)]
pub enum Decoder {
    /// The consumer's tolerant reader, as declared in its descriptor.
    Function(fn(&RawValue) -> Result<(), String>),
    /// (Fixtures) the payload is an object with these fields.
    Requires(Vec<String>),
}

impl std::fmt::Debug for Decoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Decoder::Function(_) => f.write_str("Decoder::Function"),
            Decoder::Requires(fields) => write!(f, "Decoder::Requires({fields:?})"),
        }
    }
}

impl Decoder {
    pub fn decode(&self, payload: &str) -> Result<(), String> {
        match self {
            Decoder::Function(decode) => {
                let raw: Box<RawValue> =
                    serde_json::from_str(payload).map_err(|e| format!("the example is not JSON: {e}"))?;
                decode(&raw)
            }
            Decoder::Requires(fields) => {
                let value: Value =
                    serde_json::from_str(payload).map_err(|e| format!("the example is not JSON: {e}"))?;
                match fields.iter().find(|f| value.get(f.as_str()).is_none()) {
                    Some(missing) => Err(format!("missing field `{missing}`")),
                    None => Ok(()),
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct Published {
    pub name: String,
    pub kind: MessageKind,
    pub version: u32,
    pub schema: String,
    pub examples: Vec<String>,
    pub personal_data: Vec<String>,
}

impl Published {
    /// The CloudEvents type when `context` publishes it.
    pub fn message_type(&self, context: &str) -> String {
        kernel::message::message_type(context, &self.name, self.version)
    }
}

#[derive(Debug, Clone)]
pub struct Consumed {
    pub handler_id: String,
    pub message_type: String,
    pub kind: MessageKind,
    pub decoder: Decoder,
}

#[derive(Debug, Clone)]
pub struct UpstreamDecl {
    pub context: String,
    pub relationship: Relationship,
}

/// One context's declaration.
#[derive(Debug, Clone)]
pub struct ContextMessages {
    pub name: String,
    pub publishes: Vec<Published>,
    pub consumes: Vec<Consumed>,
    /// Command types (full CloudEvents types) this context sends to others.
    pub sends: Vec<String>,
    pub upstreams: Vec<UpstreamDecl>,
}

impl ContextMessages {
    pub fn from_descriptor(d: &ContextDescriptor) -> Self {
        ContextMessages {
            name: d.name.to_owned(),
            publishes: d
                .publishes
                .iter()
                .map(|m| Published {
                    name: m.name.to_owned(),
                    kind: m.kind,
                    version: m.version,
                    schema: m.schema.to_owned(),
                    examples: m.examples.iter().map(|e| (*e).to_owned()).collect(),
                    personal_data: m.personal_data.iter().map(|p| (*p).to_owned()).collect(),
                })
                .collect(),
            consumes: d
                .consumes
                .iter()
                .map(|s| Consumed {
                    handler_id: s.handler_id.to_owned(),
                    message_type: s.message_type.to_owned(),
                    kind: s.kind,
                    decoder: Decoder::Function(s.decode),
                })
                .collect(),
            sends: d.sends.iter().map(|s| (*s).to_owned()).collect(),
            upstreams: d
                .upstreams
                .iter()
                .map(|u| UpstreamDecl { context: u.context.to_owned(), relationship: u.relationship })
                .collect(),
        }
    }

    pub fn from_descriptors(descriptors: &[&ContextDescriptor]) -> Vec<Self> {
        descriptors.iter().map(|d| Self::from_descriptor(d)).collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureFile {
    contexts: Vec<FixtureContext>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureContext {
    name: String,
    #[serde(default)]
    publishes: Vec<FixturePublished>,
    #[serde(default)]
    consumes: Vec<FixtureConsumed>,
    #[serde(default)]
    sends: Vec<String>,
    #[serde(default)]
    upstreams: Vec<FixtureUpstream>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixturePublished {
    name: String,
    kind: MessageKind,
    version: u32,
    /// A file under the fixture root (as `include_str!` would embed it)...
    #[serde(default)]
    schema_file: Option<String>,
    /// ...or the schema written inline.
    #[serde(default)]
    schema: Option<String>,
    #[serde(default)]
    example_files: Vec<String>,
    #[serde(default)]
    examples: Vec<String>,
    #[serde(default)]
    personal_data: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureConsumed {
    handler_id: String,
    message_type: String,
    kind: MessageKind,
    #[serde(default)]
    requires: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FixtureUpstream {
    context: String,
    relationship: String,
}

fn relationship(name: &str) -> Result<Relationship, String> {
    Ok(match name {
        "customer-supplier" => Relationship::CustomerSupplier,
        "conformist" => Relationship::Conformist,
        "anticorruption-layer" => Relationship::AnticorruptionLayer,
        "open-host-service" => Relationship::OpenHostService,
        "shared-kernel" => Relationship::SharedKernel,
        "partnership" => Relationship::Partnership,
        other => return Err(format!("unknown relationship `{other}`")),
    })
}

/// Reads `root/descriptors.json` (no file: no hosted context).
pub fn from_fixture(root: &Path) -> Result<Vec<ContextMessages>, String> {
    let path = root.join("descriptors.json");
    let Ok(text) = fs::read_to_string(&path) else { return Ok(Vec::new()) };
    let file: FixtureFile = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let read = |rel: &str| fs::read_to_string(root.join(rel)).map_err(|e| format!("{rel}: {e}"));
    let mut contexts = Vec::new();
    for c in file.contexts {
        let mut publishes = Vec::new();
        for p in c.publishes {
            let schema = match (&p.schema_file, p.schema) {
                (Some(file), _) => read(file)?,
                (None, inline) => inline.unwrap_or_default(),
            };
            let mut examples = p.examples;
            for f in &p.example_files {
                examples.push(read(f)?);
            }
            publishes.push(Published {
                name: p.name,
                kind: p.kind,
                version: p.version,
                schema,
                examples,
                personal_data: p.personal_data,
            });
        }
        let consumes = c
            .consumes
            .into_iter()
            .map(|s| Consumed {
                handler_id: s.handler_id,
                message_type: s.message_type,
                kind: s.kind,
                decoder: Decoder::Requires(s.requires),
            })
            .collect();
        let upstreams = c
            .upstreams
            .into_iter()
            .map(|u| Ok(UpstreamDecl { context: u.context, relationship: relationship(&u.relationship)? }))
            .collect::<Result<_, String>>()?;
        contexts.push(ContextMessages { name: c.name, publishes, consumes, sends: c.sends, upstreams });
    }
    Ok(contexts)
}

/// Checks `value` against the common subset of JSON Schema: `type`, `properties`,
/// `required`, `additionalProperties: false`, `items`, `enum`, `const`, `minimum`,
/// `maximum`, `minItems`, `maxItems`, `minLength`, `anyOf`/`oneOf`/`allOf` and local `$ref`s.
/// Other keywords (`format`, `pattern`...) are not checked. Returns the first mismatch.
pub fn check_schema(schema: &Value, value: &Value) -> Result<(), String> {
    check_at(schema, schema, value, "$")
}

fn check_at(root: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let Some(s) = schema.as_object() else { return Ok(()) };
    if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
        if let Some(pointer) = reference.strip_prefix('#') {
            let target = root.pointer(pointer).ok_or_else(|| format!("{at}: `$ref` {reference} points nowhere"))?;
            check_at(root, target, value, at)?;
        }
    }
    if let Some(types) = s.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.is_empty() && !allowed.iter().any(|t| has_type(value, t)) {
            return Err(format!("{at}: expected {}, found {}", allowed.join(" or "), type_name(value)));
        }
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        if !options.contains(value) {
            return Err(format!("{at}: {value} is not one of {}", Value::Array(options.clone())));
        }
    }
    if let Some(expected) = s.get("const") {
        if expected != value {
            return Err(format!("{at}: expected {expected}, found {value}"));
        }
    }
    if let (Some(min), Some(n)) = (s.get("minimum").and_then(Value::as_f64), value.as_f64()) {
        if n < min {
            return Err(format!("{at}: {n} is below the minimum {min}"));
        }
    }
    if let (Some(max), Some(n)) = (s.get("maximum").and_then(Value::as_f64), value.as_f64()) {
        if n > max {
            return Err(format!("{at}: {n} is above the maximum {max}"));
        }
    }
    if let (Some(min), Some(text)) = (s.get("minLength").and_then(Value::as_u64), value.as_str()) {
        if (text.chars().count() as u64) < min {
            return Err(format!("{at}: shorter than {min} characters"));
        }
    }
    if let Some(object) = value.as_object() {
        if let Some(required) = s.get("required").and_then(Value::as_array) {
            for field in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(field) {
                    return Err(format!("{at}: required field `{field}` is missing"));
                }
            }
        }
        let properties = s.get("properties").and_then(Value::as_object);
        for (key, v) in object {
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => check_at(root, sub, v, &format!("{at}.{key}"))?,
                None => match s.get("additionalProperties") {
                    Some(Value::Bool(false)) => return Err(format!("{at}: field `{key}` is not in the schema")),
                    Some(sub @ Value::Object(_)) => check_at(root, sub, v, &format!("{at}.{key}"))?,
                    _ => {}
                },
            }
        }
    }
    if let Some(items) = value.as_array() {
        if let Some(min) = s.get("minItems").and_then(Value::as_u64) {
            if (items.len() as u64) < min {
                return Err(format!("{at}: fewer than {min} items"));
            }
        }
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64) {
            if (items.len() as u64) > max {
                return Err(format!("{at}: more than {max} items"));
            }
        }
        if let Some(item_schema) = s.get("items").filter(|i| i.is_object()) {
            for (i, item) in items.iter().enumerate() {
                check_at(root, item_schema, item, &format!("{at}[{i}]"))?;
            }
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for sub in all {
            check_at(root, sub, value, at)?;
        }
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(options) = s.get(keyword).and_then(Value::as_array) {
            let errors: Vec<String> = options.iter().filter_map(|sub| check_at(root, sub, value, at).err()).collect();
            if errors.len() == options.len() && !options.is_empty() {
                return Err(format!("{at}: matches none of `{keyword}` ({})", errors.join("; ")));
            }
        }
    }
    Ok(())
}

fn has_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => true,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_schema_subset_catches_what_it_claims_to() {
        let schema = json!({
            "type": "object",
            "required": ["id", "lines"],
            "additionalProperties": false,
            "properties": {
                "id": { "type": "string" },
                "state": { "enum": ["open", "closed"] },
                "lines": { "type": "array", "minItems": 1, "items": { "$ref": "#/$defs/line" } }
            },
            "$defs": { "line": { "type": "object", "required": ["qty"], "properties": { "qty": { "type": "integer", "minimum": 1 } } } }
        });
        assert_eq!(check_schema(&schema, &json!({"id": "a", "lines": [{"qty": 2}]})), Ok(()));
        let err = |v: Value| check_schema(&schema, &v).unwrap_err();
        assert_eq!(err(json!({"lines": []})), "$: required field `id` is missing");
        assert_eq!(err(json!({"id": 1, "lines": []})), "$.id: expected string, found a number");
        assert_eq!(err(json!({"id": "a", "lines": []})), "$.lines: fewer than 1 items");
        assert_eq!(err(json!({"id": "a", "lines": [{"qty": 0}]})), "$.lines[0].qty: 0 is below the minimum 1");
        assert_eq!(err(json!({"id": "a", "lines": [{}], "x": 1})), "$.lines[0]: required field `qty` is missing");
        assert_eq!(err(json!({"id": "a", "lines": [{"qty": 1}], "x": 1})), "$: field `x` is not in the schema");
        assert_eq!(
            err(json!({"id": "a", "lines": [{"qty": 1}], "state": "lost"})),
            "$.state: \"lost\" is not one of [\"open\",\"closed\"]"
        );
    }

    #[test]
    fn required_field_decoders_name_what_is_missing() {
        let d = Decoder::Requires(vec!["a".into(), "b".into()]);
        assert_eq!(d.decode(r#"{"a": 1, "b": 2}"#), Ok(()));
        assert_eq!(d.decode(r#"{"a": 1}"#), Err("missing field `b`".into()));
    }
}
