//! The cluster's crash loop, short: `ledger cluster-torture` runs three real replicas on loopback
//! under concurrent writers, kills the leader (or a follower) with SIGKILL or cuts it off from the
//! others through its proxies, and checks after every cycle that every replica holds every
//! acknowledged event, the same log (see src/cluster_torture.rs). `LEDGER_CLUSTER_CYCLES` sets
//! the number of cycles (default 6); the command itself runs 100 by default.
//!
//! The failover bound is looser here than the command's own: this binary is a debug build, and
//! the other tests share the machine's two cores meanwhile.

use std::process::Command;

const CYCLES_DEFAULT: usize = 6;
/// The failover p99 bound of the short run, in milliseconds (the command's own is 4 s).
const FAILOVER_P99_MAX_MS: u64 = 15_000;

/// The figure after `label` in the summary line.
fn figure(summary: &str, label: &str) -> f64 {
    let after = summary.split(label).nth(1).unwrap_or_else(|| panic!("no {label:?} in {summary:?}"));
    let digits: String = after.trim_start().chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    digits.parse().unwrap_or_else(|_| panic!("no figure after {label:?} in {summary:?}"))
}

#[test]
fn a_cluster_loses_nothing_and_never_diverges_when_its_leader_dies_or_is_cut_off() {
    let cycles: usize =
        std::env::var("LEDGER_CLUSTER_CYCLES").ok().and_then(|v| v.parse().ok()).unwrap_or(CYCLES_DEFAULT);
    let output = Command::new(env!("CARGO_BIN_EXE_ledger"))
        .args(["cluster-torture", "--nodes", "3", "--cycles", &cycles.to_string()])
        .args(["--failover-p99-max-ms", &FAILOVER_P99_MAX_MS.to_string()])
        .output()
        .expect("the cluster torture runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("{stdout}");
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    let summary = stdout.lines().last().expect("a summary line");
    assert!(summary.starts_with("cluster-torture: cycles"), "{summary}");
    assert_eq!(figure(summary, "cycles"), cycles as f64);
    assert_eq!(figure(summary, "events lost"), 0.0);
    assert_eq!(figure(summary, "divergent nodes"), 0.0);
    assert!(figure(summary, "events acknowledged") > cycles as f64, "the load was too light: {summary}");
    assert!(figure(summary, "p99") <= FAILOVER_P99_MAX_MS as f64 / 1000.0, "{summary}");
}
