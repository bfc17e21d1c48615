//! Suppression across every report of a year: random populations working in Spain in 2025,
//! folded from their log into the year's reports and each quarter's, and then attacked with every
//! answer at once. No difference or sum of two answers, no random combination of several, no
//! linear combination at all, and no parent less its published parts may pin down a suppressed
//! cell; and the published figures are the population's.

mod attacker;
mod common;

use std::collections::{BTreeMap, BTreeSet};

use attacker::{Answer, Attacker, Line, Random, Universe};
use chrono::{DateTime, TimeZone, Utc};
use ledger_core::{
    sha256, Branch, ChainHash, ContributionRecorded, ContributionReversed, CreditKind, Event, Insurance,
    Jurisdiction, MinorUnits, Month, PeriodCredited, Record, RulesAdopted, Sector, Seq, Sex, Text,
    WorkerEnrolled, WorkerId,
};
use ledger_projections::coverage::{
    Amendments, CoverageRow, CoverageYear, Period, YearFold, NO_SECTOR_LABEL, SEX_NOT_DECLARED_LABEL,
    SIZE_CLASSES,
};
use ledger_rules::{Rules, SAMPLE_RULES_TOML};
use proptest::prelude::*;

const YEAR: u16 = 2025;
/// Origins of the population: four of the rules' jurisdictions, Spain itself, and one the rules
/// do not know (counted in totals, with no line of its own).
const ORIGINS: [&str; 6] = ["PH", "ID", "NP", "TH", "ES", "KE"];
/// Employers by reference and the sector they declare: the first two are households.
const EMPLOYERS: [(&str, Sector); 6] = [
    ("ES-HOGAR-0001", Sector::DomesticWork),
    ("ES-HOGAR-0002", Sector::DomesticWork),
    ("ES-B12345678", Sector::Agriculture),
    ("ES-B87654321", Sector::Care),
    ("ES-A11111111", Sector::Construction),
    ("ES-A22222222", Sector::Hospitality),
];

/// A stretch of months with one employer: from month `first` of 2025 (0 is January; negative
/// ones start in 2024) for `months` months.
#[derive(Clone, Debug)]
struct Stint {
    employer: usize,
    first: i32,
    months: u32,
    wage: i64,
    /// The stint's last contribution is reversed.
    last_reversed: bool,
}

#[derive(Clone, Debug)]
struct Person {
    origin: usize,
    sex: Option<Sex>,
    stints: Vec<Stint>,
    /// Months of 2025 credited (maternity), first and count.
    credited: Option<(u8, u8)>,
}

fn person() -> impl Strategy<Value = Person> {
    let stint = (0..EMPLOYERS.len(), -3i32..12, 1u32..=12, 80_000i64..400_000, proptest::bool::weighted(0.1))
        .prop_map(|(employer, first, months, wage, last_reversed)| Stint {
            employer,
            first,
            months,
            wage,
            last_reversed,
        });
    let sex = prop_oneof![Just(Some(Sex::Female)), Just(Some(Sex::Male)), Just(Some(Sex::Other)), Just(None)];
    let credited = proptest::option::weighted(0.1, (0u8..12, 1u8..4));
    // Weighted towards few origins, so that cells sit around the threshold.
    let origin = prop_oneof![4 => Just(0usize), 2 => Just(1usize), 1 => 2usize..ORIGINS.len()];
    (origin, sex, proptest::collection::vec(stint, 0..3), credited)
        .prop_map(|(origin, sex, stints, credited)| Person { origin, sex, stints, credited })
}

fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|error| panic!("fixed test value rejected: {error:?}"))
}

fn code(text: &str) -> Jurisdiction {
    ok(Jurisdiction::parse(text))
}

/// A log as the writer would record it.
struct Log {
    records: Vec<Record>,
    chain: ChainHash,
    at: DateTime<Utc>,
}

impl Log {
    /// A log that starts with the sample rules' adoption.
    fn new() -> Log {
        let at = Utc.timestamp_opt(1_767_225_600, 0).single().expect("a time");
        let mut log = Log { records: Vec::new(), chain: ChainHash::GENESIS, at };
        log.push(Event::RulesAdopted(RulesAdopted {
            digest: sha256(SAMPLE_RULES_TOML.as_bytes()),
            document: SAMPLE_RULES_TOML.into(),
        }));
        log
    }

    /// Enrols worker `index` (her id follows from it) from `origin`, in Spain.
    fn enrol(&mut self, index: usize, origin: &str, sex: Option<Sex>) -> WorkerId {
        let mut id = [0u8; 10];
        id[..8].copy_from_slice(&(index as u64 + 1).to_be_bytes());
        let worker_id = WorkerId::from_random(id);
        self.push(Event::WorkerEnrolled(WorkerEnrolled {
            worker_id: worker_id.clone(),
            origin: code(origin),
            enrolled_in: code("ES"),
            sex,
            birth_month: None,
        }));
        worker_id
    }

    fn push(&mut self, event: Event) -> Seq {
        common::append(&mut self.records, &mut self.chain, self.at, "agency-es", event)
    }
}

fn month(first: i32, offset: u32) -> Month {
    let ordinal = i64::from(YEAR) * 12 + i64::from(first) + i64::from(offset);
    ok(Month::from_ordinal(ok(u32::try_from(ordinal))))
}

fn log_of(people: &[Person]) -> Vec<Record> {
    let mut log = Log::new();
    for (index, person) in people.iter().enumerate() {
        let worker_id = log.enrol(index, ORIGINS[person.origin], person.sex);
        for stint in &person.stints {
            let (employer, sector) = EMPLOYERS[stint.employer];
            let mut last = None;
            for offset in 0..stint.months {
                last = Some(log.push(Event::ContributionRecorded(ContributionRecorded {
                    worker_id: worker_id.clone(),
                    jurisdiction: code("ES"),
                    branch: Branch::OldAge,
                    month: month(stint.first, offset),
                    currency: ok(ledger_core::Currency::parse("EUR")),
                    insured_wage: ok(MinorUnits::new("wage", stint.wage)),
                    employer_share: ok(MinorUnits::new("employer", stint.wage / 5)),
                    worker_share: ok(MinorUnits::new("worker", stint.wage / 20)),
                    employer_ref: ok(Text::parse("employer_ref", employer, 64)),
                    sector,
                    insurance: Insurance::Compulsory,
                })));
            }
            if let (true, Some(seq)) = (stint.last_reversed, last) {
                log.push(Event::ContributionReversed(ContributionReversed {
                    reversed_seq: seq,
                    worker_id: worker_id.clone(),
                    jurisdiction: code("ES"),
                    reason: ok(Text::parse("reason", "declared twice", 200)),
                }));
            }
        }
        if let Some((first, count)) = person.credited {
            log.push(Event::PeriodCredited(PeriodCredited {
                worker_id: worker_id.clone(),
                jurisdiction: code("ES"),
                branch: Branch::OldAge,
                from: month(i32::from(first), 0),
                to: month(i32::from(first), u32::from(count) - 1),
                kind: CreditKind::Maternity,
            }));
        }
    }
    log.records
}

fn fold(records: &[Record]) -> CoverageYear {
    let mut amendments = Amendments::default();
    records.iter().for_each(|record| amendments.apply(record));
    let mut year = YearFold::new(code("ES"), YEAR, amendments);
    for record in records {
        year.apply(record).expect("the log folds");
    }
    year.finish()
}

fn universe() -> Universe {
    let rules = Rules::sample();
    let mut origins: Vec<String> = rules.jurisdictions().map(|j| j.code.to_string()).collect();
    origins.push("(any other)".into());
    let sexes =
        Sex::ALL.iter().map(|s| s.label().to_owned()).chain([SEX_NOT_DECLARED_LABEL.into()]).collect();
    let sectors = Sector::ALL.iter().map(|s| s.label().to_owned()).chain([NO_SECTOR_LABEL.into()]).collect();
    Universe { origins, sexes, sectors, sizes: SIZE_CLASSES.iter().map(|s| s.to_string()).collect() }
}

/// Every answer of the year's reports, as the attacker sees them.
fn answers(year: &CoverageYear) -> Vec<Answer> {
    let mut answers = Vec::new();
    for period in &year.periods {
        let name = period.period.to_string();
        let figures = |cell: &Option<ledger_projections::coverage::CoverageCell>| {
            cell.as_ref().map(|cell| (cell.workers, cell.months))
        };
        let mut push = |line: Line, cell: &Option<_>| {
            answers.push(Answer { period: name.clone(), line, figures: figures(cell) })
        };
        push(Line::Total, &period.total);
        let rows = |rows: &[CoverageRow], line: fn(&CoverageRow) -> Line| {
            rows.iter().map(|row| (line(row), row.cell.clone())).collect::<Vec<_>>()
        };
        for (line, cell) in rows(&period.by_origin, |row| Line::Origin(row.label.clone()))
            .into_iter()
            .chain(rows(&period.by_sex, |row| Line::Sex(row.label.clone())))
            .chain(rows(&period.by_sector, |row| Line::Sector(row.label.clone())))
            .chain(rows(&period.by_employer_size, |row| Line::Size(row.label.clone())))
            .chain(rows(&period.by_sex_and_sector, |row| {
                Line::SexSector(row.label.clone(), row.sector.clone().unwrap_or_default())
            }))
        {
            push(line, &cell);
        }
    }
    answers
}

/// The population's own figures for 2025 by quarter, worked out from its description rather than
/// its log: each person's covered months, with the reversed ones taken out.
fn covered_months(person: &Person) -> BTreeSet<Month> {
    let mut contributions: BTreeMap<Month, u32> = BTreeMap::new();
    for stint in &person.stints {
        let kept = stint.months - u32::from(stint.last_reversed);
        for offset in 0..kept {
            *contributions.entry(month(stint.first, offset)).or_default() += 1;
        }
    }
    let mut months: BTreeSet<Month> = contributions.into_keys().collect();
    if let Some((first, count)) = person.credited {
        months.extend((0..u32::from(count)).map(|offset| month(i32::from(first), offset)));
    }
    months.retain(|month| month.year() == YEAR);
    months
}

fn in_period(month: Month, period: Period) -> bool {
    match period {
        Period::Year(year) => month.year() == year,
        Period::Quarter { year, quarter } => month.year() == year && (month.month() - 1) / 3 + 1 == quarter,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn no_combination_of_a_years_answers_pins_down_a_suppressed_cell(
        people in proptest::collection::vec(person(), 0..400),
        seed in any::<u64>(),
    ) {
        let year = fold(&log_of(&people));
        let answers = answers(&year);
        let universe = universe();
        let attacker = Attacker::new(&universe, &answers, "2025");
        let found = attacker.differences(20_000, &mut Random(seed));
        prop_assert!(found.is_empty(), "differences pin down {found:#?}");
        let found = attacker.empty_by_difference();
        prop_assert!(found.is_empty(), "{found:#?}");
        let found = attacker.linear();
        prop_assert!(found.is_empty(), "{found:#?}");

        // What is published is the population's.
        for period in &year.periods {
            let covered: Vec<(&Person, usize)> = people
                .iter()
                .map(|person| (person, covered_months(person).into_iter().filter(|m| in_period(*m, period.period)).count()))
                .filter(|(_, months)| *months > 0)
                .collect();
            let workers = covered.len() as u32;
            let months: u64 = covered.iter().map(|(_, months)| *months as u64).sum();
            if let Some(total) = &period.total {
                prop_assert_eq!((total.workers, total.months), (workers, months));
            }
            for row in &period.by_origin {
                let Some(cell) = &row.cell else { continue };
                let of_origin = covered.iter().filter(|(p, _)| ORIGINS[p.origin] == row.label);
                prop_assert_eq!(cell.workers as usize, of_origin.count(), "{} {}", period.period, row.label);
                prop_assert!(cell.workers >= 5);
            }
        }
    }
}

/// The attacker is not toothless: a year whose fourth quarter alone is suppressed is found at
/// once, as the year less its first three quarters.
#[test]
fn the_attacker_finds_a_quarter_that_is_the_year_less_the_others() {
    let universe = universe();
    let mut answers = Vec::new();
    for (period, figures) in
        [("2025", Some((20, 120))), ("2025-Q1", Some((9, 27))), ("2025-Q2", Some((8, 24)))]
            .into_iter()
            .chain([("2025-Q3", Some((7, 21))), ("2025-Q4", None)])
    {
        answers.push(Answer { period: period.into(), line: Line::Total, figures });
    }
    let attacker = Attacker::new(&universe, &answers, "2025");
    let found = attacker.linear();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].cell.starts_with("2025-Q4"), "{found:?}");
    // Random signed combinations find it too, with its months: 120 - 27 - 24 - 21.
    let found = attacker.differences(20_000, &mut Random(7));
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|finding| finding.cell.starts_with("2025-Q4") && finding.months == 48),
        "{found:?}"
    );
}

/// One worker's recruitment costs: her origin, and (recruiter, employer, quarter, payer) per cost.
#[derive(Clone, Debug)]
struct Recruited {
    origin: usize,
    costs: Vec<(usize, usize, u8, ledger_core::CostPayer)>,
}

fn recruited() -> impl Strategy<Value = Recruited> {
    let payer = prop_oneof![
        Just(ledger_core::CostPayer::Worker),
        Just(ledger_core::CostPayer::Loan),
        Just(ledger_core::CostPayer::Employer)
    ];
    let cost = (0..4usize, 0..4usize, 0..4u8, payer);
    (0..3usize, proptest::collection::vec(cost, 1..3)).prop_map(|(origin, costs)| Recruited { origin, costs })
}

/// A log of recruitment costs to Spain in 2025, with a contribution of each worker from the
/// employer her first cost names: the first employer is a household, the others businesses.
fn recruitment_log(people: &[Recruited]) -> Vec<Record> {
    let mut log = Log::new();
    for (index, person) in people.iter().enumerate() {
        let origin = ["PH", "ID", "NP"][person.origin];
        let worker_id = log.enrol(index, origin, None);
        // A month's contribution from the employer of her first cost, in its sector.
        let (employer, sector) = EMPLOYERS[person.costs[0].1 + 1];
        log.push(Event::ContributionRecorded(ContributionRecorded {
            worker_id: worker_id.clone(),
            jurisdiction: code("ES"),
            branch: Branch::OldAge,
            month: month(6, 0),
            currency: ok(ledger_core::Currency::parse("EUR")),
            insured_wage: ok(MinorUnits::new("wage", 150_000)),
            employer_share: ok(MinorUnits::new("employer", 30_000)),
            worker_share: ok(MinorUnits::new("worker", 7_500)),
            employer_ref: ok(Text::parse("employer_ref", employer, 64)),
            sector,
            insurance: Insurance::Compulsory,
        }));
        for (recruiter, employer, quarter, paid_by) in &person.costs {
            let (employer, _) = EMPLOYERS[employer + 1];
            log.push(Event::RecruitmentCostRecorded(ledger_core::RecruitmentCostRecorded {
                worker_id: worker_id.clone(),
                origin: code(origin),
                destination: code("ES"),
                licensed_in: code("PH"),
                licence: ok(Text::parse("licence", &format!("LIC-{recruiter}"), 64)),
                purpose: ledger_core::RecruitmentPurpose::Fee,
                currency: ok(ledger_core::Currency::parse("EUR")),
                amount: ok(MinorUnits::new("amount", 50_000 + 10_000 * *recruiter as i64)),
                paid_by: *paid_by,
                lender: (*paid_by == ledger_core::CostPayer::Loan)
                    .then(|| ok(Text::parse("lender", "LENDER-1", 64))),
                employer_ref: Some(ok(Text::parse("employer_ref", employer, 64))),
                paid_in: month(i32::from(*quarter) * 3, 0),
                evidence_sha256: [1; 32],
                declared: false,
            }));
        }
    }
    log.records
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// The employer-pays reports of a year and its quarters, attacked like the coverage reports:
    /// corridors, recruiters and employers are the attributes, every worker of a quarter one atom.
    #[test]
    fn no_combination_of_a_years_employer_pays_answers_pins_down_a_suppressed_cell(
        people in proptest::collection::vec(recruited(), 0..120),
        seed in any::<u64>(),
    ) {
        let records = recruitment_log(&people);
        let mut amendments = Amendments::default();
        records.iter().for_each(|record| amendments.apply(record));
        let mut fold = YearFold::new(code("ES"), YEAR, amendments);
        for record in &records {
            fold.apply(record).expect("the log folds");
        }
        let year = fold.employer_pays();
        let mut answers = Vec::new();
        for period in &year.periods {
            let figures = |cell: &Option<ledger_projections::employer_pays::CostCell>| {
                cell.as_ref().map(|cell| (cell.workers, u64::from(cell.workers)))
            };
            let name = period.period.to_string();
            answers.push(Answer { period: name.clone(), line: Line::Total, figures: figures(&period.total) });
            for (rows, line) in [
                (&period.by_corridor, Line::Origin as fn(String) -> Line),
                (&period.by_recruiter, Line::Sex as fn(String) -> Line),
                (&period.by_employer, Line::Sector as fn(String) -> Line),
            ] {
                for row in rows {
                    answers.push(Answer { period: name.clone(), line: line(row.label.clone()), figures: figures(&row.cell) });
                }
            }
            // Shown lines are never of fewer than five workers.
            for row in period.by_corridor.iter().chain(&period.by_recruiter).chain(&period.by_employer) {
                prop_assert!(row.cell.as_ref().is_none_or(|cell| cell.workers >= 5));
            }
        }
        let labels = |rows: &[ledger_projections::employer_pays::CostRow]| {
            rows.iter().map(|row| row.label.clone()).collect::<Vec<_>>()
        };
        let universe = Universe {
            origins: labels(&year.periods[0].by_corridor),
            sexes: labels(&year.periods[0].by_recruiter),
            sectors: labels(&year.periods[0].by_employer),
            sizes: vec!["-".into()],
        };
        if universe.origins.is_empty() {
            return Ok(());
        }
        let attacker = Attacker::new(&universe, &answers, "2025");
        let found = attacker.differences(10_000, &mut Random(seed));
        prop_assert!(found.is_empty(), "differences pin down {found:#?}");
        let found = attacker.linear();
        prop_assert!(found.is_empty(), "{found:#?}");
    }
}
