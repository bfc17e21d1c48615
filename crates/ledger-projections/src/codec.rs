//! The stored form of a worker's projection. Projections are a cache of the log: a store whose
//! projection format differs from [`PROJECTION_FORMAT_VERSION`] rebuilds them from the log, so this
//! encoding may change between versions without a migration.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use ledger_core::cursor::{Cursor, Short};
use ledger_core::record::{put_month, put_optional_jurisdiction, put_optional_month};
use ledger_core::{
    Branch, ClaimKind, ClaimOutcome, Currency, Jurisdiction, Month, PrincipalId, Sector, Seq, Sex, WorkerId,
};

use crate::worker::{
    Appeal, Application, Claim, Coverage, Entitlement, EntitlementStatus, MonthCell, Payments, Resolution,
    WorkerProjection, STATEMENT_CHUNK_EVENTS,
};

/// Bump on any change to the encoding below.
pub const PROJECTION_FORMAT_VERSION: u8 = 13;

/// The main part of a projection: all of it but the month cells of the years before
/// [`coverage_cutoff`], which are stored a year at a time ([`encode_year`], [`stored_years`]). An
/// event of a recent year rewrites this part only, one of an older year this part and that year,
/// so the bytes an event costs do not grow with the worker's working life.
pub fn encode(projection: &WorkerProjection) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    out.push(PROJECTION_FORMAT_VERSION);
    out.extend_from_slice(projection.worker_id.as_str().as_bytes());
    out.extend_from_slice(&projection.origin.as_bytes());
    out.extend_from_slice(&projection.enrolled_in.as_bytes());
    put_varint(&mut out, projection.enrolled_at.0);
    put_varint(&mut out, projection.last_seq.0);
    out.push(projection.sex.map_or(0, Sex::code));
    put_optional_month(&mut out, projection.birth_month);
    match projection.residence {
        Some((country, from)) => {
            out.push(1);
            out.extend_from_slice(&country.as_bytes());
            put_month(&mut out, from);
        }
        None => out.push(0),
    }
    put_varint(&mut out, projection.records_in.len() as u32);
    for jurisdiction in &projection.records_in {
        out.extend_from_slice(&jurisdiction.as_bytes());
    }
    // The years of coverage stored on their own, so that a reader fetches exactly those (none, for
    // most workers); then her recent years, each as `encode_year` gives it.
    let years = coverage_years(projection);
    let cutoff = coverage_cutoff(projection);
    let (stored, recent): (Vec<u16>, Vec<u16>) =
        years.into_iter().partition(|year| cutoff.is_some_and(|cutoff| *year < cutoff));
    put_varint(&mut out, stored.len() as u32);
    for year in stored {
        out.extend_from_slice(&year.to_be_bytes());
    }
    let recent: Vec<(u16, Vec<u8>)> = recent
        .into_iter()
        .filter_map(|year| encode_year(projection, year).map(|part| (year, part)))
        .collect();
    put_varint(&mut out, recent.len() as u32);
    for (year, part) in recent {
        out.extend_from_slice(&year.to_be_bytes());
        put_varint(&mut out, part.len() as u32);
        out.extend_from_slice(&part);
    }
    put_varint(&mut out, projection.entitlements.len() as u32);
    for (seq, entitlement) in &projection.entitlements {
        put_varint(&mut out, seq.0);
        out.extend_from_slice(&entitlement.jurisdiction.as_bytes());
        out.push(entitlement.branch.code());
        out.extend_from_slice(&entitlement.currency.as_bytes());
        put_varint(&mut out, entitlement.monthly_amount);
        put_month(&mut out, entitlement.start);
        out.push(entitlement.status as u8);
        put_optional_month(&mut out, entitlement.status_since);
        put_varint(&mut out, entitlement.paid_into.len() as u32);
        for (country, payments) in &entitlement.paid_into {
            out.extend_from_slice(&country.as_bytes());
            put_varint(&mut out, payments.count);
            put_varint(&mut out, payments.total);
        }
    }
    put_varint(&mut out, projection.claims.len() as u32);
    for (seq, claim) in &projection.claims {
        encode_claim(&mut out, *seq, claim);
    }
    put_varint(&mut out, projection.applications.len() as u32);
    for (branch, application) in &projection.applications {
        out.push(branch.code());
        put_varint(&mut out, application.seq.0);
        out.extend_from_slice(&application.jurisdiction.as_bytes());
        out.extend_from_slice(&application.risk_date.to_epoch_days().to_be_bytes());
    }
    put_varint(&mut out, projection.consents.len() as u32);
    for (organisation, registered_in) in &projection.consents {
        put_string(&mut out, organisation.as_str());
        out.extend_from_slice(&registered_in.as_bytes());
    }
    // How many of her events are in stored chunks, then the tail's seqs as differences from the
    // one before (the first from 0): ascending, so each is at least 1 and mostly one or two bytes.
    put_varint(&mut out, projection.chunked_events);
    put_varint(&mut out, projection.events.len() as u64);
    let mut before = 0;
    for seq in &projection.events {
        put_varint(&mut out, seq.0 - before);
        before = seq.0;
    }
    out
}

fn encode_claim(out: &mut Vec<u8>, seq: Seq, claim: &Claim) {
    put_varint(out, seq.0);
    out.extend_from_slice(&claim.addressed_to.as_bytes());
    put_optional_jurisdiction(out, claim.filed_via);
    out.push(claim.kind.code());
    put_string(out, &claim.employer_ref);
    put_varint(out, claim.months.len() as u32);
    for month in &claim.months {
        put_month(out, *month);
    }
    out.extend_from_slice(&claim.currency.as_bytes());
    match claim.amount {
        Some(amount) => {
            out.push(1);
            put_varint(out, amount);
        }
        None => out.push(0),
    }
    out.extend_from_slice(&claim.evidence_sha256);
    out.extend_from_slice(&claim.filed_at.timestamp_micros().to_be_bytes());
    out.extend_from_slice(&claim.respond_by.to_epoch_days().to_be_bytes());
    put_resolution(out, claim.resolution.as_ref());
    match &claim.appeal {
        Some(appeal) => {
            out.push(1);
            put_varint(out, appeal.seq.0);
            out.extend_from_slice(&appeal.at.timestamp_micros().to_be_bytes());
            put_optional_jurisdiction(out, appeal.filed_via);
            put_string(out, appeal.body.as_str());
            out.extend_from_slice(&appeal.grounds_sha256);
            out.extend_from_slice(&appeal.respond_by.to_epoch_days().to_be_bytes());
            put_resolution(out, appeal.decision.as_ref());
        }
        None => out.push(0),
    }
}

fn put_resolution(out: &mut Vec<u8>, resolution: Option<&Resolution>) {
    match resolution {
        Some(resolution) => {
            out.push(resolution.outcome.code());
            put_varint(out, resolution.seq.0);
            out.extend_from_slice(&resolution.at.timestamp_micros().to_be_bytes());
            put_string(out, resolution.reason.as_deref().unwrap_or(""));
            put_varint(out, resolution.contributions);
        }
        None => out.push(0),
    }
}

/// Appends an unsigned integer as LEB128: seven bits a byte, low bits first. Counts and amounts are
/// mostly small, and a projection is rewritten with every event about its worker.
fn put_varint(out: &mut Vec<u8>, value: impl Into<u128>) {
    let mut value: u128 = value.into();
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn put_string(out: &mut Vec<u8>, text: &str) {
    put_varint(out, text.len() as u32);
    out.extend_from_slice(text.as_bytes());
}

/// Stored projection bytes that do not decode.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("undecodable projection: {0}")]
pub struct ProjectionDecodeError(pub String);

/// Years of coverage kept in the main part of a projection: the newest year with a month cell and
/// the nine before, as far back as a claim reaches (`CLAIM_MONTHS_MAX`, ten years), where a
/// month's payroll, its corrections and upheld claims land. Older years are stored each on its
/// own, so that an event of these years does not rewrite a working life.
pub const RECENT_COVERAGE_YEARS: u16 = 10;
const _: () = assert!(RECENT_COVERAGE_YEARS as usize * 12 >= ledger_core::CLAIM_MONTHS_MAX);

/// The first year kept in the main part; none without coverage.
pub fn coverage_cutoff(projection: &WorkerProjection) -> Option<u16> {
    // The newest month of each jurisdiction and branch is the last of its map: no pass over all.
    let newest =
        projection.coverage.values().filter_map(|coverage| coverage.months.keys().next_back()).max()?;
    Some(newest.year().saturating_sub(RECENT_COVERAGE_YEARS - 1))
}

/// The years of coverage stored on their own: those before the cutoff.
pub fn stored_years(projection: &WorkerProjection) -> std::collections::BTreeSet<u16> {
    let Some(cutoff) = coverage_cutoff(projection) else { return Default::default() };
    coverage_years(projection).into_iter().filter(|year| *year < cutoff).collect()
}

/// The years in which the worker has month cells.
pub fn coverage_years(projection: &WorkerProjection) -> std::collections::BTreeSet<u16> {
    projection
        .coverage
        .values()
        .flat_map(|coverage| coverage.months.keys().map(|month| month.year()))
        .collect()
}

/// The month cells of `year`, of every jurisdiction and branch; none when the year has none.
pub fn encode_year(projection: &WorkerProjection, year: u16) -> Option<Vec<u8>> {
    let (first, last) = (Month::new(year, 1).ok()?, Month::new(year, 12).ok()?);
    let mut groups = Vec::new();
    for ((jurisdiction, branch), coverage) in &projection.coverage {
        let months: Vec<_> = coverage.months.range(first..=last).collect();
        if !months.is_empty() {
            groups.push((jurisdiction, branch, months));
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(64);
    out.push(PROJECTION_FORMAT_VERSION);
    put_varint(&mut out, groups.len() as u32);
    for (jurisdiction, branch, months) in groups {
        out.extend_from_slice(&jurisdiction.as_bytes());
        out.push(branch.code());
        put_varint(&mut out, months.len() as u32);
        for (month, cell) in months {
            out.push(month.month());
            put_varint(&mut out, cell.contributions);
            put_varint(&mut out, cell.wage);
            put_varint(&mut out, cell.employer_paid);
            put_varint(&mut out, cell.worker_paid);
            put_varint(&mut out, cell.credits);
            put_varint(&mut out, cell.voluntary);
            put_varint(&mut out, cell.voluntary_credits);
            put_varint(&mut out, cell.certified);
            put_varint(&mut out, cell.voluntary_certified);
            out.push(cell.sectors().count() as u8);
            for (sector, count) in cell.sectors() {
                out.push(sector.code());
                put_varint(&mut out, count);
            }
        }
    }
    Some(out)
}

/// Adds the month cells of `year`, as [`encode_year`] wrote them, to `coverage`.
fn decode_year(
    coverage: &mut BTreeMap<(Jurisdiction, Branch), Coverage>,
    year: u16,
    bytes: &[u8],
) -> Result<(), ProjectionDecodeError> {
    let mut r = Reader { cursor: Cursor::new(bytes) };
    let version = r.u8()?;
    if version != PROJECTION_FORMAT_VERSION {
        return Err(ProjectionDecodeError(format!("coverage of {year} in projection format {version}")));
    }
    let groups = r.u32()?;
    if groups == 0 {
        return Err(ProjectionDecodeError(format!("the coverage of {year} is empty")));
    }
    let mut previous_group = None;
    for _ in 0..groups {
        let key = (r.jurisdiction()?, r.branch()?);
        if previous_group.is_some_and(|previous| previous >= key) {
            return Err(ProjectionDecodeError(format!("the coverage of {year} is out of order")));
        }
        previous_group = Some(key);
        let months = &mut coverage.entry(key).or_default().months;
        let count = r.u32()?;
        if count == 0 {
            return Err(ProjectionDecodeError(format!("an empty coverage in {year}")));
        }
        let mut previous_month = 0;
        for _ in 0..count {
            let month_of_year = r.u8()?;
            if month_of_year <= previous_month {
                return Err(ProjectionDecodeError(format!("the months of {year} are out of order")));
            }
            previous_month = month_of_year;
            let month = Month::new(year, month_of_year).map_err(invalid)?;
            let mut cell = MonthCell {
                contributions: r.u32()?,
                wage: r.u128()?,
                employer_paid: r.u128()?,
                worker_paid: r.u128()?,
                credits: r.u32()?,
                voluntary: r.u32()?,
                voluntary_credits: r.u32()?,
                certified: r.u32()?,
                voluntary_certified: r.u32()?,
                sectors: Default::default(),
            };
            if cell.voluntary > cell.contributions
                || cell.voluntary_credits > cell.credits
                || cell.voluntary_certified > cell.certified
            {
                return Err(ProjectionDecodeError(format!(
                    "{month} has more voluntary periods than periods"
                )));
            }
            for _ in 0..r.u8()? {
                let sector = Sector::from_code(r.u8()?.into()).map_err(invalid)?;
                cell.sectors[usize::from(sector.code()) - 1] = r.u32()?;
            }
            months.insert(month, cell);
        }
    }
    if !r.cursor.at_end() {
        return Err(ProjectionDecodeError(format!("trailing bytes in the coverage of {year}")));
    }
    Ok(())
}

/// A projection from its main part and the month cells of each year stored on its own, in
/// ascending years: exactly the years the main part lists.
pub fn decode<'a>(
    bytes: &[u8],
    years: impl IntoIterator<Item = (u16, &'a [u8])>,
) -> Result<WorkerProjection, ProjectionDecodeError> {
    let (mut projection, listed) = decode_main(bytes)?;
    let mut given = Vec::new();
    for (year, part) in years {
        given.push(year);
        add_year(&mut projection, year, part)?;
    }
    finish(projection, &listed, &given)
}

/// Checks a projection assembled from its main part and its stored years: every year the main
/// part lists was given, nothing else, and each where it belongs.
pub fn finish(
    projection: WorkerProjection,
    listed: &[u16],
    given: &[u16],
) -> Result<WorkerProjection, ProjectionDecodeError> {
    if listed != given || stored_years(&projection).into_iter().ne(listed.iter().copied()) {
        return Err(ProjectionDecodeError("coverage years are not where they belong".into()));
    }
    Ok(projection)
}

/// Adds the month cells of a year stored on its own to a projection decoded from its main part.
pub fn add_year(
    projection: &mut WorkerProjection,
    year: u16,
    part: &[u8],
) -> Result<(), ProjectionDecodeError> {
    if projection.coverage.values().any(|coverage| coverage.months.keys().any(|month| month.year() == year)) {
        return Err(ProjectionDecodeError(format!("the coverage of {year} is stored twice")));
    }
    decode_year(&mut projection.coverage, year, part)
}

/// A projection's main part, decoded: the projection with its recent years of coverage, and the
/// years stored on their own, to be added with [`add_year`] and checked with [`finish`].
pub fn decode_main(bytes: &[u8]) -> Result<(WorkerProjection, Vec<u16>), ProjectionDecodeError> {
    let mut r = Reader { cursor: Cursor::new(bytes) };
    let version = r.u8()?;
    if version != PROJECTION_FORMAT_VERSION {
        return Err(ProjectionDecodeError(format!("projection format {version}")));
    }
    let worker_id = WorkerId::parse(r.str(ledger_core::WORKER_ID_LEN)?).map_err(invalid)?;
    let origin = r.jurisdiction()?;
    let enrolled_in = r.jurisdiction()?;
    let enrolled_at = Seq(r.u64()?);
    let last_seq = Seq(r.u64()?);
    let sex = match r.u8()? {
        0 => None,
        code => Some(Sex::from_code(code.into()).map_err(invalid)?),
    };
    let birth_month = r.optional_month()?;
    let residence = match r.u8()? {
        0 => None,
        _ => Some((r.jurisdiction()?, r.month()?)),
    };
    let mut records_in = std::collections::BTreeSet::new();
    for _ in 0..r.u32()? {
        records_in.insert(r.jurisdiction()?);
    }
    let mut listed = Vec::new();
    for _ in 0..r.u32()? {
        let year = u16::from_be_bytes(r.array()?);
        if listed.last().is_some_and(|previous| *previous >= year) {
            return Err(ProjectionDecodeError("stored coverage years out of order".into()));
        }
        listed.push(year);
    }
    let mut coverage = BTreeMap::new();
    let mut previous = None;
    for _ in 0..r.u32()? {
        let year = u16::from_be_bytes(r.array()?);
        if previous.is_some_and(|previous| previous >= year) {
            return Err(ProjectionDecodeError("recent coverage years out of order".into()));
        }
        previous = Some(year);
        let len = r.u32()? as usize;
        let part = r.take(len)?;
        decode_year(&mut coverage, year, part)?;
    }
    let mut entitlements = BTreeMap::new();
    for _ in 0..r.u32()? {
        let seq = Seq(r.u64()?);
        let jurisdiction = r.jurisdiction()?;
        let branch = r.branch()?;
        let currency = Currency::parse(r.str(3)?).map_err(invalid)?;
        let monthly_amount = r.u64()?;
        let start = r.month()?;
        let status = match r.u8()? {
            0 => EntitlementStatus::Active,
            1 => EntitlementStatus::Suspended,
            2 => EntitlementStatus::Ended,
            other => return Err(ProjectionDecodeError(format!("entitlement status {other}"))),
        };
        let status_since = r.optional_month()?;
        let mut paid_into = BTreeMap::new();
        for _ in 0..r.u32()? {
            let country = r.jurisdiction()?;
            paid_into.insert(country, Payments { count: r.u32()?, total: r.u128()? });
        }
        let entitlement = Entitlement {
            jurisdiction,
            branch,
            currency,
            monthly_amount,
            start,
            status,
            status_since,
            paid_into,
        };
        entitlements.insert(seq, entitlement);
    }
    let mut claims = BTreeMap::new();
    for _ in 0..r.u32()? {
        let seq = Seq(r.u64()?);
        claims.insert(seq, decode_claim(&mut r)?);
    }
    let mut applications = BTreeMap::new();
    for _ in 0..r.u32()? {
        let branch = r.branch()?;
        let seq = Seq(r.u64()?);
        let jurisdiction = r.jurisdiction()?;
        let days = i32::from_be_bytes(r.array()?);
        let risk_date = NaiveDate::from_epoch_days(days)
            .ok_or_else(|| ProjectionDecodeError(format!("{days} is not a day")))?;
        applications.insert(branch, Application { seq, jurisdiction, risk_date });
    }
    let mut consents = BTreeMap::new();
    for _ in 0..r.u32()? {
        let organisation = PrincipalId::parse(&r.string()?).map_err(invalid)?;
        consents.insert(organisation, r.jurisdiction()?);
    }
    let chunked_events = r.u64()?;
    let count = r.u64()?;
    if !chunked_events.is_multiple_of(STATEMENT_CHUNK_EVENTS as u64) || count >= STATEMENT_CHUNK_EVENTS as u64
    {
        return Err(ProjectionDecodeError("the statement is not whole chunks and a shorter tail".into()));
    }
    // Each seq takes at least a byte: a count beyond the bytes left is malformed, not a reason to
    // reserve memory.
    if count > r.cursor.remaining() as u64 {
        return Err(ProjectionDecodeError("more statement seqs than bytes".into()));
    }
    let mut events = Vec::with_capacity(count as usize);
    let mut before = 0u64;
    for index in 0..count {
        let delta = r.u64()?;
        if delta == 0 && index > 0 {
            return Err(ProjectionDecodeError("statement seqs out of order".into()));
        }
        before = before
            .checked_add(delta)
            .ok_or_else(|| ProjectionDecodeError("a statement seq out of range".into()))?;
        events.push(Seq(before));
    }
    // The statement runs from her enrolment (in the first chunk when there is one) to her last
    // event (in the tail, unless the last event filled a chunk).
    let starts = chunked_events > 0 || events.first() == Some(&enrolled_at);
    let ends = match events.last() {
        Some(last) => *last == last_seq,
        None => chunked_events > 0,
    };
    if !starts || !ends || events.first().is_some_and(|first| chunked_events > 0 && *first <= enrolled_at) {
        return Err(ProjectionDecodeError(
            "the statement does not run from enrolment to the last event".into(),
        ));
    }
    if !r.cursor.at_end() {
        return Err(ProjectionDecodeError("trailing bytes".into()));
    }
    let projection = WorkerProjection {
        worker_id,
        origin,
        enrolled_in,
        enrolled_at,
        last_seq,
        sex,
        birth_month,
        residence,
        records_in,
        coverage,
        entitlements,
        claims,
        applications,
        consents,
        events,
        chunked_events,
    };
    Ok((projection, listed))
}

fn decode_claim(r: &mut Reader<'_>) -> Result<Claim, ProjectionDecodeError> {
    let addressed_to = r.jurisdiction()?;
    let filed_via = r.optional_jurisdiction()?;
    let kind = ClaimKind::from_code(r.u8()?.into()).map_err(invalid)?;
    let employer_ref = r.string()?;
    let mut months = Vec::new();
    for _ in 0..r.u32()? {
        months.push(r.month()?);
    }
    let currency = Currency::parse(r.str(3)?).map_err(invalid)?;
    let amount = match r.u8()? {
        0 => None,
        _ => Some(r.u64()?),
    };
    let evidence_sha256 = r.array::<32>()?;
    let filed_at = r.time()?;
    let respond_by = r.day()?;
    let resolution = decode_resolution(r)?;
    let appeal = match r.u8()? {
        0 => None,
        _ => Some(Appeal {
            seq: Seq(r.u64()?),
            at: r.time()?,
            filed_via: r.optional_jurisdiction()?,
            body: PrincipalId::parse(&r.string()?).map_err(invalid)?,
            grounds_sha256: r.array::<32>()?,
            respond_by: r.day()?,
            decision: decode_resolution(r)?,
        }),
    };
    Ok(Claim {
        addressed_to,
        filed_via,
        kind,
        employer_ref,
        months,
        currency,
        amount,
        evidence_sha256,
        filed_at,
        respond_by,
        resolution,
        appeal,
    })
}

fn decode_resolution(r: &mut Reader<'_>) -> Result<Option<Resolution>, ProjectionDecodeError> {
    Ok(match r.u8()? {
        0 => None,
        code => {
            let outcome = ClaimOutcome::from_code(code.into()).map_err(invalid)?;
            let seq = Seq(r.u64()?);
            let at = r.time()?;
            let reason = Some(r.string()?).filter(|reason| !reason.is_empty());
            Some(Resolution { seq, at, outcome, reason, contributions: r.u32()? })
        }
    })
}

fn invalid(error: ledger_core::InvalidInput) -> ProjectionDecodeError {
    ProjectionDecodeError(error.to_string())
}

struct Reader<'a> {
    cursor: Cursor<'a>,
}

fn short(short: Short) -> ProjectionDecodeError {
    ProjectionDecodeError(format!("truncated: {short}"))
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], ProjectionDecodeError> {
        self.cursor.take(len).map_err(short)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], ProjectionDecodeError> {
        self.cursor.array().map_err(short)
    }

    fn u8(&mut self) -> Result<u8, ProjectionDecodeError> {
        self.cursor.u8().map_err(short)
    }

    /// A LEB128 integer of at most `bits` bits, in its shortest form.
    fn varint(&mut self, bits: u32) -> Result<u128, ProjectionDecodeError> {
        let mut value = 0u128;
        for shift in (0..bits.div_ceil(7) * 7).step_by(7) {
            let byte = self.u8()?;
            if shift == 126 && byte > 0x03 {
                return Err(ProjectionDecodeError("an integer longer than its type".into()));
            }
            value |= u128::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                if (byte == 0 && shift > 0) || (bits < 128 && value >> bits != 0) {
                    return Err(ProjectionDecodeError(
                        "an integer out of range or not in its shortest form".into(),
                    ));
                }
                return Ok(value);
            }
        }
        Err(ProjectionDecodeError("an integer longer than its type".into()))
    }

    fn u32(&mut self) -> Result<u32, ProjectionDecodeError> {
        self.varint(32).map(|value| value as u32)
    }

    fn u64(&mut self) -> Result<u64, ProjectionDecodeError> {
        self.varint(64).map(|value| value as u64)
    }

    fn u128(&mut self) -> Result<u128, ProjectionDecodeError> {
        self.varint(128)
    }

    fn str(&mut self, len: usize) -> Result<&'a str, ProjectionDecodeError> {
        std::str::from_utf8(self.take(len)?).map_err(|_| ProjectionDecodeError("not UTF-8".into()))
    }

    fn string(&mut self) -> Result<String, ProjectionDecodeError> {
        let len = self.u32()? as usize;
        self.str(len).map(str::to_owned)
    }

    fn time(&mut self) -> Result<DateTime<Utc>, ProjectionDecodeError> {
        let micros = i64::from_be_bytes(self.array()?);
        DateTime::from_timestamp_micros(micros)
            .ok_or_else(|| ProjectionDecodeError(format!("{micros} is not a time")))
    }

    fn day(&mut self) -> Result<NaiveDate, ProjectionDecodeError> {
        let days = i32::from_be_bytes(self.array()?);
        NaiveDate::from_epoch_days(days).ok_or_else(|| ProjectionDecodeError(format!("{days} is not a day")))
    }

    fn jurisdiction(&mut self) -> Result<Jurisdiction, ProjectionDecodeError> {
        Jurisdiction::parse(self.str(2)?).map_err(invalid)
    }

    fn branch(&mut self) -> Result<Branch, ProjectionDecodeError> {
        Branch::from_code(self.u8()?.into()).map_err(invalid)
    }

    fn month(&mut self) -> Result<Month, ProjectionDecodeError> {
        let year = u16::from_be_bytes(self.array()?);
        Month::new(year, self.u8()?).map_err(invalid)
    }

    fn optional_jurisdiction(&mut self) -> Result<Option<Jurisdiction>, ProjectionDecodeError> {
        if self.cursor.peek(2) == Some(&[0, 0]) {
            self.take(2)?;
            return Ok(None);
        }
        self.jurisdiction().map(Some)
    }

    fn optional_month(&mut self) -> Result<Option<Month>, ProjectionDecodeError> {
        if self.cursor.peek(3) == Some(&[0, 0, 0]) {
            self.take(3)?;
            return Ok(None);
        }
        self.month().map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_in_their_shortest_form() {
        for value in [0u128, 1, 127, 128, 300_000, u128::from(u32::MAX), u128::from(u64::MAX), u128::MAX] {
            let mut bytes = Vec::new();
            put_varint(&mut bytes, value);
            let mut reader = Reader { cursor: Cursor::new(&bytes) };
            assert_eq!(reader.u128(), Ok(value));
            assert!(reader.cursor.at_end());
        }
        let mut reader = Reader { cursor: Cursor::new(&[0x80, 0x00]) };
        assert!(reader.u128().is_err(), "a padded zero is not the shortest form");
        let mut reader = Reader { cursor: Cursor::new(&[0xff, 0xff, 0xff, 0xff, 0x1f]) };
        assert!(reader.u32().is_err(), "2^33 - 1 does not fit 32 bits");
    }

    fn enrolled_worker() -> WorkerProjection {
        let event = ledger_core::WorkerEnrolled {
            worker_id: WorkerId::parse("W0000000000000042").expect("valid id"),
            origin: Jurisdiction::parse("PH").expect("valid code"),
            enrolled_in: Jurisdiction::parse("PH").expect("valid code"),
            sex: None,
            birth_month: None,
        };
        WorkerProjection::enrolled(Seq(3), &event)
    }

    #[test]
    fn the_statement_round_trips_and_a_broken_one_is_refused() {
        let mut projection = enrolled_worker();
        projection.events.extend([Seq(4), Seq(200), Seq(1 << 40)]);
        projection.last_seq = Seq(1 << 40);
        let bytes = encode(&projection);
        assert_eq!(decode(&bytes, []).as_ref(), Ok(&projection));
        // The statement is last: its count, then the differences (3, 1, 196, 2^40 - 200).
        let tail = bytes.len() - (1 + 1 + 1 + 2 + 6);
        let mut repeated = bytes.clone();
        repeated[tail + 2] = 0; // seq 4 again
        assert!(decode(&repeated, []).is_err(), "seqs out of order are refused");
        let mut counted = bytes[..tail].to_vec();
        put_varint(&mut counted, u64::MAX);
        assert!(decode(&counted, []).is_err(), "a count beyond the bytes is refused");
        let mut short = projection.clone();
        short.events.pop();
        assert!(decode(&encode(&short), []).is_err(), "the statement must end at the last event");
    }

    #[test]
    fn a_claim_round_trips_at_every_step_of_its_appeal() {
        use ledger_core::{AppealDecided, ClaimAppealed, ClaimFiled, ClaimResolved, Event, Month, Text};
        let mut projection = enrolled_worker();
        let mut facts = crate::WorkerFacts::of(&projection);
        let worker_id = projection.worker_id.clone();
        let ph = Jurisdiction::parse("PH").expect("valid code");
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 3, d).expect("a day");
        let reason = |text: &str| Some(Text::parse("reason", text, 512).expect("a reason"));
        let events = [
            Event::ClaimFiled(ClaimFiled {
                worker_id: worker_id.clone(),
                addressed_to: ph,
                filed_via: None,
                kind: ClaimKind::UnpaidWages,
                employer_ref: Text::parse("employer_ref", "PH-EMP-1", 64).expect("a reference"),
                months: vec![Month::parse("2026-01").expect("a month")],
                currency: Currency::parse("PHP").expect("a currency"),
                amount: None,
                evidence_sha256: [7; 32],
                respond_by: day(2),
            }),
            Event::ClaimResolved(ClaimResolved {
                claim: Seq(4),
                worker_id: worker_id.clone(),
                jurisdiction: ph,
                outcome: ClaimOutcome::Rejected,
                reason: reason("no payslip"),
                contributions: 0,
            }),
            Event::ClaimAppealed(ClaimAppealed {
                claim: Seq(4),
                worker_id: worker_id.clone(),
                jurisdiction: ph,
                filed_via: Some(ph),
                appeal_body: PrincipalId::parse("ph-nlrc").expect("valid id"),
                grounds_sha256: [9; 32],
                respond_by: day(30),
            }),
            Event::AppealDecided(AppealDecided {
                claim: Seq(4),
                worker_id,
                jurisdiction: ph,
                outcome: ClaimOutcome::Upheld,
                reason: None,
                contributions: 0,
            }),
        ];
        let labels = ["open", "rejected", "appealed", "upheld on appeal"];
        for ((seq, event), label) in (4..).zip(&events).zip(labels) {
            let at = DateTime::from_timestamp(1_772_000_000 + seq as i64, 0).expect("a time");
            projection.apply(Seq(seq), at, event, None).expect("applies");
            facts.apply(Seq(seq), event).expect("applies to the facts");
            assert_eq!(facts, crate::WorkerFacts::of(&projection), "after {}", event.name());
            assert_eq!(decode(&encode(&projection), []).as_ref(), Ok(&projection), "after {}", event.name());
            assert_eq!(projection.claims[&Seq(4)].state_label(day(1)), label);
        }
        assert_eq!(projection.claims[&Seq(4)].outcome(), Some(ClaimOutcome::Upheld));
        assert!(projection.apply(Seq(9), DateTime::UNIX_EPOCH, &events[2], None).is_err(), "appealed twice");
        assert!(facts.apply(Seq(9), &events[3]).is_err(), "decided twice");
    }

    #[test]
    fn consents_round_trip() {
        let mut projection = enrolled_worker();
        for (organisation, registered_in) in [("union-sa-dwu", "SA"), ("mwo.ph_migrante", "PH")] {
            let organisation = PrincipalId::parse(organisation).expect("valid id");
            projection.consents.insert(organisation, Jurisdiction::parse(registered_in).expect("valid code"));
        }
        assert_eq!(decode(&encode(&projection), []).as_ref(), Ok(&projection));
    }
}
