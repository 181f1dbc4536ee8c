//! `mutt remediate run` black-box: the real binary against a real Redis.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use redis::Commands;
use serde_json::{json, Value};
use std::time::Duration;

struct Setup {
    t: TestEnv,
    redis: redis::Connection,
}

fn setup() -> Setup {
    let t = TestEnv::new();
    let redis = common::redis();
    Setup { t, redis }
}

impl Setup {
    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.t.prefix)
    }

    fn remediator(&self, extra: &[(&str, &str)]) -> Daemon {
        let mut overrides: Vec<(&str, String)> = vec![
            ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
            ("REMEDIATION_INTERVAL", "1".into()),
            ("DYNAMIC_CONFIG_REFRESH_SECONDS", "0.5".into()),
        ];
        overrides.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        Daemon::start(&["remediate", "run"], &self.t.env_with(&overrides))
    }

    fn push(&mut self, list: &str, items: &[Value]) {
        let k = self.key(list);
        for i in items {
            let _: () = self.redis.lpush(&k, i.to_string()).unwrap();
        }
    }

    fn list(&mut self, rest: &str) -> Vec<Value> {
        let key = self.key(rest);
        common::json_list(&mut self.redis, &key)
    }

    /// Length of a list (entries need not be JSON).
    fn len(&mut self, rest: &str) -> usize {
        let key = self.key(rest);
        self.redis.llen(&key).unwrap()
    }

    fn wait_until(&mut self, within: Duration, what: &str, done: impl FnMut(&mut Setup) -> bool) {
        common::wait_until(self, within, what, done)
    }
}

#[test]
fn both_dlqs_are_replayed_counted_and_poisoned_as_specified() {
    let mut s = setup();
    s.push(
        "dlq:alerter",
        &[
            json!({"hostname":"h1","message":"m","timestamp":"t","_event_id":"a1","_dlq":{"reason":"PostgreSQL said no"}}),
            json!({"hostname":"h2","message":"m","timestamp":"t","_event_id":"a2","_replay_count":3,"_dlq":{"reason":"again"}}),
        ],
    );
    let _: () = s
        .redis
        .lpush(s.key("dlq:alerter"), "[not an object]")
        .unwrap();
    s.push(
        "dlq:moog",
        &[json!({"hostname":"h3","_event_id":"m1","_moog_retry_count":6,"_dlq":{"reason":"retries exhausted"}})],
    );
    let _d = s.remediator(&[]);
    // The alerter DLQ holds a non-JSON entry until it is moved: count, don't parse.
    s.wait_until(Duration::from_secs(10), "both DLQs emptied", |s| {
        s.len("dlq:alerter") == 0 && s.len("dlq:moog") == 0
    });
    assert_eq!(
        s.list("ingest_queue"),
        vec![
            json!({"hostname":"h1","message":"m","timestamp":"t","_event_id":"a1","_replay_count":1})
        ]
    );
    assert_eq!(
        s.list("alert_queue"),
        vec![json!({"hostname":"h3","_event_id":"m1","_moog_retry_count":0,"_replay_count":1})]
    );
    let dead = s.list("dlq:dead");
    assert_eq!(dead.len(), 2);
    assert_eq!(dead[0]["_event_id"], "a2");
    assert_eq!(
        dead[0]["_dead"]["reason"],
        "replayed 3 time(s) without success"
    );
    assert_eq!(dead[1]["raw"], "[not an object]");
}

#[test]
fn moog_replay_waits_for_a_closed_breaker_and_deep_targets_are_left_alone() {
    let mut s = setup();
    let _: () = s
        .redis
        .set(s.key("circuit_breaker:moogsoft:state"), "OPEN")
        .unwrap();
    s.push("dlq:moog", &[json!({"hostname":"h","_event_id":"m1"})]);
    // The ingest queue is at its limit: the alerter DLQ must wait too.
    s.push("ingest_queue", &[json!({"busy":1}), json!({"busy":2})]);
    s.push(
        "dlq:alerter",
        &[json!({"hostname":"h","message":"m","timestamp":"t","_event_id":"a1"})],
    );
    let d = s.remediator(&[("MAX_INGEST_QUEUE_SIZE", "2")]);
    // Two whole cycles that each looked at both DLQs and left them alone, as logged.
    let cycles = |needle: &str| d.stderr().lines().filter(|l| l.contains(needle)).count();
    common::wait_for(Duration::from_secs(20), "two cycles that held back", || {
        cycles("dlq:moog: 1 entries wait: the Moog circuit breaker is not closed") >= 2
            && cycles("dlq:alerter: 1 entries wait: ") >= 2
    });
    assert_eq!(
        s.list("dlq:moog").len(),
        1,
        "nothing replayed to Moog while the breaker is open"
    );
    assert_eq!(
        s.list("dlq:alerter").len(),
        1,
        "nothing replayed into a full ingest queue"
    );
    let m = d.req("GET", "/metrics", &[], "").text();
    assert!(m.contains("mutt_remediation_moog_health 0"), "{m}");

    let _: () = s
        .redis
        .set(s.key("circuit_breaker:moogsoft:state"), "CLOSED")
        .unwrap();
    let _: () = s.redis.del(s.key("ingest_queue")).unwrap();
    s.wait_until(Duration::from_secs(10), "replays", |s| {
        s.list("dlq:moog").is_empty() && s.list("dlq:alerter").is_empty()
    });
    assert_eq!(s.list("alert_queue")[0]["_event_id"], "m1");
    assert_eq!(s.list("ingest_queue")[0]["_event_id"], "a1");
}

#[test]
fn one_instance_at_a_time_replays_each_entry_once() {
    let mut s = setup();
    let entries: Vec<Value> = (0..50)
        .map(|i| json!({"hostname":"h","message":"m","timestamp":"t","_event_id":format!("e{i}")}))
        .collect();
    s.push("dlq:alerter", &entries);
    let _a = s.remediator(&[("REMEDIATION_BATCH_SIZE", "10")]);
    let _b = s.remediator(&[("REMEDIATION_BATCH_SIZE", "10")]);
    s.wait_until(Duration::from_secs(20), "every entry replayed", |s| {
        s.list("dlq:alerter").is_empty()
    });
    let replayed = s.list("ingest_queue");
    let ids: Vec<&str> = replayed
        .iter()
        .map(|e| e["_event_id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..50).map(|i| format!("e{i}")).collect();
    assert_eq!(ids, expected, "each entry once, oldest first");
    let holder: Option<String> = s.redis.get(s.key("lock:remediation")).unwrap();
    assert!(holder.is_some(), "the lock is held by the active instance");
    // Only the lock holder did the work.
    let replayed_by = |d: &Daemon| -> u64 {
        let m = d.req("GET", "/metrics", &[], "").text();
        m.lines()
            .find_map(|l| l.strip_prefix("mutt_remediation_replay_success_total "))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let mut counts = [replayed_by(&_a), replayed_by(&_b)];
    counts.sort();
    assert_eq!(counts, [0, 50]);
}
