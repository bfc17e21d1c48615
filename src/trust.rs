//! What an offline verifier trusts: the log's verifier key and, when given, a cosignature policy
//! ("at least k of these n cosigners"), so that a checkpoint the log's operator signed alone is
//! not enough where the reader wants replicas or outside witnesses to vouch for it too.

use std::path::Path;

use anyhow::Context;
use ledger_core::checkpoint::Verifier;
use ledger_core::cosignature::{Cosigned, Policy};

/// Longest policy file read, in bytes: 64 cosigner keys fit many times over.
pub const POLICY_FILE_LEN_MAX: u64 = 64 * 1024;

#[derive(Clone, Debug)]
pub struct Trust {
    log: Verifier,
    policy: Policy,
}

impl Trust {
    /// `key` is the verifier key or a file holding it; `policy` a policy file (docs/FORMAT.md).
    pub fn load(key: &str, policy: Option<&Path>) -> anyhow::Result<Trust> {
        let key = match std::fs::read_to_string(key) {
            Ok(text) => text,
            Err(_) => key.to_owned(),
        };
        let mut trust = Trust::log_only(key.trim())?;
        if let Some(path) = policy {
            let size =
                std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
            anyhow::ensure!(
                size <= POLICY_FILE_LEN_MAX,
                "{} is larger than {POLICY_FILE_LEN_MAX} bytes",
                path.display()
            );
            let text =
                std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            trust.policy = Policy::parse(&text).with_context(|| format!("the policy {}", path.display()))?;
        }
        Ok(trust)
    }

    /// Only the log's signature, with the verifier key itself.
    pub fn log_only(verifier_key: &str) -> anyhow::Result<Trust> {
        Ok(Trust {
            log: Verifier::parse(verifier_key).context("the verifier key")?,
            policy: Policy::log_only(),
        })
    }

    /// The checkpoint of `note` when it satisfies the log's key and the policy.
    pub fn check(&self, note: &str) -> anyhow::Result<Cosigned> {
        self.policy.check(&self.log, note).context("the checkpoint")
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
