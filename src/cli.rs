//! Client commands for each kind of user: agencies, workers and auditors. Human tables by default,
//! `--json` for scripts.

use std::path::PathBuf;

use anyhow::{bail, Context};
use ledger_client::fresh_request_id;
use ledger_client::grpc::Clients;
use ledger_client::labels::{branch_code, branch_label, sector_code, sex_code};
use ledger_client::money::{format_minor, format_money};
use ledger_core::sha256;
use ledger_proto::v1 as pb;
use serde_json::json;

pub use crate::connection::Connection;

/// Contributions per request of a CSV import.
pub const IMPORT_BATCH_DEFAULT: usize = 1000;

#[derive(Debug, clap::Subcommand)]
pub enum AgencyCommand {
    /// Enrols a worker; prints their ledger id and their credential (shown once).
    Enroll {
        #[arg(long)]
        origin: String,
        /// female, male or other; not declared when absent.
        #[arg(long)]
        sex: Option<String>,
        #[arg(long)]
        birth_month: Option<String>,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Prints the slip to hand a worker: her worker number, her one-time activation code, and the
    /// portal's activation link as text and as a QR code, in her language. Needs no server.
    Slip {
        #[arg(long)]
        worker: String,
        /// The activation code the enrolment or the reset printed.
        #[arg(long)]
        code: String,
        /// The day the code stops working (YYYY-MM-DD), as the enrolment printed it.
        #[arg(long)]
        expires: String,
        /// The portal's address as workers reach it.
        #[arg(long, env = "LEDGER_PORTAL_URL", default_value = "http://127.0.0.1:8080")]
        portal_url: String,
        /// en, fil, id, ne, th, ar or es.
        #[arg(long, default_value = "en")]
        language: String,
    },
    /// Records one contribution, or every row of a CSV file as payroll systems export it.
    Contribute(ContributeArgs),
    /// Certifies periods of insurance in this agency's unit (days, weeks, months or quarters),
    /// converted to months by its scheme's rule (Reg. 987/2009 Art. 13).
    Certify {
        #[arg(long)]
        worker: String,
        #[arg(long)]
        jurisdiction: String,
        #[arg(long, default_value = "old_age")]
        branch: String,
        /// First month, YYYY-MM.
        #[arg(long)]
        from: String,
        /// Last month, YYYY-MM.
        #[arg(long)]
        to: String,
        /// days, weeks, months or quarters.
        #[arg(long)]
        unit: String,
        #[arg(long)]
        quantity: u32,
        #[arg(long)]
        voluntary: bool,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Records a worker's application for a benefit, with the date of the risk (for old age the
    /// date the pension is claimed from, for invalidity the onset): amounts of the branch are
    /// projected until it is recorded and due.
    Apply {
        #[arg(long)]
        worker: String,
        #[arg(long, default_value = "old_age")]
        branch: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        risk_date: String,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Replaces a recorded contribution's insured wage and shares (a ContributionCorrected event;
    /// the original stays in the log).
    Correct {
        /// The seq of the contribution (its receipt's).
        #[arg(long)]
        seq: u64,
        #[arg(long)]
        wage: i64,
        #[arg(long)]
        employer_share: i64,
        #[arg(long)]
        worker_share: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Grants an entitlement.
    Grant {
        #[arg(long)]
        worker: String,
        #[arg(long)]
        jurisdiction: String,
        #[arg(long, default_value = "old_age")]
        branch: String,
        /// Monthly amount in minor units.
        #[arg(long)]
        amount: i64,
        #[arg(long)]
        currency: String,
        #[arg(long)]
        start: String,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Claims addressed to this agency: open and overdue ones, oldest first.
    Claims {
        /// Resolved claims too.
        #[arg(long)]
        all: bool,
        /// The claims of workers from this agency's jurisdiction, wherever they are addressed.
        #[arg(long)]
        ours: bool,
    },
    /// Answers a claim: upheld (recording the missing contributions) or rejected with a reason.
    Resolve(crate::claims::ResolveArgs),
    /// Records a cost of a worker's recruitment (a fee, travel, a visa, training, a medical
    /// examination), who paid it and the recruiter's licence, for a corridor from her origin of
    /// which this agency is one end.
    RecruitmentCost(crate::recruitment::RecruitmentCostArgs),
    /// Issues a worker of this agency's origin or enrolment a new credential (shown once), at her
    /// request and in person, revoking every earlier one; the chain records that this agency did.
    ResetCredential {
        #[arg(long)]
        worker: String,
        #[arg(long)]
        request_id: Option<String>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ContributeArgs {
    /// CSV with a header row: worker_id, jurisdiction, branch, month, insured_wage_minor,
    /// employer_share_minor, worker_share_minor, currency, employer_ref, sector. Request ids are
    /// derived from the file's content and the row number, so an interrupted import can simply be
    /// run again: rows already recorded are recognised, not recorded twice. A row for a month the
    /// same employer already recorded for the worker corrects that contribution when its figures
    /// differ (a corrected payroll imported again) and is left as it is when they do not.
    #[arg(long, conflicts_with_all = ["worker", "month"])]
    pub csv: Option<PathBuf>,
    /// Contributions per request of a CSV import (1 to 1000).
    #[arg(long, default_value_t = IMPORT_BATCH_DEFAULT)]
    pub batch: usize,
    #[arg(long, required_unless_present = "csv")]
    pub worker: Option<String>,
    #[arg(long)]
    pub jurisdiction: Option<String>,
    #[arg(long, default_value = "old_age")]
    pub branch: String,
    #[arg(long, required_unless_present = "csv")]
    pub month: Option<String>,
    #[arg(long, default_value_t = 0)]
    pub wage: i64,
    #[arg(long, default_value_t = 0)]
    pub employer_share: i64,
    #[arg(long, default_value_t = 0)]
    pub worker_share: i64,
    #[arg(long)]
    pub currency: Option<String>,
    #[arg(long, default_value = "unspecified")]
    pub employer: String,
    #[arg(long, default_value = "other")]
    pub sector: String,
    #[arg(long)]
    pub request_id: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum WorkerCommand {
    /// One portable balance across every country.
    Balance {
        #[arg(long)]
        worker: String,
        /// Compute it as the log stood at this seq.
        #[arg(long)]
        as_of: Option<u64>,
    },
    /// Every event of the worker's record, with its receipt.
    Statement {
        #[arg(long)]
        worker: String,
        /// Also write a portable statement (events, proofs and signed checkpoint) to this file,
        /// for `ledger statement verify`.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Puts a missing or unpaid contribution on the record, addressed to where the work was done.
    Claim(crate::claims::ClaimArgs),
    /// A workers' organisation files one claim for each of several workers who have given it
    /// their consent, in one write (`--members` file: `worker id;months;amount` per line).
    GroupClaim(crate::claims::GroupClaimArgs),
    /// Declares a cost of her own recruitment (marked as declared by her on the chain).
    DeclareRecruitmentCost(crate::recruitment::RecruitmentCostArgs),
    /// Appeals the answer to a claim, once, to the body the rules name for its jurisdiction: by
    /// her, by a workers' organisation with her consent, or by her origin's agency once she is
    /// home (each with its own token).
    Appeal {
        /// The claim's id (the seq of its filing).
        #[arg(long)]
        claim: u64,
        /// A file of her grounds (a letter, new evidence). Only its SHA-256 is sent.
        #[arg(long)]
        grounds: PathBuf,
        #[arg(long)]
        request_id: Option<String>,
    },
    /// Gives a workers' organisation her consent to file and follow her claims (it then files
    /// with `ledger worker claim --worker ...` and its own token), or takes it back (--revoke).
    Consent {
        /// The organisation's principal id.
        #[arg(long)]
        organisation: String,
        #[arg(long)]
        revoke: bool,
        #[arg(long)]
        request_id: Option<String>,
    },
}

/// Commands of an appeal body (a labour court or tribunal the rules name).
#[derive(Debug, clap::Subcommand)]
pub enum AppealCommand {
    /// The appeals made to this body: open ones (and overdue), oldest claim first.
    List {
        /// Decided appeals too.
        #[arg(long)]
        all: bool,
    },
    /// Decides an appeal: upheld (recording the missing contributions, as `agency resolve` does)
    /// or rejected with a reason, which leaves the agency's answer standing.
    Decide(Box<crate::claims::ResolveArgs>),
}

pub async fn appeal(connection: &Connection, command: AppealCommand) -> anyhow::Result<()> {
    match command {
        AppealCommand::List { all } => crate::claims::list_appeals(connection, all).await,
        AppealCommand::Decide(args) => crate::claims::resolve(connection, *args, true).await,
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// The size of the log and the chain hash after its last event.
    Head,
    /// Re-hashes the whole log on the server and checks every link.
    Verify {
        /// Events verified per call (progress is shown between calls).
        #[arg(long, default_value_t = 100_000)]
        step: u64,
    },
    /// Per agency, how the claims filed in a window were answered.
    Accountability {
        /// One jurisdiction's agency; every one with claims when absent.
        #[arg(long)]
        jurisdiction: Option<String>,
        /// First day of filing, YYYY-MM-DD.
        #[arg(long, default_value = "2000-01-01")]
        from: String,
        /// Last day of filing, YYYY-MM-DD; today when absent.
        #[arg(long)]
        to: Option<String>,
    },
    /// Who is covered in a jurisdiction in a calendar year or quarter: by corridor, sex, sector,
    /// employer size class and sex by sector, with wages.
    Coverage {
        #[arg(long)]
        jurisdiction: String,
        /// A calendar year (2025) or quarter (2025-Q1).
        #[arg(long)]
        period: String,
    },
    /// Who paid for the recruitment of workers to a jurisdiction in a calendar year or quarter, by
    /// corridor, recruiter and employer: the employer-pays principle, checked.
    EmployerPays {
        #[arg(long)]
        jurisdiction: String,
        /// A calendar year (2025) or quarter (2025-Q1).
        #[arg(long)]
        period: String,
    },
    /// Employers' accounts in a jurisdiction's calendar year: months declared and claimed missing,
    /// claims and their answers, days to remit.
    Employers {
        #[arg(long)]
        jurisdiction: String,
        /// A calendar year (2025).
        #[arg(long)]
        period: String,
    },
    /// Writes a report as a signed bundle: the report, the checkpoint of the log it was computed
    /// from, and the log key's statement; anyone checks it with verify-report.
    Publish {
        /// coverage, employer-pays or employers.
        #[arg(long)]
        report: String,
        #[arg(long)]
        jurisdiction: String,
        /// A calendar year (2025) or quarter (2025-Q1).
        #[arg(long)]
        period: String,
        /// The bundle file to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// Checks a published report with no server: the checkpoint against the log's key (and a
    /// cosignature policy), the log key's statement, the report's digest; with --export, computes
    /// the report again from an export of the log and compares it byte for byte.
    VerifyReport {
        file: PathBuf,
        /// The verifier key (as `ledger key show` prints it), or a file holding it.
        #[arg(long)]
        key: String,
        /// A cosignature policy file (docs/FORMAT.md).
        #[arg(long)]
        policy: Option<PathBuf>,
        /// An export of the log (`ledger export`), of at least the report's events.
        #[arg(long)]
        export: Option<PathBuf>,
    },
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

pub async fn agency(connection: &Connection, command: AgencyCommand) -> anyhow::Result<()> {
    match command {
        AgencyCommand::Claims { all, ours } => return crate::claims::list(connection, all, ours).await,
        AgencyCommand::Slip { worker, code, expires, portal_url, language } => {
            let language = ledger_portal::i18n::Locale::from_tag(&language)
                .with_context(|| format!("--language {language:?}: one of en, fil, id, ne, th, ar, es"))?;
            let expires =
                chrono::NaiveDate::parse_from_str(expires.get(..10).unwrap_or(&expires), "%Y-%m-%d")
                    .with_context(|| format!("--expires {expires:?}: a day, YYYY-MM-DD"))?;
            let code = ledger_core::ActivationCode::parse(&code)?;
            ledger_core::WorkerId::parse(&worker)?;
            print!("{}", crate::slip::render(language, &worker, &code.grouped(), expires, &portal_url)?);
            return Ok(());
        }
        AgencyCommand::Resolve(args) => return crate::claims::resolve(connection, args, false).await,
        AgencyCommand::RecruitmentCost(args) => return crate::recruitment::record(connection, args).await,
        _ => {}
    }
    let mut clients = connection.connect().await?;
    match command {
        AgencyCommand::Claims { .. }
        | AgencyCommand::Resolve(_)
        | AgencyCommand::RecruitmentCost(_)
        | AgencyCommand::Slip { .. } => {}
        AgencyCommand::Enroll { origin, sex, birth_month, request_id } => {
            let request = pb::EnrollWorkerRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("enrol")),
                origin_jurisdiction: origin,
                sex: sex.as_deref().map(sex_code).transpose()?.unwrap_or(0),
                birth_month: birth_month.unwrap_or_default(),
            };
            let response = clients.agency.enroll_worker(request).await?.into_inner();
            let receipt = response.receipt.unwrap_or_default();
            if connection.json {
                println!(
                    "{}",
                    json!({"worker_id": response.worker_id, "worker_token": response.worker_token,
                           "activation_code": response.activation_code,
                           "activation_expires_at": response.activation_expires_at.as_ref().map(|at| timestamp_text(at.seconds)),
                           "seq": receipt.seq, "replayed": receipt.replayed})
                );
            } else {
                println!("enrolled worker {} at seq {}", response.worker_id, receipt.seq);
                print_credential(&response.worker_id, &response.worker_token);
                print_activation(
                    &response.worker_id,
                    &response.activation_code,
                    response.activation_expires_at.as_ref().map(|at| at.seconds),
                );
            }
        }
        AgencyCommand::ResetCredential { worker, request_id } => {
            let request = pb::ResetWorkerCredentialRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("reset")),
                worker_id: worker.clone(),
            };
            let response = clients.agency.reset_worker_credential(request).await?.into_inner();
            let receipt = response.receipt.unwrap_or_default();
            if connection.json {
                println!(
                    "{}",
                    json!({"worker_id": worker, "worker_token": response.worker_token,
                           "activation_code": response.activation_code,
                           "activation_expires_at": response.activation_expires_at.as_ref().map(|at| timestamp_text(at.seconds)),
                           "seq": receipt.seq, "replayed": receipt.replayed})
                );
            } else {
                println!("reset the credential of {worker} at seq {}", receipt.seq);
                print_credential(&worker, &response.worker_token);
                print_activation(
                    &worker,
                    &response.activation_code,
                    response.activation_expires_at.as_ref().map(|at| at.seconds),
                );
            }
        }
        AgencyCommand::Contribute(args) => contribute(connection, &mut clients, args).await?,
        AgencyCommand::Certify {
            worker,
            jurisdiction,
            branch,
            from,
            to,
            unit,
            quantity,
            voluntary,
            request_id,
        } => {
            let unit = ledger_core::PeriodUnit::from_label(&unit)
                .map_err(|error| anyhow::anyhow!("--unit: {}", error.message))?;
            let request = pb::CertifyPeriodsRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("certify")),
                periods: vec![pb::CertifiedPeriod {
                    worker_id: worker,
                    jurisdiction,
                    branch: branch_code(&branch)?,
                    from_month: from,
                    to_month: to,
                    unit: i32::from(unit.code()),
                    quantity,
                    voluntary,
                }],
            };
            let receipt = clients
                .agency
                .certify_periods(request)
                .await?
                .into_inner()
                .receipts
                .into_iter()
                .next()
                .unwrap_or_default();
            if connection.json {
                println!("{}", json!({"seq": receipt.seq, "replayed": receipt.replayed}));
            } else {
                println!("certified at seq {}", receipt.seq);
            }
        }
        AgencyCommand::Apply { worker, branch, risk_date, request_id } => {
            let request = pb::RecordBenefitApplicationRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("apply")),
                worker_id: worker.clone(),
                branch: branch_code(&branch)?,
                risk_date,
            };
            let receipt = clients
                .agency
                .record_benefit_application(request)
                .await?
                .into_inner()
                .receipt
                .unwrap_or_default();
            if connection.json {
                println!(
                    "{}",
                    json!({"worker_id": worker, "seq": receipt.seq, "replayed": receipt.replayed})
                );
            } else {
                println!("application of {worker} for {branch} benefits recorded at seq {}", receipt.seq);
            }
        }
        AgencyCommand::Correct { seq, wage, employer_share, worker_share, reason, request_id } => {
            let request = pb::CorrectContributionRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("correct")),
                seq,
                insured_wage_minor: wage,
                employer_share_minor: employer_share,
                worker_share_minor: worker_share,
                reason,
            };
            let receipt =
                clients.agency.correct_contribution(request).await?.into_inner().receipt.unwrap_or_default();
            if connection.json {
                println!(
                    "{}",
                    json!({"corrected_seq": seq, "seq": receipt.seq, "replayed": receipt.replayed})
                );
            } else {
                println!("corrected the contribution at seq {seq}: correction at seq {}", receipt.seq);
            }
        }
        AgencyCommand::Grant { worker, jurisdiction, branch, amount, currency, start, request_id } => {
            let request = pb::GrantEntitlementRequest {
                request_id: request_id.unwrap_or_else(|| fresh_request_id("grant")),
                worker_id: worker,
                jurisdiction,
                branch: branch_code(&branch)?,
                monthly_amount_minor: amount,
                currency,
                start_month: start,
            };
            let receipt =
                clients.agency.grant_entitlement(request).await?.into_inner().receipt.unwrap_or_default();
            if connection.json {
                println!("{}", json!({"entitlement_seq": receipt.seq, "replayed": receipt.replayed}));
            } else {
                println!("granted entitlement {} (its id is the seq of its grant)", receipt.seq);
            }
        }
    }
    Ok(())
}

/// The credential an enrolment or a reset issued, or why there is none: a retried request issues
/// nothing, so that whoever holds a copy of it cannot take the worker's record over.
fn print_credential(worker_id: &str, token: &str) {
    if token.is_empty() {
        println!(
            "this request was already recorded and no credential is issued again; if the worker \
             does not hold hers, reset it: ledger agency reset-credential --worker {worker_id}"
        );
    } else {
        println!("worker credential (shown once; hand it to the worker): {token}");
    }
}

/// The portal activation code issued with an enrolment or a reset, when one was.
fn print_activation(worker_id: &str, code: &str, expires_at: Option<i64>) {
    if !code.is_empty() {
        let until = expires_at.map(timestamp_text).unwrap_or_default();
        println!("portal activation code (shown once; works once, until {until}): {code}");
        let day = until.get(..10).unwrap_or_default();
        println!("print her slip: ledger agency slip --worker {worker_id} --code {code} --expires {day} --language LANG");
    }
}

/// A wire timestamp's seconds as RFC 3339, UTC.
fn timestamp_text(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0).map(|at| at.to_rfc3339()).unwrap_or_default()
}

async fn contribute(
    connection: &Connection,
    clients: &mut Clients,
    args: ContributeArgs,
) -> anyhow::Result<()> {
    let Some(csv) = &args.csv else {
        let jurisdiction = args.jurisdiction.context("--jurisdiction is needed")?;
        let contribution = pb::Contribution {
            worker_id: args.worker.unwrap_or_default(),
            jurisdiction,
            branch: branch_code(&args.branch)?,
            month: args.month.unwrap_or_default(),
            insured_wage_minor: args.wage,
            employer_share_minor: args.employer_share,
            worker_share_minor: args.worker_share,
            currency: args.currency.context("--currency is needed")?,
            employer_ref: args.employer,
            sector: sector_code(&args.sector)?,
            voluntary: false,
        };
        let request = pb::RecordContributionsRequest {
            request_id: args.request_id.unwrap_or_else(|| fresh_request_id("contribution")),
            contributions: vec![contribution],
            ..Default::default()
        };
        let receipt = clients.agency.record_contributions(request).await?.into_inner().receipts.remove(0);
        if connection.json {
            println!(
                "{}",
                json!({"seq": receipt.seq, "chain_hash": hex(&receipt.chain_hash), "replayed": receipt.replayed})
            );
        } else {
            println!("recorded at seq {} (chain hash {})", receipt.seq, hex(&receipt.chain_hash));
        }
        return Ok(());
    };
    import_csv(connection, clients, csv, args.batch).await
}

fn read_rows(path: &std::path::Path) -> anyhow::Result<(Vec<pb::Contribution>, [u8; 32])> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let digest = sha256(&bytes);
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(bytes.as_slice());
    let mut rows = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let line = index + 2;
        let record = record.with_context(|| format!("{}: line {line}", path.display()))?;
        let field = |at: usize| record.get(at).unwrap_or("").to_owned();
        let number = |at: usize| -> anyhow::Result<i64> {
            field(at).parse().with_context(|| {
                format!("{}: line {line}, column {}: not a whole number", path.display(), at + 1)
            })
        };
        if record.len() != 10 {
            bail!("{}: line {line} has {} columns, not 10", path.display(), record.len());
        }
        rows.push(pb::Contribution {
            worker_id: field(0),
            jurisdiction: field(1),
            branch: branch_code(&field(2)).with_context(|| format!("{}: line {line}", path.display()))?,
            month: field(3),
            insured_wage_minor: number(4)?,
            employer_share_minor: number(5)?,
            worker_share_minor: number(6)?,
            currency: field(7),
            employer_ref: field(8),
            sector: sector_code(&field(9)).with_context(|| format!("{}: line {line}", path.display()))?,
            voluntary: false,
        });
    }
    Ok((rows, digest))
}

async fn import_csv(
    connection: &Connection,
    clients: &mut Clients,
    path: &std::path::Path,
    batch: usize,
) -> anyhow::Result<()> {
    if batch == 0 || batch > ledger_store::EVENTS_PER_REQUEST_MAX {
        bail!("--batch must be 1 to {}", ledger_store::EVENTS_PER_REQUEST_MAX);
    }
    let (rows, digest) = read_rows(path)?;
    let file_id = hex(&digest[..8]);
    let total = rows.len();
    let (mut recorded, mut corrected, mut unchanged, mut already) = (0usize, 0usize, 0usize, 0usize);
    for (index, chunk) in rows.chunks(batch).enumerate() {
        let request_id = format!("csv-{file_id}-{batch}-{index}");
        let request = pb::RecordContributionsRequest {
            request_id,
            contributions: chunk.to_vec(),
            correct_recorded_reason: format!("payroll file {file_id} imported"),
        };
        let first_line = index * batch + 2;
        let response = clients
            .agency
            .record_contributions(request)
            .await
            .with_context(|| format!("rows from line {first_line} of {}", path.display()))?
            .into_inner();
        if response.results.is_empty() {
            // A retry of a request an earlier run made: its rows are on the record already.
            already += chunk.len();
        }
        for result in &response.results {
            match result.outcome.as_str() {
                "recorded" => recorded += 1,
                "corrected" => corrected += 1,
                _ => unchanged += 1,
            }
        }
        if !connection.json {
            let done = recorded + corrected + unchanged + already;
            eprint!(
                "\rimporting {}: {done}/{total} contributions ({}%)",
                path.display(),
                done * 100 / total.max(1)
            );
        }
    }
    if connection.json {
        println!(
            "{}",
            json!({"rows": total, "recorded": recorded, "corrected": corrected, "unchanged": unchanged,
                   "already_recorded": already})
        );
    } else {
        eprintln!();
        println!(
            "{total} rows: {recorded} recorded now, {corrected} corrected, {unchanged} unchanged, {already} \
             were already recorded by an earlier run"
        );
    }
    Ok(())
}

pub async fn worker(connection: &Connection, command: WorkerCommand) -> anyhow::Result<()> {
    let command = match command {
        WorkerCommand::Claim(args) => return crate::claims::file(connection, args).await,
        WorkerCommand::GroupClaim(args) => return crate::claims::file_group(connection, args).await,
        WorkerCommand::Appeal { claim, grounds, request_id } => {
            return crate::claims::appeal(connection, claim, &grounds, request_id).await
        }
        WorkerCommand::DeclareRecruitmentCost(args) => {
            return crate::recruitment::record(connection, args).await
        }
        other => other,
    };
    let mut clients = connection.connect().await?;
    match command {
        WorkerCommand::Claim(_)
        | WorkerCommand::GroupClaim(_)
        | WorkerCommand::DeclareRecruitmentCost(_)
        | WorkerCommand::Appeal { .. } => {}
        WorkerCommand::Consent { organisation, revoke, request_id } => {
            let request = pb::ChangeConsentRequest {
                request_id: request_id.unwrap_or_else(|| ledger_client::fresh_request_id("consent")),
                organisation: organisation.clone(),
                granted: !revoke,
            };
            let receipt =
                clients.worker.change_consent(request).await?.into_inner().receipt.unwrap_or_default();
            match revoke {
                false => println!("consent given to {organisation} at seq {}", receipt.seq),
                true => println!("consent taken back from {organisation} at seq {}", receipt.seq),
            }
        }
        WorkerCommand::Balance { worker, as_of } => {
            let request = |claims_from_seq| pb::GetBalanceRequest {
                min_seq: None,
                worker_id: worker.clone(),
                as_of_seq: as_of,
                claims_from_seq,
                claims_limit: 0,
            };
            let mut balance = clients.worker.get_balance(request(0)).await?.into_inner();
            // Her claims come a page at a time; the rest of the balance is the same on every page.
            while let Some(next) = balance.next_claims_from_seq.take() {
                let page = clients.worker.get_balance(request(next)).await?.into_inner();
                balance.claims.extend(page.claims);
                balance.next_claims_from_seq = page.next_claims_from_seq;
            }
            print_balance(&balance, connection.json);
        }
        WorkerCommand::Statement { worker, out } => {
            let statement =
                ledger_client::grpc::read_statement(&mut clients.worker, &worker, usize::MAX).await?;
            print_statement(&statement.entries, connection.json);
            if let Some(path) = out {
                let file =
                    ledger_client::grpc::portable_statement(&mut clients.audit, &worker, statement).await?;
                std::fs::write(&path, file.to_json())?;
                eprintln!("portable statement written to {}", path.display());
            }
        }
    }
    Ok(())
}

fn money(value: &Option<pb::Money>) -> String {
    match value {
        Some(money) => format_minor(money.minor, &money.currency, money.exponent),
        None => "-".into(),
    }
}

/// Set-aside months as runs of consecutive months with the same reason and state.
fn set_aside_runs(months: &[pb::SetAsideMonth]) -> Vec<(String, String, String, String)> {
    let mut runs: Vec<(String, String, String, String)> = Vec::new();
    for month in months {
        let next = |last: &str| {
            ledger_core::Month::parse(last)
                .ok()
                .and_then(|last| ledger_core::Month::from_ordinal(last.ordinal() + 1).ok())
                .map(|next| next.to_string())
        };
        match runs.last_mut() {
            Some(run)
                if run.2 == month.reason
                    && run.3 == month.because_of
                    && next(&run.1).as_deref() == Some(month.month.as_str()) =>
            {
                run.1 = month.month.clone();
            }
            _ => runs.push((
                month.month.clone(),
                month.month.clone(),
                month.reason.clone(),
                month.because_of.clone(),
            )),
        }
    }
    runs
}

/// One agreement's result under a balance line: the states it counts (released ones marked,
/// third states too), its totals and what it pays.
fn print_instrument(instrument: &pb::InstrumentView, paid: bool) {
    let states: Vec<String> = instrument
        .states
        .iter()
        .map(|state| {
            let mut text = format!("{} {}", state.jurisdiction, state.months);
            if state.released {
                text.push_str(" released");
            }
            if state.third_state {
                text.push_str(" third state");
            }
            text
        })
        .collect();
    let until = match instrument.counted_until.as_str() {
        "" => String::new(),
        month => format!(", ended: periods to {month}"),
    };
    println!(
        "     under {}: {}{until}; total {}, ratio {}; theoretical {}, pro rata {}, pays {} ({}){}",
        instrument.agreement_id,
        states.join(", "),
        instrument.total_months,
        instrument.ratio_months,
        money(&instrument.theoretical),
        money(&instrument.pro_rata),
        money(&instrument.payable),
        instrument.outcome.replace('_', " "),
        if paid { ", paid" } else { "" }
    );
}

pub fn print_balance(balance: &pb::GetBalanceResponse, as_json: bool) {
    if as_json {
        let lines: Vec<_> = balance
            .lines
            .iter()
            .map(|line| {
                json!({
                    "jurisdiction": line.jurisdiction, "branch": branch_label(line.branch),
                    "own_months": line.own_months, "total_months": line.total_months,
                    "qualifying_months": line.qualifying_months, "missing_months": line.missing_months,
                    "currency": line.payable.as_ref().map(|m| m.currency.clone()),
                    "independent_minor": line.independent.as_ref().map(|m| m.minor),
                    "theoretical_minor": line.theoretical.as_ref().map(|m| m.minor),
                    "pro_rata_minor": line.pro_rata.as_ref().map(|m| m.minor),
                    "payable_minor": line.payable.as_ref().map(|m| m.minor),
                    "agreements": line.agreements.iter().map(|a| a.agreement_id.clone()).collect::<Vec<_>>(),
                    "paid_under": line.paid_under,
                    "standing": line.standing,
                    "instruments": line.instruments.iter().map(|i| json!({
                        "agreement": i.agreement_id, "benefit_rule": i.benefit_rule,
                        "states": i.states.iter().map(|s| json!({
                            "jurisdiction": s.jurisdiction, "months": s.months,
                            "released": s.released, "third_state": s.third_state,
                        })).collect::<Vec<_>>(),
                        "counted_until": i.counted_until, "total_months": i.total_months,
                        "ratio_months": i.ratio_months,
                        "theoretical_minor": i.theoretical.as_ref().map(|m| m.minor),
                        "pro_rata_minor": i.pro_rata.as_ref().map(|m| m.minor),
                        "payable_minor": i.payable.as_ref().map(|m| m.minor),
                        "outcome": i.outcome,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "worker_id": balance.worker_id, "as_of_seq": balance.as_of_seq,
                "evaluated_on": balance.evaluated_on, "lines": lines,
                "claims": balance.claims.iter().map(|claim| json!({
                    "claim_seq": claim.claim_seq, "addressed_to": claim.addressed_to,
                    "months": claim.months, "state": claim.state, "respond_by": claim.respond_by,
                })).collect::<Vec<_>>(),
            })
        );
        return;
    }
    println!(
        "balance of {} as of seq {} (agreements evaluated on {})",
        balance.worker_id, balance.as_of_seq, balance.evaluated_on
    );
    println!(
        "{:<4} {:<18} {:>5} {:>6} {:>5} {:>8} {:>16} {:>16} {:>16}  agreements",
        "", "branch", "own", "total", "need", "missing", "theoretical", "pro rata", "payable"
    );
    for line in &balance.lines {
        let agreements: Vec<&str> = line.agreements.iter().map(|a| a.agreement_id.as_str()).collect();
        println!(
            "{:<4} {:<18} {:>5} {:>6} {:>5} {:>8} {:>16} {:>16} {:>16}  {}",
            line.jurisdiction,
            branch_label(line.branch),
            line.own_months,
            line.total_months,
            if line.has_scheme { line.qualifying_months.to_string() } else { "-".into() },
            line.missing_months,
            money(&line.theoretical),
            money(&line.pro_rata),
            money(&line.payable),
            if agreements.is_empty() { "none".to_owned() } else { agreements.join(", ") }
        );
        for instrument in &line.instruments {
            print_instrument(instrument, line.paid_under == instrument.agreement_id);
        }
        for (first, last, reason, because_of) in set_aside_runs(&line.set_aside) {
            let months = if first == last { first } else { format!("{first}..{last}") };
            println!("     set aside: {months}, {} in {because_of} (Art. 12)", reason.replace('_', " "));
        }
        if line.standing == "projected" {
            let due = match line.due_from.as_str() {
                "" => {
                    "no application of this branch is recorded, or no birth month to tell the pensionable age"
                        .to_owned()
                }
                day => format!("due from {day}"),
            };
            println!("     projected, not payable yet: {due}");
        }
        if line.standing == "not_insured_at_onset" {
            println!("     not insured here at the onset: another state pays (Art. 44)");
        }
        if line.standing == "suspended_abroad" {
            println!(
                "     suspended while the worker lives in {}: no agreement exports {} benefits of {} there",
                balance.residence,
                branch_label(line.branch),
                line.jurisdiction
            );
        }
    }
    for entitlement in &balance.entitlements {
        println!(
            "entitlement {}: {} {} {} a month from {}, {}",
            entitlement.entitlement_seq,
            entitlement.jurisdiction,
            branch_label(entitlement.branch),
            money(&entitlement.monthly_amount),
            entitlement.start_month,
            entitlement.status
        );
    }
    if !balance.residence.is_empty() {
        println!("lives in {}", balance.residence);
    }
    for claim in &balance.claims {
        let due = match &claim.appeal {
            Some(appeal) => {
                format!("appealed to {}, decision due by {}", appeal.appeal_body, appeal.respond_by)
            }
            None => format!("answer due by {}", claim.respond_by),
        };
        println!(
            "claim {}: to {}, {} month(s) from {} (employer {}), {}; {due}",
            claim.claim_seq,
            claim.addressed_to,
            claim.months.len(),
            claim.months.first().map_or("?", String::as_str),
            claim.employer_ref,
            claim.state,
        );
    }
}

fn describe(event: &Option<pb::Event>) -> String {
    use pb::event::Kind;
    match event.as_ref().and_then(|event| event.kind.as_ref()) {
        Some(Kind::WorkerEnrolled(e)) => {
            format!("enrolled in {} (origin {})", e.enrolled_in, e.origin_jurisdiction)
        }
        Some(Kind::ContributionRecorded(e)) => e.contribution.as_ref().map_or_else(String::new, |c| {
            format!(
                "contribution {} {} {}: wage {}",
                c.jurisdiction,
                branch_label(c.branch),
                c.month,
                format_money(c.insured_wage_minor, &c.currency)
            )
        }),
        Some(Kind::ContributionReversed(e)) => format!("reversal of seq {} ({})", e.reversed_seq, e.reason),
        Some(Kind::PeriodCertified(e)) => e.period.as_ref().map_or_else(String::new, |p| {
            let unit =
                ledger_core::PeriodUnit::from_code(p.unit.into()).map_or("?", ledger_core::PeriodUnit::label);
            format!(
                "certified {} {} {} to {}: {} {unit}{}, counting {} month(s)",
                p.jurisdiction,
                branch_label(p.branch),
                p.from_month,
                p.to_month,
                p.quantity,
                if p.voluntary { " of voluntary insurance" } else { "" },
                e.months
            )
        }),
        Some(Kind::BenefitApplied(e)) => format!(
            "application for {} benefits, lodged in {}, risk date {}",
            branch_label(e.branch),
            e.jurisdiction,
            e.risk_date
        ),
        Some(Kind::ContributionCorrected(e)) => {
            let wage = |figures: &Option<pb::ContributionFigures>| {
                money(&figures.as_ref().and_then(|figures| figures.insured_wage.clone()))
            };
            format!(
                "correction of seq {} ({} {} {}): wage {} -> {} ({})",
                e.corrected_seq,
                e.jurisdiction,
                branch_label(e.branch),
                e.month,
                wage(&e.before),
                wage(&e.after),
                e.reason
            )
        }
        Some(Kind::PeriodCredited(e)) => e.period.as_ref().map_or_else(String::new, |p| {
            format!(
                "credited {} {} {} to {}",
                p.jurisdiction,
                branch_label(p.branch),
                p.from_month,
                p.to_month
            )
        }),
        Some(Kind::EntitlementGranted(e)) => {
            format!("entitlement {} {} {}", e.jurisdiction, branch_label(e.branch), money(&e.monthly_amount))
        }
        Some(Kind::EntitlementStatusChanged(e)) => {
            format!("entitlement {} changed ({})", e.entitlement_seq, e.reason)
        }
        Some(Kind::BenefitPaid(e)) => {
            format!("benefit {} for {} paid into {}", money(&e.amount), e.month, e.paid_into)
        }
        Some(Kind::ResidenceChanged(e)) => format!("now lives in {} from {}", e.country, e.from_month),
        Some(Kind::ClaimFiled(e)) => format!(
            "claim to {} ({}, {} months, employer {}), answer by {}",
            e.addressed_to,
            ledger_core::ClaimKind::from_code(e.kind.into()).map_or("?", ledger_core::ClaimKind::label),
            e.months.len(),
            e.employer_ref,
            e.respond_by
        ),
        Some(Kind::ClaimResolved(e)) => format!(
            "claim {} {} by {}{}",
            e.claim_seq,
            ledger_core::ClaimOutcome::from_code(e.outcome.into())
                .map_or("?", ledger_core::ClaimOutcome::label),
            e.jurisdiction,
            if e.reason.is_empty() { String::new() } else { format!(" ({})", e.reason) }
        ),
        Some(Kind::CredentialReplaced(e)) => match e.reset_by.as_str() {
            "" => "credential rotated by the worker".into(),
            agency => format!("credential reset by the agency of {agency}"),
        },
        Some(Kind::AccessChanged(e)) => match e.change.as_str() {
            "pin_set" => "portal PIN set with the activation code".into(),
            "passkey_added" => "portal passkey added, confirmed with the PIN".into(),
            _ => format!("portal access locked after {} wrong attempts in a row", e.failed_attempts),
        },
        Some(Kind::ClaimAppealed(e)) => format!(
            "claim {} appealed to {} ({}){}; decision due by {}",
            e.claim_seq,
            e.appeal_body,
            e.jurisdiction,
            if e.filed_via.is_empty() { String::new() } else { format!(" by the agency of {}", e.filed_via) },
            e.respond_by
        ),
        Some(Kind::AppealDecided(e)) => format!(
            "appeal of claim {} {} in {}{}",
            e.claim_seq,
            ledger_core::ClaimOutcome::from_code(e.outcome.into())
                .map_or("?", ledger_core::ClaimOutcome::label),
            e.jurisdiction,
            if e.reason.is_empty() { String::new() } else { format!(" ({})", e.reason) }
        ),
        Some(Kind::ConsentChanged(e)) => match e.granted {
            true => format!(
                "consent given to {} (registered in {}) to file and follow her claims",
                e.organisation, e.registered_in
            ),
            false => {
                format!("consent taken back from {} (registered in {})", e.organisation, e.registered_in)
            }
        },
        Some(Kind::RecruitmentCostRecorded(e)) => {
            let amount = e.amount.as_ref().map_or_else(String::new, |money| {
                ledger_client::money::format_money(money.minor, &money.currency)
            });
            let label = |code: i32, labels: fn(u8) -> Option<&'static str>| {
                u8::try_from(code).ok().and_then(labels).unwrap_or("?")
            };
            let purpose = label(e.purpose, |code| {
                ledger_core::RecruitmentPurpose::from_code(code.into())
                    .ok()
                    .map(ledger_core::RecruitmentPurpose::label)
            });
            let payer = label(e.paid_by, |code| {
                ledger_core::CostPayer::from_code(code.into()).ok().map(ledger_core::CostPayer::label)
            });
            format!(
                "recruitment {purpose} {amount} in {} paid by {payer}{}, {} to {}, recruiter {} licence {}{}",
                e.paid_in,
                if e.lender.is_empty() { String::new() } else { format!(" (lender {})", e.lender) },
                e.origin,
                e.destination,
                e.licensed_in,
                e.licence,
                if e.declared { ", declared by the worker" } else { "" }
            )
        }
        Some(Kind::RulesAdopted(_)) | None => "other".into(),
    }
}

fn print_statement(entries: &[pb::StatementEntry], as_json: bool) {
    for entry in entries {
        let receipt = entry.receipt.clone().unwrap_or_default();
        if as_json {
            println!(
                "{}",
                json!({"seq": receipt.seq, "principal": entry.principal, "event": describe(&entry.event), "chain_hash": hex(&receipt.chain_hash)})
            );
        } else {
            println!("{:>8}  {:<12} {}", receipt.seq, entry.principal, describe(&entry.event));
        }
    }
}

pub async fn audit(connection: &Connection, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Accountability { jurisdiction, from, to } => {
            return crate::claims::accountability(connection, jurisdiction, from, to).await
        }
        AuditCommand::Coverage { jurisdiction, period } => {
            return crate::claims::coverage(connection, jurisdiction, period).await
        }
        AuditCommand::EmployerPays { jurisdiction, period } => {
            return crate::reports::employer_pays(connection, jurisdiction, period).await
        }
        AuditCommand::Employers { jurisdiction, period } => {
            return crate::reports::employers(connection, jurisdiction, period).await
        }
        AuditCommand::Publish { report, jurisdiction, period, out } => {
            return crate::reports::publish(connection, report, jurisdiction, period, &out).await
        }
        AuditCommand::VerifyReport { file, key, policy, export } => {
            let trust = crate::trust::load(&key, policy.as_deref())?;
            return crate::reports::verify_report(&file, &trust, export.as_deref());
        }
        _ => {}
    }
    let mut clients = connection.connect().await?;
    let head = clients.audit.get_chain_head(pb::GetChainHeadRequest {}).await?.into_inner();
    match command {
        AuditCommand::Head => {
            if connection.json {
                println!("{}", json!({"size": head.size, "head_hash": hex(&head.head_hash)}));
            } else {
                println!("{} events; chain hash {}", head.size, hex(&head.head_hash));
            }
        }
        AuditCommand::Accountability { .. }
        | AuditCommand::Coverage { .. }
        | AuditCommand::EmployerPays { .. }
        | AuditCommand::Employers { .. }
        | AuditCommand::Publish { .. }
        | AuditCommand::VerifyReport { .. } => {}
        AuditCommand::Verify { step } => {
            let mut from = 0;
            let mut verified = 0;
            while from < head.size {
                let to = (from + step.max(1)).min(head.size);
                let answer = clients
                    .audit
                    .verify_chain(pb::VerifyChainRequest { from_seq: from, to_seq: Some(to) })
                    .await?
                    .into_inner();
                verified += answer.verified;
                if !answer.ok {
                    bail!(
                        "the chain is broken at seq {}: {}",
                        answer.first_bad_seq.unwrap_or(from),
                        answer.reason
                    );
                }
                if !connection.json {
                    eprint!(
                        "\rverified {verified}/{} events ({}%)",
                        head.size,
                        verified * 100 / head.size.max(1)
                    );
                }
                from = to;
            }
            if connection.json {
                println!("{}", json!({"ok": true, "verified": verified}));
            } else {
                eprintln!();
                println!("verified {verified} events: every record hashes to its chain hash and links to the one before");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{format_minor, format_money};

    #[test]
    fn money_reads_as_people_write_it() {
        for (minor, currency, expected) in [
            (96_768, "EUR", "EUR 967.68"),
            (5, "EUR", "EUR 0.05"),
            (-1_250, "PHP", "PHP -12.50"),
            (1_500, "JPY", "JPY 1500"),
            (12_345, "KWD", "KWD 12.345"),
            (0, "SAR", "SAR 0.00"),
        ] {
            assert_eq!(format_money(minor, currency), expected);
        }
        // A Money carries its exponent; the client uses it rather than a table of its own.
        assert_eq!(format_minor(12_345, "XTS", 3), "XTS 12.345");
        assert_eq!(format_minor(-7, "XTS", 1), "XTS -0.7");
    }
}
