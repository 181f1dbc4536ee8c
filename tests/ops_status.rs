//! `mutt status` black-box: the real binary against real Redis, PostgreSQL and daemons.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use redis::Commands;
use serde_json::Value;
use std::time::Duration;

fn setup() -> TestEnv {
    let t = TestEnv::new();
    let out = t.mutt(&["migrate"], &[]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    t
}

fn alerter(t: &TestEnv, pod: &str) -> Daemon {
    let overrides: Vec<(&str, String)> = vec![
        ("POD_NAME", pod.into()),
        ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
        ("BRPOPLPUSH_TIMEOUT", "0.2".into()),
        ("ALERTER_HEARTBEAT_INTERVAL", "0.3".into()),
        ("ALERTER_JANITOR_TIMEOUT", "2".into()),
        ("ALERTER_JANITOR_INTERVAL", "0.5".into()),
    ];
    Daemon::start(&["alert", "run"], &t.env_with(&overrides))
}

/// `mutt status -o json` with `extra` environment: (exit code, report).
fn status(t: &TestEnv, extra: &[(&str, &str)]) -> (i32, Value) {
    let out = t.mutt(&["status", "-o", "json"], extra);
    let report = serde_json::from_str(&common::stdout(&out)).unwrap_or_else(|e| {
        panic!(
            "status printed no JSON ({e}): {} / {}",
            common::stdout(&out),
            common::stderr(&out)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

fn instance<'r>(report: &'r Value, service: &str, pod: &str) -> Option<&'r Value> {
    report["instances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["service"] == service && i["pod"] == pod)
}

fn has_problem(report: &Value, text: &str) -> bool {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p.as_str().unwrap_or("").contains(text))
}

#[test]
fn a_running_alerter_is_up_and_after_a_crash_it_is_down() {
    let t = setup();
    let mut d = alerter(&t, "st-a1");
    let probe = format!("http://{}/health/live", d.addr);
    let extra = [("STATUS_WEBUI_URL", probe.as_str())];
    let (code, r) = status(&t, &extra);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["healthy"], true);
    assert_eq!(r["redis"]["up"], true);
    assert_eq!(r["postgres"]["up"], true);
    let a = instance(&r, "alerter", "st-a1").expect("alerter listed");
    assert_eq!(a["up"], true);
    // A sane age of a live beat (not an epoch or a negative skew); the slack absorbs a busy
    // machine delaying the heartbeat thread, which "up" already tolerates.
    let age = a["heartbeat_age_s"].as_f64().unwrap();
    assert!((0.0..5.0).contains(&age), "{a}");
    assert_eq!(a["ttl_s"], 2);
    assert_eq!(r["endpoints"][0]["service"], "webui");
    assert_eq!(r["endpoints"][0]["up"], true);
    assert_eq!(r["queues"]["ingest"], 0);
    assert_eq!(r["dlq"]["alerter"], 0);
    assert_eq!(r["breaker"], "CLOSED");
    assert_eq!(r["rules"]["total"], 0);
    assert_eq!(r["partitions"]["months"][0]["exists"], true);
    assert_eq!(r["partitions"]["default_rows"], 0);

    // SAFETY: killing our own child.
    unsafe { libc::kill(d.pid() as i32, libc::SIGKILL) };
    d.terminate_after_kill();
    let mut last = Value::Null;
    common::wait_until(
        &mut last,
        Duration::from_secs(10),
        "status to see the killed alerter down",
        |last| {
            let (code, r) = status(&t, &[]);
            let down =
                code == 1 && instance(&r, "alerter", "st-a1").is_some_and(|a| a["up"] == false);
            *last = r;
            down
        },
    );
    assert_eq!(last["healthy"], false);
    assert!(has_problem(&last, "alerter st-a1 is down"), "{last:#}");
    let out = t.mutt(&["status"], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = common::stdout(&out);
    assert!(
        text.contains("UNHEALTHY") && text.contains("st-a1"),
        "{text}"
    );
}

#[test]
fn a_clean_stop_is_not_an_outage_and_remediation_is_seen() {
    let t = setup();
    let mut d = alerter(&t, "st-b1");
    let overrides: Vec<(&str, String)> = vec![
        ("POD_NAME", "st-rem".into()),
        ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
        ("REMEDIATION_INTERVAL", "1".into()),
    ];
    let _rem = Daemon::start(&["remediate", "run"], &t.env_with(&overrides));
    let (_, r) = status(&t, &[]);
    assert_eq!(instance(&r, "alerter", "st-b1").unwrap()["up"], true);
    let mut r = Value::Null;
    common::wait_until(&mut r, Duration::from_secs(10), "remediation listed", |r| {
        *r = status(&t, &[]).1;
        instance(r, "remediation", "st-rem").is_some()
    });
    let rem = instance(&r, "remediation", "st-rem").unwrap();
    assert_eq!(rem["up"], true, "{rem}");
    // Lease: twice the interval plus 10 s.
    assert_eq!(rem["ttl_s"], 12);
    assert!(d.terminate().success());
    let (code, r) = status(&t, &[]);
    assert!(instance(&r, "alerter", "st-b1").is_none(), "{r:#}");
    assert_eq!(code, 0, "{r:#}");
    // Nothing runs the alerter now: worth a warning, not a failure.
    assert!(
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w == "no alerter instance is running"),
        "{r:#}"
    );
}

#[test]
fn unreachable_stores_are_reported_and_the_rest_still_shown() {
    let t = setup();
    let dead_port = common::nobody_listens().port().to_string();
    let (code, r) = status(&t, &[("REDIS_PORT", &dead_port)]);
    assert_eq!(code, 1);
    assert_eq!(r["redis"]["up"], false);
    assert!(
        r["redis"]["error"].as_str().unwrap().contains("Redis"),
        "{r:#}"
    );
    assert_eq!(r["postgres"]["up"], true);
    assert_eq!(r["rules"]["total"], 0);
    assert!(r["queues"].is_null());
    assert!(has_problem(&r, "Redis unreachable"), "{r:#}");

    let (code, r) = status(&t, &[("DB_PORT", &dead_port)]);
    assert_eq!(code, 1);
    assert_eq!(r["postgres"]["up"], false);
    assert_eq!(r["redis"]["up"], true);
    assert_eq!(r["queues"]["alert"], 0);
    assert!(r["rules"].is_null());
    assert!(has_problem(&r, "PostgreSQL unreachable"), "{r:#}");
}

#[test]
fn open_breaker_full_dlq_and_a_dead_endpoint_are_problems() {
    let t = setup();
    let mut redis = common::redis();
    let p = &t.prefix;
    let _: () = redis
        .set(format!("{p}:circuit_breaker:moogsoft:state"), "OPEN")
        .unwrap();
    let _: () = redis
        .lpush(format!("{p}:dlq:moog"), "{\"hostname\":\"h\"}")
        .unwrap();
    let _: () = redis
        .lpush(format!("{p}:processing:alerter:ghost"), "x")
        .unwrap();
    // A v2.5 alerter keeps only its heartbeat key: still listed, as up.
    let _: () = redis
        .set_ex(format!("{p}:heartbeat:alerter:legacy-pod"), "alive", 30)
        .unwrap();
    let nobody = format!("http://{}/health", common::nobody_listens().addr());
    let (code, r) = status(
        &t,
        &[
            ("STATUS_DLQ_THRESHOLD", "0"),
            ("STATUS_INGEST_URL", nobody.as_str()),
        ],
    );
    assert_eq!(code, 1, "{r:#}");
    assert!(has_problem(&r, "circuit breaker is open"), "{r:#}");
    assert!(has_problem(&r, "DLQ moog holds 1 entries"), "{r:#}");
    assert!(has_problem(&r, "ingest is down"), "{r:#}");
    assert_eq!(r["endpoints"][0]["up"], false);
    assert_eq!(r["processing"][0]["pod"], "ghost");
    assert_eq!(r["processing"][0]["depth"], 1);
    assert_eq!(r["dlq"]["moog"], 1);
    let legacy = instance(&r, "alerter", "legacy-pod").expect("v2.5 pod listed");
    assert_eq!(legacy["up"], true);
    assert!(
        legacy["heartbeat_age_s"].as_f64().unwrap() < 2.0,
        "{legacy}"
    );
}

#[test]
fn a_syslog_receiver_is_probed_on_its_health_port_and_shown_down_once_stopped() {
    let t = setup();
    let overrides: Vec<(&str, String)> = vec![
        ("POD_NAME", "st-syslog".into()),
        ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
    ];
    let mut d = Daemon::start(
        &["syslog", "serve", "--tcp", "127.0.0.1:0"],
        &t.env_with(&overrides),
    );
    let url = format!("http://{}/health/ready", d.listener("HEALTH_PORT_SYSLOG"));
    let extra = [("STATUS_SYSLOG_URL", url.as_str())];
    let syslog = |r: &Value| {
        r["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["service"] == "syslog")
            .cloned()
    };
    let (code, r) = status(&t, &extra);
    assert_eq!(code, 0, "{r:#}");
    let e = syslog(&r).expect("the receiver listed");
    assert_eq!(e["up"], true, "{e}");
    assert_eq!(e["url"], url.as_str(), "{e}");
    assert_eq!(e["http_status"], 200, "{e}");
    let text = common::stdout(&t.mutt(&["status"], &extra));
    assert!(
        text.lines()
            .any(|l| l.starts_with("syslog") && l.contains(" up ") && l.contains(&url)),
        "{text}"
    );

    // Stopped: listed as down with the reason, a problem, exit 1; not silently missing.
    assert!(d.terminate().success());
    let (code, r) = status(&t, &extra);
    assert_eq!(code, 1, "{r:#}");
    let e = syslog(&r).expect("the stopped receiver still listed");
    assert_eq!(e["up"], false, "{e}");
    assert!(e["http_status"].is_null(), "{e}");
    assert!(!e["error"].as_str().unwrap_or("").is_empty(), "{e}");
    assert!(has_problem(&r, &format!("syslog is down: {url}")), "{r:#}");
    let out = t.mutt(&["status"], &extra);
    assert_eq!(out.status.code(), Some(1));
    let text = common::stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("syslog") && l.contains("DOWN") && l.contains(&url)),
        "{text}"
    );
}

#[test]
fn watch_redraws_until_interrupted() {
    let t = setup();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mutt"));
    cmd.args(["status", "--watch", "0.2"])
        .env_clear()
        .envs(t.env())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    // Interrupt it once two frames are drawn (read as they come).
    let (tx, rx) = std::sync::mpsc::channel::<Vec<u8>>();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = std::io::Read::read(&mut stdout, &mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while String::from_utf8_lossy(&seen).matches("\x1b[2J").count() < 2 {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!("fewer than two frames: {}", String::from_utf8_lossy(&seen)),
        }
    }
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    reader.join().unwrap();
    seen.extend(rx.try_iter().flatten());
    let text = String::from_utf8_lossy(&seen).into_owned();
    assert!(text.matches("\x1b[2J").count() >= 2, "{text}");
    assert!(text.contains("mutt status at"), "{text}");
    // The last frame's verdict: healthy apart from warnings.
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
}

#[test]
fn an_alerter_reports_its_rule_count_and_cache_age_and_follows_rule_changes() {
    let t = setup();
    let mut admin = t.admin();
    // One inactive rule, so `rules` must follow the active count, not the total.
    for active in [true, true, false] {
        admin
            .execute(
                "INSERT INTO alert_rules (match_string, prod_handling, dev_handling, team_assignment,
                                          is_active)
                 VALUES ('x', 'p', 'd', 't', $1)",
                &[&active],
            )
            .unwrap();
    }
    let _d = alerter(&t, "st-c1");
    let rules_of = |r: &Value| instance(r, "alerter", "st-c1").map(|a| a["rules"].clone());
    let mut r = Value::Null;
    common::wait_until(
        &mut r,
        Duration::from_secs(10),
        "the alerter's rules",
        |r| {
            *r = status(&t, &[]).1;
            rules_of(r) == Some(Value::from(2))
        },
    );
    assert_eq!(r["rules"]["active"], 2);
    let a = instance(&r, "alerter", "st-c1").unwrap();
    assert_eq!(a["rules_skipped"], 0, "{a}");
    assert_eq!(a["rules_reload_s"], 300, "{a}");
    let age = a["rules_age_s"].as_f64().unwrap();
    assert!((0.0..10.0).contains(&age), "{a}");
    let rule_warnings = |r: &Value| {
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w.as_str().unwrap_or("").contains("rule"))
            .count()
    };
    assert_eq!(rule_warnings(&r), 0, "a fresh cache that agrees: {r:#}");
    let text = common::stdout(&t.mutt(&["status"], &[]));
    assert!(
        text.contains("RULES") && text.contains("CACHE AGE"),
        "{text}"
    );

    // `rules add` announces the change: the alerter reloads and its next beat says so.
    let out = t.mutt(
        &[
            "rules",
            "add",
            "--match-string",
            "y",
            "--prod-handling",
            "p",
            "--dev-handling",
            "d",
            "--team",
            "t",
        ],
        &[("USER", "opsuser")],
    );
    assert!(out.status.success(), "{}", common::stderr(&out));
    common::wait_until(&mut r, Duration::from_secs(10), "the new rule count", |r| {
        *r = status(&t, &[]).1;
        rules_of(r) == Some(Value::from(3))
    });
    assert_eq!(r["rules"]["active"], 3);
    let a = instance(&r, "alerter", "st-c1").unwrap();
    assert!(a["rules_age_s"].as_f64().unwrap() < age + 10.0, "{a}");
    assert!(
        r["rules"]["last_change_age_s"].as_f64().unwrap() < 10.0,
        "{r:#}"
    );
    assert_eq!(r["healthy"], true, "{r:#}");
    assert_eq!(rule_warnings(&r), 0, "{r:#}");
}
