//! `mutt remediate run`: replays dead letters once their cause may be gone.
//!
//! Every `remediation_interval`, the one active instance (a Redis lock with an expiry) moves up to
//! `remediation_batch_size` of the oldest entries of `mutt:dlq:alerter` back to the ingest queue and
//! of `mutt:dlq:moog` back to the alert queue, atomically, counting `_replay_count`; an entry
//! already replayed `max_poison_retries` times goes to `mutt:dlq:dead` instead. Moog replay waits
//! while the circuit breaker is not closed (nothing is posted to Moog to probe it), and a target
//! queue above its backpressure threshold is left alone.

use crate::backoff::Backoff;
use crate::http::{HealthRoutes, ServerHandle};
use crate::settings::dynamic::DynamicConfig;
use crate::settings::{dynamic_keys as dk, registry, Settings};
use crate::shutdown::Shutdown;
use crate::store::redis::keys::{Dlq, Keys, Service};
use crate::store::redis::scripts::{self, ReplayTo};
use crate::store::redis::{ReconnectingConnection, RedisConfig, RedisConnector};
use prometheus::{
    Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};
use serde_json::{json, Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The field counting replays.
pub const REPLAY_FIELD: &str = "_replay_count";
/// Dynamic keys read.
pub const DYNAMIC_KEYS: [&str; 5] = [
    dk::REMEDIATION_INTERVAL,
    dk::REMEDIATION_BATCH_SIZE,
    dk::MAX_POISON_RETRIES,
    dk::MAX_INGEST_QUEUE_SIZE,
    dk::ALERTER_QUEUE_SHED_THRESHOLD,
];

/// Which DLQ an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `mutt:dlq:alerter` → `mutt:ingest_queue`.
    Alerter,
    /// `mutt:dlq:moog` → `mutt:alert_queue`.
    Moog,
}

/// Where one DLQ entry goes next, and as what text.
pub fn next_step(
    raw: &str,
    source: Source,
    max_replays: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> ReplayTo {
    let at = crate::timefmt::millis(now);
    let Ok(Value::Object(mut entry)) = serde_json::from_str::<Value>(raw) else {
        let mut dead = Map::new();
        dead.insert("raw".into(), Value::String(raw.to_string()));
        dead.insert(
            "_dead".into(),
            json!({"reason": "not a JSON object; cannot be replayed", "at": at}),
        );
        return ReplayTo::Dead(Value::Object(dead).to_string());
    };
    let replays = entry.get(REPLAY_FIELD).and_then(Value::as_u64).unwrap_or(0) as u32;
    if replays >= max_replays {
        entry.insert(
            "_dead".into(),
            json!({"reason": format!("replayed {replays} time(s) without success"), "at": at}),
        );
        return ReplayTo::Dead(Value::Object(entry).to_string());
    }
    // The envelope described the last failure; the replayed message starts clean.
    entry.remove("_dlq");
    entry.remove("shedding_reason");
    entry.insert(REPLAY_FIELD.into(), Value::from(replays + 1));
    if source == Source::Moog {
        entry.insert(crate::forward::payload::RETRY_FIELD.into(), Value::from(0));
    }
    ReplayTo::Target(Value::Object(entry).to_string())
}

/// Errors that stop remediation from starting.
#[derive(Debug, thiserror::Error)]
pub enum RemediateError {
    /// Redis unusable at startup.
    #[error(transparent)]
    Redis(#[from] crate::store::redis::RedisError),
    /// Listener or thread failure.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

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

use crate::http::registered as reg;

impl Metrics {
    fn new(r: &Registry) -> prometheus::Result<Metrics> {
        Ok(Metrics {
            loops: reg(
                r,
                IntCounter::new("mutt_remediation_loops_total", "Replay cycles")?,
            )?,
            dlq_depth: reg(
                r,
                IntGaugeVec::new(
                    Opts::new("mutt_remediation_dlq_depth", "DLQ depth"),
                    &["dlq_name"],
                )?,
            )?,
            success: reg(
                r,
                IntCounter::new("mutt_remediation_replay_success_total", "Entries replayed")?,
            )?,
            fail: reg(
                r,
                IntCounterVec::new(
                    Opts::new("mutt_remediation_replay_fail_total", "Replay failures"),
                    &["reason"],
                )?,
            )?,
            poison: reg(
                r,
                IntCounter::new(
                    "mutt_remediation_poison_messages_total",
                    "Entries moved to the dead list",
                )?,
            )?,
            moog_health: reg(
                r,
                IntGauge::new(
                    "mutt_remediation_moog_health",
                    "1 when the Moog breaker is closed",
                )?,
            )?,
            duration: reg(
                r,
                Histogram::with_opts(HistogramOpts::new(
                    "mutt_remediation_loop_duration_seconds",
                    "Cycle time",
                ))?,
            )?,
        })
    }
}

/// Run remediation until SIGTERM/SIGINT.
pub fn run(settings: &Settings, shutdown: &Shutdown) -> Result<(), RemediateError> {
    let keys = Keys::from_settings(settings);
    let pod = settings.instance_name(
        "remediation",
        settings.port(&registry::HEALTH_PORT_REMEDIATION),
    );
    let instance = format!("{pod}-{}", uuid::Uuid::new_v4().simple());
    let instances = keys.instances(Service::Remediation);
    let forget_ms = settings
        .duration(&registry::STATUS_FORGET_AFTER)
        .as_millis() as u64;
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    drop(connector.connect()?);
    let registry = Registry::new();
    let metrics = Metrics::new(&registry).map_err(|e| std::io::Error::other(e.to_string()))?;
    let redis_ok = Arc::new(AtomicBool::new(true));
    let servers = start_servers(settings, registry, Arc::clone(&redis_ok), shutdown)?;
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
    let tun = |key: &str, def: &registry::Def| dynamic.int_or(key, settings, def).max(0) as u64;
    let mut conn = ReconnectingConnection::new(
        connector,
        Backoff::new(Duration::from_millis(200), Duration::from_secs(10)),
    );
    let lock = keys.lock("remediation");
    let enabled = settings.bool(&registry::REMEDIATION_ENABLED);
    if !enabled {
        log::warn!("REMEDIATION_ENABLED is off: idling (not exiting, so an orchestrator does not restart us)");
    }
    loop {
        let interval = Duration::from_secs(
            tun(dk::REMEDIATION_INTERVAL, &registry::REMEDIATION_INTERVAL).max(1),
        );
        let lease = interval * 2 + Duration::from_secs(10);
        // Seen by `mutt status`: alive until a whole lease passes without a cycle.
        if let Err(e) =
            conn.run(|c| scripts::beat(c, &instances, &pod, &instance, lease.as_secs(), forget_ms))
        {
            log::warn!("remediation heartbeat: {e}");
        }
        if enabled {
            let started = Instant::now();
            match conn.run(|c| hold_lock(c, &lock, &instance, lease)) {
                Ok(true) => {
                    metrics.loops.inc();
                    redis_ok.store(true, Ordering::Relaxed);
                    let limits = CycleLimits {
                        batch: tun(
                            dk::REMEDIATION_BATCH_SIZE,
                            &registry::REMEDIATION_BATCH_SIZE,
                        )
                        .max(1),
                        max_replays: tun(dk::MAX_POISON_RETRIES, &registry::MAX_POISON_RETRIES)
                            as u32,
                        ingest_limit: tun(
                            dk::MAX_INGEST_QUEUE_SIZE,
                            &registry::MAX_INGEST_QUEUE_SIZE,
                        ),
                        alert_limit: tun(
                            dk::ALERTER_QUEUE_SHED_THRESHOLD,
                            &registry::ALERTER_QUEUE_SHED_THRESHOLD,
                        ),
                    };
                    cycle(&mut conn, &keys, &metrics, &limits);
                    metrics.duration.observe(started.elapsed().as_secs_f64());
                }
                Ok(false) => log::debug!("another remediation instance holds {lock}"),
                Err(e) => {
                    redis_ok.store(false, Ordering::Relaxed);
                    metrics.fail.with_label_values(&["redis_error"]).inc();
                    log::warn!("remediation: {e}");
                }
            }
        }
        if shutdown.wait_timeout(interval) {
            break;
        }
    }
    let _ = conn.run(|c| release_lock(c, &lock, &instance));
    let _ = conn.run(|c| {
        ::redis::cmd("HDEL")
            .arg(&instances)
            .arg(&pod)
            .query::<()>(c)
    });
    for s in servers {
        let _ = s.join();
    }
    log::info!("remediation stopped");
    Ok(())
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
    let breaker_key = keys.circuit_breaker(crate::forward::BREAKER, "state");
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

fn start_servers(
    settings: &Settings,
    registry: Registry,
    redis_ok: Arc<AtomicBool>,
    shutdown: &Shutdown,
) -> Result<Vec<ServerHandle>, RemediateError> {
    let routes = HealthRoutes {
        service: "mutt-remediation".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        pod: settings.instance_name(
            "remediation",
            settings.port(&registry::HEALTH_PORT_REMEDIATION),
        ),
        readiness: Arc::new(move || {
            vec![(
                "redis".into(),
                crate::http::flag_check(redis_ok.load(Ordering::Relaxed), "Redis"),
            )]
        }),
    };
    let ports = [
        settings.port(&registry::HEALTH_PORT_REMEDIATION),
        settings.port(&registry::METRICS_PORT_REMEDIATION),
    ];
    Ok(routes.serve_on(
        settings.text(&registry::MUTT_BIND_ADDRESS),
        &ports,
        registry,
        None,
        shutdown,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
            .unwrap()
    }

    fn target(to: ReplayTo) -> Value {
        match to {
            ReplayTo::Target(t) => serde_json::from_str(&t).unwrap(),
            ReplayTo::Dead(d) => panic!("expected a replay, got dead {d}"),
        }
    }

    fn dead(to: ReplayTo) -> Value {
        match to {
            ReplayTo::Dead(d) => serde_json::from_str(&d).unwrap(),
            ReplayTo::Target(t) => panic!("expected dead, got replay {t}"),
        }
    }

    #[test]
    fn entries_are_replayed_clean_and_counted() {
        let entry = r#"{"hostname":"h","message":"m","_dlq":{"reason":"x"},"shedding_reason":"queue_depth_exceeded:3>2"}"#;
        let v = target(next_step(entry, Source::Alerter, 3, now()));
        assert_eq!(v, json!({"hostname":"h","message":"m","_replay_count":1}));
        let again = target(next_step(&v.to_string(), Source::Alerter, 3, now()));
        assert_eq!(again["_replay_count"], 2);
        let moog = target(next_step(
            r#"{"hostname":"h","_moog_retry_count":6,"_dlq":{}}"#,
            Source::Moog,
            3,
            now(),
        ));
        assert_eq!(
            moog,
            json!({"hostname":"h","_moog_retry_count":0,"_replay_count":1})
        );
    }

    #[test]
    fn entries_at_the_limit_or_unreadable_go_to_the_dead_list() {
        let d = dead(next_step(
            r#"{"hostname":"h","_replay_count":3}"#,
            Source::Alerter,
            3,
            now(),
        ));
        assert_eq!(d["_dead"]["reason"], "replayed 3 time(s) without success");
        assert_eq!(d["_dead"]["at"], "2026-11-22T12:00:00.000Z");
        assert_eq!(d["hostname"], "h");
        let d = dead(next_step("[1,2]", Source::Alerter, 3, now()));
        assert_eq!(d["raw"], "[1,2]");
        assert_eq!(
            d["_dead"]["reason"],
            "not a JSON object; cannot be replayed"
        );
        // max 0: nothing is ever replayed.
        assert!(matches!(
            next_step(r#"{"a":1}"#, Source::Moog, 0, now()),
            ReplayTo::Dead(_)
        ));
    }
}
