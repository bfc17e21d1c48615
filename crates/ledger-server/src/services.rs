//! The tonic services: each handler authenticates, converts the request, asks the ledger, and
//! converts the answer. Blocking reads of sled run on the blocking pool.

use std::future::Future;
use std::pin::Pin;

use ledger_core::{MinorUnits, Seq, WorkerId};
use ledger_projections::coverage::Period;
use ledger_proto::v1 as pb;
use ledger_store::{Action, Actor, ClaimsBy, Command, Ledger, Outcome, StoreError};
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use crate::access::{reading, require, Reading, Rpc};
use crate::convert;
use crate::principals::{new_token, Principal, Role};
use crate::status::{from_store, invalid};

/// Entries in one statement page when the client asks for no particular size.
pub const STATEMENT_PAGE_DEFAULT: usize = 1000;
/// Most entries in one statement page.
pub const STATEMENT_PAGE_MAX: usize = 5000;
/// Claims in one answer of ListClaims or one balance, when the caller does not say; and at most.
pub const CLAIMS_PAGE_DEFAULT: usize = 100;
pub const CLAIMS_PAGE_MAX: usize = 1000;
/// Recovery state entries per streamed message: each is under 200 bytes, so a message stays far
/// below the response limit.
const RECOVERY_ENTRIES_PER_MESSAGE: usize = 4096;
/// Events streamed by one ReadEvents call when the client asks for no particular number.
pub const READ_EVENTS_DEFAULT: usize = 1000;
/// Most events streamed by one ReadEvents call.
pub const READ_EVENTS_MAX: usize = 100_000;
/// Events read from sled per step of a ReadEvents stream.
const READ_EVENTS_CHUNK: usize = 512;
/// Chunks buffered ahead of a slow reader of a stream.
const STREAM_CHUNKS_BUFFERED: usize = 4;

#[derive(Clone, Debug)]
pub struct Api {
    pub ledger: Ledger,
    /// Her PIN, its attempts and the passkey challenges, shared with the sign-in service.
    pub sign_in: crate::sign_in::SignIn,
    pub metrics: std::sync::Arc<crate::metrics::Metrics>,
    pub limits: crate::gate::Limits,
    /// Becomes true when the server starts to stop, so that subscriptions end and let it.
    pub stopping: tokio::sync::watch::Receiver<bool>,
    /// The gate, for live streams to check their callers again when the principals change.
    pub gate: std::sync::Arc<crate::gate::Gate>,
    /// The other replicas of a configured cluster, asked to cosign the checkpoints this one signs.
    pub cosigners: Option<std::sync::Arc<ledger_cluster::node::Cosigners>>,
    /// This replica in its cluster (a cluster of one when none is configured).
    pub node: ledger_cluster::node::Node,
    /// Reports being computed: each reads the whole log, so at most
    /// [`REPORTS_IN_FLIGHT_MAX`] at once, and a caller past them is told to ask again.
    pub reports: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How many reports that read the whole log are computed at once, over every caller.
pub const REPORTS_IN_FLIGHT_MAX: usize = 2;

/// The request metadata that asks for a linearizable read, and its one value: the read reflects
/// every write acknowledged before it, wherever it was made. Only the leader serves one; a
/// follower answers UNAVAILABLE naming it (`ledger-leader`).
pub const READ_METADATA: &str = "ledger-read";
pub const READ_LINEARIZABLE: &str = "linearizable";

/// Whether the request asks for a linearizable read; any other value of the metadata is refused.
fn linearizable<T>(request: &Request<T>) -> Result<bool, Status> {
    match request.metadata().get(READ_METADATA) {
        None => Ok(false),
        Some(value) if value.as_bytes() == READ_LINEARIZABLE.as_bytes() => Ok(true),
        Some(_) => Err(Status::invalid_argument(format!(
            "{READ_METADATA}: the one value is \"{READ_LINEARIZABLE}\""
        ))),
    }
}

fn actor(principal: &Principal) -> Actor {
    let id = principal.id.clone();
    match (principal.role, &principal.worker, principal.jurisdiction) {
        (Role::Worker, Some(worker), _) => Actor::Worker { principal: id, worker: worker.clone() },
        (Role::Agency, None, Some(jurisdiction)) => Actor::Agency { principal: id, jurisdiction },
        (Role::Organisation, None, Some(registered_in)) => {
            Actor::Organisation { principal: id, registered_in }
        }
        (Role::AppealBody, None, Some(jurisdiction)) => Actor::AppealBody { principal: id, jurisdiction },
        _ => Actor::Other { principal: id },
    }
}

impl Api {
    /// A jurisdiction's calendar year folded from the whole log, for one of the reports of
    /// `period`; at most [`REPORTS_IN_FLIGHT_MAX`] at once.
    async fn fold_year(
        &self,
        jurisdiction: &str,
        period: &str,
    ) -> Result<(ledger_projections::coverage::YearFold, Period), Status> {
        let destination = convert::jurisdiction("jurisdiction", jurisdiction).map_err(invalid)?;
        let period = Period::parse(period).map_err(invalid)?;
        let _computing = self.reports.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "{REPORTS_IN_FLIGHT_MAX} reports are being computed, each over the whole log; ask again shortly"
            ))
        })?;
        let year = self.blocking(move |ledger| ledger.fold_year(destination, period.year(), None)).await?;
        Ok((year, period))
    }

    async fn submit(
        &self,
        principal: &Principal,
        request_id: &str,
        action: Action,
    ) -> Result<Outcome, Status> {
        let request_id = convert::request_id(request_id).map_err(invalid)?;
        let command = Command { actor: actor(principal), request_id, action };
        self.ledger.submit(command).await.map_err(from_store)
    }

    /// A new random credential for the worker, replacing every earlier one, through the writer:
    /// the CredentialReplaced event and the credential's digest are made durable together. The
    /// token is returned once, and not at all when the request was a retry. An agency's reset
    /// also issues a new activation code, clears her PIN and ends her sessions.
    async fn replace_credential(
        &self,
        principal: &Principal,
        request_id: &str,
        worker_id: WorkerId,
    ) -> Result<(pb::Receipt, String, Option<Issued>), Status> {
        let token = new_token().map_err(|_| Status::unavailable("no randomness for a credential"))?;
        let credential = ledger_core::sha256(token.as_bytes());
        let issued = match principal.worker {
            Some(_) => None,
            None => Some(crate::sign_in::new_activation(self.ledger.now())?),
        };
        let activation = issued.as_ref().map(|(_, activation)| *activation);
        let action = Action::ReplaceCredential { worker_id: worker_id.clone(), credential, activation };
        let outcome = self.submit(principal, request_id, action).await?;
        let receipt = outcome.receipts.first().ok_or_else(|| Status::internal("internal error"))?;
        if receipt.replayed {
            return Ok((convert::receipt(receipt), String::new(), None));
        }
        if issued.is_some() {
            self.gate.sessions().end_all(&worker_id);
        }
        Ok((convert::receipt(receipt), token, issued))
    }

    /// How the caller may read this worker's record: all of it when it is their own, what concerns
    /// its jurisdiction for an agency (`access::Reading`).
    async fn reader(&self, principal: &Principal, worker_id: &WorkerId) -> Result<Reading, Status> {
        let of = worker_id.clone();
        let projection = self.blocking(move |ledger| ledger.projection(&of)).await?;
        let projection =
            projection.ok_or_else(|| Status::not_found(format!("worker_id: no worker {worker_id}")))?;
        reading(principal, worker_id, &projection).ok_or_else(|| {
            Status::permission_denied(format!("{} may not read the record of {worker_id}", principal.id))
        })
    }

    /// Waits, for a bounded time, until the read may be served: linearizable when asked (this
    /// replica leads and has applied every write committed before), and past the event at
    /// `min_seq` when the request names one.
    async fn applied(&self, min_seq: Option<u64>, linearizable: bool) -> Result<(), Status> {
        if linearizable {
            self.node.linearizable().await.map_err(from_store)?;
        }
        match min_seq {
            Some(seq) => self.ledger.applied_past(Seq(seq)).await.map_err(from_store),
            None => Ok(()),
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(Ledger) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, Status> {
        let ledger = self.ledger.clone();
        tokio::task::spawn_blocking(move || work(ledger))
            .await
            .map_err(|_| Status::internal("internal error"))?
            .map_err(from_store)
    }
}

/// An activation code as issued, and what the store keeps of it.
type Issued = (ledger_core::ActivationCode, ledger_store::access::Activation);

/// The code and its expiry as the wire carries them; empty when none was issued.
fn activation_wire(issued: Option<&Issued>) -> (String, Option<prost_types::Timestamp>) {
    match issued {
        Some((code, activation)) => (code.grouped(), Some(convert::timestamp(activation.expires_at))),
        None => (String::new(), None),
    }
}

fn receipts(outcome: &Outcome) -> Vec<pb::Receipt> {
    outcome.receipts.iter().map(convert::receipt).collect()
}

#[tonic::async_trait]
impl pb::agency_service_server::AgencyService for Api {
    async fn enroll_worker(
        &self,
        request: Request<pb::EnrollWorkerRequest>,
    ) -> Result<Response<pb::EnrollWorkerResponse>, Status> {
        let principal = require(&request, Rpc::EnrollWorker)?;
        let wire = request.into_inner();
        // The credential is stored in the enrolment's own commit, so enrolling costs one fsync.
        let token = new_token().map_err(|_| Status::unavailable("no randomness for a credential"))?;
        let (code, activation) = crate::sign_in::new_activation(self.ledger.now())?;
        let action = Action::EnrollWorker {
            origin: convert::jurisdiction("origin_jurisdiction", &wire.origin_jurisdiction)
                .map_err(invalid)?,
            sex: convert::optional_sex(wire.sex).map_err(invalid)?,
            birth_month: convert::optional_month("birth_month", &wire.birth_month).map_err(invalid)?,
            credential: Some(ledger_core::sha256(token.as_bytes())),
            activation: Some(activation),
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        let worker_id = outcome.worker_id.clone().ok_or_else(|| Status::internal("internal error"))?;
        // A retry finds the enrolment already recorded and issues nothing: whoever holds the
        // request (its id and content are on the worker's statement) must not get a credential.
        // A lost credential is reset, on the chain, with ResetWorkerCredential.
        let replayed = outcome.receipts.iter().any(|receipt| receipt.replayed);
        let (worker_token, issued) =
            if replayed { (String::new(), None) } else { (token, Some((code, activation))) };
        let (activation_code, activation_expires_at) = activation_wire(issued.as_ref());
        Ok(Response::new(pb::EnrollWorkerResponse {
            worker_id: worker_id.to_string(),
            receipt: outcome.receipts.first().map(convert::receipt),
            worker_token,
            activation_code,
            activation_expires_at,
        }))
    }

    async fn record_contributions(
        &self,
        request: Request<pb::RecordContributionsRequest>,
    ) -> Result<Response<pb::RecordContributionsResponse>, Status> {
        let principal = require(&request, Rpc::RecordContributions)?;
        let wire = request.into_inner();
        let items =
            convert::batch("contributions", &wire.contributions, convert::contribution).map_err(invalid)?;
        let action = match wire.correct_recorded_reason.as_str() {
            "" => Action::RecordContributions(items),
            reason => Action::RecordOrCorrect {
                items,
                reason: ledger_core::Text::parse(
                    "correct_recorded_reason",
                    reason,
                    ledger_core::REASON_LEN_MAX,
                )
                .map_err(invalid)?,
            },
        };
        action.check_size().map_err(invalid)?;
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::RecordContributionsResponse {
            receipts: receipts(&outcome),
            results: outcome
                .contributions
                .iter()
                .map(|result| pb::ContributionResult {
                    outcome: result.label().to_owned(),
                    contribution_seq: result.seq().0,
                })
                .collect(),
        }))
    }

    async fn certify_periods(
        &self,
        request: Request<pb::CertifyPeriodsRequest>,
    ) -> Result<Response<pb::CertifyPeriodsResponse>, Status> {
        let principal = require(&request, Rpc::CertifyPeriods)?;
        let wire = request.into_inner();
        let items = convert::batch("periods", &wire.periods, convert::certified_period).map_err(invalid)?;
        let action = Action::CertifyPeriods(items);
        action.check_size().map_err(invalid)?;
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::CertifyPeriodsResponse { receipts: receipts(&outcome) }))
    }

    async fn record_benefit_application(
        &self,
        request: Request<pb::RecordBenefitApplicationRequest>,
    ) -> Result<Response<pb::RecordBenefitApplicationResponse>, Status> {
        let principal = require(&request, Rpc::RecordBenefitApplication)?;
        let wire = request.into_inner();
        let action = Action::ApplyForBenefit {
            worker_id: WorkerId::parse(&wire.worker_id).map_err(invalid)?,
            branch: ledger_core::Branch::from_code(wire.branch.into()).map_err(invalid)?,
            risk_date: chrono::NaiveDate::parse_from_str(&wire.risk_date, "%Y-%m-%d").map_err(|_| {
                invalid(ledger_core::InvalidInput::new(
                    "risk_date",
                    format!("{:?} is not a date of the form YYYY-MM-DD", wire.risk_date),
                ))
            })?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::RecordBenefitApplicationResponse {
            receipt: outcome.receipts.first().map(convert::receipt),
        }))
    }

    async fn correct_contribution(
        &self,
        request: Request<pb::CorrectContributionRequest>,
    ) -> Result<Response<pb::CorrectContributionResponse>, Status> {
        let principal = require(&request, Rpc::CorrectContribution)?;
        let wire = request.into_inner();
        let action = Action::CorrectContribution {
            seq: Seq(wire.seq),
            figures: convert::figures(
                wire.insured_wage_minor,
                wire.employer_share_minor,
                wire.worker_share_minor,
            )
            .map_err(invalid)?,
            reason: convert::reason(&wire.reason).map_err(invalid)?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::CorrectContributionResponse {
            receipt: outcome.receipts.first().map(convert::receipt),
        }))
    }

    async fn reverse_contribution(
        &self,
        request: Request<pb::ReverseContributionRequest>,
    ) -> Result<Response<pb::ReverseContributionResponse>, Status> {
        let principal = require(&request, Rpc::ReverseContribution)?;
        let wire = request.into_inner();
        let action = Action::ReverseContribution {
            seq: Seq(wire.seq),
            reason: convert::reason(&wire.reason).map_err(invalid)?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::ReverseContributionResponse {
            receipt: outcome.receipts.first().map(convert::receipt),
        }))
    }

    async fn credit_periods(
        &self,
        request: Request<pb::CreditPeriodsRequest>,
    ) -> Result<Response<pb::CreditPeriodsResponse>, Status> {
        let principal = require(&request, Rpc::CreditPeriods)?;
        let wire = request.into_inner();
        let items = convert::batch("periods", &wire.periods, convert::period).map_err(invalid)?;
        let action = Action::CreditPeriods(items);
        action.check_size().map_err(invalid)?;
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::CreditPeriodsResponse { receipts: receipts(&outcome) }))
    }

    async fn grant_entitlement(
        &self,
        request: Request<pb::GrantEntitlementRequest>,
    ) -> Result<Response<pb::GrantEntitlementResponse>, Status> {
        let principal = require(&request, Rpc::GrantEntitlement)?;
        let wire = request.into_inner();
        let action = Action::GrantEntitlement {
            worker_id: convert::worker_id(&wire.worker_id).map_err(invalid)?,
            jurisdiction: convert::jurisdiction("jurisdiction", &wire.jurisdiction).map_err(invalid)?,
            branch: convert::branch(wire.branch).map_err(invalid)?,
            currency: convert::currency(&wire.currency).map_err(invalid)?,
            monthly_amount: MinorUnits::new("monthly_amount_minor", wire.monthly_amount_minor)
                .map_err(invalid)?,
            start: convert::month("start_month", &wire.start_month).map_err(invalid)?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::GrantEntitlementResponse { receipt: first_receipt(&outcome) }))
    }

    async fn change_entitlement_status(
        &self,
        request: Request<pb::ChangeEntitlementStatusRequest>,
    ) -> Result<Response<pb::ChangeEntitlementStatusResponse>, Status> {
        let principal = require(&request, Rpc::ChangeEntitlementStatus)?;
        let wire = request.into_inner();
        let action = Action::ChangeEntitlementStatus {
            entitlement: Seq(wire.entitlement_seq),
            change: convert::status_change(wire.change).map_err(invalid)?,
            effective: convert::month("effective_month", &wire.effective_month).map_err(invalid)?,
            reason: convert::reason(&wire.reason).map_err(invalid)?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::ChangeEntitlementStatusResponse { receipt: first_receipt(&outcome) }))
    }

    async fn record_benefit_payment(
        &self,
        request: Request<pb::RecordBenefitPaymentRequest>,
    ) -> Result<Response<pb::RecordBenefitPaymentResponse>, Status> {
        let principal = require(&request, Rpc::RecordBenefitPayment)?;
        let wire = request.into_inner();
        let action = Action::RecordBenefitPayment {
            entitlement: Seq(wire.entitlement_seq),
            month: convert::month("month", &wire.month).map_err(invalid)?,
            currency: convert::currency(&wire.currency).map_err(invalid)?,
            amount: MinorUnits::new("amount_minor", wire.amount_minor).map_err(invalid)?,
            paid_into: convert::jurisdiction("paid_into", &wire.paid_into).map_err(invalid)?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::RecordBenefitPaymentResponse { receipt: first_receipt(&outcome) }))
    }

    async fn record_residence_change(
        &self,
        request: Request<pb::RecordResidenceChangeRequest>,
    ) -> Result<Response<pb::RecordResidenceChangeResponse>, Status> {
        let principal = require(&request, Rpc::RecordResidenceChange)?;
        let wire = request.into_inner();
        let action = Action::RecordResidenceChange {
            worker_id: convert::worker_id(&wire.worker_id).map_err(invalid)?,
            country: convert::jurisdiction("country", &wire.country).map_err(invalid)?,
            from: convert::month("from_month", &wire.from_month).map_err(invalid)?,
        };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::RecordResidenceChangeResponse { receipt: first_receipt(&outcome) }))
    }

    async fn resolve_claim(
        &self,
        request: Request<pb::ResolveClaimRequest>,
    ) -> Result<Response<pb::ResolveClaimResponse>, Status> {
        let principal = require(&request, Rpc::ResolveClaim)?;
        let wire = request.into_inner();
        let (outcome, reason, contributions) =
            convert::answer(wire.outcome, &wire.reason, &wire.contributions).map_err(invalid)?;
        let action = Action::ResolveClaim { claim: Seq(wire.claim_seq), outcome, reason, contributions };
        action.check_size().map_err(invalid)?;
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::ResolveClaimResponse { receipts: receipts(&outcome) }))
    }

    async fn list_claims(
        &self,
        request: Request<pb::ListClaimsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let principal = require(&request, Rpc::ListClaims)?;
        let linearizable = linearizable(&request)?;
        let jurisdiction = principal
            .jurisdiction
            .ok_or_else(|| Status::permission_denied("agencies and organisations only"))?;
        let wire = request.into_inner();
        let organisation = (principal.role == Role::Organisation).then(|| principal.id.clone());
        if organisation.is_some() && wire.of_our_workers {
            return Err(Status::invalid_argument(
                "of_our_workers: an organisation follows the claims it filed, for workers whose consent holds",
            ));
        }
        let by = if wire.of_our_workers { ClaimsBy::Origin } else { ClaimsBy::Addressed };
        let limit = page_size(wire.limit, CLAIMS_PAGE_DEFAULT, CLAIMS_PAGE_MAX);
        let (from, open_only) = (Seq(wire.from_seq), wire.open_only);
        self.applied(wire.min_seq, linearizable).await?;
        let (page, today) = self
            .blocking(move |ledger| {
                let open = move |claim: &ledger_projections::Claim| !open_only || claim.resolution.is_none();
                let page = match &organisation {
                    // Her claims it filed or appealed, while her consent holds: their status, no
                    // more; open ones are those waiting for an answer or an appeal's decision.
                    Some(organisation) => {
                        ledger.claims_filed_by(organisation, from, limit, |projection, claim| {
                            projection.consents.contains_key(organisation)
                                && (!open_only || claim.is_pending())
                        })?
                    }
                    None => ledger.claims(by, jurisdiction, from, limit, open)?,
                };
                Ok((page, ledger.today()))
            })
            .await?;
        Ok(Response::new(convert::claims_page(&page, today)))
    }

    async fn reset_worker_credential(
        &self,
        request: Request<pb::ResetWorkerCredentialRequest>,
    ) -> Result<Response<pb::ResetWorkerCredentialResponse>, Status> {
        let principal = require(&request, Rpc::ResetWorkerCredential)?;
        let wire = request.into_inner();
        let worker_id = convert::worker_id(&wire.worker_id).map_err(invalid)?;
        let (receipt, worker_token, issued) =
            self.replace_credential(&principal, &wire.request_id, worker_id).await?;
        let (activation_code, activation_expires_at) = activation_wire(issued.as_ref());
        Ok(Response::new(pb::ResetWorkerCredentialResponse {
            receipt: Some(receipt),
            worker_token,
            activation_code,
            activation_expires_at,
        }))
    }
}

/// A fresh request id for a worker's rotation: `rotation-` and 64 random bits, in hex.
fn rotation_request_id() -> Result<String, Status> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|_| Status::unavailable("no randomness for a credential"))?;
    Ok(format!("rotation-{}", hex::encode(random)))
}

fn first_receipt(outcome: &Outcome) -> Option<pb::Receipt> {
    outcome.receipts.first().map(convert::receipt)
}

#[tonic::async_trait]
impl pb::worker_service_server::WorkerService for Api {
    async fn get_statement(
        &self,
        request: Request<pb::GetStatementRequest>,
    ) -> Result<Response<pb::GetStatementResponse>, Status> {
        let principal = require(&request, Rpc::GetStatement)?;
        let linearizable = linearizable(&request)?;
        let wire = request.into_inner();
        let worker_id = WorkerId::parse(&wire.worker_id).map_err(invalid)?;
        self.applied(wire.min_seq, linearizable).await?;
        let reading = self.reader(&principal, &worker_id).await?;
        let limit = page_size(wire.limit, STATEMENT_PAGE_DEFAULT, STATEMENT_PAGE_MAX);
        let from = Seq(wire.from_seq);
        let statement_of = worker_id.clone();
        let (statement, (proofs, checkpoint)) = self
            .blocking(move |ledger| {
                let statement =
                    ledger.statement(&statement_of, from, limit, |record| reading.shows(&record.event))?;
                // Every entry is proved against the signed tree, taken after the entries were
                // read, so that it holds them all.
                let proved = ledger.with_checkpoint(|size| {
                    statement
                        .entries
                        .iter()
                        .map(|entry| ledger.inclusion_proof(entry.receipt.seq, size))
                        .collect::<Result<Vec<_>, _>>()
                })?;
                Ok((statement, proved))
            })
            .await?;
        let entries = statement
            .entries
            .into_iter()
            .zip(proofs)
            .map(|(entry, proof)| {
                let mut wire = convert::statement_entry(entry);
                wire.inclusion_proof = proof.iter().map(|hash| hash.to_vec()).collect();
                wire
            })
            .collect();
        Ok(Response::new(pb::GetStatementResponse {
            worker_id: worker_id.to_string(),
            entries,
            next_from_seq: statement.next.map(|seq| seq.0),
            checkpoint: checkpoint.note,
            tree_size: checkpoint.tree.size,
        }))
    }

    async fn get_balance(
        &self,
        request: Request<pb::GetBalanceRequest>,
    ) -> Result<Response<pb::GetBalanceResponse>, Status> {
        let principal = require(&request, Rpc::GetBalance)?;
        let linearizable = linearizable(&request)?;
        let wire = request.into_inner();
        let worker_id = WorkerId::parse(&wire.worker_id).map_err(invalid)?;
        let as_of = wire.as_of_seq.map(Seq);
        let claims_from = Seq(wire.claims_from_seq);
        let claims_limit = page_size(wire.claims_limit, CLAIMS_PAGE_DEFAULT, CLAIMS_PAGE_MAX);
        self.applied(wire.min_seq, linearizable).await?;
        // One trip to the blocking pool: the access check reads the same projection the
        // balance is computed from.
        let balance = self
            .blocking(move |ledger| {
                let denied = || {
                    StoreError::PermissionDenied(format!(
                        "{} may not read the record of {worker_id}",
                        principal.id
                    ))
                };
                let mut seen = None;
                let balance = ledger.balance(&worker_id, as_of, |projection| {
                    seen = reading(&principal, &worker_id, projection);
                    seen.map(drop).ok_or_else(denied)
                })?;
                Ok(seen.ok_or_else(denied)?.balance(balance))
            })
            .await?;
        // One page of her claims: a worker may have filed many over a working life.
        let mut balance = balance;
        let mut claims =
            std::mem::take(&mut balance.claims).into_iter().filter(|(seq, _)| *seq >= claims_from);
        balance.claims = claims.by_ref().take(claims_limit).collect();
        let next_claims = claims.next().map(|(seq, _)| seq.0);
        Ok(Response::new(pb::GetBalanceResponse {
            next_claims_from_seq: next_claims,
            ..convert::balance(&balance)
        }))
    }

    async fn file_claim(
        &self,
        request: Request<pb::FileClaimRequest>,
    ) -> Result<Response<pb::FileClaimResponse>, Status> {
        let principal = require(&request, Rpc::FileClaim)?;
        let wire = request.into_inner();
        // A worker may leave their own id out; an agency names the worker it files for.
        let worker_id = match (wire.worker_id.as_str(), &principal.worker) {
            ("", Some(own)) => own.clone(),
            (text, _) => convert::worker_id(text).map_err(invalid)?,
        };
        let action = Action::FileClaim(convert::claim_request(&wire, worker_id).map_err(invalid)?);
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        let receipt = outcome.receipts.first().ok_or_else(|| Status::internal("internal error"))?;
        let respond_by = outcome.respond_by.ok_or_else(|| Status::internal("internal error"))?;
        Ok(Response::new(pb::FileClaimResponse {
            receipt: Some(convert::receipt(receipt)),
            respond_by: respond_by.to_string(),
        }))
    }

    async fn record_recruitment_cost(
        &self,
        request: Request<pb::RecordRecruitmentCostRequest>,
    ) -> Result<Response<pb::RecordRecruitmentCostResponse>, Status> {
        let principal = require(&request, Rpc::RecordRecruitmentCost)?;
        let wire = request.into_inner();
        let worker_id = match (wire.worker_id.as_str(), &principal.worker) {
            ("", Some(own)) => own.clone(),
            (text, _) => convert::worker_id(text).map_err(invalid)?,
        };
        let cost = convert::recruitment_cost(&wire, worker_id).map_err(invalid)?;
        let action = Action::RecordRecruitmentCost(Box::new(cost));
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        let receipt = outcome.receipts.first().ok_or_else(|| Status::internal("internal error"))?;
        Ok(Response::new(pb::RecordRecruitmentCostResponse { receipt: Some(convert::receipt(receipt)) }))
    }

    async fn file_group_claim(
        &self,
        request: Request<pb::FileGroupClaimRequest>,
    ) -> Result<Response<pb::FileGroupClaimResponse>, Status> {
        let principal = require(&request, Rpc::FileGroupClaim)?;
        let wire = request.into_inner();
        if wire.members.len() > ledger_store::EVENTS_PER_REQUEST_MAX {
            return Err(Status::invalid_argument(format!(
                "members: a group claim is of at most {} workers",
                ledger_store::EVENTS_PER_REQUEST_MAX
            )));
        }
        let members = wire
            .members
            .iter()
            .enumerate()
            .map(|(index, member)| {
                let place = |error: ledger_core::InvalidInput| {
                    ledger_core::InvalidInput::new(format!("members[{index}].{}", error.field), error.message)
                };
                let claim = pb::FileClaimRequest {
                    request_id: String::new(),
                    worker_id: member.worker_id.clone(),
                    jurisdiction: wire.jurisdiction.clone(),
                    employer_ref: wire.employer_ref.clone(),
                    months: member.months.clone(),
                    kind: wire.kind,
                    amount_minor: member.amount_minor,
                    evidence_sha256: wire.evidence_sha256.clone(),
                };
                let worker_id = convert::worker_id(&member.worker_id).map_err(place)?;
                convert::claim_request(&claim, worker_id).map_err(place)
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(invalid)?;
        let outcome = self.submit(&principal, &wire.request_id, Action::FileGroupClaim(members)).await?;
        Ok(Response::new(pb::FileGroupClaimResponse { receipts: receipts(&outcome) }))
    }

    async fn appeal_claim(
        &self,
        request: Request<pb::AppealClaimRequest>,
    ) -> Result<Response<pb::AppealClaimResponse>, Status> {
        let principal = require(&request, Rpc::AppealClaim)?;
        let wire = request.into_inner();
        let grounds_sha256 = convert::digest("grounds_sha256", &wire.grounds_sha256).map_err(invalid)?;
        let action = Action::AppealClaim { claim: Seq(wire.claim_seq), grounds_sha256 };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        let receipt = outcome.receipts.first().ok_or_else(|| Status::internal("internal error"))?;
        let (Some(body), Some(respond_by)) = (&outcome.appealed_to, outcome.respond_by) else {
            return Err(Status::internal("internal error"));
        };
        Ok(Response::new(pb::AppealClaimResponse {
            receipt: Some(convert::receipt(receipt)),
            appeal_body: body.to_string(),
            respond_by: respond_by.to_string(),
        }))
    }

    async fn change_consent(
        &self,
        request: Request<pb::ChangeConsentRequest>,
    ) -> Result<Response<pb::ChangeConsentResponse>, Status> {
        let principal = require(&request, Rpc::ChangeConsent)?;
        let worker_id = principal.worker.clone().ok_or_else(|| Status::permission_denied("workers only"))?;
        let wire = request.into_inner();
        let organisation = ledger_core::PrincipalId::parse(&wire.organisation)
            .map_err(|error| invalid(ledger_core::InvalidInput::new("organisation", error.message)))?;
        // Where it is registered, from the principals in force when she gives her consent; when she
        // takes it back, the writer takes it from the consent she gave, so that she can take it
        // back from an organisation no longer registered here, and a retry is the same request.
        let registered_in = match wire.granted {
            false => None,
            true => {
                let registered =
                    self.gate.principal(&organisation).filter(|found| found.role == Role::Organisation);
                Some(registered.and_then(|found| found.jurisdiction).ok_or_else(|| {
                    Status::not_found(format!(
                        "organisation: {organisation} is no workers' organisation registered with this ledger"
                    ))
                })?)
            }
        };
        let action = Action::ChangeConsent { worker_id, organisation, registered_in, granted: wire.granted };
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        let receipt = outcome.receipts.first().ok_or_else(|| Status::internal("internal error"))?;
        Ok(Response::new(pb::ChangeConsentResponse { receipt: Some(convert::receipt(receipt)) }))
    }

    async fn rotate_credential(
        &self,
        request: Request<pb::RotateCredentialRequest>,
    ) -> Result<Response<pb::RotateCredentialResponse>, Status> {
        let principal = require(&request, Rpc::RotateCredential)?;
        let worker_id = principal.worker.clone().ok_or_else(|| Status::permission_denied("workers only"))?;
        // A rotation cannot be retried (the credential that would retry it is revoked by it), so
        // each call is a request of its own.
        let request_id = rotation_request_id()?;
        let (receipt, worker_token, _) = self.replace_credential(&principal, &request_id, worker_id).await?;
        Ok(Response::new(pb::RotateCredentialResponse { worker_token, receipt: Some(receipt) }))
    }

    async fn end_sessions(
        &self,
        request: Request<pb::EndSessionsRequest>,
    ) -> Result<Response<pb::EndSessionsResponse>, Status> {
        let principal = require(&request, Rpc::EndSessions)?;
        let worker_id = principal.worker.clone().ok_or_else(|| Status::permission_denied("workers only"))?;
        let token = request
            .metadata()
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default()
            .to_owned();
        let everywhere = request.into_inner().everywhere;
        let sessions = self.gate.sessions();
        // Called with her credential rather than a session, there is no calling session to end.
        let ended = match (everywhere, token.starts_with(crate::sign_in::SESSION_TOKEN_PREFIX)) {
            (_, true) => sessions.end(&token, everywhere),
            (true, false) => sessions.end_all(&worker_id),
            (false, false) => 0,
        };
        Ok(Response::new(pb::EndSessionsResponse { ended: u32::try_from(ended).unwrap_or(u32::MAX) }))
    }

    async fn begin_passkey(
        &self,
        request: Request<pb::BeginPasskeyRequest>,
    ) -> Result<Response<pb::PasskeyChallengeResponse>, Status> {
        let principal = require(&request, Rpc::BeginPasskey)?;
        let worker_id = principal.worker.clone().ok_or_else(|| Status::permission_denied("workers only"))?;
        let origin = request.into_inner().origin;
        Ok(Response::new(self.sign_in.begin_passkey(&worker_id, &origin).await?))
    }

    async fn add_passkey(
        &self,
        request: Request<pb::AddPasskeyRequest>,
    ) -> Result<Response<pb::AddPasskeyResponse>, Status> {
        let principal = require(&request, Rpc::AddPasskey)?;
        let worker_id = principal.worker.clone().ok_or_else(|| Status::permission_denied("workers only"))?;
        Ok(Response::new(self.sign_in.add_passkey(&worker_id, request.into_inner()).await?))
    }
}

fn page_size(asked: u32, default: usize, max: usize) -> usize {
    match asked {
        0 => default,
        asked => (asked as usize).min(max),
    }
}

type EventStream = Pin<Box<dyn Stream<Item = Result<pb::StoredEvent, Status>> + Send>>;

#[tonic::async_trait]
impl pb::appeal_service_server::AppealService for Api {
    async fn list_appeals(
        &self,
        request: Request<pb::ListAppealsRequest>,
    ) -> Result<Response<pb::ListClaimsResponse>, Status> {
        let principal = require(&request, Rpc::ListAppeals)?;
        let linearizable = linearizable(&request)?;
        let wire = request.into_inner();
        let limit = page_size(wire.limit, CLAIMS_PAGE_DEFAULT, CLAIMS_PAGE_MAX);
        let (from, open_only) = (Seq(wire.from_seq), wire.open_only);
        self.applied(wire.min_seq, linearizable).await?;
        let body = principal.id.clone();
        let (page, today) = self
            .blocking(move |ledger| {
                let open = move |claim: &ledger_projections::Claim| {
                    !open_only || claim.appeal.as_ref().is_some_and(|appeal| appeal.decision.is_none())
                };
                Ok((ledger.claims_appealed_to(&body, from, limit, open)?, ledger.today()))
            })
            .await?;
        Ok(Response::new(convert::claims_page(&page, today)))
    }

    async fn decide_appeal(
        &self,
        request: Request<pb::DecideAppealRequest>,
    ) -> Result<Response<pb::DecideAppealResponse>, Status> {
        let principal = require(&request, Rpc::DecideAppeal)?;
        let wire = request.into_inner();
        let (outcome, reason, contributions) =
            convert::answer(wire.outcome, &wire.reason, &wire.contributions).map_err(invalid)?;
        let action = Action::DecideAppeal { claim: Seq(wire.claim_seq), outcome, reason, contributions };
        action.check_size().map_err(invalid)?;
        let outcome = self.submit(&principal, &wire.request_id, action).await?;
        Ok(Response::new(pb::DecideAppealResponse { receipts: receipts(&outcome) }))
    }
}

#[tonic::async_trait]
impl pb::audit_service_server::AuditService for Api {
    async fn get_chain_head(
        &self,
        request: Request<pb::GetChainHeadRequest>,
    ) -> Result<Response<pb::GetChainHeadResponse>, Status> {
        require(&request, Rpc::GetChainHead)?;
        let (head_hash, mut checkpoint) = self
            .blocking(move |ledger| {
                ledger.with_checkpoint(|size| ledger.chain_hash_at(size).map(|hash| hash.as_bytes().to_vec()))
            })
            .await?;
        // Each other replica that holds the tree adds its cosignature to this replica's.
        if let Some(cosigners) = &self.cosigners {
            for line in cosigners.cosign(&checkpoint.note).await {
                checkpoint.note.push_str(&line);
                checkpoint.cosignatures.push(line);
            }
        }
        Ok(Response::new(pb::GetChainHeadResponse {
            size: checkpoint.tree.size,
            head_hash,
            tree_root: checkpoint.tree.root.to_vec(),
            checkpoint: checkpoint.note,
            cosignatures: checkpoint.cosignatures,
        }))
    }

    type ReadEventsStream = EventStream;
    type ReadRecoveryStateStream = Pin<Box<dyn Stream<Item = Result<pb::RecoveryEntries, Status>> + Send>>;

    async fn read_recovery_state(
        &self,
        request: Request<pb::ReadRecoveryStateRequest>,
    ) -> Result<Response<Self::ReadRecoveryStateStream>, Status> {
        let principal = require(&request, Rpc::ReadRecoveryState)?;
        let permit = self.gate.open_stream(principal.id.as_str())?;
        let size = request.into_inner().size;
        // Errors, such as a size past the head, end the stream, as ReadEvents' do.
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_CHUNKS_BUFFERED);
        let ledger = self.ledger.clone();
        tokio::task::spawn_blocking(move || {
            let sent = ledger.recovery_state(size, RECOVERY_ENTRIES_PER_MESSAGE, |chunk| {
                let entries =
                    chunk.into_iter().map(|(key, value)| pb::RecoveryEntry { key, value }).collect();
                sender.blocking_send(Ok(pb::RecoveryEntries { entries })).is_ok()
            });
            if let Err(error) = sent {
                let _ = sender.blocking_send(Err(from_store(error)));
            }
        });
        Ok(Response::new(Box::pin(Held { stream: ReceiverStream::new(receiver), _permit: permit })))
    }

    async fn read_events(
        &self,
        request: Request<pb::ReadEventsRequest>,
    ) -> Result<Response<Self::ReadEventsStream>, Status> {
        let principal = require(&request, Rpc::ReadEvents)?;
        let permit = self.gate.open_stream(principal.id.as_str())?;
        let wire = request.into_inner();
        let limit = page_size(wire.limit, READ_EVENTS_DEFAULT, READ_EVENTS_MAX);
        let (sender, receiver) = tokio::sync::mpsc::channel(STREAM_CHUNKS_BUFFERED * READ_EVENTS_CHUNK);
        let (end, ended) = tokio::sync::oneshot::channel();
        let (ledger, stall_max) = (self.ledger.clone(), self.limits.subscriber_stall_max);
        tokio::spawn(feed_events(ledger, Seq(wire.from_seq), limit, sender, end, stall_max));
        let events = Subscription { events: receiver, end: Some(ended) };
        Ok(Response::new(Box::pin(Held { stream: events, _permit: permit })))
    }

    async fn verify_chain(
        &self,
        request: Request<pb::VerifyChainRequest>,
    ) -> Result<Response<pb::VerifyChainResponse>, Status> {
        require(&request, Rpc::VerifyChain)?;
        let wire = request.into_inner();
        let (from, to) = (Seq(wire.from_seq), wire.to_seq.map(Seq));
        if to.is_some_and(|to| to < from) {
            return Err(Status::invalid_argument("to_seq: is before from_seq"));
        }
        let verification = self.blocking(move |ledger| ledger.verify(from, to)).await?;
        Ok(Response::new(pb::VerifyChainResponse {
            ok: verification.fault.is_none(),
            verified: verification.verified,
            first_bad_seq: verification.fault.as_ref().map(|fault| fault.seq.0),
            reason: verification.fault.map(|fault| fault.reason).unwrap_or_default(),
        }))
    }

    async fn get_inclusion_proof(
        &self,
        request: Request<pb::GetInclusionProofRequest>,
    ) -> Result<Response<pb::GetInclusionProofResponse>, Status> {
        require(&request, Rpc::GetInclusionProof)?;
        let wire = request.into_inner();
        let size = if wire.tree_size == 0 { self.ledger.head().size } else { wire.tree_size };
        let seq = Seq(wire.seq);
        let (leaf, proof, root) = self
            .blocking(move |ledger| {
                let leaf =
                    ledger.read_events(seq, 1)?.pop().map(|entry| ledger_core::event_hash(&entry.record));
                let proof = ledger.inclusion_proof(seq, size)?;
                Ok((leaf, proof, ledger.merkle_root(size)?))
            })
            .await?;
        let leaf = leaf.ok_or_else(|| Status::not_found(format!("seq: no event at seq {}", seq.0)))?;
        Ok(Response::new(pb::GetInclusionProofResponse {
            seq: seq.0,
            tree_size: size,
            leaf_hash: leaf.as_bytes().to_vec(),
            proof: proof.iter().map(|hash| hash.to_vec()).collect(),
            root: root.to_vec(),
        }))
    }

    async fn get_consistency_proof(
        &self,
        request: Request<pb::GetConsistencyProofRequest>,
    ) -> Result<Response<pb::GetConsistencyProofResponse>, Status> {
        require(&request, Rpc::GetConsistencyProof)?;
        let wire = request.into_inner();
        let new = if wire.new_size == 0 { self.ledger.head().size } else { wire.new_size };
        let old = wire.old_size;
        let (proof, old_root, new_root) = self
            .blocking(move |ledger| {
                Ok((ledger.consistency_proof(old, new)?, ledger.merkle_root(old)?, ledger.merkle_root(new)?))
            })
            .await?;
        Ok(Response::new(pb::GetConsistencyProofResponse {
            old_size: old,
            new_size: new,
            proof: proof.iter().map(|hash| hash.to_vec()).collect(),
            old_root: old_root.to_vec(),
            new_root: new_root.to_vec(),
        }))
    }

    async fn get_accountability_report(
        &self,
        request: Request<pb::GetAccountabilityReportRequest>,
    ) -> Result<Response<pb::GetAccountabilityReportResponse>, Status> {
        require(&request, Rpc::GetAccountabilityReport)?;
        let wire = request.into_inner();
        let only = match wire.jurisdiction.as_str() {
            "" => None,
            text => Some(convert::jurisdiction("jurisdiction", text).map_err(invalid)?),
        };
        let from = convert::date("from_date", &wire.from_date).map_err(invalid)?;
        let to = convert::date("to_date", &wire.to_date).map_err(invalid)?;
        if to < from {
            return Err(Status::invalid_argument("to_date: is before from_date"));
        }
        let report = self.blocking(move |ledger| ledger.accountability_report(only, from, to)).await?;
        Ok(Response::new(convert::accountability(&report)))
    }

    async fn get_coverage_report(
        &self,
        request: Request<pb::GetCoverageReportRequest>,
    ) -> Result<Response<pb::GetCoverageReportResponse>, Status> {
        require(&request, Rpc::GetCoverageReport)?;
        let wire = request.into_inner();
        let (year, period) = self.fold_year(&wire.jurisdiction, &wire.period).await?;
        let coverage = year.finish();
        let report = coverage.period(period).ok_or_else(|| Status::internal("internal error"))?;
        Ok(Response::new(convert::coverage(&coverage, report)))
    }

    async fn get_employer_pays_report(
        &self,
        request: Request<pb::GetEmployerPaysReportRequest>,
    ) -> Result<Response<pb::GetEmployerPaysReportResponse>, Status> {
        require(&request, Rpc::GetEmployerPaysReport)?;
        let wire = request.into_inner();
        let (year, period) = self.fold_year(&wire.jurisdiction, &wire.period).await?;
        let costs = year.employer_pays();
        let report = costs.period(period).ok_or_else(|| Status::internal("internal error"))?;
        Ok(Response::new(convert::employer_pays(&costs, report)))
    }

    async fn get_employers_report(
        &self,
        request: Request<pb::GetEmployersReportRequest>,
    ) -> Result<Response<pb::GetEmployersReportResponse>, Status> {
        require(&request, Rpc::GetEmployersReport)?;
        let wire = request.into_inner();
        if let Ok(Period::Quarter { .. }) = Period::parse(&wire.period) {
            return Err(Status::invalid_argument(
                "period: employers' accounts are of calendar years; a quarter of a small employer would point at \
                 the worker who claimed",
            ));
        }
        let (year, _) = self.fold_year(&wire.jurisdiction, &wire.period).await?;
        Ok(Response::new(convert::employers(&year.employers())))
    }

    async fn publish_report(
        &self,
        request: Request<pb::PublishReportRequest>,
    ) -> Result<Response<pb::PublishReportResponse>, Status> {
        use ledger_verify::report::{self as published, Bundle, ReportKind, REPORT_BUNDLE_FORMAT};
        require(&request, Rpc::PublishReport)?;
        let wire = request.into_inner();
        let kind = ReportKind::parse(&wire.report)
            .map_err(|error| Status::invalid_argument(format!("report: {error}")))?;
        let destination = convert::jurisdiction("jurisdiction", &wire.jurisdiction).map_err(invalid)?;
        let period = Period::parse(&wire.period).map_err(invalid)?;
        if kind == ReportKind::Employers && period != Period::Year(period.year()) {
            return Err(Status::invalid_argument("period: employers' accounts are of calendar years"));
        }
        let _computing = self.reports.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "{REPORTS_IN_FLIGHT_MAX} reports are being computed, each over the whole log; ask again shortly"
            ))
        })?;
        // The checkpoint first, of the durable head; then the report of exactly that many events,
        // which no later write changes; then the log key's statement tying the two.
        let (mut checkpoint, statement, body) = self
            .blocking(move |ledger| {
                let ((), checkpoint) = ledger.with_checkpoint(|_| Ok(()))?;
                let fold = ledger.fold_year(destination, period.year(), Some(checkpoint.tree.size))?;
                let body = published::body(kind, &fold, period)
                    .map_err(|error| ledger_store::StoreError::Refused(error.to_string()))?;
                let statement = ledger_core::checkpoint::ReportStatement {
                    origin: String::new(),
                    report: kind.name().to_owned(),
                    jurisdiction: destination.to_string(),
                    period: period.to_string(),
                    size: checkpoint.tree.size,
                    root: checkpoint.tree.root,
                    digest: published::digest(&body),
                };
                let statement = ledger.sign_report(&statement)?;
                Ok((checkpoint, statement, body))
            })
            .await?;
        if let Some(cosigners) = &self.cosigners {
            for line in cosigners.cosign(&checkpoint.note).await {
                checkpoint.note.push_str(&line);
            }
        }
        let bundle = Bundle {
            format: REPORT_BUNDLE_FORMAT.to_owned(),
            report: kind.name().to_owned(),
            jurisdiction: destination.to_string(),
            period: period.to_string(),
            checkpoint: checkpoint.note,
            statement,
            body,
        };
        let bundle = String::from_utf8(bundle.to_json()).map_err(|_| Status::internal("internal error"))?;
        Ok(Response::new(pb::PublishReportResponse { bundle, log_size: checkpoint.tree.size }))
    }

    type SubscribeEventsStream = EventStream;

    async fn subscribe_events(
        &self,
        request: Request<pb::SubscribeEventsRequest>,
    ) -> Result<Response<Self::SubscribeEventsStream>, Status> {
        let principal = require(&request, Rpc::SubscribeEvents)?;
        let permit = self.gate.open_stream(principal.id.as_str())?;
        let headers = request.metadata().clone().into_headers();
        let from = Seq(request.into_inner().from_seq);
        let gate = self.gate.clone();
        let caller = Caller {
            revisions: gate.revisions(),
            admitted: Box::new(move || gate.still_admits(&headers, &principal.id)),
        };
        let (events, receiver) = tokio::sync::mpsc::channel(SUBSCRIPTION_BUFFER_EVENTS);
        let (end, ended) = tokio::sync::oneshot::channel();
        let (ledger, metrics, stall_max) =
            (self.ledger.clone(), self.metrics.clone(), self.limits.subscriber_stall_max);
        let stopping = self.stopping.clone();
        tokio::spawn(async move {
            metrics.subscribers.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            follow(ledger, from, events, end, stall_max, stopping, caller).await;
            metrics.subscribers.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
        });
        let subscription = Subscription { events: receiver, end: Some(ended) };
        Ok(Response::new(Box::pin(Held { stream: subscription, _permit: permit })))
    }
}

/// Feeds a stream a chunk at a time until the limit, the head, or the client going away. Each chunk
/// is read on the blocking pool, which is given back before the chunk is sent: no store read ever
/// waits on a slow client. A client that leaves its buffer full for `stall_max` is cut off with
/// the seq to read again from.
async fn feed_events(
    ledger: Ledger,
    from: Seq,
    limit: usize,
    sender: tokio::sync::mpsc::Sender<Result<pb::StoredEvent, Status>>,
    end: tokio::sync::oneshot::Sender<Status>,
    stall_max: std::time::Duration,
) {
    let mut next = from;
    let mut remaining = limit;
    while remaining > 0 {
        let reader = ledger.clone();
        let count = remaining.min(READ_EVENTS_CHUNK);
        let chunk = match tokio::task::spawn_blocking(move || reader.read_events(next, count)).await {
            Ok(Ok(chunk)) => chunk,
            Ok(Err(error)) => {
                let _ = sender.send_timeout(Err(from_store(error)), stall_max).await;
                return;
            }
            Err(_) => return,
        };
        let Some(last) = chunk.last() else { return };
        next = Seq(last.seq.0 + 1);
        remaining -= chunk.len();
        if let Err(stalled) = send_chunk(&sender, chunk, stall_max, ("reader", "read")).await {
            if let Some(status) = stalled {
                let _ = end.send(status);
            }
            return;
        }
    }
}

/// Puts a chunk of events in a stream's buffer, each within `stall_max`. When the buffer stays full
/// that long, the error is the status that ends the stream, naming the first event the client did
/// not receive (events already buffered still reach it before the status); when the client went
/// away, there is none. `who` names the client and what it does again ("reader", "read").
async fn send_chunk(
    events: &tokio::sync::mpsc::Sender<Result<pb::StoredEvent, Status>>,
    chunk: Vec<ledger_store::StoredEntry>,
    stall_max: std::time::Duration,
    who: (&str, &str),
) -> Result<(), Option<Status>> {
    use tokio::sync::mpsc::error::SendTimeoutError;
    for entry in chunk {
        let unsent = entry.seq;
        match events.send_timeout(Ok(convert::stored_event(entry)), stall_max).await {
            Ok(()) => {}
            Err(SendTimeoutError::Timeout(_)) => {
                return Err(Some(Status::resource_exhausted(format!(
                    "{} too slow: its buffer stayed full for {} ms; {} again from seq {}",
                    who.0,
                    stall_max.as_millis(),
                    who.1,
                    unsent.0
                ))));
            }
            Err(SendTimeoutError::Closed(_)) => return Err(None),
        }
    }
    Ok(())
}

/// A stream that holds its principal's permit for as long as it is open.
struct Held<S> {
    stream: S,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl<S: Stream + Unpin> Stream for Held<S> {
    type Item = S::Item;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<S::Item>> {
        Pin::new(&mut self.stream).poll_next(cx)
    }
}

/// Events buffered for one subscriber before it counts as stalled.
const SUBSCRIPTION_BUFFER_EVENTS: usize = 1024;

/// A subscription's events, then, if the server ended it, the status saying why.
struct Subscription {
    events: tokio::sync::mpsc::Receiver<Result<pb::StoredEvent, Status>>,
    end: Option<tokio::sync::oneshot::Receiver<Status>>,
}

impl Stream for Subscription {
    type Item = Result<pb::StoredEvent, Status>;

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        use std::task::Poll;
        match self.events.poll_recv(cx) {
            Poll::Ready(Some(item)) => return Poll::Ready(Some(item)),
            Poll::Pending => return Poll::Pending,
            Poll::Ready(None) => {}
        }
        let Some(end) = self.end.as_mut() else { return Poll::Ready(None) };
        match Pin::new(end).poll(cx) {
            Poll::Ready(status) => {
                self.end = None;
                Poll::Ready(status.ok().map(Err))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The caller of a live stream, checked again whenever the principals change.
struct Caller {
    revisions: tokio::sync::watch::Receiver<u64>,
    /// Whether the caller's token still admits it as the same principal.
    admitted: Box<dyn Fn() -> bool + Send>,
}

impl Caller {
    /// Whether the principals changed since the last look and no longer admit the caller.
    fn revoked(&mut self) -> bool {
        if !self.revisions.has_changed().unwrap_or(false) {
            return false;
        }
        self.revisions.borrow_and_update();
        !(self.admitted)()
    }
}

fn revoked_status() -> Status {
    Status::unauthenticated("the caller's token was revoked")
}

/// Sends every durable event from `from` on, catching up from the log and then following the head.
/// Ends when the client goes away, the ledger shuts down, the client stalls, or the caller's token
/// is revoked.
async fn follow(
    ledger: Ledger,
    from: Seq,
    events: tokio::sync::mpsc::Sender<Result<pb::StoredEvent, Status>>,
    end: tokio::sync::oneshot::Sender<Status>,
    stall_max: std::time::Duration,
    mut stopping: tokio::sync::watch::Receiver<bool>,
    mut caller: Caller,
) {
    let mut head = ledger.watch_head();
    let mut next = from;
    loop {
        if *stopping.borrow() {
            let _ = end.send(Status::unavailable(format!(
                "the server is stopping; subscribe again from seq {}",
                next.0
            )));
            return;
        }
        let size = head.borrow_and_update().size;
        while next.0 < size {
            if caller.revoked() {
                let _ = end.send(revoked_status());
                return;
            }
            let reader = ledger.clone();
            let chunk =
                tokio::task::spawn_blocking(move || reader.read_events(next, READ_EVENTS_CHUNK)).await;
            let chunk = match chunk {
                Ok(Ok(chunk)) if !chunk.is_empty() => chunk,
                Ok(Err(error)) => {
                    let _ = end.send(from_store(error));
                    return;
                }
                _ => return,
            };
            next = Seq(chunk.last().map_or(next.0, |entry| entry.seq.0 + 1));
            if let Err(stalled) = send_chunk(&events, chunk, stall_max, ("subscriber", "subscribe")).await {
                if let Some(status) = stalled {
                    let _ = end.send(status);
                }
                return;
            }
        }
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return },
            _ = stopping.changed() => {}
            // `changed` marks the new principals seen: check the caller against them here.
            _ = caller.revisions.changed() => if !(caller.admitted)() {
                let _ = end.send(revoked_status());
                return;
            },
        }
    }
}
