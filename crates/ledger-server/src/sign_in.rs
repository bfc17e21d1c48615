//! Signing in without the credential, for a worker on her own phone: the one-time activation code
//! her agency gives her, the PIN she sets with it, and the sessions they open.
//!
//! The code's digest and the PIN's verifier are the store's (`ledger_store::access`), written by
//! the writer with the events that change them, so they replicate and survive a restore. Wrong
//! attempts in a row are counted here, in memory: below [`PIN_ATTEMPTS_MAX`] a restart forgets
//! them (restarts are rare and not the caller's to make); at the limit an `AccessChanged` event
//! locks her access on the chain. Sessions live in memory too: a restart signs everyone out.
//!
//! Beside her PIN she may add passkeys (`crate::passkey`), confirmed with the PIN; signing in with
//! one is checked here too, and a failed one counts as a wrong PIN.
//!
//! A session token works as the worker's bearer token through the same gate and the same access
//! table as her credential: the portal is a client of the service layer, never a second authority.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeDelta, Utc};
use ledger_core::{ActivationCode, InvalidInput, RequestId, WorkerId};
use ledger_proto::v1 as pb;
use ledger_store::access::{Activation, PinVerifier, WorkerAccess, ACTIVATION_VALID_FOR, PIN_ATTEMPTS_MAX};
use ledger_store::{Action, Actor, Command, Ledger};
use tokio::sync::Semaphore;
use tonic::{Request, Response, Status};
use tracing::{info, warn};

use crate::passkey::{self, Challenges, Purpose};
use crate::principals::Principal;
use crate::status::{from_store, invalid};

/// PBKDF2-HMAC-SHA256 rounds of a new PIN verifier (about 30 ms on one core of the machines this
/// runs on): the online limit on attempts protects a PIN; the rounds slow down whoever copies the
/// store.
pub const PIN_HASH_ROUNDS: u32 = 100_000;
/// Digits of a PIN.
pub const PIN_DIGITS_MIN: usize = 6;
pub const PIN_DIGITS_MAX: usize = 12;
/// How long a session lasts without a request, unless configured otherwise.
pub const SESSION_IDLE_DEFAULT: TimeDelta = TimeDelta::minutes(15);
/// Sessions one worker may have at once (a phone or two, a shared one, an agency's kiosk); a new
/// one beyond it ends her least recently used.
pub const SESSIONS_PER_WORKER_MAX: usize = 8;
/// Sessions held at once over all workers; beyond it, sign-ins wait for idle ones to expire.
pub const SESSIONS_MAX: usize = 200_000;
/// PIN hashes computed at once: each takes a core for tens of milliseconds, so a flood of sign-ins
/// is refused rather than let it starve every other caller.
pub const PIN_HASHES_IN_FLIGHT_MAX: usize = 2;
/// Workers whose wrong attempts are counted at once; beyond it, the counts of workers who have not
/// failed lately are forgotten.
pub const ATTEMPT_COUNTS_MAX: usize = 100_000;
/// What starts every session token, so that the gate tells it from a credential without a lookup.
pub const SESSION_TOKEN_PREFIX: &str = "lsn_";

/// Whether `pin` is a PIN the ledger accepts: 6 to 12 ASCII digits, neither one digit repeated nor
/// a run up or down (the first PINs anyone tries).
pub fn check_pin(pin: &str) -> Result<(), InvalidInput> {
    let refuse = |why: &str| Err(InvalidInput::new("pin", why.to_owned()));
    if !(PIN_DIGITS_MIN..=PIN_DIGITS_MAX).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return refuse("a PIN is 6 to 12 digits");
    }
    let digits = pin.as_bytes();
    let steps: Vec<i16> = digits.windows(2).map(|pair| i16::from(pair[1]) - i16::from(pair[0])).collect();
    if steps.iter().all(|step| *step == 0) {
        return refuse("a PIN of one digit repeated is the first anyone tries");
    }
    if steps.iter().all(|step| *step == 1) || steps.iter().all(|step| *step == -1) {
        return refuse("a PIN of digits in a row is the first anyone tries");
    }
    Ok(())
}

/// The verifier of `pin` with `salt` and `rounds`.
fn pin_hash(pin: &str, salt: &[u8; 16], rounds: u32) -> [u8; 32] {
    let mut hash = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(pin.as_bytes(), salt, rounds, &mut hash);
    hash
}

/// A new verifier of `pin`, with a fresh random salt.
pub fn pin_verifier(pin: &str) -> Result<PinVerifier, Status> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| Status::unavailable("no randomness for a PIN"))?;
    Ok(PinVerifier { rounds: PIN_HASH_ROUNDS, salt, hash: pin_hash(pin, &salt, PIN_HASH_ROUNDS) })
}

/// Whether `pin` is the one `verifier` was made from, compared in constant time.
pub fn pin_matches(pin: &str, verifier: &PinVerifier) -> bool {
    ledger_core::constant_time_eq(&pin_hash(pin, &verifier.salt, verifier.rounds), &verifier.hash)
}

/// A new activation code, issued `now`, and what the store keeps of it.
pub fn new_activation(now: DateTime<Utc>) -> Result<(ActivationCode, Activation), Status> {
    let mut random = [0u8; 8];
    getrandom::fill(&mut random).map_err(|_| Status::unavailable("no randomness for an activation code"))?;
    let code = ActivationCode::from_random(u64::from_be_bytes(random));
    let activation = Activation { digest: code.digest(), expires_at: now + ACTIVATION_VALID_FOR };
    Ok((code, activation))
}

#[derive(Debug)]
struct Session {
    worker: WorkerId,
    last_used: DateTime<Utc>,
}

/// The open sessions, by the SHA-256 of their token.
#[derive(Debug)]
pub struct Sessions {
    idle_max: TimeDelta,
    open: Mutex<HashMap<[u8; 32], Session>>,
}

impl Sessions {
    pub fn new(idle_max: TimeDelta) -> Sessions {
        Sessions { idle_max, open: Mutex::new(HashMap::new()) }
    }

    pub fn idle_max(&self) -> TimeDelta {
        self.idle_max
    }

    /// Opens a session for `worker` at `now`, and answers its token.
    pub fn open(&self, worker: &WorkerId, now: DateTime<Utc>) -> Result<String, Status> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(|_| Status::unavailable("no randomness for a session"))?;
        let token = format!("{SESSION_TOKEN_PREFIX}{}", hex::encode(random));
        let mut open = self.open.lock().map_err(|_| Status::internal("internal error"))?;
        let idle_max = self.idle_max;
        if open.len() >= SESSIONS_MAX {
            open.retain(|_, session| now - session.last_used < idle_max);
            if open.len() >= SESSIONS_MAX {
                return Err(Status::resource_exhausted(format!(
                    "{SESSIONS_MAX} sessions are open, the server's limit; retry in a few minutes"
                )));
            }
        }
        let mut hers: Vec<([u8; 32], DateTime<Utc>)> = open
            .iter()
            .filter(|(_, session)| session.worker == *worker)
            .map(|(digest, session)| (*digest, session.last_used))
            .collect();
        if hers.len() >= SESSIONS_PER_WORKER_MAX {
            hers.sort_by_key(|(_, last_used)| *last_used);
            for (digest, _) in &hers[..=hers.len() - SESSIONS_PER_WORKER_MAX] {
                open.remove(digest);
            }
        }
        open.insert(
            ledger_core::sha256(token.as_bytes()),
            Session { worker: worker.clone(), last_used: now },
        );
        Ok(token)
    }

    /// The worker whose session `token` is, when it is open at `now`; using it keeps it open.
    pub fn authenticate(&self, token: &str, now: DateTime<Utc>) -> Option<WorkerId> {
        let digest = ledger_core::sha256(token.as_bytes());
        let mut open = self.open.lock().ok()?;
        let session = open.get_mut(&digest)?;
        if now - session.last_used >= self.idle_max {
            open.remove(&digest);
            return None;
        }
        session.last_used = session.last_used.max(now);
        Some(session.worker.clone())
    }

    /// Ends the session `token`, or every session of its worker; answers how many ended.
    pub fn end(&self, token: &str, everywhere: bool) -> usize {
        let digest = ledger_core::sha256(token.as_bytes());
        let Ok(mut open) = self.open.lock() else { return 0 };
        let Some(session) = open.remove(&digest) else { return 0 };
        if !everywhere {
            return 1;
        }
        let before = open.len();
        open.retain(|_, other| other.worker != session.worker);
        1 + before - open.len()
    }

    /// Ends every session of `worker` (her access was reset or locked, or she signed out
    /// everywhere); answers how many ended.
    pub fn end_all(&self, worker: &WorkerId) -> usize {
        let Ok(mut open) = self.open.lock() else { return 0 };
        let before = open.len();
        open.retain(|_, session| session.worker != *worker);
        before - open.len()
    }
}

/// Wrong attempts in a row, by worker.
#[derive(Debug, Default)]
struct Attempts {
    failed: Mutex<HashMap<WorkerId, (u8, DateTime<Utc>)>>,
}

impl Attempts {
    /// Counts one more wrong attempt; answers how many in a row.
    fn fail(&self, worker: &WorkerId, now: DateTime<Utc>) -> u8 {
        let Ok(mut failed) = self.failed.lock() else { return PIN_ATTEMPTS_MAX };
        if failed.len() >= ATTEMPT_COUNTS_MAX && !failed.contains_key(worker) {
            failed.retain(|_, (_, last)| now - *last < TimeDelta::days(1));
        }
        let entry = failed.entry(worker.clone()).or_insert((0, now));
        *entry = (entry.0.saturating_add(1), now);
        entry.0
    }

    fn clear(&self, worker: &WorkerId) {
        if let Ok(mut failed) = self.failed.lock() {
            failed.remove(worker);
        }
    }
}

/// The sign-in service.
#[derive(Clone, Debug)]
pub struct SignIn {
    ledger: Ledger,
    sessions: Arc<Sessions>,
    attempts: Arc<Attempts>,
    hashing: Arc<Semaphore>,
    challenges: Arc<Challenges>,
}

/// Said for a wrong worker id, code or PIN alike, so that an answer does not tell which.
const WRONG: &str = "the worker id, the code or the PIN is wrong";

/// The metadata of a refused sign-in that says why, for a client to word it in the worker's
/// language, and of a wrong attempt that says how many are left: the contract's names.
use ledger_proto::metadata::{
    SIGN_IN_ATTEMPTS_LEFT as ATTEMPTS_LEFT_METADATA, SIGN_IN_REASON as REASON_METADATA,
};

/// `status` with its reason for a client.
fn because(mut status: Status, reason: &'static str) -> Status {
    status.metadata_mut().insert(REASON_METADATA, tonic::metadata::MetadataValue::from_static(reason));
    status
}

fn wrong() -> Status {
    because(Status::unauthenticated(WRONG), "wrong")
}

impl SignIn {
    pub fn new(ledger: Ledger, sessions: Arc<Sessions>) -> SignIn {
        SignIn {
            ledger,
            sessions,
            attempts: Arc::default(),
            hashing: Arc::new(Semaphore::new(PIN_HASHES_IN_FLIGHT_MAX)),
            challenges: Arc::default(),
        }
    }

    fn challenge(&self, purpose: Purpose) -> Result<[u8; 32], Status> {
        self.challenges.issue(purpose, self.ledger.now()).ok_or_else(|| {
            Status::resource_exhausted("too many passkey ceremonies are under way; retry in a minute")
        })
    }

    /// A challenge for adding a passkey to `worker_id`'s access on a page of `origin`. Her PIN
    /// must be set: a passkey is added beside it, never instead of activating.
    pub async fn begin_passkey(
        &self,
        worker_id: &WorkerId,
        origin: &str,
    ) -> Result<pb::PasskeyChallengeResponse, Status> {
        let rp_id =
            passkey::rp_id(origin).map_err(|refused| invalid(InvalidInput::new("origin", refused.0)))?;
        let access = self.access(worker_id).await?.unwrap_or_default();
        if access.pin.is_none() {
            return Err(Status::failed_precondition("a passkey is added once her PIN is set"));
        }
        let purpose = Purpose::Register { worker: worker_id.clone(), origin: origin.to_owned() };
        Ok(pb::PasskeyChallengeResponse {
            challenge: self.challenge(purpose)?.to_vec(),
            rp_id,
            credential_ids: access.passkeys.iter().map(|passkey| passkey.credential_id.clone()).collect(),
        })
    }

    /// Adds the passkey of a registration answering a challenge of [`begin_passkey`]
    /// (Self::begin_passkey), once her PIN checks out; a wrong PIN counts as at sign-in.
    pub async fn add_passkey(
        &self,
        worker_id: &WorkerId,
        wire: pb::AddPasskeyRequest,
    ) -> Result<pb::AddPasskeyResponse, Status> {
        let refused = |refused: passkey::Refused| invalid(InvalidInput::new("passkey", refused.0));
        let challenge = passkey::challenge_of(&wire.client_data_json).map_err(refused)?;
        let origin = match self.challenges.take(&challenge, self.ledger.now()) {
            Some(Purpose::Register { worker, origin }) if worker == *worker_id => origin,
            _ => {
                return Err(Status::failed_precondition(
                    "this passkey answers no challenge of hers, or one that expired: begin again",
                ))
            }
        };
        let passkey = passkey::check_registration(
            &wire.client_data_json,
            &wire.authenticator_data,
            &challenge,
            &origin,
        )
        .map_err(refused)?;
        if wire.pin.len() > PIN_DIGITS_MAX {
            return Err(invalid(InvalidInput::new("pin", "a PIN is 6 to 12 digits".to_owned())));
        }
        let access = self.access(worker_id).await?.unwrap_or_default();
        let Some(verifier) = access.pin else { return Err(locked()) };
        let pin = wire.pin;
        if !self.hash(move || pin_matches(&pin, &verifier)).await? {
            return Err(self.failed(worker_id).await);
        }
        self.attempts.clear(worker_id);
        let credential_id = passkey.credential_id.clone();
        self.submit(
            worker_id,
            Action::AddPasskey { worker_id: worker_id.clone(), passkey: Box::new(passkey) },
        )
        .await?;
        info!(worker = %worker_id, "a worker added a passkey");
        Ok(pb::AddPasskeyResponse { credential_id })
    }

    /// Her access as stored; none for a worker the ledger does not know.
    async fn access(&self, worker_id: &WorkerId) -> Result<Option<WorkerAccess>, Status> {
        let ledger = self.ledger.clone();
        let of = worker_id.clone();
        tokio::task::spawn_blocking(move || match ledger.projection(&of)? {
            Some(_) => Ok(Some(ledger.worker_access(&of)?.unwrap_or_default())),
            None => Ok(None),
        })
        .await
        .map_err(|_| Status::internal("internal error"))?
        .map_err(from_store)
    }

    /// Runs a PIN hash on the blocking pool, within [`PIN_HASHES_IN_FLIGHT_MAX`].
    async fn hash<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, Status> {
        let _permit = self.hashing.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted("the server is busy signing others in; retry in a moment")
        })?;
        tokio::task::spawn_blocking(work).await.map_err(|_| Status::internal("internal error"))
    }

    async fn submit(&self, worker_id: &WorkerId, action: Action) -> Result<(), Status> {
        let mut random = [0u8; 8];
        getrandom::fill(&mut random).map_err(|_| Status::unavailable("no randomness for a request id"))?;
        let request_id = RequestId::parse(&format!("access-{}", hex::encode(random))).map_err(invalid)?;
        let principal = Principal::worker(worker_id.clone()).id;
        let actor = Actor::Worker { principal, worker: worker_id.clone() };
        self.ledger.submit(Command { actor, request_id, action }).await.map_err(from_store)?;
        Ok(())
    }

    /// A wrong code or PIN: counted, and at the limit her access is locked on the chain.
    async fn failed(&self, worker_id: &WorkerId) -> Status {
        let count = self.attempts.fail(worker_id, self.ledger.now());
        if count < PIN_ATTEMPTS_MAX {
            let left = PIN_ATTEMPTS_MAX - count;
            let mut status = because(
                Status::unauthenticated(format!("{WRONG}; {left} attempts left before it is locked")),
                "wrong",
            );
            status
                .metadata_mut()
                .insert(ATTEMPTS_LEFT_METADATA, tonic::metadata::MetadataValue::from(u32::from(left)));
            return status;
        }
        let action = Action::LockAccess { worker_id: worker_id.clone(), failed_attempts: count };
        if let Err(status) = self.submit(worker_id, action).await {
            warn!(worker = %worker_id, %status, "a worker's access was not locked");
            return status;
        }
        self.attempts.clear(worker_id);
        self.sessions.end_all(worker_id);
        info!(worker = %worker_id, attempts = count, "a worker's access locked");
        locked()
    }

    fn session(&self, worker_id: &WorkerId) -> Result<Response<pb::SessionResponse>, Status> {
        self.attempts.clear(worker_id);
        let session_token = self.sessions.open(worker_id, self.ledger.now())?;
        let idle_timeout_seconds = u32::try_from(self.sessions.idle_max().num_seconds()).unwrap_or(u32::MAX);
        Ok(Response::new(pb::SessionResponse { session_token, idle_timeout_seconds }))
    }
}

fn locked() -> Status {
    because(
        Status::failed_precondition(
            "this worker's access is locked, or was never opened: an agency of her origin, or the one \
             that enrolled her, resets it and gives her a new activation code",
        ),
        "locked",
    )
}

#[tonic::async_trait]
impl pb::sign_in_service_server::SignInService for SignIn {
    async fn activate(
        &self,
        request: Request<pb::ActivateRequest>,
    ) -> Result<Response<pb::SessionResponse>, Status> {
        let wire = request.into_inner();
        let worker_id = WorkerId::parse(&wire.worker_id).map_err(invalid)?;
        let code = ActivationCode::parse(&wire.activation_code).map_err(invalid)?;
        check_pin(&wire.pin).map_err(invalid)?;
        let Some(access) = self.access(&worker_id).await? else { return Err(wrong()) };
        let activation = match (access.activation, access.pin) {
            (Some(activation), _) => activation,
            (None, Some(_)) => {
                let used =
                    Status::failed_precondition("her activation code was used already: sign in with her PIN");
                return Err(because(used, "used"));
            }
            (None, None) => return Err(locked()),
        };
        if activation.expires_at <= self.ledger.now() {
            let expired = Status::failed_precondition(
                "this activation code has expired: an agency of her origin, or the one that enrolled \
                 her, gives her a new one",
            );
            return Err(because(expired, "expired"));
        }
        if !ledger_core::constant_time_eq(&code.digest(), &activation.digest) {
            return Err(self.failed(&worker_id).await);
        }
        let pin = wire.pin;
        let verifier = self.hash(move || pin_verifier(&pin)).await??;
        let action =
            Action::ActivateAccess { worker_id: worker_id.clone(), code: code.digest(), pin: verifier };
        self.submit(&worker_id, action).await?;
        info!(worker = %worker_id, "a worker set her PIN");
        self.session(&worker_id)
    }

    async fn sign_in(
        &self,
        request: Request<pb::SignInRequest>,
    ) -> Result<Response<pb::SessionResponse>, Status> {
        let wire = request.into_inner();
        let worker_id = WorkerId::parse(&wire.worker_id).map_err(invalid)?;
        if wire.pin.len() > PIN_DIGITS_MAX {
            return Err(invalid(InvalidInput::new("pin", "a PIN is 6 to 12 digits".to_owned())));
        }
        let Some(access) = self.access(&worker_id).await? else { return Err(wrong()) };
        let Some(verifier) = access.pin else {
            return Err(match access.activation {
                Some(_) => because(
                    Status::failed_precondition(
                        "no PIN is set yet: set one with the activation code from the agency's slip",
                    ),
                    "not_activated",
                ),
                None => locked(),
            });
        };
        let pin = wire.pin;
        if !self.hash(move || pin_matches(&pin, &verifier)).await? {
            return Err(self.failed(&worker_id).await);
        }
        self.session(&worker_id)
    }

    async fn passkey_challenge(
        &self,
        request: Request<pb::PasskeyChallengeRequest>,
    ) -> Result<Response<pb::PasskeyChallengeResponse>, Status> {
        let worker_id = WorkerId::parse(&request.into_inner().worker_id).map_err(invalid)?;
        let Some(access) = self.access(&worker_id).await? else { return Err(wrong()) };
        if !access.is_open() {
            return Err(locked());
        }
        let Some(first) = access.passkeys.first() else {
            let none = Status::failed_precondition("she has no passkey: sign in with her PIN");
            return Err(because(none, "no_passkey"));
        };
        let rp_id = passkey::rp_id(&first.origin).map_err(|refused| Status::internal(refused.0))?;
        let challenge = self.challenge(Purpose::SignIn { worker: worker_id.clone() })?;
        Ok(Response::new(pb::PasskeyChallengeResponse {
            challenge: challenge.to_vec(),
            rp_id,
            credential_ids: access.passkeys.iter().map(|passkey| passkey.credential_id.clone()).collect(),
        }))
    }

    async fn passkey_sign_in(
        &self,
        request: Request<pb::PasskeySignInRequest>,
    ) -> Result<Response<pb::SessionResponse>, Status> {
        let wire = request.into_inner();
        let worker_id = WorkerId::parse(&wire.worker_id).map_err(invalid)?;
        let challenge = passkey::challenge_of(&wire.client_data_json)
            .map_err(|refused| invalid(InvalidInput::new("client_data_json", refused.0)))?;
        match self.challenges.take(&challenge, self.ledger.now()) {
            Some(Purpose::SignIn { worker }) if worker == worker_id => {}
            _ => {
                return Err(Status::unauthenticated(
                    "this answers no sign-in challenge of hers, or one that expired: ask for a new one",
                ))
            }
        }
        let Some(access) = self.access(&worker_id).await? else { return Err(wrong()) };
        if !access.is_open() {
            return Err(locked());
        }
        let held = access.passkeys.iter().find(|passkey| passkey.credential_id == wire.credential_id);
        let checked =
            held.ok_or_else(|| passkey::Refused("not one of her passkeys".into())).and_then(|held| {
                passkey::check_assertion(
                    held,
                    &wire.client_data_json,
                    &wire.authenticator_data,
                    &wire.signature,
                    &challenge,
                )
            });
        if let Err(refused) = checked {
            warn!(worker = %worker_id, %refused, "a passkey sign-in was refused");
            return Err(self.failed(&worker_id).await);
        }
        self.session(&worker_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pins_are_digits_and_not_the_first_anyone_tries() {
        let cases = [
            ("271828", true),
            ("31415926", true),
            ("120000", true),
            ("000000", false),
            ("123456", false),
            ("987654", false),
            ("12345", false),
            ("1234567890123", false),
            ("27182a", false),
            ("２７１８２８", false),
            ("", false),
        ];
        for (pin, accepted) in cases {
            assert_eq!(check_pin(pin).is_ok(), accepted, "{pin:?}");
        }
    }

    #[test]
    fn a_pin_matches_only_its_own_verifier() {
        let salt = [9; 16];
        let verifier = PinVerifier { rounds: 1000, salt, hash: pin_hash("271828", &salt, 1000) };
        assert!(pin_matches("271828", &verifier));
        assert!(!pin_matches("271829", &verifier));
        let other = PinVerifier { salt: [8; 16], ..verifier };
        assert!(!pin_matches("271828", &other));
        // PBKDF2-HMAC-SHA256("password", "salt", 1 round), the published test vector.
        let mut vector = [0u8; 32];
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(b"password", b"salt", 1, &mut vector);
        assert_eq!(hex::encode(vector), "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    }

    #[test]
    fn sessions_end_when_idle_and_each_worker_holds_a_bounded_number() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap_or_default();
        let sessions = Sessions::new(TimeDelta::minutes(15));
        let worker = WorkerId::from_random([1; 10]);
        let other = WorkerId::from_random([2; 10]);
        let token = sessions.open(&worker, start).unwrap_or_default();
        assert!(token.starts_with(SESSION_TOKEN_PREFIX));
        assert_eq!(sessions.authenticate(&token, start + TimeDelta::minutes(14)), Some(worker.clone()));
        // Used at 14 minutes, so open until 29.
        assert_eq!(sessions.authenticate(&token, start + TimeDelta::minutes(28)), Some(worker.clone()));
        assert_eq!(sessions.authenticate(&token, start + TimeDelta::minutes(43)), None);
        assert_eq!(sessions.authenticate(&token, start + TimeDelta::minutes(44)), None, "ended for good");
        let tokens: Vec<String> = (0..SESSIONS_PER_WORKER_MAX as i64 + 1)
            .map(|minute| sessions.open(&worker, start + TimeDelta::minutes(minute)).unwrap_or_default())
            .collect();
        let now = start + TimeDelta::minutes(10);
        assert_eq!(sessions.authenticate(&tokens[0], now), None, "her oldest gave way");
        assert!(tokens[1..].iter().all(|token| sessions.authenticate(token, now).is_some()));
        let others = sessions.open(&other, now).unwrap_or_default();
        assert_eq!(sessions.end(&tokens[1], false), 1);
        assert_eq!(sessions.end(&tokens[2], true), SESSIONS_PER_WORKER_MAX - 1);
        assert!(tokens.iter().all(|token| sessions.authenticate(token, now).is_none()));
        assert_eq!(sessions.authenticate(&others, now), Some(other), "another worker's session stays");
    }
}
