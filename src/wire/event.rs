//! The event: one JSON object per message on `mutt:ingest_queue`, as v2.5's ingestor queued it
//! (`hostname`, `message`, `timestamp`, optional `syslog_severity` / `severity`, `trap_oid`, and
//! any other fields, kept verbatim) plus the fields mutt stamps at ingest: `_event_id` (UUID, the
//! audit idempotency key), `_received_at` (RFC 3339 UTC), `_correlation_id` and `_traceparent`.
//! A v2.5-queued event without `_event_id` gets one derived from its text.

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Utc};
use serde_json::{Map, Value};

/// Longest host name the audit table holds (`VARCHAR(255)`).
pub const MAX_HOSTNAME_CHARS: usize = 255;
/// A queued event the alerter can work with.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
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

impl Event {
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

/// The fields of an event the engine reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventView<'a> {
    /// Device host name.
    pub hostname: &'a str,
    /// Text of the event.
    pub message: Option<&'a str>,
    /// Trap OID, if the event is a trap.
    pub trap_oid: Option<&'a str>,
    /// Severity 0–7.
    pub syslog_severity: Option<u8>,
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
pub fn parse_delivery(raw: &str, now: DateTime<Utc>) -> Result<Event, String> {
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
        .and_then(parse_severity)
        .or_else(|| event.get("severity").and_then(parse_severity));
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
    Ok(Event {
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
    format!("v25-{}", &super::sha1_hex(raw)[..32])
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

/// The fields mutt adds to every queued event.
#[derive(Debug, Clone)]
pub struct Stamp<'a> {
    /// The request's correlation id.
    pub correlation_id: &'a str,
    /// RFC 3339 UTC receive time.
    pub received_at: &'a str,
    /// The ingest span's `traceparent` (the parent of the alerter's span).
    pub traceparent: &'a str,
}

/// Add `_correlation_id`, a fresh `_event_id`, `_received_at` and `_traceparent`, and serialise
/// for the queue.
pub fn stamp_event(mut event: Map<String, Value>, stamp: &Stamp<'_>) -> String {
    event.insert("_correlation_id".into(), Value::from(stamp.correlation_id));
    event.insert(
        "_event_id".into(),
        Value::from(uuid::Uuid::new_v4().to_string()),
    );
    event.insert("_received_at".into(), Value::from(stamp.received_at));
    event.insert("_traceparent".into(), Value::from(stamp.traceparent));
    Value::Object(event).to_string()
}

/// The stamp of one request (or one syslog read) as JSON text, built once and appended to each
/// of its events: the per-event work is then one id and two copies.
pub struct StampText {
    /// `"_correlation_id":"…","_event_id":"`
    head: String,
    /// `","_received_at":"…","_traceparent":"…"}`
    tail: String,
}

impl StampText {
    pub fn new(stamp: &Stamp<'_>) -> StampText {
        StampText {
            head: format!(
                "\"_correlation_id\":{},\"_event_id\":\"",
                Value::from(stamp.correlation_id)
            ),
            tail: format!(
                "\",\"_received_at\":{},\"_traceparent\":{}}}",
                Value::from(stamp.received_at),
                Value::from(stamp.traceparent)
            ),
        }
    }

    /// Whether nothing is added (never: the stamp has four fields).
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Bytes this adds to an event.
    pub fn len(&self) -> usize {
        self.head.len() + uuid::fmt::Hyphenated::LENGTH + self.tail.len()
    }

    /// Append the stamp fields with a fresh `_event_id`, closing the object.
    pub fn append_to(&self, out: &mut String) {
        let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
        out.push_str(&self.head);
        out.push_str(uuid::Uuid::new_v4().hyphenated().encode_lower(&mut id));
        out.push_str(&self.tail);
    }
}

/// `event` (without stamps of its own) serialised with `stamp`'s fields and a fresh `_event_id`
/// appended: what [`stamp_event`] gives, without inserting into the map.
pub fn stamped_text(event: &impl serde::Serialize, stamp: &StampText) -> String {
    // serde_json writes `{…}`: drop the closing brace, append `,` and the stamp (which closes).
    let mut out = serde_json::to_string(event).unwrap_or_else(|_| "{}".into());
    out.pop();
    out.reserve(stamp.len() + 1);
    if out.len() > 1 {
        out.push(',');
    }
    stamp.append_to(&mut out);
    out
}

/// A syslog severity given as a number, a numeric string or a name.
pub fn parse_severity(value: &serde_json::Value) -> Option<u8> {
    match value {
        serde_json::Value::Number(n) => n.as_u64().filter(|s| *s <= 7).map(|s| s as u8),
        serde_json::Value::String(s) => match s.trim().parse::<u64>() {
            Ok(n) if n <= 7 => Some(n as u8),
            Ok(_) => None,
            Err(_) => Some(match s.trim().to_ascii_lowercase().as_str() {
                "emerg" | "emergency" | "panic" => 0,
                "alert" => 1,
                "crit" | "critical" => 2,
                "err" | "error" => 3,
                "warning" | "warn" => 4,
                "notice" => 5,
                "info" | "informational" => 6,
                "debug" => 7,
                _ => return None,
            }),
        },
        _ => None,
    }
}

/// Normalise an OID for comparison: no leading dot, `iso.` → `1.`, no trailing `.*` or `.`.
///
/// The result is a fixed point (normalising it again changes nothing): trailing and leading
/// debris is stripped repeatedly before `iso` is mapped, so `"..1.3"`, `"1.3 ."` and `"iso ."`
/// compare like `"1.3"` and `"1"` (found by fuzzing: one pass left `".1.3"` and `"iso"`).
pub fn normalise_oid(oid: &str) -> String {
    let mut s = oid.trim();
    loop {
        let before = s.len();
        s = s.trim_end();
        s = s
            .strip_suffix(".*")
            .or_else(|| s.strip_suffix('.'))
            .unwrap_or(s);
        if s.len() == before {
            break;
        }
    }
    let s = s.trim_start_matches(|c: char| c == '.' || c.is_whitespace());
    match s.strip_prefix("iso.") {
        Some(rest) => format!("1.{rest}"),
        None if s == "iso" => "1".to_string(),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod stamp_tests {
    use super::*;

    #[test]
    fn stamped_text_equals_stamp_event_but_the_id() {
        let stamp = Stamp {
            correlation_id: "c-1",
            received_at: "2026-12-07T12:00:00.000Z",
            traceparent: "00-0e7212b459290bb3c452235c5c77a7a6-70ebf8a14c460741-01",
        };
        let mut event = Map::new();
        event.insert("hostname".into(), Value::from("sw1"));
        event.insert("message".into(), Value::from("a \"quoted\" text"));
        let fast: Map<String, Value> =
            serde_json::from_str(&stamped_text(&event, &StampText::new(&stamp))).unwrap();
        let mut slow: Map<String, Value> =
            serde_json::from_str(&stamp_event(event, &stamp)).unwrap();
        assert_ne!(fast["_event_id"], slow["_event_id"]);
        slow.insert("_event_id".into(), fast["_event_id"].clone());
        assert_eq!(fast, slow);
        assert_eq!(
            fast.keys().collect::<Vec<_>>(),
            slow.keys().collect::<Vec<_>>()
        );
    }
}
