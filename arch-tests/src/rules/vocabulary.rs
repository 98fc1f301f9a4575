//! Rule 15: closed vocabularies agree. A closed vocabulary (the genres, the USPS state codes,
//! the warehouses, an order's end states) is one list of names the whole system shares; a
//! consumer that keeps its own copy, or a producer whose schema says otherwise, silently
//! refuses or drops what the other side sends the day one of them changes.
//!
//! The vocabularies are read from two sources of truth:
//! - the kernel's published-language formats: every `const` array of strings under
//!   `contexts/kernel/src/formats` (the genres, the state codes);
//! - every string `enum` of a published schema (the producer's word on the wire).
//!
//! It reports:
//! - a published schema `enum` that overlaps a kernel vocabulary but differs from it: the
//!   producer's schema drifted from the language it publishes;
//! - a list a context's own code keeps (a `const` array of strings, or a fieldless enum as
//!   serde writes it) that is a copy of a kernel vocabulary, or of an `enum` in the schema of
//!   a message the context consumes or sends, but differs from it.
//!
//! A list is taken for a copy of a vocabulary when it shares more than half of its names and
//! at least two; a list sharing fewer is about something else. A context may keep a
//! deliberate part of a vocabulary (the states one warehouse serves first): such parts are
//! listed in [`PARTS`], and a part holding a name outside the vocabulary is still reported.
//!
//! What it cannot see: lists built at run time, names spelled in `match` arms, and lists in
//! `src/` (the composition root and its simulation are not a context).

use std::collections::BTreeSet;

use serde_json::Value;

use crate::code::NameList;
use crate::model::{Role, Workspace};
use crate::violation::{Rule, Violation};

const RULE: Rule = Rule::ClosedVocabulariesAgree;

/// Deliberate parts of a vocabulary kept in a context, by (context, item), with the reason.
pub const PARTS: &[(&str, &str, &str)] = &[(
    "orders",
    "SERVED_FROM_DALLAS",
    "the states the Dallas warehouse serves first: a routing policy over the state codes",
)];

/// One vocabulary: where it is declared, and its names.
struct Vocabulary {
    /// `kernel::formats GENRE_NAMES`, or `customers customer-profile v1 at /properties/...`.
    source: String,
    names: BTreeSet<String>,
}

pub fn closed_vocabularies_agree(ws: &Workspace) -> Vec<Violation> {
    let kernel = kernel_vocabularies(ws);
    let published = published_enums(ws);
    let mut found = schemas_agree_with_kernel(ws, &published, &kernel);
    for (context, list) in context_lists(ws) {
        let vocabularies = vocabularies_of(ws, &published, &context, &kernel);
        found.extend(drift(&context, list, &vocabularies));
    }
    found
}

/// The kernel's `const` string arrays under `formats`.
fn kernel_vocabularies(ws: &Workspace) -> Vec<Vocabulary> {
    ws.code
        .name_lists
        .iter()
        .filter(|l| !l.test && l.file.starts_with("contexts/kernel/src/formats"))
        .map(|l| Vocabulary { source: format!("the kernel's {} ({})", l.name, l.file), names: set(&l.values) })
        .collect()
}

/// Every string `enum` in a schema, with its JSON pointer.
fn schema_enums(schema: &Value, pointer: &str, out: &mut Vec<(String, BTreeSet<String>)>) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(items)) = map.get("enum") {
                let names: BTreeSet<String> = items.iter().filter_map(Value::as_str).map(str::to_owned).collect();
                if names.len() >= 2 {
                    out.push((pointer.to_owned(), names));
                }
            }
            for (key, value) in map {
                schema_enums(value, &format!("{pointer}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                schema_enums(value, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A published schema's string enums: (producer, message type, schema file, (pointer, names)).
type SchemaEnums = (String, String, String, Vec<(String, BTreeSet<String>)>);

/// The schemas of every published message, with their string enums.
fn published_enums(ws: &Workspace) -> Vec<SchemaEnums> {
    let mut out = Vec::new();
    for context in &ws.messages {
        for published in &context.publishes {
            let Ok(schema) = serde_json::from_str::<Value>(&published.schema) else { continue };
            let mut enums = Vec::new();
            schema_enums(&schema, "", &mut enums);
            let file = format!("contexts/{}/schemas/{}.v{}.json", context.name, published.name, published.version);
            out.push((context.name.clone(), published.message_type(&context.name), file, enums));
        }
    }
    out
}

fn schemas_agree_with_kernel(ws: &Workspace, published: &[SchemaEnums], kernel: &[Vocabulary]) -> Vec<Violation> {
    let mut found = Vec::new();
    for (producer, message_type, file, enums) in published {
        for (pointer, names) in enums {
            for vocabulary in kernel.iter().filter(|v| shares(names, &v.names) >= 2) {
                if *names != vocabulary.names {
                    found.push(
                        Violation::at(RULE, file.clone(), line_of_json(ws, file, names))
                            .found(format!(
                                "{producer} publishes `{message_type}` with an `enum` at {pointer} that differs from {}: {}",
                                vocabulary.source,
                                difference(names, &vocabulary.names)
                            ))
                            .why("the schema is the producer's word on the wire; consumers follow the kernel's list, so the two must be one")
                            .fix("make the schema's `enum` list exactly the kernel's names (or change the kernel's list, and every schema with it)"),
                    );
                }
            }
        }
    }
    found
}

/// Every list in a context's non-test code, with the context it belongs to.
fn context_lists(ws: &Workspace) -> Vec<(String, &NameList)> {
    let contexts: Vec<(String, &str)> = ws
        .packages
        .iter()
        .filter_map(|p| match &p.role {
            Role::Context(name) => Some((name.clone(), p.name.as_str())),
            _ => None,
        })
        .collect();
    ws.code
        .name_lists
        .iter()
        .filter(|l| !l.test)
        .filter_map(|l| {
            let package = ws.code.package_of(l.module);
            contexts.iter().find(|(_, p)| *p == package).map(|(context, _)| (context.clone(), l))
        })
        .collect()
}

/// The vocabularies a context's lists must agree with: the kernel's, and the schema enums of
/// what it consumes or sends.
fn vocabularies_of(ws: &Workspace, published: &[SchemaEnums], context: &str, kernel: &[Vocabulary]) -> Vec<Vocabulary> {
    let mut out: Vec<Vocabulary> =
        kernel.iter().map(|v| Vocabulary { source: v.source.clone(), names: v.names.clone() }).collect();
    let Some(declared) = ws.messages.iter().find(|m| m.name == context) else { return out };
    let read: BTreeSet<&str> = declared
        .consumes
        .iter()
        .map(|c| c.message_type.as_str())
        .chain(declared.sends.iter().map(String::as_str))
        .collect();
    for (producer, message_type, file, enums) in published {
        if producer == context || !read.contains(message_type.as_str()) {
            continue;
        }
        for (pointer, names) in enums {
            let source = format!("the `enum` at {pointer} of {file} (`{message_type}`, published by {producer})");
            out.push(Vocabulary { source, names: names.clone() });
        }
    }
    out
}

fn drift(context: &str, list: &NameList, vocabularies: &[Vocabulary]) -> Option<Violation> {
    let names = set(&list.values);
    let part = PARTS.iter().any(|(c, item, _)| *c == context && *item == list.name);
    vocabularies.iter().find_map(|vocabulary| {
        let shared = shares(&names, &vocabulary.names);
        let copy = shared >= 2 && 2 * shared > vocabulary.names.len();
        let allowed = names == vocabulary.names || (part && names.is_subset(&vocabulary.names));
        (copy && !allowed).then(|| {
            Violation::at(RULE, list.file.clone(), list.line)
                .found(format!(
                    "{context} keeps its own list `{}`, a copy of {} that differs from it: {}",
                    list.name,
                    vocabulary.source,
                    difference(&names, &vocabulary.names)
                ))
                .why("a consumer's copy of a closed vocabulary refuses or drops what the producer sends the day either changes")
                .fix("take the names from the kernel's published-language format (kernel::formats) or match the producer's schema exactly; a deliberate part of a vocabulary goes in rule 15's PARTS, with its reason")
        })
    })
}

fn set(values: &[String]) -> BTreeSet<String> {
    values.iter().cloned().collect()
}

fn shares(a: &BTreeSet<String>, b: &BTreeSet<String>) -> usize {
    a.intersection(b).count()
}

/// `missing: a, b; extra: c`.
fn difference(list: &BTreeSet<String>, vocabulary: &BTreeSet<String>) -> String {
    let missing: Vec<&str> = vocabulary.difference(list).map(String::as_str).collect();
    let extra: Vec<&str> = list.difference(vocabulary).map(String::as_str).collect();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", missing.join(", ")));
    }
    if !extra.is_empty() {
        parts.push(format!("not in it {}", extra.join(", ")));
    }
    parts.join("; ")
}

/// The line of a committed JSON file where the first of `names` is spelled, else 0.
fn line_of_json(ws: &Workspace, file: &str, names: &BTreeSet<String>) -> usize {
    let Some(json) = ws.json_files.iter().find(|j| j.path == file) else { return 0 };
    let Some(first) = names.iter().next() else { return 0 };
    let quoted = format!("\"{first}\"");
    json.content.lines().position(|l| l.contains(&quoted)).map_or(0, |i| i + 1)
}
