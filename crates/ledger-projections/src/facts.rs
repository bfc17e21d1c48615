//! What the writer's checks need to know of a worker, and nothing more: who enrolled her and from
//! where, where she lives, where she has a record, her claims and whether each is answered, her
//! entitlements and their status. A few hundred bytes however long she has worked, so the writer
//! keeps them for the workers it is writing to while her projection (coverage, statement) is
//! applied behind the log.

use std::collections::{BTreeMap, BTreeSet};

use ledger_core::{ClaimOutcome, Event, Jurisdiction, PrincipalId, Seq};

use crate::worker::{event_jurisdiction, EntitlementStatus, ProjectionError, WorkerProjection};

/// An appeal of one of her claims: its seq, the body it is to, and the seq of its decision once
/// given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppealFacts {
    pub seq: Seq,
    pub body: PrincipalId,
    pub decision: Option<Seq>,
}

/// The facts about one worker that commands are checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkerFacts {
    pub origin: Jurisdiction,
    pub enrolled_in: Jurisdiction,
    /// The country she lives in, when a residence change was recorded.
    pub residence: Option<Jurisdiction>,
    pub records_in: BTreeSet<Jurisdiction>,
    /// Her claims by the seq that filed them, with the outcome and seq of their answer once given.
    pub claims: BTreeMap<Seq, Option<(ClaimOutcome, Seq)>>,
    pub entitlements: BTreeMap<Seq, EntitlementStatus>,
    /// Her appeals, by the seq of the claim appealed.
    pub appeals: BTreeMap<Seq, AppealFacts>,
    /// The organisations she has given her consent to, and where each is registered.
    pub consents: BTreeMap<PrincipalId, Jurisdiction>,
    /// The seq of her last event these facts reflect.
    pub last_seq: Seq,
}

impl WorkerFacts {
    /// The facts a projection holds.
    pub fn of(projection: &WorkerProjection) -> WorkerFacts {
        WorkerFacts {
            origin: projection.origin,
            enrolled_in: projection.enrolled_in,
            residence: projection.residence.map(|(country, _)| country),
            records_in: projection.records_in.clone(),
            claims: projection
                .claims
                .iter()
                .map(|(seq, claim)| {
                    (*seq, claim.resolution.as_ref().map(|answer| (answer.outcome, answer.seq)))
                })
                .collect(),
            entitlements: projection.entitlements.iter().map(|(seq, e)| (*seq, e.status)).collect(),
            appeals: projection
                .claims
                .iter()
                .filter_map(|(seq, claim)| {
                    let appeal = claim.appeal.as_ref()?;
                    let decision = appeal.decision.as_ref().map(|decision| decision.seq);
                    Some((*seq, AppealFacts { seq: appeal.seq, body: appeal.body.clone(), decision }))
                })
                .collect(),
            consents: projection.consents.clone(),
            last_seq: projection.last_seq,
        }
    }

    /// The facts of a worker her enrolment at `seq` gives; none for any other event.
    pub fn enrolled(seq: Seq, event: &Event) -> Option<WorkerFacts> {
        let Event::WorkerEnrolled(enrolled) = event else { return None };
        Some(WorkerFacts {
            origin: enrolled.origin,
            enrolled_in: enrolled.enrolled_in,
            residence: None,
            records_in: BTreeSet::from([enrolled.enrolled_in]),
            claims: BTreeMap::new(),
            entitlements: BTreeMap::new(),
            appeals: BTreeMap::new(),
            consents: BTreeMap::new(),
            last_seq: seq,
        })
    }

    /// Open claims: filed and not answered.
    pub fn open_claims(&self) -> usize {
        self.claims.values().filter(|answer| answer.is_none()).count()
    }

    /// Applies one of her events, as [`WorkerProjection::apply`] changes the same facts of her
    /// projection (tested against it in the store's model test and below).
    pub fn apply(&mut self, seq: Seq, event: &Event) -> Result<(), ProjectionError> {
        let fail = |problem: String| ProjectionError { seq, problem };
        if seq <= self.last_seq {
            return Err(fail(format!("events must be applied in order; already at {}", self.last_seq)));
        }
        self.last_seq = seq;
        if let Some(jurisdiction) = event_jurisdiction(event) {
            self.records_in.insert(jurisdiction);
        }
        match event {
            Event::EntitlementGranted(_) => {
                self.entitlements.insert(seq, EntitlementStatus::Active);
            }
            Event::EntitlementStatusChanged(e) => {
                let status = self
                    .entitlements
                    .get_mut(&e.entitlement)
                    .ok_or_else(|| fail(format!("no entitlement {}", e.entitlement)))?;
                *status = status.after(e.change).ok_or_else(|| {
                    fail(format!("an entitlement that is {} cannot be {}", status.label(), e.change.label()))
                })?;
            }
            Event::ResidenceChanged(e) => self.residence = Some(e.country),
            Event::ClaimFiled(_) => {
                self.claims.insert(seq, None);
            }
            Event::ClaimResolved(e) => {
                let answer =
                    self.claims.get_mut(&e.claim).ok_or_else(|| fail(format!("no claim {}", e.claim)))?;
                if let Some((_, earlier)) = answer {
                    return Err(fail(format!("claim {} was already resolved at {earlier}", e.claim)));
                }
                *answer = Some((e.outcome, seq));
            }
            Event::ClaimAppealed(e) => {
                if !matches!(self.claims.get(&e.claim), Some(Some(_))) {
                    return Err(fail(format!("claim {} is not a resolved claim", e.claim)));
                }
                let appeal = AppealFacts { seq, body: e.appeal_body.clone(), decision: None };
                if let Some(earlier) = self.appeals.insert(e.claim, appeal) {
                    return Err(fail(format!("claim {} was already appealed at {}", e.claim, earlier.seq)));
                }
            }
            Event::AppealDecided(e) => {
                let appeal = self
                    .appeals
                    .get_mut(&e.claim)
                    .ok_or_else(|| fail(format!("no appeal of claim {}", e.claim)))?;
                if let Some(earlier) = appeal.decision {
                    return Err(fail(format!("the appeal of claim {} was decided at {earlier}", e.claim)));
                }
                appeal.decision = Some(seq);
            }
            Event::ConsentChanged(e) => match e.granted {
                true => {
                    self.consents.insert(e.organisation.clone(), e.registered_in);
                }
                false => {
                    self.consents.remove(&e.organisation);
                }
            },
            _ => {}
        }
        Ok(())
    }
}

/// Applies an event to a worker's facts, creating them at her enrolment, as
/// [`crate::apply_event`] does to her projection.
pub fn apply_facts(slot: &mut Option<WorkerFacts>, seq: Seq, event: &Event) -> Result<(), ProjectionError> {
    match (WorkerFacts::enrolled(seq, event), slot.as_mut()) {
        (Some(facts), None) => {
            *slot = Some(facts);
            Ok(())
        }
        (Some(_), Some(_)) => Err(ProjectionError { seq, problem: "the worker is already enrolled".into() }),
        (None, Some(facts)) => facts.apply(seq, event),
        (None, None) => Err(ProjectionError { seq, problem: "the worker is not enrolled".into() }),
    }
}
