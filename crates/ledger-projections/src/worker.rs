//! One worker's projection: what the log says about them, kept small enough to rewrite on every
//! commit that touches them. It is a pure function of the worker's events, in order.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use ledger_core::{
    Branch, ClaimFiled, ClaimKind, ClaimOutcome, ClaimResolved, ContributionCorrected, ContributionRecorded,
    CreditKind, Currency, Event, Insurance, Jurisdiction, Month, PrincipalId, Sector, Seq, Sex, StatusChange,
    WorkerEnrolled, WorkerId,
};

/// Why an event cannot be applied to a projection: the log contradicts itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event {seq}: {problem}")]
pub struct ProjectionError {
    pub seq: Seq,
    pub problem: String,
}

/// One calendar month of coverage in one jurisdiction and branch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MonthCell {
    /// Contributions recorded for the month and not reversed.
    pub contributions: u32,
    /// Sum of their insured wages, in minor units.
    pub wage: u128,
    /// Sums of their employer's and worker's shares, in minor units.
    pub employer_paid: u128,
    pub worker_paid: u128,
    /// Credited periods covering the month.
    pub credits: u32,
    /// Of the contributions, those of voluntary insurance.
    pub voluntary: u32,
    /// Of the credits, periods of voluntary insurance (`CreditKind::VoluntaryInsurance`); the
    /// others are assimilated periods.
    pub voluntary_credits: u32,
    /// Certified periods (`PeriodCertified`) counting for the month, and of those, voluntary ones.
    pub certified: u32,
    pub voluntary_certified: u32,
    /// Live contributions of the month by sector, indexed by the sector's code less one.
    pub sectors: [u32; SECTORS],
}

/// How many sectors there are: the length of [`MonthCell::sectors`].
pub const SECTORS: usize = 8;
const _: () = assert!(Sector::ALL.len() == SECTORS);

/// How a month is insured in one state, for the precedence of Reg. 987/2009 Art. 12: compulsory
/// insurance over voluntary, and real periods over assimilated (credited) ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PeriodKind {
    Assimilated,
    Voluntary,
    Compulsory,
}

impl MonthCell {
    /// The strongest kind of period the month holds.
    pub fn kind(&self) -> PeriodKind {
        if self.contributions > self.voluntary || self.certified > self.voluntary_certified {
            PeriodKind::Compulsory
        } else if self.voluntary > 0 || self.voluntary_credits > 0 || self.voluntary_certified > 0 {
            PeriodKind::Voluntary
        } else {
            PeriodKind::Assimilated
        }
    }

    /// The sectors of the month's live contributions, with how many each.
    pub fn sectors(&self) -> impl Iterator<Item = (Sector, u32)> + '_ {
        Sector::ALL.iter().zip(&self.sectors).filter(|(_, count)| **count > 0).map(|(s, count)| (*s, *count))
    }
}

pub(crate) fn sector_slot(sector: Sector) -> usize {
    usize::from(sector.code()) - 1
}

/// A worker's coverage in one jurisdiction and branch.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Only months with a live contribution or a credit are kept.
    pub months: BTreeMap<Month, MonthCell>,
}

impl Coverage {
    /// Employers' shares of the live contributions, in minor units.
    pub fn employer_paid(&self) -> u128 {
        self.months.values().map(|cell| cell.employer_paid).sum()
    }

    /// Workers' shares of the live contributions, in minor units.
    pub fn worker_paid(&self) -> u128 {
        self.months.values().map(|cell| cell.worker_paid).sum()
    }

    /// Months that count: with a live contribution or a credit.
    pub fn own_months(&self) -> impl Iterator<Item = Month> + '_ {
        self.months.keys().copied()
    }

    pub fn contribution_months(&self) -> u32 {
        self.months.values().filter(|cell| cell.contributions > 0).count() as u32
    }

    pub fn credited_months(&self) -> u32 {
        self.months.values().filter(|cell| cell.credits > 0).count() as u32
    }

    /// The mean insured wage over the contribution months, floored to a minor unit: the wages of a
    /// month are summed (two employers in one month make one month with both wages).
    pub fn average_wage(&self) -> u64 {
        let months = self.contribution_months();
        if months == 0 {
            return 0;
        }
        let total: u128 = self.months.values().map(|cell| cell.wage).sum();
        u64::try_from(total / u128::from(months)).unwrap_or(u64::MAX)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntitlementStatus {
    Active,
    Suspended,
    Ended,
}

impl EntitlementStatus {
    pub fn label(self) -> &'static str {
        match self {
            EntitlementStatus::Active => "active",
            EntitlementStatus::Suspended => "suspended",
            EntitlementStatus::Ended => "ended",
        }
    }

    /// The status after `change`, if the change is allowed from this status.
    pub fn after(self, change: StatusChange) -> Option<EntitlementStatus> {
        match (self, change) {
            (EntitlementStatus::Active, StatusChange::Suspended) => Some(EntitlementStatus::Suspended),
            (EntitlementStatus::Suspended, StatusChange::Resumed) => Some(EntitlementStatus::Active),
            (EntitlementStatus::Active | EntitlementStatus::Suspended, StatusChange::Ended) => {
                Some(EntitlementStatus::Ended)
            }
            _ => None,
        }
    }
}

/// Payments of one entitlement into one country.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Payments {
    pub count: u32,
    pub total: u128,
}

/// A benefit granted by an agency, identified by the seq of its grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entitlement {
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub currency: Currency,
    pub monthly_amount: u64,
    pub start: Month,
    pub status: EntitlementStatus,
    /// The month the current status took effect, when it was changed after the grant.
    pub status_since: Option<Month>,
    /// Benefits paid, by the country they were paid into.
    pub paid_into: BTreeMap<Jurisdiction, Payments>,
}

/// The addressed agency's answer to a claim, or the appeal body's decision.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    /// The seq of the ClaimResolved event.
    pub seq: Seq,
    pub at: DateTime<Utc>,
    pub outcome: ClaimOutcome,
    pub reason: Option<String>,
    /// Contributions recorded with the resolution.
    pub contributions: u32,
}

impl Resolution {
    /// The answer (a resolution or an appeal's decision) recorded at `seq`.
    fn of(seq: Seq, at: DateTime<Utc>, answer: &ClaimResolved) -> Resolution {
        Resolution {
            seq,
            at,
            outcome: answer.outcome,
            reason: answer.reason.as_ref().map(|reason| reason.as_str().to_owned()),
            contributions: answer.contributions,
        }
    }
}

/// Her appeal of a claim's resolution, and the appeal body's decision once given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appeal {
    /// The seq of the ClaimAppealed event.
    pub seq: Seq,
    pub at: DateTime<Utc>,
    /// Her origin's agency, when it appealed for her.
    pub filed_via: Option<Jurisdiction>,
    /// The appeal body.
    pub body: PrincipalId,
    pub grounds_sha256: [u8; 32],
    pub respond_by: NaiveDate,
    /// The body's decision (the seq of the AppealDecided event, its outcome and reason).
    pub decision: Option<Resolution>,
}

/// A worker's claim, identified by the seq of its filing, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    pub addressed_to: Jurisdiction,
    pub filed_via: Option<Jurisdiction>,
    pub kind: ClaimKind,
    pub employer_ref: String,
    pub months: Vec<Month>,
    pub currency: Currency,
    pub amount: Option<u64>,
    pub evidence_sha256: [u8; 32],
    pub filed_at: DateTime<Utc>,
    pub respond_by: NaiveDate,
    pub resolution: Option<Resolution>,
    pub appeal: Option<Appeal>,
}

impl Claim {
    fn filed(event: &ClaimFiled, at: DateTime<Utc>) -> Claim {
        Claim {
            addressed_to: event.addressed_to,
            filed_via: event.filed_via,
            kind: event.kind,
            employer_ref: event.employer_ref.as_str().to_owned(),
            months: event.months.clone(),
            currency: event.currency,
            amount: event.amount.map(|amount| amount.get()),
            evidence_sha256: event.evidence_sha256,
            filed_at: at,
            respond_by: event.respond_by,
            resolution: None,
            appeal: None,
        }
    }

    /// Open on `on` with its answer due before: the addressed agency has let it go past the days
    /// its rules give. A claim answered on its last day is not late.
    pub fn is_overdue(&self, on: NaiveDate) -> bool {
        self.resolution.is_none() && on > self.respond_by
    }

    /// Waiting for someone: the agency's answer, or the appeal body's decision.
    pub fn is_pending(&self) -> bool {
        self.resolution.is_none() || self.appeal.as_ref().is_some_and(|appeal| appeal.decision.is_none())
    }

    /// Appealed, undecided on `on` and past the day the appeal body had to decide by.
    pub fn appeal_overdue(&self, on: NaiveDate) -> bool {
        self.appeal.as_ref().is_some_and(|appeal| appeal.decision.is_none() && on > appeal.respond_by)
    }

    /// Whole days from filing to resolution, by the UTC calendar.
    pub fn days_to_resolve(&self) -> Option<i64> {
        let resolution = self.resolution.as_ref()?;
        Some((resolution.at.date_naive() - self.filed_at.date_naive()).num_days())
    }

    /// Resolved, but after the day it was due.
    pub fn resolved_late(&self) -> bool {
        self.resolution.as_ref().is_some_and(|resolution| resolution.at.date_naive() > self.respond_by)
    }

    /// Where it stands on `on`: "open", "overdue", "upheld" or "rejected" before any appeal;
    /// "appealed" or "appeal overdue" while the appeal body has not decided; "upheld on appeal"
    /// or "rejected on appeal" once it has (a rejected appeal leaves the agency's answer standing:
    /// an upheld claim stays "upheld").
    pub fn state_label(&self, on: NaiveDate) -> &'static str {
        match (&self.resolution, &self.appeal) {
            (None, _) if self.is_overdue(on) => "overdue",
            (None, _) => "open",
            (Some(resolution), None) => resolution.outcome.label(),
            (Some(_), Some(appeal)) => match &appeal.decision {
                None if self.appeal_overdue(on) => "appeal overdue",
                None => "appealed",
                Some(decision) if decision.outcome == ClaimOutcome::Upheld => "upheld on appeal",
                Some(_) => match self.outcome() {
                    Some(ClaimOutcome::Upheld) => "upheld",
                    _ => "rejected on appeal",
                },
            },
        }
    }

    /// The claim's outcome as it stands: the appeal body's when it upheld the appeal, the agency's
    /// otherwise; none while unanswered.
    pub fn outcome(&self) -> Option<ClaimOutcome> {
        let appealed = self.appeal.as_ref().and_then(|appeal| appeal.decision.as_ref());
        match appealed {
            Some(decision) if decision.outcome == ClaimOutcome::Upheld => Some(ClaimOutcome::Upheld),
            _ => self.resolution.as_ref().map(|resolution| resolution.outcome),
        }
    }
}

/// Everything the log says about one worker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerProjection {
    pub worker_id: WorkerId,
    pub origin: Jurisdiction,
    pub enrolled_in: Jurisdiction,
    pub enrolled_at: Seq,
    /// The last event applied: the projection reflects the log up to here.
    pub last_seq: Seq,
    pub sex: Option<Sex>,
    pub birth_month: Option<Month>,
    /// Where the worker lives now, and since when, once a residence change was recorded.
    pub residence: Option<(Jurisdiction, Month)>,
    /// Every jurisdiction with an event about the worker: where the worker has a record, and so
    /// whose agency may read it.
    pub records_in: BTreeSet<Jurisdiction>,
    pub coverage: BTreeMap<(Jurisdiction, Branch), Coverage>,
    pub entitlements: BTreeMap<Seq, Entitlement>,
    pub claims: BTreeMap<Seq, Claim>,
    /// Her latest application for each branch's benefit, with the date of its risk.
    pub applications: BTreeMap<Branch, Application>,
    /// The workers' organisations she has given her consent to file and follow her claims, and
    /// where each is registered, while it holds.
    pub consents: BTreeMap<PrincipalId, Jurisdiction>,
    /// The seqs of the worker's latest events, ascending: the tail of her statement, fewer than
    /// [`STATEMENT_CHUNK_EVENTS`]. Each time it fills, it is handed out by [`Self::apply`] as a
    /// chunk to be stored on its own, so that neither the projection nor the cost of writing it
    /// grows with her history, while an event still costs one write for her most of the time.
    pub events: Vec<Seq>,
    /// How many of her earlier events are in stored chunks of her statement.
    pub chunked_events: u64,
}

/// A worker's application for a benefit, by the seq of its event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Application {
    pub seq: Seq,
    /// Where it was lodged.
    pub jurisdiction: Jurisdiction,
    /// The date of the risk: old age claimed from, onset of invalidity, death.
    pub risk_date: NaiveDate,
}

/// Seqs in one stored chunk of a worker's statement.
pub const STATEMENT_CHUNK_EVENTS: usize = 256;

impl WorkerProjection {
    pub fn enrolled(seq: Seq, event: &WorkerEnrolled) -> WorkerProjection {
        WorkerProjection {
            worker_id: event.worker_id.clone(),
            origin: event.origin,
            enrolled_in: event.enrolled_in,
            enrolled_at: seq,
            last_seq: seq,
            sex: event.sex,
            birth_month: event.birth_month,
            residence: None,
            records_in: BTreeSet::from([event.enrolled_in]),
            coverage: BTreeMap::new(),
            entitlements: BTreeMap::new(),
            claims: BTreeMap::new(),
            applications: BTreeMap::new(),
            consents: BTreeMap::new(),
            events: vec![seq],
            chunked_events: 0,
        }
    }

    /// How many events about the worker the projection reflects.
    pub fn event_count(&self) -> u64 {
        self.chunked_events + self.events.len() as u64
    }

    /// Applies one of the worker's events, recorded at `at`. A reversal needs the contribution it
    /// reverses. When the event fills the tail of her statement, the full chunk comes back, to be
    /// stored under its first seq: whoever applies events stores every chunk handed out.
    #[must_use = "a full chunk of the statement must be stored"]
    /// About how many bytes of memory the projection takes: what a cache of projections counts
    /// against its bound. Each map entry is counted with a node's share of overhead.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        const ENTRY_OVERHEAD: usize = 16;
        let coverage: usize = self
            .coverage
            .values()
            .map(|coverage| {
                size_of::<((Jurisdiction, Branch), Coverage)>()
                    + ENTRY_OVERHEAD
                    + coverage.months.len() * (size_of::<(Month, MonthCell)>() + ENTRY_OVERHEAD)
            })
            .sum();
        let entitlements: usize = self
            .entitlements
            .values()
            .map(|entitlement| {
                size_of::<(Seq, Entitlement)>()
                    + ENTRY_OVERHEAD
                    + entitlement.paid_into.len() * (size_of::<(Jurisdiction, Payments)>() + ENTRY_OVERHEAD)
            })
            .sum();
        let claims: usize = self
            .claims
            .values()
            .map(|claim| {
                size_of::<(Seq, Claim)>()
                    + ENTRY_OVERHEAD
                    + claim.employer_ref.capacity()
                    + claim.months.capacity() * size_of::<Month>()
                    + claim.resolution.as_ref().and_then(|r| r.reason.as_ref()).map_or(0, String::capacity)
            })
            .sum();
        size_of::<WorkerProjection>()
            + self.worker_id.as_str().len()
            + self.records_in.len() * (size_of::<Jurisdiction>() + ENTRY_OVERHEAD)
            + coverage
            + entitlements
            + claims
            + self.events.capacity() * size_of::<Seq>()
            + self
                .consents
                .keys()
                .map(|organisation| {
                    size_of::<(PrincipalId, Jurisdiction)>() + ENTRY_OVERHEAD + organisation.as_str().len()
                })
                .sum::<usize>()
    }

    pub fn apply(
        &mut self,
        seq: Seq,
        at: DateTime<Utc>,
        event: &Event,
        reversed: Option<&ContributionRecorded>,
    ) -> Result<Option<Vec<Seq>>, ProjectionError> {
        self.apply_to_state(seq, at, event, reversed)?;
        if self.events.len() < STATEMENT_CHUNK_EVENTS {
            return Ok(None);
        }
        self.chunked_events += self.events.len() as u64;
        Ok(Some(std::mem::take(&mut self.events)))
    }

    fn apply_to_state(
        &mut self,
        seq: Seq,
        at: DateTime<Utc>,
        event: &Event,
        reversed: Option<&ContributionRecorded>,
    ) -> Result<(), ProjectionError> {
        let fail = |problem: String| ProjectionError { seq, problem };
        if seq <= self.last_seq {
            return Err(fail(format!("events must be applied in order; already at {}", self.last_seq)));
        }
        self.last_seq = seq;
        self.events.push(seq);
        if let Some(jurisdiction) = event_jurisdiction(event) {
            self.records_in.insert(jurisdiction);
        }
        match event {
            Event::ContributionRecorded(e) => {
                let coverage = self.coverage.entry((e.jurisdiction, e.branch)).or_default();
                let cell = coverage.months.entry(e.month).or_default();
                cell.contributions += 1;
                cell.wage += u128::from(e.insured_wage.get());
                cell.employer_paid += u128::from(e.employer_share.get());
                cell.worker_paid += u128::from(e.worker_share.get());
                cell.sectors[sector_slot(e.sector)] += 1;
                if e.insurance == Insurance::Voluntary {
                    cell.voluntary += 1;
                }
            }
            Event::ContributionReversed(e) => {
                let original = reversed
                    .ok_or_else(|| fail(format!("the reversed event {} is not known", e.reversed_seq)))?;
                self.unrecord(original)
                    .ok_or_else(|| fail(format!("event {} is not a live contribution", e.reversed_seq)))?;
            }
            // Periods converting to no whole month count for none, and leave no trace in coverage
            // (the projection's state stays canonical: no jurisdiction without months).
            Event::PeriodCertified(e) if e.months == 0 => {}
            Event::PeriodCertified(e) => {
                let coverage = self.coverage.entry((e.jurisdiction, e.branch)).or_default();
                for month in e.counted_months() {
                    let cell = coverage.months.entry(month).or_default();
                    cell.certified += 1;
                    if e.insurance == Insurance::Voluntary {
                        cell.voluntary_certified += 1;
                    }
                }
            }
            Event::BenefitApplied(e) => {
                let application = Application { seq, jurisdiction: e.jurisdiction, risk_date: e.risk_date };
                self.applications.insert(e.branch, application);
            }
            Event::ContributionCorrected(e) => {
                self.correct(e)
                    .ok_or_else(|| fail(format!("event {} is not a live contribution", e.corrected_seq)))?;
            }
            Event::PeriodCredited(e) => {
                let coverage = self.coverage.entry((e.jurisdiction, e.branch)).or_default();
                for ordinal in e.from.ordinal()..=e.to.ordinal() {
                    let month = Month::from_ordinal(ordinal).map_err(|error| fail(error.to_string()))?;
                    let cell = coverage.months.entry(month).or_default();
                    cell.credits += 1;
                    if e.kind == CreditKind::VoluntaryInsurance {
                        cell.voluntary_credits += 1;
                    }
                }
            }
            Event::EntitlementGranted(e) => {
                let entitlement = Entitlement {
                    jurisdiction: e.jurisdiction,
                    branch: e.branch,
                    currency: e.currency,
                    monthly_amount: e.monthly_amount.get(),
                    start: e.start,
                    status: EntitlementStatus::Active,
                    status_since: None,
                    paid_into: BTreeMap::new(),
                };
                self.entitlements.insert(seq, entitlement);
            }
            Event::EntitlementStatusChanged(e) => {
                let entitlement = self
                    .entitlements
                    .get_mut(&e.entitlement)
                    .ok_or_else(|| fail(format!("no entitlement {}", e.entitlement)))?;
                entitlement.status = entitlement.status.after(e.change).ok_or_else(|| {
                    fail(format!(
                        "an entitlement that is {} cannot be {}",
                        entitlement.status.label(),
                        e.change.label()
                    ))
                })?;
                entitlement.status_since = Some(e.effective);
            }
            Event::BenefitPaid(e) => {
                let entitlement = self
                    .entitlements
                    .get_mut(&e.entitlement)
                    .ok_or_else(|| fail(format!("no entitlement {}", e.entitlement)))?;
                let payments = entitlement.paid_into.entry(e.paid_into).or_default();
                payments.count += 1;
                payments.total += u128::from(e.amount.get());
            }
            Event::ResidenceChanged(e) => self.residence = Some((e.country, e.from)),
            Event::ClaimFiled(e) => {
                self.claims.insert(seq, Claim::filed(e, at));
            }
            Event::ClaimResolved(e) => {
                let claim =
                    self.claims.get_mut(&e.claim).ok_or_else(|| fail(format!("no claim {}", e.claim)))?;
                if let Some(earlier) = &claim.resolution {
                    return Err(fail(format!("claim {} was already resolved at {}", e.claim, earlier.seq)));
                }
                claim.resolution = Some(Resolution::of(seq, at, e));
            }
            Event::ClaimAppealed(e) => {
                let claim =
                    self.claims.get_mut(&e.claim).ok_or_else(|| fail(format!("no claim {}", e.claim)))?;
                if claim.resolution.is_none() {
                    return Err(fail(format!("claim {} is appealed before it was resolved", e.claim)));
                }
                if let Some(earlier) = &claim.appeal {
                    return Err(fail(format!("claim {} was already appealed at {}", e.claim, earlier.seq)));
                }
                claim.appeal = Some(Appeal {
                    seq,
                    at,
                    filed_via: e.filed_via,
                    body: e.appeal_body.clone(),
                    grounds_sha256: e.grounds_sha256,
                    respond_by: e.respond_by,
                    decision: None,
                });
            }
            Event::AppealDecided(e) => {
                let appeal = self
                    .claims
                    .get_mut(&e.claim)
                    .and_then(|claim| claim.appeal.as_mut())
                    .ok_or_else(|| fail(format!("no appeal of claim {}", e.claim)))?;
                if let Some(earlier) = &appeal.decision {
                    return Err(fail(format!(
                        "the appeal of claim {} was decided at {}",
                        e.claim, earlier.seq
                    )));
                }
                appeal.decision = Some(Resolution::of(seq, at, e));
            }
            // On her statement, and nothing more: a credential is access, not coverage.
            Event::CredentialReplaced(_) | Event::AccessChanged(_) => {}
            // Not social-security months: the employer-pays report reads these.
            Event::RecruitmentCostRecorded(_) => {}
            Event::ConsentChanged(e) => match e.granted {
                true => {
                    self.consents.insert(e.organisation.clone(), e.registered_in);
                }
                false => {
                    self.consents.remove(&e.organisation);
                }
            },
            Event::WorkerEnrolled(_) | Event::RulesAdopted(_) => {}
        }
        Ok(())
    }

    /// Replaces a contribution's figures in its month: `None` if the month has no contribution
    /// holding the figures it had.
    fn correct(&mut self, correction: &ContributionCorrected) -> Option<()> {
        let coverage = self.coverage.get_mut(&(correction.jurisdiction, correction.branch))?;
        let cell = coverage.months.get_mut(&correction.month)?;
        if cell.contributions == 0 {
            return None;
        }
        let (before, after) = (correction.before, correction.after);
        let wage = cell.wage.checked_sub(u128::from(before.insured_wage.get()))?;
        let employer = cell.employer_paid.checked_sub(u128::from(before.employer_share.get()))?;
        let worker = cell.worker_paid.checked_sub(u128::from(before.worker_share.get()))?;
        cell.wage = wage + u128::from(after.insured_wage.get());
        cell.employer_paid = employer + u128::from(after.employer_share.get());
        cell.worker_paid = worker + u128::from(after.worker_share.get());
        Some(())
    }

    /// Takes a contribution back out; `None` if it is not there to take.
    fn unrecord(&mut self, original: &ContributionRecorded) -> Option<()> {
        let key = (original.jurisdiction, original.branch);
        let coverage = self.coverage.get_mut(&key)?;
        let cell = coverage.months.get_mut(&original.month)?;
        cell.contributions = cell.contributions.checked_sub(1)?;
        cell.wage = cell.wage.checked_sub(u128::from(original.insured_wage.get()))?;
        cell.employer_paid = cell.employer_paid.checked_sub(u128::from(original.employer_share.get()))?;
        cell.worker_paid = cell.worker_paid.checked_sub(u128::from(original.worker_share.get()))?;
        let slot = &mut cell.sectors[sector_slot(original.sector)];
        *slot = slot.checked_sub(1)?;
        if original.insurance == Insurance::Voluntary {
            cell.voluntary = cell.voluntary.checked_sub(1)?;
        }
        // Keep the state canonical: a month with nothing left in it is gone, as if never recorded.
        if cell.contributions == 0 && cell.credits == 0 && cell.certified == 0 {
            coverage.months.remove(&original.month);
        }
        if coverage.months.is_empty() {
            self.coverage.remove(&key);
        }
        Some(())
    }
}

/// The jurisdiction an event about a worker happened in.
pub(crate) fn event_jurisdiction(event: &Event) -> Option<Jurisdiction> {
    match event {
        Event::WorkerEnrolled(e) => Some(e.enrolled_in),
        Event::ContributionRecorded(e) => Some(e.jurisdiction),
        Event::ContributionReversed(e) => Some(e.jurisdiction),
        Event::ContributionCorrected(e) => Some(e.jurisdiction),
        Event::BenefitApplied(e) => Some(e.jurisdiction),
        Event::PeriodCertified(e) => Some(e.jurisdiction),
        Event::PeriodCredited(e) => Some(e.jurisdiction),
        Event::EntitlementGranted(e) => Some(e.jurisdiction),
        Event::EntitlementStatusChanged(e) => Some(e.jurisdiction),
        Event::BenefitPaid(e) => Some(e.jurisdiction),
        Event::ResidenceChanged(e) => Some(e.country),
        Event::ClaimFiled(e) => Some(e.addressed_to),
        Event::ClaimResolved(e) => Some(e.jurisdiction),
        Event::ClaimAppealed(e) => Some(e.jurisdiction),
        Event::AppealDecided(e) => Some(e.jurisdiction),
        Event::CredentialReplaced(e) => e.reset_by,
        // A recruitment cost is no record of insurance in either country of its corridor.
        Event::AccessChanged(_)
        | Event::RecruitmentCostRecorded(_)
        | Event::ConsentChanged(_)
        | Event::RulesAdopted(_) => None,
    }
}
