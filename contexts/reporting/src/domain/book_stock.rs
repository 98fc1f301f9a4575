//! The `BookStock` aggregate (stream `book-stock-<isbn>`): a book's stock per warehouse, as
//! inventory last published it (`book-availability`, state transfer, compacted: the latest per
//! ISBN is the truth). Inventory numbers its states (`version` rises with every change), so a
//! repeated or overtaken message, one with a version not above the one held, records nothing.

use std::collections::BTreeMap;
use std::convert::Infallible;

use kernel::{Aggregate, DomainEvent, Env};
use serde::{Deserialize, Serialize};

use crate::domain::facts::StockLevel;
use crate::domain::isbn::Isbn;
use crate::domain::ledger::ReadModel;
use crate::domain::title::Title;
use crate::domain::warehouse::Warehouse;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookStock {
    /// Absent until inventory's first word on the book.
    level: Option<Level>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Level {
    title: Title,
    available: u64,
    by_warehouse: BTreeMap<Warehouse, u64>,
    unavailable: bool,
    version: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BookStockCommand {
    /// Record inventory's state of the book, numbered `version`.
    RecordStock { isbn: Isbn, level: StockLevel, version: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BookStockEvent {
    StockRecorded {
        isbn: Isbn,
        title: Title,
        available: u64,
        by_warehouse: BTreeMap<Warehouse, u64>,
        unavailable: bool,
        version: u64,
    },
}

impl DomainEvent for BookStockEvent {}

impl BookStock {
    pub fn is_known(&self) -> bool {
        self.level.is_some()
    }

    pub fn title(&self) -> Option<&Title> {
        self.level.as_ref().map(|l| &l.title)
    }

    /// Copies that can still be reserved, over all warehouses (0 when unavailable).
    pub fn available(&self) -> u64 {
        self.level.as_ref().map_or(0, |l| l.available)
    }

    /// Free copies per warehouse.
    pub fn by_warehouse(&self) -> impl Iterator<Item = (&Warehouse, u64)> {
        self.level.iter().flat_map(|l| l.by_warehouse.iter().map(|(w, n)| (w, *n)))
    }

    pub fn unavailable(&self) -> bool {
        self.level.as_ref().is_some_and(|l| l.unavailable)
    }

    /// The version of inventory's state this is.
    pub fn version(&self) -> Option<u64> {
        self.level.as_ref().map(|l| l.version)
    }
}

impl ReadModel for BookStock {
    fn record(&self, command: &BookStockCommand) -> Vec<BookStockEvent> {
        let BookStockCommand::RecordStock { isbn, level, version } = command;
        if self.version().is_some_and(|held| *version <= held) {
            return vec![];
        }
        vec![BookStockEvent::StockRecorded {
            isbn: isbn.clone(),
            title: level.title.clone(),
            available: level.available,
            by_warehouse: level.by_warehouse.clone(),
            unavailable: level.unavailable,
            version: *version,
        }]
    }
}

impl Aggregate for BookStock {
    const CATEGORY: &'static str = "book-stock";
    type Command = BookStockCommand;
    type Event = BookStockEvent;
    type Error = Infallible;

    fn decide(&self, command: &BookStockCommand, _env: &Env<'_>) -> Result<Vec<BookStockEvent>, Infallible> {
        Ok(self.record(command))
    }

    fn evolve(&mut self, event: &BookStockEvent) {
        let BookStockEvent::StockRecorded { title, available, by_warehouse, unavailable, version, .. } = event;
        self.level = Some(Level {
            title: title.clone(),
            available: *available,
            by_warehouse: by_warehouse.clone(),
            unavailable: *unavailable,
            version: *version,
        });
    }
}

#[cfg(test)]
mod tests {
    use kernel::testing::{check_aggregate, given};
    use proptest::prelude::*;

    use super::*;
    use crate::domain::stored_forms;

    fn isbn() -> Isbn {
        Isbn::parse("9780306406157").unwrap()
    }

    fn level(dallas: u64, chicago: u64) -> StockLevel {
        StockLevel {
            title: Title::parse("The Hound of the Baskervilles").unwrap(),
            available: dallas + chicago,
            by_warehouse: [
                (Warehouse::parse("dallas").unwrap(), dallas),
                (Warehouse::parse("chicago").unwrap(), chicago),
            ]
            .into_iter()
            .collect(),
            unavailable: false,
        }
    }

    fn publish(dallas: u64, chicago: u64, version: u64) -> BookStockCommand {
        BookStockCommand::RecordStock { isbn: isbn(), level: level(dallas, chicago), version }
    }

    fn recorded(dallas: u64, chicago: u64, version: u64) -> BookStockEvent {
        let level = level(dallas, chicago);
        BookStockEvent::StockRecorded {
            isbn: isbn(),
            title: level.title,
            available: level.available,
            by_warehouse: level.by_warehouse,
            unavailable: false,
            version,
        }
    }

    #[test]
    fn the_latest_stock_is_recorded() {
        let stock = given::<BookStock>([]).when(publish(5, 2, 6)).then([recorded(5, 2, 6)]);
        let dallas = Warehouse::parse("dallas").unwrap();
        assert_eq!((stock.available(), stock.by_warehouse().find(|(w, _)| **w == dallas)), (7, Some((&dallas, 5))));
        given::<BookStock>([recorded(5, 2, 6)]).when(publish(4, 2, 7)).then([recorded(4, 2, 7)]);
    }

    #[test]
    fn a_repeated_or_overtaken_state_records_nothing() {
        given::<BookStock>([recorded(4, 2, 7)]).when(publish(4, 2, 7)).then([]);
        given::<BookStock>([recorded(4, 2, 7)]).when(publish(5, 2, 6)).then([]);
    }

    /// Numbered states in any order: the stock ends at the highest number it was given.
    #[test]
    fn the_stock_converges_on_the_highest_version() {
        let commands = proptest::collection::vec((0u64..9, 1u64..20).prop_map(|(n, v)| publish(n, v, v)), 0..16);
        check_aggregate::<BookStock>(commands, |stock| match stock.version() {
            Some(version) if stock.available() != stock.by_warehouse().map(|(_, n)| n).sum::<u64>() => {
                Err(format!("version {version}: available differs from the warehouses' sum"))
            }
            _ => Ok(()),
        });
        proptest!(|(versions in proptest::collection::vec(1u64..20, 1..16))| {
            let mut stock = BookStock::default();
            for v in &versions {
                for event in stock.record(&publish(*v, 0, *v)) {
                    stock.evolve(&event);
                }
            }
            let highest = versions.iter().max().copied();
            prop_assert_eq!(stock.version(), highest);
            prop_assert_eq!(Some(stock.available()), highest);
        });
    }

    #[test]
    fn the_stored_form_of_every_event_is_stable() {
        insta::assert_json_snapshot!(stored_forms(&[recorded(5, 2, 6)]));
    }
}
