//! The ids shipping keys its aggregates by.

kernel::typed_id!(
    /// A shipment, as the orders context named it when it asked for it (so a repeated request
    /// names the same shipment): the key of a `Shipment`.
    ShipmentId
);

kernel::typed_id!(
    /// An order of the orders context. Shipping knows an order only by its id: what it carries
    /// is in the shipment's parcel, who pays is none of shipping's business.
    OrderId
);
