//! What the forwarder sends and how it reads the answer, as pure functions: the Moog event of
//! `reference/forwarder.md` §1.7, outcome classification, and the retry schedule.

use crate::backoff::jitter;
use serde_json::{json, Map, Value};
use std::time::Duration;

/// Moog's numeric severity (v2.5 map; anything else is 3).
pub fn moog_severity(name: &str) -> i64 {
    match name {
        "Critical" => 5,
        "Major" => 4,
        "Warning" => 3,
        "Minor" => 2,
        "Info" => 1,
        "Clear" => 0,
        _ => 3,
    }
}

fn text_or<'a>(alert: &'a Map<String, Value>, key: &str, default: &'a str) -> Value {
    match alert.get(key) {
        None => Value::String(default.to_string()),
        Some(v) => v.clone(),
    }
}

/// The Moog event for one alert. `agent_time` is the event's time (epoch seconds) when the alert
/// carries `event_timestamp`, else `now`.
pub fn moog_event(alert: &Map<String, Value>, now_epoch: i64) -> Value {
    let severity = alert
        .get("severity")
        .and_then(Value::as_str)
        .map(moog_severity)
        .unwrap_or(3);
    let agent_time = alert
        .get("event_timestamp")
        .and_then(Value::as_str)
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp())
        .unwrap_or(now_epoch);
    let mut ev = json!({
        "signature": text_or(alert, "hostname", "unknown"),
        "source_id": text_or(alert, "hostname", "unknown"),
        "external_id": text_or(alert, "_correlation_id", "unknown"),
        "manager": "MUTT",
        "source": "MUTT Alerter",
        "agent": format!("MUTT {}", env!("CARGO_PKG_VERSION")),
        "agent_location": "Alerter Service",
        "type": "Alert",
        "class": text_or(alert, "team_assignment", "Unknown"),
        "severity": severity,
        "description": text_or(alert, "message_body", ""),
        "agent_time": agent_time,
    });
    if let (Some(obj), Some(custom)) = (ev.as_object_mut(), alert.get("raw_json")) {
        let mut custom = custom.clone();
        // An alert that stands for repeats held back by dedup says how many, and since when.
        if let (Some(info), Some(count)) = (custom.as_object_mut(), alert.get("repeat_count")) {
            info.insert("repeat_count".into(), count.clone());
            if let Some(first) = alert.get("first_seen") {
                info.insert("first_seen".into(), first.clone());
            }
        }
        obj.insert("custom_info".into(), custom);
    }
    ev
}

/// The request body for a group of events: the event itself, or `{"events":[…]}` when batching.
pub fn request_body(events: &[Value], batching: bool) -> String {
    if batching {
        json!({ "events": events }).to_string()
    } else {
        events.first().map(Value::to_string).unwrap_or_default()
    }
}

/// How one delivery attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Moog took it (any 2xx).
    Delivered,
    /// Worth retrying (408, 425, 429, 5xx, timeout, connection error); counts against the breaker.
    Retry {
        /// HTTP status, if there was a response.
        status: Option<u16>,
        /// Server's `Retry-After`, if any.
        retry_after: Option<Duration>,
        /// Short cause.
        error: String,
    },
    /// Refused for good (other 4xx, 3xx): dead-letter; does not trip the breaker.
    Reject {
        /// HTTP status.
        status: u16,
        /// Short cause.
        error: String,
    },
}

impl Outcome {
    /// Whether it counts as a breaker failure.
    pub fn is_failure(&self) -> bool {
        matches!(self, Outcome::Retry { .. })
    }
}

/// Classify an HTTP status.
pub fn classify(status: u16, retry_after: Option<Duration>, body_excerpt: &str) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        408 | 425 | 429 | 500..=599 => Outcome::Retry {
            status: Some(status),
            retry_after,
            error: format!("HTTP {status}{}", excerpt(body_excerpt)),
        },
        _ => Outcome::Reject {
            status,
            error: format!("HTTP {status}{}", excerpt(body_excerpt)),
        },
    }
}

fn excerpt(body: &str) -> String {
    let t: String = body.trim().chars().take(200).collect();
    if t.is_empty() {
        String::new()
    } else {
        format!(": {t}")
    }
}

/// `Retry-After` in seconds (the HTTP-date form is not used by Moog; it is ignored).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Delay before retry number `attempt` (1-based): full jitter on `base·2^(attempt-1)` capped at
/// `max`, but never sooner than the server's `Retry-After`.
pub fn retry_delay(
    attempt: u32,
    base: Duration,
    max: Duration,
    retry_after: Option<Duration>,
) -> Duration {
    let exp = attempt.saturating_sub(1).min(31);
    let ceiling = base.saturating_mul(1u32 << exp.min(20)).min(max.max(base));
    let delay = jitter(ceiling);
    match retry_after {
        Some(ra) => delay.max(ra),
        None => delay,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::alert::{retry_count, with_retry_count};

    fn alert(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_moog_event_has_the_v25_fields() {
        let a = alert(json!({
            "hostname": "sw1", "team_assignment": "NetOps", "severity": "Major",
            "message_body": "LINK-DOWN", "raw_json": {"hostname": "sw1", "x": 1},
            "_correlation_id": "c1", "event_timestamp": "2026-11-22T04:00:00.000Z"
        }));
        assert_eq!(
            moog_event(&a, 42),
            json!({
                "signature": "sw1", "source_id": "sw1", "external_id": "c1", "manager": "MUTT",
                "source": "MUTT Alerter", "agent": format!("MUTT {}", env!("CARGO_PKG_VERSION")),
                "agent_location": "Alerter Service", "type": "Alert", "class": "NetOps", "severity": 4,
                "description": "LINK-DOWN", "agent_time": 1_795_320_000,
                "custom_info": {"hostname": "sw1", "x": 1}
            })
        );
        let bare = moog_event(&alert(json!({"severity": "Loud", "hostname": null})), 42);
        assert_eq!(
            bare["signature"],
            Value::Null,
            "present null stays null (v2.5)"
        );
        assert_eq!(bare["external_id"], "unknown");
        assert_eq!(bare["class"], "Unknown");
        assert_eq!(bare["description"], "");
        assert_eq!(bare["severity"], 3);
        assert_eq!(bare["agent_time"], 42);
        assert!(bare.get("custom_info").is_none());
    }

    #[test]
    fn an_alert_standing_for_repeats_says_so_in_custom_info() {
        let a = alert(json!({
            "hostname": "sw1", "raw_json": {"hostname": "sw1", "message": "flap"},
            "repeat_count": 41, "first_seen": "2026-12-07T10:00:00.000Z"
        }));
        assert_eq!(
            moog_event(&a, 42)["custom_info"],
            json!({"hostname": "sw1", "message": "flap", "repeat_count": 41,
                   "first_seen": "2026-12-07T10:00:00.000Z"})
        );
    }

    #[test]
    fn severities_map_exactly() {
        let got: Vec<i64> = [
            "Critical", "Major", "Warning", "Minor", "Info", "Clear", "critical", "",
        ]
        .iter()
        .map(|s| moog_severity(s))
        .collect();
        assert_eq!(got, [5, 4, 3, 2, 1, 0, 3, 3]);
    }

    #[test]
    fn statuses_are_classified() {
        for s in [200, 201, 202, 204, 299] {
            assert_eq!(classify(s, None, ""), Outcome::Delivered, "{s}");
        }
        for s in [408, 425, 429, 500, 502, 503, 599] {
            assert!(
                matches!(classify(s, None, ""), Outcome::Retry { .. }),
                "{s}"
            );
            assert!(classify(s, None, "").is_failure());
        }
        for s in [301, 400, 401, 403, 404, 422] {
            assert!(
                matches!(classify(s, None, ""), Outcome::Reject { .. }),
                "{s}"
            );
            assert!(!classify(s, None, "").is_failure());
        }
        assert_eq!(
            classify(400, None, "  bad field\n"),
            Outcome::Reject {
                status: 400,
                error: "HTTP 400: bad field".into()
            }
        );
    }

    #[test]
    fn retry_delays_jitter_under_the_cap_and_honour_retry_after() {
        let (base, max) = (Duration::from_millis(100), Duration::from_secs(2));
        for attempt in 1..12 {
            let d = retry_delay(attempt, base, max, None);
            let cap = (base * 2u32.pow(attempt - 1)).min(max);
            assert!(d <= cap, "attempt {attempt}: {d:?} > {cap:?}");
        }
        for _ in 0..20 {
            assert!(
                retry_delay(1, base, max, Some(Duration::from_secs(2))) >= Duration::from_secs(2)
            );
        }
        assert_eq!(parse_retry_after(Some(" 2 ")), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(Some("Wed, 21 Oct 2026 07:28:00 GMT")),
            None
        );
        assert_eq!(parse_retry_after(None), None);
    }

    #[test]
    fn retry_counts_round_trip_and_batches_wrap_events() {
        let a = alert(json!({"hostname": "h"}));
        assert_eq!(retry_count(&a), 0);
        let again: Map<String, Value> = serde_json::from_str(&with_retry_count(&a, 3)).unwrap();
        assert_eq!(retry_count(&again), 3);
        let evs = vec![json!({"a": 1}), json!({"b": 2})];
        assert_eq!(request_body(&evs, true), r#"{"events":[{"a":1},{"b":2}]}"#);
        assert_eq!(request_body(&evs[..1], false), r#"{"a":1}"#);
    }
}
