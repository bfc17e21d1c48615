//! A worker signs in without her credential: once with the one-time activation code her agency
//! gave her and a PIN she chooses, then with the PIN. Wrong codes and PINs in a row lock her access
//! on the chain until an agency of her origin resets it; codes expire; sessions end when idle or
//! when she signs out. Her session reads only her own record, through the same access table as
//! her credential. Over real gRPC, against a real store.

mod common;

use common::{as_worker, contribution, enroll_with_credential, TestServer};
use ledger_client::grpc::{self as client, SignInClient};
use ledger_proto::v1 as pb;
use tonic::Code;

const PIN: &str = "271828";

async fn sign_in_client(server: &TestServer) -> SignInClient {
    client::connect_sign_in(&server.server.address.to_string()).await.expect("connected")
}

async fn activate(
    client: &mut SignInClient,
    worker_id: &str,
    code: &str,
    pin: &str,
) -> Result<pb::SessionResponse, tonic::Status> {
    let request = pb::ActivateRequest {
        worker_id: worker_id.to_owned(),
        activation_code: code.to_owned(),
        pin: pin.to_owned(),
    };
    client.activate(request).await.map(tonic::Response::into_inner)
}

async fn sign_in(client: &mut SignInClient, worker_id: &str, pin: &str) -> Result<String, tonic::Status> {
    let request = pb::SignInRequest { worker_id: worker_id.to_owned(), pin: pin.to_owned() };
    client.sign_in(request).await.map(|response| response.into_inner().session_token)
}

/// How a call for `worker_id`'s balance with `token` is answered.
async fn balance_answer(server: &TestServer, token: &str, worker_id: &str) -> Code {
    let mut clients = as_worker(server, token).await;
    let request =
        pb::GetBalanceRequest { worker_id: worker_id.to_owned(), as_of_seq: None, ..Default::default() };
    match clients.worker.get_balance(request).await {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

/// The access changes on her statement, read with her credential or session `token`.
async fn access_changes(server: &TestServer, token: &str, worker_id: &str) -> Vec<(String, u32)> {
    let mut clients = as_worker(server, token).await;
    let request = pb::GetStatementRequest { worker_id: worker_id.to_owned(), ..Default::default() };
    let statement = clients.worker.get_statement(request).await.expect("statement").into_inner();
    statement
        .entries
        .iter()
        .filter_map(|entry| match entry.event.as_ref().and_then(|event| event.kind.as_ref()) {
            Some(pb::event::Kind::AccessChanged(changed)) => {
                assert_eq!(changed.worker_id, worker_id);
                Some((changed.change.clone(), changed.failed_attempts))
            }
            _ => None,
        })
        .collect()
}

/// Why a sign-in was refused, as the service tells a client in its metadata.
fn reason(status: &tonic::Status) -> String {
    let metadata = status.metadata().get(ledger_proto::metadata::SIGN_IN_REASON);
    metadata.and_then(|value| value.to_str().ok()).unwrap_or_default().to_owned()
}

fn attempts_left(status: &tonic::Status) -> Option<u32> {
    let metadata = status.metadata().get(ledger_proto::metadata::SIGN_IN_ATTEMPTS_LEFT)?;
    metadata.to_str().ok()?.parse().ok()
}

fn reset(worker_id: &str, request_id: &str) -> pb::ResetWorkerCredentialRequest {
    pb::ResetWorkerCredentialRequest { request_id: request_id.to_owned(), worker_id: worker_id.to_owned() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_activates_once_with_her_code_and_then_signs_in_with_her_pin() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000412", "PH").await;
    let other = enroll_with_credential(&mut philippines, "owwa-2026-000413", "PH").await;
    let worker_id = enrolled.worker_id.clone();
    let code = enrolled.activation_code.clone();
    assert_eq!(code.len(), 14, "three groups of four: {code}");
    assert!(enrolled.activation_expires_at.is_some());
    let mut signing = sign_in_client(&server).await;

    // Refused for its form, and counted as nothing: a PIN anyone would try, a code mistyped.
    for (pin, typed) in [("123456", code.as_str()), ("000000", code.as_str()), ("2718", code.as_str())] {
        let refused = activate(&mut signing, &worker_id, typed, pin).await.expect_err("weak PIN");
        assert_eq!(refused.code(), Code::InvalidArgument, "{pin}: {refused:?}");
    }
    let refused = activate(&mut signing, &worker_id, "not a code", PIN).await.expect_err("mistyped");
    assert_eq!(refused.code(), Code::InvalidArgument);

    // Typed as people type: lower case, spaces for dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let session = activate(&mut signing, &worker_id, &typed, PIN).await.expect("activated");
    assert_eq!(session.idle_timeout_seconds, 15 * 60);
    let token = session.session_token;
    assert_eq!(balance_answer(&server, &token, &worker_id).await, Code::Ok);
    assert_eq!(
        balance_answer(&server, &token, &other.worker_id).await,
        Code::PermissionDenied,
        "a session reads only her own record"
    );

    // The code worked once.
    let again = activate(&mut signing, &worker_id, &code, "314159").await.expect_err("used up");
    assert_eq!(again.code(), Code::FailedPrecondition, "{again:?}");
    assert_eq!(reason(&again), "used");
    // Her code does not open another worker's record: a wrong code, counted.
    let crossed = activate(&mut signing, &other.worker_id, &code, PIN).await.expect_err("not his");
    assert_eq!(crossed.code(), Code::Unauthenticated, "{crossed:?}");
    assert_eq!(attempts_left(&crossed), Some(4), "{crossed:?}");

    // A session can write what she may write: a claim for herself, through the access table.
    let mut as_her = as_worker(&server, &token).await;
    let claim = pb::FileClaimRequest {
        request_id: "portal-claim-1".into(),
        jurisdiction: "PH".into(),
        employer_ref: "PH-EMP-0042".into(),
        months: vec!["2025-03".into()],
        kind: pb::ClaimKind::MissingContribution as i32,
        evidence_sha256: vec![7; 32],
        ..Default::default()
    };
    as_her.worker.file_claim(claim).await.expect("filed");
    // And nothing an agency does.
    let contributions = vec![contribution(&worker_id, "PH", "PHP", "2025-03", 1_800_000)];
    let refused = as_her
        .agency
        .record_contributions(pb::RecordContributionsRequest {
            request_id: "portal-payroll".into(),
            contributions,
            ..Default::default()
        })
        .await
        .expect_err("a worker records no contributions");
    assert_eq!(refused.code(), Code::PermissionDenied);

    // The PIN survives a restart (sessions do not: they live in memory).
    let server = server.restart().await;
    assert_eq!(balance_answer(&server, &token, &worker_id).await, Code::Unauthenticated);
    let mut signing = sign_in_client(&server).await;
    let token = sign_in(&mut signing, &worker_id, PIN).await.expect("signed in after a restart");
    assert_eq!(balance_answer(&server, &token, &worker_id).await, Code::Ok);
    assert_eq!(access_changes(&server, &token, &worker_id).await, vec![("pin_set".to_owned(), 0)]);

    // A replayed enrolment issues no code, as it issues no credential.
    let mut philippines = server.clients("agency-ph").await;
    let replay = enroll_with_credential(&mut philippines, "owwa-2026-000412", "PH").await;
    assert!(replay.receipt.expect("receipt").replayed);
    assert_eq!(replay.activation_code, "");
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_pins_in_a_row_lock_her_access_until_her_origin_resets_it() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000511", "PH").await;
    let worker_id = enrolled.worker_id.clone();
    let mut signing = sign_in_client(&server).await;
    let session =
        activate(&mut signing, &worker_id, &enrolled.activation_code, PIN).await.expect("activated");

    // A right PIN between wrong ones starts the count again.
    for _ in 0..4 {
        let wrong = sign_in(&mut signing, &worker_id, "314159").await.expect_err("wrong PIN");
        assert_eq!(wrong.code(), Code::Unauthenticated);
    }
    sign_in(&mut signing, &worker_id, PIN).await.expect("the right PIN");
    let mut left = Vec::new();
    for _ in 0..4 {
        let wrong = sign_in(&mut signing, &worker_id, "314159").await.expect_err("wrong PIN");
        assert_eq!(wrong.code(), Code::Unauthenticated);
        assert_eq!(reason(&wrong), "wrong");
        left.push(attempts_left(&wrong));
    }
    assert_eq!(left, [Some(4), Some(3), Some(2), Some(1)]);
    let locking = sign_in(&mut signing, &worker_id, "314159").await.expect_err("the fifth");
    assert_eq!(locking.code(), Code::FailedPrecondition, "{locking:?}");
    assert_eq!(reason(&locking), "locked");
    let locked = sign_in(&mut signing, &worker_id, PIN).await.expect_err("locked");
    assert_eq!(locked.code(), Code::FailedPrecondition);
    assert_eq!(
        balance_answer(&server, &session.session_token, &worker_id).await,
        Code::Unauthenticated,
        "the lock ends her sessions"
    );
    // Her credential still works, and her statement says what happened.
    let changes = access_changes(&server, &enrolled.worker_token, &worker_id).await;
    assert_eq!(changes, vec![("pin_set".to_owned(), 0), ("locked".to_owned(), 5)]);

    // Only an agency of her origin or enrolment resets it.
    let mut saudi = server.clients("agency-sa").await;
    let denied = saudi.agency.reset_worker_credential(reset(&worker_id, "gosi-reset-1")).await;
    assert_eq!(denied.expect_err("not her agency").code(), Code::PermissionDenied);
    let reset = philippines
        .agency
        .reset_worker_credential(reset(&worker_id, "owwa-reset-0511"))
        .await
        .expect("reset")
        .into_inner();
    assert_eq!(reset.activation_code.len(), 14);
    let session = activate(&mut signing, &worker_id, &reset.activation_code, "505050").await.expect("again");
    assert_eq!(balance_answer(&server, &session.session_token, &worker_id).await, Code::Ok);
    sign_in(&mut signing, &worker_id, "505050").await.expect("her new PIN");
    let old = sign_in(&mut signing, &worker_id, PIN).await.expect_err("the old PIN is gone");
    assert_eq!(old.code(), Code::Unauthenticated);

    // An unknown worker is told no more than a wrong PIN.
    let unknown = sign_in(&mut signing, "W0000000000000000", PIN).await.expect_err("unknown");
    assert_eq!(unknown.code(), Code::Unauthenticated);
    assert_eq!(reason(&unknown), "wrong");
    server.server.stop().await.expect("stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_expire_sessions_end_when_idle_and_she_signs_out_everywhere() {
    let start = chrono::DateTime::parse_from_rfc3339("2026-03-02T08:00:00Z").expect("time").to_utc();
    let clock = ledger_store::Clock::manual(start);
    let server = TestServer::start_with_clock(clock.clone()).await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000611", "PH").await;
    let worker_id = enrolled.worker_id.clone();
    let expires = enrolled.activation_expires_at.expect("expiry");
    assert_eq!(expires.seconds, (start + chrono::TimeDelta::days(30)).timestamp());
    let mut signing = sign_in_client(&server).await;

    clock.advance(chrono::TimeDelta::days(30));
    let expired =
        activate(&mut signing, &worker_id, &enrolled.activation_code, PIN).await.expect_err("expired");
    assert_eq!(expired.code(), Code::FailedPrecondition);
    assert_eq!(reason(&expired), "expired");
    let reset = philippines
        .agency
        .reset_worker_credential(reset(&worker_id, "owwa-reset-0611"))
        .await
        .expect("reset")
        .into_inner();
    let first = activate(&mut signing, &worker_id, &reset.activation_code, PIN).await.expect("activated");
    let first = first.session_token;

    // Idle for less than 15 minutes, twice: still open. Then 15 without a request: ended.
    for _ in 0..2 {
        clock.advance(chrono::TimeDelta::minutes(14));
        assert_eq!(balance_answer(&server, &first, &worker_id).await, Code::Ok);
    }
    clock.advance(chrono::TimeDelta::minutes(15));
    assert_eq!(balance_answer(&server, &first, &worker_id).await, Code::Unauthenticated);

    // Three sessions; she ends one, then every other one.
    let mut tokens = Vec::new();
    for _ in 0..3 {
        tokens.push(sign_in(&mut signing, &worker_id, PIN).await.expect("signed in"));
    }
    let mut as_her = as_worker(&server, &tokens[0]).await;
    let ended =
        as_her.worker.end_sessions(pb::EndSessionsRequest { everywhere: false }).await.expect("ended");
    assert_eq!(ended.into_inner().ended, 1);
    assert_eq!(balance_answer(&server, &tokens[0], &worker_id).await, Code::Unauthenticated);
    assert_eq!(balance_answer(&server, &tokens[2], &worker_id).await, Code::Ok);
    let mut as_her = as_worker(&server, &tokens[1]).await;
    let ended = as_her.worker.end_sessions(pb::EndSessionsRequest { everywhere: true }).await.expect("ended");
    assert_eq!(ended.into_inner().ended, 2);
    for token in &tokens {
        assert_eq!(balance_answer(&server, token, &worker_id).await, Code::Unauthenticated);
    }
    server.server.stop().await.expect("stopped");
}

/// A phone's authenticator in software: an ES256 key, and the WebAuthn bytes a browser would
/// hand over for it (WebAuthn Level 2, 6.1 and 5.8.1).
struct Authenticator {
    key: p256::ecdsa::SigningKey,
    credential_id: Vec<u8>,
}

impl Authenticator {
    fn new(seed: u8) -> Authenticator {
        let key = p256::ecdsa::SigningKey::from_slice(&[seed; 32]).expect("a P-256 scalar");
        Authenticator { key, credential_id: vec![seed; 20] }
    }

    fn client_data(kind: &str, challenge: &[u8], origin: &str) -> Vec<u8> {
        use base64::Engine;
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(challenge);
        format!(r#"{{"type":"{kind}","challenge":"{challenge}","origin":"{origin}","crossOrigin":false}}"#)
            .into_bytes()
    }

    /// rpIdHash, flags (user present and verified, and attested data when `attested`), counter.
    fn authenticator_data(rp_id: &str, attested: bool) -> Vec<u8> {
        use sha2::Digest;
        let mut data = sha2::Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(if attested { 0x45 } else { 0x05 });
        data.extend_from_slice(&0u32.to_be_bytes());
        data
    }

    /// The client data and authenticator data of a registration (attestation "none").
    fn register(&self, challenge: &[u8], origin: &str, rp_id: &str) -> (Vec<u8>, Vec<u8>) {
        let mut data = Authenticator::authenticator_data(rp_id, true);
        data.extend_from_slice(&[0; 16]);
        data.extend_from_slice(&(self.credential_id.len() as u16).to_be_bytes());
        data.extend_from_slice(&self.credential_id);
        let point = self.key.verifying_key().to_encoded_point(false);
        let (x, y) = (point.x().expect("x"), point.y().expect("y"));
        // COSE_Key {1: 2, 3: -7, -1: 1, -2: x, -3: y}
        data.extend_from_slice(&[0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]);
        data.extend_from_slice(x);
        data.extend_from_slice(&[0x22, 0x58, 0x20]);
        data.extend_from_slice(y);
        (Authenticator::client_data("webauthn.create", challenge, origin), data)
    }

    /// A sign-in's client data, authenticator data and DER signature.
    fn assert(&self, challenge: &[u8], origin: &str, rp_id: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
        use p256::ecdsa::signature::Signer;
        use sha2::Digest;
        let client_data = Authenticator::client_data("webauthn.get", challenge, origin);
        let data = Authenticator::authenticator_data(rp_id, false);
        let mut signed = data.clone();
        signed.extend_from_slice(&sha2::Sha256::digest(&client_data));
        let signature: p256::ecdsa::Signature = self.key.sign(&signed);
        (client_data, data, signature.to_der().as_bytes().to_vec())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn she_adds_a_passkey_with_her_pin_and_signs_in_with_it() {
    const ORIGIN: &str = "https://portal.example.org";
    const RP: &str = "portal.example.org";
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = enroll_with_credential(&mut philippines, "owwa-2026-000801", "PH").await;
    let worker = enrolled.worker_id.clone();
    let mut signing_in = sign_in_client(&server).await;
    let session =
        activate(&mut signing_in, &worker, &enrolled.activation_code, PIN).await.expect("activated");
    let mut her = as_worker(&server, &session.session_token).await;
    let phone = Authenticator::new(7);

    // Only pages at https origins (or http://localhost) may ask for one.
    let insecure = pb::BeginPasskeyRequest { origin: "http://portal.example.org".into() };
    assert_eq!(her.worker.begin_passkey(insecure).await.expect_err("http").code(), Code::InvalidArgument);

    let begin = |her: &mut ledger_client::grpc::Clients| {
        let mut her = her.clone();
        async move {
            let request = pb::BeginPasskeyRequest { origin: ORIGIN.into() };
            her.worker.begin_passkey(request).await.expect("a challenge").into_inner()
        }
    };
    let challenge = begin(&mut her).await;
    assert_eq!(challenge.rp_id, RP);
    assert!(challenge.credential_ids.is_empty());
    // Made for another site: refused, and the challenge is spent.
    let (client_data, data) = phone.register(&challenge.challenge, "https://elsewhere.example.com", RP);
    let request =
        pb::AddPasskeyRequest { pin: PIN.into(), client_data_json: client_data, authenticator_data: data };
    assert_eq!(her.worker.add_passkey(request).await.expect_err("origin").code(), Code::InvalidArgument);
    // A wrong PIN counts, as at sign-in.
    let challenge = begin(&mut her).await;
    let (client_data, data) = phone.register(&challenge.challenge, ORIGIN, RP);
    let request = pb::AddPasskeyRequest {
        pin: "141421".into(),
        client_data_json: client_data.clone(),
        authenticator_data: data.clone(),
    };
    let wrong = her.worker.add_passkey(request).await.expect_err("wrong PIN");
    assert_eq!((wrong.code(), attempts_left(&wrong)), (Code::Unauthenticated, Some(4)));
    // The same answer again: its challenge was used.
    let request =
        pb::AddPasskeyRequest { pin: PIN.into(), client_data_json: client_data, authenticator_data: data };
    assert_eq!(her.worker.add_passkey(request).await.expect_err("used").code(), Code::FailedPrecondition);
    let challenge = begin(&mut her).await;
    let (client_data, data) = phone.register(&challenge.challenge, ORIGIN, RP);
    let request =
        pb::AddPasskeyRequest { pin: PIN.into(), client_data_json: client_data, authenticator_data: data };
    let added = her.worker.add_passkey(request).await.expect("added").into_inner();
    assert_eq!(added.credential_id, phone.credential_id);
    assert_eq!(
        access_changes(&server, &session.session_token, &worker).await,
        [("pin_set".to_owned(), 0), ("passkey_added".to_owned(), 0)]
    );

    // Signing in with it: a fresh challenge names her passkey, and its signature opens a session.
    let ask = || pb::PasskeyChallengeRequest { worker_id: worker.clone() };
    let challenge = signing_in.passkey_challenge(ask()).await.expect("a challenge").into_inner();
    assert_eq!(
        (challenge.rp_id.as_str(), challenge.credential_ids.clone()),
        (RP, vec![phone.credential_id.clone()])
    );
    let (client_data, data, signature) = phone.assert(&challenge.challenge, ORIGIN, RP);
    let request = pb::PasskeySignInRequest {
        worker_id: worker.clone(),
        credential_id: phone.credential_id.clone(),
        client_data_json: client_data.clone(),
        authenticator_data: data.clone(),
        signature: signature.clone(),
    };
    let session = signing_in.passkey_sign_in(request.clone()).await.expect("signed in").into_inner();
    assert_eq!(balance_answer(&server, &session.session_token, &worker).await, Code::Ok);
    // Replayed, it is refused: each challenge signs in once.
    assert_eq!(signing_in.passkey_sign_in(request).await.expect_err("replay").code(), Code::Unauthenticated);
    // Another key's signature, or one over other bytes, counts as a wrong attempt.
    let thief = Authenticator::new(9);
    let challenge = signing_in.passkey_challenge(ask()).await.expect("a challenge").into_inner();
    let (client_data, data, signature) = thief.assert(&challenge.challenge, ORIGIN, RP);
    let forged = pb::PasskeySignInRequest {
        worker_id: worker.clone(),
        credential_id: phone.credential_id.clone(),
        client_data_json: client_data,
        authenticator_data: data,
        signature,
    };
    let refused = signing_in.passkey_sign_in(forged).await.expect_err("another key");
    assert_eq!((refused.code(), attempts_left(&refused)), (Code::Unauthenticated, Some(4)));

    // An agency's reset takes her passkeys away with her PIN: a lost phone's key opens nothing.
    philippines.agency.reset_worker_credential(reset(&worker, "owwa-reset-0801")).await.expect("reset");
    let after = signing_in.passkey_challenge(ask()).await.expect_err("no passkey now");
    assert_eq!(reason(&after), "no_passkey");
    server.server.stop().await.expect("stopped");
}
