//! The registry of bounded contexts this binary hosts. Adding a context means adding it here
//! (and as a dependency); the runtime, the architecture tests and the context map all read
//! this list.

use std::sync::Arc;

use kernel::context::ContextDescriptor;

use crate::runtime::Runtime;

/// Every hosted context's declaration, in the order they are hosted.
pub fn descriptors() -> Vec<&'static ContextDescriptor> {
    vec![
        &customers::CONTEXT,
        &subscriptions::CONTEXT,
        &inventory::CONTEXT,
        &curation::CONTEXT,
        &orders::CONTEXT,
        &billing::CONTEXT,
        &shipping::CONTEXT,
        &reporting::CONTEXT,
    ]
}

/// The outside world the contexts reach through their outbound ports.
#[derive(Clone)]
pub struct OutsideWorld {
    pub payment_gateway: Arc<dyn billing::ports::PaymentGateway>,
    pub carrier: Arc<dyn shipping::ports::Carrier>,
}

impl OutsideWorld {
    /// A world where every card is good and every parcel arrives: for tests.
    pub fn perfect(clock: Arc<dyn kernel::Clock>) -> Self {
        use crate::adapters::{carrier, payment_gateway};
        let gateway = payment_gateway::SimulatedGateway::new(payment_gateway::SimulationConfig::default(), clock)
            .expect("the default gateway configuration is valid");
        Self { payment_gateway: Arc::new(gateway), carrier: Arc::new(carrier::SimulatedCarrier::perfect(0)) }
    }
}

/// Hosts every context on a runtime.
pub fn host_all(runtime: Runtime, world: &OutsideWorld) -> Runtime {
    runtime
        .host(customers::Customers)
        .host(subscriptions::Subscriptions)
        .host(inventory::InventoryContext)
        .host(curation::CurationContext)
        .host(orders::application::Orders)
        .host(billing::Billing::new(world.payment_gateway.clone()))
        .host(shipping::Shipping::new(world.carrier.clone()))
        .host(reporting::ReportingContext)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kernel::context::{BoundedContext, MessageError};
    use kernel::inbox::declared_by_inbox;
    use kernel::testing::{incoming, ContextHarness};
    use kernel::time::ManualClock;
    use kernel::{MessageKind, Timestamp};

    use super::{descriptors, OutsideWorld};

    /// `C` consumes through its inbox alone: its declaration lists exactly the inbox's
    /// subscriptions, each handler id once, and the inbox refuses an id it does not declare.
    /// Returns the context's name.
    fn consumes_through_its_inbox_alone<C: BoundedContext>(context: C) -> &'static str {
        let name = C::CONTEXT.name;
        declared_by_inbox::<C>().unwrap_or_else(|drift| panic!("{drift}"));
        for subscription in C::CONTEXT.consumes {
            let same = C::CONTEXT.consumes.iter().filter(|s| s.handler_id == subscription.handler_id).count();
            assert_eq!(same, 1, "{name}: handler `{}` is declared {same} times", subscription.handler_id);
        }
        let harness = ContextHarness::new(context);
        let message = incoming(&harness.ids, "elsewhere", "anything", 1, MessageKind::DomainEvent, "subject", "{}");
        let unknown = format!("{name}.on-nothing");
        assert_eq!(
            harness.deliver_to(&unknown, &message),
            Err(MessageError::UnknownHandler(unknown.clone())),
            "{name}"
        );
        name
    }

    #[test]
    fn every_hosted_context_consumes_through_its_inbox_alone() {
        let clock = Arc::new(ManualClock::new(Timestamp::parse("2026-01-01T00:00:00Z").expect("a timestamp")));
        let world = OutsideWorld::perfect(clock);
        let checked = [
            consumes_through_its_inbox_alone(customers::Customers),
            consumes_through_its_inbox_alone(subscriptions::Subscriptions),
            consumes_through_its_inbox_alone(inventory::InventoryContext),
            consumes_through_its_inbox_alone(curation::CurationContext),
            consumes_through_its_inbox_alone(orders::application::Orders),
            consumes_through_its_inbox_alone(billing::Billing::new(world.payment_gateway.clone())),
            consumes_through_its_inbox_alone(shipping::Shipping::new(world.carrier.clone())),
            consumes_through_its_inbox_alone(reporting::ReportingContext),
        ];
        let hosted: Vec<_> = descriptors().iter().map(|d| d.name).collect();
        assert_eq!(checked.to_vec(), hosted, "every hosted context is checked");
    }
}
