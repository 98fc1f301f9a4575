//! Reading the read models: the questions reporting answers, over a [`Shelf`] (the live store
//! or a rebuild in memory). Each answer reads a handful of small aggregates; "every state",
//! "every book" and "every month" read their directory first, and "customers over a value"
//! reads every payer's value (one small aggregate each, cached by the runtime).

use kernel::repository::LoadError;

use crate::domain::book_stock::BookStock;
use crate::domain::customer_value::CustomerValue;
use crate::domain::directory::{Directory, Entry, Shard};
use crate::domain::ids::CustomerId;
use crate::domain::isbn::Isbn;
use crate::domain::ledger::Shelf;
use crate::domain::models::Kept;
use crate::domain::month::Month;
use crate::domain::monthly_outcomes::MonthlyOutcomes;
use crate::domain::state_sales::StateSales;
use crate::domain::us_state::UsState;

/// Sales of one state (a state never seen has a row of zeros), or of every state seen, by code.
pub fn sales_by_state(shelf: &mut impl Shelf, only: Option<UsState>) -> Result<Vec<(UsState, StateSales)>, LoadError> {
    let states = match only {
        Some(state) => vec![state],
        None => listed::<UsState>(shelf)?,
    };
    states.into_iter().map(|state| Ok((state, shelf.read::<StateSales>(&state)?))).collect()
}

/// The payers whose lifetime value is strictly over `threshold_cents`, highest first (ties by id).
pub fn customers_over(
    shelf: &mut impl Shelf,
    threshold_cents: u64,
) -> Result<Vec<(CustomerId, CustomerValue)>, LoadError> {
    let mut over = Vec::new();
    for customer in listed::<CustomerId>(shelf)? {
        let value = shelf.read::<CustomerValue>(&customer)?;
        if i128::from(value.lifetime_value()) > i128::from(threshold_cents) {
            over.push((customer, value));
        }
    }
    over.sort_by(|(a, x), (b, y)| y.lifetime_value().cmp(&x.lifetime_value()).then(a.cmp(b)));
    Ok(over)
}

/// A payer's lifetime value (zero for someone who never paid).
pub fn customer_value(shelf: &mut impl Shelf, customer: CustomerId) -> Result<CustomerValue, LoadError> {
    shelf.read::<CustomerValue>(&customer)
}

/// The stock of one book, or of every book inventory reported, by ISBN; a book inventory never
/// reported is absent.
pub fn stock(shelf: &mut impl Shelf, only: Option<Isbn>) -> Result<Vec<(Isbn, BookStock)>, LoadError> {
    let books = match only {
        Some(isbn) => vec![isbn],
        None => listed::<Isbn>(shelf)?,
    };
    let mut known = Vec::new();
    for isbn in books {
        let stock = shelf.read::<BookStock>(&isbn)?;
        if stock.is_known() {
            known.push((isbn, stock));
        }
    }
    Ok(known)
}

/// How the orders of one month ended (zeros for a month with no ended order), or of every
/// month with an ended order, in time order.
pub fn outcomes(shelf: &mut impl Shelf, only: Option<Month>) -> Result<Vec<(Month, MonthlyOutcomes)>, LoadError> {
    let months = match only {
        Some(month) => vec![month],
        None => listed::<Month>(shelf)?,
    };
    months.into_iter().map(|month| Ok((month, shelf.read::<MonthlyOutcomes>(&month)?))).collect()
}

/// Every entry of `K`'s directory, in order.
fn listed<K: Entry>(shelf: &mut impl Shelf) -> Result<Vec<K>, LoadError>
where
    Directory<K>: Kept,
{
    let mut entries = Vec::new();
    for shard in Shard::all::<K>() {
        entries.extend(shelf.read::<Directory<K>>(&shard)?.entries().cloned());
    }
    entries.sort();
    Ok(entries)
}
