//! Duplicates and corrections over real gRPC, under the shipped sample rules (illustrative): a
//! second contribution of an employer for a worker and month is refused naming the first; a
//! correction replaces one contribution's figures (and a reversal then takes out the corrected
//! ones); a corrected payroll imported again corrects the one row that changed; an upheld claim for
//! a recorded month corrects it instead of counting it twice.

mod common;

use std::io::Write;

use common::{contribution, enroll_with_credential, head_size, TestServer};
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;
use tonic::Code;

/// Spain's old-age line of the worker: own months, contribution months, average wage, employer's
/// and worker's shares, as her agency of Spain reads them.
async fn spain(clients: &mut Clients, worker: &str) -> (u32, u32, i64, i64, i64) {
    let request = pb::GetBalanceRequest { worker_id: worker.into(), ..Default::default() };
    let balance = clients.worker.get_balance(request).await.expect("balance").into_inner();
    let line = balance
        .lines
        .iter()
        .find(|line| line.jurisdiction == "ES" && line.branch == pb::Branch::OldAge as i32)
        .expect("a Spanish old-age line");
    let minor = |money: &Option<pb::Money>| money.as_ref().map_or(-1, |money| money.minor);
    (
        line.own_months,
        line.contribution_months,
        minor(&line.average_wage),
        minor(&line.employer_paid),
        minor(&line.worker_paid),
    )
}

async fn record(
    clients: &mut Clients,
    request_id: &str,
    items: Vec<pb::Contribution>,
) -> Result<Vec<u64>, tonic::Status> {
    let request = pb::RecordContributionsRequest {
        request_id: request_id.into(),
        contributions: items,
        ..Default::default()
    };
    let receipts = clients.agency.record_contributions(request).await?.into_inner().receipts;
    Ok(receipts.iter().map(|receipt| receipt.seq).collect())
}

fn correction(request_id: &str, seq: u64, wage: i64) -> pb::CorrectContributionRequest {
    pb::CorrectContributionRequest {
        request_id: request_id.into(),
        seq,
        insured_wage_minor: wage,
        employer_share_minor: wage * 9 / 100,
        worker_share_minor: wage * 9 / 100,
        reason: "overtime left out of the payroll".into(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_refused_and_corrections_replace_the_figures() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain_agency = server.clients("agency-es").await;
    let mut auditor = server.clients("auditor").await;
    let worker = enroll_with_credential(&mut philippines, "enrol-es-1", "PH").await.worker_id;
    let months = ["2024-01", "2024-02", "2024-03"];
    let seqs = record(
        &mut spain_agency,
        "tgss-2024-q1",
        months.iter().map(|month| contribution(&worker, "ES", "EUR", month, 180_000)).collect(),
    )
    .await
    .expect("recorded");
    // 3 months at 1,800.00, shares 9% each: 16,200 a month.
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 180_000, 48_600, 48_600));

    // The same employer's February again: refused, naming the first, and nothing appended.
    let size = head_size(&mut auditor).await;
    let again = record(
        &mut spain_agency,
        "tgss-feb-again",
        vec![contribution(&worker, "ES", "EUR", "2024-02", 190_000)],
    )
    .await
    .expect_err("a duplicate");
    assert_eq!(again.code(), Code::AlreadyExists, "{again:?}");
    assert!(again.message().contains(&format!("at seq {}", seqs[1])), "{}", again.message());
    let twice = record(
        &mut spain_agency,
        "tgss-apr-twice",
        vec![
            contribution(&worker, "ES", "EUR", "2024-04", 180_000),
            contribution(&worker, "ES", "EUR", "2024-04", 180_000),
        ],
    )
    .await
    .expect_err("twice in one request");
    assert_eq!(twice.code(), Code::InvalidArgument, "{twice:?}");
    assert_eq!(head_size(&mut auditor).await, size, "refusals append nothing");
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 180_000, 48_600, 48_600));

    // February corrected to 2,000.00 (shares 18,000 each): the month counts once, with its new
    // figures. Average (180,000 + 200,000 + 180,000) / 3 = 186,666.67, floored on the wire.
    let corrected = spain_agency
        .agency
        .correct_contribution(correction("tgss-feb-fix", seqs[1], 200_000))
        .await
        .expect("corrected")
        .into_inner()
        .receipt
        .expect("a receipt");
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 186_666, 50_400, 50_400));
    let same =
        spain_agency.agency.correct_contribution(correction("tgss-feb-fix-again", seqs[1], 200_000)).await;
    assert_eq!(same.expect_err("the same figures").code(), Code::FailedPrecondition);
    let mut philippines_reads = server.clients("agency-ph").await;
    let foreign = philippines_reads.agency.correct_contribution(correction("ph-fix", seqs[1], 210_000)).await;
    assert_eq!(foreign.expect_err("not its contribution").code(), Code::PermissionDenied);

    // The correction is on her statement with the figures before and after.
    let statement = spain_agency
        .worker
        .get_statement(pb::GetStatementRequest { worker_id: worker.clone(), ..Default::default() })
        .await
        .expect("statement")
        .into_inner();
    let found =
        statement.entries.iter().find_map(|entry| match entry.event.as_ref().and_then(|e| e.kind.as_ref()) {
            Some(pb::event::Kind::ContributionCorrected(c)) => {
                Some((entry.receipt.as_ref().map_or(u64::MAX, |receipt| receipt.seq), c.clone()))
            }
            _ => None,
        });
    let (at, found) = found.expect("the correction on her statement");
    assert_eq!(at, corrected.seq);
    let wage = |figures: &Option<pb::ContributionFigures>| {
        figures.as_ref().and_then(|f| f.insured_wage.as_ref()).map(|money| (money.minor, money.exponent))
    };
    assert_eq!(
        (found.corrected_seq, wage(&found.before), wage(&found.after)),
        (seqs[1], Some((180_000, 2)), Some((200_000, 2)))
    );

    // Reversed, February takes out the corrected figures, not the recorded ones; then the same
    // employer may record it again.
    let reversal = pb::ReverseContributionRequest {
        request_id: "tgss-feb-out".into(),
        seq: seqs[1],
        reason: "not employed in February".into(),
    };
    spain_agency.agency.reverse_contribution(reversal).await.expect("reversed");
    assert_eq!(spain(&mut spain_agency, &worker).await, (2, 2, 180_000, 32_400, 32_400));
    let after_reversal =
        spain_agency.agency.correct_contribution(correction("tgss-feb-fix-3", seqs[1], 220_000)).await;
    assert_eq!(after_reversal.expect_err("reversed").code(), Code::FailedPrecondition);
    record(&mut spain_agency, "tgss-feb-back", vec![contribution(&worker, "ES", "EUR", "2024-02", 185_000)])
        .await
        .expect("recorded again after the reversal");
    // (180,000 + 185,000 + 180,000) / 3 = 181,666.67; shares 16,200 + 16,650 + 16,200.
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 181_666, 49_050, 49_050));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_payroll_imported_again_corrects_the_row_that_changed() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain_agency = server.clients("agency-es").await;
    let worker = enroll_with_credential(&mut philippines, "enrol-es-2", "PH").await.worker_id;
    let address = server.server.address.to_string();
    let token = server.tokens["agency-es"].clone();
    let import = |csv: &std::path::Path| -> serde_json::Value {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
            .args(["agency", "contribute", "--server", &address, "--token", &token, "--json", "--csv"])
            .arg(csv)
            .output()
            .expect("import runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice(&output.stdout).expect("a JSON summary")
    };
    let write = |name: &str, march_wage: i64| {
        let path = server.dir.path().join(name);
        let mut file = std::fs::File::create(&path).expect("created");
        writeln!(file, "worker_id,jurisdiction,branch,month,insured_wage_minor,employer_share_minor,worker_share_minor,currency,employer_ref,sector").expect("written");
        for (month, wage) in [("2024-01", 180_000), ("2024-02", 180_000), ("2024-03", march_wage)] {
            let share = wage * 9 / 100;
            writeln!(
                file,
                "{worker},ES,old_age,{month},{wage},{share},{share},EUR,ES-EMP-0042,domestic_work"
            )
            .expect("written");
        }
        path
    };
    let first = import(&write("payroll-q1.csv", 180_000));
    assert_eq!(
        (&first["recorded"], &first["corrected"], &first["unchanged"]),
        (&3.into(), &0.into(), &0.into()),
        "{first}"
    );
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 180_000, 48_600, 48_600));
    // March corrected to 2,100.00 in the payroll system and the file exported again: one
    // correction, two rows left as they were, nothing counted twice.
    let second = import(&write("payroll-q1-corrected.csv", 210_000));
    assert_eq!(
        (&second["recorded"], &second["corrected"], &second["unchanged"]),
        (&0.into(), &1.into(), &2.into()),
        "{second}"
    );
    // (180,000 + 180,000 + 210,000) / 3 = 190,000; shares 16,200 + 16,200 + 18,900.
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 190_000, 51_300, 51_300));
    // The same file once more is a retry: recognised, nothing new.
    let third = import(&write("payroll-q1-corrected.csv", 210_000));
    assert_eq!(third["already_recorded"], 3, "{third}");
    assert_eq!(spain(&mut spain_agency, &worker).await, (3, 3, 190_000, 51_300, 51_300));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upheld_claim_for_a_recorded_month_corrects_it() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain_agency = server.clients("agency-es").await;
    let enrolled = enroll_with_credential(&mut philippines, "enrol-es-3", "PH").await;
    let worker = enrolled.worker_id.clone();
    record(&mut spain_agency, "tgss-2024-01", vec![contribution(&worker, "ES", "EUR", "2024-01", 180_000)])
        .await
        .expect("recorded");
    // She was paid 2,000.00 in January and her share deducted on it; the employer declared 1,800.00.
    let mut herself = common::as_worker(&server, &enrolled.worker_token).await;
    let filed = herself
        .worker
        .file_claim(pb::FileClaimRequest {
            request_id: "claim-jan".into(),
            worker_id: worker.clone(),
            jurisdiction: "ES".into(),
            employer_ref: "ES-EMP-0042".into(),
            months: vec!["2024-01".into()],
            kind: pb::ClaimKind::UnremittedDeduction as i32,
            amount_minor: Some(1_800),
            evidence_sha256: ledger_core::sha256(b"payslip January 2024").to_vec(),
        })
        .await
        .expect("filed")
        .into_inner();
    let claim_seq = filed.receipt.expect("a receipt").seq;
    let resolved = spain_agency
        .agency
        .resolve_claim(pb::ResolveClaimRequest {
            request_id: "tgss-claim-jan".into(),
            claim_seq,
            outcome: pb::ClaimOutcome::Upheld as i32,
            reason: String::new(),
            contributions: vec![contribution(&worker, "ES", "EUR", "2024-01", 200_000)],
        })
        .await
        .expect("upheld")
        .into_inner();
    assert_eq!(resolved.receipts.len(), 2, "the resolution and one correction");
    // One month, at the upheld figures: 2,000.00, shares 18,000 each.
    assert_eq!(spain(&mut spain_agency, &worker).await, (1, 1, 200_000, 18_000, 18_000));
    let events = common::read_all(&mut server.clients("auditor").await, resolved.receipts[1].seq).await;
    let record = events.first().map(|stored| ledger_core::Record::decode(&stored.record).expect("a record"));
    let reason = match record.map(|record| record.event) {
        Some(ledger_core::Event::ContributionCorrected(c)) => Some(c.reason.as_str().to_owned()),
        _ => None,
    };
    assert_eq!(reason, Some(format!("claim {claim_seq} upheld")));
    // The accountability report counts the claim once, upheld, whatever it corrected.
    let request = pb::GetAccountabilityReportRequest {
        jurisdiction: "ES".into(),
        from_date: "2000-01-01".into(),
        to_date: "2099-12-31".into(),
    };
    let mut auditor = server.clients("auditor").await;
    let report = auditor.audit.get_accountability_report(request).await.expect("report").into_inner();
    let row = report.rows.first().expect("Spain's row");
    assert_eq!((row.received, row.resolved, row.upheld, row.rejected), (1, 1, 1, 0));
    server.stop().await;
}
