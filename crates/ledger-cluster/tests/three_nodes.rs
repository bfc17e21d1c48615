//! Three replicas on openraft, talking real gRPC on loopback with the cluster's secret, each with
//! its real raft log and ledger (sled in temporary directories). The leader's entries reach every
//! replica, which applies each append through the path every replica takes and ends with the same
//! log. The leader stops; the two left elect another, which goes on where it stopped. A caller
//! without the cluster's secret is refused before anything is decoded.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::ok;
use ledger_cluster::log_store::LogStore;
use ledger_cluster::network::{gather_cosignatures, ClusterSecret, Cosigning, Network, ReplicaService};
use ledger_cluster::state_machine::{raft_config, Compaction, Snapshots, StateMachine, Timing};
use ledger_cluster::{AppendBytes, Applied, LedgerRaft, Member, NodeId};
use ledger_core::checkpoint::{LogKey, Verifier};
use ledger_core::cosignature::{Cosigner, CosignerKey, Policy};
use ledger_core::Seq;
use ledger_proto::replica::replica_client::ReplicaClient;
use ledger_proto::replica::RaftMessage;
use ledger_store::{Append, Ledger, OpenOptions};
use openraft::Raft;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const SECRET: &str = "illustrative-cluster-secret-of-at-least-32-characters";

/// The log's key, shared by the replicas that may lead (an illustrative fixed seed).
fn log_key() -> LogKey {
    LogKey::from_seed("ledger.test/log", &[5; 32])
}

/// Each replica's own key (illustrative fixed seeds).
fn replica_key(id: NodeId) -> CosignerKey {
    CosignerKey::from_seed(&format!("ledger.test/log/replica/{id}"), &[id as u8; 32])
}

struct Node {
    raft: Raft<LedgerRaft>,
    ledger: Ledger,
    stop: oneshot::Sender<()>,
    served: tokio::task::JoinHandle<()>,
}

async fn start(
    id: NodeId,
    dir: &std::path::Path,
    listener: TcpListener,
    rules: Arc<ledger_rules::Rules>,
) -> Node {
    let ledger = ok(Ledger::open_with(
        &dir.join("ledger"),
        rules,
        OpenOptions { follows: true, replica_key: Some(Arc::new(replica_key(id))), ..OpenOptions::default() },
    ));
    let log = ok(LogStore::open(&dir.join("raft")));
    let machine = ok(StateMachine::open(ledger.clone(), ok(Snapshots::open(&dir.join("raft")))));
    let secret = ok(ClusterSecret::new(SECRET));
    let config = Arc::new(ok(raft_config("ledger-test", Timing::default(), Compaction::default())));
    let raft = ok(Raft::new(id, config, Network::new(secret.clone(), None), log, machine).await);
    let (stop, stopped) = oneshot::channel::<()>();
    let cosigning = Cosigning { ledger: ledger.clone(), log: ok(Verifier::parse(&log_key().verifier_key())) };
    let service = ReplicaService::new(raft.clone(), secret, Some(cosigning));
    let served = tokio::spawn(async move {
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let stopped = async {
            let _ = stopped.await;
        };
        let _ = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, stopped)
            .await;
    });
    Node { raft, ledger, stop, served }
}

async fn leader_of(nodes: &BTreeMap<NodeId, Node>, not: Option<NodeId>) -> NodeId {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        for node in nodes.values() {
            let metrics = node.raft.metrics().borrow().clone();
            if let Some(leader) = metrics.current_leader.filter(|leader| Some(*leader) != not) {
                if nodes.contains_key(&leader) {
                    return leader;
                }
            }
        }
        assert!(Instant::now() < deadline, "no leader elected in 30 s");
        // Waits for the next change of any node's metrics rather than a fixed time.
        let mut changed =
            nodes.values().next().map(|node| node.raft.metrics()).unwrap_or_else(|| panic!("no node"));
        let _ = tokio::time::timeout(Duration::from_millis(200), changed.changed()).await;
    }
}

/// Waits until the replica's readers see `size` events: a follower learns of commits with the
/// leader's next message, so it may be behind the proposer for a moment.
async fn caught_up(ledger: &Ledger, size: u64) {
    let mut head = ledger.watch_head();
    let reached =
        tokio::time::timeout(Duration::from_secs(30), head.wait_for(|head| head.size >= size)).await;
    assert!(matches!(reached, Ok(Ok(_))), "the replica did not reach {size} events in 30 s");
}

async fn propose(raft: &Raft<LedgerRaft>, append: &Append) {
    let applied = ok(raft.client_write(AppendBytes(append.encode())).await).data;
    assert_eq!(applied, Applied::Extended { size: append.start.size + append.records.len() as u64 });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_replicas_stay_identical_and_go_on_when_the_leader_stops() {
    let rules = Arc::new(ledger_rules::Rules::sample());
    let leader_dir = ok(tempfile::tempdir());
    let (source, appends) = common::source(leader_dir.path(), rules.clone(), 30).await;
    let size = source.head().size;

    let dirs: Vec<_> = (0..3).map(|_| ok(tempfile::tempdir())).collect();
    let mut members = BTreeMap::new();
    let mut listeners = Vec::new();
    for id in 1..=3u64 {
        let listener = ok(TcpListener::bind("127.0.0.1:0").await);
        let address = ok(listener.local_addr()).to_string();
        members.insert(id, Member::new(address.clone(), address));
        listeners.push(listener);
    }
    let mut nodes = BTreeMap::new();
    for (id, (listener, dir)) in (1..=3u64).zip(listeners.into_iter().zip(&dirs)) {
        nodes.insert(id, start(id, dir.path(), listener, rules.clone()).await);
    }

    // Without the secret, nothing is decoded.
    let address = format!("http://{}", members[&2].replica);
    let mut stranger = ok(ReplicaClient::connect(address).await);
    let refused =
        stranger.vote(RaftMessage { body: vec![1, 2, 3] }).await.expect_err("a vote from a stranger");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);

    ok(nodes[&1].raft.initialize(members.clone()).await);
    let first = leader_of(&nodes, None).await;
    let half = appends.len() / 2;
    for append in &appends[..half] {
        propose(&nodes[&first].raft, append).await;
    }
    let middle = appends[half].start;
    for node in nodes.values() {
        caught_up(&node.ledger, middle.size).await;
        assert_eq!(node.ledger.head(), middle);
    }

    // The leader stops; the two left elect another and go on from where it stopped.
    let stopped_at = Instant::now();
    let old = nodes.remove(&first).unwrap_or_else(|| panic!("the leader"));
    ok(old.raft.shutdown().await);
    let _ = old.stop.send(());
    let _ = old.served.await;
    old.ledger.shutdown();
    let second = leader_of(&nodes, Some(first)).await;
    println!(
        "a new leader ({second}) {} ms after the first ({first}) stopped",
        stopped_at.elapsed().as_millis()
    );
    for append in &appends[half..] {
        propose(&nodes[&second].raft, append).await;
    }
    for node in nodes.values() {
        caught_up(&node.ledger, size).await;
        assert_eq!(node.ledger.head(), source.head());
        let verified = ok(node.ledger.verify(Seq(0), None));
        assert!(verified.fault.is_none() && verified.verified == size, "{verified:?}");
        assert_eq!(ok(node.ledger.merkle_root(size)), ok(source.merkle_root(size)));
    }
    // Every replica left cosigns a checkpoint of the tree it holds, and only that: a policy of
    // both their keys is met; a checkpoint of another tree, or of more than they hold, is not
    // cosigned.
    let addresses: Vec<(NodeId, String)> =
        nodes.keys().map(|id| (*id, members[id].replica.clone())).collect();
    let secret = ok(ClusterSecret::new(SECRET));
    let note = log_key().sign(size, ok(source.merkle_root(size)));
    let (lines, missing) = gather_cosignatures(&secret, &addresses, &note, Duration::from_secs(10)).await;
    assert!(missing.is_empty(), "{missing:?}");
    let cosigners = nodes.keys().map(|id| ok(Cosigner::parse(&replica_key(*id).verifier_key()))).collect();
    let policy = ok(Policy::new(2, cosigners));
    let cosigned =
        ok(policy
            .check(&ok(Verifier::parse(&log_key().verifier_key())), &format!("{note}{}", lines.concat())));
    assert_eq!(cosigned.checkpoint.size, size);
    for (bad, why) in [
        (log_key().sign(size, [0; 32]), "is not this replica's"),
        (log_key().sign(size + 1, ok(source.merkle_root(size))), "this replica holds"),
    ] {
        let (lines, missing) = gather_cosignatures(&secret, &addresses, &bad, Duration::from_secs(10)).await;
        assert!(lines.is_empty(), "cosigned: {lines:?}");
        assert_eq!(missing.len(), 2);
        assert!(missing.iter().all(|(_, reason)| reason.contains(why)), "{missing:?}");
    }

    for node in nodes.into_values() {
        ok(node.raft.shutdown().await);
        let _ = node.stop.send(());
        node.ledger.shutdown();
    }
    source.shutdown();
}
