//! Conversions between the wire types of `ledger.v1` and the domain, by hand, so that the wire
//! never reaches the domain. Every field is checked here for form; the writer checks the rest
//! against the ledger's state and rules.

use chrono::{DateTime, Utc};
use ledger_core::{
    Branch, ContributionRecorded, CreditKind, Currency, Event, InvalidInput, Jurisdiction, MinorUnits, Month,
    PeriodCredited, RequestId, Sector, Seq, Sex, StatusChange, Text, WorkerId, EMPLOYER_REF_LEN_MAX,
    REASON_LEN_MAX,
};
use ledger_projections::{Balance, BalanceLine, Entitlement};
use ledger_proto::v1 as pb;
use ledger_store::{Receipt, StatementEntry, StoredEntry};

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
    Ok(ContributionRecorded {
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
    })
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
    };
    pb::Event { kind: Some(kind) }
}

/// Money for the wire. Sums are bounded far below `i64::MAX` by the per-event limit; a sum that
/// did not fit would saturate rather than wrap.
pub fn money(currency: Currency, minor: u128) -> pb::Money {
    pb::Money { currency: currency.to_string(), minor: i64::try_from(minor).unwrap_or(i64::MAX) }
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
    }
}

fn balance_line(line: &BalanceLine) -> pb::BalanceLine {
    let amount = |minor: u64| money_in(line.currency, u128::from(minor));
    pb::BalanceLine {
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
