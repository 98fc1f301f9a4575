//! The store's sync thread: it makes each group the writer wrote durable, in order, then
//! publishes it to readers and answers its requests (see the parent module's "Durability").

use std::fs::File;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use kernel::store::{AppendCallback, AppendError, AppendReceipt, StoreError};

use super::{io_error, lock, sled_error, Durable};

/// Where the outcome of an append goes.
pub(super) enum AppendReply {
    /// A blocked `append`.
    Channel(Sender<Result<AppendReceipt, AppendError>>),
    /// An `append_async` callback.
    Callback(AppendCallback),
}

impl AppendReply {
    pub(super) fn send(self, result: Result<AppendReceipt, AppendError>, context: &str) {
        match self {
            // The appender may have gone away (its thread ended); nothing is owed to it then.
            Self::Channel(reply) => drop(reply.send(result)),
            Self::Callback(done) => {
                // A panicking callback must not take the writer (and every later append) down.
                if catch_unwind(AssertUnwindSafe(|| done(result))).is_err() {
                    tracing::error!(context, "an append_async callback panicked");
                }
            }
        }
    }
}

/// An answer waiting for its group to be durable.
pub(super) enum Reply {
    Append(AppendReply, Result<AppendReceipt, AppendError>),
    Mark(Sender<Result<(), StoreError>>, Result<(), StoreError>),
}

impl Reply {
    /// Turns a planned success into `error` (the group was not made durable).
    pub(super) fn fail(&mut self, error: &StoreError) {
        match self {
            Self::Append(_, result @ Ok(_)) => *result = Err(AppendError::Store(error.clone())),
            Self::Mark(_, result @ Ok(_)) => *result = Err(error.clone()),
            _ => {}
        }
    }

    fn send(self, context: &str) {
        match self {
            Self::Append(reply, result) => reply.send(result, context),
            // The caller may have gone away (its thread ended); nothing is owed to it then.
            Self::Mark(reply, result) => drop(reply.send(result)),
        }
    }
}

/// A group written to sled, waiting to be made durable and answered.
pub(super) struct Written {
    pub(super) group: u64,
    /// The state once it is durable.
    pub(super) state: Durable,
    /// Whether anything was written (else it only answers, in order).
    pub(super) wrote: bool,
    pub(super) replies: Vec<Reply>,
}

/// The thread that makes written groups durable, in order, and only then publishes them to
/// readers and answers their requests. While it waits for a sync, the writer writes the next
/// group: a crash may then keep a group that was written but never acknowledged, which the parent
/// module's docs already allow (every acknowledged group is durable, whole, and so is every
/// group before it).
pub(super) struct Syncer {
    pub(super) context: Arc<str>,
    pub(super) db: ::sled::Db,
    pub(super) data_file: File,
    pub(super) durable: Arc<Mutex<Durable>>,
    pub(super) failure: Arc<Mutex<Option<StoreError>>>,
    /// After a failed sync every later group is answered with this error: the state of the
    /// file is unknown.
    pub(super) failed: Option<StoreError>,
    pub(super) queue: Receiver<Written>,
}

impl Syncer {
    /// Starts the sync thread of `context`.
    pub(super) fn spawn(self, context: &str) -> Result<JoinHandle<()>, StoreError> {
        std::thread::Builder::new()
            .name(format!("sync-{context}"))
            .spawn(move || self.run())
            .map_err(|e| io_error(context, "starting the sync thread".into(), e))
    }

    fn run(mut self) {
        for Written { group, state, wrote, mut replies } in self.queue.iter() {
            if wrote && self.failed.is_none() {
                match self.sync() {
                    Ok(()) => *lock(&self.durable) = state,
                    Err(error) => {
                        tracing::error!(context = %self.context, %error, group, "a group commit failed; the store refuses further writes");
                        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
                        self.failed = Some(error);
                    }
                }
            }
            if let Some(error) = &self.failed {
                for reply in &mut replies {
                    reply.fail(error);
                }
            }
            for reply in replies {
                reply.send(&self.context);
            }
        }
    }

    /// Makes everything written so far durable (see the parent module's docs).
    fn sync(&self) -> Result<(), StoreError> {
        self.db.flush().map_err(|e| sled_error(&self.context, e))?;
        self.data_file.sync_data().map_err(|e| io_error(&self.context, "fdatasync of sled's data file".into(), e))
    }
}
