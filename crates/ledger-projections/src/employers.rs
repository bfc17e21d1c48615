//! Employers' accounts: for one jurisdiction and calendar year, by employer reference, the months
//! the employer declared, the months its workers claimed missing, how their claims were answered,
//! and how long it took to remit.
//!
//! An employer is named only when the ledger knows it as a business there that year (contributions
//! from it, none in domestic work) with at least [`SMALL_CELL_WORKERS_MIN`] workers: household
//! employers are private persons, and at a small employer a claim would point at the worker who
//! made it. The others are counted in three aggregates (households; employers of fewer workers;
//! employers with no contributions on the ledger that year, which claims name), each shown only
//! when it holds at least [`SMALL_CELL_WORKERS_MIN`] employers. An employer that declares nothing
//! is named once an agency records a contribution from it: upholding a claim does.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use ledger_core::{ClaimOutcome, Jurisdiction};

use crate::coverage::YearFold;
use crate::disclosure::SMALL_CELL_WORKERS_MIN;
use crate::reports::nearest_rank;

/// The aggregate of household employers.
pub const HOUSEHOLDS_LABEL: &str = "household employers";
/// The aggregate of employers with fewer than [`SMALL_CELL_WORKERS_MIN`] workers on the ledger.
pub const SMALL_EMPLOYERS_LABEL: &str = "employers of fewer than 5 workers on the ledger";
/// The aggregate of employers claims name that declared nothing there that year.
pub const UNDECLARED_EMPLOYERS_LABEL: &str = "employers with no contributions on the ledger";

/// One employer's account, or an aggregate's.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmployerRow {
    /// The employer's reference, or the aggregate's label.
    pub employer: String,
    /// Employers in the row: 1 for a named one.
    pub employers: u32,
    /// Workers with a contribution from it in the year.
    pub workers: u32,
    /// Months declared: each month of each worker with a contribution from it, once.
    pub months_declared: u64,
    /// Claims naming it and months of the year, and of those, of contributions (missing or
    /// deducted and not remitted) and of wages (unpaid wages, end-of-service dues, recruitment costs
    /// taken from wages).
    pub claims: u32,
    pub contribution_claims: u32,
    pub wage_claims: u32,
    /// Months of the year named by its contribution claims.
    pub months_claimed_missing: u64,
    /// Claims upheld (by the agency, or on appeal) and rejected (and standing) by the end of the
    /// log the report is computed from; of them, those whose answer was appealed, and those upheld
    /// on appeal.
    pub upheld: u32,
    pub rejected: u32,
    pub appealed: u32,
    pub upheld_on_appeal: u32,
    /// Whole days from the end of a contribution's month to its recording (nearest-rank).
    pub median_days_to_remit: Option<u32>,
    pub p90_days_to_remit: Option<u32>,
}

/// Employers' accounts of one jurisdiction's year.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmployersYear {
    pub destination: Jurisdiction,
    pub year: u16,
    pub size: u64,
    pub evaluated_on: Option<NaiveDate>,
    /// Named employers, by reference.
    pub named: Vec<EmployerRow>,
    /// The aggregates; `None` when one holds fewer than five employers (and then its figures are
    /// in no other line).
    pub aggregates: Vec<(String, Option<EmployerRow>)>,
}

#[derive(Default)]
struct Account {
    workers: u32,
    months: u64,
    claims: u32,
    contribution_claims: u32,
    wage_claims: u32,
    months_claimed: u64,
    upheld: u32,
    rejected: u32,
    appealed: u32,
    upheld_on_appeal: u32,
    days: BTreeMap<u32, u32>,
}

impl Account {
    fn add(&mut self, other: &Account) {
        self.workers += other.workers;
        self.months += other.months;
        self.claims += other.claims;
        self.contribution_claims += other.contribution_claims;
        self.wage_claims += other.wage_claims;
        self.months_claimed += other.months_claimed;
        self.upheld += other.upheld;
        self.rejected += other.rejected;
        self.appealed += other.appealed;
        self.upheld_on_appeal += other.upheld_on_appeal;
        for (days, count) in &other.days {
            *self.days.entry(*days).or_default() += count;
        }
    }

    fn row(&self, employer: String, employers: u32) -> EmployerRow {
        let days: Vec<u32> =
            self.days.iter().flat_map(|(days, count)| std::iter::repeat_n(*days, *count as usize)).collect();
        EmployerRow {
            employer,
            employers,
            workers: self.workers,
            months_declared: self.months,
            claims: self.claims,
            contribution_claims: self.contribution_claims,
            wage_claims: self.wage_claims,
            months_claimed_missing: self.months_claimed,
            upheld: self.upheld,
            rejected: self.rejected,
            appealed: self.appealed,
            upheld_on_appeal: self.upheld_on_appeal,
            median_days_to_remit: nearest_rank(&days, 50),
            p90_days_to_remit: nearest_rank(&days, 90),
        }
    }
}

impl YearFold {
    /// Employers' accounts of the year.
    pub fn employers(&self) -> EmployersYear {
        let mut accounts: HashMap<&str, Account> = HashMap::new();
        for worker in self.workers.values() {
            for (employer, months) in &worker.employer_months {
                let account = accounts.entry(employer.as_str()).or_default();
                account.workers += 1;
                account.months += u64::from(months.count_ones());
            }
        }
        for (employer, days) in &self.remit_days {
            accounts.entry(employer.as_str()).or_default().days = days.clone();
        }
        for claim in self.claims.values() {
            let account = accounts.entry(claim.employer.as_str()).or_default();
            account.claims += 1;
            if claim.kind.records_contributions() {
                account.contribution_claims += 1;
                account.months_claimed += u64::from(claim.months);
            } else if claim.kind.is_of_wages() {
                account.wage_claims += 1;
            }
            match claim.outcome {
                Some(ClaimOutcome::Upheld) => account.upheld += 1,
                Some(ClaimOutcome::Rejected) => account.rejected += 1,
                None => {}
            }
            account.appealed += u32::from(claim.appealed);
            account.upheld_on_appeal += u32::from(claim.upheld_on_appeal);
        }
        let mut named = Vec::new();
        let labels = [HOUSEHOLDS_LABEL, SMALL_EMPLOYERS_LABEL, UNDECLARED_EMPLOYERS_LABEL];
        let mut aggregates: Vec<(Account, u32)> = labels.iter().map(|_| (Account::default(), 0)).collect();
        let mut employers: Vec<&str> = accounts.keys().copied().collect();
        employers.sort();
        for employer in employers {
            let account = &accounts[employer];
            let aggregate = match self.households.get(employer) {
                Some(true) => 0,
                Some(false) if account.workers < SMALL_CELL_WORKERS_MIN => 1,
                Some(false) => {
                    named.push(account.row(employer.to_owned(), 1));
                    continue;
                }
                None => 2,
            };
            aggregates[aggregate].0.add(account);
            aggregates[aggregate].1 += 1;
        }
        let aggregates = labels
            .iter()
            .zip(aggregates)
            .map(|(label, (account, employers))| {
                let shown = employers >= SMALL_CELL_WORKERS_MIN;
                ((*label).to_owned(), shown.then(|| account.row((*label).to_owned(), employers)))
            })
            .collect();
        EmployersYear {
            destination: self.destination(),
            year: self.year(),
            size: self.size(),
            evaluated_on: self.evaluated_on(),
            named,
            aggregates,
        }
    }
}
