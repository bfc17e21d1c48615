//! `ledger cluster-torture`: a cluster of real `ledger serve` processes on loopback under
//! concurrent writers, with the leader (and sometimes a follower) killed with SIGKILL at random
//! moments, and the leader cut off from the others by the TCP proxies this command puts between
//! the replicas.
//!
//! Each replica listens on its own loopback address (127.0.0.N) and connects to the others from
//! it, so that the proxy in front of each replica service knows which replica a connection comes
//! from and can sever both directions of a partition. Clients talk to the replicas' gRPC services
//! directly, follow the leader a follower names, and retry a request whose answer they did not get
//! with the same request id until it is answered.
//!
//! After each cycle (the fault healed, the writers stopped, every replica caught up): every
//! acknowledged receipt is in every replica's log with the same event and chain hashes, every
//! acknowledged request exactly once; every replica's chain verifies and its Merkle root is the
//! root of its records; the replicas' logs are identical; and no term ever had two leaders. The
//! failover time of a leader fault is from the fault to the first write another replica
//! acknowledged.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use ledger_client::grpc::{self as client, Clients};
use ledger_cluster::network::{Admin, ClusterSecret};
use ledger_core::Record;
use ledger_proto::v1 as pb;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::bench::population::Random;
use crate::bench::server::ServerProcess;
use crate::torture::Acked;

/// Cycles when no number is given.
const CYCLES_DEFAULT: usize = 100;
/// Contributions per request at most.
const BATCH_MAX: u64 = 8;
/// Longest a client waits for one answer before it tries another replica: longer than a
/// proposal's own bound (`PROPOSAL_WAIT_MAX`), so that a leader cut off from the others answers
/// first.
const CALL_WAIT_MAX: Duration = Duration::from_secs(5);
/// Pause before a client tries again after no answer: long enough not to spin while a leader is
/// being elected.
const RETRY_PAUSE: Duration = Duration::from_millis(100);
/// Longest the cluster may take to elect a leader, or every replica to catch up, after a fault
/// heals.
const SETTLE_WAIT_MAX: Duration = Duration::from_secs(60);
/// How often the term monitor asks every replica who leads.
const MONITOR_INTERVAL: Duration = Duration::from_millis(100);
/// The bound leader failover's p99 must stay under, with the cluster's default timers (heartbeats
/// every 50 ms, election timeouts of 250 to 500 ms, a leader's lease of 500 ms). A follower stands
/// once the lease and its own timeout have passed: 1 s at most. When the first to stand has the
/// shorter log it is refused, and the replica with the longer log finds its vote in that term
/// taken and stands again after its timeout: 0.5 s more a round (`ELECTION_TIMEOUT_MIN_MS` in
/// ledger-cluster says why openraft does this), and runs measured on this 2-core machine took up
/// to three such rounds. The new leader's first commit and its clients finding it (they pause
/// 0.1 s between tries) take under 0.5 s. A leader cut off from the others answers its clients once
/// it has heard from no majority for its lease, by when the others are electing. 1 + 3 x 0.5 + 0.5
/// s, rounded up to a whole second for a machine busy with fsyncs.
pub const FAILOVER_P99_MAX: Duration = Duration::from_secs(4);
/// How long a partition lasts, at most, in milliseconds.
const PARTITION_MS_MAX: u64 = 4_000;

#[derive(Debug, clap::Args)]
pub struct ClusterTortureArgs {
    /// Replicas in the cluster (3 to 7; one fault at a time leaves a majority).
    #[arg(long, default_value_t = 3)]
    nodes: u64,
    /// How many faults are injected, one per cycle.
    #[arg(long, default_value_t = CYCLES_DEFAULT)]
    cycles: usize,
    /// Replays a run: the same requests and faults (up to scheduling).
    #[arg(long)]
    seed: Option<u64>,
    /// Concurrent clients writing.
    #[arg(long, default_value_t = 4)]
    writers: usize,
    /// Enrolled workers the contributions are spread over.
    #[arg(long, default_value_t = 16)]
    workers: usize,
    /// Longest a cycle lets the writers run before the fault, in milliseconds.
    #[arg(long, default_value_t = 800)]
    fault_after_ms_max: u64,
    /// The bound leader failover's p99 must stay under, in milliseconds ([`FAILOVER_P99_MAX`] when
    /// absent; a debug build on a loaded machine needs more).
    #[arg(long)]
    failover_p99_max_ms: Option<u64>,
    /// The replicas' heartbeat interval, in milliseconds (the cluster's default when absent).
    #[arg(long)]
    heartbeat_ms: Option<u64>,
    /// The replicas' shortest election timeout, in milliseconds (the default when absent).
    #[arg(long)]
    election_timeout_ms: Option<u64>,
    /// Raft entries between the replicas' snapshots: small, so that a replica killed for a cycle
    /// often finds the entries it lacks purged and catches up from a snapshot.
    #[arg(long, default_value_t = 64)]
    snapshot_entries: u64,
    /// Raft entries each replica keeps before its last snapshot.
    #[arg(long, default_value_t = 16)]
    log_entries_kept: u64,
    /// Directory for the replicas' data (kept afterwards); a temporary one when absent.
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

/// The cluster's secret in this run (a loopback run, written to the run's directory only).
const SECRET: &str = "cluster-torture-secret-for-a-loopback-run-only";

/// One replica: its addresses (fixed for the run, so that a restarted replica keeps them) and its
/// process while it runs.
struct Replica {
    id: u64,
    api: SocketAddr,
    /// Where its replica service listens; the others reach it through `proxy`.
    replica: SocketAddr,
    proxy: SocketAddr,
    dir: PathBuf,
    config: PathBuf,
    process: Option<ServerProcess>,
}

/// A free port on `ip`, for a replica to listen on for the whole run.
fn free_port(ip: Ipv4Addr) -> anyhow::Result<SocketAddr> {
    let listener = std::net::TcpListener::bind((ip, 0)).with_context(|| format!("cannot bind {ip}"))?;
    Ok(listener.local_addr()?)
}

/// The replicas a partition cuts off from the others.
type Cut = BTreeSet<u64>;

fn severed(cut: &Cut, from: u64, to: u64) -> bool {
    from != to && (cut.contains(&from) || cut.contains(&to))
}

/// The replica a connection comes from, by its loopback address (127.0.0.N is replica N); 0 for
/// anyone else.
fn replica_of(ip: IpAddr) -> u64 {
    match ip {
        IpAddr::V4(ip) if ip.octets()[..3] == [127, 0, 0] => u64::from(ip.octets()[3]),
        _ => 0,
    }
}

/// Forwards connections to replica `to`'s replica service, but none across the cut, and drops
/// those the cut severs when it changes.
async fn proxy(listener: TcpListener, to: u64, target: SocketAddr, cut: watch::Receiver<Cut>) {
    while let Ok((mut inbound, peer)) = listener.accept().await {
        let from = replica_of(peer.ip());
        let mut cut = cut.clone();
        tokio::spawn(async move {
            if severed(&cut.borrow_and_update(), from, to) {
                return;
            }
            let Ok(mut outbound) = TcpStream::connect(target).await else { return };
            tokio::select! {
                _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                _ = cut.wait_for(|cut| severed(cut, from, to)) => {}
            }
        });
    }
}

/// What the clients were told.
#[derive(Default)]
struct Book {
    acked: Vec<Acked>,
    /// Acknowledged requests by request id, with the number of events each appended.
    requests: HashMap<String, usize>,
    /// Requests refused with a typed error.
    refused: u64,
    /// When each write was acknowledged, and by which replica.
    acks: Vec<(Instant, u64)>,
}

/// What went wrong, counted; the run fails unless all are zero.
#[derive(Default)]
struct Findings {
    lost: u64,
    divergent: u64,
    problems: Vec<String>,
    failovers: Vec<Duration>,
}

pub async fn run(args: ClusterTortureArgs) -> anyhow::Result<()> {
    if !(3..=7).contains(&args.nodes) || args.writers == 0 || args.workers == 0 {
        bail!("--nodes must be 3 to 7, and --writers and --workers at least 1");
    }
    crate::bench::server::with_data_dir(args.data_dir.as_deref(), |dir| torture(&args, dir)).await
}

/// The cluster under test, and what its clients share.
pub(crate) struct Run {
    replicas: BTreeMap<u64, Replica>,
    principals: PathBuf,
    tokens: HashMap<String, String>,
    cut: watch::Sender<Cut>,
}

impl Run {
    /// Starts `nodes` replicas in `dir`, every one an initial member, each reached by the others
    /// through its proxy; `settings` are `[cluster]` keys set when given (raft's timers, how often
    /// replicas snapshot).
    pub(crate) async fn start_all(
        dir: &Path,
        nodes: u64,
        principals: PathBuf,
        tokens: HashMap<String, String>,
        settings: &[(&str, Option<u64>)],
    ) -> anyhow::Result<Run> {
        std::fs::write(dir.join("cluster-secret"), SECRET)?;
        let (cut, cut_seen) = watch::channel(Cut::new());
        let mut replicas = BTreeMap::new();
        for id in 1..=nodes {
            let ip = Ipv4Addr::new(127, 0, 0, id as u8);
            let proxy_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
            let replica = Replica {
                id,
                api: free_port(ip)?,
                replica: free_port(ip)?,
                proxy: proxy_listener.local_addr()?,
                dir: dir.join(format!("node-{id}")),
                config: dir.join(format!("node-{id}.toml")),
                process: None,
            };
            tokio::spawn(proxy(proxy_listener, id, replica.replica, cut_seen.clone()));
            replicas.insert(id, replica);
        }
        for replica in replicas.values() {
            std::fs::create_dir_all(&replica.dir)?;
            let mut config = config_of(replica, &replicas, dir);
            for (key, value) in settings {
                if let Some(value) = value {
                    config = config.replace("[cluster]\n", &format!("[cluster]\n{key} = {value}\n"));
                }
            }
            std::fs::write(&replica.config, config)?;
        }
        let mut run = Run { replicas, principals, tokens, cut };
        for id in 1..=nodes {
            run.start(id).await?;
        }
        Ok(run)
    }

    /// The gRPC address of the replica that leads, once one does.
    pub(crate) async fn leader_api(&self) -> anyhow::Result<String> {
        let all: Vec<u64> = self.replicas.keys().copied().collect();
        Ok(self.api(self.leader(&all).await?))
    }

    /// Stops every replica with SIGTERM.
    pub(crate) async fn stop_all(&mut self) -> anyhow::Result<()> {
        for replica in self.replicas.values_mut() {
            if let Some(process) = replica.process.take() {
                process.stop().await?;
            }
        }
        Ok(())
    }

    async fn start(&mut self, id: u64) -> anyhow::Result<()> {
        let replica = self.replicas.get_mut(&id).context("no such replica")?;
        let args = vec![
            "--config".to_owned(),
            replica.config.display().to_string(),
            "--node-id".to_owned(),
            id.to_string(),
            "--listen".to_owned(),
            replica.api.to_string(),
        ];
        let process = ServerProcess::spawn(&replica.dir, &self.principals, &args).await?;
        replica.process = Some(process);
        Ok(())
    }

    fn api(&self, id: u64) -> String {
        self.replicas[&id].api.to_string()
    }

    fn running(&self) -> Vec<u64> {
        self.replicas.values().filter(|replica| replica.process.is_some()).map(|replica| replica.id).collect()
    }

    /// The replica every running one that answers says leads, once they agree and it declares
    /// itself leader.
    async fn leader(&self, among: &[u64]) -> anyhow::Result<u64> {
        let deadline = Instant::now() + SETTLE_WAIT_MAX;
        loop {
            for id in among {
                if let Ok(members) = members(self.replicas[id].replica).await {
                    if members.leader == *id && members.answered_by == *id {
                        return Ok(*id);
                    }
                }
            }
            if Instant::now() > deadline {
                bail!("no leader among {among:?} within {} s", SETTLE_WAIT_MAX.as_secs());
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }

    /// Waits until every running replica holds the same head; returns its size.
    async fn converged(&self, auditor_token: &str) -> anyhow::Result<u64> {
        let deadline = Instant::now() + SETTLE_WAIT_MAX;
        loop {
            let mut heads = BTreeSet::new();
            for id in self.running() {
                let answered = async {
                    let mut clients = client::connect(&self.api(id), auditor_token).await.ok()?;
                    let head = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.ok()?;
                    let head = head.into_inner();
                    Some((head.size, head.head_hash))
                };
                heads.insert(answered.await);
            }
            if heads.len() == 1 {
                if let Some(Some((size, _))) = heads.first() {
                    return Ok(*size);
                }
            }
            if Instant::now() > deadline {
                bail!("the replicas did not converge within {} s: {heads:?}", SETTLE_WAIT_MAX.as_secs());
            }
            tokio::time::sleep(RETRY_PAUSE).await;
        }
    }
}

/// How many snapshots the replicas took and installed, as their logs say.
fn snapshots_logged(run: &Run) -> (usize, usize) {
    let (mut taken, mut installed) = (0, 0);
    for replica in run.replicas.values() {
        let log =
            std::fs::read_to_string(replica.dir.join(crate::bench::server::SERVER_LOG)).unwrap_or_default();
        taken += log.matches("took a snapshot").count();
        installed += log.matches("installed a snapshot").count();
    }
    (taken, installed)
}

async fn members(replica: SocketAddr) -> anyhow::Result<ledger_proto::replica::MembersResponse> {
    let secret = ClusterSecret::new(SECRET).map_err(anyhow::Error::msg)?;
    let mut admin = Admin::connect(&replica.to_string(), secret).await.map_err(anyhow::Error::msg)?;
    Ok(admin.members().await?)
}

/// Asks every replica who leads, again and again, and keeps who declared itself leader in which
/// term: two in one term would be a split brain.
async fn monitor(replicas: Vec<(u64, SocketAddr)>, leaders: Arc<Mutex<BTreeMap<u64, BTreeSet<u64>>>>) {
    loop {
        for (id, address) in &replicas {
            if let Ok(Ok(members)) = tokio::time::timeout(CALL_WAIT_MAX, members(*address)).await {
                if members.leader == *id {
                    if let Ok(mut leaders) = leaders.lock() {
                        leaders.entry(members.term).or_default().insert(*id);
                    }
                }
            }
        }
        tokio::time::sleep(MONITOR_INTERVAL).await;
    }
}

async fn torture(args: &ClusterTortureArgs, dir: PathBuf) -> anyhow::Result<()> {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| d.as_nanos() as u64)
    });
    println!(
        "cluster-torture: {} replicas, {} cycles in {}, seed {seed}",
        args.nodes,
        args.cycles,
        dir.display()
    );
    let started = Instant::now();
    let mut rng = Random::new(seed);
    let principals = dir.join("principals.toml");
    let tokens = crate::bench::make_principals(&principals)?;
    let settings = [
        ("heartbeat_ms", args.heartbeat_ms),
        ("election_timeout_ms", args.election_timeout_ms),
        ("snapshot_entries", Some(args.snapshot_entries)),
        ("log_entries_kept", Some(args.log_entries_kept)),
    ];
    let mut run = Run::start_all(&dir, args.nodes, principals, tokens, &settings).await?;
    let leaders = Arc::new(Mutex::new(BTreeMap::new()));
    let watched = run.replicas.values().map(|replica| (replica.id, replica.replica)).collect();
    let monitor = tokio::spawn(monitor(watched, leaders.clone()));
    let all: Vec<u64> = (1..=args.nodes).collect();
    let leader = run.leader(&all).await?;
    let workers = Arc::new(
        crate::torture::enrol(&run.api(leader), &run.tokens["agency-ph"], args.workers, "cluster-torture")
            .await?,
    );
    let book = Arc::new(Mutex::new(Book::default()));
    let ack = Arc::new(tokio::sync::Notify::new());
    let mut findings = Findings::default();
    let mut checked = Checked::default();
    for cycle in 0..args.cycles {
        let leader = run.leader(&all).await?;
        let stop = Arc::new(AtomicBool::new(false));
        let apis: Vec<(u64, String)> = all.iter().map(|id| (*id, run.api(*id))).collect();
        let writers: Vec<_> = (0..args.writers)
            .map(|writer| {
                let client = Writer {
                    ack: ack.clone(),
                    apis: apis.clone(),
                    token: run.tokens["agency-sa"].clone(),
                    target: leader,
                    clients: HashMap::new(),
                };
                let task = client.write(
                    workers.clone(),
                    book.clone(),
                    format!("c{cycle}-w{writer}"),
                    Random::new(rng.next() | 1),
                    stop.clone(),
                );
                tokio::spawn(task)
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(100 + rng.below(args.fault_after_ms_max.max(1)))).await;
        let fault = Instant::now();
        let followers: Vec<u64> = all.iter().copied().filter(|id| *id != leader).collect();
        let kind = rng.below(10);
        let leader_fault = kind != 6 && kind != 7;
        match kind {
            // The leader is killed, then started again.
            0..=5 => kill(&mut run, leader).await?,
            // A follower is killed, then started again.
            6 | 7 => kill(&mut run, followers[rng.below(followers.len() as u64) as usize]).await?,
            // The leader is cut off from every other replica, then the cut heals.
            _ => {
                run.cut.send_replace(Cut::from([leader]));
            }
        }
        if leader_fault {
            let elected = {
                let addresses: Vec<(u64, SocketAddr)> =
                    followers.iter().map(|id| (*id, run.replicas[id].replica)).collect();
                tokio::spawn(async move {
                    loop {
                        for (id, address) in &addresses {
                            if let Ok(members) = members(*address).await {
                                if members.leader == *id {
                                    return fault.elapsed();
                                }
                            }
                        }
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                })
            };
            let deadline = tokio::time::Instant::now() + SETTLE_WAIT_MAX;
            let failover = loop {
                // Armed before the book is read, so that an acknowledgement in between wakes it.
                let acked = ack.notified();
                tokio::pin!(acked);
                acked.as_mut().enable();
                let first = book.lock().ok().and_then(|book| {
                    book.acks.iter().filter(|(at, by)| *at > fault && *by != leader).map(|(at, _)| *at).min()
                });
                if let Some(at) = first {
                    break Some(at - fault);
                }
                if tokio::time::timeout_at(deadline, acked).await.is_err() {
                    findings
                        .problems
                        .push(format!("cycle {cycle}: no write acknowledged after the leader's fault"));
                    break None;
                }
            };
            let elected = tokio::time::timeout(SETTLE_WAIT_MAX, elected).await;
            eprintln!(
                "cluster-torture: cycle {cycle}: {} leader {leader}; another elected after {:?}, its first write acknowledged after {:?}",
                if kind <= 5 { "killed" } else { "cut off" },
                elected,
                failover
            );
            findings.failovers.extend(failover);
        }
        if run.cut.borrow().is_empty() {
            // A killed replica stays down for a while under writes, so that it has to catch up.
            tokio::time::sleep(Duration::from_millis(rng.below(1_000))).await;
        } else {
            tokio::time::sleep(Duration::from_millis(rng.below(PARTITION_MS_MAX))).await;
            run.cut.send_replace(Cut::new());
        }
        for id in all.clone() {
            if run.replicas[&id].process.is_none() {
                run.start(id).await?;
            }
        }
        stop.store(true, Ordering::Release);
        for writer in writers {
            writer.await??;
        }
        let size = run.converged(&run.tokens["auditor"]).await?;
        check(&run, &book, &mut checked, size, cycle, &mut findings).await?;
        if cycle % 10 == 9 {
            let acked = book.lock().map(|book| book.acked.len()).unwrap_or_default();
            eprintln!("cluster-torture: {} cycles, {acked} events acknowledged", cycle + 1);
        }
    }
    monitor.abort();
    let split = leaders
        .lock()
        .map_err(|_| anyhow::anyhow!("poisoned"))?
        .iter()
        .filter(|(_, ids)| ids.len() > 1)
        .count();
    if split > 0 {
        findings.problems.push(format!("{split} terms had more than one leader"));
    }
    for id in all.clone() {
        if let Some(process) = run.replicas.get_mut(&id).and_then(|replica| replica.process.take()) {
            process.stop().await?;
        }
    }
    let book = book.lock().map_err(|_| anyhow::anyhow!("a writer panicked"))?;
    findings.failovers.sort();
    let quantile = |q: f64| -> f64 {
        let sorted = &findings.failovers;
        match sorted.len() {
            0 => 0.0,
            n => sorted[((n as f64 * q).ceil() as usize).clamp(1, n) - 1].as_secs_f64(),
        }
    };
    let (p50, p99) = (quantile(0.50), quantile(0.99));
    let (taken, installed) = snapshots_logged(&run);
    println!(
        "cluster-torture: {} terms seen, {} failovers measured, requests refused with a typed error {}, snapshots taken {taken}, installed {installed}, {:.0} s, seed {seed}",
        leaders.lock().map(|leaders| leaders.len()).unwrap_or_default(),
        findings.failovers.len(),
        book.refused,
        started.elapsed().as_secs_f64()
    );
    for problem in &findings.problems {
        println!("  {problem}");
    }
    println!(
        "cluster-torture: cycles {}, events acknowledged {}, events lost {}, divergent nodes {}, failover p50 {p50:.2} s, p99 {p99:.2} s",
        args.cycles,
        book.acked.len(),
        findings.lost,
        findings.divergent
    );
    if findings.lost > 0 || findings.divergent > 0 || !findings.problems.is_empty() {
        bail!("the cluster did not survive the faults; replay with --seed {seed}");
    }
    let bound = args.failover_p99_max_ms.map_or(FAILOVER_P99_MAX, Duration::from_millis);
    if p99 > bound.as_secs_f64() {
        bail!("leader failover p99 {p99:.2} s is over the {:.2} s bound", bound.as_secs_f64());
    }
    if book.acked.len() <= args.cycles {
        bail!("too few events were acknowledged to test anything");
    }
    Ok(())
}

/// The configuration file of one replica: every replica is an initial member, reached by the
/// others through its proxy.
fn config_of(replica: &Replica, replicas: &BTreeMap<u64, Replica>, dir: &Path) -> String {
    let mut text = format!(
        "data_dir = {:?}\nlog_key = {:?}\n\n[limits]\nrequests_per_second = 1000000000\nburst = 1000000000\n\
         concurrent_requests_max = 4096\nprincipal_requests_max = 4096\n\n[cluster]\nname = \"cluster-torture\"\n\
         listen = \"{}\"\nadvertise = \"{}\"\napi_advertise = \"{}\"\nsecret_file = {:?}\n",
        replica.dir.display().to_string(),
        dir.join("log-key").display().to_string(),
        replica.replica,
        replica.proxy,
        replica.api,
        dir.join("cluster-secret").display().to_string(),
    );
    for member in replicas.values() {
        text.push_str(&format!(
            "\n[[cluster.members]]\nid = {}\nreplica = \"{}\"\napi = \"{}\"\n",
            member.id, member.proxy, member.api
        ));
    }
    text
}

async fn kill(run: &mut Run, id: u64) -> anyhow::Result<()> {
    if let Some(process) = run.replicas.get_mut(&id).and_then(|replica| replica.process.take()) {
        process.kill().await?;
    }
    Ok(())
}

/// One client: it sends each request to the replica it believes leads, follows the leader a
/// follower names, and retries a request it got no answer to, with the same request id, until it
/// is answered.
struct Writer {
    /// Woken at every acknowledgement, for the failover's measure.
    ack: Arc<tokio::sync::Notify>,
    apis: Vec<(u64, String)>,
    token: String,
    target: u64,
    clients: HashMap<u64, Clients>,
}

impl Writer {
    async fn write(
        mut self,
        workers: Arc<Vec<String>>,
        book: Arc<Mutex<Book>>,
        prefix: String,
        mut rng: Random,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<()> {
        for index in 0.. {
            if stop.load(Ordering::Acquire) {
                return Ok(());
            }
            let size = 1 + rng.below(BATCH_MAX);
            let contributions = (0..size).map(|_| crate::torture::contribution(&mut rng, &workers)).collect();
            let request = pb::RecordContributionsRequest {
                request_id: format!("{prefix}-{index}"),
                contributions,
                ..Default::default()
            };
            // Until answered: a request whose answer was lost may be recorded already, and its
            // retry then gets the original receipts.
            loop {
                let target = self.target;
                match self.send(target, &request).await {
                    Ok(receipts) => {
                        let mut book = book.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
                        book.requests.insert(request.request_id.clone(), request.contributions.len());
                        book.acks.push((Instant::now(), target));
                        book.acked.extend(receipts.into_iter().map(Acked::from));
                        self.ack.notify_waiters();
                        break;
                    }
                    Err(status) if is_refusal(&status) => {
                        book.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.refused += 1;
                        break;
                    }
                    Err(status) => {
                        self.clients.remove(&target);
                        let named =
                            status.metadata().get("ledger-leader").and_then(|value| value.to_str().ok());
                        let named = named.and_then(|api| self.apis.iter().find(|(_, known)| known == api));
                        match named {
                            Some((id, _)) if *id != target => self.target = *id,
                            _ => {
                                let next =
                                    self.apis.iter().position(|(id, _)| *id == target).unwrap_or(0) + 1;
                                self.target = self.apis[next % self.apis.len()].0;
                                tokio::time::sleep(RETRY_PAUSE).await;
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    async fn send(
        &mut self,
        target: u64,
        request: &pb::RecordContributionsRequest,
    ) -> Result<Vec<pb::Receipt>, tonic::Status> {
        if !self.clients.contains_key(&target) {
            let address = self
                .apis
                .iter()
                .find(|(id, _)| *id == target)
                .map(|(_, api)| api.clone())
                .unwrap_or_default();
            let connected = tokio::time::timeout(CALL_WAIT_MAX, client::connect(&address, &self.token)).await;
            let clients = match connected {
                Ok(Ok(clients)) => clients,
                _ => return Err(tonic::Status::unavailable(format!("cannot connect to {address}"))),
            };
            self.clients.insert(target, clients);
        }
        let Some(clients) = self.clients.get_mut(&target) else {
            return Err(tonic::Status::unavailable("no client"));
        };
        match tokio::time::timeout(CALL_WAIT_MAX, clients.agency.record_contributions(request.clone())).await
        {
            Ok(answer) => Ok(answer?.into_inner().receipts),
            Err(_) => Err(tonic::Status::deadline_exceeded("no answer in time")),
        }
    }
}

/// A typed refusal of the request itself, as opposed to the cluster not answering it.
fn is_refusal(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        tonic::Code::FailedPrecondition
            | tonic::Code::NotFound
            | tonic::Code::InvalidArgument
            | tonic::Code::AlreadyExists
    )
}

/// What earlier cycles checked: the size up to which every replica's log was compared, and each
/// request id's count of events in it.
#[derive(Default)]
struct Checked {
    size: u64,
    acked: usize,
    counts: HashMap<String, usize>,
}

/// Checks the cycle's new events on every replica against one another and against what the
/// clients were told, and every replica's whole chain and Merkle root.
async fn check(
    run: &Run,
    book: &Mutex<Book>,
    checked: &mut Checked,
    size: u64,
    cycle: usize,
    findings: &mut Findings,
) -> anyhow::Result<()> {
    let mut logs = BTreeMap::new();
    for id in run.running() {
        let mut auditor = client::connect(&run.api(id), &run.tokens["auditor"])
            .await
            .map_err(|error| anyhow::anyhow!("cannot connect to replica {id}: {error}"))?;
        let verified = auditor
            .audit
            .verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None })
            .await?
            .into_inner();
        if !verified.ok || verified.verified != size {
            findings
                .problems
                .push(format!("cycle {cycle}: replica {id}'s chain does not verify: {}", verified.reason));
        }
        let events = crate::torture::read_from(&mut auditor, checked.size).await?;
        let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner();
        logs.insert(id, (events, head));
    }
    let Some((first, (reference, _))) = logs.first_key_value() else { bail!("no replica runs") };
    let first = *first;
    for (id, (events, head)) in &logs {
        if events != reference {
            findings.divergent += 1;
            findings
                .problems
                .push(format!("cycle {cycle}: replica {id}'s log differs from replica {first}'s"));
        }
        if head.tree_root != logs[&first].1.tree_root {
            findings.problems.push(format!("cycle {cycle}: replica {id}'s Merkle root differs"));
        }
    }
    for event in reference {
        let record = Record::decode(&event.record).context("a stored record does not decode")?;
        *checked.counts.entry(record.request_id.as_str().to_owned()).or_default() += 1;
    }
    let book = book.lock().map_err(|_| anyhow::anyhow!("poisoned"))?;
    for acked in &book.acked[checked.acked..] {
        let stored = acked.seq.checked_sub(checked.size).and_then(|offset| reference.get(offset as usize));
        if stored.is_none_or(|stored| {
            (&stored.event_hash, &stored.chain_hash) != (&acked.event_hash, &acked.chain_hash)
        }) {
            findings.lost += 1;
            findings
                .problems
                .push(format!("cycle {cycle}: acknowledged seq {} is missing or changed", acked.seq));
        }
    }
    for (request_id, size) in &book.requests {
        if checked.counts.get(request_id) != Some(size) {
            findings
                .problems
                .push(format!("cycle {cycle}: request {request_id} is not in the log exactly once"));
        }
    }
    checked.size += reference.len() as u64;
    checked.acked = book.acked.len();
    Ok(())
}
