//! Pure folds from the ledger's events to each worker's projection, and the coordination arithmetic
//! that turns a projection into a balance.
//!
//! - [`worker`]: one worker's projection and how each event changes it.
//! - [`balance`]: own months, totalization, independent, pro-rata and payable amounts.
//! - [`instrument`]: the second arithmetic, each agreement on its own (rules format 2).
//! - [`fold`]: a whole log folded in memory, the definition the store's projections must equal.
//! - [`codec`]: the stored form of a projection.
//! - [`facts`]: what the writer's checks need of a worker, kept beside her projection.
//! - [`reports`]: the accountability report, computed from projections.
//! - [`coverage`]: who is covered in a jurisdiction's year and its quarters, computed from the log.
//! - [`disclosure`]: which cells of linked tables to suppress.
//! - [`employer_pays`]: who paid for workers' recruitment, by corridor, recruiter and employer.
//! - [`employers`]: employers' accounts: months declared and claimed missing, claims, days to remit.
//!
//! Architecture invariant: this crate does no IO; it knows events and rules, not sled or tonic.

pub mod balance;
pub mod codec;
pub mod coverage;
pub mod disclosure;
pub mod employer_pays;
pub mod employers;
pub mod facts;
pub mod fold;
pub mod instrument;
pub mod reports;
pub mod worker;

pub use balance::{balance, Balance, BalanceLine, SchemeFigures, SetAside, SetAsideReason, Standing};
pub use facts::{apply_facts, AppealFacts, WorkerFacts};
pub use fold::{apply_event, AdoptedRules, LogFold};
pub use instrument::{Instrument, Outcome, StateMonths};
pub use worker::{
    Application, Claim, Coverage, Entitlement, EntitlementStatus, MonthCell, Payments, PeriodKind,
    ProjectionError, Resolution, WorkerProjection, STATEMENT_CHUNK_EVENTS,
};
