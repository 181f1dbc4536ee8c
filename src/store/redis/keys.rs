//! Every Redis key name mutt uses, built in one place.
//!
//! Names are v2.5's (`mutt:ingest_queue`, `mutt:processing:alerter:<pod>`, …) under a configurable
//! prefix; the queue names v2.5 let operators override keep their environment variables.

use crate::settings::{registry, Settings};
use chrono::{DateTime, Utc};

/// Seconds a per-minute ingest counter lives (v2.5 value; the dashboard reads the last 60).
pub const METRICS_TTL_MINUTE: u64 = 7_200;
/// Seconds a per-hour ingest counter lives (v2.5 value).
pub const METRICS_TTL_HOUR: u64 = 172_800;
/// Seconds a per-day ingest counter lives (v2.5 value).
pub const METRICS_TTL_DAY: u64 = 2_592_000;

/// Name of the forwarder's Moog circuit breaker, whose keys are v2.5's
/// `mutt:circuit_breaker:moogsoft:*` (see [`Keys::circuit_breaker`]); readers of its state need it
/// without depending on the forwarder.
pub const MOOG_BREAKER: &str = "moogsoft";

/// A reliable-queue consumer family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consumer {
    /// `mutt alert run` instances.
    Alerter,
    /// `mutt forward run` instances.
    Moog,
}

impl Consumer {
    /// Both families, alerter first.
    pub const ALL: [Consumer; 2] = [Consumer::Alerter, Consumer::Moog];

    /// The name used in its keys and in `mutt status` and the dashboard.
    pub fn name(self) -> &'static str {
        match self {
            Consumer::Alerter => "alerter",
            Consumer::Moog => "moog",
        }
    }
}

/// A daemon family that records its instances for `mutt status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `mutt alert run`.
    Alerter,
    /// `mutt forward run`.
    Forwarder,
    /// `mutt remediate run`.
    Remediation,
}

impl Service {
    /// Every family, in display order.
    pub const ALL: [Service; 3] = [Service::Alerter, Service::Forwarder, Service::Remediation];

    /// The name used in the key and in `mutt status` (`moog` for the forwarder, as its other keys).
    pub fn name(self) -> &'static str {
        match self {
            Service::Alerter => "alerter",
            Service::Forwarder => "moog",
            Service::Remediation => "remediation",
        }
    }
}

/// A dead-letter list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dlq {
    /// Events the alerter could not process.
    Alerter,
    /// Alerts the forwarder could not deliver.
    Moog,
    /// Entries whose replays were exhausted.
    Dead,
}

/// A counter bucket width of the ingest metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// `…:1m:YYYY-MM-DDTHH:MM`
    Minute,
    /// `…:1h:YYYY-MM-DDTHH`
    Hour,
    /// `…:24h:YYYY-MM-DD`
    Day,
}

impl Window {
    /// All three windows, finest first.
    pub const ALL: [Window; 3] = [Window::Minute, Window::Hour, Window::Day];

    /// How long a bucket of this width lives.
    pub fn ttl_seconds(self) -> u64 {
        match self {
            Window::Minute => METRICS_TTL_MINUTE,
            Window::Hour => METRICS_TTL_HOUR,
            Window::Day => METRICS_TTL_DAY,
        }
    }

    fn label_and_format(self) -> (&'static str, &'static str) {
        match self {
            Window::Minute => ("1m", "%Y-%m-%dT%H:%M"),
            Window::Hour => ("1h", "%Y-%m-%dT%H"),
            Window::Day => ("24h", "%Y-%m-%d"),
        }
    }
}

/// The key builder.
#[derive(Debug, Clone, PartialEq)]
pub struct Keys {
    prefix: String,
    ingest_queue: String,
    alert_queue: String,
    alerter_processing: String,
    alerter_heartbeat: String,
    moog_processing: String,
    moog_heartbeat: String,
    alerter_dlq: String,
    moog_dlq: String,
    dead_dlq: String,
    metrics: String,
    unhandled: String,
    moog_rate_limit: String,
}

impl Keys {
    /// Keys as configured (prefix and any overridden v2.5 queue names).
    pub fn from_settings(s: &Settings) -> Keys {
        Keys {
            prefix: s.text(&registry::MUTT_KEY_PREFIX).to_string(),
            ingest_queue: s.text(&registry::INGEST_QUEUE_NAME).to_string(),
            alert_queue: s.text(&registry::ALERT_QUEUE_NAME).to_string(),
            alerter_processing: s
                .text(&registry::ALERTER_PROCESSING_LIST_PREFIX)
                .to_string(),
            alerter_heartbeat: s.text(&registry::ALERTER_HEARTBEAT_PREFIX).to_string(),
            moog_processing: s.text(&registry::MOOG_PROCESSING_LIST_PREFIX).to_string(),
            moog_heartbeat: s.text(&registry::MOOG_HEARTBEAT_PREFIX).to_string(),
            alerter_dlq: s.text(&registry::ALERTER_DLQ_NAME).to_string(),
            moog_dlq: s.text(&registry::MOOG_DLQ_NAME).to_string(),
            dead_dlq: s.text(&registry::DEAD_LETTER_QUEUE).to_string(),
            metrics: s.text(&registry::METRICS_PREFIX).to_string(),
            unhandled: s.text(&registry::UNHANDLED_PREFIX).to_string(),
            moog_rate_limit: s.text(&registry::MOOG_RATE_LIMIT_KEY).to_string(),
        }
    }

    /// Default key names under `prefix`.
    pub fn with_prefix(prefix: &str) -> Keys {
        let p = |rest: &str| format!("{prefix}:{rest}");
        Keys {
            prefix: prefix.to_string(),
            ingest_queue: p("ingest_queue"),
            alert_queue: p("alert_queue"),
            alerter_processing: p("processing:alerter"),
            alerter_heartbeat: p("heartbeat:alerter"),
            moog_processing: p("processing:moog"),
            moog_heartbeat: p("heartbeat:moog"),
            alerter_dlq: p("dlq:alerter"),
            moog_dlq: p("dlq:moog"),
            dead_dlq: p("dlq:dead"),
            metrics: p("metrics"),
            unhandled: p("unhandled"),
            moog_rate_limit: p("rate_limit:moog"),
        }
    }

    /// The prefix every other key starts with (unless a queue name was overridden).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `mutt:ingest_queue`: events waiting for an alerter.
    pub fn ingest_queue(&self) -> &str {
        &self.ingest_queue
    }

    /// `mutt:alert_queue`: alerts waiting for a forwarder.
    pub fn alert_queue(&self) -> &str {
        &self.alert_queue
    }

    fn processing_prefix(&self, c: Consumer) -> &str {
        match c {
            Consumer::Alerter => &self.alerter_processing,
            Consumer::Moog => &self.moog_processing,
        }
    }

    /// `mutt:processing:<consumer>:<pod>`: messages a pod has taken but not finished.
    pub fn processing(&self, c: Consumer, pod: &str) -> String {
        format!("{}:{pod}", self.processing_prefix(c))
    }

    /// SCAN pattern matching every processing list of a consumer family.
    pub fn processing_pattern(&self, c: Consumer) -> String {
        format!("{}:*", self.processing_prefix(c))
    }

    /// The pod name of a processing-list key, or `None` if the key is not one.
    pub fn pod_of_processing_key<'k>(&self, c: Consumer, key: &'k str) -> Option<&'k str> {
        key.strip_prefix(self.processing_prefix(c))
            .and_then(|rest| rest.strip_prefix(':'))
            .filter(|pod| !pod.is_empty())
    }

    fn heartbeat_prefix(&self, c: Consumer) -> &str {
        match c {
            Consumer::Alerter => &self.alerter_heartbeat,
            Consumer::Moog => &self.moog_heartbeat,
        }
    }

    /// `mutt:heartbeat:<consumer>:<pod>`: present while the pod is alive.
    pub fn heartbeat(&self, c: Consumer, pod: &str) -> String {
        format!("{}:{pod}", self.heartbeat_prefix(c))
    }

    /// SCAN pattern matching every heartbeat key of a consumer family.
    pub fn heartbeat_pattern(&self, c: Consumer) -> String {
        format!("{}:*", self.heartbeat_prefix(c))
    }

    /// The pod name of a heartbeat key, or `None` if the key is not one.
    pub fn pod_of_heartbeat_key<'k>(&self, c: Consumer, key: &'k str) -> Option<&'k str> {
        key.strip_prefix(self.heartbeat_prefix(c))
            .and_then(|rest| rest.strip_prefix(':'))
            .filter(|pod| !pod.is_empty())
    }

    /// `mutt:deliveries:<consumer>`: hash of sha1(message) → deliveries that did not finish
    /// (counted when a dead consumer's list is recovered).
    pub fn deliveries(&self, c: Consumer) -> String {
        format!("{}:deliveries:{}", self.prefix, c.name())
    }

    /// `mutt:instances:<service>`: hash pod → `{"instance","last_seen_ms","ttl_s"}`, refreshed
    /// with each heartbeat so `mutt status` can show instances whose heartbeat already expired.
    pub fn instances(&self, s: Service) -> String {
        format!("{}:instances:{}", self.prefix, s.name())
    }

    /// A dead-letter list.
    pub fn dlq(&self, d: Dlq) -> &str {
        match d {
            Dlq::Alerter => &self.alerter_dlq,
            Dlq::Moog => &self.moog_dlq,
            Dlq::Dead => &self.dead_dlq,
        }
    }

    /// `mutt:silenced:<UTC minute>`: hash silence id → events it held back in that minute,
    /// written by the alerters with each batch's commit, read by the dashboard and `mutt status`.
    pub fn silenced_minute(&self, at: DateTime<Utc>) -> String {
        format!("{}:silenced:{}", self.prefix, at.format("%Y-%m-%dT%H:%M"))
    }

    /// `mutt:dedup:<rule>:<host>:<hash16>`: hash of the last alert sent for one dedup key
    /// (`sent_event`, `sent_at_ms`, what it carried) and when its first held-back repeat came.
    pub fn dedup(&self, rule_id: i32, host: &str, hash16: &str) -> String {
        format!("{}:dedup:{rule_id}:{host}:{hash16}", self.prefix)
    }

    /// `mutt:dedup:<rule>:<host>:<hash16>:held`: set of the event ids held back since that alert.
    pub fn dedup_held(&self, rule_id: i32, host: &str, hash16: &str) -> String {
        format!("{}:dedup:{rule_id}:{host}:{hash16}:held", self.prefix)
    }

    /// `mutt:dedup:<rule>:<host>:<hash16>:held_prev`: those held back as repeats of the alert
    /// before it (kept so a redelivered event gets the same answer).
    pub fn dedup_held_prev(&self, rule_id: i32, host: &str, hash16: &str) -> String {
        format!("{}:dedup:{rule_id}:{host}:{hash16}:held_prev", self.prefix)
    }

    /// `mutt:unhandled:<host>:<hash16>`: count of unmatched events from one host and message.
    pub fn unhandled(&self, host: &str, hash16: &str) -> String {
        format!("{}:{host}:{hash16}", self.unhandled)
    }

    /// `mutt:unhandled:<host>:<hash16>:triggered`: the meta-alert for this window was sent.
    pub fn unhandled_triggered(&self, host: &str, hash16: &str) -> String {
        format!("{}:{host}:{hash16}:triggered", self.unhandled)
    }

    /// `mutt:metrics:<1m|1h|24h>:<UTC bucket>`: ingest counters the dashboard reads.
    pub fn metrics_counter(&self, w: Window, at: DateTime<Utc>) -> String {
        let (label, fmt) = w.label_and_format();
        format!("{}:{label}:{}", self.metrics, at.format(fmt))
    }

    /// SCAN pattern of one window's counters.
    pub fn metrics_pattern(&self, w: Window) -> String {
        format!("{}:{}:*", self.metrics, w.label_and_format().0)
    }

    /// `mutt:config:<key>`: one dynamic configuration value.
    pub fn config(&self, key: &str) -> String {
        format!("{}:config:{key}", self.prefix)
    }

    /// `mutt:config:updates`: the channel announcing dynamic configuration changes.
    pub fn config_updates_channel(&self) -> String {
        self.config("updates")
    }

    /// `mutt:rate_limit:<name>`: a shared rate limiter.
    pub fn rate_limit(&self, name: &str) -> String {
        format!("{}:rate_limit:{name}", self.prefix)
    }

    /// The forwarder's shared Moog rate limiter (`MOOG_RATE_LIMIT_KEY`).
    pub fn moog_rate_limit(&self) -> &str {
        &self.moog_rate_limit
    }

    /// `mutt:circuit_breaker:<name>:<field>` (fields `state`, `failures`, `opened_at`, …).
    pub fn circuit_breaker(&self, name: &str, field: &str) -> String {
        format!("{}:circuit_breaker:{name}:{field}", self.prefix)
    }

    /// `mutt:lock:<name>`: a lock held (with an expiry) by the one active instance of a job.
    pub fn lock(&self, name: &str) -> String {
        format!("{}:lock:{name}", self.prefix)
    }

    /// `mutt:retry:moog`: the forwarder's delayed-retry sorted set (score = due time).
    pub fn moog_retry(&self) -> String {
        format!("{}:retry:moog", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn default_names_are_the_v25_names() {
        let k = Keys::with_prefix("mutt");
        assert_eq!(k.ingest_queue(), "mutt:ingest_queue");
        assert_eq!(k.alert_queue(), "mutt:alert_queue");
        assert_eq!(
            k.processing(Consumer::Alerter, "p1"),
            "mutt:processing:alerter:p1"
        );
        assert_eq!(
            k.processing(Consumer::Moog, "p1"),
            "mutt:processing:moog:p1"
        );
        assert_eq!(
            k.heartbeat(Consumer::Alerter, "p1"),
            "mutt:heartbeat:alerter:p1"
        );
        assert_eq!(k.heartbeat(Consumer::Moog, "p1"), "mutt:heartbeat:moog:p1");
        assert_eq!(k.dlq(Dlq::Alerter), "mutt:dlq:alerter");
        assert_eq!(k.dlq(Dlq::Moog), "mutt:dlq:moog");
        assert_eq!(k.dlq(Dlq::Dead), "mutt:dlq:dead");
        assert_eq!(k.unhandled("h", "abcd"), "mutt:unhandled:h:abcd");
        assert_eq!(
            k.unhandled_triggered("h", "abcd"),
            "mutt:unhandled:h:abcd:triggered"
        );
        assert_eq!(k.config("moog_rate_limit"), "mutt:config:moog_rate_limit");
        assert_eq!(k.config_updates_channel(), "mutt:config:updates");
        assert_eq!(k.rate_limit("ingestor"), "mutt:rate_limit:ingestor");
        assert_eq!(k.moog_rate_limit(), "mutt:rate_limit:moog");
        assert_eq!(
            k.circuit_breaker(MOOG_BREAKER, "state"),
            "mutt:circuit_breaker:moogsoft:state"
        );
        assert_eq!(k.moog_retry(), "mutt:retry:moog");
        assert_eq!(k.instances(Service::Forwarder), "mutt:instances:moog");
        assert_eq!(
            k.instances(Service::Remediation),
            "mutt:instances:remediation"
        );
        assert_eq!(k.deliveries(Consumer::Alerter), "mutt:deliveries:alerter");
    }

    #[test]
    fn settings_and_with_prefix_agree() {
        let s = Settings::load(&[], &Default::default()).unwrap();
        assert_eq!(Keys::from_settings(&s), Keys::with_prefix("mutt"));
        let env = [("MUTT_KEY_PREFIX".to_string(), "t42".to_string())].into();
        let s = Settings::load(&[], &env).unwrap();
        assert_eq!(Keys::from_settings(&s), Keys::with_prefix("t42"));
    }

    #[test]
    fn metrics_buckets_use_utc_v25_formats() {
        let k = Keys::with_prefix("mutt");
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 4, 19, 59).unwrap();
        assert_eq!(
            k.metrics_counter(Window::Minute, at),
            "mutt:metrics:1m:2026-11-22T04:19"
        );
        assert_eq!(
            k.metrics_counter(Window::Hour, at),
            "mutt:metrics:1h:2026-11-22T04"
        );
        assert_eq!(
            k.metrics_counter(Window::Day, at),
            "mutt:metrics:24h:2026-11-22"
        );
        assert_eq!(k.metrics_pattern(Window::Minute), "mutt:metrics:1m:*");
        assert_eq!(k.silenced_minute(at), "mutt:silenced:2026-11-22T04:19");
        assert_eq!(
            k.dedup(3, "sw1", "0123456789abcdef"),
            "mutt:dedup:3:sw1:0123456789abcdef"
        );
        assert_eq!(
            k.dedup_held(3, "sw1", "0123456789abcdef"),
            "mutt:dedup:3:sw1:0123456789abcdef:held"
        );
        assert_eq!(Window::Minute.ttl_seconds(), 7200);
        assert_eq!(Window::Hour.ttl_seconds(), 172_800);
        assert_eq!(Window::Day.ttl_seconds(), 2_592_000);
    }

    #[test]
    fn pod_is_recovered_from_processing_keys() {
        let k = Keys::with_prefix("mutt");
        let key = k.processing(Consumer::Alerter, "alerter-host:1");
        assert_eq!(
            k.pod_of_processing_key(Consumer::Alerter, &key),
            Some("alerter-host:1")
        );
        assert_eq!(k.pod_of_processing_key(Consumer::Moog, &key), None);
        assert_eq!(
            k.pod_of_processing_key(Consumer::Alerter, "mutt:processing:alerter:"),
            None
        );
        assert_eq!(
            k.pod_of_processing_key(Consumer::Alerter, "mutt:processing:alerterX"),
            None
        );
        assert_eq!(
            k.processing_pattern(Consumer::Moog),
            "mutt:processing:moog:*"
        );
        let hb = k.heartbeat(Consumer::Moog, "fwd-1");
        assert_eq!(k.pod_of_heartbeat_key(Consumer::Moog, &hb), Some("fwd-1"));
        assert_eq!(k.pod_of_heartbeat_key(Consumer::Alerter, &hb), None);
        assert_eq!(
            k.heartbeat_pattern(Consumer::Alerter),
            "mutt:heartbeat:alerter:*"
        );
    }
}
