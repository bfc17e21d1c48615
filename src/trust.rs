//! What an offline verifier trusts: the log's verifier key and, when given, a cosignature policy
//! ("at least k of these n cosigners"), so that a checkpoint the log's operator signed alone is
//! not enough where the reader wants replicas or outside witnesses to vouch for it too.

use std::path::Path;

use anyhow::Context;

/// Longest policy file read, in bytes: 64 cosigner keys fit many times over.
pub const POLICY_FILE_LEN_MAX: u64 = 64 * 1024;

pub use ledger_verify::Trust;

/// The trust of `key` (the verifier key or a file holding it) and of the policy file `policy`
/// (docs/FORMAT.md), read from disk.
pub fn load(key: &str, policy: Option<&Path>) -> anyhow::Result<Trust> {
    let key = match std::fs::read_to_string(key) {
        Ok(text) => text,
        Err(_) => key.to_owned(),
    };
    let Some(path) = policy else { return Ok(Trust::log_only(key.trim())?) };
    let size = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
    anyhow::ensure!(
        size <= POLICY_FILE_LEN_MAX,
        "{} is larger than {POLICY_FILE_LEN_MAX} bytes",
        path.display()
    );
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Trust::with_policy(key.trim(), &text).with_context(|| format!("the policy {}", path.display()))
}
