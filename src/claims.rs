//! Client commands for claims and the monitors' reports: a worker files a claim, an agency lists and
//! answers the claims addressed to it, an auditor reads the accountability and coverage reports.

use std::path::PathBuf;

use anyhow::{bail, Context};
use ledger_core::{sha256, ClaimKind, ClaimOutcome, Month};
use ledger_proto::v1 as pb;
use serde_json::json;

use ledger_client::fresh_request_id;
use ledger_client::labels::{branch_code, code, sector_code};
use ledger_client::money::{format_minor, format_money};

use crate::connection::Connection;

#[derive(Debug, clap::Args)]
pub struct ClaimArgs {
    /// The worker; a worker's own token may leave it out.
    #[arg(long)]
    pub worker: Option<String>,
    /// Where the work was done: the jurisdiction whose agency must answer.
    #[arg(long)]
    pub jurisdiction: String,
    /// The employer, by the agency's reference.
    #[arg(long)]
    pub employer: String,
    /// Months the claim is about: `2024-01,2024-02` or a span `2024-01..2024-06`.
    #[arg(long)]
    pub months: String,
    /// missing_contribution, unpaid_benefit, unremitted_deduction, unpaid_wages, end_of_service_dues
    /// or recruitment_cost_from_wages.
    #[arg(long, default_value = "missing_contribution")]
    pub kind: String,
    /// What is owed, in minor units of the jurisdiction's currency.
    #[arg(long)]
    pub amount: Option<i64>,
    /// A file of evidence (payslips, a contract). Only its SHA-256 is sent; the file stays here.
    #[arg(long)]
    pub evidence: PathBuf,
    #[arg(long)]
    pub request_id: Option<String>,
}

/// A workers' organisation's claim for several workers at once.
#[derive(Debug, clap::Args)]
pub struct GroupClaimArgs {
    /// Where the work was done: the jurisdiction whose agency must answer.
    #[arg(long)]
    pub jurisdiction: String,
    /// The employer, by the agency's reference.
    #[arg(long)]
    pub employer: String,
    /// As for one claim (`ledger worker claim --kind`).
    #[arg(long, default_value = "unpaid_wages")]
    pub kind: String,
    /// A file with one line per worker: `worker id;months;amount` (months as for one claim, the
    /// amount in minor units, or empty). Lines starting with # are skipped.
    #[arg(long)]
    pub members: PathBuf,
    /// A file of evidence for the whole group. Only its SHA-256 is sent.
    #[arg(long)]
    pub evidence: PathBuf,
    #[arg(long)]
    pub request_id: Option<String>,
}

/// Longest members file read, in bytes: a thousand workers' lines fit many times over.
const MEMBERS_FILE_LEN_MAX: u64 = 1024 * 1024;

/// The members of a group claim, from `worker id;months;amount` lines.
fn group_members(path: &std::path::Path) -> anyhow::Result<Vec<pb::GroupClaimMember>> {
    let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
    anyhow::ensure!(
        size <= MEMBERS_FILE_LEN_MAX,
        "{} is larger than {MEMBERS_FILE_LEN_MAX} bytes",
        path.display()
    );
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(index, line)| {
            let fields: Vec<&str> = line.split(';').map(str::trim).collect();
            let [worker, months, amount] = fields[..] else {
                bail!("{} line {}: expected `worker id;months;amount`", path.display(), index + 1);
            };
            let amount_minor = match amount {
                "" => None,
                amount => Some(amount.parse::<i64>().with_context(|| {
                    format!(
                        "{} line {}: the amount is not a whole number of minor units",
                        path.display(),
                        index + 1
                    )
                })?),
            };
            let months =
                parse_months(months).with_context(|| format!("{} line {}", path.display(), index + 1))?;
            Ok(pb::GroupClaimMember { worker_id: worker.to_owned(), months, amount_minor })
        })
        .collect()
}

/// Files a group claim: a workers' organisation, for each worker who has given it her consent.
pub async fn file_group(connection: &Connection, args: GroupClaimArgs) -> anyhow::Result<()> {
    let evidence =
        std::fs::read(&args.evidence).with_context(|| format!("cannot read {}", args.evidence.display()))?;
    let request = pb::FileGroupClaimRequest {
        request_id: args.request_id.unwrap_or_else(|| fresh_request_id("group-claim")),
        jurisdiction: args.jurisdiction,
        employer_ref: args.employer,
        kind: code("claim kind", &args.kind, ClaimKind::ALL, ClaimKind::label, ClaimKind::code)?,
        evidence_sha256: sha256(&evidence).to_vec(),
        members: group_members(&args.members)?,
    };
    let mut clients = connection.connect().await?;
    let receipts = clients.worker.file_group_claim(request.clone()).await?.into_inner().receipts;
    if connection.json {
        let claims: Vec<_> = request
            .members
            .iter()
            .zip(&receipts)
            .map(|(member, receipt)| json!({"worker_id": member.worker_id, "claim_seq": receipt.seq}))
            .collect();
        println!("{}", json!({ "claims": claims }));
    } else {
        println!("group claim of {} workers filed in one write:", receipts.len());
        for (member, receipt) in request.members.iter().zip(&receipts) {
            println!("  claim {:>8}  {}", receipt.seq, member.worker_id);
        }
    }
    Ok(())
}

#[derive(Debug, clap::Args)]
pub struct ResolveArgs {
    /// The claim's id (the seq of its filing).
    #[arg(long)]
    pub claim: u64,
    /// upheld or rejected.
    #[arg(long)]
    pub outcome: String,
    /// Why; required to reject.
    #[arg(long)]
    pub reason: Option<String>,
    /// When upholding: the insured wage of each claimed month, in minor units. One contribution
    /// is recorded for every month of the claim (or of --months).
    #[arg(long)]
    pub wage: Option<i64>,
    #[arg(long, default_value_t = 0)]
    pub employer_share: i64,
    #[arg(long, default_value_t = 0)]
    pub worker_share: i64,
    #[arg(long)]
    pub currency: Option<String>,
    #[arg(long, default_value = "old_age")]
    pub branch: String,
    #[arg(long, default_value = "other")]
    pub sector: String,
    /// Only some of the claimed months, written like `worker claim --months`.
    #[arg(long)]
    pub months: Option<String>,
    #[arg(long)]
    pub request_id: Option<String>,
}

/// Parses `2024-01,2024-03` and spans `2024-01..2024-06` (both ends included).
pub fn parse_months(text: &str) -> anyhow::Result<Vec<String>> {
    let mut months = Vec::new();
    for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
        match part.split_once("..") {
            Some((from, to)) => {
                let (from, to) = (Month::parse(from)?, Month::parse(to)?);
                if to < from {
                    bail!("{part}: the span ends before it starts");
                }
                if to.ordinal() - from.ordinal() >= ledger_core::CLAIM_MONTHS_MAX as u32 {
                    bail!("{part}: a claim names at most {} months", ledger_core::CLAIM_MONTHS_MAX);
                }
                for ordinal in from.ordinal()..=to.ordinal() {
                    months.push(Month::from_ordinal(ordinal)?.to_string());
                }
            }
            None => months.push(Month::parse(part)?.to_string()),
        }
    }
    Ok(months)
}

fn kind_label(code: i32) -> &'static str {
    ClaimKind::from_code(code.into()).map_or("?", ClaimKind::label)
}

pub async fn file(connection: &Connection, args: ClaimArgs) -> anyhow::Result<()> {
    let evidence =
        std::fs::read(&args.evidence).with_context(|| format!("cannot read {}", args.evidence.display()))?;
    let request = pb::FileClaimRequest {
        request_id: args.request_id.unwrap_or_else(|| fresh_request_id("claim")),
        worker_id: args.worker.unwrap_or_default(),
        jurisdiction: args.jurisdiction,
        employer_ref: args.employer,
        months: parse_months(&args.months)?,
        kind: code("claim kind", &args.kind, ClaimKind::ALL, ClaimKind::label, ClaimKind::code)?,
        amount_minor: args.amount,
        evidence_sha256: sha256(&evidence).to_vec(),
    };
    let mut clients = connection.connect().await?;
    let response = clients.worker.file_claim(request).await?.into_inner();
    let seq = response.receipt.as_ref().map_or(0, |receipt| receipt.seq);
    if connection.json {
        println!("{}", json!({"claim_seq": seq, "respond_by": response.respond_by}));
    } else {
        println!("claim {seq} filed; the agency must answer by {}", response.respond_by);
    }
    Ok(())
}

pub async fn list(connection: &Connection, all: bool, ours: bool) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    // Page by page, oldest first.
    let mut claims = Vec::new();
    let mut from_seq = 0;
    let evaluated_on = loop {
        let request = pb::ListClaimsRequest {
            min_seq: None,
            open_only: !all,
            of_our_workers: ours,
            from_seq,
            limit: 0,
        };
        let page = clients.agency.list_claims(request).await?.into_inner();
        claims.extend(page.claims);
        match page.next_from_seq {
            Some(next) => from_seq = next,
            None => break page.evaluated_on,
        }
    };
    print_claims(&claims, &evaluated_on, connection.json);
    Ok(())
}

/// Claims as a table, oldest first (the order the server gives).
pub fn print_claims(claims: &[pb::ClaimView], evaluated_on: &str, as_json: bool) {
    if as_json {
        let rows: Vec<_> = claims
            .iter()
            .map(|claim| {
                json!({
                    "claim_seq": claim.claim_seq, "worker_id": claim.worker_id,
                    "addressed_to": claim.addressed_to, "filed_via": claim.filed_via,
                    "kind": kind_label(claim.kind), "employer_ref": claim.employer_ref,
                    "months": claim.months, "respond_by": claim.respond_by, "state": claim.state,
                    "amount_minor": claim.amount.as_ref().map(|m| m.minor),
                    "currency": claim.amount.as_ref().map(|m| m.currency.clone()),
                    "days_to_resolve": claim.days_to_resolve, "reason": claim.reason,
                    "appeal": claim.appeal.as_ref().map(|appeal| json!({
                        "appeal_body": appeal.appeal_body, "respond_by": appeal.respond_by,
                        "filed_via": appeal.filed_via, "reason": appeal.reason,
                    })),
                })
            })
            .collect();
        println!("{}", json!({"evaluated_on": evaluated_on, "claims": rows}));
        return;
    }
    if claims.is_empty() {
        println!("no claims (as of {evaluated_on})");
        return;
    }
    println!("claims as of {evaluated_on}, oldest first");
    let header = format!(
        "{:>8}  {:<17}  {:<3} {:<3} {:<21} {:<14} {:<17} {:>16}  {:<10} {}",
        "claim", "worker", "to", "via", "kind", "employer", "months", "amount", "answer by", "state"
    );
    println!("{}", header.trim_end());
    for claim in claims {
        let months = match claim.months.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [first, .., last] => format!("{first}..{last} ({})", claim.months.len()),
        };
        println!(
            "{:>8}  {:<17}  {:<3} {:<3} {:<21} {:<14} {:<17} {:>16}  {:<10} {}",
            claim.claim_seq,
            claim.worker_id,
            claim.addressed_to,
            if claim.filed_via.is_empty() { "-" } else { &claim.filed_via },
            kind_label(claim.kind),
            claim.employer_ref,
            months,
            claim
                .amount
                .as_ref()
                .map_or_else(|| "-".into(), |m| format_minor(m.minor, &m.currency, m.exponent)),
            // Once appealed, the body's day is the one that counts.
            claim.appeal.as_ref().map_or(&claim.respond_by, |appeal| &appeal.respond_by),
            claim.state,
        );
    }
}

/// Answers a claim: as the agency it is addressed to, or (`on_appeal`) as the appeal body its
/// answer was appealed to.
pub async fn resolve(connection: &Connection, args: ResolveArgs, on_appeal: bool) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let outcome =
        code("claim outcome", &args.outcome, ClaimOutcome::ALL, ClaimOutcome::label, ClaimOutcome::code)?;
    let mut contributions = Vec::new();
    if let Some(wage) = args.wage {
        // Only an open claim (or appeal) can be answered: the first open one filed at its seq or
        // later, not every claim ever addressed here.
        let claims = match on_appeal {
            false => {
                let open = pb::ListClaimsRequest {
                    min_seq: None,
                    open_only: true,
                    of_our_workers: false,
                    from_seq: args.claim,
                    limit: 1,
                };
                clients.agency.list_claims(open).await?.into_inner().claims
            }
            true => {
                let open =
                    pb::ListAppealsRequest { open_only: true, from_seq: args.claim, limit: 1, min_seq: None };
                clients.appeal.list_appeals(open).await?.into_inner().claims
            }
        };
        let claim =
            claims.iter().find(|claim| claim.claim_seq == args.claim).with_context(|| match on_appeal {
                false => format!("no open claim {} is addressed to this agency", args.claim),
                true => format!("no open appeal of claim {} is made to this body", args.claim),
            })?;
        let months = match &args.months {
            Some(text) => parse_months(text)?,
            None => claim.months.clone(),
        };
        let currency = args.currency.clone().context("--currency is needed with --wage")?;
        for month in months {
            contributions.push(pb::Contribution {
                worker_id: claim.worker_id.clone(),
                jurisdiction: claim.addressed_to.clone(),
                branch: branch_code(&args.branch)?,
                month,
                insured_wage_minor: wage,
                employer_share_minor: args.employer_share,
                worker_share_minor: args.worker_share,
                currency: currency.clone(),
                employer_ref: claim.employer_ref.clone(),
                sector: sector_code(&args.sector)?,
                voluntary: false,
            });
        }
    }
    let (request_id, reason) = (args.request_id, args.reason.unwrap_or_default());
    let receipts = match on_appeal {
        false => {
            let request = pb::ResolveClaimRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("resolve")),
                claim_seq: args.claim,
                outcome,
                reason,
                contributions,
            };
            clients.agency.resolve_claim(request).await?.into_inner().receipts
        }
        true => {
            let request = pb::DecideAppealRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("decide")),
                claim_seq: args.claim,
                outcome,
                reason,
                contributions,
            };
            clients.appeal.decide_appeal(request).await?.into_inner().receipts
        }
    };
    let seq = receipts.first().map_or(0, |receipt| receipt.seq);
    let recorded = receipts.len().saturating_sub(1);
    if connection.json {
        let answer = if on_appeal { "decision_seq" } else { "resolution_seq" };
        println!("{}", json!({ answer: seq, "contributions_recorded": recorded }));
    } else {
        let on = if on_appeal { " on appeal" } else { "" };
        println!(
            "claim {} {}{on} at seq {seq}; {recorded} contributions recorded with it",
            args.claim, args.outcome
        );
    }
    Ok(())
}

/// Appeals the answer to a claim, to the body the rules name for its jurisdiction.
pub async fn appeal(
    connection: &Connection,
    claim: u64,
    grounds: &std::path::Path,
    request_id: Option<String>,
) -> anyhow::Result<()> {
    let grounds = std::fs::read(grounds).with_context(|| format!("cannot read {}", grounds.display()))?;
    let request = pb::AppealClaimRequest {
        request_id: request_id.unwrap_or_else(|| fresh_request_id("appeal")),
        claim_seq: claim,
        grounds_sha256: sha256(&grounds).to_vec(),
    };
    let mut clients = connection.connect().await?;
    let response = clients.worker.appeal_claim(request).await?.into_inner();
    let seq = response.receipt.as_ref().map_or(0, |receipt| receipt.seq);
    if connection.json {
        println!(
            "{}",
            json!({"appeal_seq": seq, "appeal_body": response.appeal_body, "respond_by": response.respond_by})
        );
    } else {
        println!(
            "claim {claim} appealed to {} at seq {seq}; it must decide by {}",
            response.appeal_body, response.respond_by
        );
    }
    Ok(())
}

/// The appeals made to the calling body, oldest claim first: open ones, or all.
pub async fn list_appeals(connection: &Connection, all: bool) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let mut claims = Vec::new();
    let mut from_seq = 0;
    let evaluated_on = loop {
        let request = pb::ListAppealsRequest { open_only: !all, from_seq, limit: 0, min_seq: None };
        let page = clients.appeal.list_appeals(request).await?.into_inner();
        claims.extend(page.claims);
        match page.next_from_seq {
            Some(next) => from_seq = next,
            None => break page.evaluated_on,
        }
    };
    print_claims(&claims, &evaluated_on, connection.json);
    Ok(())
}

pub async fn accountability(
    connection: &Connection,
    jurisdiction: Option<String>,
    from: String,
    to: Option<String>,
) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let request = pb::GetAccountabilityReportRequest {
        jurisdiction: jurisdiction.unwrap_or_default(),
        from_date: from,
        to_date: to.unwrap_or_else(|| chrono::Utc::now().date_naive().to_string()),
    };
    let report = clients.audit.get_accountability_report(request).await?.into_inner();
    print_accountability(&report, connection.json);
    Ok(())
}

pub fn print_accountability(report: &pb::GetAccountabilityReportResponse, as_json: bool) {
    if as_json {
        let rows: Vec<_> = report
            .rows
            .iter()
            .map(|row| {
                json!({
                    "jurisdiction": row.jurisdiction, "received": row.received, "resolved": row.resolved,
                    "upheld": row.upheld, "rejected": row.rejected, "overdue": row.overdue,
                    "resolved_late": row.resolved_late, "median_days": row.median_days, "p90_days": row.p90_days,
                    "appealed": row.appealed, "appeals_decided": row.appeals_decided,
                    "overturned": row.overturned, "appeals_overdue": row.appeals_overdue,
                })
            })
            .collect();
        println!(
            "{}",
            json!({"from_date": report.from_date, "to_date": report.to_date, "evaluated_on": report.evaluated_on, "rows": rows})
        );
        return;
    }
    println!(
        "claims filed {} to {}, as they stand on {}",
        report.from_date, report.to_date, report.evaluated_on
    );
    println!(
        "{:<12} {:>8} {:>8} {:>6} {:>8} {:>7} {:>5} {:>11} {:>8}",
        "agency of",
        "received",
        "resolved",
        "upheld",
        "rejected",
        "overdue",
        "late",
        "median days",
        "p90 days"
    );
    let days = |days: Option<u32>| days.map_or_else(|| "-".into(), |days| days.to_string());
    for row in &report.rows {
        println!(
            "{:<12} {:>8} {:>8} {:>6} {:>8} {:>7} {:>5} {:>11} {:>8}",
            row.jurisdiction,
            row.received,
            row.resolved,
            row.upheld,
            row.rejected,
            row.overdue,
            row.resolved_late,
            days(row.median_days),
            days(row.p90_days)
        );
    }
    // The appeal bodies' line, once any answer was appealed.
    for row in report.rows.iter().filter(|row| row.appealed > 0) {
        println!(
            "appeals in {}: {} answers appealed, {} decided ({} rejections overturned), {} undecided past the body's day",
            row.jurisdiction, row.appealed, row.appeals_decided, row.overturned, row.appeals_overdue
        );
    }
}

pub async fn coverage(connection: &Connection, jurisdiction: String, period: String) -> anyhow::Result<()> {
    let mut clients = connection.connect().await?;
    let request = pb::GetCoverageReportRequest { jurisdiction, period };
    let report = clients.audit.get_coverage_report(request).await?.into_inner();
    print_coverage(&report, connection.json);
    Ok(())
}

/// Employer and worker totals of a cell over every branch, in minor units, with the currency.
fn cell_totals(cell: &pb::CoverageCell) -> (i64, i64, String) {
    let currency = cell
        .paid
        .iter()
        .find_map(|paid| paid.employer.as_ref().map(|m| m.currency.clone()))
        .unwrap_or_default();
    let sum = |pick: fn(&pb::BranchPaid) -> &Option<pb::Money>| {
        cell.paid
            .iter()
            .filter_map(|paid| pick(paid).as_ref())
            .map(|m| m.minor)
            .fold(0i64, i64::saturating_add)
    };
    (sum(|paid| &paid.employer), sum(|paid| &paid.worker), currency)
}

fn cell_json(cell: &Option<pb::CoverageCell>) -> serde_json::Value {
    match cell {
        None => json!("suppressed"),
        Some(cell) => {
            let branches: Vec<_> = cell
                .paid
                .iter()
                .map(|paid| {
                    json!({
                        "branch": ledger_core::Branch::from_code(paid.branch.into()).map_or("?", ledger_core::Branch::label),
                        "employer_minor": paid.employer.as_ref().map(|m| m.minor),
                        "worker_minor": paid.worker.as_ref().map(|m| m.minor),
                    })
                })
                .collect();
            json!({
                "workers": cell.workers, "months": cell.months, "paid": branches,
                "wages_minor": cell.wages.as_ref().map(|m| m.minor), "wage_months": cell.wage_months,
            })
        }
    }
}

pub fn print_coverage(report: &pb::GetCoverageReportResponse, as_json: bool) {
    if as_json {
        let rows = |rows: &[pb::CoverageRow]| -> Vec<serde_json::Value> {
            rows.iter()
                .map(|row| {
                    json!({"label": row.label, "sector": row.sector, "note": row.note, "cell": cell_json(&row.cell)})
                })
                .collect()
        };
        println!(
            "{}",
            json!({
                "jurisdiction": report.jurisdiction, "period": report.period, "log_size": report.log_size,
                "evaluated_on": report.evaluated_on,
                "total": cell_json(&report.total), "by_origin": rows(&report.by_origin), "by_sex": rows(&report.by_sex),
                "by_sector": rows(&report.by_sector), "by_employer_size": rows(&report.by_employer_size),
                "by_sex_and_sector": rows(&report.by_sex_and_sector),
            })
        );
        return;
    }
    println!(
        "coverage in {}, {}, from the log's first {} events (evaluated {}); cells of fewer than {} workers are \
         suppressed, and others with them, over the year and its quarters together",
        report.jurisdiction,
        report.period,
        report.log_size,
        report.evaluated_on,
        ledger_projections::reports::SMALL_CELL_WORKERS_MIN
    );
    println!(
        "{:<34} {:>9} {:>8} {:>16} {:>16} {:>14}",
        "", "workers", "months", "employer paid", "worker paid", "mean wage"
    );
    let line = |label: &str, cell: &Option<pb::CoverageCell>, note: &str| {
        let text = match cell {
            None => format!("{label:<34} {:>9}{:>57}  {note}", "suppressed", ""),
            Some(cell) => {
                let (employer, worker, currency) = cell_totals(cell);
                let mean = match (&cell.wages, cell.wage_months) {
                    (Some(wages), months @ 1..) => {
                        let mean = wages.minor / i64::try_from(months).unwrap_or(i64::MAX);
                        format_minor(mean, &wages.currency, wages.exponent)
                    }
                    _ => "-".into(),
                };
                format!(
                    "{label:<34} {:>9} {:>8} {:>16} {:>16} {:>14}  {note}",
                    cell.workers,
                    cell.months,
                    format_money(employer, &currency),
                    format_money(worker, &currency),
                    mean
                )
            }
        };
        println!("{}", text.trim_end());
    };
    line("all workers", &report.total, "");
    for (title, rows) in [
        ("by corridor (origin)", &report.by_origin),
        ("by sex (with the wages by sex)", &report.by_sex),
        ("by sector", &report.by_sector),
        ("by employer size (workers on the ledger)", &report.by_employer_size),
    ] {
        println!("{title}");
        for row in rows {
            line(&format!("  {}", row.label), &row.cell, &row.note);
        }
    }
    // Most of the sex-by-sector lines of a small population are suppressed: the shown ones, and
    // how many are not.
    println!("by sex and sector");
    let hidden = report.by_sex_and_sector.iter().filter(|row| row.cell.is_none()).count();
    for row in report.by_sex_and_sector.iter().filter(|row| row.cell.is_some()) {
        line(&format!("  {}, {}", row.label, row.sector), &row.cell, "");
    }
    println!("  ({hidden} of {} lines suppressed)", report.by_sex_and_sector.len());
    if let Some(total) = &report.total {
        println!("contributions by branch, all workers");
        for paid in &total.paid {
            let money = |value: &Option<pb::Money>| {
                value.as_ref().map_or_else(|| "-".into(), |m| format_minor(m.minor, &m.currency, m.exponent))
            };
            println!(
                "  {:<22} employer {:>18}  worker {:>18}",
                ledger_core::Branch::from_code(paid.branch.into()).map_or("?", ledger_core::Branch::label),
                money(&paid.employer),
                money(&paid.worker)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_months;

    #[test]
    fn months_are_listed_or_spanned() {
        let months = parse_months("2024-11..2025-02, 2025-06").unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(months, ["2024-11", "2024-12", "2025-01", "2025-02", "2025-06"]);
        assert!(parse_months("2025-02..2024-11").is_err());
        assert!(parse_months("2024-13").is_err());
        assert!(parse_months("2000-01..2020-12").is_err());
    }
}
