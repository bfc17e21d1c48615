//! A block: the entries of consecutive events stored under one sled key. A record larger than a
//! block (only a rules document can be) is stored alone in its own block.
//!
//! Writing one key per event caps sled at tens of thousands of events per second; one key per block
//! of events lifts that several times. Blocks are kept small (see [`BLOCK_BYTES_MAX`]) so that a sled
//! page never grows past the size at which sled 0.34 moves it to a separate blob file, which sled
//! does not fsync.

use ledger_core::{ChainHash, Seq};

/// Largest block value, in bytes, unless one record alone is larger (a rules document, at most
/// 64 KiB). A sled leaf holds at most 17 items before it splits, so a leaf stays under
/// 17 × 65 KiB, below the blob threshold of a quarter of the 8 MiB segment.
pub const BLOCK_BYTES_MAX: usize = 16 * 1024;
/// Bytes an entry adds besides its record: the u32 length and the chain hash.
pub const ENTRY_OVERHEAD_BYTES: usize = 4 + 32;

/// One stored event: its exact record bytes and the chain hash after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEntry {
    pub seq: Seq,
    pub record: Vec<u8>,
    pub chain_hash: ChainHash,
}

pub fn push_entry(block: &mut Vec<u8>, record: &[u8], chain_hash: &ChainHash) {
    debug_assert!(record.len() <= ledger_core::RECORD_LEN_MAX);
    block.extend_from_slice(&(record.len() as u32).to_be_bytes());
    block.extend_from_slice(record);
    block.extend_from_slice(chain_hash.as_bytes());
}

/// Cuts consecutive entries into blocks of at most [`BLOCK_BYTES_MAX`]: the one place the log is
/// framed, for the writer's commits and for a restore.
#[derive(Debug)]
pub struct Cutter {
    first: Seq,
    next: Seq,
    block: Vec<u8>,
}

impl Cutter {
    /// A cutter whose first entry is the event at `first`.
    pub fn new(first: Seq) -> Cutter {
        Cutter { first, next: first, block: Vec::with_capacity(BLOCK_BYTES_MAX) }
    }

    /// Adds the next entry; returns the block it closed (with its first seq) when the entry did
    /// not fit in it.
    pub fn push(&mut self, record: &[u8], chain_hash: &ChainHash) -> Option<(Seq, Vec<u8>)> {
        let mut closed = None;
        if !self.block.is_empty() && self.block.len() + record.len() + ENTRY_OVERHEAD_BYTES > BLOCK_BYTES_MAX
        {
            let block = std::mem::replace(&mut self.block, Vec::with_capacity(BLOCK_BYTES_MAX));
            closed = Some((self.first, block));
            self.first = self.next;
        }
        push_entry(&mut self.block, record, chain_hash);
        self.next = Seq(self.next.0 + 1);
        closed
    }

    /// The first seq of the block being filled.
    pub fn first(&self) -> Seq {
        self.first
    }

    /// The last block, with its first seq; none when no entry was pushed into it.
    pub fn finish(self) -> Option<(Seq, Vec<u8>)> {
        (!self.block.is_empty()).then_some((self.first, self.block))
    }
}

/// Iterates a block's entries. A block whose framing is broken yields an error naming the seq
/// of the entry that could not be framed, and then stops.
pub fn entries(first: Seq, block: &[u8]) -> Entries<'_> {
    Entries { block, offset: 0, seq: first, broken: false }
}

#[derive(Debug)]
pub struct Entries<'a> {
    block: &'a [u8],
    offset: usize,
    seq: Seq,
    broken: bool,
}

/// A block whose framing does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrokenFrame {
    pub seq: Seq,
}

impl<'a> Iterator for Entries<'a> {
    type Item = Result<(Seq, &'a [u8], ChainHash), BrokenFrame>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.broken || self.offset == self.block.len() {
            return None;
        }
        let rest = &self.block[self.offset..];
        let framed = rest.get(..4).and_then(|len| {
            let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
            let end = 4usize.checked_add(len)?;
            let record = rest.get(4..end)?;
            let chain_hash = ChainHash::from_slice(rest.get(end..end.checked_add(32)?)?)?;
            Some((record, chain_hash, end + 32))
        });
        let seq = self.seq;
        match framed {
            Some((record, chain_hash, consumed)) => {
                self.offset += consumed;
                self.seq = Seq(seq.0 + 1);
                Some(Ok((seq, record, chain_hash)))
            }
            None => {
                self.broken = true;
                Some(Err(BrokenFrame { seq }))
            }
        }
    }
}
