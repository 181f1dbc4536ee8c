//! `mutt forward run` black-box: the real binary, a real Redis, and `mutt mock-moog` as Moog.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use redis::Commands;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const MOOG_KEY: &str = "moog-test-secret";

struct Setup {
    t: TestEnv,
    redis: redis::Connection,
    mock: Daemon,
}

fn setup(mock_args: &[&str]) -> Setup {
    let t = TestEnv::new();
    let mut args = vec!["mock-moog"];
    args.extend_from_slice(mock_args);
    let mock = Daemon::start(&args, &t.env());
    let redis = common::redis();
    Setup { t, redis, mock }
}

impl Setup {
    fn forwarder(&self, pod: &str, extra: &[(&str, &str)]) -> Daemon {
        let mut overrides: Vec<(&str, String)> = vec![
            ("POD_NAME", pod.into()),
            ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
            (
                "MOOG_WEBHOOK_URL",
                format!("http://{}/events", self.mock.addr),
            ),
            ("MOOG_API_KEY", MOOG_KEY.into()),
            ("MOOG_WEBHOOK_TIMEOUT", "1".into()),
            ("MOOG_RATE_LIMIT", "100000".into()),
            ("MOOG_RETRY_BASE_DELAY", "0.05".into()),
            ("MOOG_RETRY_MAX_DELAY", "0.2".into()),
            ("MOOG_HEARTBEAT_INTERVAL", "0.3".into()),
            ("MOOG_JANITOR_TIMEOUT", "2".into()),
            ("MOOG_JANITOR_INTERVAL", "0.5".into()),
            ("DYNAMIC_CONFIG_REFRESH_SECONDS", "0.5".into()),
        ];
        overrides.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
        Daemon::start(&["forward", "run"], &self.t.env_with(&overrides))
    }

    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.t.prefix)
    }

    fn push_alerts(&mut self, n: usize, tag: &str) {
        let q = self.key("alert_queue");
        for i in 0..n {
            let alert = json!({
                "hostname": format!("sw{i}"), "team_assignment": "NetOps", "severity": "Major",
                "message_body": format!("LINK-DOWN {tag}-{i}"), "raw_json": {"hostname": format!("sw{i}"), "n": i},
                "_correlation_id": format!("c-{tag}-{i}"), "_event_id": format!("{tag}-{i}"),
                "rule_id": 7, "handling": "Page_and_ticket", "environment": "prod",
                "event_timestamp": "2026-11-22T04:00:00.000Z"
            });
            let _: () = self.redis.lpush(&q, alert.to_string()).unwrap();
        }
    }

    fn received(&self) -> Vec<Value> {
        let r = self.mock.req("GET", "/requests", &[], "");
        assert_eq!(r.status, 200);
        serde_json::from_slice(&r.body).unwrap()
    }

    fn control(&self, body: Value) {
        let r = self.mock.req(
            "POST",
            "/control",
            &[("Content-Type", "application/json")],
            &body.to_string(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
    }

    fn list(&mut self, rest: &str) -> Vec<Value> {
        let key = self.key(rest);
        common::json_list(&mut self.redis, &key)
    }

    fn wait_until(&mut self, within: Duration, what: &str, done: impl FnMut(&mut Setup) -> bool) {
        common::wait_until(self, within, what, done)
    }

    /// The forwarder's counter `name` (a line `name value` on its /metrics).
    fn metric(d: &Daemon, name: &str) -> u64 {
        let prefix = format!("{name} ");
        d.req("GET", "/metrics", &[], "")
            .text()
            .lines()
            .find_map(|l| l.strip_prefix(&prefix).and_then(|v| v.trim().parse().ok()))
            .unwrap_or(0)
    }

    /// Nothing left to send: the alert queue, this pod's processing list and the retry set are
    /// empty.
    fn settled(&mut self, pod: &str) -> bool {
        let (queue, processing, retries) = (
            self.key("alert_queue"),
            self.key(&format!("processing:moog:{pod}")),
            self.key("retry:moog"),
        );
        self.redis.llen::<_, i64>(queue).unwrap() == 0
            && self.redis.llen::<_, i64>(processing).unwrap() == 0
            && self.redis.zcard::<_, i64>(retries).unwrap() == 0
    }

    fn delivered_ids(&self) -> Vec<String> {
        self.received()
            .iter()
            .filter(|r| r["status"] == 200)
            .map(|r| r["body"]["custom_info"]["n"].to_string())
            .collect()
    }
}

fn header<'a>(req: &'a Value, name: &str) -> Option<&'a str> {
    let headers = &req["headers"];
    if let Some(obj) = headers.as_object() {
        return obj
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str());
    }
    headers.as_array()?.iter().find_map(|pair| {
        let k = pair.get(0)?.as_str()?;
        k.eq_ignore_ascii_case(name)
            .then(|| pair.get(1)?.as_str())
            .flatten()
    })
}

#[test]
fn the_payload_is_exact_and_carries_the_bearer_key() {
    let mut s = setup(&[]);
    let _f = s.forwarder("fwd-a", &[]);
    s.push_alerts(1, "p");
    s.wait_until(Duration::from_secs(10), "delivery", |s| {
        s.received().len() == 1
    });
    let req = &s.received()[0];
    assert_eq!(
        header(req, "authorization"),
        Some(format!("Bearer {MOOG_KEY}").as_str())
    );
    assert_eq!(
        req["body"],
        json!({
            "signature": "sw0", "source_id": "sw0", "external_id": "c-p-0", "manager": "MUTT",
            "source": "MUTT Alerter", "agent": format!("MUTT {}", env!("CARGO_PKG_VERSION")),
            "agent_location": "Alerter Service", "type": "Alert", "class": "NetOps", "severity": 4,
            "description": "LINK-DOWN p-0", "agent_time": 1_795_320_000,
            "custom_info": {"hostname": "sw0", "n": 0}
        })
    );
    s.wait_until(Duration::from_secs(5), "ack", |s| {
        s.redis
            .llen::<_, i64>(s.key("processing:moog:fwd-a"))
            .unwrap()
            == 0
    });
    assert!(s.list("alert_queue").is_empty());
    assert!(s.list("dlq:moog").is_empty());
}

#[test]
fn a_500_is_retried_once_and_delivered_once() {
    let mut s = setup(&["--statuses", "500,200"]);
    let _f = s.forwarder("fwd-b", &[]);
    s.push_alerts(1, "r");
    s.wait_until(Duration::from_secs(10), "the retry", |s| {
        s.received().len() == 2
    });
    s.wait_until(Duration::from_secs(10), "the acknowledgement", |s| {
        s.settled("fwd-b")
    });
    // Deliberately idle past the longest retry delay (0.2 s): no further attempt follows.
    std::thread::sleep(Duration::from_millis(300));
    let got: Vec<i64> = s
        .received()
        .iter()
        .map(|r| r["status"].as_i64().unwrap())
        .collect();
    assert_eq!(got, [500, 200], "one failure, one delivery, nothing more");
    assert!(s.list("dlq:moog").is_empty());
    let retries: i64 = s.redis.zcard(s.key("retry:moog")).unwrap();
    assert_eq!(retries, 0);
}

#[test]
fn a_400_goes_to_the_dlq_with_a_reason_and_leaves_the_breaker_alone() {
    let mut s = setup(&["--statuses", "400"]);
    let _f = s.forwarder("fwd-c", &[]);
    s.push_alerts(1, "bad");
    s.wait_until(Duration::from_secs(10), "the DLQ entry", |s| {
        s.list("dlq:moog").len() == 1
    });
    let dlq = s.list("dlq:moog");
    assert_eq!(dlq[0]["_event_id"], "bad-0");
    assert_eq!(dlq[0]["_dlq"]["reason"], "rejected by Moog");
    assert_eq!(dlq[0]["_dlq"]["last_status"], 400);
    assert_eq!(dlq[0]["_dlq"]["pod"], "fwd-c");
    assert_eq!(s.received().len(), 1, "not retried");
    let failures: Option<i64> = s
        .redis
        .get(s.key("circuit_breaker:moogsoft:failures"))
        .unwrap();
    assert_eq!(failures.unwrap_or(0), 0);
}

#[test]
fn a_429_with_retry_after_is_not_retried_sooner() {
    let mut s = setup(&["--statuses", "429,200", "--retry-after", "2"]);
    let _f = s.forwarder("fwd-d", &[]);
    s.push_alerts(1, "slow");
    s.wait_until(Duration::from_secs(10), "the retry", |s| {
        s.received().len() == 2
    });
    let reqs = s.received();
    let at = |r: &Value| {
        chrono::DateTime::parse_from_rfc3339(r["received_at"].as_str().unwrap()).unwrap()
    };
    let gap = at(&reqs[1]) - at(&reqs[0]);
    assert!(
        gap >= chrono::Duration::milliseconds(2000),
        "retried after {gap}"
    );
    assert_eq!(reqs[1]["status"], 200);
}

#[test]
fn a_hung_request_times_out_and_is_retried() {
    let mut s = setup(&["--hang", "--hang-seconds", "3"]);
    let f = s.forwarder("fwd-e", &[]);
    s.push_alerts(1, "hang");
    s.wait_until(Duration::from_secs(10), "the first attempt", |s| {
        !s.received().is_empty()
    });
    // The forwarder's 1 s timeout fires on the hung request (a retry is scheduled) before
    // Moog recovers.
    common::wait_for(Duration::from_secs(10), "a retry after the timeout", || {
        Setup::metric(&f, "mutt_moog_retries_scheduled_total") >= 1
    });
    s.control(json!({"hang_seconds": 0}));
    s.wait_until(Duration::from_secs(10), "delivery after the timeout", |s| {
        s.received().iter().any(|r| r["status"] == 200)
    });
    let reqs = s.received();
    assert!(reqs.len() >= 2, "{reqs:?}");
    assert_ne!(
        reqs[0]["status"], 200,
        "the first attempt was cut off by the timeout"
    );
    assert!(s.list("dlq:moog").is_empty());
}

#[test]
fn the_breaker_opens_probes_once_and_closes_without_losing_alerts() {
    let mut s = setup(&["--statuses", "503", "--repeat"]);
    let _f = s.forwarder(
        "fwd-f",
        &[
            ("CIRCUIT_BREAKER_THRESHOLD", "3"),
            ("CIRCUIT_BREAKER_TIMEOUT", "2"),
            ("MOOG_CONCURRENCY", "1"),
            ("MOOG_MAX_RETRIES", "100"),
        ],
    );
    s.push_alerts(5, "cb");
    s.wait_until(Duration::from_secs(10), "the breaker to open", |s| {
        s.redis
            .get::<_, Option<String>>(s.key("circuit_breaker:moogsoft:state"))
            .unwrap()
            .as_deref()
            == Some("OPEN")
    });
    let at_open = s.received().len();
    assert!(at_open >= 3, "{at_open}");
    // Deliberately idle, well inside the 2 s breaker timeout: a forwarder ignoring the breaker
    // would retry within its 0.2 s longest delay.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(
        s.received().len(),
        at_open,
        "nothing is sent while the breaker is open"
    );
    s.control(json!({"statuses": [200], "repeat": true}));
    s.wait_until(Duration::from_secs(15), "every alert delivered", |s| {
        let ids: std::collections::HashSet<String> = s.delivered_ids().into_iter().collect();
        ids.len() == 5
    });
    let state: Option<String> = s
        .redis
        .get(s.key("circuit_breaker:moogsoft:state"))
        .unwrap();
    assert_eq!(state.as_deref(), Some("CLOSED"));
    assert!(
        s.list("dlq:moog").is_empty(),
        "the outage dead-lettered nothing"
    );
    // After opening, the first request is the single probe.
    let reqs = s.received();
    assert_eq!(reqs[at_open]["status"], 200);
}

#[test]
fn two_forwarders_share_one_rate_limit_and_lose_nothing() {
    let mut s = setup(&[]);
    s.push_alerts(150, "rl");
    let limits = [("MOOG_RATE_LIMIT", "50"), ("MOOG_RATE_PERIOD", "1")];
    let started = Instant::now();
    let _a = s.forwarder("fwd-g1", &limits);
    let _b = s.forwarder("fwd-g2", &limits);
    s.wait_until(Duration::from_secs(20), "150 deliveries", |s| {
        s.received().len() >= 150
    });
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(1900),
        "150 at 50/s took only {elapsed:?}"
    );
    let times: Vec<i64> = s
        .received()
        .iter()
        .map(|r| {
            chrono::DateTime::parse_from_rfc3339(r["received_at"].as_str().unwrap())
                .unwrap()
                .timestamp_millis()
        })
        .collect();
    // The limit meters request starts on Redis time: 150 at 50 per second need at least two
    // more windows after the first 50. Arrivals at the sink trail their grants by however long
    // the send takes on a busy machine, so one arrival window can overlap two grant windows,
    // never three. Without the shared limit the 150 arrive within tens of milliseconds.
    let span = times.last().unwrap() - times.first().unwrap();
    assert!(span >= 1900, "150 alerts at 50/s arrived within {span} ms");
    for (i, t0) in times.iter().enumerate() {
        let in_window = times[i..].iter().take_while(|t| **t < t0 + 1000).count();
        assert!(in_window <= 100, "{in_window} requests within one second");
    }
    let ids: std::collections::HashSet<String> = s.delivered_ids().into_iter().collect();
    assert_eq!(ids.len(), 150);
    assert!(s.list("dlq:moog").is_empty());
}

#[test]
fn kill_9_mid_flight_delivers_every_alert_at_least_once() {
    let mut s = setup(&["--latency-ms", "100"]);
    s.push_alerts(120, "k");
    let mut a = s.forwarder(
        "fwd-doomed",
        &[("MOOG_CONCURRENCY", "4"), ("MOOG_TAKE_SIZE", "40")],
    );
    s.wait_until(Duration::from_secs(10), "some deliveries", |s| {
        s.received().len() >= 20
    });
    unsafe { libc::kill(a.pid() as i32, libc::SIGKILL) };
    let _ = a.terminate_after_kill();
    let _b = s.forwarder("fwd-rescuer", &[("MOOG_CONCURRENCY", "8")]);
    s.wait_until(Duration::from_secs(30), "every alert delivered", |s| {
        let ids: std::collections::HashSet<String> = s.delivered_ids().into_iter().collect();
        ids.len() == 120
    });
    assert!(s.list("dlq:moog").is_empty());
}

#[test]
fn health_and_sigterm() {
    let mut s = setup(&[]);
    let mut f = s.forwarder("fwd-h", &[]);
    f.wait_ready();
    let r = f.req("GET", "/health", &[], "");
    assert_eq!(r.status, 200, "{}", r.text());
    let body: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["service"], "mutt-moog-forwarder");
    assert_eq!(body["pod"], "fwd-h");
    assert_eq!(body["circuit_breaker"], "CLOSED");
    s.push_alerts(3, "h");
    s.wait_until(Duration::from_secs(10), "deliveries", |s| {
        s.received().len() == 3
    });
    // The sink counts a request when it arrives, the forwarder when the answer is back.
    let m = common::eventually(Duration::from_secs(10), "3 successes counted", || {
        let m = f.req("GET", "/metrics", &[], "").text();
        m.contains(r#"mutt_moog_requests_total{reason="",status="success"} 3"#)
            .then_some(m)
    });
    assert!(
        m.contains(r#"mutt_circuit_breaker_state{name="moogsoft"} 0"#),
        "{m}"
    );
    assert!(f.terminate().success());
    let hb: bool = s.redis.exists(s.key("heartbeat:moog:fwd-h")).unwrap();
    assert!(!hb);
}

#[test]
fn batching_posts_events_arrays() {
    let mut s = setup(&[]);
    // Queued before the forwarder starts, so its first take holds all ten.
    s.push_alerts(10, "b");
    let _f = s.forwarder(
        "fwd-batch",
        &[("MOOG_BATCH_SIZE", "5"), ("MOOG_CONCURRENCY", "1")],
    );
    s.wait_until(Duration::from_secs(10), "both batches", |s| {
        let r = s.mock.req("GET", "/stats", &[], "");
        serde_json::from_slice::<Value>(&r.body).unwrap()["events"] == 10
    });
    let reqs = s.received();
    assert_eq!(reqs.len(), 2, "10 alerts in requests of 5");
    for r in &reqs {
        let events = r["body"]["events"].as_array().unwrap();
        assert_eq!(events.len(), 5);
        assert_eq!(events[0]["manager"], "MUTT");
    }
}
