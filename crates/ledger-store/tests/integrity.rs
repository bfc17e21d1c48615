//! The offline check finds what does not match the log: projections changed behind the writer's
//! back, a rules index entry no event made. A restore refuses to write over an existing store, and
//! a rebuild removes what older stores kept.

use std::sync::Arc;

use ledger_core::{Jurisdiction, PrincipalId, RequestId, Seq};
use ledger_store::keys;
use ledger_store::{Action, Actor, Command, Ledger};

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("{error:?}"))
}

/// A stopped store with three enrolled workers.
fn store_with_workers() -> tempfile::TempDir {
    let dir = ok(tempfile::tempdir());
    let ledger = ok(Ledger::open(dir.path(), Arc::new(ledger_rules::Rules::sample())));
    let philippines = ok(Jurisdiction::parse("PH"));
    let runtime = ok(tokio::runtime::Builder::new_current_thread().build());
    for index in 0..3 {
        let command = Command {
            actor: Actor::agency(ok(PrincipalId::parse("agency-ph")), philippines),
            request_id: ok(RequestId::parse(&format!("enrol-{index}"))),
            action: Action::EnrollWorker {
                origin: philippines,
                sex: None,
                birth_month: None,
                credential: None,
                activation: None,
            },
        };
        ok(runtime.block_on(ledger.submit(command)));
    }
    ledger.shutdown();
    dir
}

#[test]
fn the_check_finds_projections_and_indexes_that_differ_from_the_log() {
    let dir = store_with_workers();
    let whole = ok(ledger_store::check(dir.path()));
    assert!(whole.holds(), "{:?}", whole.problems);
    assert_eq!((whole.events, whole.workers), (4, 3));
    {
        let db = ok(ledger_store::open_raw(dir.path()));
        // Two workers' projections swapped, and an event that adopted no rules said to have.
        let projections: Vec<_> = db.scan_prefix([keys::PROJECTION_PREFIX]).map(ok).take(2).collect();
        ok(db.insert(&projections[0].0, projections[1].1.clone()));
        ok(db.insert(&projections[1].0, projections[0].1.clone()));
        ok(db.insert(keys::rules(Seq(2)), &[][..]));
        ok(db.flush());
    }
    let damaged = ok(ledger_store::check(dir.path()));
    assert_eq!(damaged.problems.len(), 2, "{:?}", damaged.problems);
    assert!(
        damaged.problems[0].starts_with("1 Merkle node, contribution, reversal, correction or rules"),
        "{:?}",
        damaged.problems
    );
    assert!(damaged.problems[1].starts_with("2 projections"), "{:?}", damaged.problems);
}

#[test]
fn a_restore_refuses_a_directory_that_holds_a_store() {
    let dir = store_with_workers();
    let state = ledger_store::RecoveryState::default();
    let refused = ledger_store::restore(dir.path(), Vec::<Vec<u8>>::new(), &state);
    assert!(matches!(refused, Err(ledger_store::StoreError::Refused(_))), "{refused:?}");
    // And a log whose second record does not link to the first is refused as corrupt.
    let records: Vec<Vec<u8>> = {
        let ledger = ok(Ledger::open(dir.path(), Arc::new(ledger_rules::Rules::sample())));
        let entries = ok(ledger.read_events(Seq(0), 10));
        ledger.shutdown();
        entries.into_iter().map(|entry| entry.record).collect()
    };
    let target = ok(tempfile::tempdir());
    let skipped = [records[0].clone(), records[2].clone()];
    let refused = ledger_store::restore(target.path(), skipped, &state);
    assert!(matches!(refused, Err(ledger_store::StoreError::Corruption { seq: Seq(1), .. })), "{refused:?}");
}

#[test]
fn a_rebuild_removes_the_statement_keys_of_an_older_store_and_repairs_projections() {
    let dir = store_with_workers();
    {
        let db = ok(ledger_store::open_raw(dir.path()));
        // Statement index keys as stores wrote them before statements moved into the projections
        // (one per worker and commit), more than one rebuild batch of them; and one worker's
        // projection lost, so that the rebuild both removes and writes.
        for index in 0..3000u64 {
            let mut key = vec![keys::STATEMENT_PREFIX];
            key.extend_from_slice(b"W0000000000000042");
            key.extend_from_slice(&index.to_be_bytes());
            ok(db.insert(key, &index.to_be_bytes()[..]));
        }
        let projection =
            ok(db.scan_prefix([keys::PROJECTION_PREFIX]).next().unwrap_or_else(|| panic!("none")));
        ok(db.remove(projection.0));
        ok(db.flush());
    }
    assert!(!ok(ledger_store::check(dir.path())).holds(), "the lost projection is found");
    let report = ok(ledger_store::rebuild(dir.path()));
    assert_eq!((report.events, report.workers), (4, 3));
    {
        let db = ok(ledger_store::open_raw(dir.path()));
        assert_eq!(db.scan_prefix([keys::STATEMENT_PREFIX]).count(), 0, "statement keys remain");
    }
    let repaired = ok(ledger_store::check(dir.path()));
    assert!(repaired.holds(), "{:?}", repaired.problems);
}

#[test]
fn a_store_of_the_version_before_the_contribution_index_is_upgraded_at_open() {
    use ledger_core::{Branch, ContributionRecorded, Currency, MinorUnits, Month, Sector, Text};
    let dir = store_with_workers();
    let rules = Arc::new(ledger_rules::Rules::sample());
    let runtime = ok(tokio::runtime::Builder::new_current_thread().build());
    let saudi = ok(Jurisdiction::parse("SA"));
    let agency = Actor::agency(ok(PrincipalId::parse("agency-sa")), saudi);
    let ledger = ok(Ledger::open(dir.path(), rules.clone()));
    let enrol = Command {
        actor: Actor::agency(ok(PrincipalId::parse("agency-ph")), ok(Jurisdiction::parse("PH"))),
        request_id: ok(RequestId::parse("enrol-saudi")),
        action: Action::EnrollWorker {
            origin: ok(Jurisdiction::parse("PH")),
            sex: None,
            birth_month: None,
            credential: None,
            activation: None,
        },
    };
    let worker =
        ok(runtime.block_on(ledger.submit(enrol))).worker_id.unwrap_or_else(|| panic!("a worker id"));
    let march = ContributionRecorded {
        worker_id: worker,
        jurisdiction: saudi,
        branch: Branch::OldAge,
        month: ok(Month::parse("2024-03")),
        currency: ok(Currency::parse("SAR")),
        insured_wage: ok(MinorUnits::new("wage", 300_000)),
        employer_share: ok(MinorUnits::new("employer", 27_000)),
        worker_share: ok(MinorUnits::new("worker", 27_000)),
        employer_ref: ok(Text::parse("employer_ref", "SA-HH-0001", 64)),
        sector: Sector::DomesticWork,
        insurance: ledger_core::Insurance::Compulsory,
    };
    let submit = |ledger: &Ledger, id: &str| {
        let command = Command {
            actor: agency.clone(),
            request_id: ok(RequestId::parse(id)),
            action: Action::RecordContributions(vec![march.clone()]),
        };
        runtime.block_on(ledger.submit(command))
    };
    let first = ok(submit(&ledger, "march")).receipts[0].seq;
    ledger.shutdown();
    drop(ledger);
    {
        // What a store of version 4 holds: no index of recorded contributions.
        let db = ok(ledger_store::open_raw(dir.path()));
        let recorded: Vec<_> = db.scan_prefix([keys::RECORDED_PREFIX]).map(ok).collect();
        assert_eq!(recorded.len(), 1);
        for (key, _) in recorded {
            ok(db.remove(key));
        }
        ok(db.insert(keys::META, &[keys::STORE_FORMAT_VERSION_BEFORE_RECORDED][..]));
        ok(db.flush());
    }
    let ledger = ok(Ledger::open(dir.path(), rules));
    match submit(&ledger, "march-again") {
        Err(ledger_store::StoreError::AlreadyRecorded { seq, .. }) => assert_eq!(seq, first),
        other => panic!("the duplicate was not refused: {other:?}"),
    }
    ledger.shutdown();
    drop(ledger);
    let db = ok(ledger_store::open_raw(dir.path()));
    assert_eq!(ok(db.get(keys::META)).as_deref(), Some(&[keys::STORE_FORMAT_VERSION][..]));
    drop(db);
    let check = ok(ledger_store::check(dir.path()));
    assert!(check.holds(), "{:?}", check.problems);
}
