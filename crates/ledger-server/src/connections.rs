//! The connections the server accepts: at most `connections_max` at once, at most
//! `connections_per_peer_max` from one address, and none that stays silent. A connection beyond a
//! cap is closed as soon as it is accepted; one that sends nothing within
//! [`CONNECTION_HANDSHAKE_MAX`] of opening, or nothing at all for [`CONNECTION_SILENCE_MAX`] once
//! open (a healthy HTTP/2 peer answers the server's keepalive pings well within it), is closed.
//! Running out of file descriptors is logged and waited out, never spun on.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Sleep;
use tonic::transport::server::{Connected, TcpConnectInfo};
use tracing::warn;

use crate::metrics::Metrics;

/// How long a new connection may take to send its first bytes (a TLS hello or the HTTP/2
/// preface).
pub const CONNECTION_HANDSHAKE_MAX: Duration = Duration::from_secs(10);
/// How long an open connection may send nothing at all. The server pings every
/// `KEEPALIVE_INTERVAL` (30 s), so a live peer is never silent this long.
pub const CONNECTION_SILENCE_MAX: Duration = Duration::from_secs(75);
/// How long accepting pauses when the process is out of file descriptors.
pub const ACCEPT_PAUSE_ON_EXHAUSTION: Duration = Duration::from_millis(100);
/// File descriptors kept for the store, the logs and the metrics port, out of the process's limit.
pub const FILE_DESCRIPTORS_RESERVED: u64 = 256;
/// How often a refusal of the same kind is logged at most (each is counted in the metrics).
const REFUSAL_LOG_INTERVAL: Duration = Duration::from_secs(10);

/// The connections open now, in all and by peer address.
#[derive(Debug, Default)]
struct Open {
    all: AtomicUsize,
    by_peer: Mutex<HashMap<IpAddr, usize>>,
}

/// Accepts connections from a listener within the caps.
#[derive(Debug)]
pub struct Incoming {
    listener: TcpListener,
    open: Arc<Open>,
    most: usize,
    most_per_peer: usize,
    metrics: Arc<Metrics>,
    paused: Option<Pin<Box<Sleep>>>,
    logged: Option<Instant>,
}

impl Incoming {
    pub fn new(listener: TcpListener, most: usize, most_per_peer: usize, metrics: Arc<Metrics>) -> Incoming {
        Incoming { listener, open: Arc::default(), most, most_per_peer, metrics, paused: None, logged: None }
    }

    /// Logs `message` unless a refusal was logged within [`REFUSAL_LOG_INTERVAL`].
    fn log_now(&mut self) -> bool {
        let due = self.logged.is_none_or(|at| at.elapsed() >= REFUSAL_LOG_INTERVAL);
        if due {
            self.logged = Some(Instant::now());
        }
        due
    }

    /// Counts the connection from `peer` in, or says which cap it would pass.
    fn admit(&self, peer: IpAddr) -> Result<Slot, &'static str> {
        let mut by_peer = self.open.by_peer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.open.all.load(Ordering::Relaxed) >= self.most {
            return Err("connections_max");
        }
        let from_peer = by_peer.entry(peer).or_insert(0);
        if *from_peer >= self.most_per_peer {
            return Err("connections_per_peer_max");
        }
        *from_peer += 1;
        self.open.all.fetch_add(1, Ordering::Relaxed);
        Ok(Slot { open: self.open.clone(), peer })
    }
}

impl tokio_stream::Stream for Incoming {
    type Item = io::Result<Limited>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            if let Some(paused) = self.paused.as_mut() {
                if paused.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                self.paused = None;
            }
            let (stream, address) = match self.listener.poll_accept(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(accepted)) => accepted,
                Poll::Ready(Err(error)) if is_exhaustion(&error) => {
                    self.metrics.connection_refused("file_descriptors");
                    if self.log_now() {
                        warn!(%error, "out of file descriptors: accepting pauses until connections close");
                    }
                    self.paused = Some(Box::pin(tokio::time::sleep(ACCEPT_PAUSE_ON_EXHAUSTION)));
                    continue;
                }
                // A connection reset before it was accepted, and the like: the next one may do.
                Poll::Ready(Err(_)) => continue,
            };
            let slot = match self.admit(address.ip()) {
                Ok(slot) => slot,
                Err(cap) => {
                    // Dropping the stream closes it at once.
                    drop(stream);
                    self.metrics.connection_refused(cap);
                    if self.log_now() {
                        warn!(peer = %address.ip(), limit = cap, "connection refused: at the limit of open connections");
                    }
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            return Poll::Ready(Some(Ok(Limited::new(stream, slot))));
        }
    }
}

fn is_exhaustion(error: &io::Error) -> bool {
    // EMFILE (the process's limit) and ENFILE (the system's).
    matches!(error.raw_os_error(), Some(24) | Some(23))
}

/// One counted connection; counted out when dropped.
#[derive(Debug)]
struct Slot {
    open: Arc<Open>,
    peer: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.open.all.fetch_sub(1, Ordering::Relaxed);
        let mut by_peer = self.open.by_peer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(count) = by_peer.get_mut(&self.peer) {
            *count -= 1;
            if *count == 0 {
                by_peer.remove(&self.peer);
            }
        }
    }
}

/// An accepted connection that ends with an error when its peer stays silent too long.
#[derive(Debug)]
pub struct Limited {
    stream: TcpStream,
    _slot: Slot,
    /// When the peer must have sent something by; moved on by every read that brings bytes.
    deadline: Pin<Box<Sleep>>,
    heard: bool,
}

impl Limited {
    fn new(stream: TcpStream, slot: Slot) -> Limited {
        Limited {
            stream,
            _slot: slot,
            deadline: Box::pin(tokio::time::sleep(CONNECTION_HANDSHAKE_MAX)),
            heard: false,
        }
    }
}

impl Connected for Limited {
    type ConnectInfo = TcpConnectInfo;

    fn connect_info(&self) -> TcpConnectInfo {
        self.stream.connect_info()
    }
}

impl AsyncRead for Limited {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    self.heard = true;
                    let next = tokio::time::Instant::now() + CONNECTION_SILENCE_MAX;
                    self.deadline.as_mut().reset(next);
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => {
                    let waited = if self.heard { "silent" } else { "sent nothing since it opened" };
                    Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, format!("the peer {waited}"))))
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

impl AsyncWrite for Limited {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

/// Raises the process's soft limit on open files to its hard limit, and returns how many
/// connections it leaves room for beside [`FILE_DESCRIPTORS_RESERVED`]; none when unlimited.
pub fn raise_file_limit() -> Option<u64> {
    use rustix::process::{getrlimit, setrlimit, Resource, Rlimit};
    let limit = getrlimit(Resource::Nofile);
    let raised = Rlimit { current: limit.maximum, maximum: limit.maximum };
    let current = match setrlimit(Resource::Nofile, raised) {
        Ok(()) => limit.maximum,
        Err(_) => limit.current,
    };
    current.map(|files| files.saturating_sub(FILE_DESCRIPTORS_RESERVED))
}
