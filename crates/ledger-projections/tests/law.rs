//! Worked scenarios of the second arithmetic (rules format 2): each agreement computed on its own,
//! Art. 57 of Reg. 883/2004, benefit rules and rounding per scheme. Each is computed by hand in its
//! comments, under the small illustrative rules below (not any country's law), and folded from
//! real records.
//!
//! amount(m) = flat + avg_wage * bp * m / 10000, capped, exact; theoretical = amount(total);
//! pro_rata = theoretical * own / ratio months, rounded once by the line's scheme. A line is shown
//! as `J own independent | total theoretical pro_rata payable missing paid_under`, and each
//! instrument as `id [states] until | total ratio theoretical pro_rata payable outcome`, where a
//! state is `XX months`, `r` when released (Art. 57(1)) and `t` when counted by a third-state
//! clause.

mod common;

use common::{History, OLD_AGE};
use ledger_core::Branch;
use ledger_core::{CreditKind, PeriodUnit};
use ledger_projections::{BalanceLine, Instrument, SetAsideReason, Standing};

const RULES: &str = r#"
[document]
name = "law"
version = "1"
illustrative = true
format = 2

[[jurisdiction]]
code = "ES"
name = "Spain"
currency = "EUR"
minor_unit = 2

[[jurisdiction]]
code = "IT"
name = "Italy"
currency = "EUR"
minor_unit = 2

[[jurisdiction]]
code = "PT"
name = "Portugal"
currency = "EUR"
minor_unit = 2

[[jurisdiction]]
code = "PH"
name = "Philippines"
currency = "PHP"
minor_unit = 2

[[jurisdiction]]
code = "US"
name = "United States"
currency = "USD"
minor_unit = 2

[[jurisdiction]]
code = "KW"
name = "Kuwait"
currency = "KWD"
minor_unit = 3

[[scheme]]
jurisdiction = "ES"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100
rounding = "half_up"
pensionable_age_years = 65
working_days_per_week = 5

[[scheme]]
jurisdiction = "ES"
branch = "invalidity"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100
rounding = "half_up"

[[scheme]]
jurisdiction = "IT"
branch = "invalidity"
qualifying_months = 12
minimum_own_months = 0
flat = 50000
accrual_bp_per_month = 0
rounding = "half_even"
amount_depends_on_periods = false

[[scheme]]
jurisdiction = "IT"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100
rounding = "half_even"
working_days_per_week = 6

[[scheme]]
jurisdiction = "PT"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100
rounding = "down"
working_days_per_week = 7

[[scheme]]
jurisdiction = "PH"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 6
flat = 100000
accrual_bp_per_month = 50
cap = 2000000
rounding = "half_up"

[[scheme]]
jurisdiction = "US"
branch = "old_age"
qualifying_months = 40
minimum_own_months = 0
flat = 50000
accrual_bp_per_month = 100
rounding = "down"

[[scheme]]
jurisdiction = "KW"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100
rounding = "half_up"

[[agreement]]
id = "EU"
name = "EU coordination (illustrative)"
parties = ["ES", "IT", "PT"]
branches = ["old_age", "invalidity"]
totalization = true
export_of_benefits = true
in_force_from = "2010-05-01"
benefit_rule = "higher_of_independent_and_pro_rata"

[[agreement]]
id = "ES-PH"
name = "Spain and the Philippines (illustrative)"
parties = ["ES", "PH"]
branches = ["old_age"]
totalization = true
export_of_benefits = true
in_force_from = "1989-01-01"
benefit_rule = "higher_of_independent_and_pro_rata"

[[agreement]]
id = "IT-PH"
name = "Italy and the Philippines (illustrative, in force from 2030)"
parties = ["IT", "PH"]
branches = ["old_age"]
totalization = true
export_of_benefits = false
in_force_from = "2030-01-01"
benefit_rule = "higher_of_independent_and_pro_rata"

[[agreement]]
id = "US-PT"
name = "United States and Portugal (illustrative)"
parties = ["US", "PT"]
branches = ["old_age"]
totalization = true
export_of_benefits = true
in_force_from = "2000-01-01"
benefit_rule = "totalized_when_not_insured_alone"
minimum_own_months = { US = 18 }

[[agreement]]
id = "PT-PH"
name = "Portugal and the Philippines, with a third-state clause (illustrative)"
parties = ["PT", "PH"]
branches = ["old_age"]
totalization = true
export_of_benefits = true
in_force_from = "2000-01-01"
benefit_rule = "higher_of_independent_and_pro_rata"
third_state_periods = true

[[agreement]]
id = "ES-KW"
name = "Spain and Kuwait (illustrative, ended 2020)"
parties = ["ES", "KW"]
branches = ["old_age"]
totalization = true
export_of_benefits = false
in_force_from = "2012-01-01"
in_force_until = "2020-12-31"
benefit_rule = "higher_of_independent_and_pro_rata"
"#;

fn instrument_summary(instrument: &Instrument) -> String {
    let states: Vec<String> = instrument
        .states
        .iter()
        .map(|state| {
            let flags = match (state.released, state.third_state) {
                (true, true) => " r t",
                (true, false) => " r",
                (false, true) => " t",
                (false, false) => "",
            };
            format!("{} {}{flags}", state.jurisdiction, state.months)
        })
        .collect();
    let until = instrument.counted_until.map(|month| format!(" until {month}")).unwrap_or_default();
    format!(
        "  {} [{}]{until} | {} {} {} {} {} {}",
        instrument.agreement_id,
        states.join(", "),
        instrument.total_months,
        instrument.ratio_months,
        instrument.theoretical,
        instrument.pro_rata,
        instrument.payable,
        instrument.outcome.label()
    )
}

/// A line and its instruments, as the module documentation spells them.
fn summary(line: &BalanceLine) -> Vec<String> {
    let mut out = vec![format!(
        "{} own {} independent {} | {} {} {} {} missing {} paid_under {}",
        line.jurisdiction,
        line.own_months,
        line.independent,
        line.total_months,
        line.theoretical,
        line.pro_rata,
        line.payable,
        line.missing_months,
        line.paid_under.as_deref().unwrap_or("-")
    )];
    out.extend(line.instruments.iter().map(instrument_summary));
    out
}

fn check(name: &str, history: &History, expected: &[&str]) {
    let got: Vec<String> = history.now().iter().flat_map(summary).collect();
    assert_eq!(got, expected, "scenario {name:?}");
}

fn worker() -> History {
    History::new(RULES)
}

#[test]
fn periods_under_a_year_count_for_the_others_theoretical_amounts_and_not_their_ratios() {
    // Art. 57(1) and (2). ES 11 months, IT 20, all at 2,000.00 EUR. ES has fewer than its 12
    // minimum and is released. Its months still count in IT's total (31 ≥ 24) but not in IT's
    // ratio: IT theoretical = 200000 * 100 * 31 / 10000 = 62000, pro rata = 62000 * 20/20 = 62000.
    // The first arithmetic would pay 62000 * 20/31 = 40000: the 11 Spanish months would be lost.
    // ES: under every instrument it is released; its theoretical under EU is 62000 too.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2019-01", 11, 200_000);
    h.pay("IT", OLD_AGE, "2020-01", 20, 200_000);
    check(
        "57(2)",
        &h,
        &[
            "ES own 11 independent 0 | 31 62000 0 0 missing 0 paid_under -",
            "  EU [ES 11 r, IT 20] | 31 20 62000 0 0 released",
            "  ES-PH [ES 11 r] | 11 0 22000 0 0 released",
            "  ES-KW [ES 11 r] until 2020-12 | 11 0 22000 0 0 released",
            "IT own 20 independent 0 | 31 62000 62000 62000 missing 0 paid_under EU",
            "  EU [IT 20, ES 11 r] | 31 20 62000 62000 62000 pro_rata",
        ],
    );
}

#[test]
fn when_every_state_is_released_the_last_state_of_insurance_pays_all_periods_as_its_own() {
    // Art. 57(3). ES 2015, IT 2016, PT 2017: 11 months each at 2,000.00, all released. The total,
    // 33, meets every scheme's 24; the last state of insurance is PT (last month 2017-11), which
    // pays amount(33) = 200000 * 100 * 33 / 10000 = 66000 with no ratio. ES and IT pay nothing.
    // Under PT-PH the third-state clause brings ES and IT in through EU: the same answer.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2015-01", 11, 200_000);
    h.pay("IT", OLD_AGE, "2016-01", 11, 200_000);
    h.pay("PT", OLD_AGE, "2017-01", 11, 200_000);
    check(
        "57(3)",
        &h,
        &[
            "ES own 11 independent 0 | 33 66000 0 0 missing 0 paid_under -",
            "  EU [ES 11 r, IT 11 r, PT 11 r] | 33 0 66000 0 0 released",
            "  ES-PH [ES 11 r] | 11 0 22000 0 0 released",
            "  ES-KW [ES 11 r] until 2020-12 | 11 0 22000 0 0 released",
            "IT own 11 independent 0 | 33 66000 0 0 missing 0 paid_under -",
            "  EU [IT 11 r, ES 11 r, PT 11 r] | 33 0 66000 0 0 released",
            "PT own 11 independent 0 | 33 66000 66000 66000 missing 0 paid_under EU",
            "  EU [PT 11 r, ES 11 r, IT 11 r] | 33 0 66000 66000 66000 all_periods_as_own",
            "  US-PT [PT 11 r] | 11 0 22000 0 0 released",
            "  PT-PH [PT 11 r, ES 11 r t, IT 11 r t] | 33 0 66000 66000 66000 all_periods_as_own",
        ],
    );
}

#[test]
fn two_instruments_are_never_united() {
    // PH 10 months, ES 12, IT 10. Under EU, ES totals 12 + 10 = 22; under ES-PH, 12 + 10 = 22:
    // both short of 24, so ES pays nothing, though the union of all three (32) would qualify; no
    // agreement here has a third-state clause for ES. IT (10) is released under EU. PH counts ES
    // under ES-PH, and under PT-PH through its clause (ES by ES-PH): 22 either way, short.
    // ES theoretical = 200000 * 100 * 22 / 10000 = 44000; PH = 100000 + 2000000 * 50 * 22 / 10000
    // = 320000.
    let mut h = worker();
    h.pay("PH", OLD_AGE, "2010-01", 10, 2_000_000);
    h.pay("ES", OLD_AGE, "2012-01", 12, 200_000);
    h.pay("IT", OLD_AGE, "2014-01", 10, 200_000);
    check(
        "no union",
        &h,
        &[
            "ES own 12 independent 0 | 22 44000 0 0 missing 2 paid_under -",
            "  EU [ES 12, IT 10 r] | 22 12 44000 0 0 not_qualified",
            "  ES-PH [ES 12, PH 10] | 22 22 44000 0 0 not_qualified",
            "  ES-KW [ES 12] until 2020-12 | 12 12 24000 0 0 not_qualified",
            "IT own 10 independent 0 | 22 44000 0 0 missing 2 paid_under -",
            "  EU [IT 10 r, ES 12] | 22 12 44000 0 0 released",
            "PH own 10 independent 0 | 22 320000 0 0 missing 2 paid_under -",
            "  ES-PH [PH 10, ES 12] | 22 22 320000 0 0 not_qualified",
            "  PT-PH [PH 10, ES 12 t] | 22 22 320000 0 0 not_qualified",
        ],
    );
}

#[test]
fn a_third_state_clause_counts_the_periods_of_a_state_bound_by_another_agreement() {
    // PT 12 months at 2,000.00, PH 6 at PHP 20,000.00, ES 6 at 2,000.00. PT-PH has the clause:
    // PT counts ES (bound to PT by EU) as a third state. PT: total 12 + 6 + 6 = 24; ES (6 < 12)
    // is released, so the ratio is PT and PH, 18. Theoretical = 200000 * 100 * 24 / 10000 = 48000;
    // pro rata = 48000 * 12/18 = 32000. Under EU alone PT totals 18: short.
    // PH (minimum 6, not released) counts ES through ES-PH: total 24, ratio 18. Theoretical =
    // 100000 + 2000000 * 50 * 24 / 10000 = 340000; pro rata = 340000 * 6/18 = 113333.33, half up
    // 113333. ES (6) is released everywhere; its best total is EU's 18, 6 short.
    let mut h = worker();
    h.pay("PT", OLD_AGE, "2015-01", 12, 200_000);
    h.pay("PH", OLD_AGE, "2017-01", 6, 2_000_000);
    h.pay("ES", OLD_AGE, "2018-01", 6, 200_000);
    check(
        "third state",
        &h,
        &[
            "ES own 6 independent 0 | 18 36000 0 0 missing 6 paid_under -",
            "  EU [ES 6 r, PT 12] | 18 12 36000 0 0 released",
            "  ES-PH [ES 6 r, PH 6] | 12 6 24000 0 0 released",
            "  ES-KW [ES 6 r] until 2020-12 | 6 0 12000 0 0 released",
            "PH own 6 independent 0 | 24 340000 113333 113333 missing 0 paid_under PT-PH",
            "  ES-PH [PH 6, ES 6 r] | 12 6 220000 0 0 not_qualified",
            "  PT-PH [PH 6, ES 6 r t, PT 12] | 24 18 340000 113333 113333 pro_rata",
            "PT own 12 independent 0 | 24 48000 32000 32000 missing 0 paid_under PT-PH",
            "  EU [PT 12, ES 6 r] | 18 12 36000 0 0 not_qualified",
            "  US-PT [PT 12] | 12 12 24000 0 0 not_qualified",
            "  PT-PH [PT 12, ES 6 r t, PH 6] | 24 18 48000 32000 32000 pro_rata",
        ],
    );
}

#[test]
fn a_us_style_agreement_pays_the_totalized_benefit_when_not_insured_alone() {
    // US 30 months at USD 3,000.00 (40 needed), PT 20 at 2,000.00. US-PT: total 50, ratio 50.
    // US theoretical = 50000 + 300000 * 100 * 50 / 10000 = 200000; pro rata = 200000 * 30/50 =
    // 120000, paid because 30 < 40. PT: theoretical = 200000 * 100 * 50 / 10000 = 100000; pro
    // rata 100000 * 20/50 = 40000 (PT-PH counts US as a third state: the same).
    let mut h = worker();
    h.pay("US", OLD_AGE, "2005-01", 30, 300_000);
    h.pay("PT", OLD_AGE, "2010-01", 20, 200_000);
    check(
        "US style, not insured alone",
        &h,
        &[
            "PT own 20 independent 0 | 50 100000 40000 40000 missing 0 paid_under US-PT",
            "  EU [PT 20] | 20 20 40000 0 0 not_qualified",
            "  US-PT [PT 20, US 30] | 50 50 100000 40000 40000 pro_rata",
            "  PT-PH [PT 20, US 30 t] | 50 50 100000 40000 40000 pro_rata",
            "US own 30 independent 0 | 50 200000 120000 120000 missing 0 paid_under US-PT",
            "  US-PT [US 30, PT 20] | 50 50 200000 120000 120000 pro_rata",
        ],
    );
}

#[test]
fn a_us_style_agreement_pays_the_independent_amount_to_a_worker_insured_alone() {
    // US 45 months (≥ 40) at USD 3,000.00: independent = 50000 + 300000 * 100 * 45 / 10000 =
    // 185000. Totalized with PT's 20, theoretical = 50000 + 195000 = 245000 and the pro rata
    // 245000 * 45/65 = 169615.38, rounded down 169615; but the worker is insured on US periods
    // alone, so the agreement pays the independent amount, and no instrument pays more than it.
    let mut h = worker();
    h.pay("US", OLD_AGE, "2000-01", 45, 300_000);
    h.pay("PT", OLD_AGE, "2010-01", 20, 200_000);
    check(
        "US style, insured alone",
        &h,
        &[
            "PT own 20 independent 0 | 65 130000 40000 40000 missing 0 paid_under US-PT",
            "  EU [PT 20] | 20 20 40000 0 0 not_qualified",
            "  US-PT [PT 20, US 45] | 65 65 130000 40000 40000 pro_rata",
            "  PT-PH [PT 20, US 45 t] | 65 65 130000 40000 40000 pro_rata",
            "US own 45 independent 185000 | 65 245000 169615 185000 missing 0 paid_under -",
            "  US-PT [US 45, PT 20] | 65 65 245000 169615 185000 insured_alone",
        ],
    );
}

#[test]
fn an_agreement_sets_a_party_minimum_of_its_own() {
    // US-PT sets the US minimum at 18 months though the US scheme has none. US 15 months: released
    // under US-PT; its months count for PT's theoretical amount and not its ratio: PT total 45,
    // ratio 30, theoretical = 200000 * 100 * 45 / 10000 = 90000, pro rata 90000 * 30/30 = 90000.
    // But PT is insured alone (30 ≥ 24) and US-PT pays the independent amount, 60000. Under PT-PH
    // the US is a third state with the scheme's minimum (none), not released: ratio 45, pro rata
    // 90000 * 30/45 = 60000. The line pays the independent 60000.
    let mut h = worker();
    h.pay("US", OLD_AGE, "2000-01", 15, 300_000);
    h.pay("PT", OLD_AGE, "2005-01", 30, 200_000);
    check(
        "party minimum",
        &h,
        &[
            "PT own 30 independent 60000 | 45 90000 90000 60000 missing 0 paid_under -",
            "  EU [PT 30] | 30 30 60000 60000 60000 pro_rata",
            "  US-PT [PT 30, US 15 r] | 45 30 90000 90000 60000 insured_alone",
            "  PT-PH [PT 30, US 15 t] | 45 45 90000 60000 60000 pro_rata",
            "US own 15 independent 0 | 45 185000 0 0 missing 0 paid_under -",
            "  US-PT [US 15 r, PT 30] | 45 30 185000 0 0 released",
        ],
    );
}

#[test]
fn a_formula_rounds_once_by_the_scheme_rule() {
    // ES and IT 12 months each: 11 at 1,041.70 and one at 1,041.80, a wage sum of 1250050.
    // Theoretical = 1250050 / 12 * 100 * 24 / 10000 = 25001 exactly; pro rata = 25001 * 12/24 =
    // 12500.5: ES rounds half up to 12501, IT half to even, 12500. Alone, 12 months give
    // 1250050 / 12 * 100 * 12 / 10000 = 12500.5: 12501 in ES. The first arithmetic floored three
    // times: average 104170, theoretical 25000, pro rata 12500 in both.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2020-01", 11, 104_170);
    h.pay("ES", OLD_AGE, "2020-12", 1, 104_180);
    h.pay("IT", OLD_AGE, "2021-01", 11, 104_170);
    h.pay("IT", OLD_AGE, "2021-12", 1, 104_180);
    check(
        "rounding",
        &h,
        &[
            "ES own 12 independent 0 | 24 25001 12501 12501 missing 0 paid_under EU",
            "  EU [ES 12, IT 12] | 24 24 25001 12501 12501 pro_rata",
            "  ES-PH [ES 12] | 12 12 12501 0 0 not_qualified",
            "  ES-KW [ES 12] until 2020-12 | 12 12 12501 0 0 not_qualified",
            "IT own 12 independent 0 | 24 25001 12500 12500 missing 0 paid_under EU",
            "  EU [IT 12, ES 12] | 24 24 25001 12500 12500 pro_rata",
        ],
    );
}

#[test]
fn rights_acquired_under_an_agreement_survive_its_end() {
    // ES-KW was in force 2012-01-01 to 2020-12-31. KW 12 months in 2016 and 6 in 2021 at KWD
    // 2,000.000 (fils: three digits), ES 12 months in 2022 at 2,000.00; evaluated 2024-06-01. The
    // agreement still applies to the periods completed while it was in force: ES counts the 12
    // Kuwaiti months of 2016 and not those of 2021: total 24, theoretical 48000, pro rata
    // 48000 * 12/24 = 24000. KW counts no Spanish month (all after the end): 18, short.
    // KW theoretical = 2000000 * 100 * 18 / 10000 = 360000 fils.
    let mut h = worker();
    h.pay("KW", OLD_AGE, "2016-01", 12, 2_000_000);
    h.pay("KW", OLD_AGE, "2021-01", 6, 2_000_000);
    h.pay("ES", OLD_AGE, "2022-01", 12, 200_000);
    check(
        "ended agreement",
        &h,
        &[
            "ES own 12 independent 0 | 24 48000 24000 24000 missing 0 paid_under ES-KW",
            "  EU [ES 12] | 12 12 24000 0 0 not_qualified",
            "  ES-PH [ES 12] | 12 12 24000 0 0 not_qualified",
            "  ES-KW [ES 12, KW 12] until 2020-12 | 24 24 48000 24000 24000 pro_rata",
            "KW own 18 independent 0 | 18 360000 0 0 missing 6 paid_under -",
            "  ES-KW [KW 18] until 2020-12 | 18 18 360000 0 0 not_qualified",
        ],
    );
}

#[test]
fn an_agreement_applies_from_its_entry_into_force() {
    // IT 12 months and PH 12; IT-PH comes into force in 2030. In 2024 nothing totalizes them: IT
    // 12 (theoretical 24000), PH 12 (100000 + 2000000 * 50 * 12 / 10000 = 220000). In 2030 IT-PH
    // counts the periods completed before it: total 24; IT 48000 * 12/24 = 24000; PH
    // (100000 + 240000) * 12/24 = 170000. PT-PH's clause brings IT to PH as a third state then too.
    let mut h = worker();
    h.pay("IT", OLD_AGE, "2020-01", 12, 200_000);
    h.pay("PH", OLD_AGE, "2021-01", 12, 2_000_000);
    check(
        "before",
        &h,
        &[
            "IT own 12 independent 0 | 12 24000 0 0 missing 12 paid_under -",
            "  EU [IT 12] | 12 12 24000 0 0 not_qualified",
            "PH own 12 independent 0 | 12 220000 0 0 missing 12 paid_under -",
            "  ES-PH [PH 12] | 12 12 220000 0 0 not_qualified",
            "  PT-PH [PH 12] | 12 12 220000 0 0 not_qualified",
        ],
    );
    h.later("2030-02-01");
    check(
        "after",
        &h,
        &[
            "IT own 12 independent 0 | 24 48000 24000 24000 missing 0 paid_under IT-PH",
            "  EU [IT 12] | 12 12 24000 0 0 not_qualified",
            "  IT-PH [IT 12, PH 12] | 24 24 48000 24000 24000 pro_rata",
            "PH own 12 independent 0 | 24 340000 170000 170000 missing 0 paid_under IT-PH",
            "  ES-PH [PH 12] | 12 12 220000 0 0 not_qualified",
            "  IT-PH [PH 12, IT 12] | 24 24 340000 170000 170000 pro_rata",
            "  PT-PH [PH 12, IT 12 t] | 24 24 340000 170000 170000 pro_rata",
        ],
    );
}

#[test]
fn released_months_are_not_lost_among_three_states() {
    // ES 8, IT 12, PT 12 at 2,000.00. ES is released; IT and PT each total 32 with ratio 24:
    // theoretical 64000, pro rata 64000 * 12/24 = 32000 each; together 64000 = amount(32), the
    // whole career. The first arithmetic would have paid 64000 * 12/32 = 24000 each.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2010-06", 8, 200_000);
    h.pay("IT", OLD_AGE, "2012-01", 12, 200_000);
    h.pay("PT", OLD_AGE, "2014-01", 12, 200_000);
    check(
        "three states",
        &h,
        &[
            "ES own 8 independent 0 | 32 64000 0 0 missing 0 paid_under -",
            "  EU [ES 8 r, IT 12, PT 12] | 32 24 64000 0 0 released",
            "  ES-PH [ES 8 r] | 8 0 16000 0 0 released",
            "  ES-KW [ES 8 r] until 2020-12 | 8 0 16000 0 0 released",
            "IT own 12 independent 0 | 32 64000 32000 32000 missing 0 paid_under EU",
            "  EU [IT 12, ES 8 r, PT 12] | 32 24 64000 32000 32000 pro_rata",
            "PT own 12 independent 0 | 32 64000 32000 32000 missing 0 paid_under EU",
            "  EU [PT 12, ES 8 r, IT 12] | 32 24 64000 32000 32000 pro_rata",
            "  US-PT [PT 12] | 12 12 24000 0 0 not_qualified",
            "  PT-PH [PT 12, ES 8 r t, IT 12 t] | 32 24 64000 32000 32000 pro_rata",
        ],
    );
}

#[test]
fn a_month_in_two_states_counts_once_in_an_instrument() {
    // ES 2020-01..2021-08 (20) at 2,000.00, IT 2021-01..12 (12) at 3,000.00: the union is 24.
    // ES: theoretical 48000, pro rata 48000 * 20/24 = 40000. IT: 72000 * 12/24 = 36000.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2020-01", 20, 200_000);
    h.pay("IT", OLD_AGE, "2021-01", 12, 300_000);
    check(
        "overlap",
        &h,
        &[
            "ES own 20 independent 0 | 24 48000 40000 40000 missing 0 paid_under EU",
            "  EU [ES 20, IT 12] | 24 24 48000 40000 40000 pro_rata",
            "  ES-PH [ES 20] | 20 20 40000 0 0 not_qualified",
            "  ES-KW [ES 20] until 2020-12 | 20 20 40000 0 0 not_qualified",
            "IT own 12 independent 0 | 24 72000 36000 36000 missing 0 paid_under EU",
            "  EU [IT 12, ES 20] | 24 24 72000 36000 36000 pro_rata",
        ],
    );
}

#[test]
fn a_branch_without_a_scheme_shows_months_and_no_instrument() {
    // PT sickness: 3 months recorded, no scheme in these rules; EU covers only old age here.
    let mut h = worker();
    h.pay("PT", Branch::Sickness, "2020-01", 3, 200_000);
    check("no scheme", &h, &["PT own 3 independent 0 | 3 0 0 0 missing 0 paid_under -"]);
}

#[test]
fn the_first_format_still_answers_as_it_did_and_the_second_keeps_the_released_months() {
    // The case that showed the first arithmetic loses periods, under the shipped sample rules:
    // ES 11 months, IT 229, at 3,000.00. IT needs 240 and accrues 25 bp a month:
    // amount(240) = 300000 * 25 * 240 / 10000 = 180000.
    // Under the sample of 2026-11 (format 1) IT pays 180000 * 229/240 = 171750 and ES, released,
    // nothing: a golden balance of a document already on chains.
    // Under the current sample (format 2) ES's months count for IT's theoretical amount and not
    // its ratio: IT pays 180000 * 229/229 = 180000.
    let italy = |rules: &str| {
        let mut h = History::new(rules);
        h.pay("ES", OLD_AGE, "2000-01", 11, 300_000);
        h.pay("IT", OLD_AGE, "2001-01", 229, 300_000);
        let lines = h.now();
        let figures = |code: &str| {
            let line = lines.iter().find(|line| line.jurisdiction.as_str() == code);
            line.map(|line| (line.total_months, line.theoretical, line.pro_rata, line.payable))
        };
        (figures("ES").map(|f| f.3), figures("IT"))
    };
    let first = include_str!("../../../test-data/rules/sample-2026-11.toml");
    assert_eq!(italy(first), (Some(0), Some((240, 180_000, 171_750, 171_750))));
    assert_eq!(italy(ledger_rules::SAMPLE_RULES_TOML), (Some(0), Some((240, 180_000, 180_000, 180_000))));
}

#[test]
fn an_unexported_benefit_is_suspended_while_the_worker_lives_abroad() {
    // ES 24 months at 2,000.00: independent = 200000 * 100 * 24 / 10000 = 48000, payable at home.
    // Living in Kuwait (ES-KW does not export, and has ended), or in the United States (no
    // agreement with Spain), it is suspended; in Portugal (EU exports) or the Philippines (ES-PH
    // exports) it is paid. The amount is the same throughout: only where it may be paid changes.
    // Applied for, and of pensionable age: without a birth month the age is not known, so this
    // scenario's worker is born in 1950 (65 in 2015).
    let mut h = History::born(RULES, Some("1950-01"));
    h.pay("ES", OLD_AGE, "2016-01", 24, 200_000);
    h.apply("ES", OLD_AGE, "2024-01-01");
    let standing = |h: &History| {
        let lines = h.now();
        let line =
            lines.iter().find(|line| line.jurisdiction.as_str() == "ES").unwrap_or_else(|| panic!("ES"));
        (line.payable, line.standing)
    };
    assert_eq!(standing(&h), (48_000, Some(Standing::Payable)), "no residence recorded: at home");
    for (country, expected) in [
        ("KW", Some(Standing::SuspendedAbroad { lives_in: common::code("KW") })),
        ("PT", Some(Standing::Payable)),
        ("US", Some(Standing::SuspendedAbroad { lives_in: common::code("US") })),
        ("PH", Some(Standing::Payable)),
        ("ES", Some(Standing::Payable)),
    ] {
        h.move_to(country);
        assert_eq!(standing(&h), (48_000, expected), "living in {country}");
    }
    // Nothing payable is nothing to suspend.
    let mut short = worker();
    short.pay("ES", OLD_AGE, "2016-01", 6, 200_000);
    short.move_to("US");
    let lines = short.now();
    assert_eq!(lines.first().map(|line| line.standing), Some(Some(Standing::NothingPayable)));
}

#[test]
fn before_the_risk_an_amount_is_projected_never_payable() {
    // ES 24 months at 2,000.00: amount 48000, qualifying alone. ES old age is due from 65.
    // Born 1960-04, she reaches 65 on 2025-04-01. Evaluated on 2024-06-01: before any application
    // the amount is projected with no date; applying from 2024-06-01 it is projected, due from
    // 2025-04-01 (the later of the risk date and the pensionable age); once that day has passed,
    // payable. Without a birth month the age cannot be known: projected, with no date, applied or not.
    let standing = |h: &History| {
        let lines = h.now();
        let line =
            lines.iter().find(|line| line.jurisdiction.as_str() == "ES").unwrap_or_else(|| panic!("ES"));
        (line.payable, line.standing)
    };
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
    let mut h = History::born(RULES, Some("1960-04"));
    h.pay("ES", OLD_AGE, "2016-01", 24, 200_000);
    assert_eq!(standing(&h), (48_000, Some(Standing::Projected { due_from: None })), "not applied for");
    h.apply("ES", OLD_AGE, "2024-06-01");
    assert_eq!(
        standing(&h),
        (48_000, Some(Standing::Projected { due_from: day("2025-04-01") })),
        "before 65"
    );
    h.later("2025-03-31");
    assert_eq!(
        standing(&h),
        (48_000, Some(Standing::Projected { due_from: day("2025-04-01") })),
        "the day before"
    );
    h.later("2025-04-01");
    // `later` records her residence in the Philippines; ES-PH exports old age.
    assert_eq!(standing(&h), (48_000, Some(Standing::Payable)), "65 today");
    let mut unknown = History::new(RULES);
    unknown.pay("ES", OLD_AGE, "2016-01", 24, 200_000);
    unknown.apply("ES", OLD_AGE, "2024-01-01");
    assert_eq!(standing(&unknown), (48_000, Some(Standing::Projected { due_from: None })), "no birth month");
}

#[test]
fn where_the_amount_does_not_depend_on_periods_only_the_state_at_onset_pays() {
    // Art. 44. IT invalidity is "type A": amount(12) = 50000 whatever the months, 12 needed. ES
    // invalidity depends on periods (24 needed, 100 bp). ES 12 months in 2015, IT 12 in 2018, at
    // 2,000.00. Onset 2018-06-15, while insured in IT: IT pays 50000 whole. ES computes its
    // pro-rata share under EU as for old age: total 24, theoretical 48000, pro rata 24000.
    // With the onset on 2020-03-01, insured nowhere then: IT pays nothing (another state's
    // legislation applied at the onset), and says so; ES is unchanged.
    let invalidity = Branch::Invalidity;
    let figures = |h: &History| -> Vec<(String, u64, Option<Standing>)> {
        h.now().iter().map(|line| (line.jurisdiction.to_string(), line.payable, line.standing)).collect()
    };
    let mut h = worker();
    h.pay("ES", invalidity, "2015-01", 12, 200_000);
    h.pay("IT", invalidity, "2018-01", 12, 200_000);
    h.apply("IT", invalidity, "2018-06-15");
    assert_eq!(
        figures(&h),
        [
            ("ES".to_owned(), 24_000, Some(Standing::Payable)),
            ("IT".to_owned(), 50_000, Some(Standing::Payable))
        ]
    );
    h.apply("IT", invalidity, "2020-03-01");
    assert_eq!(
        figures(&h),
        [
            ("ES".to_owned(), 24_000, Some(Standing::Payable)),
            ("IT".to_owned(), 0, Some(Standing::NotInsuredAtOnset))
        ]
    );
}

/// The months a line sets aside, as `YYYY-MM reason state`.
fn set_aside(history: &History, jurisdiction: &str) -> Vec<String> {
    let lines = history.now();
    let line = lines.iter().find(|line| line.jurisdiction.as_str() == jurisdiction);
    line.map(|line| {
        line.set_aside
            .iter()
            .map(|month| format!("{} {} {}", month.month, month.reason.label(), month.because_of))
            .collect()
    })
    .unwrap_or_default()
}

#[test]
fn voluntary_months_under_compulsory_insurance_elsewhere_are_set_aside() {
    // Reg. 987/2009 Art. 12(4). ES compulsory 2020-01..2021-12 (24), IT voluntary 2021-07..2022-06
    // (12), at 2,000.00. The six Italian months that coincide with Spanish compulsory ones count
    // only in Spain; Italy keeps 2022-01..06 (6). Counted in both, the two pro-rata shares would
    // pay 60000 * 24/30 + 60000 * 12/30 = 72000 for a career worth amount(30) = 60000.
    // ES: EU total 24 + 6 = 30; Italy (6 < 12) is released, so the ratio is 24/24: pro rata 60000,
    // above the independent amount(24) = 48000. IT: released, pays nothing; its theoretical amount
    // is 60000 too. Together 60000: the career, once.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2020-01", 24, 200_000);
    h.pay_voluntary("IT", OLD_AGE, "2021-07", 12, 200_000);
    check(
        "voluntary under compulsory",
        &h,
        &[
            "ES own 24 independent 48000 | 30 60000 60000 60000 missing 0 paid_under EU",
            "  EU [ES 24, IT 6 r] | 30 24 60000 60000 60000 pro_rata",
            "  ES-PH [ES 24] | 24 24 48000 48000 48000 pro_rata",
            "  ES-KW [ES 24] until 2020-12 | 24 24 48000 48000 48000 pro_rata",
            "IT own 6 independent 0 | 30 60000 0 0 missing 0 paid_under -",
            "  EU [IT 6 r, ES 24] | 30 24 60000 0 0 released",
        ],
    );
    let expected: Vec<String> =
        (7..=12).map(|month| format!("2021-{month:02} voluntary_under_compulsory ES")).collect();
    assert_eq!(set_aside(&h, "IT"), expected);
    assert!(set_aside(&h, "ES").is_empty());
    // A credited period of voluntary insurance is voluntary too.
    let mut credited = worker();
    credited.pay("ES", OLD_AGE, "2020-01", 24, 200_000);
    credited.credit_as(CreditKind::VoluntaryInsurance, "PT", OLD_AGE, "2021-12", "2022-01");
    assert_eq!(set_aside(&credited, "PT"), ["2021-12 voluntary_under_compulsory ES"]);
}

#[test]
fn credited_months_under_real_insurance_elsewhere_are_set_aside() {
    // Art. 12(2). ES compulsory 2020-01..12, PT credits unemployment 2020-07..2021-06: the six
    // Portuguese months that coincide with Spanish insurance count only in Spain; Portugal keeps
    // 2021-01..06. ES: own 12; EU total 12 + 6 = 18, short of 24.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2020-01", 12, 200_000);
    h.credit_as(CreditKind::Unemployment, "PT", OLD_AGE, "2020-07", "2021-06");
    let expected: Vec<String> =
        (7..=12).map(|month| format!("2020-{month:02} assimilated_under_real ES")).collect();
    assert_eq!(set_aside(&h, "PT"), expected);
    let lines = h.now();
    let own: Vec<(String, u32, u32)> = lines
        .iter()
        .map(|line| (line.jurisdiction.to_string(), line.own_months, line.total_months))
        .collect();
    assert_eq!(own, [("ES".to_owned(), 12, 18), ("PT".to_owned(), 6, 18)]);
}

#[test]
fn months_credited_by_two_states_count_in_the_state_of_last_compulsory_insurance() {
    // Art. 12(3). IT compulsory 2018-01..06, ES compulsory 2019-01..12, then both credit
    // 2020-01..03 (ES unemployment, IT child care): the last compulsory insurance before them was
    // Spain's, so Italy's three credits are set aside. With no compulsory insurance before, the
    // first after decides: PT credits 2015-01..03 and IT 2015-01..03 (maternity), Italy insured
    // from 2018: Portugal's are set aside.
    let mut h = worker();
    h.pay("IT", OLD_AGE, "2018-01", 6, 200_000);
    h.pay("ES", OLD_AGE, "2019-01", 12, 200_000);
    h.credit_as(CreditKind::Unemployment, "ES", OLD_AGE, "2020-01", "2020-03");
    h.credit_as(CreditKind::ChildCare, "IT", OLD_AGE, "2020-01", "2020-03");
    let expected: Vec<String> =
        (1..=3).map(|month| format!("2020-{month:02} assimilated_not_last_compulsory ES")).collect();
    assert_eq!(set_aside(&h, "IT"), expected);
    assert!(set_aside(&h, "ES").is_empty());
    h.credit_as(CreditKind::Maternity, "PT", OLD_AGE, "2015-01", "2015-03");
    h.credit_as(CreditKind::Maternity, "IT", OLD_AGE, "2015-01", "2015-03");
    let expected: Vec<String> =
        (1..=3).map(|month| format!("2015-{month:02} assimilated_not_last_compulsory IT")).collect();
    assert_eq!(set_aside(&h, "PT"), expected);
    // Reasons are named for what the balance says.
    assert_eq!(SetAsideReason::AssimilatedNotLastCompulsory.label(), "assimilated_not_last_compulsory");
}

#[test]
fn periods_certified_in_days_count_as_their_scheme_converts_them() {
    // Reg. 987/2009 Art. 13. ES (5-day system) contributions 2019-01..12 at 2,000.00, then 264
    // days certified for 2020: 264 / 22 = 12 months. IT (6-day system) certifies 300 days for
    // 2021: 300 / 26 = 11.5, 11 whole months (2021-01..11), below Italy's 12: released.
    // ES: own 24, independent amount(24) = 48000 (average over its 12 wage months, 200000);
    // EU total 24 + 11 = 35, ratio 24: theoretical 200000 * 100 * 35 / 10000 = 70000, pro rata
    // 70000. IT has no wage month: its average is 0 and its amounts 0.
    let mut h = worker();
    h.pay("ES", OLD_AGE, "2019-01", 12, 200_000);
    h.certify("ES", OLD_AGE, "2020-01", "2020-12", PeriodUnit::Days, 264);
    h.certify("IT", OLD_AGE, "2021-01", "2021-12", PeriodUnit::Days, 300);
    // 21 days in June 2018 are less than a month (22): on the chain, counting for no month.
    h.certify("ES", OLD_AGE, "2018-06", "2018-06", PeriodUnit::Days, 21);
    check(
        "days",
        &h,
        &[
            "ES own 24 independent 48000 | 35 70000 70000 70000 missing 0 paid_under EU",
            "  EU [ES 24, IT 11 r] | 35 24 70000 70000 70000 pro_rata",
            "  ES-PH [ES 24] | 24 24 48000 48000 48000 pro_rata",
            "  ES-KW [ES 24] until 2020-12 | 24 24 48000 48000 48000 pro_rata",
            "IT own 11 independent 0 | 35 0 0 0 missing 0 paid_under -",
            "  EU [IT 11 r, ES 24] | 35 24 0 0 0 released",
        ],
    );
}

#[test]
fn us_quarters_of_coverage_totalize_only_past_the_national_minimum() {
    // US quarters of coverage count three months each; US-PT sets the US minimum at 18 months
    // (six quarters) before the US totalizes. Five quarters (2005-01..2006-03): released. PT 30
    // months at 2,000.00. The US has no wage month here: its amount is the flat 50000.
    // With a sixth quarter (2006-04..06): 18 months, not released; total 48, ratio 48: pro rata
    // 50000 * 18/48 = 18750, paid because 18 < 40 (not insured on US periods alone).
    let mut h = worker();
    h.pay("PT", OLD_AGE, "2010-01", 30, 200_000);
    h.certify("US", OLD_AGE, "2005-01", "2006-03", PeriodUnit::Quarters, 5);
    let us = |h: &History| -> Vec<String> {
        h.now().iter().filter(|line| line.jurisdiction.as_str() == "US").flat_map(summary).collect()
    };
    assert_eq!(
        us(&h),
        [
            "US own 15 independent 0 | 45 50000 0 0 missing 0 paid_under -",
            "  US-PT [US 15 r, PT 30] | 45 30 50000 0 0 released"
        ]
    );
    h.certify("US", OLD_AGE, "2006-04", "2006-06", PeriodUnit::Quarters, 1);
    assert_eq!(
        us(&h),
        [
            "US own 18 independent 0 | 48 50000 18750 18750 missing 0 paid_under US-PT",
            "  US-PT [US 18, PT 30] | 48 48 50000 18750 18750 pro_rata",
        ]
    );
}
