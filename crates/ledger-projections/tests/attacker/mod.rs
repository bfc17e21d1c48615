//! An attacker of published coverage reports: given every answer the ledger gives about a year
//! (the year and its four quarters, every line), it looks for a combination of published cells
//! that pins down a suppressed one. It knows nothing of how the ledger suppresses: only what each
//! line counts (its set of "atoms", the workers of one quarter, origin, sex, sector and employer
//! size class) and the published figures.
//!
//! Shared by the property test of `ledger-projections` and the test over gRPC (`tests/coverage.rs`).

#![allow(dead_code)] // Each test uses its own part.

use std::collections::HashMap;

/// What a line counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Line {
    Total,
    Origin(String),
    Sex(String),
    Sector(String),
    Size(String),
    SexSector(String, String),
}

/// One published line: its period ("2025" or "2025-Q1"), what it counts, and its figures
/// (workers, months), or `None` when suppressed.
#[derive(Clone, Debug)]
pub struct Answer {
    pub period: String,
    pub line: Line,
    pub figures: Option<(u32, u64)>,
}

/// Every value each attribute takes. Origins end with one for origins of no line of their own.
pub struct Universe {
    pub origins: Vec<String>,
    pub sexes: Vec<String>,
    pub sectors: Vec<String>,
    pub sizes: Vec<String>,
}

/// A suppressed cell pinned down, and how.
#[derive(Debug)]
pub struct Finding {
    pub cell: String,
    pub how: String,
    /// The months of the cell, as the published figures give them.
    pub months: i128,
}

const P: u64 = (1 << 61) - 1;

fn reduce(x: u128) -> u64 {
    let folded = (x & u128::from(P)) + (x >> 61);
    let folded = (folded & u128::from(P)) + (folded >> 61);
    let folded = folded as u64;
    if folded >= P {
        folded - P
    } else {
        folded
    }
}

fn mul(a: u64, b: u64) -> u64 {
    reduce(u128::from(a) * u128::from(b))
}

fn add(a: u64, b: u64) -> u64 {
    reduce(u128::from(a) + u128::from(b))
}

fn neg(a: u64) -> u64 {
    if a == 0 {
        0
    } else {
        P - a
    }
}

fn inverse(a: u64) -> u64 {
    // Fermat: a^(p-2).
    let (mut result, mut base, mut exponent) = (1, a, P - 2);
    while exponent > 0 {
        if exponent & 1 == 1 {
            result = mul(result, base);
        }
        base = mul(base, base);
        exponent >>= 1;
    }
    result
}

/// A small deterministic generator (SplitMix64), so that a failing run can be replayed.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

pub struct Attacker<'a> {
    universe: &'a Universe,
    answers: &'a [Answer],
    /// The quarters (0 to 3) each answer's period spans.
    year: String,
}

impl<'a> Attacker<'a> {
    pub fn new(universe: &'a Universe, answers: &'a [Answer], year: &str) -> Attacker<'a> {
        Attacker { universe, answers, year: year.to_owned() }
    }

    fn quarters(&self, period: &str) -> Vec<usize> {
        if period == self.year {
            return (0..4).collect();
        }
        let quarter = period.strip_prefix(&format!("{}-Q", self.year)).and_then(|q| q.parse::<usize>().ok());
        match quarter {
            Some(quarter @ 1..=4) => vec![quarter - 1],
            _ => panic!("the answer's period {period} is not of {}", self.year),
        }
    }

    fn atoms_per_quarter(&self) -> usize {
        let u = self.universe;
        u.origins.len() * u.sexes.len() * u.sectors.len() * u.sizes.len()
    }

    /// The atoms an answer counts.
    fn atoms(&self, answer: &Answer) -> Vec<usize> {
        let u = self.universe;
        let position = |values: &[String], value: &str| {
            values.iter().position(|v| v == value).unwrap_or_else(|| panic!("no {value} among {values:?}"))
        };
        let mut atoms = Vec::new();
        for quarter in self.quarters(&answer.period) {
            for (o, origin) in u.origins.iter().enumerate() {
                for (s, sex) in u.sexes.iter().enumerate() {
                    for (k, sector) in u.sectors.iter().enumerate() {
                        for z in 0..u.sizes.len() {
                            let counted = match &answer.line {
                                Line::Total => true,
                                Line::Origin(value) => origin == value,
                                Line::Sex(value) => sex == value,
                                Line::Sector(value) => sector == value,
                                Line::Size(value) => u.sizes[z] == *value,
                                Line::SexSector(a, b) => sex == a && sector == b,
                            };
                            if counted {
                                let index =
                                    ((o * u.sexes.len() + s) * u.sectors.len() + k) * u.sizes.len() + z;
                                atoms.push(quarter * self.atoms_per_quarter() + index);
                            }
                        }
                    }
                }
            }
        }
        // Every line names a value of the universe.
        if let Line::Origin(value) = &answer.line {
            position(&u.origins, value);
        }
        atoms
    }

    fn name(answer: &Answer) -> String {
        format!("{} {:?}", answer.period, answer.line)
    }

    /// Differences and sums of every two published cells, and `samples` random signed
    /// combinations of three to six, each compared with every suppressed cell (by a random linear
    /// hash of the atoms, so that equal hashes mean equal cells but for odds of about 2^-61).
    pub fn differences(&self, samples: usize, random: &mut Random) -> Vec<Finding> {
        let weights: Vec<u64> = (0..4 * self.atoms_per_quarter()).map(|_| random.next() % P).collect();
        let hash = |answer: &Answer| self.atoms(answer).iter().fold(0, |sum, atom| add(sum, weights[*atom]));
        let published: Vec<(u64, &Answer)> =
            self.answers.iter().filter(|a| a.figures.is_some()).map(|a| (hash(a), a)).collect();
        let suppressed: HashMap<u64, &Answer> =
            self.answers.iter().filter(|a| a.figures.is_none()).map(|a| (hash(a), a)).collect();
        let mut findings = Vec::new();
        let months = |answer: &Answer| i128::from(answer.figures.map_or(0, |(_, months)| months));
        let mut check = |combination: u64, terms: &[(i64, &Answer)]| {
            if let Some(cell) = suppressed.get(&combination) {
                let how = terms.iter().map(|(c, a)| format!("{c:+} x {}", Self::name(a))).collect::<Vec<_>>();
                let value = terms.iter().map(|(c, a)| i128::from(*c) * months(a)).sum();
                findings.push(Finding { cell: Self::name(cell), how: how.join(" "), months: value });
            }
        };
        for (i, (a, first)) in published.iter().enumerate() {
            for (b, second) in &published[i + 1..] {
                check(add(*a, neg(*b)), &[(1, first), (-1, second)]);
                check(add(*b, neg(*a)), &[(1, second), (-1, first)]);
                check(add(*a, *b), &[(1, first), (1, second)]);
            }
        }
        if published.len() >= 3 {
            for _ in 0..samples {
                let count = 3 + random.below(4);
                let mut terms: Vec<(i64, &Answer)> = Vec::with_capacity(count);
                let mut combination = 0;
                for _ in 0..count {
                    let (term, answer) = published[random.below(published.len())];
                    let sign = if random.next() & 1 == 0 { 1 } else { -1 };
                    combination = add(combination, if sign == 1 { term } else { neg(term) });
                    terms.push((sign, answer));
                }
                check(combination, &terms);
            }
        }
        findings
    }

    /// The suppressed cells that the published cells determine exactly: every linear combination
    /// at once, by elimination over the integers modulo a 61-bit prime in the space of atoms.
    pub fn linear(&self) -> Vec<Finding> {
        let width = 4 * self.atoms_per_quarter();
        let vector = |answer: &Answer| {
            let mut dense = vec![0u64; width];
            for atom in self.atoms(answer) {
                dense[atom] = 1;
            }
            dense
        };
        // Rows in echelon form, each with a leading 1 at its pivot.
        let mut rows: Vec<(usize, Vec<u64>)> = Vec::new();
        let reduce_by = |rows: &[(usize, Vec<u64>)], mut v: Vec<u64>| {
            for (pivot, row) in rows {
                let factor = v[*pivot];
                if factor != 0 {
                    let minus = neg(factor);
                    for (entry, r) in v.iter_mut().zip(row) {
                        if *r != 0 {
                            *entry = add(*entry, mul(minus, *r));
                        }
                    }
                }
            }
            v
        };
        for answer in self.answers.iter().filter(|a| a.figures.is_some()) {
            let reduced = reduce_by(&rows, vector(answer));
            if let Some(pivot) = reduced.iter().position(|entry| *entry != 0) {
                let scale = inverse(reduced[pivot]);
                let row: Vec<u64> = reduced.iter().map(|entry| mul(*entry, scale)).collect();
                // Keep earlier rows zero at the new pivot, so that reduction in order is exact.
                for (_, earlier) in rows.iter_mut() {
                    let factor = earlier[pivot];
                    if factor != 0 {
                        let minus = neg(factor);
                        for (entry, r) in earlier.iter_mut().zip(&row) {
                            if *r != 0 {
                                *entry = add(*entry, mul(minus, *r));
                            }
                        }
                    }
                }
                rows.push((pivot, row));
            }
        }
        self.answers
            .iter()
            .filter(|a| a.figures.is_none())
            .filter(|a| reduce_by(&rows, vector(a)).iter().all(|entry| *entry == 0))
            .map(|a| Finding { cell: Self::name(a), how: "a linear combination".into(), months: -1 })
            .collect()
    }

    /// Suppressed cells shown to be empty: a published parent whose published parts add up to it,
    /// the rest of its parts suppressed. Parents and parts: a period's total and each breakdown,
    /// a sex's line and its sectors, a sector's line and its sexes, a year's line and its quarters.
    pub fn empty_by_difference(&self) -> Vec<Finding> {
        let find = |period: &str, line: &Line| {
            self.answers.iter().find(|a| a.period == period && a.line == *line).unwrap_or_else(|| {
                panic!("no answer for {period} {line:?}");
            })
        };
        let u = self.universe;
        let listed = &u.origins[..u.origins.len() - 1];
        let mut families: Vec<(&Answer, Vec<&Answer>)> = Vec::new();
        let periods: Vec<String> = std::iter::once(self.year.clone())
            .chain((1..=4).map(|q| format!("{}-Q{q}", self.year)))
            .collect();
        for period in &periods {
            let total = find(period, &Line::Total);
            let parts = |lines: Vec<Line>| lines.iter().map(|line| find(period, line)).collect::<Vec<_>>();
            families.push((total, parts(listed.iter().map(|o| Line::Origin(o.clone())).collect())));
            families.push((total, parts(u.sexes.iter().map(|s| Line::Sex(s.clone())).collect())));
            families.push((total, parts(u.sectors.iter().map(|s| Line::Sector(s.clone())).collect())));
            families.push((total, parts(u.sizes.iter().map(|s| Line::Size(s.clone())).collect())));
            for sex in &u.sexes {
                let lines = u.sectors.iter().map(|k| Line::SexSector(sex.clone(), k.clone())).collect();
                families.push((find(period, &Line::Sex(sex.clone())), parts(lines)));
            }
            for sector in &u.sectors {
                let lines = u.sexes.iter().map(|s| Line::SexSector(s.clone(), sector.clone())).collect();
                families.push((find(period, &Line::Sector(sector.clone())), parts(lines)));
            }
        }
        for answer in self.answers.iter().filter(|a| a.period == self.year) {
            let quarters = periods[1..].iter().map(|period| find(period, &answer.line)).collect();
            families.push((answer, quarters));
        }
        let mut findings = Vec::new();
        for (parent, parts) in families {
            let Some((_, months)) = parent.figures else { continue };
            let shown: u64 = parts.iter().filter_map(|part| part.figures.map(|(_, m)| m)).sum();
            let hidden: Vec<&&Answer> = parts.iter().filter(|part| part.figures.is_none()).collect();
            if !hidden.is_empty() && shown == months {
                for cell in hidden {
                    let how = format!("{} less its published parts", Self::name(parent));
                    findings.push(Finding { cell: Self::name(cell), how, months: 0 });
                }
            }
        }
        findings
    }
}
