//! Reads that name a write: derived state is applied behind the log, and a read carrying the seq of
//! the caller's last write (`min_seq`) sees that write; one naming a seq beyond the log is refused
//! at once with NOT_FOUND, changing nothing.

mod common;

use common::{contribution, enroll, head_size, TestServer};
use ledger_proto::v1 as pb;
use tonic::Code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_naming_the_last_write_sees_it() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    for round in 0..20 {
        let month = format!("20{:02}-{:02}", 10 + round / 12, round % 12 + 1);
        let request = pb::RecordContributionsRequest {
            request_id: format!("c-{round}"),
            contributions: vec![contribution(&worker, "SA", "SAR", &month, 300_000)],
            ..Default::default()
        };
        let receipts = saudi.agency.record_contributions(request).await.expect("recorded").into_inner();
        let seq = receipts.receipts.last().map(|receipt| receipt.seq).expect("a receipt");
        let balance = saudi
            .worker
            .get_balance(pb::GetBalanceRequest {
                worker_id: worker.clone(),
                min_seq: Some(seq),
                ..Default::default()
            })
            .await
            .expect("balance")
            .into_inner();
        assert!(balance.as_of_seq >= seq, "balance as of {} after a write at {seq}", balance.as_of_seq);
        let months: u32 =
            balance.lines.iter().filter(|line| line.jurisdiction == "SA").map(|l| l.own_months).sum();
        assert_eq!(months, round + 1, "Saudi months after round {round}");
        let statement = saudi
            .worker
            .get_statement(pb::GetStatementRequest {
                worker_id: worker.clone(),
                from_seq: seq,
                limit: 0,
                min_seq: Some(seq),
            })
            .await
            .expect("statement")
            .into_inner();
        let first = statement.entries.first().and_then(|entry| entry.receipt.as_ref()).map(|r| r.seq);
        assert_eq!(first, Some(seq), "the statement names the write");
    }
    let last = head_size(&mut saudi).await - 1;
    let claims = saudi
        .agency
        .list_claims(pb::ListClaimsRequest { min_seq: Some(last), ..Default::default() })
        .await
        .expect("claims");
    assert!(claims.into_inner().claims.is_empty());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_naming_a_seq_beyond_the_log_is_refused_at_once() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    let size = head_size(&mut philippines).await;
    for min_seq in [size, size + 1_000, u64::MAX] {
        let refused = philippines
            .worker
            .get_balance(pb::GetBalanceRequest {
                worker_id: worker.clone(),
                min_seq: Some(min_seq),
                ..Default::default()
            })
            .await
            .expect_err("the seq is beyond the log");
        assert_eq!(refused.code(), Code::NotFound, "{refused:?}");
        assert!(refused.message().starts_with("min_seq:"), "{}", refused.message());
    }
    assert_eq!(head_size(&mut philippines).await, size, "a refused read appends nothing");
    server.stop().await;
}
