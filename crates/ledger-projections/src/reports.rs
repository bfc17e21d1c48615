//! Aggregate reports for monitors, computed from worker projections only, so that a report is a
//! projection of the log like a balance is: replaying the log gives the same report.
//!
//! - [`accountability`]: per addressed jurisdiction, how its agency answers claims.
//! - [`coverage`]: who is covered in a jurisdiction or a corridor, disaggregated by sex, sector and
//!   origin, with small cells suppressed so that no one can be singled out.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use ledger_core::{Branch, Currency, Jurisdiction, Month, Sector, Sex};
use ledger_rules::Rules;

use crate::worker::{Claim, WorkerProjection};

/// Cells of a coverage report with fewer workers than this are suppressed.
pub const SMALL_CELL_WORKERS_MIN: u32 = 5;

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

/// Whom a coverage report is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoverageScope {
    /// Everyone with coverage in the jurisdiction.
    Jurisdiction(Jurisdiction),
    /// Workers from `origin` with coverage in `destination`.
    Corridor { origin: Jurisdiction, destination: Jurisdiction },
}

impl CoverageScope {
    /// The jurisdiction whose coverage is counted.
    pub fn destination(self) -> Jurisdiction {
        match self {
            CoverageScope::Jurisdiction(jurisdiction) => jurisdiction,
            CoverageScope::Corridor { destination, .. } => destination,
        }
    }

    fn admits(self, projection: &WorkerProjection) -> bool {
        match self {
            CoverageScope::Jurisdiction(_) => true,
            CoverageScope::Corridor { origin, .. } => projection.origin == origin,
        }
    }
}

/// Contributions paid, by whom, in minor units of the destination's currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paid {
    pub employer: u128,
    pub worker: u128,
}

/// The figures of one group of workers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverageCell {
    /// Workers with at least one covered month in the scope and period.
    pub workers: u32,
    /// Their covered months (a contribution or a credit, any branch), each month of each worker
    /// once.
    pub months: u64,
    /// Contributions paid, by branch.
    pub by_branch: BTreeMap<Branch, Paid>,
}

impl CoverageCell {
    fn add(&mut self, worker: &WorkerCoverage) {
        self.workers += 1;
        self.months += worker.months.len() as u64;
        for (branch, paid) in &worker.by_branch {
            let sum = self.by_branch.entry(*branch).or_default();
            sum.employer += paid.employer;
            sum.worker += paid.worker;
        }
    }
}

/// One line of a breakdown; `cell` is `None` when it is suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow {
    pub label: String,
    /// For origins: how the origin and the destination coordinate ("home", agreement ids, or "no
    /// agreement").
    pub note: Option<String>,
    pub cell: Option<CoverageCell>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageReport {
    pub scope: CoverageScope,
    pub from: Month,
    pub to: Month,
    pub evaluated_on: NaiveDate,
    /// The destination's currency, in which every amount is.
    pub currency: Option<Currency>,
    /// `None` when fewer than [`SMALL_CELL_WORKERS_MIN`] workers are covered in all: then every
    /// row is suppressed too.
    pub total: Option<CoverageCell>,
    pub by_sex: Vec<CoverageRow>,
    pub by_sector: Vec<CoverageRow>,
    pub by_origin: Vec<CoverageRow>,
}

/// The label of workers whose covered months in scope are all credited or certified, with no
/// contribution and so no sector.
pub const NO_SECTOR_LABEL: &str = "credited or certified months only";
/// The label of workers who did not declare their sex.
pub const SEX_NOT_DECLARED_LABEL: &str = "not declared";

/// One worker's coverage in a scope and period.
struct WorkerCoverage {
    months: BTreeSet<Month>,
    by_branch: BTreeMap<Branch, Paid>,
    /// The sector of most of their contribution months; the lowest code on a tie.
    sector: Option<Sector>,
}

fn worker_coverage(
    projection: &WorkerProjection,
    destination: Jurisdiction,
    from: Month,
    to: Month,
) -> Option<WorkerCoverage> {
    let mut months = BTreeSet::new();
    let mut by_branch: BTreeMap<Branch, Paid> = BTreeMap::new();
    let mut sector_months: BTreeMap<Month, BTreeSet<Sector>> = BTreeMap::new();
    let in_scope = projection
        .coverage
        .range((destination, Branch::OldAge)..)
        .take_while(|((j, _), _)| *j == destination);
    for ((_, branch), coverage) in in_scope {
        for (month, cell) in coverage.months.range(from..=to) {
            months.insert(*month);
            if cell.contributions > 0 {
                let paid = by_branch.entry(*branch).or_default();
                paid.employer += cell.employer_paid;
                paid.worker += cell.worker_paid;
            }
            sector_months.entry(*month).or_default().extend(cell.sectors().map(|(sector, _)| sector));
        }
    }
    if months.is_empty() {
        return None;
    }
    let mut counts: BTreeMap<Sector, u32> = BTreeMap::new();
    for sector in sector_months.values().flatten() {
        *counts.entry(*sector).or_default() += 1;
    }
    // Highest count wins; among equals, the first in code order (domestic work first).
    let sector = counts.iter().rev().max_by_key(|(_, count)| **count).map(|(sector, _)| *sector);
    Some(WorkerCoverage { months, by_branch, sector })
}

/// The coverage report of `scope` over the months `from` to `to`, from every worker's projection.
pub fn coverage(
    projections: impl IntoIterator<Item = impl Borrow<WorkerProjection>>,
    rules: &Rules,
    scope: CoverageScope,
    from: Month,
    to: Month,
    evaluated_on: NaiveDate,
) -> CoverageReport {
    let destination = scope.destination();
    let sex_labels: Vec<&str> =
        Sex::ALL.iter().map(|sex| sex.label()).chain([SEX_NOT_DECLARED_LABEL]).collect();
    let sector_labels: Vec<&str> = Sector::ALL.iter().map(|s| s.label()).chain([NO_SECTOR_LABEL]).collect();
    let origins: Vec<Jurisdiction> = match scope {
        CoverageScope::Jurisdiction(_) => rules.jurisdictions().map(|entry| entry.code).collect(),
        CoverageScope::Corridor { origin, .. } => vec![origin],
    };
    let mut total = CoverageCell::default();
    let mut by_sex = vec![CoverageCell::default(); sex_labels.len()];
    let mut by_sector = vec![CoverageCell::default(); sector_labels.len()];
    let mut by_origin = vec![CoverageCell::default(); origins.len()];
    for projection in projections {
        let projection = projection.borrow();
        if !scope.admits(projection) {
            continue;
        }
        let Some(worker) = worker_coverage(projection, destination, from, to) else { continue };
        total.add(&worker);
        let sex = projection.sex.map_or(sex_labels.len() - 1, |sex| usize::from(sex.code()) - 1);
        by_sex[sex].add(&worker);
        let sector = worker.sector.map_or(sector_labels.len() - 1, |sector| usize::from(sector.code()) - 1);
        by_sector[sector].add(&worker);
        // An origin no longer in the rules still counts in the total; it has no line of its own.
        if let Some(index) = origins.iter().position(|origin| *origin == projection.origin) {
            by_origin[index].add(&worker);
        }
    }
    let shown = total.workers >= SMALL_CELL_WORKERS_MIN;
    let rows = |labels: Vec<String>, notes: Vec<Option<String>>, cells: Vec<CoverageCell>| {
        let hidden = if shown { suppressed(&cells) } else { vec![true; cells.len()] };
        labels
            .into_iter()
            .zip(notes)
            .zip(cells.into_iter().zip(hidden))
            .map(|((label, note), (cell, hidden))| CoverageRow {
                label,
                note,
                cell: (!hidden).then_some(cell),
            })
            .collect::<Vec<_>>()
    };
    let none = |count: usize| vec![None; count];
    let origin_notes = origins
        .iter()
        .map(|origin| Some(coordination_note(rules, *origin, destination, evaluated_on)))
        .collect();
    CoverageReport {
        scope,
        from,
        to,
        evaluated_on,
        currency: rules.currency_of(destination),
        by_sex: rows(sex_labels.iter().map(|l| l.to_string()).collect(), none(sex_labels.len()), by_sex),
        by_sector: rows(
            sector_labels.iter().map(|l| l.to_string()).collect(),
            none(sector_labels.len()),
            by_sector,
        ),
        by_origin: rows(origins.iter().map(|o| o.to_string()).collect(), origin_notes, by_origin),
        total: shown.then_some(total),
    }
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

/// Which cells of one breakdown to suppress. Every cell under [`SMALL_CELL_WORKERS_MIN`] workers
/// (empty ones too, so that an empty line says nothing either) is suppressed. Since the total is
/// shown, the suppressed cells' sum is always `total - shown cells`: a single suppressed cell, or
/// suppressed cells that sum to zero, could be read back from it. In those cases the smallest shown
/// cell is suppressed as well, until no suppressed cell is determined by the published figures.
pub fn suppressed(cells: &[CoverageCell]) -> Vec<bool> {
    let mut hidden: Vec<bool> = cells.iter().map(|cell| cell.workers < SMALL_CELL_WORKERS_MIN).collect();
    loop {
        let count = hidden.iter().filter(|hidden| **hidden).count();
        let sum: u32 = cells.iter().zip(&hidden).filter(|(_, hidden)| **hidden).map(|(c, _)| c.workers).sum();
        if count == 0 || (count >= 2 && sum > 0) {
            return hidden;
        }
        let smallest_shown =
            (0..cells.len()).filter(|index| !hidden[*index]).min_by_key(|index| cells[*index].workers);
        match smallest_shown {
            Some(index) => hidden[index] = true,
            None => return hidden,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(workers: &[u32]) -> Vec<CoverageCell> {
        workers.iter().map(|workers| CoverageCell { workers: *workers, ..CoverageCell::default() }).collect()
    }

    #[test]
    fn a_lone_small_cell_takes_the_smallest_shown_cell_with_it() {
        assert_eq!(suppressed(&cells(&[11, 5, 1, 6])), [false, true, true, false]);
        // Suppressed cells that sum to nothing say "nobody here": one shown cell joins them.
        assert_eq!(suppressed(&cells(&[9, 7, 0, 0])), [false, true, true, true]);
        assert_eq!(suppressed(&cells(&[9, 3, 2, 0])), [false, true, true, true]);
        assert_eq!(suppressed(&cells(&[9, 8, 7])), [false, false, false]);
        // Two small cells with people in them hide each other.
        assert_eq!(suppressed(&cells(&[20, 1, 1])), [false, true, true]);
    }

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
