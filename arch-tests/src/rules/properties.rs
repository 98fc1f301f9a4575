//! Rule 16: every aggregate's invariants are property-tested. For each type with
//! `impl Aggregate for X` in a context's library, the context's test code (its `#[cfg(test)]`
//! modules or its `tests/`) calls `kernel::testing::check_aggregate::<X>` or
//! `run_commands::<X>`: random command sequences, an invariant checked after every accepted
//! command, and replay through the codec.
//!
//! How it sees: calls are matched by the function's name and the last identifier of its type
//! argument (`check_aggregate::<Directory<UsState>>` tests `Directory`), written as a
//! turbofish, in plain code or in a macro body (`proptest! { ... }`); within the aggregate's
//! own crate only, so a test elsewhere does not count. A call whose invariant is a closure
//! returning `Ok(())` whatever the state (`|_| Ok(())`, `|_state| { Ok(()) }`) does not
//! count either: it checks replay, not invariants.
//!
//! What it cannot see: whether a named invariant (`check_aggregate::<X>(commands, invariant)`)
//! or a closure that does more than return `Ok(())` says anything, a call whose type is
//! inferred rather than written, or a helper that wraps the call generically
//! (`fn check<A: Aggregate>() { check_aggregate::<A>(...) }` tests `A`, which is no
//! aggregate). Write the turbofish at the call.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::UnitKind;
use crate::model::Workspace;
use crate::rules::aggregates::aggregate_roots;
use crate::violation::{Rule, Violation};

/// The kernel's property tests of an aggregate, by function name.
pub const PROPERTY_TESTS: &[&str] = &["check_aggregate", "run_commands"];

pub fn aggregates_are_property_tested(ws: &Workspace) -> Vec<Violation> {
    let rule = Rule::AggregatesArePropertyTested;
    let code = &ws.code;
    let mut out = Vec::new();
    for (package, roots) in aggregate_roots(ws) {
        let calls: Vec<_> = code
            .turbofish
            .iter()
            .filter(|t| PROPERTY_TESTS.contains(&t.name.as_str()) && code.package_of(t.module) == package)
            .filter(|t| t.test || code.unit_of(t.module).kind != UnitKind::Lib)
            .collect();
        let tested: BTreeSet<&str> = calls
            .iter()
            .filter(|t| !t.passes_ok_closure)
            .flat_map(|t| t.type_names.iter().map(String::as_str))
            .collect();
        // The first call of each aggregate that checks nothing, to point at.
        let mut checks_nothing = BTreeMap::new();
        for t in calls.iter().filter(|t| t.passes_ok_closure) {
            for name in &t.type_names {
                checks_nothing.entry(name.as_str()).or_insert(*t);
            }
        }
        let untested = code.impls.iter().filter(|i| {
            !i.test
                && i.trait_name() == Some("Aggregate")
                && code.package_of(i.module) == package
                && roots.contains(&i.self_name)
                && !tested.contains(i.self_name.as_str())
        });
        for i in untested {
            let name = &i.self_name;
            let found = match checks_nothing.get(name.as_str()) {
                Some(t) => format!(
                    "aggregate `{name}` of `{package}` has no property test of its invariants: the invariant passed at {}:{} returns `Ok(())` whatever the state",
                    t.file, t.line
                ),
                None => format!("aggregate `{name}` of `{package}` has no property test of its invariants"),
            };
            out.push(
                Violation::at(rule, &i.file, i.line)
                    .found(found)
                    .why("an aggregate's invariants must hold after any sequence of accepted commands, and replay must rebuild its state; examples alone do not show that")
                    .fix(format!("in `{package}`'s tests, call `kernel::testing::check_aggregate::<{name}>(commands, invariant)` (or `run_commands::<{name}>` in a proptest) with an invariant of its state that can fail")),
            );
        }
    }
    out
}
