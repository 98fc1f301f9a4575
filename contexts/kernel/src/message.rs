//! The envelope every cross-context message travels in. Its JSON is a valid CloudEvent 1.0
//! (structured mode) with the correlation extension (`correlationid`, `causationid`), W3C
//! `traceparent`, the claim-check `dataref`, and Bookbox's own extensions: `kind`,
//! `schemaversion` and, for commands addressed to one context, `recipient`.
//!
//! No type crosses a context boundary; this envelope and its JSON `data` do. A consumer
//! decodes `data` into its own model of the message (a tolerant reader).

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::ids::{CausationId, CorrelationId};
use crate::time::Timestamp;
use crate::typed_id;

typed_id!(
    /// The id of one message (the CloudEvents `id`): what a consumer's inbox remembers.
    MessageId
);

/// What a message is for, after the seeds: how much it carries and what the consumer does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MessageKind {
    /// Thin, with a link: the consumer asks the owner's query port for details.
    Notification,
    /// The full state (or changed fields) of an entity: the consumer keeps a replica.
    StateTransfer,
    /// What happened, with all the facts, in the producer's language.
    DomainEvent,
    /// A request addressed to one context, answered by events.
    Command,
}

impl MessageKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Notification => "notification",
            Self::StateTransfer => "state-transfer",
            Self::DomainEvent => "domain-event",
            Self::Command => "command",
        }
    }
}

impl fmt::Display for MessageKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A CloudEvent 1.0 in structured JSON mode.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Envelope {
    pub specversion: String,
    pub id: MessageId,
    /// The producing context, as a URI reference: `/bookbox/<context>`.
    pub source: String,
    /// Versioned type name: `bookbox.<context>.<message>.v<N>`.
    #[serde(rename = "type")]
    pub message_type: String,
    /// The entity the message is about (e.g. a customer id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub time: Timestamp,
    pub datacontenttype: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataschema: Option<String>,
    pub kind: MessageKind,
    pub schemaversion: u32,
    pub correlationid: CorrelationId,
    pub causationid: CausationId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub traceparent: Option<String>,
    /// For commands: the one context that must handle the message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipient: Option<String>,
    /// Claim check: where the payload was stored when it was too large to carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dataref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Box<RawValue>>,
}

impl Envelope {
    pub const SPEC_VERSION: &'static str = "1.0";
    pub const JSON: &'static str = "application/json";

    /// The source attribute of a context's messages.
    pub fn source_of(context: &str) -> String {
        format!("/bookbox/{context}")
    }

    /// The context that produced this message, read from `source`.
    pub fn source_context(&self) -> Option<&str> {
        self.source.strip_prefix("/bookbox/")
    }
}

/// Builds the versioned type name of a message: `bookbox.<context>.<name>.v<version>`.
pub fn message_type(context: &str, name: &str, version: u32) -> String {
    format!("bookbox.{context}.{name}.v{version}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::SequentialIds;

    #[test]
    fn an_envelope_is_a_cloudevent_with_our_extensions() {
        let ids = SequentialIds::new(1);
        let envelope = Envelope {
            specversion: Envelope::SPEC_VERSION.into(),
            id: MessageId::generate(&ids),
            source: Envelope::source_of("billing"),
            message_type: message_type("billing", "payment-captured", 1),
            subject: Some("order-1".into()),
            time: Timestamp::from_micros(0),
            datacontenttype: Envelope::JSON.into(),
            dataschema: Some("/schemas/billing/payment-captured.v1.json".into()),
            kind: MessageKind::DomainEvent,
            schemaversion: 1,
            correlationid: CorrelationId::generate(&ids),
            causationid: CausationId::generate(&ids),
            traceparent: None,
            recipient: None,
            dataref: None,
            data: Some(RawValue::from_string(r#"{"amount_cents":1999}"#.into()).unwrap()),
        };
        let json: serde_json::Value = serde_json::to_value(&envelope).unwrap();
        for attr in ["id", "source", "specversion", "type", "time", "datacontenttype", "kind"] {
            assert!(json.get(attr).is_some(), "missing CloudEvents attribute {attr}");
        }
        assert_eq!(json["kind"], "domain-event");
        assert_eq!(json["type"], "bookbox.billing.payment-captured.v1");
        let back: Envelope = serde_json::from_value(json).unwrap();
        assert_eq!(back.source_context(), Some("billing"));
        assert_eq!(back.data.unwrap().get(), r#"{"amount_cents":1999}"#);
    }
}
