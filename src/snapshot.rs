//! One reading of the system's state from Redis and PostgreSQL, shared by `mutt status` and the
//! dashboard's overview so the two cannot give different answers.
//!
//! Only reading lives here: what the numbers mean (healthy or not, how old an instance is, what a
//! page shows) is for the callers. Nothing is cached; every call asks the stores again.

use crate::store::postgres::partitions;
use crate::store::postgres::pool::DbError;
use crate::store::redis::keys::{Consumer, Dlq, Keys, Service, MOOG_BREAKER};
use crate::store::redis::scan_keys;
use chrono::{DateTime, Utc};
use redis::RedisResult;
use serde::Serialize;

/// The breaker state when it has no state key (a forwarder never tripped it).
pub const BREAKER_DEFAULT: &str = "CLOSED";

/// Queue depths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Queues {
    /// `mutt:ingest_queue`.
    pub ingest: u64,
    /// `mutt:alert_queue`.
    pub alert: u64,
    /// `mutt:retry:moog` (delayed retries).
    pub retry: u64,
}

/// DLQ sizes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DlqSizes {
    /// `mutt:dlq:alerter`.
    pub alerter: u64,
    /// `mutt:dlq:moog`.
    pub moog: u64,
    /// `mutt:dlq:dead`.
    pub dead: u64,
}

/// One pod's non-empty processing list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessingList {
    /// Whose list it is.
    pub consumer: Consumer,
    /// Pod name (from the key).
    pub pod: String,
    /// Messages taken and not finished.
    pub depth: u64,
}

/// What Redis holds: queues, DLQs, breaker and processing lists, read together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisState {
    /// Redis's clock (ms since the epoch), read with the depths: ages measured against it
    /// involve no host's wall clock.
    pub time_ms: u64,
    /// Queue depths.
    pub queues: Queues,
    /// DLQ sizes.
    pub dlq: DlqSizes,
    /// Moog circuit breaker state as stored (`CLOSED`, `OPEN`, `HALF_OPEN`; no key = `CLOSED`).
    pub breaker: String,
    /// Non-empty processing lists, alerters first, then by pod.
    pub processing: Vec<ProcessingList>,
}

impl RedisState {
    /// Messages in flight in all of `consumer`'s processing lists.
    pub fn processing_total(&self, consumer: Consumer) -> u64 {
        self.processing
            .iter()
            .filter(|p| p.consumer == consumer)
            .map(|p| p.depth)
            .sum()
    }
}

/// One entry of an instance hash (`mutt:instances:<service>`), as its daemon wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceRecord {
    /// Whose hash it is in.
    pub service: Service,
    /// The hash field: the pod name.
    pub pod: String,
    /// The value: the daemon's JSON beat, unparsed (its fields belong to the daemon).
    pub record: String,
}

/// One heartbeat key that existed when read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    /// Whose heartbeat it is.
    pub consumer: Consumer,
    /// Pod name (from the key).
    pub pod: String,
    /// Milliseconds before it expires (PTTL; -1: it never expires).
    pub ttl_left_ms: i64,
}

/// What Redis knows about daemon instances: their records and the live heartbeat keys.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Instances {
    /// Every entry of the three instance hashes.
    pub records: Vec<InstanceRecord>,
    /// Every heartbeat key of alerters and forwarders, with or without a record (v2.5 pods
    /// keep only the key).
    pub heartbeats: Vec<Heartbeat>,
}

impl Instances {
    /// `consumer`'s heartbeat of `pod`, if its key exists.
    pub fn heartbeat(&self, consumer: Consumer, pod: &str) -> Option<&Heartbeat> {
        self.heartbeats
            .iter()
            .find(|h| h.consumer == consumer && h.pod == pod)
    }
}

/// Rule counts of `alert_rules`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCounts {
    /// Active rules (what alerters load).
    pub active: i64,
    /// All rules.
    pub total: i64,
    /// Seconds since the last rule change recorded in `config_audit_log` (none recorded: null).
    pub last_change_age_s: Option<f64>,
}

/// One month's audit partition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Month {
    /// `YYYY-MM`.
    pub month: String,
    /// Partition table name.
    pub partition: String,
    /// It exists.
    pub exists: bool,
}

/// Partition coverage of `event_audit_log`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Partitions {
    /// The current month (UTC) first, then the months ahead.
    pub months: Vec<Month>,
    /// Rows in the DEFAULT partition (events no monthly partition covered); `None` without one.
    pub default_rows: Option<i64>,
}

/// Server time (s, µs), queue depths, retry set, the three DLQs and the breaker state.
type Depths = ((u64, u64), u64, u64, u64, u64, u64, u64, Option<String>);

/// Read queue depths, DLQs, breaker state, processing lists and the server clock.
pub fn read_redis(conn: &mut redis::Connection, keys: &Keys) -> RedisResult<RedisState> {
    // One pipeline, so the numbers belong to (nearly) one moment.
    let (time, ingest, alert, retry, dlq_alerter, dlq_moog, dlq_dead, breaker): Depths =
        redis::pipe()
            .cmd("TIME")
            .cmd("LLEN")
            .arg(keys.ingest_queue())
            .cmd("LLEN")
            .arg(keys.alert_queue())
            .cmd("ZCARD")
            .arg(keys.moog_retry())
            .cmd("LLEN")
            .arg(keys.dlq(Dlq::Alerter))
            .cmd("LLEN")
            .arg(keys.dlq(Dlq::Moog))
            .cmd("LLEN")
            .arg(keys.dlq(Dlq::Dead))
            .cmd("GET")
            .arg(keys.circuit_breaker(MOOG_BREAKER, "state"))
            .query(conn)?;
    let mut lists = Vec::new();
    for consumer in Consumer::ALL {
        let mut pods: Vec<String> = scan_keys(conn, &keys.processing_pattern(consumer))?
            .iter()
            .filter_map(|key| keys.pod_of_processing_key(consumer, key))
            .map(str::to_string)
            .collect();
        pods.sort();
        lists.extend(pods.into_iter().map(|pod| (consumer, pod)));
    }
    let mut pipe = redis::pipe();
    for (consumer, pod) in &lists {
        pipe.cmd("LLEN").arg(keys.processing(*consumer, pod));
    }
    let depths: Vec<u64> = if lists.is_empty() {
        Vec::new()
    } else {
        pipe.query(conn)?
    };
    let processing = lists
        .into_iter()
        .zip(depths)
        // A list emptied between SCAN and LLEN is gone: nothing is in flight there.
        .filter(|(_, depth)| *depth > 0)
        .map(|((consumer, pod), depth)| ProcessingList {
            consumer,
            pod,
            depth,
        })
        .collect();
    Ok(RedisState {
        time_ms: millis(time),
        queues: Queues {
            ingest,
            alert,
            retry,
        },
        dlq: DlqSizes {
            alerter: dlq_alerter,
            moog: dlq_moog,
            dead: dlq_dead,
        },
        breaker: breaker_state(breaker),
        processing,
    })
}

/// Read the instance records of every service and the heartbeat keys of alerters and forwarders.
pub fn read_instances(conn: &mut redis::Connection, keys: &Keys) -> RedisResult<Instances> {
    let mut pipe = redis::pipe();
    for service in Service::ALL {
        pipe.cmd("HGETALL").arg(keys.instances(service));
    }
    let hashes: Vec<Vec<(String, String)>> = pipe.query(conn)?;
    let records = Service::ALL
        .into_iter()
        .zip(hashes)
        .flat_map(|(service, entries)| {
            entries
                .into_iter()
                .map(move |(pod, record)| InstanceRecord {
                    service,
                    pod,
                    record,
                })
        })
        .collect();
    let mut beats = Vec::new();
    for consumer in Consumer::ALL {
        for key in scan_keys(conn, &keys.heartbeat_pattern(consumer))? {
            if let Some(pod) = keys.pod_of_heartbeat_key(consumer, &key) {
                beats.push((consumer, pod.to_string(), key));
            }
        }
    }
    let mut pipe = redis::pipe();
    for (_, _, key) in &beats {
        pipe.cmd("PTTL").arg(key);
    }
    let left: Vec<i64> = if beats.is_empty() {
        Vec::new()
    } else {
        pipe.query(conn)?
    };
    let heartbeats = beats
        .into_iter()
        .zip(left)
        // -2: expired between SCAN and PTTL.
        .filter(|(_, ttl_left_ms)| *ttl_left_ms != -2)
        .map(|((consumer, pod, _), ttl_left_ms)| Heartbeat {
            consumer,
            pod,
            ttl_left_ms,
        })
        .collect();
    Ok(Instances {
        records,
        heartbeats,
    })
}

/// A silence that has not ended, and how many events it held back in the last hour.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceInForce {
    /// Its id.
    pub id: i32,
    /// `pending`, `active` or `waiting` (recurring, between windows).
    pub state: &'static str,
    /// Its matchers in one line.
    pub matchers: String,
    /// When it ends (RFC 3339 UTC).
    pub ends_at: String,
    /// Its recurring windows in one line, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// Why.
    pub comment: String,
    /// Who made it.
    pub created_by: String,
    /// Events it held back in the last 60 minutes (all alerters).
    pub held_last_hour: u64,
}

/// Read the silences that have not ended, oldest first.
pub fn read_silences(
    client: &mut postgres::Client,
) -> Result<Vec<crate::silences::Silence>, DbError> {
    crate::store::postgres::silences::current(client)
}

/// Minutes of held-back counts summed as "the last hour".
const HELD_MINUTES: i64 = 60;

/// Events held back per silence id over the 60 minutes up to `now` (the alerters' per-minute
/// counts), in one pipeline.
pub fn read_held(
    conn: &mut redis::Connection,
    keys: &Keys,
    now: DateTime<Utc>,
) -> RedisResult<std::collections::BTreeMap<i32, u64>> {
    let mut pipe = redis::pipe();
    for back in 0..HELD_MINUTES {
        pipe.cmd("HGETALL")
            .arg(keys.silenced_minute(now - chrono::Duration::minutes(back)));
    }
    let minutes: Vec<Vec<(i32, u64)>> = pipe.query(conn)?;
    let mut held = std::collections::BTreeMap::new();
    for (id, n) in minutes.into_iter().flatten() {
        *held.entry(id).or_insert(0) += n;
    }
    Ok(held)
}

/// The silences in force at `now` with what each held back (pure).
pub fn silences_in_force(
    silences: Vec<crate::silences::Silence>,
    held: &std::collections::BTreeMap<i32, u64>,
    now: DateTime<Utc>,
) -> Vec<SilenceInForce> {
    let (set, skipped) = crate::silences::Set::new(silences);
    let mut out: Vec<SilenceInForce> = set
        .iter()
        .filter(|c| c.state(now) != crate::silences::State::Expired)
        .map(|c| {
            let s = c.silence();
            SilenceInForce {
                id: s.id,
                state: c.state(now).as_str(),
                matchers: s.matchers.summary(),
                ends_at: crate::timefmt::secs(s.ends_at),
                schedule: s.schedule.as_ref().map(|sch| sch.summary()),
                comment: s.comment.clone(),
                created_by: s.created_by.clone(),
                held_last_hour: held.get(&s.id).copied().unwrap_or(0),
            }
        })
        .collect();
    // One the alerters skip holds nothing; list it so the operator sees it is broken.
    for (id, why) in skipped {
        out.push(SilenceInForce {
            id,
            state: "broken",
            matchers: why,
            ends_at: String::new(),
            schedule: None,
            comment: String::new(),
            created_by: String::new(),
            held_last_hour: held.get(&id).copied().unwrap_or(0),
        });
    }
    out.sort_by_key(|s| s.id);
    out
}

/// Read the rule counts and the age of the last audited rule change.
pub fn read_rules(client: &mut postgres::Client) -> Result<RuleCounts, postgres::Error> {
    // The age is PostgreSQL's clock on both ends of the subtraction.
    let row = client.query_one(
        "SELECT (SELECT count(*) FILTER (WHERE is_active) FROM alert_rules),
                (SELECT count(*) FROM alert_rules),
                (SELECT EXTRACT(EPOCH FROM now() - max(changed_at))::float8
                   FROM config_audit_log WHERE table_name = 'alert_rules')",
        &[],
    )?;
    Ok(RuleCounts {
        active: row.get(0),
        total: row.get(1),
        last_change_age_s: row.get::<_, Option<f64>>(2).map(|s| s.max(0.0)),
    })
}

/// Read which of the audit partitions for the month of `now` and `months_ahead` after it exist,
/// and how many rows sit in the DEFAULT partition.
pub fn read_partitions(
    client: &mut postgres::Client,
    now: DateTime<Utc>,
    months_ahead: u32,
) -> Result<Partitions, DbError> {
    let have = partitions::existing(client)?;
    let months = partitions::months_to_ensure(now, months_ahead)
        .into_iter()
        .map(|m| Month {
            month: m.from.format("%Y-%m").to_string(),
            exists: have.contains(&m.name),
            partition: m.name,
        })
        .collect();
    let default_rows = match partitions::default_partition(client)? {
        Some(name) => {
            let sql = format!("SELECT count(*) FROM \"{}\"", name.replace('"', "\"\""));
            Some(client.query_one(sql.as_str(), &[])?.get(0))
        }
        None => None,
    };
    Ok(Partitions {
        months,
        default_rows,
    })
}

/// Redis TIME (seconds, microseconds) as milliseconds.
fn millis((secs, micros): (u64, u64)) -> u64 {
    secs.saturating_mul(1000).saturating_add(micros / 1000)
}

/// The stored breaker state, or [`BREAKER_DEFAULT`] without one.
fn breaker_state(stored: Option<String>) -> String {
    stored.unwrap_or_else(|| BREAKER_DEFAULT.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_breaker_key_is_closed_and_a_stored_state_is_kept() {
        assert_eq!(breaker_state(None), "CLOSED");
        assert_eq!(breaker_state(Some("OPEN".into())), "OPEN");
        assert_eq!(breaker_state(Some("HALF_OPEN".into())), "HALF_OPEN");
    }

    #[test]
    fn server_time_is_milliseconds() {
        assert_eq!(millis((1_700_000_000, 123_999)), 1_700_000_000_123);
        assert_eq!(millis((u64::MAX, 0)), u64::MAX);
    }

    #[test]
    fn processing_totals_are_per_consumer() {
        let list = |consumer, pod: &str, depth| ProcessingList {
            consumer,
            pod: pod.into(),
            depth,
        };
        let s = RedisState {
            time_ms: 0,
            queues: Queues {
                ingest: 0,
                alert: 0,
                retry: 0,
            },
            dlq: DlqSizes {
                alerter: 0,
                moog: 0,
                dead: 0,
            },
            breaker: BREAKER_DEFAULT.into(),
            processing: vec![
                list(Consumer::Alerter, "a1", 2),
                list(Consumer::Alerter, "a2", 3),
                list(Consumer::Moog, "m1", 7),
            ],
        };
        assert_eq!(s.processing_total(Consumer::Alerter), 5);
        assert_eq!(s.processing_total(Consumer::Moog), 7);
    }

    #[test]
    fn heartbeats_are_found_by_consumer_and_pod() {
        let i = Instances {
            records: vec![],
            heartbeats: vec![Heartbeat {
                consumer: Consumer::Moog,
                pod: "p1".into(),
                ttl_left_ms: 1500,
            }],
        };
        assert_eq!(i.heartbeat(Consumer::Moog, "p1").unwrap().ttl_left_ms, 1500);
        assert!(i.heartbeat(Consumer::Alerter, "p1").is_none());
        assert!(i.heartbeat(Consumer::Moog, "p2").is_none());
    }

    #[test]
    fn silences_in_force_carry_their_state_and_what_they_held() {
        use crate::silences::{HostMatch, Matchers, Silence};
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
        let silence = |id: i32, starts: i64, pattern: &str, how: HostMatch| Silence {
            id,
            matchers: Matchers {
                hostname: Some(pattern.into()),
                hostname_match: how,
                ..Matchers::default()
            },
            starts_at: now + chrono::Duration::minutes(starts),
            ends_at: now + chrono::Duration::hours(2),
            schedule: None,
            comment: "c".into(),
            created_by: "cli:x".into(),
            created_at: now,
        };
        let held = [(1, 40u64), (9, 3)].into_iter().collect();
        let out = silences_in_force(
            vec![
                silence(2, 30, "later", HostMatch::Exact),
                silence(1, -30, "core-*", HostMatch::Glob),
                silence(3, -30, "(", HostMatch::Regex),
            ],
            &held,
            now,
        );
        let got: Vec<(i32, &str, &str, u64)> = out
            .iter()
            .map(|s| (s.id, s.state, s.matchers.as_str(), s.held_last_hour))
            .collect();
        assert_eq!(
            got,
            [
                (1, "active", "host~glob:core-*", 40),
                (2, "pending", "host=later", 0),
                (
                    3,
                    "broken",
                    "matchers.hostname: hostname regex does not compile: error: unclosed group",
                    0
                ),
            ]
        );
        assert_eq!(out[0].ends_at, "2026-12-07T14:00:00Z");
    }
}
