//! The workers' web portal: server-rendered pages in her language that work without JavaScript,
//! on a phone that may be shared.
//!
//! - [`start`]: listen and serve, calling the ledger's gRPC services at the address given.
//! - [`i18n`]: the languages, Fluent messages, numbers, months and money.
//! - [`web`]: cookies, form tokens, the checks on every POST, the security headers, sessions.
//! - `pages`: the pages themselves.
//!
//! Architecture invariant: the portal is a client of the service layer. It holds no data of its
//! own and decides nothing about access: every read and write is a gRPC call with the worker's
//! own session token, through the same gate and access table as any other caller. What it keeps
//! in memory is which browser holds which session token.

mod claims;
pub mod i18n;
mod pages;
mod passkeys;
pub mod record;
mod verify;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use ledger_client::grpc::{self as client, Bearer, SignInClient};
use ledger_proto::v1 as pb;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinHandle;

/// Largest form the portal reads, in bytes: its forms are a few short fields.
pub const FORM_BYTES_MAX: usize = 16 * 1024;
/// Requests served at once; more wait for one to finish.
pub const REQUESTS_IN_FLIGHT_MAX: usize = 256;
/// Connections open at once; more wait to be accepted.
pub const CONNECTIONS_MAX: usize = 1024;
/// Entries of her statement read for her record month by month: far more than a working life's
/// contributions in every branch, and a bound on what one page asks of the ledger.
pub const RECORD_ENTRIES_MAX: usize = 50_000;

/// Where the portal listens and which ledger it serves.
#[derive(Clone, Debug)]
pub struct PortalConfig {
    pub listen: SocketAddr,
    /// HOST:PORT of the ledger's gRPC services (plain TCP, on this host).
    pub ledger: String,
    /// How long a signed-in session lasts without a request: the ledger's session timeout.
    pub session_idle_max: Duration,
    /// The log's verifier key (`ledger key show`), built into `/verify`.
    pub verifier_key: String,
    /// Cosigner keys whose cosignatures `/verify` checks and counts (this replica's).
    pub cosigner_keys: Vec<String>,
    /// The portal's address as workers' phones reach it: a printed statement's QR code links to
    /// `/verify` there. `http://` and the address listened on when none.
    pub public_url: Option<String>,
    /// Sign-ins and activations per client address.
    pub sign_in_rate: web::SignInRate,
}

/// Why the portal did not start.
#[derive(Debug, thiserror::Error)]
pub enum PortalError {
    #[error("the portal cannot listen on {address}: {error}")]
    Listen { address: SocketAddr, error: std::io::Error },
    #[error("the portal's messages do not load: {0}")]
    Messages(#[from] i18n::LoadError),
    #[error("the ledger's address {address:?}: {error}")]
    Ledger { address: String, error: String },
}

/// What the pages share.
#[derive(Debug)]
pub struct Portal {
    messages: i18n::Messages,
    channel: tonic::transport::Channel,
    /// Keys the form tokens; made at start, so a restart makes old forms ask to be sent again.
    secret: [u8; 32],
    sessions: web::Sessions,
    /// Sign-ins and activations by client address.
    throttle: web::Throttle,
    verifier_key: String,
    cosigner_keys: Vec<String>,
    public_url: String,
}

impl Portal {
    fn sign_in_client(&self) -> SignInClient {
        SignInClient::new(self.channel.clone())
    }

    /// A client that calls as the worker whose session `token` is.
    fn worker_client(
        &self,
        token: &str,
    ) -> pb::worker_service_client::WorkerServiceClient<ledger_client::grpc::Authed> {
        pb::worker_service_client::WorkerServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    /// A client of the audit service (inclusion proofs) that calls as the worker of `token`.
    fn audit_client(
        &self,
        token: &str,
    ) -> pb::audit_service_client::AuditServiceClient<ledger_client::grpc::Authed> {
        pb::audit_service_client::AuditServiceClient::with_interceptor(self.channel.clone(), bearer(token))
    }

    /// Her statement, oldest first, at most [`RECORD_ENTRIES_MAX`] entries.
    async fn statement(&self, worker_id: &str, token: &str) -> Result<client::Statement, tonic::Status> {
        client::read_statement(&mut self.worker_client(token), worker_id, RECORD_ENTRIES_MAX).await
    }

    /// Her portable statement, whole.
    async fn portable_statement(
        &self,
        worker_id: &str,
        token: &str,
    ) -> Result<ledger_verify::StatementFile, tonic::Status> {
        let statement = self.statement(worker_id, token).await?;
        if statement.truncated {
            return Err(tonic::Status::resource_exhausted(format!(
                "a statement of more than {RECORD_ENTRIES_MAX} events is written with the command line"
            )));
        }
        client::portable_statement(&mut self.audit_client(token), worker_id, statement).await
    }
}

/// The bearer of a session `token`. A session token is hex after its prefix, always a valid
/// header value; were one not, nobody's goes instead, which the ledger refuses as unauthenticated.
fn bearer(token: &str) -> Bearer {
    Bearer::new(token).unwrap_or_else(|_| Bearer::nobody())
}

/// A running portal.
#[derive(Debug)]
pub struct RunningPortal {
    pub address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl RunningPortal {
    /// Stops taking connections and finishes the requests in flight.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.task).await;
    }
}

/// The portal's routes, each answer with the security headers.
fn router(portal: Arc<Portal>) -> Router {
    Router::new()
        .route("/", get(pages::start))
        .route("/language", get(pages::language).post(pages::choose_language))
        .route("/activate", get(pages::activate).post(pages::activate_post))
        .route("/sign-in", get(pages::sign_in).post(pages::sign_in_post))
        .route("/sign-out", axum::routing::post(pages::sign_out))
        .route("/me", get(pages::me))
        .route("/record", get(pages::record))
        .route("/claims", get(claims::list))
        .route("/statement", get(pages::statement))
        .route("/statement/download", get(pages::statement_download))
        .route("/statement/print", get(pages::statement_print))
        .route("/verify", get(verify::page))
        .route("/settings", get(pages::settings))
        .route("/settings/sign-out-everywhere", axum::routing::post(pages::sign_out_everywhere))
        .route("/settings/passkey", axum::routing::post(passkeys::add))
        .route("/settings/replace-credential", axum::routing::post(pages::replace_credential))
        .route("/settings/consent", axum::routing::post(pages::change_consent))
        .route("/settings/passkey/begin", axum::routing::post(passkeys::begin))
        .route("/sign-in/passkey", axum::routing::post(passkeys::sign_in))
        .route("/sign-in/passkey/challenge", axum::routing::post(passkeys::challenge))
        .route("/static/passkey.js", get(passkeys::script))
        .route("/claims/new", get(claims::start))
        .route("/claims/new/check", get(claims::check).post(claims::send))
        .route(
            "/claims/new/evidence",
            get(|state, headers| {
                claims::question(state, axum::extract::Path("evidence".to_owned()), headers)
            })
            .post(claims::evidence)
            .layer(axum::extract::DefaultBodyLimit::max(claims::EVIDENCE_BYTES_MAX + FORM_BYTES_MAX)),
        )
        .route("/claims/new/{step}", get(claims::question).post(claims::answer))
        .route(
            "/claims/{seq}/appeal",
            axum::routing::post(claims::appeal)
                .layer(axum::extract::DefaultBodyLimit::max(claims::EVIDENCE_BYTES_MAX + FORM_BYTES_MAX)),
        )
        .route("/static/portal.css", get(pages::stylesheet))
        .route("/static/activate.js", get(pages::activate_script))
        .route("/static/verify.js", get(verify::script))
        .route("/static/verify-lib.js", get(verify::library))
        .route("/static/evidence.js", get(claims::evidence_script))
        .fallback(pages::not_found)
        .with_state(portal)
        .layer(axum::middleware::map_response(|response| async { web::secure(response) }))
        .layer(axum::extract::DefaultBodyLimit::max(FORM_BYTES_MAX))
        .layer(tower::limit::ConcurrencyLimitLayer::new(REQUESTS_IN_FLIGHT_MAX))
}

/// Listens on the configured address (port 0 picks a free one) and serves.
pub async fn start(config: PortalConfig) -> Result<RunningPortal, PortalError> {
    let messages = i18n::Messages::load()?;
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{}", config.ledger))
        .map_err(|error| PortalError::Ledger { address: config.ledger.clone(), error: error.to_string() })?;
    let channel = endpoint.connect_lazy();
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|error| PortalError::Listen { address: config.listen, error })?;
    let address =
        listener.local_addr().map_err(|error| PortalError::Listen { address: config.listen, error })?;
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).map_err(|error| PortalError::Ledger {
        address: config.ledger.clone(),
        error: format!("no randomness for the form tokens: {error}"),
    })?;
    let portal = Arc::new(Portal {
        messages,
        channel,
        secret,
        sessions: web::Sessions::new(config.session_idle_max),
        throttle: web::Throttle::new(config.sign_in_rate),
        verifier_key: config.verifier_key,
        cosigner_keys: config.cosigner_keys,
        public_url: match config.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{address}"),
        },
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let listener = Capped { listener, permits: Arc::new(Semaphore::new(CONNECTIONS_MAX)) };
    let app = router(portal);
    let task = tokio::spawn(async move {
        let app = app.into_make_service_with_connect_info::<Peer>();
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await;
        if let Err(error) = served {
            tracing::error!(%error, "the portal stopped");
        }
    });
    tracing::info!(%address, "portal serving");
    Ok(RunningPortal { address, stop: Some(stop), task })
}

/// A listener that holds at most [`CONNECTIONS_MAX`] connections open; the next waits in the
/// kernel's backlog until one closes.
struct Capped {
    listener: TcpListener,
    permits: Arc<Semaphore>,
}

impl axum::serve::Listener for Capped {
    type Io = CappedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok(permit) = self.permits.clone().acquire_owned().await else {
                // The semaphore is never closed; should it be, wait rather than spin.
                std::future::pending::<()>().await;
                continue;
            };
            match self.listener.accept().await {
                Ok((stream, address)) => {
                    let _ = stream.set_nodelay(true);
                    return (CappedStream { stream, _permit: permit }, address);
                }
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(error) => {
                    tracing::warn!(%error, "the portal could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// The address a request's connection comes from.
#[derive(Clone, Copy, Debug)]
pub struct Peer(pub SocketAddr);

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Capped>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, Capped>) -> Peer {
        Peer(*stream.remote_addr())
    }
}

/// A connection holding one of the listener's permits until it closes.
struct CappedStream {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
}

impl tokio::io::AsyncRead for CappedStream {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl tokio::io::AsyncWrite for CappedStream {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
