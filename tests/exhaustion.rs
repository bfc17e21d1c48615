//! Memory and connections have bounds, and what an attack takes is given back. Against the real
//! binary (so that its memory is its own), from 127.0.0.1, one attack after the other: silent
//! connections, event subscriptions that never read, and unauthenticated health Watch streams.
//! Meanwhile an agency on another address of this host (127.0.0.2) is answered within a second,
//! and after each attack the server's resident memory is back within a stated margin of what it
//! was before the first.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use common::make_principals;
use ledger_client::grpc as client;
use ledger_proto::v1 as pb;
use tokio::io::AsyncReadExt;
use tonic::Code;

/// What "answered meanwhile" means for the other principals.
const OTHERS_ANSWERED_WITHIN: Duration = Duration::from_secs(1);
/// How far above its memory before the attacks the server may stay after each one.
const MEMORY_MARGIN_BYTES: u64 = 48 * 1024 * 1024;
/// The defaults the binary runs with (`ledger serve --help`, deploy/ledger.toml).
const CONNECTIONS_PER_PEER_MAX: usize = 256;
const PRINCIPAL_STREAMS_MAX: usize = 16;
/// What each attack tries.
const SILENT_CONNECTIONS: usize = 1_000;
const SUBSCRIPTIONS: usize = 3_000;
const WATCHES: usize = 1_000;
const ATTACK_CONNECTIONS: usize = 24;

const ELSEWHERE: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

fn resident_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS");
    kib * 1024
}

/// How long an agency connecting from elsewhere waits for the chain head.
async fn other_agency_waits(address: &str, token: &str) -> Duration {
    let started = Instant::now();
    let mut agency = client::connect_from(address, token, ELSEWHERE).await.expect("connects from elsewhere");
    agency.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("answered");
    started.elapsed()
}

/// Waits until the server's memory is within the margin of `before`; fails the test if it is not
/// within `within`.
async fn memory_comes_back(pid: u32, before: u64, attack: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let now = resident_bytes(pid);
        if now <= before + MEMORY_MARGIN_BYTES {
            eprintln!(
                "after {attack}: {} MiB resident (before the attacks: {} MiB)",
                now >> 20,
                before >> 20
            );
            return;
        }
        assert!(
            Instant::now() < deadline,
            "after {attack} the server holds {} MiB, more than {} MiB above the {} MiB before",
            now >> 20,
            MEMORY_MARGIN_BYTES >> 20,
            before >> 20
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attacks_are_bounded_others_are_answered_and_memory_comes_back() {
    // The attacker's own sockets need descriptors too.
    ledger_server::connections::raise_file_limit();
    let dir = tempfile::tempdir().expect("temporary directory");
    let tokens = make_principals(&dir);
    let (child, address) = common::start_binary(&dir).await;
    let pid = child.id().expect("the server runs");
    let agency = tokens["agency-ph"].clone();
    other_agency_waits(&address, &agency).await;
    let before = resident_bytes(pid);

    // 1. Silent connections: past the per-address cap each is closed at once; the rest are
    // closed when they have sent nothing for CONNECTION_HANDSHAKE_MAX.
    let started = Instant::now();
    let mut silent = tokio::task::JoinSet::new();
    for _ in 0..SILENT_CONNECTIONS {
        let mut stream = tokio::net::TcpStream::connect(&address).await.expect("TCP connects");
        // Each reads what the server sends (an HTTP/2 server speaks first) until it is closed.
        silent.spawn(async move {
            let mut buffer = [0u8; 1024];
            let limit = ledger_server::connections::CONNECTION_HANDSHAKE_MAX + Duration::from_secs(10);
            let closed = tokio::time::timeout(limit, async {
                while let Ok(read) = stream.read(&mut buffer).await {
                    if read == 0 {
                        break;
                    }
                }
            })
            .await;
            closed.map(|()| started.elapsed())
        });
    }
    let waited = other_agency_waits(&address, &agency).await;
    assert!(
        waited < OTHERS_ANSWERED_WITHIN,
        "another agency waited {waited:?} during the silent connections"
    );
    let mut closed_after = Vec::new();
    while let Some(closed) = silent.join_next().await {
        closed_after.push(closed.expect("joined").expect("every silent connection is closed in time"));
    }
    let at_once = closed_after.iter().filter(|after| **after < Duration::from_secs(3)).count();
    assert_eq!(at_once, SILENT_CONNECTIONS - CONNECTIONS_PER_PEER_MAX, "connections kept from one address");
    let kept_at_least = ledger_server::connections::CONNECTION_HANDSHAKE_MAX - Duration::from_secs(1);
    assert!(closed_after.iter().filter(|after| **after >= kept_at_least).count() == CONNECTIONS_PER_PEER_MAX);
    memory_comes_back(pid, before, "the silent connections").await;

    // 2. Subscriptions that never read: the auditor holds its share of streams, the rest are
    // refused at once, and what they held is given back when they go.
    let mut connections = Vec::new();
    for _ in 0..ATTACK_CONNECTIONS {
        connections.push(client::connect(&address, &tokens["auditor"]).await.expect("connects"));
    }
    let mut tries = tokio::task::JoinSet::new();
    for index in 0..SUBSCRIPTIONS {
        let mut auditor = connections[index % ATTACK_CONNECTIONS].clone();
        tries.spawn(async move {
            let request = pb::SubscribeEventsRequest { from_seq: 0 };
            tokio::time::timeout(Duration::from_secs(10), auditor.audit.subscribe_events(request))
                .await
                .expect("an answer in time")
        });
    }
    let (mut held, mut refused) = (Vec::new(), 0);
    while let Some(answer) = tries.join_next().await {
        match answer.expect("joined") {
            Ok(stream) => held.push(stream),
            Err(status) if status.code() == Code::ResourceExhausted => refused += 1,
            Err(status) => panic!("unexpected answer: {status:?}"),
        }
    }
    assert_eq!(held.len(), PRINCIPAL_STREAMS_MAX);
    assert_eq!(refused, SUBSCRIPTIONS - PRINCIPAL_STREAMS_MAX);
    let waited = other_agency_waits(&address, &agency).await;
    assert!(waited < OTHERS_ANSWERED_WITHIN, "another agency waited {waited:?} during the subscriptions");
    drop(held);
    drop(connections);
    memory_comes_back(pid, before, "the subscriptions").await;

    // 3. Health Watch streams without a token: a few per address, the rest refused at once.
    let mut channels = Vec::new();
    for _ in 0..ATTACK_CONNECTIONS {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
            .expect("endpoint")
            .connect()
            .await
            .expect("connects");
        channels.push(tonic_health::pb::health_client::HealthClient::new(channel));
    }
    let mut tries = tokio::task::JoinSet::new();
    for index in 0..WATCHES {
        let mut health = channels[index % ATTACK_CONNECTIONS].clone();
        tries.spawn(async move {
            let request = tonic_health::pb::HealthCheckRequest { service: String::new() };
            tokio::time::timeout(Duration::from_secs(10), health.watch(request))
                .await
                .expect("an answer in time")
        });
    }
    let (mut watching, mut refused) = (Vec::new(), 0);
    while let Some(answer) = tries.join_next().await {
        match answer.expect("joined") {
            Ok(stream) => watching.push(stream),
            Err(status) if status.code() == Code::ResourceExhausted => refused += 1,
            Err(status) => panic!("unexpected answer: {status:?}"),
        }
    }
    assert_eq!(watching.len(), ledger_server::gate::PUBLIC_REQUESTS_PER_PEER_MAX);
    assert_eq!(refused, WATCHES - ledger_server::gate::PUBLIC_REQUESTS_PER_PEER_MAX);
    let waited = other_agency_waits(&address, &agency).await;
    assert!(waited < OTHERS_ANSWERED_WITHIN, "another agency waited {waited:?} during the watches");
    drop(watching);
    drop(channels);
    memory_comes_back(pid, before, "the health watches").await;
    drop(child);
}
