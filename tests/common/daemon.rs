//! A `mutt` daemon run as a child process for black-box tests: started with a test's
//! environment, waited for until `/health/live` answers, stopped by SIGTERM or on drop.

use super::http_client::{build, request, RawResponse};
use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A running daemon.
pub struct Daemon {
    child: Option<Child>,
    /// The address its HTTP listener serves.
    pub addr: SocketAddr,
    log: std::path::PathBuf,
    out: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Daemon {
    /// Start `mutt <args>` with exactly `env` (plus PATH/HOME) and wait for `GET /health/live`.
    pub fn start(args: &[&str], env: &[(String, String)], port: u16) -> Daemon {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("daemon.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
        cmd.args(args).env_clear();
        for keep in ["PATH", "HOME"] {
            if let Ok(v) = std::env::var(keep) {
                cmd.env(keep, v);
            }
        }
        cmd.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        cmd.stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap());
        let child = cmd.spawn().expect("spawn mutt");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let mut daemon = Daemon {
            child: Some(child),
            addr,
            log: dir.path().join("stderr.log"),
            out: dir.path().join("daemon.log"),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = daemon.child.as_mut().unwrap().try_wait().unwrap() {
                panic!("mutt {args:?} exited early ({status}): {}", daemon.stderr());
            }
            if std::net::TcpStream::connect(addr).is_ok() {
                let r = request(addr, &build("GET", "/health/live", &[], ""));
                if r.status == 200 {
                    return daemon;
                }
            }
            assert!(
                Instant::now() < deadline,
                "mutt {args:?} did not come up: {}",
                daemon.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
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

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
