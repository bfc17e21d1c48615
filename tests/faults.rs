//! A failing disk, simulated by faults injected at each step of a commit (the `failpoints` feature
//! of ledger-store): the waiting clients get UNAVAILABLE, no event is half-written, and the ledger
//! recovers when the fault clears; by itself when nothing reached sled, by a restart when a write
//! may have reached the disk in part. A data directory that takes no writes is named at start.
//!
//! Faults are process-wide, so the tests of this file take turns.

mod common;

use std::io::ErrorKind;

use common::TestServer;
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;
use ledger_store::fault::{self, Point};

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn contributions(worker: &str, request_id: &str) -> pb::RecordContributionsRequest {
    pb::RecordContributionsRequest {
        request_id: request_id.to_owned(),
        contributions: ["2025-01", "2025-02", "2025-03"]
            .iter()
            // An employer per request: each request's months are new contributions.
            .map(|month| {
                common::contribution_from(&format!("SA-{request_id}"), worker, "SA", "SAR", month, 300_000)
            })
            .collect(),
        ..Default::default()
    }
}

/// The number of events of each request id in the log, and that the chain verifies.
async fn count_of(auditor: &mut Clients, request_id: &str) -> usize {
    let verified = auditor
        .audit
        .verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None })
        .await
        .expect("verification runs")
        .into_inner();
    assert!(verified.ok, "the chain breaks: {}", verified.reason);
    common::read_all(auditor, 0)
        .await
        .iter()
        .filter(|event| {
            ledger_core::Record::decode(&event.record).expect("decodes").request_id.as_str() == request_id
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_before_anything_is_written_refuses_the_commit_and_clears_by_itself() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let mut ph = server.clients("agency-ph").await;
    let mut sa = server.clients("agency-sa").await;
    let mut auditor = server.clients("auditor").await;
    let worker = common::enroll(&mut ph, "enrol-1", "PH").await;
    for (point, kind, words) in [
        (Point::BeforeApply, ErrorKind::Other, "nothing was written"),
        (Point::FreeSpace, ErrorKind::Other, "MiB free"),
    ] {
        let before = common::head_size(&mut auditor).await;
        let request_id = format!("contrib-{point:?}");
        fault::set(point, kind);
        let refused = sa.agency.record_contributions(contributions(&worker, &request_id)).await;
        let status = refused.expect_err("the commit fails");
        assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
        assert!(status.message().contains(words), "{point:?}: {}", status.message());
        assert_eq!(common::head_size(&mut auditor).await, before, "{point:?} appended something");
        fault::clear_all();
        let accepted =
            sa.agency.record_contributions(contributions(&worker, &request_id)).await.expect("accepted");
        assert_eq!(accepted.into_inner().receipts.len(), 3);
        assert_eq!(count_of(&mut auditor, &request_id).await, 3, "{point:?}: the retry lands once");
    }
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fault_once_the_write_reached_sled_seals_the_writer_until_a_restart() {
    let _turn = ONE_AT_A_TIME.lock().await;
    for (point, kind) in [
        (Point::Apply, ErrorKind::Other),
        (Point::Flush, ErrorKind::StorageFull),
        (Point::Fsync, ErrorKind::Other),
        (Point::Promise, ErrorKind::Other),
    ] {
        let server = TestServer::start().await;
        let mut ph = server.clients("agency-ph").await;
        let mut sa = server.clients("agency-sa").await;
        let mut auditor = server.clients("auditor").await;
        let worker = common::enroll(&mut ph, "enrol-1", "PH").await;
        let acknowledged =
            sa.agency.record_contributions(contributions(&worker, "before")).await.expect("accepted");
        let acknowledged = acknowledged.into_inner().receipts;
        fault::set(point, kind);
        let status = sa
            .agency
            .record_contributions(contributions(&worker, "cut-off"))
            .await
            .expect_err("the commit fails");
        assert_eq!(status.code(), tonic::Code::Unavailable, "{point:?}: {status:?}");
        assert!(status.message().contains("restarted"), "{point:?}: {}", status.message());
        if kind == ErrorKind::StorageFull {
            assert!(status.message().contains("the data directory is full"), "{}", status.message());
        }
        fault::clear_all();
        // Sealed: nothing more is written, even once the fault is gone, and health says so.
        let status = ph
            .agency
            .enroll_worker(pb::EnrollWorkerRequest {
                request_id: "enrol-2".into(),
                origin_jurisdiction: "PH".into(),
                ..Default::default()
            })
            .await
            .expect_err("a sealed writer takes no writes");
        assert_eq!(status.code(), tonic::Code::Unavailable);
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.server.address))
            .expect("endpoint")
            .connect()
            .await
            .expect("connected");
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
        let serving = health
            .check(tonic_health::pb::HealthCheckRequest { service: String::new() })
            .await
            .expect("health answers")
            .into_inner()
            .status;
        assert_eq!(serving, tonic_health::pb::health_check_response::ServingStatus::NotServing as i32);
        // Reads go on: what was acknowledged is there.
        assert_eq!(count_of(&mut auditor, "before").await, 3);
        drop((ph, sa, auditor, health));
        let server = server.restart().await;
        let mut sa = server.clients("agency-sa").await;
        let mut auditor = server.clients("auditor").await;
        let events = common::read_all(&mut auditor, 0).await;
        for receipt in &acknowledged {
            let stored = &events[receipt.seq as usize];
            assert_eq!((&stored.event_hash, &stored.chain_hash), (&receipt.event_hash, &receipt.chain_hash));
        }
        // The cut-off request is wholly there or wholly absent, and once retried there exactly once.
        let cut_off = count_of(&mut auditor, "cut-off").await;
        assert!(cut_off == 0 || cut_off == 3, "{point:?}: {cut_off} of 3 events of the cut-off request");
        sa.agency
            .record_contributions(contributions(&worker, "cut-off"))
            .await
            .expect("the retry is accepted");
        assert_eq!(count_of(&mut auditor, "cut-off").await, 3, "{point:?}");
        server.server.stop().await.expect("stopped");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_directory_that_takes_no_writes_is_named_at_start() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().expect("temporary directory");
    common::make_principals(&dir);
    fault::set(Point::Probe, ErrorKind::ReadOnlyFilesystem);
    let refused = common::try_start_in(&dir).await;
    fault::clear_all();
    let message = refused.map(|_| ()).expect_err("the start is refused").to_string();
    assert!(message.contains("does not take writes"), "{message}");
    assert!(message.contains("the data directory is read-only"), "{message}");
    // A data directory under a regular file cannot be created: named too, with no fault injected.
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"").expect("file written");
    let error = ledger_server::start(common::serve_config(file.join("data"), common::principals_file(&dir)))
        .await
        .map(|_| ())
        .expect_err("the start is refused")
        .to_string();
    assert!(error.contains("the data directory cannot be created"), "{error}");
    let server = common::start_in(&dir).await;
    server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_on_the_writer_thread_seals_the_writer() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let mut ph = server.clients("agency-ph").await;
    let mut sa = server.clients("agency-sa").await;
    let worker = common::enroll(&mut ph, "enrol-1", "PH").await;
    fault::set(Point::WriterPanic, ErrorKind::Other);
    let status = sa
        .agency
        .record_contributions(contributions(&worker, "at-the-panic"))
        .await
        .expect_err("the writer panicked");
    fault::clear_all();
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    // Sealed, which is what makes `serve` exit with a failure; every later write is refused and
    // health says NOT_SERVING.
    let mut sealed = server.server.ledger.sealed();
    let reason = tokio::time::timeout(std::time::Duration::from_secs(10), sealed.wait_for(Option::is_some))
        .await
        .expect("sealed in time")
        .expect("the ledger is open")
        .clone()
        .unwrap_or_default();
    assert!(reason.contains("injected panic in the writer"), "{reason}");
    let status = sa.agency.record_contributions(contributions(&worker, "after")).await.expect_err("sealed");
    assert_eq!(status.code(), tonic::Code::Unavailable, "{status:?}");
    common::health_turns_not_serving(server.server.address, std::time::Duration::from_secs(10)).await;
    drop((ph, sa, sealed));
    server.server.stop().await.expect("stopped");
}
