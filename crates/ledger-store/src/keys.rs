//! The key layout of the one sled tree that holds the log, its indexes and the idempotency table.
//!
//! Everything lives in one tree under distinct one-byte prefixes, so that one `apply_batch` makes a
//! whole commit (events, head and indexes) atomic: sled 0.34 batches are atomic within one tree
//! only. All integers are big-endian, so key order is numeric order.
//!
//! | key | value |
//! | --- | --- |
//! | `M` | store format version (u8) |
//! | `V` | projection format version (u8); projections are rebuilt from the log when it differs |
//! | `H` | head: size (u64), chain hash (32), first seq of the last block (u64) |
//! | `W` | the applier's watermark: the log size (u64) through which `P`, `Y` and `E` are stored |
//! | `B` seq | block of consecutive entries starting at seq: (u32 len, record, chain hash (32))* |
//! | `P` worker id | the worker's projection (ledger-projections codec); present once enrolled |
//! | `Y` worker id, year (u16) | the month cells of the worker's coverage in that year (ledger-projections codec) |
//! | `E` worker id, first seq | a full chunk of the worker's statement: 256 seqs (u64 each), ascending |
//! | `A` seq | empty: the event at seq adopted a rules document |
//! | `N` level (u8), index (u64) | Merkle node hash (32): perfect subtrees of level 6 and above |
//! | `T` token digest | the worker id holding that credential (not part of the log) |
//! | `U` worker id | the digest of the worker's current credential (not part of the log) |
//! | `G` worker id | her portal access: activation code digest and expiry, PIN verifier (`access.rs`; not part of the log) |
//! | `I` principal len (u8), principal, request id | content digest of the request (32), first seq (u64), count (u32) |
//! | `R` seq | seq of the event that reversed the contribution at seq (u64) |
//! | `D` worker id len (u8), worker id, jurisdiction, branch (u8), month (u16 year, u8), employer ref | seq of the last contribution recorded for them (u64); it is live unless `R` says it was reversed |
//! | `K` seq | seq of the last ContributionCorrected of the contribution at seq (u64) |
//! | `C` `A` jurisdiction, seq | the worker id of the claim filed at seq, addressed to the jurisdiction |
//! | `C` `O` jurisdiction, seq | the same, by the worker's origin jurisdiction |
//! | `C` `F` principal len (u8), principal, seq | the same, by whoever filed it or appealed its answer (a workers' organisation follows the claims it filed or appealed) |
//! | `C` `B` body len (u8), body, seq | the same, for a claim whose answer was appealed to that appeal body (written with the appeal) |
//! | `L` | what this replica's raft state machine applied last, in ledger-cluster's encoding (not part of the log) |

use ledger_core::{ContributionRecorded, Event, Jurisdiction, PrincipalId, RequestId, Seq, WorkerId};

pub const META: &[u8] = b"M";
pub const PROJECTION_VERSION: &[u8] = b"V";
pub const HEAD: &[u8] = b"H";
/// The applier's watermark: the log size (u64) through which derived state is stored.
pub const APPLIED: &[u8] = b"W";
/// What the replica's raft state machine applied last, written in the batch of what it applied.
pub const RAFT_APPLIED: &[u8] = b"L";
pub const BLOCK_PREFIX: u8 = b'B';
pub const PROJECTION_PREFIX: u8 = b'P';
pub const RULES_PREFIX: u8 = b'A';
pub const CREDENTIAL_PREFIX: u8 = b'T';
pub const MERKLE_PREFIX: u8 = b'N';
pub const WORKER_CREDENTIAL_PREFIX: u8 = b'U';
pub const ACCESS_PREFIX: u8 = b'G';
pub const STATEMENT_CHUNK_PREFIX: u8 = b'E';
pub const COVERAGE_PREFIX: u8 = b'Y';
/// No longer written: a key per statement entry, before statements were chunked. A rebuild
/// removes these.
pub const STATEMENT_PREFIX: u8 = b'S';
pub const IDEMPOTENCY_PREFIX: u8 = b'I';
pub const REVERSAL_PREFIX: u8 = b'R';
pub const RECORDED_PREFIX: u8 = b'D';
pub const CORRECTION_PREFIX: u8 = b'K';
pub const CLAIM_PREFIX: u8 = b'C';

/// The store layout this code writes; opening a store of another version is refused.
/// Version 5 adds the indexes of recorded contributions (`D`) and of corrections (`K`); a store of
/// version 4 is upgraded at open by deriving them from its log.
pub const STORE_FORMAT_VERSION: u8 = 5;
/// Version 4 adds nothing inside sled: it says that the data directory keeps a promise file
/// (`promise.rs`), so that a missing one is noticed.
pub const STORE_FORMAT_VERSION_BEFORE_RECORDED: u8 = 4;
/// The layout before the promise file, upgraded at open by writing the promise from the head.
pub const STORE_FORMAT_VERSION_BEFORE_PROMISE: u8 = 3;

pub fn block(first: Seq) -> [u8; 9] {
    prefixed_seq(BLOCK_PREFIX, first)
}

pub fn reversal(seq: Seq) -> [u8; 9] {
    prefixed_seq(REVERSAL_PREFIX, seq)
}

pub fn correction(seq: Seq) -> [u8; 9] {
    prefixed_seq(CORRECTION_PREFIX, seq)
}

/// The key of the contribution of one employer for one worker, jurisdiction, branch and month: a
/// second one is a duplicate.
pub fn recorded(contribution: &ContributionRecorded) -> Vec<u8> {
    let worker = contribution.worker_id.as_str().as_bytes();
    let employer = contribution.employer_ref.as_str().as_bytes();
    let mut key = Vec::with_capacity(10 + worker.len() + employer.len());
    key.push(RECORDED_PREFIX);
    // Worker ids are short (ledger-core bounds them), so the length fits and keeps the key
    // unambiguous.
    key.push(worker.len() as u8);
    key.extend_from_slice(worker);
    key.extend_from_slice(&contribution.jurisdiction.as_bytes());
    key.push(contribution.branch.code());
    key.extend_from_slice(&contribution.month.year().to_be_bytes());
    key.push(contribution.month.month());
    key.extend_from_slice(employer);
    key
}

pub fn rules(seq: Seq) -> [u8; 9] {
    prefixed_seq(RULES_PREFIX, seq)
}

fn prefixed_seq(prefix: u8, seq: Seq) -> [u8; 9] {
    let mut key = [prefix; 9];
    key[1..].copy_from_slice(&seq.0.to_be_bytes());
    key
}

pub fn projection(worker_id: &WorkerId) -> Vec<u8> {
    let mut key = Vec::with_capacity(1 + worker_id.as_str().len());
    key.push(PROJECTION_PREFIX);
    key.extend_from_slice(worker_id.as_str().as_bytes());
    key
}

/// The key of the month cells of `worker_id`'s coverage in `year`.
pub fn coverage_year(worker_id: &WorkerId, year: u16) -> Vec<u8> {
    let mut key = coverage_years(worker_id);
    key.extend_from_slice(&year.to_be_bytes());
    key
}

/// The prefix of every year of `worker_id`'s coverage.
pub fn coverage_years(worker_id: &WorkerId) -> Vec<u8> {
    let mut key = Vec::with_capacity(3 + worker_id.as_str().len());
    key.push(COVERAGE_PREFIX);
    key.extend_from_slice(worker_id.as_str().as_bytes());
    key
}

/// The year at the end of a coverage key.
pub fn trailing_year(key: &[u8]) -> Option<u16> {
    let tail = key.len().checked_sub(2).map(|start| &key[start..])?;
    Some(u16::from_be_bytes(tail.try_into().ok()?))
}

/// The key of the chunk of `worker_id`'s statement that starts at `first`.
pub fn statement_chunk(worker_id: &WorkerId, first: Seq) -> Vec<u8> {
    let mut key = statement_chunks(worker_id);
    key.extend_from_slice(&first.0.to_be_bytes());
    key
}

/// The prefix of every chunk of `worker_id`'s statement.
pub fn statement_chunks(worker_id: &WorkerId) -> Vec<u8> {
    let mut key = Vec::with_capacity(9 + worker_id.as_str().len());
    key.push(STATEMENT_CHUNK_PREFIX);
    key.extend_from_slice(worker_id.as_str().as_bytes());
    key
}

/// A chunk's seqs as stored: each a big-endian u64.
pub fn encode_chunk(seqs: &[Seq]) -> Vec<u8> {
    seqs.iter().flat_map(|seq| seq.0.to_be_bytes()).collect()
}

/// The seqs of a stored chunk; none when its length is not a whole number of seqs.
pub fn decode_chunk(bytes: &[u8]) -> Option<Vec<Seq>> {
    if !bytes.len().is_multiple_of(8) {
        return None;
    }
    Some(
        bytes
            .chunks_exact(8)
            .map(|seq| Seq(u64::from_be_bytes(seq.try_into().unwrap_or_default())))
            .collect(),
    )
}

pub fn idempotency(principal: &PrincipalId, request_id: &RequestId) -> Vec<u8> {
    let principal = principal.as_str().as_bytes();
    let mut key = Vec::with_capacity(2 + principal.len() + request_id.as_str().len());
    key.push(IDEMPOTENCY_PREFIX);
    // Principal ids are at most 64 bytes, so the length fits and keeps the key unambiguous.
    key.push(principal.len() as u8);
    key.extend_from_slice(principal);
    key.extend_from_slice(request_id.as_str().as_bytes());
    key
}

/// Reads the seq at the end of a block or statement key.
pub fn trailing_seq(key: &[u8]) -> Option<Seq> {
    let tail = key.len().checked_sub(8).map(|start| &key[start..])?;
    Some(Seq(u64::from_be_bytes(tail.try_into().ok()?)))
}

pub fn credential(digest: &[u8; 32]) -> [u8; 33] {
    let mut key = [CREDENTIAL_PREFIX; 33];
    key[1..].copy_from_slice(digest);
    key
}

pub fn worker_credential(worker_id: &WorkerId) -> Vec<u8> {
    let mut key = projection(worker_id);
    key[0] = WORKER_CREDENTIAL_PREFIX;
    key
}

/// What issuing the credential `digest` to `worker_id` writes, in this order: the removal of the
/// credential it replaces (`replaced`, her current one), then the new one both ways. The writer's
/// commits and a snapshot's install share it.
pub fn credential_writes(
    worker_id: &WorkerId,
    digest: &[u8; 32],
    replaced: Option<[u8; 32]>,
) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let mut writes = Vec::with_capacity(3);
    if let Some(old) = replaced.filter(|old| old != digest) {
        writes.push((credential(&old).to_vec(), None));
    }
    writes.push((credential(digest).to_vec(), Some(worker_id.as_str().as_bytes().to_vec())));
    writes.push((worker_credential(worker_id), Some(digest.to_vec())));
    writes
}

pub fn access(worker_id: &WorkerId) -> Vec<u8> {
    let mut key = projection(worker_id);
    key[0] = ACCESS_PREFIX;
    key
}

pub fn merkle_node(level: u32, index: u64) -> [u8; 10] {
    let mut key = [MERKLE_PREFIX; 10];
    key[1] = level as u8;
    key[2..].copy_from_slice(&index.to_be_bytes());
    key
}

/// Which jurisdiction a claim index key is by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClaimsBy {
    /// The jurisdiction the claim is addressed to.
    Addressed,
    /// The worker's origin jurisdiction.
    Origin,
}

impl ClaimsBy {
    fn byte(self) -> u8 {
        match self {
            ClaimsBy::Addressed => b'A',
            ClaimsBy::Origin => b'O',
        }
    }
}

/// The prefix of every claim index key of `jurisdiction` by `by`; of every jurisdiction when none.
pub fn claims_prefix(by: ClaimsBy, jurisdiction: Option<Jurisdiction>) -> Vec<u8> {
    let mut key = vec![CLAIM_PREFIX, by.byte()];
    if let Some(jurisdiction) = jurisdiction {
        key.extend_from_slice(&jurisdiction.as_bytes());
    }
    key
}

/// The prefix of the index keys of the claims `filer` filed.
pub fn filed_claims_prefix(filer: &PrincipalId) -> Vec<u8> {
    let mut key = vec![CLAIM_PREFIX, b'F', filer.as_str().len() as u8];
    key.extend_from_slice(filer.as_str().as_bytes());
    key
}

/// The prefix of the index keys of the claims whose answers were appealed to `body`.
pub fn appealed_claims_prefix(body: &PrincipalId) -> Vec<u8> {
    let mut key = vec![CLAIM_PREFIX, b'B', body.as_str().len() as u8];
    key.extend_from_slice(body.as_str().as_bytes());
    key
}

/// The index keys of a claim filed at `seq`: by addressed jurisdiction, and by origin when known.
pub fn claim_keys(
    addressed: Jurisdiction,
    origin: Option<Jurisdiction>,
    seq: Seq,
) -> impl Iterator<Item = Vec<u8>> {
    let key = |by, jurisdiction| {
        let mut key = claims_prefix(by, Some(jurisdiction));
        key.extend_from_slice(&seq.0.to_be_bytes());
        key
    };
    std::iter::once(key(ClaimsBy::Addressed, addressed))
        .chain(origin.map(|origin| key(ClaimsBy::Origin, origin)))
}

/// A store key and its value.
pub type Entry = (Vec<u8>, Vec<u8>);

/// The entries of the indexes the commit path keeps for the event at `seq`: the contribution it
/// records (`D`), the reversal (`R`) or correction (`K`) it is, and the rules adoption (`A`). A
/// later entry of the same key replaces an earlier one. The one derivation the writer, the check
/// of the log, a snapshot's install and the upgrade of an older store share.
pub fn event_index_entries(seq: Seq, event: &Event) -> Option<Entry> {
    let seq_value = || seq.0.to_be_bytes().to_vec();
    match event {
        Event::ContributionRecorded(contribution) => Some((recorded(contribution), seq_value())),
        Event::ContributionReversed(reversed) => {
            Some((reversal(reversed.reversed_seq).to_vec(), seq_value()))
        }
        Event::ContributionCorrected(corrected) => {
            Some((correction(corrected.corrected_seq).to_vec(), seq_value()))
        }
        Event::RulesAdopted(_) => Some((rules(seq).to_vec(), Vec::new())),
        _ => None,
    }
}

/// The claim index entries (`C`) of the event at `seq` when it files a claim (given the worker's
/// origin and who filed it) or appeals one: the one derivation the writer, the rebuild and a
/// snapshot's install share.
pub fn claim_index_entries(
    seq: Seq,
    event: &Event,
    origin: Option<Jurisdiction>,
    filer: &PrincipalId,
) -> Vec<Entry> {
    if let Event::ClaimAppealed(appealed) = event {
        // By the body it is made to, and by whoever made it, who follows the claim from then on
        // (a workers' organisation that appeals a claim she filed herself).
        let worker = appealed.worker_id.as_str().as_bytes();
        return [appealed_claims_prefix(&appealed.appeal_body), filed_claims_prefix(filer)]
            .into_iter()
            .map(|mut key| {
                key.extend_from_slice(&appealed.claim.0.to_be_bytes());
                (key, worker.to_vec())
            })
            .collect();
    }
    let Event::ClaimFiled(filed) = event else { return Vec::new() };
    let mut by_filer = filed_claims_prefix(filer);
    by_filer.extend_from_slice(&seq.0.to_be_bytes());
    claim_keys(filed.addressed_to, origin, seq)
        .chain([by_filer])
        .map(|key| (key, filed.worker_id.as_str().as_bytes().to_vec()))
        .collect()
}
