//! Passkeys in the portal: adding one on `/settings`, confirmed with her PIN, and signing in with
//! one. The browser's WebAuthn calls need JavaScript (`static/passkey.js`), so both stay hidden
//! without it and the PIN remains the way in that works everywhere. Every check of the ceremony
//! is the ledger's (`BeginPasskey`, `AddPasskey`, `PasskeyChallenge`, `PasskeySignIn`): the portal
//! carries the bytes between the browser and the service layer, and decides nothing.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use base64::Engine;
use ledger_proto::v1 as pb;
use serde::Deserialize;
use tonic::Code;

use crate::pages::{self, html, Visit};
use crate::web;
use crate::Portal;

fn encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn decode(text: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()).unwrap_or_default()
}

/// An answer to the page's script.
fn json(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let mut response = Response::new(Body::from(value.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// The origin of the page that asks: the `Origin` of its same-origin POST (which the form check
/// has matched to this site), else the portal's public address.
fn origin(portal: &Portal, headers: &HeaderMap) -> String {
    headers
        .get(header::ORIGIN)
        .and_then(|value| value.to_str().ok())
        .filter(|origin| *origin != "null")
        .map_or_else(|| portal.public_url.clone(), str::to_owned)
}

#[derive(Deserialize, Default)]
pub struct BeginForm {
    #[serde(default)]
    csrf: String,
}

/// A challenge for adding a passkey, for the script on `/settings`.
pub async fn begin(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<BeginForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let Some(session) = &visit.signed_in else {
        return visit
            .finish(json(StatusCode::UNAUTHORIZED, &serde_json::json!({ "error": tr.t("session-ended") })));
    };
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        let error = serde_json::json!({ "error": tr.t("error-form-expired") });
        return visit.finish(json(StatusCode::FORBIDDEN, &error));
    }
    let request = pb::BeginPasskeyRequest { origin: origin(&portal, &headers) };
    let answer = match portal.worker_client(&session.token).begin_passkey(request).await {
        Ok(answer) => answer.into_inner(),
        Err(status) => {
            let error = serde_json::json!({ "error": tr.t("settings-passkey-failed") });
            tracing::info!(code = ?status.code(), message = status.message(), "a passkey was not begun");
            return visit.finish(json(pages::refusal_status(&status), &error));
        }
    };
    let exclude: Vec<String> = answer.credential_ids.iter().map(|id| encode(id)).collect();
    let body = serde_json::json!({
        "challenge": encode(&answer.challenge),
        "rp_id": answer.rp_id,
        "rp_name": tr.t("portal-title"),
        "user_id": encode(session.worker_id.as_bytes()),
        "user_name": session.worker_id,
        "exclude": exclude,
    });
    visit.finish(json(StatusCode::OK, &body))
}

#[derive(Deserialize, Default)]
pub struct AddForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pin: String,
    #[serde(default)]
    client_data_json: String,
    #[serde(default)]
    authenticator_data: String,
}

/// Adds the passkey her phone made, with her PIN.
pub async fn add(
    State(portal): State<Arc<Portal>>,
    headers: HeaderMap,
    Form(form): Form<AddForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let Some(session) = visit.signed_in.clone() else { return visit.finish(web::see_other("/sign-in")) };
    let tr = portal.messages.of(visit.locale);
    let trusted = pages::trusted(&portal, &session).await.unwrap_or_default();
    let refuse = |status: StatusCode, error: String| {
        let page = pages::settings_page(&portal, &visit, vec![error], String::new(), &trusted);
        visit.finish(html(status, &page))
    };
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return refuse(StatusCode::FORBIDDEN, tr.t("error-form-expired"));
    }
    let request = pb::AddPasskeyRequest {
        pin: form.pin,
        client_data_json: decode(&form.client_data_json),
        authenticator_data: decode(&form.authenticator_data),
    };
    match portal.worker_client(&session.token).add_passkey(request).await {
        Ok(_) => visit.finish(web::see_other("/settings?passkey=added")),
        Err(status) => {
            let error = match status.code() {
                Code::Unauthenticated | Code::FailedPrecondition if !status.metadata().is_empty() => {
                    pages::sign_in_error(&tr, &status)
                }
                _ => tr.t("settings-passkey-failed"),
            };
            refuse(pages::refusal_status(&status), error)
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ChallengeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker_id: String,
}

/// A sign-in challenge and her passkeys' ids, for the script on `/sign-in`.
pub async fn challenge(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(crate::Peer(peer)): ConnectInfo<crate::Peer>,
    headers: HeaderMap,
    Form(form): Form<ChallengeForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return visit.finish(json(
            StatusCode::FORBIDDEN,
            &serde_json::json!({ "error": tr.t("error-form-expired") }),
        ));
    }
    if !portal.throttle.admit(peer.ip()) {
        return visit.finish(json(
            StatusCode::TOO_MANY_REQUESTS,
            &serde_json::json!({ "error": tr.t("error-busy") }),
        ));
    }
    let request = pb::PasskeyChallengeRequest { worker_id: form.worker_id.trim().to_ascii_uppercase() };
    match portal.sign_in_client().passkey_challenge(request).await {
        Ok(answer) => {
            let answer = answer.into_inner();
            let ids: Vec<String> = answer.credential_ids.iter().map(|id| encode(id)).collect();
            let body = serde_json::json!({
                "challenge": encode(&answer.challenge),
                "rp_id": answer.rp_id,
                "credential_ids": ids,
            });
            visit.finish(json(StatusCode::OK, &body))
        }
        Err(status) => {
            let error = serde_json::json!({ "error": pages::sign_in_error(&tr, &status) });
            visit.finish(json(pages::refusal_status(&status), &error))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct PasskeySignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    worker_id: String,
    #[serde(default)]
    credential_id: String,
    #[serde(default)]
    client_data_json: String,
    #[serde(default)]
    authenticator_data: String,
    #[serde(default)]
    signature: String,
}

/// Signs her in with the assertion her phone made.
pub async fn sign_in(
    State(portal): State<Arc<Portal>>,
    ConnectInfo(crate::Peer(peer)): ConnectInfo<crate::Peer>,
    headers: HeaderMap,
    Form(form): Form<PasskeySignInForm>,
) -> Response<Body> {
    let visit = Visit::of(&portal, &headers);
    let tr = portal.messages.of(visit.locale);
    let worker_id = form.worker_id.trim().to_ascii_uppercase();
    let refuse = |status: StatusCode, error: String| {
        let page = pages::sign_in_page(&portal, &visit, &worker_id, vec![error], String::new());
        visit.finish(html(status, &page))
    };
    if visit.check(&portal, &headers, &form.csrf).is_err() {
        return refuse(StatusCode::FORBIDDEN, tr.t("error-form-expired"));
    }
    if !portal.throttle.admit(peer.ip()) {
        return refuse(StatusCode::TOO_MANY_REQUESTS, tr.t("error-busy"));
    }
    let request = pb::PasskeySignInRequest {
        worker_id: worker_id.clone(),
        credential_id: decode(&form.credential_id),
        client_data_json: decode(&form.client_data_json),
        authenticator_data: decode(&form.authenticator_data),
        signature: decode(&form.signature),
    };
    match portal.sign_in_client().passkey_sign_in(request).await {
        Ok(answer) => pages::signed_in(&portal, &visit, &worker_id, answer.into_inner().session_token),
        Err(status) => refuse(pages::refusal_status(&status), pages::sign_in_error(&tr, &status)),
    }
}

/// The script of both ceremonies.
pub async fn script() -> Response<Body> {
    pages::static_file(include_str!("../static/passkey.js"), "text/javascript; charset=utf-8")
}
