//! The rules: each a function from the [`Workspace`] model to the violations it finds.

pub mod aggregates;
pub mod crates;
pub mod layers;
pub mod messages;
pub mod names;
pub mod ports;
pub mod properties;
pub mod purity;
pub mod tidy;
pub mod vocabulary;

use crate::model::Workspace;
use crate::violation::{Rule, Violation};

/// The bounded contexts of the brief (section 1); `contexts/` may hold these and `kernel`.
pub const KNOWN_CONTEXTS: &[&str] = &[
    "customers",
    "subscriptions",
    "curation",
    "inventory",
    "orders",
    "billing",
    "shipping",
    "feedback",
    "marketing",
    "sales",
    "reporting",
];

/// Runs one rule.
pub fn check(rule: Rule, ws: &Workspace) -> Vec<Violation> {
    let mut found = match rule {
        Rule::ContextsAreKnownMembers => crates::contexts_are_known_members(ws),
        Rule::NoContextToContextDependency => crates::no_context_to_context_dependency(ws),
        Rule::NoInfrastructureInContexts => crates::no_infrastructure_in_contexts(ws),
        Rule::PureContextCode => purity::pure_context_code(ws),
        Rule::HexagonalLayers => layers::hexagonal_layers(ws),
        Rule::DomainIsPrivate => layers::domain_is_private(ws),
        Rule::AggregatesReferByIdOnly => aggregates::aggregates_refer_by_id_only(ws),
        Rule::PortsAreTraitsImplementedInSrc => ports::ports_are_traits_implemented_in_src(ws),
        Rule::MessagesMatchUp => messages::messages_match_up(ws),
        Rule::NamesSayWhatHappened => names::names_say_what_happened(ws),
        Rule::CodeStaysAnalysable => layers::code_stays_analysable(ws),
        Rule::NoCrateCycles => crates::no_crate_cycles(ws),
        Rule::NoLeftovers => tidy::no_leftovers(ws),
        Rule::ModulesAreDocumented => tidy::modules_are_documented(ws),
        Rule::ClosedVocabulariesAgree => vocabulary::closed_vocabularies_agree(ws),
        Rule::AggregatesArePropertyTested => properties::aggregates_are_property_tested(ws),
    };
    found.sort();
    found.dedup();
    found
}

/// Runs every rule.
pub fn check_all(ws: &Workspace) -> Vec<Violation> {
    Rule::ALL.iter().flat_map(|r| check(*r, ws)).collect()
}

/// Where a context's source spells `value` as a string literal (its descriptor, usually):
/// the first such place in non-test code, else the context's lib.rs.
pub fn locate_string(ws: &Workspace, context: &str, value: &str) -> (String, usize) {
    let code = &ws.code;
    let dir = format!("contexts/{context}/");
    code.strings
        .iter()
        .filter(|s| s.value == value && s.file.starts_with(&dir))
        .min_by_key(|s| (s.test, s.file.clone(), s.line))
        .map(|s| (s.file.clone(), s.line))
        .unwrap_or_else(|| (format!("{dir}src/lib.rs"), 0))
}
