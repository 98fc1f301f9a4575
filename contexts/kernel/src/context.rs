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
    pub publishes: &'static [&'static PublishedMessage],
    pub consumes: &'static [Subscription],
    /// Command types this context sends to others (full CloudEvents types). A command's type
    /// belongs to its recipient's published language: the recipient declares it in its
    /// `publishes` (kind `Command`) and consumes it; senders list it here.
    pub sends: &'static [&'static str],
    pub upstreams: &'static [Upstream],
}

/// A message type in a context's published language: what it emits, and the commands it
/// accepts from others (kind `Command`, consumed by the context itself).
#[derive(Debug)]
pub struct PublishedMessage {
    /// Kebab-case name, e.g. `customer-profile`; events are past tense
    /// (`box-curated`), commands imperative (`reserve-stock`).
    pub name: &'static str,
    pub kind: MessageKind,
    pub version: u32,
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
        self.publishes.iter().find(|m| m.message_type(self.name) == message_type).copied()
    }
}

/// Who is asking a context's query port: another context (resolving a notification's
/// link) or an operator (the HTTP API, the CLI).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    Context(String),
    Operator,
}

impl std::fmt::Display for Caller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Context(name) => write!(f, "context `{name}`"),
            Self::Operator => f.write_str("the operator"),
        }
    }
}

/// An explicit access policy for a link a context hands out in notifications: deny by
/// default; only the listed contexts may resolve links under `prefix`.
#[derive(Debug)]
pub struct AccessPolicy {
    pub prefix: &'static str,
    pub allowed: &'static [&'static str],
}

/// Checks `caller` against `policies` for `link`. The operator may read everything.
pub fn authorize(policies: &[AccessPolicy], caller: &Caller, link: &str) -> Result<(), QueryError> {
    let allowed = match caller {
        Caller::Operator => true,
        Caller::Context(name) => {
            policies.iter().any(|p| link.starts_with(p.prefix) && p.allowed.iter().any(|a| a == name))
        }
    };
    if allowed {
        Ok(())
    } else {
        Err(QueryError::Forbidden { caller: caller.to_string(), resource: link.to_owned() })
    }
}

/// Why a query failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum QueryError {
    #[error("forbidden: {caller} may not read `{resource}` (no access policy allows it)")]
    Forbidden { caller: String, resource: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("bad query: {0}")]
    Invalid(String),
    #[error(transparent)]
    Infrastructure(#[from] crate::unit_of_work::InfrastructureError),
}

impl From<crate::repository::LoadError> for QueryError {
    fn from(e: crate::repository::LoadError) -> Self {
        Self::Infrastructure(e.into())
    }
}

/// Why a command failed: the context refused it (the caller's business), or the system
/// could not carry it out.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HandleError<E> {
    #[error(transparent)]
    Rejected(E),
    #[error(transparent)]
    Infrastructure(#[from] crate::unit_of_work::InfrastructureError),
}

impl<E> From<crate::unit_of_work::ExecuteError<E>> for HandleError<E> {
    fn from(e: crate::unit_of_work::ExecuteError<E>) -> Self {
        e.refused_as(|e| e)
    }
}

impl<E> crate::unit_of_work::ExecuteError<E> {
    /// This failure as a use case's, naming an aggregate's refusal in the context's own
    /// language (`|e| OrdersError::Refused { order_id, error: e }`): the aggregate's error
    /// type stays inside the context, the port speaks of what the caller asked for.
    pub fn refused_as<F>(self, refusal: impl FnOnce(E) -> F) -> HandleError<F> {
        match self {
            crate::unit_of_work::ExecuteError::Rejected(e) => HandleError::Rejected(refusal(e)),
            crate::unit_of_work::ExecuteError::Infrastructure(e) => HandleError::Infrastructure(e),
        }
    }
}

impl<E> From<crate::repository::LoadError> for HandleError<E> {
    fn from(e: crate::repository::LoadError) -> Self {
        Self::Infrastructure(e.into())
    }
}

/// Why handling an incoming message failed. The runtime retries with backoff, then moves the
/// message to the dead-letter store. Business outcomes ("out of stock") are not failures:
/// they are events the handler records and publishes.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MessageError {
    #[error("message does not decode: {0}")]
    Decode(String),
    #[error("no handler `{0}` in this context")]
    UnknownHandler(String),
    #[error("handler failed: {0}")]
    Failed(String),
    #[error(transparent)]
    Infrastructure(#[from] crate::unit_of_work::InfrastructureError),
}

impl From<crate::repository::LoadError> for MessageError {
    fn from(e: crate::repository::LoadError) -> Self {
        Self::Infrastructure(e.into())
    }
}

/// A use case refusing what a message asked is a defect upstream, not a business outcome
/// (those are events): the runtime retries, then dead-letters it with the reason.
impl<E: std::fmt::Display> From<HandleError<E>> for MessageError {
    fn from(e: HandleError<E>) -> Self {
        match e {
            HandleError::Rejected(e) => Self::Failed(e.to_string()),
            HandleError::Infrastructure(e) => Self::Infrastructure(e),
        }
    }
}

/// A bounded context as the runtime hosts it: pure code that turns commands and incoming
/// messages into units of work, answers queries, and resolves the links of its
/// notifications. The runtime does every bit of I/O.
///
/// Its identity is a property of its type ([`BoundedContext::CONTEXT`]): whoever holds the
/// type knows the name, so no call site passes one beside the other. What it accepts is
/// declared one request type at a time: a [`Command`] it [`Handles`], a [`Query`] it
/// [`Answers`], each with the type of its answer, so a caller gets back exactly the type it
/// asked for and a mismatch is a compile error, not a runtime branch. What it consumes is its
/// [`Inbox`](crate::inbox::Inbox), declared with [`inbox!`](crate::inbox!), one entry per
/// message (`kernel::inbox!(Name {})` for none).
pub trait BoundedContext: crate::inbox::Inbox + Send + Sync + 'static {
    /// The context's declaration: its name, what it publishes and consumes (its `consumes` is
    /// the inbox's [`SUBSCRIPTIONS`](crate::inbox::Inbox::SUBSCRIPTIONS)).
    const CONTEXT: &'static ContextDescriptor;

    /// Why a command is refused, naming the problem: one type for the whole context, so the
    /// edge maps it once.
    type Error: std::error::Error + Send + Sync + 'static;

    /// Handles a deadline the context scheduled with `UnitOfWork::schedule`, once it is due.
    /// What it does commits atomically with the deadline's firing, so it happens once.
    fn on_deadline<R: crate::unit_of_work::Repository>(
        &self,
        key: &str,
        payload: &serde_json::Value,
        uow: &mut crate::unit_of_work::UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        let _ = (payload, uow);
        Err(MessageError::UnknownHandler(format!("deadline `{key}`")))
    }

    /// Resolves a link from one of this context's notifications for `caller`, after
    /// checking its access policy (deny by default). Contexts without notifications keep
    /// the default.
    fn resolve<R: crate::unit_of_work::Repository>(
        &self,
        caller: &Caller,
        link: &str,
        repository: &mut R,
    ) -> Result<Box<RawValue>, QueryError> {
        let _ = repository;
        authorize(&[], caller, link)?;
        Err(QueryError::NotFound(link.to_owned()))
    }
}

/// A command to one context (the HTTP API, the CLI, a test), and what accepting it answers.
/// Its type names its context, so `runtime.execute(PauseSubscription { .. })` needs nothing
/// else.
pub trait Command: std::fmt::Debug + Send + 'static {
    /// The context that handles it.
    type Context: Handles<Self>;
    /// What an accepted command answers, once durable.
    type Reply: std::fmt::Debug + Send + 'static;
}

/// A context handles this command. Everything the handler does commits atomically, or not
/// at all.
pub trait Handles<K: Command + ?Sized>: BoundedContext {
    fn handle<R: crate::unit_of_work::Repository>(
        &self,
        command: K,
        uow: &mut crate::unit_of_work::UnitOfWork<'_, R>,
    ) -> Result<K::Reply, HandleError<Self::Error>>
    where
        K: Sized;
}

/// A question to one context, answered from its durable state, and the type of the answer.
pub trait Query: std::fmt::Debug + Send + 'static {
    /// The context that answers it.
    type Context: Answers<Self>;
    type Answer: std::fmt::Debug + Send + 'static;
}

/// A context answers this query.
pub trait Answers<Q: Query + ?Sized>: BoundedContext {
    fn answer<R: crate::unit_of_work::Repository>(&self, query: Q, repository: &mut R) -> Result<Q::Answer, QueryError>
    where
        Q: Sized;
}

#[cfg(test)]
mod tests {
    use super::HandleError;
    use crate::unit_of_work::{ExecuteError, InfrastructureError};

    #[test]
    fn a_refusal_is_renamed_and_an_infrastructure_failure_kept() {
        let refused: ExecuteError<u8> = ExecuteError::Rejected(7);
        assert!(matches!(refused.refused_as(|n| format!("refused {n}")), HandleError::Rejected(s) if s == "refused 7"));
        let broken: ExecuteError<u8> =
            ExecuteError::Infrastructure(InfrastructureError::Publish { message: "m".into(), reason: "r".into() });
        assert!(matches!(broken.refused_as(|n| n.to_string()), HandleError::Infrastructure(_)));
    }
}
