//! `mutt ingest serve` black-box: real HTTP against the real binary, real Redis behind it.

mod common;
use common::daemon::Daemon;
use common::http_client::RawResponse;
use common::TestEnv;
use mutt::dev::services::{RedisOptions, RedisServer};
use redis::Commands;
use serde_json::{json, Value};
use std::time::Duration;

const KEY: &str = "test-ingest-key";
const EV: &str = r#"{"hostname":"sw1.example.net","message":"%LINK-3-UPDOWN: Interface Gi0/1, changed state to down","timestamp":"2026-11-22T04:00:00Z","syslog_severity":3,"custom":{"a":[1,2]}}"#;

struct Setup {
    t: TestEnv,
    daemon: Daemon,
    redis: redis::Connection,
}

fn start(extra: &[(&str, &str)]) -> Setup {
    let t = TestEnv::new();
    start_with(t, extra, None)
}

fn start_with(t: TestEnv, extra: &[(&str, &str)], redis_port: Option<u16>) -> Setup {
    let mut env = t.env();
    env.push(("INGEST_API_KEY".into(), KEY.into()));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    env.push(("DYNAMIC_CONFIG_REFRESH_SECONDS".into(), "0.5".into()));
    if let Some(p) = redis_port {
        env.push(("REDIS_PORT".into(), p.to_string()));
    }
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    }
    let daemon = Daemon::start(&["ingest", "serve"], &env);
    let rport = redis_port.unwrap_or_else(|| common::services().redis.port());
    let redis = common::redis_at(rport);
    Setup { t, daemon, redis }
}

impl Setup {
    fn post(&self, path: &str, headers: &[(&str, &str)], body: &str) -> RawResponse {
        let mut h = vec![("X-API-KEY", KEY), ("Content-Type", "application/json")];
        h.extend_from_slice(headers);
        self.daemon.req("POST", path, &h, body)
    }

    fn queue(&self) -> String {
        format!("{}:ingest_queue", self.t.prefix)
    }

    fn queued(&mut self) -> Vec<Value> {
        let q = self.queue();
        let items: Vec<String> = self.redis.lrange(&q, 0, -1).unwrap();
        // LPUSH puts the newest on the left: reverse for arrival order.
        items
            .iter()
            .rev()
            .map(|s| serde_json::from_str(s).unwrap())
            .collect()
    }
}

fn body(r: &RawResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|_| panic!("not JSON: {}", r.text()))
}

fn cid(r: &RawResponse) -> String {
    r.header("X-Correlation-ID").unwrap().to_string()
}

#[test]
fn single_array_and_ndjson_bodies_are_queued_with_their_stamps() {
    let mut s = start(&[]);
    let r = s.post("/ingest", &[("X-Correlation-ID", "req-42.a:b")], EV);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("X-Correlation-ID"), Some("req-42.a:b"));
    assert_eq!(
        body(&r),
        json!({"status":"queued","correlation_id":"req-42.a:b","queue_depth":1,"accepted":1})
    );
    let q = s.queued();
    let original: serde_json::Map<String, Value> = serde_json::from_str(EV).unwrap();
    let event = q[0].as_object().unwrap();
    for (k, v) in &original {
        assert_eq!(&event[k], v, "field {k} changed");
    }
    let keys: Vec<&String> = event.keys().collect();
    assert_eq!(keys.len(), original.len() + 4);
    assert_eq!(event["_correlation_id"], "req-42.a:b");
    let traceparent = event["_traceparent"].as_str().unwrap();
    assert!(
        mutt::trace::TraceContext::parse(traceparent).is_some(),
        "{traceparent}"
    );
    assert!(uuid::Uuid::parse_str(event["_event_id"].as_str().unwrap()).is_ok());
    let received = event["_received_at"].as_str().unwrap();
    assert!(received.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(received).is_ok());

    let r = s.post("/api/v2/ingest", &[], &format!("[{EV},{EV},{EV}]"));
    assert_eq!(r.status, 200);
    let b = body(&r);
    assert_eq!(
        (b["queue_depth"].as_u64(), b["accepted"].as_u64()),
        (Some(4), Some(3))
    );
    assert_eq!(b["correlation_id"], cid(&r));
    assert_eq!(r.header("X-API-Deprecated"), Some("false"));

    let r = s.daemon.req(
        "POST",
        "/api/v1/ingest",
        &[("X-API-KEY", KEY), ("Content-Type", "application/x-ndjson")],
        &format!("{EV}\n{EV}\n"),
    );
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["accepted"], 2);
    assert_eq!(r.header("X-API-Deprecated"), Some("true"));
    assert!(r.header("Sunset").is_some());

    let q = s.queued();
    assert_eq!(q.len(), 6);
    let ids: std::collections::HashSet<&str> =
        q.iter().map(|e| e["_event_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 6, "every event gets its own _event_id");
    // An invalid correlation id is replaced, not trusted.
    let r = s.post("/ingest", &[("X-Correlation-ID", "has space")], EV);
    assert_eq!(r.status, 200);
    assert_ne!(cid(&r), "has space");
    assert!(uuid::Uuid::parse_str(&cid(&r)).is_ok());
}

#[test]
fn an_rsyslog_batch_on_double_slash_ingest_is_accepted() {
    let mut s = start(&[]);
    let lines = [
        r#"{"timestamp":"2026-11-22T04:24:26.452607Z","hostname":"core-rtr-01","severity":"err","facility":"local0","message":" %BGP-5-ADJCHANGE: neighbor 10.0.0.2 Down","source":"syslog"}"#,
        r#"{"timestamp":"2026-11-22T04:23:57+00:00","hostname":"localhost","severity":"info","facility":"local5","message":" 2026-11-22 04:23:57 localhost [UDP: [127.0.0.1]:52988->[127.0.0.1]:47164]:#012.1.3.6.1.2.1.1.3.0 = Timeticks: (54447) 0:09:04.47#011.1.3.6.1.6.3.1.1.4.1.0 = OID: .1.3.6.1.6.3.1.1.5.3","source":"snmp"}"#,
    ];
    // omhttp's empty `Expect:` is libcurl's way of *removing* the header, so none is sent.
    let r = s.daemon.req(
        "POST",
        "//ingest",
        &[
            ("X-API-KEY", KEY),
            ("Content-Type", "application/json; charset=utf-8"),
        ],
        &lines.join("\n"),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(body(&r)["accepted"], 2);
    let q = s.queued();
    assert_eq!(q[0]["syslog_severity"], 3);
    assert_eq!(q[0]["severity"], "err");
    assert_eq!(q[1]["syslog_severity"], 6);
    assert_eq!(
        q[1]["trap_oid"], "1.3.6.1.6.3.1.1.5.3",
        "the trap is named from its snmpTrapOID.0 varbind"
    );
    assert!(q[0].get("trap_oid").is_none());
    let msg = q[1]["message"].as_str().unwrap();
    assert!(
        msg.contains("47164]:\n.1.3.6.1.2.1.1.3.0") && msg.contains("04.47\t.1.3.6"),
        "{msg}"
    );

    // A `restpath` written with a leading slash doubles the versioned path too; it is accepted
    // and answers as that version.
    let r = s.daemon.req(
        "POST",
        "//api/v1/ingest",
        &[("X-API-KEY", KEY), ("Content-Type", "application/json")],
        lines[0],
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("X-API-Deprecated"), Some("true"), "answered as v1");
    assert_eq!(s.queued().len(), 3);
}

#[test]
fn bad_bodies_get_400_with_every_problem_and_nothing_is_queued() {
    let mut s = start(&[]);
    let cases: Vec<(&str, Value)> = vec![
        (
            "{\"hostname\": ",
            json!({"error":"Invalid JSON: unexpected end of JSON at line 1 column 13","errors":[{"index":null,"field":null,"problem":"unexpected end of JSON at line 1 column 13"}],"error_count":1}),
        ),
        (
            "[1,2]",
            json!({"error":"Invalid events: 2 problem(s)","errors":[{"index":0,"field":null,"problem":"must be a JSON object"},{"index":1,"field":null,"problem":"must be a JSON object"}],"error_count":2}),
        ),
        (
            r#"{"message":"m","timestamp":"t"}"#,
            json!({"error":"Invalid events: 1 problem(s)","errors":[{"index":0,"field":"hostname","problem":"is required"}],"error_count":1}),
        ),
        (
            r#"{"hostname":"  ","message":"m","timestamp":"t"}"#,
            json!({"error":"Invalid events: 1 problem(s)","errors":[{"index":0,"field":"hostname","problem":"must not be empty"}],"error_count":1}),
        ),
        (
            r#"{"hostname":"h","message":"m","timestamp":"t","syslog_severity":8}"#,
            json!({"error":"Invalid events: 1 problem(s)","errors":[{"index":0,"field":"syslog_severity","problem":"must be 0-7 or a syslog severity name (emerg, alert, crit, err, warning, notice, info, debug)"}],"error_count":1}),
        ),
        (
            r#"{"hostname":"h","message":"m","timestamp":"t","v":NaN}"#,
            json!({"error":"Invalid JSON: invalid JSON at line 1 column 51","errors":[{"index":null,"field":null,"problem":"invalid JSON at line 1 column 51"}],"error_count":1}),
        ),
    ];
    for (input, want) in cases {
        let r = s.post("/ingest", &[], input);
        assert_eq!(r.status, 400, "{input}");
        let mut got = body(&r);
        assert_eq!(got["status"], "error");
        assert_eq!(got["message"], got["error"]);
        assert_eq!(got["correlation_id"], cid(&r));
        let obj = got.as_object_mut().unwrap();
        for k in ["status", "message", "correlation_id"] {
            obj.remove(k);
        }
        assert_eq!(got, want, "{input}");
    }
    // One bad item spoils the batch: nothing from it is queued.
    let batch = format!("{EV}\n{EV}\n{{\"hostname\":\"h\",\"message\":\"m\"}}\n{EV}");
    let r = s.post("/ingest", &[], &batch);
    assert_eq!(r.status, 400);
    assert_eq!(
        body(&r)["errors"],
        json!([{"index":2,"field":"timestamp","problem":"is required"}])
    );
    assert!(s.queued().is_empty());
}

#[test]
fn auth_method_and_size_errors() {
    let s = start(&[("MAX_BODY_BYTES", "2048")]);
    for key in [None, Some("wrong"), Some(""), Some("t\u{e9}st-ingest-key")] {
        let mut h = vec![("Content-Type", "application/json")];
        if let Some(k) = key {
            h.push(("X-API-KEY", k));
        }
        let r = s.daemon.req("POST", "/ingest", &h, EV);
        assert_eq!(r.status, 401, "{key:?}");
        assert_eq!(
            body(&r),
            json!({"status":"error","error":"Unauthorized","message":"Unauthorized","correlation_id":cid(&r)})
        );
    }
    let r = s.daemon.req("GET", "/ingest", &[("X-API-KEY", KEY)], "");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("Allow"), Some("POST"));
    assert_eq!(
        body(&r),
        json!({"error":"method not allowed","correlation_id":cid(&r)})
    );
    let r = s.daemon.req("GET", "/nope", &[], "");
    assert_eq!(r.status, 404);
    assert_eq!(
        body(&r),
        json!({"error":"not found","correlation_id":cid(&r)})
    );

    let big = format!("[{}]", [EV; 20].join(","));
    assert!(big.len() > 2048);
    let r = s.post("/ingest", &[], &big);
    assert_eq!(r.status, 413);
    assert_eq!(
        body(&r),
        json!({"error":"request body too large","correlation_id":cid(&r)})
    );
    let r = s.daemon.req(
        "POST",
        "/ingest",
        &[("X-API-KEY", KEY), ("Content-Type", "application/xml")],
        EV,
    );
    assert_eq!(r.status, 415);
    assert_eq!(
        body(&r)["error"],
        "Unsupported Media Type: send application/json, application/x-ndjson or text/plain"
    );
}

#[test]
fn counters_are_bumped_with_their_ttls() {
    let mut s = start(&[]);
    let r = s.post("/ingest", &[], &format!("[{EV},{EV},{EV}]"));
    assert_eq!(r.status, 200);
    let now = chrono::Utc::now();
    let keys = mutt::store::redis::keys::Keys::with_prefix(&s.t.prefix);
    for w in mutt::store::redis::keys::Window::ALL {
        // A minute boundary may fall between the request and now: accept the previous bucket.
        let candidates = [
            keys.metrics_counter(w, now),
            keys.metrics_counter(w, now - chrono::Duration::seconds(5)),
        ];
        let (key, n) = candidates
            .iter()
            .find_map(|k| {
                s.redis
                    .get::<_, Option<i64>>(k)
                    .unwrap()
                    .map(|n| (k.clone(), n))
            })
            .expect("counter present");
        assert_eq!(n, 3, "{key}");
        let ttl: i64 = s.redis.ttl(&key).unwrap();
        assert!(
            ttl > w.ttl_seconds() as i64 - 60 && ttl <= w.ttl_seconds() as i64,
            "{key}: {ttl}"
        );
    }
}

#[test]
fn backpressure_refuses_at_exactly_the_limit_and_follows_dynamic_config() {
    let mut s = start(&[("MAX_INGEST_QUEUE_SIZE", "5")]);
    let five = [EV; 5].join("\n");
    let r = s.post("/ingest", &[], &five);
    assert_eq!(r.status, 200);
    assert_eq!(body(&r)["queue_depth"], 5);
    let r = s.post("/ingest", &[], EV);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("Retry-After"), Some("1"));
    let b = body(&r);
    assert_eq!(
        b,
        json!({"status":"error","error":"Service Unavailable - queue full","message":"Service Unavailable - queue full",
               "correlation_id":cid(&r),"queue_depth":5,"queue_limit":5})
    );
    assert_eq!(s.queued().len(), 5);

    // The operator raises the limit live: SET + PUBLISH, as `mutt config set` will.
    let key = format!("{}:config:max_ingest_queue_size", s.t.prefix);
    let _: () = s.redis.set(&key, "7").unwrap();
    let _: () = s
        .redis
        .publish(
            format!("{}:config:updates", s.t.prefix),
            "max_ingest_queue_size",
        )
        .unwrap();
    let r = common::eventually(Duration::from_secs(10), "the new limit to apply", || {
        Some(s.post("/ingest", &[], &format!("{EV}\n{EV}"))).filter(|r| r.status == 200)
    });
    assert_eq!(body(&r)["queue_depth"], 7);
    let r = s.post("/ingest", &[], EV);
    assert_eq!((r.status, body(&r)["queue_limit"].clone()), (503, json!(7)));
}

#[test]
fn the_rate_limit_is_per_key_with_retry_after_and_live_limits() {
    let s = start(&[
        ("RATE_LIMIT_ENABLED", "on"),
        ("INGEST_MAX_RATE", "3"),
        ("INGEST_RATE_WINDOW", "60"),
        ("INGEST_API_KEY", "key-a,key-b"),
    ]);
    let post = |key: &str| s.daemon.req("POST", "/ingest", &[("X-API-KEY", key)], EV);
    for _ in 0..3 {
        assert_eq!(post("key-a").status, 200);
    }
    let r = post("key-a");
    assert_eq!(r.status, 429);
    let retry: u64 = r.header("Retry-After").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let b = body(&r);
    assert_eq!(b["error"], "Too Many Requests - rate limit exceeded");
    assert_eq!(b["retry_after"], retry);
    assert_eq!(post("key-b").status, 200, "limits are per key");
    let mut redis = s.redis;
    let _: () = redis
        .set(format!("{}:config:ingest_max_rate", s.t.prefix), "10")
        .unwrap();
    let _: () = redis
        .publish(format!("{}:config:updates", s.t.prefix), "ingest_max_rate")
        .unwrap();
    common::wait_for(Duration::from_secs(10), "the raised rate to apply", || {
        post("key-a").status == 200
    });
    // No API key is stored in Redis, only a digest prefix.
    let names: Vec<String> = redis.keys(format!("{}:rate_limit:*", s.t.prefix)).unwrap();
    assert_eq!(names.len(), 2);
    assert!(names
        .iter()
        .all(|n| !n.contains("key-a") && !n.contains("key-b")));
}

#[test]
fn health_info_metrics_and_admin_config() {
    let s = start(&[]);
    let r = s.daemon.req("GET", "/health", &[], "");
    assert_eq!(r.status, 200);
    assert_eq!(
        body(&r),
        json!({"status":"healthy","service":"mutt-ingestor","version":env!("CARGO_PKG_VERSION"),"redis":"connected"})
    );
    assert_eq!(
        body(&s.daemon.req("GET", "/health/live", &[], "")),
        json!({"status":"alive"})
    );
    assert_eq!(
        body(&s.daemon.req("GET", "/health/ready", &[], "")),
        json!({"status":"ready","checks":{"redis":"ok"}})
    );
    assert_eq!(
        body(&s.daemon.req("GET", "/", &[], ""))["service"],
        "MUTT Ingestor Service"
    );
    assert_eq!(s.post("/ingest", &[], EV).status, 200);
    assert_eq!(s.daemon.req("POST", "/ingest", &[], EV).status, 401);
    let m = s.daemon.req("GET", "/metrics", &[], "").text();
    assert!(
        m.contains(r#"mutt_ingest_requests_total{reason="",status="success"} 1"#),
        "{m}"
    );
    assert!(
        m.contains(r#"mutt_ingest_requests_total{reason="auth",status="fail"} 1"#),
        "{m}"
    );
    assert!(m.contains("mutt_ingest_events_total 1"), "{m}");
    assert!(m.contains("mutt_ingest_latency_seconds_bucket"), "{m}");
    assert!(m.contains("mutt_ingest_queue_depth"), "{m}");
    assert!(m.contains(r#"route="/ingest""#), "{m}");

    assert_eq!(s.daemon.req("GET", "/admin/config", &[], "").status, 401);
    let r = s
        .daemon
        .req("GET", "/admin/config", &[("X-API-KEY", KEY)], "");
    assert_eq!(r.status, 200);
    let b = body(&r);
    assert_eq!(b["static"]["MAX_INGEST_QUEUE_SIZE"], "1000000");
    assert_eq!(b["static"]["INGEST_API_KEY"], "********");
    assert_eq!(b["dynamic_config_enabled"], true);
    assert!(!r.text().contains(KEY), "the key leaked into /admin/config");
}

#[test]
fn a_redis_outage_gives_503_and_the_service_recovers_by_itself() {
    let mut redis_server = RedisServer::start(RedisOptions::default()).unwrap();
    let t = TestEnv::new();
    let mut s = start_with(t, &[], Some(redis_server.port()));
    assert_eq!(s.post("/ingest", &[], EV).status, 200);

    redis_server.stop();
    let r = s.post("/ingest", &[], EV);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("Retry-After"), Some("1"));
    assert_eq!(body(&r)["error"], "Service Unavailable - Redis error");
    let ready = s.daemon.req("GET", "/health/ready", &[], "");
    assert_eq!(ready.status, 503);
    assert_eq!(body(&ready)["status"], "not_ready");
    let health = s.daemon.req("GET", "/health", &[], "");
    assert_eq!(
        (health.status, body(&health)["redis"].clone()),
        (503, json!("disconnected"))
    );
    assert_eq!(
        s.daemon.req("GET", "/health/live", &[], "").status,
        200,
        "liveness does not depend on Redis"
    );

    redis_server.restart().unwrap();
    common::wait_for(Duration::from_secs(20), "ingest to recover", || {
        let r = s.post("/ingest", &[], EV);
        assert!(matches!(r.status, 200 | 503), "{} {}", r.status, r.text());
        r.status == 200
    });
    assert_eq!(s.daemon.req("GET", "/health/ready", &[], "").status, 200);
    s.redis = common::redis_at(redis_server.port());
    assert_eq!(
        s.queued().len(),
        1,
        "the restarted Redis holds what was queued after it came back"
    );
}

#[test]
fn sigterm_under_load_loses_no_acknowledged_event() {
    let mut s = start(&[]);
    let addr = s.daemon.addr;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acks = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let (stop, acks) = (stop.clone(), acks.clone());
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) && n < 5000 {
                    n += 1;
                    let tag = format!("c{c}-{n}");
                    let ev = format!(r#"{{"hostname":"h","message":"{tag}","timestamp":"t"}}"#);
                    let raw = common::http_client::build(
                        "POST",
                        "/ingest",
                        &[("X-API-KEY", KEY), ("Content-Type", "application/json")],
                        &ev,
                    );
                    let Ok(mut conn) = common::http_client::Conn::open(addr) else {
                        break;
                    };
                    match conn.request(raw.as_bytes()) {
                        Ok(r) if r.status == 200 => {
                            acked.push(tag);
                            acks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                }
                acked
            })
        })
        .collect();
    // SIGTERM in the middle of the load: once a good number of events were acknowledged.
    common::wait_for(Duration::from_secs(20), "200 acknowledged events", || {
        acks.load(std::sync::atomic::Ordering::Relaxed) >= 200
    });
    let status = s.daemon.terminate();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(status.success(), "exit status {status}");
    let acked: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert!(acked.len() > 50, "too little load: {}", acked.len());
    let queued: std::collections::HashSet<String> = s
        .queued()
        .iter()
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|a| !queued.contains(*a)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged events lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
}
