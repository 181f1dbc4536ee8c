//! `mutt dlq list|stats|replay|purge` black-box: the real binary against a real Redis.

mod common;
use common::TestEnv;
use mutt::ops::dlq;
use mutt::store::redis::keys::{Dlq, Keys};
use redis::Commands;
use serde_json::{json, Value};

struct Setup {
    t: TestEnv,
    redis: redis::Connection,
}

fn setup() -> Setup {
    Setup {
        t: TestEnv::new(),
        redis: common::redis(),
    }
}

fn ago(minutes: i64) -> String {
    (chrono::Utc::now() - chrono::Duration::minutes(minutes))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn event(id: &str, host: &str, reason: &str, minutes_ago: i64) -> String {
    json!({"hostname": host, "message": format!("msg {id}"), "timestamp": "t", "_event_id": id,
           "_dlq": {"reason": reason, "attempts": 5, "failed_at": ago(minutes_ago), "pod": "p"}})
    .to_string()
}

impl Setup {
    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.t.prefix)
    }

    /// Push texts in arrival order (the first is the oldest).
    fn push(&mut self, list: &str, items: &[String]) {
        let k = self.key(list);
        for i in items {
            let _: () = self.redis.lpush(&k, i).unwrap();
        }
    }

    /// Raw texts in arrival order.
    fn raw(&mut self, list: &str) -> Vec<String> {
        let mut v: Vec<String> = self.redis.lrange(self.key(list), 0, -1).unwrap();
        v.reverse();
        v
    }

    fn mutt(&self, args: &[&str]) -> std::process::Output {
        self.t.mutt(args, &[])
    }

    /// Four alerter dead letters: a (h1, pg, 3 d), b (h2, json, 2 h), c (h1, pg, 30 m), d (h2, pg, 1 m).
    fn seed_alerter(&mut self) -> Vec<String> {
        let items = vec![
            event("a", "h1", "PostgreSQL unavailable", 3 * 24 * 60),
            event("b", "h2", "invalid JSON", 120),
            event("c", "H1", "PostgreSQL unavailable", 30),
            event("d", "h2", "PostgreSQL unavailable", 1),
        ];
        self.push("dlq:alerter", &items);
        items
    }
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|v| v["_event_id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn replay_with_a_filter_moves_exactly_the_selected_entries() {
    let mut s = setup();
    let items = s.seed_alerter();
    s.push("ingest_queue", &["{\"_event_id\":\"waiting\"}".to_string()]);
    let out = s.mutt(&[
        "dlq", "replay", "alerter", "--reason", "postgres", "--host", "h1",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    // The untouched entries keep their exact text and order.
    assert_eq!(
        s.raw("dlq:alerter"),
        vec![items[1].clone(), items[3].clone()]
    );
    let key = s.key("ingest_queue");
    let queue = common::json_list(&mut s.redis, &key);
    assert_eq!(ids(&queue), ["waiting", "a", "c"]);
    for replayed in &queue[1..] {
        assert!(replayed.get("_dlq").is_none(), "{replayed}");
        assert_eq!(replayed["_replay_count"], 1);
        assert_eq!(replayed["timestamp"], "t");
    }
    assert!(s.raw("alert_queue").is_empty());
}

#[test]
fn moog_entries_go_back_to_the_alert_queue_by_age_and_limit() {
    let mut s = setup();
    let alerts: Vec<String> = [("m1", 300), ("m2", 200), ("m3", 100), ("m4", 2)]
        .iter()
        .map(|(id, age)| {
            json!({"hostname": "r", "message_body": "b", "_event_id": id, "_moog_retry_count": 6,
                   "_dlq": {"reason": "HTTP 500", "failed_at": ago(*age)}})
            .to_string()
        })
        .collect();
    s.push("dlq:moog", &alerts);
    let out = s.mutt(&[
        "dlq",
        "replay",
        "moog",
        "--older-than",
        "1h",
        "--limit",
        "2",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let report: Value = serde_json::from_str(&common::stdout(&out)).unwrap();
    assert_eq!(report["selected"], 2);
    assert_eq!(report["done"], 2);
    assert_eq!(report["target"], s.key("alert_queue"));
    assert_eq!(
        s.raw("dlq:moog"),
        vec![alerts[2].clone(), alerts[3].clone()]
    );
    let key = s.key("alert_queue");
    let queue = common::json_list(&mut s.redis, &key);
    assert_eq!(ids(&queue), ["m1", "m2"]);
    assert_eq!(queue[0]["_moog_retry_count"], 0);
    assert!(s.raw("ingest_queue").is_empty());
}

#[test]
fn the_dead_list_replays_only_with_an_explicit_target() {
    let mut s = setup();
    let dead = json!({"hostname": "h", "message": "m", "_event_id": "x", "_replay_count": 3,
                      "_dead": {"reason": "replayed 3 time(s) without success", "at": ago(10)}})
    .to_string();
    s.push("dlq:dead", std::slice::from_ref(&dead));
    let out = s.mutt(&["dlq", "replay", "dead"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("--to"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(s.raw("dlq:dead"), vec![dead.clone()]);
    let out = s.mutt(&["dlq", "replay", "alerter", "--to", "moog"]);
    assert_eq!(out.status.code(), Some(2));
    let out = s.mutt(&["dlq", "replay", "dead", "--to", "alerter"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(s.raw("dlq:dead").is_empty());
    let key = s.key("ingest_queue");
    let queue = common::json_list(&mut s.redis, &key);
    assert_eq!(
        queue,
        [json!({"hostname": "h", "message": "m", "_event_id": "x", "_replay_count": 1})]
    );
}

#[test]
fn dry_runs_change_nothing() {
    let mut s = setup();
    let items = s.seed_alerter();
    for args in [
        vec!["dlq", "replay", "alerter", "--dry-run", "-o", "json"],
        vec!["dlq", "purge", "alerter", "--dry-run", "-o", "json"],
    ] {
        let out = s.mutt(&args);
        assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
        let report: Value = serde_json::from_str(&common::stdout(&out)).unwrap();
        assert_eq!(report["dry_run"], true);
        assert_eq!(report["done"], 4);
        assert_eq!(s.raw("dlq:alerter"), items);
        assert!(s.raw("ingest_queue").is_empty());
    }
}

#[test]
fn purge_removes_exactly_the_selected_and_refuses_without_yes_off_a_terminal() {
    let mut s = setup();
    let items = s.seed_alerter();
    // Test processes have no terminal on stdin: without --yes nothing happens.
    let out = s.mutt(&["dlq", "purge", "alerter", "--newer-than", "1h"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains("--yes"),
        "{}",
        common::stderr(&out)
    );
    assert_eq!(s.raw("dlq:alerter"), items);
    let out = s.mutt(&["dlq", "purge", "alerter", "--newer-than", "1h", "--yes"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert_eq!(
        s.raw("dlq:alerter"),
        vec![items[0].clone(), items[1].clone()]
    );
    let out = s.mutt(&["dlq", "purge", "alerter", "--reason", "JSON", "-y"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(s.raw("dlq:alerter"), vec![items[0].clone()]);
}

#[test]
fn list_and_stats_report_what_is_there() {
    let mut s = setup();
    s.seed_alerter();
    s.push("dlq:moog", &["not json".to_string()]);
    let out = s.mutt(&["dlq", "list", "alerter", "--host", "h2", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let listed: Value = serde_json::from_str(&common::stdout(&out)).unwrap();
    // Oldest first; index is the Redis list position (0 = newest).
    assert_eq!(listed[0]["index"], 2);
    assert_eq!(listed[0]["entry"]["_event_id"], "b");
    assert_eq!(listed[1]["index"], 0);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let out = s.mutt(&["dlq", "list", "alerter"]);
    let table = common::stdout(&out);
    assert!(
        table.contains("invalid JSON") && table.contains("msg a"),
        "{table}"
    );
    let out = s.mutt(&["dlq", "stats", "-o", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let stats: Value = serde_json::from_str(&common::stdout(&out)).unwrap();
    assert_eq!(stats[0]["dlq"], "alerter");
    assert_eq!(stats[0]["count"], 4);
    assert_eq!(stats[0]["reasons"]["PostgreSQL unavailable"], 3);
    assert_eq!(stats[0]["reasons"]["invalid JSON"], 1);
    let oldest = stats[0]["oldest_age_s"].as_u64().unwrap();
    assert!((3 * 86_400..3 * 86_400 + 120).contains(&oldest), "{oldest}");
    assert_eq!(stats[1]["count"], 1);
    assert_eq!(stats[1]["undated"], 1);
    assert_eq!(stats[2]["count"], 0);
}

#[test]
fn entries_taken_meanwhile_are_reported_as_vanished_not_duplicated() {
    let mut s = setup();
    let items = s.seed_alerter();
    let keys = Keys::with_prefix(&s.t.prefix);
    let now = chrono::Utc::now();
    let chosen = dlq::select(
        dlq::read(&mut s.redis, &keys, Dlq::Alerter).unwrap(),
        &dlq::Filter::default(),
        now,
    );
    // Someone (remediation, another operator) takes entry b after we read the list.
    let _: i64 = s.redis.lrem(s.key("dlq:alerter"), 1, &items[1]).unwrap();
    let heard = std::cell::Cell::new(0u64);
    let out = dlq::replay(
        &mut s.redis,
        &keys,
        Dlq::Alerter,
        dlq::Target::Alerter,
        &chosen,
        false,
        now,
        &|n| heard.set(heard.get() + n),
    )
    .unwrap();
    assert_eq!((out.selected, out.done, out.vanished), (4, 3, 1));
    assert_eq!(heard.get(), 4, "progress hears every chosen entry once");
    let key = s.key("ingest_queue");
    assert_eq!(ids(&common::json_list(&mut s.redis, &key)), ["a", "c", "d"]);
    assert!(s.raw("dlq:alerter").is_empty());
    // Purging what is already gone reports it the same way.
    let out = dlq::purge(
        &mut s.redis,
        &keys,
        Dlq::Alerter,
        &chosen[..1],
        false,
        &|_| {},
    )
    .unwrap();
    assert_eq!((out.done, out.vanished), (0, 1));
}

/// Run `mutt <args>` on a pseudo-terminal (util-linux `script`), typing `answer`.
fn on_a_terminal(t: &TestEnv, args: &str, answer: &str) -> Option<std::process::Output> {
    use std::io::Write;
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let mut child = std::process::Command::new(script)
        .args([
            "-qec",
            &format!("{} {args}", env!("CARGO_BIN_EXE_mutt")),
            "/dev/null",
        ])
        .env_clear()
        .envs(t.env())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answer.as_bytes())
        .unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn purge_on_a_terminal_asks_and_honours_the_answer() {
    let mut s = setup();
    let items = s.seed_alerter();
    // `script` is in bsdutils, an essential Debian package: its absence is a broken machine.
    let out = on_a_terminal(&s.t, "dlq purge alerter --reason json", "n\n")
        .expect("util-linux `script` (bsdutils) runs mutt on a pseudo-terminal");
    let text = common::stdout(&out);
    assert!(text.contains("for good? [y/N]"), "{text}");
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert_eq!(s.raw("dlq:alerter"), items);
    let out = on_a_terminal(&s.t, "dlq purge alerter --reason json", "y\n").unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", common::stdout(&out));
    assert_eq!(
        s.raw("dlq:alerter"),
        vec![items[0].clone(), items[2].clone(), items[3].clone()]
    );
}

#[test]
fn replay_draws_a_bar_on_a_terminal_and_nothing_with_json() {
    let mut s = setup();
    let key = s.key("dlq:alerter");
    let entries: Vec<String> = (0..500)
        .map(|i| event(&format!("e{i}"), "r1", "PostgreSQL down", 10))
        .collect();
    let _: i64 = s.redis.lpush(&key, &entries).unwrap();

    let done = common::pty::Terminal::spawn(
        &["dlq", "replay", "alerter", "--limit", "250"],
        &s.t.env(),
        false,
    )
    .finish();
    done.assert_bar_drawn(&["dlq replay"]);

    let done = common::pty::Terminal::spawn(
        &["-o", "json", "dlq", "replay", "alerter"],
        &s.t.env(),
        false,
    )
    .finish();
    done.assert_no_bar(&["dlq replay"]);
    let out: Value = serde_json::from_str(&done.stdout).expect("stdout is JSON");
    assert_eq!(out["done"], 250);
    assert!(s.raw("dlq:alerter").is_empty());
}
