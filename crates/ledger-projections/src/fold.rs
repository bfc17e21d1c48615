//! Folding a log into projections: the definition every stored projection must agree with.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ledger_core::{ContributionRecorded, Event, Record, Seq, WorkerId};
use ledger_rules::Rules;

use crate::balance::{balance, Balance};
use crate::worker::{ProjectionError, WorkerProjection};

/// Applies an event to the projection of its worker, creating the projection at enrolment.
/// `reversed` is the contribution a reversal takes back. A chunk of her statement that the event
/// filled comes back, to be stored ([`WorkerProjection::apply`]).
#[must_use = "a full chunk of the statement must be stored"]
pub fn apply_event(
    slot: &mut Option<WorkerProjection>,
    seq: Seq,
    at: DateTime<Utc>,
    event: &Event,
    reversed: Option<&ContributionRecorded>,
) -> Result<Option<Vec<Seq>>, ProjectionError> {
    match (event, slot.as_mut()) {
        (Event::WorkerEnrolled(enrolled), None) => {
            *slot = Some(WorkerProjection::enrolled(seq, enrolled));
            Ok(None)
        }
        (Event::WorkerEnrolled(_), Some(_)) => {
            Err(ProjectionError { seq, problem: "the worker is already enrolled".into() })
        }
        (_, Some(projection)) => projection.apply(seq, at, event, reversed),
        (_, None) => Err(ProjectionError { seq, problem: "the worker is not enrolled".into() }),
    }
}

/// The rules in force after a prefix of the log, and the point it was adopted at.
#[derive(Clone, Debug)]
pub struct AdoptedRules {
    pub seq: Seq,
    pub rules: Arc<Rules>,
}

/// The rules an adoption at `seq` puts in force; a document that does not load is a log that
/// contradicts itself.
pub(crate) fn adopted_rules(seq: Seq, adopted: &ledger_core::RulesAdopted) -> Result<Rules, ProjectionError> {
    Rules::parse(&adopted.document)
        .map_err(|error| ProjectionError { seq, problem: format!("adopted rules do not load: {error}") })
}

/// A whole log folded in memory: every worker's projection, the rules in force, and the last event.
/// Used to define what the store's incremental projections and `as_of_seq` answers must equal.
#[derive(Debug, Default)]
pub struct LogFold {
    pub workers: BTreeMap<WorkerId, WorkerProjection>,
    pub rules: Option<AdoptedRules>,
    pub last: Option<(Seq, DateTime<Utc>)>,
    contributions: HashMap<Seq, ContributionRecorded>,
}

impl LogFold {
    pub fn apply(&mut self, record: &Record) -> Result<(), ProjectionError> {
        let seq = record.seq;
        self.last = Some((seq, record.recorded_at));
        match &record.event {
            Event::RulesAdopted(adopted) => {
                self.rules = Some(AdoptedRules { seq, rules: Arc::new(adopted_rules(seq, adopted)?) });
                return Ok(());
            }
            Event::ContributionRecorded(contribution) => {
                self.contributions.insert(seq, contribution.clone());
            }
            // A later reversal takes out the figures the contribution has then.
            Event::ContributionCorrected(correction) => {
                if let Some(contribution) = self.contributions.remove(&correction.corrected_seq) {
                    let corrected = contribution.with_figures(correction.after);
                    self.contributions.insert(correction.corrected_seq, corrected);
                }
            }
            _ => {}
        }
        let Some(worker_id) = record.event.worker_id() else { return Ok(()) };
        let reversed = match &record.event {
            Event::ContributionReversed(reversal) => self.contributions.get(&reversal.reversed_seq),
            _ => None,
        };
        let mut slot = self.workers.remove(worker_id);
        // The fold keeps what balances and reports need; full chunks of statements are the store's.
        let result = apply_event(&mut slot, seq, record.recorded_at, &record.event, reversed);
        if let Some(projection) = slot {
            self.workers.insert(worker_id.clone(), projection);
        }
        result.map(drop)
    }

    /// The worker's balance after everything folded so far, evaluated on the date of the last event
    /// with the rules in force then.
    pub fn balance(&self, worker_id: &WorkerId) -> Option<Balance> {
        let projection = self.workers.get(worker_id)?;
        let rules = self.rules.as_ref()?;
        let (seq, at) = self.last?;
        Some(balance(projection, &rules.rules, at.date_naive(), seq))
    }
}
