//! Redis connections: connect and reply timeouts, optional verified TLS, CURRENT/NEXT passwords
//! tried on every (re)connect, a pool, and a reconnecting single connection with backoff.
//!
//! With `REDIS_SENTINELS` set, every connection is made to the master the Sentinels name at that
//! moment (the redis crate's Sentinel client, which also checks `ROLE`), and a connection whose
//! server answers `-READONLY` (a master demoted to replica) counts as broken, so the next use
//! asks the Sentinels again. [`replicas`] holds the `WAIT` that makes an acknowledgement wait
//! for replicas (`REDIS_MIN_REPLICAS_ACK`).
//!
//! Key names come from [`keys`]; Lua scripts from [`scripts`].

pub mod dynamic;
pub mod keys;
pub mod replicas;
pub mod scripts;

use crate::backoff::Backoff;
use crate::settings::secrets::{Attempt, PasswordPair, SecretSource, Slot};
use crate::settings::{host_list, registry, Settings};
use crate::shutdown::Shutdown;
use ::redis as rd;
use rd::ConnectionLike;
pub use replicas::ReplicaAck;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Errors of the Redis layer; none carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum RedisError {
    /// Every configured password was refused.
    #[error("Redis authentication failed at {addr} (tried {tried})")]
    Auth {
        /// host:port
        addr: String,
        /// The setting names whose values were tried.
        tried: String,
    },
    /// The server could not be reached or the TLS handshake failed.
    #[error("cannot connect to Redis at {addr}: {reason}")]
    Connect {
        /// host:port
        addr: String,
        /// Short cause.
        reason: String,
    },
    /// The TLS settings cannot be used (unreadable CA file, …).
    #[error("Redis TLS: {0}")]
    Tls(String),
    /// A command failed after the connection was made.
    #[error("Redis command failed: {0}")]
    Command(#[from] rd::RedisError),
    /// A write reached fewer replicas than `REDIS_MIN_REPLICAS_ACK` asks for in time.
    #[error("Redis write reached {acked} of the {wanted} replicas REDIS_MIN_REPLICAS_ACK asks for within {timeout_ms} ms")]
    Replicas {
        /// Replicas that confirmed it.
        acked: u32,
        /// `REDIS_MIN_REPLICAS_ACK`.
        wanted: u32,
        /// `REDIS_REPLICAS_ACK_TIMEOUT_MS`.
        timeout_ms: u64,
    },
    /// The pool could not hand out a connection in time.
    #[error("no Redis connection available: {0}")]
    Pool(String),
}

impl RedisError {
    /// Whether retrying after a reconnect may help (the server went away, timed out, …).
    pub fn is_transient(&self) -> bool {
        match self {
            RedisError::Connect { .. } | RedisError::Pool(_) | RedisError::Replicas { .. } => true,
            RedisError::Command(e) => is_connection_error(e),
            RedisError::Auth { .. } | RedisError::Tls(_) => false,
        }
    }
}

/// Whether a redis-rs error means the connection is unusable: the server went away, or it is
/// no longer the master (`READONLY` from a demoted master, `MASTERDOWN` from a replica that lost
/// its master), so the next connection must be made afresh.
pub fn is_connection_error(e: &rd::RedisError) -> bool {
    e.is_io_error()
        || e.is_timeout()
        || e.is_connection_dropped()
        || e.is_unrecoverable_error()
        || matches!(e.code(), Some("READONLY" | "MASTERDOWN"))
}

fn is_auth_error(e: &rd::RedisError) -> bool {
    e.kind() == rd::ErrorKind::AuthenticationFailed
        || matches!(e.code(), Some("NOAUTH" | "WRONGPASS"))
}

/// How to reach Redis.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// Host name or address.
    pub host: String,
    /// Port.
    pub port: u16,
    /// Database index.
    pub db: i64,
    /// ACL user; `None` for the default user.
    pub username: Option<String>,
    /// TLS on/off; certificates and host names are always verified when on.
    pub tls: bool,
    /// CA bundle for TLS; system roots when `None`.
    pub ca_cert: Option<PathBuf>,
    /// TCP connect timeout.
    pub connect_timeout: Duration,
    /// Reply timeout of ordinary commands.
    pub socket_timeout: Duration,
    /// Pool size.
    pub max_connections: u32,
    /// CURRENT and NEXT passwords.
    pub passwords: PasswordPair,
    /// Sentinels to ask for the master; empty = connect to `host:port` directly.
    pub sentinels: Vec<(String, u16)>,
    /// The master's name at the Sentinels.
    pub sentinel_master: String,
    /// TLS to the Sentinels.
    pub sentinel_tls: bool,
    /// The Sentinels' password.
    pub sentinel_password: SecretSource,
    /// Replicas an acknowledged write waits for.
    pub replica_ack: ReplicaAck,
}

impl RedisConfig {
    /// The configuration the settings describe.
    pub fn from_settings(s: &Settings) -> RedisConfig {
        RedisConfig {
            host: s.text(&registry::REDIS_HOST).to_string(),
            port: s.port(&registry::REDIS_PORT),
            db: s.int(&registry::REDIS_DB),
            username: s.opt_text(&registry::REDIS_USERNAME).map(str::to_string),
            tls: s.bool(&registry::REDIS_TLS_ENABLED),
            ca_cert: s.opt_text(&registry::REDIS_CA_CERT_PATH).map(PathBuf::from),
            connect_timeout: s.duration(&registry::REDIS_CONNECT_TIMEOUT),
            socket_timeout: s.duration(&registry::REDIS_SOCKET_TIMEOUT),
            max_connections: s.int(&registry::REDIS_MAX_CONNECTIONS) as u32,
            passwords: s.redis_passwords(),
            // Validated when the settings were loaded.
            sentinels: host_list(s.text(&registry::REDIS_SENTINELS), 26379).unwrap_or_default(),
            sentinel_master: s.text(&registry::REDIS_SENTINEL_MASTER).to_string(),
            sentinel_tls: s.bool(&registry::REDIS_SENTINEL_TLS_ENABLED),
            sentinel_password: s.secret(&registry::REDIS_SENTINEL_PASSWORD),
            replica_ack: ReplicaAck::from_settings(s),
        }
    }

    /// `host:port`, or the master's name and the Sentinels, for messages.
    pub fn address(&self) -> String {
        if self.sentinels.is_empty() {
            return format!("{}:{}", self.host, self.port);
        }
        let list: Vec<String> = self
            .sentinels
            .iter()
            .map(|(h, p)| format!("{h}:{p}"))
            .collect();
        format!(
            "master \"{}\" via Sentinels {}",
            self.sentinel_master,
            list.join(",")
        )
    }

    /// Whether the master is found through Sentinels.
    pub fn uses_sentinels(&self) -> bool {
        !self.sentinels.is_empty()
    }
}

/// Makes authenticated Redis connections, remembering which password worked last.
#[derive(Debug)]
pub struct RedisConnector {
    cfg: RedisConfig,
    // true = NEXT worked last; a rotation flips it once and every later connect starts there.
    prefer_next: AtomicBool,
    // host:port of the master the last Sentinel-resolved connection went to.
    resolved_master: Mutex<Option<String>>,
}

impl RedisConnector {
    /// A connector for `cfg`.
    pub fn new(cfg: RedisConfig) -> Arc<RedisConnector> {
        Arc::new(RedisConnector {
            cfg,
            prefer_next: AtomicBool::new(false),
            resolved_master: Mutex::new(None),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &RedisConfig {
        &self.cfg
    }

    /// Which password slot the last successful connection used.
    pub fn active_slot(&self) -> Slot {
        if self.prefer_next.load(Ordering::Relaxed) {
            Slot::Next
        } else {
            Slot::Current
        }
    }

    /// `host:port` of the master the Sentinels named for the last connection (`None` without
    /// Sentinels, or before the first connection).
    pub fn resolved_master(&self) -> Option<String> {
        self.resolved_master
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Open one authenticated connection. On an authentication error the other password is tried;
    /// passwords are read again from their sources on every call.
    pub fn connect(&self) -> Result<rd::Connection, RedisError> {
        self.cfg.passwords.connect_or_refresh(
            || self.active_slot(),
            |e| matches!(e, RedisError::Auth { .. }),
            |candidates| self.connect_trying(candidates),
        )
    }

    fn connect_trying(&self, candidates: &[(Slot, String)]) -> Result<rd::Connection, RedisError> {
        let attempt = self.cfg.passwords.try_each(
            "Redis",
            candidates,
            &self.prefer_next,
            is_auth_error,
            |password| self.connect_with(password),
        );
        match attempt {
            Attempt::Accepted(conn) => Ok(conn),
            Attempt::Failed(e, tried) => Err(self.classify(e, &tried)),
            Attempt::Refused(tried) => Err(RedisError::Auth {
                addr: self.cfg.address(),
                tried: tried.join(" and "),
            }),
        }
    }

    fn classify(&self, e: rd::RedisError, tried: &[&str]) -> RedisError {
        if is_auth_error(&e) {
            return RedisError::Auth {
                addr: self.cfg.address(),
                tried: if tried.is_empty() {
                    "no password; set REDIS_PASS_CURRENT".into()
                } else {
                    tried.join(" and ")
                },
            };
        }
        RedisError::Connect {
            addr: self.cfg.address(),
            reason: short_reason(&e),
        }
    }

    fn connect_with(&self, password: Option<&str>) -> rd::RedisResult<rd::Connection> {
        let cfg = &self.cfg;
        if cfg.tls || cfg.sentinel_tls {
            crate::crypto::install_crypto_provider();
        }
        let client = if cfg.uses_sentinels() {
            let client = self.master_client(password)?;
            let addr = client.get_connection_info().addr().to_string();
            *self
                .resolved_master
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(addr);
            client
        } else {
            self.direct_client(password)?
        };
        let mut conn = client.get_connection_with_timeout(cfg.connect_timeout)?;
        conn.set_read_timeout(Some(cfg.socket_timeout))?;
        conn.set_write_timeout(Some(cfg.socket_timeout))?;
        // A server with requirepass accepts the TCP connection and only refuses the first command.
        rd::cmd("PING").query::<()>(&mut conn)?;
        Ok(conn)
    }

    /// The CA bundle for TLS (`None`: the system roots).
    fn tls_certificates(&self) -> rd::RedisResult<Option<rd::TlsCertificates>> {
        let Some(ca) = &self.cfg.ca_cert else {
            return Ok(None);
        };
        let pem = std::fs::read(ca).map_err(|e| {
            rd::RedisError::from((
                rd::ErrorKind::InvalidClientConfig,
                "cannot read REDIS_CA_CERT_PATH",
                e.kind().to_string(),
            ))
        })?;
        Ok(Some(rd::TlsCertificates {
            client_tls: None,
            root_cert: Some(pem),
        }))
    }

    fn direct_client(&self, password: Option<&str>) -> rd::RedisResult<rd::Client> {
        let cfg = &self.cfg;
        let addr = if cfg.tls {
            rd::ConnectionAddr::TcpTls {
                host: cfg.host.clone(),
                port: cfg.port,
                insecure: false,
                tls_params: None,
            }
        } else {
            rd::ConnectionAddr::Tcp(cfg.host.clone(), cfg.port)
        };
        let mut redis_info = rd::RedisConnectionInfo::default().set_db(cfg.db);
        if let Some(user) = &cfg.username {
            redis_info = redis_info.set_username(user);
        }
        if let Some(pw) = password {
            redis_info = redis_info.set_password(pw);
        }
        let info =
            rd::IntoConnectionInfo::into_connection_info(addr)?.set_redis_settings(redis_info);
        match (self.tls_certificates()?, cfg.tls) {
            (Some(certs), true) => rd::Client::build_with_tls(info, certs),
            _ => rd::Client::open(info),
        }
    }

    /// A client for the master the Sentinels name now (checked with `ROLE` by the crate).
    fn master_client(&self, password: Option<&str>) -> rd::RedisResult<rd::Client> {
        use rd::sentinel::{SentinelClientBuilder, SentinelServerType};
        let cfg = &self.cfg;
        let certs = self.tls_certificates()?;
        let sentinels = cfg.sentinels.iter().map(|(host, port)| {
            if cfg.sentinel_tls {
                rd::ConnectionAddr::TcpTls {
                    host: host.clone(),
                    port: *port,
                    insecure: false,
                    tls_params: None,
                }
            } else {
                rd::ConnectionAddr::Tcp(host.clone(), *port)
            }
        });
        let mut builder = SentinelClientBuilder::new(
            sentinels,
            &cfg.sentinel_master,
            SentinelServerType::Master,
        )?
        .set_client_to_redis_db(cfg.db);
        if let Some(user) = &cfg.username {
            builder = builder.set_client_to_redis_username(user);
        }
        if let Some(pw) = password {
            builder = builder.set_client_to_redis_password(pw);
        }
        if let Some(pw) = cfg.sentinel_password.get() {
            builder = builder.set_client_to_sentinel_password(pw);
        }
        if cfg.tls {
            builder = builder.set_client_to_redis_tls_mode(rd::TlsMode::Secure);
            if let Some(c) = &certs {
                builder = builder.set_client_to_redis_certificates(c.clone());
            }
        }
        if cfg.sentinel_tls {
            builder = builder.set_client_to_sentinel_tls_mode(rd::TlsMode::Secure);
            if let Some(c) = certs {
                builder = builder.set_client_to_sentinel_certificates(c);
            }
        }
        let mut sentinel = builder.build()?;
        // The crate's blocking Sentinel client sets no connect or reply timeout: a Sentinel that
        // accepts and never answers would hang this caller. Ask from a helper thread and give up
        // after REDIS_CONNECT_TIMEOUT; a hung helper costs one parked thread, not the daemon.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("mutt-sentinel".into())
            .spawn(move || {
                let _ = tx.send(sentinel.get_client());
            })
            .map_err(|e| {
                rd::RedisError::from((
                    rd::ErrorKind::Io,
                    "cannot start the Sentinel lookup",
                    e.to_string(),
                ))
            })?;
        rx.recv_timeout(cfg.connect_timeout).unwrap_or_else(|_| {
            Err(rd::RedisError::from((
                rd::ErrorKind::Io,
                "no Sentinel named a master within REDIS_CONNECT_TIMEOUT",
            )))
        })
    }

    /// A pool of connections made by this connector (each new one tries CURRENT then NEXT).
    pub fn pool(self: &Arc<Self>) -> Result<r2d2::Pool<RedisManager>, RedisError> {
        r2d2::Pool::builder()
            .max_size(self.cfg.max_connections.max(1))
            .min_idle(Some(0))
            .connection_timeout(self.cfg.connect_timeout)
            .build(RedisManager {
                connector: Arc::clone(self),
            })
            .map_err(|e| RedisError::Pool(e.to_string()))
    }
}

fn short_reason(e: &rd::RedisError) -> String {
    let text = e.to_string();
    text.lines().next().unwrap_or("unknown error").to_string()
}

/// r2d2 adapter: connections from a [`RedisConnector`].
#[derive(Debug)]
pub struct RedisManager {
    connector: Arc<RedisConnector>,
}

impl r2d2::ManageConnection for RedisManager {
    type Connection = rd::Connection;
    type Error = RedisError;

    fn connect(&self) -> Result<rd::Connection, RedisError> {
        self.connector.connect()
    }

    fn is_valid(&self, conn: &mut rd::Connection) -> Result<(), RedisError> {
        if !self.connector.cfg.uses_sentinels() {
            return rd::cmd("PING").query::<()>(conn).map_err(RedisError::from);
        }
        // Under Sentinel the checkout test is ROLE (one round trip, like PING): a pooled
        // connection to a master that has since been demoted is discarded before it is used.
        let role: rd::Value = rd::cmd("ROLE").query(conn)?;
        match role {
            rd::Value::Array(items) if is_master_role(items.first()) => Ok(()),
            _ => Err(RedisError::Command(rd::RedisError::from((
                rd::ErrorKind::Server(rd::ServerErrorKind::ReadOnly),
                "the pooled connection's server is no longer the master",
            )))),
        }
    }

    fn has_broken(&self, conn: &mut rd::Connection) -> bool {
        !conn.is_open()
    }
}

fn is_master_role(first: Option<&rd::Value>) -> bool {
    match first {
        Some(rd::Value::BulkString(b)) => b == b"master",
        Some(rd::Value::SimpleString(t)) => t == "master",
        _ => false,
    }
}

/// One long-lived connection for a daemon loop: reconnects with backoff after connection errors.
pub struct ReconnectingConnection {
    connector: Arc<RedisConnector>,
    conn: Option<rd::Connection>,
    backoff: Backoff,
}

impl ReconnectingConnection {
    /// A connection that will be opened on first use.
    pub fn new(connector: Arc<RedisConnector>, backoff: Backoff) -> Self {
        ReconnectingConnection {
            connector,
            conn: None,
            backoff,
        }
    }

    /// Run `f` once on the connection, connecting first if needed. A connection-level failure
    /// drops the connection so the next call reconnects.
    pub fn run<T>(
        &mut self,
        mut f: impl FnMut(&mut rd::Connection) -> rd::RedisResult<T>,
    ) -> Result<T, RedisError> {
        if self.conn.is_none() {
            let mut conn = self.connector.connect()?;
            // A new connection may be to a new master whose script cache is empty; pipelines
            // send EVALSHA only, and a NOSCRIPT inside MULTI fails that command while the rest
            // of the transaction still runs. Loading first keeps every commit whole.
            scripts::load_pipelined(&mut conn)?;
            self.conn = Some(conn);
        }
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| RedisError::Pool("not connected".into()))?;
        match f(conn) {
            Ok(v) => {
                self.backoff.reset();
                Ok(v)
            }
            Err(e) => {
                if is_connection_error(&e) || !conn.is_open() {
                    self.conn = None;
                }
                Err(RedisError::Command(e))
            }
        }
    }

    /// Run `f` until it succeeds, waiting with backoff between transient failures and refused
    /// passwords (secrets are re-read on each attempt, so a rotation in progress heals). Returns
    /// `None` if shutdown is requested first; other errors are returned at once.
    pub fn run_until_ok<T>(
        &mut self,
        shutdown: &Shutdown,
        mut f: impl FnMut(&mut rd::Connection) -> rd::RedisResult<T>,
    ) -> Option<Result<T, RedisError>> {
        loop {
            match self.run(&mut f) {
                Ok(v) => return Some(Ok(v)),
                Err(e) if e.is_transient() || matches!(e, RedisError::Auth { .. }) => {
                    let delay = self.backoff.next_delay();
                    log::warn!("{e}; retrying in {} ms", delay.as_millis());
                    if shutdown.wait_timeout(delay) {
                        return None;
                    }
                }
                Err(e) => return Some(Err(e)),
            }
        }
    }

    /// After a write through this connection, wait until it is on the replicas
    /// `REDIS_MIN_REPLICAS_ACK` asks for,
    /// asking again with backoff while fewer confirm (logged once). Ends early on shutdown, or
    /// when the connection is lost: what that connection wrote is then settled by the failover,
    /// and the reliable queue redelivers whatever did not survive it.
    pub fn wait_for_replicas(&mut self, shutdown: &Shutdown) -> Result<(), RedisError> {
        let ack = self.connector.cfg.replica_ack;
        if !ack.is_on() {
            return Ok(());
        }
        let mut warned = false;
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            let conn = self
                .conn
                .as_mut()
                .ok_or_else(|| RedisError::Pool("connection lost before WAIT".into()))?;
            let short = match ack.replicas_confirming(conn) {
                Ok(n) => match ack.judge(n) {
                    Ok(()) => {
                        if warned {
                            log::info!("Redis replicas confirm writes again");
                        }
                        return Ok(());
                    }
                    Err(e) => e,
                },
                Err(e) => {
                    if is_connection_error(&e) || !conn.is_open() {
                        self.conn = None;
                    }
                    return Err(RedisError::Command(e));
                }
            };
            if !warned {
                log::warn!("{short}; holding the next batch until they confirm");
                warned = true;
            }
            if shutdown.wait_timeout(backoff.next_delay()) {
                return Err(short);
            }
        }
    }

    /// Whether a connection is currently open.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }
}

/// Keys asked for per SCAN round trip: few round trips even with a large keyspace.
const SCAN_COUNT: u64 = 1000;

/// Every key matching `pattern`. Unlike redis' `Iter`, which retries a failed SCAN forever when
/// its errors are skipped, a failed round trip ends the read; keys that are not UTF-8 cannot be
/// ours and are passed over.
pub fn scan_keys(
    conn: &mut ::redis::Connection,
    pattern: &str,
) -> ::redis::RedisResult<Vec<String>> {
    let mut out = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, batch): (u64, Vec<Vec<u8>>) = ::redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(pattern)
            .arg("COUNT")
            .arg(SCAN_COUNT)
            .query(conn)?;
        out.extend(batch.into_iter().filter_map(|k| String::from_utf8(k).ok()));
        if next == 0 {
            // SCAN may return a key more than once.
            out.sort();
            out.dedup();
            return Ok(out);
        }
        cursor = next;
    }
}
