//! Silences end to end: `mutt silences` and `/api/v2/silences` against real PostgreSQL and
//! Redis, two real alerters applying an announced silence, and `mutt rules test --at` reading
//! a stored recurring schedule across a daylight-saving change.

mod common;
use common::alerters::{metric, Alerters};
use common::daemon::Daemon;
use common::TestEnv;
use redis::Commands;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const ADMIN: &str = "admin-key-0123456789";
const READER: &str = "reader-key-0123456789";

fn migrated() -> TestEnv {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    t
}

/// The id of a new page-and-ticket rule for `needle`, team NetOps.
fn rule(t: &TestEnv, needle: &str) -> i32 {
    t.admin()
        .query_one(
            "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
             VALUES ($1, 'contains', 10, 'Page_and_ticket', 'Ticket_only', 'NetOps') RETURNING id",
            &[&needle],
        )
        .unwrap()
        .get(0)
}

/// `mutt <args> -o json`, which must succeed; its JSON.
fn cli_json(t: &TestEnv, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let out = t.mutt(&all, &[]);
    assert!(
        out.status.success(),
        "mutt {args:?}: {}",
        common::stderr(&out)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn sql_i64(t: &TestEnv, q: &str) -> i64 {
    t.admin().query_one(q, &[]).unwrap().get(0)
}

fn web(t: &TestEnv) -> Daemon {
    let mut env = t.env();
    env.push((
        "WEBUI_API_KEYS".into(),
        format!("ops:admin:{ADMIN},viewer:read:{READER}"),
    ));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    env.push((
        "PROMETHEUS_URL".into(),
        format!("http://{}", common::nobody_listens().addr()),
    ));
    Daemon::start(&["web", "serve"], &env)
}

fn call(d: &Daemon, method: &str, path: &str, key: &str, body: &str) -> (u16, Value) {
    let r = d.req(
        method,
        path,
        &[("Content-Type", "application/json"), ("X-API-KEY", key)],
        body,
    );
    let v = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    (r.status, v)
}

#[test]
fn cli_and_rest_round_trip_with_audit_rows() {
    let t = migrated();
    let rule_id = rule(&t, "LINK-DOWN");
    let rule_text = rule_id.to_string();

    // CLI: create, list, show.
    let created = cli_json(
        &t,
        &[
            "silences",
            "add",
            "--host-glob",
            "core-sw-*",
            "--rule",
            &rule_text,
            "--duration",
            "2h",
            "--comment",
            "linecard swap",
        ],
    );
    let s = &created["silence"];
    let id = s["id"].as_i64().unwrap();
    assert_eq!(s["state"], "active");
    assert_eq!(
        s["matchers"],
        json!({"hostname": "core-sw-*", "hostname_match": "glob", "rule_id": rule_id})
    );
    assert_eq!(s["comment"], "linecard swap");
    assert!(s["created_by"].as_str().unwrap().starts_with("cli:"));
    assert_eq!(
        sql_i64(
            &t,
            &format!(
                "SELECT count(*) FROM config_audit_log WHERE table_name = 'silences' \
                 AND operation = 'CREATE' AND record_id = {id} AND changed_by LIKE 'cli:%' \
                 AND new_values->>'comment' = 'linecard swap'"
            )
        ),
        1
    );
    let listed = cli_json(&t, &["silences", "list"]);
    assert_eq!(listed["silences"].as_array().unwrap().len(), 1);
    assert_eq!(listed["silences"][0]["id"], id);
    let shown = cli_json(&t, &["silences", "show", &id.to_string()]);
    assert_eq!(shown["silence"], listed["silences"][0]);

    // Refusals name what is wrong and store nothing.
    for (args, needle) in [
        (
            vec!["--duration", "2h", "--comment", "x"],
            "at least one matcher",
        ),
        (vec!["--host", "h", "--comment", "x"], "ends_at or duration"),
        (
            vec!["--host", "h", "--duration", "2h"],
            "comment is required",
        ),
        (
            vec!["--rule", "99999", "--duration", "2h", "--comment", "x"],
            "there is no rule 99999",
        ),
        (
            vec!["--host-regex", "(", "--duration", "2h", "--comment", "x"],
            "hostname regex does not compile",
        ),
        (
            vec![
                "--host",
                "h",
                "--ends",
                "2027-01-01T00:00:00Z",
                "--every",
                "sun 02:00-02:00",
                "--comment",
                "x",
            ],
            "is empty",
        ),
    ] {
        let mut all = vec!["silences", "add"];
        all.extend(args.iter());
        let out = t.mutt(&all, &[]);
        assert_eq!(out.status.code(), Some(1), "{all:?}");
        assert!(
            common::stderr(&out).contains(needle),
            "{all:?}: {}",
            common::stderr(&out)
        );
    }
    assert_eq!(sql_i64(&t, "SELECT count(*) FROM silences"), 1);

    // REST: the same silence, on both API versions.
    let w = web(&t);
    let (status, v2) = call(&w, "GET", "/api/v2/silences", READER, "");
    assert_eq!(status, 200);
    assert_eq!(v2, listed);
    let (_, v1) = call(&w, "GET", "/api/v1/silences", READER, "");
    assert_eq!(v1, v2);
    let (status, one) = call(&w, "GET", &format!("/api/v2/silences/{id}"), READER, "");
    assert_eq!((status, &one["silence"]), (200, &listed["silences"][0]));
    assert_eq!(
        call(&w, "GET", "/api/v2/silences/424242", READER, "").0,
        404
    );
    let (status, bad) = call(&w, "GET", "/api/v2/silences/abc", READER, "");
    assert_eq!((status, bad["field"].as_str()), (400, Some("id")), "{bad}");

    let body = json!({"matchers": {"team": "NetOps", "contains": "BGP"}, "duration": "30m", "comment": "peer maintenance"})
        .to_string();
    assert_eq!(call(&w, "POST", "/api/v2/silences", READER, &body).0, 403);
    let (status, made) = call(&w, "POST", "/api/v2/silences", ADMIN, &body);
    assert_eq!(status, 201, "{made}");
    let id2 = made["silence"]["id"].as_i64().unwrap();
    assert_eq!(made["silence"]["created_by"], "webui_api:ops");
    assert_eq!(made["silence"]["state"], "active");
    for (bad_body, field) in [
        (
            json!({"matchers": {"hostname": "(", "hostname_match": "regex"}, "duration": "1h", "comment": "x"}),
            "matchers.hostname",
        ),
        (
            json!({"matchers": {"hostname": "h"}, "duration": "1h"}),
            "comment",
        ),
        (
            json!({"matchers": {"hostname": "h"}, "comment": "x", "until": "later"}),
            "until",
        ),
        (
            json!({"matchers": {"hostname": "h"}, "comment": "x", "ends_at": "2020-01-01T00:00:00Z"}),
            "ends_at",
        ),
    ] {
        let (status, e) = call(&w, "POST", "/api/v2/silences", ADMIN, &bad_body.to_string());
        assert_eq!(
            (status, e["field"].as_str()),
            (400, Some(field)),
            "{bad_body}: {e}"
        );
    }

    // Expire over REST: audited, announced, gone from the default list, kept with ?expired.
    let (status, gone) = call(&w, "DELETE", &format!("/api/v2/silences/{id2}"), ADMIN, "");
    assert_eq!(
        (status, gone["silence"]["state"].as_str()),
        (200, Some("expired")),
        "{gone}"
    );
    assert_eq!(
        call(&w, "DELETE", &format!("/api/v2/silences/{id2}"), ADMIN, "").0,
        409
    );
    assert_eq!(
        sql_i64(
            &t,
            &format!(
                "SELECT count(*) FROM config_audit_log WHERE table_name = 'silences' \
                 AND operation = 'UPDATE' AND record_id = {id2} AND changed_by = 'webui_api:ops'"
            )
        ),
        1
    );
    let (_, current) = call(&w, "GET", "/api/v2/silences", READER, "");
    assert_eq!(current["silences"].as_array().unwrap().len(), 1);
    let (_, all) = call(&w, "GET", "/api/v2/silences?expired=true", READER, "");
    assert_eq!(all["silences"].as_array().unwrap().len(), 2);

    // Export, expire, import: a new silence like the old; importing again changes nothing.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("silences.yaml");
    let file_text = file.to_str().unwrap();
    let out = t.mutt(&["silences", "export", "--file", file_text], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let expired = cli_json(&t, &["silences", "expire", &id.to_string()]);
    assert_eq!(expired["silence"]["state"], "expired");
    let first = cli_json(&t, &["silences", "import", file_text]);
    assert_eq!(first["results"][0]["result"], "created", "{first}");
    let again = cli_json(&t, &["silences", "import", file_text]);
    assert_eq!(again["results"][0]["result"], "unchanged", "{again}");
    let now = cli_json(&t, &["silences", "list"]);
    assert_eq!(now["silences"].as_array().unwrap().len(), 1);
    assert_eq!(now["silences"][0]["matchers"], s["matchers"]);
    assert_ne!(now["silences"][0]["id"], id);
}

/// Alerters that see a silence only through its change notice (the timed reload is an hour away).
const ALERTERS: [(&str, &str); 3] = [
    ("ALERTER_BATCH_SIZE", "5"),
    ("CACHE_RELOAD_INTERVAL", "3600"),
    ("UNHANDLED_THRESHOLD", "3"),
];

fn push(p: &mut Alerters, host: &str, message: &str, id: &str) {
    p.push(&json!({"hostname": host, "message": message, "timestamp": "2026-11-22T04:00:00Z", "_event_id": id}),
    );
}

/// Event ids of the alerts queued.
fn alerted_ids(p: &mut Alerters) -> Vec<String> {
    p.alerts()
        .iter()
        .filter_map(|a| a["_event_id"].as_str().map(str::to_string))
        .collect()
}

/// (silenced_by, forwarded_to_moog, matched_rule_id, handling) of an event's audit row.
fn audit(p: &Alerters, id: &str) -> (Option<i32>, bool, i32, String) {
    let r =
        p.t.admin()
            .query_one(
                "SELECT silenced_by, forwarded_to_moog, matched_rule_id, handling_decision \
             FROM event_audit_log WHERE event_id = $1",
                &[&id],
            )
            .unwrap();
    (r.get(0), r.get(1), r.get(2), r.get(3))
}

#[test]
fn two_alerters_apply_an_announced_silence_and_audit_what_it_holds_back() {
    let t = migrated();
    let rule_id = rule(&t, "LINK-DOWN");
    let mut p = Alerters::new(t);
    let a = p.start("alerter-s1", &ALERTERS);
    let b = p.start("alerter-s2", &ALERTERS);
    push(&mut p, "core-sw-01", "LINK-DOWN Gi0/1", "before");
    p.drained();
    assert_eq!(
        audit(&p, "before"),
        (None, true, rule_id, "Page_and_ticket".into())
    );

    let added = Instant::now();
    let created = cli_json(
        &p.t,
        &[
            "silences",
            "add",
            "--host",
            "CORE-SW-01",
            "--duration",
            "1h",
            "--comment",
            "maintenance",
        ],
    );
    let id = created["silence"]["id"].as_i64().unwrap() as i32;
    // The promise is "within a second"; the deadline is generous so a loaded machine cannot fail
    // it, but a notice that does not work (the timed reload is an hour away) still does.
    for d in [&a, &b] {
        common::wait_for_log(Duration::from_secs(10), "1 silence(s)", || d.stderr());
    }
    eprintln!(
        "both alerters applied the silence {:?} after it was added",
        added.elapsed()
    );

    for i in 0..20 {
        push(
            &mut p,
            "core-sw-01",
            "LINK-DOWN Gi0/1",
            &format!("held-{i}"),
        );
    }
    push(&mut p, "core-sw-02", "LINK-DOWN Gi0/1", "other");
    // Unhandled: without the silence, 5 of these would raise a meta-alert (threshold 3).
    for i in 0..5 {
        push(
            &mut p,
            "core-sw-01",
            "mystery chatter",
            &format!("quiet-{i}"),
        );
    }
    p.drained();

    for i in 0..20 {
        assert_eq!(
            audit(&p, &format!("held-{i}")),
            (Some(id), false, rule_id, "Page_and_ticket".into()),
            "held-{i}"
        );
    }
    assert_eq!(
        audit(&p, "other"),
        (None, true, rule_id, "Page_and_ticket".into())
    );
    let mut alerted = alerted_ids(&mut p);
    alerted.sort();
    assert_eq!(
        alerted,
        ["before", "other"],
        "no alert for a silenced event"
    );
    let counters: Vec<String> = p.redis.keys(p.key("unhandled:*")).unwrap();
    assert!(
        counters.is_empty(),
        "silenced unhandled events were counted: {counters:?}"
    );
    assert_eq!(
        sql_i64(
            &p.t,
            "SELECT count(*) FROM event_audit_log WHERE event_id LIKE 'quiet-%'"
        ),
        0
    );
    let series = format!("mutt_alerter_silenced_total{{silence=\"{id}\"}}");
    assert_eq!(metric(&a, &series) + metric(&b, &series), 25.0);
    let minutes: Vec<String> = p.redis.keys(p.key("silenced:*")).unwrap();
    let mut held = 0;
    for k in &minutes {
        held += p
            .redis
            .hget::<_, _, Option<i64>>(k, id)
            .unwrap()
            .unwrap_or(0);
        let ttl: i64 = p.redis.ttl(k).unwrap();
        assert!(ttl > 0 && ttl <= 3900, "{k} ttl {ttl}");
    }
    assert_eq!(held, 25);

    // Expired: nothing is replayed, and the next event alerts again.
    // Each loaded none at start (maybe more than once): wait for one more such load.
    let none_loaded = |d: &Daemon| d.stderr().matches("0 silence(s)").count();
    let loads_before = [none_loaded(&a), none_loaded(&b)];
    cli_json(&p.t, &["silences", "expire", &id.to_string()]);
    for (d, before) in [&a, &b].into_iter().zip(loads_before) {
        common::eventually(Duration::from_secs(10), "a reload after the expiry", || {
            (none_loaded(d) > before).then_some(())
        });
    }
    push(&mut p, "core-sw-01", "LINK-DOWN Gi0/1", "after");
    p.drained();
    assert_eq!(
        audit(&p, "after"),
        (None, true, rule_id, "Page_and_ticket".into())
    );
    let mut alerted = alerted_ids(&mut p);
    alerted.sort();
    assert_eq!(alerted, ["after", "before", "other"]);
}

#[test]
fn a_silence_that_starts_in_the_future_holds_only_from_its_start() {
    let t = migrated();
    rule(&t, "LINK-DOWN");
    let mut p = Alerters::new(t);
    let a = p.start("alerter-f", &ALERTERS);
    // Far enough ahead that the CLI's start-up and the alerter's reload fit before it.
    let starts = chrono::Utc::now() + chrono::Duration::seconds(5);
    let starts_text = starts.to_rfc3339();
    let created = cli_json(
        &p.t,
        &[
            "silences",
            "add",
            "--host",
            "h1",
            "--starts",
            &starts_text,
            "--duration",
            "1h",
            "--comment",
            "later",
        ],
    );
    assert_eq!(created["silence"]["state"], "pending");
    let id = created["silence"]["id"].as_i64().unwrap() as i32;
    // As stored (whole seconds).
    let starts: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(created["silence"]["starts_at"].clone()).unwrap();
    // Probing starts once the alerter holds the pending silence.
    common::wait_for_log(Duration::from_secs(10), "1 silence(s)", || a.stderr());
    // Probe one event at a time: each decided before the start must alert, each after it is
    // held; the alerter's clock and ours are the same machine's.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut before = 0;
    for n in 0.. {
        let pushed_at = chrono::Utc::now();
        let event = format!("probe-{n}");
        push(&mut p, "h1", "LINK-DOWN", &event);
        p.drained();
        let decided_by = chrono::Utc::now();
        match audit(&p, &event).0 {
            Some(s) => {
                assert_eq!(s, id);
                assert!(decided_by >= starts, "{event} held before the start");
                break;
            }
            None => {
                assert!(pushed_at < starts, "{event} not held after the start");
                before += 1;
            }
        }
        assert!(Instant::now() < deadline, "never held");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(before > 0, "the start was not in the future");
}

#[test]
fn rules_test_explains_a_stored_recurring_silence_across_a_dst_change() {
    let t = migrated();
    let rule_id = rule(&t, "LINK-DOWN");
    // Every Sunday 02:00-04:00 in Berlin, until mid-November 2099 (schedules are kept as
    // written and read back from PostgreSQL).
    let created = cli_json(
        &t,
        &[
            "silences",
            "add",
            "--team",
            "netops",
            "--every",
            "sun 02:00-04:00",
            "--time-zone",
            "Europe/Berlin",
            "--starts",
            "2026-01-01T00:00:00Z",
            "--ends",
            "2099-11-15T00:00:00Z",
            "--comment",
            "weekly window",
        ],
    );
    let id = created["silence"]["id"].as_i64().unwrap();
    let test_at = |at: &str| -> Value {
        let out = cli_json(
            &t,
            &[
                "rules",
                "test",
                "--hostname",
                "sw1",
                "--message",
                "LINK-DOWN Gi0/1",
                "--at",
                at,
            ],
        );
        out["results"][0]["explanation"].clone()
    };
    // 2027-03-28: clocks spring forward in Berlin at 02:00 → 03:00 CEST, so the window is
    // 01:00-02:00 UTC that night.
    for (at, held) in [
        ("2027-03-28T00:59:00Z", false),
        ("2027-03-28T01:00:00Z", true),
        ("2027-03-28T01:59:00Z", true),
        ("2027-03-28T02:00:00Z", false),
        // A week later, summer time: 02:00-04:00 CEST is 00:00-02:00 UTC.
        ("2027-04-04T00:30:00Z", true),
        ("2027-04-04T02:30:00Z", false),
        // 2027-10-31, clocks fall back at 03:00 CEST → 02:00 CET: three hours, 00:00-03:00 UTC.
        ("2027-10-31T00:00:00Z", true),
        ("2027-10-31T02:59:00Z", true),
        ("2027-10-31T03:00:00Z", false),
        // A Monday.
        ("2027-11-01T01:30:00Z", false),
    ] {
        let x = test_at(at);
        assert_eq!(x["decision"]["rule_id"], rule_id, "{at}: {x}");
        assert_eq!(
            x["silenced_by"]["id"].as_i64() == Some(id),
            held,
            "{at}: {x}"
        );
    }
    // A window across midnight belongs to the day it starts: Saturday 23:00 to Sunday 01:00
    // Berlin (CET, UTC+1 on 2027-03-06/07).
    let night = cli_json(
        &t,
        &[
            "silences",
            "add",
            "--host",
            "night-sw",
            "--every",
            "sat 23:00-01:00",
            "--time-zone",
            "Europe/Berlin",
            "--starts",
            "2026-01-01T00:00:00Z",
            "--ends",
            "2099-11-15T00:00:00Z",
            "--comment",
            "night window",
        ],
    );
    let night_id = night["silence"]["id"].as_i64();
    for (at, held) in [
        ("2027-03-06T21:59:00Z", false),
        ("2027-03-06T22:00:00Z", true),
        ("2027-03-06T23:59:00Z", true),
        ("2027-03-07T00:00:00Z", false),
        // Sunday 23:30 is not Saturday night.
        ("2027-03-07T22:30:00Z", false),
    ] {
        let out = cli_json(
            &t,
            &[
                "rules",
                "test",
                "--hostname",
                "night-sw",
                "--message",
                "other",
                "--at",
                at,
            ],
        );
        let x = &out["results"][0]["explanation"];
        assert_eq!(x["decision"]["outcome"], "unhandled", "{at}: {x}");
        assert_eq!(
            x["silenced_by"]["id"].as_i64() == night_id,
            held,
            "{at}: {x}"
        );
    }
    // The table form says what the silence does.
    let out = t.mutt(
        &[
            "rules",
            "test",
            "--hostname",
            "sw1",
            "--message",
            "LINK-DOWN",
            "--at",
            "2027-03-28T01:30:00Z",
        ],
        &[],
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!(
            "held back by silence {id} until 2099-11-15T00:00:00Z (weekly window): audited with silenced_by, no alert"
        )),
        "{text}"
    );
}
