//! `mutt web serve`: the REST API (`/api/v1/*` and `/api/v2/*`, identical JSON), the dashboard
//! and management pages, login sessions, health and metrics, on `SERVER_PORT_WEBUI`.
//!
//! Handlers are thin: they authenticate, parse and validate the request, and call the
//! management layer ([`crate::admin`]), which the admin CLI calls too.

pub mod api;
pub mod auth;
pub mod pages;
pub mod rates;
pub mod slo;

use crate::admin::Notifier;
use crate::http::{
    HealthBodyFn, HealthRoutes, HttpMetrics, Limits, Request, Response, Router, Server,
};
use crate::settings::{dynamic_keys, registry, ConfigError, Settings};
use crate::shutdown::Shutdown;
use crate::store::postgres::{PgConfig, PgConnector, Pool};
use crate::store::redis::dynamic::DynamicConfig;
use crate::store::redis::keys::Keys;
use crate::store::redis::{RedisConfig, RedisConnector, RedisManager};
use auth::{LoginLimiter, Sessions, WebKeys};
use prometheus::{IntCounterVec, Opts, Registry};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// Service name in `/health` (v2.5's).
pub const SERVICE: &str = "mutt-webui";
/// Handler threads: admin traffic is light, but SLO and audit queries may wait on I/O.
const WEB_WORKERS: usize = 8;
/// Window of the failed-login limit.
const LOGIN_WINDOW: Duration = Duration::from_secs(60);
/// Largest request body of the web API (rules and config values are small).
const WEB_MAX_BODY: usize = 256 * 1024;
/// Cap on a probe's wait for PostgreSQL.
const PROBE_DB_TIMEOUT: Duration = Duration::from_secs(2);

/// Why the web service could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// Missing or invalid configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Redis could not be set up.
    #[error(transparent)]
    Redis(#[from] crate::store::redis::RedisError),
    /// PostgreSQL could not be set up.
    #[error(transparent)]
    Db(#[from] crate::store::postgres::DbError),
    /// The listener could not be opened.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Everything handlers share.
pub struct Web {
    pub(crate) settings: Settings,
    pub(crate) keys: Keys,
    pub(crate) pg: Pool,
    pub(crate) redis: r2d2::Pool<RedisManager>,
    pub(crate) redis_connector: Arc<RedisConnector>,
    pub(crate) notifier: Notifier,
    pub(crate) api_keys: WebKeys,
    pub(crate) sessions: Sessions,
    pub(crate) logins: LoginLimiter,
    pub(crate) dynamic: Arc<DynamicConfig>,
    pub(crate) rates: rates::RatesCache,
    pub(crate) slo: slo::SloClient,
    pub(crate) slo_cache: slo::SloCache,
    pub(crate) api_requests: IntCounterVec,
}

/// Run until SIGTERM/SIGINT.
pub fn serve(settings: &Settings, shutdown: &Shutdown) -> Result<(), WebError> {
    start(settings, shutdown)?.join()?;
    log::info!("web stopped");
    Ok(())
}

/// A running web service.
pub struct WebServer {
    handle: crate::http::ServerHandle,
    // Held here so the state (and its blocking PostgreSQL pool) is dropped on the caller's
    // thread: dropping a postgres client on the server's tokio runtime panics.
    state: Arc<Web>,
}

impl WebServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.handle.local_addr()
    }

    /// Wait until it has stopped (after `shutdown` was requested).
    pub fn join(self) -> std::io::Result<()> {
        let result = self.handle.join();
        drop(self.state);
        result
    }
}

fn config_error(variable: &str, problem: impl Into<String>) -> WebError {
    ConfigError {
        variable: variable.into(),
        problem: problem.into(),
    }
    .into()
}

/// Start the service; the handle ends when `shutdown` is requested.
pub fn start(settings: &Settings, shutdown: &Shutdown) -> Result<WebServer, WebError> {
    let api_keys = WebKeys::new(
        settings.secret(&registry::WEBUI_API_KEYS),
        settings.secret(&registry::WEBUI_API_KEY),
        settings.duration(&registry::SECRETS_REFRESH),
    )
    .map_err(|e| {
        let (var, problem) = e.split_once(": ").unwrap_or(("WEBUI_API_KEYS", &e));
        config_error(var, problem)
    })?;
    if !api_keys.any() {
        return Err(config_error(
            "WEBUI_API_KEYS",
            "required by `mutt web serve`: set WEBUI_API_KEYS (name:scope:key entries) or WEBUI_API_KEY (or their _FILE)",
        ));
    }
    // Checked before connecting anywhere so a bad certificate fails fast with its variable named.
    let tls = crate::http::listener_tls(
        settings,
        &registry::WEBUI_TLS_CERT_PATH,
        &registry::WEBUI_TLS_KEY_PATH,
    )?;
    let keys = Keys::from_settings(settings);
    let redis_connector = RedisConnector::new(RedisConfig::from_settings(settings));
    let redis = redis_connector.pool()?;
    let pg_connector = PgConnector::new(PgConfig::from_settings(settings, "webui"))?;
    let pg = pg_connector.pool()?;
    let dynamic = if settings.bool(&registry::DYNAMIC_CONFIG_ENABLED) {
        // The SLO report's overrides are the web UI's only tunables.
        let watched: Vec<&'static str> = dynamic_keys::ALL
            .iter()
            .filter(|k| k.owner == "webui")
            .map(|k| k.name)
            .collect();
        DynamicConfig::start(
            Arc::clone(&redis_connector),
            keys.clone(),
            &watched,
            settings.duration(&registry::DYNAMIC_CONFIG_REFRESH),
            shutdown.clone(),
        )
    } else {
        DynamicConfig::disabled()
    };

    let registry = Registry::new();
    let api_requests = crate::http::registered(
        &registry,
        IntCounterVec::new(
            Opts::new(
                "mutt_webui_api_requests_total",
                "REST API requests by endpoint and outcome (success, client_error, fail)",
            ),
            &["endpoint", "status"],
        )
        .map_err(|e| std::io::Error::other(e.to_string()))?,
    )
    .map_err(|e| std::io::Error::other(e.to_string()))?;

    let web = Arc::new(Web {
        notifier: Notifier::new(Arc::clone(&redis_connector), keys.clone()),
        keys,
        pg,
        redis,
        redis_connector,
        api_keys,
        sessions: Sessions::new(Duration::from_secs(
            settings.int(&registry::WEBUI_SESSION_TTL) as u64,
        )),
        logins: LoginLimiter::new(
            settings.int(&registry::WEBUI_LOGIN_MAX_FAILURES) as u32,
            LOGIN_WINDOW,
        ),
        dynamic,
        rates: rates::RatesCache::new(settings.duration(&registry::METRICS_CACHE_TTL)),
        slo: slo::SloClient::new(
            settings.text(&registry::PROMETHEUS_URL),
            settings.duration(&registry::SLO_QUERY_TIMEOUT),
        ),
        slo_cache: slo::SloCache::new(settings.duration(&registry::SLO_CACHE_TTL)),
        api_requests,
        settings: settings.clone(),
    });

    let router = health_routes(&web, api::routes(Arc::clone(&web)), registry.clone());
    let addr = format!(
        "{}:{}",
        settings.text(&registry::MUTT_BIND_ADDRESS),
        settings.port(&registry::SERVER_PORT_WEBUI)
    );
    let limits = Limits {
        max_body_bytes: WEB_MAX_BODY,
        ..Limits::default()
    };
    let http_metrics = HttpMetrics::new(&registry, "mutt_webui")
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut server = Server::bind(&addr, limits)?.with_metrics(http_metrics);
    let scheme = if tls.is_some() { "https" } else { "http" };
    if let Some(tls) = tls {
        server = server.with_tls(tls);
    }
    log::info!(
        "web UI and REST API listening on {scheme}://{}",
        server.local_addr()
    );
    let local = server.local_addr();
    let handle = server.spawn(router, WEB_WORKERS, shutdown)?;
    crate::daemon::ready::announce(
        settings,
        SERVICE,
        &[(registry::SERVER_PORT_WEBUI.name, local)],
    )?;
    Ok(WebServer { handle, state: web })
}

fn health_routes(web: &Arc<Web>, router: Router, registry: Registry) -> Router {
    let version = env!("CARGO_PKG_VERSION").to_string();
    let health_version = version.clone();
    let body: HealthBodyFn = Arc::new(move |checks| legacy_health(checks, &health_version));
    let probe = Arc::clone(web);
    HealthRoutes {
        service: SERVICE.into(),
        version,
        pod: web.settings.pod_name("webui"),
        readiness: Arc::new(move || {
            vec![
                ("redis".to_string(), probe.ping_redis()),
                ("database".to_string(), probe.ping_db()),
            ]
        }),
    }
    .add_with_health_body(router, registry, Some(body))
}

impl Web {
    fn ping_redis(&self) -> Result<(), String> {
        // A fresh connection: a pool would keep retrying for its checkout timeout.
        let mut conn = self
            .redis_connector
            .connect()
            .map_err(|_| "unreachable".to_string())?;
        redis::cmd("PING")
            .query::<String>(&mut conn)
            .map(|_| ())
            .map_err(|_| "not answering".to_string())
    }

    fn ping_db(&self) -> Result<(), String> {
        let mut conn = self
            .pg
            .get_timeout(PROBE_DB_TIMEOUT)
            .map_err(|_| "unreachable".to_string())?;
        conn.simple_query("SELECT 1")
            .map(|_| ())
            .map_err(|_| "not answering".to_string())
    }
}

/// v2.5's `/health` body, without exception text.
fn legacy_health(checks: &[(String, Result<(), String>)], version: &str) -> Response {
    let state = |name: &str| {
        if checks.iter().any(|(n, r)| n == name && r.is_err()) {
            "disconnected"
        } else {
            "connected"
        }
    };
    let healthy = checks.iter().all(|(_, r)| r.is_ok());
    let mut body = json!({
        "status": if healthy { "healthy" } else { "unhealthy" },
        "service": SERVICE,
        "version": version,
        "redis": state("redis"),
        "database": state("database"),
    });
    if !healthy {
        let errors: Vec<String> = checks
            .iter()
            .filter_map(|(n, r)| r.as_ref().err().map(|e| format!("{n}: {e}")))
            .collect();
        body["error"] = json!(errors.join("; "));
    }
    Response::json(if healthy { 200 } else { 503 }, &body)
}

/// The request's session cookie value, if any.
pub(crate) fn session_cookie(req: &Request) -> Option<String> {
    req.header("Cookie")?.split(';').find_map(|part| {
        let (name, value) = part.trim().split_once('=')?;
        (name == api::SESSION_COOKIE && !value.is_empty()).then(|| value.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_slo_override_is_a_registered_web_key() {
        for key in slo::override_keys() {
            let def = dynamic_keys::find(&key)
                .unwrap_or_else(|| panic!("SLO override {key} is not in the dynamic-key registry"));
            assert_eq!(def.owner, "webui", "{key}");
        }
    }
}
