//! The registry of bounded contexts this binary hosts. Adding a context means adding it here
//! (and as a dependency); the runtime, the architecture tests and the context map all read
//! this list.

use kernel::context::{BoundedContext, ContextDescriptor};

use crate::runtime::Runtime;

/// Every hosted context's declaration, in the order they are hosted.
pub fn descriptors() -> Vec<&'static ContextDescriptor> {
    vec![
        customers::Customers.descriptor(),
        subscriptions::Subscriptions.descriptor(),
        inventory::InventoryContext.descriptor(),
        curation::CurationContext.descriptor(),
    ]
}

/// Hosts every context on a runtime.
pub fn host_all(runtime: Runtime) -> Runtime {
    runtime
        .host(customers::Customers)
        .host(subscriptions::Subscriptions)
        .host(inventory::InventoryContext)
        .host(curation::CurationContext)
}
