//! The dead letter: the failed message's own fields plus the `_dlq` envelope of CONTRACT §5
//! (`reason`, `attempts`, `last_status`, `last_error`, `failed_at`, `pod`); a replay adds
//! `_replay_count`, and an entry parked in `mutt:dlq:dead` gets `_dead` (`reason`, `at`). v2.5
//! wrote a bare message or a top-level `failed_at`; both are still read.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// The field holding the [`Envelope`].
pub const ENVELOPE_FIELD: &str = "_dlq";
/// The field counting replays.
pub const REPLAY_FIELD: &str = "_replay_count";
/// The `_dlq` envelope: why and when a message was dead-lettered, and by whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope {
    /// What went wrong, for an operator (`retries exhausted`, `invalid JSON at …`).
    pub reason: String,
    /// Deliveries or sends tried.
    pub attempts: u32,
    /// The last HTTP status from Moog, when there was one.
    pub last_status: Option<u16>,
    /// The last error text.
    pub last_error: String,
    /// When, RFC 3339 with milliseconds.
    pub failed_at: String,
    /// The instance that gave up.
    pub pod: String,
}

/// A DLQ entry: the message's fields plus the `_dlq` envelope of CONTRACT §5 (shared by the
/// alerter and the forwarder).
pub fn dlq_entry(
    mut fields: Map<String, Value>,
    reason: &str,
    attempts: u32,
    last_status: Option<u16>,
    last_error: &str,
    pod: &str,
    now: DateTime<Utc>,
) -> String {
    let envelope = Envelope {
        reason: reason.to_string(),
        attempts,
        last_status,
        last_error: last_error.to_string(),
        failed_at: crate::timefmt::millis(now),
        pod: pod.to_string(),
    };
    fields.insert(
        ENVELOPE_FIELD.into(),
        serde_json::to_value(envelope).unwrap_or(Value::Null),
    );
    Value::Object(fields).to_string()
}

/// A DLQ entry for a message as queued: its fields (or `{"raw": text}` when it is not a JSON
/// object) plus the `_dlq` envelope.
pub fn dlq_entry_for_text(
    raw: &str,
    reason: &str,
    attempts: u32,
    pod: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> String {
    let fields = match serde_json::from_str::<serde_json::Value>(raw) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => {
            let mut m = serde_json::Map::new();
            m.insert("raw".into(), serde_json::Value::String(raw.to_string()));
            m
        }
    };
    dlq_entry(fields, reason, attempts, None, reason, pod, now)
}

/// Which DLQ an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `mutt:dlq:alerter` → `mutt:ingest_queue`.
    Alerter,
    /// `mutt:dlq:moog` → `mutt:alert_queue`.
    Moog,
}

/// Where one DLQ entry goes next, and as what text.
pub fn next_step(
    raw: &str,
    source: Source,
    max_replays: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> ReplayTo {
    let at = crate::timefmt::millis(now);
    let Ok(Value::Object(mut entry)) = serde_json::from_str::<Value>(raw) else {
        let mut dead = Map::new();
        dead.insert("raw".into(), Value::String(raw.to_string()));
        dead.insert(
            "_dead".into(),
            json!({"reason": "not a JSON object; cannot be replayed", "at": at}),
        );
        return ReplayTo::Dead(Value::Object(dead).to_string());
    };
    let replays = entry.get(REPLAY_FIELD).and_then(Value::as_u64).unwrap_or(0) as u32;
    if replays >= max_replays {
        entry.insert(
            "_dead".into(),
            json!({"reason": format!("replayed {replays} time(s) without success"), "at": at}),
        );
        return ReplayTo::Dead(Value::Object(entry).to_string());
    }
    // The envelope described the last failure; the replayed message starts clean.
    entry.remove(ENVELOPE_FIELD);
    entry.remove("shedding_reason");
    entry.insert(REPLAY_FIELD.into(), Value::from(replays + 1));
    if source == Source::Moog {
        entry.insert(crate::wire::alert::RETRY_FIELD.into(), Value::from(0));
    }
    ReplayTo::Target(Value::Object(entry).to_string())
}

/// Where a replayed DLQ entry goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayTo {
    /// Back to the queue it failed from, as this text.
    Target(String),
    /// To the dead list, as this text.
    Dead(String),
}

/// When a dead letter failed: `_dlq.failed_at`, else a top-level `failed_at` (v2.5's entries),
/// else the ingest stamp `_received_at`. `None`: undated, never removed.
pub fn dlq_entry_time(entry: &str) -> Option<DateTime<Utc>> {
    let v: serde_json::Value = serde_json::from_str(entry).ok()?;
    let candidates = [
        v.get(ENVELOPE_FIELD).and_then(|d| d.get("failed_at")),
        v.get("failed_at"),
        v.get("_received_at"),
    ];
    let found = candidates.into_iter().flatten().find_map(|t| {
        t.as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s.trim()).ok())
            .map(|t| t.with_timezone(&Utc))
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> chrono::DateTime<chrono::Utc> {
        chrono::Utc
            .with_ymd_and_hms(2026, 11, 22, 12, 0, 0)
            .unwrap()
    }

    fn target(to: ReplayTo) -> Value {
        match to {
            ReplayTo::Target(t) => serde_json::from_str(&t).unwrap(),
            ReplayTo::Dead(d) => panic!("expected a replay, got dead {d}"),
        }
    }

    fn dead(to: ReplayTo) -> Value {
        match to {
            ReplayTo::Dead(d) => serde_json::from_str(&d).unwrap(),
            ReplayTo::Target(t) => panic!("expected dead, got replay {t}"),
        }
    }

    #[test]
    fn entries_are_replayed_clean_and_counted() {
        let entry = r#"{"hostname":"h","message":"m","_dlq":{"reason":"x"},"shedding_reason":"queue_depth_exceeded:3>2"}"#;
        let v = target(next_step(entry, Source::Alerter, 3, now()));
        assert_eq!(v, json!({"hostname":"h","message":"m","_replay_count":1}));
        let again = target(next_step(&v.to_string(), Source::Alerter, 3, now()));
        assert_eq!(again["_replay_count"], 2);
        let moog = target(next_step(
            r#"{"hostname":"h","_moog_retry_count":6,"_dlq":{}}"#,
            Source::Moog,
            3,
            now(),
        ));
        assert_eq!(
            moog,
            json!({"hostname":"h","_moog_retry_count":0,"_replay_count":1})
        );
    }

    #[test]
    fn entries_at_the_limit_or_unreadable_go_to_the_dead_list() {
        let d = dead(next_step(
            r#"{"hostname":"h","_replay_count":3}"#,
            Source::Alerter,
            3,
            now(),
        ));
        assert_eq!(d["_dead"]["reason"], "replayed 3 time(s) without success");
        assert_eq!(d["_dead"]["at"], "2026-11-22T12:00:00.000Z");
        assert_eq!(d["hostname"], "h");
        let d = dead(next_step("[1,2]", Source::Alerter, 3, now()));
        assert_eq!(d["raw"], "[1,2]");
        assert_eq!(
            d["_dead"]["reason"],
            "not a JSON object; cannot be replayed"
        );
        // max 0: nothing is ever replayed.
        assert!(matches!(
            next_step(r#"{"a":1}"#, Source::Moog, 0, now()),
            ReplayTo::Dead(_)
        ));
    }
}
