//! PostgreSQL connections and the r2d2 pool.
//!
//! Every new connection reads the CURRENT and NEXT passwords afresh and tries them in turn on an
//! authentication error, starting with whichever worked last, so a password rotation (step 1:
//! add NEXT; step 2: change the role; step 3: promote NEXT) needs no restart.

use crate::settings::secrets::{Attempt, PasswordPair, Slot};
use crate::settings::{registry, Settings};
use postgres::error::SqlState;
use r2d2_postgres::PostgresConnectionManager;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_postgres_rustls::MakeRustlsConnect;

/// The pool type every component shares.
pub type Pool = r2d2::Pool<PgManager>;

/// Errors of the PostgreSQL layer. Messages name settings, never their secret values.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// Every configured password was refused.
    #[error("PostgreSQL authentication failed for user \"{user}\" at {addr} (tried {tried})")]
    Auth {
        /// Role name.
        user: String,
        /// host:port/db
        addr: String,
        /// Setting names tried, or what to set.
        tried: String,
    },
    /// The server could not be reached, refused the database, or the TLS handshake failed.
    #[error("cannot connect to PostgreSQL at {addr}: {reason}")]
    Connect {
        /// host:port/db
        addr: String,
        /// Short cause.
        reason: String,
    },
    /// TLS settings cannot be used.
    #[error("PostgreSQL TLS: {0}")]
    Tls(String),
    /// A statement failed.
    #[error("PostgreSQL error: {}", short_reason(.0))]
    Query(#[from] postgres::Error),
    /// No pooled connection became free in time.
    #[error("no PostgreSQL connection available: {0}")]
    Pool(String),
    /// A migration could not be applied or does not match what was applied before.
    #[error("migration {file}: {reason}")]
    Migration {
        /// File name in `migrations/`.
        file: String,
        /// What went wrong.
        reason: String,
    },
}

impl From<r2d2::Error> for DbError {
    fn from(e: r2d2::Error) -> Self {
        DbError::Pool(e.to_string())
    }
}

/// How to reach PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgConfig {
    /// Host name or address (or a Unix socket directory starting with `/`); several
    /// comma-separated `host[:port]` are tried in order for one that accepts writes.
    pub host: String,
    /// Port of the hosts that name none.
    pub port: u16,
    /// Database.
    pub dbname: String,
    /// Role.
    pub user: String,
    /// TLS on/off; when on, the certificate chain and host name are verified (verify-full).
    pub tls: bool,
    /// CA bundle; system roots when `None`.
    pub ca_cert: Option<PathBuf>,
    /// Connect timeout.
    pub connect_timeout: Duration,
    /// Per-statement timeout (zero = none).
    pub statement_timeout: Duration,
    /// Idle connections kept.
    pub pool_min: u32,
    /// Maximum connections.
    pub pool_max: u32,
    /// Wait for a free pooled connection.
    pub pool_timeout: Duration,
    /// CURRENT and NEXT passwords.
    pub passwords: PasswordPair,
    /// `application_name` shown in `pg_stat_activity`.
    pub application_name: String,
}

impl PgConfig {
    /// The configuration the settings describe; `service` names the connection in the server.
    pub fn from_settings(s: &Settings, service: &str) -> PgConfig {
        PgConfig {
            host: s.text(&registry::DB_HOST).to_string(),
            port: s.port(&registry::DB_PORT),
            dbname: s.text(&registry::DB_NAME).to_string(),
            user: s.text(&registry::DB_USER).to_string(),
            tls: s.bool(&registry::DB_TLS_ENABLED),
            ca_cert: s
                .opt_text(&registry::DB_TLS_CA_CERT_PATH)
                .map(PathBuf::from),
            connect_timeout: s.duration(&registry::DB_CONNECT_TIMEOUT),
            statement_timeout: s.duration(&registry::DB_STATEMENT_TIMEOUT),
            pool_min: s.int(&registry::DB_POOL_MIN_CONN) as u32,
            pool_max: s.int(&registry::DB_POOL_MAX_CONN) as u32,
            pool_timeout: s.duration(&registry::DB_POOL_TIMEOUT),
            passwords: s.db_passwords(),
            application_name: format!("mutt-{service}"),
        }
    }

    /// Every host with its port, in the order they are tried.
    pub fn hosts(&self) -> Vec<(String, u16)> {
        crate::settings::host_list(&self.host, self.port)
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| vec![(self.host.clone(), self.port)])
    }

    /// `host:port/db` (`a:5432,b:5432/db` for several hosts), for messages.
    pub fn address(&self) -> String {
        let hosts: Vec<String> = self
            .hosts()
            .iter()
            .map(|(h, p)| format!("{h}:{p}"))
            .collect();
        format!("{}/{}", hosts.join(","), self.dbname)
    }
}

/// Makes PostgreSQL connections, remembering which password worked last.
pub struct PgConnector {
    cfg: PgConfig,
    tls: MakeRustlsConnect,
    prefer_next: AtomicBool,
}

impl std::fmt::Debug for PgConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConnector")
            .field("cfg", &self.cfg)
            .finish()
    }
}

fn tls_connector(cfg: &PgConfig) -> Result<MakeRustlsConnect, DbError> {
    crate::crypto::install_crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    if cfg.tls {
        match &cfg.ca_cert {
            Some(path) => {
                let pem = std::fs::read(path).map_err(|e| {
                    DbError::Tls(format!(
                        "cannot read DB_TLS_CA_CERT_PATH {}: {}",
                        path.display(),
                        e.kind()
                    ))
                })?;
                for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
                    let cert = cert.map_err(|_| {
                        DbError::Tls(format!(
                            "DB_TLS_CA_CERT_PATH {} is not a PEM certificate bundle",
                            path.display()
                        ))
                    })?;
                    roots.add(cert).map_err(|e| {
                        DbError::Tls(format!("bad CA certificate in {}: {e}", path.display()))
                    })?;
                }
                if roots.is_empty() {
                    return Err(DbError::Tls(format!(
                        "DB_TLS_CA_CERT_PATH {} holds no certificate",
                        path.display()
                    )));
                }
            }
            None => {
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
        }
    }
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

fn is_auth_error(e: &postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(c) if *c == SqlState::INVALID_PASSWORD || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
    )
}

fn is_password_missing(e: &postgres::Error) -> bool {
    e.code().is_none() && short_reason(e).contains("password missing")
}

/// The server's message, or the root cause of a client-side error, on one line.
pub fn short_reason(e: &postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return db.message().to_string();
    }
    // The chain's last element is the root cause (e.g. "Connection refused (os error 111)").
    let mut source: &dyn std::error::Error = e;
    while let Some(next) = source.source() {
        source = next;
    }
    let root = source.to_string();
    let top = e.to_string();
    if top.contains(&root) {
        top
    } else {
        format!("{top}: {root}")
    }
}

impl PgConnector {
    /// A connector for `cfg`; fails only when the TLS settings are unusable.
    pub fn new(cfg: PgConfig) -> Result<Arc<PgConnector>, DbError> {
        let tls = tls_connector(&cfg)?;
        Ok(Arc::new(PgConnector {
            cfg,
            tls,
            prefer_next: AtomicBool::new(false),
        }))
    }

    /// The configuration in use.
    pub fn config(&self) -> &PgConfig {
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

    fn manager(&self, password: Option<&str>) -> PostgresConnectionManager<MakeRustlsConnect> {
        let cfg = &self.cfg;
        let mut pg = postgres::Config::new();
        for (host, port) in cfg.hosts() {
            pg.host(&host).port(port);
        }
        // Only a primary will do: after a failover the hosts are tried in order until one
        // accepts writes (a standby, or a demoted primary, is skipped).
        pg.target_session_attrs(postgres::config::TargetSessionAttrs::ReadWrite)
            .dbname(&cfg.dbname)
            .user(&cfg.user)
            .application_name(&cfg.application_name)
            .connect_timeout(cfg.connect_timeout)
            .ssl_mode(if cfg.tls {
                postgres::config::SslMode::Require
            } else {
                postgres::config::SslMode::Disable
            });
        if !cfg.statement_timeout.is_zero() {
            pg.options(&format!(
                "-c statement_timeout={}",
                cfg.statement_timeout.as_millis()
            ));
        }
        if let Some(pw) = password {
            pg.password(pw);
        }
        PostgresConnectionManager::new(pg, self.tls.clone())
    }

    /// Open one connection, trying CURRENT then NEXT (or the reverse, after a rotation) on an
    /// authentication error. Passwords are re-read from their sources on every call.
    pub fn connect(&self) -> Result<postgres::Client, DbError> {
        self.cfg.passwords.connect_or_refresh(
            || self.active_slot(),
            |e| matches!(e, DbError::Auth { .. }),
            |candidates| self.connect_trying(candidates),
        )
    }

    fn connect_trying(&self, candidates: &[(Slot, String)]) -> Result<postgres::Client, DbError> {
        use r2d2::ManageConnection;
        let attempt = self.cfg.passwords.try_each(
            "PostgreSQL",
            candidates,
            &self.prefer_next,
            is_auth_error,
            |password| self.manager(password).connect(),
        );
        match attempt {
            Attempt::Accepted(client) => Ok(client),
            Attempt::Failed(e, tried) => Err(self.classify(e, &tried)),
            Attempt::Refused(tried) => Err(DbError::Auth {
                user: self.cfg.user.clone(),
                addr: self.cfg.address(),
                tried: tried.join(" and "),
            }),
        }
    }

    fn classify(&self, e: postgres::Error, tried: &[&str]) -> DbError {
        if is_auth_error(&e) || is_password_missing(&e) {
            return DbError::Auth {
                user: self.cfg.user.clone(),
                addr: self.cfg.address(),
                tried: if tried.is_empty() {
                    "no password; set DB_PASS_CURRENT".into()
                } else {
                    tried.join(" and ")
                },
            };
        }
        DbError::Connect {
            addr: self.cfg.address(),
            reason: short_reason(&e),
        }
    }

    /// A pool whose connections come from this connector. One connection is made first so a
    /// wrong password or address fails here with a precise error.
    pub fn pool(self: &Arc<Self>) -> Result<Pool, DbError> {
        drop(self.connect()?);
        Ok(r2d2::Pool::builder()
            .max_size(self.cfg.pool_max.max(1))
            .min_idle(Some(self.cfg.pool_min.min(self.cfg.pool_max)))
            .connection_timeout(self.cfg.pool_timeout)
            .test_on_check_out(true)
            .build_unchecked(PgManager {
                connector: Arc::clone(self),
            }))
    }
}

/// r2d2 adapter: connections from a [`PgConnector`].
#[derive(Debug)]
pub struct PgManager {
    connector: Arc<PgConnector>,
}

impl PgManager {
    /// The connector behind the pool.
    pub fn connector(&self) -> &Arc<PgConnector> {
        &self.connector
    }
}

impl r2d2::ManageConnection for PgManager {
    type Connection = postgres::Client;
    type Error = DbError;

    fn connect(&self) -> Result<postgres::Client, DbError> {
        self.connector.connect()
    }

    fn is_valid(&self, conn: &mut postgres::Client) -> Result<(), DbError> {
        // One round trip, as an empty query would be; it also catches a pooled connection to a
        // server that no longer accepts writes.
        let rows = conn.simple_query("SHOW transaction_read_only")?;
        let read_only = rows.iter().any(|m| match m {
            postgres::SimpleQueryMessage::Row(r) => r.get(0) == Some("on"),
            _ => false,
        });
        if read_only {
            return Err(DbError::Connect {
                addr: self.connector.cfg.address(),
                reason: "the server no longer accepts writes (a standby)".into(),
            });
        }
        Ok(())
    }

    fn has_broken(&self, conn: &mut postgres::Client) -> bool {
        conn.is_closed()
    }
}
