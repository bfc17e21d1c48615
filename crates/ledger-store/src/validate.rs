//! The writer's checks of a command against the rules in force and the state of the ledger as the
//! group has left it. A command that passes becomes the events it appends.

use ledger_core::{
    BenefitPaid, ClaimFiled, ClaimKind, ClaimOutcome, ClaimResolved, ContributionRecorded,
    ContributionReversed, CredentialReplaced, Currency, EntitlementGranted, EntitlementStatusChanged, Event,
    InvalidInput, Jurisdiction, Month, PeriodCredited, ResidenceChanged, Seq, Text, WorkerEnrolled, WorkerId,
};
use ledger_projections::{EntitlementStatus, WorkerFacts};

use crate::command::{Action, Actor, ClaimRequest};
use crate::error::{Result, StoreError};
use crate::keys;
use crate::read;
use crate::writer::{Group, Planned, Writer};

/// Open claims one worker may have at once. Far more than a working life's disputes; it bounds
/// what one worker (or one stolen credential) can put in front of the agencies' queues.
pub const OPEN_CLAIMS_PER_WORKER_MAX: usize = 100;

/// Attempts at drawing an unused random worker id before giving up (80 random bits: a second
/// attempt is already astronomically rare).
const WORKER_ID_ATTEMPTS_MAX: usize = 8;

impl Writer {
    pub(crate) fn events_for(
        &self,
        group: &mut Group,
        actor: &Actor,
        action: &Action,
    ) -> Result<Vec<Planned>> {
        let this_month = Month::containing(group.recorded_at);
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
            Action::FileClaim(claim) => one(self.claim_filed(group, actor, this_month, claim)?),
            Action::ResolveClaim { claim, outcome, reason, contributions } => {
                self.claim_resolved(group, agency()?, this_month, *claim, *outcome, reason, contributions)
            }
            Action::EnrollWorker { origin, sex, birth_month, credential: _ } => {
                let agency = agency()?;
                self.check_known("origin_jurisdiction", *origin)?;
                not_future("birth_month", *birth_month, this_month)?;
                let worker_id = self.fresh_worker_id(group)?;
                one(Event::WorkerEnrolled(WorkerEnrolled {
                    worker_id,
                    origin: *origin,
                    enrolled_in: agency,
                    sex: *sex,
                    birth_month: *birth_month,
                }))
            }
            Action::RecordContributions(items) => self.contributions(group, agency()?, this_month, items),
            Action::CreditPeriods(items) => {
                let agency = agency()?;
                items
                    .iter()
                    .enumerate()
                    .map(|(index, item)| {
                        self.check_period(group, agency, this_month, item)
                            .map_err(|error| error.within_index("periods", index))?;
                        Ok(Planned::new(Event::PeriodCredited(item.clone())))
                    })
                    .collect()
            }
            Action::ReverseContribution { seq, reason } => {
                let reversed = self.check_reversal(group, agency()?, *seq)?;
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
                self.check_enrolled(group, worker_id)?;
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
                let (granted, status) = self.entitlement(group, agency()?, *entitlement)?;
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
                let (granted, status) = self.entitlement(group, agency()?, *entitlement)?;
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
            Action::ReplaceCredential { worker_id, credential: _ } => {
                one(self.credential_replaced(group, actor, worker_id)?)
            }
            Action::RecordResidenceChange { worker_id, country, from } => {
                // The agency of the country the worker now lives in records the move.
                self.check_own(agency()?, *country)?;
                not_future("from_month", Some(*from), this_month)?;
                self.check_enrolled(group, worker_id)?;
                one(Event::ResidenceChanged(ResidenceChanged {
                    worker_id: worker_id.clone(),
                    country: *country,
                    from: *from,
                }))
            }
        }
    }

    /// A credential replaced by the worker herself, or reset for her by an agency of her origin or
    /// of the jurisdiction that enrolled her: the agencies she can go to in person to prove who she
    /// is. Any other agency would be taking her record over.
    fn credential_replaced(&self, group: &mut Group, actor: &Actor, worker_id: &WorkerId) -> Result<Event> {
        let projection = self.enrolled(group, worker_id)?;
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

    /// A batch of contributions, each checked; a failure names the item.
    fn contributions(
        &self,
        group: &mut Group,
        agency: Jurisdiction,
        this_month: Month,
        items: &[ContributionRecorded],
    ) -> Result<Vec<Planned>> {
        items
            .iter()
            .enumerate()
            .map(|(index, item)| {
                self.check_contribution(group, agency, this_month, item)
                    .map_err(|error| error.within_index("contributions", index))?;
                Ok(Planned::new(Event::ContributionRecorded(item.clone())))
            })
            .collect()
    }

    /// A claim by the worker, by an agency of the addressed jurisdiction, or, once the worker has
    /// gone home, by an agency of their origin. It is addressed where the worker has a record.
    fn claim_filed(
        &self,
        group: &mut Group,
        actor: &Actor,
        this_month: Month,
        claim: &ClaimRequest,
    ) -> Result<Event> {
        let worker_id = &claim.worker_id;
        if actor.worker().is_some_and(|worker| worker != worker_id) {
            return Err(StoreError::PermissionDenied(format!(
                "{} may file claims only for their own record",
                actor.principal()
            )));
        }
        self.check_known("jurisdiction", claim.addressed_to)?;
        let projection = self.enrolled(group, worker_id)?;
        let filed_via = match (actor.worker(), actor.jurisdiction()) {
            (Some(_), _) => None,
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
        let rules = self.rules.jurisdiction(claim.addressed_to).ok_or_else(|| StoreError::NotFound {
            field: "jurisdiction".into(),
            message: format!("{} is not a jurisdiction of the rules in force", claim.addressed_to),
        })?;
        let respond_by =
            group.recorded_at.date_naive() + chrono::Days::new(u64::from(rules.claim_response_days));
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
        &self,
        group: &mut Group,
        agency: Jurisdiction,
        this_month: Month,
        claim_seq: Seq,
        outcome: ClaimOutcome,
        reason: &Option<Text>,
        contributions: &[ContributionRecorded],
    ) -> Result<Vec<Planned>> {
        let event = self.earlier_event("claim_seq", group, claim_seq)?;
        let Event::ClaimFiled(filed) = event else {
            return Err(StoreError::FailedPrecondition(format!(
                "seq {claim_seq} is a {}, not a claim",
                event.name()
            )));
        };
        if filed.addressed_to != agency {
            return Err(StoreError::PermissionDenied(format!(
                "claim {claim_seq} is addressed to {}; an agency of {agency} may not resolve it",
                filed.addressed_to
            )));
        }
        let projection = self.enrolled(group, &filed.worker_id)?;
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
        match outcome {
            ClaimOutcome::Rejected if reason.is_none() => {
                return Err(InvalidInput::new("reason", "a rejection must give a reason").into())
            }
            ClaimOutcome::Rejected if !contributions.is_empty() => {
                return Err(InvalidInput::new("contributions", "a rejection records no contributions").into())
            }
            ClaimOutcome::Upheld if contributions.is_empty() && filed.kind != ClaimKind::UnpaidBenefit => {
                return Err(InvalidInput::new(
                    "contributions",
                    format!("upholding a claim of {} records the contributions it found missing", filed.kind),
                )
                .into())
            }
            _ => {}
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
                    InvalidInput::new("month", format!("{} is not one of the claimed months", item.month))
                        .into(),
                ));
            }
        }
        let mut planned = vec![Planned::new(Event::ClaimResolved(ClaimResolved {
            claim: claim_seq,
            worker_id: filed.worker_id.clone(),
            jurisdiction: filed.addressed_to,
            outcome,
            reason: reason.clone(),
            contributions: contributions.len() as u32,
        }))];
        planned.extend(self.contributions(group, agency, this_month, contributions)?);
        Ok(planned)
    }

    fn check_known(&self, field: &str, jurisdiction: Jurisdiction) -> Result<()> {
        if self.rules.jurisdiction(jurisdiction).is_none() {
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
        let expected = self.rules.currency_of(jurisdiction);
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

    fn enrolled(&self, group: &mut Group, worker_id: &WorkerId) -> Result<WorkerFacts> {
        self.facts(group, worker_id)?.ok_or_else(|| StoreError::NotFound {
            field: "worker_id".into(),
            message: format!("no worker {worker_id}"),
        })
    }
    /// Refuses a worker who is not enrolled, without copying her facts.
    fn check_enrolled(&self, group: &mut Group, worker_id: &WorkerId) -> Result<()> {
        match self.with_facts(group, worker_id, |facts| facts.is_some())? {
            true => Ok(()),
            false => Err(StoreError::NotFound {
                field: "worker_id".into(),
                message: format!("no worker {worker_id}"),
            }),
        }
    }

    fn check_contribution(
        &self,
        group: &mut Group,
        agency: Jurisdiction,
        this_month: Month,
        item: &ContributionRecorded,
    ) -> Result<()> {
        self.check_own(agency, item.jurisdiction)?;
        self.check_currency(item.jurisdiction, item.currency)?;
        not_future("month", Some(item.month), this_month)?;
        self.check_enrolled(group, &item.worker_id)
    }

    fn check_period(
        &self,
        group: &mut Group,
        agency: Jurisdiction,
        this_month: Month,
        item: &PeriodCredited,
    ) -> Result<()> {
        self.check_own(agency, item.jurisdiction)?;
        PeriodCredited::check_span(item.from, item.to)?;
        not_future("to_month", Some(item.to), this_month)?;
        self.check_enrolled(group, &item.worker_id)
    }

    /// The contribution at `seq`, if this agency may reverse it now.
    fn check_reversal(
        &self,
        group: &mut Group,
        agency: Jurisdiction,
        seq: Seq,
    ) -> Result<ContributionRecorded> {
        let event = self.earlier_event("seq", group, seq)?;
        let Event::ContributionRecorded(contribution) = event else {
            return Err(StoreError::FailedPrecondition(format!(
                "seq {seq} is a {}, not a contribution",
                event.name()
            )));
        };
        if contribution.jurisdiction != agency {
            return Err(StoreError::PermissionDenied(format!(
                "an agency of {agency} may not reverse a contribution of {}",
                contribution.jurisdiction
            )));
        }
        let earlier = match group.reversals.get(&seq) {
            Some(by) => Some(*by),
            None => self.db.get(keys::reversal(seq))?.and_then(|value| keys::trailing_seq(&value)),
        };
        if let Some(by) = earlier {
            return Err(StoreError::FailedPrecondition(format!(
                "the contribution at seq {seq} was already reversed at seq {by}"
            )));
        }
        Ok(contribution)
    }

    /// The grant of entitlement `seq` and its current status, if this agency may act on it.
    fn entitlement(
        &self,
        group: &mut Group,
        agency: Jurisdiction,
        seq: Seq,
    ) -> Result<(EntitlementGranted, EntitlementStatus)> {
        let event = self.earlier_event("entitlement_seq", group, seq)?;
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
        let projection = self.enrolled(group, &granted.worker_id)?;
        let status = projection.entitlements.get(&seq).copied().ok_or_else(|| StoreError::Corruption {
            seq,
            reason: "the worker's facts do not know this entitlement".into(),
        })?;
        Ok((granted, status))
    }

    /// The event at `seq`, which must be durable already: a client can only know the seq of an
    /// event it has a receipt for.
    fn earlier_event(&self, field: &str, group: &mut Group, seq: Seq) -> Result<Event> {
        if seq.0 >= group.start.size {
            return Err(StoreError::NotFound {
                field: field.into(),
                message: format!("no event at seq {seq}"),
            });
        }
        Ok(read::read_record(&self.db, seq)?.0.event)
    }

    fn fresh_worker_id(&self, group: &mut Group) -> Result<WorkerId> {
        for _ in 0..WORKER_ID_ATTEMPTS_MAX {
            let mut random = [0u8; 10];
            getrandom::fill(&mut random).map_err(|error| {
                StoreError::Unavailable(format!("no randomness for a worker id: {error}"))
            })?;
            let worker_id = WorkerId::from_random(random);
            if !self.with_facts(group, &worker_id, |facts| facts.is_some())? {
                return Ok(worker_id);
            }
        }
        Err(StoreError::Unavailable("could not draw an unused worker id".into()))
    }
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
            other => other,
        }
    }
}
