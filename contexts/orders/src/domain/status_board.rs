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
    use kernel::testing::{check_aggregate, given, run_commands};
    use proptest::prelude::*;

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

    /// Where an order may stand: ended only in an end status, and an end status when ended
    /// (a settling order already shows its outcome, not yet ended).
    fn any_standing() -> impl Strategy<Value = Standing> {
        (prop::sample::select(Status::ALL.to_vec()), any::<bool>()).prop_map(|(status, ended)| {
            let end = matches!(status, Status::Delivered | Status::Cancelled | Status::Failed | Status::Refunded);
            at(status, ended && end)
        })
    }

    /// What the orders do, as (which of six orders, where it now stands), and the board's
    /// commands for it as the application sends them: each order moves from where it stood.
    fn moves() -> impl Strategy<Value = (Vec<(usize, Standing)>, Vec<BoardCommand>)> {
        proptest::collection::vec((0usize..6, any_standing()), 0..40).prop_map(|moves| {
            let mut standing: [Option<Standing>; 6] = [None; 6];
            let commands =
                moves.iter().map(|(n, to)| BoardCommand::Count { from: standing[*n].replace(*to), to: *to }).collect();
            (moves, commands)
        })
    }

    /// The counts add up: no status counts more orders than the board has, nor do the ended.
    fn invariant(board: &StatusBoard) -> Result<(), String> {
        let ended: u64 = [Status::Delivered, Status::Cancelled, Status::Failed, Status::Refunded]
            .into_iter()
            .map(|s| board.count(s))
            .sum();
        if board.ended() > ended {
            return Err(format!("{} ended, but only {ended} in an end status", board.ended()));
        }
        if board.total() != Status::ALL.into_iter().map(|s| board.count(s)).sum::<u64>() {
            return Err("the total is not the sum of the statuses".into());
        }
        Ok(())
    }

    #[test]
    fn the_counts_add_up_and_replay_rebuilds_the_board() {
        check_aggregate::<StatusBoard>(moves().prop_map(|(_, commands)| commands), invariant);
    }

    proptest! {
        /// The board is exact: each status counts the orders standing in it now, `ended` the
        /// orders whose process ended, and the total every order ever placed.
        #[test]
        fn the_board_counts_where_every_order_stands_now((moves, commands) in moves()) {
            let run = run_commands::<StatusBoard>(&commands, invariant)?;
            let mut now: [Option<Standing>; 6] = [None; 6];
            for (n, to) in &moves {
                now[*n] = Some(*to);
            }
            let placed: Vec<Standing> = now.iter().flatten().copied().collect();
            for status in Status::ALL {
                let expected = placed.iter().filter(|s| s.status == status).count() as u64;
                prop_assert_eq!(run.state.count(status), expected, "{}", status);
            }
            prop_assert_eq!(run.state.ended(), placed.iter().filter(|s| s.ended).count() as u64);
            prop_assert_eq!(run.state.total(), placed.len() as u64);
        }
    }
}
