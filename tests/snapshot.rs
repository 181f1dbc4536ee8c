//! `mutt::snapshot` against real Redis and PostgreSQL, and `mutt status` and the dashboard's
//! overview agreeing on one seeded state.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use mutt::snapshot::{self, DlqSizes, Heartbeat, ProcessingList, Queues};
use mutt::store::redis::keys::{Consumer, Dlq, Keys, Service, MOOG_BREAKER};
use redis::Commands;
use serde_json::{json, Value};

const READER: &str = "reader-key-0123456789";
/// Lifetime of the seeded heartbeat keys: long enough to outlive the test.
const BEAT_TTL_S: u64 = 300;

fn setup() -> TestEnv {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    t
}

fn push(redis: &mut redis::Connection, key: &str, n: usize) {
    for i in 0..n {
        let _: () = redis.lpush(key, format!("{{\"n\":{i}}}")).unwrap();
    }
}

/// Known depths everywhere, a half-open breaker, instance records and heartbeats, and three
/// rules of which two are active.
fn seed(t: &TestEnv) -> Keys {
    let keys = Keys::with_prefix(&t.prefix);
    let mut redis = common::redis();
    push(&mut redis, keys.ingest_queue(), 3);
    push(&mut redis, keys.alert_queue(), 2);
    for i in 0..4 {
        let _: () = redis.zadd(keys.moog_retry(), format!("m{i}"), i).unwrap();
    }
    push(&mut redis, keys.dlq(Dlq::Alerter), 1);
    push(&mut redis, keys.dlq(Dlq::Moog), 5);
    push(&mut redis, keys.dlq(Dlq::Dead), 2);
    push(&mut redis, &keys.processing(Consumer::Alerter, "a2"), 1);
    push(&mut redis, &keys.processing(Consumer::Alerter, "a1"), 2);
    push(&mut redis, &keys.processing(Consumer::Moog, "m1"), 3);
    // Matches the SCAN pattern but names no pod: not a processing list.
    push(&mut redis, &keys.processing(Consumer::Moog, ""), 9);
    let _: () = redis
        .set(keys.circuit_breaker(MOOG_BREAKER, "state"), "HALF_OPEN")
        .unwrap();
    let (secs, micros): (u64, u64) = redis::cmd("TIME").query(&mut redis).unwrap();
    let now_ms = secs * 1000 + micros / 1000;
    let record = format!(r#"{{"instance":"a1-x","last_seen_ms":{now_ms},"ttl_s":{BEAT_TTL_S}}}"#);
    let _: () = redis
        .hset(keys.instances(Service::Alerter), "a1", &record)
        .unwrap();
    let _: () = redis
        .set_ex(keys.heartbeat(Consumer::Alerter, "a1"), "alive", BEAT_TTL_S)
        .unwrap();
    // A v2.5 forwarder keeps only its heartbeat key.
    let _: () = redis
        .set_ex(
            keys.heartbeat(Consumer::Moog, "legacy"),
            "alive",
            BEAT_TTL_S,
        )
        .unwrap();
    let mut db = t.admin();
    for active in [true, false, true] {
        db.execute(
            "INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment,
                                      is_active)
             VALUES ('x', 'p', 'd', 't', $1)",
            &[&active],
        )
        .unwrap();
    }
    keys
}

#[test]
fn the_snapshot_reads_exactly_what_the_stores_hold() {
    let t = setup();
    let keys = seed(&t);
    assert_eq!(keys, Keys::from_settings(&t.settings(&[])));
    let mut redis = common::redis();

    let s = snapshot::read_redis(&mut redis, &keys).unwrap();
    assert_eq!(
        s.queues,
        Queues {
            ingest: 3,
            alert: 2,
            retry: 4
        }
    );
    assert_eq!(
        s.dlq,
        DlqSizes {
            alerter: 1,
            moog: 5,
            dead: 2
        }
    );
    assert_eq!(s.breaker, "HALF_OPEN");
    let list = |consumer, pod: &str, depth| ProcessingList {
        consumer,
        pod: pod.into(),
        depth,
    };
    assert_eq!(
        s.processing,
        vec![
            list(Consumer::Alerter, "a1", 2),
            list(Consumer::Alerter, "a2", 1),
            list(Consumer::Moog, "m1", 3),
        ]
    );
    assert_eq!(s.processing_total(Consumer::Alerter), 3);
    assert_eq!(s.processing_total(Consumer::Moog), 3);
    let (secs, _): (u64, u64) = redis::cmd("TIME").query(&mut redis).unwrap();
    assert!(
        s.time_ms / 1000 <= secs && secs - s.time_ms / 1000 <= 5,
        "{} vs {secs}",
        s.time_ms
    );

    let i = snapshot::read_instances(&mut redis, &keys).unwrap();
    assert_eq!(i.records.len(), 1, "{i:?}");
    assert_eq!(
        (i.records[0].service, i.records[0].pod.as_str()),
        (Service::Alerter, "a1")
    );
    assert!(i.records[0].record.contains("\"instance\":\"a1-x\""));
    let mut beats: Vec<&Heartbeat> = i.heartbeats.iter().collect();
    beats.sort_by_key(|h| h.pod.clone());
    assert_eq!(beats.len(), 2, "{i:?}");
    assert_eq!(
        (beats[0].consumer, beats[0].pod.as_str()),
        (Consumer::Alerter, "a1")
    );
    assert_eq!(
        (beats[1].consumer, beats[1].pod.as_str()),
        (Consumer::Moog, "legacy")
    );
    for b in beats {
        assert!(
            (1..=BEAT_TTL_S as i64 * 1000).contains(&b.ttl_left_ms),
            "{b:?}"
        );
    }

    let mut db = t.admin();
    let rules = snapshot::read_rules(&mut db).unwrap();
    assert_eq!((rules.active, rules.total), (2, 3));
    // Inserted behind the audit trail's back: no audited change to date.
    assert_eq!(rules.last_change_age_s, None);
    let p = snapshot::read_partitions(&mut db, chrono::Utc::now(), 3).unwrap();
    assert_eq!(p.months.len(), 4, "{p:?}");
    assert!(p.months[0].exists, "{p:?}");
    assert_eq!(p.default_rows, Some(0));

    // No breaker key: a forwarder never tripped it.
    let _: () = redis
        .del(keys.circuit_breaker(MOOG_BREAKER, "state"))
        .unwrap();
    assert_eq!(
        snapshot::read_redis(&mut redis, &keys).unwrap().breaker,
        "CLOSED"
    );
}

#[test]
fn status_and_the_overview_report_the_same_state() {
    let t = setup();
    seed(&t);
    let mut env = t.env();
    env.push(("WEBUI_API_KEYS".into(), format!("viewer:read:{READER}")));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    let web = Daemon::start(&["web", "serve"], &env);
    // A silence in force, and what it held back two minutes ago and now (and one outside the
    // hour, which does not count).
    let added = t.mutt(
        &[
            "silences",
            "add",
            "--host",
            "core-sw-01",
            "--duration",
            "2h",
            "--comment",
            "swap",
            "-o",
            "json",
        ],
        &[],
    );
    assert!(added.status.success(), "{}", common::stderr(&added));
    let silence: Value = serde_json::from_slice(&added.stdout).unwrap();
    let id = silence["silence"]["id"].as_i64().unwrap();
    let keys = Keys::with_prefix(&t.prefix);
    let mut redis = common::redis();
    let now = chrono::Utc::now();
    for (minutes_ago, n) in [(0, 4), (2, 3), (61, 100)] {
        let _: () = redis
            .hset(
                keys.silenced_minute(now - chrono::Duration::minutes(minutes_ago)),
                id,
                n,
            )
            .unwrap();
    }

    let out = t.mutt(&["status", "-o", "json"], &[]);
    let status: Value = serde_json::from_str(&common::stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}", common::stderr(&out)));
    let overview = |version: &str| -> Value {
        let r = web.req(
            "GET",
            &format!("/api/{version}/overview"),
            &[("X-API-KEY", READER)],
            "",
        );
        assert_eq!(r.status, 200, "{}", r.text());
        serde_json::from_slice(&r.body).unwrap()
    };
    let ov = overview("v2");
    assert_eq!(ov, overview("v1"));

    // The dashboard's body, key order included.
    assert_eq!(
        serde_json::to_string(&ov).unwrap(),
        json!({
            "queues": {"ingest": 3, "alert": 2, "retry": 4},
            "processing": {"alerter": 3, "moog": 3},
            "dlq": {"alerter": 1, "moog": 5, "dead": 2},
            "breaker": {"state": "half_open"},
            "rules": {"active": 2, "total": 3},
            "silences": [{
                "id": id, "state": "active", "matchers": "host=core-sw-01",
                "ends_at": silence["silence"]["ends_at"], "comment": "swap",
                "created_by": silence["silence"]["created_by"], "held_last_hour": 7,
            }],
        })
        .to_string()
    );
    assert_eq!(status["silences"], ov["silences"], "{status:#}");

    // The same numbers in `mutt status`.
    assert_eq!(status["queues"], ov["queues"], "{status:#}");
    assert_eq!(status["dlq"], ov["dlq"], "{status:#}");
    assert_eq!(status["breaker"], "HALF_OPEN");
    assert_eq!(
        status["breaker"].as_str().unwrap().to_ascii_lowercase(),
        ov["breaker"]["state"]
    );
    assert_eq!(status["rules"]["active"], ov["rules"]["active"]);
    assert_eq!(status["rules"]["total"], ov["rules"]["total"]);
    assert_eq!(
        status["processing"],
        json!([
            {"consumer": "alerter", "pod": "a1", "depth": 2},
            {"consumer": "alerter", "pod": "a2", "depth": 1},
            {"consumer": "moog", "pod": "m1", "depth": 3},
        ])
    );
    for consumer in ["alerter", "moog"] {
        let total: u64 = status["processing"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["consumer"] == consumer)
            .map(|p| p["depth"].as_u64().unwrap())
            .sum();
        assert_eq!(ov["processing"][consumer], total, "{consumer}");
    }
    let listed: Vec<(&str, &str, bool)> = status["instances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["service"].as_str().unwrap(),
                i["pod"].as_str().unwrap(),
                i["up"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        vec![("alerter", "a1", true), ("moog", "legacy", true)]
    );
}
