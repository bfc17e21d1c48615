//! The events of the log. Nothing is ever updated or deleted: a correction is a new event that
//! references the one it corrects.

use crate::{
    Branch, CreditKind, Currency, Jurisdiction, MinorUnits, Month, Sector, Seq, Sex, Text, WorkerId,
};

/// Longest credited period, in months: ten years in one event is already generous, and a bound
/// keeps one event's effect on projections small.
pub const CREDITED_PERIOD_MONTHS_MAX: u32 = 120;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    WorkerEnrolled(WorkerEnrolled),
    ContributionRecorded(ContributionRecorded),
    ContributionReversed(ContributionReversed),
    PeriodCredited(PeriodCredited),
}

impl Event {
    /// The worker the event is about.
    pub fn worker_id(&self) -> &WorkerId {
        match self {
            Event::WorkerEnrolled(event) => &event.worker_id,
            Event::ContributionRecorded(event) => &event.worker_id,
            Event::ContributionReversed(event) => &event.worker_id,
            Event::PeriodCredited(event) => &event.worker_id,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Event::WorkerEnrolled(_) => "WorkerEnrolled",
            Event::ContributionRecorded(_) => "ContributionRecorded",
            Event::ContributionReversed(_) => "ContributionReversed",
            Event::PeriodCredited(_) => "PeriodCredited",
        }
    }
}

/// A worker joins the ledger. Only a pseudonymous id and optional self-declared facts are kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerEnrolled {
    pub worker_id: WorkerId,
    pub origin: Jurisdiction,
    /// The jurisdiction of the agency that enrolled the worker.
    pub enrolled_in: Jurisdiction,
    pub sex: Option<Sex>,
    pub birth_month: Option<Month>,
}

/// Money paid for one worker, one jurisdiction, one branch, one month.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionRecorded {
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub month: Month,
    pub currency: Currency,
    pub insured_wage: MinorUnits,
    pub employer_share: MinorUnits,
    pub worker_share: MinorUnits,
    pub employer_ref: Text,
    pub sector: Sector,
}

/// A recorded contribution no longer counts. The worker and jurisdiction are copied from the
/// reversed event so that the reversal reads on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionReversed {
    pub reversed_seq: Seq,
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub reason: Text,
}

/// Months that count without a contribution, from `from` to `to`, both included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodCredited {
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub from: Month,
    pub to: Month,
    pub kind: CreditKind,
}

impl PeriodCredited {
    /// Checks the span: `from` not after `to`, and no longer than the named maximum.
    pub fn check_span(from: Month, to: Month) -> Result<(), crate::InvalidInput> {
        if from > to {
            return Err(crate::InvalidInput::new("to_month", format!("{to} is before {from}")));
        }
        let months = to.ordinal() - from.ordinal() + 1;
        if months > CREDITED_PERIOD_MONTHS_MAX {
            return Err(crate::InvalidInput::new(
                "to_month",
                format!("{months} months exceed the longest credited period, {CREDITED_PERIOD_MONTHS_MAX}"),
            ));
        }
        Ok(())
    }
}
