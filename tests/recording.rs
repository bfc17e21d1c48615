//! One worker's record over real gRPC: enrolment, a batch of contributions, retries, a reversal, a
//! credited period, the statement, the raw event stream re-hashed by the test, and verification.

mod common;

use common::{as_worker, contribution, enroll_with_credential, read_all, TestServer};
use ledger_proto::v1 as pb;
use sha2::{Digest, Sha256};
use tonic::Code;

/// Hashes the way docs/FORMAT.md says, without the ledger's own code.
fn leaf_hash(record: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update([0x00]);
    hasher.update(record);
    hasher.finalize().to_vec()
}

fn link(prev: &[u8], event_hash: &[u8]) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update([0x02]);
    hasher.update(prev);
    hasher.update(event_hash);
    hasher.finalize().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workers_record_end_to_end() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut spain = server.clients("agency-es").await;
    let mut auditor = server.clients("auditor").await;

    let enrolled = enroll_with_credential(&mut philippines, "ph-enrol-1", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut herself = as_worker(&server, &enrolled.worker_token).await;
    assert_eq!(worker.len(), 17);

    let batch = pb::RecordContributionsRequest {
        request_id: "sa-payroll-2022-q1".into(),
        contributions: ["2022-01", "2022-02", "2022-03"]
            .iter()
            .map(|month| contribution(&worker, "SA", "SAR", month, 150_000))
            .collect(),
        ..Default::default()
    };
    let first = saudi.agency.record_contributions(batch.clone()).await.expect("recorded").into_inner();
    let seqs: Vec<u64> = first.receipts.iter().map(|receipt| receipt.seq).collect();
    // Seq 0 is the adoption of the rules the server started with.
    assert_eq!(seqs, [2, 3, 4]);
    assert!(first.receipts.iter().all(|receipt| !receipt.replayed));

    // A retry of the same request gets the same receipts, marked replayed, and appends nothing.
    let retry = saudi.agency.record_contributions(batch.clone()).await.expect("replayed").into_inner();
    assert_eq!(retry.receipts.len(), 3);
    for (original, replayed) in first.receipts.iter().zip(&retry.receipts) {
        assert!(replayed.replayed);
        assert_eq!(
            (original.seq, &original.event_hash, &original.chain_hash, &original.recorded_at),
            (replayed.seq, &replayed.event_hash, &replayed.chain_hash, &replayed.recorded_at)
        );
    }
    assert_eq!(common::head_size(&mut auditor).await, 5);

    // The same request id with different content is refused, naming the original.
    let mut conflicting = batch.clone();
    conflicting.contributions[1].insured_wage_minor += 1;
    let status = saudi.agency.record_contributions(conflicting).await.expect_err("conflict refused");
    assert_eq!(status.code(), Code::AlreadyExists);
    assert!(status.message().contains("seq 2"), "{}", status.message());

    // Reversal: only by the contribution's jurisdiction, only of a contribution, only once.
    let reverse = |request_id: &str, seq: u64| pb::ReverseContributionRequest {
        request_id: request_id.into(),
        seq,
        reason: "employer reported the wrong month".into(),
    };
    let status = spain.agency.reverse_contribution(reverse("es-rev-1", 3)).await.expect_err("not Spain's");
    assert_eq!(status.code(), Code::PermissionDenied);
    let status = saudi.agency.reverse_contribution(reverse("sa-rev-0", 1)).await.expect_err("an enrolment");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let reversal =
        saudi.agency.reverse_contribution(reverse("sa-rev-1", 3)).await.expect("reversed").into_inner();
    assert_eq!(reversal.receipt.as_ref().map(|receipt| receipt.seq), Some(5));
    let status = saudi.agency.reverse_contribution(reverse("sa-rev-2", 3)).await.expect_err("twice");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("already reversed at seq 5"), "{}", status.message());

    let credited = saudi
        .agency
        .credit_periods(pb::CreditPeriodsRequest {
            request_id: "sa-maternity-1".into(),
            periods: vec![pb::CreditedPeriod {
                worker_id: worker.clone(),
                jurisdiction: "SA".into(),
                branch: pb::Branch::OldAge as i32,
                from_month: "2022-04".into(),
                to_month: "2022-06".into(),
                kind: pb::CreditKind::Maternity as i32,
            }],
        })
        .await
        .expect("credited")
        .into_inner();
    assert_eq!(credited.receipts[0].seq, 6);

    // The statement lists the worker's six events, oldest first, each with its receipt.
    let statement = herself
        .worker
        .get_statement(pb::GetStatementRequest {
            min_seq: None,
            worker_id: worker.clone(),
            from_seq: 0,
            limit: 0,
        })
        .await
        .expect("statement")
        .into_inner();
    let kinds: Vec<&str> = statement
        .entries
        .iter()
        .map(|entry| match entry.event.as_ref().and_then(|event| event.kind.as_ref()) {
            Some(pb::event::Kind::WorkerEnrolled(_)) => "enrolled",
            Some(pb::event::Kind::ContributionRecorded(_)) => "contribution",
            Some(pb::event::Kind::ContributionReversed(_)) => "reversed",
            Some(pb::event::Kind::PeriodCredited(_)) => "credited",
            Some(_) | None => "other",
        })
        .collect();
    assert_eq!(kinds, ["enrolled", "contribution", "contribution", "contribution", "reversed", "credited"]);
    assert_eq!(statement.entries[1].receipt, Some(first.receipts[0].clone()));
    assert_eq!(statement.entries[1].principal, "agency-sa");
    assert_eq!(statement.entries[1].request_id, "sa-payroll-2022-q1");
    assert_eq!(statement.next_from_seq, None);
    for entry in &statement.entries {
        let receipt = entry.receipt.as_ref().expect("receipt");
        assert_eq!(leaf_hash(&entry.record), receipt.event_hash);
    }

    // Every streamed event re-hashes, from its exact bytes, to what the ledger says.
    let events = read_all(&mut auditor, 0).await;
    assert_eq!(events.len(), 7);
    let mut prev = vec![0u8; 32];
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event.seq, index as u64);
        let event_hash = leaf_hash(&event.record);
        assert_eq!(event_hash, event.event_hash, "event hash of seq {index}");
        prev = link(&prev, &event_hash);
        assert_eq!(prev, event.chain_hash, "chain hash of seq {index}");
    }
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    assert_eq!((head.size, head.head_hash), (7, prev));

    let verified = auditor
        .audit
        .verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None })
        .await
        .expect("verified")
        .into_inner();
    assert_eq!((verified.ok, verified.verified, verified.first_bad_seq), (true, 7, None));
    let partial = auditor
        .audit
        .verify_chain(pb::VerifyChainRequest { from_seq: 2, to_seq: Some(5) })
        .await
        .expect("verified")
        .into_inner();
    assert_eq!((partial.ok, partial.verified), (true, 3));

    // After a restart, the same log, and retries are still recognised: idempotency is permanent.
    let server = server.restart().await;
    let mut saudi = server.clients("agency-sa").await;
    let again = saudi.agency.record_contributions(batch).await.expect("replayed after restart").into_inner();
    assert!(again.receipts.iter().all(|receipt| receipt.replayed));
    assert_eq!(again.receipts[2].chain_hash, first.receipts[2].chain_hash);
    let mut auditor = server.clients("auditor").await;
    assert_eq!(common::head_size(&mut auditor).await, 7);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_page_through_a_long_record() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let enrolled = enroll_with_credential(&mut philippines, "ph-enrol-2", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut herself = as_worker(&server, &enrolled.worker_token).await;
    let months: Vec<String> =
        (0..600).map(|index| format!("{}-{:02}", 1975 + index / 12, 1 + index % 12)).collect();
    let request = pb::RecordContributionsRequest {
        request_id: "sa-history".into(),
        contributions: months
            .iter()
            .map(|month| contribution(&worker, "SA", "SAR", month, 200_000))
            .collect(),
        ..Default::default()
    };
    saudi.agency.record_contributions(request).await.expect("recorded");

    let mut seen = Vec::new();
    let mut from_seq = 0;
    loop {
        let page = herself
            .worker
            .get_statement(pb::GetStatementRequest {
                min_seq: None,
                worker_id: worker.clone(),
                from_seq,
                limit: 50,
            })
            .await
            .expect("page")
            .into_inner();
        seen.extend(
            page.entries.iter().filter_map(|entry| entry.receipt.as_ref().map(|receipt| receipt.seq)),
        );
        match page.next_from_seq {
            Some(next) => from_seq = next,
            None => break,
        }
    }
    // Her 601 events are two stored chunks of 256 and a tail: pages cross both seams.
    assert_eq!(seen, (1..=601).collect::<Vec<u64>>());
    let from_the_middle = herself
        .worker
        .get_statement(pb::GetStatementRequest {
            min_seq: None,
            worker_id: worker.clone(),
            from_seq: 300,
            limit: 300,
        })
        .await
        .expect("page")
        .into_inner();
    let seqs: Vec<u64> =
        from_the_middle.entries.iter().filter_map(|entry| entry.receipt.as_ref().map(|r| r.seq)).collect();
    assert_eq!(seqs, (300..600).collect::<Vec<u64>>());
    assert_eq!(from_the_middle.next_from_seq, Some(600));
    server.stop().await;
}
