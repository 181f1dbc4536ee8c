//! What the alerter does to one message, as pure functions: parse and check it, derive its id
//! and time, and build the alert, meta-alert, audit row and DLQ entry. No I/O.

use crate::rules::{self, Decision, Environment, EventView};
use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use serde_json::{json, Map, Value};

/// Longest host name the audit table holds (`VARCHAR(255)`).
pub const MAX_HOSTNAME_CHARS: usize = 255;
/// Characters of the sample message in a meta-alert (v2.5).
pub const META_SAMPLE_CHARS: usize = 200;
/// `hostname` of meta-alerts (v2.5).
pub const META_HOSTNAME: &str = "MUTT_Alerter";

/// A queued event the alerter can work with.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The event as queued (all fields).
    pub event: Map<String, Value>,
    /// The exact queued text (audit `raw_message`).
    pub raw: String,
    /// `_event_id`, or one derived from the text for v2.5-queued events.
    pub event_id: String,
    /// The device's time, parsed.
    pub timestamp: DateTime<Utc>,
    /// Device host name.
    pub hostname: String,
    /// Event text.
    pub message: String,
    /// Trap OID, if any.
    pub trap_oid: Option<String>,
    /// Severity 0–7, if any.
    pub severity: Option<u8>,
    /// `_correlation_id`, or `unknown` (v2.5).
    pub correlation_id: String,
    /// The alerter's span for this event: a child of `_traceparent`, or a new trace for events
    /// queued without one (v2.5) or with an invalid one.
    pub trace: crate::trace::TraceContext,
    /// The ingest span id from `_traceparent`, when valid.
    pub trace_parent: Option<crate::trace::SpanId>,
}

impl Incoming {
    /// The fields the rule engine reads.
    pub fn view(&self) -> EventView<'_> {
        EventView {
            hostname: &self.hostname,
            message: Some(&self.message),
            trap_oid: self.trap_oid.as_deref(),
            syslog_severity: self.severity,
        }
    }
}

fn required_text(map: &Map<String, Value>, field: &str) -> Result<String, String> {
    match map.get(field) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.clone()),
        Some(Value::String(_)) => Err(format!("field {field} is empty")),
        None | Some(Value::Null) => Err(format!("missing field {field}")),
        Some(_) => Err(format!("field {field} is not a string")),
    }
}

/// Parse one queued message, or say why it cannot be processed (it then goes to the DLQ).
pub fn parse_delivery(raw: &str, now: DateTime<Utc>) -> Result<Incoming, String> {
    let value: Value = serde_json::from_str(raw)
        .map_err(|e| format!("invalid JSON at line {} column {}", e.line(), e.column()))?;
    let Value::Object(event) = value else {
        return Err("not a JSON object".into());
    };
    let hostname = required_text(&event, "hostname")?;
    if hostname.chars().count() > MAX_HOSTNAME_CHARS {
        return Err(format!(
            "hostname longer than {MAX_HOSTNAME_CHARS} characters"
        ));
    }
    let message = required_text(&event, "message")?;
    let timestamp = match event.get("timestamp") {
        None | Some(Value::Null) => return Err("missing field timestamp".into()),
        Some(v) => {
            parse_timestamp(v, now).ok_or_else(|| format!("unparseable timestamp {}", short(v)))?
        }
    };
    let trap_oid = match event.get("trap_oid") {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        _ => None,
    };
    let severity = event
        .get("syslog_severity")
        .and_then(rules::parse_severity)
        .or_else(|| event.get("severity").and_then(rules::parse_severity));
    let correlation_id = match event.get("_correlation_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => "unknown".to_string(),
    };
    let event_id = match event.get("_event_id") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => derived_event_id(raw),
    };
    let (trace, trace_parent) = crate::trace::TraceContext::continue_from(
        event.get(crate::trace::QUEUE_FIELD).and_then(Value::as_str),
    );
    Ok(Incoming {
        raw: raw.to_string(),
        event,
        event_id,
        timestamp,
        hostname,
        message,
        trap_oid,
        severity,
        correlation_id,
        trace,
        trace_parent,
    })
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() > 40 {
        format!("{}…", text.chars().take(40).collect::<String>())
    } else {
        text
    }
}

/// A stable id for an event queued without `_event_id` (by v2.5's ingestor): the same queued
/// text always gives the same id, so a redelivery is recognised.
pub fn derived_event_id(raw: &str) -> String {
    format!("v25-{}", &crate::queue::sha1_hex(raw)[..32])
}

/// A device time: RFC 3339, `YYYY-MM-DD HH:MM:SS[.f]` (UTC), RFC 3164 `Mmm dd hh:mm:ss` (this
/// year, or last year if that would be more than a day ahead), or epoch seconds / milliseconds.
pub fn parse_timestamp(v: &Value, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    match v {
        Value::Number(n) => n.as_f64().and_then(from_epoch),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(t) = DateTime::parse_from_rfc3339(s) {
                return Some(t.with_timezone(&Utc));
            }
            if let Ok(n) = s.parse::<f64>() {
                return from_epoch(n);
            }
            for fmt in [
                "%Y-%m-%d %H:%M:%S%.f",
                "%Y-%m-%dT%H:%M:%S%.f",
                "%Y-%m-%d %H:%M:%S",
            ] {
                if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
                    return Some(Utc.from_utc_datetime(&t));
                }
            }
            rfc3164(s, now)
        }
        _ => None,
    }
}

fn from_epoch(n: f64) -> Option<DateTime<Utc>> {
    if !n.is_finite() || n < 0.0 {
        return None;
    }
    // Anything past year 5138 in seconds is milliseconds.
    let millis = if n > 1e11 { n } else { n * 1000.0 };
    DateTime::from_timestamp_millis(millis as i64)
}

fn rfc3164(s: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    // "Nov 11 10:00:00" or "Nov  1 10:00:00"; the year is not sent.
    let normalised = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let year = now.year();
    let parse = |y: i32| {
        NaiveDateTime::parse_from_str(&format!("{y} {normalised}"), "%Y %b %d %H:%M:%S").ok()
    };
    let this_year = Utc.from_utc_datetime(&parse(year)?);
    if this_year - now > chrono::Duration::days(1) {
        return parse(year - 1).map(|t| Utc.from_utc_datetime(&t));
    }
    Some(this_year)
}

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

/// The alert message for a matched event (CONTRACT §4): v2.5's fields plus ours, never a key.
pub fn alert_message(
    ev: &Incoming,
    rule_id: i32,
    handling: &str,
    team: &str,
    environment: Environment,
) -> String {
    json!({
        "hostname": ev.hostname,
        "team_assignment": team,
        "severity": moog_severity(ev.severity),
        "message_body": ev.message,
        "raw_json": Value::Object(ev.event.clone()),
        "_correlation_id": ev.correlation_id,
        "_event_id": ev.event_id,
        "_traceparent": ev.trace.header(),
        "rule_id": rule_id,
        "handling": handling,
        "environment": environment.as_str(),
        "event_timestamp": crate::timefmt::millis(ev.timestamp),
    })
    .to_string()
}

/// The "unhandled" meta-alert raised when `threshold` unmatched events arrived in `window` s.
pub fn meta_alert(
    ev: &Incoming,
    team: &str,
    environment: Environment,
    threshold: i64,
    window: u64,
) -> String {
    let sample: String = ev.message.chars().take(META_SAMPLE_CHARS).collect();
    json!({
        "hostname": META_HOSTNAME,
        "team_assignment": team,
        "severity": "Warning",
        "message_body": format!(
            "[MUTT] Detected {threshold} unhandled messages in {window}s from '{}'. Sample message: {sample}",
            ev.hostname
        ),
        "raw_json": Value::Object(ev.event.clone()),
        "_correlation_id": ev.correlation_id,
        "_event_id": ev.event_id,
        "_traceparent": ev.trace.header(),
        "rule_id": Value::Null,
        "handling": "unhandled",
        "environment": environment.as_str(),
        "event_timestamp": crate::timefmt::millis(ev.timestamp),
    })
    .to_string()
}

/// First 16 hex characters of the SHA-1 of the message: v2.5's unhandled signature.
pub fn unhandled_signature(message: &str) -> String {
    crate::queue::sha1_hex(message)[..16].to_string()
}

/// One `event_audit_log` row.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    /// Device time.
    pub event_timestamp: DateTime<Utc>,
    /// Host.
    pub hostname: String,
    /// Rule.
    pub matched_rule_id: i32,
    /// Handling chosen.
    pub handling_decision: String,
    /// Whether an alert was queued.
    pub forwarded_to_moog: bool,
    /// The queued text.
    pub raw_message: String,
    /// Idempotency key.
    pub event_id: String,
}

/// What to do with one parsed event.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Audit it, and queue `alert` if there is one.
    Handled {
        /// The audit row.
        row: AuditRow,
        /// The alert message, when forwarded.
        alert: Option<String>,
    },
    /// Count it as unhandled.
    Unhandled {
        /// Counter key signature.
        signature: String,
        /// The meta-alert to raise if this one reaches the threshold.
        meta_alert: String,
    },
}

/// Decide what happens to an event under `decision`.
pub fn outcome(ev: &Incoming, decision: &Decision, threshold: i64, window: u64) -> Outcome {
    match decision {
        Decision::Matched {
            rule_id,
            handling,
            team,
            environment,
            forward,
        } => Outcome::Handled {
            row: AuditRow {
                event_timestamp: ev.timestamp,
                hostname: ev.hostname.clone(),
                matched_rule_id: *rule_id,
                handling_decision: handling.clone(),
                forwarded_to_moog: *forward,
                raw_message: ev.raw.clone(),
                event_id: ev.event_id.clone(),
            },
            alert: forward.then(|| alert_message(ev, *rule_id, handling, team, *environment)),
        },
        Decision::Unhandled { team, environment } => Outcome::Unhandled {
            signature: unhandled_signature(&ev.message),
            meta_alert: meta_alert(ev, team, *environment, threshold, window),
        },
    }
}

#[cfg(test)]
mod tests;
