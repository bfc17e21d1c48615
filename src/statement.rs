//! Portable statements at the command line: `ledger worker statement --out FILE` writes one
//! (`ledger_client::grpc::portable_statement`, shared with the portal); `ledger statement
//! verify FILE --key KEY` checks it offline with `ledger-verify`,
//! with nothing but the log's verifier key, and prints the worker's periods per country.

use std::path::Path;

use anyhow::{ensure, Context};
use ledger_verify::statement::verify;
use ledger_verify::{StatementFile, Trust, STATEMENT_FILE_LEN_MAX};

pub fn verify_file(path: &Path, trust: &Trust) -> anyhow::Result<()> {
    let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
    ensure!(
        size <= STATEMENT_FILE_LEN_MAX,
        "{} is larger than {STATEMENT_FILE_LEN_MAX} bytes",
        path.display()
    );
    let file = StatementFile::from_json(&std::fs::read(path)?)?;
    let (fold, trusted) = verify(&file, trust)?;
    println!(
        "statement of {} verified: {} events, each proved against the signed checkpoint of {} events",
        file.worker_id,
        file.entries.len(),
        file.tree_size
    );
    println!("checkpoint: {trusted}");
    for projection in fold.workers.values() {
        for ((jurisdiction, branch), coverage) in &projection.coverage {
            let months: Vec<_> = coverage.own_months().collect();
            let (Some(first), Some(last)) = (months.first(), months.last()) else { continue };
            println!("{jurisdiction} {branch}: {} months between {first} and {last}", months.len());
        }
        // A claim's state as the statement proves it: answered, or open as of its last event.
        for (seq, claim) in &projection.claims {
            let mut state = match &claim.resolution {
                Some(resolution) => format!("{} on {}", resolution.outcome, resolution.at.date_naive()),
                None => format!("open when the statement was taken (answer due by {})", claim.respond_by),
            };
            if let Some(appeal) = &claim.appeal {
                state.push_str(&match &appeal.decision {
                    Some(decision) => {
                        format!(
                            "; appealed to {}, {} on appeal on {}",
                            appeal.body,
                            decision.outcome,
                            decision.at.date_naive()
                        )
                    }
                    None => format!(
                        "; appealed to {}, undecided when the statement was taken (decision due by {})",
                        appeal.body, appeal.respond_by
                    ),
                });
            }
            println!(
                "claim {seq} to {} for {} month(s) from {}: {state}",
                claim.addressed_to,
                claim.months.len(),
                claim.months.first().map_or_else(String::new, ToString::to_string)
            );
        }
    }
    Ok(())
}
