//! Worked scenarios of the first coordination arithmetic (DESIGN.md), each computed by hand in its
//! comments, under the small illustrative rules below, folded from real records.
//!
//! The rules are of format 1, as every document adopted before format 2 existed: these are the
//! golden balances such documents must keep giving (tests/law.rs has the second arithmetic).
//!
//! Formula: amount(m) = flat + floor(avg_wage * accrual_bp_per_month * m / 10000), capped.
//! independent = amount(|own|) if |own| >= qualifying; pro_rata = floor(amount(total) * |own| / total)
//! if total >= qualifying and |own| >= minimum_own; payable = max(independent, pro_rata).

mod common;

use common::{History, OLD_AGE};
use ledger_core::Branch;

/// Illustrative rules for the scenarios: round figures so the arithmetic can be done by hand.
const RULES: &str = r#"
[document]
name = "scenarios"
version = "1"
illustrative = true

[[jurisdiction]]
code = "ES"
name = "Spain"
currency = "EUR"

[[jurisdiction]]
code = "IT"
name = "Italy"
currency = "EUR"

[[jurisdiction]]
code = "PH"
name = "Philippines"
currency = "PHP"

[[jurisdiction]]
code = "NP"
name = "Nepal"
currency = "NPR"

[[jurisdiction]]
code = "MY"
name = "Malaysia"
currency = "MYR"

[[scheme]]
jurisdiction = "ES"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100

[[scheme]]
jurisdiction = "ES"
branch = "maternity"
qualifying_months = 6
minimum_own_months = 0
flat = 0
accrual_bp_per_month = 1000
cap = 150000

[[scheme]]
jurisdiction = "IT"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100

[[scheme]]
jurisdiction = "PH"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 6
flat = 100000
accrual_bp_per_month = 50
cap = 2000000

[[scheme]]
jurisdiction = "NP"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100

[[scheme]]
jurisdiction = "MY"
branch = "old_age"
qualifying_months = 24
minimum_own_months = 12
flat = 0
accrual_bp_per_month = 100

[[agreement]]
id = "EU"
name = "EU coordination (illustrative)"
parties = ["ES", "IT"]
branches = ["old_age", "maternity"]
totalization = true
export_of_benefits = true
in_force_from = "2010-05-01"

[[agreement]]
id = "ES-PH"
name = "Spain and the Philippines (illustrative)"
parties = ["ES", "PH"]
branches = ["old_age"]
totalization = true
export_of_benefits = true
in_force_from = "1989-01-01"

[[agreement]]
id = "IT-PH"
name = "Italy and the Philippines (illustrative, in force from 2030)"
parties = ["IT", "PH"]
branches = ["old_age"]
totalization = true
export_of_benefits = false
in_force_from = "2030-01-01"
"#;

/// What a line must show: own, total, independent, theoretical, pro rata, payable, missing.
type Expect = (&'static str, Branch, [u64; 7]);

fn check(name: &str, history: &History, len: usize, expected: &[Expect]) {
    let (on, lines) = history.lines(len);
    let got: Vec<Expect> = lines
        .iter()
        .map(|line| {
            let jurisdiction: &'static str = match line.jurisdiction.as_str() {
                "ES" => "ES",
                "IT" => "IT",
                "PH" => "PH",
                "NP" => "NP",
                _ => "MY",
            };
            let figures = [
                u64::from(line.own_months),
                u64::from(line.total_months),
                line.independent,
                line.theoretical,
                line.pro_rata,
                line.payable,
                u64::from(line.missing_months),
            ];
            (jurisdiction, line.branch, figures)
        })
        .collect();
    assert_eq!(got, expected, "scenario {name:?}, evaluated on {on}");
}

#[test]
fn worked_scenarios() {
    let mut count = 0;
    let mut run = |name: &str, history: &History, expected: &[Expect]| {
        check(name, history, history.records.len(), expected);
        count += 1;
    };

    // 1. One country, qualifying alone. ES: 30 months at 2,000.00 EUR.
    //    amount(30) = 200000 * 100 * 30 / 10000 = 60000 → independent = theoretical = pro rata = 60000.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2020-01", 30, 200_000);
    run("one country", &h, &[("ES", OLD_AGE, [30, 30, 60_000, 60_000, 60_000, 60_000, 0])]);

    // 2. Multilateral totalization (EU): ES 18 months at 200000, IT 12 months at 300000, no overlap.
    //    Total 30 ≥ 24 though each alone is short.
    //    ES: theoretical = 200000*100*30/10000 = 60000; pro rata = 60000*18/30 = 36000.
    //    IT: theoretical = 300000*100*30/10000 = 90000; pro rata = 90000*12/30 = 36000.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2018-01", 18, 200_000);
    h.pay("IT", OLD_AGE, "2019-07", 12, 300_000);
    run(
        "EU totalization",
        &h,
        &[
            ("ES", OLD_AGE, [18, 30, 0, 60_000, 36_000, 36_000, 0]),
            ("IT", OLD_AGE, [12, 30, 0, 90_000, 36_000, 36_000, 0]),
        ],
    );

    // 3. Overlapping months count once: ES 2020-01..2021-08 (20), IT 2021-01..2021-12 (12); the
    //    8 months 2021-01..08 are in both, so the union is 20 + 4 = 24.
    //    ES: theoretical = 200000*100*24/10000 = 48000; pro rata = 48000*20/24 = 40000.
    //    IT: theoretical = 300000*100*24/10000 = 72000; pro rata = 72000*12/24 = 36000.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2020-01", 20, 200_000);
    h.pay("IT", OLD_AGE, "2021-01", 12, 300_000);
    run(
        "overlap",
        &h,
        &[
            ("ES", OLD_AGE, [20, 24, 0, 48_000, 40_000, 40_000, 0]),
            ("IT", OLD_AGE, [12, 24, 0, 72_000, 36_000, 36_000, 0]),
        ],
    );

    // 4. A reversed contribution: 24 months at 200000 and a 25th at 450000, which is reversed.
    //    Before: avg = (24*200000 + 450000)/25 = 210000; amount(25) = 210000*100*25/10000 = 52500.
    //    After: own 24, avg 200000, amount(24) = 48000.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2020-01", 24, 200_000);
    let wrong = h.pay("ES", OLD_AGE, "2022-01", 1, 450_000);
    let before = h.records.len();
    h.reverse(wrong[0], "ES");
    check("before the reversal", &h, before, &[("ES", OLD_AGE, [25, 25, 52_500, 52_500, 52_500, 52_500, 0])]);
    run("reversal", &h, &[("ES", OLD_AGE, [24, 24, 48_000, 48_000, 48_000, 48_000, 0])]);

    // 5. Credited maternity months: ES maternity contributions 2020-01..04 at 200000, credit
    //    2020-04..06; April is in both: own = 6. avg is over contribution months only: 200000.
    //    amount(6) = 200000*1000*6/10000 = 120000 (cap 150000 not reached).
    let mut h = History::new(RULES);
    h.pay("ES", Branch::Maternity, "2020-01", 4, 200_000);
    h.credit("ES", Branch::Maternity, "2020-04", "2020-06");
    run(
        "credited maternity",
        &h,
        &[("ES", Branch::Maternity, [6, 6, 120_000, 120_000, 120_000, 120_000, 0])],
    );

    // 6. An agreement not yet in force: PH 12 months at 2,000,000 centavos, IT 12 months at
    //    300000. IT-PH is in force from 2030 only; evaluated in 2024 nothing totalizes (the
    //    worker has no ES months), so each side is 12 short.
    let mut h = History::new(RULES);
    h.pay("PH", OLD_AGE, "2015-01", 12, 2_000_000);
    h.pay("IT", OLD_AGE, "2016-01", 12, 300_000);
    // theoretical PH = 100000 + 2000000*50*12/10000 = 220000; IT = 300000*100*12/10000 = 36000.
    run(
        "agreement not yet in force",
        &h,
        &[("IT", OLD_AGE, [12, 12, 0, 36_000, 0, 0, 12]), ("PH", OLD_AGE, [12, 12, 0, 220_000, 0, 0, 12])],
    );
    // 7. The same months evaluated in 2030, when IT-PH is in force: total 24.
    //    PH: theoretical = 100000 + 2000000*50*24/10000 = 340000; pro rata = 340000*12/24 = 170000.
    //    IT: theoretical = 300000*100*24/10000 = 72000; pro rata = 72000*12/24 = 36000.
    h.later("2030-02-01");
    run(
        "agreement in force",
        &h,
        &[
            ("IT", OLD_AGE, [12, 24, 0, 72_000, 36_000, 36_000, 0]),
            ("PH", OLD_AGE, [12, 24, 0, 340_000, 170_000, 170_000, 0]),
        ],
    );

    // 8. Own months below the minimum: ES 8 months, IT 20 months; total 28 ≥ 24, but ES has fewer
    //    than 12 own months and pays no pro-rata share.
    //    ES: theoretical = 200000*100*28/10000 = 56000, pro rata 0.
    //    IT: theoretical = 300000*100*28/10000 = 84000; pro rata = 84000*20/28 = 60000.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2010-06", 8, 200_000);
    h.pay("IT", OLD_AGE, "2011-06", 20, 300_000);
    run(
        "below the minimum",
        &h,
        &[
            ("ES", OLD_AGE, [8, 28, 0, 56_000, 0, 0, 0]),
            ("IT", OLD_AGE, [20, 28, 0, 84_000, 60_000, 60_000, 0]),
        ],
    );

    // 9. The cap: PH 30 months at 20,000,000 centavos.
    //    amount(30) = 100000 + 20000000*50*30/10000 = 3100000, capped at 2000000.
    let mut h = History::new(RULES);
    h.pay("PH", OLD_AGE, "2000-01", 30, 20_000_000);
    run("cap", &h, &[("PH", OLD_AGE, [30, 30, 2_000_000, 2_000_000, 2_000_000, 2_000_000, 0])]);

    // 10. Short everywhere alone, qualifying with a bilateral agreement (ES-PH): ES 15, PH 15.
    //    ES: theoretical = 200000*100*30/10000 = 60000; pro rata = 60000*15/30 = 30000.
    //    PH: theoretical = 100000 + 2000000*50*30/10000 = 400000; pro rata = 400000*15/30 = 200000.
    let mut h = History::new(RULES);
    h.pay("PH", OLD_AGE, "2005-01", 15, 2_000_000);
    h.pay("ES", OLD_AGE, "2007-01", 15, 200_000);
    run(
        "bilateral totalization",
        &h,
        &[
            ("ES", OLD_AGE, [15, 30, 0, 60_000, 30_000, 30_000, 0]),
            ("PH", OLD_AGE, [15, 30, 0, 400_000, 200_000, 200_000, 0]),
        ],
    );

    // 11. No agreement at all (Nepal and Malaysia): NP 15 at 3,000,000 paisa, MY 15 at 300000 sen.
    //    Nothing totalizes; each is 9 months short and pays nothing.
    //    theoretical NP = 3000000*100*15/10000 = 450000; MY = 300000*100*15/10000 = 45000.
    let mut h = History::new(RULES);
    h.pay("NP", OLD_AGE, "2012-01", 15, 3_000_000);
    h.pay("MY", OLD_AGE, "2014-01", 15, 300_000);
    run(
        "no agreement",
        &h,
        &[("MY", OLD_AGE, [15, 15, 0, 45_000, 0, 0, 9]), ("NP", OLD_AGE, [15, 15, 0, 450_000, 0, 0, 9])],
    );

    // 12. Several branches at once: ES old age 30 months at 200000 (60000 as in 1), and ES
    //    maternity 3 months at 200000 with 2020-04..05 credited: own 5 < 6, so nothing is payable;
    //    theoretical = 200000*1000*5/10000 = 100000; one month missing.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2018-01", 30, 200_000);
    h.pay("ES", Branch::Maternity, "2020-01", 3, 200_000);
    h.credit("ES", Branch::Maternity, "2020-04", "2020-05");
    run(
        "several branches",
        &h,
        &[
            ("ES", OLD_AGE, [30, 30, 60_000, 60_000, 60_000, 60_000, 0]),
            ("ES", Branch::Maternity, [5, 5, 0, 100_000, 0, 0, 1]),
        ],
    );

    // 13. A rules change between two points of the log: ES 20 months at 200000. Under the first
    //    rules ES needs 24 months: nothing is payable, 4 missing. The second rules lower it to 18:
    //    independent = 200000*100*20/10000 = 40000. The earlier point still answers as before.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2020-01", 20, 200_000);
    let before_change = h.records.len();
    let lowered =
        RULES.replacen("qualifying_months = 24", "qualifying_months = 18", 1).replacen("\"1\"", "\"2\"", 1);
    h.adopt(&lowered);
    check("before the rules change", &h, before_change, &[("ES", OLD_AGE, [20, 20, 0, 40_000, 0, 0, 4])]);
    run("after the rules change", &h, &[("ES", OLD_AGE, [20, 20, 40_000, 40_000, 40_000, 40_000, 0])]);

    // 14. Two employers in one month: ES 24 months at 100000, and a second employer pays 100000
    //    more for the first 12 of them. Months count once; the month's wages add up:
    //    avg = (12*200000 + 12*100000)/24 = 150000; amount(24) = 150000*100*24/10000 = 36000.
    let mut h = History::new(RULES);
    h.pay("ES", OLD_AGE, "2020-01", 24, 100_000);
    h.pay("ES", OLD_AGE, "2020-01", 12, 100_000);
    run("two employers", &h, &[("ES", OLD_AGE, [24, 24, 36_000, 36_000, 36_000, 36_000, 0])]);

    assert_eq!(count, 14);
}

#[test]
fn contributions_paid_are_kept_apart_and_net_of_reversals() {
    // ES 3 months at 200000: employer 20000 and worker 10000 each month; one is reversed.
    let mut h = History::new(RULES);
    let seqs = h.pay("ES", OLD_AGE, "2021-01", 3, 200_000);
    h.reverse(seqs[1], "ES");
    let (_, lines) = h.lines(h.records.len());
    assert_eq!((lines[0].employer_paid, lines[0].worker_paid), (40_000, 20_000));
    assert_eq!((lines[0].own_months, lines[0].contribution_months, lines[0].average_wage), (2, 2, 200_000));
}
