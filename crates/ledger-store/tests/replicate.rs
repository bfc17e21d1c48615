//! A replica that follows another: each append the leading replica made durable is applied by the
//! follower through the path every replica takes (`Ledger::replicate`), and the follower ends with
//! the same log, the same workers' records and credentials, and the same idempotency table, so
//! that a command retried against it after a failover gets the original receipts. An append that
//! does not extend the follower's head is refused and changes nothing.

mod common;

use std::sync::Arc;

use common::{command, ok, payroll};

use ledger_core::{Jurisdiction, Text};
use ledger_store::{Action, Ledger, OpenOptions, Outcome, StoreError};

fn receipts(outcome: &Outcome) -> Vec<(u64, [u8; 32])> {
    outcome.receipts.iter().map(|receipt| (receipt.seq.0, *receipt.chain_hash.as_bytes())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_applies_the_leaders_appends_and_refuses_what_does_not_extend_its_head() {
    let rules = Arc::new(ledger_rules::Rules::sample());
    let (leader_dir, follower_dir) = (ok(tempfile::tempdir()), ok(tempfile::tempdir()));
    let (appended, appends) = std::sync::mpsc::sync_channel(1024);
    let leader = ok(Ledger::open_with(
        leader_dir.path(),
        rules.clone(),
        OpenOptions { appended: Some(appended), ..OpenOptions::default() },
    ));
    let follower = ok(Ledger::open_with(
        follower_dir.path(),
        rules,
        OpenOptions { follows: true, ..OpenOptions::default() },
    ));
    assert_eq!(follower.head().size, 0, "a follower adopts no rules of its own");

    // The leader takes commands: an enrolment with a credential, a payroll, a reversal, and a
    // credential reset (which revokes the first one).
    let first_credential = [11u8; 32];
    let enrolment = command(
        "enrol-1",
        Action::EnrollWorker {
            origin: ok(Jurisdiction::parse("PH")),
            sex: None,
            birth_month: None,
            credential: Some(first_credential),
            activation: None,
        },
    );
    let enrolled = ok(leader.submit(enrolment.clone()).await);
    let worker_id = enrolled.worker_id.clone().unwrap_or_else(|| panic!("no worker id"));
    let paid = ok(leader.submit(command("payroll-2024", payroll(&worker_id, 2024, 1..=12))).await);
    let reversal = Action::ReverseContribution {
        seq: paid.receipts[3].seq,
        reason: ok(Text::parse("reason", "recorded for the wrong month", 512)),
    };
    ok(leader.submit(command("reverse-april", reversal)).await);
    let second_credential = [12u8; 32];
    // The reset also issues a portal activation code: its digest goes with the commit too.
    let activation = ledger_store::access::Activation {
        digest: [13; 32],
        expires_at: chrono::DateTime::from_timestamp(1_900_000_000, 0).unwrap_or_default(),
    };
    let reset = Action::ReplaceCredential {
        worker_id: worker_id.clone(),
        credential: second_credential,
        activation: Some(activation),
    };
    ok(leader.submit(command("reset-1", reset)).await);

    // The follower applies every append the leader made durable, in order.
    let appends: Vec<_> = appends.try_iter().collect();
    assert!(appends.len() >= 5, "rules, enrolment, payroll, reversal, reset: {}", appends.len());
    for append in &appends {
        ok(follower.replicate(append.clone()).await);
    }
    // Readers see what the applier has applied: wait for it, as a read with `min_seq` does.
    ok(follower.applied_past(ledger_core::Seq(leader.head().size - 1)).await);
    assert_eq!(follower.head(), leader.head());
    let verification = ok(follower.verify(ledger_core::Seq(0), None));
    assert!(verification.fault.is_none(), "{verification:?}");
    assert_eq!(verification.verified, leader.head().size);
    ok(leader.applied_past(ledger_core::Seq(leader.head().size - 1)).await);
    assert_eq!(ok(follower.projection(&worker_id)), ok(leader.projection(&worker_id)));
    assert_eq!(ok(follower.merkle_root(leader.head().size)), ok(leader.merkle_root(leader.head().size)));
    assert_eq!(ok(follower.worker_for_credential(&second_credential)), Some(worker_id.clone()));
    assert_eq!(ok(follower.worker_for_credential(&first_credential)), None, "revoked on the follower too");
    let issued = Some(ledger_store::access::WorkerAccess::issued(activation));
    assert_eq!(ok(leader.worker_access(&worker_id)), issued);
    assert_eq!(ok(follower.worker_access(&worker_id)), issued, "the activation code replicates");

    // An append applied again, or one of another log, does not extend the head: refused, and
    // nothing changes.
    let head = follower.head();
    for stale in [appends[1].clone(), appends.last().cloned().unwrap_or_else(|| panic!("appends"))] {
        match follower.replicate(stale).await {
            Err(StoreError::NotExtending(reason)) => {
                assert!(reason.contains("extends the log at"), "{reason}")
            }
            other => panic!("a stale append: {other:?}"),
        }
    }
    assert_eq!(follower.head(), head);

    // After a failover the follower takes writes: a retried request gets the original receipts,
    // once, and the worker's facts are current for the next command's checks.
    let retried = ok(follower.submit(enrolment).await);
    assert_eq!(receipts(&retried), receipts(&enrolled));
    assert!(retried.receipts.iter().all(|receipt| receipt.replayed));
    let more = ok(follower.submit(command("payroll-2025-01", payroll(&worker_id, 2025, 1..=1))).await);
    assert_eq!(more.receipts[0].seq.0, head.size);
    // The reversal the leader recorded is known to the follower's checks: the same contribution
    // cannot be reversed twice.
    let again = Action::ReverseContribution {
        seq: paid.receipts[3].seq,
        reason: ok(Text::parse("reason", "recorded for the wrong month", 512)),
    };
    let refused = follower.submit(command("reverse-april-again", again)).await;
    assert!(refused.is_err(), "a contribution reversed on the leader was reversed again: {refused:?}");
    leader.shutdown();
    follower.shutdown();
}
