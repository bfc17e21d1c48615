//! Raft's messages between replicas, over gRPC (`proto/ledger/v1/replica.proto`): each request
//! and each answer is openraft's own type encoded with postcard in one bytes field.
//!
//! A replica's messages can rewrite another replica's raft log (an AppendEntries truncates a
//! conflicting tail), so every call carries the cluster's secret as a bearer token, and a call
//! without it is refused before anything is decoded. Messages are bounded
//! ([`REPLICA_MESSAGE_BYTES_MAX`], and raft sends at most [`ENTRIES_PER_MESSAGE_MAX`] entries at
//! once); a call waits at most what raft allows it ([`RPCOption::hard_ttl`]).

use std::time::Duration;

use ledger_proto::replica::replica_client::ReplicaClient;
use ledger_proto::replica::replica_server::{Replica, ReplicaServer};
use ledger_proto::replica::{
    AddMemberRequest, CosignRequest, CosignResponse, MemberStatus, MembersRequest, MembersResponse,
    RaftMessage, RemoveMemberRequest,
};
use openraft::error::{
    ClientWriteError, InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, Unreachable,
};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    VoteRequest, VoteResponse,
};
use openraft::Raft;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use tonic::{Request, Response, Status};

use crate::{LedgerRaft, Member, NodeId};

/// What a replica needs to cosign the leader's checkpoints: its ledger (which holds its replica
/// key) and the log's verifier key.
#[derive(Clone, Debug)]
pub struct Cosigning {
    pub ledger: ledger_store::Ledger,
    pub log: ledger_core::checkpoint::Verifier,
}

/// Largest raft message a replica sends or takes, in bytes.
pub const REPLICA_MESSAGE_BYTES_MAX: usize = 64 * 1024 * 1024;
/// Most entries raft puts in one AppendEntries: an entry holds up to a whole group commit.
pub const ENTRIES_PER_MESSAGE_MAX: u64 = 8;
/// Longest a new member may take to catch up with the log as a learner before it is made a
/// voter; the leader gives up on adding it after this (it stays a learner, and can be added again).
pub const MEMBER_CATCH_UP_MAX: Duration = Duration::from_secs(600);
/// Longest an address of a member may be, in bytes.
pub const MEMBER_ADDRESS_LEN_MAX: usize = 256;
/// How long a replica waits to connect to another.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// The cluster's shared secret, as every replica holds it: the header its calls carry, and the
/// digest a call's header is compared with.
#[derive(Clone)]
pub struct ClusterSecret {
    header: MetadataValue<Ascii>,
    digest: [u8; 32],
}

impl std::fmt::Debug for ClusterSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClusterSecret(..)")
    }
}

impl ClusterSecret {
    /// At least 32 printable characters; the cluster's configuration keeps it in a file readable
    /// only by the ledger's user.
    pub fn new(token: &str) -> Result<ClusterSecret, String> {
        let token = token.trim();
        if token.len() < 32 || !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err("a cluster secret is at least 32 printable characters".into());
        }
        let header = format!("Bearer {token}")
            .parse()
            .map_err(|_| "the cluster secret is not a header value".to_owned())?;
        Ok(ClusterSecret { header, digest: ledger_core::sha256(token.as_bytes()) })
    }

    fn admits(&self, header: Option<&str>) -> bool {
        header
            .and_then(|value| value.strip_prefix("Bearer "))
            .is_some_and(|token| ledger_core::sha256(token.as_bytes()) == self.digest)
    }

    /// Puts the secret on a call to another replica.
    fn authorize<M>(&self, request: &mut Request<M>) {
        request.metadata_mut().insert("authorization", self.header.clone());
    }
}

/// A client of the replica at `address`, with the message bounds; its connection leaves from
/// `local` when given (the address this replica listens on), so that the other replicas (and
/// any proxy between them) see which replica calls.
async fn connect_from(
    address: &str,
    local: Option<std::net::IpAddr>,
) -> Result<ReplicaClient<Channel>, tonic::transport::Error> {
    let channel = Endpoint::from_shared(format!("http://{address}"))?
        .connect_timeout(CONNECT_TIMEOUT)
        .local_address(local)
        .connect()
        .await?;
    Ok(ReplicaClient::new(channel)
        .max_decoding_message_size(REPLICA_MESSAGE_BYTES_MAX)
        .max_encoding_message_size(REPLICA_MESSAGE_BYTES_MAX))
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(value).map_err(|error| error.to_string())
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|error| error.to_string())
}

/// The replica service of one node: raft's messages from the others, handed to its raft, and the
/// leader's checkpoints to cosign.
#[derive(Clone)]
pub struct ReplicaService {
    raft: Raft<LedgerRaft>,
    secret: ClusterSecret,
    cosigning: Option<Cosigning>,
}

impl std::fmt::Debug for ReplicaService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReplicaService")
    }
}

impl ReplicaService {
    pub fn new(
        raft: Raft<LedgerRaft>,
        secret: ClusterSecret,
        cosigning: Option<Cosigning>,
    ) -> ReplicaServer<ReplicaService> {
        ReplicaServer::new(ReplicaService { raft, secret, cosigning })
            .max_decoding_message_size(REPLICA_MESSAGE_BYTES_MAX)
            .max_encoding_message_size(REPLICA_MESSAGE_BYTES_MAX)
    }

    fn authenticate<M>(&self, request: &Request<M>) -> Result<(), Status> {
        let header = request.metadata().get("authorization").and_then(|value| value.to_str().ok());
        match self.secret.admits(header) {
            true => Ok(()),
            false => Err(Status::unauthenticated("not a replica of this cluster")),
        }
    }

    fn admit<T>(&self, request: Request<RaftMessage>) -> Result<T, Status>
    where
        T: DeserializeOwned,
    {
        self.authenticate(&request)?;
        decode(&request.into_inner().body)
            .map_err(|error| Status::invalid_argument(format!("not a raft message: {error}")))
    }
}

fn answer<T: Serialize>(result: &T) -> Result<Response<RaftMessage>, Status> {
    let body = encode(result)
        .map_err(|error| Status::internal(format!("an answer that does not encode: {error}")))?;
    Ok(Response::new(RaftMessage { body }))
}

#[tonic::async_trait]
impl Replica for ReplicaService {
    async fn append_entries(&self, request: Request<RaftMessage>) -> Result<Response<RaftMessage>, Status> {
        let request: AppendEntriesRequest<LedgerRaft> = self.admit(request)?;
        answer(&self.raft.append_entries(request).await)
    }

    async fn vote(&self, request: Request<RaftMessage>) -> Result<Response<RaftMessage>, Status> {
        let request: VoteRequest<NodeId> = self.admit(request)?;
        answer(&self.raft.vote(request).await)
    }

    async fn install_snapshot(&self, request: Request<RaftMessage>) -> Result<Response<RaftMessage>, Status> {
        let request: InstallSnapshotRequest<LedgerRaft> = self.admit(request)?;
        answer(&self.raft.install_snapshot(request).await)
    }

    async fn cosign(&self, request: Request<CosignRequest>) -> Result<Response<CosignResponse>, Status> {
        self.authenticate(&request)?;
        let Some(Cosigning { ledger, log }) = self.cosigning.clone() else {
            return Err(Status::failed_precondition("this replica cosigns nothing"));
        };
        let note = request.into_inner().checkpoint;
        let cosigned = tokio::task::spawn_blocking(move || ledger.cosign_checkpoint(&log, &note))
            .await
            .map_err(|error| Status::internal(error.to_string()))?;
        match cosigned {
            Ok(cosignature) => Ok(Response::new(CosignResponse { cosignature })),
            Err(ledger_store::StoreError::FailedPrecondition(why)) => Err(Status::failed_precondition(why)),
            Err(other) => Err(Status::unavailable(other.to_string())),
        }
    }

    async fn members(&self, request: Request<MembersRequest>) -> Result<Response<MembersResponse>, Status> {
        self.authenticate(&request)?;
        Ok(Response::new(ReplicaService::members(self)))
    }

    async fn add_member(
        &self,
        request: Request<AddMemberRequest>,
    ) -> Result<Response<MembersResponse>, Status> {
        self.authenticate(&request)?;
        let AddMemberRequest { id, replica, api } = request.into_inner();
        let (id, member) = member_of(id, replica, api)?;
        // A learner first: it takes the log without counting in commits, and the call returns once
        // it has caught up; then a voter.
        let learner =
            tokio::time::timeout(MEMBER_CATCH_UP_MAX, self.raft.add_learner(id, member, true)).await;
        match learner {
            Err(_) => {
                return Err(Status::deadline_exceeded(format!(
                    "node {id} did not catch up within {} s; it stays a learner",
                    MEMBER_CATCH_UP_MAX.as_secs()
                )))
            }
            Ok(added) => added.map_err(membership_refused)?,
        };
        let voters = std::collections::BTreeSet::from([id]);
        self.raft
            .change_membership(openraft::ChangeMembers::AddVoterIds(voters), false)
            .await
            .map_err(membership_refused)?;
        Ok(Response::new(ReplicaService::members(self)))
    }

    async fn remove_member(
        &self,
        request: Request<RemoveMemberRequest>,
    ) -> Result<Response<MembersResponse>, Status> {
        self.authenticate(&request)?;
        let id = request.into_inner().id;
        let known = ReplicaService::members(self)
            .members
            .iter()
            .find(|member| member.id == id)
            .map(|member| member.voter);
        let ids = std::collections::BTreeSet::from([id]);
        let change = match known {
            None => return Err(Status::not_found(format!("id: node {id} is not a member"))),
            // Removed as a voter, and from the cluster altogether (retain: false).
            Some(true) => openraft::ChangeMembers::RemoveVoters(ids),
            Some(false) => openraft::ChangeMembers::RemoveNodes(ids),
        };
        self.raft.change_membership(change, false).await.map_err(membership_refused)?;
        Ok(Response::new(ReplicaService::members(self)))
    }
}

/// An operator's client of one replica's membership calls (`ledger cluster`).
#[derive(Debug)]
pub struct Admin {
    client: ReplicaClient<Channel>,
    secret: ClusterSecret,
}

impl Admin {
    pub async fn connect(address: &str, secret: ClusterSecret) -> Result<Admin, String> {
        let client = connect(address).await.map_err(|error| format!("cannot reach {address}: {error}"))?;
        Ok(Admin { client, secret })
    }

    fn request<M>(&self, message: M) -> Request<M> {
        let mut request = Request::new(message);
        self.secret.authorize(&mut request);
        request
    }

    pub async fn members(&mut self) -> Result<MembersResponse, Status> {
        let request = self.request(MembersRequest {});
        Ok(self.client.members(request).await?.into_inner())
    }

    pub async fn add(&mut self, id: NodeId, member: Member) -> Result<MembersResponse, Status> {
        let request = self.request(AddMemberRequest { id, replica: member.replica, api: member.api });
        Ok(self.client.add_member(request).await?.into_inner())
    }

    pub async fn remove(&mut self, id: NodeId) -> Result<MembersResponse, Status> {
        let request = self.request(RemoveMemberRequest { id });
        Ok(self.client.remove_member(request).await?.into_inner())
    }
}

impl ReplicaService {
    /// The membership as this replica's raft sees it.
    fn members(&self) -> MembersResponse {
        let metrics = self.raft.metrics().borrow().clone();
        let membership = metrics.membership_config.membership();
        let voters: std::collections::BTreeSet<NodeId> = membership.voter_ids().collect();
        MembersResponse {
            leader: metrics.current_leader.unwrap_or(0),
            term: metrics.current_term,
            members: membership
                .nodes()
                .map(|(id, member)| MemberStatus {
                    id: *id,
                    replica: member.replica.clone(),
                    api: member.api.clone(),
                    voter: voters.contains(id),
                })
                .collect(),
            answered_by: metrics.id,
            last_applied: metrics.last_applied.map_or(0, |applied| applied.index),
        }
    }
}

/// A refused membership change in words an operator acts on; a follower names the leader.
fn membership_refused(error: RaftError<NodeId, ClientWriteError<NodeId, Member>>) -> Status {
    match error {
        RaftError::APIError(ClientWriteError::ForwardToLeader(forward)) => match forward.leader_node {
            Some(leader) => Status::failed_precondition(format!(
                "only the leader changes the membership: ask node {} at {}",
                forward.leader_id.unwrap_or_default(),
                leader.replica
            )),
            None => Status::unavailable("no leader is elected yet: retry shortly"),
        },
        RaftError::APIError(ClientWriteError::ChangeMembershipError(error)) => {
            Status::failed_precondition(error.to_string())
        }
        RaftError::Fatal(fatal) => Status::unavailable(format!("raft has stopped on this replica: {fatal}")),
    }
}

fn member_of(id: u64, replica: String, api: String) -> Result<(NodeId, Member), Status> {
    if id == 0 {
        return Err(Status::invalid_argument("id: a member's id is at least 1"));
    }
    for (field, address) in [("replica", &replica), ("api", &api)] {
        let valid = !address.is_empty()
            && address.len() <= MEMBER_ADDRESS_LEN_MAX
            && address.contains(':')
            && address.chars().all(|c| c.is_ascii_graphic());
        if !valid {
            return Err(Status::invalid_argument(format!(
                "{field}: HOST:PORT of at most {MEMBER_ADDRESS_LEN_MAX} characters"
            )));
        }
    }
    Ok((id, Member { replica, api }))
}

/// Asks every replica at `addresses` to cosign `note`, at once, each within `wait`: the
/// cosignature lines that came back, and for each replica that gave none, why.
pub async fn gather_cosignatures(
    secret: &ClusterSecret,
    addresses: &[(NodeId, String)],
    note: &str,
    wait: Duration,
) -> (Vec<String>, Vec<(NodeId, String)>) {
    let asks = addresses.iter().map(|(id, address)| {
        let (secret, note) = (secret.clone(), note.to_owned());
        let (id, address) = (*id, address.clone());
        async move {
            let asked = async {
                let mut client = connect(&address).await.map_err(|error| error.to_string())?;
                let mut request = Request::new(CosignRequest { checkpoint: note });
                secret.authorize(&mut request);
                let answer = client.cosign(request).await.map_err(|status| status.message().to_owned())?;
                Ok::<String, String>(answer.into_inner().cosignature)
            };
            let answer =
                tokio::time::timeout(wait, asked).await.unwrap_or_else(|_| Err("no answer in time".into()));
            (id, answer)
        }
    });
    let (mut lines, mut missing) = (Vec::new(), Vec::new());
    for (id, answer) in join_all(asks).await {
        match answer {
            Ok(line) => lines.push(line),
            Err(why) => missing.push((id, why)),
        }
    }
    (lines, missing)
}

/// Runs the futures together and gives their outputs in order.
async fn join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::with_capacity(handles.len());
    for handle in handles {
        if let Ok(output) = handle.await {
            outputs.push(output);
        }
    }
    outputs
}

/// A client of the replica at `address`, from any local address.
async fn connect(address: &str) -> Result<ReplicaClient<Channel>, tonic::transport::Error> {
    connect_from(address, None).await
}

/// Connects a replica's raft to the others, by the addresses in the cluster's membership.
#[derive(Clone, Debug)]
pub struct Network {
    secret: ClusterSecret,
    local: Option<std::net::IpAddr>,
}

impl Network {
    /// Raft's connections to the other replicas, carrying `secret`, each leaving from `local`
    /// when given.
    pub fn new(secret: ClusterSecret, local: Option<std::net::IpAddr>) -> Network {
        Network { secret, local }
    }
}

/// The connection to one other replica; connected lazily, again after a failure.
#[derive(Debug)]
pub struct Peer {
    target: NodeId,
    address: String,
    secret: ClusterSecret,
    local: Option<std::net::IpAddr>,
    client: Option<ReplicaClient<Channel>>,
}

impl RaftNetworkFactory<LedgerRaft> for Network {
    type Network = Peer;

    async fn new_client(&mut self, target: NodeId, node: &Member) -> Peer {
        Peer {
            target,
            address: node.replica.clone(),
            secret: self.secret.clone(),
            local: self.local,
            client: None,
        }
    }
}

type Failure<E> = RPCError<NodeId, Member, RaftError<NodeId, E>>;

impl Peer {
    /// Sends one message and decodes the answer, or says why the peer could not be reached.
    async fn call<Q, A, E>(
        &mut self,
        method: Method,
        request: &Q,
        option: &RPCOption,
    ) -> Result<A, Failure<E>>
    where
        Q: Serialize,
        A: DeserializeOwned,
        E: std::error::Error + DeserializeOwned,
    {
        let network = |why: String| RPCError::Network(NetworkError::new(&std::io::Error::other(why)));
        let body = encode(request).map_err(network)?;
        let client = match &mut self.client {
            Some(client) => client,
            None => {
                let client = connect_from(&self.address, self.local).await.map_err(|error| {
                    RPCError::Unreachable(Unreachable::new(&std::io::Error::other(error.to_string())))
                })?;
                self.client.insert(client)
            }
        };
        let mut call = Request::new(RaftMessage { body });
        call.set_timeout(option.hard_ttl());
        self.secret.authorize(&mut call);
        let answered = match method {
            Method::AppendEntries => client.append_entries(call).await,
            Method::Vote => client.vote(call).await,
            Method::InstallSnapshot => client.install_snapshot(call).await,
        };
        let answer = match answered {
            Ok(answer) => answer.into_inner(),
            Err(status) => {
                // The connection is dropped and made again on the next call.
                self.client = None;
                return Err(match status.code() {
                    tonic::Code::Unavailable => RPCError::Unreachable(Unreachable::new(
                        &std::io::Error::other(status.message().to_owned()),
                    )),
                    _ => network(format!("{}: {}", status.code(), status.message())),
                });
            }
        };
        let result: Result<A, RaftError<NodeId, E>> = decode(&answer.body).map_err(network)?;
        result.map_err(|error| RPCError::RemoteError(RemoteError::new(self.target, error)))
    }
}

#[derive(Clone, Copy, Debug)]
enum Method {
    AppendEntries,
    Vote,
    InstallSnapshot,
}

impl RaftNetwork<LedgerRaft> for Peer {
    async fn append_entries(
        &mut self,
        request: AppendEntriesRequest<LedgerRaft>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<NodeId>, Failure<openraft::error::Infallible>> {
        self.call(Method::AppendEntries, &request, &option).await
    }

    async fn install_snapshot(
        &mut self,
        request: InstallSnapshotRequest<LedgerRaft>,
        option: RPCOption,
    ) -> Result<InstallSnapshotResponse<NodeId>, Failure<InstallSnapshotError>> {
        self.call(Method::InstallSnapshot, &request, &option).await
    }

    async fn vote(
        &mut self,
        request: VoteRequest<NodeId>,
        option: RPCOption,
    ) -> Result<VoteResponse<NodeId>, Failure<openraft::error::Infallible>> {
        self.call(Method::Vote, &request, &option).await
    }
}
