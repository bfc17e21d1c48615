//! Reading the log and its indexes. Readers never take the writer's lock: sled serves them
//! concurrently, and they only look at events below the durable head they were given.

use ledger_core::{ChainFault, ChainHash, ChainVerifier, Event, Record, Seq, WorkerId};
use ledger_projections::{codec, WorkerProjection};
use ledger_rules::Rules;

use crate::block::{entries, StoredEntry};
use crate::error::{Result, StoreError};
use crate::keys;

/// The end of the log: how many events it holds and the chain hash after the last one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub size: u64,
    pub chain_hash: ChainHash,
}

impl Head {
    pub const EMPTY: Head = Head { size: 0, chain_hash: ChainHash::GENESIS };
}

/// The stored head and the first seq of the last block.
pub(crate) fn load_head(tree: &sled::Tree) -> Result<(Head, Seq)> {
    let Some(value) = tree.get(keys::HEAD)? else {
        return Ok((Head::EMPTY, Seq(0)));
    };
    let refused = || StoreError::Refused("the stored head is not 48 bytes".into());
    if value.len() != 48 {
        return Err(refused());
    }
    let size = u64::from_be_bytes(value[..8].try_into().map_err(|_| refused())?);
    let chain_hash = ChainHash::from_slice(&value[8..40]).ok_or_else(refused)?;
    let last_block = Seq(u64::from_be_bytes(value[40..].try_into().map_err(|_| refused())?));
    Ok((Head { size, chain_hash }, last_block))
}

pub(crate) fn encode_head(head: &Head, last_block: Seq) -> [u8; 48] {
    let mut value = [0u8; 48];
    value[..8].copy_from_slice(&head.size.to_be_bytes());
    value[8..40].copy_from_slice(head.chain_hash.as_bytes());
    value[40..].copy_from_slice(&last_block.0.to_be_bytes());
    value
}

/// Reads entries `from..to` in order, at most `limit` of them, calling `visit` for each.
pub(crate) fn scan(
    tree: &sled::Tree,
    from: Seq,
    to: Seq,
    mut visit: impl FnMut(Seq, &[u8], ChainHash) -> Result<()>,
) -> Result<()> {
    if from >= to {
        return Ok(());
    }
    // The block holding `from` is the last block that starts at or before it.
    let start = tree
        .range(keys::block(Seq(0))..=keys::block(from))
        .next_back()
        .transpose()?
        .and_then(|(key, _)| keys::trailing_seq(&key))
        .unwrap_or(Seq(0));
    let mut expected = start;
    for item in tree.range(keys::block(start)..keys::block(to)) {
        let (key, block) = item?;
        let first = keys::trailing_seq(&key).unwrap_or(expected);
        if first != expected {
            return Err(StoreError::Corruption {
                seq: expected,
                reason: format!("the block holding this event is missing (next block starts at {first})"),
            });
        }
        for entry in entries(first, &block) {
            let (seq, record, chain_hash) = entry.map_err(|broken| StoreError::Corruption {
                seq: broken.seq,
                reason: "the stored entry is not framed correctly".into(),
            })?;
            expected = Seq(seq.0 + 1);
            if seq >= to {
                return Ok(());
            }
            if seq >= from {
                visit(seq, record, chain_hash)?;
            }
        }
    }
    if expected < to {
        return Err(StoreError::Corruption {
            seq: expected,
            reason: "the event is missing from the log".into(),
        });
    }
    Ok(())
}

/// Reads entries `from..to`, at most `limit` of them.
pub(crate) fn read_range(tree: &sled::Tree, from: Seq, to: Seq, limit: usize) -> Result<Vec<StoredEntry>> {
    let to = Seq(to.0.min(from.0.saturating_add(limit as u64)));
    let mut out = Vec::with_capacity(limit.min(4096));
    scan(tree, from, to, |seq, record, chain_hash| {
        out.push(StoredEntry { seq, record: record.to_vec(), chain_hash });
        Ok(())
    })?;
    Ok(out)
}

/// Reads and decodes one event, checking that it hashes to its stored chain hash.
pub(crate) fn read_record(tree: &sled::Tree, seq: Seq) -> Result<(Record, StoredEntry)> {
    let mut found = read_range(tree, seq, Seq(seq.0 + 1), 1)?;
    let entry =
        found.pop().ok_or_else(|| StoreError::Corruption { seq, reason: "the event is missing".into() })?;
    let record = Record::decode(&entry.record)
        .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?;
    let computed = ledger_core::chain_hash(&record.prev_chain_hash, &ledger_core::event_hash(&entry.record));
    if record.seq != seq || computed != entry.chain_hash {
        return Err(StoreError::Corruption {
            seq,
            reason: "the record does not hash to its chain hash".into(),
        });
    }
    Ok((record, entry))
}

/// The chain hash after `seq - 1`, as stored; genesis for 0.
pub(crate) fn chain_hash_before(tree: &sled::Tree, seq: Seq) -> Result<ChainHash> {
    if seq.0 == 0 {
        return Ok(ChainHash::GENESIS);
    }
    let before = Seq(seq.0 - 1);
    let entry = read_range(tree, before, seq, 1)?.pop();
    entry
        .map(|entry| entry.chain_hash)
        .ok_or_else(|| StoreError::Corruption { seq: before, reason: "the event is missing".into() })
}

/// The result of checking a range of the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub verified: u64,
    pub fault: Option<ChainFault>,
}

/// Checks every event in `from..to` link by link, and the last one against the head when the range
/// ends there.
pub(crate) fn verify(tree: &sled::Tree, from: Seq, to: Seq, head: &Head) -> Result<Verification> {
    let mut verifier = ChainVerifier::new(from, chain_hash_before(tree, from)?);
    let mut verified = 0;
    let outcome = scan(tree, from, to, |seq, record, chain_hash| {
        verifier
            .check(seq, record, &chain_hash)
            .map_err(|fault| StoreError::Corruption { seq: fault.seq, reason: fault.reason })?;
        verified += 1;
        Ok(())
    });
    let fault = match outcome {
        Ok(()) if to.0 == head.size && verifier.chain_hash() != head.chain_hash => Some(ChainFault {
            seq: Seq(head.size.saturating_sub(1)),
            reason: "the last event does not hash to the stored head".into(),
        }),
        Ok(()) => None,
        Err(StoreError::Corruption { seq, reason }) => Some(ChainFault { seq, reason }),
        Err(other) => return Err(other),
    };
    Ok(Verification { verified, fault })
}

/// The seqs of a worker's events at or after `from`, below `below`, at most `limit`: from the
/// statement her projection keeps, as `found` (applied, with the chunks not yet stored).
pub(crate) fn statement_seqs(
    tree: &sled::Tree,
    worker_id: &WorkerId,
    found: &crate::apply::Found,
    from: Seq,
    below: Seq,
    limit: usize,
) -> Result<Vec<Seq>> {
    let projection = &found.projection;
    let mut seqs = Vec::new();
    // The stored chunks first, from the one holding `from`, when it comes before the tail.
    if projection.chunked_events > 0 && projection.events.first().is_none_or(|first| from < *first) {
        let prefix = keys::statement_chunks(worker_id);
        let holding = tree.range(prefix.clone()..=keys::statement_chunk(worker_id, from)).keys().next_back();
        let start = match holding.transpose()? {
            Some(key) => key.to_vec(),
            None => prefix.clone(),
        };
        let mut stored = std::collections::BTreeSet::new();
        for item in tree.range(start..) {
            let (key, value) = item?;
            if !key.starts_with(&prefix) || seqs.len() >= limit {
                break;
            }
            let chunk = keys::decode_chunk(&value).ok_or_else(|| StoreError::Corruption {
                seq: keys::trailing_seq(&key).unwrap_or(Seq(0)),
                reason: format!("a chunk of the statement of {worker_id} is malformed"),
            })?;
            stored.insert(keys::trailing_seq(&key).unwrap_or(Seq(0)));
            seqs.extend(chunk.into_iter().filter(|seq| *seq >= from && *seq < below));
        }
        // Chunks the applier has not stored yet are her newest: they come after the stored ones.
        for (first, chunk) in &found.chunks {
            if !stored.contains(first) {
                seqs.extend(chunk.iter().copied().filter(|seq| *seq >= from && *seq < below));
            }
        }
    }
    let start = projection.events.partition_point(|seq| *seq < from);
    seqs.extend(projection.events[start..].iter().take_while(|seq| **seq < below));
    seqs.truncate(limit);
    Ok(seqs)
}

/// Times a reader reads a projection again because the writer changed it while it was being read.
const PROJECTION_READ_ATTEMPTS_MAX: usize = 64;

/// The stored projection of a worker; none when the worker is not enrolled. Its main part lists
/// the years of her coverage stored on their own (none, for most workers); when there are any, the
/// main part is read again after them, and the whole read again if the writer changed it
/// meanwhile (every commit that changes a stored year also rewrites the main part), so that no
/// read mixes two commits.
pub(crate) fn load_projection(tree: &sled::Tree, worker_id: &WorkerId) -> Result<Option<WorkerProjection>> {
    let unreadable =
        |error: String| StoreError::Refused(format!("the projection of {worker_id} is unreadable: {error}"));
    for _ in 0..PROJECTION_READ_ATTEMPTS_MAX {
        let Some(main) = tree.get(keys::projection(worker_id))? else {
            return Ok(None);
        };
        let (mut projection, listed) =
            codec::decode_main(&main).map_err(|error| unreadable(error.to_string()))?;
        if listed.is_empty() {
            return Ok(Some(projection));
        }
        let mut given = Vec::with_capacity(listed.len());
        for year in &listed {
            let Some(part) = tree.get(keys::coverage_year(worker_id, *year))? else { break };
            codec::add_year(&mut projection, *year, &part).map_err(|error| unreadable(error.to_string()))?;
            given.push(*year);
        }
        if tree.get(keys::projection(worker_id))?.as_ref() != Some(&main) {
            continue;
        }
        return codec::finish(projection, &listed, &given)
            .map(Some)
            .map_err(|error| unreadable(error.to_string()));
    }
    Err(StoreError::Unavailable(format!("the projection of {worker_id} kept changing while it was read")))
}

/// The stored years of a worker's coverage, ascending, with their bytes.
pub(crate) fn coverage_parts(tree: &sled::Tree, worker_id: &WorkerId) -> Result<Vec<(u16, sled::IVec)>> {
    let mut parts = Vec::new();
    for item in tree.scan_prefix(keys::coverage_years(worker_id)) {
        let (key, value) = item?;
        let year = keys::trailing_year(&key)
            .ok_or_else(|| StoreError::Refused(format!("a coverage key of {worker_id} names no year")))?;
        parts.push((year, value));
    }
    Ok(parts)
}

/// The seq of the last rules adoption at or before `seq`.
pub(crate) fn rules_adopted_at(tree: &sled::Tree, seq: Seq) -> Result<Option<Seq>> {
    let last = tree.range(keys::rules(Seq(0))..=keys::rules(seq)).keys().next_back().transpose()?;
    Ok(last.as_deref().and_then(keys::trailing_seq))
}

/// The rules document adopted by the event at `seq`.
pub(crate) fn adopted_rules(tree: &sled::Tree, seq: Seq) -> Result<Rules> {
    let (record, _) = read_record(tree, seq)?;
    let Event::RulesAdopted(adopted) = record.event else {
        return Err(StoreError::Corruption {
            seq,
            reason: "the rules index names an event that adopts no rules".into(),
        });
    };
    Rules::parse(&adopted.document).map_err(|error| StoreError::Corruption {
        seq,
        reason: format!("adopted rules do not load: {error}"),
    })
}

/// Merkle nodes of perfect subtrees at this level and above are stored (one key per 64 events);
/// lower ones are computed from the event hashes of the records, at most 32 of them.
pub const MERKLE_LEVEL_STORED_MIN: u32 = 6;

/// The store as a source of Merkle nodes, for proofs and for restoring the writer's frontier.
pub(crate) struct StoreNodes<'a> {
    pub tree: &'a sled::Tree,
}

impl ledger_core::merkle::Nodes for StoreNodes<'_> {
    type Error = StoreError;

    fn perfect(&mut self, level: u32, index: u64) -> Result<ledger_core::merkle::Hash> {
        if level >= MERKLE_LEVEL_STORED_MIN {
            let stored = self.tree.get(keys::merkle_node(level, index))?;
            return stored.as_deref().and_then(|bytes| <[u8; 32]>::try_from(bytes).ok()).ok_or_else(|| {
                StoreError::Corruption {
                    seq: Seq(index << level),
                    reason: format!("Merkle node {level}/{index} is missing"),
                }
            });
        }
        let start = Seq(index << level);
        let end = Seq(start.0 + (1 << level));
        let mut leaves = Vec::with_capacity(1 << level);
        scan(self.tree, start, end, |_, record, _| {
            leaves.push(*ledger_core::event_hash(record).as_bytes());
            Ok(())
        })?;
        Ok(ledger_core::merkle::root_of(&leaves))
    }
}

/// The digest of the worker's current credential, as stored; none before she has one.
pub(crate) fn worker_credential(tree: &sled::Tree, worker_id: &WorkerId) -> Result<Option<[u8; 32]>> {
    Ok(tree
        .get(keys::worker_credential(worker_id))?
        .and_then(|value| <[u8; 32]>::try_from(value.as_ref()).ok()))
}
