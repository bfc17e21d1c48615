//! The second arithmetic (rules format 2): each agreement computed on its own, as institutions
//! apply Reg. 883/2004 and the bilateral agreements modelled on it.
//!
//! For a worker's line in jurisdiction J and branch B, evaluated on a date, every agreement that
//! totalizes B with J as a party and has come into force is an *instrument*. Under each:
//!
//! - The states counted are J, the agreement's other parties, and, where its third-state clause
//!   says so, the states J has another applicable agreement with. There is no union across
//!   instruments: periods of a state reach J only through an agreement that names it.
//! - Once an agreement has ended, rights acquired under it survive: it still applies, counting the
//!   other states' periods up to its last month in force. J's own periods always count in full.
//! - A state with fewer own months than its minimum is released (Art. 57(1)); the minimum is the
//!   agreement's for that party where it sets one, else the state's scheme's. Released months still
//!   count in the total that the theoretical amount is computed on, but not in the ratio of the
//!   others' pro-rata shares (Art. 57(2)). When every state is released, the last state of
//!   insurance whose conditions the total meets pays as if every period were its own (57(3)).
//! - `theoretical = amount(total)` and `pro_rata = theoretical * own / ratio months`, exactly, then
//!   rounded once by J's scheme. The benefit rule of the agreement then pays either the higher of
//!   the independent amount and the pro-rata share (Art. 52), or the pro-rata share only when the
//!   worker does not qualify on J's own periods alone (as United States agreements do).
//!
//! The line pays the best result: the independent amount or an instrument's.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use ledger_core::{Branch, Jurisdiction, Month};
use ledger_rules::{Agreement, BenefitRule, Fraction, Rules, Scheme};

/// One state's periods under an instrument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateMonths {
    pub jurisdiction: Jurisdiction,
    /// Its months counted under the instrument.
    pub months: u32,
    /// Below its minimum own months (Art. 57(1)): it pays nothing under the instrument, and its
    /// months count in the others' totals but not in their ratios (57(2)).
    pub released: bool,
    /// Counted through the agreement's third-state clause.
    pub third_state: bool,
}

/// What an instrument gives the line's jurisdiction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A pro-rata share (or, under Art. 52, the independent amount where it is higher).
    ProRata,
    /// The worker qualifies on own periods alone, and the agreement then pays the independent
    /// amount and no totalized one.
    InsuredAlone,
    /// The jurisdiction's own months are below its minimum (Art. 57(1)).
    Released,
    /// Every state is released, and this one, the last of insurance whose conditions are met,
    /// pays as if every period were its own (Art. 57(3)).
    AllPeriodsAsOwn,
    /// The total is short of the qualifying period.
    NotQualified,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::ProRata => "pro_rata",
            Outcome::InsuredAlone => "insured_alone",
            Outcome::Released => "released",
            Outcome::AllPeriodsAsOwn => "all_periods_as_own",
            Outcome::NotQualified => "not_qualified",
        }
    }
}

/// The result of one agreement for one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrument {
    pub agreement_id: String,
    pub benefit_rule: BenefitRule,
    /// The line's jurisdiction first, then the others by code.
    pub states: Vec<StateMonths>,
    /// The last month of another state's periods that counts, once the agreement has ended.
    pub counted_until: Option<Month>,
    /// Distinct months of every state counted: the theoretical amount's.
    pub total_months: u32,
    /// Distinct months of the states not released: the denominator of the pro-rata ratio.
    pub ratio_months: u32,
    pub theoretical: u64,
    pub pro_rata: u64,
    /// What the instrument pays the line's jurisdiction.
    pub payable: u64,
    pub outcome: Outcome,
}

/// A worker's own months of one branch, by jurisdiction: what the
/// instruments are computed from.
#[derive(Debug)]
pub struct Periods<'a> {
    pub branch: Branch,
    pub months: &'a BTreeMap<Jurisdiction, BTreeSet<Month>>,
}

impl Periods<'_> {
    fn of(&self, jurisdiction: Jurisdiction, until: Option<Month>) -> BTreeSet<Month> {
        let months = self.months.get(&jurisdiction).into_iter().flatten();
        months.filter(|month| until.is_none_or(|until| **month <= until)).copied().collect()
    }
}

/// The month a date falls in.
pub fn month_of(date: NaiveDate) -> Month {
    Month::containing(date.and_time(chrono::NaiveTime::MIN).and_utc())
}

fn earlier(a: Option<Month>, b: Option<Month>) -> Option<Month> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A state's minimum own months under `agreement`: the agreement's for a party where it sets one,
/// else its scheme's, else none (a state with no scheme for the branch is never released).
fn minimum(rules: &Rules, agreement: &Agreement, jurisdiction: Jurisdiction, branch: Branch) -> u32 {
    agreement
        .minimum_own_months
        .get(&jurisdiction)
        .copied()
        .unwrap_or_else(|| rules.scheme(jurisdiction, branch).map_or(0, |scheme| scheme.minimum_own_months))
}

/// Everything a line's instruments need of the line itself.
#[derive(Debug)]
pub struct Line<'a> {
    pub jurisdiction: Jurisdiction,
    pub scheme: &'a Scheme,
    /// Insured wages of the jurisdiction's contribution months, and how many months they are.
    pub wage_sum: u128,
    pub wage_months: u32,
}

/// The instrument `agreement` gives `line` on `on`.
pub fn instrument(
    rules: &Rules,
    agreement: &Agreement,
    line: &Line<'_>,
    periods: &Periods<'_>,
    on: NaiveDate,
) -> Instrument {
    let jurisdiction = line.jurisdiction;
    let branch = periods.branch;
    let counted_until = agreement.counts_until(on).map(month_of);
    // (state, months, third state)
    let mut counted: Vec<(Jurisdiction, BTreeSet<Month>, bool)> =
        vec![(jurisdiction, periods.of(jurisdiction, None), false)];
    let mut others: BTreeMap<Jurisdiction, (BTreeSet<Month>, bool)> = BTreeMap::new();
    for party in agreement.parties.iter().filter(|party| **party != jurisdiction) {
        others.insert(*party, (periods.of(*party, counted_until), false));
    }
    if agreement.third_state_periods {
        for other in rules.instruments(jurisdiction, branch, on) {
            if other.id == agreement.id {
                continue;
            }
            let until = earlier(counted_until, other.counts_until(on).map(month_of));
            for third in other.parties.iter().filter(|party| !agreement.parties.contains(party)) {
                others.entry(*third).or_insert_with(|| (periods.of(*third, until), true));
            }
        }
    }
    counted.extend(
        others.into_iter().filter(|(_, (months, _))| !months.is_empty()).map(|(k, (m, third))| (k, m, third)),
    );
    let states: Vec<StateMonths> = counted
        .iter()
        .map(|(state, months, third_state)| StateMonths {
            jurisdiction: *state,
            months: months.len() as u32,
            released: (months.len() as u32) < minimum(rules, agreement, *state, branch),
            third_state: *third_state,
        })
        .collect();
    let union = |keep: &dyn Fn(&StateMonths) -> bool| -> u32 {
        let months: BTreeSet<Month> = counted
            .iter()
            .zip(&states)
            .filter(|(_, state)| keep(state))
            .flat_map(|((_, months, _), _)| months.iter().copied())
            .collect();
        months.len() as u32
    };
    let total_months = union(&|_| true);
    let ratio_months = union(&|state| !state.released);
    let own = states[0].months;
    let scheme = line.scheme;
    let amount = |months: u32| scheme.exact_amount(line.wage_sum, line.wage_months, months);
    let theoretical_exact = amount(total_months);
    let theoretical = theoretical_exact.round(scheme.rounding);
    let independent = if own >= scheme.qualifying_months { amount(own).round(scheme.rounding) } else { 0 };
    let qualifies = total_months >= scheme.qualifying_months;
    let (outcome, pro_rata) = if states[0].released {
        let all_released = states.iter().all(|state| state.released);
        if all_released
            && qualifies
            && last_of_insurance(rules, branch, &counted, total_months) == Some(jurisdiction)
        {
            (Outcome::AllPeriodsAsOwn, theoretical)
        } else {
            (Outcome::Released, 0)
        }
    } else if !qualifies {
        (Outcome::NotQualified, 0)
    } else {
        (Outcome::ProRata, share(theoretical_exact, own, ratio_months).round(scheme.rounding))
    };
    let (outcome, payable) = match (agreement.benefit_rule, outcome) {
        (_, Outcome::AllPeriodsAsOwn) => (outcome, pro_rata),
        (BenefitRule::TotalizedWhenNotInsuredAlone, _) if own >= scheme.qualifying_months => {
            (Outcome::InsuredAlone, independent)
        }
        (BenefitRule::TotalizedWhenNotInsuredAlone, _) => (outcome, pro_rata),
        (BenefitRule::HigherOfIndependentAndProRata, _) => (outcome, independent.max(pro_rata)),
    };
    Instrument {
        agreement_id: agreement.id.clone(),
        benefit_rule: agreement.benefit_rule,
        states,
        counted_until,
        total_months,
        ratio_months,
        theoretical,
        pro_rata,
        payable,
        outcome,
    }
}

fn share(theoretical: Fraction, own: u32, ratio_months: u32) -> Fraction {
    if ratio_months == 0 {
        return Fraction::new(0, 1);
    }
    theoretical.times(own, ratio_months)
}

/// The state that pays when every state is released (Art. 57(3)): the last in which the worker
/// was insured whose scheme's qualifying period the total meets; the later code breaks a tie of
/// the same last month, so that the answer never depends on order.
fn last_of_insurance(
    rules: &Rules,
    branch: Branch,
    counted: &[(Jurisdiction, BTreeSet<Month>, bool)],
    total_months: u32,
) -> Option<Jurisdiction> {
    let mut candidates: Vec<(Month, Jurisdiction)> = counted
        .iter()
        .filter(|(state, _, _)| {
            rules.scheme(*state, branch).is_some_and(|scheme| total_months >= scheme.qualifying_months)
        })
        .filter_map(|(state, months, _)| months.last().map(|last| (*last, *state)))
        .collect();
    candidates.sort();
    candidates.last().map(|(_, state)| *state)
}
