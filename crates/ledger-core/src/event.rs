//! The events of the log. Nothing is ever updated or deleted: a correction is a new event that
//! references the one it corrects.

use chrono::NaiveDate;

use crate::{
    Branch, ClaimKind, ClaimOutcome, CostPayer, CreditKind, Currency, Insurance, InvalidInput, Jurisdiction,
    MinorUnits, Month, PeriodUnit, PrincipalId, RecruitmentPurpose, Sector, Seq, Sex, Text, WorkerId,
};

/// Longest rules document that can be adopted on the chain, in bytes. Bounded so that every record
/// stays small enough for the store to keep it in one page (docs/ARCHITECTURE.md).
pub const RULES_DOCUMENT_LEN_MAX: usize = 64 * 1024;

/// Longest credited period, in months: ten years in one event is already generous, and a bound
/// keeps one event's effect on projections small.
pub const CREDITED_PERIOD_MONTHS_MAX: u32 = 120;

/// Most months one claim may name: ten years of missing contributions is already a claim for a
/// whole career abroad, and a bound keeps the record small.
pub const CLAIM_MONTHS_MAX: usize = 120;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    WorkerEnrolled(WorkerEnrolled),
    ContributionRecorded(ContributionRecorded),
    ContributionReversed(ContributionReversed),
    PeriodCredited(PeriodCredited),
    RulesAdopted(RulesAdopted),
    EntitlementGranted(EntitlementGranted),
    EntitlementStatusChanged(EntitlementStatusChanged),
    BenefitPaid(BenefitPaid),
    ResidenceChanged(ResidenceChanged),
    ClaimFiled(ClaimFiled),
    ClaimResolved(ClaimResolved),
    CredentialReplaced(CredentialReplaced),
    ContributionCorrected(ContributionCorrected),
    BenefitApplied(BenefitApplied),
    PeriodCertified(PeriodCertified),
    AccessChanged(AccessChanged),
    RecruitmentCostRecorded(RecruitmentCostRecorded),
    ConsentChanged(ConsentChanged),
    ClaimAppealed(ClaimAppealed),
    AppealDecided(AppealDecided),
}

impl Event {
    /// The worker the event is about; none for events about the ledger itself.
    pub fn worker_id(&self) -> Option<&WorkerId> {
        match self {
            Event::WorkerEnrolled(event) => Some(&event.worker_id),
            Event::ContributionRecorded(event) => Some(&event.worker_id),
            Event::ContributionReversed(event) => Some(&event.worker_id),
            Event::PeriodCredited(event) => Some(&event.worker_id),
            Event::EntitlementGranted(event) => Some(&event.worker_id),
            Event::EntitlementStatusChanged(event) => Some(&event.worker_id),
            Event::BenefitPaid(event) => Some(&event.worker_id),
            Event::ResidenceChanged(event) => Some(&event.worker_id),
            Event::ClaimFiled(event) => Some(&event.worker_id),
            Event::ClaimResolved(event) => Some(&event.worker_id),
            Event::CredentialReplaced(event) => Some(&event.worker_id),
            Event::ContributionCorrected(event) => Some(&event.worker_id),
            Event::BenefitApplied(event) => Some(&event.worker_id),
            Event::PeriodCertified(event) => Some(&event.worker_id),
            Event::AccessChanged(event) => Some(&event.worker_id),
            Event::RecruitmentCostRecorded(event) => Some(&event.worker_id),
            Event::ConsentChanged(event) => Some(&event.worker_id),
            Event::ClaimAppealed(event) => Some(&event.worker_id),
            Event::AppealDecided(event) => Some(&event.worker_id),
            Event::RulesAdopted(_) => None,
        }
    }

    /// Whether the event concerns `jurisdiction`: happened there, was addressed to or filed by its
    /// agency, or enrolled a worker from there. An agency reads a worker's events that concern its
    /// jurisdiction and no others (docs/ARCHITECTURE.md, "Reading follows purpose").
    pub fn concerns(&self, jurisdiction: Jurisdiction) -> bool {
        let is = |other: Jurisdiction| other == jurisdiction;
        match self {
            Event::WorkerEnrolled(e) => is(e.enrolled_in) || is(e.origin),
            Event::ContributionRecorded(e) => is(e.jurisdiction),
            Event::ContributionReversed(e) => is(e.jurisdiction),
            Event::PeriodCredited(e) => is(e.jurisdiction),
            Event::EntitlementGranted(e) => is(e.jurisdiction),
            Event::EntitlementStatusChanged(e) => is(e.jurisdiction),
            Event::BenefitPaid(e) => is(e.jurisdiction),
            Event::ResidenceChanged(e) => is(e.country),
            Event::ClaimFiled(e) => is(e.addressed_to) || e.filed_via.is_some_and(is),
            Event::ClaimResolved(e) => is(e.jurisdiction),
            Event::CredentialReplaced(e) => e.reset_by.is_some_and(is),
            Event::ContributionCorrected(e) => is(e.jurisdiction),
            Event::BenefitApplied(e) => is(e.jurisdiction),
            Event::PeriodCertified(e) => is(e.jurisdiction),
            // Her own business: no agency reads how she signs in.
            Event::AccessChanged(_) => false,
            Event::RecruitmentCostRecorded(e) => is(e.origin) || is(e.destination),
            // Whom she trusts to act for her is hers and the organisation's, no agency's.
            Event::ConsentChanged(_) => false,
            // The agency whose answer is appealed reads the appeal and the decision on it.
            Event::ClaimAppealed(e) => is(e.jurisdiction) || e.filed_via.is_some_and(is),
            Event::AppealDecided(e) => is(e.jurisdiction),
            Event::RulesAdopted(_) => false,
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            Event::WorkerEnrolled(_) => "WorkerEnrolled",
            Event::ContributionRecorded(_) => "ContributionRecorded",
            Event::ContributionReversed(_) => "ContributionReversed",
            Event::PeriodCredited(_) => "PeriodCredited",
            Event::RulesAdopted(_) => "RulesAdopted",
            Event::EntitlementGranted(_) => "EntitlementGranted",
            Event::EntitlementStatusChanged(_) => "EntitlementStatusChanged",
            Event::BenefitPaid(_) => "BenefitPaid",
            Event::ResidenceChanged(_) => "ResidenceChanged",
            Event::ClaimFiled(_) => "ClaimFiled",
            Event::ClaimResolved(_) => "ClaimResolved",
            Event::CredentialReplaced(_) => "CredentialReplaced",
            Event::ContributionCorrected(_) => "ContributionCorrected",
            Event::BenefitApplied(_) => "BenefitApplied",
            Event::PeriodCertified(_) => "PeriodCertified",
            Event::AccessChanged(_) => "AccessChanged",
            Event::RecruitmentCostRecorded(_) => "RecruitmentCostRecorded",
            Event::ConsentChanged(_) => "ConsentChanged",
            Event::ClaimAppealed(_) => "ClaimAppealed",
            Event::AppealDecided(_) => "AppealDecided",
        }
    }
}

/// The rules document in force from this event on, whole, so that the rules behind every answer
/// are themselves on the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulesAdopted {
    /// SHA-256 of `document`.
    pub digest: [u8; 32],
    /// The exact text of the rules document (TOML).
    pub document: String,
}

/// A benefit granted by an agency's decision. The event's seq is the entitlement's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitlementGranted {
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub currency: Currency,
    pub monthly_amount: MinorUnits,
    pub start: Month,
}

/// What happened to an entitlement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusChange {
    Suspended = 1,
    Resumed = 2,
    Ended = 3,
}

impl StatusChange {
    pub fn from_code(code: i64) -> Result<StatusChange, crate::InvalidInput> {
        match code {
            1 => Ok(StatusChange::Suspended),
            2 => Ok(StatusChange::Resumed),
            3 => Ok(StatusChange::Ended),
            _ => Err(crate::InvalidInput::new("status", format!("{code} is not a known value"))),
        }
    }

    pub fn code(self) -> u8 {
        self as u8
    }

    pub fn label(self) -> &'static str {
        match self {
            StatusChange::Suspended => "suspended",
            StatusChange::Resumed => "resumed",
            StatusChange::Ended => "ended",
        }
    }
}

/// An entitlement is suspended, resumed or ended, from a month on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntitlementStatusChanged {
    /// The seq of the EntitlementGranted event.
    pub entitlement: Seq,
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub change: StatusChange,
    pub effective: Month,
    pub reason: Text,
}

/// A benefit payment for one month, and the country it was paid into (export of benefits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenefitPaid {
    pub entitlement: Seq,
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub month: Month,
    pub currency: Currency,
    pub amount: MinorUnits,
    pub paid_into: Jurisdiction,
}

/// The worker now lives in `country`, from a month on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResidenceChanged {
    pub worker_id: WorkerId,
    pub country: Jurisdiction,
    pub from: Month,
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
    /// Compulsory (kind 2 on the chain) or voluntary (kind 15) insurance.
    pub insurance: Insurance,
}

/// The most the employer's and the worker's shares of one contribution may add up to, in percent
/// of its insured wage. Contribution rates of a single branch stay far below it; shares above it
/// are a mistake in the payroll (an amount in the wrong unit, a wage and a share swapped).
pub const SHARES_OF_WAGE_PERCENT_MAX: u64 = 100;

impl ContributionRecorded {
    /// Refuses shares that add up to more than [`SHARES_OF_WAGE_PERCENT_MAX`] of the insured wage.
    pub fn check_shares(&self) -> Result<(), crate::InvalidInput> {
        self.figures().check_shares()
    }
}

/// The figures of one contribution: what a correction replaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    pub insured_wage: MinorUnits,
    pub employer_share: MinorUnits,
    pub worker_share: MinorUnits,
}

impl Figures {
    /// Refuses shares that add up to more than [`SHARES_OF_WAGE_PERCENT_MAX`] of the insured wage.
    pub fn check_shares(&self) -> Result<(), crate::InvalidInput> {
        let shares = u128::from(self.employer_share.get()) + u128::from(self.worker_share.get());
        let most = u128::from(self.insured_wage.get()) * u128::from(SHARES_OF_WAGE_PERCENT_MAX) / 100;
        if shares > most {
            return Err(crate::InvalidInput::new(
                "employer_share_minor",
                format!(
                    "the employer's and the worker's shares add up to {shares}, more than \
                     {SHARES_OF_WAGE_PERCENT_MAX}% of the insured wage of {}",
                    self.insured_wage.get()
                ),
            ));
        }
        Ok(())
    }
}

impl ContributionRecorded {
    /// The contribution's figures as recorded.
    pub fn figures(&self) -> Figures {
        Figures {
            insured_wage: self.insured_wage,
            employer_share: self.employer_share,
            worker_share: self.worker_share,
        }
    }

    /// The contribution with `figures` in place of its own: what it is after a correction.
    pub fn with_figures(mut self, figures: Figures) -> ContributionRecorded {
        self.insured_wage = figures.insured_wage;
        self.employer_share = figures.employer_share;
        self.worker_share = figures.worker_share;
        self
    }
}

/// A recorded contribution's insured wage and shares replaced, with the reason: a payroll
/// corrected, a claim upheld for a month already recorded. It keeps its seq, month, employer and
/// sector. The figures it had (as recorded, or as the last correction left them) are copied, so
/// that the correction reads on its own and a projection applies it without looking anything up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContributionCorrected {
    pub corrected_seq: Seq,
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub month: Month,
    pub currency: Currency,
    pub before: Figures,
    pub after: Figures,
    pub reason: Text,
}

/// Periods of insurance an institution certifies in its own unit (days, weeks, months, quarters)
/// between two months, without contribution figures, and the calendar months they count for once
/// converted by the certifying scheme's rule under the rules in force when recorded (Reg. 987/2009
/// Art. 13): the first `months` months from `from` count, never more than the period spans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodCertified {
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub from: Month,
    pub to: Month,
    pub unit: PeriodUnit,
    pub quantity: u32,
    pub insurance: Insurance,
    /// The converted months, at most the months from `from` to `to`.
    pub months: u32,
}

impl PeriodCertified {
    /// The calendar months the period counts for.
    pub fn counted_months(&self) -> impl Iterator<Item = Month> + '_ {
        let first = self.from.ordinal();
        (first..first + self.months).filter_map(|ordinal| Month::from_ordinal(ordinal).ok())
    }

    /// Refuses a span out of order or longer than a credited period may be, and more converted
    /// months than it spans.
    pub fn check(&self) -> Result<(), InvalidInput> {
        PeriodCredited::check_span(self.from, self.to)?;
        let span = self.to.ordinal() - self.from.ordinal() + 1;
        if self.months > span {
            return Err(InvalidInput::new(
                "months",
                format!("{} months exceed the {span} the period spans", self.months),
            ));
        }
        Ok(())
    }
}

/// A worker applied for a benefit of one branch, with the date of the risk it covers: for old age
/// the date from which the pension is claimed, for invalidity the onset, for survivors the death.
/// Lodged with the institution of one jurisdiction, it is an application to every state where she
/// was insured (Reg. 987/2009 Art. 45); a later application of the branch replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenefitApplied {
    pub worker_id: WorkerId,
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    pub risk_date: NaiveDate,
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

/// A worker's statement that contributions or a benefit are missing or unpaid, addressed to the
/// agency of the jurisdiction that owes the answer. The event's seq is the claim's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimFiled {
    pub worker_id: WorkerId,
    /// The jurisdiction whose agency must answer: where the work was done.
    pub addressed_to: Jurisdiction,
    /// The agency that filed on the worker's behalf; none when the worker filed it.
    pub filed_via: Option<Jurisdiction>,
    pub kind: ClaimKind,
    /// The agency's reference for the employer (not a person's name).
    pub employer_ref: Text,
    /// The months the claim is about, ascending and distinct.
    pub months: Vec<Month>,
    /// The addressed jurisdiction's currency, in which `amount` is.
    pub currency: Currency,
    /// What the worker says is owed, when they can say.
    pub amount: Option<MinorUnits>,
    /// SHA-256 of the evidence the worker holds (payslips, a contract); the evidence stays with them.
    pub evidence_sha256: [u8; 32],
    /// The last day the addressed agency has to answer, from the rules in force when filed.
    pub respond_by: NaiveDate,
}

impl ClaimFiled {
    /// Sorts the claimed months and checks them: 1 to [`CLAIM_MONTHS_MAX`], none twice.
    pub fn canonical_months(mut months: Vec<Month>) -> Result<Vec<Month>, InvalidInput> {
        if months.is_empty() || months.len() > CLAIM_MONTHS_MAX {
            return Err(InvalidInput::new(
                "months",
                format!("a claim names 1 to {CLAIM_MONTHS_MAX} months, got {}", months.len()),
            ));
        }
        months.sort_unstable();
        if let Some(pair) = months.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(InvalidInput::new("months", format!("{} is named twice", pair[0])));
        }
        Ok(months)
    }
}

/// A cost of a worker's recruitment: what it paid for, how much, who paid it, and the recruiter by
/// its licence, so that a renamed firm stays linked to its past. Recorded by an agency of the
/// corridor's origin or destination from its own records, or declared by the worker herself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecruitmentCostRecorded {
    pub worker_id: WorkerId,
    /// The corridor: her origin, and where she was recruited to work.
    pub origin: Jurisdiction,
    pub destination: Jurisdiction,
    /// Where the recruiter is licensed, and its licence number there.
    pub licensed_in: Jurisdiction,
    pub licence: Text,
    pub purpose: RecruitmentPurpose,
    pub currency: Currency,
    pub amount: MinorUnits,
    pub paid_by: CostPayer,
    /// The lender's reference when a loan paid it (an institution, never a person's name); none
    /// otherwise.
    pub lender: Option<Text>,
    /// The employer's reference, when known.
    pub employer_ref: Option<Text>,
    /// The month it was paid (or the loan taken).
    pub paid_in: Month,
    /// SHA-256 of the evidence (a receipt, a loan agreement); the evidence stays with its holder.
    pub evidence_sha256: [u8; 32],
    /// Declared by the worker herself rather than recorded by an agency.
    pub declared: bool,
}

/// The addressed agency's answer to a claim. When upheld, the contributions it records follow this
/// event in the same request, `contributions` of them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimResolved {
    /// The seq of the ClaimFiled event.
    pub claim: Seq,
    pub worker_id: WorkerId,
    /// The addressed jurisdiction, whose agency answered.
    pub jurisdiction: Jurisdiction,
    pub outcome: ClaimOutcome,
    /// Why; required when the claim is rejected.
    pub reason: Option<Text>,
    /// How many ContributionRecorded events of the same request, right after this one, the
    /// resolution recorded.
    pub contributions: u32,
}

/// The worker appealed the answer to her claim, to the body the rules in force name for the
/// addressed jurisdiction (a labour court, a social-security tribunal). A claim's resolution is
/// appealed once; the body has its own deadline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimAppealed {
    /// The seq of the ClaimFiled event whose resolution is appealed.
    pub claim: Seq,
    pub worker_id: WorkerId,
    /// The addressed jurisdiction, whose agency resolved the claim.
    pub jurisdiction: Jurisdiction,
    /// The agency of her origin that appealed on her behalf; none when she appealed, or a workers'
    /// organisation holding her consent did (the envelope's principal says which).
    pub filed_via: Option<Jurisdiction>,
    /// The appeal body's principal id, as the rules in force named it when the appeal was made.
    pub appeal_body: PrincipalId,
    /// SHA-256 of her grounds (a letter, new evidence); they stay with her.
    pub grounds_sha256: [u8; 32],
    /// The last day the body has to decide, from the rules in force when appealed.
    pub respond_by: NaiveDate,
}

/// The appeal body's decision, in the body of a resolution (kind 11 and kind 21 are encoded alike).
/// Upheld, the claim is upheld on appeal, and for a claim that records contributions the
/// `contributions` ContributionRecorded events that follow it in the same request are those the
/// decision recorded; rejected (with a reason), the agency's resolution stands. `jurisdiction` is
/// the addressed jurisdiction, where the body sits.
pub type AppealDecided = ClaimResolved;

/// The worker's credential was replaced: every earlier one stopped working with this event. The
/// first credential is issued with the enrolment, which its `WorkerEnrolled` event records. Neither
/// the credential nor any digest of it is on the chain: only that it changed, by whom and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialReplaced {
    pub worker_id: WorkerId,
    /// The jurisdiction of the agency that reset it for the worker; none when the worker rotated it
    /// herself.
    pub reset_by: Option<Jurisdiction>,
}

/// The worker gave a workers' organisation (a union or a migrant workers' organisation,
/// registered in one jurisdiction) her consent to file and follow her claims, or took it back.
/// Only she records it. The organisation sees her claims' status while it holds; never her
/// contributions or personal fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsentChanged {
    pub worker_id: WorkerId,
    /// The organisation's principal id.
    pub organisation: PrincipalId,
    /// Where it is registered.
    pub registered_in: Jurisdiction,
    /// Given (true) or taken back (false).
    pub granted: bool,
}

/// The worker's own way into the portal changed: she set a PIN with the one-time activation code
/// her agency gave her, or it was locked after too many wrong attempts (only an agency's recorded
/// reset, a `CredentialReplaced`, opens it again with a new code). Neither the code, the PIN nor any
/// digest of them is on the chain: only that it changed, how and when, so that she can see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessChanged {
    pub worker_id: WorkerId,
    pub change: AccessChange,
}

/// How a worker's access changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessChange {
    /// She set a PIN, using up her activation code.
    PinSet,
    /// Her PIN was locked after this many wrong attempts (or wrong activation codes) in a row.
    Locked { failed_attempts: u8 },
    /// She added a passkey (a key her phone keeps and unlocks), confirming it with her PIN.
    PasskeyAdded,
}

impl AccessChange {
    pub fn code(self) -> u8 {
        match self {
            AccessChange::PinSet => 1,
            AccessChange::Locked { .. } => 2,
            AccessChange::PasskeyAdded => 3,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            AccessChange::PinSet => "pin_set",
            AccessChange::Locked { .. } => "locked",
            AccessChange::PasskeyAdded => "passkey_added",
        }
    }
}
