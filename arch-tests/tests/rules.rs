//! The architecture rules on the real workspace: one test per rule, all reading one model
//! of the workspace parsed once per run.

use arch_tests::rules::check;
use arch_tests::violation::assert_none;
use arch_tests::{workspace, Rule};

fn holds(rule: Rule) {
    assert_none(rule, &check(rule, workspace()));
}

#[test]
fn rule_01_every_directory_under_contexts_is_a_known_member() {
    holds(Rule::ContextsAreKnownMembers);
}

#[test]
fn rule_02_no_context_depends_on_another_context() {
    holds(Rule::NoContextToContextDependency);
}

#[test]
fn rule_03_no_infrastructure_in_the_kernel_or_contexts() {
    holds(Rule::NoInfrastructureInContexts);
}

#[test]
fn rule_04_context_code_is_pure() {
    holds(Rule::PureContextCode);
}

#[test]
fn rule_05_hexagonal_layers_inside_each_context() {
    holds(Rule::HexagonalLayers);
}

#[test]
fn rule_06_the_domain_is_not_public() {
    holds(Rule::DomainIsPrivate);
}

#[test]
fn rule_07_aggregates_refer_to_aggregates_by_id_only() {
    holds(Rule::AggregatesReferByIdOnly);
}

#[test]
fn rule_08_ports_are_traits_implemented_only_in_src() {
    holds(Rule::PortsAreTraitsImplementedInSrc);
}

#[test]
fn rule_09_published_and_consumed_messages_match_up() {
    holds(Rule::MessagesMatchUp);
}

#[test]
fn rule_10_events_are_past_tense_and_commands_imperative() {
    holds(Rule::NamesSayWhatHappened);
}

#[test]
fn rule_11_code_stays_analysable() {
    holds(Rule::CodeStaysAnalysable);
}

#[test]
fn rule_12_no_dependency_cycle_between_workspace_crates() {
    holds(Rule::NoCrateCycles);
}

#[test]
fn rule_13_no_todo_dbg_or_ignore() {
    holds(Rule::NoLeftovers);
}

#[test]
fn rule_14_every_source_file_is_documented() {
    holds(Rule::ModulesAreDocumented);
}

#[test]
fn rule_15_closed_vocabularies_agree() {
    holds(Rule::ClosedVocabulariesAgree);
}

/// Rule 15 sees what it compares: the kernel's genre list, and each context's own genre type.
#[test]
fn rule_15_sees_every_genre_list() {
    let files: Vec<&str> = workspace()
        .code
        .name_lists
        .iter()
        .filter(|l| !l.test && l.values.iter().any(|v| v == "science-fiction"))
        .map(|l| l.file.as_str())
        .collect();
    for file in [
        "contexts/kernel/src/formats/genre.rs",
        "contexts/customers/src/domain/genre.rs",
        "contexts/inventory/src/domain/genre.rs",
        "contexts/curation/src/domain/genre.rs",
    ] {
        assert!(files.contains(&file), "rule 15 does not see the genre list of {file}; it sees {files:?}");
    }
}

/// The model must see the code it checks: every member, and every source file parsed.
#[test]
fn rule_16_every_aggregate_is_property_tested() {
    holds(Rule::AggregatesArePropertyTested);
}

#[test]
fn the_model_reads_the_whole_workspace() {
    let ws = workspace();
    for name in ["bookbox", "kernel", "arch-tests"] {
        assert!(ws.package(name).is_some(), "the workspace member `{name}` is missing from the model");
    }
    assert!(ws.code.files.iter().any(|f| f.file == "contexts/kernel/src/lib.rs"));
    assert!(ws.code.files.iter().any(|f| f.file == "src/lib.rs"));
    let errors: Vec<String> = ws.code.errors.iter().map(|(f, e)| format!("{f}: {e}")).collect();
    assert!(errors.is_empty(), "files the rules could not read:\n{}", errors.join("\n"));
}
