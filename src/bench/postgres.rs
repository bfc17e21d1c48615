//! The peer: the same append workload against PostgreSQL, as a team without this ledger might build
//! it. A throwaway cluster from Debian's packages in a temporary directory on a loopback port,
//! `synchronous_commit = on` and `fsync = on`; one table of events with a worker index; the client
//! encodes each record exactly as the ledger does and computes the same hash chain, taking the head
//! row's lock so that concurrent clients extend one chain; one transaction per request.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{SubsecRound, Utc};
use ledger_core::{chain_hash, event_hash, ChainHash, Event, PrincipalId, Record, RequestId, Seq};
use ledger_proto::v1 as pb;
use tokio_postgres::NoTls;

use super::population::Member;

/// Where Debian installs PostgreSQL's server programs; `initdb` on the PATH is tried first.
const DEBIAN_POSTGRES_BIN: &str = "/usr/lib/postgresql";

pub struct Cluster {
    dir: tempfile::TempDir,
    bin: PathBuf,
    pub port: u16,
    as_postgres_user: bool,
}

fn server_bin() -> anyhow::Result<PathBuf> {
    if let Ok(output) = std::process::Command::new("sh").args(["-c", "command -v initdb"]).output() {
        let path = String::from_utf8_lossy(&output.stdout).trim().to_owned();
        if output.status.success() && !path.is_empty() {
            let resolved = std::fs::canonicalize(&path)?;
            return Ok(resolved.parent().context("initdb's directory")?.to_owned());
        }
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir(DEBIAN_POSTGRES_BIN)
        .map(|dir| dir.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    versions.sort();
    match versions.pop() {
        Some(version) => Ok(version.join("bin")),
        None => bail!("PostgreSQL's server is not installed: apt-get install postgresql"),
    }
}

impl Cluster {
    /// Creates and starts a cluster. As root, the server runs as the `postgres` user, since
    /// PostgreSQL refuses to run as root.
    pub fn start() -> anyhow::Result<Cluster> {
        let bin = server_bin()?;
        let dir = tempfile::tempdir()?;
        let as_postgres_user = std::process::Command::new("id").arg("-u").output()?.stdout.starts_with(b"0");
        if as_postgres_user {
            let status = std::process::Command::new("chown").arg("postgres").arg(dir.path()).status()?;
            if !status.success() {
                bail!("cannot hand {} to the postgres user", dir.path().display());
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let cluster = Cluster { dir, bin, port, as_postgres_user };
        let data = cluster.data_dir();
        cluster.run("initdb", &["-D", &data, "-U", "bench", "-A", "trust", "--no-sync"])?;
        let options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on \
             -c shared_buffers=256MB -c max_connections=200",
            cluster.dir.path().display()
        );
        let log = cluster.dir.path().join("postgres.log").display().to_string();
        cluster.run("pg_ctl", &["-D", &data, "-o", &options, "-l", &log, "-w", "start"])?;
        Ok(cluster)
    }

    fn data_dir(&self) -> String {
        self.dir.path().join("data").display().to_string()
    }

    fn run(&self, program: &str, args: &[&str]) -> anyhow::Result<()> {
        let path = self.bin.join(program);
        let mut command = match self.as_postgres_user {
            true => {
                let mut command = std::process::Command::new("runuser");
                command.args(["-u", "postgres", "--"]).arg(&path);
                command
            }
            false => std::process::Command::new(&path),
        };
        let output = command.args(args).output().with_context(|| format!("cannot run {}", path.display()))?;
        if !output.status.success() {
            bail!("{program} failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub async fn connect(&self) -> anyhow::Result<tokio_postgres::Client> {
        let config = format!("host=127.0.0.1 port={} user=bench dbname=postgres", self.port);
        let (client, connection) = tokio_postgres::connect(&config, NoTls).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(client)
    }

    /// The events table, its worker index and the head row that serialises the chain.
    pub async fn create_schema(&self) -> anyhow::Result<()> {
        let client = self.connect().await?;
        client
            .batch_execute(
                "CREATE TABLE events (
                    seq bigint PRIMARY KEY,
                    worker_id text,
                    recorded_at timestamptz NOT NULL,
                    record bytea NOT NULL,
                    event_hash bytea NOT NULL,
                    chain_hash bytea NOT NULL
                 );
                 CREATE INDEX events_by_worker ON events (worker_id, seq);
                 CREATE TABLE head (id int PRIMARY KEY, size bigint NOT NULL, chain_hash bytea NOT NULL);
                 INSERT INTO head VALUES (1, 0, decode(repeat('00', 32), 'hex'));",
            )
            .await?;
        Ok(())
    }

    pub fn stop(self) -> anyhow::Result<()> {
        self.run("pg_ctl", &["-D", &self.data_dir(), "-m", "fast", "-w", "stop"])
    }
}

/// One client appending requests of `batch` contributions until `deadline`, each request one
/// transaction that extends the chain. Returns (events, request latencies in µs).
pub async fn drive(
    cluster: &Cluster,
    client_index: usize,
    members: &[Member],
    ids: &[String],
    batch: usize,
    deadline: Instant,
) -> anyhow::Result<(u64, Vec<u64>)> {
    let mut client = cluster.connect().await?;
    let insert = client
        .prepare(
            "INSERT INTO events (seq, worker_id, recorded_at, record, event_hash, chain_hash)
             SELECT * FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::bytea[], $5::bytea[], $6::bytea[])",
        )
        .await?;
    let principal = PrincipalId::parse("agency-sa")?;
    let mut events = 0u64;
    let mut latencies = Vec::new();
    let mut request = 0usize;
    while Instant::now() < deadline {
        let request_id = RequestId::parse(&format!("peer-{client_index}-{request}"))?;
        let items: Vec<ledger_core::ContributionRecorded> = (0..batch)
            .map(|item| {
                let index = (client_index * 7919 + request * batch + item) % members.len();
                let wire = super::population::contribution(
                    &ids[index],
                    &members[index],
                    2020 * 12 + (item % 60) as u32,
                );
                ledger_server::convert::contribution(&pb::Contribution {
                    jurisdiction: "SA".into(),
                    currency: "SAR".into(),
                    ..wire
                })
            })
            .collect::<Result<_, _>>()?;
        let started = Instant::now();
        let transaction = client.transaction().await?;
        let head =
            transaction.query_one("SELECT size, chain_hash FROM head WHERE id = 1 FOR UPDATE", &[]).await?;
        let size: i64 = head.get(0);
        let mut prev = ChainHash::from_slice(head.get::<_, &[u8]>(1)).context("a 32-byte chain hash")?;
        let recorded_at = Utc::now().trunc_subsecs(6);
        let mut columns = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (offset, item) in items.into_iter().enumerate() {
            let seq = size + offset as i64;
            let worker = item.worker_id.to_string();
            let record = Record {
                seq: Seq(seq as u64),
                recorded_at,
                principal: principal.clone(),
                request_id: request_id.clone(),
                prev_chain_hash: prev,
                event: Event::ContributionRecorded(item),
            }
            .encode();
            let leaf = event_hash(&record);
            prev = chain_hash(&prev, &leaf);
            columns.0.push(seq);
            columns.1.push(worker);
            columns.2.push(std::time::SystemTime::from(recorded_at));
            columns.3.push(record);
            columns.4.push(leaf.as_bytes().to_vec());
            columns.5.push(prev.as_bytes().to_vec());
        }
        transaction
            .execute(&insert, &[&columns.0, &columns.1, &columns.2, &columns.3, &columns.4, &columns.5])
            .await?;
        let new_size = size + batch as i64;
        transaction
            .execute(
                "UPDATE head SET size = $1, chain_hash = $2 WHERE id = 1",
                &[&new_size, &prev.as_bytes().to_vec()],
            )
            .await?;
        transaction.commit().await?;
        latencies.push(started.elapsed().as_micros() as u64);
        events += batch as u64;
        request += 1;
    }
    Ok((events, latencies))
}

/// Waits up to a few seconds for the cluster's socket, for slow starts.
pub async fn ready(cluster: &Cluster) -> anyhow::Result<()> {
    for _ in 0..50 {
        if cluster.connect().await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("PostgreSQL did not accept connections on port {}", cluster.port)
}
