//! Portable statements: a worker's events with their exact bytes, an inclusion proof for each, and
//! the signed checkpoint they lead to. `ledger worker statement --out FILE` writes one;
//! `ledger statement verify FILE --key KEY` checks it offline, with nothing but the log's verifier
//! key, and prints the worker's periods per country.

use std::path::Path;

use anyhow::{bail, ensure, Context};
use ledger_core::merkle::{verify_inclusion, Hash};
use ledger_core::{event_hash, Record};
use ledger_projections::LogFold;
use ledger_proto::v1 as pb;
use serde::{Deserialize, Serialize};

use crate::trust::Trust;

/// The statement file's format name; a new layout gets a new name.
pub const STATEMENT_FORMAT: &str = "ledger-statement-v1";
/// Largest statement file read, in bytes.
pub const STATEMENT_FILE_LEN_MAX: u64 = 256 * 1024 * 1024;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementFile {
    pub format: String,
    pub worker_id: String,
    /// The signed note (C2SP tlog-checkpoint) every proof leads to.
    pub checkpoint: String,
    pub tree_size: u64,
    pub entries: Vec<StatementFileEntry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementFileEntry {
    pub seq: u64,
    /// The exact stored record, hex.
    pub record: String,
    /// The audit path, leaf side first, hex.
    pub inclusion_proof: Vec<String>,
}

use hex::{decode as unhex, encode as hex};

/// The statement file for the pages of a statement that were read against one checkpoint.
pub fn file_of(
    worker_id: &str,
    checkpoint: &str,
    tree_size: u64,
    entries: &[pb::StatementEntry],
) -> StatementFile {
    StatementFile {
        format: STATEMENT_FORMAT.into(),
        worker_id: worker_id.into(),
        checkpoint: checkpoint.into(),
        tree_size,
        entries: entries
            .iter()
            .map(|entry| StatementFileEntry {
                seq: entry.receipt.as_ref().map_or(0, |receipt| receipt.seq),
                record: hex(&entry.record),
                inclusion_proof: entry.inclusion_proof.iter().map(hex).collect(),
            })
            .collect(),
    }
}

/// Checks every entry of a statement against the checkpoint and the checkpoint against the key;
/// returns the worker's projection folded from the verified events.
pub fn verify(file: &StatementFile, trust: &Trust) -> anyhow::Result<(LogFold, String)> {
    ensure!(file.format == STATEMENT_FORMAT, "not a statement of format {STATEMENT_FORMAT}");
    let cosigned = trust.check(&file.checkpoint)?;
    let checkpoint = &cosigned.checkpoint;
    ensure!(
        checkpoint.size == file.tree_size,
        "the checkpoint is for {} events, the statement says {}",
        checkpoint.size,
        file.tree_size
    );
    let mut fold = LogFold::default();
    let mut previous = None;
    for entry in &file.entries {
        let seq = entry.seq;
        let bytes = unhex(&entry.record).with_context(|| format!("entry {seq}: the record"))?;
        let record =
            Record::decode(&bytes).with_context(|| format!("entry {seq}: the record does not decode"))?;
        ensure!(record.seq.0 == seq, "entry {seq}: the record names seq {}", record.seq);
        ensure!(previous.is_none_or(|previous| previous < seq), "entry {seq}: out of order");
        previous = Some(seq);
        ensure!(
            record.event.worker_id().map(|id| id.as_str()) == Some(file.worker_id.as_str()),
            "entry {seq}: the event is not about {}",
            file.worker_id
        );
        let proof: Vec<Hash> = entry
            .inclusion_proof
            .iter()
            .map(|hash| unhex(hash).ok().and_then(|bytes| Hash::try_from(bytes.as_slice()).ok()))
            .collect::<Option<_>>()
            .with_context(|| format!("entry {seq}: a proof hash is not 32 bytes of hex"))?;
        let leaf = *event_hash(&bytes).as_bytes();
        if let Err(error) = verify_inclusion(seq, checkpoint.size, &leaf, &proof, &checkpoint.root) {
            bail!("entry {seq}: not in the log the checkpoint signs: {error}");
        }
        fold.apply(&record).with_context(|| format!("entry {seq}"))?;
    }
    ensure!(!file.entries.is_empty(), "the statement has no entries");
    Ok((fold, trust.describe(&cosigned)))
}

pub fn verify_file(path: &Path, trust: &Trust) -> anyhow::Result<()> {
    let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
    ensure!(
        size <= STATEMENT_FILE_LEN_MAX,
        "{} is larger than {STATEMENT_FILE_LEN_MAX} bytes",
        path.display()
    );
    let file: StatementFile =
        serde_json::from_slice(&std::fs::read(path)?).context("not a statement file")?;
    let (fold, trusted) = verify(&file, trust)?;
    println!(
        "statement of {} verified: {} events, each proved against the signed checkpoint of {} events",
        file.worker_id,
        file.entries.len(),
        file.tree_size
    );
    println!("checkpoint: {trusted}");
    for projection in fold.workers.values() {
        for ((jurisdiction, branch), coverage) in &projection.coverage {
            let months: Vec<_> = coverage.own_months().collect();
            let (Some(first), Some(last)) = (months.first(), months.last()) else { continue };
            println!("{jurisdiction} {branch}: {} months between {first} and {last}", months.len());
        }
        // A claim's state as the statement proves it: answered, or open as of its last event.
        for (seq, claim) in &projection.claims {
            let state = match &claim.resolution {
                Some(resolution) => format!("{} on {}", resolution.outcome, resolution.at.date_naive()),
                None => format!("open when the statement was taken (answer due by {})", claim.respond_by),
            };
            println!(
                "claim {seq} to {} for {} month(s) from {}: {state}",
                claim.addressed_to,
                claim.months.len(),
                claim.months.first().map_or_else(String::new, ToString::to_string)
            );
        }
    }
    Ok(())
}
