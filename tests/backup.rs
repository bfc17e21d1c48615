//! `ledger backup` against a real server that agencies keep writing to, and `ledger restore` of
//! that copy into a new data directory: the copy is a prefix of the log closed by a signed
//! checkpoint, the restored ledger serves it (balances, a worker's credential, the original
//! receipts of a retried request), and a damaged copy or a foreign key is refused before anything
//! is written.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::TestServer;
use ledger_client::grpc as client;
use ledger_proto::v1 as pb;

fn ledger(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_ledger")).args(args).output().expect("the command runs");
    println!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    output
}

fn text(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

fn months(worker: &str, request_id: &str, year: u32) -> pb::RecordContributionsRequest {
    pb::RecordContributionsRequest {
        request_id: request_id.to_owned(),
        contributions: (1..=12)
            .map(|month| common::contribution(worker, "SA", "SAR", &format!("{year}-{month:02}"), 420_000))
            .collect(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_writes_restores_into_a_ledger_that_serves_it() {
    let server = TestServer::start().await;
    let mut ph = server.clients("agency-ph").await;
    let mut sa = server.clients("agency-sa").await;
    let enrolled = common::enroll_with_credential(&mut ph, "enrol-maria", "PH").await;
    let maria = enrolled.worker_id.clone();
    let first = sa.agency.record_contributions(months(&maria, "sa-2023", 2023)).await.expect("recorded");
    let first = first.into_inner().receipts;
    let address = server.server.address.to_string();
    let mut maria_clients = client::connect(&address, &enrolled.worker_token).await.expect("connects");
    let balance_before = maria_clients
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: maria.clone(),
            as_of_seq: None,
            ..Default::default()
        })
        .await
        .expect("balance")
        .into_inner();

    // Agencies go on writing while the backup is taken.
    let writing = Arc::new(AtomicBool::new(true));
    let writer = {
        let writing = writing.clone();
        let mut sa = sa.clone();
        let mut ph = ph.clone();
        tokio::spawn(async move {
            let mut index = 0;
            while writing.load(Ordering::Relaxed) {
                let worker = common::enroll(&mut ph, &format!("enrol-{index}"), "PH").await;
                sa.agency
                    .record_contributions(months(&worker, &format!("sa-{index}"), 2024))
                    .await
                    .expect("ok");
                index += 1;
            }
            index
        })
    };
    let backups = tempfile::tempdir().expect("temporary directory");
    let copy = backups.path().join("copy");
    let output =
        ledger(&["backup", "--server", &address, "--token", &server.tokens["operator"], "--to", text(&copy)]);
    assert!(output.status.success(), "the backup fails");
    writing.store(false, Ordering::Relaxed);
    let written = writer.await.expect("the writer ends");
    assert!(written > 0, "nothing was written during the backup");
    let mut auditor = server.clients("auditor").await;
    let original = common::read_all(&mut auditor, 0).await;

    let data_dir = server.dir.path().join("data");
    let key = ledger(&["key", "show", "--data-dir", text(&data_dir)]);
    let key = String::from_utf8(key.stdout).expect("UTF-8").trim().to_owned();
    let log_key = data_dir.join(ledger_server::LOG_KEY_FILE);

    // A damaged copy is refused, and nothing is written.
    let damaged = backups.path().join("damaged");
    std::fs::create_dir(&damaged).expect("directory");
    for name in ["log.export", "recovery-state", "MANIFEST"] {
        std::fs::copy(copy.join(name), damaged.join(name)).expect("copied");
    }
    let mut bytes = std::fs::read(damaged.join("log.export")).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(damaged.join("log.export"), &bytes).expect("written");
    let refused_dir = backups.path().join("refused");
    let output =
        ledger(&["restore", "--from", text(&damaged), "--data-dir", text(&refused_dir), "--key", &key]);
    assert!(!output.status.success(), "a damaged copy was restored");
    assert!(String::from_utf8_lossy(&output.stderr).contains("log.export has changed"));
    // Even with the manifest rewritten to match, the records themselves are checked.
    let manifest = std::fs::read_to_string(copy.join("MANIFEST")).expect("manifest");
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    let forged: String = manifest
        .lines()
        .map(|line| match line.starts_with("log.export ") {
            true => format!("log.export {digest}\n"),
            false => format!("{line}\n"),
        })
        .collect();
    std::fs::write(damaged.join("MANIFEST"), forged).expect("written");
    let output =
        ledger(&["restore", "--from", text(&damaged), "--data-dir", text(&refused_dir), "--key", &key]);
    assert!(!output.status.success(), "a damaged copy was restored");
    assert!(String::from_utf8_lossy(&output.stderr).contains("does not verify"));
    assert!(!refused_dir.join("sled").exists(), "a refused restore wrote a store");
    // A copy checked against another log's key is refused.
    let other = tempfile::tempdir().expect("temporary directory");
    let other_key = ledger_server::load_or_create_log_key(other.path()).expect("a key").verifier_key();
    let output =
        ledger(&["restore", "--from", text(&copy), "--data-dir", text(&refused_dir), "--key", &other_key]);
    assert!(!output.status.success(), "a copy was accepted under a foreign key");

    // The real restore.
    let restored = backups.path().join("restored");
    let output = ledger(&[
        "restore",
        "--from",
        text(&copy),
        "--data-dir",
        text(&restored),
        "--key",
        &key,
        "--log-key",
        text(&log_key),
    ]);
    assert!(output.status.success(), "the restore fails");
    let output = ledger(&["check", "--data-dir", text(&restored)]);
    assert!(output.status.success(), "the restored store does not check");
    server.server.stop().await.expect("stopped");

    let config = common::serve_config(restored.clone(), common::principals_file(&server.dir));
    let again = ledger_server::start(config).await.expect("the restored ledger serves");
    let address = again.address.to_string();
    let mut auditor = client::connect(&address, &server.tokens["auditor"]).await.expect("connects");
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    let copied = common::read_all(&mut auditor, 0).await;
    assert!(copied.len() > first.len() && copied.len() < original.len(), "the copy is a strict prefix");
    assert_eq!(copied.as_slice(), &original[..copied.len()], "the copy differs from the log");
    assert_eq!(head.size, copied.len() as u64);
    // The restored ledger signs with the log's own key: its checkpoint verifies under the old key.
    let verifier = ledger_core::checkpoint::Verifier::parse(&key).expect("the key parses");
    verifier.verify(&head.checkpoint).expect("the restored ledger's checkpoint verifies under the old key");
    // Maria's credential still works, and her balance is what it was.
    let mut maria_clients = client::connect(&address, &enrolled.worker_token).await.expect("connects");
    let balance = maria_clients
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: maria.clone(),
            as_of_seq: None,
            ..Default::default()
        })
        .await
        .expect("balance")
        .into_inner();
    assert_eq!(
        pb::GetBalanceResponse { as_of_seq: balance_before.as_of_seq, ..balance },
        balance_before,
        "Maria's balance after the restore"
    );
    // A retried request gets its original receipts: the idempotency table came back too.
    let mut sa = client::connect(&address, &server.tokens["agency-sa"]).await.expect("connects");
    let retried = sa.agency.record_contributions(months(&maria, "sa-2023", 2023)).await.expect("replayed");
    let retried = retried.into_inner().receipts;
    assert_eq!(
        retried.iter().map(|receipt| (receipt.seq, &receipt.chain_hash)).collect::<Vec<_>>(),
        first.iter().map(|receipt| (receipt.seq, &receipt.chain_hash)).collect::<Vec<_>>()
    );
    assert!(retried.iter().all(|receipt| receipt.replayed));
    // And it takes new writes after the copy's head.
    let next = sa.agency.record_contributions(months(&maria, "sa-2025", 2025)).await.expect("recorded");
    assert_eq!(next.into_inner().receipts[0].seq, head.size);
    again.stop().await.expect("stopped");
    drop(ph);
}
