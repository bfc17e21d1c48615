//! One caller must not deny service to the others. A worker opens streams with headers and no body
//! on one connection, as many as the server lets her: she reaches her own share of requests in
//! flight and the connection's advertised stream limit, while every other principal is answered
//! within a second.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use ledger_proto::v1 as pb;
use tonic::Code;

/// What "answered meanwhile" means for the other principals.
const OTHERS_ANSWERED_WITHIN: Duration = Duration::from_secs(1);
/// The log behind the zero-window streams: workers and the months of each.
const LOG_WORKERS: usize = 16;
const MONTHS_PER_WORKER: usize = 500;
/// Streams the abusive client tries to open on its one connection.
const STREAMS_TRIED: usize = 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_without_a_body_hold_only_their_own_share() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    let enrolled = common::enroll_with_credential(&mut philippines, "enrol-1", "PH").await;
    let address = server.server.address;

    let tcp = tokio::net::TcpStream::connect(address).await.expect("connected");
    let (client, mut connection) = h2::client::handshake(tcp).await.expect("HTTP/2 handshake");
    let (advertised, limit) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        // The server's SETTINGS arrive as the connection is driven.
        let limit = std::future::poll_fn(|cx| {
            if std::future::Future::poll(std::pin::Pin::new(&mut connection), cx).is_ready() {
                return std::task::Poll::Ready(None);
            }
            match connection.max_concurrent_send_streams() {
                usize::MAX => std::task::Poll::Pending,
                limit => std::task::Poll::Ready(Some(limit)),
            }
        })
        .await;
        let _ = advertised.send(limit);
        let _ = connection.await;
    });
    let mut held = Vec::new();
    for _ in 0..STREAMS_TRIED {
        let mut ready = client.clone().ready().await.expect("the connection takes requests");
        let request = grpc_request(address, "/ledger.v1.WorkerService/GetBalance", &enrolled.worker_token);
        // Headers only: the body never comes.
        held.push(ready.send_request(request, false).expect("stream opened"));
    }
    let limit = tokio::time::timeout(Duration::from_secs(5), limit).await.expect("settings in time");
    assert_eq!(limit, Ok(Some(ledger_server::STREAMS_PER_CONNECTION_MAX as usize)));

    // Beyond her share, each stream is refused at once (by the ledger, or by h2 past the
    // connection's limit); the rest wait for a body (well within
    // REQUEST_TIMEOUT, after which they too would give their permits back).
    let mut answers = tokio::task::JoinSet::new();
    let mut bodies = Vec::new();
    for (response, body) in held {
        bodies.push(body);
        answers.spawn(async move {
            match tokio::time::timeout(Duration::from_secs(3), response).await {
                Ok(Ok(response)) => {
                    let status = response.headers().get("grpc-status").and_then(|value| value.to_str().ok());
                    assert_eq!(status, Some("8"), "{response:?}");
                    true
                }
                // Opened before the client had the server's SETTINGS, past the connection's limit:
                // h2 refuses the stream before any of the ledger's code sees it.
                Ok(Err(error)) if error.reason() == Some(h2::Reason::REFUSED_STREAM) => true,
                Ok(Err(error)) => panic!("the stream failed: {error}"),
                Err(_) => false,
            }
        });
    }
    let (mut refused, mut waiting) = (0, 0);
    while let Some(answered) = answers.join_next().await {
        match answered.expect("no panic") {
            true => refused += 1,
            false => waiting += 1,
        }
    }
    let share = ledger_server::Limits::default().principal_requests_max;
    assert_eq!((waiting, refused), (share, STREAMS_TRIED - share));

    // Every other principal is answered meanwhile, promptly.
    let mut auditor = server.clients("auditor").await;
    let mut saudi = server.clients("agency-sa").await;
    for round in 0..10 {
        let started = Instant::now();
        auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("the auditor is answered");
        philippines
            .worker
            .get_balance(pb::GetBalanceRequest {
                worker_id: enrolled.worker_id.clone(),
                as_of_seq: None,
                ..Default::default()
            })
            .await
            .expect("the agency is answered");
        saudi
            .agency
            .list_claims(pb::ListClaimsRequest {
                open_only: true,
                of_our_workers: false,
                ..Default::default()
            })
            .await
            .expect("another agency is answered");
        let took = started.elapsed();
        assert!(took < OTHERS_ANSWERED_WITHIN, "round {round}: the others waited {took:?}");
    }

    // The worker herself has used her share: her next request is refused, not queued.
    let mut worker =
        ledger_client::grpc::connect(&address.to_string(), &enrolled.worker_token).await.expect("connected");
    let refused = worker
        .worker
        .get_balance(pb::GetBalanceRequest {
            worker_id: enrolled.worker_id.clone(),
            as_of_seq: None,
            ..Default::default()
        })
        .await
        .expect_err("her share is used");
    assert_eq!(refused.code(), Code::ResourceExhausted, "{refused:?}");
    assert!(refused.message().contains("requests in flight"), "{refused:?}");

    // Once her streams go, so does the hold: she is answered again.
    drop(bodies);
    drop(client);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let answer = worker
            .worker
            .get_balance(pb::GetBalanceRequest {
                worker_id: enrolled.worker_id.clone(),
                as_of_seq: None,
                ..Default::default()
            })
            .await;
        match answer {
            Ok(_) => break,
            Err(status) if status.code() == Code::ResourceExhausted && Instant::now() < deadline => {
                tokio::task::yield_now().await
            }
            Err(status) => panic!("her permits never came back: {status:?}"),
        }
    }
    server.stop().await;
}

/// The headers of a gRPC call, as a raw HTTP/2 client sends them.
fn grpc_request(address: std::net::SocketAddr, path: &str, token: &str) -> http::Request<()> {
    http::Request::builder()
        .method("POST")
        .uri(format!("http://{address}{path}"))
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .header("authorization", format!("Bearer {token}"))
        .body(())
        .expect("request")
}

/// A gRPC message as it travels: uncompressed flag, length, bytes.
fn grpc_frame(message: &impl prost::Message) -> prost::bytes::Bytes {
    let body = message.encode_to_vec();
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(body.len() as u32).to_be_bytes());
    frame.extend_from_slice(&body);
    frame.into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streams_that_grant_no_window_hold_only_their_own_share_and_no_reader() {
    let server = TestServer::start().await;
    let mut philippines = server.clients("agency-ph").await;
    // More events than a stream's buffer and h2's send buffer hold together, so that a stream
    // nobody reads stays open rather than ending once its events are buffered.
    let mut worker = String::new();
    for index in 0..LOG_WORKERS {
        worker = common::enroll(&mut philippines, &format!("enrol-{index}"), "PH").await;
        let contributions = (0..MONTHS_PER_WORKER).map(|month| {
            let month = format!("{}-{:02}", 1980 + month / 12, month % 12 + 1);
            common::contribution(&worker, "PH", "PHP", &month, 1_000_000)
        });
        philippines
            .agency
            .record_contributions(pb::RecordContributionsRequest {
                request_id: format!("c-{index}"),
                contributions: contributions.collect(),
                ..Default::default()
            })
            .await
            .expect("recorded");
    }
    let address = server.server.address;

    // An auditor's connection that grants the server no flow-control window: nothing it asks for
    // can ever be sent to it.
    let tcp = tokio::net::TcpStream::connect(address).await.expect("connected");
    let (client, connection) =
        h2::client::Builder::new().initial_window_size(0).handshake(tcp).await.expect("HTTP/2 handshake");
    tokio::spawn(connection);
    let tried = 48;
    let mut answers = tokio::task::JoinSet::new();
    let mut held = Vec::new();
    for _ in 0..tried {
        let mut ready = client.clone().ready().await.expect("the connection takes requests");
        let request = grpc_request(address, "/ledger.v1.AuditService/ReadEvents", &server.tokens["auditor"]);
        let (response, mut body) = ready.send_request(request, false).expect("stream opened");
        body.send_data(grpc_frame(&pb::ReadEventsRequest { from_seq: 0, limit: 0 }), true).expect("sent");
        answers.spawn(async move {
            let response = tokio::time::timeout(Duration::from_secs(3), response).await;
            let response = response.expect("response headers are not flow-controlled").expect("a response");
            let status = response.headers().get("grpc-status").and_then(|value| value.to_str().ok());
            // Refused at once (a trailers-only answer), or accepted and stuck behind the window.
            (status.map(str::to_owned), response)
        });
        held.push(body);
    }
    let (mut refused, mut accepted, mut responses) = (0, 0, Vec::new());
    while let Some(answer) = answers.join_next().await {
        let (status, response) = answer.expect("no panic");
        match status.as_deref() {
            Some("8") => refused += 1,
            None => accepted += 1,
            other => panic!("unexpected status {other:?}"),
        }
        responses.push(response);
    }
    let share = ledger_server::Limits::default().principal_streams_max;
    assert_eq!((accepted, refused), (share, tried - share));

    // Meanwhile every other reader is answered promptly, by the store's read pool.
    let mut operator = server.clients("operator").await;
    for round in 0..10 {
        let started = Instant::now();
        philippines
            .worker
            .get_balance(pb::GetBalanceRequest {
                worker_id: worker.clone(),
                as_of_seq: None,
                ..Default::default()
            })
            .await
            .expect("balance");
        philippines
            .worker
            .get_statement(pb::GetStatementRequest {
                min_seq: None,
                worker_id: worker.clone(),
                from_seq: 0,
                limit: 0,
            })
            .await
            .expect("statement");
        philippines
            .agency
            .list_claims(pb::ListClaimsRequest {
                open_only: false,
                of_our_workers: true,
                ..Default::default()
            })
            .await
            .expect("claims");
        operator.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("chain head");
        let took = started.elapsed();
        assert!(took < OTHERS_ANSWERED_WITHIN, "round {round}: the others waited {took:?}");
    }
    drop((responses, held, client));
    server.stop().await;
}
