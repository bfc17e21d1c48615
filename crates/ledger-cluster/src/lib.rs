//! Replication of the ledger's log across partner institutions, on openraft.
//!
//! Issue 16 builds this in steps. A raft entry is one [`ledger_store::append::Append`] (a block of
//! events the leader already checked, with what its commit writes beside them), carried as its
//! own encoding; every replica checks that it extends its head before applying it. This crate is
//! the only place that names openraft: the store, the server and the command line use its types.
//!
//! - [`log_store`]: the raft log (entries, vote, committed and purged ids) in a sled database of
//!   its own, fsynced before raft is told an entry is on disk.
//! - [`state_machine`]: the ledger as raft's state machine, applying each entry's append through
//!   the path every replica takes.
//! - [`network`]: raft's messages between replicas over gRPC, with the cluster's secret.
//! - [`node`]: one replica started in its cluster, and the proposer that carries the writer's
//!   groups to raft.

pub mod log_store;
pub mod network;
pub mod node;
pub mod state_machine;

use std::fmt;

/// Identifies a node of the cluster (a replica): given by the cluster's configuration file.
pub type NodeId = u64;

/// A member of the cluster as raft's membership names it: where the other replicas reach its
/// replica service, and where clients reach its agency, worker and audit services (a follower
/// names the leader's, so that writes go there).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Member {
    /// `HOST:PORT` of the replica service.
    pub replica: String,
    /// `HOST:PORT` of the ledger's gRPC services.
    pub api: String,
}

impl Member {
    pub fn new(replica: impl Into<String>, api: impl Into<String>) -> Member {
        Member { replica: replica.into(), api: api.into() }
    }
}

impl fmt::Display for Member {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "replica {}, api {}", self.replica, self.api)
    }
}

/// The application data of a raft entry: an encoded append.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppendBytes(pub Vec<u8>);

impl fmt::Debug for AppendBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppendBytes({} bytes)", self.0.len())
    }
}

impl fmt::Display for AppendBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an append of {} bytes", self.0.len())
    }
}

/// What applying an entry gave: the log's size after it, or why the append was refused (the same
/// on every replica, since each checks it against the same head).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Applied {
    /// The entry carried no append (a blank or membership entry).
    Nothing,
    /// The append extended the log to this size.
    Extended { size: u64 },
    /// The append did not extend the head; nothing of it was written.
    Refused(String),
}

openraft::declare_raft_types!(
    /// The ledger's raft types.
    pub LedgerRaft:
        D = AppendBytes,
        R = Applied,
        NodeId = NodeId,
        Node = Member,
        Entry = openraft::Entry<LedgerRaft>,
        SnapshotData = tokio::fs::File,
        AsyncRuntime = openraft::TokioRuntime,
);

/// A raft log entry of the ledger.
pub type Entry = openraft::Entry<LedgerRaft>;
