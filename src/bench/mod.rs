//! `ledger bench`: the ledger measured as partners use it, next to its targets and, with
//! `--peer postgres`, next to PostgreSQL doing the same appends. A real server (the `ledger serve`
//! binary, its own process) on loopback over a fresh data directory; a synthetic population
//! loaded through the API; every figure the median of `--runs` runs. Prints one table and writes
//! it as JSON. BENCHMARKS.md explains the method.

mod history;
pub(crate) mod population;
mod postgres;
mod profile;
pub(crate) mod server;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use ledger_core::PrincipalId;
use ledger_proto::v1 as pb;
use ledger_server::principals::{self, Principal, Role};
use population::{Agencies, Member, Random};
use serde_json::json;
use server::ServerProcess;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Peer {
    Postgres,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Workers in the synthetic population.
    #[arg(long, default_value_t = 100_000)]
    workers: usize,
    /// Events in the log before measuring (enrolments, contributions, reversals, claims).
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Runs of each measurement; the table shows their median.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Seconds each run of a throughput or latency measurement lasts.
    #[arg(long, default_value_t = 4)]
    seconds: u64,
    /// Concurrent clients of the single-contribution measurements.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    clients: Vec<usize>,
    /// Also run the append workload against this peer.
    #[arg(long, value_enum)]
    peer: Option<Peer>,
    /// Where to write the table as JSON.
    #[arg(long, default_value = "bench.json")]
    json_out: PathBuf,
    /// Data directory to use instead of a fresh temporary one (it must be new).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Seed of the synthetic population.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Only compare what an append and a claim cost a worker with 10 and with 10,000 events,
    /// on a fresh server (a few seconds).
    #[arg(long)]
    history_only: bool,
    /// Record a `perf` profile of each measured phase into this directory (`<phase>.data`), from
    /// the process doing its work: what bounds each figure, from the run that printed it.
    #[arg(long)]
    profile_dir: Option<PathBuf>,
}

/// A target of issue-level importance: at least or at most a figure.
#[derive(Clone, Copy, Debug)]
enum Target {
    AtLeast(f64),
    AtMost(f64),
}

impl Target {
    fn met(self, value: f64) -> bool {
        match self {
            Target::AtLeast(target) => value >= target,
            Target::AtMost(target) => value <= target,
        }
    }

    fn describe(self) -> String {
        match self {
            Target::AtLeast(target) => format!(">= {}", compact(target)),
            Target::AtMost(target) => format!("<= {}", compact(target)),
        }
    }
}

fn compact(value: f64) -> String {
    if value >= 100.0 || value == value.trunc() {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// One line of the table.
struct Row {
    measure: String,
    unit: &'static str,
    ledger: f64,
    peer: Option<f64>,
    target: Option<Target>,
    /// A second target on the ratio to the peer (ledger / peer).
    ratio_target: Option<f64>,
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        len => values[len / 2],
    }
}

/// The nearest-rank percentile of sorted microseconds, in milliseconds.
fn percentile_ms(sorted_us: &[u64], percent: usize) -> f64 {
    ledger_projections::reports::nearest_rank(sorted_us, percent).unwrap_or(0) as f64 / 1000.0
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.runs == 0 || args.workers == 0 || args.clients.iter().any(|c| *c == 0 || *c > 1024) {
        bail!("--runs and --workers must be at least 1, and --clients 1 to 1024 each");
    }
    let profiles = profile::Profiles::new(args.profile_dir.as_deref())?;
    let temporary = tempfile::tempdir()?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| temporary.path().join("data"));
    std::fs::create_dir_all(&data_dir)?;
    let principals_file = data_dir.join("bench-principals.toml");
    let tokens = Arc::new(make_principals(&principals_file)?);
    let started = Instant::now();
    let server = ServerProcess::start(&data_dir, &principals_file).await?;
    let agencies = Agencies { address: server.address.clone(), tokens: tokens.clone() };
    eprintln!("server {} on {}; data in {}", std::process::id(), server.address, data_dir.display());
    if args.history_only {
        let rows = history_rows(history::measure(&agencies).await?);
        server.stop().await?;
        print_table(&rows, None);
        return Ok(());
    }

    let members = population::draw(args.workers, args.events, args.seed);
    let enrolling = Instant::now();
    let ids = population::enrol(&agencies, &members).await?;
    eprintln!(
        "enrolled {} workers in {:.1} s ({:.0}/s)",
        ids.len(),
        enrolling.elapsed().as_secs_f64(),
        ids.len() as f64 / enrolling.elapsed().as_secs_f64()
    );
    let loading = Instant::now();
    let loaded = population::load(&agencies, &members, &ids).await?;
    eprintln!(
        "loaded {loaded} events of history in {:.1} s ({:.0} events/s)",
        loading.elapsed().as_secs_f64(),
        loaded as f64 / loading.elapsed().as_secs_f64()
    );
    eprintln!("server peak resident memory after the load: {} MiB", server.peak_resident_bytes()? >> 20);
    let (members, ids) = (Arc::new(members), Arc::new(ids));
    let mut auditor = agencies.clients("auditor").await?;
    let size = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner().size;

    let mut rows = Vec::new();
    let runs = args.runs;
    let seconds = Duration::from_secs(args.seconds);
    let recording = profiles.start("appends-batched", server.pid()?)?;
    let cost = CpuCost::start(&server, &mut auditor).await?;
    let ledger_batched = appends(runs, seconds, 2, 1000, |index, batch, deadline| {
        let agencies = agencies.clone();
        let (members, ids) = (members.clone(), ids.clone());
        async move { drive_ledger(&agencies, index, &members, &ids, batch, deadline).await }
    })
    .await?;
    let batched_cpu = cost.per_event(&server, &mut auditor).await?;
    recording.finish()?;
    let mut ledger_singles = Vec::new();
    for clients in &args.clients {
        let recording = profiles.start(&format!("appends-single-{clients}-clients"), server.pid()?)?;
        let cost = CpuCost::start(&server, &mut auditor).await?;
        let rate = appends(runs, seconds, *clients, 1, |index, batch, deadline| {
            let agencies = agencies.clone();
            let (members, ids) = (members.clone(), ids.clone());
            async move { drive_ledger(&agencies, index, &members, &ids, batch, deadline).await }
        })
        .await?;
        let cpu = cost.per_event(&server, &mut auditor).await?;
        recording.finish()?;
        ledger_singles.push((*clients, rate, cpu));
    }
    eprintln!("server peak resident memory after the appends: {} MiB", server.peak_resident_bytes()? >> 20);
    let history = history::measure(&agencies).await?;
    let recording = profiles.start("balance-under-load", server.pid()?)?;
    let (p50, p99) = balance_under_load(&agencies, &members, &ids, runs, seconds).await?;
    recording.finish()?;
    eprintln!("server peak resident memory after the balances: {} MiB", server.peak_resident_bytes()? >> 20);

    let peer = match args.peer {
        Some(Peer::Postgres) => Some(postgres_appends(&members, &ids, &args, runs, seconds).await?),
        None => None,
    };
    rows.push(Row {
        measure: "durable appends, batches of 1000, 2 clients".into(),
        unit: "events/s",
        ledger: ledger_batched,
        peer: peer.as_ref().map(|peer| peer.batched),
        target: Some(Target::AtLeast(100_000.0)),
        ratio_target: Some(2.0),
    });
    if let Some(peer) = &peer {
        rows.push(Row {
            measure: "the same, PostgreSQL also keeping per-worker projections".into(),
            unit: "events/s",
            ledger: ledger_batched,
            peer: Some(peer.batched_with_projections),
            target: None,
            ratio_target: None,
        });
    }
    rows.push(Row {
        measure: "server processor time per event, batches of 1000".into(),
        unit: "us",
        ledger: batched_cpu,
        peer: None,
        target: None,
        ratio_target: None,
    });
    for (index, (clients, rate, cpu)) in ledger_singles.iter().enumerate() {
        rows.push(Row {
            measure: format!("durable appends, 1 per request, {clients} clients"),
            unit: "events/s",
            ledger: *rate,
            peer: peer.as_ref().and_then(|peer| peer.singles.get(index).copied()),
            target: (*clients == 64).then_some(Target::AtLeast(20_000.0)),
            ratio_target: None,
        });
        rows.push(Row {
            measure: format!("server processor time per event, 1 per request, {clients} clients"),
            unit: "us",
            ledger: *cpu,
            peer: None,
            target: None,
            ratio_target: None,
        });
    }
    rows.extend(history_rows(history));
    rows.push(Row {
        measure: format!("GetBalance under load at {size} events, {} workers: p50", ids.len()),
        unit: "ms",
        ledger: p50,
        peer: None,
        target: None,
        ratio_target: None,
    });
    rows.push(Row {
        measure: format!("GetBalance under load at {size} events, {} workers: p99", ids.len()),
        unit: "ms",
        ledger: p99,
        peer: None,
        target: Some(Target::AtMost(2.0)),
        ratio_target: None,
    });

    // Offline verification of an export of the whole log, next to raw SHA-256 of its bytes.
    let export_path = data_dir.join("bench.export");
    let connection = crate::connection::Connection {
        server: server.address.clone(),
        token: tokens.get("auditor").cloned(),
        tls_ca: None,
        tls_domain: "localhost".into(),
        tls_cert: None,
        tls_key: None,
        json: false,
    };
    crate::export::export(&connection, &export_path).await?;
    let peak_resident = server.peak_resident_bytes()?;
    let key = ledger_server::load_or_create_log_key(&data_dir)?.verifier_key();
    let recording = profiles.start("verification", std::process::id())?;
    let (verify_rate, raw_rate, floor_rate, record_bytes, verified_events) =
        verification(&export_path, &key, runs)?;
    recording.finish()?;
    std::fs::remove_file(&export_path)?;
    rows.push(Row {
        measure: format!("offline verification of an export of {verified_events} events"),
        unit: "MB/s",
        ledger: verify_rate,
        peer: None,
        target: None,
        ratio_target: None,
    });
    rows.push(Row {
        measure: "raw SHA-256 of the same bytes".into(),
        unit: "MB/s",
        ledger: raw_rate,
        peer: None,
        target: None,
        ratio_target: None,
    });
    rows.push(Row {
        measure: "hash floor: the SHA-256 calls the format requires, same bytes".into(),
        unit: "MB/s",
        ledger: floor_rate,
        peer: None,
        target: None,
        ratio_target: None,
    });
    rows.push(Row {
        measure: "verification rate / hash floor".into(),
        unit: "%",
        ledger: 100.0 * verify_rate / floor_rate.max(1e-9),
        peer: None,
        target: Some(Target::AtLeast(80.0)),
        ratio_target: None,
    });
    let final_size = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner().size;
    server.stop().await?;
    // Beside the same measures on one node.
    let cluster =
        cluster_rows(&data_dir, &principals_file, &tokens, &members, &args.clients, runs, seconds).await?;
    let at = rows
        .iter()
        .rposition(|row| row.measure.starts_with("server processor time per event, 1 per request"))
        .map_or(rows.len(), |index| index + 1);
    rows.splice(at..at, cluster);
    let disk = server::disk_bytes(&data_dir.join(ledger_store::SLED_DIR))?;
    rows.push(Row {
        measure: format!("bytes on disk per event ({final_size} events)"),
        unit: "bytes",
        ledger: disk as f64 / final_size.max(1) as f64,
        peer: None,
        target: None,
        ratio_target: None,
    });
    let encoded = record_bytes as f64 / verified_events.max(1) as f64;
    rows.push(Row {
        measure: "encoded bytes per event".into(),
        unit: "bytes",
        ledger: encoded,
        peer: None,
        target: None,
        ratio_target: None,
    });
    rows.push(Row {
        measure: "disk / encoded bytes".into(),
        unit: "x",
        ledger: disk as f64 / final_size.max(1) as f64 / encoded.max(1e-9),
        peer: None,
        target: Some(Target::AtMost(3.0)),
        ratio_target: None,
    });
    rows.push(Row {
        measure: format!("server peak resident memory ({final_size} events)"),
        unit: "MiB",
        ledger: peak_resident as f64 / (1024.0 * 1024.0),
        peer: None,
        target: Some(Target::AtMost(512.0)),
        ratio_target: None,
    });
    let mut rebuild_rates = Vec::new();
    let recording = profiles.start("rebuild-in-place", std::process::id())?;
    for _ in 0..runs {
        let dir = data_dir.clone();
        let report = tokio::task::spawn_blocking(move || ledger_store::rebuild(&dir)).await??;
        rebuild_rates.push(report.events as f64 / report.elapsed.as_secs_f64().max(1e-9));
    }
    recording.finish()?;
    rows.push(Row {
        measure: "projection rebuild, stored projections checked in place".into(),
        unit: "events/s",
        ledger: median(rebuild_rates),
        peer: None,
        target: Some(Target::AtLeast(1_000_000.0)),
        ratio_target: None,
    });
    // As after a change of projection format: every projection is written anew.
    let mut cold_rates = Vec::new();
    let recording = profiles.start("rebuild-anew", std::process::id())?;
    for _ in 0..runs {
        let dir = data_dir.clone();
        let report = tokio::task::spawn_blocking(move || {
            forget_projections(&dir)?;
            anyhow::Ok(ledger_store::rebuild(&dir)?)
        })
        .await??;
        cold_rates.push(report.events as f64 / report.elapsed.as_secs_f64().max(1e-9));
    }
    recording.finish()?;
    rows.push(Row {
        measure: "projection rebuild, every projection written anew".into(),
        unit: "events/s",
        ledger: median(cold_rates),
        peer: None,
        target: Some(Target::AtLeast(1_000_000.0)),
        ratio_target: None,
    });
    // Every open verifies the whole chain, the Merkle nodes and the indexes before serving.
    let mut open_seconds = Vec::new();
    for _ in 0..runs {
        let dir = data_dir.clone();
        let elapsed = tokio::task::spawn_blocking(move || {
            let started = std::time::Instant::now();
            let ledger =
                ledger_store::Ledger::open(&dir, std::sync::Arc::new(ledger_rules::Rules::sample()))?;
            let elapsed = started.elapsed();
            ledger.shutdown();
            anyhow::Ok(elapsed)
        })
        .await??;
        open_seconds.push(elapsed.as_secs_f64());
    }
    rows.push(Row {
        measure: format!("open, the log verified from end to end ({final_size} events)"),
        unit: "s",
        ledger: median(open_seconds),
        peer: None,
        target: None,
        ratio_target: None,
    });

    // As after a kill that left the applier behind by the whole log: no projection stored, the
    // watermark at 0. Opening applies every event again before the first read is answered.
    let reader = ids.first().cloned().context("a worker")?;
    let mut behind_seconds = Vec::new();
    for _ in 0..runs {
        let (dir, reader) = (data_dir.clone(), reader.clone());
        let elapsed = tokio::task::spawn_blocking(move || {
            forget_applied(&dir)?;
            let started = std::time::Instant::now();
            let ledger =
                ledger_store::Ledger::open(&dir, std::sync::Arc::new(ledger_rules::Rules::sample()))?;
            ledger.balance(&ledger_core::WorkerId::parse(&reader)?, None, |_| Ok(()))?;
            let elapsed = started.elapsed();
            ledger.shutdown();
            anyhow::Ok(elapsed)
        })
        .await??;
        behind_seconds.push(elapsed.as_secs_f64());
    }
    rows.push(Row {
        measure: format!("open with the applier {final_size} events behind, to the first read"),
        unit: "s",
        ledger: median(behind_seconds),
        peer: None,
        target: None,
        ratio_target: None,
    });

    print_table(&rows, args.peer);
    write_json(&args, &rows, size, ids.len())?;
    eprintln!(
        "whole run: {:.0} s; table written to {}",
        started.elapsed().as_secs_f64(),
        args.json_out.display()
    );
    Ok(())
}

/// The server's processor time over a measurement, and the log's growth meanwhile.
struct CpuCost {
    cpu_seconds: f64,
    size: u64,
}

impl CpuCost {
    async fn start(
        server: &ServerProcess,
        auditor: &mut ledger_client::grpc::Clients,
    ) -> anyhow::Result<CpuCost> {
        Ok(CpuCost { cpu_seconds: server.cpu_seconds()?, size: chain_size(auditor).await? })
    }

    /// Microseconds of the server's processor time per event appended since the start, counting
    /// every thread (the applier's and the scrubber's too).
    async fn per_event(
        self,
        server: &ServerProcess,
        auditor: &mut ledger_client::grpc::Clients,
    ) -> anyhow::Result<f64> {
        let events = chain_size(auditor).await?.saturating_sub(self.size).max(1);
        Ok((server.cpu_seconds()? - self.cpu_seconds) * 1e6 / events as f64)
    }
}

async fn chain_size(auditor: &mut ledger_client::grpc::Clients) -> anyhow::Result<u64> {
    Ok(auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner().size)
}

/// The rows of the comparison between a short and a long history.
fn history_rows(cost: history::HistoryCost) -> Vec<Row> {
    let (short, long) = (history::SHORT_HISTORY_EVENTS, history::LONG_HISTORY_EVENTS);
    let row = |measure: String, unit: &'static str, ledger: f64, target: Option<Target>| Row {
        measure,
        unit,
        ledger,
        peer: None,
        target,
        ratio_target: None,
    };
    vec![
        row(
            format!("appends to a worker with {short} events, 1 client"),
            "events/s",
            cost.appends_short,
            None,
        ),
        row(format!("appends to a worker with {long} events, 1 client"), "events/s", cost.appends_long, None),
        row(
            format!("appends at {long} events / at {short}"),
            "%",
            100.0 * cost.appends_long / cost.appends_short.max(1e-9),
            Some(Target::AtLeast(80.0)),
        ),
        row(format!("claims filed by a worker with {short} events"), "claims/s", cost.claims_short, None),
        row(format!("claims filed by a worker with {long} events"), "claims/s", cost.claims_long, None),
        row(
            format!("claims at {long} events / at {short}"),
            "%",
            100.0 * cost.claims_long / cost.claims_short.max(1e-9),
            Some(Target::AtLeast(80.0)),
        ),
    ]
}

/// Removes every stored projection and claim index entry, as a change of projection format would
/// make them unusable.
fn forget_projections(data_dir: &std::path::Path) -> anyhow::Result<()> {
    let db = ledger_store::open_raw(data_dir)?;
    let mut batch = sled::Batch::default();
    use ledger_store::keys;
    for prefix in
        [keys::PROJECTION_PREFIX, keys::COVERAGE_PREFIX, keys::STATEMENT_CHUNK_PREFIX, keys::CLAIM_PREFIX]
    {
        for key in db.scan_prefix([prefix]).keys() {
            batch.remove(key?);
        }
    }
    db.apply_batch(batch)?;
    db.flush()?;
    Ok(())
}

/// Leaves a stopped store as a kill would that came before the applier stored anything: no
/// worker's projection, years of coverage or statement chunks, and the watermark at 0. The claim
/// index is written with the log, so it stays.
fn forget_applied(data_dir: &std::path::Path) -> anyhow::Result<()> {
    let db = ledger_store::open_raw(data_dir)?;
    let mut batch = sled::Batch::default();
    use ledger_store::keys;
    for prefix in [keys::PROJECTION_PREFIX, keys::COVERAGE_PREFIX, keys::STATEMENT_CHUNK_PREFIX] {
        for key in db.scan_prefix([prefix]).keys() {
            batch.remove(key?);
        }
    }
    batch.insert(keys::APPLIED, &0u64.to_be_bytes()[..]);
    db.apply_batch(batch)?;
    db.flush()?;
    Ok(())
}

/// Principals for every jurisdiction of the sample rules, and an auditor; their tokens by id.
pub(crate) fn make_principals(file: &std::path::Path) -> anyhow::Result<HashMap<String, String>> {
    let mut all: Vec<Principal> = ledger_rules::Rules::sample()
        .jurisdictions()
        .map(|entry| {
            Ok(Principal {
                id: PrincipalId::parse(&ledger_server::agency_id(entry.code))?,
                role: Role::Agency,
                jurisdiction: Some(entry.code),
                worker: None,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    all.push(Principal {
        id: PrincipalId::parse("auditor")?,
        role: Role::Auditor,
        jurisdiction: None,
        worker: None,
    });
    let tokens = principals::add_many(file, &all)?;
    Ok(all.iter().map(|principal| principal.id.to_string()).zip(tokens).collect())
}

/// Workers enrolled on the cluster for its appends: the same population's first ones.
const CLUSTER_WORKERS: usize = 2_000;
/// Replicas of the cluster the bench measures beside one node.
const CLUSTER_REPLICAS: u64 = 3;

/// The appends measured on one node, again on a cluster of three replicas on this machine
/// (every write committed by two of them on disk and applied by the leader), with the one node
/// stopped.
async fn cluster_rows(
    data_dir: &std::path::Path,
    principals_file: &std::path::Path,
    tokens: &Arc<HashMap<String, String>>,
    members: &Arc<Vec<Member>>,
    clients: &[usize],
    runs: usize,
    seconds: Duration,
) -> anyhow::Result<Vec<Row>> {
    let dir = data_dir.join("cluster");
    std::fs::create_dir_all(&dir)?;
    let mut cluster = crate::cluster_torture::Run::start_all(
        &dir,
        CLUSTER_REPLICAS,
        principals_file.to_path_buf(),
        tokens.as_ref().clone(),
        &[],
    )
    .await?;
    let agencies = Agencies { address: cluster.leader_api().await?, tokens: tokens.clone() };
    eprintln!("cluster of {CLUSTER_REPLICAS} replicas, leader on {}", agencies.address);
    let sample = Arc::new(members[..members.len().min(CLUSTER_WORKERS)].to_vec());
    let ids = Arc::new(population::enrol(&agencies, &sample).await?);
    let mut rows = Vec::new();
    let batched = appends(runs, seconds, 2, 1000, |index, batch, deadline| {
        let agencies = agencies.clone();
        let (members, ids) = (sample.clone(), ids.clone());
        async move { drive_ledger(&agencies, index, &members, &ids, batch, deadline).await }
    })
    .await?;
    rows.push(Row {
        measure: format!("durable appends, batches of 1000, 2 clients: {CLUSTER_REPLICAS} replicas"),
        unit: "events/s",
        ledger: batched,
        peer: None,
        target: None,
        ratio_target: None,
    });
    for clients in clients {
        let rate = appends(runs, seconds, *clients, 1, |index, batch, deadline| {
            let agencies = agencies.clone();
            let (members, ids) = (sample.clone(), ids.clone());
            async move { drive_ledger(&agencies, index, &members, &ids, batch, deadline).await }
        })
        .await?;
        rows.push(Row {
            measure: format!(
                "durable appends, 1 per request, {clients} clients: {CLUSTER_REPLICAS} replicas"
            ),
            unit: "events/s",
            ledger: rate,
            peer: None,
            target: None,
            ratio_target: None,
        });
    }
    cluster.stop_all().await?;
    Ok(rows)
}

/// Events per second over `runs` runs of `clients` clients sending requests of `batch`; the median.
async fn appends<F, Fut>(
    runs: usize,
    seconds: Duration,
    clients: usize,
    batch: usize,
    drive: F,
) -> anyhow::Result<f64>
where
    F: Fn(usize, usize, Instant) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u64>> + Send + 'static,
{
    let mut rates = Vec::with_capacity(runs);
    for run in 0..runs {
        let started = Instant::now();
        let deadline = started + seconds;
        let tasks: Vec<_> =
            (0..clients).map(|client| tokio::spawn(drive(run * 1024 + client, batch, deadline))).collect();
        let mut events = 0;
        for task in tasks {
            events += task.await??;
        }
        rates.push(events as f64 / started.elapsed().as_secs_f64());
    }
    Ok(median(rates))
}

/// Requests sent by the measurements, for distinct request ids across all of them.
static REQUESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One client of the ledger: requests of `batch` contributions by the Saudi agency for workers of
/// the population, until `deadline`. Returns the events appended.
async fn drive_ledger(
    agencies: &Agencies,
    client: usize,
    members: &[Member],
    ids: &[String],
    batch: usize,
    deadline: Instant,
) -> anyhow::Result<u64> {
    let mut agency = agencies.clients("agency-sa").await?.agency;
    // A seed no other measurement used: a repeated sequence would repeat contributions, which the
    // ledger refuses as duplicates.
    static SEEDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let seed = SEEDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut random = Random::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ client as u64);
    let mut events = 0;
    while Instant::now() < deadline {
        let contributions = population::saudi_batch(&mut random, members, ids, batch);
        let request_id = format!("bench-{}", REQUESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let receipts = agency
            .record_contributions(pb::RecordContributionsRequest {
                request_id,
                contributions,
                ..Default::default()
            })
            .await?
            .into_inner()
            .receipts;
        events += receipts.len() as u64;
    }
    Ok(events)
}

/// GetBalance latency (ms, p50 and p99; medians over runs) of random workers, read by the agency
/// of their destination while 16 clients append single contributions.
async fn balance_under_load(
    agencies: &Agencies,
    members: &Arc<Vec<Member>>,
    ids: &Arc<Vec<String>>,
    runs: usize,
    seconds: Duration,
) -> anyhow::Result<(f64, f64)> {
    const WRITERS: usize = 16;
    const READERS: usize = 4;
    let (mut p50s, mut p99s) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let deadline = Instant::now() + seconds;
        let writers: Vec<_> = (0..WRITERS)
            .map(|client| {
                let (agencies, members, ids) = (agencies.clone(), members.clone(), ids.clone());
                tokio::spawn(async move {
                    drive_ledger(&agencies, 100_000 + run * 1024 + client, &members, &ids, 1, deadline).await
                })
            })
            .collect();
        let readers: Vec<_> = (0..READERS)
            .map(|reader| {
                let (agencies, members, ids) = (agencies.clone(), members.clone(), ids.clone());
                tokio::spawn(async move {
                    let mut connections = agencies.connections();
                    let mut random = Random::new((run * READERS + reader) as u64 + 77);
                    let mut latencies = Vec::new();
                    while Instant::now() < deadline {
                        let index = random.below(members.len() as u64) as usize;
                        let destination = members[index].destination;
                        let reader = &mut connections.of(destination).await?.worker;
                        let asked = Instant::now();
                        let request = pb::GetBalanceRequest {
                            worker_id: ids[index].clone(),
                            as_of_seq: None,
                            ..Default::default()
                        };
                        let balance = reader.get_balance(request).await?.into_inner();
                        latencies.push(asked.elapsed().as_micros() as u64);
                        anyhow::ensure!(
                            balance.worker_id == ids[index],
                            "the balance is of the worker asked"
                        );
                    }
                    anyhow::Ok(latencies)
                })
            })
            .collect();
        for writer in writers {
            writer.await??;
        }
        let mut latencies = Vec::new();
        for reader in readers {
            latencies.extend(reader.await??);
        }
        latencies.sort_unstable();
        p50s.push(percentile_ms(&latencies, 50));
        p99s.push(percentile_ms(&latencies, 99));
    }
    Ok((median(p50s), median(p99s)))
}

/// The append workload against PostgreSQL: batched, then single contributions at each client
/// count. Returns (batched events/s, single events/s per client count).
async fn postgres_appends(
    members: &Arc<Vec<Member>>,
    ids: &Arc<Vec<String>>,
    args: &BenchArgs,
    runs: usize,
    seconds: Duration,
) -> anyhow::Result<PeerRates> {
    let cluster = Arc::new(postgres::Cluster::start()?);
    postgres::ready(&cluster).await?;
    cluster.create_schema().await?;
    eprintln!("PostgreSQL cluster on 127.0.0.1:{} in {}", cluster.port, cluster.path().display());
    let drive = |projections: bool| {
        let (cluster, members, ids) = (cluster.clone(), members.clone(), ids.clone());
        move |index: usize, batch: usize, deadline: Instant| {
            let (cluster, members, ids) = (cluster.clone(), members.clone(), ids.clone());
            async move {
                Ok(postgres::drive(&cluster, index, &members, &ids, batch, deadline, projections).await?.0)
            }
        }
    };
    let batched = appends(runs, seconds, 2, 1000, drive(false)).await?;
    let batched_with_projections = appends(runs, seconds, 2, 1000, drive(true)).await?;
    let mut singles = Vec::new();
    for clients in &args.clients {
        singles.push(appends(runs, seconds, *clients, 1, drive(false)).await?);
    }
    match Arc::try_unwrap(cluster) {
        Ok(cluster) => cluster.stop()?,
        Err(_) => bail!("the PostgreSQL cluster is still in use"),
    }
    Ok(PeerRates { batched, batched_with_projections, singles })
}

/// The PostgreSQL peers' append rates: plain, and keeping per-worker projections in the same
/// transaction (batched only), and of single requests per number of clients.
struct PeerRates {
    batched: f64,
    batched_with_projections: f64,
    singles: Vec<f64>,
}

/// Offline verification of the export, `runs` times, raw SHA-256 of its bytes and the hash floor
/// (`ledger_verify::export::hash_floor`: exactly the hashing verification must do) as many times: (verification
/// MB/s, raw MB/s, floor MB/s, record bytes, events), medians, all over the file's bytes.
fn verification(path: &std::path::Path, key: &str, runs: usize) -> anyhow::Result<(f64, f64, f64, u64, u64)> {
    let bytes = std::fs::read(path)?;
    let megabytes = bytes.len() as f64 / 1e6;
    let records = ledger_verify::export::record_slices(&bytes);
    let (mut verify_rates, mut raw_rates, mut floor_rates) = (Vec::new(), Vec::new(), Vec::new());
    let mut verified = None;
    for _ in 0..runs {
        let started = Instant::now();
        verified = Some(ledger_verify::export::verify_bytes(&bytes, key)?);
        verify_rates.push(megabytes / started.elapsed().as_secs_f64());
        let started = Instant::now();
        std::hint::black_box(ledger_core::sha256(std::hint::black_box(&bytes)));
        raw_rates.push(megabytes / started.elapsed().as_secs_f64());
        let started = Instant::now();
        std::hint::black_box(ledger_verify::export::hash_floor(std::hint::black_box(&records)));
        floor_rates.push(megabytes / started.elapsed().as_secs_f64());
    }
    let verified = verified.context("at least one run")?;
    Ok((median(verify_rates), median(raw_rates), median(floor_rates), verified.record_bytes, verified.events))
}

fn print_table(rows: &[Row], peer: Option<Peer>) {
    let peer_name = match peer {
        Some(Peer::Postgres) => "postgres",
        None => "",
    };
    println!(
        "{:<62} {:>9} {:>12} {:>12} {:>7} {:>12} {:>4}",
        "measure", "unit", "ledger", peer_name, "ratio", "target", "met"
    );
    for row in rows {
        let peer = row.peer.map_or_else(String::new, |value| format!("{value:.0}"));
        let ratio = row.peer.map_or_else(String::new, |value| format!("{:.2}", row.ledger / value.max(1e-9)));
        let mut targets = Vec::new();
        let mut met = true;
        if let Some(target) = row.target {
            targets.push(target.describe());
            met &= target.met(row.ledger);
        }
        if let (Some(ratio_target), Some(peer)) = (row.ratio_target, row.peer) {
            targets.push(format!("{ratio_target:.0}x peer"));
            met &= row.ledger / peer.max(1e-9) >= ratio_target;
        }
        let value =
            if row.ledger >= 100.0 { format!("{:.0}", row.ledger) } else { format!("{:.2}", row.ledger) };
        println!(
            "{:<62} {:>9} {:>12} {:>12} {:>7} {:>12} {:>4}",
            row.measure,
            row.unit,
            value,
            peer,
            ratio,
            targets.join(", "),
            if targets.is_empty() {
                ""
            } else if met {
                "yes"
            } else {
                "no"
            }
        );
    }
}

fn write_json(args: &BenchArgs, rows: &[Row], size: u64, workers: usize) -> anyhow::Result<()> {
    let rows: Vec<_> = rows
        .iter()
        .map(|row| {
            json!({
                "measure": row.measure, "unit": row.unit, "ledger": row.ledger, "peer": row.peer,
                "target": row.target.map(|target| target.describe()),
                "met": row.target.map(|target| target.met(row.ledger)),
                "ratio_target": row.ratio_target,
            })
        })
        .collect();
    let document = json!({
        "command": std::env::args().collect::<Vec<_>>().join(" "),
        "runs": args.runs, "seconds_per_run": args.seconds, "workers": workers, "events_before_measuring": size,
        "peer": args.peer.map(|_| "postgres"), "rows": rows,
    });
    std::fs::write(&args.json_out, serde_json::to_vec_pretty(&document)?)?;
    Ok(())
}

/// The line `ledger rebuild` prints for a rebuild.
pub fn rebuild_line(report: &ledger_store::RebuildReport) -> String {
    let seconds = report.elapsed.as_secs_f64();
    format!(
        "rebuilt the projections of {} workers from {} events in {:.3} s: {:.0} events/s",
        report.workers,
        report.events,
        seconds,
        report.events as f64 / seconds.max(1e-9)
    )
}
