//! The server's configuration file. Every field is optional: a value given on the command line or
//! in a `LEDGER_*` environment variable wins over the file, and the file over the defaults.
//! Unknown fields are refused, so a misspelt setting is an error rather than a silent default.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::gate::Limits;

/// Largest configuration file accepted, in bytes.
pub const CONFIG_FILE_LEN_MAX: usize = 64 * 1024;

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub rules: Option<PathBuf>,
    pub principals: Option<PathBuf>,
    pub metrics_listen: Option<SocketAddr>,
    #[serde(default)]
    pub limits: LimitsFile,
    pub tls: Option<crate::TlsFiles>,
    /// The log's signing key file; `DATA_DIR/log-key` when absent.
    pub log_key: Option<PathBuf>,
    /// This replica's cosigning key file; `DATA_DIR/replica-key` when absent.
    pub replica_key: Option<PathBuf>,
    /// The cluster this replica belongs to; a cluster of one when absent.
    pub cluster: Option<ClusterFile>,
    /// Where the workers' web portal listens (HOST:PORT), or `off`; 127.0.0.1:8080 when absent.
    pub portal_listen: Option<String>,
    /// The portal's address as workers' phones reach it (`https://…`), printed in the QR code
    /// of a printed statement; `http://` and the address it listens on when absent.
    pub portal_url: Option<String>,
}

/// A replica's place in its cluster (`[cluster]`).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ClusterFile {
    /// This replica's id, at least 1; `--node-id` or `LEDGER_NODE_ID` wins (one file for every
    /// replica of a StatefulSet).
    pub node_id: Option<u64>,
    /// Names the cluster in raft's messages; `ledger` when absent.
    pub name: Option<String>,
    /// Where this replica's replica service listens, for the other replicas.
    pub listen: SocketAddr,
    /// HOST:PORT the other replicas reach this one's replica service at; the bound address when
    /// absent.
    pub advertise: Option<String>,
    /// HOST:PORT clients reach this replica's gRPC services at, named by followers to send writes
    /// to the leader; the bound address when absent.
    pub api_advertise: Option<String>,
    /// The cluster's shared secret (at least 32 printable characters), readable only by the
    /// ledger's user.
    pub secret_file: PathBuf,
    /// How often the leader tells the others it leads, in milliseconds (50 when absent).
    pub heartbeat_ms: Option<u64>,
    /// The shortest election timeout, in milliseconds; the longest is twice it (250 when absent).
    /// Replicas in different countries set it to ten round trips between them at least.
    pub election_timeout_ms: Option<u64>,
    /// Raft entries applied since the last snapshot before another is taken (10000 when absent);
    /// one is taken only once the log also grew by half the last snapshot's events.
    pub snapshot_entries: Option<u64>,
    /// Raft entries kept in the raft log before the last snapshot, so that a replica a little
    /// behind catches up from the log (1000 when absent). One further behind installs a snapshot.
    pub log_entries_kept: Option<u64>,
    /// The members the cluster starts with. A replica among them initializes the cluster with
    /// them the first time it starts; one not among them waits to be added. Empty: this replica
    /// starts a cluster of its own, which others join.
    #[serde(default)]
    pub members: Vec<MemberFile>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MemberFile {
    pub id: u64,
    /// HOST:PORT of its replica service.
    pub replica: String,
    /// HOST:PORT of its gRPC services.
    pub api: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    pub requests_per_second: Option<f64>,
    pub burst: Option<f64>,
    pub concurrent_requests_max: Option<usize>,
    pub principal_requests_max: Option<usize>,
    pub principal_streams_max: Option<usize>,
    pub subscriber_stall_max_ms: Option<u64>,
    pub scrub_events_per_second: Option<u64>,
    pub connections_max: Option<usize>,
    pub connections_per_peer_max: Option<usize>,
    pub session_idle_max_minutes: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {error}")]
    Read { path: String, error: std::io::Error },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|error| ConfigError::Read { path: shown.clone(), error })?;
        if text.len() > CONFIG_FILE_LEN_MAX {
            return Err(ConfigError::Invalid {
                path: shown,
                message: format!("larger than {CONFIG_FILE_LEN_MAX} bytes"),
            });
        }
        let config: ConfigFile = toml::from_str(&text).map_err(|error| ConfigError::Invalid {
            path: shown.clone(),
            message: error.message().to_owned(),
        })?;
        config.limits.check().map_err(|message| ConfigError::Invalid { path: shown, message })?;
        Ok(config)
    }
}

impl LimitsFile {
    fn check(&self) -> Result<(), String> {
        let positive = |name: &str, value: Option<f64>| match value {
            Some(value) if !(value.is_finite() && value >= 1.0) => {
                Err(format!("limits.{name} must be at least 1"))
            }
            _ => Ok(()),
        };
        positive("requests_per_second", self.requests_per_second)?;
        positive("burst", self.burst)?;
        positive("concurrent_requests_max", self.concurrent_requests_max.map(|v| v as f64))?;
        positive("principal_requests_max", self.principal_requests_max.map(|v| v as f64))?;
        positive("principal_streams_max", self.principal_streams_max.map(|v| v as f64))?;
        positive("scrub_events_per_second", self.scrub_events_per_second.map(|v| v as f64))?;
        positive("subscriber_stall_max_ms", self.subscriber_stall_max_ms.map(|v| v as f64))?;
        positive("connections_max", self.connections_max.map(|v| v as f64))?;
        positive("connections_per_peer_max", self.connections_per_peer_max.map(|v| v as f64))?;
        positive("session_idle_max_minutes", self.session_idle_max_minutes.map(|v| v as f64))?;
        Ok(())
    }

    /// These limits over `base`.
    pub fn over(&self, base: Limits) -> Limits {
        Limits {
            requests_per_second: self.requests_per_second.unwrap_or(base.requests_per_second),
            burst: self.burst.unwrap_or(base.burst),
            concurrent_requests_max: self.concurrent_requests_max.unwrap_or(base.concurrent_requests_max),
            principal_requests_max: self.principal_requests_max.unwrap_or(base.principal_requests_max),
            principal_streams_max: self.principal_streams_max.unwrap_or(base.principal_streams_max),
            scrub_events_per_second: self.scrub_events_per_second.unwrap_or(base.scrub_events_per_second),
            subscriber_stall_max: self
                .subscriber_stall_max_ms
                .map_or(base.subscriber_stall_max, Duration::from_millis),
            connections_max: self.connections_max.unwrap_or(base.connections_max),
            connections_per_peer_max: self.connections_per_peer_max.unwrap_or(base.connections_per_peer_max),
            session_idle_max: self
                .session_idle_max_minutes
                .map_or(base.session_idle_max, |minutes| Duration::from_secs(minutes.saturating_mul(60))),
        }
    }
}
