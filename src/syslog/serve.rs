//! `mutt syslog serve`: the listeners (UDP, TCP, TLS, RELP) on the shared daemon runtime, feeding
//! the ingest queue through ingest's group-commit writer and enqueue script.
//!
//! Every message becomes an event (an unparsable line too, whole), stamped like an ingest event.
//! What is acknowledged is stored: a stream connection is not read again until its last batch is
//! in Redis, so a full queue or a Redis outage stops the senders (TCP's window, RELP's window)
//! instead of losing messages; RELP's `rsp 200` goes out only after Redis answered. UDP cannot
//! push back: it keeps a bounded backlog and counts what it must drop, by reason.

use super::framing::Deframer;
use super::metrics::Metrics;
use super::parse::{parse_line, Context};
use super::relp::{self, Action, Oversize, Session};
use crate::daemon::{self, DaemonError, Flag, Runtime, Spec};
use crate::ingest::writer::{self, WriteError, Writer, WriterThread};
use crate::settings::{registry, ConfigError, Settings};
use crate::shutdown::Shutdown;
use crate::store::redis::keys::Keys;
use crate::store::redis::scripts::EnqueueOutcome;
use crate::store::redis::{RedisConfig, RedisConnector};
use crate::wire::event::{stamped_text, Stamp, StampText};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{mpsc, watch, Semaphore};

/// `/health`'s service name.
pub const SERVICE: &str = "mutt-syslog";
/// Dynamic keys read (through the writer's queue limit).
pub const DYNAMIC_KEYS: [&str; 1] = [crate::settings::dynamic_keys::MAX_INGEST_QUEUE_SIZE];

/// Bytes asked of the kernel per stream read.
const READ_CHUNK: usize = 64 * 1024;
/// Most messages per UDP store.
const UDP_BATCH: usize = 2048;
/// Bytes of datagrams the UDP reader may hold while the storers wait on Redis: counted in bytes,
/// not bursts, because a reader that keeps up takes a few datagrams per wake-up (about 100,000
/// typical lines, twice the kernel's receive buffer; the daemon's RSS bound).
const UDP_BACKLOG_BYTES: usize = 16 * 1024 * 1024;
/// What one held datagram costs besides its bytes (its entry in the burst).
const UDP_DATAGRAM_OVERHEAD: usize = 32;
const UDP_STORERS: usize = 2;
/// Most datagrams taken off the socket per wake-up (one storer batch's share).
const UDP_BURST: usize = 256;
/// Receive buffer asked for the UDP socket (the kernel caps it at net.core.rmem_max).
const UDP_RECV_BUFFER: usize = 8 * 1024 * 1024;
/// How long a stopping daemon keeps trying to store what it has read.
const DRAIN_DEADLINE: Duration = Duration::from_secs(10);
/// How long a stopping connection waits for more of what the sender already wrote, and how long
/// it keeps reading in all.
const LAST_READ_WAIT: Duration = Duration::from_millis(50);
const LAST_READS_BUDGET: Duration = Duration::from_secs(2);
/// Pause between store attempts while the queue is full or Redis unreachable.
const RETRY_MIN: Duration = Duration::from_millis(50);
const RETRY_MAX: Duration = Duration::from_secs(2);

/// Listener addresses given as flags (`--udp ADDR:PORT` …); they win over the port settings,
/// and port 0 there means any free port.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--udp`.
    pub udp: Option<String>,
    /// `--tcp`.
    pub tcp: Option<String>,
    /// `--tls`.
    pub tls: Option<String>,
    /// `--relp`.
    pub relp: Option<String>,
}

/// A syslog transport, also the `transport` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// RFC 5426.
    Udp,
    /// RFC 6587.
    Tcp,
    /// RFC 5425.
    Tls,
    /// rsyslog's RELP.
    Relp,
}

impl Transport {
    /// The metric label.
    pub fn label(self) -> &'static str {
        match self {
            Transport::Udp => "udp",
            Transport::Tcp => "tcp",
            Transport::Tls => "tls",
            Transport::Relp => "relp",
        }
    }

    fn setting(self) -> &'static registry::Def {
        match self {
            Transport::Udp => &registry::SYSLOG_UDP_PORT,
            Transport::Tcp => &registry::SYSLOG_TCP_PORT,
            Transport::Tls => &registry::SYSLOG_TLS_PORT,
            Transport::Relp => &registry::SYSLOG_RELP_PORT,
        }
    }
}

/// The comma-separated CIDR list of `SYSLOG_ALLOWED_SOURCES` (a bare address is a /32 or /128).
pub fn parse_sources(text: &str) -> Result<Vec<IpNet>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("{s:?} is not an address or CIDR"))
        })
        .collect()
}

/// Whether `ip` may send: no list allows everyone. IPv4 senders seen on an IPv6 socket as
/// `::ffff:a.b.c.d` match IPv4 entries.
pub fn source_allowed(allowed: &[IpNet], ip: IpAddr) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    allowed.is_empty() || allowed.iter().any(|net| net.contains(&ip))
}

/// The address `transport` listens on: the flag, else `MUTT_BIND_ADDRESS:<port setting>`;
/// `None` when it is off (port 0, or TLS without a certificate).
fn listen_address(
    settings: &Settings,
    transport: Transport,
    flag: Option<&String>,
    tls_configured: bool,
) -> Result<Option<String>, ConfigError> {
    if transport == Transport::Tls && !tls_configured {
        return match flag {
            Some(_) => Err(ConfigError::new(
                "SYSLOG_TLS_CERT_PATH",
                "required for --tls (with SYSLOG_TLS_KEY_PATH)",
            )),
            None => Ok(None),
        };
    }
    if let Some(addr) = flag {
        return Ok(Some(addr.clone()));
    }
    let port = settings.port(transport.setting());
    if port == 0 {
        return Ok(None);
    }
    let bind = settings.text(&registry::MUTT_BIND_ADDRESS);
    Ok(Some(format!("{bind}:{port}")))
}

fn bind_failed(transport: Transport, addr: &str, e: std::io::Error) -> DaemonError {
    DaemonError::Io(std::io::Error::new(
        e.kind(),
        format!(
            "cannot listen on {addr} ({} {}): {e}",
            transport.setting().name,
            transport.label()
        ),
    ))
}

/// How the store attempts are going, for the reason of a UDP drop.
const STATE_OK: u8 = 0;
const STATE_FULL: u8 = 1;
const STATE_REDIS_DOWN: u8 = 2;

/// How a store ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    Yes,
    QueueFull,
    NotBeforeShutdown,
}

/// What every listener task shares.
struct Shared {
    writer: Writer,
    metrics: Metrics,
    /// `received` by transport, resolved once: it is bumped per message.
    received: [prometheus::IntCounter; 4],
    default_tz: chrono_tz::Tz,
    max_message: usize,
    allowed: Vec<IpNet>,
    connections: Arc<Semaphore>,
    idle: Option<Duration>,
    stop: watch::Receiver<bool>,
    redis_ok: Flag,
    store_state: AtomicU8,
}

impl Shared {
    /// One message as a queued event (parsed, or whole when no format matched), counted.
    fn event(
        &self,
        transport: Transport,
        line: &[u8],
        truncated: bool,
        peer: IpAddr,
        stamp: &StampText,
    ) -> String {
        let label = transport.label();
        self.received[transport as usize].inc();
        let parsed = parse_line(
            line,
            &Context {
                received_at: chrono::Utc::now(),
                source_ip: peer,
                default_tz: self.default_tz,
            },
        );
        if parsed.fallback {
            self.metrics
                .parse_fallbacks
                .with_label_values(&[label])
                .inc();
        }
        if parsed.lossy_utf8 {
            self.metrics.invalid_utf8.with_label_values(&[label]).inc();
        }
        if truncated {
            self.metrics.truncated.with_label_values(&[label]).inc();
        }
        stamped_text(&parsed.event, stamp)
    }

    /// One enqueue attempt of `events` (all or nothing); the events come back for a retry.
    async fn store_once(
        &self,
        events: Vec<String>,
    ) -> (Result<EnqueueOutcome, WriteError>, Option<Vec<String>>) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.writer.submit_then(
            events,
            Box::new(move |result, events| {
                let _ = tx.send((result, events));
            }),
        );
        match rx.await {
            Ok((result, events)) => (result.map(|(outcome, _limit)| outcome), Some(events)),
            Err(_) => (Err(WriteError::Redis("writer stopped".to_string())), None),
        }
    }

    /// Store `events`, waiting out a full queue or a Redis outage, until stored or the daemon
    /// stops and the drain deadline passes.
    async fn store(&self, transport: Transport, events: Vec<String>) -> bool {
        self.store_until(transport, events, true).await == Stored::Yes
    }

    /// Like [`Shared::store`]; with `wait_when_full` false a full queue gives up at once (UDP:
    /// holding datagrams for a queue that operators keep bounded only moves the drop elsewhere).
    async fn store_until(
        &self,
        transport: Transport,
        events: Vec<String>,
        wait_when_full: bool,
    ) -> Stored {
        let count = events.len() as u64;
        let mut events = events;
        let mut delay = RETRY_MIN;
        let mut stopping_since: Option<tokio::time::Instant> = None;
        let mut paused = false;
        loop {
            let (result, back) = self.store_once(events).await;
            let Some(back) = back else {
                // The writer is gone (the daemon is stopping): nothing more can be stored.
                return Stored::NotBeforeShutdown;
            };
            events = back;
            match result {
                Ok(EnqueueOutcome::Queued { .. }) => {
                    self.redis_ok.set(true);
                    self.store_state.store(STATE_OK, Ordering::Relaxed);
                    self.metrics
                        .queued
                        .with_label_values(&[transport.label()])
                        .inc_by(count);
                    return Stored::Yes;
                }
                Ok(EnqueueOutcome::Full { depth }) => {
                    self.redis_ok.set(true);
                    self.store_state.store(STATE_FULL, Ordering::Relaxed);
                    if !wait_when_full {
                        return Stored::QueueFull;
                    }
                    if !paused {
                        log::warn!(
                            "syslog {}: ingest queue full ({depth}); not reading until it drains",
                            transport.label()
                        );
                    }
                }
                Err(e) => {
                    self.redis_ok.set(false);
                    self.store_state.store(STATE_REDIS_DOWN, Ordering::Relaxed);
                    if !paused {
                        log::warn!(
                            "syslog {}: cannot store {count} message(s): {e}; retrying",
                            transport.label()
                        );
                    }
                }
            }
            if !paused {
                paused = true;
                self.metrics
                    .paused
                    .with_label_values(&[transport.label()])
                    .inc();
            }
            if *self.stop.borrow() {
                let since = *stopping_since.get_or_insert_with(tokio::time::Instant::now);
                if since.elapsed() > DRAIN_DEADLINE {
                    return Stored::NotBeforeShutdown;
                }
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(RETRY_MAX);
        }
    }
}

/// The ingest stamps the messages of one read share, rendered once: a correlation id, the receive
/// time and a trace (per message they would cost a UUID and a span each for nothing an operator
/// searches by; every message still gets its own `_event_id`).
fn read_stamp() -> StampText {
    let correlation_id = uuid::Uuid::new_v4().to_string();
    let received_at = crate::timefmt::millis(chrono::Utc::now());
    let traceparent = crate::trace::TraceContext::new_root().header();
    StampText::new(&Stamp {
        correlation_id: &correlation_id,
        received_at: &received_at,
        traceparent: &traceparent,
    })
}

/// Bound sockets, before the runtime starts (their addresses go into `MUTT_READY_FILE`).
struct Sockets {
    udp: Option<std::net::UdpSocket>,
    tcp: Option<std::net::TcpListener>,
    tls: Option<std::net::TcpListener>,
    relp: Option<std::net::TcpListener>,
}

fn bind_all(settings: &Settings, flags: &Overrides, tls: bool) -> Result<Sockets, DaemonError> {
    let addr = |t: Transport, f: &Option<String>| listen_address(settings, t, f.as_ref(), tls);
    let tcp = |t: Transport, a: Option<String>| -> Result<_, DaemonError> {
        a.map(|a| {
            let l = std::net::TcpListener::bind(&a).map_err(|e| bind_failed(t, &a, e))?;
            l.set_nonblocking(true)?;
            Ok(l)
        })
        .transpose()
    };
    let udp = match addr(Transport::Udp, &flags.udp)? {
        Some(a) => Some(bind_udp(&a).map_err(|e| bind_failed(Transport::Udp, &a, e))?),
        None => None,
    };
    Ok(Sockets {
        udp,
        tcp: tcp(Transport::Tcp, addr(Transport::Tcp, &flags.tcp)?)?,
        tls: tcp(Transport::Tls, addr(Transport::Tls, &flags.tls)?)?,
        relp: tcp(Transport::Relp, addr(Transport::Relp, &flags.relp)?)?,
    })
}

/// A UDP socket with a large receive buffer: a burst the receiver has not read yet waits there
/// instead of being dropped by the kernel.
fn bind_udp(addr: &str) -> std::io::Result<std::net::UdpSocket> {
    use std::net::ToSocketAddrs;
    let addr = addr
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address"))?;
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::DGRAM,
        Some(socket2::Protocol::UDP),
    )?;
    if let Err(e) = socket.set_recv_buffer_size(UDP_RECV_BUFFER) {
        log::warn!("syslog udp: cannot set the receive buffer: {e}");
    }
    // Linux reports twice what it grants; it grants at most net.core.rmem_max.
    let granted = socket.recv_buffer_size().unwrap_or(0) / 2;
    if granted < UDP_RECV_BUFFER / 2 {
        log::warn!(
            "syslog udp: receive buffer {granted} bytes (asked {UDP_RECV_BUFFER}); raise net.core.rmem_max to absorb bursts"
        );
    }
    socket.bind(&addr.into())?;
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// What the kernel dropped on the socket with `inode` (the last column of `/proc/net/udp`).
pub fn kernel_udp_drops(table: &str, inode: u64) -> Option<u64> {
    table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        (fields.get(9)?.parse::<u64>().ok()? == inode).then(|| fields.last()?.parse().ok())?
    })
}

/// Count the kernel's drops on `socket` into `mutt_syslog_messages_dropped_total{reason=
/// "kernel_buffer"}` once a second (Linux; elsewhere nothing is counted).
async fn count_kernel_drops(socket: &tokio::net::UdpSocket, shared: &Shared) {
    use std::os::fd::AsRawFd;
    let link = std::fs::read_link(format!("/proc/self/fd/{}", socket.as_raw_fd()));
    let Some(inode) = link.ok().and_then(|l| {
        let text = l.to_string_lossy().to_string();
        text.strip_prefix("socket:[")?
            .strip_suffix(']')?
            .parse::<u64>()
            .ok()
    }) else {
        return;
    };
    let counter = shared.metrics.dropped.with_label_values(&["kernel_buffer"]);
    let mut seen = 0;
    let mut stop = shared.stop.clone();
    loop {
        let drops = ["/proc/net/udp", "/proc/net/udp6"]
            .iter()
            .find_map(|path| kernel_udp_drops(&std::fs::read_to_string(path).ok()?, inode));
        if let Some(drops) = drops {
            counter.inc_by(drops.saturating_sub(seen));
            seen = seen.max(drops);
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Run the syslog receiver until SIGTERM/SIGINT: stop reading, store what was read (RELP:
/// acknowledge it), tell RELP clients the server closes, exit.
pub fn run(settings: &Settings, shutdown: &Shutdown, flags: &Overrides) -> Result<(), DaemonError> {
    let default_tz: chrono_tz::Tz = settings
        .text(&registry::SYSLOG_DEFAULT_TIMEZONE)
        .trim()
        .parse()
        .map_err(|_| {
            ConfigError::new(
                "SYSLOG_DEFAULT_TIMEZONE",
                "not an IANA time zone name (e.g. UTC, Europe/Berlin)",
            )
        })?;
    let allowed = parse_sources(settings.text(&registry::SYSLOG_ALLOWED_SOURCES))
        .map_err(|why| ConfigError::new("SYSLOG_ALLOWED_SOURCES", &why))?;
    let tls = match crate::http::TlsFiles::from_settings(
        settings,
        &registry::SYSLOG_TLS_CERT_PATH,
        &registry::SYSLOG_TLS_KEY_PATH,
    )? {
        Some(files) => {
            let client_ca = settings
                .opt_text(&registry::SYSLOG_TLS_CLIENT_CA_PATH)
                .filter(|p| !p.trim().is_empty())
                .map(|p| (std::path::PathBuf::from(p), "SYSLOG_TLS_CLIENT_CA_PATH"));
            let handshake = crate::http::Handshake {
                alpn: Vec::new(),
                client_ca,
            };
            Some(Arc::new(crate::http::ServerTls::with_handshake(
                files, handshake,
            )?))
        }
        None => {
            if let Err(e) = crate::shutdown::sighup_flag() {
                log::debug!("cannot watch SIGHUP: {e}");
            }
            None
        }
    };
    let sockets = bind_all(settings, flags, tls.is_some())?;
    let mut own = Vec::new();
    let local = |t: Transport, a: std::io::Result<SocketAddr>| a.map(|a| (t.setting().name, a));
    if let Some(s) = &sockets.udp {
        own.push(local(Transport::Udp, s.local_addr())?);
    }
    for (t, l) in [
        (Transport::Tcp, &sockets.tcp),
        (Transport::Tls, &sockets.tls),
        (Transport::Relp, &sockets.relp),
    ] {
        if let Some(l) = l {
            own.push(local(t, l.local_addr())?);
        }
    }
    if own.is_empty() {
        return Err(ConfigError::new(
            "SYSLOG_UDP_PORT",
            "every transport is off (SYSLOG_UDP_PORT, SYSLOG_TCP_PORT, SYSLOG_RELP_PORT are 0 and TLS has no certificate)",
        )
        .into());
    }
    for (name, addr) in &own {
        log::info!("{SERVICE} {name} listening on {addr}");
    }

    let keys = Keys::from_settings(settings);
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    let rt = Runtime::start(
        settings,
        shutdown,
        Spec {
            service: SERVICE,
            role: "syslog",
            health_port: &registry::HEALTH_PORT_SYSLOG,
            metrics_port: &registry::METRICS_PORT_SYSLOG,
            flags: &[("redis", "Redis")],
            health_fields: None,
            own_listeners: own,
        },
    )?;
    let metrics = Metrics::new(rt.registry())?;
    let redis_ok = rt.flag("redis");
    // Ready once Redis answers: a PING at start, then every store keeps the flag current.
    redis_ok.set(
        rt.reconnecting(&connector)
            .run(|c| ::redis::cmd("PING").query::<String>(c))
            .is_ok(),
    );
    rt.check_replicas(&connector);
    let tunables = rt.tunables(&connector, &keys, &DYNAMIC_KEYS, None);
    let (writer, writer_thread) = writer::start(
        Arc::clone(&connector),
        writer::WriterConfig {
            keys: keys.clone(),
            tunables,
            max_events: settings.int(&registry::INGEST_GROUP_COMMIT_MAX) as usize,
            on_depth: Box::new(|_| {}),
            replica_ack: connector.config().replica_ack,
        },
    )?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let idle = settings.duration(&registry::SYSLOG_IDLE_TIMEOUT);
    let received = [
        Transport::Udp,
        Transport::Tcp,
        Transport::Tls,
        Transport::Relp,
    ]
    .map(|t| metrics.received.with_label_values(&[t.label()]));
    let shared = Arc::new(Shared {
        writer,
        metrics,
        received,
        default_tz,
        max_message: settings.int(&registry::SYSLOG_MAX_MESSAGE_BYTES) as usize,
        allowed,
        connections: Arc::new(Semaphore::new(
            settings.int(&registry::SYSLOG_MAX_CONNECTIONS) as usize,
        )),
        idle: (!idle.is_zero()).then_some(idle),
        stop: stop_rx,
        redis_ok,
        store_state: AtomicU8::new(STATE_OK),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("syslog")
        .enable_all()
        .build()?;
    let mut tasks = Vec::new();
    {
        let _entered = runtime.enter();
        if let Some(s) = sockets.udp {
            let socket = tokio::net::UdpSocket::from_std(s)?;
            tasks.push(runtime.spawn(serve_udp(socket, Arc::clone(&shared))));
        }
        for (t, l) in [
            (Transport::Tcp, sockets.tcp),
            (Transport::Tls, sockets.tls),
            (Transport::Relp, sockets.relp),
        ] {
            if let Some(l) = l {
                let listener = tokio::net::TcpListener::from_std(l)?;
                let tls = tls.clone().filter(|_| t == Transport::Tls);
                tasks.push(runtime.spawn(accept_loop(listener, t, tls, Arc::clone(&shared))));
            }
        }
    }
    let mut worker = Receiver {
        shutdown: shutdown.clone(),
        tls,
        stop: Some(stop_tx),
        runtime: Some(runtime),
        tasks,
        shared: Some(shared),
        writer: Some(writer_thread),
    };
    rt.run(&mut worker)
}

/// The runtime's view of the receiver: the listeners run on their own tokio runtime; a step
/// waits for shutdown (and reloads the TLS certificate on SIGHUP), the drain stops them.
struct Receiver {
    shutdown: Shutdown,
    tls: Option<Arc<crate::http::ServerTls>>,
    stop: Option<watch::Sender<bool>>,
    runtime: Option<tokio::runtime::Runtime>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    shared: Option<Arc<Shared>>,
    writer: Option<WriterThread>,
}

impl daemon::Worker for Receiver {
    fn step(&mut self) -> bool {
        self.shutdown.wait_timeout(Duration::from_millis(500));
        if let Some(tls) = &self.tls {
            tls.reload_if_signalled();
        }
        true
    }

    fn drain(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(true);
        }
        if let Some(runtime) = self.runtime.take() {
            let tasks = std::mem::take(&mut self.tasks);
            runtime.block_on(async {
                for task in tasks {
                    let _ = task.await;
                }
            });
            // Connections still open have stored and acknowledged what they read; they close
            // with the runtime.
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
        // The writer thread ends once the last handle (inside `shared`) is gone.
        self.shared.take();
        if let Some(w) = self.writer.take() {
            w.join();
        }
    }
}

/// Accept stream connections until the daemon stops, each served by its own task.
async fn accept_loop(
    listener: tokio::net::TcpListener,
    transport: Transport,
    tls: Option<Arc<crate::http::ServerTls>>,
    shared: Arc<Shared>,
) {
    let label = transport.label();
    let mut stop = shared.stop.clone();
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = stop.changed() => break,
        };
        let (stream, peer) = match accepted {
            Ok(a) => a,
            Err(e) => {
                // EMFILE and friends: wait a little rather than spin.
                log::warn!("syslog {label}: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        if !source_allowed(&shared.allowed, peer.ip()) {
            shared
                .metrics
                .refused
                .with_label_values(&[label, "not_allowed"])
                .inc();
            log::warn!("syslog {label}: refused {peer}: not in SYSLOG_ALLOWED_SOURCES");
            continue;
        }
        let Ok(permit) = Arc::clone(&shared.connections).try_acquire_owned() else {
            shared
                .metrics
                .refused
                .with_label_values(&[label, "connection_limit"])
                .inc();
            log::warn!("syslog {label}: refused {peer}: SYSLOG_MAX_CONNECTIONS reached");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let shared = Arc::clone(&shared);
        let tls = tls.as_ref().map(|t| t.acceptor());
        connections.spawn(async move {
            let _permit = permit;
            let metrics = shared.metrics.clone();
            metrics.connections_total.with_label_values(&[label]).inc();
            metrics.connections.with_label_values(&[label]).inc();
            match (transport, tls) {
                (Transport::Relp, _) => serve_relp(stream, peer, &shared).await,
                (_, Some(acceptor)) => match acceptor.accept(stream).await {
                    Ok(stream) => serve_stream(stream, peer, transport, &shared).await,
                    Err(e) => {
                        metrics.refused.with_label_values(&[label, "tls"]).inc();
                        log::warn!("syslog tls: handshake with {peer} failed: {e}");
                    }
                },
                _ => serve_stream(stream, peer, transport, &shared).await,
            }
            metrics.connections.with_label_values(&[label]).dec();
        });
        // Reap finished connections so the set does not grow with the daemon's age.
        while connections.try_join_next().is_some() {}
    }
    // Stopping: every connection stores (and acknowledges) what it has read, then closes.
    while connections.join_next().await.is_some() {}
}

/// What one read from a stream gave.
enum Read {
    Data,
    Eof,
    Idle,
    Stop,
    Failed(std::io::Error),
}

/// A stream connection's reads: bounded by the idle timeout, ended by shutdown — after which
/// what the sender has already written is still taken, until it pauses or the drain budget is
/// spent.
struct Reads {
    stop: watch::Receiver<bool>,
    idle: Option<Duration>,
    stopping_since: Option<std::time::Instant>,
}

impl Reads {
    fn new(shared: &Shared) -> Reads {
        Reads {
            stop: shared.stop.clone(),
            idle: shared.idle,
            stopping_since: None,
        }
    }

    async fn next<S: AsyncRead + Unpin>(&mut self, stream: &mut S, buf: &mut Vec<u8>) -> Read {
        if *self.stop.borrow() {
            let since = *self
                .stopping_since
                .get_or_insert_with(std::time::Instant::now);
            if since.elapsed() > LAST_READS_BUDGET {
                return Read::Stop;
            }
            // What the sender has already written counts as sent: take it while it keeps coming.
            return match tokio::time::timeout(LAST_READ_WAIT, stream.read_buf(buf)).await {
                Ok(Ok(n)) if n > 0 => Read::Data,
                _ => Read::Stop,
            };
        }
        let idle = self.idle;
        let read = async {
            match idle {
                Some(limit) => tokio::time::timeout(limit, stream.read_buf(buf)).await.ok(),
                None => Some(stream.read_buf(buf).await),
            }
        };
        tokio::select! {
            r = read => match r {
                None => Read::Idle,
                Some(Ok(0)) => Read::Eof,
                Some(Ok(_)) => Read::Data,
                Some(Err(e)) => Read::Failed(e),
            },
            _ = self.stop.changed() => Read::Stop,
        }
    }
}

/// One TCP or TLS connection: frames → events → one store per read, then the next read.
async fn serve_stream<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    peer: SocketAddr,
    transport: Transport,
    shared: &Shared,
) {
    let label = transport.label();
    let mut deframer = Deframer::new(shared.max_message);
    let mut reads = Reads::new(shared);
    loop {
        let read = reads
            .next(&mut stream, deframer.buffer_for_read(READ_CHUNK))
            .await;
        let stamp = read_stamp();
        let mut batch = Vec::new();
        let mut error = None;
        loop {
            match deframer.next_frame() {
                Ok(Some(frame)) => batch.push(shared.event(
                    transport,
                    frame.message,
                    frame.truncated,
                    peer.ip(),
                    &stamp,
                )),
                Ok(None) => break,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        let end = match &read {
            Read::Data => None,
            Read::Eof => {
                match deframer.finish() {
                    Ok(Some(frame)) => batch.push(shared.event(
                        transport,
                        frame.message,
                        frame.truncated,
                        peer.ip(),
                        &stamp,
                    )),
                    Ok(None) => {}
                    Err(e) => error = error.or(Some(e)),
                }
                Some("closed by the sender")
            }
            Read::Idle => Some("idle timeout"),
            Read::Stop => Some("shutting down"),
            Read::Failed(_) => Some("read failed"),
        };
        if !batch.is_empty() && !shared.store(transport, batch).await {
            log::error!("syslog {label}: messages from {peer} not stored before shutdown");
        }
        if let Some(e) = error {
            shared
                .metrics
                .frame_errors
                .with_label_values(&[label])
                .inc();
            log::warn!("syslog {label}: closing {peer}: {e}");
            break;
        }
        if let Some(why) = end {
            if let Read::Failed(e) = read {
                log::debug!("syslog {label}: {peer}: {e}");
            }
            log::debug!("syslog {label}: {peer} {why}");
            break;
        }
    }
    let _ = stream.shutdown().await;
}

/// One RELP session: each read's deliveries are stored together and acknowledged (`rsp 200`)
/// only then; a message that could not be stored is never acknowledged, so the client resends it.
async fn serve_relp(mut stream: tokio::net::TcpStream, peer: SocketAddr, shared: &Shared) {
    let label = Transport::Relp.label();
    let mut decoder = relp::Decoder::new(shared.max_message, Oversize::Truncate);
    let mut session = Session::new();
    let mut reads = Reads::new(shared);
    loop {
        let read = reads
            .next(&mut stream, decoder.buffer_for_read(READ_CHUNK))
            .await;
        let stamp = read_stamp();
        let mut before = Vec::new();
        let mut batch = Vec::new();
        let mut txnrs = Vec::new();
        let mut after: Option<Vec<u8>> = None;
        let mut failure = None;
        loop {
            let frame = match decoder.next_frame() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e) => {
                    failure = Some(e.to_string());
                    after = Some(relp::serverclose());
                    break;
                }
            };
            match session.on_frame(frame) {
                Action::Reply(bytes) => before.extend_from_slice(&bytes),
                Action::Deliver {
                    txnr,
                    message,
                    truncated,
                } => {
                    // omrelp's template ends the message with LF; the frame's own trailer is gone.
                    let message = message.strip_suffix(b"\n").unwrap_or(message);
                    batch.push(shared.event(
                        Transport::Relp,
                        message,
                        truncated,
                        peer.ip(),
                        &stamp,
                    ));
                    txnrs.push(txnr);
                }
                Action::Close(bytes) => {
                    after = Some(bytes);
                    break;
                }
                Action::Abort { reply, error } => {
                    failure = Some(error.to_string());
                    after = Some(reply);
                    break;
                }
            }
        }
        let mut out = before;
        let stored = batch.is_empty() || shared.store(Transport::Relp, batch).await;
        if stored {
            for txnr in txnrs {
                relp::write_ok(&mut out, txnr);
            }
        } else {
            log::error!("syslog relp: messages from {peer} not stored before shutdown; the sender resends them");
            after = Some(relp::serverclose());
        }
        let closing = match &read {
            Read::Data => after.is_some(),
            _ => true,
        };
        if closing && after.is_none() && session.is_open() {
            // Shutdown or idle: tell the client, which then resends whatever is unacknowledged
            // to the next server (or to this one after its restart).
            after = Some(session.server_close().to_vec());
        }
        if let Some(bytes) = after {
            out.extend_from_slice(&bytes);
        }
        if !out.is_empty() && stream.write_all(&out).await.is_err() {
            break;
        }
        if let Some(why) = failure {
            shared
                .metrics
                .frame_errors
                .with_label_values(&[label])
                .inc();
            log::warn!("syslog relp: closing {peer}: {why}");
            break;
        }
        if closing {
            break;
        }
    }
    let _ = stream.shutdown().await;
}

/// Datagrams taken off the socket in one wake-up: their bytes in one buffer (one allocation per
/// burst, not per datagram) and, per datagram, where it ends, its sender and whether it was cut.
#[derive(Default)]
struct Burst {
    bytes: Vec<u8>,
    datagrams: Vec<(usize, IpAddr, bool)>,
}

impl Burst {
    /// What the burst counts against [`UDP_BACKLOG_BYTES`].
    fn weight(&self) -> usize {
        self.bytes.len() + self.datagrams.len() * UDP_DATAGRAM_OVERHEAD
    }
}

/// UDP: a reader that never waits on Redis (the kernel would drop, uncounted) and storers that
/// take what has accumulated in one batch. A full backlog drops, counted by what held it up.
async fn serve_udp(socket: tokio::net::UdpSocket, shared: Arc<Shared>) {
    let held = Arc::new(AtomicUsize::new(0));
    // Parsing is the costly part: several storers parse (and wait on Redis) side by side.
    let mut senders = Vec::with_capacity(UDP_STORERS);
    let mut storers = Vec::with_capacity(UDP_STORERS);
    for _ in 0..UDP_STORERS {
        // Unbounded as a channel: `held` bounds it, in bytes.
        let (tx, rx) = mpsc::unbounded_channel::<Burst>();
        senders.push(tx);
        storers.push(tokio::spawn(store_udp(
            rx,
            Arc::clone(&shared),
            Arc::clone(&held),
        )));
    }
    let socket = Arc::new(socket);
    let kernel = {
        let (socket, shared) = (Arc::clone(&socket), Arc::clone(&shared));
        tokio::spawn(async move { count_kernel_drops(&socket, &shared).await })
    };
    let mut stop = shared.stop.clone();
    let max = shared.max_message;
    // One byte more than the limit tells a truncated datagram from one that fits exactly.
    let mut buf = vec![0u8; (max + 1).min(65_536)];
    let mut next = 0;
    loop {
        tokio::select! {
            r = socket.readable() => if let Err(e) = r {
                log::warn!("syslog udp: {e}");
                continue;
            },
            _ = stop.changed() => break,
        }
        // Take what the kernel holds in one go (up to a bound, then let other tasks run), and
        // hand it to a storer as one batch.
        let mut burst = Burst::default();
        while burst.datagrams.len() < UDP_BURST {
            match socket.try_recv_from(&mut buf) {
                Ok((n, peer)) => {
                    if source_allowed(&shared.allowed, peer.ip()) {
                        burst.bytes.extend_from_slice(&buf[..n.min(max)]);
                        burst
                            .datagrams
                            .push((burst.bytes.len(), peer.ip(), n > max));
                    } else {
                        shared
                            .metrics
                            .refused
                            .with_label_values(&["udp", "not_allowed"])
                            .inc();
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => {
                    log::debug!("syslog udp: {e}");
                    break;
                }
            }
        }
        if burst.datagrams.is_empty() {
            continue;
        }
        let count = burst.datagrams.len() as u64;
        let weight = burst.weight();
        let room = held.load(Ordering::Relaxed) + weight <= UDP_BACKLOG_BYTES;
        next = (next + 1) % senders.len();
        if room {
            held.fetch_add(weight, Ordering::Relaxed);
            if senders[next].send(burst).is_ok() {
                continue;
            }
            held.fetch_sub(weight, Ordering::Relaxed);
        }
        shared.received[Transport::Udp as usize].inc_by(count);
        let reason = match shared.store_state.load(Ordering::Relaxed) {
            STATE_FULL => "queue_full",
            STATE_REDIS_DOWN => "redis_unavailable",
            _ => "overload",
        };
        shared
            .metrics
            .dropped
            .with_label_values(&[reason])
            .inc_by(count);
    }
    drop(senders);
    for storer in storers {
        let _ = storer.await;
    }
    let _ = kernel.await;
}

/// One UDP storer: whatever has accumulated, parsed and stored as one batch; a full queue drops
/// the batch (counted), a Redis outage holds it while the backlog absorbs new datagrams.
async fn store_udp(
    mut rx: mpsc::UnboundedReceiver<Burst>,
    shared: Arc<Shared>,
    held: Arc<AtomicUsize>,
) {
    while let Some(first) = rx.recv().await {
        // Whatever else has accumulated, up to one batch (bursts vary from 1 to UDP_BURST).
        let mut count = first.datagrams.len();
        let mut bursts = vec![first];
        while count < UDP_BATCH {
            match rx.try_recv() {
                Ok(burst) => {
                    count += burst.datagrams.len();
                    bursts.push(burst);
                }
                Err(_) => break,
            }
        }
        let stamp = read_stamp();
        let mut batch = Vec::with_capacity(count);
        for burst in bursts {
            let mut start = 0;
            for &(end, ip, truncated) in &burst.datagrams {
                let line = &burst.bytes[start..end];
                batch.push(shared.event(Transport::Udp, line, truncated, ip, &stamp));
                start = end;
            }
            // Parsed: its bytes no longer count against the backlog (the events do, bounded
            // by one batch per storer).
            held.fetch_sub(burst.weight(), Ordering::Relaxed);
        }
        let n = batch.len() as u64;
        let reason = match shared.store_until(Transport::Udp, batch, false).await {
            Stored::Yes => continue,
            Stored::QueueFull => "queue_full",
            Stored::NotBeforeShutdown => "shutdown",
        };
        shared
            .metrics
            .dropped
            .with_label_values(&[reason])
            .inc_by(n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_cidrs_or_addresses() {
        let nets = parse_sources(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32,").unwrap();
        assert_eq!(nets.len(), 3);
        for (ip, ok) in [
            ("10.1.2.3", true),
            ("192.0.2.7", true),
            ("192.0.2.8", false),
            ("2001:db8::1", true),
            ("::ffff:10.9.9.9", true),
            ("::ffff:11.9.9.9", false),
            ("2001:db9::1", false),
        ] {
            assert_eq!(source_allowed(&nets, ip.parse().unwrap()), ok, "{ip}");
        }
        assert!(source_allowed(&[], "203.0.113.1".parse().unwrap()));
    }

    #[test]
    fn kernel_drops_are_read_by_socket_inode() {
        let table = "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
 1: 0100007F:15AA 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17\n\
 2: 0100007F:15AB 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4343 2 0000000000000000 0\n";
        assert_eq!(kernel_udp_drops(table, 4242), Some(17));
        assert_eq!(kernel_udp_drops(table, 4343), Some(0));
        assert_eq!(kernel_udp_drops(table, 1), None);
        assert_eq!(
            parse_sources("10.0.0.0/8,nonsense").unwrap_err(),
            "\"nonsense\" is not an address or CIDR"
        );
    }
}
