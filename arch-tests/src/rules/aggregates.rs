//! Rule 7: an aggregate refers to another aggregate only by id: no field of an aggregate
//! root's type holds another aggregate root, directly or inside `Vec`, `Option`, maps,
//! tuples, arrays or the context's own structs and enums.
//!
//! How it sees: aggregate roots are the types with `impl Aggregate for X` in a context's
//! non-test code; a field's type is read as every identifier it names, and the context's
//! own types are followed transitively, so `lines: Vec<Line>` where `Line` holds an `Order`
//! is caught.
//!
//! What it cannot see: a type alias or a generic parameter that stands for an aggregate
//! (`type Owner = Customer;`, `Holder<T>` instantiated with an aggregate), fields added by
//! macros, and `impl Aggregate` written by a macro. Types are matched by name within the
//! context's crate. The crate graph backs it up across contexts: rule 2 makes another
//! context's aggregates unreachable, so only the context's own aggregates can be held.

use std::collections::{BTreeMap, BTreeSet};

use crate::code::{Field, TypeDef, TypeKind};
use crate::model::{Role, UnitKind, Workspace};
use crate::violation::{Rule, Violation};

/// The aggregate roots of each context crate: package name -> type names.
pub fn aggregate_roots(ws: &Workspace) -> BTreeMap<String, BTreeSet<String>> {
    let code = &ws.code;
    let mut roots: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in &code.impls {
        if i.test || i.trait_name() != Some("Aggregate") || code.unit_of(i.module).kind != UnitKind::Lib {
            continue;
        }
        let package = code.package_of(i.module);
        if ws.package(package).is_some_and(|p| matches!(p.role, Role::Context(_))) {
            roots.entry(package.to_owned()).or_default().insert(i.self_name.clone());
        }
    }
    roots
}

fn fields(t: &TypeDef) -> Vec<&Field> {
    t.fields.iter().chain(t.variants.iter().flat_map(|v| &v.fields)).collect()
}

/// The first aggregate (other than `owner`) reachable from type `name`, with the chain of
/// types leading to it.
fn reaches(
    name: &str,
    owner: &str,
    roots: &BTreeSet<String>,
    types: &BTreeMap<&str, Vec<&TypeDef>>,
    visited: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if name != owner && roots.contains(name) {
        return Some(vec![name.to_owned()]);
    }
    if name == owner || !visited.insert(name.to_owned()) {
        return None;
    }
    for t in types.get(name).into_iter().flatten() {
        for f in fields(t) {
            for inner in &f.type_names {
                if let Some(mut chain) = reaches(inner, owner, roots, types, visited) {
                    chain.insert(0, name.to_owned());
                    return Some(chain);
                }
            }
        }
    }
    None
}

pub fn aggregates_refer_by_id_only(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::AggregatesReferByIdOnly;
    let code = &ws.code;
    let mut out = Vec::new();
    for (package, roots) in aggregate_roots(ws) {
        // The types an aggregate can hold are those of its own layer (the domain: rule 5 keeps
        // the other layers out of its reach), so a DTO of the same name elsewhere is no match.
        let layers: BTreeSet<Option<&str>> = code
            .types
            .iter()
            .filter(|t| roots.contains(&t.name) && code.package_of(t.module) == package)
            .map(|t| code.modules[t.module].layer())
            .collect();
        let mut types: BTreeMap<&str, Vec<&TypeDef>> = BTreeMap::new();
        for t in &code.types {
            if !t.test
                && t.kind != TypeKind::Trait
                && code.package_of(t.module) == package
                && layers.contains(&code.modules[t.module].layer())
            {
                types.entry(t.name.as_str()).or_default().push(t);
            }
        }
        for root in &roots {
            for t in types.get(root.as_str()).into_iter().flatten() {
                for f in fields(t) {
                    let mut visited = BTreeSet::new();
                    let Some(chain) = f.type_names.iter().find_map(|n| reaches(n, root, &roots, &types, &mut visited))
                    else {
                        continue;
                    };
                    let held = chain.last().cloned().unwrap_or_default();
                    let through = if chain.len() > 1 {
                        format!(" (through {})", chain[..chain.len() - 1].join(" -> "))
                    } else {
                        String::new()
                    };
                    out.push(
                        Violation::at(rule, t.file.clone(), f.line)
                            .found(format!(
                                "the aggregate `{root}` has the field `{}: {}`, which holds the aggregate `{held}`{through}",
                                f.name, f.type_text
                            ))
                            .why(
                                "an aggregate is a consistency boundary loaded, changed and stored alone; holding \
                                 another aggregate means one command changes two (or decides on a stale copy) and \
                                 their event streams drift apart",
                            )
                            .fix(format!(
                                "hold `{held}`'s id instead (e.g. `{held}Id`), and get what the decision needs through \
                                 the command, a policy reacting to `{held}`'s events, or a value-object copy of the \
                                 few fields it uses"
                            )),
                    );
                }
            }
        }
    }
    out
}
