//! Signed checkpoints in the C2SP formats: a tlog-checkpoint body (origin, tree size, root) in a
//! signed note with an Ed25519 signature, and the signed-note verifier key that checks it.
//! Anyone holding the verifier key can check a checkpoint offline, without trusting the server.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::merkle::Hash;
use crate::sha256;

/// The signed-note algorithm identifier of Ed25519.
const ED25519_ALGORITHM: u8 = 0x01;
/// The em dash that starts a signature line of a signed note.
const SIGNATURE_LINE_PREFIX: &str = "\u{2014} ";
/// Longest checkpoint note accepted, in bytes.
pub const NOTE_LEN_MAX: usize = 16 * 1024;

/// What a checkpoint commits to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Names the log; also the name of its key.
    pub origin: String,
    pub size: u64,
    pub root: Hash,
}

impl Checkpoint {
    /// The tlog-checkpoint body: origin, decimal size and base64 root, each on its own line.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, BASE64.encode(self.root))
    }

    fn parse_body(body: &str) -> Result<Checkpoint, CheckpointError> {
        let bad = |why: &str| CheckpointError::Malformed(why.to_owned());
        let mut lines =
            body.strip_suffix('\n').ok_or_else(|| bad("the body does not end with a newline"))?.split('\n');
        let origin = lines.next().filter(|origin| !origin.is_empty()).ok_or_else(|| bad("no origin"))?;
        let size =
            lines.next().and_then(|size| size.parse::<u64>().ok()).ok_or_else(|| bad("no tree size"))?;
        let root = lines
            .next()
            .and_then(|root| BASE64.decode(root).ok())
            .and_then(|root| Hash::try_from(root.as_slice()).ok())
            .ok_or_else(|| bad("no root hash"))?;
        // Extension lines may follow; they are covered by the signature but not interpreted here.
        Ok(Checkpoint { origin: origin.to_owned(), size, root })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CheckpointError {
    #[error("malformed checkpoint: {0}")]
    Malformed(String),
    #[error("malformed verifier key: {0}")]
    BadKey(String),
    #[error("no signature by {0} on the checkpoint")]
    NotSigned(String),
    #[error("the signature by {0} does not verify")]
    BadSignature(String),
    #[error("the checkpoint names origin {found}, the key is for {expected}")]
    WrongOrigin { expected: String, found: String },
}

/// The first four bytes of SHA-256(name || "\n" || 0x01 || public key).
fn key_hash(name: &str, public: &VerifyingKey) -> [u8; 4] {
    let mut bytes = Vec::with_capacity(name.len() + 34);
    bytes.extend_from_slice(name.as_bytes());
    bytes.push(b'\n');
    bytes.push(ED25519_ALGORITHM);
    bytes.extend_from_slice(public.as_bytes());
    let digest = sha256(&bytes);
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The log's signing key and the name (origin) it signs under.
pub struct LogKey {
    name: String,
    signing: SigningKey,
}

impl std::fmt::Debug for LogKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LogKey({})", self.verifier_key())
    }
}

impl LogKey {
    pub fn from_seed(name: &str, seed: &[u8; 32]) -> LogKey {
        LogKey { name: name.to_owned(), signing: SigningKey::from_bytes(seed) }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.signing.verifying_key().to_bytes()
    }

    /// The signed-note verifier key: `name+keyhash+base64(0x01 || public key)`.
    pub fn verifier_key(&self) -> String {
        let public = self.signing.verifying_key();
        let hash = key_hash(&self.name, &public);
        let mut encoded = vec![ED25519_ALGORITHM];
        encoded.extend_from_slice(public.as_bytes());
        let hash_hex: String = hash.iter().map(|byte| format!("{byte:02x}")).collect();
        format!("{}+{hash_hex}+{}", self.name, BASE64.encode(encoded))
    }

    /// The checkpoint of a tree as a signed note.
    pub fn sign(&self, size: u64, root: Hash) -> String {
        let body = Checkpoint { origin: self.name.clone(), size, root }.body();
        let signature = self.signing.sign(body.as_bytes());
        let mut blob = key_hash(&self.name, &self.signing.verifying_key()).to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        format!("{body}\n{SIGNATURE_LINE_PREFIX}{} {}\n", self.name, BASE64.encode(blob))
    }
}

/// Checks signed notes against one verifier key.
#[derive(Clone, Debug)]
pub struct Verifier {
    name: String,
    hash: [u8; 4],
    public: VerifyingKey,
}

impl Verifier {
    pub fn parse(verifier_key: &str) -> Result<Verifier, CheckpointError> {
        let bad = |why: &str| CheckpointError::BadKey(why.to_owned());
        let mut parts = verifier_key.trim().splitn(3, '+');
        let (Some(name), Some(hash_hex), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected name+hash+key"));
        };
        let key = BASE64.decode(key).map_err(|_| bad("the key is not base64"))?;
        let (algorithm, public) = key.split_first().ok_or_else(|| bad("empty key"))?;
        if *algorithm != ED25519_ALGORITHM {
            return Err(bad("not an Ed25519 key"));
        }
        let public = <[u8; 32]>::try_from(public).map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
        let public = VerifyingKey::from_bytes(&public).map_err(|_| bad("not a valid Ed25519 point"))?;
        let hash = key_hash(name, &public);
        let hash_hex_expected: String = hash.iter().map(|byte| format!("{byte:02x}")).collect();
        if hash_hex != hash_hex_expected {
            return Err(bad("the key hash does not match the name and key"));
        }
        Ok(Verifier { name: name.to_owned(), hash, public })
    }

    /// The checkpoint of a note this key signed; every other line of the note is ignored.
    pub fn verify(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        if note.len() > NOTE_LEN_MAX {
            return Err(CheckpointError::Malformed(format!("longer than {NOTE_LEN_MAX} bytes")));
        }
        let (body, signatures) = note
            .split_once("\n\n")
            .map(|(body, rest)| (format!("{body}\n"), rest))
            .ok_or_else(|| CheckpointError::Malformed("no blank line before the signatures".into()))?;
        let prefix = format!("{SIGNATURE_LINE_PREFIX}{} ", self.name);
        let mut found = false;
        for line in signatures.lines() {
            let Some(blob) = line.strip_prefix(&prefix) else { continue };
            let Ok(blob) = BASE64.decode(blob) else { continue };
            if blob.len() != 68 || blob[..4] != self.hash {
                continue;
            }
            found = true;
            let signature = Signature::from_slice(&blob[4..])
                .map_err(|_| CheckpointError::BadSignature(self.name.clone()))?;
            if self.public.verify_strict(body.as_bytes(), &signature).is_ok() {
                let checkpoint = Checkpoint::parse_body(&body)?;
                if checkpoint.origin != self.name {
                    return Err(CheckpointError::WrongOrigin {
                        expected: self.name.clone(),
                        found: checkpoint.origin,
                    });
                }
                return Ok(checkpoint);
            }
        }
        Err(if found {
            CheckpointError::BadSignature(self.name.clone())
        } else {
            CheckpointError::NotSigned(self.name.clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LogKey {
        LogKey::from_seed("ledger.test/log", &[7u8; 32])
    }

    #[test]
    fn a_signed_checkpoint_verifies_with_the_verifier_key() {
        let key = key();
        let note = key.sign(42, [9u8; 32]);
        assert!(note.starts_with(
            "ledger.test/log\n42\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n\n\u{2014} ledger.test/log "
        ));
        let verifier = Verifier::parse(&key.verifier_key()).unwrap_or_else(|error| panic!("{error}"));
        let checkpoint = verifier.verify(&note).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(checkpoint, Checkpoint { origin: "ledger.test/log".into(), size: 42, root: [9u8; 32] });
    }

    #[test]
    fn any_change_to_the_note_or_the_key_is_refused() {
        let key = key();
        let note = key.sign(42, [9u8; 32]);
        let verifier = Verifier::parse(&key.verifier_key()).unwrap_or_else(|error| panic!("{error}"));
        for (from, to) in
            [("\n42\n", "\n43\n"), ("CQkJ", "CQkK"), ("ledger.test/log\n", "ledger.test/logs\n")]
        {
            let edited = note.replacen(from, to, 1);
            assert!(verifier.verify(&edited).is_err(), "{from} -> {to} accepted");
        }
        let other = LogKey::from_seed("ledger.test/log", &[8u8; 32]);
        let other_verifier = Verifier::parse(&other.verifier_key()).unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(other_verifier.verify(&note), Err(CheckpointError::NotSigned("ledger.test/log".into())));
        let forged = key.verifier_key().replacen('+', "x+", 1);
        assert!(Verifier::parse(&forged).is_err());
    }
}
