//! Cosigned checkpoints: the replica cosigns every checkpoint its log key signs, an outside witness
//! cosigns from the command line after checking the tree extends the one it cosigned before, and
//! an offline verifier with a policy "at least k of these n cosigners" accepts an export only when
//! k of them cosigned it: too few, keys outside the policy, or a cosignature changed by one bit
//! are refused.

mod common;

use common::{contribution, enroll, TestServer};
use ledger_proto::v1 as pb;

fn ledger(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_ledger")).args(args).output().expect("runs")
}

fn succeeded(output: &std::process::Output, what: &str) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{what}: {stdout}{}", String::from_utf8_lossy(&output.stderr));
    stdout
}

fn failed(output: &std::process::Output, what: &str) -> String {
    assert!(!output.status.success(), "{what}: accepted: {}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn path(path: &std::path::Path) -> &str {
    path.to_str().expect("utf-8")
}

/// Where an export's checkpoint note starts (after its u32 length), found by walking its frames.
fn note_start(bytes: &[u8]) -> usize {
    let mut at = b"ledger-export-v1\n".len();
    loop {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        if len == u32::MAX {
            return at + 8;
        }
        at += 4 + len as usize + 32;
    }
}

/// The export with `note` as its checkpoint.
fn with_note(export: &[u8], note: &str) -> Vec<u8> {
    let start = note_start(export);
    let mut bytes = export[..start - 4].to_vec();
    bytes.extend_from_slice(&u32::try_from(note.len()).expect("short").to_be_bytes());
    bytes.extend_from_slice(note.as_bytes());
    bytes
}

async fn record(server: &TestServer, batch: usize) {
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, &format!("enrol-{batch}"), "PH").await;
    let contributions = (1..=12)
        .map(|month| contribution(&worker, "PH", "PHP", &format!("2024-{month:02}"), 1_800_000))
        .collect();
    let request = pb::RecordContributionsRequest {
        request_id: format!("payroll-{batch}"),
        contributions,
        ..Default::default()
    };
    philippines.agency.record_contributions(request).await.expect("recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_are_cosigned_and_a_policy_counts_only_its_own_cosigners() {
    let server = TestServer::start().await;
    record(&server, 0).await;
    let address = server.server.address.to_string();
    let auditor = server.tokens["auditor"].clone();
    let mut audit = server.clients("auditor").await.audit;

    // The replica cosigns what its log key signs; the note carries the line.
    let head = audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    assert_eq!(head.cosignatures.len(), 1, "{head:?}");
    assert!(head.checkpoint.ends_with(&head.cosignatures[0]), "{}", head.checkpoint);

    let data_dir = common::data_dir(&server.dir);
    let log_key =
        succeeded(&ledger(&["key", "show", "--data-dir", path(&data_dir)]), "key show").trim().to_owned();
    let replica = succeeded(
        &ledger(&["key", "show", "--replica", "--data-dir", path(&data_dir)]),
        "key show --replica",
    )
    .trim()
    .to_owned();
    assert!(head.cosignatures[0].contains(replica.split('+').next().expect("a name")), "{replica}");

    // An outside witness: a key of its own, a first cosignature, more events, a second one that
    // checks the tree extends the first.
    let dir = tempfile::tempdir().expect("temporary directory");
    let witness_key = dir.path().join("witness.key");
    let state = dir.path().join("witness.state");
    let witness = succeeded(
        &ledger(&[
            "witness",
            "init",
            "--key-file",
            path(&witness_key),
            "--name",
            "witness.agency.example/w1",
        ]),
        "witness init",
    )
    .trim()
    .to_owned();
    failed(
        &ledger(&[
            "witness",
            "init",
            "--key-file",
            path(&witness_key),
            "--name",
            "witness.agency.example/w1",
        ]),
        "a witness key overwritten",
    );
    let cosign = |out: &std::path::Path| {
        ledger(&[
            "witness",
            "cosign",
            "--server",
            &address,
            "--token",
            &auditor,
            "--key-file",
            path(&witness_key),
            "--log-key",
            &log_key,
            "--state",
            path(&state),
            "--out",
            path(out),
        ])
    };
    let first = dir.path().join("first.note");
    let said = cosign(&first);
    succeeded(&said, "first cosignature");
    assert!(String::from_utf8_lossy(&said.stderr).contains("the first tree this witness cosigns"));
    record(&server, 1).await;
    let second = dir.path().join("second.note");
    let said = cosign(&second);
    succeeded(&said, "second cosignature");
    let said = String::from_utf8_lossy(&said.stderr).into_owned();
    assert!(said.contains(&format!("consistent with the {} events cosigned before", head.size)), "{said}");

    // The export, taken with no write since the witness's second cosignature: the witness's note
    // signs the same tree.
    let export = dir.path().join("ledger.export");
    succeeded(
        &ledger(&["export", "--to", path(&export), "--server", &address, "--token", &auditor]),
        "export",
    );
    // A witness shown a smaller tree than it cosigned refuses, and cosigns nothing.
    let stale_state = std::fs::read_to_string(&state).expect("state");
    let grown = stale_state.replacen(&format!("\n{}\n", head.size + 13), "\n1000000\n", 1);
    assert_ne!(grown, stale_state, "{stale_state}");
    std::fs::write(&state, grown).expect("state written");
    let refused = failed(&cosign(&dir.path().join("third.note")), "a rollback cosigned");
    assert!(refused.contains("REFUSED") && refused.contains("rollback"), "{refused}");
    assert!(!dir.path().join("third.note").exists());
    server.stop().await;

    let policy = |name: &str, text: String| {
        let file = dir.path().join(name);
        std::fs::write(&file, text).expect("policy written");
        file
    };
    let verify = |file: &std::path::Path, policy: &std::path::Path| {
        ledger(&["verify-export", path(file), "--key", &log_key, "--policy", path(policy)])
    };
    let replica_only = policy("replica.policy", format!("at-least 1\ncosigner {replica}\n"));
    let stdout = succeeded(&verify(&export, &replica_only), "the replica's cosignature");
    assert!(stdout.contains("cosigned by 1 of the policy's cosigners"), "{stdout}");

    // Too few: the witness did not cosign the export's own note.
    let both = policy(
        "both.policy",
        format!("# illustrative\nat-least 2\ncosigner {replica}\ncosigner {witness}\n"),
    );
    let error = failed(&verify(&export, &both), "one of two");
    assert!(error.contains("it needs 2"), "{error}");
    // Keys outside the policy count for nothing.
    let witness_only = policy("witness.policy", format!("at-least 1\ncosigner {witness}\n"));
    let error = failed(&verify(&export, &witness_only), "a replica outside the policy");
    assert!(error.contains("1 signatures by keys outside the policy"), "{error}");

    // The witness's note of the same tree, attached to the export, meets both policies.
    let exported = std::fs::read(&export).expect("export");
    let witnessed = dir.path().join("witnessed.export");
    std::fs::write(&witnessed, with_note(&exported, &std::fs::read_to_string(&second).expect("note")))
        .expect("written");
    let stdout = succeeded(&verify(&witnessed, &both), "replica and witness");
    assert!(stdout.contains("cosigned by 2 of the policy's cosigners"), "{stdout}");
    assert!(stdout.contains("witness.agency.example/w1"), "{stdout}");
    // The first note is of a smaller tree: not this export's.
    let first_attached = dir.path().join("first.export");
    std::fs::write(&first_attached, with_note(&exported, &std::fs::read_to_string(&first).expect("note")))
        .expect("written");
    failed(&verify(&first_attached, &witness_only), "another tree's checkpoint");

    // One bit of the replica's cosignature changed: the policy that names it refuses the note.
    let note = String::from_utf8(exported[note_start(&exported)..].to_vec()).expect("utf-8");
    let line_start = note.rfind('\u{2014}').expect("a cosignature line");
    let mut bent = note.clone().into_bytes();
    let at = bent.len() - 10;
    assert!(at > line_start);
    bent[at] = if bent[at] == b'A' { b'B' } else { b'A' };
    let bent_export = dir.path().join("bent.export");
    std::fs::write(&bent_export, with_note(&exported, &String::from_utf8(bent).expect("utf-8")))
        .expect("written");
    let error = failed(&verify(&bent_export, &replica_only), "a changed cosignature");
    assert!(error.contains("does not verify"), "{error}");

    // A policy that cannot be met is refused before anything is checked.
    let impossible = policy("impossible.policy", format!("at-least 2\ncosigner {replica}\n"));
    let error = failed(&verify(&export, &impossible), "an impossible policy");
    assert!(error.contains("can never be met"), "{error}");
}
