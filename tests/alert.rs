//! `mutt alert run` black-box: the real binary against real Redis and PostgreSQL.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use mutt::dev::services::{PostgresOptions, PostgresServer};
use redis::Commands;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

struct Setup {
    t: TestEnv,
    redis: redis::Connection,
    extra: Vec<(String, String)>,
}

fn setup() -> Setup {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let redis = common::redis();
    Setup {
        t,
        redis,
        extra: Vec::new(),
    }
}

impl Setup {
    fn alerter(&self, pod: &str, extra: &[(&str, &str)]) -> Daemon {
        let mut overrides: Vec<(&str, String)> = vec![
            ("POD_NAME", pod.into()),
            ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
            ("BRPOPLPUSH_TIMEOUT", "0.2".into()),
            ("ALERTER_HEARTBEAT_INTERVAL", "0.3".into()),
            ("ALERTER_JANITOR_TIMEOUT", "2".into()),
            ("ALERTER_JANITOR_INTERVAL", "0.5".into()),
            ("DYNAMIC_CONFIG_REFRESH_SECONDS", "0.5".into()),
            // Nothing drains the alert queue in these tests: keep backpressure out of the way
            // unless a test is about it.
            ("ALERTER_QUEUE_SHED_THRESHOLD", "1000000".into()),
        ];
        overrides.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.clone())));
        overrides.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        Daemon::start(&["alert", "run"], &self.t.env_with(&overrides))
    }

    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.t.prefix)
    }

    fn push(&mut self, events: &[String]) {
        let q = self.key("ingest_queue");
        for e in events {
            let _: () = self.redis.lpush(&q, e).unwrap();
        }
    }

    fn list(&mut self, rest: &str) -> Vec<Value> {
        let key = self.key(rest);
        common::json_list(&mut self.redis, &key)
    }

    /// Wait until the ingest queue and every processing list are empty.
    fn drained(&mut self, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let queued: i64 = self.redis.llen(self.key("ingest_queue")).unwrap();
            let lists: Vec<String> = self.redis.keys(self.key("processing:alerter:*")).unwrap();
            let mut in_flight = 0;
            for l in &lists {
                in_flight += self.redis.llen::<_, i64>(l).unwrap();
            }
            if queued == 0 && in_flight == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not drained: {queued} queued, {in_flight} in flight"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn sql(&self, q: &str) -> i64 {
        self.t.admin().query_one(q, &[]).unwrap().get(0)
    }

    /// Push `message` as events `<prefix>-0`, `<prefix>-1`, … one at a time, each processed
    /// before the next is pushed, until one is audited (a rule matched it); returns its number.
    /// Race-free evidence that a reload took effect: the events before it were decided with the
    /// old rules, the one after with the new.
    fn probe_until_audited(&mut self, prefix: &str, message: &str, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        for n in 0.. {
            let id = format!("{prefix}-{n}");
            self.push(&[event("h", message, &format!(r#","_event_id":"{id}""#))]);
            self.drained(Duration::from_secs(10));
            let audited = self.sql(&format!(
                "SELECT count(*) FROM event_audit_log WHERE event_id = '{id}'"
            ));
            if audited > 0 {
                return n;
            }
            assert!(
                Instant::now() < deadline,
                "no {prefix} event matched a rule within {within:?}"
            );
        }
        unreachable!()
    }

    /// Lines of the daemon's stderr containing `needle`.
    fn log_count(d: &Daemon, needle: &str) -> usize {
        d.stderr().lines().filter(|l| l.contains(needle)).count()
    }
}

fn event(host: &str, message: &str, extra: &str) -> String {
    format!(
        r#"{{"hostname":"{host}","message":"{message}","timestamp":"2026-11-22T04:00:00Z"{extra}}}"#
    )
}

fn seed_rules(t: &TestEnv) {
    t.admin()
        .batch_execute(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ('LINK-DOWN', 'contains', 10, 'Page_and_ticket', 'Ticket_only', 'NetOps'),
                    ('AUDIT', 'contains', 20, 'Log_only', 'Log_only', 'Security');
             INSERT INTO development_hosts (hostname) VALUES ('dev-sw1');
             INSERT INTO device_teams (hostname, team_assignment) VALUES ('quiet-host', 'Facilities');",
        )
        .unwrap();
}

#[test]
fn events_become_audit_rows_alerts_and_one_meta_alert_per_window() {
    let mut s = setup();
    seed_rules(&s.t);
    let _: () = s
        .redis
        .set(s.key("config:unhandled_threshold"), "3")
        .unwrap();
    let _d = s.alerter("alerter-a", &[]);
    s.push(&[
        // v2.5's ingestor queued events without _event_id: one is derived.
        event(
            "core-sw1",
            "%LINK-DOWN Gi0/1",
            r#","syslog_severity":2,"_correlation_id":"c-prod""#,
        ),
        event(
            "DEV-SW1",
            "%LINK-DOWN Gi0/2",
            r#","_correlation_id":"c-dev","_event_id":"e-dev""#,
        ),
        event("core-sw1", "AUDIT login admin", r#","_event_id":"e-audit""#),
        event("quiet-host", "fan speed normal", r#","_event_id":"u1""#),
        event("quiet-host", "fan speed normal", r#","_event_id":"u2""#),
    ]);
    s.drained(Duration::from_secs(10));
    assert_eq!(
        s.list("alert_queue").len(),
        2,
        "below the threshold: no meta-alert yet"
    );
    s.push(&[
        event(
            "quiet-host",
            "fan speed normal",
            r#","_event_id":"u3","_correlation_id":"c-u3""#,
        ),
        event("quiet-host", "fan speed normal", r#","_event_id":"u4""#),
    ]);
    s.drained(Duration::from_secs(10));

    let rows = s.t.admin().query(
        "SELECT hostname::text, matched_rule_id, handling_decision::text, forwarded_to_moog, event_id
           FROM event_audit_log ORDER BY handling_decision, hostname",
        &[],
    )
    .unwrap();
    let got: Vec<(String, i32, String, bool, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        (got[0].0.as_str(), got[0].2.as_str(), got[0].3),
        ("core-sw1", "Log_only", false)
    );
    assert_eq!(got[0].4, "e-audit");
    assert_eq!(
        (got[1].0.as_str(), got[1].2.as_str(), got[1].3),
        ("core-sw1", "Page_and_ticket", true)
    );
    assert!(got[1].4.starts_with("v25-"), "derived id: {}", got[1].4);
    assert_eq!(
        (got[2].0.as_str(), got[2].2.as_str(), got[2].3),
        ("DEV-SW1", "Ticket_only", true)
    );

    let alerts = s.list("alert_queue");
    assert_eq!(alerts.len(), 3, "{alerts:?}");
    let prod = &alerts[0];
    assert_eq!(prod["hostname"], "core-sw1");
    assert_eq!(prod["team_assignment"], "NetOps");
    assert_eq!(prod["severity"], "Critical");
    assert_eq!(prod["message_body"], "%LINK-DOWN Gi0/1");
    assert_eq!(prod["_correlation_id"], "c-prod");
    assert_eq!(prod["environment"], "prod");
    assert_eq!(prod["handling"], "Page_and_ticket");
    assert_eq!(prod["event_timestamp"], "2026-11-22T04:00:00.000Z");
    assert_eq!(prod["raw_json"]["syslog_severity"], 2);
    assert!(prod.get("api_key").is_none());
    assert_eq!(
        (
            alerts[1]["environment"].clone(),
            alerts[1]["_event_id"].clone()
        ),
        (json!("dev"), json!("e-dev"))
    );
    let meta = &alerts[2];
    assert_eq!(meta["hostname"], "MUTT_Alerter");
    assert_eq!(meta["team_assignment"], "Facilities");
    assert_eq!(meta["_correlation_id"], "c-u3");
    assert_eq!(
        meta["message_body"],
        "[MUTT] Detected 3 unhandled messages in 86400s from 'quiet-host'. Sample message: fan speed normal"
    );
    // The window's guard is set and the counter consumed; the 4th event was suppressed.
    let sig = &mutt::wire::sha1_hex("fan speed normal")[..16];
    let guard: Option<i64> = s
        .redis
        .get(s.key(&format!("unhandled:quiet-host:{sig}:triggered")))
        .unwrap();
    assert_eq!(guard, Some(3));
    let ttl: i64 = s
        .redis
        .ttl(s.key(&format!("unhandled:quiet-host:{sig}:triggered")))
        .unwrap();
    assert!(ttl > 86_000, "{ttl}");
    assert!(s.list("dlq:alerter").is_empty());
}

#[test]
fn bad_messages_are_dead_lettered_with_a_reason() {
    let mut s = setup();
    seed_rules(&s.t);
    let _d = s.alerter("alerter-b", &[]);
    s.push(&[
        "{not json".to_string(),
        "[1,2]".to_string(),
        r#"{"message":"m","timestamp":"2026-11-22T04:00:00Z"}"#.to_string(),
        event("h", "LINK-DOWN", "").replace("2026-11-22T04:00:00Z", "whenever"),
        event("h", "LINK-DOWN", r#","_event_id":"good""#),
    ]);
    s.drained(Duration::from_secs(10));
    let dlq = s.list("dlq:alerter");
    let reasons: Vec<&str> = dlq
        .iter()
        .map(|e| e["_dlq"]["reason"].as_str().unwrap())
        .collect();
    assert_eq!(
        reasons,
        [
            "invalid JSON at line 1 column 2",
            "not a JSON object",
            "missing field hostname",
            "unparseable timestamp \"whenever\""
        ]
    );
    assert_eq!(dlq[0]["raw"], "{not json");
    assert_eq!(dlq[2]["message"], "m");
    assert_eq!(dlq[3]["_dlq"]["pod"], "alerter-b");
    assert_eq!(
        s.sql("SELECT count(*) FROM event_audit_log"),
        1,
        "the good event is still audited"
    );
}

#[test]
fn a_rule_announced_on_the_updates_channel_is_used_within_a_second() {
    let mut s = setup();
    let _d = s.alerter("alerter-c", &[("CACHE_RELOAD_INTERVAL", "3600")]);
    s.push(&[event(
        "h",
        "BRAND-NEW condition",
        r#","_event_id":"before""#,
    )]);
    s.drained(Duration::from_secs(10));
    assert_eq!(s.sql("SELECT count(*) FROM event_audit_log"), 0);
    s.t.admin()
        .batch_execute(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ('brand-new', 'contains', 1, 'Page_only', 'Page_only', 'NetOps')",
        )
        .unwrap();
    let _: () = s
        .redis
        .publish(s.key("config:updates"), "alert_rules")
        .unwrap();
    // The periodic reload is an hour away, so only the notice can explain a pickup. The
    // promise is "within a second"; the deadline is generous so a loaded machine cannot fail
    // it, but a notice that does not work still does.
    let n = s.probe_until_audited("after", "BRAND-NEW condition", Duration::from_secs(10));
    assert_eq!(
        s.sql("SELECT count(*) FROM event_audit_log WHERE event_id LIKE 'after-%'"),
        1,
        "exactly the event after the reload (after-{n}) matched"
    );
}

#[test]
fn kill_9_mid_batch_then_another_pod_audits_and_alerts_everything_exactly_once() {
    let mut s = setup();
    seed_rules(&s.t);
    const N: usize = 3000;
    let events: Vec<String> = (0..N)
        .map(|i| {
            event(
                &format!("sw{}", i % 50),
                "LINK-DOWN port",
                &format!(r#","_event_id":"k{i}""#),
            )
        })
        .collect();
    s.push(&events);
    let mut a = s.alerter("alerter-doomed", &[("ALERTER_BATCH_SIZE", "50")]);
    // Let it get going, then kill it without warning.
    let deadline = Instant::now() + Duration::from_secs(10);
    while s.sql("SELECT count(*) FROM event_audit_log") < 200 {
        assert!(Instant::now() < deadline, "alerter A made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    unsafe { libc::kill(a.pid() as i32, libc::SIGKILL) };
    let _ = a.terminate_after_kill();
    let _b = s.alerter("alerter-rescuer", &[("ALERTER_BATCH_SIZE", "200")]);
    s.drained(Duration::from_secs(30));
    assert_eq!(s.sql("SELECT count(*) FROM event_audit_log"), N as i64);
    assert_eq!(
        s.sql("SELECT count(DISTINCT event_id) FROM event_audit_log"),
        N as i64
    );
    let alerts = s.list("alert_queue");
    let ids: std::collections::HashSet<&str> = alerts
        .iter()
        .map(|a| a["_event_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        (alerts.len(), ids.len()),
        (N, N),
        "every alert queued exactly once"
    );
    assert!(s.list("dlq:alerter").is_empty());
}

#[test]
fn a_postgres_outage_pauses_processing_and_loses_nothing() {
    let mut pg = PostgresServer::start(PostgresOptions::default()).unwrap();
    pg.create_database("mutt").unwrap();
    let mut s = setup();
    s.extra = vec![
        ("DB_PORT".into(), pg.port().to_string()),
        ("DB_NAME".into(), "mutt".into()),
        ("DB_USER".into(), pg.superuser().into()),
        ("DB_PASS_CURRENT".into(), pg.password().into()),
        ("DB_CONNECT_TIMEOUT".into(), "1".into()),
        ("DB_POOL_TIMEOUT".into(), "1".into()),
    ];
    let env: std::collections::HashMap<String, String> =
        s.t.env().into_iter().chain(s.extra.clone()).collect();
    assert!(common::mutt_with_env(&["migrate"], &env).status.success());
    pg.admin_client("mutt")
        .unwrap()
        .batch_execute(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ('LINK-DOWN', 'contains', 10, 'Page_and_ticket', 'Ticket_only', 'NetOps')",
        )
        .unwrap();
    let d = s.alerter("alerter-pg", &[]);
    let batch = |from: usize| -> Vec<String> {
        (from..from + 100)
            .map(|i| event("sw", "LINK-DOWN", &format!(r#","_event_id":"p{i}""#)))
            .collect()
    };
    s.push(&batch(0));
    s.drained(Duration::from_secs(10));

    pg.stop();
    let outage = Instant::now();
    let mut pushed = 100;
    let mut saw_not_ready = false;
    // A deliberate outage: events keep arriving while the alerter holds its batch and retries.
    // It lasts until the alerter has been seen not ready and retrying several times, and at
    // least two janitor timeouts plus a pass (2 s, 0.5 s above), so a janitor that took the
    // stalled pod for dead would have re-delivered (and dead-lettered) by then.
    let unavailable = "PostgreSQL unavailable";
    let at_least = Duration::from_millis(2 * 2000 + 500);
    let give_up = Duration::from_secs(30);
    while !(saw_not_ready && Setup::log_count(&d, unavailable) >= 4 && outage.elapsed() >= at_least)
    {
        assert!(
            outage.elapsed() < give_up,
            "the alerter did not report the outage (ready 503 seen: {saw_not_ready}): {}",
            d.stderr()
        );
        s.push(&batch(pushed));
        pushed += 100;
        if d.req("GET", "/health/ready", &[], "").status == 503 {
            saw_not_ready = true;
        }
        // Pacing the pushes during the outage, not a wait for anything.
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(
        saw_not_ready,
        "readiness must fail while PostgreSQL is down"
    );
    assert!(
        s.list("dlq:alerter").is_empty(),
        "nothing is dead-lettered for an outage"
    );
    pg.restart().unwrap();
    s.drained(Duration::from_secs(30));
    let count: i64 = pg
        .admin_client("mutt")
        .unwrap()
        .query_one("SELECT count(DISTINCT event_id) FROM event_audit_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(count, pushed as i64);
    assert_eq!(s.list("alert_queue").len(), pushed);
    assert!(s.list("dlq:alerter").is_empty());
    assert_eq!(d.req("GET", "/health/ready", &[], "").status, 200);
}

#[test]
fn backpressure_defers_by_default_and_sheds_to_the_dlq_when_asked() {
    let mut s = setup();
    seed_rules(&s.t);
    // A stuck forwarder: the alert queue is past the shed threshold.
    let filler: Vec<String> = (0..30).map(|i| format!("{{\"old\":{i}}}")).collect();
    let _: () = s.redis.lpush(s.key("alert_queue"), &filler).unwrap();
    let d = s.alerter(
        "alerter-bp",
        &[
            ("ALERTER_QUEUE_SHED_THRESHOLD", "20"),
            ("ALERTER_DEFER_SLEEP_MS", "50"),
        ],
    );
    s.push(&[event("h", "LINK-DOWN", r#","_event_id":"waits""#)]);
    // Ten deferrals in a row (50 ms each) with the event still queued: consumption is paused,
    // not merely not yet done.
    let defer = r#"mutt_alerter_shed_events_total{mode="defer"} "#;
    let deferrals = |text: &str| -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(defer))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    common::wait_for(Duration::from_secs(20), "ten deferrals", || {
        deferrals(&d.req("GET", "/metrics", &[], "").text()) >= 10
    });
    let queued: i64 = s.redis.llen(s.key("ingest_queue")).unwrap();
    assert_eq!(queued, 1, "defer mode pauses consumption");
    assert!(s.list("dlq:alerter").is_empty());
    let metrics = d.req("GET", "/metrics", &[], "").text();
    assert!(
        metrics.contains(r#"mutt_alerter_shed_events_total{mode="defer"}"#),
        "{metrics}"
    );

    // The operator switches to dlq mode live: the waiting event is shed with a reason.
    let _: () = s
        .redis
        .set(s.key("config:alerter_shed_mode"), "dlq")
        .unwrap();
    let _: () = s
        .redis
        .publish(s.key("config:updates"), "alerter_shed_mode")
        .unwrap();
    s.drained(Duration::from_secs(10));
    let dlq = s.list("dlq:alerter");
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0]["_event_id"], "waits");
    assert_eq!(dlq[0]["shedding_reason"], "queue_depth_exceeded:30>20");
    assert_eq!(dlq[0]["_dlq"]["reason"], "queue_depth_exceeded:30>20");
    assert_eq!(s.sql("SELECT count(*) FROM event_audit_log"), 0);
}

#[test]
fn health_reports_the_v25_body_and_sigterm_exits_cleanly() {
    let mut s = setup();
    seed_rules(&s.t);
    let mut d = s.alerter("alerter-h", &[]);
    d.wait_ready();
    let r = d.req("GET", "/health", &[], "");
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        body,
        json!({"status":"healthy","service":"mutt-alerter","version":env!("CARGO_PKG_VERSION"),"pod":"alerter-h"})
    );
    let hb: bool = s
        .redis
        .exists(s.key("heartbeat:alerter:alerter-h"))
        .unwrap();
    assert!(hb, "heartbeat written");
    s.push(&[event("h", "LINK-DOWN", r#","_event_id":"last""#)]);
    s.drained(Duration::from_secs(10));
    let m = d.req("GET", "/metrics", &[], "").text();
    assert!(
        m.contains(r#"mutt_alerter_events_processed_total{status="handled"} 1"#),
        "{m}"
    );
    assert!(m.contains("mutt_alerter_cache_rules_count 2"), "{m}");
    assert!(m.contains("mutt_alerter_batch_size_bucket"), "{m}");
    assert!(d.terminate().success());
    let hb: bool = s
        .redis
        .exists(s.key("heartbeat:alerter:alerter-h"))
        .unwrap();
    assert!(!hb, "heartbeat removed on a clean exit");
}

#[test]
fn sighup_reloads_rules_and_a_crash_looping_message_is_dead_lettered() {
    let mut s = setup();
    let d = s.alerter(
        "alerter-hup",
        &[
            ("CACHE_RELOAD_INTERVAL", "3600"),
            ("ALERTER_MAX_RETRIES", "2"),
        ],
    );
    s.t.admin()
        .batch_execute(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ('HUP-RULE', 'contains', 1, 'Page_only', 'Page_only', 'NetOps')",
        )
        .unwrap();
    unsafe { libc::kill(d.pid() as i32, libc::SIGHUP) };
    // Probe only once the signal was taken and the reload logged. A SIGHUP that lands while the
    // worker blocks in BRPOPLPUSH interrupts the read (EINTR: the socket has a timeout), and an
    // event the server moves to the processing list for that dropped read is stranded there: a
    // daemon bug this test does not cover (reported), which probing right after kill(2) hits
    // now and then. The reload comes up to 250 ms after the signal, well after that read.
    common::wait_signal_taken(d.pid(), libc::SIGHUP);
    common::wait_for_log(Duration::from_secs(10), "loaded 1 rule(s)", || d.stderr());
    // The periodic reload is an hour away: only SIGHUP can explain the new rule. Probing (not
    // one event) because the reload is logged just before the new rules are swapped in.
    let n = s.probe_until_audited("hup", "hup-rule fired", Duration::from_secs(10));
    assert_eq!(
        s.sql("SELECT count(*) FROM event_audit_log WHERE event_id LIKE 'hup-%'"),
        1,
        "exactly the event after the reload (hup-{n}) matched"
    );

    // A message that already killed its consumer twice (as the janitor counted) is not tried again.
    let poison = event("h", "hup-rule again", r#","_event_id":"poison""#);
    let _: () = s
        .redis
        .hset(
            s.key("deliveries:alerter"),
            mutt::wire::sha1_hex(&poison),
            2,
        )
        .unwrap();
    s.push(&[poison]);
    s.drained(Duration::from_secs(10));
    let dlq = s.list("dlq:alerter");
    assert_eq!(dlq.len(), 1);
    assert_eq!(
        dlq[0]["_dlq"]["reason"],
        "delivered 2 times without finishing (consumer crashed)"
    );
    assert_eq!(
        s.sql("SELECT count(*) FROM event_audit_log WHERE event_id = 'poison'"),
        0
    );
    let left: i64 = s.redis.hlen(s.key("deliveries:alerter")).unwrap();
    assert_eq!(
        left, 0,
        "the delivery count is cleared with the acknowledgement"
    );
}

#[test]
fn the_alerter_rides_out_a_redis_restart() {
    let mut redis_server = mutt::dev::services::RedisServer::start(Default::default()).unwrap();
    let mut s = setup();
    seed_rules(&s.t);
    s.extra = vec![
        ("REDIS_PORT".into(), redis_server.port().to_string()),
        ("REDIS_CONNECT_TIMEOUT".into(), "0.5".into()),
    ];
    s.redis = common::redis_at(redis_server.port());
    let d = s.alerter("alerter-r", &[]);
    s.push(&[event("h", "LINK-DOWN", r#","_event_id":"r1""#)]);
    s.drained(Duration::from_secs(10));
    let retries = Setup::log_count(&d, "retrying in");
    redis_server.stop();
    // The alerter has met the outage (three failed attempts, 0.7 s of backoff) and lives on.
    common::wait_for(
        Duration::from_secs(20),
        "the alerter to retry Redis",
        || Setup::log_count(&d, "retrying in") >= retries + 3,
    );
    assert_eq!(
        d.req("GET", "/health/live", &[], "").status,
        200,
        "the process stays up"
    );
    redis_server.restart().unwrap();
    s.redis = common::redis_at(redis_server.port());
    s.push(&[event("h", "LINK-DOWN", r#","_event_id":"r2""#)]);
    s.drained(Duration::from_secs(15));
    assert_eq!(s.sql("SELECT count(*) FROM event_audit_log"), 2);
    let alerts = s.list("alert_queue");
    assert_eq!(
        alerts.len(),
        1,
        "the restarted Redis holds the alert of the event queued after it"
    );
    assert_eq!(alerts[0]["_event_id"], "r2");
}
