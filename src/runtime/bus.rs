//! The in-process bus: one outbox relay per context publishes its committed messages, in
//! order, onto a bounded crossbeam channel; the router delivers each to every subscribing
//! context, retries failures with exponential backoff, dead-letters what still fails, and
//! tells the producer's relay when a message is done so its delivery cursor can advance.
//!
//! Delivery is at least once (a restart resends everything after the durable cursor);
//! consumers' inboxes make the effect exactly once.

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use kernel::message::{Envelope, MessageKind};
use kernel::store::{EventStore, OutboxSeq};

use super::actor::Deliver;
use super::storage::DeadLetter;
use super::{RouterEvent, Shared};

/// Publishes one context's outbox onto the bus.
pub(crate) struct Relay {
    pub context: &'static str,
    pub store: Arc<dyn EventStore>,
    pub bus: Sender<RouterEvent>,
    pub wake: Receiver<()>,
    pub delivered: Receiver<OutboxSeq>,
    pub running: Arc<AtomicBool>,
    pub stop: Arc<AtomicBool>,
}

impl Relay {
    pub fn run(self) {
        let mut cursor = match self.store.outbox_delivered() {
            Ok(seq) => seq,
            Err(e) => {
                tracing::error!(context = self.context, error = %e, "outbox relay cannot start");
                return;
            }
        };
        let mut sent = cursor;
        let mut done = BTreeSet::new();
        let mut last_saved = Instant::now();
        let mut saved = cursor;
        while !self.stop.load(Ordering::Acquire) {
            select! {
                recv(self.wake) -> _ => {},
                recv(self.delivered) -> seq => { if let Ok(seq) = seq { done.insert(seq); } },
                default(Duration::from_millis(20)) => {},
            }
            while let Ok(seq) = self.delivered.try_recv() {
                done.insert(seq);
            }
            while done.first().is_some_and(|s| s.0 == cursor.0 + 1) {
                cursor = done.pop_first().expect("checked");
            }
            // The cursor only saves work after a restart (the inbox dedupes what is resent),
            // so it is written at most every 100 ms, not once per message.
            if cursor > saved && last_saved.elapsed() >= Duration::from_millis(100) {
                match self.store.mark_outbox_delivered(cursor) {
                    Ok(()) => saved = cursor,
                    Err(e) => tracing::warn!(context = self.context, error = %e, "delivery cursor not saved"),
                }
                last_saved = Instant::now();
            }
            if !self.running.load(Ordering::Acquire) {
                continue;
            }
            let batch = match self.store.read_outbox(sent, 256) {
                Ok(batch) => batch,
                Err(e) => {
                    tracing::error!(context = self.context, error = %e, "outbox unreadable; retrying");
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
            };
            for entry in batch {
                let mut event =
                    RouterEvent::Published { source: self.context, seq: entry.seq, envelope: Arc::new(entry.envelope) };
                // A full bus is backpressure: wait, but notice a shutdown.
                loop {
                    match self.bus.send_timeout(event, Duration::from_millis(50)) {
                        Ok(()) => break,
                        Err(crossbeam_channel::SendTimeoutError::Timeout(back)) => {
                            if self.stop.load(Ordering::Acquire) {
                                return;
                            }
                            event = back;
                        }
                        Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => return,
                    }
                }
                sent = entry.seq;
            }
        }
        if cursor > saved {
            let _ = self.store.mark_outbox_delivered(cursor);
        }
    }
}

struct InFlight {
    consumer: &'static str,
    handler_id: &'static str,
    envelope: Arc<Envelope>,
    attempt: u32,
    /// The producer's outbox entry this delivery is part of (none for a dead-letter replay).
    origin: Option<(&'static str, OutboxSeq)>,
}

/// Routes published messages to subscribers.
pub(crate) struct Router {
    pub shared: Arc<Shared>,
    pub bus: Receiver<RouterEvent>,
    pub control: Receiver<RouterEvent>,
    /// Deliveries not yet finished, for `settle`.
    pub pending: Arc<AtomicUsize>,
}

/// (consumer, handler id) pairs subscribed to each message type.
type Routes = HashMap<String, Vec<(&'static str, &'static str)>>;

impl Router {
    fn routes(&self) -> Routes {
        let mut routes: Routes = HashMap::new();
        for host in self.shared.hosts() {
            for subscription in host.descriptor.consumes {
                routes
                    .entry(subscription.message_type.to_owned())
                    .or_default()
                    .push((host.descriptor.name, subscription.handler_id));
            }
        }
        routes
    }

    pub fn run(self) {
        let routes = self.routes();
        let config = &self.shared.config;
        let mut next_token = 1u64;
        let mut in_flight: HashMap<u64, InFlight> = HashMap::new();
        let mut remaining: HashMap<(&'static str, OutboxSeq), usize> = HashMap::new();
        let mut timers: BinaryHeap<Reverse<(Instant, u64, u32)>> = BinaryHeap::new();
        let mut parked: Vec<u64> = Vec::new();

        let dispatch = |token: u64, flight: &InFlight, parked: &mut Vec<u64>, timers: &mut BinaryHeap<_>| {
            let live = self.shared.host(flight.consumer).and_then(|h| h.deliver_to());
            match live {
                Some(recipient) => {
                    for _ in 0..config.deliveries_per_message.max(1) {
                        recipient.do_send(Deliver {
                            envelope: flight.envelope.clone(),
                            handler_id: flight.handler_id,
                            token,
                        });
                    }
                    timers.push(Reverse((Instant::now() + config.delivery_timeout, token, flight.attempt)));
                }
                None => parked.push(token),
            }
        };

        loop {
            let deadline = timers.peek().map(|Reverse((at, _, _))| *at);
            let timeout =
                deadline.map_or(Duration::from_millis(100), |at| at.saturating_duration_since(Instant::now()));
            let event = select! {
                recv(self.control) -> e => e.ok(),
                recv(self.bus) -> e => e.ok(),
                default(timeout) => None,
            };
            let mut finished: Vec<u64> = Vec::new();
            match event {
                Some(RouterEvent::Shutdown) => return,
                Some(RouterEvent::Published { source, seq, envelope }) => {
                    let targets: Vec<(&'static str, &'static str)> = routes
                        .get(&envelope.message_type)
                        .map(|subs| {
                            subs.iter()
                                .copied()
                                .filter(|(consumer, _)| *consumer != source || envelope.kind == MessageKind::Command)
                                .filter(|(consumer, _)| {
                                    envelope.kind != MessageKind::Command
                                        || envelope.recipient.as_deref() == Some(*consumer)
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    if targets.is_empty() {
                        if let Some(host) = self.shared.host(source) {
                            host.delivered(seq);
                        }
                        continue;
                    }
                    remaining.insert((source, seq), targets.len());
                    for (consumer, handler_id) in targets {
                        let token = next_token;
                        next_token += 1;
                        let flight = InFlight {
                            consumer,
                            handler_id,
                            envelope: envelope.clone(),
                            attempt: 1,
                            origin: Some((source, seq)),
                        };
                        self.pending.fetch_add(1, Ordering::AcqRel);
                        dispatch(token, &flight, &mut parked, &mut timers);
                        in_flight.insert(token, flight);
                    }
                }
                Some(RouterEvent::Outcome { token, result }) => {
                    let Some(flight) = in_flight.get_mut(&token) else { continue };
                    match result {
                        Ok(()) => finished.push(token),
                        Err(error) => {
                            if flight.attempt >= config.max_attempts {
                                self.dead_letter(flight, &error);
                                finished.push(token);
                            } else {
                                let backoff = config.retry_base.saturating_mul(1 << (flight.attempt - 1).min(16));
                                tracing::info!(
                                    consumer = flight.consumer, handler = flight.handler_id,
                                    message_id = %flight.envelope.id, attempt = flight.attempt, error = %error,
                                    "delivery failed; retrying"
                                );
                                flight.attempt += 1;
                                // A retry timer: attempt number 0 marks "redeliver now".
                                timers.push(Reverse((Instant::now() + backoff.min(config.retry_max), token, 0)));
                            }
                        }
                    }
                }
                Some(RouterEvent::Started(name)) => {
                    for token in std::mem::take(&mut parked) {
                        if let Some(flight) = in_flight.get(&token) {
                            if flight.consumer == name {
                                dispatch(token, flight, &mut parked, &mut timers);
                            } else {
                                parked.push(token);
                            }
                        }
                    }
                }
                Some(RouterEvent::Replay { letter }) => {
                    let subscription = self.shared.host(&letter.consumer).and_then(|host| {
                        host.descriptor.consumes.iter().find(|s| s.handler_id == letter.handler_id).map(|s| (host, s))
                    });
                    let Some((host, subscription)) = subscription else {
                        self.pending.fetch_sub(1, Ordering::AcqRel);
                        continue;
                    };
                    let token = next_token;
                    next_token += 1;
                    let flight = InFlight {
                        consumer: host.descriptor.name,
                        handler_id: subscription.handler_id,
                        envelope: Arc::new(letter.envelope.clone()),
                        attempt: 1,
                        origin: None,
                    };
                    // `pending` was raised by whoever asked for the replay, so that a
                    // `settle` racing with this event still waits for it.
                    dispatch(token, &flight, &mut parked, &mut timers);
                    in_flight.insert(token, flight);
                }
                None => {}
            }
            // Fire due timers: retries (attempt 0) and delivery timeouts (the attempt they
            // watch; stale if the delivery moved on).
            while let Some(Reverse((at, token, watched))) = timers.peek().copied() {
                if at > Instant::now() {
                    break;
                }
                timers.pop();
                let Some(flight) = in_flight.get_mut(&token) else { continue };
                if watched == 0 {
                    dispatch(token, flight, &mut parked, &mut timers);
                } else if watched == flight.attempt && !parked.contains(&token) {
                    tracing::warn!(consumer = flight.consumer, message_id = %flight.envelope.id, "delivery timed out; redelivering");
                    dispatch(token, flight, &mut parked, &mut timers);
                }
            }
            for token in finished {
                let Some(flight) = in_flight.remove(&token) else { continue };
                self.pending.fetch_sub(1, Ordering::AcqRel);
                let Some(origin) = flight.origin else { continue };
                let Some(left) = remaining.get_mut(&origin) else { continue };
                *left -= 1;
                if *left == 0 {
                    remaining.remove(&origin);
                    if let Some(host) = self.shared.host(origin.0) {
                        host.delivered(origin.1);
                    }
                }
            }
        }
    }

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
