//! Published reports (docs/FORMAT.md, "Published reports"): a report of a jurisdiction's year or
//! quarter in its canonical form, with the checkpoint of the log it was computed from and the log
//! key's statement that this report is that log's, in one file anyone checks offline, and
//! computes again from an export of the log.
//!
//! The canonical form is JSON with keys in byte order and no white space; amounts are decimal
//! strings of minor units (exact at any size, and safe for readers whose numbers are doubles); a
//! suppressed cell is `null`.

use ledger_core::checkpoint::ReportStatement;
use ledger_core::{merkle::Frontier, sha256, Jurisdiction, Record};
use ledger_projections::coverage::{Amendments, CoverageCell, CoverageRow, Period, YearFold};
use ledger_projections::employer_pays::{Amounts, CostCell, CostRow};
use ledger_projections::employers::EmployerRow;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{Trust, VerifyError};

/// The format of a report bundle file.
pub const REPORT_BUNDLE_FORMAT: &str = "ledger-report-v1";
/// Longest report bundle read, in bytes.
pub const REPORT_BUNDLE_LEN_MAX: u64 = 16 * 1024 * 1024;

/// The reports the ledger publishes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    Coverage,
    EmployerPays,
    Employers,
}

impl ReportKind {
    pub const ALL: [ReportKind; 3] = [ReportKind::Coverage, ReportKind::EmployerPays, ReportKind::Employers];

    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Coverage => "coverage",
            ReportKind::EmployerPays => "employer-pays",
            ReportKind::Employers => "employers",
        }
    }

    pub fn parse(name: &str) -> Result<ReportKind, VerifyError> {
        ReportKind::ALL.into_iter().find(|kind| kind.name() == name).ok_or_else(|| {
            VerifyError::Statement(format!("{name:?} is no report: coverage, employer-pays or employers"))
        })
    }
}

/// A published report: what `ledger audit publish` writes and `ledger audit verify-report` reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    pub format: String,
    pub report: String,
    pub jurisdiction: String,
    pub period: String,
    /// The checkpoint of the log's first `size` events, signed by the log's key (and cosigned).
    pub checkpoint: String,
    /// The log key's report statement: these parameters, that tree, the body's digest.
    pub statement: String,
    /// The report in its canonical form.
    pub body: Value,
}

impl Bundle {
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn from_json(bytes: &[u8]) -> Result<Bundle, VerifyError> {
        serde_json::from_slice(bytes)
            .map_err(|error| VerifyError::Statement(format!("not a report bundle: {error}")))
    }
}

/// The canonical bytes of a report's body, which the statement's digest is of.
pub fn canonical(body: &Value) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_default()
}

fn minor(amount: u128) -> Value {
    Value::String(amount.to_string())
}

fn amounts(amounts: &Amounts) -> Value {
    amounts.iter().map(|(currency, amount)| (currency.to_string(), minor(*amount))).collect()
}

fn coverage_cell(cell: &Option<CoverageCell>) -> Value {
    let Some(cell) = cell else { return Value::Null };
    let paid: serde_json::Map<String, Value> = cell
        .by_branch
        .iter()
        .map(|(branch, paid)| {
            (
                branch.label().to_owned(),
                json!({"employer": minor(paid.employer), "worker": minor(paid.worker)}),
            )
        })
        .collect();
    json!({
        "workers": cell.workers, "months": cell.months, "paid": paid,
        "wages": minor(cell.wages), "wage_months": cell.wage_months,
    })
}

fn coverage_rows(rows: &[CoverageRow]) -> Value {
    rows.iter()
        .map(|row| {
            json!({"label": row.label, "sector": row.sector, "note": row.note, "cell": coverage_cell(&row.cell)})
        })
        .collect()
}

fn cost_cell(cell: &Option<CostCell>) -> Value {
    let Some(cell) = cell else { return Value::Null };
    json!({
        "workers": cell.workers, "workers_who_paid": cell.workers_who_paid,
        "workers_with_loans": cell.workers_with_loans, "paid_by_workers": amounts(&cell.paid_by_workers),
        "paid_by_loans": amounts(&cell.paid_by_loans), "paid_by_employers": amounts(&cell.paid_by_employers),
    })
}

fn cost_rows(rows: &[CostRow]) -> Value {
    rows.iter().map(|row| json!({"label": row.label, "cell": cost_cell(&row.cell)})).collect()
}

fn employer_row(label: &str, row: &Option<EmployerRow>) -> Value {
    let Some(row) = row else { return json!({"employer": label, "account": Value::Null}) };
    json!({
        "employer": label,
        "account": {
            "employers": row.employers, "workers": row.workers, "months_declared": row.months_declared,
            "claims": row.claims, "contribution_claims": row.contribution_claims, "wage_claims": row.wage_claims,
            "months_claimed_missing": row.months_claimed_missing, "upheld": row.upheld, "rejected": row.rejected,
            "appealed": row.appealed, "upheld_on_appeal": row.upheld_on_appeal,
            "median_days_to_remit": row.median_days_to_remit, "p90_days_to_remit": row.p90_days_to_remit,
        },
    })
}

/// The body of a report of `period` from a year's fold: the report's own figures, with the
/// parameters and the log size it was computed at.
pub fn body(kind: ReportKind, fold: &YearFold, period: Period) -> Result<Value, VerifyError> {
    let missing = || VerifyError::Statement(format!("{period} is not a period of {}", fold.year()));
    let mut body = json!({
        "report": kind.name(), "jurisdiction": fold.destination().to_string(), "period": period.to_string(),
        "log_size": fold.size(), "evaluated_on": fold.evaluated_on().map(|day| day.to_string()),
    });
    let figures = match kind {
        ReportKind::Coverage => {
            let year = fold.finish();
            let report = year.period(period).ok_or_else(missing)?;
            json!({
                "currency": year.currency.map(|currency| currency.to_string()),
                "total": coverage_cell(&report.total), "by_origin": coverage_rows(&report.by_origin),
                "by_sex": coverage_rows(&report.by_sex), "by_sector": coverage_rows(&report.by_sector),
                "by_employer_size": coverage_rows(&report.by_employer_size),
                "by_sex_and_sector": coverage_rows(&report.by_sex_and_sector),
            })
        }
        ReportKind::EmployerPays => {
            let year = fold.employer_pays();
            let report = year.period(period).ok_or_else(missing)?;
            json!({
                "total": cost_cell(&report.total), "by_corridor": cost_rows(&report.by_corridor),
                "by_recruiter": cost_rows(&report.by_recruiter), "by_employer": cost_rows(&report.by_employer),
            })
        }
        ReportKind::Employers => {
            if period != Period::Year(fold.year()) {
                return Err(VerifyError::Statement("employers' accounts are of calendar years".into()));
            }
            let year = fold.employers();
            let named: Vec<Value> =
                year.named.iter().map(|row| employer_row(&row.employer, &Some(row.clone()))).collect();
            let aggregates: Vec<Value> =
                year.aggregates.iter().map(|(label, row)| employer_row(label, row)).collect();
            json!({"named": named, "aggregates": aggregates})
        }
    };
    if let (Value::Object(body), Value::Object(figures)) = (&mut body, figures) {
        body.extend(figures);
    }
    Ok(body)
}

/// The digest the log key's statement carries of `body`.
pub fn digest(body: &Value) -> [u8; 32] {
    sha256(&canonical(body))
}

/// What a bundle's check established.
#[derive(Debug)]
pub struct VerifiedReport {
    pub statement: ReportStatement,
    /// Who vouched for the checkpoint.
    pub trusted: String,
}

fn fail(reason: impl Into<String>) -> VerifyError {
    VerifyError::Statement(reason.into())
}

/// Checks a bundle offline: its checkpoint against the log's key and the policy, the log key's
/// statement of these parameters at that tree, and the body against the statement's digest.
pub fn verify(bundle: &Bundle, trust: &Trust) -> Result<VerifiedReport, VerifyError> {
    if bundle.format != REPORT_BUNDLE_FORMAT {
        return Err(fail(format!("the format is {:?}, not {REPORT_BUNDLE_FORMAT}", bundle.format)));
    }
    let cosigned = trust.check(&bundle.checkpoint)?;
    let statement = trust
        .log()
        .verify_report(&bundle.statement)
        .map_err(|error| fail(format!("the statement: {error}")))?;
    let checkpoint = &cosigned.checkpoint;
    if (statement.size, statement.root) != (checkpoint.size, checkpoint.root) {
        return Err(fail(format!(
            "the statement is of a tree of {} events, the checkpoint of {}",
            statement.size, checkpoint.size
        )));
    }
    let parameters = [&bundle.report, &bundle.jurisdiction, &bundle.period];
    if parameters != [&statement.report, &statement.jurisdiction, &statement.period] {
        return Err(fail("the statement is of another report, jurisdiction or period"));
    }
    if digest(&bundle.body) != statement.digest {
        return Err(fail("the report is not the one the log's key signed: its digest differs"));
    }
    let stated = |key: &str| bundle.body.get(key).cloned().unwrap_or(Value::Null);
    let expected =
        [json!(bundle.report), json!(bundle.jurisdiction), json!(bundle.period), json!(statement.size)];
    if [stated("report"), stated("jurisdiction"), stated("period"), stated("log_size")] != expected {
        return Err(fail("the report's own parameters are not the statement's"));
    }
    Ok(VerifiedReport { statement, trusted: trust.describe(&cosigned) })
}

/// Computes the bundle's report again from `records`, the log's events from its first (an export
/// already checked): their first `size` must have the checkpoint's Merkle root, and the report
/// computed from them must be the bundle's, byte for byte.
pub fn rederive(bundle: &Bundle, verified: &VerifiedReport, records: &[&[u8]]) -> Result<(), VerifyError> {
    let size = usize::try_from(verified.statement.size).map_err(|_| fail("the tree is too large"))?;
    let records = records.get(..size).ok_or_else(|| {
        fail(format!("the export holds {} events, the report was computed from {size}", records.len()))
    })?;
    let mut frontier = Frontier::default();
    for record in records {
        frontier.push(*ledger_core::event_hash(record).as_bytes(), |_, _, _| {});
    }
    if frontier.root() != verified.statement.root {
        return Err(fail("the export's first events are not the tree the report was computed from"));
    }
    let kind = ReportKind::parse(&bundle.report)?;
    let period = Period::parse(&bundle.period).map_err(|error| fail(error.to_string()))?;
    let destination = Jurisdiction::parse(&bundle.jurisdiction).map_err(|error| fail(error.to_string()))?;
    let decoded: Vec<Record> = records
        .iter()
        .enumerate()
        .map(|(seq, bytes)| {
            Record::decode(bytes)
                .map_err(|error| VerifyError::Entry { seq: seq as u64, reason: error.to_string() })
        })
        .collect::<Result<_, _>>()?;
    let mut amendments = Amendments::default();
    decoded.iter().for_each(|record| amendments.apply(record));
    let mut fold = YearFold::new(destination, period.year(), amendments);
    for record in &decoded {
        fold.apply(record).map_err(|error| VerifyError::Entry { seq: error.seq.0, reason: error.problem })?;
    }
    let again = body(kind, &fold, period)?;
    if canonical(&again) != canonical(&bundle.body) {
        return Err(fail("the report computed again from the export differs from the published one"));
    }
    Ok(())
}
