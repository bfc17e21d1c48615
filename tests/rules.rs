//! Rules as data: `ledger rules check` names every mistake of a broken document, and the rules a
//! server starts with go on the chain when, and only when, they differ from the ones in force.

mod common;

use std::process::Command;

use common::{data_dir, principals_file, TestServer};
use ledger_core::{Event, Record};
use ledger_server::{RulesSource, ServeConfig};

#[test]
fn rules_check_lists_every_mistake_and_fails() {
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/ledger-rules/tests/fixtures/broken.toml");
    let output =
        Command::new(env!("CARGO_BIN_EXE_ledger")).args(["rules", "check", fixture]).output().expect("runs");
    assert!(!output.status.success(), "a broken document must fail the check");
    let stdout = String::from_utf8_lossy(&output.stdout);
    for mistake in [
        "duplicate jurisdiction code",
        "duplicate scheme",
        "ZZ is not a jurisdiction of this document",
        "an agreement needs at least two parties",
        "2019-12-31 is before in_force_from 2020-01-01",
    ] {
        assert!(stdout.contains(mistake), "missing {mistake:?} in:\n{stdout}");
    }
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/rules/sample.toml");
    let output =
        Command::new(env!("CARGO_BIN_EXE_ledger")).args(["rules", "check", sample]).output().expect("runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
}

async fn adopted_digests(server: &TestServer) -> Vec<[u8; 32]> {
    let mut auditor = server.clients("auditor").await;
    common::read_all(&mut auditor, 0)
        .await
        .iter()
        .filter_map(|event| match Record::decode(&event.record).expect("decodes").event {
            Event::RulesAdopted(adopted) => Some(adopted.digest),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_are_adopted_on_the_chain_only_when_they_change() {
    let server = TestServer::start().await;
    let sample = ledger_rules::Rules::sample();
    assert_eq!(adopted_digests(&server).await, [sample.digest()]);

    let server = server.restart().await;
    assert_eq!(adopted_digests(&server).await, [sample.digest()], "the same rules are not adopted twice");

    let (dir, tokens) = server.stop().await;
    let changed = ledger_rules::SAMPLE_RULES_TOML.replace("version = \"2027-01\"", "version = \"2027-02\"");
    let changed_path = dir.path().join("rules-2027.toml");
    std::fs::write(&changed_path, &changed).expect("rules written");
    let running = ledger_server::start(ServeConfig {
        data_dir: data_dir(&dir),
        listen: "127.0.0.1:0".parse().expect("address"),
        rules: RulesSource::File(changed_path),
        principals: Some(principals_file(&dir)),
        limits: ledger_server::Limits::default(),
        metrics_listen: None,
        tls: None,
        clock: ledger_store::Clock::system(),
        loopback: false,
        log_key: None,
        replica_key: None,
        accept_rollback: false,
        cluster: None,
    })
    .await
    .expect("started with new rules");
    let server = TestServer { server: running, dir, tokens };
    let changed_digest = ledger_core::sha256(changed.as_bytes());
    assert_eq!(adopted_digests(&server).await, [sample.digest(), changed_digest]);
    server.stop().await;
}
