//! The registry: every static setting mutt reads, once, with its v2.5 environment name.
//!
//! A daemon reads a setting through the typed accessors of [`super::Settings`] with one of these
//! definitions; nothing else in the crate calls `std::env::var` for configuration.

/// What values a setting takes; the loader validates against it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// Any text (may be empty only if the default is empty).
    Text,
    /// An integer within an inclusive range.
    Int { min: i64, max: i64 },
    /// A decimal number within an inclusive range.
    Float { min: f64, max: f64 },
    /// `true/false/1/0/yes/no/on/off`, any case.
    Bool,
    /// A boolean whose default depends on whether the host setting named here is a local address:
    /// off for loopback, on otherwise.
    TlsAuto { host_setting: &'static str },
    /// A TCP port 1..65535.
    Port,
    /// A TCP port to listen on, 0..65535: 0 asks the kernel for a free one, which the daemon then
    /// logs and writes to `MUTT_READY_FILE` (how the test harness avoids guessing free ports).
    ListenPort,
    /// A log level name.
    LogLevel,
    /// One of a fixed set of words (compared lower-cased).
    OneOf(&'static [&'static str]),
    /// A secret: never printed; its value is read from the environment, `<NAME>_FILE` or the
    /// Vault cache each time it is needed, so rotating it needs no restart.
    Secret,
}

/// Where a setting belongs, for `mutt config show` grouping and documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Group {
    General,
    Redis,
    Postgres,
    Ports,
    Queues,
    Ingest,
    Syslog,
    Alerter,
    Forwarder,
    Remediation,
    Retention,
    Web,
    Secrets,
    Vault,
}

impl Group {
    /// The lower-case name used in output.
    pub fn name(self) -> &'static str {
        match self {
            Group::General => "general",
            Group::Redis => "redis",
            Group::Postgres => "postgres",
            Group::Ports => "ports",
            Group::Queues => "queues",
            Group::Ingest => "ingest",
            Group::Syslog => "syslog",
            Group::Alerter => "alerter",
            Group::Forwarder => "forwarder",
            Group::Remediation => "remediation",
            Group::Retention => "retention",
            Group::Web => "web",
            Group::Secrets => "secrets",
            Group::Vault => "vault",
        }
    }
}

/// One setting: its environment name (v2.5's where one exists), kind, default and help.
#[derive(Debug)]
pub struct Def {
    /// Environment variable name; also the name used by `--set NAME=VALUE`.
    pub name: &'static str,
    /// Value kind and validation rule.
    pub kind: Kind,
    /// Default as text; `{prefix}` is replaced by `MUTT_KEY_PREFIX`. `None`: unset by default.
    pub default: Option<&'static str>,
    /// Older names read when `name` is not set (v2.5 used several spellings).
    pub aliases: &'static [&'static str],
    /// Section for display.
    pub group: Group,
    /// One-line description.
    pub help: &'static str,
}

macro_rules! def {
    ($id:ident, $name:literal, $kind:expr, $default:expr, $group:ident, $help:literal) => {
        def!($id, $name, $kind, $default, $group, [], $help);
    };
    ($id:ident, $name:literal, $kind:expr, $default:expr, $group:ident, [$($alias:literal),*], $help:literal) => {
        #[doc = $help]
        pub static $id: Def = Def {
            name: $name,
            kind: $kind,
            default: $default,
            aliases: &[$($alias),*],
            group: Group::$group,
            help: $help,
        };
    };
}

const PORT: Kind = Kind::Port;
const LISTEN: Kind = Kind::ListenPort;
const TEXT: Kind = Kind::Text;
const BOOL: Kind = Kind::Bool;
const SECRET: Kind = Kind::Secret;
const fn int(min: i64, max: i64) -> Kind {
    Kind::Int { min, max }
}
const fn secs(min: f64, max: f64) -> Kind {
    Kind::Float { min, max }
}

// General
def!(
    MUTT_KEY_PREFIX,
    "MUTT_KEY_PREFIX",
    TEXT,
    Some("mutt"),
    General,
    "Prefix of every Redis key (lets tests and tenants share one Redis)"
);
def!(
    LOG_LEVEL,
    "LOG_LEVEL",
    Kind::LogLevel,
    Some("INFO"),
    General,
    "Log level: ERROR, WARN, INFO, DEBUG or TRACE"
);
def!(
    LOG_JSON_ENABLED,
    "LOG_JSON_ENABLED",
    BOOL,
    Some("false"),
    General,
    "Write logs as one JSON object per line"
);
def!(
    OTEL_ENABLED,
    "OTEL_ENABLED",
    BOOL,
    Some("false"),
    General,
    "Export spans over OTLP/HTTP (JSON) to OTEL_EXPORTER_OTLP_ENDPOINT"
);
def!(
    OTEL_EXPORTER_OTLP_ENDPOINT,
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    TEXT,
    Some("http://127.0.0.1:4318"),
    General,
    "OTLP/HTTP base URL of the collector (`/v1/traces` is appended)"
);
def!(
    OTEL_SERVICE_NAME,
    "OTEL_SERVICE_NAME",
    TEXT,
    None,
    General,
    "Resource `service.name` of exported spans (default: the service, e.g. `ingestor`)"
);
def!(
    POD_NAME,
    "POD_NAME",
    TEXT,
    None,
    General,
    "Instance name in logs, heartbeats and processing lists (default: `<service>-<host name>[-<port>]`)"
);
def!(
    MUTT_BIND_ADDRESS,
    "MUTT_BIND_ADDRESS",
    TEXT,
    Some("0.0.0.0"),
    General,
    "Address the HTTP listeners bind to"
);
def!(
    MUTT_READY_FILE,
    "MUTT_READY_FILE",
    TEXT,
    None,
    General,
    "File a daemon writes (atomically, as JSON) once its listeners are bound: pid, service and each listener's address by setting name; for supervisors and test harnesses that start daemons on port 0"
);
def!(
    MUTT_SHUTDOWN_GRACE,
    "MUTT_SHUTDOWN_GRACE_SECONDS",
    secs(0.0, 3600.0),
    Some("30"),
    General,
    "Seconds a daemon waits for in-flight work after SIGTERM"
);

def!(
    DYNAMIC_CONFIG_ENABLED,
    "DYNAMIC_CONFIG_ENABLED",
    BOOL,
    Some("true"),
    General,
    "Read tunables from Redis mutt:config:* keys (live), falling back to these settings"
);
def!(
    DYNAMIC_CONFIG_REFRESH,
    "DYNAMIC_CONFIG_REFRESH_SECONDS",
    secs(0.1, 3600.0),
    Some("5"),
    General,
    "Seconds between full re-reads of dynamic config (changes also arrive at once by PUBLISH)"
);
def!(
    SECRETS_REFRESH,
    "SECRETS_REFRESH_SECONDS",
    secs(0.0, 3600.0),
    Some("5"),
    General,
    "Seconds an API key read from a _FILE or Vault is cached before it is read again"
);

// Redis
def!(REDIS_URL, "REDIS_URL", TEXT, None, Redis,
    "redis://, rediss:// or redis+sentinel://host:port,host:port/master[/db] URL; supplies what is not set individually");
def!(
    REDIS_HOST,
    "REDIS_HOST",
    TEXT,
    Some("localhost"),
    Redis,
    "Redis host name"
);
def!(
    REDIS_PORT,
    "REDIS_PORT",
    PORT,
    Some("6379"),
    Redis,
    "Redis port"
);
def!(
    REDIS_DB,
    "REDIS_DB",
    int(0, 1023),
    Some("0"),
    Redis,
    "Redis database index"
);
def!(
    REDIS_USERNAME,
    "REDIS_USERNAME",
    TEXT,
    None,
    Redis,
    "Redis ACL user (default: the default user)"
);
def!(REDIS_TLS_ENABLED, "REDIS_TLS_ENABLED", Kind::TlsAuto { host_setting: "REDIS_HOST" }, None, Redis,
    "Use TLS to Redis (default: off for local addresses, on otherwise); certificates and host names are verified");
def!(
    REDIS_CA_CERT_PATH,
    "REDIS_CA_CERT_PATH",
    TEXT,
    None,
    Redis,
    "PEM CA bundle that verifies the Redis server (default: system roots)"
);
def!(
    REDIS_MAX_CONNECTIONS,
    "REDIS_MAX_CONNECTIONS",
    int(1, 10_000),
    Some("20"),
    Redis,
    "Maximum pooled Redis connections per process"
);
def!(
    REDIS_CONNECT_TIMEOUT,
    "REDIS_CONNECT_TIMEOUT",
    secs(0.1, 300.0),
    Some("5"),
    Redis,
    "Seconds to wait for a Redis connection"
);
def!(
    REDIS_SOCKET_TIMEOUT,
    "REDIS_SOCKET_TIMEOUT",
    secs(0.1, 300.0),
    Some("10"),
    Redis,
    "Seconds to wait for a Redis reply (blocking pops add their own timeout)"
);
def!(
    REDIS_SENTINELS,
    "REDIS_SENTINELS",
    TEXT,
    None,
    Redis,
    "Comma-separated host:port of Redis Sentinels; when set the master is found through them and REDIS_HOST/REDIS_PORT are not used"
);
def!(
    REDIS_SENTINEL_MASTER,
    "REDIS_SENTINEL_MASTER",
    TEXT,
    Some("mymaster"),
    Redis,
    "Name the Sentinels monitor the Redis master under"
);
def!(
    REDIS_SENTINEL_TLS_ENABLED,
    "REDIS_SENTINEL_TLS_ENABLED",
    BOOL,
    Some("false"),
    Redis,
    "Use TLS to the Sentinels (verified against REDIS_CA_CERT_PATH or the system roots)"
);
def!(
    REDIS_MIN_REPLICAS_ACK,
    "REDIS_MIN_REPLICAS_ACK",
    int(0, 16),
    Some("0"),
    Redis,
    "Replicas that must confirm a write (WAIT) before mutt acknowledges it outside Redis; 0 = do not wait"
);
def!(
    REDIS_REPLICAS_ACK_TIMEOUT_MS,
    "REDIS_REPLICAS_ACK_TIMEOUT_MS",
    int(1, 60_000),
    Some("1000"),
    Redis,
    "Milliseconds a write waits for REDIS_MIN_REPLICAS_ACK replicas before it counts as not durable"
);
def!(
    REDIS_SENTINEL_PASSWORD,
    "REDIS_SENTINEL_PASSWORD",
    SECRET,
    None,
    Secrets,
    "Password of the Redis Sentinels (also from REDIS_SENTINEL_PASSWORD_FILE)"
);
def!(
    REDIS_PASS_CURRENT,
    "REDIS_PASS_CURRENT",
    SECRET,
    None,
    Secrets,
    ["REDIS_PASS", "REDIS_PASSWORD"],
    "Redis password in force (also from REDIS_PASS_CURRENT_FILE)"
);
def!(
    REDIS_PASS_NEXT,
    "REDIS_PASS_NEXT",
    SECRET,
    None,
    Secrets,
    "Redis password being rotated in; tried when CURRENT is refused"
);

// PostgreSQL
def!(DATABASE_URL, "DATABASE_URL", TEXT, None, Postgres,
    "postgres:// URL, several hosts as postgres://a:5432,b:5432/db; supplies what is not set individually");
def!(
    DB_HOST,
    "DB_HOST",
    TEXT,
    Some("localhost"),
    Postgres,
    "PostgreSQL host name, or several as pg1:5432,pg2:5432 (the first that accepts writes is used)"
);
def!(
    DB_PORT,
    "DB_PORT",
    PORT,
    Some("5432"),
    Postgres,
    "PostgreSQL port"
);
def!(
    DB_NAME,
    "DB_NAME",
    TEXT,
    Some("mutt_db"),
    Postgres,
    "PostgreSQL database"
);
def!(
    DB_USER,
    "DB_USER",
    TEXT,
    Some("mutt_user"),
    Postgres,
    "PostgreSQL role"
);
def!(
    DB_TLS_ENABLED,
    "DB_TLS_ENABLED",
    Kind::TlsAuto {
        host_setting: "DB_HOST"
    },
    None,
    Postgres,
    "Use TLS to PostgreSQL (default: off for local addresses, on otherwise); verify-full when on"
);
def!(
    DB_TLS_CA_CERT_PATH,
    "DB_TLS_CA_CERT_PATH",
    TEXT,
    None,
    Postgres,
    "PEM CA bundle that verifies the PostgreSQL server (default: system roots)"
);
def!(
    DB_POOL_MIN_CONN,
    "DB_POOL_MIN_CONN",
    int(0, 1000),
    Some("2"),
    Postgres,
    "Idle PostgreSQL connections kept open"
);
def!(
    DB_POOL_MAX_CONN,
    "DB_POOL_MAX_CONN",
    int(1, 1000),
    Some("10"),
    Postgres,
    "Maximum PostgreSQL connections per process"
);
def!(
    DB_CONNECT_TIMEOUT,
    "DB_CONNECT_TIMEOUT",
    secs(0.1, 300.0),
    Some("5"),
    Postgres,
    "Seconds to wait for a new PostgreSQL connection"
);
def!(
    DB_POOL_TIMEOUT,
    "DB_POOL_TIMEOUT",
    secs(0.1, 300.0),
    Some("10"),
    Postgres,
    "Seconds to wait for a free pooled connection"
);
def!(
    DB_STATEMENT_TIMEOUT,
    "DB_STATEMENT_TIMEOUT",
    secs(0.0, 86_400.0),
    Some("60"),
    Postgres,
    "Seconds before PostgreSQL cancels one statement (0 = no limit)"
);
def!(
    DB_PASS_CURRENT,
    "DB_PASS_CURRENT",
    SECRET,
    None,
    Secrets,
    ["DB_PASS", "DB_PASSWORD"],
    "PostgreSQL password in force (also from DB_PASS_CURRENT_FILE)"
);
def!(
    DB_PASS_NEXT,
    "DB_PASS_NEXT",
    SECRET,
    None,
    Secrets,
    "PostgreSQL password being rotated in; tried when CURRENT is refused"
);

// API keys
def!(
    INGEST_API_KEY,
    "INGEST_API_KEY",
    SECRET,
    None,
    Secrets,
    ["MUTT_INGEST_API_KEY"],
    "Key(s) clients send in X-API-KEY to the ingest API (comma-separated for CURRENT,NEXT)"
);
def!(
    WEBUI_API_KEY,
    "WEBUI_API_KEY",
    SECRET,
    None,
    Secrets,
    "Key of the web UI and REST API (v2.5's single key: name `default`, scope `admin`)"
);
def!(
    MOOG_API_KEY,
    "MOOG_API_KEY",
    SECRET,
    None,
    Secrets,
    "Bearer token sent to the Moogsoft webhook"
);

// Vault (secrets from a KV v2 secret, AppRole login)
def!(VAULT_ADDR, "VAULT_ADDR", TEXT, None, Vault,
    "Vault base URL (https://vault:8200); when set, secrets not given in the environment or a _FILE come from Vault");
def!(
    VAULT_ROLE_ID,
    "VAULT_ROLE_ID",
    TEXT,
    None,
    Vault,
    "AppRole role_id used to log in to Vault"
);
def!(
    VAULT_SECRET_ID_FILE,
    "VAULT_SECRET_ID_FILE",
    TEXT,
    None,
    Vault,
    "File holding the AppRole secret_id (read at every login, so it can be rotated)"
);
def!(
    VAULT_MOUNT,
    "VAULT_MOUNT",
    TEXT,
    Some("secret"),
    Vault,
    "Mount point of the KV v2 secrets engine"
);
def!(VAULT_PATH, "VAULT_PATH", TEXT, Some("mutt"), Vault,
    ["VAULT_SECRETS_PATH"],
    "Path of mutt's secret inside VAULT_MOUNT (a leading `<mount>/` is stripped, as v2.5 wrote `secret/mutt`)");
def!(
    VAULT_CACERT,
    "VAULT_CACERT",
    TEXT,
    None,
    Vault,
    "PEM CA bundle that is the only trust root for Vault's certificate (system roots when unset)"
);
def!(
    VAULT_NAMESPACE,
    "VAULT_NAMESPACE",
    TEXT,
    None,
    Vault,
    "Vault Enterprise namespace, sent as X-Vault-Namespace"
);
def!(
    VAULT_REFRESH_SECONDS,
    "VAULT_REFRESH_SECONDS",
    secs(0.2, 86_400.0),
    Some("60"),
    Vault,
    "Seconds between re-reads of the Vault secret (an authentication failure also triggers one)"
);

// Ports (v2.5 port map)
def!(
    SERVER_PORT_INGESTOR,
    "SERVER_PORT_INGESTOR",
    LISTEN,
    Some("8080"),
    Ports,
    "Ingest API port"
);
def!(
    METRICS_PORT_ALERTER,
    "METRICS_PORT_ALERTER",
    LISTEN,
    Some("8081"),
    Ports,
    "Alerter metrics port"
);
def!(
    HEALTH_PORT_ALERTER,
    "HEALTH_PORT_ALERTER",
    LISTEN,
    Some("8082"),
    Ports,
    "Alerter health port"
);
def!(
    METRICS_PORT_MOOG,
    "METRICS_PORT_MOOG",
    LISTEN,
    Some("8083"),
    Ports,
    "Forwarder metrics port"
);
def!(
    HEALTH_PORT_MOOG,
    "HEALTH_PORT_MOOG",
    LISTEN,
    Some("8084"),
    Ports,
    "Forwarder health port"
);
def!(
    METRICS_PORT_REMEDIATION,
    "METRICS_PORT_REMEDIATION",
    LISTEN,
    Some("8086"),
    Ports,
    "Remediation metrics port"
);
def!(
    HEALTH_PORT_REMEDIATION,
    "HEALTH_PORT_REMEDIATION",
    LISTEN,
    Some("8087"),
    Ports,
    "Remediation health port"
);
def!(
    SERVER_PORT_WEBUI,
    "SERVER_PORT_WEBUI",
    LISTEN,
    Some("8090"),
    Ports,
    "Web UI and REST API port"
);

// Queue and key names (v2.5 names; defaults follow MUTT_KEY_PREFIX)
def!(
    INGEST_QUEUE_NAME,
    "INGEST_QUEUE_NAME",
    TEXT,
    Some("{prefix}:ingest_queue"),
    Queues,
    "List the ingestor pushes events to"
);
def!(
    ALERT_QUEUE_NAME,
    "ALERT_QUEUE_NAME",
    TEXT,
    Some("{prefix}:alert_queue"),
    Queues,
    "List the alerter pushes alerts to"
);
def!(
    ALERTER_PROCESSING_LIST_PREFIX,
    "ALERTER_PROCESSING_LIST_PREFIX",
    TEXT,
    Some("{prefix}:processing:alerter"),
    Queues,
    "Prefix of the alerters' processing lists"
);
def!(
    ALERTER_HEARTBEAT_PREFIX,
    "ALERTER_HEARTBEAT_PREFIX",
    TEXT,
    Some("{prefix}:heartbeat:alerter"),
    Queues,
    "Prefix of the alerters' heartbeat keys"
);
def!(
    ALERTER_DLQ_NAME,
    "ALERTER_DLQ_NAME",
    TEXT,
    Some("{prefix}:dlq:alerter"),
    Queues,
    "Alerter dead-letter list"
);
def!(
    MOOG_PROCESSING_LIST_PREFIX,
    "MOOG_PROCESSING_LIST_PREFIX",
    TEXT,
    Some("{prefix}:processing:moog"),
    Queues,
    "Prefix of the forwarders' processing lists"
);
def!(
    MOOG_HEARTBEAT_PREFIX,
    "MOOG_HEARTBEAT_PREFIX",
    TEXT,
    Some("{prefix}:heartbeat:moog"),
    Queues,
    "Prefix of the forwarders' heartbeat keys"
);
def!(
    MOOG_DLQ_NAME,
    "MOOG_DLQ_NAME",
    TEXT,
    Some("{prefix}:dlq:moog"),
    Queues,
    "Forwarder dead-letter list"
);
def!(
    DEAD_LETTER_QUEUE,
    "DEAD_LETTER_QUEUE",
    TEXT,
    Some("{prefix}:dlq:dead"),
    Queues,
    "Terminal dead-letter list (replays exhausted)"
);
def!(
    METRICS_PREFIX,
    "METRICS_PREFIX",
    TEXT,
    Some("{prefix}:metrics"),
    Queues,
    "Prefix of the per-minute/hour/day ingest counters"
);
def!(
    UNHANDLED_PREFIX,
    "UNHANDLED_PREFIX",
    TEXT,
    Some("{prefix}:unhandled"),
    Queues,
    "Prefix of the unhandled-event counters"
);
def!(
    MOOG_RATE_LIMIT_KEY,
    "MOOG_RATE_LIMIT_KEY",
    TEXT,
    Some("{prefix}:rate_limit:moog"),
    Queues,
    "Key of the shared Moog rate limiter"
);

// Ingest API
def!(
    MAX_INGEST_QUEUE_SIZE,
    "MAX_INGEST_QUEUE_SIZE",
    int(1, 1_000_000_000),
    Some("1000000"),
    Ingest,
    "Ingest queue depth past which requests get 503 (dynamic key max_ingest_queue_size wins)"
);
def!(
    REQUIRED_FIELDS,
    "REQUIRED_FIELDS",
    TEXT,
    Some("hostname,message,timestamp"),
    Ingest,
    "Comma-separated fields every event must carry as non-empty strings"
);
def!(
    MAX_BODY_BYTES,
    "MAX_BODY_BYTES",
    int(1024, 64 * 1024 * 1024),
    Some("1048576"),
    Ingest,
    "Largest accepted request body (413 past it)"
);
def!(
    RATE_LIMIT_ENABLED,
    "RATE_LIMIT_ENABLED",
    BOOL,
    Some("false"),
    Ingest,
    "Limit requests per API key, shared by every ingestor through Redis"
);
def!(
    INGEST_MAX_RATE,
    "INGEST_MAX_RATE",
    int(1, 1_000_000_000),
    Some("1000"),
    Ingest,
    "Requests per window per API key when rate limiting (dynamic key ingest_max_rate wins)"
);
def!(
    INGEST_RATE_WINDOW,
    "INGEST_RATE_WINDOW",
    int(1, 86_400),
    Some("60"),
    Ingest,
    "Rate-limit window in seconds (dynamic key ingest_rate_window wins)"
);
def!(
    INGEST_HTTP_WORKERS,
    "INGEST_HTTP_WORKERS",
    int(1, 4096),
    Some("64"),
    Ingest,
    "Request handler threads (they wait on the group commit, so more than the cores)"
);
def!(
    INGEST_GROUP_COMMIT_MAX,
    "INGEST_GROUP_COMMIT_MAX",
    int(1, 1_000_000),
    Some("10000"),
    Ingest,
    "Most events coalesced into one Redis round trip"
);
def!(
    INGEST_RETRY_AFTER,
    "INGEST_RETRY_AFTER_SECONDS",
    int(1, 3600),
    Some("1"),
    Ingest,
    "Retry-After sent with 503 (queue full or Redis unavailable)"
);
def!(
    INGEST_DEPTH_SAMPLE,
    "INGEST_DEPTH_SAMPLE_SECONDS",
    secs(0.1, 3600.0),
    Some("1"),
    Ingest,
    "How often the queue depth gauge is sampled"
);
def!(
    INGEST_TLS_CERT_PATH,
    "INGEST_TLS_CERT_PATH",
    TEXT,
    None,
    Ingest,
    "PEM certificate chain of the ingest listener; with INGEST_TLS_KEY_PATH it speaks HTTPS only (reloaded on SIGHUP)"
);
def!(
    INGEST_TLS_KEY_PATH,
    "INGEST_TLS_KEY_PATH",
    TEXT,
    None,
    Ingest,
    "PEM private key of the ingest listener's certificate (reloaded on SIGHUP)"
);

// Syslog receiver (`mutt syslog serve`)
def!(
    SYSLOG_UDP_PORT,
    "SYSLOG_UDP_PORT",
    LISTEN,
    Some("5514"),
    Syslog,
    "UDP syslog port, one datagram one message (0 turns UDP off)"
);
def!(
    SYSLOG_TCP_PORT,
    "SYSLOG_TCP_PORT",
    LISTEN,
    Some("5514"),
    Syslog,
    "TCP syslog port, RFC 6587 octet counting or LF/NUL framing (0 turns TCP off)"
);
def!(
    SYSLOG_TLS_PORT,
    "SYSLOG_TLS_PORT",
    LISTEN,
    Some("6514"),
    Syslog,
    "TLS syslog port, RFC 5425; on only with SYSLOG_TLS_CERT_PATH and SYSLOG_TLS_KEY_PATH (0 turns it off)"
);
def!(
    SYSLOG_RELP_PORT,
    "SYSLOG_RELP_PORT",
    LISTEN,
    Some("2514"),
    Syslog,
    "RELP port (rsyslog omrelp): a message is acknowledged only once Redis stored it (0 turns RELP off)"
);
def!(
    SYSLOG_TLS_CERT_PATH,
    "SYSLOG_TLS_CERT_PATH",
    TEXT,
    None,
    Syslog,
    "PEM certificate chain of the TLS syslog listener (reloaded on SIGHUP)"
);
def!(
    SYSLOG_TLS_KEY_PATH,
    "SYSLOG_TLS_KEY_PATH",
    TEXT,
    None,
    Syslog,
    "PEM private key of the TLS syslog listener's certificate (reloaded on SIGHUP)"
);
def!(
    SYSLOG_TLS_CLIENT_CA_PATH,
    "SYSLOG_TLS_CLIENT_CA_PATH",
    TEXT,
    None,
    Syslog,
    "PEM CA bundle: when set, TLS syslog senders must present a client certificate it signed"
);
def!(
    SYSLOG_MAX_MESSAGE_BYTES,
    "SYSLOG_MAX_MESSAGE_BYTES",
    int(480, 16_777_216),
    Some("65536"),
    Syslog,
    "Longest syslog message kept; longer ones are truncated and counted"
);
def!(
    SYSLOG_DEFAULT_TIMEZONE,
    "SYSLOG_DEFAULT_TIMEZONE",
    TEXT,
    Some("UTC"),
    Syslog,
    "IANA time zone of syslog timestamps that carry none (RFC 3164), e.g. Europe/Berlin"
);
def!(
    SYSLOG_MAX_CONNECTIONS,
    "SYSLOG_MAX_CONNECTIONS",
    int(1, 1_000_000),
    Some("1024"),
    Syslog,
    "Most open TCP, TLS and RELP connections together; more are refused and counted"
);
def!(
    SYSLOG_IDLE_TIMEOUT,
    "SYSLOG_IDLE_TIMEOUT_SECONDS",
    secs(0.0, 604_800.0),
    Some("3600"),
    Syslog,
    "Seconds a stream connection may send nothing before it is closed (0: never)"
);
def!(
    SYSLOG_ALLOWED_SOURCES,
    "SYSLOG_ALLOWED_SOURCES",
    TEXT,
    Some(""),
    Syslog,
    "Comma-separated CIDRs allowed to send syslog (empty: any); others are refused and counted"
);
def!(
    HEALTH_PORT_SYSLOG,
    "HEALTH_PORT_SYSLOG",
    LISTEN,
    Some("8089"),
    Ports,
    "Syslog receiver health port"
);
def!(
    METRICS_PORT_SYSLOG,
    "METRICS_PORT_SYSLOG",
    LISTEN,
    Some("8088"),
    Ports,
    "Syslog receiver metrics port"
);

// Trap handler (`mutt trap-handler`, run by snmptrapd per trap)
def!(TRAP_HANDLER_INGEST_URL, "TRAP_HANDLER_INGEST_URL", TEXT, None, Ingest, ["MUTT_INGEST_URL"],
    "Ingest URL the trap handler posts to (default: http://127.0.0.1:<SERVER_PORT_INGESTOR>/api/v2/ingest)");
def!(
    TRAP_HANDLER_TIMEOUT,
    "TRAP_HANDLER_TIMEOUT_SECONDS",
    secs(0.1, 60.0),
    Some("5"),
    Ingest,
    "Seconds one trap-handler POST may take (snmptrapd waits for the handler)"
);
def!(
    TRAP_HANDLER_ATTEMPTS,
    "TRAP_HANDLER_ATTEMPTS",
    int(1, 20),
    Some("3"),
    Ingest,
    "POST attempts per trap before the handler gives up and exits 1"
);
def!(
    TRAP_HANDLER_RETRY_BASE_DELAY,
    "TRAP_HANDLER_RETRY_BASE_DELAY",
    secs(0.0, 60.0),
    Some("0.2"),
    Ingest,
    "Base of the trap handler's exponential retry delay, seconds (full jitter)"
);
def!(
    TRAP_HANDLER_RETRY_MAX_DELAY,
    "TRAP_HANDLER_RETRY_MAX_DELAY",
    secs(0.0, 60.0),
    Some("2"),
    Ingest,
    "Longest wait between trap-handler attempts, seconds"
);
def!(
    TRAP_HANDLER_CA_CERT_PATH,
    "TRAP_HANDLER_CA_CERT_PATH",
    TEXT,
    None,
    Ingest,
    "PEM CA bundle that verifies an HTTPS ingest URL (default: system roots)"
);

// Alerter
def!(
    ALERTER_BATCH_SIZE,
    "ALERTER_BATCH_SIZE",
    int(1, 100_000),
    Some("500"),
    Alerter,
    "Most events taken from the ingest queue, audited and acknowledged together"
);
def!(
    BRPOPLPUSH_TIMEOUT,
    "BRPOPLPUSH_TIMEOUT",
    secs(0.1, 300.0),
    Some("2"),
    Alerter,
    "Seconds a consumer blocks waiting for the first message of a batch"
);
def!(
    ALERTER_HEARTBEAT_INTERVAL,
    "ALERTER_HEARTBEAT_INTERVAL",
    secs(0.1, 3600.0),
    Some("10"),
    Alerter,
    "Seconds between heartbeat refreshes"
);
def!(
    ALERTER_JANITOR_TIMEOUT,
    "ALERTER_JANITOR_TIMEOUT",
    secs(1.0, 86_400.0),
    Some("30"),
    Alerter,
    "Heartbeat lifetime: a pod silent this long is dead and its processing list is recovered"
);
def!(
    ALERTER_JANITOR_INTERVAL,
    "ALERTER_JANITOR_INTERVAL",
    secs(0.1, 86_400.0),
    Some("15"),
    Alerter,
    "Seconds between janitor passes"
);
def!(
    ALERTER_MAX_RETRIES,
    "ALERTER_MAX_RETRIES",
    int(0, 1000),
    Some("3"),
    Alerter,
    "Deliveries that did not finish (crashes) before a message goes to the DLQ"
);
def!(
    CACHE_RELOAD_INTERVAL,
    "CACHE_RELOAD_INTERVAL",
    int(1, 86_400),
    Some("300"),
    Alerter,
    "Seconds between rule/host/team reloads (dynamic key cache_reload_interval wins)"
);
def!(UNHANDLED_THRESHOLD, "UNHANDLED_THRESHOLD", int(0, 1_000_000_000), Some("100"), Alerter,
    "Unmatched events from one host and message that raise a meta-alert (dynamic unhandled_threshold wins)");
def!(
    UNHANDLED_EXPIRY_SECONDS,
    "UNHANDLED_EXPIRY_SECONDS",
    int(1, 31_536_000),
    Some("86400"),
    Alerter,
    "Window of the unhandled count (dynamic unhandled_expiry_seconds wins)"
);
def!(
    ALERT_DEDUP_WINDOW_SECONDS,
    "ALERT_DEDUP_WINDOW_SECONDS",
    int(0, 604_800),
    Some("0"),
    Alerter,
    "Seconds in which a repeat of an alert already sent (same host, rule and normalised message) is held back and counted; 0: off (dynamic alert_dedup_window_seconds wins)"
);
def!(
    ALERT_DEDUP_BY_MESSAGE,
    "ALERT_DEDUP_BY_MESSAGE",
    BOOL,
    Some("true"),
    Alerter,
    "Whether the dedup key includes the normalised message (off: host and rule only, so two interfaces of one device share a key)"
);
def!(
    UNHANDLED_DEFAULT_TEAM,
    "UNHANDLED_DEFAULT_TEAM",
    TEXT,
    Some("NETO"),
    Alerter,
    "Team of a meta-alert when the device has no device_teams row"
);
def!(
    ALERTER_QUEUE_WARN_THRESHOLD,
    "ALERTER_QUEUE_WARN_THRESHOLD",
    int(0, 1_000_000_000),
    Some("1000"),
    Alerter,
    "Alert-queue depth that logs a warning (dynamic alerter_queue_warn_threshold wins)"
);
def!(ALERTER_QUEUE_SHED_THRESHOLD, "ALERTER_QUEUE_SHED_THRESHOLD", int(0, 1_000_000_000), Some("2000"), Alerter,
    "Alert-queue depth past which the alerter sheds or defers (dynamic alerter_queue_shed_threshold wins)");
def!(
    ALERTER_SHED_MODE,
    "ALERTER_SHED_MODE",
    Kind::OneOf(&["defer", "dlq"]),
    Some("defer"),
    Alerter,
    "defer (pause consuming) or dlq (move events to the DLQ) past the shed threshold (dynamic alerter_shed_mode wins)"
);
def!(
    ALERTER_DEFER_SLEEP_MS,
    "ALERTER_DEFER_SLEEP_MS",
    int(1, 60_000),
    Some("250"),
    Alerter,
    "Pause in defer mode, milliseconds (dynamic alerter_defer_sleep_ms wins)"
);

// Forwarder
def!(
    MOOG_WEBHOOK_URL,
    "MOOG_WEBHOOK_URL",
    TEXT,
    Some("https://moogsoft.example.com/api/v1/events"),
    Forwarder,
    "Moogsoft webhook the forwarder posts events to"
);
def!(
    MOOG_WEBHOOK_TIMEOUT,
    "MOOG_WEBHOOK_TIMEOUT",
    secs(0.1, 600.0),
    Some("10"),
    Forwarder,
    "Seconds to wait for Moog (connect, and then the answer)"
);
def!(
    MOOG_CONCURRENCY,
    "MOOG_CONCURRENCY",
    int(1, 1024),
    Some("16"),
    Forwarder,
    "Requests to Moog in flight at once per forwarder"
);
def!(
    MOOG_BATCH_SIZE,
    "MOOG_BATCH_SIZE",
    int(1, 10_000),
    Some("1"),
    Forwarder,
    "Alerts per request; above 1 the body is {\"events\":[...]}"
);
def!(
    MOOG_TAKE_SIZE,
    "MOOG_TAKE_SIZE",
    int(1, 100_000),
    Some("200"),
    Forwarder,
    "Most alerts taken from the alert queue at once"
);
def!(
    MOOG_RATE_LIMIT,
    "MOOG_RATE_LIMIT",
    int(1, 1_000_000_000),
    Some("50"),
    Forwarder,
    "Alerts per period sent to Moog by all forwarders together (dynamic moog_rate_limit wins)"
);
def!(
    MOOG_RATE_PERIOD,
    "MOOG_RATE_PERIOD",
    int(1, 86_400),
    Some("1"),
    Forwarder,
    "Rate-limit period in seconds (dynamic moog_rate_period wins)"
);
def!(
    MOOG_MAX_RETRIES,
    "MOOG_MAX_RETRIES",
    int(0, 1000),
    Some("5"),
    Forwarder,
    "Retries of an alert before it goes to the DLQ"
);
def!(
    MOOG_RETRY_BASE_DELAY,
    "MOOG_RETRY_BASE_DELAY",
    secs(0.0, 3600.0),
    Some("1.0"),
    Forwarder,
    "Base of the exponential retry delay, seconds (full jitter)"
);
def!(
    MOOG_RETRY_MAX_DELAY,
    "MOOG_RETRY_MAX_DELAY",
    secs(0.0, 86_400.0),
    Some("60.0"),
    Forwarder,
    "Longest retry delay, seconds"
);
def!(
    CIRCUIT_BREAKER_ENABLED,
    "CIRCUIT_BREAKER_ENABLED",
    BOOL,
    Some("true"),
    Forwarder,
    "Stop sending to Moog after repeated failures, probing once per timeout"
);
def!(
    CIRCUIT_BREAKER_THRESHOLD,
    "CIRCUIT_BREAKER_THRESHOLD",
    int(1, 1_000_000),
    Some("10"),
    Forwarder,
    "Consecutive failures that open the breaker (dynamic circuit_breaker_threshold wins)"
);
def!(
    CIRCUIT_BREAKER_TIMEOUT,
    "CIRCUIT_BREAKER_TIMEOUT",
    int(0, 86_400),
    Some("300"),
    Forwarder,
    "Seconds the breaker stays open before one probe (dynamic circuit_breaker_timeout wins)"
);
def!(
    MOOG_HEARTBEAT_INTERVAL,
    "MOOG_HEARTBEAT_INTERVAL",
    secs(0.1, 3600.0),
    Some("10"),
    Forwarder,
    "Seconds between forwarder heartbeat refreshes"
);
def!(
    MOOG_JANITOR_TIMEOUT,
    "MOOG_JANITOR_TIMEOUT",
    secs(1.0, 86_400.0),
    Some("30"),
    Forwarder,
    "Forwarder heartbeat lifetime: silent this long means dead"
);
def!(
    MOOG_JANITOR_INTERVAL,
    "MOOG_JANITOR_INTERVAL",
    secs(0.1, 86_400.0),
    Some("15"),
    Forwarder,
    "Seconds between forwarder janitor passes"
);

// Remediation
def!(REMEDIATION_ENABLED, "REMEDIATION_ENABLED", BOOL, Some("true"), Remediation,
    "Replay dead letters (false: the service idles instead of exiting, so orchestrators do not restart it)");
def!(
    REMEDIATION_INTERVAL,
    "REMEDIATION_INTERVAL",
    int(1, 86_400),
    Some("300"),
    Remediation,
    "Seconds between replay cycles (dynamic remediation_interval wins)"
);
def!(
    REMEDIATION_BATCH_SIZE,
    "REMEDIATION_BATCH_SIZE",
    int(1, 100_000),
    Some("100"),
    Remediation,
    "Entries replayed per DLQ per cycle (dynamic remediation_batch_size wins)"
);
def!(
    MAX_POISON_RETRIES,
    "MAX_POISON_RETRIES",
    int(0, 1000),
    Some("3"),
    Remediation,
    "Replays of an entry before it moves to the dead list (dynamic max_poison_retries wins)"
);

// Retention and partitions (`mutt retention run`, `mutt partitions …`)
def!(RETENTION_ENABLED, "RETENTION_ENABLED", BOOL, Some("true"), Retention,
    ["RETENTION_ENFORCEMENT_ENABLED"],
    "Let `mutt retention run` remove expired data (false: legal hold, the run does nothing; dynamic retention_enforcement_enabled wins)");
def!(RETENTION_EVENT_AUDIT_DAYS, "RETENTION_EVENT_AUDIT_DAYS", int(1, 36_500), Some("90"), Retention,
    ["EVENT_RETENTION_DAYS"],
    "Days event_audit_log rows stay hot; older rows move to event_audit_log_archive (dynamic event_retention_days wins)");
def!(RETENTION_ARCHIVE_YEARS, "RETENTION_ARCHIVE_YEARS", int(1, 100), Some("7"), Retention,
    ["EVENT_ARCHIVE_RETENTION_YEARS"],
    "Years rows are kept in event_audit_log_archive, by event time (dynamic event_archive_retention_years wins)");
def!(
    RETENTION_AUDIT_DAYS,
    "RETENTION_AUDIT_DAYS",
    int(1, 36_500),
    Some("365"),
    Retention,
    ["CONFIG_AUDIT_RETENTION_DAYS"],
    "Days config_audit_log rows are kept, then deleted (dynamic config_audit_retention_days wins)"
);
def!(RETENTION_DLQ_DAYS, "RETENTION_DLQ_DAYS", int(1, 3_650), Some("30"), Retention,
    "Days dead letters are kept in the DLQ lists, by failure time (dynamic dlq_retention_days wins)");
def!(
    RETENTION_BATCH_SIZE,
    "RETENTION_BATCH_SIZE",
    int(1, 1_000_000),
    Some("1000"),
    Retention,
    ["RETENTION_CLEANUP_BATCH_SIZE"],
    "Rows or DLQ entries removed per transaction by retention and partition archiving"
);
def!(
    RETENTION_BATCH_PAUSE_MS,
    "RETENTION_BATCH_PAUSE_MS",
    int(0, 60_000),
    Some("0"),
    Retention,
    "Pause in milliseconds between retention batches (throttles WAL and I/O on a busy server)"
);
def!(RETENTION_LOCK_WAIT_SECONDS, "RETENTION_LOCK_WAIT_SECONDS", int(0, 86_400), Some("0"), Retention,
    "Seconds a retention run or partition drop waits for another one to finish before giving up (exit 1)");
def!(RETENTION_DDL_LOCK_TIMEOUT_MS, "RETENTION_DDL_LOCK_TIMEOUT_MS", int(1, 600_000), Some("5000"), Retention,
    "Longest wait in milliseconds for the table lock of a partition detach/drop, so it never queues traffic behind it");
def!(PARTITIONS_AHEAD, "PARTITIONS_AHEAD", int(0, 120), Some("3"), Retention,
    "Months after the current one that `mutt partitions ensure` creates (v2.5's RETENTION_PRECREATE_MONTHS counted the current month)");

// Web UI and REST API
def!(
    WEBUI_API_KEYS,
    "WEBUI_API_KEYS",
    SECRET,
    None,
    Secrets,
    "Named, scoped web/REST API keys: comma-separated `name:scope:key` entries, scope `read` or `admin`"
);
def!(
    WEBUI_SESSION_TTL,
    "WEBUI_SESSION_TTL",
    int(60, 604_800),
    Some("28800"),
    Web,
    "Seconds a web UI login session lives"
);
def!(
    WEBUI_LOGIN_MAX_FAILURES,
    "WEBUI_LOGIN_MAX_FAILURES",
    int(1, 10_000),
    Some("10"),
    Web,
    "Failed logins per client address per minute before the login page answers 429"
);
def!(
    WEBUI_TLS_CERT_PATH,
    "WEBUI_TLS_CERT_PATH",
    TEXT,
    None,
    Web,
    "PEM certificate chain of the web UI/REST listener; with WEBUI_TLS_KEY_PATH it speaks HTTPS only (reloaded on SIGHUP)"
);
def!(
    WEBUI_TLS_KEY_PATH,
    "WEBUI_TLS_KEY_PATH",
    TEXT,
    None,
    Web,
    "PEM private key of the web listener's certificate (reloaded on SIGHUP)"
);
def!(
    METRICS_CACHE_TTL,
    "METRICS_CACHE_TTL",
    secs(0.0, 3_600.0),
    Some("5"),
    Web,
    "Seconds the dashboard's ingest-rate answer is reused"
);
def!(
    PROMETHEUS_URL,
    "PROMETHEUS_URL",
    TEXT,
    Some("http://localhost:9090"),
    Web,
    "Prometheus base URL queried for the SLO report"
);
def!(
    SLO_QUERY_TIMEOUT,
    "SLO_QUERY_TIMEOUT",
    secs(0.1, 60.0),
    Some("5"),
    Web,
    "Deadline in seconds for all Prometheus queries of one SLO report"
);
def!(
    SLO_CACHE_TTL,
    "SLO_CACHE_TTL",
    secs(0.0, 3_600.0),
    Some("15"),
    Web,
    "Seconds an SLO report is reused"
);

// Operations: `mutt status` (and the instance records it reads)
def!(
    STATUS_INGEST_URL,
    "STATUS_INGEST_URL",
    TEXT,
    None,
    General,
    "Health URL of the ingest API that `mutt status` probes (e.g. http://ingest:8080/health/ready); unset: not probed"
);
def!(
    STATUS_WEBUI_URL,
    "STATUS_WEBUI_URL",
    TEXT,
    None,
    General,
    "Health URL of the web UI that `mutt status` probes (e.g. http://web:8090/health/ready); unset: not probed"
);
def!(
    STATUS_SYSLOG_URL,
    "STATUS_SYSLOG_URL",
    TEXT,
    None,
    General,
    "Health URL of the syslog receiver that `mutt status` probes (e.g. http://syslog:8089/health/ready, HEALTH_PORT_SYSLOG); unset: not probed"
);
def!(
    STATUS_CA_CERT_PATH,
    "STATUS_CA_CERT_PATH",
    TEXT,
    None,
    General,
    "PEM CA bundle that verifies https:// STATUS_INGEST_URL/STATUS_WEBUI_URL/STATUS_SYSLOG_URL (default: system roots)"
);
def!(
    STATUS_HTTP_TIMEOUT,
    "STATUS_HTTP_TIMEOUT",
    secs(0.1, 60.0),
    Some("2"),
    General,
    "Seconds `mutt status` waits for each health URL"
);
def!(
    STATUS_DLQ_THRESHOLD,
    "STATUS_DLQ_THRESHOLD",
    int(0, 1_000_000_000),
    Some("1000"),
    General,
    "`mutt status` reports unhealthy when a DLQ holds more entries than this (0: any entry)"
);
def!(
    STATUS_FORGET_AFTER,
    "STATUS_FORGET_AFTER",
    secs(0.0, 31_536_000.0),
    Some("3600"),
    General,
    "Seconds an instance whose heartbeat stopped stays listed (as down) by `mutt status` (0: forever)"
);

/// Every setting, in display order.
pub static ALL: &[&Def] = &[
    &MUTT_KEY_PREFIX,
    &LOG_LEVEL,
    &LOG_JSON_ENABLED,
    &OTEL_ENABLED,
    &OTEL_EXPORTER_OTLP_ENDPOINT,
    &OTEL_SERVICE_NAME,
    &POD_NAME,
    &MUTT_BIND_ADDRESS,
    &MUTT_READY_FILE,
    &DYNAMIC_CONFIG_ENABLED,
    &DYNAMIC_CONFIG_REFRESH,
    &SECRETS_REFRESH,
    &REDIS_URL,
    &REDIS_HOST,
    &REDIS_PORT,
    &REDIS_DB,
    &REDIS_USERNAME,
    &REDIS_TLS_ENABLED,
    &REDIS_CA_CERT_PATH,
    &REDIS_MAX_CONNECTIONS,
    &REDIS_CONNECT_TIMEOUT,
    &REDIS_SOCKET_TIMEOUT,
    &REDIS_SENTINELS,
    &REDIS_SENTINEL_MASTER,
    &REDIS_SENTINEL_TLS_ENABLED,
    &REDIS_MIN_REPLICAS_ACK,
    &REDIS_REPLICAS_ACK_TIMEOUT_MS,
    &DATABASE_URL,
    &DB_HOST,
    &DB_PORT,
    &DB_NAME,
    &DB_USER,
    &DB_TLS_ENABLED,
    &DB_TLS_CA_CERT_PATH,
    &DB_POOL_MIN_CONN,
    &DB_POOL_MAX_CONN,
    &DB_CONNECT_TIMEOUT,
    &DB_POOL_TIMEOUT,
    &DB_STATEMENT_TIMEOUT,
    &SERVER_PORT_INGESTOR,
    &METRICS_PORT_ALERTER,
    &HEALTH_PORT_ALERTER,
    &METRICS_PORT_MOOG,
    &HEALTH_PORT_MOOG,
    &METRICS_PORT_REMEDIATION,
    &HEALTH_PORT_REMEDIATION,
    &METRICS_PORT_SYSLOG,
    &HEALTH_PORT_SYSLOG,
    &SERVER_PORT_WEBUI,
    &INGEST_QUEUE_NAME,
    &ALERT_QUEUE_NAME,
    &ALERTER_PROCESSING_LIST_PREFIX,
    &ALERTER_HEARTBEAT_PREFIX,
    &ALERTER_DLQ_NAME,
    &MOOG_PROCESSING_LIST_PREFIX,
    &MOOG_HEARTBEAT_PREFIX,
    &MOOG_DLQ_NAME,
    &DEAD_LETTER_QUEUE,
    &METRICS_PREFIX,
    &UNHANDLED_PREFIX,
    &MOOG_RATE_LIMIT_KEY,
    &MAX_INGEST_QUEUE_SIZE,
    &REQUIRED_FIELDS,
    &MAX_BODY_BYTES,
    &RATE_LIMIT_ENABLED,
    &INGEST_MAX_RATE,
    &INGEST_RATE_WINDOW,
    &INGEST_HTTP_WORKERS,
    &INGEST_GROUP_COMMIT_MAX,
    &INGEST_RETRY_AFTER,
    &INGEST_DEPTH_SAMPLE,
    &INGEST_TLS_CERT_PATH,
    &INGEST_TLS_KEY_PATH,
    &SYSLOG_UDP_PORT,
    &SYSLOG_TCP_PORT,
    &SYSLOG_TLS_PORT,
    &SYSLOG_RELP_PORT,
    &SYSLOG_TLS_CERT_PATH,
    &SYSLOG_TLS_KEY_PATH,
    &SYSLOG_TLS_CLIENT_CA_PATH,
    &SYSLOG_MAX_MESSAGE_BYTES,
    &SYSLOG_DEFAULT_TIMEZONE,
    &SYSLOG_MAX_CONNECTIONS,
    &SYSLOG_IDLE_TIMEOUT,
    &SYSLOG_ALLOWED_SOURCES,
    &TRAP_HANDLER_INGEST_URL,
    &TRAP_HANDLER_TIMEOUT,
    &TRAP_HANDLER_ATTEMPTS,
    &TRAP_HANDLER_RETRY_BASE_DELAY,
    &TRAP_HANDLER_RETRY_MAX_DELAY,
    &TRAP_HANDLER_CA_CERT_PATH,
    &ALERTER_BATCH_SIZE,
    &BRPOPLPUSH_TIMEOUT,
    &ALERTER_HEARTBEAT_INTERVAL,
    &ALERTER_JANITOR_TIMEOUT,
    &ALERTER_JANITOR_INTERVAL,
    &ALERTER_MAX_RETRIES,
    &CACHE_RELOAD_INTERVAL,
    &UNHANDLED_THRESHOLD,
    &UNHANDLED_EXPIRY_SECONDS,
    &ALERT_DEDUP_WINDOW_SECONDS,
    &ALERT_DEDUP_BY_MESSAGE,
    &UNHANDLED_DEFAULT_TEAM,
    &ALERTER_QUEUE_WARN_THRESHOLD,
    &ALERTER_QUEUE_SHED_THRESHOLD,
    &ALERTER_SHED_MODE,
    &ALERTER_DEFER_SLEEP_MS,
    &MOOG_WEBHOOK_URL,
    &MOOG_WEBHOOK_TIMEOUT,
    &MOOG_CONCURRENCY,
    &MOOG_BATCH_SIZE,
    &MOOG_TAKE_SIZE,
    &MOOG_RATE_LIMIT,
    &MOOG_RATE_PERIOD,
    &MOOG_MAX_RETRIES,
    &MOOG_RETRY_BASE_DELAY,
    &MOOG_RETRY_MAX_DELAY,
    &CIRCUIT_BREAKER_ENABLED,
    &CIRCUIT_BREAKER_THRESHOLD,
    &CIRCUIT_BREAKER_TIMEOUT,
    &MOOG_HEARTBEAT_INTERVAL,
    &MOOG_JANITOR_TIMEOUT,
    &MOOG_JANITOR_INTERVAL,
    &REMEDIATION_ENABLED,
    &REMEDIATION_INTERVAL,
    &REMEDIATION_BATCH_SIZE,
    &MAX_POISON_RETRIES,
    &RETENTION_ENABLED,
    &RETENTION_EVENT_AUDIT_DAYS,
    &RETENTION_ARCHIVE_YEARS,
    &RETENTION_AUDIT_DAYS,
    &RETENTION_DLQ_DAYS,
    &RETENTION_BATCH_SIZE,
    &RETENTION_BATCH_PAUSE_MS,
    &RETENTION_LOCK_WAIT_SECONDS,
    &RETENTION_DDL_LOCK_TIMEOUT_MS,
    &PARTITIONS_AHEAD,
    &WEBUI_SESSION_TTL,
    &WEBUI_LOGIN_MAX_FAILURES,
    &WEBUI_TLS_CERT_PATH,
    &WEBUI_TLS_KEY_PATH,
    &METRICS_CACHE_TTL,
    &PROMETHEUS_URL,
    &SLO_QUERY_TIMEOUT,
    &SLO_CACHE_TTL,
    &STATUS_INGEST_URL,
    &STATUS_WEBUI_URL,
    &STATUS_SYSLOG_URL,
    &STATUS_CA_CERT_PATH,
    &STATUS_HTTP_TIMEOUT,
    &STATUS_DLQ_THRESHOLD,
    &STATUS_FORGET_AFTER,
    &REDIS_PASS_CURRENT,
    &REDIS_PASS_NEXT,
    &REDIS_SENTINEL_PASSWORD,
    &DB_PASS_CURRENT,
    &DB_PASS_NEXT,
    &INGEST_API_KEY,
    &WEBUI_API_KEY,
    &WEBUI_API_KEYS,
    &MOOG_API_KEY,
    &VAULT_ADDR,
    &VAULT_ROLE_ID,
    &VAULT_SECRET_ID_FILE,
    &VAULT_MOUNT,
    &VAULT_PATH,
    &VAULT_CACERT,
    &VAULT_NAMESPACE,
    &VAULT_REFRESH_SECONDS,
];

/// The definition with this environment name, if any.
pub fn find(name: &str) -> Option<&'static Def> {
    ALL.iter().copied().find(|d| d.name == name)
}

/// The configuration reference as a Markdown table (kept in README.md by a test).
pub fn markdown_reference() -> String {
    let mut out = String::from("| Variable | Default | Description |\n|---|---|---|\n");
    for def in ALL {
        let default = match (def.kind, def.default) {
            (Kind::Secret, _) => format!("secret; also `{}_FILE`", def.name),
            (Kind::TlsAuto { .. }, _) => "off for local hosts, else on".to_string(),
            (_, Some(d)) if d.contains("{prefix}") => {
                format!("`{}`", d.replace("{prefix}", "mutt"))
            }
            (_, Some(d)) => format!("`{d}`"),
            (_, None) => "unset".to_string(),
        };
        let aliases = if def.aliases.is_empty() {
            String::new()
        } else {
            format!(" (legacy names: {})", def.aliases.join(", "))
        };
        out.push_str(&format!(
            "| `{}` | {default} | {}{aliases} |\n",
            def.name, def.help
        ));
    }
    out
}

/// `deploy/mutt.env.example`: every setting, commented out, with its default and description, for
/// `EnvironmentFile=/etc/mutt/mutt.env` (systemd) or a Kubernetes ConfigMap.
pub fn env_file_example() -> String {
    let mut out = String::from(
        "# mutt settings: every one, with its default. GENERATED from src/settings/registry.rs by\n\
         # scripts/generate-docs.sh; do not edit by hand. Copy to /etc/mutt/mutt.env (mode 0640,\n\
         # owner root:mutt) and uncomment what you change; unset settings keep their defaults.\n\
         # Secrets: prefer NAME_FILE=/path/to/file (re-read on use, so rotation needs no restart)\n\
         # or Vault (VAULT_ADDR and the vault group; fields named like the settings).\n",
    );
    let mut group = None;
    for def in ALL {
        if group != Some(def.group) {
            group = Some(def.group);
            out.push_str(&format!("\n## {}\n", def.group.name()));
        }
        out.push_str(&format!("\n# {}\n", def.help));
        if !def.aliases.is_empty() {
            out.push_str(&format!("# Legacy names: {}\n", def.aliases.join(", ")));
        }
        match (def.kind, def.default) {
            (Kind::Secret, _) => {
                out.push_str(&format!("#{}=\n#{}_FILE=\n", def.name, def.name));
                continue;
            }
            (Kind::TlsAuto { .. }, _) => {
                out.push_str("# Default: off for local hosts, else on\n");
            }
            (_, Some(d)) if d.contains("{prefix}") => {
                out.push_str("# Default follows MUTT_KEY_PREFIX\n");
            }
            (_, None) => out.push_str("# Default: unset\n"),
            _ => {}
        }
        let value = def.default.unwrap_or("").replace("{prefix}", "mutt");
        out.push_str(&format!("#{}={}\n", def.name, value));
    }
    out
}
