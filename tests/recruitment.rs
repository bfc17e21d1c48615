//! Recruitment costs (issue 19): an agency of the worker's origin or of the corridor's destination
//! records one from its own records; the worker declares her own, marked as declared; nobody else
//! records one, and a malformed one changes nothing. Over real gRPC, against a real store.

mod common;

use common::{as_worker, enroll_with_credential, recruitment_fee, TestServer};
use ledger_proto::v1 as pb;
use tonic::Code;

/// The recruitment costs on her statement, read with `token`.
async fn costs(server: &TestServer, token: &str, worker: &str) -> Vec<pb::RecruitmentCostRecorded> {
    let mut clients = as_worker(server, token).await;
    let request = pb::GetStatementRequest { worker_id: worker.into(), ..Default::default() };
    let statement = clients.worker.get_statement(request).await.expect("statement").into_inner();
    statement
        .entries
        .into_iter()
        .filter_map(|entry| match entry.event.and_then(|event| event.kind) {
            Some(pb::event::Kind::RecruitmentCostRecorded(cost)) => Some(cost),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn agencies_of_her_corridor_record_recruitment_costs_and_she_declares_her_own() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-001101", "PH").await;
    let worker = enrolled.worker_id.clone();

    // Her origin's agency records the fee she paid with a loan.
    let fee = recruitment_fee("dmw-2026-0042", &worker, "SA");
    let recorded = philippines.worker.record_recruitment_cost(fee.clone()).await.expect("recorded");
    let seq = recorded.into_inner().receipt.expect("receipt").seq;
    // The same request again is the same event, not a second one.
    let again = philippines.worker.record_recruitment_cost(fee).await.expect("replayed").into_inner();
    assert_eq!(again.receipt.expect("receipt").seq, seq);

    // The destination's agency records the visa her employer paid, as the employer-pays
    // principle asks.
    let mut saudi = server.clients("agency-sa").await;
    let visa = pb::RecordRecruitmentCostRequest {
        purpose: pb::RecruitmentPurpose::Visa as i32,
        amount: Some(pb::Money { currency: "SAR".into(), minor: 200_000, ..Default::default() }),
        paid_by: pb::CostPayer::Employer as i32,
        lender: String::new(),
        ..recruitment_fee("gosi-visa-2026-0007", &worker, "SA")
    };
    saudi.worker.record_recruitment_cost(visa).await.expect("recorded by the destination");

    // Spain's agency is on neither end of this corridor.
    let mut spain = server.clients("agency-es").await;
    let refused = spain.worker.record_recruitment_cost(recruitment_fee("tgss-1", &worker, "SA")).await;
    assert_eq!(refused.expect_err("not its corridor").code(), Code::PermissionDenied);

    // She declares the training she paid from her wages herself.
    let mut her = as_worker(&server, &enrolled.worker_token).await;
    let training = pb::RecordRecruitmentCostRequest {
        worker_id: String::new(),
        purpose: pb::RecruitmentPurpose::Training as i32,
        amount: Some(pb::Money { currency: "PHP".into(), minor: 850_000, ..Default::default() }),
        paid_by: pb::CostPayer::Worker as i32,
        lender: String::new(),
        employer_ref: String::new(),
        ..recruitment_fee("worker-declared-1", &worker, "SA")
    };
    her.worker.record_recruitment_cost(training).await.expect("declared");

    // What changes nothing: a lender without a loan, a loan without a lender, a corridor from her
    // origin to itself, a month to come, a digest that is not one.
    let malformed = [
        (
            pb::RecordRecruitmentCostRequest {
                paid_by: pb::CostPayer::Worker as i32,
                ..recruitment_fee("bad-1", &worker, "SA")
            },
            Code::InvalidArgument,
        ),
        (
            pb::RecordRecruitmentCostRequest {
                lender: String::new(),
                ..recruitment_fee("bad-2", &worker, "SA")
            },
            Code::InvalidArgument,
        ),
        (recruitment_fee("bad-3", &worker, "PH"), Code::InvalidArgument),
        (
            pb::RecordRecruitmentCostRequest {
                paid_in: "2999-01".into(),
                ..recruitment_fee("bad-4", &worker, "SA")
            },
            Code::InvalidArgument,
        ),
        (
            pb::RecordRecruitmentCostRequest {
                evidence_sha256: vec![1; 31],
                ..recruitment_fee("bad-5", &worker, "SA")
            },
            Code::InvalidArgument,
        ),
        (
            pb::RecordRecruitmentCostRequest { purpose: 9, ..recruitment_fee("bad-6", &worker, "SA") },
            Code::InvalidArgument,
        ),
    ];
    let before = common::head_size(&mut philippines).await;
    for (request, code) in malformed {
        let id = request.request_id.clone();
        let answer = philippines.worker.record_recruitment_cost(request).await;
        assert_eq!(answer.map(drop).map_err(|status| status.code()), Err(code), "{id}");
    }
    assert_eq!(common::head_size(&mut philippines).await, before, "refused requests append nothing");

    let on_record = costs(&server, &enrolled.worker_token, &worker).await;
    let summary: Vec<(i32, i32, bool, &str, &str)> = on_record
        .iter()
        .map(|cost| {
            (cost.purpose, cost.paid_by, cost.declared, cost.origin.as_str(), cost.destination.as_str())
        })
        .collect();
    assert_eq!(
        summary,
        [
            (pb::RecruitmentPurpose::Fee as i32, pb::CostPayer::Loan as i32, false, "PH", "SA"),
            (pb::RecruitmentPurpose::Visa as i32, pb::CostPayer::Employer as i32, false, "PH", "SA"),
            (pb::RecruitmentPurpose::Training as i32, pb::CostPayer::Worker as i32, true, "PH", "SA"),
        ]
    );
    assert_eq!(on_record[0].lender, "LENDER-PH-0091");
    assert_eq!(on_record[0].licence, "POEA-123-LB-031522-R");
    let amount = on_record[0].amount.clone().expect("an amount");
    assert_eq!((amount.currency.as_str(), amount.minor, amount.exponent), ("PHP", 4_500_000, 2));
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recruitment_cost_taken_from_her_wages_is_claimed_and_upheld_without_contributions() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-001102", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut saudi = common::saudi_months_with_gaps(&server, &worker).await;
    let mut her = as_worker(&server, &enrolled.worker_token).await;
    let claim = |request_id: &str, kind: pb::ClaimKind| pb::FileClaimRequest {
        request_id: request_id.into(),
        worker_id: String::new(),
        jurisdiction: "SA".into(),
        employer_ref: "SA-EMP-0311".into(),
        months: vec!["2023-01".into(), "2023-02".into()],
        kind: kind as i32,
        amount_minor: Some(120_000),
        evidence_sha256: vec![9; 32],
    };
    let filed = her
        .worker
        .file_claim(claim("worker-claim-1", pb::ClaimKind::RecruitmentCostFromWages))
        .await
        .expect("filed")
        .into_inner();
    let seq = filed.receipt.expect("receipt").seq;
    let wages =
        her.worker.file_claim(claim("worker-claim-2", pb::ClaimKind::UnpaidWages)).await.expect("filed");
    let wages_seq = wages.into_inner().receipt.expect("receipt").seq;

    // Wages and recruitment costs are answered without contributions: offering some is refused.
    let with_contributions = pb::ResolveClaimRequest {
        request_id: "gosi-resolve-1".into(),
        claim_seq: wages_seq,
        outcome: pb::ClaimOutcome::Upheld as i32,
        reason: String::new(),
        contributions: vec![common::contribution_from(
            "SA-EMP-0311",
            &worker,
            "SA",
            "SAR",
            "2023-01",
            300_000,
        )],
    };
    let refused =
        saudi.agency.resolve_claim(with_contributions).await.expect_err("no contributions for wages");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let upheld = pb::ResolveClaimRequest {
        request_id: "gosi-resolve-2".into(),
        claim_seq: seq,
        outcome: pb::ClaimOutcome::Upheld as i32,
        reason: "the deductions are on the payroll; the employer repays them".into(),
        contributions: vec![],
    };
    saudi.agency.resolve_claim(upheld).await.expect("upheld");
    let listed = saudi
        .agency
        .list_claims(pb::ListClaimsRequest { open_only: false, ..Default::default() })
        .await
        .expect("listed")
        .into_inner();
    let kinds: Vec<(i32, &str)> = listed
        .claims
        .iter()
        .filter(|claim| claim.worker_id == worker)
        .map(|claim| (claim.kind, claim.state.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (pb::ClaimKind::RecruitmentCostFromWages as i32, "upheld"),
            (pb::ClaimKind::UnpaidWages as i32, "open")
        ]
    );
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_command_line_records_a_cost_for_an_agency_and_declares_one_for_her() {
    let server = TestServer::start().await;
    let address = server.server.address.to_string();
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-001103", "PH").await;
    let evidence = server.dir.path().join("receipt.txt");
    std::fs::write(&evidence, "Official receipt 0042: placement fee").expect("written");
    let run = |token: &str, args: &[&str]| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
            .args(args)
            .args(["--server", &address, "--token", token])
            .arg("--evidence")
            .arg(&evidence)
            .output()
            .expect("the ledger binary runs");
        (
            output.status.success(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let common = [
        "--destination",
        "SA",
        "--licensed-in",
        "PH",
        "--licence",
        "POEA-123-LB-031522-R",
        "--currency",
        "PHP",
        "--paid-in",
        "2024-11",
    ];
    let mut agency = vec!["agency", "recruitment-cost", "--worker", &enrolled.worker_id, "--purpose", "fee"];
    agency.extend(["--amount", "4500000", "--paid-by", "loan", "--lender", "LENDER-PH-0091"]);
    agency.extend(common);
    let (ok, out, err) = run(&server.tokens["agency-ph"], &agency);
    assert!(ok && out.starts_with("recruitment cost recorded at seq "), "{out}{err}");
    let mut worker = vec!["worker", "declare-recruitment-cost", "--purpose", "medical", "--amount", "350000"];
    worker.extend(["--paid-by", "worker"]);
    worker.extend(common);
    let (ok, out, err) = run(&enrolled.worker_token, &worker);
    assert!(ok && out.starts_with("recruitment cost recorded at seq "), "{out}{err}");
    // A purpose the ledger does not know is refused before anything is sent.
    let mut unknown = worker.clone();
    unknown[3] = "bribe";
    let (ok, _, err) = run(&enrolled.worker_token, &unknown);
    assert!(!ok && err.contains("bribe"), "{err}");

    let on_record = costs(&server, &enrolled.worker_token, &enrolled.worker_id).await;
    let declared: Vec<(i32, bool)> = on_record.iter().map(|cost| (cost.purpose, cost.declared)).collect();
    assert_eq!(
        declared,
        [(pb::RecruitmentPurpose::Fee as i32, false), (pb::RecruitmentPurpose::Medical as i32, true)]
    );
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(b"Official receipt 0042: placement fee").to_vec()
    };
    assert!(on_record.iter().all(|cost| cost.evidence_sha256 == digest), "only the receipt's digest is sent");
    server.server.stop().await.expect("stopped");
}
