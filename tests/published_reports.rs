//! Published reports: `ledger audit publish` writes the employer-pays report of an illustrative
//! year (tests/common: recruitment to Saudi Arabia) as a signed bundle; `ledger audit
//! verify-report` checks it with nothing but the log's verifier key, and computes it again from
//! an export of the log, also one taken after more was recorded. A figure edited, a bundle
//! relabelled to another period, a statement of another tree, or an export of another log is
//! refused, each saying what is wrong. The real binary against the real server.

mod common;

use chrono::DateTime;
use common::{recruited_to_saudi_arabia, TestServer, TODAY};

fn ledger(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ledger")).args(args).output().expect("runs")
}

fn text(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Runs `ledger audit verify-report` on `bundle`, with an export when given.
fn verify(bundle: &std::path::Path, key: &str, export: Option<&std::path::Path>) -> std::process::Output {
    let mut args = vec!["audit", "verify-report", bundle.to_str().expect("utf-8"), "--key", key];
    if let Some(export) = export {
        args.extend(["--export", export.to_str().expect("utf-8")]);
    }
    ledger(&args)
}

fn refused(bundle: &std::path::Path, key: &str, export: Option<&std::path::Path>, why: &str) {
    let output = verify(bundle, key, export);
    assert!(!output.status.success(), "accepted: {}", text(&output));
    assert!(text(&output).contains(why), "{}", text(&output));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_published_report_verifies_offline_and_is_computed_again_from_an_export() {
    let clock = ledger_store::Clock::manual(DateTime::parse_from_rfc3339(TODAY).expect("a time").to_utc());
    let server = TestServer::start_with_clock(clock).await;
    recruited_to_saudi_arabia(&server).await;
    let address = server.server.address.to_string();
    let auditor = server.tokens["auditor"].clone();
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = |name: &str| dir.path().join(name);
    let connection = ["--server", address.as_str(), "--token", auditor.as_str()];

    let bundle = path("employer-pays-SA-2025.json");
    let mut publish = vec!["audit", "publish", "--report", "employer-pays", "--jurisdiction", "SA"];
    publish.extend(["--period", "2025", "--out", bundle.to_str().expect("utf-8")]);
    publish.extend(connection);
    let published = ledger(&publish);
    assert!(published.status.success(), "{}", text(&published));
    assert!(text(&published).contains("report employer-pays of SA, 2025, computed from the log's first"));

    let export = path("ledger.export");
    let mut export_args = vec!["export", "--to", export.to_str().expect("utf-8")];
    export_args.extend(connection);
    assert!(ledger(&export_args).status.success());
    let data_dir = common::data_dir(&server.dir);
    let key = String::from_utf8_lossy(
        &ledger(&["key", "show", "--data-dir", data_dir.to_str().expect("utf-8")]).stdout,
    )
    .trim()
    .to_owned();

    // Genuine, and the same report computed again from the export.
    let checked = verify(&bundle, &key, Some(&export));
    assert!(checked.status.success(), "{}", text(&checked));
    assert!(text(&checked).contains("report employer-pays of SA, 2025: genuine"), "{}", text(&checked));
    assert!(text(&checked).contains("the same report, byte for byte"), "{}", text(&checked));
    let original: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&bundle).expect("readable")).expect("JSON");
    assert_eq!(original["body"]["total"]["workers_who_paid"], 9);
    assert_eq!(original["body"]["total"]["paid_by_loans"]["PHP"], "13500000");

    // More recorded after publishing: an export taken now still gives the published report, from
    // its first events.
    let mut saudi = server.clients("agency-sa").await;
    let late = common::enroll(&mut saudi, "late-1", "NP").await;
    let fee = common::money("NPR", 9_000_000);
    common::recruitment_cost(
        &mut saudi,
        "late-fee",
        &late,
        "NP",
        common::NP_RECRUITER,
        fee,
        ledger_proto::v1::CostPayer::Worker,
        common::COMPANY,
    )
    .await;
    let later = path("later.export");
    let mut later_args = vec!["export", "--to", later.to_str().expect("utf-8")];
    later_args.extend(connection);
    assert!(ledger(&later_args).status.success());
    let again = verify(&bundle, &key, Some(&later));
    assert!(again.status.success(), "{}", text(&again));

    // Edited: one figure changed.
    let edit = |name: &str, change: &dyn Fn(&mut serde_json::Value)| {
        let mut bundle = original.clone();
        change(&mut bundle);
        let file = path(name);
        std::fs::write(&file, serde_json::to_vec_pretty(&bundle).expect("JSON")).expect("written");
        file
    };
    let fewer = edit("fewer.json", &|bundle| bundle["body"]["total"]["workers_who_paid"] = 8.into());
    refused(&fewer, &key, None, "its digest differs");
    // Relabelled to another period.
    let relabelled = edit("relabelled.json", &|bundle| bundle["period"] = "2024".into());
    refused(&relabelled, &key, None, "another report, jurisdiction or period");
    // The statement of the bundle with a checkpoint of another tree.
    let mut auditor_clients = server.clients("auditor").await;
    let newer = auditor_clients
        .audit
        .get_chain_head(ledger_proto::v1::GetChainHeadRequest {})
        .await
        .expect("head")
        .into_inner()
        .checkpoint;
    let moved = edit("moved.json", &|bundle| bundle["checkpoint"] = newer.clone().into());
    refused(&moved, &key, None, "the statement is of a tree of");
    // Another log's key.
    let other = TestServer::start().await;
    let other_dir = common::data_dir(&other.dir);
    let other_key = String::from_utf8_lossy(
        &ledger(&["key", "show", "--data-dir", other_dir.to_str().expect("utf-8")]).stdout,
    )
    .trim()
    .to_owned();
    refused(&bundle, &other_key, None, "the checkpoint");
    // An export of another log: the other server's.
    let foreign = path("foreign.export");
    let other_address = other.server.address.to_string();
    let other_auditor = other.tokens["auditor"].clone();
    let foreign_args = [
        "export",
        "--to",
        foreign.to_str().expect("utf-8"),
        "--server",
        &other_address,
        "--token",
        &other_auditor,
    ];
    assert!(ledger(&foreign_args).status.success());
    refused(&bundle, &key, Some(&foreign), "the checkpoint");
    other.server.stop().await.expect("stopped");
    server.server.stop().await.expect("stopped");
}
