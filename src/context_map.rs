//! The context map, drawn from the hosted contexts' descriptors: a Markdown page with a
//! Mermaid flowchart (contexts as nodes; published messages, commands and declared upstream
//! relationships as edges) and tables of the same facts.
//!
//! The binary prints it (`bookbox map`) and the architecture tests keep the committed copy,
//! `docs/context-map.md`, up to date. It depends on the kernel's descriptor types alone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use kernel::context::{ContextDescriptor, PublishedMessage};
use kernel::MessageKind;

/// The command that regenerates `docs/context-map.md`.
pub const REGENERATE: &str = "UPDATE_CONTEXT_MAP=1 cargo test -p arch-tests --test context_map";

const RESERVED: &[&str] = &["end", "graph", "flowchart", "subgraph", "style", "class", "classDef", "click", "default"];

fn node_id(name: &str) -> String {
    let id: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    if RESERVED.contains(&id.as_str()) || id.is_empty() {
        format!("ctx_{id}")
    } else {
        id
    }
}

fn text(s: &str) -> String {
    s.replace('"', "#quot;").replace('<', "#lt;").replace('>', "#gt;")
}

pub fn kind_label(kind: MessageKind) -> &'static str {
    match kind {
        MessageKind::Notification => "notification",
        MessageKind::StateTransfer => "state transfer",
        MessageKind::DomainEvent => "domain event",
        MessageKind::Command => "command",
    }
}

fn message_label(m: &PublishedMessage) -> String {
    format!("{} v{} · {}", m.name, m.version, kind_label(m.kind))
}

#[derive(PartialEq, Eq, PartialOrd, Ord, Clone, Copy)]
enum Style {
    Message,
    Command,
    Relationship,
}

/// The context map of `contexts` as a Markdown document.
pub fn render(contexts: &[&ContextDescriptor]) -> String {
    // Who owns each message type.
    let mut owners: BTreeMap<String, (&ContextDescriptor, &PublishedMessage)> = BTreeMap::new();
    for c in contexts {
        for m in c.publishes {
            owners.entry(m.message_type(c.name)).or_insert((c, m));
        }
    }
    const NOWHERE: &str = "unpublished";
    // (from, to, style) -> labels
    let mut edges: BTreeMap<(usize, usize, Style), Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = vec!["kernel".to_owned()];
    order.extend(contexts.iter().map(|c| c.name.to_owned()));
    let index = |name: &str, order: &mut Vec<String>| match order.iter().position(|n| n == name) {
        Some(i) => i,
        None => {
            order.push(name.to_owned());
            order.len() - 1
        }
    };
    for c in contexts {
        let to = index(c.name, &mut order);
        for s in c.consumes {
            match owners.get(s.message_type) {
                Some((owner, m)) if m.kind != MessageKind::Command => {
                    let from = index(owner.name, &mut order);
                    edges.entry((from, to, Style::Message)).or_default().push(message_label(m));
                }
                Some(_) => {} // a command the context accepts: drawn from its senders
                None => {
                    let from = index(NOWHERE, &mut order);
                    let label = format!("{} · {}", s.message_type, kind_label(s.kind));
                    edges.entry((from, to, Style::Message)).or_default().push(label);
                }
            }
        }
        let from = index(c.name, &mut order);
        for sent in c.sends {
            match owners.get(*sent) {
                Some((owner, m)) => {
                    let to = index(owner.name, &mut order);
                    edges.entry((from, to, Style::Command)).or_default().push(message_label(m));
                }
                None => {
                    let to = index(NOWHERE, &mut order);
                    edges.entry((from, to, Style::Command)).or_default().push(format!("{sent} · command"));
                }
            }
        }
        for u in c.upstreams {
            let from = index(u.context, &mut order);
            edges.entry((from, to, Style::Relationship)).or_default().push(u.relationship.label().to_owned());
        }
    }

    let mut out = String::new();
    out.push_str("# Context map\n\n");
    let _ = writeln!(
        out,
        "<!-- Generated from the hosted contexts' descriptors (`bookbox::contexts::descriptors()`) by \
         `bookbox::context_map::render` (also `bookbox map`); do not edit. Regenerate with: {REGENERATE} -->\n"
    );
    out.push_str(
        "Drawn from the code: each hosted context's descriptor (`CONTEXT` in `contexts/<name>/src/lib.rs`). \
         Solid arrows carry published messages from their owner to each consumer, dotted arrows commands from a \
         sender to the context that accepts them, thick arrows the relationship a downstream context declares to \
         its upstream; a context lists the commands it accepts that no hosted context sends yet. Every context \
         builds on the shared kernel.\n\n",
    );
    if contexts.is_empty() {
        out.push_str("No context is hosted yet.\n\n");
    }
    out.push_str("```mermaid\nflowchart LR\n");
    for (i, name) in order.iter().enumerate() {
        let id = node_id(name);
        let line = if i == 0 {
            format!("    {id}[[\"kernel<br/><small>shared kernel</small>\"]]")
        } else if name == NOWHERE {
            format!("    {id}{{{{\"published by no hosted context\"}}}}")
        } else if let Some(c) = contexts.iter().find(|c| c.name == name) {
            // Commands it accepts that no hosted context sends yet would have no edge.
            let unsent: Vec<String> = c
                .publishes
                .iter()
                .filter(|m| m.kind == MessageKind::Command)
                .filter(|m| !contexts.iter().any(|s| s.sends.contains(&m.message_type(c.name).as_str())))
                .map(|m| format!("{} v{}", m.name, m.version))
                .collect();
            let accepts = if unsent.is_empty() {
                String::new()
            } else {
                format!("<br/><small>accepts: {}</small>", text(&unsent.join(", ")))
            };
            format!("    {id}[\"<b>{}</b>{accepts}\"]", text(c.name))
        } else {
            format!("    {id}([\"{} (not hosted)\"])", text(name))
        };
        out.push_str(&line);
        out.push('\n');
    }
    for ((from, to, style), labels) in &edges {
        let arrow = match style {
            Style::Message => "-->",
            Style::Command => "-.->",
            Style::Relationship => "==>",
        };
        let label = labels.iter().map(|l| text(l)).collect::<Vec<_>>().join("<br/>");
        let _ = writeln!(out, "    {} {arrow}|\"{label}\"| {}", node_id(&order[*from]), node_id(&order[*to]));
    }
    out.push_str("```\n");

    if !contexts.is_empty() {
        out.push_str("\n## Contexts\n\n| context | purpose | upstreams |\n|---|---|---|\n");
        for c in contexts {
            let upstreams: Vec<String> =
                c.upstreams.iter().map(|u| format!("{} ({})", u.context, u.relationship.label())).collect();
            let _ = writeln!(out, "| {} | {} | {} |", c.name, cell(c.purpose), dash(&upstreams.join(", ")));
        }
        out.push_str(
            "\n## Messages\n\n| type | kind | owner | consumed by | sent by | personal data |\n|---|---|---|---|---|---|\n",
        );
        for (message_type, (owner, m)) in &owners {
            let consumers: Vec<&str> = contexts
                .iter()
                .filter(|c| c.consumes.iter().any(|s| s.message_type == message_type))
                .map(|c| c.name)
                .collect();
            let senders: Vec<&str> =
                contexts.iter().filter(|c| c.sends.contains(&message_type.as_str())).map(|c| c.name).collect();
            let _ = writeln!(
                out,
                "| `{message_type}` | {} | {} | {} | {} | {} |",
                kind_label(m.kind),
                owner.name,
                dash(&consumers.join(", ")),
                dash(&senders.join(", ")),
                dash(&m.personal_data.join(", "))
            );
        }
    }
    out
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn dash(s: &str) -> String {
    if s.is_empty() {
        "—".to_owned()
    } else {
        cell(s)
    }
}

#[cfg(test)]
mod tests {
    use kernel::context::{Relationship, Subscription, Upstream};

    use super::*;

    fn ok(_: &serde_json::value::RawValue) -> Result<(), String> {
        Ok(())
    }

    static PROFILE: PublishedMessage = PublishedMessage {
        name: "customer-profile",
        kind: MessageKind::StateTransfer,
        version: 1,
        schema: "{}",
        examples: &["{}"],
        personal_data: &["name", "email"],
    };
    static RESERVE: PublishedMessage = PublishedMessage {
        name: "reserve-stock",
        kind: MessageKind::Command,
        version: 1,
        schema: "{}",
        examples: &["{}"],
        personal_data: &[],
    };
    static CUSTOMERS: ContextDescriptor = ContextDescriptor {
        name: "customers",
        purpose: "profiles",
        publishes: &[&PROFILE],
        consumes: &[],
        sends: &[],
        upstreams: &[],
    };
    static INVENTORY: ContextDescriptor = ContextDescriptor {
        name: "inventory",
        purpose: "stock",
        publishes: &[&RESERVE],
        consumes: &[Subscription {
            handler_id: "inventory.reserve",
            message_type: "bookbox.inventory.reserve-stock.v1",
            kind: MessageKind::Command,
            decode: ok,
        }],
        sends: &[],
        upstreams: &[],
    };
    static CURATION: ContextDescriptor = ContextDescriptor {
        name: "curation",
        purpose: "picks the books",
        publishes: &[],
        consumes: &[Subscription {
            handler_id: "curation.profiles",
            message_type: "bookbox.customers.customer-profile.v1",
            kind: MessageKind::StateTransfer,
            decode: ok,
        }],
        sends: &["bookbox.inventory.reserve-stock.v1"],
        upstreams: &[Upstream { context: "customers", relationship: Relationship::Conformist }],
    };

    #[test]
    fn an_empty_map_is_still_a_valid_flowchart() {
        let map = render(&[]);
        assert!(
            map.contains("```mermaid\nflowchart LR\n    kernel[[\"kernel<br/><small>shared kernel</small>\"]]\n```")
        );
        assert!(map.contains("No context is hosted yet."));
    }

    #[test]
    fn messages_commands_and_relationships_become_edges() {
        let map = render(&[&CUSTOMERS, &INVENTORY, &CURATION]);
        assert!(map.contains("    customers -->|\"customer-profile v1 · state transfer\"| curation\n"), "{map}");
        assert!(map.contains("    curation -.->|\"reserve-stock v1 · command\"| inventory\n"), "{map}");
        assert!(map.contains("    inventory[\"<b>inventory</b>\"]\n"), "{map}");
        assert!(render(&[&INVENTORY])
            .contains("inventory[\"<b>inventory</b><br/><small>accepts: reserve-stock v1</small>\"]"));
        assert!(map.contains("    customers ==>|\"conformist\"| curation\n"), "{map}");
        assert!(
            map.contains("| `bookbox.inventory.reserve-stock.v1` | command | inventory | inventory | curation | — |")
        );
    }
}
