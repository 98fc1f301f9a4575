//! Test helpers shared by the simulated gateway's tests and the resilience wrapper's.

use std::sync::Arc;

use billing::ports::{Amount, ChargeRequest};
use kernel::time::{ManualClock, Timestamp};
use uuid::Uuid;

use super::{SimulatedGateway, SimulationConfig};

pub(super) fn t0() -> Timestamp {
    Timestamp::parse("2026-01-01T00:00:00Z").unwrap()
}

pub(super) fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(t0()))
}

pub(super) fn request(order: u128, attempt: u8) -> ChargeRequest {
    ChargeRequest {
        idempotency_key: format!("payment-{order}-{attempt}"),
        order_id: Uuid::from_u128(order),
        payment_id: Uuid::from_u128(order + 1_000_000),
        payer_id: Uuid::from_u128(7),
        amount: Amount::usd(3499),
        attempt,
    }
}

pub(super) fn simulated(config: SimulationConfig, clock: Arc<ManualClock>) -> Arc<SimulatedGateway> {
    Arc::new(SimulatedGateway::new(config, clock).unwrap())
}
