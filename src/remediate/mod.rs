//! `mutt remediate run`: replays dead letters once their cause may be gone.
//!
//! Every `remediation_interval`, the one active instance (a Redis lock with an expiry) moves up to
//! `remediation_batch_size` of the oldest entries of `mutt:dlq:alerter` back to the ingest queue and
//! of `mutt:dlq:moog` back to the alert queue, atomically, counting `_replay_count`; an entry
//! already replayed `max_poison_retries` times goes to `mutt:dlq:dead` instead. Moog replay waits
//! while the circuit breaker is not closed (nothing is posted to Moog to probe it), and a target
//! queue above its backpressure threshold is left alone.

use crate::backoff::Backoff;
use crate::daemon::{self, DaemonError, Flag, MetricSet, Runtime, Spec};
use crate::settings::{dynamic_keys as dk, registry, Settings};
use crate::shutdown::Shutdown;
use crate::store::redis::dynamic::Tunables;
use crate::store::redis::keys::{Dlq, Keys, Service};
use crate::store::redis::scripts;
use crate::store::redis::{ReconnectingConnection, RedisConfig, RedisConnector};
use crate::wire::dlq::{next_step, ReplayTo, Source};
use prometheus::{Histogram, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Registry};
use std::time::{Duration, Instant};

/// Dynamic keys read.
pub const DYNAMIC_KEYS: [&str; 5] = [
    dk::REMEDIATION_INTERVAL,
    dk::REMEDIATION_BATCH_SIZE,
    dk::MAX_POISON_RETRIES,
    dk::MAX_INGEST_QUEUE_SIZE,
    dk::ALERTER_QUEUE_SHED_THRESHOLD,
];

#[derive(Clone)]
struct Metrics {
    loops: IntCounter,
    dlq_depth: IntGaugeVec,
    success: IntCounter,
    fail: IntCounterVec,
    poison: IntCounter,
    moog_health: IntGauge,
    duration: Histogram,
}

impl Metrics {
    fn new(r: &Registry) -> prometheus::Result<Metrics> {
        let m = MetricSet(r);
        Ok(Metrics {
            loops: m.counter("mutt_remediation_loops_total", "Replay cycles")?,
            dlq_depth: m.gauges("mutt_remediation_dlq_depth", "DLQ depth", &["dlq_name"])?,
            success: m.counter("mutt_remediation_replay_success_total", "Entries replayed")?,
            fail: m.counters(
                "mutt_remediation_replay_fail_total",
                "Replay failures",
                &["reason"],
            )?,
            poison: m.counter(
                "mutt_remediation_poison_messages_total",
                "Entries moved to the dead list",
            )?,
            moog_health: m.gauge(
                "mutt_remediation_moog_health",
                "1 when the Moog breaker is closed",
            )?,
            duration: m.histogram("mutt_remediation_loop_duration_seconds", "Cycle time", &[])?,
        })
    }
}

/// Run remediation until SIGTERM/SIGINT.
pub fn run(settings: &Settings, shutdown: &Shutdown) -> Result<(), DaemonError> {
    let keys = Keys::from_settings(settings);
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    drop(connector.connect()?);
    let rt = Runtime::start(
        settings,
        shutdown,
        Spec {
            service: "mutt-remediation",
            role: "remediation",
            health_port: &registry::HEALTH_PORT_REMEDIATION,
            metrics_port: &registry::METRICS_PORT_REMEDIATION,
            flags: &[("redis", "Redis")],
            health_fields: None,
            own_listeners: Vec::new(),
        },
    )?;
    let redis_ok = rt.flag("redis");
    redis_ok.set(true);
    let enabled = settings.bool(&registry::REMEDIATION_ENABLED);
    if !enabled {
        log::warn!("REMEDIATION_ENABLED is off: idling (not exiting, so an orchestrator does not restart us)");
    }
    let pod = rt.pod().to_string();
    let mut worker = Replayer {
        instance: format!("{pod}-{}", uuid::Uuid::new_v4().simple()),
        pod,
        instances: keys.instances(Service::Remediation),
        lock: keys.lock("remediation"),
        forget_ms: settings
            .duration(&registry::STATUS_FORGET_AFTER)
            .as_millis() as u64,
        metrics: Metrics::new(rt.registry())?,
        tunables: rt.tunables(&connector, &keys, &DYNAMIC_KEYS, None),
        conn: ReconnectingConnection::new(
            connector,
            Backoff::new(Duration::from_millis(200), Duration::from_secs(10)),
        ),
        keys,
        enabled,
        redis_ok,
        shutdown: shutdown.clone(),
    };
    rt.run(&mut worker)
}

/// The one-active-instance replay loop: a cycle per interval while holding the lock.
struct Replayer {
    keys: Keys,
    pod: String,
    /// Unique per process, so a restarted instance does not inherit its old lock.
    instance: String,
    instances: String,
    lock: String,
    forget_ms: u64,
    metrics: Metrics,
    tunables: Tunables,
    conn: ReconnectingConnection,
    enabled: bool,
    redis_ok: Flag,
    shutdown: Shutdown,
}

impl daemon::Worker for Replayer {
    fn step(&mut self) -> bool {
        let interval = Duration::from_secs(
            self.tunables
                .count(dk::REMEDIATION_INTERVAL, &registry::REMEDIATION_INTERVAL)
                .max(1),
        );
        let lease = interval * 2 + Duration::from_secs(10);
        let (instances, pod, instance, forget_ms) =
            (&self.instances, &self.pod, &self.instance, self.forget_ms);
        // Seen by `mutt status`: alive until a whole lease passes without a cycle.
        if let Err(e) = self
            .conn
            .run(|c| scripts::beat(c, instances, pod, instance, lease.as_secs(), forget_ms))
        {
            log::warn!("remediation heartbeat: {e}");
        }
        if self.enabled {
            let started = Instant::now();
            let (lock, instance) = (&self.lock, &self.instance);
            match self.conn.run(|c| hold_lock(c, lock, instance, lease)) {
                Ok(true) => {
                    self.metrics.loops.inc();
                    self.redis_ok.set(true);
                    let limits = CycleLimits {
                        batch: self
                            .tunables
                            .count(
                                dk::REMEDIATION_BATCH_SIZE,
                                &registry::REMEDIATION_BATCH_SIZE,
                            )
                            .max(1),
                        max_replays: self
                            .tunables
                            .count(dk::MAX_POISON_RETRIES, &registry::MAX_POISON_RETRIES)
                            as u32,
                        ingest_limit: self
                            .tunables
                            .count(dk::MAX_INGEST_QUEUE_SIZE, &registry::MAX_INGEST_QUEUE_SIZE),
                        alert_limit: self.tunables.count(
                            dk::ALERTER_QUEUE_SHED_THRESHOLD,
                            &registry::ALERTER_QUEUE_SHED_THRESHOLD,
                        ),
                    };
                    cycle(&mut self.conn, &self.keys, &self.metrics, &limits);
                    self.metrics
                        .duration
                        .observe(started.elapsed().as_secs_f64());
                }
                Ok(false) => log::debug!("another remediation instance holds {}", self.lock),
                Err(e) => {
                    self.redis_ok.set(false);
                    self.metrics.fail.with_label_values(&["redis_error"]).inc();
                    log::warn!("remediation: {e}");
                }
            }
        }
        !self.shutdown.wait_timeout(interval)
    }

    fn leave(&mut self) {
        let (lock, instance) = (&self.lock, &self.instance);
        let _ = self.conn.run(|c| release_lock(c, lock, instance));
        let (instances, pod) = (&self.instances, &self.pod);
        let _ = self
            .conn
            .run(|c| ::redis::cmd("HDEL").arg(instances).arg(pod).query::<()>(c));
    }
}

struct CycleLimits {
    batch: u64,
    max_replays: u32,
    ingest_limit: u64,
    alert_limit: u64,
}

/// Take or renew the single-instance lock; true if this instance holds it.
fn hold_lock(
    c: &mut ::redis::Connection,
    lock: &str,
    me: &str,
    lease: Duration,
) -> ::redis::RedisResult<bool> {
    let ms = lease.as_millis() as u64;
    let took: Option<String> = ::redis::cmd("SET")
        .arg(lock)
        .arg(me)
        .arg("NX")
        .arg("PX")
        .arg(ms)
        .query(c)?;
    if took.is_some() {
        return Ok(true);
    }
    let holder: Option<String> = ::redis::cmd("GET").arg(lock).query(c)?;
    if holder.as_deref() == Some(me) {
        ::redis::cmd("PEXPIRE").arg(lock).arg(ms).query::<()>(c)?;
        return Ok(true);
    }
    Ok(false)
}

fn release_lock(c: &mut ::redis::Connection, lock: &str, me: &str) -> ::redis::RedisResult<()> {
    let holder: Option<String> = ::redis::cmd("GET").arg(lock).query(c)?;
    if holder.as_deref() == Some(me) {
        ::redis::cmd("DEL").arg(lock).query::<()>(c)?;
    }
    Ok(())
}

fn cycle(conn: &mut ReconnectingConnection, keys: &Keys, metrics: &Metrics, limits: &CycleLimits) {
    let breaker_key = keys.circuit_breaker(crate::store::redis::keys::MOOG_BREAKER, "state");
    let breaker: Option<String> = conn
        .run(|c| ::redis::cmd("GET").arg(&breaker_key).query(c))
        .unwrap_or(None);
    let moog_ok = breaker.as_deref().is_none_or(|s| s == "CLOSED");
    metrics.moog_health.set(i64::from(moog_ok));
    let pairs = [
        (
            Dlq::Alerter,
            keys.ingest_queue().to_string(),
            Source::Alerter,
            limits.ingest_limit,
        ),
        (
            Dlq::Moog,
            keys.alert_queue().to_string(),
            Source::Moog,
            limits.alert_limit,
        ),
    ];
    for (dlq, target, source, limit) in pairs {
        let dlq_key = keys.dlq(dlq).to_string();
        let (depth, target_depth): (i64, i64) = match conn.run(|c| {
            ::redis::pipe()
                .cmd("LLEN")
                .arg(&dlq_key)
                .cmd("LLEN")
                .arg(&target)
                .query(c)
        }) {
            Ok(d) => d,
            Err(e) => {
                metrics.fail.with_label_values(&["redis_error"]).inc();
                log::warn!("remediation: {e}");
                return;
            }
        };
        metrics
            .dlq_depth
            .with_label_values(&[dlq_key.as_str()])
            .set(depth);
        if depth == 0 {
            continue;
        }
        if source == Source::Moog && !moog_ok {
            log::info!("{dlq_key}: {depth} entries wait: the Moog circuit breaker is not closed");
            continue;
        }
        if limit > 0 && target_depth as u64 >= limit {
            log::info!(
                "{dlq_key}: {depth} entries wait: {target} holds {target_depth} (limit {limit})"
            );
            continue;
        }
        let n = limits.batch.min(depth as u64) as isize;
        let tail: Vec<String> = match conn.run(|c| {
            ::redis::cmd("LRANGE")
                .arg(&dlq_key)
                .arg(-n)
                .arg(-1)
                .query(c)
        }) {
            Ok(t) => t,
            Err(_) => continue,
        };
        let now = chrono::Utc::now();
        let moves: Vec<(String, ReplayTo)> = tail
            .into_iter()
            .rev()
            .map(|raw| {
                let to = next_step(&raw, source, limits.max_replays, now);
                (raw, to)
            })
            .collect();
        let dead_key = keys.dlq(Dlq::Dead).to_string();
        match conn.run(|c| scripts::replay(c, &dlq_key, &target, &dead_key, &moves)) {
            Ok(Some((replayed, dead))) => {
                metrics.success.inc_by(replayed);
                metrics.poison.inc_by(dead);
                log::info!("{dlq_key}: replayed {replayed} to {target}, {dead} to {dead_key}");
            }
            Ok(None) => log::info!("{dlq_key} changed while being read; trying again next cycle"),
            Err(e) => {
                metrics.fail.with_label_values(&["redis_error"]).inc();
                log::warn!("remediation: {e}");
            }
        }
    }
}
