//! A worker's way into the portal without her credential: the digest of a one-time activation
//! code and, once she has used it, a verifier of her PIN. Kept beside the log under `G` worker id,
//! never on the chain, and written only by the writer in the commit of the event that changes it:
//! an enrolment or an agency's reset issues a code (and clears the PIN), an `AccessChanged` sets
//! the PIN or locks it.

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
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkerAccess {
    pub activation: Option<Activation>,
    pub pin: Option<PinVerifier>,
}

impl WorkerAccess {
    /// A fresh code, and no PIN: what an enrolment or a reset leaves.
    pub fn issued(activation: Activation) -> WorkerAccess {
        WorkerAccess { activation: Some(activation), pin: None }
    }

    /// Whether she could sign in or activate at all.
    pub fn is_open(&self) -> bool {
        self.activation.is_some() || self.pin.is_some()
    }

    /// Format (1), flags, then the activation (digest, expiry in Unix seconds) and the PIN
    /// verifier (rounds, salt, hash), each when its flag is set.
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(2 + 40 + 52);
        bytes.push(FORMAT);
        let flags = self.activation.map_or(0, |_| HAS_ACTIVATION) | self.pin.map_or(0, |_| HAS_PIN);
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
        bytes
    }

    /// `None` for bytes [`encode`](Self::encode) did not make.
    pub fn decode(bytes: &[u8]) -> Option<WorkerAccess> {
        let (&format, rest) = bytes.split_first()?;
        let (&flags, mut rest) = rest.split_first()?;
        if format != FORMAT || flags & !(HAS_ACTIVATION | HAS_PIN) != 0 {
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
        match take(1) {
            Some(_) => None,
            None => Some(WorkerAccess { activation, pin }),
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
        let cases = [
            WorkerAccess::default(),
            WorkerAccess::issued(activation),
            WorkerAccess { activation: None, pin: Some(pin) },
            WorkerAccess { activation: Some(activation), pin: Some(pin) },
        ];
        for access in cases {
            let bytes = access.encode();
            assert_eq!(WorkerAccess::decode(&bytes), Some(access));
            assert_eq!(WorkerAccess::decode(&bytes[..bytes.len() - 1]), None, "{access:?} cut short");
            let mut longer = bytes.clone();
            longer.push(0);
            assert_eq!(WorkerAccess::decode(&longer), None, "{access:?} with a byte more");
        }
        assert_eq!(WorkerAccess::decode(&[2, 0]), None);
        assert_eq!(WorkerAccess::decode(&[1, 4]), None);
        assert!(!format!("{pin:?}").contains("2, 2"), "a verifier's hash is never printed");
    }
}
