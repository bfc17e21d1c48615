//! What the writer is asked to do, and what it answers.

use chrono::{DateTime, Utc};

use crate::access::{Activation, Passkey, PinVerifier};
use ledger_core::{
    encode_event, sha256, Branch, ChainHash, ClaimKind, ClaimOutcome, ContributionRecorded, CostPayer,
    Currency, Event, EventHash, Figures, InvalidInput, Jurisdiction, MinorUnits, Month, PeriodCredited,
    PrincipalId, RecruitmentPurpose, RequestId, Seq, Sex, StatusChange, Text, WorkerId,
};

/// Most events one request may append: a month of payroll for a large employer is sent as several
/// requests of this size.
pub const EVENTS_PER_REQUEST_MAX: usize = 1000;

/// Who is acting: an agency of one jurisdiction, a worker (for her own record), or a principal
/// that is neither (an auditor or an operator) and may write nothing. One of the three, never two.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    Agency {
        principal: PrincipalId,
        jurisdiction: Jurisdiction,
    },
    Worker {
        principal: PrincipalId,
        worker: WorkerId,
    },
    /// A workers' organisation, registered in `registered_in`: it acts for a worker only with her
    /// recorded consent.
    Organisation {
        principal: PrincipalId,
        registered_in: Jurisdiction,
    },
    /// The body the rules name to decide appeals in `jurisdiction` (a labour court, a tribunal):
    /// it decides the appeals made to it, and writes nothing else.
    AppealBody {
        principal: PrincipalId,
        jurisdiction: Jurisdiction,
    },
    Other {
        principal: PrincipalId,
    },
}

impl Actor {
    /// An agency of `jurisdiction`.
    pub fn agency(principal: PrincipalId, jurisdiction: Jurisdiction) -> Actor {
        Actor::Agency { principal, jurisdiction }
    }

    /// Whoever acts, by their principal id.
    pub fn principal(&self) -> &PrincipalId {
        match self {
            Actor::Agency { principal, .. }
            | Actor::Worker { principal, .. }
            | Actor::Organisation { principal, .. }
            | Actor::AppealBody { principal, .. }
            | Actor::Other { principal } => principal,
        }
    }

    /// The agency's jurisdiction; none for anyone else.
    pub fn jurisdiction(&self) -> Option<Jurisdiction> {
        match self {
            Actor::Agency { jurisdiction, .. } => Some(*jurisdiction),
            _ => None,
        }
    }

    /// The worker acting for herself; none for anyone else.
    pub fn worker(&self) -> Option<&WorkerId> {
        match self {
            Actor::Worker { worker, .. } => Some(worker),
            _ => None,
        }
    }
}

/// The fewest workers of a group claim; the most is [`EVENTS_PER_REQUEST_MAX`], a request's events.
pub const GROUP_CLAIM_WORKERS_MIN: usize = 2;

/// One write request, already checked for form by the caller; the writer checks it against the
/// ledger's state and rules.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub actor: Actor,
    pub request_id: RequestId,
    pub action: Action,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    EnrollWorker {
        origin: Jurisdiction,
        sex: Option<Sex>,
        birth_month: Option<Month>,
        /// SHA-256 of the credential to issue the new worker, stored in the same commit as the
        /// enrolment (never on the chain). Not part of the request's fingerprint.
        credential: Option<[u8; 32]>,
        /// The portal activation code to issue her, stored the same way.
        activation: Option<Activation>,
    },
    /// Contributions, each refused when its worker, jurisdiction, branch, month and employer
    /// already have a live one.
    RecordContributions(Vec<ContributionRecorded>),
    /// Contributions, each correcting the live one of the same worker, jurisdiction, branch, month
    /// and employer when there is one and its figures differ (left out when they are the same):
    /// a payroll imported again after a correction.
    RecordOrCorrect {
        items: Vec<ContributionRecorded>,
        reason: Text,
    },
    /// Periods certified in the agency's unit; the writer converts them to months.
    CertifyPeriods(Vec<PeriodCertification>),
    /// A worker's application for a benefit of `branch`, with the date of its risk.
    ApplyForBenefit {
        worker_id: WorkerId,
        branch: Branch,
        risk_date: chrono::NaiveDate,
    },
    /// New figures for the live contribution at `seq`.
    CorrectContribution {
        seq: Seq,
        figures: Figures,
        reason: Text,
    },
    ReverseContribution {
        seq: Seq,
        reason: Text,
    },
    CreditPeriods(Vec<PeriodCredited>),
    GrantEntitlement {
        worker_id: WorkerId,
        jurisdiction: Jurisdiction,
        branch: Branch,
        currency: Currency,
        monthly_amount: MinorUnits,
        start: Month,
    },
    ChangeEntitlementStatus {
        entitlement: Seq,
        change: StatusChange,
        effective: Month,
        reason: Text,
    },
    RecordBenefitPayment {
        entitlement: Seq,
        month: Month,
        currency: Currency,
        amount: MinorUnits,
        paid_into: Jurisdiction,
    },
    RecordResidenceChange {
        worker_id: WorkerId,
        country: Jurisdiction,
        from: Month,
    },
    /// A claim, by the worker or on their behalf by an agency.
    FileClaim(ClaimRequest),
    /// A new credential for the worker, revoking every earlier one: rotated by the worker herself,
    /// or reset by an agency of her origin or of the jurisdiction that enrolled her.
    ReplaceCredential {
        worker_id: WorkerId,
        /// SHA-256 of the new credential, stored in the same commit as the event (never on the
        /// chain). Not part of the request's fingerprint.
        credential: [u8; 32],
        /// A new portal activation code, which also clears her PIN: an agency's reset gives one,
        /// a worker's own rotation none. Not part of the request's fingerprint.
        activation: Option<Activation>,
    },
    /// A cost of the worker's recruitment, recorded by an agency of her origin or of the
    /// corridor's destination, or declared by the worker. Boxed: it is large.
    RecordRecruitmentCost(Box<RecruitmentCostRequest>),
    /// The worker gives a workers' organisation her consent to file and follow her claims, or
    /// takes it back. Only she does. Where the organisation is registered comes with a consent
    /// given (from the principals in force); a consent taken back names where the consent she gave
    /// said, which the writer knows, so that a retry is the same request whatever the principals
    /// say by then.
    ChangeConsent {
        worker_id: WorkerId,
        organisation: PrincipalId,
        /// Where the organisation is registered: given with a consent given, none with one taken
        /// back.
        registered_in: Option<Jurisdiction>,
        granted: bool,
    },
    /// A workers' organisation files one claim for each of several workers at once (the same
    /// addressed jurisdiction, employer, kind and evidence), each of whom has given it her consent:
    /// one atomic write, so that the group is whole or not at all. The chain shows the group as
    /// the claims of one request of the organisation.
    FileGroupClaim(Vec<ClaimRequest>),
    /// The worker sets her PIN with her activation code (its digest here), which it uses up. The
    /// service that took the code and the PIN has checked the code already; the writer checks it
    /// again against what is stored, so that two uses of one code cannot both succeed.
    ActivateAccess {
        worker_id: WorkerId,
        code: [u8; 32],
        /// Not part of the request's fingerprint.
        pin: PinVerifier,
    },
    /// She adds a passkey. The service that took it has checked her PIN and the WebAuthn
    /// ceremony; the writer checks that her access is open, that she has room for one more and
    /// that it is not one she has.
    AddPasskey {
        worker_id: WorkerId,
        /// Boxed: its key would make every command larger.
        passkey: Box<Passkey>,
    },
    /// Her PIN (or activation code) is locked after `failed_attempts` wrong ones in a row.
    LockAccess {
        worker_id: WorkerId,
        failed_attempts: u8,
    },
    /// The addressed agency's answer; an upheld claim records its contributions with it.
    ResolveClaim {
        claim: Seq,
        outcome: ClaimOutcome,
        reason: Option<Text>,
        contributions: Vec<ContributionRecorded>,
    },
    /// Her appeal of the answer to the claim filed at `claim`, to the body the rules in force name
    /// for its jurisdiction: by her, a workers' organisation holding her consent, or her origin's
    /// agency once she lives there again.
    AppealClaim {
        claim: Seq,
        grounds_sha256: [u8; 32],
    },
    /// The appeal body's decision; upheld, it records the contributions the claim found missing,
    /// as a resolution does.
    DecideAppeal {
        claim: Seq,
        outcome: ClaimOutcome,
        reason: Option<Text>,
        contributions: Vec<ContributionRecorded>,
    },
}

/// Periods of insurance an agency certifies in its unit, before the writer converts them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodCertification {
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub from: Month,
    pub to: Month,
    pub unit: ledger_core::PeriodUnit,
    pub quantity: u32,
    pub insurance: ledger_core::Insurance,
}

/// A recruitment cost as asked for: the corridor's origin is the worker's, and whether it was
/// declared follows from who asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecruitmentCostRequest {
    pub worker_id: WorkerId,
    pub destination: Jurisdiction,
    pub licensed_in: Jurisdiction,
    pub licence: Text,
    pub purpose: RecruitmentPurpose,
    pub currency: Currency,
    pub amount: MinorUnits,
    pub paid_by: CostPayer,
    pub lender: Option<Text>,
    pub employer_ref: Option<Text>,
    pub paid_in: Month,
    pub evidence_sha256: [u8; 32],
}

/// What a claim says, as filed; the writer adds the currency and the day it must be answered by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRequest {
    pub worker_id: WorkerId,
    pub addressed_to: Jurisdiction,
    pub kind: ClaimKind,
    pub employer_ref: Text,
    /// Ascending and distinct (`ClaimFiled::canonical_months`).
    pub months: Vec<Month>,
    pub amount: Option<MinorUnits>,
    pub evidence_sha256: [u8; 32],
}

impl ClaimRequest {
    /// The claim's content, for a request's fingerprint.
    fn digest_into(&self, bytes: &mut Vec<u8>) {
        put_text(bytes, self.worker_id.as_str());
        bytes.extend_from_slice(&self.addressed_to.as_bytes());
        bytes.push(self.kind.code());
        put_text(bytes, self.employer_ref.as_str());
        bytes.extend_from_slice(&(self.months.len() as u32).to_be_bytes());
        for month in &self.months {
            bytes.extend_from_slice(&month.ordinal().to_be_bytes());
        }
        match self.amount {
            Some(amount) => {
                bytes.push(1);
                bytes.extend_from_slice(&amount.get().to_be_bytes());
            }
            None => bytes.push(0),
        }
        bytes.extend_from_slice(&self.evidence_sha256);
    }
}

impl Action {
    /// How many events the action appends when it succeeds.
    pub fn event_count(&self) -> usize {
        match self {
            Action::RecordContributions(items) => items.len(),
            Action::RecordOrCorrect { items, .. } => items.len(),
            Action::CertifyPeriods(items) => items.len(),
            Action::CreditPeriods(items) => items.len(),
            Action::ResolveClaim { contributions, .. } | Action::DecideAppeal { contributions, .. } => {
                1 + contributions.len()
            }
            Action::FileGroupClaim(members) => members.len(),
            _ => 1,
        }
    }

    /// Rejects empty and oversized batches.
    pub fn check_size(&self) -> Result<(), InvalidInput> {
        let (field, count) = match self {
            Action::RecordContributions(items) => ("contributions", items.len()),
            Action::RecordOrCorrect { items, .. } => ("contributions", items.len()),
            Action::CertifyPeriods(items) => ("periods", items.len()),
            Action::CreditPeriods(items) => ("periods", items.len()),
            Action::FileGroupClaim(members) if members.len() < GROUP_CLAIM_WORKERS_MIN => {
                return Err(InvalidInput::new(
                    "members",
                    format!("a group claim is of {GROUP_CLAIM_WORKERS_MIN} workers or more; one worker's is a claim"),
                ));
            }
            Action::FileGroupClaim(members) => ("members", members.len()),
            Action::ResolveClaim { contributions, .. } | Action::DecideAppeal { contributions, .. } => {
                // The resolution (or decision) itself is one of the request's events.
                let most = EVENTS_PER_REQUEST_MAX - 1;
                if contributions.len() > most {
                    return Err(InvalidInput::new(
                        "contributions",
                        format!(
                            "a resolution records at most {most} contributions, got {}",
                            contributions.len()
                        ),
                    ));
                }
                return Ok(());
            }
            _ => return Ok(()),
        };
        if count == 0 || count > EVENTS_PER_REQUEST_MAX {
            return Err(InvalidInput::new(
                field,
                format!("a batch holds 1 to {EVENTS_PER_REQUEST_MAX} items, got {count}"),
            ));
        }
        Ok(())
    }

    /// A fingerprint of the request's content, so that a retry can be told from a different request
    /// that reuses the same id. Generated values (the worker id of an enrolment) are not part of it.
    pub fn digest(&self) -> [u8; 32] {
        let mut bytes = Vec::with_capacity(64 * self.event_count());
        match self {
            Action::EnrollWorker { origin, sex, birth_month, credential: _, activation: _ } => {
                bytes.push(1);
                bytes.extend_from_slice(&origin.as_bytes());
                bytes.push(sex.map_or(0, Sex::code));
                let month = birth_month.map_or(0, Month::ordinal);
                bytes.extend_from_slice(&month.to_be_bytes());
            }
            Action::RecordContributions(items) => {
                bytes.push(2);
                for item in items {
                    encode_event(&Event::ContributionRecorded(item.clone()), &mut bytes);
                }
            }
            Action::ReverseContribution { seq, reason } => {
                bytes.push(3);
                bytes.extend_from_slice(&seq.0.to_be_bytes());
                bytes.extend_from_slice(reason.as_str().as_bytes());
            }
            Action::CreditPeriods(items) => {
                bytes.push(4);
                for item in items {
                    encode_event(&Event::PeriodCredited(item.clone()), &mut bytes);
                }
            }
            Action::GrantEntitlement { worker_id, jurisdiction, branch, currency, monthly_amount, start } => {
                bytes.push(6);
                bytes.extend_from_slice(worker_id.as_str().as_bytes());
                bytes.extend_from_slice(&jurisdiction.as_bytes());
                bytes.push(branch.code());
                bytes.extend_from_slice(&currency.as_bytes());
                bytes.extend_from_slice(&monthly_amount.get().to_be_bytes());
                bytes.extend_from_slice(&start.ordinal().to_be_bytes());
            }
            Action::ChangeEntitlementStatus { entitlement, change, effective, reason } => {
                bytes.push(7);
                bytes.extend_from_slice(&entitlement.0.to_be_bytes());
                bytes.push(change.code());
                bytes.extend_from_slice(&effective.ordinal().to_be_bytes());
                bytes.extend_from_slice(reason.as_str().as_bytes());
            }
            Action::RecordBenefitPayment { entitlement, month, currency, amount, paid_into } => {
                bytes.push(8);
                bytes.extend_from_slice(&entitlement.0.to_be_bytes());
                bytes.extend_from_slice(&month.ordinal().to_be_bytes());
                bytes.extend_from_slice(&currency.as_bytes());
                bytes.extend_from_slice(&amount.get().to_be_bytes());
                bytes.extend_from_slice(&paid_into.as_bytes());
            }
            Action::RecordResidenceChange { worker_id, country, from } => {
                bytes.push(9);
                bytes.extend_from_slice(worker_id.as_str().as_bytes());
                bytes.extend_from_slice(&country.as_bytes());
                bytes.extend_from_slice(&from.ordinal().to_be_bytes());
            }
            Action::FileClaim(claim) => {
                bytes.push(10);
                claim.digest_into(&mut bytes);
            }
            Action::FileGroupClaim(members) => {
                bytes.push(22);
                for member in members {
                    member.digest_into(&mut bytes);
                }
            }
            Action::ResolveClaim { claim, outcome, reason, contributions } => {
                bytes.push(11);
                bytes.extend_from_slice(&claim.0.to_be_bytes());
                bytes.push(outcome.code());
                put_text(&mut bytes, reason.as_ref().map_or("", Text::as_str));
                for item in contributions {
                    encode_event(&Event::ContributionRecorded(item.clone()), &mut bytes);
                }
            }
            Action::AppealClaim { claim, grounds_sha256 } => {
                bytes.push(23);
                bytes.extend_from_slice(&claim.0.to_be_bytes());
                bytes.extend_from_slice(grounds_sha256);
            }
            Action::DecideAppeal { claim, outcome, reason, contributions } => {
                bytes.push(24);
                bytes.extend_from_slice(&claim.0.to_be_bytes());
                bytes.push(outcome.code());
                put_text(&mut bytes, reason.as_ref().map_or("", Text::as_str));
                for item in contributions {
                    encode_event(&Event::ContributionRecorded(item.clone()), &mut bytes);
                }
            }
            Action::ReplaceCredential { worker_id, credential: _, activation: _ } => {
                bytes.push(12);
                put_text(&mut bytes, worker_id.as_str());
            }
            Action::ActivateAccess { worker_id, code, pin: _ } => {
                bytes.push(17);
                put_text(&mut bytes, worker_id.as_str());
                bytes.extend_from_slice(code);
            }
            Action::AddPasskey { worker_id, passkey } => {
                bytes.push(19);
                put_text(&mut bytes, worker_id.as_str());
                bytes.extend_from_slice(&passkey.credential_id);
            }
            Action::RecordRecruitmentCost(cost) => {
                bytes.push(20);
                put_text(&mut bytes, cost.worker_id.as_str());
                bytes.extend_from_slice(&cost.destination.as_bytes());
                bytes.extend_from_slice(&cost.licensed_in.as_bytes());
                put_text(&mut bytes, cost.licence.as_str());
                bytes.push(cost.purpose.code());
                bytes.extend_from_slice(&cost.currency.as_bytes());
                bytes.extend_from_slice(&cost.amount.get().to_be_bytes());
                bytes.push(cost.paid_by.code());
                put_text(&mut bytes, cost.lender.as_ref().map_or("", Text::as_str));
                put_text(&mut bytes, cost.employer_ref.as_ref().map_or("", Text::as_str));
                bytes.extend_from_slice(&cost.paid_in.year().to_be_bytes());
                bytes.push(cost.paid_in.month());
                bytes.extend_from_slice(&cost.evidence_sha256);
            }
            Action::ChangeConsent { worker_id, organisation, registered_in, granted } => {
                bytes.push(21);
                put_text(&mut bytes, worker_id.as_str());
                put_text(&mut bytes, organisation.as_str());
                bytes.extend_from_slice(&registered_in.map_or([0, 0], |code| code.as_bytes()));
                bytes.push(u8::from(*granted));
            }
            Action::LockAccess { worker_id, failed_attempts } => {
                bytes.push(18);
                put_text(&mut bytes, worker_id.as_str());
                bytes.push(*failed_attempts);
            }
            Action::RecordOrCorrect { items, reason } => {
                bytes.push(13);
                put_text(&mut bytes, reason.as_str());
                for item in items {
                    encode_event(&Event::ContributionRecorded(item.clone()), &mut bytes);
                }
            }
            Action::CertifyPeriods(items) => {
                bytes.push(16);
                for item in items {
                    put_text(&mut bytes, item.worker_id.as_str());
                    bytes.extend_from_slice(&item.jurisdiction.as_bytes());
                    bytes.push(item.branch.code());
                    bytes.extend_from_slice(&item.from.ordinal().to_be_bytes());
                    bytes.extend_from_slice(&item.to.ordinal().to_be_bytes());
                    bytes.push(item.unit.code());
                    bytes.extend_from_slice(&item.quantity.to_be_bytes());
                    bytes.push(item.insurance.code());
                }
            }
            Action::ApplyForBenefit { worker_id, branch, risk_date } => {
                bytes.push(15);
                put_text(&mut bytes, worker_id.as_str());
                bytes.push(branch.code());
                bytes.extend_from_slice(&risk_date.to_epoch_days().to_be_bytes());
            }
            Action::CorrectContribution { seq, figures, reason } => {
                bytes.push(14);
                bytes.extend_from_slice(&seq.0.to_be_bytes());
                for amount in [figures.insured_wage, figures.employer_share, figures.worker_share] {
                    bytes.extend_from_slice(&amount.get().to_be_bytes());
                }
                put_text(&mut bytes, reason.as_str());
            }
        }
        sha256(&bytes)
    }
}

/// A length-prefixed string, so that adjacent fields of a fingerprint cannot run into each other.
fn put_text(bytes: &mut Vec<u8>, text: &str) {
    bytes.extend_from_slice(&(text.len() as u32).to_be_bytes());
    bytes.extend_from_slice(text.as_bytes());
}

/// Proof that an event is in the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub seq: Seq,
    pub event_hash: EventHash,
    pub chain_hash: ChainHash,
    pub recorded_at: DateTime<Utc>,
    /// True when this answers a retry of a request that was already recorded.
    pub replayed: bool,
}

/// What became of one contribution of a [`Action::RecordOrCorrect`], by the seq of the
/// contribution: the new one, or the recorded one it corrected or left as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContributionOutcome {
    Recorded(Seq),
    Corrected(Seq),
    Unchanged(Seq),
}

impl ContributionOutcome {
    pub fn label(self) -> &'static str {
        match self {
            ContributionOutcome::Recorded(_) => "recorded",
            ContributionOutcome::Corrected(_) => "corrected",
            ContributionOutcome::Unchanged(_) => "unchanged",
        }
    }

    pub fn seq(self) -> Seq {
        match self {
            ContributionOutcome::Recorded(seq)
            | ContributionOutcome::Corrected(seq)
            | ContributionOutcome::Unchanged(seq) => seq,
        }
    }
}

/// The answer to a command: one receipt per appended event, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub receipts: Vec<Receipt>,
    /// For a [`Action::RecordOrCorrect`] answered now, each contribution's outcome, in request
    /// order; empty otherwise (and for a retry).
    pub contributions: Vec<ContributionOutcome>,
    /// The id issued by an enrolment.
    pub worker_id: Option<WorkerId>,
    /// The day a filed claim (or an appeal) must be answered by.
    pub respond_by: Option<chrono::NaiveDate>,
    /// The body an appeal was made to.
    pub appealed_to: Option<PrincipalId>,
}

impl Outcome {
    pub(crate) fn new() -> Outcome {
        Outcome {
            receipts: Vec::new(),
            contributions: Vec::new(),
            worker_id: None,
            respond_by: None,
            appealed_to: None,
        }
    }

    /// Takes from an appended (or replayed) event what the answer reports besides receipts.
    pub(crate) fn note(&mut self, event: &Event) {
        match event {
            Event::WorkerEnrolled(enrolled) => self.worker_id = Some(enrolled.worker_id.clone()),
            Event::ClaimFiled(filed) => self.respond_by = Some(filed.respond_by),
            Event::ClaimAppealed(appealed) => {
                self.respond_by = Some(appealed.respond_by);
                self.appealed_to = Some(appealed.appeal_body.clone());
            }
            _ => {}
        }
    }

    pub(crate) fn replayed(mut self) -> Outcome {
        for receipt in &mut self.receipts {
            receipt.replayed = true;
        }
        self
    }
}
