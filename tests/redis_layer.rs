//! The Redis layer against a real server: the bounded-enqueue Lua script (EVALSHA, atomic limit,
//! counters with TTLs), reply timeouts, unreachable servers, and reconnecting after a restart.

mod common;
use common::{services, TestEnv};
use mutt::backoff::Backoff;
use mutt::dev::services::{RedisOptions, RedisServer};
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

    let port = common::nobody_listens().port();
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

    // Restart once run_until_ok has failed and backed off twice (as it logs).
    let retries_logged = |port: u16| {
        let at = format!("127.0.0.1:{port}");
        common::captured_log()
            .lines()
            .filter(|l| l.contains(&at) && l.contains("; retrying in "))
            .count()
    };
    let port = server.port();
    let before = retries_logged(port);
    let restarter = std::thread::spawn(move || {
        common::wait_for(Duration::from_secs(20), "two failed attempts", || {
            retries_logged(port) >= before + 2
        });
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

    // Shutdown interrupts the wait between attempts (triggered once the first attempt failed
    // and the 5 s wait began, as logged).
    let dead_port = common::DeadPort::new();
    let mut dead = ReconnectingConnection::new(
        RedisConnector::new(RedisConfig::from_settings(
            &t.settings(&[("REDIS_PORT", &dead_port.port().to_string())]),
        )),
        Backoff::new(Duration::from_secs(5), Duration::from_secs(5)),
    );
    let stopper = shutdown.clone();
    let dead_at = dead_port.port();
    let before = retries_logged(dead_at);
    std::thread::spawn(move || {
        common::wait_for(Duration::from_secs(20), "the first failed attempt", || {
            retries_logged(dead_at) > before
        });
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

/// The dedup script's answers, one event at a time against the real server: a redelivered event
/// gets the answer it got before, whatever has happened to its key since, and a taken-back
/// decision leaves the count and the key as if the event had never come.
#[test]
fn dedup_decisions_are_stable_for_redelivered_events_and_can_be_taken_back() {
    use scripts::{DedupDecision, DedupKeys};
    let t = TestEnv::new();
    let mut c = connect(&t, &[]);
    let keys = Keys::with_prefix(&t.prefix);
    let k = DedupKeys {
        hash: keys.dedup(1, "sw1", "-"),
        held: keys.dedup_held(1, "sw1", "-"),
        held_prev: keys.dedup_held_prev(1, "sw1", "-"),
    };
    scripts::load_dedup(&mut c).unwrap();
    scripts::load_dedup_undo(&mut c).unwrap();
    let window_ms = 3_600_000;
    let decide = |c: &mut redis::Connection, id: &str| -> DedupDecision {
        let mut pipe = redis::pipe();
        scripts::dedup_decide(&mut pipe, &k, id, window_ms, &format!("t-{id}"), 90_000);
        let (reply,): ((i64, u64, String),) = pipe.query(c).unwrap();
        DedupDecision::from_reply(reply)
    };
    let send = |n: u64, first: &str| DedupDecision::Send {
        repeat_count: n,
        first_seen: first.into(),
    };
    let held = |of: &str| DedupDecision::Held { of: of.into() };
    // Ends the current window as if an hour had passed.
    let end_window = |c: &mut redis::Connection| {
        let at: i64 = c.hget(&k.hash, "sent_at_ms").unwrap();
        let _: () = c
            .hset(&k.hash, "sent_at_ms", at - window_ms as i64 - 1)
            .unwrap();
    };

    assert_eq!(decide(&mut c, "a"), send(0, ""));
    assert_eq!(decide(&mut c, "a"), send(0, ""), "a redelivered");
    assert_eq!(decide(&mut c, "h1"), held("a"));
    assert_eq!(decide(&mut c, "h2"), held("a"));
    end_window(&mut c);
    // Redelivered after the window: still held, and not counted twice.
    assert_eq!(decide(&mut c, "h1"), held("a"));
    assert_eq!(decide(&mut c, "b"), send(2, "t-h1"));
    // After b was sent: a is still the alert that was sent, h1 still a repeat of a.
    assert_eq!(decide(&mut c, "a"), send(0, ""));
    assert_eq!(decide(&mut c, "h2"), held("a"));
    assert_eq!(decide(&mut c, "b"), send(2, "t-h1"));
    assert_eq!(decide(&mut c, "h3"), held("b"));

    // h3's row was refused: it leaves the count.
    let undo = |c: &mut redis::Connection, id: &str| {
        let mut pipe = redis::pipe();
        scripts::dedup_undo(&mut pipe, &k, id);
        let () = pipe.query(c).unwrap();
    };
    undo(&mut c, "h3");
    let members: i64 = c.scard(&k.held).unwrap();
    assert_eq!(members, 0);
    assert_eq!(decide(&mut c, "h4"), held("b"));
    // b's row was refused: b is unsent, a is the last alert again, and what b carried (h1, h2)
    // waits, with h4, for the next alert of the key.
    undo(&mut c, "b");
    let sent: String = c.hget(&k.hash, "sent_event").unwrap();
    assert_eq!(sent, "a");
    end_window(&mut c);
    assert_eq!(decide(&mut c, "c"), send(3, "t-h1"));
}
