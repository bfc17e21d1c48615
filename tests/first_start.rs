//! The quick start: `ledger serve` on a new data directory creates it, creates principals for every
//! sample jurisdiction, writes their tokens to a file only the owner can read, says so in its first
//! lines, and serves them; SIGTERM stops it cleanly.

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use ledger_client::grpc as client;
use ledger_proto::v1 as pb;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_initialises_a_new_data_directory_and_its_principals() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data_dir = dir.path().join("fresh-ledger");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ledger"))
        .arg("serve")
        .arg("--data-dir")
        .arg(&data_dir)
        .args(["--listen", "127.0.0.1:0", "--portal-listen", "127.0.0.1:0"])
        .env("LEDGER_LOG", "warn")
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let mut first_lines = Vec::new();
    while first_lines.len() < 6 {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("announced in time")
            .expect("readable")
            .expect("still running");
        first_lines.push(line);
    }
    let address =
        first_lines[0].split("serving on ").nth(1).expect("the first line names the address").to_owned();
    let tokens_file = data_dir.join("initial-tokens.txt");
    assert!(first_lines[4].contains(&tokens_file.display().to_string()), "{first_lines:?}");
    assert!(first_lines.iter().any(|line| line.contains("illustrative")), "{first_lines:?}");
    assert!(first_lines[5].starts_with("workers' portal: http://127.0.0.1:"), "{first_lines:?}");

    let mode = std::fs::metadata(&tokens_file).expect("tokens written").permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "only the owner may read the tokens");
    let tokens = std::fs::read_to_string(&tokens_file).expect("readable");
    let agencies = tokens.lines().filter(|line| line.contains(" agency ")).count();
    assert_eq!(agencies, ledger_rules::Rules::sample().jurisdictions().count());
    let principals = std::fs::read_to_string(data_dir.join("principals.toml")).expect("principals written");
    let auditor_token = tokens
        .lines()
        .find_map(|line| line.strip_prefix("auditor auditor - "))
        .expect("an auditor token")
        .to_owned();
    assert!(!principals.contains(&auditor_token), "the principals file keeps digests, not tokens");

    let mut auditor = client::connect(&address, &auditor_token).await.expect("connects");
    let head =
        auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("authenticated").into_inner();
    assert_eq!(head.size, 1, "a new ledger holds the adoption of its rules");

    let pid = child.id().expect("running") as i32;
    let sent =
        std::process::Command::new("kill").args(["-TERM", &pid.to_string()]).status().expect("kill runs");
    assert!(sent.success());
    let status = tokio::time::timeout(Duration::from_secs(30), child.wait())
        .await
        .expect("stops in time")
        .expect("exit");
    assert!(status.success(), "SIGTERM is a clean stop: {status:?}");
}
