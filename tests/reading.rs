//! Reading follows purpose, not writes, checked cell by cell over real gRPC: for each reader of one
//! worker's record, which of her events the statement shows, which lines of her balance it shows
//! and with what, and which entitlements and claims.
//!
//! The worker comes from the Philippines and worked there, in Spain and in Saudi Arabia. Spain and
//! the Philippines have an agreement in force for old age (rules/sample.toml, illustrative); Saudi
//! Arabia has none with either.

mod common;

use common::{contribution, enroll_with_credential, TestServer};
use ledger_client::grpc::{self as client, Clients};
use ledger_proto::v1 as pb;
use tonic::Code;

/// What one reader sees of her statement: each event as its kind and the jurisdiction it is about.
async fn statement(clients: &mut Clients, worker_id: &str) -> Result<Vec<String>, tonic::Status> {
    let request =
        pb::GetStatementRequest { min_seq: None, worker_id: worker_id.to_owned(), from_seq: 0, limit: 0 };
    let statement = clients.worker.get_statement(request).await?.into_inner();
    Ok(statement.entries.iter().map(|entry| describe(entry.event.as_ref())).collect())
}

/// The statement as one reader sees it, read `limit` entries a page.
async fn paged(clients: &mut Clients, worker_id: &str, limit: u32) -> Vec<String> {
    let mut seen = Vec::new();
    let mut from_seq = 0;
    loop {
        let request =
            pb::GetStatementRequest { min_seq: None, worker_id: worker_id.to_owned(), from_seq, limit };
        let page = clients.worker.get_statement(request).await.expect("page").into_inner();
        assert!(page.entries.len() <= limit as usize);
        seen.extend(page.entries.iter().map(|entry| describe(entry.event.as_ref())));
        match page.next_from_seq {
            Some(next) => from_seq = next,
            None => return seen,
        }
    }
}

fn describe(event: Option<&pb::Event>) -> String {
    use pb::event::Kind;
    match event.and_then(|event| event.kind.as_ref()) {
        Some(Kind::WorkerEnrolled(e)) => format!("enrolled {}", e.enrolled_in),
        Some(Kind::ContributionRecorded(e)) => {
            let c = e.contribution.as_ref().expect("contribution");
            format!("contribution {} {}", c.jurisdiction, c.month)
        }
        Some(Kind::PeriodCredited(e)) => {
            format!("credit {}", e.period.as_ref().expect("period").jurisdiction)
        }
        Some(Kind::EntitlementGranted(e)) => format!("entitlement {}", e.jurisdiction),
        Some(Kind::ResidenceChanged(e)) => format!("residence {}", e.country),
        Some(Kind::ClaimFiled(e)) => format!("claim to {}", e.addressed_to),
        other => format!("{other:?}"),
    }
}

/// What one reader sees of her balance: each line as its jurisdiction, its own months, and whether
/// any amount is shown; then the entitlements' and the claims' jurisdictions, and her residence.
struct Seen {
    lines: Vec<(String, u32, bool, bool)>,
    entitlements: Vec<String>,
    claims: Vec<String>,
    residence: String,
}

async fn balance(clients: &mut Clients, worker_id: &str) -> Result<Seen, tonic::Status> {
    let request =
        pb::GetBalanceRequest { worker_id: worker_id.to_owned(), as_of_seq: None, ..Default::default() };
    let balance = clients.worker.get_balance(request).await?.into_inner();
    let minor = |money: &Option<pb::Money>| money.as_ref().map_or(0, |money| money.minor);
    Ok(Seen {
        lines: balance
            .lines
            .iter()
            .map(|line| {
                let amounts = [
                    &line.average_wage,
                    &line.independent,
                    &line.theoretical,
                    &line.pro_rata,
                    &line.payable,
                    &line.employer_paid,
                    &line.worker_paid,
                ];
                let any_amount = amounts.iter().any(|money| minor(money) != 0);
                (line.jurisdiction.clone(), line.own_months, any_amount, line.months_only)
            })
            .collect(),
        entitlements: balance.entitlements.iter().map(|e| e.jurisdiction.clone()).collect(),
        claims: balance.claims.iter().map(|claim| claim.addressed_to.clone()).collect(),
        residence: balance.residence,
    })
}

fn months(worker: &str, jurisdiction: &str, currency: &str, year: u32, wage: i64) -> Vec<pb::Contribution> {
    (1..=6)
        .map(|month| contribution(worker, jurisdiction, currency, &format!("{year}-{month:02}"), wage))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_reader_sees_what_its_purpose_needs_and_writing_widens_nothing() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let mut saudi = server.clients("agency-sa").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000501", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut herself =
        client::connect(&server.server.address.to_string(), &enrolled.worker_token).await.expect("connected");

    // Before Saudi Arabia holds any record of her, it reads nothing of it.
    let denied = statement(&mut saudi, &worker).await.expect_err("no record in SA");
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert_eq!(
        balance(&mut saudi, &worker).await.err().map(|status| status.code()),
        Some(Code::PermissionDenied)
    );

    let record = |request_id: &str, contributions| pb::RecordContributionsRequest {
        request_id: request_id.into(),
        contributions,
        ..Default::default()
    };
    let ph = record("sss-2019", months(&worker, "PH", "PHP", 2019, 1_800_000));
    philippines.agency.record_contributions(ph).await.expect("PH recorded");
    let es = record("tgss-2021", months(&worker, "ES", "EUR", 2021, 145_000));
    spain.agency.record_contributions(es).await.expect("ES recorded");
    let grant = pb::GrantEntitlementRequest {
        request_id: "sss-grant-1".into(),
        worker_id: worker.clone(),
        jurisdiction: "PH".into(),
        branch: pb::Branch::Maternity as i32,
        monthly_amount_minor: 500_000,
        currency: "PHP".into(),
        start_month: "2022-01".into(),
    };
    philippines.agency.grant_entitlement(grant).await.expect("granted");
    let claim = pb::FileClaimRequest {
        request_id: "claim-es-1".into(),
        worker_id: String::new(),
        jurisdiction: "ES".into(),
        employer_ref: "ES-EMP-0042".into(),
        months: vec!["2021-07".into()],
        kind: pb::ClaimKind::MissingContribution as i32,
        amount_minor: None,
        evidence_sha256: vec![7; 32],
    };
    herself.worker.file_claim(claim).await.expect("filed");

    // Saudi Arabia writes about her: one credited month, then a residence change.
    let credit = pb::CreditPeriodsRequest {
        request_id: "gosi-credit-1".into(),
        periods: vec![pb::CreditedPeriod {
            worker_id: worker.clone(),
            jurisdiction: "SA".into(),
            branch: pb::Branch::OldAge as i32,
            from_month: "2023-01".into(),
            to_month: "2023-01".into(),
            kind: pb::CreditKind::Other as i32,
        }],
    };
    saudi.agency.credit_periods(credit).await.expect("credited");
    let moved = pb::RecordResidenceChangeRequest {
        request_id: "gosi-residence-1".into(),
        worker_id: worker.clone(),
        country: "SA".into(),
        from_month: "2023-01".into(),
    };
    saudi.agency.record_residence_change(moved).await.expect("moved");

    // The statement, reader by reader.
    let contributions = |jurisdiction: &str, year: u32| -> Vec<String> {
        (1..=6).map(|month| format!("contribution {jurisdiction} {year}-{month:02}")).collect()
    };
    let mut whole = vec!["enrolled PH".to_owned()];
    whole.extend(contributions("PH", 2019));
    whole.extend(contributions("ES", 2021));
    whole.extend(["entitlement PH".to_owned(), "claim to ES".to_owned()]);
    whole.extend(["credit SA".to_owned(), "residence SA".to_owned()]);
    let mut of_ph = vec!["enrolled PH".to_owned()];
    of_ph.extend(contributions("PH", 2019));
    // Her origin follows her claims from home, wherever they are addressed.
    of_ph.extend(["entitlement PH".to_owned(), "claim to ES".to_owned()]);
    let mut of_es = contributions("ES", 2021);
    of_es.push("claim to ES".to_owned());
    let of_sa = vec!["credit SA".to_owned(), "residence SA".to_owned()];
    assert_eq!(statement(&mut herself, &worker).await.expect("her own"), whole);
    assert_eq!(statement(&mut philippines, &worker).await.expect("PH"), of_ph);
    assert_eq!(statement(&mut spain, &worker).await.expect("ES"), of_es);
    assert_eq!(statement(&mut saudi, &worker).await.expect("SA"), of_sa, "writing bought no reading");
    assert_eq!(paged(&mut philippines, &worker, 2).await, of_ph, "pages of a filtered statement");

    // The balance, reader by reader: (jurisdiction, own months, any amount shown, months only).
    let line = |jurisdiction: &str, months: u32, amounts: bool, months_only: bool| {
        (jurisdiction.to_owned(), months, amounts, months_only)
    };
    let hers = balance(&mut herself, &worker).await.expect("her own");
    assert_eq!(
        hers.lines,
        vec![line("ES", 6, true, false), line("PH", 6, true, false), line("SA", 1, false, false)]
    );
    assert_eq!(hers.entitlements, vec!["PH"]);
    assert_eq!(hers.claims, vec!["ES"]);
    assert_eq!(hers.residence, "SA");

    // The Philippines and Spain totalize with each other: each sees the other's months, no amount.
    let ph_sees = balance(&mut philippines, &worker).await.expect("PH");
    assert_eq!(ph_sees.lines, vec![line("ES", 6, false, true), line("PH", 6, true, false)]);
    assert_eq!(ph_sees.entitlements, vec!["PH"]);
    assert_eq!(ph_sees.claims, vec!["ES"]);
    assert_eq!(ph_sees.residence, "SA", "her origin knows where she lives");
    let es_sees = balance(&mut spain, &worker).await.expect("ES");
    assert_eq!(es_sees.lines, vec![line("ES", 6, true, false), line("PH", 6, false, true)]);
    assert!(es_sees.entitlements.is_empty());
    assert_eq!(es_sees.claims, vec!["ES"]);
    assert_eq!(es_sees.residence, "", "Spain is neither where she lives nor her origin");

    // Saudi Arabia, with no agreement with either, sees its own line and nothing else.
    let sa_sees = balance(&mut saudi, &worker).await.expect("SA");
    assert_eq!(sa_sees.lines, vec![line("SA", 1, false, false)]);
    assert!(sa_sees.entitlements.is_empty());
    assert!(sa_sees.claims.is_empty());
    assert_eq!(sa_sees.residence, "SA");
    server.server.stop().await.expect("stopped");
}
