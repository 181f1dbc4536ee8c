//! The alert: one JSON object per matched event on `mutt:alert_queue` (CONTRACT §4): v2.5's
//! fields (`hostname`, `team_assignment`, `severity`, `message_body`, `raw_json`) plus mutt's
//! (`_correlation_id`, `_event_id`, `_traceparent`, `rule_id`, `handling`, `environment`,
//! `event_timestamp`), and `_moog_retry_count` once the forwarder has retried it. Meta-alerts
//! ("unhandled") have the same shape with `hostname` `MUTT_Alerter` and a null `rule_id`.

use super::event::Event;
use super::rule::Environment;
use serde::Serialize;
use serde_json::{Map, Value};

/// Characters of the sample message in a meta-alert (v2.5).
pub const META_SAMPLE_CHARS: usize = 200;
/// `hostname` of meta-alerts (v2.5).
pub const META_HOSTNAME: &str = "MUTT_Alerter";

/// Field counting the retries of an alert (v2.5's name).
pub const RETRY_FIELD: &str = "_moog_retry_count";

/// Moog severity from syslog severity: 0–2 Critical, 3 Major, 4 Warning, 5 Minor, 6–7 Info,
/// absent Warning.
pub fn moog_severity(syslog: Option<u8>) -> &'static str {
    match syslog {
        Some(0..=2) => "Critical",
        Some(3) => "Major",
        Some(4) => "Warning",
        Some(5) => "Minor",
        Some(_) => "Info",
        None => "Warning",
    }
}

/// An alert as queued, in v2.5's field order followed by mutt's. Serialised from borrowed parts:
/// the event's own fields go into `raw_json` without a copy.
#[derive(Debug, Serialize)]
pub struct Alert<'a> {
    /// The device (meta-alerts: `MUTT_Alerter`).
    pub hostname: &'a str,
    /// Team the alert is assigned to.
    pub team_assignment: &'a str,
    /// Moog severity (see [`moog_severity`]).
    pub severity: &'a str,
    /// The event's message (meta-alerts: the summary with a sample).
    pub message_body: &'a str,
    /// The queued event, all fields.
    pub raw_json: &'a Map<String, Value>,
    /// The ingest request's correlation id.
    #[serde(rename = "_correlation_id")]
    pub correlation_id: &'a str,
    /// The event's id (the forwarder's idempotency key towards Moog).
    #[serde(rename = "_event_id")]
    pub event_id: &'a str,
    /// The alerter's span, parent of the forwarder's.
    #[serde(rename = "_traceparent")]
    pub traceparent: &'a str,
    /// The matched rule; `null` for meta-alerts.
    pub rule_id: Option<i32>,
    /// The handling chosen (`unhandled` for meta-alerts).
    pub handling: &'a str,
    /// `prod` or `dev`.
    pub environment: &'a str,
    /// The device's time, RFC 3339 with milliseconds.
    pub event_timestamp: String,
}

impl Alert<'_> {
    /// The queued text.
    pub fn to_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The alert message for a matched event (CONTRACT §4): v2.5's fields plus ours, never a key.
pub fn alert_message(
    ev: &Event,
    rule_id: i32,
    handling: &str,
    team: &str,
    environment: Environment,
) -> String {
    let traceparent = ev.trace.header();
    Alert {
        hostname: &ev.hostname,
        team_assignment: team,
        severity: moog_severity(ev.severity),
        message_body: &ev.message,
        raw_json: &ev.event,
        correlation_id: &ev.correlation_id,
        event_id: &ev.event_id,
        traceparent: &traceparent,
        rule_id: Some(rule_id),
        handling,
        environment: environment.as_str(),
        event_timestamp: crate::timefmt::millis(ev.timestamp),
    }
    .to_text()
}

/// The "unhandled" meta-alert raised when `threshold` unmatched events arrived in `window` s.
pub fn meta_alert(
    ev: &Event,
    team: &str,
    environment: Environment,
    threshold: i64,
    window: u64,
) -> String {
    let sample: String = ev.message.chars().take(META_SAMPLE_CHARS).collect();
    let body = format!(
        "[MUTT] Detected {threshold} unhandled messages in {window}s from '{}'. Sample message: {sample}",
        ev.hostname
    );
    let traceparent = ev.trace.header();
    Alert {
        hostname: META_HOSTNAME,
        team_assignment: team,
        severity: "Warning",
        message_body: &body,
        raw_json: &ev.event,
        correlation_id: &ev.correlation_id,
        event_id: &ev.event_id,
        traceparent: &traceparent,
        rule_id: None,
        handling: "unhandled",
        environment: environment.as_str(),
        event_timestamp: crate::timefmt::millis(ev.timestamp),
    }
    .to_text()
}

/// The alert with its retry count set to `count` (serialised for the retry set).
pub fn with_retry_count(alert: &Map<String, Value>, count: u32) -> String {
    let mut a = alert.clone();
    a.insert(RETRY_FIELD.into(), Value::from(count));
    Value::Object(a).to_string()
}

/// The alert's retry count so far.
pub fn retry_count(alert: &Map<String, Value>) -> u32 {
    alert.get(RETRY_FIELD).and_then(Value::as_u64).unwrap_or(0) as u32
}
