//! Prometheus metrics on their own HTTP port: appends, commits and their latency and size, the
//! chain's size, requests by RPC and code with their latency, and live subscribers.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use ledger_store::stats::LATENCY_BOUNDS_SECONDS;
use ledger_store::{Histogram, HistogramSnapshot, Ledger};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tonic::Code;
use tracing::warn;

/// Largest HTTP request head the metrics endpoint reads.
const METRICS_REQUEST_BYTES_MAX: usize = 8 * 1024;
/// How long a scrape may take to send its request.
const METRICS_READ_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    pub subscribers: AtomicI64,
    /// Connections closed as soon as accepted, by the limit that refused them.
    refused_connections: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    pub fn request(&self, rpc: &str, code: Code, took: Duration) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry((rpc.to_owned(), format!("{code:?}"))).or_default() += 1;
        }
        if let Ok(mut latency) = self.latency.lock() {
            latency
                .entry(rpc.to_owned())
                .or_insert_with(|| Histogram::new(LATENCY_BOUNDS_SECONDS))
                .observe(took.as_secs_f64());
        }
    }

    /// A connection closed as soon as it was accepted, because of `limit`.
    pub fn connection_refused(&self, limit: &'static str) {
        if let Ok(mut refused) = self.refused_connections.lock() {
            *refused.entry(limit).or_default() += 1;
        }
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self, ledger: &Ledger) -> String {
        let mut out = String::new();
        let stats = ledger.stats();
        let counter = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {value}");
        };
        counter(
            &mut out,
            "ledger_appended_events_total",
            "Events made durable.",
            stats.events.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "ledger_commits_total",
            "Durable group commits.",
            stats.commits.load(Ordering::Relaxed),
        );
        counter(
            &mut out,
            "ledger_failed_commits_total",
            "Commits that could not be made durable.",
            stats.failed_commits.load(Ordering::Relaxed),
        );
        let _ = writeln!(out, "# HELP ledger_chain_size_events Events in the durable log.\n# TYPE ledger_chain_size_events gauge");
        let _ = writeln!(out, "ledger_chain_size_events {}", ledger.head().size);
        let (applied, stored) = ledger.applied();
        let _ = writeln!(
            out,
            "# HELP ledger_applier_lag_events Events applied in memory whose derived state is not stored yet.\n\
             # TYPE ledger_applier_lag_events gauge\nledger_applier_lag_events {}",
            applied.saturating_sub(stored)
        );
        let _ = writeln!(
            out,
            "# HELP ledger_subscribers Live event subscriptions.\n# TYPE ledger_subscribers gauge"
        );
        let _ = writeln!(out, "ledger_subscribers {}", self.subscribers.load(Ordering::Relaxed));
        let _ = writeln!(
            out,
            "# HELP ledger_refused_connections_total Connections closed as soon as accepted, by limit.\n\
             # TYPE ledger_refused_connections_total counter"
        );
        if let Ok(refused) = self.refused_connections.lock() {
            for (limit, count) in refused.iter() {
                let _ = writeln!(out, "ledger_refused_connections_total{{limit=\"{limit}\"}} {count}");
            }
        }
        histogram(
            &mut out,
            "ledger_commit_seconds",
            "Time from taking a group to its fsync.",
            "",
            &stats.commit_seconds.snapshot(),
        );
        histogram(
            &mut out,
            "ledger_commit_events",
            "Events per durable commit.",
            "",
            &stats.events_per_commit.snapshot(),
        );
        let _ = writeln!(out, "# HELP ledger_requests_total Requests by RPC and gRPC code.\n# TYPE ledger_requests_total counter");
        if let Ok(requests) = self.requests.lock() {
            for ((rpc, code), count) in requests.iter() {
                let _ = writeln!(out, "ledger_requests_total{{rpc=\"{rpc}\",code=\"{code}\"}} {count}");
            }
        }
        let _ = writeln!(
            out,
            "# HELP ledger_request_seconds Request latency by RPC.\n# TYPE ledger_request_seconds histogram"
        );
        if let Ok(latency) = self.latency.lock() {
            for (rpc, histogram) in latency.iter() {
                series(&mut out, "ledger_request_seconds", &format!("rpc=\"{rpc}\","), &histogram.snapshot());
            }
        }
        out
    }
}

fn histogram(out: &mut String, name: &str, help: &str, labels: &str, snapshot: &HistogramSnapshot) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
    series(out, name, labels, snapshot);
}

fn series(out: &mut String, name: &str, labels: &str, snapshot: &HistogramSnapshot) {
    for (bound, count) in &snapshot.buckets {
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {count}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {}", snapshot.count);
    let trimmed = labels.trim_end_matches(',');
    let braces = if trimmed.is_empty() { String::new() } else { format!("{{{trimmed}}}") };
    let _ = writeln!(out, "{name}_sum{braces} {}", snapshot.sum);
    let _ = writeln!(out, "{name}_count{braces} {}", snapshot.count);
}

/// Serves `GET /metrics` until the listener task is dropped. Anything else gets 404.
pub async fn serve(listener: TcpListener, metrics: std::sync::Arc<Metrics>, ledger: Ledger) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else { continue };
        let metrics = metrics.clone();
        let ledger = ledger.clone();
        tokio::spawn(async move {
            let mut head = Vec::with_capacity(1024);
            let mut buffer = [0u8; 1024];
            let read = tokio::time::timeout(METRICS_READ_TIMEOUT, async {
                while !head.windows(4).any(|window| window == b"\r\n\r\n")
                    && head.len() < METRICS_REQUEST_BYTES_MAX
                {
                    let count = stream.read(&mut buffer).await?;
                    if count == 0 {
                        break;
                    }
                    head.extend_from_slice(&buffer[..count]);
                }
                Ok::<(), std::io::Error>(())
            })
            .await;
            if !matches!(read, Ok(Ok(()))) {
                return;
            }
            let response = if head.starts_with(b"GET /metrics ") {
                let body = metrics.render(&ledger);
                format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/plain; version=0.0.4\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                )
            } else {
                "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_owned()
            };
            if let Err(error) = stream.write_all(response.as_bytes()).await {
                warn!(%error, "metrics response not sent");
            }
        });
    }
}
