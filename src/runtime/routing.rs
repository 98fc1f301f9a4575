//! The routing rule of the bus, written once: which published messages a context receives.
//! The router delivers by it, and read-your-writes waits ([`super::waits`]) wait by it, so the
//! two cannot disagree about who must have processed a message.

use kernel::message::{Envelope, MessageKind};

/// Whether `consumer`, subscribed to `envelope`'s type, receives it when `source` published
/// it: a context hears its own messages only when they are commands (sent to itself), and a
/// command goes to its recipient alone.
pub(crate) fn receives(consumer: &str, source: &str, envelope: &Envelope) -> bool {
    match envelope.kind {
        MessageKind::Command => envelope.recipient.as_deref() == Some(consumer),
        _ => consumer != source,
    }
}

#[cfg(test)]
mod tests {
    use kernel::ids::SequentialIds;
    use kernel::message::{Envelope, MessageKind};
    use kernel::testing::incoming;

    use super::receives;

    fn message(kind: MessageKind, recipient: Option<&str>) -> Envelope {
        let ids = SequentialIds::new(1);
        let mut envelope = incoming(&ids, "orders", "thing", 1, kind, "s", "{}");
        envelope.recipient = recipient.map(str::to_owned);
        envelope
    }

    #[test]
    fn events_go_to_other_contexts_and_commands_to_their_recipient_only() {
        let event = message(MessageKind::DomainEvent, None);
        assert!(receives("billing", "orders", &event));
        assert!(!receives("orders", "orders", &event), "a context does not hear its own events");
        let command = message(MessageKind::Command, Some("billing"));
        assert!(receives("billing", "orders", &command));
        assert!(!receives("shipping", "orders", &command), "a command is for its recipient");
        let to_itself = message(MessageKind::Command, Some("orders"));
        assert!(receives("orders", "orders", &to_itself), "a context may send itself a command");
    }
}
