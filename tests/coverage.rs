//! The coverage report over gRPC, for an illustrative population working in Spain in 2025: the
//! figures it shows are the population's, every cell under five workers is suppressed, and no
//! suppressed cell can be recovered by subtracting the shown cells from the shown total.

mod common;

use common::TestServer;
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;

/// One group of the population: how many workers, their sex, origin, sector and months in Spain.
struct Group {
    count: u32,
    sex: pb::Sex,
    origin: &'static str,
    sector: pb::Sector,
    months: u32,
}

const POPULATION: [Group; 5] = [
    Group { count: 9, sex: pb::Sex::Female, origin: "PH", sector: pb::Sector::DomesticWork, months: 12 },
    Group { count: 5, sex: pb::Sex::Male, origin: "PH", sector: pb::Sector::Care, months: 6 },
    Group { count: 1, sex: pb::Sex::Other, origin: "IT", sector: pb::Sector::Agriculture, months: 12 },
    Group { count: 5, sex: pb::Sex::Unspecified, origin: "ID", sector: pb::Sector::Construction, months: 12 },
    Group { count: 2, sex: pb::Sex::Female, origin: "ES", sector: pb::Sector::Hospitality, months: 3 },
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
            let contributions = (1..=group.months)
                .map(|month| {
                    let mut paid = common::contribution(
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

/// The population's own figures for a line: workers and months of the groups it covers.
fn truth(of: impl Fn(&Group) -> bool) -> (u32, u64) {
    POPULATION
        .iter()
        .filter(|group| of(group))
        .fold((0, 0), |(workers, months), g| (workers + g.count, months + u64::from(g.count * g.months)))
}

/// An attacker who knows the total and every shown cell: the suppressed cells' sum is the total
/// less the shown cells, and each suppressed cell is at least zero. A suppressed cell is
/// recovered exactly when only one value of it fits: when it is the only suppressed cell, or when
/// the suppressed cells sum to nothing.
fn values_a_suppressed_cell_can_take(
    rows: &[pb::CoverageRow],
    total: u64,
    figure: fn(&pb::CoverageCell) -> u64,
) -> Option<(u64, u64)> {
    let shown: u64 = rows.iter().filter_map(|row| row.cell.as_ref()).map(figure).sum();
    let hidden = rows.iter().filter(|row| row.suppressed).count();
    let rest = total - shown;
    match hidden {
        0 => None,
        1 => Some((rest, rest)),
        _ => Some((0, rest)),
    }
}

fn check_breakdown(
    name: &str,
    rows: &[pb::CoverageRow],
    total: &pb::CoverageCell,
    truth_of: impl Fn(&str) -> (u32, u64),
) {
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
    for (figure_name, figure, whole) in [
        (
            "workers",
            (|cell: &pb::CoverageCell| u64::from(cell.workers)) as fn(&pb::CoverageCell) -> u64,
            u64::from(total.workers),
        ),
        ("months", |cell: &pb::CoverageCell| cell.months, total.months),
    ] {
        if let Some((low, high)) = values_a_suppressed_cell_can_take(rows, whole, figure) {
            assert!(low < high, "{name}: a suppressed cell's {figure_name} can be recovered as {low}");
        }
    }
}

async fn report(auditor: &mut Clients, origin: &str) -> pb::GetCoverageReportResponse {
    let request = pb::GetCoverageReportRequest {
        jurisdiction: "ES".into(),
        origin: origin.into(),
        from_month: "2025-01".into(),
        to_month: "2025-12".into(),
    };
    auditor.audit.get_coverage_report(request).await.expect("report").into_inner()
}

#[tokio::test]
async fn small_cells_are_suppressed_and_cannot_be_recovered_by_differencing() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let mut auditor = server.clients("auditor").await;
    populate(&mut philippines, &mut spain).await;

    let whole = report(&mut auditor, "").await;
    let total = whole.total.clone().expect("22 workers: the total is shown");
    assert_eq!((total.workers, total.months), truth(|_| true));
    assert_eq!(total.months, 9 * 12 + 5 * 6 + 12 + 5 * 12 + 2 * 3);
    let old_age = total.paid.iter().find(|paid| paid.branch == pb::Branch::OldAge as i32).expect("old age");
    // Each month's contribution pays 9% of EUR 1,500.00 by each side (common::contribution).
    assert_eq!(old_age.employer.as_ref().map(|m| m.minor), Some(216 * 13_500));

    let sex_label = |sex: pb::Sex| match sex {
        pb::Sex::Female => "female",
        pb::Sex::Male => "male",
        pb::Sex::Other => "other",
        pb::Sex::Unspecified => "not declared",
    };
    check_breakdown("sex", &whole.by_sex, &total, |label| truth(|g| sex_label(g.sex) == label));
    let sector_label = |sector: pb::Sector| {
        ledger_core::Sector::from_code((sector as i32).into()).map_or("?", ledger_core::Sector::label)
    };
    check_breakdown("sector", &whole.by_sector, &total, |label| truth(|g| sector_label(g.sector) == label));
    check_breakdown("origin", &whole.by_origin, &total, |label| truth(|g| g.origin == label));

    // One worker of sex "other" is the only small cell by sex: shown alone, it would be the total
    // less the others. The smallest shown cell (five men) is suppressed with it.
    let sex: Vec<(&str, bool)> =
        whole.by_sex.iter().map(|row| (row.label.as_str(), row.suppressed)).collect();
    assert_eq!(sex, [("female", false), ("male", true), ("other", true), ("not declared", false)]);
    let domestic =
        whole.by_sector.iter().find(|row| row.label == "domestic_work").expect("a domestic work line");
    assert_eq!(domestic.cell.as_ref().map(|cell| cell.workers), Some(9));

    // Origins say how they coordinate with Spain: monitors see who works without an agreement.
    let note = |code: &str| whole.by_origin.iter().find(|row| row.label == code).map(|row| row.note.clone());
    assert_eq!(note("PH").as_deref(), Some("ES-PH"));
    assert_eq!(note("IT").as_deref(), Some("EU-883"));
    assert_eq!(note("ID").as_deref(), Some("no agreement"));
    assert_eq!(note("ES").as_deref(), Some("home"));

    // A corridor of five is shown; a corridor of one is suppressed whole.
    let indonesia = report(&mut auditor, "ID").await;
    assert_eq!(indonesia.total.as_ref().map(|cell| cell.workers), Some(5));
    let italy = report(&mut auditor, "IT").await;
    assert!(italy.total_suppressed && italy.total.is_none());
    assert!(italy.by_sex.iter().chain(&italy.by_sector).chain(&italy.by_origin).all(|row| row.suppressed));
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
    let again =
        common::contribution(third.worker_id.as_str(), "ES", "EUR", &third.month.to_string(), 150_000);
    let request = pb::RecordContributionsRequest {
        request_id: "again".into(),
        contributions: vec![again],
        ..Default::default()
    };
    let refused = spain.agency.record_contributions(request).await.expect_err("a duplicate");
    assert_eq!(refused.code(), tonic::Code::AlreadyExists);

    // The report counts each worker's month once, with its figures now: one month fewer, and
    // 216 × 13,500 − 13,500 (reversed) + 900 (corrected) paid by each side.
    let whole = report(&mut auditor, "").await;
    let total = whole.total.expect("the total is shown");
    assert_eq!((total.workers, total.months), (22, 216 - 1));
    let old_age = total.paid.iter().find(|paid| paid.branch == pb::Branch::OldAge as i32).expect("old age");
    let expected = 216 * 13_500 - 13_500 + 900;
    assert_eq!(old_age.employer.as_ref().map(|m| m.minor), Some(expected));
    assert_eq!(old_age.worker.as_ref().map(|m| m.minor), Some(expected));
    server.server.stop().await.expect("stopped");
}
