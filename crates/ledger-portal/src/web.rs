//! What every page shares: cookies, the visitor's id and form token, the checks on every POST,
//! the security headers, and the signed-in sessions the portal keeps for workers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use hmac::{Hmac, Mac};

/// The visitor cookie: a random id, the key of her signed-in session once she signs in. `__Host-`:
/// only ever set by this origin over a secure connection, for the whole site, never a domain.
pub const SESSION_COOKIE: &str = "__Host-session";
/// The language she chose, kept for a year.
pub const LANGUAGE_COOKIE: &str = "__Host-lang";
/// How long the language cookie lasts.
const LANGUAGE_COOKIE_SECONDS: u64 = 365 * 24 * 60 * 60;
/// Signed-in sessions the portal holds at once: as many as the ledger holds of its own.
pub const PORTAL_SESSIONS_MAX: usize = 200_000;

/// No inline script and nothing from elsewhere; no framing by another site.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Adds the headers every answer carries. Pages are personal or may become so within one
/// visit on a shared phone: none is stored by the browser or anything in between.
pub fn secure(mut response: Response<axum::body::Body>) -> Response<axum::body::Body> {
    let headers = response.headers_mut();
    let fixed = [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::HeaderName::from_static("cross-origin-opener-policy"), "same-origin"),
        (header::HeaderName::from_static("cross-origin-resource-policy"), "same-origin"),
        (header::HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The value of the cookie `name` the request carries.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

/// A `Set-Cookie` value for a `__Host-` cookie: Secure, HttpOnly, SameSite=Strict, the whole site.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: Option<u64>) -> String {
    let age = max_age_seconds.map(|seconds| format!("; Max-Age={seconds}")).unwrap_or_default();
    format!("{name}={value}; Path=/; Secure; HttpOnly; SameSite=Strict{age}")
}

pub fn language_cookie(tag: &str) -> String {
    set_cookie(LANGUAGE_COOKIE, tag, Some(LANGUAGE_COOKIE_SECONDS))
}

/// 32 random bytes in hex.
pub fn random_id() -> String {
    let mut random = [0u8; 32];
    // Without randomness no session can be made safely: an all-zero id would be shared by all.
    if getrandom::fill(&mut random).is_err() {
        tracing::error!("no randomness for a visitor id");
    }
    hex::encode(random)
}

/// Whether `id` looks like one of ours: 64 lower-case hex digits.
pub fn well_formed_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The form token of the visitor `id`: an HMAC of it under the portal's secret, so that a page
/// of another site, which cannot read her cookie, cannot make one.
pub fn form_token(secret: &[u8; 32], id: &str) -> String {
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret) else { return String::new() };
    mac.update(b"form-token\0");
    mac.update(id.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Why a POST was refused before it was looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refused {
    /// Sent from another site (Fetch Metadata or Origin say so).
    CrossSite,
    /// No form token, or not the visitor's: a page left open past a restart, or a forgery.
    FormToken,
}

/// The checks on every POST: the browser says it comes from this site (`Sec-Fetch-Site`, or
/// `Origin` against `Host` for older browsers), and the form carries the visitor's token.
pub fn check_post(
    headers: &HeaderMap,
    secret: &[u8; 32],
    id: Option<&str>,
    token: &str,
) -> Result<(), Refused> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    match header("sec-fetch-site") {
        Some("same-origin") | Some("none") => {}
        Some(_) => return Err(Refused::CrossSite),
        None => {
            if let (Some(origin), Some(host)) = (header("origin"), header("host")) {
                let own = ["http://", "https://"].iter().any(|scheme| origin == format!("{scheme}{host}"));
                if !own {
                    return Err(Refused::CrossSite);
                }
            }
        }
    }
    let Some(id) = id else { return Err(Refused::FormToken) };
    let expected = form_token(secret, id);
    if ledger_core::constant_time_eq(expected.as_bytes(), token.as_bytes()) && !expected.is_empty() {
        Ok(())
    } else {
        Err(Refused::FormToken)
    }
}

/// A redirect to `to` after a POST (303: the browser GETs it).
pub fn see_other(to: &str) -> Response<axum::body::Body> {
    let mut response = Response::new(axum::body::Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(location) = HeaderValue::from_str(to) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// A worker signed in through the portal.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub worker_id: String,
    /// The ledger's session token: the bearer token of her calls.
    pub token: String,
    last_seen: Instant,
    /// The report she is writing, if any.
    draft: Option<crate::claims::Draft>,
    /// A message for the next page she sees (a report sent), shown once.
    notice: Option<String>,
}

/// The signed-in sessions, by visitor id. The ledger decides whether a session is still open;
/// the portal forgets its own entries once idle past the ledger's timeout.
#[derive(Debug)]
pub struct Sessions {
    idle_max: Duration,
    open: Mutex<HashMap<String, SignedIn>>,
}

impl Sessions {
    pub fn new(idle_max: Duration) -> Sessions {
        Sessions { idle_max, open: Mutex::new(HashMap::new()) }
    }

    /// Signs the visitor `id` in as `worker_id` with the ledger's session `token`.
    pub fn insert(&self, id: &str, worker_id: &str, token: String) {
        let Ok(mut open) = self.open.lock() else { return };
        if open.len() >= PORTAL_SESSIONS_MAX {
            let idle_max = self.idle_max;
            open.retain(|_, session| session.last_seen.elapsed() < idle_max);
        }
        if open.len() < PORTAL_SESSIONS_MAX {
            let session = SignedIn {
                worker_id: worker_id.to_owned(),
                token,
                last_seen: Instant::now(),
                draft: None,
                notice: None,
            };
            open.insert(id.to_owned(), session);
        }
    }

    /// The session of visitor `id`, if she is signed in and it has not been idle too long.
    pub fn get(&self, id: &str) -> Option<SignedIn> {
        let mut open = self.open.lock().ok()?;
        let session = open.get_mut(id)?;
        if session.last_seen.elapsed() >= self.idle_max {
            open.remove(id);
            return None;
        }
        session.last_seen = Instant::now();
        Some(session.clone())
    }

    pub fn remove(&self, id: &str) -> Option<SignedIn> {
        self.open.lock().ok()?.remove(id)
    }

    fn with<T>(&self, id: &str, change: impl FnOnce(&mut SignedIn) -> T) -> Option<T> {
        self.open.lock().ok()?.get_mut(id).map(change)
    }

    pub fn draft(&self, id: &str) -> Option<crate::claims::Draft> {
        self.with(id, |session| session.draft.clone()).flatten()
    }

    pub fn set_draft(&self, id: &str, draft: crate::claims::Draft) {
        self.with(id, |session| session.draft = Some(draft));
    }

    pub fn clear_draft(&self, id: &str) {
        self.with(id, |session| session.draft = None);
    }

    pub fn set_notice(&self, id: &str, notice: String) {
        self.with(id, |session| session.notice = Some(notice));
    }

    pub fn take_notice(&self, id: &str) -> Option<String> {
        self.with(id, |session| session.notice.take()).flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            let name =
                header::HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|error| panic!("{error}"));
            headers.append(name, HeaderValue::from_str(value).unwrap_or_else(|error| panic!("{error}")));
        }
        headers
    }

    /// Headers sent, the visitor's id, the form token sent, and the verdict.
    type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>, &'a str, Result<(), Refused>);

    #[test]
    fn a_post_must_come_from_this_site_with_the_visitors_own_token() {
        let secret = [7u8; 32];
        let id = "a".repeat(64);
        let token = form_token(&secret, &id);
        let other = form_token(&secret, &"b".repeat(64));
        let own = [("origin", "http://portal.example"), ("host", "portal.example")];
        let foreign = [("origin", "https://evil.example"), ("host", "portal.example")];
        let cases: [Case<'_>; 8] = [
            (&[("sec-fetch-site", "same-origin")], Some(&id), &token, Ok(())),
            (&[("sec-fetch-site", "cross-site")], Some(&id), &token, Err(Refused::CrossSite)),
            (&[("sec-fetch-site", "same-site")], Some(&id), &token, Err(Refused::CrossSite)),
            (&own, Some(&id), &token, Ok(())),
            (&foreign, Some(&id), &token, Err(Refused::CrossSite)),
            (&[], Some(&id), &other, Err(Refused::FormToken)),
            (&[], None, &token, Err(Refused::FormToken)),
            (&[], Some(&id), "", Err(Refused::FormToken)),
        ];
        for (index, (pairs, visitor, sent, expected)) in cases.into_iter().enumerate() {
            assert_eq!(check_post(&headers(pairs), &secret, visitor, sent), expected, "case {index}");
        }
    }

    #[test]
    fn cookies_are_read_by_name_and_set_for_this_host_only() {
        let sent = headers(&[("cookie", "a=1; __Host-session=abc"), ("cookie", "__Host-lang=ne")]);
        assert_eq!(cookie(&sent, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&sent, LANGUAGE_COOKIE).as_deref(), Some("ne"));
        assert_eq!(cookie(&sent, "b"), None);
        assert_eq!(
            set_cookie(SESSION_COOKIE, "abc", None),
            "__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Strict"
        );
    }
}

/// Sign-ins and activations one address may send in a burst, then per minute: a phone retyping a
/// PIN is far below it; someone guessing PINs for many workers through the portal is held to it,
/// so that the ledger's few PIN hashes at a time stay free for everyone else.
pub const SIGN_IN_BURST: f64 = 10.0;
pub const SIGN_INS_PER_MINUTE: f64 = 20.0;

/// The sign-ins one address may send: a burst, then so many a minute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SignInRate {
    pub burst: f64,
    pub per_minute: f64,
}

impl Default for SignInRate {
    fn default() -> SignInRate {
        SignInRate { burst: SIGN_IN_BURST, per_minute: SIGN_INS_PER_MINUTE }
    }
}
/// Addresses tracked at once; beyond it, those idle for a minute are forgotten.
const THROTTLED_ADDRESSES_MAX: usize = 100_000;

/// A token bucket per client address for sign-ins. The address is the connection's: behind a
/// proxy every phone shares the proxy's, and the bucket is the proxy's whole share.
#[derive(Debug, Default)]
pub struct Throttle {
    rate: SignInRate,
    buckets: Mutex<HashMap<std::net::IpAddr, (f64, Instant)>>,
}

impl Throttle {
    pub fn new(rate: SignInRate) -> Throttle {
        Throttle { rate, buckets: Mutex::default() }
    }

    /// Takes one sign-in of `address`'s bucket; false when it is empty.
    pub fn admit(&self, address: std::net::IpAddr) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else { return false };
        let now = Instant::now();
        if buckets.len() >= THROTTLED_ADDRESSES_MAX && !buckets.contains_key(&address) {
            buckets.retain(|_, (_, refilled)| now.duration_since(*refilled) < Duration::from_secs(60));
        }
        let SignInRate { burst, per_minute } = self.rate;
        let (tokens, refilled) = buckets.entry(address).or_insert((burst, now));
        let refill = now.duration_since(*refilled).as_secs_f64() * per_minute / 60.0;
        *tokens = (*tokens + refill).min(burst);
        *refilled = now;
        if *tokens < 1.0 {
            return false;
        }
        *tokens -= 1.0;
        true
    }
}
