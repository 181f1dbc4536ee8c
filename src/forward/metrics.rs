//! The forwarder's metric families (v2.5 names; see docs/COMPATIBILITY.md for the additions).

use crate::daemon::MetricSet;
use prometheus::{Histogram, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Registry};

const LATENCY_BUCKETS: [f64; 9] = [0.005, 0.025, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// Everything the forwarder counts, registered in its daemon's registry.
#[derive(Clone)]
pub(super) struct Metrics {
    pub requests: IntCounterVec,
    pub latency: Histogram,
    pub dlq_depth: IntGauge,
    pub processing_depth: IntGauge,
    pub rate_limit_hits: IntCounter,
    pub processed: IntCounterVec,
    pub breaker_state: IntGaugeVec,
    pub breaker_failures: IntGaugeVec,
    pub breaker_changes: IntCounterVec,
    pub retries_scheduled: IntCounter,
}

impl Metrics {
    pub fn new(r: &Registry) -> prometheus::Result<Metrics> {
        let m = MetricSet(r);
        Ok(Metrics {
            requests: m.counters(
                "mutt_moog_requests_total",
                "Moog requests by outcome",
                &["status", "reason"],
            )?,
            latency: m.histogram(
                "mutt_moog_request_latency_seconds",
                "Moog request latency",
                &LATENCY_BUCKETS,
            )?,
            dlq_depth: m.gauge("mutt_moog_dlq_depth", "Forwarder DLQ depth")?,
            processing_depth: m.gauge(
                "mutt_moog_processing_list_depth",
                "This pod's processing list",
            )?,
            rate_limit_hits: m.counter(
                "mutt_moog_rate_limit_hits_total",
                "Waits for the shared rate limit",
            )?,
            processed: m.counters(
                "mutt_moog_alerts_processed_total",
                "Alerts by outcome",
                &["status"],
            )?,
            breaker_state: m.gauges(
                "mutt_circuit_breaker_state",
                "0 closed, 1 half open, 2 open",
                &["name"],
            )?,
            breaker_failures: m.gauges(
                "mutt_circuit_breaker_failures",
                "Consecutive failures",
                &["name"],
            )?,
            breaker_changes: m.counters(
                "mutt_circuit_breaker_state_changes_total",
                "Breaker transitions seen",
                &["name", "from_state", "to_state"],
            )?,
            retries_scheduled: m.counter(
                "mutt_moog_retries_scheduled_total",
                "Alerts put in the retry set",
            )?,
        })
    }
}
