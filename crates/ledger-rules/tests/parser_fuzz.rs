//! The rules parser against hostile documents: random text, and the sample rules with lines
//! dropped, repeated and swapped, and values replaced by extreme ones. Nothing panics; a document
//! that loads loads again to the same rules. Prints how many cases ran.

use std::sync::atomic::{AtomicU64, Ordering};

use ledger_rules::{Rules, SAMPLE_RULES_TOML};
use proptest::prelude::*;

static CASES: AtomicU64 = AtomicU64::new(0);

fn check(text: &str) {
    CASES.fetch_add(1, Ordering::Relaxed);
    if let Ok(rules) = Rules::parse(text) {
        let again =
            Rules::parse(rules.text()).unwrap_or_else(|error| panic!("loaded once, not twice: {error}"));
        assert_eq!(again.digest(), rules.digest());
    }
}

/// Values that stress the checks: huge, negative, fractional, empty, wrong type.
const VALUES: [&str; 10] = [
    "0",
    "-1",
    "18446744073709551616",
    "1e400",
    "\"\"",
    "\"XX\"",
    "[]",
    "true",
    "\"2024-13-01\"",
    "4294967296",
];

#[derive(Clone, Debug)]
enum Edit {
    Drop(usize),
    Repeat(usize),
    Swap(usize, usize),
    Value(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        any::<usize>().prop_map(Edit::Drop),
        any::<usize>().prop_map(Edit::Repeat),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Swap(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::Value(a, b)),
    ]
}

fn apply(edits: &[Edit]) -> String {
    let mut lines: Vec<String> = SAMPLE_RULES_TOML.lines().map(str::to_owned).collect();
    for edit in edits {
        let len = lines.len().max(1);
        match *edit {
            Edit::Drop(at) if !lines.is_empty() => {
                lines.remove(at % len);
            }
            Edit::Repeat(at) if !lines.is_empty() => {
                let line = lines[at % len].clone();
                lines.insert(at % len, line);
            }
            Edit::Swap(a, b) if !lines.is_empty() => lines.swap(a % len, b % len),
            Edit::Value(at, value) if !lines.is_empty() => {
                let line = &mut lines[at % len];
                if let Some(equals) = line.find(" = ") {
                    line.truncate(equals + 3);
                    line.push_str(VALUES[value % VALUES.len()]);
                }
            }
            _ => {}
        }
    }
    lines.join("\n")
}

/// One test, so that the count it prints is of every case and the same in every run.
#[test]
fn hostile_rules_documents_never_panic() {
    proptest!(ProptestConfig::with_cases(1500), |(bytes in prop::collection::vec(any::<u8>(), 0..600))| {
        check(&String::from_utf8_lossy(&bytes));
    });
    proptest!(ProptestConfig::with_cases(1500), |(edits in prop::collection::vec(edit(), 1..8))| {
        check(&apply(&edits));
    });
    // Every single-line value replacement of the sample.
    for at in 0..SAMPLE_RULES_TOML.lines().count() {
        for value in 0..VALUES.len() {
            check(&apply(&[Edit::Value(at, value)]));
        }
    }
    println!("rules parser: {} cases, none panicked", CASES.load(Ordering::Relaxed));
}
