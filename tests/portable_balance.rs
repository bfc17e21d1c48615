//! One worker's story over real gRPC, under the shipped sample rules (illustrative figures):
//! enrolled in the Philippines, six years of contributions there, four in Saudi Arabia, nine in
//! Spain, then home to the Philippines. The balance is checked to the minor unit, with the
//! arithmetic done by hand below.

mod common;

use common::{as_worker, contribution, enroll_with_credential, TestServer};
use ledger_client::grpc::Clients;
use ledger_proto::v1 as pb;

/// Months from `from` (YYYY-MM), `count` of them, at `wage`, for one jurisdiction.
fn months(
    worker: &str,
    jurisdiction: &str,
    currency: &str,
    from: (u32, u32),
    count: u32,
    wage: i64,
) -> Vec<pb::Contribution> {
    (0..count)
        .map(|index| {
            let ordinal = from.0 * 12 + from.1 - 1 + index;
            let month = format!("{}-{:02}", ordinal / 12, ordinal % 12 + 1);
            contribution(worker, jurisdiction, currency, &month, wage)
        })
        .collect()
}

async fn post(clients: &mut Clients, request_id: &str, contributions: Vec<pb::Contribution>) -> u64 {
    let request =
        pb::RecordContributionsRequest { request_id: request_id.into(), contributions, ..Default::default() };
    let receipts =
        clients.agency.record_contributions(request).await.expect("recorded").into_inner().receipts;
    receipts.last().expect("receipts").seq
}

fn minor(money: &Option<pb::Money>) -> (String, i64) {
    let money = money.as_ref().expect("an amount");
    (money.currency.clone(), money.minor)
}

/// own, total, missing, theoretical, pro rata, independent, payable of one line.
fn figures(balance: &pb::GetBalanceResponse, jurisdiction: &str) -> (u32, u32, u32, i64, i64, i64, i64) {
    let line = balance
        .lines
        .iter()
        .find(|line| line.jurisdiction == jurisdiction && line.branch == pb::Branch::OldAge as i32)
        .unwrap_or_else(|| panic!("no old-age line for {jurisdiction}"));
    (
        line.own_months,
        line.total_months,
        line.missing_months,
        minor(&line.theoretical).1,
        minor(&line.pro_rata).1,
        minor(&line.independent).1,
        minor(&line.payable).1,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_migrant_workers_balance_across_four_countries() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    let mut spain = server.clients("agency-es").await;

    let enrolled = enroll_with_credential(&mut philippines, "sss-enrol-88123", "PH").await;
    let worker = enrolled.worker_id.clone();
    // She reads her balance with her own credential: every line, every amount.
    let mut herself = as_worker(&server, &enrolled.worker_token).await;
    // Six years at home before leaving: 2006-01 to 2011-12 at PHP 15,000.00.
    post(&mut philippines, "sss-2006-2011", months(&worker, "PH", "PHP", (2006, 1), 72, 1_500_000)).await;
    // Four years in Saudi Arabia: 2012-01 to 2015-12 at SAR 3,000.00.
    let after_saudi =
        post(&mut saudi, "gosi-2012-2015", months(&worker, "SA", "SAR", (2012, 1), 48, 300_000)).await;
    // Nine years in Spain: 2016-01 to 2024-12 at EUR 1,800.00.
    post(&mut spain, "tgss-2016-2024", months(&worker, "ES", "EUR", (2016, 1), 108, 180_000)).await;
    // Home again: the residence change, and a year of contributions at PHP 20,000.00.
    philippines
        .agency
        .record_residence_change(pb::RecordResidenceChangeRequest {
            request_id: "owwa-return-88123".into(),
            worker_id: worker.clone(),
            country: "PH".into(),
            from_month: "2025-01".into(),
        })
        .await
        .expect("residence recorded");
    post(&mut philippines, "sss-2025", months(&worker, "PH", "PHP", (2025, 1), 12, 2_000_000)).await;

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
    assert_eq!(balance.residence, "PH");

    // Philippines (ES-PH totalizes old age; Saudi months count nowhere else). The sample rules are
    // of format 2: amounts are exact until the end of each formula, rounded once (PH: half up).
    //   own = 72 + 12 = 84; total = 84 + 108 (Spain) = 192 ≥ 120; own < 120, so independent = 0.
    //   wages = 72 × 1,500,000 + 12 × 2,000,000 = 132,000,000 over 84 months.
    //   theoretical = 100,000 + 132,000,000 / 84 × 15 × 192 / 10,000 = 552,571.43, shown 552,571.
    //   pro rata = 552,571.43 × 84 / 192 = 43,750 + 132,000,000 × 15 / 10,000 = 241,750 exactly:
    //   PHP 2,417.50 (the first arithmetic floored three times and paid 241,749).
    assert_eq!(figures(&balance, "PH"), (84, 192, 0, 552_571, 241_750, 0, 241_750));
    // Saudi Arabia (no agreement with the Philippines or Spain): 48 months alone, 72 short of 120.
    //   theoretical = 300,000 × 25 × 48 / 10,000 = 36,000; nothing payable.
    assert_eq!(figures(&balance, "SA"), (48, 48, 72, 36_000, 0, 0, 0));
    // Spain: own 108; total = 108 + 84 (Philippines) = 192 ≥ 180; own < 180, so independent = 0.
    //   theoretical = 180,000 × 28 × 192 / 10,000 = 96,768 (under the cap of 320,000).
    //   pro rata = 96,768 × 108 / 192 = 54,432 cents: EUR 544.32.
    assert_eq!(figures(&balance, "ES"), (108, 192, 0, 96_768, 54_432, 0, 54_432));

    let spain_line = balance.lines.iter().find(|line| line.jurisdiction == "ES").expect("ES line");
    // She has not applied for an old-age pension, and her birth month is not recorded: the amounts
    // are projected, with no date they would be due from; nothing at all from Saudi Arabia.
    let standings: Vec<(&str, &str, &str)> = balance
        .lines
        .iter()
        .map(|line| (line.jurisdiction.as_str(), line.standing.as_str(), line.due_from.as_str()))
        .collect();
    assert_eq!(standings, [("ES", "projected", ""), ("PH", "projected", ""), ("SA", "nothing_payable", "")]);
    assert_eq!(minor(&spain_line.payable), ("EUR".to_owned(), 54_432));
    // Every amount says how many digits its currency's minor unit has, so no client keeps a table.
    assert_eq!(spain_line.payable.as_ref().map(|money| money.exponent), Some(2));
    assert_eq!(spain_line.paid_under, "ES-PH");
    let instruments: Vec<(&str, u32, u32, &str)> = spain_line
        .instruments
        .iter()
        .map(|i| (i.agreement_id.as_str(), i.total_months, i.ratio_months, i.outcome.as_str()))
        .collect();
    // Spain's own 108 months alone under EU-883 (no Italian months), short of 180.
    assert_eq!(instruments, [("EU-883", 108, 108, "not_qualified"), ("ES-PH", 192, 192, "pro_rata")]);
    // Employer and worker shares are kept apart: 9% each of 180,000 for 108 months.
    assert_eq!(minor(&spain_line.employer_paid), ("EUR".to_owned(), 108 * 16_200));
    assert_eq!(minor(&spain_line.worker_paid), ("EUR".to_owned(), 108 * 16_200));
    let applied: Vec<(&str, &str)> =
        spain_line.agreements.iter().map(|a| (a.agreement_id.as_str(), a.partner.as_str())).collect();
    assert_eq!(applied, [("ES-PH", "PH")]);

    // The same worker as the log stood after Saudi Arabia: nothing totalized yet.
    let earlier = herself
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: worker.clone(),
            as_of_seq: Some(after_saudi),
            ..Default::default()
        })
        .await
        .expect("earlier balance")
        .into_inner();
    assert_eq!(earlier.as_of_seq, after_saudi);
    // PH: own 72, total 72, 48 short; theoretical = 100,000 + 1,500,000 × 15 × 72 / 10,000 = 262,000.
    assert_eq!(figures(&earlier, "PH"), (72, 72, 48, 262_000, 0, 0, 0));
    assert!(earlier.lines.iter().all(|line| line.jurisdiction != "ES"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entitlements_follow_their_life_cycle() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let enrolled = enroll_with_credential(&mut philippines, "enrol-1", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut herself = as_worker(&server, &enrolled.worker_token).await;
    let grant = spain
        .agency
        .grant_entitlement(pb::GrantEntitlementRequest {
            request_id: "tgss-grant-1".into(),
            worker_id: worker.clone(),
            jurisdiction: "ES".into(),
            branch: pb::Branch::OldAge as i32,
            monthly_amount_minor: 54_432,
            currency: "EUR".into(),
            start_month: "2026-01".into(),
        })
        .await
        .expect("granted")
        .into_inner();
    let entitlement_seq = grant.receipt.expect("receipt").seq;
    let change = |request_id: &str, change: pb::EntitlementChange| pb::ChangeEntitlementStatusRequest {
        request_id: request_id.into(),
        entitlement_seq,
        change: change as i32,
        effective_month: "2026-03".into(),
        reason: "decision of the institution".into(),
    };
    let pay = |request_id: &str| pb::RecordBenefitPaymentRequest {
        request_id: request_id.into(),
        entitlement_seq,
        month: "2026-02".into(),
        amount_minor: 54_432,
        currency: "EUR".into(),
        paid_into: "PH".into(),
    };
    spain.agency.record_benefit_payment(pay("pay-1")).await.expect("paid into the Philippines");
    // Spain has no agreement with Saudi Arabia: its old-age benefit is not exported there.
    let into_saudi = pb::RecordBenefitPaymentRequest { paid_into: "SA".into(), ..pay("pay-into-saudi") };
    let status = spain.agency.record_benefit_payment(into_saudi).await.expect_err("not exported");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("not exported to SA"), "{}", status.message());
    let status =
        spain.agency.change_entitlement_status(change("resume-early", pb::EntitlementChange::Resume)).await;
    assert_eq!(status.expect_err("not suspended").code(), tonic::Code::FailedPrecondition);
    spain
        .agency
        .change_entitlement_status(change("suspend", pb::EntitlementChange::Suspend))
        .await
        .expect("suspended");
    let status = spain.agency.record_benefit_payment(pay("pay-while-suspended")).await;
    assert_eq!(status.expect_err("suspended").code(), tonic::Code::FailedPrecondition);
    spain
        .agency
        .change_entitlement_status(change("resume", pb::EntitlementChange::Resume))
        .await
        .expect("resumed");
    spain.agency.record_benefit_payment(pay("pay-2")).await.expect("paid");
    spain.agency.change_entitlement_status(change("end", pb::EntitlementChange::End)).await.expect("ended");
    let status = spain
        .agency
        .change_entitlement_status(change("resume-after-end", pb::EntitlementChange::Resume))
        .await;
    assert_eq!(status.expect_err("ended for good").code(), tonic::Code::FailedPrecondition);
    let status = philippines
        .agency
        .change_entitlement_status(change("not-theirs", pb::EntitlementChange::Suspend))
        .await;
    assert_eq!(status.expect_err("Spain's entitlement").code(), tonic::Code::PermissionDenied);

    let balance = herself
        .worker
        .get_balance(pb::GetBalanceRequest { worker_id: worker, as_of_seq: None, ..Default::default() })
        .await
        .expect("balance")
        .into_inner();
    let entitlement = &balance.entitlements[0];
    assert_eq!((entitlement.entitlement_seq, entitlement.status.as_str()), (entitlement_seq, "ended"));
    let paid: Vec<(&str, u32, i64)> = entitlement
        .paid
        .iter()
        .map(|paid| (paid.country.as_str(), paid.payments, minor(&paid.total).1))
        .collect();
    assert_eq!(paid, [("PH", 2, 108_864)]);
    server.stop().await;
}

/// Her old-age balance as she reads it: Spain's line's payable amount, standing and due date.
async fn spanish_old_age(herself: &mut Clients, worker: &str) -> (i64, String, String) {
    let request = pb::GetBalanceRequest { worker_id: worker.into(), ..Default::default() };
    let balance = herself.worker.get_balance(request).await.expect("balance").into_inner();
    let line = balance.lines.iter().find(|line| line.jurisdiction == "ES").expect("a Spanish line");
    (minor(&line.payable).1, line.standing.clone(), line.due_from.clone())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_age_amount_is_payable_only_once_applied_for_and_of_pensionable_age() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    // Two workers of fifteen years in Spain at EUR 1,800.00 (180 months: Spain's qualifying
    // period): 180,000 x 28 bp x 180 / 10,000 = 90,720 a month, under the cap. One born in April
    // 1958 (65 since April 2023), one in April 1990 (65 in April 2055); the sample's Spanish
    // pensionable age is 65.
    let mut workers = Vec::new();
    for (index, birth_month) in ["1958-04", "1990-04"].into_iter().enumerate() {
        let enrolled = philippines
            .agency
            .enroll_worker(pb::EnrollWorkerRequest {
                request_id: format!("enrol-{index}"),
                origin_jurisdiction: "PH".into(),
                sex: pb::Sex::Female as i32,
                birth_month: birth_month.into(),
            })
            .await
            .expect("enrolled")
            .into_inner();
        post(
            &mut spain,
            &format!("tgss-{index}"),
            months(&enrolled.worker_id, "ES", "EUR", (2005, 1), 180, 180_000),
        )
        .await;
        let herself = as_worker(&server, &enrolled.worker_token).await;
        workers.push((enrolled.worker_id, herself));
    }
    let apply = |request_id: &str, worker: &str, risk_date: &str| pb::RecordBenefitApplicationRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        branch: pb::Branch::OldAge as i32,
        risk_date: risk_date.into(),
    };
    for (worker, herself) in &mut workers {
        assert_eq!(spanish_old_age(herself, worker).await, (90_720, "projected".into(), String::new()));
    }
    // The elder applies in Spain from 2026-05-01: payable (she lives where she was enrolled, and
    // no residence change abroad is recorded).
    let (elder, elder_herself) = &mut workers[0];
    spain
        .agency
        .record_benefit_application(apply("tgss-apply-0", elder, "2026-05-01"))
        .await
        .expect("applied");
    assert_eq!(spanish_old_age(elder_herself, elder).await, (90_720, "payable".into(), String::new()));
    // The younger applies too: still projected, due from her 65th birthday.
    let (younger, younger_herself) = &mut workers[1];
    spain
        .agency
        .record_benefit_application(apply("tgss-apply-1", younger, "2026-05-01"))
        .await
        .expect("applied");
    assert_eq!(
        spanish_old_age(younger_herself, younger).await,
        (90_720, "projected".into(), "2055-04-01".into())
    );
    // An agency where she has no record and does not live takes no application; a risk date more
    // than a year ahead is refused.
    let mut saudi = server.clients("agency-sa").await;
    let status = saudi.agency.record_benefit_application(apply("gosi-apply", younger, "2026-05-01")).await;
    assert_eq!(status.expect_err("no record there").code(), tonic::Code::PermissionDenied);
    let status =
        spain.agency.record_benefit_application(apply("tgss-apply-far", younger, "2031-01-01")).await;
    assert_eq!(status.expect_err("too far ahead").code(), tonic::Code::InvalidArgument);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periods_certified_in_days_are_converted_by_the_certifying_scheme() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let mut spain = server.clients("agency-es").await;
    let enrolled = enroll_with_credential(&mut philippines, "enrol-days", "PH").await;
    let worker = enrolled.worker_id.clone();
    let period = |unit: pb::PeriodUnit, quantity: u32, from: &str, to: &str| pb::CertifiedPeriod {
        worker_id: worker.clone(),
        jurisdiction: "ES".into(),
        branch: pb::Branch::OldAge as i32,
        from_month: from.into(),
        to_month: to.into(),
        unit: unit as i32,
        quantity,
        voluntary: false,
    };
    // Spain's sample scheme works a 5-day week: 264 days in 2020 are 264 / 22 = 12 months; 50
    // weeks in 2021 are 250 days, 11.4 months: 11. 400 days said to fall in three months count
    // for those three only (Art. 13(2): never more than the calendar period).
    let request = pb::CertifyPeriodsRequest {
        request_id: "tgss-e205-1".into(),
        periods: vec![
            period(pb::PeriodUnit::Days, 264, "2020-01", "2020-12"),
            period(pb::PeriodUnit::Weeks, 50, "2021-01", "2021-12"),
            period(pb::PeriodUnit::Days, 400, "2022-01", "2022-03"),
        ],
    };
    let receipts = spain.agency.certify_periods(request).await.expect("certified").into_inner().receipts;
    assert_eq!(receipts.len(), 3);
    let mut herself = as_worker(&server, &enrolled.worker_token).await;
    let balance = herself
        .worker
        .get_balance(pb::GetBalanceRequest { worker_id: worker.clone(), ..Default::default() })
        .await
        .expect("balance")
        .into_inner();
    let line = balance.lines.iter().find(|line| line.jurisdiction == "ES").expect("a Spanish line");
    assert_eq!((line.own_months, line.contribution_months), (12 + 11 + 3, 0));
    // The Philippine scheme states no working week: days cannot be converted there.
    let days = pb::CertifiedPeriod {
        jurisdiction: "PH".into(),
        ..period(pb::PeriodUnit::Days, 22, "2020-01", "2020-01")
    };
    let request = pb::CertifyPeriodsRequest { request_id: "sss-days".into(), periods: vec![days] };
    let status = philippines.agency.certify_periods(request).await.expect_err("no conversion rule");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition, "{status:?}");
    assert!(status.message().contains("working_days_per_week"), "{}", status.message());
    server.stop().await;
}
