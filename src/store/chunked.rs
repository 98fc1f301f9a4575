//! Values of any size in a sled tree, as checksummed chunks of at most 4 KiB: sled 0.34
//! writes larger items to separate files it never syncs, so nothing this project writes is
//! larger (see the `sled` module docs).

use kernel::record::{read_frame, write_frame};
use kernel::store::StoreError;

use super::keys::CHUNK;

/// A tree of chunked, checksummed values under string keys.
#[derive(Clone)]
pub struct ChunkedTree {
    context: String,
    tree: ::sled::Tree,
}

impl ChunkedTree {
    pub fn new(context: &str, tree: ::sled::Tree) -> Self {
        Self { context: context.to_owned(), tree }
    }

    fn error(&self, e: ::sled::Error) -> StoreError {
        StoreError::Io { context: self.context.clone(), reason: e.to_string() }
    }

    fn corrupt(&self, key: &str, reason: String) -> StoreError {
        StoreError::Corrupt { context: self.context.clone(), location: format!("`{}` {key}", self.name()), reason }
    }

    fn name(&self) -> String {
        String::from_utf8_lossy(&self.tree.name()).into_owned()
    }

    /// `key` bytes, a 0 separator (keys are text), then the chunk number.
    fn chunk_key(key: &str, chunk: u32) -> Vec<u8> {
        let mut k = Vec::with_capacity(key.len() + 5);
        k.extend_from_slice(key.as_bytes());
        k.push(0);
        k.extend_from_slice(&chunk.to_be_bytes());
        k
    }

    fn prefix(key: &str) -> Vec<u8> {
        let mut k = key.as_bytes().to_vec();
        k.push(0);
        k
    }

    /// Stores `value` under `key`, replacing what was there, in one atomic batch.
    pub fn put(&self, key: &str, value: &[u8]) -> Result<(), StoreError> {
        if key.as_bytes().contains(&0) {
            return Err(StoreError::Io { context: self.context.clone(), reason: format!("key {key:?} contains NUL") });
        }
        let mut framed = Vec::new();
        write_frame(&mut framed, value);
        let mut batch = ::sled::Batch::default();
        for old in self.tree.scan_prefix(Self::prefix(key)).keys() {
            batch.remove(old.map_err(|e| self.error(e))?);
        }
        for (i, chunk) in framed.chunks(CHUNK).enumerate() {
            batch.insert(Self::chunk_key(key, i as u32), chunk);
        }
        self.tree.apply_batch(batch).map_err(|e| self.error(e))
    }

    /// The value under `key`, verified.
    pub fn get(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let mut framed = Vec::new();
        for chunk in self.tree.scan_prefix(Self::prefix(key)).values() {
            framed.extend_from_slice(&chunk.map_err(|e| self.error(e))?);
        }
        if framed.is_empty() {
            return Ok(None);
        }
        let (body, used) = read_frame(&framed).map_err(|e| self.corrupt(key, e.to_string()))?;
        if used != framed.len() {
            return Err(self.corrupt(key, "trailing bytes after the record".into()));
        }
        Ok(Some(body.to_vec()))
    }

    /// Removes `key`; returns whether it was there.
    pub fn remove(&self, key: &str) -> Result<bool, StoreError> {
        let mut batch = ::sled::Batch::default();
        let mut found = false;
        for old in self.tree.scan_prefix(Self::prefix(key)).keys() {
            batch.remove(old.map_err(|e| self.error(e))?);
            found = true;
        }
        self.tree.apply_batch(batch).map_err(|e| self.error(e))?;
        Ok(found)
    }

    /// Every key, in order.
    pub fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        for k in self.tree.iter().keys() {
            let k = k.map_err(|e| self.error(e))?;
            let Some(end) = k.iter().position(|&b| b == 0) else { continue };
            let key = String::from_utf8_lossy(&k[..end]).into_owned();
            if keys.last() != Some(&key) {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    pub fn flush(&self) -> Result<(), StoreError> {
        self.tree.flush().map(|_| ()).map_err(|e| self.error(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> (tempfile::TempDir, ChunkedTree) {
        let dir = tempfile::tempdir().unwrap();
        let db = ::sled::Config::new().path(dir.path()).open().unwrap();
        (dir, ChunkedTree::new("test", db.open_tree("t").unwrap()))
    }

    #[test]
    fn values_of_any_size_round_trip_and_replace() {
        let (_dir, tree) = tree();
        let big: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
        tree.put("a", &big).unwrap();
        tree.put("b", b"small").unwrap();
        assert_eq!(tree.get("a").unwrap().unwrap(), big);
        tree.put("a", b"shorter now").unwrap();
        assert_eq!(tree.get("a").unwrap().unwrap(), b"shorter now");
        assert_eq!(tree.keys().unwrap(), ["a", "b"]);
        assert!(tree.remove("a").unwrap());
        assert_eq!(tree.get("a").unwrap(), None);
        assert!(!tree.remove("a").unwrap());
    }

    #[test]
    fn a_damaged_chunk_is_reported_not_returned() {
        let (_dir, tree) = tree();
        tree.put("k", &[7u8; 10_000]).unwrap();
        let key = ChunkedTree::chunk_key("k", 1);
        let mut chunk = tree.tree.get(&key).unwrap().unwrap().to_vec();
        chunk[5] ^= 1;
        tree.tree.insert(key, chunk).unwrap();
        assert!(matches!(tree.get("k"), Err(StoreError::Corrupt { .. })));
    }
}
