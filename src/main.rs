//! `ledger`: the portable social-protection ledger's server and its operator commands.

mod bench;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Parser, Subcommand, ValueEnum};
use ledger_core::{Jurisdiction, PrincipalId};
use ledger_rules::Rules;
use ledger_server::principals::{self, Principal, Role};
use ledger_server::{RulesSource, ServeConfig};

#[derive(Debug, Parser)]
#[command(name = "ledger", version, about = "Portable social-protection ledger")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Runs the gRPC service on the embedded sled store.
    Serve {
        /// Where the log and, by default, the principals file live; created when missing.
        #[arg(long, env = "LEDGER_DATA_DIR", default_value = "./ledger-data")]
        data_dir: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, env = "LEDGER_LISTEN", default_value = "127.0.0.1:50051")]
        listen: SocketAddr,
        /// Rules document (TOML); the shipped sample rules when absent.
        #[arg(long, env = "LEDGER_RULES")]
        rules: Option<PathBuf>,
        /// Principals file; DATA_DIR/principals.toml when absent, created for a new data directory.
        #[arg(long, env = "LEDGER_PRINCIPALS")]
        principals: Option<PathBuf>,
    },
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
    /// Replays the whole log into fresh projections (the server must be stopped).
    Rebuild {
        #[arg(long, env = "LEDGER_DATA_DIR", default_value = "./ledger-data")]
        data_dir: PathBuf,
    },
    /// Measures durable appends per second over real gRPC at several numbers of clients, balance
    /// latency, and the rebuild rate.
    Bench(bench::BenchArgs),
}

#[derive(Debug, Subcommand)]
enum PrincipalsCommand {
    /// Adds a principal, prints its new token once, and stores only the token's digest.
    Add {
        #[arg(long)]
        file: PathBuf,
        #[arg(long, value_enum)]
        role: RoleArg,
        #[arg(long)]
        id: String,
        /// The agency's jurisdiction (ISO 3166-1 alpha-2); agencies only.
        #[arg(long)]
        jurisdiction: Option<String>,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve { data_dir, listen, rules, principals } => {
            let rules = rules.map_or(RulesSource::Sample, RulesSource::File);
            run_async(serve(ServeConfig { data_dir, listen, rules, principals }))
        }
        Command::Principals { command: PrincipalsCommand::Add { file, role, id, jurisdiction } } => {
            add_principal(&file, role, &id, jurisdiction.as_deref())
        }
        Command::Rules { command: RulesCommand::Check { file } } => check_rules(&file),
        Command::Rebuild { data_dir } => rebuild(&data_dir),
        Command::Bench(args) => run_async(bench::run(args)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_async(future: impl std::future::Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(future)
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LEDGER_LOG").unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let data_dir = config.data_dir.clone();
    let rules_name = match &config.rules {
        RulesSource::Sample => "the shipped sample rules (illustrative figures, not legal advice)".to_owned(),
        RulesSource::File(path) => path.display().to_string(),
    };
    let server = ledger_server::start(config).await?;
    println!("ledger {} serving on {}", env!("CARGO_PKG_VERSION"), server.address);
    println!("data directory {} holds {} events", data_dir.display(), server.ledger.head().size);
    println!("rules: {rules_name}");
    println!("principals: {}", server.principals_file.display());
    if let Some(tokens) = &server.initial_tokens {
        println!(
            "new data directory: one agency per jurisdiction, an auditor and an operator were created; \
             their tokens are in {} (readable only by you)",
            tokens.display()
        );
    }
    wait_for_signal().await?;
    println!("stopping: finishing requests in flight");
    server.stop().await?;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result?,
        _ = terminate.recv() => {}
    }
    Ok(())
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
    };
    let jurisdiction = match (role, jurisdiction) {
        (Role::Agency, Some(code)) => Some(Jurisdiction::parse(code)?),
        (Role::Agency, None) => bail!("an agency needs --jurisdiction"),
        (_, Some(_)) => bail!("only an agency has a jurisdiction"),
        (_, None) => None,
    };
    let principal = Principal { id: PrincipalId::parse(id)?, role, jurisdiction, worker: None };
    let token = principals::add(file, &principal)?;
    println!("added {role} {id} to {}", file.display());
    println!("token (shown once; the file keeps only its digest): {token}");
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
