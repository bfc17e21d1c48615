//! Conversions between the wire types of `ledger.v1` and the domain, by hand, so that the wire
//! never reaches the domain. Every field is checked here for form; the writer checks the rest
//! against the ledger's state and rules.

use chrono::{DateTime, NaiveDate, Utc};
use ledger_core::{
    Branch, ClaimFiled, ClaimKind, ClaimOutcome, ClaimResolved, ContributionRecorded, CreditKind, Currency,
    Event, Insurance, InvalidInput, Jurisdiction, MinorUnits, Month, PeriodCredited, RequestId, Sector, Seq,
    Sex, StatusChange, Text, WorkerId, EMPLOYER_REF_LEN_MAX, REASON_LEN_MAX,
};
use ledger_projections::coverage::{CoverageCell, CoverageRow, CoverageYear, PeriodCoverage};
use ledger_projections::employer_pays::{Amounts, CostCell, CostRow, EmployerPaysYear, PeriodCosts};
use ledger_projections::employers::{EmployerRow, EmployersYear};
use ledger_projections::reports::AccountabilityReport;
use ledger_projections::{Balance, BalanceLine, Claim, Entitlement};
use ledger_proto::v1 as pb;
use ledger_store::{ClaimRequest, Receipt, StatementEntry, StoredEntry};

pub fn request_id(text: &str) -> Result<RequestId, InvalidInput> {
    RequestId::parse(text)
}

fn field<T>(name: &str, result: Result<T, InvalidInput>) -> Result<T, InvalidInput> {
    result.map_err(|error| InvalidInput::new(name, error.message))
}

pub fn jurisdiction(name: &str, text: &str) -> Result<Jurisdiction, InvalidInput> {
    field(name, Jurisdiction::parse(text))
}

pub fn optional_sex(code: i32) -> Result<Option<Sex>, InvalidInput> {
    match code {
        0 => Ok(None),
        code => field("sex", Sex::from_code(code.into())).map(Some),
    }
}

pub fn optional_month(name: &str, text: &str) -> Result<Option<Month>, InvalidInput> {
    match text {
        "" => Ok(None),
        text => field(name, Month::parse(text)).map(Some),
    }
}

pub fn contribution(wire: &pb::Contribution) -> Result<ContributionRecorded, InvalidInput> {
    let contribution = ContributionRecorded {
        worker_id: field("worker_id", WorkerId::parse(&wire.worker_id))?,
        jurisdiction: jurisdiction("jurisdiction", &wire.jurisdiction)?,
        branch: field("branch", Branch::from_code(wire.branch.into()))?,
        month: field("month", Month::parse(&wire.month))?,
        currency: field("currency", Currency::parse(&wire.currency))?,
        insured_wage: MinorUnits::new("insured_wage_minor", wire.insured_wage_minor)?,
        employer_share: MinorUnits::new("employer_share_minor", wire.employer_share_minor)?,
        worker_share: MinorUnits::new("worker_share_minor", wire.worker_share_minor)?,
        employer_ref: Text::parse("employer_ref", &wire.employer_ref, EMPLOYER_REF_LEN_MAX)?,
        sector: field("sector", Sector::from_code(wire.sector.into()))?,
        insurance: if wire.voluntary { Insurance::Voluntary } else { Insurance::Compulsory },
    };
    contribution.check_shares()?;
    Ok(contribution)
}

pub fn period(wire: &pb::CreditedPeriod) -> Result<PeriodCredited, InvalidInput> {
    let from = field("from_month", Month::parse(&wire.from_month))?;
    let to = field("to_month", Month::parse(&wire.to_month))?;
    PeriodCredited::check_span(from, to)?;
    Ok(PeriodCredited {
        worker_id: field("worker_id", WorkerId::parse(&wire.worker_id))?,
        jurisdiction: jurisdiction("jurisdiction", &wire.jurisdiction)?,
        branch: field("branch", Branch::from_code(wire.branch.into()))?,
        from,
        to,
        kind: field("kind", CreditKind::from_code(wire.kind.into()))?,
    })
}

/// The figures of a correction, checked as a contribution's are.
pub fn figures(
    insured_wage: i64,
    employer_share: i64,
    worker_share: i64,
) -> Result<ledger_core::Figures, InvalidInput> {
    let figures = ledger_core::Figures {
        insured_wage: MinorUnits::new("insured_wage_minor", insured_wage)?,
        employer_share: MinorUnits::new("employer_share_minor", employer_share)?,
        worker_share: MinorUnits::new("worker_share_minor", worker_share)?,
    };
    figures.check_shares()?;
    Ok(figures)
}

pub fn certified_period(
    wire: &pb::CertifiedPeriod,
) -> Result<ledger_store::PeriodCertification, InvalidInput> {
    Ok(ledger_store::PeriodCertification {
        worker_id: field("worker_id", WorkerId::parse(&wire.worker_id))?,
        jurisdiction: jurisdiction("jurisdiction", &wire.jurisdiction)?,
        branch: field("branch", Branch::from_code(wire.branch.into()))?,
        from: field("from_month", Month::parse(&wire.from_month))?,
        to: field("to_month", Month::parse(&wire.to_month))?,
        unit: field("unit", ledger_core::PeriodUnit::from_code(wire.unit.into()))?,
        quantity: wire.quantity,
        insurance: if wire.voluntary { Insurance::Voluntary } else { Insurance::Compulsory },
    })
}

pub fn reason(text: &str) -> Result<Text, InvalidInput> {
    Text::parse("reason", text, REASON_LEN_MAX)
}

/// Converts every item of a batch, naming the first bad field by its index.
pub fn batch<W, T>(
    list: &str,
    items: &[W],
    convert: impl Fn(&W) -> Result<T, InvalidInput>,
) -> Result<Vec<T>, InvalidInput> {
    items
        .iter()
        .enumerate()
        .map(|(index, item)| convert(item).map_err(|error| error.within(&format!("{list}[{index}]"))))
        .collect()
}

pub fn timestamp(at: DateTime<Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp { seconds: at.timestamp(), nanos: at.timestamp_subsec_nanos() as i32 }
}

pub fn receipt(receipt: &Receipt) -> pb::Receipt {
    pb::Receipt {
        seq: receipt.seq.0,
        event_hash: receipt.event_hash.as_bytes().to_vec(),
        chain_hash: receipt.chain_hash.as_bytes().to_vec(),
        recorded_at: Some(timestamp(receipt.recorded_at)),
        replayed: receipt.replayed,
    }
}

pub fn stored_event(entry: StoredEntry) -> pb::StoredEvent {
    pb::StoredEvent {
        seq: entry.seq.0,
        event_hash: ledger_core::event_hash(&entry.record).as_bytes().to_vec(),
        chain_hash: entry.chain_hash.as_bytes().to_vec(),
        record: entry.record,
    }
}

pub fn statement_entry(entry: StatementEntry) -> pb::StatementEntry {
    pb::StatementEntry {
        receipt: Some(receipt(&entry.receipt)),
        principal: entry.record.principal.to_string(),
        request_id: entry.record.request_id.as_str().to_owned(),
        event: Some(event(&entry.record.event)),
        record: entry.entry.record,
        inclusion_proof: Vec::new(),
    }
}

fn wire_contribution(event: &ContributionRecorded) -> pb::Contribution {
    pb::Contribution {
        worker_id: event.worker_id.to_string(),
        jurisdiction: event.jurisdiction.to_string(),
        branch: i32::from(event.branch.code()),
        month: event.month.to_string(),
        insured_wage_minor: event.insured_wage.get() as i64,
        employer_share_minor: event.employer_share.get() as i64,
        worker_share_minor: event.worker_share.get() as i64,
        currency: event.currency.to_string(),
        employer_ref: event.employer_ref.as_str().to_owned(),
        sector: i32::from(event.sector.code()),
        voluntary: event.insurance == Insurance::Voluntary,
    }
}

pub fn event(event: &Event) -> pb::Event {
    use pb::event::Kind;
    let kind = match event {
        Event::WorkerEnrolled(e) => Kind::WorkerEnrolled(pb::WorkerEnrolled {
            worker_id: e.worker_id.to_string(),
            origin_jurisdiction: e.origin.to_string(),
            enrolled_in: e.enrolled_in.to_string(),
            sex: e.sex.map_or(0, |sex| i32::from(sex.code())),
            birth_month: e.birth_month.map(|month| month.to_string()).unwrap_or_default(),
        }),
        Event::ContributionRecorded(e) => {
            Kind::ContributionRecorded(pb::ContributionRecorded { contribution: Some(wire_contribution(e)) })
        }
        Event::PeriodCertified(e) => Kind::PeriodCertified(pb::PeriodCertified {
            period: Some(pb::CertifiedPeriod {
                worker_id: e.worker_id.to_string(),
                jurisdiction: e.jurisdiction.to_string(),
                branch: i32::from(e.branch.code()),
                from_month: e.from.to_string(),
                to_month: e.to.to_string(),
                unit: i32::from(e.unit.code()),
                quantity: e.quantity,
                voluntary: e.insurance == Insurance::Voluntary,
            }),
            months: e.months,
        }),
        Event::BenefitApplied(e) => Kind::BenefitApplied(pb::BenefitApplied {
            worker_id: e.worker_id.to_string(),
            jurisdiction: e.jurisdiction.to_string(),
            branch: i32::from(e.branch.code()),
            risk_date: e.risk_date.to_string(),
        }),
        Event::ContributionCorrected(e) => {
            let figures = |figures: &ledger_core::Figures| pb::ContributionFigures {
                insured_wage: Some(money(e.currency, u128::from(figures.insured_wage.get()))),
                employer_share: Some(money(e.currency, u128::from(figures.employer_share.get()))),
                worker_share: Some(money(e.currency, u128::from(figures.worker_share.get()))),
            };
            Kind::ContributionCorrected(pb::ContributionCorrected {
                corrected_seq: e.corrected_seq.0,
                worker_id: e.worker_id.to_string(),
                jurisdiction: e.jurisdiction.to_string(),
                branch: i32::from(e.branch.code()),
                month: e.month.to_string(),
                before: Some(figures(&e.before)),
                after: Some(figures(&e.after)),
                reason: e.reason.as_str().to_owned(),
            })
        }
        Event::ContributionReversed(e) => Kind::ContributionReversed(pb::ContributionReversed {
            reversed_seq: e.reversed_seq.0,
            worker_id: e.worker_id.to_string(),
            jurisdiction: e.jurisdiction.to_string(),
            reason: e.reason.as_str().to_owned(),
        }),
        Event::RulesAdopted(e) => {
            Kind::RulesAdopted(pb::RulesAdopted { digest: e.digest.to_vec(), document: e.document.clone() })
        }
        Event::EntitlementGranted(e) => Kind::EntitlementGranted(pb::EntitlementGranted {
            worker_id: e.worker_id.to_string(),
            jurisdiction: e.jurisdiction.to_string(),
            branch: i32::from(e.branch.code()),
            monthly_amount: Some(money(e.currency, u128::from(e.monthly_amount.get()))),
            start_month: e.start.to_string(),
        }),
        Event::EntitlementStatusChanged(e) => Kind::EntitlementStatusChanged(pb::EntitlementStatusChanged {
            entitlement_seq: e.entitlement.0,
            worker_id: e.worker_id.to_string(),
            jurisdiction: e.jurisdiction.to_string(),
            change: i32::from(e.change.code()),
            effective_month: e.effective.to_string(),
            reason: e.reason.as_str().to_owned(),
        }),
        Event::BenefitPaid(e) => Kind::BenefitPaid(pb::BenefitPaid {
            entitlement_seq: e.entitlement.0,
            worker_id: e.worker_id.to_string(),
            jurisdiction: e.jurisdiction.to_string(),
            month: e.month.to_string(),
            amount: Some(money(e.currency, u128::from(e.amount.get()))),
            paid_into: e.paid_into.to_string(),
        }),
        Event::ResidenceChanged(e) => Kind::ResidenceChanged(pb::ResidenceChanged {
            worker_id: e.worker_id.to_string(),
            country: e.country.to_string(),
            from_month: e.from.to_string(),
        }),
        Event::PeriodCredited(e) => Kind::PeriodCredited(pb::PeriodCredited {
            period: Some(pb::CreditedPeriod {
                worker_id: e.worker_id.to_string(),
                jurisdiction: e.jurisdiction.to_string(),
                branch: i32::from(e.branch.code()),
                from_month: e.from.to_string(),
                to_month: e.to.to_string(),
                kind: i32::from(e.kind.code()),
            }),
        }),
        Event::ClaimFiled(e) => Kind::ClaimFiled(pb::ClaimFiled {
            worker_id: e.worker_id.to_string(),
            addressed_to: e.addressed_to.to_string(),
            filed_via: e.filed_via.map(|via| via.to_string()).unwrap_or_default(),
            kind: i32::from(e.kind.code()),
            employer_ref: e.employer_ref.as_str().to_owned(),
            months: e.months.iter().map(Month::to_string).collect(),
            amount: e.amount.map(|amount| money(e.currency, u128::from(amount.get()))),
            evidence_sha256: e.evidence_sha256.to_vec(),
            respond_by: e.respond_by.to_string(),
        }),
        Event::ClaimResolved(e) => Kind::ClaimResolved(answer_event(e)),
        Event::CredentialReplaced(e) => Kind::CredentialReplaced(pb::CredentialReplaced {
            worker_id: e.worker_id.to_string(),
            reset_by: e.reset_by.map(|jurisdiction| jurisdiction.to_string()).unwrap_or_default(),
        }),
        Event::RecruitmentCostRecorded(e) => Kind::RecruitmentCostRecorded(pb::RecruitmentCostRecorded {
            worker_id: e.worker_id.to_string(),
            origin: e.origin.to_string(),
            destination: e.destination.to_string(),
            licensed_in: e.licensed_in.to_string(),
            licence: e.licence.as_str().to_owned(),
            purpose: i32::from(e.purpose.code()),
            amount: Some(money(e.currency, u128::from(e.amount.get()))),
            paid_by: i32::from(e.paid_by.code()),
            lender: e.lender.as_ref().map(|lender| lender.as_str().to_owned()).unwrap_or_default(),
            employer_ref: e
                .employer_ref
                .as_ref()
                .map(|employer| employer.as_str().to_owned())
                .unwrap_or_default(),
            paid_in: e.paid_in.to_string(),
            evidence_sha256: e.evidence_sha256.to_vec(),
            declared: e.declared,
        }),
        Event::ConsentChanged(e) => Kind::ConsentChanged(pb::ConsentChanged {
            worker_id: e.worker_id.to_string(),
            organisation: e.organisation.to_string(),
            registered_in: e.registered_in.to_string(),
            granted: e.granted,
        }),
        Event::ClaimAppealed(e) => Kind::ClaimAppealed(pb::ClaimAppealed {
            claim_seq: e.claim.0,
            worker_id: e.worker_id.to_string(),
            jurisdiction: e.jurisdiction.to_string(),
            filed_via: e.filed_via.map(|via| via.to_string()).unwrap_or_default(),
            appeal_body: e.appeal_body.to_string(),
            grounds_sha256: e.grounds_sha256.to_vec(),
            respond_by: e.respond_by.to_string(),
        }),
        Event::AppealDecided(e) => Kind::AppealDecided(answer_event(e)),
        Event::AccessChanged(e) => Kind::AccessChanged(pb::AccessChanged {
            worker_id: e.worker_id.to_string(),
            change: e.change.name().to_owned(),
            failed_attempts: match e.change {
                ledger_core::AccessChange::Locked { failed_attempts } => u32::from(failed_attempts),
                ledger_core::AccessChange::PinSet | ledger_core::AccessChange::PasskeyAdded => 0,
            },
        }),
    };
    pb::Event { kind: Some(kind) }
}

/// A claim as filed on the wire, for `worker_id`.
pub fn claim_request(wire: &pb::FileClaimRequest, worker_id: WorkerId) -> Result<ClaimRequest, InvalidInput> {
    let months = wire
        .months
        .iter()
        .enumerate()
        .map(|(index, text)| field(&format!("months[{index}]"), Month::parse(text)))
        .collect::<Result<Vec<_>, _>>()?;
    let evidence_sha256 = digest("evidence_sha256", &wire.evidence_sha256)?;
    Ok(ClaimRequest {
        worker_id,
        addressed_to: jurisdiction("jurisdiction", &wire.jurisdiction)?,
        kind: field("kind", ClaimKind::from_code(wire.kind.into()))?,
        employer_ref: Text::parse("employer_ref", &wire.employer_ref, EMPLOYER_REF_LEN_MAX)?,
        months: ClaimFiled::canonical_months(months)?,
        amount: wire.amount_minor.map(|minor| MinorUnits::new("amount_minor", minor)).transpose()?,
        evidence_sha256,
    })
}

/// A recruitment cost as asked for, about `worker_id`.
pub fn recruitment_cost(
    wire: &pb::RecordRecruitmentCostRequest,
    worker_id: WorkerId,
) -> Result<ledger_store::RecruitmentCostRequest, InvalidInput> {
    let evidence_sha256 = digest("evidence_sha256", &wire.evidence_sha256)?;
    let amount = wire.amount.as_ref().ok_or_else(|| InvalidInput::new("amount", "is required"))?;
    let optional = |name: &'static str, text: &str| match text {
        "" => Ok(None),
        text => Text::parse(name, text, EMPLOYER_REF_LEN_MAX).map(Some),
    };
    Ok(ledger_store::RecruitmentCostRequest {
        worker_id,
        destination: jurisdiction("destination", &wire.destination)?,
        licensed_in: jurisdiction("licensed_in", &wire.licensed_in)?,
        licence: Text::parse("licence", &wire.licence, EMPLOYER_REF_LEN_MAX)?,
        purpose: field("purpose", ledger_core::RecruitmentPurpose::from_code(wire.purpose.into()))?,
        currency: field("amount.currency", Currency::parse(&amount.currency))?,
        amount: MinorUnits::new("amount.minor", amount.minor)?,
        paid_by: field("paid_by", ledger_core::CostPayer::from_code(wire.paid_by.into()))?,
        lender: optional("lender", &wire.lender)?,
        employer_ref: optional("employer_ref", &wire.employer_ref)?,
        paid_in: field("paid_in", Month::parse(&wire.paid_in))?,
        evidence_sha256,
    })
}

/// A SHA-256 digest: exactly 32 bytes.
pub fn digest(name: &str, bytes: &[u8]) -> Result<[u8; 32], InvalidInput> {
    bytes.try_into().map_err(|_| {
        InvalidInput::new(name, format!("must be a SHA-256 digest of 32 bytes, got {} bytes", bytes.len()))
    })
}

/// A resolution or an appeal's decision, as the wire carries both.
fn answer_event(e: &ClaimResolved) -> pb::ClaimResolved {
    pb::ClaimResolved {
        claim_seq: e.claim.0,
        worker_id: e.worker_id.to_string(),
        jurisdiction: e.jurisdiction.to_string(),
        outcome: i32::from(e.outcome.code()),
        reason: e.reason.as_ref().map(|reason| reason.as_str().to_owned()).unwrap_or_default(),
        contributions: e.contributions,
    }
}

/// An answer to a claim as asked for (a resolution, or an appeal body's decision): its outcome,
/// reason and the contributions it records.
pub fn answer(
    outcome: i32,
    reason: &str,
    contributions: &[pb::Contribution],
) -> Result<(ClaimOutcome, Option<Text>, Vec<ContributionRecorded>), InvalidInput> {
    Ok((
        claim_outcome(outcome)?,
        optional_reason(reason)?,
        batch("contributions", contributions, contribution)?,
    ))
}

/// A page of claims as listed, judged overdue or not on `today`.
pub fn claims_page(page: &ledger_store::ClaimsPage, today: NaiveDate) -> pb::ListClaimsResponse {
    pb::ListClaimsResponse {
        claims: page
            .entries
            .iter()
            .map(|entry| claim_view(entry.seq, &entry.worker_id, &entry.claim, today))
            .collect(),
        evaluated_on: today.to_string(),
        next_from_seq: page.next.map(|seq| seq.0),
    }
}

pub fn claim_outcome(code: i32) -> Result<ClaimOutcome, InvalidInput> {
    field("outcome", ClaimOutcome::from_code(code.into()))
}

/// An optional reason: empty means none.
pub fn optional_reason(text: &str) -> Result<Option<Text>, InvalidInput> {
    match text {
        "" => Ok(None),
        text => reason(text).map(Some),
    }
}

pub fn date(name: &str, text: &str) -> Result<NaiveDate, InvalidInput> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|date| text.len() == 10 && date.format("%Y-%m-%d").to_string() == text)
        .ok_or_else(|| InvalidInput::new(name, format!("{text:?} is not a date of the form YYYY-MM-DD")))
}

/// A claim and where it stands on `on`.
pub fn claim_view(seq: Seq, worker_id: &WorkerId, claim: &Claim, on: NaiveDate) -> pb::ClaimView {
    let resolution = claim.resolution.as_ref();
    pb::ClaimView {
        claim_seq: seq.0,
        worker_id: worker_id.to_string(),
        addressed_to: claim.addressed_to.to_string(),
        filed_via: claim.filed_via.map(|via| via.to_string()).unwrap_or_default(),
        kind: i32::from(claim.kind.code()),
        employer_ref: claim.employer_ref.clone(),
        months: claim.months.iter().map(Month::to_string).collect(),
        amount: claim.amount.map(|amount| money(claim.currency, u128::from(amount))),
        evidence_sha256: claim.evidence_sha256.to_vec(),
        filed_at: Some(timestamp(claim.filed_at)),
        respond_by: claim.respond_by.to_string(),
        state: claim.state_label(on).to_owned(),
        resolution_seq: resolution.map(|resolution| resolution.seq.0),
        resolved_at: resolution.map(|resolution| timestamp(resolution.at)),
        reason: resolution.and_then(|resolution| resolution.reason.clone()).unwrap_or_default(),
        contributions_recorded: resolution.map_or(0, |resolution| resolution.contributions),
        days_to_resolve: claim.days_to_resolve().map(|days| u32::try_from(days.max(0)).unwrap_or(u32::MAX)),
        appeal: claim.appeal.as_ref().map(|appeal| {
            let decision = appeal.decision.as_ref();
            pb::AppealView {
                appeal_seq: appeal.seq.0,
                appealed_at: Some(timestamp(appeal.at)),
                filed_via: appeal.filed_via.map(|via| via.to_string()).unwrap_or_default(),
                appeal_body: appeal.body.to_string(),
                grounds_sha256: appeal.grounds_sha256.to_vec(),
                respond_by: appeal.respond_by.to_string(),
                decision_seq: decision.map(|decision| decision.seq.0),
                decided_at: decision.map(|decision| timestamp(decision.at)),
                outcome: decision.map_or(0, |decision| i32::from(decision.outcome.code())),
                reason: decision.and_then(|decision| decision.reason.clone()).unwrap_or_default(),
                contributions_recorded: decision.map_or(0, |decision| decision.contributions),
            }
        }),
    }
}

pub fn accountability(report: &AccountabilityReport) -> pb::GetAccountabilityReportResponse {
    pb::GetAccountabilityReportResponse {
        from_date: report.from.to_string(),
        to_date: report.to.to_string(),
        evaluated_on: report.evaluated_on.to_string(),
        rows: report
            .rows
            .iter()
            .map(|row| pb::AccountabilityRow {
                jurisdiction: row.jurisdiction.to_string(),
                received: row.received,
                resolved: row.resolved,
                upheld: row.upheld,
                rejected: row.rejected,
                overdue: row.overdue,
                resolved_late: row.resolved_late,
                median_days: row.median_days,
                p90_days: row.p90_days,
                appealed: row.appealed,
                appeals_decided: row.appeals_decided,
                overturned: row.overturned,
                appeals_overdue: row.appeals_overdue,
            })
            .collect(),
    }
}

pub fn coverage(year: &CoverageYear, report: &PeriodCoverage) -> pb::GetCoverageReportResponse {
    let cell = |cell: &CoverageCell| coverage_cell(cell, year.currency);
    let rows = |rows: &[CoverageRow]| {
        rows.iter()
            .map(|row| pb::CoverageRow {
                label: row.label.clone(),
                note: row.note.clone().unwrap_or_default(),
                suppressed: row.cell.is_none(),
                cell: row.cell.as_ref().map(cell),
                sector: row.sector.clone().unwrap_or_default(),
            })
            .collect()
    };
    pb::GetCoverageReportResponse {
        jurisdiction: year.destination.to_string(),
        period: report.period.to_string(),
        log_size: year.size,
        evaluated_on: year.evaluated_on.map(|day| day.to_string()).unwrap_or_default(),
        total_suppressed: report.total.is_none(),
        total: report.total.as_ref().map(cell),
        by_sex: rows(&report.by_sex),
        by_sector: rows(&report.by_sector),
        by_origin: rows(&report.by_origin),
        by_employer_size: rows(&report.by_employer_size),
        by_sex_and_sector: rows(&report.by_sex_and_sector),
    }
}

fn coverage_cell(cell: &CoverageCell, currency: Option<Currency>) -> pb::CoverageCell {
    pb::CoverageCell {
        workers: cell.workers,
        months: cell.months,
        paid: cell
            .by_branch
            .iter()
            .map(|(branch, paid)| pb::BranchPaid {
                branch: i32::from(branch.code()),
                employer: money_in(currency, paid.employer),
                worker: money_in(currency, paid.worker),
            })
            .collect(),
        wages: money_in(currency, cell.wages),
        wage_months: cell.wage_months,
    }
}

fn amounts(amounts: &Amounts) -> Vec<pb::Money> {
    amounts.iter().map(|(currency, minor)| money(*currency, *minor)).collect()
}

fn cost_cell(cell: &CostCell) -> pb::CostCell {
    pb::CostCell {
        workers: cell.workers,
        workers_who_paid: cell.workers_who_paid,
        workers_with_loans: cell.workers_with_loans,
        paid_by_workers: amounts(&cell.paid_by_workers),
        paid_by_loans: amounts(&cell.paid_by_loans),
        paid_by_employers: amounts(&cell.paid_by_employers),
    }
}

pub fn employer_pays(year: &EmployerPaysYear, report: &PeriodCosts) -> pb::GetEmployerPaysReportResponse {
    let rows = |rows: &[CostRow]| {
        rows.iter()
            .map(|row| pb::CostRow {
                label: row.label.clone(),
                suppressed: row.cell.is_none(),
                cell: row.cell.as_ref().map(cost_cell),
            })
            .collect()
    };
    pb::GetEmployerPaysReportResponse {
        jurisdiction: year.destination.to_string(),
        period: report.period.to_string(),
        log_size: year.size,
        evaluated_on: year.evaluated_on.map(|day| day.to_string()).unwrap_or_default(),
        total_suppressed: report.total.is_none(),
        total: report.total.as_ref().map(cost_cell),
        by_corridor: rows(&report.by_corridor),
        by_recruiter: rows(&report.by_recruiter),
        by_employer: rows(&report.by_employer),
    }
}

fn employer_account(row: &EmployerRow) -> pb::EmployerAccount {
    pb::EmployerAccount {
        employer: row.employer.clone(),
        employers: row.employers,
        workers: row.workers,
        months_declared: row.months_declared,
        claims: row.claims,
        contribution_claims: row.contribution_claims,
        wage_claims: row.wage_claims,
        months_claimed_missing: row.months_claimed_missing,
        upheld: row.upheld,
        rejected: row.rejected,
        appealed: row.appealed,
        upheld_on_appeal: row.upheld_on_appeal,
        median_days_to_remit: row.median_days_to_remit,
        p90_days_to_remit: row.p90_days_to_remit,
        suppressed: false,
    }
}

pub fn employers(year: &EmployersYear) -> pb::GetEmployersReportResponse {
    pb::GetEmployersReportResponse {
        jurisdiction: year.destination.to_string(),
        period: year.year.to_string(),
        log_size: year.size,
        evaluated_on: year.evaluated_on.map(|day| day.to_string()).unwrap_or_default(),
        named: year.named.iter().map(employer_account).collect(),
        aggregates: year
            .aggregates
            .iter()
            .map(|(label, row)| match row {
                Some(row) => employer_account(row),
                None => {
                    pb::EmployerAccount { employer: label.clone(), suppressed: true, ..Default::default() }
                }
            })
            .collect(),
    }
}

/// Money for the wire. Sums are bounded far below `i64::MAX` by the per-event limit; a sum that
/// did not fit would saturate rather than wrap.
pub fn money(currency: Currency, minor: u128) -> pb::Money {
    pb::Money {
        currency: currency.to_string(),
        minor: i64::try_from(minor).unwrap_or(i64::MAX),
        // The rules state the same figure: a format-2 document is checked against ISO 4217.
        exponent: currency.iso_minor_unit().map_or(2, u32::from),
    }
}

fn money_in(currency: Option<Currency>, minor: u128) -> Option<pb::Money> {
    currency.map(|currency| money(currency, minor))
}

pub fn balance(balance: &Balance) -> pb::GetBalanceResponse {
    pb::GetBalanceResponse {
        worker_id: balance.worker_id.to_string(),
        as_of_seq: balance.as_of.0,
        evaluated_on: balance.evaluated_on.to_string(),
        rules_digest: balance.rules_digest.to_vec(),
        lines: balance.lines.iter().map(balance_line).collect(),
        entitlements: balance.entitlements.iter().map(|(seq, e)| entitlement(*seq, e)).collect(),
        residence: balance.residence.map(|(country, _)| country.to_string()).unwrap_or_default(),
        claims: balance
            .claims
            .iter()
            .map(|(seq, claim)| claim_view(*seq, &balance.worker_id, claim, balance.evaluated_on))
            .collect(),
        next_claims_from_seq: None,
        consents: balance
            .consents
            .iter()
            .map(|(organisation, registered_in)| pb::Consent {
                organisation: organisation.to_string(),
                registered_in: registered_in.to_string(),
            })
            .collect(),
    }
}

fn balance_line(line: &BalanceLine) -> pb::BalanceLine {
    let amount = |minor: u64| money_in(line.currency, u128::from(minor));
    pb::BalanceLine {
        months_only: line.months_only,
        jurisdiction: line.jurisdiction.to_string(),
        branch: i32::from(line.branch.code()),
        own_months: line.own_months,
        contribution_months: line.contribution_months,
        credited_months: line.credited_months,
        total_months: line.total_months,
        has_scheme: line.scheme.is_some(),
        qualifying_months: line.scheme.map_or(0, |s| s.qualifying_months),
        minimum_own_months: line.scheme.map_or(0, |s| s.minimum_own_months),
        missing_months: line.missing_months,
        average_wage: amount(line.average_wage),
        independent: amount(line.independent),
        theoretical: amount(line.theoretical),
        pro_rata: amount(line.pro_rata),
        payable: amount(line.payable),
        agreements: line
            .agreements
            .iter()
            .map(|(id, partner)| pb::AppliedAgreement {
                agreement_id: id.clone(),
                partner: partner.to_string(),
            })
            .collect(),
        employer_paid: money_in(line.currency, line.employer_paid),
        worker_paid: money_in(line.currency, line.worker_paid),
        instruments: line
            .instruments
            .iter()
            .map(|instrument| pb::InstrumentView {
                agreement_id: instrument.agreement_id.clone(),
                benefit_rule: instrument.benefit_rule.label().to_owned(),
                states: instrument
                    .states
                    .iter()
                    .map(|state| pb::StateMonthsView {
                        jurisdiction: state.jurisdiction.to_string(),
                        months: state.months,
                        released: state.released,
                        third_state: state.third_state,
                    })
                    .collect(),
                counted_until: instrument.counted_until.map(|month| month.to_string()).unwrap_or_default(),
                total_months: instrument.total_months,
                ratio_months: instrument.ratio_months,
                theoretical: amount(instrument.theoretical),
                pro_rata: amount(instrument.pro_rata),
                payable: amount(instrument.payable),
                outcome: instrument.outcome.label().to_owned(),
            })
            .collect(),
        paid_under: line.paid_under.clone().unwrap_or_default(),
        standing: line.standing.map(|standing| standing.label().to_owned()).unwrap_or_default(),
        set_aside: line
            .set_aside
            .iter()
            .map(|set_aside| pb::SetAsideMonth {
                month: set_aside.month.to_string(),
                reason: set_aside.reason.label().to_owned(),
                because_of: set_aside.because_of.to_string(),
            })
            .collect(),
        due_from: match line.standing {
            Some(ledger_projections::Standing::Projected { due_from: Some(day) }) => day.to_string(),
            _ => String::new(),
        },
    }
}

fn entitlement(seq: Seq, entitlement: &Entitlement) -> pb::EntitlementView {
    pb::EntitlementView {
        entitlement_seq: seq.0,
        jurisdiction: entitlement.jurisdiction.to_string(),
        branch: i32::from(entitlement.branch.code()),
        monthly_amount: Some(money(entitlement.currency, u128::from(entitlement.monthly_amount))),
        start_month: entitlement.start.to_string(),
        status: entitlement.status.label().to_owned(),
        status_since: entitlement.status_since.map(|month| month.to_string()).unwrap_or_default(),
        paid: entitlement
            .paid_into
            .iter()
            .map(|(country, payments)| pb::BenefitsPaidInto {
                country: country.to_string(),
                payments: payments.count,
                total: Some(money(entitlement.currency, payments.total)),
            })
            .collect(),
    }
}

pub fn month(name: &str, text: &str) -> Result<Month, InvalidInput> {
    field(name, Month::parse(text))
}

pub fn currency(text: &str) -> Result<Currency, InvalidInput> {
    field("currency", Currency::parse(text))
}

pub fn worker_id(text: &str) -> Result<WorkerId, InvalidInput> {
    field("worker_id", WorkerId::parse(text))
}

pub fn branch(code: i32) -> Result<Branch, InvalidInput> {
    field("branch", Branch::from_code(code.into()))
}

pub fn status_change(code: i32) -> Result<StatusChange, InvalidInput> {
    field("change", StatusChange::from_code(code.into()))
}
