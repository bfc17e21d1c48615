//! Connecting to a ledger as a client: a bearer-token interceptor and typed clients for the three
//! services, over plain TCP or TLS. Used by the command line, the portal, the benchmark and the
//! tests.

use ledger_proto::v1 as pb;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::interceptor::InterceptedService;
use tonic::service::Interceptor;
use tonic::transport::{Channel, Endpoint};

/// Adds `authorization: Bearer <token>` to every request.
#[derive(Clone, Debug)]
pub struct Bearer(MetadataValue<Ascii>);

impl Bearer {
    pub fn new(token: &str) -> Result<Bearer, tonic::metadata::errors::InvalidMetadataValue> {
        format!("Bearer {token}").parse().map(Bearer)
    }

    /// A bearer of no one, which the ledger refuses as unauthenticated: what stands in for a token
    /// that is not a valid header value.
    pub fn nobody() -> Bearer {
        Bearer(MetadataValue::from_static("Bearer -"))
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        request.metadata_mut().insert("authorization", self.0.clone());
        Ok(request)
    }
}

pub type Authed = InterceptedService<Channel, Bearer>;
pub type AgencyClient = pb::agency_service_client::AgencyServiceClient<Authed>;
pub type WorkerClient = pb::worker_service_client::WorkerServiceClient<Authed>;
pub type AuditClient = pb::audit_service_client::AuditServiceClient<Authed>;
pub type AppealClient = pb::appeal_service_client::AppealServiceClient<Authed>;
/// Signing in takes no token: the answer is one.
pub type SignInClient = pb::sign_in_service_client::SignInServiceClient<Channel>;

/// Connects to `http://address` to sign a worker in.
pub async fn connect_sign_in(address: &str) -> Result<SignInClient, Error> {
    let channel = Endpoint::from_shared(format!("http://{address}"))?.connect().await?;
    Ok(SignInClient::new(channel))
}

/// The clients of every authenticated service over one connection.
#[derive(Clone, Debug)]
pub struct Clients {
    pub agency: AgencyClient,
    pub worker: WorkerClient,
    pub audit: AuditClient,
    pub appeal: AppealClient,
}

type Error = Box<dyn std::error::Error + Send + Sync>;

/// TLS settings of a client: the CA that signed the server's certificate, the name on it, and
/// the client's own certificate and key for mutual TLS.
#[derive(Clone, Debug, Default)]
pub struct ClientTls {
    pub ca_pem: Vec<u8>,
    pub domain: String,
    pub identity_pem: Option<(Vec<u8>, Vec<u8>)>,
}

/// Connects to `http://address` and authenticates every call with `token`.
pub async fn connect(address: &str, token: &str) -> Result<Clients, Error> {
    let channel = Endpoint::from_shared(format!("http://{address}"))?.connect().await?;
    clients(channel, token)
}

/// Connects to `http://address` from the local address `from` (one of several of this host), and
/// authenticates every call with `token`.
pub async fn connect_from(address: &str, token: &str, from: std::net::IpAddr) -> Result<Clients, Error> {
    let channel =
        Endpoint::from_shared(format!("http://{address}"))?.local_address(Some(from)).connect().await?;
    clients(channel, token)
}

/// Connects to `https://address` over TLS and authenticates every call with `token`.
pub async fn connect_tls(address: &str, token: &str, tls: &ClientTls) -> Result<Clients, Error> {
    let mut config = tonic::transport::ClientTlsConfig::new()
        .ca_certificate(tonic::transport::Certificate::from_pem(&tls.ca_pem))
        .domain_name(tls.domain.clone());
    if let Some((cert, key)) = &tls.identity_pem {
        config = config.identity(tonic::transport::Identity::from_pem(cert, key));
    }
    let channel = Endpoint::from_shared(format!("https://{address}"))?.tls_config(config)?.connect().await?;
    clients(channel, token)
}

fn clients(channel: Channel, token: &str) -> Result<Clients, Error> {
    let bearer = Bearer::new(token)?;
    Ok(Clients {
        agency: pb::agency_service_client::AgencyServiceClient::with_interceptor(
            channel.clone(),
            bearer.clone(),
        ),
        worker: pb::worker_service_client::WorkerServiceClient::with_interceptor(
            channel.clone(),
            bearer.clone(),
        ),
        audit: pb::audit_service_client::AuditServiceClient::with_interceptor(
            channel.clone(),
            bearer.clone(),
        ),
        appeal: pb::appeal_service_client::AppealServiceClient::with_interceptor(channel, bearer),
    })
}

/// A worker's statement as read, page by page.
#[derive(Debug, Default)]
pub struct Statement {
    pub entries: Vec<pb::StatementEntry>,
    /// The checkpoint and tree size of the last page read.
    pub checkpoint: String,
    pub tree_size: u64,
    /// Pages read after the first: their entries were proved against smaller trees.
    pub later_pages: usize,
    /// Whether entries were left unread at the bound asked for.
    pub truncated: bool,
}

/// The statement of `worker_id`, oldest first, page after page until it ends or holds at least
/// `entries_max` entries.
pub async fn read_statement(
    worker: &mut WorkerClient,
    worker_id: &str,
    entries_max: usize,
) -> Result<Statement, tonic::Status> {
    let mut statement = Statement::default();
    let mut from_seq = 0;
    loop {
        let request =
            pb::GetStatementRequest { worker_id: worker_id.to_owned(), from_seq, ..Default::default() };
        let page = worker.get_statement(request).await?.into_inner();
        statement.entries.extend(page.entries);
        statement.checkpoint = page.checkpoint;
        statement.tree_size = page.tree_size;
        match page.next_from_seq {
            Some(next) if statement.entries.len() < entries_max => {
                statement.later_pages += 1;
                from_seq = next;
            }
            Some(_) => {
                statement.truncated = true;
                return Ok(statement);
            }
            None => return Ok(statement),
        }
    }
}

/// The portable statement of a statement read whole: every entry proved against the last page's
/// checkpoint (the entries of earlier pages are proved again against it, one call each), so that
/// one checkpoint covers the whole file.
pub async fn portable_statement(
    audit: &mut AuditClient,
    worker_id: &str,
    mut statement: Statement,
) -> Result<ledger_verify::StatementFile, tonic::Status> {
    if statement.truncated {
        return Err(tonic::Status::resource_exhausted("the statement was not read whole"));
    }
    if statement.later_pages > 0 {
        for entry in &mut statement.entries {
            let seq = entry.receipt.as_ref().map_or(0, |receipt| receipt.seq);
            let request = pb::GetInclusionProofRequest { seq, tree_size: statement.tree_size };
            entry.inclusion_proof = audit.get_inclusion_proof(request).await?.into_inner().proof;
        }
    }
    let entries = statement
        .entries
        .iter()
        .map(|entry| {
            let seq = entry.receipt.as_ref().map_or(0, |receipt| receipt.seq);
            ledger_verify::StatementFileEntry::new(seq, &entry.record, &entry.inclusion_proof)
        })
        .collect();
    Ok(ledger_verify::StatementFile::new(worker_id, &statement.checkpoint, statement.tree_size, entries))
}
