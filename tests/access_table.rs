//! The access rules as one table, checked over real gRPC for every cell: every RPC, called by an
//! agency where the worker has a record and one where they have none, by the worker and by another
//! worker, by an auditor, an operator, a workers' organisation she has given her consent to, the
//! appeal body of the Philippines, and with no credential at all.

mod common;

use common::{contribution, TestServer};
use ledger_client::grpc::{self as client, Clients};
use ledger_proto::v1 as pb;
use tonic::Code;

const CALLERS: [&str; 9] = [
    "agency-in",
    "agency-out",
    "worker-self",
    "worker-other",
    "auditor",
    "operator",
    "organisation",
    "appeal-body",
    "nobody",
];

/// A: allowed and answered; D: PERMISSION_DENIED; U: UNAUTHENTICATED; S: past the gate, refused by the
/// state (FAILED_PRECONDITION).
const TABLE: [(&str, [char; 9]); 39] = [
    ("EnrollWorker", ['A', 'A', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("RecordContributions", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    // Before the reversal: a reversed contribution is not corrected.
    ("CorrectContribution", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("ReverseContribution", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    // An agency where she has no record (and does not live) takes no application.
    ("RecordBenefitApplication", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("CertifyPeriods", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("CreditPeriods", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("GrantEntitlement", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("ChangeEntitlementStatus", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("RecordBenefitPayment", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("RecordResidenceChange", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("GetStatement", ['A', 'D', 'A', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("GetBalance", ['A', 'D', 'A', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("GetChainHead", ['A', 'A', 'D', 'D', 'A', 'A', 'D', 'D', 'U']),
    ("ReadEvents", ['D', 'D', 'D', 'D', 'A', 'A', 'D', 'D', 'U']),
    ("VerifyChain", ['A', 'A', 'D', 'D', 'A', 'A', 'D', 'D', 'U']),
    ("SubscribeEvents", ['D', 'D', 'D', 'D', 'A', 'A', 'D', 'D', 'U']),
    ("GetInclusionProof", ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'U']),
    ("GetConsistencyProof", ['A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'U']),
    ("FileClaim", ['A', 'D', 'A', 'D', 'D', 'D', 'A', 'D', 'U']),
    // Of a corridor from the Philippines to Saudi Arabia: Spain's agency is on neither end.
    // Her own consent, given to an organisation other than the one the fixture's worker trusts.
    ("ChangeConsent", ['D', 'D', 'A', 'A', 'D', 'D', 'D', 'D', 'U']),
    // Of both workers, who have given the organisation their consent.
    ("FileGroupClaim", ['D', 'D', 'D', 'D', 'D', 'D', 'A', 'D', 'U']),
    ("RecordRecruitmentCost", ['A', 'D', 'A', 'D', 'D', 'D', 'D', 'D', 'U']),
    ("ResolveClaim", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    // Of the answer just given: not by the agency that gave it, nor by Spain's; she appeals, and
    // then the organisation she trusts finds it appealed already (an answer is appealed once).
    ("AppealClaim", ['D', 'D', 'A', 'D', 'D', 'D', 'S', 'D', 'U']),
    ("ListAppeals", ['D', 'D', 'D', 'D', 'D', 'D', 'D', 'A', 'U']),
    // The Philippine body the sample rules name decides the appeal made to it.
    ("DecideAppeal", ['D', 'D', 'D', 'D', 'D', 'D', 'D', 'A', 'U']),
    // An organisation lists the claims it filed for workers whose consent holds (none yet).
    ("ListClaims", ['A', 'A', 'D', 'D', 'D', 'D', 'A', 'D', 'U']),
    ("GetAccountabilityReport", ['D', 'D', 'D', 'D', 'A', 'D', 'D', 'D', 'U']),
    ("GetCoverageReport", ['D', 'D', 'D', 'D', 'A', 'D', 'D', 'D', 'U']),
    ("GetEmployerPaysReport", ['D', 'D', 'D', 'D', 'A', 'D', 'D', 'D', 'U']),
    ("GetEmployersReport", ['D', 'D', 'D', 'D', 'A', 'D', 'D', 'D', 'U']),
    ("PublishReport", ['D', 'D', 'D', 'D', 'A', 'D', 'D', 'D', 'U']),
    ("ReadRecoveryState", ['D', 'D', 'D', 'D', 'D', 'A', 'D', 'D', 'U']),
    // Of a third worker enrolled in the Philippines, so that the callers' credentials stay theirs.
    ("ResetWorkerCredential", ['A', 'D', 'D', 'D', 'D', 'D', 'D', 'D', 'U']),
    // Called with a credential, it has no session to end: answered, with none ended.
    ("EndSessions", ['D', 'D', 'A', 'A', 'D', 'D', 'D', 'D', 'U']),
    // Workers only, for their own access. These workers hold a credential and have set no PIN,
    // so past the gate their state refuses them ('S': FailedPrecondition).
    ("BeginPasskey", ['D', 'D', 'S', 'S', 'D', 'D', 'D', 'D', 'U']),
    ("AddPasskey", ['D', 'D', 'S', 'S', 'D', 'D', 'D', 'D', 'U']),
    // Last: it replaces the credential of the workers that call it.
    ("RotateCredential", ['D', 'D', 'A', 'A', 'D', 'D', 'D', 'D', 'U']),
];

/// The state the calls act on: a worker with a record in the Philippines (and nowhere else).
struct Fixture {
    worker: String,
    contribution_seq: u64,
    suspendable: u64,
    payable: u64,
    claim: u64,
    /// A worker enrolled in the Philippines whose credential the resets replace.
    bystander: String,
    /// The other worker, who calls as "worker-other".
    other: String,
}

async fn call(
    clients: &mut Clients,
    rpc: &str,
    caller: &str,
    fixture: &Fixture,
) -> Result<(), tonic::Status> {
    let id = format!("{rpc}-{caller}");
    let worker = fixture.worker.clone();
    match rpc {
        "EnrollWorker" => {
            let request = pb::EnrollWorkerRequest {
                request_id: id,
                origin_jurisdiction: "PH".into(),
                ..Default::default()
            };
            clients.agency.enroll_worker(request).await.map(drop)
        }
        "RecordContributions" => {
            let contributions = vec![contribution(&worker, "PH", "PHP", "2023-02", 1_800_000)];
            clients
                .agency
                .record_contributions(pb::RecordContributionsRequest {
                    request_id: id,
                    contributions,
                    ..Default::default()
                })
                .await
                .map(drop)
        }
        "CorrectContribution" => {
            let request = pb::CorrectContributionRequest {
                request_id: id,
                seq: fixture.contribution_seq,
                insured_wage_minor: 1_900_000,
                employer_share_minor: 171_000,
                worker_share_minor: 81_000,
                reason: "payroll corrected".into(),
            };
            clients.agency.correct_contribution(request).await.map(drop)
        }
        "CertifyPeriods" => {
            let period = pb::CertifiedPeriod {
                worker_id: worker,
                jurisdiction: "PH".into(),
                branch: pb::Branch::OldAge as i32,
                from_month: "2019-01".into(),
                to_month: "2019-03".into(),
                unit: pb::PeriodUnit::Months as i32,
                quantity: 3,
                voluntary: false,
            };
            let request = pb::CertifyPeriodsRequest { request_id: id, periods: vec![period] };
            clients.agency.certify_periods(request).await.map(drop)
        }
        "RecordBenefitApplication" => {
            let request = pb::RecordBenefitApplicationRequest {
                request_id: id,
                worker_id: worker,
                branch: pb::Branch::OldAge as i32,
                risk_date: "2026-01-01".into(),
            };
            clients.agency.record_benefit_application(request).await.map(drop)
        }
        "ReverseContribution" => {
            let request = pb::ReverseContributionRequest {
                request_id: id,
                seq: fixture.contribution_seq,
                reason: "duplicate".into(),
            };
            clients.agency.reverse_contribution(request).await.map(drop)
        }
        "CreditPeriods" => {
            let period = pb::CreditedPeriod {
                worker_id: worker,
                jurisdiction: "PH".into(),
                branch: pb::Branch::Maternity as i32,
                from_month: "2023-03".into(),
                to_month: "2023-05".into(),
                kind: pb::CreditKind::Maternity as i32,
            };
            clients
                .agency
                .credit_periods(pb::CreditPeriodsRequest { request_id: id, periods: vec![period] })
                .await
                .map(drop)
        }
        "GrantEntitlement" => clients.agency.grant_entitlement(grant(&id, &worker)).await.map(drop),
        "ChangeEntitlementStatus" => {
            let request = pb::ChangeEntitlementStatusRequest {
                request_id: id,
                entitlement_seq: fixture.suspendable,
                change: pb::EntitlementChange::Suspend as i32,
                effective_month: "2026-01".into(),
                reason: "review".into(),
            };
            clients.agency.change_entitlement_status(request).await.map(drop)
        }
        "RecordBenefitPayment" => {
            let request = pb::RecordBenefitPaymentRequest {
                request_id: id,
                entitlement_seq: fixture.payable,
                month: "2026-01".into(),
                amount_minor: 500_000,
                currency: "PHP".into(),
                paid_into: "PH".into(),
            };
            clients.agency.record_benefit_payment(request).await.map(drop)
        }
        "RecordResidenceChange" => {
            let request = pb::RecordResidenceChangeRequest {
                request_id: id,
                worker_id: worker,
                country: "PH".into(),
                from_month: "2025-06".into(),
            };
            clients.agency.record_residence_change(request).await.map(drop)
        }
        "GetStatement" => {
            let request = pb::GetStatementRequest { min_seq: None, worker_id: worker, from_seq: 0, limit: 0 };
            clients.worker.get_statement(request).await.map(drop)
        }
        "GetBalance" => clients
            .worker
            .get_balance(pb::GetBalanceRequest { worker_id: worker, as_of_seq: None, ..Default::default() })
            .await
            .map(drop),
        "RotateCredential" => {
            clients.worker.rotate_credential(pb::RotateCredentialRequest {}).await.map(drop)
        }
        "EndSessions" => {
            clients.worker.end_sessions(pb::EndSessionsRequest { everywhere: true }).await.map(drop)
        }
        "BeginPasskey" => {
            let request = pb::BeginPasskeyRequest { origin: "https://portal.example.org".into() };
            clients.worker.begin_passkey(request).await.map(drop)
        }
        "AddPasskey" => {
            // Well-formed client data of a challenge never issued.
            let client_data =
                br#"{"type":"webauthn.create","challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","origin":"https://portal.example.org"}"#;
            let request = pb::AddPasskeyRequest {
                pin: "271828".into(),
                client_data_json: client_data.to_vec(),
                authenticator_data: Vec::new(),
            };
            clients.worker.add_passkey(request).await.map(drop)
        }
        "ResetWorkerCredential" => {
            let request =
                pb::ResetWorkerCredentialRequest { request_id: id, worker_id: fixture.bystander.clone() };
            clients.agency.reset_worker_credential(request).await.map(drop)
        }
        "GetChainHead" => clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.map(drop),
        "ReadEvents" => {
            clients.audit.read_events(pb::ReadEventsRequest { from_seq: 0, limit: 5 }).await.map(drop)
        }
        "ReadRecoveryState" => {
            clients.audit.read_recovery_state(pb::ReadRecoveryStateRequest { size: 1 }).await.map(drop)
        }
        "VerifyChain" => {
            clients.audit.verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None }).await.map(drop)
        }
        "GetInclusionProof" => {
            let request = pb::GetInclusionProofRequest { seq: 1, tree_size: 0 };
            clients.audit.get_inclusion_proof(request).await.map(drop)
        }
        "GetConsistencyProof" => {
            let request = pb::GetConsistencyProofRequest { old_size: 1, new_size: 0 };
            clients.audit.get_consistency_proof(request).await.map(drop)
        }
        "SubscribeEvents" => {
            let request = pb::SubscribeEventsRequest { from_seq: 0 };
            let mut stream = clients.audit.subscribe_events(request).await?.into_inner();
            stream.message().await.map(drop)
        }
        "FileClaim" => clients.worker.file_claim(claim(&id, &worker)).await.map(drop),
        "RecordRecruitmentCost" => {
            let request = common::recruitment_fee(&id, &worker, "SA");
            clients.worker.record_recruitment_cost(request).await.map(drop)
        }
        "ResolveClaim" => {
            let request = pb::ResolveClaimRequest {
                request_id: id,
                claim_seq: fixture.claim,
                outcome: pb::ClaimOutcome::Rejected as i32,
                reason: "the employer's remittance for 2023-02 was found".into(),
                contributions: vec![],
            };
            clients.agency.resolve_claim(request).await.map(drop)
        }
        "ListClaims" => clients.agency.list_claims(pb::ListClaimsRequest::default()).await.map(drop),
        "AppealClaim" => {
            let request = pb::AppealClaimRequest {
                request_id: id,
                claim_seq: fixture.claim,
                grounds_sha256: vec![8; 32],
            };
            clients.worker.appeal_claim(request).await.map(drop)
        }
        "ListAppeals" => clients.appeal.list_appeals(pb::ListAppealsRequest::default()).await.map(drop),
        "DecideAppeal" => {
            let request = pb::DecideAppealRequest {
                request_id: id,
                claim_seq: fixture.claim,
                outcome: pb::ClaimOutcome::Rejected as i32,
                reason: "the remittance for 2023-02 is on the employer's bank statement".into(),
                contributions: vec![],
            };
            clients.appeal.decide_appeal(request).await.map(drop)
        }
        "GetAccountabilityReport" => {
            let request = pb::GetAccountabilityReportRequest {
                jurisdiction: String::new(),
                from_date: "2020-01-01".into(),
                to_date: "2030-12-31".into(),
            };
            clients.audit.get_accountability_report(request).await.map(drop)
        }
        "GetCoverageReport" => {
            let request = pb::GetCoverageReportRequest { jurisdiction: "PH".into(), period: "2023".into() };
            clients.audit.get_coverage_report(request).await.map(drop)
        }
        "GetEmployerPaysReport" => {
            let request =
                pb::GetEmployerPaysReportRequest { jurisdiction: "PH".into(), period: "2023".into() };
            clients.audit.get_employer_pays_report(request).await.map(drop)
        }
        "PublishReport" => {
            let request = pb::PublishReportRequest {
                report: "coverage".into(),
                jurisdiction: "PH".into(),
                period: "2023".into(),
            };
            clients.audit.publish_report(request).await.map(drop)
        }
        "FileGroupClaim" => {
            let member = |worker_id: &str| pb::GroupClaimMember {
                worker_id: worker_id.into(),
                months: vec!["2023-02".into()],
                amount_minor: None,
            };
            let request = pb::FileGroupClaimRequest {
                request_id: id,
                jurisdiction: "PH".into(),
                employer_ref: "PH-EMP-0042".into(),
                kind: pb::ClaimKind::MissingContribution as i32,
                evidence_sha256: vec![7; 32],
                members: vec![member(&worker), member(&fixture.other)],
            };
            clients.worker.file_group_claim(request).await.map(drop)
        }
        "ChangeConsent" => {
            let request = pb::ChangeConsentRequest {
                request_id: id,
                organisation: "union-es-migrantes".into(),
                granted: true,
            };
            clients.worker.change_consent(request).await.map(drop)
        }
        "GetEmployersReport" => {
            let request = pb::GetEmployersReportRequest { jurisdiction: "PH".into(), period: "2023".into() };
            clients.audit.get_employers_report(request).await.map(drop)
        }
        other => panic!("no call for {other}"),
    }
}

fn claim(request_id: &str, worker: &str) -> pb::FileClaimRequest {
    pb::FileClaimRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        jurisdiction: "PH".into(),
        employer_ref: "PH-EMP-0042".into(),
        months: vec!["2023-02".into()],
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: None,
        evidence_sha256: vec![7; 32],
    }
}

fn grant(request_id: &str, worker: &str) -> pb::GrantEntitlementRequest {
    pb::GrantEntitlementRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        jurisdiction: "PH".into(),
        branch: pb::Branch::Maternity as i32,
        monthly_amount_minor: 500_000,
        currency: "PHP".into(),
        start_month: "2026-01".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_rpc_for_every_caller() {
    let server = TestServer::start().await;
    let address = server.server.address.to_string();
    let mut philippines = server.clients("agency-ph").await;
    let enrol = |request_id: &str| pb::EnrollWorkerRequest {
        request_id: request_id.into(),
        origin_jurisdiction: "PH".into(),
        ..Default::default()
    };
    let first = philippines.agency.enroll_worker(enrol("fixture-1")).await.expect("enrolled").into_inner();
    let other = philippines.agency.enroll_worker(enrol("fixture-2")).await.expect("enrolled").into_inner();
    let bystander =
        philippines.agency.enroll_worker(enrol("fixture-7")).await.expect("enrolled").into_inner().worker_id;
    let contributions = vec![contribution(&first.worker_id, "PH", "PHP", "2023-01", 1_800_000)];
    let recorded = philippines
        .agency
        .record_contributions(pb::RecordContributionsRequest {
            request_id: "fixture-3".into(),
            contributions,
            ..Default::default()
        })
        .await
        .expect("recorded")
        .into_inner();
    let mut entitlements = Vec::new();
    for request_id in ["fixture-4", "fixture-5"] {
        let granted =
            philippines.agency.grant_entitlement(grant(request_id, &first.worker_id)).await.expect("granted");
        entitlements.push(granted.into_inner().receipt.expect("receipt").seq);
    }
    let filed = philippines.worker.file_claim(claim("fixture-6", &first.worker_id)).await.expect("filed");
    // She trusts a workers' organisation with her claims.
    let mut herself = client::connect(&address, &first.worker_token).await.expect("connects");
    let consent = pb::ChangeConsentRequest {
        request_id: "fixture-8".into(),
        organisation: "union-sa-dwu".into(),
        granted: true,
    };
    herself.worker.change_consent(consent.clone()).await.expect("consent given");
    let mut himself = client::connect(&address, &other.worker_token).await.expect("connects");
    himself.worker.change_consent(consent).await.expect("consent given");
    let fixture = Fixture {
        worker: first.worker_id.clone(),
        contribution_seq: recorded.receipts[0].seq,
        suspendable: entitlements[0],
        payable: entitlements[1],
        claim: filed.into_inner().receipt.expect("receipt").seq,
        bystander,
        other: other.worker_id.clone(),
    };
    let token = |caller: &str| -> String {
        match caller {
            "agency-in" => server.tokens["agency-ph"].clone(),
            "agency-out" => server.tokens["agency-es"].clone(),
            "worker-self" => first.worker_token.clone(),
            "worker-other" => other.worker_token.clone(),
            "nobody" => "lgr_not-a-token".into(),
            "organisation" => server.tokens["union-sa-dwu"].clone(),
            "appeal-body" => server.tokens["ph-labour-relations-commission"].clone(),
            principal => server.tokens[principal].clone(),
        }
    };

    let mut wrong = Vec::new();
    for (rpc, row) in TABLE {
        for (caller, expected) in CALLERS.iter().zip(row) {
            let mut clients = client::connect(&address, &token(caller)).await.expect("connects");
            let outcome = call(&mut clients, rpc, caller, &fixture).await;
            let matches = match (expected, &outcome) {
                ('A', Ok(())) => true,
                ('D', Err(status)) => status.code() == Code::PermissionDenied,
                ('U', Err(status)) => status.code() == Code::Unauthenticated,
                ('S', Err(status)) => status.code() == Code::FailedPrecondition,
                _ => false,
            };
            if !matches {
                let got = outcome.map_or_else(
                    |status| format!("{:?}: {}", status.code(), status.message()),
                    |()| "OK".into(),
                );
                wrong.push(format!("{rpc} by {caller}: expected {expected}, got {got}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{} cells wrong:\n{}", wrong.len(), wrong.join("\n"));

    // The credential used before the rotation no longer opens anything.
    let mut stale = client::connect(&address, &first.worker_token).await.expect("connects");
    let status = stale
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: first.worker_id,
            as_of_seq: None,
            ..Default::default()
        })
        .await;
    assert_eq!(status.expect_err("rotated away").code(), Code::Unauthenticated);
    server.stop().await;
}

#[test]
fn the_table_covers_every_rpc_of_the_access_rules() {
    let named: Vec<String> = ledger_server::access::Rpc::ALL.iter().map(|rpc| format!("{rpc:?}")).collect();
    let tested: Vec<String> = TABLE.iter().map(|(rpc, _)| rpc.to_string()).collect();
    let mut named_sorted = named.clone();
    named_sorted.sort();
    let mut tested_sorted = tested.clone();
    tested_sorted.sort();
    assert_eq!(named_sorted, tested_sorted);
}
