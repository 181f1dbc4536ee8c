//! `mutt mock-moog` over real sockets: in-process servers via `start()` on ephemeral ports, and
//! the real binary for the command line and its environment fallbacks.

mod common;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::daemon::Daemon;
use common::http_client::{build, request, Conn, RawResponse};
use mutt::dev::mock_moog::{self, MockMoogArgs};
use mutt::http::ServerHandle;
use mutt::shutdown::Shutdown;
use serde_json::{json, Value};

/// Stops the server when a test ends, even on assertion failure.
struct Running {
    addr: SocketAddr,
    shutdown: Shutdown,
    handle: Option<ServerHandle>,
}

impl Running {
    fn get(&self, target: &str) -> RawResponse {
        request(self.addr, &build("GET", target, &[], ""))
    }

    fn post(&self, target: &str, headers: &[(&str, &str)], body: &str) -> RawResponse {
        request(self.addr, &build("POST", target, headers, body))
    }

    fn event(&self, body: &str) -> RawResponse {
        self.post("/events", &[("Content-Type", "application/json")], body)
    }

    fn stop(&mut self) -> Duration {
        let started = Instant::now();
        self.shutdown.trigger();
        if let Some(handle) = self.handle.take() {
            handle.join().expect("server stopped cleanly");
        }
        started.elapsed()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.trigger();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn start(args: MockMoogArgs) -> Running {
    let shutdown = Shutdown::new();
    let args = MockMoogArgs {
        port: Some(0),
        ..args
    };
    let handle = mock_moog::start(&args, &shutdown).expect("start mock-moog");
    Running {
        addr: handle.local_addr(),
        shutdown,
        handle: Some(handle),
    }
}

fn start_default() -> Running {
    start(MockMoogArgs::default())
}

fn json_of(resp: &RawResponse) -> Value {
    serde_json::from_slice(&resp.body)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", resp.text()))
}

fn stats(m: &Running) -> Value {
    let resp = m.get("/stats");
    assert_eq!(resp.status, 200);
    json_of(&resp)
}

fn statuses_of(m: &Running, n: usize) -> Vec<u16> {
    (0..n).map(|_| m.event(r#"{"a":1}"#).status).collect()
}

const OK_BODY: &str = r#"{"ok":true}"#;
const EMPTY_STATS: &str =
    r#"{"count":0,"last":null,"received":0,"events":0,"failed":0,"rejected":0,"hung":0}"#;

#[test]
fn health_and_stats_have_exact_bodies() {
    let m = start_default();
    let health = m.get("/health");
    assert_eq!(health.status, 200);
    assert_eq!(health.header("content-type"), Some("application/json"));
    assert_eq!(
        health.text(),
        r#"{"status":"healthy","service":"mock-moog"}"#
    );
    let live = m.get("/health/live");
    assert_eq!(
        (live.status, live.text()),
        (200, r#"{"status":"alive"}"#.into())
    );
    assert_eq!(m.get("/stats").text(), EMPTY_STATS);

    let ok = m.event(r#"{"alert":"x"}"#);
    assert_eq!((ok.status, ok.text()), (200, OK_BODY.to_owned()));
    assert_eq!(
        m.get("/stats").text(),
        r#"{"count":1,"last":{"alert":"x"},"received":1,"events":1,"failed":0,"rejected":0,"hung":0}"#
    );
    // v2.5 answered HEAD /events with 405; unknown paths are 404.
    assert_eq!(head(m.addr, "/events").0, 405);
    assert_eq!(m.get("/nope").status, 404);
}

/// Reads a HEAD answer straight off the socket: the generic client would wait for a body that a
/// HEAD response never carries.
fn head(addr: SocketAddr, path: &str) -> (u16, String, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("timeout");
    let raw = format!("HEAD {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(raw.as_bytes()).expect("send");
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("complete head");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    (status, head.to_ascii_lowercase(), rest.as_bytes().to_vec())
}

#[test]
fn head_works_on_get_routes_without_a_body() {
    let m = start_default();
    for path in ["/health", "/health/live", "/stats", "/requests", "/control"] {
        let (status, head, rest) = head(m.addr, path);
        assert_eq!(status, 200, "HEAD {path}");
        assert!(head.contains("content-length: "), "HEAD {path}: {head}");
        assert!(rest.is_empty(), "HEAD {path} sent a body: {rest:?}");
    }
}

#[test]
fn event_is_recorded_with_headers_and_body() {
    let m = start_default();
    let resp = m.post(
        "/events",
        &[
            ("Authorization", "Bearer s3cret"),
            ("Content-Type", "application/json"),
            ("X-Trace", "one"),
            ("X-Trace", "two"),
        ],
        r#"{"signature":"sig-1","severity":3}"#,
    );
    assert_eq!((resp.status, resp.text()), (200, OK_BODY.to_owned()));
    assert_eq!(m.post("/events", &[], "not json").status, 200);
    assert_eq!(m.post("/events", &[], "").status, 200);

    let list = json_of(&m.get("/requests"));
    let records = list.as_array().expect("array");
    assert_eq!(records.len(), 3);
    let first = &records[0];
    assert_eq!(first["index"], 0);
    assert_eq!(first["path"], "/events");
    assert_eq!(first["status"], 200);
    assert_eq!(first["outcome"], "ok");
    assert_eq!(first["body"], json!({"signature": "sig-1", "severity": 3}));
    let headers = &first["headers"];
    assert_eq!(headers["authorization"], "Bearer s3cret");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-trace"], "one, two");
    assert_eq!(headers["host"], "test");
    let received_at = first["received_at"].as_str().expect("time");
    // RFC 3339, UTC, milliseconds: 2024-01-02T03:04:05.678Z
    assert_eq!(received_at.len(), 24, "{received_at}");
    assert!(received_at.ends_with('Z') && received_at.as_bytes()[19] == b'.');
    assert!(chrono::DateTime::parse_from_rfc3339(received_at).is_ok());
    assert_eq!(records[1]["body"], "not json");
    assert_eq!(records[2]["body"], Value::Null);
}

#[test]
fn requests_listing_paging_and_reset() {
    let m = start_default();
    for i in 0..5 {
        assert_eq!(m.event(&format!(r#"{{"n":{i}}}"#)).status, 200);
    }
    let indexes = |target: &str| -> Vec<u64> {
        let resp = m.get(target);
        assert_eq!(resp.status, 200, "{target}");
        json_of(&resp)
            .as_array()
            .expect("array")
            .iter()
            .map(|r| r["index"].as_u64().expect("index"))
            .collect()
    };
    assert_eq!(indexes("/requests"), [0, 1, 2, 3, 4]);
    assert_eq!(indexes("/requests?limit=2"), [3, 4]);
    assert_eq!(indexes("/requests?since=1&limit=2"), [1, 2]);
    assert_eq!(indexes("/requests?since=3&limit=2"), [3, 4]);
    assert_eq!(indexes("/requests?since=5"), Vec::<u64>::new());
    assert_eq!(indexes("/requests?limit=0"), Vec::<u64>::new());
    let bad = m.get("/requests?limit=-1");
    assert_eq!(bad.status, 400);
    assert_eq!(
        json_of(&bad),
        json!({"ok": false, "error": "query parameter limit must be a non-negative integer"})
    );

    let reset = m.post("/reset", &[], "");
    assert_eq!((reset.status, reset.text()), (200, OK_BODY.to_owned()));
    assert_eq!(m.get("/stats").text(), EMPTY_STATS);
    assert_eq!(m.get("/requests").text(), "[]");
    assert_eq!(m.event("{}").status, 200);
    assert_eq!(indexes("/requests"), [0]);
}

#[test]
fn max_records_drops_oldest_but_counters_keep_counting() {
    let m = start(MockMoogArgs {
        max_records: 2,
        ..MockMoogArgs::default()
    });
    for _ in 0..4 {
        assert_eq!(m.event("{}").status, 200);
    }
    let list = json_of(&m.get("/requests"));
    let indexes: Vec<&Value> = list
        .as_array()
        .expect("array")
        .iter()
        .map(|r| &r["index"])
        .collect();
    assert_eq!(indexes, [&json!(2), &json!(3)]);
    assert_eq!(stats(&m)["count"], 4);
    // Paging from an index already dropped starts at the oldest kept.
    assert_eq!(
        json_of(&m.get("/requests?since=0"))
            .as_array()
            .map(Vec::len),
        Some(2)
    );
}

#[test]
fn status_sequence_then_200_forever() {
    let m = start(MockMoogArgs {
        statuses: vec![500, 500, 200],
        ..MockMoogArgs::default()
    });
    let first = m.event("{}");
    assert_eq!(first.status, 500);
    assert_eq!(
        json_of(&first),
        json!({"ok": false, "error": "mock-moog scripted status 500"})
    );
    assert_eq!(first.header("retry-after"), None);
    assert_eq!(statuses_of(&m, 5), [500, 200, 200, 200, 200]);
    let s = stats(&m);
    assert_eq!(
        (&s["count"], &s["failed"], &s["received"]),
        (&json!(4), &json!(2), &json!(6))
    );
    let outcomes: Vec<Value> = json_of(&m.get("/requests?limit=3"))
        .as_array()
        .expect("array")
        .iter()
        .map(|r| json!([r["status"], r["outcome"]]))
        .collect();
    assert_eq!(outcomes[0], json!([200, "ok"]));

    let cycling = start(MockMoogArgs {
        statuses: vec![503, 200],
        repeat: true,
        ..MockMoogArgs::default()
    });
    assert_eq!(statuses_of(&cycling, 5), [503, 200, 503, 200, 503]);
}

#[test]
fn too_many_requests_carries_retry_after() {
    let m = start(MockMoogArgs {
        statuses: vec![429, 500, 503],
        retry_after: Some(2),
        ..MockMoogArgs::default()
    });
    let limited = m.event("{}");
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("retry-after"), Some("2"));
    assert_eq!(
        json_of(&limited),
        json!({"ok": false, "error": "mock-moog scripted status 429"})
    );
    let server_error = m.event("{}");
    assert_eq!(server_error.status, 500);
    assert_eq!(server_error.header("retry-after"), None);
    let unavailable = m.event("{}");
    assert_eq!(unavailable.status, 503);
    assert_eq!(unavailable.header("retry-after"), Some("2"));
    let ok = m.event("{}");
    assert_eq!((ok.status, ok.header("retry-after")), (200, None));
}

#[test]
fn latency_delays_event_answers_only() {
    const LATENCY: Duration = Duration::from_millis(300);
    let m = start(MockMoogArgs {
        latency_ms: 300,
        ..MockMoogArgs::default()
    });
    let started = Instant::now();
    assert_eq!(m.event("{}").status, 200);
    assert!(started.elapsed() >= LATENCY, "{:?}", started.elapsed());
    let started = Instant::now();
    assert_eq!(m.get("/stats").status, 200);
    assert!(started.elapsed() < LATENCY, "{:?}", started.elapsed());
}

#[test]
fn hang_leaves_the_client_without_an_answer() {
    let mut m = start(MockMoogArgs {
        hang: true,
        hang_seconds: 3,
        ..MockMoogArgs::default()
    });
    let mut conn = Conn::open(m.addr).expect("connect");
    conn.set_read_timeout(Duration::from_secs(1))
        .expect("timeout");
    let started = Instant::now();
    let err = conn
        .request(build("POST", "/events", &[], "{}").as_bytes())
        .expect_err("a hung request must not be answered within 1 s");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    assert!(started.elapsed() >= Duration::from_secs(1));
    drop(conn);
    // The request was received and recorded while held.
    let s = stats(&m);
    assert_eq!(
        (&s["received"], &s["hung"], &s["count"]),
        (&json!(1), &json!(1), &json!(0))
    );
    let list = json_of(&m.get("/requests"));
    assert_eq!(list[0]["outcome"], "hung");
    assert_eq!(list[0]["status"], 504);
    // A held request does not hold up shutdown for the rest of its hang.
    assert!(m.stop() < Duration::from_secs(2));
}

#[test]
fn hang_ends_with_504_after_its_bound() {
    let m = start(MockMoogArgs {
        hang: true,
        hang_seconds: 1,
        ..MockMoogArgs::default()
    });
    let started = Instant::now();
    let resp = m.event("{}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(resp.status, 504);
    assert_eq!(
        json_of(&resp),
        json!({"ok": false, "error": "mock-moog held the request unanswered (hang)"})
    );
}

#[test]
fn require_auth_rejects_without_the_right_bearer_token() {
    let m = start(MockMoogArgs {
        require_auth: Some("tok-123".into()),
        ..MockMoogArgs::default()
    });
    let unauthorized =
        json!({"ok": false, "error": "missing or wrong Authorization: Bearer token"});
    let none = m.event("{}");
    assert_eq!((none.status, json_of(&none)), (401, unauthorized.clone()));
    let wrong = m.post("/events", &[("Authorization", "Bearer tok-999")], "{}");
    assert_eq!((wrong.status, json_of(&wrong)), (401, unauthorized.clone()));
    let basic = m.post("/events", &[("Authorization", "Basic tok-123")], "{}");
    assert_eq!(basic.status, 401);
    let right = m.post("/events", &[("Authorization", "Bearer tok-123")], "{}");
    assert_eq!((right.status, right.text()), (200, OK_BODY.to_owned()));

    let s = stats(&m);
    assert_eq!(
        (&s["count"], &s["rejected"], &s["received"]),
        (&json!(1), &json!(3), &json!(4))
    );
    let list = json_of(&m.get("/requests"));
    assert_eq!(list[0]["outcome"], "rejected");
    assert_eq!(list[0]["status"], 401);
    assert_eq!(list[1]["headers"]["authorization"], "Bearer tok-999");
    assert_eq!(list[3]["outcome"], "ok");
}

#[test]
fn control_endpoint_changes_behaviour_at_runtime() {
    let m = start_default();
    let defaults = json!({
        "statuses": [], "repeat": false, "retry_after": null, "latency_ms": 0,
        "hang_seconds": 0, "require_auth": null
    });
    assert_eq!(json_of(&m.get("/control")), defaults);
    assert_eq!(m.event("{}").status, 200);

    let changed = m.post(
        "/control",
        &[("Content-Type", "application/json")],
        r#"{"statuses":[429,200],"retry_after":2,"require_auth":"abc"}"#,
    );
    assert_eq!(changed.status, 200);
    let expected = json!({
        "statuses": [429, 200], "repeat": false, "retry_after": 2, "latency_ms": 0,
        "hang_seconds": 0, "require_auth": "abc"
    });
    assert_eq!(json_of(&changed), expected);
    assert_eq!(json_of(&m.get("/control")), expected);

    assert_eq!(m.event("{}").status, 401);
    let auth = [("Authorization", "Bearer abc")];
    let limited = m.post("/events", &auth, "{}");
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, Some("2"))
    );
    assert_eq!(m.post("/events", &auth, "{}").status, 200);
    assert_eq!(m.post("/events", &auth, "{}").status, 200);

    // Only the fields given change; null clears a nullable one.
    let cleared = m.post("/control", &[], r#"{"require_auth":null,"repeat":true}"#);
    assert_eq!(
        json_of(&cleared),
        json!({
            "statuses": [429, 200], "repeat": true, "retry_after": 2, "latency_ms": 0,
            "hang_seconds": 0, "require_auth": null
        })
    );
    // The script did not restart: three statuses were used, so cycling resumes at 3 % 2.
    assert_eq!(statuses_of(&m, 3), [200, 429, 200]);
    // New statuses restart the script.
    m.post("/control", &[], r#"{"statuses":[500]}"#);
    assert_eq!(statuses_of(&m, 2), [500, 500]);

    // Reset keeps the settings.
    assert_eq!(m.post("/reset", &[], "").status, 200);
    assert_eq!(json_of(&m.get("/control"))["statuses"], json!([500]));

    for (body, error) in [
        (r#"{"statuses":[99]}"#, "status 99 is outside 200..=599"),
        (
            r#"{"latency_ms":600001}"#,
            "latency_ms must be at most 600000",
        ),
        (
            r#"{"hang_seconds":3601}"#,
            "hang_seconds must be at most 3600",
        ),
        (
            r#"{"require_auth":""}"#,
            "require_auth must not be empty (use null to turn it off)",
        ),
    ] {
        let resp = m.post("/control", &[], body);
        assert_eq!(
            (resp.status, json_of(&resp)),
            (400, json!({"ok": false, "error": error})),
            "{body}"
        );
    }
    let typo = m.post("/control", &[], r#"{"status":[200]}"#);
    assert_eq!(typo.status, 400);
    assert_eq!(json_of(&typo)["ok"], false);
    assert!(json_of(&typo)["error"]
        .as_str()
        .is_some_and(|e| e.contains("unknown field")));
    // A refused update changes nothing.
    assert_eq!(json_of(&m.get("/control"))["statuses"], json!([500]));

    // Hang and latency can be switched on and off at runtime too.
    let on = m.post("/control", &[], r#"{"statuses":[],"latency_ms":200}"#);
    assert_eq!(on.status, 200);
    let started = Instant::now();
    assert_eq!(m.event("{}").status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
    m.post("/control", &[], r#"{"latency_ms":0,"hang_seconds":1}"#);
    assert_eq!(m.event("{}").status, 504);
}

#[test]
fn batch_bodies_count_their_events() {
    let m = start_default();
    assert_eq!(
        m.event(r#"{"events":[{"a":1},{"b":2},{"c":3}]}"#).status,
        200
    );
    assert_eq!(m.event(r#"{"signature":"single"}"#).status, 200);
    let s = stats(&m);
    assert_eq!((&s["count"], &s["events"]), (&json!(2), &json!(4)));
    assert_eq!(s["last"], json!({"signature": "single"}));
}

#[test]
fn keep_alive_connection_serves_many_events() {
    let m = start_default();
    let mut conn = Conn::open(m.addr).expect("connect");
    for i in 0..200 {
        let resp = conn
            .request(build("POST", "/events", &[], &format!(r#"{{"n":{i}}}"#)).as_bytes())
            .expect("response");
        assert_eq!(resp.status, 200);
    }
    assert_eq!(stats(&m)["count"], 200);
}

#[test]
fn binary_serves_with_flags_and_environment() {
    let env = [
        ("MOCK_MOOG_STATUSES", "503"),
        ("MOCK_MOOG_RETRY_AFTER", "7"),
        ("MOCK_MOOG_PATH", "/api/moog/events"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    // The flag wins over the harness's MOCK_MOOG_PORT=0: the ready file says where it listens.
    let mut d = Daemon::start(&["mock-moog", "--port", "0"], &env);
    assert_eq!(
        d.req("GET", "/health", &[], "").text(),
        r#"{"status":"healthy","service":"mock-moog"}"#
    );
    let first = d.req("POST", "/api/moog/events", &[], r#"{"events":[1,2,3]}"#);
    assert_eq!(
        (first.status, first.header("retry-after")),
        (503, Some("7"))
    );
    let second = d.req("POST", "/api/moog/events", &[], r#"{"events":[1,2,3]}"#);
    assert_eq!((second.status, second.text()), (200, OK_BODY.to_owned()));
    assert_eq!(d.req("POST", "/events", &[], "{}").status, 404);
    let s: Value = serde_json::from_slice(&d.req("GET", "/stats", &[], "").body).expect("json");
    assert_eq!(
        s,
        json!({"count": 1, "last": {"events": [1, 2, 3]}, "received": 2, "events": 3,
               "failed": 1, "rejected": 0, "hung": 0})
    );
    let status = d.terminate();
    assert!(status.success(), "{status}");
}

#[test]
fn binary_refuses_bad_flags() {
    let env = std::collections::HashMap::new();
    let bad_status = common::mutt_with_env(&["mock-moog", "--statuses", "200,42"], &env);
    assert_eq!(bad_status.status.code(), Some(2));
    let bad_path = common::mutt_with_env(&["mock-moog", "--port", "0", "--path", "/control"], &env);
    assert_eq!(bad_path.status.code(), Some(1));
    assert!(
        common::stderr(&bad_path).contains("one of mock-moog's own endpoints"),
        "{}",
        common::stderr(&bad_path)
    );
}
