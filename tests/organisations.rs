//! Workers' organisations (issue 19): a worker gives a union registered in Saudi Arabia her
//! consent to file and follow her claims; with it, and only while it holds, the union files a
//! claim for her; it never reads her record; nobody else gives or takes back her consent. Over
//! real gRPC, against a real store.

mod common;

use common::{as_worker, enroll_with_credential, TestServer};
use ledger_proto::v1 as pb;
use tonic::Code;

const UNION: &str = "union-sa-dwu";

fn consent(request_id: &str, organisation: &str, granted: bool) -> pb::ChangeConsentRequest {
    pb::ChangeConsentRequest { request_id: request_id.into(), organisation: organisation.into(), granted }
}

fn wages_claim(request_id: &str, worker: &str) -> pb::FileClaimRequest {
    pb::FileClaimRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        jurisdiction: "SA".into(),
        employer_ref: "SA-HH-0917".into(),
        months: vec!["2026-01".into(), "2026-02".into()],
        kind: pb::ClaimKind::UnpaidWages as i32,
        amount_minor: Some(300_000),
        evidence_sha256: vec![4; 32],
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_organisation_files_her_claims_only_with_her_consent_and_never_reads_her_record() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-0077", "PH").await;
    let worker = enrolled.worker_id.clone();
    // Two months as a domestic worker in Saudi Arabia: a record there to claim against.
    let mut saudi = server.clients("agency-sa").await;
    let contributions = ["2025-11", "2025-12"]
        .map(|month| common::contribution_from("SA-HH-0917", &worker, "SA", "SAR", month, 150_000));
    let request = pb::RecordContributionsRequest {
        request_id: "gosi-1".into(),
        contributions: contributions.to_vec(),
        ..Default::default()
    };
    saudi.agency.record_contributions(request).await.expect("recorded");

    let mut union = server.clients(UNION).await;
    let refused = union.worker.file_claim(wages_claim("union-1", &worker)).await.expect_err("no consent yet");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");

    // She gives her consent; giving it twice is refused, as is consent to no organisation, or to
    // an agency.
    let mut her = as_worker(&server, &enrolled.worker_token).await;
    let given =
        her.worker.change_consent(consent("consent-1", UNION, true)).await.expect("given").into_inner();
    let given_at = given.receipt.expect("receipt").seq;
    let again = her.worker.change_consent(consent("consent-2", UNION, true)).await.expect_err("held already");
    assert_eq!(again.code(), Code::FailedPrecondition);
    for (request_id, nobody) in [("consent-3", "union-xx-none"), ("consent-4", "agency-sa")] {
        let refused = her.worker.change_consent(consent(request_id, nobody, true)).await.expect_err(nobody);
        assert_eq!(refused.code(), Code::NotFound, "{nobody}: {refused:?}");
    }
    let malformed =
        her.worker.change_consent(consent("consent-5", "Not An Id", true)).await.expect_err("malformed");
    assert_eq!(malformed.code(), Code::InvalidArgument);
    // Nobody but her gives or takes back her consent.
    let refused =
        saudi.worker.change_consent(consent("gosi-consent", UNION, false)).await.expect_err("an agency");
    assert_eq!(refused.code(), Code::PermissionDenied);
    let refused =
        union.worker.change_consent(consent("union-consent", UNION, true)).await.expect_err("the union");
    assert_eq!(refused.code(), Code::PermissionDenied);

    // With it, the union files her claim for unpaid wages; a union she has not trusted cannot.
    let filed = union.worker.file_claim(wages_claim("union-2", &worker)).await.expect("filed").into_inner();
    let claim_seq = filed.receipt.expect("receipt").seq;
    let mut other_union = server.clients("union-es-migrantes").await;
    let refused = other_union.worker.file_claim(wages_claim("es-1", &worker)).await.expect_err("no consent");
    assert_eq!(refused.code(), Code::PermissionDenied);

    // It reads nothing of her record: not her balance, not her statement.
    let balance = pb::GetBalanceRequest { worker_id: worker.clone(), ..Default::default() };
    assert_eq!(
        union.worker.get_balance(balance).await.expect_err("no reading").code(),
        Code::PermissionDenied
    );
    let statement = pb::GetStatementRequest { worker_id: worker.clone(), ..Default::default() };
    assert_eq!(
        union.worker.get_statement(statement).await.expect_err("no reading").code(),
        Code::PermissionDenied
    );

    // Her statement shows whom she trusted, and the claim the union filed for her, as recorded by
    // the union.
    let statement = pb::GetStatementRequest { worker_id: worker.clone(), ..Default::default() };
    let entries = her.worker.get_statement(statement).await.expect("her statement").into_inner().entries;
    let consented = entries.iter().find(|entry| entry.receipt.as_ref().is_some_and(|r| r.seq == given_at));
    match consented.and_then(|entry| entry.event.clone()).and_then(|event| event.kind) {
        Some(pb::event::Kind::ConsentChanged(change)) => {
            assert_eq!(
                (change.organisation.as_str(), change.registered_in.as_str(), change.granted),
                (UNION, "SA", true)
            );
        }
        other => panic!("the consent on her statement: {other:?}"),
    }
    let claim = entries.iter().find(|entry| entry.receipt.as_ref().is_some_and(|r| r.seq == claim_seq));
    assert_eq!(claim.map(|entry| entry.principal.as_str()), Some(UNION));

    // The union follows the claim it filed, and sees where it stands.
    let follow = || pb::ListClaimsRequest::default();
    let listed = union.agency.list_claims(follow()).await.expect("its claims").into_inner().claims;
    let states: Vec<(u64, &str, &str)> = listed
        .iter()
        .map(|claim| (claim.claim_seq, claim.worker_id.as_str(), claim.state.as_str()))
        .collect();
    assert_eq!(states, [(claim_seq, worker.as_str(), "open")]);
    let mut saudi_clients = server.clients("agency-sa").await;
    let rejected = pb::ResolveClaimRequest {
        request_id: "gosi-resolve-1".into(),
        claim_seq,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "wages paid in cash; receipts shown".into(),
        contributions: vec![],
    };
    saudi_clients.agency.resolve_claim(rejected).await.expect("answered");
    let listed = union.agency.list_claims(follow()).await.expect("its claims").into_inner().claims;
    assert_eq!(listed.iter().map(|claim| claim.state.as_str()).collect::<Vec<_>>(), ["rejected"]);
    // Another organisation follows none of it.
    let none = other_union.agency.list_claims(follow()).await.expect("its claims").into_inner().claims;
    assert!(none.is_empty());

    // She takes it back: the union can file no more, and follows her claims no more; taking back
    // what is not held is refused.
    her.worker.change_consent(consent("consent-6", UNION, false)).await.expect("taken back");
    let refused =
        union.worker.file_claim(wages_claim("union-3", &worker)).await.expect_err("consent taken back");
    assert_eq!(refused.code(), Code::PermissionDenied);
    let again = her.worker.change_consent(consent("consent-7", UNION, false)).await.expect_err("not held");
    assert_eq!(again.code(), Code::FailedPrecondition);

    // The union leaves the ledger; her take-back, retried, is answered as it was the first time.
    ledger_server::principals::remove(&common::principals_file(&server.dir), UNION).expect("removed");
    server.server.reload_principals().expect("reloaded");
    let retried = her.worker.change_consent(consent("consent-6", UNION, false)).await.expect("a retry");
    assert!(retried.into_inner().receipt.expect("receipt").replayed, "the same request, replayed");
    server.server.stop().await.expect("stopped");
}

/// A domestic workers' union files one claim of unpaid wages for four workers of the same
/// employer, each with her consent: the four claims are one write of the union's; a group with a
/// worker who has not consented, or the same worker twice, is refused whole and changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_claim_files_every_workers_claim_or_none() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut workers = Vec::new();
    for index in 0..5 {
        let enrolled = enroll_with_credential(&mut philippines, &format!("owwa-group-{index}"), "PH").await;
        let paid =
            common::contribution_from("SA-B-7001", &enrolled.worker_id, "SA", "SAR", "2025-12", 300_000);
        let request = pb::RecordContributionsRequest {
            request_id: format!("gosi-group-{index}"),
            contributions: vec![paid],
            ..Default::default()
        };
        saudi.agency.record_contributions(request).await.expect("recorded");
        // The first four give the union their consent; the fifth does not.
        if index < 4 {
            let mut her = as_worker(&server, &enrolled.worker_token).await;
            her.worker
                .change_consent(consent(&format!("consent-{index}"), UNION, true))
                .await
                .expect("given");
        }
        workers.push(enrolled.worker_id);
    }
    let group = |request_id: &str, members: &[&str]| pb::FileGroupClaimRequest {
        request_id: request_id.into(),
        jurisdiction: "SA".into(),
        employer_ref: "SA-B-7001".into(),
        kind: pb::ClaimKind::UnpaidWages as i32,
        evidence_sha256: vec![6; 32],
        members: members
            .iter()
            .map(|worker| pb::GroupClaimMember {
                worker_id: (*worker).into(),
                months: vec!["2025-11".into(), "2025-12".into()],
                amount_minor: Some(600_000),
            })
            .collect(),
    };
    let mut union = server.clients(UNION).await;
    let mut auditor = server.clients("auditor").await;
    let before = common::head_size(&mut auditor).await;

    let names: Vec<&str> = workers.iter().map(String::as_str).collect();
    let refused =
        union.worker.file_group_claim(group("group-1", &names)).await.expect_err("the fifth did not consent");
    assert_eq!(refused.code(), Code::PermissionDenied, "{refused:?}");
    assert!(refused.message().contains(&workers[4]), "{}", refused.message());
    assert!(
        refused.message().starts_with("members[4]: "),
        "the member refused is named: {}",
        refused.message()
    );
    let twice = [names[0], names[1], names[0]];
    let refused =
        union.worker.file_group_claim(group("group-2", &twice)).await.expect_err("the same worker twice");
    assert_eq!(refused.code(), Code::InvalidArgument);
    let refused =
        union.worker.file_group_claim(group("group-3", &names[..1])).await.expect_err("one is no group");
    assert_eq!(refused.code(), Code::InvalidArgument);
    // An agency files claims one by one; a group is an organisation's.
    let refused =
        saudi.worker.file_group_claim(group("gosi-group", &names[..2])).await.expect_err("an agency");
    assert_eq!(refused.code(), Code::PermissionDenied);
    assert_eq!(common::head_size(&mut auditor).await, before, "nothing refused was written");

    let filed =
        union.worker.file_group_claim(group("group-4", &names[..4])).await.expect("filed").into_inner();
    let seqs: Vec<u64> = filed.receipts.iter().map(|receipt| receipt.seq).collect();
    assert_eq!(seqs, (before..before + 4).collect::<Vec<_>>(), "one write, in the request's order");
    // Retried, the same claims, not four more.
    let again =
        union.worker.file_group_claim(group("group-4", &names[..4])).await.expect("replayed").into_inner();
    assert_eq!(again.receipts.iter().map(|receipt| receipt.seq).collect::<Vec<_>>(), seqs);
    // On the chain: four claims of one request of the union, one per worker.
    let events = common::read_all(&mut auditor, before).await;
    let claimants: Vec<String> = events
        .iter()
        .map(|stored| {
            let record = ledger_core::Record::decode(&stored.record).expect("a record");
            assert_eq!((record.principal.as_str(), record.request_id.as_str()), (UNION, "group-4"));
            match record.event {
                ledger_core::Event::ClaimFiled(claim) => claim.worker_id.to_string(),
                other => panic!("a claim, not {other:?}"),
            }
        })
        .collect();
    assert_eq!(claimants, names[..4]);
    // The union follows all four; the Saudi agency has them to answer.
    let listed =
        union.agency.list_claims(pb::ListClaimsRequest::default()).await.expect("its claims").into_inner();
    assert_eq!(listed.claims.len(), 4);
    let addressed =
        saudi.agency.list_claims(pb::ListClaimsRequest::default()).await.expect("its claims").into_inner();
    assert_eq!(addressed.claims.iter().filter(|claim| seqs.contains(&claim.claim_seq)).count(), 4);

    // From the command line, with the union's token and a file of its members.
    let dir = tempfile::tempdir().expect("temporary directory");
    let (members, evidence) = (dir.path().join("members.txt"), dir.path().join("payroll.pdf"));
    let lines = format!("# worker;months;amount\n{};2025-10;300000\n{};2025-10;\n", workers[0], workers[1]);
    std::fs::write(&members, lines).expect("written");
    std::fs::write(&evidence, b"the payroll of October").expect("written");
    let path = |path: &std::path::Path| path.to_str().expect("utf-8").to_owned();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
        .args(["worker", "group-claim", "--jurisdiction", "SA", "--employer", "SA-B-7001"])
        .args(["--members", &path(&members), "--evidence", &path(&evidence)])
        .args(["--server", &server.server.address.to_string(), "--token", &server.tokens[UNION]])
        .output()
        .expect("runs");
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}{}", String::from_utf8_lossy(&output.stderr));
    assert!(printed.contains("group claim of 2 workers filed in one write:"), "{printed}");
    assert!(printed.contains(&workers[1]), "{printed}");
    server.server.stop().await.expect("stopped");
}
