//! The crash loop, short: `ledger torture` kills the real server with SIGKILL at random moments
//! under six concurrent writers, and after every kill checks the store offline and every
//! acknowledged receipt over gRPC (see src/torture.rs), including kills that leave workers'
//! projections behind the log. `LEDGER_CRASH_CYCLES` sets the number of
//! kills (default 20); the command itself runs 200 by default.

use std::process::Command;

const CYCLES_DEFAULT: usize = 20;

/// The figure after `label` in the torture's summary line.
fn figure(summary: &str, label: &str) -> u64 {
    let after = summary.split(label).nth(1).unwrap_or_else(|| panic!("no {label:?} in {summary:?}"));
    let digits: String = after.trim_start().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or_else(|_| panic!("no figure after {label:?} in {summary:?}"))
}

#[test]
fn acknowledged_writes_survive_sigkill_at_any_moment() {
    let cycles: usize =
        std::env::var("LEDGER_CRASH_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(CYCLES_DEFAULT);
    let output = Command::new(env!("CARGO_BIN_EXE_ledger"))
        .args(["torture", "--cycles", &cycles.to_string()])
        .output()
        .expect("the torture command runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary = stdout.lines().find(|line| line.contains("cycles run")).expect("a summary line");
    assert_eq!(figure(summary, "cycles run"), cycles as u64);
    assert_eq!(figure(summary, "events lost"), 0);
    assert_eq!(figure(summary, "restarts failed"), 0);
    assert!(figure(summary, "events acknowledged") > cycles as u64, "the load was too light: {summary}");
    // Some kills left workers' projections behind the log, and each such store was brought back
    // equal to a rebuild (the offline check after every kill compares them).
    let applier = stdout.lines().find(|line| line.contains("applier behind")).expect("an applier line");
    assert!(figure(applier, "applier behind") > 0, "no kill landed while the applier was behind: {applier}");
}
