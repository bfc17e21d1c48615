//! Concurrent commands share durable writes: many commands waiting together are committed (and
//! fsynced) in far fewer commits than there are commands, and each gets its own receipt.

use std::sync::Arc;

use ledger_core::{Jurisdiction, PrincipalId, RequestId};
use ledger_store::{Action, Actor, Command, Ledger};

const COMMANDS: usize = 400;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commands_are_grouped_into_few_durable_commits() {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("tempdir: {error}"));
    let ledger = Ledger::open(dir.path(), Arc::new(ledger_rules::Rules::sample()))
        .unwrap_or_else(|error| panic!("open: {error}"));
    let philippines = Jurisdiction::parse("PH").unwrap_or_else(|error| panic!("{error}"));
    let actor = Actor::Agency {
        principal: PrincipalId::parse("agency-ph").unwrap_or_else(|error| panic!("{error}")),
        jurisdiction: philippines,
    };
    let tasks: Vec<_> = (0..COMMANDS)
        .map(|index| {
            let ledger = ledger.clone();
            let command = Command {
                actor: actor.clone(),
                request_id: RequestId::parse(&format!("enrol-{index}"))
                    .unwrap_or_else(|error| panic!("{error}")),
                action: Action::EnrollWorker {
                    origin: philippines,
                    sex: None,
                    birth_month: None,
                    credential: None,
                    activation: None,
                },
            };
            tokio::spawn(async move { ledger.submit(command).await })
        })
        .collect();
    let mut seqs = Vec::with_capacity(COMMANDS);
    for task in tasks {
        let outcome = task.await.unwrap_or_else(|error| panic!("task: {error}"));
        let outcome = outcome.unwrap_or_else(|error| panic!("submit: {error}"));
        seqs.push(outcome.receipts[0].seq.0);
    }
    seqs.sort_unstable();
    // Seq 0 adopted the rules the store was opened with.
    assert_eq!(seqs, (1..=COMMANDS as u64).collect::<Vec<_>>(), "each command has its own seq");
    let commits = ledger.commits();
    println!("{COMMANDS} commands in {commits} durable commits");
    assert!(commits <= COMMANDS as u64 / 4, "{COMMANDS} commands took {commits} commits");
    ledger.shutdown();
}
