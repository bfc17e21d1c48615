//! The stored-record decoder against hostile bytes: random bytes, and the golden records with
//! bytes flipped, inserted, removed and cut off. Nothing panics; whatever decodes is canonical
//! (encoding it again gives the same bytes). Prints how many cases ran.

use std::sync::atomic::{AtomicU64, Ordering};

use ledger_core::Record;
use proptest::prelude::*;

static CASES: AtomicU64 = AtomicU64::new(0);

fn golden_records() -> Vec<Vec<u8>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../test-data/records-v1.txt");
    let text = std::fs::read_to_string(path).unwrap_or_else(|error| panic!("{path}: {error}"));
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_whitespace().nth(1))
        .map(|hex| {
            (0..hex.len())
                .step_by(2)
                .map(|at| u8::from_str_radix(&hex[at..at + 2], 16).unwrap_or(0))
                .collect()
        })
        .collect()
}

/// Decodes `bytes`; a record that decodes must encode back to exactly them.
fn check(bytes: &[u8]) {
    CASES.fetch_add(1, Ordering::Relaxed);
    if let Ok(record) = Record::decode(bytes) {
        assert_eq!(record.encode(), bytes, "a decoded record is not canonical: {record:?}");
    }
}

#[derive(Clone, Debug)]
enum Mutation {
    Flip { at: usize, mask: u8 },
    Insert { at: usize, byte: u8 },
    Remove { at: usize },
    Truncate { len: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(at, mask)| Mutation::Flip { at, mask }),
        (any::<usize>(), any::<u8>()).prop_map(|(at, byte)| Mutation::Insert { at, byte }),
        any::<usize>().prop_map(|at| Mutation::Remove { at }),
        any::<usize>().prop_map(|len| Mutation::Truncate { len }),
    ]
}

fn mutate(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for mutation in mutations {
        let len = bytes.len().max(1);
        match *mutation {
            Mutation::Flip { at, mask } => {
                if let Some(byte) = bytes.get_mut(at % len) {
                    *byte ^= mask;
                }
            }
            Mutation::Insert { at, byte } => bytes.insert(at % (bytes.len() + 1), byte),
            Mutation::Remove { at } => {
                if !bytes.is_empty() {
                    bytes.remove(at % len);
                }
            }
            Mutation::Truncate { len: cut } => bytes.truncate(cut % len),
        }
    }
    bytes
}

/// One test, so that the count it prints is of every case and the same in every run.
#[test]
fn hostile_records_never_panic() {
    proptest!(ProptestConfig::with_cases(4000), |(bytes in prop::collection::vec(any::<u8>(), 0..400))| {
        check(&bytes);
        // The same bytes behind a valid version byte reach the decoder's later fields.
        let mut versioned = vec![ledger_core::RECORD_FORMAT_VERSION];
        versioned.extend_from_slice(&bytes);
        check(&versioned);
    });
    let records = golden_records();
    proptest!(ProptestConfig::with_cases(4000), |(index in any::<usize>(), mutations in prop::collection::vec(mutation(), 1..6))| {
        check(&mutate(records[index % records.len()].clone(), &mutations));
    });
    // Every golden record with every single byte flipped in three ways.
    for record in &records {
        for at in 0..record.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut flipped = record.clone();
                flipped[at] ^= mask;
                check(&flipped);
            }
        }
    }
    println!("record decoder: {} cases, none panicked", CASES.load(Ordering::Relaxed));
}
