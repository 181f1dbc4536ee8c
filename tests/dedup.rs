//! Alert deduplication across two real alerters on real Redis and PostgreSQL: one alert per key
//! per window however the events are spread over the alerters, every held-back event audited
//! with what it repeated, and the count carried by the next alert of the key.

mod common;
use common::alerters::{metric, Alerters};
use common::TestEnv;
use redis::Commands;
use serde_json::json;

/// Alerters with a dedup window long enough that no load on the machine can end it during the
/// test; the test ends it by moving the key's last send back in time.
const DEDUP: [(&str, &str); 2] = [
    ("ALERT_DEDUP_WINDOW_SECONDS", "3600"),
    // Small batches, so both alerters take part.
    ("ALERTER_BATCH_SIZE", "2"),
];

fn event(host: &str, message: &str, id: &str) -> String {
    json!({"hostname": host, "message": message, "timestamp": "2026-12-07T10:00:00Z", "_event_id": id})
        .to_string()
}

#[test]
fn two_alerters_send_one_alert_per_key_and_carry_the_repeat_count() {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let rule_id: i32 = t
        .admin()
        .query_one(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ('UPDOWN', 'contains', 10, 'Page_and_ticket', 'Ticket_only', 'NetOps') RETURNING id",
            &[],
        )
        .unwrap()
        .get(0);
    let mut p = Alerters::new(t);
    const A: usize = 300;
    const B: usize = 50;
    let flap = |iface: &str, n: usize| {
        // The sequence number and the device's time stamp change with every line; the
        // interface does not.
        format!(
            "{n}: *Mar  1 18:{:02}:{:02}.{n:03} UTC: %LINK-3-UPDOWN: Interface {iface}, changed state to down",
            n / 60 % 60,
            n % 60
        )
    };
    let mut events = Vec::new();
    for n in 0..A {
        events.push(event("Core-SW-01", &flap("Gi0/1", n), &format!("a-{n}")));
        if n < B {
            events.push(event("core-sw-01", &flap("Gi0/2", n), &format!("b-{n}")));
        }
    }
    let one = p.start("alerter-d1", &DEDUP);
    let two = p.start("alerter-d2", &DEDUP);
    // One push per event while both wait on the queue: each push wakes a waiting alerter, so
    // the two decide the same keys side by side.
    let q = p.key("ingest_queue");
    for e in &events {
        let _: () = p.redis.lpush(&q, e).unwrap();
    }
    p.drained();
    let handled = r#"mutt_alerter_events_processed_total{status="handled"}"#;
    let (by_one, by_two) = (metric(&one, handled), metric(&two, handled));
    eprintln!("handled: {by_one} and {by_two}");
    assert_eq!(by_one + by_two, (A + B) as f64);
    assert!(
        by_one > 0.0 && by_two > 0.0,
        "both alerters took part: {by_one} and {by_two}"
    );

    // Exactly one alert per key: Gi0/1 and Gi0/2 are different keys.
    let alerts = p.alerts();
    assert_eq!(alerts.len(), 2, "{alerts:#?}");
    let sent_a = alerts
        .iter()
        .find(|a| a["message_body"].as_str().unwrap().contains("Gi0/1"))
        .expect("the Gi0/1 alert")["_event_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(alerts.iter().all(|a| a.get("repeat_count").is_none()));

    // Every event is audited; each held-back one names the alert it repeated.
    let db = |q: &str| -> i64 { p.t.admin().query_one(q, &[]).unwrap().get(0) };
    assert_eq!(db("SELECT count(*) FROM event_audit_log"), (A + B) as i64);
    assert_eq!(
        db("SELECT count(*) FROM event_audit_log WHERE forwarded_to_moog"),
        2
    );
    assert_eq!(
        db(&format!(
            "SELECT count(*) FROM event_audit_log WHERE dedup_of = '{sent_a}' \
             AND event_id LIKE 'a-%' AND NOT forwarded_to_moog AND matched_rule_id = {rule_id}"
        )),
        (A - 1) as i64
    );
    assert_eq!(
        db("SELECT count(*) FROM event_audit_log WHERE event_id LIKE 'b-%' AND dedup_of IS NOT NULL"),
        (B - 1) as i64
    );
    let series = "mutt_alerter_deduplicated_total";
    assert_eq!(
        metric(&one, series) + metric(&two, series),
        (A - 1 + B - 1) as f64
    );

    // End the Gi0/1 window (as if an hour had passed) and let it flap once more: that alert
    // carries the count of the repeats held back since the last one.
    let keys: Vec<String> = p.redis.keys(p.key(&format!("dedup:{rule_id}:*"))).unwrap();
    let hash = keys
        .iter()
        .find(|k| {
            !k.ends_with(":held")
                && p.redis
                    .hget::<_, _, Option<String>>(*k, "sent_event")
                    .unwrap()
                    .as_deref()
                    == Some(sent_a.as_str())
        })
        .expect("the Gi0/1 dedup key")
        .clone();
    let sent_at: i64 = p.redis.hget(&hash, "sent_at_ms").unwrap();
    let _: () = p
        .redis
        .hset(&hash, "sent_at_ms", sent_at - 3_600_001)
        .unwrap();
    let _: () = p
        .redis
        .lpush(&q, event("core-sw-01", &flap("Gi0/1", 999), "a-next"))
        .unwrap();
    p.drained();
    let next = p
        .alerts()
        .into_iter()
        .find(|a| a["_event_id"] == "a-next")
        .expect("the next Gi0/1 alert");
    assert_eq!(next["repeat_count"], (A - 1) as u64, "{next}");
    assert_eq!(next["first_seen"], "2026-12-07T10:00:00.000Z");
    assert_eq!(next["rule_id"], rule_id);
    // The new window starts empty.
    let held: i64 = p.redis.scard(format!("{hash}:held")).unwrap();
    assert_eq!(held, 0);
}

#[test]
fn dedup_is_off_by_default() {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    t.admin()
        .batch_execute(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ('UPDOWN', 'contains', 10, 'Page_and_ticket', 'Ticket_only', 'NetOps')",
        )
        .unwrap();
    let mut p = Alerters::new(t);
    let a = p.start("alerter-plain", &[]);
    let q = p.key("ingest_queue");
    for n in 0..20 {
        let _: () = p
            .redis
            .lpush(&q, event("sw1", "LINK UPDOWN Gi0/1", &format!("e-{n}")))
            .unwrap();
    }
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| p.drained())).is_err() {
        panic!("alerter log: {}", a.stderr());
    }
    assert_eq!(p.alerts().len(), 20, "v2.5 behaviour: every event alerts");
    let keys: Vec<String> = p.redis.keys(p.key("dedup:*")).unwrap();
    assert!(keys.is_empty(), "{keys:?}");
}
