//! `mutt forward run`: the Moog forwarder.
//!
//! The loop (`worker.rs`): ask the shared circuit breaker whether to send (`gate.rs`; while it is
//! open nothing is taken, so no retries are burned); take a batch from `mutt:alert_queue` into
//! this pod's processing list; send it in chunks as the shared rate limit grants permits, with up
//! to `MOOG_CONCURRENCY` requests in flight on pooled keep-alive connections (`sender.rs`); then
//! one Redis transaction schedules the retries, pushes the DLQ entries, puts back what was not
//! sent, and acknowledges the batch. What a request carries and how its answer is read are pure
//! functions in [`payload`].

mod gate;
mod metrics;
pub mod payload;
mod sender;
mod worker;

use crate::backoff::Backoff;
use crate::daemon::{DaemonError, Runtime, Spec};
use crate::queue::ReliableQueue;
use crate::settings::{dynamic_keys as dk, registry, Settings};
use crate::shutdown::Shutdown;
use crate::store::redis::keys::{Consumer, Keys};
use crate::store::redis::scripts;
use crate::store::redis::{ReconnectingConnection, RedisConfig, RedisConnector};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
// How often due retries are moved back to the queue, and how many at a time.
const RETRY_SWEEP_EVERY: Duration = Duration::from_millis(200);
const RETRY_SWEEP_MAX: u64 = 1000;

/// Run the forwarder until SIGTERM/SIGINT: requests in flight finish, what was not sent is put
/// back, exit.
pub fn run(settings: &Settings, shutdown: &Shutdown) -> Result<(), DaemonError> {
    let url = settings.text(&registry::MOOG_WEBHOOK_URL).to_string();
    if url::Url::parse(&url).is_err() {
        return Err(crate::settings::ConfigError {
            variable: "MOOG_WEBHOOK_URL".into(),
            problem: format!("{url:?} is not a URL"),
        }
        .into());
    }
    let keys = Keys::from_settings(settings);
    let connector = RedisConnector::new(RedisConfig::from_settings(settings));
    let breaker_state = Arc::new(Mutex::new("CLOSED".to_string()));
    let health_state = Arc::clone(&breaker_state);
    let rt = Runtime::start(
        settings,
        shutdown,
        Spec {
            service: SERVICE,
            role: "forwarder",
            health_port: &registry::HEALTH_PORT_MOOG,
            metrics_port: &registry::METRICS_PORT_MOOG,
            flags: &[("redis", "Redis")],
            // v2.5's forwarder reports its breaker in `/health`.
            health_fields: Some(Arc::new(move || {
                let state = health_state.lock().map(|s| s.clone()).unwrap_or_default();
                vec![("circuit_breaker", Value::from(state))]
            })),
            own_listeners: Vec::new(),
        },
    )?;
    let metrics = metrics::Metrics::new(rt.registry())?;
    let tunables = rt.tunables(&connector, &keys, &DYNAMIC_KEYS, None);

    let queue = ReliableQueue::new(keys.clone(), Consumer::Moog, rt.pod(), keys.alert_queue())
        .forgetting_after(settings.duration(&registry::STATUS_FORGET_AFTER));
    rt.claim(
        &connector,
        &queue,
        &registry::MOOG_HEARTBEAT_INTERVAL,
        &registry::MOOG_JANITOR_TIMEOUT,
        &registry::MOOG_JANITOR_INTERVAL,
    )?;
    spawn_retry_sweeper(Arc::clone(&connector), keys.clone(), rt.upkeep_stop())?;

    let timeout = settings.duration(&registry::MOOG_WEBHOOK_TIMEOUT);
    let senders = sender::Senders::start(
        url.clone(),
        settings.secret(&registry::MOOG_API_KEY),
        timeout,
        settings.int(&registry::MOOG_CONCURRENCY) as usize,
    )?;
    log::info!(
        "forwarder {} sending {} to {url}",
        rt.pod(),
        keys.alert_queue()
    );

    let mut worker = worker::Worker {
        gate: gate::Gate::new(
            &keys,
            rt.pod(),
            settings.bool(&registry::CIRCUIT_BREAKER_ENABLED),
            timeout + Duration::from_secs(5),
            breaker_state,
            metrics.clone(),
        ),
        keys,
        queue,
        redis: rt.reconnecting(&connector),
        tunables,
        metrics,
        redis_ok: rt.flag("redis"),
        senders: Some(senders),
        pod: rt.pod().to_string(),
        take_size: settings.int(&registry::MOOG_TAKE_SIZE) as usize,
        per_request: settings.int(&registry::MOOG_BATCH_SIZE) as usize,
        max_retries: settings.int(&registry::MOOG_MAX_RETRIES) as u32,
        base_delay: settings.duration(&registry::MOOG_RETRY_BASE_DELAY),
        max_delay: settings.duration(&registry::MOOG_RETRY_MAX_DELAY),
        retry_loaded: false,
        shutdown: shutdown.clone(),
    };
    rt.run(&mut worker)
}

/// Move due retries from the delayed-retry set back to the alert queue (no worker sleeps on a
/// retry), until `stop`.
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
