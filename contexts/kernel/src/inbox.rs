//! What a context consumes, declared once per message: the [`inbox!`](crate::inbox!) macro
//! turns one entry (stable handler id, kind, CloudEvents type, the consumer's own model of
//! the payload, its handler) into both the subscription the runtime routes by and the typed
//! dispatch to the handler. Adding a consumed message is adding one entry.
//!
//! ```text
//! kernel::inbox! {
//!     Curation {
//!         /// Keeps curation's replica of each customer's genre preferences.
//!         "curation.on-customer-profile": StateTransfer "bookbox.customers.customer-profile.v1"
//!             => CustomerProfileIn => replicas::customer,
//!     }
//! }
//! ```
//!
//! A handler is `fn(&Context, Model, &Envelope, &mut UnitOfWork<'_, R>) -> Result<(), E>`
//! with `MessageError: From<E>`: the context, the payload decoded into the consumer's model
//! (its tolerant reader), the envelope (for the message's id, subject and links), and the
//! unit of work that commits with the inbox mark.

use crate::context::{MessageError, Subscription};
use crate::message::Envelope;
use crate::unit_of_work::{Repository, UnitOfWork};

/// The messages a context consumes and how it handles each. Implemented by
/// [`inbox!`](crate::inbox!); a context that consumes nothing writes `kernel::inbox!(Name {})`.
pub trait Inbox {
    /// One per consumed message: what the runtime routes by and the context map shows.
    const SUBSCRIPTIONS: &'static [Subscription];

    /// Decodes `message` into the model of handler `handler_id` and handles it.
    fn on_message<R: Repository>(
        &self,
        handler_id: &str,
        message: &Envelope,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError>;
}

/// Declares what a context consumes; see the [module documentation](crate::inbox).
#[macro_export]
macro_rules! inbox {
    ($context:ty {
        $(
            $(#[$doc:meta])*
            $handler_id:literal : $kind:ident $message_type:literal => $model:ty => $handle:path
        ),* $(,)?
    }) => {
        impl $crate::inbox::Inbox for $context {
            // Each entry's doc comment is for the reader of the inbox; it is not kept.
            const SUBSCRIPTIONS: &'static [$crate::context::Subscription] = &[$(
                $crate::context::Subscription {
                    handler_id: $handler_id,
                    message_type: $message_type,
                    kind: $crate::message::MessageKind::$kind,
                    decode: |raw| $crate::unit_of_work::decode_raw::<$model>(raw).map(|_| ()),
                },
            )*];

            fn on_message<R: $crate::unit_of_work::Repository>(
                &self,
                handler_id: &str,
                message: &$crate::message::Envelope,
                uow: &mut $crate::unit_of_work::UnitOfWork<'_, R>,
            ) -> ::core::result::Result<(), $crate::context::MessageError> {
                match handler_id {
                    $(
                        $handler_id => {
                            let model: $model = $crate::unit_of_work::decode_data(message)
                                .map_err($crate::context::MessageError::Decode)?;
                            $handle(self, model, message, uow).map_err(::core::convert::Into::into)
                        }
                    )*
                    other => {
                        let _ = (message, uow);
                        Err($crate::context::MessageError::UnknownHandler(other.to_owned()))
                    }
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Inbox;
    use crate::context::MessageError;
    use crate::ids::SequentialIds;
    use crate::memory::InMemoryEventStore;
    use crate::message::MessageKind;
    use crate::testing::incoming;
    use crate::testing::sample::CounterContext;
    use crate::time::{Clock, ManualClock, Timestamp};
    use crate::unit_of_work::{StoreRepository, UnitOfWork};

    fn on(handler_id: &str, data: &str) -> Result<(), MessageError> {
        let ids = SequentialIds::new(1);
        let clock = std::sync::Arc::new(ManualClock::new(Timestamp::parse("2026-01-01T00:00:00Z").unwrap()));
        let store = InMemoryEventStore::new("counting", clock.clone());
        let message = incoming(&ids, "elsewhere", "thing-happened", 1, MessageKind::DomainEvent, "7", data);
        let mut repository = StoreRepository(&store);
        let cause = crate::ids::CausationId::generate(&ids);
        let mut uow = UnitOfWork::new(&mut repository, "counting", clock.now(), &ids, cause.as_correlation(), cause);
        CounterContext.on_message(handler_id, &message, &mut uow)
    }

    #[test]
    fn one_entry_gives_the_subscription_and_its_typed_handler() {
        let [subscription] = CounterContext::SUBSCRIPTIONS else { panic!("one entry, one subscription") };
        assert_eq!(subscription.handler_id, "counting.on-thing-happened");
        assert_eq!(subscription.message_type, "bookbox.elsewhere.thing-happened.v1");
        assert_eq!(subscription.kind, MessageKind::DomainEvent);
        let good = serde_json::value::RawValue::from_string(r#"{"counter":1}"#.into()).unwrap();
        let bad = serde_json::value::RawValue::from_string(r#"{"count":1}"#.into()).unwrap();
        assert!((subscription.decode)(&good).is_ok());
        assert!((subscription.decode)(&bad).unwrap_err().contains("counter"));
        assert_eq!(on("counting.on-thing-happened", r#"{"counter":7}"#), Ok(()));
    }

    #[test]
    fn a_payload_the_model_refuses_and_an_unknown_handler_are_errors() {
        assert!(matches!(on("counting.on-thing-happened", r#"{"nope":1}"#), Err(MessageError::Decode(_))));
        assert_eq!(
            on("counting.on-something-else", r#"{"counter":7}"#),
            Err(MessageError::UnknownHandler("counting.on-something-else".into()))
        );
    }
}
