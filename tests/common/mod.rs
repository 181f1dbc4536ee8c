//! Shared integration-test harness: one private Redis and one private PostgreSQL per test binary
//! (started on first use by mutt's own launcher), a fresh database and key prefix per test, and
//! helpers to run the real `mutt` binary against them.
#![allow(dead_code)]

pub mod daemon;
pub mod http_client;
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
    let deadline = std::time::Instant::now() + within;
    while !done(state) {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
