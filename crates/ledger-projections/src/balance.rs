//! The coordination arithmetic of DESIGN.md: for each jurisdiction J and branch B of a worker, own
//! months, totalization with the partners of J, the independent and pro-rata amounts, and the amount
//! payable. All money is integer minor units.
//!
//! Which arithmetic depends on the format of the rules in force: format 1 is the first one (one
//! union of every partner's months, every division floored), kept so that a balance at a point of
//! the log where such a document was in force answers as it did; format 2 computes each agreement
//! on its own ([`crate::instrument`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use ledger_core::{Branch, Currency, Jurisdiction, Month, PrincipalId, Seq, WorkerId};
use ledger_rules::Rules;

use crate::instrument::{self, Instrument, Periods};
use crate::worker::{Claim, Entitlement, PeriodKind, WorkerProjection};

/// One jurisdiction and branch of a worker's balance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BalanceLine {
    pub jurisdiction: Jurisdiction,
    pub branch: Branch,
    /// The currency of the jurisdiction, in which every amount of the line is.
    pub currency: Option<Currency>,
    /// `|own(J,B)|`: distinct months with a live contribution or a credit.
    pub own_months: u32,
    pub contribution_months: u32,
    pub credited_months: u32,
    /// `|own(J,B) ∪ own(K,B) for every partner K|`: a month covered twice counts once.
    pub total_months: u32,
    /// The scheme's figures, when J has a scheme for B.
    pub scheme: Option<SchemeFigures>,
    /// Months still missing to qualify, counting totalized months.
    pub missing_months: u32,
    /// Mean insured wage over own contribution months, floored.
    pub average_wage: u64,
    pub independent: u64,
    pub theoretical: u64,
    pub pro_rata: u64,
    /// The higher of `independent` and `pro_rata` (Reg. 883/2004 Art. 52).
    pub payable: u64,
    /// The agreements whose totalization was applied, with the partner each brought in.
    pub agreements: Vec<(String, Jurisdiction)>,
    /// Format 2: the result under each agreement that applies, in the rules' order.
    pub instruments: Vec<Instrument>,
    /// Format 2: the months of the jurisdiction that Reg. 987/2009 Art. 12 sets aside, because
    /// another state's period of the same month takes precedence; they count nowhere here.
    pub set_aside: Vec<SetAside>,
    /// Format 2: the agreement whose result is paid, when one pays more than the independent
    /// amount; `total_months`, `theoretical` and `pro_rata` are then its figures.
    pub paid_under: Option<String>,
    pub employer_paid: u128,
    pub worker_paid: u128,
    /// The line is shown to a partner agency: months only, every amount left out.
    pub months_only: bool,
    /// Whether the payable amount is paid where the worker lives; none on a months-only line.
    pub standing: Option<Standing>,
}

/// A month of one state set aside by Reg. 987/2009 Art. 12.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetAside {
    pub month: Month,
    pub reason: SetAsideReason,
    /// The state whose period of the month takes precedence.
    pub because_of: Jurisdiction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetAsideReason {
    /// Voluntary insurance in a month compulsorily insured elsewhere (Art. 12(4)).
    VoluntaryUnderCompulsory,
    /// An assimilated (credited) period in a month with a real period of insurance elsewhere
    /// (Art. 12(2)).
    AssimilatedUnderReal,
    /// An assimilated period credited by several states counts only in the state of the last
    /// compulsory insurance before it (Art. 12(3)); failing one, of the first after it.
    AssimilatedNotLastCompulsory,
}

impl SetAsideReason {
    pub fn label(self) -> &'static str {
        match self {
            SetAsideReason::VoluntaryUnderCompulsory => "voluntary_under_compulsory",
            SetAsideReason::AssimilatedUnderReal => "assimilated_under_real",
            SetAsideReason::AssimilatedNotLastCompulsory => "assimilated_not_last_compulsory",
        }
    }
}

/// Each state's months that count, and each state's months set aside.
type Overlaps = (BTreeMap<Jurisdiction, BTreeSet<Month>>, BTreeMap<Jurisdiction, Vec<SetAside>>);

/// Every state's months of `branch` that count after Reg. 987/2009 Art. 12, and by state those
/// set aside. A month insured in several states counts in those with the strongest kind of period
/// (compulsory, then voluntary, then assimilated); two compulsory periods (two jobs in two states)
/// both count, each in its own state. Assimilated periods alone in several states count in the
/// state of the last compulsory insurance before the month, else of the first after it, else in
/// each.
fn overlaps(projection: &WorkerProjection, branch: Branch) -> Overlaps {
    let mut kept: BTreeMap<Jurisdiction, BTreeSet<Month>> = BTreeMap::new();
    let mut by_month: BTreeMap<Month, Vec<(Jurisdiction, PeriodKind)>> = BTreeMap::new();
    let mut compulsory: BTreeMap<Jurisdiction, BTreeSet<Month>> = BTreeMap::new();
    for ((state, of), coverage) in &projection.coverage {
        if *of != branch {
            continue;
        }
        for (month, cell) in &coverage.months {
            kept.entry(*state).or_default().insert(*month);
            by_month.entry(*month).or_default().push((*state, cell.kind()));
            if cell.kind() == PeriodKind::Compulsory {
                compulsory.entry(*state).or_default().insert(*month);
            }
        }
    }
    let mut set_aside: BTreeMap<Jurisdiction, Vec<SetAside>> = BTreeMap::new();
    for (month, states) in by_month.iter().filter(|(_, states)| states.len() > 1) {
        let Some(strongest) = states.iter().map(|(_, kind)| *kind).max() else { continue };
        let Some((first_strongest, _)) = states.iter().find(|(_, kind)| *kind == strongest).copied() else {
            continue;
        };
        let keeper = match strongest {
            PeriodKind::Assimilated => last_compulsory(&compulsory, *month, states),
            _ => None,
        };
        for (state, kind) in states {
            let (reason, because_of) = match (kind, strongest, keeper) {
                (PeriodKind::Voluntary, PeriodKind::Compulsory, _) => {
                    (SetAsideReason::VoluntaryUnderCompulsory, first_strongest)
                }
                (PeriodKind::Assimilated, PeriodKind::Compulsory | PeriodKind::Voluntary, _) => {
                    (SetAsideReason::AssimilatedUnderReal, first_strongest)
                }
                (PeriodKind::Assimilated, PeriodKind::Assimilated, Some(keeper)) if keeper != *state => {
                    (SetAsideReason::AssimilatedNotLastCompulsory, keeper)
                }
                _ => continue,
            };
            if let Some(months) = kept.get_mut(state) {
                months.remove(month);
            }
            set_aside.entry(*state).or_default().push(SetAside { month: *month, reason, because_of });
        }
    }
    (kept, set_aside)
}

/// Of `states` crediting `month`, the one of the worker's last compulsory insurance before it,
/// else of her first after it; none when she was compulsorily insured in none of them.
fn last_compulsory(
    compulsory: &BTreeMap<Jurisdiction, BTreeSet<Month>>,
    month: Month,
    states: &[(Jurisdiction, PeriodKind)],
) -> Option<Jurisdiction> {
    let candidates =
        || states.iter().filter_map(|(state, _)| compulsory.get(state).map(|months| (*state, months)));
    let before = candidates()
        .filter_map(|(state, months)| months.range(..month).next_back().map(|last| (*last, state)))
        .max();
    let after = || {
        candidates()
            .filter_map(|(state, months)| months.range(month..).next().map(|first| (*first, state)))
            .min()
    };
    before.or_else(after).map(|(_, state)| state)
}

/// Where a line's payable amount stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// An amount is payable, where the worker lives.
    Payable,
    /// Nothing is payable on these months (yet).
    NothingPayable,
    /// An amount is payable, but the worker lives in a country the benefit is not exported to (no
    /// agreement between the two that covers the branch exports it): it is suspended while she
    /// lives there (rules format 2; format 1 never read `export_of_benefits`).
    SuspendedAbroad { lives_in: Jurisdiction },
    /// An amount would be payable, but the risk has not occurred yet (rules format 2): no
    /// application of the branch, or an application whose risk date is ahead, or a pensionable
    /// age not reached (or not known: no birth month). `due_from` is when it would become due,
    /// when known.
    Projected { due_from: Option<NaiveDate> },
    /// The scheme's amount does not depend on periods (Art. 44), and the worker was not insured
    /// there at the onset: another state pays.
    NotInsuredAtOnset,
}

impl Standing {
    pub fn label(self) -> &'static str {
        match self {
            Standing::Payable => "payable",
            Standing::NothingPayable => "nothing_payable",
            Standing::SuspendedAbroad { .. } => "suspended_abroad",
            Standing::Projected { .. } => "projected",
            Standing::NotInsuredAtOnset => "not_insured_at_onset",
        }
    }
}

impl BalanceLine {
    /// Keeps the months and the rules' figures and drops every amount: what a partner agency needs
    /// of this line to totalize, and no more.
    pub fn months_only(&mut self) {
        self.months_only = true;
        self.average_wage = 0;
        self.independent = 0;
        self.theoretical = 0;
        self.pro_rata = 0;
        self.payable = 0;
        self.employer_paid = 0;
        self.worker_paid = 0;
        self.standing = None;
        for instrument in &mut self.instruments {
            instrument.theoretical = 0;
            instrument.pro_rata = 0;
            instrument.payable = 0;
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchemeFigures {
    pub qualifying_months: u32,
    pub minimum_own_months: u32,
}

/// A worker's balance at one point of the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Balance {
    pub worker_id: WorkerId,
    /// The last event of the log prefix the balance is computed on.
    pub as_of: Seq,
    /// The date agreements are evaluated on.
    pub evaluated_on: NaiveDate,
    /// The digest of the rules document in force at `as_of`.
    pub rules_digest: [u8; 32],
    pub lines: Vec<BalanceLine>,
    pub entitlements: Vec<(Seq, Entitlement)>,
    pub residence: Option<(Jurisdiction, Month)>,
    /// The worker's claims by the seq of their filing, open or resolved; whether an open one is
    /// overdue is judged on `evaluated_on`.
    pub claims: Vec<(Seq, Claim)>,
    /// The workers' organisations she has given her consent to file and follow her claims, and
    /// where each is registered.
    pub consents: Vec<(PrincipalId, Jurisdiction)>,
}

/// Computes the balance of a projection under `rules`, evaluating agreements on `on`.
pub fn balance(projection: &WorkerProjection, rules: &Rules, on: NaiveDate, as_of: Seq) -> Balance {
    // Art. 12 looks at every state of a branch at once: resolved once per branch, not per line.
    let mut resolved: BTreeMap<Branch, Overlaps> = BTreeMap::new();
    let lines = projection
        .coverage
        .keys()
        .map(|(jurisdiction, branch)| match rules.format() {
            ledger_rules::RULES_FORMAT_FIRST => line(projection, rules, on, *jurisdiction, *branch),
            _ => {
                let overlaps = resolved.entry(*branch).or_insert_with(|| overlaps(projection, *branch));
                let mut line = line_by_instrument(projection, rules, on, overlaps, *jurisdiction, *branch);
                if line.standing == Some(Standing::Payable) {
                    let scheme = rules.scheme(*jurisdiction, *branch);
                    if let Some(due_from) = projected(projection, scheme, *branch, on) {
                        line.standing = Some(Standing::Projected { due_from });
                    } else if let Some((lives_in, _)) = projection.residence {
                        if !rules.payable_into(line.jurisdiction, line.branch, lives_in, on) {
                            line.standing = Some(Standing::SuspendedAbroad { lives_in });
                        }
                    }
                }
                line
            }
        })
        .collect();
    Balance {
        worker_id: projection.worker_id.clone(),
        as_of,
        evaluated_on: on,
        rules_digest: rules.digest(),
        lines,
        entitlements: projection.entitlements.iter().map(|(seq, e)| (*seq, e.clone())).collect(),
        residence: projection.residence,
        claims: projection.claims.iter().map(|(seq, claim)| (*seq, claim.clone())).collect(),
        consents: projection.consents.iter().map(|(organisation, at)| (organisation.clone(), *at)).collect(),
    }
}

fn own(projection: &WorkerProjection, jurisdiction: Jurisdiction, branch: Branch) -> BTreeSet<Month> {
    projection.coverage.get(&(jurisdiction, branch)).map(|c| c.own_months().collect()).unwrap_or_default()
}

fn line(
    projection: &WorkerProjection,
    rules: &Rules,
    on: NaiveDate,
    jurisdiction: Jurisdiction,
    branch: Branch,
) -> BalanceLine {
    let coverage = projection.coverage.get(&(jurisdiction, branch)).cloned().unwrap_or_default();
    let own_months = own(projection, jurisdiction, branch);
    let mut total = own_months.clone();
    let mut agreements = Vec::new();
    for (partner, agreement) in rules.partners(jurisdiction, branch, on) {
        let theirs = own(projection, partner, branch);
        if !theirs.is_empty() {
            agreements.push((agreement.id.clone(), partner));
        }
        total.extend(theirs);
    }
    let own_count = own_months.len() as u32;
    let total_count = total.len() as u32;
    let average_wage = coverage.average_wage();
    let scheme = rules.scheme(jurisdiction, branch);
    let (independent, theoretical, pro_rata) = match scheme {
        Some(scheme) => {
            let independent = if own_count >= scheme.qualifying_months {
                scheme.amount(average_wage, own_count)
            } else {
                0
            };
            let theoretical = scheme.amount(average_wage, total_count);
            let qualifies = total_count >= scheme.qualifying_months && own_count >= scheme.minimum_own_months;
            let pro_rata = if qualifies && total_count > 0 {
                let share = u128::from(theoretical) * u128::from(own_count) / u128::from(total_count);
                u64::try_from(share).unwrap_or(u64::MAX)
            } else {
                0
            };
            (independent, theoretical, pro_rata)
        }
        None => (0, 0, 0),
    };
    BalanceLine {
        jurisdiction,
        branch,
        currency: rules.currency_of(jurisdiction),
        own_months: own_count,
        contribution_months: coverage.contribution_months(),
        credited_months: coverage.credited_months(),
        total_months: total_count,
        scheme: scheme.map(scheme_figures),
        missing_months: scheme.map_or(0, |s| s.qualifying_months.saturating_sub(total_count)),
        average_wage,
        independent,
        theoretical,
        pro_rata,
        payable: independent.max(pro_rata),
        agreements,
        instruments: Vec::new(),
        paid_under: None,
        set_aside: Vec::new(),
        employer_paid: coverage.employer_paid(),
        worker_paid: coverage.worker_paid(),
        months_only: false,
        standing: Some(standing(independent.max(pro_rata))),
    }
}

/// Whether an amount of `branch` is still only projected on `on`, and from when it would be due
/// (none when that cannot be known yet): due from the risk date of her application of the branch,
/// and for a scheme with a pensionable age, not before she reaches it (counted from the first day
/// of her birth month). Not projected once both have passed.
fn projected(
    projection: &WorkerProjection,
    scheme: Option<&ledger_rules::Scheme>,
    branch: Branch,
    on: NaiveDate,
) -> Option<Option<NaiveDate>> {
    let age_from = match scheme.and_then(|scheme| scheme.pensionable_age_years) {
        None => None,
        Some(years) => {
            let Some(birth) = projection.birth_month else { return Some(None) };
            let first_day = NaiveDate::from_ymd_opt(i32::from(birth.year()), u32::from(birth.month()), 1);
            match first_day.and_then(|day| day.checked_add_months(chrono::Months::new(years * 12))) {
                Some(reached) => Some(reached),
                None => return Some(None),
            }
        }
    };
    // Before she applies, when it would be due is not known yet.
    let Some(application) = projection.applications.get(&branch) else { return Some(None) };
    let due_from = age_from.map_or(application.risk_date, |age| age.max(application.risk_date));
    (due_from > on).then_some(Some(due_from))
}

/// A payable amount's standing before where the worker lives is considered.
fn standing(payable: u64) -> Standing {
    match payable {
        0 => Standing::NothingPayable,
        _ => Standing::Payable,
    }
}

fn scheme_figures(scheme: &ledger_rules::Scheme) -> SchemeFigures {
    SchemeFigures {
        qualifying_months: scheme.qualifying_months,
        minimum_own_months: scheme.minimum_own_months,
    }
}

/// A line in format 2: the independent amount, each instrument's result, and the best paid.
fn line_by_instrument(
    projection: &WorkerProjection,
    rules: &Rules,
    on: NaiveDate,
    (months, set_aside): &Overlaps,
    jurisdiction: Jurisdiction,
    branch: Branch,
) -> BalanceLine {
    let set_aside = set_aside.get(&jurisdiction).cloned().unwrap_or_default();
    // The jurisdiction's coverage without the months Art. 12 sets aside.
    let mut coverage = projection.coverage.get(&(jurisdiction, branch)).cloned().unwrap_or_default();
    coverage.months.retain(|month, _| months.get(&jurisdiction).is_some_and(|kept| kept.contains(month)));
    let own_count = coverage.months.len() as u32;
    let scheme = rules.scheme(jurisdiction, branch);
    let periods = Periods { branch, months };
    let wage_sum: u128 = coverage.months.values().map(|cell| cell.wage).sum();
    let wage_months = coverage.contribution_months();
    let instruments: Vec<Instrument> = match scheme {
        Some(scheme) => {
            let line = instrument::Line { jurisdiction, scheme, wage_sum, wage_months };
            rules
                .instruments(jurisdiction, branch, on)
                .into_iter()
                .map(|agreement| instrument::instrument(rules, agreement, &line, &periods, on))
                .collect()
        }
        None => Vec::new(),
    };
    let mut agreements: Vec<(String, Jurisdiction)> = Vec::new();
    for instrument in &instruments {
        for state in instrument.states.iter().filter(|state| state.jurisdiction != jurisdiction) {
            agreements.push((instrument.agreement_id.clone(), state.jurisdiction));
        }
    }
    let (independent, own_theoretical) = match scheme {
        Some(scheme) => {
            let own = scheme.exact_amount(wage_sum, wage_months, own_count).round(scheme.rounding);
            (if own_count >= scheme.qualifying_months { own } else { 0 }, own)
        }
        None => (0, 0),
    };
    // The instrument paid: the first paying most, when it pays more than the independent amount.
    let paid = instruments.iter().filter(|instrument| instrument.payable > independent).fold(
        None::<&Instrument>,
        |best, next| match best {
            Some(best) if best.payable >= next.payable => Some(best),
            _ => Some(next),
        },
    );
    // The figures shown: those of the instrument paid, else of the one that comes closest to
    // qualifying (the largest total), else of the jurisdiction alone.
    let shown = paid.or_else(|| {
        instruments.iter().fold(None::<&Instrument>, |best, next| match best {
            Some(best) if best.total_months >= next.total_months => Some(best),
            _ => Some(next),
        })
    });
    let mut payable = independent.max(paid.map_or(0, |instrument| instrument.payable));
    let mut paid = paid;
    let mut not_insured_at_onset = false;
    if let Some(scheme) = scheme.filter(|scheme| !scheme.amount_depends_on_periods) {
        // Art. 44: the amount does not depend on periods; qualifying (alone or totalized under an
        // instrument), the state insuring the worker at the onset pays it whole, and no other.
        let qualifies = own_count >= scheme.qualifying_months
            || instruments.iter().any(|instrument| instrument.total_months >= scheme.qualifying_months);
        let onset = projection
            .applications
            .get(&branch)
            .map(|application| instrument::month_of(application.risk_date));
        let insured_at_onset = onset.is_none_or(|month| coverage.months.contains_key(&month));
        let whole =
            scheme.exact_amount(wage_sum, wage_months, scheme.qualifying_months).round(scheme.rounding);
        not_insured_at_onset = qualifies && !insured_at_onset;
        payable = if qualifies && insured_at_onset { whole } else { 0 };
        paid = None;
    }
    let (total_months, theoretical, pro_rata) = match shown {
        Some(instrument) => (instrument.total_months, instrument.theoretical, instrument.pro_rata),
        None => (own_count, own_theoretical, 0),
    };
    BalanceLine {
        jurisdiction,
        branch,
        currency: rules.currency_of(jurisdiction),
        own_months: own_count,
        contribution_months: wage_months,
        credited_months: coverage.credited_months(),
        total_months,
        scheme: scheme.map(scheme_figures),
        missing_months: scheme.map_or(0, |s| s.qualifying_months.saturating_sub(total_months.max(own_count))),
        average_wage: if wage_months == 0 {
            0
        } else {
            u64::try_from(wage_sum / u128::from(wage_months)).unwrap_or(u64::MAX)
        },
        independent,
        theoretical,
        pro_rata,
        payable,
        set_aside,
        standing: Some(if not_insured_at_onset { Standing::NotInsuredAtOnset } else { standing(payable) }),
        paid_under: paid.map(|instrument| instrument.agreement_id.clone()),
        agreements,
        instruments,
        employer_paid: coverage.employer_paid(),
        worker_paid: coverage.worker_paid(),
        months_only: false,
    }
}
