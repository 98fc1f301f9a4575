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

/// Durable storage: each context's own sled database in `<dir>/<context>`, holding its
/// events, outbox and inbox (the event store), its dead letters and its blobs.
pub struct SledStorage {
    dir: std::path::PathBuf,
    clock: Arc<dyn Clock>,
    config: crate::store::StoreConfig,
}

impl SledStorage {
    pub fn new(dir: impl Into<std::path::PathBuf>, clock: Arc<dyn Clock>, config: crate::store::StoreConfig) -> Self {
        Self { dir: dir.into(), clock, config }
    }
}

impl Storage for SledStorage {
    fn open(&self, context: &str) -> Result<ContextStorage, StoreError> {
        let events = crate::store::SledEventStore::open(
            self.dir.join(context),
            context,
            self.clock.clone(),
            self.config.clone(),
        )?;
        let blobs = SledBlobs(crate::store::ChunkedTree::new(context, events.open_tree("blobs")?));
        let dead_letters = SledDeadLetters(crate::store::ChunkedTree::new(context, events.open_tree("dead-letters")?));
        Ok(ContextStorage { events: Arc::new(events), dead_letters: Arc::new(dead_letters), blobs: Arc::new(blobs) })
    }
}

/// Blobs in the context's database. Written before the append that references them, and
/// made durable by that append's flush.
struct SledBlobs(crate::store::ChunkedTree);

impl BlobStore for SledBlobs {
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        self.0.put(key, bytes)
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.get(key)
    }
}

/// Dead letters in the consumer's database, keyed by message id and handler id.
struct SledDeadLetters(crate::store::ChunkedTree);

fn letter_key(message_id: MessageId, handler_id: &str) -> String {
    format!("{message_id}/{handler_id}")
}

impl SledDeadLetters {
    fn decode(&self, key: &str, bytes: &[u8]) -> Result<DeadLetter, StoreError> {
        serde_json::from_slice(bytes).map_err(|e| StoreError::Corrupt {
            context: String::new(),
            location: format!("dead letter {key}"),
            reason: e.to_string(),
        })
    }
}

impl DeadLetterStore for SledDeadLetters {
    fn put(&self, letter: &DeadLetter) -> Result<(), StoreError> {
        let json = serde_json::to_vec(letter).expect("a dead letter serializes");
        self.0.put(&letter_key(letter.envelope.id, &letter.handler_id), &json)?;
        self.0.flush()
    }

    fn list(&self) -> Result<Vec<DeadLetter>, StoreError> {
        let mut letters = Vec::new();
        for key in self.0.keys()? {
            if let Some(bytes) = self.0.get(&key)? {
                letters.push(self.decode(&key, &bytes)?);
            }
        }
        Ok(letters)
    }

    fn take(&self, message_id: MessageId, handler_id: &str) -> Result<Option<DeadLetter>, StoreError> {
        let key = letter_key(message_id, handler_id);
        let Some(bytes) = self.0.get(&key)? else { return Ok(None) };
        let letter = self.decode(&key, &bytes)?;
        self.0.remove(&key)?;
        self.0.flush()?;
        Ok(Some(letter))
    }
}
