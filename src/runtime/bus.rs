//! The in-process bus's relays: one per context publishes its committed outbox, in order,
//! onto a bounded crossbeam channel (backpressure), and advances the durable delivery cursor
//! as the router reports entries done. The router is [`super::router`].
//!
//! Delivery is at least once (a restart resends everything after the durable cursor);
//! consumers' inboxes make the effect exactly once.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use kernel::store::{EventStore, OutboxSeq};

use super::RouterEvent;

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
