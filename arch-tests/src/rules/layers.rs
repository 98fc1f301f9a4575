//! Rules on the modules inside a context (5, 6, 11).
//!
//! A context's layers are its top-level modules: `domain`, `application`, `ports` and
//! `published`; `lib.rs` (the crate root) wires them and may use them all.
//!
//! How they see: every path in non-test code (expressions, types, patterns, trait bounds,
//! `use` declarations, macro bodies), resolved through `use` declarations and re-exports, so
//! `use crate::domain;` then `domain::Customer`, `super::super::domain::Customer` and a
//! `crate::Customer` that lib.rs re-exports from `domain` are all seen as uses of `domain`.
//!
//! What they cannot see: paths that macros generate (a derive or `macro_rules!` expansion
//! that names another layer), names that only a glob import brings in (rule 11 forbids
//! cross-layer globs for that reason), and types that are only inferred (a value of a domain
//! type returned by an application function and passed on without naming its type). The
//! crate graph backs this up at the coarser grain: rule 2 keeps every other context out of
//! reach, so a leak can only be within the context's own crate.

use std::collections::BTreeSet;

use crate::code::{RefKind, Vis};
use crate::model::{Role, UnitKind, Workspace};
use crate::violation::{Rule, Violation};

/// The layers of a context, in the order of the rules.
pub const LAYERS: [&str; 4] = ["domain", "application", "ports", "published"];

fn allowed(from: &str) -> &'static [&'static str] {
    match from {
        "domain" => &["domain"],
        "application" => &["application", "domain", "ports", "published"],
        "ports" => &["ports", "domain", "published"],
        "published" => &["published"],
        _ => &[],
    }
}

fn why_layer(from: &str, to: &str) -> String {
    match from {
        "domain" => format!(
            "the domain is the core of the hexagon: it uses only the kernel and itself, so it stays pure and \
             testable alone; depending on `{to}` turns the dependency around"
        ),
        "published" => format!(
            "the published language is a contract other contexts decode: it uses only the kernel, so no domain or \
             application type leaks into it and the model can change without breaking consumers (it used `{to}`)"
        ),
        "ports" => format!(
            "ports describe what the context needs and offers; they must not depend on the application that uses \
             them (it used `{to}`)"
        ),
        _ => format!("`{from}` may use {} only", allowed(from).join(", ")),
    }
}

fn fix_layer(from: &str, to: &str) -> String {
    match (from, to) {
        ("published", "domain") => {
            "declare the message's own DTO type in `published` (plain fields, serde) and convert \
                                    from the domain type in `application`"
                .to_owned()
        }
        ("domain", "ports") => "have `application` call the port and pass what it returns into the domain as plain \
                                values (or as the command's data)"
            .to_owned(),
        ("domain", "published") => "map the domain onto the published DTOs in `application`; the domain does not \
                                    know its published language"
            .to_owned(),
        ("domain", _) => "`application` calls the domain, never the reverse: move what the domain needs into `domain` \
                          (or the kernel)"
            .to_owned(),
        _ => format!("move the shared piece into a layer both may use, or invert the dependency (it used `{to}`)"),
    }
}

/// Context lib modules whose code the layer rules read.
fn context_lib_module(ws: &Workspace, module: usize) -> bool {
    let code = &ws.code;
    let unit = code.unit_of(module);
    unit.kind == UnitKind::Lib && ws.package(&unit.package).is_some_and(|p| matches!(p.role, Role::Context(_)))
}

/// Rule 5: hexagonal layering inside each context.
pub fn hexagonal_layers(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::HexagonalLayers;
    let code = &ws.code;
    let mut out = Vec::new();
    for (i, m) in code.modules.iter().enumerate() {
        if m.path.len() == 1 && !m.test && context_lib_module(ws, i) && !LAYERS.contains(&m.path[0].as_str()) {
            out.push(
                Violation::at(rule, m.decl_file.clone(), m.decl_line)
                    .found(format!("the module `{}` belongs to no layer", code.module_name(i)))
                    .why(
                        "a context's code lives in its layers (domain, application, ports, published) so the layering \
                         rules can say what may use what; a module beside them escapes them",
                    )
                    .fix(format!(
                        "move `{}` under the layer it belongs to (e.g. `domain::{}`), or into lib.rs if it is wiring",
                        m.path[0], m.path[0]
                    )),
            );
        }
    }
    let mut seen = BTreeSet::new();
    for r in &code.paths {
        if r.test || !context_lib_module(ws, r.module) {
            continue;
        }
        let Some(from) = code.modules[r.module].layer() else { continue };
        let Some(to) = r.target_layer() else { continue };
        let is_module = code.module_at(code.modules[r.module].unit, &[to.to_owned()]).is_some();
        if !is_module || from == to {
            continue;
        }
        // A module outside the layers is reported once, above.
        if !LAYERS.contains(&from)
            || allowed(from).contains(&to)
            || !seen.insert((r.file.clone(), r.line, to.to_owned()))
        {
            continue;
        }
        out.push(
            Violation::at(rule, r.file.clone(), r.line)
                .found(format!("`{}` uses `{to}`: {}", code.module_name(r.module), r.display()))
                .why(why_layer(from, to))
                .fix(fix_layer(from, to)),
        );
    }
    out
}

/// Rule 6: a context's public surface is its registration with the runtime (lib.rs and
/// the `BoundedContext` type), its published language and its ports: `domain` is not
/// public, no other public item is reachable outside `published` and `ports`, and nothing
/// re-exports the domain's aggregates, commands or events (or a whole domain module)
/// publicly (ports may re-export the value types their signatures use: ids, errors).
///
/// Cannot see: a public function or type alias in lib.rs, `published` or `ports` whose
/// *signature* names a domain type (rule 5 forbids `published` from naming one at all);
/// public methods of the registration type (methods are not module items); items made
/// public by macros. The crate graph backs it up: whatever a context makes public, no
/// other context can use (rule 2), so a leak can reach only the runtime and tests.
pub fn domain_is_private(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::DomainIsPrivate;
    let code = &ws.code;
    let mut out = Vec::new();
    let reachable = |module: usize| {
        let m = &code.modules[module];
        (1..=m.path.len())
            .all(|n| code.module_at(m.unit, &m.path[..n]).is_some_and(|k| code.modules[k].vis == Vis::Public))
    };
    for (i, m) in code.modules.iter().enumerate() {
        if m.path != ["domain"] || m.test || !context_lib_module(ws, i) || m.vis != Vis::Public {
            continue;
        }
        out.push(
            Violation::at(rule, m.decl_file.clone(), m.decl_line)
                .found(format!("`pub mod domain` in `{}`", code.package_of(i)))
                .why(
                    "the domain model is the context's own business: once public, other code (the runtime, tests of \
                     other crates, later a second context) can bind to it and the model can no longer change freely",
                )
                .fix(
                    "declare it `mod domain;`; expose what others need as published messages, ports or a query answer",
                ),
        );
    }
    // Beyond lib.rs, `published` and `ports`, the only public item is the registration: the
    // type implementing `BoundedContext` (an `application` module may be public for it).
    let registrations: BTreeSet<(&str, &str)> = code
        .impls
        .iter()
        .filter(|i| !i.test && i.trait_name() == Some("BoundedContext"))
        .map(|i| (code.package_of(i.module), i.self_name.as_str()))
        .collect();
    let surface = |module: usize| {
        let m = &code.modules[module];
        context_lib_module(ws, module)
            && !m.test
            && !matches!(m.layer(), None | Some("published" | "ports" | "domain"))
            && reachable(module)
    };
    for item in &code.items {
        if item.test || item.vis != Vis::Public || !surface(item.module) {
            continue;
        }
        if registrations.contains(&(code.package_of(item.module), item.name.as_str())) {
            continue;
        }
        out.push(
            Violation::at(rule, item.file.clone(), item.line)
                .found(format!("the {} `{}::{}` is public", item.kind, code.module_name(item.module), item.name))
                .why(
                    "a context's public surface is its registration with the runtime (the `BoundedContext` type and \
                     `CONTEXT`), its published language and its ports; anything else made public (handlers, \
                     policies, helpers) becomes an API others can bind to",
                )
                .fix(format!(
                    "make it `pub(crate)` (or private); if callers need it, it belongs in `ports` (commands, queries, \
                     answers) or `published` (messages), not in `{}`",
                    code.modules[item.module].layer().unwrap_or_default()
                )),
        );
    }
    // Public re-exports of the model's behaviour (aggregates, their commands and events) or
    // of whole domain modules, from a module other crates can reach. Ports may re-export the
    // domain's value types their signatures use (ids, errors), so callers can name them.
    let behaviour = model_types(ws);
    for r in &code.paths {
        let RefKind::Use { vis: Vis::Public, glob } = r.kind else { continue };
        if r.test || !context_lib_module(ws, r.module) || r.target_layer() != Some("domain") {
            continue;
        }
        let m = &code.modules[r.module];
        if !reachable(r.module) || m.layer() == Some("domain") {
            continue;
        }
        let package = code.package_of(r.module);
        let item = r.resolved.last().map(String::as_str).unwrap_or_default();
        let what = match behaviour.get(package).and_then(|b| b.get(item)) {
            _ if glob => "every item of a domain module".to_owned(),
            Some(kind) => format!("the {kind} `{item}`"),
            None => continue,
        };
        out.push(
            Violation::at(rule, r.file.clone(), r.line)
                .found(format!("`{}` publicly re-exports {what}: {}", code.module_name(r.module), r.display()))
                .why(
                    "a public re-export makes the domain model part of the context's public surface: other crates can \
                     then build, hold or match on it, and the model can no longer change freely",
                )
                .fix(
                    "drop the `pub` (a private `use` is fine); other crates get a published DTO, a query port answer, \
                     or a command type declared in `ports`; only value types a port's signatures need (ids, errors) \
                     may be re-exported by name",
                ),
        );
    }
    out
}

/// The model's behaviour in each context: aggregate roots and their command and event types
/// (package -> type name -> what it is).
fn model_types(ws: &Workspace) -> std::collections::BTreeMap<String, std::collections::BTreeMap<String, &'static str>> {
    let code = &ws.code;
    let mut out: std::collections::BTreeMap<String, std::collections::BTreeMap<String, &'static str>> =
        Default::default();
    for i in &code.impls {
        if i.test {
            continue;
        }
        let entry = out.entry(code.package_of(i.module).to_owned()).or_default();
        match i.trait_name() {
            Some("Aggregate") => {
                entry.insert(i.self_name.clone(), "aggregate");
                for a in &i.assoc {
                    match a.name.as_str() {
                        "Command" => entry.insert(a.type_name.clone(), "command type"),
                        "Event" => entry.insert(a.type_name.clone(), "event type"),
                        _ => None,
                    };
                }
            }
            Some("DomainEvent") => {
                entry.insert(i.self_name.clone(), "event type");
            }
            _ => {}
        }
    }
    out
}

/// Rule 11: no glob import across layers, no `#[path]`, no `include!` in the kernel or a
/// context (in test code too, for `#[path]` and `include!`).
///
/// Cannot see: a `#[path]` or `include!` that a macro expands to. These are the constructs
/// that would blind the other source rules; the crate graph has no counterpart to them.
pub fn code_stays_analysable(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::CodeStaysAnalysable;
    let code = &ws.code;
    let pure = |module: usize| {
        ws.package(code.package_of(module)).is_some_and(|p| matches!(p.role, Role::Kernel | Role::Context(_)))
    };
    let mut out = Vec::new();
    for a in code.attrs.iter().filter(|a| a.name == "path" && pure(a.module)) {
        out.push(
            Violation::at(rule, a.file.clone(), a.line)
                .found(format!("a `#[path]` attribute in `{}`", code.module_name(a.module)))
                .why(
                    "`#[path]` breaks the mapping from files to modules that readers, tools and these rules rely on: \
                     the layer of a file is no longer its directory",
                )
                .fix(
                    "move the file to where its module path says (`a/b.rs` for `mod b` in `a`) and drop the attribute",
                ),
        );
    }
    for m in code.macros.iter().filter(|m| pure(m.module)) {
        if m.name() == "include" && (m.path.len() == 1 || m.path[0] == "std" || m.path[0] == "core") {
            out.push(
                Violation::at(rule, m.file.clone(), m.line)
                    .found(format!("`include!` in `{}`", code.module_name(m.module)))
                    .why("`include!` pastes code no module declares, so no rule and no reader sees where it belongs")
                    .fix(
                        "make it a module (`mod x;`); for data, `include_str!` of a committed file (schemas, \
                          examples) is fine",
                    ),
            );
        }
    }
    for r in &code.paths {
        let RefKind::Use { glob: true, .. } = r.kind else { continue };
        if r.test || !context_lib_module(ws, r.module) {
            continue;
        }
        let Some(to) = r.target_layer() else { continue };
        let from = code.modules[r.module].layer();
        if from == Some(to) {
            continue;
        }
        out.push(
            Violation::at(rule, r.file.clone(), r.line)
                .found(format!(
                    "`use {}::*` in `{}`, importing every item of another layer",
                    r.resolved.join("::"),
                    code.module_name(r.module)
                ))
                .why(
                    "a glob import hides which items cross the layer boundary, from readers and from the layering \
                     rules (names it brings in cannot be resolved)",
                )
                .fix("name the items: `use crate::<layer>::{A, B};`"),
        );
    }
    out
}
