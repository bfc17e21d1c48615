//! Conversions between the wire types of `ledger.v1` and the domain, by hand, so that the wire
//! never reaches the domain. Every field is checked here for form; the writer checks the rest
//! against the ledger's state and rules.

use chrono::{DateTime, Utc};
use ledger_core::{
    Branch, ContributionRecorded, CreditKind, Currency, Event, InvalidInput, Jurisdiction, MinorUnits, Month,
    PeriodCredited, RequestId, Sector, Sex, Text, WorkerId, EMPLOYER_REF_LEN_MAX, REASON_LEN_MAX,
};
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
