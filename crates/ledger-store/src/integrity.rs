//! A data directory checked from end to end with no server running, and a data directory made
//! anew from a copy of the log (a restore).
//!
//! Both derive from the records alone every index the writer keeps beside them: the Merkle nodes,
//! the reversal and rules-adoption indexes, and (through [`crate::rebuild`]) projections, which
//! hold each worker's statement, and the claim index. The check compares what is stored with
//! what the records give; the restore writes what they give. What the records cannot give, the
//! idempotency table and workers' credentials, travels beside the log as [`RecoveryState`].

use std::collections::HashSet;
use std::path::Path;

use ledger_core::merkle::Frontier;
use ledger_core::{chain_hash, event_hash, ChainHash, ChainVerifier, Record, Seq, WorkerId};

use crate::block::Cutter;
use crate::error::{Result, StoreError};
use crate::read::{self, Head, StoreNodes, MERKLE_LEVEL_STORED_MIN};
use crate::rebuild::KeyValue;
use crate::{keys, rebuild, OpenedTree};

/// Blocks written per sled batch while restoring.
const RESTORE_BLOCKS_PER_BATCH: usize = 256;

/// What a check of a stopped data directory found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    pub events: u64,
    pub workers: u64,
    /// The Merkle root of the records, as computed from them.
    pub root: [u8; 32],
    /// Everything that does not hold, in words; empty when the store is whole.
    pub problems: Vec<String>,
    /// Events whose derived state was applied again at open: the applier was that far behind
    /// the log when the store was last closed (or killed).
    pub applied_at_open: u64,
}

impl CheckReport {
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The indexes the records give, other than projections and claims.
#[derive(Default)]
struct Derived {
    frontier: Frontier,
    nodes: Vec<(u32, u64, [u8; 32])>,
    /// Recorded-contribution, reversal, correction and rules entries; a later entry of a key
    /// replaces an earlier one, as in the store.
    index: std::collections::BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Derived {
    fn add(&mut self, seq: Seq, bytes: &[u8], record: &Record) {
        let nodes = &mut self.nodes;
        self.frontier.push(*event_hash(bytes).as_bytes(), |level, index, hash| {
            if level >= MERKLE_LEVEL_STORED_MIN {
                nodes.push((level, index, hash));
            }
        });
        self.index.extend(keys::event_index_entries(seq, &record.event));
    }

    /// Every key and value of these indexes, as the store holds them, sorted by key.
    fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut entries: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        for (level, index, hash) in &self.nodes {
            entries.push((keys::merkle_node(*level, *index).to_vec(), hash.to_vec()));
        }
        entries.extend(self.index.iter().map(|(key, value)| (key.clone(), value.clone())));
        entries.sort_unstable();
        entries
    }
}

/// What the records of a log give, against what the store keeps beside them.
pub(crate) struct LogCheck {
    /// The Merkle root of the records, as computed from them; none when the chain could not be
    /// read through.
    pub root: Option<[u8; 32]>,
    /// Everything that does not hold, in words; empty when the log is whole.
    pub problems: Vec<String>,
    /// The first event found damaged, when one is.
    pub damaged: Option<Seq>,
}

/// Checks every record and link of the chain against the head, and the stored Merkle nodes,
/// reversal and rules indexes against what the records give. Done at every open and by `check`;
/// it reads the whole log once.
pub(crate) fn check_log(db: &sled::Db, head: Head) -> Result<LogCheck> {
    let mut check = LogCheck { root: None, problems: Vec::new(), damaged: None };
    let mut verifier = ChainVerifier::new(Seq(0), ChainHash::GENESIS);
    let mut derived = Derived::default();
    let scanned = read::scan(db, Seq(0), Seq(head.size), |seq, bytes, stored| {
        let (record, _) = verifier
            .check(seq, bytes, &stored)
            .map_err(|fault| StoreError::Corruption { seq: fault.seq, reason: fault.reason })?;
        derived.add(seq, bytes, &record);
        Ok(())
    });
    match scanned {
        Ok(()) => {}
        Err(StoreError::Corruption { seq, reason }) => {
            check.problems.push(format!("the chain: event {seq}: {reason}"));
            check.damaged = Some(seq);
            return Ok(check);
        }
        Err(other) => return Err(other),
    }
    if verifier.chain_hash() != head.chain_hash {
        check.problems.push("the chain: the last event does not hash to the stored head".into());
        check.damaged = Some(Seq(head.size.saturating_sub(1)));
    }
    let root = derived.frontier.root();
    check.root = Some(root);
    match ledger_core::merkle::root(&mut StoreNodes { tree: db }, head.size) {
        Ok(stored) if stored == root => {}
        Ok(_) => check.problems.push("the stored Merkle nodes give another root than the records".into()),
        Err(error) => check.problems.push(format!("the stored Merkle nodes: {error}")),
    }
    let expected = derived.entries();
    let mut stored = entries_under(
        db,
        &[
            keys::MERKLE_PREFIX,
            keys::REVERSAL_PREFIX,
            keys::RULES_PREFIX,
            keys::RECORDED_PREFIX,
            keys::CORRECTION_PREFIX,
        ],
    )?;
    stored.sort_unstable();
    if stored != expected {
        let stored_set: HashSet<&KeyValue> = stored.iter().collect();
        let expected_set: HashSet<&KeyValue> = expected.iter().collect();
        let differing: Vec<&&KeyValue> = stored_set.symmetric_difference(&expected_set).collect();
        check.problems.push(format!(
            "{} Merkle node, contribution, reversal, correction or rules index entries differ from what \
             the records give",
            differing.len()
        ));
        check.damaged =
            check.damaged.or_else(|| differing.iter().filter_map(|(key, _)| index_seq(key)).min());
    }
    Ok(check)
}

/// The first event an index key of the Merkle nodes, reversals or rules adoptions is about.
fn index_seq(key: &[u8]) -> Option<Seq> {
    match *key.first()? {
        keys::MERKLE_PREFIX => {
            let level = u32::from(*key.get(1)?);
            let index = u64::from_be_bytes(key.get(2..10)?.try_into().ok()?);
            Some(Seq(index.checked_shl(level)?))
        }
        // Keyed by what the contribution is about, not by a seq.
        keys::RECORDED_PREFIX => None,
        _ => keys::trailing_seq(key),
    }
}

/// Checks a data directory whose server is stopped: the head, every record and link of the chain,
/// the stored Merkle nodes and root, the reversal and rules indexes, the promise the ledger made
/// (that the log holds every event it acknowledged), the idempotency table's ranges, and that the
/// projections and claim index equal a rebuild from the log. Returns an error only when the store
/// cannot be opened or read at all.
pub fn check(data_dir: &Path) -> Result<CheckReport> {
    let opened = crate::open_tree(data_dir)?;
    let db = &opened.db;
    let head = opened.head;
    let log = check_log(db, head)?;
    let mut report = CheckReport {
        events: head.size,
        workers: 0,
        root: log.root.unwrap_or_default(),
        problems: log.problems,
        applied_at_open: opened.caught_up,
    };
    if log.root.is_none() {
        return Ok(report);
    }
    match opened.broken_promise() {
        Ok(None) => {}
        Ok(Some(broken)) => report.problems.push(format!("the promise: {broken}")),
        Err(error) => report.problems.push(format!("the promise: {error}")),
    }
    let mut outside = 0;
    for item in db.scan_prefix([keys::IDEMPOTENCY_PREFIX]) {
        let (_, value) = item?;
        if !request_below(&value, head.size) {
            outside += 1;
        }
    }
    if outside > 0 {
        report.problems.push(format!("{outside} idempotency entries name events beyond the head"));
    }
    let (differing, workers) = rebuild::differences(&opened)?;
    report.workers = workers;
    if !differing.is_empty() {
        report.problems.push(format!(
            "{} projections, statement chunks or claim index entries differ from a rebuild from the log",
            differing.len()
        ));
    }
    Ok(report)
}

/// What the log cannot give back: the idempotency table (so that a retry after a restore is still
/// answered with its original receipts) and workers' credentials. Raw store keys and values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecoveryState {
    pub entries: Vec<KeyValue>,
}

/// Entries of the recovery state, by the prefixes they may carry.
const RECOVERY_PREFIXES: [u8; 4] =
    [keys::IDEMPOTENCY_PREFIX, keys::CREDENTIAL_PREFIX, keys::WORKER_CREDENTIAL_PREFIX, keys::ACCESS_PREFIX];

/// Every key and value under the prefixes, in the order given.
fn entries_under(db: &sled::Db, prefixes: &[u8]) -> Result<Vec<KeyValue>> {
    let mut entries = Vec::new();
    for prefix in prefixes {
        for item in db.scan_prefix([*prefix]) {
            let (key, value) = item?;
            entries.push((key.to_vec(), value.to_vec()));
        }
    }
    Ok(entries)
}

/// Whether the idempotency entry `value` names a request whose events are all below `size`.
fn request_below(value: &[u8], size: u64) -> bool {
    crate::writer::remembered_range(value).is_some_and(|(first, count)| first.0 + u64::from(count) <= size)
}

/// The credentials as they are now: each worker's current credential digest, then each worker's
/// portal access (activation code digest, PIN verifier). The way back, from a digest to its worker,
/// is derived from these at restore, so that a scan while the writer replaces a credential can
/// never carry a revoked one.
pub(crate) fn credentials(db: &sled::Db) -> Result<Vec<KeyValue>> {
    entries_under(db, &[keys::WORKER_CREDENTIAL_PREFIX, keys::ACCESS_PREFIX])
}

/// Sends `credentials`, then the idempotency entries of requests whose events are all below `size`,
/// `chunk` at a time to `send` until it returns false. Idempotency entries never change once
/// written, so a scan while the writer goes on is consistent for them.
pub(crate) fn send_recovery_state(
    db: &sled::Db,
    size: u64,
    credentials: Vec<KeyValue>,
    chunk: usize,
    mut send: impl FnMut(Vec<KeyValue>) -> bool,
) -> Result<()> {
    let idempotency = db.scan_prefix([keys::IDEMPOTENCY_PREFIX]).filter_map(|item| match item {
        Ok((key, value)) => request_below(&value, size).then(|| Ok((key.to_vec(), value.to_vec()))),
        Err(error) => Some(Err(StoreError::from(error))),
    });
    let mut entries = credentials.into_iter().map(Ok).chain(idempotency).peekable();
    while entries.peek().is_some() {
        let next = entries.by_ref().take(chunk.max(1)).collect::<Result<Vec<_>>>()?;
        if !send(next) {
            break;
        }
    }
    Ok(())
}

/// What a restore wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RestoreReport {
    pub events: u64,
    pub workers: u64,
    pub root: [u8; 32],
}

/// Makes a new store in `data_dir` from the records of a log, in order from seq 0, and its
/// recovery state. Every record is checked as it is written (it decodes, names its position and
/// links to the one before); the indexes and projections are derived from the records; the store
/// is made durable before this returns. Refuses a data directory that already holds a store.
/// The caller checks the records against a signed checkpoint first, and the result with [`check`].
pub fn restore(
    data_dir: &Path,
    records: impl IntoIterator<Item = Vec<u8>>,
    state: &RecoveryState,
) -> Result<RestoreReport> {
    let sled_dir = data_dir.join(crate::SLED_DIR);
    if sled_dir.exists() {
        return Err(StoreError::Refused(format!(
            "{} already holds a store; a restore writes only into a new data directory",
            data_dir.display()
        )));
    }
    if let Some((key, _)) = state
        .entries
        .iter()
        .find(|(key, _)| key.first().is_none_or(|prefix| !RECOVERY_PREFIXES.contains(prefix)))
    {
        return Err(StoreError::Refused(format!(
            "the recovery state holds a foreign key {:02x?}",
            key.first()
        )));
    }
    let mut opened = crate::open_tree(data_dir)?;
    let db = &opened.db;
    let mut verifier = ChainVerifier::new(Seq(0), ChainHash::GENESIS);
    let mut derived = Derived::default();
    let mut batch = sled::Batch::default();
    let mut blocks_in_batch = 0;
    let mut cutter = Cutter::new(Seq(0));
    let mut seq = Seq(0);
    for bytes in records {
        let chain = chain_hash(&verifier.chain_hash(), &event_hash(&bytes));
        let (record, _) = verifier
            .check(seq, &bytes, &chain)
            .map_err(|fault| StoreError::Corruption { seq: fault.seq, reason: fault.reason })?;
        derived.add(seq, &bytes, &record);
        if let Some((first, block)) = cutter.push(&bytes, &chain) {
            batch.insert(&keys::block(first)[..], block);
            blocks_in_batch += 1;
            if blocks_in_batch == RESTORE_BLOCKS_PER_BATCH {
                db.apply_batch(std::mem::take(&mut batch))?;
                blocks_in_batch = 0;
            }
        }
        seq = Seq(seq.0 + 1);
    }
    let head = Head { size: seq.0, chain_hash: verifier.chain_hash() };
    let last_block = cutter.first();
    if let Some((first, block)) = cutter.finish() {
        batch.insert(&keys::block(first)[..], block);
    }
    for (key, value) in derived.entries() {
        batch.insert(key, value);
    }
    for (key, value) in &state.entries {
        if key.first() == Some(&keys::IDEMPOTENCY_PREFIX) {
            match crate::writer::remembered_range(value) {
                Some((first, count)) if first.0 + u64::from(count) <= head.size => {}
                _ => {
                    return Err(StoreError::Refused(
                        "the recovery state names events beyond the restored log".into(),
                    ))
                }
            }
            batch.insert(key.as_slice(), value.as_slice());
        }
    }
    batch.insert(keys::HEAD, &read::encode_head(&head, last_block)[..]);
    db.apply_batch(batch)?;
    opened.head = head;
    opened.last_block = last_block;
    let rebuilt = rebuild::rebuild_projections(&opened)?;
    restore_credentials(&opened, state)?;
    let root = derived.frontier.root();
    // The restored log is what this data directory promises from now on.
    opened.promise_file.write(&crate::Promise { head, root, signed: None })?;
    Ok(RestoreReport { events: head.size, workers: rebuilt.workers, root })
}

/// Adds to `batch` the portal access entry `key`, `value` of a worker the restored log enrolled,
/// when it decodes.
fn restore_access(db: &sled::Db, batch: &mut sled::Batch, key: &[u8], value: &[u8]) -> Result<()> {
    let worker_id = std::str::from_utf8(&key[1..]).ok().and_then(|text| WorkerId::parse(text).ok());
    if let Some(worker_id) = worker_id {
        if crate::access::WorkerAccess::decode(value).is_some()
            && db.contains_key(keys::projection(&worker_id))?
        {
            batch.insert(keys::access(&worker_id), value);
        }
    }
    Ok(())
}

/// Writes the credentials of workers the restored log has enrolled (a worker enrolled after the
/// copy's head has no place in it), both ways from each worker's current digest, and makes the
/// store durable. Digest-to-worker entries of the copy are not taken as they are: only the ones
/// derived from a worker's current digest can be, so that no revoked credential comes back.
fn restore_credentials(opened: &OpenedTree, state: &RecoveryState) -> Result<()> {
    let db = &opened.db;
    let mut batch = sled::Batch::default();
    for (key, value) in &state.entries {
        if key.first() == Some(&keys::ACCESS_PREFIX) {
            restore_access(db, &mut batch, key, value)?;
            continue;
        }
        if key.first() != Some(&keys::WORKER_CREDENTIAL_PREFIX) {
            continue;
        }
        let Ok(digest) = <[u8; 32]>::try_from(value.as_slice()) else { continue };
        let Some(worker_id) = std::str::from_utf8(&key[1..]).ok().and_then(|text| WorkerId::parse(text).ok())
        else {
            continue;
        };
        if db.contains_key(keys::projection(&worker_id))? {
            batch.insert(&keys::credential(&digest)[..], worker_id.as_str().as_bytes());
            batch.insert(keys::worker_credential(&worker_id), &digest[..]);
        }
    }
    db.apply_batch(batch)?;
    db.flush()?;
    opened.db_file.sync_all()?;
    Ok(())
}
