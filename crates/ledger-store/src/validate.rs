//! The writer's checks of a command against the rules in force and the state of the ledger as the
//! group has left it. A command that passes becomes the events it appends.

use ledger_core::{
    AccessChange, AccessChanged, BenefitApplied, BenefitPaid, ClaimAppealed, ClaimFiled, ClaimOutcome,
    ClaimResolved, ConsentChanged, ContributionCorrected, ContributionRecorded, ContributionReversed,
    CredentialReplaced, Currency, EntitlementGranted, EntitlementStatusChanged, Event, Figures, InvalidInput,
    Jurisdiction, Month, PeriodCertified, PeriodCredited, PrincipalId, RecruitmentCostRecorded,
    ResidenceChanged, Seq, Text, WorkerEnrolled, WorkerId,
};
use ledger_projections::{EntitlementStatus, WorkerFacts};

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ledger_rules::Rules;

use crate::access::{WorkerAccess, PASSKEYS_PER_WORKER_MAX, PIN_ATTEMPTS_MAX};
use crate::command::{Action, Actor, ClaimRequest, PeriodCertification, RecruitmentCostRequest};
use crate::error::{Result, StoreError};
use crate::writer::Planned;

/// What the checks read of the ledger: the rules in force, the durable log's size, workers' facts,
/// earlier events and reversals. Read-only; the writer implements it over the store and the
/// applier, the tests below over maps, and a replica will over its own state.
pub(crate) trait View {
    fn rules(&self) -> &Rules;
    /// The worker's facts as of the durable head; none when she is not enrolled.
    fn facts(&self, worker_id: &WorkerId) -> Result<Option<Arc<WorkerFacts>>>;
    /// The durable event at `seq`, which is below the durable head.
    fn event(&self, seq: Seq) -> Result<Event>;
    /// The seq of the durable event that reversed the contribution at `seq`, if one did.
    fn reversed_by(&self, seq: Seq) -> Result<Option<Seq>>;
    /// The seq of the last durable contribution with this key ([`keys::recorded`]), if any.
    fn recorded(&self, key: &[u8]) -> Result<Option<Seq>>;
    /// The seq of the last durable correction of the contribution at `seq`, if one was made.
    fn corrected_by(&self, seq: Seq) -> Result<Option<Seq>>;
    /// The worker's portal access as the durable commits left it.
    fn access(&self, worker_id: &WorkerId) -> Result<Option<WorkerAccess>>;
}

/// What the checks plan for one contribution of a [`Action::RecordOrCorrect`]: the event at this
/// index of the command's events, or a correction of a recorded one, or nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemPlan {
    New(usize),
    Corrected(Seq),
    Unchanged(Seq),
}

/// What a group commit's checks have seen and changed so far, on top of the view: the facts the
/// group's events changed, those it read, and the contributions it reversed.
#[derive(Debug)]
pub(crate) struct Checks {
    /// When the group's events are recorded, and the log's size before them.
    pub recorded_at: DateTime<Utc>,
    pub start: u64,
    /// Facts of the workers the group's events changed, as the group leaves them.
    pub facts: HashMap<WorkerId, WorkerFacts>,
    /// Facts read during the group and not changed by it.
    loaded: HashMap<WorkerId, Option<Arc<WorkerFacts>>>,
    /// Contributions the group reversed, and by which seq.
    pub reversals: HashMap<Seq, Seq>,
    /// Contributions the group recorded, by their key ([`keys::recorded`]), and each by its seq.
    pub recorded: HashMap<Vec<u8>, Seq>,
    pub contributions: HashMap<Seq, ContributionRecorded>,
    /// The figures the group's corrections gave contributions, by the contribution's seq.
    pub corrections: HashMap<Seq, Figures>,
    /// The plan of each contribution of the last [`Action::RecordOrCorrect`] checked.
    pub items: Vec<ItemPlan>,
    /// Workers' portal access as the group's commands leave it, written with the group.
    pub access: HashMap<WorkerId, WorkerAccess>,
}

impl Checks {
    pub fn new(recorded_at: DateTime<Utc>, start: u64) -> Checks {
        Checks {
            recorded_at,
            start,
            facts: HashMap::new(),
            loaded: HashMap::new(),
            reversals: HashMap::new(),
            recorded: HashMap::new(),
            contributions: HashMap::new(),
            corrections: HashMap::new(),
            items: Vec::new(),
            access: HashMap::new(),
        }
    }
}

/// The checks of one command: pure functions of the view, the group's state so far and the command.
pub(crate) struct Check<'a, V: View> {
    pub view: &'a V,
    pub group: &'a mut Checks,
}

/// How far ahead of the day it is recorded an application's risk date may be: a year, as
/// institutions take applications before the pension is due.
pub const RISK_DATE_AHEAD_DAYS_MAX: u64 = 366;

/// Open claims one worker may have at once. Far more than a working life's disputes; it bounds
/// what one worker (or one stolen credential) can put in front of the agencies' queues.
pub const OPEN_CLAIMS_PER_WORKER_MAX: usize = 100;

/// Attempts at drawing an unused random worker id before giving up (80 random bits: a second
/// attempt is already astronomically rare).
const WORKER_ID_ATTEMPTS_MAX: usize = 8;

impl<V: View> Check<'_, V> {
    pub(crate) fn events_for(&mut self, actor: &Actor, action: &Action) -> Result<Vec<Planned>> {
        let this_month = Month::containing(self.group.recorded_at);
        // Every action but a claim is an agency's, for its own jurisdiction.
        let agency = || {
            actor.jurisdiction().ok_or_else(|| {
                StoreError::PermissionDenied(format!(
                    "{} is not an agency and may not write",
                    actor.principal()
                ))
            })
        };
        let one = |event| Ok(vec![Planned::new(event)]);
        match action {
            Action::FileClaim(claim) => one(self.claim_filed(actor, this_month, claim)?),
            Action::FileGroupClaim(members) => {
                if !matches!(actor, Actor::Organisation { .. }) {
                    return Err(StoreError::PermissionDenied(format!(
                        "{} is no workers' organisation: a group claim is an organisation's",
                        actor.principal()
                    )));
                }
                let mut workers = std::collections::BTreeSet::new();
                let mut planned = Vec::with_capacity(members.len());
                for (index, member) in members.iter().enumerate() {
                    if !workers.insert(&member.worker_id) {
                        return Err(StoreError::Invalid(InvalidInput::new(
                            format!("members[{index}].worker_id"),
                            format!("{} is in the group already", member.worker_id),
                        )));
                    }
                    // The member refused is named, so that the organisation knows whom to ask.
                    let filed = self.claim_filed(actor, this_month, member);
                    planned.push(Planned::new(filed.map_err(|error| error.within_index("members", index))?));
                }
                Ok(planned)
            }
            Action::RecordRecruitmentCost(cost) => one(self.recruitment_cost(actor, this_month, cost)?),
            Action::ChangeConsent { worker_id, organisation, registered_in, granted } => {
                one(self.consent_changed(actor, worker_id, organisation, *registered_in, *granted)?)
            }
            Action::ResolveClaim { claim, outcome, reason, contributions } => {
                self.claim_resolved(agency()?, this_month, *claim, *outcome, reason, contributions)
            }
            Action::AppealClaim { claim, grounds_sha256 } => {
                one(self.claim_appealed(actor, *claim, *grounds_sha256)?)
            }
            Action::DecideAppeal { claim, outcome, reason, contributions } => {
                self.appeal_decided(actor, this_month, *claim, *outcome, reason, contributions)
            }
            Action::EnrollWorker { origin, sex, birth_month, credential: _, activation } => {
                let agency = agency()?;
                self.check_known("origin_jurisdiction", *origin)?;
                not_future("birth_month", *birth_month, this_month)?;
                let worker_id = self.fresh_worker_id()?;
                if let Some(activation) = activation {
                    self.group.access.insert(worker_id.clone(), WorkerAccess::issued(*activation));
                }
                one(Event::WorkerEnrolled(WorkerEnrolled {
                    worker_id,
                    origin: *origin,
                    enrolled_in: agency,
                    sex: *sex,
                    birth_month: *birth_month,
                }))
            }
            Action::RecordContributions(items) => self.contributions(agency()?, this_month, items),
            Action::RecordOrCorrect { items, reason } => {
                let (planned, plans) = self.record_or_correct(agency()?, this_month, items, reason)?;
                self.group.items = plans;
                Ok(planned)
            }
            Action::CertifyPeriods(items) => {
                let agency = agency()?;
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        let within = |error: StoreError| error.within_index("periods", index);
                        let event = self.certified(agency, this_month, item).map_err(within)?;
                        Ok(Planned::new(Event::PeriodCertified(event)))
                    })
                    .collect()
            }
            Action::ApplyForBenefit { worker_id, branch, risk_date } => {
                let agency = agency()?;
                let facts = self.enrolled(worker_id)?;
                if !facts.records_in.contains(&agency) && facts.residence != Some(agency) {
                    return Err(StoreError::PermissionDenied(format!(
                        "worker {worker_id} has no record in {agency} and does not live there: an application \
                         is lodged where she was insured or lives"
                    )));
                }
                let today = self.group.recorded_at.date_naive();
                let latest = today + chrono::Days::new(RISK_DATE_AHEAD_DAYS_MAX);
                let earliest = chrono::NaiveDate::from_ymd_opt(i32::from(ledger_core::MONTH_YEAR_MIN), 1, 1);
                if *risk_date > latest || earliest.is_some_and(|earliest| *risk_date < earliest) {
                    return Err(InvalidInput::new(
                        "risk_date",
                        format!("{risk_date} is not between {} and {latest}", ledger_core::MONTH_YEAR_MIN),
                    )
                    .into());
                }
                one(Event::BenefitApplied(BenefitApplied {
                    worker_id: worker_id.clone(),
                    jurisdiction: agency,
                    branch: *branch,
                    risk_date: *risk_date,
                }))
            }
            Action::CorrectContribution { seq, figures, reason } => {
                let agency = agency()?;
                let contribution = self.check_live(agency, "correct", *seq)?;
                if contribution.figures() == *figures {
                    return Err(StoreError::FailedPrecondition(format!(
                        "the contribution at seq {seq} already has these figures"
                    )));
                }
                one(self.correction(*seq, &contribution, *figures, reason))
            }
            Action::CreditPeriods(items) => {
                let agency = agency()?;
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        self.check_period(agency, this_month, item)
                            .map_err(|error| error.within_index("periods", index))?;
                        Ok(Planned::new(Event::PeriodCredited(item.clone())))
                    })
                    .collect()
            }
            Action::ReverseContribution { seq, reason } => {
                let reversed = self.check_reversal(agency()?, *seq)?;
                let event = Event::ContributionReversed(ContributionReversed {
                    reversed_seq: *seq,
                    worker_id: reversed.worker_id.clone(),
                    jurisdiction: reversed.jurisdiction,
                    reason: reason.clone(),
                });
                Ok(vec![Planned { event, reversed: Some(reversed) }])
            }
            Action::GrantEntitlement { worker_id, jurisdiction, branch, currency, monthly_amount, start } => {
                self.check_own(agency()?, *jurisdiction)?;
                self.check_currency(*jurisdiction, *currency)?;
                self.check_enrolled(worker_id)?;
                one(Event::EntitlementGranted(EntitlementGranted {
                    worker_id: worker_id.clone(),
                    jurisdiction: *jurisdiction,
                    branch: *branch,
                    currency: *currency,
                    monthly_amount: *monthly_amount,
                    start: *start,
                }))
            }
            Action::ChangeEntitlementStatus { entitlement, change, effective, reason } => {
                let (granted, status) = self.entitlement(agency()?, *entitlement)?;
                if status.after(*change).is_none() {
                    return Err(StoreError::FailedPrecondition(format!(
                        "entitlement {entitlement} is {} and cannot be {}",
                        status.label(),
                        change.label()
                    )));
                }
                one(Event::EntitlementStatusChanged(EntitlementStatusChanged {
                    entitlement: *entitlement,
                    worker_id: granted.worker_id,
                    jurisdiction: granted.jurisdiction,
                    change: *change,
                    effective: *effective,
                    reason: reason.clone(),
                }))
            }
            Action::RecordBenefitPayment { entitlement, month, currency, amount, paid_into } => {
                let (granted, status) = self.entitlement(agency()?, *entitlement)?;
                if status != EntitlementStatus::Active {
                    return Err(StoreError::FailedPrecondition(format!(
                        "entitlement {entitlement} is {} and cannot be paid",
                        status.label()
                    )));
                }
                if *currency != granted.currency {
                    return Err(InvalidInput::new(
                        "currency",
                        format!("{currency} is not the entitlement's currency ({})", granted.currency),
                    )
                    .into());
                }
                not_future("month", Some(*month), this_month)?;
                self.check_known("paid_into", *paid_into)?;
                let today = self.group.recorded_at.date_naive();
                if !self.view.rules().payable_into(granted.jurisdiction, granted.branch, *paid_into, today) {
                    return Err(StoreError::FailedPrecondition(format!(
                        "{} benefits of {} are not exported to {paid_into}: no agreement between them that \
                         covers the branch exports them",
                        granted.branch, granted.jurisdiction
                    )));
                }
                one(Event::BenefitPaid(BenefitPaid {
                    entitlement: *entitlement,
                    worker_id: granted.worker_id,
                    jurisdiction: granted.jurisdiction,
                    month: *month,
                    currency: *currency,
                    amount: *amount,
                    paid_into: *paid_into,
                }))
            }
            Action::ReplaceCredential { worker_id, credential: _, activation } => {
                let event = self.credential_replaced(actor, worker_id)?;
                if let Some(activation) = activation {
                    self.group.access.insert(worker_id.clone(), WorkerAccess::issued(*activation));
                }
                one(event)
            }
            Action::ActivateAccess { worker_id, code, pin } => {
                let mut access = self.own_access(actor, worker_id)?;
                let usable =
                    access.activation.filter(|activation| activation.expires_at > self.group.recorded_at);
                if usable.is_none_or(|activation| activation.digest != *code) {
                    return Err(StoreError::FailedPrecondition(
                        "this activation code is not the worker's, was used already or has expired: \
                         an agency's reset gives a new one"
                            .into(),
                    ));
                }
                access.activation = None;
                access.pin = Some(*pin);
                self.group.access.insert(worker_id.clone(), access);
                let change = AccessChange::PinSet;
                one(Event::AccessChanged(AccessChanged { worker_id: worker_id.clone(), change }))
            }
            Action::AddPasskey { worker_id, passkey } => {
                let mut access = self.own_access(actor, worker_id)?;
                if access.pin.is_none() {
                    return Err(StoreError::FailedPrecondition(
                        "a passkey is added by a worker whose PIN is set and not locked".into(),
                    ));
                }
                if access.passkeys.iter().any(|held| held.credential_id == passkey.credential_id) {
                    return Err(StoreError::FailedPrecondition("this passkey is hers already".into()));
                }
                if access.passkeys.len() >= PASSKEYS_PER_WORKER_MAX {
                    return Err(StoreError::FailedPrecondition(format!(
                        "a worker holds at most {PASSKEYS_PER_WORKER_MAX} passkeys"
                    )));
                }
                access.passkeys.push((**passkey).clone());
                self.group.access.insert(worker_id.clone(), access);
                let change = AccessChange::PasskeyAdded;
                one(Event::AccessChanged(AccessChanged { worker_id: worker_id.clone(), change }))
            }
            Action::LockAccess { worker_id, failed_attempts } => {
                let access = self.own_access(actor, worker_id)?;
                if *failed_attempts < PIN_ATTEMPTS_MAX || !access.is_open() {
                    return Err(StoreError::FailedPrecondition(format!(
                        "access is locked after {PIN_ATTEMPTS_MAX} wrong attempts in a row, and only while open"
                    )));
                }
                self.group.access.insert(worker_id.clone(), WorkerAccess::default());
                let change = AccessChange::Locked { failed_attempts: *failed_attempts };
                one(Event::AccessChanged(AccessChanged { worker_id: worker_id.clone(), change }))
            }
            Action::RecordResidenceChange { worker_id, country, from } => {
                // The agency of the country the worker now lives in records the move.
                self.check_own(agency()?, *country)?;
                not_future("from_month", Some(*from), this_month)?;
                self.check_enrolled(worker_id)?;
                one(Event::ResidenceChanged(ResidenceChanged {
                    worker_id: worker_id.clone(),
                    country: *country,
                    from: *from,
                }))
            }
        }
    }

    /// The portal access of the enrolled worker acting for herself, as the group has left it.
    fn own_access(&mut self, actor: &Actor, worker_id: &WorkerId) -> Result<WorkerAccess> {
        if actor.worker() != Some(worker_id) {
            return Err(StoreError::PermissionDenied(format!(
                "{} may change only their own access",
                actor.principal()
            )));
        }
        self.enrolled(worker_id)?;
        match self.group.access.get(worker_id) {
            Some(access) => Ok(access.clone()),
            None => Ok(self.view.access(worker_id)?.unwrap_or_default()),
        }
    }

    /// A credential replaced by the worker herself, or reset for her by an agency of her origin or
    /// of the jurisdiction that enrolled her: the agencies she can go to in person to prove who she
    /// is. Any other agency would be taking her record over.
    fn credential_replaced(&mut self, actor: &Actor, worker_id: &WorkerId) -> Result<Event> {
        let projection = self.enrolled(worker_id)?;
        let reset_by = match (actor.worker(), actor.jurisdiction()) {
            (Some(own), _) if own == worker_id => None,
            (None, Some(agency)) if agency == projection.origin || agency == projection.enrolled_in => {
                Some(agency)
            }
            (Some(_), _) => {
                return Err(StoreError::PermissionDenied(format!(
                    "{} may replace only their own credential",
                    actor.principal()
                )))
            }
            (None, Some(agency)) => {
                return Err(StoreError::PermissionDenied(format!(
                    "an agency of {agency} may not reset the credential of {worker_id}: only an agency of \
                     her origin ({}) or of the jurisdiction that enrolled her ({}) may",
                    projection.origin, projection.enrolled_in
                )))
            }
            (None, None) => {
                return Err(StoreError::PermissionDenied(format!(
                    "{} is neither the worker nor an agency and may not replace a credential",
                    actor.principal()
                )))
            }
        };
        Ok(Event::CredentialReplaced(CredentialReplaced { worker_id: worker_id.clone(), reset_by }))
    }

    /// A batch of contributions, each checked; a failure names the item. A contribution whose
    /// worker, jurisdiction, branch, month and employer already have a live one is refused.
    fn contributions(
        &mut self,
        agency: Jurisdiction,
        this_month: Month,
        items: &[ContributionRecorded],
    ) -> Result<Vec<Planned>> {
        let mut keys: HashMap<Vec<u8>, usize> = HashMap::new();
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                let within = |error: StoreError| error.within_index("contributions", index);
                self.check_contribution(agency, this_month, item).map_err(within)?;
                let key = once_in_request(&mut keys, item, index).map_err(within)?;
                if let Some(seq) = self.live_recorded(&key)? {
                    return Err(within(already_recorded(item, seq)));
                }
                Ok(Planned::new(Event::ContributionRecorded(item.clone())))
            })
            .collect()
    }

    /// A batch of contributions of which some may repeat recorded ones: those correct the
    /// recorded one when their figures differ, and are left out when they are the same.
    fn record_or_correct(
        &mut self,
        agency: Jurisdiction,
        this_month: Month,
        items: &[ContributionRecorded],
        reason: &Text,
    ) -> Result<(Vec<Planned>, Vec<ItemPlan>)> {
        let mut keys: HashMap<Vec<u8>, usize> = HashMap::new();
        let (mut planned, mut plans) = (Vec::new(), Vec::with_capacity(items.len()));
        for (index, item) in items.iter().enumerate() {
            let within = |error: StoreError| error.within_index("contributions", index);
            self.check_contribution(agency, this_month, item).map_err(within)?;
            let key = once_in_request(&mut keys, item, index).map_err(within)?;
            let Some(seq) = self.live_recorded(&key)? else {
                plans.push(ItemPlan::New(planned.len()));
                planned.push(Planned::new(Event::ContributionRecorded(item.clone())));
                continue;
            };
            let recorded = self.contribution_now(seq)?;
            if recorded.sector != item.sector {
                return Err(within(StoreError::FailedPrecondition(format!(
                    "the contribution at seq {seq} is of sector {}, not {}: reverse it and record this one",
                    recorded.sector, item.sector
                ))));
            }
            if recorded.figures() == item.figures() {
                plans.push(ItemPlan::Unchanged(seq));
                continue;
            }
            plans.push(ItemPlan::Corrected(seq));
            planned.push(Planned::new(self.correction(seq, &recorded, item.figures(), reason)));
        }
        Ok((planned, plans))
    }

    /// The event certifying `item`: its months converted by the scheme of the agency's
    /// jurisdiction for the branch, under the rules in force (Reg. 987/2009 Art. 13), never more
    /// than the months it spans.
    fn certified(
        &mut self,
        agency: Jurisdiction,
        this_month: Month,
        item: &PeriodCertification,
    ) -> Result<PeriodCertified> {
        self.check_own(agency, item.jurisdiction)?;
        PeriodCredited::check_span(item.from, item.to)?;
        not_future("to_month", Some(item.to), this_month)?;
        self.check_enrolled(&item.worker_id)?;
        let scheme = self.view.rules().scheme(item.jurisdiction, item.branch).ok_or_else(|| {
            StoreError::FailedPrecondition(format!(
                "the rules in force have no {} scheme of {} to convert certified periods by",
                item.branch, item.jurisdiction
            ))
        })?;
        let converted =
            scheme.converted_months(item.unit, item.quantity).map_err(StoreError::FailedPrecondition)?;
        let span = item.to.ordinal() - item.from.ordinal() + 1;
        Ok(PeriodCertified {
            worker_id: item.worker_id.clone(),
            jurisdiction: item.jurisdiction,
            branch: item.branch,
            from: item.from,
            to: item.to,
            unit: item.unit,
            quantity: item.quantity,
            insurance: item.insurance,
            months: converted.min(span),
        })
    }

    /// The correction of the contribution at `seq` (as `current` has it now) to `figures`.
    fn correction(&self, seq: Seq, current: &ContributionRecorded, figures: Figures, reason: &Text) -> Event {
        Event::ContributionCorrected(ContributionCorrected {
            corrected_seq: seq,
            worker_id: current.worker_id.clone(),
            jurisdiction: current.jurisdiction,
            branch: current.branch,
            month: current.month,
            currency: current.currency,
            before: current.figures(),
            after: figures,
            reason: reason.clone(),
        })
    }

    /// The live contribution with this key, as the group has left the ledger: the last recorded,
    /// unless it was reversed.
    fn live_recorded(&mut self, key: &[u8]) -> Result<Option<Seq>> {
        let seq = match self.group.recorded.get(key) {
            Some(seq) => Some(*seq),
            None => self.view.recorded(key)?,
        };
        let Some(seq) = seq else { return Ok(None) };
        Ok(match self.reversal_of(seq)? {
            Some(_) => None,
            None => Some(seq),
        })
    }

    /// The seq that reversed the contribution at `seq`, in the group or before it.
    fn reversal_of(&self, seq: Seq) -> Result<Option<Seq>> {
        match self.group.reversals.get(&seq) {
            Some(by) => Ok(Some(*by)),
            None => self.view.reversed_by(seq),
        }
    }

    /// The contribution at `seq` with the figures its last correction gave it (or as recorded),
    /// as the group has left the ledger.
    fn contribution_now(&self, seq: Seq) -> Result<ContributionRecorded> {
        let recorded = match self.group.contributions.get(&seq) {
            Some(contribution) => contribution.clone(),
            None => match self.view.event(seq)? {
                Event::ContributionRecorded(contribution) => contribution,
                other => {
                    return Err(StoreError::Corruption {
                        seq,
                        reason: format!("the index of contributions names a {}", other.name()),
                    })
                }
            },
        };
        if let Some(figures) = self.group.corrections.get(&seq) {
            return Ok(recorded.with_figures(*figures));
        }
        crate::rebuild::corrected(recorded, self.view.corrected_by(seq)?, |at| self.view.event(at))
    }

    /// Her consent to a workers' organisation: only she gives it or takes it back, and only a
    /// change is recorded (given when not held, taken back when held).
    fn consent_changed(
        &mut self,
        actor: &Actor,
        worker_id: &WorkerId,
        organisation: &PrincipalId,
        registered_in: Option<Jurisdiction>,
        granted: bool,
    ) -> Result<Event> {
        if actor.worker() != Some(worker_id) {
            return Err(StoreError::PermissionDenied(format!(
                "only {worker_id} gives or takes back her consent; {} may not",
                actor.principal()
            )));
        }
        let held = self.enrolled(worker_id)?.consents.get(organisation).copied();
        let registered_in = match (granted, held, registered_in) {
            (true, Some(_), _) => {
                return Err(StoreError::FailedPrecondition(format!(
                    "{worker_id} has already given {organisation} her consent"
                )))
            }
            (true, None, Some(registered_in)) => {
                self.check_known("registered_in", registered_in)?;
                registered_in
            }
            (true, None, None) => {
                return Err(InvalidInput::new(
                    "registered_in",
                    "a consent given names where the organisation is registered",
                )
                .into())
            }
            // Taken back as given: where the consent she gave said it is registered.
            (false, Some(registered_in), _) => registered_in,
            (false, None, _) => {
                return Err(StoreError::FailedPrecondition(format!(
                    "{worker_id} holds no consent given to {organisation} to take back"
                )))
            }
        };
        Ok(Event::ConsentChanged(ConsentChanged {
            worker_id: worker_id.clone(),
            organisation: organisation.clone(),
            registered_in,
            granted,
        }))
    }

    /// A recruitment cost: the corridor runs from her origin to a jurisdiction of the rules; an
    /// agency records one of its corridor from its own records, a worker declares her own.
    fn recruitment_cost(
        &mut self,
        actor: &Actor,
        this_month: Month,
        cost: &RecruitmentCostRequest,
    ) -> Result<Event> {
        let worker_id = &cost.worker_id;
        if actor.worker().is_some_and(|worker| worker != worker_id) {
            return Err(StoreError::PermissionDenied(format!(
                "{} may declare recruitment costs only for their own record",
                actor.principal()
            )));
        }
        self.check_known("destination", cost.destination)?;
        let origin = self.enrolled(worker_id)?.origin;
        if cost.destination == origin {
            return Err(StoreError::Invalid(InvalidInput::new(
                "destination",
                format!("the corridor runs from {worker_id}'s origin {origin} to another jurisdiction"),
            )));
        }
        let declared = match (actor.worker(), actor.jurisdiction()) {
            (Some(_), _) => true,
            (None, Some(agency)) if agency == origin || agency == cost.destination => false,
            (None, Some(agency)) => {
                return Err(StoreError::PermissionDenied(format!(
                "an agency of {agency} records recruitment costs of its own corridors only: this one runs \
                     from {origin} to {}",
                cost.destination
            )))
            }
            (None, None) => {
                return Err(StoreError::PermissionDenied(format!(
                    "{} is neither the worker nor an agency and may not record a recruitment cost",
                    actor.principal()
                )))
            }
        };
        if cost.lender.is_some() != (cost.paid_by == ledger_core::CostPayer::Loan) {
            return Err(StoreError::Invalid(InvalidInput::new(
                "lender",
                "a lender is named exactly when a loan paid the cost",
            )));
        }
        not_future("paid_in", Some(cost.paid_in), this_month)?;
        Ok(Event::RecruitmentCostRecorded(RecruitmentCostRecorded {
            worker_id: worker_id.clone(),
            origin,
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
            declared,
        }))
    }

    /// A claim by the worker, by a workers' organisation holding her consent, by an agency of the
    /// addressed jurisdiction, or, once the worker has gone home, by an agency of her origin. It is
    /// addressed where the worker has a record.
    fn claim_filed(&mut self, actor: &Actor, this_month: Month, claim: &ClaimRequest) -> Result<Event> {
        let worker_id = &claim.worker_id;
        if actor.worker().is_some_and(|worker| worker != worker_id) {
            return Err(StoreError::PermissionDenied(format!(
                "{} may file claims only for their own record",
                actor.principal()
            )));
        }
        self.check_known("jurisdiction", claim.addressed_to)?;
        let projection = self.enrolled(worker_id)?;
        if let Actor::Organisation { principal, .. } = actor {
            if !projection.consents.contains_key(principal) {
                return Err(StoreError::PermissionDenied(format!(
                    "{principal} holds no consent of {worker_id} to file her claims"
                )));
            }
        }
        let filed_via = match (actor.worker(), actor.jurisdiction()) {
            (Some(_), _) => None,
            (None, None) if matches!(actor, Actor::Organisation { .. }) => None,
            (None, Some(agency)) if agency == claim.addressed_to => Some(agency),
            (None, Some(agency)) if agency == projection.origin && projection.residence == Some(agency) => {
                Some(agency)
            }
            (None, Some(agency)) => {
                return Err(StoreError::PermissionDenied(format!(
                "an agency of {agency} may file a claim addressed to {} only as that jurisdiction's agency, \
                     or as the agency of the worker's origin once they live there again",
                claim.addressed_to
            )))
            }
            (None, None) => {
                return Err(StoreError::PermissionDenied(format!(
                    "{} is neither the worker nor an agency and may not file a claim",
                    actor.principal()
                )))
            }
        };
        if !projection.records_in.contains(&claim.addressed_to) {
            return Err(StoreError::FailedPrecondition(format!(
                "{worker_id} has no record in {}: a claim is addressed to a jurisdiction the worker worked in",
                claim.addressed_to
            )));
        }
        let open = projection.open_claims();
        if open >= OPEN_CLAIMS_PER_WORKER_MAX {
            return Err(StoreError::FailedPrecondition(format!(
                "{worker_id} has {open} open claims, the most a worker may have: wait for an answer to \
                 one, or add these months to an open claim's evidence with its agency"
            )));
        }
        for month in &claim.months {
            not_future("months", Some(*month), this_month)?;
        }
        let rules =
            self.view.rules().jurisdiction(claim.addressed_to).ok_or_else(|| StoreError::NotFound {
                field: "jurisdiction".into(),
                message: format!("{} is not a jurisdiction of the rules in force", claim.addressed_to),
            })?;
        let respond_by =
            self.group.recorded_at.date_naive() + chrono::Days::new(u64::from(rules.claim_response_days));
        Ok(Event::ClaimFiled(ClaimFiled {
            worker_id: worker_id.clone(),
            addressed_to: claim.addressed_to,
            filed_via,
            kind: claim.kind,
            employer_ref: claim.employer_ref.clone(),
            months: claim.months.clone(),
            currency: rules.currency,
            amount: claim.amount,
            evidence_sha256: claim.evidence_sha256,
            respond_by,
        }))
    }

    /// The addressed agency's answer, and when upheld the contributions it records, for the
    /// claimed months of the claimant.
    #[allow(clippy::too_many_arguments)]
    fn claim_resolved(
        &mut self,
        agency: Jurisdiction,
        this_month: Month,
        claim_seq: Seq,
        outcome: ClaimOutcome,
        reason: &Option<Text>,
        contributions: &[ContributionRecorded],
    ) -> Result<Vec<Planned>> {
        let filed = self.filed_claim(claim_seq)?;
        if filed.addressed_to != agency {
            return Err(StoreError::PermissionDenied(format!(
                "claim {claim_seq} is addressed to {}; an agency of {agency} may not resolve it",
                filed.addressed_to
            )));
        }
        let projection = self.enrolled(&filed.worker_id)?;
        let answer = projection.claims.get(&claim_seq).ok_or_else(|| StoreError::Corruption {
            seq: claim_seq,
            reason: "the worker's facts do not know this claim".into(),
        })?;
        if let Some((earlier, at)) = answer {
            return Err(StoreError::FailedPrecondition(format!(
                "claim {claim_seq} was already resolved ({}) at seq {at}",
                earlier.label()
            )));
        }
        self.answer(&filed, claim_seq, this_month, Answer { outcome, reason, contributions }, false)
    }

    /// The claim filed at `seq`; refused when that event is no claim.
    fn filed_claim(&self, seq: Seq) -> Result<ClaimFiled> {
        match self.earlier_event("claim_seq", seq)? {
            Event::ClaimFiled(filed) => Ok(filed),
            other => {
                Err(StoreError::FailedPrecondition(format!("seq {seq} is a {}, not a claim", other.name())))
            }
        }
    }

    /// Her appeal of the answer to a claim, to the body the rules in force name for the claim's
    /// jurisdiction, which must decide within the days they give it. She appeals, or a workers'
    /// organisation holding her consent, or the agency of her origin once she lives there again;
    /// never the agency that answered. An answer is appealed once.
    fn claim_appealed(&mut self, actor: &Actor, claim_seq: Seq, grounds_sha256: [u8; 32]) -> Result<Event> {
        let may_not = || {
            StoreError::PermissionDenied(format!(
                "{} may not appeal claim {claim_seq}: she appeals, or a workers' organisation with her \
                 consent, or the agency of her origin once she lives there again",
                actor.principal()
            ))
        };
        let filed = match self.filed_claim(claim_seq) {
            Ok(filed) => filed,
            // A worker or an organisation learns nothing of what another seq holds: it is refused
            // as another worker's claim is.
            Err(StoreError::NotFound { .. } | StoreError::FailedPrecondition(_))
                if !matches!(actor, Actor::Agency { .. }) =>
            {
                return Err(may_not())
            }
            Err(error) => return Err(error),
        };
        let worker_id = &filed.worker_id;
        let facts = self.enrolled(worker_id)?;
        let filed_via = match actor {
            Actor::Worker { worker, .. } if worker == worker_id => None,
            Actor::Organisation { principal, .. } if facts.consents.contains_key(principal) => None,
            Actor::Organisation { principal, .. } => {
                return Err(StoreError::PermissionDenied(format!(
                    "{principal} holds no consent of {worker_id} to appeal for her"
                )))
            }
            Actor::Agency { jurisdiction, .. }
                if *jurisdiction == facts.origin
                    && facts.residence == Some(*jurisdiction)
                    && *jurisdiction != filed.addressed_to =>
            {
                Some(*jurisdiction)
            }
            _ => return Err(may_not()),
        };
        match facts.claims.get(&claim_seq) {
            Some(Some(_)) => {}
            Some(None) => {
                return Err(StoreError::FailedPrecondition(format!(
                    "claim {claim_seq} is not answered yet: an appeal is of an answer"
                )))
            }
            None => {
                return Err(StoreError::Corruption {
                    seq: claim_seq,
                    reason: "the worker's facts do not know this claim".into(),
                })
            }
        }
        if let Some(earlier) = facts.appeals.get(&claim_seq) {
            return Err(StoreError::FailedPrecondition(format!(
                "the answer to claim {claim_seq} was appealed at seq {}: an answer is appealed once",
                earlier.seq
            )));
        }
        let rules =
            self.view.rules().jurisdiction(filed.addressed_to).ok_or_else(|| StoreError::NotFound {
                field: "claim_seq".into(),
                message: format!("{} is not a jurisdiction of the rules in force", filed.addressed_to),
            })?;
        let appeal_body = rules.appeal_body.clone().ok_or_else(|| {
            StoreError::FailedPrecondition(format!(
                "the rules in force name no appeal body for {}: its answers cannot be appealed on the ledger",
                filed.addressed_to
            ))
        })?;
        let respond_by =
            self.group.recorded_at.date_naive() + chrono::Days::new(u64::from(rules.appeal_response_days));
        Ok(Event::ClaimAppealed(ClaimAppealed {
            claim: claim_seq,
            worker_id: worker_id.clone(),
            jurisdiction: filed.addressed_to,
            filed_via,
            appeal_body,
            grounds_sha256,
            respond_by,
        }))
    }

    /// The appeal body's decision on an appeal made to it, and when upheld the contributions it
    /// records for the claimed months, as a resolution records them.
    fn appeal_decided(
        &mut self,
        actor: &Actor,
        this_month: Month,
        claim_seq: Seq,
        outcome: ClaimOutcome,
        reason: &Option<Text>,
        contributions: &[ContributionRecorded],
    ) -> Result<Vec<Planned>> {
        let Actor::AppealBody { principal, jurisdiction } = actor else {
            return Err(StoreError::PermissionDenied(format!(
                "{} is no appeal body and may not decide an appeal",
                actor.principal()
            )));
        };
        let filed = self.filed_claim(claim_seq)?;
        let facts = self.enrolled(&filed.worker_id)?;
        let appeal = facts.appeals.get(&claim_seq).ok_or_else(|| {
            StoreError::FailedPrecondition(format!("the answer to claim {claim_seq} is not appealed"))
        })?;
        if appeal.body != *principal || filed.addressed_to != *jurisdiction {
            return Err(StoreError::PermissionDenied(format!(
                "the appeal of claim {claim_seq} is to {}; {principal} may not decide it",
                appeal.body
            )));
        }
        if let Some(at) = appeal.decision {
            return Err(StoreError::FailedPrecondition(format!(
                "the appeal of claim {claim_seq} was decided at seq {at}"
            )));
        }
        self.answer(&filed, claim_seq, this_month, Answer { outcome, reason, contributions }, true)
    }

    /// An answer to the claim filed at `claim_seq` (the agency's resolution, or `on_appeal` the
    /// appeal body's decision), checked against it, and the contributions it records after it: a
    /// month the agency had recorded from this employer is corrected, not counted twice.
    fn answer(
        &mut self,
        filed: &ClaimFiled,
        claim_seq: Seq,
        this_month: Month,
        answer: Answer<'_>,
        on_appeal: bool,
    ) -> Result<Vec<Planned>> {
        let Answer { outcome, reason, contributions } = answer;
        check_answer(filed, outcome, reason, contributions)?;
        let why = if on_appeal { "upheld on appeal" } else { "upheld" };
        let why = Text::parse("reason", &format!("claim {claim_seq} {why}"), ledger_core::REASON_LEN_MAX)?;
        let (recorded, _) = self.record_or_correct(filed.addressed_to, this_month, contributions, &why)?;
        let answer = ClaimResolved {
            claim: claim_seq,
            worker_id: filed.worker_id.clone(),
            jurisdiction: filed.addressed_to,
            outcome,
            reason: reason.clone(),
            contributions: recorded.len() as u32,
        };
        let event = if on_appeal { Event::AppealDecided(answer) } else { Event::ClaimResolved(answer) };
        let mut planned = vec![Planned::new(event)];
        planned.extend(recorded);
        Ok(planned)
    }

    fn check_known(&self, field: &str, jurisdiction: Jurisdiction) -> Result<()> {
        if self.view.rules().jurisdiction(jurisdiction).is_none() {
            return Err(StoreError::NotFound {
                field: field.into(),
                message: format!("{jurisdiction} is not a jurisdiction of the rules in force"),
            });
        }
        Ok(())
    }

    fn check_own(&self, agency: Jurisdiction, jurisdiction: Jurisdiction) -> Result<()> {
        self.check_known("jurisdiction", jurisdiction)?;
        if agency != jurisdiction {
            return Err(StoreError::PermissionDenied(format!(
                "an agency of {agency} may not write for {jurisdiction}"
            )));
        }
        Ok(())
    }

    fn check_currency(&self, jurisdiction: Jurisdiction, currency: Currency) -> Result<()> {
        let expected = self.view.rules().currency_of(jurisdiction);
        if expected != Some(currency) {
            let expected = expected.map_or_else(|| "none".to_owned(), |c| c.to_string());
            return Err(InvalidInput::new(
                "currency",
                format!("{currency} is not the currency of {jurisdiction} ({expected})"),
            )
            .into());
        }
        Ok(())
    }

    /// The worker's facts as the group has left them; none when she is not enrolled.
    pub(crate) fn facts(&mut self, worker_id: &WorkerId) -> Result<Option<WorkerFacts>> {
        self.with_facts(worker_id, |facts| facts.cloned())
    }

    /// Runs `read` on the worker's facts as the group has left them, without copying them: the
    /// group's own, then those the view gives (read once per group).
    pub(crate) fn with_facts<T>(
        &mut self,
        worker_id: &WorkerId,
        read: impl FnOnce(Option<&WorkerFacts>) -> T,
    ) -> Result<T> {
        if let Some(facts) = self.group.facts.get(worker_id) {
            return Ok(read(Some(facts)));
        }
        if let Some(loaded) = self.group.loaded.get(worker_id) {
            return Ok(read(loaded.as_deref()));
        }
        let loaded = self.view.facts(worker_id)?;
        let answer = read(loaded.as_deref());
        self.group.loaded.insert(worker_id.clone(), loaded);
        Ok(answer)
    }

    fn enrolled(&mut self, worker_id: &WorkerId) -> Result<WorkerFacts> {
        self.facts(worker_id)?.ok_or_else(|| StoreError::NotFound {
            field: "worker_id".into(),
            message: format!("no worker {worker_id}"),
        })
    }
    /// Refuses a worker who is not enrolled, without copying her facts.
    fn check_enrolled(&mut self, worker_id: &WorkerId) -> Result<()> {
        match self.with_facts(worker_id, |facts| facts.is_some())? {
            true => Ok(()),
            false => Err(StoreError::NotFound {
                field: "worker_id".into(),
                message: format!("no worker {worker_id}"),
            }),
        }
    }

    fn check_contribution(
        &mut self,
        agency: Jurisdiction,
        this_month: Month,
        item: &ContributionRecorded,
    ) -> Result<()> {
        self.check_own(agency, item.jurisdiction)?;
        self.check_currency(item.jurisdiction, item.currency)?;
        not_future("month", Some(item.month), this_month)?;
        self.check_enrolled(&item.worker_id)
    }

    fn check_period(&mut self, agency: Jurisdiction, this_month: Month, item: &PeriodCredited) -> Result<()> {
        self.check_own(agency, item.jurisdiction)?;
        PeriodCredited::check_span(item.from, item.to)?;
        not_future("to_month", Some(item.to), this_month)?;
        self.check_enrolled(&item.worker_id)
    }

    /// The contribution at `seq`, with the figures it has now, if this agency may reverse it.
    fn check_reversal(&mut self, agency: Jurisdiction, seq: Seq) -> Result<ContributionRecorded> {
        self.check_live(agency, "reverse", seq)
    }

    /// The durable contribution at `seq`, with the figures it has now, if it is live and of
    /// `agency`'s jurisdiction, which would `verb` it.
    fn check_live(&mut self, agency: Jurisdiction, verb: &str, seq: Seq) -> Result<ContributionRecorded> {
        let event = self.earlier_event("seq", seq)?;
        let Event::ContributionRecorded(contribution) = event else {
            return Err(StoreError::FailedPrecondition(format!(
                "seq {seq} is a {}, not a contribution",
                event.name()
            )));
        };
        if contribution.jurisdiction != agency {
            return Err(StoreError::PermissionDenied(format!(
                "an agency of {agency} may not {verb} a contribution of {}",
                contribution.jurisdiction
            )));
        }
        if let Some(by) = self.reversal_of(seq)? {
            return Err(StoreError::FailedPrecondition(format!(
                "the contribution at seq {seq} was already reversed at seq {by}"
            )));
        }
        self.contribution_now(seq)
    }

    /// The grant of entitlement `seq` and its current status, if this agency may act on it.
    fn entitlement(
        &mut self,
        agency: Jurisdiction,
        seq: Seq,
    ) -> Result<(EntitlementGranted, EntitlementStatus)> {
        let event = self.earlier_event("entitlement_seq", seq)?;
        let Event::EntitlementGranted(granted) = event else {
            return Err(StoreError::FailedPrecondition(format!(
                "seq {seq} is a {}, not an entitlement",
                event.name()
            )));
        };
        if granted.jurisdiction != agency {
            return Err(StoreError::PermissionDenied(format!(
                "an agency of {agency} may not act on an entitlement of {}",
                granted.jurisdiction
            )));
        }
        let projection = self.enrolled(&granted.worker_id)?;
        let status = projection.entitlements.get(&seq).copied().ok_or_else(|| StoreError::Corruption {
            seq,
            reason: "the worker's facts do not know this entitlement".into(),
        })?;
        Ok((granted, status))
    }

    /// The event at `seq`, which must be durable already: a client can only know the seq of an
    /// event it has a receipt for.
    fn earlier_event(&self, field: &str, seq: Seq) -> Result<Event> {
        if seq.0 >= self.group.start {
            return Err(StoreError::NotFound {
                field: field.into(),
                message: format!("no event at seq {seq}"),
            });
        }
        self.view.event(seq)
    }

    fn fresh_worker_id(&mut self) -> Result<WorkerId> {
        for _ in 0..WORKER_ID_ATTEMPTS_MAX {
            let mut random = [0u8; 10];
            getrandom::fill(&mut random).map_err(|error| {
                StoreError::Unavailable(format!("no randomness for a worker id: {error}"))
            })?;
            let worker_id = WorkerId::from_random(random);
            if !self.with_facts(&worker_id, |facts| facts.is_some())? {
                return Ok(worker_id);
            }
        }
        Err(StoreError::Unavailable("could not draw an unused worker id".into()))
    }
}

/// The contribution's key, unless another contribution of the same request has it.
fn once_in_request(
    keys: &mut HashMap<Vec<u8>, usize>,
    item: &ContributionRecorded,
    index: usize,
) -> Result<Vec<u8>> {
    let key = crate::keys::recorded(item);
    if let Some(first) = keys.insert(key.clone(), index) {
        return Err(InvalidInput::new(
            "month",
            format!(
                "contributions[{first}] of this request is for the same worker, jurisdiction, branch, month \
                 and employer"
            ),
        )
        .into());
    }
    Ok(key)
}

/// The refusal of a contribution recorded already, at `seq`.
fn already_recorded(item: &ContributionRecorded, seq: Seq) -> StoreError {
    StoreError::AlreadyRecorded {
        seq,
        message: format!(
            "{} {} {} of employer {} is already recorded for this worker, at seq {seq}; correct it \
             (CorrectContribution) or reverse it",
            item.jurisdiction,
            item.branch,
            item.month,
            item.employer_ref.as_str()
        ),
    }
}

/// An answer to a claim as asked for.
struct Answer<'a> {
    outcome: ClaimOutcome,
    reason: &'a Option<Text>,
    contributions: &'a [ContributionRecorded],
}

/// Checks an answer to a claim (an agency's resolution, or an appeal body's decision) against
/// it: a rejection gives a reason and records nothing; an upheld claim of a kind that records
/// contributions records at least one, each the claimant's and for a claimed month; other kinds
/// are answered without contributions.
fn check_answer(
    filed: &ClaimFiled,
    outcome: ClaimOutcome,
    reason: &Option<Text>,
    contributions: &[ContributionRecorded],
) -> Result<()> {
    match outcome {
        ClaimOutcome::Rejected if reason.is_none() => {
            return Err(InvalidInput::new("reason", "a rejection must give a reason").into())
        }
        ClaimOutcome::Rejected if !contributions.is_empty() => {
            return Err(InvalidInput::new("contributions", "a rejection records no contributions").into())
        }
        ClaimOutcome::Upheld if contributions.is_empty() && filed.kind.records_contributions() => {
            return Err(InvalidInput::new(
                "contributions",
                format!("upholding a claim of {} records the contributions it found missing", filed.kind),
            )
            .into())
        }
        _ => {}
    }
    if !contributions.is_empty() && !filed.kind.records_contributions() {
        return Err(InvalidInput::new(
            "contributions",
            format!("a claim of {} is answered without contributions", filed.kind),
        )
        .into());
    }
    for (index, item) in contributions.iter().enumerate() {
        let within = |error: StoreError| error.within_index("contributions", index);
        if item.worker_id != filed.worker_id {
            return Err(within(
                InvalidInput::new("worker_id", format!("the claim is {}'s", filed.worker_id)).into(),
            ));
        }
        if !filed.months.contains(&item.month) {
            return Err(within(
                InvalidInput::new("month", format!("{} is not one of the claimed months", item.month)).into(),
            ));
        }
    }
    Ok(())
}

fn not_future(field: &str, month: Option<Month>, this_month: Month) -> Result<()> {
    match month {
        Some(month) if month > this_month => {
            Err(InvalidInput::new(field, format!("{month} is in the future")).into())
        }
        _ => Ok(()),
    }
}

impl StoreError {
    /// Names the field of an item in a batch: `contributions[3].month`.
    fn within_index(self, list: &str, index: usize) -> StoreError {
        let prefix = format!("{list}[{index}]");
        match self {
            StoreError::Invalid(invalid) => StoreError::Invalid(invalid.within(&prefix)),
            StoreError::NotFound { field, message } => {
                StoreError::NotFound { field: format!("{prefix}.{field}"), message }
            }
            StoreError::PermissionDenied(message) => {
                StoreError::PermissionDenied(format!("{prefix}: {message}"))
            }
            StoreError::AlreadyRecorded { seq, message } => {
                StoreError::AlreadyRecorded { seq, message: format!("{prefix}: {message}") }
            }
            StoreError::FailedPrecondition(message) => {
                StoreError::FailedPrecondition(format!("{prefix}: {message}"))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    //! The checks as pure functions over a view held in maps: no store, no writer.

    use std::collections::HashMap;
    use std::sync::Arc;

    use ledger_core::{
        Branch, ClaimKind, ContributionRecorded, Currency, Event, Jurisdiction, MinorUnits, Month,
        PrincipalId, Sector, Seq, Text, WorkerEnrolled, WorkerId,
    };
    use ledger_projections::WorkerFacts;
    use ledger_rules::Rules;

    use super::{Check, Checks, ItemPlan, View};
    use crate::access::{Activation, PinVerifier, WorkerAccess};
    use crate::command::{Action, Actor, ClaimRequest};
    use crate::error::{Result, StoreError};

    struct Maps {
        rules: Rules,
        facts: HashMap<WorkerId, Arc<WorkerFacts>>,
        events: HashMap<Seq, Event>,
        reversed: HashMap<Seq, Seq>,
        access: HashMap<WorkerId, WorkerAccess>,
    }

    impl View for Maps {
        fn rules(&self) -> &Rules {
            &self.rules
        }
        fn facts(&self, worker_id: &WorkerId) -> Result<Option<Arc<WorkerFacts>>> {
            Ok(self.facts.get(worker_id).cloned())
        }
        fn event(&self, seq: Seq) -> Result<Event> {
            self.events.get(&seq).cloned().ok_or(StoreError::Corruption { seq, reason: "missing".into() })
        }
        fn reversed_by(&self, seq: Seq) -> Result<Option<Seq>> {
            Ok(self.reversed.get(&seq).copied())
        }
        fn recorded(&self, key: &[u8]) -> Result<Option<Seq>> {
            let recorded = self.events.iter().filter_map(|(seq, event)| match event {
                Event::ContributionRecorded(c) if crate::keys::recorded(c) == key => Some(*seq),
                _ => None,
            });
            Ok(recorded.max())
        }
        fn corrected_by(&self, seq: Seq) -> Result<Option<Seq>> {
            let corrections = self.events.iter().filter_map(|(at, event)| match event {
                Event::ContributionCorrected(c) if c.corrected_seq == seq => Some(*at),
                _ => None,
            });
            Ok(corrections.max())
        }
        fn access(&self, worker_id: &WorkerId) -> Result<Option<WorkerAccess>> {
            Ok(self.access.get(worker_id).cloned())
        }
    }

    fn ok<T, E: std::fmt::Debug>(result: std::result::Result<T, E>) -> T {
        result.unwrap_or_else(|error| panic!("{error:?}"))
    }

    fn code(text: &str) -> Jurisdiction {
        ok(Jurisdiction::parse(text))
    }

    fn agency(jurisdiction: &str) -> Actor {
        Actor::agency(
            ok(PrincipalId::parse(&format!("agency-{}", jurisdiction.to_lowercase()))),
            code(jurisdiction),
        )
    }

    fn worker_actor(worker: &WorkerId) -> Actor {
        Actor::Worker { principal: ok(PrincipalId::parse("worker-1")), worker: worker.clone() }
    }

    /// A view of one worker from the Philippines, enrolled at seq 1 by its agency, and a Saudi
    /// contribution of hers at seq 2, which the view says nobody reversed.
    fn one_worker() -> (Maps, WorkerId, Seq) {
        let worker = WorkerId::from_random([7; 10]);
        let enrolled = Event::WorkerEnrolled(WorkerEnrolled {
            worker_id: worker.clone(),
            origin: code("PH"),
            enrolled_in: code("PH"),
            sex: None,
            birth_month: None,
        });
        let mut facts = WorkerFacts::enrolled(Seq(1), &enrolled).unwrap_or_else(|| panic!("an enrolment"));
        let contribution = Event::ContributionRecorded(contribution(&worker, "SA", "SAR"));
        ok(facts.apply(Seq(2), &contribution));
        let maps = Maps {
            rules: Rules::sample(),
            facts: HashMap::from([(worker.clone(), Arc::new(facts))]),
            events: HashMap::from([(Seq(1), enrolled), (Seq(2), contribution)]),
            reversed: HashMap::new(),
            access: HashMap::new(),
        };
        (maps, worker, Seq(2))
    }

    fn contribution(worker: &WorkerId, jurisdiction: &str, currency: &str) -> ContributionRecorded {
        ContributionRecorded {
            worker_id: worker.clone(),
            jurisdiction: code(jurisdiction),
            branch: Branch::OldAge,
            month: ok(Month::new(2024, 3)),
            currency: ok(Currency::parse(currency)),
            insured_wage: ok(MinorUnits::new("wage", 300_000)),
            employer_share: ok(MinorUnits::new("employer", 27_000)),
            worker_share: ok(MinorUnits::new("worker", 27_000)),
            employer_ref: ok(Text::parse("employer_ref", "SA-EMP-1", 64)),
            sector: Sector::DomesticWork,
            insurance: ledger_core::Insurance::Compulsory,
        }
    }

    fn check(maps: &Maps, checks: &mut Checks, actor: &Actor, action: &Action) -> Result<usize> {
        Check { view: maps, group: checks }.events_for(actor, action).map(|events| events.len())
    }

    fn checks() -> Checks {
        let now = ok(chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z")).to_utc();
        Checks::new(now, 3)
    }

    #[test]
    fn contributions_need_an_enrolled_worker_and_the_agency_of_their_jurisdiction() {
        let (maps, worker, _) = one_worker();
        let stranger = WorkerId::from_random([9; 10]);
        let record = |items| Action::RecordContributions(items);
        let mut group = checks();
        let mut april = contribution(&worker, "SA", "SAR");
        april.month = ok(Month::new(2024, 4));
        assert_eq!(ok(check(&maps, &mut group, &agency("SA"), &record(vec![april]))), 1);
        let unknown =
            check(&maps, &mut group, &agency("SA"), &record(vec![contribution(&stranger, "SA", "SAR")]));
        assert!(
            matches!(&unknown, Err(StoreError::NotFound { field, .. }) if field == "contributions[0].worker_id"),
            "{unknown:?}"
        );
        let foreign =
            check(&maps, &mut group, &agency("ES"), &record(vec![contribution(&worker, "SA", "SAR")]));
        assert!(matches!(foreign, Err(StoreError::PermissionDenied(_))), "{foreign:?}");
        let currency =
            check(&maps, &mut group, &agency("SA"), &record(vec![contribution(&worker, "SA", "EUR")]));
        assert!(matches!(currency, Err(StoreError::Invalid(_))), "{currency:?}");
        let worker_writes = check(&maps, &mut group, &worker_actor(&worker), &record(vec![]));
        assert!(matches!(worker_writes, Err(StoreError::PermissionDenied(_))), "{worker_writes:?}");
    }

    #[test]
    fn a_second_contribution_of_an_employer_for_a_month_is_refused_or_corrects_the_first() {
        let (mut maps, worker, seq) = one_worker();
        let reason = ok(Text::parse("reason", "payroll corrected", 512));
        let march = contribution(&worker, "SA", "SAR");
        // Refused, naming the first; and within one request too.
        let again =
            check(&maps, &mut checks(), &agency("SA"), &Action::RecordContributions(vec![march.clone()]));
        assert!(
            matches!(&again, Err(StoreError::AlreadyRecorded { seq: first, .. }) if *first == seq),
            "{again:?}"
        );
        let mut april = march.clone();
        april.month = ok(Month::new(2024, 4));
        let twice = check(
            &maps,
            &mut checks(),
            &agency("SA"),
            &Action::RecordContributions(vec![april.clone(), april.clone()]),
        );
        assert!(
            matches!(&twice, Err(StoreError::Invalid(invalid)) if invalid.field == "contributions[1].month"),
            "{twice:?}"
        );
        // Another employer, or the same one after a reversal, records a new contribution.
        let mut other = march.clone();
        other.employer_ref = ok(Text::parse("employer_ref", "SA-EMP-2", 64));
        assert_eq!(
            ok(check(&maps, &mut checks(), &agency("SA"), &Action::RecordContributions(vec![other]))),
            1
        );
        // Correcting: the same figures are left out, others give one correction of the first.
        let correct = |items| Action::RecordOrCorrect { items, reason: reason.clone() };
        let mut group = checks();
        let planned = Check { view: &maps, group: &mut group }
            .events_for(&agency("SA"), &correct(vec![march.clone(), april.clone()]));
        assert_eq!(ok(planned).len(), 1, "only April is new");
        assert_eq!(group.items, [ItemPlan::Unchanged(seq), ItemPlan::New(0)]);
        let mut raised = march.clone();
        raised.insured_wage = ok(MinorUnits::new("wage", 320_000));
        let mut group = checks();
        let planned = ok(Check { view: &maps, group: &mut group }
            .events_for(&agency("SA"), &correct(vec![raised.clone()])));
        assert_eq!(group.items, [ItemPlan::Corrected(seq)]);
        let Some(Event::ContributionCorrected(correction)) = planned.first().map(|p| p.event.clone()) else {
            panic!("a correction");
        };
        assert_eq!(
            (correction.corrected_seq, correction.before, correction.after),
            (seq, march.figures(), raised.figures())
        );
        // Once corrected, the correction's figures are the contribution's: a reversal takes them out.
        maps.events.insert(Seq(3), Event::ContributionCorrected(correction));
        let reversal = Action::ReverseContribution { seq, reason: reason.clone() };
        let planned = ok(Check { view: &maps, group: &mut checks() }.events_for(&agency("SA"), &reversal));
        assert_eq!(
            planned.first().and_then(|p| p.reversed.as_ref()).map(ContributionRecorded::figures),
            Some(raised.figures())
        );
        // A correction by seq: of its own agency, with new figures, of a live contribution.
        let by_seq = |figures| Action::CorrectContribution { seq, figures, reason: reason.clone() };
        let same = check(&maps, &mut checks(), &agency("SA"), &by_seq(raised.figures()));
        assert!(matches!(same, Err(StoreError::FailedPrecondition(_))), "{same:?}");
        let foreign = check(&maps, &mut checks(), &agency("PH"), &by_seq(march.figures()));
        assert!(matches!(foreign, Err(StoreError::PermissionDenied(_))), "{foreign:?}");
        assert_eq!(ok(check(&maps, &mut checks(), &agency("SA"), &by_seq(march.figures()))), 1);
        maps.reversed.insert(seq, Seq(4));
        let reversed = check(&maps, &mut checks(), &agency("SA"), &by_seq(march.figures()));
        assert!(matches!(reversed, Err(StoreError::FailedPrecondition(_))), "{reversed:?}");
        assert_eq!(
            ok(check(&maps, &mut checks(), &agency("SA"), &Action::RecordContributions(vec![march]))),
            1
        );
    }

    #[test]
    fn a_contribution_is_reversed_once_by_its_agency_and_only_when_durable() {
        let (mut maps, _, seq) = one_worker();
        let reason = ok(Text::parse("reason", "wrong month", 512));
        let reverse = |seq| Action::ReverseContribution { seq, reason: reason.clone() };
        let mut group = checks();
        assert_eq!(ok(check(&maps, &mut group, &agency("SA"), &reverse(seq))), 1);
        let by_another = check(&maps, &mut group, &agency("PH"), &reverse(seq));
        assert!(matches!(by_another, Err(StoreError::PermissionDenied(_))), "{by_another:?}");
        // Reversed earlier in the same group, then earlier in the log.
        group.reversals.insert(seq, Seq(3));
        let again = check(&maps, &mut group, &agency("SA"), &reverse(seq));
        assert!(matches!(again, Err(StoreError::FailedPrecondition(_))), "{again:?}");
        maps.reversed.insert(seq, Seq(3));
        let again = check(&maps, &mut checks(), &agency("SA"), &reverse(seq));
        assert!(matches!(again, Err(StoreError::FailedPrecondition(_))), "{again:?}");
        let not_yet = check(&maps, &mut checks(), &agency("SA"), &reverse(Seq(3)));
        assert!(matches!(not_yet, Err(StoreError::NotFound { .. })), "{not_yet:?}");
        let not_a_contribution = check(&maps, &mut checks(), &agency("PH"), &reverse(Seq(1)));
        assert!(
            matches!(not_a_contribution, Err(StoreError::FailedPrecondition(_))),
            "{not_a_contribution:?}"
        );
    }

    #[test]
    fn a_credential_is_replaced_by_the_worker_or_reset_by_her_origin_only() {
        let (maps, worker, _) = one_worker();
        let replace =
            Action::ReplaceCredential { worker_id: worker.clone(), credential: [1; 32], activation: None };
        assert_eq!(ok(check(&maps, &mut checks(), &worker_actor(&worker), &replace)), 1);
        assert_eq!(ok(check(&maps, &mut checks(), &agency("PH"), &replace)), 1);
        let destination = check(&maps, &mut checks(), &agency("SA"), &replace);
        assert!(matches!(destination, Err(StoreError::PermissionDenied(_))), "{destination:?}");
        let someone_else =
            check(&maps, &mut checks(), &worker_actor(&WorkerId::from_random([9; 10])), &replace);
        assert!(matches!(someone_else, Err(StoreError::PermissionDenied(_))), "{someone_else:?}");
        let auditor = Actor::Other { principal: ok(PrincipalId::parse("auditor")) };
        let refused = check(&maps, &mut checks(), &auditor, &replace);
        assert!(matches!(refused, Err(StoreError::PermissionDenied(_))), "{refused:?}");
    }

    #[test]
    fn an_activation_code_works_once_before_it_expires_and_a_lock_closes_access() {
        let (mut maps, worker, _) = one_worker();
        // checks() records at 2026-06-01T00:00:00Z.
        let at = |text: &str| ok(chrono::DateTime::parse_from_rfc3339(text)).to_utc();
        let code = [3; 32];
        let pin = PinVerifier { rounds: 1, salt: [0; 16], hash: [4; 32] };
        let activate = |code| Action::ActivateAccess { worker_id: worker.clone(), code, pin };
        let issued =
            |expires: &str| WorkerAccess::issued(Activation { digest: code, expires_at: at(expires) });
        let own = worker_actor(&worker);
        let cases: [(Option<WorkerAccess>, Actor, Action, bool); 7] = [
            (Some(issued("2026-06-30T00:00:00Z")), own.clone(), activate(code), true),
            (Some(issued("2026-06-30T00:00:00Z")), own.clone(), activate([5; 32]), false),
            (Some(issued("2026-06-01T00:00:00Z")), own.clone(), activate(code), false),
            (None, own.clone(), activate(code), false),
            (Some(issued("2026-06-30T00:00:00Z")), agency("PH"), activate(code), false),
            (
                Some(issued("2026-06-30T00:00:00Z")),
                own.clone(),
                Action::LockAccess { worker_id: worker.clone(), failed_attempts: 5 },
                true,
            ),
            (
                Some(issued("2026-06-30T00:00:00Z")),
                own.clone(),
                Action::LockAccess { worker_id: worker.clone(), failed_attempts: 4 },
                false,
            ),
        ];
        for (index, (stored, actor, action, accepted)) in cases.into_iter().enumerate() {
            maps.access = stored.map(|access| (worker.clone(), access)).into_iter().collect();
            let mut group = checks();
            let checked = check(&maps, &mut group, &actor, &action);
            assert_eq!(checked.is_ok(), accepted, "case {index}: {checked:?}");
            if accepted {
                let left = group.access.get(&worker).cloned();
                let expected = match action {
                    Action::ActivateAccess { .. } => {
                        WorkerAccess { activation: None, pin: Some(pin), passkeys: Vec::new() }
                    }
                    _ => WorkerAccess::default(),
                };
                assert_eq!(left, Some(expected), "case {index}");
                // The group sees what it changed: the code cannot be used a second time in it.
                assert!(check(&maps, &mut group, &actor, &activate(code)).is_err(), "case {index}");
            }
        }
    }

    #[test]
    fn a_claim_is_hers_and_addressed_where_she_has_a_record() {
        let (maps, worker, _) = one_worker();
        let claim = |addressed: &str| {
            Action::FileClaim(ClaimRequest {
                worker_id: worker.clone(),
                addressed_to: code(addressed),
                kind: ClaimKind::MissingContribution,
                employer_ref: ok(Text::parse("employer_ref", "SA-EMP-1", 64)),
                months: vec![ok(Month::new(2024, 4))],
                amount: None,
                evidence_sha256: [3; 32],
            })
        };
        assert_eq!(ok(check(&maps, &mut checks(), &worker_actor(&worker), &claim("SA"))), 1);
        let nowhere = check(&maps, &mut checks(), &worker_actor(&worker), &claim("ES"));
        assert!(matches!(nowhere, Err(StoreError::FailedPrecondition(_))), "{nowhere:?}");
        let other = worker_actor(&WorkerId::from_random([9; 10]));
        let not_hers = check(&maps, &mut checks(), &other, &claim("SA"));
        assert!(matches!(not_hers, Err(StoreError::PermissionDenied(_))), "{not_hers:?}");
        // Her origin's agency files for her only once she lives there again.
        let from_home = check(&maps, &mut checks(), &agency("PH"), &claim("SA"));
        assert!(matches!(from_home, Err(StoreError::PermissionDenied(_))), "{from_home:?}");
    }
}
