//! The applier: what is derived from the log follows it rather than riding in its commits.
//!
//! A durable commit holds what cannot be derived (the log's blocks, the head, idempotency entries,
//! credentials and the indexes validation reads). Workers' projections, the older years of their
//! coverage and the chunks of their statements are applied in memory as each commit becomes
//! durable, before it is answered, so every reader sees every write it was told of; a thread of
//! their own stores them in coalesced batches, each with the watermark `W` ("applied through
//! size N") in the same atomic write. At open the events from the watermark to the head are
//! applied again ([`catch_up`]). Applying is idempotent per worker: an event at or below a
//! projection's `last_seq` is already in it.
//!
//! Memory is bounded: at most [`APPLY_PENDING_WORKERS_MAX`] workers wait to be stored (the writer
//! waits beyond that), and stored ones stay cached within [`PROJECTION_CACHE_BYTES_MAX`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ledger_core::{ContributionRecorded, Event, Record, Seq, WorkerId};
use ledger_projections::{apply_event, codec, WorkerProjection};

use crate::command::Outcome;
use crate::error::{Result, StoreError};
use crate::read::Head;
use crate::{keys, read};

/// Workers whose applied projections may wait in memory to be stored: twice a store's batch, so
/// that one store can run while the next fills. Beyond it the applier waits for the store, and the
/// writer for the applier once [`crate::writer::APPLY_QUEUE_COMMITS_MAX`] commits wait: a burst is
/// absorbed, a sustained overload slows the writes, memory stays bounded (a long working life's
/// projection is tens of KiB in memory).
pub const APPLY_PENDING_WORKERS_MAX: usize = 2 * APPLY_BATCH_WORKERS;
/// Pending workers that start a store at once rather than at the next interval.
pub const APPLY_BATCH_WORKERS: usize = 8_192;
/// The longest derived state waits in memory before it is stored, when few workers changed.
pub const APPLY_INTERVAL: Duration = Duration::from_millis(200);
/// Memory for stored projections kept so that a worker written or read again is not read back
/// from sled and decoded (by the writer's checks, the applier and readers alike); those cached
/// longest ago leave first. Counted by [`WorkerProjection::memory_bytes`].
pub const PROJECTION_CACHE_BYTES_MAX: usize = 32 * 1024 * 1024;
/// How long a reader waits for the applier to store what it needs (reports, which scan the store).
pub const APPLY_WAIT_MAX: Duration = Duration::from_secs(30);

/// One event of a durable commit that concerns a worker, for the applier.
#[derive(Debug)]
pub(crate) struct Applying {
    pub seq: Seq,
    pub at: DateTime<Utc>,
    pub event: Event,
    /// The contribution it reverses, when it is a reversal.
    pub reversed: Option<ContributionRecorded>,
}

/// A durable commit handed over by the writer: its events about workers, the head after it, and
/// the answers to its commands, given once it is applied.
pub(crate) struct Committed {
    pub entries: Vec<Applying>,
    pub head: Head,
    pub replies: Vec<(tokio::sync::oneshot::Sender<Result<Outcome>>, Result<Outcome>)>,
    /// Told once the head is published, for a writer that must not go on before (a rules adoption
    /// at open: the ledger is not handed out before its head holds it).
    pub published: Option<std::sync::mpsc::Sender<()>>,
}

/// One worker's derived state applied in memory and not yet stored.
#[derive(Clone, Debug)]
pub(crate) struct Pending {
    pub projection: Arc<WorkerProjection>,
    /// Where her main part began as stored (`codec::coverage_cutoff`): with `years`, which older
    /// years must be written or removed.
    stored_cutoff: Option<u16>,
    /// Years of her coverage changed since she was stored.
    years: BTreeSet<u16>,
    /// Full chunks of her statement, by first seq.
    pub chunks: BTreeMap<Seq, Arc<Vec<Seq>>>,
}

/// What one durable commit changed of one worker, handed to [`Applied::merge`].
#[derive(Debug)]
pub(crate) struct Change {
    pub worker_id: WorkerId,
    pub projection: WorkerProjection,
    /// Her cutoff as the commit found her (stored, or pending from an earlier commit).
    pub cutoff_before: Option<u16>,
    pub years: BTreeSet<u16>,
    pub chunks: Vec<Vec<Seq>>,
}

#[derive(Debug, Default)]
struct State {
    /// Applied, waiting for the next store.
    pending: HashMap<WorkerId, Pending>,
    /// Being stored now; readers still find them here.
    storing: HashMap<WorkerId, Pending>,
    cache: Cache,
    /// Commits applied since open: a projection read from the store is cached only if none was
    /// applied while it was read.
    merges: u64,
    /// The log size applied in memory, and the one stored with the watermark.
    applied: u64,
    stored: u64,
    /// A reader waits for the store to reach this size.
    wanted: u64,
    stopping: bool,
    failed: Option<String>,
}

/// The derived state of the ledger as applied in memory, over what is stored.
#[derive(Debug)]
pub(crate) struct Applied {
    db: sled::Db,
    state: Mutex<State>,
    changed: Condvar,
}

/// A worker's state as a reader finds it: her projection and the chunks of her statement not yet
/// stored (none when she is read from the store).
pub(crate) struct Found {
    pub projection: Arc<WorkerProjection>,
    pub chunks: Vec<(Seq, Arc<Vec<Seq>>)>,
}

impl Applied {
    /// The applied state of a store whose watermark is `stored`, which must equal its head (the
    /// caller has caught up).
    pub fn new(db: sled::Db, stored: u64) -> Applied {
        let state = State { applied: stored, stored, wanted: 0, ..State::default() };
        Applied { db, state: Mutex::new(state), changed: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The worker's projection as applied, with her chunks not yet stored.
    pub fn find(&self, worker_id: &WorkerId) -> Result<Option<Found>> {
        let merges = {
            let state = self.lock();
            if let Some(pending) = state.pending.get(worker_id).or_else(|| state.storing.get(worker_id)) {
                let mut chunks: BTreeMap<Seq, Arc<Vec<Seq>>> = pending.chunks.clone();
                // Chunks of a worker pending again while an older state of hers is being stored.
                if let (true, Some(storing)) =
                    (state.pending.contains_key(worker_id), state.storing.get(worker_id))
                {
                    for (first, chunk) in &storing.chunks {
                        chunks.entry(*first).or_insert_with(|| chunk.clone());
                    }
                }
                return Ok(Some(Found {
                    projection: pending.projection.clone(),
                    chunks: chunks.into_iter().collect(),
                }));
            }
            if let Some(cached) = state.cache.get(worker_id) {
                return Ok(Some(Found { projection: cached, chunks: Vec::new() }));
            }
            state.merges
        };
        // Not in memory: what is stored is at least as new as anything that left it.
        let Some(loaded) = read::load_projection(&self.db, worker_id)? else { return Ok(None) };
        let projection = Arc::new(loaded);
        let bytes = projection.memory_bytes();
        let mut state = self.lock();
        // Cached only if nothing was applied while she was read: then what was read is her latest.
        if state.merges == merges {
            state.cache.insert(worker_id.clone(), projection.clone(), bytes);
        }
        Ok(Some(Found { projection, chunks: Vec::new() }))
    }

    /// The worker's projection as applied, for the applier to apply a commit to: a cached one is
    /// taken out of the cache, so that it is applied in place rather than copied when no reader
    /// holds it (the store holds the same state, and [`Applied::merge`] makes the new one found).
    fn take_for_apply(&self, worker_id: &WorkerId) -> Result<Option<Arc<WorkerProjection>>> {
        {
            let mut state = self.lock();
            let applied = state.pending.get(worker_id).or_else(|| state.storing.get(worker_id));
            if let Some(applied) = applied {
                return Ok(Some(applied.projection.clone()));
            }
            if let Some(cached) = state.cache.take(worker_id) {
                return Ok(Some(cached));
            }
        }
        Ok(read::load_projection(&self.db, worker_id)?.map(Arc::new))
    }

    /// The worker's projection as applied.
    pub fn projection(&self, worker_id: &WorkerId) -> Result<Option<Arc<WorkerProjection>>> {
        Ok(self.find(worker_id)?.map(|found| found.projection))
    }

    /// Applies what one durable commit changed, now applied through `size`. Waits first while
    /// [`APPLY_PENDING_WORKERS_MAX`] workers wait to be stored.
    pub fn merge(&self, changes: Vec<Change>, size: u64) {
        let mut state = self.lock();
        while state.pending.len() >= APPLY_PENDING_WORKERS_MAX && state.failed.is_none() {
            self.changed.notify_all();
            state = self.changed.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        for change in changes {
            let Change { worker_id, projection, cutoff_before, years, chunks } = change;
            let stored_cutoff = match state.storing.get(&worker_id) {
                // Being stored: her next store starts from what that store leaves.
                Some(storing) if !state.pending.contains_key(&worker_id) => {
                    codec::coverage_cutoff(&storing.projection)
                }
                _ => cutoff_before,
            };
            let chunks =
                chunks.into_iter().map(|chunk| (chunk.first().copied().unwrap_or(Seq(0)), Arc::new(chunk)));
            state.cache.remove(&worker_id);
            let projection = Arc::new(projection);
            match state.pending.get_mut(&worker_id) {
                Some(pending) => {
                    pending.projection = projection;
                    pending.years.extend(years);
                    pending.chunks.extend(chunks);
                }
                None => {
                    let pending = Pending { projection, stored_cutoff, years, chunks: chunks.collect() };
                    state.pending.insert(worker_id, pending);
                }
            }
        }
        state.merges += 1;
        state.applied = state.applied.max(size);
        if state.pending.len() >= APPLY_BATCH_WORKERS {
            self.changed.notify_all();
        }
    }

    /// Applies the events of one durable commit to the projections of the workers they concern,
    /// each taken as applied so far: the only way a commit changes derived state.
    pub fn apply_committed(&self, entries: &[Applying], size: u64) -> Result<()> {
        let mut touched: HashMap<WorkerId, Replayed> = HashMap::new();
        for entry in entries {
            let Some(worker_id) = entry.event.worker_id() else { continue };
            if !touched.contains_key(worker_id) {
                let slot = self.take_for_apply(worker_id)?.map(Arc::unwrap_or_clone);
                let stored_cutoff = slot.as_ref().and_then(codec::coverage_cutoff);
                let entry = Replayed { slot, stored_cutoff, years: BTreeSet::new(), chunks: BTreeMap::new() };
                touched.insert(worker_id.clone(), entry);
            }
            let Some(worker) = touched.get_mut(worker_id) else { continue };
            let applies = apply(&mut worker.slot, entry.seq, entry.at, &entry.event, entry.reversed.as_ref())
                .map_err(|error| StoreError::Corruption { seq: error.seq, reason: error.problem })?;
            if let Some(chunk) = applies.chunk {
                worker.chunks.insert(chunk.first().copied().unwrap_or(Seq(0)), Arc::new(chunk));
            }
            worker.years.extend(applies.years);
        }
        let changes = touched
            .into_iter()
            .filter_map(|(worker_id, worker)| {
                Some(Change {
                    worker_id,
                    projection: worker.slot?,
                    cutoff_before: worker.stored_cutoff,
                    years: worker.years,
                    chunks: worker.chunks.into_values().map(Arc::unwrap_or_clone).collect(),
                })
            })
            .collect();
        self.merge(changes, size);
        Ok(())
    }

    /// The log size applied in memory and the one stored.
    pub fn sizes(&self) -> (u64, u64) {
        let state = self.lock();
        (state.applied, state.stored)
    }

    /// Waits until what is applied through `size` is stored, for at most [`APPLY_WAIT_MAX`].
    pub fn wait_stored(&self, size: u64) -> Result<()> {
        let deadline = Instant::now() + APPLY_WAIT_MAX;
        let mut state = self.lock();
        state.wanted = state.wanted.max(size);
        self.changed.notify_all();
        while state.stored < size {
            if let Some(failed) = &state.failed {
                return Err(StoreError::Unavailable(failed.clone()));
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || state.stopping && state.pending.is_empty() && state.storing.is_empty() {
                return Err(StoreError::Unavailable(format!(
                    "the applier has stored the ledger through {} events, not yet {size}",
                    state.stored
                )));
            }
            state =
                self.changed.wait_timeout(state, left).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
        Ok(())
    }

    /// Stores everything applied and then stops [`Applied::run`].
    pub fn stop(&self) {
        self.lock().stopping = true;
        self.changed.notify_all();
    }

    /// Stores applied state in batches until stopped: when enough workers wait, when the oldest
    /// has waited [`APPLY_INTERVAL`], or when a reader asks. A failure to store stops it (the log
    /// is whole; the state is applied again from the watermark at the next open).
    pub fn run(&self, on_failure: impl Fn(String)) {
        loop {
            let (batch, size) = {
                let mut state = self.lock();
                let since = Instant::now();
                loop {
                    let due = state.pending.len() >= APPLY_BATCH_WORKERS
                        || state.wanted > state.stored
                        || since.elapsed() >= APPLY_INTERVAL
                        || state.stopping;
                    if due && (state.applied > state.stored || state.stopping) {
                        break;
                    }
                    let left = APPLY_INTERVAL.saturating_sub(since.elapsed()).max(Duration::from_millis(1));
                    state = self
                        .changed
                        .wait_timeout(state, left)
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .0;
                }
                if state.stopping && state.applied == state.stored {
                    break;
                }
                state.storing = std::mem::take(&mut state.pending);
                (state.storing.clone(), state.applied)
            };
            let stored = store_batch(&self.db, batch.iter(), size);
            // Counted before the lock is taken: the cache's bound is not paid for under it.
            let sized: Vec<_> = batch
                .into_iter()
                .map(|(worker_id, stored)| {
                    let bytes = stored.projection.memory_bytes();
                    (worker_id, stored.projection, bytes)
                })
                .collect();
            let mut state = self.lock();
            match stored {
                Ok(()) => {
                    state.stored = size;
                    state.storing.clear();
                    for (worker_id, projection, bytes) in sized {
                        if !state.pending.contains_key(&worker_id) {
                            state.cache.insert(worker_id, projection, bytes);
                        }
                    }
                    self.changed.notify_all();
                }
                Err(error) => {
                    let reason = format!(
                        "derived state could not be stored ({error}); the log is whole and the state is \
                         applied again from the last watermark when the ledger is restarted"
                    );
                    tracing::error!(%reason, "the applier stopped");
                    state.failed = Some(reason.clone());
                    self.changed.notify_all();
                    drop(state);
                    on_failure(reason);
                    return;
                }
            }
        }
        if let Err(error) = self.db.flush() {
            tracing::error!(%error, "the applier's final flush failed");
        }
    }
}

/// Stored projections in memory within [`PROJECTION_CACHE_BYTES_MAX`], those cached longest ago
/// evicted first (a worker written again is cached anew when she is stored). Only what is stored
/// is cached, so an eviction loses nothing.
#[derive(Debug)]
struct Cache {
    /// Bytes it may hold: [`PROJECTION_CACHE_BYTES_MAX`] but in tests.
    limit: usize,
    entries: HashMap<WorkerId, Cached>,
    /// Worker by when she was cached; the first is the next to leave.
    by_age: BTreeMap<u64, WorkerId>,
    clock: u64,
    bytes: usize,
}

#[derive(Debug)]
struct Cached {
    projection: Arc<WorkerProjection>,
    bytes: usize,
    cached_at: u64,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache::with_limit(PROJECTION_CACHE_BYTES_MAX)
    }
}

impl Cache {
    fn with_limit(limit: usize) -> Cache {
        Cache { limit, entries: HashMap::new(), by_age: BTreeMap::new(), clock: 0, bytes: 0 }
    }

    fn get(&self, worker_id: &WorkerId) -> Option<Arc<WorkerProjection>> {
        Some(self.entries.get(worker_id)?.projection.clone())
    }

    /// Caches a projection of `bytes` ([`WorkerProjection::memory_bytes`], counted by the caller
    /// before it takes the lock).
    fn insert(&mut self, worker_id: WorkerId, projection: Arc<WorkerProjection>, bytes: usize) {
        self.remove(&worker_id);
        // One long working life does not push out thousands of others.
        if bytes > self.limit / 16 {
            return;
        }
        while self.bytes + bytes > self.limit {
            let Some((_, oldest)) = self.by_age.pop_first() else { break };
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.bytes -= evicted.bytes;
            }
        }
        self.clock += 1;
        self.by_age.insert(self.clock, worker_id.clone());
        self.entries.insert(worker_id, Cached { projection, bytes, cached_at: self.clock });
        self.bytes += bytes;
    }

    fn remove(&mut self, worker_id: &WorkerId) {
        self.take(worker_id);
    }

    fn take(&mut self, worker_id: &WorkerId) -> Option<Arc<WorkerProjection>> {
        let cached = self.entries.remove(worker_id)?;
        self.by_age.remove(&cached.cached_at);
        self.bytes -= cached.bytes;
        Some(cached.projection)
    }
}

/// Writes the derived state of `workers` and the watermark `size` in one atomic batch.
pub(crate) fn store_batch<'a>(
    db: &sled::Db,
    workers: impl Iterator<Item = (&'a WorkerId, &'a Pending)>,
    size: u64,
) -> Result<()> {
    let mut batch = sled::Batch::default();
    for (worker_id, pending) in workers {
        put_worker(&mut batch, worker_id, pending);
    }
    batch.insert(keys::APPLIED, &size.to_be_bytes()[..]);
    db.apply_batch(batch)?;
    Ok(())
}

/// A worker's main part, the older years of her coverage that changed (written, or removed when
/// they moved back into the main part) and her new chunks.
fn put_worker(batch: &mut sled::Batch, worker_id: &WorkerId, pending: &Pending) {
    let projection = &pending.projection;
    batch.insert(keys::projection(worker_id), codec::encode(projection));
    let before = pending.stored_cutoff;
    let after = codec::coverage_cutoff(projection);
    let mut years = pending.years.clone();
    if before != after {
        years.extend(codec::coverage_years(projection));
    }
    for year in years {
        let stored_before = before.is_some_and(|cutoff| year < cutoff);
        let part = after.filter(|cutoff| year < *cutoff).and_then(|_| codec::encode_year(projection, year));
        match part {
            Some(part) => batch.insert(keys::coverage_year(worker_id, year), part),
            None if stored_before => batch.remove(keys::coverage_year(worker_id, year)),
            None => {}
        }
    }
    for (first, chunk) in &pending.chunks {
        batch.insert(keys::statement_chunk(worker_id, *first), keys::encode_chunk(chunk));
    }
}

/// What applying one event to its worker's projection gave: a full chunk of her statement to
/// store, and the years of her coverage it changed.
pub(crate) struct Applies {
    pub chunk: Option<Vec<Seq>>,
    pub years: std::ops::RangeInclusive<u16>,
}

/// Applies one event to its worker's projection (none before her enrolment). The one place an
/// event changes derived state: the writer, the replay at open and the rebuild go through it.
pub(crate) fn apply(
    slot: &mut Option<WorkerProjection>,
    seq: Seq,
    at: DateTime<Utc>,
    event: &Event,
    reversed: Option<&ContributionRecorded>,
) -> std::result::Result<Applies, ledger_projections::ProjectionError> {
    let chunk = apply_event(slot, seq, at, event, reversed)?;
    Ok(Applies { chunk, years: coverage_years_changed(event, reversed) })
}

/// The years of its worker's coverage an event changes: a contribution's, a reversed one's, the
/// credited ones. No other event touches coverage.
fn coverage_years_changed(
    event: &Event,
    reversed: Option<&ContributionRecorded>,
) -> std::ops::RangeInclusive<u16> {
    match (event, reversed) {
        (Event::ContributionRecorded(e), _) => e.month.year()..=e.month.year(),
        (Event::ContributionReversed(_), Some(reversed)) => reversed.month.year()..=reversed.month.year(),
        (Event::PeriodCredited(e), _) => e.from.year()..=e.to.year(),
        // No year: an empty range.
        _ => std::ops::RangeInclusive::new(1, 0),
    }
}

/// The watermark: the log size through which derived state is stored. A store without one (new,
/// or written before the applier, when projections were written with the events) is at its head.
pub(crate) fn watermark(db: &sled::Db) -> Result<Option<u64>> {
    let Some(value) = db.get(keys::APPLIED)? else { return Ok(None) };
    let bytes: [u8; 8] = value
        .as_ref()
        .try_into()
        .map_err(|_| StoreError::Refused("the applier's watermark is not 8 bytes".into()))?;
    Ok(Some(u64::from_be_bytes(bytes)))
}

/// Applies the events from the watermark to the head again and stores them, so that derived state
/// is whole before anything reads it. Events a worker's stored projection already holds are
/// skipped, so an interrupted catch-up, or a store that reached a worker past the watermark, is
/// applied exactly once. Returns how many events it applied.
pub(crate) fn catch_up(db: &sled::Db, head: u64) -> Result<u64> {
    let from = match watermark(db)? {
        Some(stored) if stored <= head => stored,
        Some(stored) => {
            return Err(StoreError::Refused(format!(
                "derived state is stored through {stored} events but the log holds {head}: the store is \
                 damaged; restore it from a backup (`ledger restore`)"
            )))
        }
        None => {
            db.insert(keys::APPLIED, &head.to_be_bytes()[..])?;
            return Ok(0);
        }
    };
    if from == head {
        return Ok(0);
    }
    let started = Instant::now();
    let mut pending: HashMap<WorkerId, Replayed> = HashMap::new();
    let mut applied = 0u64;
    let mut failure = None;
    read::scan(db, Seq(from), Seq(head), |seq, bytes, _| {
        let record = Record::decode(bytes)
            .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?;
        let Some(worker_id) = record.event.worker_id() else { return Ok(()) };
        if !pending.contains_key(worker_id) {
            let stored = read::load_projection(db, worker_id)?;
            let stored_cutoff = stored.as_ref().and_then(codec::coverage_cutoff);
            let entry =
                Replayed { slot: stored, stored_cutoff, years: BTreeSet::new(), chunks: BTreeMap::new() };
            pending.insert(worker_id.clone(), entry);
        }
        let Some(entry) = pending.get_mut(worker_id) else { return Ok(()) };
        if entry.slot.as_ref().is_some_and(|projection| projection.last_seq >= seq) {
            return Ok(());
        }
        let reversed = crate::rebuild::reversed_contribution(db, &record.event)?;
        let applies = apply(&mut entry.slot, seq, record.recorded_at, &record.event, reversed.as_ref())
            .map_err(|error| StoreError::Corruption { seq, reason: error.problem })?;
        if let Some(chunk) = applies.chunk {
            entry.chunks.insert(chunk.first().copied().unwrap_or(Seq(0)), Arc::new(chunk));
        }
        entry.years.extend(applies.years);
        applied += 1;
        if pending.len() >= APPLY_PENDING_WORKERS_MAX {
            // Everything before the next event is applied: store it with that size.
            if let Err(error) = store_replayed(db, &mut pending, seq.0 + 1) {
                failure = Some(error);
            }
        }
        Ok(())
    })?;
    if let Some(error) = failure {
        return Err(error);
    }
    store_replayed(db, &mut pending, head)?;
    db.flush()?;
    tracing::info!(
        from,
        head,
        applied,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "derived state was applied from the watermark to the head"
    );
    Ok(applied)
}

/// A worker's state while the events after the watermark are applied again.
struct Replayed {
    slot: Option<WorkerProjection>,
    stored_cutoff: Option<u16>,
    years: BTreeSet<u16>,
    chunks: BTreeMap<Seq, Arc<Vec<Seq>>>,
}

fn store_replayed(db: &sled::Db, pending: &mut HashMap<WorkerId, Replayed>, size: u64) -> Result<()> {
    let ready: Vec<(WorkerId, Pending)> = pending
        .drain()
        .filter_map(|(worker_id, entry)| {
            let Replayed { slot, stored_cutoff, years, chunks } = entry;
            Some((worker_id, Pending { projection: Arc::new(slot?), stored_cutoff, years, chunks }))
        })
        .collect();
    store_batch(db, ready.iter().map(|(worker_id, entry)| (worker_id, entry)), size)
}

/// Applies each durable commit the writer hands over, in order, then publishes its head and
/// answers its commands, until the writer is gone. A commit that cannot be applied (a projection
/// refusing a checked event: a programming error) is reported to `on_failure`; its events are
/// durable, so its commands are still answered.
pub(crate) fn run_applier(
    applied: &Applied,
    commits: std::sync::mpsc::Receiver<Committed>,
    durable: tokio::sync::watch::Sender<Head>,
    on_failure: impl Fn(String),
) {
    for committed in commits {
        if let Err(error) = applied.apply_committed(&committed.entries, committed.head.size) {
            let reason = format!(
                "a durable commit could not be applied to workers' projections ({error}); the ledger \
                 takes no more writes, and applies the log again from the last watermark when restarted"
            );
            tracing::error!(%reason, "the applier failed");
            on_failure(reason);
        }
        durable.send_if_modified(|head| {
            let moved = *head != committed.head;
            *head = committed.head;
            moved
        });
        for (reply, outcome) in committed.replies {
            // A client that gave up waiting is not an error of the ledger.
            let _ = reply.send(outcome);
        }
        if let Some(published) = committed.published {
            let _ = published.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use ledger_core::{Jurisdiction, Month, Seq, WorkerEnrolled, WorkerId};

    use super::*;

    fn worker(index: u8) -> (WorkerId, Arc<WorkerProjection>) {
        let worker_id = WorkerId::from_random([0, 0, 0, 0, 0, 0, 0, 0, 0, index]);
        let code = |text| Jurisdiction::parse(text).expect("a code");
        let event = WorkerEnrolled {
            worker_id: worker_id.clone(),
            origin: code("PH"),
            enrolled_in: code("SA"),
            sex: None,
            birth_month: Month::new(1990, 4).ok(),
        };
        (worker_id, Arc::new(WorkerProjection::enrolled(Seq(u64::from(index)), &event)))
    }

    #[test]
    fn the_cache_keeps_within_its_bytes_and_evicts_those_cached_longest_ago() {
        let bytes = worker(0).1.memory_bytes();
        let mut cache = Cache::with_limit(20 * bytes);
        for index in 0..40 {
            let (worker_id, projection) = worker(index);
            cache.insert(worker_id, projection, bytes);
            assert!(cache.bytes <= 20 * bytes, "{} bytes held after {index}", cache.bytes);
        }
        assert_eq!(cache.entries.len(), 20);
        assert!(cache.get(&worker(19).0).is_none(), "the first twenty left first");
        assert!(cache.get(&worker(20).0).is_some());
        // Cached again: counted once, and now the last to leave.
        let (again, projection) = worker(20);
        cache.insert(again.clone(), projection, bytes);
        assert_eq!(cache.bytes, 20 * bytes);
        let (newcomer, projection) = worker(40);
        cache.insert(newcomer, projection, bytes);
        assert!(cache.get(&again).is_some() && cache.get(&worker(21).0).is_none());
        // Taken for the applier: gone, and its bytes with it.
        assert!(cache.take(&again).is_some());
        assert!(cache.get(&again).is_none());
        assert_eq!(cache.bytes, 19 * bytes);
        assert_eq!(cache.by_age.len(), cache.entries.len());
    }

    #[test]
    fn a_projection_larger_than_a_sixteenth_of_the_cache_is_not_cached() {
        let (worker_id, projection) = worker(1);
        let bytes = projection.memory_bytes();
        let mut cache = Cache::with_limit(16 * bytes - 1);
        cache.insert(worker_id.clone(), projection, bytes);
        assert!(cache.get(&worker_id).is_none());
        assert_eq!(cache.bytes, 0);
    }
}
