//! How many entries a second a replica's raft log makes durable, one at a time as raft hands them
//! over under a steady load: the raft log the ledger uses (`LogStore`: sled, each batch flushed
//! and its data file fsynced) beside an append-only file fsynced after each entry, the least any
//! durable raft log does per entry. Both run in one process, in alternating rounds, so that the
//! machine's noise falls on both alike; the ratio is the figure to read.
//!
//!     cargo run --release -p ledger-cluster --example raft_log_storage -- [ENTRIES] [ROUNDS]

use std::io::Write;
use std::time::{Duration, Instant};

use ledger_cluster::log_store::LogStore;
use ledger_cluster::{AppendBytes, Entry};
use openraft::storage::RaftLogStorageExt;
use openraft::{CommittedLeaderId, EntryPayload, LogId};

/// The sizes of entries measured: a single request's append, and a full group commit's.
const ENTRY_BYTES: [usize; 2] = [1_024, 64 * 1_024];

fn entry(index: u64, bytes: usize) -> Entry {
    Entry {
        log_id: LogId::new(CommittedLeaderId::new(1, 1), index),
        payload: EntryPayload::Normal(AppendBytes(vec![(index % 251) as u8; bytes])),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let entries: u64 = args.next().map(|arg| arg.parse()).transpose()?.unwrap_or(500);
    let rounds: u32 = args.next().map(|arg| arg.parse()).transpose()?.unwrap_or(4);
    for bytes in ENTRY_BYTES {
        let dir = tempfile::tempdir()?;
        let mut store = LogStore::open(&dir.path().join("sled"))?;
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(dir.path().join("file"))?;
        let (mut in_sled, mut in_file) = (Duration::ZERO, Duration::ZERO);
        let mut index = 0;
        for _ in 0..rounds {
            let started = Instant::now();
            for offset in 1..=entries {
                store.blocking_append(vec![entry(index + offset, bytes)]).await?;
            }
            in_sled += started.elapsed();
            let started = Instant::now();
            for offset in 1..=entries {
                let encoded = postcard::to_allocvec(&entry(index + offset, bytes))?;
                file.write_all(&(encoded.len() as u32).to_be_bytes())?;
                file.write_all(&encoded)?;
                file.sync_data()?;
            }
            in_file += started.elapsed();
            index += entries;
        }
        let rate = |elapsed: Duration| index as f64 / elapsed.as_secs_f64();
        println!(
            "raft log, {bytes} B entries, {index} each: sled {:.0} entries/s, append-only file with fdatasync {:.0} entries/s, sled at {:.0}% of the file",
            rate(in_sled),
            rate(in_file),
            100.0 * rate(in_sled) / rate(in_file)
        );
    }
    Ok(())
}
