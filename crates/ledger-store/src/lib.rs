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
//!         actor: Actor::agency(PrincipalId::parse("agency-ph")?, Jurisdiction::parse("PH")?),
//!         request_id: RequestId::parse("enrol-0001")?,
//!         action: Action::EnrollWorker {
//!             origin: Jurisdiction::parse("PH")?,
//!             sex: None,
//!             birth_month: None,
//!             credential: None,
//!             activation: None,
//!         },
//!     })
//!     .await?;
//! // Seq 0 adopted the rules the ledger was opened with.
//! assert_eq!(outcome.receipts[0].seq.0, 1);
//! assert_eq!(ledger.head().size, 2);
//! ledger.shutdown();
//! # Ok(()) }
//! ```
//!
//! Architecture invariant: only the writer thread changes the log and its indexes, and only the
//! applier threads change derived state, by applying durable commits; readers see only events
//! below the durable head, so nothing a reader is shown can vanish in a crash.

pub mod access;
pub mod append;
mod apply;
pub mod block;
mod clock;
pub mod command;
mod error;
pub mod fault;
mod integrity;
pub mod keys;
pub mod promise;
mod read;
mod rebuild;
mod refusal;
pub mod scrub;
pub mod snapshot;
pub mod stats;
mod validate;
mod writer;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use ledger_core::checkpoint::{Checkpoint, LogKey};
use ledger_core::cosignature::CosignerKey;
use ledger_core::{Jurisdiction, PrincipalId, Record, Seq, WorkerId};
use ledger_projections::coverage::{Amendments, YearFold};
use ledger_projections::reports::{self, AccountabilityReport};
use ledger_projections::{balance, Balance, Claim, WorkerProjection};
use ledger_rules::Rules;
use tokio::sync::{mpsc, oneshot, watch};

pub use append::Append;
pub use apply::{
    APPLY_BATCH_WORKERS, APPLY_INTERVAL, APPLY_PENDING_WORKERS_MAX, APPLY_WAIT_MAX,
    PROJECTION_CACHE_BYTES_MAX,
};
pub use block::StoredEntry;
pub use clock::Clock;
pub use command::{
    Action, Actor, ClaimRequest, Command, ContributionOutcome, Outcome, PeriodCertification, Receipt,
    RecruitmentCostRequest, EVENTS_PER_REQUEST_MAX, GROUP_CLAIM_WORKERS_MIN,
};
pub use error::{Result, StoreError};
pub use integrity::{check, restore, CheckReport, RecoveryState, RestoreReport};
pub use keys::ClaimsBy;
pub use promise::{Promise, Signed, TreeHead, PROMISE_FILE};
pub use read::{Head, Verification};
pub use rebuild::{rebuild, RebuildReport};
pub use refusal::REFUSED_COMMITS_LOG_INTERVAL;
pub use scrub::{Damage, SCRUB_EVENTS_PER_SECOND_DEFAULT};
pub use stats::{Histogram, HistogramSnapshot, WriterStats};
pub use validate::OPEN_CLAIMS_PER_WORKER_MAX;
pub use writer::{Proposal, EVENTS_PER_COMMIT_MAX, SYSTEM_PRINCIPAL, WRITER_FACTS_WORKERS_MAX};

/// Commands waiting for the writer; senders wait when it is full, which pushes back on clients.
pub const COMMAND_QUEUE_MAX: usize = 4096;
/// Requests of the raft state machine waiting for the writer: it sends one and waits for its
/// answer, so a few are room enough.
pub const CONTROL_QUEUE_MAX: usize = 16;
/// sled's segment size. sled 0.34 moves any page larger than a quarter of a segment into a blob
/// file that it never fsyncs; with values of at most 65 KiB no page comes near 2 MiB.
pub const SLED_SEGMENT_BYTES: usize = 8 * 1024 * 1024;
/// Memory sled may use to cache pages. sled's default (1 GiB) would make it most of the server's
/// memory; the log is read mostly at its end and projections are small.
pub const SLED_CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// The sled directory inside a data directory.
pub const SLED_DIR: &str = "sled";
/// Free space the data directory keeps in reserve: below it, commits are refused before anything
/// is written. Several of sled's segments, so that a flush never meets a full disk half-way.
pub const DISK_FREE_BYTES_MIN: u64 = 8 * SLED_SEGMENT_BYTES as u64;
/// The file written, synced and removed at open to learn whether the data directory takes writes.
pub const WRITE_PROBE_FILE: &str = ".write-probe";

/// Most claim index entries read for one page of claims, shown or not: an agency asking only for
/// open claims in a queue of many answered ones gets short pages, not an unbounded scan.
pub const CLAIMS_SCAN_MAX: usize = 10_000;

/// Most of a worker's events read for one page of her statement, whether shown or not: a reader
/// who sees few of a long record's events gets short pages, not an unbounded scan.
pub const STATEMENT_SCAN_MAX: usize = 10_000;

/// An open ledger. Cheap to clone; all clones share one writer.
#[derive(Clone, Debug)]
pub struct Ledger {
    shared: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    tree: sled::Db,
    /// Opened over a log shorter than it had acknowledged, with `accept_rollback`.
    rolled_back: bool,
    durable: watch::Receiver<Head>,
    queue: Mutex<Option<Queues>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    stats: Arc<WriterStats>,
    /// Rules documents already loaded from the chain, by the seq that adopted them.
    rules: Mutex<HashMap<Seq, Arc<Rules>>>,
    clock: Clock,
    sealed: watch::Receiver<Option<String>>,
    /// The key that signs checkpoints, when this ledger signs them.
    log_key: Option<Arc<LogKey>>,
    /// This replica's cosigning key.
    replica_key: Option<Arc<CosignerKey>>,
    /// The largest tree signed, shared with the writer, which keeps it in the promise file.
    signed: Arc<Mutex<Option<Signed>>>,
    /// Stored data the scrubber found damaged.
    damage: watch::Receiver<Option<Damage>>,
    /// Tells the scrubber to stop, and its thread.
    scrub_stop: Mutex<Option<std::sync::mpsc::Sender<()>>>,
    scrubber: Mutex<Option<JoinHandle<()>>>,
    /// Whether this replica takes writes: always, alone; in a cluster, while it leads
    /// ([`Ledger::set_leading`]).
    leading: std::sync::atomic::AtomicBool,
    /// Derived state applied behind the log, the thread that applies each durable commit, and the
    /// one that stores what is applied.
    applied: Arc<apply::Applied>,
    apply_thread: Mutex<Option<JoinHandle<()>>>,
    applier: Mutex<Option<JoinHandle<()>>>,
}

/// The writer's two queues, from the sending side.
#[derive(Clone, Debug)]
struct Queues {
    commands: mpsc::Sender<writer::Job>,
    control: mpsc::Sender<writer::Control>,
}

/// How a ledger is opened.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Gives the time events are recorded at and today's date.
    pub clock: Clock,
    /// Serve a log that does not hold every event the ledger acknowledged (sled's recovery
    /// dropped them, or they were changed) instead of refusing to open it. Logged as an error; the
    /// log key that may have signed the longer log signs nothing this log does not extend.
    pub accept_rollback: bool,
    /// The key that signs checkpoints; a ledger without one signs none.
    pub log_key: Option<Arc<LogKey>>,
    /// This replica's key, which cosigns every checkpoint the log key signs here (C2SP
    /// tlog-cosignature); none when absent.
    pub replica_key: Option<Arc<CosignerKey>>,
    /// Events the scrubber reads back per second; [`SCRUB_EVENTS_PER_SECOND_DEFAULT`] when
    /// absent.
    pub scrub_events_per_second: Option<u64>,
    /// This replica takes its events from another ([`Ledger::replicate`]): it adopts no rules of
    /// its own at open, since every event of its log comes from the replica that takes writes.
    pub follows: bool,
    /// Where the writer sends every append it has made durable, in order: what another replica
    /// needs to follow this one. The writer waits when it is full.
    pub appended: Option<std::sync::mpsc::SyncSender<Append>>,
    /// Where the writer proposes each group it builds, as an encoded append, to the cluster this
    /// replica belongs to; it writes only what raft then applies ([`Ledger::replicate_marked`]).
    /// Without it, the writer writes its groups itself.
    pub proposals: Option<mpsc::Sender<Proposal>>,
}

/// A checkpoint signed by the log's key: the tree it commits to and the signed note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedCheckpoint {
    pub tree: TreeHead,
    /// The signed note: the log key's signature, then the cosignatures.
    pub note: String,
    /// The cosignature lines of the note (each ends with a newline).
    pub cosignatures: Vec<String>,
}

/// How often [`Ledger::with_checkpoint`] tries again when a larger tree was signed meanwhile.
const SIGN_ATTEMPTS_MAX: usize = 8;

/// How long a read that names a seq (`min_seq`) waits for the ledger to apply it.
pub const READ_APPLIED_WAIT_MAX: Duration = Duration::from_secs(5);

/// How long a balance read waits for the writer to make durable a commit whose projection it saw.
const PROJECTION_WAIT_MAX: Duration = Duration::from_secs(5);

/// One entry of a worker's statement: the stored bytes, the decoded record and its receipt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementEntry {
    pub entry: StoredEntry,
    pub record: Record,
    pub receipt: Receipt,
}

/// A claim and the worker it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimEntry {
    /// The seq of its filing: the claim's id.
    pub seq: Seq,
    pub worker_id: WorkerId,
    pub claim: Claim,
}

/// A page of the claims an agency answers or follows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimsPage {
    pub entries: Vec<ClaimEntry>,
    /// Where the next page starts, when more claims follow.
    pub next: Option<Seq>,
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
        Ledger::open_with_clock(data_dir, rules, Clock::system())
    }

    /// Opens the ledger with `clock` giving the time events are recorded at and today's date.
    pub fn open_with_clock(data_dir: &Path, rules: Arc<Rules>, clock: Clock) -> Result<Ledger> {
        Ledger::open_with(data_dir, rules, OpenOptions { clock, ..OpenOptions::default() })
    }

    /// Opens the ledger: checks the log from end to end and against what the ledger promised
    /// (refusing a damaged log, or one without every acknowledged event unless
    /// `accept_rollback`), and starts the writer.
    pub fn open_with(data_dir: &Path, rules: Arc<Rules>, options: OpenOptions) -> Result<Ledger> {
        let OpenOptions {
            clock,
            accept_rollback,
            log_key,
            replica_key,
            scrub_events_per_second,
            follows,
            appended,
            proposals,
        } = options;
        let mut opened = open_tree(data_dir)?;
        let started = Instant::now();
        let log = integrity::check_log(&opened.db, opened.head)?;
        if !log.problems.is_empty() {
            return Err(StoreError::Refused(format!(
                "the log is damaged: {}; {}",
                log.problems.join("; "),
                promise::DAMAGE_ADVICE
            )));
        }
        tracing::info!(
            size = opened.head.size,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "the log was verified from end to end"
        );
        let (signed, rolled_back) =
            kept_promise(&mut opened, log.root.unwrap_or_default(), accept_rollback, log_key.as_deref())?;
        let signed = Arc::new(Mutex::new(signed));
        let db = opened.db.clone();
        let last_recorded_at = match opened.head.size {
            0 => chrono::DateTime::UNIX_EPOCH,
            size => read::read_record(&db, Seq(size - 1))?.0.recorded_at,
        };
        let adopted = match read::rules_adopted_at(&db, Seq(opened.head.size.saturating_sub(1)))? {
            Some(seq) => Some(Arc::new(read::adopted_rules(&db, seq)?)),
            None => None,
        };
        let (durable_sender, durable) = watch::channel(opened.head);
        let (sealed_sender, sealed) = watch::channel(None);
        let (damage_sender, damage) = watch::channel(None);
        let stats = Arc::new(WriterStats::default());
        stats.durable_size.store(opened.head.size, Ordering::Release);
        let sled_dir = data_dir.join(SLED_DIR);
        let available = fs2::available_space(&sled_dir).unwrap_or(u64::MAX);
        if available < DISK_FREE_BYTES_MIN {
            tracing::warn!(
                dir = %data_dir.display(),
                "{}: reads are served, and writes refused until space is freed",
                writer::under_reserve(available)
            );
        }
        let applied = Arc::new(apply::Applied::new(db.clone(), opened.head.size));
        let (to_apply, commits) = std::sync::mpsc::sync_channel(writer::APPLY_QUEUE_COMMITS_MAX);
        let apply_thread = {
            let (applied, sealed) = (applied.clone(), sealed_sender.clone());
            std::thread::Builder::new().name("ledger-apply".into()).spawn(move || {
                let seal = |reason: String| {
                    sealed.send_replace(Some(reason));
                };
                sealing_on_panic(&sealed, "the applier", || {
                    apply::run_applier(&applied, commits, durable_sender, seal)
                });
            })?
        };
        let mut writer = writer::Writer {
            db: db.clone(),
            db_file: opened.db_file,
            rules: adopted.clone().unwrap_or_else(|| rules.clone()),
            head: opened.head,
            frontier: ledger_core::merkle::Frontier::restore(
                &mut read::StoreNodes { tree: &db },
                opened.head.size,
            )?,
            last_block: opened.last_block,
            last_recorded_at,
            stats: stats.clone(),
            clock: clock.clone(),
            sled_dir,
            sealed: sealed_sender.clone(),
            refusals: refusal::Refusals::default(),
            promise: opened.promise_file,
            signed: signed.clone(),
            promised: opened.head.size,
            damage: damage.clone(),
            applied: applied.clone(),
            to_apply,
            facts: writer::KeptFacts::default(),
            appended,
            proposals,
        };
        // The rules given at start are adopted on the chain unless they are the ones in force.
        if !follows && adopted.is_none_or(|adopted| adopted.digest() != rules.digest()) {
            writer.adopt(rules)?;
        }
        let applier = {
            let (applied, sealed) = (applied.clone(), sealed_sender.clone());
            std::thread::Builder::new().name("ledger-apply-store".into()).spawn(move || {
                // Derived state that cannot be stored leaves the log whole, but readers would
                // be shown what a restart might not have: the writer takes no more writes.
                applied.run(|reason| {
                    sealed.send_replace(Some(reason));
                });
            })?
        };
        let (commands, command_queue) = mpsc::channel(COMMAND_QUEUE_MAX);
        let (control, control_queue) = mpsc::channel(CONTROL_QUEUE_MAX);
        let queues = writer::Queues { commands: command_queue, control: control_queue };
        let handle = std::thread::Builder::new().name("ledger-writer".into()).spawn(move || {
            // A panic is a bug, and what the writer was doing when it came is unknown: it takes no
            // more writes, health turns NOT_SERVING and `serve` exits with a failure, as after a
            // failed write. Waiting clients are answered UNAVAILABLE as their replies drop.
            sealing_on_panic(&sealed_sender, "the writer", move || writer.run(queues));
        })?;
        let (scrub_stop, stop) = std::sync::mpsc::channel();
        let scrubber = scrub::Scrubber {
            db: db.clone(),
            durable: durable.clone(),
            damage: damage_sender,
            events_per_second: scrub_events_per_second.unwrap_or(SCRUB_EVENTS_PER_SECOND_DEFAULT),
            stop,
        };
        let scrubber =
            std::thread::Builder::new().name("ledger-scrub".into()).spawn(move || scrubber.run())?;
        Ok(Ledger {
            shared: Arc::new(Shared {
                tree: db,
                durable,
                queue: Mutex::new(Some(Queues { commands, control })),
                writer: Mutex::new(Some(handle)),
                stats,
                rules: Mutex::new(HashMap::new()),
                clock,
                sealed,
                log_key,
                replica_key,
                signed,
                damage,
                scrub_stop: Mutex::new(Some(scrub_stop)),
                leading: std::sync::atomic::AtomicBool::new(true),
                rolled_back,
                scrubber: Mutex::new(Some(scrubber)),
                applied,
                apply_thread: Mutex::new(Some(apply_thread)),
                applier: Mutex::new(Some(applier)),
            }),
        })
    }

    /// Stored data the scrubber found damaged; none while everything it read back holds.
    pub fn damage(&self) -> watch::Receiver<Option<Damage>> {
        self.shared.damage.clone()
    }

    /// DATA_LOSS for a read of what the scrubber found damaged: the worker whose projection it is,
    /// or anything at all that would be signed.
    fn undamaged(&self, worker: Option<&WorkerId>) -> Result<()> {
        match &*self.shared.damage.borrow() {
            Some(damage) if worker.is_none() || damage.worker.as_ref() == worker => {
                Err(StoreError::Corruption { seq: damage.seq, reason: damage.to_string() })
            }
            _ => Ok(()),
        }
    }

    /// Writes `value` under `key` behind the writer's back, as damage on the disk would: for tests
    /// of the scrubber only, compiled only with the `failpoints` feature.
    #[cfg(feature = "failpoints")]
    pub fn tamper(&self, key: &[u8], value: Vec<u8>) -> Result<()> {
        // What is applied is stored first, so that the applier does not write over the damage.
        self.shared.applied.wait_stored(self.head().size)?;
        self.shared.tree.insert(key, value)?;
        Ok(())
    }

    /// The stored value under `key`, for tests that tamper with it; `failpoints` only.
    #[cfg(feature = "failpoints")]
    pub fn stored(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
        self.shared.applied.wait_stored(self.head().size)?;
        Ok(self.shared.tree.get(key)?.map(|value| value.to_vec()))
    }

    /// Runs `prove` against the tree of the durable head and signs a checkpoint of that tree, so
    /// that what `prove` returns (inclusion proofs, say) is checked by the checkpoint. When a
    /// larger tree was signed meanwhile, tries again at the new head.
    pub fn with_checkpoint<T>(
        &self,
        mut prove: impl FnMut(u64) -> Result<T>,
    ) -> Result<(T, SignedCheckpoint)> {
        for _ in 0..SIGN_ATTEMPTS_MAX {
            let size = self.head().size;
            let proved = prove(size)?;
            match self.sign_checkpoint(size) {
                Ok(checkpoint) => return Ok((proved, checkpoint)),
                Err(StoreError::SignedLarger { .. }) => continue,
                Err(other) => return Err(other),
            }
        }
        Err(StoreError::Unavailable("the log grows faster than a checkpoint can be signed; ask again".into()))
    }

    /// Signs a checkpoint of the log's first `size` events (at most the durable head), unless its
    /// key signed a larger tree ([`StoreError::SignedLarger`]) or a tree this one does not extend
    /// (checked with a consistency proof; [`StoreError::Corruption`]): the ledger never signs a
    /// smaller or a forked tree.
    pub fn sign_checkpoint(&self, size: u64) -> Result<SignedCheckpoint> {
        self.undamaged(None)?;
        let key = self.shared.log_key.as_ref().ok_or_else(|| {
            StoreError::FailedPrecondition(
                "this ledger was opened without a log key: it signs nothing".into(),
            )
        })?;
        let root = self.merkle_root(size)?;
        let tree = TreeHead { size, root };
        let mut signed = self.shared.signed.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let public = key.public_key();
        if let Some(floor) = signed.filter(|floor| floor.key == public) {
            self.extends(floor.tree, tree)?;
        }
        if signed.is_none_or(|floor| floor.key != public || floor.tree.size < size) {
            *signed = Some(Signed { tree, key: public });
        }
        drop(signed);
        // This replica holds the tree it signs: it built each record's hashes and the Merkle
        // nodes as it appended them, and the log key's floor above showed the tree extends every
        // one signed before. That is what its cosignature states.
        let mut note = key.sign(size, root);
        let cosignatures: Vec<String> = self
            .shared
            .replica_key
            .iter()
            .map(|replica| {
                let checkpoint = Checkpoint { origin: key.name().to_owned(), size, root };
                replica.cosign(&checkpoint, u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0))
            })
            .collect();
        cosignatures.iter().for_each(|line| note.push_str(line));
        Ok(SignedCheckpoint { tree, note, cosignatures })
    }

    /// The log key's report statement (docs/FORMAT.md, "Published reports") as a signed note. The
    /// tree it names must be one this ledger holds: its size at most the durable head, its root
    /// the Merkle root of that many events.
    pub fn sign_report(&self, statement: &ledger_core::checkpoint::ReportStatement) -> Result<String> {
        let key = self.shared.log_key.as_ref().ok_or_else(|| {
            StoreError::FailedPrecondition(
                "this ledger was opened without a log key: it signs nothing".into(),
            )
        })?;
        self.check_size("size", statement.size)?;
        if self.merkle_root(statement.size)? != statement.root {
            return Err(StoreError::Refused("the statement names a tree this log does not hold".into()));
        }
        Ok(key.sign_report(statement))
    }

    /// The verifier of the log's key, when this ledger was opened with it: what a snapshot's
    /// checkpoint must be signed by.
    pub fn log_verifier(&self) -> Option<ledger_core::checkpoint::Verifier> {
        let key = self.shared.log_key.as_ref()?;
        ledger_core::checkpoint::Verifier::parse(&key.verifier_key()).ok()
    }

    /// This replica's cosignature line of a checkpoint another replica signed with the log's key
    /// (`log`), when this replica holds that very tree: at least its size of events, with the same
    /// Merkle root. Its log only ever grows by appends it checked, so every tree it cosigns is a
    /// prefix of one log, consistent with every other it cosigned.
    pub fn cosign_checkpoint(&self, log: &ledger_core::checkpoint::Verifier, note: &str) -> Result<String> {
        self.undamaged(None)?;
        let replica = self.shared.replica_key.as_ref().ok_or_else(|| {
            StoreError::FailedPrecondition(
                "this ledger was opened without a replica key: it cosigns nothing".into(),
            )
        })?;
        let checkpoint =
            log.verify(note).map_err(|error| StoreError::FailedPrecondition(error.to_string()))?;
        let held = self.head().size;
        if checkpoint.size > held {
            return Err(StoreError::FailedPrecondition(format!(
                "the checkpoint is of {} events, this replica holds {held}: it cosigns only what it holds",
                checkpoint.size
            )));
        }
        if self.merkle_root(checkpoint.size)? != checkpoint.root {
            tracing::error!(
                size = checkpoint.size,
                "a checkpoint signed with the log's key is not of this replica's log"
            );
            return Err(StoreError::FailedPrecondition(format!(
                "the checkpoint's tree of {} events is not this replica's: it is not cosigned",
                checkpoint.size
            )));
        }
        Ok(replica.cosign(&checkpoint, u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)))
    }

    /// Whether `tree` extends `signed` (or is it), by a consistency proof from the store.
    fn extends(&self, signed: TreeHead, tree: TreeHead) -> Result<()> {
        let durable = self.head().size;
        if signed.size > durable {
            return Err(StoreError::FailedPrecondition(format!(
                "the log key signed a checkpoint of {} events, more than this log holds ({durable}): it \
                 signs no checkpoint of this log; start the ledger with a new log key (--log-key) and \
                 publish its verifier key",
                signed.size
            )));
        }
        if tree.size < signed.size {
            return Err(StoreError::SignedLarger { signed: signed.size });
        }
        let proof = self.consistency_proof(signed.size, tree.size)?;
        ledger_core::merkle::verify_consistency(signed.size, tree.size, &signed.root, &tree.root, &proof).map_err(
            |error| {
                tracing::error!(signed = signed.size, size = tree.size, %error, "the log does not extend the tree its key signed");
                StoreError::Corruption {
                    seq: Seq(signed.size.saturating_sub(1)),
                    reason: format!(
                        "the log does not extend the tree of {} events its key signed ({error}); no checkpoint is signed",
                        signed.size
                    ),
                }
            },
        )
    }

    /// Hands a command to the writer and waits until its events are durable (or it is refused).
    pub async fn submit(&self, command: Command) -> Result<Outcome> {
        self.to_commands(|reply| writer::Job::Command { command, reply }).await
    }

    /// Adopts `rules` on the chain (a `RulesAdopted` event holding the whole document) and puts
    /// them in force, through the cluster when this replica belongs to one. The caller adopts only
    /// rules other than those in force ([`Ledger::rules_in_force`]).
    pub async fn adopt(&self, rules: Arc<Rules>) -> Result<Outcome> {
        self.to_commands(|reply| writer::Job::Adopt { rules, reply }).await
    }

    /// Puts a job on the writer's command queue (waiting while it is full) and waits for its answer.
    async fn to_commands(
        &self,
        job: impl FnOnce(oneshot::Sender<Result<Outcome>>) -> writer::Job,
    ) -> Result<Outcome> {
        let (reply, answer) = oneshot::channel();
        self.queues()?
            .commands
            .send(job(reply))
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))?;
        answer.await.map_err(|_| StoreError::Unavailable("the writer stopped before answering".into()))?
    }

    /// The rules last adopted on the chain; none before any was.
    pub fn rules_in_force(&self) -> Result<Option<Arc<Rules>>> {
        match self.head().size {
            0 => Ok(None),
            size => match self.rules_at(Seq(size - 1)) {
                Ok(rules) => Ok(Some(rules)),
                Err(StoreError::NotFound { .. }) => Ok(None),
                Err(other) => Err(other),
            },
        }
    }

    fn queues(&self) -> Result<Queues> {
        let queues = self.shared.queue.lock().ok().and_then(|queue| queue.clone());
        queues.ok_or_else(|| StoreError::Unavailable("the ledger is shutting down".into()))
    }

    /// Applies an append another replica checked and built (a raft entry), after the commands
    /// and appends before it: it must extend this replica's head
    /// ([`StoreError::NotExtending`] otherwise, with nothing written). Returns once it is durable;
    /// readers see it once the applier has applied it. Returns the new head.
    pub async fn replicate(&self, append: Append) -> Result<Head> {
        self.replicate_marked(append, None).await
    }

    /// [`Ledger::replicate`], writing `marker` (what the raft state machine applied) in the same
    /// batch as the append, so that the two are on disk together or not at all.
    pub async fn replicate_marked(&self, append: Append, marker: Option<Vec<u8>>) -> Result<Head> {
        let (reply, answer) = oneshot::channel();
        self.to_writer(writer::Control::Replicated { append, marker, reply }).await?;
        answer.await.map_err(|_| StoreError::Unavailable("the writer stopped before answering".into()))?
    }

    /// Records, durably and in order with the appends, what the raft state machine applied when
    /// an entry carried no append.
    pub async fn mark_applied(&self, marker: Vec<u8>) -> Result<()> {
        let (reply, answer) = oneshot::channel();
        self.to_writer(writer::Control::Mark { marker, reply }).await?;
        answer.await.map_err(|_| StoreError::Unavailable("the writer stopped before answering".into()))?
    }

    /// What the raft state machine last recorded as applied ([`Ledger::replicate_marked`],
    /// [`Ledger::mark_applied`]); none before it recorded anything.
    pub fn applied_marker(&self) -> Result<Option<Vec<u8>>> {
        Ok(self.shared.tree.get(keys::RAFT_APPLIED)?.map(|value| value.to_vec()))
    }

    async fn to_writer(&self, control: writer::Control) -> Result<()> {
        self.queues()?
            .control
            .send(control)
            .await
            .map_err(|_| StoreError::Unavailable("the writer has stopped".into()))
    }

    /// Why the writer stopped taking writes, once a write failed part-way to the disk; none while it
    /// takes them. A sealed ledger recovers by restarting: the supervisor should restart it.
    pub fn sealed(&self) -> watch::Receiver<Option<String>> {
        self.shared.sealed.clone()
    }

    /// The durable head: every event below it is on disk.
    pub fn head(&self) -> Head {
        *self.shared.durable.borrow()
    }

    /// The head of everything the writer has made durable, once the applier has published it:
    /// what a replica's raft state machine has applied when no write is in flight (`head` may
    /// lag it while the applier catches up). Waits at most `within`.
    pub async fn settled_head(&self, within: Duration) -> Result<Head> {
        let durable = self.shared.stats.durable_size.load(Ordering::Acquire);
        let mut published = self.watch_head();
        let reached = tokio::time::timeout(within, published.wait_for(|head| head.size >= durable))
            .await
            .map(|waited| waited.map(|head| *head));
        match reached {
            Ok(Ok(head)) => Ok(head),
            Ok(Err(_)) => Err(StoreError::Unavailable("the ledger is shutting down".into())),
            Err(_) => Err(StoreError::Unavailable(format!(
                "the applier has not published the {durable} durable events within {} s",
                within.as_secs()
            ))),
        }
    }

    /// Whether this ledger was opened over a log shorter than it had acknowledged, the operator
    /// having accepted it (`accept_rollback`): what was committed after it is lost by choice.
    pub fn rolled_back(&self) -> bool {
        self.shared.rolled_back
    }

    /// Durable commits made since the store was opened; each may hold many commands.
    pub fn commits(&self) -> u64 {
        self.shared.stats.commits.load(Ordering::Relaxed)
    }

    /// The writer's counters and histograms.
    pub fn stats(&self) -> &WriterStats {
        &self.shared.stats
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
        // A start past the head is the caller's mistake, not a missing event.
        self.check_size("from_seq", from.0)?;
        let head = self.head();
        let to = to.map_or(Seq(head.size), |to| Seq(to.0.min(head.size)));
        read::verify(&self.shared.tree, from, to, &head)
    }

    pub fn worker_exists(&self, worker_id: &WorkerId) -> Result<bool> {
        Ok(self.shared.applied.projection(worker_id)?.is_some())
    }

    /// The log size through which derived state is applied in memory, and the one through which
    /// it is stored (the applier's watermark): their difference is the applier's lag.
    pub fn applied(&self) -> (u64, u64) {
        self.shared.applied.sizes()
    }

    /// Tells the ledger whether its replica leads its cluster now (a follower's log may be behind
    /// what the leader answered).
    pub fn set_leading(&self, leading: bool) {
        self.shared.leading.store(leading, Ordering::Release);
    }

    /// Waits, for at most [`READ_APPLIED_WAIT_MAX`], until the event at `seq` is applied: a reader
    /// that names its last write's seq sees that write. Derived state is applied before the head
    /// that holds it is published, so the published head passing `seq` is that moment. On the
    /// replica that takes writes, a seq beyond what is on disk names no write anyone was told of:
    /// NOT_FOUND at once. A follower waits for it as for any other, since the leader may have
    /// answered it already.
    pub async fn applied_past(&self, seq: Seq) -> Result<()> {
        let durable = self.shared.stats.durable_size.load(Ordering::Acquire);
        if seq.0 >= durable && self.shared.leading.load(Ordering::Acquire) {
            return Err(StoreError::NotFound {
                field: "min_seq".into(),
                message: format!("the log holds {durable} events"),
            });
        }
        let mut head = self.watch_head();
        let passed =
            tokio::time::timeout(READ_APPLIED_WAIT_MAX, head.wait_for(|head| head.size > seq.0)).await;
        match passed {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(StoreError::Unavailable("the ledger is shutting down".into())),
            Err(_) => Err(StoreError::Unavailable(format!(
                "the ledger has applied {} events and not yet the one at seq {seq}: retry later",
                self.head().size
            ))),
        }
    }

    /// The worker holding the credential with this digest.
    pub fn worker_for_credential(&self, digest: &[u8; 32]) -> Result<Option<WorkerId>> {
        let Some(value) = self.shared.tree.get(keys::credential(digest))? else { return Ok(None) };
        let text = std::str::from_utf8(&value)
            .map_err(|_| StoreError::Refused("a credential entry is not UTF-8".into()))?;
        WorkerId::parse(text).map(Some).map_err(|error| StoreError::Refused(error.to_string()))
    }

    /// The worker's portal access as the last durable commit left it: her activation code's
    /// digest and PIN verifier, when she has them.
    pub fn worker_access(&self, worker_id: &WorkerId) -> Result<Option<access::WorkerAccess>> {
        let Some(value) = self.shared.tree.get(keys::access(worker_id))? else { return Ok(None) };
        access::WorkerAccess::decode(&value)
            .map(Some)
            .ok_or_else(|| StoreError::Refused(format!("the access entry of {worker_id} is malformed")))
    }

    /// What a copy of the log's first `size` events (at most the durable head) needs beside the
    /// records to be restored, `chunk` entries at a time to `send` until it returns false: the
    /// credentials as they are now (each worker's current one, written by the writer with the
    /// event that issued it), then the idempotency entries of the copy's requests.
    pub fn recovery_state(
        &self,
        size: u64,
        chunk: usize,
        send: impl FnMut(Vec<(Vec<u8>, Vec<u8>)>) -> bool,
    ) -> Result<()> {
        self.check_size("size", size)?;
        let credentials = integrity::credentials(&self.shared.tree)?;
        integrity::send_recovery_state(&self.shared.tree, size, credentials, chunk, send)
    }

    /// The chain hash after the log's first `size` events (at most the durable head).
    pub fn chain_hash_at(&self, size: u64) -> Result<ledger_core::ChainHash> {
        self.check_size("size", size)?;
        read::chain_hash_before(&self.shared.tree, Seq(size))
    }

    /// The Merkle root of the log's first `size` events (at most the durable head).
    pub fn merkle_root(&self, size: u64) -> Result<[u8; 32]> {
        self.check_size("tree_size", size)?;
        ledger_core::merkle::root(&mut read::StoreNodes { tree: &self.shared.tree }, size)
    }

    /// The audit path of the event at `seq` in the tree of `size` events, with the leaf hash.
    pub fn inclusion_proof(&self, seq: Seq, size: u64) -> Result<Vec<[u8; 32]>> {
        self.check_size("tree_size", size)?;
        let proof = ledger_core::merkle::inclusion_proof(
            &mut read::StoreNodes { tree: &self.shared.tree },
            seq.0,
            size,
        )?;
        proof.map_err(|error| StoreError::Invalid(ledger_core::InvalidInput::new("seq", error.to_string())))
    }

    /// The consistency proof from the tree of `old` events to the tree of `new` events.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<[u8; 32]>> {
        self.check_size("new_size", new)?;
        let proof = ledger_core::merkle::consistency_proof(
            &mut read::StoreNodes { tree: &self.shared.tree },
            old,
            new,
        )?;
        proof.map_err(|error| {
            StoreError::Invalid(ledger_core::InvalidInput::new("old_size", error.to_string()))
        })
    }

    fn check_size(&self, field: &str, size: u64) -> Result<()> {
        let durable = self.head().size;
        if size > durable {
            return Err(StoreError::NotFound {
                field: field.into(),
                message: format!("the log holds {durable} events"),
            });
        }
        Ok(())
    }

    /// The worker's maintained projection, as stored.
    pub fn projection(&self, worker_id: &WorkerId) -> Result<Option<ledger_projections::WorkerProjection>> {
        Ok(self.shared.applied.projection(worker_id)?.map(|projection| (*projection).clone()))
    }

    /// The rules in force at `seq`: the last adopted at or before it.
    pub fn rules_at(&self, seq: Seq) -> Result<Arc<Rules>> {
        let adopted =
            read::rules_adopted_at(&self.shared.tree, seq)?.ok_or_else(|| StoreError::NotFound {
                field: "as_of_seq".into(),
                message: format!("no rules were adopted by seq {seq}"),
            })?;
        if let Some(rules) = self.shared.rules.lock().ok().and_then(|cache| cache.get(&adopted).cloned()) {
            return Ok(rules);
        }
        let rules = Arc::new(read::adopted_rules(&self.shared.tree, adopted)?);
        if let Ok(mut cache) = self.shared.rules.lock() {
            cache.insert(adopted, rules.clone());
        }
        Ok(rules)
    }

    /// The worker's balance. Without `as_of`, from the maintained projection at the durable head,
    /// with agreements evaluated today; with `as_of`, exactly what the log up to and including that
    /// seq implies, with the rules in force then, evaluated on the day that event was recorded.
    /// `may_read` sees the worker's projection first and can refuse the read.
    pub fn balance(
        &self,
        worker_id: &WorkerId,
        as_of: Option<Seq>,
        may_read: impl FnOnce(&ledger_projections::WorkerProjection) -> Result<()>,
    ) -> Result<Balance> {
        let no_worker =
            || StoreError::NotFound { field: "worker_id".into(), message: format!("no worker {worker_id}") };
        let projection = self.shared.applied.projection(worker_id)?.ok_or_else(no_worker)?;
        may_read(&projection)?;
        self.undamaged(Some(worker_id))?;
        match as_of {
            None => self.current_balance(projection),
            Some(seq) => self.balance_as_of(worker_id, seq),
        }
    }

    fn current_balance(&self, projection: Arc<WorkerProjection>) -> Result<Balance> {
        let head = self.durable_past(projection.last_seq)?;
        let as_of = Seq(head.size - 1);
        let rules = self.rules_at(as_of)?;
        Ok(balance(&projection, &rules, self.today(), as_of))
    }

    /// The durable head once it has passed `seq`. A projection is written in the same batch as its
    /// events, just before the fsync that makes them durable: a reader waits for that fsync rather
    /// than answer from beyond the durable head.
    fn durable_past(&self, seq: Seq) -> Result<Head> {
        let deadline = Instant::now() + PROJECTION_WAIT_MAX;
        loop {
            let head = self.head();
            if seq.0 < head.size {
                return Ok(head);
            }
            if Instant::now() > deadline {
                return Err(StoreError::Unavailable(
                    "the write behind this projection is not durable yet".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// Now, by the ledger's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.shared.clock.now()
    }

    /// Today, by the ledger's clock (UTC).
    pub fn today(&self) -> chrono::NaiveDate {
        self.shared.clock.today()
    }

    /// The worker's projection once everything it reflects is durable.
    fn durable_projection(&self, worker_id: &WorkerId) -> Result<Option<Arc<WorkerProjection>>> {
        let Some(projection) = self.shared.applied.projection(worker_id)? else { return Ok(None) };
        self.durable_past(projection.last_seq)?;
        Ok(Some(projection))
    }

    /// The projections of the workers with a claim in the index under `prefix`, each once.
    fn projections_with_claims(&self, prefix: &[u8]) -> Result<Vec<Arc<WorkerProjection>>> {
        let mut seen = std::collections::BTreeSet::new();
        for value in self.shared.tree.scan_prefix(prefix).values() {
            let value = value?;
            let worker_id = std::str::from_utf8(&value)
                .ok()
                .and_then(|text| WorkerId::parse(text).ok())
                .ok_or_else(|| StoreError::Refused("a claim index entry names no worker".into()))?;
            seen.insert(worker_id);
        }
        let mut projections = Vec::with_capacity(seen.len());
        for worker_id in seen {
            self.undamaged(Some(&worker_id))?;
            let projection = self.durable_projection(&worker_id)?.ok_or_else(|| {
                StoreError::Refused(format!("a claim index entry names {worker_id}, who has no projection"))
            })?;
            projections.push(projection);
        }
        Ok(projections)
    }

    /// A page of the claims by `by` of `jurisdiction` (addressed to it, or of workers from it),
    /// filed at `from` or later, oldest first, with the worker each is about: at most `limit` of
    /// those `keep` lets through, out of at most [`CLAIMS_SCAN_MAX`] read from the index. `next` is
    /// where the next page starts, when more claims follow.
    pub fn claims(
        &self,
        by: ClaimsBy,
        jurisdiction: Jurisdiction,
        from: Seq,
        limit: usize,
        keep: impl Fn(&Claim) -> bool,
    ) -> Result<ClaimsPage> {
        self.claims_under(keys::claims_prefix(by, Some(jurisdiction)), from, limit, |_, claim| keep(claim))
    }

    /// The claims `filer` filed, oldest first from `from`, a page as [`Ledger::claims`] gives it;
    /// `keep` also sees the claimant's projection (a workers' organisation follows a claim only
    /// while her consent holds).
    pub fn claims_filed_by(
        &self,
        filer: &PrincipalId,
        from: Seq,
        limit: usize,
        keep: impl Fn(&WorkerProjection, &Claim) -> bool,
    ) -> Result<ClaimsPage> {
        self.claims_under(keys::filed_claims_prefix(filer), from, limit, keep)
    }

    /// The claims whose answers were appealed to `body`, oldest claim first from `from`, a page
    /// as [`Ledger::claims`] gives it. An entry is shown once the claimant's durable projection
    /// holds the appeal (`keep` sees it).
    pub fn claims_appealed_to(
        &self,
        body: &PrincipalId,
        from: Seq,
        limit: usize,
        keep: impl Fn(&Claim) -> bool,
    ) -> Result<ClaimsPage> {
        self.claims_under(keys::appealed_claims_prefix(body), from, limit, |_, claim| {
            claim.appeal.as_ref().is_some_and(|appeal| appeal.body == *body) && keep(claim)
        })
    }

    fn claims_under(
        &self,
        prefix: Vec<u8>,
        from: Seq,
        limit: usize,
        keep: impl Fn(&WorkerProjection, &Claim) -> bool,
    ) -> Result<ClaimsPage> {
        let mut start = prefix.clone();
        start.extend_from_slice(&from.0.to_be_bytes());
        let below = self.head().size;
        // A worker with many claims on one page is read from the store once.
        let mut projections: HashMap<WorkerId, Arc<WorkerProjection>> = HashMap::new();
        let mut page = ClaimsPage { entries: Vec::new(), next: None };
        for (scanned, item) in self.shared.tree.range(start..).enumerate() {
            let (key, value) = item?;
            if !key.starts_with(&prefix) {
                break;
            }
            let seq = keys::trailing_seq(&key)
                .ok_or_else(|| StoreError::Refused("a claim index key holds no seq".into()))?;
            // Only what is durable is shown; the index is written with the events it indexes.
            if seq.0 >= below {
                break;
            }
            if page.entries.len() == limit || scanned == CLAIMS_SCAN_MAX {
                page.next = Some(seq);
                break;
            }
            let worker_id = std::str::from_utf8(&value)
                .ok()
                .and_then(|text| WorkerId::parse(text).ok())
                .ok_or_else(|| StoreError::Refused("a claim index entry names no worker".into()))?;
            if !projections.contains_key(&worker_id) {
                self.undamaged(Some(&worker_id))?;
                let projection = self.durable_projection(&worker_id)?.ok_or_else(|| {
                    StoreError::Refused(format!(
                        "a claim index entry names {worker_id}, who has no projection"
                    ))
                })?;
                projections.insert(worker_id.clone(), projection);
            }
            let projection = projections.get(&worker_id);
            let found = projection.and_then(|projection| Some((projection, projection.claims.get(&seq)?)));
            let (projection, claim) = found.ok_or_else(|| StoreError::Corruption {
                seq,
                reason: format!("the claim index names a claim {worker_id} does not have"),
            })?;
            if keep(projection, claim) {
                page.entries.push(ClaimEntry { seq, worker_id, claim: claim.clone() });
            }
        }
        Ok(page)
    }

    /// How each agency (or `only` that jurisdiction's) answered the claims filed from `from` to
    /// `to`, as they stand today.
    pub fn accountability_report(
        &self,
        only: Option<Jurisdiction>,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<AccountabilityReport> {
        let projections = self.projections_with_claims(&keys::claims_prefix(ClaimsBy::Addressed, only))?;
        let claims = projections.iter().flat_map(|projection| projection.claims.values());
        Ok(reports::accountability(claims, only, from, to, self.today()))
    }

    /// `destination`'s calendar `year` folded from the log's first `size` events (the durable
    /// head's when `None`): the coverage, employer-pays and employers' reports are its answers, a
    /// pure function of those events, which anyone with an export computes again. Two passes over
    /// the log (`ledger_projections::coverage`), holding a small summary per worker covered there.
    pub fn fold_year(&self, destination: Jurisdiction, year: u16, size: Option<u64>) -> Result<YearFold> {
        let size = size.unwrap_or_else(|| self.head().size);
        self.check_size("size", size)?;
        let mut amendments = Amendments::default();
        // The first pass checks the chain; the second reads the same immutable records again.
        self.fold_log(size, true, |record| {
            amendments.apply(record);
            Ok(())
        })?;
        let mut fold = YearFold::new(destination, year, amendments);
        self.fold_log(size, false, |record| {
            fold.apply(record)
                .map_err(|error| StoreError::Corruption { seq: error.seq, reason: error.problem })
        })?;
        Ok(fold)
    }

    /// Reads the log's first `size` events in order and hands each to `visit`; with `check`, each
    /// is checked to link to the one before and to hash to its stored chain hash.
    fn fold_log(&self, size: u64, check: bool, mut visit: impl FnMut(&Record) -> Result<()>) -> Result<()> {
        let mut chain = ledger_core::ChainVerifier::new(Seq(0), ledger_core::ChainHash::GENESIS);
        read::scan(&self.shared.tree, Seq(0), Seq(size), |seq, bytes, stored| {
            let record = match check {
                true => chain
                    .check(seq, bytes, &stored)
                    .map(|(record, _)| record)
                    .map_err(|fault| StoreError::Corruption { seq: fault.seq, reason: fault.reason })?,
                false => Record::decode(bytes)
                    .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?,
            };
            visit(&record)
        })
    }

    fn balance_as_of(&self, worker_id: &WorkerId, as_of: Seq) -> Result<Balance> {
        let size = self.head().size;
        if as_of.0 >= size {
            return Err(StoreError::NotFound {
                field: "as_of_seq".into(),
                message: format!("the log holds {size} events"),
            });
        }
        let seqs = self.statement_seqs(worker_id, Seq(0), Seq(as_of.0 + 1), usize::MAX)?;
        let mut fold = ledger_projections::LogFold::default();
        for seq in seqs {
            let (record, _) = read::read_record(&self.shared.tree, seq)?;
            fold.apply(&record)
                .map_err(|error| StoreError::Corruption { seq: error.seq, reason: error.problem })?;
        }
        let projection = fold.workers.get(worker_id).ok_or_else(|| StoreError::NotFound {
            field: "worker_id".into(),
            message: format!("{worker_id} was not enrolled at seq {as_of}"),
        })?;
        let rules = self.rules_at(as_of)?;
        let (evaluated, _) = read::read_record(&self.shared.tree, as_of)?;
        Ok(balance(projection, &rules, evaluated.recorded_at.date_naive(), as_of))
    }

    /// A page of the worker's events at or after `from`, oldest first, of those `shows` lets the
    /// reader see. At most [`STATEMENT_SCAN_MAX`] of her events are read for one page: `next` is
    /// where the next page starts, present when more of her events follow (a page of a filtered
    /// statement may come back empty with a `next`).
    pub fn statement(
        &self,
        worker_id: &WorkerId,
        from: Seq,
        limit: usize,
        shows: impl Fn(&Record) -> bool,
    ) -> Result<Statement> {
        self.undamaged(Some(worker_id))?;
        if !self.worker_exists(worker_id)? {
            return Err(StoreError::NotFound {
                field: "worker_id".into(),
                message: format!("no worker {worker_id}"),
            });
        }
        let below = Seq(self.head().size);
        let scan = STATEMENT_SCAN_MAX.max(limit);
        let seqs = self.statement_seqs(worker_id, from, below, scan.saturating_add(1))?;
        let mut entries = Vec::with_capacity(seqs.len().min(limit));
        let mut next = seqs.get(scan).copied();
        for seq in seqs.iter().copied().take(scan) {
            if entries.len() == limit {
                next = Some(seq);
                break;
            }
            let (record, entry) = read::read_record(&self.shared.tree, seq)?;
            if record.event.worker_id() != Some(worker_id) {
                return Err(StoreError::Corruption {
                    seq,
                    reason: "the statement index names another worker's event".into(),
                });
            }
            if !shows(&record) {
                continue;
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

    /// The seqs of the worker's events from `from` below `below`, at most `limit`, from her
    /// projection as applied.
    fn statement_seqs(&self, worker_id: &WorkerId, from: Seq, below: Seq, limit: usize) -> Result<Vec<Seq>> {
        let Some(found) = self.shared.applied.find(worker_id)? else { return Ok(Vec::new()) };
        read::statement_seqs(&self.shared.tree, worker_id, &found, from, below, limit)
    }

    /// Stops taking commands, lets the writer finish what it has, and waits for it.
    pub fn shutdown(&self) {
        // Dropping the sender wakes the scrubber from its pause.
        if let Ok(mut stop) = self.shared.scrub_stop.lock() {
            stop.take();
        }
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.take();
        }
        let scrubber = self.shared.scrubber.lock().ok().and_then(|mut scrubber| scrubber.take());
        if let Some(scrubber) = scrubber {
            let _ = scrubber.join();
        }
        let handle = self.shared.writer.lock().ok().and_then(|mut writer| writer.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
        // The writer is done: the applier applies what it was handed, stores it, then stops.
        let apply_thread = self.shared.apply_thread.lock().ok().and_then(|mut thread| thread.take());
        if let Some(apply_thread) = apply_thread {
            let _ = apply_thread.join();
        }
        self.shared.applied.stop();
        let applier = self.shared.applier.lock().ok().and_then(|mut applier| applier.take());
        if let Some(applier) = applier {
            let _ = applier.join();
        }
    }
}

/// An opened sled tree whose head has been checked, with the projections brought up to date, and
/// the data directory's promise.
pub(crate) struct OpenedTree {
    pub db: sled::Db,
    pub db_file: File,
    pub head: Head,
    pub last_block: Seq,
    pub promise_file: promise::PromiseFile,
    /// What the ledger promised when it last wrote: none for a new data directory.
    pub promise: Option<Promise>,
    /// Events applied again at open, from the applier's watermark to the head.
    pub caught_up: u64,
}

impl OpenedTree {
    /// How the log breaks the promise; none when it keeps it.
    pub(crate) fn broken_promise(&self) -> Result<Option<promise::Broken>> {
        let Some(promised) = self.promise else { return Ok(None) };
        let at_promised = match self.head.size >= promised.head.size {
            true => Some(read::chain_hash_before(&self.db, Seq(promised.head.size))?),
            false => None,
        };
        Ok(promise::judge(promised.head, self.head, at_promised).err())
    }
}

/// Opens the sled tree of a data directory and checks it: format version, the last record against
/// the head, and that the promise file is there. Projections of an older format are rebuilt from
/// the log. Whether the log keeps the promise is for the caller to judge
/// ([`OpenedTree::broken_promise`]).
pub(crate) fn open_tree(data_dir: &Path) -> Result<OpenedTree> {
    let sled_dir = data_dir.join(SLED_DIR);
    probe_writable(data_dir)?;
    std::fs::create_dir_all(&sled_dir)?;
    let db = open_sled(&sled_dir)?;
    let db_file = std::fs::OpenOptions::new().read(true).write(true).open(sled_dir.join("db"))?;
    let (mut promise_file, promise) = promise::PromiseFile::open(data_dir)?;
    sync_dirs(&[data_dir.to_path_buf(), sled_dir.clone()])?;
    let format = check_format(&db, &db_file)?;
    let (head, last_block) = read::load_head(&db)?;
    check_head(&db, &head, last_block)?;
    let promise = match promise {
        Some(promise) => Some(promise),
        None if head.size == 0 => None,
        None if format == keys::STORE_FORMAT_VERSION_BEFORE_PROMISE => {
            // A store written before the promise file: what it holds now is what it promised.
            let root = ledger_core::merkle::root(&mut read::StoreNodes { tree: &db }, head.size)?;
            let promise = Promise { head, root, signed: None };
            promise_file.write(&promise)?;
            db.insert(keys::META, &[keys::STORE_FORMAT_VERSION_BEFORE_RECORDED])?;
            db.flush()?;
            db_file.sync_all()?;
            tracing::info!(size = head.size, "the store now keeps a promise file beside sled");
            Some(promise)
        }
        None => {
            return Err(StoreError::Refused(format!(
                "the promise file {} is missing, though this store was written with one: what the \
                 ledger acknowledged cannot be checked; {}",
                data_dir.join(PROMISE_FILE).display(),
                promise::BROKEN_PROMISE_ADVICE
            )))
        }
    };
    if format < keys::STORE_FORMAT_VERSION {
        index_recorded_contributions(&db, head)?;
        db.insert(keys::META, &[keys::STORE_FORMAT_VERSION])?;
        db.flush()?;
        db_file.sync_all()?;
        tracing::info!(size = head.size, "the store now indexes recorded contributions and corrections");
    }
    let mut opened = OpenedTree { db, db_file, head, last_block, promise_file, promise, caught_up: 0 };
    let version = opened.db.get(keys::PROJECTION_VERSION)?;
    if version.as_deref() != Some(&[ledger_projections::codec::PROJECTION_FORMAT_VERSION][..]) {
        rebuild::rebuild_projections(&opened)?;
    }
    opened.caught_up = apply::catch_up(&opened.db, opened.head.size)?;
    Ok(opened)
}

/// Runs a thread's work; a panic in it is a bug whose state is unknown, so it seals the writer:
/// no more writes, health NOT_SERVING, and `serve` exits with a failure, as after a failed write.
fn sealing_on_panic(sealed: &watch::Sender<Option<String>>, who: &str, work: impl FnOnce()) {
    let Err(panic) = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)) else { return };
    let what = panic
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    let reason = format!(
        "{who} stopped on a programming error ({what}); the ledger takes no more writes until it is restarted"
    );
    tracing::error!(%reason, "the writer is sealed");
    sealed.send_replace(Some(reason));
}

/// Judges the log of a ledger being opened against the promise, and writes the promise anew. A log
/// that breaks it is refused unless `accept_rollback`; then the tree the key may have signed stays
/// the floor of what it signs. Returns the largest tree signed, and whether a rollback was accepted.
fn kept_promise(
    opened: &mut OpenedTree,
    root: [u8; 32],
    accept_rollback: bool,
    log_key: Option<&LogKey>,
) -> Result<(Option<Signed>, bool)> {
    let promised = opened.promise;
    let mut signed = promised.and_then(|promise| promise.signed);
    let mut rolled_back = false;
    match (opened.broken_promise()?, promised) {
        (None, _) | (_, None) => {}
        (Some(broken), Some(_)) if !accept_rollback => {
            return Err(StoreError::Refused(format!("{broken}; {}", promise::BROKEN_PROMISE_ADVICE)));
        }
        (Some(broken), Some(promised)) => {
            tracing::error!(
                promised = promised.head.size,
                found = opened.head.size,
                "--accept-rollback: serving a log without every acknowledged event: {broken}"
            );
            signed = promise::floor_after_rollback(&promised, log_key.map(LogKey::public_key));
            rolled_back = true;
        }
    }
    opened.promise_file.write(&Promise { head: opened.head, root, signed })?;
    Ok((signed, rolled_back))
}

/// Makes the data directory and everything in it owner-only (directories 0700, files 0600),
/// whatever the umask they were made under: it holds workers' records, credential digests and the
/// idempotency table. Returns each path it changed with the mode it had; refuses a data directory
/// it cannot change. Symbolic links are left alone and not followed.
pub fn make_owner_only(data_dir: &Path) -> Result<Vec<(PathBuf, u32)>> {
    use std::os::unix::fs::PermissionsExt;
    let mut changed = Vec::new();
    let mut pending = vec![data_dir.to_path_buf()];
    while let Some(path) = pending.pop() {
        let metadata = std::fs::symlink_metadata(&path)?;
        if metadata.file_type().is_symlink() {
            continue;
        }
        let wanted = if metadata.is_dir() { 0o700 } else { 0o600 };
        let mode = metadata.permissions().mode() & 0o7777;
        if mode & 0o077 != 0 {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(wanted)).map_err(|error| {
                StoreError::Refused(format!(
                    "{} is open to other users (mode {mode:o}) and cannot be made owner-only: {error}",
                    path.display()
                ))
            })?;
            changed.push((path.clone(), mode));
        }
        if metadata.is_dir() {
            for entry in std::fs::read_dir(&path)? {
                pending.push(entry?.path());
            }
        }
    }
    Ok(changed)
}

/// Creates the data directory if needed and writes, syncs and removes a small file in it, so that
/// a read-only, full or foreign-owned directory is named as such at start rather than failing the
/// first write.
fn probe_writable(data_dir: &Path) -> Result<()> {
    let path = data_dir.join(WRITE_PROBE_FILE);
    let probe = || -> std::io::Result<()> {
        fault::hit(fault::Point::Probe)?;
        std::fs::create_dir_all(data_dir)?;
        let mut file = File::create(&path)?;
        std::io::Write::write_all(&mut file, b"the ledger checks that its data directory takes writes\n")?;
        file.sync_all()?;
        std::fs::remove_file(&path)
    };
    probe().map_err(|error| {
        StoreError::Refused(format!(
            "the data directory {} does not take writes: {}",
            data_dir.display(),
            fault::describe(&error)
        ))
    })
}

/// How long opening waits for sled's lock on the data file. After a ledger in the same process
/// is closed, sled's background IO threads can hold the file for a moment longer.
const SLED_LOCK_WAIT_MAX: Duration = Duration::from_secs(3);

/// Opens the sled database of a data directory directly, for tools and tests that inspect the
/// store with no writer running. Waits briefly for a ledger closed in this process to let go.
pub fn open_raw(data_dir: &Path) -> Result<sled::Db> {
    open_sled(&data_dir.join(SLED_DIR))
}

fn open_sled(sled_dir: &Path) -> Result<sled::Db> {
    let deadline = Instant::now() + SLED_LOCK_WAIT_MAX;
    loop {
        let config = sled::Config::new()
            .path(sled_dir)
            .segment_size(SLED_SEGMENT_BYTES)
            .cache_capacity(SLED_CACHE_BYTES);
        match config.open() {
            Err(sled::Error::Io(error))
                if error.to_string().contains("could not acquire lock") && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(sled::Error::Io(error)) if error.to_string().contains("could not acquire lock") => {
                return Err(StoreError::Refused(format!(
                    "{} is in use by another ledger process: {error}",
                    sled_dir.display()
                )));
            }
            other => return Ok(other?),
        }
    }
}

fn sync_dirs(dirs: &[PathBuf]) -> Result<()> {
    for dir in dirs {
        File::open(dir)?.sync_all()?;
    }
    Ok(())
}

/// Writes the index of recorded contributions a store of an earlier version lacks, from its log
/// (a log of that version holds no correction), in batches; run again after a crash, it writes the
/// same entries.
fn index_recorded_contributions(db: &sled::Db, head: Head) -> Result<()> {
    let mut batch = sled::Batch::default();
    let mut pending = 0usize;
    read::scan(db, Seq(0), Seq(head.size), |seq, bytes, _| {
        let record = Record::decode(bytes)
            .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?;
        if let (ledger_core::Event::ContributionRecorded(_), Some((key, value))) =
            (&record.event, keys::event_index_entries(seq, &record.event))
        {
            batch.insert(key, value);
            pending += 1;
        }
        if pending >= UPGRADE_BATCH_KEYS {
            db.apply_batch(std::mem::take(&mut batch))?;
            pending = 0;
        }
        Ok(())
    })?;
    db.apply_batch(batch)?;
    Ok(())
}

/// Keys written in one batch while upgrading a store's indexes.
const UPGRADE_BATCH_KEYS: usize = 10_000;

/// The store's format version: this build's, or the one before the promise file.
fn check_format(db: &sled::Db, db_file: &File) -> Result<u8> {
    match db.get(keys::META)? {
        None if db.is_empty() => {
            db.insert(keys::META, &[keys::STORE_FORMAT_VERSION])?;
            db.flush()?;
            db_file.sync_all()?;
            Ok(keys::STORE_FORMAT_VERSION)
        }
        Some(version) => match version.as_ref() {
            [known]
                if [
                    keys::STORE_FORMAT_VERSION,
                    keys::STORE_FORMAT_VERSION_BEFORE_RECORDED,
                    keys::STORE_FORMAT_VERSION_BEFORE_PROMISE,
                ]
                .contains(known) =>
            {
                Ok(*known)
            }
            _ => Err(StoreError::Refused(format!(
                "store format {version:?} is not {}, the one this build reads",
                keys::STORE_FORMAT_VERSION
            ))),
        },
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
