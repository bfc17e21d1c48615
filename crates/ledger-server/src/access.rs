//! Who may call which RPC, and whose records they may read, in one place.

use std::collections::BTreeSet;

use ledger_core::{Branch, Event, Jurisdiction, WorkerId};
use ledger_projections::{Balance, WorkerProjection};
use tonic::{Request, Status};

use crate::principals::{Principal, Role};

/// Every RPC of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rpc {
    EnrollWorker,
    RecordContributions,
    CorrectContribution,
    RecordBenefitApplication,
    CertifyPeriods,
    ReverseContribution,
    CreditPeriods,
    GrantEntitlement,
    ChangeEntitlementStatus,
    RecordBenefitPayment,
    RecordResidenceChange,
    GetStatement,
    GetBalance,
    RotateCredential,
    EndSessions,
    BeginPasskey,
    AddPasskey,
    GetChainHead,
    ReadEvents,
    VerifyChain,
    SubscribeEvents,
    GetInclusionProof,
    GetConsistencyProof,
    FileClaim,
    RecordRecruitmentCost,
    ResolveClaim,
    ListClaims,
    ResetWorkerCredential,
    GetAccountabilityReport,
    GetCoverageReport,
    GetEmployerPaysReport,
    GetEmployersReport,
    PublishReport,
    ChangeConsent,
    FileGroupClaim,
    AppealClaim,
    DecideAppeal,
    ListAppeals,
    ReadRecoveryState,
}

impl Rpc {
    pub const ALL: [Rpc; 39] = [
        Rpc::EnrollWorker,
        Rpc::RecordContributions,
        Rpc::CorrectContribution,
        Rpc::RecordBenefitApplication,
        Rpc::CertifyPeriods,
        Rpc::ReverseContribution,
        Rpc::CreditPeriods,
        Rpc::GrantEntitlement,
        Rpc::ChangeEntitlementStatus,
        Rpc::RecordBenefitPayment,
        Rpc::RecordResidenceChange,
        Rpc::GetStatement,
        Rpc::GetBalance,
        Rpc::RotateCredential,
        Rpc::EndSessions,
        Rpc::BeginPasskey,
        Rpc::AddPasskey,
        Rpc::GetChainHead,
        Rpc::ReadEvents,
        Rpc::VerifyChain,
        Rpc::SubscribeEvents,
        Rpc::GetInclusionProof,
        Rpc::GetConsistencyProof,
        Rpc::FileClaim,
        Rpc::RecordRecruitmentCost,
        Rpc::ResolveClaim,
        Rpc::ListClaims,
        Rpc::ResetWorkerCredential,
        Rpc::GetAccountabilityReport,
        Rpc::GetCoverageReport,
        Rpc::GetEmployerPaysReport,
        Rpc::GetEmployersReport,
        Rpc::PublishReport,
        Rpc::ChangeConsent,
        Rpc::FileGroupClaim,
        Rpc::AppealClaim,
        Rpc::DecideAppeal,
        Rpc::ListAppeals,
        Rpc::ReadRecoveryState,
    ];
}

/// Whether `role` may call `rpc` at all.
///
/// - Agencies write, each only for its own jurisdiction (the writer checks that against the state),
///   and read of a worker's record what concerns their jurisdiction ([`Reading`]).
/// - Workers read only their own record, rotate only their own credential, add passkeys only to
///   their own access, and file claims for
///   themselves; agencies file them on a worker's behalf (the writer checks which may), and reset
///   a credential only for a worker of their origin or enrolment (the writer checks that too).
/// - Auditors read the chain and the aggregate reports but never a worker's statement or balance.
/// - Appeal bodies list and decide the appeals made to them (the writer checks which), and read
///   nothing else.
/// - Operators check the chain's head and integrity and read it for backups; they manage
///   principals offline.
pub fn allowed(role: Role, rpc: Rpc) -> bool {
    use Role::*;
    use Rpc::*;
    match rpc {
        EnrollWorker
        | RecordContributions
        | CorrectContribution
        | RecordBenefitApplication
        | CertifyPeriods
        | ReverseContribution
        | CreditPeriods
        | GrantEntitlement
        | ChangeEntitlementStatus
        | RecordBenefitPayment
        | RecordResidenceChange
        | ResolveClaim
        | ResetWorkerCredential => role == Agency,
        FileClaim => matches!(role, Agency | Worker | Organisation),
        ListClaims => matches!(role, Agency | Organisation),
        FileGroupClaim => role == Organisation,
        // She appeals, or an organisation with her consent, or her origin's agency (the writer
        // checks which); only the body the appeal names decides it.
        AppealClaim => matches!(role, Agency | Worker | Organisation),
        DecideAppeal | ListAppeals => role == AppealBody,
        RecordRecruitmentCost => matches!(role, Agency | Worker),
        GetAccountabilityReport
        | GetCoverageReport
        | GetEmployerPaysReport
        | GetEmployersReport
        | PublishReport => role == Auditor,
        GetStatement | GetBalance => matches!(role, Agency | Worker),
        RotateCredential | EndSessions | BeginPasskey | AddPasskey | ChangeConsent => role == Worker,
        GetChainHead | VerifyChain => matches!(role, Agency | Auditor | Operator),
        ReadEvents | SubscribeEvents => matches!(role, Auditor | Operator),
        // Idempotency entries and credential digests are not the chain: operators only.
        ReadRecoveryState => role == Operator,
        // Proofs carry hashes only: anyone who holds an event or a checkpoint may check it.
        GetInclusionProof | GetConsistencyProof => true,
    }
}

/// What a principal may see of one worker's record. Reading follows purpose, not writes:
///
/// - The worker sees all of it.
/// - An agency of J may read a worker who has an event concerning J, or whose origin J is. It sees
///   the events that concern J ([`Event::concerns`]), and of her balance J's own lines in full,
///   J's entitlements, the claims addressed to J or filed by it (all her claims when J is her
///   origin, whose agency follows them from home, as `ListClaims` of its workers does), and where
///   she lives when J is that country or her origin. Of the partners whose months an agreement in force brings into J's
///   totalization, it sees those lines' months and nothing else: no wage, share or amount. Any
///   other jurisdiction's line it does not see at all.
///
/// Writing an event about a worker therefore widens what an agency reads only by that event, and
/// by the months its agreements already entitle it to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    Whole,
    Agency { jurisdiction: Jurisdiction, of_origin: bool },
}

/// How `principal` may read the record of `worker_id`, whose projection is given; none when it
/// may not read it at all.
pub fn reading(
    principal: &Principal,
    worker_id: &WorkerId,
    projection: &WorkerProjection,
) -> Option<Reading> {
    match principal.role {
        Role::Worker => (principal.worker.as_ref() == Some(worker_id)).then_some(Reading::Whole),
        Role::Agency => {
            let jurisdiction = principal.jurisdiction?;
            let of_origin = projection.origin == jurisdiction;
            (of_origin || projection.records_in.contains(&jurisdiction))
                .then_some(Reading::Agency { jurisdiction, of_origin })
        }
        Role::Auditor | Role::Operator | Role::Organisation | Role::AppealBody => None,
    }
}

impl Reading {
    /// Whether the reader sees this event of the worker's statement.
    pub fn shows(&self, event: &Event) -> bool {
        match self {
            Reading::Whole => true,
            Reading::Agency { jurisdiction, of_origin } => {
                event.concerns(*jurisdiction)
                    || (*of_origin
                        && matches!(
                            event,
                            Event::ClaimFiled(_)
                                | Event::ClaimResolved(_)
                                | Event::ClaimAppealed(_)
                                | Event::AppealDecided(_)
                        ))
            }
        }
    }

    /// The part of the balance the reader sees.
    pub fn balance(&self, mut balance: Balance) -> Balance {
        let Reading::Agency { jurisdiction, of_origin } = *self else { return balance };
        // The partners each of J's own lines totalizes with, by branch.
        let partners: BTreeSet<(Branch, Jurisdiction)> = balance
            .lines
            .iter()
            .filter(|line| line.jurisdiction == jurisdiction)
            .flat_map(|line| line.agreements.iter().map(|(_, partner)| (line.branch, *partner)))
            .collect();
        balance.lines.retain_mut(|line| {
            if line.jurisdiction == jurisdiction {
                return true;
            }
            if !partners.contains(&(line.branch, line.jurisdiction)) {
                return false;
            }
            line.months_only();
            true
        });
        balance.entitlements.retain(|(_, entitlement)| entitlement.jurisdiction == jurisdiction);
        balance.claims.retain(|(_, claim)| {
            of_origin || claim.addressed_to == jurisdiction || claim.filed_via == Some(jurisdiction)
        });
        if !of_origin && balance.residence.is_some_and(|(country, _)| country != jurisdiction) {
            balance.residence = None;
        }
        // Whom she trusts with her claims is hers and the organisation's.
        balance.consents.clear();
        balance
    }
}

/// The authenticated principal of a request, if it may call `rpc`.
pub fn require<T>(request: &Request<T>, rpc: Rpc) -> Result<Principal, Status> {
    let principal = request
        .extensions()
        .get::<Principal>()
        .cloned()
        .ok_or_else(|| Status::unauthenticated("a bearer token is required"))?;
    if !allowed(principal.role, rpc) {
        return Err(Status::permission_denied(format!(
            "a principal with role {} may not call {rpc:?}",
            principal.role
        )));
    }
    Ok(principal)
}
