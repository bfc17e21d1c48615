//! Stored data damaged while the server runs: the scrubber, reading everything back at a bounded
//! rate, finds it; from then on readers of what is damaged get DATA_LOSS, writes are refused, no
//! checkpoint is signed and health says NOT_SERVING, while readers of what is whole are answered.
//! The offline check finds the same damage once the server is stopped.

mod common;

use std::time::Duration;

use common::{contribution, enroll, TestServer};
use ledger_proto::v1 as pb;
use tonic::Code;

/// How long the scrubber may take to find damage in a log of a few dozen events (its pass over
/// them takes milliseconds; this bounds a stuck scrubber, it is not a wait for one).
const DAMAGE_FOUND_WITHIN: Duration = Duration::from_secs(30);

/// Two workers with a year of contributions each.
async fn two_workers(server: &TestServer) -> (String, String) {
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut workers = Vec::new();
    for name in ["a", "b"] {
        let worker = enroll(&mut philippines, &format!("enrol-{name}"), "PH").await;
        let contributions = (1..=12)
            .map(|month| contribution(&worker, "SA", "SAR", &format!("2024-{month:02}"), 90_000))
            .collect();
        let request = pb::RecordContributionsRequest {
            request_id: format!("c-{name}"),
            contributions,
            ..Default::default()
        };
        saudi.agency.record_contributions(request).await.expect("recorded");
        workers.push(worker);
    }
    (workers[0].clone(), workers[1].clone())
}

fn projection_key(worker: &str) -> Vec<u8> {
    let mut key = vec![b'P'];
    key.extend_from_slice(worker.as_bytes());
    key
}

#[derive(Clone, Copy, Debug)]
enum Tamper {
    /// Worker a's projection replaced by worker b's.
    SwappedProjection,
    /// One byte of a stored record changed, in the block that starts at seq 0.
    ChangedRecord,
    /// The last seq of the first stored chunk of worker a's statement changed to one of b's.
    ChangedChunk,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damage_found_while_serving_is_never_served_signed_or_written_over() {
    for tamper in [Tamper::SwappedProjection, Tamper::ChangedRecord, Tamper::ChangedChunk] {
        let server = TestServer::start().await;
        let (a, b) = two_workers(&server).await;
        let ledger = server.server.ledger.clone();
        match tamper {
            Tamper::ChangedChunk => {
                // Enough of a history for a stored chunk of her statement.
                let mut saudi = server.clients("agency-sa").await;
                let contributions = (0..300)
                    .map(|index| {
                        let month = format!("{}-{:02}", 1990 + index / 12, index % 12 + 1);
                        contribution(&a, "SA", "SAR", &month, 90_000)
                    })
                    .collect();
                let request = pb::RecordContributionsRequest {
                    request_id: "c-a-long".into(),
                    contributions,
                    ..Default::default()
                };
                saudi.agency.record_contributions(request).await.expect("recorded");
                let id = ledger_core::WorkerId::parse(&a).expect("id");
                let first = ledger.projection(&id).expect("read").expect("a has a projection").enrolled_at;
                let mut key = vec![b'E'];
                key.extend_from_slice(a.as_bytes());
                key.extend_from_slice(&first.0.to_be_bytes());
                let mut chunk = ledger.stored(&key).expect("chunk read").expect("a's first chunk");
                let b_enrolled = ledger
                    .projection(&ledger_core::WorkerId::parse(&b).expect("id"))
                    .expect("read")
                    .expect("b has a projection")
                    .enrolled_at;
                let last = chunk.len() - 8;
                chunk[last..].copy_from_slice(&b_enrolled.0.to_be_bytes());
                ledger.tamper(&key, chunk).expect("tampered");
            }
            Tamper::SwappedProjection => {
                let other = ledger.projection(&ledger_core::WorkerId::parse(&b).expect("id")).expect("read");
                let other = ledger_projections::codec::encode(&other.expect("b has a projection"));
                ledger.tamper(&projection_key(&a), other).expect("tampered");
            }
            Tamper::ChangedRecord => {
                let mut key = vec![b'B'];
                key.extend_from_slice(&0u64.to_be_bytes());
                let block = ledger.stored(&key).expect("block read");
                let mut block = block.expect("the first block");
                // The first record's last byte, before its 32-byte chain hash.
                let length = u32::from_be_bytes(block[..4].try_into().expect("4 bytes")) as usize;
                block[4 + length - 1] ^= 0x01;
                ledger.tamper(&key, block).expect("tampered");
            }
        }
        let mut damage = ledger.damage();
        let found = tokio::time::timeout(DAMAGE_FOUND_WITHIN, damage.wait_for(Option::is_some))
            .await
            .expect("the scrubber finds the damage")
            .expect("the ledger is open")
            .clone()
            .expect("damage");
        match tamper {
            Tamper::SwappedProjection | Tamper::ChangedChunk => {
                assert_eq!(found.worker.as_ref().map(|id| id.as_str()), Some(a.as_str()), "{found}")
            }
            Tamper::ChangedRecord => assert_eq!((found.seq.0, found.worker.clone()), (0, None), "{found}"),
        }

        let mut philippines = server.clients("agency-ph").await;
        let balance = philippines
            .worker
            .get_balance(pb::GetBalanceRequest {
                worker_id: a.clone(),
                as_of_seq: None,
                ..Default::default()
            })
            .await;
        match tamper {
            Tamper::SwappedProjection | Tamper::ChangedChunk => {
                assert_eq!(balance.expect_err("damaged").code(), Code::DataLoss);
                // What is whole is still answered.
                philippines
                    .worker
                    .get_balance(pb::GetBalanceRequest {
                        worker_id: b.clone(),
                        as_of_seq: None,
                        ..Default::default()
                    })
                    .await
                    .expect("worker b is whole");
            }
            // Every statement and balance is checked against a signed tree or the chain.
            Tamper::ChangedRecord => {
                let statement = philippines
                    .worker
                    .get_statement(pb::GetStatementRequest {
                        min_seq: None,
                        worker_id: b.clone(),
                        from_seq: 0,
                        limit: 0,
                    })
                    .await;
                assert_eq!(statement.expect_err("nothing signed").code(), Code::DataLoss);
            }
        }
        let mut auditor = server.clients("auditor").await;
        let head =
            auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect_err("nothing signed");
        assert_eq!(head.code(), Code::DataLoss, "{head:?}");
        let write = philippines
            .agency
            .enroll_worker(pb::EnrollWorkerRequest {
                request_id: "enrol-after-damage".into(),
                origin_jurisdiction: "PH".into(),
                ..Default::default()
            })
            .await
            .expect_err("no write on top of damage");
        assert_eq!(write.code(), Code::Unavailable);
        assert!(write.message().contains("damaged"), "{write:?}");
        common::health_turns_not_serving(server.server.address, DAMAGE_FOUND_WITHIN).await;

        // The offline check finds it too.
        drop((ledger, damage));
        let (dir, _) = server.stop().await;
        let report = ledger_store::check(&common::data_dir(&dir)).expect("the check runs");
        assert!(!report.holds(), "{tamper:?}: the check found nothing");
    }
}
