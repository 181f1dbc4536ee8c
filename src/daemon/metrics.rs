//! Registering a daemon's metric families in one line each.

use prometheus::{
    Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
};

/// A registry wrapper whose constructors create, register and hand back a metric.
pub struct MetricSet<'a>(pub &'a Registry);

impl MetricSet<'_> {
    /// A counter.
    pub fn counter(&self, name: &str, help: &str) -> prometheus::Result<IntCounter> {
        crate::http::registered(self.0, IntCounter::new(name, help)?)
    }

    /// A counter with labels.
    pub fn counters(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> prometheus::Result<IntCounterVec> {
        crate::http::registered(self.0, IntCounterVec::new(Opts::new(name, help), labels)?)
    }

    /// A gauge.
    pub fn gauge(&self, name: &str, help: &str) -> prometheus::Result<IntGauge> {
        crate::http::registered(self.0, IntGauge::new(name, help)?)
    }

    /// A gauge with labels.
    pub fn gauges(
        &self,
        name: &str,
        help: &str,
        labels: &[&str],
    ) -> prometheus::Result<IntGaugeVec> {
        crate::http::registered(self.0, IntGaugeVec::new(Opts::new(name, help), labels)?)
    }

    /// A histogram with `buckets`, or the client library's defaults when empty.
    pub fn histogram(
        &self,
        name: &str,
        help: &str,
        buckets: &[f64],
    ) -> prometheus::Result<Histogram> {
        let mut opts = HistogramOpts::new(name, help);
        if !buckets.is_empty() {
            opts = opts.buckets(buckets.to_vec());
        }
        crate::http::registered(self.0, Histogram::with_opts(opts)?)
    }
}
