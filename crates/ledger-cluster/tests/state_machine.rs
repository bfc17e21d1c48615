//! The ledger as raft's state machine, driven through openraft's own storage trait as raft drives
//! it: it builds a snapshot of what it applied that another replica's state machine installs; it
//! refuses a snapshot that does not verify (the error raft stops on) and keeps its log and its
//! record of what it applied as they were; and it refuses to go on when an entry's append starts
//! beyond its log, which only a replica that lacks the cluster's events can see.

mod common;

use std::sync::Arc;

use common::ok;
use ledger_cluster::state_machine::{Snapshots, StateMachine};
use ledger_cluster::{AppendBytes, Applied, Entry, Member, NodeId};
use ledger_core::checkpoint::LogKey;
use ledger_store::{Ledger, OpenOptions};
use openraft::storage::RaftStateMachine;
use openraft::{CommittedLeaderId, EntryPayload, LogId, RaftSnapshotBuilder, SnapshotMeta};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn log_key() -> Arc<LogKey> {
    Arc::new(LogKey::from_seed("ledger.example/log", &[3u8; 32]))
}

fn replica(dir: &std::path::Path) -> (Ledger, StateMachine) {
    let ledger = ok(Ledger::open_with(
        &dir.join("ledger"),
        Arc::new(ledger_rules::Rules::sample()),
        OpenOptions { follows: true, log_key: Some(log_key()), ..OpenOptions::default() },
    ));
    ok(std::fs::create_dir_all(dir.join("raft")));
    let machine = ok(StateMachine::open(ledger.clone(), ok(Snapshots::open(&dir.join("raft")))));
    (ledger, machine)
}

/// Everything the ledger made durable, once published (`head()` may lag it).
async fn settled(ledger: &Ledger) -> ledger_store::Head {
    ok(ledger.settled_head(std::time::Duration::from_secs(10)).await)
}

fn entry(index: u64, append: &ledger_store::Append) -> Entry {
    Entry {
        log_id: LogId::new(CommittedLeaderId::new(1, 1), index),
        payload: EntryPayload::Normal(AppendBytes(append.encode())),
    }
}

/// Sends `bytes` to `machine` as raft's follower does: received into the file it gives, then
/// installed.
async fn send(
    bytes: Vec<u8>,
    meta: SnapshotMeta<NodeId, Member>,
    machine: &mut StateMachine,
) -> Result<(), openraft::StorageError<NodeId>> {
    let mut receiving = ok(machine.begin_receiving_snapshot().await);
    ok(receiving.write_all(&bytes).await);
    machine.install_snapshot(&meta, receiving).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_installs_when_it_verifies_and_is_refused_whole_when_it_does_not() {
    let dirs: Vec<_> = (0..3).map(|_| ok(tempfile::tempdir())).collect();
    let (_leader, appends) =
        common::source(dirs[0].path(), Arc::new(ledger_rules::Rules::sample()), 40).await;

    // One replica applies every append as raft entries, then builds a snapshot.
    let (built_on, mut machine) = replica(dirs[1].path());
    let entries: Vec<Entry> =
        appends.iter().enumerate().map(|(index, append)| entry(index as u64 + 1, append)).collect();
    let applied = ok(machine.apply(entries).await);
    assert!(applied.iter().all(|applied| matches!(applied, Applied::Extended { .. })), "{applied:?}");
    let mut builder = machine.get_snapshot_builder().await;
    let snapshot = ok(builder.build_snapshot().await);
    assert_eq!(snapshot.meta.last_log_id.map(|id| id.index), Some(appends.len() as u64));
    let mut bytes = Vec::new();
    let mut file = snapshot.snapshot;
    ok(file.read_to_end(&mut bytes).await);
    let current = ok(machine.get_current_snapshot().await).unwrap_or_else(|| panic!("no current snapshot"));
    assert_eq!(current.meta, snapshot.meta);

    // Another replica, which stopped while it built a snapshot (the file is removed at start), is
    // sent it with one byte changed in a record: refused, nothing written.
    let leftover = dirs[2].path().join("raft").join("snapshot.building-1-7-30");
    ok(std::fs::create_dir_all(dirs[2].path().join("raft")));
    ok(std::fs::write(&leftover, b"cut short by a crash"));
    let (target, mut other) = replica(dirs[2].path());
    assert!(!leftover.exists(), "a snapshot left half-built is removed at start");
    let mut damaged = bytes.clone();
    let middle = damaged.len() / 2;
    damaged[middle] ^= 0x01;
    let refused = send(damaged, snapshot.meta.clone(), &mut other).await;
    assert!(refused.is_err(), "a damaged snapshot was installed");
    assert_eq!(settled(&target).await.size, 0, "the refused snapshot wrote events");
    assert_eq!(ok(other.applied_state().await).0, None, "the refused snapshot moved what raft applied");
    assert!(ok(other.get_current_snapshot().await).is_none(), "the refused snapshot was kept");
    assert!(!dirs[2].path().join("raft").join("snapshot.receiving").exists(), "the received file is left");

    // The same snapshot, whole: installed, and the two replicas hold the same log.
    ok(send(bytes, snapshot.meta.clone(), &mut other).await);
    let built_head = settled(&built_on).await;
    assert_eq!(settled(&target).await, built_head);
    assert_eq!(ok(other.applied_state().await).0, snapshot.meta.last_log_id);
    assert!(ok(other.get_current_snapshot().await).is_some_and(|kept| kept.meta == snapshot.meta));
    let size = built_head.size;
    assert_eq!(ok(target.merkle_root(size)), ok(built_on.merkle_root(size)));
    built_on.shutdown();
    target.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_stops_when_an_entry_starts_beyond_its_log() {
    let dirs: Vec<_> = (0..2).map(|_| ok(tempfile::tempdir())).collect();
    let (_leader, appends) =
        common::source(dirs[0].path(), Arc::new(ledger_rules::Rules::sample()), 10).await;
    let (ledger, mut machine) = replica(dirs[1].path());
    // The first append is missing here: the second starts beyond this replica's empty log.
    let stopped = machine.apply(vec![entry(1, &appends[1])]).await;
    assert!(stopped.is_err(), "a replica lacking the cluster's events went on: {stopped:?}");
    assert_eq!(settled(&ledger).await.size, 0);
    // An append built on an older head than this replica's is refused as nothing, and it goes on.
    ok(machine.apply(vec![entry(1, &appends[0])]).await);
    let stale = ok(machine.apply(vec![entry(2, &appends[0])]).await);
    assert!(matches!(stale.as_slice(), [Applied::Refused(_)]), "{stale:?}");
    ledger.shutdown();
}
