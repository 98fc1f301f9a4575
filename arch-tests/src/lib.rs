//! Architecture rules of Bookbox, run by `cargo test`: the boundaries of the modular
//! monolith, checked on every build.
//!
//! The workspace is read once into a plain-data [`model::Workspace`]: the crate graph
//! (`cargo metadata` and `Cargo.lock`), facts from every source file (syn), and the
//! messages the hosted contexts declare (their descriptors). Each rule in [`rules`] is a
//! function from that model to the [`Violation`]s it finds; each violation names the rule,
//! the file and line, what was found, why it is wrong and how to fix it.
//!
//! The same model is built for the fixture workspaces under `arch-tests/fixtures/`, which
//! prove that each rule can fail. The context map (`bookbox::context_map`) is drawn from the same
//! descriptors.
//!
//! | rule | checks | reads |
//! |---|---|---|
//! | 1 | every directory under `contexts/` is a member and a known context | file system, cargo metadata, descriptors |
//! | 2 | no context depends on another context (nor on the runtime); the kernel on none | manifests, `Cargo.lock` |
//! | 3 | no infrastructure crate (sled, actix, tokio, ...) in the kernel or a context | manifests, `Cargo.lock` |
//! | 4 | context code is pure: no I/O, threads, system clock, randomness | syn |
//! | 5 | hexagonal layering: domain, application, ports, published | syn |
//! | 6 | public surface: registration, published language, ports; `domain` private | syn |
//! | 7 | aggregates hold other aggregates by id only | syn |
//! | 8 | ports are traits implemented only in `src/`; adapters independent | syn |
//! | 9 | consumed messages are published once, same kind; schemas, examples, decoders | descriptors, committed JSON |
//! | 10 | events past tense, commands imperative | syn, descriptors |
//! | 11 | no cross-layer globs, `#[path]`, `include!` in contexts | syn |
//! | 12 | no dependency cycle between workspace crates, dev-dependencies included | manifests |
//! | 13 | no `todo!`, `dbg!`, `#[ignore]` | syn |
//! | 14 | every source file under `contexts/` and `src/` starts with `//!` | source text |
//! | 15 | closed vocabularies agree: kernel lists, producers' schema `enum`s, consumers' own lists | syn, descriptors |
//! | 16 | every aggregate has a property test of its invariants (`check_aggregate::<X>`) | syn |
//!
//! Each syn-based rule's module says what it cannot see (macro-generated code, inferred
//! types, re-exports) and how the crate graph backs it up.

pub mod code;
pub mod messages;
pub mod model;
pub mod rules;
pub mod violation;

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

pub use model::Workspace;
pub use violation::{Rule, Violation};

/// The root of the real workspace.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

static WORKSPACE: LazyLock<Workspace> = LazyLock::new(|| {
    let messages = messages::ContextMessages::from_descriptors(&bookbox::contexts::descriptors());
    Workspace::load(&workspace_root(), messages).unwrap_or_else(|e| panic!("cannot read the workspace: {e}"))
});

/// The real workspace, read once per test binary.
pub fn workspace() -> &'static Workspace {
    &WORKSPACE
}

/// A fixture workspace under `arch-tests/fixtures/<name>`, with the messages of its
/// `descriptors.json`.
pub fn fixture(name: &str) -> Result<Workspace, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    let messages = messages::from_fixture(&root)?;
    Workspace::load(&root, messages)
}
