//! Distributed tracing black-box: the real ingest, alerter and forwarder, `mutt mock-moog` as
//! Moog and a tiny OTLP/HTTP receiver, on the harness's Redis and PostgreSQL. A `traceparent`
//! sent to ingest must reach the queued event, the alert, the request to Moog and the exported
//! spans with the same trace id.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use mutt::trace::TraceContext;
use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KEY: &str = "trace-key";
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

/// A minimal OTLP/HTTP receiver: records the JSON body of every `POST /v1/traces`.
struct Receiver {
    port: u16,
    bodies: Arc<Mutex<Vec<Value>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let store = Arc::clone(&bodies);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let store = Arc::clone(&store);
                std::thread::spawn(move || serve_connection(conn, &store));
            }
        });
        Receiver { port, bodies }
    }

    /// Every exported span so far.
    fn spans(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for body in self.bodies.lock().unwrap().iter() {
            for rs in body["resourceSpans"].as_array().into_iter().flatten() {
                let service = rs["resource"]["attributes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|a| a["key"] == "service.name")
                    .map(|a| a["value"]["stringValue"].clone())
                    .unwrap_or(Value::Null);
                for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                    for span in ss["spans"].as_array().into_iter().flatten() {
                        let mut span = span.clone();
                        span["service"] = service.clone();
                        out.push(span);
                    }
                }
            }
        }
        out
    }
}

/// Keep-alive HTTP/1.1: requests one after another until the client closes.
fn serve_connection(conn: std::net::TcpStream, store: &Mutex<Vec<Value>>) {
    let mut writer = conn.try_clone().unwrap();
    let mut reader = BufReader::new(conn);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
            return;
        }
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0u8; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        if request_line.starts_with("POST /v1/traces ") {
            if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                store.lock().unwrap().push(v);
            }
        }
        let _ = writer.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
        );
    }
}

struct Stack {
    t: TestEnv,
    redis: redis::Connection,
    ingest: Daemon,
    mock: Daemon,
    otlp: Receiver,
}

fn otel_env(otlp: &Receiver, service: &str) -> Vec<(&'static str, String)> {
    vec![
        ("MUTT_BIND_ADDRESS", "127.0.0.1".into()),
        ("DYNAMIC_CONFIG_REFRESH_SECONDS", "0.5".into()),
        ("OTEL_ENABLED", "true".into()),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://127.0.0.1:{}", otlp.port),
        ),
        ("OTEL_SERVICE_NAME", service.into()),
    ]
}

impl Stack {
    fn start() -> Stack {
        let t = TestEnv::new();
        t.migrated_with_link_down_rule();
        let otlp = Receiver::start();
        let mock = Daemon::start(&["mock-moog"], &t.env());
        let mut e = otel_env(&otlp, "trace-ingest");
        e.extend([
            ("INGEST_API_KEY", KEY.into()),
            ("LOG_JSON_ENABLED", "true".into()),
            ("LOG_LEVEL", "DEBUG".into()),
        ]);
        let ingest = Daemon::start(&["ingest", "serve"], &t.env_with(&e));
        Stack {
            t,
            redis: common::redis(),
            ingest,
            mock,
            otlp,
        }
    }

    fn key(&self, rest: &str) -> String {
        format!("{}:{rest}", self.t.prefix)
    }

    fn post(&self, host: &str, traceparent: Option<&str>) {
        let body = format!(
            r#"{{"hostname":"{host}","message":"LINK-DOWN Gi0/1","timestamp":"2026-11-22T04:00:00Z"}}"#
        );
        let mut headers = vec![("X-API-KEY", KEY), ("Content-Type", "application/json")];
        if let Some(tp) = traceparent {
            headers.push(("traceparent", tp));
        }
        let r = self.ingest.req("POST", "/api/v2/ingest", &headers, &body);
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
    }

    fn alerter(&self) -> Daemon {
        let mut e = otel_env(&self.otlp, "trace-alerter");
        e.extend([("BRPOPLPUSH_TIMEOUT", "0.2".into())]);
        Daemon::start(&["alert", "run"], &self.t.env_with(&e))
    }

    fn forwarder(&self) -> Daemon {
        let mut e = otel_env(&self.otlp, "trace-forwarder");
        e.extend([
            (
                "MOOG_WEBHOOK_URL",
                format!("http://{}/events", self.mock.addr),
            ),
            ("MOOG_API_KEY", "moog-key".into()),
            ("MOOG_RATE_LIMIT", "100000".into()),
        ]);
        Daemon::start(&["forward", "run"], &self.t.env_with(&e))
    }

    fn queue(&mut self, name: &str) -> Vec<Value> {
        let key = self.key(name);
        common::json_list(&mut self.redis, &key)
    }

    fn moog_requests(&self) -> Vec<Value> {
        let r = self.mock.req("GET", "/requests", &[], "");
        assert_eq!(r.status, 200);
        serde_json::from_slice(&r.body).unwrap()
    }
}

fn ctx_of(v: &Value) -> TraceContext {
    let text = v
        .as_str()
        .unwrap_or_else(|| panic!("not a traceparent: {v}"));
    TraceContext::parse(text).unwrap_or_else(|| panic!("invalid traceparent {text}"))
}

fn by_host<'a>(items: &'a [Value], host: &str, field: impl Fn(&Value) -> &Value) -> &'a Value {
    items
        .iter()
        .find(|v| field(v) == host)
        .unwrap_or_else(|| panic!("nothing for {host} in {items:?}"))
}

#[test]
fn a_traceparent_flows_from_ingest_through_the_alert_to_moog_and_the_collector() {
    let mut s = Stack::start();
    let incoming = format!("00-{TRACE}-{PARENT}-01");
    s.post("traced", Some(&incoming));
    s.post("untraced", None);
    // An invalid header starts a new trace; it never refuses the request.
    s.post("badly-traced", Some("00-not-a-trace-01"));

    // Ingest: the queued event carries the ingest span, in the caller's trace.
    let events = s.queue("ingest_queue");
    assert_eq!(events.len(), 3, "{events:?}");
    let traced = ctx_of(&by_host(&events, "traced", |v| &v["hostname"])["_traceparent"]);
    assert_eq!(traced.trace_id_hex(), TRACE);
    assert_ne!(traced.span_id_hex(), PARENT);
    let untraced = ctx_of(&by_host(&events, "untraced", |v| &v["hostname"])["_traceparent"]);
    let bad = ctx_of(&by_host(&events, "badly-traced", |v| &v["hostname"])["_traceparent"]);
    assert_ne!(untraced.trace_id_hex(), TRACE);
    assert_ne!(bad.trace_id_hex(), TRACE);
    assert_ne!(untraced.trace_id, bad.trace_id);

    // The ingest log lines written while handling the request carry its trace id.
    let log = s.ingest.stderr();
    let has_trace = |trace: &str| {
        log.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .any(|v| v["trace_id"] == trace && v["correlation_id"].is_string())
    };
    assert!(
        has_trace(TRACE),
        "no JSON log line with trace_id {TRACE}:\n{log}"
    );
    assert!(has_trace(&untraced.trace_id_hex()), "{log}");

    // Alerter: the alert continues the trace with its own span.
    let _alerter = s.alerter();
    common::wait_until(&mut s, Duration::from_secs(20), "3 alerts", |s| {
        s.queue("alert_queue").len() == 3
    });
    let alerts = s.queue("alert_queue");
    let alert = ctx_of(&by_host(&alerts, "traced", |v| &v["hostname"])["_traceparent"]);
    assert_eq!(alert.trace_id_hex(), TRACE);
    assert_ne!(alert.span_id, traced.span_id);
    let alert_untraced = ctx_of(&by_host(&alerts, "untraced", |v| &v["hostname"])["_traceparent"]);
    assert_eq!(alert_untraced.trace_id, untraced.trace_id);

    // Forwarder: Moog gets a `traceparent` header in the same trace, with the POST's own span.
    let _forwarder = s.forwarder();
    common::wait_until(&mut s, Duration::from_secs(20), "3 Moog requests", |s| {
        s.moog_requests().len() >= 3
    });
    let requests = s.moog_requests();
    let request = by_host(&requests, "traced", |r| &r["body"]["source_id"]);
    let header = ctx_of(&request["headers"]["traceparent"]);
    assert_eq!(header.trace_id_hex(), TRACE);
    assert_ne!(header.span_id, alert.span_id);
    assert_ne!(header.span_id, traced.span_id);

    // Collector: one span per hop, in the trace, each the child of the previous hop.
    let hex = |id: [u8; 8]| id.iter().map(|b| format!("{b:02x}")).collect::<String>();
    let want = [
        ("trace-ingest", traced.span_id, Some(PARENT.to_string())),
        ("trace-alerter", alert.span_id, Some(hex(traced.span_id))),
        ("trace-forwarder", header.span_id, Some(hex(alert.span_id))),
    ];
    common::wait_until(&mut s, Duration::from_secs(20), "exported spans", |s| {
        let spans = s.otlp.spans();
        want.iter().all(|(_, id, _)| {
            spans
                .iter()
                .any(|sp| sp["traceId"] == TRACE && sp["spanId"] == hex(*id).as_str())
        })
    });
    let spans = s.otlp.spans();
    for (service, id, parent) in want {
        let span = spans
            .iter()
            .find(|sp| sp["spanId"] == hex(id).as_str())
            .unwrap();
        assert_eq!(span["traceId"], TRACE, "{span}");
        assert_eq!(span["service"], service, "{span}");
        assert_eq!(span["parentSpanId"].as_str(), parent.as_deref(), "{span}");
        let start: u64 = span["startTimeUnixNano"].as_str().unwrap().parse().unwrap();
        let end: u64 = span["endTimeUnixNano"].as_str().unwrap().parse().unwrap();
        assert!(start > 0 && end >= start, "{span}");
    }
    let names: Vec<&str> = spans.iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"POST /api/v2/ingest"), "{names:?}");
    assert!(names.contains(&"alert.process"), "{names:?}");
    assert!(names.contains(&"alert.batch"), "{names:?}");
    assert!(names.contains(&"forward.batch"), "{names:?}");
    assert!(names.contains(&"moog.post"), "{names:?}");
    // Probes are not traced.
    assert!(!names.iter().any(|n| n.contains("health")), "{names:?}");
}

#[test]
fn an_unreachable_collector_never_fails_ingest() {
    let t = TestEnv::new();
    // Held, never listening: the exporter's connections are refused.
    let dead = common::DeadPort::new();
    let e = [
        ("MUTT_BIND_ADDRESS", "127.0.0.1".to_string()),
        ("INGEST_API_KEY", KEY.to_string()),
        ("OTEL_ENABLED", "true".to_string()),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            format!("http://{}", dead.addr()),
        ),
    ];
    let ingest = Daemon::start(&["ingest", "serve"], &t.env_with(&e));
    for _ in 0..20 {
        let r = ingest.req(
            "POST",
            "/api/v2/ingest",
            &[
                ("X-API-KEY", KEY),
                ("Content-Type", "application/json"),
                (
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                ),
            ],
            r#"{"hostname":"h","message":"m","timestamp":"2026-11-22T04:00:00Z"}"#,
        );
        assert_eq!(r.status, 200);
    }
    let mut redis = common::redis();
    let queued = common::json_list(&mut redis, &format!("{}:ingest_queue", t.prefix));
    assert_eq!(queued.len(), 20);
}

#[test]
fn a_dead_port_refuses_connections_and_cannot_be_taken() {
    let dead = common::DeadPort::new();
    for _ in 0..3 {
        let err = std::net::TcpStream::connect(dead.addr()).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
    }
    assert!(TcpListener::bind(dead.addr()).is_err());
}
