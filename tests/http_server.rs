//! End-to-end tests over real TCP sockets.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use common::http_client::{build, request, Conn, RawResponse};
use mutt::http::{
    HealthRoutes, HttpMetrics, Limits, Request, Response, Router, Server, ServerHandle,
};
use mutt::shutdown::Shutdown;
use serde::{Deserialize, Serialize};

const TEST_LIMITS: Limits = Limits {
    max_body_bytes: 64,
    max_header_bytes: 1024,
    header_read_timeout: Duration::from_secs(30),
    body_read_timeout: Duration::from_secs(30),
};

/// Stops the server when a test ends, even on assertion failure.
struct Running {
    addr: SocketAddr,
    shutdown: Shutdown,
    handle: Option<ServerHandle>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.trigger();
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn start(router: Router, workers: usize, registry: Option<&prometheus::Registry>) -> Running {
    start_with_limits(router, workers, registry, TEST_LIMITS)
}

fn start_with_limits(
    router: Router,
    workers: usize,
    registry: Option<&prometheus::Registry>,
    limits: Limits,
) -> Running {
    let shutdown = Shutdown::new();
    let mut server = Server::bind("127.0.0.1:0", limits).expect("bind");
    if let Some(registry) = registry {
        server = server.with_metrics(HttpMetrics::new(registry, "test").expect("metrics"));
    }
    let addr = server.local_addr();
    let handle = server.spawn(router, workers, &shutdown).expect("spawn");
    assert_eq!(handle.local_addr(), addr);
    Running {
        addr,
        shutdown,
        handle: Some(handle),
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Rule {
    name: String,
    threshold: u32,
}

fn app_router() -> Router {
    Router::new()
        .get("/api/v1/rules/:id", |req: &Request| {
            Response::json(
                200,
                &serde_json::json!({
                    "id": req.param("id"),
                    "verbose": req.query("verbose"),
                    "route": req.route,
                }),
            )
        })
        .get("/api/v1/rules/active", |_: &Request| {
            Response::text(200, "text/plain", "active rules")
        })
        .put("/api/v1/rules/:id", |req: &Request| {
            match req.json::<Rule>() {
                Ok(rule) => Response::json(201, &rule),
                Err(resp) => resp,
            }
        })
        .post("//ingest", |req: &Request| {
            Response::text(
                200,
                "text/plain",
                format!("ingested {} bytes", req.body.len()),
            )
        })
        .post("/echo", |req: &Request| {
            Response::text(200, "application/octet-stream", req.body.clone())
        })
        .get("/panic", |_: &Request| -> Response {
            panic!("secret panic detail: db password leaked")
        })
}

fn assert_json(resp: &RawResponse, status: u16, body: &str) {
    assert_eq!(resp.status, status, "body: {}", resp.text());
    // Compared as JSON values: key order is the serializer's business, not the contract's.
    let got: serde_json::Value = serde_json::from_slice(&resp.body).expect("JSON body");
    let want: serde_json::Value = serde_json::from_str(body).expect("JSON expectation");
    assert_eq!(got, want);
    assert_eq!(resp.header("content-type"), Some("application/json"));
}

fn assert_uuid_v4(id: &str) {
    let parsed = uuid::Uuid::parse_str(id).expect("correlation id should be a UUID");
    assert_eq!(parsed.get_version_num(), 4);
}

#[test]
fn routes_with_params_and_query() {
    let srv = start(app_router(), 2, None);
    let resp = request(
        srv.addr,
        &build("GET", "/api/v1/rules/cpu%20high?verbose=yes%21", &[], ""),
    );
    assert_json(
        &resp,
        200,
        r#"{"id":"cpu high","route":"/api/v1/rules/:id","verbose":"yes!"}"#,
    );

    // A literal template beats a parameter template.
    let resp = request(srv.addr, &build("GET", "/api/v1/rules/active", &[], ""));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "active rules");
    assert_eq!(resp.header("content-type"), Some("text/plain"));
}

#[test]
fn json_body_parsing() {
    let srv = start(app_router(), 2, None);
    let cid = [("X-Correlation-ID", "json-1")];
    let ok = request(
        srv.addr,
        &build(
            "PUT",
            "/api/v1/rules/1",
            &cid,
            r#"{"name":"cpu","threshold":90}"#,
        ),
    );
    assert_json(&ok, 201, r#"{"name":"cpu","threshold":90}"#);

    let bad = request(
        srv.addr,
        &build("PUT", "/api/v1/rules/1", &cid, "{\"name\":"),
    );
    assert_json(
        &bad,
        400,
        r#"{"error":"unexpected end of JSON input at line 1, column 8","correlation_id":"json-1"}"#,
    );
}

#[test]
fn not_found_and_method_not_allowed() {
    let srv = start(app_router(), 2, None);
    let cid = [("X-Correlation-ID", "req-404")];
    let resp = request(srv.addr, &build("GET", "/nope", &cid, ""));
    assert_json(
        &resp,
        404,
        r#"{"error":"not found","correlation_id":"req-404"}"#,
    );
    assert_eq!(resp.header("allow"), None);

    let cid = [("X-Correlation-ID", "req-405")];
    let resp = request(srv.addr, &build("DELETE", "/api/v1/rules/7", &cid, ""));
    assert_json(
        &resp,
        405,
        r#"{"error":"method not allowed","correlation_id":"req-405"}"#,
    );
    assert_eq!(resp.header("allow"), Some("GET, PUT"));
}

#[test]
fn double_slash_ingest_route_is_literal() {
    let srv = start(app_router(), 2, None);
    let resp = request(srv.addr, &build("POST", "//ingest", &[], "hello"));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "ingested 5 bytes");

    let cid = [("X-Correlation-ID", "single")];
    let resp = request(srv.addr, &build("POST", "/ingest", &cid, "hello"));
    assert_json(
        &resp,
        404,
        r#"{"error":"not found","correlation_id":"single"}"#,
    );
}

#[test]
fn correlation_id_is_echoed_or_replaced() {
    let srv = start(app_router(), 2, None);

    let valid = "abc-DEF_123.x:y";
    let resp = request(
        srv.addr,
        &build(
            "GET",
            "/api/v1/rules/active",
            &[("x-correlation-id", valid)],
            "",
        ),
    );
    assert_eq!(resp.status, 200);
    assert_eq!(resp.header("X-Correlation-ID"), Some(valid));

    let max_len = "a".repeat(128);
    let resp = request(
        srv.addr,
        &build(
            "GET",
            "/api/v1/rules/active",
            &[("X-Correlation-ID", &max_len)],
            "",
        ),
    );
    assert_eq!(resp.header("X-Correlation-ID"), Some(max_len.as_str()));

    let too_long = "a".repeat(200);
    for bad in ["has space", "semi;colon", too_long.as_str()] {
        let resp = request(
            srv.addr,
            &build("GET", "/nope", &[("X-Correlation-ID", bad)], ""),
        );
        assert_eq!(resp.status, 404);
        let id = resp
            .header("X-Correlation-ID")
            .expect("id header")
            .to_owned();
        assert_ne!(id, bad);
        assert_uuid_v4(&id);
        // The envelope carries the same replacement id as the header.
        assert_eq!(
            resp.text(),
            format!(r#"{{"error":"not found","correlation_id":"{id}"}}"#)
        );
    }

    // No header at all also gets a fresh id.
    let resp = request(srv.addr, &build("GET", "/api/v1/rules/active", &[], ""));
    assert_uuid_v4(resp.header("X-Correlation-ID").expect("id header"));
}

#[test]
fn oversized_body_gets_413() {
    let srv = start(app_router(), 2, None);
    let cid = [("X-Correlation-ID", "big")];
    let at_limit = "x".repeat(TEST_LIMITS.max_body_bytes);
    let resp = request(srv.addr, &build("POST", "/echo", &cid, &at_limit));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), at_limit);

    let over = "x".repeat(TEST_LIMITS.max_body_bytes + 1);
    let resp = request(srv.addr, &build("POST", "/echo", &cid, &over));
    assert_json(
        &resp,
        413,
        r#"{"error":"request body too large","correlation_id":"big"}"#,
    );

    // Declared far larger than the limit: rejected without waiting for the body.
    let mut conn = Conn::open(srv.addr).expect("connect");
    let resp = conn
        .request(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: big\r\nContent-Length: 10000000\r\n\r\nxx",
        )
        .expect("response");
    assert_json(
        &resp,
        413,
        r#"{"error":"request body too large","correlation_id":"big"}"#,
    );

    // Chunked bodies have no declared length; the limit applies to what is actually read.
    let chunk = "y".repeat(40);
    let chunked = format!(
        "POST /echo HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: big\r\nTransfer-Encoding: chunked\r\n\r\n\
         28\r\n{chunk}\r\n28\r\n{chunk}\r\n0\r\n\r\n"
    );
    let resp = request(srv.addr, &chunked);
    assert_json(
        &resp,
        413,
        r#"{"error":"request body too large","correlation_id":"big"}"#,
    );
}

#[test]
fn absurd_declared_length_gets_413_and_server_keeps_serving() {
    // Refused from the declared length alone, before a byte of the body is read, whatever the
    // route; the rest of the "body" is never read, so the connection is closed.
    let srv = start(app_router(), 1, None);
    for target in ["/echo", "/nope"] {
        let mut conn = Conn::open(srv.addr).expect("connect");
        let raw = format!(
            "POST {target} HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: huge\r\nContent-Length: 100000000000\r\n\r\nabc"
        );
        let resp = conn.request(raw.as_bytes()).expect("response");
        assert_json(
            &resp,
            413,
            r#"{"error":"request body too large","correlation_id":"huge"}"#,
        );
        assert_eq!(resp.header("connection"), Some("close"));
        assert!(conn.read_response().is_err(), "connection must be closed");
    }
    // With `Expect: 100-continue` the client is told 413 instead of being invited to send.
    let mut conn = Conn::open(srv.addr).expect("connect");
    let resp = conn
        .request(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: huge\r\nExpect: 100-continue\r\nContent-Length: 100000000000\r\n\r\n",
        )
        .expect("response");
    assert_eq!(resp.status, 413);
    let resp = request(srv.addr, &build("POST", "/echo", &[], "still alive"));
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "still alive");
}

#[test]
fn unparsable_content_length_is_rejected() {
    // hyper refuses a Content-Length it cannot parse while reading the head, before routing,
    // so the answer is its own bare 400 (no JSON envelope) and the connection is closed rather
    // than the body being misread as the next request.
    let srv = start(app_router(), 2, None);
    let mut conn = Conn::open(srv.addr).expect("connect");
    let resp = conn
        .request(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: cl\r\nContent-Length: 99999999999999999999\r\n\r\nabc",
        )
        .expect("response");
    assert_eq!(resp.status, 400);
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(conn.read_response().is_err(), "connection must be closed");
    let resp = request(srv.addr, &build("POST", "/echo", &[], "ok"));
    assert_eq!(resp.status, 200);
}

#[test]
fn oversized_headers_get_431() {
    let srv = start(app_router(), 2, None);
    let big = "v".repeat(TEST_LIMITS.max_header_bytes);
    let resp = request(
        srv.addr,
        &build(
            "GET",
            "/api/v1/rules/active",
            &[("X-Correlation-ID", "hdr"), ("X-Big", &big)],
            "",
        ),
    );
    assert_json(
        &resp,
        431,
        r#"{"error":"request headers too large","correlation_id":"hdr"}"#,
    );

    // Far beyond the limit hyper stops buffering and answers 431 itself, without an envelope.
    let huge = "v".repeat(100 * 1024);
    let mut conn = Conn::open(srv.addr).expect("connect");
    let resp = conn
        .request(build("GET", "/api/v1/rules/active", &[("X-Big", &huge)], "").as_bytes())
        .expect("response");
    assert_eq!(resp.status, 431);
    assert_eq!(resp.header("connection"), Some("close"));
    let resp = request(srv.addr, &build("GET", "/api/v1/rules/active", &[], ""));
    assert_eq!(resp.status, 200);
}

#[test]
fn handler_panic_becomes_500_and_worker_survives() {
    // A single worker slot proves a panic neither leaks the slot nor stops serving.
    let srv = start(app_router(), 1, None);
    let cid = [("X-Correlation-ID", "boom")];
    for _ in 0..2 {
        let resp = request(srv.addr, &build("GET", "/panic", &cid, ""));
        assert_json(
            &resp,
            500,
            r#"{"error":"internal error","correlation_id":"boom"}"#,
        );
        assert!(!resp.text().contains("secret"));
    }
    let resp = request(srv.addr, &build("GET", "/api/v1/rules/active", &[], ""));
    assert_eq!(resp.status, 200);
}

#[test]
fn keep_alive_serves_two_requests_on_one_connection() {
    let srv = start(app_router(), 2, None);
    let mut conn = Conn::open(srv.addr).expect("connect");
    let first = conn
        .request(build("GET", "/api/v1/rules/active", &[], "").as_bytes())
        .expect("first");
    assert_eq!(first.status, 200);
    assert_eq!(first.text(), "active rules");
    assert_ne!(
        first.header("connection").map(str::to_ascii_lowercase),
        Some("close".to_owned())
    );
    let second = conn
        .request(build("POST", "//ingest", &[], "abc").as_bytes())
        .expect("second on same connection");
    assert_eq!(second.status, 200);
    assert_eq!(second.text(), "ingested 3 bytes");
}

#[test]
fn graceful_shutdown_finishes_in_flight_request() {
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let started_tx = std::sync::Mutex::new(started_tx);
    // The handler runs until the test lets it finish: "still in flight" is a fact, not a race.
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let finished = Arc::new(AtomicBool::new(false));
    let finished_in_handler = Arc::clone(&finished);
    let router = Router::new().get("/slow", move |_: &Request| {
        if let Ok(tx) = started_tx.lock() {
            let _ = tx.send(());
        }
        if let Ok(rx) = release_rx.lock() {
            let _ = rx.recv_timeout(Duration::from_secs(30));
        }
        finished_in_handler.store(true, Ordering::SeqCst);
        Response::text(200, "text/plain", "slow done")
    });

    let shutdown = Shutdown::new();
    let server = Server::bind("127.0.0.1:0", Limits::default()).expect("bind");
    let addr = server.local_addr();
    let runner_shutdown = shutdown.clone();
    let finished_at_return = Arc::clone(&finished);
    let runner = thread::spawn(move || {
        let result = server.run(router, 2, &runner_shutdown);
        (result, finished_at_return.load(Ordering::SeqCst))
    });

    let client = thread::spawn(move || request(addr, &build("GET", "/slow", &[], "")));
    started_rx
        .recv_timeout(common::http_client::IO_TIMEOUT)
        .expect("handler started");
    shutdown.trigger();

    // While the slow request is still running, the listener is already closed, so nothing
    // new gets an answer.
    assert!(
        eventually_refused(addr),
        "the listener stays open while a request drains"
    );
    assert!(
        !finished.load(Ordering::SeqCst),
        "handler should still be running"
    );
    assert_not_served(addr);
    release_tx.send(()).unwrap();

    let resp = client.join().expect("client thread");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "slow done");
    assert_eq!(resp.header("content-length"), Some("9"));

    let (result, handler_done_before_return) = runner.join().expect("runner thread");
    result.expect("run returns Ok after shutdown");
    assert!(
        handler_done_before_return,
        "run returned before the in-flight handler finished"
    );

    assert_not_served(addr);
    assert!(eventually_refused(addr), "listener must be closed");
}

/// Allows the server thread a while to close the listener.
fn eventually_refused(addr: SocketAddr) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if TcpStream::connect(addr).is_err() {
            return true;
        }
        thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A new connection is either refused or gets no successful response.
fn assert_not_served(addr: SocketAddr) {
    let Ok(mut conn) = Conn::open(addr) else {
        return;
    };
    let _ = conn.set_read_timeout(Duration::from_millis(300));
    if let Ok(resp) = conn.request(build("GET", "/slow", &[], "").as_bytes()) {
        assert_eq!(resp.status, 503, "unexpectedly served: {}", resp.text());
    }
}

#[test]
fn idle_server_stops_promptly() {
    let srv = start(Router::new(), 3, None);
    let started = Instant::now();
    let mut srv = srv;
    srv.shutdown.trigger();
    srv.handle
        .take()
        .expect("handle")
        .join()
        .expect("clean stop");
    assert!(started.elapsed() < Duration::from_secs(2));
}

fn health_router(ready: Arc<AtomicBool>, registry: &prometheus::Registry) -> Router {
    HealthRoutes {
        service: "mutt-test".to_owned(),
        version: "1.2.3".to_owned(),
        pod: "pod-0".to_owned(),
        readiness: Arc::new(move || {
            let redis = if ready.load(Ordering::SeqCst) {
                Ok(())
            } else {
                Err("connection refused\nstack backtrace: ...".to_owned())
            };
            vec![("redis".to_owned(), redis), ("config".to_owned(), Ok(()))]
        }),
    }
    .add_to(app_router(), registry.clone())
}

#[test]
fn health_endpoints() {
    let registry = prometheus::Registry::new();
    let ready = Arc::new(AtomicBool::new(true));
    let srv = start(
        health_router(Arc::clone(&ready), &registry),
        2,
        Some(&registry),
    );

    let resp = request(srv.addr, &build("GET", "/health", &[], ""));
    assert_json(
        &resp,
        200,
        r#"{"status":"healthy","service":"mutt-test","version":"1.2.3","pod":"pod-0"}"#,
    );
    let resp = request(srv.addr, &build("GET", "/health/ready", &[], ""));
    assert_json(
        &resp,
        200,
        r#"{"status":"ready","checks":{"config":"ok","redis":"ok"}}"#,
    );
    let resp = request(srv.addr, &build("GET", "/health/live", &[], ""));
    assert_json(&resp, 200, r#"{"status":"alive"}"#);

    ready.store(false, Ordering::SeqCst);
    let resp = request(srv.addr, &build("GET", "/health", &[], ""));
    assert_json(
        &resp,
        503,
        r#"{"status":"unhealthy","service":"mutt-test","version":"1.2.3","pod":"pod-0","errors":["redis: connection refused"]}"#,
    );
    let resp = request(srv.addr, &build("GET", "/health/ready", &[], ""));
    assert_json(
        &resp,
        503,
        r#"{"status":"not_ready","checks":{"config":"ok","redis":"connection refused"}}"#,
    );
    let resp = request(srv.addr, &build("GET", "/health/live", &[], ""));
    assert_json(&resp, 200, r#"{"status":"alive"}"#);
}

#[test]
fn metrics_use_route_templates() {
    let registry = prometheus::Registry::new();
    let ready = Arc::new(AtomicBool::new(true));
    let srv = start(health_router(ready, &registry), 2, Some(&registry));

    assert_eq!(
        request(srv.addr, &build("GET", "/api/v1/rules/42", &[], "")).status,
        200
    );
    assert_eq!(
        request(srv.addr, &build("GET", "/api/v1/rules/43", &[], "")).status,
        200
    );
    assert_eq!(
        request(srv.addr, &build("GET", "/secret/raw/path", &[], "")).status,
        404
    );
    assert_eq!(
        request(srv.addr, &build("PATCH", "/api/v1/rules/1", &[], "")).status,
        405
    );
    assert_eq!(request(srv.addr, &build("BREW", "/x", &[], "")).status, 404);

    let resp = request(srv.addr, &build("GET", "/metrics", &[], ""));
    assert_eq!(resp.status, 200);
    assert_eq!(
        resp.header("content-type"),
        Some("text/plain; version=0.0.4")
    );
    let text = resp.text();
    for expected in [
        r#"test_http_requests_total{method="GET",route="/api/v1/rules/:id",status="200"} 2"#,
        r#"test_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"test_http_requests_total{method="PATCH",route="/api/v1/rules/:id",status="405"} 1"#,
        r#"test_http_requests_total{method="OTHER",route="unmatched",status="404"} 1"#,
        r#"test_http_request_duration_seconds_count{method="GET",route="/api/v1/rules/:id"} 2"#,
    ] {
        assert!(text.contains(expected), "missing {expected} in:\n{text}");
    }
    assert!(!text.contains("/secret/raw/path"));
    assert!(!text.contains("BREW"));
}

#[test]
fn keep_alive_burst_is_not_starved() {
    // Regression: tiny_http queued new connections behind pool threads that each served one
    // long-lived keep-alive connection, so some clients got no answer until others
    // disconnected. Every client therefore keeps its connection open until all are done.
    const CLIENTS: usize = 64;
    const REQUESTS: usize = 50;
    let srv = start(app_router(), 4, None);
    // Connecting in a tight loop from one thread is the burst that used to starve clients.
    let conns: Vec<Conn> = (0..CLIENTS)
        .map(|_| Conn::open(srv.addr).expect("connect"))
        .collect();
    let done = Arc::new(std::sync::Barrier::new(CLIENTS));
    let clients: Vec<_> = conns
        .into_iter()
        .enumerate()
        .map(|(i, conn)| {
            let done = Arc::clone(&done);
            thread::spawn(move || {
                let result = keep_alive_client(conn, i, REQUESTS);
                // Errors are returned, not panicked, so every client reaches this barrier.
                done.wait();
                result
            })
        })
        .collect();
    let mut worst = Duration::ZERO;
    for client in clients {
        match client.join().expect("client thread") {
            Ok(slowest) => worst = worst.max(slowest),
            Err(err) => panic!("a keep-alive client failed: {err}"),
        }
    }
    assert!(
        worst < Duration::from_secs(1),
        "slowest request took {worst:?}"
    );
}

/// Sends `requests` requests on one connection; returns the slowest round trip.
fn keep_alive_client(mut conn: Conn, id: usize, requests: usize) -> Result<Duration, String> {
    // Well past the 1 s bound, so a starved client fails the test instead of hanging it.
    conn.set_read_timeout(Duration::from_secs(3))
        .map_err(|e| format!("client {id}: {e}"))?;
    let mut worst = Duration::ZERO;
    for n in 0..requests {
        let body = format!("{id}-{n}");
        let sent = Instant::now();
        let resp = conn
            .request(build("POST", "/echo", &[], &body).as_bytes())
            .map_err(|e| format!("client {id}, request {n}: {e}"))?;
        worst = worst.max(sent.elapsed());
        if resp.status != 200 || resp.text() != body {
            return Err(format!(
                "client {id}, request {n}: {} {}",
                resp.status,
                resp.text()
            ));
        }
    }
    Ok(worst)
}

#[test]
fn non_ascii_header_value_reaches_handler() {
    let router = Router::new().get("/x-test", |req: &Request| {
        Response::json(200, &serde_json::json!({ "x_test": req.header("X-Test") }))
    });
    let srv = start(router, 2, None);
    let mut conn = Conn::open(srv.addr).expect("connect");
    // UTF-8 bytes arrive as the string they spell, so e.g. an API key simply fails to match.
    let resp = conn
        .request("GET /x-test HTTP/1.1\r\nHost: t\r\nX-Test: t\u{e9}st\r\n\r\n".as_bytes())
        .expect("response");
    assert_json(&resp, 200, "{\"x_test\":\"t\u{e9}st\"}");
    // Bytes that are not UTF-8 (Latin-1 `é`) still arrive, lossily decoded.
    let resp = conn
        .request(b"GET /x-test HTTP/1.1\r\nHost: t\r\nX-Test: t\xe9st\r\n\r\n")
        .expect("response on the same connection");
    assert_json(&resp, 200, "{\"x_test\":\"t\u{fffd}st\"}");
    let resp = conn
        .request(build("GET", "/x-test", &[], "").as_bytes())
        .expect("response on the same connection");
    assert_json(&resp, 200, r#"{"x_test":null}"#);
}

#[test]
fn expect_headers_do_not_break_requests() {
    let srv = start(app_router(), 2, None);
    let mut conn = Conn::open(srv.addr).expect("connect");
    let resp = conn
        .request(build("POST", "/echo", &[("Expect", "something-else")], "abc").as_bytes())
        .expect("response");
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "abc");

    // 100-continue: the head goes first, the body only after the interim 100.
    let stream = TcpStream::connect(srv.addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    (&stream)
        .write_all(
            b"POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n",
        )
        .expect("send head");
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("interim");
    assert!(status_line.starts_with("HTTP/1.1 100"), "{status_line:?}");
    let mut blank = String::new();
    reader.read_line(&mut blank).expect("end of interim");
    assert_eq!(blank, "\r\n");
    (&stream).write_all(b"xyz").expect("send body");
    let mut status_line = String::new();
    reader.read_line(&mut status_line).expect("final");
    assert!(status_line.starts_with("HTTP/1.1 200"), "{status_line:?}");
}

fn timeout_limits() -> Limits {
    Limits {
        header_read_timeout: Duration::from_millis(300),
        body_read_timeout: Duration::from_millis(300),
        ..TEST_LIMITS
    }
}

#[test]
fn stalled_clients_are_cut_off() {
    let srv = start_with_limits(app_router(), 2, None, timeout_limits());

    // Half a head, then silence (slowloris): closed without an answer.
    let mut conn = Conn::open(srv.addr).expect("connect");
    conn.send(b"POST /echo HTTP/1.1\r\nHost: t\r\n")
        .expect("send partial head");
    let started = Instant::now();
    assert!(
        conn.read_response().is_err(),
        "expected the connection to close"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // A whole head, then only part of the body: 408 envelope, then closed.
    let mut conn = Conn::open(srv.addr).expect("connect");
    let started = Instant::now();
    let resp = conn
        .request(b"POST /echo HTTP/1.1\r\nHost: t\r\nX-Correlation-ID: slow\r\nContent-Length: 10\r\n\r\nabc")
        .expect("408 response");
    assert_json(
        &resp,
        408,
        r#"{"error":"timed out reading request body","correlation_id":"slow"}"#,
    );
    assert_eq!(resp.header("connection"), Some("close"));
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert!(conn.read_response().is_err(), "connection must be closed");

    // The header timeout also ends keep-alive connections left idle that long.
    let mut conn = Conn::open(srv.addr).expect("connect");
    let resp = conn
        .request(build("POST", "/echo", &[], "fast").as_bytes())
        .expect("response");
    assert_eq!(resp.status, 200);
    let started = Instant::now();
    assert!(
        conn.read_response().is_err(),
        "idle connection should close"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // Meanwhile the server serves everyone else.
    let resp = request(srv.addr, &build("POST", "/echo", &[], "ok"));
    assert_eq!(resp.status, 200);
}

#[test]
fn shutdown_with_idle_keep_alive_connection_is_prompt() {
    let mut srv = start(app_router(), 2, None);
    let mut idle = Conn::open(srv.addr).expect("connect");
    let resp = idle
        .request(build("GET", "/api/v1/rules/active", &[], "").as_bytes())
        .expect("response");
    assert_eq!(resp.status, 200);

    let started = Instant::now();
    srv.shutdown.trigger();
    srv.handle
        .take()
        .expect("handle")
        .join()
        .expect("clean stop");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The idle connection was closed by the server, not left dangling.
    assert!(idle.read_response().is_err());
    assert!(eventually_refused(srv.addr), "listener must be closed");
}

/// Asserts that `addr` refuses a body declared past `max_body` with 413 and a head past the
/// default header limit with 431, on a route that exists (`/health`).
fn assert_listener_limits(addr: SocketAddr, max_body: usize) {
    let mut conn = Conn::open(addr).expect("connect");
    let head = format!(
        "POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\nxx",
        max_body + 1
    );
    let resp = conn.request(head.as_bytes()).expect("response");
    assert_eq!(resp.status, 413, "{addr}: {}", resp.text());

    let big = "v".repeat(Limits::default().max_header_bytes + 1);
    let resp = request(addr, &build("GET", "/health", &[("X-Big", &big)], ""));
    assert_eq!(resp.status, 431, "{addr}: {}", resp.text());
    // Still serving afterwards.
    let resp = request(addr, &build("GET", "/health/live", &[], ""));
    assert_eq!(resp.status, 200, "{addr}: {}", resp.text());
}

#[test]
fn probe_listeners_apply_the_default_limits() {
    // The alerter, forwarder and remediation health/metrics ports are all served by this.
    let shutdown = Shutdown::new();
    let routes = HealthRoutes {
        service: "probe-test".into(),
        version: "0".into(),
        pod: "pod".into(),
        readiness: Arc::new(Vec::new),
    };
    let handles = routes
        .serve_on(
            "127.0.0.1",
            &[0, 0],
            prometheus::Registry::new(),
            None,
            &shutdown,
        )
        .expect("serve probes");
    for handle in &handles {
        assert_listener_limits(handle.local_addr(), Limits::default().max_body_bytes);
    }
    shutdown.trigger();
    for handle in handles {
        handle.join().expect("probe server stopped");
    }
}

#[test]
fn mock_moog_listener_applies_limits() {
    use mutt::dev::mock_moog::{self, MockMoogArgs};
    let shutdown = Shutdown::new();
    let args = MockMoogArgs {
        port: Some(0),
        ..MockMoogArgs::default()
    };
    let handle = mock_moog::start(&args, &shutdown).expect("start mock-moog");
    // mock-moog takes batches up to 16 MiB.
    assert_listener_limits(handle.local_addr(), 16 * 1024 * 1024);
    shutdown.trigger();
    handle.join().expect("mock-moog stopped");
}
