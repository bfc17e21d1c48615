//! A claim's life over gRPC, on a clock the test moves: a domestic worker's claim for months her
//! employer in Saudi Arabia never remitted, filed in the destination, followed up by the
//! Philippine agency after she goes home, overdue after the days the rules give, upheld late with
//! the missing contributions, and never resolved twice. Figures are illustrative.

mod common;

use chrono::{DateTime, Utc};
use common::{contribution, head_size, TestServer};
use ledger_client::grpc::{self as client, Clients};
use ledger_proto::v1 as pb;
use tonic::Code;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).expect("a time").to_utc()
}

fn claim_request(request_id: &str, worker: &str, to: &str, months: &[&str]) -> pb::FileClaimRequest {
    pb::FileClaimRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        jurisdiction: to.into(),
        employer_ref: "SA-HH-0917".into(),
        months: months.iter().map(|month| month.to_string()).collect(),
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: Some(3 * 27_000),
        evidence_sha256: ledger_core::sha256(b"payslips July to September 2026").to_vec(),
    }
}

async fn claims_of(clients: &mut Clients, of_our_workers: bool) -> Vec<pb::ClaimView> {
    let request = pb::ListClaimsRequest { open_only: false, of_our_workers, ..Default::default() };
    clients.agency.list_claims(request).await.expect("claims listed").into_inner().claims
}

async fn accountability(clients: &mut Clients) -> pb::AccountabilityRow {
    let request = pb::GetAccountabilityReportRequest {
        jurisdiction: "SA".into(),
        from_date: "2027-01-01".into(),
        to_date: "2027-12-31".into(),
    };
    let report = clients.audit.get_accountability_report(request).await.expect("report").into_inner();
    assert_eq!(report.rows.len(), 1, "one row for the one agency asked about");
    report.rows[0].clone()
}

fn refused<T: std::fmt::Debug>(result: Result<tonic::Response<T>, tonic::Status>, code: Code, says: &str) {
    let status = result.expect_err("refused");
    assert_eq!(status.code(), code, "{}", status.message());
    assert!(status.message().contains(says), "{:?} does not say {says:?}", status.message());
}

#[tokio::test]
async fn a_claim_filed_abroad_is_followed_from_home_goes_overdue_and_is_upheld_once() {
    // The last half hour of January: the 90 days Saudi Arabia's agency has (sample rules) run
    // through the end of February (28 days in 2027), March and April, and end on 1 May.
    let clock = ledger_store::Clock::manual(at("2027-01-31T23:30:00Z"));
    let server = TestServer::start_with_clock(clock.clone()).await;
    let address = server.server.address.to_string();
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut spain = server.clients("agency-es").await;
    let mut auditor = server.clients("auditor").await;

    let enrolled = philippines
        .agency
        .enroll_worker(pb::EnrollWorkerRequest {
            request_id: "owwa-2026-0001".into(),
            origin_jurisdiction: "PH".into(),
            sex: pb::Sex::Female as i32,
            birth_month: "1990-05".into(),
        })
        .await
        .expect("enrolled")
        .into_inner();
    let worker = enrolled.worker_id.clone();
    let months: Vec<String> = (1..=6).map(|month| format!("2026-{month:02}")).collect();
    let paid = months.iter().map(|month| contribution(&worker, "SA", "SAR", month, 270_000)).collect();
    saudi
        .agency
        .record_contributions(pb::RecordContributionsRequest {
            request_id: "gosi-1".into(),
            contributions: paid,
            ..Default::default()
        })
        .await
        .expect("six months recorded");

    // She files in the destination, with her own credential, for the months never remitted.
    let mut herself = client::connect(&address, &enrolled.worker_token).await.expect("connected");
    let wanted = ["2026-09", "2026-07", "2026-08"];
    let filed = herself
        .worker
        .file_claim(claim_request("claim-1", "", "SA", &wanted))
        .await
        .expect("filed")
        .into_inner();
    let first = filed.receipt.expect("receipt").seq;
    assert_eq!(filed.respond_by, "2027-05-01");

    // Refused, and nothing appended: a claim to a country she never worked in, a claim by an
    // agency with no standing, a worker filing for someone else, a month named twice.
    let size = head_size(&mut auditor).await;
    refused(
        herself.worker.file_claim(claim_request("claim-es", "", "ES", &["2026-07"])).await,
        Code::FailedPrecondition,
        "has no record in ES",
    );
    refused(
        spain.worker.file_claim(claim_request("claim-by-es", &worker, "SA", &["2026-07"])).await,
        Code::PermissionDenied,
        "agency of ES",
    );
    refused(
        philippines.worker.file_claim(claim_request("claim-too-early", &worker, "SA", &["2026-10"])).await,
        Code::PermissionDenied,
        "origin once they live there again",
    );
    let other = common::enroll(&mut philippines, "owwa-2026-0002", "PH").await;
    refused(
        herself.worker.file_claim(claim_request("claim-other", &other, "PH", &["2026-07"])).await,
        Code::PermissionDenied,
        "only for their own record",
    );
    refused(
        herself.worker.file_claim(claim_request("claim-twice", "", "SA", &["2026-07", "2026-07"])).await,
        Code::InvalidArgument,
        "2026-07 is named twice",
    );
    assert_eq!(head_size(&mut auditor).await, size + 1, "only the other worker's enrolment was added");

    // She goes home in March; the Philippine agency records it and follows the claim up, filing a
    // second one on her behalf for deductions the employer kept. Both stay addressed to SA.
    clock.set(at("2027-03-15T08:00:00Z"));
    philippines
        .agency
        .record_residence_change(pb::RecordResidenceChangeRequest {
            request_id: "owwa-return-1".into(),
            worker_id: worker.clone(),
            country: "PH".into(),
            from_month: "2027-03".into(),
        })
        .await
        .expect("residence recorded");
    let mut deductions = claim_request("claim-2", &worker, "SA", &["2026-10", "2026-11", "2026-12"]);
    deductions.kind = pb::ClaimKind::UnremittedDeduction as i32;
    let second = philippines.worker.file_claim(deductions).await.expect("filed from home").into_inner();
    assert_eq!(second.respond_by, "2027-06-13", "15 March and 90 days");
    let second = second.receipt.expect("receipt").seq;

    let followed = claims_of(&mut philippines, true).await;
    let seen: Vec<(u64, &str, &str, &str)> = followed
        .iter()
        .map(|claim| {
            (claim.claim_seq, claim.addressed_to.as_str(), claim.filed_via.as_str(), claim.state.as_str())
        })
        .collect();
    assert_eq!(seen, [(first, "SA", "", "open"), (second, "SA", "PH", "open")]);
    assert!(claims_of(&mut philippines, false).await.is_empty(), "none is addressed to PH");
    let balance = philippines
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: worker.clone(),
            as_of_seq: None,
            ..Default::default()
        })
        .await
        .expect("balance")
        .into_inner();
    assert_eq!(balance.residence, "PH");
    assert_eq!(balance.claims.len(), 2, "the claims survive her move home");
    assert_eq!(balance.claims[0].months, ["2026-07", "2026-08", "2026-09"]);

    // On 1 May the first claim is still within its time; on 2 May it is overdue.
    clock.set(at("2027-05-01T23:59:59Z"));
    assert_eq!(claims_of(&mut saudi, false).await[0].state, "open");
    assert_eq!(accountability(&mut auditor).await.overdue, 0);
    clock.set(at("2027-05-02T00:00:01Z"));
    let listed = claims_of(&mut saudi, false).await;
    assert_eq!((listed[0].claim_seq, listed[0].state.as_str()), (first, "overdue"));
    assert_eq!((listed[1].claim_seq, listed[1].state.as_str()), (second, "open"));
    let row = accountability(&mut auditor).await;
    assert_eq!((row.received, row.resolved, row.overdue), (2, 0, 1));

    // Only the addressed agency answers, for the claimed months, with a reason to reject.
    let upheld = |request_id: &str, months: &[&str]| pb::ResolveClaimRequest {
        request_id: request_id.into(),
        claim_seq: first,
        outcome: pb::ClaimOutcome::Upheld as i32,
        reason: String::new(),
        contributions: months
            .iter()
            .map(|month| contribution(&worker, "SA", "SAR", month, 270_000))
            .collect(),
    };
    let size = head_size(&mut auditor).await;
    refused(
        philippines.agency.resolve_claim(upheld("ph-answers", &wanted)).await,
        Code::PermissionDenied,
        "addressed to SA",
    );
    refused(
        saudi.agency.resolve_claim(upheld("wrong-month", &["2026-07", "2026-10"])).await,
        Code::InvalidArgument,
        "contributions[1].month",
    );
    refused(
        saudi.agency.resolve_claim(upheld("nothing", &[])).await,
        Code::InvalidArgument,
        "records the contributions",
    );
    let no_reason = pb::ResolveClaimRequest {
        request_id: "no-reason".into(),
        claim_seq: second,
        outcome: pb::ClaimOutcome::Rejected as i32,
        ..Default::default()
    };
    refused(saudi.agency.resolve_claim(no_reason).await, Code::InvalidArgument, "reason");
    assert_eq!(head_size(&mut auditor).await, size, "refused answers append nothing");

    // Upheld: the resolution and the three contributions in one write, seqs in a row.
    let receipts = saudi
        .agency
        .resolve_claim(upheld("gosi-claim-1", &wanted))
        .await
        .expect("upheld")
        .into_inner()
        .receipts;
    let seqs: Vec<u64> = receipts.iter().map(|receipt| receipt.seq).collect();
    assert_eq!(seqs, [size, size + 1, size + 2, size + 3]);
    let again =
        saudi.agency.resolve_claim(upheld("gosi-claim-1", &wanted)).await.expect("a retry").into_inner();
    assert!(again.receipts.iter().all(|receipt| receipt.replayed), "a retry is answered from the record");
    refused(
        saudi.agency.resolve_claim(upheld("gosi-claim-1b", &wanted)).await,
        Code::FailedPrecondition,
        "already resolved (upheld)",
    );
    let rejection = pb::ResolveClaimRequest {
        request_id: "gosi-claim-2".into(),
        claim_seq: second,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "the deductions were remitted under another employer reference".into(),
        contributions: vec![],
    };
    saudi.agency.resolve_claim(rejection.clone()).await.expect("rejected");
    refused(
        saudi.agency.resolve_claim(pb::ResolveClaimRequest { request_id: "again".into(), ..rejection }).await,
        Code::FailedPrecondition,
        "already resolved (rejected)",
    );

    // Her balance now counts nine months in Saudi Arabia and shows how each claim ended.
    let balance = herself
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: worker.clone(),
            as_of_seq: None,
            ..Default::default()
        })
        .await
        .expect("balance")
        .into_inner();
    let saudi_line = balance.lines.iter().find(|line| line.jurisdiction == "SA").expect("an SA line");
    assert_eq!(saudi_line.own_months, 9);
    let states: Vec<(&str, Option<u32>)> =
        balance.claims.iter().map(|claim| (claim.state.as_str(), claim.days_to_resolve)).collect();
    // 31 January to 2 May is 91 days; 15 March to 2 May is 48.
    assert_eq!(states, [("upheld", Some(91)), ("rejected", Some(48))]);

    let row = accountability(&mut auditor).await;
    let figures = (row.received, row.resolved, row.upheld, row.rejected, row.overdue, row.resolved_late);
    assert_eq!(figures, (2, 2, 1, 1, 0, 1));
    // Nearest rank over [48, 91]: the median is the first value, the 90th percentile the second.
    assert_eq!((row.median_days, row.p90_days), (Some(48), Some(91)));

    // The statement carries the claim and its answer as events of her record.
    let statement = herself
        .worker
        .get_statement(pb::GetStatementRequest {
            min_seq: None,
            worker_id: worker.clone(),
            from_seq: 0,
            limit: 0,
        })
        .await
        .expect("statement")
        .into_inner();
    let kinds: Vec<&str> = statement
        .entries
        .iter()
        .filter_map(|entry| match entry.event.as_ref().and_then(|event| event.kind.as_ref()) {
            Some(pb::event::Kind::ClaimFiled(_)) => Some("filed"),
            Some(pb::event::Kind::ClaimResolved(_)) => Some("resolved"),
            _ => None,
        })
        .collect();
    assert_eq!(kinds, ["filed", "filed", "resolved", "resolved"]);
    server.server.stop().await.expect("stopped");
}

/// A worker from the Philippines with one Saudi contribution: her id, her own clients, and the
/// Saudi agency's.
async fn worker_in_saudi_arabia(server: &TestServer) -> (String, Clients, Clients) {
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let enrolled = common::enroll_with_credential(&mut philippines, "enrol-1", "PH").await;
    let paid = vec![contribution(&enrolled.worker_id, "SA", "SAR", "2024-01", 270_000)];
    let request = pb::RecordContributionsRequest {
        request_id: "gosi-1".into(),
        contributions: paid,
        ..Default::default()
    };
    saudi.agency.record_contributions(request).await.expect("recorded");
    let address = server.server.address.to_string();
    let herself = client::connect(&address, &enrolled.worker_token).await.expect("connected");
    (enrolled.worker_id, herself, saudi)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_has_at_most_the_named_number_of_open_claims() {
    let server = TestServer::start().await;
    let (_, mut herself, mut saudi) = worker_in_saudi_arabia(&server).await;
    let most = ledger_store::OPEN_CLAIMS_PER_WORKER_MAX;
    for index in 0..most {
        let month = format!("{}-{:02}", 2015 + index / 12, index % 12 + 1);
        herself
            .worker
            .file_claim(claim_request(&format!("claim-{index}"), "", "SA", &[&month]))
            .await
            .unwrap_or_else(|status| panic!("claim {index}: {status:?}"));
    }
    refused(
        herself.worker.file_claim(claim_request("claim-over", "", "SA", &["2024-02"])).await,
        Code::FailedPrecondition,
        &format!("{most} open claims"),
    );
    // Once one is answered, she may file again.
    let first = claims_of(&mut saudi, false).await[0].claim_seq;
    saudi
        .agency
        .resolve_claim(pb::ResolveClaimRequest {
            request_id: "answer-1".into(),
            claim_seq: first,
            outcome: pb::ClaimOutcome::Rejected as i32,
            reason: "no employment that month".into(),
            contributions: Vec::new(),
        })
        .await
        .expect("answered");
    herself
        .worker
        .file_claim(claim_request("claim-after", "", "SA", &["2024-02"]))
        .await
        .expect("room for one more");
    server.stop().await;
}

/// Every claim of a long queue is read exactly once, in order, page by page: ListClaims (all, and
/// open only) and the claims of her balance.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_and_balances_come_in_pages() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let (worker, mut herself, mut saudi) = worker_in_saudi_arabia(&server).await;

    // 100 claims, 30 of them answered, then 30 more: 130 in all, 100 open.
    let mut filed = Vec::new();
    let file = async |index: usize, herself: &mut Clients| {
        let month = format!("{}-{:02}", 2012 + index / 12, index % 12 + 1);
        let request = claim_request(&format!("claim-{index}"), "", "SA", &[&month]);
        herself.worker.file_claim(request).await.expect("filed").into_inner().receipt.expect("receipt").seq
    };
    for index in 0..ledger_store::OPEN_CLAIMS_PER_WORKER_MAX {
        filed.push(file(index, &mut herself).await);
    }
    for (index, claim_seq) in filed.iter().take(30).enumerate() {
        let answer = pb::ResolveClaimRequest {
            request_id: format!("answer-{index}"),
            claim_seq: *claim_seq,
            outcome: pb::ClaimOutcome::Rejected as i32,
            reason: "no employment that month".into(),
            contributions: Vec::new(),
        };
        saudi.agency.resolve_claim(answer).await.expect("answered");
    }
    for index in 100..130 {
        filed.push(file(index, &mut herself).await);
    }
    let open: Vec<u64> = filed[30..].to_vec();

    // ListClaims, page by page, with a small limit and with the default one.
    let pages = async |agency: &mut Clients, open_only: bool, limit: u32| {
        let of_our_workers = false;
        let (mut seen, mut sizes, mut from_seq) = (Vec::new(), Vec::new(), 0);
        loop {
            let request = pb::ListClaimsRequest { min_seq: None, open_only, of_our_workers, from_seq, limit };
            let page = agency.agency.list_claims(request).await.expect("page").into_inner();
            sizes.push(page.claims.len());
            seen.extend(page.claims.iter().map(|claim| claim.claim_seq));
            match page.next_from_seq {
                Some(next) => from_seq = next,
                None => return (seen, sizes),
            }
        }
    };
    let (all, sizes) = pages(&mut saudi, false, 7).await;
    assert_eq!(all, filed);
    assert!(sizes.iter().all(|size| *size <= 7));
    let (all, sizes) = pages(&mut saudi, false, 0).await;
    assert_eq!(all, filed);
    assert_eq!(sizes, [100, 30], "the default page");
    let (open_seen, _) = pages(&mut saudi, true, 9).await;
    assert_eq!(open_seen, open);
    let (mut ours, mut from_seq) = (Vec::new(), 0);
    loop {
        let request = pb::ListClaimsRequest {
            min_seq: None,
            open_only: false,
            of_our_workers: true,
            from_seq,
            limit: 11,
        };
        let page = philippines.agency.list_claims(request).await.expect("page").into_inner();
        ours.extend(page.claims.iter().map(|claim| claim.claim_seq));
        match page.next_from_seq {
            Some(next) => from_seq = next,
            None => break,
        }
    }
    assert_eq!(ours, filed, "her origin follows them all, page by page");

    // Her balance carries a page of her claims at a time.
    let (mut seen, mut from_seq, mut pages_read) = (Vec::new(), 0, 0);
    loop {
        let request = pb::GetBalanceRequest {
            min_seq: None,
            worker_id: worker.clone(),
            as_of_seq: None,
            claims_from_seq: from_seq,
            claims_limit: 13,
        };
        let balance = herself.worker.get_balance(request).await.expect("balance").into_inner();
        assert!(balance.claims.len() <= 13);
        assert_eq!(balance.lines.len(), 1, "every page carries the whole balance");
        seen.extend(balance.claims.iter().map(|claim| claim.claim_seq));
        pages_read += 1;
        match balance.next_claims_from_seq {
            Some(next) => from_seq = next,
            None => break,
        }
    }
    assert_eq!(seen, filed);
    assert_eq!(pages_read, 10);
    let request = pb::GetBalanceRequest { worker_id: worker.clone(), ..Default::default() };
    let first = herself.worker.get_balance(request).await.expect("balance").into_inner();
    assert_eq!(first.claims.len(), 100, "the default page");
    assert_eq!(first.next_claims_from_seq, Some(filed[100]));
    server.stop().await;
}
