//! Offline verification: what a worker, an institution or an auditor can check without trusting
//! the ledger's server, with nothing but the log's verifier key (and, when they want replicas or
//! witnesses to vouch too, a cosignature policy). Shared by the command line and the portal; it
//! does no IO, so that it can run wherever the bytes are.
//!
//! - [`Trust`]: the log's key and the policy a checkpoint must satisfy.
//! - [`statement`]: a worker's portable statement, its file format and its check.
//! - [`export`]: the whole log in one file, and its check.
//! - [`report`]: published reports, their check, and their computation again from an export.

pub mod export;
pub mod report;
pub mod statement;

use ledger_core::checkpoint::Verifier;
use ledger_core::cosignature::{Cosigned, Policy};

pub use statement::{StatementFile, StatementFileEntry, STATEMENT_FILE_LEN_MAX, STATEMENT_FORMAT};

/// Why something did not verify.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the verifier key: {0}")]
    Key(String),
    #[error("the policy: {0}")]
    Policy(String),
    #[error("the checkpoint: {0}")]
    Checkpoint(String),
    #[error("{0}")]
    Statement(String),
    #[error("entry {seq}: {reason}")]
    Entry { seq: u64, reason: String },
    #[error("{0}")]
    Export(String),
}

/// What an offline verifier trusts: the log's verifier key and a cosignature policy ("at least k
/// of these n cosigners"), so that a checkpoint the log's operator signed alone is not enough
/// where the reader wants replicas or outside witnesses to vouch for it too.
#[derive(Clone, Debug)]
pub struct Trust {
    log: Verifier,
    policy: Policy,
}

impl Trust {
    /// Only the log's signature, with the verifier key itself.
    pub fn log_only(verifier_key: &str) -> Result<Trust, VerifyError> {
        let log = Verifier::parse(verifier_key).map_err(|error| VerifyError::Key(error.to_string()))?;
        Ok(Trust { log, policy: Policy::log_only() })
    }

    /// The log's key and the policy of `policy_text` (docs/FORMAT.md, "Cosignatures").
    pub fn with_policy(verifier_key: &str, policy_text: &str) -> Result<Trust, VerifyError> {
        let mut trust = Trust::log_only(verifier_key)?;
        trust.policy = Policy::parse(policy_text).map_err(|error| VerifyError::Policy(error.to_string()))?;
        Ok(trust)
    }

    /// The log's key.
    pub fn log(&self) -> &Verifier {
        &self.log
    }

    /// The checkpoint of `note` when it satisfies the log's key and the policy.
    pub fn check(&self, note: &str) -> Result<Cosigned, VerifyError> {
        self.policy.check(&self.log, note).map_err(|error| VerifyError::Checkpoint(error.to_string()))
    }

    /// What the check of a checkpoint established, for a verifier's report.
    pub fn describe(&self, cosigned: &Cosigned) -> String {
        match self.policy.threshold() {
            0 => "signed by the log's key".to_owned(),
            needed => {
                let names: Vec<&str> = cosigned.cosigned_by.iter().map(|(name, _)| name.as_str()).collect();
                format!(
                    "signed by the log's key and cosigned by {} of the policy's cosigners (at least {needed} required): {}",
                    names.len(),
                    names.join(", ")
                )
            }
        }
    }
}
