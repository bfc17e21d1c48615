//! What the ledger has promised, kept outside sled: the durable head it acknowledged (size, chain
//! hash and Merkle root) and the largest tree its log key has signed a checkpoint for.
//!
//! sled 0.34 treats a damaged page as the torn end of an interrupted write and drops everything
//! after it, silently. The promise is how the ledger notices: it lives in a small file of its own
//! ([`PROMISE_FILE`], beside sled's directory), rewritten and synced by the writer after every
//! group commit and before any command of the commit is answered, so it never names less than
//! what was acknowledged. At open a log that is shorter than the promised head, or does not hold
//! the promised chain hash at that size, is refused (see [`judge`]).
//!
//! The file holds two slots of [`SLOT_BYTES`]; writes alternate between them, each slot carrying a
//! counter and a SHA-256 of its contents, so that a write torn by a crash leaves the other slot
//! whole. The newest slot that checks out is the promise.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;

use ledger_core::ChainHash;

use crate::error::{Result, StoreError};
use crate::read::Head;

/// The promise file inside a data directory.
pub const PROMISE_FILE: &str = "promised";
/// Bytes of one slot of the promise file; the file holds two.
pub const SLOT_BYTES: usize = 256;
const MAGIC: &[u8; 8] = b"LGPROM01";
/// Bytes of a slot covered by its digest.
const BODY_BYTES: usize = 8 + 8 + 8 + 32 + 32 + 8 + 32 + 32;

/// A tree of the log: its size and Merkle root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: [u8; 32],
}

impl TreeHead {
    pub fn empty() -> TreeHead {
        TreeHead { size: 0, root: ledger_core::merkle::empty_root() }
    }
}

/// The largest tree a log key has signed, or may have signed, a checkpoint for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Signed {
    pub tree: TreeHead,
    /// The Ed25519 public key that signed it: another key owes nothing to this tree.
    pub key: [u8; 32],
}

/// What the ledger has promised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Promise {
    /// The durable head acknowledged last.
    pub head: Head,
    /// The Merkle root of the log at `head.size`.
    pub root: [u8; 32],
    /// The largest tree signed, when a checkpoint was signed.
    pub signed: Option<Signed>,
}

impl Promise {
    fn encode(&self, counter: u64) -> [u8; SLOT_BYTES] {
        let mut slot = [0u8; SLOT_BYTES];
        let signed =
            self.signed.unwrap_or(Signed { tree: TreeHead { size: 0, root: [0; 32] }, key: [0; 32] });
        let mut at = 0;
        for part in [
            &MAGIC[..],
            &counter.to_be_bytes(),
            &self.head.size.to_be_bytes(),
            self.head.chain_hash.as_bytes(),
            &self.root,
            &signed.tree.size.to_be_bytes(),
            &signed.tree.root,
            &signed.key,
        ] {
            slot[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        let digest = ledger_core::sha256(&slot[..BODY_BYTES]);
        slot[BODY_BYTES..BODY_BYTES + 32].copy_from_slice(&digest);
        slot
    }

    /// The promise in a slot and its counter; none for a slot that is empty, torn or foreign.
    fn decode(slot: &[u8]) -> Option<(u64, Promise)> {
        let body = slot.get(..BODY_BYTES)?;
        if &body[..8] != MAGIC || slot.get(BODY_BYTES..BODY_BYTES + 32)? != ledger_core::sha256(body) {
            return None;
        }
        let u64_at = |at: usize| body.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_be_bytes);
        let hash_at = |at: usize| body.get(at..at + 32).and_then(|b| <[u8; 32]>::try_from(b).ok());
        let counter = u64_at(8)?;
        let head = Head { size: u64_at(16)?, chain_hash: ChainHash::from_slice(&body[24..56])? };
        let root = hash_at(56)?;
        let signed_size = u64_at(88)?;
        let signed = (hash_at(128)? != [0; 32]).then(|| -> Option<Signed> {
            Some(Signed { tree: TreeHead { size: signed_size, root: hash_at(96)? }, key: hash_at(128)? })
        });
        Some((counter, Promise { head, root, signed: signed.flatten() }))
    }
}

/// The promise file, open for the writer.
#[derive(Debug)]
pub struct PromiseFile {
    file: File,
    counter: u64,
}

impl PromiseFile {
    /// Opens (or creates, owner-only) the data directory's promise file and reads the promise it
    /// holds; none for a new file.
    pub fn open(data_dir: &Path) -> Result<(PromiseFile, Option<Promise>)> {
        let path = data_dir.join(PROMISE_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true);
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path)?;
        let mut bytes = [0u8; 2 * SLOT_BYTES];
        let read = read_up_to(&file, &mut bytes)?;
        if read > 0 && read < bytes.len() {
            tracing::warn!(path = %path.display(), read, "the promise file is shorter than two slots");
        }
        let newest = bytes.chunks(SLOT_BYTES).filter_map(Promise::decode).max_by_key(|(counter, _)| *counter);
        let counter = newest.map_or(0, |(counter, _)| counter);
        if read > 0 && newest.is_none() {
            return Err(StoreError::Refused(format!(
                "the promise file {} holds no readable promise: it was damaged or replaced; restore \
                 the data directory from a backup",
                path.display()
            )));
        }
        Ok((PromiseFile { file, counter }, newest.map(|(_, promise)| promise)))
    }

    /// Writes the promise into the older slot and syncs it: once this returns, it survives a crash.
    pub fn write(&mut self, promise: &Promise) -> std::io::Result<()> {
        let counter = self.counter + 1;
        let slot = promise.encode(counter);
        let offset = (counter % 2) * SLOT_BYTES as u64;
        self.file.write_all_at(&slot, offset)?;
        self.file.sync_data()?;
        self.counter = counter;
        Ok(())
    }
}

fn read_up_to(file: &File, buffer: &mut [u8]) -> std::io::Result<usize> {
    let mut read = 0;
    while read < buffer.len() {
        match file.read_at(&mut buffer[read..], read as u64)? {
            0 => break,
            count => read += count,
        }
    }
    Ok(read)
}

/// Why a log does not keep the promise: the sizes and hashes, and what an operator does about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub promised: Head,
    pub found: Head,
    /// The chain hash the log holds at the promised size, when it is that long.
    pub found_at_promised: Option<ChainHash>,
}

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Broken { promised, found, .. } = self;
        match self.found_at_promised {
            None => write!(
                f,
                "the log holds {} events but the ledger acknowledged {} (chain hash {}): {} \
                 acknowledged events are missing, most likely dropped by sled's recovery from a \
                 damaged data file",
                found.size,
                promised.size,
                promised.chain_hash,
                promised.size - found.size
            ),
            Some(hash) => write!(
                f,
                "the log holds {} events, but its chain hash after event {} is {hash}, not the {} the \
                 ledger acknowledged: acknowledged events were changed",
                found.size,
                promised.size.saturating_sub(1),
                promised.chain_hash
            ),
        }
    }
}

/// What an operator does about a broken promise.
pub const BROKEN_PROMISE_ADVICE: &str = "restore the data directory from a backup (`ledger restore`); \
     to serve this log anyway, knowing that acknowledged events are lost, start once with \
     --accept-rollback";

/// What an operator does about a log found damaged at open.
pub const DAMAGE_ADVICE: &str = "restore the data directory from a backup (`ledger restore`); \
     `ledger check` lists every problem";

/// The largest tree the log's key may have signed, once an operator accepted a log that does not
/// keep `promised`: a checkpoint may have been signed for any tree up to the promised head, by the
/// key recorded with the last signature or, when none was recorded yet, by `key`.
pub fn floor_after_rollback(promised: &Promise, key: Option<[u8; 32]>) -> Option<Signed> {
    let head = TreeHead { size: promised.head.size, root: promised.root };
    match promised.signed {
        Some(signed) if signed.tree.size >= head.size => Some(signed),
        Some(signed) => Some(Signed { tree: head, key: signed.key }),
        None => key.map(|key| Signed { tree: head, key }),
    }
}

/// Whether a log whose head is `found`, and whose stored chain hash after `promised.size - 1` is
/// `at_promised`, keeps the promise of `promised`.
pub fn judge(promised: Head, found: Head, at_promised: Option<ChainHash>) -> std::result::Result<(), Broken> {
    if promised.size == 0 {
        return Ok(());
    }
    match at_promised {
        Some(hash) if found.size >= promised.size && hash == promised.chain_hash => Ok(()),
        _ if found.size < promised.size => Err(Broken { promised, found, found_at_promised: None }),
        other => Err(Broken { promised, found, found_at_promised: other }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(size: u64, byte: u8) -> Head {
        Head { size, chain_hash: ChainHash::from_slice(&[byte; 32]).unwrap_or(ChainHash::GENESIS) }
    }

    #[test]
    fn judges_the_log_against_the_promise() {
        // (promised, found head, hash at the promised size, keeps the promise)
        let cases = [
            (head(0, 0), head(0, 0), None, true),
            (head(0, 0), head(5, 1), Some(head(0, 0).chain_hash), true),
            (head(5, 1), head(5, 1), Some(head(5, 1).chain_hash), true),
            (head(5, 1), head(9, 2), Some(head(5, 1).chain_hash), true),
            (head(5, 1), head(4, 1), None, false),
            (head(5, 1), head(9, 2), Some(head(5, 3).chain_hash), false),
            (head(5, 1), head(5, 3), Some(head(5, 3).chain_hash), false),
        ];
        for (promised, found, at, keeps) in cases {
            assert_eq!(judge(promised, found, at).is_ok(), keeps, "{promised:?} {found:?} {at:?}");
        }
    }

    #[test]
    fn the_newest_whole_slot_is_the_promise() -> Result<()> {
        let dir = tempfile::tempdir()?;
        let (mut file, none) = PromiseFile::open(dir.path())?;
        assert_eq!(none, None);
        let first = Promise { head: head(3, 1), root: [7; 32], signed: None };
        let second = Promise {
            head: head(9, 2),
            root: [8; 32],
            signed: Some(Signed { tree: TreeHead { size: 3, root: [7; 32] }, key: [5; 32] }),
        };
        file.write(&first)?;
        file.write(&second)?;
        assert_eq!(PromiseFile::open(dir.path())?.1, Some(second));
        // A torn write of the newest slot leaves the one before.
        let raw = OpenOptions::new().write(true).open(dir.path().join(PROMISE_FILE))?;
        raw.write_all_at(&[0xff; 16], 0)?;
        assert_eq!(PromiseFile::open(dir.path())?.1, Some(first));
        // Both slots damaged: refused, never taken for a new data directory.
        raw.write_all_at(&[0xff; 16], SLOT_BYTES as u64)?;
        assert!(matches!(PromiseFile::open(dir.path()), Err(StoreError::Refused(_))));
        Ok(())
    }
}
