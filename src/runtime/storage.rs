//! Where a hosted context keeps its data: its event store, its dead letters and the blobs of
//! its claim-checked messages. The runtime asks a [`Storage`] for each context's share; the
//! sled storage gives every context its own database, the memory storage is for tests.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use kernel::message::{Envelope, MessageId};
use kernel::store::{EventStore, StoreError};
use kernel::time::{Clock, Timestamp};
use kernel::InMemoryEventStore;
use serde::{Deserialize, Serialize};

/// A message a consumer could not process after every retry, kept for inspection and replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeadLetter {
    /// The consuming context.
    pub consumer: String,
    pub handler_id: String,
    pub envelope: Envelope,
    pub error: String,
    pub attempts: u32,
    pub failed_at: Timestamp,
}

/// A context's dead-letter store.
pub trait DeadLetterStore: Send + Sync {
    fn put(&self, letter: &DeadLetter) -> Result<(), StoreError>;
    fn list(&self) -> Result<Vec<DeadLetter>, StoreError>;
    /// Removes and returns the dead letter of `message_id` for `handler_id`, if present.
    fn take(&self, message_id: MessageId, handler_id: &str) -> Result<Option<DeadLetter>, StoreError>;
}

/// A context's blob store: large payloads, stored by the producer, fetched by consumers.
pub trait BlobStore: Send + Sync {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError>;
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError>;
}

/// Everything one context stores.
#[derive(Clone)]
pub struct ContextStorage {
    pub events: Arc<dyn EventStore>,
    pub dead_letters: Arc<dyn DeadLetterStore>,
    pub blobs: Arc<dyn BlobStore>,
}

/// Opens each context's storage.
pub trait Storage: Send + Sync {
    fn open(&self, context: &str) -> Result<ContextStorage, StoreError>;
}

/// In-memory storage. Opening the same context twice returns the same data, so a runtime
/// restarted in the same process finds what the previous one committed.
pub struct MemoryStorage {
    clock: Arc<dyn Clock>,
    opened: Mutex<HashMap<String, ContextStorage>>,
}

impl MemoryStorage {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self { clock, opened: Mutex::default() }
    }
}

impl Storage for MemoryStorage {
    fn open(&self, context: &str) -> Result<ContextStorage, StoreError> {
        let mut opened = self.opened.lock().unwrap_or_else(|p| p.into_inner());
        let storage = opened.entry(context.to_owned()).or_insert_with(|| ContextStorage {
            events: Arc::new(InMemoryEventStore::new(context, self.clock.clone())),
            dead_letters: Arc::new(MemoryDeadLetters::default()),
            blobs: Arc::new(MemoryBlobs::default()),
        });
        Ok(storage.clone())
    }
}

#[derive(Default)]
pub struct MemoryDeadLetters(Mutex<BTreeMap<(MessageId, String), DeadLetter>>);

impl DeadLetterStore for MemoryDeadLetters {
    fn put(&self, letter: &DeadLetter) -> Result<(), StoreError> {
        let key = (letter.envelope.id, letter.handler_id.clone());
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key, letter.clone());
        Ok(())
    }
    fn list(&self) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).values().cloned().collect())
    }
    fn take(&self, message_id: MessageId, handler_id: &str) -> Result<Option<DeadLetter>, StoreError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).remove(&(message_id, handler_id.to_owned())))
    }
}

#[derive(Default)]
pub struct MemoryBlobs(Mutex<HashMap<String, Vec<u8>>>);

impl BlobStore for MemoryBlobs {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).insert(key.to_owned(), bytes.to_vec());
        Ok(())
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key).cloned())
    }
}
