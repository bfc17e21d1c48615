//! The two hashes of the log. The event hash is the RFC 6962 leaf hash of the stored bytes, so a
//! Merkle tree over the log reuses it unchanged; the chain hash links each event to everything before
//! it under its own prefix byte, distinct from the Merkle tree's leaf (0x00) and node (0x01) prefixes.

use std::fmt;

use sha2::{Digest, Sha256};

/// Prefix of an RFC 6962 leaf hash.
pub const LEAF_HASH_PREFIX: u8 = 0x00;
/// Prefix of a chain hash; RFC 6962 uses 0x00 for leaves and 0x01 for interior nodes.
pub const CHAIN_HASH_PREFIX: u8 = 0x02;

macro_rules! hash_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 32]);

        impl $name {
            pub const fn from_bytes(bytes: [u8; 32]) -> Self {
                $name(bytes)
            }

            /// Accepts exactly 32 bytes.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; 32]>::try_from(bytes).ok().map($name)
            }

            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            pub fn to_hex(&self) -> String {
                self.0.iter().map(|byte| format!("{byte:02x}")).collect()
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.to_hex())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.to_hex())
            }
        }
    };
}

hash_type!(
    /// SHA-256(0x00 || record): the RFC 6962 leaf hash of one stored record.
    EventHash
);

hash_type!(
    /// SHA-256(0x02 || previous chain hash || event hash): commits to the whole log up to an event.
    ChainHash
);

impl ChainHash {
    /// The chain hash before the first event.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);
}

/// The event hash of the exact stored bytes of a record.
pub fn event_hash(record: &[u8]) -> EventHash {
    let mut hasher = Sha256::new();
    hasher.update([LEAF_HASH_PREFIX]);
    hasher.update(record);
    EventHash(hasher.finalize().into())
}

/// The chain hash after an event.
pub fn chain_hash(prev: &ChainHash, event: &EventHash) -> ChainHash {
    let mut hasher = Sha256::new();
    hasher.update([CHAIN_HASH_PREFIX]);
    hasher.update(prev.0);
    hasher.update(event.0);
    ChainHash(hasher.finalize().into())
}

/// SHA-256 of arbitrary bytes, for content fingerprints and token digests.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Whether two secrets' digests (or tokens) are equal, in time that does not depend on where they
/// first differ. Their lengths are not secret.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let difference = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    a.len() == b.len() && std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_is_equality() {
        let cases: [(&[u8], &[u8], bool); 5] = [
            (b"", b"", true),
            (b"abc", b"abc", true),
            (b"abc", b"abd", false),
            (b"abc", b"ab", false),
            (b"x", b"", false),
        ];
        for (a, b, equal) in cases {
            assert_eq!(constant_time_eq(a, b), equal, "{a:?} {b:?}");
        }
    }

    #[test]
    fn leaf_hash_of_empty_record_matches_rfc6962() {
        // RFC 6962's empty leaf hash, SHA-256 of the single byte 0x00, as published with the
        // certificate-transparency test vectors.
        assert_eq!(
            event_hash(b"").to_hex(),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"
        );
    }
}
