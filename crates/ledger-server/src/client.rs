//! Connecting to a ledger as a client: a bearer-token interceptor and typed clients for the three
//! services. Used by the command line, the benchmark and the end-to-end tests.

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

/// The three clients over one connection.
#[derive(Clone, Debug)]
pub struct Clients {
    pub agency: AgencyClient,
    pub worker: WorkerClient,
    pub audit: AuditClient,
}

/// Connects to `http://address` and authenticates every call with `token`.
pub async fn connect(
    address: &str,
    token: &str,
) -> Result<Clients, Box<dyn std::error::Error + Send + Sync>> {
    let channel = Endpoint::from_shared(format!("http://{address}"))?.connect().await?;
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
        audit: pb::audit_service_client::AuditServiceClient::with_interceptor(channel, bearer),
    })
}
