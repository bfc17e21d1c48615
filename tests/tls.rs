//! TLS with rustls, and mutual TLS for agencies: with a client CA configured, an agency must
//! present a certificate signed by it, while auditors and workers may connect without one.
//! The certificates are made for the test (no network, no files shipped).

mod common;

use common::TestServer;
use ledger_client::grpc::{self as client, ClientTls};
use ledger_proto::v1 as pb;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use tonic::Code;

struct Pki {
    ca_pem: String,
    server: (String, String),
    agency: (String, String),
    stranger: (String, String),
}

fn issue(names: &[&str], issuer: &rcgen::Issuer<'_, KeyPair>) -> (String, String) {
    let key = KeyPair::generate().expect("key");
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("params");
    params.distinguished_name.push(DnType::CommonName, "ledger test");
    let cert = params.signed_by(&key, issuer).expect("signed");
    (cert.pem(), key.serialize_pem())
}

fn authority(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("key")).expect("CA")
}

fn pki() -> Pki {
    let ca = authority("ledger test CA");
    let other_ca = authority("someone else's CA");
    Pki {
        ca_pem: ca.pem(),
        server: issue(&["localhost"], &ca),
        agency: issue(&["agency-ph"], &ca),
        stranger: issue(&["agency-ph"], &other_ca),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_and_mutual_tls_for_agencies() {
    let pki = pki();
    let dir = tempfile::tempdir().expect("temporary directory");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("written");
        path
    };
    let tls = ledger_server::TlsFiles {
        cert: write("server.pem", &pki.server.0),
        key: write("server.key", &pki.server.1),
        client_ca: Some(write("ca.pem", &pki.ca_pem)),
    };
    let tokens = common::make_principals(&dir);
    let running = ledger_server::start(ledger_server::ServeConfig {
        data_dir: common::data_dir(&dir),
        listen: "127.0.0.1:0".parse().expect("address"),
        rules: ledger_server::RulesSource::Sample,
        principals: Some(common::principals_file(&dir)),
        limits: ledger_server::Limits::default(),
        metrics_listen: None,
        tls: Some(tls),
        clock: ledger_store::Clock::system(),
        log_key: None,
        replica_key: None,
        accept_rollback: false,
        cluster: None,
        loopback: false,
    })
    .await
    .expect("started with TLS");
    assert_eq!(running.loopback_address, None, "no loopback listener unless asked for");
    let server = TestServer { server: running, dir, tokens };
    let address = server.server.address.to_string();
    let with = |identity: Option<&(String, String)>| ClientTls {
        ca_pem: pki.ca_pem.clone().into_bytes(),
        domain: "localhost".into(),
        identity_pem: identity.map(|(cert, key)| (cert.clone().into_bytes(), key.clone().into_bytes())),
    };

    // An auditor needs no client certificate.
    let mut auditor =
        client::connect_tls(&address, &server.tokens["auditor"], &with(None)).await.expect("TLS");
    auditor.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect("auditor over TLS");

    // An agency without a client certificate is refused even with a valid token.
    let mut bare =
        client::connect_tls(&address, &server.tokens["agency-ph"], &with(None)).await.expect("TLS");
    let enrol = pb::EnrollWorkerRequest {
        request_id: "e-1".into(),
        origin_jurisdiction: "PH".into(),
        ..Default::default()
    };
    let status = bare.agency.enroll_worker(enrol.clone()).await.expect_err("no client certificate");
    assert_eq!(status.code(), Code::PermissionDenied, "{}", status.message());

    // With a certificate from the configured CA it may write.
    let mut agency = client::connect_tls(&address, &server.tokens["agency-ph"], &with(Some(&pki.agency)))
        .await
        .expect("mTLS");
    agency.agency.enroll_worker(enrol).await.expect("agency over mutual TLS");

    // A certificate from another CA fails the handshake (or the first call).
    let stranger =
        client::connect_tls(&address, &server.tokens["agency-ph"], &with(Some(&pki.stranger))).await;
    if let Ok(mut stranger) = stranger {
        stranger
            .audit
            .get_chain_head(pb::GetChainHeadRequest {})
            .await
            .expect_err("an unknown CA is refused");
    }

    // Plain TCP is not served on a TLS port.
    let plain = client::connect(&address, &server.tokens["auditor"]).await;
    if let Ok(mut plain) = plain {
        plain.audit.get_chain_head(pb::GetChainHeadRequest {}).await.expect_err("plaintext refused");
    }
    server.stop().await;
}
