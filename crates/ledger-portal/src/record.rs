//! Her record month by month, folded from her statement: in each country, from her first month
//! there to her last, what each employer declared (the wage as corrected, reversals taken out),
//! the months credited without a contribution, and the months with nothing, each a possible claim.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ledger_proto::v1 as pb;

/// Months shown per country: thirty years. Older months are summed up, not listed.
pub const MONTHS_SHOWN_MAX: usize = 360;

/// What one employer declared for one month (the old-age branch's figures, or the first branch's
/// when there is no old-age contribution).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub employer: String,
    pub wage: pb::Money,
    pub corrected: bool,
}

/// One month of her record in one country.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthRecord {
    pub declared: Vec<Declared>,
    /// Credited without a contribution (maternity, unemployment, voluntary insurance...).
    pub credited: bool,
}

impl MonthRecord {
    pub fn is_gap(&self) -> bool {
        self.declared.is_empty() && !self.credited
    }
}

/// A live contribution as the fold holds it.
struct Live {
    jurisdiction: String,
    month: (i32, u32),
    branch: i32,
    declared: Declared,
}

/// A country, a month and an employer.
type EmployerMonth = (String, (i32, u32), String);

/// A month as the ledger writes it, "YYYY-MM", as (year, month).
pub fn parse_month(text: &str) -> Option<(i32, u32)> {
    let month = ledger_core::Month::parse(text).ok()?;
    Some((i32::from(month.year()), u32::from(month.month())))
}

fn next((year, month): (i32, u32)) -> (i32, u32) {
    if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    }
}

/// Her months per country, from the first to the last with anything recorded, gaps included.
pub fn months(entries: &[pb::StatementEntry]) -> BTreeMap<String, BTreeMap<(i32, u32), MonthRecord>> {
    use pb::event::Kind;
    let mut live: BTreeMap<u64, Live> = BTreeMap::new();
    let mut credited: BTreeSet<(String, (i32, u32))> = BTreeSet::new();
    for entry in entries {
        let seq = entry.receipt.as_ref().map_or(0, |receipt| receipt.seq);
        match entry.event.as_ref().and_then(|event| event.kind.as_ref()) {
            Some(Kind::ContributionRecorded(recorded)) => {
                let Some(c) = &recorded.contribution else { continue };
                let Some(month) = parse_month(&c.month) else { continue };
                let exponent = ledger_core::iso4217::minor_unit(&c.currency).map_or(2, u32::from);
                let wage = pb::Money { currency: c.currency.clone(), minor: c.insured_wage_minor, exponent };
                let declared = Declared { employer: c.employer_ref.clone(), wage, corrected: false };
                live.insert(
                    seq,
                    Live { jurisdiction: c.jurisdiction.clone(), month, branch: c.branch, declared },
                );
            }
            Some(Kind::ContributionReversed(reversed)) => {
                live.remove(&reversed.reversed_seq);
            }
            Some(Kind::ContributionCorrected(corrected)) => {
                let wage = corrected.after.as_ref().and_then(|after| after.insured_wage.clone());
                if let (Some(entry), Some(wage)) = (live.get_mut(&corrected.corrected_seq), wage) {
                    entry.declared.wage = wage;
                    entry.declared.corrected = true;
                }
            }
            Some(Kind::PeriodCredited(period)) => {
                let Some(period) = &period.period else { continue };
                let (Some(mut month), Some(last)) =
                    (parse_month(&period.from_month), parse_month(&period.to_month))
                else {
                    continue;
                };
                while month <= last {
                    credited.insert((period.jurisdiction.clone(), month));
                    month = next(month);
                }
            }
            _ => {}
        }
    }
    // One line per employer and month: the old-age figures when there are, else the first.
    let mut chosen: HashMap<EmployerMonth, (i32, Declared)> = HashMap::new();
    for Live { jurisdiction, month, branch, declared } in live.into_values() {
        let key = (jurisdiction, month, declared.employer.clone());
        let old_age = pb::Branch::OldAge as i32;
        match chosen.get(&key) {
            Some((held, _)) if *held == old_age || branch != old_age => {}
            _ => {
                chosen.insert(key, (branch, declared));
            }
        }
    }
    let mut countries: BTreeMap<String, BTreeMap<(i32, u32), MonthRecord>> = BTreeMap::new();
    for ((jurisdiction, month, _), (_, declared)) in chosen {
        countries.entry(jurisdiction).or_default().entry(month).or_default().declared.push(declared);
    }
    for (jurisdiction, month) in credited {
        countries.entry(jurisdiction).or_default().entry(month).or_default().credited = true;
    }
    for months in countries.values_mut() {
        for record in months.values_mut() {
            record.declared.sort_by(|a, b| a.employer.cmp(&b.employer));
        }
        let (Some(first), Some(last)) = (months.keys().next().copied(), months.keys().last().copied()) else {
            continue;
        };
        let mut month = first;
        while month < last {
            months.entry(month).or_default();
            month = next(month);
        }
    }
    countries
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, kind: pb::event::Kind) -> pb::StatementEntry {
        pb::StatementEntry {
            receipt: Some(pb::Receipt { seq, ..Default::default() }),
            event: Some(pb::Event { kind: Some(kind) }),
            ..Default::default()
        }
    }

    fn paid(
        seq: u64,
        jurisdiction: &str,
        month: &str,
        employer: &str,
        branch: pb::Branch,
        wage: i64,
    ) -> pb::StatementEntry {
        let contribution = pb::Contribution {
            jurisdiction: jurisdiction.into(),
            month: month.into(),
            employer_ref: employer.into(),
            branch: branch as i32,
            insured_wage_minor: wage,
            currency: if jurisdiction == "PH" { "PHP".into() } else { "SAR".into() },
            ..Default::default()
        };
        entry(
            seq,
            pb::event::Kind::ContributionRecorded(pb::ContributionRecorded {
                contribution: Some(contribution),
            }),
        )
    }

    #[test]
    fn months_run_from_her_first_to_her_last_with_corrections_reversals_and_gaps() {
        use pb::Branch::{OldAge, Sickness};
        let corrected = pb::ContributionCorrected {
            corrected_seq: 2,
            after: Some(pb::ContributionFigures {
                insured_wage: Some(pb::Money { currency: "PHP".into(), minor: 2_000_000, exponent: 2 }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let credited = pb::PeriodCredited {
            period: Some(pb::CreditedPeriod {
                jurisdiction: "PH".into(),
                from_month: "2024-05".into(),
                to_month: "2024-06".into(),
                ..Default::default()
            }),
        };
        let entries = [
            paid(1, "PH", "2024-01", "PH-EMP-1", Sickness, 900_000),
            paid(2, "PH", "2024-01", "PH-EMP-1", OldAge, 1_800_000),
            paid(3, "PH", "2024-02", "PH-EMP-1", OldAge, 1_800_000),
            paid(4, "PH", "2024-03", "PH-EMP-2", OldAge, 1_700_000),
            entry(
                5,
                pb::event::Kind::ContributionReversed(pb::ContributionReversed {
                    reversed_seq: 3,
                    ..Default::default()
                }),
            ),
            entry(6, pb::event::Kind::ContributionCorrected(corrected)),
            entry(7, pb::event::Kind::PeriodCredited(credited)),
            paid(8, "SA", "2025-11", "SA-EMP-9", OldAge, 300_000),
        ];
        let countries = months(&entries);
        let ph = &countries["PH"];
        type Shown<'a> = ((i32, u32), Vec<(&'a str, i64, bool)>, bool);
        let shown: Vec<Shown<'_>> = ph
            .iter()
            .map(|(month, record)| {
                let declared = record
                    .declared
                    .iter()
                    .map(|d| (d.employer.as_str(), d.wage.minor, d.corrected))
                    .collect();
                (*month, declared, record.credited)
            })
            .collect();
        assert_eq!(
            shown,
            vec![
                ((2024, 1), vec![("PH-EMP-1", 2_000_000, true)], false),
                ((2024, 2), vec![], false),
                ((2024, 3), vec![("PH-EMP-2", 1_700_000, false)], false),
                ((2024, 4), vec![], false),
                ((2024, 5), vec![], true),
                ((2024, 6), vec![], true),
            ]
        );
        assert!(ph[&(2024, 2)].is_gap() && !ph[&(2024, 5)].is_gap());
        assert_eq!(countries["SA"].len(), 1);
        assert_eq!(countries["SA"][&(2025, 11)].declared[0].wage.exponent, 2);
    }
}
