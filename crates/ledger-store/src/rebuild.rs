//! Rebuilding every worker's projection from the log. Projections are a cache of the log: this is
//! how an operator recovers them after a change of projection format or rules arithmetic, and the
//! definition the incrementally maintained projections are tested against.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use ledger_core::{Event, Record, Seq, WorkerId};
use ledger_projections::{apply_event, codec, WorkerProjection};

use crate::error::{Result, StoreError};
use crate::{keys, read, OpenedTree};

/// Projections written per sled batch while rebuilding.
const REBUILD_BATCH_KEYS_MAX: usize = 1024;

/// What a rebuild did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RebuildReport {
    pub events: u64,
    pub workers: u64,
    pub elapsed: Duration,
}

/// Replays the whole log of a data directory into fresh projections. The server must not be running
/// on the directory (sled's lock refuses a second opener).
pub fn rebuild(data_dir: &Path) -> Result<RebuildReport> {
    let opened = crate::open_tree(data_dir)?;
    rebuild_projections(&opened)
}

pub(crate) fn rebuild_projections(opened: &OpenedTree) -> Result<RebuildReport> {
    let started = Instant::now();
    let db = &opened.db;
    let mut projections: HashMap<WorkerId, WorkerProjection> = HashMap::new();
    let mut claims: Vec<(Vec<u8>, WorkerId)> = Vec::new();
    read::scan(db, Seq(0), Seq(opened.head.size), |seq, bytes, _| {
        let record = Record::decode(bytes)
            .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?;
        let Some(worker_id) = record.event.worker_id() else { return Ok(()) };
        let reversed = match &record.event {
            Event::ContributionReversed(reversal) => {
                match read::read_record(db, reversal.reversed_seq)?.0.event {
                    Event::ContributionRecorded(contribution) => Some(contribution),
                    _ => None,
                }
            }
            _ => None,
        };
        let mut slot = projections.remove(worker_id);
        apply_event(&mut slot, seq, record.recorded_at, &record.event, reversed.as_ref())
            .map_err(|error| StoreError::Corruption { seq, reason: error.problem })?;
        if let Event::ClaimFiled(filed) = &record.event {
            let origin = slot.as_ref().map(|projection| projection.origin);
            claims.extend(
                keys::claim_keys(filed.addressed_to, origin, seq).map(|key| (key, worker_id.clone())),
            );
        }
        if let Some(projection) = slot {
            projections.insert(worker_id.clone(), projection);
        }
        Ok(())
    })?;
    let mut stale = sled::Batch::default();
    for prefix in [keys::PROJECTION_PREFIX, keys::CLAIM_PREFIX] {
        for key in db.scan_prefix([prefix]).keys() {
            stale.remove(key?);
        }
    }
    db.apply_batch(stale)?;
    for chunk in claims.chunks(REBUILD_BATCH_KEYS_MAX) {
        let mut batch = sled::Batch::default();
        for (key, worker_id) in chunk {
            batch.insert(key.as_slice(), worker_id.as_str().as_bytes());
        }
        db.apply_batch(batch)?;
    }
    let workers = projections.len() as u64;
    let mut sorted: Vec<(WorkerId, WorkerProjection)> = projections.into_iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for chunk in sorted.chunks(REBUILD_BATCH_KEYS_MAX) {
        let mut batch = sled::Batch::default();
        for (worker_id, projection) in chunk {
            batch.insert(keys::projection(worker_id), codec::encode(projection));
        }
        db.apply_batch(batch)?;
    }
    db.insert(keys::PROJECTION_VERSION, &[codec::PROJECTION_FORMAT_VERSION])?;
    db.flush()?;
    opened.db_file.sync_all()?;
    Ok(RebuildReport { events: opened.head.size, workers, elapsed: started.elapsed() })
}
