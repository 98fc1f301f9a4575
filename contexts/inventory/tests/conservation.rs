//! The conservation law of a book, through the whole context: whatever happens (receipts,
//! reservations, releases, shipments, damage, loss, transfers dispatched and received between
//! Dallas and Chicago), summed over the warehouses
//!
//! ```text
//! received = on_hand + shipped + damaged + lost + in_transit
//! ```
//!
//! with copies in transit counted once, at the source, until the destination receives them.
//! Also: reserved never above on hand at any warehouse, and the last `book-availability`
//! published always agrees with the ledgers.

use inventory::ports::{InventoryAnswer, InventoryCommand, InventoryQuery, InventoryReply, StockLine};
use inventory::InventoryContext;
use kernel::testing::ContextHarness;
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
            .execute(InventoryCommand::AddBook { isbn: DUNE.into(), title: "Dune".into(), genres: vec!["fantasy".into()] })
            .unwrap();
        let mut in_transit: Vec<(String, String)> = Vec::new();
        for step in steps {
            let command = match step {
                Step::Receive { at, quantity } => {
                    InventoryCommand::ReceiveShipment { isbn: DUNE.into(), warehouse: WAREHOUSES[at].into(), quantity }
                }
                Step::Reserve { order, at, quantity } => InventoryCommand::ReserveStock {
                    order_id: order_id(order),
                    warehouse: WAREHOUSES[at].into(),
                    lines: vec![StockLine { isbn: DUNE.into(), quantity }],
                },
                Step::Release { order } => InventoryCommand::ReleaseReservation { order_id: order_id(order) },
                Step::Ship { order } => InventoryCommand::ShipReservation { order_id: order_id(order) },
                Step::Damage { at, quantity } => {
                    InventoryCommand::RecordDamagedCopies { isbn: DUNE.into(), warehouse: WAREHOUSES[at].into(), quantity }
                }
                Step::Lose { at, quantity } => {
                    InventoryCommand::RecordLostCopies { isbn: DUNE.into(), warehouse: WAREHOUSES[at].into(), quantity }
                }
                Step::Dispatch { from, quantity } => InventoryCommand::DispatchTransfer {
                    isbn: DUNE.into(),
                    from: WAREHOUSES[from].into(),
                    to: WAREHOUSES[1 - from].into(),
                    quantity,
                },
                Step::ReceiveTransfer { nth } if !in_transit.is_empty() => {
                    let (from, transfer_id) = in_transit.remove(nth % in_transit.len());
                    InventoryCommand::ReceiveTransfer { isbn: DUNE.into(), from, transfer_id }
                }
                Step::ReceiveTransfer { .. } => continue,
            };
            // Refusals (not enough free copies, nothing held...) are fine: they change nothing.
            if let Ok(InventoryReply::TransferDispatched(transfer)) = harness.execute(command) {
                in_transit.push((transfer.from, transfer.transfer_id));
            }

            let InventoryAnswer::Stock(report) = harness.query(InventoryQuery::Stock { isbn: DUNE.into() }).unwrap() else {
                panic!("a stock query answers a stock report");
            };
            let sum = |f: fn(&inventory::ports::WarehouseStock) -> u64| report.warehouses.iter().map(f).sum::<u64>();
            let received = sum(|w| w.received);
            let accounted = sum(|w| w.on_hand) + sum(|w| w.shipped) + sum(|w| w.damaged) + sum(|w| w.lost) + sum(|w| w.in_transit);
            prop_assert_eq!(received, accounted, "conservation broken: {:#?}", report);
            // A receipt moves copies out of one ledger and into another in one unit of work.
            prop_assert_eq!(sum(|w| w.transferred_in), sum(|w| w.transferred_out), "transfers do not cancel out");
            for ledger in &report.warehouses {
                prop_assert!(ledger.reserved <= ledger.on_hand, "reserved above on hand: {:?}", ledger);
            }
            if let Some(last) = harness.take_published().iter().rev().find(|e| e.message_type.ends_with("book-availability.v1")) {
                let availability: Value = serde_json::from_str(last.data.as_ref().unwrap().get()).unwrap();
                prop_assert_eq!(availability["available"].as_u64(), Some(report.available));
                for ledger in &report.warehouses {
                    prop_assert_eq!(availability["by_warehouse"][&ledger.warehouse].as_u64(), Some(ledger.free));
                }
            }
        }
    }
}
