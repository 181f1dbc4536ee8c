//! CURRENT/NEXT password rotation against real servers: a PostgreSQL role whose password changes
//! while a pool is in use, and a `requirepass` Redis whose password changes while a connection
//! is in use. Secrets come from `_FILE`s that the test rewrites, as an orchestrator would.

mod common;
use common::TestEnv;
use mutt::dev::services::{RedisOptions, RedisServer};
use mutt::settings::secrets::Slot;
use mutt::shutdown::Shutdown;
use mutt::store::postgres::{DbError, PgConfig, PgConnector};
use mutt::store::redis::{ReconnectingConnection, RedisConfig, RedisConnector, RedisError};
use std::path::Path;
use std::time::Duration;

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
}

#[test]
fn postgres_role_password_changed_while_the_pool_runs() {
    let t = TestEnv::new();
    let role = format!("rot_{}", &t.prefix[2..].replace('_', ""));
    let mut admin = t.admin();
    admin
        .batch_execute(&format!("CREATE ROLE {role} LOGIN PASSWORD 'pw-a'"))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (current, next) = (dir.path().join("current"), dir.path().join("next"));
    write(&current, "pw-a\n");
    write(&next, "");
    let s = t.settings(&[
        ("DB_USER", &role),
        ("DB_PASS_CURRENT", ""),
        ("DB_PASS_CURRENT_FILE", current.to_str().unwrap()),
        ("DB_PASS_NEXT_FILE", next.to_str().unwrap()),
        // No background refills: every new session in this test is made by a checkout we control.
        ("DB_POOL_MIN_CONN", "0"),
        ("DB_POOL_MAX_CONN", "2"),
        ("DB_POOL_TIMEOUT", "5"),
    ]);
    let connector = PgConnector::new(PgConfig::from_settings(&s, "test")).unwrap();
    let pool = connector.pool().unwrap();
    let who = |pool: &mutt::store::postgres::Pool| -> String {
        pool.get()
            .unwrap()
            .query_one("SELECT current_user::text", &[])
            .unwrap()
            .get(0)
    };
    assert_eq!(who(&pool), role);
    assert_eq!(connector.active_slot(), Slot::Current);

    // Step 1: the new password is published as NEXT. Step 2: the role is changed.
    write(&next, "pw-b\n");
    admin
        .batch_execute(&format!("ALTER ROLE {role} PASSWORD 'pw-b'"))
        .unwrap();
    let kill_sessions = |admin: &mut postgres::Client| {
        let sql = format!(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '{role}'"
        );
        let pids: Vec<i32> = admin
            .query(&sql, &[])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert!(!pids.is_empty(), "the pool held no session to end");
        // Termination is asynchronous: wait until those sessions are really gone.
        common::wait_for(
            Duration::from_secs(10),
            &format!("the sessions of {role} to end"),
            || {
                let n: i64 = admin
                    .query_one(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)",
                        &[&pids],
                    )
                    .unwrap()
                    .get(0);
                n == 0
            },
        );
    };
    kill_sessions(&mut admin);
    // Every pooled connection is gone; the pool reconnects and only NEXT works now.
    assert_eq!(who(&pool), role);
    assert_eq!(connector.active_slot(), Slot::Next);

    // Step 3: NEXT is promoted to CURRENT and NEXT emptied; reconnects keep working.
    write(&current, "pw-b\n");
    write(&next, "");
    kill_sessions(&mut admin);
    assert_eq!(who(&pool), role);
    assert_eq!(connector.active_slot(), Slot::Current);

    // A password nobody has: a clear error naming both settings and no secret.
    write(&current, "pw-x");
    write(&next, "pw-y");
    match connector.connect() {
        Err(e @ DbError::Auth { .. }) => {
            let text = e.to_string();
            assert!(text.contains(&format!("user \"{role}\"")), "{text}");
            assert!(
                text.contains("tried DB_PASS_CURRENT and DB_PASS_NEXT"),
                "{text}"
            );
            assert!(!text.contains("pw-x") && !text.contains("pw-y"), "{text}");
        }
        other => panic!("expected an auth error, got {:?}", other.map(|_| ())),
    }
}

fn redis_settings(t: &TestEnv, port: u16, current: &Path, next: &Path) -> mutt::settings::Settings {
    t.settings(&[
        ("REDIS_PORT", &port.to_string()),
        ("REDIS_PASS_CURRENT_FILE", current.to_str().unwrap()),
        ("REDIS_PASS_NEXT_FILE", next.to_str().unwrap()),
        ("REDIS_SOCKET_TIMEOUT", "2"),
    ])
}

#[test]
fn redis_requirepass_rotation_while_a_connection_is_in_use() {
    let t = TestEnv::new();
    let server = RedisServer::start(RedisOptions {
        password: Some("r-a".into()),
        ..Default::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (current, next) = (dir.path().join("current"), dir.path().join("next"));
    // Wrong CURRENT, right NEXT: connects, and remembers NEXT.
    write(&current, "stale");
    write(&next, "r-a");
    let s = redis_settings(&t, server.port(), &current, &next);
    let connector = RedisConnector::new(RedisConfig::from_settings(&s));
    let mut conn = connector.connect().unwrap();
    let pong: String = redis::cmd("PING").query(&mut conn).unwrap();
    assert_eq!(pong, "PONG");
    assert_eq!(connector.active_slot(), Slot::Next);

    let shutdown = Shutdown::new();
    let mut daemon_conn = ReconnectingConnection::new(
        connector.clone(),
        mutt::backoff::Backoff::new(Duration::from_millis(10), Duration::from_millis(100)),
    );
    let key = format!("{}:rotation", t.prefix);
    daemon_conn
        .run(|c| redis::cmd("SET").arg(&key).arg("1").query::<()>(c))
        .unwrap();

    // The operator rotates: new password as CURRENT, server switched, old clients dropped.
    write(&current, "r-b");
    redis::cmd("CONFIG")
        .arg("SET")
        .arg("requirepass")
        .arg("r-b")
        .query::<()>(&mut conn)
        .unwrap();
    redis::cmd("CLIENT")
        .arg("KILL")
        .arg("TYPE")
        .arg("normal")
        .query::<()>(&mut conn)
        .ok();

    let value: String = daemon_conn
        .run_until_ok(&shutdown, |c| redis::cmd("GET").arg(&key).query(c))
        .expect("not shut down")
        .expect("reconnected with the rotated password");
    assert_eq!(value, "1");
    assert_eq!(connector.active_slot(), Slot::Current);

    write(&current, "nope-1");
    write(&next, "nope-2");
    match connector.connect() {
        Err(e @ RedisError::Auth { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("tried REDIS_PASS_CURRENT and REDIS_PASS_NEXT"),
                "{text}"
            );
            assert!(!text.contains("nope-"), "{text}");
        }
        other => panic!("expected an auth error, got {:?}", other.map(|_| ())),
    }
    write(&current, "");
    write(&next, "");
    match connector.connect() {
        Err(e @ RedisError::Auth { .. }) => {
            assert!(
                e.to_string()
                    .contains("no password; set REDIS_PASS_CURRENT"),
                "{e}"
            )
        }
        other => panic!("expected an auth error, got {:?}", other.map(|_| ())),
    }
}
