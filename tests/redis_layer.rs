//! The Redis layer against a real server: the bounded-enqueue Lua script (EVALSHA, atomic limit,
//! counters with TTLs), reply timeouts, unreachable servers, and reconnecting after a restart.

mod common;
use common::{services, TestEnv};
use mutt::backoff::Backoff;
use mutt::dev::services::{private_port, RedisOptions, RedisServer};
use mutt::shutdown::Shutdown;
use mutt::store::redis::keys::{Keys, Window};
use mutt::store::redis::scripts::{self, Counter, EnqueueOutcome};
use mutt::store::redis::{ReconnectingConnection, RedisConfig, RedisConnector, RedisError};
use redis::Commands;
use std::time::Duration;

fn connect(t: &TestEnv, extra: &[(&str, &str)]) -> redis::Connection {
    RedisConnector::new(RedisConfig::from_settings(&t.settings(extra)))
        .connect()
        .unwrap()
}

fn counters(keys: &Keys) -> Vec<Counter> {
    let now = chrono::Utc::now();
    Window::ALL
        .iter()
        .map(|w| Counter {
            key: keys.metrics_counter(*w, now),
            ttl_seconds: w.ttl_seconds(),
        })
        .collect()
}

#[test]
fn bounded_enqueue_is_all_or_nothing_and_counts() {
    let t = TestEnv::new();
    let mut c = connect(&t, &[]);
    let keys = Keys::with_prefix(&t.prefix);
    let q = keys.ingest_queue();
    let ctr = counters(&keys);
    let batch =
        |n: usize, tag: &str| -> Vec<String> { (0..n).map(|i| format!("{tag}{i}")).collect() };

    assert_eq!(
        scripts::enqueue_bounded(&mut c, q, 5, &ctr, &batch(3, "a")).unwrap(),
        EnqueueOutcome::Queued { depth: 3 }
    );
    // 3 + 3 > 5: refused whole, nothing pushed, nothing counted.
    assert_eq!(
        scripts::enqueue_bounded(&mut c, q, 5, &ctr, &batch(3, "b")).unwrap(),
        EnqueueOutcome::Full { depth: 3 }
    );
    assert_eq!(
        scripts::enqueue_bounded(&mut c, q, 5, &ctr, &batch(2, "c")).unwrap(),
        EnqueueOutcome::Queued { depth: 5 }
    );
    // Consumers take from the right: arrival order.
    let popped: Vec<String> = (0..5).map(|_| c.rpop(q, None).unwrap()).collect();
    assert_eq!(popped, ["a0", "a1", "a2", "c0", "c1"]);
    for (counter, window) in ctr.iter().zip(Window::ALL) {
        let n: i64 = c.get(&counter.key).unwrap();
        assert_eq!(n, 5, "{}", counter.key);
        let ttl: i64 = c.ttl(&counter.key).unwrap();
        assert!(
            ttl > 0 && ttl <= window.ttl_seconds() as i64,
            "{} ttl {ttl}",
            counter.key
        );
    }
    // The TTL runs from the bucket's first increment; later increments do not extend it.
    let _: () = c.expire(&ctr[0].key, 100).unwrap();
    scripts::enqueue_bounded(&mut c, q, 0, &ctr, &batch(1, "d")).unwrap();
    let ttl: i64 = c.ttl(&ctr[0].key).unwrap();
    assert!(ttl <= 100, "ttl was reset to {ttl}");
}

#[test]
fn large_batches_and_script_cache_loss_are_handled() {
    let t = TestEnv::new();
    let mut c = connect(&t, &[]);
    let keys = Keys::with_prefix(&t.prefix);
    let items: Vec<String> = (0..2500).map(|i| format!("e{i}")).collect();
    assert_eq!(
        scripts::enqueue_bounded(&mut c, keys.ingest_queue(), 0, &[], &items).unwrap(),
        EnqueueOutcome::Queued { depth: 2500 }
    );
    let first: String = c.lindex(keys.ingest_queue(), -1).unwrap();
    let last: String = c.lindex(keys.ingest_queue(), 0).unwrap();
    assert_eq!((first.as_str(), last.as_str()), ("e0", "e2499"));

    // The script runs by EVALSHA: Redis has it cached under the file's SHA1.
    let cached: Vec<bool> = redis::cmd("SCRIPT")
        .arg("EXISTS")
        .arg(scripts::enqueue_sha())
        .query(&mut c)
        .unwrap();
    assert_eq!(cached, vec![true]);
    // After a flush (as after a Redis restart) the NOSCRIPT reply reloads it transparently.
    redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query::<()>(&mut c)
        .unwrap();
    assert_eq!(
        scripts::enqueue_bounded(&mut c, keys.ingest_queue(), 0, &[], &items[..1]).unwrap(),
        EnqueueOutcome::Queued { depth: 2501 }
    );
}

#[test]
fn reply_timeout_and_unreachable_server_are_transient_errors() {
    let t = TestEnv::new();
    let mut c = connect(&t, &[("REDIS_SOCKET_TIMEOUT", "0.3")]);
    let started = std::time::Instant::now();
    let err = redis::cmd("BLPOP")
        .arg(format!("{}:never", t.prefix))
        .arg(5)
        .query::<Option<(String, String)>>(&mut c)
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the read timeout did not fire"
    );
    assert!(RedisError::from(err).is_transient());

    let port = private_port().unwrap();
    let s = t.settings(&[
        ("REDIS_PORT", &port.to_string()),
        ("REDIS_CONNECT_TIMEOUT", "1"),
    ]);
    let err = RedisConnector::new(RedisConfig::from_settings(&s))
        .connect()
        .err()
        .expect("no server there");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot connect to Redis at 127.0.0.1:{port}:")),
        "{err}"
    );
    assert!(err.is_transient());
}

#[test]
fn a_daemon_connection_survives_a_redis_restart() {
    let t = TestEnv::new();
    let _ = services();
    let mut server = RedisServer::start(RedisOptions::default()).unwrap();
    let s = t.settings(&[
        ("REDIS_PORT", &server.port().to_string()),
        ("REDIS_CONNECT_TIMEOUT", "0.5"),
    ]);
    let connector = RedisConnector::new(RedisConfig::from_settings(&s));
    let mut conn = ReconnectingConnection::new(
        connector,
        Backoff::new(Duration::from_millis(20), Duration::from_millis(200)),
    );
    let key = format!("{}:k", t.prefix);
    conn.run(|c| redis::cmd("SET").arg(&key).arg("v").query::<()>(c))
        .unwrap();
    assert!(conn.is_connected());

    server.stop();
    let err = conn
        .run(|c| redis::cmd("PING").query::<String>(c))
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(!conn.is_connected(), "a dead connection must be dropped");

    let restarter = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        server.restart().unwrap();
        server
    });
    let shutdown = Shutdown::new();
    let pong: String = conn
        .run_until_ok(&shutdown, |c| redis::cmd("PING").query(c))
        .expect("not shut down")
        .expect("reconnected");
    assert_eq!(pong, "PONG");
    let _server = restarter.join().unwrap();

    // Shutdown interrupts the wait between attempts.
    let mut dead = ReconnectingConnection::new(
        RedisConnector::new(RedisConfig::from_settings(
            &t.settings(&[("REDIS_PORT", &private_port().unwrap().to_string())]),
        )),
        Backoff::new(Duration::from_secs(5), Duration::from_secs(5)),
    );
    let stopper = shutdown.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        stopper.trigger();
    });
    let started = std::time::Instant::now();
    assert!(dead
        .run_until_ok(&shutdown, |c| redis::cmd("PING").query::<String>(c))
        .is_none());
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[test]
fn the_pool_replaces_connections_broken_by_a_restart() {
    let t = TestEnv::new();
    let mut server = RedisServer::start(RedisOptions::default()).unwrap();
    let s = t.settings(&[
        ("REDIS_PORT", &server.port().to_string()),
        ("REDIS_MAX_CONNECTIONS", "2"),
        ("REDIS_CONNECT_TIMEOUT", "1"),
    ]);
    let pool = RedisConnector::new(RedisConfig::from_settings(&s))
        .pool()
        .unwrap();
    let pong: String = redis::cmd("PING").query(&mut *pool.get().unwrap()).unwrap();
    assert_eq!(pong, "PONG");
    assert_eq!(pool.max_size(), 2);

    server.restart().unwrap();
    // The idle connection died with the old server; checkout validates and reconnects.
    let pong: String = redis::cmd("PING").query(&mut *pool.get().unwrap()).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn group_commit_decides_each_group_on_its_own() {
    let t = TestEnv::new();
    let mut c = connect(&t, &[]);
    let keys = Keys::with_prefix(&t.prefix);
    let ctr = counters(&keys);
    let g1: Vec<String> = vec!["a".into(), "b".into()];
    let g2: Vec<String> = (0..5).map(|i| format!("big{i}")).collect();
    let g3: Vec<String> = vec!["c".into()];
    let groups: Vec<&[String]> = vec![&g1, &g2, &g3];
    let out = scripts::enqueue_groups(&mut c, keys.ingest_queue(), 4, &ctr, &groups).unwrap();
    assert_eq!(
        out,
        vec![
            EnqueueOutcome::Queued { depth: 2 },
            EnqueueOutcome::Full { depth: 2 },
            EnqueueOutcome::Queued { depth: 3 },
        ]
    );
    let all: Vec<String> = c.lrange(keys.ingest_queue(), 0, -1).unwrap();
    assert_eq!(all, ["c", "b", "a"]);
    let n: i64 = c.get(&ctr[0].key).unwrap();
    assert_eq!(n, 3, "only pushed items are counted");
}
