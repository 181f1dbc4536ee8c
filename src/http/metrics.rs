//! Per-request Prometheus metrics.

use std::time::Duration;

use prometheus::{CounterVec, HistogramOpts, HistogramVec, Opts, Registry};

/// Methods kept as-is in labels; anything else is folded so clients cannot mint label values.
const KNOWN_METHODS: [&str; 9] = [
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE",
];
const OTHER_METHOD: &str = "OTHER";

/// Request counter and latency histogram, labelled by route template rather than raw path.
#[derive(Clone, Debug)]
pub struct HttpMetrics {
    requests: CounterVec,
    duration: HistogramVec,
}

impl HttpMetrics {
    /// Creates and registers `<prefix>_http_requests_total` and `<prefix>_http_request_duration_seconds`.
    pub fn new(registry: &Registry, prefix: &str) -> prometheus::Result<HttpMetrics> {
        let requests = CounterVec::new(
            Opts::new(
                format!("{prefix}_http_requests_total"),
                "HTTP requests handled, by method, route template and status code.",
            ),
            &["method", "route", "status"],
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new(
                format!("{prefix}_http_request_duration_seconds"),
                "Time from dequeuing an HTTP request to finishing its response.",
            ),
            &["method", "route"],
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(HttpMetrics { requests, duration })
    }

    /// Records one finished request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let method = label_method(method);
        let status = status.to_string();
        self.requests
            .with_label_values(&[method, route, status.as_str()])
            .inc();
        self.duration
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
    }
}

fn label_method(method: &str) -> &str {
    KNOWN_METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or(OTHER_METHOD)
}

/// Register `collector` in `registry` and hand it back (daemons keep a clone to update).
pub fn registered<T: prometheus::core::Collector + Clone + 'static>(
    registry: &prometheus::Registry,
    collector: T,
) -> prometheus::Result<T> {
    registry.register(Box::new(collector.clone()))?;
    Ok(collector)
}
