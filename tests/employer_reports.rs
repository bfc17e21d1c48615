//! The employer-pays report and employers' accounts over gRPC, for an illustrative year of
//! recruitment to Saudi Arabia: six domestic workers from the Philippines, each in a household,
//! three of whom paid their recruitment fee themselves and three with a loan; seven construction
//! workers from Nepal at one company, four of whose fees the company paid and three who paid their
//! own; two more at a small company. Households and the small company are never named; the
//! company of seven is, with the months it declared, the months its workers claimed missing, and
//! how long it took to remit.

mod common;

use chrono::{DateTime, Datelike, NaiveDate};
use common::{
    recruited_to_saudi_arabia as populate, TestServer, COMPANY, NP_RECRUITER, PH_RECRUITER, SMALL_COMPANY,
    TODAY,
};

use ledger_proto::v1 as pb;

fn row<'a>(rows: &'a [pb::CostRow], label: &str) -> Option<&'a pb::CostCell> {
    rows.iter().find(|row| row.label == label).and_then(|row| row.cell.as_ref())
}

fn minor(amounts: &[pb::Money], currency: &str) -> Option<i64> {
    amounts.iter().find(|m| m.currency == currency).map(|m| m.minor)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_employer_pays_report_counts_who_paid_by_corridor_recruiter_and_employer() {
    let clock = ledger_store::Clock::manual(DateTime::parse_from_rfc3339(TODAY).expect("a time").to_utc());
    let server = TestServer::start_with_clock(clock).await;
    populate(&server).await;
    let mut auditor = server.clients("auditor").await;
    let request = pb::GetEmployerPaysReportRequest { jurisdiction: "SA".into(), period: "2025".into() };
    let report = auditor.audit.get_employer_pays_report(request).await.expect("report").into_inner();

    assert_eq!((report.jurisdiction.as_str(), report.period.as_str()), ("SA", "2025"));
    let total = report.total.as_ref().expect("thirteen workers: shown");
    // Nine paid for their own recruitment (three directly and three by loan from the Philippines,
    // three from Nepal); four had it paid by their employer, as the principle asks.
    assert_eq!((total.workers, total.workers_who_paid, total.workers_with_loans), (13, 9, 3));
    assert_eq!(minor(&total.paid_by_workers, "PHP"), Some(3 * 4_500_000));
    assert_eq!(minor(&total.paid_by_workers, "NPR"), Some(3 * 15_000_000));
    assert_eq!(minor(&total.paid_by_loans, "PHP"), Some(3 * 4_500_000));
    assert_eq!(minor(&total.paid_by_employers, "SAR"), Some(4 * 1_500_000));

    let philippines = row(&report.by_corridor, "PH").expect("six workers from the Philippines");
    assert_eq!(
        (philippines.workers, philippines.workers_who_paid, philippines.workers_with_loans),
        (6, 6, 3)
    );
    let nepal = row(&report.by_corridor, "NP").expect("seven from Nepal");
    assert_eq!((nepal.workers, nepal.workers_who_paid), (7, 3));
    let recruiter = row(&report.by_recruiter, &format!("PH {PH_RECRUITER}")).expect("named by licence");
    assert_eq!(recruiter.workers_who_paid, 6);
    assert_eq!(row(&report.by_recruiter, &format!("NP {NP_RECRUITER}")).map(|cell| cell.workers), Some(7));

    // The company is named; the six households are one line, and no household's reference is
    // anywhere in the report.
    assert_eq!(
        row(&report.by_employer, COMPANY).map(|cell| (cell.workers, cell.workers_who_paid)),
        Some((7, 3))
    );
    let households = row(&report.by_employer, "household employers").expect("six households");
    assert_eq!((households.workers, households.workers_who_paid), (6, 6));
    let labels: Vec<&str> = report
        .by_corridor
        .iter()
        .chain(&report.by_recruiter)
        .chain(&report.by_employer)
        .map(|row| row.label.as_str())
        .collect();
    assert!(labels.iter().all(|label| !label.starts_with("SA-HH")), "{labels:?}");

    // All the costs were paid in January: the first quarter would be the year, and showing it
    // beside the year would say that the other three quarters are empty. Every quarter answers,
    // with its total suppressed.
    for period in ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"] {
        let request = pb::GetEmployerPaysReportRequest { jurisdiction: "SA".into(), period: period.into() };
        let quarter = auditor.audit.get_employer_pays_report(request).await.expect("report").into_inner();
        assert_eq!(quarter.period, period);
        assert!(quarter.total_suppressed && quarter.total.is_none(), "{period}");
    }
    let request = pb::GetEmployerPaysReportRequest { jurisdiction: "SA".into(), period: "2025-03".into() };
    let refused = auditor.audit.get_employer_pays_report(request).await.expect_err("a month is no period");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn employers_accounts_name_businesses_and_count_households_only_together() {
    let clock = ledger_store::Clock::manual(DateTime::parse_from_rfc3339(TODAY).expect("a time").to_utc());
    let server = TestServer::start_with_clock(clock).await;
    let company = populate(&server).await;
    let mut saudi = server.clients("agency-sa").await;
    // Two of the company's workers claim: one that November and December 2025 were deducted and
    // never remitted (upheld), one that wages went unpaid (rejected).
    let claim = |request_id: &str, worker: &str, kind: pb::ClaimKind| pb::FileClaimRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        jurisdiction: "SA".into(),
        employer_ref: COMPANY.into(),
        months: vec!["2025-11".into(), "2025-12".into()],
        kind: kind as i32,
        amount_minor: Some(54_000),
        evidence_sha256: vec![9; 32],
    };
    let deducted = saudi
        .worker
        .file_claim(claim("claim-1", &company[0], pb::ClaimKind::UnremittedDeduction))
        .await
        .expect("filed")
        .into_inner();
    let wages = saudi
        .worker
        .file_claim(claim("claim-2", &company[1], pb::ClaimKind::UnpaidWages))
        .await
        .expect("filed")
        .into_inner();
    // Upholding the first records the two months from the company.
    let found = ["2025-11", "2025-12"].map(|month| {
        let mut paid = common::contribution_from(COMPANY, &company[0], "SA", "SAR", month, 300_000);
        paid.sector = pb::Sector::Construction as i32;
        paid
    });
    for (request_id, seq, outcome, contributions) in [
        ("resolve-1", deducted.receipt.expect("receipt").seq, pb::ClaimOutcome::Upheld, found.to_vec()),
        ("resolve-2", wages.receipt.as_ref().expect("receipt").seq, pb::ClaimOutcome::Rejected, vec![]),
    ] {
        let request = pb::ResolveClaimRequest {
            request_id: request_id.into(),
            claim_seq: seq,
            outcome: outcome as i32,
            reason: "payroll checked".into(),
            contributions,
        };
        saudi.agency.resolve_claim(request).await.expect("resolved");
    }
    // Home in Nepal, the second worker's claim is appealed by Nepal's agency, and the Saudi labour
    // court (the body the sample rules name) upholds it.
    let mut nepal = server.clients("agency-np").await;
    let home = pb::RecordResidenceChangeRequest {
        request_id: "home-1".into(),
        worker_id: company[1].clone(),
        country: "NP".into(),
        from_month: "2026-01".into(),
    };
    nepal.agency.record_residence_change(home).await.expect("she is home");
    let wages_seq = wages.receipt.expect("receipt").seq;
    let appeal = pb::AppealClaimRequest {
        request_id: "appeal-1".into(),
        claim_seq: wages_seq,
        grounds_sha256: vec![3; 32],
    };
    nepal.worker.appeal_claim(appeal).await.expect("appealed");
    let mut court = server.clients("sa-labour-court").await;
    let decision = pb::DecideAppealRequest {
        request_id: "decision-1".into(),
        claim_seq: wages_seq,
        outcome: pb::ClaimOutcome::Upheld as i32,
        reason: "the payslips show no wage for November and December".into(),
        contributions: vec![],
    };
    court.appeal.decide_appeal(decision).await.expect("upheld on appeal");

    let mut auditor = server.clients("auditor").await;
    let request = pb::GetEmployersReportRequest { jurisdiction: "SA".into(), period: "2025".into() };
    let report = auditor.audit.get_employers_report(request).await.expect("report").into_inner();
    let named: Vec<&str> = report.named.iter().map(|row| row.employer.as_str()).collect();
    assert_eq!(named, [COMPANY], "only the business with five or more workers is named");
    let account = &report.named[0];
    assert_eq!((account.workers, account.months_declared), (7, 7 * 10 + 2));
    assert_eq!((account.claims, account.contribution_claims, account.wage_claims), (2, 1, 1));
    assert_eq!(
        (account.months_claimed_missing, account.upheld, account.rejected),
        (2, 2, 0),
        "one on appeal"
    );
    assert_eq!((account.appealed, account.upheld_on_appeal), (1, 1));
    // Every contribution was recorded today: days from the end of its month to today, seven of
    // each month to October and one of November and of December, nearest-rank.
    let today = DateTime::parse_from_rfc3339(TODAY).expect("a time").date_naive();
    let mut days: Vec<u32> = (1..=12u32)
        .flat_map(|month| {
            let due = match month {
                12 => NaiveDate::from_ymd_opt(2026, 1, 1),
                _ => NaiveDate::from_ymd_opt(2025, month + 1, 1),
            }
            .expect("a day");
            std::iter::repeat_n((today - due).num_days() as u32, if month <= 10 { 7 } else { 1 })
        })
        .collect();
    days.sort_unstable();
    assert_eq!(account.median_days_to_remit, Some(days[days.len().div_ceil(2) - 1]));
    assert_eq!(account.p90_days_to_remit, Some(days[(days.len() * 9).div_ceil(10) - 1]));
    assert_eq!(today.year(), 2026);

    // Six households in one line; one small company alone is too few to show.
    let aggregate = |label: &str| report.aggregates.iter().find(|row| row.employer.starts_with(label));
    let households = aggregate("household employers").expect("the households' line");
    assert_eq!((households.employers, households.workers, households.months_declared), (6, 6, 36));
    assert!(!households.suppressed);
    let small = aggregate("employers of fewer than 5").expect("the small employers' line");
    assert!(small.suppressed && small.workers == 0, "{small:?}");
    let everything = format!("{report:?}");
    assert!(!everything.contains("SA-HH") && !everything.contains(SMALL_COMPANY), "{everything}");

    // A quarter of a small employer's account would point at the worker who claimed: years only.
    let request = pb::GetEmployersReportRequest { jurisdiction: "SA".into(), period: "2025-Q4".into() };
    let refused = auditor.audit.get_employers_report(request).await.expect_err("years only");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    server.server.stop().await.expect("stopped");
}
