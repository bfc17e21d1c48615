//! An export verified with no server, and every kind of tampering with it detected: any single
//! byte flipped (a sample of positions across the whole file), a record dropped, two records
//! swapped, the file truncated, the checkpoint's signature replaced. Each error names the seq or
//! the part that is wrong.

mod common;

use common::{contribution, enroll, TestServer};
use ledger_proto::v1 as pb;

fn ledger(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ledger")).args(args).output().expect("runs")
}

/// The export's records as (start, end) byte ranges, and where the end marker starts.
fn frames(bytes: &[u8]) -> (Vec<(usize, usize)>, usize) {
    let mut at = b"ledger-export-v1\n".len();
    let mut frames = Vec::new();
    loop {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        if len == u32::MAX {
            return (frames, at);
        }
        let end = at + 4 + len as usize + 32;
        frames.push((at, end));
        at = end;
    }
}

fn refused(path: &std::path::Path, key: &str, what: &str) -> String {
    let output = ledger(&["verify-export", path.to_str().expect("utf-8"), "--key", key]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!output.status.success(), "{what}: accepted");
    assert!(
        stderr.contains("seq ") || stderr.contains("the checkpoint") || stderr.contains("the header"),
        "{what}: {stderr}"
    );
    stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_verifies_offline_and_tampering_is_named() {
    let server = TestServer::start().await;
    let address = server.server.address.to_string();
    let mut philippines = server.clients("agency-ph").await;
    for index in 0..6 {
        let worker = enroll(&mut philippines, &format!("enrol-{index}"), "PH").await;
        let contributions = (1..=40)
            .map(|month| {
                contribution(
                    &worker,
                    "PH",
                    "PHP",
                    &format!("20{:02}-{:02}", 10 + month / 12, 1 + month % 12),
                    1_000_000,
                )
            })
            .collect();
        let request = pb::RecordContributionsRequest {
            request_id: format!("c-{index}"),
            contributions,
            ..Default::default()
        };
        philippines.agency.record_contributions(request).await.expect("recorded");
    }
    let dir = tempfile::tempdir().expect("temporary directory");
    let export = dir.path().join("ledger.export");
    let output = ledger(&[
        "export",
        "--to",
        export.to_str().expect("utf-8"),
        "--server",
        &address,
        "--token",
        &server.tokens["auditor"],
    ]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let data_dir = common::data_dir(&server.dir);
    let key = String::from_utf8_lossy(
        &ledger(&["key", "show", "--data-dir", data_dir.to_str().expect("utf-8")]).stdout,
    )
    .trim()
    .to_owned();
    let (_dir, _tokens) = server.stop().await;

    let verified = ledger(&["verify-export", export.to_str().expect("utf-8"), "--key", &key]);
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{stdout}{}", String::from_utf8_lossy(&verified.stderr));
    assert!(stdout.contains("verified 247 events"), "{stdout}");

    let original = std::fs::read(&export).expect("readable");
    let tampered = dir.path().join("tampered.export");
    let write = |bytes: &[u8]| std::fs::write(&tampered, bytes).expect("written");
    let (frames, end_marker) = frames(&original);

    // Any byte, anywhere: a sample of 60 positions spread over the whole file.
    let mut positions: Vec<usize> = (0..60).map(|index| index * original.len() / 60).collect();
    positions.extend([0, end_marker, end_marker + 5, original.len() - 1]);
    for position in positions {
        let mut bytes = original.clone();
        bytes[position] ^= 0x20;
        write(&bytes);
        refused(&tampered, &key, &format!("byte {position} flipped"));
    }
    // A byte inside record 100 names seq 100.
    let mut bytes = original.clone();
    bytes[frames[100].0 + 20] ^= 0x01;
    write(&bytes);
    assert!(refused(&tampered, &key, "record 100").contains("seq 100"));

    // A record dropped, two swapped.
    let mut dropped = original[..frames[50].0].to_vec();
    dropped.extend_from_slice(&original[frames[50].1..]);
    write(&dropped);
    assert!(refused(&tampered, &key, "record 50 dropped").contains("seq 50"));
    let mut swapped = original[..frames[70].0].to_vec();
    swapped.extend_from_slice(&original[frames[71].0..frames[71].1]);
    swapped.extend_from_slice(&original[frames[70].0..frames[70].1]);
    swapped.extend_from_slice(&original[frames[71].1..]);
    write(&swapped);
    assert!(refused(&tampered, &key, "records 70 and 71 swapped").contains("seq 70"));

    // Truncated anywhere, including just before the checkpoint and inside it.
    for cut in [10, frames[3].0 + 7, end_marker, end_marker + 4, original.len() - 3] {
        write(&original[..cut]);
        refused(&tampered, &key, &format!("truncated at {cut}"));
    }
    // The records cut short at a record boundary, with the original checkpoint after them.
    let mut short = original[..frames[200].0].to_vec();
    short.extend_from_slice(&original[end_marker..]);
    write(&short);
    assert!(refused(&tampered, &key, "records dropped from the end").contains("the checkpoint"));

    // The checkpoint's signature replaced by another key's.
    let note_start = end_marker + 8;
    let note = String::from_utf8(original[note_start..].to_vec()).expect("note");
    let (body, _) = note.split_once("\n\n").expect("a signed note");
    let other = ledger_core::checkpoint::LogKey::from_seed("social-protection-ledger/ffffffff", &[5; 32]);
    let mut forged_note = other.sign(247, [0; 32]);
    forged_note = forged_note.replacen(forged_note.split_once("\n\n").expect("note").0, body, 1);
    let mut forged = original[..end_marker + 4].to_vec();
    forged.extend_from_slice(&(forged_note.len() as u32).to_be_bytes());
    forged.extend_from_slice(forged_note.as_bytes());
    write(&forged);
    assert!(refused(&tampered, &key, "signature replaced").contains("the checkpoint"));
}
