//! `ledger bench`: durable appends per second through `RecordContributions`, over real gRPC
//! connections to a real server on loopback, on a fresh data directory.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use ledger_core::{Jurisdiction, PrincipalId};
use ledger_proto::v1 as pb;
use ledger_server::client::{self, AgencyClient as Agency};
use ledger_server::principals::{self, Principal, Role};
use ledger_server::{RulesSource, ServeConfig};

/// Workers enrolled before measuring; contributions are spread over them.
const BENCH_WORKERS: usize = 200;

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Scenarios as CLIENTSxBATCH: concurrent clients, each sending requests of BATCH contributions.
    #[arg(long, value_delimiter = ',', default_value = "1x1,16x1,64x1,2x1000")]
    scenarios: Vec<String>,
    /// Seconds each scenario runs.
    #[arg(long, default_value_t = 5)]
    seconds: u64,
    /// Contributions recorded for the one worker whose balance is timed (0 skips it).
    #[arg(long, default_value_t = 499)]
    balance_events: usize,
    /// Grow the log to at least this many events, then time inclusion and consistency proofs and
    /// the offline verification of an export (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    proof_events: u64,
    /// Data directory to use instead of a fresh temporary one.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Debug, Default)]
struct ClientResult {
    events: u64,
    latencies_us: Vec<u64>,
}

fn parse_scenario(text: &str) -> anyhow::Result<(usize, usize)> {
    let (clients, batch) = text.split_once('x').context("a scenario is CLIENTSxBATCH, such as 64x1")?;
    let (clients, batch): (usize, usize) = (clients.parse()?, batch.parse()?);
    if clients == 0 || clients > 1024 || batch == 0 || batch > ledger_store::EVENTS_PER_REQUEST_MAX {
        bail!("{text}: clients must be 1 to 1024 and batch 1 to {}", ledger_store::EVENTS_PER_REQUEST_MAX);
    }
    Ok((clients, batch))
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let scenarios: Vec<(usize, usize)> =
        args.scenarios.iter().map(|s| parse_scenario(s)).collect::<Result<_, _>>()?;
    let temporary = tempfile::tempdir()?;
    let data_dir = args.data_dir.clone().unwrap_or_else(|| temporary.path().join("data"));
    std::fs::create_dir_all(&data_dir)?;
    let principals_file = data_dir.join("bench-principals.toml");
    let agency = Principal {
        id: PrincipalId::parse("agency-sa")?,
        role: Role::Agency,
        jurisdiction: Some(Jurisdiction::parse("SA")?),
        worker: None,
    };
    let token = principals::add(&principals_file, &agency)?;
    let auditor = Principal {
        id: PrincipalId::parse("auditor")?,
        role: Role::Auditor,
        jurisdiction: None,
        worker: None,
    };
    let auditor_token = principals::add(&principals_file, &auditor)?;
    let server = ledger_server::start(ServeConfig {
        data_dir: data_dir.clone(),
        listen: "127.0.0.1:0".parse()?,
        rules: RulesSource::Sample,
        principals: Some(principals_file),
        limits: ledger_server::Limits {
            requests_per_second: 1e9,
            burst: 1e9,
            concurrent_requests_max: 4096,
            ..ledger_server::Limits::default()
        },
        metrics_listen: None,
        tls: None,
        clock: ledger_store::Clock::system(),
    })
    .await?;
    let address = server.address.to_string();
    let workers = enroll_workers(&connect(&address, &token).await?).await?;
    println!("durable appends through RecordContributions over gRPC, fsync before every acknowledgement");
    println!(
        "server on {} with data in {}; {} s per scenario",
        server.address,
        data_dir.display(),
        args.seconds
    );
    println!(
        "{:>8} {:>6} {:>10} {:>10} {:>12} {:>9} {:>9}",
        "clients", "batch", "requests", "events", "events/s", "p50 ms", "p99 ms"
    );
    for (index, (clients, batch)) in scenarios.into_iter().enumerate() {
        let mut tasks = Vec::with_capacity(clients);
        let deadline = Instant::now() + Duration::from_secs(args.seconds);
        let started = Instant::now();
        for client in 0..clients {
            let agency = connect(&address, &token).await?;
            let workers = workers.clone();
            let prefix = format!("bench-{index}-{client}");
            tasks.push(tokio::spawn(drive(agency, workers, prefix, batch, deadline)));
        }
        let mut total = ClientResult::default();
        for task in tasks {
            let result = task.await??;
            total.events += result.events;
            total.latencies_us.extend(result.latencies_us);
        }
        let elapsed = started.elapsed().as_secs_f64();
        total.latencies_us.sort_unstable();
        println!(
            "{clients:>8} {batch:>6} {:>10} {:>10} {:>12.0} {:>9.2} {:>9.2}",
            total.latencies_us.len(),
            total.events,
            total.events as f64 / elapsed,
            percentile_ms(&total.latencies_us, 50),
            percentile_ms(&total.latencies_us, 99),
        );
    }
    if args.proof_events > 0 {
        measure_proofs(&address, &token, &auditor_token, &data_dir, args.proof_events, &workers).await?;
    }
    let size = server.ledger.head().size;
    if args.balance_events > 0 {
        measure_balance(
            &connect_worker(&address, &token).await?,
            &connect(&address, &token).await?,
            args.balance_events,
        )
        .await?;
    }
    server.stop().await?;
    println!("log size after the run: {size} events");
    let report = tokio::task::spawn_blocking(move || ledger_store::rebuild(&data_dir)).await??;
    println!("{}", rebuild_line(&report));
    Ok(())
}

/// Grows the log to `target` events, then times proofs over gRPC and an offline verification.
async fn measure_proofs(
    address: &str,
    token: &str,
    auditor_token: &str,
    data_dir: &std::path::Path,
    target: u64,
    workers: &[String],
) -> anyhow::Result<()> {
    let mut agency = connect(address, token).await?;
    let mut auditor =
        client::connect(address, auditor_token).await.map_err(|error| anyhow::anyhow!("{error}"))?;
    let mut size = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner().size;
    let mut request = 0usize;
    while size < target {
        let contributions = (0..1000)
            .map(|item| contribution(&workers[(request * 1000 + item) % workers.len()], item))
            .collect();
        let batch =
            pb::RecordContributionsRequest { request_id: format!("bench-fill-{request}"), contributions };
        size = agency
            .record_contributions(batch)
            .await?
            .into_inner()
            .receipts
            .last()
            .map_or(size, |receipt| receipt.seq + 1);
        request += 1;
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut random = move |bound: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % bound
    };
    let mut inclusion_us = Vec::new();
    for _ in 0..400 {
        let started = Instant::now();
        let proof = auditor
            .audit
            .get_inclusion_proof(pb::GetInclusionProofRequest { seq: random(size), tree_size: size })
            .await?
            .into_inner();
        inclusion_us.push(started.elapsed().as_micros() as u64);
        anyhow::ensure!(!proof.proof.is_empty(), "a proof in a large tree has hashes");
    }
    let mut consistency_us = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let old_size = 1 + random(size - 1);
        auditor
            .audit
            .get_consistency_proof(pb::GetConsistencyProofRequest { old_size, new_size: size })
            .await?;
        consistency_us.push(started.elapsed().as_micros() as u64);
    }
    inclusion_us.sort_unstable();
    consistency_us.sort_unstable();
    println!(
        "inclusion proof at {size} events: p50 {:.2} ms, p99 {:.2} ms; consistency proof: p50 {:.2} ms, p99 {:.2} ms (over gRPC)",
        percentile_ms(&inclusion_us, 50),
        percentile_ms(&inclusion_us, 99),
        percentile_ms(&consistency_us, 50),
        percentile_ms(&consistency_us, 99)
    );
    let export_path = data_dir.join("bench.export");
    let connection = crate::cli::Connection {
        server: address.to_owned(),
        token: Some(auditor_token.to_owned()),
        tls_ca: None,
        tls_domain: "localhost".into(),
        tls_cert: None,
        tls_key: None,
        json: false,
    };
    crate::export::export(&connection, &export_path).await?;
    let key = ledger_server::load_or_create_log_key(data_dir)?.verifier_key();
    crate::export::verify_file(&export_path, &key)?;
    std::fs::remove_file(&export_path)?;
    Ok(())
}

/// The line `ledger rebuild` and the benchmark print for a rebuild.
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

async fn connect_worker(address: &str, token: &str) -> anyhow::Result<client::WorkerClient> {
    let clients = client::connect(address, token).await.map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(clients.worker)
}

/// Enrols a worker, records `events` contributions for them over four branches, then times
/// GetBalance, current and as of a point of the log.
async fn measure_balance(
    reader: &client::WorkerClient,
    agency: &Agency,
    events: usize,
) -> anyhow::Result<()> {
    let mut agency = agency.clone();
    let worker = agency
        .enroll_worker(pb::EnrollWorkerRequest {
            request_id: "bench-balance-worker".into(),
            origin_jurisdiction: "NP".into(),
            sex: 2,
            birth_month: "1990-03".into(),
        })
        .await?
        .into_inner()
        .worker_id;
    let branches =
        [pb::Branch::OldAge, pb::Branch::Invalidity, pb::Branch::EmploymentInjury, pb::Branch::Sickness];
    let contributions: Vec<pb::Contribution> = (0..events)
        .map(|index| {
            let mut item = contribution(&worker, index / branches.len());
            item.branch = branches[index % branches.len()] as i32;
            let month = index / branches.len();
            item.month = format!("{}-{:02}", 2000 + month / 12, 1 + month % 12);
            item
        })
        .collect();
    let mut last_seq = 0;
    for (index, chunk) in contributions.chunks(ledger_store::EVENTS_PER_REQUEST_MAX).enumerate() {
        let request = pb::RecordContributionsRequest {
            request_id: format!("bench-balance-{index}"),
            contributions: chunk.to_vec(),
        };
        let receipts = agency.record_contributions(request).await?.into_inner().receipts;
        last_seq = receipts.last().map_or(last_seq, |receipt| receipt.seq);
    }
    for (label, as_of_seq, rounds) in [("current", None, 400), ("as_of_seq", Some(last_seq), 100)] {
        let mut latencies_us = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let started = Instant::now();
            let balance = reader
                .clone()
                .get_balance(pb::GetBalanceRequest { worker_id: worker.clone(), as_of_seq })
                .await?
                .into_inner();
            latencies_us.push(started.elapsed().as_micros() as u64);
            anyhow::ensure!(balance.lines.len() == branches.len(), "the balance shows every branch");
        }
        latencies_us.sort_unstable();
        println!(
            "GetBalance ({label}) of a worker with {} events: p50 {:.2} ms, p99 {:.2} ms over {rounds} calls",
            events + 1,
            percentile_ms(&latencies_us, 50),
            percentile_ms(&latencies_us, 99)
        );
    }
    Ok(())
}

fn percentile_ms(sorted_us: &[u64], percent: usize) -> f64 {
    if sorted_us.is_empty() {
        return 0.0;
    }
    let index = (sorted_us.len() * percent / 100).min(sorted_us.len() - 1);
    sorted_us[index] as f64 / 1000.0
}

async fn connect(address: &str, token: &str) -> anyhow::Result<Agency> {
    let clients = client::connect(address, token).await.map_err(|error| anyhow::anyhow!("{error}"))?;
    Ok(clients.agency)
}

async fn enroll_workers(agency: &Agency) -> anyhow::Result<Vec<String>> {
    let mut workers = Vec::with_capacity(BENCH_WORKERS);
    for index in 0..BENCH_WORKERS {
        let response = agency
            .clone()
            .enroll_worker(pb::EnrollWorkerRequest {
                request_id: format!("bench-enrol-{index}"),
                origin_jurisdiction: ["PH", "ID", "NP"][index % 3].to_owned(),
                sex: [1, 2][index % 2],
                birth_month: String::new(),
            })
            .await?;
        workers.push(response.into_inner().worker_id);
    }
    Ok(workers)
}

async fn drive(
    mut agency: Agency,
    workers: Vec<String>,
    prefix: String,
    batch: usize,
    deadline: Instant,
) -> anyhow::Result<ClientResult> {
    let mut result = ClientResult::default();
    let mut request = 0usize;
    while Instant::now() < deadline {
        let contributions = (0..batch)
            .map(|item| {
                let worker = &workers[(request * batch + item) % workers.len()];
                contribution(worker, request * batch + item)
            })
            .collect();
        let sent = Instant::now();
        let response = agency
            .record_contributions(pb::RecordContributionsRequest {
                request_id: format!("{prefix}-{request}"),
                contributions,
            })
            .await?;
        result.latencies_us.push(sent.elapsed().as_micros() as u64);
        result.events += response.into_inner().receipts.len() as u64;
        request += 1;
    }
    Ok(result)
}

/// A plausible monthly contribution in Saudi Arabia (illustrative amounts, in halalas).
fn contribution(worker: &str, index: usize) -> pb::Contribution {
    let wage = 150_000 + (index % 50) as i64 * 1_000;
    pb::Contribution {
        worker_id: worker.to_owned(),
        jurisdiction: "SA".into(),
        branch: pb::Branch::EmploymentInjury as i32,
        month: format!("20{:02}-{:02}", 15 + index % 10, 1 + index % 12),
        insured_wage_minor: wage,
        employer_share_minor: wage * 2 / 100,
        worker_share_minor: 0,
        currency: "SAR".into(),
        employer_ref: format!("SA-EMP-{:05}", index % 997),
        sector: pb::Sector::Construction as i32,
    }
}
