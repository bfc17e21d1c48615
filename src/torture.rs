//! `ledger torture`: the real server under concurrent writes, killed with SIGKILL at random
//! moments, cycle after cycle, on one data directory.
//!
//! After every kill, with the server down, the store is opened and checked offline (the chain
//! record by record, the Merkle nodes and root, every index, and projections against a rebuild
//! from the log); then the server is started again and asked, over gRPC, for every receipt it
//! acknowledged before: each must be there with the same event and chain hashes. Requests cut off
//! by the kill are either wholly in the log or wholly absent, and once retried with the same
//! request id they are there exactly once. A failure names the seed that replays the run.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use ledger_client::grpc::{self as client, Clients};
use ledger_core::Record;
use ledger_proto::v1 as pb;

use crate::bench::population::Random;
use crate::bench::server::ServerProcess;

/// Kills when no number is given.
const CYCLES_DEFAULT: usize = 200;
/// Contributions per request at most.
const BATCH_MAX: u64 = 12;
/// A reversal every this many requests, of a contribution acknowledged earlier.
const REVERSAL_EVERY: u64 = 7;

#[derive(Debug, clap::Args)]
pub struct TortureArgs {
    /// How many times the server is killed.
    #[arg(long, default_value_t = CYCLES_DEFAULT)]
    cycles: usize,
    /// Replays a run: the same workers, requests and kill moments (up to scheduling).
    #[arg(long)]
    seed: Option<u64>,
    /// Concurrent clients appending while the server runs.
    #[arg(long, default_value_t = 6)]
    writers: usize,
    /// Enrolled workers the contributions are spread over.
    #[arg(long, default_value_t = 24)]
    workers: usize,
    /// Longest a cycle lets the writers run before the kill, in milliseconds.
    #[arg(long, default_value_t = 500)]
    kill_after_ms_max: u64,
    /// Data directory to torture (kept afterwards); a temporary one when absent.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// An acknowledged event as its receipt named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Acked {
    pub seq: u64,
    pub event_hash: Vec<u8>,
    pub chain_hash: Vec<u8>,
}

impl From<pb::Receipt> for Acked {
    fn from(receipt: pb::Receipt) -> Acked {
        Acked { seq: receipt.seq, event_hash: receipt.event_hash, chain_hash: receipt.chain_hash }
    }
}

/// What the clients were told, and what they were not.
#[derive(Default)]
struct Book {
    acked: Vec<Acked>,
    /// Acknowledged requests by request id, with the number of events each appended.
    requests: HashMap<String, usize>,
    /// Seqs of acknowledged contributions, for reversals.
    contributions: Vec<u64>,
    /// Requests sent and not answered when the server died.
    in_flight: Vec<Pending>,
    /// Requests refused with a typed error (a reversal of a contribution already reversed).
    refused: u64,
}

#[derive(Clone)]
enum Pending {
    Contributions(pb::RecordContributionsRequest),
    Reversal(pb::ReverseContributionRequest),
}

impl Pending {
    fn request_id(&self) -> &str {
        match self {
            Pending::Contributions(request) => &request.request_id,
            Pending::Reversal(request) => &request.request_id,
        }
    }

    fn size(&self) -> usize {
        match self {
            Pending::Contributions(request) => request.contributions.len(),
            Pending::Reversal(_) => 1,
        }
    }

    /// Sends the request; the receipts when it was acknowledged.
    async fn send(&self, clients: &mut Clients) -> Result<Vec<pb::Receipt>, tonic::Status> {
        match self {
            Pending::Contributions(request) => {
                Ok(clients.agency.record_contributions(request.clone()).await?.into_inner().receipts)
            }
            Pending::Reversal(request) => Ok(clients
                .agency
                .reverse_contribution(request.clone())
                .await?
                .into_inner()
                .receipt
                .into_iter()
                .collect()),
        }
    }
}

impl Book {
    fn remember(&mut self, pending: &Pending, receipts: Vec<pb::Receipt>) {
        self.requests.insert(pending.request_id().to_owned(), pending.size());
        if let Pending::Contributions(_) = pending {
            self.contributions.extend(receipts.iter().map(|receipt| receipt.seq));
        }
        self.acked.extend(receipts.into_iter().map(Acked::from));
    }
}

/// What went wrong, counted; the run fails unless all are zero.
#[derive(Default)]
struct Findings {
    lost: u64,
    failed_restarts: u64,
    problems: Vec<String>,
    /// Kills that left the applier behind the log, and the events applied again at open.
    kills_behind: u64,
    applied_again: u64,
}

pub async fn run(args: TortureArgs) -> anyhow::Result<()> {
    if args.writers == 0 || args.workers == 0 {
        bail!("--writers and --workers must be at least 1");
    }
    crate::bench::server::with_data_dir(args.data_dir.as_deref(), |data_dir| torture(&args, data_dir)).await
}

async fn torture(args: &TortureArgs, data_dir: PathBuf) -> anyhow::Result<()> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    let principals_file = data_dir.join("torture-principals.toml");
    let tokens = crate::bench::make_principals(&principals_file)?;
    println!("torture: {} cycles on {}, seed {seed}", args.cycles, data_dir.display());
    let started = Instant::now();
    let mut rng = Random::new(seed);
    let book = Arc::new(Mutex::new(Book::default()));
    let mut findings = Findings::default();
    let mut workers: Vec<String> = Vec::new();
    let mut cycles_run = 0;
    for cycle in 0..=args.cycles {
        let server = match ServerProcess::start(&data_dir, &principals_file).await {
            Ok(server) => server,
            Err(error) => {
                findings.failed_restarts += 1;
                findings.problems.push(format!("cycle {cycle}: the server did not start again: {error:#}"));
                break;
            }
        };
        let mut auditor = client::connect(&server.address, &tokens["auditor"])
            .await
            .map_err(|error| anyhow::anyhow!("cannot connect: {error}"))?;
        findings.lost += check_online(&mut auditor, &book, cycle, &mut findings.problems).await?;
        let mut saudi = client::connect(&server.address, &tokens["agency-sa"])
            .await
            .map_err(|error| anyhow::anyhow!("cannot connect: {error}"))?;
        retry_in_flight(&mut saudi, &book).await?;
        if workers.is_empty() {
            workers = enrol(&server.address, &tokens["agency-ph"], args.workers, "torture").await?;
        }
        if cycle == args.cycles {
            findings.lost += check_online(&mut auditor, &book, cycle, &mut findings.problems).await?;
            server.stop().await?;
            break;
        }
        let shared_workers = Arc::new(workers.clone());
        let writers: Vec<_> = (0..args.writers)
            .map(|writer| {
                let prefix = format!("c{cycle}-w{writer}");
                let task = write_until_killed(
                    saudi.clone(),
                    shared_workers.clone(),
                    book.clone(),
                    prefix,
                    Random::new(rng.next() | 1),
                );
                tokio::spawn(task)
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(20 + rng.below(args.kill_after_ms_max.max(1)))).await;
        server.kill().await?;
        for writer in writers {
            writer.await?;
        }
        cycles_run += 1;
        // With the server down: the store as the kill left it, opened and checked offline.
        let dir = data_dir.clone();
        match tokio::task::spawn_blocking(move || ledger_store::check(&dir)).await? {
            Ok(report) if report.holds() => {
                findings.kills_behind += u64::from(report.applied_at_open > 0);
                findings.applied_again += report.applied_at_open;
            }
            Ok(report) => findings
                .problems
                .extend(report.problems.iter().map(|problem| format!("cycle {cycle}: {problem}"))),
            Err(error) => {
                findings.failed_restarts += 1;
                findings
                    .problems
                    .push(format!("cycle {cycle}: the store did not open after the kill: {error}"));
                break;
            }
        }
        if cycle % 10 == 9 {
            let acked = book.lock().map(|book| book.acked.len()).unwrap_or_default();
            eprintln!("torture: {} cycles, {acked} events acknowledged", cycle + 1);
        }
    }
    let book = book.lock().map_err(|_| anyhow::anyhow!("a writer panicked"))?;
    println!(
        "torture: cycles run {cycles_run}, events acknowledged {}, events lost {}, restarts failed {}, \
         requests refused with a typed error {}, {:.0} s, seed {seed}",
        book.acked.len(),
        findings.lost,
        findings.failed_restarts,
        book.refused,
        started.elapsed().as_secs_f64()
    );
    println!(
        "torture: kills with the applier behind {}, events applied again at open {} (each store then equal \
         to a rebuild from its log)",
        findings.kills_behind, findings.applied_again
    );
    for problem in &findings.problems {
        println!("  {problem}");
    }
    if cycles_run >= 10 && findings.kills_behind == 0 {
        findings.problems.push(
            "no kill landed while the applier was behind the log: the catch-up at open went untested".into(),
        );
    }
    if findings.lost > 0 || findings.failed_restarts > 0 || !findings.problems.is_empty() {
        bail!("the ledger did not survive the kills; replay with --seed {seed}");
    }
    if book.acked.len() <= cycles_run {
        bail!("too few events were acknowledged to test anything; give the writers more time");
    }
    Ok(())
}

/// Enrols `workers` workers with the Philippine agency, request ids `PREFIX-enrol-N`.
pub(crate) async fn enrol(
    address: &str,
    token: &str,
    workers: usize,
    prefix: &str,
) -> anyhow::Result<Vec<String>> {
    let mut philippines =
        client::connect(address, token).await.map_err(|error| anyhow::anyhow!("cannot connect: {error}"))?;
    let mut ids = Vec::with_capacity(workers);
    for index in 0..workers {
        let response = philippines
            .agency
            .enroll_worker(pb::EnrollWorkerRequest {
                request_id: format!("{prefix}-enrol-{index}"),
                origin_jurisdiction: "PH".into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        ids.push(response.worker_id);
    }
    Ok(ids)
}

/// Every acknowledged receipt is in the log with its hashes, the chain verifies, the Merkle root
/// the server reports is the root of the records, and each acknowledged request is in the log
/// exactly once, whole. Returns the number of acknowledged events missing or changed.
async fn check_online(
    auditor: &mut Clients,
    book: &Mutex<Book>,
    cycle: usize,
    problems: &mut Vec<String>,
) -> anyhow::Result<u64> {
    let events = read_all(auditor).await?;
    let verified =
        auditor.audit.verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None }).await?.into_inner();
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner();
    let book = book.lock().map_err(|_| anyhow::anyhow!("a writer panicked"))?;
    let mut lost = 0;
    for acked in &book.acked {
        let stored = events.get(acked.seq as usize);
        if stored.is_none_or(|stored| {
            (&stored.event_hash, &stored.chain_hash) != (&acked.event_hash, &acked.chain_hash)
        }) {
            lost += 1;
            problems.push(format!("cycle {cycle}: acknowledged seq {} is missing or changed", acked.seq));
        }
    }
    if !verified.ok || verified.verified != events.len() as u64 {
        problems.push(format!("cycle {cycle}: the chain does not verify: {}", verified.reason));
    }
    let leaves: Vec<[u8; 32]> =
        events.iter().map(|event| *ledger_core::event_hash(&event.record).as_bytes()).collect();
    if head.tree_root != ledger_core::merkle::root_of(&leaves).to_vec() {
        problems.push(format!("cycle {cycle}: the Merkle root is not the root of the records"));
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for event in &events {
        let record = Record::decode(&event.record).context("a stored record does not decode")?;
        *counts.entry(record.request_id.as_str().to_owned()).or_default() += 1;
    }
    for (request_id, size) in &book.requests {
        if counts.get(request_id) != Some(size) {
            problems.push(format!("cycle {cycle}: request {request_id} is not in the log exactly once"));
        }
    }
    // A request cut off by the kill is wholly in the log or wholly absent.
    for pending in &book.in_flight {
        let count = counts.get(pending.request_id()).copied().unwrap_or_default();
        if count != 0 && count != pending.size() {
            problems.push(format!(
                "cycle {cycle}: request {} is half-written: {count} of {} events",
                pending.request_id(),
                pending.size()
            ));
        }
    }
    Ok(lost)
}

/// Requests cut off by the last kill, sent again with the same request id.
async fn retry_in_flight(clients: &mut Clients, book: &Mutex<Book>) -> anyhow::Result<()> {
    let pending = std::mem::take(&mut book.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.in_flight);
    for request in pending {
        match request.send(clients).await {
            Ok(receipts) => {
                book.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.remember(&request, receipts)
            }
            Err(status) if is_refusal(&status) => {
                book.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.refused += 1
            }
            Err(status) => bail!("a retry after the restart failed: {status}"),
        }
    }
    Ok(())
}

/// A typed refusal of the request itself, as opposed to the server going away.
fn is_refusal(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        tonic::Code::FailedPrecondition | tonic::Code::NotFound | tonic::Code::InvalidArgument
    )
}

async fn write_until_killed(
    mut clients: Clients,
    workers: Arc<Vec<String>>,
    book: Arc<Mutex<Book>>,
    prefix: String,
    mut rng: Random,
) {
    for index in 0.. {
        let request_id = format!("{prefix}-{index}");
        let reversible = book.lock().ok().and_then(|book| {
            (!book.contributions.is_empty())
                .then(|| book.contributions[rng.below(book.contributions.len() as u64) as usize])
        });
        let pending = match reversible {
            Some(seq) if rng.below(REVERSAL_EVERY) == 0 => {
                Pending::Reversal(pb::ReverseContributionRequest {
                    request_id,
                    seq,
                    reason: "employer corrected the insured wage".into(),
                })
            }
            _ => {
                let size = 1 + rng.below(BATCH_MAX);
                let contributions = (0..size).map(|_| contribution(&mut rng, &workers)).collect();
                Pending::Contributions(pb::RecordContributionsRequest {
                    request_id,
                    contributions,
                    ..Default::default()
                })
            }
        };
        let outcome = pending.send(&mut clients).await;
        let Ok(mut book) = book.lock() else { return };
        match outcome {
            Ok(receipts) => book.remember(&pending, receipts),
            Err(status) if is_refusal(&status) => book.refused += 1,
            Err(_) => {
                book.in_flight.push(pending);
                return;
            }
        }
    }
}

/// A Saudi agency's contribution for one of `workers`, in a random month of 2015 to 2024, from a
/// random household employer: never a second contribution of the same employer for a worker and
/// month, which the ledger would refuse as a duplicate.
pub(crate) fn contribution(rng: &mut Random, workers: &[String]) -> pb::Contribution {
    let worker = &workers[rng.below(workers.len() as u64) as usize];
    let month = format!("{}-{:02}", 2015 + rng.below(10), 1 + rng.below(12));
    let wage = 150_000 + rng.below(350_000) as i64;
    pb::Contribution {
        worker_id: worker.clone(),
        jurisdiction: "SA".into(),
        branch: pb::Branch::OldAge as i32,
        month,
        insured_wage_minor: wage,
        employer_share_minor: wage * 9 / 100,
        worker_share_minor: wage * 9 / 100,
        currency: "SAR".into(),
        employer_ref: format!("SA-HH-{:016x}", rng.next()),
        sector: pb::Sector::DomesticWork as i32,
        voluntary: false,
    }
}

/// The whole log, page by page.
async fn read_all(clients: &mut Clients) -> anyhow::Result<Vec<pb::StoredEvent>> {
    read_from(clients, 0).await
}

/// The log from `from` to the head, page by page.
pub(crate) async fn read_from(clients: &mut Clients, from: u64) -> anyhow::Result<Vec<pb::StoredEvent>> {
    let mut events = Vec::new();
    loop {
        let request = pb::ReadEventsRequest { from_seq: from + events.len() as u64, limit: 0 };
        let mut stream = clients.audit.read_events(request).await?.into_inner();
        let before = events.len();
        while let Some(event) = stream.message().await? {
            events.push(event);
        }
        if events.len() == before {
            return Ok(events);
        }
    }
}
