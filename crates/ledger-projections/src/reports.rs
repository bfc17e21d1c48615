//! Aggregate reports for monitors, computed from worker projections only, so that a report is a
//! projection of the log like a balance is: replaying the log gives the same report.
//!
//! - [`accountability`]: per addressed jurisdiction, how its agency answers claims, and how the
//!   appeal body the rules name there decides the appeals of those answers.
//!
//! Who is covered, by period and breakdown, is [`crate::coverage`]'s.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ledger_core::Jurisdiction;
use ledger_rules::Rules;

use crate::worker::Claim;

pub use crate::disclosure::SMALL_CELL_WORKERS_MIN;

/// How one jurisdiction's agency answered the claims addressed to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimsRow {
    pub jurisdiction: Jurisdiction,
    /// Claims filed in the report's window.
    pub received: u32,
    pub resolved: u32,
    pub upheld: u32,
    pub rejected: u32,
    /// Still open and past the day they were due, on the evaluation date.
    pub overdue: u32,
    /// Resolved, but after the day they were due.
    pub resolved_late: u32,
    /// Days from filing to resolution of the resolved claims (nearest-rank percentiles).
    pub median_days: Option<u32>,
    pub p90_days: Option<u32>,
    /// Of the claims received: answers appealed, appeals decided, rejections the appeal body
    /// overturned (upheld on appeal), and appeals undecided past the body's day.
    pub appealed: u32,
    pub appeals_decided: u32,
    pub overturned: u32,
    pub appeals_overdue: u32,
}

/// The accountability report: claims filed between `from` and `to` (both included, UTC days),
/// as they stand on `evaluated_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountabilityReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub evaluated_on: NaiveDate,
    pub rows: Vec<ClaimsRow>,
}

/// The accountability report over `claims`, one row per addressed jurisdiction (only `only`'s
/// when given, shown even with no claims).
pub fn accountability<'a>(
    claims: impl IntoIterator<Item = &'a Claim>,
    only: Option<Jurisdiction>,
    from: NaiveDate,
    to: NaiveDate,
    evaluated_on: NaiveDate,
) -> AccountabilityReport {
    let mut rows: BTreeMap<Jurisdiction, (ClaimsRow, Vec<u32>)> = BTreeMap::new();
    let empty = |jurisdiction| {
        let row = ClaimsRow {
            jurisdiction,
            received: 0,
            resolved: 0,
            upheld: 0,
            rejected: 0,
            overdue: 0,
            resolved_late: 0,
            median_days: None,
            p90_days: None,
            appealed: 0,
            appeals_decided: 0,
            overturned: 0,
            appeals_overdue: 0,
        };
        (row, Vec::new())
    };
    if let Some(jurisdiction) = only {
        rows.insert(jurisdiction, empty(jurisdiction));
    }
    for claim in claims {
        let filed_on = claim.filed_at.date_naive();
        if filed_on < from || filed_on > to || only.is_some_and(|only| only != claim.addressed_to) {
            continue;
        }
        let (row, days) = rows.entry(claim.addressed_to).or_insert_with(|| empty(claim.addressed_to));
        row.received += 1;
        row.overdue += u32::from(claim.is_overdue(evaluated_on));
        row.resolved_late += u32::from(claim.resolved_late());
        if let Some(resolution) = &claim.resolution {
            row.resolved += 1;
            match resolution.outcome {
                ledger_core::ClaimOutcome::Upheld => row.upheld += 1,
                ledger_core::ClaimOutcome::Rejected => row.rejected += 1,
            }
            let taken = claim.days_to_resolve().unwrap_or(0).max(0);
            days.push(u32::try_from(taken).unwrap_or(u32::MAX));
        }
        if let Some(appeal) = &claim.appeal {
            row.appealed += 1;
            row.appeals_overdue += u32::from(claim.appeal_overdue(evaluated_on));
            if let Some(decision) = &appeal.decision {
                row.appeals_decided += 1;
                let rejected = claim.resolution.as_ref().map(|resolution| resolution.outcome);
                row.overturned += u32::from(
                    decision.outcome == ledger_core::ClaimOutcome::Upheld
                        && rejected == Some(ledger_core::ClaimOutcome::Rejected),
                );
            }
        }
    }
    let rows = rows
        .into_iter()
        .map(|(_, (mut row, mut days))| {
            days.sort_unstable();
            row.median_days = nearest_rank(&days, 50);
            row.p90_days = nearest_rank(&days, 90);
            row
        })
        .collect();
    AccountabilityReport { from, to, evaluated_on, rows }
}

/// The nearest-rank percentile of sorted values: the smallest value with at least `percent`% of
/// the values at or below it.
pub fn nearest_rank<T: Copy>(sorted: &[T], percent: usize) -> Option<T> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// How `origin` and `destination` coordinate on `on`: "home" for the same jurisdiction, the ids of
/// the agreements in force between them, or "no agreement".
pub fn coordination_note(
    rules: &Rules,
    origin: Jurisdiction,
    destination: Jurisdiction,
    on: NaiveDate,
) -> String {
    if origin == destination {
        return "home".into();
    }
    let ids: Vec<&str> = rules
        .agreements()
        .iter()
        .filter(|agreement| {
            agreement.in_force_on(on)
                && agreement.parties.contains(&origin)
                && agreement.parties.contains(&destination)
        })
        .map(|agreement| agreement.id.as_str())
        .collect();
    match ids.is_empty() {
        true => "no agreement".into(),
        false => ids.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(nearest_rank::<u32>(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        assert_eq!(nearest_rank(&[48, 91], 50), Some(48));
        assert_eq!(nearest_rank(&[48, 91], 90), Some(91));
        let ten: Vec<u32> = (1..=10).collect();
        assert_eq!((nearest_rank(&ten, 50), nearest_rank(&ten, 90)), (Some(5), Some(9)));
    }
}
