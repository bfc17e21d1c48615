//! Micro-benchmarks of projections: applying events to a worker's projection (what the writer does
//! for every event and a rebuild for the whole log), its stored form, and a balance.
//! `cargo bench -p ledger-projections`.

use chrono::DateTime;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ledger_core::{
    Branch, ChainHash, ContributionRecorded, Currency, Event, Jurisdiction, MinorUnits, Month, PrincipalId,
    Record, RequestId, Sector, Seq, Text, WorkerEnrolled, WorkerId,
};
use ledger_projections::{balance, codec, LogFold};
use ledger_rules::Rules;

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("fixed benchmark value rejected: {error:?}"))
}

/// Ten years of monthly contributions of one worker in Saudi Arabia, after her enrolment, and the
/// rules adopted first (illustrative).
fn history() -> Vec<Record> {
    let worker = WorkerId::from_random([9; 10]);
    let record = |seq: u64, event: Event| Record {
        seq: Seq(seq),
        recorded_at: DateTime::from_timestamp_micros(1_790_000_000_000_000 + seq as i64).unwrap_or_default(),
        principal: ok(PrincipalId::parse("agency-sa")),
        request_id: ok(RequestId::parse(&format!("request-{seq}"))),
        prev_chain_hash: ChainHash::GENESIS,
        event,
    };
    let rules = Rules::sample();
    let adopted = ledger_core::RulesAdopted { digest: rules.digest(), document: rules.text().to_owned() };
    let mut records = vec![
        record(0, Event::RulesAdopted(adopted)),
        record(
            1,
            Event::WorkerEnrolled(WorkerEnrolled {
                worker_id: worker.clone(),
                origin: ok(Jurisdiction::parse("PH")),
                enrolled_in: ok(Jurisdiction::parse("PH")),
                sex: None,
                birth_month: None,
            }),
        ),
    ];
    for month in 0..120u32 {
        records.push(record(
            2 + u64::from(month),
            Event::ContributionRecorded(ContributionRecorded {
                worker_id: worker.clone(),
                jurisdiction: ok(Jurisdiction::parse("SA")),
                branch: Branch::OldAge,
                month: ok(Month::from_ordinal(2016 * 12 + month)),
                currency: ok(Currency::parse("SAR")),
                insured_wage: ok(MinorUnits::new("wage", 300_000)),
                employer_share: ok(MinorUnits::new("employer", 27_000)),
                worker_share: ok(MinorUnits::new("worker", 15_000)),
                employer_ref: ok(Text::parse("employer_ref", "SA-HH-0917", 64)),
                sector: Sector::DomesticWork,
                insurance: ledger_core::Insurance::Compulsory,
            }),
        ));
    }
    records
}

fn fold(c: &mut Criterion) {
    let records = history();
    let mut group = c.benchmark_group("projection");
    group.throughput(Throughput::Elements(records.len() as u64));
    group.bench_function("fold 122 events of one worker", |b| {
        b.iter_batched(
            LogFold::default,
            |mut fold| {
                for record in &records {
                    ok(fold.apply(record));
                }
                fold
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let mut folded = LogFold::default();
    for record in &records {
        ok(folded.apply(record));
    }
    let projection = folded.workers.values().next().cloned().unwrap_or_else(|| panic!("one worker"));
    // The main part and every year of coverage, as a reader loads them.
    let encode_all = |projection: &ledger_projections::WorkerProjection| {
        let years: Vec<(u16, Vec<u8>)> = codec::stored_years(projection)
            .into_iter()
            .filter_map(|year| codec::encode_year(projection, year).map(|part| (year, part)))
            .collect();
        (codec::encode(projection), years)
    };
    let (bytes, years) = encode_all(&projection);
    let mut group = c.benchmark_group("projection codec");
    let size = bytes.len() + years.iter().map(|(_, part)| part.len()).sum::<usize>();
    group.throughput(Throughput::Bytes(size as u64));
    group.bench_function("encode, 120 months", |b| b.iter(|| encode_all(std::hint::black_box(&projection))));
    group.bench_function("decode, 120 months", |b| {
        b.iter(|| {
            codec::decode(
                std::hint::black_box(&bytes),
                years.iter().map(|(year, part)| (*year, part.as_slice())),
            )
        })
    });
    group.finish();

    let rules = Rules::sample();
    let on = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    c.bench_function("balance, 120 months", |b| {
        b.iter(|| balance(std::hint::black_box(&projection), &rules, on, Seq(121)))
    });
}

criterion_group!(benches, fold);
criterion_main!(benches);
