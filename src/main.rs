//! `ledger`: the portable social-protection ledger's server and its operator commands.

mod backup;
mod bench;
mod claims;
mod cli;
mod cluster;
mod cluster_torture;
mod connection;
mod demo;
mod export;
mod recruitment;
mod reports;
mod slip;
mod soak;
mod statement;
mod torture;
mod trust;
mod witness;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use ledger_core::{Jurisdiction, PrincipalId};
use ledger_rules::Rules;
use ledger_server::config::{ClusterFile, ConfigFile, LimitsFile};
use ledger_server::principals::{self, Principal, Role};
use ledger_server::{Limits, RulesSource, ServeConfig, TlsFiles};

#[derive(Debug, Parser)]
#[command(name = "ledger", version, about = "Portable social-protection ledger")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the gRPC service on the embedded sled store.
    Serve(ServeArgs),
    /// Manages who may call the ledger.
    Principals {
        #[command(subcommand)]
        command: PrincipalsCommand,
    },
    /// Works with rules documents.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Commands of a partner agency.
    Agency {
        #[command(flatten)]
        connection: cli::Connection,
        #[command(subcommand)]
        command: cli::AgencyCommand,
    },
    /// Commands of an appeal body: the appeals made to it, and its decisions.
    Appeal {
        #[command(flatten)]
        connection: cli::Connection,
        #[command(subcommand)]
        command: cli::AppealCommand,
    },
    /// Commands of a worker (or of an agency reading a worker's record).
    Worker {
        #[command(flatten)]
        connection: cli::Connection,
        #[command(subcommand)]
        command: cli::WorkerCommand,
    },
    /// Commands of an auditor.
    Audit {
        #[command(flatten)]
        connection: cli::Connection,
        #[command(subcommand)]
        command: cli::AuditCommand,
    },
    /// An outside witness: checks the log's checkpoint against the last one it cosigned and
    /// cosigns it (C2SP tlog-cosignature).
    Witness {
        #[command(subcommand)]
        command: witness::WitnessCommand,
    },
    /// Plays a realistic story: agencies in several countries, a worker who moves, a reversal,
    /// an entitlement, an auditor verifying; prints the balances. Starts its own server on a
    /// temporary data directory unless given --server and --tokens.
    Demo(demo::DemoArgs),
    /// Writes the log up to the current signed checkpoint to a file, for offline verification.
    Export {
        #[command(flatten)]
        connection: cli::Connection,
        #[arg(long)]
        to: PathBuf,
    },
    /// Checks an export with no server: every record, the chain, the Merkle root and the
    /// checkpoint's signature.
    VerifyExport {
        file: PathBuf,
        /// The verifier key (as `ledger key show` prints it), or a file holding it.
        #[arg(long)]
        key: String,
        /// A cosignature policy file (`at-least K`, then `cosigner KEY` lines; docs/FORMAT.md):
        /// the checkpoint must also carry valid cosignatures by at least K of those cosigners.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Portable statements.
    Statement {
        #[command(subcommand)]
        command: StatementCommand,
    },
    /// The log's signing key.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Replays the whole log into fresh projections (the server must be stopped).
    Rebuild {
        #[arg(long, env = "LEDGER_DATA_DIR", default_value = "./ledger-data")]
        data_dir: PathBuf,
    },
    /// Measures durable appends per second over real gRPC at several numbers of clients, balance
    /// latency, and the rebuild rate.
    Bench(bench::BenchArgs),
    /// Takes a consistent copy of a running ledger into a new directory: the log up to a signed
    /// checkpoint, and what a restore needs beside it (operator token).
    Backup(backup::BackupArgs),
    /// Makes a new data directory from a backup, after checking the copy: every record, the chain,
    /// the Merkle root and the checkpoint's signature; then checks the new store from end to end.
    Restore(backup::RestoreArgs),
    /// Checks a stopped data directory from end to end: the chain, the Merkle nodes, every index,
    /// and projections against a rebuild from the log. Changes nothing.
    Check {
        #[arg(long, env = "LEDGER_DATA_DIR", default_value = "./ledger-data")]
        data_dir: PathBuf,
    },
    /// Holds the real server at a steady rate of appends and balance reads for minutes, sampling
    /// throughput, latency and memory; fails on any error but rate limiting, or on memory growth.
    Soak(soak::SoakArgs),
    /// The cluster's members and leader; adds and removes members.
    Cluster(cluster::ClusterArgs),
    /// Runs a cluster of real servers on loopback under concurrent writes, kills the leader (and
    /// sometimes a follower) with SIGKILL and cuts it off from the others, cycle after cycle, and
    /// checks after each that every replica holds every acknowledged event, the same log.
    ClusterTorture(cluster_torture::ClusterTortureArgs),
    /// Kills the real server with SIGKILL at random moments under concurrent writes, cycle after
    /// cycle, and checks after each restart that nothing acknowledged was lost or changed.
    Torture(torture::TortureArgs),
}

/// Every setting of `serve`: a flag or its environment variable wins over the configuration file,
/// which wins over the default.
#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Configuration file (TOML); see deploy/ledger.toml.
    #[arg(long, env = "LEDGER_CONFIG")]
    config: Option<PathBuf>,
    /// Where the log and, by default, the principals file live; created when missing
    /// [default: ./ledger-data].
    #[arg(long, env = "LEDGER_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Address to listen on; port 0 picks a free port [default: 127.0.0.1:50051].
    #[arg(long, env = "LEDGER_LISTEN")]
    listen: Option<SocketAddr>,
    /// Rules document (TOML); the shipped sample rules when absent.
    #[arg(long, env = "LEDGER_RULES")]
    rules: Option<PathBuf>,
    /// Principals file; DATA_DIR/principals.toml when absent, created for a new data directory.
    #[arg(long, env = "LEDGER_PRINCIPALS")]
    principals: Option<PathBuf>,
    /// Address for Prometheus metrics over HTTP (GET /metrics); none when absent.
    #[arg(long, env = "LEDGER_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Sustained requests per second of one principal.
    #[arg(long, env = "LEDGER_RATE_PER_SECOND")]
    rate_per_second: Option<f64>,
    /// Requests one principal may send at once above the sustained rate.
    #[arg(long, env = "LEDGER_RATE_BURST")]
    rate_burst: Option<f64>,
    /// Requests in flight over all callers.
    #[arg(long, env = "LEDGER_CONCURRENT_REQUESTS_MAX")]
    concurrent_requests_max: Option<usize>,
    /// Requests in flight of one principal, across its connections.
    #[arg(long, env = "LEDGER_PRINCIPAL_REQUESTS_MAX")]
    principal_requests_max: Option<usize>,
    /// Events the scrubber reads back per second while serving (the log and the projections).
    #[arg(long, env = "LEDGER_SCRUB_EVENTS_PER_SECOND")]
    scrub_events_per_second: Option<u64>,
    /// Minutes a worker's portal session lasts without a request [default: 15].
    #[arg(long, env = "LEDGER_SESSION_IDLE_MAX_MINUTES")]
    session_idle_max_minutes: Option<u64>,
    /// Server certificate (PEM) for TLS; with --tls-key.
    #[arg(long, env = "LEDGER_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// Server private key (PEM) for TLS.
    #[arg(long, env = "LEDGER_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// CA (PEM) that signs agencies' client certificates: agencies must then use mutual TLS.
    #[arg(long, env = "LEDGER_TLS_CLIENT_CA", requires = "tls_cert")]
    tls_client_ca: Option<PathBuf>,
    /// File of the log's signing key, created when missing [default: DATA_DIR/log-key]. Keep it
    /// outside the data directory, so that whoever can rewrite the store cannot re-sign it.
    #[arg(long, env = "LEDGER_LOG_KEY")]
    log_key: Option<PathBuf>,
    /// File of this replica's cosigning key, created when missing [default: DATA_DIR/replica-key].
    /// Like the log key, best kept outside the data directory.
    #[arg(long, env = "LEDGER_REPLICA_KEY")]
    replica_key: Option<PathBuf>,
    /// Serve a log that lacks events the ledger acknowledged (sled's recovery dropped them)
    /// instead of refusing to start. Logged; only for when no backup holds them. Not settable in
    /// the configuration file or the environment, so that it is never left on by accident.
    #[arg(long)]
    accept_rollback: bool,
    /// This replica's id in its cluster (the `[cluster]` section of the configuration file).
    #[arg(long, env = "LEDGER_NODE_ID")]
    node_id: Option<u64>,
    /// Where the workers' web portal listens, or `off` [default: 127.0.0.1:8080].
    #[arg(long, env = "LEDGER_PORTAL_LISTEN")]
    portal_listen: Option<String>,
    /// The portal's address as workers' phones reach it, such as https://ledger.example.org
    /// behind a proxy: printed statements link to its /verify page [default: http:// and the
    /// address the portal listens on].
    #[arg(long, env = "LEDGER_PORTAL_URL")]
    portal_url: Option<String>,
}

/// Where the workers' portal listens, and the address phones reach it at.
struct PortalSettings {
    listen: SocketAddr,
    public_url: Option<String>,
}

/// Where the portal listens unless configured otherwise.
const PORTAL_LISTEN_DEFAULT: &str = "127.0.0.1:8080";

/// The portal's address from `--portal-listen` or the configuration file: none for `off`.
fn portal_listen(setting: &str) -> anyhow::Result<Option<SocketAddr>> {
    match setting.trim() {
        "off" => Ok(None),
        address => address
            .parse()
            .map(Some)
            .with_context(|| format!("portal_listen: {address:?} is neither HOST:PORT nor \"off\"")),
    }
}

impl ServeArgs {
    fn into_config(self) -> anyhow::Result<(ServeConfig, Option<PortalSettings>)> {
        let file = match &self.config {
            Some(path) => ConfigFile::load(path)?,
            None => ConfigFile::default(),
        };
        let portal_setting = self.portal_listen.clone().or(file.portal_listen.clone());
        let portal = portal_listen(portal_setting.as_deref().unwrap_or(PORTAL_LISTEN_DEFAULT))?;
        let portal_url = self.portal_url.clone().or(file.portal_url.clone());
        if let Some(url) = &portal_url {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                bail!("portal_url: {url:?} is not an http:// or https:// address");
            }
        }
        let portal = portal.map(|listen| PortalSettings { listen, public_url: portal_url });
        let overrides = LimitsFile {
            requests_per_second: self.rate_per_second,
            burst: self.rate_burst,
            concurrent_requests_max: self.concurrent_requests_max,
            principal_requests_max: self.principal_requests_max,
            principal_streams_max: None,
            subscriber_stall_max_ms: None,
            scrub_events_per_second: self.scrub_events_per_second,
            connections_max: None,
            connections_per_peer_max: None,
            session_idle_max_minutes: self.session_idle_max_minutes,
        };
        let limits = overrides.over(file.limits.over(Limits::default()));
        if limits.requests_per_second < 1.0
            || limits.burst < 1.0
            || limits.concurrent_requests_max == 0
            || limits.principal_requests_max == 0
            || limits.scrub_events_per_second == 0
            || limits.session_idle_max.is_zero()
        {
            bail!("rate, burst, requests in flight, the scrub rate and the session timeout must each be at least 1");
        }
        let config = ServeConfig {
            data_dir: self.data_dir.or(file.data_dir).unwrap_or_else(|| PathBuf::from("./ledger-data")),
            listen: self.listen.or(file.listen).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 50051))),
            rules: self.rules.or(file.rules).map_or(RulesSource::Sample, RulesSource::File),
            principals: self.principals.or(file.principals),
            limits,
            metrics_listen: self.metrics_listen.or(file.metrics_listen),
            tls: match (self.tls_cert, self.tls_key) {
                (Some(cert), Some(key)) => Some(TlsFiles { cert, key, client_ca: self.tls_client_ca }),
                _ => file.tls,
            },
            log_key: self.log_key.or(file.log_key),
            replica_key: self.replica_key.or(file.replica_key),
            accept_rollback: self.accept_rollback,
            cluster: match (file.cluster, self.node_id) {
                (Some(cluster), node_id) => {
                    Some(ClusterFile { node_id: node_id.or(cluster.node_id), ..cluster })
                }
                (None, Some(_)) => bail!("--node-id needs a [cluster] section in the configuration file"),
                (None, None) => None,
            },
            clock: ledger_store::Clock::system(),
            // The portal calls the services on this host: in plain TCP on loopback beside a TLS
            // port, through the same gate.
            loopback: portal.is_some(),
        };
        Ok((config, portal))
    }
}

#[derive(Debug, Subcommand)]
enum PrincipalsCommand {
    /// Gives a principal a new token, printed once; the old one stops working on SIGHUP.
    Rotate {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        id: String,
    },
    /// Removes a principal; its token stops working on SIGHUP.
    Remove {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        id: String,
    },
    /// Adds a principal, prints its new token once, and stores only the token's digest.
    Add {
        #[arg(long)]
        file: PathBuf,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        id: String,
        /// The jurisdiction (ISO 3166-1 alpha-2) of an agency, where an organisation is registered,
        /// or where an appeal body sits.
        #[arg(long)]
        jurisdiction: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum StatementCommand {
    /// Checks a statement offline: every event's inclusion proof against the signed checkpoint,
    /// and the checkpoint against the log's verifier key. Prints the periods per country.
    Verify {
        file: PathBuf,
        /// The verifier key (as `ledger key show` prints it), or a file holding it.
        #[arg(long)]
        key: String,
        /// A cosignature policy file (`at-least K`, then `cosigner KEY` lines; docs/FORMAT.md):
        /// the checkpoint must also carry valid cosignatures by at least K of those cosigners.
        #[arg(long)]
        policy: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum KeyCommand {
    /// Prints the verifier key (C2SP signed-note format) that checks the log's checkpoints.
    Show {
        #[arg(long, env = "LEDGER_DATA_DIR", default_value = "./ledger-data")]
        data_dir: PathBuf,
        /// The log key's file, when it is kept outside the data directory.
        #[arg(long, env = "LEDGER_LOG_KEY")]
        log_key: Option<PathBuf>,
        /// Print this replica's cosigner key (C2SP tlog-cosignature) instead, for a policy file.
        #[arg(long)]
        replica: bool,
        /// The replica key's file, when it is kept outside the data directory.
        #[arg(long, env = "LEDGER_REPLICA_KEY")]
        replica_key: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum RulesCommand {
    /// Checks a rules document and lists every mistake with its place.
    Check { file: PathBuf },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum RoleArg {
    Agency,
    Auditor,
    Operator,
    /// A workers' organisation (a union or a migrant workers' organisation), with the
    /// jurisdiction where it is registered.
    Organisation,
    /// The body the rules name to decide appeals in a jurisdiction (a labour court, a tribunal),
    /// with that jurisdiction; its id is the rules' `appeal_body`.
    #[value(name = "appeal_body")]
    AppealBody,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => {
            args.into_config().and_then(|(config, portal)| run_async(serve(config, portal)))
        }
        Command::Principals { command: PrincipalsCommand::Add { file, role, id, jurisdiction } } => {
            add_principal(&file, role, &id, jurisdiction.as_deref())
        }
        Command::Principals { command: PrincipalsCommand::Rotate { file, id } } => {
            principals::rotate(&file, &id)
                .map(|token| {
                    println!(
                        "rotated {id} in {}; send SIGHUP to the server to put it in force",
                        file.display()
                    );
                    println!("token (shown once; the file keeps only its digest): {token}");
                })
                .map_err(Into::into)
        }
        Command::Principals { command: PrincipalsCommand::Remove { file, id } } => {
            principals::remove(&file, &id)
                .map(|()| {
                    println!(
                        "removed {id} from {}; send SIGHUP to the server to put it in force",
                        file.display()
                    );
                })
                .map_err(Into::into)
        }
        Command::Rules { command: RulesCommand::Check { file } } => check_rules(&file),
        Command::Rebuild { data_dir } => rebuild(&data_dir),
        Command::Key { command: KeyCommand::Show { data_dir, log_key, replica, replica_key } } => {
            show_key(&data_dir, log_key, replica.then_some(replica_key))
        }
        Command::Statement { command: StatementCommand::Verify { file, key, policy } } => {
            trust::load(&key, policy.as_deref()).and_then(|trust| statement::verify_file(&file, &trust))
        }
        Command::Export { connection, to } => {
            run_async(async move { export::export(&connection, &to).await.map(drop) })
        }
        Command::VerifyExport { file, key, policy } => {
            trust::load(&key, policy.as_deref()).and_then(|trust| export::verify_file(&file, &trust))
        }
        Command::Agency { connection, command } => run_async(cli::agency(&connection, command)),
        Command::Worker { connection, command } => run_async(cli::worker(&connection, command)),
        Command::Appeal { connection, command } => run_async(cli::appeal(&connection, command)),
        Command::Audit { connection, command } => run_async(cli::audit(&connection, command)),
        Command::Witness { command } => run_async(witness::run(command)),
        Command::Demo(args) => run_async(demo::run(args)),
        Command::Bench(args) => run_async(bench::run(args)),
        Command::Torture(args) => run_async(torture::run(args)),
        Command::Cluster(args) => run_async(cluster::run(args)),
        Command::ClusterTorture(args) => run_async(cluster_torture::run(args)),
        Command::Soak(args) => run_async(soak::run(args)),
        Command::Backup(args) => run_async(backup::backup(args)),
        Command::Restore(args) => backup::restore(&args),
        Command::Check { data_dir } => backup::check(&data_dir),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Threads for blocking reads of the store (statements, balances, proofs). Each read is short;
/// more threads than this only add memory (every thread that allocates may get its own allocator
/// arena) and contention for the same cores.
const BLOCKING_THREADS_MAX: usize = 32;

fn run_async(future: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS_MAX)
        .build()
        .context("cannot start the async runtime")?
        .block_on(future)
}

async fn serve(config: ServeConfig, portal_settings: Option<PortalSettings>) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            // openraft narrates every election and shutdown step at info: its warnings are what an
            // operator needs.
            tracing_subscriber::EnvFilter::try_from_env("LEDGER_LOG")
                .unwrap_or_else(|_| "info,openraft=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let data_dir = config.data_dir.clone();
    let rules_name = match &config.rules {
        RulesSource::Sample => "the shipped sample rules (illustrative figures, not legal advice)".to_owned(),
        RulesSource::File(path) => path.display().to_string(),
    };
    let session_idle_max = config.limits.session_idle_max;
    let server = ledger_server::start(config).await?;
    println!("ledger {} serving on {}", env!("CARGO_PKG_VERSION"), server.address);
    let portal = match portal_settings {
        Some(PortalSettings { listen, public_url }) => {
            // The portal calls this server on loopback: its own plain listener beside a TLS port,
            // else the port itself (on 127.0.0.1 when it listens on every address).
            let ledger = match (server.loopback_address, server.address.ip().is_unspecified()) {
                (Some(loopback), _) => loopback,
                (None, true) => SocketAddr::from(([127, 0, 0, 1], server.address.port())),
                (None, false) => server.address,
            };
            let config = ledger_portal::PortalConfig {
                listen,
                ledger: ledger.to_string(),
                session_idle_max,
                verifier_key: server.verifier_key.clone(),
                cosigner_keys: vec![server.cosigner_key.clone()],
                public_url,
                sign_in_rate: ledger_portal::web::SignInRate::default(),
            };
            Some(ledger_portal::start(config).await?)
        }
        None => None,
    };
    if let Some(replica) = server.replica_address {
        println!("replica service on {replica}");
    }
    let size = server.ledger.head().size;
    let noun = if size == 1 { "event" } else { "events" };
    println!("data directory {} holds {size} {noun}", data_dir.display());
    println!("rules: {rules_name}");
    println!("principals: {}", server.principals_file.display());
    if let Some(metrics) = server.metrics_address {
        println!("metrics: http://{metrics}/metrics");
    }
    if let Some(tokens) = &server.initial_tokens {
        println!(
            "new data directory: one agency per jurisdiction, an auditor and an operator were created; \
             their tokens are in {} (readable only by you)",
            tokens.display()
        );
    }
    if let Some(portal) = &portal {
        println!("workers' portal: http://{}/", portal.address);
    }
    let sealed = wait_for_stop(&server).await?;
    println!("stopping: finishing requests in flight");
    if let Some(portal) = portal {
        portal.stop().await;
    }
    server.stop().await?;
    if let Some(reason) = sealed {
        // Exiting with a failure lets the supervisor (systemd, Kubernetes) restart the ledger, which
        // recovers from what is on disk.
        bail!("stopped because {reason}");
    }
    Ok(())
}

/// Waits for SIGTERM or Ctrl-C, or for the writer to be sealed by a failed write (returning why);
/// on SIGHUP, reloads the principals file and goes on waiting.
async fn wait_for_stop(server: &ledger_server::RunningServer) -> anyhow::Result<Option<String>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut sealed = server.ledger.sealed();
    loop {
        tokio::select! {
            result = tokio::signal::ctrl_c() => return Ok(result.map(|()| None)?),
            _ = terminate.recv() => return Ok(None),
            Ok(reason) = sealed.wait_for(Option::is_some) => return Ok(reason.clone()),
            _ = hangup.recv() => match server.reload_principals() {
                Ok(count) => tracing::info!(count, "principals reloaded"),
                Err(error) => tracing::error!(%error, "principals not reloaded; the previous ones stay in force"),
            },
        }
    }
}

fn add_principal(
    file: &std::path::Path,
    role: RoleArg,
    id: &str,
    jurisdiction: Option<&str>,
) -> anyhow::Result<()> {
    let role = match role {
        RoleArg::Agency => Role::Agency,
        RoleArg::Auditor => Role::Auditor,
        RoleArg::Operator => Role::Operator,
        RoleArg::Organisation => Role::Organisation,
        RoleArg::AppealBody => Role::AppealBody,
    };
    let jurisdiction = match (role, jurisdiction) {
        (Role::Agency | Role::Organisation | Role::AppealBody, Some(code)) => {
            Some(Jurisdiction::parse(code)?)
        }
        (Role::Agency, None) => bail!("an agency needs --jurisdiction"),
        (Role::Organisation, None) => bail!("an organisation needs --jurisdiction: where it is registered"),
        (Role::AppealBody, None) => bail!("an appeal body needs --jurisdiction: where it sits"),
        (_, Some(_)) => bail!("only an agency, an organisation or an appeal body has a jurisdiction"),
        (_, None) => None,
    };
    let principal = Principal { id: PrincipalId::parse(id)?, role, jurisdiction, worker: None };
    let token = principals::add(file, &principal)?;
    println!("added {role} {id} to {}", file.display());
    println!("token (shown once; the file keeps only its digest): {token}");
    Ok(())
}

/// Prints the log's verifier key, or with `replica` this replica's cosigner key (its file, when
/// named). Creates neither: a key is made by the server that uses it.
fn show_key(
    data_dir: &std::path::Path,
    log_key: Option<PathBuf>,
    replica: Option<Option<PathBuf>>,
) -> anyhow::Result<()> {
    let log_key = log_key.unwrap_or_else(|| data_dir.join(ledger_server::LOG_KEY_FILE));
    if !log_key.exists() {
        bail!("{} holds no log key: start the server on it once", log_key.display());
    }
    let log = ledger_server::load_or_create_log_key_at(&log_key)?;
    match replica {
        None => println!("{}", log.verifier_key()),
        Some(replica_key) => {
            let replica_key = replica_key.unwrap_or_else(|| data_dir.join(ledger_server::REPLICA_KEY_FILE));
            if !replica_key.exists() {
                bail!("{} holds no replica key: start the server on it once", replica_key.display());
            }
            println!("{}", ledger_server::load_or_create_replica_key_at(&replica_key, &log)?.verifier_key());
        }
    }
    Ok(())
}

fn rebuild(data_dir: &std::path::Path) -> anyhow::Result<()> {
    if !data_dir.join(ledger_store::SLED_DIR).exists() {
        bail!("{} holds no ledger", data_dir.display());
    }
    let report =
        ledger_store::rebuild(data_dir).with_context(|| format!("rebuilding {}", data_dir.display()))?;
    println!("{}", bench::rebuild_line(&report));
    Ok(())
}

fn check_rules(file: &std::path::Path) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    match Rules::parse(&text) {
        Ok(rules) => {
            println!(
                "{}: rules {} version {} are valid: {} jurisdictions",
                file.display(),
                rules.name(),
                rules.version(),
                rules.jurisdictions().count()
            );
            Ok(())
        }
        Err(error) => {
            for problem in &error.problems {
                println!("{}: {problem}", file.display());
            }
            bail!("{} mistakes in {}", error.problems.len(), file.display())
        }
    }
}
