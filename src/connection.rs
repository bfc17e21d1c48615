//! Where the server is and who is calling, as every client command takes it (`--server`,
//! `--token`, TLS), and the connection it opens.

use std::path::PathBuf;

use anyhow::Context;
use ledger_client::grpc::{self as client, ClientTls, Clients};

/// Where the server is and who is calling.
#[derive(Debug, Clone, clap::Args)]
pub struct Connection {
    /// The server's address.
    #[arg(long, env = "LEDGER_SERVER", default_value = "127.0.0.1:50051", global = true)]
    pub server: String,
    /// The caller's bearer token.
    #[arg(long, env = "LEDGER_TOKEN", global = true, hide_env_values = true)]
    pub token: Option<String>,
    /// CA (PEM) of the server's certificate: connect over TLS.
    #[arg(long, env = "LEDGER_TLS_CA", global = true)]
    pub tls_ca: Option<PathBuf>,
    /// Name on the server's certificate.
    #[arg(long, env = "LEDGER_TLS_DOMAIN", default_value = "localhost", global = true)]
    pub tls_domain: String,
    /// Client certificate (PEM) for mutual TLS, with --tls-key.
    #[arg(long, env = "LEDGER_TLS_CERT", global = true)]
    pub tls_cert: Option<PathBuf>,
    #[arg(long, env = "LEDGER_TLS_KEY", global = true)]
    pub tls_key: Option<PathBuf>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
}

impl Connection {
    pub async fn connect(&self) -> anyhow::Result<Clients> {
        let token = self.token.as_deref().context("a token is needed: --token or LEDGER_TOKEN")?;
        let connected = match &self.tls_ca {
            None => client::connect(&self.server, token).await,
            Some(ca) => {
                let identity = match (&self.tls_cert, &self.tls_key) {
                    (Some(cert), Some(key)) => Some((std::fs::read(cert)?, std::fs::read(key)?)),
                    _ => None,
                };
                let tls = ClientTls {
                    ca_pem: std::fs::read(ca)?,
                    domain: self.tls_domain.clone(),
                    identity_pem: identity,
                };
                client::connect_tls(&self.server, token, &tls).await
            }
        };
        connected.map_err(|error| anyhow::anyhow!("cannot connect to {}: {error}", self.server))
    }
}
