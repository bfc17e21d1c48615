//! Cosignatures of checkpoints in the C2SP tlog-cosignature format (Ed25519, `cosignature/v1`),
//! and the policy a verifier holds: "the log's key and at least k of these n cosigners".
//!
//! A cosignature is a statement by a cosigner (a replica of the ledger, or an outside witness
//! such as an agency that runs only a verifier) that, as of its timestamp, the largest tree it
//! has seen of the log is the one the checkpoint names, consistent with every one it saw before.
//! With cosignatures from parties the log operator does not control, one server can no longer
//! show a rewritten history to some readers and the true one to others.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::checkpoint::{
    encode_verifier_key, key_id, parse_verifier_key, signature_line, split_note, Checkpoint, CheckpointError,
    SignatureLine, Verifier,
};

/// The signed-note signature type of an Ed25519 cosignature (C2SP tlog-cosignature).
pub const COSIGNATURE_ALGORITHM: u8 = 0x04;
/// The header line of the message an Ed25519 cosignature signs.
const COSIGNATURE_HEADER: &str = "cosignature/v1\n";
/// Most cosigners a policy may list.
pub const POLICY_COSIGNERS_MAX: usize = 64;
/// Key ID, big-endian timestamp, Ed25519 signature.
const COSIGNATURE_BLOB_LEN: usize = 4 + 8 + 64;

/// The message a cosignature signs: the header, the time, and the checkpoint's body.
fn signed_message(body: &str, timestamp: u64) -> String {
    format!("{COSIGNATURE_HEADER}time {timestamp}\n{body}")
}

/// A cosigner's signing key and the name it signs under.
pub struct CosignerKey {
    name: String,
    signing: SigningKey,
}

impl std::fmt::Debug for CosignerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CosignerKey({})", self.verifier_key())
    }
}

impl CosignerKey {
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> CosignerKey {
        CosignerKey { name: name.to_owned(), signing: SigningKey::from_bytes(seed) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// The verifier key: `name+keyid+base64(0x04 || public key)`.
    pub fn verifier_key(&self) -> String {
        encode_verifier_key(&self.name, COSIGNATURE_ALGORITHM, &self.signing.verifying_key())
    }

    /// The cosignature line of `checkpoint` at `timestamp` (seconds since the epoch), to append
    /// to the checkpoint's note. The caller has checked that the checkpoint is consistent with
    /// every tree it cosigned before: that is what the line states.
    pub fn cosign(&self, checkpoint: &Checkpoint, timestamp: u64) -> String {
        let timestamp = timestamp.min(i64::MAX as u64);
        let signature = self.signing.sign(signed_message(&checkpoint.body(), timestamp).as_bytes());
        let mut blob = key_id(&self.name, COSIGNATURE_ALGORITHM, &self.signing.verifying_key()).to_vec();
        blob.extend_from_slice(&timestamp.to_be_bytes());
        blob.extend_from_slice(&signature.to_bytes());
        signature_line(&self.name, &blob)
    }
}

/// A cosigner's public key, as a verifier holds it.
#[derive(Clone, Debug)]
pub struct Cosigner {
    name: String,
    id: [u8; 4],
    public: VerifyingKey,
}

impl Cosigner {
    pub fn parse(verifier_key: &str) -> Result<Cosigner, CheckpointError> {
        let (name, id, public) = parse_verifier_key(verifier_key, COSIGNATURE_ALGORITHM)?;
        Ok(Cosigner { name, id, public })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether `signatures` hold this cosigner's cosignature of `body`, and whether it verifies.
    fn cosigned(&self, body: &str, signatures: &[SignatureLine<'_>]) -> Cosignature {
        let mut seen = Cosignature::Absent;
        for (name, blob) in signatures {
            if *name != self.name || blob[..4] != self.id {
                continue;
            }
            let mut timestamp = [0u8; 8];
            let valid = blob.len() == COSIGNATURE_BLOB_LEN && {
                timestamp.copy_from_slice(&blob[4..12]);
                let timestamp = u64::from_be_bytes(timestamp);
                timestamp <= i64::MAX as u64
                    && Signature::from_slice(&blob[12..]).is_ok_and(|signature| {
                        self.public
                            .verify_strict(signed_message(body, timestamp).as_bytes(), &signature)
                            .is_ok()
                    })
            };
            if !valid {
                return Cosignature::Invalid;
            }
            seen = Cosignature::Valid(u64::from_be_bytes(timestamp));
        }
        seen
    }
}

enum Cosignature {
    Absent,
    Invalid,
    Valid(u64),
}

/// What a verifier requires of a checkpoint beyond the log's own signature: valid cosignatures
/// by at least `threshold` distinct cosigners of its list. Cosignatures by keys not on the list
/// count for nothing, however many there are.
#[derive(Clone, Debug)]
pub struct Policy {
    threshold: usize,
    cosigners: Vec<Cosigner>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    #[error("cosignature policy: {0}")]
    Invalid(String),
    #[error("the cosignature by {0} does not verify: the note is refused")]
    BadCosignature(String),
    #[error(
        "the checkpoint has valid cosignatures by {} of the policy's cosigners ({}), it needs {needed}{}",
        cosigned_by.len(),
        if cosigned_by.is_empty() { "none".to_owned() } else { cosigned_by.join(", ") },
        if *unknown == 0 { String::new() } else { format!("; {unknown} signatures by keys outside the policy, not counted") }
    )]
    TooFew { needed: usize, cosigned_by: Vec<String>, unknown: usize },
}

/// A checkpoint that satisfied a policy, with who cosigned it and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cosigned {
    pub checkpoint: Checkpoint,
    /// The policy's cosigners whose cosignature verified, with its timestamp.
    pub cosigned_by: Vec<(String, u64)>,
}

impl Policy {
    /// Only the log's signature is required.
    pub fn log_only() -> Policy {
        Policy { threshold: 0, cosigners: Vec::new() }
    }

    /// At least `threshold` of `cosigners`; each cosigner must have its own name and its own key
    /// (an Ed25519 cosignature does not commit to the name, so one key listed twice would count
    /// twice).
    pub fn new(threshold: usize, cosigners: Vec<Cosigner>) -> Result<Policy, PolicyError> {
        let invalid = |why: String| Err(PolicyError::Invalid(why));
        if cosigners.len() > POLICY_COSIGNERS_MAX {
            return invalid(format!("at most {POLICY_COSIGNERS_MAX} cosigners, not {}", cosigners.len()));
        }
        if threshold == 0 || threshold > cosigners.len() {
            return invalid(format!(
                "at least {threshold} of {} cosigners can never be met, or is met by none",
                cosigners.len()
            ));
        }
        for (index, cosigner) in cosigners.iter().enumerate() {
            if let Some(twin) = cosigners[..index]
                .iter()
                .find(|other| other.name == cosigner.name || other.public == cosigner.public)
            {
                return invalid(format!("{} and {} are the same cosigner", twin.name, cosigner.name));
            }
        }
        Ok(Policy { threshold, cosigners })
    }

    /// A policy file: `at-least K` and one `cosigner VERIFIER-KEY` line per cosigner; blank lines
    /// and lines starting with `#` are ignored.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let mut threshold = None;
        let mut cosigners = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at = |why: String| PolicyError::Invalid(format!("line {}: {why}", number + 1));
            match line.split_once(' ') {
                Some(("at-least", count)) if threshold.is_none() => {
                    threshold = Some(count.trim().parse::<usize>().map_err(|_| at("not a count".into()))?);
                }
                Some(("cosigner", key)) if cosigners.len() < POLICY_COSIGNERS_MAX => {
                    cosigners.push(Cosigner::parse(key).map_err(|error| at(error.to_string()))?);
                }
                _ => return Err(at("expected one `at-least K` line and `cosigner KEY` lines".into())),
            }
        }
        Policy::new(threshold.ok_or_else(|| PolicyError::Invalid("no `at-least K` line".into()))?, cosigners)
    }

    pub fn threshold(&self) -> usize {
        self.threshold
    }

    /// The checkpoint of `note` when the log's key signed it and the policy is met. As C2SP
    /// signed-note recommends, a cosignature by one of the policy's keys that does not verify
    /// refuses the whole note, however many others do.
    pub fn check(&self, log: &Verifier, note: &str) -> Result<Cosigned, PolicyError> {
        let checkpoint = log.verify(note)?;
        let (body, signatures) = split_note(note)?;
        let mut cosigned_by = Vec::new();
        for cosigner in &self.cosigners {
            match cosigner.cosigned(&body, &signatures) {
                Cosignature::Valid(timestamp) => cosigned_by.push((cosigner.name.clone(), timestamp)),
                Cosignature::Invalid => return Err(PolicyError::BadCosignature(cosigner.name.clone())),
                Cosignature::Absent => {}
            }
        }
        if cosigned_by.len() >= self.threshold {
            return Ok(Cosigned { checkpoint, cosigned_by });
        }
        let known =
            |name: &str| name == log.name() || self.cosigners.iter().any(|cosigner| cosigner.name == name);
        let unknown = signatures.iter().filter(|(name, _)| !known(name)).count();
        Err(PolicyError::TooFew {
            needed: self.threshold,
            cosigned_by: cosigned_by.into_iter().map(|(name, _)| name).collect(),
            unknown,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::LogKey;

    fn log() -> (LogKey, Verifier) {
        let key = LogKey::from_seed("ledger.test/log", &[7u8; 32]);
        let verifier = Verifier::parse(&key.verifier_key()).unwrap_or_else(|error| panic!("{error}"));
        (key, verifier)
    }

    fn cosigner(name: &str, seed: u8) -> (CosignerKey, Cosigner) {
        let key = CosignerKey::from_seed(name, &[seed; 32]);
        let public = Cosigner::parse(&key.verifier_key()).unwrap_or_else(|error| panic!("{error}"));
        (key, public)
    }

    fn checkpoint() -> Checkpoint {
        Checkpoint { origin: "ledger.test/log".into(), size: 42, root: [9u8; 32] }
    }

    #[test]
    fn the_signed_message_is_the_c2sp_one() {
        // The message as tlog-cosignature specifies it, written out by hand from the spec.
        assert_eq!(
            signed_message(&checkpoint().body(), 1_679_315_147),
            "cosignature/v1\ntime 1679315147\nledger.test/log\n42\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n"
        );
        let (key, _) = cosigner("witness.test/w1", 3);
        let line = key.cosign(&checkpoint(), 1_679_315_147);
        let note = format!("{}{line}", LogKey::from_seed("x", &[1; 32]).sign(1, [0; 32]));
        let (_, lines) = split_note(&note).unwrap_or_else(|error| panic!("{error}"));
        let (name, blob) = &lines[1];
        assert_eq!(*name, "witness.test/w1");
        assert_eq!(blob.len(), 76);
        assert_eq!(blob[4..12], 1_679_315_147u64.to_be_bytes());
        assert!(Verifier::parse(&key.verifier_key()).is_err(), "a cosigner key is not a log key");
    }

    #[test]
    fn a_policy_counts_distinct_listed_cosigners_and_nothing_else() {
        let (log_key, log) = log();
        let (a, a_public) = cosigner("replica.test/a", 1);
        let (b, b_public) = cosigner("replica.test/b", 2);
        let (outsider, _) = cosigner("replica.test/c", 3);
        let policy =
            Policy::new(2, vec![a_public.clone(), b_public.clone()]).unwrap_or_else(|e| panic!("{e}"));
        let note = log_key.sign(42, [9u8; 32]);

        // One listed cosigner, twice, and an unknown one: too few.
        let once = format!("{note}{}{}", a.cosign(&checkpoint(), 10), a.cosign(&checkpoint(), 11));
        let with_outsider = format!("{once}{}", outsider.cosign(&checkpoint(), 12));
        match policy.check(&log, &with_outsider) {
            Err(PolicyError::TooFew { needed: 2, cosigned_by, unknown: 1 }) => {
                assert_eq!(cosigned_by, vec!["replica.test/a".to_owned()]);
            }
            other => panic!("{other:?}"),
        }
        // The outsider's key under a listed name is not that cosigner's signature.
        let impostor = CosignerKey::from_seed("replica.test/b", &[3u8; 32]);
        let forged = format!("{once}{}", impostor.cosign(&checkpoint(), 12));
        assert!(matches!(policy.check(&log, &forged), Err(PolicyError::TooFew { .. })));

        // Both listed cosigners: met, with their timestamps.
        let both = format!("{note}{}{}", a.cosign(&checkpoint(), 10), b.cosign(&checkpoint(), 20));
        let cosigned = policy.check(&log, &both).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(cosigned.checkpoint, checkpoint());
        assert_eq!(cosigned.cosigned_by, vec![("replica.test/a".into(), 10), ("replica.test/b".into(), 20)]);

        // A listed cosigner's cosignature of another tree refuses the note, as does any change
        // to a cosignature's bytes (its timestamp here).
        let other_tree = Checkpoint { size: 43, ..checkpoint() };
        let stale = format!("{note}{}{}", a.cosign(&checkpoint(), 10), b.cosign(&other_tree, 20));
        assert_eq!(
            policy.check(&log, &stale).err(),
            Some(PolicyError::BadCosignature("replica.test/b".into()))
        );
        let line = b.cosign(&checkpoint(), 20);
        let (name, mut blob) = split_note(&format!("{note}{line}"))
            .map(|(_, lines)| (lines[1].0.to_owned(), lines[1].1.clone()))
            .unwrap_or_else(|error| panic!("{error}"));
        blob[11] ^= 1;
        let retimed = format!("{both}{}", signature_line(&name, &blob));
        assert!(matches!(policy.check(&log, &retimed), Err(PolicyError::BadCosignature(_))));
        // Without the log's own signature nothing counts.
        let unsigned: String = both
            .split_inclusive('\n')
            .filter(|line| !line.starts_with("\u{2014} ledger.test/log "))
            .collect();
        assert!(matches!(policy.check(&log, &unsigned), Err(PolicyError::Checkpoint(_))));
    }

    #[test]
    fn a_policy_that_cannot_mean_anything_is_refused() {
        let (_, a) = cosigner("replica.test/a", 1);
        let (_, a_renamed) = cosigner("replica.test/a-again", 1);
        assert!(Policy::new(0, vec![a.clone()]).is_err());
        assert!(Policy::new(2, vec![a.clone()]).is_err());
        assert!(Policy::new(1, vec![a.clone(), a_renamed]).is_err(), "one key under two names counts once");
        assert!(Policy::new(1, vec![a.clone(), a.clone()]).is_err());
        let text = |threshold: &str| {
            format!(
                "# illustrative\nat-least {threshold}\ncosigner {}\n\ncosigner {}\n",
                key_of(1, "a"),
                key_of(2, "b")
            )
        };
        let parsed = Policy::parse(&text("2")).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!((parsed.threshold(), parsed.cosigners.len()), (2, 2));
        assert!(Policy::parse(&text("3")).is_err());
        assert!(Policy::parse(&text("two")).is_err());
        assert!(Policy::parse("cosigner x+00000000+AAAA\nat-least 1\n").is_err());
        assert!(Policy::parse(&format!("at-least 1\nat-least 1\ncosigner {}\n", key_of(1, "a"))).is_err());
        let log_key = LogKey::from_seed("replica.test/a", &[1u8; 32]).verifier_key();
        assert!(
            Policy::parse(&format!("at-least 1\ncosigner {log_key}\n")).is_err(),
            "a log key is not a cosigner key"
        );
    }

    fn key_of(seed: u8, name: &str) -> String {
        CosignerKey::from_seed(&format!("replica.test/{name}"), &[seed; 32]).verifier_key()
    }
}
