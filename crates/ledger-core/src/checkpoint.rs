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

    pub fn parse(body: &str) -> Result<Checkpoint, CheckpointError> {
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

/// The first line of a report statement's body. Its second line is the log's origin, which is no
/// tree size: no report statement is ever a checkpoint, whatever the log is named.
pub const REPORT_STATEMENT_HEADER: &str = "ledger-report-v1";

/// What the log's key says of a published report (docs/FORMAT.md, "Published reports"): that the
/// report whose canonical bytes hash to `digest` is the one of its parameters computed from the
/// log's first `size` events, whose Merkle root is `root`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportStatement {
    pub origin: String,
    /// The report (`coverage`, `employer-pays`, `employers`), the jurisdiction and the period:
    /// each one word.
    pub report: String,
    pub jurisdiction: String,
    pub period: String,
    pub size: u64,
    pub root: Hash,
    /// SHA-256 of the report's canonical bytes.
    pub digest: [u8; 32],
}

impl ReportStatement {
    /// The body: the header, the origin, the report's parameters, the decimal size, the base64
    /// root and the hex digest, each on its own line.
    pub fn body(&self) -> String {
        let digest: String = self.digest.iter().map(|byte| format!("{byte:02x}")).collect();
        format!(
            "{REPORT_STATEMENT_HEADER}\n{}\n{} {} {}\n{}\n{}\n{digest}\n",
            self.origin,
            self.report,
            self.jurisdiction,
            self.period,
            self.size,
            BASE64.encode(self.root)
        )
    }

    pub fn parse(body: &str) -> Result<ReportStatement, CheckpointError> {
        let bad = |why: &str| CheckpointError::Malformed(format!("report statement: {why}"));
        let lines: Vec<&str> = body
            .strip_suffix('\n')
            .ok_or_else(|| bad("the body does not end with a newline"))?
            .split('\n')
            .collect();
        let [header, origin, parameters, size, root, digest] = lines[..] else {
            return Err(bad("six lines expected"));
        };
        if header != REPORT_STATEMENT_HEADER || origin.is_empty() {
            return Err(bad("not a report statement"));
        }
        let words: Vec<&str> = parameters.split(' ').collect();
        let [report, jurisdiction, period] = words[..] else { return Err(bad("three parameters expected")) };
        if [report, jurisdiction, period].iter().any(|word| word.is_empty()) {
            return Err(bad("an empty parameter"));
        }
        let size = size.parse::<u64>().map_err(|_| bad("no tree size"))?;
        let root = BASE64
            .decode(root)
            .ok()
            .and_then(|root| Hash::try_from(root.as_slice()).ok())
            .ok_or_else(|| bad("no root hash"))?;
        let digest = (digest.len() == 64)
            .then(|| {
                let mut bytes = [0u8; 32];
                for (index, byte) in bytes.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(digest.get(2 * index..2 * index + 2)?, 16).ok()?;
                }
                Some(bytes)
            })
            .flatten()
            .ok_or_else(|| bad("no digest"))?;
        Ok(ReportStatement {
            origin: origin.to_owned(),
            report: report.to_owned(),
            jurisdiction: jurisdiction.to_owned(),
            period: period.to_owned(),
            size,
            root,
            digest,
        })
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
    key_id(name, ED25519_ALGORITHM, public)
}

/// The first four bytes of SHA-256(name || "\n" || algorithm || public key): the key ID of a
/// signed-note signature line.
pub(crate) fn key_id(name: &str, algorithm: u8, public: &VerifyingKey) -> [u8; 4] {
    let mut bytes = Vec::with_capacity(name.len() + 34);
    bytes.extend_from_slice(name.as_bytes());
    bytes.push(b'\n');
    bytes.push(algorithm);
    bytes.extend_from_slice(public.as_bytes());
    let digest = sha256(&bytes);
    [digest[0], digest[1], digest[2], digest[3]]
}

/// The verifier key of a signed-note key: `name+keyid+base64(algorithm || public key)`.
pub(crate) fn encode_verifier_key(name: &str, algorithm: u8, public: &VerifyingKey) -> String {
    let mut encoded = vec![algorithm];
    encoded.extend_from_slice(public.as_bytes());
    let id: String = key_id(name, algorithm, public).iter().map(|byte| format!("{byte:02x}")).collect();
    format!("{name}+{id}+{}", BASE64.encode(encoded))
}

/// The name, key ID and public key of a verifier key of `algorithm`.
pub(crate) fn parse_verifier_key(
    verifier_key: &str,
    algorithm: u8,
) -> Result<(String, [u8; 4], VerifyingKey), CheckpointError> {
    let bad = |why: &str| CheckpointError::BadKey(why.to_owned());
    let mut parts = verifier_key.trim().splitn(3, '+');
    let (Some(name), Some(hash_hex), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected name+hash+key"));
    };
    if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
        return Err(bad("the name is empty or has a space or a plus sign"));
    }
    let key = BASE64.decode(key).map_err(|_| bad("the key is not base64"))?;
    let (found, public) = key.split_first().ok_or_else(|| bad("empty key"))?;
    if *found != algorithm {
        return Err(bad(&format!("a key of type {found:#04x}, expected {algorithm:#04x}")));
    }
    let public = <[u8; 32]>::try_from(public).map_err(|_| bad("an Ed25519 key is 32 bytes"))?;
    let public = VerifyingKey::from_bytes(&public).map_err(|_| bad("not a valid Ed25519 point"))?;
    let id = key_id(name, algorithm, &public);
    let id_hex: String = id.iter().map(|byte| format!("{byte:02x}")).collect();
    if hash_hex != id_hex {
        return Err(bad("the key hash does not match the name and key"));
    }
    Ok((name.to_owned(), id, public))
}

/// A signature line's key name and its decoded blob (key ID, then the signature).
pub(crate) type SignatureLine<'a> = (&'a str, Vec<u8>);

/// Most signature lines a note may carry (C2SP signed-note asks verifiers to accept at least 16).
pub const NOTE_SIGNATURES_MAX: usize = 64;

/// A signed note taken apart as C2SP signed-note defines it: the text (with its final newline),
/// separated by the last blank line from one or more signature lines, each decoded to its key
/// name and blob (key ID and signature). A note that is not of that form is refused whole: valid
/// UTF-8 with no control character but newline, ending in a newline, every signature line an em
/// dash, a space, a name without spaces or plus signs, a space and base64 of more than four bytes.
pub(crate) fn split_note(note: &str) -> Result<(String, Vec<SignatureLine<'_>>), CheckpointError> {
    let bad = |why: &str| CheckpointError::Malformed(why.to_owned());
    if note.len() > NOTE_LEN_MAX {
        return Err(CheckpointError::Malformed(format!("longer than {NOTE_LEN_MAX} bytes")));
    }
    if note.chars().any(|c| c.is_control() && c != '\n') || !note.ends_with('\n') {
        return Err(bad("a control character, or no final newline"));
    }
    let split = note.rfind("\n\n").ok_or_else(|| bad("no blank line before the signatures"))?;
    let (body, signatures) = (&note[..=split], &note[split + 2..]);
    let mut lines = Vec::new();
    for line in signatures.lines() {
        let (name, blob) = line
            .strip_prefix(SIGNATURE_LINE_PREFIX)
            .and_then(|rest| rest.split_once(' '))
            .ok_or_else(|| bad("a signature line is not an em dash, a key name and a signature"))?;
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c == '+') {
            return Err(bad("a signature line's key name is empty or has a space or a plus sign"));
        }
        let blob = BASE64.decode(blob).map_err(|_| bad("a signature is not base64"))?;
        if blob.len() <= 4 {
            return Err(bad("a signature has no bytes beyond its key ID"));
        }
        lines.push((name, blob));
    }
    if lines.is_empty() || lines.len() > NOTE_SIGNATURES_MAX {
        return Err(CheckpointError::Malformed(format!(
            "{} signature lines; a note carries 1 to {NOTE_SIGNATURES_MAX}",
            lines.len()
        )));
    }
    Ok((body.to_owned(), lines))
}

/// A signature line of a signed note.
pub(crate) fn signature_line(name: &str, blob: &[u8]) -> String {
    format!("{SIGNATURE_LINE_PREFIX}{name} {}\n", BASE64.encode(blob))
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
        encode_verifier_key(&self.name, ED25519_ALGORITHM, &self.signing.verifying_key())
    }

    /// The checkpoint of a tree as a signed note.
    pub fn sign(&self, size: u64, root: Hash) -> String {
        self.sign_body(&Checkpoint { origin: self.name.clone(), size, root }.body())
    }

    /// A report statement as a signed note; its origin is this key's name.
    pub fn sign_report(&self, statement: &ReportStatement) -> String {
        self.sign_body(&ReportStatement { origin: self.name.clone(), ..statement.clone() }.body())
    }

    fn sign_body(&self, body: &str) -> String {
        let signature = self.signing.sign(body.as_bytes());
        let mut blob = key_hash(&self.name, &self.signing.verifying_key()).to_vec();
        blob.extend_from_slice(&signature.to_bytes());
        format!("{body}\n{}", signature_line(&self.name, &blob))
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
        let (name, hash, public) = parse_verifier_key(verifier_key, ED25519_ALGORITHM)?;
        Ok(Verifier { name, hash, public })
    }

    /// The key's name: the origin of the checkpoints it signs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The report statement of a note this key signed.
    pub fn verify_report(&self, note: &str) -> Result<ReportStatement, CheckpointError> {
        let body = self.verified_body(note)?;
        let statement = ReportStatement::parse(&body)?;
        if statement.origin != self.name {
            return Err(CheckpointError::WrongOrigin {
                expected: self.name.clone(),
                found: statement.origin,
            });
        }
        Ok(statement)
    }

    /// The body of a note this key signed.
    fn verified_body(&self, note: &str) -> Result<String, CheckpointError> {
        let (body, signatures) = split_note(note)?;
        let mut found = false;
        for (name, blob) in signatures {
            if name != self.name || blob.len() != 68 || blob[..4] != self.hash {
                continue;
            }
            found = true;
            let signature = Signature::from_slice(&blob[4..])
                .map_err(|_| CheckpointError::BadSignature(self.name.clone()))?;
            if self.public.verify_strict(body.as_bytes(), &signature).is_ok() {
                return Ok(body);
            }
        }
        Err(if found {
            CheckpointError::BadSignature(self.name.clone())
        } else {
            CheckpointError::NotSigned(self.name.clone())
        })
    }

    /// The checkpoint of a note this key signed; every other line of the note is ignored.
    pub fn verify(&self, note: &str) -> Result<Checkpoint, CheckpointError> {
        let checkpoint = Checkpoint::parse(&self.verified_body(note)?)?;
        if checkpoint.origin != self.name {
            return Err(CheckpointError::WrongOrigin {
                expected: self.name.clone(),
                found: checkpoint.origin,
            });
        }
        Ok(checkpoint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> LogKey {
        LogKey::from_seed("ledger.test/log", &[7u8; 32])
    }

    #[test]
    fn a_report_statement_verifies_and_is_never_a_checkpoint() {
        let key = key();
        let statement = ReportStatement {
            origin: String::new(),
            report: "employer-pays".into(),
            jurisdiction: "SA".into(),
            period: "2025".into(),
            size: 42,
            root: [9u8; 32],
            digest: [3u8; 32],
        };
        let note = key.sign_report(&statement);
        assert!(note.starts_with("ledger-report-v1\nledger.test/log\nemployer-pays SA 2025\n42\n"), "{note}");
        let verifier = Verifier::parse(&key.verifier_key()).expect("the key's own verifier key");
        let verified = verifier.verify_report(&note).expect("signed by the key");
        assert_eq!(verified, ReportStatement { origin: "ledger.test/log".into(), ..statement });
        // The log's key signed it, yet it is no checkpoint; and a checkpoint is no report.
        assert!(matches!(verifier.verify(&note), Err(CheckpointError::Malformed(_))));
        assert!(verifier.verify_report(&key.sign(42, [9u8; 32])).is_err());
        // One digit of the digest changed, and the signature no longer holds.
        let edited = note.replacen("0303", "0304", 1);
        assert_eq!(
            verifier.verify_report(&edited),
            Err(CheckpointError::BadSignature("ledger.test/log".into()))
        );
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

    #[test]
    fn a_note_not_of_the_signed_note_form_is_refused_whole() {
        let key = key();
        let note = key.sign(42, [9u8; 32]);
        let verifier = Verifier::parse(&key.verifier_key()).unwrap_or_else(|error| panic!("{error}"));
        let unknown_key = format!("{note}\u{2014} witness.test/w1 AAAAAAE=\n");
        assert!(verifier.verify(&unknown_key).is_ok(), "a signature by an unknown key is ignored");
        for broken in [
            note.trim_end().to_owned(),
            format!("{note}\u{2014} witness.test/w1 AAAA\n"),
            format!("{note}\u{2014} witness test AAAAAAE=\n"),
            format!("{note}\u{2014} witness.test/w1 not-base64!\n"),
            format!("{note}- witness.test/w1 AAAAAAE=\n"),
            note.replacen("42", "4\u{7}2", 1),
            format!("{note}{}", "\u{2014} witness.test/w1 AAAAAAE=\n".repeat(NOTE_SIGNATURES_MAX)),
        ] {
            assert!(
                matches!(verifier.verify(&broken), Err(CheckpointError::Malformed(_))),
                "accepted: {broken:?}"
            );
        }
    }
}
