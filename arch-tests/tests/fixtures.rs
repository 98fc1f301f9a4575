//! Each rule is proven able to fail: every fixture under `arch-tests/fixtures/` breaks
//! exactly one rule, that rule reports it (the message is snapshotted) and every other rule
//! stays silent; the clean fixture passes every rule.

use arch_tests::rules::check;
use arch_tests::violation::report;
use arch_tests::{fixture, Rule};

/// Checks `name` against every rule: `rule` must report (snapshotted), the others not.
fn breaks_only(name: &str, rule: Rule) {
    let ws = fixture(name).unwrap_or_else(|e| panic!("fixture {name}: {e}"));
    let errors: Vec<String> = ws.code.errors.iter().map(|(f, e)| format!("{f}: {e}")).collect();
    assert!(errors.is_empty(), "fixture {name} has unreadable files:\n{}", errors.join("\n"));
    for other in Rule::ALL {
        let found = check(other, &ws);
        if other == rule {
            assert!(!found.is_empty(), "{rule} found nothing in fixture {name}");
            insta::assert_snapshot!(name, report(&found));
        } else {
            assert!(
                found.is_empty(),
                "fixture {name} should break only {rule}, but {other} found:\n{}",
                report(&found)
            );
        }
    }
}

#[test]
fn the_clean_fixture_passes_every_rule() {
    let ws = fixture("clean").unwrap_or_else(|e| panic!("fixture clean: {e}"));
    for rule in Rule::ALL {
        let found = check(rule, &ws);
        assert!(found.is_empty(), "{rule} found in the clean fixture:\n{}", report(&found));
    }
    // The clean fixture exercises what the rules look at.
    assert_eq!(ws.context_packages().count(), 2);
    assert_eq!(ws.messages.len(), 2);
    assert!(ws.code.impls.iter().any(|i| i.trait_name() == Some("Aggregate")));
}

#[test]
fn rule_01_reports_unknown_and_non_member_context_directories() {
    breaks_only("rule-01-unknown-context", Rule::ContextsAreKnownMembers);
}

#[test]
fn rule_02_reports_a_context_depending_on_another() {
    breaks_only("rule-02-context-depends-on-context", Rule::NoContextToContextDependency);
}

#[test]
fn rule_03_reports_infrastructure_direct_and_through_another_crate() {
    breaks_only("rule-03-infrastructure-in-context", Rule::NoInfrastructureInContexts);
}

#[test]
fn rule_04_reports_the_system_clock_and_file_system_in_the_domain() {
    breaks_only("rule-04-impure-domain", Rule::PureContextCode);
}

#[test]
fn rule_05_reports_layers_used_against_the_hexagon() {
    breaks_only("rule-05-layering", Rule::HexagonalLayers);
}

#[test]
fn rule_06_reports_a_public_domain() {
    breaks_only("rule-06-public-domain", Rule::DomainIsPrivate);
}

#[test]
fn rule_07_reports_an_aggregate_holding_another() {
    breaks_only("rule-07-aggregate-holds-aggregate", Rule::AggregatesReferByIdOnly);
}

#[test]
fn rule_08_reports_ports_implemented_in_the_context_and_adapters_using_adapters() {
    breaks_only("rule-08-port-implemented-in-context", Rule::PortsAreTraitsImplementedInSrc);
}

#[test]
fn rule_09_reports_messages_that_do_not_match_up() {
    breaks_only("rule-09-messages-do-not-match", Rule::MessagesMatchUp);
}

#[test]
fn rule_10_reports_events_not_in_the_past_tense_and_commands_not_imperative() {
    breaks_only("rule-10-names", Rule::NamesSayWhatHappened);
}

#[test]
fn rule_11_reports_path_attributes_include_and_cross_layer_globs() {
    breaks_only("rule-11-unanalysable", Rule::CodeStaysAnalysable);
}

#[test]
fn rule_12_reports_a_cycle_through_a_dev_dependency() {
    breaks_only("rule-12-crate-cycle", Rule::NoCrateCycles);
}

#[test]
fn rule_13_reports_todo_dbg_and_ignore() {
    breaks_only("rule-13-leftovers", Rule::NoLeftovers);
}

#[test]
fn rule_14_reports_a_source_file_without_a_doc_comment() {
    breaks_only("rule-14-undocumented-module", Rule::ModulesAreDocumented);
}

#[test]
fn rule_15_reports_a_schema_and_a_consumer_list_drifting_from_the_vocabulary() {
    breaks_only("rule-15-vocabulary-drift", Rule::ClosedVocabulariesAgree);
}

#[test]
fn rule_16_reports_an_aggregate_without_a_property_test_in_its_own_crate_or_one_whose_invariant_checks_nothing() {
    breaks_only("rule-16-aggregate-untested", Rule::AggregatesArePropertyTested);
}

/// Every rule has a fixture here (so adding a rule without proving it fails is noticed).
#[test]
fn every_rule_has_a_failing_fixture() {
    let source = include_str!("fixtures.rs");
    for rule in Rule::ALL {
        let call = format!("Rule::{rule:?})");
        assert!(source.matches(&call).count() >= 1, "no fixture test for {rule}");
    }
}
