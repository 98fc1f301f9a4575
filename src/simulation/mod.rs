//! The simulation: months of business, in seconds, deterministically from a seed. It drives
//! the running system only through what an operator has (commands, the clock, deadlines)
//! and then reads what happened from the contexts' logs to report and to check the
//! cross-context invariants.

pub mod data;
mod report;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context as _};
use curation::ports::FinalizeSelection;
use customers::ports::{CustomersCommand, PostalAddress, Registration};
use inventory::ports::{AddBook, ReceiveShipment};
use kernel::context::{Command, Handles};
use kernel::time::{ManualClock, Timestamp};
use subscriptions::ports::{StartCycle, SubscriptionsCommand};

use crate::contexts::OutsideWorld;
use crate::runtime::{CommandError, PendingAnswer, RefusalOf, RuntimeHandle};
use data::{Book, Dice};
pub use report::{Invariant, Report};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimulationConfig {
    pub subscribers: u32,
    pub months: u32,
    pub seed: u64,
    /// Books in the catalog.
    pub catalog: u32,
    /// Books in each month's selection.
    pub selection: u32,
    /// The share of new subscriptions that are gifts to another (new) customer.
    pub gift_share: f64,
    /// Each month, the share of subscriptions paused, resumed, cancelled, restarted.
    pub churn: f64,
    /// The share of card tries declined, and of gateway calls failing transiently.
    pub decline_rate: f64,
    pub gateway_error_rate: f64,
    /// The shares of carrier calls failing, deliveries finding no one home, parcels damaged.
    pub carrier_error_rate: f64,
    pub no_one_home_rate: f64,
    pub damage_rate: f64,
    /// The first month's first day.
    pub start: Timestamp,
}

impl Default for SimulationConfig {
    fn default() -> Self {
        Self {
            subscribers: 300,
            months: 6,
            seed: 42,
            catalog: 120,
            selection: 64,
            gift_share: 0.05,
            churn: 0.02,
            decline_rate: 0.08,
            gateway_error_rate: 0.05,
            carrier_error_rate: 0.02,
            no_one_home_rate: 0.1,
            damage_rate: 0.01,
            start: Timestamp::parse("2026-01-01T00:00:00Z").expect("a valid timestamp"),
        }
    }
}

impl SimulationConfig {
    /// Refuses settings that cannot run, naming the setting.
    pub fn validate(&self) -> anyhow::Result<()> {
        for (name, rate) in [
            ("gift share", self.gift_share),
            ("churn", self.churn),
            ("decline rate", self.decline_rate),
            ("gateway error rate", self.gateway_error_rate),
            ("carrier error rate", self.carrier_error_rate),
            ("no-one-home rate", self.no_one_home_rate),
            ("damage rate", self.damage_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                bail!("the {name} must be between 0 and 1, not {rate}");
            }
        }
        if self.subscribers == 0 || self.months == 0 {
            bail!("a simulation needs at least one subscriber and one month");
        }
        if self.selection == 0 || self.selection > self.catalog {
            bail!(
                "the monthly selection ({}) must be between 1 and the catalog size ({})",
                self.selection,
                self.catalog
            );
        }
        if self.months > 120 {
            bail!("at most 120 months (10 years) per simulation, not {}", self.months);
        }
        Ok(())
    }
}

/// A fault to inject at the end of a run, to show that the invariant checks catch it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Fault {
    /// Curation's outbox publishes one `box-curated` a second time, under a new message id,
    /// as a buggy producer might: consumers see a box curated twice.
    DuplicateCuratedBox,
}

/// The simulated outside world of a run: a payment gateway (behind a bulkhead, retries and a
/// circuit breaker) and a carrier, failing at the configured rates, decided from the seed.
pub fn outside_world(config: &SimulationConfig, clock: Arc<ManualClock>) -> anyhow::Result<OutsideWorld> {
    use crate::adapters::carrier::{CarrierRates, SimulatedCarrier};
    use crate::adapters::payment_gateway::{self, ResilienceConfig, ResilientGateway, SimulatedGateway};
    let gateway = SimulatedGateway::new(
        payment_gateway::SimulationConfig {
            seed: config.seed,
            decline_rate: config.decline_rate,
            error_rate: config.gateway_error_rate,
            ..payment_gateway::SimulationConfig::default()
        },
        clock.clone(),
    )?;
    // Simulated time does not pass while the gateway is retried: no real waiting.
    let gateway = ResilientGateway::new(Arc::new(gateway), ResilienceConfig::default(), clock).with_sleeper(|_| {});
    let rates = CarrierRates {
        error: config.carrier_error_rate,
        no_one_home: config.no_one_home_rate,
        damage: config.damage_rate,
    };
    Ok(OutsideWorld {
        payment_gateway: Arc::new(gateway),
        carrier: Arc::new(SimulatedCarrier::new(config.seed, rates)?),
    })
}

/// Where a simulation is, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Step {
    Setup,
    Month { done: u32, of: u32 },
}

/// Runs a simulation on a running system whose clock is `clock`.
pub fn run(
    runtime: &RuntimeHandle,
    clock: &ManualClock,
    config: &SimulationConfig,
    fault: Option<Fault>,
    progress: &mut dyn FnMut(Step),
) -> anyhow::Result<Report> {
    config.validate()?;
    let started = Instant::now();
    let mut sim =
        Simulation { runtime, clock, config, dice: Dice::new(config.seed), commands: 0, subscriptions: Vec::new() };
    progress(Step::Setup);
    clock.set(config.start);
    let catalog = sim.stock_catalog()?;
    sim.enrol_subscribers()?;
    for month in 0..config.months {
        sim.run_month(month, &catalog)?;
        progress(Step::Month { done: month + 1, of: config.months });
    }
    sim.wind_down()?;
    let elapsed = started.elapsed();
    if let Some(fault) = fault {
        inject(runtime, fault)?;
        runtime.settle(SETTLE).context("the system did not settle after the fault")?;
    }
    report::gather(runtime, config, sim.commands, elapsed)
}

fn inject(runtime: &RuntimeHandle, fault: Fault) -> anyhow::Result<()> {
    match fault {
        Fault::DuplicateCuratedBox => {
            let store = runtime.store("curation").map_err(|e| anyhow!("{e}"))?;
            let outbox = store.read_outbox(kernel::store::OutboxSeq(0), usize::MAX)?;
            let Some(original) =
                outbox.into_iter().find(|e| e.envelope.message_type == "bookbox.curation.box-curated.v1")
            else {
                bail!("no box was curated, so there is none to duplicate");
            };
            let mut duplicate = original.envelope;
            duplicate.id = kernel::MessageId::from_uuid(uuid::Uuid::from_u128(u128::MAX - 1));
            store.append(kernel::AppendRequest { outbox: vec![duplicate], ..kernel::AppendRequest::default() })?;
            Ok(())
        }
    }
}

struct Simulation<'a> {
    runtime: &'a RuntimeHandle,
    clock: &'a ManualClock,
    config: &'a SimulationConfig,
    dice: Dice,
    commands: u64,
    subscriptions: Vec<subscriptions::ports::SubscriptionId>,
}

/// How long to wait for the system to finish what a step started.
const SETTLE: Duration = Duration::from_secs(600);

fn month_name(start: Timestamp, offset: u32) -> String {
    let (year, month) = start.year_month();
    let index = year as i64 * 12 + (month as i64 - 1) + offset as i64;
    format!("{:04}-{:02}", index.div_euclid(12), index.rem_euclid(12) + 1)
}

fn first_day(month: &str) -> anyhow::Result<Timestamp> {
    Timestamp::parse(&format!("{month}-01T06:00:00Z")).map_err(|e| anyhow!("{e}"))
}

impl Simulation<'_> {
    /// Sends commands without waiting for each, then waits for all: many commands in flight
    /// share group commits.
    fn all<K>(&mut self, commands: Vec<K>) -> anyhow::Result<Vec<Result<K::Reply, RefusalOf<K>>>>
    where
        K: Command,
        K::Context: Handles<K>,
    {
        let mut pending: Vec<PendingAnswer<K>> = Vec::with_capacity(commands.len());
        for command in commands {
            pending.push(self.runtime.execute_detached(command).map_err(|e| anyhow!("{e}"))?);
            self.commands += 1;
        }
        let mut replies = Vec::with_capacity(pending.len());
        for answer in pending {
            match answer.blocking_recv().map_err(|_| anyhow!("a context stopped before answering"))? {
                Ok(executed) => replies.push(Ok(executed.reply)),
                Err(CommandError::Rejected(e)) => replies.push(Err(e)),
                Err(e) => return Err(anyhow!("{e}")),
            }
        }
        Ok(replies)
    }

    /// Like [`Self::all`], but every command must be accepted.
    fn must<K>(&mut self, what: &str, commands: Vec<K>) -> anyhow::Result<Vec<K::Reply>>
    where
        K: Command,
        K::Context: Handles<K>,
    {
        self.all(commands)?.into_iter().map(|r| r.map_err(|e| anyhow!("{what} was refused: {e}"))).collect()
    }

    fn settle(&self) -> anyhow::Result<()> {
        self.runtime.settle(SETTLE).context("the system did not settle")
    }

    fn stock_catalog(&mut self) -> anyhow::Result<Vec<Book>> {
        let catalog: Vec<Book> = (0..self.config.catalog as u64).map(|n| data::book(&mut self.dice, n)).collect();
        let adds = catalog
            .iter()
            .map(|b| AddBook { isbn: b.isbn.clone(), title: b.title.clone(), genres: b.genres.clone() })
            .collect();
        self.must("adding a book", adds)?;
        Ok(catalog)
    }

    fn register(&mut self, people: &[data::Person]) -> anyhow::Result<Vec<customers::ports::CustomerId>> {
        let registrations = people
            .iter()
            .map(|p| {
                CustomersCommand::Register(Registration {
                    name: p.name.clone(),
                    email: p.email.clone(),
                    shipping_address: PostalAddress {
                        line1: p.line1.clone(),
                        line2: None,
                        city: p.city.clone(),
                        state: p.state.clone(),
                        postal_code: p.postal_code.clone(),
                        country: "US".into(),
                    },
                })
            })
            .collect();
        let ids: Vec<_> = self.must("registering", registrations)?.into_iter().map(|r| r.customer_id).collect();
        let preferences = ids
            .iter()
            .zip(people)
            .map(|(id, p)| CustomersCommand::UpdateGenrePreferences { customer_id: *id, genres: p.genres.clone() })
            .collect();
        self.must("setting preferences", preferences)?;
        Ok(ids)
    }

    fn enrol_subscribers(&mut self) -> anyhow::Result<()> {
        let people: Vec<data::Person> =
            (0..self.config.subscribers as u64).map(|n| data::person(&mut self.dice, n)).collect();
        let ids = self.register(&people)?;
        let mut subscribe = Vec::new();
        for (i, (id, person)) in ids.iter().zip(&people).enumerate() {
            let customer_id = subscriptions::ports::CustomerId::from_uuid(id.as_uuid());
            let gift = i > 0 && self.dice.chance(self.config.gift_share);
            subscribe.push(if gift {
                // Gifted by the previous subscriber, for three to twelve months.
                let payer_id = subscriptions::ports::CustomerId::from_uuid(ids[i - 1].as_uuid());
                let months = 3 + self.dice.below(10) as u32;
                SubscriptionsCommand::Gift {
                    payer_id,
                    recipient_id: customer_id,
                    books_per_month: person.books_per_month,
                    months,
                }
            } else {
                SubscriptionsCommand::Subscribe { customer_id, books_per_month: person.books_per_month }
            });
        }
        for view in self.all(subscribe)?.into_iter().flatten() {
            self.subscriptions.push(view.subscription_id);
        }
        self.settle()
    }

    fn run_month(&mut self, offset: u32, catalog: &[Book]) -> anyhow::Result<()> {
        let month = month_name(self.config.start, offset);
        let day_one = first_day(&month)?;
        self.clock.set(day_one);
        // The month's selection, and enough stock of it in both warehouses.
        let mut picked: BTreeMap<String, ()> = BTreeMap::new();
        while picked.len() < self.config.selection as usize {
            picked.insert(self.dice.pick(catalog).isbn.clone(), ());
        }
        let isbns: Vec<String> = picked.into_keys().collect();
        let demand = self.config.subscribers as u64 * 2 / self.config.selection as u64 + 3;
        let mut receipts = Vec::new();
        for isbn in &isbns {
            for warehouse in ["dallas", "chicago"] {
                let quantity = (demand / 2 + self.dice.below(demand / 2 + 1)) as u32;
                receipts.push(ReceiveShipment { isbn: isbn.clone(), warehouse: warehouse.into(), quantity });
            }
        }
        self.must("receiving a shipment", receipts)?;
        self.must("finalizing the selection", vec![FinalizeSelection { month: month.clone(), isbns }])?;
        self.churn()?;
        self.settle()?;
        self.must("starting the month", vec![StartCycle { month }])?;
        self.settle()?;
        // The rest of the month, a day at a time: deadlines (card retries, delivery
        // attempts, timeouts) fire as the clock passes them.
        for day in 1..28 {
            self.clock.set(day_one.plus_days(day));
            if self.runtime.fire_deadlines() > 0 {
                self.settle()?;
            }
        }
        Ok(())
    }

    /// After the last month, lets the days pass (up to two months) until every order that
    /// began has ended: a report on orders still waiting for the carrier says little.
    fn wind_down(&mut self) -> anyhow::Result<()> {
        let last_month = first_day(&month_name(self.config.start, self.config.months - 1))?;
        for day in 28..90 {
            let open = self.runtime.query_blocking(orders::ports::queries::StatusCounts)?.open;
            if open == 0 {
                break;
            }
            self.clock.set(last_month.plus_days(day));
            self.runtime.fire_deadlines();
            self.settle()?;
        }
        Ok(())
    }

    /// Some subscribers pause, resume, cancel or restart; refusals (resuming what is not
    /// paused) are part of life and ignored.
    fn churn(&mut self) -> anyhow::Result<()> {
        let mut commands = Vec::new();
        for subscription_id in self.subscriptions.clone() {
            if !self.dice.chance(self.config.churn * 4.0) {
                continue;
            }
            commands.push(match self.dice.below(4) {
                0 => SubscriptionsCommand::Pause { subscription_id },
                1 => SubscriptionsCommand::Resume { subscription_id },
                2 => SubscriptionsCommand::Cancel { subscription_id },
                _ => SubscriptionsCommand::RestartNextMonth { subscription_id },
            });
        }
        self.all(commands)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_roll_over_years() {
        let start = Timestamp::parse("2026-11-01T00:00:00Z").unwrap();
        assert_eq!(month_name(start, 0), "2026-11");
        assert_eq!(month_name(start, 2), "2027-01");
        assert_eq!(month_name(start, 14), "2028-01");
    }

    #[test]
    fn impossible_settings_are_refused_by_name() {
        let bad = SimulationConfig { decline_rate: 1.5, ..SimulationConfig::default() };
        assert_eq!(bad.validate().unwrap_err().to_string(), "the decline rate must be between 0 and 1, not 1.5");
        let bad = SimulationConfig { selection: 500, ..SimulationConfig::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("monthly selection"));
    }
}
