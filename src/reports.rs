//! `ledger audit employer-pays` and `ledger audit employers`: who paid for workers' recruitment,
//! and employers' accounts, as the ledger computes them from its log.

use anyhow::Context;
use ledger_client::money::format_minor;
use ledger_proto::v1 as pb;
use serde_json::json;

use crate::connection::Connection;

pub async fn employer_pays(
    connection: &Connection,
    jurisdiction: String,
    period: String,
) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let request = pb::GetEmployerPaysReportRequest { jurisdiction, period };
    let report = clients.audit.get_employer_pays_report(request).await?.into_inner();
    print_employer_pays(&report, connection.json);
    Ok(())
}

pub async fn employers(connection: &Connection, jurisdiction: String, period: String) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let request = pb::GetEmployersReportRequest { jurisdiction, period };
    let report = clients.audit.get_employers_report(request).await?.into_inner();
    print_employers(&report, connection.json);
    Ok(())
}

/// Amounts in several currencies, as "PHP 45,000.00 + SAR 1,200.00"; "-" for none.
fn amounts(amounts: &[pb::Money]) -> String {
    match amounts.is_empty() {
        true => "-".into(),
        false => amounts
            .iter()
            .map(|m| format_minor(m.minor, &m.currency, m.exponent))
            .collect::<Vec<_>>()
            .join(" + "),
    }
}

fn amounts_json(amounts: &[pb::Money]) -> serde_json::Value {
    amounts.iter().map(|m| json!({"currency": m.currency, "minor": m.minor})).collect()
}

fn cost_json(cell: &Option<pb::CostCell>) -> serde_json::Value {
    match cell {
        None => json!("suppressed"),
        Some(cell) => json!({
            "workers": cell.workers, "workers_who_paid": cell.workers_who_paid,
            "workers_with_loans": cell.workers_with_loans, "paid_by_workers": amounts_json(&cell.paid_by_workers),
            "paid_by_loans": amounts_json(&cell.paid_by_loans), "paid_by_employers": amounts_json(&cell.paid_by_employers),
        }),
    }
}

pub fn print_employer_pays(report: &pb::GetEmployerPaysReportResponse, as_json: bool) {
    if as_json {
        let rows = |rows: &[pb::CostRow]| -> Vec<serde_json::Value> {
            rows.iter().map(|row| json!({"label": row.label, "cell": cost_json(&row.cell)})).collect()
        };
        println!(
            "{}",
            json!({
                "jurisdiction": report.jurisdiction, "period": report.period, "log_size": report.log_size,
                "evaluated_on": report.evaluated_on, "total": cost_json(&report.total),
                "by_corridor": rows(&report.by_corridor), "by_recruiter": rows(&report.by_recruiter),
                "by_employer": rows(&report.by_employer),
            })
        );
        return;
    }
    println!(
        "employer pays: recruitment to {}, {}, from the log's first {} events (evaluated {}); lines of fewer \
         than {} workers are suppressed, and others with them",
        report.jurisdiction,
        report.period,
        report.log_size,
        report.evaluated_on,
        ledger_projections::reports::SMALL_CELL_WORKERS_MIN
    );
    println!(
        "{:<44} {:>7} {:>5} {:>6}  paid by workers / by loans / by employers",
        "", "workers", "paid", "loans"
    );
    let line = |label: &str, cell: &Option<pb::CostCell>| match cell {
        None => println!("{label:<44} {:>7}", "suppressed"),
        Some(cell) => println!(
            "{label:<44} {:>7} {:>5} {:>6}  {} / {} / {}",
            cell.workers,
            cell.workers_who_paid,
            cell.workers_with_loans,
            amounts(&cell.paid_by_workers),
            amounts(&cell.paid_by_loans),
            amounts(&cell.paid_by_employers)
        ),
    };
    line("all workers recruited", &report.total);
    for (title, rows) in [
        ("by corridor (origin)", &report.by_corridor),
        ("by recruiter (where licensed, licence)", &report.by_recruiter),
        ("by employer", &report.by_employer),
    ] {
        println!("{title}");
        for row in rows {
            line(&format!("  {}", row.label), &row.cell);
        }
    }
}

pub fn print_employers(report: &pb::GetEmployersReportResponse, as_json: bool) {
    let account_json = |row: &pb::EmployerAccount| {
        json!({
            "employer": row.employer, "employers": row.employers, "suppressed": row.suppressed,
            "workers": row.workers, "months_declared": row.months_declared, "claims": row.claims,
            "contribution_claims": row.contribution_claims, "wage_claims": row.wage_claims,
            "months_claimed_missing": row.months_claimed_missing, "upheld": row.upheld, "rejected": row.rejected,
            "appealed": row.appealed, "upheld_on_appeal": row.upheld_on_appeal,
            "median_days_to_remit": row.median_days_to_remit, "p90_days_to_remit": row.p90_days_to_remit,
        })
    };
    if as_json {
        println!(
            "{}",
            json!({
                "jurisdiction": report.jurisdiction, "period": report.period, "log_size": report.log_size,
                "evaluated_on": report.evaluated_on,
                "named": report.named.iter().map(account_json).collect::<Vec<_>>(),
                "aggregates": report.aggregates.iter().map(account_json).collect::<Vec<_>>(),
            })
        );
        return;
    }
    println!(
        "employers' accounts in {}, {}, from the log's first {} events (evaluated {}); named: businesses with at \
         least {} workers on the ledger",
        report.jurisdiction,
        report.period,
        report.log_size,
        report.evaluated_on,
        ledger_projections::reports::SMALL_CELL_WORKERS_MIN
    );
    println!(
        "{:<48} {:>7} {:>8} {:>6} {:>7} {:>7} {:>6} {:>8} {:>8} {:>11}",
        "employer",
        "workers",
        "declared",
        "claims",
        "missing",
        "wages",
        "upheld",
        "rejected",
        "appealed",
        "remit days"
    );
    let days = |days: Option<u32>| days.map_or_else(|| "-".into(), |days| days.to_string());
    for row in report.named.iter().chain(&report.aggregates) {
        let label = match row.employers {
            0 | 1 => row.employer.clone(),
            employers => format!("{} ({employers})", row.employer),
        };
        if row.suppressed {
            println!("{label:<48} {:>7}", "suppressed (fewer than 5 employers)");
            continue;
        }
        let line = format!(
            "{label:<48} {:>7} {:>8} {:>6} {:>7} {:>7} {:>6} {:>8} {:>8} {:>5} / {}",
            row.workers,
            row.months_declared,
            row.claims,
            row.months_claimed_missing,
            row.wage_claims,
            row.upheld,
            row.rejected,
            format!("{} ({} won)", row.appealed, row.upheld_on_appeal),
            days(row.median_days_to_remit),
            days(row.p90_days_to_remit)
        );
        println!("{line}");
    }
    println!("(declared: worker-months of contributions; missing: months named by contribution claims; wages: claims");
    println!(" of unpaid wages, end-of-service dues or recruitment costs taken from wages; upheld: by the agency or");
    println!(" on appeal; appealed: answers appealed (won: upheld on appeal); remit days: median / p90)");
}

/// Asks the ledger to publish a report and writes the signed bundle to `out`.
pub async fn publish(
    connection: &Connection,
    report: String,
    jurisdiction: String,
    period: String,
    out: &std::path::Path,
) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let request = pb::PublishReportRequest {
        report: report.clone(),
        jurisdiction: jurisdiction.clone(),
        period: period.clone(),
    };
    let published = clients.audit.publish_report(request).await?.into_inner();
    std::fs::write(out, published.bundle.as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    println!(
        "report {report} of {jurisdiction}, {period}, computed from the log's first {} events, signed and written to {}",
        published.log_size,
        out.display()
    );
    Ok(())
}

/// Checks a published report with no server; with an export, computes it again from the log.
pub fn verify_report(
    file: &std::path::Path,
    trust: &ledger_verify::Trust,
    export: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use ledger_verify::report::{self as published, Bundle, REPORT_BUNDLE_LEN_MAX};
    let size = std::fs::metadata(file).with_context(|| format!("cannot read {}", file.display()))?.len();
    anyhow::ensure!(
        size <= REPORT_BUNDLE_LEN_MAX,
        "{} is larger than {REPORT_BUNDLE_LEN_MAX} bytes",
        file.display()
    );
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let bundle = Bundle::from_json(&bytes)?;
    let verified = published::verify(&bundle, trust)?;
    println!(
        "report {} of {}, {}: genuine; computed from the log's first {} events, whose checkpoint is {}",
        bundle.report, bundle.jurisdiction, bundle.period, verified.statement.size, verified.trusted
    );
    if let Some(export) = export {
        let log = std::fs::read(export).with_context(|| format!("cannot read {}", export.display()))?;
        let checked = ledger_verify::export::verify(&mut std::io::Cursor::new(&log), trust)?;
        let records = ledger_verify::export::record_slices(&log);
        published::rederive(&bundle, &verified, &records)?;
        println!(
            "computed again from {} ({} events, {}): the same report, byte for byte",
            export.display(),
            checked.events,
            checked.trusted
        );
    }
    Ok(())
}
