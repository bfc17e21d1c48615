//! A worker's way into the portal without her credential: the digest of a one-time activation
//! code and, once she has used it, a verifier of her PIN. Kept beside the log under `G` worker id,
//! never on the chain, and written only by the writer in the commit of the event that changes it:
//! an enrolment or an agency's reset issues a code (and clears the PIN and passkeys), an
//! `AccessChanged` sets the PIN, adds a passkey or locks it all.

use chrono::{DateTime, Utc};

/// How long an activation code works after it is issued: time for a slip to travel with a worker
/// from the agency's office to her phone, not long enough to lie around in a drawer for ever.
pub const ACTIVATION_VALID_FOR: chrono::TimeDelta = chrono::TimeDelta::days(30);

/// Wrong activation codes and PINs in a row after which her PIN is locked until an agency resets
/// her credential.
pub const PIN_ATTEMPTS_MAX: u8 = 5;

const FORMAT: u8 = 1;
const HAS_ACTIVATION: u8 = 1;
const HAS_PIN: u8 = 2;
const HAS_PASSKEYS: u8 = 4;

/// Passkeys one worker may hold: one per phone she uses, and a few over.
pub const PASSKEYS_PER_WORKER_MAX: usize = 4;
/// Longest credential id kept, in bytes (phones' are 16 to 64).
pub const PASSKEY_ID_LEN_MAX: usize = 255;
/// Longest origin kept, in bytes.
pub const PASSKEY_ORIGIN_LEN_MAX: usize = 255;

/// A passkey of hers: the WebAuthn credential id, its P-256 public key (SEC1 uncompressed, 65
/// bytes) and the origin it was made for, whose host is its relying party.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Passkey {
    pub credential_id: Vec<u8>,
    pub public_key: [u8; 65],
    pub origin: String,
}

/// A one-time activation code, by its digest, and when it stops working.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Activation {
    pub digest: [u8; 32],
    pub expires_at: DateTime<Utc>,
}

/// What verifies a PIN: a salted, slow hash (PBKDF2-HMAC-SHA256, `rounds` rounds), computed by the
/// service that takes the PIN; the store keeps it as it is given.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PinVerifier {
    pub rounds: u32,
    pub salt: [u8; 16],
    pub hash: [u8; 32],
}

impl std::fmt::Debug for PinVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PinVerifier {{ rounds: {}, .. }}", self.rounds)
    }
}

/// A worker's portal access as it stands: none of it when she has neither a code to use nor a PIN
/// (never activated and reset since, or locked).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerAccess {
    pub activation: Option<Activation>,
    pub pin: Option<PinVerifier>,
    pub passkeys: Vec<Passkey>,
}

impl WorkerAccess {
    /// A fresh code, and no PIN: what an enrolment or a reset leaves.
    pub fn issued(activation: Activation) -> WorkerAccess {
        WorkerAccess { activation: Some(activation), pin: None, passkeys: Vec::new() }
    }

    /// Whether she could sign in or activate at all.
    pub fn is_open(&self) -> bool {
        self.activation.is_some() || self.pin.is_some() || !self.passkeys.is_empty()
    }

    /// Format (1), flags, then the activation (digest, expiry in Unix seconds), the PIN verifier
    /// (rounds, salt, hash) and the passkeys (count, then each credential id and origin with a
    /// one-byte length and the 65-byte key between them), each when its flag is set.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(2 + 40 + 52);
        bytes.push(FORMAT);
        let flags = self.activation.map_or(0, |_| HAS_ACTIVATION)
            | self.pin.map_or(0, |_| HAS_PIN)
            | if self.passkeys.is_empty() { 0 } else { HAS_PASSKEYS };
        bytes.push(flags);
        if let Some(activation) = &self.activation {
            bytes.extend_from_slice(&activation.digest);
            bytes.extend_from_slice(&activation.expires_at.timestamp().to_be_bytes());
        }
        if let Some(pin) = &self.pin {
            bytes.extend_from_slice(&pin.rounds.to_be_bytes());
            bytes.extend_from_slice(&pin.salt);
            bytes.extend_from_slice(&pin.hash);
        }
        if !self.passkeys.is_empty() {
            bytes.push(self.passkeys.len().min(PASSKEYS_PER_WORKER_MAX) as u8);
            for passkey in self.passkeys.iter().take(PASSKEYS_PER_WORKER_MAX) {
                bytes.push(passkey.credential_id.len().min(PASSKEY_ID_LEN_MAX) as u8);
                bytes.extend_from_slice(
                    &passkey.credential_id[..passkey.credential_id.len().min(PASSKEY_ID_LEN_MAX)],
                );
                bytes.extend_from_slice(&passkey.public_key);
                let origin = passkey.origin.as_bytes();
                bytes.push(origin.len().min(PASSKEY_ORIGIN_LEN_MAX) as u8);
                bytes.extend_from_slice(&origin[..origin.len().min(PASSKEY_ORIGIN_LEN_MAX)]);
            }
        }
        bytes
    }

    /// `None` for bytes [`encode`](Self::encode) did not make.
    pub fn decode(bytes: &[u8]) -> Option<WorkerAccess> {
        let (&format, rest) = bytes.split_first()?;
        let (&flags, mut rest) = rest.split_first()?;
        if format != FORMAT || flags & !(HAS_ACTIVATION | HAS_PIN | HAS_PASSKEYS) != 0 {
            return None;
        }
        let mut take = |len: usize| -> Option<&[u8]> {
            let (head, tail) = rest.split_at_checked(len)?;
            rest = tail;
            Some(head)
        };
        let activation = match flags & HAS_ACTIVATION {
            0 => None,
            _ => {
                let digest = take(32)?.try_into().ok()?;
                let seconds = i64::from_be_bytes(take(8)?.try_into().ok()?);
                Some(Activation { digest, expires_at: DateTime::from_timestamp(seconds, 0)? })
            }
        };
        let pin = match flags & HAS_PIN {
            0 => None,
            _ => Some(PinVerifier {
                rounds: u32::from_be_bytes(take(4)?.try_into().ok()?),
                salt: take(16)?.try_into().ok()?,
                hash: take(32)?.try_into().ok()?,
            }),
        };
        let mut passkeys = Vec::new();
        if flags & HAS_PASSKEYS != 0 {
            let count = usize::from(take(1)?[0]);
            if count == 0 || count > PASSKEYS_PER_WORKER_MAX {
                return None;
            }
            for _ in 0..count {
                let id_len = usize::from(take(1)?[0]);
                let credential_id = take(id_len)?.to_vec();
                let public_key = take(65)?.try_into().ok()?;
                let origin_len = usize::from(take(1)?[0]);
                let origin = String::from_utf8(take(origin_len)?.to_vec()).ok()?;
                if credential_id.is_empty() || origin.is_empty() {
                    return None;
                }
                passkeys.push(Passkey { credential_id, public_key, origin });
            }
        }
        match take(1) {
            Some(_) => None,
            None => Some(WorkerAccess { activation, pin, passkeys }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_round_trips_and_refuses_other_bytes() {
        let activation = Activation {
            digest: [7; 32],
            expires_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default(),
        };
        let pin = PinVerifier { rounds: 100_000, salt: [1; 16], hash: [2; 32] };
        let passkey = |id: u8| Passkey {
            credential_id: vec![id; 32],
            public_key: [4; 65],
            origin: "https://portal.example.org".into(),
        };
        let cases = [
            WorkerAccess::default(),
            WorkerAccess::issued(activation),
            WorkerAccess { activation: None, pin: Some(pin), passkeys: Vec::new() },
            WorkerAccess { activation: Some(activation), pin: Some(pin), passkeys: Vec::new() },
            WorkerAccess { activation: None, pin: Some(pin), passkeys: vec![passkey(1), passkey(2)] },
        ];
        for access in cases {
            let bytes = access.encode();
            assert_eq!(WorkerAccess::decode(&bytes), Some(access.clone()));
            assert_eq!(WorkerAccess::decode(&bytes[..bytes.len() - 1]), None, "{access:?} cut short");
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(WorkerAccess::decode(&longer), None, "{access:?} with a byte more");
        }
        assert_eq!(WorkerAccess::decode(&[2, 0]), None);
        assert_eq!(WorkerAccess::decode(&[1, 4]), None);
        assert_eq!(WorkerAccess::decode(&[1, 8]), None, "an unknown flag");
        assert_eq!(WorkerAccess::decode(&[1, 4, 0]), None, "passkeys flagged, none there");
        assert!(!format!("{pin:?}").contains("2, 2"), "a verifier's hash is never printed");
    }
}
