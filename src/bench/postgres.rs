//! The peer: the same append workload against PostgreSQL, as a team without this ledger might build
//! it. A throwaway cluster from Debian's packages in a temporary directory on a loopback port,
//! `synchronous_commit = on` and `fsync = on`; one table of events with a worker index; the client
//! encodes each record exactly as the ledger does and computes the same hash chain, taking the head
//! row's lock so that concurrent clients extend one chain; one transaction per request.
//!
//! A second peer does what the ledger does for its figure: in the same transaction it also keeps
//! each worker's projection (her month cells of coverage, with contributions, wages and shares,
//! and her last seq and number of events), upserted from the request's contributions; her
//! statement is the events table's worker index.

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
                 CREATE TABLE coverage (
                    worker_id text, jurisdiction text, branch int, month int,
                    contributions int NOT NULL, wage bigint NOT NULL,
                    employer_paid bigint NOT NULL, worker_paid bigint NOT NULL,
                    PRIMARY KEY (worker_id, jurisdiction, branch, month)
                 );
                 CREATE TABLE workers (worker_id text PRIMARY KEY, last_seq bigint NOT NULL, events bigint NOT NULL);
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

/// Upserts of the second peer: month cells and workers, each key once per request.
const UPSERT_COVERAGE: &str = "INSERT INTO coverage
     SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::bigint[], $7::bigint[], $8::bigint[])
     ON CONFLICT (worker_id, jurisdiction, branch, month) DO UPDATE SET
       contributions = coverage.contributions + EXCLUDED.contributions,
       wage = coverage.wage + EXCLUDED.wage,
       employer_paid = coverage.employer_paid + EXCLUDED.employer_paid,
       worker_paid = coverage.worker_paid + EXCLUDED.worker_paid";
const UPSERT_WORKERS: &str =
    "INSERT INTO workers SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
     ON CONFLICT (worker_id) DO UPDATE SET
       last_seq = GREATEST(workers.last_seq, EXCLUDED.last_seq), events = workers.events + EXCLUDED.events";

/// A month cell of a worker's coverage, as the second peer keeps it.
type Cell = (String, String, i32, i32);

/// One client appending requests of `batch` contributions until `deadline`, each request one
/// transaction that extends the chain and, with `projections`, keeps each worker's projection.
/// Returns (events, request latencies in µs).
pub async fn drive(
    cluster: &Cluster,
    client_index: usize,
    members: &[Member],
    ids: &[String],
    batch: usize,
    deadline: Instant,
    projections: bool,
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
        let mut cells: std::collections::BTreeMap<Cell, [i64; 4]> = std::collections::BTreeMap::new();
        let mut workers: std::collections::BTreeMap<String, (i64, i64)> = std::collections::BTreeMap::new();
        for (offset, item) in items.into_iter().enumerate() {
            let seq = size + offset as i64;
            let worker = item.worker_id.to_string();
            if projections {
                let key = (
                    worker.clone(),
                    item.jurisdiction.to_string(),
                    item.branch as i32,
                    i32::from(item.month.year()) * 12 + i32::from(item.month.month()),
                );
                let cell = cells.entry(key).or_default();
                cell[0] += 1;
                cell[1] += item.insured_wage.get() as i64;
                cell[2] += item.employer_share.get() as i64;
                cell[3] += item.worker_share.get() as i64;
                let counts = workers.entry(worker.clone()).or_default();
                *counts = (seq, counts.1 + 1);
            }
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
        if projections {
            upsert_projections(&transaction, cells, workers).await?;
        }
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

/// The second peer's projection upserts for one request, in the request's transaction.
async fn upsert_projections(
    transaction: &tokio_postgres::Transaction<'_>,
    cells: std::collections::BTreeMap<Cell, [i64; 4]>,
    workers: std::collections::BTreeMap<String, (i64, i64)>,
) -> anyhow::Result<()> {
    let mut columns =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for ((worker, jurisdiction, branch, month), [count, wage, employer, own]) in cells {
        columns.0.push(worker);
        columns.1.push(jurisdiction);
        columns.2.push(branch);
        columns.3.push(month);
        columns.4.push(count as i32);
        columns.5.push(wage);
        columns.6.push(employer);
        columns.7.push(own);
    }
    transaction
        .execute(
            UPSERT_COVERAGE,
            &[&columns.0, &columns.1, &columns.2, &columns.3, &columns.4, &columns.5, &columns.6, &columns.7],
        )
        .await?;
    let (mut ids, mut last, mut counts) = (Vec::new(), Vec::new(), Vec::new());
    for (worker, (seq, count)) in workers {
        ids.push(worker);
        last.push(seq);
        counts.push(count);
    }
    transaction.execute(UPSERT_WORKERS, &[&ids, &last, &counts]).await?;
    Ok(())
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
