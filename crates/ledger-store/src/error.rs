use ledger_core::{InvalidInput, Seq};

/// Everything the store can answer instead of a result. The server maps each variant to one gRPC
/// code, in one place.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The request is malformed or breaks a rule; nothing was appended.
    #[error("invalid {}: {}", .0.field, .0.message)]
    Invalid(InvalidInput),
    /// The request names something the ledger does not have.
    #[error("{field}: {message}")]
    NotFound { field: String, message: String },
    /// The principal may not do this.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// The request id was already used by this principal for different content.
    #[error("request id already used for different content, first recorded at seq {original}")]
    Conflict { original: Seq },
    /// The contribution is already recorded: its worker, jurisdiction, branch, month and employer
    /// have a live one, at `seq`. Nothing was appended; a correction replaces its figures.
    #[error("{message}")]
    AlreadyRecorded { seq: Seq, message: String },
    /// The request is well formed but the ledger's state does not allow it.
    #[error("{0}")]
    FailedPrecondition(String),
    /// The writer is not running or the disk failed; nothing was acknowledged.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// Stored bytes are not what was written.
    #[error("corruption at seq {seq}: {reason}")]
    Corruption { seq: Seq, reason: String },
    /// A checkpoint of a larger tree was signed while this one was being prepared; ask again at
    /// the current head.
    #[error("a checkpoint of {signed} events was signed meanwhile; ask again")]
    SignedLarger { signed: u64 },
    /// An append (a block of checked events) does not extend this replica's head: it was built on
    /// another head, or its records do not link. Nothing of it was written; the client retries.
    #[error("the append does not extend the log: {0}")]
    NotExtending(String),
    /// This replica follows another and takes no writes: the client sends them to the leader,
    /// whose address is given when this replica knows it. Nothing was recorded.
    #[error("{}", not_leader(.leader.as_deref()))]
    NotLeader { leader: Option<String> },
    /// A snapshot does not verify against the chain and the log's signed checkpoint, or does not
    /// extend this replica's log: nothing of it was installed.
    #[error("the snapshot is refused: {0}")]
    BadSnapshot(String),
    /// The store as a whole is unusable (wrong version, head mismatch).
    #[error("store refused: {0}")]
    Refused(String),
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<InvalidInput> for StoreError {
    fn from(error: InvalidInput) -> Self {
        StoreError::Invalid(error)
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

fn not_leader(leader: Option<&str>) -> String {
    match leader {
        Some(leader) => format!("this replica does not take writes; send them to the leader at {leader}"),
        None => "this replica does not take writes, and no leader is elected yet: retry shortly".to_owned(),
    }
}
