//! The Merkle tree over the log, with RFC 6962 / RFC 9162 hashing: a leaf is the event hash,
//! `SHA-256(0x00 || record)`, and an interior node is `SHA-256(0x01 || left || right)`.
//!
//! Proofs are built from any source of *perfect* subtree hashes (a node at `level` and `index`
//! covers leaves `index·2^level .. (index+1)·2^level`), so a store can keep some levels and compute
//! the others; verification needs nothing but the proof, the sizes and the roots, and checks every
//! step of the path (verifiers that check only the two ends accept forged proofs).

use sha2::{Digest, Sha256};

/// Prefix of an RFC 6962 interior node hash.
pub const NODE_HASH_PREFIX: u8 = 0x01;
/// Largest proof any tree of up to 2^64 leaves needs.
pub const PROOF_HASHES_MAX: usize = 64;

pub type Hash = [u8; 32];

/// `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([NODE_HASH_PREFIX]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

/// The root of an empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Why a proof does not hold.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is not in a tree of {size} leaves")]
    OutOfRange { index: u64, size: u64 },
    #[error("the proof has {0} hashes, more than any tree needs")]
    TooLong(usize),
    #[error("the proof has the wrong number of hashes for these sizes")]
    WrongLength,
    #[error("the proof does not lead to the expected root")]
    RootMismatch,
    #[error("a consistency proof goes from a smaller tree to a larger one, not from {old} to {new}")]
    Sizes { old: u64, new: u64 },
}

/// A source of perfect subtree hashes.
pub trait Nodes {
    type Error;
    /// The hash of the perfect subtree at `level` and `index`; level 0 is a leaf.
    fn perfect(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error>;
}

/// Leaf hashes held in memory are a source of every node (computed on demand).
impl Nodes for &[Hash] {
    type Error = std::convert::Infallible;

    fn perfect(&mut self, level: u32, index: u64) -> Result<Hash, Self::Error> {
        let width = 1usize << level;
        let start = index as usize * width;
        Ok(root_of(&self[start..start + width]))
    }
}

/// The root of leaf hashes held in memory (RFC 6962 MTH).
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n as u64) as usize;
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// The largest power of two smaller than `n` (for `n >= 2`).
fn split(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// The hash of leaves `start..end`: perfect subtrees straight from the source, others combined
/// as RFC 6962 splits them.
pub fn range_hash<N: Nodes>(nodes: &mut N, start: u64, end: u64) -> Result<Hash, N::Error> {
    let len = end - start;
    if len.is_power_of_two() && start.is_multiple_of(len) {
        let level = len.trailing_zeros();
        return nodes.perfect(level, start >> level);
    }
    let k = split(len);
    let left = range_hash(nodes, start, start + k)?;
    let right = range_hash(nodes, start + k, end)?;
    Ok(node_hash(&left, &right))
}

/// The root of a tree of `size` leaves.
pub fn root<N: Nodes>(nodes: &mut N, size: u64) -> Result<Hash, N::Error> {
    if size == 0 {
        return Ok(empty_root());
    }
    range_hash(nodes, 0, size)
}

/// The audit path of leaf `index` in the tree of `size` leaves (RFC 6962 PATH), leaf side first.
pub fn inclusion_proof<N: Nodes>(
    nodes: &mut N,
    index: u64,
    size: u64,
) -> Result<Result<Vec<Hash>, ProofError>, N::Error> {
    if index >= size {
        return Ok(Err(ProofError::OutOfRange { index, size }));
    }
    let mut proof = Vec::new();
    path(nodes, index, 0, size, &mut proof)?;
    Ok(Ok(proof))
}

fn path<N: Nodes>(
    nodes: &mut N,
    index: u64,
    start: u64,
    end: u64,
    proof: &mut Vec<Hash>,
) -> Result<(), N::Error> {
    let len = end - start;
    if len <= 1 {
        return Ok(());
    }
    let k = split(len);
    if index < start + k {
        path(nodes, index, start, start + k, proof)?;
        proof.push(range_hash(nodes, start + k, end)?);
    } else {
        path(nodes, index, start + k, end, proof)?;
        proof.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// The consistency proof from the tree of `old` leaves to the tree of `new` (RFC 6962 PROOF).
pub fn consistency_proof<N: Nodes>(
    nodes: &mut N,
    old: u64,
    new: u64,
) -> Result<Result<Vec<Hash>, ProofError>, N::Error> {
    if old == 0 || old > new {
        return Ok(Err(ProofError::Sizes { old, new }));
    }
    let mut proof = Vec::new();
    if old < new {
        subproof(nodes, old, 0, new, true, &mut proof)?;
    }
    Ok(Ok(proof))
}

fn subproof<N: Nodes>(
    nodes: &mut N,
    old: u64,
    start: u64,
    end: u64,
    whole: bool,
    proof: &mut Vec<Hash>,
) -> Result<(), N::Error> {
    let len = end - start;
    if old == len {
        if !whole {
            proof.push(range_hash(nodes, start, end)?);
        }
        return Ok(());
    }
    let k = split(len);
    if old <= k {
        subproof(nodes, old, start, start + k, whole, proof)?;
        proof.push(range_hash(nodes, start + k, end)?);
    } else {
        subproof(nodes, old - k, start + k, end, false, proof)?;
        proof.push(range_hash(nodes, start, start + k)?);
    }
    Ok(())
}

/// Checks that `leaf` is leaf `index` of the tree of `size` leaves whose root is `root`
/// (RFC 9162 section 2.1.3.2): every step of the path is recomputed.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange { index, size });
    }
    if proof.len() > PROOF_HASHES_MAX {
        return Err(ProofError::TooLong(proof.len()));
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut hash = *leaf;
    for sibling in proof {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            hash = node_hash(sibling, &hash);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            hash = node_hash(&hash, sibling);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if hash != *root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// Checks that the tree of `old` leaves with root `old_root` is a prefix of the tree of `new`
/// leaves with root `new_root` (RFC 9162 section 2.1.4.2), recomputing both roots from the proof.
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if old == 0 || old > new {
        return Err(ProofError::Sizes { old, new });
    }
    if proof.len() > PROOF_HASHES_MAX {
        return Err(ProofError::TooLong(proof.len()));
    }
    if old == new {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if old_root == new_root { Ok(()) } else { Err(ProofError::RootMismatch) };
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else { return Err(ProofError::WrongLength) };
    let (mut fn_, mut sn) = (old - 1, new - 1);
    while fn_ & 1 == 1 {
        fn_ >>= 1;
        sn >>= 1;
    }
    let (mut old_hash, mut new_hash) = (*first, *first);
    for hash in rest {
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            old_hash = node_hash(hash, &old_hash);
            new_hash = node_hash(hash, &new_hash);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            new_hash = node_hash(&new_hash, hash);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    if old_hash != *old_root || new_hash != *new_root {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// The right edge of a growing tree: the roots of its perfect subtrees, largest first. Appending a
/// leaf returns every perfect node it completes, so a writer can store the levels it keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (level, hash), levels strictly decreasing.
    peaks: Vec<(u32, Hash)>,
}

impl Frontier {
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf, telling `completed` of every perfect node it completes as (level, index,
    /// hash), the leaf first. A callback rather than a list: this runs once per event on the
    /// writer's path and in offline verification, and must not allocate.
    pub fn push(&mut self, leaf: Hash, mut completed: impl FnMut(u32, u64, Hash)) {
        completed(0, self.size, leaf);
        let mut carry = (0u32, leaf);
        while let Some(&(level, left)) = self.peaks.last() {
            if level != carry.0 {
                break;
            }
            self.peaks.pop();
            let parent = node_hash(&left, &carry.1);
            carry = (level + 1, parent);
            completed(carry.0, self.size >> carry.0, parent);
        }
        self.peaks.push(carry);
        self.size += 1;
    }

    /// Appends a whole perfect subtree of `2^level` leaves with root `hash`, as if its leaves were
    /// pushed one by one. Refused (false, nothing changed) unless the tree's size is a multiple of
    /// `2^level`, where such a subtree starts.
    pub fn push_subtree(&mut self, level: u32, hash: Hash) -> bool {
        let width = match 1u64.checked_shl(level) {
            Some(width) if self.size.is_multiple_of(width) => width,
            _ => return false,
        };
        let mut carry = (level, hash);
        while let Some(&(peak, left)) = self.peaks.last() {
            if peak != carry.0 {
                break;
            }
            self.peaks.pop();
            carry = (peak + 1, node_hash(&left, &carry.1));
        }
        self.peaks.push(carry);
        self.size += width;
        true
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut peaks = self.peaks.iter().rev();
        let Some(&(_, mut hash)) = peaks.next() else { return empty_root() };
        for (_, left) in peaks {
            hash = node_hash(left, &hash);
        }
        hash
    }

    /// Rebuilds the frontier of a tree of `size` leaves from a source of perfect nodes.
    pub fn restore<N: Nodes>(nodes: &mut N, size: u64) -> Result<Frontier, N::Error> {
        let mut peaks = Vec::new();
        let mut start = 0;
        for level in (0..64).rev() {
            let width = 1u64 << level;
            if size & width != 0 {
                peaks.push((level, nodes.perfect(level, start >> level)?));
                start += width;
            }
        }
        Ok(Frontier { size, peaks })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushing_a_subtree_equals_pushing_its_leaves() {
        let all = leaves(100);
        for level in 0..5u32 {
            let width = 1usize << level;
            let mut by_leaf = Frontier::default();
            let mut by_subtree = Frontier::default();
            let mut at = 0;
            while at + width <= all.len() {
                for leaf in &all[at..at + width] {
                    by_leaf.push(*leaf, |_, _, _| {});
                }
                assert!(by_subtree.push_subtree(level, root_of(&all[at..at + width])));
                assert_eq!(by_subtree, by_leaf, "level {level}, at {at}");
                at += width;
            }
        }
        let mut odd = Frontier::default();
        odd.push(all[0], |_, _, _| {});
        assert!(!odd.push_subtree(1, all[1]), "a subtree of two cannot start at leaf 1");
        assert_eq!(odd.size(), 1);
    }

    fn leaves(count: usize) -> Vec<Hash> {
        (0..count).map(|index| *crate::event_hash(&(index as u64).to_be_bytes()).as_bytes()).collect()
    }

    fn hex(hash: &Hash) -> String {
        hash.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// The roots of the certificate-transparency reference tree (leaves "", 00, 10, 2021, 3031,
    /// 40414243, 5051525354555657, 606162636465666768696a6b6c6d6e6f), as computed independently
    /// with Python's hashlib from the RFC 6962 definition.
    #[test]
    fn roots_match_the_reference_tree() {
        let inputs: [&[u8]; 8] = [
            b"",
            &[0x00],
            &[0x10],
            &[0x20, 0x21],
            &[0x30, 0x31],
            &[0x40, 0x41, 0x42, 0x43],
            &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
            &[0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
        ];
        let leaves: Vec<Hash> = inputs.iter().map(|input| *crate::event_hash(input).as_bytes()).collect();
        let expected = include_str!("../../../test-data/merkle-reference-roots.txt");
        let roots: Vec<String> = (1..=8).map(|size| hex(&root_of(&leaves[..size]))).collect();
        let expected: Vec<String> =
            expected.lines().filter(|line| !line.starts_with('#')).map(str::to_owned).collect();
        assert_eq!(roots, expected);
        assert_eq!(hex(&empty_root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn every_inclusion_and_consistency_proof_verifies_and_any_change_fails() {
        let all = leaves(71);
        for size in 1..all.len() as u64 {
            let tree = &all[..size as usize];
            let mut nodes: &[Hash] = tree;
            let root = root_of(tree);
            assert_eq!(super::root(&mut nodes, size).unwrap_or_default(), root);
            for index in 0..size {
                let proof = inclusion_proof(&mut nodes, index, size)
                    .unwrap_or_else(|never| match never {})
                    .unwrap_or_default();
                let leaf = tree[index as usize];
                assert_eq!(
                    verify_inclusion(index, size, &leaf, &proof, &root),
                    Ok(()),
                    "leaf {index} of {size}"
                );
                assert!(verify_inclusion(index, size, &all[index as usize + 1], &proof, &root).is_err());
                assert!(verify_inclusion(index ^ 1, size, &leaf, &proof, &root).is_err());
                // A size is bound to its root (checkpoints sign both): against the root of the
                // tree of one more leaf, the proof no longer holds.
                let grown = root_of(&all[..size as usize + 1]);
                assert!(verify_inclusion(index, size + 1, &leaf, &proof, &grown).is_err());
                if let Some(first) = proof.first() {
                    let mut bent = proof.clone();
                    bent[0][0] ^= 1;
                    assert!(verify_inclusion(index, size, &leaf, &bent, &root).is_err());
                    let mut longer = proof.clone();
                    longer.push(*first);
                    assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
                }
            }
            for old in 1..=size {
                let proof = consistency_proof(&mut nodes, old, size)
                    .unwrap_or_else(|never| match never {})
                    .unwrap_or_default();
                let old_root = root_of(&tree[..old as usize]);
                assert_eq!(
                    verify_consistency(old, size, &old_root, &root, &proof),
                    Ok(()),
                    "{old} to {size}"
                );
                if old < size {
                    let mut bent = proof.clone();
                    let last = bent.len() - 1;
                    bent[last][31] ^= 0x80;
                    assert!(verify_consistency(old, size, &old_root, &root, &bent).is_err());
                    assert!(verify_consistency(old, size, &root, &root, &proof).is_err());
                    assert!(verify_consistency(old + 1, size, &old_root, &root, &proof).is_err());
                }
            }
        }
    }

    #[test]
    fn the_frontier_agrees_with_the_whole_tree_and_restores() {
        let all = leaves(300);
        let mut frontier = Frontier::default();
        let mut stored = std::collections::HashMap::new();
        for (size, leaf) in all.iter().enumerate() {
            frontier.push(*leaf, |level, index, hash| {
                stored.insert((level, index), hash);
            });
            assert_eq!(frontier.root(), root_of(&all[..=size]));
        }
        let mut nodes: &[Hash] = &all;
        for (&(level, index), hash) in &stored {
            assert_eq!(nodes.perfect(level, index).unwrap_or_default(), *hash);
        }
        let restored = Frontier::restore(&mut nodes, 300).unwrap_or_else(|never| match never {});
        assert_eq!(restored, frontier);
    }
}
