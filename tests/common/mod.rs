//! Shared set-up for the end-to-end tests: a real server on 127.0.0.1:0 over a real sled store in a
//! temporary directory, and authenticated gRPC clients for its principals.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use ledger_client::grpc::{self as client, Clients};
use ledger_core::{Jurisdiction, PrincipalId};
use ledger_proto::v1 as pb;
use ledger_server::principals::{self, Principal, Role};
use ledger_server::{RulesSource, RunningServer, ServeConfig};
use tempfile::TempDir;

/// The principals every test server knows: three agencies, an auditor and an operator.
pub const AGENCIES: [(&str, &str); 4] =
    [("agency-ph", "PH"), ("agency-sa", "SA"), ("agency-es", "ES"), ("agency-np", "NP")];
/// Workers' organisations and where they are registered (illustrative names).
pub const ORGANISATIONS: [(&str, &str); 2] = [("union-sa-dwu", "SA"), ("union-es-migrantes", "ES")];
/// Appeal bodies, as the sample rules name them (illustrative), and where each sits.
pub const APPEAL_BODIES: [(&str, &str); 2] =
    [("ph-labour-relations-commission", "PH"), ("sa-labour-court", "SA")];

pub struct TestServer {
    pub server: RunningServer,
    pub dir: TempDir,
    pub tokens: HashMap<String, String>,
}

pub fn data_dir(dir: &TempDir) -> PathBuf {
    dir.path().join("data")
}

pub fn principals_file(dir: &TempDir) -> PathBuf {
    dir.path().join("principals.toml")
}

/// Writes the principals file of a test server and returns each principal's token.
pub fn make_principals(dir: &TempDir) -> HashMap<String, String> {
    let mut all: Vec<Principal> = AGENCIES
        .iter()
        .map(|(id, code)| Principal {
            id: PrincipalId::parse(id).expect("valid id"),
            role: Role::Agency,
            jurisdiction: Some(Jurisdiction::parse(code).expect("valid code")),
            worker: None,
        })
        .collect();
    let registered = ORGANISATIONS.iter().map(|entry| (entry, Role::Organisation));
    let bodies = APPEAL_BODIES.iter().map(|entry| (entry, Role::AppealBody));
    all.extend(registered.chain(bodies).map(|((id, code), role)| Principal {
        id: PrincipalId::parse(id).expect("valid id"),
        role,
        jurisdiction: Some(Jurisdiction::parse(code).expect("valid code")),
        worker: None,
    }));
    for (id, role) in [("auditor", Role::Auditor), ("operator", Role::Operator)] {
        all.push(Principal {
            id: PrincipalId::parse(id).expect("valid id"),
            role,
            jurisdiction: None,
            worker: None,
        });
    }
    let tokens = principals::add_many(&principals_file(dir), &all).expect("principals file written");
    all.iter().map(|principal| principal.id.to_string()).zip(tokens).collect()
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with_clock(ledger_store::Clock::system()).await
    }

    /// A server whose recorded times and "today" come from `clock`, which the test can move.
    pub async fn start_with_clock(clock: ledger_store::Clock) -> TestServer {
        let dir = tempfile::tempdir().expect("temporary directory");
        let tokens = make_principals(&dir);
        let server = start_with(&dir, clock).await.expect("server started");
        TestServer { server, dir, tokens }
    }

    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart(self) -> TestServer {
        let TestServer { server, dir, tokens } = self;
        server.stop().await.expect("server stopped");
        let server = start_in(&dir).await;
        TestServer { server, dir, tokens }
    }

    pub async fn clients(&self, principal: &str) -> Clients {
        let token = &self.tokens[principal];
        client::connect(&self.server.address.to_string(), token).await.expect("connected")
    }

    /// Stops the server, keeping its directory and tokens for a later [`TestServer::resume`].
    pub async fn stop(self) -> (TempDir, HashMap<String, String>) {
        self.server.stop().await.expect("server stopped");
        (self.dir, self.tokens)
    }

    /// Starts a server on a directory left by [`TestServer::stop`].
    pub async fn resume(dir: TempDir, tokens: HashMap<String, String>) -> TestServer {
        let server = start_in(&dir).await;
        TestServer { server, dir, tokens }
    }
}

pub async fn start_in(dir: &TempDir) -> RunningServer {
    try_start_in(dir).await.expect("server started")
}

pub async fn try_start_in(dir: &TempDir) -> Result<RunningServer, ledger_server::StartError> {
    start_with(dir, ledger_store::Clock::system()).await
}

async fn start_with(
    dir: &TempDir,
    clock: ledger_store::Clock,
) -> Result<RunningServer, ledger_server::StartError> {
    ledger_server::start(ServeConfig { clock, ..serve_config(data_dir(dir), principals_file(dir)) }).await
}

/// The configuration of a test server on `data_dir` with the sample rules, default limits and the
/// system clock, on a free loopback port.
pub fn serve_config(data_dir: PathBuf, principals: PathBuf) -> ServeConfig {
    ServeConfig {
        data_dir,
        listen: "127.0.0.1:0".parse().expect("address"),
        rules: RulesSource::Sample,
        principals: Some(principals),
        limits: ledger_server::Limits::default(),
        metrics_listen: None,
        tls: None,
        log_key: None,
        replica_key: None,
        accept_rollback: false,
        cluster: None,
        clock: ledger_store::Clock::system(),
        loopback: false,
    }
}

/// [`contribution`] from another employer: the ledger takes one contribution of an employer for a
/// worker, jurisdiction, branch and month.
pub fn contribution_from(
    employer: &str,
    worker_id: &str,
    jurisdiction: &str,
    currency: &str,
    month: &str,
    wage: i64,
) -> pb::Contribution {
    pb::Contribution {
        employer_ref: employer.to_owned(),
        ..contribution(worker_id, jurisdiction, currency, month, wage)
    }
}

pub fn contribution(
    worker_id: &str,
    jurisdiction: &str,
    currency: &str,
    month: &str,
    wage: i64,
) -> pb::Contribution {
    pb::Contribution {
        worker_id: worker_id.to_owned(),
        jurisdiction: jurisdiction.to_owned(),
        branch: pb::Branch::OldAge as i32,
        month: month.to_owned(),
        insured_wage_minor: wage,
        employer_share_minor: wage * 9 / 100,
        worker_share_minor: wage * 9 / 100,
        currency: currency.to_owned(),
        employer_ref: format!("{jurisdiction}-EMP-0042"),
        sector: pb::Sector::DomesticWork as i32,
        voluntary: false,
    }
}

/// Enrols a worker who declares neither sex nor birth month; the answer carries her credential.
pub async fn enroll_with_credential(
    clients: &mut Clients,
    request_id: &str,
    origin: &str,
) -> pb::EnrollWorkerResponse {
    clients
        .agency
        .enroll_worker(pb::EnrollWorkerRequest {
            request_id: request_id.to_owned(),
            origin_jurisdiction: origin.to_owned(),
            ..Default::default()
        })
        .await
        .expect("enrolled")
        .into_inner()
}

/// Clients that call as the worker holding `token`.
pub async fn as_worker(server: &TestServer, token: &str) -> Clients {
    client::connect(&server.server.address.to_string(), token).await.expect("connected")
}

/// Follows the health of the server at `address` until it is NOT_SERVING; fails the test if it is
/// not within `within`.
pub async fn health_turns_not_serving(address: std::net::SocketAddr, within: std::time::Duration) {
    use tonic_health::pb::health_check_response::ServingStatus;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connected");
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
    let mut statuses = health
        .watch(tonic_health::pb::HealthCheckRequest { service: String::new() })
        .await
        .expect("health answers")
        .into_inner();
    let turned = tokio::time::timeout(within, async {
        while let Ok(Some(status)) = statuses.message().await {
            if status.status == ServingStatus::NotServing as i32 {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(turned, Ok(true), "health did not turn NOT_SERVING");
}

pub async fn enroll(clients: &mut Clients, request_id: &str, origin: &str) -> String {
    clients
        .agency
        .enroll_worker(pb::EnrollWorkerRequest {
            request_id: request_id.to_owned(),
            origin_jurisdiction: origin.to_owned(),
            sex: pb::Sex::Female as i32,
            birth_month: "1991-04".to_owned(),
        })
        .await
        .expect("enrolled")
        .into_inner()
        .worker_id
}

pub async fn head_size(clients: &mut Clients) -> u64 {
    clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("head").into_inner().size
}

/// Reads every stored event from `from` to the head, page by page.
pub async fn read_all(clients: &mut Clients, from: u64) -> Vec<pb::StoredEvent> {
    let mut events = Vec::new();
    loop {
        let request = pb::ReadEventsRequest { from_seq: from + events.len() as u64, limit: 0 };
        let mut stream = clients.audit.read_events(request).await.expect("stream").into_inner();
        let before = events.len();
        while let Some(event) = stream.message().await.expect("event") {
            events.push(event);
        }
        if events.len() == before {
            return events;
        }
    }
}

/// Starts the real `ledger` binary on the test's data directory and principals, on a free port;
/// returns the process and the address it announced.
pub async fn start_binary(dir: &TempDir) -> (tokio::process::Child, String) {
    use tokio::io::{AsyncBufReadExt, BufReader};
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_ledger"))
        .arg("serve")
        .arg("--data-dir")
        .arg(data_dir(dir))
        .arg("--principals")
        .arg(principals_file(dir))
        .args(["--listen", "127.0.0.1:0", "--portal-listen", "127.0.0.1:0"])
        .env("LEDGER_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the ledger binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), lines.next_line())
            .await
            .expect("the server announces its address in time")
            .expect("stdout readable")
            .expect("the server started (it exited instead: see its error above)");
        if let Some(address) = line.split("serving on ").nth(1) {
            break address.trim().to_owned();
        }
    };
    // Keep reading so the server never writes to a closed pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, address)
}

/// A portal on 127.0.0.1:0 calling the ledger at `ledger`, with `server`'s keys.
pub fn portal_config(ledger: String, server: &RunningServer) -> ledger_portal::PortalConfig {
    ledger_portal::PortalConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        ledger,
        session_idle_max: std::time::Duration::from_secs(15 * 60),
        verifier_key: server.verifier_key.clone(),
        cosigner_keys: vec![server.cosigner_key.clone()],
        public_url: None,
        sign_in_rate: ledger_portal::web::SignInRate::default(),
    }
}

/// The portal on 127.0.0.1:0, calling `server`.
pub async fn start_portal(server: &TestServer) -> ledger_portal::RunningPortal {
    let config = portal_config(server.server.address.to_string(), &server.server);
    ledger_portal::start(config).await.expect("portal started")
}

/// A worker enrolled in the Philippines with months there and in Spain (the sample rules' ES-PH
/// agreement totalizes them): her id and activation code.
pub async fn worker_with_months(server: &TestServer) -> (String, String) {
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000701", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut spain = server.clients("agency-es").await;
    let months_in = |year: u32| (1..=12).map(move |month| format!("{year}-{month:02}"));
    let ph: Vec<_> = months_in(2019)
        .map(|month| contribution_from("PH-EMP-0042", &worker, "PH", "PHP", &month, 1_800_000))
        .collect();
    let es: Vec<_> = months_in(2021)
        .chain(months_in(2022))
        .map(|month| contribution_from("ES-EMP-0007", &worker, "ES", "EUR", &month, 150_000))
        .collect();
    for (clients, request_id, contributions) in
        [(&mut philippines, "sss-2019", ph), (&mut spain, "tgss-2021-2022", es)]
    {
        let request = pb::RecordContributionsRequest {
            request_id: request_id.into(),
            contributions,
            ..Default::default()
        };
        clients.agency.record_contributions(request).await.expect("recorded");
    }
    (worker, enrolled.activation_code)
}

/// Saudi Arabia's contributions for `worker` in January, February and May 2023, so that March and
/// April are gaps to report; answers Saudi Arabia's agency clients.
pub async fn saudi_months_with_gaps(server: &TestServer, worker: &str) -> Clients {
    let mut saudi = server.clients("agency-sa").await;
    let contributions = ["2023-01", "2023-02", "2023-05"]
        .iter()
        .map(|month| contribution_from("SA-EMP-0311", worker, "SA", "SAR", month, 300_000))
        .collect();
    let request = pb::RecordContributionsRequest {
        request_id: "gosi-2023".into(),
        contributions,
        ..Default::default()
    };
    saudi.agency.record_contributions(request).await.expect("recorded");
    saudi
}

/// A recruitment fee of PHP 45,000.00 for `worker`'s corridor to `destination`, paid with a loan,
/// to a recruiter licensed in the Philippines (illustrative licence number).
pub fn recruitment_fee(
    request_id: &str,
    worker: &str,
    destination: &str,
) -> pb::RecordRecruitmentCostRequest {
    pb::RecordRecruitmentCostRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        destination: destination.into(),
        licensed_in: "PH".into(),
        licence: "POEA-123-LB-031522-R".into(),
        purpose: pb::RecruitmentPurpose::Fee as i32,
        amount: Some(pb::Money { currency: "PHP".into(), minor: 4_500_000, ..Default::default() }),
        paid_by: pb::CostPayer::Loan as i32,
        lender: "LENDER-PH-0091".into(),
        employer_ref: "SA-EMP-0311".into(),
        paid_in: "2024-11".into(),
        evidence_sha256: vec![0x5a; 32],
    }
}

// An illustrative year of recruitment, for the reports' tests.

pub const COMPANY: &str = "SA-B-7001";
pub const SMALL_COMPANY: &str = "SA-B-7002";
pub const PH_RECRUITER: &str = "POEA-123-LB-031522-R";
pub const NP_RECRUITER: &str = "DOFE-0457-2019";
/// The ledger's clock: everything below is recorded on this day.
pub const TODAY: &str = "2026-01-20T10:00:00Z";

pub fn money(currency: &str, minor: i64) -> Option<pb::Money> {
    Some(pb::Money { currency: currency.into(), minor, ..Default::default() })
}

pub async fn pay_in_saudi_arabia(
    saudi: &mut Clients,
    request_id: &str,
    worker: &str,
    employer: &str,
    sector: pb::Sector,
    months: u32,
) {
    let contributions = (1..=months)
        .map(|month| {
            let mut paid =
                contribution_from(employer, worker, "SA", "SAR", &format!("2025-{month:02}"), 300_000);
            paid.sector = sector as i32;
            paid
        })
        .collect();
    let request =
        pb::RecordContributionsRequest { request_id: request_id.into(), contributions, ..Default::default() };
    saudi.agency.record_contributions(request).await.expect("recorded");
}

#[allow(clippy::too_many_arguments)]
pub async fn recruitment_cost(
    clients: &mut Clients,
    request_id: &str,
    worker: &str,
    licensed_in: &str,
    licence: &str,
    amount: Option<pb::Money>,
    paid_by: pb::CostPayer,
    employer: &str,
) {
    let request = pb::RecordRecruitmentCostRequest {
        request_id: request_id.into(),
        worker_id: worker.into(),
        destination: "SA".into(),
        licensed_in: licensed_in.into(),
        licence: licence.into(),
        purpose: pb::RecruitmentPurpose::Fee as i32,
        amount,
        paid_by: paid_by as i32,
        lender: if paid_by == pb::CostPayer::Loan { "LENDER-PH-0091".into() } else { String::new() },
        employer_ref: employer.into(),
        paid_in: "2025-01".into(),
        evidence_sha256: vec![0x5a; 32],
    };
    clients.worker.record_recruitment_cost(request).await.expect("recorded");
}

/// An illustrative year of recruitment to Saudi Arabia (tests/employer_reports.rs tells it): six
/// domestic workers from the Philippines in six households, seven construction workers from Nepal
/// at a company, two at a small one; recruitment fees paid in January 2025. Returns the company's
/// workers.
pub async fn recruited_to_saudi_arabia(server: &TestServer) -> Vec<String> {
    let mut philippines = server.clients("agency-ph").await;
    let mut saudi = server.clients("agency-sa").await;
    for index in 0..6 {
        let worker = enroll(&mut philippines, &format!("owwa-{index}"), "PH").await;
        let household = format!("SA-HH-{index:04}");
        pay_in_saudi_arabia(
            &mut saudi,
            &format!("gosi-hh-{index}"),
            &worker,
            &household,
            pb::Sector::DomesticWork,
            6,
        )
        .await;
        let paid_by = if index < 3 { pb::CostPayer::Worker } else { pb::CostPayer::Loan };
        let fee = money("PHP", 4_500_000);
        recruitment_cost(
            &mut philippines,
            &format!("dmw-{index}"),
            &worker,
            "PH",
            PH_RECRUITER,
            fee,
            paid_by,
            &household,
        )
        .await;
    }
    let mut company = Vec::new();
    for index in 0..7 {
        let worker = enroll(&mut saudi, &format!("np-{index}"), "NP").await;
        // Declared to October; November and December are what one of them claims.
        pay_in_saudi_arabia(
            &mut saudi,
            &format!("gosi-b-{index}"),
            &worker,
            COMPANY,
            pb::Sector::Construction,
            10,
        )
        .await;
        let (paid_by, fee) = match index {
            0..4 => (pb::CostPayer::Employer, money("SAR", 1_500_000)),
            _ => (pb::CostPayer::Worker, money("NPR", 15_000_000)),
        };
        recruitment_cost(
            &mut saudi,
            &format!("np-fee-{index}"),
            &worker,
            "NP",
            NP_RECRUITER,
            fee,
            paid_by,
            COMPANY,
        )
        .await;
        company.push(worker);
    }
    for index in 0..2 {
        let worker = enroll(&mut saudi, &format!("id-{index}"), "ID").await;
        pay_in_saudi_arabia(
            &mut saudi,
            &format!("gosi-s-{index}"),
            &worker,
            SMALL_COMPANY,
            pb::Sector::Construction,
            3,
        )
        .await;
    }
    company
}
