//! `ledger soak`: the real server (its own process, with its default rate limits) held for minutes
//! at a steady rate of durable appends while agencies read balances, sampled every few seconds:
//! events per second, write and read latency (p50, p99), and the server's resident memory. It fails
//! when any request gets an error other than rate limiting, or when memory keeps growing.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::bail;
use ledger_proto::v1 as pb;

use crate::bench::population::{self, Agencies, Random};
use crate::bench::server::ServerProcess;

/// Seconds between two samples.
const SAMPLE_SECONDS: u64 = 10;
/// How fast resident memory may grow with the events appended, from the first sample to the
/// largest of the last half. sled keeps a little metadata in memory for every page it has written,
/// so memory follows the size of the store; it must not follow the time the server has run or the
/// requests it has served. Measured: 7 bytes per event in the 300-second run of BENCHMARKS.md.
const RESIDENT_GROWTH_BYTES_PER_EVENT_MAX: u64 = 32;
/// Samples a run needs before its memory is judged: the first quarter of them is the caches
/// filling, and is left out.
const MEMORY_SAMPLES_MIN: usize = 8;

#[derive(Debug, clap::Args)]
pub struct SoakArgs {
    /// How long to hold the load, in seconds.
    #[arg(long, default_value_t = 180)]
    seconds: u64,
    /// Contributions appended per second, in all. The default is what the server sustains for
    /// minutes on the reference machine (BENCHMARKS.md); higher rates show as growing latency.
    #[arg(long, default_value_t = 10_000)]
    rate: u64,
    /// Contributions per request.
    #[arg(long, default_value_t = 100)]
    batch: u64,
    /// Concurrent appending clients.
    #[arg(long, default_value_t = 8)]
    writers: u64,
    /// Balance reads per second, in all, from four readers.
    #[arg(long, default_value_t = 200)]
    read_rate: u64,
    /// Workers in the population loaded before the soak.
    #[arg(long, default_value_t = 20_000)]
    workers: usize,
    /// Events of history loaded before the soak.
    #[arg(long, default_value_t = 200_000)]
    events: u64,
    /// Data directory (it must be new); a temporary one when absent.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// What happened in one sample interval.
#[derive(Default)]
struct Interval {
    events: u64,
    writes_us: Vec<u64>,
    reads_us: Vec<u64>,
    errors: BTreeMap<String, u64>,
}

struct Sample {
    at: f64,
    /// Events appended since the soak began, at this sample.
    appended: u64,
    events_per_second: f64,
    write_p50: f64,
    write_p99: f64,
    read_p99: f64,
    resident_mib: u64,
}

fn percentile_ms(values: &mut [u64], percent: usize) -> f64 {
    values.sort_unstable();
    ledger_projections::reports::nearest_rank(values, percent).map_or(0.0, |us| us as f64 / 1000.0)
}

pub async fn run(args: SoakArgs) -> anyhow::Result<()> {
    if args.writers == 0 || args.batch == 0 || args.rate == 0 || args.workers == 0 {
        bail!("--writers, --batch, --rate and --workers must be at least 1");
    }
    crate::bench::server::with_data_dir(args.data_dir.as_deref(), |data_dir| soak(&args, data_dir)).await
}

async fn soak(args: &SoakArgs, data_dir: PathBuf) -> anyhow::Result<()> {
    let principals_file = data_dir.join("soak-principals.toml");
    let tokens = Arc::new(crate::bench::make_principals(&principals_file)?);
    // The history is loaded as fast as the server takes it, then the server is started again with
    // the rate limits an operator gets by default, for the soak itself.
    let loader = ServerProcess::start(&data_dir, &principals_file).await?;
    let agencies = Agencies { address: loader.address.clone(), tokens: tokens.clone() };
    let members = population::draw(args.workers, args.events, 2026);
    let ids = population::enrol(&agencies, &members).await?;
    let loaded = population::load(&agencies, &members, &ids).await?;
    loader.stop().await?;
    let mut server = ServerProcess::start_with_limits(&data_dir, &principals_file, false).await?;
    let agencies = Agencies { address: server.address.clone(), tokens };
    println!(
        "soak: {} workers and {loaded} events loaded; {} s at {} contributions/s in requests of {} from {} \
         clients, and {} balance reads/s",
        ids.len(),
        args.seconds,
        args.rate,
        args.batch,
        args.writers,
        args.read_rate
    );
    let (members, ids) = (Arc::new(members), Arc::new(ids));
    let interval = Arc::new(Mutex::new(Interval::default()));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    // Each writer sends one request every `pace`, on a fixed schedule: a slow answer does not slow
    // the offered load down, it shows as latency.
    let pace = Duration::from_secs_f64((args.writers * args.batch) as f64 / args.rate as f64);
    let mut tasks = Vec::new();
    for writer in 0..args.writers {
        let (agencies, members, ids, interval) =
            (agencies.clone(), members.clone(), ids.clone(), interval.clone());
        let batch = args.batch;
        // The writers' requests are spread evenly over each period.
        let offset = pace.mul_f64(writer as f64 / args.writers as f64);
        tasks.push(tokio::spawn(async move {
            let mut agency = agencies.clients("agency-sa").await?.agency;
            let mut random = Random::new(writer + 1);
            for request in 0u32.. {
                let due = started + offset + pace * request;
                if due >= deadline {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let contributions = population::saudi_batch(&mut random, &members, &ids, batch as usize);
                let request_id = format!("soak-{writer}-{request}");
                let asked = Instant::now();
                let answer = agency
                    .record_contributions(pb::RecordContributionsRequest {
                        request_id,
                        contributions,
                        ..Default::default()
                    })
                    .await;
                let took = asked.elapsed().as_micros() as u64;
                let mut interval = interval.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                match answer {
                    Ok(response) => {
                        interval.events += response.into_inner().receipts.len() as u64;
                        interval.writes_us.push(took);
                    }
                    Err(status) => *interval.errors.entry(format!("{:?}", status.code())).or_default() += 1,
                }
            }
            anyhow::Ok(())
        }));
    }
    const READERS: u64 = 4;
    let read_pace = Duration::from_secs_f64(READERS as f64 / args.read_rate.max(1) as f64);
    for reader in 0..READERS {
        let (agencies, members, ids, interval) =
            (agencies.clone(), members.clone(), ids.clone(), interval.clone());
        tasks.push(tokio::spawn(async move {
            let mut connections = agencies.connections();
            let mut random = Random::new(1_000 + reader);
            for request in 0u32.. {
                let due = started + read_pace * request;
                if due >= deadline {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let index = random.below(members.len() as u64) as usize;
                let reader = &mut connections.of(members[index].destination).await?.worker;
                let asked = Instant::now();
                let answer = reader
                    .get_balance(pb::GetBalanceRequest {
                        worker_id: ids[index].clone(),
                        as_of_seq: None,
                        ..Default::default()
                    })
                    .await;
                let took = asked.elapsed().as_micros() as u64;
                let mut interval = interval.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                match answer {
                    Ok(_) => interval.reads_us.push(took),
                    Err(status) => *interval.errors.entry(format!("{:?}", status.code())).or_default() += 1,
                }
            }
            anyhow::Ok(())
        }));
    }
    println!("     s   events/s  write p50 ms  write p99 ms  read p99 ms  resident MiB");
    let mut samples = Vec::new();
    let mut all_writes = Vec::new();
    let mut all_reads = Vec::new();
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    let mut appended = 0;
    let mut last = started;
    while last < deadline {
        let next = (last + Duration::from_secs(SAMPLE_SECONDS)).min(deadline);
        tokio::time::sleep_until(next.into()).await;
        if let Some(status) = server.exit_status()? {
            bail!(
                "the server stopped ({status}) {:.0} s into the soak; its log ({}) says why",
                next.duration_since(started).as_secs_f64(),
                crate::bench::server::SERVER_LOG
            );
        }
        let mut taken = std::mem::take(&mut *interval.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
        let seconds = next.duration_since(last).as_secs_f64();
        appended += taken.events;
        let sample = Sample {
            at: next.duration_since(started).as_secs_f64(),
            appended,
            events_per_second: taken.events as f64 / seconds,
            write_p50: percentile_ms(&mut taken.writes_us, 50),
            write_p99: percentile_ms(&mut taken.writes_us, 99),
            read_p99: percentile_ms(&mut taken.reads_us, 99),
            resident_mib: server.resident_bytes()? >> 20,
        };
        println!(
            "{:>6.0} {:>10.0} {:>13.2} {:>13.2} {:>12.2} {:>13}",
            sample.at,
            sample.events_per_second,
            sample.write_p50,
            sample.write_p99,
            sample.read_p99,
            sample.resident_mib
        );
        all_writes.append(&mut taken.writes_us);
        all_reads.append(&mut taken.reads_us);
        for (code, count) in taken.errors {
            *errors.entry(code).or_default() += count;
        }
        samples.push(sample);
        last = next;
    }
    for task in tasks {
        task.await??;
    }
    // Whatever was still in flight at the deadline.
    let rest = std::mem::take(&mut *interval.lock().map_err(|_| anyhow::anyhow!("poisoned"))?);
    appended += rest.events;
    all_writes.extend(rest.writes_us);
    all_reads.extend(rest.reads_us);
    for (code, count) in rest.errors {
        *errors.entry(code).or_default() += count;
    }
    if samples.is_empty() {
        bail!("the soak ended before its first sample");
    }
    let (first, last_half) = (&samples[samples.len() / 4], &samples[samples.len() / 2..]);
    let last_half_max = last_half.iter().map(|sample| sample.resident_mib).max().unwrap_or(0);
    let last_appended = samples.last().map_or(0, |sample| sample.appended);
    let growth_bytes = (last_half_max.saturating_sub(first.resident_mib)) << 20;
    let growth_per_event = growth_bytes / last_appended.saturating_sub(first.appended).max(1);
    let peak = server.peak_resident_bytes()? >> 20;
    server.stop().await?;
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "soak: {appended} events in {elapsed:.0} s ({:.0}/s of {} offered); writes p50 {:.2} ms, p99 {:.2} ms over \
         {} requests; balance reads p50 {:.2} ms, p99 {:.2} ms over {}",
        appended as f64 / elapsed,
        args.rate,
        percentile_ms(&mut all_writes, 50),
        percentile_ms(&mut all_writes, 99),
        all_writes.len(),
        percentile_ms(&mut all_reads, 50),
        percentile_ms(&mut all_reads, 99),
        all_reads.len()
    );
    println!(
        "soak: resident memory {} MiB after the first quarter, {last_half_max} MiB at most in the last half: \
         {growth_per_event} bytes per event appended in between; peak {peak} MiB; errors {errors:?}",
        first.resident_mib
    );
    let unexpected: Vec<_> = errors.keys().filter(|code| code.as_str() != "ResourceExhausted").collect();
    if !unexpected.is_empty() {
        bail!("requests failed with errors other than rate limiting: {errors:?}");
    }
    if samples.len() < MEMORY_SAMPLES_MIN {
        println!("soak: too short to judge memory ({} samples; {MEMORY_SAMPLES_MIN} needed)", samples.len());
    } else if growth_per_event > RESIDENT_GROWTH_BYTES_PER_EVENT_MAX {
        bail!(
            "resident memory grew {growth_per_event} bytes per event appended, more than the \
             {RESIDENT_GROWTH_BYTES_PER_EVENT_MAX} the store's own growth explains"
        );
    }
    Ok(())
}
