//! Micro-benchmarks of the core's hot paths: what the writer does for every event (encode, hash,
//! extend the Merkle frontier) and what a verifier does (decode, hash). `cargo bench -p ledger-core`.

use chrono::DateTime;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ledger_core::merkle::Frontier;
use ledger_core::{
    chain_hash, event_hash, Branch, ChainHash, ContributionRecorded, Currency, Event, Jurisdiction,
    MinorUnits, Month, PrincipalId, Record, RequestId, Sector, Seq, Text, WorkerId,
};

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("fixed benchmark value rejected: {error:?}"))
}

/// A typical stored record: one monthly contribution of a domestic worker (illustrative).
fn record() -> Record {
    Record {
        seq: Seq(1_234_567),
        recorded_at: DateTime::from_timestamp_micros(1_790_000_000_000_000).unwrap_or_default(),
        principal: ok(PrincipalId::parse("agency-sa")),
        request_id: ok(RequestId::parse("gosi-payroll-2026-09-000417")),
        prev_chain_hash: ChainHash::from_bytes([7; 32]),
        event: Event::ContributionRecorded(ContributionRecorded {
            worker_id: WorkerId::from_random([3; 10]),
            jurisdiction: ok(Jurisdiction::parse("SA")),
            branch: Branch::OldAge,
            month: ok(Month::parse("2026-09")),
            currency: ok(Currency::parse("SAR")),
            insured_wage: ok(MinorUnits::new("wage", 300_000)),
            employer_share: ok(MinorUnits::new("employer", 27_000)),
            worker_share: ok(MinorUnits::new("worker", 15_000)),
            employer_ref: ok(Text::parse("employer_ref", "SA-HH-0917", 64)),
            sector: Sector::DomesticWork,
            insurance: ledger_core::Insurance::Compulsory,
        }),
    }
}

fn records(c: &mut Criterion) {
    let record = record();
    let bytes = record.encode();
    let mut group = c.benchmark_group("record");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("encode", |b| b.iter(|| std::hint::black_box(&record).encode()));
    group.bench_function("decode", |b| b.iter(|| Record::decode(std::hint::black_box(&bytes))));
    group.finish();
}

fn hashes(c: &mut Criterion) {
    let bytes = record().encode();
    let mut group = c.benchmark_group("hash");
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.bench_function("event hash", |b| b.iter(|| event_hash(std::hint::black_box(&bytes))));
    let leaf = event_hash(&bytes);
    group.bench_function("chain hash", |b| {
        b.iter(|| chain_hash(std::hint::black_box(&ChainHash::GENESIS), std::hint::black_box(&leaf)))
    });
    group.finish();
}

fn merkle(c: &mut Criterion) {
    let leaves: Vec<[u8; 32]> = (0..4096u32)
        .map(|index| {
            let mut leaf = [0u8; 32];
            leaf[..4].copy_from_slice(&index.to_be_bytes());
            leaf
        })
        .collect();
    let mut group = c.benchmark_group("merkle");
    group.throughput(Throughput::Elements(leaves.len() as u64));
    group.bench_function("frontier push, 4096 leaves", |b| {
        b.iter_batched(
            Frontier::default,
            |mut frontier| {
                for leaf in &leaves {
                    frontier.push(*leaf, |_, _, _| {});
                }
                frontier.root()
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, records, hashes, merkle);
criterion_main!(benches);
