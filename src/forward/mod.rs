//! `mutt forward run`: the Moog forwarder.
//!
//! The loop: ask the shared circuit breaker whether to send (while it is open nothing is taken,
//! so no retries are burned); take a batch from `mutt:alert_queue` into this pod's processing
//! list (the reliable queue the alerter uses too); send it in chunks as the shared rate limit
//! grants permits (a limited alert waits, it is never dropped), with up to `MOOG_CONCURRENCY`
//! requests in flight on pooled keep-alive connections; then one Redis transaction schedules the
//! retries, pushes the DLQ entries, puts back what was not sent, and acknowledges the batch.

pub mod payload;

use crate::backoff::Backoff;
use crate::http::{HealthBodyFn, HealthRoutes, Response, ServerHandle};
use crate::queue::{Delivery, ReliableQueue};
use crate::settings::dynamic::DynamicConfig;
use crate::settings::{dynamic_keys as dk, registry, Settings};
use crate::shutdown::Shutdown;
use crate::store::redis::keys::{Consumer, Dlq, Keys};
use crate::store::redis::scripts::{self, BreakerDecision};
use crate::store::redis::{ReconnectingConnection, RedisConfig, RedisConnector};
use crate::trace::{Span, SpanId, SpanKind, TraceContext};
use payload::Outcome;
use prometheus::{
    Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// Service name in `/health` (v2.5's).
pub const SERVICE: &str = "mutt-moog-forwarder";
/// The breaker's name (v2.5's keys `mutt:circuit_breaker:moogsoft:*`).
pub const BREAKER: &str = crate::store::redis::keys::MOOG_BREAKER;
/// Dynamic keys the forwarder reads.
pub const DYNAMIC_KEYS: [&str; 4] = [
    dk::MOOG_RATE_LIMIT,
    dk::MOOG_RATE_PERIOD,
    dk::CIRCUIT_BREAKER_THRESHOLD,
    dk::CIRCUIT_BREAKER_TIMEOUT,
];
const LATENCY_BUCKETS: [f64; 9] = [0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];
// How often due retries are moved back to the queue, and how many at a time.
const RETRY_SWEEP_EVERY: Duration = Duration::from_millis(200);
const RETRY_SWEEP_MAX: u64 = 1000;
// While the breaker is open, ask it again this often.
const BREAKER_POLL: Duration = Duration::from_millis(250);

/// Errors that stop the forwarder from starting.
#[derive(Debug, thiserror::Error)]
pub enum ForwardError {
    /// Redis unusable at startup.
    #[error(transparent)]
    Redis(#[from] crate::store::redis::RedisError),
    /// The pod name is taken.
    #[error(transparent)]
    Claim(#[from] crate::queue::ClaimError),
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] crate::settings::ConfigError),
    /// Listener or thread failure.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

#[derive(Clone)]
struct Metrics {
    requests: IntCounterVec,
    latency: Histogram,
    dlq_depth: IntGauge,
    processing_depth: IntGauge,
    rate_limit_hits: IntCounter,
    processed: IntCounterVec,
    breaker_state: IntGaugeVec,
    breaker_failures: IntGaugeVec,
    breaker_changes: IntCounterVec,
    retries_scheduled: IntCounter,
}

use crate::http::registered as reg;

impl Metrics {
    fn new(r: &Registry) -> prometheus::Result<Metrics> {
        Ok(Metrics {
            requests: reg(
                r,
                IntCounterVec::new(
                    Opts::new("mutt_moog_requests_total", "Moog requests by outcome"),
                    &["status", "reason"],
                )?,
            )?,
            latency: reg(
                r,
                Histogram::with_opts(
                    HistogramOpts::new("mutt_moog_request_latency_seconds", "Moog request latency")
                        .buckets(LATENCY_BUCKETS.to_vec()),
                )?,
            )?,
            dlq_depth: reg(
                r,
                IntGauge::new("mutt_moog_dlq_depth", "Forwarder DLQ depth")?,
            )?,
            processing_depth: reg(
                r,
                IntGauge::new(
                    "mutt_moog_processing_list_depth",
                    "This pod's processing list",
                )?,
            )?,
            rate_limit_hits: reg(
                r,
                IntCounter::new(
                    "mutt_moog_rate_limit_hits_total",
                    "Waits for the shared rate limit",
                )?,
            )?,
            processed: reg(
                r,
                IntCounterVec::new(
                    Opts::new("mutt_moog_alerts_processed_total", "Alerts by outcome"),
                    &["status"],
                )?,
            )?,
            breaker_state: reg(
                r,
                IntGaugeVec::new(
                    Opts::new(
                        "mutt_circuit_breaker_state",
                        "0 closed, 1 half open, 2 open",
                    ),
                    &["name"],
                )?,
            )?,
            breaker_failures: reg(
                r,
                IntGaugeVec::new(
                    Opts::new("mutt_circuit_breaker_failures", "Consecutive failures"),
                    &["name"],
                )?,
            )?,
            breaker_changes: reg(
                r,
                IntCounterVec::new(
                    Opts::new(
                        "mutt_circuit_breaker_state_changes_total",
                        "Breaker transitions seen",
                    ),
                    &["name", "from_state", "to_state"],
                )?,
            )?,
            retries_scheduled: reg(
                r,
                IntCounter::new(
                    "mutt_moog_retries_scheduled_total",
                    "Alerts put in the retry set",
                )?,
            )?,
        })
    }
}

fn state_number(state: &str) -> i64 {
    match state {
        "OPEN" => 2,
        "HALF_OPEN" => 1,
        _ => 0,
    }
}

struct Tunables {
    settings: Settings,
    dynamic: Arc<DynamicConfig>,
}

impl Tunables {
    fn int(&self, key: &str, def: &registry::Def) -> u64 {
        self.dynamic.int_or(key, &self.settings, def).max(0) as u64
    }
}

/// One request's worth of alerts and its answer.
struct Job {
    indexes: Vec<usize>,
    body: String,
    /// The POST's span: a child of the (first) alert's `_traceparent`, sent as `traceparent`.
    trace: TraceContext,
    trace_parent: Option<SpanId>,
    reply: mpsc::Sender<(Vec<usize>, Outcome, Duration)>,
}

/// Senders: threads posting to Moog through one pooled keep-alive agent.
struct Senders {
    tx: Option<mpsc::Sender<Job>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Senders {
    fn start(
        url: String,
        api_key: crate::settings::secrets::SecretSource,
        timeout: Duration,
        n: usize,
    ) -> std::io::Result<Senders> {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(timeout)
            .timeout_read(timeout)
            .timeout_write(timeout)
            .max_idle_connections(n.max(1))
            .max_idle_connections_per_host(n.max(1))
            .build();
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(n);
        for i in 0..n.max(1) {
            let (agent, rx, url, key) =
                (agent.clone(), Arc::clone(&rx), url.clone(), api_key.clone());
            threads.push(
                std::thread::Builder::new()
                    .name(format!("moog-sender-{i}"))
                    .spawn(move || loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        let started = Instant::now();
                        let _tid = crate::logging::with_trace_id(&job.trace.trace_id_hex());
                        let mut span =
                            Span::start("moog.post", SpanKind::Client, job.trace, job.trace_parent);
                        span.attr("mutt.events", job.indexes.len() as u64);
                        let outcome = post(&agent, &url, &key, &job.body, &job.trace.header());
                        if outcome.is_failure() {
                            span.set_error();
                        }
                        span.end();
                        let _ = job.reply.send((job.indexes, outcome, started.elapsed()));
                    })?,
            );
        }
        Ok(Senders {
            tx: Some(tx),
            threads,
        })
    }

    fn join(mut self) {
        self.tx.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn post(
    agent: &ureq::Agent,
    url: &str,
    key_source: &crate::settings::secrets::SecretSource,
    body: &str,
    traceparent: &str,
) -> Outcome {
    let key = key_source.get();
    let key = key.as_deref();
    let mut req = agent
        .post(url)
        .set("Content-Type", "application/json")
        .set(crate::trace::TRACEPARENT_HEADER, traceparent);
    if let Some(k) = key {
        req = req.set("Authorization", &format!("Bearer {k}"));
    }
    match req.send_string(body) {
        Ok(resp) => {
            let status = resp.status();
            let _ = resp.into_string();
            payload::classify(status, None, "")
        }
        Err(ureq::Error::Status(status, resp)) => {
            if matches!(status, 401 | 403) {
                // MOOG_API_KEY may have been rotated in Vault: have it re-read soon.
                key_source.request_refresh();
            }
            let retry_after = payload::parse_retry_after(resp.header("Retry-After"));
            let text = resp.into_string().unwrap_or_default();
            payload::classify(status, retry_after, &text)
        }
        Err(ureq::Error::Transport(t)) => Outcome::Retry {
            status: None,
            retry_after: None,
            error: format!(
                "{:?}: {}",
                t.kind(),
                t.message().unwrap_or("transport error")
            ),
        },
    }
}

/// Run the forwarder until SIGTERM/SIGINT: requests in flight finish, what was not sent is put
/// back, exit.
pub fn run(settings: &Settings, shutdown: &Shutdown) -> Result<(), ForwardError> {
    let url = settings.text(&registry::MOOG_WEBHOOK_URL).to_string();
    if url::Url::parse(&url).is_err() {
        return Err(crate::settings::ConfigError {
            variable: "MOOG_WEBHOOK_URL".into(),
            problem: format!("{url:?} is not a URL"),
        }
        .into());
    }
    let keys = Keys::from_settings(settings);
    let pod = settings.instance_name("forwarder", settings.port(&registry::HEALTH_PORT_MOOG));
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    let registry = Registry::new();
    let metrics = Metrics::new(&registry).map_err(|e| std::io::Error::other(e.to_string()))?;
    let dynamic = if settings.bool(&registry::DYNAMIC_CONFIG_ENABLED) {
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
    let tunables = Tunables {
        settings: settings.clone(),
        dynamic,
    };
    let redis_ok = Arc::new(AtomicBool::new(false));
    let breaker_state = Arc::new(Mutex::new("CLOSED".to_string()));
    let servers = start_servers(
        settings,
        &pod,
        registry,
        Arc::clone(&redis_ok),
        Arc::clone(&breaker_state),
        shutdown,
    )?;

    let queue = ReliableQueue::new(keys.clone(), Consumer::Moog, &pod, keys.alert_queue())
        .forgetting_after(settings.duration(&registry::STATUS_FORGET_AFTER));
    let ttl = settings.duration(&registry::MOOG_JANITOR_TIMEOUT);
    let mut conn = connector.connect()?;
    queue.claim(&mut conn, ttl)?;
    drop(conn);
    redis_ok.store(true, Ordering::Relaxed);
    let upkeep_stop = Shutdown::new();
    crate::queue::spawn_upkeep(
        Arc::clone(&connector),
        queue.clone(),
        settings.duration(&registry::MOOG_HEARTBEAT_INTERVAL),
        ttl,
        settings.duration(&registry::MOOG_JANITOR_INTERVAL),
        upkeep_stop.clone(),
    )?;
    spawn_retry_sweeper(Arc::clone(&connector), keys.clone(), upkeep_stop.clone())?;

    let timeout = settings.duration(&registry::MOOG_WEBHOOK_TIMEOUT);
    let concurrency = settings.int(&registry::MOOG_CONCURRENCY) as usize;
    let senders = Senders::start(
        url.clone(),
        settings.secret(&registry::MOOG_API_KEY),
        timeout,
        concurrency,
    )?;
    log::info!("forwarder {pod} sending {} to {url}", keys.alert_queue());

    let mut worker = Worker {
        breaker_keys: scripts::breaker_keys(&keys, BREAKER),
        keys,
        queue,
        redis: ReconnectingConnection::new(
            Arc::clone(&connector),
            Backoff::new(Duration::from_millis(100), Duration::from_secs(10)),
        ),
        tunables,
        metrics,
        redis_ok,
        breaker_state,
        senders: senders.tx.clone(),
        pod,
        breaker_enabled: settings.bool(&registry::CIRCUIT_BREAKER_ENABLED),
        take_size: settings.int(&registry::MOOG_TAKE_SIZE) as usize,
        per_request: settings.int(&registry::MOOG_BATCH_SIZE) as usize,
        max_retries: settings.int(&registry::MOOG_MAX_RETRIES) as u32,
        base_delay: settings.duration(&registry::MOOG_RETRY_BASE_DELAY),
        max_delay: settings.duration(&registry::MOOG_RETRY_MAX_DELAY),
        probe_ttl: timeout + Duration::from_secs(5),
        retry_loaded: false,
        shutdown: shutdown.clone(),
    };
    worker.run();
    drop(worker.senders.take());
    senders.join();
    upkeep_stop.trigger();
    worker.finish();
    for s in servers {
        let _ = s.join();
    }
    log::info!("forwarder stopped");
    Ok(())
}

fn start_servers(
    settings: &Settings,
    pod: &str,
    registry: Registry,
    redis_ok: Arc<AtomicBool>,
    breaker: Arc<Mutex<String>>,
    shutdown: &Shutdown,
) -> Result<Vec<ServerHandle>, ForwardError> {
    let pod_name = pod.to_string();
    let body: HealthBodyFn = Arc::new(move |checks| {
        let errors: Vec<String> = checks
            .iter()
            .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n}: {e}")))
            .collect();
        let state = breaker.lock().map(|s| s.clone()).unwrap_or_default();
        let mut v = json!({"status": if errors.is_empty() {"healthy"} else {"unhealthy"},
            "service": SERVICE, "version": env!("CARGO_PKG_VERSION"), "pod": pod_name,
            "circuit_breaker": state});
        if !errors.is_empty() {
            v["errors"] = json!(errors);
        }
        Response::json(if errors.is_empty() { 200 } else { 503 }, &v)
    });
    let routes = HealthRoutes {
        service: SERVICE.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        pod: pod.to_string(),
        readiness: Arc::new(move || {
            vec![(
                "redis".into(),
                crate::http::flag_check(redis_ok.load(Ordering::Relaxed), "Redis"),
            )]
        }),
    };
    let ports = [
        settings.port(&registry::HEALTH_PORT_MOOG),
        settings.port(&registry::METRICS_PORT_MOOG),
    ];
    Ok(routes.serve_on(
        settings.text(&registry::MUTT_BIND_ADDRESS),
        &ports,
        registry,
        Some(body),
        shutdown,
    )?)
}

fn spawn_retry_sweeper(
    connector: Arc<RedisConnector>,
    keys: Keys,
    stop: Shutdown,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("moog-retries".into())
        .spawn(move || {
            let mut conn = ReconnectingConnection::new(
                connector,
                Backoff::new(Duration::from_millis(200), Duration::from_secs(5)),
            );
            let (set, queue) = (keys.moog_retry(), keys.alert_queue().to_string());
            while !stop.wait_timeout(RETRY_SWEEP_EVERY) {
                if let Err(e) =
                    conn.run(|c| scripts::move_due_retries(c, &set, &queue, RETRY_SWEEP_MAX))
                {
                    log::warn!("moving due retries: {e}");
                }
            }
        })?;
    Ok(())
}

struct Worker {
    keys: Keys,
    breaker_keys: [String; 4],
    queue: ReliableQueue,
    redis: ReconnectingConnection,
    tunables: Tunables,
    metrics: Metrics,
    redis_ok: Arc<AtomicBool>,
    breaker_state: Arc<Mutex<String>>,
    senders: Option<mpsc::Sender<Job>>,
    pod: String,
    breaker_enabled: bool,
    take_size: usize,
    per_request: usize,
    max_retries: u32,
    base_delay: Duration,
    max_delay: Duration,
    probe_ttl: Duration,
    retry_loaded: bool,
    shutdown: Shutdown,
}

/// What to do with a batch once sending is over.
#[derive(Default)]
struct Settle {
    retries: Vec<(u64, String)>,
    dlq: Vec<String>,
    unsent: Vec<String>,
    delivered: u64,
}

impl Worker {
    fn run(&mut self) {
        while !self.shutdown.is_requested() {
            let decision = self.breaker_allow();
            if decision == BreakerDecision::Wait {
                self.shutdown.wait_timeout(BREAKER_POLL);
                continue;
            }
            let max = if decision == BreakerDecision::Probe {
                1
            } else {
                self.take_size
            };
            let queue = self.queue.clone();
            let block = Duration::from_millis(500);
            let batch = match self
                .redis
                .run_until_ok(&self.shutdown, |c| queue.take(c, max, block))
            {
                None => return,
                Some(Ok(b)) => b,
                Some(Err(e)) => {
                    log::error!("taking alerts failed: {e}");
                    self.redis_ok.store(false, Ordering::Relaxed);
                    continue;
                }
            };
            self.redis_ok.store(true, Ordering::Relaxed);
            if batch.is_empty() {
                if decision == BreakerDecision::Probe {
                    // Nothing to probe with: hand the probe back by letting it expire.
                    log::debug!("breaker probe granted but the queue is empty");
                }
                continue;
            }
            self.process(&batch);
        }
    }

    fn breaker_allow(&mut self) -> BreakerDecision {
        if !self.breaker_enabled {
            return BreakerDecision::Send;
        }
        let timeout = self.tunables.int(
            dk::CIRCUIT_BREAKER_TIMEOUT,
            &registry::CIRCUIT_BREAKER_TIMEOUT,
        );
        let (keys, pod, ttl) = (
            self.breaker_keys.clone(),
            self.pod.clone(),
            self.probe_ttl.as_secs(),
        );
        match self
            .redis
            .run(|c| scripts::breaker_allow(c, &keys, timeout, &pod, ttl))
        {
            Ok((decision, state)) => {
                self.note_state(&state);
                decision
            }
            // Redis trouble shows up again at the take, which waits it out.
            Err(_) => BreakerDecision::Send,
        }
    }

    fn note_state(&self, state: &str) {
        if let Ok(mut cur) = self.breaker_state.lock() {
            if *cur != state {
                self.metrics
                    .breaker_changes
                    .with_label_values(&[BREAKER, cur.as_str(), state])
                    .inc();
                log::warn!("circuit breaker {BREAKER}: {cur} -> {state}");
                *cur = state.to_string();
            }
        }
        self.metrics
            .breaker_state
            .with_label_values(&[BREAKER])
            .set(state_number(state));
    }

    fn process(&mut self, batch: &[Delivery]) {
        // The batch is its own trace; each POST gets a span in its alert's trace.
        let mut batch_span = Span::start(
            "forward.batch",
            SpanKind::Internal,
            TraceContext::new_root(),
            None,
        );
        batch_span.attr("mutt.batch_size", batch.len() as u64);
        let now_epoch = chrono::Utc::now().timestamp();
        let mut settle = Settle::default();
        // Parse everything first; what cannot be sent at all is dead-lettered.
        let mut alerts: Vec<Option<Map<String, Value>>> = Vec::with_capacity(batch.len());
        for d in batch {
            match serde_json::from_str::<Value>(&d.raw) {
                Ok(Value::Object(m)) => alerts.push(Some(m)),
                _ => {
                    settle.dlq.push(crate::queue::dlq_entry_for_text(
                        &d.raw,
                        "alert is not a JSON object",
                        0,
                        &self.pod,
                        chrono::Utc::now(),
                    ));
                    self.metrics.processed.with_label_values(&["dlq"]).inc();
                    alerts.push(None);
                }
            }
        }
        let mut pending: Vec<usize> = (0..batch.len()).filter(|i| alerts[*i].is_some()).collect();
        let mut breaker_opened = false;
        while !pending.is_empty() && !self.shutdown.is_requested() && !breaker_opened {
            let granted = self.permits(pending.len() as u64);
            let Some(granted) = granted else { break };
            let chunk: Vec<usize> = pending.drain(..granted as usize).collect();
            let outcomes = self.send(&chunk, &alerts, now_epoch);
            let mut successes = Vec::with_capacity(outcomes.len());
            for (i, outcome) in outcomes {
                successes.push(!outcome.is_failure());
                self.settle_one(&mut settle, &alerts[i], outcome);
            }
            if self.breaker_enabled {
                let threshold = self.tunables.int(
                    dk::CIRCUIT_BREAKER_THRESHOLD,
                    &registry::CIRCUIT_BREAKER_THRESHOLD,
                );
                let keys = self.breaker_keys.clone();
                if let Ok((state, failures)) = self
                    .redis
                    .run(|c| scripts::breaker_record(c, &keys, threshold, &successes))
                {
                    self.metrics
                        .breaker_failures
                        .with_label_values(&[BREAKER])
                        .set(failures);
                    self.note_state(&state);
                    breaker_opened = state != "CLOSED";
                }
            }
        }
        // Not sent (breaker opened, shutdown): back to the front of the line, retries untouched.
        settle.unsent = pending.iter().map(|i| batch[*i].raw.clone()).collect();
        self.commit(batch, settle);
    }

    /// Wait for up to `wanted` permits of the shared limit; `None` if shutdown came first.
    fn permits(&mut self, wanted: u64) -> Option<u64> {
        let key = self.keys.moog_rate_limit().to_string();
        loop {
            let limit = self
                .tunables
                .int(dk::MOOG_RATE_LIMIT, &registry::MOOG_RATE_LIMIT)
                .max(1);
            let period_ms = self
                .tunables
                .int(dk::MOOG_RATE_PERIOD, &registry::MOOG_RATE_PERIOD)
                .max(1)
                * 1000;
            match self.redis.run_until_ok(&self.shutdown, |c| {
                scripts::permits(c, &key, limit, period_ms, wanted)
            })? {
                Ok((granted, _)) if granted > 0 => return Some(granted),
                Ok((_, wait_ms)) => {
                    self.metrics.rate_limit_hits.inc();
                    if self
                        .shutdown
                        .wait_timeout(Duration::from_millis(wait_ms.max(1)))
                    {
                        return None;
                    }
                }
                Err(e) => {
                    log::warn!("rate limit: {e}");
                    if self.shutdown.wait_timeout(Duration::from_millis(200)) {
                        return None;
                    }
                }
            }
        }
    }

    /// Send the alerts at `chunk` (in requests of `per_request`); returns each alert's outcome.
    fn send(
        &mut self,
        chunk: &[usize],
        alerts: &[Option<Map<String, Value>>],
        now_epoch: i64,
    ) -> Vec<(usize, Outcome)> {
        let Some(tx) = self.senders.clone() else {
            return Vec::new();
        };
        let (reply_tx, reply_rx) = mpsc::channel();
        let batching = self.per_request > 1;
        let mut requests = 0;
        for group in chunk.chunks(self.per_request.max(1)) {
            let events: Vec<Value> = group
                .iter()
                .filter_map(|i| {
                    alerts[*i]
                        .as_ref()
                        .map(|a| payload::moog_event(a, now_epoch))
                })
                .collect();
            // One header per request: a batched request continues its first alert's trace.
            let (trace, trace_parent) = TraceContext::continue_from(
                group
                    .first()
                    .and_then(|i| alerts[*i].as_ref())
                    .and_then(|a| a.get(crate::trace::QUEUE_FIELD))
                    .and_then(Value::as_str),
            );
            let job = Job {
                indexes: group.to_vec(),
                body: payload::request_body(&events, batching),
                trace,
                trace_parent,
                reply: reply_tx.clone(),
            };
            if tx.send(job).is_ok() {
                requests += 1;
            }
        }
        drop(reply_tx);
        let mut out = Vec::with_capacity(chunk.len());
        for _ in 0..requests {
            let Ok((indexes, outcome, elapsed)) = reply_rx.recv() else {
                break;
            };
            self.metrics.latency.observe(elapsed.as_secs_f64());
            let (status, reason) = match &outcome {
                Outcome::Delivered => ("success", ""),
                Outcome::Retry {
                    status: Some(429), ..
                } => ("fail", "rate_limit"),
                _ => ("fail", "http"),
            };
            self.metrics
                .requests
                .with_label_values(&[status, reason])
                .inc();
            for i in indexes {
                out.push((i, outcome.clone()));
            }
        }
        // Keep the batch's order for the breaker's "consecutive" count and the DLQ.
        out.sort_by_key(|(i, _)| *i);
        out
    }

    fn settle_one(
        &self,
        settle: &mut Settle,
        alert: &Option<Map<String, Value>>,
        outcome: Outcome,
    ) {
        let Some(alert) = alert else { return };
        let now = chrono::Utc::now();
        match outcome {
            Outcome::Delivered => {
                settle.delivered += 1;
                self.metrics.processed.with_label_values(&["success"]).inc();
            }
            Outcome::Retry {
                status,
                retry_after,
                error,
            } => {
                let attempt = payload::retry_count(alert) + 1;
                if attempt > self.max_retries {
                    self.metrics
                        .requests
                        .with_label_values(&["fail", "retry_exhausted"])
                        .inc();
                    self.metrics.processed.with_label_values(&["dlq"]).inc();
                    settle.dlq.push(crate::queue::dlq_entry(
                        alert.clone(),
                        "retries exhausted",
                        attempt,
                        status,
                        &error,
                        &self.pod,
                        now,
                    ));
                } else {
                    let delay =
                        payload::retry_delay(attempt, self.base_delay, self.max_delay, retry_after);
                    self.metrics.processed.with_label_values(&["error"]).inc();
                    self.metrics.retries_scheduled.inc();
                    settle.retries.push((
                        delay.as_millis() as u64,
                        payload::with_retry_count(alert, attempt),
                    ));
                }
            }
            Outcome::Reject { status, error } => {
                self.metrics.processed.with_label_values(&["dlq"]).inc();
                settle.dlq.push(crate::queue::dlq_entry(
                    alert.clone(),
                    "rejected by Moog",
                    payload::retry_count(alert) + 1,
                    Some(status),
                    &error,
                    &self.pod,
                    now,
                ));
            }
        }
    }

    fn commit(&mut self, batch: &[Delivery], settle: Settle) {
        let (retry_set, dlq, alert_queue) = (
            self.keys.moog_retry(),
            self.keys.dlq(Dlq::Moog).to_string(),
            self.keys.alert_queue().to_string(),
        );
        let queue = self.queue.clone();
        let mut loaded = self.retry_loaded;
        let result = self.redis.run_until_ok(&Shutdown::new(), |c| {
            if !loaded && !settle.retries.is_empty() {
                scripts::load_retry(c)?;
                loaded = true;
            }
            let mut pipe = ::redis::pipe();
            pipe.atomic();
            if !settle.retries.is_empty() {
                scripts::schedule_retries(&mut pipe, &retry_set, &settle.retries);
            }
            if !settle.dlq.is_empty() {
                pipe.cmd("LPUSH").arg(&dlq).arg(&settle.dlq).ignore();
            }
            if !settle.unsent.is_empty() {
                // Oldest last, so it ends up at the consumer end and goes first.
                let back: Vec<&String> = settle.unsent.iter().rev().collect();
                pipe.cmd("RPUSH").arg(&alert_queue).arg(back).ignore();
            }
            queue.ack_batch(&mut pipe, batch);
            pipe.cmd("LLEN").arg(queue.processing_key());
            pipe.cmd("LLEN").arg(&dlq);
            let depths: (i64, i64) = pipe.query(c)?;
            Ok(depths)
        });
        self.retry_loaded = loaded;
        match result {
            Some(Ok((processing, dlq_depth))) => {
                self.metrics.processing_depth.set(processing);
                self.metrics.dlq_depth.set(dlq_depth);
            }
            Some(Err(e)) => {
                self.retry_loaded = false;
                log::error!("settling a batch failed: {e}; it stays in the processing list");
            }
            None => {}
        }
    }

    fn finish(&mut self) {
        let queue = self.queue.clone();
        if let Err(e) = self.redis.run(|c| queue.leave(c)) {
            log::warn!("could not clean up on exit ({e}); the janitor will recover the list");
        }
    }
}
