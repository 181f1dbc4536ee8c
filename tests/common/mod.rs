//! Shared integration-test harness: one private Redis and one private PostgreSQL per test binary
//! (started on first use by mutt's own launcher), a fresh database and key prefix per test, and
//! helpers to run the real `mutt` binary against them.
#![allow(dead_code)]

pub mod alerters;
pub mod daemon;
pub mod http_client;
pub mod pki;
pub mod pty;
pub mod vault;

use mutt::dev::services::{PostgresOptions, PostgresServer, RedisOptions, RedisServer};
use mutt::settings::Settings;
use std::collections::HashMap;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// The servers shared by the tests of one binary.
pub struct Services {
    /// Plain Redis without a password.
    pub redis: RedisServer,
    /// PostgreSQL with a password-protected superuser.
    pub pg: PostgresServer,
}

/// Start (once) and return the shared servers. A missing binary fails with the launcher's
/// message saying what to install.
pub fn services() -> &'static Services {
    static SERVICES: OnceLock<Services> = OnceLock::new();
    SERVICES.get_or_init(|| {
        let redis = RedisServer::start(RedisOptions::default())
            .unwrap_or_else(|e| panic!("cannot start the test Redis: {e}"));
        let pg = PostgresServer::start(PostgresOptions::default())
            .unwrap_or_else(|e| panic!("cannot start the test PostgreSQL: {e}"));
        Services { redis, pg }
    })
}

fn unique(tag: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!(
        "{tag}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        &uuid::Uuid::new_v4().simple().to_string()[..6]
    )
}

/// One forwarding rule: messages containing `LINK-DOWN` page NetOps (the pipeline tests' rule).
pub const LINK_DOWN_RULE: &str = "INSERT INTO alert_rules (match_string, match_type, priority, prod_handling, dev_handling, team_assignment)
     VALUES ('LINK-DOWN', 'contains', 10, 'Page_and_ticket', 'Ticket_only', 'NetOps')";

/// One test's private corner of the shared servers.
pub struct TestEnv {
    /// Its own database.
    pub db: String,
    /// Its own Redis key prefix.
    pub prefix: String,
}

impl TestEnv {
    /// A new empty database and key prefix.
    pub fn new() -> TestEnv {
        let s = services();
        let db = unique("t");
        s.pg.create_database(&db).expect("create test database");
        TestEnv {
            db,
            prefix: unique("t"),
        }
    }

    /// Environment variables that point mutt at this test's database and prefix.
    pub fn env(&self) -> Vec<(String, String)> {
        let s = services();
        [
            ("REDIS_HOST", "127.0.0.1".to_string()),
            ("REDIS_PORT", s.redis.port().to_string()),
            ("DB_HOST", "127.0.0.1".to_string()),
            ("DB_PORT", s.pg.port().to_string()),
            ("DB_NAME", self.db.clone()),
            ("DB_USER", s.pg.superuser().to_string()),
            ("DB_PASS_CURRENT", s.pg.password().to_string()),
            ("MUTT_KEY_PREFIX", self.prefix.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Settings as the binary would load them from [`TestEnv::env`] plus `extra`.
    pub fn settings(&self, extra: &[(&str, &str)]) -> Settings {
        let mut env: HashMap<String, String> = self.env().into_iter().collect();
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        Settings::load(&[], &env).expect("test settings load")
    }

    /// Apply the migrations and add [`LINK_DOWN_RULE`].
    pub fn migrated_with_link_down_rule(&self) {
        let out = self.mutt(&["migrate"], &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        self.admin().batch_execute(LINK_DOWN_RULE).unwrap();
    }

    /// A superuser connection to this test's database.
    pub fn admin(&self) -> postgres::Client {
        services()
            .pg
            .admin_client(&self.db)
            .expect("admin connection")
    }

    /// Run `mutt` with this test's environment plus `extra` (an empty value removes a variable).
    pub fn mutt(&self, args: &[&str], extra: &[(&str, &str)]) -> Output {
        let mut env: HashMap<String, String> = self.env().into_iter().collect();
        for (k, v) in extra {
            if v.is_empty() {
                env.remove(*k);
            } else {
                env.insert(k.to_string(), v.to_string());
            }
        }
        mutt_with_env(args, &env)
    }
}

/// Run the real binary with exactly `env` (plus PATH and HOME).
pub fn mutt_with_env(args: &[&str], env: &HashMap<String, String>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
    cmd.args(args).env_clear();
    for keep in ["PATH", "HOME"] {
        if let Ok(v) = std::env::var(keep) {
            cmd.env(keep, v);
        }
    }
    cmd.envs(env);
    cmd.output().expect("run mutt")
}

/// Run `mutt` with this test's environment plus `extra`, writing `input` to its stdin.
pub fn mutt_with_stdin(t: &TestEnv, args: &[&str], extra: &[(&str, &str)], input: &str) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mutt"));
    cmd.args(args)
        .env_clear()
        .envs(t.env())
        .envs(extra.iter().copied())
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("run mutt");
    child
        .stdin
        .take()
        .expect("stdin is piped")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("wait for mutt")
}

/// The first column of `sql`'s rows (ids), sorted.
pub fn sorted_ids(c: &mut postgres::Client, sql: &str) -> Vec<i64> {
    let mut v: Vec<i64> = c
        .query(sql, &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    v.sort();
    v
}

/// stdout as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

impl TestEnv {
    /// This test's environment with `overrides` replacing (or adding) variables.
    pub fn env_with(&self, overrides: &[(&str, String)]) -> Vec<(String, String)> {
        let mut env = self.env();
        for (k, v) in overrides {
            env.retain(|(name, _)| name != k);
            env.push((k.to_string(), v.clone()));
        }
        env
    }
}

/// A plain connection to the Redis on 127.0.0.1:`port`.
pub fn redis_at(port: u16) -> redis::Connection {
    redis::Client::open(format!("redis://127.0.0.1:{port}"))
        .unwrap()
        .get_connection()
        .unwrap()
}

/// A plain connection to the shared test Redis.
pub fn redis() -> redis::Connection {
    redis_at(services().redis.port())
}

/// A list of JSON messages, in arrival order (producers LPUSH, so the oldest is rightmost).
pub fn json_list(conn: &mut redis::Connection, key: &str) -> Vec<serde_json::Value> {
    let items: Vec<String> = redis::Commands::lrange(conn, key, 0, -1).unwrap();
    items
        .iter()
        .rev()
        .map(|s| serde_json::from_str(s).unwrap())
        .collect()
}

/// Poll `done` every 50 ms until it holds; fail the test after `within`.
pub fn wait_until<S>(
    state: &mut S,
    within: std::time::Duration,
    what: &str,
    mut done: impl FnMut(&mut S) -> bool,
) {
    eventually(within, what, || done(state).then_some(()))
}

/// How often the waits below look again: often enough that a test does not idle long after the
/// condition holds, rarely enough not to load the machine the daemons share.
const POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// Poll `f` until it returns a value; fail the test after `within`, naming `what`.
///
/// Deadlines are for "eventually": make them generous (seconds, not the expected latency), so a
/// loaded machine makes a test slower, never red.
pub fn eventually<T>(
    within: std::time::Duration,
    what: &str,
    mut f: impl FnMut() -> Option<T>,
) -> T {
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {within:?} waiting for {what}"
        );
        std::thread::sleep(POLL);
    }
}

/// Poll `done` until it holds; fail the test after `within`, naming `what`.
pub fn wait_for(within: std::time::Duration, what: &str, mut done: impl FnMut() -> bool) {
    eventually(within, what, || done().then_some(()))
}

/// Wait until the text `log` returns (a daemon's stderr, a log file) contains `needle`.
pub fn wait_for_log(within: std::time::Duration, needle: &str, log: impl Fn() -> String) {
    let deadline = std::time::Instant::now() + within;
    loop {
        let text = log();
        if text.contains(needle) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "timed out after {within:?} waiting for {needle:?} in the log:\n{text}"
        );
        std::thread::sleep(POLL);
    }
}

/// A loopback port where nothing listens, and nothing can start to while this is held: a TCP
/// socket bound to it that never listens, so a connection is refused at once.
///
/// A port merely found free (bound and released) can be taken by another process before it is
/// used, and when it lies in the ephemeral range a client connecting to it can even connect to
/// itself; a held port can be neither.
pub struct DeadPort {
    _socket: tokio::net::TcpSocket,
    port: u16,
}

impl DeadPort {
    /// Bind one (port 0: the kernel picks it).
    pub fn new() -> DeadPort {
        let socket = tokio::net::TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("bind 127.0.0.1:0");
        let port = socket.local_addr().expect("bound address").port();
        DeadPort {
            _socket: socket,
            port,
        }
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `127.0.0.1:<port>`.
    pub fn addr(&self) -> std::net::SocketAddr {
        std::net::SocketAddr::from(([127, 0, 0, 1], self.port))
    }
}

/// A loopback port where nothing listens, held for the whole test binary (for settings that
/// must point at something unreachable and outlive any one value, like a daemon's).
pub fn nobody_listens() -> &'static DeadPort {
    static DEAD: std::sync::OnceLock<DeadPort> = std::sync::OnceLock::new();
    DEAD.get_or_init(DeadPort::new)
}

/// Wait until `signal`, sent to process `pid` with kill(2), is no longer pending for it: the
/// process has taken it (run a handler, ignored it, or died of it). A test that asserts a
/// signal did no harm checks after this, not after a guessed delay.
pub fn wait_signal_taken(pid: u32, signal: i32) {
    let path = format!("/proc/{pid}/status");
    let bit = 1u64 << (signal - 1);
    wait_for(
        std::time::Duration::from_secs(10),
        &format!("process {pid} to take signal {signal}"),
        || {
            let status = std::fs::read_to_string(&path).unwrap_or_default();
            // Process-directed signals wait in the shared set, thread-directed ones in SigPnd.
            let pending = status
                .lines()
                .filter(|l| l.starts_with("ShdPnd:") || l.starts_with("SigPnd:"))
                .filter_map(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
                .fold(0, |all, set| all | set);
            !status.is_empty() && pending & bit == 0
        },
    );
}

/// Whether some socket is bound to UDP `port` on this host (`/proc/net/udp`, `/proc/net/udp6`):
/// a UDP server started as a child is ready to receive once it is.
pub fn udp_port_bound(port: u16) -> bool {
    let local = format!(":{port:04X} ");
    ["/proc/net/udp", "/proc/net/udp6"].iter().any(|table| {
        std::fs::read_to_string(table)
            .unwrap_or_default()
            .lines()
            .skip(1)
            // "  sl  local_address rem_address ...": the local address is the second column.
            .filter_map(|l| l.split_whitespace().nth(1))
            .any(|addr| format!("{addr} ").ends_with(&local))
    })
}

/// What mutt's library code running in this test process logged, one message a line (the
/// first call installs the capturing logger, so call it before the code under test runs).
/// Tests of one binary run in parallel: pick out lines by something of the test's own, like
/// its server's address.
pub fn captured_log() -> String {
    static LINES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    struct Capture;
    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata) -> bool {
            true
        }
        fn log(&self, record: &log::Record) {
            LINES.lock().unwrap().push(record.args().to_string());
        }
        fn flush(&self) {}
    }
    static INSTALL: std::sync::Once = std::sync::Once::new();
    INSTALL.call_once(|| {
        log::set_logger(&Capture).expect("no other logger in this test binary");
        log::set_max_level(log::LevelFilter::Debug);
    });
    LINES.lock().unwrap().join("\n")
}
