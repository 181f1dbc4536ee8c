//! `mutt up` as a user runs it: the real binary starts its own Redis and PostgreSQL, the whole
//! pipeline and the mock Moog sink; the `curl` its banner prints gets an event into the audit log
//! and an alert to the sink, and so does the `logger` command through the syslog receiver;
//! SIGTERM stops everything and leaves no process behind.

mod common;
use common::http_client::{build, request};
use mutt::dev::services::private_port;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const DEMO_HOST: &str = "core-sw-01.example.net";
/// Cold start: initdb, migrations, five listeners.
const START_TIMEOUT: Duration = Duration::from_secs(90);

/// The listener settings `mutt up` opens, each moved to a free port.
const PORT_SETTINGS: [&str; 11] = [
    "SERVER_PORT_INGESTOR",
    "METRICS_PORT_ALERTER",
    "HEALTH_PORT_ALERTER",
    "METRICS_PORT_MOOG",
    "HEALTH_PORT_MOOG",
    "METRICS_PORT_REMEDIATION",
    "HEALTH_PORT_REMEDIATION",
    "METRICS_PORT_SYSLOG",
    "HEALTH_PORT_SYSLOG",
    "SYSLOG_RELP_PORT",
    "SERVER_PORT_WEBUI",
];

fn port_flags() -> Vec<String> {
    let mut args = vec!["--mock-moog-port".to_string(), "0".to_string()];
    for name in PORT_SETTINGS {
        args.push("--set".into());
        args.push(format!("{name}={}", private_port().unwrap()));
    }
    // Syslog's UDP and TCP listeners share a number, as by default.
    let syslog = private_port().unwrap();
    for name in ["SYSLOG_UDP_PORT", "SYSLOG_TCP_PORT"] {
        args.push("--set".into());
        args.push(format!("{name}={syslog}"));
    }
    args
}

/// `mutt <args>` with a clean environment (no REDIS_URL/DATABASE_URL: private stores), TMPDIR
/// pointed at `tmp` so scratch directories can be checked for.
fn command(args: &[String], tmp: &Path, extra_env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
    cmd.args(args).env_clear();
    for keep in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(keep) {
            cmd.env(keep, v);
        }
    }
    cmd.env("TMPDIR", tmp);
    cmd.envs(extra_env.iter().copied());
    cmd
}

/// A running `mutt up` whose stdout is read line by line.
struct Up {
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    stdout: Vec<String>,
    stderr: PathBuf,
}

impl Up {
    fn start(args: &[String], tmp: &Path, logs: &Path, env: &[(&str, &str)]) -> Up {
        let stderr = logs.join(format!("up-{}.log", uuid::Uuid::new_v4().simple()));
        let mut child = command(args, tmp, env)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .expect("spawn mutt up");
        let out = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Up {
            child: Some(child),
            lines: rx,
            stdout: Vec::new(),
            stderr,
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn log(&self) -> String {
        format!(
            "stdout:\n{}\nstderr:\n{}",
            self.stdout.join("\n"),
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        )
    }

    /// Read stdout until a line satisfies `done` (that line included).
    fn read_until(&mut self, what: &str, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    let finished = done(&line);
                    self.stdout.push(line);
                    if finished {
                        return;
                    }
                }
                Err(_) => panic!("no {what} from mutt up\n{}", self.log()),
            }
        }
    }

    /// The value after `label` on the first stdout line holding it.
    fn value(&self, label: &str) -> String {
        self.stdout
            .iter()
            .find_map(|l| l.split_once(label).map(|(_, v)| v.trim().to_string()))
            .unwrap_or_else(|| panic!("no {label:?} in the banner\n{}", self.log()))
    }

    /// SIGTERM, then the exit status (bounded wait); the rest of stdout is collected.
    fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().unwrap();
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "mutt up did not exit within 60 s of SIGTERM\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        while let Ok(line) = self.lines.recv_timeout(Duration::from_secs(5)) {
            self.stdout.push(line);
        }
        status
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// (pid, command name) of the processes whose parent is `pid`.
fn children_of(pid: u32) -> Vec<(u32, String)> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // "pid (comm) state ppid …"; comm may hold spaces, so split after the last ')'.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
            continue;
        };
        let comm = stat[open + 1..close].to_string();
        let ppid = stat[close + 1..]
            .split_whitespace()
            .nth(1)
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid) {
            found.push((child, comm));
        }
    }
    found
}

fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // Reparented and not yet reaped by init: it has exited all the same.
        Ok(stat) => stat
            .rfind(')')
            .is_some_and(|i| stat[i + 1..].trim_start().starts_with('Z')),
    }
}

fn addr_of(url: &str) -> SocketAddr {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap();
    authority.parse().unwrap()
}

fn get_json(url: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let rest = url.split_once("://").unwrap().1;
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    let r = request(addr_of(url), &build("GET", path, headers, ""));
    let body = serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null);
    (r.status, body)
}

/// The banner's `curl` command: from its first line to the one carrying the body.
fn printed_curl(stdout: &[String]) -> String {
    let start = stdout
        .iter()
        .position(|l| l.trim_start().starts_with("curl -sS -X POST"))
        .expect("a curl command in the banner");
    let mut lines = Vec::new();
    for line in &stdout[start..] {
        lines.push(line.as_str());
        if !line.trim_end().ends_with('\\') {
            break;
        }
    }
    lines.join("\n")
}

/// Post what the printed `curl` posts: run it as printed when `curl` is installed, else send
/// its URL, key header and body with the test client.
fn send_printed_curl(curl: &str) -> String {
    let have_curl = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if have_curl {
        let out = Command::new("sh").arg("-c").arg(curl).output().unwrap();
        assert!(out.status.success(), "{curl}: {out:?}");
        return String::from_utf8_lossy(&out.stdout).into_owned();
    }
    let quoted: Vec<&str> = curl.split('\'').skip(1).step_by(2).collect();
    let url = quoted[0];
    let key = quoted
        .iter()
        .find_map(|q| q.strip_prefix("X-API-KEY: "))
        .unwrap();
    let body = quoted.last().unwrap();
    let rest = url.split_once("://").unwrap().1;
    let path = &rest[rest.find('/').unwrap()..];
    let r = request(
        addr_of(url),
        &build(
            "POST",
            path,
            &[("Content-Type", "application/json"), ("X-API-KEY", key)],
            body,
        ),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

/// Send what the printed `logger` command sends: run it as printed when util-linux `logger` is
/// installed, else frame the same RFC 5424 message (octet counting) and write it to the port.
fn send_printed_logger(logger: &str) {
    let have_logger = Command::new("logger")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if have_logger {
        let out = Command::new("sh").arg("-c").arg(logger).output().unwrap();
        assert!(out.status.success(), "{logger}: {out:?}");
        return;
    }
    let words: Vec<&str> = logger.split_whitespace().collect();
    let after = |flag: &str| words[words.iter().position(|w| *w == flag).unwrap() + 1];
    assert!(logger.contains(" -T --octet-count "), "{logger}");
    let message = logger.split('\'').nth(1).unwrap();
    let line = format!("<131>1 - - {} - - - {message}", after("-t"));
    let addr = format!("{}:{}", after("-n"), after("-P"));
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    std::io::Write::write_all(&mut stream, format!("{} {line}", line.len()).as_bytes()).unwrap();
}

/// The first request the sink received whose body satisfies `hit`, waiting up to 30 s.
fn alert_at_sink(
    up: &Up,
    sink_base: &str,
    hit: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, requests) = get_json(&format!("{sink_base}/requests"), &[]);
        assert_eq!(status, 200);
        let found = requests
            .as_array()
            .and_then(|list| list.iter().find(|r| hit(&r["body"])).cloned());
        if let Some(found) = found {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "no alert at the sink: {requests}\n{}",
            up.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn up_runs_the_pipeline_the_banner_curl_reaches_audit_and_sink_and_sigterm_cleans_up() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let data_dir = data.path().join("mutt-data");
    let mut args = vec![
        "up".to_string(),
        "--data-dir".into(),
        data_dir.display().to_string(),
    ];
    args.extend(port_flags());
    let mut up = Up::start(&args, tmp.path(), logs.path(), &[]);
    up.read_until("ready banner", |l| l.starts_with("Then look:"));
    up.read_until("end of the banner", str::is_empty);

    assert!(
        up.stdout
            .iter()
            .any(|l| l.contains("rules: 6 example rule(s) loaded")),
        "{}",
        up.log()
    );
    let key = up.value("ingest API key:");
    let ingest_url = up.value("ingest API:");
    let sink = up.value("mock Moog sink:");
    let sink_base = sink.split("/events").next().unwrap().to_string();
    let database_url = up.value("export DATABASE_URL=");
    let servers = children_of(up.pid());
    let names: Vec<&str> = servers.iter().map(|(_, n)| n.as_str()).collect();
    assert!(
        names.contains(&"redis-server") && names.contains(&"postgres"),
        "{names:?}"
    );

    // The banner's curl, as printed.
    let curl = printed_curl(&up.stdout);
    assert!(curl.contains(&ingest_url) && curl.contains(&key), "{curl}");
    let answer = send_printed_curl(&curl);
    assert!(answer.contains("\"accepted\":1"), "{answer}");

    // The alert at the mock sink.
    let alert = alert_at_sink(&up, &sink_base, |b| b["signature"] == DEMO_HOST);
    assert_eq!(alert["body"]["class"], "NetOps", "{alert}");
    assert!(
        alert["body"]["description"]
            .as_str()
            .unwrap()
            .contains("%LINK-3-UPDOWN"),
        "{alert}"
    );

    // The banner's logger command, as printed: through the syslog receiver to the sink.
    let syslog = up.value("syslog:");
    let logger = up
        .stdout
        .iter()
        .map(|l| l.trim())
        .find(|l| l.starts_with("logger "))
        .unwrap_or_else(|| panic!("no logger command in the banner\n{}", up.log()))
        .to_string();
    let tcp = syslog
        .split(", ")
        .find_map(|l| l.strip_prefix("tcp "))
        .unwrap_or_else(|| panic!("no tcp listener in {syslog:?}"));
    let (host, port) = tcp.rsplit_once(':').unwrap();
    assert!(
        logger.starts_with(&format!("logger -n {host} -P {port} -T --octet-count ")),
        "{logger} vs {syslog}"
    );
    let message = logger.split('\'').nth(1).unwrap().to_string();
    assert!(message.starts_with("%LINK-3-UPDOWN"), "{logger}");
    let tag = logger
        .split(" -t ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    send_printed_logger(&logger);
    let alert = alert_at_sink(&up, &sink_base, |b| b["description"] == message.as_str());
    assert_eq!(alert["body"]["class"], "NetOps", "{alert}");
    let info = &alert["body"]["custom_info"];
    assert_eq!(info["source"], "syslog", "{alert}");
    assert_eq!(info["program"], tag, "{alert}");
    assert_eq!(info["syslog_severity"], 3, "{alert}");
    assert_eq!(info["_source_ip"], "127.0.0.1", "{alert}");

    // The audit row, through the URL the banner printed.
    let mut db = postgres::Client::connect(&database_url, postgres::NoTls).unwrap();
    let rows = db
        .query(
            "SELECT handling_decision, forwarded_to_moog FROM event_audit_log WHERE hostname = $1",
            &[&DEMO_HOST],
        )
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "Page_and_ticket");
    assert!(rows[0].get::<_, bool>(1));
    drop(db);

    // The event in the web UI: the audit search and the dashboard's ingest counters.
    let web_key = up.value("web API key:");
    let web_key = web_key.split_whitespace().next().unwrap().to_string();
    let dashboard = up.value("dashboard:");
    let web_base = dashboard
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('/');
    let (status, found) = get_json(
        &format!("{web_base}/api/v2/audit-logs?hostname={DEMO_HOST}"),
        &[("X-API-KEY", &web_key)],
    );
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["logs"][0]["hostname"], DEMO_HOST, "{found}");
    assert_eq!(found["logs"][0]["forwarded_to_moog"], true, "{found}");
    let (status, rates) = get_json(
        &format!("{web_base}/api/v2/metrics"),
        &[("X-API-KEY", &web_key)],
    );
    assert_eq!(status, 200, "{rates}");
    let hourly: f64 = rates["chart_24h"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .sum();
    assert!(
        hourly > 0.0,
        "the dashboard does not count the event: {rates}"
    );
    let (status, _) = get_json(&format!("{web_base}/api/v2/rules"), &[]);
    assert_eq!(status, 401);

    // The dashboard itself: log in with the printed key, then the page loads.
    let login = request(
        addr_of(web_base),
        &build(
            "POST",
            "/login",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &format!("api_key={web_key}"),
        ),
    );
    let cookie = login
        .header("Set-Cookie")
        .unwrap_or_else(|| panic!("no session from /login: {} {}", login.status, login.text()));
    let cookie = cookie.split(';').next().unwrap();
    let page = request(
        addr_of(web_base),
        &build("GET", "/", &[("Cookie", cookie)], ""),
    );
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("<html"), "{}", page.text());

    // SIGTERM: exit 0, servers stopped and reaped, the kept data directory still there.
    let status = up.terminate();
    assert!(status.success(), "{status:?}\n{}", up.log());
    assert!(
        up.stdout.iter().any(|l| l == "mutt up: stopped"),
        "{}",
        up.log()
    );
    for (pid, name) in &servers {
        assert!(gone(*pid), "{name} ({pid}) outlived mutt up");
    }
    assert!(data_dir.join("postgres/data/PG_VERSION").exists());
    assert!(data_dir.join("ingest-api.key").exists());
    assert!(data_dir.join("webui-api.key").exists());
    assert_eq!(
        std::fs::read_dir(tmp.path()).unwrap().count(),
        0,
        "scratch directories left in TMPDIR"
    );

    // The same data directory again: nothing to migrate, no rule duplicated, same key, and the
    // audit row survived the restart.
    let again = command(
        &[
            "up".into(),
            "--check".into(),
            "--data-dir".into(),
            data_dir.display().to_string(),
        ],
        tmp.path(),
        &[],
    )
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&again.stdout);
    assert!(again.status.success(), "{text}");
    assert!(text.contains("0 migration(s) applied now"), "{text}");
    assert!(
        text.contains("rules: 6 rule(s) already in the database"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(data_dir.join("ingest-api.key"))
            .unwrap()
            .trim(),
        key
    );
}

#[test]
fn up_without_a_data_dir_removes_its_scratch_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let out = command(&["up".into(), "--check".into()], tmp.path(), &[])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("rules: 6 example rule(s) loaded"), "{text}");
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_failing_daemon_stops_the_pipeline_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let logs = tempfile::tempdir().unwrap();
    let mut args = vec!["up".to_string()];
    args.extend(port_flags());
    // The forwarder refuses a webhook that is not a URL, after the stores are up.
    let mut up = Up::start(
        &args,
        tmp.path(),
        logs.path(),
        &[("MOOG_WEBHOOK_URL", "not a url")],
    );
    up.read_until("store lines", |l| l.starts_with("  rules:"));
    let servers = children_of(up.pid());
    let mut child = up.child.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running\n{}", up.log());
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(1), "{}", up.log());
    let log = up.log();
    assert!(
        log.contains("forwarder failed") && log.contains("MOOG_WEBHOOK_URL"),
        "{log}"
    );
    for (pid, name) in &servers {
        assert!(gone(*pid), "{name} ({pid}) outlived mutt up");
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn a_busy_port_is_named_before_anything_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let mut args = vec!["up".to_string()];
    args.extend(port_flags());
    args.push("--set".into());
    args.push(format!("SERVER_PORT_INGESTOR={port}"));
    let out = command(&args, tmp.path(), &[]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("port {port} (SERVER_PORT_INGESTOR)"))
            && err.contains("--port-offset"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}
