//! `mutt alert run`: the alerter.
//!
//! The loop, batch by batch: check backpressure; take up to `ALERTER_BATCH_SIZE` events into this
//! pod's processing list; decide each with the rule engine; write the audit rows of matched events
//! in one PostgreSQL transaction (idempotent on `_event_id`); then one Redis transaction pushes
//! the alerts, counts unhandled events (raising meta-alerts atomically), pushes DLQ entries and
//! removes the batch from the processing list. PostgreSQL or Redis trouble pauses the loop with
//! the batch kept; nothing is dead-lettered for it.

mod audit;
pub mod cache;
pub mod dedup;
pub mod event;

use crate::backoff::Backoff;
use crate::daemon::{self, DaemonError, Flag, MetricSet, Runtime, Spec};
use crate::queue::{Delivery, ReliableQueue};
use crate::settings::{dynamic_keys as dk, registry, Settings};
use crate::shutdown::Shutdown;
use crate::store::postgres::{PgConfig, PgConnector, Pool};
use crate::store::redis::dynamic::Tunables;
use crate::store::redis::keys::{Consumer, Keys};
use crate::store::redis::{scripts, ReconnectingConnection, RedisConfig, RedisConnector};
use crate::trace::{Span, SpanKind};
use cache::Cache;
use event::Outcome;
use prometheus::{Histogram, IntCounter, IntCounterVec, IntGauge, Registry};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Service name in `/health` (v2.5's).
pub const SERVICE: &str = "mutt-alerter";
/// Dynamic keys the alerter reads.
pub const DYNAMIC_KEYS: [&str; 8] = [
    dk::ALERT_DEDUP_WINDOW_SECONDS,
    dk::CACHE_RELOAD_INTERVAL,
    dk::UNHANDLED_THRESHOLD,
    dk::UNHANDLED_EXPIRY_SECONDS,
    dk::ALERTER_QUEUE_WARN_THRESHOLD,
    dk::ALERTER_QUEUE_SHED_THRESHOLD,
    dk::ALERTER_SHED_MODE,
    dk::ALERTER_DEFER_SLEEP_MS,
];
// Backpressure reads the alert queue's depth at most this often, not per message (v2.5 did).
const DEPTH_CHECK_EVERY: Duration = Duration::from_millis(500);
const LATENCY_BUCKETS: [f64; 11] = [
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];
const DB_MS_BUCKETS: [f64; 11] = [
    1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0,
];
/// How long after its window a dedup key (and the count it carries) is kept.
const DEDUP_CARRY_SECS: u64 = 86_400;
/// How long a minute's held-back counts stay (the dashboard reads the last hour).
const HELD_COUNT_TTL_SECS: i64 = 65 * 60;
const BATCH_BUCKETS: [f64; 10] = [
    1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 5000.0,
];

#[derive(Clone)]
struct Metrics {
    processed: IntCounterVec,
    forwarded: IntCounter,
    meta_alerts: IntCounter,
    latency: Histogram,
    batch_size: Histogram,
    reload_latency: Histogram,
    rules: IntGauge,
    rules_skipped: IntGauge,
    dev_hosts: IntGauge,
    teams: IntGauge,
    db_write_ms: Histogram,
    reload_failures: IntCounter,
    dlq_depth: IntGauge,
    processing_depth: IntGauge,
    queue_depth: IntGauge,
    shed: IntCounterVec,
    silenced: IntCounterVec,
    deduplicated: IntCounter,
}

impl Metrics {
    fn new(r: &Registry) -> prometheus::Result<Metrics> {
        let m = MetricSet(r);
        Ok(Metrics {
            processed: m.counters(
                "mutt_alerter_events_processed_total",
                "Events by outcome",
                &["status"],
            )?,
            forwarded: m.counter("mutt_alerter_alerts_forwarded_total", "Alerts queued")?,
            meta_alerts: m.counter(
                "mutt_alerter_unhandled_meta_alerts_total",
                "Unhandled meta-alerts raised",
            )?,
            latency: m.histogram(
                "mutt_alerter_processing_latency_seconds",
                "Time to process one batch",
                &LATENCY_BUCKETS,
            )?,
            batch_size: m.histogram(
                "mutt_alerter_batch_size",
                "Events per batch",
                &BATCH_BUCKETS,
            )?,
            reload_latency: m.histogram(
                "mutt_alerter_cache_reload_latency_seconds",
                "Cache reload time",
                &[],
            )?,
            rules: m.gauge("mutt_alerter_cache_rules_count", "Rules in use")?,
            rules_skipped: m.gauge(
                "mutt_alerter_cache_rules_skipped",
                "Rules skipped (pattern does not compile)",
            )?,
            dev_hosts: m.gauge("mutt_alerter_cache_dev_hosts_count", "Development hosts")?,
            teams: m.gauge("mutt_alerter_cache_teams_count", "Device teams")?,
            db_write_ms: m.histogram(
                "mutt_db_write_latency_ms",
                "Audit write time per batch (ms)",
                &DB_MS_BUCKETS,
            )?,
            reload_failures: m.counter(
                "mutt_alerter_cache_reload_failures_total",
                "Failed cache reloads",
            )?,
            dlq_depth: m.gauge("mutt_alerter_dlq_depth", "Alerter DLQ depth")?,
            processing_depth: m.gauge(
                "mutt_alerter_processing_list_depth",
                "This pod's processing list",
            )?,
            queue_depth: m.gauge("mutt_alerter_queue_depth", "Alert queue depth")?,
            shed: m.counters(
                "mutt_alerter_shed_events_total",
                "Backpressure actions",
                &["mode"],
            )?,
            silenced: m.counters(
                "mutt_alerter_silenced_total",
                "Events held back by a silence (audited, not alerted; unhandled ones not counted)",
                &["silence"],
            )?,
            deduplicated: m.counter(
                "mutt_alerter_deduplicated_total",
                "Alerts held back as repeats within ALERT_DEDUP_WINDOW_SECONDS (audited, counted into the next alert of their key)",
            )?,
        })
    }
}

/// The alerter's own readings of its tunables.
trait AlerterTunables {
    fn reload_secs(&self) -> u64;
    fn shed_mode(&self) -> String;
}

impl AlerterTunables for Tunables {
    /// Seconds between timed cache reloads.
    fn reload_secs(&self) -> u64 {
        self.int(dk::CACHE_RELOAD_INTERVAL, &registry::CACHE_RELOAD_INTERVAL)
            .max(1) as u64
    }

    fn shed_mode(&self) -> String {
        self.one_of(
            dk::ALERTER_SHED_MODE,
            &registry::ALERTER_SHED_MODE,
            &["defer", "dlq"],
        )
    }
}

/// Run the alerter until SIGTERM/SIGINT; the current batch is finished first.
pub fn run(settings: &Settings, shutdown: &Shutdown) -> Result<(), DaemonError> {
    let keys = Keys::from_settings(settings);
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    let pg = PgConnector::new(PgConfig::from_settings(settings, "alerter"))?;
    let pool = pg.pool()?;
    let rt = Runtime::start(
        settings,
        shutdown,
        Spec {
            service: SERVICE,
            role: "alerter",
            health_port: &registry::HEALTH_PORT_ALERTER,
            metrics_port: &registry::METRICS_PORT_ALERTER,
            flags: &[("redis", "Redis"), ("postgres", "PostgreSQL")],
            health_fields: None,
            own_listeners: Vec::new(),
        },
    )?;
    rt.flag("postgres").set(true);
    let metrics = Metrics::new(rt.registry())?;
    let cache = Cache::new();
    let rules_loaded = Arc::clone(&cache);
    rt.add_check("rules", move || match rules_loaded.current() {
        Some(_) => Ok(()),
        None => Err("rules not loaded yet".into()),
    });

    let reload_target = Arc::clone(&cache);
    let tunables = rt.tunables(
        &connector,
        &keys,
        &DYNAMIC_KEYS,
        Some(Box::new(move |notice| {
            if cache::RELOAD_NOTICES.contains(&notice) {
                reload_target.request_reload();
            }
        })),
    );
    let tunables = Arc::new(tunables);
    spawn_reloader(
        pool.clone(),
        Arc::clone(&cache),
        Arc::clone(&tunables),
        metrics.clone(),
        settings.text(&registry::UNHANDLED_DEFAULT_TEAM).to_string(),
        shutdown.clone(),
    )?;

    let (beat_cache, beat_tunables) = (Arc::clone(&cache), Arc::clone(&tunables));
    let queue = ReliableQueue::new(
        keys.clone(),
        Consumer::Alerter,
        rt.pod(),
        keys.ingest_queue(),
    )
    .forgetting_after(settings.duration(&registry::STATUS_FORGET_AFTER))
    // The cache age is taken at each beat, so `mutt status` sees it without clock skew.
    .reporting(move || {
        let (snapshot, age) = beat_cache.loaded()?;
        let status = crate::rules::CacheStatus::of(&snapshot, age, beat_tunables.reload_secs());
        serde_json::to_value(status).ok()
    });
    rt.claim(
        &connector,
        &queue,
        &registry::ALERTER_HEARTBEAT_INTERVAL,
        &registry::ALERTER_JANITOR_TIMEOUT,
        &registry::ALERTER_JANITOR_INTERVAL,
    )?;
    log::info!("alerter {} consuming {}", rt.pod(), keys.ingest_queue());

    let mut worker = Worker {
        keys,
        queue,
        redis: rt.reconnecting(&connector),
        pool,
        cache,
        tunables,
        metrics,
        redis_ok: rt.flag("redis"),
        db_ok: rt.flag("postgres"),
        pod: rt.pod().to_string(),
        batch_size: settings.int(&registry::ALERTER_BATCH_SIZE) as usize,
        block: settings.duration(&registry::BRPOPLPUSH_TIMEOUT),
        max_retries: settings.int(&registry::ALERTER_MAX_RETRIES) as u32,
        script_loaded: false,
        dedup_loaded: false,
        dedup_by_message: settings.bool(&registry::ALERT_DEDUP_BY_MESSAGE),
        last_depth_check: None,
        shutdown: shutdown.clone(),
    };
    rt.run(&mut worker)
}

/// Events held back per silence id, from one entry per event.
fn held_by_silence(silenced: &[i32]) -> std::collections::BTreeMap<i32, u64> {
    let mut out = std::collections::BTreeMap::new();
    for id in silenced {
        *out.entry(*id).or_insert(0) += 1;
    }
    out
}

fn spawn_reloader(
    pool: Pool,
    cache: Arc<Cache>,
    tunables: Arc<Tunables>,
    metrics: Metrics,
    default_team: String,
    shutdown: Shutdown,
) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("alerter-cache".into())
        .spawn(move || {
            let hup = crate::shutdown::sighup_flag().ok();
            let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(30));
            let mut next_due = Instant::now();
            while !shutdown.is_requested() {
                let hup_now = hup
                    .as_ref()
                    .is_some_and(|f| f.swap(false, Ordering::Relaxed));
                if hup_now
                    || Instant::now() >= next_due
                    || cache.wait_for_request(Duration::from_millis(250))
                {
                    let started = Instant::now();
                    match crate::store::postgres::rules::load_snapshot(&pool, &default_team) {
                        Ok(snapshot) => {
                            metrics
                                .reload_latency
                                .observe(started.elapsed().as_secs_f64());
                            metrics.rules.set(snapshot.rule_count() as i64);
                            metrics.rules_skipped.set(snapshot.skipped().len() as i64);
                            metrics.dev_hosts.set(snapshot.dev_host_count() as i64);
                            metrics.teams.set(snapshot.team_count() as i64);
                            for s in snapshot.skipped() {
                                log::error!("rule {} skipped: {}", s.rule_id, s.reason);
                            }
                            for (id, why) in snapshot.skipped_silences() {
                                log::error!("silence {id} skipped: {why}");
                            }
                            log::info!(
                                "loaded {} rule(s), {} silence(s)",
                                snapshot.rule_count(),
                                snapshot.silences().len()
                            );
                            cache.swap(snapshot);
                            backoff.reset();
                            next_due = Instant::now() + Duration::from_secs(tunables.reload_secs());
                        }
                        Err(e) => {
                            metrics.reload_failures.inc();
                            let delay = backoff.next_delay();
                            log::error!(
                                "cache reload failed: {e}; retrying in {} ms",
                                delay.as_millis()
                            );
                            next_due = Instant::now() + delay;
                        }
                    }
                }
            }
        })?;
    Ok(())
}

struct Worker {
    keys: Keys,
    queue: ReliableQueue,
    redis: ReconnectingConnection,
    pool: Pool,
    cache: Arc<Cache>,
    tunables: Arc<Tunables>,
    metrics: Metrics,
    redis_ok: Flag,
    db_ok: Flag,
    pod: String,
    batch_size: usize,
    block: Duration,
    max_retries: u32,
    script_loaded: bool,
    dedup_loaded: bool,
    dedup_by_message: bool,
    last_depth_check: Option<Instant>,
    shutdown: Shutdown,
}

/// One alert to pass through dedup: its audit row, and its key.
struct DedupInput {
    row: usize,
    keys: scripts::DedupKeys,
}

/// The per-batch plan: what to write where.
#[derive(Default)]
struct Plan {
    rows: Vec<event::AuditRow>,
    alerts: Vec<String>,
    unhandled: Vec<(String, String, String)>,
    /// The silence of each event held back (audited or, unhandled, only counted here).
    silenced: Vec<i32>,
    /// Unhandled events held back (no audit row; `processed{status="silenced"}`).
    silenced_unhandled: u64,
    /// Alerts held back as repeats.
    deduplicated: u64,
    /// Dedup decisions to take back (their rows were refused), with the batch's commit.
    dedup_undo: Vec<(scripts::DedupKeys, String)>,
    dlq: Vec<String>,
    // Read once per batch, so the meta-alert's text and the script agree on them.
    threshold: i64,
    window: u64,
    handled: u64,
    errors: u64,
    poison: u64,
}

impl daemon::Worker for Worker {
    fn step(&mut self) -> bool {
        // Consume only with rules loaded: an empty cache would call every event unhandled.
        if self.cache.current().is_none() {
            return !self.shutdown.wait_timeout(Duration::from_millis(100));
        }
        if self.backpressure() {
            return true;
        }
        let (queue, max, block) = (self.queue.clone(), self.batch_size, self.block);
        let Some(batch) = daemon::take(
            &mut self.redis,
            &queue,
            max,
            block,
            &self.shutdown,
            &self.redis_ok,
        ) else {
            return false;
        };
        if !batch.is_empty() {
            self.process(&batch);
        }
        true
    }

    fn leave(&mut self) {
        daemon::leave(&mut self.redis, &self.queue);
    }
}

impl Worker {
    /// True when this iteration should not take a batch (defer mode, or shed instead).
    fn backpressure(&mut self) -> bool {
        if self
            .last_depth_check
            .is_some_and(|t| t.elapsed() < DEPTH_CHECK_EVERY)
        {
            return false;
        }
        self.last_depth_check = Some(Instant::now());
        let alert_queue = self.keys.alert_queue().to_string();
        let depth: i64 = match self
            .redis
            .run(|c| ::redis::cmd("LLEN").arg(&alert_queue).query(c))
        {
            Ok(d) => d,
            Err(_) => return false,
        };
        self.metrics.queue_depth.set(depth);
        let t = &self.tunables;
        let shed = t.int(
            dk::ALERTER_QUEUE_SHED_THRESHOLD,
            &registry::ALERTER_QUEUE_SHED_THRESHOLD,
        );
        let warn = t.int(
            dk::ALERTER_QUEUE_WARN_THRESHOLD,
            &registry::ALERTER_QUEUE_WARN_THRESHOLD,
        );
        if shed > 0 && depth > shed {
            let mode = t.shed_mode();
            self.metrics.shed.with_label_values(&[mode.as_str()]).inc();
            if mode == "dlq" {
                log::warn!("alert queue at {depth} > {shed}: shedding a batch to the DLQ");
                self.shed_batch(depth, shed);
            } else {
                let ms = t
                    .int(
                        dk::ALERTER_DEFER_SLEEP_MS,
                        &registry::ALERTER_DEFER_SLEEP_MS,
                    )
                    .max(1) as u64;
                log::warn!("alert queue at {depth} > {shed}: pausing {ms} ms");
                self.last_depth_check = None;
                self.shutdown.wait_timeout(Duration::from_millis(ms));
            }
            return true;
        }
        if warn > 0 && depth > warn {
            log::warn!("alert queue at {depth} > warning threshold {warn}");
        }
        false
    }

    fn shed_batch(&mut self, depth: i64, shed: i64) {
        let (queue, max) = (self.queue.clone(), self.batch_size);
        let Ok(batch) = self.redis.run(|c| queue.take(c, max, Duration::ZERO)) else {
            return;
        };
        if batch.is_empty() {
            return;
        }
        let reason = format!("queue_depth_exceeded:{depth}>{shed}");
        let now = chrono::Utc::now();
        let entries: Vec<String> = batch
            .iter()
            .map(|d| {
                let entry = crate::wire::dlq::dlq_entry_for_text(
                    &d.raw,
                    &reason,
                    d.earlier_deliveries + 1,
                    &self.pod,
                    now,
                );
                // v2.5 readers look for `shedding_reason` on shed entries.
                match serde_json::from_str::<serde_json::Value>(&entry) {
                    Ok(serde_json::Value::Object(mut m)) => {
                        m.insert("shedding_reason".into(), reason.clone().into());
                        serde_json::Value::Object(m).to_string()
                    }
                    _ => entry,
                }
            })
            .collect();
        let plan = Plan {
            dlq: entries,
            ..Plan::default()
        };
        self.commit_redis(&batch, &plan);
    }

    fn process(&mut self, batch: &[Delivery]) {
        let started = Instant::now();
        self.metrics.batch_size.observe(batch.len() as f64);
        let Some(snapshot) = self.cache.current() else {
            return;
        };
        let threshold = self
            .tunables
            .int(dk::UNHANDLED_THRESHOLD, &registry::UNHANDLED_THRESHOLD);
        let window = self
            .tunables
            .int(
                dk::UNHANDLED_EXPIRY_SECONDS,
                &registry::UNHANDLED_EXPIRY_SECONDS,
            )
            .max(1) as u64;
        let dedup_ms = self
            .tunables
            .int(
                dk::ALERT_DEDUP_WINDOW_SECONDS,
                &registry::ALERT_DEDUP_WINDOW_SECONDS,
            )
            .max(0) as u64
            * 1000;
        let now = chrono::Utc::now();
        let mut plan = Plan {
            threshold,
            window,
            ..Plan::default()
        };
        let mut alert_of_row: Vec<Option<String>> = Vec::new();
        let mut dedup_inputs: Vec<DedupInput> = Vec::new();
        // The batch is its own trace (it mixes many events' traces); each message gets a span in
        // its event's trace below.
        let span_on = crate::trace::enabled();
        let mut batch_span = Span::start(
            "alert.batch",
            SpanKind::Internal,
            crate::trace::TraceContext::new_root(),
            None,
        );
        batch_span.attr("mutt.batch_size", batch.len() as u64);
        for d in batch {
            if d.earlier_deliveries >= self.max_retries {
                plan.poison += 1;
                plan.dlq.push(crate::wire::dlq::dlq_entry_for_text(
                    &d.raw,
                    &format!(
                        "delivered {} times without finishing (consumer crashed)",
                        d.earlier_deliveries
                    ),
                    d.earlier_deliveries,
                    &self.pod,
                    now,
                ));
                continue;
            }
            let incoming = match crate::wire::event::parse_delivery(&d.raw, now) {
                Ok(i) => i,
                Err(reason) => {
                    plan.errors += 1;
                    plan.dlq.push(crate::wire::dlq::dlq_entry_for_text(
                        &d.raw,
                        &reason,
                        d.earlier_deliveries + 1,
                        &self.pod,
                        now,
                    ));
                    continue;
                }
            };
            // Log lines and the span of this message carry its trace (and correlation id).
            let _cid = crate::logging::with_correlation_id(&incoming.correlation_id);
            let _tid = crate::logging::with_trace_id(&incoming.trace.trace_id_hex());
            let mut span = Span::start(
                "alert.process",
                SpanKind::Consumer,
                incoming.trace,
                incoming.trace_parent,
            );
            if span_on {
                span.attr("event_id", incoming.event_id.clone());
                span.attr("correlation_id", incoming.correlation_id.clone());
            }
            let view = incoming.view();
            let decision = snapshot.decide(&view);
            let silence = snapshot.silence_for(&view, &decision, now).map(|s| s.id);
            if let Some(id) = silence {
                span.attr("mutt.silenced_by", i64::from(id));
            }
            match event::outcome(&incoming, &decision, silence, threshold, window) {
                Outcome::Handled { row, alert } => {
                    span.attr("mutt.outcome", "handled");
                    if span_on {
                        span.attr("mutt.handling", row.handling_decision.clone());
                    }
                    if dedup_ms > 0 && alert.is_some() {
                        let host = row.hostname.to_lowercase();
                        let sig =
                            dedup::message_signature(&incoming.message, self.dedup_by_message);
                        let rule = row.matched_rule_id;
                        dedup_inputs.push(DedupInput {
                            row: plan.rows.len(),
                            keys: scripts::DedupKeys {
                                hash: self.keys.dedup(rule, &host, &sig),
                                held: self.keys.dedup_held(rule, &host, &sig),
                                held_prev: self.keys.dedup_held_prev(rule, &host, &sig),
                            },
                        });
                    }
                    plan.rows.push(row);
                    alert_of_row.push(alert);
                }
                Outcome::Silenced { silence } => {
                    span.attr("mutt.outcome", "silenced");
                    plan.silenced.push(silence);
                    plan.silenced_unhandled += 1;
                }
                Outcome::Unhandled {
                    signature,
                    meta_alert,
                } => {
                    span.attr("mutt.outcome", "unhandled");
                    plan.unhandled.push((
                        self.keys.unhandled(&incoming.hostname, &signature),
                        self.keys
                            .unhandled_triggered(&incoming.hostname, &signature),
                        meta_alert,
                    ));
                }
            }
        }
        // Repeats are decided before the audit rows are written, so a held-back event's row
        // says what it repeated; a redelivered batch gets the same answers (the script is
        // idempotent per event).
        if !dedup_inputs.is_empty() {
            let Some(decisions) = self.decide_dedup(&dedup_inputs, &plan.rows, dedup_ms) else {
                return; // shutting down with the batch still in the processing list
            };
            for (input, decision) in dedup_inputs.iter().zip(decisions) {
                match decision {
                    scripts::DedupDecision::Send {
                        repeat_count,
                        first_seen,
                    } => {
                        if let Some(a) = alert_of_row[input.row].take() {
                            alert_of_row[input.row] =
                                Some(dedup::with_repeats(&a, repeat_count, &first_seen));
                        }
                    }
                    scripts::DedupDecision::Held { of } => {
                        let row = &mut plan.rows[input.row];
                        row.forwarded_to_moog = false;
                        row.dedup_of = Some(of);
                        alert_of_row[input.row] = None;
                        plan.deduplicated += 1;
                    }
                }
            }
        }
        // Audit first: alerts are pushed and the batch acknowledged only once the rows are durable.
        let refused = match self.write_audit(&plan.rows) {
            Some(r) => r,
            None => return, // shutting down with the batch still in the processing list
        };
        for (i, row) in plan.rows.iter().enumerate() {
            if let Some((_, reason)) = refused.iter().find(|(j, _)| *j == i) {
                if let Some(input) = dedup_inputs.iter().find(|d| d.row == i) {
                    plan.dedup_undo
                        .push((input.keys.clone(), row.event_id.clone()));
                    if row.dedup_of.is_some() {
                        plan.deduplicated -= 1;
                    }
                }
                plan.errors += 1;
                plan.dlq.push(crate::wire::dlq::dlq_entry_for_text(
                    &row.raw_message,
                    reason,
                    1,
                    &self.pod,
                    now,
                ));
            } else {
                plan.handled += 1;
                if let Some(a) = alert_of_row[i].take() {
                    plan.alerts.push(a);
                }
                if let Some(id) = row.silenced_by {
                    plan.silenced.push(id);
                }
            }
        }
        batch_span.attr("mutt.handled", plan.handled);
        batch_span.attr("mutt.errors", plan.errors);
        if self.commit_redis(batch, &plan) {
            let m = &self.metrics;
            m.processed
                .with_label_values(&["handled"])
                .inc_by(plan.handled);
            m.processed
                .with_label_values(&["error"])
                .inc_by(plan.errors);
            m.processed
                .with_label_values(&["poison"])
                .inc_by(plan.poison);
            for (id, n) in held_by_silence(&plan.silenced) {
                m.silenced.with_label_values(&[&id.to_string()]).inc_by(n);
            }
            m.deduplicated.inc_by(plan.deduplicated);
            m.forwarded.inc_by(plan.alerts.len() as u64);
            m.latency.observe(started.elapsed().as_secs_f64());
        }
    }

    /// Ask the dedup script about each alert of `inputs` (one pipeline), waiting out Redis
    /// outages; `None` if shutdown came first.
    fn decide_dedup(
        &mut self,
        inputs: &[DedupInput],
        rows: &[event::AuditRow],
        window_ms: u64,
    ) -> Option<Vec<scripts::DedupDecision>> {
        // A held count is carried into the next alert of its key for up to a day after the
        // window; the keys then expire.
        let ttl = window_ms / 1000 + DEDUP_CARRY_SECS;
        // Until it works or shutdown: the batch must not be left behind in the processing list.
        // A script cache flushed since it was loaded (NOSCRIPT) is loaded again.
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
        loop {
            let mut loaded = self.dedup_loaded;
            let result = self.redis.run_until_ok(&self.shutdown, |c| {
                if !loaded {
                    scripts::load_dedup(c)?;
                    loaded = true;
                }
                let mut pipe = ::redis::pipe();
                for input in inputs {
                    let row = &rows[input.row];
                    scripts::dedup_decide(
                        &mut pipe,
                        &input.keys,
                        &row.event_id,
                        window_ms,
                        &crate::timefmt::millis(row.event_timestamp),
                        ttl,
                    );
                }
                let replies: Vec<(i64, u64, String)> = pipe.query(c)?;
                Ok(replies)
            });
            self.dedup_loaded = loaded;
            match result {
                Some(Ok(replies)) => {
                    return Some(
                        replies
                            .into_iter()
                            .map(scripts::DedupDecision::from_reply)
                            .collect(),
                    )
                }
                Some(Err(e)) => {
                    self.dedup_loaded = false;
                    let delay = backoff.next_delay();
                    log::warn!(
                        "dedup decision failed: {e}; batch kept, retrying in {} ms",
                        delay.as_millis()
                    );
                    if self.shutdown.wait_timeout(delay) {
                        return None;
                    }
                }
                None => return None,
            }
        }
    }

    /// Write the audit rows, waiting out database outages. Returns the rows the database refused
    /// (index, reason), or `None` if shutdown came first.
    fn write_audit(&mut self, rows: &[event::AuditRow]) -> Option<Vec<(usize, String)>> {
        if rows.is_empty() {
            return Some(Vec::new());
        }
        let refs: Vec<&event::AuditRow> = rows.iter().collect();
        let mut backoff = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
        loop {
            let started = Instant::now();
            let result = audit::insert(&self.pool, &refs);
            match result {
                Ok(_) => {
                    self.metrics
                        .db_write_ms
                        .observe(started.elapsed().as_secs_f64() * 1000.0);
                    self.db_ok.set(true);
                    return Some(Vec::new());
                }
                Err(e) => match audit::classify(&e) {
                    audit::WriteFailure::Data(reason) => {
                        log::warn!("audit batch refused ({reason}); isolating the bad rows");
                        match audit::insert_isolating(&self.pool, &refs) {
                            Ok(refused) => {
                                self.db_ok.set(true);
                                return Some(refused);
                            }
                            Err(e) => log::warn!("audit isolation failed: {e}"),
                        }
                    }
                    audit::WriteFailure::Unavailable(reason) => {
                        self.db_ok.set(false);
                        let delay = backoff.next_delay();
                        log::warn!(
                            "PostgreSQL unavailable ({reason}); batch kept, retrying in {} ms",
                            delay.as_millis()
                        );
                        if self.shutdown.wait_timeout(delay) {
                            return None;
                        }
                    }
                },
            }
        }
    }

    /// One Redis transaction: alerts, unhandled counts (with meta-alerts), DLQ entries, ack.
    /// Retries through Redis outages; returns false only if shutdown came first.
    fn commit_redis(&mut self, batch: &[Delivery], plan: &Plan) -> bool {
        let (threshold, window) = (plan.threshold, plan.window);
        let alert_queue = self.keys.alert_queue().to_string();
        let dlq = self
            .keys
            .dlq(crate::store::redis::keys::Dlq::Alerter)
            .to_string();
        let queue = self.queue.clone();
        let held_key = self.keys.silenced_minute(chrono::Utc::now());
        let mut loaded = self.script_loaded;
        let result = self.redis.run_until_ok(&self.shutdown, |c| {
            if !loaded && !plan.unhandled.is_empty() {
                scripts::load_unhandled(c)?;
                loaded = true;
            }
            if !plan.dedup_undo.is_empty() {
                // Rare (a refused row of a deduplicated alert): loaded each time it is needed.
                scripts::load_dedup_undo(c)?;
            }
            let mut pipe = ::redis::pipe();
            pipe.atomic();
            for (counter, guard, meta) in &plan.unhandled {
                scripts::count_unhandled(
                    &mut pipe,
                    counter,
                    guard,
                    &alert_queue,
                    threshold,
                    window,
                    meta,
                );
            }
            if !plan.alerts.is_empty() {
                pipe.cmd("LPUSH")
                    .arg(&alert_queue)
                    .arg(&plan.alerts)
                    .ignore();
            }
            if !plan.dlq.is_empty() {
                pipe.cmd("LPUSH").arg(&dlq).arg(&plan.dlq).ignore();
            }
            for (keys, event_id) in &plan.dedup_undo {
                scripts::dedup_undo(&mut pipe, keys, event_id);
            }
            if !plan.silenced.is_empty() {
                // What each silence held back, by minute: the dashboard's "last hour".
                for (id, n) in held_by_silence(&plan.silenced) {
                    pipe.hincr(&held_key, id, n).ignore();
                }
                pipe.expire(&held_key, HELD_COUNT_TTL_SECS).ignore();
            }
            queue.ack_batch(&mut pipe, batch);
            // The two depths ride along: their last two results.
            pipe.cmd("LLEN").arg(queue.processing_key());
            pipe.cmd("LLEN").arg(&dlq);
            let raised: Vec<i64> = pipe.query(c)?;
            Ok(raised)
        });
        self.script_loaded = loaded;
        match result {
            Some(Ok(mut raised)) => {
                let dlq_depth = raised.pop().unwrap_or(0);
                let processing_depth = raised.pop().unwrap_or(0);
                self.metrics.dlq_depth.set(dlq_depth);
                self.metrics.processing_depth.set(processing_depth);
                let metas = raised.iter().filter(|r| **r == 1).count() as u64;
                self.metrics
                    .processed
                    .with_label_values(&["silenced"])
                    .inc_by(plan.silenced_unhandled);
                self.metrics.meta_alerts.inc_by(metas);
                self.metrics.forwarded.inc_by(metas);
                self.metrics
                    .processed
                    .with_label_values(&["unhandled"])
                    .inc_by(plan.unhandled.len() as u64);
                if !plan.dlq.is_empty() {
                    log::warn!("{} message(s) dead-lettered", plan.dlq.len());
                }
                // The next batch waits until this commit is on the replicas (if any are asked
                // for). A commit lost with its master leaves the batch in this live pod's
                // processing list there, until the pod restarts (docs/SCALING.md).
                if let Err(e) = self.redis.wait_for_replicas(&self.shutdown) {
                    log::warn!("batch committed, replicas unconfirmed: {e}");
                }
                true
            }
            Some(Err(e)) => {
                // A script cache flush between load and EXEC: reload next time, keep the batch.
                self.script_loaded = false;
                log::error!("acknowledging the batch failed: {e}; it stays in the processing list");
                false
            }
            None => false,
        }
    }
}
