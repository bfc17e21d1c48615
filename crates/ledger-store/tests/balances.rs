//! Balances and projections against the pure fold: for random histories (with rules changes),
//! the balance at every `as_of` seq equals the fold of the log truncated there, the maintained
//! projection equals the fold of the whole log, and a rebuild reproduces the projections byte for
//! byte.

use std::collections::BTreeMap;
use std::sync::Arc;

use ledger_core::{
    Branch, ContributionRecorded, CreditKind, Currency, Jurisdiction, MinorUnits, Month, PeriodCredited,
    PrincipalId, Record, RequestId, Sector, Seq, StatusChange, Text, WorkerId,
};
use ledger_projections::LogFold;
use ledger_rules::Rules;
use ledger_store::{Action, Actor, Command, Ledger};
use proptest::prelude::*;

const AGENCIES: [(&str, &str); 4] = [("PH", "PHP"), ("ES", "EUR"), ("IT", "EUR"), ("SA", "SAR")];

#[derive(Clone, Debug)]
enum Op {
    Enroll,
    Pay { agency: usize, worker: usize, month: u32, count: u32, wage: i64, branch: bool },
    Credit { agency: usize, worker: usize, month: u32, count: u32 },
    Reverse { target: usize },
    Grant { agency: usize, worker: usize },
    Change { target: usize, change: u8 },
    Benefit { target: usize, into: usize },
    ChangeRules,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Enroll),
        6 => (0..4usize, 0..4usize, 0..120u32, 1..6u32, 50_000..5_000_000i64, prop::bool::weighted(0.2))
            .prop_map(|(agency, worker, month, count, wage, branch)| Op::Pay { agency, worker, month, count, wage, branch }),
        1 => (0..4usize, 0..4usize, 0..120u32, 1..4u32).prop_map(|(agency, worker, month, count)| Op::Credit { agency, worker, month, count }),
        2 => (0..200usize).prop_map(|target| Op::Reverse { target }),
        1 => (0..4usize, 0..4usize).prop_map(|(agency, worker)| Op::Grant { agency, worker }),
        2 => (0..200usize, 1..4u8).prop_map(|(target, change)| Op::Change { target, change }),
        2 => (0..200usize, 0..4usize).prop_map(|(target, into)| Op::Benefit { target, into }),
        1 => Just(Op::ChangeRules),
    ]
}

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("{error:?}"))
}

fn actor(agency: usize) -> Actor {
    let code = AGENCIES[agency].0;
    Actor {
        principal: ok(PrincipalId::parse(&format!("agency-{}", code.to_ascii_lowercase()))),
        jurisdiction: Some(ok(Jurisdiction::parse(code))),
    }
}

fn month(offset: u32) -> Month {
    ok(Month::from_ordinal(ok(Month::parse("2012-01")).ordinal() + offset))
}

/// The sample rules, and a variant with old-age qualifying periods lowered, to change rules midway.
fn rules(variant: bool) -> Arc<Rules> {
    let text = ledger_rules::SAMPLE_RULES_TOML;
    let text = if variant {
        text.replace("qualifying_months = 180", "qualifying_months = 60")
    } else {
        text.to_owned()
    };
    Arc::new(ok(Rules::parse(&text)))
}

struct Runner {
    dir: tempfile::TempDir,
    ledger: Option<Ledger>,
    runtime: tokio::runtime::Runtime,
    workers: Vec<WorkerId>,
    seqs: Vec<Seq>,
    entitlements: Vec<Seq>,
    variant: bool,
    requests: usize,
}

impl Runner {
    fn submit(&mut self, agency: usize, action: Action) -> Option<Vec<Seq>> {
        self.requests += 1;
        let command = Command {
            actor: actor(agency),
            request_id: ok(RequestId::parse(&format!("r{}", self.requests))),
            action,
        };
        let ledger = self.ledger.as_ref()?;
        let outcome = self.runtime.block_on(ledger.submit(command)).ok()?;
        if let Some(worker_id) = outcome.worker_id.clone() {
            self.workers.push(worker_id);
        }
        let seqs: Vec<Seq> = outcome.receipts.iter().map(|receipt| receipt.seq).collect();
        self.seqs.extend(&seqs);
        Some(seqs)
    }

    fn worker(&self, index: usize) -> Option<WorkerId> {
        (!self.workers.is_empty()).then(|| self.workers[index % self.workers.len()].clone())
    }

    fn target(&self, index: usize) -> Seq {
        self.seqs.get(index % self.seqs.len().max(1)).copied().unwrap_or(Seq(0))
    }

    /// Mostly a granted entitlement, sometimes any event, so refusals are exercised too.
    fn entitlement(&self, index: usize) -> Seq {
        match self.entitlements.is_empty() || index.is_multiple_of(7) {
            true => self.target(index),
            false => self.entitlements[index % self.entitlements.len()],
        }
    }

    fn run(&mut self, op: &Op) {
        match op.clone() {
            Op::Enroll => {
                let origin = ok(Jurisdiction::parse("PH"));
                self.submit(0, Action::EnrollWorker { origin, sex: None, birth_month: None });
            }
            Op::Pay { agency, worker, month: offset, count, wage, branch } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let (code, currency) = AGENCIES[agency];
                let items = (0..count)
                    .map(|index| ContributionRecorded {
                        worker_id: worker_id.clone(),
                        jurisdiction: ok(Jurisdiction::parse(code)),
                        branch: if branch { Branch::Invalidity } else { Branch::OldAge },
                        month: month(offset + index),
                        currency: ok(Currency::parse(currency)),
                        insured_wage: ok(MinorUnits::new("wage", wage)),
                        employer_share: ok(MinorUnits::new("employer", wage / 10)),
                        worker_share: ok(MinorUnits::new("worker", wage / 20)),
                        employer_ref: ok(Text::parse("employer_ref", "EMP-7", 64)),
                        sector: Sector::Care,
                    })
                    .collect();
                self.submit(agency, Action::RecordContributions(items));
            }
            Op::Credit { agency, worker, month: offset, count } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let period = PeriodCredited {
                    worker_id,
                    jurisdiction: ok(Jurisdiction::parse(AGENCIES[agency].0)),
                    branch: Branch::OldAge,
                    from: month(offset),
                    to: month(offset + count - 1),
                    kind: CreditKind::Unemployment,
                };
                self.submit(agency, Action::CreditPeriods(vec![period]));
            }
            Op::Reverse { target } => {
                let seq = self.target(target);
                let reason = ok(Text::parse("reason", "wrong month", 512));
                for agency in 0..AGENCIES.len() {
                    if self
                        .submit(agency, Action::ReverseContribution { seq, reason: reason.clone() })
                        .is_some()
                    {
                        break;
                    }
                }
            }
            Op::Grant { agency, worker } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let (code, currency) = AGENCIES[agency];
                let granted = self.submit(
                    agency,
                    Action::GrantEntitlement {
                        worker_id,
                        jurisdiction: ok(Jurisdiction::parse(code)),
                        branch: Branch::OldAge,
                        currency: ok(Currency::parse(currency)),
                        monthly_amount: ok(MinorUnits::new("amount", 80_000)),
                        start: month(100),
                    },
                );
                self.entitlements.extend(granted.unwrap_or_default());
            }
            Op::Change { target, change } => {
                let entitlement = self.entitlement(target);
                let change = ok(StatusChange::from_code(change.into()));
                let reason = ok(Text::parse("reason", "decision", 512));
                for agency in 0..AGENCIES.len() {
                    let action = Action::ChangeEntitlementStatus {
                        entitlement,
                        change,
                        effective: month(110),
                        reason: reason.clone(),
                    };
                    if self.submit(agency, action).is_some() {
                        break;
                    }
                }
            }
            Op::Benefit { target, into } => {
                let entitlement = self.entitlement(target);
                for (agency, (_, currency)) in AGENCIES.iter().enumerate() {
                    let action = Action::RecordBenefitPayment {
                        entitlement,
                        month: month(105),
                        currency: ok(Currency::parse(currency)),
                        amount: ok(MinorUnits::new("amount", 80_000)),
                        paid_into: ok(Jurisdiction::parse(AGENCIES[into].0)),
                    };
                    if self.submit(agency, action).is_some() {
                        break;
                    }
                }
            }
            Op::ChangeRules => {
                if let Some(ledger) = self.ledger.take() {
                    ledger.shutdown();
                }
                self.variant = !self.variant;
                self.ledger = Some(ok(Ledger::open(self.dir.path(), rules(self.variant))));
            }
        }
    }
}

/// Every projection, as stored, read straight from sled after the ledger is closed.
fn stored_projections(dir: &std::path::Path) -> BTreeMap<Vec<u8>, Vec<u8>> {
    let db = ok(sled::Config::new()
        .path(dir.join(ledger_store::SLED_DIR))
        .segment_size(ledger_store::SLED_SEGMENT_BYTES)
        .open());
    db.scan_prefix([ledger_store::keys::PROJECTION_PREFIX])
        .map(|item| {
            let (key, value) = ok(item);
            (key.to_vec(), value.to_vec())
        })
        .collect()
}

fn check(ops: Vec<Op>) {
    let dir = ok(tempfile::tempdir());
    let ledger = ok(Ledger::open(dir.path(), rules(false)));
    let runtime = ok(tokio::runtime::Builder::new_current_thread().build());
    let mut runner = Runner {
        dir,
        ledger: Some(ledger),
        runtime,
        workers: Vec::new(),
        seqs: Vec::new(),
        entitlements: Vec::new(),
        variant: false,
        requests: 0,
    };
    for op in &ops {
        runner.run(op);
    }
    let ledger = runner.ledger.take().unwrap_or_else(|| panic!("the ledger is open"));
    let records: Vec<Record> = ok(ledger.read_events(Seq(0), usize::MAX))
        .iter()
        .map(|entry| ok(Record::decode(&entry.record)))
        .collect();
    let mut fold = LogFold::default();
    for record in &records {
        ok(fold.apply(record));
        for worker_id in fold.workers.keys() {
            let expected = fold.balance(worker_id);
            let got = ok(ledger.balance(worker_id, Some(record.seq), |_| Ok(())));
            assert_eq!(Some(got), expected, "balance of {worker_id} as of {}", record.seq);
        }
    }
    for (worker_id, projection) in &fold.workers {
        assert_eq!(
            ok(ledger.projection(worker_id)).as_ref(),
            Some(projection),
            "maintained projection of {worker_id}"
        );
    }
    ledger.shutdown();
    drop(ledger);
    let maintained = stored_projections(runner.dir.path());
    let report = ok(ledger_store::rebuild(runner.dir.path()));
    assert_eq!(report.events, records.len() as u64);
    assert_eq!(stored_projections(runner.dir.path()), maintained, "rebuilt projections differ");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn balances_equal_the_fold_of_every_prefix(ops in prop::collection::vec(op(), 1..50)) {
        check(ops);
    }
}
