//! The store against an in-memory model: random sequences of commands (including retries, conflicting
//! retries, invalid items and reopening the store) must get the answers the model predicts, and after
//! every reopen the log must hold exactly the model's events, verify, and index them per worker.
//! Some commands are submitted together, so that they share a group commit with the retries,
//! conflicts and reversals among them; after each such group every worker's statement and
//! projection are read at once, while the applier has usually not stored them yet.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;

use ledger_core::{
    Branch, ContributionRecorded, CreditKind, Currency, Event, Jurisdiction, MinorUnits, Month,
    PeriodCredited, PrincipalId, Record, RequestId, Sector, Seq, Text, WorkerId,
};
use ledger_store::{Action, Actor, Command, Ledger, Outcome, StoreError};
use proptest::prelude::*;

const AGENCIES: [&str; 3] = ["PH", "SA", "ES"];
/// Jurisdictions items may name: the three agencies' and one the rules do not know.
const JURISDICTIONS: [(&str, &str); 4] = [("PH", "PHP"), ("SA", "SAR"), ("ES", "EUR"), ("ZZ", "ZZD")];

#[derive(Clone, Debug)]
struct Item {
    worker: usize,
    jurisdiction: usize,
    month: u32,
    future: bool,
    wage: i64,
}

#[derive(Clone, Debug)]
enum Op {
    Enroll { agency: usize, origin: usize },
    Contribute { agency: usize, items: Vec<Item> },
    Credit { agency: usize, item: Item, months: u32 },
    Recruit { agency: usize, worker: usize, destination: usize, loan: bool, future: bool },
    Reverse { agency: usize, target: usize },
    Retry { back: usize },
    Conflict { back: usize },
    Reopen,
}

/// One command alone (or a reopen), or several submitted together.
#[derive(Clone, Debug)]
enum Step {
    Alone(Op),
    Together(Vec<Op>),
}

fn item() -> impl Strategy<Value = Item> {
    (0..8usize, 0..4usize, 0..60u32, prop::bool::weighted(0.05), 0..1_000_000i64).prop_map(
        |(worker, jurisdiction, month, future, wage)| Item { worker, jurisdiction, month, future, wage },
    )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0..3usize, 0..3usize).prop_map(|(agency, origin)| Op::Enroll { agency, origin }),
        4 => (0..3usize, prop::collection::vec(item(), 1..5)).prop_map(|(agency, items)| Op::Contribute { agency, items }),
        1 => (0..3usize, item(), 1..13u32).prop_map(|(agency, item, months)| Op::Credit { agency, item, months }),
        2 => (0..3usize, 0..64usize).prop_map(|(agency, target)| Op::Reverse { agency, target }),
        1 => (0..3usize, 0..8usize, 0..4usize, prop::bool::ANY, prop::bool::weighted(0.1)).prop_map(
            |(agency, worker, destination, loan, future)| Op::Recruit { agency, worker, destination, loan, future }
        ),
        1 => (0..64usize).prop_map(|back| Op::Retry { back }),
        1 => (0..64usize).prop_map(|back| Op::Conflict { back }),
        1 => Just(Op::Reopen),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let command = op().prop_filter("a reopen is not a command", |op| !matches!(op, Op::Reopen));
    prop_oneof![
        3 => op().prop_map(Step::Alone),
        1 => prop::collection::vec(command, 2..8).prop_map(Step::Together),
    ]
}

fn parsed<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("test value does not parse: {error:?}"))
}

fn month(item: &Item) -> Month {
    if item.future {
        return parsed(Month::new(2999, 1));
    }
    parsed(Month::new(2020 + (item.month / 12) as u16, (item.month % 12) as u8 + 1))
}

/// What the model expects of a command.
#[derive(Debug, PartialEq, Eq)]
enum Expected {
    Appended(usize),
    Replayed {
        first: u64,
        count: u32,
    },
    Conflict(u64),
    Invalid,
    NotFound,
    PermissionDenied,
    FailedPrecondition,
    /// The same employer's contribution for the worker and month is live, at this seq.
    AlreadyRecorded(u64),
}

#[derive(Default)]
struct Model {
    records: Vec<(Event, PrincipalId, RequestId)>,
    workers: Vec<WorkerId>,
    reversed: HashSet<u64>,
    remembered: HashMap<(PrincipalId, RequestId), (Action, u64, u32)>,
    history: Vec<Command>,
}

impl Model {
    fn worker(&self, index: usize) -> WorkerId {
        match self.workers.get(index) {
            Some(worker) => worker.clone(),
            None => parsed(WorkerId::parse("W0000000000000000")),
        }
    }

    fn actor(agency: usize) -> Actor {
        let code = AGENCIES[agency];
        Actor::Agency {
            principal: parsed(PrincipalId::parse(&format!("agency-{}", code.to_ascii_lowercase()))),
            jurisdiction: parsed(Jurisdiction::parse(code)),
        }
    }

    fn contribution(&self, item: &Item) -> ContributionRecorded {
        let (code, currency) = JURISDICTIONS[item.jurisdiction];
        ContributionRecorded {
            worker_id: self.worker(item.worker),
            jurisdiction: parsed(Jurisdiction::parse(code)),
            branch: Branch::OldAge,
            month: month(item),
            currency: parsed(Currency::parse(currency)),
            insured_wage: parsed(MinorUnits::new("wage", item.wage)),
            employer_share: parsed(MinorUnits::new("employer", item.wage / 10)),
            worker_share: parsed(MinorUnits::new("worker", item.wage / 20)),
            employer_ref: parsed(Text::parse("employer_ref", "EMP-1", 64)),
            sector: Sector::DomesticWork,
            insurance: ledger_core::Insurance::Compulsory,
        }
    }

    /// The seq of the live contribution of the same employer for the item's worker, jurisdiction,
    /// branch and month: the last one recorded, unless it was reversed.
    fn live(&self, item: &ContributionRecorded) -> Option<u64> {
        let last = self.records.iter().enumerate().rev().find_map(|(seq, (event, _, _))| match event {
            Event::ContributionRecorded(recorded) if same_contribution(recorded, item) => Some(seq as u64),
            _ => None,
        })?;
        (!self.reversed.contains(&last)).then_some(last)
    }

    /// Turns an op into a command, or `None` for ops that are not commands.
    fn command(&self, index: usize, op: &Op) -> Option<Command> {
        let request_id = parsed(RequestId::parse(&format!("r{index}")));
        let (agency, action) = match op {
            Op::Enroll { agency, origin } => (
                *agency,
                Action::EnrollWorker {
                    origin: parsed(Jurisdiction::parse(AGENCIES[*origin])),
                    sex: None,
                    birth_month: None,
                    credential: None,
                    activation: None,
                },
            ),
            Op::Contribute { agency, items } => (
                *agency,
                Action::RecordContributions(items.iter().map(|item| self.contribution(item)).collect()),
            ),
            Op::Credit { agency, item, months } => {
                let from = month(item);
                let to = parsed(Month::new(
                    from.year() + ((from.month() as u32 + months - 1) / 12) as u16,
                    ((from.month() as u32 - 1 + months) % 12) as u8 + 1,
                ));
                let to = if item.future { from } else { to.min(parsed(Month::new(2024, 12))) };
                let contribution = self.contribution(item);
                (
                    *agency,
                    Action::CreditPeriods(vec![PeriodCredited {
                        worker_id: contribution.worker_id,
                        jurisdiction: contribution.jurisdiction,
                        branch: Branch::Maternity,
                        from: from.min(to),
                        to,
                        kind: CreditKind::Maternity,
                    }]),
                )
            }
            Op::Reverse { agency, target } => {
                let seq = Seq(*target as u64 % (self.records.len() as u64 + 2));
                (
                    *agency,
                    Action::ReverseContribution {
                        seq,
                        reason: parsed(Text::parse("reason", "wrong month", 512)),
                    },
                )
            }
            Op::Recruit { agency, worker, destination, loan, future } => (
                *agency,
                Action::RecordRecruitmentCost(Box::new(ledger_store::RecruitmentCostRequest {
                    worker_id: self.worker(*worker),
                    destination: parsed(Jurisdiction::parse(JURISDICTIONS[*destination].0)),
                    licensed_in: parsed(Jurisdiction::parse("PH")),
                    licence: parsed(Text::parse("licence", "LIC-1", 64)),
                    purpose: ledger_core::RecruitmentPurpose::Fee,
                    currency: parsed(Currency::parse("PHP")),
                    amount: parsed(MinorUnits::new("amount", 100_000)),
                    paid_by: if *loan {
                        ledger_core::CostPayer::Loan
                    } else {
                        ledger_core::CostPayer::Worker
                    },
                    lender: loan.then(|| parsed(Text::parse("lender", "LENDER-1", 64))),
                    employer_ref: None,
                    paid_in: if *future { parsed(Month::new(2999, 1)) } else { parsed(Month::new(2024, 3)) },
                    evidence_sha256: [7; 32],
                })),
            ),
            Op::Retry { back } => return self.history.get(back % self.history.len().max(1)).cloned(),
            Op::Conflict { back } => {
                let mut command = self.history.get(back % self.history.len().max(1)).cloned()?;
                command.action = match command.action {
                    Action::EnrollWorker { origin, sex, .. } => Action::EnrollWorker {
                        origin,
                        sex,
                        birth_month: Some(parsed(Month::new(1990, 1))),
                        credential: None,
                        activation: None,
                    },
                    Action::RecordContributions(mut items) => {
                        items[0].insured_wage =
                            parsed(MinorUnits::new("wage", items[0].insured_wage.get() as i64 + 1));
                        Action::RecordContributions(items)
                    }
                    Action::ReverseContribution { seq, .. } => Action::ReverseContribution {
                        seq,
                        reason: parsed(Text::parse("reason", "another reason", 512)),
                    },
                    Action::CreditPeriods(mut items) => {
                        items[0].kind = CreditKind::Sickness;
                        Action::CreditPeriods(items)
                    }
                    Action::RecordRecruitmentCost(mut cost) => {
                        cost.amount = parsed(MinorUnits::new("amount", cost.amount.get() as i64 + 1));
                        Action::RecordRecruitmentCost(cost)
                    }
                    other => panic!("the model does not generate {other:?}"),
                };
                return Some(command);
            }
            Op::Reopen => return None,
        };
        Some(Command { actor: Model::actor(agency), request_id, action })
    }

    fn expect(&self, command: &Command) -> Expected {
        let key = (command.actor.principal().clone(), command.request_id.clone());
        if let Some((action, first, count)) = self.remembered.get(&key) {
            return match *action == command.action {
                true => Expected::Replayed { first: *first, count: *count },
                false => Expected::Conflict(*first),
            };
        }
        let agency = command.actor.jurisdiction();
        let own = |jurisdiction: Jurisdiction| {
            if jurisdiction.as_str() == "ZZ" {
                Err(Expected::NotFound)
            } else if Some(jurisdiction) != agency {
                Err(Expected::PermissionDenied)
            } else {
                Ok(())
            }
        };
        let known = |worker: &WorkerId| self.workers.contains(worker);
        let outcome = match &command.action {
            Action::EnrollWorker { .. } => Ok(1),
            Action::RecordContributions(items) => items
                .iter()
                .enumerate()
                .try_for_each(|(index, item)| {
                    own(item.jurisdiction)?;
                    if item.month.year() == 2999 {
                        return Err(Expected::Invalid);
                    }
                    if !known(&item.worker_id) {
                        return Err(Expected::NotFound);
                    }
                    if items[..index].iter().any(|earlier| same_contribution(earlier, item)) {
                        return Err(Expected::Invalid);
                    }
                    match self.live(item) {
                        Some(seq) => Err(Expected::AlreadyRecorded(seq)),
                        None => Ok(()),
                    }
                })
                .map(|()| items.len()),
            Action::CreditPeriods(items) => items
                .iter()
                .try_for_each(|item| {
                    own(item.jurisdiction)?;
                    if item.to.year() == 2999 {
                        return Err(Expected::Invalid);
                    }
                    if !known(&item.worker_id) {
                        return Err(Expected::NotFound);
                    }
                    Ok(())
                })
                .map(|()| items.len()),
            Action::ReverseContribution { seq, .. } => match self.records.get(seq.0 as usize) {
                None => Err(Expected::NotFound),
                Some((Event::ContributionRecorded(recorded), _, _)) => {
                    if Some(recorded.jurisdiction) != agency {
                        Err(Expected::PermissionDenied)
                    } else if self.reversed.contains(&seq.0) {
                        Err(Expected::FailedPrecondition)
                    } else {
                        Ok(1)
                    }
                }
                Some(_) => Err(Expected::FailedPrecondition),
            },
            Action::RecordRecruitmentCost(cost) => {
                if cost.destination.as_str() == "ZZ" || !known(&cost.worker_id) {
                    Err(Expected::NotFound)
                } else {
                    let origin = self.origin(&cost.worker_id);
                    if cost.destination == origin {
                        Err(Expected::Invalid)
                    } else if agency != Some(origin) && agency != Some(cost.destination) {
                        Err(Expected::PermissionDenied)
                    } else if cost.paid_in.year() == 2999 {
                        Err(Expected::Invalid)
                    } else {
                        Ok(1)
                    }
                }
            }
            other => panic!("the model does not generate {other:?}"),
        };
        match outcome {
            Ok(count) => Expected::Appended(count),
            Err(expected) => expected,
        }
    }

    /// The origin `worker` was enrolled with.
    fn origin(&self, worker: &WorkerId) -> Jurisdiction {
        self.records
            .iter()
            .find_map(|(event, _, _)| match event {
                Event::WorkerEnrolled(enrolled) if enrolled.worker_id == *worker => Some(enrolled.origin),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{worker} is enrolled in the model"))
    }

    /// Records what the store appended, taking generated worker ids from its answer.
    fn apply(&mut self, command: &Command, outcome: &Outcome) {
        let first = self.records.len() as u64;
        let events: Vec<Event> = match &command.action {
            Action::EnrollWorker { origin, sex, birth_month, .. } => {
                let worker_id =
                    outcome.worker_id.clone().unwrap_or_else(|| panic!("an enrolment names its worker"));
                self.workers.push(worker_id.clone());
                vec![Event::WorkerEnrolled(ledger_core::WorkerEnrolled {
                    worker_id,
                    origin: *origin,
                    enrolled_in: command.actor.jurisdiction().unwrap_or_else(|| panic!("agencies only")),
                    sex: *sex,
                    birth_month: *birth_month,
                })]
            }
            Action::RecordContributions(items) => {
                items.iter().cloned().map(Event::ContributionRecorded).collect()
            }
            Action::CreditPeriods(items) => items.iter().cloned().map(Event::PeriodCredited).collect(),
            Action::RecordRecruitmentCost(cost) => {
                vec![Event::RecruitmentCostRecorded(ledger_core::RecruitmentCostRecorded {
                    worker_id: cost.worker_id.clone(),
                    origin: self.origin(&cost.worker_id),
                    destination: cost.destination,
                    licensed_in: cost.licensed_in,
                    licence: cost.licence.clone(),
                    purpose: cost.purpose,
                    currency: cost.currency,
                    amount: cost.amount,
                    paid_by: cost.paid_by,
                    lender: cost.lender.clone(),
                    employer_ref: cost.employer_ref.clone(),
                    paid_in: cost.paid_in,
                    evidence_sha256: cost.evidence_sha256,
                    declared: false,
                })]
            }
            Action::ReverseContribution { seq, reason } => {
                let Some((Event::ContributionRecorded(recorded), _, _)) = self.records.get(seq.0 as usize)
                else {
                    panic!("the model reversed a non-contribution");
                };
                self.reversed.insert(seq.0);
                vec![Event::ContributionReversed(ledger_core::ContributionReversed {
                    reversed_seq: *seq,
                    worker_id: recorded.worker_id.clone(),
                    jurisdiction: recorded.jurisdiction,
                    reason: reason.clone(),
                })]
            }
            other => panic!("the model does not generate {other:?}"),
        };
        let count = events.len() as u32;
        self.records.extend(
            events
                .into_iter()
                .map(|event| (event, command.actor.principal().clone(), command.request_id.clone())),
        );
        self.remembered.insert(
            (command.actor.principal().clone(), command.request_id.clone()),
            (command.action.clone(), first, count),
        );
    }
}

/// Whether two contributions are the same employer's for the same worker, jurisdiction, branch
/// and month: the second is a duplicate.
fn same_contribution(a: &ContributionRecorded, b: &ContributionRecorded) -> bool {
    (&a.worker_id, a.jurisdiction, a.branch, a.month, a.employer_ref.as_str())
        == (&b.worker_id, b.jurisdiction, b.branch, b.month, b.employer_ref.as_str())
}

fn observed(result: &Result<Outcome, StoreError>) -> Expected {
    match result {
        Ok(outcome)
            if outcome.receipts.iter().all(|receipt| receipt.replayed) && !outcome.receipts.is_empty() =>
        {
            Expected::Replayed { first: outcome.receipts[0].seq.0, count: outcome.receipts.len() as u32 }
        }
        Ok(outcome) => Expected::Appended(outcome.receipts.len()),
        Err(StoreError::Conflict { original }) => Expected::Conflict(original.0),
        Err(StoreError::Invalid(_)) => Expected::Invalid,
        Err(StoreError::NotFound { .. }) => Expected::NotFound,
        Err(StoreError::PermissionDenied(_)) => Expected::PermissionDenied,
        Err(StoreError::FailedPrecondition(_)) => Expected::FailedPrecondition,
        Err(StoreError::AlreadyRecorded { seq, .. }) => Expected::AlreadyRecorded(seq.0),
        Err(other) => panic!("unexpected store error: {other}"),
    }
}

/// The whole log, read back and decoded, must be the model's, verify, and be indexed per worker.
fn check_log(ledger: &Ledger, model: &Model) {
    let size = model.records.len() as u64;
    assert_eq!(ledger.head().size, size);
    let verification = ledger.verify(Seq(0), None).unwrap_or_else(|error| panic!("verify: {error}"));
    assert_eq!((verification.verified, verification.fault), (size, None));
    let stored = ledger.read_events(Seq(0), usize::MAX).unwrap_or_else(|error| panic!("read: {error}"));
    assert_eq!(stored.len() as u64, size);
    let mut per_worker: BTreeMap<WorkerId, Vec<Seq>> = BTreeMap::new();
    for (entry, (event, principal, request_id)) in stored.iter().zip(&model.records) {
        let record = Record::decode(&entry.record).unwrap_or_else(|error| panic!("decode: {error}"));
        assert_eq!(&record.event, event, "event at seq {}", entry.seq);
        assert_eq!((&record.principal, &record.request_id), (principal, request_id));
        if let Some(worker_id) = event.worker_id() {
            per_worker.entry(worker_id.clone()).or_default().push(entry.seq);
        }
    }
    for (worker, seqs) in per_worker {
        let statement = ledger
            .statement(&worker, Seq(0), 10_000, |_| true)
            .unwrap_or_else(|error| panic!("statement: {error}"));
        let got: Vec<Seq> = statement.entries.iter().map(|entry| entry.receipt.seq).collect();
        assert_eq!(got, seqs, "statement of {worker}");
    }
}

fn open(dir: &std::path::Path) -> Ledger {
    Ledger::open(dir, Arc::new(ledger_rules::Rules::sample())).unwrap_or_else(|error| panic!("open: {error}"))
}

/// Polls every future in order until all are done: each one's first poll hands its command to
/// the writer's queue, so the writer sees them in this order.
async fn all_in_order<T>(mut futures: Vec<Pin<Box<dyn Future<Output = T> + '_>>>) -> Vec<T> {
    let mut results: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|context| {
        let mut waiting = false;
        for (future, result) in futures.iter_mut().zip(results.iter_mut()) {
            if result.is_none() {
                match future.as_mut().poll(context) {
                    Poll::Ready(value) => *result = Some(value),
                    Poll::Pending => waiting = true,
                }
            }
        }
        if waiting {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results.into_iter().map(|result| result.unwrap_or_else(|| panic!("a future was not done"))).collect()
}

/// Every worker's statement and projection, read now, must name exactly her events of the model.
fn check_reads(ledger: &Ledger, model: &Model) {
    let mut per_worker: BTreeMap<&WorkerId, Vec<Seq>> = BTreeMap::new();
    for (seq, (event, _, _)) in model.records.iter().enumerate() {
        if let Some(worker_id) = event.worker_id() {
            per_worker.entry(worker_id).or_default().push(Seq(seq as u64));
        }
    }
    for (worker, seqs) in per_worker {
        let statement = ledger
            .statement(worker, Seq(0), 10_000, |_| true)
            .unwrap_or_else(|error| panic!("statement: {error}"));
        let got: Vec<Seq> = statement.entries.iter().map(|entry| entry.receipt.seq).collect();
        assert_eq!(got, seqs, "statement of {worker}");
        let projection = ledger
            .projection(worker)
            .unwrap_or_else(|error| panic!("projection: {error}"))
            .unwrap_or_else(|| panic!("no projection of {worker}"));
        assert_eq!(
            (projection.event_count(), Some(projection.last_seq)),
            (seqs.len() as u64, seqs.last().copied())
        );
    }
}

fn run(steps: Vec<Step>) {
    let dir = tempfile::tempdir().unwrap_or_else(|error| panic!("tempdir: {error}"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap_or_else(|error| panic!("runtime: {error}"));
    let mut ledger = open(dir.path());
    let mut model = Model::default();
    // Opening a new store adopts the rules it was opened with, at seq 0.
    let rules = ledger_rules::Rules::sample();
    let digest_prefix: String = rules.digest()[..8].iter().map(|byte| format!("{byte:02x}")).collect();
    model.records.push((
        Event::RulesAdopted(ledger_core::RulesAdopted {
            digest: rules.digest(),
            document: rules.text().to_owned(),
        }),
        parsed(PrincipalId::parse("ledger")),
        parsed(RequestId::parse(&format!("rules-{digest_prefix}"))),
    ));
    let mut index = 0;
    for step in steps {
        let ops = match step {
            Step::Alone(Op::Reopen) => {
                ledger.shutdown();
                drop(ledger);
                ledger = open(dir.path());
                check_log(&ledger, &model);
                continue;
            }
            Step::Alone(op) => vec![op],
            Step::Together(ops) => ops,
        };
        // Commands are made in order, so that a retry or a conflict may name one made just
        // before it in the same group.
        let size_before = model.records.len() as u64;
        let mut commands = Vec::new();
        for op in &ops {
            if let Some(command) = model.command(index, op) {
                model.history.push(command.clone());
                commands.push((index, op, command));
            }
            index += 1;
        }
        let results = runtime.block_on(all_in_order(
            commands
                .iter()
                .map(|(_, _, command)| Box::pin(ledger.submit(command.clone())) as Pin<Box<_>>)
                .collect(),
        ));
        for ((index, op, command), result) in commands.iter().zip(results) {
            let expected = model.expect(command);
            let observed = observed(&result);
            // A seq can be named only once it is durable: a reversal of an event appended in its
            // own group finds no event there, as a client guessing a seq would.
            let same_group = matches!(command.action, Action::ReverseContribution { seq, .. } if seq.0 >= size_before)
                && observed == Expected::NotFound;
            if !same_group {
                assert_eq!(observed, expected, "op {index}: {op:?}");
            }
            if let (Ok(outcome), Expected::Appended(_)) = (&result, &observed) {
                assert_eq!(outcome.receipts[0].seq.0, model.records.len() as u64);
                model.apply(command, outcome);
            }
        }
        assert_eq!(ledger.head().size, model.records.len() as u64);
        if ops.len() > 1 {
            check_reads(&ledger, &model);
        }
    }
    ledger.shutdown();
    drop(ledger);
    check_log(&open(dir.path()), &model);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_the_model_across_reopens(steps in prop::collection::vec(step(), 1..40)) {
        run(steps);
    }
}
