//! Portable statements: a worker's events with their exact bytes, an inclusion proof for each, and
//! the signed checkpoint they lead to (docs/FORMAT.md, "Portable statements").

use ledger_core::merkle::{verify_inclusion, Hash};
use ledger_core::{event_hash, Record};
use ledger_projections::LogFold;
use serde::{Deserialize, Serialize};

use crate::{Trust, VerifyError};

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

impl StatementFileEntry {
    /// The entry of the record at `seq` with its audit path.
    pub fn new(seq: u64, record: &[u8], inclusion_proof: &[Vec<u8>]) -> StatementFileEntry {
        StatementFileEntry {
            seq,
            record: hex::encode(record),
            inclusion_proof: inclusion_proof.iter().map(hex::encode).collect(),
        }
    }
}

impl StatementFile {
    /// The statement of `worker_id`: entries proved against the checkpoint `note` of `tree_size`.
    pub fn new(
        worker_id: &str,
        note: &str,
        tree_size: u64,
        entries: Vec<StatementFileEntry>,
    ) -> StatementFile {
        StatementFile {
            format: STATEMENT_FORMAT.into(),
            worker_id: worker_id.into(),
            checkpoint: note.into(),
            tree_size,
            entries,
        }
    }

    /// The file as JSON, as `ledger worker statement --out` writes it.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// A statement file's bytes read, refused beyond [`STATEMENT_FILE_LEN_MAX`].
    pub fn from_json(bytes: &[u8]) -> Result<StatementFile, VerifyError> {
        if bytes.len() as u64 > STATEMENT_FILE_LEN_MAX {
            return Err(VerifyError::Statement(format!("larger than {STATEMENT_FILE_LEN_MAX} bytes")));
        }
        serde_json::from_slice(bytes)
            .map_err(|error| VerifyError::Statement(format!("not a statement file: {error}")))
    }
}

/// Checks every entry of a statement against the checkpoint and the checkpoint against `trust`;
/// returns the worker's projection folded from the verified events, and what the checkpoint's
/// check established.
pub fn verify(file: &StatementFile, trust: &Trust) -> Result<(LogFold, String), VerifyError> {
    if file.format != STATEMENT_FORMAT {
        return Err(VerifyError::Statement(format!("not a statement of format {STATEMENT_FORMAT}")));
    }
    let cosigned = trust.check(&file.checkpoint)?;
    let checkpoint = &cosigned.checkpoint;
    if checkpoint.size != file.tree_size {
        return Err(VerifyError::Statement(format!(
            "the checkpoint is for {} events, the statement says {}",
            checkpoint.size, file.tree_size
        )));
    }
    let mut fold = LogFold::default();
    let mut previous = None;
    for entry in &file.entries {
        let seq = entry.seq;
        let fail = |reason: String| VerifyError::Entry { seq, reason };
        let bytes = hex::decode(&entry.record).map_err(|error| fail(format!("the record: {error}")))?;
        let record =
            Record::decode(&bytes).map_err(|error| fail(format!("the record does not decode: {error}")))?;
        if record.seq.0 != seq {
            return Err(fail(format!("the record names seq {}", record.seq)));
        }
        if previous.is_some_and(|previous| previous >= seq) {
            return Err(fail("out of order".into()));
        }
        previous = Some(seq);
        if record.event.worker_id().map(|id| id.as_str()) != Some(file.worker_id.as_str()) {
            return Err(fail(format!("the event is not about {}", file.worker_id)));
        }
        let proof: Vec<Hash> = entry
            .inclusion_proof
            .iter()
            .map(|hash| hex::decode(hash).ok().and_then(|bytes| Hash::try_from(bytes.as_slice()).ok()))
            .collect::<Option<_>>()
            .ok_or_else(|| fail("a proof hash is not 32 bytes of hex".into()))?;
        let leaf = *event_hash(&bytes).as_bytes();
        verify_inclusion(seq, checkpoint.size, &leaf, &proof, &checkpoint.root)
            .map_err(|error| fail(format!("not in the log the checkpoint signs: {error}")))?;
        fold.apply(&record).map_err(|error| fail(error.to_string()))?;
    }
    if file.entries.is_empty() {
        return Err(VerifyError::Statement("the statement has no entries".into()));
    }
    Ok((fold, trust.describe(&cosigned)))
}
