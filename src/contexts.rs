//! The registry of bounded contexts this binary hosts. Adding a context means adding it here
//! (and as a dependency); the runtime, the architecture tests and the context map all read
//! this list.

use kernel::context::ContextDescriptor;

/// Every hosted context's declaration.
pub fn descriptors() -> Vec<&'static ContextDescriptor> {
    Vec::new()
}
