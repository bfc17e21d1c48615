//! The single writer. It owns the head of the log: it takes commands from a bounded queue, checks
//! each against the state of the ledger, assigns sequence numbers, hashes, and writes a whole group
//! of commands (events, head and indexes) in one atomic sled batch, makes it durable with fsync, and
//! only then answers every command of the group (group commit).

use std::collections::HashMap;
use std::fs::File;
use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, SubsecRound, Utc};
use ledger_core::merkle::Frontier;
use ledger_core::{
    chain_hash, event_hash, ContributionRecorded, Event, PrincipalId, Record, RequestId, RulesAdopted, Seq,
    WorkerId, RECORD_LEN_MAX,
};
use ledger_projections::{apply_facts, WorkerFacts};
use ledger_rules::Rules;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::error;

use crate::append::{Append, Checked};
use crate::apply::{Applied, Applying, Committed};
use crate::command::{Action, Command, ContributionOutcome, Outcome, Receipt};
use crate::error::{Result, StoreError};
use crate::fault::{self, Point};
use crate::keys;
use crate::promise::{Promise, PromiseFile, Signed};
use crate::read::{self, Head};
use crate::refusal::Refusals;
use crate::stats::WriterStats;
use crate::validate::{Check, Checks, ItemPlan, View};

/// Most events written in one group commit. Bounds the size of one sled batch and the time a
/// command waits behind others.
pub const EVENTS_PER_COMMIT_MAX: usize = 8192;
/// The principal of events the ledger records about itself, such as a rules adoption.
pub const SYSTEM_PRINCIPAL: &str = "ledger";

fn hex_prefix(digest: &[u8; 32]) -> String {
    digest[..8].iter().map(|byte| format!("{byte:02x}")).collect()
}

/// An event the checks allow, with the contribution it reverses when it is a reversal.
pub(crate) struct Planned {
    pub event: Event,
    pub reversed: Option<ContributionRecorded>,
}

impl Planned {
    pub fn new(event: Event) -> Planned {
        Planned { event, reversed: None }
    }
}

/// What the writer is asked to do on its command queue: check and append a command's events, or
/// adopt rules. This replica builds the append (it writes it, or proposes it to its cluster).
pub(crate) enum Job {
    Command {
        command: Command,
        reply: oneshot::Sender<Result<Outcome>>,
    },
    /// Adopts rules on the chain, in a group of its own.
    Adopt {
        rules: Arc<Rules>,
        reply: oneshot::Sender<Result<Outcome>>,
    },
}

impl Job {
    fn event_count(&self) -> usize {
        match self {
            Job::Command { command, .. } => command.action.event_count(),
            Job::Adopt { .. } => 1,
        }
    }
}

/// What the writer is asked to do on its control queue, for the replica's raft state machine:
/// apply an append a leader checked and built (this replica's own proposals among them), or
/// record what raft applied when an entry carried no append.
pub(crate) enum Control {
    Replicated { append: Append, marker: Option<Vec<u8>>, reply: oneshot::Sender<Result<Head>> },
    Mark { marker: Vec<u8>, reply: oneshot::Sender<Result<()>> },
}

/// A leader's append offered to its cluster: the writer proposes each group as one, and is told
/// once the cluster committed it and this replica applied it, or why not. Nothing of a group is
/// answered before then.
pub struct Proposal {
    /// The encoded [`Append`].
    pub append: Vec<u8>,
    /// Ok once committed and applied here; an error (not the leader, refused, stopped) otherwise.
    pub reply: oneshot::Sender<Result<()>>,
}

impl std::fmt::Debug for Proposal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proposal({} bytes)", self.append.len())
    }
}

/// The writer's two queues: commands wait in a bounded queue while a proposal is in flight;
/// what raft applies (on the leader, its own proposals among them) comes on the other.
pub(crate) struct Queues {
    pub commands: mpsc::Receiver<Job>,
    pub control: mpsc::Receiver<Control>,
}

/// The next thing the writer does.
enum Next {
    Job(Job),
    Control(Control),
}

/// What ended a wait for a proposal.
enum Waited {
    Control(Option<Control>),
    Answer(std::result::Result<Result<()>, oneshot::error::RecvError>),
}

/// Runs a future to completion on the writer's own thread, which parks between polls. The
/// writer's waits are on tokio channels, which need no runtime to be polled.
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

/// What the writer can do now without waiting: raft's requests first, since the state machine
/// waits for each.
fn ready(queues: &mut Queues) -> Option<Next> {
    if let Ok(control) = queues.control.try_recv() {
        return Some(Next::Control(control));
    }
    queues.commands.try_recv().ok().map(Next::Job)
}

/// Waits for the next thing to do; none once both queues are closed.
async fn wait(queues: &mut Queues) -> Option<Next> {
    tokio::select! {
        biased;
        Some(control) = queues.control.recv() => Some(Next::Control(control)),
        Some(job) = queues.commands.recv() => Some(Next::Job(job)),
        else => None,
    }
}

/// What one idempotency key remembers: the request's content digest and the events it appended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Remembered {
    digest: [u8; 32],
    first: Seq,
    count: u32,
}

impl Remembered {
    fn encode(&self) -> [u8; 44] {
        let mut value = [0u8; 44];
        value[..32].copy_from_slice(&self.digest);
        value[32..40].copy_from_slice(&self.first.0.to_be_bytes());
        value[40..].copy_from_slice(&self.count.to_be_bytes());
        value
    }

    fn decode(value: &[u8]) -> Option<Remembered> {
        Some(Remembered {
            digest: value.get(..32)?.try_into().ok()?,
            first: Seq(u64::from_be_bytes(value.get(32..40)?.try_into().ok()?)),
            count: u32::from_be_bytes(value.get(40..44)?.try_into().ok()?),
        })
    }
}

/// The events an idempotency entry names: its first seq and how many.
pub(crate) fn remembered_range(value: &[u8]) -> Option<(Seq, u32)> {
    Remembered::decode(value).map(|remembered| (remembered.first, remembered.count))
}

pub(crate) struct Writer {
    pub db: sled::Db,
    /// Held open so that every commit can fsync sled's data file.
    pub db_file: File,
    /// The rules in force: the last adopted on the chain.
    pub rules: Arc<Rules>,
    pub head: Head,
    /// The right edge of the Merkle tree over the durable log.
    pub frontier: Frontier,
    pub last_block: Seq,
    pub last_recorded_at: DateTime<Utc>,
    /// What the writer has done, for metrics.
    pub stats: Arc<WriterStats>,
    pub clock: crate::Clock,
    /// sled's directory, whose free space is read before every commit.
    pub sled_dir: std::path::PathBuf,
    /// Why the writer stopped taking writes, once a write may have reached the disk only in part.
    pub sealed: watch::Sender<Option<String>>,
    /// Commits refused with nothing written, so that a full disk is reported without a log line
    /// for every commit.
    pub refusals: Refusals,
    /// What the ledger promised, rewritten after every commit before it is answered.
    pub promise: PromiseFile,
    /// The largest tree the log's key signed, kept in the promise.
    pub signed: Arc<std::sync::Mutex<Option<Signed>>>,
    /// The size of the head the promise file names.
    pub promised: u64,
    /// Stored data found damaged by the scrubber: no write goes on top of it.
    pub damage: watch::Receiver<Option<crate::Damage>>,
    /// Derived state as applied behind the log: the writer's checks read a worker's facts from
    /// her applied projection when it has none of its own.
    pub applied: Arc<Applied>,
    /// Each durable commit goes to the applier, which applies it, publishes its head and answers
    /// its commands. Bounded: a writer [`APPLY_QUEUE_COMMITS_MAX`] commits ahead waits.
    pub to_apply: std::sync::mpsc::SyncSender<Committed>,
    /// Facts of the workers the writer's commits changed, kept so that its checks do not read and
    /// decode a projection for them.
    pub facts: KeptFacts,
    /// Where every append made durable goes, for another replica to follow.
    pub appended: Option<std::sync::mpsc::SyncSender<Append>>,
    /// Where the writer proposes each group to its cluster, instead of writing it itself: what it
    /// writes then comes back from raft on the control queue.
    pub proposals: Option<mpsc::Sender<Proposal>>,
}

/// Workers whose facts the writer keeps after the applier has applied them: a few hundred bytes
/// each, so the checks of a payroll for this many workers read no projection.
pub const WRITER_FACTS_WORKERS_MAX: usize = 65_536;

/// Workers' facts as the writer's commits left them, with the log size after the last commit that
/// changed each. Only the writer's commits change facts, so a kept entry is always current; one is
/// dropped (those kept longest ago first) only once the applier has applied it, so that her
/// applied projection then gives the same facts.
#[derive(Debug, Default)]
pub struct KeptFacts {
    entries: HashMap<WorkerId, Kept>,
    /// Worker by when her facts were last kept; the first is the next to leave.
    order: std::collections::BTreeMap<u64, WorkerId>,
    clock: u64,
}

#[derive(Debug)]
struct Kept {
    facts: Arc<WorkerFacts>,
    changed_at: u64,
    kept_at: u64,
}

impl KeptFacts {
    fn get(&self, worker_id: &WorkerId) -> Option<&Arc<WorkerFacts>> {
        self.entries.get(worker_id).map(|kept| &kept.facts)
    }

    /// Keeps her facts as changed by a commit that left the log at `size`.
    fn keep(&mut self, worker_id: WorkerId, facts: WorkerFacts, size: u64) {
        self.clock += 1;
        let kept = Kept { facts: Arc::new(facts), changed_at: size, kept_at: self.clock };
        if let Some(old) = self.entries.insert(worker_id.clone(), kept) {
            self.order.remove(&old.kept_at);
        }
        self.order.insert(self.clock, worker_id);
    }

    /// Drops those kept longest ago beyond [`WRITER_FACTS_WORKERS_MAX`] once `applied` covers them.
    fn trim(&mut self, applied: u64) {
        while self.entries.len() > WRITER_FACTS_WORKERS_MAX {
            let Some((_, oldest)) = self.order.first_key_value() else { break };
            if self.entries.get(oldest).is_some_and(|kept| kept.changed_at > applied) {
                break;
            }
            if let Some((_, oldest)) = self.order.pop_first() {
                self.entries.remove(&oldest);
            }
        }
    }
}

/// Durable commits handed to the applier and not yet applied, beyond which the writer waits.
pub const APPLY_QUEUE_COMMITS_MAX: usize = 64;

/// The state of one group commit before it is written: the events appended so far and every index
/// change, so that later commands of the group see the effects of earlier ones.
pub(crate) struct Group {
    started: Instant,
    pub start: Head,
    head: Head,
    /// Records in seq order from `start.size`.
    records: Vec<Vec<u8>>,
    /// What the group's checks have seen and changed so far.
    pub checks: Checks,
    /// The group's events, for the applier.
    applying: Vec<Applying>,
    /// The index entries of the group's events (reversals, rules adoptions, claims).
    index: Vec<keys::Entry>,
    /// Credentials the group issues, in order: the worker, the token's digest, and whether it
    /// replaces one (a rotation or a reset) rather than being a new worker's first.
    credentials: Vec<(WorkerId, [u8; 32], bool)>,
    remembered: HashMap<Vec<u8>, (Remembered, Outcome)>,
    replies: Vec<(oneshot::Sender<Result<Outcome>>, Result<Outcome>)>,
    /// Rules the group adopts, in force once it is written.
    adopting: Option<Arc<Rules>>,
}

impl Writer {
    /// Runs until every sender of both queues is gone.
    pub fn run(mut self, mut queues: Queues) {
        let mut carried: Option<Job> = None;
        loop {
            let next = match carried.take() {
                Some(job) => Next::Job(job),
                None => match ready(&mut queues) {
                    Some(next) => next,
                    None => {
                        // Idle: the promise catches up with the last commit before the wait.
                        self.catch_up_promise();
                        let Some(next) = block_on(wait(&mut queues)) else { break };
                        next
                    }
                },
            };
            let first = match next {
                Next::Job(job) => job,
                Next::Control(control) => {
                    self.control(control);
                    continue;
                }
            };
            let mut group = self.new_group();
            let alone = matches!(first, Job::Adopt { .. });
            let mut planned = first.event_count();
            self.admit(&mut group, first);
            while planned < EVENTS_PER_COMMIT_MAX && !alone {
                let Ok(job) = queues.commands.try_recv() else { break };
                planned += job.event_count();
                // Rules are adopted in a group of their own; a command that would make the group
                // too large waits for the next.
                if planned > EVENTS_PER_COMMIT_MAX || matches!(job, Job::Adopt { .. }) {
                    carried = Some(job);
                    break;
                }
                self.admit(&mut group, job);
            }
            match self.proposals.clone() {
                Some(proposals) => self.propose(group, &proposals, &mut queues.control),
                None => self.commit(group),
            }
        }
        if let Err(error) = self.db.flush() {
            error!(%error, "final flush failed");
        }
        self.catch_up_promise();
    }

    /// Does what the replica's raft state machine asks.
    fn control(&mut self, control: Control) {
        match control {
            Control::Replicated { append, marker, reply } => {
                let _ = reply.send(self.replicate(append, marker));
            }
            Control::Mark { marker, reply } => {
                let _ = reply.send(self.mark(marker));
            }
        }
    }

    /// What the ledger promises now: its durable head, the root there, and the largest signed tree.
    fn promise_of_head(&self) -> Promise {
        Promise {
            head: self.head,
            root: self.frontier.root(),
            signed: *self.signed.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
        }
    }

    /// Promises the durable head when the promise is behind it; a failure seals the writer.
    fn catch_up_promise(&mut self) {
        if self.promised >= self.head.size || self.sealed.borrow().is_some() {
            return;
        }
        let promise = self.promise_of_head();
        let written = fault::hit(Point::Promise).and_then(|()| self.promise.write(&promise));
        match written {
            Ok(()) => self.promised = promise.head.size,
            Err(error) => drop(self.seal(&StoreError::Io(error))),
        }
    }

    /// Takes no more writes: what the writer knows about the disk can no longer be trusted.
    fn seal(&self, error: &StoreError) -> String {
        let reason = format!(
            "a write could not be made durable ({}); the ledger takes no more writes until it is \
             restarted, and recovers on restart from what is on disk",
            describe(error)
        );
        error!(%reason, "the writer is sealed");
        self.sealed.send_replace(Some(reason.clone()));
        reason
    }

    fn new_group(&self) -> Group {
        // Recorded times never go backwards along the chain, even if the clock does.
        let now = self.clock.now().trunc_subsecs(6).max(self.last_recorded_at);
        Group {
            started: Instant::now(),
            start: self.head,
            head: self.head,
            records: Vec::new(),
            checks: Checks::new(now, self.head.size),
            applying: Vec::new(),
            index: Vec::new(),
            credentials: Vec::new(),
            remembered: HashMap::new(),
            replies: Vec::new(),
            adopting: None,
        }
    }

    fn admit(&self, group: &mut Group, job: Job) {
        match job {
            Job::Command { command, reply } => {
                let outcome = self.apply(group, &command);
                group.replies.push((reply, outcome));
            }
            Job::Adopt { rules, reply } => {
                let outcome = self.adoption(group, rules);
                group.replies.push((reply, outcome));
            }
        }
    }

    /// Checks one command against the ledger as the group has left it, and appends its events.
    fn apply(&self, group: &mut Group, command: &Command) -> Result<Outcome> {
        command.action.check_size()?;
        let key = keys::idempotency(command.actor.principal(), &command.request_id);
        let digest = command.action.digest();
        if let Some((remembered, outcome)) = group.remembered.get(&key) {
            return match remembered.digest == digest {
                true => Ok(outcome.clone().replayed()),
                false => Err(StoreError::Conflict { original: remembered.first }),
            };
        }
        if let Some(value) = self.db.get(&key)? {
            let remembered = Remembered::decode(&value)
                .ok_or_else(|| StoreError::Refused("an idempotency entry is malformed".into()))?;
            if remembered.digest != digest {
                return Err(StoreError::Conflict { original: remembered.first });
            }
            return self.replay(remembered);
        }
        group.checks.items.clear();
        let events =
            Check { view: self, group: &mut group.checks }.events_for(&command.actor, &command.action)?;
        let plans = std::mem::take(&mut group.checks.items);
        let mut outcome = self.append(group, command.actor.principal(), &command.request_id, events)?;
        outcome.contributions = plans
            .into_iter()
            .filter_map(|plan| match plan {
                ItemPlan::New(index) => {
                    outcome.receipts.get(index).map(|receipt| ContributionOutcome::Recorded(receipt.seq))
                }
                ItemPlan::Corrected(seq) => Some(ContributionOutcome::Corrected(seq)),
                ItemPlan::Unchanged(seq) => Some(ContributionOutcome::Unchanged(seq)),
            })
            .collect();
        // A credential is stored with the event that issues it, in the same durable commit; a
        // replayed request issues none.
        match (&command.action, &outcome.worker_id) {
            (Action::EnrollWorker { credential: Some(digest), .. }, Some(worker_id)) => {
                group.credentials.push((worker_id.clone(), *digest, false));
            }
            (Action::ReplaceCredential { worker_id, credential, .. }, _) => {
                group.credentials.push((worker_id.clone(), *credential, true));
            }
            _ => {}
        }
        let remembered = Remembered {
            digest,
            first: outcome.receipts.first().map_or(Seq(group.head.size), |receipt| receipt.seq),
            count: outcome.receipts.len() as u32,
        };
        group.remembered.insert(key, (remembered, outcome.clone()));
        Ok(outcome)
    }

    /// The original receipts of a request recorded in an earlier commit.
    fn replay(&self, remembered: Remembered) -> Result<Outcome> {
        let end = Seq(remembered.first.0 + u64::from(remembered.count));
        let mut outcome = Outcome::new();
        read::scan(&self.db, remembered.first, end, |seq, bytes, stored| {
            let record = Record::decode(bytes)
                .map_err(|error| StoreError::Corruption { seq, reason: error.to_string() })?;
            outcome.note(&record.event);
            outcome.receipts.push(Receipt {
                seq,
                event_hash: event_hash(bytes),
                chain_hash: stored,
                recorded_at: record.recorded_at,
                replayed: true,
            });
            Ok(())
        })?;
        Ok(outcome)
    }

    /// Applies the events of one command to the facts of the workers they touch, then encodes,
    /// hashes and appends them to the group. Nothing of the command reaches the group if the facts
    /// refuse an event (which the checks before make a programming error).
    pub(crate) fn append(
        &self,
        group: &mut Group,
        principal: &PrincipalId,
        request_id: &RequestId,
        events: Vec<Planned>,
    ) -> Result<Outcome> {
        let mut touched: HashMap<WorkerId, Option<WorkerFacts>> = HashMap::new();
        for (offset, planned) in events.iter().enumerate() {
            let seq = Seq(group.head.size + offset as u64);
            let Some(worker_id) = planned.event.worker_id() else { continue };
            if !touched.contains_key(worker_id) {
                let facts = Check { view: self, group: &mut group.checks }.facts(worker_id)?;
                touched.insert(worker_id.clone(), facts);
            }
            let slot = touched.entry(worker_id.clone()).or_default();
            apply_facts(slot, seq, &planned.event).map_err(|error| {
                StoreError::Refused(format!("a worker's facts refused a checked event: {error}"))
            })?;
        }
        group.checks.facts.extend(touched.into_iter().filter_map(|(id, slot)| slot.map(|facts| (id, facts))));
        let mut outcome = Outcome::new();
        for Planned { event, reversed } in events {
            let seq = Seq(group.head.size);
            outcome.note(&event);
            match &event {
                Event::ContributionReversed(reversal) => {
                    group.checks.reversals.insert(reversal.reversed_seq, seq);
                }
                Event::ContributionRecorded(contribution) => {
                    group.checks.recorded.insert(keys::recorded(contribution), seq);
                    group.checks.contributions.insert(seq, contribution.clone());
                }
                Event::ContributionCorrected(correction) => {
                    group.checks.corrections.insert(correction.corrected_seq, correction.after);
                }
                _ => {}
            }
            group.index.extend(keys::event_index_entries(seq, &event));
            let origin =
                event.worker_id().and_then(|worker| group.checks.facts.get(worker)).map(|facts| facts.origin);
            group.index.extend(keys::claim_index_entries(seq, &event, origin, principal));
            let record = Record {
                seq,
                recorded_at: group.checks.recorded_at,
                principal: principal.clone(),
                request_id: request_id.clone(),
                prev_chain_hash: group.head.chain_hash,
                event,
            };
            let encoded = record.encode();
            if record.event.worker_id().is_some() {
                group.applying.push(Applying {
                    seq,
                    at: group.checks.recorded_at,
                    event: record.event,
                    reversed,
                });
            }
            let record = encoded;
            // Every field is bounded, so a record always fits; a larger one is a programming error.
            assert!(record.len() <= RECORD_LEN_MAX, "record of {} bytes at seq {seq}", record.len());
            let event_hash = event_hash(&record);
            let chain = chain_hash(&group.head.chain_hash, &event_hash);
            group.records.push(record);
            group.head = Head { size: seq.0 + 1, chain_hash: chain };
            outcome.receipts.push(Receipt {
                seq,
                event_hash,
                chain_hash: chain,
                recorded_at: group.checks.recorded_at,
                replayed: false,
            });
        }
        Ok(outcome)
    }

    /// Applies an append another replica checked and built: checks that it extends this head (a
    /// refusal changes nothing), writes it durably as a group commit is written, derives what the
    /// records give (workers' facts, what the applier applies, the rules adopted) and hands it to
    /// the applier. Returns the new head.
    fn replicate(&mut self, append: Append, marker: Option<Vec<u8>>) -> Result<Head> {
        if let Some(reason) = self.refusal() {
            return Err(StoreError::Unavailable(reason));
        }
        let mut checked = append.check(self.head, &self.frontier)?;
        // What can refuse the append is found before anything is written: every record decodes
        // (the check decoded each), and adopted rules must load here, or this replica cannot
        // follow the log and writes nothing of it.
        let mut records = Vec::with_capacity(append.records.len());
        let mut rules = None;
        for bytes in &append.records {
            let record =
                Record::decode(bytes).map_err(|error| StoreError::NotExtending(error.to_string()))?;
            if let Event::RulesAdopted(adopted) = &record.event {
                let loaded = Rules::parse(&adopted.document).map_err(|error| {
                    StoreError::Refused(format!(
                        "the rules adopted at seq {} do not load on this replica ({error}); it cannot \
                         follow the log",
                        record.seq
                    ))
                })?;
                rules = Some(Arc::new(loaded));
            }
            records.push(record);
        }
        if let Some(marker) = marker {
            checked.batch.insert(keys::RAFT_APPLIED, marker);
        }
        let head = self.write_checked(checked)?;
        if let Some(rules) = rules {
            self.rules = rules;
        }
        // Recorded times never go backwards along the chain: the next group starts after these.
        if let Some(last) = records.last() {
            self.last_recorded_at = self.last_recorded_at.max(last.recorded_at);
        }
        // The append is durable: what the writer and the applier keep must follow it, or readers
        // would never see it. A failure here (a projection that cannot be read) seals the writer;
        // a restart derives it all again from the log.
        let group = match self.derive(&append, head, records) {
            Ok(group) => group,
            Err(error) => return Err(StoreError::Unavailable(self.seal(&error))),
        };
        self.refusals.log_committed();
        self.stats.committed(append.records.len(), group.started.elapsed());
        self.stats.durable_size.store(self.head.size, std::sync::atomic::Ordering::Release);
        self.hand_over(group, None);
        self.send_appended(append);
        Ok(head)
    }

    /// The group a durable replicated append stands for: the workers' facts its events leave, and
    /// the events the applier applies (a reversal with the contribution it reverses).
    fn derive(&self, append: &Append, head: Head, records: Vec<Record>) -> Result<Group> {
        let mut group = self.new_group();
        group.start = append.start;
        group.head = head;
        for record in records {
            let seq = record.seq;
            let Some(worker_id) = record.event.worker_id().cloned() else { continue };
            let mut facts = Check { view: self, group: &mut group.checks }.facts(&worker_id)?;
            apply_facts(&mut facts, seq, &record.event).map_err(|error| {
                StoreError::Refused(format!(
                    "a worker's facts refused a replicated event at seq {seq}: {error}"
                ))
            })?;
            if let Some(facts) = facts {
                group.checks.facts.insert(worker_id, facts);
            }
            let reversed = crate::rebuild::reversed_contribution(&self.db, &record.event)?;
            group.applying.push(Applying { seq, at: record.recorded_at, event: record.event, reversed });
        }
        Ok(group)
    }

    /// Records, durably, what the replica's raft state machine applied (an entry with no append).
    fn mark(&mut self, marker: Vec<u8>) -> Result<()> {
        if let Some(reason) = self.refusal() {
            return Err(StoreError::Unavailable(reason));
        }
        let mut batch = sled::Batch::default();
        batch.insert(keys::RAFT_APPLIED, marker);
        let promise = self.promise_of_head();
        if let Err(error) = self.apply_durably(batch, &promise) {
            return Err(StoreError::Unavailable(self.seal(&error)));
        }
        self.promised = promise.head.size;
        Ok(())
    }

    /// Passes a durable append on to whoever follows this replica.
    fn send_appended(&mut self, append: Append) {
        if let Some(appended) = &self.appended {
            if appended.send(append).is_err() {
                // Nobody follows any more.
                self.appended = None;
            }
        }
    }

    /// Why no write can be made now (damaged data, or a sealed writer); none while writes go on.
    fn refusal(&self) -> Option<String> {
        let damaged = self.damage.borrow().as_ref().map(|damage| {
            format!(
                "stored data is damaged ({damage}); the ledger takes no writes until the data directory \
                 is restored from a backup"
            )
        });
        damaged.or_else(|| self.sealed.borrow().clone())
    }

    /// Writes the group in one atomic batch, makes it durable, and answers every command. A
    /// sealed writer answers every command with UNAVAILABLE.
    fn commit(&mut self, mut group: Group) {
        if let Some(reason) = self.refusal() {
            return fail(group, &StoreError::Unavailable(reason));
        }
        match self.write_group(&mut group) {
            Ok(()) => self.hand_over(group, None),
            Err(failure) => self.failed(group, &failure),
        }
    }

    /// Answers every command of a group nothing of which was written (or acknowledged).
    fn failed(&mut self, group: Group, failure: &StoreError) {
        // A follower is asked for writes in the ordinary course; the client is sent on.
        if !matches!(failure, StoreError::NotLeader { .. }) {
            self.refusals.log_refused(failure, group.start.size);
        }
        self.stats.failed_commits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        fail(group, failure);
    }

    /// Offers the group to the cluster as one append, then applies what raft applies until raft
    /// applies this append here (it is written, and the group answered, as any commit is) or the
    /// proposal fails (nothing of the group is acknowledged, and every command is told why). One
    /// proposal is in flight at a time: commands wait in their queue meanwhile.
    fn propose(
        &mut self,
        mut group: Group,
        proposals: &mpsc::Sender<Proposal>,
        control: &mut mpsc::Receiver<Control>,
    ) {
        if let Some(reason) = self.refusal() {
            return fail(group, &StoreError::Unavailable(reason));
        }
        if group.records.is_empty() {
            // Every command was refused or replayed: nothing to propose.
            return self.hand_over(group, None);
        }
        let append = match self.before_write().and_then(|()| self.append_of(&mut group)) {
            Ok(append) => append,
            Err(failure) => return self.failed(group, &failure),
        };
        let (reply, mut answer) = oneshot::channel();
        if proposals.blocking_send(Proposal { append: append.encode(), reply }).is_err() {
            let stopped = StoreError::Unavailable("the cluster has stopped; nothing was recorded".into());
            return self.failed(group, &stopped);
        }
        drop(append);
        let mut control_open = true;
        loop {
            let waited = block_on(async {
                tokio::select! {
                    biased;
                    control = control.recv(), if control_open => Waited::Control(control),
                    answer = &mut answer => Waited::Answer(answer),
                }
            });
            match waited {
                Waited::Control(None) => control_open = false,
                Waited::Control(Some(Control::Replicated { append, marker, reply }))
                    if append.start == group.start && append.end == group.head.chain_hash =>
                {
                    let _ = reply.send(self.write_own(group, append, marker));
                    return;
                }
                Waited::Control(Some(control)) => self.control(control),
                Waited::Answer(answer) => {
                    let failure = match answer {
                        Ok(Err(error)) => error,
                        // Committed, yet never applied here as this group: another append took
                        // its place at this head.
                        Ok(Ok(())) => StoreError::NotExtending(format!(
                            "another append was applied at seq {} first",
                            group.start.size
                        )),
                        Err(_) => StoreError::Unavailable(
                            "the cluster stopped before it committed the write; nothing was \
                             acknowledged"
                                .into(),
                        ),
                    };
                    return self.failed(group, &failure);
                }
            }
        }
    }

    /// Writes this replica's own proposed group, as raft applies it, and answers its commands.
    fn write_own(&mut self, mut group: Group, append: Append, marker: Option<Vec<u8>>) -> Result<Head> {
        let written = append.check(self.head, &self.frontier).and_then(|mut checked| {
            if checked.head != group.head {
                return Err(StoreError::Refused(format!(
                    "the head after this replica's own group ({}) is not the head its append gives ({})",
                    group.head.size, checked.head.size
                )));
            }
            if let Some(marker) = marker {
                checked.batch.insert(keys::RAFT_APPLIED, marker);
            }
            self.write_checked(checked)
        });
        match written {
            Ok(head) => {
                self.committed(&mut group);
                self.hand_over(group, None);
                self.send_appended(append);
                Ok(head)
            }
            Err(failure) => {
                self.failed(group, &failure);
                Err(failure)
            }
        }
    }

    /// Writes and fsyncs the group.
    fn write_group(&mut self, group: &mut Group) -> Result<()> {
        if group.records.is_empty() {
            return Ok(());
        }
        self.write(group)?;
        self.committed(group);
        Ok(())
    }

    /// What follows a group's durable write: the writer's head, rules and statistics.
    fn committed(&mut self, group: &mut Group) {
        self.refusals.log_committed();
        self.last_recorded_at = group.checks.recorded_at;
        if let Some(rules) = group.adopting.take() {
            self.rules = rules;
        }
        let events = (group.head.size - group.start.size) as usize;
        self.stats.committed(events, group.started.elapsed());
        self.stats.durable_size.store(self.head.size, std::sync::atomic::Ordering::Release);
    }

    /// Hands a durable group to the applier, which applies it, publishes its head and answers its
    /// commands, and keeps the facts it changed.
    fn hand_over(&mut self, group: Group, published: Option<std::sync::mpsc::Sender<()>>) {
        let size = group.head.size;
        for (worker_id, facts) in group.checks.facts {
            self.facts.keep(worker_id, facts, size);
        }
        let committed =
            Committed { entries: group.applying, head: group.head, replies: group.replies, published };
        if let Err(std::sync::mpsc::SendError(committed)) = self.to_apply.send(committed) {
            // The applier has stopped (it failed and sealed the writer): the events are durable.
            for (reply, outcome) in committed.replies {
                let _ = reply.send(outcome);
            }
        }
        let (applied, _) = self.applied.sizes();
        self.facts.trim(applied);
    }

    /// Appends a `RulesAdopted` event holding the whole document and puts the rules in force, at
    /// open, before the ledger is handed out.
    pub fn adopt(&mut self, rules: Arc<Rules>) -> Result<()> {
        let mut group = self.new_group();
        self.adoption(&mut group, rules)?;
        self.write_group(&mut group)?;
        // The ledger is handed out only once its published head holds the adoption.
        let (published, done) = std::sync::mpsc::channel();
        self.hand_over(group, Some(published));
        // An applier that stopped drops the sender: nothing is left to wait for.
        let _ = done.recv();
        Ok(())
    }

    /// Appends to the group a `RulesAdopted` event holding the whole document; the rules are in
    /// force once the group is written.
    fn adoption(&self, group: &mut Group, rules: Arc<Rules>) -> Result<Outcome> {
        let principal = PrincipalId::parse(SYSTEM_PRINCIPAL)?;
        let request_id = RequestId::parse(&format!("rules-{}", hex_prefix(&rules.digest())))?;
        let event =
            Event::RulesAdopted(RulesAdopted { digest: rules.digest(), document: rules.text().to_owned() });
        let outcome = self.append(group, &principal, &request_id, vec![Planned::new(event)])?;
        group.adopting = Some(rules);
        Ok(outcome)
    }

    /// Each credential the group issues, revoking the one it replaces: the worker's current one,
    /// as stored or as an earlier command of the group left it.
    fn put_credentials(&self, append: &mut Append, group: &Group) -> Result<()> {
        let mut current: HashMap<&WorkerId, [u8; 32]> = HashMap::new();
        for (worker_id, digest, replaces) in &group.credentials {
            let replaced = match (*replaces, current.get(worker_id)) {
                (false, _) => None,
                (true, Some(digest)) => Some(*digest),
                (true, None) => read::worker_credential(&self.db, worker_id)?,
            };
            append.writes.extend(keys::credential_writes(worker_id, digest, replaced));
            current.insert(worker_id, *digest);
        }
        Ok(())
    }

    /// The append of a group: its records and what it writes beside them.
    fn append_of(&self, group: &mut Group) -> Result<Append> {
        let mut append = Append {
            start: group.start,
            records: std::mem::take(&mut group.records),
            end: group.head.chain_hash,
            writes: Vec::with_capacity(group.index.len() + group.remembered.len()),
        };
        append.writes.extend(group.index.iter().map(|(key, value)| (key.clone(), Some(value.clone()))));
        for (key, (remembered, _)) in &group.remembered {
            append.writes.push((key.clone(), Some(remembered.encode().to_vec())));
        }
        self.put_credentials(&mut append, group)?;
        // Workers' portal access as the group leaves it; none at all is no entry.
        for (worker_id, access) in &group.checks.access {
            let value = access.is_open().then(|| access.encode());
            append.writes.push((keys::access(worker_id), value));
        }
        Ok(append)
    }

    fn write(&mut self, group: &mut Group) -> Result<()> {
        self.before_write()?;
        let append = self.append_of(group)?;
        // The one path every replica takes: the append is checked against the head it extends and
        // applied whole; the chain hashes, blocks, Merkle nodes and head come from its records.
        let checked = append.check(self.head, &self.frontier)?;
        if checked.head != group.head {
            return Err(StoreError::Refused(format!(
                "the writer's head after a group ({}) is not the head its append gives ({})",
                group.head.size, checked.head.size
            )));
        }
        self.write_checked(checked)?;
        self.send_appended(append);
        Ok(())
    }

    /// What may refuse a new group before anything of it is written or proposed: the free space
    /// under the reserve, or an injected fault. An append the cluster committed is not refused so:
    /// the reserve is there for it.
    fn before_write(&self) -> Result<()> {
        self.check_space()?;
        if fault::hit(Point::WriterPanic).is_err() {
            panic!("injected panic in the writer");
        }
        fault::hit(Point::BeforeApply).map_err(|error| {
            StoreError::Unavailable(format!("nothing was written: {}", fault::describe(&error)))
        })
    }

    /// Writes a checked append durably and moves the writer's head past it: its own group's, or
    /// another replica's. A failure from the batch on seals the writer.
    fn write_checked(&mut self, checked: Checked) -> Result<Head> {
        let Checked { batch, head, frontier, last_block } = checked;
        // The durable head before this append, promised while the append's own fsync runs.
        let promise = self.promise_of_head();
        if let Err(error) = self.apply_durably(batch, &promise) {
            // sled may hold the batch in memory, on disk in part, or not at all, and after a failed
            // fsync the kernel may have dropped the pages it could not write: nothing the writer
            // knows about the disk can be trusted. It takes no more writes; a restart recovers what
            // is really on disk (the whole batch or none of it) and the head from there.
            return Err(StoreError::Unavailable(self.seal(&error)));
        }
        self.promised = promise.head.size;
        self.head = head;
        self.frontier = frontier;
        self.last_block = last_block;
        Ok(head)
    }

    /// Applies the batch and makes it durable; meanwhile, on a second thread, promises the durable
    /// head from before it. The two syncs overlap, so the promise costs a commit no extra wait; it
    /// never names an event that is not on disk, and is at most one commit behind what was
    /// answered until the writer is next idle ([`Writer::catch_up_promise`]).
    fn apply_durably(&mut self, batch: sled::Batch, promise: &Promise) -> Result<()> {
        fault::hit(Point::Apply)?;
        self.db.apply_batch(batch)?;
        fault::hit(Point::Flush)?;
        // sled's own flush only asks the kernel to write its pages back (`sync_file_range`), which
        // does not cover the file's metadata or the disk's write cache; fsync of the data file does.
        self.db.flush()?;
        let (promise_file, db_file) = (&mut self.promise, &self.db_file);
        let (promised, synced) = std::thread::scope(|scope| {
            let promised =
                scope.spawn(|| fault::hit(Point::Promise).and_then(|()| promise_file.write(promise)));
            let synced = fault::hit(Point::Fsync).and_then(|()| db_file.sync_all());
            (promised.join(), synced)
        });
        synced?;
        promised.unwrap_or_else(|_| Err(std::io::Error::other("the promise's thread panicked")))?;
        Ok(())
    }

    /// Refuses a commit, before anything is written, when the data directory's free space is under
    /// the reserve: sled needs room to write whole segments, and a disk that fills in the middle of
    /// a flush seals the writer.
    fn check_space(&self) -> Result<()> {
        let available = match fault::hit(Point::FreeSpace) {
            Err(_) => 0,
            Ok(()) => fs2::available_space(&self.sled_dir).unwrap_or(u64::MAX),
        };
        if available < crate::DISK_FREE_BYTES_MIN {
            return Err(StoreError::Unavailable(low_space(available)));
        }
        Ok(())
    }
}

/// Answers every command of a group with why nothing of it was acknowledged: UNAVAILABLE, or the
/// leader to send it to.
fn fail(group: Group, failure: &StoreError) {
    for (reply, _) in group.replies {
        let error = match failure {
            StoreError::NotLeader { leader } => StoreError::NotLeader { leader: leader.clone() },
            StoreError::Unavailable(message) => StoreError::Unavailable(message.clone()),
            error @ StoreError::NotExtending(_) => {
                StoreError::Unavailable(format!("{error}; nothing was recorded: retry"))
            }
            other => StoreError::Unavailable(format!("the write could not be made durable: {other}")),
        };
        let _ = reply.send(Err(error));
    }
}

/// Why a commit was refused for want of space, in words an operator acts on.
pub(crate) fn low_space(available: u64) -> String {
    format!("{}; nothing was written: free space, then retry", under_reserve(available))
}

/// The free space of the data directory, when it is under the reserve.
pub(crate) fn under_reserve(available: u64) -> String {
    format!(
        "the data directory has {} MiB free, under the {} MiB the ledger keeps in reserve",
        available / (1024 * 1024),
        crate::DISK_FREE_BYTES_MIN / (1024 * 1024)
    )
}

/// A store error in words an operator acts on.
fn describe(error: &StoreError) -> String {
    match error {
        StoreError::Io(error) | StoreError::Sled(sled::Error::Io(error)) => fault::describe(error),
        other => other.to_string(),
    }
}

/// The writer's checks read the rules in force, the facts its commits left (else her applied
/// projection's), and the durable log.
impl View for Writer {
    fn rules(&self) -> &Rules {
        &self.rules
    }

    fn facts(&self, worker_id: &WorkerId) -> Result<Option<Arc<WorkerFacts>>> {
        if let Some(facts) = self.facts.get(worker_id) {
            return Ok(Some(facts.clone()));
        }
        let projection = self.applied.projection(worker_id)?;
        Ok(projection.map(|projection| Arc::new(WorkerFacts::of(&projection))))
    }

    fn event(&self, seq: Seq) -> Result<Event> {
        Ok(read::read_record(&self.db, seq)?.0.event)
    }

    fn reversed_by(&self, seq: Seq) -> Result<Option<Seq>> {
        Ok(self.db.get(keys::reversal(seq))?.and_then(|value| keys::trailing_seq(&value)))
    }

    fn recorded(&self, key: &[u8]) -> Result<Option<Seq>> {
        Ok(self.db.get(key)?.and_then(|value| keys::trailing_seq(&value)))
    }

    fn corrected_by(&self, seq: Seq) -> Result<Option<Seq>> {
        Ok(self.db.get(keys::correction(seq))?.and_then(|value| keys::trailing_seq(&value)))
    }

    fn access(&self, worker_id: &WorkerId) -> Result<Option<crate::access::WorkerAccess>> {
        let Some(value) = self.db.get(keys::access(worker_id))? else { return Ok(None) };
        crate::access::WorkerAccess::decode(&value)
            .map(Some)
            .ok_or_else(|| StoreError::Refused(format!("the access entry of {worker_id} is malformed")))
    }
}

#[cfg(test)]
mod tests {
    use ledger_core::{Event, Jurisdiction, Seq, WorkerEnrolled, WorkerId};

    use super::*;

    fn enrolled(index: u32) -> (WorkerId, WorkerFacts) {
        let [a, b, c, d] = index.to_be_bytes();
        let worker_id = WorkerId::from_random([0, 0, 0, 0, 0, 0, a, b, c, d]);
        let code = |text| Jurisdiction::parse(text).expect("a code");
        let event = Event::WorkerEnrolled(WorkerEnrolled {
            worker_id: worker_id.clone(),
            origin: code("NP"),
            enrolled_in: code("NP"),
            sex: None,
            birth_month: None,
        });
        let facts = WorkerFacts::enrolled(Seq(u64::from(index)), &event).expect("an enrolment gives facts");
        (worker_id, facts)
    }

    #[test]
    fn facts_are_dropped_beyond_the_bound_only_once_applied_and_oldest_first() {
        let over = WRITER_FACTS_WORKERS_MAX as u32 + 10;
        let mut kept = KeptFacts::default();
        // Worker i's facts changed by a commit that left the log at size i + 1.
        for index in 0..over {
            let (worker_id, facts) = enrolled(index);
            kept.keep(worker_id, facts, u64::from(index) + 1);
        }
        // Nothing applied yet: nothing may leave, whatever the bound.
        kept.trim(0);
        assert_eq!(kept.entries.len(), over as usize);
        // The first five applied: only they leave, though ten are over the bound.
        kept.trim(5);
        assert_eq!(kept.entries.len(), over as usize - 5);
        assert!(kept.get(&enrolled(4).0).is_none() && kept.get(&enrolled(5).0).is_some());
        // Kept again by a later commit: now the last to leave.
        let (again, facts) = enrolled(5);
        kept.keep(again.clone(), facts, u64::from(over) + 1);
        kept.trim(u64::from(over));
        assert_eq!(kept.entries.len(), WRITER_FACTS_WORKERS_MAX);
        assert!(kept.get(&again).is_some(), "changed after what is applied, so kept");
        assert!(kept.get(&enrolled(10).0).is_none() && kept.get(&enrolled(11).0).is_some());
        assert_eq!(kept.order.len(), kept.entries.len());
    }
}
