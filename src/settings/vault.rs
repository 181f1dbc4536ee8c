//! Secrets from HashiCorp Vault: AppRole login, a KV v2 secret, token renewal and re-reads.
//!
//! v2.5 read its secrets once at startup and never again, and its renewal thread never logged in
//! again, so the token died at its max TTL. Here a background thread keeps a cached copy of the
//! secret's fields fresh (every `VAULT_REFRESH_SECONDS`, and at once when a connection reports an
//! authentication failure), renews the token at about 2/3 of its lease, and logs in afresh when
//! renewal is refused or the max TTL nears. Readers only ever look at the cache, so no request
//! waits on Vault. When Vault becomes unreachable the last good values stay in force.
//!
//! No token, secret_id or secret value is ever put in a log line or an error.

use super::registry;
use super::{ConfigError, Settings};
use crate::backoff::Backoff;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

/// Shortest gap between two refreshes forced by connections (a reconnect storm must not hammer
/// Vault).
const FORCED_MIN_GAP: Duration = Duration::from_secs(1);
/// Shortest gap between two refreshes requested by a rejected API key (anyone can send one).
const REQUESTED_MIN_GAP: Duration = Duration::from_secs(5);
/// Timeout of every Vault request.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Where to find Vault and mutt's secret in it.
#[derive(Debug, Clone)]
pub struct VaultConfig {
    /// Base URL, without a trailing slash.
    pub addr: String,
    /// AppRole role_id.
    pub role_id: String,
    /// File holding the AppRole secret_id.
    pub secret_id_file: PathBuf,
    /// KV v2 mount.
    pub mount: String,
    /// Path of the secret inside the mount.
    pub path: String,
    /// Only trust root for Vault's certificate.
    pub cacert: Option<PathBuf>,
    /// Enterprise namespace.
    pub namespace: Option<String>,
    /// Interval between periodic re-reads.
    pub refresh: Duration,
}

impl VaultConfig {
    /// The Vault settings, or `None` when `VAULT_ADDR` is unset (Vault not used).
    pub fn from_settings(s: &Settings) -> Result<Option<VaultConfig>, ConfigError> {
        let Some(addr) = s.opt_text(&registry::VAULT_ADDR) else {
            return Ok(None);
        };
        let addr = addr.trim().trim_end_matches('/').to_string();
        if !(addr.starts_with("http://") || addr.starts_with("https://")) {
            return Err(ConfigError::new(
                "VAULT_ADDR",
                "must start with http:// or https://",
            ));
        }
        let role_id = s
            .opt_text(&registry::VAULT_ROLE_ID)
            .ok_or_else(|| ConfigError::new("VAULT_ROLE_ID", "required when VAULT_ADDR is set"))?
            .trim()
            .to_string();
        let secret_id_file = s
            .opt_text(&registry::VAULT_SECRET_ID_FILE)
            .map(PathBuf::from)
            .ok_or_else(|| {
                ConfigError::new("VAULT_SECRET_ID_FILE", "required when VAULT_ADDR is set")
            })?;
        let mount = s.text(&registry::VAULT_MOUNT).trim_matches('/').to_string();
        let mut path = s.text(&registry::VAULT_PATH).trim_matches('/').to_string();
        // v2.5 wrote the path with its mount (`secret/mutt`) and then doubled it.
        if let Some(rest) = path.strip_prefix(&format!("{mount}/")) {
            path = rest.to_string();
        }
        if mount.is_empty() || path.is_empty() {
            return Err(ConfigError::new(
                "VAULT_PATH",
                "VAULT_MOUNT and VAULT_PATH must not be empty",
            ));
        }
        Ok(Some(VaultConfig {
            addr,
            role_id,
            secret_id_file,
            mount,
            path,
            cacert: s.opt_text(&registry::VAULT_CACERT).map(PathBuf::from),
            namespace: s
                .opt_text(&registry::VAULT_NAMESPACE)
                .map(|n| n.trim().to_string()),
            refresh: s.duration(&registry::VAULT_REFRESH_SECONDS),
        }))
    }

    /// `mount/path`, for messages.
    pub fn location(&self) -> String {
        format!("{}/{}", self.mount, self.path)
    }
}

/// Why a Vault operation failed, worded for the operator (never holds a secret).
#[derive(Debug, Clone, PartialEq)]
pub struct VaultError {
    /// The setting most likely at fault.
    pub variable: &'static str,
    /// What happened.
    pub problem: String,
    /// Whether Vault answered at all (false: unreachable).
    pub answered: bool,
    /// The HTTP status, when Vault answered.
    pub status: Option<u16>,
}

impl std::fmt::Display for VaultError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl From<VaultError> for ConfigError {
    fn from(e: VaultError) -> ConfigError {
        ConfigError::new(e.variable, e.problem)
    }
}

struct Token {
    value: String,
    obtained: Instant,
    lease: Duration,
    renewable: bool,
    /// Lease granted at login; a renewal that grants much less means the max TTL is near.
    login_lease: Duration,
}

impl Token {
    fn renew_due(&self) -> Instant {
        self.obtained + self.lease.mul_f64(2.0 / 3.0)
    }
}

#[derive(Default)]
struct Wake {
    forced: bool,
    stop: bool,
}

/// A live view of mutt's Vault secret: a cache of its fields kept fresh by a background thread.
pub struct VaultStore {
    cfg: VaultConfig,
    agent: ureq::Agent,
    token: Mutex<Option<Token>>,
    data: RwLock<Arc<HashMap<String, String>>>,
    // One fetch at a time; also records when the last one finished, for rate limiting.
    fetch: Mutex<Option<Instant>>,
    last_forced: Mutex<Option<Instant>>,
    last_requested: Mutex<Option<Instant>>,
    wake: (Mutex<Wake>, Condvar),
    in_outage: AtomicBool,
    started: AtomicBool,
}

impl PartialEq for VaultStore {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl std::fmt::Debug for VaultStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VaultStore({} {})", self.cfg.addr, self.cfg.location())
    }
}

impl VaultStore {
    /// Log in and read the secret once; any failure is a startup error naming the variable.
    /// The refresher thread starts on the first [`VaultStore::start`].
    pub fn connect(cfg: VaultConfig) -> Result<Arc<VaultStore>, ConfigError> {
        let agent = build_agent(&cfg)?;
        let store = Arc::new(VaultStore {
            cfg,
            agent,
            token: Mutex::new(None),
            data: RwLock::new(Arc::new(HashMap::new())),
            fetch: Mutex::new(None),
            last_forced: Mutex::new(None),
            last_requested: Mutex::new(None),
            wake: (Mutex::new(Wake::default()), Condvar::new()),
            in_outage: AtomicBool::new(false),
            started: AtomicBool::new(false),
        });
        store.fetch_locked()?;
        Ok(store)
    }

    /// The configuration in use.
    pub fn config(&self) -> &VaultConfig {
        &self.cfg
    }

    /// Start the background refresher (once; later calls do nothing). It stops when the last
    /// handle on the store is dropped or [`VaultStore::stop`] is called.
    pub fn start(self: &Arc<Self>) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new()
            .name("vault-refresh".into())
            .spawn(move || refresher(weak));
        if let Err(e) = spawned {
            log::error!("cannot start the Vault refresher thread: {e}");
        }
    }

    /// Stop the background refresher.
    pub fn stop(&self) {
        let (lock, cv) = &self.wake;
        if let Ok(mut w) = lock.lock() {
            w.stop = true;
        }
        cv.notify_all();
    }

    /// The cached value of the first of `fields` that is present and non-empty.
    pub fn get(&self, fields: &[&str]) -> Option<String> {
        let data = self.data.read().map(|d| Arc::clone(&d)).ok()?;
        fields
            .iter()
            .find_map(|f| data.get(*f).filter(|v| !v.is_empty()).cloned())
    }

    /// Whether the secret currently has any of `fields`.
    pub fn has(&self, fields: &[&str]) -> bool {
        self.get(fields).is_some()
    }

    /// Re-read the secret now (logging in first if needed), unless a forced re-read happened in
    /// the last second. Failures keep the last good values. Called by connectors after every
    /// password was refused.
    pub fn refresh_now(&self) {
        let Ok(mut last) = self.fetch.lock() else {
            return;
        };
        // Only forced reads count here: a periodic read just before a rotation must not hide it.
        let mut forced = self.last_forced.lock().unwrap_or_else(|p| p.into_inner());
        if forced.is_some_and(|at| at.elapsed() < FORCED_MIN_GAP) {
            return;
        }
        match self.fetch_once() {
            Ok(()) => self.recovered(),
            Err(e) => self.failed(&e),
        }
        *last = Some(Instant::now());
        *forced = Some(Instant::now());
    }

    /// Ask the refresher to re-read soon without waiting (used on a rejected API key; limited to
    /// one request every few seconds, since any client can cause one).
    pub fn request_refresh(&self) {
        if let Ok(mut last) = self.last_requested.lock() {
            if last.is_some_and(|at| at.elapsed() < REQUESTED_MIN_GAP) {
                return;
            }
            *last = Some(Instant::now());
        }
        let (lock, cv) = &self.wake;
        if let Ok(mut w) = lock.lock() {
            w.forced = true;
        }
        cv.notify_all();
    }

    fn fetch_locked(&self) -> Result<(), VaultError> {
        let mut last = self.fetch.lock().unwrap_or_else(|p| p.into_inner());
        let r = self.fetch_once();
        *last = Some(Instant::now());
        r
    }

    fn recovered(&self) {
        if self.in_outage.swap(false, Ordering::SeqCst) {
            log::info!(
                "Vault at {} answers again; secrets refreshed",
                self.cfg.addr
            );
        }
    }

    fn failed(&self, e: &VaultError) {
        // Once per outage: a Vault down for an hour must not fill the log.
        if !self.in_outage.swap(true, Ordering::SeqCst) {
            log::warn!("cannot refresh secrets from Vault ({e}); keeping the last good values");
        }
    }

    /// Renew or log in as needed, then read the secret (logging in again once if the token was
    /// refused).
    fn fetch_once(&self) -> Result<(), VaultError> {
        self.ensure_token()?;
        match self.read_secret() {
            Err(e) if e.status == Some(403) => {
                // Revoked or expired token: a fresh login, then one more try.
                self.login()?;
                self.read_secret()
            }
            other => other,
        }
    }

    fn ensure_token(&self) -> Result<(), VaultError> {
        enum Need {
            Login,
            Renew,
            Nothing,
        }
        let need = {
            let guard = self.token.lock().unwrap_or_else(|p| p.into_inner());
            match guard.as_ref() {
                None => Need::Login,
                Some(t) if Instant::now() < t.renew_due() => Need::Nothing,
                Some(t) if t.renewable => Need::Renew,
                Some(_) => Need::Login,
            }
        };
        match need {
            Need::Login => self.login(),
            Need::Renew => match self.renew() {
                Ok(()) => Ok(()),
                Err(e) if !e.answered => Err(e),
                // Refused (revoked, past its max TTL): a fresh login.
                Err(_) => self.login(),
            },
            Need::Nothing => Ok(()),
        }
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let mut req = self
            .agent
            .request(method, &format!("{}/v1/{}", self.cfg.addr, path))
            .set("X-Vault-Request", "true");
        if let Some(ns) = &self.cfg.namespace {
            req = req.set("X-Vault-Namespace", ns);
        }
        req
    }

    fn login(&self) -> Result<(), VaultError> {
        let secret_id = match std::fs::read_to_string(&self.cfg.secret_id_file) {
            Ok(text) if !text.trim().is_empty() => text.trim().to_string(),
            Ok(_) => {
                return Err(VaultError {
                    variable: "VAULT_SECRET_ID_FILE",
                    problem: format!("{} is empty", self.cfg.secret_id_file.display()),
                    answered: true,
                    status: None,
                })
            }
            Err(e) => {
                return Err(VaultError {
                    variable: "VAULT_SECRET_ID_FILE",
                    problem: format!(
                        "cannot read {}: {}",
                        self.cfg.secret_id_file.display(),
                        e.kind()
                    ),
                    answered: true,
                    status: None,
                })
            }
        };
        let body = serde_json::json!({"role_id": self.cfg.role_id, "secret_id": secret_id});
        let resp = self
            .request("POST", "auth/approle/login")
            .set("Content-Type", "application/json")
            .send_string(&body.to_string());
        let json = self.answer(resp, "VAULT_ROLE_ID", "AppRole login")?;
        let token = parse_auth(&json).ok_or_else(|| VaultError {
            variable: "VAULT_ADDR",
            problem: "AppRole login answer has no auth.client_token".into(),
            answered: true,
            status: None,
        })?;
        log::info!(
            "logged in to Vault at {} (token lease {} s, renewable {})",
            self.cfg.addr,
            token.lease.as_secs(),
            token.renewable
        );
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
        Ok(())
    }

    fn current_token(&self) -> Option<(String, Duration)> {
        self.token
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|t| (t.value.clone(), t.login_lease))
    }

    fn renew(&self) -> Result<(), VaultError> {
        let Some((value, login_lease)) = self.current_token() else {
            return self.login();
        };
        let resp = self
            .request("POST", "auth/token/renew-self")
            .set("X-Vault-Token", &value)
            .set("Content-Type", "application/json")
            .send_string("{}");
        let json = self.answer(resp, "VAULT_ROLE_ID", "token renewal")?;
        let Some(mut token) = parse_auth(&json) else {
            return self.login();
        };
        // Vault caps a renewal at the max TTL: once the grant shrinks below half of what login
        // gave, the end is near, so log in afresh instead of riding the token to its death.
        if token.lease < login_lease / 2 {
            log::info!("Vault token nears its max TTL; logging in again");
            return self.login();
        }
        token.login_lease = login_lease;
        log::debug!(
            "renewed the Vault token (lease {} s)",
            token.lease.as_secs()
        );
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = Some(token);
        Ok(())
    }

    fn read_secret(&self) -> Result<(), VaultError> {
        let Some((value, _)) = self.current_token() else {
            return Err(VaultError {
                variable: "VAULT_ROLE_ID",
                problem: "not logged in".into(),
                answered: true,
                status: None,
            });
        };
        let resp = self
            .request("GET", &format!("{}/data/{}", self.cfg.mount, self.cfg.path))
            .set("X-Vault-Token", &value)
            .call();
        let json = self.answer(resp, "VAULT_PATH", "reading the secret")?;
        let Some(fields) = json.pointer("/data/data").and_then(|d| d.as_object()) else {
            return Err(VaultError {
                variable: "VAULT_PATH",
                problem: format!(
                    "{} is not a KV v2 secret (no data.data in the answer)",
                    self.cfg.location()
                ),
                answered: true,
                status: None,
            });
        };
        let map: HashMap<String, String> = fields
            .iter()
            .filter_map(|(k, v)| match v {
                serde_json::Value::String(s) => Some((k.clone(), s.clone())),
                serde_json::Value::Number(n) => Some((k.clone(), n.to_string())),
                _ => None,
            })
            .collect();
        if let Ok(mut data) = self.data.write() {
            *data = Arc::new(map);
        }
        Ok(())
    }

    /// The JSON body of a successful answer, or an error worded for `what`.
    fn answer(
        &self,
        resp: Result<ureq::Response, ureq::Error>,
        variable: &'static str,
        what: &str,
    ) -> Result<serde_json::Value, VaultError> {
        match resp {
            Ok(r) => {
                let text = r.into_string().map_err(|e| VaultError {
                    variable: "VAULT_ADDR",
                    problem: format!("{what}: cannot read Vault's answer: {}", e.kind()),
                    answered: false,
                    status: None,
                })?;
                serde_json::from_str(&text).map_err(|_| VaultError {
                    variable: "VAULT_ADDR",
                    problem: format!("{what}: Vault's answer is not JSON"),
                    answered: true,
                    status: None,
                })
            }
            Err(ureq::Error::Status(code, r)) => {
                // Vault's `errors` list says why (never echoes a secret); keep it short.
                let reason = r
                    .into_string()
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .and_then(|j| {
                        j.get("errors")?
                            .as_array()?
                            .first()?
                            .as_str()
                            .map(str::to_string)
                    })
                    .filter(|e| !e.is_empty())
                    .map(|e| format!(": {}", e.chars().take(120).collect::<String>()))
                    .unwrap_or_default();
                let variable = if code == 404 { "VAULT_PATH" } else { variable };
                let detail = if code == 404 {
                    format!(" (no secret at {})", self.cfg.location())
                } else {
                    String::new()
                };
                Err(VaultError {
                    variable,
                    problem: format!("{what} refused by Vault (HTTP {code}){detail}{reason}"),
                    answered: true,
                    status: Some(code),
                })
            }
            Err(ureq::Error::Transport(t)) => Err(VaultError {
                variable: "VAULT_ADDR",
                problem: format!(
                    "cannot reach Vault at {}: {}",
                    self.cfg.addr,
                    transport_reason(&t)
                ),
                answered: false,
                status: None,
            }),
        }
    }
}

fn parse_auth(json: &serde_json::Value) -> Option<Token> {
    let auth = json.get("auth")?;
    let value = auth.get("client_token")?.as_str()?.to_string();
    let lease = Duration::from_secs(auth.get("lease_duration").and_then(|v| v.as_u64())?);
    let renewable = auth
        .get("renewable")
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    Some(Token {
        value,
        obtained: Instant::now(),
        lease,
        renewable,
        login_lease: lease,
    })
}

fn transport_reason(t: &ureq::Transport) -> String {
    use std::error::Error;
    let mut source = t.source();
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                // rustls wraps certificate problems in an io::Error; say what the TLS problem was.
                return inner.to_string();
            }
            return io.kind().to_string();
        }
        source = e.source();
    }
    match t.message() {
        Some(m) => format!("{}: {m}", t.kind()),
        None => t.kind().to_string(),
    }
}

fn build_agent(cfg: &VaultConfig) -> Result<ureq::Agent, ConfigError> {
    let mut builder = ureq::AgentBuilder::new()
        .timeout_connect(Duration::from_secs(5))
        .timeout(HTTP_TIMEOUT)
        .redirects(0);
    if let Some(path) = &cfg.cacert {
        crate::crypto::install_crypto_provider();
        let bad = |why: String| ConfigError::new("VAULT_CACERT", why);
        let pem = std::fs::read(path)
            .map_err(|e| bad(format!("cannot read {}: {}", path.display(), e.kind())))?;
        let mut roots = rustls::RootCertStore::empty();
        for cert in rustls_pemfile::certs(&mut pem.as_slice()) {
            let cert = cert.map_err(|_| {
                bad(format!(
                    "{} is not a PEM certificate bundle",
                    path.display()
                ))
            })?;
            roots
                .add(cert)
                .map_err(|e| bad(format!("bad CA certificate in {}: {e}", path.display())))?;
        }
        if roots.is_empty() {
            return Err(bad(format!("{} holds no certificate", path.display())));
        }
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        builder = builder.tls_config(Arc::new(tls));
    }
    Ok(builder.build())
}

/// The refresher: periodic re-reads, token renewal on time, forced re-reads on request, and
/// backoff while Vault is unreachable.
fn refresher(weak: std::sync::Weak<VaultStore>) {
    let mut backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(60));
    let mut next_read = Instant::now();
    let mut requested = false;
    loop {
        let Some(store) = weak.upgrade() else { return };
        let refresh = store.cfg.refresh;
        if next_read <= Instant::now() {
            let result = {
                let mut last = store.fetch.lock().unwrap_or_else(|p| p.into_inner());
                // A read moments ago (a connector forced one) makes this one redundant.
                // (A requested read always goes out: request_refresh already rate-limits.)
                let gap = FORCED_MIN_GAP.min(refresh / 2);
                if !std::mem::take(&mut requested) && last.is_some_and(|at| at.elapsed() < gap) {
                    Ok(())
                } else {
                    let r = store.fetch_once();
                    *last = Some(Instant::now());
                    r
                }
            };
            next_read = match result {
                Ok(()) => {
                    store.recovered();
                    backoff.reset();
                    Instant::now() + refresh
                }
                Err(e) => {
                    store.failed(&e);
                    Instant::now() + backoff.next_delay().max(Duration::from_millis(100))
                }
            };
        }
        // Wake for the next read, or earlier to renew the token before 2/3 of its lease.
        let mut wake_at = next_read;
        if let Some(t) = store
            .token
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            // A renewal already overdue (it failed) is retried by the next read instead.
            if t.renew_due() > Instant::now() {
                wake_at = wake_at.min(t.renew_due());
            }
        }
        let (lock, cv) = &store.wake;
        let mut w = lock.lock().unwrap_or_else(|p| p.into_inner());
        while !w.forced && !w.stop && Instant::now() < wake_at {
            // Short waits so a dropped store is noticed and the thread ends.
            let left = wake_at.saturating_duration_since(Instant::now());
            w = cv
                .wait_timeout(w, left.min(Duration::from_secs(1)))
                .map(|(g, _)| g)
                .unwrap_or_else(|p| p.into_inner().0);
            if Arc::strong_count(&store) <= 1 {
                return;
            }
        }
        if w.stop {
            return;
        }
        if w.forced {
            w.forced = false;
            requested = true;
            next_read = Instant::now();
        } else if Instant::now() >= wake_at && wake_at < next_read {
            // Token renewal is due: renew now (the read itself stays on its schedule).
            drop(w);
            if let Err(e) = store.ensure_token() {
                store.failed(&e);
                next_read = Instant::now() + backoff.next_delay();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_mount_is_stripped_from_the_path() {
        let env: HashMap<String, String> = [
            ("VAULT_ROLE_ID", "r"),
            ("VAULT_SECRET_ID_FILE", "/nonexistent"),
            ("VAULT_PATH", "secret/mutt"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let s = Settings::load(&[], &env).unwrap();
        // VAULT_ADDR unset: Vault is not used at all.
        assert!(VaultConfig::from_settings(&s).unwrap().is_none());
        let mut env = env;
        env.insert("VAULT_ADDR".into(), "http://127.0.0.1:1/".into());
        let s = Settings::load_without_vault(&[], &env).unwrap();
        let cfg = VaultConfig::from_settings(&s).unwrap().unwrap();
        assert_eq!(cfg.addr, "http://127.0.0.1:1");
        assert_eq!(cfg.location(), "secret/mutt");
    }

    #[test]
    fn unreachable_vault_is_one_line_naming_vault_addr() {
        let env: HashMap<String, String> = [
            ("VAULT_ADDR", "http://127.0.0.1:1"),
            ("VAULT_ROLE_ID", "r"),
            ("VAULT_SECRET_ID_FILE", "/etc/hostname"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let err = Settings::load(&[], &env).unwrap_err();
        assert_eq!(err.variable, "VAULT_ADDR");
        assert!(
            err.problem
                .starts_with("cannot reach Vault at http://127.0.0.1:1: connection refused"),
            "{}",
            err.problem
        );
    }
}
