//! Opening a store's directory after a clean close or a crash: sled's database (waiting for
//! a closing handle to let go of its lock), the syncs sled leaves out when it creates files,
//! and the durable state found on disk (see the parent module's "Durability").

use std::fs::File;
use std::path::Path;

use kernel::store::{OutboxSeq, StoreError};
use kernel::Position;

use super::reader::Reader;
use super::{io_error, sled_error, Durable};
use crate::store::keys;

/// sled's database and trees of a store, opened, with its data file and directories synced.
pub(super) struct Opened {
    pub(super) db: ::sled::Db,
    pub(super) log: ::sled::Tree,
    pub(super) snapshots: ::sled::Tree,
    /// sled's data file `<dir>/db`, which the syncer `fdatasync`s after each group.
    pub(super) data_file: File,
}

/// Opens sled's database in `path` with its two trees, then syncs what sled wrote without
/// syncing.
pub(super) fn open_directory(path: &Path, context: &str, cache_capacity: u64) -> Result<Opened, StoreError> {
    let db = open_db(path, cache_capacity).map_err(|e| match sled_error(context, e) {
        StoreError::Io { context, reason } => {
            StoreError::Io { context, reason: format!("opening the database in {}: {reason}", path.display()) }
        }
        other => other,
    })?;
    let log = db.open_tree("log").map_err(|e| sled_error(context, e))?;
    let snapshots = db.open_tree("snapshots").map_err(|e| sled_error(context, e))?;
    let data_path = path.join("db");
    let data_file = File::open(&data_path)
        .map_err(|e| io_error(context, format!("opening sled's data file {}", data_path.display()), e))?;
    // sled writes `conf` and creates the directories without syncing them.
    let synced = File::open(path.join("conf"))
        .and_then(|f| f.sync_all())
        .and_then(|()| data_file.sync_all())
        .and_then(|()| sync_dir(&path.join("blobs")))
        .and_then(|()| sync_dir(path))
        .and_then(|()| path.parent().filter(|p| !p.as_os_str().is_empty()).map_or(Ok(()), sync_dir));
    synced.map_err(|e| io_error(context, format!("syncing {}", path.display()), e))?;
    Ok(Opened { db, log, snapshots, data_file })
}

/// Syncs a directory's entries (new files, renames).
fn sync_dir(path: &Path) -> std::io::Result<()> {
    File::open(path)?.sync_all()
}

impl Reader<'_> {
    /// The state after the last group on disk: all of it is durable once sled recovered it.
    pub(super) fn recover(&self) -> Result<Durable, StoreError> {
        let last = |tag: u8| -> Result<Option<(::sled::IVec, ::sled::IVec)>, StoreError> {
            self.log.scan_prefix([tag]).next_back().transpose().map_err(|e| self.sled_error(e))
        };
        let mut state = Durable::default();
        if let Some((key, _)) = last(keys::LOG)? {
            let group = key.get(1..9).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
            state.group = group.ok_or_else(|| self.corrupt("the record log".into(), "a malformed key".into()))?;
        }
        if let Some((_, value)) = last(keys::POSITION)? {
            state.position = Position::new(self.locator(&value, || "the global log index".into())?.last);
        }
        if let Some((_, value)) = last(keys::OUTBOX)? {
            state.outbox = OutboxSeq(self.locator(&value, || "the outbox index".into())?.last);
        }
        if let Some(value) = self.log.get(keys::DELIVERED).map_err(|e| self.sled_error(e))? {
            let bytes: [u8; 8] = value.as_ref().try_into().map_err(|_| {
                self.corrupt("the outbox delivery cursor".into(), format!("{} bytes, not 8", value.len()))
            })?;
            state.delivered = OutboxSeq(u64::from_be_bytes(bytes));
        }
        Ok(state)
    }
}

/// How long `open` waits for a directory another handle is still letting go of. sled's
/// background IO threads finish after the last handle drops; with four conformance suites on
/// two loaded cores that took over 5 s (a reopen then failed "could not acquire lock"), so the
/// bound is generous: it only matters when a lock is held, and a lock held by a live process
/// still fails, after it.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// Opens sled's database, waiting up to [`LOCK_WAIT`] while its lock is held. Dropping the last
/// handle of a store does not release the lock at once: sled's own background threads hold
/// the database a moment longer. Reopening right after a close would otherwise fail now and
/// then with "could not acquire lock" (seen in the conformance suite under load).
fn open_db(path: &Path, cache_capacity: u64) -> ::sled::Result<::sled::Db> {
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(5);
    loop {
        let opened =
            ::sled::Config::new().path(path).mode(::sled::Mode::LowSpace).cache_capacity(cache_capacity).open();
        match opened {
            Err(::sled::Error::Io(e))
                if e.kind() == std::io::ErrorKind::WouldBlock && started.elapsed() < LOCK_WAIT =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(std::time::Duration::from_millis(200));
            }
            other => return other,
        }
    }
}
