//! Appeals over gRPC, on a clock the test moves: a domestic worker's claim for months her employer
//! in Saudi Arabia never remitted is rejected by the Saudi agency; she appeals it once, to the
//! body the rules name for Saudi Arabia, which has its own deadline; the appeal goes overdue and
//! is upheld with the missing contributions. A workers' organisation with her consent, and her
//! origin's agency once she is home, appeal for her; nobody else does; rules that name no appeal
//! body take no appeal. Figures are illustrative.

mod common;

use chrono::{DateTime, Utc};
use common::{contribution_from, TestServer};
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;
use tonic::Code;

const EMPLOYER: &str = "SA-HH-0917";

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").to_utc()
}

fn refused<T: std::fmt::Debug>(result: Result<tonic::Response<T>, tonic::Status>, code: Code, says: &str) {
    let status = result.expect_err("refused");
    assert_eq!(status.code(), code, "{}", status.message());
    assert!(status.message().contains(says), "{:?} does not say {says:?}", status.message());
}

fn appeal(request_id: &str, claim_seq: u64) -> pb::AppealClaimRequest {
    pb::AppealClaimRequest {
        request_id: request_id.into(),
        claim_seq,
        grounds_sha256: ledger_core::sha256(b"letter of appeal and the employer's bank statement").to_vec(),
    }
}

/// Files her claim for `months` in Saudi Arabia and has the Saudi agency reject it; answers the
/// claim's seq.
async fn rejected_claim(
    worker: &mut Clients,
    saudi: &mut Clients,
    id: &str,
    worker_id: &str,
    months: &[&str],
) -> u64 {
    let request = pb::FileClaimRequest {
        request_id: format!("{id}-claim"),
        worker_id: worker_id.into(),
        jurisdiction: "SA".into(),
        employer_ref: EMPLOYER.into(),
        months: months.iter().map(|month| month.to_string()).collect(),
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: Some(2 * 27_000),
        evidence_sha256: ledger_core::sha256(b"payslips").to_vec(),
    };
    let filed = worker.worker.file_claim(request).await.expect("filed").into_inner();
    let claim_seq = filed.receipt.expect("receipt").seq;
    let rejection = pb::ResolveClaimRequest {
        request_id: format!("{id}-rejected"),
        claim_seq,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "the employer declares no work in these months".into(),
        contributions: vec![],
    };
    saudi.agency.resolve_claim(rejection).await.expect("rejected");
    claim_seq
}

/// A worker from the Philippines enrolled by its agency, with Saudi contributions from `EMPLOYER`
/// for `months`: her id, her credential, and clients that call as her.
async fn worker_in_saudi_arabia(
    server: &TestServer,
    request_id: &str,
    months: &[&str],
) -> (String, String, Clients) {
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = common::enroll_with_credential(&mut philippines, request_id, "PH").await;
    let worker_id = enrolled.worker_id;
    let contributions = months
        .iter()
        .map(|month| contribution_from(EMPLOYER, &worker_id, "SA", "SAR", month, 270_000))
        .collect();
    let request = pb::RecordContributionsRequest {
        request_id: format!("{request_id}-gosi"),
        contributions,
        ..Default::default()
    };
    server.clients("agency-sa").await.agency.record_contributions(request).await.expect("recorded");
    let her = common::as_worker(server, &enrolled.worker_token).await;
    (worker_id, enrolled.worker_token, her)
}

async fn appeals_to(body: &mut Clients, open_only: bool) -> Vec<pb::ClaimView> {
    let request = pb::ListAppealsRequest { open_only, ..Default::default() };
    body.appeal.list_appeals(request).await.expect("listed").into_inner().claims
}

/// Saudi Arabia's line of the accountability report of the claims filed in 2027.
async fn accountability(auditor: &mut Clients) -> pb::AccountabilityRow {
    let request = pb::GetAccountabilityReportRequest {
        jurisdiction: "SA".into(),
        from_date: "2027-01-01".into(),
        to_date: "2027-12-31".into(),
    };
    let report = auditor.audit.get_accountability_report(request).await.expect("report").into_inner();
    report.rows.into_iter().next().expect("Saudi Arabia's line")
}

async fn her_claim(worker: &mut Clients, worker_id: &str, claim_seq: u64) -> pb::ClaimView {
    let request =
        pb::GetBalanceRequest { worker_id: worker_id.into(), as_of_seq: None, ..Default::default() };
    let balance = worker.worker.get_balance(request).await.expect("balance").into_inner();
    balance.claims.into_iter().find(|claim| claim.claim_seq == claim_seq).expect("her claim")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_claim_is_appealed_once_goes_overdue_and_is_upheld_on_appeal() {
    let clock = ledger_store::Clock::manual(at("2027-03-01T10:00:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut court = server.clients("sa-labour-court").await;
    let mut commission = server.clients("ph-labour-relations-commission").await;
    let (worker_id, worker_token, mut her) =
        worker_in_saudi_arabia(&server, "owwa-2027-0001", &["2026-07", "2026-10"]).await;

    // An open claim has no answer to appeal.
    let open = pb::FileClaimRequest {
        request_id: "claim-open".into(),
        worker_id: worker_id.clone(),
        jurisdiction: "SA".into(),
        employer_ref: EMPLOYER.into(),
        months: vec!["2026-11".into()],
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: None,
        evidence_sha256: vec![1; 32],
    };
    let open = her.worker.file_claim(open).await.expect("filed").into_inner().receipt.expect("receipt").seq;
    refused(
        her.worker.appeal_claim(appeal("appeal-early", open)).await,
        Code::FailedPrecondition,
        "not answered yet",
    );

    let claim_seq = rejected_claim(&mut her, &mut saudi, "gaps", &worker_id, &["2026-08", "2026-09"]).await;
    assert_eq!(her_claim(&mut her, &worker_id, claim_seq).await.state, "rejected");

    // Not the agency that answered, not another worker, not a body the rules do not name.
    refused(
        saudi.worker.appeal_claim(appeal("appeal-by-sa", claim_seq)).await,
        Code::PermissionDenied,
        "may not appeal",
    );
    refused(
        philippines.worker.appeal_claim(appeal("appeal-by-ph", claim_seq)).await,
        Code::PermissionDenied,
        "once she lives there again",
    );
    let stranger = common::enroll_with_credential(&mut philippines, "owwa-2027-0002", "PH").await;
    let mut stranger = common::as_worker(&server, &stranger.worker_token).await;
    refused(
        stranger.worker.appeal_claim(appeal("appeal-by-stranger", claim_seq)).await,
        Code::PermissionDenied,
        "may not appeal",
    );
    // Nor does a seq that holds no claim tell her what it holds.
    let enrolment = 1;
    refused(
        her.worker.appeal_claim(appeal("appeal-of-nothing", enrolment)).await,
        Code::PermissionDenied,
        "may not appeal",
    );
    refused(
        her.worker.appeal_claim(appeal("appeal-beyond", u64::MAX)).await,
        Code::PermissionDenied,
        "may not appeal",
    );
    let mut short = appeal("appeal-short", claim_seq);
    short.grounds_sha256.truncate(31);
    refused(her.worker.appeal_claim(short).await, Code::InvalidArgument, "grounds_sha256");

    // Saudi Arabia's body, with its 90 days (sample rules): from 1 March, 30 days to 31 March,
    // 30 more to 30 April, 30 more to 30 May.
    let appealed =
        her.worker.appeal_claim(appeal("appeal-1", claim_seq)).await.expect("appealed").into_inner();
    assert_eq!(appealed.appeal_body, "sa-labour-court");
    assert_eq!(appealed.respond_by, "2027-05-30");
    let again =
        her.worker.appeal_claim(appeal("appeal-1", claim_seq)).await.expect("the same request replayed");
    assert!(again.into_inner().receipt.expect("receipt").replayed, "a retry is answered, not appealed twice");
    refused(
        her.worker.appeal_claim(appeal("appeal-2", claim_seq)).await,
        Code::FailedPrecondition,
        "appealed once",
    );

    let view = her_claim(&mut her, &worker_id, claim_seq).await;
    assert_eq!(view.state, "appealed");
    let appeal_view = view.appeal.expect("the appeal on her claim");
    assert_eq!(
        (appeal_view.appeal_body.as_str(), appeal_view.respond_by.as_str()),
        ("sa-labour-court", "2027-05-30")
    );
    assert_eq!(appeal_view.decision_seq, None);

    // The body named lists it; another body does not, and may not decide it.
    let listed = appeals_to(&mut court, true).await;
    assert_eq!(listed.iter().map(|claim| claim.claim_seq).collect::<Vec<_>>(), [claim_seq]);
    assert_eq!(listed[0].reason, "the employer declares no work in these months", "with the answer appealed");
    assert!(appeals_to(&mut commission, false).await.is_empty());
    let decision = |request_id: &str, outcome: pb::ClaimOutcome, months: &[&str]| pb::DecideAppealRequest {
        request_id: request_id.into(),
        claim_seq,
        outcome: outcome as i32,
        reason: String::new(),
        contributions: months
            .iter()
            .map(|month| contribution_from(EMPLOYER, &worker_id, "SA", "SAR", month, 270_000))
            .collect(),
    };
    let upheld = |request_id: &str| decision(request_id, pb::ClaimOutcome::Upheld, &["2026-08", "2026-09"]);
    refused(
        commission.appeal.decide_appeal(upheld("ph-decides")).await,
        Code::PermissionDenied,
        "sa-labour-court",
    );
    refused(
        court.appeal.decide_appeal(decision("no-months", pb::ClaimOutcome::Upheld, &[])).await,
        Code::InvalidArgument,
        "contributions",
    );
    refused(
        court.appeal.decide_appeal(decision("no-reason", pb::ClaimOutcome::Rejected, &[])).await,
        Code::InvalidArgument,
        "reason",
    );
    refused(
        court.appeal.decide_appeal(decision("other-month", pb::ClaimOutcome::Upheld, &["2026-11"])).await,
        Code::InvalidArgument,
        "not one of the claimed months",
    );

    // The last day is still in time; the day after, the appeal is overdue.
    clock.set(at("2027-05-30T23:59:59Z"));
    assert_eq!(her_claim(&mut her, &worker_id, claim_seq).await.state, "appealed");
    clock.set(at("2027-05-31T00:00:01Z"));
    assert_eq!(her_claim(&mut her, &worker_id, claim_seq).await.state, "appeal overdue");
    let mut auditor = server.clients("auditor").await;
    let appeals = |row: &pb::AccountabilityRow| {
        (row.appealed, row.appeals_decided, row.overturned, row.appeals_overdue)
    };
    assert_eq!(
        appeals(&accountability(&mut auditor).await),
        (1, 0, 0, 1),
        "one appeal, undecided past its day"
    );

    let decided = court.appeal.decide_appeal(upheld("decision-1")).await.expect("upheld").into_inner();
    assert_eq!(decided.receipts.len(), 3, "the decision and the two months it recorded");
    refused(
        court.appeal.decide_appeal(upheld("decision-2")).await,
        Code::FailedPrecondition,
        "was decided at seq",
    );
    let view = her_claim(&mut her, &worker_id, claim_seq).await;
    assert_eq!(view.state, "upheld on appeal");
    let appeal_view = view.appeal.expect("the appeal");
    assert_eq!(appeal_view.decision_seq, Some(decided.receipts[0].seq));
    assert_eq!(
        (appeal_view.outcome, appeal_view.contributions_recorded),
        (pb::ClaimOutcome::Upheld as i32, 2)
    );
    assert!(appeals_to(&mut court, true).await.is_empty(), "no appeal left open");
    assert_eq!(
        appeals(&accountability(&mut auditor).await),
        (1, 1, 1, 0),
        "the agency's rejection overturned"
    );
    assert_eq!(appeals_to(&mut court, false).await.len(), 1);

    // Her Saudi months now hold the two the appeal recorded.
    let balance = her
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: worker_id.clone(),
            as_of_seq: None,
            ..Default::default()
        })
        .await
        .expect("balance")
        .into_inner();
    let saudi_months: u32 = balance
        .lines
        .iter()
        .filter(|line| line.jurisdiction == "SA" && line.branch == pb::Branch::OldAge as i32)
        .map(|line| line.own_months)
        .sum();
    assert_eq!(saudi_months, 4, "July and October recorded, August and September upheld on appeal");

    // The Philippine agency follows her claim from home and sees its appeal.
    let request = pb::ListClaimsRequest { of_our_workers: true, ..Default::default() };
    let followed = philippines.agency.list_claims(request).await.expect("listed").into_inner().claims;
    let followed = followed.iter().find(|claim| claim.claim_seq == claim_seq).expect("her claim followed");
    assert_eq!(followed.state, "upheld on appeal");

    // Her portable statement proves the appeal and its decision offline, with the log's key alone.
    let ledger = |args: &[&str]| {
        let output =
            std::process::Command::new(env!("CARGO_BIN_EXE_ledger")).args(args).output().expect("runs");
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let file = server.dir.path().join("statement.json");
    let file = file.to_str().expect("utf-8");
    let address = server.server.address.to_string();
    let token = worker_token.as_str();
    ledger(&[
        "worker",
        "statement",
        "--worker",
        &worker_id,
        "--out",
        file,
        "--server",
        &address,
        "--token",
        token,
    ]);
    let data_dir = common::data_dir(&server.dir);
    let key = ledger(&["key", "show", "--data-dir", data_dir.to_str().expect("utf-8")]);
    let verified = ledger(&["statement", "verify", file, "--key", key.trim()]);
    let line = format!(
        "claim {claim_seq} to SA for 2 month(s) from 2026-08: rejected on 2027-03-01; appealed to sa-labour-court, \
         upheld on appeal on 2027-05-31"
    );
    assert!(verified.contains(&line), "{verified}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn her_organisation_and_her_origins_agency_appeal_for_her_and_a_rejection_stands() {
    let clock = ledger_store::Clock::manual(at("2027-03-01T10:00:00Z"));
    let server = TestServer::start_with_clock(clock).await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut union = server.clients("union-sa-dwu").await;
    let mut court = server.clients("sa-labour-court").await;
    let (worker_id, _, mut her) = worker_in_saudi_arabia(&server, "owwa-2027-0003", &["2026-06"]).await;
    let first = rejected_claim(&mut her, &mut saudi, "first", &worker_id, &["2026-07"]).await;
    let second = rejected_claim(&mut her, &mut saudi, "second", &worker_id, &["2026-08"]).await;

    // Without her consent the union may not; with it, it appeals.
    refused(
        union.worker.appeal_claim(appeal("union-1", first)).await,
        Code::PermissionDenied,
        "holds no consent",
    );
    let consent = pb::ChangeConsentRequest {
        request_id: "consent-1".into(),
        organisation: "union-sa-dwu".into(),
        granted: true,
    };
    her.worker.change_consent(consent).await.expect("consent given");
    let appealed = union.worker.appeal_claim(appeal("union-2", first)).await.expect("appealed").into_inner();
    assert_eq!(appealed.appeal_body, "sa-labour-court");

    // Her origin's agency appeals once she lives in the Philippines again.
    let home = pb::RecordResidenceChangeRequest {
        request_id: "home-1".into(),
        worker_id: worker_id.clone(),
        country: "PH".into(),
        from_month: "2027-02".into(),
    };
    philippines.agency.record_residence_change(home).await.expect("she is home");
    philippines.worker.appeal_claim(appeal("owwa-appeal-1", second)).await.expect("appealed from home");
    let views: Vec<pb::ClaimView> = appeals_to(&mut court, true).await;
    let via: Vec<(u64, &str)> = views
        .iter()
        .map(|claim| (claim.claim_seq, claim.appeal.as_ref().map_or("?", |appeal| appeal.filed_via.as_str())))
        .collect();
    assert_eq!(via, [(first, ""), (second, "PH")]);
    // Appealed and undecided, the claim is open to the union that follows it.
    let open = pb::ListClaimsRequest { open_only: true, ..Default::default() };
    let open = union.agency.list_claims(open).await.expect("listed").into_inner().claims;
    assert_eq!(open.iter().map(|claim| claim.claim_seq).collect::<Vec<_>>(), [first]);

    // Rejected on appeal, with a reason: the agency's answer stands.
    let rejection = pb::DecideAppealRequest {
        request_id: "decision-1".into(),
        claim_seq: first,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "the household employed her from August only".into(),
        contributions: vec![],
    };
    court.appeal.decide_appeal(rejection).await.expect("rejected");
    let view = her_claim(&mut her, &worker_id, first).await;
    assert_eq!(view.state, "rejected on appeal");
    assert_eq!(view.appeal.expect("the appeal").reason, "the household employed her from August only");
    // The union follows the claim it appealed for her, though she filed it herself.
    let followed =
        union.agency.list_claims(pb::ListClaimsRequest::default()).await.expect("listed").into_inner();
    let followed: Vec<(u64, &str)> =
        followed.claims.iter().map(|claim| (claim.claim_seq, claim.state.as_str())).collect();
    assert_eq!(followed, [(first, "rejected on appeal")]);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_that_name_no_appeal_body_take_no_appeal() {
    let server = TestServer::start().await;
    let mut saudi = server.clients("agency-sa").await;
    let (worker_id, worker_token, mut her) =
        worker_in_saudi_arabia(&server, "owwa-2027-0004", &["2026-06"]).await;
    let claim_seq = rejected_claim(&mut her, &mut saudi, "first", &worker_id, &["2026-07"]).await;

    // The same rules, but Saudi Arabia's entry names no appeal body.
    let (dir, tokens) = server.stop().await;
    let without = ledger_rules::SAMPLE_RULES_TOML
        .replace("appeal_body = \"sa-labour-court\"\n", "")
        .replace("version = \"2027-01\"", "version = \"2027-01-no-appeals\"");
    assert_ne!(without, ledger_rules::SAMPLE_RULES_TOML);
    let path = dir.path().join("rules-without-appeals.toml");
    std::fs::write(&path, without).expect("rules written");
    let config = ledger_server::ServeConfig {
        rules: ledger_server::RulesSource::File(path),
        ..common::serve_config(common::data_dir(&dir), common::principals_file(&dir))
    };
    let running = ledger_server::start(config).await.expect("started");
    let server = TestServer { server: running, dir, tokens };
    let mut her = common::as_worker(&server, &worker_token).await;
    refused(
        her.worker.appeal_claim(appeal("appeal-1", claim_seq)).await,
        Code::FailedPrecondition,
        "name no appeal body for SA",
    );
    server.stop().await;
}
