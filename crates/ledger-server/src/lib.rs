//! The ledger as a gRPC service: authentication, the three services of `ledger.v1`, and start-up.
//!
//! - [`start`]: open the data directory, load rules and principals, listen, serve.
//! - [`principals`]: who may call, by bearer token digest.
//! - [`access`]: which role may call which RPC, in one table.
//! - [`convert`]: wire types to domain types and back, by hand.
//! - [`status`]: domain errors to gRPC codes, in one place.
//!
//! Architecture invariant: this is the only crate that serves over tonic; generated types never
//! pass below it. Clients of its services are `ledger-client`'s.

pub mod access;
pub mod config;
pub mod connections;
pub mod convert;
pub mod gate;
pub mod metrics;
pub mod passkey;
pub mod principals;
mod services;
pub mod sign_in;
pub mod status;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use gate::Limits;
use gate::{Gate, GateLayer};
use ledger_cluster::network::{ClusterSecret, Cosigning, ReplicaService};
use ledger_cluster::node::{Cosigners, Node, NodeConfig, NodeError};
use ledger_cluster::Member;
use ledger_core::{Jurisdiction, PrincipalId};
use ledger_proto::v1 as pb;
use ledger_rules::Rules;
use ledger_store::Ledger;
use metrics::Metrics;
use principals::{Principal, Principals, Role};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tracing::{info, warn};

pub use services::{READ_EVENTS_MAX, STATEMENT_PAGE_MAX};

/// Largest request message accepted, in bytes: a full batch of contributions is far smaller.
pub const REQUEST_BYTES_MAX: usize = 1024 * 1024;
/// Largest response message sent, in bytes: a full statement page fits.
pub const RESPONSE_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Streams one HTTP/2 connection may have open at once, advertised to clients.
pub const STREAMS_PER_CONNECTION_MAX: u32 = 128;
/// How long a request may take to arrive and be answered (the head of the answer, for streams).
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
/// Streams reset by the client before the server accepted them, per connection (hyper's default).
pub const PENDING_ACCEPT_RESET_STREAMS_MAX: usize = 20;
/// Streams the server resets for a client's protocol errors, per connection (hyper's default).
pub const LOCAL_ERROR_RESET_STREAMS_MAX: usize = 1024;
/// How often the server pings an HTTP/2 connection, and how long it waits for the answer.
pub const KEEPALIVE_INTERVAL: std::time::Duration = std::time::Duration::from_secs(30);
pub const KEEPALIVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// Largest block of request headers, in bytes: a bearer token and gRPC's own headers are far less.
pub const HEADER_LIST_BYTES_MAX: u32 = 16 * 1024;
/// How long stopping waits for requests and streams in flight to finish before it ends them.
pub const SHUTDOWN_DRAIN_MAX: std::time::Duration = std::time::Duration::from_secs(10);
/// The principals file inside a data directory, used when no other is named.
pub const PRINCIPALS_FILE: &str = "principals.toml";
/// The log's Ed25519 signing key inside a data directory (a hex seed, readable only by the owner).
pub const LOG_KEY_FILE: &str = "log-key";

/// The log's signing key of a data directory, kept inside it (`DATA_DIR/log-key`), created with
/// it.
pub fn load_or_create_log_key(data_dir: &Path) -> Result<ledger_core::checkpoint::LogKey, StartError> {
    load_or_create_log_key_at(&data_dir.join(LOG_KEY_FILE))
}

/// The log's signing key in the file at `path`, created there when it does not exist. Its name,
/// the checkpoints' origin, includes a fingerprint of the public key, so that two logs never share
/// an origin.
pub fn load_or_create_log_key_at(path: &Path) -> Result<ledger_core::checkpoint::LogKey, StartError> {
    let seed = load_or_create_seed(path)?;
    let public = ledger_core::checkpoint::LogKey::from_seed("", &seed).public_key();
    let name = format!("social-protection-ledger/{}", hex::encode(&ledger_core::sha256(&public)[..4]));
    Ok(ledger_core::checkpoint::LogKey::from_seed(&name, &seed))
}

/// This replica's cosigning key inside a data directory (a hex seed, readable only by the owner).
pub const REPLICA_KEY_FILE: &str = "replica-key";

/// This replica's cosigning key in the file at `path`, created there when it does not exist. Its
/// name is the log's origin, `/replica/` and a fingerprint of its own public key: each replica
/// cosigns under a name of its own.
pub fn load_or_create_replica_key_at(
    path: &Path,
    log: &ledger_core::checkpoint::LogKey,
) -> Result<ledger_core::cosignature::CosignerKey, StartError> {
    let seed = load_or_create_seed(path)?;
    let public = ledger_core::cosignature::CosignerKey::from_seed("", &seed).public_key();
    let name = format!("{}/replica/{}", log.name(), hex::encode(&ledger_core::sha256(&public)[..4]));
    Ok(ledger_core::cosignature::CosignerKey::from_seed(&name, &seed))
}

/// The 32-byte Ed25519 seed in the file at `path` (hex), made from the system's random source and
/// written owner-only when the file does not exist.
fn load_or_create_seed(path: &Path) -> Result<[u8; 32], StartError> {
    let io = |error: std::io::Error| StartError::LogKey { path: path.display().to_string(), error };
    match std::fs::read_to_string(path) {
        Ok(text) => <[u8; 32]>::try_from(hex::decode(text.trim()).unwrap_or_default().as_slice())
            .map_err(|_| io(std::io::Error::other("the key file does not hold a 32-byte hex seed"))),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            let mut seed = [0u8; 32];
            getrandom::fill(&mut seed).map_err(|error| io(std::io::Error::other(error.to_string())))?;
            principals::write_private(path, format!("{}\n", hex::encode(seed)).as_bytes()).map_err(io)?;
            Ok(seed)
        }
        Err(error) => Err(io(error)),
    }
}

/// Where `serve` writes the tokens of the principals it creates for a new data directory.
pub const INITIAL_TOKENS_FILE: &str = "initial-tokens.txt";

/// Where the rules come from.
#[derive(Clone, Debug)]
pub enum RulesSource {
    /// The sample rules shipped with the ledger (illustrative figures).
    Sample,
    File(PathBuf),
}

/// Everything `serve` needs, validated before anything starts.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub rules: RulesSource,
    /// The principals file; `DATA_DIR/principals.toml` when absent.
    pub principals: Option<PathBuf>,
    pub limits: Limits,
    /// Where to serve Prometheus metrics over HTTP; nowhere when absent.
    pub metrics_listen: Option<SocketAddr>,
    /// TLS for the gRPC port; plain TCP when absent (loopback and trusted networks only).
    pub tls: Option<TlsFiles>,
    /// The file of the log's signing key; `DATA_DIR/log-key` when absent. Kept outside the data
    /// directory, whoever can rewrite the store cannot also re-sign what they rewrote.
    pub log_key: Option<PathBuf>,
    /// The file of this replica's cosigning key; `DATA_DIR/replica-key` when absent.
    pub replica_key: Option<PathBuf>,
    /// Serve a log that lacks events the ledger acknowledged instead of refusing to start (only
    /// from the command line, never from a file, and logged).
    pub accept_rollback: bool,
    /// The cluster this replica belongs to (its node id resolved); a cluster of one when absent.
    pub cluster: Option<config::ClusterFile>,
    /// The time events are recorded at: the system clock in service. Not configurable from a file
    /// or the environment; tests and the demo set a clock they can move forward.
    pub clock: ledger_store::Clock,
    /// With TLS on the gRPC port, also serve the same services, through the same gate, in plain
    /// TCP on a free port of 127.0.0.1: for the portal beside it on this host.
    pub loopback: bool,
}

/// PEM files for TLS.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
    /// When set, agencies must present a client certificate signed by this CA (mutual TLS);
    /// other callers may connect without one.
    pub client_ca: Option<PathBuf>,
}

/// Why the server did not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("rules {path}: {error}")]
    Rules { path: String, error: String },
    #[error(transparent)]
    Principals(#[from] principals::PrincipalsError),
    #[error("cannot open the ledger in {path}: {error}")]
    Store { path: String, error: ledger_store::StoreError },
    #[error("the replica did not join its cluster: {0}")]
    Cluster(String),
    #[error("cannot listen on {address}: {error}")]
    Listen { address: SocketAddr, error: std::io::Error },
    #[error("no principals in {0}: add one with `ledger principals add`")]
    NoPrincipals(String),
    #[error("TLS file {path}: {error}")]
    Tls { path: String, error: std::io::Error },
    #[error("log key {path}: {error}")]
    LogKey { path: String, error: std::io::Error },
}

/// A running server.
#[derive(Debug)]
pub struct RunningServer {
    pub address: SocketAddr,
    /// Where Prometheus metrics are served, when configured.
    pub metrics_address: Option<SocketAddr>,
    /// The plain loopback listener of `ServeConfig::loopback`, when the gRPC port has TLS.
    pub loopback_address: Option<SocketAddr>,
    pub ledger: Ledger,
    /// Set when start-up created the principals of a new data directory.
    pub initial_tokens: Option<PathBuf>,
    /// The log's verifier key, as `ledger key show` prints it.
    pub verifier_key: String,
    /// This replica's cosigner key, as `ledger key show --replica` prints it.
    pub cosigner_key: String,
    pub principals_file: PathBuf,
    gate: Arc<Gate>,
    /// Where this replica's replica service listens, in a configured cluster.
    pub replica_address: Option<SocketAddr>,
    /// This replica in its cluster (of one, with nothing configured), through which every write
    /// goes.
    node: Option<ledger_cluster::node::Node>,
    /// Stops the replica service.
    replica_stop: Option<tokio::sync::watch::Sender<bool>>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl RunningServer {
    /// This replica in its cluster (of one, when none is configured).
    pub fn node(&self) -> Option<&Node> {
        self.node.as_ref()
    }

    /// Reads the principals file again, as on SIGHUP. A file that does not load leaves the
    /// principals in force unchanged.
    pub fn reload_principals(&self) -> Result<usize, principals::PrincipalsError> {
        let principals = Principals::load(&self.principals_file)?;
        let count = principals.len();
        self.gate.replace_principals(principals);
        Ok(count)
    }

    /// Stops taking connections, finishes in-flight requests, and closes the ledger.
    pub async fn stop(mut self) -> Result<(), tonic::transport::Error> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        // Streams that never end by themselves (a health Watch) would hold the drain for ever.
        let served = match tokio::time::timeout(SHUTDOWN_DRAIN_MAX, &mut self.task).await {
            Ok(served) => served.unwrap_or(Ok(())),
            Err(_) => {
                tracing::warn!(
                    seconds = SHUTDOWN_DRAIN_MAX.as_secs(),
                    "requests still in flight after the drain; stopping anyway"
                );
                self.task.abort();
                Ok(())
            }
        };
        // Raft stops first: its state machine is the ledger.
        if let Some(node) = self.node.take() {
            node.shutdown().await;
        }
        if let Some(replica_stop) = self.replica_stop.take() {
            let _ = replica_stop.send(true);
        }
        let ledger = self.ledger.clone();
        let _ = tokio::task::spawn_blocking(move || ledger.shutdown()).await;
        served
    }
}

pub fn load_rules(source: &RulesSource) -> Result<Rules, StartError> {
    match source {
        RulesSource::Sample => Ok(Rules::sample()),
        RulesSource::File(path) => {
            let failed = |error: String| StartError::Rules { path: path.display().to_string(), error };
            let text = std::fs::read_to_string(path).map_err(|error| failed(error.to_string()))?;
            Rules::parse(&text).map_err(|error| failed(error.to_string()))
        }
    }
}

/// Opens the ledger and starts serving on the configured address (port 0 picks a free one).
pub async fn start(config: ServeConfig) -> Result<RunningServer, StartError> {
    let rules = Arc::new(load_rules(&config.rules)?);
    // Everything the server creates from now on (sled's files, the log key, the principals) is
    // for its owner only, whatever umask it was started with.
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    std::fs::create_dir_all(&config.data_dir).map_err(|error| StartError::Store {
        path: config.data_dir.display().to_string(),
        error: ledger_store::StoreError::Refused(format!(
            "the data directory cannot be created: {}",
            ledger_store::fault::describe(&error)
        )),
    })?;
    let changed = ledger_store::make_owner_only(&config.data_dir)
        .map_err(|error| StartError::Store { path: config.data_dir.display().to_string(), error })?;
    for (path, mode) in &changed {
        tracing::warn!(path = %path.display(), mode = format!("{mode:o}"), "was open to other users: made owner-only");
    }
    let principals_file = config.principals.clone().unwrap_or_else(|| config.data_dir.join(PRINCIPALS_FILE));
    let initial_tokens = match (&config.principals, principals_file.exists()) {
        (None, false) => Some(bootstrap_principals(&config.data_dir, &principals_file, &rules)?),
        _ => None,
    };
    let principals = Principals::load(&principals_file)?;
    if principals.is_empty() {
        return Err(StartError::NoPrincipals(principals_file.display().to_string()));
    }
    let log_key_path = config.log_key.clone().unwrap_or_else(|| config.data_dir.join(LOG_KEY_FILE));
    let log_key = Arc::new(load_or_create_log_key_at(&log_key_path)?);
    let replica_key_path =
        config.replica_key.clone().unwrap_or_else(|| config.data_dir.join(REPLICA_KEY_FILE));
    let replica_key = Arc::new(load_or_create_replica_key_at(&replica_key_path, &log_key)?);
    let verifier_key = log_key.verifier_key();
    let cosigner_key = replica_key.verifier_key();
    let data_dir = config.data_dir.clone();
    // Every write goes through raft: the writer proposes each group it builds, and writes what
    // raft applies. Rules are adopted through raft too, once this replica leads.
    let (proposals, proposed) = tokio::sync::mpsc::channel(1);
    let options = ledger_store::OpenOptions {
        clock: config.clock.clone(),
        accept_rollback: config.accept_rollback,
        log_key: Some(log_key.clone()),
        replica_key: Some(replica_key),
        scrub_events_per_second: Some(config.limits.scrub_events_per_second),
        follows: true,
        appended: None,
        proposals: Some(proposals),
    };
    let opened_rules = rules.clone();
    let ledger = tokio::task::spawn_blocking(move || Ledger::open_with(&data_dir, opened_rules, options))
        .await
        .map_err(|error| StartError::Store {
            path: config.data_dir.display().to_string(),
            error: ledger_store::StoreError::Unavailable(error.to_string()),
        })?
        .map_err(|error| StartError::Store { path: config.data_dir.display().to_string(), error })?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|error| StartError::Listen { address: config.listen, error })?;
    let address =
        listener.local_addr().map_err(|error| StartError::Listen { address: config.listen, error })?;
    let (node, replica_address, replica_stop, cosigners) = match &config.cluster {
        None => (start_alone(&config.data_dir, address, &ledger, proposed, rules).await?, None, None, None),
        Some(cluster) => {
            let log = ledger_core::checkpoint::Verifier::parse(&log_key.verifier_key())
                .map_err(|error| StartError::Cluster(error.to_string()))?;
            let started = start_member(cluster, &config.data_dir, address, &ledger, proposed, log).await?;
            spawn_adoption(started.node.clone(), ledger.clone(), rules);
            let cosigners = Arc::new(Cosigners::new(started.node.clone(), started.secret));
            (started.node, Some(started.address), Some(started.stop), Some(cosigners))
        }
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let tls = config.tls.as_ref().map(tls_config).transpose()?;
    let metrics = Arc::new(Metrics::default());
    let agencies_need_certificates = config.tls.as_ref().is_some_and(|tls| tls.client_ca.is_some());
    let mut limits = config.limits;
    // Out of file descriptors the server could accept nothing, not even from the agencies: the
    // connection cap stays below what the open-file limit leaves room for.
    if let Some(room) = connections::raise_file_limit() {
        let room = usize::try_from(room).unwrap_or(usize::MAX).max(1);
        if room < limits.connections_max {
            warn!(
                configured = limits.connections_max,
                room, "the open-file limit leaves room for fewer connections than configured; capped there"
            );
            limits.connections_max = room;
        }
    }
    let idle = chrono::TimeDelta::from_std(limits.session_idle_max).unwrap_or(sign_in::SESSION_IDLE_DEFAULT);
    let sessions = Arc::new(sign_in::Sessions::new(idle));
    let gate = Arc::new(Gate::new(
        principals,
        ledger.clone(),
        limits,
        metrics.clone(),
        agencies_need_certificates,
        sessions,
    ));
    let metrics_address = match config.metrics_listen {
        Some(address) => {
            let listener =
                TcpListener::bind(address).await.map_err(|error| StartError::Listen { address, error })?;
            let bound = listener.local_addr().map_err(|error| StartError::Listen { address, error })?;
            tokio::spawn(metrics::serve(listener, metrics, ledger.clone()));
            Some(bound)
        }
        None => None,
    };
    let loopback = match (config.loopback, &tls) {
        (true, Some(_)) => {
            let local = SocketAddr::from(([127, 0, 0, 1], 0));
            let listener = TcpListener::bind(local)
                .await
                .map_err(|error| StartError::Listen { address: local, error })?;
            let bound =
                listener.local_addr().map_err(|error| StartError::Listen { address: local, error })?;
            Some((listener, bound))
        }
        _ => None,
    };
    let loopback_address = loopback.as_ref().map(|(_, bound)| *bound);
    let listeners = Listeners { public: listener, tls, loopback: loopback.map(|(listener, _)| listener) };
    let task = tokio::spawn(serve(listeners, ledger.clone(), gate.clone(), cosigners, node.clone(), stopped));
    info!(%address, size = ledger.head().size, "ledger serving");
    Ok(RunningServer {
        address,
        metrics_address,
        loopback_address,
        ledger,
        initial_tokens,
        verifier_key,
        cosigner_key,
        principals_file,
        gate,
        replica_address,
        node: Some(node),
        replica_stop,
        stop: Some(stop),
        task,
    })
}

/// Starts this replica's raft as a cluster of one in the data directory, waits until it leads,
/// and adopts the rules it was started with unless they are already in force.
async fn start_alone(
    data_dir: &std::path::Path,
    address: SocketAddr,
    ledger: &Ledger,
    proposed: tokio::sync::mpsc::Receiver<ledger_store::Proposal>,
    rules: Arc<ledger_rules::Rules>,
) -> Result<Node, StartError> {
    let failed = |error: NodeError| StartError::Cluster(error.to_string());
    let config = NodeConfig::alone(data_dir, &address.to_string()).map_err(failed)?;
    let node = Node::start(config, ledger.clone(), proposed).await.map_err(failed)?;
    if node.settled().await.map_err(failed)? {
        adopt_unless_in_force(ledger, rules)
            .await
            .map_err(|error| StartError::Store { path: data_dir.display().to_string(), error })?;
    }
    Ok(node)
}

/// Adopts `rules` on the chain unless they are the rules in force.
async fn adopt_unless_in_force(
    ledger: &Ledger,
    rules: Arc<ledger_rules::Rules>,
) -> Result<(), ledger_store::StoreError> {
    let in_force = ledger.rules_in_force()?;
    if in_force.is_none_or(|in_force| in_force.digest() != rules.digest()) {
        ledger.adopt(rules).await?;
    }
    Ok(())
}

/// Each time this replica becomes the leader, it adopts the rules it was started with unless they
/// are in force. Every replica of a cluster should be started with the same rules.
fn spawn_adoption(node: Node, ledger: Ledger, rules: Arc<ledger_rules::Rules>) {
    tokio::spawn(async move {
        loop {
            if node.until_leading(true).await.is_err() {
                return;
            }
            if matches!(node.settled().await, Ok(true)) {
                if let Err(error) = adopt_unless_in_force(&ledger, rules.clone()).await {
                    warn!(%error, "the rules this replica was started with were not adopted");
                }
            }
            if node.until_leading(false).await.is_err() {
                return;
            }
        }
    });
}

/// Starts this replica in its configured cluster: the replica service on its own port, and raft.
/// It serves at once: until a leader is elected, writes are answered UNAVAILABLE.
async fn start_member(
    cluster: &config::ClusterFile,
    data_dir: &std::path::Path,
    address: SocketAddr,
    ledger: &Ledger,
    proposed: tokio::sync::mpsc::Receiver<ledger_store::Proposal>,
    log: ledger_core::checkpoint::Verifier,
) -> Result<StartedMember, StartError> {
    let failed = |error: String| StartError::Cluster(error);
    let id = cluster.node_id.filter(|id| *id >= 1).ok_or_else(|| {
        failed("the cluster's configuration names no node id (at least 1): set node_id, --node-id or LEDGER_NODE_ID".into())
    })?;
    let defaults = ledger_cluster::state_machine::Timing::default();
    let timing = ledger_cluster::state_machine::Timing {
        heartbeat_ms: cluster.heartbeat_ms.unwrap_or(defaults.heartbeat_ms),
        election_timeout_ms: cluster.election_timeout_ms.unwrap_or(defaults.election_timeout_ms),
    };
    timing.check().map_err(|error| failed(format!("[cluster]: {error}")))?;
    let kept = ledger_cluster::state_machine::Compaction::default();
    let compaction = ledger_cluster::state_machine::Compaction {
        snapshot_entries: cluster.snapshot_entries.unwrap_or(kept.snapshot_entries),
        entries_kept: cluster.log_entries_kept.unwrap_or(kept.entries_kept),
    };
    compaction.check().map_err(|error| failed(format!("[cluster]: {error}")))?;
    let secret_text = std::fs::read_to_string(&cluster.secret_file)
        .map_err(|error| failed(format!("cluster secret {}: {error}", cluster.secret_file.display())))?;
    let secret = ClusterSecret::new(&secret_text)
        .map_err(|error| failed(format!("cluster secret {}: {error}", cluster.secret_file.display())))?;
    let listener = TcpListener::bind(cluster.listen)
        .await
        .map_err(|error| StartError::Listen { address: cluster.listen, error })?;
    let bound =
        listener.local_addr().map_err(|error| StartError::Listen { address: cluster.listen, error })?;
    let this = Member::new(
        cluster.advertise.clone().unwrap_or_else(|| bound.to_string()),
        cluster.api_advertise.clone().unwrap_or_else(|| address.to_string()),
    );
    let members = match cluster.members.is_empty() {
        true => std::collections::BTreeMap::from([(id, this)]),
        false => cluster
            .members
            .iter()
            .map(|member| (member.id, Member::new(member.replica.clone(), member.api.clone())))
            .collect(),
    };
    let config = NodeConfig {
        id,
        cluster_name: cluster.name.clone().unwrap_or_else(|| "ledger".to_owned()),
        raft_dir: data_dir.join(ledger_cluster::node::RAFT_DIR),
        members,
        secret: secret.clone(),
        // Calls to the other replicas leave from the address this one listens on, when it names
        // one: a multi-homed host calls from the network the cluster uses.
        source: Some(cluster.listen.ip()).filter(|ip| !ip.is_unspecified()),
        timing,
        compaction,
    };
    let node =
        Node::start(config, ledger.clone(), proposed).await.map_err(|error| failed(error.to_string()))?;
    let cosigning = Cosigning { ledger: ledger.clone(), log };
    let service = ReplicaService::new(node.raft().clone(), secret.clone(), Some(cosigning));
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
        let stopping = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let served = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, stopping)
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the replica service stopped");
        }
    });
    info!(node = id, replica = %bound, "replica service listening");
    Ok(StartedMember { node, address: bound, stop, secret })
}

/// A replica started in its configured cluster.
struct StartedMember {
    node: Node,
    /// Where its replica service listens.
    address: SocketAddr,
    /// Stops the replica service.
    stop: tokio::sync::watch::Sender<bool>,
    secret: ClusterSecret,
}

fn tls_config(files: &TlsFiles) -> Result<tonic::transport::ServerTlsConfig, StartError> {
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|error| StartError::Tls { path: path.display().to_string(), error })
    };
    let identity = tonic::transport::Identity::from_pem(read(&files.cert)?, read(&files.key)?);
    let mut tls = tonic::transport::ServerTlsConfig::new().identity(identity);
    if let Some(client_ca) = &files.client_ca {
        let ca = tonic::transport::Certificate::from_pem(read(client_ca)?);
        tls = tls.client_ca_root(ca).client_auth_optional(true);
    }
    Ok(tls)
}

/// Where the services are served: the configured port (with its TLS, if any) and, beside a TLS
/// port, a plain listener on loopback for the portal.
struct Listeners {
    public: TcpListener,
    tls: Option<tonic::transport::ServerTlsConfig>,
    loopback: Option<TcpListener>,
}

/// The services of `api` and `sign_in` behind the gate, with every limit of the transport; over
/// TLS when `tls` is given.
fn services(
    api: &services::Api,
    sign_in: &sign_in::SignIn,
    health_service: tonic_health::pb::health_server::HealthServer<
        impl tonic_health::pb::health_server::Health,
    >,
    gate: &Arc<Gate>,
    tls: Option<tonic::transport::ServerTlsConfig>,
) -> Result<
    tonic::transport::server::Router<tower::layer::util::Stack<GateLayer, tower::layer::util::Identity>>,
    tonic::transport::Error,
> {
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(ledger_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
        .build_v1();
    let mut builder = tonic::transport::Server::builder()
        // Advertised in SETTINGS_MAX_CONCURRENT_STREAMS: one connection holds at most this many.
        .max_concurrent_streams(Some(STREAMS_PER_CONNECTION_MAX))
        // A request whose body never comes (or a unary answer that takes too long) gives back
        // its permits after this.
        .timeout(REQUEST_TIMEOUT)
        // h2's protections against floods of provoked stream resets, which tonic turns off.
        .http2_max_pending_accept_reset_streams(Some(PENDING_ACCEPT_RESET_STREAMS_MAX))
        .http2_max_local_error_reset_streams(Some(LOCAL_ERROR_RESET_STREAMS_MAX))
        // A peer that stops answering pings (a half-open connection) is dropped.
        .http2_keepalive_interval(Some(KEEPALIVE_INTERVAL))
        .http2_keepalive_timeout(Some(KEEPALIVE_TIMEOUT))
        .http2_max_header_list_size(Some(HEADER_LIST_BYTES_MAX));
    if let Some(tls) = tls {
        builder = builder.tls_config(tls)?;
    }
    let mut router = builder
        .layer(GateLayer { gate: gate.clone() })
        .add_service(health_service)
        .add_service(
            pb::agency_service_server::AgencyServiceServer::new(api.clone())
                .max_decoding_message_size(REQUEST_BYTES_MAX)
                .max_encoding_message_size(RESPONSE_BYTES_MAX),
        )
        .add_service(
            pb::worker_service_server::WorkerServiceServer::new(api.clone())
                .max_decoding_message_size(REQUEST_BYTES_MAX)
                .max_encoding_message_size(RESPONSE_BYTES_MAX),
        )
        .add_service(
            pb::sign_in_service_server::SignInServiceServer::new(sign_in.clone())
                .max_decoding_message_size(REQUEST_BYTES_MAX)
                .max_encoding_message_size(RESPONSE_BYTES_MAX),
        )
        .add_service(
            pb::appeal_service_server::AppealServiceServer::new(api.clone())
                .max_decoding_message_size(REQUEST_BYTES_MAX)
                .max_encoding_message_size(RESPONSE_BYTES_MAX),
        )
        .add_service(
            pb::audit_service_server::AuditServiceServer::new(api.clone())
                .max_decoding_message_size(REQUEST_BYTES_MAX)
                .max_encoding_message_size(RESPONSE_BYTES_MAX),
        );
    if let Ok(reflection) = reflection {
        router = router.add_service(reflection);
    }
    Ok(router)
}

async fn serve(
    listeners: Listeners,
    ledger: Ledger,
    gate: Arc<Gate>,
    cosigners: Option<Arc<Cosigners>>,
    node: ledger_cluster::node::Node,
    stopped: oneshot::Receiver<()>,
) -> Result<(), tonic::transport::Error> {
    let (stopping_sender, stopping) = tokio::sync::watch::channel(false);
    let sign_in = sign_in::SignIn::new(ledger.clone(), gate.sessions().clone());
    let api = services::Api {
        sign_in: sign_in.clone(),
        ledger,
        metrics: gate.metrics.clone(),
        limits: gate.limits(),
        stopping: stopping.clone(),
        gate: gate.clone(),
        cosigners,
        node,
        reports: Arc::new(tokio::sync::Semaphore::new(services::REPORTS_IN_FLIGHT_MAX)),
    };
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_serving::<pb::agency_service_server::AgencyServiceServer<services::Api>>().await;
    health.set_serving::<pb::worker_service_server::WorkerServiceServer<services::Api>>().await;
    health.set_serving::<pb::audit_service_server::AuditServiceServer<services::Api>>().await;
    health.set_serving::<pb::sign_in_service_server::SignInServiceServer<sign_in::SignIn>>().await;
    // A sealed writer takes no more writes until a restart: health says so, and liveness probes
    // restart the ledger.
    // So does stored data found damaged: no write goes on top of it and nothing is signed.
    let mut sealed = api.ledger.sealed();
    let mut damage = api.ledger.damage();
    let reporter = health.clone();
    tokio::spawn(async move {
        let broken = tokio::select! {
            sealed = sealed.wait_for(Option::is_some) => sealed.is_ok(),
            damaged = damage.wait_for(Option::is_some) => damaged.is_ok(),
        };
        if broken {
            reporter.set_service_status("", tonic_health::ServingStatus::NotServing).await;
            reporter.set_not_serving::<pb::agency_service_server::AgencyServiceServer<services::Api>>().await;
            reporter.set_not_serving::<pb::worker_service_server::WorkerServiceServer<services::Api>>().await;
            reporter.set_not_serving::<pb::audit_service_server::AuditServiceServer<services::Api>>().await;
            reporter
                .set_not_serving::<pb::sign_in_service_server::SignInServiceServer<sign_in::SignIn>>()
                .await;
        }
    });
    // Within the connection caps; with TCP_NODELAY, since without it a response larger than one
    // segment waits for the client's delayed ACK (about 40 ms on Linux) before its last segment
    // leaves.
    let limits = gate.limits();
    if let Some(listener) = listeners.loopback {
        let incoming = connections::Incoming::new(
            listener,
            limits.connections_max,
            limits.connections_max,
            gate.metrics.clone(),
        );
        let router = services(&api, &sign_in, health_service.clone(), &gate, None)?;
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let until = async move {
                let _ = stopping.wait_for(|stopping| *stopping).await;
            };
            if let Err(error) = router.serve_with_incoming_shutdown(incoming, until).await {
                tracing::error!(%error, "the loopback listener stopped");
            }
        });
    }
    let incoming = connections::Incoming::new(
        listeners.public,
        limits.connections_max,
        limits.connections_per_peer_max,
        gate.metrics.clone(),
    );
    services(&api, &sign_in, health_service, &gate, listeners.tls)?
        .serve_with_incoming_shutdown(incoming, async move {
            let _ = stopped.await;
            // Live subscriptions never end by themselves: tell them, so the drain can finish.
            stopping_sender.send_replace(true);
        })
        .await
}

/// Creates a principals file for a new data directory: one agency for each jurisdiction of the
/// rules, an auditor and an operator. Their tokens go to a file only the owner can read.
fn bootstrap_principals(
    data_dir: &Path,
    principals_file: &Path,
    rules: &Rules,
) -> Result<PathBuf, StartError> {
    let mut new = Vec::new();
    for jurisdiction in rules.jurisdictions() {
        new.push(agency(jurisdiction.code));
    }
    for (id, role) in [("auditor", Role::Auditor), ("operator", Role::Operator)] {
        new.push(Principal { id: fixed_id(id), role, jurisdiction: None, worker: None });
    }
    let tokens = principals::add_many(principals_file, &new)?;
    let mut text = String::from(
        "# Tokens of the principals created with this data directory. Hand each to its holder over a\n\
         # safe channel, then delete this file: the ledger keeps only their digests.\n",
    );
    for (principal, token) in new.iter().zip(&tokens) {
        let jurisdiction = principal.jurisdiction.map(|code| code.to_string()).unwrap_or_else(|| "-".into());
        text.push_str(&format!("{} {} {} {}\n", principal.id, principal.role, jurisdiction, token));
    }
    let path = data_dir.join(INITIAL_TOKENS_FILE);
    principals::write_private(&path, text.as_bytes()).map_err(|source| {
        StartError::Principals(principals::PrincipalsError::Io { path: path.display().to_string(), source })
    })?;
    Ok(path)
}

/// The id of the agency created for a jurisdiction: `agency-` and the lower-case code.
pub fn agency_id(code: Jurisdiction) -> String {
    format!("agency-{}", code.as_str().to_ascii_lowercase())
}

fn agency(code: Jurisdiction) -> Principal {
    Principal { id: fixed_id(&agency_id(code)), role: Role::Agency, jurisdiction: Some(code), worker: None }
}

/// Ids built here from fixed parts are always valid.
fn fixed_id(text: &str) -> PrincipalId {
    match PrincipalId::parse(text) {
        Ok(id) => id,
        Err(error) => unreachable!("built-in principal id {text:?} is invalid: {error}"),
    }
}
