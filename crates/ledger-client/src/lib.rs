//! The client side of the ledger, shared by the command line, the workers' portal, the benchmark
//! and the tests: typed gRPC clients, the wire's enumeration codes from the labels people type,
//! money as a person reads it, and fresh request ids. It knows the services only by their
//! contract (`ledger-proto`), never the server's code.
//!
//! - [`grpc`]: connecting with a bearer token (plain or TLS), the typed clients, sign-in, and a
//!   worker's statement read page by page and written as a portable statement.
//! - [`labels`]: branch, sector and sex labels to their wire codes, and back.
//! - [`money`]: minor units as `EUR 967.68`, by the currency's ISO 4217 minor unit.

pub mod grpc;
pub mod labels;
pub mod money;

/// A request id for a command typed now: `cli-`, its kind and the time to the microsecond.
pub fn fresh_request_id(kind: &str) -> String {
    format!("cli-{kind}-{}", chrono::Utc::now().format("%Y%m%dT%H%M%S%.6f"))
}
