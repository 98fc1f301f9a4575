//! The `StatusBoard` aggregate (one stream, `order-status-board-all`): how many orders stand
//! in each status, and how many have ended, for an operator. Kept in the same unit of work as
//! every change of an order's status, so it is exact, not eventually so.
//!
//! One stream for every order: fine for an actor that commits one unit of work at a time,
//! with the runtime's cache and snapshots; a busier Bookbox would shard it by month.

use std::collections::BTreeMap;
use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::box_order::Status;

/// The id of the one board.
pub const BOARD_ID: &str = "all";

/// Where an order stands: its status, and whether its process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub status: Status,
    pub ended: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatusBoard {
    by_status: BTreeMap<Status, u64>,
    ended: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BoardCommand {
    /// Moves one order's count from where it stood (nowhere, for a new order) to where it stands.
    Count { from: Option<Standing>, to: Standing },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BoardEvent {
    OrderCounted { from: Option<Standing>, to: Standing },
}

impl DomainEvent for BoardEvent {}

impl StatusBoard {
    pub fn count(&self, status: Status) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    pub fn ended(&self) -> u64 {
        self.ended
    }

    pub fn total(&self) -> u64 {
        self.by_status.values().sum()
    }
}

impl Aggregate for StatusBoard {
    const CATEGORY: &'static str = "order-status-board";
    type Command = BoardCommand;
    type Event = BoardEvent;
    type Error = Infallible;

    fn decide(&self, command: &BoardCommand, _env: &Env<'_>) -> Result<Vec<BoardEvent>, Infallible> {
        let BoardCommand::Count { from, to } = command;
        if *from == Some(*to) {
            return Ok(vec![]);
        }
        Ok(vec![BoardEvent::OrderCounted { from: *from, to: *to }])
    }

    fn evolve(&mut self, event: &BoardEvent) {
        let BoardEvent::OrderCounted { from, to } = event;
        if let Some(from) = from {
            let count = self.by_status.entry(from.status).or_default();
            *count = count.saturating_sub(1);
            self.ended = self.ended.saturating_sub(u64::from(from.ended));
        }
        *self.by_status.entry(to.status).or_default() += 1;
        self.ended += u64::from(to.ended);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kernel::testing::given;

    fn at(status: Status, ended: bool) -> Standing {
        Standing { status, ended }
    }

    #[test]
    fn the_board_moves_each_order_from_where_it_stood() {
        let board = given::<StatusBoard>([
            BoardEvent::OrderCounted { from: None, to: at(Status::Placed, false) },
            BoardEvent::OrderCounted { from: None, to: at(Status::Placed, false) },
        ])
        .when(BoardCommand::Count { from: Some(at(Status::Placed, false)), to: at(Status::Failed, true) })
        .then([BoardEvent::OrderCounted { from: Some(at(Status::Placed, false)), to: at(Status::Failed, true) }]);
        assert_eq!((board.count(Status::Placed), board.count(Status::Failed), board.ended()), (1, 1, 1));
        assert_eq!(board.total(), 2);
        given::<StatusBoard>([])
            .when(BoardCommand::Count { from: Some(at(Status::Shipped, false)), to: at(Status::Shipped, false) })
            .then([]);
    }
}
