//! Exports: the whole log in one file, checked with no server at all (docs/FORMAT.md,
//! "Exports"): every record decodes and names the next seq, every link of the chain, every stored
//! chain hash, the Merkle root, and the signed checkpoint that closes the file. `ledger
//! verify-export` and restoring a backup call it; `ledger export` writes the file.
//!
//! File layout: the line `ledger-export-v1\n`; then per event `u32 length ‖ record ‖ chain hash
//! (32)`; then `u32 0xFFFFFFFF`; then `u32 length ‖ checkpoint note`.

use std::io::Read;

use ledger_core::merkle::Frontier;
use ledger_core::{chain_hash, event_hash, ChainHash, Record, RECORD_LEN_MAX};

use crate::{Trust, VerifyError};

/// The export file's first bytes.
pub const EXPORT_MAGIC: &[u8] = b"ledger-export-v1\n";
/// The length that ends the records.
pub const END_OF_RECORDS: u32 = u32::MAX;

fn fail(reason: String) -> VerifyError {
    VerifyError::Export(reason)
}

/// Returns [`VerifyError::Export`] with the message unless the condition holds.
macro_rules! ensure {
    ($condition:expr, $($message:tt)+) => {
        if !$condition {
            return Err(fail(format!($($message)+)));
        }
    };
}

/// The records of an export held in memory, as slices of it; none past a malformed frame.
pub fn record_slices(bytes: &[u8]) -> Vec<&[u8]> {
    let mut records = Vec::new();
    let mut at = EXPORT_MAGIC.len();
    while let Some(len) = bytes.get(at..at + 4).and_then(|len| len.try_into().ok()).map(u32::from_be_bytes) {
        let Some(record) = bytes.get(at + 4..at + 4 + len as usize).filter(|_| len != END_OF_RECORDS) else {
            break;
        };
        records.push(record);
        at += 4 + len as usize + 32;
    }
    records
}

/// The threads verification uses: every core, at most [`VERIFY_THREADS_MAX`], a power of two.
fn verify_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |cores| cores.get())
        .min(VERIFY_THREADS_MAX)
        .next_power_of_two()
        .min(VERIFY_THREADS_MAX)
}

/// Exactly the SHA-256 calls the format makes verification do over `records`, and nothing else,
/// in a tight loop on as many threads as verification uses: each record's leaf hash and chain
/// hash, and a Merkle node for every record but one. The ceiling against which verification's
/// rate is measured (raw SHA-256 of the file hashes each byte once, verification three times).
/// Returns a hash of the work, so that none of it can be left out.
pub fn hash_floor(records: &[&[u8]]) -> [u8; 32] {
    let share = records.len().div_ceil(verify_threads()).max(1);
    let roots: Vec<[u8; 32]> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(share)
            .map(|part| {
                scope.spawn(move || {
                    let mut chain = ChainHash::GENESIS;
                    let mut leaves = Vec::with_capacity(part.len());
                    for record in part {
                        let leaf = event_hash(record);
                        chain = chain_hash(&chain, &leaf);
                        leaves.push(*leaf.as_bytes());
                    }
                    let mut width = leaves.len();
                    while width > 1 {
                        for index in 0..width / 2 {
                            leaves[index] =
                                ledger_core::merkle::node_hash(&leaves[2 * index], &leaves[2 * index + 1]);
                        }
                        if width % 2 == 1 {
                            leaves[width / 2] = leaves[width - 1];
                        }
                        width = width.div_ceil(2);
                    }
                    ledger_core::merkle::node_hash(
                        &leaves.first().copied().unwrap_or_default(),
                        chain.as_bytes(),
                    )
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().unwrap_or_default()).collect()
    });
    roots.iter().fold([0u8; 32], |all, root| ledger_core::merkle::node_hash(&all, root))
}

/// What a verified export holds.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub events: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Bytes of the records alone: the encoded events with their envelopes.
    pub record_bytes: u64,
    /// The Merkle root of the records, which the checkpoint signs.
    pub root: [u8; 32],
    /// Who vouched for the checkpoint: the log's key, and the cosigners the policy required.
    pub trusted: String,
}

/// Records verified together: a power of two, so that every full chunk is a perfect subtree of the
/// Merkle tree and each thread's share of it too.
const CHUNK_EVENTS: usize = 1 << 15;
/// Most threads verification uses; a power of two.
const VERIFY_THREADS_MAX: usize = 8;

pub fn read_u32(input: &mut impl Read) -> std::io::Result<u32> {
    let mut bytes = [0u8; 4];
    input.read_exact(&mut bytes)?;
    Ok(u32::from_be_bytes(bytes))
}

/// A run of consecutive records of the file: their bytes one after another, where each ends, and
/// the chain hash stored after each.
#[derive(Default)]
struct Chunk {
    first: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
    stored: Vec<[u8; 32]>,
}

impl Chunk {
    fn record(&self, index: usize) -> &[u8] {
        let start = if index == 0 { 0 } else { self.ends[index - 1] };
        &self.data[start..self.ends[index]]
    }

    /// Reads up to [`CHUNK_EVENTS`] records; true when the end-of-records mark was read.
    fn fill(&mut self, input: &mut impl Read, first: u64, bytes: &mut u64) -> Result<bool, VerifyError> {
        self.first = first;
        self.data.clear();
        self.ends.clear();
        self.stored.clear();
        while self.ends.len() < CHUNK_EVENTS {
            let seq = first + self.ends.len() as u64;
            let len = read_u32(input)
                .map_err(|_| fail(format!("seq {seq}: the file ends without its checkpoint")))?;
            *bytes += 4;
            if len == END_OF_RECORDS {
                return Ok(true);
            }
            ensure!(
                len as usize <= RECORD_LEN_MAX,
                "seq {seq}: a record of {len} bytes is longer than any record"
            );
            let start = self.data.len();
            self.data.resize(start + len as usize, 0);
            input
                .read_exact(&mut self.data[start..])
                .map_err(|_| fail(format!("seq {seq}: the file ends inside the record")))?;
            let mut stored = [0u8; 32];
            input
                .read_exact(&mut stored)
                .map_err(|_| fail(format!("seq {seq}: the file ends inside the chain hash")))?;
            *bytes += u64::from(len) + 32;
            self.ends.push(self.data.len());
            self.stored.push(stored);
        }
        Ok(false)
    }

    /// Checks records `range` of the chunk, each on its own: it decodes, names its seq and links to
    /// the chain hash stored before it, and hashes to the chain hash stored after it. Every link is
    /// checked against stored values, so the records can be checked in any order, on any thread.
    /// Returns their leaf hashes.
    fn check(&self, range: std::ops::Range<usize>, before: &ChainHash) -> Result<Vec<[u8; 32]>, VerifyError> {
        let mut leaves = Vec::with_capacity(range.len());
        for index in range {
            let seq = self.first + index as u64;
            let record = self.record(index);
            let prev = match index {
                0 => *before,
                _ => ChainHash::from_bytes(self.stored[index - 1]),
            };
            let decoded = Record::decode(record).map_err(|error| fail(format!("seq {seq}: {error}")))?;
            ensure!(
                decoded.seq.0 == seq,
                "seq {seq}: the record names seq {} (a record is missing, moved or repeated)",
                decoded.seq
            );
            ensure!(decoded.prev_chain_hash == prev, "seq {seq}: the record does not link to the one before");
            let leaf = event_hash(record);
            let chain = chain_hash(&prev, &leaf);
            ensure!(
                chain.as_bytes() == &self.stored[index],
                "seq {seq}: the record does not hash to its chain hash"
            );
            leaves.push(*leaf.as_bytes());
        }
        Ok(leaves)
    }
}

/// The root of a perfect tree over `leaves` (a power of two of them), reducing in place.
fn perfect_root(mut leaves: Vec<[u8; 32]>) -> [u8; 32] {
    let mut width = leaves.len();
    while width > 1 {
        for index in 0..width / 2 {
            leaves[index] = ledger_core::merkle::node_hash(&leaves[2 * index], &leaves[2 * index + 1]);
        }
        width /= 2;
    }
    leaves[0]
}

/// Checks an export; the error names the first sequence number or part that is wrong. Records are
/// read a chunk at a time and checked on every core: a full chunk's share per thread is a perfect
/// subtree, whose root the thread computes, so the Merkle tree is built in parallel too.
pub fn verify(input: &mut impl Read, trust: &Trust) -> Result<Verified, VerifyError> {
    let mut magic = vec![0u8; EXPORT_MAGIC.len()];
    input.read_exact(&mut magic).map_err(|_| fail("the header: the file is too short".into()))?;
    ensure!(magic == EXPORT_MAGIC, "the header: not a ledger export");
    let mut bytes = EXPORT_MAGIC.len() as u64;
    let mut record_bytes = 0u64;
    let threads = verify_threads();
    let mut frontier = Frontier::default();
    let mut before = ChainHash::GENESIS;
    let (mut chunk, mut next) = (Chunk::default(), Chunk::default());
    let mut ended = chunk.fill(input, 0, &mut bytes)?;
    loop {
        let count = chunk.ends.len();
        record_bytes += chunk.data.len() as u64;
        let share = count.div_ceil(threads).max(1);
        // The threads check this chunk while this one reads the next: reading is not left waiting.
        let (results, filled) = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..count)
                .step_by(share)
                .map(|start| {
                    let (chunk, before) = (&chunk, &before);
                    scope.spawn(move || {
                        let leaves = chunk.check(start..(start + share).min(count), before)?;
                        // A whole share of a full chunk is a perfect subtree: reduce it here.
                        Ok(match count == CHUNK_EVENTS {
                            true => vec![perfect_root(leaves)],
                            false => leaves,
                        })
                    })
                })
                .collect();
            let filled = match ended {
                true => Ok(true),
                false => next.fill(input, chunk.first + count as u64, &mut bytes),
            };
            let results: Vec<Result<Vec<[u8; 32]>, VerifyError>> = handles
                .into_iter()
                .map(|handle| handle.join().unwrap_or_else(|_| Err(fail("a verifying thread failed".into()))))
                .collect();
            (results, filled)
        });
        for result in results {
            let hashes = result?;
            match count == CHUNK_EVENTS {
                true => {
                    let level = share.trailing_zeros();
                    ensure!(frontier.push_subtree(level, hashes[0]), "internal: a chunk out of alignment");
                }
                false => hashes.into_iter().for_each(|leaf| frontier.push(leaf, |_, _, _| {})),
            }
        }
        if let Some(last) = chunk.stored.last() {
            before = ChainHash::from_bytes(*last);
        }
        if ended {
            break;
        }
        ended = filled?;
        std::mem::swap(&mut chunk, &mut next);
    }
    let note_len = read_u32(input).map_err(|_| fail("the checkpoint: missing".into()))? as usize;
    ensure!(note_len <= ledger_core::checkpoint::NOTE_LEN_MAX, "the checkpoint: too long");
    let mut note = vec![0u8; note_len];
    input.read_exact(&mut note).map_err(|_| fail("the checkpoint: truncated".into()))?;
    let mut rest = [0u8; 1];
    let after = input.read(&mut rest).map_err(|error| fail(format!("the checkpoint: {error}")))?;
    ensure!(after == 0, "the checkpoint: bytes follow it");
    bytes += 4 + note_len as u64;
    let note = String::from_utf8(note).map_err(|_| fail("the checkpoint: not UTF-8".into()))?;
    let cosigned = trust.check(&note)?;
    let checkpoint = &cosigned.checkpoint;
    if checkpoint.size != frontier.size() {
        return Err(fail(format!(
            "the checkpoint: it signs {} events, the file holds {}",
            checkpoint.size,
            frontier.size()
        )));
    }
    ensure!(
        checkpoint.root == frontier.root(),
        "the checkpoint: the Merkle root of the records is not the one it signs"
    );
    Ok(Verified {
        events: frontier.size(),
        bytes,
        record_bytes,
        root: frontier.root(),
        trusted: trust.describe(&cosigned),
    })
}

/// [`verify`] over bytes already in memory.
pub fn verify_bytes(bytes: &[u8], verifier_key: &str) -> Result<Verified, VerifyError> {
    verify(&mut std::io::Cursor::new(bytes), &Trust::log_only(verifier_key)?)
}
