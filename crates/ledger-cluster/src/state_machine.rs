//! The raft state machine of a replica: the ledger itself. Each committed entry's append goes
//! through [`Ledger::replicate_marked`], the path every replica takes: checked against this
//! replica's head and applied whole, with the entry's log id and the cluster's membership written
//! in the same batch (`L`), so that after a crash raft re-applies exactly what sled does not hold.
//! An append that does not extend the head is refused here as on every other replica, the entry
//! counts as applied, and the proposer is told why ([`Applied::Refused`]).
//!
//! Snapshots are not built yet: the raft configuration of this step never builds one
//! ([`raft_config`]), so no log entry is ever purged and a replica that falls behind catches up
//! from the log. A snapshot built from the ledger's export and recovery state, verified against
//! the chain and a signed checkpoint before it is installed, is the next step of issue 16.

// openraft's storage traits return its `StorageError`, large by its design, not ours.
#![allow(clippy::result_large_err)]

use std::io::Cursor;

use ledger_store::{Append, Ledger, StoreError};
use openraft::storage::{RaftStateMachine, Snapshot};
use openraft::{
    EntryPayload, LogId, OptionalSend, RaftSnapshotBuilder, SnapshotMeta, StorageError, StorageIOError,
    StoredMembership,
};

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

/// The raft configuration of the ledger's clusters at this step: no snapshot is ever built.
pub fn raft_config(
    cluster_name: &str,
    timing: Timing,
) -> std::result::Result<openraft::Config, openraft::ConfigError> {
    openraft::Config {
        cluster_name: cluster_name.to_owned(),
        heartbeat_interval: timing.heartbeat_ms,
        election_timeout_min: timing.election_timeout_ms,
        election_timeout_max: timing.election_timeout_max_ms(),
        max_payload_entries: crate::network::ENTRIES_PER_MESSAGE_MAX,
        snapshot_policy: openraft::SnapshotPolicy::Never,
        ..openraft::Config::default()
    }
    .validate()
}

/// The ledger as raft's state machine.
#[derive(Debug)]
pub struct StateMachine {
    ledger: Ledger,
    applied: Option<LogId<NodeId>>,
    membership: StoredMembership<NodeId, Member>,
}

fn write_error(error: impl std::fmt::Display) -> StorageError<NodeId> {
    StorageIOError::write_state_machine(&std::io::Error::other(error.to_string())).into()
}

impl StateMachine {
    /// The state machine over `ledger`, which must have been opened with `follows` (its events
    /// come from raft only), at what it last recorded as applied.
    pub fn open(ledger: Ledger) -> std::result::Result<StateMachine, StoreError> {
        let marker = match ledger.applied_marker()? {
            Some(bytes) => postcard::from_bytes::<Marker>(&bytes).map_err(|error| {
                StoreError::Refused(format!("the raft state in the store does not decode: {error}"))
            })?,
            None => Marker { applied: None, membership: StoredMembership::default() },
        };
        Ok(StateMachine { ledger, applied: marker.applied, membership: marker.membership })
    }

    fn marker(&self) -> Result<Vec<u8>> {
        let marker = Marker { applied: self.applied, membership: self.membership.clone() };
        postcard::to_allocvec(&marker).map_err(write_error)
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
            Some(Ok(append)) => match self.ledger.replicate_marked(append, Some(self.marker()?)).await {
                Ok(head) => return Ok(Applied::Extended { size: head.size }),
                Err(StoreError::NotExtending(reason)) => Some(reason),
                // The store takes no more writes (a failed fsync, damaged data): raft must stop
                // here rather than count this entry as applied.
                Err(other) => return Err(write_error(other)),
            },
            Some(Err(StoreError::NotExtending(reason))) => Some(reason),
            Some(Err(other)) => return Err(write_error(other)),
        };
        self.ledger.mark_applied(self.marker()?).await.map_err(write_error)?;
        Ok(refused.map_or(Applied::Nothing, Applied::Refused))
    }
}

impl RaftStateMachine<LedgerRaft> for StateMachine {
    type SnapshotBuilder = NoSnapshots;

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
        NoSnapshots
    }

    async fn begin_receiving_snapshot(&mut self) -> Result<Box<Cursor<Vec<u8>>>> {
        Err(write_error("this replica installs no snapshot yet: it catches up from the log"))
    }

    async fn install_snapshot(
        &mut self,
        _meta: &SnapshotMeta<NodeId, Member>,
        _snapshot: Box<Cursor<Vec<u8>>>,
    ) -> Result<()> {
        Err(write_error("this replica installs no snapshot yet: it catches up from the log"))
    }

    async fn get_current_snapshot(&mut self) -> Result<Option<Snapshot<LedgerRaft>>> {
        // None is built (`SnapshotPolicy::Never`), so there is none to give.
        Ok(None)
    }
}

/// The snapshot builder of this step, which raft never calls (`SnapshotPolicy::Never`).
#[derive(Debug)]
pub struct NoSnapshots;

impl RaftSnapshotBuilder<LedgerRaft> for NoSnapshots {
    async fn build_snapshot(&mut self) -> Result<Snapshot<LedgerRaft>> {
        Err(StorageIOError::read_state_machine(&std::io::Error::other(
            "this replica builds no snapshot yet: snapshots are off in its raft configuration",
        ))
        .into())
    }
}
