//! The coverage reports of one jurisdiction's calendar year: who is covered there, in the year
//! and in each of its quarters, with fixed breakdowns, computed from the log and suppressed
//! together.
//!
//! Reports are asked only of aligned periods (a calendar year or quarter, [`Period`]) and only
//! with the breakdowns below, so that the set of reports the ledger would answer about a year is
//! fixed: the year and its four quarters, each with its total and its lines by corridor (origin),
//! sex, sector, employer size class, and sex by sector; every cell carries the wages declared, so
//! that the lines by sex are the wages by sex. Suppression is computed once over all of them
//! ([`crate::disclosure`]): no difference of two answers, nor any other combination, gives back a
//! suppressed cell.
//!
//! A worker is classed once for the year, and in its quarters the same way, so that quarters add
//! up to the year: her sector is that of most of her contribution months in the year (the lowest
//! code on a tie), her employer the one with most of them (the first reference on a tie), and the
//! employer's size class counts the workers the ledger records for it in the jurisdiction that
//! year. An employer with contributions in domestic work is a household.
//!
//! The report is a pure function of the log's first `size` events: [`Amendments`] reads the
//! reversals and corrections in a first pass, [`YearFold`] the rest in a second, so that memory
//! holds a small summary per worker rather than every contribution. Anyone with an export can
//! compute it again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use ledger_core::{
    Branch, ClaimKind, ClaimOutcome, CostPayer, Currency, Event, Figures, InvalidInput, Jurisdiction, Month,
    Record, Sector, Seq, Sex, WorkerId, MONTH_YEAR_MAX, MONTH_YEAR_MIN,
};
use ledger_rules::Rules;

use crate::disclosure::{self, Cell, Family, Linked};
use crate::reports::coordination_note;
use crate::worker::{ProjectionError, SECTORS};

/// A calendar year or one of its quarters: the only periods reports are asked of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Year(u16),
    Quarter { year: u16, quarter: u8 },
}

impl Period {
    /// Parses `YYYY` or `YYYY-Qn` (n from 1 to 4).
    pub fn parse(text: &str) -> Result<Period, InvalidInput> {
        let refuse = || {
            InvalidInput::new(
                "period",
                format!(
                    "{text:?} is not a calendar year (YYYY) or quarter (YYYY-Q1 to YYYY-Q4) between \
                     {MONTH_YEAR_MIN} and {MONTH_YEAR_MAX}; reports are of aligned periods only"
                ),
            )
        };
        let (year, quarter) = match text.split_once("-Q") {
            Some((year, quarter)) => (year, Some(quarter)),
            None => (text, None),
        };
        if year.len() != 4 || !year.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(refuse());
        }
        let year: u16 = year.parse().map_err(|_| refuse())?;
        if !(MONTH_YEAR_MIN..=MONTH_YEAR_MAX).contains(&year) {
            return Err(refuse());
        }
        match quarter {
            None => Ok(Period::Year(year)),
            Some(quarter @ ("1" | "2" | "3" | "4")) => {
                Ok(Period::Quarter { year, quarter: quarter.parse().map_err(|_| refuse())? })
            }
            Some(_) => Err(refuse()),
        }
    }

    pub fn year(self) -> u16 {
        match self {
            Period::Year(year) | Period::Quarter { year, .. } => year,
        }
    }

    /// The months of the period, as a mask of the year's months (bit 0 is January).
    fn mask(self) -> u16 {
        match self {
            Period::Year(_) => 0x0fff,
            Period::Quarter { quarter, .. } => 0b111 << (3 * (quarter - 1)),
        }
    }

    /// The year, then its quarters: every period the reports of a year are asked of.
    pub fn of_year(year: u16) -> [Period; 5] {
        [
            Period::Year(year),
            Period::Quarter { year, quarter: 1 },
            Period::Quarter { year, quarter: 2 },
            Period::Quarter { year, quarter: 3 },
            Period::Quarter { year, quarter: 4 },
        ]
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Year(year) => write!(f, "{year:04}"),
            Period::Quarter { year, quarter } => write!(f, "{year:04}-Q{quarter}"),
        }
    }
}

/// The reversals and corrections of a log: the first of a report's two passes.
#[derive(Debug, Default)]
pub struct Amendments {
    reversed: HashSet<Seq>,
    /// The figures each corrected contribution has after its last correction.
    corrected: HashMap<Seq, Figures>,
}

impl Amendments {
    pub fn apply(&mut self, record: &Record) {
        match &record.event {
            Event::ContributionReversed(reversal) => {
                self.reversed.insert(reversal.reversed_seq);
            }
            Event::ContributionCorrected(correction) => {
                self.corrected.insert(correction.corrected_seq, correction.after);
            }
            _ => {}
        }
    }
}

/// Contributions paid, by whom, in minor units of the destination's currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paid {
    pub employer: u128,
    pub worker: u128,
}

/// What one worker's year in the jurisdiction comes to.
#[derive(Debug, Default)]
pub(crate) struct WorkerYear {
    /// Months with a live contribution, a credit or a certified period (bit 0 is January).
    pub(crate) covered: u16,
    /// Shares paid, by quarter (0 to 3) and branch.
    paid: BTreeMap<(u8, Branch), Paid>,
    /// Insured wages by month (0 to 11) and branch.
    wages: BTreeMap<(u8, Branch), u128>,
    /// The months of her contributions in each sector.
    pub(crate) sector_months: [u16; SECTORS],
    /// The months of her contributions from each employer.
    pub(crate) employer_months: BTreeMap<String, u16>,
}

/// A recruitment cost paid in the year, for a worker recruited to the jurisdiction.
#[derive(Clone, Debug)]
pub(crate) struct Cost {
    pub(crate) worker_id: WorkerId,
    /// 0 to 3.
    pub(crate) quarter: u8,
    pub(crate) origin: Jurisdiction,
    /// The recruiter: where it is licensed and its licence there.
    pub(crate) recruiter: (Jurisdiction, String),
    pub(crate) employer: Option<String>,
    pub(crate) paid_by: CostPayer,
    pub(crate) currency: Currency,
    pub(crate) amount: u64,
}

/// A claim addressed to the jurisdiction naming months of the year (`months` of them).
#[derive(Clone, Debug)]
pub(crate) struct ClaimYear {
    pub(crate) employer: String,
    pub(crate) kind: ClaimKind,
    pub(crate) months: u32,
    /// As it stands: the agency's answer, or the appeal body's when it upheld the claim.
    pub(crate) outcome: Option<ClaimOutcome>,
    pub(crate) appealed: bool,
    pub(crate) upheld_on_appeal: bool,
}

/// The second pass of a report: one jurisdiction's calendar year, from the log.
#[derive(Debug)]
pub struct YearFold {
    destination: Jurisdiction,
    year: u16,
    amendments: Amendments,
    size: u64,
    last_at: Option<DateTime<Utc>>,
    rules: Option<Rules>,
    people: HashMap<WorkerId, (Jurisdiction, Option<Sex>)>,
    pub(crate) workers: HashMap<WorkerId, WorkerYear>,
    /// Employers by reference, and whether any of their contributions is in domestic work.
    pub(crate) households: HashMap<String, bool>,
    /// Recruitment costs paid in the year by workers recruited here, in log order.
    pub(crate) costs: Vec<Cost>,
    /// Claims addressed here naming months of the year, by seq.
    pub(crate) claims: BTreeMap<Seq, ClaimYear>,
    /// Per employer, its contributions by the whole days from the end of their month to their
    /// recording (0 when recorded within the month), capped at [`REMIT_DAYS_MAX`].
    pub(crate) remit_days: HashMap<String, BTreeMap<u32, u32>>,
}

/// Days to remit above this are counted as this: a contribution a decade late is late enough.
pub const REMIT_DAYS_MAX: u32 = 3_660;

/// The first day after `month`: when its contributions fall due at the latest.
fn first_day_after(month: Month) -> NaiveDate {
    let (year, next) = match month.month() {
        12 => (i32::from(month.year()) + 1, 1),
        month_of_year => (i32::from(month.year()), u32::from(month_of_year) + 1),
    };
    NaiveDate::from_ymd_opt(year, next, 1).unwrap_or(NaiveDate::MAX)
}

fn month_bit(month: Month) -> u16 {
    1 << (month.month() - 1)
}

impl YearFold {
    pub fn new(destination: Jurisdiction, year: u16, amendments: Amendments) -> YearFold {
        YearFold {
            destination,
            year,
            amendments,
            size: 0,
            last_at: None,
            rules: None,
            people: HashMap::new(),
            workers: HashMap::new(),
            households: HashMap::new(),
            costs: Vec::new(),
            claims: BTreeMap::new(),
            remit_days: HashMap::new(),
        }
    }

    /// Folds the next record of the log.
    pub fn apply(&mut self, record: &Record) -> Result<(), ProjectionError> {
        let seq = record.seq;
        if seq.0 != self.size {
            let problem = format!("records must be folded in order from 0; expected {}", self.size);
            return Err(ProjectionError { seq, problem });
        }
        self.size += 1;
        self.last_at = Some(record.recorded_at);
        let (destination, year) = (self.destination, self.year);
        let in_year = |month: Month| month.year() == year;
        match &record.event {
            Event::RulesAdopted(adopted) => self.rules = Some(crate::fold::adopted_rules(seq, adopted)?),
            Event::WorkerEnrolled(e) => {
                self.people.insert(e.worker_id.clone(), (e.origin, e.sex));
            }
            Event::ContributionRecorded(e)
                if e.jurisdiction == destination
                    && in_year(e.month)
                    && !self.amendments.reversed.contains(&seq) =>
            {
                let figures = self.amendments.corrected.get(&seq).copied().unwrap_or_else(|| e.figures());
                let worker = self.workers.entry(e.worker_id.clone()).or_default();
                let bit = month_bit(e.month);
                let index = e.month.month() - 1;
                worker.covered |= bit;
                let paid = worker.paid.entry((index / 3, e.branch)).or_default();
                paid.employer += u128::from(figures.employer_share.get());
                paid.worker += u128::from(figures.worker_share.get());
                *worker.wages.entry((index, e.branch)).or_default() += u128::from(figures.insured_wage.get());
                worker.sector_months[crate::worker::sector_slot(e.sector)] |= bit;
                let employer = e.employer_ref.as_str();
                *worker.employer_months.entry(employer.to_owned()).or_default() |= bit;
                *self.households.entry(employer.to_owned()).or_default() |= e.sector == Sector::DomesticWork;
                let due = first_day_after(e.month);
                let days =
                    (record.recorded_at.date_naive() - due).num_days().clamp(0, i64::from(REMIT_DAYS_MAX));
                let days = u32::try_from(days).unwrap_or(REMIT_DAYS_MAX);
                *self.remit_days.entry(employer.to_owned()).or_default().entry(days).or_default() += 1;
            }
            Event::RecruitmentCostRecorded(e) if e.destination == destination && in_year(e.paid_in) => {
                self.costs.push(Cost {
                    worker_id: e.worker_id.clone(),
                    quarter: (e.paid_in.month() - 1) / 3,
                    origin: e.origin,
                    recruiter: (e.licensed_in, e.licence.as_str().to_owned()),
                    employer: e.employer_ref.as_ref().map(|employer| employer.as_str().to_owned()),
                    paid_by: e.paid_by,
                    currency: e.currency,
                    amount: e.amount.get(),
                });
            }
            Event::ClaimFiled(e) if e.addressed_to == destination => {
                let months = e.months.iter().filter(|month| in_year(**month)).count() as u32;
                if months > 0 {
                    let claim = ClaimYear {
                        employer: e.employer_ref.as_str().to_owned(),
                        kind: e.kind,
                        months,
                        outcome: None,
                        appealed: false,
                        upheld_on_appeal: false,
                    };
                    self.claims.insert(seq, claim);
                }
            }
            Event::ClaimResolved(e) => {
                if let Some(claim) = self.claims.get_mut(&e.claim) {
                    claim.outcome = Some(e.outcome);
                }
            }
            Event::ClaimAppealed(e) => {
                if let Some(claim) = self.claims.get_mut(&e.claim) {
                    claim.appealed = true;
                }
            }
            Event::AppealDecided(e) if e.outcome == ClaimOutcome::Upheld => {
                if let Some(claim) = self.claims.get_mut(&e.claim) {
                    claim.outcome = Some(ClaimOutcome::Upheld);
                    claim.upheld_on_appeal = true;
                }
            }
            Event::PeriodCredited(e) if e.jurisdiction == destination => {
                let months = (e.from.ordinal()..=e.to.ordinal()).filter_map(|o| Month::from_ordinal(o).ok());
                self.cover(&e.worker_id, months.filter(|month| in_year(*month)));
            }
            Event::PeriodCertified(e) if e.jurisdiction == destination => {
                let months: Vec<Month> = e.counted_months().filter(|month| in_year(*month)).collect();
                self.cover(&e.worker_id, months.into_iter());
            }
            _ => {}
        }
        Ok(())
    }

    fn cover(&mut self, worker_id: &WorkerId, months: impl Iterator<Item = Month>) {
        let mask = months.fold(0, |mask, month| mask | month_bit(month));
        if mask != 0 {
            self.workers.entry(worker_id.clone()).or_default().covered |= mask;
        }
    }

    pub fn destination(&self) -> Jurisdiction {
        self.destination
    }

    pub fn year(&self) -> u16 {
        self.year
    }

    /// Events folded: the log's first `size`.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The day of the last event folded.
    pub fn evaluated_on(&self) -> Option<NaiveDate> {
        self.last_at.map(|at| at.date_naive())
    }

    /// The reports of the year and its quarters, suppressed together.
    pub fn finish(&self) -> CoverageYear {
        let origins: Vec<Jurisdiction> =
            self.rules.iter().flat_map(|rules| rules.jurisdictions().map(|entry| entry.code)).collect();
        let layout = Layout { origins: origins.len() };
        let classes = self.classes(&origins);
        let lines = layout.lines();
        let periods = Period::of_year(self.year);
        let mut figures = vec![CoverageCell::default(); periods.len() * lines.len()];
        for (worker, class) in &classes {
            for (p, period) in periods.iter().enumerate() {
                let Some(cell) = self.worker_cell(worker, *period) else { continue };
                for (l, line) in lines.iter().enumerate() {
                    if line.admits(class) {
                        figures[p * lines.len() + l].add(&cell);
                    }
                }
            }
        }
        let linked = layout.linked(&periods, &lines, &figures);
        let hidden = disclosure::suppress(&linked);
        let evaluated_on = self.last_at.map(|at| at.date_naive());
        let note = |origin: Jurisdiction| match (&self.rules, evaluated_on) {
            (Some(rules), Some(on)) => Some(coordination_note(rules, origin, self.destination, on)),
            _ => None,
        };
        let reports = periods
            .iter()
            .enumerate()
            .map(|(p, period)| {
                let row = |l: usize| {
                    let index = p * lines.len() + l;
                    let (label, sector, note) = match lines[l] {
                        Line::Origin(o) => (origins[o].to_string(), None, note(origins[o])),
                        Line::SexSector(s, k) => (sex_label(s).into(), Some(sector_label(k).into()), None),
                        line => (line.label().into(), None, None),
                    };
                    let cell = (!hidden[index]).then(|| figures[index].clone());
                    CoverageRow { label, sector, note, cell }
                };
                let rows = |keep: fn(&Line) -> bool| {
                    (0..lines.len()).filter(|l| keep(&lines[*l])).map(row).collect::<Vec<_>>()
                };
                PeriodCoverage {
                    period: *period,
                    total: row(0).cell,
                    by_origin: rows(|line| matches!(line, Line::Origin(_))),
                    by_sex: rows(|line| matches!(line, Line::Sex(_))),
                    by_sector: rows(|line| matches!(line, Line::Sector(_))),
                    by_employer_size: rows(|line| matches!(line, Line::Size(_))),
                    by_sex_and_sector: rows(|line| matches!(line, Line::SexSector(..))),
                }
            })
            .collect();
        CoverageYear {
            destination: self.destination,
            year: self.year,
            size: self.size,
            evaluated_on,
            currency: self.rules.as_ref().and_then(|rules| rules.currency_of(self.destination)),
            periods: reports,
        }
    }

    /// Each covered worker's class for the year.
    fn classes(&self, origins: &[Jurisdiction]) -> Vec<(&WorkerYear, Class)> {
        let mut employer_workers: HashMap<&str, u32> = HashMap::new();
        for worker in self.workers.values() {
            for employer in worker.employer_months.keys() {
                *employer_workers.entry(employer.as_str()).or_default() += 1;
            }
        }
        let mut classes: Vec<(&WorkerId, &WorkerYear, Class)> = self
            .workers
            .iter()
            .filter(|(_, worker)| worker.covered != 0)
            .map(|(worker_id, worker)| {
                let (origin, sex) = self.people.get(worker_id).copied().unwrap_or((self.destination, None));
                let origin = origins.iter().position(|o| *o == origin).unwrap_or(origins.len());
                let sex = sex.map_or(SEXES - 1, |sex| usize::from(sex.code()) - 1);
                let sector = most_months(worker.sector_months.iter().enumerate()).unwrap_or(SECTOR_LINES - 1);
                let size =
                    most_months(worker.employer_months.iter()).map_or(SIZE_CLASSES.len() - 1, |employer| {
                        match self.households.get(employer.as_str()) {
                            Some(true) => 0,
                            _ => size_class(employer_workers.get(employer.as_str()).copied().unwrap_or(0)),
                        }
                    });
                (worker_id, worker, Class { origin, sex, sector, size })
            })
            .collect();
        // In the order of worker ids, so that the fold's result does not depend on a hash seed.
        classes.sort_by(|a, b| a.0.cmp(b.0));
        classes.into_iter().map(|(_, worker, class)| (worker, class)).collect()
    }

    /// One worker's figures in `period`, if she was covered in it.
    fn worker_cell(&self, worker: &WorkerYear, period: Period) -> Option<CoverageCell> {
        let mask = period.mask();
        let covered = worker.covered & mask;
        if covered == 0 {
            return None;
        }
        let mut cell =
            CoverageCell { workers: 1, months: u64::from(covered.count_ones()), ..Default::default() };
        for ((quarter, branch), paid) in &worker.paid {
            if mask & (0b111 << (3 * quarter)) != 0 {
                let sum = cell.by_branch.entry(*branch).or_default();
                sum.employer += paid.employer;
                sum.worker += paid.worker;
            }
        }
        // A month's wage is the largest of its branches' (the same wage is insured in each).
        let mut month_wages: BTreeMap<u8, u128> = BTreeMap::new();
        for ((month, _), wage) in &worker.wages {
            if mask & (1 << month) != 0 {
                let largest = month_wages.entry(*month).or_default();
                *largest = (*largest).max(*wage);
            }
        }
        cell.wage_months = month_wages.len() as u64;
        cell.wages = month_wages.values().sum();
        Some(cell)
    }
}

/// The key with the most months; the first on a tie.
fn most_months<K: Clone>(months: impl Iterator<Item = (K, impl std::borrow::Borrow<u16>)>) -> Option<K> {
    let mut best: Option<(K, u32)> = None;
    for (key, mask) in months {
        let count = mask.borrow().count_ones();
        if count > 0 && best.as_ref().is_none_or(|(_, most)| count > *most) {
            best = Some((key, count));
        }
    }
    best.map(|(key, _)| key)
}

/// The labels of employer size classes, by the workers the ledger records for an employer in the
/// jurisdiction and year; the last is the workers with credited or certified months only.
pub const SIZE_CLASSES: [&str; 6] = [
    "household",
    "1 to 9 workers",
    "10 to 49 workers",
    "50 to 249 workers",
    "250 workers or more",
    NO_SECTOR_LABEL,
];

fn size_class(workers: u32) -> usize {
    match workers {
        0..=9 => 1,
        10..=49 => 2,
        50..=249 => 3,
        _ => 4,
    }
}

/// The label of workers whose covered months are all credited or certified, with no contribution
/// and so no sector and no employer.
pub const NO_SECTOR_LABEL: &str = "credited or certified months only";
/// The label of workers who did not declare their sex.
pub const SEX_NOT_DECLARED_LABEL: &str = "not declared";

const SEXES: usize = 4;
const SECTOR_LINES: usize = SECTORS + 1;

fn sex_label(index: usize) -> &'static str {
    Sex::ALL.get(index).map_or(SEX_NOT_DECLARED_LABEL, |sex| sex.label())
}

fn sector_label(index: usize) -> &'static str {
    Sector::ALL.get(index).map_or(NO_SECTOR_LABEL, |sector| sector.label())
}

/// A worker's class: indexes of her origin (the rules' jurisdictions, then any other), sex,
/// sector and employer size class.
#[derive(Clone, Copy, Debug)]
struct Class {
    origin: usize,
    sex: usize,
    sector: usize,
    size: usize,
}

/// A line of a period's report.
#[derive(Clone, Copy, Debug)]
enum Line {
    Total,
    Origin(usize),
    Sex(usize),
    Sector(usize),
    Size(usize),
    SexSector(usize, usize),
}

impl Line {
    fn admits(self, class: &Class) -> bool {
        match self {
            Line::Total => true,
            Line::Origin(origin) => class.origin == origin,
            Line::Sex(sex) => class.sex == sex,
            Line::Sector(sector) => class.sector == sector,
            Line::Size(size) => class.size == size,
            Line::SexSector(sex, sector) => class.sex == sex && class.sector == sector,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Line::Total => "total",
            Line::Sex(sex) => sex_label(sex),
            Line::Sector(sector) => sector_label(sector),
            Line::Size(size) => SIZE_CLASSES[size],
            // Labelled by the caller: they name a jurisdiction, or two things.
            Line::Origin(_) | Line::SexSector(..) => "",
        }
    }
}

/// The coordinates of a year's reports. Every cell is a sum over classes of workers in a quarter;
/// each line is a function of at most the origin, the sex and sector, or the size class, so a
/// cell is the quarter's `f(origin) + g(sex, sector) + h(size)` for the right f, g and h, and
/// those functions' values are the coordinates: per quarter, one per origin (and one for origins
/// not in the rules), one per sex and sector, one per size class. A constant moved from f to g,
/// or from g to h, is the same function of the classes: those are the kernel.
struct Layout {
    origins: usize,
}

impl Layout {
    fn lines(&self) -> Vec<Line> {
        let mut lines = vec![Line::Total];
        lines.extend((0..self.origins).map(Line::Origin));
        lines.extend((0..SEXES).map(Line::Sex));
        lines.extend((0..SECTOR_LINES).map(Line::Sector));
        lines.extend((0..SIZE_CLASSES.len()).map(Line::Size));
        lines.extend(
            (0..SEXES).flat_map(|sex| (0..SECTOR_LINES).map(move |sector| Line::SexSector(sex, sector))),
        );
        lines
    }

    /// Coordinates per quarter: origins with the others, sex by sector, size classes.
    fn block(&self) -> usize {
        self.origins + 1 + SEXES * SECTOR_LINES + SIZE_CLASSES.len()
    }

    /// The line's function within one quarter's block.
    fn quarter_vector(&self, line: Line, block: &mut [i64]) {
        let f = 0..self.origins + 1;
        let g = |sex: usize, sector: usize| self.origins + 1 + sex * SECTOR_LINES + sector;
        let h = |size: usize| self.origins + 1 + SEXES * SECTOR_LINES + size;
        match line {
            Line::Total => f.for_each(|at| block[at] = 1),
            Line::Origin(origin) => block[origin] = 1,
            Line::Sex(sex) => (0..SECTOR_LINES).for_each(|sector| block[g(sex, sector)] = 1),
            Line::Sector(sector) => (0..SEXES).for_each(|sex| block[g(sex, sector)] = 1),
            Line::Size(size) => block[h(size)] = 1,
            Line::SexSector(sex, sector) => block[g(sex, sector)] = 1,
        }
    }

    fn linked(&self, periods: &[Period], lines: &[Line], figures: &[CoverageCell]) -> Linked {
        let block = self.block();
        let mut cells = Vec::with_capacity(figures.len());
        for period in periods {
            for line in lines {
                let mut vector = vec![0; 4 * block];
                for quarter in 0..4 {
                    if period.mask() & (0b111 << (3 * quarter)) != 0 {
                        self.quarter_vector(*line, &mut vector[quarter * block..(quarter + 1) * block]);
                    }
                }
                let figure = &figures[cells.len()];
                cells.push(Cell { vector, workers: figure.workers, measure: u128::from(figure.months) });
            }
        }
        let at = |p: usize, l: usize| p * lines.len() + l;
        let find =
            |want: fn(&Line) -> bool| (0..lines.len()).filter(|l| want(&lines[*l])).collect::<Vec<_>>();
        let mut families = Vec::new();
        for p in 0..periods.len() {
            let breakdowns = [
                find(|line| matches!(line, Line::Origin(_))),
                find(|line| matches!(line, Line::Sex(_))),
                find(|line| matches!(line, Line::Sector(_))),
                find(|line| matches!(line, Line::Size(_))),
            ];
            for children in breakdowns {
                families.push(Family {
                    parent: at(p, 0),
                    children: children.iter().map(|l| at(p, *l)).collect(),
                });
            }
            for (l, line) in lines.iter().enumerate() {
                let children: Vec<usize> = match line {
                    Line::Sex(sex) => {
                        find_all(lines, |other| matches!(other, Line::SexSector(s, _) if s == sex))
                    }
                    Line::Sector(sector) => {
                        find_all(lines, |other| matches!(other, Line::SexSector(_, k) if k == sector))
                    }
                    _ => continue,
                };
                families.push(Family {
                    parent: at(p, l),
                    children: children.iter().map(|c| at(p, *c)).collect(),
                });
            }
        }
        // The year (period 0) and its quarters, line by line.
        for l in 0..lines.len() {
            families
                .push(Family { parent: at(0, l), children: (1..periods.len()).map(|p| at(p, l)).collect() });
        }
        let mut kernel = Vec::new();
        for quarter in 0..4 {
            let start = quarter * block;
            let (f, g, h) = (self.origins + 1, SEXES * SECTOR_LINES, SIZE_CLASSES.len());
            let mut f_less_g = vec![0; 4 * block];
            let mut g_less_h = vec![0; 4 * block];
            f_less_g[start..start + f].fill(1);
            f_less_g[start + f..start + f + g].fill(-1);
            g_less_h[start + f..start + f + g].fill(1);
            g_less_h[start + f + g..start + f + g + h].fill(-1);
            kernel.extend([f_less_g, g_less_h]);
        }
        Linked { cells, families, kernel }
    }
}

fn find_all(lines: &[Line], want: impl Fn(&Line) -> bool) -> Vec<usize> {
    (0..lines.len()).filter(|l| want(&lines[*l])).collect()
}

/// The figures of one group of workers in one period.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CoverageCell {
    /// Workers with at least one covered month in the period.
    pub workers: u32,
    /// Their covered months (a contribution, a credit or a certified period, any branch), each
    /// month of each worker once.
    pub months: u64,
    /// Contributions paid, by branch.
    pub by_branch: BTreeMap<Branch, Paid>,
    /// Insured wages declared: each month of each worker once (the largest of its branches).
    pub wages: u128,
    /// The months those wages are of.
    pub wage_months: u64,
}

impl CoverageCell {
    fn add(&mut self, other: &CoverageCell) {
        self.workers += other.workers;
        self.months += other.months;
        for (branch, paid) in &other.by_branch {
            let sum = self.by_branch.entry(*branch).or_default();
            sum.employer += paid.employer;
            sum.worker += paid.worker;
        }
        self.wages += other.wages;
        self.wage_months += other.wage_months;
    }
}

/// One line of a breakdown; `cell` is `None` when it is suppressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageRow {
    /// The origin, sex, sector or size class; for sex by sector, the sex.
    pub label: String,
    /// For sex by sector, the sector.
    pub sector: Option<String>,
    /// For origins: how the origin and the destination coordinate ("home", agreement ids, or "no
    /// agreement").
    pub note: Option<String>,
    pub cell: Option<CoverageCell>,
}

/// The report of one period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodCoverage {
    pub period: Period,
    /// `None` when suppressed: fewer than five workers covered in all suppress every line too.
    pub total: Option<CoverageCell>,
    /// The corridors into the jurisdiction: one line per jurisdiction of the rules.
    pub by_origin: Vec<CoverageRow>,
    pub by_sex: Vec<CoverageRow>,
    pub by_sector: Vec<CoverageRow>,
    pub by_employer_size: Vec<CoverageRow>,
    pub by_sex_and_sector: Vec<CoverageRow>,
}

/// The reports of one jurisdiction's year and its quarters, as of the log's first `size` events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageYear {
    pub destination: Jurisdiction,
    pub year: u16,
    /// The events the report is computed from: the log's first `size`.
    pub size: u64,
    /// The day of the last of them: agreements are noted as in force then.
    pub evaluated_on: Option<NaiveDate>,
    /// The destination's currency, in which every amount is.
    pub currency: Option<Currency>,
    /// The year, then its four quarters.
    pub periods: Vec<PeriodCoverage>,
}

impl CoverageYear {
    /// The report of one period of the year.
    pub fn period(&self, period: Period) -> Option<&PeriodCoverage> {
        self.periods.iter().find(|report| report.period == period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_calendar_years_and_quarters() {
        assert_eq!(Period::parse("2025"), Ok(Period::Year(2025)));
        assert_eq!(Period::parse("2025-Q3"), Ok(Period::Quarter { year: 2025, quarter: 3 }));
        for text in ["2025-01", "2025-Q0", "2025-Q5", "2025-Q", "25", "2025-H1", "1899", "+202", "2025-Q1 "] {
            assert!(Period::parse(text).is_err(), "{text}");
        }
        assert_eq!(Period::Quarter { year: 2025, quarter: 4 }.to_string(), "2025-Q4");
        assert_eq!(Period::Quarter { year: 2025, quarter: 2 }.mask(), 0b111_000);
    }
}
