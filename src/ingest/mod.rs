//! `mutt ingest serve`: the ingest API.
//!
//! A request is authenticated, optionally rate limited, parsed and validated as a whole (all or
//! nothing), stamped (`_correlation_id`, `_event_id`, `_received_at`, `_traceparent`), and handed to the group
//! commit writer; it is answered 200 only after Redis acknowledged its events. Backpressure and
//! the dashboard counters are applied in the same atomic Lua step as the push.

pub mod parse;
pub mod writer;

use crate::apikeys::{self as auth, ApiKeys};
use crate::http::{
    HealthBodyFn, HealthRoutes, HttpMetrics, Limits, Request, Response, Router, Server,
};
use crate::settings::{dynamic_keys as dk, registry, Settings};
use crate::shutdown::Shutdown;
use crate::store::redis::dynamic::DynamicConfig;
use crate::store::redis::keys::Keys;
use crate::store::redis::scripts::{self, EnqueueOutcome, RateDecision};
use crate::store::redis::{RedisConfig, RedisConnector, RedisManager};
use prometheus::{Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry};
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Service name in `/health` and logs (v2.5's).
pub const SERVICE: &str = "mutt-ingestor";
/// Dynamic keys the ingestor reads.
pub const DYNAMIC_KEYS: [&str; 3] = [
    dk::MAX_INGEST_QUEUE_SIZE,
    dk::INGEST_MAX_RATE,
    dk::INGEST_RATE_WINDOW,
];
/// The paths events are posted to. omhttp prefixes `restpath` with a slash, so a `restpath` written
/// with a leading slash arrives doubled (`//ingest`, `//api/v2/ingest`): accepted rather than
/// answered 404 while syslog piles up in rsyslog's queue.
pub const INGEST_PATHS: [&str; 6] = [
    "/ingest",
    "//ingest",
    "/api/v1/ingest",
    "/api/v2/ingest",
    "//api/v1/ingest",
    "//api/v2/ingest",
];
const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// Errors that stop the ingest service from starting.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Missing or invalid configuration.
    #[error(transparent)]
    Config(#[from] crate::settings::ConfigError),
    /// Redis could not be set up.
    #[error(transparent)]
    Redis(#[from] crate::store::redis::RedisError),
    /// The listener or a thread could not be started.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The ingest metrics (v2.5 names).
#[derive(Clone)]
pub struct IngestMetrics {
    requests: IntCounterVec,
    events: IntCounter,
    queue_depth: IntGauge,
    latency: Histogram,
    rate_limit_hits: IntCounter,
    rate_limit_errors: IntCounter,
}

impl IngestMetrics {
    fn new(registry: &Registry) -> prometheus::Result<IngestMetrics> {
        let m = IngestMetrics {
            requests: IntCounterVec::new(
                Opts::new("mutt_ingest_requests_total", "Ingest requests by outcome"),
                &["status", "reason"],
            )?,
            events: IntCounter::new("mutt_ingest_events_total", "Events queued")?,
            queue_depth: IntGauge::new(
                "mutt_ingest_queue_depth",
                "Depth of the ingest queue (sampled)",
            )?,
            latency: Histogram::with_opts(
                HistogramOpts::new("mutt_ingest_latency_seconds", "Ingest handler latency")
                    .buckets(LATENCY_BUCKETS.to_vec()),
            )?,
            rate_limit_hits: IntCounter::new(
                "mutt_ingest_rate_limit_hits_total",
                "Requests refused by the rate limit",
            )?,
            rate_limit_errors: IntCounter::new(
                "mutt_ingest_rate_limit_errors_total",
                "Rate-limit checks that failed (request let through)",
            )?,
        };
        registry.register(Box::new(m.requests.clone()))?;
        registry.register(Box::new(m.events.clone()))?;
        registry.register(Box::new(m.queue_depth.clone()))?;
        registry.register(Box::new(m.latency.clone()))?;
        registry.register(Box::new(m.rate_limit_hits.clone()))?;
        registry.register(Box::new(m.rate_limit_errors.clone()))?;
        Ok(m)
    }

    fn outcome(&self, reason: &str) {
        let status = if reason.is_empty() { "success" } else { "fail" };
        self.requests.with_label_values(&[status, reason]).inc();
    }
}

struct Ingest {
    keys: Keys,
    api_keys: ApiKeys,
    required: Vec<String>,
    writer: writer::Writer,
    redis: r2d2::Pool<RedisManager>,
    dynamic: Arc<DynamicConfig>,
    dynamic_enabled: bool,
    rate_limit_enabled: bool,
    retry_after: u64,
    metrics: IngestMetrics,
    settings: Settings,
}

/// Run the service until SIGTERM/SIGINT; returns after in-flight requests are answered.
pub fn serve(settings: &Settings, shutdown: &Shutdown) -> Result<(), IngestError> {
    let (handle, threads) = start(settings, shutdown)?;
    handle.join()?;
    threads.join();
    log::info!("ingest stopped");
    Ok(())
}

/// Background threads to wait for after the server stops.
pub struct IngestThreads {
    writer: writer::WriterThread,
}

impl IngestThreads {
    /// Wait for the writer to answer every job and stop.
    pub fn join(self) {
        self.writer.join();
    }
}

/// Start the service; the returned server handle ends when `shutdown` is requested.
pub fn start(
    settings: &Settings,
    shutdown: &Shutdown,
) -> Result<(crate::http::ServerHandle, IngestThreads), IngestError> {
    let api_keys = ApiKeys::new(
        settings.secret(&registry::INGEST_API_KEY),
        settings.duration(&registry::SECRETS_REFRESH),
    );
    if !api_keys.any() {
        return Err(crate::settings::ConfigError {
            variable: "INGEST_API_KEY".into(),
            problem: "required by `mutt ingest serve` (set INGEST_API_KEY or INGEST_API_KEY_FILE)"
                .into(),
        }
        .into());
    }
    // Checked before touching Redis so a bad certificate fails fast with its variable named.
    let tls = crate::http::listener_tls(
        settings,
        &registry::INGEST_TLS_CERT_PATH,
        &registry::INGEST_TLS_KEY_PATH,
    )?;
    let required = auth::split_keys(settings.text(&registry::REQUIRED_FIELDS));
    let keys = Keys::from_settings(settings);
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    let redis = connector.pool()?;
    let dynamic_enabled = settings.bool(&registry::DYNAMIC_CONFIG_ENABLED);
    let dynamic = if dynamic_enabled {
        DynamicConfig::start(
            Arc::clone(&connector),
            keys.clone(),
            &DYNAMIC_KEYS,
            settings.duration(&registry::DYNAMIC_CONFIG_REFRESH),
            shutdown.clone(),
        )
    } else {
        DynamicConfig::disabled()
    };

    let registry = Registry::new();
    let metrics =
        IngestMetrics::new(&registry).map_err(|e| std::io::Error::other(e.to_string()))?;
    let gauge = metrics.queue_depth.clone();
    let (writer, writer_thread) = writer::start(
        Arc::clone(&connector),
        writer::WriterConfig {
            keys: keys.clone(),
            tunables: crate::store::redis::dynamic::Tunables::new(
                settings.clone(),
                Arc::clone(&dynamic),
            ),
            max_events: settings.int(&registry::INGEST_GROUP_COMMIT_MAX) as usize,
            on_depth: Box::new(move |d| gauge.set(d as i64)),
            replica_ack: connector.config().replica_ack,
        },
    )?;
    spawn_depth_sampler(
        redis.clone(),
        keys.clone(),
        metrics.queue_depth.clone(),
        settings.duration(&registry::INGEST_DEPTH_SAMPLE),
        shutdown.clone(),
    )?;

    let state = Arc::new(Ingest {
        keys,
        api_keys,
        required,
        writer,
        redis: redis.clone(),
        dynamic,
        dynamic_enabled,
        rate_limit_enabled: settings.bool(&registry::RATE_LIMIT_ENABLED),
        retry_after: settings.int(&registry::INGEST_RETRY_AFTER) as u64,
        metrics,
        settings: settings.clone(),
    });

    let router = routes(
        Arc::clone(&state),
        settings,
        registry.clone(),
        Arc::clone(&connector),
    );
    let addr = format!(
        "{}:{}",
        settings.text(&registry::MUTT_BIND_ADDRESS),
        settings.port(&registry::SERVER_PORT_INGESTOR)
    );
    let limits = Limits {
        max_body_bytes: settings.int(&registry::MAX_BODY_BYTES) as usize,
        ..Limits::default()
    };
    let http_metrics = HttpMetrics::new(&registry, "mutt_ingest")
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut server = Server::bind(&addr, limits)?.with_metrics(http_metrics);
    let scheme = if tls.is_some() { "https" } else { "http" };
    if let Some(tls) = tls {
        server = server.with_tls(tls);
    }
    log::info!("ingest listening on {scheme}://{}", server.local_addr());
    let local = server.local_addr();
    let workers = settings.int(&registry::INGEST_HTTP_WORKERS) as usize;
    let handle = server.spawn(router, workers, shutdown)?;
    crate::daemon::ready::announce(
        settings,
        SERVICE,
        &[(registry::SERVER_PORT_INGESTOR.name, local)],
    )?;
    // The writer ends once the server (and with it every handler's Writer clone) is gone.
    drop(state);
    Ok((
        handle,
        IngestThreads {
            writer: writer_thread,
        },
    ))
}

fn routes(
    state: Arc<Ingest>,
    settings: &Settings,
    registry: Registry,
    redis: Arc<RedisConnector>,
) -> Router {
    let mut router = Router::new();
    for path in INGEST_PATHS {
        let s = Arc::clone(&state);
        router = router.post(path, move |req| s.ingest(req));
    }
    let s = Arc::clone(&state);
    router = router.get("/admin/config", move |req| s.admin_config(req));
    router = router.get("/", |_| service_info());
    let version = env!("CARGO_PKG_VERSION").to_string();
    let health_version = version.clone();
    let body: HealthBodyFn = Arc::new(move |checks| legacy_health(checks, &health_version));
    HealthRoutes {
        service: SERVICE.into(),
        version,
        pod: settings.pod_name("ingestor"),
        readiness: Arc::new(move || vec![("redis".to_string(), ping(&redis))]),
    }
    .add_with_health_body(router, registry, Some(body))
}

/// A fresh connection per probe: a pool would keep retrying for its whole checkout timeout
/// while Redis is down, and a probe must answer fast.
/// With `REDIS_MIN_REPLICAS_ACK` > 0 it also asks whether the master has the replicas it needs.
fn ping(redis: &RedisConnector) -> Result<(), String> {
    let mut conn = redis.connect().map_err(|e| e.to_string())?;
    ::redis::cmd("PING")
        .query::<String>(&mut conn)
        .map_err(|e| e.to_string())?;
    match crate::store::redis::replicas::shortfall_now(&mut conn, &redis.config().replica_ack) {
        Ok(None) => Ok(()),
        Ok(Some(reason)) => Err(reason),
        Err(e) => Err(e.to_string()),
    }
}

/// v2.5's `/health` body: `redis: connected|disconnected`.
fn legacy_health(checks: &[(String, Result<(), String>)], version: &str) -> Response {
    match checks.iter().find_map(|(_, r)| r.as_ref().err()) {
        None => Response::json(
            200,
            &json!({"status": "healthy", "service": SERVICE, "version": version, "redis": "connected"}),
        ),
        Some(err) => Response::json(
            503,
            &json!({"status": "unhealthy", "service": SERVICE, "version": version,
                    "redis": "disconnected", "error": err}),
        ),
    }
}

fn service_info() -> Response {
    Response::json(
        200,
        &json!({
            "service": "MUTT Ingestor Service",
            "description": "Event ingestion service for syslog and SNMP traps",
            "version": env!("CARGO_PKG_VERSION"),
            "endpoints": {
                "ingest": "POST /api/v2/ingest, /api/v1/ingest, /ingest (requires X-API-KEY header)",
                "health": "GET /health, /health/live, /health/ready",
                "metrics": "GET /metrics",
                "info": "GET /",
                "admin": "GET /admin/config (requires X-API-KEY header)",
            }
        }),
    )
}

/// An ingest error body: the CONTRACT envelope (`error`, `correlation_id`) plus v2.5's
/// `status`/`message`, and any extra fields.
fn error_body(status: u16, message: &str, cid: &str, extra: serde_json::Value) -> Response {
    let mut body =
        json!({"status": "error", "error": message, "message": message, "correlation_id": cid});
    if let (Some(obj), serde_json::Value::Object(more)) = (body.as_object_mut(), extra) {
        obj.extend(more);
    }
    Response::json(status, &body)
}

fn version_headers(req: &Request, mut resp: Response) -> Response {
    let negotiated = crate::http::version::negotiate(
        req.header("Accept-Version"),
        req.header("X-API-Version"),
        req.query("api_version").as_deref(),
    );
    // `/ingest` and `//ingest` (rsyslog) are unversioned; they answer like the current version.
    let path = if let Some(versioned) = req
        .path
        .strip_prefix('/')
        .filter(|p| p.starts_with("/api/"))
    {
        versioned
    } else if req.path.starts_with("/api/") {
        req.path.as_str()
    } else {
        "/api/v2/ingest"
    };
    for (name, value) in crate::http::version::headers(path, negotiated) {
        resp.set_header(name, &value);
    }
    resp
}

impl Ingest {
    fn ingest(&self, req: &Request) -> Response {
        let Some(client) = self.api_keys.check(req.header("X-API-KEY")) else {
            log::warn!("ingest: unauthorized request from {:?}", req.remote_addr);
            self.metrics.outcome("auth");
            return version_headers(
                req,
                error_body(401, "Unauthorized", &req.correlation_id, json!({})),
            );
        };
        let started = Instant::now();
        let resp = self.ingest_authorised(req, &client);
        self.metrics
            .latency
            .observe(started.elapsed().as_secs_f64());
        version_headers(req, resp)
    }

    fn ingest_authorised(&self, req: &Request, client: &auth::KeyDigest) -> Response {
        let cid = req.correlation_id.as_str();
        if parse::body_kind(req.header("Content-Type")).is_none() {
            self.metrics.outcome("json");
            return error_body(
                415,
                "Unsupported Media Type: send application/json, application/x-ndjson or text/plain",
                cid,
                json!({}),
            );
        }
        if let Some(resp) = self.check_rate(client, cid) {
            return resp;
        }
        let received_at = crate::timefmt::millis(chrono::Utc::now());
        let traceparent = req.trace.header();
        let stamp = crate::wire::event::Stamp {
            correlation_id: cid,
            received_at: &received_at,
            traceparent: &traceparent,
        };
        let serialised = match parse::prepare(&req.body, &self.required, &stamp) {
            Ok(events) => events,
            Err(problems) => {
                let body_level = problems.iter().all(|p| p.index.is_none());
                self.metrics
                    .outcome(if body_level { "json" } else { "validation" });
                let message = if body_level {
                    format!("Invalid JSON: {}", problems[0].problem)
                } else {
                    format!("Invalid events: {} problem(s)", problems.len())
                };
                let listed: Vec<&parse::Problem> =
                    problems.iter().take(parse::MAX_LISTED_PROBLEMS).collect();
                return error_body(
                    400,
                    &message,
                    cid,
                    json!({"errors": listed, "error_count": problems.len()}),
                );
            }
        };
        let n = serialised.len();
        match self.writer.submit(serialised) {
            Ok((EnqueueOutcome::Queued { depth }, _)) => {
                log::debug!("ingest: queued {n} event(s), queue depth {depth}");
                self.metrics.outcome("");
                self.metrics.events.inc_by(n as u64);
                Response::json(
                    200,
                    &json!({"status": "queued", "correlation_id": cid, "queue_depth": depth, "accepted": n}),
                )
            }
            Ok((EnqueueOutcome::Full { depth }, limit)) => {
                self.metrics.outcome("queue_full");
                error_body(
                    503,
                    "Service Unavailable - queue full",
                    cid,
                    json!({"queue_depth": depth, "queue_limit": limit}),
                )
                .with_header("Retry-After", &self.retry_after.to_string())
            }
            Err(writer::WriteError::NotReplicated(reason)) => {
                // Logged by the writer, once per batch.
                self.metrics.outcome("replicas");
                error_body(
                    503,
                    "Service Unavailable - not replicated",
                    cid,
                    json!({"reason": reason}),
                )
                .with_header("Retry-After", &self.retry_after.to_string())
            }
            Err(e) => {
                log::warn!("ingest: queueing failed: {e}");
                self.metrics.outcome("redis");
                error_body(503, "Service Unavailable - Redis error", cid, json!({}))
                    .with_header("Retry-After", &self.retry_after.to_string())
            }
        }
    }

    /// `Some(429)` when the client is over its limit. Fails open (counted) when Redis cannot
    /// answer: the enqueue that follows will then report the outage itself.
    fn check_rate(&self, client: &auth::KeyDigest, cid: &str) -> Option<Response> {
        if !self.rate_limit_enabled {
            return None;
        }
        let limit = self.dynamic.int_or(
            dk::INGEST_MAX_RATE,
            &self.settings,
            &registry::INGEST_MAX_RATE,
        ) as u64;
        let window = self.dynamic.int_or(
            dk::INGEST_RATE_WINDOW,
            &self.settings,
            &registry::INGEST_RATE_WINDOW,
        ) as u64;
        let client_id: String = client[..8].iter().map(|b| format!("{b:02x}")).collect();
        let key = self.keys.rate_limit(&format!("ingestor:{client_id}"));
        let decision = self
            .redis
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                scripts::rate_limit(&mut c, &key, limit, window).map_err(|e| e.to_string())
            });
        match decision {
            Ok(RateDecision::Allowed) => None,
            Ok(RateDecision::Limited { retry_after }) => {
                self.metrics.rate_limit_hits.inc();
                self.metrics.outcome("rate_limit");
                Some(
                    error_body(
                        429,
                        "Too Many Requests - rate limit exceeded",
                        cid,
                        json!({"retry_after": retry_after}),
                    )
                    .with_header("Retry-After", &retry_after.to_string()),
                )
            }
            Err(e) => {
                self.metrics.rate_limit_errors.inc();
                log::warn!("ingest: rate-limit check failed ({e}); letting the request through");
                None
            }
        }
    }

    fn admin_config(&self, req: &Request) -> Response {
        if self.api_keys.check(req.header("X-API-KEY")).is_none() {
            self.metrics.outcome("auth");
            return error_body(401, "Unauthorized", &req.correlation_id, json!({}));
        }
        let statics: serde_json::Map<String, serde_json::Value> = self
            .settings
            .show()
            .into_iter()
            .map(|s| (s.name.to_string(), serde_json::Value::String(s.value)))
            .collect();
        let dynamic = self.read_dynamic().unwrap_or_default();
        Response::json(
            200,
            &json!({"static": statics, "dynamic": dynamic, "dynamic_config_enabled": self.dynamic_enabled}),
        )
    }

    fn read_dynamic(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let mut conn = self.redis.get().ok()?;
        let prefix = self.keys.config("");
        // SCAN, not KEYS: never block a shared Redis for an admin page.
        let names = crate::store::redis::scan_keys(&mut conn, &format!("{prefix}*")).ok()?;
        let mut out = serde_json::Map::new();
        for name in names {
            let short = name.trim_start_matches(&prefix).to_string();
            if short == "updates" {
                continue;
            }
            if let Ok(Some(v)) = ::redis::cmd("GET")
                .arg(&name)
                .query::<Option<String>>(&mut *conn)
            {
                out.insert(short, serde_json::Value::String(v));
            }
        }
        Some(out)
    }
}

fn spawn_depth_sampler(
    redis: r2d2::Pool<RedisManager>,
    keys: Keys,
    gauge: IntGauge,
    every: Duration,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("ingest-depth".into())
        .spawn(move || {
            while !shutdown.wait_timeout(every) {
                let depth = redis.get().ok().and_then(|mut c| {
                    ::redis::cmd("LLEN")
                        .arg(keys.ingest_queue())
                        .query::<i64>(&mut *c)
                        .ok()
                });
                if let Some(d) = depth {
                    gauge.set(d);
                }
            }
        })?;
    Ok(())
}
