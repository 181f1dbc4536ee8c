//! Redis connections: connect and reply timeouts, optional verified TLS, CURRENT/NEXT passwords
//! tried on every (re)connect, a pool, and a reconnecting single connection with backoff.
//!
//! Key names come from [`keys`]; Lua scripts from [`scripts`].

pub mod dynamic;
pub mod keys;
pub mod scripts;

use crate::backoff::Backoff;
use crate::settings::secrets::{Attempt, PasswordPair, Slot};
use crate::settings::{registry, Settings};
use crate::shutdown::Shutdown;
use ::redis as rd;
use rd::ConnectionLike;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
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
    /// The pool could not hand out a connection in time.
    #[error("no Redis connection available: {0}")]
    Pool(String),
}

impl RedisError {
    /// Whether retrying after a reconnect may help (the server went away, timed out, …).
    pub fn is_transient(&self) -> bool {
        match self {
            RedisError::Connect { .. } | RedisError::Pool(_) => true,
            RedisError::Command(e) => is_connection_error(e),
            RedisError::Auth { .. } | RedisError::Tls(_) => false,
        }
    }
}

/// Whether a redis-rs error means the connection is unusable.
pub fn is_connection_error(e: &rd::RedisError) -> bool {
    e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_unrecoverable_error()
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
        }
    }

    /// `host:port`, for messages.
    pub fn address(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

/// Makes authenticated Redis connections, remembering which password worked last.
#[derive(Debug)]
pub struct RedisConnector {
    cfg: RedisConfig,
    // true = NEXT worked last; a rotation flips it once and every later connect starts there.
    prefer_next: AtomicBool,
}

impl RedisConnector {
    /// A connector for `cfg`.
    pub fn new(cfg: RedisConfig) -> Arc<RedisConnector> {
        Arc::new(RedisConnector {
            cfg,
            prefer_next: AtomicBool::new(false),
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
        if cfg.tls {
            crate::crypto::install_crypto_provider();
        }
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
        let client = match (&cfg.ca_cert, cfg.tls) {
            (Some(ca), true) => {
                let pem = std::fs::read(ca).map_err(|e| {
                    rd::RedisError::from((
                        rd::ErrorKind::InvalidClientConfig,
                        "cannot read REDIS_CA_CERT_PATH",
                        e.kind().to_string(),
                    ))
                })?;
                rd::Client::build_with_tls(
                    info,
                    rd::TlsCertificates {
                        client_tls: None,
                        root_cert: Some(pem),
                    },
                )?
            }
            _ => rd::Client::open(info)?,
        };
        let mut conn = client.get_connection_with_timeout(cfg.connect_timeout)?;
        conn.set_read_timeout(Some(cfg.socket_timeout))?;
        conn.set_write_timeout(Some(cfg.socket_timeout))?;
        // A server with requirepass accepts the TCP connection and only refuses the first command.
        rd::cmd("PING").query::<()>(&mut conn)?;
        Ok(conn)
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
        rd::cmd("PING").query::<()>(conn).map_err(RedisError::from)
    }

    fn has_broken(&self, conn: &mut rd::Connection) -> bool {
        !conn.is_open()
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
            self.conn = Some(self.connector.connect()?);
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
