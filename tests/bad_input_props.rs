//! Random and malformed requests at every RPC, as raw protobuf bytes over real gRPC: fields of the
//! wrong wire type, strings that are not UTF-8, huge strings, months like `2024-13`, negative and
//! overflowing amounts, unknown enum values, empty and oversized batches, nested garbage. Every
//! answer is either a success the request earned or a typed error; none is INTERNAL or UNKNOWN, the
//! server never goes away, and an answer that is an error never comes with an appended event.
//! The number of cases is printed; `LEDGER_BAD_INPUT_CASES` sets the cases per RPC.

mod common;

use std::time::Duration;

use common::TestServer;
use ledger_proto::v1 as pb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::{Code, Status};

const CASES_PER_RPC_DEFAULT: u32 = 120;
/// Longest body sent: sixteen times the server's request limit.
const BODY_BYTES_MAX: usize = 16 * ledger_server::REQUEST_BYTES_MAX;

/// Every RPC: its path, who calls it (a principal allowed to, so that the request reaches the
/// checks behind authorisation), whether it writes, and whether it answers with a stream.
const RPCS: [(&str, &str, bool, bool); 23] = [
    ("/ledger.v1.AgencyService/EnrollWorker", "agency-ph", true, false),
    ("/ledger.v1.AgencyService/RecordContributions", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/ReverseContribution", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/CreditPeriods", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/GrantEntitlement", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/ChangeEntitlementStatus", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/RecordBenefitPayment", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/RecordResidenceChange", "agency-ph", true, false),
    ("/ledger.v1.AgencyService/ResolveClaim", "agency-sa", true, false),
    ("/ledger.v1.AgencyService/ListClaims", "agency-sa", false, false),
    ("/ledger.v1.WorkerService/GetStatement", "agency-sa", false, false),
    ("/ledger.v1.WorkerService/GetBalance", "agency-sa", false, false),
    ("/ledger.v1.WorkerService/FileClaim", "agency-sa", true, false),
    ("/ledger.v1.AuditService/GetChainHead", "auditor", false, false),
    ("/ledger.v1.AuditService/ReadEvents", "auditor", false, true),
    ("/ledger.v1.AuditService/VerifyChain", "auditor", false, false),
    ("/ledger.v1.AuditService/SubscribeEvents", "auditor", false, true),
    ("/ledger.v1.AuditService/GetInclusionProof", "auditor", false, false),
    ("/ledger.v1.AuditService/GetConsistencyProof", "auditor", false, false),
    ("/ledger.v1.AuditService/GetAccountabilityReport", "auditor", false, false),
    ("/ledger.v1.AuditService/GetCoverageReport", "auditor", false, false),
    ("/ledger.v1.AuditService/ReadRecoveryState", "operator", false, true),
    // Last: a well-formed call replaces the worker's credential, and later ones are refused.
    ("/ledger.v1.WorkerService/RotateCredential", "worker", true, false),
];

/// Codes that name what is wrong with a request; anything else is a defect of the server.
const TYPED: [Code; 9] = [
    Code::InvalidArgument,
    Code::NotFound,
    Code::AlreadyExists,
    Code::PermissionDenied,
    Code::FailedPrecondition,
    Code::OutOfRange,
    Code::Unauthenticated,
    Code::ResourceExhausted,
    Code::Unimplemented,
];

/// A protobuf field value of any wire type, or a nested message.
#[derive(Clone, Debug)]
enum Value {
    Varint(u64),
    Fixed64(u64),
    Fixed32(u32),
    Bytes(Vec<u8>),
    Nested(Vec<(u32, Value)>),
    /// The same nested message many times under one field: an empty or oversized batch.
    Repeated(u32, Vec<(u32, Value)>),
}

fn put_varint(mut value: u64, out: &mut Vec<u8>) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

fn encode(fields: &[(u32, Value)], out: &mut Vec<u8>) {
    for (number, value) in fields {
        let key = |wire: u64, out: &mut Vec<u8>| put_varint((u64::from(*number) << 3) | wire, out);
        match value {
            Value::Varint(v) => {
                key(0, out);
                put_varint(*v, out);
            }
            Value::Fixed64(v) => {
                key(1, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Fixed32(v) => {
                key(5, out);
                out.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bytes(bytes) => {
                key(2, out);
                put_varint(bytes.len() as u64, out);
                out.extend_from_slice(bytes);
            }
            Value::Nested(inner) => {
                let mut body = Vec::new();
                encode(inner, &mut body);
                key(2, out);
                put_varint(body.len() as u64, out);
                out.extend_from_slice(&body);
            }
            Value::Repeated(times, inner) => {
                let mut body = Vec::new();
                encode(inner, &mut body);
                for _ in 0..*times {
                    key(2, out);
                    put_varint(body.len() as u64, out);
                    out.extend_from_slice(&body);
                }
            }
        }
    }
}

/// Strings and byte strings that are wrong in the ways requests go wrong, and a few that are right.
fn text_pool(worker: &str) -> Vec<Vec<u8>> {
    let mut pool: Vec<Vec<u8>> = [
        "",
        "r-1",
        "2024-13",
        "2024-00",
        "0000-01",
        "2025-02",
        "2025-02-30",
        "2026-01-01",
        "PH",
        "SA",
        "ES",
        "ZZ",
        "sa",
        "SAR",
        "PHP",
        "EUR",
        "XXX",
        "-1",
        "١٢٣",
        "\u{0}",
        "'; DROP TABLE events; --",
        "👷",
        "W0000000000000000",
        "agency-sa",
        "OLD_AGE",
        "domestic",
        "999999999999999999999",
    ]
    .iter()
    .map(|text| text.as_bytes().to_vec())
    .collect();
    pool.push(worker.as_bytes().to_vec());
    pool.push(vec![0xff, 0xfe, 0xfd]); // not UTF-8
    pool.push(vec![b'W', 0xc3]); // a truncated UTF-8 sequence
    pool.push(vec![0xed, 0xa0, 0x80]); // an encoded surrogate
    pool.push(vec![b'x'; 200]);
    pool.push(vec![b'a'; 100_000]);
    pool.push(vec![7; 32]);
    pool.push(vec![7; 31]);
    pool
}

fn leaf(pool: Vec<Vec<u8>>) -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(pool).prop_map(Value::Bytes),
        1 => prop::collection::vec(any::<u8>(), 0..48).prop_map(Value::Bytes),
        2 => prop_oneof![
            any::<u64>(),
            Just(u64::MAX),
            Just(i64::MAX as u64),
            Just(i64::MIN as u64),
            0..20u64,
            Just(999),
            Just(100_000_000_000),
        ]
        .prop_map(Value::Varint),
        1 => any::<u64>().prop_map(Value::Fixed64),
        1 => any::<u32>().prop_map(Value::Fixed32),
    ]
}

fn nested(pool: &[Vec<u8>]) -> impl Strategy<Value = Vec<(u32, Value)>> {
    prop::collection::vec((1..=12u32, leaf(pool.to_vec())), 0..11)
}

fn message(worker: &str) -> impl Strategy<Value = Vec<(u32, Value)>> {
    let pool = text_pool(worker);
    let batch_sizes = prop::sample::select(vec![0u32, 1, 1_001, 20_000]);
    let value = prop_oneof![
        6 => leaf(pool.clone()),
        2 => nested(&pool).prop_map(Value::Nested),
        1 => (batch_sizes, nested(&pool)).prop_map(|(times, inner)| Value::Repeated(times, inner)),
    ];
    prop::collection::vec((1..=12u32, value), 0..10)
}

/// The contract's message types, from the descriptors the server answers reflection with.
struct Schema {
    messages: std::collections::HashMap<String, prost_types::DescriptorProto>,
    inputs: std::collections::HashMap<String, String>,
}

impl Schema {
    fn load() -> Schema {
        use prost::Message;
        let set =
            prost_types::FileDescriptorSet::decode(ledger_proto::FILE_DESCRIPTOR_SET).expect("descriptors");
        let mut schema = Schema { messages: Default::default(), inputs: Default::default() };
        for file in set.file {
            let package = file.package().to_owned();
            for message in file.message_type {
                schema.messages.insert(format!(".{package}.{}", message.name()), message);
            }
            for service in file.service {
                for method in &service.method {
                    let path = format!("/{package}.{}/{}", service.name(), method.name());
                    schema.inputs.insert(path, method.input_type().to_owned());
                }
            }
        }
        schema
    }

    /// A message of type `name` whose fields mostly have their declared types and values drawn
    /// from the pools, driven by `choices` (so that proptest can shrink it).
    fn build(&self, name: &str, choices: &mut Choices, pool: &[Vec<u8>], depth: u32) -> Vec<(u32, Value)> {
        use prost_types::field_descriptor_proto::{Label, Type};
        let Some(message) = self.messages.get(name) else { return Vec::new() };
        let mut fields = Vec::new();
        for field in &message.field {
            if choices.below(100) >= 85 {
                continue;
            }
            let count = match field.label() {
                Label::Repeated => [0u32, 1, 2, 3, 1_001, 20_000][choices.below(6) as usize],
                _ => 1,
            };
            let number = field.number() as u32;
            let value = if choices.below(100) < 10 {
                // The wrong wire type for the field.
                match choices.below(3) {
                    0 => Value::Varint(choices.next()),
                    1 => Value::Fixed32(choices.next() as u32),
                    _ => Value::Bytes(pool[choices.below(pool.len() as u64) as usize].clone()),
                }
            } else {
                match field.r#type() {
                    Type::String | Type::Bytes => {
                        Value::Bytes(pool[choices.below(pool.len() as u64) as usize].clone())
                    }
                    Type::Message if depth < 3 => {
                        Value::Nested(self.build(field.type_name(), choices, pool, depth + 1))
                    }
                    Type::Message => Value::Nested(Vec::new()),
                    Type::Fixed64 | Type::Sfixed64 | Type::Double => Value::Fixed64(choices.next()),
                    Type::Fixed32 | Type::Sfixed32 | Type::Float => Value::Fixed32(choices.next() as u32),
                    _ => Value::Varint(
                        [
                            0,
                            1,
                            2,
                            7,
                            12,
                            999,
                            u64::MAX,
                            i64::MAX as u64,
                            i64::MIN as u64,
                            300_000,
                            choices.next(),
                        ][choices.below(11) as usize],
                    ),
                }
            };
            for _ in 0..count.min(3) {
                fields.push((number, value.clone()));
            }
            if count > 3 {
                if let Value::Nested(inner) = value {
                    fields.push((number, Value::Repeated(count - 3, inner)));
                }
            }
        }
        if choices.below(10) == 0 {
            fields.push((40 + choices.below(10) as u32, Value::Varint(choices.next())));
        }
        fields
    }
}

/// Random choices from a list proptest generates and shrinks; zeros once it runs out.
struct Choices(std::vec::IntoIter<u64>);

impl Choices {
    fn next(&mut self) -> u64 {
        self.0.next().unwrap_or_default()
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

/// Sends and receives raw message bytes.
#[derive(Clone, Copy, Debug, Default)]
struct RawCodec;

#[derive(Clone, Copy, Debug, Default)]
struct Raw;

impl Codec for RawCodec {
    type Encode = Vec<u8>;
    type Decode = Vec<u8>;
    type Encoder = Raw;
    type Decoder = Raw;

    fn encoder(&mut self) -> Raw {
        Raw
    }

    fn decoder(&mut self) -> Raw {
        Raw
    }
}

impl Encoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut EncodeBuf<'_>) -> Result<(), Status> {
        use prost::bytes::BufMut;
        buf.put_slice(&item);
        Ok(())
    }
}

impl Decoder for Raw {
    type Item = Vec<u8>;
    type Error = Status;

    fn decode(&mut self, buf: &mut DecodeBuf<'_>) -> Result<Option<Vec<u8>>, Status> {
        use prost::bytes::Buf;
        Ok(Some(buf.copy_to_bytes(buf.remaining()).to_vec()))
    }
}

async fn call(
    channel: tonic::transport::Channel,
    path: &'static str,
    token: &str,
    body: Vec<u8>,
    streaming: bool,
) -> Result<(), Status> {
    let mut grpc = tonic::client::Grpc::new(channel).max_encoding_message_size(2 * BODY_BYTES_MAX);
    grpc.ready().await.map_err(|error| Status::unavailable(format!("the server went away: {error}")))?;
    let mut request = tonic::Request::new(body);
    let bearer = format!("Bearer {token}").parse().map_err(|_| Status::internal("token"))?;
    request.metadata_mut().insert("authorization", bearer);
    let path = PathAndQuery::from_static(path);
    if !streaming {
        return grpc.unary(request, path, RawCodec).await.map(drop);
    }
    let mut stream = grpc.server_streaming(request, path, RawCodec).await?.into_inner();
    // A few messages are enough: a subscription never ends by itself.
    for _ in 0..3 {
        match tokio::time::timeout(Duration::from_millis(100), stream.message()).await {
            Ok(Ok(Some(_))) => {}
            Ok(Ok(None)) | Err(_) => break,
            Ok(Err(status)) => return Err(status),
        }
    }
    Ok(())
}

#[test]
fn random_and_malformed_requests_at_every_rpc_get_typed_errors_and_append_nothing() {
    let cases: u32 = std::env::var("LEDGER_BAD_INPUT_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(CASES_PER_RPC_DEFAULT);
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let (server, worker, worker_token) = runtime.block_on(async {
        let server = TestServer::start().await;
        let mut ph = server.clients("agency-ph").await;
        let enrolled = common::enroll_with_credential(&mut ph, "enrol-1", "PH").await;
        let mut sa = server.clients("agency-sa").await;
        let contribution = common::contribution(&enrolled.worker_id, "SA", "SAR", "2025-01", 300_000);
        sa.agency
            .record_contributions(pb::RecordContributionsRequest {
                request_id: "c-1".into(),
                contributions: vec![contribution],
                ..Default::default()
            })
            .await
            .expect("recorded");
        (server, enrolled.worker_id, enrolled.worker_token)
    });
    let address = format!("http://{}", server.server.address);
    // A connection of its own for each RPC: past LOCAL_ERROR_RESET_STREAMS_MAX streams reset for
    // a client's malformed requests, the server closes the connection (h2's reset protection).
    let connect = || {
        runtime.block_on(async {
            tonic::transport::Endpoint::from_shared(address.clone())
                .expect("endpoint")
                .connect()
                .await
                .expect("connected")
        })
    };
    let auditor = runtime.block_on(server.clients("auditor"));
    let schema = Schema::load();
    let pool = text_pool(&worker);
    let mut total = 0u64;
    let earned = std::cell::Cell::new(0u64);
    for (path, caller, writes, streaming) in RPCS {
        let channel = connect();
        let token = match caller {
            "worker" => worker_token.clone(),
            principal => server.tokens[principal].clone(),
        };
        let ran = std::cell::Cell::new(0u32);
        let codes: std::cell::RefCell<std::collections::BTreeMap<String, u32>> = Default::default();
        let run_case = |fields: Vec<(u32, Value)>| -> Result<(), TestCaseError> {
            let mut body = Vec::new();
            encode(&fields, &mut body);
            // Far past the server's limit either way; cut so the client can send it.
            body.truncate(BODY_BYTES_MAX);
            ran.set(ran.get() + 1);
            let (answer, before, after) = runtime.block_on(async {
                let mut auditor = auditor.clone();
                let before = common::head_size(&mut auditor).await;
                let answer = call(channel.clone(), path, &token, body, streaming).await;
                (answer, before, common::head_size(&mut auditor).await)
            });
            let code = answer.as_ref().map_or_else(|status| format!("{:?}", status.code()), |()| "OK".into());
            *codes.borrow_mut().entry(code).or_default() += 1;
            match answer {
                Ok(()) if writes => earned.set(earned.get() + 1),
                Ok(()) => prop_assert_eq!(after, before, "a read appended"),
                Err(status) => {
                    prop_assert!(TYPED.contains(&status.code()), "{path}: {status:?}");
                    prop_assert_eq!(after, before, "{}: an error came with an append: {:?}", path, status);
                }
            }
            Ok(())
        };
        // Bytes with no regard for the message's schema.
        let config = Config { cases: cases / 2, failure_persistence: None, ..Config::default() };
        if let Err(failure) = TestRunner::new(config).run(&message(&worker), run_case) {
            panic!("{path}: {failure}");
        }
        // Messages of the RPC's own type whose fields hold wrong values (and sometimes wrong types).
        let input =
            schema.inputs.get(path).unwrap_or_else(|| panic!("{path} is not in the contract")).clone();
        let choices = prop::collection::vec(any::<u64>(), 0..256);
        let config = Config { cases, failure_persistence: None, ..Config::default() };
        let outcome = TestRunner::new(config).run(&choices, |choices| {
            run_case(schema.build(&input, &mut Choices(choices.into_iter()), &pool, 0))
        });
        if let Err(failure) = outcome {
            panic!("{path}: {failure}");
        }
        println!("{path}: {} cases, answers {:?}", ran.get(), codes.borrow());
        total += u64::from(ran.get());
    }
    let earned = earned.get();
    println!("bad input: {total} random and malformed requests over {} RPCs; {earned} were well-formed writes that succeeded", RPCS.len());
    runtime.block_on(server.server.stop()).expect("stopped");
}
