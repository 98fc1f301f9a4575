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
//!             => CustomerProfile => replicas::customer,
//!     }
//! }
//! ```
//!
//! The model is a [`ConsumerModel`]: the tolerant reader the payload decodes into, and its
//! [`read`](ConsumerModel::read) into the consumer's own terms (a payload that decodes but
//! carries what the consumer cannot use is refused there, naming the field). A model taken as
//! it decodes is written [`AsIs<T>`]. The subscription's `decode` (what the architecture tests
//! run on every producer's examples) and the live dispatch both decode and read through the
//! same model, so they cannot disagree.
//!
//! A handler is `fn(&Context, Model::Read, &Envelope, &mut UnitOfWork<'_, R>) -> Result<(), E>`
//! with `MessageError: From<E>`: the context, the message in the consumer's terms, the
//! envelope (for the message's id, subject and links), and the unit of work that commits with
//! the inbox mark.

use std::any::Any;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::context::{BoundedContext, MessageError, Subscription};
use crate::message::Envelope;
use crate::unit_of_work::{decode_raw, Repository, UnitOfWork};

/// The messages a context consumes and how it handles each. Implemented by
/// [`inbox!`](crate::inbox!); a context that consumes nothing writes `kernel::inbox!(Name {})`.
pub trait Inbox {
    /// One per consumed message: what the runtime routes by and the context map shows. The
    /// context's `CONTEXT.consumes` is this list.
    const SUBSCRIPTIONS: &'static [Subscription];

    /// Decodes `message` into the model of handler `handler_id`, reads it into the context's
    /// terms and handles it. What it does commits atomically with the inbox mark.
    fn on_message<R: Repository>(
        &self,
        handler_id: &str,
        message: &Envelope,
        uow: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError>;

    /// Decodes and reads a payload as handler `handler_id` would, without handling it, when its
    /// model reads as a `T`: for a consumer that also reads messages outside the inbox
    /// (reporting's rebuild), through the same entries. Another `T` is an error naming both.
    fn read_as<T: 'static>(handler_id: &str, data: &RawValue) -> Result<T, MessageError>;
}

/// A consumer's own model of one message it consumes (its tolerant reader): what it decodes
/// the payload into, and how it reads that into the consumer's terms.
pub trait ConsumerModel: DeserializeOwned {
    /// The message in the consumer's terms: what the handler takes.
    type Read: 'static;

    /// Reads the decoded payload into the consumer's terms, or says why it cannot (naming the
    /// field): the runtime dead-letters such a message as a decode error.
    fn read(self) -> Result<Self::Read, String>;
}

/// A model taken as it decodes: the handler gets the `T` itself.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub struct AsIs<T>(pub T);

impl<T: DeserializeOwned + 'static> ConsumerModel for AsIs<T> {
    type Read = T;

    fn read(self) -> Result<T, String> {
        Ok(self.0)
    }
}

/// Decodes a payload into the model `M` and reads it into the consumer's terms.
pub fn read<M: ConsumerModel>(data: &RawValue) -> Result<M::Read, MessageError> {
    let model: M = decode_raw(data).map_err(MessageError::Decode)?;
    model.read().map_err(MessageError::Decode)
}

/// [`read`] of a delivered message's data.
pub fn read_message<M: ConsumerModel>(message: &Envelope) -> Result<M::Read, MessageError> {
    let data =
        message.data.as_deref().ok_or_else(|| MessageError::Decode(format!("message {} has no data", message.id)))?;
    read::<M>(data)
}

/// A subscription's `decode`: whether the consumer reads the payload, and if not why.
pub fn check<M: ConsumerModel>(data: &RawValue) -> Result<(), String> {
    read::<M>(data).map(|_| ()).map_err(|e| e.to_string())
}

/// Whether `C` declares what its inbox consumes and nothing else: its `CONTEXT.consumes` lists
/// the inbox's subscriptions (same handler ids, types and kinds, in the same order).
pub fn declared_by_inbox<C: BoundedContext>() -> Result<(), String> {
    let key = |s: &Subscription| (s.handler_id, s.message_type, s.kind);
    let declared: Vec<_> = C::CONTEXT.consumes.iter().map(key).collect();
    let inbox: Vec<_> = C::SUBSCRIPTIONS.iter().map(key).collect();
    if declared == inbox {
        Ok(())
    } else {
        Err(format!(
            "context `{}` declares it consumes {declared:?}, but its inbox handles {inbox:?}: write \
             `consumes: <Context as kernel::inbox::Inbox>::SUBSCRIPTIONS`",
            C::CONTEXT.name
        ))
    }
}

/// The reading `read` of handler `handler_id`'s model, as the `T` asked for (used by
/// [`Inbox::read_as`]).
#[doc(hidden)]
pub fn reading_as<R: 'static, T: 'static>(handler_id: &str, read: R) -> Result<T, MessageError> {
    let mut slot = Some(read);
    (&mut slot as &mut dyn Any).downcast_mut::<Option<T>>().and_then(Option::take).ok_or_else(|| {
        MessageError::Failed(format!(
            "handler `{handler_id}` reads its message as {}, not as {}",
            std::any::type_name::<R>(),
            std::any::type_name::<T>()
        ))
    })
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
                    decode: $crate::inbox::check::<$model>,
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
                            let read = $crate::inbox::read_message::<$model>(message)?;
                            $handle(self, read, message, uow).map_err(::core::convert::Into::into)
                        }
                    )*
                    other => {
                        let _ = (message, uow);
                        Err($crate::context::MessageError::UnknownHandler(other.to_owned()))
                    }
                }
            }

            fn read_as<T: 'static>(
                handler_id: &str,
                data: &$crate::__private::RawValue,
            ) -> ::core::result::Result<T, $crate::context::MessageError> {
                match handler_id {
                    $(
                        $handler_id => $crate::inbox::reading_as(handler_id, $crate::inbox::read::<$model>(data)?),
                    )*
                    other => {
                        let _ = data;
                        Err($crate::context::MessageError::UnknownHandler(other.to_owned()))
                    }
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{declared_by_inbox, ConsumerModel, Inbox};
    use crate::context::MessageError;
    use crate::ids::SequentialIds;
    use crate::memory::InMemoryEventStore;
    use crate::message::{Envelope, MessageKind};
    use crate::testing::incoming;
    use crate::testing::sample::CounterContext;
    use crate::time::{Clock, ManualClock, Timestamp};
    use crate::unit_of_work::{Repository, StoreRepository, UnitOfWork};

    fn deliver<C: Inbox>(context: &C, handler_id: &str, data: &str) -> Result<(), MessageError> {
        let ids = SequentialIds::new(1);
        let clock = std::sync::Arc::new(ManualClock::new(Timestamp::parse("2026-01-01T00:00:00Z").unwrap()));
        let store = InMemoryEventStore::new("counting", clock.clone());
        let message = incoming(&ids, "elsewhere", "thing-happened", 1, MessageKind::DomainEvent, "7", data);
        let mut repository = StoreRepository(&store);
        let cause = crate::ids::CausationId::generate(&ids);
        let mut uow = UnitOfWork::new(&mut repository, "counting", clock.now(), &ids, cause.as_correlation(), cause);
        context.on_message(handler_id, &message, &mut uow)
    }

    fn on(handler_id: &str, data: &str) -> Result<(), MessageError> {
        deliver(&CounterContext, handler_id, data)
    }

    fn raw(json: &str) -> Box<serde_json::value::RawValue> {
        serde_json::value::RawValue::from_string(json.into()).unwrap()
    }

    #[test]
    fn one_entry_gives_the_subscription_and_its_typed_handler() {
        let [subscription] = CounterContext::SUBSCRIPTIONS else { panic!("one entry, one subscription") };
        assert_eq!(subscription.handler_id, "counting.on-thing-happened");
        assert_eq!(subscription.message_type, "bookbox.elsewhere.thing-happened.v1");
        assert_eq!(subscription.kind, MessageKind::DomainEvent);
        assert!((subscription.decode)(&raw(r#"{"counter":1}"#)).is_ok());
        assert!((subscription.decode)(&raw(r#"{"count":1}"#)).unwrap_err().contains("counter"));
        assert_eq!(on("counting.on-thing-happened", r#"{"counter":7}"#), Ok(()));
        assert_eq!(declared_by_inbox::<CounterContext>(), Ok(()));
    }

    #[test]
    fn a_payload_the_model_refuses_and_an_unknown_handler_are_errors() {
        assert!(matches!(on("counting.on-thing-happened", r#"{"nope":1}"#), Err(MessageError::Decode(_))));
        assert_eq!(
            on("counting.on-something-else", r#"{"counter":7}"#),
            Err(MessageError::UnknownHandler("counting.on-something-else".into()))
        );
    }

    /// A consumer whose model reads only positive amounts, to show the reading step.
    struct Picky;

    #[derive(Debug, serde::Deserialize)]
    struct Amount {
        amount: i64,
    }

    /// Picky's own term: an amount it can take.
    #[derive(Debug, PartialEq)]
    struct Positive(u64);

    impl ConsumerModel for Amount {
        type Read = Positive;

        fn read(self) -> Result<Positive, String> {
            u64::try_from(self.amount)
                .ok()
                .filter(|&a| a > 0)
                .map(Positive)
                .ok_or_else(|| format!("amount: {} is not positive", self.amount))
        }
    }

    fn take<R: Repository>(
        _: &Picky,
        amount: Positive,
        _: &Envelope,
        _: &mut UnitOfWork<'_, R>,
    ) -> Result<(), MessageError> {
        assert!(amount.0 > 0, "the handler gets only what the model read");
        Ok(())
    }

    crate::inbox! {
        Picky {
            "picky.on-amount": DomainEvent "bookbox.elsewhere.amount.v1" => Amount => take,
        }
    }

    #[test]
    fn what_decodes_but_does_not_read_is_refused_alike_by_the_check_and_the_dispatch() {
        let [subscription] = Picky::SUBSCRIPTIONS else { panic!("one entry") };
        assert_eq!((subscription.decode)(&raw(r#"{"amount":3}"#)), Ok(()));
        let why = "amount: -3 is not positive";
        assert_eq!((subscription.decode)(&raw(r#"{"amount":-3}"#)), Err(format!("message does not decode: {why}")));
        assert_eq!(deliver(&Picky, "picky.on-amount", r#"{"amount":-3}"#), Err(MessageError::Decode(why.into())));
        assert_eq!(deliver(&Picky, "picky.on-amount", r#"{"amount":3}"#), Ok(()));
    }

    #[test]
    fn a_payload_is_read_by_handler_id_outside_the_inbox_through_the_same_entry() {
        assert_eq!(Picky::read_as::<Positive>("picky.on-amount", &raw(r#"{"amount":3}"#)), Ok(Positive(3)));
        assert!(matches!(
            Picky::read_as::<Positive>("picky.on-amount", &raw(r#"{"amount":0}"#)),
            Err(MessageError::Decode(why)) if why == "amount: 0 is not positive"
        ));
        assert!(matches!(
            Picky::read_as::<String>("picky.on-amount", &raw(r#"{"amount":3}"#)),
            Err(MessageError::Failed(why)) if why.contains("Positive") && why.contains("String")
        ));
        assert_eq!(
            Picky::read_as::<Positive>("picky.on-nothing", &raw("{}")),
            Err(MessageError::UnknownHandler("picky.on-nothing".into()))
        );
    }

    #[test]
    fn a_declaration_that_lists_other_subscriptions_than_the_inbox_is_named() {
        struct Drifted;
        static DRIFTED: crate::context::ContextDescriptor = crate::context::ContextDescriptor {
            name: "drifted",
            purpose: "Declares a message its inbox does not handle.",
            publishes: &[],
            consumes: &[crate::context::Subscription {
                handler_id: "drifted.on-amount",
                message_type: "bookbox.elsewhere.amount.v1",
                kind: MessageKind::DomainEvent,
                decode: super::check::<Amount>,
            }],
            sends: &[],
            upstreams: &[],
        };
        impl crate::context::BoundedContext for Drifted {
            const CONTEXT: &'static crate::context::ContextDescriptor = &DRIFTED;
            type Error = std::convert::Infallible;
        }
        crate::inbox!(Drifted {});
        let drift = declared_by_inbox::<Drifted>().unwrap_err();
        assert!(drift.contains("drifted.on-amount") && drift.contains("SUBSCRIPTIONS"), "{drift}");
    }
}
