//! The real binary under concurrent writes, killed with SIGKILL at random moments, many times.
//! After every restart: each acknowledged receipt is in the log with the same hashes, the chain
//! verifies, and every request that was in flight when the process died is, once retried, in the log
//! exactly once.
//!
//! `LEDGER_CRASH_CYCLES` sets the number of kills (default 20); `LEDGER_CRASH_SEED` replays a run.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ledger_core::Record;
use ledger_proto::v1 as pb;
use ledger_server::client::{self, Clients};
use tokio::process::Child;

const CYCLES_DEFAULT: usize = 20;
const WRITERS: usize = 6;
const WORKERS: usize = 12;

/// A small deterministic generator, so that a failing run can be replayed from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Acked {
    seq: u64,
    event_hash: Vec<u8>,
    chain_hash: Vec<u8>,
}

#[derive(Clone, Default)]
struct Ledgerbook {
    acked: Vec<Acked>,
    /// Requests sent but not answered when the server died, with the size of their batch.
    in_flight: Vec<pb::RecordContributionsRequest>,
    /// Every request that was acknowledged, by request id, with its batch size.
    requests: HashMap<String, usize>,
}

async fn start(dir: &tempfile::TempDir) -> (Child, String) {
    common::start_binary(dir).await
}

/// Every acknowledged receipt is present with its hashes, and the whole chain verifies.
async fn check(clients: &mut Clients, book: &Ledgerbook) -> usize {
    let events = common::read_all(clients, 0).await;
    for acked in &book.acked {
        let stored = events
            .get(acked.seq as usize)
            .unwrap_or_else(|| panic!("acknowledged seq {} is lost", acked.seq));
        assert_eq!(
            (&stored.event_hash, &stored.chain_hash),
            (&acked.event_hash, &acked.chain_hash),
            "acknowledged seq {} changed",
            acked.seq
        );
    }
    let verified = clients
        .audit
        .verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None })
        .await
        .expect("verification runs")
        .into_inner();
    assert!(verified.ok, "chain broken at {:?}: {}", verified.first_bad_seq, verified.reason);
    assert_eq!(verified.verified, events.len() as u64);
    // The Merkle tree the writer maintains survives the kill too.
    let head = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    let leaves: Vec<[u8; 32]> =
        events.iter().map(|event| *ledger_core::event_hash(&event.record).as_bytes()).collect();
    assert_eq!(
        head.tree_root,
        ledger_core::merkle::root_of(&leaves).to_vec(),
        "the Merkle root after a restart"
    );
    // Each acknowledged request is in the log exactly once, whole.
    let mut counts: HashMap<String, usize> = HashMap::new();
    for event in &events {
        let record = Record::decode(&event.record).expect("stored records decode");
        *counts.entry(record.request_id.as_str().to_owned()).or_default() += 1;
    }
    for (request_id, size) in &book.requests {
        assert_eq!(counts.get(request_id), Some(size), "request {request_id} is not in the log exactly once");
    }
    events.len()
}

fn remember(
    book: &mut Ledgerbook,
    request: &pb::RecordContributionsRequest,
    response: pb::RecordContributionsResponse,
) {
    book.requests.insert(request.request_id.clone(), request.contributions.len());
    for receipt in response.receipts {
        book.acked.push(Acked {
            seq: receipt.seq,
            event_hash: receipt.event_hash,
            chain_hash: receipt.chain_hash,
        });
    }
}

async fn write_until_killed(
    mut agency: Clients,
    workers: Arc<Vec<String>>,
    book: Arc<Mutex<Ledgerbook>>,
    prefix: String,
    mut rng: Rng,
) {
    for request_index in 0.. {
        let size = 1 + rng.below(12) as usize;
        let contributions = (0..size)
            .map(|_| {
                let worker = &workers[rng.below(workers.len() as u64) as usize];
                let month = format!("{}-{:02}", 2015 + rng.below(10), 1 + rng.below(12));
                common::contribution(worker, "SA", "SAR", &month, 100_000 + rng.below(400_000) as i64)
            })
            .collect();
        let request =
            pb::RecordContributionsRequest { request_id: format!("{prefix}-{request_index}"), contributions };
        match agency.agency.record_contributions(request.clone()).await {
            Ok(response) => remember(&mut book.lock().expect("book"), &request, response.into_inner()),
            Err(_) => {
                book.lock().expect("book").in_flight.push(request);
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_at_any_moment() {
    let cycles: usize =
        std::env::var("LEDGER_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(CYCLES_DEFAULT);
    let seed: u64 =
        std::env::var("LEDGER_CRASH_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                | 1
        });
    println!("crash test: {cycles} cycles, LEDGER_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = common::make_principals(&dir);
    let book = Arc::new(Mutex::new(Ledgerbook::default()));
    let mut workers = Vec::new();
    let mut size = 0;
    for cycle in 0..=cycles {
        let (mut child, address) = start(&dir).await;
        let mut auditor = client::connect(&address, &tokens["auditor"]).await.expect("auditor connects");
        let snapshot = book.lock().expect("book").clone();
        size = check(&mut auditor, &snapshot).await;
        let mut saudi = client::connect(&address, &tokens["agency-sa"]).await.expect("agency connects");
        // Requests cut off by the last kill are retried: each lands exactly once.
        let in_flight = std::mem::take(&mut book.lock().expect("book").in_flight);
        for request in in_flight {
            let response = saudi.agency.record_contributions(request.clone()).await.expect("retry accepted");
            remember(&mut book.lock().expect("book"), &request, response.into_inner());
        }
        if workers.is_empty() {
            let mut philippines = client::connect(&address, &tokens["agency-ph"]).await.expect("connects");
            for index in 0..WORKERS {
                workers.push(common::enroll(&mut philippines, &format!("enrol-{index}"), "PH").await);
            }
        }
        if cycle == cycles {
            let snapshot = book.lock().expect("book").clone();
            size = check(&mut auditor, &snapshot).await;
            child.start_kill().expect("killed");
            break;
        }
        let workers_shared = Arc::new(workers.clone());
        let writers: Vec<_> = (0..WRITERS)
            .map(|writer| {
                let saudi = saudi.clone();
                let rng = Rng(rng.next() | 1);
                let prefix = format!("c{cycle}-w{writer}");
                tokio::spawn(write_until_killed(saudi, workers_shared.clone(), book.clone(), prefix, rng))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(50 + rng.below(450))).await;
        child.start_kill().expect("SIGKILL sent");
        child.wait().await.expect("the server died");
        for writer in writers {
            writer.await.expect("writer task ends");
        }
    }
    let book = book.lock().expect("book");
    println!(
        "crash test: {cycles} kills, {} events acknowledged, 0 lost, log of {size} events verified",
        book.acked.len()
    );
    assert!(book.acked.len() > cycles, "the load was too light to test anything");
}
