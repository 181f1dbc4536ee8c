//! Settings: one loader for every subcommand.
//!
//! Precedence, highest first: command-line flags (`--set NAME=VALUE` and the named global flags),
//! the environment (v2.5 names, then their legacy aliases), the components of `REDIS_URL` /
//! `DATABASE_URL`, then the registry default. Every value is validated at load time, so a bad
//! variable stops startup with one line naming it and the rule it breaks.

pub mod dynamic_keys;
pub mod registry;
pub mod secrets;
pub mod vault;

use registry::{Def, Kind, ALL};
use secrets::{PasswordPair, SecretSource};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::time::Duration;

/// A configuration problem: which variable, and what rule it breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("invalid configuration: {variable}: {problem}")]
pub struct ConfigError {
    /// The variable (or flag) at fault.
    pub variable: String,
    /// The rule it breaks, in words.
    pub problem: String,
}

impl ConfigError {
    /// The error for `variable`, saying what is wrong with it.
    pub fn new(variable: impl Into<String>, problem: impl Into<String>) -> Self {
        ConfigError {
            variable: variable.into(),
            problem: problem.into(),
        }
    }
}

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// A command-line flag.
    Flag,
    /// An environment variable (the setting's own name or a legacy alias).
    Env(String),
    /// A `<NAME>_FILE` path (secrets only).
    File(PathBuf),
    /// A field of the Vault secret (secrets only).
    Vault,
    /// A component of `REDIS_URL` or `DATABASE_URL`.
    Url(&'static str),
    /// The registry default.
    Default,
    /// Not set and no default.
    Unset,
}

impl Source {
    /// Short label for tables: `flag`, `env`, `env (REDIS_PASS)`, `file`, `REDIS_URL`, `default`.
    pub fn label(&self, def: &Def) -> String {
        match self {
            Source::Flag => "flag".into(),
            Source::Env(name) if name == def.name => "env".into(),
            Source::Env(name) => format!("env ({name})"),
            Source::File(_) => "file".into(),
            Source::Vault => "vault".into(),
            Source::Url(name) => (*name).into(),
            Source::Default => "default".into(),
            Source::Unset => "unset".into(),
        }
    }
}

/// A validated value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// No value and no default.
    Unset,
    /// Text (also paths, URLs, names).
    Text(String),
    /// An integer (also ports).
    Int(i64),
    /// A decimal number (durations in seconds).
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A secret's source; read through [`SecretSource::get`].
    Secret(SecretSource),
}

#[derive(Debug, Clone)]
struct Entry {
    value: Value,
    source: Source,
}

/// Effective, validated settings.
#[derive(Debug, Clone)]
pub struct Settings {
    entries: BTreeMap<&'static str, Entry>,
}

/// One row of `mutt config show`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ShownSetting {
    /// Variable name.
    pub name: &'static str,
    /// Effective value, secrets masked.
    pub value: String,
    /// `flag`, `env`, `file`, `REDIS_URL`, `default`, ….
    pub source: String,
    /// Section.
    pub group: &'static str,
    /// Whether the value is a secret (masked).
    pub secret: bool,
    /// Description.
    pub description: &'static str,
}

impl Settings {
    /// Load from the process environment plus command-line `flags` (name, value).
    pub fn from_env(flags: &[(String, String)]) -> Result<Settings, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        Settings::load(flags, &env)
    }

    /// Load from an explicit environment map (used by tests and by `from_env`). When
    /// `VAULT_ADDR` is set this logs in to Vault and reads the secret: secrets not given in the
    /// environment, a `_FILE` or a URL then come from Vault, and Vault trouble fails the load.
    pub fn load(
        flags: &[(String, String)],
        env: &HashMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let mut settings = Settings::load_without_vault(flags, env)?;
        settings.attach_vault()?;
        Ok(settings)
    }

    /// Bind every secret not set explicitly to its field in the Vault secret.
    fn attach_vault(&mut self) -> Result<(), ConfigError> {
        let Some(cfg) = vault::VaultConfig::from_settings(self)? else {
            return Ok(());
        };
        let store = vault::VaultStore::connect(cfg)?;
        for &def in ALL {
            if def.kind != Kind::Secret {
                continue;
            }
            let entry = self.entries.get_mut(def.name);
            if let Some(entry) = entry.filter(|e| e.source == Source::Unset) {
                let fields = std::iter::once(def.name)
                    .chain(def.aliases.iter().copied())
                    .collect();
                entry.value = Value::Secret(SecretSource::Vault {
                    store: std::sync::Arc::clone(&store),
                    fields,
                });
                entry.source = Source::Vault;
            }
        }
        store.start();
        Ok(())
    }

    /// Load without contacting Vault even when it is configured (Vault settings are still
    /// validated); for tests and tools that only need the static settings.
    pub fn load_without_vault(
        flags: &[(String, String)],
        env: &HashMap<String, String>,
    ) -> Result<Settings, ConfigError> {
        let mut flag_map: HashMap<&str, &str> = HashMap::new();
        for (name, value) in flags {
            let def = registry::find(name)
                .ok_or_else(|| ConfigError::new(format!("--set {name}"), "unknown setting name"))?;
            if def.kind == Kind::Secret {
                return Err(ConfigError::new(
                    format!("--set {name}"),
                    format!(
                        "secrets are not accepted on the command line (visible in ps); set {name} or {name}_FILE"
                    ),
                ));
            }
            flag_map.insert(def.name, value.as_str());
        }

        let raw = |def: &Def| -> Option<(String, Source)> {
            if let Some(v) = flag_map.get(def.name) {
                return Some((v.to_string(), Source::Flag));
            }
            std::iter::once(def.name)
                .chain(def.aliases.iter().copied())
                .find_map(|name| {
                    env.get(name)
                        .filter(|v| !v.is_empty())
                        .map(|v| (v.clone(), Source::Env(name.to_string())))
                })
        };

        let prefix = match raw(&registry::MUTT_KEY_PREFIX) {
            Some((v, _)) => v,
            None => registry::MUTT_KEY_PREFIX
                .default
                .unwrap_or("mutt")
                .to_string(),
        };
        let mut url_parts: HashMap<&'static str, (String, &'static str)> = HashMap::new();
        if let Some((url, _)) = raw(&registry::REDIS_URL) {
            for (name, value) in parse_redis_url(&url)? {
                url_parts.insert(name, (value, "REDIS_URL"));
            }
        }
        if let Some((url, _)) = raw(&registry::DATABASE_URL) {
            for (name, value) in parse_database_url(&url)? {
                url_parts.insert(name, (value, "DATABASE_URL"));
            }
        }

        let mut entries = BTreeMap::new();
        let mut deferred_tls = Vec::new();
        for &def in ALL {
            if def.kind == Kind::Secret {
                let (value, source) = load_secret(def, env, url_parts.get(def.name))?;
                entries.insert(def.name, Entry { value, source });
                continue;
            }
            let given = raw(def).or_else(|| {
                url_parts
                    .get(def.name)
                    .map(|(v, from)| (v.clone(), Source::Url(from)))
            });
            let (text, source) = match given {
                Some(pair) => pair,
                None => match def.default {
                    Some(d) => (d.replace("{prefix}", &prefix), Source::Default),
                    None => {
                        if let Kind::TlsAuto { .. } = def.kind {
                            deferred_tls.push(def);
                        }
                        entries.insert(
                            def.name,
                            Entry {
                                value: Value::Unset,
                                source: Source::Unset,
                            },
                        );
                        continue;
                    }
                },
            };
            let value = parse_value(def, &text)?;
            entries.insert(def.name, Entry { value, source });
        }

        // A TLS default depends on the host it protects, so it is settled after the hosts.
        for def in deferred_tls {
            if let Kind::TlsAuto { host_setting } = def.kind {
                let host = match entries.get(host_setting).map(|e| &e.value) {
                    Some(Value::Text(h)) => h.clone(),
                    _ => String::new(),
                };
                // A host list is local only when every host in it is.
                let local = match host_list(&host, 0) {
                    Ok(hosts) if !hosts.is_empty() => hosts.iter().all(|(h, _)| is_local_host(h)),
                    _ => is_local_host(&host),
                };
                entries.insert(
                    def.name,
                    Entry {
                        value: Value::Bool(!local),
                        source: Source::Default,
                    },
                );
            }
        }

        let settings = Settings { entries };
        settings.check_relations()?;
        Ok(settings)
    }

    fn check_relations(&self) -> Result<(), ConfigError> {
        let min = self.int(&registry::DB_POOL_MIN_CONN);
        let max = self.int(&registry::DB_POOL_MAX_CONN);
        if min > max {
            return Err(ConfigError::new(
                "DB_POOL_MIN_CONN",
                format!("must not exceed DB_POOL_MAX_CONN ({min} > {max})"),
            ));
        }
        if self.text(&registry::MUTT_KEY_PREFIX).is_empty() {
            return Err(ConfigError::new("MUTT_KEY_PREFIX", "must not be empty"));
        }
        for def in [&registry::DB_HOST, &registry::REDIS_SENTINELS] {
            if let Err(why) = host_list(self.text(def), 0) {
                return Err(ConfigError::new(def.name, why));
            }
        }
        let ack_wait =
            Duration::from_millis(self.int(&registry::REDIS_REPLICAS_ACK_TIMEOUT_MS) as u64);
        let reply_wait = self.duration(&registry::REDIS_SOCKET_TIMEOUT);
        if self.int(&registry::REDIS_MIN_REPLICAS_ACK) > 0 && ack_wait >= reply_wait {
            return Err(ConfigError::new(
                "REDIS_REPLICAS_ACK_TIMEOUT_MS",
                format!(
                    "must be shorter than REDIS_SOCKET_TIMEOUT ({} ms), or every WAIT times out the connection",
                    reply_wait.as_millis()
                ),
            ));
        }
        Ok(())
    }

    fn entry(&self, def: &Def) -> &Entry {
        // Every registry definition is loaded; a miss is a programming error caught by tests.
        self.entries
            .get(def.name)
            .unwrap_or_else(|| panic!("setting {} is not in the registry", def.name))
    }

    /// Text value, empty when unset.
    pub fn text(&self, def: &Def) -> &str {
        match &self.entry(def).value {
            Value::Text(t) => t,
            _ => "",
        }
    }

    /// Text value, `None` when unset.
    pub fn opt_text(&self, def: &Def) -> Option<&str> {
        match &self.entry(def).value {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    /// Integer value (ints and ports); 0 when unset.
    pub fn int(&self, def: &Def) -> i64 {
        match self.entry(def).value {
            Value::Int(i) => i,
            _ => 0,
        }
    }

    /// A port value.
    pub fn port(&self, def: &Def) -> u16 {
        u16::try_from(self.int(def)).unwrap_or(0)
    }

    /// A decimal value; 0.0 when unset.
    pub fn float(&self, def: &Def) -> f64 {
        match self.entry(def).value {
            Value::Float(f) => f,
            Value::Int(i) => i as f64,
            _ => 0.0,
        }
    }

    /// A duration given in (decimal) seconds.
    pub fn duration(&self, def: &Def) -> Duration {
        Duration::from_secs_f64(self.float(def).max(0.0))
    }

    /// A boolean; false when unset.
    pub fn bool(&self, def: &Def) -> bool {
        matches!(self.entry(def).value, Value::Bool(true))
    }

    /// The log level.
    pub fn log_level(&self) -> log::LevelFilter {
        parse_level(self.text(&registry::LOG_LEVEL)).unwrap_or(log::LevelFilter::Info)
    }

    /// A secret's source (read it with [`SecretSource::get`]).
    pub fn secret(&self, def: &Def) -> SecretSource {
        match &self.entry(def).value {
            Value::Secret(s) => s.clone(),
            _ => SecretSource::Unset,
        }
    }

    /// The Redis CURRENT/NEXT password pair.
    pub fn redis_passwords(&self) -> PasswordPair {
        PasswordPair {
            current_name: registry::REDIS_PASS_CURRENT.name,
            next_name: registry::REDIS_PASS_NEXT.name,
            current: self.secret(&registry::REDIS_PASS_CURRENT),
            next: self.secret(&registry::REDIS_PASS_NEXT),
        }
    }

    /// The PostgreSQL CURRENT/NEXT password pair.
    pub fn db_passwords(&self) -> PasswordPair {
        PasswordPair {
            current_name: registry::DB_PASS_CURRENT.name,
            next_name: registry::DB_PASS_NEXT.name,
            current: self.secret(&registry::DB_PASS_CURRENT),
            next: self.secret(&registry::DB_PASS_NEXT),
        }
    }

    /// Where a setting's value came from.
    pub fn source(&self, def: &Def) -> &Source {
        &self.entry(def).source
    }

    /// The effective value as text, whatever its kind (empty when unset; secrets and URL
    /// passwords masked).
    pub fn display_value(&self, def: &Def) -> String {
        match &self.entry(def).value {
            Value::Unset => String::new(),
            Value::Text(t) if def.name == "REDIS_URL" || def.name == "DATABASE_URL" => {
                mask_url_password(t)
            }
            Value::Text(t) => t.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Secret(s) => s.describe(),
        }
    }

    /// Every setting with its effective value (secrets masked) and source, in registry order.
    pub fn show(&self) -> Vec<ShownSetting> {
        ALL.iter()
            .map(|&def| {
                let entry = self.entry(def);
                ShownSetting {
                    name: def.name,
                    value: self.display_value(def),
                    source: entry.source.label(def),
                    group: def.group.name(),
                    secret: def.kind == Kind::Secret,
                    description: def.help,
                }
            })
            .collect()
    }

    /// A daemon instance's name: `POD_NAME`, else `<service>-<host name>-<port>`. The port is
    /// the instance's own listener, so several instances on one host get distinct names that
    /// stay the same across restarts (a restart finds its own processing list).
    pub fn instance_name(&self, service: &str, port: u16) -> String {
        match self.opt_text(&registry::POD_NAME) {
            Some(p) => p.to_string(),
            None => format!("{service}-{}-{port}", host_name()),
        }
    }

    /// This instance's name: `POD_NAME`, else `<service>-<host name>`, stable across restarts.
    pub fn pod_name(&self, service: &str) -> String {
        match self.opt_text(&registry::POD_NAME) {
            Some(p) => p.to_string(),
            None => format!("{service}-{}", host_name()),
        }
    }
}

fn load_secret(
    def: &'static Def,
    env: &HashMap<String, String>,
    from_url: Option<&(String, &'static str)>,
) -> Result<(Value, Source), ConfigError> {
    for name in std::iter::once(def.name).chain(def.aliases.iter().copied()) {
        let file_var = format!("{name}_FILE");
        let direct = env.get(name).filter(|v| !v.is_empty());
        let file = env.get(&file_var).filter(|v| !v.is_empty());
        match (direct, file) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    name,
                    format!("set either {name} or {file_var}, not both"),
                ))
            }
            (Some(v), None) => {
                return Ok((
                    Value::Secret(SecretSource::Value(v.clone())),
                    Source::Env(name.to_string()),
                ))
            }
            (None, Some(path)) => {
                let path = PathBuf::from(path);
                // Checked once at startup so a typo fails fast; later reads tolerate rotation gaps.
                if let Err(err) = std::fs::metadata(&path) {
                    return Err(ConfigError::new(
                        file_var,
                        format!("cannot read {}: {}", path.display(), err.kind()),
                    ));
                }
                return Ok((
                    Value::Secret(SecretSource::File(path.clone())),
                    Source::File(path),
                ));
            }
            (None, None) => {}
        }
    }
    if let Some((value, from)) = from_url {
        return Ok((
            Value::Secret(SecretSource::Value(value.clone())),
            Source::Url(from),
        ));
    }
    Ok((Value::Secret(SecretSource::Unset), Source::Unset))
}

fn parse_value(def: &Def, text: &str) -> Result<Value, ConfigError> {
    let shown = if text.len() > 64 {
        format!("{}…", &text[..text.floor_char_boundary(64)])
    } else {
        text.to_string()
    };
    let bad = |rule: String| ConfigError::new(def.name, format!("{shown:?} {rule}"));
    match def.kind {
        Kind::Text | Kind::Secret => Ok(Value::Text(text.to_string())),
        Kind::Int { min, max } => match text.trim().parse::<i64>() {
            Ok(i) if (min..=max).contains(&i) => Ok(Value::Int(i)),
            _ => Err(bad(format!("must be an integer from {min} to {max}"))),
        },
        Kind::Port => match text.trim().parse::<i64>() {
            Ok(i) if (1..=65535).contains(&i) => Ok(Value::Int(i)),
            _ => Err(bad("must be a port number from 1 to 65535".into())),
        },
        Kind::ListenPort => match text.trim().parse::<i64>() {
            Ok(i) if (0..=65535).contains(&i) => Ok(Value::Int(i)),
            _ => Err(bad(
                "must be a port number from 0 (any free port) to 65535".into()
            )),
        },
        Kind::Float { min, max } => match text.trim().parse::<f64>() {
            Ok(f) if f.is_finite() && f >= min && f <= max => Ok(Value::Float(f)),
            _ => Err(bad(format!("must be a number from {min} to {max}"))),
        },
        Kind::Bool | Kind::TlsAuto { .. } => match parse_bool(text) {
            Some(b) => Ok(Value::Bool(b)),
            None => Err(bad("must be one of true/false/1/0/yes/no/on/off".into())),
        },
        Kind::OneOf(choices) => {
            let lower = text.trim().to_ascii_lowercase();
            if choices.contains(&lower.as_str()) {
                Ok(Value::Text(lower))
            } else {
                Err(bad(format!("must be one of {}", choices.join(", "))))
            }
        }
        Kind::LogLevel => match parse_level(text) {
            Some(_) => Ok(Value::Text(text.trim().to_ascii_uppercase())),
            None => Err(bad(
                "must be one of ERROR, WARN, INFO, DEBUG, TRACE, OFF".into()
            )),
        },
    }
}

/// Parse a boolean the way every mutt setting does: `true/false/1/0/yes/no/on/off`, any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

fn parse_level(text: &str) -> Option<log::LevelFilter> {
    match text.trim().to_ascii_uppercase().as_str() {
        "ERROR" | "CRITICAL" => Some(log::LevelFilter::Error),
        "WARN" | "WARNING" => Some(log::LevelFilter::Warn),
        "INFO" => Some(log::LevelFilter::Info),
        "DEBUG" => Some(log::LevelFilter::Debug),
        "TRACE" => Some(log::LevelFilter::Trace),
        "OFF" => Some(log::LevelFilter::Off),
        _ => None,
    }
}

/// Whether a host name or address is on this machine (TLS defaults off for these).
pub fn is_local_host(host: &str) -> bool {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.starts_with('/') {
        return true;
    }
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

/// A comma-separated list of `host[:port]` (`[v6]:port` for IPv6 addresses), each without a
/// port taking `default_port`. Empty text is an empty list.
pub fn host_list(text: &str, default_port: u16) -> Result<Vec<(String, u16)>, String> {
    let mut out = Vec::new();
    for item in text.split(',').map(str::trim) {
        if item.is_empty() {
            if text.trim().is_empty() {
                break;
            }
            return Err("has an empty entry in its host list".into());
        }
        let (host, port) = if let Some(v6) = item.strip_prefix('[') {
            let (host, rest) = v6
                .split_once(']')
                .ok_or_else(|| format!("{item:?} opens [ without closing it"))?;
            (host, rest.strip_prefix(':'))
        } else if item.matches(':').count() == 1 {
            let (host, port) = item.split_once(':').unwrap_or((item, ""));
            (host, Some(port))
        } else {
            (item, None)
        };
        let port = match port {
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p > 0)
                .ok_or_else(|| format!("{item:?} has no valid port after the colon"))?,
            None => default_port,
        };
        out.push((host.to_string(), port));
    }
    Ok(out)
}

/// Decodes a URL component (user, password, database): `%XX` only; `+` and `&` are literal.
fn percent_decoded(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// A URL whose authority lists several `host[:port]` (libpq's multi-host form, and the
/// Sentinel URL's list of sentinels): the URL with one placeholder host, so the url crate can
/// parse the rest, and the hosts as written. `None` when the authority names one host.
fn split_host_list(text: &str) -> Option<(String, String)> {
    let after_scheme = text.find("://")? + 3;
    let rest = &text[after_scheme..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let hosts_start = authority.rfind('@').map_or(0, |at| at + 1);
    let hosts = &authority[hosts_start..];
    if !hosts.contains(',') {
        return None;
    }
    let single = format!(
        "{}{}placeholder{}",
        &text[..after_scheme],
        &authority[..hosts_start],
        &rest[authority_end..]
    );
    Some((single, hosts.to_string()))
}

fn parse_redis_url(text: &str) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let bad = |why: &str| ConfigError::new("REDIS_URL", why.to_string());
    let (parsable, host_list) = match split_host_list(text) {
        Some((single, hosts)) => (single, Some(hosts)),
        None => (text.to_string(), None),
    };
    let url = url::Url::parse(&parsable).map_err(|_| bad("is not a valid URL"))?;
    let (tls, sentinel) = match url.scheme() {
        "redis" => (false, false),
        "rediss" => (true, false),
        "redis+sentinel" => (false, true),
        "rediss+sentinel" => (true, true),
        _ => {
            return Err(bad(
                "must start with redis://, rediss://, redis+sentinel:// or rediss+sentinel://",
            ))
        }
    };
    let mut out = vec![("REDIS_TLS_ENABLED", tls.to_string())];
    let path = url.path().trim_start_matches('/');
    let db = if sentinel {
        // redis+sentinel://[user:password@]s1:26379,s2:26379/<master>[/<db>]
        let hosts = match host_list {
            Some(list) => list,
            None => {
                let host = url.host_str().ok_or_else(|| bad("names no sentinel"))?;
                format!("{host}:{}", url.port().unwrap_or(26379))
            }
        };
        out.push(("REDIS_SENTINELS", hosts));
        out.push(("REDIS_SENTINEL_TLS_ENABLED", tls.to_string()));
        let (master, db) = path.split_once('/').unwrap_or((path, ""));
        if master.is_empty() {
            return Err(bad(
                "must name the master: redis+sentinel://host:port/<master>",
            ));
        }
        out.push(("REDIS_SENTINEL_MASTER", percent_decoded(master)));
        db.to_string()
    } else {
        if host_list.is_some() {
            return Err(bad(
                "names several hosts; list Sentinels with redis+sentinel:// or REDIS_SENTINELS",
            ));
        }
        if let Some(host) = url.host_str() {
            out.push(("REDIS_HOST", host.trim_matches(['[', ']']).to_string()));
        }
        if let Some(port) = url.port() {
            out.push(("REDIS_PORT", port.to_string()));
        }
        path.to_string()
    };
    if !db.is_empty() {
        out.push(("REDIS_DB", db));
    }
    if !url.username().is_empty() {
        out.push(("REDIS_USERNAME", percent_decoded(url.username())));
    }
    if let Some(pw) = url.password() {
        out.push(("REDIS_PASS_CURRENT", percent_decoded(pw)));
    }
    Ok(out)
}

fn parse_database_url(text: &str) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let bad = |why: &str| ConfigError::new("DATABASE_URL", why.to_string());
    let (parsable, host_list) = match split_host_list(text) {
        Some((single, hosts)) => (single, Some(hosts)),
        None => (text.to_string(), None),
    };
    let url = url::Url::parse(&parsable).map_err(|_| bad("is not a valid URL"))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(bad("must start with postgres:// or postgresql://"));
    }
    let mut out = Vec::new();
    if let Some(hosts) = host_list {
        out.push(("DB_HOST", hosts));
    } else {
        if let Some(host) = url.host_str() {
            out.push(("DB_HOST", host.trim_matches(['[', ']']).to_string()));
        }
        if let Some(port) = url.port() {
            out.push(("DB_PORT", port.to_string()));
        }
    }
    let db = url.path().trim_start_matches('/');
    if !db.is_empty() {
        out.push(("DB_NAME", percent_decoded(db)));
    }
    if !url.username().is_empty() {
        out.push(("DB_USER", percent_decoded(url.username())));
    }
    if let Some(pw) = url.password() {
        out.push(("DB_PASS_CURRENT", percent_decoded(pw)));
    }
    for (key, value) in url.query_pairs() {
        match key.as_ref() {
            "sslmode" => {
                let tls =
                    match value.as_ref() {
                        "disable" | "allow" | "prefer" => false,
                        "require" | "verify-ca" | "verify-full" => true,
                        _ => return Err(bad(
                            "sslmode must be disable, prefer, require, verify-ca or verify-full",
                        )),
                    };
                out.push(("DB_TLS_ENABLED", tls.to_string()));
            }
            "sslrootcert" => out.push(("DB_TLS_CA_CERT_PATH", value.into_owned())),
            _ => {}
        }
    }
    Ok(out)
}

fn mask_url_password(text: &str) -> String {
    if let Some((single, hosts)) = split_host_list(text) {
        return mask_url_password(&single).replacen("placeholder", &hosts, 1);
    }
    match url::Url::parse(text) {
        Ok(mut url) if url.password().is_some() => {
            let _ = url.set_password(Some("********"));
            url.to_string()
        }
        Ok(url) => url.to_string(),
        Err(_) => "********".to_string(),
    }
}

/// This machine's host name (stable per host; used for default instance names).
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into a buffer we own.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc == 0 {
        let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
        let name = String::from_utf8_lossy(&buf[..end]).trim().to_string();
        if !name.is_empty() {
            return name;
        }
    }
    "localhost".to_string()
}

#[cfg(test)]
mod tests;
