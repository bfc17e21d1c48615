//! Who may call which RPC, in one table.

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
    GetChainHead,
    ReadEvents,
    VerifyChain,
}

/// Whether `role` may call `rpc` at all. What an agency may write is narrowed further to its own
/// jurisdiction by the writer, which knows the state the check needs.
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
        | RecordResidenceChange => role == Agency,
        GetStatement | GetBalance => role == Agency,
        GetChainHead | ReadEvents | VerifyChain => matches!(role, Agency | Auditor | Operator),
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
