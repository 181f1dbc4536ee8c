//! End-to-end tests of `mutt load` against a tiny keep-alive HTTP/1.1 server on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use clap::Parser;
use mutt::dev::load::{parse_duration, print_report, run, LoadArgs, LoadError};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// 200 with Content-Length.
    Ok,
    /// 503 for every third request (server-wide), 200 otherwise.
    EveryThird503,
    /// 200 with a chunked body.
    Chunked,
    /// Reads requests and never answers.
    Silent,
    /// Answers 200 as if keeping the connection, then closes it (an idle-timeout race).
    CloseAfterEach,
}

/// One request as the server saw it.
#[derive(Clone)]
struct Seen {
    content_type: String,
    api_key: Option<String>,
    body: Vec<u8>,
}

struct TestServer {
    url: String,
    connections: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl TestServer {
    fn start(mode: Mode) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind test server");
        let addr = listener.local_addr().expect("local addr");
        let server = TestServer {
            url: format!("http://{addr}/api/v2/ingest"),
            connections: Arc::new(AtomicU64::new(0)),
            requests: Arc::new(AtomicU64::new(0)),
            seen: Arc::new(Mutex::new(Vec::new())),
        };
        let (connections, requests, seen) = (
            Arc::clone(&server.connections),
            Arc::clone(&server.requests),
            Arc::clone(&server.seen),
        );
        // The accept loop lives until the test process exits; every client run is bounded.
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                connections.fetch_add(1, Ordering::SeqCst);
                let (requests, seen) = (Arc::clone(&requests), Arc::clone(&seen));
                thread::spawn(move || serve(stream, mode, &requests, &seen));
            }
        });
        server
    }
}

fn serve(stream: TcpStream, mode: Mode, requests: &AtomicU64, seen: &Mutex<Vec<Seen>>) {
    let _ = stream.set_nodelay(true);
    let Ok(mut writer) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut content_length = 0usize;
        let mut content_type = String::new();
        let mut api_key = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim().to_owned();
                match name.to_ascii_lowercase().as_str() {
                    "content-length" => content_length = value.parse().unwrap_or(0),
                    "content-type" => content_type = value,
                    "x-api-key" => api_key = Some(value),
                    _ => {}
                }
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let accepted = body
            .split(|b| *b == b'\n')
            .filter(|l| !l.is_empty())
            .count();
        let n = requests.fetch_add(1, Ordering::SeqCst) + 1;
        if let Ok(mut seen) = seen.lock() {
            seen.push(Seen {
                content_type,
                api_key,
                body,
            });
        }
        let response = match mode {
            Mode::Silent => continue,
            Mode::EveryThird503 if n.is_multiple_of(3) => {
                let body = r#"{"error":"queue full"}"#;
                format!(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            }
            Mode::Chunked => {
                let body = format!(r#"{{"status":"queued","accepted":{accepted}}}"#);
                let (a, b) = body.split_at(body.len() / 2);
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x};x=y\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\nX-Trailer: t\r\n\r\n",
                    a.len(),
                    b.len()
                )
            }
            _ => {
                let body = format!(r#"{{"status":"queued","accepted":{accepted}}}"#);
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
            }
        };
        if writer.write_all(response.as_bytes()).is_err() || mode == Mode::CloseAfterEach {
            return;
        }
    }
}

fn args(url: &str) -> LoadArgs {
    LoadArgs {
        url: url.to_owned(),
        api_key: None,
        rate: None,
        concurrency: 4,
        duration: None,
        count: Some(100),
        batch: 1,
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn exact_count_and_keep_alive_reuse() {
    let server = TestServer::start(Mode::Ok);
    let report = run(
        &LoadArgs {
            count: Some(500),
            concurrency: 4,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert_eq!(report.requests, 500);
    assert_eq!(report.events_sent, 500);
    assert_eq!(report.events_accepted, 500);
    assert_eq!(report.status_counts.get("200"), Some(&500));
    assert_eq!(report.status_counts.len(), 1);
    assert_eq!(server.requests.load(Ordering::SeqCst), 500);
    assert_eq!(
        server.connections.load(Ordering::SeqCst),
        4,
        "one connection per worker"
    );
    assert!(report.latency_ms.p50 > 0.0 && report.latency_ms.max >= report.latency_ms.p99);
    assert!(
        report.latency_ms.p99 >= report.latency_ms.p95
            && report.latency_ms.p95 >= report.latency_ms.p50
    );
}

#[test]
fn status_counts_split_200_and_503() {
    let server = TestServer::start(Mode::EveryThird503);
    let report = run(
        &LoadArgs {
            count: Some(300),
            concurrency: 3,
            batch: 2,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert_eq!(report.requests, 300);
    assert_eq!(report.status_counts.get("200"), Some(&200));
    assert_eq!(report.status_counts.get("503"), Some(&100));
    assert_eq!(report.events_sent, 600);
    assert_eq!(report.events_accepted, 400);
    assert_eq!(server.connections.load(Ordering::SeqCst), 3);
}

#[test]
fn ndjson_batches_and_api_key() {
    let server = TestServer::start(Mode::Ok);
    let report = run(
        &LoadArgs {
            count: Some(20),
            concurrency: 2,
            batch: 5,
            api_key: Some("s3cret".into()),
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert_eq!(report.events_sent, 100);
    let seen = server.seen.lock().expect("seen").clone();
    assert_eq!(seen.len(), 20);
    let mut hosts = std::collections::BTreeSet::new();
    for request in &seen {
        assert_eq!(request.content_type, "application/x-ndjson");
        assert_eq!(request.api_key.as_deref(), Some("s3cret"));
        let text = std::str::from_utf8(&request.body).expect("utf-8 body");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        for line in lines {
            let event: serde_json::Value = serde_json::from_str(line).expect("line is JSON");
            assert!(event.is_object());
            for field in ["hostname", "message", "timestamp"] {
                assert!(event[field].is_string(), "{field} missing in {line}");
            }
            hosts.insert(event["hostname"].to_string());
        }
    }
    assert!(hosts.len() > 5, "events should vary: {hosts:?}");
}

#[test]
fn single_event_bodies_are_plain_json() {
    let server = TestServer::start(Mode::Ok);
    run(
        &LoadArgs {
            count: Some(10),
            concurrency: 1,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    let seen = server.seen.lock().expect("seen").clone();
    assert_eq!(seen.len(), 10);
    for request in &seen {
        assert_eq!(request.content_type, "application/json");
        assert_eq!(request.api_key, None);
        let event: serde_json::Value = serde_json::from_slice(&request.body).expect("JSON body");
        assert!(event["hostname"].is_string());
    }
}

#[test]
fn chunked_responses_keep_the_connection() {
    let server = TestServer::start(Mode::Chunked);
    let report = run(
        &LoadArgs {
            count: Some(200),
            concurrency: 4,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert_eq!(
        report.status_counts.get("200"),
        Some(&200),
        "{:?}",
        report.status_counts
    );
    assert_eq!(server.connections.load(Ordering::SeqCst), 4);
}

#[test]
fn stale_keep_alive_connection_is_retried_once() {
    let server = TestServer::start(Mode::CloseAfterEach);
    let report = run(
        &LoadArgs {
            count: Some(50),
            concurrency: 2,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert_eq!(
        report.status_counts.get("200"),
        Some(&50),
        "{:?}",
        report.status_counts
    );
    assert_eq!(
        server.requests.load(Ordering::SeqCst),
        50,
        "no request is sent twice"
    );
}

#[test]
fn open_loop_honours_the_rate() {
    let server = TestServer::start(Mode::Ok);
    let report = run(
        &LoadArgs {
            rate: Some(200.0),
            count: None,
            duration: Some(Duration::from_secs(1)),
            concurrency: 4,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert!(
        (170..=230).contains(&report.requests),
        "expected about 200 requests, got {}",
        report.requests
    );
    assert!(report.elapsed_seconds >= 0.9 && report.elapsed_seconds < 2.0);
}

#[test]
fn default_duration_is_bounded() {
    let server = TestServer::start(Mode::Ok);
    // A low rate keeps the 10 s default cheap while proving the run ends by itself.
    let report = run(
        &LoadArgs {
            rate: Some(20.0),
            count: None,
            duration: None,
            concurrency: 2,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert!(
        report.elapsed_seconds >= 9.5 && report.elapsed_seconds < 12.0,
        "{}",
        report.elapsed_seconds
    );
    assert!(
        (180..=220).contains(&report.requests),
        "{}",
        report.requests
    );
}

#[test]
fn non_loopback_and_bad_arguments_are_refused() {
    for url in [
        "http://10.1.2.3:8080/ingest",
        "http://example.com/ingest",
        "http://[2001:db8::1]/",
    ] {
        assert!(
            matches!(run(&args(url), false), Err(LoadError::NotLoopback { .. })),
            "{url} must be refused"
        );
    }
    let ok_url = "http://127.0.0.1:9/ingest";
    let refused = [
        LoadArgs {
            duration: Some(Duration::from_secs(3601)),
            ..args(ok_url)
        },
        LoadArgs {
            concurrency: 0,
            ..args(ok_url)
        },
        LoadArgs {
            batch: 0,
            ..args(ok_url)
        },
        LoadArgs {
            rate: Some(-1.0),
            ..args(ok_url)
        },
        LoadArgs {
            api_key: Some("a\r\nX-Evil: 1".into()),
            ..args(ok_url)
        },
    ];
    for a in &refused {
        assert!(
            matches!(run(a, false), Err(LoadError::InvalidArgument(_))),
            "{a:?} must be refused"
        );
    }
}

#[test]
fn silent_server_times_out() {
    let server = TestServer::start(Mode::Silent);
    let report = run(
        &LoadArgs {
            count: Some(2),
            concurrency: 1,
            timeout: Duration::from_millis(200),
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    assert_eq!(report.status_counts.get("error:timeout"), Some(&2));
    assert_eq!(report.events_accepted, 0);
    assert_eq!(report.latency_ms.max, 0.0);
}

#[test]
fn refused_connection_is_counted() {
    // A loopback port bound but never listening, held for the test: connections are refused,
    // and no other process can take it meanwhile (a bound-then-dropped port could be).
    let dead = tokio::net::TcpSocket::new_v4().expect("a socket");
    dead.bind("127.0.0.1:0".parse().unwrap()).expect("bind");
    let port = dead.local_addr().expect("bound address").port();
    let report = run(
        &LoadArgs {
            count: Some(3),
            concurrency: 1,
            ..args(&format!("http://127.0.0.1:{port}/ingest"))
        },
        false,
    )
    .expect("run");
    assert_eq!(report.requests, 3);
    assert_eq!(report.status_counts.get("error:connect"), Some(&3));
}

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    load: LoadArgs,
}

#[test]
fn cli_defaults_and_duration_syntax() {
    let cli = Cli::try_parse_from(["load"]).expect("defaults parse");
    assert_eq!(cli.load.url, "http://127.0.0.1:8080/ingest");
    assert_eq!(cli.load.concurrency, 32);
    assert_eq!(cli.load.batch, 1);
    assert_eq!(cli.load.timeout, Duration::from_secs(5));
    assert_eq!(cli.load.duration, None);
    let cli = Cli::try_parse_from([
        "load",
        "--duration",
        "2m",
        "--timeout",
        "250ms",
        "--rate",
        "1000",
    ])
    .expect("parse");
    assert_eq!(cli.load.duration, Some(Duration::from_secs(120)));
    assert_eq!(cli.load.timeout, Duration::from_millis(250));
    assert_eq!(cli.load.rate, Some(1000.0));
    assert!(Cli::try_parse_from(["load", "--duration", "soon"]).is_err());
    assert_eq!(parse_duration("45"), Ok(Duration::from_secs(45)));
}

#[test]
fn report_prints_as_text_and_json() {
    let server = TestServer::start(Mode::Ok);
    let report = run(
        &LoadArgs {
            count: Some(10),
            concurrency: 1,
            ..args(&server.url)
        },
        false,
    )
    .expect("run");
    let mut text = Vec::new();
    print_report(&report, false, &mut text).expect("text");
    let text = String::from_utf8(text).expect("utf-8");
    assert!(text.contains("requests") && text.contains("200") && text.contains("p99"));
    let mut json = Vec::new();
    print_report(&report, true, &mut json).expect("json");
    let value: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(value["requests"], 10);
    assert_eq!(value["status_counts"]["200"], 10);
    assert!(value["latency_ms"]["p95"].is_number());
}

#[test]
fn json_output_on_a_terminal_draws_no_bar() {
    let server = TestServer::start(Mode::Ok);
    let done = common::pty::Terminal::spawn(
        &[
            "-o",
            "json",
            "load",
            "--url",
            &server.url,
            "--count",
            "3000",
        ],
        &[],
        false,
    )
    .finish();
    done.assert_no_bar(&["requests"]);
    let report: serde_json::Value = serde_json::from_str(&done.stdout).expect("stdout is JSON");
    assert_eq!(report["requests"], 3000, "{report}");
}
