//! `docs/context-map.md` is generated from the hosted contexts' descriptors; this test fails
//! when the committed file is stale (and rewrites it when `UPDATE_CONTEXT_MAP=1`).

use arch_tests::workspace_root;
use bookbox::context_map::{render, REGENERATE};

#[test]
fn context_map_is_up_to_date() {
    let path = workspace_root().join("docs/context-map.md");
    let expected = render(&bookbox::contexts::descriptors());
    if std::env::var_os("UPDATE_CONTEXT_MAP").is_some() {
        std::fs::write(&path, &expected).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "docs/context-map.md is stale (or missing): the hosted contexts' descriptors changed.\n\
         Regenerate it with:\n\n    {REGENERATE}\n\nand commit the result."
    );
}
