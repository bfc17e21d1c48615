//! The `ledger.v1` gRPC contract, generated at build time from `proto/ledger/v1/ledger.proto`.
//!
//! Only generated code lives here, the codec it uses ([`codec`]) and the names of its response
//! metadata ([`metadata`]). The server converts between these wire types and the domain
//! types of `ledger-core` by hand, so that the wire never leaks into the domain.

#![allow(missing_debug_implementations)]
#![allow(clippy::all)]

pub mod codec;

/// Names of the response metadata the contract defines beside its messages.
pub mod metadata {
    /// On a refused `SignIn` or `Activate`: why, one of `wrong`, `locked`, `expired`, `used`,
    /// `not_activated`.
    pub const SIGN_IN_REASON: &str = "ledger-sign-in";
    /// On a wrong code or PIN: the attempts left before her access locks.
    pub const SIGN_IN_ATTEMPTS_LEFT: &str = "ledger-attempts-left";
}

/// Package `ledger.v1`.
pub mod v1 {
    tonic::include_proto!("ledger.v1");
}

/// Package `ledger.replica.v1`: between the replicas of one cluster only.
pub mod replica {
    tonic::include_proto!("ledger.replica.v1");
}

/// The encoded `FileDescriptorSet` of the contract, for gRPC server reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/ledger_descriptor.bin"));
