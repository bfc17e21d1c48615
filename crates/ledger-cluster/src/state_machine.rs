//! The raft state machine of a replica: the ledger itself. Each committed entry's append goes
//! through [`Ledger::replicate_marked`], the path every replica takes: checked against this
//! replica's head and applied whole, with the entry's log id and the cluster's membership written
//! in the same batch (`L`), so that after a crash raft re-applies exactly what sled does not hold.
//! An append that does not extend the head is refused here as on every other replica, the entry
//! counts as applied, and the proposer is told why ([`Applied::Refused`]).
//!
//! Snapshots are the ledger's own: its records and recovery state, with a checkpoint signed by
//! the log's key ([`ledger_store::snapshot`], docs/FORMAT.md "Snapshots"), kept in one file of
//! the raft directory ([`SNAPSHOT_FILE`]). A replica that raft sends one to installs it only once
//! it verifies against the chain and the log's key and extends its own log; a snapshot that does
//! not is refused, nothing of it is written, and raft on that replica stops with the error (an
//! operator must look: the sender's data or the transfer is damaged). When snapshots are taken is
//! [`Compaction`]'s.

// openraft's storage traits return its `StorageError`, large by its design, not ours.
#![allow(clippy::result_large_err)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use ledger_store::{Append, Ledger, StoreError};
use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{
    EntryPayload, LogId, OptionalSend, RaftSnapshotBuilder, SnapshotMeta, StorageError, StorageIOError,
    StoredMembership,
};
use tokio::io::AsyncWriteExt;

use crate::{Applied, Entry, LedgerRaft, Member, NodeId};

type Result<T> = std::result::Result<T, StorageError<NodeId>>;

/// What the state machine writes beside what it applies: the last applied log id and membership.
#[derive(serde::Serialize, serde::Deserialize)]
struct Marker {
    applied: Option<LogId<NodeId>>,
    membership: StoredMembership<NodeId, Member>,
}

/// How often a leader tells the others it leads, by default, in milliseconds.
pub const HEARTBEAT_INTERVAL_MS: u64 = 50;
/// The shortest election timeout, by default, in milliseconds; the longest is twice it.
///
/// openraft 0.9 draws a replica's timeout once, at start, between the shortest and the longest,
/// and lets a follower that knew a leader stand for election only after the leader's lease (the
/// longest timeout) and its own timeout have passed with no word from it: 0.75 to 1 s here,
/// fifteen heartbeats at least, so that a 2-core machine busy with fsyncs that delays a few
/// heartbeats starts no needless election. When the first to stand has the shorter log it is
/// refused, and the replica with the longer log, which stands next in the same term, finds the
/// vote taken and stands again a timeout later: each such round adds up to the longest timeout.
/// Replicas far apart (another country's agency) set longer times in `[cluster]`: ten round
/// trips at least for the shortest timeout.
pub const ELECTION_TIMEOUT_MIN_MS: u64 = 250;
/// The shortest heartbeat interval a cluster may set, in milliseconds.
pub const HEARTBEAT_INTERVAL_MS_MIN: u64 = 10;

/// The raft timers of a cluster.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    pub heartbeat_ms: u64,
    /// The shortest election timeout; the longest is twice it.
    pub election_timeout_ms: u64,
}

impl Default for Timing {
    fn default() -> Timing {
        Timing { heartbeat_ms: HEARTBEAT_INTERVAL_MS, election_timeout_ms: ELECTION_TIMEOUT_MIN_MS }
    }
}

impl Timing {
    /// Refuses timers raft cannot run on: heartbeats under [`HEARTBEAT_INTERVAL_MS_MIN`], or an
    /// election timeout under three heartbeats.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.heartbeat_ms < HEARTBEAT_INTERVAL_MS_MIN {
            return Err(format!("heartbeat_ms must be at least {HEARTBEAT_INTERVAL_MS_MIN}"));
        }
        if self.election_timeout_ms < self.heartbeat_ms.saturating_mul(3) {
            return Err("election_timeout_ms must be at least three heartbeats (3 x heartbeat_ms)".into());
        }
        Ok(())
    }

    /// The longest election timeout, which is also a leader's lease.
    pub fn election_timeout_max_ms(&self) -> u64 {
        self.election_timeout_ms.saturating_mul(2)
    }
}

/// Raft entries applied since the last snapshot before another is taken, by default.
pub const SNAPSHOT_ENTRIES_DEFAULT: u64 = 10_000;
/// Raft entries kept before the last snapshot, by default, so that a replica a little behind
/// catches up from the log rather than from a whole snapshot.
pub const LOG_ENTRIES_KEPT_DEFAULT: u64 = 1_000;

/// When a replica snapshots its ledger and purges its raft log.
///
/// A snapshot holds the whole log, so taking one costs as much as the log is long. One is taken
/// once [`Compaction::snapshot_entries`] raft entries were applied since the last one and the log
/// has grown by at least half the last one's events ([`SNAPSHOT_GROWTH_DIVISOR`]): the snapshots
/// written over a ledger's life then add up to a few times its size, however long it grows,
/// while the raft log holds at most about a third of it beside the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Compaction {
    pub snapshot_entries: u64,
    /// Entries kept in the raft log before the last snapshot (raft's `max_in_snapshot_log_to_keep`).
    pub entries_kept: u64,
}

/// A snapshot is taken once the log grew by at least its last snapshot's events divided by this.
pub const SNAPSHOT_GROWTH_DIVISOR: u64 = 2;

impl Default for Compaction {
    fn default() -> Compaction {
        Compaction { snapshot_entries: SNAPSHOT_ENTRIES_DEFAULT, entries_kept: LOG_ENTRIES_KEPT_DEFAULT }
    }
}

impl Compaction {
    /// Refuses a policy that would snapshot after every entry.
    pub fn check(&self) -> std::result::Result<(), String> {
        if self.snapshot_entries == 0 {
            return Err("snapshot_entries must be at least 1".into());
        }
        Ok(())
    }

    /// Whether a replica that applied `since` entries since its last snapshot (of `last` events),
    /// and holds `held` events, takes another.
    pub fn due(&self, since: u64, last: u64, held: u64) -> bool {
        since >= self.snapshot_entries && held.saturating_sub(last) >= last / SNAPSHOT_GROWTH_DIVISOR
    }
}

/// The raft configuration of the ledger's clusters. Snapshots are taken when [`Compaction`] says
/// (raft's own policy is off); after each, raft purges its log but for `entries_kept` entries.
pub fn raft_config(
    cluster_name: &str,
    timing: Timing,
    compaction: Compaction,
) -> std::result::Result<openraft::Config, openraft::ConfigError> {
    openraft::Config {
        cluster_name: cluster_name.to_owned(),
        heartbeat_interval: timing.heartbeat_ms,
        election_timeout_min: timing.election_timeout_ms,
        election_timeout_max: timing.election_timeout_max_ms(),
        max_payload_entries: crate::network::ENTRIES_PER_MESSAGE_MAX,
        snapshot_policy: openraft::SnapshotPolicy::Never,
        max_in_snapshot_log_to_keep: compaction.entries_kept,
        ..openraft::Config::default()
    }
    .validate()
}

type Meta = SnapshotMeta<NodeId, Member>;

/// The file of a replica's current snapshot, in its raft directory.
pub const SNAPSHOT_FILE: &str = "snapshot";
/// The file a snapshot sent by the leader is received into before it is checked.
const RECEIVING_FILE: &str = "snapshot.receiving";

/// A replica's snapshots: the current one in [`SNAPSHOT_FILE`], replaced only by a later one.
#[derive(Clone, Debug)]
pub struct Snapshots {
    dir: PathBuf,
    /// The log id and number of events of the current snapshot; taken while it is replaced.
    current: Arc<Mutex<Option<LogId<NodeId>>>>,
    /// The number of events in the current snapshot.
    size: Arc<AtomicU64>,
}

impl Snapshots {
    /// The snapshots kept in `dir` (the raft directory).
    pub fn open(dir: &Path) -> std::result::Result<Snapshots, StoreError> {
        // A snapshot being built or received when the replica stopped is of no use now.
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(&format!("{SNAPSHOT_FILE}.building-")) || name == RECEIVING_FILE {
                std::fs::remove_file(entry.path())?;
            }
        }
        let snapshots =
            Snapshots { dir: dir.to_owned(), current: Arc::default(), size: Arc::new(AtomicU64::new(0)) };
        if let Some((meta, size)) = snapshots.read_current()? {
            *snapshots.lock() = meta.last_log_id;
            snapshots.size.store(size, Ordering::Release);
        }
        Ok(snapshots)
    }

    fn path(&self) -> PathBuf {
        self.dir.join(SNAPSHOT_FILE)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<LogId<NodeId>>> {
        self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The number of events in the current snapshot (0 with none).
    pub fn size(&self) -> u64 {
        self.size.load(Ordering::Acquire)
    }

    /// The current snapshot's description and number of events.
    fn read_current(&self) -> std::result::Result<Option<(Meta, u64)>, StoreError> {
        let path = self.path();
        if !path.exists() {
            return Ok(None);
        }
        let (meta, size) = ledger_store::snapshot::read_header(&path)?;
        let meta = postcard::from_bytes(&meta).map_err(|error| {
            StoreError::BadSnapshot(format!(
                "{}: raft's description does not decode ({error})",
                path.display()
            ))
        })?;
        Ok(Some((meta, size)))
    }

    /// Makes the file at `from` the current snapshot, of `size` events, unless a later one is
    /// current already (a snapshot installed while this one was built); then `from` is removed.
    fn replace(&self, from: &Path, meta: &SnapshotMeta<NodeId, Member>, size: u64) -> std::io::Result<()> {
        let mut current = self.lock();
        if current.is_some_and(|current| Some(current) > meta.last_log_id) {
            return std::fs::remove_file(from);
        }
        std::fs::rename(from, self.path())?;
        std::fs::File::open(&self.dir)?.sync_all()?;
        *current = meta.last_log_id;
        self.size.store(size, Ordering::Release);
        Ok(())
    }
}

/// The ledger as raft's state machine.
#[derive(Debug)]
pub struct StateMachine {
    ledger: Ledger,
    applied: Option<LogId<NodeId>>,
    membership: StoredMembership<NodeId, Member>,
    snapshots: Snapshots,
}

fn read_error(error: impl std::fmt::Display) -> StorageError<NodeId> {
    StorageIOError::read_state_machine(&std::io::Error::other(error.to_string())).into()
}

fn write_error(error: impl std::fmt::Display) -> StorageError<NodeId> {
    StorageIOError::write_state_machine(&std::io::Error::other(error.to_string())).into()
}

impl StateMachine {
    /// The state machine over `ledger`, which must have been opened with `follows` (its events
    /// come from raft only), at what it last recorded as applied, with its snapshots.
    pub fn open(ledger: Ledger, snapshots: Snapshots) -> std::result::Result<StateMachine, StoreError> {
        let marker = match ledger.applied_marker()? {
            Some(bytes) => postcard::from_bytes::<Marker>(&bytes).map_err(|error| {
                StoreError::Refused(format!("the raft state in the store does not decode: {error}"))
            })?,
            None => Marker { applied: None, membership: StoredMembership::default() },
        };
        Ok(StateMachine { ledger, applied: marker.applied, membership: marker.membership, snapshots })
    }

    fn marker(&self) -> Result<Vec<u8>> {
        let marker = Marker { applied: self.applied, membership: self.membership.clone() };
        postcard::to_allocvec(&marker).map_err(write_error)
    }

    /// Refuses to go on once an entry's append starts beyond this replica's log. A leader builds on
    /// what it applied of the entries before that one, so an append never starts beyond the head
    /// those entries give: one that does shows this replica lacks events the cluster holds, and it
    /// stops here rather than serve a log that silently falls behind, unless its operator accepted
    /// a rolled-back log (`--accept-rollback`).
    fn still_following(&self, start: u64) -> Result<()> {
        let held = self.ledger.stats().durable_size.load(Ordering::Acquire);
        if start <= held {
            return Ok(());
        }
        if self.ledger.rolled_back() {
            // The operator accepted a log shorter than the one acknowledged: the raft entries
            // after it no longer apply, by that choice.
            tracing::error!(entry = %entry_id(self.applied), held, start, "--accept-rollback: an entry beyond the rolled-back log is applied as nothing");
            return Ok(());
        }
        tracing::error!(entry = %entry_id(self.applied), held, start, "this replica has diverged from its cluster");
        Err(write_error(format!(
            "this replica holds {held} events, but the cluster's entry extends a log of {start}: it has \
             diverged, and stops; replace it with a new replica"
        )))
    }

    /// Checks the received snapshot and installs what this replica lacks of it.
    async fn install(
        &mut self,
        meta: &SnapshotMeta<NodeId, Member>,
        path: &Path,
    ) -> std::result::Result<u64, StoreError> {
        let log = self.ledger.log_verifier().ok_or_else(|| {
            StoreError::BadSnapshot("this replica has no log key to check a snapshot's checkpoint by".into())
        })?;
        let described =
            postcard::to_allocvec(meta).map_err(|error| StoreError::BadSnapshot(error.to_string()))?;
        let marker = Marker { applied: meta.last_log_id, membership: meta.last_membership.clone() };
        let marker =
            postcard::to_allocvec(&marker).map_err(|error| StoreError::BadSnapshot(error.to_string()))?;
        let installed = self.ledger.install_snapshot(path, &log, &described, marker).await?;
        tracing::info!(
            from = installed.from.size,
            to = installed.to.size,
            snapshot = %meta.snapshot_id,
            "installed a snapshot"
        );
        Ok(installed.to.size)
    }

    async fn apply_one(&mut self, entry: Entry) -> Result<Applied> {
        self.applied = Some(entry.log_id);
        let append = match entry.payload {
            EntryPayload::Blank => None,
            EntryPayload::Membership(membership) => {
                self.membership = StoredMembership::new(Some(entry.log_id), membership);
                None
            }
            EntryPayload::Normal(bytes) => Some(Append::decode(&bytes.0)),
        };
        let refused = match append {
            None => None,
            Some(Ok(append)) => {
                let start = append.start.size;
                match self.ledger.replicate_marked(append, Some(self.marker()?)).await {
                    Ok(head) => return Ok(Applied::Extended { size: head.size }),
                    Err(StoreError::NotExtending(reason)) => {
                        self.still_following(start)?;
                        Some(reason)
                    }
                    // The store takes no more writes (a failed fsync, damaged data): raft must stop
                    // here rather than count this entry as applied.
                    Err(other) => return Err(write_error(other)),
                }
            }
            Some(Err(StoreError::NotExtending(reason))) => Some(reason),
            Some(Err(other)) => return Err(write_error(other)),
        };
        if let Some(reason) = &refused {
            tracing::info!(entry = %entry_id(self.applied), %reason, "an entry's append does not extend the log: applied as nothing");
        }
        self.ledger.mark_applied(self.marker()?).await.map_err(write_error)?;
        Ok(refused.map_or(Applied::Nothing, Applied::Refused))
    }
}

fn entry_id(id: Option<LogId<NodeId>>) -> String {
    id.map_or_else(|| "none".to_owned(), |id| format!("{}-{}", id.leader_id.term, id.index))
}

impl RaftStateMachine<LedgerRaft> for StateMachine {
    type SnapshotBuilder = Builder;

    async fn applied_state(&mut self) -> Result<(Option<LogId<NodeId>>, StoredMembership<NodeId, Member>)> {
        Ok((self.applied, self.membership.clone()))
    }

    async fn apply<I>(&mut self, entries: I) -> Result<Vec<Applied>>
    where
        I: IntoIterator<Item = Entry> + OptionalSend,
        I::IntoIter: OptionalSend,
    {
        let mut replies = Vec::new();
        for entry in entries {
            replies.push(self.apply_one(entry).await?);
        }
        Ok(replies)
    }

    async fn get_snapshot_builder(&mut self) -> Self::SnapshotBuilder {
        // Called between applies: the writer's durable head is exactly what raft applied, once
        // the applier has published it (a snapshot of the published head alone could miss the
        // last entry's events and still name its log id).
        let size = match self.ledger.settled_head(ledger_store::snapshot::SETTLED_HEAD_WAIT_MAX).await {
            Ok(head) => Some(head.size),
            Err(error) => {
                tracing::warn!(%error, "no snapshot now: the applied head is not published");
                None
            }
        };
        let id = match self.applied {
            Some(applied) => format!("{}-{}-{}", applied.leader_id.term, applied.index, size.unwrap_or(0)),
            None => format!("0-0-{}", size.unwrap_or(0)),
        };
        let meta = SnapshotMeta {
            last_log_id: self.applied,
            last_membership: self.membership.clone(),
            snapshot_id: id,
        };
        Builder { ledger: self.ledger.clone(), snapshots: self.snapshots.clone(), meta, size }
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<tokio::fs::File>> {
        let path = self.snapshots.dir.join(RECEIVING_FILE);
        let file = tokio::fs::File::create(&path).await.map_err(write_error)?;
        Ok(Box::new(file))
    }

    async fn install_snapshot(
        &mut self,
        meta: &SnapshotMeta<NodeId, Member>,
        mut snapshot: Box<tokio::fs::File>,
    ) -> Result<()> {
        snapshot.flush().await.map_err(write_error)?;
        snapshot.sync_all().await.map_err(write_error)?;
        drop(snapshot);
        let path = self.snapshots.dir.join(RECEIVING_FILE);
        match self.install(meta, &path).await {
            Ok(size) => {
                self.applied = meta.last_log_id;
                self.membership = meta.last_membership.clone();
                self.snapshots.replace(&path, meta, size).map_err(write_error)?;
                Ok(())
            }
            Err(error) => {
                tracing::error!(
                    %error,
                    snapshot = %meta.snapshot_id,
                    "a snapshot from the leader was refused; this replica keeps its log as it is and \
                     stops following the cluster"
                );
                let _ = std::fs::remove_file(&path);
                Err(write_error(error))
            }
        }
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<LedgerRaft>>> {
        // Read and opened together, so that the description is the file's.
        let (meta, file) = {
            let _current = self.snapshots.lock();
            let Some((meta, _)) = self.snapshots.read_current().map_err(read_error)? else { return Ok(None) };
            (meta, std::fs::File::open(self.snapshots.path()).map_err(read_error)?)
        };
        Ok(Some(Snapshot { meta, snapshot: Box::new(tokio::fs::File::from_std(file)) }))
    }
}

/// Builds a snapshot of the ledger as raft applied it when the builder was made: the records
/// below that head never change, so the writer goes on meanwhile.
#[derive(Debug)]
pub struct Builder {
    ledger: Ledger,
    snapshots: Snapshots,
    meta: SnapshotMeta<NodeId, Member>,
    /// The events raft had applied; none when the applier did not publish them in time.
    size: Option<u64>,
}

impl RaftSnapshotBuilder<LedgerRaft> for Builder {
    async fn build_snapshot(&mut self) -> Result<Snapshot<LedgerRaft>> {
        let described = postcard::to_allocvec(&self.meta).map_err(read_error)?;
        let path = self.snapshots.dir.join(format!("{SNAPSHOT_FILE}.building-{}", self.meta.snapshot_id));
        let size = self.size.ok_or_else(|| read_error("the applied head was not published in time"))?;
        let (ledger, building) = (self.ledger.clone(), path.clone());
        let written = tokio::task::spawn_blocking(move || -> std::result::Result<_, StoreError> {
            let mut file = std::fs::File::create(&building)?;
            let written = ledger.write_snapshot(size, &described, &mut file)?;
            file.sync_all()?;
            Ok(written)
        })
        .await
        .map_err(read_error)?
        .map_err(read_error)?;
        // Opened before it is renamed or removed: what raft sends is this very file.
        let file = tokio::fs::File::open(&path).await.map_err(read_error)?;
        self.snapshots.replace(&path, &self.meta, written.head.size).map_err(write_error)?;
        tracing::info!(
            events = written.head.size,
            bytes = written.bytes,
            snapshot = %self.meta.snapshot_id,
            "took a snapshot"
        );
        Ok(Snapshot { meta: self.meta.clone(), snapshot: Box::new(file) })
    }
}
