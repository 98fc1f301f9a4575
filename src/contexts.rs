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
