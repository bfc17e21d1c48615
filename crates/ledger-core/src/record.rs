//! The stored record: one event with its envelope, in the canonical binary encoding of
//! docs/FORMAT.md. Every valid record has exactly one encoding: decoding rejects unknown values,
//! out-of-range fields and trailing bytes, so `encode(decode(bytes)) == bytes` for every record
//! that decodes.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::cursor::{Cursor, Short};
use crate::event::{
    AccessChange, AccessChanged, BenefitApplied, BenefitPaid, ClaimAppealed, ClaimFiled, ClaimResolved,
    ConsentChanged, CredentialReplaced, EntitlementGranted, EntitlementStatusChanged,
    RecruitmentCostRecorded, ResidenceChanged, RulesAdopted, StatusChange, CLAIM_MONTHS_MAX,
    RULES_DOCUMENT_LEN_MAX,
};
use crate::{
    Branch, ChainHash, ClaimKind, ClaimOutcome, ContributionCorrected, ContributionRecorded,
    ContributionReversed, CostPayer, CreditKind, Currency, Event, Figures, Insurance, Jurisdiction,
    MinorUnits, Month, PeriodCertified, PeriodCredited, PeriodUnit, PrincipalId, RecruitmentPurpose,
    RequestId, Sector, Seq, Sex, Text, WorkerEnrolled, WorkerId, EMPLOYER_REF_LEN_MAX, REASON_LEN_MAX,
};

/// The record format this code writes and reads. A new version gets a new number; old records keep
/// decoding forever.
pub const RECORD_FORMAT_VERSION: u8 = 1;
/// Largest encoded record, in bytes: a rules document at its largest, with its envelope.
pub const RECORD_LEN_MAX: usize = crate::event::RULES_DOCUMENT_LEN_MAX + 1024;

const KIND_WORKER_ENROLLED: u8 = 1;
const KIND_CONTRIBUTION_RECORDED: u8 = 2;
const KIND_CONTRIBUTION_REVERSED: u8 = 3;
const KIND_PERIOD_CREDITED: u8 = 4;
const KIND_RULES_ADOPTED: u8 = 5;
const KIND_ENTITLEMENT_GRANTED: u8 = 6;
const KIND_ENTITLEMENT_STATUS_CHANGED: u8 = 7;
const KIND_BENEFIT_PAID: u8 = 8;
const KIND_RESIDENCE_CHANGED: u8 = 9;
const KIND_CLAIM_FILED: u8 = 10;
const KIND_CLAIM_RESOLVED: u8 = 11;
const KIND_CREDENTIAL_REPLACED: u8 = 12;
const KIND_CONTRIBUTION_CORRECTED: u8 = 13;
const KIND_BENEFIT_APPLIED: u8 = 14;
/// A ContributionRecorded of voluntary insurance: the body of kind 2 under its own kind, so that
/// every compulsory contribution keeps the bytes it always had.
const KIND_VOLUNTARY_CONTRIBUTION_RECORDED: u8 = 15;
const KIND_PERIOD_CERTIFIED: u8 = 16;
const KIND_ACCESS_CHANGED: u8 = 17;
const KIND_RECRUITMENT_COST_RECORDED: u8 = 18;
const KIND_CONSENT_CHANGED: u8 = 19;
const KIND_CLAIM_APPEALED: u8 = 20;
const KIND_APPEAL_DECIDED: u8 = 21;

/// One event as stored, with who recorded it, when, for which request, and after which chain hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub seq: Seq,
    /// Microsecond precision: the encoding keeps microseconds since the Unix epoch.
    pub recorded_at: DateTime<Utc>,
    pub principal: PrincipalId,
    pub request_id: RequestId,
    pub prev_chain_hash: ChainHash,
    pub event: Event,
}

/// Why stored bytes are not a record.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("undecodable record at byte {offset}: {problem}")]
pub struct DecodeError {
    pub offset: usize,
    pub problem: String,
}

impl Record {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.push(RECORD_FORMAT_VERSION);
        out.extend_from_slice(&self.seq.0.to_be_bytes());
        out.extend_from_slice(&self.recorded_at.timestamp_micros().to_be_bytes());
        put_str8(&mut out, self.principal.as_str());
        put_str8(&mut out, self.request_id.as_str());
        out.extend_from_slice(self.prev_chain_hash.as_bytes());
        encode_event(&self.event, &mut out);
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Record, DecodeError> {
        let mut reader = Reader { cursor: Cursor::new(bytes) };
        let version = reader.u8()?;
        if version != RECORD_FORMAT_VERSION {
            return Err(reader.fail(format!("unknown record format version {version}")));
        }
        let seq = Seq(reader.u64()?);
        let micros = reader.i64()?;
        let recorded_at = DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| reader.fail(format!("{micros} is not a time")))?;
        let principal = reader.parsed(|r| PrincipalId::parse(r.str8()?).map_err(Into::into))?;
        let request_id = reader.parsed(|r| RequestId::parse(r.str8()?).map_err(Into::into))?;
        let prev_chain_hash = ChainHash::from_bytes(reader.array::<32>()?);
        let event = decode_event(&mut reader)?;
        if !reader.cursor.at_end() {
            return Err(reader.fail(format!("{} trailing bytes", reader.cursor.remaining())));
        }
        Ok(Record { seq, recorded_at, principal, request_id, prev_chain_hash, event })
    }
}

/// Appends the canonical encoding of an event (its kind byte and body) to `out`. The writer also
/// uses this to fingerprint a request's content for idempotency.
pub fn encode_event(event: &Event, out: &mut Vec<u8>) {
    match event {
        Event::WorkerEnrolled(e) => {
            out.push(KIND_WORKER_ENROLLED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.origin.as_bytes());
            out.extend_from_slice(&e.enrolled_in.as_bytes());
            out.push(e.sex.map_or(0, Sex::code));
            put_optional_month(out, e.birth_month);
        }
        Event::ContributionRecorded(e) => {
            out.push(match e.insurance {
                Insurance::Compulsory => KIND_CONTRIBUTION_RECORDED,
                Insurance::Voluntary => KIND_VOLUNTARY_CONTRIBUTION_RECORDED,
            });
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.branch.code());
            put_month(out, e.month);
            out.extend_from_slice(&e.currency.as_bytes());
            for amount in [e.insured_wage, e.employer_share, e.worker_share] {
                out.extend_from_slice(&amount.get().to_be_bytes());
            }
            put_str8(out, e.employer_ref.as_str());
            out.push(e.sector.code());
        }
        Event::PeriodCertified(e) => {
            out.push(KIND_PERIOD_CERTIFIED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.branch.code());
            put_month(out, e.from);
            put_month(out, e.to);
            out.push(e.unit.code());
            out.extend_from_slice(&e.quantity.to_be_bytes());
            out.push(e.insurance.code());
            out.extend_from_slice(&(e.months as u16).to_be_bytes());
        }
        Event::BenefitApplied(e) => {
            out.push(KIND_BENEFIT_APPLIED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.branch.code());
            put_date(out, e.risk_date);
        }
        Event::ContributionCorrected(e) => {
            out.push(KIND_CONTRIBUTION_CORRECTED);
            out.extend_from_slice(&e.corrected_seq.0.to_be_bytes());
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.branch.code());
            put_month(out, e.month);
            out.extend_from_slice(&e.currency.as_bytes());
            for figures in [e.before, e.after] {
                for amount in [figures.insured_wage, figures.employer_share, figures.worker_share] {
                    out.extend_from_slice(&amount.get().to_be_bytes());
                }
            }
            put_str16(out, e.reason.as_str());
        }
        Event::ContributionReversed(e) => {
            out.push(KIND_CONTRIBUTION_REVERSED);
            out.extend_from_slice(&e.reversed_seq.0.to_be_bytes());
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            put_str16(out, e.reason.as_str());
        }
        Event::PeriodCredited(e) => {
            out.push(KIND_PERIOD_CREDITED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.branch.code());
            put_month(out, e.from);
            put_month(out, e.to);
            out.push(e.kind.code());
        }
        Event::RulesAdopted(e) => {
            out.push(KIND_RULES_ADOPTED);
            out.extend_from_slice(&e.digest);
            debug_assert!(e.document.len() <= RULES_DOCUMENT_LEN_MAX);
            out.extend_from_slice(&(e.document.len() as u32).to_be_bytes());
            out.extend_from_slice(e.document.as_bytes());
        }
        Event::EntitlementGranted(e) => {
            out.push(KIND_ENTITLEMENT_GRANTED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.branch.code());
            out.extend_from_slice(&e.currency.as_bytes());
            out.extend_from_slice(&e.monthly_amount.get().to_be_bytes());
            put_month(out, e.start);
        }
        Event::EntitlementStatusChanged(e) => {
            out.push(KIND_ENTITLEMENT_STATUS_CHANGED);
            out.extend_from_slice(&e.entitlement.0.to_be_bytes());
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            out.push(e.change.code());
            put_month(out, e.effective);
            put_str16(out, e.reason.as_str());
        }
        Event::BenefitPaid(e) => {
            out.push(KIND_BENEFIT_PAID);
            out.extend_from_slice(&e.entitlement.0.to_be_bytes());
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            put_month(out, e.month);
            out.extend_from_slice(&e.currency.as_bytes());
            out.extend_from_slice(&e.amount.get().to_be_bytes());
            out.extend_from_slice(&e.paid_into.as_bytes());
        }
        Event::ResidenceChanged(e) => {
            out.push(KIND_RESIDENCE_CHANGED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.country.as_bytes());
            put_month(out, e.from);
        }
        Event::ClaimFiled(e) => {
            out.push(KIND_CLAIM_FILED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.addressed_to.as_bytes());
            put_optional_jurisdiction(out, e.filed_via);
            out.push(e.kind.code());
            put_str8(out, e.employer_ref.as_str());
            debug_assert!(!e.months.is_empty() && e.months.len() <= CLAIM_MONTHS_MAX);
            out.push(e.months.len() as u8);
            for month in &e.months {
                put_month(out, *month);
            }
            out.extend_from_slice(&e.currency.as_bytes());
            match e.amount {
                Some(amount) => {
                    out.push(1);
                    out.extend_from_slice(&amount.get().to_be_bytes());
                }
                None => out.push(0),
            }
            out.extend_from_slice(&e.evidence_sha256);
            put_date(out, e.respond_by);
        }
        Event::ClaimResolved(e) => {
            out.push(KIND_CLAIM_RESOLVED);
            put_answer(out, e);
        }
        Event::CredentialReplaced(e) => {
            out.push(KIND_CREDENTIAL_REPLACED);
            put_str8(out, e.worker_id.as_str());
            put_optional_jurisdiction(out, e.reset_by);
        }
        Event::RecruitmentCostRecorded(e) => {
            out.push(KIND_RECRUITMENT_COST_RECORDED);
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.origin.as_bytes());
            out.extend_from_slice(&e.destination.as_bytes());
            out.extend_from_slice(&e.licensed_in.as_bytes());
            put_str8(out, e.licence.as_str());
            out.push(e.purpose.code());
            out.extend_from_slice(&e.currency.as_bytes());
            out.extend_from_slice(&e.amount.get().to_be_bytes());
            out.push(e.paid_by.code());
            put_str8(out, e.lender.as_ref().map_or("", Text::as_str));
            put_str8(out, e.employer_ref.as_ref().map_or("", Text::as_str));
            put_month(out, e.paid_in);
            out.extend_from_slice(&e.evidence_sha256);
            out.push(u8::from(e.declared));
        }
        Event::ConsentChanged(e) => {
            out.push(KIND_CONSENT_CHANGED);
            put_str8(out, e.worker_id.as_str());
            put_str8(out, e.organisation.as_str());
            out.extend_from_slice(&e.registered_in.as_bytes());
            out.push(if e.granted { 1 } else { 2 });
        }
        Event::ClaimAppealed(e) => {
            out.push(KIND_CLAIM_APPEALED);
            out.extend_from_slice(&e.claim.0.to_be_bytes());
            put_str8(out, e.worker_id.as_str());
            out.extend_from_slice(&e.jurisdiction.as_bytes());
            put_optional_jurisdiction(out, e.filed_via);
            put_str8(out, e.appeal_body.as_str());
            out.extend_from_slice(&e.grounds_sha256);
            put_date(out, e.respond_by);
        }
        Event::AppealDecided(e) => {
            out.push(KIND_APPEAL_DECIDED);
            put_answer(out, e);
        }
        Event::AccessChanged(e) => {
            out.push(KIND_ACCESS_CHANGED);
            put_str8(out, e.worker_id.as_str());
            out.push(e.change.code());
            if let AccessChange::Locked { failed_attempts } = e.change {
                out.push(failed_attempts);
            }
        }
    }
}

fn decode_event(r: &mut Reader<'_>) -> Result<Event, DecodeError> {
    let kind = r.u8()?;
    let event = match kind {
        KIND_WORKER_ENROLLED => Event::WorkerEnrolled(WorkerEnrolled {
            worker_id: r.worker_id()?,
            origin: r.jurisdiction()?,
            enrolled_in: r.jurisdiction()?,
            sex: match r.u8()? {
                0 => None,
                code => Some(r.parsed(|_| Sex::from_code(code.into()).map_err(Into::into))?),
            },
            birth_month: r.optional_month()?,
        }),
        kind @ (KIND_CONTRIBUTION_RECORDED | KIND_VOLUNTARY_CONTRIBUTION_RECORDED) => {
            Event::ContributionRecorded(ContributionRecorded {
                worker_id: r.worker_id()?,
                jurisdiction: r.jurisdiction()?,
                branch: r.branch()?,
                month: r.month()?,
                currency: r.currency()?,
                insured_wage: r.amount("insured_wage")?,
                employer_share: r.amount("employer_share")?,
                worker_share: r.amount("worker_share")?,
                employer_ref: r.parsed(|r| {
                    Text::recorded("employer_ref", r.str8()?, EMPLOYER_REF_LEN_MAX).map_err(Into::into)
                })?,
                sector: {
                    let code = r.u8()?;
                    r.parsed(|_| Sector::from_code(code.into()).map_err(Into::into))?
                },
                insurance: match kind {
                    KIND_CONTRIBUTION_RECORDED => Insurance::Compulsory,
                    _ => Insurance::Voluntary,
                },
            })
        }
        KIND_PERIOD_CERTIFIED => {
            let certified = PeriodCertified {
                worker_id: r.worker_id()?,
                jurisdiction: r.jurisdiction()?,
                branch: r.branch()?,
                from: r.month()?,
                to: r.month()?,
                unit: {
                    let code = r.u8()?;
                    r.parsed(|_| PeriodUnit::from_code(code.into()).map_err(Into::into))?
                },
                quantity: u32::from_be_bytes(r.array::<4>()?),
                insurance: {
                    let code = r.u8()?;
                    r.parsed(|_| Insurance::from_code(code.into()).map_err(Into::into))?
                },
                months: u32::from(u16::from_be_bytes(r.array::<2>()?)),
            };
            r.parsed(|_| certified.check().map_err(Into::into))?;
            Event::PeriodCertified(certified)
        }
        KIND_BENEFIT_APPLIED => Event::BenefitApplied(BenefitApplied {
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            branch: r.branch()?,
            risk_date: r.date()?,
        }),
        KIND_CONTRIBUTION_CORRECTED => Event::ContributionCorrected(ContributionCorrected {
            corrected_seq: Seq(r.u64()?),
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            branch: r.branch()?,
            month: r.month()?,
            currency: r.currency()?,
            before: r.figures()?,
            after: r.figures()?,
            reason: r.parsed(|r| Text::recorded("reason", r.str16()?, REASON_LEN_MAX).map_err(Into::into))?,
        }),
        KIND_CONTRIBUTION_REVERSED => Event::ContributionReversed(ContributionReversed {
            reversed_seq: Seq(r.u64()?),
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            reason: r.parsed(|r| Text::recorded("reason", r.str16()?, REASON_LEN_MAX).map_err(Into::into))?,
        }),
        KIND_PERIOD_CREDITED => {
            let worker_id = r.worker_id()?;
            let jurisdiction = r.jurisdiction()?;
            let branch = r.branch()?;
            let from = r.month()?;
            let to = r.month()?;
            r.parsed(|_| PeriodCredited::check_span(from, to).map_err(Into::into))?;
            let code = r.u8()?;
            let kind = r.parsed(|_| CreditKind::from_code(code.into()).map_err(Into::into))?;
            Event::PeriodCredited(PeriodCredited { worker_id, jurisdiction, branch, from, to, kind })
        }
        KIND_RULES_ADOPTED => {
            let digest = r.array::<32>()?;
            let len = u32::from_be_bytes(r.array()?) as usize;
            if len > RULES_DOCUMENT_LEN_MAX {
                return Err(
                    r.fail(format!("a rules document of {len} bytes exceeds {RULES_DOCUMENT_LEN_MAX}"))
                );
            }
            let bytes = r.take(len)?;
            let document = r.utf8(bytes)?.to_owned();
            if crate::sha256(document.as_bytes()) != digest {
                return Err(r.fail("the rules document does not hash to its digest"));
            }
            Event::RulesAdopted(RulesAdopted { digest, document })
        }
        KIND_ENTITLEMENT_GRANTED => Event::EntitlementGranted(EntitlementGranted {
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            branch: r.branch()?,
            currency: r.currency()?,
            monthly_amount: r.amount("monthly_amount")?,
            start: r.month()?,
        }),
        KIND_ENTITLEMENT_STATUS_CHANGED => Event::EntitlementStatusChanged(EntitlementStatusChanged {
            entitlement: Seq(r.u64()?),
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            change: {
                let code = r.u8()?;
                r.parsed(|_| StatusChange::from_code(code.into()).map_err(Into::into))?
            },
            effective: r.month()?,
            reason: r.parsed(|r| Text::recorded("reason", r.str16()?, REASON_LEN_MAX).map_err(Into::into))?,
        }),
        KIND_BENEFIT_PAID => Event::BenefitPaid(BenefitPaid {
            entitlement: Seq(r.u64()?),
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            month: r.month()?,
            currency: r.currency()?,
            amount: r.amount("amount")?,
            paid_into: r.jurisdiction()?,
        }),
        KIND_RESIDENCE_CHANGED => Event::ResidenceChanged(ResidenceChanged {
            worker_id: r.worker_id()?,
            country: r.jurisdiction()?,
            from: r.month()?,
        }),
        KIND_CLAIM_FILED => Event::ClaimFiled(decode_claim_filed(r)?),
        KIND_CLAIM_RESOLVED => Event::ClaimResolved(decode_claim_resolved(r)?),
        KIND_CREDENTIAL_REPLACED => Event::CredentialReplaced(CredentialReplaced {
            worker_id: r.worker_id()?,
            reset_by: r.optional_jurisdiction()?,
        }),
        KIND_RECRUITMENT_COST_RECORDED => Event::RecruitmentCostRecorded(decode_recruitment_cost(r)?),
        KIND_CONSENT_CHANGED => Event::ConsentChanged(ConsentChanged {
            worker_id: r.worker_id()?,
            organisation: r.parsed(|r| PrincipalId::parse(r.str8()?).map_err(Into::into))?,
            registered_in: r.jurisdiction()?,
            granted: match r.u8()? {
                1 => true,
                2 => false,
                other => return Err(r.fail(format!("unknown consent change {other}"))),
            },
        }),
        KIND_CLAIM_APPEALED => Event::ClaimAppealed(ClaimAppealed {
            claim: Seq(r.u64()?),
            worker_id: r.worker_id()?,
            jurisdiction: r.jurisdiction()?,
            filed_via: r.optional_jurisdiction()?,
            appeal_body: r.parsed(|r| PrincipalId::parse(r.str8()?).map_err(Into::into))?,
            grounds_sha256: r.array()?,
            respond_by: r.date()?,
        }),
        KIND_APPEAL_DECIDED => Event::AppealDecided(decode_claim_resolved(r)?),
        KIND_ACCESS_CHANGED => {
            let worker_id = r.worker_id()?;
            let change = match r.u8()? {
                1 => AccessChange::PinSet,
                2 => AccessChange::Locked { failed_attempts: r.u8()? },
                3 => AccessChange::PasskeyAdded,
                other => return Err(r.fail(format!("unknown access change {other}"))),
            };
            Event::AccessChanged(AccessChanged { worker_id, change })
        }
        other => return Err(r.fail(format!("unknown event kind {other}"))),
    };
    Ok(event)
}

fn decode_claim_filed(r: &mut Reader<'_>) -> Result<ClaimFiled, DecodeError> {
    let worker_id = r.worker_id()?;
    let addressed_to = r.jurisdiction()?;
    let filed_via = r.optional_jurisdiction()?;
    let code = r.u8()?;
    let kind = r.parsed(|_| ClaimKind::from_code(code.into()).map_err(Into::into))?;
    let employer_ref =
        r.parsed(|r| Text::recorded("employer_ref", r.str8()?, EMPLOYER_REF_LEN_MAX).map_err(Into::into))?;
    let count = usize::from(r.u8()?);
    let mut months = Vec::with_capacity(count);
    for _ in 0..count {
        months.push(r.month()?);
    }
    // The canonical form is the sorted, distinct list that validation produces.
    if count == 0 || count > CLAIM_MONTHS_MAX || months.windows(2).any(|pair| pair[0] >= pair[1]) {
        return Err(r.fail("claimed months are not 1 to 120 distinct months in ascending order"));
    }
    let currency = r.currency()?;
    let amount = match r.u8()? {
        0 => None,
        1 => Some(r.amount("amount")?),
        other => return Err(r.fail(format!("{other} is not an optional-amount flag"))),
    };
    let evidence_sha256 = r.array::<32>()?;
    let respond_by = r.date()?;
    Ok(ClaimFiled {
        worker_id,
        addressed_to,
        filed_via,
        kind,
        employer_ref,
        months,
        currency,
        amount,
        evidence_sha256,
        respond_by,
    })
}

fn decode_recruitment_cost(r: &mut Reader<'_>) -> Result<RecruitmentCostRecorded, DecodeError> {
    let worker_id = r.worker_id()?;
    let origin = r.jurisdiction()?;
    let destination = r.jurisdiction()?;
    if origin == destination {
        return Err(r.fail("a corridor's origin and destination are two jurisdictions"));
    }
    let licensed_in = r.jurisdiction()?;
    let licence =
        r.parsed(|r| Text::recorded("licence", r.str8()?, EMPLOYER_REF_LEN_MAX).map_err(Into::into))?;
    let code = r.u8()?;
    let purpose = r.parsed(|_| RecruitmentPurpose::from_code(code.into()).map_err(Into::into))?;
    let currency = r.currency()?;
    let amount = r.amount("amount")?;
    let code = r.u8()?;
    let paid_by = r.parsed(|_| CostPayer::from_code(code.into()).map_err(Into::into))?;
    let optional = |r: &mut Reader<'_>, field: &'static str| -> Result<Option<Text>, DecodeError> {
        match r.str8()? {
            "" => Ok(None),
            text => {
                Ok(Some(r.parsed(|_| Text::recorded(field, text, EMPLOYER_REF_LEN_MAX).map_err(Into::into))?))
            }
        }
    };
    let lender = optional(r, "lender")?;
    if lender.is_some() != (paid_by == CostPayer::Loan) {
        return Err(r.fail("a lender is named exactly when a loan paid the cost"));
    }
    let employer_ref = optional(r, "employer_ref")?;
    let paid_in = r.month()?;
    let evidence_sha256 = r.array::<32>()?;
    let declared = match r.u8()? {
        0 => false,
        1 => true,
        other => return Err(r.fail(format!("{other} is not a declared flag"))),
    };
    Ok(RecruitmentCostRecorded {
        worker_id,
        origin,
        destination,
        licensed_in,
        licence,
        purpose,
        currency,
        amount,
        paid_by,
        lender,
        employer_ref,
        paid_in,
        evidence_sha256,
        declared,
    })
}

fn decode_claim_resolved(r: &mut Reader<'_>) -> Result<ClaimResolved, DecodeError> {
    let claim = Seq(r.u64()?);
    let worker_id = r.worker_id()?;
    let jurisdiction = r.jurisdiction()?;
    let code = r.u8()?;
    let outcome = r.parsed(|_| ClaimOutcome::from_code(code.into()).map_err(Into::into))?;
    let reason = r.parsed(|r| match r.str16()? {
        "" => Ok(None),
        text => Text::recorded("reason", text, REASON_LEN_MAX).map(Some).map_err(Into::into),
    })?;
    let contributions = u32::from_be_bytes(r.array()?);
    if outcome == ClaimOutcome::Rejected && (reason.is_none() || contributions != 0) {
        return Err(r.fail("a rejection has a reason and records no contributions"));
    }
    Ok(ClaimResolved { claim, worker_id, jurisdiction, outcome, reason, contributions })
}

/// Appends the body of an answer to a claim: a resolution (kind 11) or an appeal's decision
/// (kind 21).
fn put_answer(out: &mut Vec<u8>, answer: &ClaimResolved) {
    out.extend_from_slice(&answer.claim.0.to_be_bytes());
    put_str8(out, answer.worker_id.as_str());
    out.extend_from_slice(&answer.jurisdiction.as_bytes());
    out.push(answer.outcome.code());
    put_str16(out, answer.reason.as_ref().map_or("", Text::as_str));
    out.extend_from_slice(&answer.contributions.to_be_bytes());
}

/// Appends a date as 4 bytes: year (u16), month (u8), day (u8).
fn put_date(out: &mut Vec<u8>, date: NaiveDate) {
    // Dates on the chain come from the ledger's clock and its rules: years 1900 to 9999.
    out.extend_from_slice(&u16::try_from(date.year()).unwrap_or(u16::MAX).to_be_bytes());
    out.push(date.month() as u8);
    out.push(date.day() as u8);
}

fn put_str8(out: &mut Vec<u8>, text: &str) {
    // Every string field is validated to at most 255 bytes before it reaches a record.
    debug_assert!(text.len() <= usize::from(u8::MAX));
    out.push(text.len() as u8);
    out.extend_from_slice(text.as_bytes());
}

fn put_str16(out: &mut Vec<u8>, text: &str) {
    debug_assert!(text.len() <= usize::from(u16::MAX));
    out.extend_from_slice(&(text.len() as u16).to_be_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Appends a month as 3 bytes: year (u16) and month (u8).
pub fn put_month(out: &mut Vec<u8>, month: Month) {
    out.extend_from_slice(&month.year().to_be_bytes());
    out.push(month.month());
}

/// Appends an optional jurisdiction; an absent one is `00 00`.
pub fn put_optional_jurisdiction(out: &mut Vec<u8>, jurisdiction: Option<Jurisdiction>) {
    out.extend_from_slice(&jurisdiction.map_or([0, 0], |jurisdiction| jurisdiction.as_bytes()));
}

/// Appends an optional month; an absent one is `00 00 00`.
pub fn put_optional_month(out: &mut Vec<u8>, month: Option<Month>) {
    match month {
        Some(month) => put_month(out, month),
        None => out.extend_from_slice(&[0, 0, 0]),
    }
}

struct Reader<'a> {
    cursor: Cursor<'a>,
}

impl<'a> Reader<'a> {
    fn fail(&self, problem: impl Into<String>) -> DecodeError {
        DecodeError { offset: self.cursor.offset(), problem: problem.into() }
    }

    fn short(&self, short: Short) -> DecodeError {
        DecodeError {
            offset: short.offset,
            problem: format!("needs {} more bytes, has {}", short.needed, short.available),
        }
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        self.cursor.take(len).map_err(|short| self.short(short))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        self.cursor.array().map_err(|short| self.short(short))
    }

    fn u8(&mut self) -> Result<u8, DecodeError> {
        self.cursor.u8().map_err(|short| self.short(short))
    }

    fn u64(&mut self) -> Result<u64, DecodeError> {
        self.cursor.u64().map_err(|short| self.short(short))
    }

    fn i64(&mut self) -> Result<i64, DecodeError> {
        self.cursor.i64().map_err(|short| self.short(short))
    }

    fn utf8(&self, bytes: &'a [u8]) -> Result<&'a str, DecodeError> {
        std::str::from_utf8(bytes).map_err(|_| self.fail("string is not UTF-8"))
    }

    fn str8(&mut self) -> Result<&'a str, DecodeError> {
        let len = usize::from(self.u8()?);
        let bytes = self.take(len)?;
        self.utf8(bytes)
    }

    fn str16(&mut self) -> Result<&'a str, DecodeError> {
        let len = usize::from(u16::from_be_bytes(self.array()?));
        let bytes = self.take(len)?;
        self.utf8(bytes)
    }

    fn ascii<const N: usize>(&mut self) -> Result<&'a str, DecodeError> {
        let bytes = self.take(N)?;
        self.utf8(bytes)
    }

    /// Runs a validating constructor, reporting its failure at the current offset.
    fn parsed<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, FieldError>,
    ) -> Result<T, DecodeError> {
        let start = self.cursor.offset();
        parse(self).map_err(|error| match error {
            FieldError::Decode(error) => error,
            FieldError::Invalid(invalid) => DecodeError { offset: start, problem: invalid.to_string() },
        })
    }

    fn worker_id(&mut self) -> Result<WorkerId, DecodeError> {
        self.parsed(|r| WorkerId::parse(r.str8()?).map_err(Into::into))
    }

    fn jurisdiction(&mut self) -> Result<Jurisdiction, DecodeError> {
        self.parsed(|r| Jurisdiction::parse(r.ascii::<2>()?).map_err(Into::into))
    }

    fn branch(&mut self) -> Result<Branch, DecodeError> {
        let code = self.u8()?;
        self.parsed(|_| Branch::from_code(code.into()).map_err(Into::into))
    }

    fn currency(&mut self) -> Result<Currency, DecodeError> {
        self.parsed(|r| Currency::parse(r.ascii::<3>()?).map_err(Into::into))
    }

    fn month(&mut self) -> Result<Month, DecodeError> {
        let year = u16::from_be_bytes(self.array()?);
        let month = self.u8()?;
        self.parsed(|_| Month::new(year, month).map_err(Into::into))
    }

    fn date(&mut self) -> Result<NaiveDate, DecodeError> {
        let year = u16::from_be_bytes(self.array()?);
        let month = self.u8()?;
        let day = self.u8()?;
        NaiveDate::from_ymd_opt(i32::from(year), u32::from(month), u32::from(day))
            .filter(|_| (crate::MONTH_YEAR_MIN..=crate::MONTH_YEAR_MAX).contains(&year))
            .ok_or_else(|| self.fail(format!("{year:04}-{month:02}-{day:02} is not a date")))
    }

    fn optional_jurisdiction(&mut self) -> Result<Option<Jurisdiction>, DecodeError> {
        if self.cursor.peek(2) == Some(&[0, 0]) {
            self.take(2)?;
            return Ok(None);
        }
        self.jurisdiction().map(Some)
    }

    fn optional_month(&mut self) -> Result<Option<Month>, DecodeError> {
        if self.cursor.peek(3) == Some(&[0, 0, 0]) {
            self.take(3)?;
            return Ok(None);
        }
        self.month().map(Some)
    }

    fn figures(&mut self) -> Result<Figures, DecodeError> {
        Ok(Figures {
            insured_wage: self.amount("insured_wage")?,
            employer_share: self.amount("employer_share")?,
            worker_share: self.amount("worker_share")?,
        })
    }

    fn amount(&mut self, field: &'static str) -> Result<MinorUnits, DecodeError> {
        let raw = self.u64()?;
        self.parsed(|_| {
            let signed = i64::try_from(raw).unwrap_or(i64::MAX);
            MinorUnits::new(field, signed).map_err(Into::into)
        })
    }
}

enum FieldError {
    Decode(DecodeError),
    Invalid(crate::InvalidInput),
}

impl From<DecodeError> for FieldError {
    fn from(error: DecodeError) -> Self {
        FieldError::Decode(error)
    }
}

impl From<crate::InvalidInput> for FieldError {
    fn from(error: crate::InvalidInput) -> Self {
        FieldError::Invalid(error)
    }
}
