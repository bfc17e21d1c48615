//! A worker's credential is hers: a replayed enrolment issues none, and every credential after the
//! first is replaced through the writer, with an event on the chain that says who replaced it and
//! carries nothing secret. Over real gRPC, against a real store.

mod common;

use common::{as_worker, contribution, enroll_with_credential, read_all, TestServer};
use ledger_proto::v1 as pb;
use tonic::Code;

/// Whether `token` opens the worker's own balance.
async fn opens(server: &TestServer, token: &str, worker_id: &str) -> bool {
    let mut clients = as_worker(server, token).await;
    let request =
        pb::GetBalanceRequest { worker_id: worker_id.to_owned(), as_of_seq: None, ..Default::default() };
    match clients.worker.get_balance(request).await {
        Ok(_) => true,
        Err(status) if status.code() == Code::Unauthenticated => false,
        Err(status) => panic!("unexpected answer: {status:?}"),
    }
}

fn enrolment(request_id: &str) -> pb::EnrollWorkerRequest {
    pb::EnrollWorkerRequest {
        request_id: request_id.into(),
        origin_jurisdiction: "PH".into(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_enrolment_answers_the_original_receipt_and_issues_no_credential() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000311", "PH").await;
    let worker_id = enrolled.worker_id.clone();
    let original = enrolled.receipt.expect("receipt");

    // She rotates the credential the agency handed her.
    let mut worker = as_worker(&server, &enrolled.worker_token).await;
    let rotated = worker.worker.rotate_credential(pb::RotateCredentialRequest {}).await.expect("rotated");
    let her_own = rotated.into_inner().worker_token;
    assert!(!her_own.is_empty());

    // Whoever holds the enrolment request resends it.
    let replay = philippines.agency.enroll_worker(enrolment("owwa-2026-000311")).await.expect("answered");
    let replay = replay.into_inner();
    let receipt = replay.receipt.expect("receipt");
    assert!(receipt.replayed);
    assert_eq!(receipt.seq, original.seq);
    assert_eq!(receipt.chain_hash, original.chain_hash);
    assert_eq!(replay.worker_id, worker_id);
    assert_eq!(replay.worker_token, "", "a retry must not issue a credential");

    // Her own credential still opens her record; the first one does not.
    assert!(opens(&server, &her_own, &worker_id).await);
    assert!(!opens(&server, &enrolled.worker_token, &worker_id).await);
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotations_and_resets_are_events_on_her_statement_and_nothing_secret_is_on_the_chain() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000312", "PH").await;
    let worker_id = enrolled.worker_id.clone();
    // Spain holds a record of her work there, which does not make Spain her agency for a reset.
    let contributions = vec![contribution(&worker_id, "ES", "EUR", "2025-03", 145_000)];
    let request = pb::RecordContributionsRequest {
        request_id: "tgss-2025-03-7".into(),
        contributions,
        ..Default::default()
    };
    spain.agency.record_contributions(request).await.expect("recorded");

    let mut tokens = vec![enrolled.worker_token.clone()];
    let mut worker = as_worker(&server, &enrolled.worker_token).await;
    let rotated = worker.worker.rotate_credential(pb::RotateCredentialRequest {}).await.expect("rotated");
    let rotated = rotated.into_inner();
    let rotation_seq = rotated.receipt.expect("receipt").seq;
    tokens.push(rotated.worker_token.clone());

    // She lost her phone: the agency that enrolled her resets it, at her request.
    let reset = |request_id: &str| pb::ResetWorkerCredentialRequest {
        request_id: request_id.into(),
        worker_id: worker_id.clone(),
    };
    let answer = philippines.agency.reset_worker_credential(reset("owwa-reset-0412")).await.expect("reset");
    let answer = answer.into_inner();
    let reset_receipt = answer.receipt.expect("receipt");
    assert!(!reset_receipt.replayed);
    let current = answer.worker_token.clone();
    tokens.push(current.clone());
    assert!(!opens(&server, &rotated.worker_token, &worker_id).await, "the reset revokes her last one");
    assert!(opens(&server, &current, &worker_id).await);

    // A retried reset issues nothing; Spain may not reset; neither changes what opens her record.
    let mut auditor = server.clients("auditor").await;
    let before = common::head_size(&mut auditor).await;
    let again = philippines.agency.reset_worker_credential(reset("owwa-reset-0412")).await.expect("answered");
    let again = again.into_inner();
    assert!(again.receipt.expect("receipt").replayed);
    assert_eq!(again.worker_token, "");
    let refused = spain.agency.reset_worker_credential(reset("tgss-reset-1")).await;
    assert_eq!(refused.expect_err("refused").code(), Code::PermissionDenied);
    assert_eq!(common::head_size(&mut auditor).await, before);
    assert!(opens(&server, &current, &worker_id).await);

    // Her statement shows both replacements, with who made them.
    let mut worker = as_worker(&server, &current).await;
    let request =
        pb::GetStatementRequest { min_seq: None, worker_id: worker_id.clone(), from_seq: 0, limit: 0 };
    let statement = worker.worker.get_statement(request).await.expect("statement").into_inner();
    let replaced: Vec<(u64, String, String)> = statement
        .entries
        .iter()
        .filter_map(|entry| match entry.event.as_ref()?.kind.as_ref()? {
            pb::event::Kind::CredentialReplaced(event) => {
                Some((entry.receipt.as_ref()?.seq, entry.principal.clone(), event.reset_by.clone()))
            }
            _ => None,
        })
        .collect();
    let worker_principal = format!("worker-{}", worker_id.to_lowercase());
    assert_eq!(
        replaced,
        vec![
            (rotation_seq, worker_principal, String::new()),
            (reset_receipt.seq, "agency-ph".to_owned(), "PH".to_owned()),
        ]
    );

    // No credential, nor any digest of one, is anywhere on the chain.
    let records: Vec<Vec<u8>> =
        read_all(&mut auditor, 0).await.into_iter().map(|event| event.record).collect();
    for token in &tokens {
        let digest = ledger_core::sha256(token.as_bytes());
        let hex_digest = hex::encode(digest);
        for needle in [token.as_bytes(), &digest[..], hex_digest.as_bytes()] {
            assert!(
                !records.iter().any(|record| record.windows(needle.len()).any(|window| window == needle)),
                "a credential or its digest is on the chain"
            );
        }
    }

    // The replacement is as durable as the event that records it.
    let server = server.restart().await;
    assert!(opens(&server, &current, &worker_id).await);
    assert!(!opens(&server, &rotated.worker_token, &worker_id).await);
    server.server.stop().await.expect("stopped");
}
