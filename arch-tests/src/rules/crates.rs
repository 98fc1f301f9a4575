//! Rules on the crate graph (1, 2, 3, 12): they read manifests and `Cargo.lock`, not code,
//! so macros, inferred types and re-exports cannot hide anything from them.

use std::collections::BTreeMap;

use crate::model::{DepKind, Package, Role, Workspace};
use crate::rules::KNOWN_CONTEXTS;
use crate::violation::{Rule, Violation};

/// Rule 1: every directory under `contexts/` is a workspace member and a known context (or
/// the kernel), named after its directory; every hosted descriptor names such a context.
pub fn contexts_are_known_members(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::ContextsAreKnownMembers;
    let known = || format!("kernel, {}", KNOWN_CONTEXTS.join(", "));
    let mut out = Vec::new();
    for dir in &ws.context_dirs {
        let manifest = format!("{}/Cargo.toml", dir.path);
        let Some(package) = ws.package_at(&dir.path) else {
            let (file, found) = if dir.has_manifest {
                (manifest.clone(), format!("`{}` has a Cargo.toml but is not a workspace member", dir.path))
            } else {
                (dir.path.clone(), format!("`{}` is a directory without a Cargo.toml", dir.path))
            };
            out.push(
                Violation::at(rule, file, 0)
                    .found(found)
                    .why("cargo does not build or test it, so neither `cargo test` nor these rules see its code")
                    .fix(format!(
                        "make it a crate covered by the root Cargo.toml's `members = [\"contexts/*\"]` (and not in \
                         `exclude`), or move it out of contexts/; contexts/ holds only: {}",
                        known()
                    )),
            );
            continue;
        };
        if dir.name != "kernel" && !KNOWN_CONTEXTS.contains(&dir.name.as_str()) {
            out.push(
                Violation::at(rule, manifest.clone(), 1)
                    .found(format!("`{}` is not one of the bounded contexts of the brief", dir.path))
                    .why(
                        "each context is a bounded context of the business (brief, section 1); an unknown one is a \
                         misplaced module or an unagreed split of the model",
                    )
                    .fix(format!(
                        "use one of: {}; if the business really has a new context, add it to the brief's table and to \
                         `KNOWN_CONTEXTS` in arch-tests/src/rules/mod.rs",
                        known()
                    )),
            );
        }
        if package.name != dir.name {
            out.push(
                Violation::at(rule, manifest, 1)
                    .found(format!("the crate in `{}` is named `{}`", dir.path, package.name))
                    .why("a context's crate, directory, descriptor name and message types all use one name")
                    .fix(format!("name the package `{}` (or rename the directory)", dir.name)),
            );
        }
    }
    let mut seen = BTreeMap::new();
    for c in &ws.messages {
        let is_context_crate = ws.packages.iter().any(|p| p.role == Role::Context(c.name.clone()));
        if !is_context_crate {
            out.push(
                Violation::at(rule, "src/contexts.rs", 0)
                    .found(format!("a hosted context declares the name `{}`, which no crate under contexts/ has", c.name))
                    .why("message types (`bookbox.<context>.<message>.v<N>`) and the context map use the descriptor's name")
                    .fix("set the descriptor's `name` to its crate's directory name under contexts/"),
            );
        }
        if seen.insert(c.name.clone(), ()).is_some() {
            out.push(
                Violation::at(rule, "src/contexts.rs", 0)
                    .found(format!("the context `{}` is hosted twice", c.name))
                    .why("each context runs as one actor with its own store")
                    .fix("list each context once in `bookbox::contexts::descriptors()`"),
            );
        }
    }
    out
}

/// The workspace member a dependency points at, if any.
fn member<'a>(ws: &'a Workspace, dep: &crate::model::Dependency) -> Option<&'a Package> {
    match &dep.path {
        Some(path) => ws.package_at(path),
        None => None,
    }
}

fn kind_label(kind: DepKind) -> &'static str {
    match kind {
        DepKind::Normal => "a dependency",
        DepKind::Dev => "a dev-dependency",
        DepKind::Build => "a build-dependency",
    }
}

/// Rule 2: no context depends on another context, nor on any workspace crate but the
/// kernel; the kernel depends on no workspace crate. Direct dependencies of every kind
/// from the manifests, indirect ones (through some other crate) from `Cargo.lock`.
pub fn no_context_to_context_dependency(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::NoContextToContextDependency;
    let mut out = Vec::new();
    for package in ws.pure_packages() {
        for dep in &package.deps {
            let Some(target) = member(ws, dep) else { continue };
            let allowed = package.role != Role::Kernel && target.role == Role::Kernel;
            if allowed || target.name == package.name {
                continue;
            }
            let (found, why, fix) = match (&package.role, &target.role) {
                (_, Role::Context(_)) => (
                    format!("`{}` has {} on the context crate `{}`", package.name, kind_label(dep.kind), target.name),
                    "contexts meet only through messages: a crate dependency shares types and code across the \
                     boundary, and couples their releases and models"
                        .to_owned(),
                    format!(
                        "remove it; consume `{}`'s published messages (decode them into your own model in a tolerant \
                         reader) or send it a command message",
                        target.name
                    ),
                ),
                (Role::Kernel, _) => (
                    format!("the kernel has {} on the workspace crate `{}`", kind_label(dep.kind), target.name),
                    "the shared kernel sits below every context and the runtime; it depends on none of them".to_owned(),
                    "move what the kernel needs into the kernel, or what needs the other crate out of it".to_owned(),
                ),
                _ => (
                    format!("`{}` has {} on the workspace crate `{}`", package.name, kind_label(dep.kind), target.name),
                    "a context depends on the kernel alone: the runtime hosts it, not the other way round".to_owned(),
                    "remove it; what the context needs from outside is a port trait in its `ports` module, which \
                     src/ implements"
                        .to_owned(),
                ),
            };
            out.push(Violation::at(rule, package.manifest.clone(), dep.line).found(found).why(why).fix(fix));
        }
        // Indirect: a path through any other crate.
        let Some(lock) = &ws.lock else { continue };
        let Some(start) = lock.member(&package.name, &package.version) else { continue };
        let forbidden = |name: &str| {
            ws.packages.iter().any(|p| {
                p.name == name && p.name != package.name && (package.role == Role::Kernel || p.role != Role::Kernel)
            })
        };
        for chain in lock.chains(start, |n| !n.registry && forbidden(&n.name)) {
            if chain.len() <= 2 {
                continue; // direct: reported above from the manifest
            }
            let target = chain.last().cloned().unwrap_or_default();
            out.push(
                Violation::at(rule, package.manifest.clone(), 1)
                    .found(format!(
                        "`{}` reaches the workspace crate `{target}` through {}",
                        package.name,
                        chain.join(" -> ")
                    ))
                    .why("an indirect dependency couples the crates as much as a direct one")
                    .fix(format!("remove the dependency on `{}` that leads there", chain[1])),
            );
        }
    }
    out
}

/// Crates that do I/O or host execution: they belong to the runtime in `src/` only.
#[rustfmt::skip]
pub const INFRASTRUCTURE: &[&str] = &[
    "sled", "actix", "actix-web", "actix-rt", "actix-http", "actix-server", "crossbeam", "crossbeam-channel",
    "crossbeam-utils", "crossbeam-epoch", "crossbeam-deque", "crossbeam-queue", "flume", "tokio", "async-std",
    "smol", "mio", "hyper", "reqwest", "ureq", "axum", "warp", "rocket", "tonic", "async-nats", "nats", "rdkafka",
    "lapin", "redis", "rusqlite", "sqlx", "diesel", "postgres", "tokio-postgres", "rocksdb", "tracing-subscriber",
    "env_logger", "bincode",
];

pub fn is_infrastructure(name: &str) -> bool {
    INFRASTRUCTURE.contains(&name) || name.starts_with("actix-") || name.starts_with("tokio-")
}

/// Rule 3: neither the kernel nor a context depends on an infrastructure crate, directly
/// (any kind of dependency) or through another crate (`Cargo.lock`).
pub fn no_infrastructure_in_contexts(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::NoInfrastructureInContexts;
    let fix = "remove it: the runtime in src/ does all I/O; declare what the context needs as a port trait in its \
               `ports` module (or use a kernel port: EventStore, Clock, IdSource) and implement it in src/";
    let why = |name: &str| {
        format!(
            "`{name}` is infrastructure; the kernel and the contexts stay pure, testable without I/O, and movable to \
             another process or bus (brief, sections 2 and 6)"
        )
    };
    let mut out = Vec::new();
    for package in ws.pure_packages() {
        for dep in &package.deps {
            if is_infrastructure(&dep.name) {
                out.push(
                    Violation::at(rule, package.manifest.clone(), dep.line)
                        .found(format!("`{}` has {} on `{}`", package.name, kind_label(dep.kind), dep.name))
                        .why(why(&dep.name))
                        .fix(fix),
                );
            }
        }
        let Some(lock) = &ws.lock else { continue };
        let Some(start) = lock.member(&package.name, &package.version) else { continue };
        for chain in lock.chains(start, |n| is_infrastructure(&n.name)) {
            if chain.len() <= 2 {
                continue;
            }
            let target = chain.last().cloned().unwrap_or_default();
            out.push(
                Violation::at(rule, package.manifest.clone(), 1)
                    .found(format!("`{}` reaches `{target}` through {}", package.name, chain.join(" -> ")))
                    .why(why(&target))
                    .fix(format!(
                        "remove the dependency on `{}` that pulls it in (or turn off the feature that does)",
                        chain[1]
                    )),
            );
        }
    }
    out
}

/// Rule 12: no cycle between workspace crates, counting dev- and build-dependencies (cargo
/// itself rejects only cycles of normal dependencies).
pub fn no_crate_cycles(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::NoCrateCycles;
    let n = ws.packages.len();
    // edges[i] = (j, kind, line)
    let edges: Vec<Vec<(usize, DepKind, usize)>> = ws
        .packages
        .iter()
        .map(|p| {
            p.deps
                .iter()
                .filter_map(|d| {
                    let target = member(ws, d)?;
                    let j = ws.packages.iter().position(|q| q.name == target.name)?;
                    Some((j, d.kind, d.line))
                })
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    for component in strongly_connected(n, &edges) {
        let self_loop = component.len() == 1 && edges[component[0]].iter().any(|(j, _, _)| *j == component[0]);
        if component.len() < 2 && !self_loop {
            continue;
        }
        // Walk one cycle through the component, from its first crate.
        let start = *component.iter().min_by_key(|i| &ws.packages[**i].name).unwrap_or(&component[0]);
        let mut cycle = vec![start];
        let mut labels = Vec::new();
        let mut first_line = 1;
        let mut current = start;
        loop {
            let next = edges[current]
                .iter()
                .filter(|(j, _, _)| component.contains(j))
                .min_by_key(|(j, _, _)| {
                    if *j == start {
                        0
                    } else if cycle.contains(j) {
                        2
                    } else {
                        1
                    }
                })
                .copied();
            let Some((j, kind, line)) = next else { break };
            if current == start {
                first_line = line;
            }
            labels.push(kind);
            cycle.push(j);
            if j == start || cycle.len() > component.len() + 1 {
                break;
            }
            current = j;
        }
        let mut text = ws.packages[cycle[0]].name.clone();
        for (k, i) in labels.iter().zip(&cycle[1..]) {
            let arrow = match k {
                DepKind::Normal => "->",
                DepKind::Dev => "-(dev)->",
                DepKind::Build => "-(build)->",
            };
            text.push_str(&format!(" {arrow} {}", ws.packages[*i].name));
        }
        out.push(
            Violation::at(rule, ws.packages[start].manifest.clone(), first_line)
                .found(format!("a dependency cycle: {text}"))
                .why(
                    "crates in a cycle cannot be built, tested or reasoned about apart, and a dev-dependency cycle \
                     builds the crate twice so its types stop matching in tests",
                )
                .fix(
                    "break the cycle: move the shared part into the lower crate (the kernel, for contexts), or move \
                     the test that needs both crates to the crate above them (the root's tests/)",
                ),
        );
    }
    out
}

/// Tarjan's algorithm; components in discovery order, members in index order.
fn strongly_connected(n: usize, edges: &[Vec<(usize, DepKind, usize)>]) -> Vec<Vec<usize>> {
    struct State<'a> {
        edges: &'a [Vec<(usize, DepKind, usize)>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on_stack: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State<'_>, v: usize) {
        s.index[v] = Some(s.next);
        s.low[v] = s.next;
        s.next += 1;
        s.stack.push(v);
        s.on_stack[v] = true;
        for &(w, _, _) in &s.edges[v] {
            match s.index[w] {
                None => {
                    visit(s, w);
                    s.low[v] = s.low[v].min(s.low[w]);
                }
                Some(iw) if s.on_stack[w] => s.low[v] = s.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(s.low[v]) == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack[w] = false;
                component.push(w);
                if w == v {
                    break;
                }
            }
            component.sort_unstable();
            s.out.push(component);
        }
    }
    let mut s = State {
        edges,
        index: vec![None; n],
        low: vec![0; n],
        on_stack: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if s.index[v].is_none() {
            visit(&mut s, v);
        }
    }
    s.out
}
