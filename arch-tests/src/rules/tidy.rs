//! Tidy rules (13, 14), after rust-analyzer's: cheap checks that keep the tree clean.
//!
//! Rule 13 reads macro calls and attributes in every member's code, tests included, and in
//! macro bodies that do not parse as expressions (`proptest! { ... }`) by scanning tokens.
//! It cannot see a `todo!` produced by a macro expansion. Rule 14 reads the first non-blank
//! line of every non-test source file of the kernel, the contexts and `src/` (files no
//! `mod` declaration reaches are not compiled, and not read). Neither has a crate-graph
//! counterpart.

use crate::model::Role;
use crate::model::Workspace;
use crate::violation::{Rule, Violation};

/// Rule 13: no `todo!`, `dbg!` or `#[ignore]` anywhere in the workspace.
pub fn no_leftovers(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::NoLeftovers;
    let code = &ws.code;
    let mut out = Vec::new();
    for m in &code.macros {
        let std_or_bare = m.path.len() == 1 || matches!(m.path[0].as_str(), "std" | "core");
        let (why, fix) = match m.name() {
            "todo" if std_or_bare => (
                "`todo!` is unfinished work that panics when reached; the system must never panic on a path a user \
                 can reach",
                "finish the code, or return a typed error naming what is not supported yet",
            ),
            "dbg" if std_or_bare => (
                "`dbg!` is a debugging leftover that writes to stderr",
                "remove it; log with `tracing` in src/, or assert in a test",
            ),
            _ => continue,
        };
        out.push(
            Violation::at(rule, m.file.clone(), m.line)
                .found(format!("`{}!` in `{}`", m.name(), code.module_name(m.module)))
                .why(why)
                .fix(fix),
        );
    }
    for a in code.attrs.iter().filter(|a| a.name == "ignore") {
        out.push(
            Violation::at(rule, a.file.clone(), a.line)
                .found(format!("an `#[ignore]`d test in `{}`", code.module_name(a.module)))
                .why("`cargo test` (and CI) skips an ignored test, so what it checks silently stops being checked")
                .fix(
                    "make the test pass and fast enough to run always, or delete it; a slow property test can run fewer \
                     cases by default and more through an environment variable",
                ),
        );
    }
    out
}

/// Rule 14: every non-test source file under `contexts/` and `src/` starts with a `//!` doc
/// comment saying what the module is for.
pub fn modules_are_documented(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::ModulesAreDocumented;
    let code = &ws.code;
    let mut out = Vec::new();
    for f in &code.files {
        if f.test || f.documented || code.unit_of(f.module).kind.is_test() {
            continue;
        }
        let Some(package) = ws.package(code.package_of(f.module)) else { continue };
        let in_scope = match package.role {
            Role::Kernel | Role::Context(_) => true,
            Role::Root => f.file.starts_with("src/"),
            Role::Other => false,
        };
        if !in_scope {
            continue;
        }
        out.push(
            Violation::at(rule, f.file.clone(), 1)
                .found(format!("`{}` does not begin with a `//!` doc comment", f.file))
                .why(
                    "each module says in a line or two what it is for and what it must not do; that is how a reader \
                     (and rustdoc) finds their way in a codebase of many contexts",
                )
                .fix("start the file with `//! <what this module is for>`"),
        );
    }
    out
}
