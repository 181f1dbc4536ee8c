//! `mutt mock-moog`: a Moogsoft webhook sink for tests, benchmarks and operators' dry runs.
//!
//! It keeps v2.5's `POST /events`, `GET /health` and `GET /stats` shapes and adds what tests of
//! the forwarder need: a record of every event request (headers, Authorization included, body,
//! receive time, status answered), paging through those records, `POST /reset`, and faults
//! scripted by flags or changed at runtime through `/control` (status sequences, `Retry-After`,
//! latency, hung requests, bearer-token enforcement).
//!
//! Per event request the work is one JSON parse outside the lock and one short critical section
//! (decide the status, append the record, bump counters), so the sink stays far from being the
//! bottleneck of a forwarder benchmark. Stored records are capped by `--max-records` (oldest
//! dropped); the counters keep counting.
//!
//! Everything it records, bearer tokens included, is readable by whoever can reach it, which is
//! why it binds to loopback unless told otherwise.
//!
//! Counting (`GET /stats`):
//! - `count`: event requests answered 2xx (v2.5 counted every POST; a forwarder test wants the
//!   deliveries, and a scripted 500 is not one). `last` is the body of the last such request.
//! - `received`: every event request, whatever it was answered (or not answered).
//! - `events`: Moog events delivered by the `count` requests: a `{"events":[…]}` batch body counts
//!   as its length, any other body as one event.
//! - `failed` (scripted non-2xx), `rejected` (401, bad or missing token) and `hung` (held without
//!   an answer) split the rest: `received = count + failed + rejected + hung`.

use std::collections::VecDeque;
use std::io;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::http::{HealthBodyFn, HealthRoutes, HttpMetrics, Limits, Request, Response, Router};
use crate::http::{Server, ServerHandle};
use crate::shutdown::Shutdown;

/// Port used when neither `--port`, `MOCK_MOOG_PORT` nor `PORT` is given (v2.5's host port).
pub const DEFAULT_PORT: u16 = 18083;
/// Address bound by default: loopback, since records expose bearer tokens.
pub const DEFAULT_BIND: &str = "127.0.0.1";
/// Path that receives events by default (v2.5's).
pub const DEFAULT_PATH: &str = "/events";
/// Upper bound of a hung request when `--hang` is given without `--hang-seconds`.
pub const DEFAULT_HANG_SECONDS: u64 = 30;
/// Records kept by default; older ones are dropped, counters keep counting.
pub const DEFAULT_MAX_RECORDS: usize = 100_000;
/// Handlers allowed to run at once by default; latency and hangs each hold one while sleeping.
pub const DEFAULT_WORKERS: usize = 64;

/// Service name in `/health` (v2.5 exact) and logs.
const SERVICE: &str = "mock-moog";
/// v2.5's `PORT` variable, still honoured after `--port` / `MOCK_MOOG_PORT`.
const LEGACY_PORT_ENV: &str = "PORT";
/// Forwarder batches can be large; the sink must never be the reason one is refused.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Scripted statuses must be final responses hyper can send as they are.
const MIN_STATUS: u16 = 200;
const MAX_STATUS: u16 = 599;
/// Bounds that keep a typo from parking a worker for days.
const MAX_LATENCY_MS: u64 = 600_000;
const MAX_HANG_SECONDS: u64 = 3_600;
const MAX_WORKERS: usize = 4_096;
const MAX_WORKERS_U64: u64 = 4_096;
/// Status answered to a hung request once its bound has passed, normally to a client long gone.
const HUNG_STATUS: u16 = 504;
/// Status answered to event requests without the required bearer token.
const UNAUTHORIZED_STATUS: u16 = 401;
/// Statuses that carry `Retry-After` when one is configured.
const RETRY_AFTER_STATUSES: [u16; 2] = [429, 503];
/// POST routes of the sink itself, which the event path must not shadow.
const RESERVED_POST_PATHS: [&str; 2] = ["/control", "/reset"];

/// `mutt mock-moog` options; each flag also reads `MOCK_MOOG_<NAME>` from the environment.
#[derive(Debug, Clone, clap::Args)]
pub struct MockMoogArgs {
    /// Port to listen on (0 picks a free one) [default: PORT, else 18083]
    #[arg(long, env = "MOCK_MOOG_PORT", value_name = "PORT")]
    pub port: Option<u16>,
    /// Address to bind
    #[arg(long, env = "MOCK_MOOG_BIND", value_name = "ADDR", default_value = DEFAULT_BIND)]
    pub bind: String,
    /// Path that receives events (POST)
    #[arg(long, env = "MOCK_MOOG_PATH", value_name = "PATH", default_value = DEFAULT_PATH)]
    pub path: String,
    /// Statuses answered to successive event requests, then 200 (e.g. 500,500,200)
    #[arg(
        long,
        env = "MOCK_MOOG_STATUSES",
        value_name = "CODES",
        value_delimiter = ',',
        value_parser = clap::value_parser!(u16).range(i64::from(MIN_STATUS)..=i64::from(MAX_STATUS))
    )]
    pub statuses: Vec<u16>,
    /// Cycle through --statuses forever instead of answering 200 after them
    #[arg(long, env = "MOCK_MOOG_REPEAT")]
    pub repeat: bool,
    /// Send `Retry-After: SECONDS` with 429 and 503 answers
    #[arg(long, env = "MOCK_MOOG_RETRY_AFTER", value_name = "SECONDS")]
    pub retry_after: Option<u64>,
    /// Delay added to every event request
    #[arg(
        long,
        env = "MOCK_MOOG_LATENCY_MS",
        value_name = "MS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u64).range(..=MAX_LATENCY_MS)
    )]
    pub latency_ms: u64,
    /// Hold event requests unanswered (for --hang-seconds, then 504) to exercise client timeouts
    #[arg(long, env = "MOCK_MOOG_HANG")]
    pub hang: bool,
    /// How long --hang holds a request
    #[arg(
        long,
        env = "MOCK_MOOG_HANG_SECONDS",
        value_name = "SECONDS",
        default_value_t = DEFAULT_HANG_SECONDS,
        value_parser = clap::value_parser!(u64).range(1..=MAX_HANG_SECONDS)
    )]
    pub hang_seconds: u64,
    /// Answer 401 to event requests lacking `Authorization: Bearer TOKEN`
    #[arg(
        long,
        env = "MOCK_MOOG_REQUIRE_AUTH",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub require_auth: Option<String>,
    /// Records kept for GET /requests (oldest dropped; 0 keeps none); counters are not capped
    #[arg(long, env = "MOCK_MOOG_MAX_RECORDS", value_name = "N", default_value_t = DEFAULT_MAX_RECORDS)]
    pub max_records: usize,
    /// Requests handled at once (a delayed or hung request holds one while it waits)
    #[arg(
        long,
        env = "MOCK_MOOG_WORKERS",
        value_name = "N",
        default_value_t = DEFAULT_WORKERS,
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=MAX_WORKERS_U64)
    )]
    pub workers: usize,
    /// Write the bound address here once listening (JSON, as the daemons' MUTT_READY_FILE)
    #[arg(long, env = "MUTT_READY_FILE", value_name = "PATH")]
    pub ready_file: Option<std::path::PathBuf>,
}

impl Default for MockMoogArgs {
    /// The command-line defaults, without reading the environment.
    fn default() -> Self {
        Self {
            port: None,
            bind: DEFAULT_BIND.to_owned(),
            path: DEFAULT_PATH.to_owned(),
            statuses: Vec::new(),
            repeat: false,
            retry_after: None,
            latency_ms: 0,
            hang: false,
            hang_seconds: DEFAULT_HANG_SECONDS,
            require_auth: None,
            max_records: DEFAULT_MAX_RECORDS,
            ready_file: None,
            workers: DEFAULT_WORKERS,
        }
    }
}

impl MockMoogArgs {
    /// The port to bind: `--port` / `MOCK_MOOG_PORT`, else v2.5's `PORT`, else [`DEFAULT_PORT`].
    pub fn resolved_port(&self) -> io::Result<u16> {
        if let Some(port) = self.port {
            return Ok(port);
        }
        match std::env::var(LEGACY_PORT_ENV) {
            Ok(text) => text.trim().parse().map_err(|_| {
                invalid_input(format!("{LEGACY_PORT_ENV}={text:?} is not a port number"))
            }),
            Err(_) => Ok(DEFAULT_PORT),
        }
    }

    fn fault_settings(&self) -> io::Result<FaultSettings> {
        let settings = FaultSettings {
            statuses: self.statuses.clone(),
            repeat: self.repeat,
            retry_after: self.retry_after,
            latency_ms: self.latency_ms,
            hang_seconds: if self.hang { self.hang_seconds } else { 0 },
            require_auth: self.require_auth.clone(),
        };
        // Flags are range-checked by clap already; this covers `start` called with a literal.
        settings.validate().map_err(invalid_input)?;
        Ok(settings)
    }
}

/// Serves until `shutdown` is requested, then waits for the server to stop.
pub fn serve(args: &MockMoogArgs, shutdown: &Shutdown) -> io::Result<()> {
    let handle = start(args, shutdown)?;
    shutdown.wait();
    handle.join()
}

/// Binds and starts serving on a background thread; stops when `shutdown` is requested.
pub fn start(args: &MockMoogArgs, shutdown: &Shutdown) -> io::Result<ServerHandle> {
    let event_path = validate_path(&args.path)?;
    let settings = args.fault_settings()?;
    let workers = args.workers.clamp(1, MAX_WORKERS);
    let addr = format_addr(&args.bind, args.resolved_port()?);
    let limits = Limits {
        max_body_bytes: MAX_BODY_BYTES,
        ..Limits::default()
    };
    let registry = prometheus::Registry::new();
    let metrics = HttpMetrics::new(&registry, "mock_moog").map_err(io::Error::other)?;
    let server = Server::bind(&addr, limits)?.with_metrics(metrics);
    let local = server.local_addr();

    // Router templates are `&'static str`; the path is chosen at run time, so it is leaked once
    // per server (a few bytes, and a process normally starts one).
    let event_path: &'static str = Box::leak(event_path.to_owned().into_boxed_str());
    let sink = Arc::new(Sink::new(settings, args.max_records, shutdown.clone()));
    let router = routes(&sink, event_path, registry);
    let handle = server.spawn(router, workers, shutdown)?;

    if !local.ip().is_loopback() {
        log::warn!(
            "mock-moog on {local} is reachable beyond this host; anyone reaching it can read \
             recorded Authorization headers and change its behaviour"
        );
    }
    log::info!(
        "mock-moog listening on http://{local} (events: POST {event_path}; {})",
        describe(&sink.settings())
    );
    if let Some(path) = &args.ready_file {
        crate::daemon::ready::write(path, "mock-moog", &[("MOCK_MOOG_PORT", local)])?;
    }
    Ok(handle)
}

fn invalid_input(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message.into())
}

/// IPv6 literals need brackets before the port.
fn format_addr(bind: &str, port: u16) -> String {
    match bind.parse::<IpAddr>() {
        Ok(IpAddr::V6(ip)) => format!("[{ip}]:{port}"),
        _ => format!("{bind}:{port}"),
    }
}

fn validate_path(path: &str) -> io::Result<&str> {
    if !path.starts_with('/') || path.contains(['?', '#']) || path.chars().any(char::is_whitespace)
    {
        return Err(invalid_input(format!(
            "--path {path:?} must start with '/' and contain no query, fragment or spaces"
        )));
    }
    // A `:name` segment would turn into a router parameter and match more than intended.
    if path.split('/').any(|segment| segment.starts_with(':')) {
        return Err(invalid_input(format!(
            "--path {path:?} must not contain segments starting with ':'"
        )));
    }
    if RESERVED_POST_PATHS.contains(&path) {
        return Err(invalid_input(format!(
            "--path {path:?} is one of mock-moog's own endpoints"
        )));
    }
    Ok(path)
}

fn describe(settings: &FaultSettings) -> String {
    serde_json::to_string(&SettingsView::from(settings))
        .unwrap_or_else(|_| "settings unavailable".to_owned())
}

fn routes(sink: &Arc<Sink>, event_path: &'static str, registry: prometheus::Registry) -> Router {
    let health_body: HealthBodyFn = Arc::new(|_| health_response());
    let router = HealthRoutes {
        service: SERVICE.to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
        pod: SERVICE.to_owned(),
        readiness: Arc::new(Vec::new),
    }
    .add_with_health_body(Router::new(), registry, Some(health_body))
    // HealthRoutes registers GET only; HEAD on the probes is cheap to offer (hyper drops the body).
    .route("HEAD", "/health", |_| health_response())
    .route("HEAD", "/health/live", |_| {
        Response::json(200, &serde_json::json!({"status": "alive"}))
    });

    let events = Arc::clone(sink);
    let reset = Arc::clone(sink);
    let update = Arc::clone(sink);
    let router = router
        .post(event_path, move |req| events.handle_event(req))
        .post("/reset", move |_| {
            reset.reset();
            ok_response(200)
        })
        .post("/control", move |req| update.update_settings(req));
    let stats = Arc::clone(sink);
    let requests = Arc::clone(sink);
    let control = Arc::clone(sink);
    let router = get_and_head(router, "/stats", move |_| stats.stats());
    let router = get_and_head(router, "/requests", move |req| requests.requests(req));
    get_and_head(router, "/control", move |_| {
        Response::json(200, &SettingsView::from(&control.settings()))
    })
}

/// Registers one handler for GET and HEAD; hyper sends HEAD answers without their body.
fn get_and_head(
    router: Router,
    path: &'static str,
    handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
) -> Router {
    let get = Arc::new(handler);
    let head = Arc::clone(&get);
    router
        .get(path, move |req| get(req))
        .route("HEAD", path, move |req| head(req))
}

fn health_response() -> Response {
    Response::json(
        200,
        &serde_json::json!({"status": "healthy", "service": SERVICE}),
    )
}

fn ok_response(status: u16) -> Response {
    Response::json(status, &serde_json::json!({"ok": true}))
}

fn error_response(status: u16, error: &str) -> Response {
    Response::json(status, &serde_json::json!({"ok": false, "error": error}))
}

/// Behaviour of the event path; flags set it at start, `POST /control` changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct FaultSettings {
    statuses: Vec<u16>,
    repeat: bool,
    retry_after: Option<u64>,
    latency_ms: u64,
    /// 0: answer normally; otherwise hold each event request this long, then answer 504.
    hang_seconds: u64,
    require_auth: Option<String>,
}

impl FaultSettings {
    fn validate(&self) -> Result<(), String> {
        if let Some(bad) = self
            .statuses
            .iter()
            .find(|s| !(MIN_STATUS..=MAX_STATUS).contains(*s))
        {
            return Err(format!(
                "status {bad} is outside {MIN_STATUS}..={MAX_STATUS}"
            ));
        }
        if self.latency_ms > MAX_LATENCY_MS {
            return Err(format!("latency_ms must be at most {MAX_LATENCY_MS}"));
        }
        if self.hang_seconds > MAX_HANG_SECONDS {
            return Err(format!("hang_seconds must be at most {MAX_HANG_SECONDS}"));
        }
        if self.require_auth.as_deref().is_some_and(str::is_empty) {
            return Err("require_auth must not be empty (use null to turn it off)".to_owned());
        }
        Ok(())
    }
}

/// The `/control` JSON shape, field order fixed for readable output.
#[derive(Serialize)]
struct SettingsView<'a> {
    statuses: &'a [u16],
    repeat: bool,
    retry_after: Option<u64>,
    latency_ms: u64,
    hang_seconds: u64,
    require_auth: Option<&'a str>,
}

impl<'a> From<&'a FaultSettings> for SettingsView<'a> {
    fn from(s: &'a FaultSettings) -> Self {
        SettingsView {
            statuses: &s.statuses,
            repeat: s.repeat,
            retry_after: s.retry_after,
            latency_ms: s.latency_ms,
            hang_seconds: s.hang_seconds,
            require_auth: s.require_auth.as_deref(),
        }
    }
}

/// A `POST /control` body: a present field replaces that setting, `null` clears a nullable one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ControlUpdate {
    statuses: Option<Vec<u16>>,
    repeat: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    retry_after: Option<Option<u64>>,
    latency_ms: Option<u64>,
    hang_seconds: Option<u64>,
    #[serde(default, deserialize_with = "present")]
    require_auth: Option<Option<String>>,
}

/// Tells `"field": null` (clear it) from an absent field (keep it).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// What happened to one event request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Outcome {
    /// Answered 2xx: a delivery.
    Ok,
    /// Answered a scripted non-2xx status.
    Failed,
    /// Answered 401 for a missing or wrong bearer token.
    Rejected,
    /// Held unanswered until the hang bound, then 504.
    Hung,
}

/// One recorded event request, as listed by `GET /requests`.
#[derive(Debug, Serialize)]
struct Record {
    index: u64,
    received_at: String,
    path: String,
    headers: Map<String, Value>,
    /// Parsed JSON, else the text (lossy UTF-8), else `null` for an empty body.
    body: Value,
    status: u16,
    outcome: Outcome,
}

#[derive(Debug, Default, Clone, Copy)]
struct Counters {
    count: u64,
    received: u64,
    events: u64,
    failed: u64,
    rejected: u64,
    hung: u64,
}

struct State {
    settings: FaultSettings,
    /// Position in `settings.statuses`; rewound when the statuses change or on reset.
    cursor: usize,
    next_index: u64,
    records: VecDeque<Arc<Record>>,
    counters: Counters,
    last_ok: Option<Arc<Record>>,
}

impl State {
    fn next_status(&mut self) -> u16 {
        let statuses = &self.settings.statuses;
        let status = if statuses.is_empty() {
            200
        } else if self.settings.repeat {
            statuses[self.cursor % statuses.len()]
        } else {
            statuses.get(self.cursor).copied().unwrap_or(200)
        };
        self.cursor = self.cursor.saturating_add(1);
        status
    }
}

/// The shared state behind every route; one mutex, held only for bookkeeping.
struct Sink {
    state: Mutex<State>,
    max_records: usize,
    /// Lets a delayed or hung request end early so shutdown is not held up by it.
    shutdown: Shutdown,
}

/// What the event handler decided under the lock, acted upon after releasing it.
struct Decision {
    status: u16,
    outcome: Outcome,
    delay: Duration,
    retry_after: Option<u64>,
}

impl Sink {
    fn new(settings: FaultSettings, max_records: usize, shutdown: Shutdown) -> Sink {
        Sink {
            state: Mutex::new(State {
                settings,
                cursor: 0,
                next_index: 0,
                records: VecDeque::new(),
                counters: Counters::default(),
                last_ok: None,
            }),
            max_records,
            shutdown,
        }
    }

    /// A handler that panicked mid-update leaves counters at worst slightly off; a test sink
    /// should keep answering rather than fail every later request.
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn settings(&self) -> FaultSettings {
        self.lock().settings.clone()
    }

    fn handle_event(&self, req: &Request) -> Response {
        // Parsing and copying happen before the lock so concurrent requests only serialize on
        // the bookkeeping below.
        let received_at = crate::timefmt::millis(chrono::Utc::now());
        let body = parse_body(&req.body);
        let events_in_body = count_events(&body);
        let headers = header_map(req.headers());
        let bearer = bearer_token(req);

        let (decision, index) = {
            let mut state = self.lock();
            let decision = decide(&mut state, bearer);
            let index = state.next_index;
            state.next_index += 1;
            let record = Arc::new(Record {
                index,
                received_at,
                path: req.path.clone(),
                headers,
                body,
                status: decision.status,
                outcome: decision.outcome,
            });
            let counters = &mut state.counters;
            counters.received += 1;
            match decision.outcome {
                Outcome::Ok => {
                    counters.count += 1;
                    counters.events += events_in_body;
                    state.last_ok = Some(Arc::clone(&record));
                }
                Outcome::Failed => counters.failed += 1,
                Outcome::Rejected => counters.rejected += 1,
                Outcome::Hung => counters.hung += 1,
            }
            if self.max_records > 0 {
                if state.records.len() >= self.max_records {
                    state.records.pop_front();
                }
                state.records.push_back(record);
            }
            (decision, index)
        };

        log::debug!(
            "mock-moog: request #{index} to {} -> {} ({:?}, {events_in_body} event(s), delay {:?})",
            req.path,
            decision.status,
            decision.outcome,
            decision.delay
        );
        if !decision.delay.is_zero() {
            self.shutdown.wait_timeout(decision.delay);
        }
        respond(&decision)
    }

    fn stats(&self) -> Response {
        #[derive(Serialize)]
        struct Stats<'a> {
            count: u64,
            last: Option<&'a Value>,
            received: u64,
            events: u64,
            failed: u64,
            rejected: u64,
            hung: u64,
        }
        let (counters, last) = {
            let state = self.lock();
            (state.counters, state.last_ok.clone())
        };
        Response::json(
            200,
            &Stats {
                count: counters.count,
                last: last.as_ref().map(|r| &r.body),
                received: counters.received,
                events: counters.events,
                failed: counters.failed,
                rejected: counters.rejected,
                hung: counters.hung,
            },
        )
    }

    /// `?since=I`: records with index ≥ I, oldest first, at most `limit` (page on with the last
    /// index + 1). Without `since`, `?limit=N` gives the newest N, still oldest first.
    fn requests(&self, req: &Request) -> Response {
        let limit = match query_number(req, "limit") {
            Ok(limit) => limit.map_or(usize::MAX, |n| usize::try_from(n).unwrap_or(usize::MAX)),
            Err(resp) => return resp,
        };
        let since = match query_number(req, "since") {
            Ok(since) => since,
            Err(resp) => return resp,
        };
        // Only Arc clones happen under the lock; serializing a large page must not stall the
        // event path.
        let selected: Vec<Arc<Record>> = {
            let state = self.lock();
            let records = &state.records;
            match since {
                Some(since) => {
                    let first = records.front().map_or(0, |r| r.index);
                    let skip = usize::try_from(since.saturating_sub(first)).unwrap_or(usize::MAX);
                    records.iter().skip(skip).take(limit).cloned().collect()
                }
                None => {
                    let skip = records.len().saturating_sub(limit);
                    records.iter().skip(skip).cloned().collect()
                }
            }
        };
        let page: Vec<&Record> = selected.iter().map(AsRef::as_ref).collect();
        Response::json(200, &page)
    }

    /// Clears records, counters and the position in the status script; settings stay.
    fn reset(&self) {
        let mut state = self.lock();
        state.records.clear();
        state.counters = Counters::default();
        state.last_ok = None;
        state.next_index = 0;
        state.cursor = 0;
        log::info!("mock-moog: records and counters reset");
    }

    fn update_settings(&self, req: &Request) -> Response {
        let update: ControlUpdate = if req.body.iter().all(u8::is_ascii_whitespace) {
            ControlUpdate::default()
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(update) => update,
                // serde's message names the unknown or mistyped field, which is what the
                // operator of a local test sink needs to see.
                Err(err) => return error_response(400, &format!("invalid control body: {err}")),
            }
        };
        let mut state = self.lock();
        let mut next = state.settings.clone();
        let statuses_changed = update.statuses.is_some();
        if let Some(statuses) = update.statuses {
            next.statuses = statuses;
        }
        if let Some(repeat) = update.repeat {
            next.repeat = repeat;
        }
        if let Some(retry_after) = update.retry_after {
            next.retry_after = retry_after;
        }
        if let Some(latency_ms) = update.latency_ms {
            next.latency_ms = latency_ms;
        }
        if let Some(hang_seconds) = update.hang_seconds {
            next.hang_seconds = hang_seconds;
        }
        if let Some(require_auth) = update.require_auth {
            next.require_auth = require_auth;
        }
        if let Err(message) = next.validate() {
            return error_response(400, &message);
        }
        state.settings = next;
        if statuses_changed {
            state.cursor = 0;
        }
        let response = Response::json(200, &SettingsView::from(&state.settings));
        log::info!("mock-moog: settings changed: {}", describe(&state.settings));
        response
    }
}

fn decide(state: &mut State, bearer: Option<&str>) -> Decision {
    let settings = &state.settings;
    let delay = Duration::from_millis(settings.latency_ms);
    let retry_after = settings.retry_after;
    if let Some(expected) = settings.require_auth.as_deref() {
        let authorized =
            bearer.is_some_and(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())));
        if !authorized {
            return Decision {
                status: UNAUTHORIZED_STATUS,
                outcome: Outcome::Rejected,
                delay,
                retry_after: None,
            };
        }
    }
    if settings.hang_seconds > 0 {
        // A hung request does not consume the status script: it was never really answered.
        return Decision {
            status: HUNG_STATUS,
            outcome: Outcome::Hung,
            delay: delay.saturating_add(Duration::from_secs(settings.hang_seconds)),
            retry_after: None,
        };
    }
    let status = state.next_status();
    Decision {
        status,
        outcome: if (200..300).contains(&status) {
            Outcome::Ok
        } else {
            Outcome::Failed
        },
        delay,
        retry_after: retry_after.filter(|_| RETRY_AFTER_STATUSES.contains(&status)),
    }
}

fn respond(decision: &Decision) -> Response {
    let response = match decision.outcome {
        Outcome::Ok => ok_response(decision.status),
        Outcome::Failed => error_response(
            decision.status,
            &format!("mock-moog scripted status {}", decision.status),
        ),
        Outcome::Rejected => error_response(
            decision.status,
            "missing or wrong Authorization: Bearer token",
        ),
        Outcome::Hung => error_response(
            decision.status,
            "mock-moog held the request unanswered (hang)",
        ),
    };
    match decision.retry_after {
        Some(seconds) => response.with_header("Retry-After", &seconds.to_string()),
        None => response,
    }
}

fn parse_body(body: &[u8]) -> Value {
    if body.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

fn count_events(body: &Value) -> u64 {
    match body.get("events") {
        Some(Value::Array(events)) => u64::try_from(events.len()).unwrap_or(u64::MAX),
        _ => 1,
    }
}

/// Header names as hyper delivers them (lower case); repeated headers are joined with ", ".
fn header_map(headers: &[(String, String)]) -> Map<String, Value> {
    let mut map = Map::with_capacity(headers.len());
    for (name, value) in headers {
        match map.get_mut(name) {
            Some(Value::String(existing)) => {
                existing.push_str(", ");
                existing.push_str(value);
            }
            _ => {
                map.insert(name.clone(), Value::String(value.clone()));
            }
        }
    }
    map
}

fn bearer_token(req: &Request) -> Option<&str> {
    let value = req.header("authorization")?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn query_number(req: &Request, name: &str) -> Result<Option<u64>, Response> {
    match req.query(name) {
        None => Ok(None),
        Some(text) => text.trim().parse().map(Some).map_err(|_| {
            error_response(
                400,
                &format!("query parameter {name} must be a non-negative integer"),
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(statuses: &[u16], repeat: bool) -> State {
        State {
            settings: FaultSettings {
                statuses: statuses.to_vec(),
                repeat,
                retry_after: None,
                latency_ms: 0,
                hang_seconds: 0,
                require_auth: None,
            },
            cursor: 0,
            next_index: 0,
            records: VecDeque::new(),
            counters: Counters::default(),
            last_ok: None,
        }
    }

    #[test]
    fn status_script_then_200_or_cycle() {
        let mut once = settings(&[500, 429], false);
        let seq: Vec<u16> = (0..4).map(|_| once.next_status()).collect();
        assert_eq!(seq, [500, 429, 200, 200]);
        let mut cycle = settings(&[500, 200], true);
        let seq: Vec<u16> = (0..5).map(|_| cycle.next_status()).collect();
        assert_eq!(seq, [500, 200, 500, 200, 500]);
    }

    #[test]
    fn path_validation() {
        assert!(validate_path("/events").is_ok());
        assert!(validate_path("/api/v1/events").is_ok());
        for bad in ["events", "/a/:id", "/control", "/reset", "/e?x=1", "/a b"] {
            assert!(validate_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn events_counted_from_batches() {
        assert_eq!(count_events(&serde_json::json!({"events": [1, 2, 3]})), 3);
        assert_eq!(count_events(&serde_json::json!({"events": []})), 0);
        assert_eq!(count_events(&serde_json::json!({"alert": 1})), 1);
        assert_eq!(count_events(&Value::String("text".into())), 1);
    }

    #[test]
    fn bearer_parsing() {
        let req = Request::new("POST", "/events").with_header("Authorization", "bearer  abc ");
        assert_eq!(bearer_token(&req), Some("abc"));
        let basic = Request::new("POST", "/events").with_header("Authorization", "Basic abc");
        assert_eq!(bearer_token(&basic), None);
    }
}
