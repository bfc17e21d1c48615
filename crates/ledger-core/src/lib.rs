//! The domain of the portable social-protection ledger, with no IO.
//!
//! - [`types`]: validated values (months, jurisdictions, currencies, amounts, ids).
//! - [`event`]: the events of the log.
//! - [`record`]: the stored record and its canonical encoding (docs/FORMAT.md).
//! - [`iso4217`]: the minor unit of each currency.
//! - [`hash`]: the event hash (RFC 6962 leaf) and the chain hash.
//! - [`chain`]: checking stored records link by link.
//! - [`checkpoint`], [`cosignature`]: signed checkpoints (C2SP signed notes), their cosignatures
//!   and the policy that says whose cosignatures a verifier requires.
//!
//! Architecture invariant: this crate does no IO and knows nothing of sled or tonic.
//!
//! ```
//! use ledger_core::{chain_hash, event_hash, ChainHash, ChainVerifier, Seq};
//! # use ledger_core::*;
//! let record = Record {
//!     seq: Seq(0),
//!     recorded_at: chrono::DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap(),
//!     principal: PrincipalId::parse("agency-ph").unwrap(),
//!     request_id: RequestId::parse("enrol-1").unwrap(),
//!     prev_chain_hash: ChainHash::GENESIS,
//!     event: Event::WorkerEnrolled(WorkerEnrolled {
//!         worker_id: WorkerId::from_random([7; 10]),
//!         origin: Jurisdiction::parse("PH").unwrap(),
//!         enrolled_in: Jurisdiction::parse("PH").unwrap(),
//!         sex: Some(Sex::Female),
//!         birth_month: None,
//!     }),
//! };
//! let bytes = record.encode();
//! let stored = chain_hash(&ChainHash::GENESIS, &event_hash(&bytes));
//! let mut verifier = ChainVerifier::new(Seq(0), ChainHash::GENESIS);
//! let (decoded, _) = verifier.check(Seq(0), &bytes, &stored).unwrap();
//! assert_eq!(decoded, record);
//! ```

pub mod chain;
pub mod checkpoint;
pub mod cosignature;
pub mod cursor;
pub mod event;
pub mod hash;
pub mod iso4217;
pub mod merkle;
pub mod record;
pub mod types;

pub use chain::{ChainFault, ChainVerifier, Verified};
pub use event::{
    AccessChange, AccessChanged, AppealDecided, BenefitApplied, BenefitPaid, ClaimAppealed, ClaimFiled,
    ClaimResolved, ConsentChanged, ContributionCorrected, ContributionRecorded, ContributionReversed,
    CredentialReplaced, EntitlementGranted, EntitlementStatusChanged, Event, Figures, PeriodCertified,
    PeriodCredited, RecruitmentCostRecorded, ResidenceChanged, RulesAdopted, StatusChange, WorkerEnrolled,
    CLAIM_MONTHS_MAX, CREDITED_PERIOD_MONTHS_MAX, RULES_DOCUMENT_LEN_MAX,
};
pub use hash::{chain_hash, constant_time_eq, event_hash, sha256, ChainHash, EventHash};
pub use record::{encode_event, DecodeError, Record, RECORD_FORMAT_VERSION, RECORD_LEN_MAX};
pub use types::*;

/// A value from outside that is not acceptable, naming the field that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidInput {
    /// The path of the offending field in the request, such as `contributions[3].month`.
    pub field: String,
    pub message: String,
}

impl InvalidInput {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> InvalidInput {
        InvalidInput { field: field.into(), message: message.into() }
    }

    /// The same problem, for a field nested under `prefix` (`contributions[3]`).
    pub fn within(self, prefix: &str) -> InvalidInput {
        InvalidInput { field: format!("{prefix}.{}", self.field), message: self.message }
    }
}
