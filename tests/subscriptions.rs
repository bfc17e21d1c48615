//! SubscribeEvents: from a point in the past through to live events under concurrent writes,
//! with no gap and no repeat across the switch; and a subscriber that stops reading is cut off
//! with a clear status while the writers carry on at full speed.

mod common;

use std::time::Duration;

use common::{contribution_from, enroll, TestServer};
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;
use tonic::Code;

const WRITERS: usize = 4;
const REQUESTS_PER_WRITER: usize = 40;

async fn write_batches(mut agency: Clients, worker: String, prefix: String, requests: usize, batch: usize) {
    for index in 0..requests {
        let contributions = (0..batch)
            .map(|item| {
                // An employer per item: the ledger takes one contribution of an employer for a
                // worker and month.
                contribution_from(
                    &format!("PH-EMP-{prefix}-{index}-{item}"),
                    &worker,
                    "PH",
                    "PHP",
                    &format!("20{:02}-{:02}", 10 + item % 10, 1 + index % 12),
                    1_000_000,
                )
            })
            .collect();
        let request = pb::RecordContributionsRequest {
            request_id: format!("{prefix}-{index}"),
            contributions,
            ..Default::default()
        };
        agency.agency.record_contributions(request).await.expect("recorded");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_switches_from_catch_up_to_live_without_gaps() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    // History to catch up on before the subscription starts.
    write_batches(philippines.clone(), worker.clone(), "before".into(), 20, 10).await;
    let mut auditor = server.clients("auditor").await;
    let mut stream = auditor
        .audit
        .subscribe_events(pb::SubscribeEventsRequest { from_seq: 0 })
        .await
        .expect("subscribed")
        .into_inner();
    let writers: Vec<_> = (0..WRITERS)
        .map(|writer| {
            tokio::spawn(write_batches(
                philippines.clone(),
                worker.clone(),
                format!("live-{writer}"),
                REQUESTS_PER_WRITER,
                3,
            ))
        })
        .collect();
    for writer in writers {
        writer.await.expect("writer finished");
    }
    let total = common::head_size(&mut auditor).await;
    assert_eq!(total, 2 + 200 + (WRITERS * REQUESTS_PER_WRITER * 3) as u64);
    let mut seen = Vec::new();
    while (seen.len() as u64) < total {
        let event = tokio::time::timeout(Duration::from_secs(30), stream.message())
            .await
            .expect("events keep coming")
            .expect("no error")
            .expect("stream open");
        seen.push(event.seq);
    }
    assert_eq!(seen, (0..total).collect::<Vec<u64>>(), "every event once, in order");
    // And it stays live: one more event arrives.
    write_batches(philippines, worker, "after".into(), 1, 1).await;
    let next =
        tokio::time::timeout(Duration::from_secs(30), stream.message()).await.expect("live").expect("ok");
    assert_eq!(next.map(|event| event.seq), Some(total));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_subscriber_is_cut_off_and_does_not_slow_the_writer() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = common::make_principals(&dir);
    let limits = ledger_server::Limits {
        subscriber_stall_max: Duration::from_millis(300),
        ..ledger_server::Limits::default()
    };
    let running = ledger_server::start(ledger_server::ServeConfig {
        data_dir: common::data_dir(&dir),
        listen: "127.0.0.1:0".parse().expect("address"),
        rules: ledger_server::RulesSource::Sample,
        principals: Some(common::principals_file(&dir)),
        limits,
        metrics_listen: None,
        tls: None,
        clock: ledger_store::Clock::system(),
        loopback: false,
        log_key: None,
        replica_key: None,
        accept_rollback: false,
        cluster: None,
    })
    .await
    .expect("started");
    let server = TestServer { server: running, dir, tokens };
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    // A client with small HTTP/2 windows, so that its transport cannot absorb the whole flood.
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", server.server.address))
        .expect("endpoint")
        .initial_stream_window_size(Some(65_535))
        .initial_connection_window_size(Some(65_535))
        .connect()
        .await
        .expect("connected");
    let bearer = ledger_client::grpc::Bearer::new(&server.tokens["auditor"]).expect("token");
    let mut auditor = pb::audit_service_client::AuditServiceClient::with_interceptor(channel, bearer);
    let mut stream = auditor
        .subscribe_events(pb::SubscribeEventsRequest { from_seq: 0 })
        .await
        .expect("subscribed")
        .into_inner();
    // The subscriber reads nothing while far more events than its buffers hold are written.
    let started = std::time::Instant::now();
    write_batches(philippines.clone(), worker, "flood".into(), 20, 500).await;
    let writing = started.elapsed();
    assert!(writing < Duration::from_secs(60), "the writers were held up: {writing:?}");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let mut received = 0u64;
    let status = loop {
        match tokio::time::timeout(Duration::from_secs(30), stream.message()).await.expect("the stream ends")
        {
            Ok(Some(event)) => {
                assert_eq!(event.seq, received, "events arrive in order, none skipped");
                received += 1;
            }
            Ok(None) => panic!("the stream ended without saying why after {received} events"),
            Err(status) => break status,
        }
    };
    assert_eq!(status.code(), Code::ResourceExhausted, "{}", status.message());
    // The subscriber resumes exactly at the first event it did not receive.
    let resume: u64 = status
        .message()
        .rsplit("subscribe again from seq ")
        .next()
        .and_then(|seq| seq.trim().parse().ok())
        .unwrap_or_else(|| panic!("no seq to resume from: {}", status.message()));
    assert_eq!(resume, received, "{}", status.message());
    assert!(received < 10_002, "it was cut off before the end ({received} events)");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_caller_loses_its_live_subscription_at_reload() {
    for revoke in ["remove", "rotate"] {
        let server = TestServer::start().await;
        let mut philippines = server.clients("agency-ph").await;
        let mut auditor = server.clients("auditor").await;
        let mut stream = auditor
            .audit
            .subscribe_events(pb::SubscribeEventsRequest { from_seq: 0 })
            .await
            .expect("subscribed")
            .into_inner();
        enroll(&mut philippines, "enrol-1", "PH").await;
        // Live and following: the rules adoption and the enrolment arrive.
        for seq in 0..2 {
            let event = tokio::time::timeout(Duration::from_secs(10), stream.message())
                .await
                .expect("in time")
                .expect("an event")
                .expect("not ended");
            assert_eq!(event.seq, seq);
        }
        let file = common::principals_file(&server.dir);
        match revoke {
            "remove" => ledger_server::principals::remove(&file, "auditor").expect("removed"),
            _ => drop(ledger_server::principals::rotate(&file, "auditor").expect("rotated")),
        }
        server.server.reload_principals().expect("reloaded");
        let ended =
            tokio::time::timeout(Duration::from_secs(10), stream.message()).await.expect("ended in time");
        let status = ended.expect_err("the stream ends with a status");
        assert_eq!(status.code(), Code::Unauthenticated, "{revoke}: {status:?}");
        drop((stream, auditor));
        server.stop().await;
    }
}
