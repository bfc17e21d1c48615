//! The one mapping from the ledger's errors to gRPC status codes. Internal failures are logged with
//! their detail and answered without it.

use ledger_core::InvalidInput;
use ledger_store::StoreError;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};
use tracing::error;

/// INVALID_ARGUMENT with the field that is wrong, also as google.rpc.BadRequest details so that a
/// client can point at the field without parsing the message.
pub fn invalid(error: InvalidInput) -> Status {
    let details = ErrorDetails::with_bad_request_violation(error.field.clone(), error.message.clone());
    Status::with_error_details(Code::InvalidArgument, format!("{}: {}", error.field, error.message), details)
}

/// The metadata key of an UNAVAILABLE answer from a replica that follows: the leader's address
/// (`HOST:PORT` of its agency service), where the client sends its writes.
pub const LEADER_METADATA: &str = "ledger-leader";

pub fn from_store(error: StoreError) -> Status {
    match error {
        StoreError::Invalid(invalid_input) => invalid(invalid_input),
        StoreError::NotFound { field, message } => Status::not_found(format!("{field}: {message}")),
        StoreError::PermissionDenied(message) => Status::permission_denied(message),
        StoreError::Conflict { original } => Status::already_exists(format!(
            "request id already used for different content; the original request was recorded at seq {original}"
        )),
        StoreError::AlreadyRecorded { message, .. } => Status::already_exists(message),
        StoreError::FailedPrecondition(message) => Status::failed_precondition(message),
        StoreError::Unavailable(message) => Status::unavailable(message),
        error @ StoreError::NotLeader { .. } => {
            let mut status = Status::unavailable(error.to_string());
            let StoreError::NotLeader { leader } = error else { return status };
            if let Some(value) = leader.as_deref().and_then(|leader| leader.parse().ok()) {
                status.metadata_mut().insert(LEADER_METADATA, value);
            }
            status
        }
        error @ StoreError::SignedLarger { .. } => Status::unavailable(error.to_string()),
        error @ StoreError::NotExtending(_) => Status::unavailable(format!("{error}; nothing was recorded: retry")),
        StoreError::Corruption { seq, reason } => {
            error!(%seq, %reason, "stored data is corrupt");
            Status::new(Code::DataLoss, format!("stored event {seq} is corrupt"))
        }
        other => {
            error!(error = %other, "internal error");
            Status::internal("internal error")
        }
    }
}
