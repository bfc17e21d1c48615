//! The writer's checks of a command against the rules in force and the state of the ledger as the
//! group has left it. A command that passes becomes the events it appends.

use ledger_core::{
    BenefitPaid, ContributionRecorded, ContributionReversed, Currency, EntitlementGranted,
    EntitlementStatusChanged, Event, InvalidInput, Jurisdiction, Month, PeriodCredited, ResidenceChanged,
    Seq, WorkerEnrolled, WorkerId,
};
use ledger_projections::{EntitlementStatus, WorkerProjection};

use crate::command::{Action, Actor};
use crate::error::{Result, StoreError};
use crate::keys;
use crate::read;
use crate::writer::{Group, Planned, Writer};

/// Attempts at drawing an unused random worker id before giving up (80 random bits: a second
/// attempt is already astronomically rare).
const WORKER_ID_ATTEMPTS_MAX: usize = 8;

impl Writer {
    pub(crate) fn events_for(&self, group: &Group, actor: &Actor, action: &Action) -> Result<Vec<Planned>> {
        let this_month = Month::containing(group.recorded_at);
        let agency = actor.jurisdiction.ok_or_else(|| {
            StoreError::PermissionDenied(format!("{} is not an agency and may not write", actor.principal))
        })?;
        let one = |event| Ok(vec![Planned::new(event)]);
        match action {
            Action::EnrollWorker { origin, sex, birth_month } => {
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
            Action::RecordContributions(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    self.check_contribution(group, agency, this_month, item)
                        .map_err(|error| error.within_index("contributions", index))?;
                    Ok(Planned::new(Event::ContributionRecorded(item.clone())))
                })
                .collect(),
            Action::CreditPeriods(items) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    self.check_period(group, agency, this_month, item)
                        .map_err(|error| error.within_index("periods", index))?;
                    Ok(Planned::new(Event::PeriodCredited(item.clone())))
                })
                .collect(),
            Action::ReverseContribution { seq, reason } => {
                let reversed = self.check_reversal(group, agency, *seq)?;
                let event = Event::ContributionReversed(ContributionReversed {
                    reversed_seq: *seq,
                    worker_id: reversed.worker_id.clone(),
                    jurisdiction: reversed.jurisdiction,
                    reason: reason.clone(),
                });
                Ok(vec![Planned { event, reversed: Some(reversed) }])
            }
            Action::GrantEntitlement { worker_id, jurisdiction, branch, currency, monthly_amount, start } => {
                self.check_own(agency, *jurisdiction)?;
                self.check_currency(*jurisdiction, *currency)?;
                self.enrolled(group, worker_id)?;
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
                let (granted, status) = self.entitlement(group, agency, *entitlement)?;
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
                let (granted, status) = self.entitlement(group, agency, *entitlement)?;
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
            Action::RecordResidenceChange { worker_id, country, from } => {
                // The agency of the country the worker now lives in records the move.
                self.check_own(agency, *country)?;
                not_future("from_month", Some(*from), this_month)?;
                self.enrolled(group, worker_id)?;
                one(Event::ResidenceChanged(ResidenceChanged {
                    worker_id: worker_id.clone(),
                    country: *country,
                    from: *from,
                }))
            }
        }
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

    fn enrolled(&self, group: &Group, worker_id: &WorkerId) -> Result<WorkerProjection> {
        self.projection(group, worker_id)?.ok_or_else(|| StoreError::NotFound {
            field: "worker_id".into(),
            message: format!("no worker {worker_id}"),
        })
    }

    fn check_contribution(
        &self,
        group: &Group,
        agency: Jurisdiction,
        this_month: Month,
        item: &ContributionRecorded,
    ) -> Result<()> {
        self.check_own(agency, item.jurisdiction)?;
        self.check_currency(item.jurisdiction, item.currency)?;
        not_future("month", Some(item.month), this_month)?;
        self.enrolled(group, &item.worker_id).map(drop)
    }

    fn check_period(
        &self,
        group: &Group,
        agency: Jurisdiction,
        this_month: Month,
        item: &PeriodCredited,
    ) -> Result<()> {
        self.check_own(agency, item.jurisdiction)?;
        PeriodCredited::check_span(item.from, item.to)?;
        not_future("to_month", Some(item.to), this_month)?;
        self.enrolled(group, &item.worker_id).map(drop)
    }

    /// The contribution at `seq`, if this agency may reverse it now.
    fn check_reversal(&self, group: &Group, agency: Jurisdiction, seq: Seq) -> Result<ContributionRecorded> {
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
        group: &Group,
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
        let status =
            projection.entitlements.get(&seq).map(|entitlement| entitlement.status).ok_or_else(|| {
                StoreError::Corruption {
                    seq,
                    reason: "the worker's projection does not know this entitlement".into(),
                }
            })?;
        Ok((granted, status))
    }

    /// The event at `seq`, which must be durable already: a client can only know the seq of an
    /// event it has a receipt for.
    fn earlier_event(&self, field: &str, group: &Group, seq: Seq) -> Result<Event> {
        if seq.0 >= group.start.size {
            return Err(StoreError::NotFound {
                field: field.into(),
                message: format!("no event at seq {seq}"),
            });
        }
        Ok(read::read_record(&self.db, seq)?.0.event)
    }

    fn fresh_worker_id(&self, group: &Group) -> Result<WorkerId> {
        for _ in 0..WORKER_ID_ATTEMPTS_MAX {
            let mut random = [0u8; 10];
            getrandom::fill(&mut random).map_err(|error| {
                StoreError::Unavailable(format!("no randomness for a worker id: {error}"))
            })?;
            let worker_id = WorkerId::from_random(random);
            if self.projection(group, &worker_id)?.is_none() {
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
