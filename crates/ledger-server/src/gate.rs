//! Every request passes one gate before any service sees it: authentication (bearer token to
//! principal), the in-flight limit, the principal's rate, and afterwards one log line and the
//! request metrics. Health checks, reflection and signing in pass without a token.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, RwLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use ledger_store::Ledger;
use tokio::sync::Semaphore;
use tonic::{Code, Status};
use tower::{Layer, Service};
use tracing::info;

use crate::metrics::Metrics;
use crate::principals::{Principal, Principals, Role};
use crate::status;

/// Limits on what callers may ask of the server.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Sustained requests per second of one principal, across all its connections.
    pub requests_per_second: f64,
    /// Requests one principal may send at once above the sustained rate.
    pub burst: f64,
    /// Requests in flight over all callers; beyond it requests are refused, not queued.
    pub concurrent_requests_max: usize,
    /// Requests (and streams being opened) in flight of one principal, across its connections:
    /// one caller can never hold more than this share of `concurrent_requests_max`.
    pub principal_requests_max: usize,
    /// How long a subscriber may leave its buffer full before it is cut off.
    pub subscriber_stall_max: Duration,
    /// Streams (ReadEvents, SubscribeEvents, ReadRecoveryState) one principal may have open at
    /// once, across its connections; each holds a bounded buffer.
    pub principal_streams_max: usize,
    /// Events the store's scrubber reads back per second while serving.
    pub scrub_events_per_second: u64,
    /// Connections open at once; lowered at start to what the open-file limit leaves room for.
    pub connections_max: usize,
    /// Connections open at once from one address.
    pub connections_per_peer_max: usize,
    /// How long a worker's session lasts without a request.
    pub session_idle_max: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            requests_per_second: 2_000.0,
            burst: 4_000.0,
            concurrent_requests_max: 1_024,
            principal_requests_max: 64,
            subscriber_stall_max: Duration::from_secs(5),
            principal_streams_max: 16,
            scrub_events_per_second: ledger_store::SCRUB_EVENTS_PER_SECOND_DEFAULT,
            connections_max: 4_096,
            connections_per_peer_max: 256,
            session_idle_max: Duration::from_secs(15 * 60),
        }
    }
}

/// Principals tracked by the rate limiter before idle ones are forgotten.
const RATE_BUCKETS_MAX: usize = 100_000;
/// Requests to the paths served to anyone (health checks, a health Watch, reflection) open at once
/// from one address, and from all: without a token there is no principal to hold to a share.
pub const PUBLIC_REQUESTS_PER_PEER_MAX: usize = 8;
pub const PUBLIC_REQUESTS_MAX: usize = 256;
/// Paths served to anyone: health checks, reflection, and signing in (whose answer is a token).
const PUBLIC_PREFIXES: [&str; 4] =
    ["/grpc.health.v1.", "/grpc.reflection.v1.", "/grpc.reflection.v1alpha.", SIGN_IN_PREFIX];
/// The sign-in service's path: public, and rate-limited by the address it comes from.
const SIGN_IN_PREFIX: &str = "/ledger.v1.SignInService/";

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled: Instant,
}

/// The shared state of the gate.
#[derive(Debug)]
pub struct Gate {
    principals: RwLock<Arc<Principals>>,
    ledger: Ledger,
    limits: Limits,
    buckets: Mutex<HashMap<String, Bucket>>,
    in_flight: Arc<Semaphore>,
    /// Each principal's requests in flight.
    principal_in_flight: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Each principal's open streams.
    principal_streams: Mutex<HashMap<String, Arc<Semaphore>>>,
    /// Public requests open, in all and by peer address; a Watch holds its permits while it lasts.
    public_in_flight: Arc<Semaphore>,
    public_by_peer: Mutex<HashMap<String, Arc<Semaphore>>>,
    pub metrics: Arc<Metrics>,
    /// Mutual TLS: agencies must have presented a certificate signed by the client CA.
    agencies_need_certificates: bool,
    /// Counts the principals files put in force, so that live streams can check their callers again.
    revision: tokio::sync::watch::Sender<u64>,
    /// Workers' sessions, opened by signing in.
    sessions: Arc<crate::sign_in::Sessions>,
}

impl Gate {
    pub fn new(
        principals: Principals,
        ledger: Ledger,
        limits: Limits,
        metrics: Arc<Metrics>,
        agencies_need_certificates: bool,
        sessions: Arc<crate::sign_in::Sessions>,
    ) -> Gate {
        Gate {
            principals: RwLock::new(Arc::new(principals)),
            ledger,
            limits,
            buckets: Mutex::new(HashMap::new()),
            in_flight: Arc::new(Semaphore::new(limits.concurrent_requests_max)),
            principal_in_flight: Mutex::new(HashMap::new()),
            principal_streams: Mutex::new(HashMap::new()),
            public_in_flight: Arc::new(Semaphore::new(PUBLIC_REQUESTS_MAX)),
            public_by_peer: Mutex::new(HashMap::new()),
            metrics,
            agencies_need_certificates,
            revision: tokio::sync::watch::Sender::new(0),
            sessions,
        }
    }

    /// Workers' sessions.
    pub fn sessions(&self) -> &Arc<crate::sign_in::Sessions> {
        &self.sessions
    }

    /// Changes each time the principals are replaced.
    pub fn revisions(&self) -> tokio::sync::watch::Receiver<u64> {
        self.revision.subscribe()
    }

    /// Whether the caller that sent `headers` is still the principal `id`: its token has not been
    /// removed or rotated since.
    pub fn still_admits(&self, headers: &http::HeaderMap, id: &ledger_core::PrincipalId) -> bool {
        self.authenticate(headers).is_ok_and(|principal| principal.id == *id)
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The principal in force with this id, if there is one.
    pub fn principal(&self, id: &ledger_core::PrincipalId) -> Option<Principal> {
        let principals = self.principals.read().map(|principals| principals.clone()).unwrap_or_default();
        principals.by_id(id).cloned()
    }

    /// Replaces the principals, as on SIGHUP. Requests already admitted keep the old ones; live
    /// subscriptions check their caller again and end if it is no longer admitted.
    pub fn replace_principals(&self, principals: Principals) {
        if let Ok(mut current) = self.principals.write() {
            *current = Arc::new(principals);
        }
        self.revision.send_modify(|revision| *revision += 1);
    }

    fn authenticate(&self, headers: &http::HeaderMap) -> Result<Principal, Status> {
        let header = headers
            .get("authorization")
            .ok_or_else(|| Status::unauthenticated("a bearer token is required"))?;
        let token =
            header.to_str().ok().and_then(|value| value.strip_prefix("Bearer ")).map(str::trim).ok_or_else(
                || Status::unauthenticated("the authorization header must be `Bearer <token>`"),
            )?;
        if token.starts_with(crate::sign_in::SESSION_TOKEN_PREFIX) {
            let worker = self.sessions.authenticate(token, self.ledger.now());
            return worker
                .map(Principal::worker)
                .ok_or_else(|| Status::unauthenticated("the session has ended: sign in again"));
        }
        let principals = self.principals.read().map(|principals| principals.clone()).unwrap_or_default();
        if let Some(principal) = principals.authenticate(token) {
            return Ok(principal.clone());
        }
        let digest = ledger_core::sha256(token.as_bytes());
        let worker = self.ledger.worker_for_credential(&digest).map_err(status::from_store)?;
        worker.map(Principal::worker).ok_or_else(|| Status::unauthenticated("unknown token"))
    }

    /// Takes one of the principal's in-flight permits, refusing beyond its share.
    fn take_principal_permit(&self, principal: &str) -> Result<tokio::sync::OwnedSemaphorePermit, Status> {
        let most = self.limits.principal_requests_max;
        take_share(&self.principal_in_flight, principal, most).ok_or_else(|| {
            Status::resource_exhausted(format!(
                "{principal} has {most} requests in flight, its limit; retry when one has finished"
            ))
        })
    }

    /// A permit for one more open stream of the principal, held for as long as the stream is open.
    pub fn open_stream(&self, principal: &str) -> Result<tokio::sync::OwnedSemaphorePermit, Status> {
        let most = self.limits.principal_streams_max;
        take_share(&self.principal_streams, principal, most).ok_or_else(|| {
            Status::resource_exhausted(format!(
                "{principal} has {most} streams open, its limit; close one before opening another"
            ))
        })
    }

    /// Permits for one public request from `peer`: one of its own share and one of everyone's.
    fn admit_public(
        &self,
        peer: Option<std::net::IpAddr>,
    ) -> Result<(tokio::sync::OwnedSemaphorePermit, Option<tokio::sync::OwnedSemaphorePermit>), Status> {
        let all = self.public_in_flight.clone().try_acquire_owned().map_err(|_| {
            Status::resource_exhausted(format!(
                "{PUBLIC_REQUESTS_MAX} public requests (health, reflection, sign-in) are open, the server's limit; retry shortly"
            ))
        })?;
        let own = match peer {
            Some(ip) => Some(
                take_share(&self.public_by_peer, &ip.to_string(), PUBLIC_REQUESTS_PER_PEER_MAX).ok_or_else(
                    || {
                        Status::resource_exhausted(format!(
                            "{ip} has {PUBLIC_REQUESTS_PER_PEER_MAX} public requests (health, reflection, \
                             sign-in) open, its limit"
                        ))
                    },
                )?,
            ),
            None => None,
        };
        Ok((all, own))
    }

    /// Takes one token from the principal's bucket, refilled at the sustained rate.
    fn take_token(&self, principal: &str) -> Result<(), Status> {
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() >= RATE_BUCKETS_MAX && !buckets.contains_key(principal) {
            buckets.retain(|_, bucket| bucket.refilled.elapsed() < Duration::from_secs(60));
        }
        let now = Instant::now();
        let limits = self.limits;
        let bucket =
            buckets.entry(principal.to_owned()).or_insert(Bucket { tokens: limits.burst, refilled: now });
        let refill = now.duration_since(bucket.refilled).as_secs_f64() * limits.requests_per_second;
        bucket.tokens = (bucket.tokens + refill).min(limits.burst);
        bucket.refilled = now;
        if bucket.tokens < 1.0 {
            return Err(Status::resource_exhausted(format!(
                "rate limit: at most {} requests per second for {principal}",
                limits.requests_per_second
            )));
        }
        bucket.tokens -= 1.0;
        Ok(())
    }
}

/// One of `most` permits of `principal` from `shares`; none when all are taken. Principals with
/// nothing held are forgotten once the map reaches [`RATE_BUCKETS_MAX`].
fn take_share(
    shares: &Mutex<HashMap<String, Arc<Semaphore>>>,
    principal: &str,
    most: usize,
) -> Option<tokio::sync::OwnedSemaphorePermit> {
    let semaphore = {
        let mut all = shares.lock().ok()?;
        if all.len() >= RATE_BUCKETS_MAX && !all.contains_key(principal) {
            all.retain(|_, semaphore| semaphore.available_permits() < most);
        }
        all.entry(principal.to_owned()).or_insert_with(|| Arc::new(Semaphore::new(most))).clone()
    };
    semaphore.try_acquire_owned().ok()
}

/// Wraps the router so that every request passes the [`Gate`].
#[derive(Clone, Debug)]
pub struct GateLayer {
    pub gate: Arc<Gate>,
}

impl<S> Layer<S> for GateLayer {
    type Service = Gated<S>;

    fn layer(&self, inner: S) -> Gated<S> {
        Gated { inner, gate: self.gate.clone() }
    }
}

#[derive(Clone, Debug)]
pub struct Gated<S> {
    inner: S,
    gate: Arc<Gate>,
}

type Body = tonic::body::Body;

impl<S> Service<http::Request<Body>> for Gated<S>
where
    S: Service<http::Request<Body>, Response = http::Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<Body>) -> Self::Future {
        // The clone is ready only after poll_ready; call the instance that was polled.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let gate = self.gate.clone();
        Box::pin(async move {
            let started = Instant::now();
            let path = request.uri().path().to_owned();
            let rpc = path.rsplit('/').next().unwrap_or("").to_owned();
            let peer = peer_address(&request);
            if PUBLIC_PREFIXES.iter().any(|prefix| path.starts_with(prefix)) {
                // Each sign-in is a guess at a code or a PIN: rate-limited like guesses at tokens.
                let throttled = match (path.starts_with(SIGN_IN_PREFIX), peer) {
                    (true, Some(ip)) => gate.take_token(&format!("unauthenticated {ip}")),
                    _ => Ok(()),
                };
                let permits = match throttled.and_then(|()| gate.admit_public(peer)) {
                    Ok(permits) => permits,
                    Err(refused) => {
                        finish(&gate, &rpc, "-", peer, refused.code(), started);
                        return Ok(refused.into_http());
                    }
                };
                // The permits go back when the answer's last byte does: a Watch holds them.
                let response = inner.call(request).await?;
                return Ok(response.map(|body| Body::new(Holding { body, _permits: permits })));
            }
            let admitted = admit(&gate, &mut request, peer);
            let (principal, _permit) = match admitted {
                Ok(admitted) => admitted,
                Err((principal, refused)) => {
                    finish(&gate, &rpc, &principal, peer, refused.code(), started);
                    return Ok(refused.into_http());
                }
            };
            let response = inner.call(request).await?;
            let code = response
                .headers()
                .get("grpc-status")
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.parse::<i32>().ok())
                .map_or(Code::Ok, Code::from_i32);
            finish(&gate, &rpc, &principal, peer, code, started);
            Ok(response)
        })
    }
}

/// A response body that holds permits until it is dropped: a stream's, for as long as it lasts.
struct Holding<B, P> {
    body: B,
    _permits: P,
}

impl<B: http_body::Body + Unpin, P: Unpin> http_body::Body for Holding<B, P> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The principal's id and the permits it holds while its request is in flight: its own and one of
/// all callers'.
type Admitted = (String, (tokio::sync::OwnedSemaphorePermit, tokio::sync::OwnedSemaphorePermit));

/// Authenticates, then takes an in-flight permit and a rate token; the principal's id comes back
/// with a refusal too, for the log.
fn admit(
    gate: &Gate,
    request: &mut http::Request<Body>,
    peer: Option<std::net::IpAddr>,
) -> Result<Admitted, (String, Status)> {
    let principal = gate.authenticate(request.headers()).map_err(|status| {
        // Guesses at tokens are rate-limited by the address they come from, like a principal.
        let throttled = peer.map(|ip| gate.take_token(&format!("unauthenticated {ip}")));
        match throttled {
            Some(Err(exhausted)) => ("-".to_owned(), exhausted),
            _ => ("-".to_owned(), status),
        }
    })?;
    let id = principal.id.to_string();
    if gate.agencies_need_certificates && principal.role == Role::Agency && !has_client_certificate(request) {
        let status = Status::permission_denied(
            "an agency must connect with a client certificate signed by the ledger's client CA",
        );
        return Err((id, status));
    }
    let own = gate.take_principal_permit(&id).map_err(|status| (id.clone(), status))?;
    let permit = gate.in_flight.clone().try_acquire_owned().map_err(|_| {
        let status =
            Status::resource_exhausted("the server is at its limit of requests in flight; retry shortly");
        (id.clone(), status)
    })?;
    gate.take_token(&id).map_err(|status| (id.clone(), status))?;
    request.extensions_mut().insert(principal);
    Ok((id, (own, permit)))
}

/// Whether the connection presented a client certificate that the TLS handshake verified.
fn has_client_certificate(request: &http::Request<Body>) -> bool {
    type Info = tonic::transport::server::TlsConnectInfo<tonic::transport::server::TcpConnectInfo>;
    request
        .extensions()
        .get::<Info>()
        .and_then(|info| info.peer_certs())
        .is_some_and(|certs| !certs.is_empty())
}

/// The address the request's connection comes from, over TCP or TLS.
fn peer_address(request: &http::Request<Body>) -> Option<std::net::IpAddr> {
    type Tcp = tonic::transport::server::TcpConnectInfo;
    type Tls = tonic::transport::server::TlsConnectInfo<Tcp>;
    let extensions = request.extensions();
    let tcp = extensions.get::<Tcp>().or_else(|| extensions.get::<Tls>().map(Tls::get_ref));
    tcp.and_then(Tcp::remote_addr).map(|address| address.ip())
}

fn finish(
    gate: &Gate,
    rpc: &str,
    principal: &str,
    peer: Option<std::net::IpAddr>,
    code: Code,
    started: Instant,
) {
    let elapsed = started.elapsed();
    gate.metrics.request(rpc, code, elapsed);
    let peer = peer.map(|ip| ip.to_string()).unwrap_or_default();
    info!(principal, peer, rpc, code = ?code, latency_ms = elapsed.as_secs_f64() * 1000.0, "request");
}
