//! What every handler shares: the runtime, the clock (system or manual), the payment
//! gateway (for its circuit breaker's state) and the command counters; and the three ways a
//! handler reaches a context: [`AppState::execute`], [`AppState::query`] and
//! [`AppState::blocking`] (store reads, which must not run on an HTTP worker).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use kernel::context::{Answers, BoundedContext, Command, Handles, Query};
use kernel::time::{Clock, ManualClock};

use crate::adapters::payment_gateway::ResilientGateway;
use crate::http::problem::{command_problem, query_problem, Problem, Rejection};
use crate::runtime::{Executed, RefusalOf, RuntimeHandle};

/// The clock the server runs on.
#[derive(Clone)]
pub enum ClockControl {
    /// The system clock: deadlines fire as real time passes.
    System(Arc<dyn Clock>),
    /// A clock that moves only when an operator moves it (`POST /clock`): for tests and demos.
    Manual(Arc<ManualClock>),
}

impl ClockControl {
    pub fn now(&self) -> kernel::Timestamp {
        match self {
            Self::System(clock) => clock.now(),
            Self::Manual(clock) => clock.now(),
        }
    }

    pub fn as_clock(&self) -> Arc<dyn Clock> {
        match self {
            Self::System(clock) => clock.clone(),
            Self::Manual(clock) => clock.clone(),
        }
    }
}

/// How a command ended, for the `bookbox_commands_total` counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Accepted,
    Rejected,
    Failed,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Self::Accepted => "accepted",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

/// Commands handled through this API, by context and outcome.
#[derive(Default)]
pub struct CommandCounters(Mutex<BTreeMap<(&'static str, Outcome), Arc<AtomicU64>>>);

impl CommandCounters {
    pub fn record(&self, context: &'static str, outcome: Outcome) {
        let counter = {
            let mut counters = self.0.lock().unwrap_or_else(|p| p.into_inner());
            counters.entry((context, outcome)).or_default().clone()
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Vec<(&'static str, Outcome, u64)> {
        let counters = self.0.lock().unwrap_or_else(|p| p.into_inner());
        counters.iter().map(|((context, outcome), n)| (*context, *outcome, n.load(Ordering::Relaxed))).collect()
    }
}

/// What a handler takes to reach the contexts.
pub type State = actix_web::web::Data<AppState>;

/// Shared by every worker (behind `web::Data`).
pub struct AppState {
    pub runtime: RuntimeHandle,
    pub clock: ClockControl,
    /// The payment gateway billing calls, when it is the resilient adapter.
    pub gateway: Option<Arc<ResilientGateway>>,
    pub commands: CommandCounters,
    /// Serializes `POST /clock`: two operators moving one clock at once would interleave.
    pub clock_lock: tokio::sync::Mutex<()>,
    /// Turns for rebuilding read models as of a time (`as_of` on the reports): each reads
    /// every published log, so only [`REBUILDS_AT_ONCE`] run at once; others wait their turn.
    pub rebuilds: tokio::sync::Semaphore,
}

/// How many `as_of` rebuilds run at once.
pub const REBUILDS_AT_ONCE: usize = 1;

impl AppState {
    pub fn new(runtime: RuntimeHandle, clock: ClockControl, gateway: Option<Arc<ResilientGateway>>) -> Self {
        Self {
            runtime,
            clock,
            gateway,
            commands: CommandCounters::default(),
            clock_lock: tokio::sync::Mutex::new(()),
            rebuilds: tokio::sync::Semaphore::new(REBUILDS_AT_ONCE),
        }
    }

    /// Executes a command on its context, as a problem if it fails.
    pub async fn execute<K>(&self, command: K) -> Result<Executed<K::Reply>, Problem>
    where
        K: Command,
        K::Context: Handles<K>,
        RefusalOf<K>: Rejection,
    {
        let context = K::Context::CONTEXT.name;
        match self.runtime.execute(command).await {
            Ok(executed) => {
                self.commands.record(context, Outcome::Accepted);
                Ok(executed)
            }
            Err(error) => {
                let outcome = match error {
                    crate::runtime::CommandError::Rejected(_) => Outcome::Rejected,
                    _ => Outcome::Failed,
                };
                self.commands.record(context, outcome);
                Err(command_problem(context, error))
            }
        }
    }

    /// Asks its context a question, as a problem if it fails.
    pub async fn query<Q>(&self, query: Q) -> Result<Q::Answer, Problem>
    where
        Q: Query,
        Q::Context: Answers<Q>,
    {
        let context = Q::Context::CONTEXT.name;
        match self.runtime.query(query).await {
            Ok(answer) => Ok(answer),
            Err(error) => Err(query_problem(context, error, self.runtime.context_running(context).unwrap_or(false))),
        }
    }

    /// Runs blocking work (store reads, waiting for deadlines) off the HTTP workers.
    pub async fn blocking<T, F>(&self, work: F) -> Result<T, Problem>
    where
        F: FnOnce(RuntimeHandle) -> Result<T, Problem> + Send + 'static,
        T: Send + 'static,
    {
        let runtime = self.runtime.clone();
        actix_web::web::block(move || work(runtime))
            .await
            .map_err(|e| Problem::internal(format!("the blocking task failed: {e}")))?
    }
}
