//! `mutt dlq`: inspect, count, replay and purge dead-letter entries by reason, age and host.
//!
//! Entries are chosen from one snapshot of the list (oldest first) and then moved or removed one
//! exact text at a time (a Lua script for replay, LREM for purge), so an entry a concurrent
//! remediation daemon or operator took meanwhile is reported as vanished, never duplicated.

use crate::store::redis::keys::{Dlq, Keys};
use crate::store::redis::scripts;
use crate::wire::dlq::{next_step, ReplayTo, Source, REPLAY_FIELD};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::time::Duration;

/// Entries moved per script call: bounds how long one call blocks Redis.
const MOVE_CHUNK: usize = 200;

/// The name of a DLQ as the CLI spells it.
pub fn dlq_name(d: Dlq) -> &'static str {
    match d {
        Dlq::Alerter => "alerter",
        Dlq::Moog => "moog",
        Dlq::Dead => "dead",
    }
}

/// Every DLQ, in display order.
pub const ALL_DLQS: [Dlq; 3] = [Dlq::Alerter, Dlq::Moog, Dlq::Dead];

/// Where replayed entries go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The ingest queue (events, for the alerter).
    Alerter,
    /// The alert queue (alerts, for the forwarder).
    Moog,
}

impl Target {
    /// The natural target of a DLQ; `None` for the dead list, whose entries may be either.
    pub fn of(d: Dlq) -> Option<Target> {
        match d {
            Dlq::Alerter => Some(Target::Alerter),
            Dlq::Moog => Some(Target::Moog),
            Dlq::Dead => None,
        }
    }

    /// The queue key.
    pub fn key(self, keys: &Keys) -> String {
        match self {
            Target::Alerter => keys.ingest_queue().to_string(),
            Target::Moog => keys.alert_queue().to_string(),
        }
    }
}

/// Which entries a command acts on; every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    /// Case-insensitive substring of the failure reason.
    pub reason: Option<String>,
    /// Failed at least this long ago.
    pub older_than: Option<Duration>,
    /// Failed less than this long ago.
    pub newer_than: Option<Duration>,
    /// Event host name (case-insensitive, exact).
    pub host: Option<String>,
    /// At most this many (the oldest matching).
    pub limit: Option<usize>,
}

/// Parse an age: `90s`, `15m`, `2h`, `7d`, `1w`, combinations such as `1d12h`, or plain seconds
/// (the syntax of [`crate::timefmt::parse_duration`]).
pub fn parse_age(text: &str) -> Result<Duration, String> {
    crate::timefmt::parse_duration(text)
        .map_err(|e| format!("invalid age {text:?}: {e} (e.g. 90s, 15m, 2h, 7d, 1w)"))
}

/// One DLQ entry as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Its index in the Redis list at read time (0 = newest, the LPUSH end).
    pub index: usize,
    /// The exact stored text (what LREM matches).
    pub raw: String,
    /// The parsed object, when the text is a JSON object.
    pub value: Option<Map<String, Value>>,
}

fn text_at<'v>(v: &'v Map<String, Value>, outer: &str, inner: &str) -> Option<&'v str> {
    v.get(outer)?.get(inner)?.as_str()
}

impl Entry {
    /// Parse one stored text.
    pub fn new(index: usize, raw: String) -> Entry {
        let value = match serde_json::from_str::<Value>(&raw) {
            Ok(Value::Object(m)) => Some(m),
            _ => None,
        };
        Entry { index, raw, value }
    }

    /// The failure reason: `_dlq.reason`, else v2.5's `shedding_reason`, else `_dead.reason`.
    pub fn reason(&self) -> Option<&str> {
        let v = self.value.as_ref()?;
        text_at(v, "_dlq", "reason")
            .or_else(|| v.get("shedding_reason").and_then(Value::as_str))
            .or_else(|| text_at(v, "_dead", "reason"))
    }

    fn reasons(&self) -> Vec<&str> {
        let Some(v) = self.value.as_ref() else {
            return vec!["not a JSON object"];
        };
        [
            text_at(v, "_dlq", "reason"),
            v.get("shedding_reason").and_then(Value::as_str),
            text_at(v, "_dead", "reason"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// When it failed: `_dlq.failed_at`, else `_dead.at`, else `_received_at` (v2.5 entries).
    pub fn failed_at(&self) -> Option<DateTime<Utc>> {
        let v = self.value.as_ref()?;
        [
            text_at(v, "_dlq", "failed_at"),
            text_at(v, "_dead", "at"),
            v.get("_received_at").and_then(Value::as_str),
        ]
        .into_iter()
        .flatten()
        .find_map(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.with_timezone(&Utc))
    }

    /// Age at `now` (never negative), if a time is known.
    pub fn age(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.failed_at()
            .map(|t| (now - t).to_std().unwrap_or(Duration::ZERO))
    }

    /// The event's host name.
    pub fn host(&self) -> Option<&str> {
        self.value.as_ref()?.get("hostname")?.as_str()
    }

    /// The message text: an event's `message`, an alert's `message_body`, or the raw text.
    pub fn message(&self) -> &str {
        self.value
            .as_ref()
            .and_then(|v| {
                ["message", "message_body", "raw"]
                    .iter()
                    .find_map(|k| v.get(*k).and_then(Value::as_str))
            })
            .unwrap_or(&self.raw)
    }

    /// Whether every condition of `f` except the limit holds at `now`. Entries without a known
    /// time never match an age condition.
    pub fn matches(&self, f: &Filter, now: DateTime<Utc>) -> bool {
        if let Some(want) = &f.reason {
            let want = want.to_lowercase();
            if !self
                .reasons()
                .iter()
                .any(|r| r.to_lowercase().contains(&want))
            {
                return false;
            }
        }
        if let Some(h) = &f.host {
            if !self.host().is_some_and(|x| x.eq_ignore_ascii_case(h)) {
                return false;
            }
        }
        if f.older_than.is_some() || f.newer_than.is_some() {
            let Some(age) = self.age(now) else {
                return false;
            };
            if f.older_than.is_some_and(|min| age < min) {
                return false;
            }
            if f.newer_than.is_some_and(|max| age >= max) {
                return false;
            }
        }
        true
    }
}

/// The entries of a list as LRANGE returned them (newest first) that match `f`, oldest first,
/// cut to the limit.
pub fn select(items: Vec<String>, f: &Filter, now: DateTime<Utc>) -> Vec<Entry> {
    let mut chosen: Vec<Entry> = items
        .into_iter()
        .enumerate()
        .rev()
        .map(|(i, raw)| Entry::new(i, raw))
        .filter(|e| e.matches(f, now))
        .collect();
    if let Some(n) = f.limit {
        chosen.truncate(n);
    }
    chosen
}

/// The text a replayed entry is pushed as: what the remediation daemon would push (envelope
/// dropped, `_replay_count` + 1, the forwarder's retry count reset for alerts), except that no
/// replay limit applies to an operator's decision, and an entry of the dead list starts a fresh
/// replay count. `None` when the entry is not a JSON object (nothing could process it).
pub fn replay_text(e: &Entry, from: Dlq, to: Target, now: DateTime<Utc>) -> Option<String> {
    let mut v = e.value.clone()?;
    if from == Dlq::Dead {
        v.remove("_dead");
        v.remove(REPLAY_FIELD);
    }
    let source = match to {
        Target::Alerter => Source::Alerter,
        Target::Moog => Source::Moog,
    };
    match next_step(&Value::Object(v).to_string(), source, u32::MAX, now) {
        ReplayTo::Target(t) => Some(t),
        ReplayTo::Dead(_) => None,
    }
}

/// Read a whole DLQ (newest first, as stored).
pub fn read(conn: &mut redis::Connection, keys: &Keys, d: Dlq) -> redis::RedisResult<Vec<String>> {
    redis::cmd("LRANGE")
        .arg(keys.dlq(d))
        .arg(0)
        .arg(-1)
        .query(conn)
}

/// What a replay or purge did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Outcome {
    /// `alerter`, `moog` or `dead`.
    pub dlq: String,
    /// Where replayed entries went (replay only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Entries the filter chose.
    pub selected: usize,
    /// Entries moved (replay) or removed (purge); with `--dry-run`, would be.
    pub done: usize,
    /// Chosen entries gone before we got to them (taken by someone else meanwhile).
    pub vanished: usize,
    /// Chosen entries that could not be replayed (not a JSON object).
    pub failed: usize,
    /// Nothing was changed.
    pub dry_run: bool,
}

/// Replay the chosen entries of `d` to `to`, each atomically. `on_done(n)` hears, after each
/// chunk, how many more chosen entries were dealt with (moved, vanished or not replayable).
#[allow(clippy::too_many_arguments)] // One flat call per CLI command; a struct would only rename them.
pub fn replay(
    conn: &mut redis::Connection,
    keys: &Keys,
    d: Dlq,
    to: Target,
    chosen: &[Entry],
    dry_run: bool,
    now: DateTime<Utc>,
    on_done: &dyn Fn(u64),
) -> redis::RedisResult<Outcome> {
    let mut out = Outcome {
        dlq: dlq_name(d).into(),
        target: Some(to.key(keys)),
        selected: chosen.len(),
        dry_run,
        ..Outcome::default()
    };
    let mut pairs = Vec::with_capacity(chosen.len());
    for e in chosen {
        match replay_text(e, d, to, now) {
            Some(t) => pairs.push((e.raw.clone(), t)),
            None => out.failed += 1,
        }
    }
    on_done(out.failed as u64);
    if dry_run {
        out.done = pairs.len();
        on_done(pairs.len() as u64);
        return Ok(out);
    }
    for chunk in pairs.chunks(MOVE_CHUNK) {
        for moved in scripts::dlq_move(conn, keys.dlq(d), &to.key(keys), chunk)? {
            if moved {
                out.done += 1;
            } else {
                out.vanished += 1;
            }
        }
        on_done(chunk.len() as u64);
    }
    Ok(out)
}

/// Remove the chosen entries of `d`, each by its exact text. `on_done(n)` hears, after each
/// chunk, how many more chosen entries were dealt with.
pub fn purge(
    conn: &mut redis::Connection,
    keys: &Keys,
    d: Dlq,
    chosen: &[Entry],
    dry_run: bool,
    on_done: &dyn Fn(u64),
) -> redis::RedisResult<Outcome> {
    let mut out = Outcome {
        dlq: dlq_name(d).into(),
        selected: chosen.len(),
        dry_run,
        ..Outcome::default()
    };
    if dry_run {
        out.done = chosen.len();
        on_done(chosen.len() as u64);
        return Ok(out);
    }
    for chunk in chosen.chunks(MOVE_CHUNK) {
        let mut pipe = redis::pipe();
        for e in chunk {
            pipe.cmd("LREM").arg(keys.dlq(d)).arg(-1).arg(&e.raw);
        }
        let removed: Vec<i64> = pipe.query(conn)?;
        for r in removed {
            if r == 1 {
                out.done += 1;
            } else {
                out.vanished += 1;
            }
        }
        on_done(chunk.len() as u64);
    }
    Ok(out)
}

/// Counts of one DLQ.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    /// `alerter`, `moog` or `dead`.
    pub dlq: String,
    /// The Redis key.
    pub key: String,
    /// Entries.
    pub count: usize,
    /// Entries per failure reason (`(none)` when an entry has none).
    pub reasons: BTreeMap<String, usize>,
    /// Age in seconds of the oldest entry with a known time.
    pub oldest_age_s: Option<u64>,
    /// Entries with no known failure time.
    pub undated: usize,
}

/// Count the entries of one DLQ (as LRANGE returned them).
pub fn stats(d: Dlq, key: &str, items: Vec<String>, now: DateTime<Utc>) -> Stats {
    let mut s = Stats {
        dlq: dlq_name(d).into(),
        key: key.to_string(),
        count: items.len(),
        reasons: BTreeMap::new(),
        oldest_age_s: None,
        undated: 0,
    };
    for (i, raw) in items.into_iter().enumerate() {
        let e = Entry::new(i, raw);
        let reason = match (&e.value, e.reason()) {
            (None, _) => "not a JSON object".to_string(),
            (_, Some(r)) => r.to_string(),
            (_, None) => "(none)".to_string(),
        };
        *s.reasons.entry(reason).or_default() += 1;
        match e.age(now) {
            Some(a) => s.oldest_age_s = Some(s.oldest_age_s.unwrap_or(0).max(a.as_secs())),
            None => s.undated += 1,
        }
    }
    s
}

/// An age for people: `45s`, `12m`, `3h`, `2d`.
pub fn human_age(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 => format!("{}h", s / 3_600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 6, 12, 0, 0).unwrap()
    }

    fn entry(reason: &str, mins_ago: i64, host: &str) -> String {
        let at = crate::timefmt::millis(now() - chrono::Duration::minutes(mins_ago));
        json!({"hostname": host, "message": "m", "_dlq": {"reason": reason, "failed_at": at}})
            .to_string()
    }

    #[test]
    fn ages_parse_with_units() {
        assert_eq!(parse_age("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_age("15m").unwrap(), Duration::from_secs(900));
        assert_eq!(parse_age("2h").unwrap(), Duration::from_secs(7_200));
        assert_eq!(parse_age("7d").unwrap(), Duration::from_secs(604_800));
        assert_eq!(parse_age("1w").unwrap(), Duration::from_secs(604_800));
        assert!(parse_age("").is_err());
        assert_eq!(parse_age("1d12h").unwrap(), Duration::from_secs(129_600));
        assert_eq!(parse_age("2 hours").unwrap(), Duration::from_secs(7_200));
        assert!(parse_age("5x").is_err());
        assert!(parse_age("-5m").is_err());
        assert!(parse_age("99999999999999999999w").is_err());
    }

    #[test]
    fn filters_combine_and_pick_the_oldest_first() {
        // LRANGE order: newest first.
        let items = vec![
            entry("HTTP 400 Bad Request", 5, "r1"),
            entry("PostgreSQL down", 30, "R1"),
            entry("http 400 bad", 120, "r2"),
            "not json".to_string(),
            json!({"hostname": "r1", "_received_at": "2026-12-06T09:00:00Z"}).to_string(),
        ];
        let all = select(items.clone(), &Filter::default(), now());
        assert_eq!(
            all.iter().map(|e| e.index).collect::<Vec<_>>(),
            [4, 3, 2, 1, 0]
        );
        let f = Filter {
            reason: Some("HTTP 400".into()),
            ..Filter::default()
        };
        let idx = |f: &Filter| {
            select(items.clone(), f, now())
                .iter()
                .map(|e| e.index)
                .collect::<Vec<_>>()
        };
        assert_eq!(idx(&f), [2, 0]);
        let f = Filter {
            host: Some("r1".into()),
            ..Filter::default()
        };
        assert_eq!(idx(&f), [4, 1, 0]);
        let f = Filter {
            older_than: Some(Duration::from_secs(20 * 60)),
            ..Filter::default()
        };
        // The v2.5-style entry is dated by _received_at (3 h); the non-JSON one is undated.
        assert_eq!(idx(&f), [4, 2, 1]);
        let f = Filter {
            newer_than: Some(Duration::from_secs(60 * 60)),
            host: Some("r1".into()),
            ..Filter::default()
        };
        assert_eq!(idx(&f), [1, 0]);
        let f = Filter {
            limit: Some(2),
            ..Filter::default()
        };
        assert_eq!(idx(&f), [4, 3]);
    }

    #[test]
    fn replay_text_strips_the_envelope_like_remediation() {
        let e = Entry::new(
            0,
            json!({"hostname":"h","_replay_count":7,"_moog_retry_count":5,
                   "_dlq":{"reason":"x"},"shedding_reason":"y"})
            .to_string(),
        );
        let t: Value =
            serde_json::from_str(&replay_text(&e, Dlq::Moog, Target::Moog, now()).unwrap())
                .unwrap();
        assert_eq!(
            t,
            json!({"hostname":"h","_replay_count":8,"_moog_retry_count":0})
        );
        let dead = Entry::new(
            0,
            json!({"hostname":"h","_replay_count":3,"_dlq":{"reason":"x"},"_dead":{"reason":"r"}})
                .to_string(),
        );
        let t: Value =
            serde_json::from_str(&replay_text(&dead, Dlq::Dead, Target::Alerter, now()).unwrap())
                .unwrap();
        assert_eq!(t, json!({"hostname":"h","_replay_count":1}));
        assert!(replay_text(
            &Entry::new(0, "[1]".into()),
            Dlq::Alerter,
            Target::Alerter,
            now()
        )
        .is_none());
    }

    #[test]
    fn stats_count_reasons_and_the_oldest_age() {
        let items = vec![
            entry("a", 5, "h"),
            entry("b", 50, "h"),
            entry("a", 10, "h"),
            "junk".into(),
        ];
        let s = stats(Dlq::Alerter, "k", items, now());
        assert_eq!(s.count, 4);
        assert_eq!(s.reasons["a"], 2);
        assert_eq!(s.reasons["b"], 1);
        assert_eq!(s.reasons["not a JSON object"], 1);
        assert_eq!(s.oldest_age_s, Some(3_000));
        assert_eq!(s.undated, 1);
        assert_eq!(human_age(Duration::from_secs(3_000)), "50m");
    }
}
