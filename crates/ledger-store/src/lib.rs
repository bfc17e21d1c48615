//! The ledger's log in sled: blocks of hash-chained records, their indexes and the idempotency
//! table, in one tree, written by a single writer with group commit.
//!
//! - [`Ledger`]: open a data directory, submit commands, read events, statements and verify.
//! - [`command`]: what may be asked of the writer and what it answers.
//! - [`keys`]: the key layout (and docs/ARCHITECTURE.md for the crash story).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use ledger_core::{Jurisdiction, PrincipalId, RequestId};
//! use ledger_store::{Action, Actor, Command, Ledger};
//!
//! let dir = tempfile::tempdir()?;
//! let ledger = Ledger::open(dir.path(), Arc::new(ledger_rules::Rules::sample()))?;
//! let outcome = ledger
//!     .submit(Command {
//!         actor: Actor { principal: PrincipalId::parse("agency-ph")?, jurisdiction: Some(Jurisdiction::parse("PH")?) },
//!         request_id: RequestId::parse("enrol-0001")?,
//!         action: Action::EnrollWorker { origin: Jurisdiction::parse("PH")?, sex: None, birth_month: None },
//!     })
//!     .await?;
//! assert_eq!(outcome.receipts[0].seq.0, 0);
//! assert_eq!(ledger.head().size, 1);
//! ledger.shutdown();
//! # Ok(()) }
//! ```
//!
//! Architecture invariant: only the writer thread changes the tree; readers see only events below
//! the durable head, so nothing a reader is shown can vanish in a crash.

pub mod block;
pub mod command;
mod error;
pub mod keys;
mod read;
mod writer;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use ledger_core::{Record, Seq, WorkerId};
use ledger_rules::Rules;
use tokio::sync::{mpsc, oneshot, watch};

pub use block::StoredEntry;
pub use command::{Action, Actor, Command, Outcome, Receipt, EVENTS_PER_REQUEST_MAX};
pub use error::{Result, StoreError};
pub use read::{Head, Verification};
pub use writer::EVENTS_PER_COMMIT_MAX;

/// Commands waiting for the writer; senders wait when it is full, which pushes back on clients.
pub const COMMAND_QUEUE_MAX: usize = 4096;
/// sled's segment size. sled 0.34 moves any page larger than a quarter of a segment into a blob
/// file that it never fsyncs; with blocks of at most 16 KiB no page comes near 512 KiB.
pub const SLED_SEGMENT_BYTES: usize = 2 * 1024 * 1024;
/// The sled directory inside a data directory.
pub const SLED_DIR: &str = "sled";

/// An open ledger. Cheap to clone; all clones share one writer.
#[derive(Clone, Debug)]
pub struct Ledger {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    tree: sled::Db,
    durable: watch::Receiver<Head>,
    queue: Mutex<Option<mpsc::Sender<writer::Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    commits: Arc<AtomicU64>,
}

/// One entry of a worker's statement: the stored bytes, the decoded record and its receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementEntry {
    pub entry: StoredEntry,
    pub record: Record,
    pub receipt: Receipt,
}

/// A page of a worker's statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    pub entries: Vec<StatementEntry>,
    /// Where the next page starts, when there is one.
    pub next: Option<Seq>,
}

impl Ledger {
    /// Opens (or creates) the ledger in `data_dir`, checks that the last record hashes to the stored
    /// head, and starts the writer. A store that fails the check is refused.
    pub fn open(data_dir: &Path, rules: Arc<Rules>) -> Result<Ledger> {
        let sled_dir = data_dir.join(SLED_DIR);
        std::fs::create_dir_all(&sled_dir)?;
        let db = sled::Config::new().path(&sled_dir).segment_size(SLED_SEGMENT_BYTES).open()?;
        let db_file = OpenOptions::new().read(true).write(true).open(sled_dir.join("db"))?;
        sync_dirs(&[data_dir.to_path_buf(), sled_dir.clone()])?;
        check_format(&db, &db_file)?;
        let (head, last_block) = read::load_head(&db)?;
        check_head(&db, &head, last_block)?;
        let last_recorded_at = match head.size {
            0 => chrono::DateTime::UNIX_EPOCH,
            size => read::read_record(&db, Seq(size - 1))?.0.recorded_at,
        };
        let (durable_sender, durable) = watch::channel(head);
        let commits = Arc::new(AtomicU64::new(0));
        let writer = writer::Writer {
            db: db.clone(),
            db_file,
            rules,
            head,
            last_block,
            last_recorded_at,
            durable: durable_sender,
            commits: commits.clone(),
        };
        let (queue, receiver) = mpsc::channel(COMMAND_QUEUE_MAX);
        let handle =
            std::thread::Builder::new().name("ledger-writer".into()).spawn(move || writer.run(receiver))?;
        Ok(Ledger {
            shared: Arc::new(Shared {
                tree: db,
                durable,
                queue: Mutex::new(Some(queue)),
                writer: Mutex::new(Some(handle)),
                commits,
            }),
        })
    }

    /// Hands a command to the writer and waits until its events are durable (or it is refused).
    pub async fn submit(&self, command: Command) -> Result<Outcome> {
        let queue = self.shared.queue.lock().ok().and_then(|queue| queue.clone());
        let queue = queue.ok_or_else(|| StoreError::Unavailable("the ledger is shutting down".into()))?;
        let (reply, answer) = oneshot::channel();
        queue
            .send(writer::Job { command, reply })
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Unavailable("the writer stopped before answering".into()))?
    }

    /// The durable head: every event below it is on disk.
    pub fn head(&self) -> Head {
        *self.shared.durable.borrow()
    }

    /// Durable commits made since the store was opened; each may hold many commands.
    pub fn commits(&self) -> u64 {
        self.shared.commits.load(Ordering::Relaxed)
    }

    /// Follows the durable head as it moves.
    pub fn watch_head(&self) -> watch::Receiver<Head> {
        self.shared.durable.clone()
    }

    /// Stored events from `from`, at most `limit`, below the durable head.
    pub fn read_events(&self, from: Seq, limit: usize) -> Result<Vec<StoredEntry>> {
        read::read_range(&self.shared.tree, from, Seq(self.head().size), limit)
    }

    /// Checks `from..to` (to the durable head when `to` is absent) link by link.
    pub fn verify(&self, from: Seq, to: Option<Seq>) -> Result<Verification> {
        let head = self.head();
        let to = to.map_or(Seq(head.size), |to| Seq(to.0.min(head.size)));
        read::verify(&self.shared.tree, from, to, &head)
    }

    pub fn worker_exists(&self, worker_id: &WorkerId) -> Result<bool> {
        Ok(self.shared.tree.contains_key(keys::worker(worker_id))?)
    }

    /// A page of the worker's events at or after `from`, oldest first.
    pub fn statement(&self, worker_id: &WorkerId, from: Seq, limit: usize) -> Result<Statement> {
        if !self.worker_exists(worker_id)? {
            return Err(StoreError::NotFound {
                field: "worker_id".into(),
                message: format!("no worker {worker_id}"),
            });
        }
        let below = Seq(self.head().size);
        let mut seqs =
            read::statement_seqs(&self.shared.tree, worker_id, from, below, limit.saturating_add(1))?;
        let next = if seqs.len() > limit { seqs.pop() } else { None };
        let mut entries = Vec::with_capacity(seqs.len());
        for seq in seqs {
            let (record, entry) = read::read_record(&self.shared.tree, seq)?;
            if record.event.worker_id() != worker_id {
                return Err(StoreError::Corruption {
                    seq,
                    reason: "the statement index names another worker's event".into(),
                });
            }
            let receipt = Receipt {
                seq,
                event_hash: ledger_core::event_hash(&entry.record),
                chain_hash: entry.chain_hash,
                recorded_at: record.recorded_at,
                replayed: false,
            };
            entries.push(StatementEntry { entry, record, receipt });
        }
        Ok(Statement { entries, next })
    }

    /// Stops taking commands, lets the writer finish what it has, and waits for it.
    pub fn shutdown(&self) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.take();
        }
        let handle = self.shared.writer.lock().ok().and_then(|mut writer| writer.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

fn sync_dirs(dirs: &[PathBuf]) -> Result<()> {
    for dir in dirs {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

fn check_format(db: &sled::Db, db_file: &File) -> Result<()> {
    match db.get(keys::META)? {
        None if db.is_empty() => {
            db.insert(keys::META, &[keys::STORE_FORMAT_VERSION])?;
            db.flush()?;
            db_file.sync_all()?;
            Ok(())
        }
        Some(version) if version.as_ref() == [keys::STORE_FORMAT_VERSION] => Ok(()),
        Some(version) => Err(StoreError::Refused(format!(
            "store format {version:?} is not {}, the one this build reads",
            keys::STORE_FORMAT_VERSION
        ))),
        None => Err(StoreError::Refused("the store has data but no format version".into())),
    }
}

/// The last record must hash to the stored head, and sit in the block the head names.
fn check_head(db: &sled::Db, head: &Head, last_block: Seq) -> Result<()> {
    let refuse = |why: String| StoreError::Refused(format!("the log does not match its head: {why}"));
    let last_key = db.scan_prefix([keys::BLOCK_PREFIX]).keys().next_back().transpose()?;
    let last_key_seq = last_key.as_deref().and_then(keys::trailing_seq);
    if head.size == 0 {
        return match last_key_seq {
            None => Ok(()),
            Some(seq) => Err(refuse(format!("the head is empty but a block starts at {seq}"))),
        };
    }
    if last_key_seq != Some(last_block) {
        return Err(refuse(format!("the last block starts at {last_key_seq:?}, the head says {last_block}")));
    }
    let last = Seq(head.size - 1);
    let (_, entry) = read::read_record(db, last).map_err(|error| refuse(error.to_string()))?;
    if entry.chain_hash != head.chain_hash {
        return Err(refuse(format!(
            "event {last} hashes to {}, the head says {}",
            entry.chain_hash, head.chain_hash
        )));
    }
    let block = db.get(keys::block(last_block))?.unwrap_or_default();
    let stored = block::entries(last_block, &block).count() as u64;
    if last_block.0 + stored != head.size {
        return Err(refuse(format!(
            "the last block ends at {}, the head says {}",
            last_block.0 + stored,
            head.size
        )));
    }
    Ok(())
}
