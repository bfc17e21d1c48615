//! The `ledger.v1` gRPC contract, generated at build time from `proto/ledger/v1/ledger.proto`.
//!
//! Only generated code lives here, and the codec it uses ([`codec`]). The server converts between these wire types and the domain
//! types of `ledger-core` by hand, so that the wire never leaks into the domain.

#![allow(missing_debug_implementations)]
#![allow(clippy::all)]

pub mod codec;

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
