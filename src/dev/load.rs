//! `mutt load`: a load generator for the ingest HTTP endpoint, for local benchmarks only.
//!
//! It refuses any URL whose host is not a loopback address (127.0.0.0/8, `::1`, `localhost`):
//! in this workplace it exists to benchmark a server on the same machine, and a typo must never
//! turn it into a flood against somebody else. Host names other than `localhost` are refused
//! without being resolved, so not even a DNS query leaves the machine.
//!
//! Every run is bounded: `--duration` defaults to 10 s when neither it nor `--count` is given,
//! durations above one hour are refused, and a `--count`-only run still stops after one hour.
//!
//! HTTP client: a minimal hand-rolled HTTP/1.1 client over `std::net::TcpStream` rather than
//! ureq. The generator shares a 2-core machine with the server and Redis while it has to push
//! tens of thousands of requests per second, so per request it does one `write` (head and body
//! pre-rendered into a reused buffer) and usually one `read`, with no header maps, no per-request
//! allocation and no connection-pool lookup. Each worker thread owns one keep-alive connection.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// Run length when neither `--duration` nor `--count` is given.
pub const DEFAULT_DURATION: Duration = Duration::from_secs(10);
/// Longest run accepted; also the wall-clock cap of a `--count`-only run.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);
/// Most connections (one thread each) accepted.
pub const MAX_CONCURRENCY: usize = 1024;
/// Most events per request accepted.
pub const MAX_BATCH: usize = 10_000;

const USER_AGENT: &str = concat!("mutt-load/", env!("CARGO_PKG_VERSION"));
/// Events pre-serialized per worker, so JSON generation stays out of the measured loop.
const POOL_EVENTS_PER_WORKER: usize = 1024;
/// Total pre-serialized events across workers, so a high `--concurrency` does not eat memory.
const POOL_EVENTS_TOTAL: usize = 64 * 1024;
const POOL_EVENTS_MIN: usize = 64;
/// Timestamps in the pool are "now" when generated; regenerate so long runs do not send stale ones.
const POOL_MAX_AGE: Duration = Duration::from_secs(60);
/// Pause after a failed connect in closed loop, so a dead server is not hammered by a hot loop.
const CONNECT_RETRY_PAUSE: Duration = Duration::from_millis(10);
const READ_BUF_INITIAL: usize = 8 * 1024;
/// A response head larger than this is treated as a protocol error rather than buffered forever.
const MAX_RESPONSE_HEAD: usize = 64 * 1024;
const PROGRESS_TICK: Duration = Duration::from_millis(100);
/// Status codes are three digits; index the per-worker counters directly by code.
const STATUS_SLOTS: usize = 1000;

/// Command-line arguments of `mutt load`.
#[derive(clap::Args)]
pub struct LoadArgs {
    /// Ingest URL, e.g. http://127.0.0.1:8080/api/v2/ingest
    #[arg(long, default_value = "http://127.0.0.1:8080/ingest")]
    pub url: String,
    /// Value of the X-API-KEY header (or env MUTT_LOAD_API_KEY)
    #[arg(long, env = "MUTT_LOAD_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Open loop: target requests per second (spread over the connections); without it, closed loop
    #[arg(long)]
    pub rate: Option<f64>,
    /// Connections (closed loop: each sends its next request when the previous answered)
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Stop after this long (e.g. 10s, 2m, 1m30s, or plain seconds); default 10s unless --count is given
    #[arg(long, value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// Stop after this many requests
    #[arg(long)]
    pub count: Option<u64>,
    /// Events per request; >1 sends NDJSON bodies (Content-Type: application/x-ndjson)
    #[arg(long, default_value_t = 1)]
    pub batch: usize,
    /// Per-request timeout
    #[arg(long, default_value = "5s", value_parser = parse_duration)]
    pub timeout: Duration,
}

// Hand-written so the API key never lands in a log line through `{:?}`.
impl fmt::Debug for LoadArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadArgs")
            .field("url", &self.url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("rate", &self.rate)
            .field("concurrency", &self.concurrency)
            .field("duration", &self.duration)
            .field("count", &self.count)
            .field("batch", &self.batch)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Why a load run could not start or finish.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The URL is not of the form `http://host[:port][/path]`.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL's host is not a loopback address.
    #[error("refusing to load {host:?}: mutt load only targets loopback addresses (127.0.0.0/8, ::1, localhost)")]
    NotLoopback {
        /// The host as given.
        host: String,
    },
    /// An argument is out of range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A worker thread could not be started.
    #[error("cannot start worker thread: {0}")]
    Spawn(#[source] io::Error),
    /// A worker thread panicked, so its measurements are lost.
    #[error("a worker thread panicked")]
    WorkerPanicked,
}

/// Latency percentiles in milliseconds (3 decimals) over requests that got an HTTP response.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Slowest response.
    pub max: f64,
    /// Arithmetic mean.
    pub mean: f64,
}

/// Outcome of a load run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LoadReport {
    /// Requests sent, answered or failed.
    pub requests: u64,
    /// Events in all requests (requests × batch).
    pub events_sent: u64,
    /// Events in requests answered 2xx.
    pub events_accepted: u64,
    /// Wall time from the start signal until the last in-flight request finished.
    pub elapsed_seconds: f64,
    /// Requests per second of wall time.
    pub requests_per_second: f64,
    /// Accepted events per second of wall time.
    pub events_per_second: f64,
    /// Responses per status code ("200", "503") and transport failures ("error:timeout", …).
    pub status_counts: BTreeMap<String, u64>,
    /// Latency of the requests that got a response; open loop measures from the scheduled send time.
    pub latency_ms: Latency,
}

/// Parses `500ms`, `10s`, `2m`, `1h`, `1.5s`, `1m30s` or plain seconds (`30`): see
/// [`crate::timefmt::parse_duration`].
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    crate::timefmt::parse_duration(s).map_err(|e| format!("invalid duration {:?}: {e}", s.trim()))
}

/// Realistic, varied ingest event; `seq` picks the host so consecutive events spread over the pool.
pub fn sample_event(rng: &mut impl Rng, seq: u64) -> Value {
    let hostname = HOSTS[(seq % HOSTS.len() as u64) as usize];
    let timestamp = crate::timefmt::millis(chrono::Utc::now());
    if rng.random_bool(SNMP_SHARE) {
        let (trap_oid, template) = SNMP_TRAPS[rng.random_range(0..SNMP_TRAPS.len())];
        return json!({
            "hostname": hostname,
            "timestamp": timestamp,
            "source": "snmp",
            "trap_oid": trap_oid,
            "message": fill_template(template, rng),
            "syslog_severity": weighted_severity(rng),
        });
    }
    let message = fill_template(
        SYSLOG_MESSAGES[rng.random_range(0..SYSLOG_MESSAGES.len())],
        rng,
    );
    let mut event = json!({
        "hostname": hostname,
        "timestamp": timestamp,
        "source": "syslog",
        "message": message,
    });
    if let Value::Object(fields) = &mut event {
        let severity = weighted_severity(rng);
        if rng.random_bool(TEXT_SEVERITY_SHARE) {
            // rsyslog's JSON template sends names, not numbers, plus the facility.
            fields.insert("severity".into(), SEVERITY_NAMES[severity as usize].into());
            fields.insert(
                "facility".into(),
                FACILITIES[rng.random_range(0..FACILITIES.len())].into(),
            );
        } else {
            fields.insert("syslog_severity".into(), severity.into());
        }
    }
    event
}

/// Runs the load described by `args` against a loopback ingest URL and reports what happened;
/// `progress` draws a bar on stderr meanwhile.
pub fn run(args: &LoadArgs, progress: bool) -> Result<LoadReport, LoadError> {
    let plan = Arc::new(Plan::from_args(args, progress)?);
    log::info!(
        "load: {} connections to {} ({}), batch {}",
        plan.concurrency,
        plan.addr,
        match plan.interval {
            Some(_) => "open loop",
            None => "closed loop",
        },
        plan.batch
    );
    let gate = Arc::new(Gate::default());
    let completed = Arc::new(AtomicU64::new(0));
    let claimed = Arc::new(AtomicU64::new(0));
    let seed: u64 = rand::rng().random();

    let mut handles = Vec::with_capacity(plan.concurrency);
    for id in 0..plan.concurrency {
        let ctx = WorkerCtx {
            id,
            seed: seed ^ (id as u64).wrapping_mul(SEED_SPREAD),
            plan: Arc::clone(&plan),
            gate: Arc::clone(&gate),
            completed: Arc::clone(&completed),
            claimed: Arc::clone(&claimed),
        };
        let spawned = thread::Builder::new()
            .name(format!("load-{id}"))
            .spawn(move || worker(ctx));
        match spawned {
            Ok(handle) => handles.push(handle),
            Err(e) => {
                gate.open(GateSignal::Abort);
                for handle in handles {
                    // The spawn error is what the caller needs; a panic while aborting adds nothing.
                    let _ = handle.join();
                }
                return Err(LoadError::Spawn(e));
            }
        }
    }
    gate.wait_ready(plan.concurrency);
    let start = Instant::now();
    gate.open(GateSignal::Go);

    if plan.progress {
        show_progress(&plan, &handles, &completed, start);
    }
    let mut total = WorkerStats::new();
    let mut panicked = false;
    for handle in handles {
        match handle.join() {
            Ok(stats) => total.merge(&stats),
            Err(_) => panicked = true,
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    if panicked {
        return Err(LoadError::WorkerPanicked);
    }
    Ok(total.into_report(plan.batch as u64, elapsed))
}

/// Writes the report as aligned text, or as pretty JSON when `json` is set.
pub fn print_report(report: &LoadReport, json: bool, out: &mut impl Write) -> io::Result<()> {
    if json {
        serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
        return writeln!(out);
    }
    writeln!(
        out,
        "requests         {:>12}  ({:.1}/s)",
        report.requests, report.requests_per_second
    )?;
    writeln!(out, "events sent      {:>12}", report.events_sent)?;
    writeln!(
        out,
        "events accepted  {:>12}  ({:.1}/s)",
        report.events_accepted, report.events_per_second
    )?;
    writeln!(out, "elapsed          {:>12.3} s", report.elapsed_seconds)?;
    writeln!(out, "status")?;
    for (status, n) in &report.status_counts {
        writeln!(out, "  {status:<15}{n:>12}")?;
    }
    let l = &report.latency_ms;
    writeln!(
        out,
        "latency (ms)         p50        p95        p99        max       mean"
    )?;
    writeln!(
        out,
        "             {:>11.3}{:>11.3}{:>11.3}{:>11.3}{:>11.3}",
        l.p50, l.p95, l.p99, l.max, l.mean
    )
}

// ---------------------------------------------------------------------------------------------
// Event variety

const SNMP_SHARE: f64 = 0.15;
const TEXT_SEVERITY_SHARE: f64 = 0.2;
/// Relative weights of syslog severities 0 (emerg) … 7 (debug): real traffic is mostly 4–6.
const SEVERITY_WEIGHTS: [u32; 8] = [1, 1, 3, 8, 22, 25, 30, 10];
const SEVERITY_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];
const FACILITIES: [&str; 7] = [
    "kern", "user", "daemon", "auth", "local0", "local4", "local7",
];
const SEED_SPREAD: u64 = 0x9E37_79B9_7F4A_7C15;

const HOSTS: [&str; 16] = [
    "core-rtr-01.dc1.example.net",
    "core-rtr-02.dc1.example.net",
    "core-rtr-01.dc2.example.net",
    "core-rtr-02.dc2.example.net",
    "dist-sw-01.dc1.example.net",
    "dist-sw-02.dc1.example.net",
    "dist-sw-03.dc2.example.net",
    "acc-sw-114.dc1.example.net",
    "acc-sw-207.dc2.example.net",
    "fw-edge-01.dc1.example.net",
    "lb-01.dc2.example.net",
    "app-web-03.dc1.example.net",
    "db-pg-01.dc2.example.net",
    "dev-app-01.lab.example.net",
    "dev-rtr-01.lab.example.net",
    "dev-k8s-node-02.lab.example.net",
];

const SYSLOG_MESSAGES: [&str; 16] = [
    "%LINK-3-UPDOWN: Interface GigabitEthernet0/{n}, changed state to down",
    "%LINK-3-UPDOWN: Interface GigabitEthernet0/{n}, changed state to up",
    "%LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet1/0/{n}, changed state to down",
    "%SYS-5-CONFIG_I: Configured from console by admin on vty0 ({ip})",
    "CRITICAL: fan failure detected in fan tray {n}",
    "%BGP-5-ADJCHANGE: neighbor {ip} Down BGP Notification sent",
    "%BGP-3-NOTIFICATION: sent to neighbor {ip} 4/0 (hold time expired) 0 bytes",
    "%OSPF-5-ADJCHG: Process 1, Nbr {ip} on Vlan{n} from FULL to DOWN, Neighbor Down: Dead timer expired",
    "sshd[{pid}]: Failed password for invalid user {user} from {ip} port {port} ssh2",
    "%SEC_LOGIN-4-LOGIN_FAILED: Login failed [user: {user}] [Source: {ip}] [localport: 22]",
    "%ENVMON-2-TEMP_CRITICAL: Temperature sensor {n} exceeds critical threshold",
    "kernel: eth{n}: NIC Link is Up 10000 Mbps Full Duplex, Flow Control: RX/TX",
    "systemd[1]: Started Session {pid} of user {user}.",
    "CRON[{pid}]: (root) CMD (/usr/lib/sa/sa1 1 1)",
    "%DOT1X-5-SUCCESS: Authentication successful for client (aabb.cc00.{n}) on Interface Gi1/0/{n}",
    "heartbeat ok seq={pid}",
];

const SNMP_TRAPS: [(&str, &str); 6] = [
    (
        "1.3.6.1.6.3.1.1.5.3",
        "linkDown: ifIndex {n} ifDescr GigabitEthernet0/{n} ifOperStatus down",
    ),
    (
        "1.3.6.1.6.3.1.1.5.4",
        "linkUp: ifIndex {n} ifDescr GigabitEthernet0/{n} ifOperStatus up",
    ),
    ("1.3.6.1.6.3.1.1.5.1", "coldStart: agent reinitialized"),
    ("1.3.6.1.6.3.1.1.5.5", "authenticationFailure from {ip}"),
    (
        "1.3.6.1.2.1.15.7.2",
        "bgpBackwardTransition: peer {ip} state idle",
    ),
    (
        "1.3.6.1.4.1.9.9.13.3.0.4",
        "ciscoEnvMonFanNotification: fan {n} state critical",
    ),
];

const USERS: [&str; 6] = ["admin", "root", "oracle", "test", "netops", "guest"];

fn weighted_severity(rng: &mut impl Rng) -> u8 {
    let total: u32 = SEVERITY_WEIGHTS.iter().sum();
    let mut pick = rng.random_range(0..total);
    for (severity, weight) in SEVERITY_WEIGHTS.iter().enumerate() {
        if pick < *weight {
            return severity as u8;
        }
        pick -= weight;
    }
    // Unreachable while `pick < total`; the common informational level is a safe answer anyway.
    6
}

fn fill_template(template: &str, rng: &mut impl Rng) -> String {
    let mut out = template.to_owned();
    // Each placeholder gets its own random value per occurrence kind; templates use few of them.
    let replacements: [(&str, String); 5] = [
        ("{n}", rng.random_range(1..48u32).to_string()),
        (
            "{ip}",
            format!(
                "10.{}.{}.{}",
                rng.random_range(0..255u8),
                rng.random_range(0..255u8),
                rng.random_range(1..255u8)
            ),
        ),
        ("{user}", USERS[rng.random_range(0..USERS.len())].to_owned()),
        ("{pid}", rng.random_range(1000..65000u32).to_string()),
        ("{port}", rng.random_range(1024..65535u32).to_string()),
    ];
    for (placeholder, value) in &replacements {
        if out.contains(placeholder) {
            out = out.replace(placeholder, value);
        }
    }
    out
}

/// Per-worker pool of pre-serialized events; a request's body is `batch` consecutive entries.
struct EventPool {
    lines: Vec<Vec<u8>>,
    built: Instant,
    first_seq: u64,
}

impl EventPool {
    fn new(rng: &mut impl Rng, first_seq: u64, size: usize) -> Self {
        let mut pool = EventPool {
            lines: Vec::with_capacity(size),
            built: Instant::now(),
            first_seq,
        };
        pool.fill(rng, size);
        pool
    }

    fn fill(&mut self, rng: &mut impl Rng, size: usize) {
        self.lines.clear();
        for i in 0..size as u64 {
            self.lines.push(
                sample_event(rng, self.first_seq + i)
                    .to_string()
                    .into_bytes(),
            );
        }
        self.built = Instant::now();
    }

    fn refresh_if_stale(&mut self, rng: &mut impl Rng) {
        if self.built.elapsed() >= POOL_MAX_AGE {
            let size = self.lines.len();
            self.fill(rng, size);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Plan: validated arguments

struct Target {
    host_header: String,
    path: String,
    addr: SocketAddr,
}

struct Plan {
    addr: SocketAddr,
    /// Request head up to and including "Content-Length: ".
    head_prefix: Vec<u8>,
    ndjson: bool,
    batch: usize,
    concurrency: usize,
    count: Option<u64>,
    run_for: Duration,
    /// Open loop: time between one worker's scheduled sends.
    interval: Option<Duration>,
    timeout: Duration,
    pool_size: usize,
    progress: bool,
}

impl Plan {
    fn from_args(args: &LoadArgs, progress: bool) -> Result<Plan, LoadError> {
        let target = parse_url(&args.url)?;
        if args.concurrency == 0 || args.concurrency > MAX_CONCURRENCY {
            return Err(LoadError::InvalidArgument(format!(
                "--concurrency must be 1..={MAX_CONCURRENCY}, got {}",
                args.concurrency
            )));
        }
        if args.batch == 0 || args.batch > MAX_BATCH {
            return Err(LoadError::InvalidArgument(format!(
                "--batch must be 1..={MAX_BATCH}, got {}",
                args.batch
            )));
        }
        if args.count == Some(0) {
            return Err(LoadError::InvalidArgument(
                "--count must be at least 1".into(),
            ));
        }
        if args.timeout.is_zero() {
            return Err(LoadError::InvalidArgument(
                "--timeout must be above zero".into(),
            ));
        }
        let run_for = match (args.duration, args.count) {
            (Some(d), _) if d > MAX_DURATION => {
                return Err(LoadError::InvalidArgument(format!(
                    "--duration {d:?} is above the {}s limit",
                    MAX_DURATION.as_secs()
                )))
            }
            (Some(d), _) if d.is_zero() => {
                return Err(LoadError::InvalidArgument(
                    "--duration must be above zero".into(),
                ))
            }
            (Some(d), _) => d,
            (None, Some(_)) => MAX_DURATION,
            (None, None) => DEFAULT_DURATION,
        };
        let interval = match args.rate {
            None => None,
            Some(rate) if rate.is_finite() && rate > 0.0 => {
                let per_worker = Duration::try_from_secs_f64(args.concurrency as f64 / rate)
                    .map_err(|_| {
                        LoadError::InvalidArgument(format!("--rate {rate} is out of range"))
                    })?;
                Some(per_worker.max(Duration::from_nanos(1)))
            }
            Some(rate) => {
                return Err(LoadError::InvalidArgument(format!(
                    "--rate must be a positive number, got {rate}"
                )))
            }
        };
        let api_key = args.api_key.as_deref().filter(|k| !k.is_empty());
        if let Some(key) = api_key {
            // A CR or LF here would let the key inject headers into every request.
            if key.bytes().any(|b| b.is_ascii_control()) {
                return Err(LoadError::InvalidArgument(
                    "--api-key must not contain control characters".into(),
                ));
            }
        }
        let ndjson = args.batch > 1;
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: {USER_AGENT}\r\nAccept: application/json\r\nContent-Type: {}\r\n",
            target.path,
            target.host_header,
            if ndjson { "application/x-ndjson" } else { "application/json" },
        );
        if let Some(key) = api_key {
            head.push_str("X-API-KEY: ");
            head.push_str(key);
            head.push_str("\r\n");
        }
        head.push_str("Content-Length: ");
        Ok(Plan {
            addr: target.addr,
            head_prefix: head.into_bytes(),
            ndjson,
            batch: args.batch,
            concurrency: args.concurrency,
            count: args.count,
            run_for,
            interval,
            timeout: args.timeout,
            pool_size: (POOL_EVENTS_TOTAL / args.concurrency)
                .clamp(POOL_EVENTS_MIN, POOL_EVENTS_PER_WORKER),
            progress,
        })
    }
}

/// Parses `http://host[:port][/path][?query]` with the `url` crate (WHATWG rules: the host is
/// lower-cased, IPv4 forms such as `0x7f.1` normalised, the path's dot segments resolved and
/// non-ASCII bytes percent-encoded) and applies the loopback policy to the parsed host.
fn parse_url(url: &str) -> Result<Target, LoadError> {
    let invalid = |reason: &str| LoadError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    // The WHATWG parser would accept `http:host` and `localhost:8080` (as scheme `localhost`).
    if !url.contains("://") {
        return Err(invalid("expected http://host[:port]/path"));
    }
    // It would also silently drop tabs and newlines and encode spaces: refuse them instead.
    if url.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(invalid("URL must not contain spaces or control characters"));
    }
    let parsed = url::Url::parse(url).map_err(|e| {
        invalid(match e {
            url::ParseError::EmptyHost => "missing host",
            url::ParseError::InvalidPort => "port must be 1..=65535",
            url::ParseError::InvalidIpv6Address => "invalid [IPv6] host",
            url::ParseError::RelativeUrlWithoutBase => "expected http://host[:port]/path",
            _ => "not a valid URL",
        })
    })?;
    if parsed.scheme() != "http" {
        return Err(invalid(
            "only plain http:// is supported (local benchmarks only)",
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid(
            "credentials in the URL are not supported; use --api-key",
        ));
    }
    let port = match parsed.port_or_known_default() {
        Some(0) | None => return Err(invalid("port must be 1..=65535")),
        Some(port) => port,
    };
    let not_loopback = |host: &str| LoadError::NotLoopback {
        host: host.to_owned(),
    };
    let ip = match parsed.host() {
        None => return Err(invalid("missing host")),
        // Not resolved: the loopback promise must not depend on /etc/hosts or DNS.
        Some(url::Host::Domain("localhost")) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Some(url::Host::Domain(name)) => return Err(not_loopback(name)),
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
    };
    let loopback = match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    };
    if !loopback {
        return Err(not_loopback(&ip.to_string()));
    }
    // Path and query as serialised (never empty: a special scheme's path is at least "/"),
    // without the fragment, which is not sent.
    let path = &parsed[url::Position::BeforePath..url::Position::AfterQuery];
    Ok(Target {
        host_header: parsed[url::Position::BeforeHost..url::Position::AfterPort].to_owned(),
        path: path.to_owned(),
        addr: SocketAddr::new(ip, port),
    })
}

// ---------------------------------------------------------------------------------------------
// Start gate: workers connect and build their pools first, then all start together.

#[derive(Clone, Copy, PartialEq)]
enum GateSignal {
    Wait,
    Go,
    Abort,
}

struct Gate {
    state: Mutex<(usize, GateSignal)>,
    changed: Condvar,
}

impl Default for Gate {
    fn default() -> Self {
        Gate {
            state: Mutex::new((0, GateSignal::Wait)),
            changed: Condvar::new(),
        }
    }
}

impl Gate {
    /// Worker side: report ready, then block until the run starts or is aborted.
    fn arrive(&self) -> GateSignal {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 += 1;
        self.changed.notify_all();
        while state.1 == GateSignal::Wait {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.1
    }

    fn wait_ready(&self, workers: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        while state.0 < workers {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    fn open(&self, signal: GateSignal) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.1 = signal;
        self.changed.notify_all();
    }
}

fn show_progress(
    plan: &Plan,
    handles: &[thread::JoinHandle<WorkerStats>],
    completed: &AtomicU64,
    start: Instant,
) {
    let bar = match plan.count {
        Some(count) => indicatif::ProgressBar::new(count),
        None => indicatif::ProgressBar::new(plan.run_for.as_millis() as u64),
    };
    let template = if plan.count.is_some() {
        "{bar:40} {pos}/{len} requests  {msg}"
    } else {
        "{bar:40} {elapsed}  {msg}"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    while !handles.iter().all(|h| h.is_finished()) {
        let done = completed.load(Ordering::Relaxed);
        let secs = start.elapsed().as_secs_f64();
        match plan.count {
            Some(_) => bar.set_position(done),
            None => bar.set_position(start.elapsed().as_millis() as u64),
        }
        if secs > 0.0 {
            bar.set_message(format!("{done} requests, {:.0}/s", done as f64 / secs));
        }
        thread::sleep(PROGRESS_TICK);
    }
    bar.finish_and_clear();
}

// ---------------------------------------------------------------------------------------------
// Workers

struct WorkerCtx {
    id: usize,
    seed: u64,
    plan: Arc<Plan>,
    gate: Arc<Gate>,
    completed: Arc<AtomicU64>,
    claimed: Arc<AtomicU64>,
}

fn worker(ctx: WorkerCtx) -> WorkerStats {
    let plan = &*ctx.plan;
    let mut rng = SmallRng::seed_from_u64(ctx.seed);
    let mut pool = EventPool::new(&mut rng, (ctx.id * plan.pool_size) as u64, plan.pool_size);
    let mut stats = WorkerStats::new();
    let mut request = Vec::with_capacity(plan.head_prefix.len() + 32 + plan.batch * 512);
    // Connecting before the start signal keeps handshakes out of the first latencies; a failure
    // here is retried (and counted) on the first request.
    let mut conn = Conn::connect(plan.addr, plan.timeout).ok();
    if ctx.gate.arrive() == GateSignal::Abort {
        return stats;
    }
    let start = Instant::now();
    let end = start + plan.run_for;
    // Stagger workers within one interval so an open loop does not send in bursts.
    let offset = plan
        .interval
        .map(|iv| iv.mul_f64(ctx.id as f64 / plan.concurrency as f64))
        .unwrap_or_default();
    let mut seq: u64 = 0;
    loop {
        let scheduled = match plan.interval {
            Some(iv) => start + offset + scaled(iv, seq),
            None => Instant::now(),
        };
        if scheduled >= end {
            break;
        }
        if let Some(limit) = plan.count {
            if ctx.claimed.fetch_add(1, Ordering::Relaxed) >= limit {
                break;
            }
        }
        pool.refresh_if_stale(&mut rng);
        render_request(plan, &pool, seq, &mut request);
        if plan.interval.is_some() {
            // Behind schedule: no sleep and no skipping, so the backlog shows up as latency.
            let now = Instant::now();
            if scheduled > now {
                thread::sleep(scheduled - now);
            }
        }
        // Closed loop measures from now; open loop from the schedule (coordinated-omission safe).
        let measured_from = match plan.interval {
            Some(_) => scheduled,
            None => Instant::now(),
        };
        match exchange_with_retry(&mut conn, plan, &request) {
            Ok(status) => {
                stats.record_status(status, measured_from.elapsed());
            }
            Err(kind) => {
                stats.record_error(kind);
                if kind == ErrorKind::Connect && plan.interval.is_none() {
                    thread::sleep(CONNECT_RETRY_PAUSE);
                }
            }
        }
        if plan.progress {
            ctx.completed.fetch_add(1, Ordering::Relaxed);
        }
        seq += 1;
    }
    stats
}

fn scaled(interval: Duration, n: u64) -> Duration {
    let nanos = interval.as_nanos().saturating_mul(u128::from(n));
    Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
}

fn render_request(plan: &Plan, pool: &EventPool, seq: u64, out: &mut Vec<u8>) {
    let n = pool.lines.len();
    let first = (seq as usize).wrapping_mul(plan.batch) % n;
    let lines = (0..plan.batch).map(|j| &pool.lines[(first + j) % n]);
    let separator = usize::from(plan.ndjson);
    let body_len: usize = lines.clone().map(|l| l.len() + separator).sum();
    out.clear();
    out.extend_from_slice(&plan.head_prefix);
    // Writing into a Vec cannot fail.
    let _ = write!(out, "{body_len}\r\n\r\n");
    for line in lines {
        out.extend_from_slice(line);
        if plan.ndjson {
            out.push(b'\n');
        }
    }
}

/// One request; a stale keep-alive connection (closed by the server while idle) gets one retry.
fn exchange_with_retry(
    conn: &mut Option<Conn>,
    plan: &Plan,
    request: &[u8],
) -> Result<u16, ErrorKind> {
    let reused = conn.is_some();
    match exchange(conn, plan, request) {
        Err(Failure {
            kind: ErrorKind::Closed | ErrorKind::Reset,
            got_bytes: false,
        }) if reused => {
            log::debug!("load: keep-alive connection went stale, reconnecting");
            exchange(conn, plan, request).map_err(|f| f.kind)
        }
        other => other.map_err(|f| f.kind),
    }
}

fn exchange(conn: &mut Option<Conn>, plan: &Plan, request: &[u8]) -> Result<u16, Failure> {
    let c = match conn {
        Some(c) => c,
        None => conn.insert(Conn::connect(plan.addr, plan.timeout).map_err(|_| Failure {
            kind: ErrorKind::Connect,
            got_bytes: false,
        })?),
    };
    let deadline = Instant::now() + plan.timeout;
    match c.exchange(request, deadline) {
        Ok(response) => {
            if !response.keep_alive {
                *conn = None;
            }
            Ok(response.status)
        }
        Err(failure) => {
            *conn = None;
            Err(failure)
        }
    }
}

/// Transport failure classes, reported as `error:<name>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ErrorKind {
    Connect,
    Timeout,
    Closed,
    Reset,
    Protocol,
    Io,
}

impl ErrorKind {
    const ALL: [ErrorKind; 6] = [
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Closed,
        ErrorKind::Reset,
        ErrorKind::Protocol,
        ErrorKind::Io,
    ];

    fn label(self) -> &'static str {
        match self {
            ErrorKind::Connect => "error:connect",
            ErrorKind::Timeout => "error:timeout",
            ErrorKind::Closed => "error:closed",
            ErrorKind::Reset => "error:reset",
            ErrorKind::Protocol => "error:protocol",
            ErrorKind::Io => "error:io",
        }
    }

    fn from_io(e: &io::Error) -> ErrorKind {
        match e.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ErrorKind::Timeout,
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => ErrorKind::Reset,
            io::ErrorKind::UnexpectedEof => ErrorKind::Closed,
            io::ErrorKind::ConnectionRefused => ErrorKind::Connect,
            _ => ErrorKind::Io,
        }
    }
}

struct Failure {
    kind: ErrorKind,
    /// Whether any byte of a response arrived; only a silent failure is safe to retry.
    got_bytes: bool,
}

struct Response {
    status: u16,
    keep_alive: bool,
}

// ---------------------------------------------------------------------------------------------
// Minimal HTTP/1.1 client connection
//
// Measured 2026-12-07 against ureq (the client the forwarder uses), release builds, private
// redis-server + `mutt ingest serve` on loopback, 10 s closed-loop runs interleaved A/B on the
// shared 2-core machine (docs/PERFORMANCE.md, "Why `mutt load` has its own HTTP/1.1 client"):
//   single events, 32 connections: this client 24,457 req/s (median of 6), 13.4 µs CPU per
//     request in the generator; a ureq loop (one Agent and connection per thread, same
//     pre-serialised bodies) 16,032 req/s, 38.6 µs CPU per request: this one is ~52% faster.
//   NDJSON batches of 100, 8 connections: 346,515 vs 300,367 events/s (median of 3, the server
//     is the bottleneck here), 28.6 vs 63.9 µs CPU per request.
// Command: `mutt load --url http://127.0.0.1:PORT/api/v2/ingest --concurrency 32 --duration 10s`
// (and `--concurrency 8 --batch 100`) vs. the prototype loop, alternating, three rounds each.

struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    timeout: Duration,
    /// The socket read timeout was shortened to meet a deadline and must be restored.
    timeout_shortened: bool,
    /// Reads done for the current response; only the first relies on the preset timeout.
    reads: u32,
    got_bytes: bool,
}

impl Conn {
    fn connect(addr: SocketAddr, timeout: Duration) -> io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&addr, timeout)?;
        // Requests are written in one piece; Nagle would only hold back the next one.
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Conn {
            stream,
            buf: vec![0; READ_BUF_INITIAL],
            start: 0,
            end: 0,
            timeout,
            timeout_shortened: false,
            reads: 0,
            got_bytes: false,
        })
    }

    fn exchange(&mut self, request: &[u8], deadline: Instant) -> Result<Response, Failure> {
        self.reads = 0;
        self.got_bytes = false;
        let result = self.exchange_inner(request, deadline);
        if self.timeout_shortened {
            self.timeout_shortened = false;
            if self.stream.set_read_timeout(Some(self.timeout)).is_err() {
                return Err(self.fail(ErrorKind::Io));
            }
        }
        result.map_err(|kind| self.fail(kind))
    }

    fn fail(&self, kind: ErrorKind) -> Failure {
        Failure {
            kind,
            got_bytes: self.got_bytes,
        }
    }

    fn exchange_inner(&mut self, request: &[u8], deadline: Instant) -> Result<Response, ErrorKind> {
        if self.start != self.end {
            // Bytes nobody asked for: the previous response was mis-framed, so the stream is unusable.
            return Err(ErrorKind::Protocol);
        }
        (&self.stream)
            .write_all(request)
            .map_err(|e| ErrorKind::from_io(&e))?;
        loop {
            let response = self.read_response(deadline)?;
            // Interim responses (100 Continue and friends) precede the real one.
            if !(100..200).contains(&response.status) || response.status == 101 {
                return Ok(response);
            }
        }
    }

    fn fill(&mut self, deadline: Instant) -> Result<(), ErrorKind> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            } else if self.buf.len() < MAX_RESPONSE_HEAD {
                self.buf.resize(self.buf.len() * 2, 0);
            } else {
                return Err(ErrorKind::Protocol);
            }
        }
        if self.reads > 0 {
            // Only slow, multi-read responses pay for the extra setsockopt.
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(ErrorKind::Timeout);
            }
            self.stream
                .set_read_timeout(Some(remaining))
                .map_err(|e| ErrorKind::from_io(&e))?;
            self.timeout_shortened = true;
        }
        self.reads += 1;
        let n = loop {
            match self.stream.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ErrorKind::from_io(&e)),
            }
        };
        if n == 0 {
            return Err(ErrorKind::Closed);
        }
        self.got_bytes = true;
        self.end += n;
        Ok(())
    }

    fn read_response(&mut self, deadline: Instant) -> Result<Response, ErrorKind> {
        let head_end = loop {
            if let Some(pos) = find(&self.buf[self.start..self.end], b"\r\n\r\n") {
                break self.start + pos + 4;
            }
            self.fill(deadline)?;
        };
        let head = parse_head(&self.buf[self.start..head_end])?;
        self.start = head_end;
        let mut keep_alive = head.keep_alive;
        let bodiless =
            (100..200).contains(&head.status) || head.status == 204 || head.status == 304;
        if !bodiless {
            if head.chunked {
                self.skip_chunked(deadline)?;
            } else if let Some(len) = head.content_length {
                self.skip(len, deadline)?;
            } else {
                // No framing: the body runs until the server closes the connection.
                keep_alive = false;
                self.skip_to_eof(deadline)?;
            }
        }
        Ok(Response {
            status: head.status,
            keep_alive,
        })
    }

    fn skip_to_eof(&mut self, deadline: Instant) -> Result<(), ErrorKind> {
        loop {
            self.start = self.end;
            match self.fill(deadline) {
                Ok(()) => {}
                Err(ErrorKind::Closed) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
    }

    fn skip(&mut self, mut len: u64, deadline: Instant) -> Result<(), ErrorKind> {
        while len > 0 {
            if self.start == self.end {
                self.fill(deadline)?;
            }
            let take = len.min((self.end - self.start) as u64);
            self.start += take as usize;
            len -= take;
        }
        Ok(())
    }

    /// Consumes one CRLF-terminated line and returns its range in `buf` (valid until the next fill).
    fn read_line(&mut self, deadline: Instant) -> Result<std::ops::Range<usize>, ErrorKind> {
        loop {
            if let Some(pos) = find(&self.buf[self.start..self.end], b"\r\n") {
                let line = self.start..self.start + pos;
                self.start += pos + 2;
                return Ok(line);
            }
            self.fill(deadline)?;
        }
    }

    fn skip_chunked(&mut self, deadline: Instant) -> Result<(), ErrorKind> {
        loop {
            let line = self.read_line(deadline)?;
            let size = parse_chunk_size(&self.buf[line])?;
            if size == 0 {
                // Trailer fields, if any, end with an empty line.
                while !self.read_line(deadline)?.is_empty() {}
                return Ok(());
            }
            self.skip(size, deadline)?;
            if !self.read_line(deadline)?.is_empty() {
                return Err(ErrorKind::Protocol);
            }
        }
    }
}

struct Head {
    status: u16,
    keep_alive: bool,
    chunked: bool,
    content_length: Option<u64>,
}

fn parse_head(head: &[u8]) -> Result<Head, ErrorKind> {
    let text = std::str::from_utf8(head).map_err(|_| ErrorKind::Protocol)?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next().ok_or(ErrorKind::Protocol)?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next().ok_or(ErrorKind::Protocol)?;
    let code = parts.next().ok_or(ErrorKind::Protocol)?;
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        _ => return Err(ErrorKind::Protocol),
    };
    if code.len() != 3 {
        return Err(ErrorKind::Protocol);
    }
    let status: u16 = code.parse().map_err(|_| ErrorKind::Protocol)?;
    if status < 100 {
        return Err(ErrorKind::Protocol);
    }
    let mut parsed = Head {
        status,
        keep_alive: !http10,
        chunked: false,
        content_length: None,
    };
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(ErrorKind::Protocol)?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            let len: u64 = value.parse().map_err(|_| ErrorKind::Protocol)?;
            // Conflicting lengths make the framing ambiguous (request smuggling territory).
            if parsed.content_length.is_some_and(|prev| prev != len) {
                return Err(ErrorKind::Protocol);
            }
            parsed.content_length = Some(len);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            parsed.chunked = value
                .rsplit(',')
                .next()
                .is_some_and(|last| last.trim().eq_ignore_ascii_case("chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            for token in value.split(',').map(str::trim) {
                if token.eq_ignore_ascii_case("close") {
                    parsed.keep_alive = false;
                } else if token.eq_ignore_ascii_case("keep-alive") && http10 {
                    parsed.keep_alive = true;
                }
            }
        }
    }
    Ok(parsed)
}

fn parse_chunk_size(line: &[u8]) -> Result<u64, ErrorKind> {
    let text = std::str::from_utf8(line).map_err(|_| ErrorKind::Protocol)?;
    let size = text.split(';').next().unwrap_or_default().trim();
    if size.is_empty() {
        return Err(ErrorKind::Protocol);
    }
    u64::from_str_radix(size, 16).map_err(|_| ErrorKind::Protocol)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Measurements

struct WorkerStats {
    statuses: Vec<u64>,
    errors: [u64; ErrorKind::ALL.len()],
    accepted_requests: u64,
    latency: Histogram,
}

impl WorkerStats {
    fn new() -> Self {
        WorkerStats {
            statuses: vec![0; STATUS_SLOTS],
            errors: [0; ErrorKind::ALL.len()],
            accepted_requests: 0,
            latency: Histogram::new(),
        }
    }

    fn record_status(&mut self, status: u16, latency: Duration) {
        if let Some(slot) = self.statuses.get_mut(usize::from(status)) {
            *slot += 1;
        }
        if (200..300).contains(&status) {
            self.accepted_requests += 1;
        }
        self.latency
            .record(u64::try_from(latency.as_micros()).unwrap_or(u64::MAX));
    }

    fn record_error(&mut self, kind: ErrorKind) {
        if let Some(i) = ErrorKind::ALL.iter().position(|k| *k == kind) {
            self.errors[i] += 1;
        }
    }

    fn merge(&mut self, other: &WorkerStats) {
        for (a, b) in self.statuses.iter_mut().zip(&other.statuses) {
            *a += b;
        }
        for (a, b) in self.errors.iter_mut().zip(&other.errors) {
            *a += b;
        }
        self.accepted_requests += other.accepted_requests;
        self.latency.merge(&other.latency);
    }

    fn into_report(self, batch: u64, elapsed: f64) -> LoadReport {
        let mut status_counts = BTreeMap::new();
        let mut requests = 0;
        for (code, n) in self.statuses.iter().enumerate().filter(|(_, n)| **n > 0) {
            status_counts.insert(code.to_string(), *n);
            requests += n;
        }
        for (kind, n) in ErrorKind::ALL
            .iter()
            .zip(&self.errors)
            .filter(|(_, n)| **n > 0)
        {
            status_counts.insert(kind.label().to_owned(), *n);
            requests += n;
        }
        let per_second = |n: u64| {
            if elapsed > 0.0 {
                n as f64 / elapsed
            } else {
                0.0
            }
        };
        let events_accepted = self.accepted_requests * batch;
        LoadReport {
            requests,
            events_sent: requests * batch,
            events_accepted,
            elapsed_seconds: round3(elapsed),
            requests_per_second: round3(per_second(requests)),
            events_per_second: round3(per_second(events_accepted)),
            status_counts,
            latency_ms: self.latency.summary(),
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// HdrHistogram precision: 2 significant digits, i.e. values up to 255 µs are exact and larger
/// ones land in a bucket at most 1/128 of the value wide (the same resolution as the log buckets
/// this replaced), in about 35 KiB per worker.
const SIGNIFICANT_DIGITS: u8 = 2;
/// Latencies are clamped here (about 12.7 days in µs), which keeps the bucket array fixed.
const MAX_TRACKED_MICROS: u64 = 1 << 40;

/// Latency histogram in µs: an HdrHistogram (fixed memory however long the run, mergeable across
/// workers) for the percentiles, plus the exact sum, minimum and maximum.
struct Histogram {
    hdr: hdrhistogram::Histogram<u64>,
    sum: u128,
    min: u64,
    max: u64,
}

impl Histogram {
    fn new() -> Self {
        Histogram {
            hdr: hdrhistogram::Histogram::new_with_bounds(
                1,
                MAX_TRACKED_MICROS,
                SIGNIFICANT_DIGITS,
            )
            .expect("constant histogram bounds are valid"),
            sum: 0,
            min: u64::MAX,
            max: 0,
        }
    }

    fn record(&mut self, micros: u64) {
        self.hdr.saturating_record(micros);
        self.sum += u128::from(micros);
        self.min = self.min.min(micros);
        self.max = self.max.max(micros);
    }

    fn merge(&mut self, other: &Histogram) {
        // Same bounds on both sides, so the counts always fit.
        self.hdr
            .add(&other.hdr)
            .expect("histograms with equal bounds add up");
        self.sum += other.sum;
        self.min = self.min.min(other.min);
        self.max = self.max.max(other.max);
    }

    /// Value (µs) at quantile `q` in 0..=1: the midpoint of the bucket holding rank ⌈q·n⌉,
    /// clamped to the exact minimum and maximum.
    fn percentile(&self, q: f64) -> u64 {
        if self.hdr.is_empty() {
            return 0;
        }
        let at = self.hdr.value_at_quantile(q);
        self.hdr.median_equivalent(at).clamp(self.min, self.max)
    }

    fn summary(&self) -> Latency {
        let total = self.hdr.len();
        if total == 0 {
            return Latency::default();
        }
        let ms = |micros: u64| micros as f64 / 1000.0;
        Latency {
            p50: ms(self.percentile(0.50)),
            p95: ms(self.percentile(0.95)),
            p99: ms(self.percentile(0.99)),
            max: ms(self.max),
            mean: round3(self.sum as f64 / total as f64 / 1000.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_duration_accepts_units_and_plain_seconds() {
        assert_eq!(parse_duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration(" 7 s "), Ok(Duration::from_secs(7)));
    }

    #[test]
    fn parse_duration_rejects_garbage() {
        for bad in ["", "s", "-1s", "10x", "1.2.3s", "abc", "1e999"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn histogram_is_exact_for_small_values() {
        let mut h = Histogram::new();
        for v in 1..=100 {
            h.record(v);
        }
        assert_eq!(h.percentile(0.50), 50);
        assert_eq!(h.percentile(0.95), 95);
        assert_eq!(h.percentile(0.99), 99);
        assert_eq!(h.percentile(1.0), 100);
        assert_eq!(h.percentile(0.0), 1);
    }

    #[test]
    fn histogram_percentiles_within_one_percent() {
        let mut h = Histogram::new();
        for v in 1..=100_000u64 {
            h.record(v);
        }
        for (q, expected) in [(0.5, 50_000.0), (0.95, 95_000.0), (0.99, 99_000.0)] {
            let got = h.percentile(q) as f64;
            assert!(
                (got - expected).abs() / expected < 0.01,
                "p{q}: got {got}, expected about {expected}"
            );
        }
        let summary = h.summary();
        assert_eq!(summary.max, 100.0);
        assert!(
            (summary.mean - 50.0).abs() <= 0.001,
            "mean {}",
            summary.mean
        );
    }

    #[test]
    fn histogram_resolution_and_clamping() {
        // Every recorded value's reported percentile stays within 1/128 of it, up to the clamp.
        for v in [1, 127, 128, 255, 256, 1000, 123_456, 9_999_999, 1 << 39] {
            let mut h = Histogram::new();
            h.record(v);
            h.record(v + v / 64 + 1);
            let p = h.percentile(0.5);
            assert!(
                p.abs_diff(v) <= v / 128,
                "{v}: median {p} off by more than 1/128"
            );
        }
        // An out-of-range latency is clamped into the top bucket, not dropped; max stays exact.
        let mut h = Histogram::new();
        h.record(1000);
        h.record(u64::MAX);
        assert!(h.percentile(0.5).abs_diff(1000) <= 1000 / 128);
        assert!(
            h.percentile(1.0) >= MAX_TRACKED_MICROS,
            "{}",
            h.percentile(1.0)
        );
        assert_eq!(h.summary().max, u64::MAX as f64 / 1000.0);
    }

    #[test]
    fn histogram_merge_and_outlier() {
        let mut a = Histogram::new();
        let mut b = Histogram::new();
        for _ in 0..99 {
            a.record(1_000);
        }
        b.record(2_000_000);
        a.merge(&b);
        let s = a.summary();
        // Bucket midpoints: within 1/128 of the true 1 ms; the outlier only moves max.
        assert!(
            (s.p50 - 1.0).abs() < 0.01 && (s.p99 - 1.0).abs() < 0.01,
            "{s:?}"
        );
        assert_eq!(s.max, 2000.0);
        assert_eq!(Histogram::new().summary(), Latency::default());
    }

    #[test]
    fn url_parsing_and_loopback_policy() {
        let t = parse_url("http://127.0.0.1:8080/api/v2/ingest")
            .ok()
            .map(|t| (t.addr, t.path));
        assert_eq!(
            t,
            Some((
                "127.0.0.1:8080".parse().expect("addr"),
                "/api/v2/ingest".to_owned()
            ))
        );
        let t = parse_url("http://localhost")
            .ok()
            .map(|t| (t.addr, t.path, t.host_header));
        assert_eq!(
            t,
            Some((
                "127.0.0.1:80".parse().expect("addr"),
                "/".to_owned(),
                "localhost".to_owned()
            ))
        );
        assert!(parse_url("http://[::1]:9000/x?y=1").is_ok());
        // WHATWG normalisation: host lower-cased, default port dropped from Host, numeric IPv4
        // forms resolved to the address they denote, fragment not sent, non-ASCII encoded.
        for (input, addr, path, host) in [
            ("http://LOCALHOST:9/x", "127.0.0.1:9", "/x", "localhost:9"),
            ("http://127.0.0.1:80/", "127.0.0.1:80", "/", "127.0.0.1"),
            (
                "http://127.0.0.1?a=1#f",
                "127.0.0.1:80",
                "/?a=1",
                "127.0.0.1",
            ),
            ("http://0x7f.1:81/", "127.0.0.1:81", "/", "127.0.0.1:81"),
            (
                "http://[::ffff:127.0.0.1]/",
                "[::ffff:127.0.0.1]:80",
                "/",
                "[::ffff:7f00:1]",
            ),
            ("http://[::1]/\u{e9}", "[::1]:80", "/%C3%A9", "[::1]"),
        ] {
            let t = parse_url(input)
                .ok()
                .map(|t| (t.addr.to_string(), t.path, t.host_header));
            assert_eq!(
                t,
                Some((addr.to_owned(), path.to_owned(), host.to_owned())),
                "{input}"
            );
        }
        for refused in [
            "http://10.0.0.1:8080/ingest",
            "http://example.com/ingest",
            "http://[2001:db8::1]/",
            "http://0.0.0.0:8080/",
            "http://localhost./",
            "http://10.0.0.1.nip.io/",
            "http://[::ffff:10.0.0.1]/",
            "http://0x0a000001/",
        ] {
            assert!(
                matches!(parse_url(refused), Err(LoadError::NotLoopback { .. })),
                "{refused} should be refused as non-loopback"
            );
        }
        for invalid in [
            "https://127.0.0.1/",
            "127.0.0.1:8080",
            "http://u:p@127.0.0.1/",
            "http://127.0.0.1:0/",
            "http://127.0.0.1/a b",
            "http://127.0.0.1/a\tb",
            "http://127.0.0.1:65536/",
            "http://[::1",
            "http://",
            "localhost:8080",
            "http:127.0.0.1/",
            "ftp://127.0.0.1/",
        ] {
            assert!(
                matches!(parse_url(invalid), Err(LoadError::InvalidUrl { .. })),
                "{invalid} should be invalid"
            );
        }
    }

    #[test]
    fn response_head_parsing() {
        let h = parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n").ok();
        assert!(h.is_some_and(|h| h.status == 200 && h.keep_alive && h.content_length == Some(12)));
        let h = parse_head(
            b"HTTP/1.1 503 Busy\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n",
        )
        .ok();
        assert!(h.is_some_and(|h| h.status == 503 && !h.keep_alive && h.chunked));
        let h = parse_head(b"HTTP/1.0 200 OK\r\n\r\n").ok();
        assert!(h.is_some_and(|h| !h.keep_alive));
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n")
                .is_err()
        );
        assert!(parse_head(b"garbage\r\n\r\n").is_err());
        assert_eq!(parse_chunk_size(b"1a;ext=1").ok(), Some(26));
        assert!(parse_chunk_size(b"zz").is_err());
    }

    #[test]
    fn sample_events_vary_and_carry_the_fields() {
        let mut rng = SmallRng::seed_from_u64(7);
        let events: Vec<Value> = (0..500).map(|i| sample_event(&mut rng, i)).collect();
        for e in &events {
            assert!(e["hostname"].is_string() && e["message"].is_string());
            let ts = e["timestamp"].as_str().unwrap_or_default();
            assert!(
                chrono::DateTime::parse_from_rfc3339(ts).is_ok(),
                "bad timestamp {ts}"
            );
            assert!(e.get("syslog_severity").is_some() || e.get("severity").is_some());
        }
        let snmp = events.iter().filter(|e| e["source"] == "snmp").count();
        assert!(snmp > 20 && snmp < 150, "snmp share off: {snmp}");
        assert!(events
            .iter()
            .filter(|e| e["source"] == "snmp")
            .all(|e| e["trap_oid"].is_string()));
        assert!(events
            .iter()
            .any(|e| e["severity"].is_string() && e["facility"].is_string()));
        let hosts: std::collections::BTreeSet<_> =
            events.iter().map(|e| e["hostname"].to_string()).collect();
        assert_eq!(hosts.len(), HOSTS.len());
    }
}
