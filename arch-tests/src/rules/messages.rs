//! Rule 9: messages match up, at the level of the messages themselves (the hosted
//! contexts' descriptors, not their code):
//!
//! - every consumed type is published by exactly one hosted context, with the same kind;
//! - a context never subscribes through the bus to its own (non-command) messages;
//! - a command belongs to its recipient's published language: the context that declares it
//!   (kind `Command`) handles it and no other context consumes it; every type a context
//!   `sends` is a command another hosted context declares;
//! - every published type has a schema (valid JSON) and at least one example, both
//!   committed as files under the context's directory, and every example matches the schema;
//! - every consumer's decoder (its tolerant reader) decodes every example of what it
//!   consumes;
//! - within a context, published types and handler ids are unique.
//!
//! The schema check covers the common subset of JSON Schema (see
//! [`crate::messages::check_schema`]).

use std::collections::{BTreeMap, BTreeSet};

use kernel::MessageKind;
use serde_json::Value;

use crate::messages::{ContextMessages, Published};
use crate::model::Workspace;
use crate::rules::locate_string;
use crate::violation::{Rule, Violation};

fn committed<'a>(ws: &'a Workspace, context: &str, content: &str) -> Option<&'a str> {
    let dir = format!("contexts/{context}/");
    ws.json_files
        .iter()
        .find(|f| f.path.starts_with(&dir) && f.content.trim() == content.trim())
        .map(|f| f.path.as_str())
}

pub fn messages_match_up(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::MessagesMatchUp;
    let mut out = Vec::new();
    let mut producers: BTreeMap<String, Vec<(&ContextMessages, &Published)>> = BTreeMap::new();
    for c in &ws.messages {
        for p in &c.publishes {
            producers.entry(p.message_type(&c.name)).or_default().push((c, p));
        }
    }
    let consumers_of = |message_type: &str| -> Vec<&str> {
        ws.messages
            .iter()
            .filter(|c| c.consumes.iter().any(|s| s.message_type == message_type))
            .map(|c| c.name.as_str())
            .collect()
    };
    let hosted: BTreeSet<&str> = ws.messages.iter().map(|c| c.name.as_str()).collect();

    for c in &ws.messages {
        let mut names = BTreeSet::new();
        for p in &c.publishes {
            let message_type = p.message_type(&c.name);
            let (file, line) = locate_string(ws, &c.name, &p.name);
            let at = |found: String, why: &str, fix: String| {
                Violation::at(rule, file.clone(), line).found(found).why(why).fix(fix)
            };
            if !names.insert(message_type.clone()) {
                out.push(at(
                    format!("`{}` declares `{message_type}` twice", c.name),
                    "a message type is routed, versioned and documented once",
                    "remove the duplicate declaration (a new shape is a new version: `v2` beside `v1`)".into(),
                ));
            }
            // Schema.
            let schema: Option<Value> = if p.schema.trim().is_empty() {
                out.push(at(
                    format!("`{message_type}` has no schema"),
                    "consumers in other contexts (and later other processes) rely on a written contract for the payload",
                    format!(
                        "commit a JSON schema as contexts/{}/schemas/{}.v{}.json and embed it with `include_str!`",
                        c.name, p.name, p.version
                    ),
                ));
                None
            } else {
                match serde_json::from_str::<Value>(&p.schema) {
                    Ok(v) if v.is_object() => {
                        if committed(ws, &c.name, &p.schema).is_none() {
                            out.push(at(
                                format!(
                                    "the schema of `{message_type}` is not a file committed under contexts/{}/",
                                    c.name
                                ),
                                "schemas are committed beside the code, so they are reviewed, diffed and published as \
                                 documents, and the code embeds exactly what is committed",
                                format!(
                                    "move it to contexts/{}/schemas/{}.v{}.json and embed it with `include_str!`",
                                    c.name, p.name, p.version
                                ),
                            ));
                        }
                        Some(v)
                    }
                    Ok(_) => {
                        out.push(at(
                            format!("the schema of `{message_type}` is not a JSON object"),
                            "a JSON schema is an object (`{\"type\": \"object\", ...}`)",
                            "fix the schema file".into(),
                        ));
                        None
                    }
                    Err(e) => {
                        out.push(at(
                            format!("the schema of `{message_type}` is not valid JSON: {e}"),
                            "a schema nobody can parse documents nothing",
                            "fix the schema file".into(),
                        ));
                        None
                    }
                }
            };
            // Examples.
            if p.examples.is_empty() {
                out.push(at(
                    format!("`{message_type}` has no example payload"),
                    "examples are what every consumer's decoder is tested against, and what readers learn the message \
                     from",
                    format!(
                        "commit at least one payload as contexts/{}/examples/{}.v{}/<case>.json and list it in \
                         `examples` with `include_str!`",
                        c.name, p.name, p.version
                    ),
                ));
            }
            for (i, example) in p.examples.iter().enumerate() {
                let n = match committed(ws, &c.name, example) {
                    Some(path) => format!("`{path}`"),
                    None => format!("{}", i + 1),
                };
                let value = match serde_json::from_str::<Value>(example) {
                    Ok(v) => v,
                    Err(e) => {
                        out.push(at(
                            format!("example {n} of `{message_type}` is not valid JSON: {e}"),
                            "every published message is JSON",
                            "fix the example file".into(),
                        ));
                        continue;
                    }
                };
                if committed(ws, &c.name, example).is_none() {
                    out.push(at(
                        format!("example {n} of `{message_type}` is not a file committed under contexts/{}/", c.name),
                        "examples are committed beside the code, so they are reviewed and diffed as documents",
                        format!(
                            "move it to contexts/{}/examples/{}.v{}/<case>.json and embed it with `include_str!`",
                            c.name, p.name, p.version
                        ),
                    ));
                }
                if let Some(schema) = &schema {
                    if let Err(e) = crate::messages::check_schema(schema, &value) {
                        out.push(at(
                            format!("example {n} of `{message_type}` does not match its schema: {e}"),
                            "the schema and the examples document the same contract; one of them is wrong",
                            "correct the example or the schema".into(),
                        ));
                    }
                }
            }
            // A command belongs to its recipient's published language: the recipient handles it.
            if p.kind == MessageKind::Command && !consumers_of(&message_type).contains(&c.name.as_str()) {
                out.push(at(
                    format!("`{}` declares the command `{message_type}` but has no handler for it", c.name),
                    "a context declares in its published language the commands it accepts; one it does not handle \
                     is lost",
                    format!("add a subscription for `{message_type}` to `{}`'s `consumes`", c.name),
                ));
            }
        }

        // Commands sent to other contexts.
        for sent in &c.sends {
            let (file, line) = locate_string(ws, &c.name, sent);
            let at = |found: String, why: &str, fix: String| {
                Violation::at(rule, file.clone(), line).found(found).why(why).fix(fix)
            };
            match producers.get(sent).map(Vec::as_slice).unwrap_or_default() {
                [] => out.push(at(
                    format!("`{}` sends `{sent}`, which no hosted context accepts", c.name),
                    "a command nobody accepts is lost",
                    "send a command the recipient declares in its published language (kind `Command`), or host the \
                     recipient in `bookbox::contexts::descriptors()`"
                        .into(),
                )),
                [(owner, published)] if published.kind != MessageKind::Command => out.push(at(
                    format!("`{}` sends `{sent}`, which `{}` publishes as {}", c.name, owner.name, published.kind),
                    "only commands are sent to a context; other messages are published by their owner",
                    "subscribe to it instead, or send one of the recipient's commands".into(),
                )),
                [(owner, _)] if owner.name == c.name => out.push(at(
                    format!("`{}` sends its own command `{sent}` to itself", c.name),
                    "a context acts on itself inside its own unit of work, not through the bus",
                    "call the application's handler directly".into(),
                )),
                _ => {}
            }
        }
        let mut handlers = BTreeSet::new();
        for s in &c.consumes {
            let (file, line) = locate_string(ws, &c.name, &s.handler_id);
            let at = |found: String, why: &str, fix: String| {
                Violation::at(rule, file.clone(), line).found(found).why(why).fix(fix)
            };
            if !handlers.insert(s.handler_id.as_str()) {
                out.push(at(
                    format!("`{}` has two handlers with the id `{}`", c.name, s.handler_id),
                    "the inbox records processed messages per handler id; two handlers sharing one would each see the \
                     other's messages as already processed",
                    "give each handler its own stable id".into(),
                ));
            }
            let found = producers.get(&s.message_type).map(Vec::as_slice).unwrap_or_default();
            let (producer, published) = match found {
                [] => {
                    let hint = match s.message_type.split('.').nth(1) {
                        Some(owner) if !hosted.contains(owner) => {
                            format!("`{owner}` is not hosted: add it to `bookbox::contexts::descriptors()`")
                        }
                        _ => "check the type (`bookbox.<context>.<message>.v<N>`) against the producer's descriptor"
                            .to_owned(),
                    };
                    out.push(at(
                        format!("`{}` consumes `{}`, which no hosted context publishes", c.name, s.message_type),
                        "a subscription to a message nobody publishes never fires: the feature it serves silently \
                         does nothing",
                        hint,
                    ));
                    continue;
                }
                [(producer, published)] => (producer, published),
                many => {
                    let names: Vec<&str> = many.iter().map(|(c, _)| c.name.as_str()).collect();
                    out.push(at(
                        format!("`{}` is published by several contexts: {}", s.message_type, names.join(", ")),
                        "every message type has one owner",
                        "give each context its own name".into(),
                    ));
                    continue;
                }
            };
            if s.kind != published.kind {
                out.push(at(
                    format!(
                        "`{}` consumes `{}` as {}, but `{}` publishes it as {}",
                        c.name, s.message_type, s.kind, producer.name, published.kind
                    ),
                    "the kind says what the consumer may do with the message (keep a replica of state transfer, look \
                     up a notification's link, take a domain event's facts); a mismatch means the consumer relies on \
                     something the producer does not promise",
                    format!("declare the subscription with kind `{}` and handle it accordingly", published.kind),
                ));
            }
            if published.kind == MessageKind::Command {
                if producer.name != c.name {
                    out.push(at(
                        format!(
                            "`{}` consumes the command `{}`, which `{}` accepts",
                            c.name, s.message_type, producer.name
                        ),
                        "a command is handled by its recipient alone (the context that declares it); anyone else \
                         reacts to the events that answer it",
                        format!(
                            "to ask `{}` for it, list the type in `sends`; to react, subscribe to the events `{}` \
                             publishes in answer",
                            producer.name, producer.name
                        ),
                    ));
                }
            } else if producer.name == c.name {
                out.push(at(
                    format!("`{}` subscribes to its own message `{}` through the bus", c.name, s.message_type),
                    "a context reacts to its own events inside itself (a policy in `application`, in the same unit of \
                     work), not through a bus round trip that adds latency, retries and a second commit",
                    "remove the subscription and call the policy where the event is produced".into(),
                ));
            }
            for (i, example) in published.examples.iter().enumerate() {
                if let Err(e) = s.decoder.decode(example) {
                    let n = match committed(ws, &producer.name, example) {
                        Some(path) => format!("`{path}`"),
                        None => format!("{}", i + 1),
                    };
                    out.push(at(
                        format!(
                            "`{}`'s handler `{}` cannot decode example {n} of `{}`: {e}",
                            c.name, s.handler_id, s.message_type
                        ),
                        "the consumer would fail on a message its producer may send",
                        "make the consumer's reader tolerant (require only the fields it uses, ignore unknown ones), \
                         or fix the example if the producer never sends that"
                            .into(),
                    ));
                }
            }
        }
    }
    out
}
