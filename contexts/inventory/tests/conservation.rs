//! The conservation law of a book, through the whole context: whatever happens (receipts,
//! reservations, releases, shipments, damage, loss, parcels damaged in transit as shipping
//! reports them, transfers dispatched and received between Dallas and Chicago), summed over
//! the warehouses
//!
//! ```text
//! received = on_hand + shipped + damaged + lost + in_transit
//! ```
//!
//! with copies in transit counted once, at the source, until the destination receives them.
//! Also: reserved never above on hand at any warehouse, the last `book-availability`
//! published always agrees with the ledgers, and the copies lost in shipment are exactly those
//! of the orders whose reservations say they were lost, however often shipping reported it.

use inventory::ports::queries::{Reservation, Stock};
use inventory::ports::{
    AddBook, DispatchTransfer, ReceiveShipment, ReceiveTransfer, RecordDamagedCopies, RecordLostCopies,
    ReleaseReservation, ReservationStatus, ReserveStock, ShipReservation, StockLine,
};
use inventory::InventoryContext;
use kernel::testing::{incoming, ContextHarness};
use kernel::MessageKind;
use proptest::prelude::*;
use serde_json::Value;

const DUNE: &str = "9780306406157";
const WAREHOUSES: [&str; 2] = ["dallas", "chicago"];

#[derive(Debug, Clone)]
enum Step {
    Receive {
        at: usize,
        quantity: u32,
    },
    Reserve {
        order: u8,
        at: usize,
        quantity: u32,
    },
    Release {
        order: u8,
    },
    Ship {
        order: u8,
    },
    Damage {
        at: usize,
        quantity: u32,
    },
    Lose {
        at: usize,
        quantity: u32,
    },
    Dispatch {
        from: usize,
        quantity: u32,
    },
    /// Receive the n-th transfer still in transit (modulo how many there are).
    ReceiveTransfer {
        nth: usize,
    },
    /// Shipping reports a parcel carrying these orders damaged in transit.
    ShipmentDamaged {
        orders: Vec<u8>,
    },
}

fn steps() -> impl Strategy<Value = Vec<Step>> {
    let at = 0usize..2;
    let quantity = 1u32..8;
    let order = 0u8..4;
    let step = prop_oneof![
        3 => (at.clone(), quantity.clone()).prop_map(|(at, quantity)| Step::Receive { at, quantity }),
        3 => (order.clone(), at.clone(), quantity.clone()).prop_map(|(order, at, quantity)| Step::Reserve { order, at, quantity }),
        1 => order.clone().prop_map(|order| Step::Release { order }),
        2 => order.prop_map(|order| Step::Ship { order }),
        1 => (at.clone(), quantity.clone()).prop_map(|(at, quantity)| Step::Damage { at, quantity }),
        1 => (at.clone(), quantity.clone()).prop_map(|(at, quantity)| Step::Lose { at, quantity }),
        2 => (at, quantity).prop_map(|(from, quantity)| Step::Dispatch { from, quantity }),
        2 => (0usize..4).prop_map(|nth| Step::ReceiveTransfer { nth }),
        2 => proptest::collection::vec(0u8..4, 1..3).prop_map(|orders| Step::ShipmentDamaged { orders }),
    ];
    proptest::collection::vec(step, 1..40)
}

fn order_id(order: u8) -> String {
    format!("00000000-0000-0000-0000-0000000000{order:02}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn copies_are_conserved_across_warehouses_and_transfers(steps in steps()) {
        let mut harness = ContextHarness::new(InventoryContext);
        harness
            .execute(AddBook { isbn: DUNE.into(), title: "Dune".into(), genres: vec!["fantasy".into()] })
            .unwrap();
        let mut in_transit: Vec<(String, String)> = Vec::new();
        for step in steps {
            // Each command answers its own type; only a dispatched transfer is kept.
            let dispatched = match step {
                Step::Receive { at, quantity } => harness
                    .execute(ReceiveShipment { isbn: DUNE.into(), warehouse: WAREHOUSES[at].into(), quantity })
                    .map(|_| None),
                Step::Reserve { order, at, quantity } => harness
                    .execute(ReserveStock {
                        order_id: order_id(order),
                        warehouse: WAREHOUSES[at].into(),
                        lines: vec![StockLine { isbn: DUNE.into(), quantity }],
                    })
                    .map(|_| None),
                Step::Release { order } => harness.execute(ReleaseReservation { order_id: order_id(order) }).map(|_| None),
                Step::Ship { order } => harness.execute(ShipReservation { order_id: order_id(order) }).map(|_| None),
                Step::Damage { at, quantity } => harness
                    .execute(RecordDamagedCopies { isbn: DUNE.into(), warehouse: WAREHOUSES[at].into(), quantity })
                    .map(|_| None),
                Step::Lose { at, quantity } => harness
                    .execute(RecordLostCopies { isbn: DUNE.into(), warehouse: WAREHOUSES[at].into(), quantity })
                    .map(|_| None),
                Step::Dispatch { from, quantity } => harness
                    .execute(DispatchTransfer {
                        isbn: DUNE.into(),
                        from: WAREHOUSES[from].into(),
                        to: WAREHOUSES[1 - from].into(),
                        quantity,
                    })
                    .map(Some),
                Step::ReceiveTransfer { nth } if !in_transit.is_empty() => {
                    let (from, transfer_id) = in_transit.remove(nth % in_transit.len());
                    harness.execute(ReceiveTransfer { isbn: DUNE.into(), from, transfer_id }).map(|_| None)
                }
                Step::ReceiveTransfer { .. } => continue,
                Step::ShipmentDamaged { orders } => {
                    let orders: Vec<String> = orders.into_iter().map(order_id).collect();
                    let data = serde_json::json!({
                        "shipment_id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                        "order_ids": orders,
                        "insurance_claim": { "amount_cents": 0, "currency": "USD" },
                    });
                    let message = incoming(&harness.ids, "shipping", "shipment-damaged", 1, MessageKind::DomainEvent, "parcel", &data.to_string());
                    // A report is a fact: whatever the orders' state, it is taken.
                    prop_assert!(harness.deliver(&message).is_ok());
                    check(&mut harness)?;
                    continue;
                }
            };
            // Refusals (not enough free copies, nothing held...) are fine: they change nothing.
            if let Ok(Some(transfer)) = dispatched {
                in_transit.push((transfer.from, transfer.transfer_id));
            }
            check(&mut harness)?;
        }
    }
}

/// The laws that hold after every step.
fn check(harness: &mut ContextHarness<InventoryContext>) -> Result<(), TestCaseError> {
    let report = harness.query(Stock { isbn: DUNE.into() }).expect("a cataloged book has a stock report");
    let sum = |f: fn(&inventory::ports::WarehouseStock) -> u64| report.warehouses.iter().map(f).sum::<u64>();
    let received = sum(|w| w.received);
    let accounted =
        sum(|w| w.on_hand) + sum(|w| w.shipped) + sum(|w| w.damaged) + sum(|w| w.lost) + sum(|w| w.in_transit);
    prop_assert_eq!(received, accounted, "conservation broken: {:#?}", report);
    // A receipt moves copies out of one ledger and into another in one unit of work.
    prop_assert_eq!(sum(|w| w.transferred_in), sum(|w| w.transferred_out), "transfers do not cancel out");
    for ledger in &report.warehouses {
        prop_assert!(ledger.reserved <= ledger.on_hand, "reserved above on hand: {:?}", ledger);
    }
    if let Some(last) = harness.take_published().iter().rev().find(|e| e.message_type.ends_with("book-availability.v1"))
    {
        let availability: Value = serde_json::from_str(last.data.as_ref().unwrap().get()).unwrap();
        prop_assert_eq!(availability["available"].as_u64(), Some(report.available));
        for ledger in &report.warehouses {
            prop_assert_eq!(availability["by_warehouse"][&ledger.warehouse].as_u64(), Some(ledger.free));
        }
    }
    let mut lost_with_orders = 0;
    for order in 0..4 {
        let view = harness
            .query(Reservation { order_id: order_id(order) })
            .expect("every well-formed order id has a reservation (`unrequested` if none was asked)");
        if view.status == ReservationStatus::Lost {
            lost_with_orders += view.lines.iter().map(|l| u64::from(l.quantity)).sum::<u64>();
        }
    }
    prop_assert_eq!(sum(|w| w.lost_in_shipment), lost_with_orders, "lost in shipment: {:#?}", report);
    prop_assert!(sum(|w| w.lost_in_shipment) <= sum(|w| w.lost));
    Ok(())
}
