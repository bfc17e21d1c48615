//! `ledger backup` and `ledger restore`: a consistent copy of a running ledger, and a new data
//! directory made from one only after the copy is checked.
//!
//! A backup directory holds:
//! - `log.export`: the log up to the signed checkpoint taken when the backup starts (the export
//!   format, docs/FORMAT.md). Records below a checkpoint never change, so the copy is consistent
//!   while the server goes on writing.
//! - `recovery-state`: what the records cannot give back, for that same number of events: the
//!   idempotency entries of its requests and workers' credential digests. The line
//!   `ledger-recovery-v1\n`, then per entry `u32 key length ‖ key ‖ u32 value length ‖ value`, then
//!   `u32 0xFFFFFFFF`.
//! - `MANIFEST`: the number of events and the SHA-256 of both files.
//!
//! The log's signing key and the principals file are secrets the operator keeps apart; a backup
//! never carries them.

use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, ensure, Context};
use ledger_proto::v1 as pb;
use sha2::Digest;

use crate::export;
use crate::trust::Trust;

pub const LOG_FILE: &str = "log.export";
pub const RECOVERY_FILE: &str = "recovery-state";
pub const MANIFEST_FILE: &str = "MANIFEST";
const RECOVERY_MAGIC: &[u8] = b"ledger-recovery-v1\n";
const END_OF_ENTRIES: u32 = u32::MAX;
/// Longest key or value of the recovery state: idempotency keys are at most a few hundred bytes.
const RECOVERY_FIELD_BYTES_MAX: u32 = 4096;

#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    #[command(flatten)]
    connection: crate::connection::Connection,
    /// A new (or empty) directory to write the backup into.
    #[arg(long)]
    to: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The backup directory.
    #[arg(long)]
    from: PathBuf,
    /// The new data directory; it must not hold a store.
    #[arg(long, env = "LEDGER_DATA_DIR")]
    data_dir: PathBuf,
    /// The verifier key (as `ledger key show` prints it), or a file holding it: the checkpoint of
    /// the copy must be signed by this key.
    #[arg(long)]
    key: String,
    /// The log's signing key file, kept apart from backups: copied into the new data directory
    /// once it is shown to match --key, so the restored ledger signs as before.
    #[arg(long)]
    log_key: Option<PathBuf>,
}

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    let dir = &args.to;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    ensure!(
        std::fs::read_dir(dir)?.next().is_none(),
        "{} is not empty: a backup goes into a new directory",
        dir.display()
    );
    let size = export::export(&args.connection, &dir.join(LOG_FILE)).await?;
    let mut clients = args.connection.connect().await?;
    let mut stream =
        clients.audit.read_recovery_state(pb::ReadRecoveryStateRequest { size }).await?.into_inner();
    let path = dir.join(RECOVERY_FILE);
    let mut out = BufWriter::new(std::fs::File::create(&path)?);
    out.write_all(RECOVERY_MAGIC)?;
    let mut entries = 0u64;
    while let Some(message) = stream.message().await? {
        for entry in message.entries {
            for field in [&entry.key, &entry.value] {
                out.write_all(&(field.len() as u32).to_be_bytes())?;
                out.write_all(field)?;
            }
            entries += 1;
        }
    }
    out.write_all(&END_OF_ENTRIES.to_be_bytes())?;
    out.flush()?;
    out.into_inner()?.sync_all()?;
    let manifest = format!(
        "events {size}\n{LOG_FILE} {}\n{RECOVERY_FILE} {}\n",
        file_digest(&dir.join(LOG_FILE))?,
        file_digest(&path)?
    );
    let manifest_path = dir.join(MANIFEST_FILE);
    let mut file = std::fs::File::create(&manifest_path)?;
    file.write_all(manifest.as_bytes())?;
    file.sync_all()?;
    std::fs::File::open(dir)?.sync_all()?;
    println!("backup of {size} events and {entries} recovery entries in {}", dir.display());
    Ok(())
}

/// The hex SHA-256 of a file.
fn file_digest(path: &Path) -> anyhow::Result<String> {
    let mut hasher = sha2::Sha256::new();
    let mut file = BufReader::with_capacity(1 << 20, std::fs::File::open(path)?);
    std::io::copy(&mut file, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

/// The manifest's number of events, after checking that both files have the digests it names.
fn check_manifest(dir: &Path) -> anyhow::Result<u64> {
    let path = dir.join(MANIFEST_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut events = None;
    let mut checked = 0;
    for line in text.lines() {
        match line.split_once(' ') {
            Some(("events", count)) => events = Some(count.parse::<u64>().context("the manifest's events")?),
            Some((name @ (LOG_FILE | RECOVERY_FILE), digest)) => {
                let actual = file_digest(&dir.join(name))?;
                ensure!(actual == digest, "{name} has changed since the backup was taken (SHA-256 {actual})");
                checked += 1;
            }
            _ => bail!("the manifest has an unknown line: {line:?}"),
        }
    }
    ensure!(checked == 2, "the manifest does not name both files");
    events.context("the manifest does not give the number of events")
}

fn read_recovery_state(path: &Path) -> anyhow::Result<ledger_store::RecoveryState> {
    let mut input = BufReader::new(std::fs::File::open(path)?);
    let mut magic = vec![0u8; RECOVERY_MAGIC.len()];
    input.read_exact(&mut magic)?;
    ensure!(magic == RECOVERY_MAGIC, "{} is not a recovery state", path.display());
    let mut state = ledger_store::RecoveryState::default();
    let read_field = |input: &mut BufReader<std::fs::File>| -> anyhow::Result<Option<Vec<u8>>> {
        let mut len = [0u8; 4];
        input.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len);
        if len == END_OF_ENTRIES {
            return Ok(None);
        }
        ensure!(len <= RECOVERY_FIELD_BYTES_MAX, "a recovery entry of {len} bytes is too long");
        let mut field = vec![0u8; len as usize];
        input.read_exact(&mut field)?;
        Ok(Some(field))
    };
    while let Some(key) = read_field(&mut input)? {
        let value = read_field(&mut input)?.context("a recovery entry without its value")?;
        state.entries.push((key, value));
    }
    ensure!(input.read(&mut [0u8; 1])? == 0, "bytes follow the recovery entries");
    Ok(state)
}

pub fn restore(args: &RestoreArgs) -> anyhow::Result<()> {
    let key = std::fs::read_to_string(&args.key).unwrap_or_else(|_| args.key.clone());
    let key = key.trim();
    let events = check_manifest(&args.from)?;
    let log = args.from.join(LOG_FILE);
    let file = std::fs::File::open(&log).with_context(|| format!("cannot open {}", log.display()))?;
    let verified =
        ledger_verify::export::verify(&mut BufReader::with_capacity(1 << 20, file), &Trust::log_only(key)?)
            .context("the backup's log does not verify; nothing was restored")?;
    ensure!(
        verified.events == events,
        "the manifest names {events} events, the log holds {}",
        verified.events
    );
    println!("the copy holds: {events} events, chain, Merkle root and signed checkpoint verified");
    let state = read_recovery_state(&args.from.join(RECOVERY_FILE))?;
    if let Some(log_key) = &args.log_key {
        let seed =
            std::fs::read_to_string(log_key).with_context(|| format!("cannot read {}", log_key.display()))?;
        std::fs::create_dir_all(&args.data_dir)?;
        let target = args.data_dir.join(ledger_server::LOG_KEY_FILE);
        ensure!(!target.exists(), "{} already exists", target.display());
        ledger_server::principals::write_private(&target, seed.as_bytes())?;
        let loaded = ledger_server::load_or_create_log_key(&args.data_dir)?;
        if loaded.verifier_key() != key {
            std::fs::remove_file(&target)?;
            bail!("{} is not the signing key of --key; nothing was restored", log_key.display());
        }
    }
    let mut failure = None;
    let records = export::records(&log)?.map_while(|record| match record {
        Ok(record) => Some(record),
        Err(error) => {
            failure = Some(error);
            None
        }
    });
    let report = ledger_store::restore(&args.data_dir, records, &state)?;
    if let Some(error) = failure {
        bail!(
            "{} could not be read to its end: {error:#}; remove {} and restore again",
            log.display(),
            args.data_dir.display()
        );
    }
    ensure!(
        report.events == events && report.root == verified.root,
        "the restored log is not the verified copy"
    );
    let checked = ledger_store::check(&args.data_dir)?;
    ensure!(checked.holds(), "the restored store does not check: {}", checked.problems.join("; "));
    println!(
        "restored {} events of {} workers into {}; the store checks from end to end (Merkle root {})",
        report.events,
        report.workers,
        args.data_dir.display(),
        hex::encode(report.root)
    );
    if args.log_key.is_none() {
        println!(
            "put the log's signing key in {} before serving, or the ledger will sign with a new one",
            args.data_dir.join(ledger_server::LOG_KEY_FILE).display()
        );
    }
    Ok(())
}

pub fn check(data_dir: &Path) -> anyhow::Result<()> {
    let report = ledger_store::check(data_dir)?;
    for problem in &report.problems {
        println!("problem: {problem}");
    }
    if report.applied_at_open > 0 {
        println!(
            "applied {} events to workers' projections first: the ledger stopped before storing them",
            report.applied_at_open
        );
    }
    ensure!(report.holds(), "{} does not check: {} problems", data_dir.display(), report.problems.len());
    println!(
        "{} checks from end to end: {} events, {} workers, Merkle root {}",
        data_dir.display(),
        report.events,
        report.workers,
        hex::encode(report.root)
    );
    Ok(())
}
