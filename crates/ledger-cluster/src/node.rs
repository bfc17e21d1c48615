//! One replica in its cluster: raft started over the replica's ledger, and the proposer that
//! carries each group the ledger's writer builds to raft.
//!
//! The writer proposes a group as one encoded append ([`Proposal`]) and waits; the proposer gives
//! it to raft ([`Raft::client_write`]), which answers once a majority holds the entry on disk and
//! this replica's state machine applied it (the writer itself wrote it then, as raft applied it).
//! Raft's refusals become the store's: a follower names the leader ([`StoreError::NotLeader`]),
//! an append that no longer extends the head is retried by the client, and a proposal raft does
//! not commit in [`PROPOSAL_WAIT_MAX`] is answered UNAVAILABLE (it may still be committed later; a
//! retry with the same request id gets its receipts once, whichever happens).
//!
//! A single node is a cluster of one through this same code: `ledger serve` starts one with
//! nothing to configure, and it elects itself at once.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ledger_store::{Ledger, Proposal, StoreError};
use openraft::error::{ClientWriteError, RaftError};
use openraft::Raft;
use tokio::sync::mpsc;

use crate::log_store::LogStore;
use crate::network::{ClusterSecret, Network};
use crate::state_machine::{raft_config, Compaction, Snapshots, StateMachine, Timing};
use crate::{AppendBytes, Applied, LedgerRaft, Member, NodeId};

/// Longest a proposal waits for raft to commit and apply it before its commands are answered
/// UNAVAILABLE: a leader cut off from the majority cannot commit, and its clients should retry
/// elsewhere (where another leader is elected within about as long) rather than wait for the
/// partition to heal. A healthy cluster commits a full group in well under a second.
pub const PROPOSAL_WAIT_MAX: Duration = Duration::from_secs(3);
/// Longest a starting replica waits for its cluster to elect a leader and for the leader to have
/// applied what it committed.
pub const LEADER_WAIT_MAX: Duration = Duration::from_secs(60);
/// Longest a linearizable read waits for a majority to confirm the leader and for the ledger to
/// apply what was committed before it.
pub const READ_CONFIRM_WAIT_MAX: Duration = Duration::from_secs(2);
/// The directory of the raft log, under the data directory.
pub const RAFT_DIR: &str = "raft";

/// How one replica starts.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    pub id: NodeId,
    /// Names the cluster in raft's messages; every member has the same.
    pub cluster_name: String,
    /// Where the raft log is kept.
    pub raft_dir: PathBuf,
    /// The members the cluster starts with, used only the first time a member starts, and only
    /// by a member among them: it initializes the cluster with them (every one of them may, with
    /// the same list). A node not among them waits to be added (`ledger cluster add`). Afterwards
    /// the membership is raft's own.
    pub members: BTreeMap<NodeId, Member>,
    /// The secret every call between replicas carries.
    pub secret: ClusterSecret,
    /// The local address raft's connections to the other replicas leave from; any when absent.
    pub source: Option<std::net::IpAddr>,
    /// Raft's heartbeat and election timers.
    pub timing: Timing,
    /// When snapshots are taken and the raft log purged.
    pub compaction: Compaction,
}

impl NodeConfig {
    /// A cluster of one in `data_dir`, as `ledger serve` runs with no cluster configured: no other
    /// replica ever calls it, so its secret is random and kept nowhere.
    pub fn alone(data_dir: &std::path::Path, api: &str) -> Result<NodeConfig, NodeError> {
        let mut random = [0u8; 32];
        getrandom::fill(&mut random).map_err(|error| NodeError::Start(error.to_string()))?;
        let token: String = random.iter().map(|byte| format!("{byte:02x}")).collect();
        Ok(NodeConfig {
            id: 1,
            cluster_name: "ledger".to_owned(),
            raft_dir: data_dir.join(RAFT_DIR),
            members: BTreeMap::from([(1, Member::new("", api))]),
            secret: ClusterSecret::new(&token).map_err(NodeError::Start)?,
            source: None,
            timing: Timing::default(),
            compaction: Compaction::default(),
        })
    }
}

/// Why a replica did not start.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    #[error("the raft log in {path} cannot be opened: {error}")]
    Log { path: String, error: std::io::Error },
    #[error("the ledger's raft state cannot be read: {0}")]
    State(#[from] StoreError),
    #[error("raft did not start: {0}")]
    Start(String),
    #[error("no leader was elected within {} s", LEADER_WAIT_MAX.as_secs())]
    NoLeader,
}

/// A replica running in its cluster. Cheap to clone; all clones are the same replica.
#[derive(Clone)]
pub struct Node {
    id: NodeId,
    raft: Raft<LedgerRaft>,
    ledger: Ledger,
    proposer: Arc<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node").field("id", &self.id).finish()
    }
}

impl Node {
    /// Starts raft over `ledger`, which was opened to follow (`follows`) and to propose its groups
    /// to `proposals`' sender. The first time, the cluster is initialized with the configured
    /// members; a member that is the only voter elects itself at once.
    pub async fn start(
        config: NodeConfig,
        ledger: Ledger,
        proposals: mpsc::Receiver<Proposal>,
    ) -> Result<Node, NodeError> {
        let log = LogStore::open(&config.raft_dir)
            .map_err(|error| NodeError::Log { path: config.raft_dir.display().to_string(), error })?;
        let snapshots = Snapshots::open(&config.raft_dir)?;
        let machine = StateMachine::open(ledger.clone(), snapshots.clone())?;
        let raft_config = Arc::new(
            raft_config(&config.cluster_name, config.timing, config.compaction)
                .map_err(|error| NodeError::Start(error.to_string()))?,
        );
        let raft = Raft::new(
            config.id,
            raft_config,
            Network::new(config.secret.clone(), config.source),
            log,
            machine,
        )
        .await
        .map_err(|error| NodeError::Start(error.to_string()))?;
        let initialized = raft.is_initialized().await.map_err(|error| NodeError::Start(error.to_string()))?;
        let joining = !initialized && !config.members.contains_key(&config.id);
        if joining && ledger.head().size > 0 {
            // Raft would give it the cluster's log from the first entry, which does not extend
            // what it holds: every append would be refused here, and the replica would diverge.
            return Err(NodeError::Start(format!(
                "this replica joins a cluster but its ledger already holds {} events: start it on an \
                 empty data directory",
                ledger.head().size
            )));
        }
        if !initialized && config.members.contains_key(&config.id) {
            raft.initialize(config.members.clone())
                .await
                .map_err(|error| NodeError::Start(error.to_string()))?;
        }
        let alone = {
            let metrics = raft.metrics().borrow().clone();
            let voters: Vec<NodeId> = metrics.membership_config.membership().voter_ids().collect();
            voters == [config.id]
        };
        if alone {
            // No one else can vote: waiting for an election timeout would only delay the start.
            raft.trigger().elect().await.map_err(|error| NodeError::Start(error.to_string()))?;
        }
        ledger.set_leading(false);
        tokio::spawn(follow_leadership(raft.clone(), config.id, ledger.clone()));
        // A replica without the log's key cannot sign a snapshot's checkpoint: it takes none.
        if ledger.log_verifier().is_some() {
            tokio::spawn(compact(raft.clone(), ledger.clone(), config.compaction, snapshots));
        }
        let proposer = Arc::new(tokio::spawn(propose(raft.clone(), config.timing, proposals)));
        Ok(Node { id: config.id, raft, ledger, proposer })
    }

    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The raft of this replica, for its replica service.
    pub fn raft(&self) -> &Raft<LedgerRaft> {
        &self.raft
    }

    /// Waits until a leader is elected and, when it is this replica, until it has applied all it
    /// committed (so that the writer builds its first group on the latest head). True when this
    /// replica leads.
    pub async fn settled(&self) -> Result<bool, NodeError> {
        let leader = self
            .raft
            .wait(Some(LEADER_WAIT_MAX))
            .metrics(|metrics| metrics.current_leader.is_some(), "a leader is elected")
            .await
            .map_err(|_| NodeError::NoLeader)?
            .current_leader;
        if leader != Some(self.id) {
            return Ok(false);
        }
        match tokio::time::timeout(LEADER_WAIT_MAX, self.raft.ensure_linearizable()).await {
            Ok(Ok(_)) => {
                // Before the metrics' follower tells it, so that the caller finds it leading.
                self.ledger.set_leading(true);
                Ok(true)
            }
            // Leadership moved meanwhile.
            Ok(Err(_)) => Ok(false),
            Err(_) => Err(NodeError::NoLeader),
        }
    }

    /// Waits until a read here is linearizable: this replica leads, a majority confirms it still
    /// does, and the ledger has applied and published everything committed before the read. A
    /// follower answers [`StoreError::NotLeader`] naming the leader; all within
    /// [`READ_CONFIRM_WAIT_MAX`].
    pub async fn linearizable(&self) -> Result<(), StoreError> {
        match tokio::time::timeout(READ_CONFIRM_WAIT_MAX, self.raft.ensure_linearizable()).await {
            Ok(Ok(_)) => {}
            Ok(Err(RaftError::APIError(openraft::error::CheckIsLeaderError::ForwardToLeader(forward)))) => {
                return Err(StoreError::NotLeader { leader: forward.leader_node.map(|member| member.api) })
            }
            Ok(Err(error)) => {
                return Err(StoreError::Unavailable(format!(
                    "this replica could not confirm that it leads ({error}); retry"
                )))
            }
            Err(_) => {
                return Err(StoreError::Unavailable(format!(
                    "this replica could not confirm with a majority that it leads within {} s; retry",
                    READ_CONFIRM_WAIT_MAX.as_secs()
                )))
            }
        }
        self.ledger.settled_head(READ_CONFIRM_WAIT_MAX).await.map(|_| ())
    }

    /// Waits until this replica leads (`leading`) or no longer does; an error once raft stopped.
    pub async fn until_leading(&self, leading: bool) -> Result<(), NodeError> {
        let mut metrics = self.raft.metrics();
        loop {
            if (metrics.borrow().current_leader == Some(self.id)) == leading {
                return Ok(());
            }
            if metrics.changed().await.is_err() {
                return Err(NodeError::Start("raft has stopped".into()));
            }
        }
    }

    /// Stops raft (the proposer ends with it); the ledger is shut down after.
    pub async fn shutdown(&self) {
        if let Err(error) = self.raft.shutdown().await {
            tracing::warn!(%error, "raft did not stop cleanly");
        }
        self.proposer.abort();
    }
}

/// Tells the ledger whether this replica leads, as raft's metrics change, until raft stops.
async fn follow_leadership(raft: Raft<LedgerRaft>, id: NodeId, ledger: Ledger) {
    let mut metrics = raft.metrics();
    loop {
        let leading = metrics.borrow_and_update().current_leader == Some(id);
        ledger.set_leading(leading);
        if metrics.changed().await.is_err() {
            return;
        }
    }
}

/// Longest a replica waits for a snapshot it asked raft for before it may ask again.
pub const SNAPSHOT_BUILD_WAIT_MAX: Duration = Duration::from_secs(600);

/// Asks raft for a snapshot whenever [`Compaction::due`] says one is due, until raft stops; raft
/// then purges its log up to it, but for the entries the policy keeps.
async fn compact(raft: Raft<LedgerRaft>, ledger: Ledger, compaction: Compaction, snapshots: Snapshots) {
    let mut metrics = raft.metrics();
    let mut asked: Option<(u64, tokio::time::Instant)> = None;
    loop {
        let (applied, snapshot) = {
            let metrics = metrics.borrow_and_update();
            (metrics.last_applied.map(|id| id.index), metrics.snapshot.map(|id| id.index))
        };
        if let Some(applied) = applied {
            let since = match snapshot {
                Some(snapshot) => applied.saturating_sub(snapshot),
                None => applied + 1,
            };
            let building = asked.is_some_and(|(index, at)| {
                snapshot.is_none_or(|snapshot| snapshot < index) && at.elapsed() < SNAPSHOT_BUILD_WAIT_MAX
            });
            if !building && compaction.due(since, snapshots.size(), ledger.head().size) {
                if raft.trigger().snapshot().await.is_err() {
                    return;
                }
                asked = Some((applied, tokio::time::Instant::now()));
            }
        }
        if metrics.changed().await.is_err() {
            return;
        }
    }
}

/// Longest the leader waits for the other replicas' cosignatures of a checkpoint it signs.
pub const COSIGN_WAIT_MAX: Duration = Duration::from_millis(500);

/// Asks the other members of the cluster to cosign the checkpoints this replica signs (C2SP
/// tlog-cosignature): each cosigns only a tree it holds, verified as it appended it. The lines of
/// the last tree every member cosigned are kept, so that each tree is asked for once.
pub struct Cosigners {
    node: Node,
    secret: ClusterSecret,
    last: std::sync::Mutex<Option<(String, Vec<String>)>>,
}

impl std::fmt::Debug for Cosigners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cosigners").field("node", &self.node.id).finish()
    }
}

impl Cosigners {
    pub fn new(node: Node, secret: ClusterSecret) -> Cosigners {
        Cosigners { node, secret, last: std::sync::Mutex::new(None) }
    }

    /// The other members' cosignature lines of `note` (signed with the log's key), each asked
    /// within [`COSIGN_WAIT_MAX`]; a member that does not hold the tree yet, or does not answer
    /// in time, gives none.
    pub async fn cosign(&self, note: &str) -> Vec<String> {
        let body = note.split("\n\n").next().unwrap_or_default().to_owned();
        if let Some((cached, lines)) = self.last.lock().ok().and_then(|last| last.clone()) {
            if cached == body {
                return lines;
            }
        }
        let metrics = self.node.raft.metrics().borrow().clone();
        let others: Vec<(NodeId, String)> = metrics
            .membership_config
            .membership()
            .nodes()
            .filter(|(id, _)| **id != self.node.id)
            .map(|(id, member)| (*id, member.replica.clone()))
            .collect();
        let (lines, missing) =
            crate::network::gather_cosignatures(&self.secret, &others, note, COSIGN_WAIT_MAX).await;
        for (id, why) in &missing {
            tracing::debug!(node = id, %why, "a replica did not cosign the checkpoint");
        }
        if missing.is_empty() {
            if let Ok(mut last) = self.last.lock() {
                *last = Some((body, lines.clone()));
            }
        }
        lines
    }
}

/// Gives each proposal to raft, one at a time (the writer has one in flight), and answers it.
async fn propose(raft: Raft<LedgerRaft>, timing: Timing, mut proposals: mpsc::Receiver<Proposal>) {
    while let Some(Proposal { append, reply }) = proposals.recv().await {
        let answer = tokio::select! {
            written = tokio::time::timeout(PROPOSAL_WAIT_MAX, raft.client_write(AppendBytes(append))) => {
                answer_of(written)
            }
            silent = lost_majority(&raft, timing) => Err(silent),
        };
        let _ = reply.send(answer);
    }
}

/// Resolves once this replica, leading, finds itself cut off from a majority while a proposal
/// waits: every lease (the longest election timeout) that the proposal is not committed, the
/// leader confirms its leadership with a majority, and a lease without that confirmation means
/// another may lead by now. Its clients then go elsewhere at once rather than wait for
/// [`PROPOSAL_WAIT_MAX`]. A healthy commit takes far less than a lease, and never asks.
async fn lost_majority(raft: &Raft<LedgerRaft>, timing: Timing) -> StoreError {
    let lease = Duration::from_millis(timing.election_timeout_max_ms());
    loop {
        tokio::time::sleep(lease).await;
        match tokio::time::timeout(lease, raft.ensure_linearizable()).await {
            Ok(Ok(_)) => continue,
            Ok(Err(RaftError::APIError(openraft::error::CheckIsLeaderError::ForwardToLeader(forward)))) => {
                return StoreError::NotLeader { leader: forward.leader_node.map(|member| member.api) }
            }
            _ => {
                return StoreError::Unavailable(format!(
                    "this replica could not confirm with a majority of its cluster that it still leads \
                     within {} ms; the write may still be recorded: retry with the same request id, \
                     elsewhere",
                    lease.as_millis()
                ))
            }
        }
    }
}

type Written = Result<
    Result<
        openraft::raft::ClientWriteResponse<LedgerRaft>,
        RaftError<NodeId, ClientWriteError<NodeId, Member>>,
    >,
    tokio::time::error::Elapsed,
>;

/// The store's answer to what raft made of a proposal.
fn answer_of(written: Written) -> Result<(), StoreError> {
    match written {
        Ok(Ok(response)) => match response.data {
            Applied::Extended { .. } => Ok(()),
            Applied::Refused(reason) => Err(StoreError::NotExtending(reason)),
            Applied::Nothing => Err(StoreError::NotExtending("the entry was applied as no append".into())),
        },
        Ok(Err(RaftError::APIError(ClientWriteError::ForwardToLeader(forward)))) => {
            Err(StoreError::NotLeader { leader: forward.leader_node.map(|member| member.api) })
        }
        Ok(Err(error)) => Err(StoreError::Unavailable(format!(
            "the cluster did not take the write ({error}); nothing was acknowledged: retry"
        ))),
        Err(_) => Err(StoreError::Unavailable(format!(
            "the cluster did not commit the write within {} s; it may still be recorded: retry with the \
             same request id, which records it once",
            PROPOSAL_WAIT_MAX.as_secs()
        ))),
    }
}
