//! The router: delivers each published message to every context that receives it (by
//! [`super::routing::receives`]), retries failures with exponential backoff, redelivers what
//! times out, dead-letters what still fails, parks deliveries for a stopped context until it
//! starts again, and tells the producer's relay when a message is done so its delivery cursor
//! can advance.
//!
//! Delivery is at least once; consumers' inboxes make the effect exactly once.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver};
use kernel::message::Envelope;
use kernel::store::OutboxSeq;

use super::actor::Deliver;
use super::routing::receives;
use super::storage::DeadLetter;
use super::{RouterEvent, Shared};

/// Routes published messages to subscribers, on its own thread.
pub(crate) struct Router {
    pub shared: Arc<Shared>,
    pub bus: Receiver<RouterEvent>,
    pub control: Receiver<RouterEvent>,
    /// Deliveries not yet finished, for `settle`.
    pub pending: Arc<AtomicUsize>,
}

impl Router {
    /// Runs until [`RouterEvent::Shutdown`].
    pub fn run(self) {
        let mut state = Deliveries::new(&self);
        loop {
            let event = select! {
                recv(self.control) -> e => e.ok(),
                recv(self.bus) -> e => e.ok(),
                default(state.until_next_timer()) => None,
            };
            match event {
                Some(RouterEvent::Shutdown) => return,
                Some(RouterEvent::Published { source, seq, envelope }) => state.published(source, seq, envelope),
                Some(RouterEvent::Outcome { token, result }) => state.outcome(token, result),
                Some(RouterEvent::Started(name)) => state.started(name),
                Some(RouterEvent::Replay { letter }) => state.replay(*letter),
                None => {}
            }
            state.fire_due_timers();
        }
    }
}

/// One delivery of a message to one handler, until it succeeds or is dead-lettered.
struct InFlight {
    consumer: &'static str,
    handler_id: &'static str,
    envelope: Arc<Envelope>,
    attempt: u32,
    /// The producer's outbox entry this delivery is part of (none for a dead-letter replay).
    origin: Option<(&'static str, OutboxSeq)>,
}

/// What a timer does when it comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    /// The backoff after a failure is over: deliver again.
    Retry,
    /// No outcome arrived for this attempt in time: deliver again, unless the delivery has
    /// moved on (another attempt, or it is parked for a stopped consumer).
    Timeout { attempt: u32 },
}

/// (consumer, handler id) pairs subscribed to each message type.
type Routes = HashMap<String, Vec<(&'static str, &'static str)>>;

/// The router's state: every delivery in flight, its timers, and what waits for a consumer to
/// start. One method per event.
struct Deliveries<'r> {
    router: &'r Router,
    routes: Routes,
    next_token: u64,
    in_flight: HashMap<u64, InFlight>,
    /// Deliveries still open per producer outbox entry: at zero, the entry is delivered.
    remaining: HashMap<(&'static str, OutboxSeq), usize>,
    timers: BinaryHeap<Reverse<(Instant, u64, Timer)>>,
    /// Deliveries for a consumer whose actor is not running.
    parked: Vec<u64>,
}

impl<'r> Deliveries<'r> {
    fn new(router: &'r Router) -> Self {
        let mut routes: Routes = HashMap::new();
        for host in router.shared.hosts() {
            for subscription in host.descriptor.consumes {
                let name = host.descriptor.name;
                routes.entry(subscription.message_type.to_owned()).or_default().push((name, subscription.handler_id));
            }
        }
        Self {
            router,
            routes,
            next_token: 1,
            in_flight: HashMap::new(),
            remaining: HashMap::new(),
            timers: BinaryHeap::new(),
            parked: Vec::new(),
        }
    }

    /// How long the router may wait for an event before a timer is due.
    fn until_next_timer(&self) -> Duration {
        let next = self.timers.peek().map(|Reverse((at, _, _))| *at);
        next.map_or(Duration::from_millis(100), |at| at.saturating_duration_since(Instant::now()))
    }

    /// A relay published `envelope` (outbox entry `seq` of `source`): one delivery per
    /// receiving handler, or delivered at once if none receives it.
    fn published(&mut self, source: &'static str, seq: OutboxSeq, envelope: Arc<Envelope>) {
        let targets: Vec<(&'static str, &'static str)> = self
            .routes
            .get(&envelope.message_type)
            .map(|subs| subs.iter().copied().filter(|(consumer, _)| receives(consumer, source, &envelope)).collect())
            .unwrap_or_default();
        if targets.is_empty() {
            if let Some(host) = self.router.shared.host(source) {
                host.delivered(seq);
            }
            return;
        }
        self.remaining.insert((source, seq), targets.len());
        for (consumer, handler_id) in targets {
            let flight =
                InFlight { consumer, handler_id, envelope: envelope.clone(), attempt: 1, origin: Some((source, seq)) };
            self.router.pending.fetch_add(1, Ordering::AcqRel);
            self.start(flight);
        }
    }

    /// A consumer answered delivery `token`: done, or a failure to retry or dead-letter.
    fn outcome(&mut self, token: u64, result: Result<(), String>) {
        let config = &self.router.shared.config;
        let Some(flight) = self.in_flight.get_mut(&token) else { return };
        let error = match result {
            Ok(()) => return self.finish(token),
            Err(error) => error,
        };
        if flight.attempt >= config.max_attempts {
            self.router.dead_letter(flight, &error);
            return self.finish(token);
        }
        let backoff = config.retry_base.saturating_mul(1 << (flight.attempt - 1).min(16));
        tracing::info!(
            consumer = flight.consumer, handler = flight.handler_id, message_id = %flight.envelope.id,
            attempt = flight.attempt, error = %error, "delivery failed; retrying"
        );
        flight.attempt += 1;
        self.timers.push(Reverse((Instant::now() + backoff.min(config.retry_max), token, Timer::Retry)));
    }

    /// Context `name` started again: what was parked for it goes out.
    fn started(&mut self, name: &str) {
        for token in std::mem::take(&mut self.parked) {
            match self.in_flight.get(&token) {
                Some(flight) if flight.consumer == name => self.dispatch(token),
                Some(_) => self.parked.push(token),
                None => {}
            }
        }
    }

    /// An operator asked to deliver a dead letter again.
    fn replay(&mut self, letter: DeadLetter) {
        let shared = &self.router.shared;
        let subscription = shared.host(&letter.consumer).and_then(|host| {
            host.descriptor.consumes.iter().find(|s| s.handler_id == letter.handler_id).map(|s| (host, s))
        });
        let Some((host, subscription)) = subscription else {
            self.router.pending.fetch_sub(1, Ordering::AcqRel);
            return;
        };
        // `pending` was raised by whoever asked for the replay, so that a `settle` racing
        // with this event still waits for it.
        self.start(InFlight {
            consumer: host.descriptor.name,
            handler_id: subscription.handler_id,
            envelope: Arc::new(letter.envelope),
            attempt: 1,
            origin: None,
        });
    }

    /// Fires the timers that are due: retries, and timeouts of the attempt they watch.
    fn fire_due_timers(&mut self) {
        while let Some(Reverse((at, token, timer))) = self.timers.peek().copied() {
            if at > Instant::now() {
                break;
            }
            self.timers.pop();
            let Some(flight) = self.in_flight.get(&token) else { continue };
            match timer {
                Timer::Retry => self.dispatch(token),
                Timer::Timeout { attempt } if attempt == flight.attempt && !self.parked.contains(&token) => {
                    tracing::warn!(consumer = flight.consumer, message_id = %flight.envelope.id, "delivery timed out; redelivering");
                    self.dispatch(token);
                }
                Timer::Timeout { .. } => {}
            }
        }
    }

    fn start(&mut self, flight: InFlight) {
        let token = self.next_token;
        self.next_token += 1;
        self.in_flight.insert(token, flight);
        self.dispatch(token);
    }

    /// Hands delivery `token` to its consumer's actor (as many times as the configuration
    /// says), watching for a timeout; parks it if the consumer is stopped.
    fn dispatch(&mut self, token: u64) {
        let Some(flight) = self.in_flight.get(&token) else { return };
        let shared = &self.router.shared;
        let Some(recipient) = shared.host(flight.consumer).and_then(|h| h.deliver_to()) else {
            return self.parked.push(token);
        };
        for _ in 0..shared.config.deliveries_per_message.max(1) {
            recipient.do_send(Deliver { envelope: flight.envelope.clone(), handler_id: flight.handler_id, token });
        }
        let timeout = Timer::Timeout { attempt: flight.attempt };
        self.timers.push(Reverse((Instant::now() + shared.config.delivery_timeout, token, timeout)));
    }

    /// Delivery `token` is over; its producer's entry is delivered once all its deliveries are.
    fn finish(&mut self, token: u64) {
        let Some(flight) = self.in_flight.remove(&token) else { return };
        self.router.pending.fetch_sub(1, Ordering::AcqRel);
        let Some(origin) = flight.origin else { return };
        let Some(left) = self.remaining.get_mut(&origin) else { return };
        *left -= 1;
        if *left == 0 {
            self.remaining.remove(&origin);
            if let Some(host) = self.router.shared.host(origin.0) {
                host.delivered(origin.1);
            }
        }
    }
}

impl Router {
    fn dead_letter(&self, flight: &InFlight, error: &str) {
        let Some(host) = self.shared.host(flight.consumer) else { return };
        let letter = DeadLetter {
            consumer: flight.consumer.to_owned(),
            handler_id: flight.handler_id.to_owned(),
            envelope: (*flight.envelope).clone(),
            error: error.to_owned(),
            attempts: flight.attempt,
            failed_at: self.shared.clock.now(),
        };
        tracing::error!(
            consumer = flight.consumer, handler = flight.handler_id, message_id = %flight.envelope.id,
            attempts = flight.attempt, error, "message dead-lettered"
        );
        if let Err(e) = host.storage.dead_letters.put(&letter) {
            tracing::error!(consumer = flight.consumer, error = %e, "dead letter could not be stored");
        }
    }
}
