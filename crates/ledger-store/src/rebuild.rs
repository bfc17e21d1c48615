//! Rebuilding every worker's projection from the log. Projections are a cache of the log: this is
//! how an operator recovers them after a change of projection format or rules arithmetic, and the
//! definition the incrementally maintained projections are tested against.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use ledger_core::{ContributionRecorded, Event, Record, Seq, WorkerId};
use ledger_projections::{apply_event, codec, WorkerProjection};

use crate::error::{Result, StoreError};
use crate::{keys, read, OpenedTree};

/// A store key and its value.
pub(crate) type KeyValue = (Vec<u8>, Vec<u8>);

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
    let (mut fresh, workers) = derive(opened)?;
    let mut changes = Changes { db, batch: sled::Batch::default(), pending: 0 };
    // Statement index keys of stores written before statements moved into the projections.
    for key in db.scan_prefix([keys::STATEMENT_PREFIX]).keys() {
        changes.remove(key?)?;
    }
    for stored in stored_derived(db) {
        let (key, value) = stored?;
        match fresh.binary_search_by(|(fresh_key, _)| fresh_key.as_slice().cmp(&key)) {
            Ok(index) if fresh[index].1.as_slice() == value.as_ref() => fresh[index].1.clear(),
            Ok(_) => {}
            Err(_) => changes.remove(key)?,
        }
    }
    for (key, value) in fresh.into_iter().filter(|(_, value)| !value.is_empty()) {
        changes.insert(key, value)?;
    }
    db.apply_batch(changes.batch)?;
    let mut done = sled::Batch::default();
    done.insert(keys::PROJECTION_VERSION, &[codec::PROJECTION_FORMAT_VERSION][..]);
    done.insert(keys::APPLIED, &opened.head.size.to_be_bytes()[..]);
    db.apply_batch(done)?;
    db.flush()?;
    opened.db_file.sync_all()?;
    Ok(RebuildReport { events: opened.head.size, workers, elapsed: started.elapsed() })
}

/// A rebuild's changes to the store, applied every [`REBUILD_BATCH_KEYS_MAX`] keys so that a
/// batch stays small however many keys change.
struct Changes<'a> {
    db: &'a sled::Db,
    batch: sled::Batch,
    pending: usize,
}

impl Changes<'_> {
    fn insert(&mut self, key: Vec<u8>, value: Vec<u8>) -> Result<()> {
        self.batch.insert(key, value);
        self.counted()
    }

    fn remove(&mut self, key: sled::IVec) -> Result<()> {
        self.batch.remove(key);
        self.counted()
    }

    fn counted(&mut self) -> Result<()> {
        self.pending += 1;
        if self.pending >= REBUILD_BATCH_KEYS_MAX {
            self.db.apply_batch(std::mem::take(&mut self.batch))?;
            self.pending = 0;
        }
        Ok(())
    }
}

/// The stored keys a rebuild derives from the log: projections with their years of coverage, the
/// chunks of statements and the claim index.
fn stored_derived(db: &sled::Db) -> impl Iterator<Item = sled::Result<(sled::IVec, sled::IVec)>> + '_ {
    [keys::PROJECTION_PREFIX, keys::COVERAGE_PREFIX, keys::STATEMENT_CHUNK_PREFIX, keys::CLAIM_PREFIX]
        .into_iter()
        .flat_map(|prefix| db.scan_prefix([prefix]))
}

/// The keys of projections and claim index entries that differ between the store and a rebuild
/// from the log (stored with another value, stored only, or derived only), and the number of
/// workers: no keys when the stored projections are exactly what the log gives.
pub(crate) fn differences(opened: &OpenedTree) -> Result<(Vec<Vec<u8>>, u64)> {
    let (fresh, workers) = derive(opened)?;
    let mut stored = stored_derived(&opened.db)
        .map(|item| item.map(|(key, value)| (key.to_vec(), value.to_vec())))
        .collect::<sled::Result<Vec<_>>>()?;
    stored.sort_unstable();
    if stored == fresh {
        return Ok((Vec::new(), workers));
    }
    let stored_set: std::collections::HashSet<&(Vec<u8>, Vec<u8>)> = stored.iter().collect();
    let fresh_set: std::collections::HashSet<&(Vec<u8>, Vec<u8>)> = fresh.iter().collect();
    let mut differing: Vec<Vec<u8>> =
        stored_set.symmetric_difference(&fresh_set).map(|(key, _)| key.clone()).collect();
    differing.sort_unstable();
    differing.dedup();
    Ok((differing, workers))
}

/// The contribution a reversal reverses, read from the log, with the figures it had when it was
/// reversed; none for any other event.
pub(crate) fn reversed_contribution(db: &sled::Db, event: &Event) -> Result<Option<ContributionRecorded>> {
    let Event::ContributionReversed(reversal) = event else { return Ok(None) };
    contribution_now(db, reversal.reversed_seq)
}

/// The contribution recorded at `seq` with the figures its last correction gave it (or as
/// recorded); none when the event at `seq` is not a contribution. A reversed contribution is never
/// corrected after its reversal, so for one this is what it was when reversed.
pub(crate) fn contribution_now(db: &sled::Db, seq: Seq) -> Result<Option<ContributionRecorded>> {
    let Event::ContributionRecorded(contribution) = read::read_record(db, seq)?.0.event else {
        return Ok(None);
    };
    let last = db.get(keys::correction(seq))?.and_then(|value| keys::trailing_seq(&value));
    corrected(contribution, last, |at| Ok(read::read_record(db, at)?.0.event)).map(Some)
}

/// `contribution` with the figures of its last correction, at `last` when it has one, read with
/// `event_at`: the one derivation of a contribution's figures now, for the writer's checks and
/// for whoever replays reversals from the log.
pub(crate) fn corrected(
    contribution: ContributionRecorded,
    last: Option<Seq>,
    event_at: impl FnOnce(Seq) -> Result<Event>,
) -> Result<ContributionRecorded> {
    let Some(last) = last else { return Ok(contribution) };
    match event_at(last)? {
        Event::ContributionCorrected(correction) => Ok(contribution.with_figures(correction.after)),
        other => Err(StoreError::Corruption {
            seq: last,
            reason: format!("the index of corrections names a {}", other.name()),
        }),
    }
}

/// Every projection, statement chunk and claim index entry the log gives, sorted by key, and the
/// number of workers.
fn derive(opened: &OpenedTree) -> Result<(Vec<KeyValue>, u64)> {
    let db = &opened.db;
    let mut projections: HashMap<WorkerId, WorkerProjection> = HashMap::new();
    let mut claims: Vec<KeyValue> = Vec::new();
    let mut chunks: Vec<KeyValue> = Vec::new();
    read::scan(db, Seq(0), Seq(opened.head.size), |seq, bytes, _| {
        let record = Record::decode(bytes)
            .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?;
        let Some(worker_id) = record.event.worker_id() else { return Ok(()) };
        let reversed = reversed_contribution(db, &record.event)?;
        let corrupt = |problem: String| StoreError::Corruption { seq, reason: problem };
        // In place: moving projections out of the map and back for every event costs more than
        // the event itself.
        let chunk = match (projections.get_mut(worker_id), &record.event) {
            (Some(_), Event::WorkerEnrolled(_)) => {
                return Err(corrupt("the worker is already enrolled".into()))
            }
            (Some(projection), event) => projection
                .apply(seq, record.recorded_at, event, reversed.as_ref())
                .map_err(|error| corrupt(error.problem))?,
            (None, event) => {
                let mut slot = None;
                let chunk = apply_event(&mut slot, seq, record.recorded_at, event, reversed.as_ref())
                    .map_err(|error| corrupt(error.problem))?;
                if let Some(projection) = slot {
                    projections.insert(worker_id.clone(), projection);
                }
                chunk
            }
        };
        if let Some(chunk) = chunk {
            let first = chunk.first().copied().unwrap_or(Seq(0));
            chunks.push((keys::statement_chunk(worker_id, first), keys::encode_chunk(&chunk)));
        }
        let origin = projections.get(worker_id).map(|projection| projection.origin);
        claims.extend(keys::claim_index_entries(seq, &record.event, origin, &record.principal));
        Ok(())
    })?;
    let workers = projections.len() as u64;
    let mut fresh: Vec<KeyValue> = projections
        .iter()
        .flat_map(|(worker_id, projection)| {
            let years = codec::stored_years(projection).into_iter().filter_map(|year| {
                codec::encode_year(projection, year).map(|part| (keys::coverage_year(worker_id, year), part))
            });
            std::iter::once((keys::projection(worker_id), codec::encode(projection)))
                .chain(years)
                .collect::<Vec<_>>()
        })
        .chain(claims)
        .chain(chunks)
        .collect();
    drop(projections);
    fresh.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok((fresh, workers))
}
