//! `ledger demo`: a realistic story played against a server, with illustrative figures under the
//! sample rules. No names enter the ledger: the workers are known only by their ledger ids.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;
use ledger_client::grpc::{self as client, Clients};
use ledger_proto::v1 as pb;
use ledger_server::{RulesSource, ServeConfig};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// A running server to play the story against (it must use the sample rules).
    #[arg(long, requires = "tokens")]
    server: Option<String>,
    /// The tokens file `serve` wrote for a new data directory (initial-tokens.txt).
    #[arg(long)]
    tokens: Option<PathBuf>,
}

/// Reads `id role jurisdiction token` lines.
fn read_tokens(path: &std::path::Path) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            (fields.len() == 4).then(|| (fields[0].to_owned(), fields[3].to_owned()))
        })
        .collect())
}

/// The workers' organisation of the story (an illustrative domestic workers' union registered in
/// Saudi Arabia), which the demo's own server registers.
const UNION: &str = "union-sa-dwu";
/// The body the sample rules name to decide appeals in Saudi Arabia (illustrative), which the demo's
/// own server registers.
const COURT: &str = "sa-labour-court";

struct Story {
    address: String,
    tokens: HashMap<String, String>,
    /// The log's verifier key, when the demo runs its own server: published reports are checked
    /// with it.
    verifier_key: Option<String>,
    run: String,
    /// The clock of the demo's own server, which the story moves forward; none against a server
    /// given with --server, whose days pass at their own pace.
    clock: Option<ledger_store::Clock>,
}

impl Story {
    async fn as_principal(&self, id: &str) -> anyhow::Result<Clients> {
        let token = self.tokens.get(id).with_context(|| format!("no token for {id}"))?;
        client::connect(&self.address, token).await.map_err(|error| anyhow::anyhow!("{error}"))
    }

    async fn enrol(
        &self,
        agency: &mut Clients,
        origin: &str,
        sex: pb::Sex,
        birth_month: &str,
    ) -> anyhow::Result<(String, Clients)> {
        let request = pb::EnrollWorkerRequest {
            request_id: format!("{}-enrol-{origin}-{birth_month}", self.run),
            origin_jurisdiction: origin.into(),
            sex: sex as i32,
            birth_month: birth_month.into(),
        };
        let enrolled = agency.agency.enroll_worker(request).await?.into_inner();
        // The worker signs in with the credential her agency handed her.
        let herself = client::connect(&self.address, &enrolled.worker_token)
            .await
            .map_err(|error| anyhow::anyhow!("{error}"))?;
        Ok((enrolled.worker_id, herself))
    }

    /// Monthly contributions from `from` (year, month) for `count` months; returns the seqs.
    #[allow(clippy::too_many_arguments)]
    async fn pay(
        &self,
        agency: &mut Clients,
        worker: &str,
        (jurisdiction, currency): (&str, &str),
        from: (u32, u32),
        count: u32,
        wage: i64,
        sector: pb::Sector,
    ) -> anyhow::Result<Vec<u64>> {
        let contributions = (0..count)
            .map(|index| {
                let ordinal = from.0 * 12 + from.1 - 1 + index;
                pb::Contribution {
                    worker_id: worker.into(),
                    jurisdiction: jurisdiction.into(),
                    branch: pb::Branch::OldAge as i32,
                    month: format!("{}-{:02}", ordinal / 12, ordinal % 12 + 1),
                    insured_wage_minor: wage,
                    employer_share_minor: wage * 8 / 100,
                    worker_share_minor: wage * 5 / 100,
                    currency: currency.into(),
                    employer_ref: format!("{jurisdiction}-HH-{:04}", from.0 % 10_000),
                    sector: sector as i32,
                    voluntary: false,
                }
            })
            .collect();
        let request = pb::RecordContributionsRequest {
            request_id: format!("{}-{jurisdiction}-{worker}-{}-{}", self.run, from.0, from.1),
            contributions,
            ..Default::default()
        };
        let receipts = agency.agency.record_contributions(request).await?.into_inner().receipts;
        Ok(receipts.into_iter().map(|receipt| receipt.seq).collect())
    }
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let temporary = tempfile::tempdir()?;
    let clock = ledger_store::Clock::manual(chrono::Utc::now());
    let (server, address, tokens) = match (&args.server, &args.tokens) {
        (Some(address), Some(tokens)) => (None, address.clone(), read_tokens(tokens)?),
        _ => {
            let data_dir = temporary.path().join("data");
            let running = ledger_server::start(ServeConfig {
                data_dir: data_dir.clone(),
                listen: "127.0.0.1:0".parse()?,
                rules: RulesSource::Sample,
                principals: None,
                limits: ledger_server::Limits::default(),
                metrics_listen: None,
                tls: None,
                log_key: None,
                replica_key: None,
                accept_rollback: false,
                cluster: None,
                clock: clock.clone(),
                loopback: false,
            })
            .await?;
            let mut tokens = read_tokens(&data_dir.join(ledger_server::INITIAL_TOKENS_FILE))?;
            // A workers' organisation registered in Saudi Arabia, and the body that decides appeals
            // there.
            use ledger_server::principals::Role;
            for (id, role) in [(UNION, Role::Organisation), (COURT, Role::AppealBody)] {
                let principal = ledger_server::principals::Principal {
                    id: ledger_core::PrincipalId::parse(id)?,
                    role,
                    jurisdiction: Some(ledger_core::Jurisdiction::parse("SA")?),
                    worker: None,
                };
                tokens
                    .insert(id.into(), ledger_server::principals::add(&running.principals_file, &principal)?);
            }
            running.reload_principals()?;
            let address = running.address.to_string();
            (Some(running), address, tokens)
        }
    };
    let story = Story {
        address,
        tokens,
        verifier_key: server.as_ref().map(|running| running.verifier_key.clone()),
        run: format!("demo-{}", chrono::Utc::now().format("%Y%m%d%H%M%S")),
        clock: server.is_some().then_some(clock),
    };
    play(&story).await?;
    if let Some(server) = server {
        server.stop().await?;
    }
    Ok(())
}

/// Her claim for the three unremitted months: filed from home by the Philippine agency, addressed
/// to Saudi Arabia, overdue when its 90 days pass, then upheld with the missing contributions.
async fn claim(
    story: &Story,
    philippines: &mut Clients,
    saudi: &mut Clients,
    auditor: &mut Clients,
    worker: &str,
) -> anyhow::Result<()> {
    println!("   At home she finds the gap. The Philippine agency files a claim on her behalf, addressed");
    println!("   to the Saudi agency, with the digest of her payslips (the payslips stay with her).");
    let months = ["2015-10", "2015-11", "2015-12"];
    let request = pb::FileClaimRequest {
        request_id: format!("{}-claim", story.run),
        worker_id: worker.into(),
        jurisdiction: "SA".into(),
        employer_ref: "SA-HH-2012".into(),
        months: months.iter().map(|month| month.to_string()).collect(),
        kind: pb::ClaimKind::UnremittedDeduction as i32,
        amount_minor: Some(3 * 300_000 * 9 / 100),
        evidence_sha256: ledger_core::sha256(b"payslips 2015-10 to 2015-12 (illustrative)").to_vec(),
    };
    let filed = philippines.worker.file_claim(request).await?.into_inner();
    let claim_seq = filed.receipt.as_ref().map_or(0, |receipt| receipt.seq);
    let filed_on = filed
        .receipt
        .as_ref()
        .and_then(|receipt| receipt.recorded_at.as_ref())
        .and_then(|at| chrono::DateTime::from_timestamp(at.seconds, 0))
        .map_or_else(|| chrono::Utc::now().date_naive(), |at| at.date_naive())
        .to_string();
    println!("   claim {claim_seq} filed; the Saudi agency must answer by {}", filed.respond_by);
    match &story.clock {
        Some(clock) => {
            clock.advance(chrono::TimeDelta::days(91));
            println!("   91 days pass with no answer (the demo moves its server's clock). The Saudi agency's list:");
        }
        None => println!(
            "   (against an external server the days cannot be moved: the claim is answered in time)"
        ),
    }
    let open = saudi
        .agency
        .list_claims(pb::ListClaimsRequest { open_only: true, of_our_workers: false, ..Default::default() })
        .await?;
    let open = open.into_inner();
    crate::claims::print_claims(&open.claims, &open.evaluated_on, false);
    let report = |to: String| pb::GetAccountabilityReportRequest {
        jurisdiction: "SA".into(),
        from_date: filed_on.clone(),
        to_date: to,
    };
    let to = open.evaluated_on.clone();
    let accountability = auditor.audit.get_accountability_report(report(to.clone())).await?.into_inner();
    println!("   The monitors' accountability report:");
    crate::claims::print_accountability(&accountability, false);
    println!("   The Saudi agency upholds the claim, recording the three contributions in the same write.");
    let contributions = months
        .iter()
        .map(|month| pb::Contribution {
            worker_id: worker.into(),
            jurisdiction: "SA".into(),
            branch: pb::Branch::OldAge as i32,
            month: month.to_string(),
            insured_wage_minor: 300_000,
            employer_share_minor: 300_000 * 8 / 100,
            worker_share_minor: 300_000 * 5 / 100,
            currency: "SAR".into(),
            employer_ref: "SA-HH-2012".into(),
            sector: pb::Sector::DomesticWork as i32,
            voluntary: false,
        })
        .collect();
    let resolution = pb::ResolveClaimRequest {
        request_id: format!("{}-uphold", story.run),
        claim_seq,
        outcome: pb::ClaimOutcome::Upheld as i32,
        reason: "the employer's remittances for these months were never received".into(),
        contributions,
    };
    saudi.agency.resolve_claim(resolution).await?;
    let accountability = auditor.audit.get_accountability_report(report(to)).await?.into_inner();
    crate::claims::print_accountability(&accountability, false);
    Ok(())
}

/// Six domestic workers recruited from the Philippines to Saudi Arabia in 2025 by one recruiter,
/// whose fee their employers should have paid and took from their wages instead; one claims it
/// back; the auditor publishes the employer-pays report of the year.
async fn recruitment(
    story: &Story,
    philippines: &mut Clients,
    saudi: &mut Clients,
    auditor: &mut Clients,
) -> anyhow::Result<()> {
    println!(
        "\n9. Six domestic workers go from the Philippines to Saudi Arabia in 2025 through one recruitment"
    );
    println!(
        "   agency (licence POEA-123-LB-031522-R). The fee, which their employers should pay, is taken from"
    );
    println!(
        "   their wages: SAR 500.00 a month for three months, SAR 1,500.00 each. Each declares it herself."
    );
    let mut first = None;
    for index in 0..6 {
        let (worker, mut herself) =
            story.enrol(philippines, "PH", pb::Sex::Female, &format!("199{index}-03")).await?;
        let household = format!("SA-HH-{:04}", 2100 + index);
        let contributions = (1..=12)
            .map(|month| pb::Contribution {
                worker_id: worker.clone(),
                jurisdiction: "SA".into(),
                branch: pb::Branch::OldAge as i32,
                month: format!("2025-{month:02}"),
                insured_wage_minor: 150_000,
                employer_share_minor: 12_000,
                worker_share_minor: 7_500,
                currency: "SAR".into(),
                employer_ref: household.clone(),
                sector: pb::Sector::DomesticWork as i32,
                voluntary: false,
            })
            .collect();
        let request = pb::RecordContributionsRequest {
            request_id: format!("{}-sa-2025-{index}", story.run),
            contributions,
            ..Default::default()
        };
        saudi.agency.record_contributions(request).await?;
        let declared = pb::RecordRecruitmentCostRequest {
            request_id: format!("{}-fee-{index}", story.run),
            worker_id: String::new(),
            destination: "SA".into(),
            licensed_in: "PH".into(),
            licence: "POEA-123-LB-031522-R".into(),
            purpose: pb::RecruitmentPurpose::Fee as i32,
            amount: Some(pb::Money { currency: "SAR".into(), minor: 150_000, ..Default::default() }),
            paid_by: pb::CostPayer::Worker as i32,
            lender: String::new(),
            employer_ref: household.clone(),
            paid_in: "2025-03".into(),
            evidence_sha256: ledger_core::sha256(format!("payslips {index}").as_bytes()).to_vec(),
        };
        herself.worker.record_recruitment_cost(declared).await?;
        first.get_or_insert((worker, herself, household));
    }
    let (worker, mut herself, household) = first.context("six workers")?;
    let claim = pb::FileClaimRequest {
        request_id: format!("{}-fee-claim", story.run),
        worker_id: worker.clone(),
        jurisdiction: "SA".into(),
        employer_ref: household,
        months: vec!["2025-01".into(), "2025-02".into(), "2025-03".into()],
        kind: pb::ClaimKind::RecruitmentCostFromWages as i32,
        amount_minor: Some(150_000),
        evidence_sha256: ledger_core::sha256(b"payslips 0").to_vec(),
    };
    let filed = match story.tokens.contains_key(UNION) {
        true => {
            println!("   The first of them gives the domestic workers' union ({UNION}, registered in Saudi Arabia)");
            println!("   her consent to file and follow her claims; the union claims the fee back from her employer.");
            let consent = pb::ChangeConsentRequest {
                request_id: format!("{}-consent", story.run),
                organisation: UNION.into(),
                granted: true,
            };
            herself.worker.change_consent(consent).await?;
            let mut union = story.as_principal(UNION).await?;
            union.worker.file_claim(claim).await?.into_inner()
        }
        false => {
            println!(
                "   The first of them claims the fee back from her employer (no workers' organisation is"
            );
            println!("   registered on this server to file it for her).");
            herself.worker.file_claim(claim).await?.into_inner()
        }
    };
    let seq = filed.receipt.unwrap_or_default().seq;
    let rejection = pb::ResolveClaimRequest {
        request_id: format!("{}-fee-rejected", story.run),
        claim_seq: seq,
        outcome: pb::ClaimOutcome::Rejected as i32,
        reason: "the household's payroll declares the full wage".into(),
        contributions: vec![],
    };
    saudi.agency.resolve_claim(rejection).await?;
    println!("   The Saudi agency rejects it: the household's payroll declares the full wage.");
    if story.tokens.contains_key(UNION) && story.tokens.contains_key(COURT) {
        let appeal = pb::AppealClaimRequest {
            request_id: format!("{}-fee-appeal", story.run),
            claim_seq: seq,
            grounds_sha256: ledger_core::sha256(b"her payslips, showing SAR 500.00 deducted as a fee")
                .to_vec(),
        };
        let mut union = story.as_principal(UNION).await?;
        let appealed = union.worker.appeal_claim(appeal).await?.into_inner();
        println!(
            "   With her consent the union appeals, once, to the body the rules name for Saudi Arabia ({}),",
            appealed.appeal_body
        );
        println!("   which must decide by {}.", appealed.respond_by);
        let decision = pb::DecideAppealRequest {
            request_id: format!("{}-fee-upheld", story.run),
            claim_seq: seq,
            outcome: pb::ClaimOutcome::Upheld as i32,
            reason: "the deductions are on her payslips; the employer repays SAR 1,500.00".into(),
            contributions: vec![],
        };
        let mut court = story.as_principal(COURT).await?;
        court.appeal.decide_appeal(decision).await?;
        let balance =
            pb::GetBalanceRequest { worker_id: worker.clone(), as_of_seq: None, ..Default::default() };
        let balance = herself.worker.get_balance(balance).await?.into_inner();
        let state =
            balance.claims.iter().find(|claim| claim.claim_seq == seq).map_or("?", |claim| &claim.state);
        println!(
            "   The court upholds the appeal: the employer repays SAR 1,500.00. Her claim reads: {state}."
        );
    } else {
        println!(
            "   (No appeal body is registered on this server to hear her appeal: the rejection stands.)"
        );
    }
    println!("   The auditor publishes the employer-pays report of Saudi Arabia for 2025 (households are never named):\n");
    let request = pb::PublishReportRequest {
        report: "employer-pays".into(),
        jurisdiction: "SA".into(),
        period: "2025".into(),
    };
    let published = auditor.audit.publish_report(request).await?.into_inner();
    let bundle = ledger_verify::report::Bundle::from_json(published.bundle.as_bytes())?;
    let request = pb::GetEmployerPaysReportRequest { jurisdiction: "SA".into(), period: "2025".into() };
    let report = auditor.audit.get_employer_pays_report(request).await?.into_inner();
    crate::reports::print_employer_pays(&report, false);
    let digest: String =
        ledger_verify::report::digest(&bundle.body).iter().map(|byte| format!("{byte:02x}")).collect();
    println!(
        "\n   Published as a signed bundle of the log's first {} events (report digest {}...), which anyone checks",
        published.log_size,
        &digest[..16]
    );
    println!("   with the log's key and computes again from an export: ledger audit verify-report --export.");
    if let Some(key) = &story.verifier_key {
        let trust = ledger_verify::Trust::log_only(key)?;
        let verified = ledger_verify::report::verify(&bundle, &trust)?;
        println!("   Checked here with the log's verifier key alone: genuine, {}.", verified.trusted);
    }
    Ok(())
}

async fn play(story: &Story) -> anyhow::Result<()> {
    println!("Illustrative story under the sample rules (figures are not legal advice).\n");
    let mut philippines = story.as_principal("agency-ph").await?;
    let mut saudi = story.as_principal("agency-sa").await?;
    let mut spain = story.as_principal("agency-es").await?;
    let mut nepal = story.as_principal("agency-np").await?;
    let mut malaysia = story.as_principal("agency-my").await?;
    let mut auditor = story.as_principal("auditor").await?;

    println!("1. A domestic worker from the Philippines is enrolled by the Philippine agency.");
    let (worker, mut herself) = story.enrol(&mut philippines, "PH", pb::Sex::Female, "1988-07").await?;
    println!("   ledger id {worker} (no name or national id is kept)");
    println!("2. Six years of contributions at home, 2006 to 2011, at PHP 15,000.00 a month.");
    story
        .pay(&mut philippines, &worker, ("PH", "PHP"), (2006, 1), 72, 1_500_000, pb::Sector::Manufacturing)
        .await?;
    println!("3. Four years as a domestic worker in Saudi Arabia, 2012 to 2015, at SAR 3,000.00; her");
    println!("   employer deducts her share for the last three months but never remits them.");
    story.pay(&mut saudi, &worker, ("SA", "SAR"), (2012, 1), 45, 300_000, pb::Sector::DomesticWork).await?;
    println!(
        "4. Nine years of care work in Spain, 2016 to 2024, at EUR 1,800.00; one month is posted twice."
    );
    story.pay(&mut spain, &worker, ("ES", "EUR"), (2016, 1), 108, 180_000, pb::Sector::Care).await?;
    let duplicate =
        story.pay(&mut spain, &worker, ("ES", "EUR"), (2019, 3), 1, 180_000, pb::Sector::Care).await?;
    println!("5. The Spanish agency reverses the duplicate (seq {}).", duplicate[0]);
    let reversal = pb::ReverseContributionRequest {
        request_id: format!("{}-reverse", story.run),
        seq: duplicate[0],
        reason: "posted twice by the employer's payroll".into(),
    };
    spain.agency.reverse_contribution(reversal).await?;
    println!("6. She goes home: the Philippine agency records her residence and a year of contributions.");
    let residence = pb::RecordResidenceChangeRequest {
        request_id: format!("{}-home", story.run),
        worker_id: worker.clone(),
        country: "PH".into(),
        from_month: "2025-01".into(),
    };
    philippines.agency.record_residence_change(residence).await?;
    story.pay(&mut philippines, &worker, ("PH", "PHP"), (2025, 1), 12, 2_000_000, pb::Sector::Care).await?;
    claim(story, &mut philippines, &mut saudi, &mut auditor, &worker).await?;
    println!("7. The Philippine agency grants her a maternity benefit and pays the first month.");
    let grant = pb::GrantEntitlementRequest {
        request_id: format!("{}-grant", story.run),
        worker_id: worker.clone(),
        jurisdiction: "PH".into(),
        branch: pb::Branch::Maternity as i32,
        monthly_amount_minor: 700_000,
        currency: "PHP".into(),
        start_month: "2025-09".into(),
    };
    let entitlement =
        philippines.agency.grant_entitlement(grant).await?.into_inner().receipt.unwrap_or_default().seq;
    let payment = pb::RecordBenefitPaymentRequest {
        request_id: format!("{}-pay", story.run),
        entitlement_seq: entitlement,
        month: "2025-09".into(),
        amount_minor: 700_000,
        currency: "PHP".into(),
        paid_into: "PH".into(),
    };
    philippines.agency.record_benefit_payment(payment).await?;

    println!("\nHer portable balance, as she reads it with her own credential: Spain and the Philippines totalize their periods; Saudi Arabia has");
    println!("no agreement with either, so its 48 months count only there.\n");
    let balance = herself
        .worker
        .get_balance(pb::GetBalanceRequest { worker_id: worker, as_of_seq: None, ..Default::default() })
        .await?
        .into_inner();
    crate::cli::print_balance(&balance, false);

    println!("\n8. For comparison, a construction worker from Nepal: five years at home, ten in Malaysia.");
    let (other, mut himself) = story.enrol(&mut nepal, "NP", pb::Sex::Male, "1985-02").await?;
    story.pay(&mut nepal, &other, ("NP", "NPR"), (2005, 1), 60, 2_500_000, pb::Sector::Construction).await?;
    story
        .pay(&mut malaysia, &other, ("MY", "MYR"), (2010, 1), 120, 250_000, pb::Sector::Construction)
        .await?;
    println!("   There is no agreement between Nepal and Malaysia: his Nepali months count nowhere else.\n");
    let balance = himself
        .worker
        .get_balance(pb::GetBalanceRequest { worker_id: other, as_of_seq: None, ..Default::default() })
        .await?
        .into_inner();
    crate::cli::print_balance(&balance, false);

    recruitment(story, &mut philippines, &mut saudi, &mut auditor).await?;

    println!("\n10. An auditor verifies the whole chain on the server.");
    let head = auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner();
    let verified =
        auditor.audit.verify_chain(pb::VerifyChainRequest { from_seq: 0, to_seq: None }).await?.into_inner();
    let hash: String = head.head_hash.iter().map(|byte| format!("{byte:02x}")).collect();
    println!(
        "   {} events, chain hash {hash}: {}",
        head.size,
        if verified.ok { "every link verified" } else { "BROKEN" }
    );
    anyhow::ensure!(verified.ok, "the chain does not verify: {}", verified.reason);
    Ok(())
}
