//! A worker downloads a portable statement and anyone checks it offline with only the log's
//! verifier key; the same statement with one month edited, or with a forged checkpoint, fails.

mod common;

use common::{contribution, TestServer};
use ledger_core::{Event, Month, Record};
use ledger_proto::v1 as pb;

fn ledger(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ledger")).args(args).output().expect("runs")
}

/// What `ledger worker statement --out` wrote for `worker` with her `token`, and the log's key,
/// read before the server stops; then `ledger statement verify` with the server gone. Answers the
/// file, the key, the verifier's output, and the data directory, which holds the file.
async fn statement_checked_offline(
    server: TestServer,
    worker: &str,
    token: &str,
    name: &str,
) -> (std::path::PathBuf, String, std::process::Output, tempfile::TempDir) {
    let address = server.server.address.to_string();
    let file = server.dir.path().join(name);
    let file_arg = file.to_str().expect("utf-8");
    let written = ledger(&[
        "worker",
        "statement",
        "--worker",
        worker,
        "--out",
        file_arg,
        "--server",
        &address,
        "--token",
        token,
    ]);
    assert!(written.status.success(), "{}", String::from_utf8_lossy(&written.stderr));
    let data_dir = common::data_dir(&server.dir);
    let key = ledger(&["key", "show", "--data-dir", data_dir.to_str().expect("utf-8")]);
    let key = String::from_utf8_lossy(&key.stdout).trim().to_owned();
    let (dir, _tokens) = server.stop().await;
    // Offline: the server is gone.
    let verified = ledger(&["statement", "verify", file_arg, "--key", &key]);
    (file, key, verified, dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_verifies_offline_and_an_edited_one_does_not() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = common::enroll_with_credential(&mut philippines, "e-1", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut saudi = server.clients("agency-sa").await;
    let contributions = (1..=12)
        .map(|month| contribution(&worker, "SA", "SAR", &format!("2020-{month:02}"), 300_000))
        .collect();
    saudi
        .agency
        .record_contributions(pb::RecordContributionsRequest {
            request_id: "sa".into(),
            contributions,
            ..Default::default()
        })
        .await
        .expect("recorded");
    // Other workers' events around, so that the proofs have something to prove against.
    for index in 0..40 {
        common::enroll(&mut philippines, &format!("other-{index}"), "PH").await;
    }

    let (file, key, verified, _dir) =
        statement_checked_offline(server, &worker, &enrolled.worker_token, "statement.json").await;
    let file_arg = file.to_str().expect("utf-8");
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{stdout}{}", String::from_utf8_lossy(&verified.stderr));
    assert!(stdout.contains("SA old_age: 12 months between 2020-01 and 2020-12"), "{stdout}");

    // One month edited: the record no longer hashes to a leaf of the signed tree.
    let text = std::fs::read_to_string(&file).expect("readable");
    let mut statement: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let entry = &mut statement["entries"][3];
    let bytes = hex::decode(entry["record"].as_str().expect("hex")).expect("hex");
    let mut record = Record::decode(&bytes).expect("decodes");
    let Event::ContributionRecorded(contribution) = &mut record.event else { panic!("a contribution") };
    contribution.month = Month::parse("2019-11").expect("month");
    entry["record"] = serde_json::Value::String(hex::encode(record.encode()));
    let edited = file.with_extension("edited.json");
    std::fs::write(&edited, serde_json::to_vec(&statement).expect("JSON")).expect("written");
    let refused = ledger(&["statement", "verify", edited.to_str().expect("utf-8"), "--key", &key]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(stderr.contains(&format!("entry {}", statement["entries"][3]["seq"])), "{stderr}");

    // A checkpoint signed by another key is refused.
    let other_key = ledger_core::checkpoint::LogKey::from_seed("social-protection-ledger/00000000", &[3; 32])
        .verifier_key();
    let refused = ledger(&["statement", "verify", file_arg, "--key", &other_key]);
    assert!(!refused.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_statement_of_several_pages_is_proved_whole_against_one_checkpoint() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = common::enroll_with_credential(&mut philippines, "e-long", "PH").await;
    let worker = enrolled.worker_id.clone();
    // 1,200 contributions (ten months of 120 employers): more than one statement page of the
    // server's default 1,000, so that the first pages' entries are proved again.
    let all: Vec<pb::Contribution> = (0..120)
        .flat_map(|employer| {
            let worker = worker.clone();
            (1..=10).map(move |month| {
                common::contribution_from(
                    &format!("PH-EMP-{employer:04}"),
                    &worker,
                    "PH",
                    "PHP",
                    &format!("2019-{month:02}"),
                    1_800_000,
                )
            })
        })
        .collect();
    for (index, batch) in all.chunks(ledger_store::EVENTS_PER_REQUEST_MAX).enumerate() {
        let request = pb::RecordContributionsRequest {
            request_id: format!("sss-long-{index}"),
            contributions: batch.to_vec(),
            ..Default::default()
        };
        philippines.agency.record_contributions(request).await.expect("recorded");
    }
    let (_file, _key, verified, _dir) =
        statement_checked_offline(server, &worker, &enrolled.worker_token, "long-statement.json").await;
    let stdout = String::from_utf8_lossy(&verified.stdout);
    assert!(verified.status.success(), "{}", String::from_utf8_lossy(&verified.stderr));
    assert!(stdout.contains("1201 events"), "{stdout}");
}
