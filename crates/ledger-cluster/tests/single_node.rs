//! A cluster of one replica on openraft, with the real raft log and the ledger as its state
//! machine (both sled, in temporary directories): a leading ledger's appends become raft entries,
//! committed and applied to the replica, which ends with the same log. An append that does not
//! extend the head is refused by the state machine and the proposer is told why. After a restart
//! raft finds what was applied in the ledger's own store and applies nothing twice.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use common::ok;
use ledger_cluster::log_store::LogStore;
use ledger_cluster::state_machine::{raft_config, Compaction, Snapshots, StateMachine, Timing};
use ledger_cluster::{AppendBytes, Applied, LedgerRaft, Member, NodeId};
use ledger_store::{Append, Ledger, OpenOptions};
use openraft::error::{InstallSnapshotError, RPCError, RaftError, Unreachable};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::Raft;

/// A cluster of one sends nothing over the network; any attempt is a failure of the test.
struct Alone;

struct NoPeer;

fn unreachable<E: std::error::Error>() -> RPCError<NodeId, Member, E> {
    RPCError::Unreachable(Unreachable::new(&std::io::Error::other("a cluster of one has no peer")))
}

impl RaftNetworkFactory<LedgerRaft> for Alone {
    type Network = NoPeer;

    async fn new_client(&mut self, _target: NodeId, _node: &Member) -> NoPeer {
        NoPeer
    }
}

impl RaftNetwork<LedgerRaft> for NoPeer {
    async fn append_entries(
        &mut self,
        _rpc: AppendEntriesRequest<LedgerRaft>,
        _option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, RPCError<NodeId, Member, RaftError<NodeId>>> {
        Err(unreachable())
    }

    async fn install_snapshot(
        &mut self,
        _rpc: InstallSnapshotRequest<LedgerRaft>,
        _option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<NodeId>,
        RPCError<NodeId, Member, RaftError<NodeId, InstallSnapshotError>>,
    > {
        Err(unreachable())
    }

    async fn vote(
        &mut self,
        _rpc: VoteRequest<NodeId>,
        _option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, RPCError<NodeId, Member, RaftError<NodeId>>> {
        Err(unreachable())
    }
}

async fn start(dir: &std::path::Path, rules: Arc<ledger_rules::Rules>) -> (Raft<LedgerRaft>, Ledger) {
    let ledger = ok(Ledger::open_with(
        &dir.join("ledger"),
        rules,
        OpenOptions { follows: true, ..OpenOptions::default() },
    ));
    let log = ok(LogStore::open(&dir.join("raft")));
    let machine = ok(StateMachine::open(ledger.clone(), ok(Snapshots::open(&dir.join("raft")))));
    let config = Arc::new(ok(raft_config("ledger-test", Timing::default(), Compaction::default())));
    let raft = ok(Raft::new(1, config, Alone, log, machine).await);
    (raft, ledger)
}

async fn propose(raft: &Raft<LedgerRaft>, append: &Append) -> Applied {
    ok(raft.client_write(AppendBytes(append.encode())).await).data
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cluster_of_one_applies_appends_through_raft_and_refuses_what_does_not_extend() {
    let rules = Arc::new(ledger_rules::Rules::sample());
    let (leader_dir, replica_dir) = (ok(tempfile::tempdir()), ok(tempfile::tempdir()));
    let (leader, appends) = common::source(leader_dir.path(), rules.clone(), 20).await;

    let (raft, replica) = start(replica_dir.path(), rules.clone()).await;
    ok(raft.initialize(BTreeMap::from([(1, Member::new("127.0.0.1:0", "127.0.0.1:0"))])).await);
    ok(raft.wait(Some(Duration::from_secs(10))).current_leader(1, "leader elected").await);
    for append in &appends {
        let applied = propose(&raft, append).await;
        let size = append.start.size + append.records.len() as u64;
        assert_eq!(applied, Applied::Extended { size });
    }
    // A stale append: committed to the raft log, refused by the state machine, nothing written.
    match propose(&raft, &appends[1]).await {
        Applied::Refused(reason) => assert!(reason.contains("extends the log at"), "{reason}"),
        other => panic!("a stale append was applied: {other:?}"),
    }
    ok(replica.applied_past(ledger_core::Seq(leader.head().size - 1)).await);
    assert_eq!(replica.head(), leader.head());
    let last_applied = ok(raft.metrics().borrow().last_applied.ok_or("nothing applied"));
    ok(raft.shutdown().await);
    replica.shutdown();
    drop(replica);

    // Restarted: raft reads what was applied from the ledger's store and applies nothing again.
    let (raft, replica) = start(replica_dir.path(), rules).await;
    ok(raft.wait(Some(Duration::from_secs(10))).current_leader(1, "leader again").await);
    ok(raft
        .wait(Some(Duration::from_secs(10)))
        .applied_index_at_least(Some(last_applied.index), "applied")
        .await);
    assert_eq!(replica.head(), leader.head());
    assert_eq!(ok(replica.verify(ledger_core::Seq(0), None)).verified, leader.head().size);
    let next = Append { start: replica.head(), ..appends[0].clone() };
    match propose(&raft, &next).await {
        Applied::Refused(reason) => assert!(reason.contains("names seq 0"), "{reason}"),
        other => panic!("an append relabelled to the head was applied: {other:?}"),
    }
    ok(raft.shutdown().await);
    replica.shutdown();
    leader.shutdown();
}
