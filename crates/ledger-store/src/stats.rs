//! Counters of the write path, for the operator's metrics. Atomics only: reading them never
//! slows the writer.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A fixed-bucket histogram with atomic counters, in the shape Prometheus expects.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// One counter per bound, plus one for values above the last bound.
    counts: Vec<AtomicU64>,
    /// The sum of observed values, in millionths of their unit.
    sum_micros: AtomicU64,
}

/// A snapshot of a histogram: cumulative counts per bound, the count and the sum.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramSnapshot {
    pub buckets: Vec<(f64, u64)>,
    pub count: u64,
    pub sum: f64,
}

impl Histogram {
    pub fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum_micros: AtomicU64::new(0),
        }
    }

    pub fn observe(&self, value: f64) {
        let index = self.bounds.iter().position(|bound| value <= *bound).unwrap_or(self.bounds.len());
        self.counts[index].fetch_add(1, Ordering::Relaxed);
        self.sum_micros.fetch_add((value.max(0.0) * 1e6) as u64, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut cumulative = 0;
        let mut buckets = Vec::with_capacity(self.bounds.len());
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count.load(Ordering::Relaxed);
            buckets.push((*bound, cumulative));
        }
        let count = cumulative + self.counts[self.bounds.len()].load(Ordering::Relaxed);
        HistogramSnapshot { buckets, count, sum: self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6 }
    }
}

/// Seconds, from half a millisecond to five seconds.
pub const LATENCY_BOUNDS_SECONDS: &[f64] =
    &[0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];
/// Events per commit.
pub const BATCH_BOUNDS_EVENTS: &[f64] =
    &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0, 8192.0];

/// What the writer has done since the store was opened.
#[derive(Debug)]
pub struct WriterStats {
    pub commits: AtomicU64,
    pub events: AtomicU64,
    pub failed_commits: AtomicU64,
    /// The size of the log on disk: every event below it is durable, applied or not yet.
    pub durable_size: AtomicU64,
    /// From taking the first command of a group to its fsync.
    pub commit_seconds: Histogram,
    pub events_per_commit: Histogram,
}

impl Default for WriterStats {
    fn default() -> Self {
        WriterStats {
            commits: AtomicU64::new(0),
            events: AtomicU64::new(0),
            failed_commits: AtomicU64::new(0),
            durable_size: AtomicU64::new(0),
            commit_seconds: Histogram::new(LATENCY_BOUNDS_SECONDS),
            events_per_commit: Histogram::new(BATCH_BOUNDS_EVENTS),
        }
    }
}

impl WriterStats {
    pub(crate) fn committed(&self, events: usize, took: Duration) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.events.fetch_add(events as u64, Ordering::Relaxed);
        self.commit_seconds.observe(took.as_secs_f64());
        self.events_per_commit.observe(events as f64);
    }
}
