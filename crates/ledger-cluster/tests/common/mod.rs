//! What the cluster tests share: a leading ledger whose appends the replicas are given.

use std::sync::Arc;

use ledger_core::{Jurisdiction, PrincipalId, RequestId};
use ledger_store::{Action, Actor, Append, Command, Ledger, OpenOptions};

pub fn ok<T, E: std::fmt::Display>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("{error}"))
}

/// A ledger in `dir` that took `count` enrolments from an agency of Nepal, and every append it
/// made durable, in order (its rules adoption first).
pub async fn source(
    dir: &std::path::Path,
    rules: Arc<ledger_rules::Rules>,
    count: usize,
) -> (Ledger, Vec<Append>) {
    let (appended, appends) = std::sync::mpsc::sync_channel(1024);
    let ledger =
        ok(Ledger::open_with(dir, rules, OpenOptions { appended: Some(appended), ..OpenOptions::default() }));
    let agency = Actor::agency(ok(PrincipalId::parse("agency-np")), ok(Jurisdiction::parse("NP")));
    for index in 0..count {
        let command = Command {
            actor: agency.clone(),
            request_id: ok(RequestId::parse(&format!("enrol-{index}"))),
            action: Action::EnrollWorker {
                origin: ok(Jurisdiction::parse("NP")),
                sex: None,
                birth_month: None,
                credential: None,
                activation: None,
            },
        };
        ok(ledger.submit(command).await);
    }
    let appends = appends.try_iter().collect();
    (ledger, appends)
}
