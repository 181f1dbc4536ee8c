//! Standard health, readiness and metrics endpoints.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use prometheus::{Encoder, Registry, TextEncoder};
use serde::Serialize;

use super::response::Response;
use super::router::Router;

/// Handler threads of a probe-only listener (health and metrics scrapes are light).
const PROBE_WORKERS: usize = 4;

/// Longest readiness-check message exposed to callers; longer ones are cut.
const MAX_CHECK_MESSAGE_CHARS: usize = 200;

/// Readiness probe: returns `(check name, Ok or short error message)` for every dependency.
pub type ReadinessFn = Arc<dyn Fn() -> Vec<(String, Result<(), String>)> + Send + Sync>;

/// A readiness check result from a flag the daemon keeps up to date.
pub fn flag_check(ok: bool, what: &str) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(format!("{what} unavailable"))
    }
}

/// Renders the registry in the Prometheus text exposition format 0.0.4.
pub fn metrics_response(registry: &Registry) -> Response {
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    match encoder.encode(&registry.gather(), &mut body) {
        Ok(()) => Response::text(200, encoder.format_type(), body),
        Err(err) => {
            log::error!("failed to encode metrics: {err}");
            Response::text(
                500,
                "text/plain; charset=utf-8",
                "failed to encode metrics\n",
            )
        }
    }
}

/// Renders a daemon's own `/health` body (v2.5 shapes differ per service) from the check results.
pub type HealthBodyFn = Arc<dyn Fn(&[(String, Result<(), String>)]) -> Response + Send + Sync>;

/// Configuration for `/health`, `/health/live`, `/health/ready` and `/metrics`.
#[derive(Clone)]
pub struct HealthRoutes {
    /// Service name reported by `/health`.
    pub service: String,
    /// Service version reported by `/health`.
    pub version: String,
    /// Pod (or host) name reported by `/health`.
    pub pod: String,
    /// Dependency checks run on every `/health` and `/health/ready` request.
    pub readiness: ReadinessFn,
}

#[derive(Serialize)]
struct HealthBody<'a> {
    status: &'static str,
    service: &'a str,
    version: &'a str,
    pod: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

#[derive(Serialize)]
struct StatusBody {
    status: &'static str,
}

#[derive(Serialize)]
struct ReadyBody {
    status: &'static str,
    checks: BTreeMap<String, String>,
}

impl HealthRoutes {
    /// Registers the health and metrics routes on `router`.
    pub fn add_to(self, router: Router, registry: Registry) -> Router {
        self.add_with_health_body(router, registry, None)
    }

    /// Serve these routes (and `/metrics`) on each of `ports` at `bind`: the daemons' health and
    /// metrics ports answer the same probes, so either can be pointed at.
    pub fn serve_on(
        self,
        bind: &str,
        ports: &[u16],
        registry: Registry,
        body: Option<HealthBodyFn>,
        shutdown: &crate::shutdown::Shutdown,
    ) -> std::io::Result<Vec<super::ServerHandle>> {
        let mut handles = Vec::with_capacity(ports.len());
        for port in ports {
            let router =
                self.clone()
                    .add_with_health_body(Router::new(), registry.clone(), body.clone());
            let server = super::Server::bind(&format!("{bind}:{port}"), super::Limits::default())?;
            handles.push(server.spawn(router, PROBE_WORKERS, shutdown)?);
        }
        Ok(handles)
    }

    /// Like [`HealthRoutes::add_to`], with `/health` rendered by `body` when given (to keep a
    /// v2.5 service's exact `/health` body).
    pub fn add_with_health_body(
        self,
        router: Router,
        registry: Registry,
        body: Option<HealthBodyFn>,
    ) -> Router {
        let this = Arc::new(self);
        let health = Arc::clone(&this);
        let ready = Arc::clone(&this);
        router
            .get("/health", move |_| match &body {
                Some(render) => render(&health.run_checks()),
                None => health.health(),
            })
            .get("/health/live", |_| {
                Response::json(200, &StatusBody { status: "alive" })
            })
            .get("/health/ready", move |_| ready.ready())
            .get("/metrics", move |_| metrics_response(&registry))
    }

    fn health(&self) -> Response {
        let errors: Vec<String> = self
            .run_checks()
            .into_iter()
            .filter_map(|(name, result)| result.err().map(|msg| format!("{name}: {msg}")))
            .collect();
        let (status, label) = if errors.is_empty() {
            (200, "healthy")
        } else {
            (503, "unhealthy")
        };
        Response::json(
            status,
            &HealthBody {
                status: label,
                service: &self.service,
                version: &self.version,
                pod: &self.pod,
                errors,
            },
        )
    }

    fn ready(&self) -> Response {
        let mut all_ok = true;
        let checks = self
            .run_checks()
            .into_iter()
            .map(|(name, result)| match result {
                Ok(()) => (name, "ok".to_owned()),
                Err(msg) => {
                    all_ok = false;
                    (name, msg)
                }
            })
            .collect();
        let (status, label) = if all_ok {
            (200, "ready")
        } else {
            (503, "not_ready")
        };
        Response::json(
            status,
            &ReadyBody {
                status: label,
                checks,
            },
        )
    }

    /// A panicking probe must report "unhealthy" rather than turn the probe into a 500.
    fn run_checks(&self) -> Vec<(String, Result<(), String>)> {
        match catch_unwind(AssertUnwindSafe(|| (self.readiness)())) {
            Ok(results) => results
                .into_iter()
                .map(|(name, result)| (name, result.map_err(|msg| short_message(&msg))))
                .collect(),
            Err(_) => {
                log::error!("readiness check panicked");
                vec![("readiness".to_owned(), Err("check panicked".to_owned()))]
            }
        }
    }
}

/// Probes are read by humans and load balancers; multi-line error chains or backtraces
/// only bloat them, so keep the first line and cap its length.
fn short_message(msg: &str) -> String {
    let first_line = msg.lines().next().unwrap_or("").trim();
    let mut short: String = first_line.chars().take(MAX_CHECK_MESSAGE_CHARS).collect();
    if first_line.chars().count() > MAX_CHECK_MESSAGE_CHARS {
        short.push('…');
    }
    if short.is_empty() {
        short.push_str("failed");
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_message_keeps_first_line() {
        assert_eq!(short_message("boom\nstack backtrace:\n 0: x"), "boom");
        assert_eq!(short_message(""), "failed");
        let long = "x".repeat(MAX_CHECK_MESSAGE_CHARS + 5);
        assert_eq!(
            short_message(&long).chars().count(),
            MAX_CHECK_MESSAGE_CHARS + 1
        );
    }
}
