//! A `mutt` daemon run as a child process for black-box tests: started with a test's
//! environment and every listener on port 0, its addresses read from the `MUTT_READY_FILE` it
//! writes once bound, waited for until `/health/live` answers, stopped by SIGTERM or on drop.

use super::http_client::{build, request, RawResponse};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Every listener port setting of the daemons and the mock sink: the harness sets them all to 0,
/// so each listener gets a port from the kernel and no test ever guesses a free one.
const LISTENER_SETTINGS: [&str; 11] = [
    "SERVER_PORT_INGESTOR",
    "SERVER_PORT_WEBUI",
    "HEALTH_PORT_ALERTER",
    "METRICS_PORT_ALERTER",
    "HEALTH_PORT_MOOG",
    "METRICS_PORT_MOOG",
    "HEALTH_PORT_REMEDIATION",
    "METRICS_PORT_REMEDIATION",
    "HEALTH_PORT_SYSLOG",
    "METRICS_PORT_SYSLOG",
    "MOCK_MOOG_PORT",
];

/// The syslog transports' port settings, where 0 means off: the harness turns them all off, and a
/// test asks for the ones it wants with `--udp 127.0.0.1:0` and friends.
const SYSLOG_TRANSPORT_SETTINGS: [&str; 4] = [
    "SYSLOG_UDP_PORT",
    "SYSLOG_TCP_PORT",
    "SYSLOG_TLS_PORT",
    "SYSLOG_RELP_PORT",
];

/// A running daemon.
pub struct Daemon {
    child: Option<Child>,
    /// The address its first listener serves (the HTTP API, or the health port).
    pub addr: SocketAddr,
    listeners: serde_json::Map<String, serde_json::Value>,
    log: std::path::PathBuf,
    out: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Daemon {
    /// Start `mutt <args>` with exactly `env` (plus PATH/HOME), every listener on port 0, and wait
    /// for its `MUTT_READY_FILE` and then `GET /health/live` on its first listener.
    pub fn start(args: &[&str], env: &[(String, String)]) -> Daemon {
        let mut daemon = Daemon::spawn(args, env);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            daemon.fail_if_exited(args);
            let r = request(daemon.addr, &build("GET", "/health/live", &[], ""));
            if r.status == 200 {
                return daemon;
            }
            assert!(
                Instant::now() < deadline,
                "mutt {args:?} did not come up: {}",
                daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Start `mutt <args>` like [`Daemon::start`], returning once its listeners are bound (the
    /// caller probes them, e.g. over HTTPS).
    pub fn spawn(args: &[&str], env: &[(String, String)]) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("daemon.log");
        let ready = dir.path().join("ready.json");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
        cmd.args(args).env_clear();
        for keep in ["PATH", "HOME"] {
            if let Ok(v) = std::env::var(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        for name in LISTENER_SETTINGS.iter().chain(&SYSLOG_TRANSPORT_SETTINGS) {
            cmd.env(name, "0");
        }
        cmd.env("MUTT_READY_FILE", &ready);
        cmd.stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap());
        let child = cmd.spawn().expect("spawn mutt");
        let mut daemon = Daemon {
            child: Some(child),
            addr: "127.0.0.1:0".parse().unwrap(),
            listeners: serde_json::Map::new(),
            log: dir.path().join("stderr.log"),
            out: dir.path().join("daemon.log"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        // The file is renamed into place whole, so once it exists it parses.
        let listeners = loop {
            daemon.fail_if_exited(args);
            if let Ok(text) = std::fs::read_to_string(&ready) {
                let v: serde_json::Value = serde_json::from_str(&text).expect("ready file is JSON");
                break v["listeners"].as_object().cloned().expect("listeners");
            }
            assert!(
                Instant::now() < deadline,
                "mutt {args:?} wrote no ready file: {}",
                daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(10));
        };
        let first = listeners
            .values()
            .next()
            .expect("a listener")
            .as_str()
            .unwrap();
        daemon.addr = loopback(first);
        daemon.listeners = listeners;
        daemon
    }

    /// Wait (bounded) until `GET /health/ready` answers 200: a daemon's store checks start unset
    /// and turn true on its first successful round trip, so a probe right after start may be 503.
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let r = self.req("GET", "/health/ready", &[], "");
            if r.status == 200 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "not ready after 20 s: {} {}; log: {}",
                r.status,
                r.text(),
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The address of the listener configured by `setting` (e.g. `METRICS_PORT_ALERTER`).
    pub fn listener(&self, setting: &str) -> SocketAddr {
        match self.listeners.get(setting).and_then(|v| v.as_str()) {
            Some(a) => loopback(a),
            None => panic!("no listener {setting} in {:?}", self.listeners),
        }
    }

    /// Fail the test with the daemon's log if it has exited.
    pub fn fail_if_exited(&mut self, args: &[&str]) {
        if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
            panic!("mutt {args:?} exited early ({status}): {}", self.stderr());
        }
    }

    /// What it wrote to stderr so far.
    pub fn stderr(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// What it wrote to stdout so far.
    pub fn stdout(&self) -> String {
        std::fs::read_to_string(&self.out).unwrap_or_default()
    }

    /// One request on a fresh connection.
    pub fn req(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> RawResponse {
        request(self.addr, &build(method, path, headers, body))
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(|c| c.id()).unwrap_or(0)
    }

    /// Reap a child that was killed by other means; returns its status.
    pub fn terminate_after_kill(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        child.wait().ok()
    }

    /// Send SIGTERM and wait (bounded) for the exit status.
    pub fn terminate(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("already stopped");
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("mutt did not exit within 30 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A bound address as a loopback address to connect to (a wildcard bind answers there too).
fn loopback(bound: &str) -> SocketAddr {
    let addr: SocketAddr = bound.parse().expect("a socket address");
    SocketAddr::from(([127, 0, 0, 1], addr.port()))
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
