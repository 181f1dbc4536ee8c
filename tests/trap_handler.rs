//! `mutt trap-handler` black-box: a real snmptrapd (Debian's `snmptrapd`, installed by
//! scripts/setup.sh) runs the real binary as its traphandle, traps are sent with net-snmp's
//! `snmptrap`, and the events must land in the ingest queue of a real `mutt ingest serve`.
//! Everything listens on loopback only.

mod common;
use common::daemon::Daemon;
use common::TestEnv;
use mutt::dev::services::find_program;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const KEY: &str = "test-trap-key";
const LINK_DOWN: &str = "1.3.6.1.6.3.1.1.5.3";

/// A trap as snmptrapd hands it to its traphandle (captured from snmptrapd 5.9.3).
const SAMPLE: &str = "localhost\nUDP: [127.0.0.1]:59527->[127.0.0.1]:39162\n\
    iso.3.6.1.2.1.1.3.0 0:0:15:23.07\n\
    iso.3.6.1.6.3.1.1.4.1.0 iso.3.6.1.6.3.1.1.5.3\n\
    iso.3.6.1.2.1.2.2.1.1.2 2\n";

fn program(name: &str) -> PathBuf {
    let sbin = [PathBuf::from("/usr/sbin"), PathBuf::from("/usr/bin")];
    find_program(name, &sbin).unwrap_or_else(|| {
        panic!("{name} is not installed: run scripts/setup.sh (Debian packages snmptrapd and snmp)")
    })
}

/// A port for snmptrapd, which must be told one: outside the ephemeral range, so no client
/// socket of another process can be sitting on it.
fn free_udp_port() -> u16 {
    mutt::dev::services::private_port().unwrap()
}

/// A snmptrapd child on 127.0.0.1:`port` running the shipped example configuration (traphandle
/// `mutt trap-handler`), with `env` as its whole environment (snmptrapd hands it on to the handler).
struct TrapDaemon {
    child: Child,
    port: u16,
    log: PathBuf,
    dir: tempfile::TempDir,
}

impl TrapDaemon {
    fn start(env: &[(String, String)], flags: &[&str]) -> TrapDaemon {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("snmptrapd.conf");
        std::fs::write(&conf, example_config()).unwrap();
        let log = dir.path().join("snmptrapd.log");
        let port = free_udp_port();
        let mut cmd = Command::new(program("snmptrapd"));
        cmd.args(flags)
            .args(["-f", "-Lf"])
            .arg(&log)
            .args(["-C", "-c"])
            .arg(&conf)
            .arg(format!("udp:127.0.0.1:{port}"))
            .env_clear()
            .envs(base_env(dir.path()))
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap());
        let child = cmd.spawn().expect("spawn snmptrapd");
        let mut d = TrapDaemon {
            child,
            port,
            log,
            dir,
        };
        // snmptrapd logs its version line once its transports are open.
        let deadline = Instant::now() + Duration::from_secs(15);
        while !d.log_text().contains("NET-SNMP version") {
            if let Some(status) = d.child.try_wait().unwrap() {
                panic!("snmptrapd exited ({status}): {}", d.log_text());
            }
            assert!(
                Instant::now() < deadline,
                "snmptrapd did not start: {}",
                d.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    fn log_text(&self) -> String {
        let mut text = std::fs::read_to_string(&self.log).unwrap_or_default();
        text.push_str(
            &std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default(),
        );
        // The MIB-loading noise of a system without MIBs is not what a failure is about.
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// `snmptrap` to this daemon; `args` follow the agent address.
    fn send(&self, version: &str, args: &[&str]) {
        let out = Command::new(program("snmptrap"))
            .args(["-v", version, "-c", "public"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(args)
            .env_clear()
            .envs(base_env(self.dir.path()))
            .output()
            .expect("run snmptrap");
        assert!(
            out.status.success(),
            "snmptrap failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for TrapDaemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The shipped examples/snmptrapd/snmptrapd.conf, with this build's binary as the handler and
/// without its listening address (the test's loopback port is given on the command line).
fn example_config() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/snmptrapd/snmptrapd.conf");
    let text = std::fs::read_to_string(path).unwrap();
    let handler = "traphandle default /usr/local/bin/mutt trap-handler";
    assert!(
        text.contains(handler),
        "the example no longer runs {handler:?}"
    );
    text.lines()
        .filter(|l| !l.starts_with("snmpTrapdAddr"))
        .map(|l| {
            if l == handler {
                format!(
                    "traphandle default {} trap-handler",
                    env!("CARGO_BIN_EXE_mutt")
                )
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// PATH and HOME, plus net-snmp's persistent state in the test's directory (not /var/lib/snmp).
fn base_env(dir: &Path) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = ["PATH", "HOME"]
        .iter()
        .filter_map(|k| std::env::var(k).ok().map(|v| (k.to_string(), v)))
        .collect();
    env.push((
        "SNMP_PERSISTENT_DIR".into(),
        dir.join("persist").display().to_string(),
    ));
    env
}

/// Run `mutt trap-handler <args>` with `input` on stdin and exactly `env`.
fn handler(args: &[&str], env: &[(&str, String)], input: &str) -> (Output, Duration) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
    cmd.arg("trap-handler").args(args).env_clear();
    if let Ok(path) = std::env::var("PATH") {
        cmd.env("PATH", path);
    }
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().expect("spawn mutt trap-handler");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out, started.elapsed())
}

/// Queued events (arrival order) until one satisfies `pick`, within 20 s.
fn wait_for_event(
    redis: &mut redis::Connection,
    queue: &str,
    what: &str,
    daemon: &TrapDaemon,
    pick: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(ev) = common::json_list(redis, queue).into_iter().find(&pick) {
            return ev;
        }
        assert!(
            Instant::now() < deadline,
            "no {what} event in {queue}; snmptrapd log:\n{}",
            daemon.log_text()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn traps_through_snmptrapd_land_in_the_ingest_queue() {
    let t = TestEnv::new();
    let mut env = t.env();
    env.push(("INGEST_API_KEY".into(), KEY.into()));
    env.push(("MUTT_BIND_ADDRESS".into(), "127.0.0.1".into()));
    let ingest = Daemon::start(&["ingest", "serve"], &env);
    let port = ingest.addr.port();
    let mut redis = common::redis();
    let queue = format!("{}:ingest_queue", t.prefix);

    // Only what the handler needs, and only through snmptrapd's own environment.
    let handler_env = [
        (
            "TRAP_HANDLER_INGEST_URL".into(),
            format!("http://127.0.0.1:{port}/api/v2/ingest"),
        ),
        ("INGEST_API_KEY".into(), KEY.into()),
    ];
    let trapd = TrapDaemon::start(&handler_env, &[]);

    let marker = format!("Gi0/2 {}", t.prefix);
    trapd.send(
        "2c",
        &[
            "",
            LINK_DOWN,
            "1.3.6.1.2.1.2.2.1.1.2",
            "i",
            "2",
            "1.3.6.1.2.1.2.2.1.2.2",
            "s",
            &marker,
        ],
    );
    let ev = wait_for_event(&mut redis, &queue, "v2c linkDown", &trapd, |e| {
        e["trap_oid"] == LINK_DOWN
    });
    assert!(
        ["localhost", "127.0.0.1"].contains(&ev["hostname"].as_str().unwrap()),
        "{ev}"
    );
    assert_eq!(ev["source"], "snmptrap");
    assert_eq!(ev["source_ip"], "127.0.0.1");
    let message = ev["message"].as_str().unwrap();
    assert!(message.contains(&marker), "{message}");
    assert!(
        message.contains(&format!("1.3.6.1.6.3.1.1.4.1.0 = {LINK_DOWN}")),
        "{message}"
    );
    assert!(!message.contains('\n'));
    let ts = ev["timestamp"].as_str().unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
    // The ingest stamped it as any other event.
    assert!(ev["_correlation_id"].is_string() && ev["_received_at"].is_string());

    // A v1 trap: snmptrapd converts it (RFC 3584), the trap OID is enterprise.0.specific.
    trapd.send(
        "1",
        &[
            "1.3.6.1.4.1.9",
            "127.0.0.1",
            "6",
            "17",
            "",
            "1.3.6.1.4.1.9.9.1",
            "s",
            "v1 hello",
        ],
    );
    let ev = wait_for_event(&mut redis, &queue, "v1 enterprise", &trapd, |e| {
        e["trap_oid"] == "1.3.6.1.4.1.9.0.17"
    });
    assert!(ev["message"].as_str().unwrap().contains("v1 hello"), "{ev}");

    // With -n snmptrapd names no hosts (line 1 repeats the transport): the address is used.
    let numeric = TrapDaemon::start(&handler_env, &["-n"]);
    numeric.send(
        "2c",
        &["", "1.3.6.1.6.3.1.1.5.4", "1.3.6.1.2.1.2.2.1.1.3", "i", "3"],
    );
    let ev = wait_for_event(&mut redis, &queue, "-n linkUp", &numeric, |e| {
        e["trap_oid"] == "1.3.6.1.6.3.1.1.5.4"
    });
    assert_eq!(ev["hostname"], "127.0.0.1", "{ev}");

    // A wrong key is refused at once (no retries) and the handler says so.
    let (out, _) = handler(
        &[],
        &[
            (
                "TRAP_HANDLER_INGEST_URL",
                format!("http://127.0.0.1:{port}/api/v2/ingest"),
            ),
            ("INGEST_API_KEY", "wrong-key".into()),
        ],
        SAMPLE,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("HTTP 401"), "{err}");
}

#[test]
fn handler_exits_nonzero_quickly_when_ingest_is_down() {
    // Nothing listens on this port (held, so nothing can).
    let dead = common::DeadPort::new();
    let (out, took) = handler(
        &[],
        &[
            (
                "TRAP_HANDLER_INGEST_URL",
                format!("http://{}/api/v2/ingest", dead.addr()),
            ),
            ("INGEST_API_KEY", KEY.into()),
            ("TRAP_HANDLER_ATTEMPTS", "3".into()),
            ("TRAP_HANDLER_RETRY_BASE_DELAY", "0.05".into()),
            ("TRAP_HANDLER_RETRY_MAX_DELAY", "0.2".into()),
        ],
        SAMPLE,
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unreachable after 3 attempt(s)"), "{err}");
    assert!(err.contains(LINK_DOWN), "the lost trap is named: {err}");
    assert!(took < Duration::from_secs(10), "took {took:?}");

    // Without a key it fails at once, naming the setting.
    let (out, _) = handler(
        &["--url", &format!("http://{}/api/v2/ingest", dead.addr())],
        &[],
        SAMPLE,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("INGEST_API_KEY"));

    // Garbage on stdin is a failure too, not a silent success.
    let (out, _) = handler(&[], &[("INGEST_API_KEY", KEY.into())], "");
    assert_eq!(out.status.code(), Some(1));

    // --print shows the event without posting anything.
    let (out, _) = handler(&["--print"], &[], SAMPLE);
    assert!(out.status.success());
    let ev: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(ev["trap_oid"], LINK_DOWN);
    assert_eq!(ev["hostname"], "localhost");
}
