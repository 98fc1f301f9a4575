//! What a bounded context declares about itself: its name, the messages it publishes (with
//! kind, schema version, JSON schema and examples), the messages it consumes (each handler
//! with a stable id), and its relationship to each upstream context.
//!
//! The declaration is plain data, so the runtime routes by it, the architecture tests check
//! it, and the context map is drawn from it, all from the same source.

use serde_json::value::RawValue;

use crate::message::{message_type, MessageKind};

/// A bounded context's declaration. Each context crate exposes one as `CONTEXT`.
#[derive(Debug)]
pub struct ContextDescriptor {
    /// The context's name: lowercase, as in `contexts/<name>` and `/bookbox/<name>`.
    pub name: &'static str,
    /// One sentence: what the context owns.
    pub purpose: &'static str,
    pub publishes: &'static [PublishedMessage],
    pub consumes: &'static [Subscription],
    pub upstreams: &'static [Upstream],
}

/// A message type in a context's published language.
#[derive(Debug)]
pub struct PublishedMessage {
    /// Kebab-case name, e.g. `customer-profile`; events are past tense
    /// (`box-curated`), commands imperative (`reserve-stock`).
    pub name: &'static str,
    pub kind: MessageKind,
    pub version: u32,
    /// For commands: the one context that handles it.
    pub recipient: Option<&'static str>,
    /// The JSON schema of `data` (committed beside the code).
    pub schema: &'static str,
    /// Example payloads (committed beside the code); every consumer must decode each.
    pub examples: &'static [&'static str],
    /// Payload fields that are personal data (for state transfer of people).
    pub personal_data: &'static [&'static str],
}

impl PublishedMessage {
    /// The CloudEvents `type` of this message when `context` publishes it.
    pub fn message_type(&self, context: &str) -> String {
        message_type(context, self.name, self.version)
    }
}

/// A message type a context consumes, and the handler that does.
#[derive(Debug)]
pub struct Subscription {
    /// Stable id of the handler, recorded in the inbox: never derived from a type name, so
    /// renaming code strands nothing. Changing it makes every old message look new.
    pub handler_id: &'static str,
    /// The full CloudEvents type consumed, e.g. `bookbox.customers.customer-profile.v1`.
    pub message_type: &'static str,
    /// The kind the consumer expects; must match the producer's.
    pub kind: MessageKind,
    /// Decodes a payload into the consumer's own model of the message (its tolerant
    /// reader), returning why not on failure.
    pub decode: fn(&RawValue) -> Result<(), String>,
}

/// How a context relates to one upstream it consumes from.
#[derive(Debug)]
pub struct Upstream {
    pub context: &'static str,
    pub relationship: Relationship,
}

/// Context-map relationships, after the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// Upstream plans with the downstream's needs in mind.
    CustomerSupplier,
    /// Downstream takes the upstream's model as it is.
    Conformist,
    /// Downstream translates the upstream's model into its own.
    AnticorruptionLayer,
    /// Downstream consumes the upstream's open-host service / published language.
    OpenHostService,
    /// Both share a small kernel of code (only `kernel` in Bookbox).
    SharedKernel,
    /// Both succeed or fail together and plan together.
    Partnership,
}

impl Relationship {
    pub fn label(self) -> &'static str {
        match self {
            Self::CustomerSupplier => "customer-supplier",
            Self::Conformist => "conformist",
            Self::AnticorruptionLayer => "anticorruption layer",
            Self::OpenHostService => "open-host service / published language",
            Self::SharedKernel => "shared kernel",
            Self::Partnership => "partnership",
        }
    }
}

impl ContextDescriptor {
    /// The published message with this CloudEvents type, if this context publishes it.
    pub fn published(&self, message_type: &str) -> Option<&PublishedMessage> {
        self.publishes.iter().find(|m| m.message_type(self.name) == message_type)
    }
}
