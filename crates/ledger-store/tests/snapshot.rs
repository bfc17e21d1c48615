//! Snapshots: a replica that is new, or far behind, installs the leader's snapshot and then holds
//! what the leader holds (its log, workers' records, credentials, claims index and idempotency
//! table); a snapshot that does not verify against the chain and the log's signed checkpoint, or
//! that does not extend the replica's log, is refused and changes nothing.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{command, ok, payroll};

use ledger_core::checkpoint::{LogKey, Verifier};
use ledger_core::{chain_hash, event_hash, ClaimKind, Jurisdiction, Record, RequestId, Seq, Text, WorkerId};
use ledger_store::{keys, Action, Append, ClaimRequest, Command, Ledger, OpenOptions, StoreError};
use sha2::Digest;

const META: &[u8] = b"raft's description of the snapshot";

fn log_key() -> Arc<LogKey> {
    Arc::new(LogKey::from_seed("ledger.example/log", &[7u8; 32]))
}

fn verifier() -> Verifier {
    ok(Verifier::parse(&log_key().verifier_key()))
}

fn enrolment(request_id: &str, credential: [u8; 32]) -> Command {
    command(
        request_id,
        Action::EnrollWorker {
            origin: ok(Jurisdiction::parse("PH")),
            sex: None,
            birth_month: None,
            credential: Some(credential),
            activation: Some(activation(credential)),
        },
    )
}

/// A portal activation code's digest and expiry, made from `seed`.
fn activation(seed: [u8; 32]) -> ledger_store::access::Activation {
    ledger_store::access::Activation {
        digest: ledger_core::sha256(&seed),
        expires_at: chrono::DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default(),
    }
}

fn open(dir: &Path, options: OpenOptions) -> Ledger {
    ok(Ledger::open_with(dir, Arc::new(ledger_rules::Rules::sample()), options))
}

fn follower(dir: &Path) -> Ledger {
    open(dir, OpenOptions { follows: true, log_key: Some(log_key()), ..OpenOptions::default() })
}

/// A leader that took enrolments with credentials, payrolls, a reversal, a credential reset and a
/// claim, with every append it made durable; and the first worker with her two credentials.
struct Leader {
    ledger: Ledger,
    appends: Vec<Append>,
    worker_id: WorkerId,
    first_enrolment: (Command, Vec<(u64, [u8; 32])>),
}

const FIRST_CREDENTIAL: [u8; 32] = [11u8; 32];
const SECOND_CREDENTIAL: [u8; 32] = [12u8; 32];

async fn leader(dir: &Path) -> Leader {
    let (appended, appends) = std::sync::mpsc::sync_channel(1024);
    let ledger = open(
        dir,
        OpenOptions { appended: Some(appended), log_key: Some(log_key()), ..OpenOptions::default() },
    );
    let first = enrolment("enrol-1", FIRST_CREDENTIAL);
    let enrolled = ok(ledger.submit(first.clone()).await);
    let receipts =
        enrolled.receipts.iter().map(|receipt| (receipt.seq.0, *receipt.chain_hash.as_bytes())).collect();
    let worker_id = enrolled.worker_id.clone().unwrap_or_else(|| panic!("no worker id"));
    let paid = ok(ledger.submit(command("payroll-2024", payroll(&worker_id, 2024, 1..=12))).await);
    let reversal = Action::ReverseContribution {
        seq: paid.receipts[3].seq,
        reason: ok(Text::parse("reason", "recorded for the wrong month", 512)),
    };
    ok(ledger.submit(command("reverse-april", reversal)).await);
    let reset = Action::ReplaceCredential {
        worker_id: worker_id.clone(),
        credential: SECOND_CREDENTIAL,
        activation: Some(activation(SECOND_CREDENTIAL)),
    };
    ok(ledger.submit(command("reset-1", reset)).await);
    let claim = ClaimRequest {
        worker_id: worker_id.clone(),
        addressed_to: ok(Jurisdiction::parse("PH")),
        kind: ClaimKind::MissingContribution,
        employer_ref: ok(Text::parse("employer_ref", "EMP-MNL-0042", 64)),
        months: vec![ok(ledger_core::Month::new(2025, 2))],
        amount: None,
        evidence_sha256: [5u8; 32],
    };
    ok(ledger.submit(command("claim-2025-02", Action::FileClaim(claim))).await);
    for index in 0..20u8 {
        ok(ledger.submit(enrolment(&format!("enrol-more-{index}"), [100 + index; 32])).await);
    }
    let appends = appends.try_iter().collect();
    Leader { ledger, appends, worker_id, first_enrolment: (first, receipts) }
}

/// Every key of the families a replica derives or is given beside its records, and their values:
/// everything but the storage blocks and head (cut where each replica's appends start), the
/// applier's watermark and raft's marker.
fn kept_state(dir: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let db = ok(ledger_store::open_raw(dir));
    let prefixes = [
        keys::PROJECTION_PREFIX,
        keys::COVERAGE_PREFIX,
        keys::STATEMENT_CHUNK_PREFIX,
        keys::RULES_PREFIX,
        keys::MERKLE_PREFIX,
        keys::CREDENTIAL_PREFIX,
        keys::WORKER_CREDENTIAL_PREFIX,
        keys::ACCESS_PREFIX,
        keys::IDEMPOTENCY_PREFIX,
        keys::REVERSAL_PREFIX,
        keys::CLAIM_PREFIX,
    ];
    let mut entries = Vec::new();
    for prefix in prefixes {
        for item in db.scan_prefix([prefix]) {
            let (key, value) = ok(item);
            entries.push((key.to_vec(), value.to_vec()));
        }
    }
    entries
}

/// Everything the ledger made durable, once published (`head()` may lag it).
async fn settled(ledger: &Ledger) -> ledger_store::Head {
    ok(ledger.settled_head(std::time::Duration::from_secs(10)).await)
}

fn write_snapshot(ledger: &Ledger, size: u64, path: &Path) -> Vec<u8> {
    let file = ok(std::fs::File::create(path));
    let written = ok(ledger.write_snapshot(size, META, file));
    assert_eq!(written.head.size, size);
    let bytes = ok(std::fs::read(path));
    assert_eq!(written.bytes, bytes.len() as u64);
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_and_a_far_behind_replica_install_a_snapshot_and_hold_what_the_leader_holds() {
    let dirs: Vec<_> = (0..4).map(|_| ok(tempfile::tempdir())).collect();
    let leader = leader(dirs[0].path()).await;
    let head = leader.ledger.head();
    let path = dirs[3].path().join("snapshot");
    write_snapshot(&leader.ledger, head.size, &path);

    // A new replica, and one that holds the leader's first appends only.
    let new = follower(dirs[1].path());
    let behind = follower(dirs[2].path());
    // `replicate` answers with the durable head; `head()` is what the applier has published.
    let mut behind_at = behind.head();
    for append in &leader.appends[..3] {
        behind_at = ok(behind.replicate(append.clone()).await);
    }
    assert!(behind_at.size > 0 && behind_at.size < head.size);
    for (replica, from) in [(&new, 0), (&behind, behind_at.size)] {
        let installed = ok(replica.install_snapshot(&path, &verifier(), META, b"marker-1".to_vec()).await);
        assert_eq!((installed.from.size, installed.to), (from, head));
        assert_eq!(ok(replica.applied_marker()), Some(b"marker-1".to_vec()));
        ok(replica.applied_past(Seq(head.size - 1)).await);
        let verification = ok(replica.verify(Seq(0), None));
        assert!(verification.fault.is_none() && verification.verified == head.size, "{verification:?}");
        assert_eq!(ok(replica.merkle_root(head.size)), ok(leader.ledger.merkle_root(head.size)));
        assert_eq!(ok(replica.worker_for_credential(&SECOND_CREDENTIAL)), Some(leader.worker_id.clone()));
        assert_eq!(ok(replica.worker_for_credential(&FIRST_CREDENTIAL)), None, "revoked before the snapshot");
    }
    // Installed again: nothing to add, the marker is recorded.
    let again = ok(new.install_snapshot(&path, &verifier(), META, b"marker-2".to_vec()).await);
    assert_eq!((again.from, again.to), (head, head));
    assert_eq!(ok(new.applied_marker()), Some(b"marker-2".to_vec()));

    // After a failover the new replica answers a retried request with its original receipts.
    let (first, receipts) = &leader.first_enrolment;
    let retried = ok(new.submit(first.clone()).await);
    assert!(retried.receipts.iter().all(|receipt| receipt.replayed));
    let retried: Vec<_> =
        retried.receipts.iter().map(|receipt| (receipt.seq.0, *receipt.chain_hash.as_bytes())).collect();
    assert_eq!(&retried, receipts);

    ok(leader.ledger.applied_past(Seq(head.size - 1)).await);
    for ledger in [&leader.ledger, &new, &behind] {
        ledger.shutdown();
    }
    drop((leader, new, behind));
    let kept = kept_state(dirs[0].path());
    assert!(kept.iter().any(|(key, _)| key[0] == keys::CLAIM_PREFIX), "the claim is indexed");
    assert_eq!(kept_state(dirs[1].path()), kept, "the new replica");
    assert_eq!(kept_state(dirs[2].path()), kept, "the replica that was behind");
}

/// A snapshot file in its parts (docs/FORMAT.md, "Snapshots").
#[derive(Clone)]
struct Parts {
    meta: Vec<u8>,
    size: u64,
    chain: [u8; 32],
    root: [u8; 32],
    note: String,
    proof: Vec<[u8; 32]>,
    /// The records and recovery entries.
    body: Vec<u8>,
}

fn parse(bytes: &[u8]) -> Parts {
    let mut at = b"ledger-snapshot-v1\n".len();
    assert_eq!(&bytes[..at], b"ledger-snapshot-v1\n");
    let mut take = |len: usize| {
        at += len;
        bytes[at - len..at].to_vec()
    };
    let u32_of =
        |bytes: Vec<u8>| u32::from_be_bytes(ok(<[u8; 4]>::try_from(bytes.as_slice()).map_err(|_| "u32")));
    let meta_len = u32_of(take(4)) as usize;
    let meta = take(meta_len);
    let size = u64::from_be_bytes(ok(<[u8; 8]>::try_from(take(8).as_slice()).map_err(|_| "u64")));
    let chain = ok(<[u8; 32]>::try_from(take(32).as_slice()).map_err(|_| "hash"));
    let root = ok(<[u8; 32]>::try_from(take(32).as_slice()).map_err(|_| "hash"));
    let note_len = u32_of(take(4)) as usize;
    let note = ok(String::from_utf8(take(note_len)));
    let proof_len = u32_of(take(4));
    let proof =
        (0..proof_len).map(|_| ok(<[u8; 32]>::try_from(take(32).as_slice()).map_err(|_| "hash"))).collect();
    let body = bytes[at..bytes.len() - 32].to_vec();
    Parts { meta, size, chain, root, note, proof, body }
}

/// Where each record starts in `parts.body`, and its length.
fn records(parts: &Parts) -> Vec<(usize, usize)> {
    let mut at = 0;
    (0..parts.size)
        .map(|_| {
            let len = u32::from_be_bytes(ok(<[u8; 4]>::try_from(&parts.body[at..at + 4]).map_err(|_| "u32")))
                as usize;
            at += 4 + len;
            (at - len, len)
        })
        .collect()
}

/// The file of `parts`, with the digest of what it holds, as a sender that controls the file
/// would make it.
fn assemble(parts: &Parts) -> Vec<u8> {
    let mut bytes = b"ledger-snapshot-v1\n".to_vec();
    bytes.extend_from_slice(&(parts.meta.len() as u32).to_be_bytes());
    bytes.extend_from_slice(&parts.meta);
    bytes.extend_from_slice(&parts.size.to_be_bytes());
    bytes.extend_from_slice(&parts.chain);
    bytes.extend_from_slice(&parts.root);
    bytes.extend_from_slice(&(parts.note.len() as u32).to_be_bytes());
    bytes.extend_from_slice(parts.note.as_bytes());
    bytes.extend_from_slice(&(parts.proof.len() as u32).to_be_bytes());
    for hash in &parts.proof {
        bytes.extend_from_slice(hash);
    }
    bytes.extend_from_slice(&parts.body);
    let digest = sha2::Sha256::digest(&bytes);
    bytes.extend_from_slice(&digest);
    bytes
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_snapshot_that_does_not_verify_or_extend_the_log_is_refused_and_changes_nothing() {
    let dirs: Vec<_> = (0..4).map(|_| ok(tempfile::tempdir())).collect();
    let leader = leader(dirs[0].path()).await;
    let head = leader.ledger.head();
    let path = dirs[3].path().join("snapshot");
    let good = write_snapshot(&leader.ledger, head.size, &path);
    let parts = parse(&good);
    assert_eq!(assemble(&parts), good, "the test reads the format as the ledger writes it");
    assert_eq!(parts.size, head.size);

    let mut cases: Vec<(&str, Vec<u8>, &str)> = Vec::new();
    // A record changed by whoever sent it, the digest made to match: it no longer decodes or
    // links.
    let mut changed = parts.clone();
    let (start, len) = records(&parts)[5];
    changed.body[start + len / 2] ^= 0x01;
    cases.push(("a changed record", assemble(&changed), "its chain: event 5"));
    // The last record replaced by another that decodes and links, as a sender forging history
    // would: the chain ends elsewhere than the header says; with the header's chain hash made to
    // match, the records give another Merkle root; with that root in the header too, the root is
    // not the one the log's key signed.
    let mut forged_last = parts.clone();
    let (start, len) = *records(&parts).last().unwrap_or_else(|| panic!("no records"));
    let mut record = ok(Record::decode(&parts.body[start..start + len]));
    record.request_id = ok(RequestId::parse("forged"));
    let encoded = record.encode();
    let mut body = parts.body[..start - 4].to_vec();
    body.extend_from_slice(&(encoded.len() as u32).to_be_bytes());
    body.extend_from_slice(&encoded);
    body.extend_from_slice(&parts.body[start + len..]);
    forged_last.body = body;
    cases.push(("a forged last record", assemble(&forged_last), "end at another chain hash"));
    forged_last.chain = *chain_hash(&record.prev_chain_hash, &event_hash(&encoded)).as_bytes();
    cases.push(("a forged last record and chain hash", assemble(&forged_last), "another Merkle root"));
    let leaves: Vec<[u8; 32]> = records(&forged_last)
        .iter()
        .map(|(start, len)| *event_hash(&forged_last.body[*start..start + len]).as_bytes())
        .collect();
    forged_last.root = ledger_core::merkle::root_of(&leaves);
    cases.push(("a forged last record, chain hash and root", assemble(&forged_last), "the log's key signed"));
    // The checkpoint signed by another key of the same name.
    let mut forged = parts.clone();
    forged.note = LogKey::from_seed("ledger.example/log", &[8u8; 32]).sign(parts.size, parts.root);
    cases.push(("a checkpoint of another key", assemble(&forged), "its checkpoint"));
    // A header naming another root than the one signed.
    let mut rooted = parts.clone();
    rooted.root[0] ^= 0x01;
    cases.push(("another root", assemble(&rooted), "the log's key signed"));
    // Raft's description differs from the one raft installs.
    let mut described = parts.clone();
    described.meta = b"another description".to_vec();
    cases.push(("another description", assemble(&described), "description"));
    // Damaged on the way: a byte of the recovery entries, the digest left as it was.
    let mut damaged = good.clone();
    let at = damaged.len() - 32 - 4 - 1;
    damaged[at] ^= 0x01;
    cases.push(("damaged on the way", damaged, "digest"));
    // Cut short.
    cases.push(("cut short", good[..good.len() / 2].to_vec(), "ends within"));

    let replica = follower(dirs[1].path());
    let mut before = replica.head();
    for append in &leader.appends[..2] {
        before = ok(replica.replicate(append.clone()).await);
    }
    for (what, bytes, why) in &cases {
        let path = dirs[3].path().join("bad-snapshot");
        ok(std::fs::write(&path, bytes));
        match replica.install_snapshot(&path, &verifier(), META, b"marker".to_vec()).await {
            Err(StoreError::BadSnapshot(reason)) => assert!(reason.contains(why), "{what}: {reason}"),
            other => panic!("{what}: {other:?}"),
        }
        assert_eq!(settled(&replica).await, before, "{what}: the replica's log changed");
        assert_eq!(ok(replica.applied_marker()), None, "{what}: raft's marker changed");
    }

    // A good snapshot of a log this replica does not hold the start of: refused too.
    let other_dir = ok(tempfile::tempdir());
    let other = open(other_dir.path(), OpenOptions { log_key: Some(log_key()), ..OpenOptions::default() });
    ok(other.submit(enrolment("another-first-request", [9u8; 32])).await);
    for index in 0..5u8 {
        ok(other.submit(enrolment(&format!("another-{index}"), [200 + index; 32])).await);
    }
    let other_path = dirs[3].path().join("other-snapshot");
    write_snapshot(&other, other.head().size, &other_path);
    match replica.install_snapshot(&other_path, &verifier(), META, b"marker".to_vec()).await {
        Err(StoreError::BadSnapshot(reason)) => assert!(reason.contains("not this replica's"), "{reason}"),
        other => panic!("a snapshot of another log: {other:?}"),
    }
    assert_eq!(settled(&replica).await, before);

    // The good one installs after all that.
    let installed = ok(replica.install_snapshot(&path, &verifier(), META, b"marker".to_vec()).await);
    assert_eq!(installed.to, head);
    for ledger in [&leader.ledger, &replica, &other] {
        ledger.shutdown();
    }
}
