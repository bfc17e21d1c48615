//! What operators and standard gRPC tools rely on: health checks and reflection without a token,
//! Prometheus metrics on their own port, a per-principal rate limit shared across connections,
//! and a configuration file that refuses misspelt settings.

mod common;

use std::time::Duration;

use common::{contribution, enroll, TestServer};
use ledger_client::grpc as client;
use ledger_proto::v1 as pb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Endpoint;
use tonic::Code;

async fn start_with(limits: ledger_server::Limits, metrics: bool) -> TestServer {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = common::make_principals(&dir);
    let server = ledger_server::start(ledger_server::ServeConfig {
        data_dir: common::data_dir(&dir),
        listen: "127.0.0.1:0".parse().expect("address"),
        rules: ledger_server::RulesSource::Sample,
        principals: Some(common::principals_file(&dir)),
        limits,
        metrics_listen: metrics.then(|| "127.0.0.1:0".parse().expect("address")),
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
    TestServer { server, dir, tokens }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reflection_answer_without_a_token() {
    let server = TestServer::start().await;
    let channel = Endpoint::from_shared(format!("http://{}", server.server.address))
        .expect("endpoint")
        .connect()
        .await
        .expect("connected");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    for service in ["", "ledger.v1.AgencyService", "ledger.v1.WorkerService", "ledger.v1.AuditService"] {
        let request = tonic_health::pb::HealthCheckRequest { service: service.into() };
        let status = health.check(request).await.expect("health answers").into_inner().status;
        assert_eq!(
            status,
            tonic_health::pb::health_check_response::ServingStatus::Serving as i32,
            "{service:?}"
        );
    }

    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    use tonic_reflection::pb::v1::ServerReflectionRequest;
    let mut reflection = ServerReflectionClient::new(channel);
    let request = ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut responses = reflection
        .server_reflection_info(tokio_stream::iter([request]))
        .await
        .expect("reflection")
        .into_inner();
    let response = responses.message().await.expect("a response").expect("one message");
    let Some(MessageResponse::ListServicesResponse(list)) = response.message_response else {
        panic!("not a service list: {response:?}");
    };
    let names: Vec<String> = list.service.into_iter().map(|service| service.name).collect();
    for expected in [
        "ledger.v1.AgencyService",
        "ledger.v1.WorkerService",
        "ledger.v1.AuditService",
        "grpc.health.v1.Health",
    ] {
        assert!(names.iter().any(|name| name == expected), "{expected} missing from {names:?}");
    }
    server.stop().await;
}

async fn scrape(address: std::net::SocketAddr) -> String {
    let mut stream = tokio::net::TcpStream::connect(address).await.expect("metrics port open");
    stream.write_all(b"GET /metrics HTTP/1.1\r\nhost: ledger\r\n\r\n").await.expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("response read");
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    response
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_appends_commits_and_requests() {
    let server = start_with(ledger_server::Limits::default(), true).await;
    let metrics_address = server.server.metrics_address.expect("metrics configured");
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    let contributions =
        (1..=3).map(|m| contribution(&worker, "PH", "PHP", &format!("2023-0{m}"), 1_000_000)).collect();
    let request =
        pb::RecordContributionsRequest { request_id: "c-1".into(), contributions, ..Default::default() };
    philippines.agency.record_contributions(request).await.expect("recorded");
    let bad = pb::RecordContributionsRequest {
        request_id: "c-2".into(),
        contributions: vec![],
        ..Default::default()
    };
    philippines.agency.record_contributions(bad).await.expect_err("empty batch");

    let text = scrape(metrics_address).await;
    for line in [
        "ledger_chain_size_events 5",
        "ledger_appended_events_total 5",
        "ledger_requests_total{rpc=\"RecordContributions\",code=\"Ok\"} 1",
        "ledger_requests_total{rpc=\"RecordContributions\",code=\"InvalidArgument\"} 1",
        "ledger_requests_total{rpc=\"EnrollWorker\",code=\"Ok\"} 1",
        "ledger_commit_events_bucket{le=\"4\"} 3",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in\n{text}");
    }
    assert!(text.contains("ledger_request_seconds_count{rpc=\"EnrollWorker\"} 1"), "{text}");
    // The applier's lag is a gauge: at most the five events appended, none once it has stored them.
    let lag = text.lines().find_map(|line| line.strip_prefix("ledger_applier_lag_events "));
    assert!(lag.and_then(|lag| lag.parse::<u64>().ok()).is_some_and(|lag| lag <= 5), "{text}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rate_limit_holds_per_principal_across_connections() {
    let limits =
        ledger_server::Limits { requests_per_second: 2.0, burst: 5.0, ..ledger_server::Limits::default() };
    let server = start_with(limits, false).await;
    let address = server.server.address.to_string();
    let mut answers = Vec::new();
    // Eight calls over four separate connections of the same principal: the bucket is shared.
    for index in 0..8 {
        let mut auditor = client::connect(&address, &server.tokens["auditor"]).await.expect("connects");
        let outcome = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await;
        answers.push(outcome.map(drop).map_err(|status| status.code()));
        if index % 2 == 1 {
            drop(auditor);
        }
    }
    let refused = answers.iter().filter(|answer| **answer == Err(Code::ResourceExhausted)).count();
    assert_eq!(answers[..5].iter().filter(|answer| answer.is_ok()).count(), 5, "{answers:?}");
    assert!(refused >= 2, "the burst of 5 was exceeded without refusal: {answers:?}");
    // Another principal has its own bucket.
    let mut operator = server.clients("operator").await;
    operator
        .audit
        .get_chain_head(pb::GetChainHeadRequest {})
        .await
        .expect("not limited by the auditor's use");
    // The bucket refills at the sustained rate.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut auditor = client::connect(&address, &server.tokens["auditor"]).await.expect("connects");
    auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("refilled");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guesses_at_tokens_are_rate_limited_by_address() {
    let limits =
        ledger_server::Limits { requests_per_second: 2.0, burst: 5.0, ..ledger_server::Limits::default() };
    let server = start_with(limits, false).await;
    let address = server.server.address.to_string();
    let mut guesser = client::connect(&address, "lgr_not-a-token").await.expect("connects");
    let mut codes = Vec::new();
    for _ in 0..8 {
        let outcome = guesser.audit.get_chain_head(pb::GetChainHeadRequest {}).await;
        codes.push(outcome.expect_err("no such token").code());
    }
    // The first guesses are told the token is unknown; past the burst, the address is throttled.
    assert_eq!(&codes[..5], &[Code::Unauthenticated; 5], "{codes:?}");
    assert!(codes[5..].contains(&Code::ResourceExhausted), "{codes:?}");
    // A principal with a token is not held back by the guesses from the same address.
    let mut auditor = client::connect(&address, &server.tokens["auditor"]).await.expect("connects");
    auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("answered");
    server.stop().await;
}

#[test]
fn a_misspelt_setting_in_the_configuration_is_refused() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/broken-config.toml");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
        .args(["serve", "--config", fixture])
        .output()
        .expect("runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown field `listen_address`"), "{stderr}");
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/ledger.toml");
    ledger_server::config::ConfigFile::load(std::path::Path::new(shipped))
        .expect("the shipped configuration loads");
}
