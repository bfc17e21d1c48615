//! What one more event costs a worker with a long history, next to one with a short history: single
//! contributions and filed claims, sent one at a time by one client, in alternation between the two
//! workers so that both see the same machine.

use std::time::{Duration, Instant};

use anyhow::Context;
use ledger_proto::v1 as pb;

use super::population::Agencies;

/// The two histories compared.
pub const SHORT_HISTORY_EVENTS: usize = 10;
pub const LONG_HISTORY_EVENTS: usize = 10_000;
/// Employers per month of the long history: a domestic worker with several households a month, so
/// that 10,000 contributions fit in 40 years.
const EMPLOYERS_PER_MONTH: usize = 21;
/// Rounds of the comparison, and requests to each worker per round (the claims stay below the
/// open claims a worker may have).
const ROUNDS: usize = 5;
const APPENDS_PER_ROUND: usize = 100;
const CLAIMS_PER_ROUND: usize = 18;

/// Requests per second to the worker with the short and with the long history.
#[derive(Clone, Copy, Debug)]
pub struct HistoryCost {
    pub appends_short: f64,
    pub appends_long: f64,
    pub claims_short: f64,
    pub claims_long: f64,
}

fn contribution(worker: &str, month: String, employer: usize) -> pb::Contribution {
    pb::Contribution {
        worker_id: worker.to_owned(),
        jurisdiction: "PH".into(),
        branch: pb::Branch::OldAge as i32,
        month,
        insured_wage_minor: 1_200_000,
        employer_share_minor: 114_000,
        worker_share_minor: 54_000,
        currency: "PHP".into(),
        employer_ref: format!("PH-HH-{employer:04}"),
        sector: pb::Sector::DomesticWork as i32,
        voluntary: false,
    }
}

/// The `index`th month from January 1986.
fn month(index: usize) -> String {
    format!("{}-{:02}", 1986 + index / 12, index % 12 + 1)
}

/// Enrols a worker in the Philippines and records `events` contributions for her, less her
/// enrolment; returns her id and her credential.
async fn worker_with_history(
    agencies: &Agencies,
    name: &str,
    events: usize,
) -> anyhow::Result<(String, String)> {
    let mut agency = agencies.clients("agency-ph").await?.agency;
    let request = pb::EnrollWorkerRequest {
        request_id: format!("history-{name}"),
        origin_jurisdiction: "PH".into(),
        ..Default::default()
    };
    let enrolled = agency.enroll_worker(request).await?.into_inner();
    let items: Vec<pb::Contribution> = (0..events.saturating_sub(1))
        .map(|index| {
            contribution(&enrolled.worker_id, month(index / EMPLOYERS_PER_MONTH), index % EMPLOYERS_PER_MONTH)
        })
        .collect();
    for (chunk, contributions) in items.chunks(ledger_store::EVENTS_PER_REQUEST_MAX).enumerate() {
        let request_id = format!("history-{name}-{chunk}");
        let request = pb::RecordContributionsRequest {
            request_id,
            contributions: contributions.to_vec(),
            ..Default::default()
        };
        agency.record_contributions(request).await?;
    }
    Ok((enrolled.worker_id, enrolled.worker_token))
}

/// Measures [`HistoryCost`] on a server the agencies reach.
pub async fn measure(agencies: &Agencies) -> anyhow::Result<HistoryCost> {
    let short = worker_with_history(agencies, "short", SHORT_HISTORY_EVENTS).await?;
    let long = worker_with_history(agencies, "long", LONG_HISTORY_EVENTS).await?;
    let mut agency = agencies.clients("agency-ph").await?.agency;
    let mut elapsed = [Duration::ZERO; 4];
    let mut sent = 0usize;
    for round in 0..ROUNDS {
        // Each round starts with the other worker, so that neither always goes first.
        let order = if round % 2 == 0 { [(0, &short), (1, &long)] } else { [(1, &long), (0, &short)] };
        for (slot, (worker, _)) in order {
            let started = Instant::now();
            for index in 0..APPENDS_PER_ROUND {
                sent += 1;
                let request = pb::RecordContributionsRequest {
                    request_id: format!("history-append-{sent}"),
                    contributions: vec![contribution(worker, month(480 + round), 100 + index)],
                    ..Default::default()
                };
                agency.record_contributions(request).await?;
            }
            elapsed[slot] += started.elapsed();
        }
        for (slot, (_, token)) in order {
            let mut herself = ledger_client::grpc::connect(&agencies.address, token)
                .await
                .map_err(|error| anyhow::anyhow!("{error}"))?
                .worker;
            let started = Instant::now();
            for index in 0..CLAIMS_PER_ROUND {
                sent += 1;
                let request = pb::FileClaimRequest {
                    request_id: format!("history-claim-{sent}"),
                    worker_id: String::new(),
                    jurisdiction: "PH".into(),
                    employer_ref: format!("PH-HH-{index:04}"),
                    months: vec![month(round * CLAIMS_PER_ROUND + index)],
                    kind: pb::ClaimKind::MissingContribution as i32,
                    amount_minor: None,
                    evidence_sha256: vec![9; 32],
                };
                herself.file_claim(request).await.context("filing a claim")?;
            }
            elapsed[2 + slot] += started.elapsed();
        }
    }
    let rate = |requests: usize, took: Duration| (ROUNDS * requests) as f64 / took.as_secs_f64().max(1e-9);
    Ok(HistoryCost {
        appends_short: rate(APPENDS_PER_ROUND, elapsed[0]),
        appends_long: rate(APPENDS_PER_ROUND, elapsed[1]),
        claims_short: rate(CLAIMS_PER_ROUND, elapsed[2]),
        claims_long: rate(CLAIMS_PER_ROUND, elapsed[3]),
    })
}
