//! The SLO report: Prometheus queries and their evaluation.
//!
//! Differences from v2.5 (reference/webui.md §1.5, §8 item 3): all queries run concurrently under
//! one deadline instead of up to ~12 s each in sequence; missing data is `unknown`, not
//! `critical`; the cache-reload SLO is a real ratio (v2.5's `== 0` comparison was always
//! critical); the answer carries the tested `components` contract next to the per-SLO detail.

use super::rates::{Cached, TtlCache};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::convert::Infallible;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Window of every SLO unless overridden (v2.5 value).
pub const DEFAULT_WINDOW_HOURS: u32 = 24;
/// Longest accepted window override: a month, beyond which Prometheus retention rarely reaches.
const MAX_WINDOW_HOURS: u32 = 31 * 24;
/// The range every query template is written with; replaced by the SLO's window.
const TEMPLATE_RANGE: &str = "[5m]";
/// Dynamic key of the window used by SLOs without their own `slo_<name>_window_hours`.
pub const GLOBAL_WINDOW_KEY: &str = "slo_window_hours";
/// Pause before the single retry: long enough not to hit a restarting Prometheus twice within the
/// same instant, short against the deadline.
const RETRY_PAUSE: Duration = Duration::from_millis(100);
/// Burn rates and budgets are reported (and compared with their thresholds) at this precision, so
/// that float noise such as 2.0000000000000018 never flips a state at an exact threshold.
const DERIVED_SCALE: f64 = 10_000.0;
/// Path of Prometheus's instant-query API.
const QUERY_PATH: &str = "/api/v1/query";

/// What an SLO measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A success ratio; thresholds are burn-rate multiples.
    Availability,
    /// A p99 in seconds; thresholds are upper bounds in seconds.
    Latency,
}

/// One SLO as defined (before dynamic overrides).
#[derive(Debug, PartialEq)]
pub struct SloDef {
    /// `slo_name` in the report and the `<name>` of its override keys.
    pub name: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Availability or latency.
    pub kind: Kind,
    /// Target ratio (availability) or seconds (latency).
    pub target: f64,
    /// Default warning threshold (burn multiple or seconds).
    pub warning: f64,
    /// Default critical threshold (burn multiple or seconds).
    pub critical: f64,
    /// PromQL with `[5m]` ranges, replaced by the window.
    pub query: &'static str,
}

/// The six SLOs of v2.5 (targets and thresholds unchanged), on the metrics mutt exports.
///
/// Availability numerators use `or vector(0)` so that a window with only failures reads as 0
/// rather than "no data"; a window with no traffic at all is 0/0 = NaN, i.e. unknown.
pub static DEFINITIONS: [SloDef; 6] = [
    SloDef {
        name: "ingestor_availability",
        description: "Share of ingest requests accepted (client errors excluded)",
        kind: Kind::Availability,
        target: 0.999,
        warning: 5.0,
        critical: 10.0,
        // Bad keys, JSON or fields are the sender's fault, not an outage of the ingestor.
        query: "(sum(rate(mutt_ingest_requests_total{status=\"success\"}[5m])) or vector(0)) \
                / sum(rate(mutt_ingest_requests_total{reason!~\"auth|json|validation\"}[5m]))",
    },
    SloDef {
        name: "ingestor_latency_p99",
        description: "99th percentile of ingest request latency",
        kind: Kind::Latency,
        target: 0.5,
        warning: 0.75,
        critical: 1.0,
        query: "histogram_quantile(0.99, sum by (le) (rate(mutt_ingest_latency_seconds_bucket[5m])))",
    },
    SloDef {
        name: "forwarder_availability",
        description: "Share of Moog requests that succeeded",
        kind: Kind::Availability,
        target: 0.995,
        warning: 5.0,
        critical: 10.0,
        query: "(sum(rate(mutt_moog_requests_total{status=\"success\"}[5m])) or vector(0)) \
                / sum(rate(mutt_moog_requests_total[5m]))",
    },
    SloDef {
        name: "forwarder_latency_p99",
        description: "99th percentile of Moog request latency",
        kind: Kind::Latency,
        target: 2.0,
        warning: 3.0,
        critical: 5.0,
        query: "histogram_quantile(0.99, sum by (le) (rate(mutt_moog_request_latency_seconds_bucket[5m])))",
    },
    SloDef {
        name: "alerter_processing_success",
        description: "Share of events the alerter processed (handled or unhandled) without error",
        kind: Kind::Availability,
        target: 0.999,
        warning: 5.0,
        critical: 10.0,
        // An event no rule matched was still processed correctly; errors and poison were not.
        query: "(sum(rate(mutt_alerter_events_processed_total{status=~\"handled|unhandled\"}[5m])) or vector(0)) \
                / sum(rate(mutt_alerter_events_processed_total[5m]))",
    },
    SloDef {
        name: "alerter_cache_reload_success",
        description: "Share of rule-cache reloads that succeeded",
        kind: Kind::Availability,
        target: 0.99,
        warning: 5.0,
        critical: 10.0,
        // The reload-latency histogram is observed once per successful reload, so its count is
        // the successes; failures have their own counter.
        query: "(sum(rate(mutt_alerter_cache_reload_latency_seconds_count[5m])) or vector(0)) \
                / ((sum(rate(mutt_alerter_cache_reload_latency_seconds_count[5m])) or vector(0)) \
                + sum(rate(mutt_alerter_cache_reload_failures_total[5m])))",
    },
];

/// The SLO names shown as `components` (the tested contract) and their component names.
const COMPONENTS: [(&str, &str); 2] = [
    ("ingestor_availability", "ingestor"),
    ("forwarder_availability", "forwarder"),
];

/// Every dynamic key the report reads (for the dynamic-key registry), global window first.
pub fn override_keys() -> Vec<String> {
    let mut out = vec![GLOBAL_WINDOW_KEY.to_string()];
    for def in &DEFINITIONS {
        let (warning, critical) = threshold_keys(def);
        out.push(window_key(def));
        out.push(warning);
        out.push(critical);
    }
    out
}

fn window_key(def: &SloDef) -> String {
    format!("slo_{}_window_hours", def.name)
}

fn threshold_keys(def: &SloDef) -> (String, String) {
    let kind = match def.kind {
        Kind::Availability => "burn_rate",
        Kind::Latency => "upper_bound",
    };
    (
        format!("slo_{}_{kind}_warning", def.name),
        format!("slo_{}_{kind}_critical", def.name),
    )
}

/// An SLO with its overrides applied.
#[derive(Debug, Clone, PartialEq)]
struct Resolved {
    def: &'static SloDef,
    window_hours: u32,
    warning: f64,
    critical: f64,
    query: String,
}

/// A window in hours, if `raw` is a whole number in range.
fn parse_window(raw: Option<String>) -> Option<u32> {
    raw?.trim()
        .parse::<u32>()
        .ok()
        .filter(|h| (1..=MAX_WINDOW_HOURS).contains(h))
}

/// A threshold, if `raw` is a positive finite number.
fn parse_threshold(raw: Option<String>) -> Option<f64> {
    raw?.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// The window of SLOs without their own override.
fn global_window(overrides: &dyn Fn(&str) -> Option<String>) -> u32 {
    parse_window(overrides(GLOBAL_WINDOW_KEY)).unwrap_or(DEFAULT_WINDOW_HOURS)
}

/// `def` with its valid overrides (invalid ones fall back to the definition, as in v2.5).
fn resolve(
    def: &'static SloDef,
    global_window: u32,
    overrides: &dyn Fn(&str) -> Option<String>,
) -> Resolved {
    let window_hours = parse_window(overrides(&window_key(def))).unwrap_or(global_window);
    let (warning_key, critical_key) = threshold_keys(def);
    Resolved {
        def,
        window_hours,
        warning: parse_threshold(overrides(&warning_key)).unwrap_or(def.warning),
        critical: parse_threshold(overrides(&critical_key)).unwrap_or(def.critical),
        query: def
            .query
            .replace(TEMPLATE_RANGE, &format!("[{window_hours}h]")),
    }
}

/// Why an SLO has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoValue {
    /// Prometheus answered with no sample (no series, or no traffic in the window).
    NoData,
    /// Connection failed or Prometheus answered 5xx/429, twice.
    Unreachable,
    /// The report's deadline passed first.
    TimedOut,
    /// Prometheus refused the query or answered something that is not a query result.
    Invalid,
}

impl NoValue {
    fn message(self) -> &'static str {
        match self {
            NoValue::NoData => "No data from Prometheus",
            NoValue::Unreachable => "Prometheus unreachable",
            NoValue::TimedOut => "Prometheus query timed out",
            NoValue::Invalid => "Invalid answer from Prometheus",
        }
    }
}

/// What one query gave.
type Reading = Result<f64, NoValue>;

/// `status` of an SLO in `slos` (v2.5's values, plus `unknown` for missing data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Within target.
    Ok,
    /// Below target, burn under the warning threshold.
    Breaching,
    /// At or over the warning threshold.
    Warning,
    /// At or over the critical threshold.
    Critical,
    /// No value from Prometheus.
    Unknown,
}

/// `state` of a component (the tested contract: burn against the thresholds only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Burn below the warning threshold.
    Ok,
    /// Burn at or over the warning threshold.
    Warn,
    /// Burn at or over the critical threshold.
    Critical,
    /// No value from Prometheus.
    Unknown,
}

/// One SLO in the report's `slos` list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloResult {
    /// The definition's name.
    pub slo_name: &'static str,
    /// The definition's description.
    pub description: &'static str,
    /// Window the value was computed over.
    pub window_hours: u32,
    /// Ratio (availability) or seconds (latency); null when unknown.
    pub actual_value: Option<f64>,
    /// Evaluation.
    pub status: Status,
    /// (actual − target) / (1 − target), availability only.
    pub error_budget_remaining: Option<f64>,
    /// (1 − actual) / (1 − target), availability only.
    pub burn_rate: Option<f64>,
    /// Human-readable explanation of `status`.
    pub message: String,
    /// Target ratio (availability SLOs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    /// Target seconds (latency SLOs only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_seconds: Option<f64>,
}

/// One entry of `components`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    /// Target ratio.
    pub target: f64,
    /// Measured ratio; null when unknown.
    pub availability: Option<f64>,
    /// Share of the error budget left (negative when overspent); null when unknown.
    pub error_budget_remaining: Option<f64>,
    /// Budget burn as a multiple of the sustainable rate; null when unknown.
    pub burn_rate: Option<f64>,
    /// Burn against the thresholds.
    pub state: State,
    /// Window the value was computed over.
    pub window_hours: u32,
}

/// The `components` object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Components {
    /// From `ingestor_availability`.
    pub ingestor: Component,
    /// From `forwarder_availability`.
    pub forwarder: Component,
}

/// The body of `GET /api/{v1,v2}/slo`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SloReport {
    /// When the report was made, RFC 3339 UTC.
    pub timestamp: String,
    /// Window of SLOs without their own override.
    pub window_hours: u32,
    /// The availability of the ingestor and the forwarder (tested contract).
    pub components: Components,
    /// Every SLO in definition order.
    pub slos: Vec<SloResult>,
}

/// Rounded to [`DERIVED_SCALE`].
fn round_derived(v: f64) -> f64 {
    (v * DERIVED_SCALE).round() / DERIVED_SCALE
}

/// Burn rate and remaining budget of an availability ratio against its target (both rounded).
///
/// A target of 1 leaves no budget: v2.5 reports burn 0 and remaining 1 then.
pub fn burn_and_budget(actual: f64, target: f64) -> (f64, f64) {
    let budget = 1.0 - target;
    if budget <= 0.0 {
        return (0.0, 1.0);
    }
    (
        round_derived((1.0 - actual) / budget),
        round_derived((actual - target) / budget),
    )
}

/// The component state of a burn rate: critical at or over `critical`, else warn at or over
/// `warning`, else ok.
pub fn burn_state(burn: f64, warning: f64, critical: f64) -> State {
    if burn >= critical {
        State::Critical
    } else if burn >= warning {
        State::Warn
    } else {
        State::Ok
    }
}

/// Evaluate one SLO from its reading — pure.
fn evaluate(r: &Resolved, reading: Reading) -> SloResult {
    let def = r.def;
    let mut out = SloResult {
        slo_name: def.name,
        description: def.description,
        window_hours: r.window_hours,
        actual_value: None,
        status: Status::Unknown,
        error_budget_remaining: None,
        burn_rate: None,
        message: String::new(),
        target: None,
        target_seconds: None,
    };
    match def.kind {
        Kind::Availability => {
            out.target = Some(def.target);
            match reading {
                Err(why) => out.message = why.message().to_string(),
                // A ratio cannot be infinite; treat it like any other non-sample.
                Ok(v) if !v.is_finite() => out.message = NoValue::NoData.message().to_string(),
                Ok(v) => {
                    // rate() extrapolates numerator and denominator separately, so a perfect
                    // window can come out a hair above 1.
                    let actual = v.clamp(0.0, 1.0);
                    let (burn, remaining) = burn_and_budget(actual, def.target);
                    out.actual_value = Some(actual);
                    out.burn_rate = Some(burn);
                    out.error_budget_remaining = Some(remaining);
                    (out.status, out.message) = if burn >= r.critical {
                        (
                            Status::Critical,
                            format!("Critical burn rate ({burn:.2}x target)"),
                        )
                    } else if burn >= r.warning {
                        (
                            Status::Warning,
                            format!("Warning burn rate ({burn:.2}x target)"),
                        )
                    } else if actual < def.target {
                        (Status::Breaching, "Below target".to_string())
                    } else {
                        (Status::Ok, "Within target".to_string())
                    };
                }
            }
        }
        Kind::Latency => {
            out.target_seconds = Some(def.target);
            match reading {
                Err(why) => out.message = why.message().to_string(),
                // histogram_quantile answers +Inf when the p99 lies beyond the largest bucket.
                Ok(v) if v == f64::INFINITY => {
                    out.status = Status::Critical;
                    out.message = "p99 above the largest histogram bucket".to_string();
                }
                Ok(v) if !v.is_finite() => out.message = NoValue::NoData.message().to_string(),
                Ok(v) => {
                    out.actual_value = Some(v);
                    (out.status, out.message) = if v >= r.critical {
                        (
                            Status::Critical,
                            format!("p99 {v:.3}s at or above critical bound {:.3}s", r.critical),
                        )
                    } else if v >= r.warning {
                        (
                            Status::Warning,
                            format!("p99 {v:.3}s at or above warning bound {:.3}s", r.warning),
                        )
                    } else if v > def.target {
                        (
                            Status::Breaching,
                            format!("p99 {v:.3}s above target {:.3}s", def.target),
                        )
                    } else {
                        (
                            Status::Ok,
                            format!("p99 {v:.3}s within target {:.3}s", def.target),
                        )
                    };
                }
            }
        }
    }
    out
}

/// The component view of an evaluated availability SLO.
fn component(r: &Resolved, result: &SloResult) -> Component {
    Component {
        target: r.def.target,
        availability: result.actual_value,
        error_budget_remaining: result.error_budget_remaining,
        burn_rate: result.burn_rate,
        state: result
            .burn_rate
            .map_or(State::Unknown, |b| burn_state(b, r.warning, r.critical)),
        window_hours: r.window_hours,
    }
}

/// The report from resolved SLOs and their readings (same order) — pure.
fn build_report(
    resolved: &[Resolved],
    readings: Vec<Reading>,
    window_hours: u32,
    now: DateTime<Utc>,
) -> SloReport {
    let slos: Vec<SloResult> = resolved
        .iter()
        .zip(readings)
        .map(|(r, reading)| evaluate(r, reading))
        .collect();
    let component_of = |slo_name: &str| {
        let i = resolved
            .iter()
            .position(|r| r.def.name == slo_name)
            .expect("component SLOs are defined");
        component(&resolved[i], &slos[i])
    };
    let [(ingestor, _), (forwarder, _)] = COMPONENTS;
    SloReport {
        timestamp: crate::timefmt::secs(now),
        window_hours,
        components: Components {
            ingestor: component_of(ingestor),
            forwarder: component_of(forwarder),
        },
        slos,
    }
}

/// The first sample of a Prometheus query answer (vector or scalar) — pure.
fn parse_answer(body: &str) -> Reading {
    let json: Value = serde_json::from_str(body).map_err(|_| NoValue::Invalid)?;
    if json["status"] != "success" {
        return Err(NoValue::Invalid);
    }
    let data = &json["data"];
    let sample = match data["resultType"].as_str() {
        Some("vector") => match data["result"].as_array() {
            Some(series) if series.is_empty() => return Err(NoValue::NoData),
            Some(series) => &series[0]["value"],
            None => return Err(NoValue::Invalid),
        },
        Some("scalar") => &data["result"],
        _ => return Err(NoValue::Invalid),
    };
    let value: f64 = sample[1]
        .as_str()
        .ok_or(NoValue::Invalid)?
        .parse()
        .map_err(|_| NoValue::Invalid)?;
    // NaN is 0/0: no traffic in the window.
    if value.is_nan() {
        Err(NoValue::NoData)
    } else {
        Ok(value)
    }
}

/// How an attempt failed.
enum Failure {
    /// Worth the one retry (connection trouble, 5xx, 429).
    Transient(NoValue),
    /// A retry would get the same answer.
    Final(NoValue),
}

/// Queries Prometheus for the SLO report.
#[derive(Debug, Clone)]
pub struct SloClient {
    agent: ureq::Agent,
    query_url: String,
    deadline: Duration,
}

impl SloClient {
    /// A client of the Prometheus at `prometheus_url`; every report takes at most `deadline`.
    pub fn new(prometheus_url: &str, deadline: Duration) -> SloClient {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(deadline)
            .timeout(deadline)
            .max_idle_connections_per_host(DEFINITIONS.len())
            .user_agent(concat!("mutt/", env!("CARGO_PKG_VERSION")))
            .build();
        SloClient {
            agent,
            query_url: format!("{}{QUERY_PATH}", prometheus_url.trim_end_matches('/')),
            deadline,
        }
    }

    /// The report at `now`, with the dynamic overrides `overrides` (key → value) applied.
    pub fn report(
        &self,
        overrides: &dyn Fn(&str) -> Option<String>,
        now: DateTime<Utc>,
    ) -> SloReport {
        let window = global_window(overrides);
        let resolved: Vec<Resolved> = DEFINITIONS
            .iter()
            .map(|def| resolve(def, window, overrides))
            .collect();
        let readings = self.query_all(resolved.iter().map(|r| r.query.clone()).collect());
        build_report(&resolved, readings, window, now)
    }

    /// Every query at once; whatever has not answered by the deadline is timed out.
    ///
    /// Detached threads and a channel rather than a thread scope: ureq's timeouts do not cover
    /// name resolution, and a scope would wait for a hung lookup past the deadline.
    fn query_all(&self, queries: Vec<String>) -> Vec<Reading> {
        let deadline = Instant::now() + self.deadline;
        let mut out = vec![Err(NoValue::TimedOut); queries.len()];
        let (tx, rx) = mpsc::channel();
        for (i, query) in queries.into_iter().enumerate() {
            let (tx, agent, url) = (tx.clone(), self.agent.clone(), self.query_url.clone());
            let spawned = std::thread::Builder::new()
                .name("slo-query".into())
                .spawn(move || {
                    let _ = tx.send((i, query_with_retry(&agent, &url, &query, deadline)));
                });
            if let Err(e) = spawned {
                log::warn!("SLO query thread not started: {e}");
                out[i] = Err(NoValue::Unreachable);
            }
        }
        drop(tx);
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok((i, reading)) => out[i] = reading,
                Err(_) => break, // every thread answered, or the deadline passed
            }
        }
        out
    }
}

/// One query, retried once after a transient failure if the deadline allows.
fn query_with_retry(agent: &ureq::Agent, url: &str, query: &str, deadline: Instant) -> Reading {
    match query_once(agent, url, query, deadline) {
        Ok(v) => Ok(v),
        Err(Failure::Final(why)) => Err(why),
        Err(Failure::Transient(why)) => {
            if Instant::now() + RETRY_PAUSE >= deadline {
                return Err(why);
            }
            std::thread::sleep(RETRY_PAUSE);
            query_once(agent, url, query, deadline).map_err(|f| match f {
                Failure::Transient(why) | Failure::Final(why) => why,
            })
        }
    }
}

/// One GET of the instant-query API, bounded by `deadline`.
fn query_once(
    agent: &ureq::Agent,
    url: &str,
    query: &str,
    deadline: Instant,
) -> Result<f64, Failure> {
    let timed_out_or = |why| {
        if Instant::now() >= deadline {
            Failure::Transient(NoValue::TimedOut)
        } else {
            Failure::Transient(why)
        }
    };
    let left = deadline
        .checked_duration_since(Instant::now())
        .filter(|d| !d.is_zero())
        .ok_or(Failure::Final(NoValue::TimedOut))?;
    let body = match agent.get(url).query("query", query).timeout(left).call() {
        Ok(response) => response.into_string().map_err(|e| {
            log::warn!("SLO query: reading Prometheus's answer failed: {e}");
            timed_out_or(NoValue::Unreachable)
        })?,
        Err(ureq::Error::Status(code, _)) => {
            log::warn!("SLO query: Prometheus answered HTTP {code}");
            let transient = code >= 500 || code == 429;
            return Err(if transient {
                Failure::Transient(NoValue::Unreachable)
            } else {
                Failure::Final(NoValue::Invalid)
            });
        }
        Err(ureq::Error::Transport(t)) => {
            // Only the kind and message: the full error repeats the URL, which may hold credentials.
            log::warn!(
                "SLO query: Prometheus unreachable ({:?}: {})",
                t.kind(),
                t.message().unwrap_or("no detail")
            );
            return Err(timed_out_or(NoValue::Unreachable));
        }
    };
    parse_answer(&body).map_err(Failure::Final)
}

/// Thread-safe reuse of the SLO report for `SLO_CACHE_TTL`.
#[derive(Debug)]
pub struct SloCache(TtlCache<SloReport>);

impl SloCache {
    /// A cache reusing reports younger than `ttl` (zero: never reuse).
    pub fn new(ttl: Duration) -> SloCache {
        SloCache(TtlCache::new(ttl))
    }

    /// The cached report if young enough, else `compute`'s (typically [`SloClient::report`]).
    pub fn get(&self, compute: impl FnOnce() -> SloReport) -> Cached<SloReport> {
        match self.0.get_or_try(|| Ok::<_, Infallible>(compute())) {
            Ok(answer) => answer,
            Err(never) => match never {},
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::collections::HashMap;
    use std::io::{Read, Write};
    use std::net::{TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 10, 30, 0).unwrap()
    }

    fn no_overrides(_: &str) -> Option<String> {
        None
    }

    fn def(name: &str) -> &'static SloDef {
        DEFINITIONS.iter().find(|d| d.name == name).unwrap()
    }

    fn resolved_with(overrides: &[(&str, &str)]) -> Vec<Resolved> {
        let map: HashMap<String, String> = overrides
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let lookup = move |k: &str| map.get(k).cloned();
        let window = global_window(&lookup);
        DEFINITIONS
            .iter()
            .map(|d| resolve(d, window, &lookup))
            .collect()
    }

    /// A report where every SLO reads `reading` except those named in `by_name`.
    fn report_of(
        overrides: &[(&str, &str)],
        default: Reading,
        by_name: &[(&str, Reading)],
    ) -> SloReport {
        let resolved = resolved_with(overrides);
        let readings = resolved
            .iter()
            .map(|r| {
                by_name
                    .iter()
                    .find(|(n, _)| *n == r.def.name)
                    .map_or(default, |(_, v)| *v)
            })
            .collect();
        build_report(&resolved, readings, DEFAULT_WINDOW_HOURS, now())
    }

    // --- definitions and overrides -------------------------------------------------------------

    #[test]
    fn six_slos_with_v25_targets() {
        let names: Vec<&str> = DEFINITIONS.iter().map(|d| d.name).collect();
        assert_eq!(
            names,
            [
                "ingestor_availability",
                "ingestor_latency_p99",
                "forwarder_availability",
                "forwarder_latency_p99",
                "alerter_processing_success",
                "alerter_cache_reload_success",
            ]
        );
        assert_eq!(def("ingestor_availability").target, 0.999);
        assert_eq!(def("forwarder_availability").target, 0.995);
        assert_eq!(def("forwarder_latency_p99").critical, 5.0);
        for d in &DEFINITIONS {
            assert!(d.query.contains(TEMPLATE_RANGE), "{}", d.name);
            assert!(d.warning <= d.critical, "{}", d.name);
        }
    }

    #[test]
    fn queries_use_metrics_mutt_exports() {
        let sources = [
            include_str!("../ingest/mod.rs"),
            include_str!("../forward/metrics.rs"),
            include_str!("../alert/mod.rs"),
        ]
        .concat();
        let name = regex::Regex::new(r"mutt_[a-z0-9_]+").unwrap();
        for d in &DEFINITIONS {
            for m in name.find_iter(d.query) {
                let metric = m.as_str();
                let family = ["_bucket", "_count", "_sum"]
                    .iter()
                    .find_map(|s| metric.strip_suffix(s))
                    .unwrap_or(metric);
                assert!(
                    sources.contains(&format!("\"{family}\"")),
                    "{}: {family} is not exported by mutt",
                    d.name
                );
            }
        }
        assert!(
            !def("alerter_cache_reload_success").query.contains("== 0"),
            "v2.5's always-critical comparison"
        );
    }

    #[test]
    fn window_replaces_every_template_range() {
        let r = resolved_with(&[("slo_alerter_cache_reload_success_window_hours", "6")]);
        let reload = r
            .iter()
            .find(|r| r.def.name == "alerter_cache_reload_success")
            .unwrap();
        assert_eq!(reload.window_hours, 6);
        assert!(!reload.query.contains("[5m]"));
        assert_eq!(reload.query.matches("[6h]").count(), 3);
        let other = r
            .iter()
            .find(|r| r.def.name == "ingestor_availability")
            .unwrap();
        assert_eq!(other.window_hours, DEFAULT_WINDOW_HOURS);
        assert!(other.query.contains("[24h]"));
    }

    #[test]
    fn overrides_apply_per_kind_and_invalid_ones_fall_back() {
        let r = resolved_with(&[
            ("slo_window_hours", "12"),
            ("slo_ingestor_availability_window_hours", "48"),
            ("slo_ingestor_availability_burn_rate_warning", "2.5"),
            ("slo_ingestor_availability_burn_rate_critical", "nope"),
            ("slo_ingestor_latency_p99_upper_bound_warning", " 0.8 "),
            ("slo_ingestor_latency_p99_upper_bound_critical", "-1"),
            // Burn-rate keys mean nothing for a latency SLO.
            ("slo_forwarder_latency_p99_burn_rate_warning", "1"),
            ("slo_forwarder_availability_window_hours", "0"),
            ("slo_alerter_processing_success_window_hours", "100000"),
        ]);
        let get = |n: &str| r.iter().find(|r| r.def.name == n).unwrap();
        let ia = get("ingestor_availability");
        assert_eq!((ia.window_hours, ia.warning, ia.critical), (48, 2.5, 10.0));
        let il = get("ingestor_latency_p99");
        assert_eq!((il.window_hours, il.warning, il.critical), (12, 0.8, 1.0));
        assert_eq!(get("forwarder_latency_p99").warning, 3.0);
        assert_eq!(get("forwarder_availability").window_hours, 12);
        assert_eq!(get("alerter_processing_success").window_hours, 12);
    }

    #[test]
    fn override_keys_cover_every_slo() {
        let keys = override_keys();
        assert_eq!(keys.len(), 1 + 3 * DEFINITIONS.len());
        assert!(keys.contains(&"slo_ingestor_availability_burn_rate_critical".to_string()));
        assert!(keys.contains(&"slo_forwarder_latency_p99_upper_bound_warning".to_string()));
        assert!(keys.contains(&"slo_alerter_cache_reload_success_window_hours".to_string()));
    }

    // --- evaluation: the [TEST] contract -------------------------------------------------------

    #[test]
    fn burn_two_with_thresholds_two_and_three_is_warn() {
        // 0.998 against 0.999 burns 2.0 (2.0000000000000018 before rounding).
        let rep = report_of(
            &[
                ("slo_ingestor_availability_burn_rate_warning", "2.0"),
                ("slo_ingestor_availability_burn_rate_critical", "3.0"),
            ],
            Ok(1.0),
            &[("ingestor_availability", Ok(0.998))],
        );
        let c = &rep.components.ingestor;
        assert_eq!(c.burn_rate, Some(2.0));
        assert_eq!(c.state, State::Warn);
        assert_eq!(burn_state(2.0, 2.0, 3.0), State::Warn);
    }

    #[test]
    fn burn_two_with_thresholds_one_and_a_half_and_two_is_critical() {
        let rep = report_of(
            &[
                ("slo_forwarder_availability_burn_rate_warning", "1.5"),
                ("slo_forwarder_availability_burn_rate_critical", "2.0"),
            ],
            Ok(1.0),
            &[("forwarder_availability", Ok(0.99))], // 0.01 / 0.005 = 2
        );
        let c = &rep.components.forwarder;
        assert_eq!(c.burn_rate, Some(2.0));
        assert_eq!(c.state, State::Critical);
        assert_eq!(rep.slos[2].status, Status::Critical);
        assert_eq!(rep.slos[2].message, "Critical burn rate (2.00x target)");
        assert_eq!(burn_state(2.0, 1.5, 2.0), State::Critical);
    }

    #[test]
    fn availability_above_target_is_ok_with_burn_at_most_one() {
        for target in [0.995, 0.99] {
            let (burn, remaining) = burn_and_budget(0.999, target);
            assert!((0.0..=1.0).contains(&burn), "{target}: {burn}");
            assert!(remaining > 0.0);
            assert_eq!(burn_state(burn, 5.0, 10.0), State::Ok);
        }
        let rep = report_of(&[], Ok(0.999), &[]);
        for c in [&rep.components.ingestor, &rep.components.forwarder] {
            assert_eq!(c.state, State::Ok);
            let burn = c.burn_rate.unwrap();
            assert!((0.0..=1.0).contains(&burn), "{burn}");
        }
        assert_eq!(rep.components.forwarder.burn_rate, Some(0.2));
        assert_eq!(rep.components.forwarder.error_budget_remaining, Some(0.8));
    }

    #[test]
    fn no_data_is_unknown_not_critical() {
        let rep = report_of(&[], Err(NoValue::NoData), &[]);
        for c in [&rep.components.ingestor, &rep.components.forwarder] {
            assert_eq!(c.state, State::Unknown);
            assert_eq!(c.availability, None);
            assert_eq!(c.burn_rate, None);
            assert_eq!(c.error_budget_remaining, None);
        }
        for s in &rep.slos {
            assert_eq!(s.status, Status::Unknown, "{}", s.slo_name);
            assert_eq!(s.message, "No data from Prometheus");
        }
    }

    #[test]
    fn availability_statuses_follow_v25_order() {
        let r = &resolved_with(&[])[0]; // ingestor_availability: 0.999, 5x / 10x
        let st = |v: f64| evaluate(r, Ok(v));
        assert_eq!(st(0.98).status, Status::Critical); // burn 20
        assert_eq!(st(0.994).status, Status::Warning); // burn 6
        let breaching = st(0.998); // burn 2, below target
        assert_eq!(breaching.status, Status::Breaching);
        assert_eq!(breaching.error_budget_remaining, Some(-1.0));
        assert_eq!(st(1.0).status, Status::Ok);
        assert_eq!(st(1.0).error_budget_remaining, Some(1.0));
        assert_eq!(st(1.0000001).actual_value, Some(1.0), "clamped");
        assert_eq!(evaluate(r, Ok(f64::INFINITY)).status, Status::Unknown);
    }

    #[test]
    fn latency_statuses_use_bounds_in_seconds() {
        let r = resolved_with(&[]);
        let lat = r
            .iter()
            .find(|r| r.def.name == "ingestor_latency_p99")
            .unwrap();
        let st = |v: f64| evaluate(lat, Ok(v)).status;
        assert_eq!(st(0.2), Status::Ok);
        assert_eq!(st(0.5), Status::Ok);
        assert_eq!(st(0.6), Status::Breaching);
        assert_eq!(st(0.75), Status::Warning);
        assert_eq!(st(1.0), Status::Critical);
        assert_eq!(st(f64::INFINITY), Status::Critical);
        let res = evaluate(lat, Ok(0.25));
        assert_eq!(res.message, "p99 0.250s within target 0.500s");
        assert_eq!((res.burn_rate, res.error_budget_remaining), (None, None));
        assert_eq!((res.target, res.target_seconds), (None, Some(0.5)));
    }

    #[test]
    fn report_serialises_contract_and_detail() {
        let rep = report_of(
            &[],
            Ok(0.9995),
            &[("forwarder_availability", Err(NoValue::Unreachable))],
        );
        let j = serde_json::to_value(&rep).unwrap();
        assert_eq!(j["timestamp"], "2026-03-04T10:30:00Z");
        assert_eq!(j["window_hours"], 24);
        let ing = &j["components"]["ingestor"];
        for k in [
            "target",
            "availability",
            "error_budget_remaining",
            "burn_rate",
            "state",
            "window_hours",
        ] {
            assert!(ing.get(k).is_some(), "{k}");
        }
        assert_eq!(ing["state"], "ok");
        assert_eq!(ing["target"], 0.999);
        let fwd = &j["components"]["forwarder"];
        assert_eq!(fwd["state"], "unknown");
        assert!(fwd["availability"].is_null() && fwd["burn_rate"].is_null());
        let slos = j["slos"].as_array().unwrap();
        assert_eq!(slos.len(), 6);
        assert_eq!(slos[0]["target"], 0.999);
        assert!(slos[0].get("target_seconds").is_none());
        assert_eq!(slos[1]["target_seconds"], 0.5);
        assert!(slos[1].get("target").is_none());
        assert_eq!(slos[2]["status"], "unknown");
        assert_eq!(slos[2]["message"], "Prometheus unreachable");
        assert!(slos[2]["actual_value"].is_null());
    }

    // --- Prometheus answers --------------------------------------------------------------------

    fn vector(value: &str) -> String {
        format!(
            r#"{{"status":"success","data":{{"resultType":"vector","result":[{{"metric":{{}},"value":[1700000000,"{value}"]}}]}}}}"#
        )
    }

    const EMPTY: &str = r#"{"status":"success","data":{"resultType":"vector","result":[]}}"#;

    #[test]
    fn answers_parse_to_values_or_reasons() {
        assert_eq!(parse_answer(&vector("0.999")), Ok(0.999));
        assert_eq!(parse_answer(&vector("+Inf")), Ok(f64::INFINITY));
        assert_eq!(parse_answer(&vector("NaN")), Err(NoValue::NoData));
        assert_eq!(parse_answer(EMPTY), Err(NoValue::NoData));
        assert_eq!(
            parse_answer(
                r#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"0.5"]}}"#
            ),
            Ok(0.5)
        );
        assert_eq!(
            parse_answer(r#"{"status":"error","errorType":"bad_data","error":"x"}"#),
            Err(NoValue::Invalid)
        );
        assert_eq!(parse_answer("<html>"), Err(NoValue::Invalid));
        assert_eq!(parse_answer(&vector("abc")), Err(NoValue::Invalid));
    }

    // --- HTTP against a local fake Prometheus --------------------------------------------------

    /// What the fake Prometheus does with one request.
    enum Reply {
        Answer(u16, String),
        /// Hold the connection open without answering for this long.
        Hang(Duration),
    }

    /// A fake Prometheus on 127.0.0.1; `reply` gets the decoded `query` parameter. Returns the
    /// base URL and the number of requests seen.
    fn fake_prometheus(
        reply: impl Fn(&str) -> Reply + Send + Sync + 'static,
    ) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(AtomicUsize::new(0));
        let (reply, counter) = (Arc::new(reply), Arc::clone(&seen));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let (reply, counter) = (Arc::clone(&reply), Arc::clone(&counter));
                std::thread::spawn(move || answer(stream, &*reply, &counter));
            }
        });
        (base, seen)
    }

    fn answer(mut stream: TcpStream, reply: &dyn Fn(&str) -> Reply, seen: &AtomicUsize) {
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        seen.fetch_add(1, Ordering::SeqCst);
        let head = String::from_utf8_lossy(&head);
        let target = head.split(' ').nth(1).unwrap_or("");
        let query = target
            .split_once('?')
            .map(|(_, q)| {
                url::form_urlencoded::parse(q.as_bytes())
                    .find(|(k, _)| k == "query")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            })
            .unwrap_or_default();
        assert!(target.starts_with(QUERY_PATH), "{target}");
        match reply(&query) {
            Reply::Hang(d) => std::thread::sleep(d),
            Reply::Answer(code, body) => {
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        }
    }

    const DEADLINE: Duration = Duration::from_secs(3);

    #[test]
    fn values_from_prometheus_make_an_ok_report() {
        let (base, seen) = fake_prometheus(|q| {
            Reply::Answer(
                200,
                vector(if q.contains("histogram_quantile") {
                    "0.1"
                } else {
                    "0.9995"
                }),
            )
        });
        let rep = SloClient::new(&format!("{base}/"), DEADLINE).report(&no_overrides, now());
        assert_eq!(seen.load(Ordering::SeqCst), DEFINITIONS.len());
        assert!(rep.slos.iter().all(|s| s.status == Status::Ok), "{rep:?}");
        assert_eq!(rep.components.ingestor.availability, Some(0.9995));
        assert_eq!(rep.components.ingestor.state, State::Ok);
    }

    #[test]
    fn empty_result_is_unknown_without_retry() {
        let (base, seen) = fake_prometheus(|_| Reply::Answer(200, EMPTY.to_string()));
        let rep = SloClient::new(&base, DEADLINE).report(&no_overrides, now());
        assert_eq!(seen.load(Ordering::SeqCst), DEFINITIONS.len());
        assert_eq!(rep.components.ingestor.state, State::Unknown);
        assert!(rep.slos.iter().all(|s| s.status == Status::Unknown));
    }

    #[test]
    fn one_failure_is_retried_and_still_ok() {
        let failed_once = Arc::new(Mutex::new(false));
        let (base, seen) = fake_prometheus(move |q| {
            let mut failed = failed_once.lock().unwrap();
            if q.contains("mutt_ingest_requests_total") && !*failed {
                *failed = true;
                return Reply::Answer(500, "oops".to_string());
            }
            Reply::Answer(200, vector("0.9995"))
        });
        let rep = SloClient::new(&base, DEADLINE).report(&no_overrides, now());
        assert_eq!(seen.load(Ordering::SeqCst), DEFINITIONS.len() + 1);
        assert_eq!(rep.components.ingestor.availability, Some(0.9995));
        assert_eq!(rep.components.ingestor.state, State::Ok);
    }

    #[test]
    fn rejected_query_is_not_retried() {
        let (base, seen) = fake_prometheus(|_| {
            Reply::Answer(
                400,
                r#"{"status":"error","errorType":"bad_data"}"#.to_string(),
            )
        });
        let rep = SloClient::new(&base, DEADLINE).report(&no_overrides, now());
        assert_eq!(seen.load(Ordering::SeqCst), DEFINITIONS.len());
        assert_eq!(rep.slos[0].message, "Invalid answer from Prometheus");
    }

    #[test]
    fn persistent_failure_is_unknown_after_one_retry() {
        let (base, seen) = fake_prometheus(|_| Reply::Answer(503, String::new()));
        let rep = SloClient::new(&base, DEADLINE).report(&no_overrides, now());
        assert_eq!(seen.load(Ordering::SeqCst), 2 * DEFINITIONS.len());
        assert_eq!(rep.components.forwarder.state, State::Unknown);
        assert_eq!(rep.slos[0].message, "Prometheus unreachable");
    }

    #[test]
    fn hung_prometheus_gives_unknown_within_the_deadline() {
        let (base, _) = fake_prometheus(|_| Reply::Hang(Duration::from_secs(10)));
        let deadline = Duration::from_millis(300);
        let started = Instant::now();
        let rep = SloClient::new(&base, deadline).report(&no_overrides, now());
        let took = started.elapsed();
        assert!(took < deadline + Duration::from_millis(700), "{took:?}");
        assert!(rep.slos.iter().all(|s| s.status == Status::Unknown));
        assert_eq!(rep.slos[0].message, "Prometheus query timed out");
        assert_eq!(rep.components.ingestor.state, State::Unknown);
    }

    #[test]
    fn closed_port_is_unknown() {
        let port = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let rep = SloClient::new(&format!("http://127.0.0.1:{port}"), DEADLINE)
            .report(&no_overrides, now());
        assert!(rep.slos.iter().all(|s| s.status == Status::Unknown));
        assert_eq!(rep.components.ingestor.state, State::Unknown);
    }

    #[test]
    fn window_override_reaches_the_query() {
        let seen_queries = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen_queries);
        let (base, _) = fake_prometheus(move |q| {
            log.lock().unwrap().push(q.to_string());
            Reply::Answer(200, vector("1"))
        });
        let overrides = |k: &str| (k == "slo_window_hours").then(|| "6".to_string());
        let rep = SloClient::new(&base, DEADLINE).report(&overrides, now());
        assert_eq!(rep.window_hours, 6);
        let qs = seen_queries.lock().unwrap();
        assert_eq!(qs.len(), DEFINITIONS.len());
        assert!(
            qs.iter().all(|q| q.contains("[6h]") && !q.contains("[5m]")),
            "{qs:?}"
        );
    }

    #[test]
    fn cache_reuses_a_young_report() {
        let cache = SloCache::new(Duration::from_secs(3600));
        let first = cache.get(|| report_of(&[], Ok(1.0), &[]));
        assert!(!first.cached);
        let again = cache.get(|| panic!("must reuse"));
        assert!(again.cached);
        assert_eq!(again.value, first.value);
        let never = SloCache::new(Duration::ZERO);
        assert!(!never.get(|| report_of(&[], Ok(1.0), &[])).cached);
        assert!(!never.get(|| report_of(&[], Ok(1.0), &[])).cached);
    }
}
