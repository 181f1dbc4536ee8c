//! The daemon runtime: what every long-running `mutt` service shares, so that a daemon is only
//! its own loop.
//!
//! [`Runtime::start`] binds the health and metrics listeners (port 0 asks the kernel for a free
//! one), names the instance after the bound health port (or `POD_NAME`), serves `/health`,
//! `/health/live`, `/health/ready` and `/metrics` on each, and writes `MUTT_READY_FILE`. The
//! daemon then registers its metrics in [`Runtime::registry`], keeps its readiness flags up to
//! date ([`Runtime::flag`]), claims its queue ([`Runtime::claim`], heartbeat before the first
//! take, janitor beside it) and hands its [`Worker`] to [`Runtime::run`], which steps it until
//! SIGTERM/SIGINT and then drains, stops the heartbeat, leaves and joins the listeners — in that
//! order, so no janitor ever sees a live instance as dead, and no heartbeat outlives the leave.

mod metrics;
pub mod ready;

pub use metrics::MetricSet;

use crate::backoff::Backoff;
use crate::http::{HealthBodyFn, HealthRoutes, Limits, Response, Server, ServerHandle};
use crate::queue::{Delivery, ReliableQueue};
use crate::settings::registry::{self, Def};
use crate::settings::Settings;
use crate::shutdown::Shutdown;
use crate::store::redis::dynamic::{DynamicConfig, Tunables};
use crate::store::redis::keys::Keys;
use crate::store::redis::{ReconnectingConnection, RedisConnector};
use prometheus::Registry;
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// Handler threads of a probe-only listener (health and metrics scrapes are light).
const PROBE_WORKERS: usize = 4;

/// Errors that stop a daemon from starting.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    /// Redis unusable at startup.
    #[error(transparent)]
    Redis(#[from] crate::store::redis::RedisError),
    /// PostgreSQL unusable at startup.
    #[error(transparent)]
    Db(#[from] crate::store::postgres::DbError),
    /// The instance name is taken by a live instance.
    #[error(transparent)]
    Claim(#[from] crate::queue::ClaimError),
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] crate::settings::ConfigError),
    /// Listener or thread failure.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl From<prometheus::Error> for DaemonError {
    fn from(e: prometheus::Error) -> DaemonError {
        DaemonError::Io(std::io::Error::other(e.to_string()))
    }
}

/// Called with every change notice on `mutt:config:updates`.
pub type NoticeFn = Box<dyn Fn(&str) + Send>;

/// Extra fields a daemon adds to its `/health` body (v2.5's forwarder reports its breaker).
pub type HealthFieldsFn = Arc<dyn Fn() -> Vec<(&'static str, Value)> + Send + Sync>;

/// What a daemon tells the runtime about itself.
pub struct Spec {
    /// `/health`'s service name (v2.5's, e.g. `mutt-alerter`).
    pub service: &'static str,
    /// First word of the default instance name `<role>-<host>-<health port>`.
    pub role: &'static str,
    /// The health listener's port setting; its bound port names the instance.
    pub health_port: &'static Def,
    /// The metrics listener's port setting (it answers the same probes).
    pub metrics_port: &'static Def,
    /// Readiness flags by check name, with the word their failure names (`("redis", "Redis")`);
    /// each starts unset (not ready) until the daemon sets it.
    pub flags: &'static [(&'static str, &'static str)],
    /// Fields added to `/health` after `pod`, when the daemon has some.
    pub health_fields: Option<HealthFieldsFn>,
    /// Listeners the daemon bound itself (syslog's UDP, TCP, TLS and RELP sockets), by setting
    /// name, announced in `MUTT_READY_FILE` after the health and metrics listeners.
    pub own_listeners: Vec<(&'static str, std::net::SocketAddr)>,
}

/// A readiness flag the daemon keeps up to date.
#[derive(Clone)]
pub struct Flag(Arc<AtomicBool>);

impl Flag {
    /// Record whether the dependency is usable.
    pub fn set(&self, ok: bool) {
        self.0.store(ok, Ordering::Relaxed);
    }

    /// The last recorded state.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

type CheckFn = Box<dyn Fn() -> Result<(), String> + Send + Sync>;

/// The readiness checks of one daemon: flags plus computed checks added after start.
struct Readiness {
    flags: Vec<(&'static str, &'static str, Flag)>,
    checks: RwLock<Vec<(&'static str, CheckFn)>>,
}

impl Readiness {
    fn results(&self) -> Vec<(String, Result<(), String>)> {
        let mut out: Vec<(String, Result<(), String>)> = self
            .flags
            .iter()
            .map(|(name, what, flag)| (name.to_string(), crate::http::flag_check(flag.get(), what)))
            .collect();
        if let Ok(checks) = self.checks.read() {
            out.extend(
                checks
                    .iter()
                    .map(|(name, check)| (name.to_string(), check())),
            );
        }
        out
    }
}

/// One iteration at a time of a daemon's own work; the runtime owns the loop around it.
pub trait Worker {
    /// One pass (a batch, a cycle); false when the daemon must stop now.
    fn step(&mut self) -> bool;
    /// After the last step, while the heartbeat still runs: finish what is in flight.
    fn drain(&mut self) {}
    /// After the heartbeat stopped: give back what this instance holds (processing list, lock).
    fn leave(&mut self) {}
}

/// A started daemon: its listeners, instance name, metrics registry and readiness.
pub struct Runtime {
    service: &'static str,
    settings: Settings,
    shutdown: Shutdown,
    pod: String,
    registry: Registry,
    readiness: Arc<Readiness>,
    servers: Vec<ServerHandle>,
    upkeep: Shutdown,
}

impl Runtime {
    /// Bind and serve the health and metrics listeners, then write `MUTT_READY_FILE`.
    pub fn start(
        settings: &Settings,
        shutdown: &Shutdown,
        spec: Spec,
    ) -> Result<Runtime, DaemonError> {
        let bind = settings.text(&registry::MUTT_BIND_ADDRESS);
        let defs = [spec.health_port, spec.metrics_port];
        let mut bound = Vec::with_capacity(defs.len());
        for def in defs {
            let server = Server::bind(&format!("{bind}:{}", settings.port(def)), Limits::default())
                .map_err(|e| bind_error(def, settings.port(def), e))?;
            bound.push((def, server));
        }
        let health_port = bound[0].1.local_addr().port();
        let pod = settings.instance_name(spec.role, health_port);
        let readiness = Arc::new(Readiness {
            flags: spec
                .flags
                .iter()
                .map(|(name, what)| (*name, *what, Flag(Arc::new(AtomicBool::new(false)))))
                .collect(),
            checks: RwLock::new(Vec::new()),
        });
        let registry = Registry::new();
        let probe = Arc::clone(&readiness);
        let routes = HealthRoutes {
            service: spec.service.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            pod: pod.clone(),
            readiness: Arc::new(move || probe.results()),
        };
        let body = spec
            .health_fields
            .map(|fields| health_body(spec.service, &pod, fields));
        let mut servers = Vec::with_capacity(bound.len());
        let mut listeners = Vec::with_capacity(bound.len());
        for (def, server) in bound {
            let router = routes.clone().add_with_health_body(
                crate::http::Router::new(),
                registry.clone(),
                body.clone(),
            );
            log::info!(
                "{} {} listening on http://{}",
                spec.service,
                def.name,
                server.local_addr()
            );
            listeners.push((def.name, server.local_addr()));
            servers.push(server.spawn(router, PROBE_WORKERS, shutdown)?);
        }
        listeners.extend(spec.own_listeners.iter().copied());
        ready::announce(settings, spec.service, &listeners)?;
        Ok(Runtime {
            service: spec.service,
            settings: settings.clone(),
            shutdown: shutdown.clone(),
            pod,
            registry,
            readiness,
            servers,
            upkeep: Shutdown::new(),
        })
    }

    /// This instance's name (heartbeats, processing lists, logs).
    pub fn pod(&self) -> &str {
        &self.pod
    }

    /// The registry `/metrics` serves; register the daemon's metrics here.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The shutdown the daemon's loop and helpers watch.
    pub fn shutdown(&self) -> &Shutdown {
        &self.shutdown
    }

    /// The readiness flag named `name` in [`Spec::flags`].
    ///
    /// # Panics
    /// When `name` is not one of the spec's flags (a programming error).
    pub fn flag(&self, name: &str) -> Flag {
        match self.readiness.flags.iter().find(|(n, _, _)| *n == name) {
            Some((_, _, flag)) => flag.clone(),
            None => panic!("no readiness flag {name:?} in the daemon's spec"),
        }
    }

    /// Add a readiness check computed at each probe.
    pub fn add_check(
        &self,
        name: &'static str,
        check: impl Fn() -> Result<(), String> + Send + Sync + 'static,
    ) {
        if let Ok(mut checks) = self.readiness.checks.write() {
            checks.push((name, Box::new(check)));
        }
    }

    /// The daemon's tunables: its settings, overridden by the live values of `dynamic_keys`
    /// (none when `DYNAMIC_CONFIG_ENABLED` is off); `on_notice` sees every change notice (rule and
    /// host reloads).
    pub fn tunables(
        &self,
        connector: &Arc<RedisConnector>,
        keys: &Keys,
        dynamic_keys: &'static [&'static str],
        on_notice: Option<NoticeFn>,
    ) -> Tunables {
        let dynamic = self.dynamic_config(connector, keys, dynamic_keys, on_notice);
        Tunables::new(self.settings.clone(), dynamic)
    }

    fn dynamic_config(
        &self,
        connector: &Arc<RedisConnector>,
        keys: &Keys,
        dynamic_keys: &'static [&'static str],
        on_notice: Option<NoticeFn>,
    ) -> Arc<DynamicConfig> {
        if !self.settings.bool(&registry::DYNAMIC_CONFIG_ENABLED) {
            return DynamicConfig::disabled();
        }
        let refresh = self.settings.duration(&registry::DYNAMIC_CONFIG_REFRESH);
        let (connector, keys, stop) = (Arc::clone(connector), keys.clone(), self.shutdown.clone());
        let listener = on_notice.unwrap_or_else(|| Box::new(|_| {}));
        DynamicConfig::start_with_listener(connector, keys, dynamic_keys, refresh, stop, listener)
    }

    /// A Redis connection that reconnects with the daemons' backoff (100 ms up to 10 s).
    pub fn reconnecting(&self, connector: &Arc<RedisConnector>) -> ReconnectingConnection {
        ReconnectingConnection::new(
            Arc::clone(connector),
            Backoff::new(Duration::from_millis(100), Duration::from_secs(10)),
        )
    }

    /// Claim `queue` for this instance (heartbeat first, so no janitor mistakes it for a dead
    /// one), mark `redis` ready, and keep the heartbeat and janitor running until after the loop.
    pub fn claim(
        &self,
        connector: &Arc<RedisConnector>,
        queue: &ReliableQueue,
        heartbeat: &Def,
        ttl: &Def,
        janitor: &Def,
    ) -> Result<(), DaemonError> {
        let ttl = self.settings.duration(ttl);
        let mut conn = connector.connect()?;
        queue.claim(&mut conn, ttl)?;
        drop(conn);
        self.flag("redis").set(true);
        self.check_replicas(connector);
        crate::queue::spawn_upkeep(
            Arc::clone(connector),
            queue.clone(),
            self.settings.duration(heartbeat),
            ttl,
            self.settings.duration(janitor),
            self.upkeep.clone(),
        )?;
        Ok(())
    }

    /// With `REDIS_MIN_REPLICAS_ACK` > 0, readiness also asks the master how many replicas it
    /// has online: fewer than the setting means nothing this daemon writes can be acknowledged,
    /// so it is not ready, and the change is logged once each way.
    pub fn check_replicas(&self, connector: &Arc<RedisConnector>) {
        let ack = connector.config().replica_ack;
        if !ack.is_on() {
            return;
        }
        let connector = Arc::clone(connector);
        let was_short = AtomicBool::new(false);
        self.add_check("redis_replicas", move || {
            let mut conn = connector.connect().map_err(|e| e.to_string())?;
            let shortfall = crate::store::redis::replicas::shortfall_now(&mut conn, &ack)
                .map_err(|e| e.to_string())?;
            match &shortfall {
                Some(reason) if !was_short.swap(true, Ordering::Relaxed) => {
                    log::warn!("not ready: {reason}");
                }
                None if was_short.swap(false, Ordering::Relaxed) => {
                    log::info!("Redis replicas are back; ready");
                }
                _ => {}
            }
            shortfall.map_or(Ok(()), Err)
        });
    }

    /// Stops when the loop has ended and drained (background sweepers beside the heartbeat).
    pub fn upkeep_stop(&self) -> Shutdown {
        self.upkeep.clone()
    }

    /// Step `worker` until shutdown, then drain, stop the upkeep threads, leave, and wait for the
    /// listeners.
    pub fn run(self, worker: &mut dyn Worker) -> Result<(), DaemonError> {
        while !self.shutdown.is_requested() && worker.step() {}
        worker.drain();
        self.upkeep.trigger();
        worker.leave();
        for s in self.servers {
            let _ = s.join();
        }
        log::info!("{} stopped", self.service);
        Ok(())
    }
}

/// Take up to `max` deliveries from `queue` into this instance's processing list, waiting out
/// Redis outages (`None`: shutdown came first). `redis` records whether the take worked.
pub fn take(
    conn: &mut ReconnectingConnection,
    queue: &ReliableQueue,
    max: usize,
    block: Duration,
    shutdown: &Shutdown,
    redis: &Flag,
) -> Option<Vec<Delivery>> {
    match conn.run_until_ok(shutdown, |c| queue.take(c, max, block))? {
        Ok(batch) => {
            redis.set(true);
            Some(batch)
        }
        Err(e) => {
            log::error!("taking from {} failed: {e}", queue.source());
            redis.set(false);
            Some(Vec::new())
        }
    }
}

/// Put back what this instance still holds and drop its heartbeat (the janitor would otherwise
/// recover the list after the heartbeat expires).
pub fn leave(conn: &mut ReconnectingConnection, queue: &ReliableQueue) {
    if let Err(e) = conn.run(|c| queue.leave(c)) {
        log::warn!("could not clean up on exit ({e}); the janitor will recover the list");
    }
}

fn bind_error(def: &Def, port: u16, e: std::io::Error) -> DaemonError {
    DaemonError::Io(std::io::Error::new(
        e.kind(),
        format!("cannot listen on port {port} ({}): {e}", def.name),
    ))
}

/// The standard `/health` body with the daemon's fields after `pod`.
fn health_body(service: &'static str, pod: &str, fields: HealthFieldsFn) -> HealthBodyFn {
    let pod = pod.to_string();
    Arc::new(move |checks| {
        let errors: Vec<String> = checks
            .iter()
            .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n}: {e}")))
            .collect();
        let mut body = Map::new();
        let healthy = errors.is_empty();
        body.insert(
            "status".into(),
            Value::from(if healthy { "healthy" } else { "unhealthy" }),
        );
        body.insert("service".into(), Value::from(service));
        body.insert("version".into(), Value::from(env!("CARGO_PKG_VERSION")));
        body.insert("pod".into(), Value::from(pod.as_str()));
        for (name, value) in fields() {
            body.insert(name.into(), value);
        }
        if !healthy {
            body.insert("errors".into(), Value::from(errors));
        }
        Response::json(if healthy { 200 } else { 503 }, &Value::Object(body))
    })
}
