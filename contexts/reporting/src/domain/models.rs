//! [`Models`]: every read-model aggregate held in memory, by id: the store a rebuild fills by
//! replaying the producers' messages (kappa: the logs that feed the live read models also
//! rebuild them, up to any time). It runs the very same [`ReadModel::record`] and `evolve` as
//! the event store does, so it holds the same states the live store holds after the same
//! messages, and queries read both through the same code.

use std::collections::BTreeMap;
use std::fmt::Display;

use kernel::repository::LoadError;
use kernel::unit_of_work::InfrastructureError;
use serde::{Deserialize, Serialize};

use crate::domain::book_stock::BookStock;
use crate::domain::customer_value::CustomerValue;
use crate::domain::directory::Directory;
use crate::domain::ids::CustomerId;
use crate::domain::isbn::Isbn;
use crate::domain::ledger::{Ledger, ReadModel, Shelf};
use crate::domain::month::Month;
use crate::domain::monthly_outcomes::MonthlyOutcomes;
use crate::domain::order_record::OrderRecord;
use crate::domain::state_sales::StateSales;
use crate::domain::us_state::UsState;

/// The aggregates of one kind, by id (the id as it appears in the stream name).
pub type Shelved<M> = BTreeMap<String, M>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Models {
    orders: Shelved<OrderRecord>,
    states: Shelved<StateSales>,
    customers: Shelved<CustomerValue>,
    months: Shelved<MonthlyOutcomes>,
    books: Shelved<BookStock>,
    state_directory: Shelved<Directory<UsState>>,
    month_directory: Shelved<Directory<Month>>,
    customer_directory: Shelved<Directory<CustomerId>>,
    book_directory: Shelved<Directory<Isbn>>,
    /// How many events the models recorded: as many as the live store holds after the same
    /// messages.
    events: u64,
}

/// A read model [`Models`] keeps: where on the models its aggregates are.
pub trait Kept: ReadModel {
    fn shelf(models: &Models) -> &Shelved<Self>;
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self>;
}

impl Models {
    /// How many events were recorded in all.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Adds `other`, built from the facts of other orders and other books, to these models:
    /// the result is what one store holds after both sets of facts (see
    /// [`crate::domain::facts::Fact::home`]). Order records and book stocks are each built on
    /// one side only; the counters add up; directories merge. An order or a book built on both
    /// sides means the facts were not split by their home, and is refused.
    pub fn combine(&mut self, other: Models) -> Result<(), Overlap> {
        adjoin(&mut self.orders, other.orders, "order")?;
        adjoin(&mut self.books, other.books, "book")?;
        add_up(&mut self.states, other.states);
        add_up(&mut self.customers, other.customers);
        add_up(&mut self.months, other.months);
        // An entry listed on both sides was recorded by two events for one listing.
        let shared = merge_directories(&mut self.state_directory, other.state_directory)
            + merge_directories(&mut self.month_directory, other.month_directory)
            + merge_directories(&mut self.customer_directory, other.customer_directory)
            + merge_directories(&mut self.book_directory, other.book_directory);
        self.events = self.events.saturating_add(other.events).saturating_sub(shared);
        Ok(())
    }
}

/// A read model whose states, each recorded from the facts of different orders, add up to the
/// state one store records from all of them: a counter (each order counts once, upstream of it,
/// in its order record), so the order the parts arrive in does not matter.
pub trait Combine {
    fn combine(&mut self, other: Self);
}

/// Two partial models both hold the same order record or book stock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the {kind} `{id}` was recorded in two parts of a split rebuild; the facts were not split by their home")]
pub struct Overlap {
    pub kind: &'static str,
    pub id: String,
}

fn adjoin<M>(into: &mut Shelved<M>, from: Shelved<M>, kind: &'static str) -> Result<(), Overlap> {
    for (id, model) in from {
        if into.contains_key(&id) {
            return Err(Overlap { kind, id });
        }
        into.insert(id, model);
    }
    Ok(())
}

fn add_up<M: Combine>(into: &mut Shelved<M>, from: Shelved<M>) {
    for (id, model) in from {
        match into.get_mut(&id) {
            Some(mine) => mine.combine(model),
            None => {
                into.insert(id, model);
            }
        }
    }
}

fn merge_directories<K: crate::domain::directory::Entry>(
    into: &mut Shelved<Directory<K>>,
    from: Shelved<Directory<K>>,
) -> u64 {
    let mut shared = 0;
    for (id, directory) in from {
        match into.get_mut(&id) {
            Some(mine) => shared += mine.combine_counting_shared(directory),
            None => {
                into.insert(id, directory);
            }
        }
    }
    shared
}

impl Ledger for Models {
    fn record<M: Kept>(
        &mut self,
        id: &impl Display,
        command: &M::Command,
    ) -> Result<Vec<M::Event>, InfrastructureError> {
        let key = id.to_string();
        let shelf = M::shelf_mut(self);
        let events = match shelf.get_mut(&key) {
            Some(model) => record_on(model, command),
            None => {
                // A model is kept only once it recorded something, as a stream exists only once
                // it holds an event.
                let mut model = M::default();
                let events = record_on(&mut model, command);
                if !events.is_empty() {
                    shelf.insert(key, model);
                }
                events
            }
        };
        self.events = self.events.saturating_add(events.len() as u64);
        Ok(events)
    }
}

fn record_on<M: ReadModel>(model: &mut M, command: &M::Command) -> Vec<M::Event> {
    let events = model.record(command);
    for event in &events {
        model.evolve(event);
    }
    events
}

// In memory, nothing can be missing or corrupt: reading never fails.
impl Shelf for &Models {
    fn read<M: Kept>(&mut self, id: &impl Display) -> Result<M, LoadError> {
        Ok(M::shelf(self).get(&id.to_string()).cloned().unwrap_or_default())
    }
}

impl Kept for OrderRecord {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.orders
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.orders
    }
}

impl Kept for StateSales {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.states
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.states
    }
}

impl Kept for CustomerValue {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.customers
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.customers
    }
}

impl Kept for MonthlyOutcomes {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.months
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.months
    }
}

impl Kept for BookStock {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.books
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.books
    }
}

impl Kept for Directory<UsState> {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.state_directory
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.state_directory
    }
}

impl Kept for Directory<Month> {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.month_directory
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.month_directory
    }
}

impl Kept for Directory<CustomerId> {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.customer_directory
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.customer_directory
    }
}

impl Kept for Directory<Isbn> {
    fn shelf(models: &Models) -> &Shelved<Self> {
        &models.book_directory
    }
    fn shelf_mut(models: &mut Models) -> &mut Shelved<Self> {
        &mut models.book_directory
    }
}
