//! Merkle proofs for random tree sizes, leaves and positions: every inclusion and consistency
//! proof verifies, and a change to any hash of the proof, to the leaf, to the index or to a root
//! makes verification fail.

use ledger_core::merkle::{
    consistency_proof, inclusion_proof, root_of, verify_consistency, verify_inclusion, Hash,
};
use proptest::prelude::*;

fn leaves(size: usize, salt: u64) -> Vec<Hash> {
    (0..size as u64).map(|index| *ledger_core::event_hash(&(index ^ salt).to_be_bytes()).as_bytes()).collect()
}

fn never<T>(result: Result<T, std::convert::Infallible>) -> T {
    match result {
        Ok(value) => value,
        Err(never) => match never {},
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    #[test]
    fn inclusion_proofs_hold_and_break(size in 1usize..3000, pick in any::<u64>(), salt in any::<u64>(), flip in any::<(usize, usize)>()) {
        let leaves = leaves(size, salt);
        let index = pick % size as u64;
        let root = root_of(&leaves);
        let mut nodes: &[Hash] = &leaves;
        let proof = never(inclusion_proof(&mut nodes, index, size as u64)).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(verify_inclusion(index, size as u64, &leaves[index as usize], &proof, &root), Ok(()));
        if !proof.is_empty() {
            let mut bent = proof.clone();
            let at = flip.0 % bent.len();
            bent[at][flip.1 % 32] ^= 1;
            prop_assert!(verify_inclusion(index, size as u64, &leaves[index as usize], &bent, &root).is_err());
        }
        let mut other_leaf = leaves[index as usize];
        other_leaf[flip.1 % 32] ^= 0x40;
        prop_assert!(verify_inclusion(index, size as u64, &other_leaf, &proof, &root).is_err());
        let mut other_root = root;
        other_root[flip.0 % 32] ^= 2;
        prop_assert!(verify_inclusion(index, size as u64, &leaves[index as usize], &proof, &other_root).is_err());
        if size > 1 {
            let moved = (index + 1 + flip.0 as u64 % (size as u64 - 1)) % size as u64;
            prop_assert!(verify_inclusion(moved, size as u64, &leaves[index as usize], &proof, &root).is_err());
        }
    }

    #[test]
    fn consistency_proofs_hold_and_break(size in 2usize..3000, pick in any::<u64>(), salt in any::<u64>(), flip in any::<(usize, usize)>()) {
        let leaves = leaves(size, salt);
        let old = 1 + pick % (size as u64 - 1);
        let (old_root, new_root) = (root_of(&leaves[..old as usize]), root_of(&leaves));
        let mut nodes: &[Hash] = &leaves;
        let proof = never(consistency_proof(&mut nodes, old, size as u64)).map_err(|error| TestCaseError::fail(error.to_string()))?;
        prop_assert_eq!(verify_consistency(old, size as u64, &old_root, &new_root, &proof), Ok(()));
        let mut bent = proof.clone();
        let at = flip.0 % bent.len();
        bent[at][flip.1 % 32] ^= 1;
        prop_assert!(verify_consistency(old, size as u64, &old_root, &new_root, &bent).is_err());
        let mut other = old_root;
        other[flip.1 % 32] ^= 8;
        prop_assert!(verify_consistency(old, size as u64, &other, &new_root, &proof).is_err());
        prop_assert!(verify_consistency(old, size as u64, &old_root, &other, &proof).is_err());
    }
}
