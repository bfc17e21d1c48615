//! The real binary and the signals an operator sends: SIGHUP reloads the principals file (tokens
//! added, rotated or removed take effect without a restart), and SIGTERM drains the requests in
//! flight, exits cleanly, and loses nothing it acknowledged.

mod common;

use std::time::{Duration, Instant};

use ledger_client::grpc as client;
use ledger_proto::v1 as pb;
use tokio::process::Child;
use tonic::Code;

async fn start(dir: &tempfile::TempDir) -> (Child, String) {
    common::start_binary(dir).await
}

fn signal(child: &Child, name: &str) {
    let pid = child.id().expect("running").to_string();
    let status =
        std::process::Command::new("kill").args([&format!("-{name}"), &pid]).status().expect("kill runs");
    assert!(status.success());
}

fn principals(args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
        .arg("principals")
        .args(args)
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn token_in(output: &str) -> String {
    output.lines().find_map(|line| line.split("): ").nth(1)).expect("a token line").trim().to_owned()
}

async fn head_code(address: &str, token: &str) -> Result<(), Code> {
    let mut clients = client::connect(address, token).await.expect("connects");
    clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.map(drop).map_err(|status| status.code())
}

/// Retries until the answer changes to `expected`, as the server applies the signal.
async fn eventually(address: &str, token: &str, expected: Result<(), Code>) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let got = head_code(address, token).await;
        if got == expected {
            return;
        }
        assert!(Instant::now() < deadline, "still {got:?}, expected {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_puts_added_rotated_and_removed_tokens_in_force() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = common::make_principals(&dir);
    let (child, address) = start(&dir).await;
    let file = common::principals_file(&dir);
    let file = file.to_str().expect("utf-8 path");

    let added = token_in(&principals(&["add", "--file", file, "--role", "auditor", "--id", "auditor-2"]));
    assert_eq!(head_code(&address, &added).await, Err(Code::Unauthenticated), "not before the reload");
    let rotated = token_in(&principals(&["rotate", "--file", file, "--id", "operator"]));
    principals(&["remove", "--file", file, "--id", "auditor"]);
    assert_eq!(head_code(&address, &tokens["auditor"]).await, Ok(()), "the removal waits for the reload");

    signal(&child, "HUP");
    eventually(&address, &added, Ok(())).await;
    eventually(&address, &rotated, Ok(())).await;
    eventually(&address, &tokens["operator"], Err(Code::Unauthenticated)).await;
    eventually(&address, &tokens["auditor"], Err(Code::Unauthenticated)).await;
    signal(&child, "TERM");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_and_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = common::make_principals(&dir);
    let (mut child, address) = start(&dir).await;
    let mut philippines = client::connect(&address, &tokens["agency-ph"]).await.expect("connects");
    let worker = common::enroll(&mut philippines, "enrol-1", "PH").await;
    let writers: Vec<_> = (0..8)
        .map(|writer| {
            let (address, token, worker) = (address.clone(), tokens["agency-ph"].clone(), worker.clone());
            tokio::spawn(async move {
                let mut acknowledged = Vec::new();
                let Ok(mut agency) = client::connect(&address, &token).await else {
                    return (acknowledged, Vec::new());
                };
                let mut refusals = Vec::new();
                for index in 0..10_000 {
                    let employer = format!("PH-EMP-{writer}-{index}");
                    let contributions = vec![common::contribution_from(
                        &employer, &worker, "PH", "PHP", "2022-05", 1_000_000,
                    )];
                    let request = pb::RecordContributionsRequest {
                        request_id: format!("w{writer}-{index}"),
                        contributions,
                        ..Default::default()
                    };
                    match agency.agency.record_contributions(request).await {
                        Ok(response) => acknowledged.extend(response.into_inner().receipts),
                        Err(status) => {
                            refusals.push(status.code());
                            break;
                        }
                    }
                }
                (acknowledged, refusals)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(400)).await;
    signal(&child, "TERM");
    let exit = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("drained in time")
        .expect("exit");
    assert!(exit.success(), "a clean stop: {exit:?}");
    let mut acknowledged = Vec::new();
    for writer in writers {
        let (receipts, refusals) = writer.await.expect("writer ends");
        acknowledged.extend(receipts);
        for code in refusals {
            assert!(
                matches!(code, Code::Unavailable | Code::Cancelled | Code::Unknown),
                "refused with {code:?}"
            );
        }
    }
    assert!(!acknowledged.is_empty(), "the writers were running when the signal came");

    let (_child, address) = start(&dir).await;
    let mut auditor = client::connect(&address, &tokens["auditor"]).await.expect("connects");
    let events = common::read_all(&mut auditor, 0).await;
    for receipt in &acknowledged {
        let stored = &events[receipt.seq as usize];
        assert_eq!(stored.chain_hash, receipt.chain_hash, "acknowledged seq {} changed or lost", receipt.seq);
    }
}
