//! Snapshots: the log's first events and the recovery state they need, in one file, from which a
//! replica that is new or far behind catches up when the raft log no longer holds what it lacks.
//!
//! A snapshot is built from the ledger's own records and recovery state (what `ledger backup`
//! copies) and carries a checkpoint signed with the log's key, at its size or at a larger one with
//! a consistency proof. A replica installs one only after checking all of it against what it can
//! trust without the sender: every record links to the one before from genesis, the records'
//! Merkle root is the one the log's key signed (or a prefix of it), the records it already holds
//! are the snapshot's first ones, and every recovery entry names events the snapshot holds.
//! Anything else is refused ([`StoreError::BadSnapshot`]) and nothing is written. It then appends
//! what it lacks through the path every replica applies raft's entries by ([`Append`]), in
//! appends of at most [`APPEND_RECORDS_MAX`] records, each with what its commit writes beside it;
//! the last carries raft's marker, so a crash part-way leaves a longer prefix of the same log and
//! a second install goes on from there.
//!
//! The file (docs/FORMAT.md, "Snapshots"), integers big-endian:
//!
//! ```text
//! "ledger-snapshot-v1\n"
//! u32 meta length ‖ meta            raft's description of the snapshot, opaque to the store
//! u64 size ‖ chain hash ‖ Merkle root      of the first `size` events
//! u32 note length ‖ note            a checkpoint signed with the log's key, of `size` events or more
//! u32 proof length ‖ hashes         a consistency proof from `size` to the checkpoint's size
//! size × (u32 length ‖ record)
//! recovery entries: (u32 key length ‖ key ‖ u32 value length ‖ value)* ‖ u32 0xFFFFFFFF
//! SHA-256 of every byte before it
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use ledger_core::checkpoint::Verifier;
use ledger_core::merkle::Frontier;
use ledger_core::{
    chain_hash, event_hash, ChainHash, ChainVerifier, Event, Jurisdiction, Record, Seq, WorkerId,
    RECORD_LEN_MAX,
};
use sha2::{Digest, Sha256};

use crate::append::{Append, APPEND_KEYS_MAX, APPEND_RECORDS_MAX};
use crate::error::{Result, StoreError};
use crate::read::Head;
use crate::{keys, read, Ledger};

/// The first bytes of a snapshot file.
pub const SNAPSHOT_MAGIC: &[u8] = b"ledger-snapshot-v1\n";
/// Longest raft description a snapshot carries: a membership of a few replicas' addresses.
pub const SNAPSHOT_META_LEN_MAX: u32 = 64 * 1024;
/// Longest checkpoint note a snapshot carries: a signature and a line per cosigning replica.
pub const SNAPSHOT_NOTE_LEN_MAX: u32 = 64 * 1024;
/// Longest key or value of a snapshot's recovery entries (idempotency keys are at most a few
/// hundred bytes, credential digests 32).
pub const SNAPSHOT_FIELD_LEN_MAX: u32 = 4096;
/// Records read from the store per scan while a snapshot is written.
const WRITE_RECORDS_PER_SCAN: u64 = 4096;
/// Recovery entries read from the store per chunk while a snapshot is written.
const WRITE_ENTRIES_PER_CHUNK: usize = 1024;
/// Longest a snapshot's build or install waits for the applier to publish what the writer made
/// durable: far longer than it takes, so that only an applier that stopped fails it.
pub const SETTLED_HEAD_WAIT_MAX: std::time::Duration = std::time::Duration::from_secs(60);
/// Marks the end of the recovery entries.
const END_OF_ENTRIES: u32 = u32::MAX;
/// Most side writes one record of an install can carry: an index entry, its claim index
/// entries, a replaced and a new credential both ways, and the idempotency entries of requests
/// that end at it. An append is closed before a record would take it past [`APPEND_KEYS_MAX`].
const SIDE_WRITES_PER_RECORD_TYPICAL: usize = 8;

/// A key an append writes beside its records, or removes (none).
type SideWrite = (Vec<u8>, Option<Vec<u8>>);

/// What a written snapshot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub head: Head,
    pub root: [u8; 32],
    /// The size of the checkpoint it carries.
    pub signed: u64,
    pub bytes: u64,
}

/// What an install did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Installed {
    /// The log's head before and after.
    pub from: Head,
    pub to: Head,
}

fn bad(reason: impl Into<String>) -> StoreError {
    StoreError::BadSnapshot(reason.into())
}

/// Writes everything it is given to the inner writer and into a SHA-256.
struct Hashing<W: Write> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Hashing<W> {
    fn put(&mut self, bytes: &[u8]) -> Result<()> {
        self.hasher.update(bytes);
        self.bytes += bytes.len() as u64;
        Ok(self.inner.write_all(bytes)?)
    }

    fn field(&mut self, bytes: &[u8]) -> Result<()> {
        self.put(&(bytes.len() as u32).to_be_bytes())?;
        self.put(bytes)
    }
}

impl Ledger {
    /// Writes a snapshot of the log's first `size` events (at most the durable head) to `out`,
    /// with raft's description `meta`, and a checkpoint signed now with the log's key (of the
    /// durable head, with a consistency proof from `size`). Records below the head never change,
    /// so the writer may go on meanwhile; the credentials are each worker's current one.
    pub fn write_snapshot(&self, size: u64, meta: &[u8], out: impl Write) -> Result<Written> {
        self.check_size("size", size)?;
        if meta.len() > SNAPSHOT_META_LEN_MAX as usize {
            return Err(bad(format!("a description of {} bytes is too long", meta.len())));
        }
        let head = Head { size, chain_hash: self.chain_hash_at(size)? };
        let root = self.merkle_root(size)?;
        let (proof, checkpoint) = self.with_checkpoint(|signed| match size {
            0 => Ok(Vec::new()),
            _ if signed == size => Ok(Vec::new()),
            _ => self.consistency_proof(size, signed),
        })?;
        let mut out =
            Hashing { inner: BufWriter::with_capacity(1 << 20, out), hasher: Sha256::new(), bytes: 0 };
        out.put(SNAPSHOT_MAGIC)?;
        out.field(meta)?;
        out.put(&size.to_be_bytes())?;
        out.put(head.chain_hash.as_bytes())?;
        out.put(&root)?;
        out.field(checkpoint.note.as_bytes())?;
        out.put(&(proof.len() as u32).to_be_bytes())?;
        for hash in &proof {
            out.put(hash)?;
        }
        let mut from = 0;
        while from < size {
            let to = size.min(from + WRITE_RECORDS_PER_SCAN);
            read::scan(&self.shared.tree, Seq(from), Seq(to), |_, bytes, _| out.field(bytes))?;
            from = to;
        }
        let mut failed = None;
        self.recovery_state(size, WRITE_ENTRIES_PER_CHUNK, |entries| {
            for (key, value) in entries {
                if let Err(error) = out.field(&key).and_then(|()| out.field(&value)) {
                    failed = Some(error);
                    return false;
                }
            }
            true
        })?;
        if let Some(error) = failed {
            return Err(error);
        }
        out.put(&END_OF_ENTRIES.to_be_bytes())?;
        let digest = out.hasher.finalize_reset();
        out.inner.write_all(&digest)?;
        out.inner.flush()?;
        Ok(Written { head, root, signed: checkpoint.tree.size, bytes: out.bytes + 32 })
    }

    /// Checks the snapshot in the file at `path` against the log's key `log` and this replica's
    /// log, then appends what this replica lacks of it, the last append with `marker` (raft's
    /// record of what it applied). Refuses with [`StoreError::BadSnapshot`], having written
    /// nothing, a snapshot that does not verify, that this replica's log is not a prefix of, or
    /// whose description is not `meta`.
    pub async fn install_snapshot(
        &self,
        path: &Path,
        log: &Verifier,
        meta: &[u8],
        marker: Vec<u8>,
    ) -> Result<Installed> {
        // This replica's log is checked against its whole head.
        let from = self.settled_head(SETTLED_HEAD_WAIT_MAX).await?;
        let checked = {
            let (path, log, meta) = (path.to_owned(), log.clone(), meta.to_owned());
            tokio::task::spawn_blocking(move || check(&path, &log, &meta, from))
                .await
                .map_err(|error| StoreError::Unavailable(format!("the snapshot check stopped: {error}")))??
        };
        tracing::info!(
            snapshot = checked.end.size,
            held = from.size,
            "the snapshot verifies against the chain and the log's signed checkpoint; installing it"
        );
        // Claims need their worker's origin: those enrolled before the snapshot's new events
        // are read from their projections, once the applier holds all this replica had.
        {
            let applied = self.shared.applied.clone();
            tokio::task::spawn_blocking(move || applied.wait_stored(from.size))
                .await
                .map_err(|error| StoreError::Unavailable(format!("the applier wait stopped: {error}")))??;
        }
        let mut suffix = Suffix::open(path, checked, from)?;
        let mut to = from;
        while let Some(append) = suffix.next_append(self)? {
            let last = suffix.finished();
            to = self.replicate_marked(append, last.then(|| marker.clone())).await?;
        }
        if to == from {
            self.mark_applied(marker).await?;
        }
        Ok(Installed { from, to })
    }
}

/// Reads a snapshot file, hashing what it reads.
struct Input {
    reader: BufReader<std::fs::File>,
    hasher: Sha256,
    offset: u64,
}

impl Input {
    fn open(path: &Path) -> Result<Input> {
        let file = std::fs::File::open(path)?;
        Ok(Input { reader: BufReader::with_capacity(1 << 20, file), hasher: Sha256::new(), offset: 0 })
    }

    fn take(&mut self, len: usize, what: &str) -> Result<Vec<u8>> {
        let mut bytes = vec![0u8; len];
        self.reader.read_exact(&mut bytes).map_err(|error| match error.kind() {
            std::io::ErrorKind::UnexpectedEof => bad(format!("it ends within {what}")),
            _ => StoreError::Io(error),
        })?;
        self.hasher.update(&bytes);
        self.offset += len as u64;
        Ok(bytes)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let bytes = self.take(N, what)?;
        bytes.try_into().map_err(|_| bad(format!("{what} is cut short")))
    }

    fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &str) -> Result<u64> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }

    /// A length-prefixed field of at most `max` bytes.
    fn field(&mut self, max: u32, what: &str) -> Result<Vec<u8>> {
        let len = self.u32(what)?;
        if len > max {
            return Err(bad(format!("{what} of {len} bytes is longer than {max}")));
        }
        self.take(len as usize, what)
    }
}

/// The header of a snapshot: raft's description, and the head and root it claims.
struct Header {
    meta: Vec<u8>,
    end: Head,
    root: [u8; 32],
    note: String,
    proof: Vec<[u8; 32]>,
}

fn header(input: &mut Input) -> Result<Header> {
    if input.take(SNAPSHOT_MAGIC.len(), "its format line")? != SNAPSHOT_MAGIC {
        return Err(bad("it is not a snapshot of this format"));
    }
    let meta = input.field(SNAPSHOT_META_LEN_MAX, "raft's description")?;
    let size = input.u64("its size")?;
    let end = Head { size, chain_hash: ChainHash::from_bytes(input.array("its chain hash")?) };
    let root = input.array("its Merkle root")?;
    let note = String::from_utf8(input.field(SNAPSHOT_NOTE_LEN_MAX, "its checkpoint")?)
        .map_err(|_| bad("its checkpoint is not UTF-8"))?;
    let proof_len = input.u32("its consistency proof")?;
    if proof_len as usize > ledger_core::merkle::PROOF_HASHES_MAX {
        return Err(bad(format!("a consistency proof of {proof_len} hashes")));
    }
    let proof = (0..proof_len).map(|_| input.array("its consistency proof")).collect::<Result<_>>()?;
    Ok(Header { meta, end, root, note, proof })
}

/// Raft's description in the snapshot file at `path` and the number of events it holds, read
/// from its header alone (the file is checked whole only when it is installed).
pub fn read_header(path: &Path) -> Result<(Vec<u8>, u64)> {
    let header = header(&mut Input::open(path)?)?;
    Ok((header.meta, header.end.size))
}

/// A snapshot checked whole, and what its install needs of its recovery state.
struct Checked {
    end: Head,
    /// Where the first record this replica lacks starts in the file.
    suffix_offset: u64,
    /// The idempotency entries of requests this replica lacks, by the seq of the record whose
    /// append carries them (their last event's).
    idempotency: BTreeMap<u64, Vec<keys::Entry>>,
    /// The current credential of each worker the new records enrol or issue one to.
    credentials: HashMap<WorkerId, [u8; 32]>,
    /// The portal access of each worker whose access the new records change: her entry as it is
    /// now, none when she has none.
    access: HashMap<WorkerId, Option<Vec<u8>>>,
}

/// Checks the snapshot file against the log's key and this replica's head `local`: see
/// [`Ledger::install_snapshot`].
fn check(path: &Path, log: &Verifier, meta: &[u8], local: Head) -> Result<Checked> {
    let mut input = Input::open(path)?;
    let header = header(&mut input)?;
    if header.meta != meta {
        return Err(bad("its description is not the one raft installs"));
    }
    let size = header.end.size;
    if local.size > size {
        return Err(bad(format!("it holds {size} events, fewer than this replica's {}", local.size)));
    }
    let checkpoint = log.verify(&header.note).map_err(|error| bad(format!("its checkpoint: {error}")))?;
    if checkpoint.size < size {
        return Err(bad(format!("its checkpoint is of {} events, fewer than its {size}", checkpoint.size)));
    }
    if size > 0 {
        ledger_core::merkle::verify_consistency(
            size,
            checkpoint.size,
            &header.root,
            &checkpoint.root,
            &header.proof,
        )
        .map_err(|error| {
            bad(format!("its tree is not a prefix of the one the log's key signed ({error})"))
        })?;
    }
    let mut verifier = ChainVerifier::new(Seq(0), ChainHash::GENESIS);
    let mut frontier = Frontier::default();
    let mut suffix_offset = input.offset;
    let mut issued: HashSet<WorkerId> = HashSet::new();
    for index in 0..size {
        let seq = Seq(index);
        if index == local.size {
            suffix_offset = input.offset;
        }
        let bytes = input.field(RECORD_LEN_MAX as u32, "a record")?;
        let hash = event_hash(&bytes);
        let chain = chain_hash(&verifier.chain_hash(), &hash);
        let (record, _) =
            verifier.check(seq, &bytes, &chain).map_err(|fault| bad(format!("its chain: {fault}")))?;
        frontier.push(*hash.as_bytes(), |_, _, _| {});
        if index + 1 == local.size && chain != local.chain_hash {
            return Err(bad(format!(
                "its first {} events are not this replica's: the chain hashes differ",
                local.size
            )));
        }
        if index < local.size {
            continue;
        }
        match &record.event {
            Event::WorkerEnrolled(enrolled) => {
                issued.insert(enrolled.worker_id.clone());
            }
            Event::CredentialReplaced(replaced) => {
                issued.insert(replaced.worker_id.clone());
            }
            Event::AccessChanged(changed) => {
                issued.insert(changed.worker_id.clone());
            }
            // Rules that do not load here would stop the install part-way: refuse it whole.
            Event::RulesAdopted(adopted) => {
                ledger_rules::Rules::parse(&adopted.document).map_err(|error| {
                    bad(format!("the rules adopted at seq {seq} do not load on this replica ({error})"))
                })?;
            }
            _ => {}
        }
    }
    if size == local.size {
        suffix_offset = input.offset;
    }
    if verifier.chain_hash() != header.end.chain_hash {
        return Err(bad("its records end at another chain hash than its header names"));
    }
    if frontier.root() != header.root {
        return Err(bad("its records give another Merkle root than the signed one"));
    }
    let mut idempotency: BTreeMap<u64, Vec<keys::Entry>> = BTreeMap::new();
    let mut credentials = HashMap::new();
    // Every worker the new records issued something to has her access written, or removed.
    let mut access: HashMap<WorkerId, Option<Vec<u8>>> =
        issued.iter().map(|worker_id| (worker_id.clone(), None)).collect();
    loop {
        let len = input.u32("its recovery entries")?;
        if len == END_OF_ENTRIES {
            break;
        }
        if len > SNAPSHOT_FIELD_LEN_MAX {
            return Err(bad(format!("a recovery key of {len} bytes")));
        }
        let key = input.take(len as usize, "a recovery key")?;
        let value = input.field(SNAPSHOT_FIELD_LEN_MAX, "a recovery value")?;
        match key.first() {
            Some(&keys::IDEMPOTENCY_PREFIX) => {
                let (first, count) = crate::writer::remembered_range(&value)
                    .ok_or_else(|| bad("an idempotency entry does not decode"))?;
                let end = first
                    .0
                    .checked_add(u64::from(count))
                    .filter(|end| *end <= size)
                    .ok_or_else(|| bad("an idempotency entry names events beyond the snapshot"))?;
                // The entry goes with its request's last event, or, for a request that appended
                // none, with the event at which it was answered.
                let at = if count == 0 { first.0 } else { end - 1 };
                if at >= local.size && at < size {
                    idempotency.entry(at).or_default().push((key, value));
                }
            }
            Some(&keys::WORKER_CREDENTIAL_PREFIX) => {
                let worker_id = std::str::from_utf8(&key[1..])
                    .ok()
                    .and_then(|text| WorkerId::parse(text).ok())
                    .ok_or_else(|| bad("a credential entry names no worker"))?;
                let digest: [u8; 32] =
                    value.try_into().map_err(|_| bad("a credential entry is not a 32-byte digest"))?;
                if issued.contains(&worker_id) {
                    credentials.insert(worker_id, digest);
                }
            }
            Some(&keys::ACCESS_PREFIX) => {
                let worker_id = std::str::from_utf8(&key[1..])
                    .ok()
                    .and_then(|text| WorkerId::parse(text).ok())
                    .ok_or_else(|| bad("an access entry names no worker"))?;
                crate::access::WorkerAccess::decode(&value)
                    .ok_or_else(|| bad("an access entry does not decode"))?;
                if let Some(entry) = access.get_mut(&worker_id) {
                    *entry = Some(value);
                }
            }
            other => return Err(bad(format!("a recovery entry has a foreign key {other:02x?}"))),
        }
    }
    let digest: [u8; 32] = input.hasher.clone().finalize().into();
    let mut trailer = [0u8; 32];
    input.reader.read_exact(&mut trailer).map_err(|_| bad("it ends before its digest"))?;
    if trailer != digest {
        return Err(bad("its bytes do not hash to its digest: it was damaged on the way or on disk"));
    }
    if input.reader.read(&mut [0u8; 1])? != 0 {
        return Err(bad("bytes follow its digest"));
    }
    Ok(Checked { end: header.end, suffix_offset, idempotency, credentials, access })
}

/// The records of a checked snapshot this replica lacks, read again from the file and cut into
/// appends with what each commit writes beside them.
struct Suffix {
    reader: BufReader<std::fs::File>,
    checked: Checked,
    /// The head the next append extends.
    head: Head,
    origins: HashMap<WorkerId, Jurisdiction>,
    credentialed: HashSet<WorkerId>,
}

impl Suffix {
    fn open(path: &Path, checked: Checked, from: Head) -> Result<Suffix> {
        let mut file = std::fs::File::open(path)?;
        file.seek(SeekFrom::Start(checked.suffix_offset))?;
        Ok(Suffix {
            reader: BufReader::with_capacity(1 << 20, file),
            checked,
            head: from,
            origins: HashMap::new(),
            credentialed: HashSet::new(),
        })
    }

    /// Whether every record of the snapshot has been handed out.
    fn finished(&self) -> bool {
        self.head.size >= self.checked.end.size
    }

    fn record(&mut self) -> Result<Vec<u8>> {
        let mut len = [0u8; 4];
        self.reader.read_exact(&mut len)?;
        let len = u32::from_be_bytes(len) as usize;
        if len > RECORD_LEN_MAX {
            return Err(bad("a record changed in the file after it was checked"));
        }
        let mut bytes = vec![0u8; len];
        self.reader.read_exact(&mut bytes)?;
        Ok(bytes)
    }

    /// What the commit of the record at `seq` writes beside it.
    fn side_writes(&mut self, ledger: &Ledger, seq: Seq, record: &Record) -> Result<Vec<SideWrite>> {
        let event = &record.event;
        let mut writes = Vec::new();
        if let Some((key, value)) = keys::event_index_entries(seq, event) {
            writes.push((key, Some(value)));
        }
        if let Event::WorkerEnrolled(enrolled) = event {
            self.origins.insert(enrolled.worker_id.clone(), enrolled.origin);
        }
        // The origin matters to a claim's filing only (its index by origin).
        let origin = match event {
            Event::ClaimFiled(filed) => match self.origins.get(&filed.worker_id) {
                Some(origin) => Some(*origin),
                None => ledger.projection(&filed.worker_id)?.map(|projection| projection.origin),
            },
            _ => None,
        };
        writes.extend(
            keys::claim_index_entries(seq, event, origin, &record.principal)
                .into_iter()
                .map(|(k, v)| (k, Some(v))),
        );
        let issued = match event {
            Event::WorkerEnrolled(enrolled) => Some(&enrolled.worker_id),
            Event::CredentialReplaced(replaced) => Some(&replaced.worker_id),
            Event::AccessChanged(changed) => Some(&changed.worker_id),
            _ => None,
        };
        if let Some((worker_id, value)) =
            issued.and_then(|worker_id| self.checked.access.remove_entry(worker_id))
        {
            writes.push((keys::access(&worker_id), value));
        }
        if let Some(worker_id) = issued.filter(|worker_id| !self.credentialed.contains(*worker_id)) {
            if let Some(digest) = self.checked.credentials.get(worker_id) {
                let replaced = read::worker_credential(&ledger.shared.tree, worker_id)?;
                writes.extend(keys::credential_writes(worker_id, digest, replaced));
                self.credentialed.insert(worker_id.clone());
            }
        }
        for (key, value) in self.checked.idempotency.remove(&seq.0).unwrap_or_default() {
            writes.push((key, Some(value)));
        }
        Ok(writes)
    }

    /// The next append, none once every record was handed out.
    fn next_append(&mut self, ledger: &Ledger) -> Result<Option<Append>> {
        if self.finished() {
            return Ok(None);
        }
        let start = self.head;
        let mut append = Append { start, records: Vec::new(), end: start.chain_hash, writes: Vec::new() };
        while self.head.size < self.checked.end.size && append.records.len() < APPEND_RECORDS_MAX {
            let seq = Seq(self.head.size);
            let bytes = self.record()?;
            let record =
                Record::decode(&bytes).map_err(|error| bad(format!("the record at seq {seq}: {error}")))?;
            let writes = self.side_writes(ledger, seq, &record)?;
            append.end = chain_hash(&append.end, &event_hash(&bytes));
            append.records.push(bytes);
            append.writes.extend(writes);
            self.head = Head { size: seq.0 + 1, chain_hash: append.end };
            if append.writes.len() + SIDE_WRITES_PER_RECORD_TYPICAL > APPEND_KEYS_MAX {
                break;
            }
        }
        Ok(Some(append))
    }
}
