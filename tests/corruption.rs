//! Stored bytes altered behind the server's back: the log is verified from end to end at open, so a
//! changed record is named and the log refused at start, as is one whose last record does not hash
//! to the stored head.

mod common;

use common::{contribution, enroll, TestServer};
use ledger_proto::v1 as pb;

/// Flips one byte of the stored record at `seq`, `from_end` bytes before its end, directly in sled,
/// using only the layout of docs/ARCHITECTURE.md and the framing of docs/FORMAT.md.
fn flip_record_byte(data_dir: &std::path::Path, seq: u64, from_end: usize) {
    let db = ledger_store::open_raw(data_dir).expect("sled opens");
    let mut start = [b'B'; 9];
    start[1..].copy_from_slice(&0u64.to_be_bytes());
    let mut end = [b'B'; 9];
    end[1..].copy_from_slice(&seq.to_be_bytes());
    let (key, block) = db.range(start..=end).next_back().expect("a block").expect("readable");
    let first = u64::from_be_bytes(key[1..9].try_into().expect("8 bytes"));
    let mut block = block.to_vec();
    let mut offset = 0;
    let len_at =
        |offset: usize| u32::from_be_bytes(block[offset..offset + 4].try_into().expect("4 bytes")) as usize;
    for _ in first..seq {
        offset += 4 + len_at(offset) + 32;
    }
    let target = offset + 4 + len_at(offset) - from_end;
    block[target] ^= 0x01;
    db.insert(key, block).expect("written");
    db.flush().expect("flushed");
}

async fn record_twenty_events(server: &TestServer) {
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    for month in 1..=19 {
        let request = pb::RecordContributionsRequest {
            request_id: format!("c-{month}"),
            contributions: vec![contribution(
                &worker,
                "SA",
                "SAR",
                &format!("{}-{:02}", 2021 + month / 12, 1 + month % 12),
                90_000,
            )],
            ..Default::default()
        };
        saudi.agency.record_contributions(request).await.expect("recorded");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_changed_in_the_middle_of_the_chain_is_named_and_the_log_refused() {
    // Where in the record the byte flips: the employer reference, the amounts, the principal.
    for (seq, from_end) in [(7, 5), (12, 30), (3, 120)] {
        let server = TestServer::start().await;
        record_twenty_events(&server).await;
        let (dir, _tokens) = server.stop().await;
        flip_record_byte(&common::data_dir(&dir), seq, from_end);

        // The whole chain is verified at open: the damaged log is never served or signed.
        let refused = common::try_start_in(&dir).await.expect_err("the server must not start");
        let message = refused.to_string();
        assert!(message.contains(&format!("event {seq}:")), "{message}");
        // The offline check names the same event.
        let report = ledger_store::check(&common::data_dir(&dir)).expect("the check runs");
        assert!(
            report.problems.iter().any(|problem| problem.contains(&format!("event {seq}:"))),
            "{:?}",
            report.problems
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_whose_last_record_does_not_match_its_head_is_refused() {
    let server = TestServer::start().await;
    record_twenty_events(&server).await;
    let (dir, _tokens) = server.stop().await;
    flip_record_byte(&common::data_dir(&dir), 20, 5);
    let refused = common::try_start_in(&dir).await.expect_err("the server must not start");
    let message = refused.to_string();
    assert!(message.contains("does not match its head"), "{message}");
}
