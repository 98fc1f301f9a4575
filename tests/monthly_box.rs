//! The monthly box, end to end: all the contexts for 200 subscribers, two warehouses and
//! three months, with 10% card declines, 5% gateway errors and 2% damage in transit, from a
//! fixed seed. Every order ends; stock and money are conserved; no one is charged twice.
//! The seed fixes the workload and every decision of the simulated gateway and carrier, so
//! a failing run reproduces.

use std::sync::Arc;

use bookbox::contexts::host_all;
use bookbox::runtime::storage::MemoryStorage;
use bookbox::runtime::{Runtime, RuntimeConfig};
use bookbox::simulation::{self, SimulationConfig};
use kernel::ids::SequentialIds;
use kernel::time::ManualClock;

#[test]
fn every_order_ends_and_stock_and_money_are_conserved() {
    let config = SimulationConfig {
        subscribers: 200,
        months: 3,
        seed: 20261122,
        decline_rate: 0.10,
        gateway_error_rate: 0.05,
        damage_rate: 0.02,
        ..SimulationConfig::default()
    };
    let clock = Arc::new(ManualClock::new(config.start));
    let world = simulation::outside_world(&config, clock.clone()).unwrap();
    let storage = Arc::new(MemoryStorage::new(clock.clone()));
    let runtime_config = RuntimeConfig { tick_every: None, ..RuntimeConfig::default() };
    let runtime = host_all(
        Runtime::new(storage, clock.clone(), Arc::new(SequentialIds::new(config.seed)), runtime_config),
        &world,
    )
    .start()
    .unwrap();
    let report = simulation::run(&runtime, &clock, &config, None, &mut |_| {}).unwrap();
    runtime.shutdown();

    for invariant in &report.invariants {
        assert!(invariant.holds(), "{}: {:?}\n{report}", invariant.name, invariant.violations);
    }
    assert_eq!(report.orders_open, 0, "{report}");
    let ended: u64 = report.orders_by_end_state.values().sum();
    assert!(ended > 300, "three months of boxes became orders: {report}");
    assert!(report.orders_by_end_state.get("delivered").copied().unwrap_or(0) > ended / 2, "{report}");
    // The faults happened, and the system recovered from them.
    assert!(report.card_retries_recovered > 0, "declined cards were charged again later: {report}");
    assert!(report.refunds > 0, "damaged parcels were refunded: {report}");
    // Damage is choreographed: billing refunded (above) and inventory recorded the loss, each
    // on its own. The invariant "inventory lost exactly the copies of every damaged parcel"
    // (checked with the others above) compares inventory's ledgers with the damaged orders'
    // books; these make sure it had something to compare.
    assert!(report.damaged_shipments > 0, "the carrier damaged some parcels: {report}");
    assert!(report.copies_lost_in_shipment > 0, "inventory recorded the loss: {report}");
    assert!(
        report.invariants.iter().any(|i| i.name == "inventory lost exactly the copies of every damaged parcel"),
        "{report}"
    );
    assert!(report.revenue_total_cents > 0);
}
