//! sled's data file damaged while the server is stopped: bit flips at several places and a cut-off
//! end. sled 0.34 takes a damaged page for the torn end of an interrupted write and drops
//! everything after it, so the ledger must notice from what it promised outside sled: the server
//! refuses to start, or serves every event it acknowledged and signs only trees that extend the
//! one it signed before.

mod common;

use std::path::Path;

use common::{contribution, enroll, TestServer};
use ledger_proto::v1 as pb;
use tonic::Code;

/// Workers enrolled, and contributions recorded for each, before the damage.
const WORKERS: usize = 4;
const MONTHS_PER_WORKER: usize = 96;

/// Enrols workers and records their contributions, in batches of twelve months.
async fn record_a_few_hundred_events(server: &TestServer) {
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    for worker in 0..WORKERS {
        let worker_id = enroll(&mut philippines, &format!("enrol-{worker}"), "PH").await;
        for year in 0..MONTHS_PER_WORKER / 12 {
            let contributions = (1..=12)
                .map(|month| {
                    contribution(&worker_id, "SA", "SAR", &format!("{}-{month:02}", 2010 + year), 90_000)
                })
                .collect();
            let request = pb::RecordContributionsRequest {
                request_id: format!("c-{worker}-{year}"),
                contributions,
                ..Default::default()
            };
            saudi.agency.record_contributions(request).await.expect("recorded");
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("directory made");
    for entry in std::fs::read_dir(from).expect("directory read") {
        let entry = entry.expect("entry read");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("file copied");
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Damage {
    /// One bit flipped at this fraction of the data file's length, in percent.
    FlipAt(u64),
    /// The file's last bytes cut off.
    CutLast(u64),
}

fn damage(sled_file: &Path, how: Damage) {
    let mut bytes = std::fs::read(sled_file).expect("sled's data file read");
    match how {
        Damage::FlipAt(percent) => {
            let at = bytes.len() * percent as usize / 100;
            bytes[at] ^= 0x10;
        }
        Damage::CutLast(count) => bytes.truncate(bytes.len() - count as usize),
    }
    std::fs::write(sled_file, bytes).expect("sled's data file written");
}

/// What a damaged copy of the data directory did when the server was started on it.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Refused,
    ServedEverything,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_data_file_is_refused_or_served_whole_never_rolled_back() {
    let server = TestServer::start().await;
    record_a_few_hundred_events(&server).await;
    let mut auditor = server.clients("auditor").await;
    let signed = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    assert!(signed.size >= (WORKERS * (MONTHS_PER_WORKER + 1)) as u64, "{}", signed.size);
    let (original, tokens) = server.stop().await;

    let mut outcomes = Vec::new();
    for how in
        [Damage::FlipAt(25), Damage::FlipAt(50), Damage::FlipAt(75), Damage::FlipAt(90), Damage::CutLast(300)]
    {
        let copy = tempfile::tempdir().expect("temporary directory");
        copy_dir(original.path(), copy.path());
        damage(&common::data_dir(&copy).join(ledger_store::SLED_DIR).join("db"), how);
        let started = common::try_start_in(&copy).await;
        let Ok(running) = started else {
            let message = started.err().map(|error| error.to_string()).unwrap_or_default();
            // Either sled itself cannot read the file, or the ledger names what it misses.
            assert!(!message.is_empty(), "{how:?}");
            outcomes.push((how, Outcome::Refused, message));
            continue;
        };
        let server = TestServer { server: running, dir: copy, tokens: tokens.clone() };
        let mut auditor = server.clients("auditor").await;
        let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
        assert!(
            head.size >= signed.size,
            "{how:?}: serves {} events, {} were acknowledged",
            head.size,
            signed.size
        );
        let proof = auditor
            .audit
            .get_consistency_proof(pb::GetConsistencyProofRequest {
                old_size: signed.size,
                new_size: head.size,
            })
            .await
            .expect("proof")
            .into_inner();
        let proof: Vec<[u8; 32]> =
            proof.proof.iter().map(|hash| hash.as_slice().try_into().expect("32 bytes")).collect();
        let old_root: [u8; 32] = signed.tree_root.as_slice().try_into().expect("32 bytes");
        let new_root: [u8; 32] = head.tree_root.as_slice().try_into().expect("32 bytes");
        ledger_core::merkle::verify_consistency(signed.size, head.size, &old_root, &new_root, &proof)
            .unwrap_or_else(|error| {
                panic!("{how:?}: the signed tree is not a prefix of the served one: {error}")
            });
        outcomes.push((how, Outcome::ServedEverything, String::new()));
        server.stop().await;
    }
    eprintln!("{outcomes:#?}");
    // sled drops what follows a damaged page: at least the cut-off end is noticed and refused.
    assert!(outcomes.iter().any(|(_, outcome, _)| *outcome == Outcome::Refused), "{outcomes:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_is_named_and_served_only_when_accepted_and_then_never_signed() {
    let server = TestServer::start().await;
    record_a_few_hundred_events(&server).await;
    let mut auditor = server.clients("auditor").await;
    let signed = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    let (dir, tokens) = server.stop().await;

    // Keep the promise of today and put back sled's files of an earlier, shorter log: what sled's
    // recovery does when it drops the end of its log.
    let earlier = tempfile::tempdir().expect("temporary directory");
    {
        let server = TestServer::start().await;
        let mut philippines = server.clients("agency-ph").await;
        enroll(&mut philippines, "enrol-0", "PH").await;
        let (shorter, _) = server.stop().await;
        copy_dir(&common::data_dir(&shorter).join(ledger_store::SLED_DIR), earlier.path());
    }
    let sled_dir = common::data_dir(&dir).join(ledger_store::SLED_DIR);
    std::fs::remove_dir_all(&sled_dir).expect("sled's files removed");
    copy_dir(earlier.path(), &sled_dir);

    let refused = common::try_start_in(&dir).await.expect_err("a shorter log must be refused");
    let message = refused.to_string();
    assert!(
        message.contains(&format!("the ledger acknowledged {}", signed.size))
            && message.contains("--accept-rollback"),
        "{message}"
    );
    // The offline check finds it too.
    let report = ledger_store::check(&common::data_dir(&dir)).expect("the check runs");
    assert!(
        report.problems.iter().any(|problem| problem.starts_with("the promise")),
        "{:?}",
        report.problems
    );

    let config = ledger_server::ServeConfig {
        accept_rollback: true,
        ..common::serve_config(common::data_dir(&dir), common::principals_file(&dir))
    };
    let running = ledger_server::start(config).await.expect("started with --accept-rollback");
    let server = TestServer { server: running, dir, tokens };
    let mut auditor = server.clients("auditor").await;
    let refused = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect_err("no checkpoint");
    assert_eq!(refused.code(), Code::FailedPrecondition, "{refused:?}");
    assert!(refused.message().contains(&format!("checkpoint of {} events", signed.size)), "{refused:?}");
    server.stop().await;
}
