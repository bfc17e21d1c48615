//! Who may call what, over real gRPC: unauthenticated callers get nothing, roles are kept to their
//! RPCs, agencies to their jurisdiction, and the acting principal is recorded in every event.

mod common;

use common::{contribution, enroll, TestServer};
use ledger_client::grpc as client;
use ledger_proto::v1 as pb;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_without_a_valid_token_get_nothing() {
    let server = TestServer::start().await;
    let address = server.server.address.to_string();
    let forged = format!("lgr_{}", "0".repeat(64));
    for token in [forged.as_str(), "", "not-a-token"] {
        let mut clients = client::connect(&address, token).await.expect("connected");
        let status = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated, "token {token:?}");
        let request = pb::EnrollWorkerRequest {
            request_id: "x".into(),
            origin_jurisdiction: "PH".into(),
            ..Default::default()
        };
        let status = clients.agency.enroll_worker(request).await.expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated, "token {token:?}");
    }
    // No authorization header at all.
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connected");
    let mut bare = pb::audit_service_client::AuditServiceClient::new(channel);
    let status = bare.get_chain_head(pb::GetChainHeadRequest {}).await.expect_err("refused");
    assert_eq!(status.code(), Code::Unauthenticated);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_and_jurisdictions_bound_what_a_principal_may_do() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;

    for principal in ["auditor", "operator"] {
        let mut clients = server.clients(principal).await;
        let request = pb::RecordContributionsRequest {
            request_id: "c-1".into(),
            contributions: vec![contribution(&worker, "SA", "SAR", "2023-01", 100_000)],
            ..Default::default()
        };
        let status = clients.agency.record_contributions(request).await.expect_err("not an agency");
        assert_eq!(status.code(), Code::PermissionDenied, "{principal}");
        let request =
            pb::GetStatementRequest { min_seq: None, worker_id: worker.clone(), from_seq: 0, limit: 0 };
        let status = clients.worker.get_statement(request).await.expect_err("no personal record");
        assert_eq!(status.code(), Code::PermissionDenied, "{principal}");
        let head = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("reads the chain");
        assert_eq!(head.into_inner().size, 2);
    }

    // The Philippine agency may not record a contribution paid in Saudi Arabia.
    let request = pb::RecordContributionsRequest {
        request_id: "c-2".into(),
        contributions: vec![contribution(&worker, "SA", "SAR", "2023-01", 100_000)],
        ..Default::default()
    };
    let status = philippines.agency.record_contributions(request).await.expect_err("not its jurisdiction");
    assert_eq!(status.code(), Code::PermissionDenied);

    // The same request id is per principal: two agencies may both use "c-2".
    let mut saudi = server.clients("agency-sa").await;
    let request = pb::RecordContributionsRequest {
        request_id: "c-2".into(),
        contributions: vec![contribution(&worker, "SA", "SAR", "2023-01", 100_000)],
        ..Default::default()
    };
    saudi.agency.record_contributions(request).await.expect("recorded");
    // Each agency reads the events that concern its jurisdiction (tests/reading.rs has every cell).
    for (clients, recorded_by) in [(&mut philippines, "agency-ph"), (&mut saudi, "agency-sa")] {
        let request =
            pb::GetStatementRequest { min_seq: None, worker_id: worker.clone(), from_seq: 0, limit: 0 };
        let statement = clients.worker.get_statement(request).await.expect("statement").into_inner();
        let principals: Vec<&str> = statement.entries.iter().map(|entry| entry.principal.as_str()).collect();
        assert_eq!(principals, [recorded_by]);
    }
    server.stop().await;
}
