//! What a rule reports: where, what it found, why that is wrong and how to fix it.

use std::fmt;

/// The architecture rules, numbered as in issue 4 (13 and 14 are tidy rules; 15 and 16 are
/// issue 12's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    ContextsAreKnownMembers = 1,
    NoContextToContextDependency = 2,
    NoInfrastructureInContexts = 3,
    PureContextCode = 4,
    HexagonalLayers = 5,
    DomainIsPrivate = 6,
    AggregatesReferByIdOnly = 7,
    PortsAreTraitsImplementedInSrc = 8,
    MessagesMatchUp = 9,
    NamesSayWhatHappened = 10,
    CodeStaysAnalysable = 11,
    NoCrateCycles = 12,
    NoLeftovers = 13,
    ModulesAreDocumented = 14,
    ClosedVocabulariesAgree = 15,
    AggregatesArePropertyTested = 16,
}

impl Rule {
    pub const ALL: [Rule; 16] = [
        Rule::ContextsAreKnownMembers,
        Rule::NoContextToContextDependency,
        Rule::NoInfrastructureInContexts,
        Rule::PureContextCode,
        Rule::HexagonalLayers,
        Rule::DomainIsPrivate,
        Rule::AggregatesReferByIdOnly,
        Rule::PortsAreTraitsImplementedInSrc,
        Rule::MessagesMatchUp,
        Rule::NamesSayWhatHappened,
        Rule::CodeStaysAnalysable,
        Rule::NoCrateCycles,
        Rule::NoLeftovers,
        Rule::ModulesAreDocumented,
        Rule::ClosedVocabulariesAgree,
        Rule::AggregatesArePropertyTested,
    ];

    pub fn id(self) -> u8 {
        self as u8
    }

    pub fn title(self) -> &'static str {
        match self {
            Rule::ContextsAreKnownMembers => {
                "every directory under contexts/ is a workspace member and a known context"
            }
            Rule::NoContextToContextDependency => "contexts depend on no other context (nor on the runtime)",
            Rule::NoInfrastructureInContexts => "the kernel and the contexts depend on no infrastructure crate",
            Rule::PureContextCode => "context code is pure: no I/O, no system clock, no randomness",
            Rule::HexagonalLayers => "hexagonal layering inside each context",
            Rule::DomainIsPrivate => "a context's public surface is its registration, published language and ports",
            Rule::AggregatesReferByIdOnly => "aggregates refer to other aggregates only by id",
            Rule::PortsAreTraitsImplementedInSrc => "outbound ports are traits implemented only in src/",
            Rule::MessagesMatchUp => "published and consumed messages match up",
            Rule::NamesSayWhatHappened => "events are named in the past tense, commands in the imperative",
            Rule::CodeStaysAnalysable => "no cross-layer glob imports, #[path] or include! in contexts",
            Rule::NoCrateCycles => "no dependency cycle between workspace crates",
            Rule::NoLeftovers => "no todo!, dbg! or #[ignore] in the workspace",
            Rule::ModulesAreDocumented => "every source file under contexts/ and src/ begins with a //! doc comment",
            Rule::ClosedVocabulariesAgree => {
                "closed vocabularies agree: the kernel's lists, the producers' schemas, the consumers' copies"
            }
            Rule::AggregatesArePropertyTested => "every aggregate's invariants are property-tested",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rule {} ({})", self.id(), self.title())
    }
}

/// One breach of one rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Violation {
    pub rule: Rule,
    /// Path relative to the workspace root.
    pub file: String,
    /// 1-based; 0 when the finding is about a whole file or directory.
    pub line: usize,
    pub found: String,
    pub why: String,
    pub fix: String,
}

impl Violation {
    pub fn at(rule: Rule, file: impl Into<String>, line: usize) -> Builder {
        Builder(Violation {
            rule,
            file: file.into(),
            line,
            found: String::new(),
            why: String::new(),
            fix: String::new(),
        })
    }

    pub fn location(&self) -> String {
        if self.line == 0 {
            self.file.clone()
        } else {
            format!("{}:{}", self.file, self.line)
        }
    }
}

/// Fills in a [`Violation`] field by field, so every rule says all three things.
pub struct Builder(Violation);

impl Builder {
    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.0.found = found.into();
        self
    }
    pub fn why(mut self, why: impl Into<String>) -> Self {
        self.0.why = why.into();
        self
    }
    pub fn fix(mut self, fix: impl Into<String>) -> Violation {
        self.0.fix = fix.into();
        self.0
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} at {}", self.rule, self.location())?;
        writeln!(f, "  found: {}", self.found)?;
        writeln!(f, "  why:   {}", self.why)?;
        write!(f, "  fix:   {}", self.fix)
    }
}

/// All violations, sorted and without duplicates, one paragraph each.
pub fn report(violations: &[Violation]) -> String {
    let mut sorted = violations.to_vec();
    sorted.sort();
    sorted.dedup();
    let mut out = String::new();
    for (i, v) in sorted.iter().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        out.push_str(&v.to_string());
    }
    out
}

/// Panics with every violation, rendered, if there is any.
pub fn assert_none(rule: Rule, violations: &[Violation]) {
    if !violations.is_empty() {
        let mut sorted = violations.to_vec();
        sorted.sort();
        sorted.dedup();
        panic!("{} violation(s) of {rule}:\n\n{}\n", sorted.len(), report(&sorted));
    }
}
