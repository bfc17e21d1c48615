//! Balances, projections and reports against the pure fold: for random histories (with rules
//! changes and claims), the balance at every `as_of` seq equals the fold of the log truncated
//! there, the maintained projection equals the fold of the whole log, a rebuild reproduces the
//! projections byte for byte, and the accountability and coverage reports are the same computed
//! from the fold, from the maintained projections and after the rebuild.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{NaiveDate, TimeDelta};
use ledger_core::{
    Branch, ClaimKind, ClaimOutcome, ContributionRecorded, CreditKind, Currency, Figures, Jurisdiction,
    MinorUnits, Month, PeriodCredited, PrincipalId, Record, RequestId, Sector, Seq, StatusChange, Text,
    WorkerId,
};
use ledger_projections::coverage::{Amendments, YearFold};
use ledger_projections::reports;
use ledger_projections::{apply_facts, LogFold, WorkerFacts};
use ledger_rules::Rules;
use ledger_store::{Action, Actor, ClaimRequest, Clock, Command, Ledger};
use proptest::prelude::*;

const AGENCIES: [(&str, &str); 4] = [("PH", "PHP"), ("ES", "EUR"), ("IT", "EUR"), ("SA", "SAR")];
/// Workers' organisations and where they are registered (illustrative).
const ORGANISATIONS: [(&str, &str); 2] = [("union-sa-dwu", "SA"), ("union-es-migrantes", "ES")];

/// The worker acting for herself.
fn worker_actor(worker_id: &WorkerId) -> Actor {
    Actor::Worker {
        principal: ok(PrincipalId::parse(&format!("worker-{}", worker_id.as_str().to_ascii_lowercase()))),
        worker: worker_id.clone(),
    }
}

#[derive(Clone, Debug)]
enum Op {
    Enroll,
    Pay {
        agency: usize,
        worker: usize,
        month: u32,
        count: u32,
        wage: i64,
        branch: bool,
        /// As a payroll imported again: contributions already recorded are corrected.
        correcting: bool,
    },
    /// An application for old-age (or invalidity) benefits lodged by an agency, from a risk date
    /// `offset` months into the history's months.
    Apply {
        agency: usize,
        worker: usize,
        invalidity: bool,
        offset: u32,
    },
    /// Periods certified in days (converted by the certifying scheme's working week, refused
    /// where the scheme states none) or quarters.
    Certify {
        agency: usize,
        worker: usize,
        month: u32,
        count: u32,
        days: bool,
    },
    /// New figures for a contribution (any event, sometimes, so refusals are exercised too).
    Correct {
        target: usize,
        wage: i64,
    },
    Credit {
        agency: usize,
        worker: usize,
        month: u32,
        count: u32,
    },
    Reverse {
        target: usize,
    },
    Grant {
        agency: usize,
        worker: usize,
    },
    Change {
        target: usize,
        change: u8,
    },
    Benefit {
        target: usize,
        into: usize,
    },
    ChangeRules,
    /// A claim addressed to `agency`, by that agency (`by` 0), the worker (1), or a workers'
    /// organisation (2), which she may or may not have given her consent to.
    Claim {
        agency: usize,
        worker: usize,
        month: u32,
        by: u8,
    },
    /// The organisation's group claim for the worker and the next, once both have consented.
    GroupClaim {
        worker: usize,
        month: u32,
    },
    /// A recruitment cost of the worker's, to the jurisdiction of `agency`, recorded by it.
    Recruit {
        agency: usize,
        worker: usize,
        loan: bool,
    },
    /// The worker gives one of two organisations her consent, or takes it back (sometimes one she
    /// did not give, so refusals are exercised too).
    Consent {
        worker: usize,
        organisation: usize,
        granted: bool,
    },
    Resolve {
        target: usize,
        upheld: bool,
    },
    /// An appeal of a claim's answer by the worker (`by` 0) or the organisation (1), whether or
    /// not the claim is answered, appealed already, or her consent holds.
    Appeal {
        target: usize,
        by: u8,
    },
    /// The decision of the body the sample rules name for the claim's jurisdiction.
    Decide {
        target: usize,
        upheld: bool,
    },
    /// Days pass on the ledger's clock.
    Wait {
        days: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => Just(Op::Enroll),
        6 => (0..4usize, 0..4usize, 0..120u32, 1..6u32, 50_000..5_000_000i64, prop::bool::weighted(0.2), prop::bool::weighted(0.3))
            .prop_map(|(agency, worker, month, count, wage, branch, correcting)| Op::Pay { agency, worker, month, count, wage, branch, correcting }),
        2 => (0..200usize, 50_000..5_000_000i64).prop_map(|(target, wage)| Op::Correct { target, wage }),
        1 => (0..4usize, 0..4usize, 0..120u32, 1..13u32, prop::bool::ANY)
            .prop_map(|(agency, worker, month, count, days)| Op::Certify { agency, worker, month, count, days }),
        1 => (0..4usize, 0..4usize, prop::bool::ANY, 0..200u32)
            .prop_map(|(agency, worker, invalidity, offset)| Op::Apply { agency, worker, invalidity, offset }),
        1 => (0..4usize, 0..4usize, 0..120u32, 1..4u32).prop_map(|(agency, worker, month, count)| Op::Credit { agency, worker, month, count }),
        2 => (0..200usize).prop_map(|target| Op::Reverse { target }),
        1 => (0..4usize, 0..4usize).prop_map(|(agency, worker)| Op::Grant { agency, worker }),
        2 => (0..200usize, 1..4u8).prop_map(|(target, change)| Op::Change { target, change }),
        2 => (0..200usize, 0..4usize).prop_map(|(target, into)| Op::Benefit { target, into }),
        1 => Just(Op::ChangeRules),
        2 => (0..4usize, 0..4usize, 0..120u32, 0..3u8)
            .prop_map(|(agency, worker, month, by)| Op::Claim { agency, worker, month, by }),
        1 => (0..4usize, 0..4usize, prop::bool::ANY).prop_map(|(agency, worker, loan)| Op::Recruit { agency, worker, loan }),
        2 => (0..4usize, 0..120u32).prop_map(|(worker, month)| Op::GroupClaim { worker, month }),
        3 => (0..4usize, prop_oneof![3 => Just(0usize), 1 => Just(1usize)], prop::bool::weighted(0.7))
            .prop_map(|(worker, organisation, granted)| Op::Consent { worker, organisation, granted }),
        2 => (0..200usize, prop::bool::ANY).prop_map(|(target, upheld)| Op::Resolve { target, upheld }),
        2 => (0..200usize, 0..2u8).prop_map(|(target, by)| Op::Appeal { target, by }),
        2 => (0..200usize, prop::bool::ANY).prop_map(|(target, upheld)| Op::Decide { target, upheld }),
        1 => (1..120u8).prop_map(|days| Op::Wait { days }),
    ]
}

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("{error:?}"))
}

fn actor(agency: usize) -> Actor {
    let code = AGENCIES[agency].0;
    Actor::Agency {
        principal: ok(PrincipalId::parse(&format!("agency-{}", code.to_ascii_lowercase()))),
        jurisdiction: ok(Jurisdiction::parse(code)),
    }
}

/// The contribution an answer upholding a claim records for the claimed month, from the employer
/// of the payrolls (a claimed month it had recorded is corrected).
fn found_missing(claimant: WorkerId, agency: usize, claimed: Month) -> ContributionRecorded {
    let (code, currency) = AGENCIES[agency];
    ContributionRecorded {
        worker_id: claimant,
        jurisdiction: ok(Jurisdiction::parse(code)),
        branch: Branch::OldAge,
        month: claimed,
        currency: ok(Currency::parse(currency)),
        insured_wage: ok(MinorUnits::new("wage", 300_000)),
        employer_share: ok(MinorUnits::new("employer", 30_000)),
        worker_share: ok(MinorUnits::new("worker", 15_000)),
        employer_ref: ok(Text::parse("employer_ref", "EMP-7", 64)),
        sector: Sector::Care,
        insurance: ledger_core::Insurance::Compulsory,
    }
}

fn month(offset: u32) -> Month {
    ok(Month::from_ordinal(ok(Month::parse("2012-01")).ordinal() + offset))
}

/// The sample rules (format 2), and a variant to change rules midway: the sample of 2026-11 (format
/// 1, the first arithmetic) with old-age qualifying periods lowered, so that histories cross from
/// one arithmetic to the other and back.
fn rules(variant: bool) -> Arc<Rules> {
    let text = if variant {
        include_str!("../../../test-data/rules/sample-2026-11.toml")
            .replace("qualifying_months = 180", "qualifying_months = 60")
    } else {
        ledger_rules::SAMPLE_RULES_TOML.to_owned()
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
    /// Claims filed: their seq, the claimed month and the addressed agency.
    claims: Vec<(Seq, Month, usize)>,
    variant: bool,
    requests: usize,
    clock: Clock,
}

impl Runner {
    fn submit(&mut self, agency: usize, action: Action) -> Option<Vec<Seq>> {
        self.submit_as(actor(agency), action)
    }

    fn submit_as(&mut self, actor: Actor, action: Action) -> Option<Vec<Seq>> {
        self.requests += 1;
        let command =
            Command { actor, request_id: ok(RequestId::parse(&format!("r{}", self.requests))), action };
        let ledger = self.ledger.as_ref()?;
        let outcome = self.runtime.block_on(ledger.submit(command)).ok()?;
        if let Some(worker_id) = outcome.worker_id.clone() {
            self.workers.push(worker_id);
        }
        let seqs: Vec<Seq> = outcome.receipts.iter().map(|receipt| receipt.seq).collect();
        self.seqs.extend(&seqs);
        Some(seqs)
    }

    /// A claim filed: its seq, the claimed month, the addressed agency and the claimant (whoever
    /// the maintained projections say the claim is of).
    fn claim(&self, target: usize) -> Option<(Seq, Month, usize, WorkerId)> {
        let (claim, claimed, agency) = self.claims.get(target % self.claims.len().max(1)).copied()?;
        let ledger = self.ledger.as_ref()?;
        let claimant = self.workers.iter().find(|worker| {
            ok(ledger.projection(worker)).is_some_and(|projection| projection.claims.contains_key(&claim))
        })?;
        Some((claim, claimed, agency, claimant.clone()))
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
                self.submit(
                    0,
                    Action::EnrollWorker {
                        origin,
                        sex: None,
                        // Every other worker with a birth month, so pensionable ages are reached.
                        birth_month: self
                            .workers
                            .len()
                            .is_multiple_of(2)
                            .then(|| ok(Month::parse("1958-07"))),
                        credential: None,
                        activation: None,
                    },
                );
            }
            Op::Pay { agency, worker, month: offset, count, wage, branch, correcting } => {
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
                        // Some payrolls of voluntary insurance, so Art. 12 sets months aside.
                        insurance: if wage % 3 == 0 {
                            ledger_core::Insurance::Voluntary
                        } else {
                            ledger_core::Insurance::Compulsory
                        },
                    })
                    .collect();
                let action = match correcting {
                    true => Action::RecordOrCorrect {
                        items,
                        reason: ok(Text::parse("reason", "payroll again", 512)),
                    },
                    false => Action::RecordContributions(items),
                };
                self.submit(agency, action);
            }
            Op::Certify { agency, worker, month: offset, count, days } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let (unit, quantity) = match days {
                    true => (ledger_core::PeriodUnit::Days, count * 23),
                    false => (ledger_core::PeriodUnit::Quarters, count.div_ceil(3)),
                };
                let period = ledger_store::PeriodCertification {
                    worker_id,
                    jurisdiction: ok(Jurisdiction::parse(AGENCIES[agency].0)),
                    branch: Branch::OldAge,
                    from: month(offset),
                    to: month(offset + count - 1),
                    unit,
                    quantity,
                    insurance: ledger_core::Insurance::Compulsory,
                };
                self.submit(agency, Action::CertifyPeriods(vec![period]));
            }
            Op::Apply { agency, worker, invalidity, offset } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let risk = month(offset);
                let risk_date =
                    chrono::NaiveDate::from_ymd_opt(i32::from(risk.year()), u32::from(risk.month()), 15);
                let Some(risk_date) = risk_date else { return };
                let branch = if invalidity { Branch::Invalidity } else { Branch::OldAge };
                self.submit(agency, Action::ApplyForBenefit { worker_id, branch, risk_date });
            }
            Op::Correct { target, wage } => {
                let seq = self.target(target);
                let figures = Figures {
                    insured_wage: ok(MinorUnits::new("wage", wage)),
                    employer_share: ok(MinorUnits::new("employer", wage / 8)),
                    worker_share: ok(MinorUnits::new("worker", wage / 16)),
                };
                let reason = ok(Text::parse("reason", "payroll corrected", 512));
                for agency in 0..AGENCIES.len() {
                    let action = Action::CorrectContribution { seq, figures, reason: reason.clone() };
                    if self.submit(agency, action).is_some() {
                        break;
                    }
                }
            }
            Op::Credit { agency, worker, month: offset, count } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let period = PeriodCredited {
                    worker_id,
                    jurisdiction: ok(Jurisdiction::parse(AGENCIES[agency].0)),
                    branch: Branch::OldAge,
                    from: month(offset),
                    to: month(offset + count - 1),
                    kind: if count % 2 == 0 {
                        CreditKind::VoluntaryInsurance
                    } else {
                        CreditKind::Unemployment
                    },
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
                let ledger =
                    Ledger::open_with_clock(self.dir.path(), rules(self.variant), self.clock.clone());
                self.ledger = Some(ok(ledger));
            }
            Op::Consent { worker, organisation, granted } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let (organisation, registered_in) = ORGANISATIONS[organisation];
                let action = Action::ChangeConsent {
                    worker_id: worker_id.clone(),
                    organisation: ok(PrincipalId::parse(organisation)),
                    registered_in: granted.then(|| ok(Jurisdiction::parse(registered_in))),
                    granted,
                };
                self.submit_as(worker_actor(&worker_id), action);
            }
            Op::Recruit { agency, worker, loan } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let (code, currency) = AGENCIES[agency];
                let cost = ledger_store::RecruitmentCostRequest {
                    worker_id,
                    destination: ok(Jurisdiction::parse(code)),
                    licensed_in: ok(Jurisdiction::parse("PH")),
                    licence: ok(Text::parse("licence", "POEA-123-LB-031522-R", 64)),
                    purpose: ledger_core::RecruitmentPurpose::Fee,
                    currency: ok(Currency::parse(currency)),
                    amount: ok(MinorUnits::new("amount", 450_000)),
                    paid_by: if loan { ledger_core::CostPayer::Loan } else { ledger_core::CostPayer::Worker },
                    lender: loan.then(|| ok(Text::parse("lender", "LENDER-PH-0091", 64))),
                    employer_ref: None,
                    paid_in: month(12),
                    evidence_sha256: [5; 32],
                };
                // Refused for a worker whose origin is the destination: refusals are exercised too.
                self.submit(agency, Action::RecordRecruitmentCost(Box::new(cost)));
            }
            Op::GroupClaim { worker, month: offset } => {
                let (Some(first), Some(second)) = (self.worker(worker), self.worker(worker + 1)) else {
                    return;
                };
                // Addressed to the Philippines, where every worker of the history has a record.
                let member = |worker_id: WorkerId| ClaimRequest {
                    worker_id,
                    addressed_to: ok(Jurisdiction::parse(AGENCIES[0].0)),
                    kind: ClaimKind::UnpaidWages,
                    employer_ref: ok(Text::parse("employer_ref", "EMP-9", 64)),
                    months: vec![month(offset)],
                    amount: None,
                    evidence_sha256: [offset as u8; 32],
                };
                let union = Actor::Organisation {
                    principal: ok(PrincipalId::parse(ORGANISATIONS[0].0)),
                    registered_in: ok(Jurisdiction::parse(ORGANISATIONS[0].1)),
                };
                // Both give the union their consent first (refused when one holds it already).
                for worker_id in [&first, &second] {
                    let consent = Action::ChangeConsent {
                        worker_id: worker_id.clone(),
                        organisation: union.principal().clone(),
                        registered_in: Some(ok(Jurisdiction::parse(ORGANISATIONS[0].1))),
                        granted: true,
                    };
                    self.submit_as(worker_actor(worker_id), consent);
                }
                if let Some(seqs) =
                    self.submit_as(union, Action::FileGroupClaim(vec![member(first), member(second)]))
                {
                    self.claims.extend(seqs.into_iter().map(|seq| (seq, month(offset), 0)));
                }
            }
            Op::Claim { agency, worker, month: offset, by } => {
                let Some(worker_id) = self.worker(worker) else { return };
                let claim = ClaimRequest {
                    worker_id: worker_id.clone(),
                    addressed_to: ok(Jurisdiction::parse(AGENCIES[agency].0)),
                    kind: ClaimKind::MissingContribution,
                    employer_ref: ok(Text::parse("employer_ref", "EMP-9", 64)),
                    months: vec![month(offset)],
                    amount: None,
                    evidence_sha256: [offset as u8; 32],
                };
                let actor = match by {
                    0 => actor(agency),
                    1 => worker_actor(&worker_id),
                    _ => Actor::Organisation {
                        principal: ok(PrincipalId::parse(ORGANISATIONS[0].0)),
                        registered_in: ok(Jurisdiction::parse(ORGANISATIONS[0].1)),
                    },
                };
                if let Some(seqs) = self.submit_as(actor, Action::FileClaim(claim)) {
                    self.claims.push((seqs[0], month(offset), agency));
                }
            }
            Op::Resolve { target, upheld } => {
                let Some((claim, claimed, agency, claimant)) = self.claim(target) else { return };
                let action = match upheld {
                    true => Action::ResolveClaim {
                        claim,
                        outcome: ClaimOutcome::Upheld,
                        reason: None,
                        contributions: vec![found_missing(claimant, agency, claimed)],
                    },
                    false => Action::ResolveClaim {
                        claim,
                        outcome: ClaimOutcome::Rejected,
                        reason: Some(ok(Text::parse("reason", "remittance found", 512))),
                        contributions: vec![],
                    },
                };
                self.submit(agency, action);
            }
            Op::Appeal { target, by } => {
                let Some((claim, _, _, claimant)) = self.claim(target) else { return };
                let actor = match by {
                    0 => worker_actor(&claimant),
                    _ => Actor::Organisation {
                        principal: ok(PrincipalId::parse(ORGANISATIONS[0].0)),
                        registered_in: ok(Jurisdiction::parse(ORGANISATIONS[0].1)),
                    },
                };
                self.submit_as(actor, Action::AppealClaim { claim, grounds_sha256: [by; 32] });
            }
            Op::Decide { target, upheld } => {
                let Some((claim, claimed, agency, claimant)) = self.claim(target) else { return };
                let jurisdiction = ok(Jurisdiction::parse(AGENCIES[agency].0));
                let sample = rules(false);
                let Some(body) =
                    sample.jurisdiction(jurisdiction).and_then(|entry| entry.appeal_body.clone())
                else {
                    return;
                };
                let action = match upheld {
                    true => Action::DecideAppeal {
                        claim,
                        outcome: ClaimOutcome::Upheld,
                        reason: None,
                        contributions: vec![found_missing(claimant, agency, claimed)],
                    },
                    false => Action::DecideAppeal {
                        claim,
                        outcome: ClaimOutcome::Rejected,
                        reason: Some(ok(Text::parse("reason", "the answer stands", 512))),
                        contributions: vec![],
                    },
                };
                self.submit_as(Actor::AppealBody { principal: body, jurisdiction }, action);
            }
            Op::Wait { days } => self.clock.advance(TimeDelta::days(i64::from(days))),
        }
    }
}

/// Every projection (with its years of coverage), statement chunk and claim index entry, as
/// stored, read straight from sled after the ledger is closed.
fn stored_projections(dir: &std::path::Path) -> BTreeMap<Vec<u8>, Vec<u8>> {
    // Through the store's own opening, which waits for the lock a just-closed ledger's sled threads
    // may still hold for a moment.
    let db = ok(ledger_store::open_raw(dir));
    use ledger_store::keys;
    [keys::PROJECTION_PREFIX, keys::COVERAGE_PREFIX, keys::STATEMENT_CHUNK_PREFIX, keys::CLAIM_PREFIX]
        .into_iter()
        .flat_map(|prefix| db.scan_prefix([prefix]))
        .map(|item| {
            let (key, value) = ok(item);
            (key.to_vec(), value.to_vec())
        })
        .collect()
}

/// The accountability report over every claim, and each agency's coverage reports of the first
/// and last years it recorded contributions in, as the ledger answers them.
fn ledger_reports(ledger: &Ledger, years: &[(Jurisdiction, u16)]) -> Vec<String> {
    let (from, to) = report_window();
    let mut all = vec![format!("{:?}", ok(ledger.accountability_report(None, from, to)))];
    for (jurisdiction, year) in years {
        all.push(format!("{:?}", ok(ledger.fold_year(*jurisdiction, *year, None)).finish()));
    }
    all
}

/// For each agency, the first and last years of its contributions in `records`.
fn report_years(records: &[Record]) -> Vec<(Jurisdiction, u16)> {
    let mut years: BTreeMap<Jurisdiction, BTreeSet<u16>> = BTreeMap::new();
    for record in records {
        if let ledger_core::Event::ContributionRecorded(e) = &record.event {
            years.entry(e.jurisdiction).or_default().insert(e.month.year());
        }
    }
    years
        .into_iter()
        .flat_map(|(jurisdiction, years)| {
            let ends: BTreeSet<u16> = years.first().into_iter().chain(years.last()).copied().collect();
            ends.into_iter().map(move |year| (jurisdiction, year))
        })
        .collect()
}

/// The coverage reports of `years`, folded from `records` without the store.
fn folded_coverage(records: &[Record], years: &[(Jurisdiction, u16)]) -> Vec<String> {
    years
        .iter()
        .map(|(jurisdiction, year)| {
            let mut amendments = Amendments::default();
            records.iter().for_each(|record| amendments.apply(record));
            let mut fold = YearFold::new(*jurisdiction, *year, amendments);
            records.iter().for_each(|record| ok(fold.apply(record)));
            format!("{:?}", fold.finish())
        })
        .collect()
}

fn report_window() -> (NaiveDate, NaiveDate) {
    let day = |text: &str| ok(NaiveDate::parse_from_str(text, "%Y-%m-%d"));
    (day("2026-01-01"), day("2030-12-31"))
}

/// Runs `ops`, checks the maintained state against the fold and a rebuild, and answers how many
/// events of each kind the log holds.
fn check(ops: Vec<Op>) -> BTreeMap<&'static str, usize> {
    let dir = ok(tempfile::tempdir());
    let start = ok(chrono::DateTime::parse_from_rfc3339("2026-01-30T09:00:00Z")).to_utc();
    let clock = Clock::manual(start);
    let ledger = ok(Ledger::open_with_clock(dir.path(), rules(false), clock.clone()));
    let runtime = ok(tokio::runtime::Builder::new_current_thread().build());
    let mut runner = Runner {
        dir,
        ledger: Some(ledger),
        runtime,
        workers: Vec::new(),
        seqs: Vec::new(),
        entitlements: Vec::new(),
        claims: Vec::new(),
        variant: false,
        requests: 0,
        clock: clock.clone(),
    };
    for op in &ops {
        runner.run(op);
    }
    let ledger = runner.ledger.take().unwrap_or_else(|| panic!("the ledger is open"));
    let records: Vec<Record> = ok(ledger.read_events(Seq(0), usize::MAX))
        .iter()
        .map(|entry| ok(Record::decode(&entry.record)))
        .collect();
    let mut kinds = BTreeMap::new();
    for record in &records {
        *kinds.entry(record.event.name()).or_insert(0) += 1;
    }
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
    // The facts the writer checks commands against, applied event by event as the writer does,
    // are the facts of the projection the same events give.
    let mut facts: BTreeMap<WorkerId, Option<WorkerFacts>> = BTreeMap::new();
    for record in &records {
        if let Some(worker_id) = record.event.worker_id() {
            ok(apply_facts(facts.entry(worker_id.clone()).or_default(), record.seq, &record.event));
        }
    }
    for (worker_id, projection) in &fold.workers {
        let applied = facts.get(worker_id).cloned().flatten();
        assert_eq!(applied, Some(WorkerFacts::of(projection)), "facts of {worker_id}");
    }
    let years = report_years(&records);
    let reported = ledger_reports(&ledger, &years);
    let (from, to) = report_window();
    let today = clock.today();
    let claims = fold.workers.values().flat_map(|projection| projection.claims.values());
    let mut folded = vec![format!("{:?}", reports::accountability(claims, None, from, to, today))];
    folded.extend(folded_coverage(&records, &years));
    assert_eq!(reported, folded, "reports from the maintained projections differ from the fold");
    let copied: Vec<Vec<u8>> =
        ok(ledger.read_events(Seq(0), usize::MAX)).into_iter().map(|e| e.record).collect();
    let mut recovery = ledger_store::RecoveryState::default();
    ok(ledger.recovery_state(ledger.head().size, 7, |chunk| {
        recovery.entries.extend(chunk);
        true
    }));
    ledger.shutdown();
    drop(ledger);
    let maintained = stored_projections(runner.dir.path());
    let checked = ok(ledger_store::check(runner.dir.path()));
    assert!(checked.holds(), "the check of a whole store found {:?}", checked.problems);
    assert_eq!(checked.events, records.len() as u64);
    // A restore from the records and the recovery state gives the same store.
    let restored = ok(tempfile::tempdir());
    let report = ok(ledger_store::restore(restored.path(), copied, &recovery));
    assert_eq!((report.events, report.root), (checked.events, checked.root));
    let restored_check = ok(ledger_store::check(restored.path()));
    assert!(restored_check.holds(), "the check of a restored store found {:?}", restored_check.problems);
    assert_eq!(stored_projections(restored.path()), maintained, "restored projections differ");
    let reopened = ok(Ledger::open_with_clock(restored.path(), rules(runner.variant), clock.clone()));
    assert_eq!(ledger_reports(&reopened, &years), reported, "reports differ after a restore");
    reopened.shutdown();
    drop(reopened);
    let report = ok(ledger_store::rebuild(runner.dir.path()));
    assert_eq!(report.events, records.len() as u64);
    assert_eq!(stored_projections(runner.dir.path()), maintained, "rebuilt projections differ");
    let reopened = ok(Ledger::open_with_clock(runner.dir.path(), rules(runner.variant), clock));
    assert_eq!(ledger_reports(&reopened, &years), reported, "reports differ after the rebuild");
    reopened.shutdown();
    kinds
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn balances_equal_the_fold_of_every_prefix(ops in prop::collection::vec(op(), 1..50)) {
        check(ops);
    }
}

/// A claim's whole life, so that every history above can be trusted to reach appeals: filed,
/// rejected, appealed by the organisation she trusts (refused until she consents), and upheld on
/// appeal, the month it records correcting the one the payroll had.
#[test]
fn an_appealed_claim_keeps_the_maintained_state_equal_to_the_fold() {
    let saudi = 3;
    let ops = vec![
        Op::Enroll,
        Op::Pay {
            agency: saudi,
            worker: 0,
            month: 4,
            count: 3,
            wage: 300_000,
            branch: false,
            correcting: false,
        },
        Op::Claim { agency: saudi, worker: 0, month: 5, by: 1 },
        Op::Appeal { target: 0, by: 0 },
        Op::Resolve { target: 0, upheld: false },
        Op::Appeal { target: 0, by: 1 },
        Op::Consent { worker: 0, organisation: 0, granted: true },
        Op::Wait { days: 3 },
        Op::Appeal { target: 0, by: 1 },
        Op::Appeal { target: 0, by: 0 },
        Op::Decide { target: 0, upheld: true },
        Op::Decide { target: 0, upheld: false },
    ];
    let kinds = check(ops);
    let count = |kind: &str| kinds.get(kind).copied().unwrap_or(0);
    assert_eq!(
        (count("ClaimResolved"), count("ClaimAppealed"), count("AppealDecided")),
        (1, 1, 1),
        "{kinds:?}"
    );
}
