//! A synthetic population of migrant workers across the sample corridors, and its history loaded
//! over gRPC the way agencies post it: each worker enrolled by the agency of their origin, then
//! monthly contributions posted by the agency of the destination in batches of 1000, some of them
//! reversed, some claims filed and answered. Illustrative: the shares below are chosen to look like
//! labour migration from Asia, not taken from any statistic.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context;
use ledger_client::grpc as client;
use ledger_proto::v1 as pb;
use tokio::sync::{mpsc, Mutex};

/// (origin, destination, weight): where workers come from and go to.
pub const CORRIDORS: [(&str, &str, u32); 12] = [
    ("PH", "SA", 20),
    ("PH", "HK", 12),
    ("PH", "AE", 8),
    ("PH", "ES", 5),
    ("PH", "IT", 4),
    ("ID", "MY", 14),
    ("ID", "HK", 8),
    ("ID", "SA", 5),
    ("NP", "MY", 10),
    ("NP", "AE", 6),
    ("NP", "SA", 4),
    ("TH", "SG", 4),
];

/// The currency of each destination of [`CORRIDORS`] (sample rules).
pub fn currency(jurisdiction: &str) -> &'static str {
    match jurisdiction {
        "SA" => "SAR",
        "HK" => "HKD",
        "AE" => "AED",
        "ES" | "IT" => "EUR",
        "MY" => "MYR",
        "SG" => "SGD",
        _ => "USD",
    }
}

/// Share of workers with ten years of monthly contributions; the others have a few months.
const LONG_HISTORY_PER_MILLE: u64 = 50;
const LONG_HISTORY_MONTHS: u32 = 120;
/// One contribution in this many is reversed (posted twice, say).
const REVERSAL_EVERY: usize = 500;
/// One worker in this many files a claim.
const CLAIM_EVERY: usize = 1000;
/// Requests of the population load in flight at once.
const LOAD_REQUESTS_IN_FLIGHT: usize = 4;
/// Enrolments in flight at once.
const ENROL_REQUESTS_IN_FLIGHT: usize = 64;

/// A deterministic generator (xorshift64*), so every run builds the same population.
pub struct Random(u64);

impl Random {
    pub fn new(seed: u64) -> Random {
        Random(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound.max(1)
    }
}

#[derive(Clone, Debug)]
pub struct Member {
    pub origin: &'static str,
    pub destination: &'static str,
    pub sex: pb::Sex,
    pub sector: pb::Sector,
    /// Months of contributions, ending at `last_month` (an ordinal: year × 12 + month − 1).
    pub months: u32,
    pub last_month: u32,
    pub wage: i64,
}

/// Draws `workers` members whose histories add up to about `events` events in all (enrolments
/// included).
pub fn draw(workers: usize, events: u64, seed: u64) -> Vec<Member> {
    let mut random = Random::new(seed);
    let total_weight: u32 = CORRIDORS.iter().map(|(_, _, weight)| weight).sum();
    let long = workers as u64 * LONG_HISTORY_PER_MILLE / 1000;
    let remaining = events.saturating_sub(workers as u64 + long * u64::from(LONG_HISTORY_MONTHS));
    // The others get 1 to 2m-1 months, m on average.
    let average_short = (remaining / (workers as u64 - long).max(1)).clamp(1, 60);
    let latest = 2026 * 12 + 8; // 2026-09
    (0..workers)
        .map(|index| {
            let mut pick = random.below(u64::from(total_weight)) as u32;
            let (origin, destination, _) = *CORRIDORS
                .iter()
                .find(|(_, _, weight)| {
                    let found = pick < *weight;
                    pick = pick.saturating_sub(*weight);
                    found
                })
                .unwrap_or(&CORRIDORS[0]);
            let female = random.below(100) < 52;
            let sex = if female { pb::Sex::Female } else { pb::Sex::Male };
            let roll = random.below(100);
            let sector = match (female, roll) {
                (true, 0..=59) | (false, 0..=4) => pb::Sector::DomesticWork,
                (true, 60..=79) => pb::Sector::Care,
                (true, 80..=89) => pb::Sector::Hospitality,
                (true, _) => pb::Sector::Manufacturing,
                (false, 5..=49) => pb::Sector::Construction,
                (false, 50..=74) => pb::Sector::Manufacturing,
                (false, 75..=89) => pb::Sector::Agriculture,
                (false, _) => pb::Sector::Fishing,
            };
            let months = if (index as u64) < long {
                LONG_HISTORY_MONTHS
            } else {
                1 + random.below(2 * average_short - 1) as u32
            };
            let last_month = latest - random.below(24) as u32;
            let wage = 150_000 + random.below(250) as i64 * 1_000;
            Member { origin, destination, sex, sector, months, last_month, wage }
        })
        .collect()
}

/// `batch` contributions by the Saudi agency for random workers of the population, for months of
/// 2020 to 2024: each for a different worker, the worst case for the projections. Each is from a
/// household employer of its own (random), so that none repeats an employer's month for a worker,
/// which the ledger refuses as a duplicate.
pub fn saudi_batch(
    random: &mut Random,
    members: &[Member],
    ids: &[String],
    batch: usize,
) -> Vec<pb::Contribution> {
    (0..batch)
        .map(|_| {
            let index = random.below(members.len() as u64) as usize;
            let member = Member { destination: "SA", ..members[index].clone() };
            let month = 2020 * 12 + random.below(60) as u32;
            pb::Contribution {
                employer_ref: format!("SA-HH-{:016x}", random.next()),
                ..contribution(&ids[index], &member, month)
            }
        })
        .collect()
}

pub fn month_text(ordinal: u32) -> String {
    format!("{:04}-{:02}", ordinal / 12, ordinal % 12 + 1)
}

/// A monthly contribution of a member (illustrative shares: 9% by the employer, 5% by the worker).
pub fn contribution(worker: &str, member: &Member, month: u32) -> pb::Contribution {
    pb::Contribution {
        worker_id: worker.to_owned(),
        jurisdiction: member.destination.to_owned(),
        branch: pb::Branch::OldAge as i32,
        month: month_text(month),
        insured_wage_minor: member.wage,
        employer_share_minor: member.wage * 9 / 100,
        worker_share_minor: member.wage * 5 / 100,
        currency: currency(member.destination).to_owned(),
        employer_ref: format!("{}-EMP-{:05}", member.destination, month % 997),
        sector: member.sector as i32,
        voluntary: false,
    }
}

/// Authenticated clients for each principal of the benchmark.
#[derive(Clone)]
pub struct Agencies {
    pub address: String,
    pub tokens: Arc<HashMap<String, String>>,
}

impl Agencies {
    pub async fn clients(&self, principal: &str) -> anyhow::Result<client::Clients> {
        let token = self.tokens.get(principal).with_context(|| format!("no token for {principal}"))?;
        client::connect(&self.address, token).await.map_err(|error| anyhow::anyhow!("{error}"))
    }

    /// A cache of one connection per agency, for one task.
    pub fn connections(&self) -> Connections {
        Connections { agencies: self.clone(), open: HashMap::new() }
    }
}

/// One connection per agency, made the first time a task needs that agency.
pub struct Connections {
    agencies: Agencies,
    open: HashMap<&'static str, client::Clients>,
}

impl Connections {
    /// The clients of the agency of `jurisdiction`.
    pub async fn of(&mut self, jurisdiction: &'static str) -> anyhow::Result<&mut client::Clients> {
        if !self.open.contains_key(jurisdiction) {
            let principal = format!("agency-{}", jurisdiction.to_ascii_lowercase());
            self.open.insert(jurisdiction, self.agencies.clients(&principal).await?);
        }
        self.open.get_mut(jurisdiction).context("a connection per agency")
    }
}

/// Enrols every member with the agency of their origin; returns their ledger ids, in order.
pub async fn enrol(agencies: &Agencies, members: &[Member]) -> anyhow::Result<Vec<String>> {
    let next = Arc::new(Mutex::new(0usize));
    let ids = Arc::new(Mutex::new(vec![String::new(); members.len()]));
    let members = Arc::new(members.to_vec());
    let mut tasks = Vec::new();
    for _ in 0..ENROL_REQUESTS_IN_FLIGHT {
        let (agencies, next, ids, members) = (agencies.clone(), next.clone(), ids.clone(), members.clone());
        tasks.push(tokio::spawn(async move {
            let mut connections = agencies.connections();
            loop {
                let index = {
                    let mut next = next.lock().await;
                    *next += 1;
                    *next - 1
                };
                let Some(member) = members.get(index) else { return anyhow::Ok(()) };
                let enrolled = connections
                    .of(member.origin)
                    .await?
                    .agency
                    .enroll_worker(pb::EnrollWorkerRequest {
                        request_id: format!("bench-enrol-{index}"),
                        origin_jurisdiction: member.origin.to_owned(),
                        sex: member.sex as i32,
                        birth_month: month_text(1975 * 12 + (index % 300) as u32),
                    })
                    .await?;
                ids.lock().await[index] = enrolled.into_inner().worker_id;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    let ids = ids.lock().await.clone();
    Ok(ids)
}

/// Posts every member's contributions in batches of up to 1000 per destination agency, reverses
/// one in [`REVERSAL_EVERY`], and files and answers a claim for one worker in [`CLAIM_EVERY`].
/// Returns how many events it appended.
pub async fn load(agencies: &Agencies, members: &[Member], ids: &[String]) -> anyhow::Result<u64> {
    let (sender, receiver) = mpsc::channel::<(&'static str, Vec<pb::Contribution>)>(LOAD_REQUESTS_IN_FLIGHT);
    let receiver = Arc::new(Mutex::new(receiver));
    let reversible = Arc::new(Mutex::new(Vec::<(&'static str, u64)>::new()));
    let mut tasks = Vec::new();
    for task in 0..LOAD_REQUESTS_IN_FLIGHT {
        let (agencies, receiver, reversible) = (agencies.clone(), receiver.clone(), reversible.clone());
        tasks.push(tokio::spawn(async move {
            let mut connections = agencies.connections();
            let mut appended = 0u64;
            let mut request = 0usize;
            loop {
                let Some((destination, contributions)) = receiver.lock().await.recv().await else {
                    return anyhow::Ok(appended);
                };
                let receipts = connections
                    .of(destination)
                    .await?
                    .agency
                    .record_contributions(pb::RecordContributionsRequest {
                        request_id: format!("bench-load-{task}-{request}"),
                        contributions,
                        ..Default::default()
                    })
                    .await?
                    .into_inner()
                    .receipts;
                request += 1;
                appended += receipts.len() as u64;
                let mut reversible = reversible.lock().await;
                reversible.extend(receipts.iter().step_by(REVERSAL_EVERY).map(|r| (destination, r.seq)));
            }
        }));
    }
    let mut batches: HashMap<&'static str, Vec<pb::Contribution>> = HashMap::new();
    for (member, id) in members.iter().zip(ids) {
        let batch = batches.entry(member.destination).or_default();
        for month in (member.last_month + 1 - member.months)..=member.last_month {
            batch.push(contribution(id, member, month));
            if batch.len() == ledger_store::EVENTS_PER_REQUEST_MAX {
                sender.send((member.destination, std::mem::take(batch))).await?;
            }
        }
    }
    for (destination, batch) in batches {
        if !batch.is_empty() {
            sender.send((destination, batch)).await?;
        }
    }
    drop(sender);
    let mut appended = 0;
    for task in tasks {
        appended += task.await??;
    }
    appended += reverse_some(agencies, &reversible.lock().await).await?;
    appended += claims(agencies, members, ids).await?;
    Ok(appended)
}

async fn reverse_some(agencies: &Agencies, reversible: &[(&'static str, u64)]) -> anyhow::Result<u64> {
    let mut connections = agencies.connections();
    for (index, (destination, seq)) in reversible.iter().enumerate() {
        let request = pb::ReverseContributionRequest {
            request_id: format!("bench-reverse-{index}"),
            seq: *seq,
            reason: "posted twice by the employer's payroll".into(),
        };
        connections.of(destination).await?.agency.reverse_contribution(request).await?;
    }
    Ok(reversible.len() as u64)
}

/// One worker in [`CLAIM_EVERY`] claims the month after their last contribution, on their behalf
/// by the destination's agency; every other claim is upheld, the rest rejected.
async fn claims(agencies: &Agencies, members: &[Member], ids: &[String]) -> anyhow::Result<u64> {
    let mut appended = 0;
    let mut connections = agencies.connections();
    for (index, (member, id)) in members.iter().zip(ids).enumerate().step_by(CLAIM_EVERY) {
        let clients = connections.of(member.destination).await?;
        let month = member.last_month + 1;
        let filed = clients
            .worker
            .file_claim(pb::FileClaimRequest {
                request_id: format!("bench-claim-{index}"),
                worker_id: id.clone(),
                jurisdiction: member.destination.to_owned(),
                employer_ref: format!("{}-EMP-{:05}", member.destination, month % 997),
                months: vec![month_text(month)],
                kind: pb::ClaimKind::UnremittedDeduction as i32,
                amount_minor: Some(member.wage * 5 / 100),
                evidence_sha256: ledger_core::sha256(id.as_bytes()).to_vec(),
            })
            .await?
            .into_inner();
        let claim_seq = filed.receipt.map_or(0, |receipt| receipt.seq);
        let upheld = (index / CLAIM_EVERY).is_multiple_of(2);
        let resolution = pb::ResolveClaimRequest {
            request_id: format!("bench-resolve-{index}"),
            claim_seq,
            outcome: if upheld { pb::ClaimOutcome::Upheld } else { pb::ClaimOutcome::Rejected } as i32,
            reason: if upheld { String::new() } else { "the remittance was found".into() },
            contributions: if upheld { vec![contribution(id, member, month)] } else { vec![] },
        };
        let receipts = clients.agency.resolve_claim(resolution).await?.into_inner().receipts;
        appended += 1 + receipts.len() as u64;
    }
    Ok(appended)
}
