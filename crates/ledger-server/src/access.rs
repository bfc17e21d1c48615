//! Who may call which RPC, and whose records they may read, in one place.

use std::collections::BTreeSet;

use ledger_core::{Jurisdiction, WorkerId};
use tonic::{Request, Status};

use crate::principals::{Principal, Role};

/// Every RPC of the contract.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rpc {
    EnrollWorker,
    RecordContributions,
    ReverseContribution,
    CreditPeriods,
    GrantEntitlement,
    ChangeEntitlementStatus,
    RecordBenefitPayment,
    RecordResidenceChange,
    GetStatement,
    GetBalance,
    RotateCredential,
    GetChainHead,
    ReadEvents,
    VerifyChain,
    SubscribeEvents,
    GetInclusionProof,
    GetConsistencyProof,
    FileClaim,
    ResolveClaim,
    ListClaims,
    GetAccountabilityReport,
    GetCoverageReport,
    ReadRecoveryState,
}

impl Rpc {
    pub const ALL: [Rpc; 23] = [
        Rpc::EnrollWorker,
        Rpc::RecordContributions,
        Rpc::ReverseContribution,
        Rpc::CreditPeriods,
        Rpc::GrantEntitlement,
        Rpc::ChangeEntitlementStatus,
        Rpc::RecordBenefitPayment,
        Rpc::RecordResidenceChange,
        Rpc::GetStatement,
        Rpc::GetBalance,
        Rpc::RotateCredential,
        Rpc::GetChainHead,
        Rpc::ReadEvents,
        Rpc::VerifyChain,
        Rpc::SubscribeEvents,
        Rpc::GetInclusionProof,
        Rpc::GetConsistencyProof,
        Rpc::FileClaim,
        Rpc::ResolveClaim,
        Rpc::ListClaims,
        Rpc::GetAccountabilityReport,
        Rpc::GetCoverageReport,
        Rpc::ReadRecoveryState,
    ];
}

/// Whether `role` may call `rpc` at all.
///
/// - Agencies write, each only for its own jurisdiction (the writer checks that against the state),
///   and read the records of workers who have an event in their jurisdiction.
/// - Workers read only their own record, rotate only their own credential, and file claims for
///   themselves; agencies file them on a worker's behalf (the writer checks which may).
/// - Auditors read the chain and the aggregate reports but never a worker's statement or balance.
/// - Operators check the chain's head and integrity and read it for backups; they manage
///   principals offline.
pub fn allowed(role: Role, rpc: Rpc) -> bool {
    use Role::*;
    use Rpc::*;
    match rpc {
        EnrollWorker
        | RecordContributions
        | ReverseContribution
        | CreditPeriods
        | GrantEntitlement
        | ChangeEntitlementStatus
        | RecordBenefitPayment
        | RecordResidenceChange
        | ResolveClaim
        | ListClaims => role == Agency,
        FileClaim => matches!(role, Agency | Worker),
        GetAccountabilityReport | GetCoverageReport => role == Auditor,
        GetStatement | GetBalance => matches!(role, Agency | Worker),
        RotateCredential => role == Worker,
        GetChainHead | VerifyChain => matches!(role, Agency | Auditor | Operator),
        ReadEvents | SubscribeEvents => matches!(role, Auditor | Operator),
        // Idempotency entries and credential digests are not the chain: operators only.
        ReadRecoveryState => role == Operator,
        // Proofs carry hashes only: anyone who holds an event or a checkpoint may check it.
        GetInclusionProof | GetConsistencyProof => true,
    }
}

/// Whether `principal` may read the record of `worker_id`, who has events in `records_in`.
pub fn may_read_worker(
    principal: &Principal,
    worker_id: &WorkerId,
    records_in: &BTreeSet<Jurisdiction>,
) -> bool {
    match principal.role {
        Role::Worker => principal.worker.as_ref() == Some(worker_id),
        Role::Agency => principal.jurisdiction.is_some_and(|own| records_in.contains(&own)),
        Role::Auditor | Role::Operator => false,
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
