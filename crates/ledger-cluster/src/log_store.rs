//! The raft log of one replica: entries, the vote, the committed and the last purged log ids, in
//! a sled database of its own (`DATA_DIR/raft`), apart from the ledger's store so that neither's
//! batches wait on the other's.
//!
//! Raft's safety rests on this log: an entry counts towards a majority only once it is on disk, and
//! a vote once given must survive a crash. So every change is applied, flushed and then fsynced
//! (sled's own flush ends in `sync_file_range`, which does not make a write durable against power
//! loss; `fsync` of its data file does) before raft hears it is done. Changes are applied in the
//! order raft makes them, each awaited before the next, as openraft requires.
//!
//! | key | value |
//! | --- | --- |
//! | `e` index (u64) | the entry (postcard) |
//! | `v` | the vote (postcard) |
//! | `c` | the committed log id (postcard) |
//! | `p` | the last purged log id (postcard) |

// openraft's storage traits return its `StorageError`, large by its design, not ours.
#![allow(clippy::result_large_err)]

use std::fmt::Debug;
use std::fs::File;
use std::ops::{Bound, RangeBounds};
use std::path::Path;
use std::sync::Arc;

use openraft::storage::{LogFlushed, LogState, RaftLogStorage};
use openraft::{LogId, OptionalSend, RaftLogReader, StorageError, StorageIOError, Vote};

use crate::{Entry, LedgerRaft, NodeId};

const ENTRY_PREFIX: u8 = b'e';
const VOTE: &[u8] = b"v";
const COMMITTED: &[u8] = b"c";
const PURGED: &[u8] = b"p";
/// sled's page cache for the raft log: entries are read back mostly while they are recent.
const RAFT_LOG_CACHE_BYTES: u64 = 16 * 1024 * 1024;

type Result<T> = std::result::Result<T, StorageError<NodeId>>;

fn entry_key(index: u64) -> [u8; 9] {
    let mut key = [ENTRY_PREFIX; 9];
    key[1..].copy_from_slice(&index.to_be_bytes());
    key
}

/// The raft log of this replica; cheap to clone (one database behind it).
#[derive(Clone)]
pub struct LogStore {
    inner: Arc<Inner>,
}

struct Inner {
    db: sled::Db,
    /// sled's data file, held open so that every change can be fsynced.
    db_file: File,
}

impl Debug for LogStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogStore")
    }
}

impl LogStore {
    /// Opens (or creates) the raft log in `dir`.
    pub fn open(dir: &Path) -> std::io::Result<LogStore> {
        let db = sled::Config::new().path(dir).cache_capacity(RAFT_LOG_CACHE_BYTES).open().map_err(io)?;
        let db_file = std::fs::OpenOptions::new().read(true).write(true).open(dir.join("db"))?;
        let store = LogStore { inner: Arc::new(Inner { db, db_file }) };
        store.inner.sync().map_err(io)?;
        if let Some(parent) = dir.parent() {
            File::open(parent)?.sync_all()?;
        }
        Ok(store)
    }

    /// Runs `work` on a blocking thread, awaited, so that changes stay in raft's order.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|error| StorageIOError::write(&std::io::Error::other(error.to_string())))?
    }
}

fn io(error: sled::Error) -> std::io::Error {
    match error {
        sled::Error::Io(error) => error,
        other => std::io::Error::other(other.to_string()),
    }
}

impl Inner {
    /// Makes every change so far durable.
    fn sync(&self) -> sled::Result<()> {
        self.db.flush()?;
        self.db_file.sync_all()?;
        Ok(())
    }

    fn get<T: serde::de::DeserializeOwned>(
        &self,
        key: &[u8],
    ) -> std::result::Result<Option<T>, std::io::Error> {
        match self.db.get(key).map_err(io)? {
            None => Ok(None),
            Some(bytes) => postcard::from_bytes(&bytes).map(Some).map_err(std::io::Error::other),
        }
    }

    fn put<T: serde::Serialize>(&self, key: &[u8], value: &T) -> std::result::Result<(), std::io::Error> {
        let bytes = postcard::to_allocvec(value).map_err(std::io::Error::other)?;
        self.db.insert(key, bytes).map_err(io)?;
        self.sync().map_err(io)
    }

    fn last_entry(&self) -> std::result::Result<Option<Entry>, std::io::Error> {
        let last = self.db.scan_prefix([ENTRY_PREFIX]).next_back().transpose().map_err(io)?;
        last.map(|(_, bytes)| postcard::from_bytes(&bytes).map_err(std::io::Error::other)).transpose()
    }

    /// Removes the entries with index in `range`, and makes it durable.
    fn remove(&self, range: impl RangeBounds<u64>) -> std::result::Result<(), std::io::Error> {
        let start = match range.start_bound() {
            Bound::Included(index) => entry_key(*index),
            Bound::Excluded(index) => entry_key(index.saturating_add(1)),
            Bound::Unbounded => entry_key(0),
        };
        let mut batch = sled::Batch::default();
        for key in self.db.range(start..=entry_key(u64::MAX)).keys() {
            let key = key.map_err(io)?;
            let index =
                <[u8; 8]>::try_from(&key[1..]).map(u64::from_be_bytes).map_err(std::io::Error::other)?;
            if !range.contains(&index) {
                break;
            }
            batch.remove(key);
        }
        self.db.apply_batch(batch).map_err(io)?;
        self.sync().map_err(io)
    }
}

impl RaftLogReader<LedgerRaft> for LogStore {
    async fn try_get_log_entries<RB: RangeBounds<u64> + Clone + Debug + OptionalSend>(
        &mut self,
        range: RB,
    ) -> Result<Vec<Entry>> {
        let start = match range.start_bound() {
            Bound::Included(index) => *index,
            Bound::Excluded(index) => index.saturating_add(1),
            Bound::Unbounded => 0,
        };
        let range = (range.start_bound().cloned(), range.end_bound().cloned());
        self.blocking(move |inner| {
            let mut entries = Vec::new();
            for item in inner.db.range(entry_key(start)..=entry_key(u64::MAX)) {
                let (key, bytes) = item.map_err(|error| StorageIOError::read_logs(&error))?;
                let index = <[u8; 8]>::try_from(&key[1..])
                    .map(u64::from_be_bytes)
                    .map_err(|error| StorageIOError::read_logs(&error))?;
                if !range.contains(&index) {
                    break;
                }
                entries
                    .push(postcard::from_bytes(&bytes).map_err(|error| StorageIOError::read_logs(&error))?);
            }
            Ok(entries)
        })
        .await
    }
}

impl RaftLogStorage<LedgerRaft> for LogStore {
    type LogReader = LogStore;

    async fn get_log_state(&mut self) -> Result<LogState<LedgerRaft>> {
        self.blocking(|inner| {
            let last_purged_log_id: Option<LogId<NodeId>> =
                inner.get(PURGED).map_err(|error| StorageIOError::read_logs(&error))?;
            let last = inner.last_entry().map_err(|error| StorageIOError::read_logs(&error))?;
            let last_log_id = last.map(|entry| entry.log_id).or(last_purged_log_id);
            Ok(LogState { last_purged_log_id, last_log_id })
        })
        .await
    }

    async fn get_log_reader(&mut self) -> Self::LogReader {
        self.clone()
    }

    async fn save_vote(&mut self, vote: &Vote<NodeId>) -> Result<()> {
        let vote = *vote;
        self.blocking(move |inner| {
            inner.put(VOTE, &vote).map_err(|error| StorageIOError::write_vote(&error).into())
        })
        .await
    }

    async fn read_vote(&mut self) -> Result<Option<Vote<NodeId>>> {
        self.blocking(|inner| inner.get(VOTE).map_err(|error| StorageIOError::read_vote(&error).into())).await
    }

    async fn save_committed(&mut self, committed: Option<LogId<NodeId>>) -> Result<()> {
        self.blocking(move |inner| {
            inner.put(COMMITTED, &committed).map_err(|error| StorageIOError::write(&error).into())
        })
        .await
    }

    async fn read_committed(&mut self) -> Result<Option<LogId<NodeId>>> {
        self.blocking(|inner| {
            let committed: Option<Option<LogId<NodeId>>> =
                inner.get(COMMITTED).map_err(|error| StorageIOError::read(&error))?;
            Ok(committed.flatten())
        })
        .await
    }

    async fn append<I>(&mut self, entries: I, callback: LogFlushed<LedgerRaft>) -> Result<()>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut batch = sled::Batch::default();
        for entry in entries {
            let bytes = postcard::to_allocvec(&entry).map_err(|error| StorageIOError::write_logs(&error))?;
            batch.insert(&entry_key(entry.log_id.index)[..], bytes);
        }
        let written = self
            .blocking(move |inner| {
                inner.db.apply_batch(batch).map_err(|error| StorageIOError::write_logs(&error))?;
                inner.sync().map_err(|error| StorageIOError::write_logs(&error).into())
            })
            .await;
        // Raft hears the entries are on disk only once they are.
        callback.log_io_completed(match &written {
            Ok(()) => Ok(()),
            Err(error) => Err(std::io::Error::other(error.to_string())),
        });
        written
    }

    async fn truncate(&mut self, log_id: LogId<NodeId>) -> Result<()> {
        self.blocking(move |inner| {
            inner.remove(log_id.index..).map_err(|error| StorageIOError::write_logs(&error).into())
        })
        .await
    }

    async fn purge(&mut self, log_id: LogId<NodeId>) -> Result<()> {
        self.blocking(move |inner| {
            // The purged id first: a crash between the two leaves entries that are ignored, never a
            // log whose start is unknown.
            inner.put(PURGED, &log_id).map_err(|error| StorageIOError::write_logs(&error))?;
            inner.remove(..=log_id.index).map_err(|error| StorageIOError::write_logs(&error).into())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use openraft::storage::RaftLogStorageExt;
    use openraft::{CommittedLeaderId, EntryPayload};

    use super::*;
    use crate::AppendBytes;

    fn log_id(term: u64, index: u64) -> LogId<NodeId> {
        LogId::new(CommittedLeaderId::new(term, 1), index)
    }

    fn entry(term: u64, index: u64) -> Entry {
        Entry {
            log_id: log_id(term, index),
            payload: EntryPayload::Normal(AppendBytes(vec![index as u8; 100])),
        }
    }

    /// Appends and waits until raft would hear the entries are on disk.
    async fn append(store: &mut LogStore, entries: Vec<Entry>) {
        store.blocking_append(entries).await.unwrap_or_else(|error| panic!("{error}"));
    }

    #[tokio::test]
    async fn entries_votes_truncation_and_purge_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("{error}"));
        let path = dir.path().join("raft");
        {
            let mut store = LogStore::open(&path).unwrap_or_else(|error| panic!("{error}"));
            let state = store.get_log_state().await.unwrap_or_else(|error| panic!("{error}"));
            assert_eq!((state.last_log_id, state.last_purged_log_id), (None, None));
            append(&mut store, (1..=10).map(|index| entry(1, index)).collect()).await;
            store.save_vote(&Vote::new(2, 3)).await.unwrap_or_else(|error| panic!("{error}"));
            store.save_committed(Some(log_id(1, 6))).await.unwrap_or_else(|error| panic!("{error}"));
            // A new leader's log replaces the tail from 8.
            store.truncate(log_id(1, 8)).await.unwrap_or_else(|error| panic!("{error}"));
            append(&mut store, vec![entry(2, 8)]).await;
            store.purge(log_id(1, 3)).await.unwrap_or_else(|error| panic!("{error}"));
        }
        let mut store = LogStore::open(&path).unwrap_or_else(|error| panic!("{error}"));
        let state = store.get_log_state().await.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(state.last_log_id, Some(log_id(2, 8)));
        assert_eq!(state.last_purged_log_id, Some(log_id(1, 3)));
        assert_eq!(store.read_vote().await.unwrap_or_else(|error| panic!("{error}")), Some(Vote::new(2, 3)));
        assert_eq!(
            store.read_committed().await.unwrap_or_else(|error| panic!("{error}")),
            Some(log_id(1, 6))
        );
        let entries = store.try_get_log_entries(0..100).await.unwrap_or_else(|error| panic!("{error}"));
        let ids: Vec<LogId<NodeId>> = entries.iter().map(|entry| entry.log_id).collect();
        let expected: Vec<LogId<NodeId>> =
            (4..=7).map(|index| log_id(1, index)).chain([log_id(2, 8)]).collect();
        assert_eq!(ids, expected);
        assert_eq!(entries[0].payload, EntryPayload::Normal(AppendBytes(vec![4; 100])));
        let some = store.try_get_log_entries(5..=6).await.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(some.iter().map(|entry| entry.log_id.index).collect::<Vec<_>>(), vec![5, 6]);
        // Everything purged: the log state still names where it ends.
        store.purge(log_id(2, 8)).await.unwrap_or_else(|error| panic!("{error}"));
        let state = store.get_log_state().await.unwrap_or_else(|error| panic!("{error}"));
        assert_eq!((state.last_log_id, state.last_purged_log_id), (Some(log_id(2, 8)), Some(log_id(2, 8))));
    }
}
