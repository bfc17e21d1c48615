//! Merkle proofs over real gRPC: the tree root the server reports is the RFC 6962 root of the
//! event hashes the test recomputes from the streamed records, every inclusion proof verifies
//! against it, and consistency proofs link every earlier tree to the current one.

mod common;

use common::{contribution, contribution_from, enroll, TestServer};
use ledger_core::merkle::{root_of, verify_consistency, verify_inclusion, Hash};
use ledger_proto::v1 as pb;

fn hash(bytes: &[u8]) -> Hash {
    bytes.try_into().expect("32 bytes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_verify_against_the_reported_root() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    let mut roots = vec![(0u64, Hash::default())];
    let mut auditor = server.clients("auditor").await;
    // Batches of uneven sizes, so that trees of many shapes are reported along the way.
    for (index, size) in [1usize, 7, 64, 3, 130, 1, 200].into_iter().enumerate() {
        let contributions = (0..size)
            .map(|item| {
                // One employer per batch, each month once: the ledger takes one contribution
                // of an employer for a worker and month.
                contribution_from(
                    &format!("PH-EMP-{index}"),
                    &worker,
                    "PH",
                    "PHP",
                    &format!("{}-{:02}", 2000 + item / 12, 1 + item % 12),
                    900_000,
                )
            })
            .collect();
        let request = pb::RecordContributionsRequest {
            request_id: format!("batch-{index}"),
            contributions,
            ..Default::default()
        };
        philippines.agency.record_contributions(request).await.expect("recorded");
        let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
        roots.push((head.size, hash(&head.tree_root)));
    }
    let events = common::read_all(&mut auditor, 0).await;
    let leaves: Vec<Hash> =
        events.iter().map(|event| *ledger_core::event_hash(&event.record).as_bytes()).collect();
    for (size, root) in &roots[1..] {
        assert_eq!(root_of(&leaves[..*size as usize]), *root, "root of the first {size} events");
    }
    let (size, root) = *roots.last().expect("a head");

    // The signed checkpoint commits to the same size and root, under the log's verifier key.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
        .args(["key", "show", "--data-dir"])
        .arg(common::data_dir(&server.dir))
        .output()
        .expect("runs");
    let verifier_key = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let verifier = ledger_core::checkpoint::Verifier::parse(&verifier_key).expect("a verifier key");
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    let checkpoint = verifier.verify(&head.checkpoint).expect("the checkpoint verifies");
    assert_eq!((checkpoint.size, checkpoint.root), (size, root));
    let forged = head.checkpoint.replacen(&format!("\n{size}\n"), &format!("\n{}\n", size + 1), 1);
    assert!(verifier.verify(&forged).is_err(), "a checkpoint with another size must not verify");
    for seq in (0..size).step_by(7).chain([size - 1]) {
        let answer = auditor
            .audit
            .get_inclusion_proof(pb::GetInclusionProofRequest { seq, tree_size: 0 })
            .await
            .expect("proof")
            .into_inner();
        let proof: Vec<Hash> = answer.proof.iter().map(|bytes| hash(bytes)).collect();
        assert_eq!(hash(&answer.leaf_hash), leaves[seq as usize]);
        assert_eq!(verify_inclusion(seq, size, &leaves[seq as usize], &proof, &root), Ok(()), "seq {seq}");
    }
    for (old, old_root) in &roots[1..] {
        let answer = auditor
            .audit
            .get_consistency_proof(pb::GetConsistencyProofRequest { old_size: *old, new_size: size })
            .await
            .expect("proof")
            .into_inner();
        let proof: Vec<Hash> = answer.proof.iter().map(|bytes| hash(bytes)).collect();
        assert_eq!(verify_consistency(*old, size, old_root, &root, &proof), Ok(()), "{old} to {size}");
    }
    let beyond =
        auditor.audit.get_inclusion_proof(pb::GetInclusionProofRequest { seq: size, tree_size: size }).await;
    assert_eq!(beyond.expect_err("no such event").code(), tonic::Code::InvalidArgument);

    // After a restart the frontier is restored: new events extend the same tree.
    let server = server.restart().await;
    let mut philippines = server.clients("agency-ph").await;
    let request = pb::RecordContributionsRequest {
        request_id: "after-restart".into(),
        contributions: vec![contribution(&worker, "PH", "PHP", "2024-05", 900_000)],
        ..Default::default()
    };
    philippines.agency.record_contributions(request).await.expect("recorded");
    let mut auditor = server.clients("auditor").await;
    let events = common::read_all(&mut auditor, 0).await;
    let leaves: Vec<Hash> =
        events.iter().map(|event| *ledger_core::event_hash(&event.record).as_bytes()).collect();
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner();
    assert_eq!(hash(&head.tree_root), root_of(&leaves));
    server.stop().await;
}
