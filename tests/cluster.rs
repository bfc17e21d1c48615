//! Three real servers in one cluster on loopback, each with its real sled store and raft log in a
//! temporary directory, talking real gRPC: the first starts a cluster of its own, the other two are
//! added with `ledger cluster`'s calls (learner, then voter) while an agency writes. A follower
//! answers writes UNAVAILABLE naming the leader's address, and serves reads at a receipt's seq.
//! The leader stops: the two left elect another, a retried request gets its original receipts
//! once, writes go on, and the stopped node is removed. Every replica ends with the same log.
//!
//! A second cluster snapshots its ledger often and purges its raft log: the replicas added then
//! can only catch up from the leader's snapshot, which each verifies and installs; they hold the
//! same log, serve the worker with the credential the snapshot carried, and, once the first node
//! stops, answer a request retried from before the snapshot with its original receipts.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use common::{contribution, enroll, make_principals, read_all, serve_config};
use ledger_client::grpc as client;
use ledger_cluster::network::{Admin, ClusterSecret};
use ledger_cluster::Member;
use ledger_core::checkpoint::Verifier;
use ledger_core::cosignature::{Cosigner, Policy};
use ledger_proto::v1 as pb;
use ledger_server::config::{ClusterFile, MemberFile};
use ledger_server::{RunningServer, ServeConfig};
use tempfile::TempDir;
use tonic::Code;

const SECRET: &str = "illustrative-cluster-secret-of-at-least-32-characters";

/// How long a cluster may take to elect a leader after its leader stops: an election timeout
/// (1 to 2 s) and a vote, with room for a busy 2-core machine.
const ELECTION_WAIT_MAX: Duration = Duration::from_secs(30);

struct Cluster {
    dir: TempDir,
    tokens: HashMap<String, String>,
    servers: BTreeMap<u64, RunningServer>,
    /// `[cluster]`'s snapshot_entries and log_entries_kept; the defaults when none.
    compaction: (Option<u64>, Option<u64>),
}

impl Cluster {
    fn config(&self, id: u64, members: Vec<MemberFile>) -> ServeConfig {
        let data_dir = self.dir.path().join(format!("node-{id}"));
        ServeConfig {
            // Every replica signs checkpoints with the log's one key.
            log_key: Some(self.dir.path().join("log-key")),
            cluster: Some(ClusterFile {
                node_id: Some(id),
                name: Some("ledger-test".into()),
                listen: "127.0.0.1:0".parse().expect("address"),
                advertise: None,
                api_advertise: None,
                secret_file: self.dir.path().join("cluster-secret"),
                heartbeat_ms: None,
                election_timeout_ms: None,
                snapshot_entries: self.compaction.0,
                log_entries_kept: self.compaction.1,
                members,
            }),
            ..serve_config(data_dir, common::principals_file(&self.dir))
        }
    }

    async fn start(&mut self, id: u64, members: Vec<MemberFile>) {
        let server = ledger_server::start(self.config(id, members)).await.expect("replica started");
        self.servers.insert(id, server);
    }

    fn member(&self, id: u64) -> Member {
        let server = &self.servers[&id];
        let replica = server.replica_address.expect("a replica service").to_string();
        Member::new(replica, server.address.to_string())
    }

    /// Replica `id`'s cosigner key, from its data directory.
    fn cosigner(&self, id: u64) -> Cosigner {
        let log =
            ledger_server::load_or_create_log_key_at(&self.dir.path().join("log-key")).expect("log key");
        let path = self.dir.path().join(format!("node-{id}")).join(ledger_server::REPLICA_KEY_FILE);
        let key = ledger_server::load_or_create_replica_key_at(&path, &log).expect("replica key");
        Cosigner::parse(&key.verifier_key()).expect("cosigner key")
    }

    /// The log's verifier key.
    fn log_verifier(&self) -> Verifier {
        let log =
            ledger_server::load_or_create_log_key_at(&self.dir.path().join("log-key")).expect("log key");
        Verifier::parse(&log.verifier_key()).expect("verifier key")
    }

    async fn admin(&self, id: u64) -> Admin {
        let secret = ClusterSecret::new(SECRET).expect("secret");
        Admin::connect(&self.member(id).replica, secret).await.expect("admin connected")
    }

    async fn clients(&self, id: u64, principal: &str) -> client::Clients {
        let address = self.servers[&id].address.to_string();
        client::connect(&address, &self.tokens[principal]).await.expect("connected")
    }

    /// Waits until one of `among` leads, as its raft says, and returns it.
    async fn leader(&self, among: &[u64]) -> u64 {
        let mut waits = tokio::task::JoinSet::new();
        for id in among {
            let (id, node) = (*id, self.servers[id].node().expect("a replica of a cluster").clone());
            waits.spawn(async move {
                node.until_leading(true).await.expect("raft runs");
                id
            });
        }
        let first = tokio::time::timeout(ELECTION_WAIT_MAX, waits.join_next()).await;
        match first {
            Ok(Some(Ok(id))) => id,
            other => panic!("no leader among {among:?} within {ELECTION_WAIT_MAX:?}: {other:?}"),
        }
    }

    /// Waits until each of `ids` holds `size` events, checks that each one's chain verifies, and
    /// that they all hold the same log.
    async fn hold_one_verified_log(&self, ids: &[u64], size: u64) {
        let mut logs = Vec::new();
        for id in ids {
            self.caught_up(*id, size).await;
            let mut auditor = self.clients(*id, "auditor").await;
            let verified = auditor
                .audit
                .verify_chain(pb::VerifyChainRequest::default())
                .await
                .expect("chain verified")
                .into_inner();
            assert!(verified.ok && verified.verified == size, "node {id}: {verified:?}");
            logs.push(read_all(&mut auditor, 0).await);
        }
        assert_eq!(logs[0].len() as u64, size);
        assert!(logs.iter().all(|log| *log == logs[0]), "the replicas' logs differ");
    }

    /// Waits until node `id` has applied `size` events.
    async fn caught_up(&self, id: u64, size: u64) {
        let mut head = self.servers[&id].ledger.watch_head();
        let reached = tokio::time::timeout(ELECTION_WAIT_MAX, head.wait_for(|head| head.size >= size)).await;
        assert!(matches!(reached, Ok(Ok(_))), "node {id} did not reach {size} events");
    }
}

fn payroll(request_id: &str, worker: &str, months: &[&str]) -> pb::RecordContributionsRequest {
    pb::RecordContributionsRequest {
        request_id: request_id.into(),
        contributions: months.iter().map(|month| contribution(worker, "SA", "SAR", month, 150_000)).collect(),
        ..Default::default()
    }
}

/// Sends `retry` again and checks it is answered with `first`'s receipts, each marked replayed.
async fn replayed_as_before(
    clients: &mut client::Clients,
    retry: pb::RecordContributionsRequest,
    first: &pb::RecordContributionsResponse,
) {
    let retried =
        clients.agency.record_contributions(retry).await.expect("replayed by the new leader").into_inner();
    assert!(retried.receipts.iter().all(|receipt| receipt.replayed));
    let seqs = |receipts: &[pb::Receipt]| -> Vec<(u64, Vec<u8>)> {
        receipts.iter().map(|receipt| (receipt.seq, receipt.chain_hash.clone())).collect()
    };
    assert_eq!(seqs(&retried.receipts), seqs(&first.receipts));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_servers_replicate_fail_over_and_change_membership() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("cluster-secret"), SECRET).expect("secret written");
    let tokens = make_principals(&dir);
    let mut cluster = Cluster { dir, tokens, servers: BTreeMap::new(), compaction: (None, None) };

    // Node 1 starts a cluster of its own and takes writes.
    cluster.start(1, Vec::new()).await;
    assert_eq!(cluster.leader(&[1]).await, 1);
    let mut philippines = cluster.clients(1, "agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    let mut saudi = cluster.clients(1, "agency-sa").await;
    let first = saudi
        .agency
        .record_contributions(payroll("sa-2022-q1", &worker, &["2022-01", "2022-02", "2022-03"]))
        .await
        .expect("recorded on the leader")
        .into_inner();

    // Nodes 2 and 3 start knowing only node 1, wait to be added, and are added while the agency
    // goes on writing.
    let first_member = cluster.member(1);
    let known = vec![MemberFile { id: 1, replica: first_member.replica, api: first_member.api.clone() }];
    cluster.start(2, known.clone()).await;
    cluster.start(3, known).await;
    let writing = {
        let mut saudi = cluster.clients(1, "agency-sa").await;
        let worker = worker.clone();
        tokio::spawn(async move {
            let months = ["2022-04", "2022-05", "2022-06", "2022-07", "2022-08", "2022-09"];
            for (index, month) in months.iter().enumerate() {
                let request = payroll(&format!("sa-during-{index}"), &worker, &[month]);
                saudi.agency.record_contributions(request).await.expect("recorded while members are added");
            }
        })
    };
    let mut admin = cluster.admin(1).await;
    for id in [2, 3] {
        let member = cluster.member(id);
        admin.add(id, member).await.expect("member added");
    }
    writing.await.expect("the writer finished");
    let members = admin.members().await.expect("members");
    let voters: Vec<u64> =
        members.members.iter().filter(|member| member.voter).map(|member| member.id).collect();
    assert_eq!((members.leader, voters), (1, vec![1, 2, 3]));

    // A follower names the leader for writes, and serves reads at a receipt's seq.
    let size = cluster.servers[&1].ledger.head().size;
    cluster.caught_up(2, size).await;
    cluster.caught_up(3, size).await;

    // The leader's checkpoint carries every replica's cosignature: a policy of all three keys is met.
    let mut auditor = cluster.clients(1, "auditor").await;
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    assert_eq!(head.size, size);
    assert_eq!(head.cosignatures.len(), 3, "{head:?}");
    let cosigners = [1, 2, 3].map(|id| cluster.cosigner(id));
    let policy = Policy::new(3, cosigners.to_vec()).expect("a policy");
    let verifier = cluster.log_verifier();
    let cosigned = policy.check(&verifier, &head.checkpoint).expect("cosigned by all three replicas");
    assert_eq!(cosigned.checkpoint.size, size);
    let mut saudi_at_2 = cluster.clients(2, "agency-sa").await;
    let refused = saudi_at_2
        .agency
        .record_contributions(payroll("sa-2022-10", &worker, &["2022-10"]))
        .await
        .expect_err("a follower takes no writes");
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    let leader_api = refused.metadata().get("ledger-leader").and_then(|value| value.to_str().ok());
    assert_eq!(leader_api, Some(first_member.api.as_str()), "{refused:?}");
    // The follower's statement at the last write's seq holds what the leader's does.
    let last_seq = size - 1;
    let statement = |clients: &mut client::Clients| {
        let request = pb::GetStatementRequest {
            worker_id: worker.clone(),
            min_seq: Some(last_seq),
            ..Default::default()
        };
        let mut worker_client = clients.worker.clone();
        async move {
            let entries = worker_client.get_statement(request).await.expect("statement").into_inner().entries;
            entries
                .into_iter()
                .map(|entry| (entry.receipt.map(|receipt| receipt.seq), entry.record))
                .collect::<Vec<_>>()
        }
    };
    let at_follower = statement(&mut saudi_at_2).await;
    let at_leader = statement(&mut saudi).await;
    assert_eq!(at_follower, at_leader);
    assert_eq!(at_follower.last().and_then(|(seq, _)| *seq), Some(last_seq), "the last write is in it");
    // A linearizable read (no seq to wait for) is the leader's to serve: a follower names it.
    let linearizable = || {
        let mut request =
            tonic::Request::new(pb::GetStatementRequest { worker_id: worker.clone(), ..Default::default() });
        request
            .metadata_mut()
            .insert("ledger-read", tonic::metadata::MetadataValue::from_static("linearizable"));
        request
    };
    let refused = saudi_at_2.worker.get_statement(linearizable()).await.expect_err("a follower");
    assert_eq!(refused.code(), Code::Unavailable, "{refused:?}");
    let named = refused.metadata().get("ledger-leader").and_then(|value| value.to_str().ok());
    assert_eq!(named, Some(first_member.api.as_str()), "{refused:?}");
    let mut unknown =
        tonic::Request::new(pb::GetStatementRequest { worker_id: worker.clone(), ..Default::default() });
    unknown.metadata_mut().insert("ledger-read", tonic::metadata::MetadataValue::from_static("eventual"));
    let refused = saudi.worker.get_statement(unknown).await.expect_err("an unknown consistency");
    assert_eq!(refused.code(), Code::InvalidArgument, "{refused:?}");
    let read = saudi.worker.get_statement(linearizable()).await.expect("the leader reads").into_inner();
    assert_eq!(
        read.entries.last().and_then(|entry| entry.receipt.as_ref()).map(|receipt| receipt.seq),
        Some(last_seq)
    );

    // The leader stops; the two left elect another.
    let stopped = cluster.servers.remove(&1).expect("node 1");
    stopped.stop().await.expect("node 1 stopped");
    let leader = cluster.leader(&[2, 3]).await;

    // A retry of a request node 1 answered gets its original receipts, once.
    let mut saudi = cluster.clients(leader, "agency-sa").await;
    let retry = payroll("sa-2022-q1", &worker, &["2022-01", "2022-02", "2022-03"]);
    replayed_as_before(&mut saudi, retry, &first).await;
    let next = saudi
        .agency
        .record_contributions(payroll("sa-2022-10", &worker, &["2022-10"]))
        .await
        .expect("the new leader takes writes")
        .into_inner();
    assert_eq!(next.receipts[0].seq, size, "appended after everything node 1 answered");

    // The stopped node is removed; the two left hold the same log, verified.
    let mut admin = cluster.admin(leader).await;
    let members = admin.remove(1).await.expect("node 1 removed");
    assert_eq!(members.members.iter().map(|member| member.id).collect::<Vec<_>>(), [2, 3]);
    let size = size + 1;
    cluster.hold_one_verified_log(&[2, 3], size).await;
    for (_, server) in cluster.servers {
        server.stop().await.expect("stopped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_added_after_the_log_was_purged_catch_up_from_a_verified_snapshot() {
    let dir = tempfile::tempdir().expect("temporary directory");
    std::fs::write(dir.path().join("cluster-secret"), SECRET).expect("secret written");
    let tokens = make_principals(&dir);
    // A snapshot every 4 raft entries, and no entry kept before it.
    let mut cluster = Cluster { dir, tokens, servers: BTreeMap::new(), compaction: (Some(4), Some(0)) };
    cluster.start(1, Vec::new()).await;
    assert_eq!(cluster.leader(&[1]).await, 1);
    let mut philippines = cluster.clients(1, "agency-ph").await;
    let enrolled = common::enroll_with_credential(&mut philippines, "enrol-1", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut saudi = cluster.clients(1, "agency-sa").await;
    let first = saudi
        .agency
        .record_contributions(payroll("sa-2022-01", &worker, &["2022-01"]))
        .await
        .expect("recorded")
        .into_inner();
    for month in 2..=12 {
        let month = format!("2022-{month:02}");
        saudi
            .agency
            .record_contributions(payroll(&format!("sa-{month}"), &worker, &[&month]))
            .await
            .expect("recorded");
    }
    // The leader has snapshotted and purged its log past the first payroll's entry.
    let node = cluster.servers[&1].node().expect("a replica of a cluster").clone();
    let purged = node
        .raft()
        .wait(Some(ELECTION_WAIT_MAX))
        .metrics(|metrics| metrics.purged.is_some_and(|purged| purged.index >= 4), "the log is purged")
        .await
        .expect("the leader purged its log");
    assert!(purged.snapshot.is_some(), "{purged:?}");

    let first_member = cluster.member(1);
    let known = vec![MemberFile { id: 1, replica: first_member.replica, api: first_member.api.clone() }];
    cluster.start(2, known.clone()).await;
    cluster.start(3, known).await;
    let mut admin = cluster.admin(1).await;
    for id in [2, 3] {
        let member = cluster.member(id);
        admin.add(id, member).await.expect("member added from a snapshot");
    }
    let size = cluster.servers[&1].ledger.head().size;
    cluster.hold_one_verified_log(&[1, 2, 3], size).await;
    for id in [2, 3] {
        let snapshot = cluster.dir.path().join(format!("node-{id}")).join("raft").join("snapshot");
        assert!(snapshot.exists(), "node {id} keeps the snapshot it installed");
    }

    // The worker reads her statement on a replica that had only the snapshot's credentials.
    let address = cluster.servers[&2].address.to_string();
    let mut as_worker = client::connect(&address, &enrolled.worker_token).await.expect("connected");
    let statement = as_worker
        .worker
        .get_statement(pb::GetStatementRequest { worker_id: worker.clone(), ..Default::default() })
        .await
        .expect("the worker's credential holds on a replica that installed a snapshot")
        .into_inner();
    assert_eq!(statement.entries.len(), 13, "her enrolment and twelve months");

    // Node 1 stops; a retry of a request answered before the snapshot gets its receipts, once.
    let stopped = cluster.servers.remove(&1).expect("node 1");
    stopped.stop().await.expect("node 1 stopped");
    let leader = cluster.leader(&[2, 3]).await;
    let mut saudi = cluster.clients(leader, "agency-sa").await;
    replayed_as_before(&mut saudi, payroll("sa-2022-01", &worker, &["2022-01"]), &first).await;
    for (_, server) in cluster.servers {
        server.stop().await.expect("stopped");
    }
}
