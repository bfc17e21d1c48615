//! One append to the log, as every replica applies it: the records of a group commit, the head
//! they extend, and what the commit writes beside them that the records alone do not give
//! (idempotency entries, credentials, the reversal, rules and claim indexes).
//!
//! The writer builds an append from a checked group; whoever applies it (the writer's own store
//! today, each replica of a cluster tomorrow) checks that it extends its head, re-hashing every
//! record and linking each to the one before, and derives the rest itself: chain hashes, storage
//! blocks, Merkle nodes and the new head. An append that does not extend the head is refused
//! whole ([`StoreError::NotExtending`]) and nothing of it is written, the same way on every replica.

use ledger_core::merkle::Frontier;
use ledger_core::{chain_hash, event_hash, ChainHash, Record, Seq, RECORD_LEN_MAX};

use crate::block::Cutter;
use crate::error::{Result, StoreError};
use crate::keys;
use crate::read::{self, encode_head, Head};

/// Most records one append carries: a group commit's bound.
pub const APPEND_RECORDS_MAX: usize = crate::writer::EVENTS_PER_COMMIT_MAX;
/// Most keys one append writes or removes beside its records: per event at most a few index
/// entries, per command an idempotency entry, two credential keys and a worker's access.
pub const APPEND_KEYS_MAX: usize = 8 * APPEND_RECORDS_MAX;

/// The key families an append may write beside its records. Blocks, the head, Merkle nodes and
/// derived state are never taken from an append: its applier derives them.
const SIDE_PREFIXES: [u8; 9] = [
    keys::IDEMPOTENCY_PREFIX,
    keys::CREDENTIAL_PREFIX,
    keys::WORKER_CREDENTIAL_PREFIX,
    keys::ACCESS_PREFIX,
    keys::REVERSAL_PREFIX,
    keys::RECORDED_PREFIX,
    keys::CORRECTION_PREFIX,
    keys::RULES_PREFIX,
    keys::CLAIM_PREFIX,
];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Append {
    /// The head the append extends: its size is the seq of the first record.
    pub start: Head,
    /// The records, encoded, in seq order.
    pub records: Vec<Vec<u8>>,
    /// The chain hash after the last record, as the writer computed it.
    pub end: ChainHash,
    /// Keys written beside the records (a value) or removed (none: a credential replaced), applied
    /// in this order.
    pub writes: Vec<(Vec<u8>, Option<Vec<u8>>)>,
}

/// An append checked against a head: the sled batch that applies it whole, and the state after it.
#[derive(Debug)]
pub struct Checked {
    pub batch: sled::Batch,
    pub head: Head,
    pub frontier: Frontier,
    /// The first seq of the last storage block.
    pub last_block: Seq,
}

impl Append {
    /// Checks that the append extends `head` (whose Merkle tree's right edge is `frontier`) and
    /// builds the batch that applies it. Refuses, with nothing built: another start; a record that
    /// does not decode, names another seq or links to another chain hash; an end that is not the
    /// chain hash the records give; a side key outside the families an append may write.
    pub fn check(&self, head: Head, frontier: &Frontier) -> Result<Checked> {
        let refuse = |reason: String| Err(StoreError::NotExtending(reason));
        if self.start != head {
            return refuse(format!(
                "it extends the log at {} events ({}), this replica's head is at {} ({})",
                self.start.size,
                short(&self.start.chain_hash),
                head.size,
                short(&head.chain_hash)
            ));
        }
        if self.records.is_empty() || self.records.len() > APPEND_RECORDS_MAX {
            return refuse(format!(
                "{} records; an append carries 1 to {APPEND_RECORDS_MAX}",
                self.records.len()
            ));
        }
        if self.writes.len() > APPEND_KEYS_MAX {
            return refuse(format!("more than {APPEND_KEYS_MAX} keys beside its records"));
        }
        if let Some(key) = self
            .writes
            .iter()
            .map(|(key, _)| key)
            .find(|key| key.first().is_none_or(|prefix| !SIDE_PREFIXES.contains(prefix)))
        {
            return refuse(format!(
                "it writes a key ({:?}) no append may write",
                key.first().map(|&b| b as char)
            ));
        }
        let mut batch = sled::Batch::default();
        let mut frontier = frontier.clone();
        let mut cutter = Cutter::new(Seq(head.size));
        let mut chain = head.chain_hash;
        for (offset, bytes) in self.records.iter().enumerate() {
            let seq = Seq(head.size + offset as u64);
            if bytes.len() > RECORD_LEN_MAX {
                return refuse(format!("the record at seq {seq} is longer than {RECORD_LEN_MAX} bytes"));
            }
            let record = Record::decode(bytes).map_err(|error| {
                StoreError::NotExtending(format!("the record at seq {seq} does not decode: {error}"))
            })?;
            if record.seq != seq {
                return refuse(format!("the record at seq {seq} names seq {}", record.seq));
            }
            if record.prev_chain_hash != chain {
                return refuse(format!("the record at seq {seq} does not link to the chain hash before it"));
            }
            let hash = event_hash(bytes);
            frontier.push(*hash.as_bytes(), |level, index, node| {
                if level >= read::MERKLE_LEVEL_STORED_MIN {
                    batch.insert(&keys::merkle_node(level, index)[..], &node[..]);
                }
            });
            chain = chain_hash(&chain, &hash);
            if let Some((first, block)) = cutter.push(bytes, &chain) {
                batch.insert(&keys::block(first)[..], block);
            }
        }
        if chain != self.end {
            return refuse("its records give another chain hash than the one it names".into());
        }
        let last_block = cutter.first();
        if let Some((first, block)) = cutter.finish() {
            batch.insert(&keys::block(first)[..], block);
        }
        let end = Head { size: head.size + self.records.len() as u64, chain_hash: chain };
        batch.insert(keys::HEAD, &encode_head(&end, last_block)[..]);
        for (key, value) in &self.writes {
            match value {
                Some(value) => batch.insert(key.as_slice(), value.as_slice()),
                None => batch.remove(key.as_slice()),
            }
        }
        Ok(Checked { batch, head: end, frontier, last_block })
    }
}

/// The first byte of an encoded append: its format.
const APPEND_FORMAT_V1: u8 = 1;

impl Append {
    /// The append as bytes, for a raft entry (docs/ARCHITECTURE.md, `crates/ledger-store`,
    /// "Replicas"): the format byte, the start (size u64, chain hash), the end chain hash, the
    /// records (u32 count, then u32 length and bytes each) and the side writes (u32 count, then u32
    /// key length, key, and u8 0 for a removal or 1 followed by u32 value length and value).
    /// Integers are big-endian.
    pub fn encode(&self) -> Vec<u8> {
        let records: usize = self.records.iter().map(|record| 4 + record.len()).sum();
        let writes: usize =
            self.writes.iter().map(|(key, value)| 9 + key.len() + value.as_ref().map_or(0, Vec::len)).sum();
        let mut bytes = Vec::with_capacity(1 + 8 + 32 + 32 + 8 + records + writes);
        bytes.push(APPEND_FORMAT_V1);
        bytes.extend_from_slice(&self.start.size.to_be_bytes());
        bytes.extend_from_slice(self.start.chain_hash.as_bytes());
        bytes.extend_from_slice(self.end.as_bytes());
        bytes.extend_from_slice(&(self.records.len() as u32).to_be_bytes());
        for record in &self.records {
            bytes.extend_from_slice(&(record.len() as u32).to_be_bytes());
            bytes.extend_from_slice(record);
        }
        bytes.extend_from_slice(&(self.writes.len() as u32).to_be_bytes());
        for (key, value) in &self.writes {
            bytes.extend_from_slice(&(key.len() as u32).to_be_bytes());
            bytes.extend_from_slice(key);
            match value {
                None => bytes.push(0),
                Some(value) => {
                    bytes.push(1);
                    bytes.extend_from_slice(&(value.len() as u32).to_be_bytes());
                    bytes.extend_from_slice(value);
                }
            }
        }
        bytes
    }

    /// An append from [`Append::encode`]'s bytes; anything else is refused, never a panic. What
    /// it holds is checked only by [`Append::check`].
    pub fn decode(bytes: &[u8]) -> Result<Append> {
        let mut reader = Reader { bytes, at: 0 };
        if reader.take(1)? != [APPEND_FORMAT_V1] {
            return Err(malformed("an unknown format"));
        }
        let size = reader.u64()?;
        let start = Head { size, chain_hash: reader.hash()? };
        let end = reader.hash()?;
        let count = reader.u32()? as usize;
        if count > APPEND_RECORDS_MAX {
            return Err(malformed("too many records"));
        }
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            let len = reader.u32()? as usize;
            if len > RECORD_LEN_MAX {
                return Err(malformed("a record too long"));
            }
            records.push(reader.take(len)?.to_vec());
        }
        let count = reader.u32()? as usize;
        if count > APPEND_KEYS_MAX {
            return Err(malformed("too many side keys"));
        }
        let mut writes = Vec::with_capacity(count);
        for _ in 0..count {
            let len = reader.u32()? as usize;
            let key = reader.take(len)?.to_vec();
            let value = match reader.take(1)? {
                [0] => None,
                [1] => {
                    let len = reader.u32()? as usize;
                    Some(reader.take(len)?.to_vec())
                }
                _ => return Err(malformed("a side write is neither a value nor a removal")),
            };
            writes.push((key, value));
        }
        if reader.at != bytes.len() {
            return Err(malformed("bytes after its end"));
        }
        Ok(Append { start, records, end, writes })
    }
}

fn malformed(why: &str) -> StoreError {
    StoreError::NotExtending(format!("the append is malformed: {why}"))
}

/// Reads an encoded append, refusing to read past its end.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(len)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| malformed("it ends early"))?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    fn u32(&mut self) -> Result<u32> {
        let mut value = [0u8; 4];
        value.copy_from_slice(self.take(4)?);
        Ok(u32::from_be_bytes(value))
    }

    fn u64(&mut self) -> Result<u64> {
        let mut value = [0u8; 8];
        value.copy_from_slice(self.take(8)?);
        Ok(u64::from_be_bytes(value))
    }

    fn hash(&mut self) -> Result<ChainHash> {
        let mut value = [0u8; 32];
        value.copy_from_slice(self.take(32)?);
        Ok(ChainHash::from_bytes(value))
    }
}

/// The first eight bytes of a chain hash in hex, to name it in a message.
fn short(hash: &ChainHash) -> String {
    hash.as_bytes()[..8].iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use ledger_core::{Event, Jurisdiction, PrincipalId, RequestId, WorkerEnrolled, WorkerId};

    use super::*;

    /// `count` enrolments from `start`, and the append that carries them.
    fn append(start: Head, count: u64) -> Append {
        let mut chain = start.chain_hash;
        let mut records = Vec::new();
        for offset in 0..count {
            let seq = Seq(start.size + offset);
            let [a, b, c, d, e, f, g, h] = seq.0.to_be_bytes();
            let record = Record {
                seq,
                recorded_at: DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap_or_default(),
                principal: PrincipalId::parse("agency-np").unwrap_or_else(|error| panic!("{error}")),
                request_id: RequestId::parse(&format!("enrol-{seq}"))
                    .unwrap_or_else(|error| panic!("{error}")),
                prev_chain_hash: chain,
                event: Event::WorkerEnrolled(WorkerEnrolled {
                    worker_id: WorkerId::from_random([0, 0, a, b, c, d, e, f, g, h]),
                    origin: Jurisdiction::parse("NP").unwrap_or_else(|error| panic!("{error}")),
                    enrolled_in: Jurisdiction::parse("NP").unwrap_or_else(|error| panic!("{error}")),
                    sex: None,
                    birth_month: None,
                }),
            };
            let bytes = record.encode();
            chain = chain_hash(&chain, &event_hash(&bytes));
            records.push(bytes);
        }
        let idempotency = keys::idempotency(
            &PrincipalId::parse("agency-np").unwrap_or_else(|error| panic!("{error}")),
            &RequestId::parse("enrol").unwrap_or_else(|error| panic!("{error}")),
        );
        Append { start, records, end: chain, writes: vec![(idempotency, Some(vec![7; 44]))] }
    }

    fn refused(append: &Append, head: Head, frontier: &Frontier) -> String {
        match append.check(head, frontier) {
            Err(StoreError::NotExtending(reason)) => reason,
            other => panic!("accepted or refused otherwise: {other:?}"),
        }
    }

    #[test]
    fn an_append_decodes_from_its_encoding_and_nothing_else() {
        let genesis = Head { size: 0, chain_hash: ChainHash::GENESIS };
        let mut original = append(genesis, 3);
        original.writes.push((vec![keys::CREDENTIAL_PREFIX, 1, 2], None));
        let bytes = original.encode();
        assert_eq!(Append::decode(&bytes).unwrap_or_else(|error| panic!("{error}")), original);
        // Every shorter prefix, and anything after the end, is refused without a panic.
        for len in 0..bytes.len() {
            assert!(Append::decode(&bytes[..len]).is_err(), "a prefix of {len} bytes");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Append::decode(&longer).is_err());
        let mut other_format = bytes.clone();
        other_format[0] = 2;
        assert!(Append::decode(&other_format).is_err());
        // A count beyond the bound is refused before anything is allocated for it.
        let mut huge = bytes[..73].to_vec();
        huge.extend_from_slice(&u32::MAX.to_be_bytes());
        assert!(Append::decode(&huge).is_err());
    }

    #[test]
    fn an_append_that_extends_the_head_gives_its_new_head_and_tree() {
        let genesis = Head { size: 0, chain_hash: ChainHash::GENESIS };
        let first = append(genesis, 70);
        let checked = first.check(genesis, &Frontier::default()).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(checked.head, Head { size: 70, chain_hash: first.end });
        let mut expected = Frontier::default();
        for record in &first.records {
            expected.push(*event_hash(record).as_bytes(), |_, _, _| {});
        }
        assert_eq!(checked.frontier.root(), expected.root());
        // The next append extends the one before.
        let second = append(checked.head, 3);
        let next = second.check(checked.head, &checked.frontier).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(next.head.size, 73);
    }

    #[test]
    fn an_append_that_does_not_extend_the_head_is_refused_whole() {
        let genesis = Head { size: 0, chain_hash: ChainHash::GENESIS };
        let base = append(genesis, 5);
        let head = base.check(genesis, &Frontier::default()).unwrap_or_else(|error| panic!("{error}"));
        let (head, frontier) = (head.head, head.frontier);
        let good = append(head, 4);
        assert!(good.check(head, &frontier).is_ok());

        // Built on another head: a stale leader's block after another was committed.
        let stale = append(genesis, 4);
        assert!(refused(&stale, head, &frontier).contains("extends the log at 0 events"));
        let forked = append(Head { size: 5, chain_hash: ChainHash::from_bytes([9; 32]) }, 4);
        assert!(refused(&forked, head, &frontier).contains("this replica's head is at 5"));
        // Its own start rewritten to the head, but its records still link elsewhere.
        let relabelled = Append { start: head, ..forked.clone() };
        assert!(refused(&relabelled, head, &frontier).contains("does not link"));

        // One byte of one record changed.
        for at in [0, 20, good.records[2].len() - 1] {
            let mut bent = good.clone();
            bent.records[2][at] ^= 0x01;
            let reason = refused(&bent, head, &frontier);
            // Refused at the record itself (it no longer decodes or names another seq), or at
            // the next one, which no longer links to it.
            assert!(
                reason.contains("seq 7") || reason.contains("seq 8 does not link"),
                "byte {at}: {reason}"
            );
        }
        // Records swapped, dropped, or the end named wrongly.
        let mut swapped = good.clone();
        swapped.records.swap(1, 2);
        assert!(refused(&swapped, head, &frontier).contains("names seq"));
        let mut dropped = good.clone();
        dropped.records.remove(1);
        assert!(refused(&dropped, head, &frontier).contains("at seq 6"));
        let mut wrong_end = good.clone();
        wrong_end.end = ChainHash::from_bytes([1; 32]);
        assert!(refused(&wrong_end, head, &frontier).contains("another chain hash"));
        let empty = Append { records: Vec::new(), ..good.clone() };
        assert!(refused(&empty, head, &frontier).contains("1 to"));

        // A side key of a family an append may not write: the head, a block, a Merkle node, a
        // projection.
        for key in [
            keys::HEAD.to_vec(),
            keys::block(Seq(0)).to_vec(),
            keys::merkle_node(6, 0).to_vec(),
            vec![b'P', 1],
        ] {
            let mut sneaky = good.clone();
            sneaky.writes.push((key.clone(), Some(vec![0])));
            assert!(refused(&sneaky, head, &frontier).contains("no append may write"), "{key:?}");
            let mut removing = good.clone();
            removing.writes.push((key.clone(), None));
            assert!(refused(&removing, head, &frontier).contains("no append may write"), "{key:?}");
        }
    }
}
