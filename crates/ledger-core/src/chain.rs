//! Checking a run of stored records link by link. Verification hashes the stored bytes and never
//! re-encodes them, so it checks exactly what was written.

use crate::{chain_hash, event_hash, ChainHash, EventHash, Record, Seq};

/// The first thing found wrong in a run of records.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("event {seq}: {reason}")]
pub struct ChainFault {
    pub seq: Seq,
    pub reason: String,
}

/// Walks records in order from a known position and chain hash, checking each one.
#[derive(Clone, Debug)]
pub struct ChainVerifier {
    next_seq: Seq,
    prev: ChainHash,
}

/// What a verified record hashes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    pub event_hash: EventHash,
    pub chain_hash: ChainHash,
}

impl ChainVerifier {
    /// Starts at `seq`, where `prev` is the chain hash after `seq - 1` (genesis for 0).
    pub fn new(seq: Seq, prev: ChainHash) -> ChainVerifier {
        ChainVerifier { next_seq: seq, prev }
    }

    pub fn next_seq(&self) -> Seq {
        self.next_seq
    }

    pub fn chain_hash(&self) -> ChainHash {
        self.prev
    }

    /// Checks the record stored at `seq`: it is the next one, it decodes, it names its own
    /// position, it links to the previous chain hash, and it hashes to the chain hash stored beside
    /// it. Returns the decoded record with its hashes.
    pub fn check(
        &mut self,
        seq: Seq,
        bytes: &[u8],
        stored_chain_hash: &ChainHash,
    ) -> Result<(Record, Verified), ChainFault> {
        let fault = |reason: String| ChainFault { seq, reason };
        if seq != self.next_seq {
            return Err(fault(format!("expected event {} here", self.next_seq)));
        }
        let record = Record::decode(bytes).map_err(|error| fault(error.to_string()))?;
        if record.seq != seq {
            return Err(fault(format!("record names position {}", record.seq)));
        }
        if record.prev_chain_hash != self.prev {
            return Err(fault("previous chain hash does not match the event before".into()));
        }
        let event_hash = event_hash(bytes);
        let chain_hash = chain_hash(&self.prev, &event_hash);
        if chain_hash != *stored_chain_hash {
            return Err(fault("stored bytes do not hash to the stored chain hash".into()));
        }
        self.prev = chain_hash;
        self.next_seq = Seq(seq.0 + 1);
        Ok((record, Verified { event_hash, chain_hash }))
    }
}
