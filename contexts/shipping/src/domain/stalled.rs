//! The `StalledShipments` aggregate (one stream, `stalled-shipments-all`): the shipments whose
//! carrier calls failed until their retries ran out, waiting for an operator.
//!
//! The store cannot list streams, and an operator must be able to find what needs them, so
//! the list is kept as it changes: in the unit of work that stalls a shipment and in the one
//! that resumes it. It stays small (a stall takes about a day of carrier outage), so one
//! stream is no hot spot.

use std::collections::BTreeSet;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::ids::ShipmentId;

/// The id of the one list.
pub const ALL: &str = "all";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StalledShipments {
    shipments: BTreeSet<ShipmentId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StalledShipmentsCommand {
    Add { shipment_id: ShipmentId },
    Remove { shipment_id: ShipmentId },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StalledShipmentsEvent {
    StallListed { shipment_id: ShipmentId },
    StallCleared { shipment_id: ShipmentId },
}

impl DomainEvent for StalledShipmentsEvent {}

/// Adding or removing is idempotent, so the list refuses nothing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StalledShipmentsError {}

impl StalledShipments {
    pub fn iter(&self) -> impl Iterator<Item = ShipmentId> + '_ {
        self.shipments.iter().copied()
    }
}

impl Aggregate for StalledShipments {
    const CATEGORY: &'static str = "stalled-shipments";
    type Command = StalledShipmentsCommand;
    type Event = StalledShipmentsEvent;
    type Error = StalledShipmentsError;

    fn decide(
        &self,
        command: &StalledShipmentsCommand,
        _env: &Env<'_>,
    ) -> Result<Vec<StalledShipmentsEvent>, StalledShipmentsError> {
        Ok(match *command {
            StalledShipmentsCommand::Add { shipment_id } if !self.shipments.contains(&shipment_id) => {
                vec![StalledShipmentsEvent::StallListed { shipment_id }]
            }
            StalledShipmentsCommand::Remove { shipment_id } if self.shipments.contains(&shipment_id) => {
                vec![StalledShipmentsEvent::StallCleared { shipment_id }]
            }
            StalledShipmentsCommand::Add { .. } | StalledShipmentsCommand::Remove { .. } => vec![],
        })
    }

    fn evolve(&mut self, event: &StalledShipmentsEvent) {
        match *event {
            StalledShipmentsEvent::StallListed { shipment_id } => self.shipments.insert(shipment_id),
            StalledShipmentsEvent::StallCleared { shipment_id } => self.shipments.remove(&shipment_id),
        };
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use kernel::testing::{given, run_commands};
    use proptest::prelude::*;

    use super::*;

    fn shipment(n: u128) -> ShipmentId {
        ShipmentId::from_uuid(uuid::Uuid::from_u128(n))
    }

    #[test]
    fn the_list_changes_only_when_it_must() {
        let listed = StalledShipmentsEvent::StallListed { shipment_id: shipment(1) };
        given::<StalledShipments>([])
            .when(StalledShipmentsCommand::Add { shipment_id: shipment(1) })
            .then([listed.clone()]);
        given::<StalledShipments>([listed.clone()])
            .when(StalledShipmentsCommand::Add { shipment_id: shipment(1) })
            .then([]);
        given::<StalledShipments>([listed])
            .when(StalledShipmentsCommand::Remove { shipment_id: shipment(1) })
            .then([StalledShipmentsEvent::StallCleared { shipment_id: shipment(1) }]);
        given::<StalledShipments>([]).when(StalledShipmentsCommand::Remove { shipment_id: shipment(1) }).then([]);
    }

    /// The invariant, against a reference model: the list refuses nothing, so after the
    /// n-th command it is exactly the shipments added and not removed since by the first n.
    /// (The model follows `commands`, so one per run.)
    fn the_added_not_removed(
        commands: &[StalledShipmentsCommand],
    ) -> impl Fn(&StalledShipments) -> Result<(), String> + '_ {
        let model = RefCell::new((0, BTreeSet::new()));
        move |now| {
            let (step, stalled) = &mut *model.borrow_mut();
            match commands[*step] {
                StalledShipmentsCommand::Add { shipment_id } => stalled.insert(shipment_id),
                StalledShipmentsCommand::Remove { shipment_id } => stalled.remove(&shipment_id),
            };
            *step += 1;
            match now.shipments == *stalled {
                true => Ok(()),
                false => Err(format!("the list is {:?}, the commands say {stalled:?}", now.shipments)),
            }
        }
    }

    #[test]
    fn replaying_the_list_rebuilds_it() {
        let command = (any::<bool>(), 1u128..5).prop_map(|(add, n)| match add {
            true => StalledShipmentsCommand::Add { shipment_id: shipment(n) },
            false => StalledShipmentsCommand::Remove { shipment_id: shipment(n) },
        });
        proptest!(|(commands in proptest::collection::vec(command, 0..20))| {
            let run = run_commands::<StalledShipments>(&commands, the_added_not_removed(&commands))?;
            prop_assert_eq!(run.accepted, commands.len());
        });
    }
}
