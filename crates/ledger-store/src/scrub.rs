//! The scrubber: while the ledger serves, a thread of its own reads back everything it stores, at a
//! bounded rate, pass after pass. Each pass checks the chain from seq 0 to the durable head it
//! started at (every record decodes, names its position and links to the one before; every stored
//! Merkle node is the one the records give), then every worker's projection against a fold of the
//! events its statement names, which must be exactly the worker's events in the log.
//!
//! What it finds is [`Damage`]: published once, logged once, and from then on readers of the
//! damaged worker get `DATA_LOSS`, the writer refuses every command, no checkpoint is signed, and
//! the server reports NOT_SERVING. Repair is a restore from a backup (or `ledger rebuild` for a
//! projection); `ledger check` finds every case the scrubber finds.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ledger_core::merkle::Frontier;
use ledger_core::{ChainHash, ChainVerifier, Record, Seq, WorkerId};
use ledger_projections::{codec, WorkerProjection};
use tokio::sync::watch;

use crate::error::{Result, StoreError};
use crate::read::{self, Head, MERKLE_LEVEL_STORED_MIN};
use crate::{keys, rebuild};

/// Events the scrubber reads per second, over the chain and the projections together. It shares
/// sled and the cores with the writer: at 10,000 it cost a quarter of the batched appends
/// (`ledger bench`, BENCHMARKS.md). At 2,000 a pass over a million events takes about a quarter
/// of an hour.
pub const SCRUB_EVENTS_PER_SECOND_DEFAULT: u64 = 2_000;
/// Events read in one step, between two looks at the clock and at the stop signal.
const SCRUB_STEP_EVENTS: usize = 1024;
/// The pause between the end of one pass and the start of the next.
const SCRUB_PASS_PAUSE: Duration = Duration::from_millis(500);

/// Stored data found not to be what the log gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// The first event concerned.
    pub seq: Seq,
    /// The worker whose projection is damaged, when it is a projection.
    pub worker: Option<WorkerId>,
    pub reason: String,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.worker {
            Some(worker) => write!(f, "the projection of {worker} (event {}): {}", self.seq, self.reason),
            None => write!(f, "event {}: {}", self.seq, self.reason),
        }
    }
}

pub(crate) struct Scrubber {
    pub db: sled::Db,
    pub durable: watch::Receiver<Head>,
    pub damage: watch::Sender<Option<Damage>>,
    pub events_per_second: u64,
    /// Ends the scrubber when its sender is dropped (the ledger shuts down).
    pub stop: std::sync::mpsc::Receiver<()>,
}

/// Why a pass ended early.
enum Halt {
    Stopped,
    Damaged(Damage),
    Failed(StoreError),
}

impl From<StoreError> for Halt {
    fn from(error: StoreError) -> Halt {
        match error {
            StoreError::Corruption { seq, reason } => Halt::Damaged(Damage { seq, worker: None, reason }),
            other => Halt::Failed(other),
        }
    }
}

impl Scrubber {
    /// Scrubs pass after pass until stopped or until it finds damage.
    pub fn run(mut self) {
        let mut passes = 0u64;
        loop {
            match self.pass() {
                Ok(events) => {
                    passes += 1;
                    tracing::debug!(passes, events, "scrub pass complete");
                }
                Err(Halt::Stopped) => return,
                Err(Halt::Damaged(damage)) => {
                    tracing::error!(
                        seq = damage.seq.0,
                        worker = damage.worker.as_ref().map(WorkerId::as_str),
                        "stored data is damaged: {damage}; writes are refused, no checkpoint is signed and \
                         readers of it get DATA_LOSS until the data directory is restored from a backup"
                    );
                    self.damage.send_replace(Some(damage));
                    return;
                }
                // A read that failed for another reason (sled's IO) is tried again next pass.
                Err(Halt::Failed(error)) => tracing::warn!(%error, "scrub pass failed"),
            }
            if self.pause(SCRUB_PASS_PAUSE) {
                return;
            }
        }
    }

    /// Waits `pause`, or until stopped (returns true then).
    fn pause(&mut self, pause: Duration) -> bool {
        !matches!(self.stop.recv_timeout(pause), Err(std::sync::mpsc::RecvTimeoutError::Timeout))
    }

    /// One pass over the log up to the durable head, then over the projections.
    fn pass(&mut self) -> std::result::Result<u64, Halt> {
        let head = *self.durable.borrow();
        // Projections are stored behind the log, at least through the applier's watermark: the
        // events below it are the ones every stored projection must name.
        let watermark = crate::apply::watermark(&self.db)?.unwrap_or(head.size).min(head.size);
        let mut pace = Pace::new(self.events_per_second);
        let counts = self.chain(head, watermark, &mut pace)?;
        self.projections(watermark, &counts, &mut pace)?;
        Ok(head.size)
    }

    /// Checks the chain and the stored Merkle nodes below `head`; returns how many events each
    /// worker has below `watermark`.
    fn chain(
        &mut self,
        head: Head,
        watermark: u64,
        pace: &mut Pace,
    ) -> std::result::Result<HashMap<WorkerId, u64>, Halt> {
        let mut verifier = ChainVerifier::new(Seq(0), ChainHash::GENESIS);
        let mut frontier = Frontier::default();
        let mut counts: HashMap<WorkerId, u64> = HashMap::new();
        let mut from = Seq(0);
        while from.0 < head.size {
            let to = Seq(head.size.min(from.0 + SCRUB_STEP_EVENTS as u64));
            let mut nodes = Vec::new();
            read::scan(&self.db, from, to, |seq, bytes, stored| {
                let (record, _) = verifier
                    .check(seq, bytes, &stored)
                    .map_err(|fault| StoreError::Corruption { seq: fault.seq, reason: fault.reason })?;
                frontier.push(*ledger_core::event_hash(bytes).as_bytes(), |level, index, hash| {
                    if level >= MERKLE_LEVEL_STORED_MIN {
                        nodes.push((level, index, hash));
                    }
                });
                if let Some(worker) = record.event.worker_id().filter(|_| seq.0 < watermark) {
                    *counts.entry(worker.clone()).or_default() += 1;
                }
                Ok(())
            })?;
            for (level, index, hash) in nodes {
                if self.db.get(keys::merkle_node(level, index)).map_err(StoreError::from)?.as_deref()
                    != Some(&hash[..])
                {
                    return Err(Halt::Damaged(Damage {
                        seq: Seq(index << level),
                        worker: None,
                        reason: format!(
                            "the stored Merkle node {level}/{index} is not the one the records give"
                        ),
                    }));
                }
            }
            self.step(pace, to.0 - from.0)?;
            from = to;
        }
        if verifier.chain_hash() != head.chain_hash {
            return Err(Halt::Damaged(Damage {
                seq: Seq(head.size.saturating_sub(1)),
                worker: None,
                reason: "the last event does not hash to the durable head".into(),
            }));
        }
        Ok(counts)
    }

    /// Checks every worker's projection: it decodes, its statement names exactly the worker's
    /// events of the log (counted below the applier's `watermark`), and a fold of those
    /// events gives it byte for byte.
    fn projections(
        &mut self,
        watermark: u64,
        counts: &HashMap<WorkerId, u64>,
        pace: &mut Pace,
    ) -> std::result::Result<(), Halt> {
        let damaged = |worker: &WorkerId, seq: Seq, reason: String| {
            Halt::Damaged(Damage { seq, worker: Some(worker.clone()), reason })
        };
        let mut seen = 0;
        for item in self.db.scan_prefix([keys::PROJECTION_PREFIX]) {
            let (key, value) = item.map_err(StoreError::from)?;
            let worker = std::str::from_utf8(&key[1..])
                .ok()
                .and_then(|text| WorkerId::parse(text).ok())
                .ok_or_else(|| damaged_key(&key))?;
            let in_log = counts.get(&worker).copied().unwrap_or(0);
            seen += usize::from(in_log > 0);
            // Her years of coverage and the chunks of her statement, then her main part again: if
            // the writer changed her meanwhile, what was read may mix two commits, and a later
            // pass checks her.
            let years = read::coverage_parts(&self.db, &worker).map_err(Halt::Failed)?;
            let chunks = stored_chunks(&self.db, &worker).map_err(|error| match error {
                StoreError::Corruption { seq, reason } => damaged(&worker, seq, reason),
                other => Halt::Failed(other),
            })?;
            if self.db.get(&key).map_err(StoreError::from)?.as_deref() != Some(value.as_ref()) {
                continue;
            }
            let stored = codec::decode(&value, years.iter().map(|(year, part)| (*year, part.as_ref())))
                .map_err(|error| damaged(&worker, Seq(0), format!("it does not decode: {error}")))?;
            let seqs: Vec<Seq> = chunks.iter().flatten().chain(&stored.events).copied().collect();
            let below = seqs.partition_point(|seq| seq.0 < watermark) as u64;
            if below != in_log {
                let first = seqs.first().copied().unwrap_or(Seq(0));
                return Err(damaged(
                    &worker,
                    first,
                    format!("its statement names {below} events below seq {watermark}, the log has {in_log}"),
                ));
            }
            // A projection the writer is changing right now is checked in a later pass.
            if stored.last_seq.0 >= self.durable.borrow().size {
                continue;
            }
            let (folded, folded_chunks) = fold(&self.db, &worker, &seqs).map_err(|error| match error {
                StoreError::Corruption { seq, reason } => damaged(&worker, seq, reason),
                other => Halt::Failed(other),
            })?;
            let folded_years: Vec<(u16, Vec<u8>)> = codec::stored_years(&folded)
                .into_iter()
                .filter_map(|year| codec::encode_year(&folded, year).map(|part| (year, part)))
                .collect();
            let stored_years: Vec<(u16, Vec<u8>)> =
                years.iter().map(|(year, part)| (*year, part.to_vec())).collect();
            if codec::encode(&folded) != value.as_ref() || folded_years != stored_years {
                return Err(damaged(
                    &worker,
                    stored.last_seq,
                    "it is not what the worker's events give".into(),
                ));
            }
            if folded_chunks != chunks {
                return Err(damaged(
                    &worker,
                    stored.last_seq,
                    "the stored chunks of the statement are not what the worker's events give".into(),
                ));
            }
            self.step(pace, seqs.len() as u64)?;
        }
        if seen != counts.len() {
            let missing = counts.keys().find(|worker| {
                self.db.get(keys::projection(worker)).map(|found| found.is_none()).unwrap_or(false)
            });
            return Err(Halt::Damaged(Damage {
                seq: Seq(0),
                worker: missing.cloned(),
                reason: format!("{} workers have events in the log but no projection", counts.len() - seen),
            }));
        }
        Ok(())
    }

    /// Waits as long as the rate asks after `events` more, and stops when told.
    fn step(&mut self, pace: &mut Pace, events: u64) -> std::result::Result<(), Halt> {
        let wait = pace.after(events);
        if self.pause(wait) {
            return Err(Halt::Stopped);
        }
        Ok(())
    }
}

fn damaged_key(key: &[u8]) -> Halt {
    Halt::Damaged(Damage {
        seq: Seq(0),
        worker: None,
        reason: format!("a projection key names no worker: {:02x?}", &key[..key.len().min(24)]),
    })
}

/// The stored chunks of the worker's statement, in order.
fn stored_chunks(db: &sled::Db, worker: &WorkerId) -> Result<Vec<Vec<Seq>>> {
    let mut chunks = Vec::new();
    for item in db.scan_prefix(keys::statement_chunks(worker)) {
        let (key, value) = item?;
        let first = keys::trailing_seq(&key).unwrap_or(Seq(0));
        let chunk =
            keys::decode_chunk(&value).filter(|chunk| chunk.first() == Some(&first)).ok_or_else(|| {
                StoreError::Corruption { seq: first, reason: "a chunk of the statement is malformed".into() }
            })?;
        chunks.push(chunk);
    }
    Ok(chunks)
}

/// The worker's projection folded from the events at `seqs`, each of which must be hers, and the
/// chunks of her statement the fold filled.
fn fold(db: &sled::Db, worker: &WorkerId, seqs: &[Seq]) -> Result<(WorkerProjection, Vec<Vec<Seq>>)> {
    let mut slot: Option<WorkerProjection> = None;
    let mut chunks = Vec::new();
    for &seq in seqs {
        let (record, _): (Record, _) = read::read_record(db, seq)?;
        let corrupt = |reason: String| StoreError::Corruption { seq, reason };
        if record.event.worker_id() != Some(worker) {
            return Err(corrupt(format!("the statement of {worker} names another worker's event")));
        }
        let reversed = rebuild::reversed_contribution(db, &record.event)?;
        let chunk = ledger_projections::apply_event(
            &mut slot,
            seq,
            record.recorded_at,
            &record.event,
            reversed.as_ref(),
        )
        .map_err(|error| corrupt(error.problem))?;
        chunks.extend(chunk);
    }
    let projection = slot.ok_or_else(|| StoreError::Corruption {
        seq: Seq(0),
        reason: format!("the statement of {worker} names no enrolment"),
    })?;
    Ok((projection, chunks))
}

/// Keeps a pass to a number of events per second.
struct Pace {
    started: Instant,
    events: u64,
    events_per_second: u64,
}

impl Pace {
    fn new(events_per_second: u64) -> Pace {
        Pace { started: Instant::now(), events: 0, events_per_second: events_per_second.max(1) }
    }

    /// How long to wait, after `events` more, to stay at the rate.
    fn after(&mut self, events: u64) -> Duration {
        self.events += events;
        let due = Duration::from_secs_f64(self.events as f64 / self.events_per_second as f64);
        due.saturating_sub(self.started.elapsed())
    }
}
