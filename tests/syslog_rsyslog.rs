//! A real rsyslogd (Debian's `rsyslog`, `rsyslog-relp`, `rsyslog-gnutls`, installed by
//! scripts/setup.sh) forwarding to a real `mutt syslog serve` with the shipped drop-ins
//! (`examples/rsyslog/mutt-omfwd-tcp.conf`, `mutt-omrelp.conf`, `mutt-tls.conf`), loaded whole
//! with only the values that name the test's mutt (target, port, certificate files) replaced, so
//! the examples themselves are what is tested. Each rsyslogd gets its own directory, config,
//! pid file and work directory, listens for the test's input on a private port (outside the
//! ephemeral range) and is killed when its guard drops. Loopback only.
//!
//! - omfwd over TCP, octet-counted: RFC 3164 (Cisco-style mnemonic, a daemon with a pid) and
//!   RFC 5424 (structured data, LF/TAB, non-ASCII) lines arrive field by field.
//! - omrelp: the same lines; and at-least-once: 20,000 numbered lines, mutt killed with SIGKILL
//!   while they flow and started again on the same port, every number arrives (duplicates are
//!   counted and reported, not forbidden).
//! - TLS (gtls, `x509/name`): mutt's certificate verified by rsyslog; with
//!   `SYSLOG_TLS_CLIENT_CA_PATH` an rsyslog with a client certificate gets through, one
//!   without is refused at the handshake.

mod common;
use common::daemon::Daemon;
use common::pki::Ca;
use common::TestEnv;
use mutt::dev::services::{find_program, private_port};
use rcgen::ExtendedKeyUsagePurpose;
use redis::Commands;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn rsyslogd() -> PathBuf {
    find_program("rsyslogd", &[PathBuf::from("/usr/sbin")])
        .expect("rsyslogd is not installed: run scripts/setup.sh (Debian package rsyslog)")
}

/// The last `n` lines of `text`.
fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Whether process `pid` is gone or a zombie (it exited; its parent has not reaped it yet).
fn exited(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // "pid (comm) state ...": comm may contain spaces, the state follows the last ')'.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_none_or(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => true,
    }
}

/// Poll `f` until it gives a value; after `within`, fail naming `what` with `context()` (the
/// logs of the processes involved).
fn wait_or_fail<T>(
    within: Duration,
    what: &str,
    context: impl Fn() -> String,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A shipped drop-in from `examples/rsyslog/`.
struct DropIn {
    text: String,
}

impl DropIn {
    fn load(name: &str) -> DropIn {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/rsyslog")
            .join(name);
        DropIn {
            text: std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        }
    }

    /// Fail unless the drop-in's action says `param` (e.g. `TCP_Framing="octet-counted"`).
    fn assert_has(&self, param: &str) -> &DropIn {
        assert!(
            self.text.lines().any(|l| l.trim_start().starts_with(param)),
            "the drop-in lacks {param}"
        );
        self
    }

    /// Set the action parameter `key` (its one line, commented out or not) to `value`.
    fn set(mut self, key: &str, value: &str) -> DropIn {
        let prefix = format!("{key}=\"");
        let mut found = 0;
        let lines: Vec<String> = self
            .text
            .lines()
            .map(|line| {
                let body = line.trim_start();
                let indent = &line[..line.len() - body.len()];
                let param = body.strip_prefix("# ").unwrap_or(body);
                if param.starts_with(&prefix) {
                    found += 1;
                    format!("{indent}{key}=\"{value}\"")
                } else {
                    line.to_string()
                }
            })
            .collect();
        assert_eq!(found, 1, "the drop-in has {found} lines setting {key}");
        self.text = lines.join("\n") + "\n";
        self
    }
}

/// How the test feeds a private rsyslogd.
#[derive(Clone, Copy)]
enum Input {
    /// imudp: one datagram, one message.
    Udp,
    /// imtcp, LF-framed: nothing is lost between the test and rsyslogd.
    Tcp,
}

/// A private rsyslogd, killed on drop.
struct Rsyslog {
    child: Child,
    /// Its input port (127.0.0.1).
    port: u16,
    name: String,
    dir: tempfile::TempDir,
}

impl Rsyslog {
    /// Start rsyslogd with an `input` on a private port in front of `drop_in`, after
    /// `rsyslogd -N1` accepted the config, and wait until the input listens.
    fn start(name: &str, input: Input, drop_in: &DropIn) -> Rsyslog {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir(&work).unwrap();
        let port = private_port().unwrap();
        let (module, kind) = match input {
            Input::Udp => ("imudp", "imudp"),
            Input::Tcp => ("imtcp", "imtcp"),
        };
        // rsyslogd's own messages (the drop-ins forward everything else) go to a file the
        // assertion messages show.
        let conf = format!(
            "global(workDirectory=\"{work}\")\n\
             module(load=\"{module}\")\n\
             input(type=\"{kind}\" address=\"127.0.0.1\" port=\"{port}\")\n\
             if ($syslogtag startswith \"rsyslogd\") then {{\n\
             \x20   action(type=\"omfile\" file=\"{own}\")\n\
             }}\n\
             {drop_in}",
            work = work.display(),
            own = dir.path().join("rsyslogd.log").display(),
            drop_in = drop_in.text,
        );
        let conf_path = dir.path().join("rsyslog.conf");
        std::fs::write(&conf_path, &conf).unwrap();
        let check = Command::new(rsyslogd())
            .args(["-N1", "-f"])
            .arg(&conf_path)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "rsyslogd -N1 ({name}): {}{}\n{conf}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        let out = std::fs::File::create(dir.path().join("rsyslogd.out")).unwrap();
        let child = Command::new(rsyslogd())
            .args(["-n", "-f"])
            .arg(&conf_path)
            .arg("-i")
            .arg(dir.path().join("rsyslogd.pid"))
            // RFC 3164 stamps carry no zone: rsyslogd reads them, and renders them, in UTC.
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("start rsyslogd");
        let rsyslog = Rsyslog {
            child,
            port,
            name: name.to_string(),
            dir,
        };
        wait_or_fail(
            Duration::from_secs(20),
            &format!("rsyslogd ({name}) to listen on {port}"),
            || rsyslog.log(),
            || {
                rsyslog.assert_running();
                match input {
                    // Datagrams sent before the bind are lost; after it the kernel queues them.
                    Input::Udp => common::udp_port_bound(port).then_some(()),
                    Input::Tcp => TcpStream::connect(("127.0.0.1", port)).ok().map(drop),
                }
            },
        );
        rsyslog
    }

    fn assert_running(&self) {
        assert!(
            !exited(self.child.id()),
            "rsyslogd ({}) exited\n{}",
            self.name,
            self.log()
        );
    }

    /// The tail of what rsyslogd printed and logged about itself.
    fn log(&self) -> String {
        let read = |f: &str| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default();
        format!(
            "--- rsyslogd ({}) output:\n{}\n--- rsyslogd ({}) own messages:\n{}",
            self.name,
            tail(&read("rsyslogd.out"), 30),
            self.name,
            tail(&read("rsyslogd.log"), 30)
        )
    }

    /// Send `lines` to its UDP input, one datagram each.
    fn send_udp(&self, lines: &[String]) {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        for line in lines {
            socket
                .send_to(line.as_bytes(), ("127.0.0.1", self.port))
                .unwrap();
        }
    }
}

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The tail of a daemon's log, for assertion messages.
fn mutt_log(daemon: &Daemon) -> String {
    format!("--- mutt stderr:\n{}", tail(&daemon.stderr(), 30))
}

/// `mutt syslog serve <args>` with `t`'s environment (and `extra`), bound to loopback.
fn start_mutt(t: &TestEnv, args: &[&str], extra: &[(&str, String)]) -> Daemon {
    let mut env = t.env();
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    for (k, v) in extra {
        env.push((k.to_string(), v.clone()));
    }
    let mut all = vec!["syslog", "serve"];
    all.extend_from_slice(args);
    Daemon::start(&all, &env)
}

fn queue_key(t: &TestEnv) -> String {
    format!("{}:ingest_queue", t.prefix)
}

/// The probe lines: what a relay receives from devices, in both formats, with what a naive
/// relay or receiver gets wrong (a Cisco mnemonic, a pid, structured data with escapes, LF and
/// TAB, non-ASCII). `tag` makes the host names this test's own.
struct Probes {
    tag: String,
    /// The RFC 3164 stamp sent (now, UTC: the year rsyslogd adds is this year).
    stamp_3164: chrono::DateTime<chrono::Utc>,
}

impl Probes {
    fn new(tag: &str) -> Probes {
        let now = chrono::Utc::now();
        Probes {
            tag: tag.to_string(),
            stamp_3164: now
                - chrono::TimeDelta::nanoseconds(i64::from(now.timestamp_subsec_nanos())),
        }
    }

    fn host(&self, name: &str) -> String {
        format!("{name}-{}.example.net", self.tag)
    }

    fn lines(&self) -> Vec<String> {
        // RFC 3164: the day is space-padded.
        let bsd = self.stamp_3164.format("%b %e %H:%M:%S");
        vec![
            format!(
                "<187>{bsd} {} %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down",
                self.host("sw1")
            ),
            format!(
                "<38>{bsd} {} sshd[4711]: Accepted publickey for alice from 192.0.2.7 port 52144",
                self.host("srv7")
            ),
            format!(
                "<165>1 2026-11-22T04:24:26.452607Z {} netconf 2211 LINKDOWN \
                 [origin@32473 ip=\"198.51.100.1\" note=\"say \\\"hi\\\" \\] ok\"][meta sequenceId=\"7\"] \
                 Interface ge-0/0/1 down – ünïcode",
                self.host("rtr1")
            ),
            format!(
                "<134>1 2026-11-22T05:24:27.000001+01:00 {} backup - - - first line\nsecond\tcolumn",
                self.host("app1")
            ),
        ]
    }

    /// Each probe's event, by host name, once all have arrived in `queue`.
    fn wait(&self, queue: &str, context: impl Fn() -> String) -> BTreeMap<String, Value> {
        let mut redis = common::redis();
        let hosts: Vec<String> = ["sw1", "srv7", "rtr1", "app1"]
            .iter()
            .map(|h| self.host(h))
            .collect();
        wait_or_fail(
            Duration::from_secs(30),
            "the four probe lines in the ingest queue",
            context,
            || {
                let events = common::json_list(&mut redis, queue);
                let mut found = BTreeMap::new();
                for e in events {
                    if let Some(h) = e["hostname"]
                        .as_str()
                        .filter(|h| hosts.iter().any(|x| x == h))
                    {
                        assert!(
                            !found.contains_key(h),
                            "{h} arrived twice (no reconnect happened): {e}"
                        );
                        found.insert(h.to_string(), e);
                    }
                }
                (found.len() == hosts.len()).then_some(found)
            },
        )
    }

    /// Field by field: what rsyslogd forwarded (RFC 5424 built by the drop-in's template) and
    /// mutt made of it.
    fn check(&self, events: &BTreeMap<String, Value>) {
        let stamp = format!("{}+00:00", self.stamp_3164.format("%Y-%m-%dT%H:%M:%S"));
        let expected = [
            (
                self.host("sw1"),
                json!({
                    "timestamp": stamp,
                    "severity": "err",
                    "syslog_severity": 3,
                    "facility": "local7",
                    // rsyslog's RFC 3164 parser takes the mnemonic after the host for the tag
                    // (mutt's own parser would keep it in the message).
                    "program": "%LINK-3-UPDOWN",
                    "message": "Interface GigabitEthernet0/1, changed state to down",
                }),
                &["procid", "msgid", "structured_data"][..],
            ),
            (
                self.host("srv7"),
                json!({
                    "timestamp": stamp,
                    "severity": "info",
                    "syslog_severity": 6,
                    "facility": "auth",
                    "program": "sshd",
                    "procid": "4711",
                    "message": "Accepted publickey for alice from 192.0.2.7 port 52144",
                }),
                &["msgid", "structured_data"][..],
            ),
            (
                self.host("rtr1"),
                json!({
                    "timestamp": "2026-11-22T04:24:26.452607Z",
                    "severity": "notice",
                    "syslog_severity": 5,
                    "facility": "local4",
                    "program": "netconf",
                    "procid": "2211",
                    "msgid": "LINKDOWN",
                    "structured_data": {
                        "origin@32473": {"ip": "198.51.100.1", "note": "say \"hi\" ] ok"},
                        "meta": {"sequenceId": "7"},
                    },
                    "message": "Interface ge-0/0/1 down – ünïcode",
                }),
                &[][..],
            ),
            (
                self.host("app1"),
                json!({
                    "timestamp": "2026-11-22T05:24:27.000001+01:00",
                    "severity": "info",
                    "syslog_severity": 6,
                    "facility": "local0",
                    "program": "backup",
                    // rsyslogd escapes LF and TAB on reception (#012, #011); mutt decodes them.
                    "message": "first line\nsecond\tcolumn",
                }),
                &["procid", "msgid", "structured_data"][..],
            ),
        ];
        for (host, fields, absent) in expected {
            let e = &events[&host];
            assert_eq!(e["hostname"], host.as_str());
            assert_eq!(e["source"], "syslog", "{e}");
            // The relay's address, not the device's.
            assert_eq!(e["_source_ip"], "127.0.0.1", "{e}");
            for (k, v) in fields.as_object().unwrap() {
                assert_eq!(&e[k], v, "{k} of {host}: {e}");
            }
            for k in absent {
                assert!(e.get(*k).is_none(), "{host} has a {k}: {e}");
            }
            for k in [
                "_event_id",
                "_received_at",
                "_correlation_id",
                "_traceparent",
            ] {
                assert!(
                    e[k].as_str().is_some_and(|s| !s.is_empty()),
                    "{host} lacks {k}: {e}"
                );
            }
        }
    }
}

#[test]
fn omfwd_tcp_example_forwards_rfc3164_and_rfc5424_field_by_field() {
    let t = TestEnv::new();
    let mutt = start_mutt(&t, &["--tcp", "127.0.0.1:0"], &[]);
    let port = mutt.listener("SYSLOG_TCP_PORT").port();
    let drop_in = DropIn::load("mutt-omfwd-tcp.conf");
    drop_in
        .assert_has("type=\"omfwd\"")
        .assert_has("protocol=\"tcp\"")
        .assert_has("TCP_Framing=\"octet-counted\"");
    let drop_in = drop_in
        .set("target", "127.0.0.1")
        .set("port", &port.to_string());
    let rsyslog = Rsyslog::start("omfwd tcp", Input::Udp, &drop_in);
    let probes = Probes::new("tcp");
    rsyslog.send_udp(&probes.lines());
    let events = probes.wait(&queue_key(&t), || {
        format!("{}\n{}", rsyslog.log(), mutt_log(&mutt))
    });
    probes.check(&events);
}

#[test]
fn omrelp_example_forwards_rfc3164_and_rfc5424_field_by_field() {
    let t = TestEnv::new();
    let mutt = start_mutt(&t, &["--relp", "127.0.0.1:0"], &[]);
    let port = mutt.listener("SYSLOG_RELP_PORT").port();
    let drop_in = relp_drop_in(port);
    let rsyslog = Rsyslog::start("omrelp", Input::Udp, &drop_in);
    let probes = Probes::new("relp");
    rsyslog.send_udp(&probes.lines());
    let events = probes.wait(&queue_key(&t), || {
        format!("{}\n{}", rsyslog.log(), mutt_log(&mutt))
    });
    probes.check(&events);
}

fn relp_drop_in(port: u16) -> DropIn {
    let drop_in = DropIn::load("mutt-omrelp.conf");
    drop_in
        .assert_has("module(load=\"omrelp\")")
        .assert_has("type=\"omrelp\"");
    drop_in
        .set("target", "127.0.0.1")
        .set("port", &port.to_string())
}

/// How many numbered lines the at-least-once test sends, half before the kill, half after.
const NUMBERED: usize = 20_000;

/// `mutt syslog serve --relp 127.0.0.1:<port>` on a port of its own that stays the same across
/// restarts (rsyslog reconnects to it): a private port, another one only when the first start
/// finds it taken.
fn start_relp_on_fixed_port(t: &TestEnv) -> (Daemon, String) {
    for _ in 0..5 {
        let addr = format!("127.0.0.1:{}", private_port().unwrap());
        let started = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            start_mutt(t, &["--relp", &addr], &[])
        }));
        match started {
            Ok(daemon) => return (daemon, addr),
            Err(panic) => {
                let why = panic.downcast_ref::<String>().cloned().unwrap_or_default();
                if !why.contains("Address already in use") {
                    std::panic::resume_unwind(panic);
                }
                eprintln!("{addr} was taken before mutt bound it; trying another port");
            }
        }
    }
    panic!("no private port for the RELP listener in 5 tries");
}

fn numbered_lines(range: std::ops::Range<usize>) -> Vec<u8> {
    let mut out = Vec::new();
    for n in range {
        writeln!(out, "<134>Nov 22 04:24:26 loadgen seqtest: line {n:05}").unwrap();
    }
    out
}

#[test]
fn omrelp_example_loses_nothing_when_mutt_is_killed_mid_stream() {
    let started = Instant::now();
    let t = TestEnv::new();
    let queue = queue_key(&t);
    let (mut mutt, addr) = start_relp_on_fixed_port(&t);
    let port: u16 = addr.rsplit_once(':').unwrap().1.parse().unwrap();
    assert_eq!(mutt.listener("SYSLOG_RELP_PORT").port(), port);
    // imtcp: rsyslogd takes every line the test writes (TCP pushes back, nothing is dropped),
    // so what reaches mutt depends on omrelp alone.
    let rsyslog = Rsyslog::start("omrelp at-least-once", Input::Tcp, &relp_drop_in(port));
    let mut redis = common::redis();
    let mut llen = {
        let (mut conn, key) = (common::redis(), queue.clone());
        move || -> usize { conn.llen(&key).unwrap() }
    };

    let mut feed = TcpStream::connect(("127.0.0.1", rsyslog.port)).unwrap();
    feed.write_all(&numbered_lines(0..NUMBERED / 2)).unwrap();
    // Kill mutt once some lines are stored, while the rest still flow through the RELP window.
    wait_or_fail(
        Duration::from_secs(30),
        "the first 2,000 lines in the queue",
        || format!("{}\n{}", rsyslog.log(), mutt_log(&mutt)),
        || (llen() >= 2_000).then_some(()),
    );
    let pid = mutt.pid();
    // SAFETY: signalling our own child.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
    let status = mutt.terminate_after_kill();
    let at_kill = llen();
    let first_log = mutt.stderr();
    drop(mutt);
    assert!(
        at_kill < NUMBERED / 2,
        "mutt was killed only after all {} lines of the first half were stored: the kill did not \
         come while they flowed",
        NUMBERED / 2
    );
    // The second half reaches rsyslogd while mutt is down: it waits in the action's queue.
    feed.write_all(&numbered_lines(NUMBERED / 2..NUMBERED))
        .unwrap();
    feed.shutdown(std::net::Shutdown::Write).unwrap();
    let mutt = start_mutt(&t, &["--relp", &addr], &[]);
    assert_eq!(mutt.listener("SYSLOG_RELP_PORT").port(), port);
    let restarted = Instant::now();

    // Wait until every number is in the queue at least once (reading the whole queue only when
    // it holds enough events and changed).
    let mut last_len = 0;
    let mut counts = vec![0usize; NUMBERED];
    let mut missing = NUMBERED;
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let len = llen();
        if len >= NUMBERED && len != last_len {
            last_len = len;
            counts = vec![0; NUMBERED];
            let items: Vec<String> = redis.lrange(&queue, 0, -1).unwrap();
            for item in &items {
                let e: Value = serde_json::from_str(item).unwrap();
                let n: usize = e["message"]
                    .as_str()
                    .and_then(|m| m.strip_prefix("line "))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_else(|| panic!("not a numbered line: {e}"));
                assert_eq!(e["program"], "seqtest", "{e}");
                assert_eq!(e["hostname"], "loadgen", "{e}");
                counts[n] += 1;
            }
            missing = counts.iter().filter(|&&c| c == 0).count();
            if missing == 0 {
                break;
            }
        }
        if Instant::now() >= deadline {
            let first: Vec<usize> = (0..NUMBERED).filter(|&n| counts[n] == 0).take(20).collect();
            panic!(
                "after 40 s, {missing} of {NUMBERED} numbers missing (first: {first:?}); queue \
                 holds {len}; {at_kill} were stored when mutt was killed\n{}\n{}\n\
                 --- first mutt stderr:\n{}",
                rsyslog.log(),
                mutt_log(&mutt),
                tail(&first_log, 30)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let duplicates: Vec<(usize, usize)> = counts
        .iter()
        .enumerate()
        .filter(|(_, &c)| c > 1)
        .map(|(n, &c)| (n, c))
        .collect();
    let extra: usize = duplicates.iter().map(|(_, c)| c - 1).sum();
    eprintln!(
        "at-least-once over RELP: {NUMBERED} distinct lines, {last_len} events, {} line(s) \
         duplicated ({extra} extra events): {duplicates:?}; {at_kill} stored when mutt was \
         killed ({status:?}); all in {:.1?} after the restart, {:.1?} in all",
        duplicates.len(),
        restarted.elapsed(),
        started.elapsed()
    );
}

/// Certificates for one TLS test: a CA, mutt's server certificate (`localhost`, 127.0.0.1), a
/// client CA and an rsyslog client certificate it signed.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let pki = Pki {
            dir: tempfile::tempdir().unwrap(),
        };
        let ca = Ca::new("mutt syslog test CA");
        ca.write(&pki.path("ca.pem"));
        ca.issue_for(
            "localhost",
            &["localhost", "127.0.0.1"],
            Some(ExtendedKeyUsagePurpose::ServerAuth),
            &pki.path("server.crt"),
            &pki.path("server.key"),
        );
        let clients = Ca::new("mutt syslog test client CA");
        clients.write(&pki.path("client-ca.pem"));
        clients.issue_for(
            "rsyslog-relay.example.net",
            &["rsyslog-relay.example.net"],
            Some(ExtendedKeyUsagePurpose::ClientAuth),
            &pki.path("client.crt"),
            &pki.path("client.key"),
        );
        pki
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn s(&self, name: &str) -> String {
        self.path(name).to_str().unwrap().to_string()
    }

    /// mutt's TLS settings; with `clients`, client certificates are required.
    fn mutt_env(&self, clients: bool) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("SYSLOG_TLS_CERT_PATH", self.s("server.crt")),
            ("SYSLOG_TLS_KEY_PATH", self.s("server.key")),
        ];
        if clients {
            env.push(("SYSLOG_TLS_CLIENT_CA_PATH", self.s("client-ca.pem")));
        }
        env
    }

    /// The shipped TLS drop-in aimed at `port`, verifying mutt's certificate by the name
    /// `localhost` (`x509/name`), with rsyslog's client certificate when `client_cert`.
    fn drop_in(&self, port: u16, client_cert: bool) -> DropIn {
        let drop_in = DropIn::load("mutt-tls.conf");
        drop_in
            .assert_has("StreamDriver=\"gtls\"")
            .assert_has("StreamDriverMode=\"1\"")
            .assert_has("StreamDriverAuthMode=\"x509/name\"")
            .assert_has("TCP_Framing=\"octet-counted\"");
        let drop_in = drop_in
            .set("target", "127.0.0.1")
            .set("port", &port.to_string())
            .set("StreamDriverPermittedPeers", "localhost")
            .set("StreamDriver.CAFile", &self.s("ca.pem"));
        if client_cert {
            drop_in
                .set("StreamDriver.CertFile", &self.s("client.crt"))
                .set("StreamDriver.KeyFile", &self.s("client.key"))
        } else {
            drop_in
        }
    }
}

#[test]
fn tls_example_verifies_mutt_and_forwards_field_by_field() {
    let pki = Pki::new();
    let t = TestEnv::new();
    let mutt = start_mutt(&t, &["--tls", "127.0.0.1:0"], &pki.mutt_env(false));
    let port = mutt.listener("SYSLOG_TLS_PORT").port();
    let rsyslog = Rsyslog::start("tls", Input::Udp, &pki.drop_in(port, false));
    let probes = Probes::new("tls");
    rsyslog.send_udp(&probes.lines());
    let events = probes.wait(&queue_key(&t), || {
        format!("{}\n{}", rsyslog.log(), mutt_log(&mutt))
    });
    probes.check(&events);
}

#[test]
fn tls_example_with_client_certificate_gets_through_and_without_is_refused() {
    let pki = Pki::new();
    let t = TestEnv::new();
    let mutt = start_mutt(&t, &["--tls", "127.0.0.1:0"], &pki.mutt_env(true));
    let port = mutt.listener("SYSLOG_TLS_PORT").port();

    // Without a client certificate: the handshake fails, nothing is stored.
    let anonymous = Rsyslog::start(
        "tls without client cert",
        Input::Udp,
        &pki.drop_in(port, false),
    );
    anonymous.send_udp(&[
        "<134>1 2026-11-22T04:24:26Z nocert.example.net app - - - must not arrive".to_string(),
    ]);
    wait_or_fail(
        Duration::from_secs(30),
        "mutt to refuse the handshake of the rsyslogd without a client certificate",
        || format!("{}\n{}", anonymous.log(), mutt_log(&mutt)),
        || {
            anonymous.assert_running();
            mutt.stderr()
                .contains("syslog tls: handshake with 127.0.0.1:")
                .then_some(())
        },
    );

    let relay = Rsyslog::start("tls with client cert", Input::Udp, &pki.drop_in(port, true));
    let probes = Probes::new("mtls");
    relay.send_udp(&probes.lines());
    let events = probes.wait(&queue_key(&t), || {
        format!("{}\n{}\n{}", relay.log(), anonymous.log(), mutt_log(&mutt))
    });
    probes.check(&events);
    let queued = common::json_list(&mut common::redis(), &queue_key(&t));
    assert!(
        !queued.iter().any(|e| e["hostname"] == "nocert.example.net"),
        "a message from the rsyslogd without a client certificate was stored: {queued:?}"
    );
}
