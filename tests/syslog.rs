//! `mutt syslog serve` black-box: util-linux `logger` and raw sockets against the real binary,
//! real Redis behind it. rsyslogd as the sender is in tests/syslog_rsyslog.rs.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use mutt::dev::services::{RedisOptions, RedisServer};
use redis::Commands;
use serde_json::Value;
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::Command;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(20);

struct Receiver {
    t: TestEnv,
    daemon: Daemon,
    redis: redis::Connection,
}

/// A receiver with the transports in `listen` (e.g. `["--tcp", "127.0.0.1:0"]`) and `extra` env.
fn start(listen: &[&str], extra: &[(&str, &str)]) -> Receiver {
    start_on(TestEnv::new(), None, listen, extra)
}

fn start_on(
    t: TestEnv,
    redis_port: Option<u16>,
    listen: &[&str],
    extra: &[(&str, &str)],
) -> Receiver {
    let mut env = t.env();
    if let Some(p) = redis_port {
        env.retain(|(k, _)| k != "REDIS_PORT");
        env.push(("REDIS_PORT".into(), p.to_string()));
    }
    for (k, v) in extra {
        env.retain(|(name, _)| name != k);
        env.push((k.to_string(), v.to_string()));
    }
    let mut args = vec!["syslog", "serve"];
    args.extend_from_slice(listen);
    let daemon = Daemon::start(&args, &env);
    let redis = common::redis_at(redis_port.unwrap_or_else(|| common::services().redis.port()));
    Receiver { t, daemon, redis }
}

impl Receiver {
    fn queue(&self) -> String {
        format!("{}:ingest_queue", self.t.prefix)
    }

    /// Queued events, oldest first.
    fn events(&mut self) -> Vec<Value> {
        let q = self.queue();
        common::json_list(&mut self.redis, &q)
    }

    fn depth(&mut self) -> usize {
        let q = self.queue();
        self.redis.llen(&q).unwrap()
    }

    /// Wait until `n` events are queued and return them.
    fn wait_events(&mut self, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + WAIT;
        loop {
            let got = self.events();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "{} of {n} events queued: {got:?}\n{}",
                got.len(),
                self.daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn addr(&self, setting: &str) -> SocketAddr {
        self.daemon.listener(setting)
    }

    /// The value of one sample of `/metrics` (0 when the series does not exist yet).
    fn metric(&self, series: &str) -> f64 {
        let metrics = self.daemon.listener("METRICS_PORT_SYSLOG");
        let body = common::http_client::request(
            metrics,
            &common::http_client::build("GET", "/metrics", &[], ""),
        )
        .body;
        String::from_utf8_lossy(&body)
            .lines()
            .find_map(|l| l.strip_prefix(series).and_then(|v| v.trim().parse().ok()))
            .unwrap_or(0.0)
    }

    fn wait_metric(&self, series: &str, at_least: f64) -> f64 {
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self.metric(series);
            if v >= at_least {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "{series} = {v}, want >= {at_least}\n{}",
                self.daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn logger(args: &[&str]) {
    let out = Command::new("logger")
        .args(args)
        .output()
        .expect("logger (util-linux) is not installed: run scripts/setup.sh");
    assert!(
        out.status.success(),
        "logger {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

fn find<'a>(events: &'a [Value], message: &str) -> &'a Value {
    events
        .iter()
        .find(|e| e["message"] == message)
        .unwrap_or_else(|| panic!("no event with message {message:?} in {events:?}"))
}

#[test]
fn logger_lines_over_udp_and_tcp_become_events_field_by_field() {
    let mut r = start(&["--udp", "127.0.0.1:0", "--tcp", "127.0.0.1:0"], &[]);
    let udp = r.addr("SYSLOG_UDP_PORT").port().to_string();
    let tcp = r.addr("SYSLOG_TCP_PORT").port().to_string();
    let host = host_name();
    // RFC 3164 over UDP, the Cisco-style text a rule matches on.
    let link = "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down";
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &udp,
        "-d",
        "--rfc3164",
        "-p",
        "local7.err",
        "-t",
        "ios",
        link,
    ]);
    // RFC 5424 over UDP with structured data and a MSGID.
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &udp,
        "-d",
        "--rfc5424",
        "-p",
        "daemon.warning",
        "-t",
        "ntpd",
        "--msgid",
        "ID47",
        "--sd-id",
        "origin@32473",
        "--sd-param",
        "ip=\"192.0.2.1\"",
        "clock step",
    ]);
    // TCP, octet counting and LF framing.
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &tcp,
        "-T",
        "--octet-count",
        "-p",
        "auth.info",
        "-t",
        "sshd",
        "counted over tcp",
    ]);
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &tcp,
        "-T",
        "--rfc3164",
        "-p",
        "user.notice",
        "-t",
        "app",
        "lf over tcp",
    ]);
    let events = r.wait_events(4);
    assert_eq!(events.len(), 4, "{events:?}");

    let e = find(&events, link);
    assert_eq!(e["hostname"], host.as_str());
    assert_eq!(e["program"], "ios");
    assert_eq!(e["facility"], "local7");
    assert_eq!(e["severity"], "err");
    assert_eq!(e["syslog_severity"], 3);
    assert_eq!(e["source"], "syslog");
    assert_eq!(e["_source_ip"], "127.0.0.1");
    for stamp in [
        "_event_id",
        "_received_at",
        "_correlation_id",
        "_traceparent",
    ] {
        assert!(
            e[stamp].as_str().is_some_and(|s| !s.is_empty()),
            "{stamp}: {e}"
        );
    }
    assert!(
        chrono::DateTime::parse_from_rfc3339(e["timestamp"].as_str().unwrap()).is_ok(),
        "{e}"
    );

    let e = find(&events, "clock step");
    assert_eq!(e["program"], "ntpd");
    assert_eq!(e["facility"], "daemon");
    assert_eq!(e["severity"], "warning");
    assert_eq!(e["syslog_severity"], 4);
    assert_eq!(e["msgid"], "ID47");
    assert_eq!(
        e["structured_data"]["origin@32473"]["ip"], "192.0.2.1",
        "{e}"
    );

    let e = find(&events, "counted over tcp");
    assert_eq!(
        (e["facility"].as_str(), e["syslog_severity"].as_u64()),
        (Some("auth"), Some(6))
    );
    assert_eq!(e["program"], "sshd");
    let e = find(&events, "lf over tcp");
    assert_eq!(
        (e["facility"].as_str(), e["syslog_severity"].as_u64()),
        (Some("user"), Some(5))
    );
    assert_eq!(e["hostname"], host.as_str());

    // Every event carries its own id.
    let mut ids: Vec<&str> = events
        .iter()
        .map(|e| e["_event_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4);
    assert_eq!(
        r.metric("mutt_syslog_messages_queued_total{transport=\"udp\"}"),
        2.0
    );
    assert_eq!(
        r.metric("mutt_syslog_messages_queued_total{transport=\"tcp\"}"),
        2.0
    );
    common::wait_for(WAIT, "the connection gauge back at 0", || {
        r.metric("mutt_syslog_connections{transport=\"tcp\"}") == 0.0
    });
}

#[test]
fn bad_input_becomes_events_and_a_bad_octet_count_closes_only_its_connection() {
    let mut r = start(
        &["--tcp", "127.0.0.1:0"],
        &[("SYSLOG_MAX_MESSAGE_BYTES", "480")],
    );
    let tcp = r.addr("SYSLOG_TCP_PORT");
    let mut good = TcpStream::connect(tcp).unwrap();
    // No syslog format, invalid UTF-8, and a message over the limit: all stored, all counted.
    let long = format!("<13>Mar  1 18:46:11 h app: {}", "x".repeat(1000));
    good.write_all(b"just some words\n").unwrap();
    good.write_all(b"<13>Mar  1 18:46:11 h app: relayed#011by#012rsyslog\n")
        .unwrap();
    good.write_all(b"<14>Mar  1 18:46:11 h app: caf\xe9 au lait\n")
        .unwrap();
    good.write_all(format!("{long}\n").as_bytes()).unwrap();
    let events = r.wait_events(4);
    let whole = find(&events, "just some words");
    assert_eq!(whole["hostname"], "127.0.0.1", "{whole}");
    find(&events, "relayed\tby\nrsyslog");
    assert_eq!(events[2]["message"], "caf\u{fffd} au lait");
    let cut = events[3]["message"].as_str().unwrap();
    assert!(cut.len() < 480 && cut.starts_with("xxx"), "{cut}");
    assert_eq!(
        r.metric("mutt_syslog_parse_fallbacks_total{transport=\"tcp\"}"),
        1.0
    );
    assert_eq!(
        r.metric("mutt_syslog_invalid_utf8_total{transport=\"tcp\"}"),
        1.0
    );
    assert_eq!(
        r.metric("mutt_syslog_messages_truncated_total{transport=\"tcp\"}"),
        1.0
    );

    // A connection that started octet counting and then sends garbage is closed, with a line
    // naming the peer; the other connection goes on.
    let mut bad = TcpStream::connect(tcp).unwrap();
    let peer = bad.local_addr().unwrap();
    let first = "<13>Mar  1 18:46:11 h app: first ok";
    bad.write_all(format!("{} {first}12x <13>broken", first.len()).as_bytes())
        .unwrap();
    bad.set_read_timeout(Some(WAIT)).unwrap();
    let mut rest = Vec::new();
    let closed = bad.read_to_end(&mut rest);
    assert!(closed.is_ok() || closed.unwrap_err().kind() == ErrorKind::ConnectionReset);
    common::wait_for_log(WAIT, &format!("closing {peer}"), || r.daemon.stderr());
    good.write_all(b"<13>Mar  1 18:46:11 h app: still here\n")
        .unwrap();
    let events = r.wait_events(6);
    find(&events, "first ok");
    find(&events, "still here");
    assert_eq!(
        r.metric("mutt_syslog_frame_errors_total{transport=\"tcp\"}"),
        1.0
    );
}

#[test]
fn a_full_queue_stops_reading_tcp_and_loses_nothing() {
    const LIMIT: usize = 2000;
    const LINES: usize = 120_000;
    let mut r = start(
        &["--tcp", "127.0.0.1:0"],
        &[("MAX_INGEST_QUEUE_SIZE", &LIMIT.to_string())],
    );
    let tcp = r.addr("SYSLOG_TCP_PORT");
    let mut sender = TcpStream::connect(tcp).unwrap();
    let mut data = Vec::new();
    for i in 0..LINES {
        writeln!(
            data,
            "<13>Mar  1 18:46:11 h app: line {i:06} {}",
            "p".repeat(60)
        )
        .unwrap();
    }
    // Write without blocking: a receiver that kept reading while it could not store would take
    // all 10 MB; one that pushes back leaves the sender stuck well before the end.
    sender.set_nonblocking(true).unwrap();
    let mut written = 0;
    let deadline = Instant::now() + WAIT;
    let mut stalled_since = Instant::now();
    while written < data.len() {
        match sender.write(&data[written..]) {
            Ok(n) => {
                written += n;
                stalled_since = Instant::now();
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if stalled_since.elapsed() > Duration::from_secs(1) && r.depth() >= LIMIT - 100 {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("send: {e}"),
        }
        assert!(Instant::now() < deadline, "never pushed back");
    }
    assert!(
        written < data.len(),
        "the receiver read everything with a full queue"
    );
    assert!(r.depth() <= LIMIT, "queue {} over its limit", r.depth());
    assert!(r.metric("mutt_syslog_backpressure_pauses_total{transport=\"tcp\"}") >= 1.0);

    // Drain the queue as an alerter would, while the sender finishes: every line arrives once.
    sender.set_nonblocking(false).unwrap();
    let rest = data[written..].to_vec();
    let writer = std::thread::spawn(move || {
        sender.write_all(&rest).unwrap();
        sender
    });
    let q = r.queue();
    let mut seen = vec![false; LINES];
    let mut count = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while count < LINES {
        let batch: Vec<String> = r
            .redis
            .rpop(&q, std::num::NonZeroUsize::new(1000))
            .unwrap_or_default();
        if batch.is_empty() {
            assert!(
                Instant::now() < deadline,
                "{count} of {LINES} lines arrived\n{}",
                r.daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        for item in batch {
            let v: Value = serde_json::from_str(&item).unwrap();
            let n: usize = v["message"].as_str().unwrap()[5..11].parse().unwrap();
            assert!(!seen[n], "line {n} twice");
            seen[n] = true;
            count += 1;
        }
    }
    drop(writer.join().unwrap());
    assert_eq!(
        r.metric("mutt_syslog_messages_dropped_total{reason=\"queue_full\"}"),
        0.0
    );
}

/// RELP's `rsp 200` means "stored": with the ingest queue full the receiver neither answers nor
/// stores, and answers once an alerter has made room. (TLS shares TCP's stream loop, so the test
/// above covers its pause.)
#[test]
fn a_full_queue_holds_relp_acknowledgements_until_it_drains() {
    let mut r = start(
        &["--relp", "127.0.0.1:0"],
        &[("MAX_INGEST_QUEUE_SIZE", "3")],
    );
    let q = r.queue();
    for i in 0..3 {
        let _: () = r.redis.lpush(&q, format!("{{\"filler\":{i}}}")).unwrap();
    }
    let mut relp = TcpStream::connect(r.addr("SYSLOG_RELP_PORT")).unwrap();
    let offers = "relp_version=0\nrelp_software=test\ncommands=syslog";
    writeln!(relp, "1 open {} {offers}", offers.len()).unwrap();
    let open = read_relp_frame(&mut relp, WAIT);
    assert!(open.starts_with("1 rsp "), "{open:?}");
    assert!(open.contains(" 200 OK"), "{open:?}");
    let line = "<13>Mar  1 18:46:11 h app: held back";
    writeln!(relp, "2 syslog {} {line}", line.len()).unwrap();
    common::eventually(WAIT, "a backpressure pause", || {
        (r.metric("mutt_syslog_backpressure_pauses_total{transport=\"relp\"}") >= 1.0).then_some(())
    });
    // Paused: no answer is on its way while the queue stays full.
    assert_no_answer(&mut relp, "with a full queue");
    assert_eq!(r.depth(), 3);

    let _: Vec<String> = r.redis.rpop(&q, std::num::NonZeroUsize::new(3)).unwrap();
    let rsp = read_relp_frame(&mut relp, WAIT);
    assert_eq!(rsp, "2 rsp 6 200 OK\n");
    let events = r.events();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["message"], "held back");
}

/// Nothing arrives on `relp` for 300 ms (the acknowledgement is being held back `why`).
fn assert_no_answer(relp: &mut TcpStream, why: &str) {
    relp.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut byte = [0u8; 1];
    match relp.read(&mut byte) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("answered {why}: {other:?}"),
    }
}

/// One RELP frame (`TXNR COMMAND LEN [DATA]` and its LF), read byte by byte within `within`.
fn read_relp_frame(stream: &mut TcpStream, within: Duration) -> String {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    // Up to the third space (or the LF of a frame without data).
    while head.iter().filter(|b| **b == b' ').count() < 3 && !head.ends_with(b"\n") {
        stream.read_exact(&mut byte).expect("a RELP frame");
        head.push(byte[0]);
    }
    if head.ends_with(b"\n") {
        return String::from_utf8(head).unwrap();
    }
    let len: usize = String::from_utf8_lossy(&head)
        .split(' ')
        .nth(2)
        .and_then(|n| n.parse().ok())
        .expect("a RELP data length");
    let mut rest = vec![0u8; len + 1];
    stream.read_exact(&mut rest).unwrap();
    head.extend_from_slice(&rest);
    String::from_utf8(head).unwrap()
}

#[test]
fn udp_cannot_push_back_so_its_drops_are_counted() {
    let mut r = start(
        &["--udp", "127.0.0.1:0"],
        &[("MAX_INGEST_QUEUE_SIZE", "10")],
    );
    let udp = r.addr("SYSLOG_UDP_PORT");
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    for i in 0..200 {
        socket
            .send_to(
                format!("<13>Mar  1 18:46:11 h app: datagram {i}").as_bytes(),
                udp,
            )
            .unwrap();
        // Let the receiver see the datagrams in several batches, so the first fill the queue.
        if i % 20 == 19 {
            r.wait_metric(
                "mutt_syslog_messages_received_total{transport=\"udp\"}",
                f64::from(i + 1),
            );
        }
    }
    r.wait_metric(
        "mutt_syslog_messages_received_total{transport=\"udp\"}",
        200.0,
    );
    let deadline = Instant::now() + WAIT;
    loop {
        let queued = r.metric("mutt_syslog_messages_queued_total{transport=\"udp\"}");
        let dropped = r.metric("mutt_syslog_messages_dropped_total{reason=\"queue_full\"}");
        if queued + dropped == 200.0 {
            assert!(
                queued <= 10.0 && dropped >= 190.0,
                "{queued} queued, {dropped} dropped"
            );
            assert_eq!(r.depth() as f64, queued);
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{queued} queued + {dropped} dropped != 200"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn senders_outside_the_allowed_sources_and_over_the_connection_limit_are_refused() {
    let mut r = start(
        &["--udp", "127.0.0.1:0", "--tcp", "127.0.0.1:0"],
        &[("SYSLOG_ALLOWED_SOURCES", "192.0.2.0/24, 2001:db8::/32")],
    );
    let mut tcp = TcpStream::connect(r.addr("SYSLOG_TCP_PORT")).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let _ = tcp.write_all(b"<13>Mar  1 18:46:11 h app: refused\n");
    let mut buf = Vec::new();
    let _ = tcp.read_to_end(&mut buf);
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .send_to(
            b"<13>Mar  1 18:46:11 h app: refused too",
            r.addr("SYSLOG_UDP_PORT"),
        )
        .unwrap();
    r.wait_metric(
        "mutt_syslog_refused_total{reason=\"not_allowed\",transport=\"tcp\"}",
        1.0,
    );
    r.wait_metric(
        "mutt_syslog_refused_total{reason=\"not_allowed\",transport=\"udp\"}",
        1.0,
    );
    assert_eq!(r.depth(), 0);

    let mut r = start(
        &["--tcp", "127.0.0.1:0"],
        &[("SYSLOG_MAX_CONNECTIONS", "1")],
    );
    let tcp = r.addr("SYSLOG_TCP_PORT");
    let mut first = TcpStream::connect(tcp).unwrap();
    first
        .write_all(b"<13>Mar  1 18:46:11 h app: first\n")
        .unwrap();
    r.wait_events(1);
    let mut second = TcpStream::connect(tcp).unwrap();
    second.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = Vec::new();
    let _ = second.read_to_end(&mut buf);
    r.wait_metric(
        "mutt_syslog_refused_total{reason=\"connection_limit\",transport=\"tcp\"}",
        1.0,
    );
    first
        .write_all(b"<13>Mar  1 18:46:11 h app: first again\n")
        .unwrap();
    let events = r.wait_events(2);
    find(&events, "first again");
}

#[test]
fn while_redis_is_down_tcp_waits_and_delivers_everything_after() {
    let mut redis_server = RedisServer::start(RedisOptions::default()).unwrap();
    let port = redis_server.port();
    let mut r = start_on(TestEnv::new(), Some(port), &["--tcp", "127.0.0.1:0"], &[]);
    // Live comes first (the listeners are up), ready once Redis answered.
    common::wait_for(WAIT, "ready with Redis up", || {
        r.daemon.req("GET", "/health/ready", &[], "").status == 200
    });
    let mut tcp = TcpStream::connect(r.addr("SYSLOG_TCP_PORT")).unwrap();
    tcp.write_all(b"<13>Mar  1 18:46:11 h app: before\n")
        .unwrap();
    r.wait_events(1);

    redis_server.stop();
    for i in 0..50 {
        writeln!(tcp, "<13>Mar  1 18:46:11 h app: during {i}").unwrap();
    }
    common::wait_for(WAIT, "not ready while Redis is down", || {
        r.daemon.req("GET", "/health/ready", &[], "").status == 503
    });
    redis_server.restart().unwrap();
    r.redis = common::redis_at(port);
    // The restarted Redis is empty: what the receiver held arrives now, in order.
    let events = r.wait_events(50);
    let got: Vec<&str> = events
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (0..50).map(|i| format!("during {i}")).collect();
    assert_eq!(got, want);
    common::wait_for(WAIT, "ready again", || {
        r.daemon.req("GET", "/health/ready", &[], "").status == 200
    });
}

#[test]
fn sigterm_stores_what_was_read_then_exits() {
    let mut r = start(&["--tcp", "127.0.0.1:0"], &[]);
    let mut tcp = TcpStream::connect(r.addr("SYSLOG_TCP_PORT")).unwrap();
    for i in 0..500 {
        writeln!(tcp, "<13>Mar  1 18:46:11 h app: last words {i}").unwrap();
    }
    r.wait_metric(
        "mutt_syslog_messages_received_total{transport=\"tcp\"}",
        500.0,
    );
    let status = r.daemon.terminate();
    assert!(status.success(), "{status}");
    assert_eq!(r.depth(), 500);
}

#[test]
fn every_transport_off_is_a_configuration_error() {
    let t = TestEnv::new();
    // Nothing may listen on a guessed port: every transport is off unless a flag asks.
    let off = |extra: &[(&'static str, &'static str)]| {
        let mut env = vec![
            ("SYSLOG_UDP_PORT", "0"),
            ("SYSLOG_TCP_PORT", "0"),
            ("SYSLOG_RELP_PORT", "0"),
            ("HEALTH_PORT_SYSLOG", "0"),
            ("METRICS_PORT_SYSLOG", "0"),
        ];
        env.extend_from_slice(extra);
        env
    };
    let out = t.mutt(&["syslog", "serve"], &off(&[]));
    assert!(!out.status.success());
    let err = common::stderr(&out);
    assert!(err.contains("SYSLOG_UDP_PORT"), "{err}");
    let out = t.mutt(&["syslog", "serve", "--tls", "127.0.0.1:0"], &off(&[]));
    assert!(
        common::stderr(&out).contains("SYSLOG_TLS_CERT_PATH"),
        "{}",
        common::stderr(&out)
    );
    let out = t.mutt(
        &["syslog", "serve", "--tcp", "127.0.0.1:0"],
        &off(&[("SYSLOG_DEFAULT_TIMEZONE", "Mars/Olympus")]),
    );
    assert!(
        common::stderr(&out).contains("SYSLOG_DEFAULT_TIMEZONE"),
        "{}",
        common::stderr(&out)
    );
}

/// Send `line` over a fresh TLS connection (RFC 5425 octet counting); the leaf the server showed.
fn send_tls(
    addr: SocketAddr,
    config: &std::sync::Arc<rustls::ClientConfig>,
    line: &str,
) -> rustls::pki_types::CertificateDer<'static> {
    let tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let conn = rustls::ClientConnection::new(
        std::sync::Arc::clone(config),
        rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
    )
    .unwrap();
    let mut tls = rustls::StreamOwned::new(conn, tcp);
    tls.write_all(format!("{} {line}", line.len()).as_bytes())
        .unwrap();
    tls.flush().unwrap();
    let leaf = tls.conn.peer_certificates().unwrap()[0]
        .clone()
        .into_owned();
    tls.conn.send_close_notify();
    let _ = tls.flush();
    leaf
}

#[test]
fn tls_serves_rfc5425_and_reloads_its_certificate_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let ca = common::pki::Ca::new("mutt syslog test CA");
    ca.write(&dir.path().join("ca.pem"));
    let (cert, key) = (dir.path().join("server.crt"), dir.path().join("server.key"));
    ca.issue("first", &cert, &key);
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut r = start(
        &["--tls", "127.0.0.1:0"],
        &[
            ("SYSLOG_TLS_CERT_PATH", &path("server.crt")),
            ("SYSLOG_TLS_KEY_PATH", &path("server.key")),
        ],
    );
    let mut config = (*mutt::http::client_config_with_ca(&dir.path().join("ca.pem"), "TEST_CA")
        .unwrap())
    .clone();
    // A resumed session would show the old certificate and hide the reload.
    config.resumption = rustls::client::Resumption::disabled();
    let config = std::sync::Arc::new(config);
    let tls = r.addr("SYSLOG_TLS_PORT");
    let first = send_tls(tls, &config, "<13>Mar  1 18:46:11 h app: over tls");
    let events = r.wait_events(1);
    assert_eq!(events[0]["message"], "over tls");
    assert_eq!(
        r.metric("mutt_syslog_messages_queued_total{transport=\"tls\"}"),
        1.0
    );

    ca.issue("second", &cert, &key);
    unsafe { libc::kill(r.daemon.pid() as i32, libc::SIGHUP) };
    common::wait_signal_taken(r.daemon.pid(), libc::SIGHUP);
    common::wait_for_log(WAIT, "SIGHUP: reloaded TLS certificate", || {
        r.daemon.stderr()
    });
    let second = send_tls(tls, &config, "<13>Mar  1 18:46:11 h app: after reload");
    assert_ne!(first, second, "the reloaded certificate is served");
    find(&r.wait_events(2), "after reload");
}

#[test]
fn an_idle_stream_connection_is_closed() {
    let r = start(
        &["--tcp", "127.0.0.1:0"],
        &[("SYSLOG_IDLE_TIMEOUT_SECONDS", "0.3")],
    );
    let mut idle = TcpStream::connect(r.addr("SYSLOG_TCP_PORT")).unwrap();
    idle.set_read_timeout(Some(WAIT)).unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 16];
    assert_eq!(idle.read(&mut buf).unwrap(), 0, "closed by the receiver");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    common::wait_for(WAIT, "the connection gauge back at 0", || {
        r.metric("mutt_syslog_connections{transport=\"tcp\"}") == 0.0
    });
}

#[test]
fn relp_acknowledges_only_what_reached_the_replicas_redis_min_replicas_ack_asks_for() {
    let master = RedisServer::start(RedisOptions::default()).unwrap();
    let mut r = start_on(
        TestEnv::new(),
        Some(master.port()),
        &["--relp", "127.0.0.1:0"],
        &[
            ("REDIS_MIN_REPLICAS_ACK", "1"),
            ("REDIS_REPLICAS_ACK_TIMEOUT_MS", "200"),
        ],
    );
    let health = r.addr("HEALTH_PORT_SYSLOG");
    let ready = || {
        common::http_client::request(
            health,
            &common::http_client::build("GET", "/health/ready", &[], ""),
        )
    };
    let not_ready = ready();
    assert_eq!(not_ready.status, 503);
    assert!(
        not_ready
            .text()
            .contains("Redis master has 0 connected replicas and REDIS_MIN_REPLICAS_ACK is 1"),
        "{}",
        not_ready.text()
    );

    let mut relp = TcpStream::connect(r.addr("SYSLOG_RELP_PORT")).unwrap();
    let offers = "relp_version=0\nrelp_software=test\ncommands=syslog";
    writeln!(relp, "1 open {} {offers}", offers.len()).unwrap();
    assert!(read_relp_frame(&mut relp, WAIT).contains(" 200 OK"));
    let line = "<13>Mar  1 18:46:11 h app: replicated or nothing";
    writeln!(relp, "2 syslog {} {line}", line.len()).unwrap();
    common::wait_for_log(
        WAIT,
        "Redis write reached 0 of the 1 replicas REDIS_MIN_REPLICAS_ACK asks for within 200 ms",
        || r.daemon.stderr(),
    );
    // Held: no answer while no replica can confirm the write.
    assert_no_answer(&mut relp, "without a replica");

    // A replica attaches: the message is stored again, confirmed, and only then acknowledged.
    let _replica = RedisServer::start(RedisOptions {
        extra_args: vec![
            "--replicaof".into(),
            "127.0.0.1".into(),
            master.port().to_string(),
        ],
        ..RedisOptions::default()
    })
    .unwrap();
    let rsp = read_relp_frame(&mut relp, Duration::from_secs(30));
    assert_eq!(rsp, "2 rsp 6 200 OK\n");
    // At least once: the first attempt reached the master before WAIT came back short, so the
    // queue holds that copy and the confirmed one.
    let events = r.events();
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(events
        .iter()
        .all(|e| e["message"] == "replicated or nothing"));
    common::wait_for(WAIT, "ready again", || ready().status == 200);
}
