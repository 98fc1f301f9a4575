//! The ids reporting reports by. Other contexts assign them; reporting only reads them, so
//! they are typed (an order id is never taken for a customer's) but never generated here.

kernel::typed_id!(
    /// A box order, as orders and billing name it (billing keys its payments by order).
    OrderId
);

kernel::typed_id!(
    /// A person: who receives a box (orders' `customer_id`) or who pays for it (`payer_id`,
    /// which differs for gifts). Lifetime value is the payer's.
    CustomerId
);
