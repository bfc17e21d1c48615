//! Bad input over real gRPC: every case gets its typed error naming the field, and none appends.

mod common;

use common::{contribution, enroll, head_size, TestServer};
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;
use tonic::Code;

/// One bad request: who sends it, what it is, the code expected and a part of the message.
struct Case {
    name: &'static str,
    principal: &'static str,
    request: Request,
    code: Code,
    message: &'static str,
}

enum Request {
    Contributions(Vec<pb::Contribution>, String),
    Enroll(pb::EnrollWorkerRequest),
    Reverse(pb::ReverseContributionRequest),
    Credit(pb::CreditedPeriod),
    Statement(pb::GetStatementRequest),
    Verify(pb::VerifyChainRequest),
    Claim(pb::FileClaimRequest),
    Resolve(pb::ResolveClaimRequest),
    Coverage(pb::GetCoverageReportRequest),
    Accountability(pb::GetAccountabilityReportRequest),
}

async fn send(clients: &mut Clients, request: Request) -> Result<(), tonic::Status> {
    match request {
        Request::Contributions(contributions, request_id) => {
            let request = pb::RecordContributionsRequest { request_id, contributions, ..Default::default() };
            clients.agency.record_contributions(request).await.map(drop)
        }
        Request::Enroll(request) => clients.agency.enroll_worker(request).await.map(drop),
        Request::Reverse(request) => clients.agency.reverse_contribution(request).await.map(drop),
        Request::Credit(period) => {
            let request = pb::CreditPeriodsRequest { request_id: "credit-bad".into(), periods: vec![period] };
            clients.agency.credit_periods(request).await.map(drop)
        }
        Request::Statement(request) => clients.worker.get_statement(request).await.map(drop),
        Request::Verify(request) => clients.audit.verify_chain(request).await.map(drop),
        Request::Claim(request) => clients.worker.file_claim(request).await.map(drop),
        Request::Resolve(request) => clients.agency.resolve_claim(request).await.map(drop),
        Request::Coverage(request) => clients.audit.get_coverage_report(request).await.map(drop),
        Request::Accountability(request) => clients.audit.get_accountability_report(request).await.map(drop),
    }
}

fn cases(worker: &str) -> Vec<Case> {
    let good = || contribution(worker, "SA", "SAR", "2023-05", 180_000);
    let with = |change: &dyn Fn(&mut pb::Contribution)| {
        let mut item = good();
        change(&mut item);
        Request::Contributions(vec![item], "bad-1".into())
    };
    let case = |name, request, code, message| Case { name, principal: "agency-sa", request, code, message };
    let claim = |change: &dyn Fn(&mut pb::FileClaimRequest)| {
        let mut request = pb::FileClaimRequest {
            request_id: "claim-bad".into(),
            worker_id: worker.to_owned(),
            jurisdiction: "SA".into(),
            employer_ref: "SA-EMP-0042".into(),
            months: vec!["2023-05".into()],
            kind: pb::ClaimKind::MissingContribution as i32,
            amount_minor: Some(18_000),
            evidence_sha256: vec![3; 32],
        };
        change(&mut request);
        Request::Claim(request)
    };
    let period = |from: &str, to: &str, kind: pb::CreditKind| pb::CreditedPeriod {
        worker_id: worker.to_owned(),
        jurisdiction: "SA".into(),
        branch: pb::Branch::Maternity as i32,
        from_month: from.into(),
        to_month: to.into(),
        kind: kind as i32,
    };
    let enrol = |origin: &str, sex: i32, birth_month: &str| {
        Request::Enroll(pb::EnrollWorkerRequest {
            request_id: "enrol-bad".into(),
            origin_jurisdiction: origin.into(),
            sex,
            birth_month: birth_month.into(),
        })
    };
    vec![
        case(
            "month 13",
            with(&|c| c.month = "2024-13".into()),
            Code::InvalidArgument,
            "contributions[0].month",
        ),
        case(
            "month malformed",
            with(&|c| c.month = "May 2024".into()),
            Code::InvalidArgument,
            "contributions[0].month",
        ),
        case(
            "future month",
            with(&|c| c.month = "2999-01".into()),
            Code::InvalidArgument,
            "is in the future",
        ),
        case(
            "negative wage",
            with(&|c| c.insured_wage_minor = -1),
            Code::InvalidArgument,
            "insured_wage_minor: -1 is negative",
        ),
        case(
            "overflowing share",
            with(&|c| c.employer_share_minor = i64::MAX),
            Code::InvalidArgument,
            "employer_share_minor",
        ),
        case(
            "shares above the wage",
            with(&|c| {
                c.insured_wage_minor = 1;
                c.employer_share_minor = 1_000_000_000_000;
            }),
            Code::InvalidArgument,
            "more than 100% of the insured wage",
        ),
        case(
            "shares just above the wage",
            with(&|c| {
                c.employer_share_minor = 90_001;
                c.worker_share_minor = 90_000;
            }),
            Code::InvalidArgument,
            "add up to 180001",
        ),
        case(
            "employer reference with a direction override",
            with(&|c| c.employer_ref = "SA-EMP-\u{202E}2400".into()),
            Code::InvalidArgument,
            "U+202E",
        ),
        case(
            "employer reference with a zero-width space",
            with(&|c| c.employer_ref = "SA-EMP\u{200B}-0042".into()),
            Code::InvalidArgument,
            "contributions[0].employer_ref",
        ),
        case(
            "negative worker share",
            with(&|c| c.worker_share_minor = -5),
            Code::InvalidArgument,
            "worker_share_minor",
        ),
        case(
            "wrong currency",
            with(&|c| c.currency = "PHP".into()),
            Code::InvalidArgument,
            "PHP is not the currency of SA",
        ),
        case(
            "malformed currency",
            with(&|c| c.currency = "riyal".into()),
            Code::InvalidArgument,
            "contributions[0].currency",
        ),
        case(
            "unknown jurisdiction",
            with(&|c| c.jurisdiction = "ZZ".into()),
            Code::NotFound,
            "ZZ is not a jurisdiction",
        ),
        case(
            "another jurisdiction",
            with(&|c| {
                c.jurisdiction = "ES".into();
                c.currency = "EUR".into()
            }),
            Code::PermissionDenied,
            "may not write for ES",
        ),
        case(
            "unknown worker",
            with(&|c| c.worker_id = "W0000000000000000".into()),
            Code::NotFound,
            "contributions[0].worker_id",
        ),
        case(
            "malformed worker",
            with(&|c| c.worker_id = "Maria Santos".into()),
            Code::InvalidArgument,
            "contributions[0].worker_id",
        ),
        case("branch unspecified", with(&|c| c.branch = 0), Code::InvalidArgument, "contributions[0].branch"),
        case("branch unknown", with(&|c| c.branch = 99), Code::InvalidArgument, "contributions[0].branch"),
        case("sector unspecified", with(&|c| c.sector = 0), Code::InvalidArgument, "contributions[0].sector"),
        case(
            "employer ref too long",
            with(&|c| c.employer_ref = "E".repeat(65)),
            Code::InvalidArgument,
            "employer_ref",
        ),
        case(
            "employer ref empty",
            with(&|c| c.employer_ref = String::new()),
            Code::InvalidArgument,
            "employer_ref",
        ),
        case(
            "employer ref control",
            with(&|c| c.employer_ref = "EMP\n1".into()),
            Code::InvalidArgument,
            "control characters",
        ),
        case(
            "empty batch",
            Request::Contributions(vec![], "bad-2".into()),
            Code::InvalidArgument,
            "a batch holds 1 to 1000 items, got 0",
        ),
        case(
            "oversized batch",
            Request::Contributions(vec![good(); 1001], "bad-3".into()),
            Code::InvalidArgument,
            "got 1001",
        ),
        case(
            "one bad item spoils the batch",
            Request::Contributions(
                vec![good(), good(), {
                    let mut c = good();
                    c.month = "2024-00".into();
                    c
                }],
                "bad-4".into(),
            ),
            Code::InvalidArgument,
            "contributions[2].month",
        ),
        case(
            "empty request id",
            Request::Contributions(vec![good()], String::new()),
            Code::InvalidArgument,
            "request_id",
        ),
        case(
            "request id too long",
            Request::Contributions(vec![good()], "r".repeat(129)),
            Code::InvalidArgument,
            "request_id",
        ),
        case(
            "request id with space",
            Request::Contributions(vec![good()], "pay roll".into()),
            Code::InvalidArgument,
            "request_id",
        ),
        case("unknown origin", enrol("XX", 1, ""), Code::NotFound, "origin_jurisdiction"),
        case("unknown sex", enrol("PH", 7, ""), Code::InvalidArgument, "sex"),
        case("future birth month", enrol("PH", 1, "2999-02"), Code::InvalidArgument, "birth_month"),
        case("malformed birth month", enrol("PH", 1, "1990-1"), Code::InvalidArgument, "birth_month"),
        case(
            "reverse beyond the head",
            Request::Reverse(pb::ReverseContributionRequest {
                request_id: "rev-bad".into(),
                seq: 1_000_000,
                reason: "typo".into(),
            }),
            Code::NotFound,
            "no event at seq 1000000",
        ),
        case(
            "reverse without reason",
            Request::Reverse(pb::ReverseContributionRequest {
                request_id: "rev-bad".into(),
                seq: 1,
                reason: " ".into(),
            }),
            Code::InvalidArgument,
            "reason",
        ),
        case(
            "reverse an enrolment",
            Request::Reverse(pb::ReverseContributionRequest {
                request_id: "rev-bad-2".into(),
                seq: 0,
                reason: "typo".into(),
            }),
            Code::FailedPrecondition,
            "not a contribution",
        ),
        case(
            "period backwards",
            Request::Credit(period("2023-05", "2023-01", pb::CreditKind::Maternity)),
            Code::InvalidArgument,
            "is before",
        ),
        case(
            "period too long",
            Request::Credit(period("2000-01", "2023-01", pb::CreditKind::Maternity)),
            Code::InvalidArgument,
            "longest credited period",
        ),
        case(
            "period kind unspecified",
            Request::Credit(period("2023-01", "2023-03", pb::CreditKind::Unspecified)),
            Code::InvalidArgument,
            "periods[0].kind",
        ),
        case(
            "period in the future",
            Request::Credit(period("2999-01", "2999-03", pb::CreditKind::Maternity)),
            Code::InvalidArgument,
            "in the future",
        ),
        case(
            "statement of nobody",
            Request::Statement(pb::GetStatementRequest {
                min_seq: None,
                worker_id: "W0000000000000000".into(),
                from_seq: 0,
                limit: 0,
            }),
            Code::NotFound,
            "worker_id",
        ),
        case(
            "statement of a malformed id",
            Request::Statement(pb::GetStatementRequest {
                min_seq: None,
                worker_id: "../etc".into(),
                from_seq: 0,
                limit: 0,
            }),
            Code::InvalidArgument,
            "worker_id",
        ),
        case(
            "claim month 13",
            claim(&|c| c.months = vec!["2023-13".into()]),
            Code::InvalidArgument,
            "months[0]",
        ),
        case("claim of no months", claim(&|c| c.months.clear()), Code::InvalidArgument, "1 to 120 months"),
        case(
            "claim against an employer reference with a direction isolate",
            claim(&|c| c.employer_ref = "SA-HH-\u{2067}0917\u{2069}".into()),
            Code::InvalidArgument,
            "employer_ref",
        ),
        case(
            "claim of 121 months",
            claim(&|c| c.months = (0..121).map(|i| format!("{}-{:02}", 2000 + i / 12, i % 12 + 1)).collect()),
            Code::InvalidArgument,
            "got 121",
        ),
        case(
            "claim in the future",
            claim(&|c| c.months = vec!["2999-01".into()]),
            Code::InvalidArgument,
            "in the future",
        ),
        case("claim kind unknown", claim(&|c| c.kind = 9), Code::InvalidArgument, "kind"),
        case("claim kind unspecified", claim(&|c| c.kind = 0), Code::InvalidArgument, "kind"),
        case(
            "claim negative amount",
            claim(&|c| c.amount_minor = Some(-1)),
            Code::InvalidArgument,
            "amount_minor",
        ),
        case(
            "claim overflowing amount",
            claim(&|c| c.amount_minor = Some(i64::MAX)),
            Code::InvalidArgument,
            "amount_minor",
        ),
        case(
            "claim evidence short",
            claim(&|c| c.evidence_sha256 = vec![1; 31]),
            Code::InvalidArgument,
            "evidence_sha256",
        ),
        case(
            "claim employer empty",
            claim(&|c| c.employer_ref = String::new()),
            Code::InvalidArgument,
            "employer_ref",
        ),
        case(
            "claim employer huge",
            claim(&|c| c.employer_ref = "E".repeat(100_000)),
            Code::InvalidArgument,
            "employer_ref",
        ),
        case("claim jurisdiction unknown", claim(&|c| c.jurisdiction = "XK".into()), Code::NotFound, "XK"),
        case(
            "claim worker unknown",
            claim(&|c| c.worker_id = "W0000000000000000".into()),
            Code::NotFound,
            "worker_id",
        ),
        case(
            "resolve an enrolment",
            Request::Resolve(pb::ResolveClaimRequest {
                request_id: "resolve-bad-1".into(),
                claim_seq: 1,
                outcome: pb::ClaimOutcome::Rejected as i32,
                reason: "no".into(),
                contributions: vec![],
            }),
            Code::FailedPrecondition,
            "not a claim",
        ),
        case(
            "resolve with an unknown outcome",
            Request::Resolve(pb::ResolveClaimRequest {
                request_id: "resolve-bad-2".into(),
                claim_seq: 1,
                outcome: 7,
                reason: String::new(),
                contributions: vec![],
            }),
            Code::InvalidArgument,
            "outcome",
        ),
        case(
            "resolve with too many contributions",
            Request::Resolve(pb::ResolveClaimRequest {
                request_id: "resolve-bad-3".into(),
                claim_seq: 1,
                outcome: pb::ClaimOutcome::Upheld as i32,
                reason: String::new(),
                contributions: vec![good(); 1000],
            }),
            Code::InvalidArgument,
            "at most 999",
        ),
        Case {
            name: "coverage of a span of months rather than a year or quarter",
            principal: "auditor",
            request: Request::Coverage(pb::GetCoverageReportRequest {
                jurisdiction: "SA".into(),
                period: "2023-01..2023-02".into(),
            }),
            code: Code::InvalidArgument,
            message: "period",
        },
        Case {
            name: "accountability with a day 31 of February",
            principal: "auditor",
            request: Request::Accountability(pb::GetAccountabilityReportRequest {
                jurisdiction: String::new(),
                from_date: "2026-02-31".into(),
                to_date: "2026-03-01".into(),
            }),
            code: Code::InvalidArgument,
            message: "from_date",
        },
        Case {
            name: "verify backwards",
            principal: "auditor",
            request: Request::Verify(pb::VerifyChainRequest { from_seq: 5, to_seq: Some(2) }),
            code: Code::InvalidArgument,
            message: "to_seq",
        },
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_a_typed_error_and_appends_nothing() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let worker = enroll(&mut philippines, "enrol-1", "PH").await;
    let mut saudi = server.clients("agency-sa").await;
    let good = pb::RecordContributionsRequest {
        request_id: "good-1".into(),
        contributions: vec![contribution(&worker, "SA", "SAR", "2023-04", 180_000)],
        ..Default::default()
    };
    saudi.agency.record_contributions(good).await.expect("a good contribution is recorded");
    let mut auditor = server.clients("auditor").await;
    let size = head_size(&mut auditor).await;
    assert_eq!(size, 3);

    let mut failures = Vec::new();
    let all = cases(&worker);
    let count = all.len();
    for case in all {
        let mut clients = server.clients(case.principal).await;
        match send(&mut clients, case.request).await {
            Ok(()) => failures.push(format!("{}: accepted", case.name)),
            Err(status) if status.code() != case.code || !status.message().contains(case.message) => {
                failures.push(format!("{}: got {:?} {:?}", case.name, status.code(), status.message()))
            }
            Err(_) => {}
        }
        let now = head_size(&mut auditor).await;
        if now != size {
            failures.push(format!("{}: the log grew to {now}", case.name));
        }
    }
    assert!(failures.is_empty(), "{} of {count} cases failed:\n{}", failures.len(), failures.join("\n"));

    // The field is also in google.rpc.BadRequest details, for clients that point at it.
    use tonic_types::StatusExt;
    let mut bad = contribution(&worker, "SA", "SAR", "2023-05", 180_000);
    bad.month = "2023-13".into();
    let request = pb::RecordContributionsRequest {
        request_id: "bad-details".into(),
        contributions: vec![contribution(&worker, "SA", "SAR", "2023-06", 180_000), bad],
        ..Default::default()
    };
    let status = saudi.agency.record_contributions(request).await.expect_err("refused");
    let violations =
        status.get_details_bad_request().map(|bad_request| bad_request.field_violations).unwrap_or_default();
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].field, "contributions[1].month");
    server.stop().await;
}
