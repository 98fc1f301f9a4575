//! Ids in curation's model. Customers and subscriptions are named by the ids their owners
//! gave them (curation holds them, never their owners' types); a curated box gets its own.

kernel::typed_id!(
    /// A customer, as customers named them: the subscriber who receives a box, or the payer.
    CustomerId
);

kernel::typed_id!(
    /// A subscription, as subscriptions named it.
    SubscriptionId
);

kernel::typed_id!(
    /// A curated box: the books chosen for one subscriber for one month.
    BoxId
);
