//! The coverage reports over gRPC, for an illustrative population working in Spain in 2025: the
//! figures they show are the population's, every cell under five workers is suppressed, and no
//! combination of the answers about the year (the year and its four quarters, every line) gives a
//! suppressed cell back: not the two differences that took the old reports apart ("January to
//! February" less "January", "all origins" less "the Philippine corridor"), nor any other an
//! attacker finds (`crates/ledger-projections/tests/attacker`).

mod common;

#[path = "../crates/ledger-projections/tests/attacker/mod.rs"]
mod attacker;

use attacker::{Answer, Attacker, Line, Random, Universe};
use common::TestServer;
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;

/// One group of the population: how many workers, their sex, origin, sector, employer, and months
/// in Spain (from month `first` of 2025, January being 1).
struct Group {
    count: u32,
    sex: pb::Sex,
    origin: &'static str,
    sector: pb::Sector,
    employer: &'static str,
    first: u32,
    months: u32,
}

const POPULATION: [Group; 5] = [
    Group {
        count: 9,
        sex: pb::Sex::Female,
        origin: "PH",
        sector: pb::Sector::DomesticWork,
        employer: "ES-HOGAR-0001",
        first: 1,
        months: 12,
    },
    Group {
        count: 5,
        sex: pb::Sex::Male,
        origin: "PH",
        sector: pb::Sector::Care,
        employer: "ES-B87654321",
        first: 1,
        months: 6,
    },
    Group {
        count: 1,
        sex: pb::Sex::Other,
        origin: "IT",
        sector: pb::Sector::Agriculture,
        employer: "ES-B12345678",
        first: 1,
        months: 12,
    },
    Group {
        count: 5,
        sex: pb::Sex::Unspecified,
        origin: "ID",
        sector: pb::Sector::Construction,
        employer: "ES-A11111111",
        first: 1,
        months: 12,
    },
    // Two women who worked in Spain in the last quarter only.
    Group {
        count: 2,
        sex: pb::Sex::Female,
        origin: "ES",
        sector: pb::Sector::Hospitality,
        employer: "ES-A22222222",
        first: 10,
        months: 3,
    },
];

async fn populate(philippines: &mut Clients, spain: &mut Clients) {
    for (index, group) in POPULATION.iter().enumerate() {
        for member in 0..group.count {
            let enrolled = philippines
                .agency
                .enroll_worker(pb::EnrollWorkerRequest {
                    request_id: format!("enrol-{index}-{member}"),
                    origin_jurisdiction: group.origin.into(),
                    sex: group.sex as i32,
                    birth_month: String::new(),
                })
                .await
                .expect("enrolled")
                .into_inner();
            let contributions = (group.first..group.first + group.months)
                .map(|month| {
                    let mut paid = common::contribution_from(
                        group.employer,
                        &enrolled.worker_id,
                        "ES",
                        "EUR",
                        &format!("2025-{month:02}"),
                        150_000,
                    );
                    paid.sector = group.sector as i32;
                    paid
                })
                .collect();
            let request = pb::RecordContributionsRequest {
                request_id: format!("pay-{index}-{member}"),
                contributions,
                ..Default::default()
            };
            spain.agency.record_contributions(request).await.expect("recorded");
        }
    }
}

/// The population's own figures for a line in a period: workers and months of the groups it
/// covers, counting the months from `first` to `last` (1 to 12) only.
fn truth(first: u32, last: u32, of: impl Fn(&Group) -> bool) -> (u32, u64) {
    POPULATION.iter().filter(|group| of(group)).fold((0, 0), |(workers, months), g| {
        let within = (g.first.max(first)..=(g.first + g.months - 1).min(last)).count() as u32;
        match within {
            0 => (workers, months),
            _ => (workers + g.count, months + u64::from(g.count * within)),
        }
    })
}

async fn report(auditor: &mut Clients, period: &str) -> pb::GetCoverageReportResponse {
    let request = pb::GetCoverageReportRequest { jurisdiction: "ES".into(), period: period.into() };
    auditor.audit.get_coverage_report(request).await.expect("report").into_inner()
}

const PERIODS: [&str; 5] = ["2025", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"];

/// Every answer the ledger gives about 2025, as an attacker sees them, and what each line counts.
async fn every_answer(auditor: &mut Clients) -> (Vec<pb::GetCoverageReportResponse>, Vec<Answer>, Universe) {
    let mut reports = Vec::new();
    for period in PERIODS {
        reports.push(report(auditor, period).await);
    }
    let mut answers = Vec::new();
    for report in &reports {
        let mut push = |line: Line, cell: &Option<pb::CoverageCell>| {
            let figures = cell.as_ref().map(|cell| (cell.workers, cell.months));
            answers.push(Answer { period: report.period.clone(), line, figures });
        };
        push(Line::Total, &report.total);
        for row in &report.by_origin {
            push(Line::Origin(row.label.clone()), &row.cell);
        }
        for row in &report.by_sex {
            push(Line::Sex(row.label.clone()), &row.cell);
        }
        for row in &report.by_sector {
            push(Line::Sector(row.label.clone()), &row.cell);
        }
        for row in &report.by_employer_size {
            push(Line::Size(row.label.clone()), &row.cell);
        }
        for row in &report.by_sex_and_sector {
            push(Line::SexSector(row.label.clone(), row.sector.clone()), &row.cell);
        }
    }
    let labels = |rows: &[pb::CoverageRow]| rows.iter().map(|row| row.label.clone()).collect::<Vec<_>>();
    let mut origins = labels(&reports[0].by_origin);
    origins.push("(any other)".into());
    let universe = Universe {
        origins,
        sexes: labels(&reports[0].by_sex),
        sectors: labels(&reports[0].by_sector),
        sizes: labels(&reports[0].by_employer_size),
    };
    (reports, answers, universe)
}

fn check_breakdown(name: &str, rows: &[pb::CoverageRow], truth_of: impl Fn(&str) -> (u32, u64)) {
    for row in rows {
        let (workers, months) = truth_of(&row.label);
        match &row.cell {
            Some(cell) => {
                assert!(workers >= 5, "{name} {}: {workers} workers shown", row.label);
                assert_eq!((cell.workers, cell.months), (workers, months), "{name} {}", row.label);
            }
            None => assert!(row.suppressed, "{name} {}: no cell yet not marked suppressed", row.label),
        }
    }
}

fn sex_label(sex: pb::Sex) -> &'static str {
    match sex {
        pb::Sex::Female => "female",
        pb::Sex::Male => "male",
        pb::Sex::Other => "other",
        pb::Sex::Unspecified => "not declared",
    }
}

fn sector_label(sector: pb::Sector) -> &'static str {
    ledger_core::Sector::from_code((sector as i32).into()).map_or("?", ledger_core::Sector::label)
}

#[tokio::test]
async fn small_cells_are_suppressed_and_no_answer_about_the_year_gives_one_back() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let mut auditor = server.clients("auditor").await;
    populate(&mut philippines, &mut spain).await;
    let (reports, answers, universe) = every_answer(&mut auditor).await;

    let whole = &reports[0];
    assert_eq!((whole.jurisdiction.as_str(), whole.period.as_str()), ("ES", "2025"));
    let total = whole.total.clone().expect("22 workers: the total is shown");
    assert_eq!((total.workers, total.months), truth(1, 12, |_| true));
    assert_eq!(total.months, 9 * 12 + 5 * 6 + 12 + 5 * 12 + 2 * 3);
    let old_age = total.paid.iter().find(|paid| paid.branch == pb::Branch::OldAge as i32).expect("old age");
    // Each month's contribution pays 9% of EUR 1,500.00 by each side (common::contribution).
    assert_eq!(old_age.employer.as_ref().map(|m| m.minor), Some(216 * 13_500));
    // Every month's wage is EUR 1,500.00.
    assert_eq!(total.wages.as_ref().map(|m| m.minor), Some(216 * 150_000));
    assert_eq!(total.wage_months, 216);

    for (report, (first, last)) in reports.iter().zip([(1, 12), (1, 3), (4, 6), (7, 9), (10, 12)]) {
        let name = |what: &str| format!("{} {what}", report.period);
        let truth_of = |of: &dyn Fn(&Group) -> bool| truth(first, last, of);
        check_breakdown(&name("sex"), &report.by_sex, |label| truth_of(&|g| sex_label(g.sex) == label));
        check_breakdown(&name("sector"), &report.by_sector, |label| {
            truth_of(&|g| sector_label(g.sector) == label)
        });
        check_breakdown(&name("origin"), &report.by_origin, |label| truth_of(&|g| g.origin == label));
        // Every employer of the population has fewer than ten workers; the domestic workers'
        // employer is a household.
        check_breakdown(&name("employer size"), &report.by_employer_size, |label| {
            truth_of(&|g| match g.sector {
                pb::Sector::DomesticWork => label == "household",
                _ => label == "1 to 9 workers",
            })
        });
        for row in &report.by_sex_and_sector {
            let (workers, months) =
                truth_of(&|g| sex_label(g.sex) == row.label && sector_label(g.sector) == row.sector);
            if let Some(cell) = &row.cell {
                assert!(workers >= 5);
                assert_eq!((cell.workers, cell.months), (workers, months), "{} {row:?}", report.period);
            }
        }
        if let Some(total) = &report.total {
            assert_eq!((total.workers, total.months), truth_of(&|_| true), "{}", report.period);
        }
    }

    // The nine domestic workers' employer is a household: counted among households, never named.
    // (In the year, the household line goes with the empty size classes: shown beside the other
    // line, it would say that those are empty.)
    let households: Vec<Option<u32>> = reports
        .iter()
        .map(|report| report.by_employer_size.iter().find(|row| row.label == "household"))
        .map(|row| row.and_then(|row| row.cell.as_ref()).map(|cell| cell.workers))
        .collect();
    assert_eq!(households, [None, None, None, Some(9), Some(9)]);
    assert!(reports
        .iter()
        .all(|report| report.by_employer_size.iter().all(|row| !row.label.contains("HOGAR"))));

    // Origins say how they coordinate with Spain: monitors see who works without an agreement.
    let note = |code: &str| whole.by_origin.iter().find(|row| row.label == code).map(|row| row.note.clone());
    assert_eq!(note("PH").as_deref(), Some("ES-PH"));
    assert_eq!(note("IT").as_deref(), Some("EU-883"));
    assert_eq!(note("ID").as_deref(), Some("no agreement"));
    assert_eq!(note("ES").as_deref(), Some("home"));

    // The first attack: "January to February" less "January". Months are no period of a report.
    for period in ["2025-01", "2025-01..2025-02", "2025-H1", "2025-Q5", ""] {
        let request = pb::GetCoverageReportRequest { jurisdiction: "ES".into(), period: period.into() };
        let refused = auditor.audit.get_coverage_report(request).await.expect_err(period);
        assert_eq!(refused.code(), tonic::Code::InvalidArgument, "{period}");
    }
    // Its aligned form: the two women of the last quarter are a line of their own there (origin
    // ES, hospitality), suppressed; the year less its first three quarters does not give it.
    let line_in = |report: &pb::GetCoverageReportResponse, origin: &str| {
        report.by_origin.iter().find(|row| row.label == origin).and_then(|row| row.cell.clone())
    };
    assert!(line_in(&reports[4], "ES").is_none(), "two workers are suppressed");
    let recoverable =
        [&reports[0], &reports[1], &reports[2], &reports[3]].iter().all(|r| line_in(r, "ES").is_some());
    assert!(!recoverable, "the year and its first three quarters would give the fourth");

    // The second attack: "all origins" less "the Philippine corridor". A corridor is a line of the
    // jurisdiction's report; the Philippine line and the total are both shown, and what they
    // leave (Indonesia's five, Italy's one, Spain's two) is spread over more than one suppressed
    // line, none of which they give back.
    let philippines_line = line_in(whole, "PH").expect("fourteen workers from the Philippines");
    assert_eq!(philippines_line.workers, 14);
    let hidden_origins = whole.by_origin.iter().filter(|row| row.suppressed).count();
    assert!(hidden_origins >= 2, "{:?}", whole.by_origin);

    // And every other combination of every answer about 2025.
    let attacker = Attacker::new(&universe, &answers, "2025");
    let found = attacker.differences(50_000, &mut Random(2025));
    assert!(found.is_empty(), "{found:#?}");
    assert!(attacker.empty_by_difference().is_empty());
    let found = attacker.linear();
    assert!(found.is_empty(), "{found:#?}");
    assert!(answers.iter().filter(|answer| answer.figures.is_none()).count() > 0);
    server.server.stop().await.expect("stopped");
}

/// The seqs of the contributions in the log, in order.
async fn contribution_seqs(auditor: &mut Clients) -> Vec<u64> {
    common::read_all(auditor, 0)
        .await
        .iter()
        .filter_map(|stored| {
            let record = ledger_core::Record::decode(&stored.record).expect("a record");
            matches!(record.event, ledger_core::Event::ContributionRecorded(_)).then_some(stored.seq)
        })
        .collect()
}

#[tokio::test]
async fn corrections_and_refused_duplicates_keep_the_reports_meaning() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let mut auditor = server.clients("auditor").await;
    populate(&mut philippines, &mut spain).await;
    let seqs = contribution_seqs(&mut auditor).await;
    assert_eq!(seqs.len(), 216);
    // One contribution corrected from EUR 1,500.00 to 1,600.00 (shares 9%: 13,500 to 14,400),
    // another reversed; a payroll sent again for a worker's January, unchanged, is refused.
    spain
        .agency
        .correct_contribution(pb::CorrectContributionRequest {
            request_id: "fix-1".into(),
            seq: seqs[0],
            insured_wage_minor: 160_000,
            employer_share_minor: 14_400,
            worker_share_minor: 14_400,
            reason: "overtime left out".into(),
        })
        .await
        .expect("corrected");
    spain
        .agency
        .reverse_contribution(pb::ReverseContributionRequest {
            request_id: "out-1".into(),
            seq: seqs[1],
            reason: "not employed that month".into(),
        })
        .await
        .expect("reversed");
    let events = common::read_all(&mut auditor, seqs[2]).await;
    let ledger_core::Event::ContributionRecorded(third) =
        ledger_core::Record::decode(&events[0].record).expect("a record").event
    else {
        panic!("a contribution at {}", seqs[2]);
    };
    let mut again = common::contribution_from(
        third.employer_ref.as_str(),
        third.worker_id.as_str(),
        "ES",
        "EUR",
        &third.month.to_string(),
        150_000,
    );
    again.sector = i32::from(third.sector.code());
    let request = pb::RecordContributionsRequest {
        request_id: "again".into(),
        contributions: vec![again],
        ..Default::default()
    };
    let refused = spain.agency.record_contributions(request).await.expect_err("a duplicate");
    assert_eq!(refused.code(), tonic::Code::AlreadyExists);

    // The report counts each worker's month once, with its figures now: one month fewer, and
    // 216 × 13,500 − 13,500 (reversed) + 900 (corrected) paid by each side.
    let whole = report(&mut auditor, "2025").await;
    let total = whole.total.expect("the total is shown");
    assert_eq!((total.workers, total.months), (22, 216 - 1));
    let old_age = total.paid.iter().find(|paid| paid.branch == pb::Branch::OldAge as i32).expect("old age");
    let expected = 216 * 13_500 - 13_500 + 900;
    assert_eq!(old_age.employer.as_ref().map(|m| m.minor), Some(expected));
    assert_eq!(old_age.worker.as_ref().map(|m| m.minor), Some(expected));
    server.server.stop().await.expect("stopped");
}
