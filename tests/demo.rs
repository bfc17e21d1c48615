//! `ledger demo` plays its whole story against a server of its own and ends with a verified chain:
//! balances to the minor unit, a claim that goes overdue before it is upheld, as the
//! accountability report shows, and recruitment fees taken from six workers' wages, one of them
//! claimed back by a workers' organisation with her consent, rejected, upheld on appeal, in the
//! published employer-pays report, with no household named.

#[test]
fn the_demo_tells_its_story_and_the_chain_verifies() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger")).arg("demo").output().expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    for expected in [
        "ES   old_age              108    192   180        0       EUR 967.68       EUR 544.32       EUR 544.32  ES-PH",
        "SA   old_age               48     48   120       72       SAR 360.00         SAR 0.00         SAR 0.00  none",
        // The claim, 91 days after filing: overdue, then upheld late.
        "SA                  1        0      0        0       1     0           -        -",
        "SA                  1        1      1        0       0     1          91       91",
        // Six workers paid SAR 1,500.00 each for a recruitment their employers should have paid.
        "  PH POEA-123-LB-031522-R                          6     6      0  SAR 9000.00 / - / -",
        "  household employers                              6     6      0  SAR 9000.00 / - / -",
        "her consent to file and follow her claims; the union claims the fee back from her employer.",
        "The Saudi agency rejects it: the household's payroll declares the full wage.",
        "With her consent the union appeals, once, to the body the rules name for Saudi Arabia (sa-labour-court),",
        "The court upholds the appeal: the employer repays SAR 1,500.00. Her claim reads: upheld on appeal.",
        "Published as a signed bundle of the log's first",
        "Checked here with the log's verifier key alone: genuine, signed by the log's key.",
        "every link verified",
    ] {
        assert!(stdout.contains(expected), "missing {expected:?} in\n{stdout}");
    }
    let report = stdout.split("employer pays:").nth(1).and_then(|rest| rest.split("Published as").next());
    let report = report.unwrap_or_else(|| panic!("no employer-pays report in\n{stdout}"));
    assert!(!report.contains("SA-HH"), "a household employer is named:\n{report}");
}
