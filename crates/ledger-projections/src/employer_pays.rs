//! The employer-pays report: who paid for workers' recruitment to a jurisdiction, in a calendar
//! year and its quarters, by corridor, recruiter and employer. Under the employer-pays principle
//! a worker pays nothing for her recruitment; the report counts the workers who did, what they
//! paid (in each currency), and how many took a loan for it, beside what employers paid.
//!
//! A worker is one person of the report however many costs she has in it: for the year she is
//! classed by the recruiter of the largest of her costs (the first on a tie) and the employer that
//! cost names, so that the three breakdowns partition the same people and quarters add up to the
//! year. Employers are named only when the ledger knows them as businesses there: contributions
//! from them in the jurisdiction that year, none in domestic work. Household employers are private
//! persons and appear only in the aggregate, with employers the ledger holds no contributions
//! from, and costs naming none. A corridor, recruiter or employer line is listed when it has a cost
//! in the year (so that listing one says that much). Suppression is [`crate::disclosure`]'s, over
//! the year and its quarters together, counting workers.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use ledger_core::{CostPayer, Currency, Jurisdiction, Sector, WorkerId};

use crate::coverage::{Cost, Period, YearFold};
use crate::disclosure;

/// The employer line of workers whose employer is a household (domestic work).
pub const HOUSEHOLD_EMPLOYERS_LABEL: &str = "household employers";
/// The employer line of costs naming an employer the ledger holds no contributions from there.
pub const EMPLOYERS_NOT_ON_THE_LEDGER_LABEL: &str = "employers with no contributions on the ledger";
/// The employer line of costs naming no employer.
pub const EMPLOYER_NOT_NAMED_LABEL: &str = "employer not named";

/// Amounts in minor units, by currency.
pub type Amounts = BTreeMap<Currency, u128>;

/// The figures of one group of workers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostCell {
    /// Workers with a recruitment cost recorded or declared.
    pub workers: u32,
    /// Of them, those who paid any of it themselves, directly or by a loan.
    pub workers_who_paid: u32,
    /// Of them, those who took a loan.
    pub workers_with_loans: u32,
    /// Paid by the workers directly.
    pub paid_by_workers: Amounts,
    /// Paid by loans the workers took.
    pub paid_by_loans: Amounts,
    /// Paid by employers.
    pub paid_by_employers: Amounts,
}

impl CostCell {
    fn add(&mut self, other: &CostCell) {
        self.workers += other.workers;
        self.workers_who_paid += other.workers_who_paid;
        self.workers_with_loans += other.workers_with_loans;
        for (sum, part) in [
            (&mut self.paid_by_workers, &other.paid_by_workers),
            (&mut self.paid_by_loans, &other.paid_by_loans),
            (&mut self.paid_by_employers, &other.paid_by_employers),
        ] {
            for (currency, amount) in part {
                *sum.entry(*currency).or_default() += amount;
            }
        }
    }

    /// Every amount, whoever paid it: what suppression counts as empty or not.
    fn measure(&self) -> u128 {
        [&self.paid_by_workers, &self.paid_by_loans, &self.paid_by_employers]
            .iter()
            .flat_map(|amounts| amounts.values())
            .sum::<u128>()
            .max(u128::from(self.workers))
    }
}

/// One line; `cell` is `None` when suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostRow {
    /// The origin, the recruiter ("PH POEA-123-LB-031522-R"), or the employer's reference or
    /// aggregate.
    pub label: String,
    pub cell: Option<CostCell>,
}

/// The report of one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodCosts {
    pub period: Period,
    pub total: Option<CostCell>,
    pub by_corridor: Vec<CostRow>,
    pub by_recruiter: Vec<CostRow>,
    pub by_employer: Vec<CostRow>,
}

/// The employer-pays reports of one jurisdiction's year and its quarters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployerPaysYear {
    pub destination: Jurisdiction,
    pub year: u16,
    pub size: u64,
    pub evaluated_on: Option<NaiveDate>,
    /// The year, then its four quarters.
    pub periods: Vec<PeriodCosts>,
}

impl EmployerPaysYear {
    pub fn period(&self, period: Period) -> Option<&PeriodCosts> {
        self.periods.iter().find(|report| report.period == period)
    }
}

/// One worker's costs in one quarter.
fn quarter_cell(costs: &[&Cost]) -> CostCell {
    let mut cell = CostCell { workers: 1, ..CostCell::default() };
    for cost in costs {
        let amounts = match cost.paid_by {
            CostPayer::Worker => &mut cell.paid_by_workers,
            CostPayer::Loan => &mut cell.paid_by_loans,
            CostPayer::Employer => &mut cell.paid_by_employers,
        };
        *amounts.entry(cost.currency).or_default() += u128::from(cost.amount);
    }
    let paid = |payer| costs.iter().any(|cost| cost.paid_by == payer && cost.amount > 0);
    cell.workers_who_paid = u32::from(paid(CostPayer::Worker) || paid(CostPayer::Loan));
    cell.workers_with_loans = u32::from(costs.iter().any(|cost| cost.paid_by == CostPayer::Loan));
    cell
}

impl YearFold {
    /// The employer-pays reports of the year and its quarters, suppressed together.
    pub fn employer_pays(&self) -> EmployerPaysYear {
        // Corridors, recruiters and employers are listed when they have a cost in the year: the
        // others are known to be empty, so no line of theirs could be pinned down.
        let mut origins: Vec<Jurisdiction> = self.costs.iter().map(|cost| cost.origin).collect();
        origins.sort();
        origins.dedup();
        // Each worker's costs, in log order.
        let mut by_worker: BTreeMap<&WorkerId, Vec<&Cost>> = BTreeMap::new();
        for cost in &self.costs {
            by_worker.entry(&cost.worker_id).or_default().push(cost);
        }
        // Her class: corridor, recruiter, employer line.
        let mut recruiters: Vec<String> = Vec::new();
        let mut employers: Vec<String> = Vec::new();
        let mut classes: Vec<(&WorkerId, usize, String, String)> = Vec::new();
        for (worker_id, costs) in &by_worker {
            let mut totals: Vec<(&(Jurisdiction, String), u128, Option<&str>)> = Vec::new();
            for cost in costs {
                match totals.iter_mut().find(|(recruiter, ..)| **recruiter == cost.recruiter) {
                    Some(entry) => {
                        entry.1 += u128::from(cost.amount);
                        entry.2 = entry.2.or(cost.employer.as_deref());
                    }
                    None => totals.push((&cost.recruiter, u128::from(cost.amount), cost.employer.as_deref())),
                }
            }
            // The largest; the first on a tie. Every worker listed has a cost.
            let largest =
                totals.iter().copied().reduce(|best, entry| if entry.1 > best.1 { entry } else { best });
            let (Some(((licensed_in, licence), _, employer)), Some(first)) = (largest, costs.first()) else {
                continue;
            };
            let recruiter = format!("{licensed_in} {licence}");
            let employer = self.employer_line(worker_id, employer);
            let origin = origins.binary_search(&first.origin).unwrap_or(0);
            recruiters.push(recruiter.clone());
            employers.push(employer.clone());
            classes.push((worker_id, origin, recruiter, employer));
        }
        recruiters.sort();
        recruiters.dedup();
        employers.sort();
        employers.dedup();
        let corridor_labels: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
        let dims = [corridor_labels.len(), recruiters.len(), employers.len()];
        let lines = 1 + dims.iter().sum::<usize>();
        let mut figures = vec![CostCell::default(); 5 * lines];
        for (worker_id, origin, recruiter, employer) in &classes {
            let costs = &by_worker[worker_id];
            let recruiter = recruiters.binary_search(recruiter).unwrap_or(0);
            let employer = employers.binary_search(employer).unwrap_or(0);
            let own_lines = [0, 1 + origin, 1 + dims[0] + recruiter, 1 + dims[0] + dims[1] + employer];
            for (p, period) in Period::of_year(self.year()).iter().enumerate() {
                let in_period: Vec<&Cost> = costs
                    .iter()
                    .copied()
                    .filter(|cost| match period {
                        Period::Year(_) => true,
                        Period::Quarter { quarter, .. } => cost.quarter + 1 == *quarter,
                    })
                    .collect();
                if in_period.is_empty() {
                    continue;
                }
                let cell = quarter_cell(&in_period);
                for line in own_lines {
                    figures[p * lines + line].add(&cell);
                }
            }
        }
        let counts: Vec<(u32, u128)> = figures.iter().map(|cell| (cell.workers, cell.measure())).collect();
        let hidden = disclosure::suppress(&disclosure::one_way(&dims, &counts));
        let labels: Vec<&String> = corridor_labels.iter().chain(&recruiters).chain(&employers).collect();
        let periods = Period::of_year(self.year())
            .iter()
            .enumerate()
            .map(|(p, period)| {
                let cell =
                    |line: usize| (!hidden[p * lines + line]).then(|| figures[p * lines + line].clone());
                let rows = |from: usize, count: usize| {
                    (from..from + count)
                        .map(|line| CostRow { label: labels[line - 1].clone(), cell: cell(line) })
                        .collect::<Vec<_>>()
                };
                PeriodCosts {
                    period: *period,
                    total: cell(0),
                    by_corridor: rows(1, dims[0]),
                    by_recruiter: rows(1 + dims[0], dims[1]),
                    by_employer: rows(1 + dims[0] + dims[1], dims[2]),
                }
            })
            .collect();
        EmployerPaysYear {
            destination: self.destination(),
            year: self.year(),
            size: self.size(),
            evaluated_on: self.evaluated_on(),
            periods,
        }
    }

    /// The employer line a worker's cost goes to: the employer's reference when the ledger knows it
    /// as a business there, else an aggregate.
    fn employer_line(&self, worker_id: &WorkerId, employer: Option<&str>) -> String {
        let Some(employer) = employer else { return EMPLOYER_NOT_NAMED_LABEL.into() };
        // Her own contributions there in domestic work make her employer a household, even before
        // it has any contribution on the ledger.
        let domestic = self.workers.get(worker_id).is_some_and(|worker| {
            let domestic = worker.sector_months[crate::worker::sector_slot(Sector::DomesticWork)];
            domestic != 0 && worker.employer_months.get(employer).is_some_and(|months| months & domestic != 0)
        });
        match self.households.get(employer) {
            _ if domestic => HOUSEHOLD_EMPLOYERS_LABEL.into(),
            Some(true) => HOUSEHOLD_EMPLOYERS_LABEL.into(),
            Some(false) => employer.into(),
            None => EMPLOYERS_NOT_ON_THE_LEDGER_LABEL.into(),
        }
    }
}
