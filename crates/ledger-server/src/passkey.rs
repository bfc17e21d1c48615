//! Passkeys: WebAuthn credentials (ES256, user verified) a worker adds on her phone beside her PIN,
//! checked here in the service layer, never by the portal. What is checked (WebAuthn Level 2,
//! sections 7.1 and 7.2): the client data's type, challenge and origin; the authenticator data's
//! relying-party hash, "user present" and "user verified" flags; at registration the credential id
//! and the P-256 key of the attested credential data (a COSE EC2 key); at sign-in the signature
//! over the authenticator data and the client data's SHA-256. Attestation is not asked for (the
//! PIN she types proves the passkey is hers), and the signature counter is not kept (phones'
//! synced passkeys report zero).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use chrono::{DateTime, TimeDelta, Utc};
use ledger_core::WorkerId;
use ledger_store::access::{Passkey, PASSKEY_ID_LEN_MAX, PASSKEY_ORIGIN_LEN_MAX};
use p256::ecdsa::signature::Verifier;

/// How long a challenge can be answered.
pub const CHALLENGE_VALID_FOR: TimeDelta = TimeDelta::minutes(5);
/// Challenges outstanding at once; beyond it, expired ones are dropped, then new ones refused.
pub const CHALLENGES_MAX: usize = 10_000;
/// Challenges outstanding for one worker: a new one beyond it replaces her oldest, so that asking
/// again and again for one worker (anyone may ask to sign her in) cannot fill the table.
pub const CHALLENGES_PER_WORKER_MAX: usize = 4;
/// Longest client data read, in bytes.
pub const CLIENT_DATA_LEN_MAX: usize = 4096;
/// Longest authenticator data read, in bytes.
pub const AUTHENTICATOR_DATA_LEN_MAX: usize = 1024;

const FLAG_USER_PRESENT: u8 = 0x01;
const FLAG_USER_VERIFIED: u8 = 0x04;
const FLAG_ATTESTED: u8 = 0x40;
const FLAG_EXTENSIONS: u8 = 0x80;

/// What a challenge was issued for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Adding a passkey to `worker`'s access, on a page of `origin`.
    Register { worker: WorkerId, origin: String },
    /// Signing `worker` in.
    SignIn { worker: WorkerId },
}

impl Purpose {
    fn worker(&self) -> &WorkerId {
        match self {
            Purpose::Register { worker, .. } | Purpose::SignIn { worker } => worker,
        }
    }
}

/// A challenge's purpose and when it was issued.
type Issued = (Purpose, DateTime<Utc>);

/// The challenges issued and not yet answered, each usable once.
#[derive(Debug, Default)]
pub struct Challenges {
    open: Mutex<HashMap<[u8; 32], Issued>>,
}

impl Challenges {
    /// A new challenge for `purpose`, issued `now`; none when too many are outstanding.
    pub fn issue(&self, purpose: Purpose, now: DateTime<Utc>) -> Option<[u8; 32]> {
        let mut challenge = [0u8; 32];
        getrandom::fill(&mut challenge).ok()?;
        let mut open = self.open.lock().ok()?;
        if open.len() >= CHALLENGES_MAX {
            open.retain(|_, (_, issued)| now - *issued < CHALLENGE_VALID_FOR);
            if open.len() >= CHALLENGES_MAX {
                return None;
            }
        }
        let mut hers: Vec<([u8; 32], DateTime<Utc>)> = open
            .iter()
            .filter(|(_, (held, _))| held.worker() == purpose.worker())
            .map(|(key, (_, issued))| (*key, *issued))
            .collect();
        if hers.len() >= CHALLENGES_PER_WORKER_MAX {
            hers.sort_by_key(|(_, issued)| *issued);
            for (key, _) in &hers[..=hers.len() - CHALLENGES_PER_WORKER_MAX] {
                open.remove(key);
            }
        }
        open.insert(challenge, (purpose, now));
        Some(challenge)
    }

    /// What `challenge` was issued for, when it was and is still valid; it cannot be used again.
    pub fn take(&self, challenge: &[u8], now: DateTime<Utc>) -> Option<Purpose> {
        let key: [u8; 32] = challenge.try_into().ok()?;
        let (purpose, issued) = self.open.lock().ok()?.remove(&key)?;
        (now - issued < CHALLENGE_VALID_FOR).then_some(purpose)
    }
}

/// Why a passkey ceremony did not check out.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

fn refuse<T>(why: impl Into<String>) -> Result<T, Refused> {
    Err(Refused(why.into()))
}

/// The relying party of a page at `origin`: its host. An origin is `https://host[:port]`, or
/// `http://localhost[:port]` (a secure context too); nothing follows the host and port.
pub fn rp_id(origin: &str) -> Result<String, Refused> {
    if origin.len() > PASSKEY_ORIGIN_LEN_MAX {
        return refuse("the origin is too long");
    }
    let (secure, rest) = match (origin.strip_prefix("https://"), origin.strip_prefix("http://")) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => return refuse("an origin is https://host[:port]"),
    };
    let host = match rest.rsplit_once(':') {
        Some((host, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => rest,
    };
    let valid = !host.is_empty()
        && host.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && host.bytes().any(|b| b.is_ascii_lowercase());
    if !valid {
        return refuse("an origin's host is a domain name in lower case");
    }
    if !secure && host != "localhost" {
        return refuse("a passkey needs an https:// origin (or http://localhost)");
    }
    Ok(host.to_owned())
}

/// The client data a browser signs over.
#[derive(Debug)]
struct ClientData {
    kind: String,
    challenge: Vec<u8>,
    origin: String,
}

fn client_data(json: &[u8]) -> Result<ClientData, Refused> {
    if json.len() > CLIENT_DATA_LEN_MAX {
        return refuse("the client data is too long");
    }
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|_| Refused("the client data is not JSON".into()))?;
    let text = |name: &str| value.get(name).and_then(serde_json::Value::as_str).map(str::to_owned);
    if value.get("crossOrigin").and_then(serde_json::Value::as_bool) == Some(true) {
        return refuse("the passkey was used from a frame of another site");
    }
    let (Some(kind), Some(challenge), Some(origin)) = (text("type"), text("challenge"), text("origin"))
    else {
        return refuse("the client data lacks its type, challenge or origin");
    };
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(challenge.trim_end_matches('='))
        .map_err(|_| Refused("the challenge is not base64url".into()))?;
    Ok(ClientData { kind, challenge, origin })
}

/// The challenge the client data answers, to find what it was issued for.
pub fn challenge_of(client_data_json: &[u8]) -> Result<Vec<u8>, Refused> {
    Ok(client_data(client_data_json)?.challenge)
}

/// Checks the client data and the authenticator data's first 37 bytes against what the ceremony
/// must be; answers the flags.
fn check_common(
    kind: &str,
    client_data_json: &[u8],
    authenticator_data: &[u8],
    challenge: &[u8],
    origin: &str,
) -> Result<u8, Refused> {
    let data = client_data(client_data_json)?;
    if data.kind != kind {
        return refuse(format!("the client data is of {:?}, not {kind:?}", data.kind));
    }
    if !ledger_core::constant_time_eq(&data.challenge, challenge) {
        return refuse("the client data answers another challenge");
    }
    if data.origin != origin {
        return refuse(format!("the passkey was used on {:?}, not {origin:?}", data.origin));
    }
    if authenticator_data.len() < 37 || authenticator_data.len() > AUTHENTICATOR_DATA_LEN_MAX {
        return refuse("the authenticator data is not 37 to 1024 bytes");
    }
    if authenticator_data[..32] != ledger_core::sha256(rp_id(origin)?.as_bytes()) {
        return refuse("the authenticator data is for another relying party");
    }
    let flags = authenticator_data[32];
    if flags & FLAG_USER_PRESENT == 0 || flags & FLAG_USER_VERIFIED == 0 {
        return refuse("the phone did not verify its user (its lock screen, a fingerprint or a face)");
    }
    Ok(flags)
}

/// A CBOR head: major type and argument.
fn cbor_head(bytes: &mut &[u8]) -> Option<(u8, u64)> {
    let (&first, rest) = bytes.split_first()?;
    *bytes = rest;
    let (major, info) = (first >> 5, first & 0x1f);
    let mut take = |len: usize| -> Option<u64> {
        let (head, tail) = bytes.split_at_checked(len)?;
        *bytes = tail;
        Some(head.iter().fold(0u64, |value, byte| (value << 8) | u64::from(*byte)))
    };
    let argument = match info {
        0..=23 => u64::from(info),
        24 => take(1)?,
        25 => take(2)?,
        26 => take(4)?,
        27 => take(8)?,
        _ => return None,
    };
    Some((major, argument))
}

/// A CBOR integer (major type 0 or 1).
fn cbor_int(bytes: &mut &[u8]) -> Option<i64> {
    match cbor_head(bytes)? {
        (0, value) => i64::try_from(value).ok(),
        (1, value) => i64::try_from(value).ok().map(|value| -1 - value),
        _ => None,
    }
}

/// The uncompressed SEC1 point of an ES256 COSE key (kty 2, alg -7, crv 1, x and y of 32 bytes);
/// answers the bytes after it.
fn cose_es256(mut bytes: &[u8]) -> Result<([u8; 65], &[u8]), Refused> {
    let malformed = || Refused("the passkey's public key is not an ES256 COSE key".into());
    let (major, pairs) = cbor_head(&mut bytes).ok_or_else(malformed)?;
    if major != 5 || pairs > 8 {
        return Err(malformed());
    }
    let (mut kty, mut alg, mut crv, mut x, mut y) = (None, None, None, None, None);
    for _ in 0..pairs {
        let key = cbor_int(&mut bytes).ok_or_else(malformed)?;
        let mut peek = bytes;
        match cbor_head(&mut peek).ok_or_else(malformed)? {
            (2, len) => {
                let len = usize::try_from(len).map_err(|_| malformed())?;
                let (value, rest) = peek.split_at_checked(len).ok_or_else(malformed)?;
                bytes = rest;
                match key {
                    -2 => x = Some(value),
                    -3 => y = Some(value),
                    _ => {}
                }
            }
            _ => {
                let value = cbor_int(&mut bytes).ok_or_else(malformed)?;
                match key {
                    1 => kty = Some(value),
                    3 => alg = Some(value),
                    -1 => crv = Some(value),
                    _ => {}
                }
            }
        }
    }
    match (kty, alg, crv, x, y) {
        (Some(2), Some(-7), Some(1), Some(x), Some(y)) if x.len() == 32 && y.len() == 32 => {
            let mut point = [0u8; 65];
            point[0] = 0x04;
            point[1..33].copy_from_slice(x);
            point[33..].copy_from_slice(y);
            p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|_| malformed())?;
            Ok((point, bytes))
        }
        _ => refuse("only ES256 passkeys (ECDSA on P-256) are taken"),
    }
}

/// The passkey a registration made, when its client data and authenticator data check out for
/// `challenge` on a page of `origin`.
pub fn check_registration(
    client_data_json: &[u8],
    authenticator_data: &[u8],
    challenge: &[u8],
    origin: &str,
) -> Result<Passkey, Refused> {
    let flags = check_common("webauthn.create", client_data_json, authenticator_data, challenge, origin)?;
    if flags & FLAG_ATTESTED == 0 {
        return refuse("the authenticator data holds no new credential");
    }
    // rpIdHash (32), flags (1), counter (4), AAGUID (16), credential id length (2).
    let rest =
        authenticator_data.get(53..).ok_or_else(|| Refused("the credential data is cut short".into()))?;
    let (length, rest) =
        rest.split_at_checked(2).ok_or_else(|| Refused("the credential data is cut short".into()))?;
    let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
    if length == 0 || length > PASSKEY_ID_LEN_MAX {
        return refuse(format!("a credential id is 1 to {PASSKEY_ID_LEN_MAX} bytes"));
    }
    let (credential_id, key) =
        rest.split_at_checked(length).ok_or_else(|| Refused("the credential id is cut short".into()))?;
    let (public_key, after) = cose_es256(key)?;
    if !after.is_empty() && flags & FLAG_EXTENSIONS == 0 {
        return refuse("bytes follow the credential's key");
    }
    Ok(Passkey { credential_id: credential_id.to_vec(), public_key, origin: origin.to_owned() })
}

/// Whether an assertion by `passkey` over `challenge` checks out: its client data, authenticator
/// data and signature.
pub fn check_assertion(
    passkey: &Passkey,
    client_data_json: &[u8],
    authenticator_data: &[u8],
    signature: &[u8],
    challenge: &[u8],
) -> Result<(), Refused> {
    check_common("webauthn.get", client_data_json, authenticator_data, challenge, &passkey.origin)?;
    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(&passkey.public_key)
        .map_err(|_| Refused("the stored key is not a P-256 point".into()))?;
    let signature = p256::ecdsa::Signature::from_der(signature)
        .map_err(|_| Refused("the signature is not an ECDSA signature in DER".into()))?;
    let mut signed = authenticator_data.to_vec();
    signed.extend_from_slice(&ledger_core::sha256(client_data_json));
    key.verify(&signed, &signature).map_err(|_| Refused("the signature does not verify".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_name_their_relying_party() {
        assert_eq!(rp_id("https://portal.example.org").ok(), Some("portal.example.org".into()));
        assert_eq!(rp_id("https://portal.example.org:8443").ok(), Some("portal.example.org".into()));
        assert_eq!(rp_id("http://localhost:8080").ok(), Some("localhost".into()));
        for refused in [
            "http://portal.example.org",
            "https://127.0.0.1",
            "https://portal.example.org/path",
            "https://Portal.example.org",
            "ftp://portal.example.org",
            "",
        ] {
            assert!(rp_id(refused).is_err(), "{refused:?}");
        }
    }

    #[test]
    fn challenges_are_single_use_and_expire() {
        let challenges = Challenges::default();
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let worker = WorkerId::from_random([3; 10]);
        let purpose = Purpose::SignIn { worker };
        let first = challenges.issue(purpose.clone(), now).unwrap_or_default();
        assert_eq!(challenges.take(&first, now + TimeDelta::minutes(4)), Some(purpose.clone()));
        assert_eq!(challenges.take(&first, now + TimeDelta::minutes(4)), None, "used once");
        let second = challenges.issue(purpose, now).unwrap_or_default();
        assert_eq!(challenges.take(&second, now + CHALLENGE_VALID_FOR), None, "expired");
        assert_eq!(challenges.take(&[0; 31], now), None);
    }

    #[test]
    fn asking_again_and_again_for_one_worker_keeps_only_her_newest_challenges() {
        let challenges = Challenges::default();
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let worker = WorkerId::from_random([4; 10]);
        let other = WorkerId::from_random([5; 10]);
        let others = challenges.issue(Purpose::SignIn { worker: other.clone() }, start).unwrap_or_default();
        let issued: Vec<[u8; 32]> = (0..20)
            .map(|second| {
                let purpose = Purpose::SignIn { worker: worker.clone() };
                challenges.issue(purpose, start + TimeDelta::seconds(second)).unwrap_or_default()
            })
            .collect();
        let now = start + TimeDelta::seconds(30);
        let usable =
            issued.iter().filter(|challenge| challenges.take(challenge.as_slice(), now).is_some()).count();
        assert_eq!(usable, CHALLENGES_PER_WORKER_MAX);
        assert_eq!(challenges.take(&others, now), Some(Purpose::SignIn { worker: other }), "another's stays");
    }

    #[test]
    fn a_cose_key_of_another_algorithm_or_cut_short_is_refused() {
        // An Ed25519 OKP key (kty 1, alg -8): not taken.
        let okp = [0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x42, 0x00, 0x00];
        assert!(cose_es256(&okp).is_err());
        assert!(cose_es256(&[0xa5, 0x01]).is_err());
        assert!(cose_es256(&[]).is_err());
    }
}
